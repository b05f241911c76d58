/**
 * Expands each image token to `counts[i]` copies (the processor's prompt expansion: `t * h * w / merge^2` per image).
 * Throws `RangeError` when the prompt holds a different number of image tokens than `counts`.
 */
export function expandImageTokens(ids: readonly number[], counts: readonly number[], imageTokenId: number): number[] {
  const out: number[] = [];
  let image = 0;
  for (const id of ids) {
    if (id !== imageTokenId) {
      out.push(id);
      continue;
    }
    if (image >= counts.length) throw new RangeError(`the prompt holds more image tokens than the ${counts.length} images given`);
    for (let k = 0; k < counts[image]; k++) out.push(imageTokenId);
    image++;
  }
  if (image !== counts.length) throw new RangeError(`the prompt holds ${image} image tokens but ${counts.length} images were given`);
  return out;
}
