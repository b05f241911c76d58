import { InvalidGenerationOptionsError } from '../errors/invalid-generation-options-error.js';

/**
 * Context length a model gets when it is loaded without a `contextLength`: its config's `max_position_embeddings`,
 * but at most this many positions, so that the memory estimate (which counts the KV cache of the whole context) of a
 * model trained on 128k or 256k positions still fits ordinary machines. Pass `contextLength` to go further.
 */
export const DEFAULT_CONTEXT_LENGTH_LIMIT = 32768;

/**
 * The context length of a model: `requested` (the `contextLength` load option) when given, else its config's
 * `maxPositionEmbeddings` capped at {@link DEFAULT_CONTEXT_LENGTH_LIMIT}. Loaders and `estimateMemory` both use it,
 * so the memory estimate counts the same context the model refuses prompts beyond.
 *
 * @throws {@link InvalidGenerationOptionsError} when `requested` is not a positive integer
 */
export function resolveContextLength(maxPositionEmbeddings: number, requested?: number): number {
  if (requested === undefined) return Math.min(maxPositionEmbeddings, DEFAULT_CONTEXT_LENGTH_LIMIT);
  if (!Number.isInteger(requested) || requested < 1) {
    throw new InvalidGenerationOptionsError({ option: 'contextLength', expected: 'an integer >= 1 (positions a session may hold)', value: requested });
  }
  return requested;
}
