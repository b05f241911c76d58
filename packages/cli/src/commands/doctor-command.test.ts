import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../services/cli-services.js';
import { adviceFor } from './doctor-command.js';

const base: DoctorReport = {
  platform: 'linux',
  arch: 'x64',
  node: '20.19.0',
  cpu: { model: 'test', cores: 8 },
  memory: { totalBytes: 32 * 2 ** 30, freeBytes: 16 * 2 ** 30 },
  gpus: [],
  engines: [
    { packageName: '@pio/backend-ggml', installed: true, version: 'ggml-cpu' },
    { packageName: '@tensorflow/tfjs-node', installed: false },
    { packageName: '@tensorflow/tfjs-backend-wasm', installed: true, version: '4.22.0' },
  ],
};
const gpu = { index: 0, name: 'NVIDIA L4', memoryTotalBytes: 24 * 2 ** 30, memoryFreeBytes: 23 * 2 ** 30 };

describe('pio doctor advice', () => {
  it('recommends no TensorFlow.js engine when ggml runs', () => {
    expect(adviceFor(base)).toEqual(['Nothing to add: pio runs on ggml (ggml-cpu), the fastest backend for this machine.']);
  });

  it('names the opt-in CUDA build of ggml when a GPU is present and ggml runs on the CPU', () => {
    const advice = adviceFor({ ...base, gpus: [gpu] });
    expect(advice).toEqual([
      'An NVIDIA GPU is present but ggml runs on the CPU: `npm install @node-llama-cpp/linux-x64-cuda@3.22.1` next to @pio/backend-ggml (GPU builds are opt-in), then run with `--device gpu`.',
    ]);
  });

  it('recommends ggml, then the TensorFlow.js engines, when ggml cannot start', () => {
    const advice = adviceFor({
      ...base,
      engines: base.engines.map((e) => (e.packageName === '@pio/backend-ggml' ? { packageName: e.packageName, installed: false } : e)),
    });
    expect(advice[0]).toContain('`npm install @pio/backend-ggml`');
    expect(advice).toContain('`npm install @tensorflow/tfjs-node` for native CPU kernels (much faster than the wasm engine).');
  });
});
