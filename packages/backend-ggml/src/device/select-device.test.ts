import { describe, expect, it } from 'vitest';
import { GgmlDeviceError } from '../errors/ggml-device-error.js';
import type { GgmlBinaries } from '../runtime/locate-binaries.js';
import { deviceKind, selectBinaries, selectDevice, type GgmlDeviceInfo } from './select-device.js';

const cpu: GgmlDeviceInfo = { name: 'CPU', description: 'AMD EPYC', kind: 'cpu' };
const cuda: GgmlDeviceInfo = { name: 'CUDA0', description: 'NVIDIA L4', kind: 'gpu' };
const vulkan: GgmlDeviceInfo = { name: 'Vulkan0', description: 'Intel Arc', kind: 'igpu' };
const build = (flavor: GgmlBinaries['flavor']): GgmlBinaries => ({
  packageName: `pkg-${flavor}`,
  flavor,
  dir: `/bins/${flavor}`,
  ggmlPath: `/bins/${flavor}/libggml.so`,
});

describe('selectDevice', () => {
  it('uses the CPU when asked or when no GPU exists', () => {
    expect(selectDevice('cpu', [cuda, cpu])).toBe(1);
    expect(selectDevice('auto', [cpu])).toBe(0);
  });

  it('prefers the first GPU for auto and gpu, and matches named APIs by registry name', () => {
    expect(selectDevice('auto', [cpu, cuda])).toBe(1);
    expect(selectDevice('gpu', [cpu, vulkan, cuda])).toBe(1);
    expect(selectDevice('cuda', [cpu, vulkan, cuda])).toBe(2);
    expect(selectDevice('vulkan', [cpu, cuda, vulkan])).toBe(2);
  });

  it('throws GgmlDeviceError naming what exists when nothing matches', () => {
    let caught: unknown;
    try {
      selectDevice('cuda', [cpu, vulkan]);
    } catch (error) {
      caught = error;
    }
    expect(GgmlDeviceError.isInstance(caught)).toBe(true);
    expect((caught as GgmlDeviceError).available).toEqual(['CPU', 'Vulkan0']);
    expect((caught as GgmlDeviceError).requested).toBe('cuda');
  });

  it('maps ggml device types', () => {
    expect([0, 1, 2, 3].map(deviceKind)).toEqual(['cpu', 'gpu', 'igpu', 'accel']);
  });
});

describe('selectBinaries', () => {
  const installed = [build('cuda'), build('vulkan'), build('cpu')];
  it('picks the best build for auto, the CPU build for cpu, and the named one otherwise', () => {
    expect(selectBinaries('auto', installed)?.flavor).toBe('cuda');
    expect(selectBinaries('cpu', installed)?.flavor).toBe('cpu');
    expect(selectBinaries('vulkan', installed)?.flavor).toBe('vulkan');
    expect(selectBinaries('metal', installed)).toBeUndefined();
    expect(selectBinaries('auto', [])).toBeUndefined();
  });
});
