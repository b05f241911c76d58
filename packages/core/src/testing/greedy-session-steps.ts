import type { DecoderSession } from '../model/causal-lm.js';

/**
 * Greedy decoding through `session` (test helper): prefills, then runs `steps` steps with every row taking its own
 * most likely token, and returns the logits each row chose from, `[batch * vocab]` per step (the prompt's first).
 * The caller disposes the session.
 */
export async function greedySessionSteps(session: DecoderSession, steps: number): Promise<Float32Array[]> {
  const stepLogits: Float32Array[] = [];
  let logits = await session.prefill();
  try {
    for (let s = 0; s < steps; s++) {
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      stepLogits.push(data);
      const vocab = data.length / session.batchSize;
      const next = Array.from({ length: session.batchSize }, (_, r) => {
        const row = data.subarray(r * vocab, (r + 1) * vocab);
        let best = 0;
        for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
        return best;
      });
      logits = await session.step(next);
    }
  } finally {
    logits.dispose();
  }
  return stepLogits;
}
