import { CachedDecoderSession, type DecoderModel } from '@pio/core/nn';
import { createGgmlBackend } from '@pio/backend-ggml';
import type { BenchEngineRequest } from './bench-engine-request.js';
import type { BenchEngineResult } from './bench-engine-result.js';
import { Qwen3BenchDecoder } from './qwen3-bench-decoder.js';
import { randomWeights } from './random-weights.js';

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * Prefills `prompt`, then greedily decodes `steps` tokens (each step's logits read back), through core's decode
 * session as the plugins run (decode steps recorded and then replayed on ggml): the prefill's and every step's
 * milliseconds, and the tokens chosen.
 */
async function generate(
  model: DecoderModel,
  prompt: number[],
  steps: number,
  replaySteps: boolean,
): Promise<{ prefillMs: number; decodeMs: number[]; tokens: number[] }> {
  const session = new CachedDecoderSession(model, { inputIds: [prompt], attentionMask: [prompt.map(() => 1)] }, undefined, { replaySteps });
  let t = performance.now();
  let logits = await session.prefill({ maxNewTokens: steps });
  try {
    let data = await logits.data();
    const prefillMs = performance.now() - t;
    const tokens: number[] = [];
    const decodeMs: number[] = [];
    for (let s = 0; s < steps; s++) {
      const next = argmax(data);
      tokens.push(next);
      logits.dispose();
      t = performance.now();
      logits = await session.step([next]);
      data = await logits.data();
      decodeMs.push(performance.now() - t);
    }
    return { prefillMs, decodeMs, tokens };
  } finally {
    logits.dispose();
    session.dispose();
  }
}

/** Runs the benchmark's Qwen3 decoder on the ggml backend (CPU): prefill, then greedy decode steps. Internal. */
export async function runPioEngine(request: BenchEngineRequest): Promise<BenchEngineResult> {
  const { shape, prompt, decodeTokens, threads } = request;
  const repack = request.repackWeights === undefined ? {} : { repackWeights: request.repackWeights };
  const backend = await createGgmlBackend({ device: 'cpu', threads, ...repack });
  const weights = randomWeights(shape, request.seed);
  const model = new Qwen3BenchDecoder(backend, shape, weights, request.storage);
  weights.length = 0; // let the host copies go
  // the session pads its cache to ggml's 256 positions like llama.cpp's, so that decode steps repeat their shapes
  const decoder = model.asDecoderModel(request.kvCacheStorage);
  try {
    // the same generation, untimed, on a session of its own
    const replay = request.replaySteps !== false;
    if (request.warmupTokens) await generate(decoder, prompt, request.warmupTokens, replay);
    const timed = await generate(decoder, prompt, decodeTokens, replay);
    return { ...timed, weightBytes: model.stepBytes, weightRepack: backend.weightRepack.reason };
  } finally {
    model.dispose();
    backend.dispose();
  }
}
