import type { GgmlBinaries } from '../runtime/locate-binaries.js';
import { GgmlDeviceError } from '../errors/ggml-device-error.js';

/** Which device to compute on: `auto` prefers a GPU build and device when one is installed, else the CPU. */
export type GgmlDeviceRequest = 'auto' | 'cpu' | 'gpu' | 'cuda' | 'vulkan' | 'metal';

/** A device as ggml's backend registry reports it. */
export interface GgmlDeviceInfo {
  /** Registry name, e.g. `CPU`, `CUDA0`, `Vulkan0`, `Metal`. */
  name: string;
  /** Human description, e.g. the CPU or GPU model. */
  description: string;
  /** Device kind. */
  kind: 'cpu' | 'gpu' | 'igpu' | 'accel';
}

const DEVICE_KINDS = ['cpu', 'gpu', 'igpu', 'accel'] as const;

/** Maps `enum ggml_backend_dev_type` to {@link GgmlDeviceInfo.kind}. */
export function deviceKind(type: number): GgmlDeviceInfo['kind'] {
  return DEVICE_KINDS[type] ?? 'accel';
}

/** Picks the installed build to load for `request` (builds are ordered best first). */
export function selectBinaries(request: GgmlDeviceRequest, installed: readonly GgmlBinaries[]): GgmlBinaries | undefined {
  if (request === 'auto' || request === 'gpu') return installed[0];
  if (request === 'cpu') return installed.find((b) => b.flavor === 'cpu') ?? installed[installed.length - 1];
  return installed.find((b) => b.flavor === request);
}

/**
 * Picks the device index among `devices` for `request`: `cpu` the CPU device, a named API the first GPU whose registry
 * name starts with it (`CUDA0`, `Vulkan0`, `Metal`), `gpu` the first GPU, `auto` the first GPU or else the CPU.
 * Throws {@link GgmlDeviceError} when nothing matches.
 */
export function selectDevice(request: GgmlDeviceRequest, devices: readonly GgmlDeviceInfo[]): number {
  const isGpu = (d: GgmlDeviceInfo) => d.kind === 'gpu' || d.kind === 'igpu';
  const cpu = devices.findIndex((d) => d.kind === 'cpu');
  const gpu = devices.findIndex(isGpu);
  let index: number;
  if (request === 'cpu') index = cpu;
  else if (request === 'gpu') index = gpu;
  else if (request === 'auto') index = gpu >= 0 ? gpu : cpu;
  else index = devices.findIndex((d) => isGpu(d) && d.name.toLowerCase().startsWith(request));
  if (index < 0) throw new GgmlDeviceError({ requested: request, available: devices.map((d) => d.name) });
  return index;
}
