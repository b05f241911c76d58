import { compileFormatPattern } from './format-pattern.js';
import type { FormatPattern } from './grammar.js';

const DATE = '\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])';
const TIME = '([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,6})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)';
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const LABEL = '[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?';

/**
 * The string formats structured output can generate, as patterns: each generates a subset of what JSON Schema's
 * format allows (RFC 3339 `date`/`time`/`date-time` with days 01–28 so every date exists, times with a zone;
 * lower-case `uuid`; `email` as `local@label.tld`; dotted `ipv4`).
 */
export const STRING_FORMAT_SOURCES: Readonly<Record<string, string>> = {
  date: DATE,
  time: TIME,
  'date-time': `${DATE}T${TIME}`,
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  email: `[a-z0-9_+-]{1,20}(\\.[a-z0-9_+-]{1,20}){0,2}@(${LABEL}\\.){1,2}[a-z]{2,10}`,
  ipv4: `(${OCTET}\\.){3}${OCTET}`,
};

const compiled = new Map<string, FormatPattern>();

/** The pattern of a supported format (compiled once per process), or `undefined`. */
export function stringFormat(name: string): FormatPattern | undefined {
  const source = STRING_FORMAT_SOURCES[name];
  if (source === undefined) return undefined;
  let pattern = compiled.get(name);
  if (!pattern) {
    pattern = compileFormatPattern(name, source);
    compiled.set(name, pattern);
  }
  return pattern;
}
