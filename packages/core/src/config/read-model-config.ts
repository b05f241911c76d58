import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { ConfigFileError } from '../errors/config-file-error.js';
import { PioError } from '../errors/pio-error.js';
import { jsonSyntaxDetail } from './json-syntax-detail.js';
import { baseConfigSchema, type BaseConfig } from './base-config.js';
import { parseConfig } from './parse-config.js';

/** Options of {@link readModelConfig}. */
export interface ReadModelConfigOptions<Schema extends z.ZodType> {
  /** Schema to validate with; default {@link baseConfigSchema}. */
  schema?: Schema;
  /** Checks the model folder and then `config.json` itself (e.g. a path guard's `validate`); returns the path to read. */
  validatePath?: (path: string) => Promise<string>;
}

/**
 * Reads and validates `<modelDir>/config.json`.
 *
 * @throws ConfigFileError when the file is missing, unreadable or not JSON.
 * @throws InvalidConfigError when it does not match the schema.
 * @throws PathNotAllowedError from `validatePath`.
 */
export async function readModelConfig<Schema extends z.ZodType = typeof baseConfigSchema>(
  modelDir: string,
  options: ReadModelConfigOptions<Schema> = {},
): Promise<z.output<Schema> & BaseConfig> {
  const dir = options.validatePath ? await options.validatePath(modelDir) : modelDir;
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(options.validatePath ? await options.validatePath(path) : path, 'utf8');
  } catch (error) {
    if (PioError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
    throw new ConfigFileError({ path, reason, detail: code }, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError({ path, reason: 'invalid-json', detail: jsonSyntaxDetail(error) });
  }
  const base = parseConfig(baseConfigSchema, json, { source: path });
  if (options.schema === undefined) return base as z.output<Schema> & BaseConfig;
  return parseConfig(options.schema, json, { source: path }) as z.output<Schema> & BaseConfig;
}
