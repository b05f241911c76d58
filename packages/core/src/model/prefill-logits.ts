import type { Tensor } from '../backend/tensor.js';
import type { PromptBatch } from './causal-lm.js';
import { CachedDecoderSession } from './cached-decoder-session.js';
import type { DecoderModel } from './decoder-model.js';

/**
 * Logits of every position of a left-padded prompt, `[batch, seq, vocab]`, computed in prefill chunks by core's
 * decode session over `model` (a plugin's raw `infer`). The caller disposes the tensor.
 *
 * @throws ContextLengthExceededError when the prompt is longer than `contextLength`.
 */
export async function prefillLogits(
  model: DecoderModel & { readonly contextLength: number },
  prompt: PromptBatch,
  options: { signal?: AbortSignal; prefillChunkSize?: number } = {},
): Promise<Tensor> {
  const session = new CachedDecoderSession(model, prompt, undefined, { contextLength: model.contextLength, prefillChunkSize: options.prefillChunkSize });
  try {
    return await session.prefillAll({ signal: options.signal });
  } finally {
    session.dispose();
  }
}
