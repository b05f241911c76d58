import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { WeightStorage } from '@pio/core';
import type { GgmlRowEncoder } from '@pio/backend-ggml';
import { openCheckpoint } from '@pio/core/weights';
import type { DecoderShape } from './decoder-shape.js';
import { BenchModelError } from './errors/bench-model-error.js';
import { writeGlmGguf, type GlmGgufConfig } from './write-glm-gguf.js';

/** A GLM-4.7-Flash folder opened for the side-by-side benchmark. Internal. */
export interface GlmFolder {
  /**
   * The report's shape: the model's vocabulary, width, depth and heads; `headDim` is the MLA query/key head
   * (`qk_nope + qk_rope`) and `intermediate` an expert's width.
   */
  shape: DecoderShape;
  /** Writes the folder's weights as a llama.cpp `deepseek2` GGUF with matrices in `storage`. */
  writeGguf(encoder: GgmlRowEncoder, path: string, storage: WeightStorage): Promise<void>;
  /** Bytes of the routed experts a decode step does not read (all but `topK` of each MoE layer's experts), in `storage`. */
  unreadExpertBytes(encoder: GgmlRowEncoder, storage: WeightStorage): number;
}

/** The folder's GLM-4.7-Flash config (`model_type` `glm4_moe_lite`), or undefined for any other model type. */
export async function openGlmFolder(folder: string): Promise<GlmFolder | undefined> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new BenchModelError({ modelPath: folder, reason: 'its config.json could not be read' }, { cause });
  }
  if (config.model_type !== 'glm4_moe_lite') return undefined;
  const c = config as unknown as GlmGgufConfig & { num_key_value_heads?: number };
  for (const key of [
    'vocab_size',
    'hidden_size',
    'num_hidden_layers',
    'num_attention_heads',
    'kv_lora_rank',
    'n_routed_experts',
    'moe_intermediate_size',
  ] as const) {
    if (typeof c[key] !== 'number') throw new BenchModelError({ modelPath: folder, modelType: 'glm4_moe_lite', reason: `config field ${key} is missing` });
  }
  const shape: DecoderShape = {
    name: basename(folder),
    vocab: c.vocab_size,
    hidden: c.hidden_size,
    layers: c.num_hidden_layers,
    heads: c.num_attention_heads,
    kvHeads: c.num_attention_heads,
    headDim: c.qk_nope_head_dim + c.qk_rope_head_dim,
    intermediate: c.moe_intermediate_size,
    ropeTheta: c.rope_theta,
    eps: c.rms_norm_eps,
  };
  return {
    shape,
    async writeGguf(encoder, path, storage) {
      const checkpoint = await openCheckpoint(folder);
      try {
        await writeGlmGguf(encoder, path, checkpoint, c, storage);
      } finally {
        await checkpoint.close();
      }
    },
    unreadExpertBytes(encoder, storage) {
      const moeLayers = Math.max(0, c.num_hidden_layers - c.first_k_dense_replace);
      const unread = c.n_routed_experts - c.num_experts_per_tok;
      const perExpert =
        2 * encoder.byteLength(storage, c.moe_intermediate_size, c.hidden_size) + encoder.byteLength(storage, c.hidden_size, c.moe_intermediate_size);
      return moeLayers * unread * perExpert;
    },
  };
}
