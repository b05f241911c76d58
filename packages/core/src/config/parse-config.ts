import type { z } from 'zod';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { toConfigIssues } from './config-issues.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Where the value came from, named in errors, e.g. the path of `config.json`. Default `config`. */
  source?: string;
}

/**
 * Validates `json` with `schema` and returns the typed value.
 *
 * @throws InvalidConfigError listing every bad field with its path, the expected type and the value found.
 */
export function parseConfig<Schema extends z.ZodType>(schema: Schema, json: unknown, options: ParseConfigOptions = {}): z.output<Schema> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new InvalidConfigError({ source: options.source ?? 'config', issues: toConfigIssues(result.error.issues, json) }, { cause: result.error });
}
