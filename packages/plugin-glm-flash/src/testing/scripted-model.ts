import type { Backend, CausalLM, DecoderSession, PromptBatch, Tensor } from '@pio/core';

/**
 * A stand-in model that "generates" a fixed token script (one-hot logits), so chat parsing can be tested end to end on
 * known text (test helper). Records the prompts it was given.
 */
export class ScriptedModel implements CausalLM {
  readonly prompts: PromptBatch[] = [];
  /** Ample for the scripts. */
  readonly contextLength = 4096;

  constructor(
    readonly backend: Backend,
    readonly vocabSize: number,
    private readonly script: readonly number[],
    readonly config: { eosTokenIds: readonly number[]; padTokenId: number | undefined },
  ) {}

  createSession(prompt: PromptBatch): DecoderSession {
    this.prompts.push(prompt);
    let step = 0;
    const next = (): Tensor => {
      const logits = new Float32Array(prompt.inputIds.length * this.vocabSize);
      const token = this.script[Math.min(step++, this.script.length - 1)];
      for (let b = 0; b < prompt.inputIds.length; b++) logits[b * this.vocabSize + token] = 10;
      return this.backend.tensor(logits, [prompt.inputIds.length, this.vocabSize]);
    };
    return { batchSize: prompt.inputIds.length, prefill: async () => next(), step: async () => next(), dispose: () => {} };
  }
}
