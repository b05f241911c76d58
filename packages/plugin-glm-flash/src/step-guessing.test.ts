import type { Backend } from '@pio/core';
import type { LoadedTextModelFolder } from '@pio/core/plugin-kit';
import { createReferenceBackend, greedySessionSteps } from '@pio/core/testing';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { describe, expect, it } from 'vitest';
import type { GlmFlashConfig } from './glm-flash-config.js';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import type { GlmFlashModel } from './model.js';
import { ExpertCache } from './moe/experts.js';
import { StepGuessing } from './moe/step-guessing.js';
import { fixtureDir, readGolden, type GlmFixtureName } from './testing/golden-fixture.js';
import { writeCheckpointCopy } from './testing/checkpoint-copies.js';
import { expectGoldenGreedy } from './testing/expect-golden-greedy.js';
import { createTestGgmlBackend } from './testing/test-backends.js';

type Loaded = LoadedTextModelFolder<GlmFlashConfig, GlmFlashModel>;

const FIXTURE: GlmFixtureName = 'glm47flash-tiny';

async function load(backend: Backend, expertBudget: number, guessSteps: boolean): Promise<Loaded> {
  return createGlmFlashPlugin.loadModel(backend, fixtureDir(FIXTURE), { storage: 'float32', expertBudget }, { guessSteps });
}

async function close(loaded: Loaded): Promise<void> {
  loaded.model.dispose();
  await loaded.close();
}

/** 24 greedy steps of every golden case's prompt, the sessions one after another or all at once. */
async function greedyCases(loaded: Loaded, together: boolean): Promise<Float32Array[][]> {
  const golden = await readGolden(FIXTURE);
  const run = (c: (typeof golden.cases)[number]) => {
    const session = loaded.model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
    return greedySessionSteps(session, 24).finally(() => session.dispose());
  };
  if (together) return Promise.all(golden.cases.map(run));
  const out: Float32Array[][] = [];
  for (const c of golden.cases) out.push(await run(c));
  return out;
}

// Under an expert budget a decode step guesses: one graph, the slots looked up on the backend, the logits marked
// with NaN when a routed expert was not resident, then the step runs again layer by layer (the session retries it).
describe.each<[string, () => Promise<Backend>]>([
  ['reference', async () => createReferenceBackend()],
  ['ggml', () => createTestGgmlBackend()],
])('GLM-4.7-Flash decode steps that guess their experts on %s', (engine, createBackend) => {
  it('give the golden greedy tokens and step logits, and miss (3 of 8 experts resident)', async () => {
    const backend = await createBackend();
    const loaded = await load(backend, 3, true);
    try {
      await expectGoldenGreedy(FIXTURE, (prompt) => loaded.model.createSession(prompt));
      const stats = loaded.model.experts.stats();
      expect(stats.guessedSteps).toBeGreaterThan(0);
      expect(stats.missedSteps, 'some guesses missed and ran again').toBeGreaterThan(0);
      expect(stats.missedSteps).toBeLessThanOrEqual(stats.guessedSteps);
    } finally {
      await close(loaded);
      backend.dispose();
    }
  });

  it('give the logits of steps that never guess, for sessions one after another and interleaved', async () => {
    const backend = await createBackend();
    const exact = await load(backend, 3, false);
    const guessing = await load(backend, 3, true);
    try {
      const expected = await greedyCases(exact, false);
      expect(exact.model.experts.stats().guessedSteps).toBe(0);
      expect(await greedyCases(guessing, false)).toEqual(expected);
      // two sessions stepping at once share the slots: a slot rewritten for one never feeds the other a wrong expert
      expect(await greedyCases(guessing, true)).toEqual(expected);
      expect(guessing.model.experts.stats().missedSteps, `${engine}: misses were retried`).toBeGreaterThan(0);
    } finally {
      await close(exact);
      await close(guessing);
      backend.dispose();
    }
  });
});

