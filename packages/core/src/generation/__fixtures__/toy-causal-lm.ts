import type { Backend } from '../../backend/backend.js';
import type { Tensor } from '../../backend/tensor.js';
import type { CausalLM, DecoderSession, PromptBatch } from '../../model/causal-lm.js';

/** A deterministic toy language model for engine tests, with its host-side tables for computing expected outputs. */
export interface ToyCausalLM extends CausalLM {
  /** `[vocab, vocab]` host copy: row `t` is added to the logits when the last token is `t`. */
  readonly lastTable: Float32Array;
  /** `[vocab, vocab]` host copy: row `h` (h = sum of the real tokens so far mod vocab) is added, times 0.5. */
  readonly historyTable: Float32Array;
  /** Prompt batches the sessions were created with. */
  readonly prompts: PromptBatch[];
  /** Model calls so far (`prefill` and `step`). */
  calls: number;
  /** Called at the start of every `prefill`/`step` (tests abort from here). */
  onCall?: (call: number) => void;
  /** Frees the tables. */
  dispose(): void;
}

/**
 * The toy model: the next-token logits of a row are `lastTable[lastToken] + 0.5 * historyTable[sum(tokens) % vocab]`,
 * over the row's real tokens (padding, found through the attention mask, is ignored), so the output depends on the
 * whole unpadded history and padding mistakes change it. Tables are uniform in [-3, 3) from a fixed LCG.
 */
export function createToyCausalLM(backend: Backend, vocabSize: number, seed = 1, contextLength = 4096): ToyCausalLM {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0; // Numerical Recipes LCG
    return (state / 2 ** 32) * 6 - 3;
  };
  const lastTable = Float32Array.from({ length: vocabSize * vocabSize }, uniform);
  const historyTable = Float32Array.from({ length: vocabSize * vocabSize }, uniform);
  const last = backend.tensor(lastTable, [vocabSize, vocabSize]);
  const history = backend.tensor(historyTable, [vocabSize, vocabSize]);

  const logitsFor = (rows: number[][]): Tensor =>
    backend.scope(() => {
      const lastIds = backend.tensor(Int32Array.from(rows.map((r) => r[r.length - 1])), [rows.length], 'int32');
      const sums = backend.tensor(Int32Array.from(rows.map((r) => r.reduce((a, b) => a + b, 0) % vocabSize)), [rows.length], 'int32');
      return backend.add(backend.gather(last, lastIds, 0), backend.mul(backend.gather(history, sums, 0), 0.5)); // [batch, vocab]
    });

  const model: ToyCausalLM = {
    backend,
    vocabSize,
    contextLength,
    lastTable,
    historyTable,
    prompts: [],
    calls: 0,
    createSession(prompt: PromptBatch): DecoderSession {
      model.prompts.push(prompt);
      const rows = prompt.inputIds.map((ids, b) => ids.filter((_, j) => prompt.attentionMask[b][j] === 1));
      const call = () => {
        model.calls++;
        model.onCall?.(model.calls);
      };
      return {
        batchSize: rows.length,
        async prefill() {
          call();
          return logitsFor(rows);
        },
        async step(tokens) {
          call();
          tokens.forEach((token, b) => rows[b].push(token));
          return logitsFor(rows);
        },
        dispose() {},
      };
    },
    dispose() {
      last.dispose();
      history.dispose();
    },
  };
  return model;
}

/** The toy model's logits for one unpadded history, computed on the host (the oracle for expected tokens). */
export function toyLogits(model: ToyCausalLM, history: readonly number[]): Float64Array {
  const v = model.vocabSize;
  const lastToken = history[history.length - 1];
  const h = history.reduce((a, b) => a + b, 0) % v;
  return Float64Array.from({ length: v }, (_, i) => model.lastTable[lastToken * v + i] + 0.5 * model.historyTable[h * v + i]);
}

/** Greedy decoding of the toy model on the host, from {@link toyLogits}: the expected tokens, independent of the engine. */
export function toyGreedy(model: ToyCausalLM, prompt: readonly number[], steps: number): number[] {
  const history = [...prompt];
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const logits = toyLogits(model, history);
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    out.push(best);
    history.push(best);
  }
  return out;
}
