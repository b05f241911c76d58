import type { Backend } from '../backend/backend.js';
import type { SequenceBufferStorage } from '../backend/sequence-buffer.js';
import type { Tensor } from '../backend/tensor.js';
import type { KVCache } from '../nn/kv-cache.js';
import type { PromptBatch } from './causal-lm.js';

/** Which logits a forward pass returns: every new position, the last one, or none (a prefill chunk before the last). */
export type LogitsSelection = 'all' | 'last' | 'none';

/** One forward pass over new positions, as a `CachedDecoderSession` asks for it. */
export interface DecoderForwardInput<State = undefined> {
  /** New token ids `[batch][seq]` (a prefill chunk, or one token per row for a decode step). */
  readonly inputIds: readonly (readonly number[])[];
  /**
   * Positions of the new tokens, `[axes][batch][seq]`: one axis by default (a row's real tokens before the token;
   * left pads hold 1), or as many as the model's {@link PromptPreparation.positions} gave (Qwen3-VL: 3 MRoPE axes).
   */
  readonly positions: readonly (readonly (readonly number[])[])[];
  /**
   * {@link DecoderForwardInput.inputIds} as an int32 tensor `[batch, seq]`, made by the session. Read token ids from it
   * rather than making a tensor of `inputIds`: a session replays decode steps (see {@link DecoderModel.forward}) by
   * giving this tensor new values. Owned by the session: do not dispose it.
   */
  readonly tokenIds: Tensor;
  /**
   * The positions as int32 `[batch or 1, seq]` (one row when every row agrees) when every axis of `positions` agrees
   * at every position (text), on backends with `ropePositions`; otherwise `undefined`. Pass it to `rotaryInputs`,
   * for the same reason as {@link DecoderForwardInput.tokenIds}. Owned by the session.
   */
  readonly positionIds: Tensor | undefined;
  /** Index of the first new position in the (left-padded) sequence: 0 for the first prefill chunk. */
  readonly start: number;
  /**
   * Additive causal + padding mask `[batch, 1, seq, cache.keyLength(seq)]` built by the cache (padding included).
   * Owned by the session: do not dispose it.
   */
  readonly mask: Tensor;
  /** The session's cache: read and extend it (`update`, `updateKeysValues`), one layer at a time. */
  readonly cache: KVCache;
  /** `all`: `[batch, seq, vocab]`; `last`: `[batch, 1, vocab]` (or `[batch, vocab]`); `none`: skip the head. */
  readonly logits: LogitsSelection;
  /** `prefill` for prompt chunks, `decode` for steps (e.g. GLM's MLA picks its form from it). */
  readonly phase: 'prefill' | 'decode';
  /** What {@link DecoderModel.preparePrompt} returned for this prompt (e.g. image features), `undefined` without it. */
  readonly state: State;
  /**
   * True when this decode step runs again because {@link DecoderModel.rejectsStep} rejected its first results: compute
   * it without guessing. The session does not ask `rejectsStep` about a retry.
   */
  readonly retry?: boolean;
}

/** What a model computes once per prompt, before its prefill chunks run. */
export interface PromptPreparation<State> {
  /** Model-specific positions `[axes][batch][seq]` of the whole prompt (default: one axis, real-token counts). */
  readonly positions?: readonly (readonly (readonly number[])[])[];
  /** Passed to every forward pass of the session (`DecoderForwardInput.state`). */
  readonly state: State;
  /** Frees the state (called once, when the session is disposed). */
  dispose?(): void;
}

/**
 * The forward contract a model implements for `CachedDecoderSession`, the one decode session in core: a forward pass
 * over new positions with a KV cache and a mask, plus an optional per-prompt hook. Chunked prefill, positions, the
 * growing mask, cache padding, misuse checks and the final reshape are the session's.
 */
export interface DecoderModel<Extras = undefined, State = undefined> {
  /** The backend the model computes on. */
  readonly backend: Backend;
  /** Size of the logits' last axis. */
  readonly vocabSize: number;
  /** Layers of the KV cache (one `KVCache` layer per decoder layer). */
  readonly cacheLayers: number;
  /** Element type of the cache on backends that keep it in place (default float32). */
  readonly kvCacheStorage?: SequenceBufferStorage;
  /** False: call `forward` at every decode step, never replay one (see {@link DecoderModel.forward}). Default true. */
  readonly replaySteps?: boolean;
  /**
   * Optional: checks the prompt and computes, once, what every chunk needs (Qwen3-VL: the vision tower's outputs and
   * its MRoPE positions). Throw a typed error on a bad prompt. Tensors in the state must survive scopes (return them
   * from `backend.scope` or `keep` them) and be freed by `dispose`.
   */
  preparePrompt?(prompt: PromptBatch, extras: Extras | undefined): PromptPreparation<State>;
  /**
   * Runs the decoder on the new positions, appending them to `input.cache`, and returns the selected logits (`undefined`
   * for `none`). It frees its own intermediate tensors (a synchronous forward can run inside `backend.scope`); the
   * session disposes the returned tensor.
   *
   * Decode steps may be replayed: on a backend with `recordStep`, the session records two consecutive steps and, when
   * both computed the same graph with the same values in every input but the step's own (`tokenIds`, `positionIds`,
   * the mask and the cache's write slot), reruns that graph for the next steps with new values of those inputs
   * instead of calling `forward`, until the cache's padded length changes. A model gets this by reading token ids and
   * positions from `tokenIds` and `positionIds`, recording a step in one computation (no reads inside `forward`), and
   * keeping no state of its own that changes from step to step. A model that does not (or sets
   * {@link DecoderModel.replaySteps} to false) is simply called at every step.
   */
  forward(input: DecoderForwardInput<State>): Promise<Tensor | undefined> | Tensor | undefined;
  /**
   * Optional, for models whose decode steps may guess (GLM under an expert budget computes a step in one graph as if
   * every routed expert were resident, and marks the logits of a step that needed one that is not): checks the
   * logits `[batch, vocab]` of each decode step, replayed ones included. True rejects them: the session undoes the
   * step's cache writes ({@link KVCache.retract}), drops its recorded steps, and calls `forward` again for the same
   * step with {@link DecoderForwardInput.retry} set; that result is returned unchecked.
   */
  rejectsStep?(logits: Float32Array): boolean;
}
