import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';
import type { GenerateTokensInput, GenerateTokensOptions, RowGenerationOptions } from './generation-step.js';

type Fail = (option: string, expected: string, value: unknown) => never;

const fail: Fail = (option, expected, value) => {
  throw new InvalidGenerationOptionsError({ option, expected, value });
};

/** Checks prompts and options before anything runs; throws {@link InvalidGenerationOptionsError} on the first problem. */
export function validateGeneration(input: GenerateTokensInput<unknown>, options: GenerateTokensOptions, vocabSize: number): void {
  const isId = (id: unknown) => Number.isInteger(id) && (id as number) >= 0 && (id as number) < vocabSize;
  if (!Array.isArray(input.inputIds) || input.inputIds.length === 0) fail('inputIds', 'a non-empty array of rows', input.inputIds);
  input.inputIds.forEach((row, r) => {
    if (!Array.isArray(row) || row.length === 0) fail(`inputIds[${r}]`, 'a non-empty array of token ids', row);
    const bad = row.findIndex((id) => !isId(id));
    if (bad >= 0) fail(`inputIds[${r}][${bad}]`, `a token id in [0, ${vocabSize})`, row[bad]);
  });
  validateOptions(options, vocabSize, '');
  const value = options.padTokenId;
  if (value !== undefined && !isId(value)) fail('padTokenId', `a token id in [0, ${vocabSize})`, value);
  const rows = options.rowOptions;
  if (rows === undefined) return;
  if (!Array.isArray(rows) || rows.length !== input.inputIds.length)
    fail('rowOptions', `an array with one entry per prompt row (${input.inputIds.length})`, rows);
  rows.forEach((row, r) => {
    if (row !== undefined && (typeof row !== 'object' || row === null)) fail(`rowOptions[${r}]`, 'an options object or undefined', row);
    if (row) validateOptions(row, vocabSize, `rowOptions[${r}].`);
  });
}

function validateOptions(options: RowGenerationOptions, vocabSize: number, prefix: string): void {
  const check = (name: keyof RowGenerationOptions, ok: (v: number) => boolean, expected: string) => {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || !ok(value))) fail(prefix + name, expected, value);
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
  if (options.eosTokenIds !== undefined && (!Array.isArray(options.eosTokenIds) || !options.eosTokenIds.every((id) => Number.isInteger(id)))) {
    fail(prefix + 'eosTokenIds', 'an array of token ids', options.eosTokenIds);
  }
  const stops = options.stop === undefined ? [] : typeof options.stop === 'string' ? [options.stop] : options.stop;
  if (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string' || s.length === 0))
    fail(prefix + 'stop', 'a non-empty string or an array of them', options.stop);
}
