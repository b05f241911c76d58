import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An entry of a `golden.json` that names a raw float32 array file and its shape. */
export interface GoldenArrayRef {
  /** File name inside the fixture folder, e.g. `logits_0.bin` (little-endian float32). */
  readonly file: string;
  /** Its shape, row-major. */
  readonly shape: readonly number[];
}

/** A float32 reference array and its shape. */
export interface GoldenArray {
  data: Float32Array;
  shape: number[];
}

/**
 * A golden fixture folder as the fixture generators write it (see FIXTURES.md): `golden.json` (cases, tolerances,
 * file references) beside raw little-endian float32 `.bin` arrays. One reader for every plugin's fixtures.
 */
export interface GoldenFixture<Golden> {
  /** The fixture folder. */
  readonly dir: string;
  /** `golden.json`, parsed (read once). */
  golden(): Golden;
  /** A float32 array of the fixture by its `{ file, shape }` entry (the file must hold exactly `product(shape)` values), or a file name (flat). */
  array(ref: GoldenArrayRef | string): GoldenArray;
}

/** Opens the golden fixture in `dir` (test helper; files are read on first use). */
export function openGoldenFixture<Golden = unknown>(dir: string): GoldenFixture<Golden> {
  let golden: Golden | undefined;
  return {
    dir,
    golden: () => (golden ??= JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden),
    array: (entry) => {
      const ref = typeof entry === 'string' ? undefined : entry;
      const file = ref?.file ?? (entry as string);
      const bytes = readFileSync(join(dir, file));
      const count = ref ? ref.shape.reduce((n, d) => n * d, 1) : Math.floor(bytes.byteLength / 4);
      if (bytes.byteLength !== count * 4) throw new RangeError(`${file}: ${bytes.byteLength} bytes are not float32 [${ref?.shape.join(', ')}]`);
      const data = new Float32Array(count);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
      return { data, shape: ref ? [...ref.shape] : [count] };
    },
  };
}

/** Largest absolute difference between two arrays of equal length (test helper). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
