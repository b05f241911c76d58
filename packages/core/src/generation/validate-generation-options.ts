import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';
import type { GenerateTokensInput, GenerateTokensOptions } from './generation-step.js';

/** Checks prompts and options before anything runs; throws {@link InvalidGenerationOptionsError} on the first problem. */
export function validateGeneration(input: GenerateTokensInput<unknown>, options: GenerateTokensOptions, vocabSize: number): void {
  const fail = (option: string, expected: string, value: unknown): never => {
    throw new InvalidGenerationOptionsError({ option, expected, value });
  };
  const isId = (id: unknown) => Number.isInteger(id) && (id as number) >= 0 && (id as number) < vocabSize;
  if (!Array.isArray(input.inputIds) || input.inputIds.length === 0) fail('inputIds', 'a non-empty array of rows', input.inputIds);
  input.inputIds.forEach((row, r) => {
    if (!Array.isArray(row) || row.length === 0) fail(`inputIds[${r}]`, 'a non-empty array of token ids', row);
    const bad = row.findIndex((id) => !isId(id));
    if (bad >= 0) fail(`inputIds[${r}][${bad}]`, `a token id in [0, ${vocabSize})`, row[bad]);
  });

  const check = (name: keyof GenerateTokensOptions, ok: (v: number) => boolean, expected: string) => {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || !ok(value))) fail(name, expected, value);
  };
  check('maxNewTokens', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
  check('temperature', (v) => v >= 0, 'a number >= 0');
  check('topK', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0 (0 = off)');
  check('topP', (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  check('minP', (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  check('repetitionPenalty', (v) => v > 0, 'a number > 0 (1 = off)');
  check('presencePenalty', () => true, 'a finite number');
  check('frequencyPenalty', () => true, 'a finite number');
  check('seed', () => true, 'a finite number');
  check('topLogprobs', (v) => Number.isInteger(v) && v >= 0 && v <= vocabSize, `an integer in [0, ${vocabSize}]`);
  check('padTokenId', (v) => Number.isInteger(v) && v >= 0, 'a token id >= 0');
  if (options.eosTokenIds !== undefined && (!Array.isArray(options.eosTokenIds) || !options.eosTokenIds.every((id) => Number.isInteger(id)))) {
    fail('eosTokenIds', 'an array of token ids', options.eosTokenIds);
  }
  const stops = options.stop === undefined ? [] : typeof options.stop === 'string' ? [options.stop] : options.stop;
  if (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string' || s.length === 0)) fail('stop', 'a non-empty string or an array of them', options.stop);
}
