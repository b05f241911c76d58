import { ConfigFileError } from '../errors/config-file-error.js';
import { readJsonFile, type ReadJsonFileOptions } from '../text/read-json-file.js';

/**
 * Reads an optional JSON file of a model folder (e.g. `generation_config.json`, `preprocessor_config.json`):
 * `undefined` when it does not exist, its parsed value otherwise.
 *
 * @throws ConfigFileError when the file exists but cannot be read or is not JSON.
 * @throws PathNotAllowedError from `validatePath`.
 */
export async function readOptionalConfigFile(path: string, options: ReadJsonFileOptions = {}): Promise<unknown> {
  const file = await readJsonFile(path, options);
  if (file.ok) return file.value;
  if (file.reason === 'missing') return undefined;
  throw new ConfigFileError({ path, reason: file.reason, detail: file.detail }, { cause: file.cause });
}
