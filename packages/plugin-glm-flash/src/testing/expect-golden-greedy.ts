import type { DecoderSession, PromptBatch } from '@pio/core';
import { expect } from 'vitest';
import { readGolden, type GlmFixtureName } from './golden-fixture.js';
import { runGreedyGolden } from './run-greedy-golden.js';

/**
 * Runs every golden case of `fixture` through a session that `open` starts on the case's prompt and asserts its greedy
 * tokens exactly and its step logits within the fixture's `step_logits_max_abs` (test helper; `runGreedyGolden`
 * disposes each session).
 */
export async function expectGoldenGreedy(fixture: GlmFixtureName, open: (prompt: PromptBatch) => DecoderSession): Promise<void> {
  const golden = await readGolden(fixture);
  for (const c of golden.cases) {
    const { tokens, stepDiff } = await runGreedyGolden(open({ inputIds: c.input_ids, attentionMask: c.attention_mask }), c, fixture);
    expect(stepDiff).toBeLessThanOrEqual(golden.tolerances.step_logits_max_abs);
    expect(tokens).toEqual(c.greedy.tokens);
  }
}
