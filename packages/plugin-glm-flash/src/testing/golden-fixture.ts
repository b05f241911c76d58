import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGoldenFixture } from '@pio/core/testing';

/** Names of the GLM golden fixtures shipped with this package. */
export type GlmFixtureName = 'glm47flash-tiny' | 'glm47flash-tiny-grouped';

/** One golden case of `golden.json` (GLM fields only). */
export interface GlmGoldenCase {
  name: string;
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  logits: { file: string; shape: [number, number, number] };
  greedy: { steps: number; tokens: number[][]; step_logits: { file: string; shape: [number, number, number] } };
}

/** `golden.json` of a GLM fixture. */
export interface GlmGolden {
  fixture: string;
  weights: { ignored_tensors_prefixes?: string[] };
  tolerances: { logits_max_abs: number; logits_max_rel_to_max_abs_logit: number; step_logits_max_abs: number };
  cases: GlmGoldenCase[];
}

/** Absolute path of a fixture folder (test helper). */
export function fixtureDir(name: GlmFixtureName): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__', name);
}

/** Reads `golden.json` of a fixture (test helper). */
export async function readGolden(name: GlmFixtureName): Promise<GlmGolden> {
  return openGoldenFixture<GlmGolden>(fixtureDir(name)).golden();
}

/** Reads a raw little-endian float32 `.bin` of a fixture (test helper). */
export async function readBin(name: GlmFixtureName, file: string): Promise<Float32Array> {
  return openGoldenFixture(fixtureDir(name)).array(file).data;
}

/** Largest absolute difference between `actual` and `expected` over the rows `[b, t]` where `valid(b, t)` (test helper). */
export function maxAbsDiff(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  shape: readonly [number, number, number],
  valid: (b: number, t: number) => boolean = () => true,
): { diff: number; maxAbs: number } {
  const [batch, seq, vocab] = shape;
  let diff = 0;
  let maxAbs = 0;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      if (!valid(b, t)) continue;
      const base = (b * seq + t) * vocab;
      for (let v = 0; v < vocab; v++) {
        diff = Math.max(diff, Math.abs(actual[base + v] - expected[base + v]));
        maxAbs = Math.max(maxAbs, Math.abs(expected[base + v]));
      }
    }
  }
  return { diff, maxAbs };
}
