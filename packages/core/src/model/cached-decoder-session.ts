import type { Backend } from '../backend/backend.js';
import type { RecordedStep, StepValues } from '../backend/recorded-step.js';
import type { Tensor } from '../backend/tensor.js';
import { ContextLengthExceededError } from '../errors/context-length-exceeded-error.js';
import { DecoderSessionError } from '../errors/decoder-session-error.js';
import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';
import { yieldToEventLoop } from '../generation/yield-to-event-loop.js';
import { KVCache } from '../nn/kv-cache.js';
import { plainPositions } from '../nn/rotary-inputs.js';
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
  /**
   * Replay decode steps on backends with `recordStep` (see `DecoderModel.forward`): the same results, without running
   * the model's forward pass at each step. Default true (and only when the model's `replaySteps` is not false).
   */
  replaySteps?: boolean;
}

/** A recorded decode step, and what a step must share with it to be its replay. */
interface StepRecord {
  readonly step: RecordedStep;
  /** The cache's padded key length the step attended over. */
  readonly keyLength: number;
  /** Whether the step wrote the cache at its write slot (the slot is then the third declared input). */
  readonly slot: boolean;
  /** Rows of the step's `positionIds` (1 when shared), or undefined when it had none. */
  readonly positionRows: number | undefined;
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
  private readonly replaySteps: boolean;
  /** The last decode step recorded, waiting for the next one to match it. */
  private recorded: StepRecord | undefined;
  /** The recorded step that decode steps replay (two consecutive recordings matched). */
  private replaying: StepRecord | undefined;

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
    this.replaySteps = options.replaySteps !== false && model.replaySteps !== false && model.backend.recordStep !== undefined;
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
    const input = {
      inputIds: tokens.map((t) => [t]),
      positions: Array.from({ length: this.axes }, () => row),
      start: this.mask[0].length - 1,
      logits: 'last',
      phase: 'decode',
    } as const;
    const b = this.model.backend;
    const shape = [this.batchSize, this.model.vocabSize];
    const replaying = this.replaying;
    const values = replaying && this.replayValues(input, replaying);
    if (replaying && values) {
      const out = await replaying.step.replay(values);
      // a rejected replay wrote its position without counting it: the retry writes it again
      if (this.rejects(out)) return this.retry(input, false);
      this.cache.advance();
      return b.tensor(out, shape);
    }
    if (replaying) {
      // the cache's padded length (or the positions' layout) changed: record the new graph
      replaying.step.dispose();
      this.replaying = undefined;
    }
    if (this.replaySteps) {
      const out = await this.recordStep(input);
      return this.rejects(out) ? this.retry(input, true) : b.tensor(out, shape);
    }
    const logits = (await this.forward(input, this.mask)) as Tensor; // defined: forward throws when a 'last' pass returns nothing
    if (this.model.rejectsStep && this.rejects(await logits.data())) {
      logits.dispose();
      return this.retry(input, true);
    }
    return this.stepLogits(logits);
  }

  /** A decode step's forward output as `[batch, vocab]` (the output is disposed). */
  private stepLogits(logits: Tensor): Tensor {
    const b = this.model.backend;
    const out = b.scope(() => b.reshape(logits, [this.batchSize, this.model.vocabSize]));
    logits.dispose();
    return out;
  }

  /** True when the model rejects a decode step's logits (`DecoderModel.rejectsStep`). */
  private rejects(logits: Float32Array | Int32Array): boolean {
    return this.model.rejectsStep?.(logits as Float32Array) === true;
  }

  /**
   * Runs a rejected decode step again with `retry` set, after undoing its cache writes (`retract`: the step's forward
   * pass counted them; a replay did not) and dropping the recorded steps (the next steps record again, so the model
   * chooses again how to compute them).
   */
  private async retry(input: StepInput, retract: boolean): Promise<Tensor> {
    if (retract) this.cache.retract();
    for (const record of [this.recorded, this.replaying]) record?.step.dispose();
    this.recorded = undefined;
    this.replaying = undefined;
    return this.stepLogits((await this.forward({ ...input, retry: true }, this.mask)) as Tensor);
  }

  /** Frees the cache and the prompt's prepared state. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const record of [this.recorded, this.replaying]) record?.step.dispose();
    this.recorded = undefined;
    this.replaying = undefined;
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
  private async forward(input: StepInput, rows: readonly (readonly number[])[]): Promise<Tensor | undefined> {
    return this.withInputs(input, rows, async (full) => {
      const out = await this.model.forward(full);
      if (input.logits === 'none') {
        out?.dispose();
        return undefined;
      }
      return this.checked(out, input);
    });
  }

  /**
   * A decode step's forward pass, recorded (`Backend.recordStep`) with the step's own inputs declared: tokens, mask,
   * the cache's write slot, positions. Its logits' values. When it matches the step recorded before it, later steps
   * replay it.
   */
  private async recordStep(input: StepInput): Promise<StepValues> {
    const record = this.model.backend.recordStep as NonNullable<Backend['recordStep']>;
    const keyLength = this.cache.keyLength(1);
    const slot = this.cache.writeSlot();
    let positionRows: number | undefined;
    const result = await this.withInputs(input, this.mask, (full) => {
      positionRows = full.positionIds?.shape[0];
      const declared = declaredOrder(full.tokenIds, full.mask, slot, full.positionIds);
      return record.call(this.model.backend, declared, async () => this.checked(await this.model.forward(full), input));
    });
    const next: StepRecord | undefined = result.step && { step: result.step, keyLength, slot: slot !== undefined, positionRows };
    const previous = this.recorded;
    this.recorded = undefined;
    if (next && previous && sameLayout(next, previous) && next.step.matches(previous.step)) this.replaying = next;
    else this.recorded = next;
    previous?.step.dispose();
    return result.values;
  }

  /**
   * The declared inputs' values of a replay of `record` for the decode step `input` (in {@link declaredOrder}), or
   * undefined when the step cannot be its replay: the cache's padded length or the positions' layout changed.
   */
  private replayValues(input: StepInput, record: StepRecord): StepValues[] | undefined {
    if (this.cache.keyLength(1) !== record.keyLength) return undefined;
    const plain = record.positionRows === undefined ? undefined : this.plainPositionIds(input);
    if (record.positionRows !== undefined && plain?.rows !== record.positionRows) return undefined;
    const slot = record.slot ? Int32Array.of(this.cache.length) : undefined;
    return declaredOrder<StepValues>(Int32Array.from(input.inputIds.flat()), this.cache.attentionMaskValues(this.mask, 1), slot, plain?.values);
  }

  /** `input.positions` as int32 `[rows, seq]` when every axis agrees (one row when every row agrees), on backends with fused rope. */
  private plainPositionIds(input: StepInput): { values: Int32Array; rows: number } | undefined {
    if (!this.model.backend.ropePositions) return undefined;
    const batch = input.inputIds.length;
    const seq = input.inputIds[0]?.length ?? 0;
    const axes = input.positions;
    return plainPositions(batch, seq, axes.length, (row, s, axis) => axes[axis][row][s]);
  }

  /** Runs `run` with the forward input of `input`: its tensors (token ids, positions, the cache's mask for `rows`) made, then freed. */
  private async withInputs<T>(input: StepInput, rows: readonly (readonly number[])[], run: (full: DecoderForwardInput<State>) => Promise<T>): Promise<T> {
    const b = this.model.backend;
    const batch = input.inputIds.length;
    const seq = input.inputIds[0]?.length ?? 0;
    const mask = this.cache.attentionMask(rows, seq);
    const tokenIds = b.tensor(Int32Array.from(input.inputIds.flat()), [batch, seq], 'int32');
    const plain = this.plainPositionIds(input);
    const positionIds = plain && b.tensor(plain.values, [plain.rows, seq], 'int32');
    try {
      return await run({ ...input, tokenIds, positionIds, mask, cache: this.cache, state: this.prepared?.state as State });
    } finally {
      for (const t of [mask, tokenIds, positionIds]) t?.dispose();
    }
  }

  /** The forward's output, or a typed error when it returned none. */
  private checked(out: Tensor | undefined, input: StepInput): Tensor {
    if (!out) throw new DecoderSessionError({ problem: `the model's forward returned no logits for logits: '${input.logits}'` });
    return out;
  }
}

/** What the session knows of a forward pass before making its tensors. */
type StepInput = Omit<DecoderForwardInput<unknown>, 'mask' | 'cache' | 'state' | 'tokenIds' | 'positionIds'>;

/**
 * A decode step's declared inputs (tensors when it is recorded, their values when it is replayed) in the one order
 * both use: token ids, mask, then the cache's write slot and the positions when the step has them.
 */
function declaredOrder<T>(tokenIds: T, mask: T, slot: T | undefined, positionIds: T | undefined): T[] {
  return [tokenIds, mask, ...(slot ? [slot] : []), ...(positionIds ? [positionIds] : [])];
}

/** True when two recorded steps declared the same inputs over the same padded cache length. */
function sameLayout(a: StepRecord, b: StepRecord): boolean {
  return a.keyLength === b.keyLength && a.slot === b.slot && a.positionRows === b.positionRows;
}

/** A row's real tokens before each position (`cumsum(mask) - 1`), 1 on pads: `[batch][seq]`. */
function defaultPositions(mask: readonly (readonly number[])[]): number[][] {
  return mask.map((row) => {
    let seen = 0;
    return row.map((m) => (m ? seen++ : 1));
  });
}
