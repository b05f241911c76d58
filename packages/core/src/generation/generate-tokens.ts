import { ContextLengthExceededError } from '../errors/context-length-exceeded-error.js';
import { ModelOutputError } from '../errors/model-output-error.js';
import { UnsupportedSchemaError } from '../errors/unsupported-schema-error.js';
import type { Tensor } from '../backend/tensor.js';
import type { CausalLM, DecoderSession, PromptBatch } from '../model/causal-lm.js';
import type { FinishReason } from '../plugin/generation-options.js';
import type { GenerateTokensInput, GenerateTokensOptions, GenerationStep, RowFinish, RowToken, TokenGeneration } from './generation-step.js';
import { RowHistory } from './row-history.js';
import { planRow } from './row-plan.js';
import { argMax, sampleToken } from './sample-token.js';
import { tokenLogprobs } from './token-logprobs.js';
import { validateGeneration } from './validate-generation-options.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * Generates tokens for a batch of prompts with a {@link CausalLM}.
 *
 * The rows are left-padded to one length (pad id `padTokenId`, else 0) with an attention mask, run through
 * `prefill`, then one `step` per new token. Each step reads the logits once (`await tensor.data()`), disposes them,
 * and for every running row applies the logits processors and picks a token: argmax (first on ties) when greedy,
 * else a draw from `createRng(seed)`. Each row has its own generator seeded with the same `seed`, so a row's output
 * does not depend on the other rows of the batch; without a seed, each row draws a random one.
 *
 * Rows may have their own options (`rowOptions`: token limit, EOS ids, sampling, seed, log-probabilities, signal),
 * which combines separate requests into one batch; a row gives the same tokens as when it runs alone with its options.
 *
 * A row with a `constraint` has its logits masked before the processors run and ends (`stop`) once its output is
 * complete and nothing may follow.
 *
 * A row ends on an EOS token (`eosTokenIds`; reason `stop`, the EOS is not reported as a token), after `maxNewTokens`
 * tokens (`length`), through {@link TokenGeneration.stopRow}, or when `signal` or its own signal fires (`abort`,
 * checked before the first forward pass and between steps; logits computed after the abort are discarded; the other
 * rows go on). Ended rows are fed the pad token until the whole batch ends; no forward pass runs once every row ended.
 * Options are checked up front.
 *
 * The padded prompt must fit in `model.contextLength`; each row's `maxNewTokens` is capped by what is left of it
 * (`contextLength - paddedPromptLength`, reason `length` when the cap is reached).
 *
 * The generation never holds the event loop for longer than one forward pass: it gives the loop a turn
 * (`setImmediate`) before the prompt runs, between prefill chunks and before every decode step, so timers, I/O,
 * aborts and other requests are served while it runs, whatever the backend. An abort is observed within one decode
 * step (or prefill chunk), and the session, with its KV cache, is freed at once.
 *
 * @throws {@link InvalidGenerationOptionsError} (synchronously) for bad prompts or options
 * @throws `ContextLengthExceededError` (from `@pio/core`) (synchronously, before anything is allocated) for a prompt longer than
 * the model's context
 * @throws {@link ModelOutputError} (while iterating) when the model returns logits of the wrong shape, or all-NaN rows
 */
export function generateTokens<Extras = undefined>(
  model: CausalLM<Extras>,
  input: GenerateTokensInput<Extras>,
  options: GenerateTokensOptions = {},
): TokenGeneration {
  validateGeneration(input, options, model.vocabSize);
  const promptLength = Math.max(...input.inputIds.map((row) => row.length));
  const contextLength = model.contextLength ?? Number.POSITIVE_INFINITY;
  if (promptLength > contextLength) throw new ContextLengthExceededError({ promptTokens: promptLength, contextLength });
  const stopRequests = new Map<number, FinishReason>();
  let started = false;
  return {
    stopRow(row, reason = 'stop') {
      if (!stopRequests.has(row)) stopRequests.set(row, reason);
    },
    [Symbol.asyncIterator]() {
      if (started) throw new Error('A TokenGeneration can be iterated only once; call generateTokens again.');
      started = true;
      return run(model, input, options, stopRequests)[Symbol.asyncIterator]();
    },
  };
}

