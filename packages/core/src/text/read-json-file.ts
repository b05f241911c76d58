import { readFile } from 'node:fs/promises';
import { jsonSyntaxDetail } from '../config/json-syntax-detail.js';

/** Outcome of {@link readJsonFile}: the parsed value, or why it could not be had. */
export type JsonFileResult = { ok: true; value: unknown } | { ok: false; reason: 'missing' | 'unreadable' | 'invalid-json'; detail: string; cause: unknown };

/** Options of {@link readJsonFile}. */
export interface ReadJsonFileOptions {
  /** The path guard the file goes through first (symlinks resolved); its `PathNotAllowedError` is thrown as is. */
  validatePath?: (path: string) => Promise<string>;
}

/**
 * Reads and parses a JSON file; failures to read or parse are returned, not thrown, and callers turn them into their
 * own typed errors. A parse failure's detail never quotes the file. Only the path guard's refusal is thrown.
 */
export async function readJsonFile(path: string, options: ReadJsonFileOptions = {}): Promise<JsonFileResult> {
  let text: string;
  try {
    const real = options.validatePath ? await options.validatePath(path) : path;
    text = await readFile(real, 'utf8');
  } catch (cause) {
    if (options.validatePath && isPathRefusal(cause)) throw cause;
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
    return { ok: false, reason, detail: code ?? String(cause), cause };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (cause) {
    return { ok: false, reason: 'invalid-json', detail: jsonSyntaxDetail(cause), cause: undefined };
  }
}

function isPathRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'PIO_PATH_NOT_ALLOWED';
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
