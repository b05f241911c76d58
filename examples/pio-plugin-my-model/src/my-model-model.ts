import { resolveContextLength, type Backend, type CausalLM, type PromptBatch, type Tensor, type WeightStorage } from '@pio/core';
import {
  CachedDecoderSession,
  Embedding,
  Linear,
  Module,
  outputPositions,
  RMSNorm,
  type DecoderForwardInput,
  type DecoderModel,
  type WeightSource,
} from '@pio/core/nn';
import type { MyModelConfig } from './my-model-config.js';

/**
 * The MyModel network: token embedding, final RMSNorm, LM head.
 *
 * A starting point: add your decoder layers between the embedding and the norm. Each attention layer appends its
 * keys and values with `input.cache.updateKeysValues(layer, { keys, values })` and attends with `input.mask`
 * (the cache builds it, padding included); core's `CachedDecoderSession` does the rest (chunked prefill, positions,
 * decode steps). Without attention, the next token depends only on the last one.
 */
export class MyModelModel extends Module implements CausalLM, DecoderModel {
  /** Positions a session may hold. */
  readonly contextLength: number;
  /** KV-cache layers (one per attention layer; none yet). */
  readonly cacheLayers = 0;

  private constructor(
    readonly backend: Backend,
    readonly config: MyModelConfig,
    private readonly embed: Embedding,
    private readonly norm: RMSNorm,
    private readonly lmHead: Linear,
    contextLength?: number,
  ) {
    super();
    this.child(embed);
    this.child(norm);
    this.child(lmHead);
    this.contextLength = resolveContextLength(config.maxPositionEmbeddings, contextLength);
  }

  /** Loads the weights (Hugging Face names) from `source`. */
  static async load(backend: Backend, source: WeightSource, config: MyModelConfig, options: { storage?: WeightStorage; contextLength?: number }) {
    const { storage, contextLength } = options;
    const embed = await Embedding.load(backend, source, 'model.embed_tokens', { numEmbeddings: config.vocabSize, dim: config.hiddenSize, storage });
    const norm = await RMSNorm.load(backend, source, 'model.norm', { dim: config.hiddenSize, eps: config.rmsNormEps });
    const lmHead = await Linear.load(backend, source, 'lm_head', { inFeatures: config.hiddenSize, outFeatures: config.vocabSize, bias: false, storage });
    return new MyModelModel(backend, config, embed, norm, lmHead, contextLength);
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** One forward pass over new positions (a prefill chunk or a decode step); the logits the session asks for. */
  async forward(input: DecoderForwardInput): Promise<Tensor | undefined> {
    const b = this.backend;
    const logits = input.logits;
    if (logits === 'none') return undefined; // no attention layer yet: nothing to cache
    return b.scope(() => {
      const hidden = this.embed.forward(input.tokenIds); // [batch, seq] → [batch, seq, hidden]
      // the positions whose logits are returned: the last one for `last`, [batch, 1, hidden]
      return this.lmHead.forward(this.norm.forward(outputPositions(b, hidden, logits))); // [batch, seq | 1, vocab]
    });
  }

  createSession(prompt: PromptBatch): CachedDecoderSession {
    return new CachedDecoderSession(this, prompt, undefined, { contextLength: this.contextLength });
  }
}
