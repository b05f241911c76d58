import type { Tensor } from '../backend/tensor.js';
import { ContextLengthExceededError } from '../errors/context-length-exceeded-error.js';
import { DecoderSessionError } from '../errors/decoder-session-error.js';
import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';
import { yieldToEventLoop } from '../generation/yield-to-event-loop.js';
import { KVCache } from '../nn/kv-cache.js';
import type { DecoderSession, PrefillOptions, PromptBatch } from './causal-lm.js';
import type { DecoderForwardInput, DecoderModel, LogitsSelection, PromptPreparation } from './decoder-model.js';

/** Positions per prefill chunk by default (llama.cpp's `n_ubatch`). */
export const DEFAULT_PREFILL_CHUNK_SIZE = 512;

/** Options of a {@link CachedDecoderSession}. */
export interface CachedDecoderSessionOptions {
  /**
   * Prompt positions per forward pass (default {@link DEFAULT_PREFILL_CHUNK_SIZE}): a prompt runs in chunks through
   * the KV cache, so no mask or attention-score matrix larger than `chunk × context` is built, and the event loop gets
   * a turn between chunks.
   */
  prefillChunkSize?: number;
  /** Positions the session may hold; a longer prompt is refused before anything is allocated. Default: unbounded. */
  contextLength?: number;
  /** KV-cache padding of decode steps (default the backend's `kvCachePadding`). */
  padding?: number;
}

/**
 * The decode session of core: runs a left-padded prompt batch through a {@link DecoderModel} in chunks, then one
 * token per row per step, over a {@link KVCache} it owns. It tracks positions (a row's real tokens so far, or the
 * model's own from {@link DecoderModel.preparePrompt}; decode steps continue from a row's largest position), the
 * growing padding mask, and the cache's padding (the cache builds the mask).
 */
export class CachedDecoderSession<Extras = undefined, State = undefined> implements DecoderSession {
  /** Rows in the batch. */
  readonly batchSize: number;
  private readonly cache: KVCache;
  private readonly chunkSize: number;
  private readonly contextLength: number;
  /** `[batch][positions so far]`: 1 real, 0 pad. */
  private readonly mask: number[][];
  private prepared: PromptPreparation<State> | undefined;
  private nextPositions: number[] = [];
  private axes = 1;
  private started = false;
  private disposed = false;

  constructor(
    private readonly model: DecoderModel<Extras, State>,
    private readonly prompt: PromptBatch,
    private readonly extras?: Extras,
    options: CachedDecoderSessionOptions = {},
  ) {
    const chunk = options.prefillChunkSize ?? DEFAULT_PREFILL_CHUNK_SIZE;
    if (!Number.isInteger(chunk) || chunk < 1)
      throw new InvalidGenerationOptionsError({ option: 'prefillChunkSize', expected: 'an integer >= 1', value: chunk });
    const length = prompt.inputIds[0]?.length ?? 0;
    if (options.contextLength !== undefined && length > options.contextLength) {
      throw new ContextLengthExceededError({ promptTokens: length, contextLength: options.contextLength });
    }
    this.chunkSize = chunk;
    this.contextLength = options.contextLength ?? Number.POSITIVE_INFINITY;
    this.batchSize = prompt.inputIds.length;
    this.mask = prompt.attentionMask.map((row) => [...row]);
    this.cache = new KVCache(model.backend, model.cacheLayers, {
      storage: model.kvCacheStorage,
      padding: options.padding,
      maxPositions: options.contextLength,
    });
  }

  /**
   * Runs the prompt in chunks; returns its last position's logits `[batch, vocab]`. The KV cache is sized once for
   * the prompt and `options.maxNewTokens` (capped at the context length), so it never grows by copying.
   */
  async prefill(options: PrefillOptions = {}): Promise<Tensor> {
    const logits = await this.runPrompt('last', options);
    const b = this.model.backend;
    const out = b.scope(() => b.reshape(logits, [this.batchSize, this.model.vocabSize]));
    logits.dispose();
    return out;
  }

  /**
   * Runs the prompt in chunks (instead of {@link CachedDecoderSession.prefill}) and returns the logits of every
   * position, `[batch, seq, vocab]` (a raw forward pass, e.g. a plugin's `infer`). Steps may follow.
   */
  async prefillAll(options: PrefillOptions = {}): Promise<Tensor> {
    return this.runPrompt('all', options);
  }

