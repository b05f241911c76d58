import {
  resolveContextLength,
  type Backend,
  type CausalLM,
  type DecoderSession,
  type PromptBatch,
  type SequenceBufferStorage,
  type Tensor,
  type WeightStorage,
} from '@pio/core';
import {
  buildAttentionMask,
  CachedDecoderSession,
  type DecoderModel,
  Embedding,
  GatedMlp,
  type KVCache,
  type Linear,
  type LogitsSelection,
  Module,
  outputPositions,
  RMSNorm,
  ropeInverseFrequencies,
  rotaryInputs,
  type WeightSource,
} from '@pio/core/nn';
import { MultiHeadLatentAttention } from './attention/mla.js';
import { GlmFlashDecoderLayer } from './decoder-layer.js';
import { loadLinear, type MatrixStorage } from './load-linear.js';
import type { GlmFlashConfig } from './glm-flash-config.js';
import { ExpertCache, type ExpertLoader } from './moe/experts.js';
import { StepGuessing } from './moe/step-guessing.js';
import { resolveExpertBudget } from './resolve-expert-budget.js';
import { validatePrompt } from './validate-prompt.js';

/** The MLA form of a session's prompt chunks (default expanded) and of its decode steps (default absorbed). */
export interface GlmFlashSessionForms {
  prefillAbsorbed?: boolean;
  stepAbsorbed?: boolean;
}

/** Options of {@link GlmFlashModel.load}. */
export interface GlmFlashModelLoadOptions {
  /** Storage of the large matrices (projections, experts, embeddings, head). Norms and the router stay float32. */
  storage?: WeightStorage;
  /** Group size of `int8` / `int4` scales. */
  groupSize?: number;
  /** Element type of the sessions' KV caches (latent and rope key) on backends that keep them in place. Default float32. */
  kvCacheStorage?: SequenceBufferStorage;
  /** Positions a session may hold (default from the config's `max_position_embeddings`: `resolveContextLength`). */
  contextLength?: number;
  /** Prompt positions per prefill forward pass (default 512). */
  prefillChunkSize?: number;
  /** Loads one routed expert; default: from `source` under `model.layers.{layer}.mlp.experts.{expert}`. */
  loadExpert?: ExpertLoader;
  /** Most routed experts kept resident at once in all layers together (default: all). */
  expertCapacity?: number;
  /**
   * Routed experts resident per MoE layer (default all; see `resolveExpertBudget`). Below the layer's count, on a
   * backend with `writeWeightRows` and a checkpoint source, each MoE layer holds that many stacked slots
   * (`ExpertSlots`); otherwise it bounds the expert cache at budget x MoE layers.
   */
  expertBudget?: number;
  /**
   * With every expert resident (no `expertCapacity`), hold each MoE layer's experts as stacked weights read from the
   * checkpoint `source` (routing and experts stay in the step's graph) instead of loading them through `loadExpert`.
   * Default: true when no `loadExpert` is given.
   */
  stackExperts?: boolean;
  /**
   * Under an expert budget (`ExpertSlots`), compute a session's decode steps in one graph as if every expert they route
   * to were resident, and run a step again layer by layer when one was not (`StepGuessing`): no host read between
   * layers, and steps are replayed like those of a model with every expert resident. Default true.
   */
  guessSteps?: boolean;
  /** Called after each decoder layer is loaded. */
  onLayer?: (layer: number, total: number) => void;
  /** Cancels loading. */
  signal?: AbortSignal;
}

/** Inputs of {@link GlmFlashModel.forward}. */
export interface GlmFlashForwardInput {
  /** Token ids `[batch][seq]`. */
  inputIds: readonly (readonly number[])[];
  /** Padding mask over all positions (cached and new) `[batch][past + seq]`. */
  attentionMask: readonly (readonly number[])[];
  /** RoPE position of each new token `[batch][seq]`. */
  positions: readonly (readonly number[])[];
  /** Cache to append to (and attend over). */
  cache?: KVCache;
  /** Attend in MLA's absorbed form (default: absorbed when decoding one token with a cache, expanded otherwise). */
  absorbed?: boolean;
  /** Compute logits only for the last position (`[batch, 1, vocab]`). */
  lastOnly?: boolean;
}

/**
 * GLM-4.7-Flash (`Glm4MoeLiteForCausalLM`): embeddings, MLA + MoE decoder layers, final norm, LM head. Its sessions
 * are core's `CachedDecoderSession` over {@link GlmFlashModel.decoder} (chunked prefill over the compressed-latent
 * cache, expanded MLA for prompt chunks and absorbed MLA for decode steps by default).
 */
export class GlmFlashModel extends Module implements CausalLM {
  private readonly invFreq: Float32Array;
  /** Positions a session may hold. */
  readonly contextLength: number;

