import { readFile } from 'node:fs/promises';

/** Outcome of {@link readJsonFile}: the parsed value, or why it could not be had. */
export type JsonFileResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'missing' | 'unreadable' | 'invalid-json'; detail: string; cause: unknown };

/** Reads and parses a JSON file without throwing; callers turn failures into their own typed errors. */
export async function readJsonFile(path: string): Promise<JsonFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
    return { ok: false, reason, detail: code ?? String(cause), cause };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (cause) {
    return { ok: false, reason: 'invalid-json', detail: (cause as Error).message, cause };
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
