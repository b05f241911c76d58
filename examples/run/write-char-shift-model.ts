import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '@pio/core';
import { writeSafetensors } from '@pio/core/weights';

function f32(values: Float32Array, shape: number[]): HostTensor {
  return { dtype: 'F32', shape, bytes: new Uint8Array(values.buffer) };
}

/**
 * Writes the char-shift model folder of the third-party plugin example: an identity embedding `[256, 256]` and a
 * head that scores byte `b + shift` for input byte `b`, so "HAL" becomes "IBM" with `shift = 1`.
 */
export async function writeCharShiftModel(dir: string, shift: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const embed = new Float32Array(256 * 256);
  const head = new Float32Array(256 * 256);
  for (let i = 0; i < 256; i++) {
    embed[i * 256 + i] = 1; // [vocab, dim], dim = vocab
    head[((i + shift) % 256) * 256 + i] = 1; // [out, in]
  }
  await writeFile(join(dir, 'config.json'), JSON.stringify({ architectures: ['CharShiftForCausalLM'], model_type: 'char_shift', hidden_size: 256 }));
  await writeSafetensors(join(dir, 'model.safetensors'), { 'model.embed.weight': f32(embed, [256, 256]), 'model.head.weight': f32(head, [256, 256]) });
}
