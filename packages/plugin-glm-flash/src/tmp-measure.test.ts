import { it } from 'vitest';
import { loadGlmFlashModel } from './load-glm-flash-model.js';
import { fixtureDir, maxAbsDiff, readBin, readGolden } from './testing/golden-fixture.js';
import { createTestGgmlBackend } from './testing/test-backends.js';
import { createReferenceBackend } from '@pio/core/testing';

it('measure interleaved', async () => {
  const backend = process.env.REF ? createReferenceBackend() : await createTestGgmlBackend();
  const fixture = 'glm47flash-tiny';
  const golden = await readGolden(fixture);
  const loaded = await loadGlmFlashModel(backend, fixtureDir(fixture), { storage: 'float32' as any, groupSize: 16 });
  for (const c of process.env.MODE === 'twice' ? [golden.cases[0], golden.cases[0]] : golden.cases) {
    if (process.env.MODE === 'forward') {
      const logitsF = await loaded.model.forward({ inputIds: c.input_ids, attentionMask: c.attention_mask, positions: c.position_ids, absorbed: process.env.ABS === '1', lastOnly: process.env.LAST === '1' });
      await logitsF.data();
      if (process.env.GAP === '1') await readBin(fixture, c.logits.file);
      logitsF.dispose();
    }
    const [steps, batch, vocab] = c.greedy.step_logits.shape;
    const expected = await readBin(fixture, c.greedy.step_logits.file);
    const session = loaded.model.createSession({ inputIds: c.input_ids, attentionMask: c.attention_mask });
    let logits = await session.prefill();
    const diffs: string[] = [];
    const agree: string[] = [];
    for (let s = 0; s < steps; s++) {
      const data = await logits.data();
      logits.dispose();
      diffs.push(maxAbsDiff(data, expected.subarray(s * batch * vocab, (s + 1) * batch * vocab), [batch, 1, vocab]).diff.toFixed(4));
      const vocab2 = data.length / c.input_ids.length;
      const next = c.input_ids.map((_, b) => { const row = Array.from(data.subarray(b * vocab2, (b + 1) * vocab2)); return row.indexOf(Math.max(...row)); });
      agree.push(next.map((t, b) => `${t}/${c.greedy.tokens[b][s]}`).join(','));
      if (s < steps - 1) logits = await session.step(c.greedy.tokens.map((r) => r[s]));
    }
    process.stdout.write(`STEP ${c.name} ${diffs.join(' ')}\nAGREE ${agree.join(' ')}\n`);
    session.dispose();
  }
  loaded.model.dispose(); await loaded.close(); backend.dispose();
});
