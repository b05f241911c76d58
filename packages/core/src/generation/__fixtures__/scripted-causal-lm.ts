import type { Backend } from '../../backend/backend.js';
import type { CausalLM, DecoderSession } from '../../model/causal-lm.js';

/**
 * A model that emits fixed token sequences: at step `i`, row `b`'s logits are 0 except 10 at `scripts[b][i]`
 * (greedy decoding then reproduces the script). After its script ends a row keeps emitting its last token.
 */
export function createScriptedCausalLM(backend: Backend, vocabSize: number, scripts: readonly (readonly number[])[]): CausalLM {
  return {
    backend,
    vocabSize,
    contextLength: 4096,
    createSession(prompt): DecoderSession {
      let step = 0;
      const logits = () => {
        const values = new Float32Array(prompt.inputIds.length * vocabSize);
        prompt.inputIds.forEach((_, b) => {
          const script = scripts[b];
          values[b * vocabSize + script[Math.min(step, script.length - 1)]] = 10;
        });
        step++;
        return backend.tensor(values, [prompt.inputIds.length, vocabSize]);
      };
      return { batchSize: prompt.inputIds.length, prefill: async () => logits(), step: async () => logits(), dispose() {} };
    },
  };
}
