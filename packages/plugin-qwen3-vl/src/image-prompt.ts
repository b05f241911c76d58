import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';

function mismatch(detail: string): InvalidQwen3VLInputError {
  return new InvalidQwen3VLInputError({ field: 'images', detail, hint: 'Give one image per image placeholder of the prompt, in order.' });
}

/**
 * Expands each image token to `counts[i]` copies (the processor's prompt expansion: `t * h * w / merge^2` per image).
 * Throws `InvalidQwen3VLInputError` when the prompt holds a different number of image tokens than `counts`.
 */
export function expandImageTokens(ids: readonly number[], counts: readonly number[], imageTokenId: number): number[] {
  const out: number[] = [];
  let image = 0;
  for (const id of ids) {
    if (id !== imageTokenId) {
      out.push(id);
      continue;
    }
    if (image >= counts.length) throw mismatch(`the prompt holds more image tokens than the ${counts.length} images given`);
    for (let k = 0; k < counts[image]; k++) out.push(imageTokenId);
    image++;
  }
  if (image !== counts.length) throw mismatch(`the prompt holds ${image} image tokens but ${counts.length} images were given`);
  return out;
}
