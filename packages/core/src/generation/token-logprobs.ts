import { topIndices } from './top-indices.js';

/** Log-probability of the chosen token and, when asked, of the most likely alternatives. */
export interface TokenLogprobs {
  /** log p(token). */
  logprob: number;
  /** The `topN` most likely tokens and their log-probabilities, most likely first. */
  top?: Array<{ token: number; logprob: number }>;
}

/**
 * Log-probabilities from `log_softmax(logits / temperature)`.
 *
 * The engine passes the raw model logits and the sampling temperature (1 for greedy decoding): the distribution the
 * model gives at that temperature, before penalties and before top-k/top-p/min-p truncation, as OpenAI reports it.
 * So alternatives outside the sampling set still get finite values.
 */
export function tokenLogprobs(logits: Float32Array, token: number, temperature: number, topN: number): TokenLogprobs {
  const scale = temperature > 0 ? 1 / temperature : 1;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp((logits[i] - max) * scale);
  const logZ = Math.log(total);
  const logprobOf = (i: number) => (logits[i] - max) * scale - logZ;
  const result: TokenLogprobs = { logprob: logprobOf(token) };
  if (topN > 0) result.top = topIndices(logits, topN).map((i) => ({ token: i, logprob: logprobOf(i) }));
  return result;
}