describe('GLM-4.7-Flash guessed decode steps on ggml', () => {
  it('are replayed (one graph a step) when the resident experts cover the routing; exact steps are not', async () => {
    // a copy of the fixture whose routers never pick expert 7 (its selection bias far below the others'), so 7 of 8
    // resident experts (0-6 at load) cover every step
    const dir = await writeCheckpointCopy(makeTempDir('pio-glm-guess-'), fixtureDir(FIXTURE), {
      edit: (name, values) => (name.endsWith('e_score_correction_bias') ? values.map((v, e) => (e === 7 ? -1e4 : v)) : values),
    });
    const backend = await createTestGgmlBackend();
    const ggml = backend as Backend & { graphStats(): { replayed: number } };
    const exact = await createGlmFlashPlugin.loadModel(backend, dir, { storage: 'float32', expertBudget: 7 }, { guessSteps: false });
    const guessing = await createGlmFlashPlugin.loadModel(backend, dir, { storage: 'float32', expertBudget: 7 }, { guessSteps: true });
    try {
      const before = ggml.graphStats().replayed;
      const expected = await greedyCases(exact, false);
      expect(ggml.graphStats().replayed, 'a step reading routing on the host is not replayed').toBe(before);
      expect(exact.model.experts.stats().loads).toBe(0);
      expect(await greedyCases(guessing, false)).toEqual(expected);
      const stats = guessing.model.experts.stats();
      expect(stats).toMatchObject({ guessedSteps: 48, missedSteps: 0, loads: 0 });
      // each session runs its first steps in full (up to three: one to see the graph, two recorded), then replays
      expect(ggml.graphStats().replayed - before).toBeGreaterThanOrEqual(48 - 2 * 3);
    } finally {
      await close(exact);
      await close(guessing);
      backend.dispose();
    }
  });
});

describe('StepGuessing', () => {
  const clean = new Float32Array(4);
  const missed = Float32Array.of(0, Number.NaN, 0, 0);

  it('rejects logits with a NaN and counts guessed and missed steps', () => {
    const experts = new ExpertCache(async () => {
      throw new Error('not used');
    });
    const guessing = new StepGuessing(experts);
    expect(guessing.next()).toBe(true);
    expect(guessing.rejects(clean)).toBe(false);
    expect(guessing.rejects(missed)).toBe(true);
    expect(experts.stats()).toMatchObject({ guessedSteps: 2, missedSteps: 1 });
  });

  it('pauses guessing while more than a quarter of the guessed steps miss, longer each time, and resumes', () => {
    const experts = new ExpertCache(async () => {
      throw new Error('not used');
    });
    const guessing = new StepGuessing(experts);
    const step = (logits: Float32Array): boolean => {
      const guessed = guessing.next();
      guessing.rejects(logits);
      return guessed;
    };
    // 6 clean steps, then misses: the 8th step (2 of 8 missed) is within a quarter, the 9th (3 of 9) is not
    for (let i = 0; i < 6; i++) expect(step(clean)).toBe(true);
    expect(step(missed)).toBe(true);
    expect(step(missed)).toBe(true);
    expect(step(missed)).toBe(true);
    // 16 exact steps; their logits (NaN or not) are not counted as guesses
    for (let i = 0; i < 16; i++) expect(step(missed)).toBe(false);
    expect(experts.stats()).toMatchObject({ guessedSteps: 9, missedSteps: 3 });
    // guessing again; 3 of the next 8 miss: a pause twice as long
    for (let i = 0; i < 5; i++) expect(step(clean)).toBe(true);
    for (let i = 0; i < 3; i++) expect(step(missed)).toBe(true);
    for (let i = 0; i < 32; i++) expect(step(clean)).toBe(false);
    // a clean window of 16 guesses brings the pause back to 16; then 5 misses in the window of 16 pause again
    for (let i = 0; i < 16; i++) expect(step(clean)).toBe(true);
    for (let i = 0; i < 5; i++) expect(step(missed)).toBe(true);
    for (let i = 0; i < 16; i++) expect(step(clean)).toBe(false);
    expect(step(clean)).toBe(true);
  });
});
