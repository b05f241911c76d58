/**
 * Host-side float64 reference math for the backend conformance suite: small, obvious loops over multi-indices,
 * written independently of any backend (the suite never uses a backend as its own oracle).
 */

/** A host array: shape plus row-major float64 values. */
export interface Nd {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Number of elements of `shape`. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** A deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (FNV-1a), so each test draws its own stream. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Random values uniform in `[lo, hi)`, rounded to float32 so every backend starts from the same inputs. */
export function randomNd(rng: () => number, shape: readonly number[], lo = -1, hi = 1): Nd {
  const data = new Float64Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(lo + (hi - lo) * rng());
  return { shape: [...shape], data };
}

/** Builds an {@link Nd} from values. */
export function nd(values: ArrayLike<number>, shape: readonly number[]): Nd {
  return { shape: [...shape], data: Float64Array.from(values) };
}

/** Multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

/** Flat position of multi-index `idx` in `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
  return flat;
}

/** Builds an array of `shape` whose element at each multi-index is `f(idx)`. */
export function build(shape: readonly number[], f: (idx: number[]) => number): Nd {
  const data = new Float64Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = f(unravel(i, shape));
  return { shape: [...shape], data };
}

/** Element of `a` at `idx`. */
export function at(a: Nd, idx: readonly number[]): number {
  return a.data[ravel(idx, a.shape)];
}

/** NumPy broadcast shape. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const pa = [...new Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...new Array<number>(rank - b.length).fill(1), ...b];
  return pa.map((d, i) => (d === 1 ? pb[i] : d));
}

/** Element of `a` read at output index `idx` under broadcasting. */
export function atBroadcast(a: Nd, idx: readonly number[]): number {
  const offset = idx.length - a.shape.length;
  return at(
    a,
    a.shape.map((d, i) => (d === 1 ? 0 : idx[offset + i])),
  );
}

/** `f(a, b)` elementwise with broadcasting. */
export function zip(a: Nd, b: Nd, f: (x: number, y: number) => number): Nd {
  return build(broadcastShape(a.shape, b.shape), (idx) => f(atBroadcast(a, idx), atBroadcast(b, idx)));
}

/** `f(x)` elementwise. */
export function mapNd(a: Nd, f: (x: number) => number): Nd {
  return { shape: [...a.shape], data: a.data.map(f) };
}

/** Axes permuted by `perm`. */
export function transposeNd(a: Nd, perm: readonly number[]): Nd {
  return build(
    perm.map((p) => a.shape[p]),
    (idx) => {
      const src = new Array<number>(perm.length);
      perm.forEach((p, i) => (src[p] = idx[i]));
      return at(a, src);
    },
  );
}

/** Reduces `axis` (already non-negative) with `f` over the values along it; the axis is removed. */
export function reduceAxis(a: Nd, axis: number, f: (values: number[]) => number): Nd {
  const outShape = a.shape.filter((_, i) => i !== axis);
  return build(outShape, (idx) => {
    const values: number[] = [];
    for (let j = 0; j < a.shape[axis]; j++) values.push(at(a, [...idx.slice(0, axis), j, ...idx.slice(axis)]));
    return f(values);
  });
}

/** Applies `f` to every line along `axis` (non-negative); `f` returns a line of the same length. */
export function mapAxis(a: Nd, axis: number, f: (values: number[]) => number[]): Nd {
  const out = new Float64Array(a.data.length);
  const outer = a.shape.filter((_, i) => i !== axis);
  for (let o = 0; o < numel(outer); o++) {
    const idx = unravel(o, outer);
    const full = (j: number) => ravel([...idx.slice(0, axis), j, ...idx.slice(axis)], a.shape);
    const line = Array.from({ length: a.shape[axis] }, (_, j) => a.data[full(j)]);
    f(line).forEach((v, j) => (out[full(j)] = v));
  }
  return { shape: [...a.shape], data: out };
}

/** Softmax of a line, max-shifted. */
export function softmaxLine(values: number[]): number[] {
  const m = Math.max(...values);
  const e = values.map((v) => Math.exp(v - m));
  const s = e.reduce((x, y) => x + y, 0);
  return e.map((v) => v / s);
}

/** Plain matrix product of the last two axes with broadcast batch axes. */
export function matmulNd(a: Nd, b: Nd): Nd {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const aBatch = { shape: a.shape.slice(0, -2), data: new Float64Array(0) };
  const bBatch = { shape: b.shape.slice(0, -2), data: new Float64Array(0) };
  const batchIndex = (sub: Nd, idx: readonly number[]) => {
    const offset = idx.length - sub.shape.length;
    return sub.shape.map((d, i) => (d === 1 ? 0 : idx[offset + i]));
  };
  return build([...batch, m, n], (idx) => {
    const bi = idx.slice(0, -2);
    const [i, j] = idx.slice(-2);
    let acc = 0;
    for (let p = 0; p < k; p++) acc += at(a, [...batchIndex(aBatch, bi), i, p]) * at(b, [...batchIndex(bBatch, bi), p, j]);
    return acc;
  });
}

/** `erf` by composite Simpson integration of `2/sqrt(pi) exp(-t^2)` (independent of any series or fraction). */
export function erfByQuadrature(x: number): number {
  const n = 4000;
  const h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
}
