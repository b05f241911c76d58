import type { Backend, Tensor, WeightStorage } from '@pio/core';
import { Embedding, KVCache, type LogitsSelection, Module, outputPositions, RMSNorm, type RotaryInputs, type WeightSource } from '@pio/core/nn';
import type { Qwen3VLTextConfig } from '../qwen3-vl-config.js';
import { TextDecoderLayer } from './text-decoder-layer.js';

/** DeepStack features to add to the hidden states at image positions after the first decoder layers. */
export interface DeepstackInjection {
  /** int32 `[batch * seq]`: 0 for text positions, `1 + k` for the k-th image token of the batch. */
  index: Tensor;
  /** One per decoder layer from the first: `[1 + imageTokens, hidden]` with a zero first row. */
  features: readonly Tensor[];
}

/** The Qwen3 text decoder of Qwen3-VL: embeddings, layers, final norm and the (tied or separate) output head. */
export class TextModel extends Module {
  private constructor(
    private readonly backend: Backend,
    readonly config: Qwen3VLTextConfig,
    readonly embedding: Embedding,
    private readonly layers: TextDecoderLayer[],
    private readonly norm: RMSNorm,
    /** `[vocab, hidden]`: the embedding table when tied. */
    private readonly head: Tensor,
  ) {
    super();
    this.child(embedding);
    for (const l of layers) this.child(l);
    this.child(norm);
    if (head !== embedding.weight) this.own(head);
  }

  /**
   * Loads `${prefix}.{embed_tokens,layers.*,norm}` and `headName` when present (else ties the head to the embeddings;
   * with a compact `storage` the tied head is loaded a second time as a `linear` weight).
   */
  static async load(
    backend: Backend,
    source: WeightSource,
    prefix: string,
    headName: string,
    config: Qwen3VLTextConfig,
    storage?: WeightStorage,
    onLayer?: (layer: number) => void,
  ): Promise<TextModel> {
    const { vocabSize, hiddenSize } = config;
    const embedding = await Embedding.load(backend, source, `${prefix}.embed_tokens`, { numEmbeddings: vocabSize, dim: hiddenSize, storage });
    const layers: TextDecoderLayer[] = [];
    for (let i = 0; i < config.numLayers; i++) {
      layers.push(await TextDecoderLayer.load(backend, source, `${prefix}.layers.${i}`, config, storage));
      onLayer?.(i);
    }
    const norm = await RMSNorm.load(backend, source, `${prefix}.norm`, { dim: hiddenSize, eps: config.rmsNormEps });
    const headOptions = { role: 'linear' as const, storage, shape: [vocabSize, hiddenSize] };
    // A tied head reuses the embedding table; with compact storage it gets its own `linear` copy instead, because
    // backends may lay out (and decode) embedding tables for row gathers, which makes a full matmul much slower.
    const tiedCopy = storage !== undefined && storage !== 'float32';
    const head =
      (await source.takeOptional(headName, headOptions)) ?? (tiedCopy ? await source.take(`${prefix}.embed_tokens.weight`, headOptions) : embedding.weight);
    return new TextModel(backend, config, embedding, layers, norm, head);
  }

  /**
   * Runs the decoder on `embeds` `[batch, seq, hidden]` and returns the final-normed hidden states of the positions
   * `outputs` selects: every position (default), the last (`[batch, 1, hidden]`), or none (`undefined`: a prompt
   * chunk before the last, which only fills the cache). The last layer's MLP runs only on those positions, unless a
   * DeepStack injection follows it.
   */
  forward(
    embeds: Tensor,
    rotary: RotaryInputs,
    mask: Tensor,
    cache?: KVCache,
    deepstack?: DeepstackInjection,
    outputs: LogitsSelection = 'all',
  ): Tensor | undefined {
    const b = this.backend;
    const last = this.layers.length - 1;
    let h = embeds;
    this.layers.forEach((layer, i) => {
      const features = deepstack?.features[i];
      h = layer.forward(h, rotary, mask, cache, i, i === last && !features ? outputs : 'all');
      if (deepstack && features) h = b.add(h, b.reshape(b.gather(features, deepstack.index, 0), h.shape));
    });
    return outputs === 'none' ? undefined : this.norm.forward(outputPositions(b, h, outputs));
  }

  /** `[..., hidden]` → logits `[..., vocab]`. */
  logits(hidden: Tensor): Tensor {
    return this.backend.linear(hidden, this.head);
  }
}
