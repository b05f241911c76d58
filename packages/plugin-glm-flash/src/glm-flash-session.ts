import type { DecoderSession, PromptBatch, Tensor } from '@pio/core';
import type { KVCache } from '@pio/core/nn';
import { GlmFlashInputError } from './errors/glm-flash-input-error.js';
import type { GlmFlashModel } from './model.js';
import { validatePrompt } from './validate-prompt.js';

/**
 * One cached generation with {@link GlmFlashModel}: the prompt runs once (MLA expanded form), then each step appends
 * one token per row and attends over the compressed-latent cache in the absorbed form. A row's position is the number
 * of its real tokens so far minus one, so left padding does not shift positions.
 */
export class GlmFlashSession implements DecoderSession {
  private readonly mask: number[][];
  private started = false;

  constructor(
    private readonly model: GlmFlashModel,
    private readonly prompt: PromptBatch,
    private readonly cache: KVCache,
    /** Attention form used for the prompt (default expanded) and for steps (default absorbed). */
    private readonly forms: { prefillAbsorbed?: boolean; stepAbsorbed?: boolean } = {},
  ) {
    this.mask = prompt.attentionMask.map((row) => [...row]);
  }

  /** Rows in the batch. */
  get batchSize(): number {
    return this.prompt.inputIds.length;
  }

  /** Runs the prompt; returns the last position's logits `[batch, vocab]`. */
  async prefill(): Promise<Tensor> {
    if (this.started) throw new GlmFlashInputError({ field: 'session', problem: 'prefill may be called once, before any step' });
    this.started = true;
    const { positions } = validatePrompt(this.prompt.inputIds, this.mask, this.model.vocabSize);
    return this.run(this.prompt.inputIds, positions, this.forms.prefillAbsorbed ?? false);
  }

  /** Appends one token per row; returns the next logits `[batch, vocab]`. */
  async step(tokens: readonly number[]): Promise<Tensor> {
    if (!this.started) throw new GlmFlashInputError({ field: 'session', problem: 'step was called before prefill' });
    if (tokens.length !== this.batchSize) throw new GlmFlashInputError({ field: 'tokens', problem: `step needs ${this.batchSize} tokens, got ${tokens.length}` });
    for (const row of this.mask) row.push(1);
    const positions = this.mask.map((row) => [row.reduce((sum, m) => sum + m, 0) - 1]);
    return this.run(tokens.map((t) => [t]), positions, this.forms.stepAbsorbed ?? true);
  }

  private async run(inputIds: readonly (readonly number[])[], positions: number[][], absorbed: boolean): Promise<Tensor> {
    const logits = await this.model.forward({ inputIds, attentionMask: this.mask, positions, cache: this.cache, absorbed, lastOnly: true });
    const b = this.model.backend;
    const out = b.scope(() => b.reshape(logits, [this.batchSize, this.model.vocabSize]));
    logits.dispose();
    return out;
  }

  /** Frees the cache. */
  dispose(): void {
    this.cache.dispose();
  }
}
