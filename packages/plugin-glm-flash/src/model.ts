import type { Backend, CausalLM, DecoderSession, PromptBatch, SequenceBufferStorage, Tensor, WeightStorage } from '@pio/core';
import { buildAttentionMask, Embedding, KVCache, type Linear, Module, RMSNorm, ropeInverseFrequencies, ropeTables, ropeTensors, type WeightSource } from '@pio/core/nn';
import { GlmFlashDecoderLayer } from './decoder-layer.js';
import { GatedMlp } from './gated-mlp.js';
import { loadLinear, type MatrixStorage } from './load-linear.js';
import type { GlmFlashConfig } from './glm-flash-config.js';
import { GlmFlashSession } from './glm-flash-session.js';
import { ExpertCache, type ExpertLoader } from './moe/experts.js';

/** Options of {@link GlmFlashModel.load}. */
export interface GlmFlashModelLoadOptions {
  /** Storage of the large matrices (projections, experts, embeddings, head). Norms and the router stay float32. */
  storage?: WeightStorage;
  /** Group size of `int8` / `int4` scales. */
  groupSize?: number;
  /** Element type of the sessions' KV caches (latent and rope key) on backends that keep them in place. Default float32. */
  kvCacheStorage?: SequenceBufferStorage;
  /** Loads one routed expert; default: from `source` under `model.layers.{layer}.mlp.experts.{expert}`. */
  loadExpert?: ExpertLoader;
  /** Most routed experts kept resident at once (default: all). */
  expertCapacity?: number;
  /**
   * With every expert resident (no `expertCapacity`), hold each MoE layer's experts as stacked weights read from the
   * checkpoint `source` (routing and experts stay in the step's graph) instead of loading them through `loadExpert`.
   * Default: true when no `loadExpert` is given.
   */
  stackExperts?: boolean;
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

/** GLM-4.7-Flash (`Glm4MoeLiteForCausalLM`): embeddings, MLA + MoE decoder layers, final norm, LM head. */
export class GlmFlashModel extends Module implements CausalLM {
  private readonly invFreq: Float32Array;

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
  ) {
    super();
    for (const m of [embed, ...layers, norm, lmHead]) this.child(m);
    this.invFreq = ropeInverseFrequencies(config.qkRopeHeadDim, config.ropeTheta);
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
        }, matrix));
    const experts = new ExpertCache(loadExpert, options.expertCapacity ?? Infinity, { checkpointLoader: options.stackExperts ?? options.loadExpert === undefined });
    const loaded: Module[] = [];
    try {
      const embed = await Embedding.load(backend, source, 'model.embed_tokens', { numEmbeddings: c.vocabSize, dim: c.hiddenSize, storage: matrix.storage });
      loaded.push(embed);
      const layers: GlmFlashDecoderLayer[] = [];
      for (let i = 0; i < c.numHiddenLayers; i++) {
        options.signal?.throwIfAborted();
        const layer = await GlmFlashDecoderLayer.load(backend, source, i, c, experts, matrix);
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
      return new GlmFlashModel(backend, config, embed, layers, norm, head, experts, options.kvCacheStorage);
    } catch (error) {
      for (const m of loaded) m.dispose();
      experts.dispose();
      throw error;
    }
  }

  /** Runs the decoder on new tokens and returns logits `[batch, seq or 1, vocab]` (the caller disposes them). */
  async forward(input: GlmFlashForwardInput): Promise<Tensor> {
    const b = this.backend;
    const batch = input.inputIds.length;
    const seq = input.inputIds[0]?.length ?? 0;
    const absorbed = input.absorbed ?? (input.cache !== undefined && seq === 1);
    const tables = ropeTables(batch, seq, this.invFreq, (row, s) => input.positions[row][s]);
    const [hidden0, cos, sin, mask] = b.scope(() => {
      const ids = b.tensor(Int32Array.from(input.inputIds.flat()), [batch, seq], 'int32');
      const { cos, sin } = ropeTensors(b, tables, batch, seq);
      // a padded cache returns its entries padded to keyLength: the mask covers (and masks out) the padding
      const keyLength = input.cache?.keyLength(seq);
      return [this.embed.forward(ids), cos, sin, buildAttentionMask(b, input.attentionMask, seq, { keyLength })];
    });
    let hidden = hidden0;
    try {
      for (let i = 0; i < this.layers.length; i++) {
        const next = await this.layers[i].forward(hidden, { cos, sin, mask, cache: input.cache, layer: i, absorbed });
        hidden.dispose();
        hidden = next;
      }
      return b.scope(() => {
        const last = input.lastOnly ? b.slice(hidden, [0, seq - 1, 0], [batch, 1, this.config.hiddenSize]) : hidden;
        return this.lmHead.forward(this.norm.forward(last));
      });
    } finally {
      for (const t of [hidden, cos, sin, mask]) t.dispose();
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

  /** {@link GlmFlashModel.createSession} choosing the MLA form of the prompt pass and of the decode steps (tests, benchmarks). */
  createSessionWith(prompt: PromptBatch, forms: { prefillAbsorbed?: boolean; stepAbsorbed?: boolean }): GlmFlashSession {
    // padded to 256 positions (like llama.cpp) so that decode steps repeat their shapes; the mask hides the padding
    const cache = new KVCache(this.backend, this.config.numHiddenLayers, { storage: this.kvCacheStorage, padding: 256 });
    return new GlmFlashSession(this, prompt, cache, forms);
  }

  /** Frees every weight, resident experts included. */
  override dispose(): void {
    super.dispose();
    this.experts.dispose();
  }
}
