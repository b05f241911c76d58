import { describe, expect, it } from 'vitest';
import { RowHistory } from '../row-history.js';
import { buildLogitsProcessors } from '../build-logits-processors.js';
import { createMinPProcessor } from './min-p.js';
import { createPresenceFrequencyPenaltyProcessor } from './presence-frequency-penalty.js';
import { createRepetitionPenaltyProcessor } from './repetition-penalty.js';
import { createTemperatureProcessor } from './temperature.js';
import { createTopKProcessor } from './top-k.js';
import { createTopPProcessor } from './top-p.js';

const NONE = new RowHistory([]);
const run = (processor: { process: (l: Float32Array, c: RowHistory) => void }, values: number[], context = NONE) => {
  const logits = Float32Array.from(values);
  processor.process(logits, context);
  return Array.from(logits);
};
const ln = Math.log;
const f32 = (x: number) => Math.fround(x);
const probs = [0.5, 0.3, 0.15, 0.05];
const probLogits = probs.map(ln);

describe('logits processors (hand-computed)', () => {
  it('temperature divides', () => {
    expect(run(createTemperatureProcessor(2), [1, 2, -4])).toEqual([0.5, 1, -2]);
    expect(run(createTemperatureProcessor(0.5), [1, -3])).toEqual([2, -6]);
  });

  it('top-k keeps the k largest, and ties with the k-th', () => {
    expect(run(createTopKProcessor(2), [1, 3, 2, 3])).toEqual([-Infinity, 3, -Infinity, 3]);
    expect(run(createTopKProcessor(3), [1, 3, 2, 3])).toEqual([-Infinity, 3, 2, 3]);
    expect(run(createTopKProcessor(1), [0, 5, 5, 1])).toEqual([-Infinity, 5, 5, -Infinity]);
    expect(run(createTopKProcessor(0), [1, 2])).toEqual([1, 2]);
  });

  it('top-p keeps the smallest set reaching p', () => {
    // probabilities 0.5, 0.3, 0.15, 0.05: mass above each = 0, 0.5, 0.8, 0.95
    expect(run(createTopPProcessor(0.75), probLogits)).toEqual([f32(ln(0.5)), f32(ln(0.3)), -Infinity, -Infinity]);
    expect(run(createTopPProcessor(0.85), probLogits)).toEqual([f32(ln(0.5)), f32(ln(0.3)), f32(ln(0.15)), -Infinity]);
    expect(run(createTopPProcessor(0.3), probLogits)).toEqual([f32(ln(0.5)), -Infinity, -Infinity, -Infinity]);
    expect(run(createTopPProcessor(1), probLogits)).toEqual(probLogits.map(f32));
  });

  it('top-p widens its candidate list when the nucleus is large', () => {
    // 1000 equal tokens: mass above token k is k/1000, so p = 0.5005 keeps k = 0..500 (lower index first on ties).
    const out = run(createTopPProcessor(0.5005), new Array(1000).fill(0));
    expect(out.filter((x) => x === 0).length).toBe(501);
    expect(out.slice(0, 501).every((x) => x === 0)).toBe(true);
  });

  it('min-p removes tokens below minP times the top probability', () => {
    expect(run(createMinPProcessor(0.2), probLogits)).toEqual([f32(ln(0.5)), f32(ln(0.3)), f32(ln(0.15)), -Infinity]);
    expect(run(createMinPProcessor(0.5), probLogits)).toEqual([f32(ln(0.5)), f32(ln(0.3)), -Infinity, -Infinity]);
    expect(run(createMinPProcessor(1), [2, 2, 1])).toEqual([2, 2, -Infinity]);
  });

  it('repetition penalty divides positive and multiplies negative logits of prompt and output tokens', () => {
    const context = new RowHistory([0]);
    context.add(1);
    context.add(1);
    expect(run(createRepetitionPenaltyProcessor(2), [2, -2, 1, 0.5], context)).toEqual([1, -4, 1, 0.5]);
    expect(run(createRepetitionPenaltyProcessor(0.5), [2, -2, 1, 0.5], context)).toEqual([4, -1, 1, 0.5]);
  });

  it('presence and frequency penalties count generated tokens only', () => {
    const context = new RowHistory([3, 3, 3]);
    for (const t of [0, 0, 2, 0]) context.add(t);
    // token 0: 3 times -> 2 - (3 * 0.25 + 0.5); token 2: once -> 1 - (0.25 + 0.5); prompt token 3 untouched
    expect(run(createPresenceFrequencyPenaltyProcessor(0.5, 0.25), [2, 2, 1, 1], context)).toEqual([0.75, 2, 0.25, 1]);
    expect(run(createPresenceFrequencyPenaltyProcessor(0, 1), [2, 2, 1, 1], context)).toEqual([-1, 2, 0, 1]);
  });
});

describe('buildLogitsProcessors', () => {
  const options = { repetitionPenalty: 1.1, presencePenalty: 0.5, temperature: 0.7, topK: 20, topP: 0.8, minP: 0.05 };

  it('orders penalties first, then temperature, top-k, top-p, min-p', () => {
    expect(buildLogitsProcessors(options, true).map((p) => p.name)).toEqual([
      'repetition-penalty',
      'presence-frequency-penalty',
      'temperature',
      'top-k',
      'top-p',
      'min-p',
    ]);
  });

  it('keeps only the penalties when greedy, and skips settings that are off', () => {
    expect(buildLogitsProcessors(options, false).map((p) => p.name)).toEqual(['repetition-penalty', 'presence-frequency-penalty']);
    expect(buildLogitsProcessors({ repetitionPenalty: 1, temperature: 1, topK: 0, topP: 1, minP: 0 }, true)).toEqual([]);
  });
});
