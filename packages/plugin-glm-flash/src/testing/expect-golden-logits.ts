import { expect } from 'vitest';
import { maxAbsDiff, readBin, type GlmFixtureName, type GlmGolden, type GlmGoldenCase } from './golden-fixture.js';

/**
 * Asserts that prefill logits `actual` (`[batch, seq, vocab]`) match a golden case's logits on the positions its
 * attention mask keeps, within both of the fixture's logit tolerances (absolute, and relative to the largest golden
 * logit) (test helper).
 */
export async function expectGoldenLogits(actual: ArrayLike<number>, fixture: GlmFixtureName, c: GlmGoldenCase, golden: GlmGolden): Promise<void> {
  const expected = await readBin(fixture, c.logits.file);
  const { diff, maxAbs } = maxAbsDiff(actual, expected, c.logits.shape, (b, t) => c.attention_mask[b][t] === 1);
  expect(diff).toBeLessThanOrEqual(golden.tolerances.logits_max_abs);
  expect(diff).toBeLessThanOrEqual(golden.tolerances.logits_max_rel_to_max_abs_logit * maxAbs);
}
