import type { GpuInfo } from './hardware-snapshot.js';
import type { CommandRunner } from './run-command.js';

const MIB = 2 ** 20;

/** Arguments passed to `nvidia-smi`: name, total and free memory (MiB), one GPU per line. */
export const NVIDIA_SMI_ARGS: readonly string[] = ['--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits'];

/**
 * Lists NVIDIA GPUs with `nvidia-smi`. Resolves with an empty list when `nvidia-smi` is missing or fails,
 * and skips lines it cannot parse.
 *
 * @param run - runs `nvidia-smi` (injectable for tests).
 */
export async function queryNvidiaGpus(run: CommandRunner): Promise<GpuInfo[]> {
  let stdout: string;
  try {
    stdout = await run('nvidia-smi', NVIDIA_SMI_ARGS);
  } catch {
    return [];
  }
  const gpus: GpuInfo[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    // "NVIDIA GeForce RTX 4090, 24564, 23817" — the name may itself contain commas, so read the numbers from the end.
    const parts = line.split(',').map((part) => part.trim());
    if (parts.length < 3) continue;
    const free = Number(parts[parts.length - 1]);
    const total = Number(parts[parts.length - 2]);
    const name = parts.slice(0, -2).join(', ');
    if (!Number.isFinite(total) || !Number.isFinite(free) || name === '') continue;
    gpus.push({ index: gpus.length, name, memoryTotalBytes: total * MIB, memoryFreeBytes: free * MIB });
  }
  return gpus;
}
