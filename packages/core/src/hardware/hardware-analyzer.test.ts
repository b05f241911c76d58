import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { createHardwareAnalyzer, type SystemInfo } from './hardware-analyzer.js';
import { detectTfjsEngines } from './detect-tfjs-engines.js';
import { NVIDIA_SMI_ARGS, queryNvidiaGpus } from './query-nvidia-gpus.js';
import { formatBytes } from './format-bytes.js';

const MiB = 2 ** 20;

const system: SystemInfo = {
  cpus: () => [{ model: ' Test CPU @ 3GHz ' }, { model: 'Test CPU @ 3GHz' }],
  totalmem: () => 16 * 2 ** 30,
  freemem: () => 10 * 2 ** 30,
  platform: 'linux',
  arch: 'x64',
};

async function projectWith(packages: Record<string, string>): Promise<string> {
  const dir = makeTempDir('pio-hw-');
  for (const [name, version] of Object.entries(packages)) {
    await mkdir(join(dir, 'node_modules', name), { recursive: true });
    await writeFile(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
  }
  return dir;
}

describe('queryNvidiaGpus', () => {
  it('parses nvidia-smi CSV (MiB, no units), names with commas included', async () => {
    const seen: Array<[string, readonly string[]]> = [];
    const gpus = await queryNvidiaGpus(async (command, args) => {
      seen.push([command, args]);
      return 'NVIDIA GeForce RTX 4090, 24564, 23817\nNVIDIA A100-SXM4-80GB, Rev 2, 81920, 1024\n\n';
    });
    expect(seen).toEqual([['nvidia-smi', ['--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits']]]);
    expect(NVIDIA_SMI_ARGS).toEqual(seen[0][1]);
    expect(gpus).toEqual([
      { index: 0, name: 'NVIDIA GeForce RTX 4090', memoryTotalBytes: 24564 * MiB, memoryFreeBytes: 23817 * MiB },
      { index: 1, name: 'NVIDIA A100-SXM4-80GB, Rev 2', memoryTotalBytes: 81920 * MiB, memoryFreeBytes: 1024 * MiB },
    ]);
  });

  it('reports no GPU when nvidia-smi is missing or prints garbage', async () => {
    expect(await queryNvidiaGpus(async () => Promise.reject(Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' })))).toEqual([]);
    expect(await queryNvidiaGpus(async () => 'No devices were found\n')).toEqual([]);
  });
});

describe('detectTfjsEngines', () => {
  it('finds installed engines without importing them, walking up node_modules', async () => {
    const project = await projectWith({ '@tensorflow/tfjs-backend-wasm': '4.22.0', '@tensorflow/tfjs-node': '4.21.0' });
    const nested = join(project, 'packages', 'app');
    await mkdir(nested, { recursive: true });
    const engines = detectTfjsEngines(nested);
    expect(engines).toEqual([
      { packageName: '@tensorflow/tfjs-node-gpu', installed: false },
      { packageName: '@tensorflow/tfjs-node', installed: true, version: '4.21.0', path: join(project, 'node_modules', '@tensorflow/tfjs-node') },
      {
        packageName: '@tensorflow/tfjs-backend-wasm',
        installed: true,
        version: '4.22.0',
        path: join(project, 'node_modules', '@tensorflow/tfjs-backend-wasm'),
      },
      { packageName: '@tensorflow/tfjs-backend-cpu', installed: false },
    ]);
  });
});

describe('createHardwareAnalyzer', () => {
  it('returns a plain snapshot from injected sources', async () => {
    const project = await projectWith({ '@tensorflow/tfjs-backend-cpu': '4.22.0' });
    const analyzer = createHardwareAnalyzer({
      system,
      resolveFrom: project,
      runCommand: async () => 'Tesla T4, 15360, 15000\n',
    });
    const snapshot = await analyzer.analyze();
    expect(snapshot).toEqual({
      platform: 'linux',
      arch: 'x64',
      cpu: { model: 'Test CPU @ 3GHz', cores: 2 },
      memory: { totalBytes: 16 * 2 ** 30, freeBytes: 10 * 2 ** 30 },
      gpus: [{ index: 0, name: 'Tesla T4', memoryTotalBytes: 15360 * MiB, memoryFreeBytes: 15000 * MiB }],
      engines: [
        { packageName: '@tensorflow/tfjs-node-gpu', installed: false },
        { packageName: '@tensorflow/tfjs-node', installed: false },
        { packageName: '@tensorflow/tfjs-backend-wasm', installed: false },
        {
          packageName: '@tensorflow/tfjs-backend-cpu',
          installed: true,
          version: '4.22.0',
          path: join(project, 'node_modules', '@tensorflow/tfjs-backend-cpu'),
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('reads this machine with the defaults', async () => {
    const snapshot = await createHardwareAnalyzer().analyze();
    expect(snapshot.cpu.cores).toBeGreaterThan(0);
    expect(snapshot.memory.totalBytes).toBeGreaterThan(snapshot.memory.freeBytes);
    expect(snapshot.engines.map((e) => e.packageName)).toHaveLength(4);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * MiB)).toBe('300.0 MiB');
    expect(formatBytes(14.8 * 2 ** 30)).toBe('14.80 GiB');
  });
});