  private constructor(
    readonly backend: Backend,
    readonly config: GlmFlashConfig,
    private readonly embed: Embedding,
    private readonly layers: readonly GlmFlashDecoderLayer[],
    private readonly norm: RMSNorm,
    private readonly lmHead: Linear,
    /** The routed experts (lazily loaded, LRU-bounded). */
    readonly experts: ExpertCache,
    /** Element type of the sessions' KV caches (on backends that keep them in place). */
    readonly kvCacheStorage: SequenceBufferStorage = 'float32',
    contextLength?: number,
    private readonly prefillChunkSize?: number,
    /** How decode steps guess their experts' slots (`undefined`: they never do). */
    private readonly guessing?: StepGuessing,
  ) {
    super();
    for (const m of [embed, ...layers, norm, lmHead]) this.child(m);
    this.invFreq = ropeInverseFrequencies(config.qkRopeHeadDim, config.ropeTheta);
    this.contextLength = resolveContextLength(config.maxPositionEmbeddings, contextLength);
  }

  /** Size of the logits' last axis. */
  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** Loads the model's weights by their checkpoint names. Layers at index >= `numHiddenLayers` (MTP) are not read. */
  static async load(backend: Backend, source: WeightSource, config: GlmFlashConfig, options: GlmFlashModelLoadOptions = {}): Promise<GlmFlashModel> {
    const matrix: MatrixStorage = { storage: options.storage ?? 'float32', groupSize: options.groupSize };
    const c = config;
    const loadExpert: ExpertLoader =
      options.loadExpert ??
      ((layer, expert) =>
        GatedMlp.load(backend, source, `model.layers.${layer}.mlp.experts.${expert}`, {
          hiddenSize: c.hiddenSize,
          intermediateSize: c.moeIntermediateSize,
          ...matrix,
        }));
    const budget = resolveExpertBudget(c, options.expertBudget);
    const moeLayers = c.mlpLayerTypes.filter((t) => t === 'sparse').length;
    const slotted = budget < c.nRoutedExperts && backend.writeWeightRows !== undefined;
    const capacity = options.expertCapacity ?? (budget < c.nRoutedExperts && !slotted ? budget * moeLayers : Infinity);
    const experts = new ExpertCache(loadExpert, capacity, {
      checkpointLoader: options.stackExperts ?? options.loadExpert === undefined,
    });
    const loaded: Module[] = [];
    try {
      const embed = await Embedding.load(backend, source, 'model.embed_tokens', { numEmbeddings: c.vocabSize, dim: c.hiddenSize, storage: matrix.storage });
      loaded.push(embed);
      const layers: GlmFlashDecoderLayer[] = [];
      for (let i = 0; i < c.numHiddenLayers; i++) {
        options.signal?.throwIfAborted();
        const layer = await GlmFlashDecoderLayer.load(backend, source, i, c, experts, matrix, budget);
        layers.push(layer);
        loaded.push(layer);
        options.onLayer?.(i + 1, c.numHiddenLayers);
      }
      const norm = await RMSNorm.load(backend, source, 'model.norm', { dim: c.hiddenSize, eps: c.rmsNormEps });
      loaded.push(norm);
      const head =
        c.tieWordEmbeddings && !source.has('lm_head.weight')
          ? await loadLinear(backend, source, 'model.embed_tokens', { inFeatures: c.hiddenSize, outFeatures: c.vocabSize }, matrix)
          : await loadLinear(backend, source, 'lm_head', { inFeatures: c.hiddenSize, outFeatures: c.vocabSize }, matrix);
      const guessing = options.guessSteps !== false && layers.some((l) => l.slotted) ? new StepGuessing(experts) : undefined;
      return new GlmFlashModel(
        backend,
        config,
        embed,
        layers,
        norm,
        head,
        experts,
        options.kvCacheStorage,
        options.contextLength,
        options.prefillChunkSize,
        guessing,
      );
    } catch (error) {
      for (const m of loaded) m.dispose();
      experts.dispose();
      throw error;
    }
  }

  /**
   * Runs the decoder on new tokens and returns logits `[batch, seq or 1, vocab]` (the caller disposes them). Builds the
   * `[batch, 1, seq, past + seq]` mask from `attentionMask`: for whole prompts without a cache (tests), prefer
   * {@link GlmFlashModel.infer} or a session, which run long prompts in chunks.
   */
  async forward(input: GlmFlashForwardInput): Promise<Tensor> {
    const b = this.backend;
    const seq = input.inputIds[0]?.length ?? 0;
    const absorbed = input.absorbed ?? (input.cache !== undefined && seq === 1);
    // a padded cache returns its entries padded to keyLength: the mask covers (and masks out) the padding
    const mask = buildAttentionMask(b, input.attentionMask, seq, { keyLength: input.cache?.keyLength(seq) });
    try {
      return (await this.run(input.inputIds, input.positions, mask, input.cache, absorbed, input.lastOnly ? 'last' : 'all')) as Tensor;
    } finally {
      mask.dispose();
    }
  }

  /** Prefill logits for every position of a left-padded prompt, `[batch, seq, vocab]`, computed in prefill chunks. */
  async infer(prompt: PromptBatch, signal?: AbortSignal): Promise<Tensor> {
    const session = this.createSessionWith(prompt, {});
    try {
      return await session.prefillAll({ signal });
    } finally {
      session.dispose();
    }
  }

