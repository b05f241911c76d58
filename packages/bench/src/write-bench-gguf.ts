import type { WeightStorage } from '@pio/core';
import type { GgmlRowEncoder } from '@pio/backend-ggml';
import type { DecoderShape } from './decoder-shape.js';
import { byteLevelAlphabet, writeGguf, type GgufTensor } from './gguf-writer.js';
import type { GgufSourceTensor } from './gguf-source-tensor.js';

/** Storages the side-by-side benchmark can write as GGUF (and the ggml backend holds with the same bytes). */
export const BENCH_STORAGES: readonly WeightStorage[] = ['float32', 'float16', 'q8_0', 'q4_0'];

/**
 * Writes `weights` as a llama.cpp `qwen3` GGUF in `storage`, encoding matrices with `ggml_quantize_chunk` (the same
 * call the ggml backend uses at load, so both engines hold identical bytes). The vocabulary is synthetic: GPT-2's
 * 256 byte symbols, then `t<i>`, with no merges (the benchmark feeds token ids directly). Internal to the benchmark.
 */
export async function writeBenchGguf(
  encoder: GgmlRowEncoder,
  path: string,
  shape: DecoderShape,
  weights: readonly GgufSourceTensor[],
  storage: WeightStorage,
): Promise<void> {
  if (!BENCH_STORAGES.includes(storage)) throw new Error(`no GGUF type for ${storage}`);
  const f32 = encoder.ggmlType('float32') as number;
  const type = encoder.ggmlType(storage) as number;
  const tensors: GgufTensor[] = weights.map((t) => {
    const ne = [...t.shape].reverse();
    if (!t.matrix || storage === 'float32') {
      const byteLength = 4 * t.shape.reduce((a, b) => a * b, 1);
      const encode = async () => {
        const values = await t.load();
        return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      };
      return { name: t.name, ggmlType: f32, ne, byteLength, encode };
    }
    const [rows = 0, cols = 0] = t.shape;
    const byteLength = encoder.byteLength(storage, rows, cols);
    const encode = async () => encoder.encode(storage, await t.load(), rows, cols);
    return { name: t.name, ggmlType: type, ne, byteLength, encode };
  });
  const alphabet = byteLevelAlphabet();
  const tokens = Array.from({ length: shape.vocab }, (_, i) => (i < 256 ? alphabet[i] : `t${i}`));
  await writeGguf(
    path,
    {
      'general.architecture': { type: 'string', value: 'qwen3' },
      'general.name': { type: 'string', value: `pio-bench-random-${shape.name}` },
      'general.alignment': { type: 'u32', value: 32 },
      'qwen3.context_length': { type: 'u32', value: 32768 },
      'qwen3.embedding_length': { type: 'u32', value: shape.hidden },
      'qwen3.block_count': { type: 'u32', value: shape.layers },
      'qwen3.feed_forward_length': { type: 'u32', value: shape.intermediate },
      'qwen3.attention.head_count': { type: 'u32', value: shape.heads },
      'qwen3.attention.head_count_kv': { type: 'u32', value: shape.kvHeads },
      'qwen3.attention.key_length': { type: 'u32', value: shape.headDim },
      'qwen3.attention.value_length': { type: 'u32', value: shape.headDim },
      'qwen3.rope.freq_base': { type: 'f32', value: shape.ropeTheta },
      'qwen3.attention.layer_norm_rms_epsilon': { type: 'f32', value: shape.eps },
      'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
      'tokenizer.ggml.pre': { type: 'string', value: 'default' },
      'tokenizer.ggml.tokens': { type: 'string[]', value: tokens },
      'tokenizer.ggml.token_type': { type: 'i32[]', value: new Array(shape.vocab).fill(1) },
      'tokenizer.ggml.merges': { type: 'string[]', value: [] },
      'tokenizer.ggml.bos_token_id': { type: 'u32', value: 256 },
      'tokenizer.ggml.eos_token_id': { type: 'u32', value: 257 },
    },
    tensors,
  );
}