async function* run<Extras>(
  model: CausalLM<Extras>,
  input: GenerateTokensInput<Extras>,
  options: GenerateTokensOptions,
  stopRequests: Map<number, FinishReason>,
): AsyncGenerator<GenerationStep> {
  const batch = input.inputIds.length;
  const vocab = model.vocabSize;
  const padId = options.padTokenId ?? 0;
  const room = (model.contextLength ?? Number.POSITIVE_INFINITY) - Math.max(...input.inputIds.map((row) => row.length));
  const plans = input.inputIds.map((_, row) => planRow(options, row));
  for (const plan of plans) plan.maxNewTokens = Math.min(plan.maxNewTokens, room);
  const histories = input.inputIds.map((row) => new RowHistory(row));

  const active = new Set(input.inputIds.map((_, row) => row));
  let finished: RowFinish[] = [];
  const finish = (row: number, reason: FinishReason, stopToken?: number) => {
    if (!active.delete(row)) return;
    finished.push(stopToken === undefined ? { row, reason } : { row, reason, stopToken });
  };
  const takeFinished = () => {
    const taken = finished;
    finished = [];
    return taken;
  };
  const applyStopRequests = () => stopRequests.forEach((reason, row) => finish(row, reason));
  const applyAborts = () => [...active].forEach((row) => plans[row].aborted() && finish(row, 'abort'));

  await yieldToEventLoop();
  applyAborts();
  for (const row of [...active]) if (plans[row].maxNewTokens === 0) finish(row, 'length');
  if (active.size === 0) {
    yield { step: 0, tokens: [], finished: takeFinished() };
    return;
  }

  let session: DecoderSession | undefined;
  let logits: Tensor | undefined;
  const allAborted = new AbortController();
  const onAbort = () => {
    if ([...active].every((row) => plans[row].aborted())) allAborted.abort();
  };
  const signals = [options.signal, ...(options.rowOptions ?? []).map((row) => row?.signal)].filter((s): s is AbortSignal => s !== undefined);
  for (const signal of signals) signal.addEventListener('abort', onAbort);
  try {
    session = model.createSession(padPrompts(input.inputIds, padId), input.extras);
    try {
      // the cache is sized once for the prompt and the longest answer a row may give (capped by the context)
      const maxNewTokens = Math.max(...[...active].map((row) => plans[row].maxNewTokens));
      logits = await session.prefill({ signal: allAborted.signal, maxNewTokens: Number.isFinite(maxNewTokens) ? maxNewTokens : 0 });
    } catch (error) {
      if (!allAborted.signal.aborted) throw error;
      applyAborts();
      yield { step: 0, tokens: [], finished: takeFinished() };
      return;
    }
    for (let step = 0; ; step++) {
      // While the backend computes the logits, the constrained rows prepare their masks (they depend only on the
      // tokens so far).
      const data = await readLogits(logits, batch, vocab, () => {
        for (const row of active) plans[row].constraint?.prepare?.();
      });
      applyStopRequests();
      applyAborts(); // logits computed after a row's abort are discarded
      if (active.size === 0) {
        yield { step, tokens: [], finished: takeFinished() };
        return;
      }
      const tokens: RowToken[] = [];
      const next = new Array<number>(batch).fill(padId);
      for (const row of [...active].sort((a, b) => a - b)) {
        const plan = plans[row];
        const raw = data.subarray(row * vocab, (row + 1) * vocab);
        const scores = plan.wantLogprobs ? raw.slice() : raw; // the logits are this step's own copy; log-probabilities need them unmasked
        plan.constraint?.mask(scores, plan.eos);
        for (const processor of plan.processors) processor.process(scores, histories[row]);
        const token = plan.sampling ? sampleToken(scores, plan.rng) : argMax(scores);
        // every score masked out: nothing the vocabulary holds (nor EOS) continues a valid output
        if (plan.constraint && (token < 0 || scores[token] === Number.NEGATIVE_INFINITY)) throw unsatisfiable(histories[row].generatedIds.length);
        if (token < 0)
          throw new ModelOutputError({ problem: 'not-finite', expectedShape: [batch, vocab], actualShape: [batch, vocab], actualDtype: 'float32', row });
        if (plan.eos.has(token)) {
          finish(row, 'stop', token);
          continue;
        }
        plan.constraint?.accept(token);
        histories[row].add(token);
        const entry: RowToken = { row, token };
        if (plan.wantLogprobs) {
          const info = tokenLogprobs(raw, token, plan.temperature, plan.topN);
          entry.logprob = info.logprob;
          if (info.top) entry.topLogprobs = info.top;
        }
        tokens.push(entry);
        next[row] = token;
        if (plan.constraint?.finished) finish(row, 'stop');
        if (histories[row].generatedIds.length >= plan.maxNewTokens) finish(row, 'length');
      }
      yield { step, tokens, finished: takeFinished() };
      applyStopRequests();
      applyAborts();
      if (active.size === 0) {
        if (finished.length > 0) yield { step: step + 1, tokens: [], finished: takeFinished() };
        return;
      }
      await yieldToEventLoop(); // timers, I/O and aborts run between steps
      applyStopRequests();
      applyAborts();
      if (active.size === 0) {
        yield { step: step + 1, tokens: [], finished: takeFinished() };
        return;
      }
      logits = await session.step(next);
    }
  } finally {
    for (const signal of signals) signal.removeEventListener('abort', onAbort);
    logits?.dispose();
    session?.dispose();
  }
}

/** Left-pads rows to the longest one; the mask marks real tokens with 1. */
/** The error of a row whose output constraint lets no token (nor EOS) come next: the schema asks for what this vocabulary cannot write. */
function unsatisfiable(generated: number): UnsupportedSchemaError {
  return new UnsupportedSchemaError({
    keyword: '(schema)',
    schemaPath: '#',
    reason: `after ${generated} generated token(s) no token of the model's vocabulary can continue a valid output (e.g. a number range that needs more than 15 digits)`,
  });
}

function padPrompts(rows: readonly (readonly number[])[], padId: number): PromptBatch {
  const length = Math.max(...rows.map((row) => row.length));
  return {
    inputIds: rows.map((row) => [...new Array<number>(length - row.length).fill(padId), ...row]),
    attentionMask: rows.map((row) => [...new Array<number>(length - row.length).fill(0), ...new Array<number>(row.length).fill(1)]),
  };
}

/**
 * Reads `[batch, vocab]` float32 logits to the host and disposes the tensor; `meanwhile` runs once the computation
 * has started (on backends that compute off the event loop, the two overlap).
 */
async function readLogits(logits: Tensor, batch: number, vocab: number, meanwhile: () => void): Promise<Float32Array> {
  try {
    const shape = logits.shape;
    if (shape.length !== 2 || shape[0] !== batch || shape[1] !== vocab || logits.dtype !== 'float32') {
      throw new ModelOutputError({ problem: 'shape', expectedShape: [batch, vocab], actualShape: shape, actualDtype: logits.dtype });
    }
    const pending = logits.data();
    try {
      meanwhile();
    } finally {
      await pending.catch(() => undefined); // settled before the tensor is disposed; its error is rethrown below
    }
    return (await pending) as Float32Array;
  } finally {
    logits.dispose();
  }
}
