import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';

/** A batch of prompts, left padded to one length. */
export interface PromptBatch {
  /** Token ids `[batch][seq]`, pads on the left. */
  readonly inputIds: readonly (readonly number[])[];
  /** 1 for real tokens, 0 for pads, `[batch][seq]`. */
  readonly attentionMask: readonly (readonly number[])[];
}

/** Options of {@link DecoderSession.prefill}. */
export interface PrefillOptions {
  /**
   * Checked between prefill chunks: once it has fired, prefill stops, frees what it computed and rejects with the
   * signal's reason. (A chunk that is computing runs to its end.)
   */
  signal?: AbortSignal;
  /**
   * Tokens the session may generate after the prompt (the engine passes the largest `maxNewTokens` of the batch):
   * the KV cache is sized once for the prompt and these (capped at the context length) instead of growing by
   * copying. Default 0 (sized for the prompt; later steps grow it).
   */
  maxNewTokens?: number;
}

/**
 * One generation in progress: owns the KV cache and whatever per-sequence state the model needs
 * (positions, rope deltas, the growing attention mask). `@pio/core/model`'s `CachedDecoderSession` implements it
 * over a model's forward pass; plugins rarely write their own.
 */
export interface DecoderSession {
  /** Rows in the batch. */
  readonly batchSize: number;
  /**
   * Runs the prompt (in chunks, giving the event loop a turn between them) and returns the logits of its last
   * position, `[batch, vocab]`. Call once, first. The caller disposes the tensor.
   */
  prefill(options?: PrefillOptions): Promise<Tensor>;
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
  /**
   * Positions a session may hold (prompt and generated tokens): the config's `max_position_embeddings`, or the
   * `contextLength` the model was loaded with. The engine refuses longer prompts before creating a session
   * (`ContextLengthExceededError`) and caps `maxNewTokens` by what is left.
   */
  readonly contextLength: number;
  /** Starts a session for a left-padded prompt batch. */
  createSession(prompt: PromptBatch, extras?: Extras): DecoderSession;
}
