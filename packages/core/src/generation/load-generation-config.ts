import { join } from 'node:path';
import { readOptionalConfigFile } from '../config/read-optional-config-file.js';
import { InvalidConfigError, type ConfigIssue } from '../errors/invalid-config-error.js';
import { isJsonObject, type ReadJsonFileOptions } from '../text/read-json-file.js';
import type { GenerationDefaults } from './generation-defaults.js';

type Kind = 'number' | 'integer' | 'boolean';
const FIELDS: ReadonlyArray<[string, keyof GenerationDefaults, Kind]> = [
  ['max_new_tokens', 'maxNewTokens', 'integer'],
  ['temperature', 'temperature', 'number'],
  ['top_k', 'topK', 'integer'],
  ['top_p', 'topP', 'number'],
  ['min_p', 'minP', 'number'],
  ['repetition_penalty', 'repetitionPenalty', 'number'],
  ['do_sample', 'doSample', 'boolean'],
  ['pad_token_id', 'padTokenId', 'integer'],
  ['bos_token_id', 'bosTokenId', 'integer'],
];

/**
 * Reads a model folder's `generation_config.json` into camelCase {@link GenerationDefaults}: `max_new_tokens`,
 * `temperature`, `top_k`, `top_p`, `min_p`, `repetition_penalty`, `do_sample`, `eos_token_id` (an id or a list, as
 * `eosTokenIds`), `pad_token_id`, `bos_token_id`. Fields that are absent or `null` stay unset; other fields are ignored.
 * A folder without the file gives `{}`. Combine with the caller's options through `resolveGenerationOptions`.
 *
 * `validatePath` is the path guard the file goes through (its `PathNotAllowedError` is thrown as is).
 *
 * @throws `ConfigFileError` when the file is unreadable or not JSON
 * @throws `InvalidConfigError` when a known field has the wrong type
 */
export async function loadGenerationConfig(modelDir: string, options: ReadJsonFileOptions = {}): Promise<GenerationDefaults> {
  const path = join(modelDir, 'generation_config.json');
  const value = await readOptionalConfigFile(path, options);
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw new InvalidConfigError({ source: path, issues: [{ path: '', expected: 'an object', found: describe(value) }] });
  return parseGenerationConfig(value, path);
}

/** {@link loadGenerationConfig} for an already parsed `generation_config.json`. */
export function parseGenerationConfig(config: Readonly<Record<string, unknown>>, source = 'generation_config.json'): GenerationDefaults {
  const out: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, name, kind] of FIELDS) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    const ok =
      kind === 'boolean' ? typeof value === 'boolean' : typeof value === 'number' && Number.isFinite(value) && (kind === 'number' || Number.isInteger(value));
    if (ok) out[name] = value;
    else issues.push({ path: key, expected: kind === 'integer' ? 'an integer' : `a ${kind}`, found: describe(value) });
  }
  const eos = config.eos_token_id;
  if (eos !== undefined && eos !== null) {
    const list = Array.isArray(eos) ? eos : [eos];
    if (list.every((id) => Number.isInteger(id))) out.eosTokenIds = list as number[];
    else issues.push({ path: 'eos_token_id', expected: 'an integer or a list of integers', found: describe(eos) });
  }
  if (issues.length > 0) throw new InvalidConfigError({ source, issues });
  return out as GenerationDefaults;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
