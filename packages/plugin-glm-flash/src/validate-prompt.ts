import { GlmFlashInputError } from './errors/glm-flash-input-error.js';

/** A validated, left-padded prompt batch with its RoPE positions. */
export interface ValidatedPrompt {
  inputIds: number[][];
  attentionMask: number[][];
  /** `cumsum(mask) - 1` on real tokens, 1 on pads (as the reference builds them). */
  positions: number[][];
}

/**
 * Checks a raw prompt batch (rectangular rows, mask of the same shape holding 0/1 with at least one 1 per row, integer
 * ids in `[0, vocabSize)`) and derives the positions. Throws {@link GlmFlashInputError}.
 */
export function validatePrompt(
  inputIds: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[] | undefined,
  vocabSize: number,
): ValidatedPrompt {
  if (inputIds.length === 0) throw new GlmFlashInputError({ field: 'inputIds', problem: 'needs at least one row' });
  const seq = inputIds[0]?.length ?? 0;
  if (seq === 0) throw new GlmFlashInputError({ field: 'inputIds[0]', problem: 'is empty' });
  const mask = attentionMask ?? inputIds.map((row) => row.map(() => 1));
  if (mask.length !== inputIds.length)
    throw new GlmFlashInputError({ field: 'attentionMask', problem: `has ${mask.length} rows for ${inputIds.length} prompts` });
  inputIds.forEach((row, b) => {
    if (row.length !== seq) throw new GlmFlashInputError({ field: `inputIds[${b}]`, problem: `has ${row.length} tokens, row 0 has ${seq}` });
    if (mask[b].length !== seq) throw new GlmFlashInputError({ field: `attentionMask[${b}]`, problem: `has ${mask[b].length} entries for ${seq} tokens` });
    const bad = row.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
    if (bad >= 0) throw new GlmFlashInputError({ field: `inputIds[${b}][${bad}]`, problem: `${row[bad]} is not a token id below ${vocabSize}` });
    if (mask[b].some((m) => m !== 0 && m !== 1)) throw new GlmFlashInputError({ field: `attentionMask[${b}]`, problem: 'holds values other than 0 and 1' });
    if (!mask[b].includes(1)) throw new GlmFlashInputError({ field: `attentionMask[${b}]`, problem: 'has no real token' });
  });
  const positions = mask.map((row) => {
    let seen = 0;
    return row.map((m) => (m ? seen++ : 1));
  });
  return { inputIds: inputIds.map((r) => [...r]), attentionMask: mask.map((r) => [...r]), positions };
}
