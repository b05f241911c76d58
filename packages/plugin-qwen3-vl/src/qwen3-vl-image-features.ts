import type { Backend, Tensor } from '@pio/core';
import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';
import type { DeepstackInjection } from './text/text-model.js';
import type { VisionOutput } from './vision/vision-model.js';

/**
 * A prompt's image features, computed once by the vision tower and scattered into each prefill chunk: a chunk gets
 * the rows of the image tokens it holds, wherever the chunk boundaries fall.
 */
export class Qwen3VLImageFeatures {
  private constructor(
    private readonly backend: Backend,
    /** `[imageTokens, hidden]`. */
    private readonly embeds: Tensor,
    /** Per DeepStack tap: `[1 + imageTokens, hidden]`, a zero first row for text positions. */
    private readonly deepstack: readonly Tensor[],
    /** `[batch][seq]`: `k` for the k-th image token of the batch, -1 for text. */
    private readonly imageToken: readonly Int32Array[],
  ) {}

  /**
   * Takes the vision outputs (owned from now on: freed by {@link Qwen3VLImageFeatures.dispose}, or at once when the
   * prompt's image tokens do not match them) and maps every image token of `inputIds` to its row.
   */
  static create(backend: Backend, vision: VisionOutput, inputIds: readonly (readonly number[])[], imageTokenId: number): Qwen3VLImageFeatures {
    let k = 0;
    const imageToken = inputIds.map((row) => Int32Array.from(row, (id) => (id === imageTokenId ? k++ : -1)));
    const visionTokens = vision.embeds.shape[0];
    if (k !== visionTokens) {
      for (const t of [vision.embeds, ...vision.deepstack]) t.dispose();
      throw new InvalidQwen3VLInputError({
        field: 'inputIds',
        detail: `${k} image tokens in the prompt but the images give ${visionTokens} (expand each image token to t*h*w/merge^2 copies)`,
      });
    }
    const deepstack = backend.scope(() => {
      const zero = backend.fill([1, vision.embeds.shape[1]], 0);
      return vision.deepstack.map((f) => backend.concat([zero, f], 0));
    });
    for (const f of vision.deepstack) f.dispose();
    return new Qwen3VLImageFeatures(backend, vision.embeds, deepstack, imageToken);
  }

  /**
   * Puts the image rows of positions `[start, start + seq)` into `embeds` (`[batch * seq, hidden]`, text embeddings)
   * and returns the new embeddings with the chunk's DeepStack injection; `undefined` when the chunk has no image token.
   * Synchronous: call inside `backend.scope`.
   */
  scatter(embeds: Tensor, start: number, seq: number): { embeds: Tensor; deepstack: DeepstackInjection } | undefined {
    const b = this.backend;
    const rows = this.imageToken.length;
    const embedIndex = new Int32Array(rows * seq);
    const deepstackIndex = new Int32Array(rows * seq);
    let any = false;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < seq; t++) {
        const p = r * seq + t;
        const k = this.imageToken[r][start + t];
        embedIndex[p] = k >= 0 ? rows * seq + k : p;
        deepstackIndex[p] = k + 1;
        if (k >= 0) any = true;
      }
    }
    if (!any) return undefined;
    return {
      embeds: b.gather(b.concat([embeds, this.embeds], 0), b.tensor(embedIndex, [rows * seq], 'int32'), 0),
      deepstack: { index: b.tensor(deepstackIndex, [rows * seq], 'int32'), features: this.deepstack },
    };
  }

  /** Frees the kept vision outputs. */
  dispose(): void {
    this.embeds.dispose();
    for (const f of this.deepstack) f.dispose();
  }
}
