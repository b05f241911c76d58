import { randomInt } from 'node:crypto';
import { buildLogitsProcessors } from './build-logits-processors.js';
import { DEFAULT_MAX_NEW_TOKENS } from './generation-defaults.js';
import type { GenerateTokensOptions, RowGenerationOptions } from './generation-step.js';
import type { TokenConstraintState } from './constraints/token-constraint.js';
import type { LogitsProcessor } from './logits-processors/logits-processor.js';
import { isSampling } from './resolve-generation-options.js';
import { createRng, type Rng } from './rng.js';

/** How the engine decodes one row: its options resolved into limits, processors and a generator. */
export interface RowPlan {
  maxNewTokens: number;
  eos: ReadonlySet<number>;
  sampling: boolean;
  /** Temperature of the distribution log-probabilities are reported from (1 when greedy). */
  temperature: number;
  processors: readonly LogitsProcessor[];
  /** The row's constraint state, when its output is constrained. */
  constraint?: TokenConstraintState;
  wantLogprobs: boolean;
  topN: number;
  rng: Rng;
  /** True once the batch's or the row's signal has fired. */
  aborted(): boolean;
}

/**
 * The options row `row` runs with: the batch options, with every field the row's entry of `rowOptions` sets (not
 * `undefined`) replacing the batch's. `signal` is not merged here (see {@link planRow}).
 */
export function rowOptionsOf(options: GenerateTokensOptions, row: number): GenerateTokensOptions {
  const { rowOptions, ...shared } = options;
  const own = rowOptions?.[row];
  if (!own) return shared;
  const merged: Record<string, unknown> = { ...shared };
  for (const [key, value] of Object.entries(own)) if (value !== undefined && key !== 'signal') merged[key] = value;
  return merged as GenerateTokensOptions;
}

/** Resolves the plan of row `row` (see {@link rowOptionsOf}); without a seed the row draws a random one. */
export function planRow(options: GenerateTokensOptions, row: number): RowPlan {
  const merged = rowOptionsOf(options, row);
  const own: RowGenerationOptions | undefined = options.rowOptions?.[row];
  const sampling = isSampling(merged);
  const signals = [options.signal, own?.signal].filter((signal): signal is AbortSignal => signal !== undefined);
  return {
    maxNewTokens: merged.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS,
    eos: new Set(merged.eosTokenIds ?? []),
    sampling,
    temperature: sampling ? (merged.temperature ?? 1) : 1,
    processors: [...buildLogitsProcessors(merged, sampling), ...(merged.logitsProcessors ?? [])],
    ...(merged.constraint ? { constraint: merged.constraint.start() } : {}),
    wantLogprobs: merged.logprobs === true || (merged.topLogprobs ?? 0) > 0,
    topN: merged.topLogprobs ?? 0,
    rng: createRng(merged.seed ?? randomInt(0, 2 ** 32)),
    aborted: () => signals.some((signal) => signal.aborted),
  };
}
