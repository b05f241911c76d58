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

  describe('a mixture-of-experts model that does not fit whole', () => {
    // 10 MoE layers x 8 experts; per storage, 1 GiB of everything else (runtime included) plus 80 experts of
    // 0.1 GiB (int8) or 0.05 GiB (int4): int8 needs 9 GiB whole, int4 5 GiB
    const moe: MemoryEstimate[] = (
      [
        ['int8', 0.1],
        ['int4', 0.05],
      ] as Array<[WeightStorage, number]>
    ).map(([storage, perExpert]) => ({
      storage,
      parameters: 1e9,
      weightBytes: 0.5 * GiB + 80 * perExpert * GiB,
      runtimeBytes: 0.5 * GiB,
      contextLength: 4096,
      totalBytes: GiB + 80 * perExpert * GiB,
      experts: { residentPerLayer: 8, perLayer: 8, layers: 10, bytesPerExpert: perExpert * GiB, minResidentPerLayer: 2 },
    }));
    const choose = (free: number, extra: { chooseExpertBudget?: boolean; storage?: WeightStorage } = {}) =>
      manager.choose({ estimates: moe, hardware: fakeHardwareSnapshot(free), backends: [{ capabilities: cpu() }], ...extra });

    it('keeps every expert when a storage fits whole, with no budget', () => {
      const choice = choose(6 * GiB, { chooseExpertBudget: true });
      expect(choice.storage).toBe('int4');
      expect(choice.expertBudget).toBeUndefined();
    });

    it('chooses the storage that keeps the most experts resident, and the estimate of that budget', () => {
      // int4: (4 GiB - 1 GiB) / (10 x 0.05 GiB) = 6 per layer; int8: 3 / 1 = 3
      const choice = choose(4 * GiB, { chooseExpertBudget: true });
      expect(choice).toMatchObject({ storage: 'int4', expertBudget: 6 });
      expect(choice.estimate.experts?.residentPerLayer).toBe(6);
      expect(choice.estimate.totalBytes).toBeCloseTo(GiB + 60 * 0.05 * GiB, 0);
      expect(choice.estimate.weightBytes).toBeCloseTo(0.5 * GiB + 60 * 0.05 * GiB, 0);
      expect(choice.reason).toMatch(
        /^int4 on cpu with 6 of 8 routed experts resident per MoE layer .*With every expert resident nothing fits \(int4 on cpu needs 5\.00 GiB\)\.$/,
      );
      // a storage asked for gets its own budget
      expect(choose(4 * GiB, { chooseExpertBudget: true, storage: 'int8' })).toMatchObject({ storage: 'int8', expertBudget: 3 });
    });

    it('refuses when even the fewest experts do not fit, or when no budget may be chosen', () => {
      // int4 with 2 per layer needs 1 + 20 x 0.05 = 2 GiB
      expect(choose(2 * GiB, { chooseExpertBudget: true })).toMatchObject({ storage: 'int4', expertBudget: 2 });
      expect(() => choose(1.9 * GiB, { chooseExpertBudget: true })).toThrow(expect.objectContaining({ code: 'PIO_INSUFFICIENT_MEMORY', storage: 'int4' }));
      expect(() => choose(4 * GiB)).toThrow(expect.objectContaining({ code: 'PIO_INSUFFICIENT_MEMORY' }));
      // estimates already made with a budget are not cut further
      const budgeted = moe.map((e) => ({ ...e, experts: { ...e.experts!, residentPerLayer: 4 } }));
      expect(() =>
        manager.choose({ estimates: budgeted, hardware: fakeHardwareSnapshot(0.5 * GiB), backends: [{ capabilities: cpu() }], chooseExpertBudget: true }),
      ).toThrow(expect.objectContaining({ code: 'PIO_INSUFFICIENT_MEMORY' }));
    });
  });
});
