import type { DecoderSession, PromptBatch, Tensor } from '@pio/core';
import { KVCache } from '@pio/core/nn';
import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';
import type { Qwen3VLImages, Qwen3VLModel } from './qwen3-vl-model.js';

function misuse(detail: string): InvalidQwen3VLInputError {
  return new InvalidQwen3VLInputError({ field: 'session', detail, hint: 'Call prefill() once, then step() with one token per row.' });
}

/** A Qwen3-VL generation in progress: the KV cache, the growing attention mask and the MRoPE decode deltas. */
export class Qwen3VLSession implements DecoderSession {
  readonly batchSize: number;
  private readonly cache: KVCache;
  private readonly mask: number[][];
  private ropeDeltas: number[] = [];
  private started = false;

  constructor(
    private readonly model: Qwen3VLModel,
    private readonly prompt: PromptBatch,
    private readonly images?: Qwen3VLImages,
  ) {
    this.batchSize = prompt.inputIds.length;
    // padded to 256 positions (like llama.cpp) so that decode steps repeat their shapes; the mask hides the padding
    this.cache = new KVCache(model.backend, model.config.text.numLayers, { valueEntries: ['values'], storage: model.kvCacheStorage, padding: 256 });
    this.mask = prompt.attentionMask.map((row) => [...row]);
  }

  /** Runs the prompt (and its images); returns the last position's logits `[batch, vocab]`. */
  async prefill(): Promise<Tensor> {
    if (this.started) throw misuse('prefill() was already called on this session');
    this.started = true;
    const { positionIds, ropeDeltas } = this.model.ropeIndex(this.prompt.inputIds, this.mask, this.images?.imageGridThw);
    this.ropeDeltas = ropeDeltas;
    return this.run(this.prompt.inputIds, positionIds, this.images);
  }

  /** Appends one token per row at position `cacheLength + ropeDelta` (all three MRoPE rows); returns `[batch, vocab]`. */
  async step(tokens: readonly number[]): Promise<Tensor> {
    if (!this.started) throw misuse('step() was called before prefill()');
    if (tokens.length !== this.batchSize) throw misuse(`step() needs ${this.batchSize} tokens (one per row), got ${tokens.length}`);
    const past = this.mask[0].length;
    const positions = this.ropeDeltas.map((delta) => [past + delta]);
    for (const row of this.mask) row.push(1);
    return this.run(
      tokens.map((t) => [t]),
      [positions, positions, positions],
      undefined,
    );
  }

  /** Frees the cache. */
  dispose(): void {
    this.cache.dispose();
  }

  private async run(inputIds: readonly (readonly number[])[], positionIds: number[][][], images: Qwen3VLImages | undefined): Promise<Tensor> {
    const b = this.model.backend;
    return b.scope(() => {
      const logits = this.model.forward({ inputIds, positionIds, attentionMask: this.mask, cache: this.cache, images, lastOnly: true });
      return b.reshape(logits, [this.batchSize, this.model.vocabSize]);
    });
  }
}
