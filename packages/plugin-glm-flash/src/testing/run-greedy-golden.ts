import type { DecoderSession } from '@pio/core';
import { readBin, maxAbsDiff, type GlmFixtureName, type GlmGoldenCase } from './golden-fixture.js';

/**
 * Runs a golden case's greedy continuation through `session` (prefill, then one step per golden step, each row taking
 * its argmax) and returns the tokens it chose with the largest absolute difference of any step's logits from the
 * case's `step_logits` (test helper; the caller asserts both). Disposes the session.
 */
export async function runGreedyGolden(session: DecoderSession, c: GlmGoldenCase, fixture: GlmFixtureName): Promise<{ tokens: number[][]; stepDiff: number }> {
  const [steps, batch, vocab] = c.greedy.step_logits.shape;
  const expected = await readBin(fixture, c.greedy.step_logits.file);
  const tokens: number[][] = Array.from({ length: batch }, () => []);
  let stepDiff = 0;
  try {
    let logits = await session.prefill();
    for (let s = 0; s < steps; s++) {
      const data = await logits.data();
      logits.dispose();
      stepDiff = Math.max(stepDiff, maxAbsDiff(data, expected.subarray(s * batch * vocab, (s + 1) * batch * vocab), [batch, 1, vocab]).diff);
      const next = Array.from({ length: batch }, (_, b) => {
        const row = data.subarray(b * vocab, (b + 1) * vocab);
        return row.indexOf(Math.max(...row));
      });
      next.forEach((t, b) => tokens[b].push(t));
      if (s < steps - 1) logits = await session.step(next);
    }
  } finally {
    session.dispose();
  }
  return { tokens, stepDiff };
}
