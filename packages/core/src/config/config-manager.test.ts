import { describe, expect, it } from 'vitest';
import type { BackendCapabilities } from '../backend/backend.js';
import type { WeightStorage } from '../backend/weight-storage.js';
import { InsufficientMemoryError } from '../errors/insufficient-memory-error.js';
import { UnsupportedSettingError } from '../errors/unsupported-setting-error.js';
import type { MemoryEstimate } from '../plugin/memory-estimate.js';
import { fakeHardwareSnapshot } from '../plugin-manager/__fixtures__/fake-hardware.js';
import { ConfigManager } from './config-manager.js';

const GiB = 2 ** 30;

/** Estimates of a 1e9-parameter model: 4, 2, 2, 1, 0.5 bytes per parameter, plus 0.5 GiB of runtime. */
const estimates: MemoryEstimate[] = (
  [
    ['float32', 4],
    ['bfloat16', 2],
    ['float16', 2],
    ['int8', 1],
    ['int4', 0.5],
  ] as Array<[WeightStorage, number]>
).map(([storage, bytes]) => ({
  storage,
  parameters: 1e9,
  weightBytes: 1e9 * bytes,
  runtimeBytes: 0.5 * GiB,
  contextLength: 4096,
  totalBytes: 1e9 * bytes + 0.5 * GiB,
}));

const cpu = (extra: Partial<BackendCapabilities> = {}): BackendCapabilities => ({
  weightStorage: ['float32', 'bfloat16', 'float16', 'int8', 'int4'],
  lazy: false,
  device: 'cpu',
  ...extra,
});