  /**
   * The decoder over `mask` (additive, `[batch, 1, seq, keyLength]`) and `cache`; `undefined` for `logits: 'none'`.
   * `tensors` are the ids and positions as a decode session made them (see `DecoderForwardInput.tokenIds`), when it did.
   * `guess`: MoE layers under an expert budget guess their slots in the graph, and the logits get the NaN mark of a
   * miss (see {@link StepGuessing}).
   */
  private async run(
    inputIds: readonly (readonly number[])[],
    positions: readonly (readonly number[])[],
    mask: Tensor,
    cache: KVCache | undefined,
    absorbed: boolean,
    logits: LogitsSelection,
    tensors?: { tokenIds: Tensor; positionIds: Tensor | undefined },
    guess = false,
  ): Promise<Tensor | undefined> {
    const b = this.backend;
    const batch = inputIds.length;
    const seq = inputIds[0]?.length ?? 0;
    // integer positions where the backend has a fused rope (one node per call), else cos/sin tables
    const rotary = rotaryInputs(b, batch, seq, this.invFreq, (row, s) => positions[row][s], tensors?.positionIds);
    // shared by every layer's absorbed attention
    const absorbedHeadIds = absorbed ? MultiHeadLatentAttention.headIds(b, batch * seq, this.config.numAttentionHeads) : undefined;
    const perPass = [...Object.values(rotary), ...(absorbedHeadIds ? [absorbedHeadIds] : [])];
    const marks: Tensor[] | undefined = guess ? [] : undefined; // [tokens, 1] each
    let hidden: Tensor;
    try {
      hidden = b.scope(() => this.embed.forward(tensors?.tokenIds ?? b.tensor(Int32Array.from(inputIds.flat()), [batch, seq], 'int32')));
    } catch (error) {
      for (const t of perPass) t.dispose();
      throw error;
    }
    try {
      const last = this.layers.length - 1;
      for (let i = 0; i <= last; i++) {
        // the last layer's queries and MLP run only on the positions whose logits are returned
        const next = await this.layers[i].forward(hidden, { rotary, mask, cache, layer: i, absorbedHeadIds }, i === last ? logits : 'all', marks);
        if (next === undefined) return undefined; // `none`: the last layer cached this chunk's latents
        hidden.dispose();
        hidden = next;
      }
      if (logits === 'none') return undefined;
      return b.scope(() => {
        const out = this.lmHead.forward(this.norm.forward(outputPositions(b, hidden, logits))); // [batch, seq or 1, vocab]
        if (!marks?.length) return out;
        // a decode step: one position per row, every layer's mark [batch, 1]; added after the head, whose quantized
        // products could turn a NaN activation into finite values
        const mark = marks.reduce((sum, m) => b.add(sum, m));
        return b.add(out, b.reshape(mark, [batch, 1, 1]));
      });
    } finally {
      for (const t of [hidden, ...perPass, ...(marks ?? [])]) t.dispose();
    }
  }

  /** Uploads every routed expert now (used when the expert cache is unbounded; nothing to do when the layers stacked them). */
  async preloadExperts(): Promise<void> {
    if (this.experts.stackable) return;
    const all = Array.from({ length: this.config.nRoutedExperts }, (_, e) => e);
    for (const [layer, type] of this.config.mlpLayerTypes.entries()) if (type === 'sparse') await this.experts.acquire(layer, all);
  }

  /** Starts a cached generation session for a left-padded prompt batch. */
  createSession(prompt: PromptBatch): DecoderSession {
    return this.createSessionWith(prompt, {});
  }

  /**
   * {@link GlmFlashModel.createSession} choosing the MLA form of the prompt chunks and of the decode steps, and the
   * prefill chunk size (tests, benchmarks).
   */
  createSessionWith(prompt: PromptBatch, forms: GlmFlashSessionForms, options: { prefillChunkSize?: number } = {}): CachedDecoderSession {
    return new CachedDecoderSession(this.decoder(forms), prompt, undefined, {
      contextLength: this.contextLength,
      prefillChunkSize: options.prefillChunkSize ?? this.prefillChunkSize,
    });
  }

  /** The model's forward contract for core's decode session, with the MLA forms of prefill chunks and decode steps. */
  decoder(forms: GlmFlashSessionForms): DecoderModel {
    const guessing = this.guessing;
    return {
      backend: this.backend,
      vocabSize: this.vocabSize,
      cacheLayers: this.config.numHiddenLayers,
      kvCacheStorage: this.kvCacheStorage,
      preparePrompt: (prompt) => ({ positions: [validatePrompt(prompt.inputIds, prompt.attentionMask, this.vocabSize).positions], state: undefined }),
      forward: (input) =>
        this.run(
          input.inputIds,
          input.positions[0],
          input.mask,
          input.cache,
          input.phase === 'prefill' ? (forms.prefillAbsorbed ?? false) : (forms.stepAbsorbed ?? true),
          input.logits,
          input,
          guessing !== undefined && input.phase === 'decode' && input.retry !== true && guessing.next(),
        ),
      ...(guessing && { rejectsStep: (logits: Float32Array) => guessing.rejects(logits) }),
    };
  }

  /** Frees every weight, resident experts included. */
  override dispose(): void {
    super.dispose();
    this.experts.dispose();
  }
}
