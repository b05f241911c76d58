import os from 'node:os';
import { detectTfjsEngines } from './detect-tfjs-engines.js';
import type { HardwareSnapshot } from './hardware-snapshot.js';
import { queryNvidiaGpus } from './query-nvidia-gpus.js';
import { createCommandRunner, type CommandRunner } from './run-command.js';

/** Describes the machine; the `PluginManager` asks it before loading a model. */
export interface HardwareAnalyzer {
  /** A fresh snapshot (free memory changes over time, so nothing is cached). */
  analyze(): Promise<HardwareSnapshot>;
}

/** The host facts the analyzer reads; defaults to `node:os` and `process`. Injectable for tests. */
export interface SystemInfo {
  cpus(): ReadonlyArray<{ model: string }>;
  totalmem(): number;
  freemem(): number;
  platform: string;
  arch: string;
}

/** Options of {@link createHardwareAnalyzer}. */
export interface HardwareAnalyzerOptions {
  /** Runs `nvidia-smi`; default runs it with `execFile` (no shell) and a 5 s limit. */
  runCommand?: CommandRunner;
  /** Host facts; default `node:os`. */
  system?: SystemInfo;
  /** Folder TensorFlow.js engines are resolved from; default `process.cwd()`. */
  resolveFrom?: string;
}

/**
 * Creates a {@link HardwareAnalyzer} reporting CPU, host memory, NVIDIA GPUs (through `nvidia-smi`) and which
 * TensorFlow.js engines are installed.
 */
export function createHardwareAnalyzer(options: HardwareAnalyzerOptions = {}): HardwareAnalyzer {
  const run = options.runCommand ?? createCommandRunner();
  const system: SystemInfo = options.system ?? {
    cpus: () => os.cpus(),
    totalmem: () => os.totalmem(),
    freemem: () => os.freemem(),
    platform: process.platform,
    arch: process.arch,
  };
  const resolveFrom = options.resolveFrom ?? process.cwd();
  return {
    async analyze() {
      const cpus = system.cpus();
      return {
        platform: system.platform,
        arch: system.arch,
        cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
        memory: { totalBytes: system.totalmem(), freeBytes: system.freemem() },
        gpus: await queryNvidiaGpus(run),
        engines: detectTfjsEngines(resolveFrom),
      };
    },
  };
}
