import type { z } from 'zod';
import type { ConfigIssue } from '../errors/invalid-config-error.js';

type PathKey = PropertyKey;

/** Formats a zod path as `text_config.hidden_size` or `architectures[1]`, after an optional prefix. */
function formatPath(path: readonly PathKey[], prefix: string): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The value at `path` inside `input`, or `undefined` when the path does not exist. */
function valueAt(input: unknown, path: readonly PathKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A short description of a value for error messages: `"abc"`, `-1`, `an array of 3 items`, `nothing (missing)`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const text = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    return text;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'function') return 'a function';
  return 'an object';
}

function bound(issue: { inclusive?: boolean }, lower: boolean): string {
  return lower ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
}

/** What a zod issue says the field should hold, in words. */
function describeExpected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'integer' : issue.expected;
    case 'too_small':
    case 'too_big': {
      const lower = issue.code === 'too_small';
      const limit = lower ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      if (issue.origin === 'array' || issue.origin === 'set') return `${lower ? 'at least' : 'at most'} ${limit} items`;
      if (issue.origin === 'string') return `a string of ${lower ? 'at least' : 'at most'} ${limit} characters`;
      return `a number ${bound(issue, lower)} ${limit}`;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
      return values.length === 1 ? values[0] : `one of ${values.join(' | ')}`;
    }
    case 'invalid_format':
      // A schema's own message (e.g. `.regex(re, 'lowercase letters, digits and dashes')`) says it best.
      if (!issue.message.startsWith('Invalid')) return issue.message;
      return issue.format === 'regex' && 'pattern' in issue ? `a string matching ${String(issue.pattern)}` : `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    case 'invalid_union': {
      const options = new Set<string>();
      for (const branch of issue.errors) {
        const top = branch.find((inner) => inner.path.length === 0);
        options.add(top === undefined ? 'a valid value' : describeExpected(top));
      }
      return [...options].join(' | ');
    }
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues into {@link ConfigIssue}s (path, expected, found), reading the found values from `input`.
 *
 * @param issues - the issues of a failed `safeParse`.
 * @param input - the value that was parsed.
 * @param prefix - prepended to every path, e.g. `pio` for a manifest inside package.json.
 */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix = ''): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({ path: formatPath(path, prefix), expected: 'no such field', found: describeValue(valueAt(input, path)) });
      }
      continue;
    }
    out.push({
      path: formatPath(issue.path, prefix),
      expected: describeExpected(issue),
      found: describeValue(valueAt(input, issue.path)),
    });
  }
  return out;
}
