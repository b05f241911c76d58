import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';

/**
 * Checks that every prompt row holds integer token ids in `[0, vocabSize)` before a forward pass looks them up in the
 * embedding table (an id outside it is a host mistake a backend may not survive: ggml aborts the process).
 *
 * @throws `InvalidGenerationOptionsError` naming the first bad id, e.g. `inputIds[0][3]`
 */
export function checkTokenIds(inputIds: readonly (readonly number[])[], vocabSize: number): void {
  if (!Array.isArray(inputIds)) throw new InvalidGenerationOptionsError({ option: 'inputIds', expected: 'an array of rows of token ids', value: inputIds });
  inputIds.forEach((row, r) => {
    if (!Array.isArray(row)) throw new InvalidGenerationOptionsError({ option: `inputIds[${r}]`, expected: 'an array of token ids', value: row });
    const bad = row.findIndex((id) => !(Number.isInteger(id) && id >= 0 && id < vocabSize));
    if (bad >= 0) throw new InvalidGenerationOptionsError({ option: `inputIds[${r}][${bad}]`, expected: `a token id in [0, ${vocabSize})`, value: row[bad] });
  });
}
