import type { GenerationOptions } from '../plugin/generation-options.js';

const GENERATION_KEYS = [
  'maxNewTokens',
  'temperature',
  'topK',
  'topP',
  'minP',
  'repetitionPenalty',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'doSample',
  'stop',
  'eosTokenIds',
  'topLogprobs',
  'logprobs',
  'signal',
  'responseFormat',
] as const satisfies ReadonlyArray<keyof GenerationOptions>;

/** Picks the {@link GenerationOptions} fields out of a larger request object (chat request, generate input, …). */
export function generationOptionsOf(request: GenerationOptions): GenerationOptions {
  const out: Record<string, unknown> = {};
  for (const key of GENERATION_KEYS) if (request[key] !== undefined) out[key] = request[key];
  return out as GenerationOptions;
}
