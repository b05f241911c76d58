import type { HardwareAnalyzer } from '../../hardware/hardware-analyzer.js';
import type { GpuInfo, HardwareSnapshot } from '../../hardware/hardware-snapshot.js';

/** A fixed hardware snapshot: `freeBytes` of host memory, optional GPUs. */
export function fakeHardwareSnapshot(freeBytes: number, gpus: GpuInfo[] = []): HardwareSnapshot {
  return {
    platform: 'linux',
    arch: 'x64',
    cpu: { model: 'Test CPU', cores: 2 },
    memory: { totalBytes: freeBytes * 2, freeBytes },
    gpus,
    engines: [],
  };
}

/** A {@link HardwareAnalyzer} that always reports {@link fakeHardwareSnapshot}. */
export function fakeHardware(freeBytes: number, gpus: GpuInfo[] = []): HardwareAnalyzer {
  return { analyze: async () => fakeHardwareSnapshot(freeBytes, gpus) };
}
