import type { ModelPluginMetadata } from '@pio/core';

/** Name, supported checkpoints and modalities of the Qwen3-VL plugin. */
export const QWEN3_VL_METADATA: ModelPluginMetadata = {
  name: 'qwen3-vl',
  version: '0.1.0',
  description: 'Qwen3-VL (e.g. Qwen/Qwen3-VL-2B-Instruct): images and text in, text out.',
  architectures: ['Qwen3VLForConditionalGeneration'],
  modelTypes: ['qwen3_vl'],
  modalities: { input: ['text', 'image'], output: ['text'] },
  license: 'Apache-2.0',
  requiredTrust: 'sandboxed',
};
