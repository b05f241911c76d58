import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { jsonSyntaxDetail } from '../config/json-syntax-detail.js';
import { CheckpointError } from '../errors/checkpoint-error.js';

/** File name of the single-file checkpoint. */
export const SAFETENSORS_SINGLE_FILE = 'model.safetensors';
/** File name of the shard index of a sharded checkpoint. */
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

const indexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).nullish(),
  weight_map: z.record(z.string(), z.string().min(1)),
});

/** A parsed `model.safetensors.index.json`. */
export interface CheckpointIndex {
  /** The index's `metadata` (e.g. `total_size`), values converted to strings. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor name → shard file name relative to the model folder. */
  readonly weightMap: ReadonlyMap<string, string>;
}

/**
 * Reads and validates a shard index; throws `CheckpointError` (`bad-index`), or the `PathNotAllowedError` of
 * `validatePath`, which the file goes through first.
 */
export async function readCheckpointIndex(path: string, validatePath?: (path: string) => Promise<string>): Promise<CheckpointIndex> {
  const bad = (detail: string, cause?: unknown) => new CheckpointError({ path, problem: 'bad-index', file: path, detail }, { cause });
  const real = validatePath ? await validatePath(path) : path;
  let text: string;
  try {
    text = await readFile(real, 'utf8');
  } catch (error) {
    throw bad(`the shard index cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw bad(`the shard index is not valid JSON (${jsonSyntaxDetail(error)})`);
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`the shard index is malformed at "${issue.path.join('.')}": ${issue.message}`, parsed.error);
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.data.metadata ?? {})) {
    metadata[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { metadata, weightMap: new Map(Object.entries(parsed.data.weight_map)) };
}