  /** Appends one token per row at each row's next position; returns the next logits `[batch, vocab]`. */
  async step(tokens: readonly number[]): Promise<Tensor> {
    if (!this.started) throw new DecoderSessionError({ problem: 'step() was called before prefill()' });
    if (this.disposed) throw new DecoderSessionError({ problem: 'step() was called after dispose()' });
    if (tokens.length !== this.batchSize)
      throw new DecoderSessionError({ problem: `step() needs ${this.batchSize} tokens (one per row), got ${tokens.length}` });
    const row = this.nextPositions.map((p) => [p]);
    this.nextPositions = this.nextPositions.map((p) => p + 1);
    for (const r of this.mask) r.push(1);
    const logits = (await this.forward(
      {
        inputIds: tokens.map((t) => [t]),
        positions: Array.from({ length: this.axes }, () => row),
        start: this.mask[0].length - 1,
        logits: 'last',
        phase: 'decode',
      },
      this.mask,
    )) as Tensor; // defined: forward throws when a 'last' pass returns nothing
    const b = this.model.backend;
    const out = b.scope(() => b.reshape(logits, [this.batchSize, this.model.vocabSize]));
    logits.dispose();
    return out;
  }

  /** Frees the cache and the prompt's prepared state. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.dispose();
    this.prepared?.dispose?.();
    this.prepared = undefined;
  }

  private async runPrompt(select: 'last' | 'all', { signal, maxNewTokens = 0 }: PrefillOptions): Promise<Tensor> {
    if (this.started) throw new DecoderSessionError({ problem: 'prefill() was already called on this session' });
    if (this.disposed) throw new DecoderSessionError({ problem: 'prefill() was called after dispose()' });
    this.started = true;
    const prepared = this.model.preparePrompt?.(this.prompt, this.extras);
    this.prepared = prepared;
    const positions = prepared?.positions ?? [defaultPositions(this.mask)];
    this.axes = positions.length;
    this.nextPositions = this.mask.map((row, r) => {
      let max = -1;
      row.forEach((m, t) => {
        if (m) for (const axis of positions) max = Math.max(max, axis[r][t]);
      });
      return max + 1;
    });
    const length = this.prompt.inputIds[0]?.length ?? 0;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
      throw new InvalidGenerationOptionsError({ option: 'maxNewTokens', expected: 'an integer >= 0', value: maxNewTokens });
    this.cache.reserve(Math.min(this.contextLength, length + maxNewTokens));
    const b = this.model.backend;
    const parts: Tensor[] = [];
    let result: Tensor | undefined;
    try {
      for (let start = 0; start < length; start += this.chunkSize) {
        if (start > 0) {
          await yieldToEventLoop(); // timers, I/O and aborts run between chunks
          signal?.throwIfAborted();
        }
        const end = Math.min(length, start + this.chunkSize);
        const logits: LogitsSelection = select === 'all' ? 'all' : end === length ? 'last' : 'none';
        const rows = end === length ? this.mask : this.mask.map((row) => row.slice(0, end));
        const out = await this.forward(
          {
            inputIds: this.prompt.inputIds.map((row) => row.slice(start, end)),
            positions: positions.map((axis) => axis.map((row) => row.slice(start, end))),
            start,
            logits,
            phase: 'prefill',
          },
          rows,
        );
        if (out) parts.push(out);
        // a lazy backend computes this chunk now, not with the next one: one chunk's work in memory at a time
        else if (end < length) await this.cache.flush();
      }
      result = parts.length === 1 ? parts[0] : b.scope(() => b.concat(parts, 1));
      return result;
    } finally {
      for (const p of parts) if (p !== result) p.dispose();
    }
  }

  /** One forward pass over the new positions, with the cache's mask for `rows` (`[batch][cached + new]`). */
  private async forward(
    input: Omit<DecoderForwardInput<State>, 'mask' | 'cache' | 'state'>,
    rows: readonly (readonly number[])[],
  ): Promise<Tensor | undefined> {
    const seq = input.inputIds[0]?.length ?? 0;
    const mask = this.cache.attentionMask(rows, seq);
    try {
      const out = await this.model.forward({ ...input, mask, cache: this.cache, state: this.prepared?.state as State });
      if (input.logits === 'none') {
        out?.dispose();
        return undefined;
      }
      if (!out) throw new DecoderSessionError({ problem: `the model's forward returned no logits for logits: '${input.logits}'` });
      return out;
    } finally {
      mask.dispose();
    }
  }
}

/** A row's real tokens before each position (`cumsum(mask) - 1`), 1 on pads: `[batch][seq]`. */
function defaultPositions(mask: readonly (readonly number[])[]): number[][] {
  return mask.map((row) => {
    let seen = 0;
    return row.map((m) => (m ? seen++ : 1));
  });
}
