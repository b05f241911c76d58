import type { Backend, SequenceBufferStorage, Tensor, Weight, WeightStorage } from '@pio/core';
import {
  applyRotary,
  applySwiglu,
  buildAttentionMask,
  type DecoderForwardInput,
  type DecoderModel,
  type KVCache,
  outputPositions,
  outputQueries,
  ropeInverseFrequencies,
  rotaryInputs,
} from '@pio/core/nn';
import type { DecoderShape } from './decoder-shape.js';
import type { NamedTensor } from './random-weights.js';

/** Name of the tied head's own `linear` copy (compact storage only). */
const HEAD = 'output.weight';

/**
 * A Qwen3 text decoder written directly over the PIO Backend spec (tied embeddings, q/k RMSNorm, NEOX rope, GQA,
 * SwiGLU), for benchmarking backends with random weights. Batch 1. Internal to the benchmark.
 */
export class Qwen3BenchDecoder {
  private readonly w = new Map<string, Weight>();
  private readonly invFreq: Float32Array;

  constructor(
    private readonly b: Backend,
    private readonly shape: DecoderShape,
    weights: readonly NamedTensor[],
    storage: WeightStorage,
  ) {
    for (const t of weights) {
      const host = { dtype: 'F32' as const, shape: t.shape, bytes: new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength) };
      const role = t.name === 'token_embd.weight' ? 'embedding' : t.matrix ? 'linear' : 'plain';
      this.w.set(t.name, b.keep(b.weight(host, { role, storage: t.matrix ? storage : 'float32', name: t.name })));
      // The tied head gets its own `linear` copy in compact storage, as the Qwen3-VL plugin loads it (and llama.cpp,
      // which duplicates `token_embd` as the output): an embedding table stays plain for row gathers, while a
      // `linear` weight may be repacked for the matmul (at Q4_0 the head is the largest single product of a step).
      if (t.name === 'token_embd.weight' && storage !== 'float32') {
        this.w.set(HEAD, b.keep(b.weight(host, { role: 'linear', storage, name: HEAD })));
      }
    }
    this.invFreq = ropeInverseFrequencies(shape.headDim, shape.ropeTheta);
  }

  /** Bytes of all weights on the backend. */
  get weightBytes(): number {
    let n = 0;
    for (const w of this.w.values()) n += w.byteSize;
    return n;
  }

  /**
   * Bytes one decode step reads: every weight, except the embedding table when the head has its own copy (a step
   * gathers one row of the table and reads the head whole), so the bandwidth figures count the table once.
   */
  get stepBytes(): number {
    const copy = this.w.get(HEAD);
    return copy ? this.weightBytes - (this.w.get('token_embd.weight') as Weight).byteSize : this.weightBytes;
  }

  /**
   * This decoder as core's {@link DecoderModel} (batch 1, positions from the cache), so core's `CachedDecoderSession`
   * can run it: chunked prefill and decode steps as the plugins get them.
   */
  asDecoderModel(kvCacheStorage: SequenceBufferStorage): DecoderModel {
    return {
      backend: this.b,
      vocabSize: this.shape.vocab,
      cacheLayers: this.shape.layers,
      kvCacheStorage,
      forward: (input: DecoderForwardInput) => {
        const ids = input.inputIds[0] ?? [];
        // as the plugins do: a chunk that needs no logits computes only the last layer's keys and values, returns none
        return this.run(ids, input.cache, input.mask, input, input.logits === 'none' ? 'none' : 'last');
      },
    };
  }

  /**
   * Runs `tokens` (the next positions after `cache.length`) and returns the last position's logits `[1, vocab]`.
   * `mask` (from `cache.attentionMask`) defaults to a causal mask over the cached and new positions; `tensors` are the
   * ids and positions as core's decode session made them (`DecoderForwardInput.tokenIds`), so it can replay steps.
   */
  forward(tokens: readonly number[], cache: KVCache, mask?: Tensor, tensors?: { tokenIds: Tensor; positionIds: Tensor | undefined }): Tensor {
    return this.run(tokens, cache, mask, tensors, 'last') as Tensor;
  }

  /** {@link Qwen3BenchDecoder.forward}, or for `none` (a prompt chunk before the last) only the cache writes. */
  private run(
    tokens: readonly number[],
    cache: KVCache,
    mask: Tensor | undefined,
    tensors: { tokenIds: Tensor; positionIds: Tensor | undefined } | undefined,
    logits: 'last' | 'none',
  ): Tensor | undefined {
    const { b, shape: s } = this;
    const past = cache.length;
    const seq = tokens.length;
    const W = (n: string): Weight => this.w.get(n) as Weight;
    return b.scope(() => {
      const rotary = rotaryInputs(b, 1, seq, this.invFreq, (_, t) => past + t, tensors?.positionIds); // positions on ggml (fused rope)
      // a padded cache returns keys and values padded to keyLength: the mask covers (and masks out) the padding
      const m = mask ?? buildAttentionMask(b, [new Array(past + seq).fill(1)], seq, { keyLength: cache.keyLength(seq) });
      let x = b.gather(W('token_embd.weight'), tensors?.tokenIds ?? b.tensor(Int32Array.from(tokens), [1, seq]), 0); // [1, seq, hidden]
      for (let l = 0; l < s.layers; l++) {
        const p = `blk.${l}.`;
        const lastLayer = l === s.layers - 1;
        const xn = b.rmsNorm(x, W(`${p}attn_norm.weight`), s.eps);
        const heads = (from: Tensor, name: string, n: number) =>
          b.rmsNorm(b.reshape(b.linear(from, W(`${p}${name}.weight`)), [1, from.shape[1], n, s.headDim]), W(`${p}${name}_norm.weight`), s.eps);
        const kNew = b.transpose(applyRotary(b, heads(xn, 'attn_k', s.kvHeads), rotary, 'half'), [0, 2, 1, 3]); // [1, kvHeads, seq, headDim]
        const vNew = b.transpose(b.reshape(b.linear(xn, W(`${p}attn_v.weight`)), [1, seq, s.kvHeads, s.headDim]), [0, 2, 1, 3]);
        const { keys: k, values: v } = cache.updateKeysValues(l, { keys: kNew, values: vNew });
        if (lastLayer && logits === 'none') return undefined; // a chunk before the last: its keys and values are cached
        // the last layer's queries, attention and MLP run on the logits' row only, as the plugins do
        const at = lastLayer ? outputQueries(b, { rotary, mask: m }, 'last') : { rotary, mask: m };
        const xq = lastLayer ? outputPositions(b, xn, 'last') : xn; // [1, queries, hidden]
        const q = b.transpose(applyRotary(b, heads(xq, 'attn_q', s.heads), at.rotary, 'half'), [0, 2, 1, 3]); // [1, heads, queries, headDim]
        const a = b.attention(q, k, v, { scale: s.headDim ** -0.5, mask: at.mask }); // [1, heads, queries, headDim]
        const merged = b.reshape(b.transpose(a, [0, 2, 1, 3]), [1, xq.shape[1] ?? seq, s.heads * s.headDim]);
        x = b.add(lastLayer ? outputPositions(b, x, 'last') : x, b.linear(merged, W(`${p}attn_output.weight`)));
        const hn = b.rmsNorm(x, W(`${p}ffn_norm.weight`), s.eps);
        const gated = applySwiglu(b, b.linear(hn, W(`${p}ffn_gate.weight`)), b.linear(hn, W(`${p}ffn_up.weight`))); // one ggml node
        x = b.add(x, b.linear(gated, W(`${p}ffn_down.weight`)));
      }
      const normed = b.rmsNorm(outputPositions(b, x, 'last'), W('output_norm.weight'), s.eps);
      return b.reshape(b.linear(normed, this.w.get(HEAD) ?? W('token_embd.weight')), [1, s.vocab]);
    });
  }

  /** Frees the weights. */
  dispose(): void {
    for (const w of this.w.values()) w.dispose();
    this.w.clear();
  }
}