describe('ConfigManager', () => {
  const manager = new ConfigManager({ reserveBytes: 0 });

  it('prefers float32 when it fits', () => {
    const choice = manager.choose({ estimates, hardware: fakeHardwareSnapshot(16 * GiB), backends: [{ capabilities: cpu() }] });
    expect(choice).toMatchObject({ device: 'cpu', storage: 'float32', availableBytes: 16 * GiB });
    expect(choice.estimate.totalBytes).toBe(4e9 + 0.5 * GiB);
    expect(choice.reason).toBe(
      'float32 on cpu, the most precise option: the model needs 4.23 GiB of 16.00 GiB available (free host memory less a 0 B reserve).',
    );
    expect(choice.alternatives.map((a) => [a.storage, a.fits])).toEqual([
      ['float32', true],
      ['bfloat16', true],
      ['float16', true],
      ['int8', true],
      ['int4', true],
    ]);
  });

  it('falls back to the half type, then int8, as memory shrinks', () => {
    // float32 needs 4e9 + 0.5 GiB = 4.23 GiB; bfloat16 2e9 + 0.5 GiB = 2.36 GiB; int8 1.43 GiB; int4 988.8 MiB.
    const at = (free: number, preferredHalf?: 'bfloat16' | 'float16') =>
      manager.choose({ estimates, hardware: fakeHardwareSnapshot(free), backends: [{ capabilities: cpu() }], preferredHalf }).storage;
    expect(at(3 * GiB)).toBe('bfloat16');
    expect(at(3 * GiB, 'float16')).toBe('float16');
    expect(at(2 * GiB)).toBe('int8');
    expect(at(1 * GiB)).toBe('int4');
  });

  it('only weighs storage types the backend supports', () => {
    const choice = manager.choose({
      estimates,
      hardware: fakeHardwareSnapshot(3 * GiB),
      backends: [{ capabilities: cpu({ weightStorage: ['float32', 'int8'] }) }],
    });
    expect(choice.storage).toBe('int8');
    expect(choice.reason).toContain('More precise options do not fit (float32 on cpu needs 4.23 GiB of 3.00 GiB)');
  });

  it("caps memory with the backend's limit, less what it holds", () => {
    const choice = manager.choose({
      estimates,
      hardware: fakeHardwareSnapshot(64 * GiB),
      backends: [{ capabilities: cpu({ maxBytes: 4 * GiB }), allocatedBytes: 1 * GiB }],
    });
    expect(choice.storage).toBe('bfloat16');
    expect(choice.availableBytes).toBe(3 * GiB);
    expect(choice.alternatives[0].limitedBy).toBe("the backend's limit of 4.00 GiB (1.00 GiB in use)");
  });

  it('caps memory with the global limit and keeps the default reserve', () => {
    const withReserve = new ConfigManager();
    const choice = withReserve.choose({ estimates, hardware: fakeHardwareSnapshot(5 * GiB), backends: [{ capabilities: cpu() }] });
    expect(choice.availableBytes).toBe(4.5 * GiB); // 5 GiB free less the 512 MiB reserve
    const limited = withReserve.choose({
      estimates,
      hardware: fakeHardwareSnapshot(64 * GiB),
      backends: [{ capabilities: cpu() }],
      memoryLimitBytes: 2 * GiB,
    });
    expect(limited).toMatchObject({ storage: 'int8', availableBytes: 2 * GiB });
    expect(limited.alternatives[0].limitedBy).toBe('limits.memoryBytes');
  });

  it('prefers a GPU whose free memory fits, measured by nvidia-smi', () => {
    const gpu = { index: 0, name: 'Test GPU', memoryTotalBytes: 8 * GiB, memoryFreeBytes: 3 * GiB };
    const choice = manager.choose({
      estimates,
      hardware: fakeHardwareSnapshot(32 * GiB, [gpu]),
      backends: [{ capabilities: cpu() }, { capabilities: cpu({ device: 'gpu' }) }],
    });
    expect(choice).toMatchObject({ device: 'gpu', storage: 'bfloat16', availableBytes: 3 * GiB });
  });

  it('lets overrides win when they fit', () => {
    const choice = manager.choose({
      estimates,
      hardware: fakeHardwareSnapshot(16 * GiB),
      backends: [{ capabilities: cpu() }],
      storage: 'int4',
    });
    expect(choice.storage).toBe('int4');
    expect(choice.reason).toBe('int4 on cpu as requested: the model needs 988.8 MiB of 16.00 GiB available (free host memory less a 0 B reserve).');
  });

  it('refuses an override that cannot fit, with the numbers', () => {
    let error: unknown;
    try {
      manager.choose({ estimates, hardware: fakeHardwareSnapshot(3 * GiB), backends: [{ capabilities: cpu() }], storage: 'float32' });
    } catch (e) {
      error = e;
    }
    expect(InsufficientMemoryError.isInstance(error)).toBe(true);
    const e = error as InsufficientMemoryError;
    expect(e.neededBytes).toBe(4e9 + 0.5 * GiB);
    expect(e.availableBytes).toBe(3 * GiB);
    expect(e.message).toBe(
      'Not enough memory to load the model on cpu with float32 weights: it needs 4.23 GiB (4536870912 bytes) but only ' +
        '3.00 GiB (3221225472 bytes) is available (limited by free host memory less a 0 B reserve). ' +
        'Drop the device/storage override to let PIO pick one that fits, free memory, or use a smaller model.',
    );
  });

  it('refuses when nothing fits, naming the smallest option', () => {
    let error: unknown;
    try {
      manager.choose({ estimates, hardware: fakeHardwareSnapshot(0.5 * GiB), backends: [{ capabilities: cpu() }] });
    } catch (e) {
      error = e;
    }
    expect(InsufficientMemoryError.isInstance(error)).toBe(true);
    expect((error as InsufficientMemoryError).storage).toBe('int4');
    expect((error as InsufficientMemoryError).neededBytes).toBe(0.5e9 + 0.5 * GiB);
  });

  it('refuses a device or storage that is not available', () => {
    expect(() => manager.choose({ estimates, hardware: fakeHardwareSnapshot(16 * GiB), backends: [{ capabilities: cpu() }], device: 'gpu' })).toThrow(
      expect.objectContaining({ code: 'PIO_UNSUPPORTED_SETTING', setting: 'device', supported: ['cpu'] }),
    );
    let error: unknown;
    try {
      manager.choose({
        estimates,
        hardware: fakeHardwareSnapshot(16 * GiB),
        backends: [{ capabilities: cpu({ weightStorage: ['float32'] }) }],
        storage: 'int4',
      });
    } catch (e) {
      error = e;
    }
    expect(UnsupportedSettingError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('The storage "int4" is not available; choose one of: float32.');
  });
});
