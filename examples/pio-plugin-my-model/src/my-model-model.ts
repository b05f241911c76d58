import type { Backend, CausalLM, DecoderSession, PromptBatch, Tensor, WeightStorage } from '@pio/core';
import { Embedding, Linear, Module, RMSNorm, type WeightSource } from '@pio/core/nn';
import type { MyModelConfig } from './my-model-config.js';

/**
 * The MyModel network: token embedding, final RMSNorm, LM head.
 *
 * A starting point: add your decoder layers (attention over a `KVCache`, MLP) between the embedding and the
 * norm, and keep the cache in the session. Without attention, the next token depends only on the last one.
 */
export class MyModelModel extends Module implements CausalLM {
  private constructor(
    readonly backend: Backend,
    readonly config: MyModelConfig,
    private readonly embed: Embedding,
    private readonly norm: RMSNorm,
    private readonly lmHead: Linear,
  ) {
    super();
    this.child(embed);
    this.child(norm);
    this.child(lmHead);
  }

  /** Loads the weights (Hugging Face names) from `source`. */
  static async load(backend: Backend, source: WeightSource, config: MyModelConfig, storage?: WeightStorage): Promise<MyModelModel> {
    const embed = await Embedding.load(backend, source, 'model.embed_tokens', { numEmbeddings: config.vocabSize, dim: config.hiddenSize, storage });
    const norm = await RMSNorm.load(backend, source, 'model.norm', { dim: config.hiddenSize, eps: config.rmsNormEps });
    const lmHead = await Linear.load(backend, source, 'lm_head', { inFeatures: config.hiddenSize, outFeatures: config.vocabSize, bias: false, storage });
    return new MyModelModel(backend, config, embed, norm, lmHead);
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** Logits of every position: int32 `ids` `[batch, seq]` → `[batch, seq, vocab]`. */
  forward(ids: Tensor): Tensor {
    return this.backend.scope(() => {
      const hidden = this.embed.forward(ids); // [batch, seq, hidden]
      return this.lmHead.forward(this.norm.forward(hidden)); // [batch, seq, vocab]
    });
  }

  createSession(prompt: PromptBatch): DecoderSession {
    const last = prompt.inputIds.map((row) => row[row.length - 1] ?? 0);
    const logitsOf = (tokens: readonly number[]): Tensor =>
      this.backend.scope(() => {
        const ids = this.backend.tensor(Int32Array.from(tokens), [tokens.length, 1], 'int32'); // [batch, 1]
        return this.backend.reshape(this.forward(ids), [tokens.length, this.config.vocabSize]); // [batch, vocab]
      });
    return {
      batchSize: last.length,
      prefill: async () => logitsOf(last),
      step: async (tokens) => logitsOf(tokens),
      dispose: () => undefined,
    };
  }
}
