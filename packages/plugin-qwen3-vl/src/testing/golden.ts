import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the tiny Qwen3-VL fixture (test helper). */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__', 'qwen3vl-tiny');

/** A float32 `.bin` reference with its shape (test helper). */
export interface GoldenArray {
  data: Float32Array;
  shape: number[];
}

/** Reads `golden.json` (test helper). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readGolden(): any {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden.json'), 'utf8'));
}

/** Reads a `{file, shape}` entry of golden.json as float32 (test helper). */
export function readBin(entry: { file: string; shape: number[] }): GoldenArray {
  const bytes = readFileSync(join(FIXTURE_DIR, entry.file));
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { data, shape: entry.shape };
}

/** Largest absolute difference between two arrays of equal length (test helper). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
