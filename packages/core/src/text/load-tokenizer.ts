import { join } from 'node:path';
import { TokenizerLoadError } from '../errors/tokenizer-load-error.js';
import { createTokenizer } from './create-tokenizer.js';
import { isJsonObject, readJsonFile, type ReadJsonFileOptions } from './read-json-file.js';
import type { Tokenizer } from './tokenizer.js';

/**
 * Loads the tokenizer of a Hugging Face model folder: `tokenizer.json` (required) and `tokenizer_config.json`
 * (optional; it names the EOS, BOS and pad tokens).
 *
 * @param options - `validatePath`: the path guard each file goes through (its `PathNotAllowedError` is thrown as is)
 * @throws {@link TokenizerLoadError} when a file is missing, unreadable or not JSON, or the tokenizer is unsupported
 */
export async function loadTokenizer(modelDir: string, options: ReadJsonFileOptions = {}): Promise<Tokenizer> {
  const tokenizerPath = join(modelDir, 'tokenizer.json');
  const configPath = join(modelDir, 'tokenizer_config.json');
  const tokenizerFile = await readJsonFile(tokenizerPath, options);
  const configFile = await readJsonFile(configPath, options);
  if (!tokenizerFile.ok) {
    throw new TokenizerLoadError({ path: tokenizerPath, reason: tokenizerFile.reason, detail: tokenizerFile.detail }, { cause: tokenizerFile.cause });
  }
  if (!isJsonObject(tokenizerFile.value)) {
    throw new TokenizerLoadError({ path: tokenizerPath, reason: 'invalid-json', detail: 'not a JSON object' });
  }
  let config: Record<string, unknown> = {};
  if (configFile.ok) {
    if (!isJsonObject(configFile.value)) {
      throw new TokenizerLoadError({ path: configPath, reason: 'invalid-json', detail: 'not a JSON object' });
    }
    config = configFile.value;
  } else if (configFile.reason !== 'missing') {
    throw new TokenizerLoadError({ path: configPath, reason: configFile.reason, detail: configFile.detail }, { cause: configFile.cause });
  }
  return createTokenizer(tokenizerFile.value, config, tokenizerPath);
}
