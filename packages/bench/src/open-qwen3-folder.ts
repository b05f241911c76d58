import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeHostTensor } from '@pio/core';
import { openCheckpoint, type Checkpoint } from '@pio/core/weights';
import { BenchModelError } from './errors/bench-model-error.js';
import type { DecoderShape } from './decoder-shape.js';
import type { GgufSourceTensor } from './gguf-source-tensor.js';

/** A model folder's Qwen3 text decoder, ready to be written as GGUF. Internal to the benchmark. */
export interface Qwen3Folder {
  shape: DecoderShape;
  tensors: GgufSourceTensor[];
  close(): Promise<void>;
}

// Hugging Face name (after the decoder's prefix) → llama.cpp GGUF name, per layer
const LAYER_NAMES: ReadonlyArray<readonly [string, string, boolean]> = [
  ['input_layernorm', 'attn_norm', false],
  ['self_attn.q_proj', 'attn_q', true],
  ['self_attn.k_proj', 'attn_k', true],
  ['self_attn.v_proj', 'attn_v', true],
  ['self_attn.q_norm', 'attn_q_norm', false],
  ['self_attn.k_norm', 'attn_k_norm', false],
  ['self_attn.o_proj', 'attn_output', true],
  ['post_attention_layernorm', 'ffn_norm', false],
  ['mlp.gate_proj', 'ffn_gate', true],
  ['mlp.up_proj', 'ffn_up', true],
  ['mlp.down_proj', 'ffn_down', true],
];

/**
 * Opens the Qwen3 text decoder of a model folder: a Qwen3 (`model.*`) or the language model of a Qwen3-VL
 * (`model.language_model.*`, `text_config`). For text prompts the Qwen3-VL decoder is a Qwen3 decoder: interleaved
 * MRoPE with equal temporal/height/width positions is plain RoPE, and DeepStack only adds image features. Tensors are
 * read (and widened to float32) one at a time. Not a Qwen3 → {@link BenchModelError}.
 */
export async function openQwen3Folder(folder: string): Promise<Qwen3Folder> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new BenchModelError({ modelPath: folder, reason: 'its config.json could not be read' }, { cause });
  }
  const modelType = typeof config.model_type === 'string' ? config.model_type : undefined;
  const vl = modelType === 'qwen3_vl';
  if (!vl && modelType !== 'qwen3') throw new BenchModelError({ modelPath: folder, modelType, reason: `model_type is ${modelType ?? 'missing'}` });
  const text = (vl ? config.text_config : config) as Record<string, unknown> | undefined;
  const num = (key: string, fallback?: number): number => {
    const value = text?.[key] ?? fallback;
    if (typeof value !== 'number') throw new BenchModelError({ modelPath: folder, modelType, reason: `config field ${key} is missing` });
    return value;
  };
  const ropeParameters = text?.rope_parameters as { rope_theta?: number } | undefined;
  const shape: DecoderShape = {
    name: basename(folder),
    vocab: num('vocab_size'),
    hidden: num('hidden_size'),
    layers: num('num_hidden_layers'),
    heads: num('num_attention_heads'),
    kvHeads: num('num_key_value_heads'),
    headDim: num('head_dim', num('hidden_size') / num('num_attention_heads')),
    intermediate: num('intermediate_size'),
    ropeTheta: num('rope_theta', ropeParameters?.rope_theta),
    eps: num('rms_norm_eps'),
  };
  const tied = (text?.tie_word_embeddings ?? config.tie_word_embeddings) === true;
  const prefix = vl ? 'model.language_model.' : 'model.';
  let checkpoint: Checkpoint;
  try {
    checkpoint = await openCheckpoint(folder);
  } catch (cause) {
    throw new BenchModelError({ modelPath: folder, modelType, reason: 'its safetensors weights could not be opened' }, { cause });
  }
  const tensor = (hfName: string, name: string, matrix: boolean): GgufSourceTensor => {
    const info = checkpoint.info(hfName);
    if (!info) throw new BenchModelError({ modelPath: folder, modelType, reason: `tensor ${hfName} is missing` });
    return { name, shape: info.shape, matrix, load: async () => decodeHostTensor(await checkpoint.read(hfName)) as Float32Array };
  };
  try {
    const tensors = [tensor(`${prefix}embed_tokens.weight`, 'token_embd.weight', true)];
    for (let l = 0; l < shape.layers; l++) {
      for (const [hf, gguf, matrix] of LAYER_NAMES) tensors.push(tensor(`${prefix}layers.${l}.${hf}.weight`, `blk.${l}.${gguf}.weight`, matrix));
    }
    tensors.push(tensor(`${prefix}norm.weight`, 'output_norm.weight', false));
    if (!tied) tensors.push(tensor('lm_head.weight', 'output.weight', true));
    return { shape, tensors, close: () => checkpoint.close() };
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}
