import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';

/** A batch of prompts, left padded to one length. */
export interface PromptBatch {
  /** Token ids `[batch][seq]`, pads on the left. */
  readonly inputIds: readonly (readonly number[])[];
  /** 1 for real tokens, 0 for pads, `[batch][seq]`. */
  readonly attentionMask: readonly (readonly number[])[];
}

/**
 * One generation in progress: owns the KV cache and whatever per-sequence state the model needs
 * (positions, rope deltas, the growing attention mask).
 */
export interface DecoderSession {
  /** Rows in the batch. */
  readonly batchSize: number;
  /** Runs the prompt and returns the logits of its last position, `[batch, vocab]`. Call once, first. The caller disposes the tensor. */
  prefill(): Promise<Tensor>;
  /** Appends one token per row (`tokens.length === batchSize`) and returns the next logits, `[batch, vocab]`. The caller disposes the tensor. */
  step(tokens: readonly number[]): Promise<Tensor>;
  /** Frees the cache and all session state. */
  dispose(): void;
}

/**
 * The seam between a model plugin and the generation engine (`@pio/core/generation`):
 * a decoder-only language model that can start sessions.
 *
 * `Extras` carries model-specific prompt inputs, such as pixel values for a vision-language model.
 */
export interface CausalLM<Extras = undefined> {
  /** The backend the model computes on. */
  readonly backend: Backend;
  /** Size of the logits' last axis. */
  readonly vocabSize: number;
  /** Starts a session for a left-padded prompt batch. */
  createSession(prompt: PromptBatch, extras?: Extras): DecoderSession;
}
