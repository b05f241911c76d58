/** A deterministic prompt of `length` token ids spread over the vocabulary (past the 256 byte tokens). */
export function benchPrompt(length: number, vocab: number): number[] {
  return Array.from({ length }, (_, i) => 256 + ((i * 7919) % (vocab - 256)));
}
