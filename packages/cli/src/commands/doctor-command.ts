import type { CliCommand } from './command.js';
import { parseCommandArgs } from './parse-command-args.js';
import { formatBytesShort } from '../render/format-bytes-short.js';
import type { DoctorReport } from '../services/cli-services.js';

/** `pio doctor`: the machine, the engines installed, and what to install for more speed. */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'Check hardware, installed engines and CUDA; suggest what to install',
  help: `Usage: pio doctor [--json]

Reports the CPU, memory, NVIDIA GPUs (through nvidia-smi), whether the ggml backend can start,
which TensorFlow.js engines are installed, and what to install to run faster.

Options:
  --json     Print the report as JSON
  -h, --help Show this help`,
  async run({ args, out, services }) {
    const { values } = parseCommandArgs('doctor', args, { json: { type: 'boolean' } });
    const report = await services.analyzeHardware();
    const advice = adviceFor(report);
    if (values.json) {
      out.line(JSON.stringify({ ...report, advice }, null, 2));
      return 0;
    }
    const ok = (text: string): string => out.style('green', text);
    const no = (text: string): string => out.style('yellow', text);
    out.line(`${out.style('bold', 'System')}   ${report.platform}-${report.arch}, Node ${report.node}`);
    out.line(`CPU      ${report.cpu.model} (${report.cpu.cores} cores)`);
    out.line(`Memory   ${formatBytesShort(report.memory.freeBytes)} free of ${formatBytesShort(report.memory.totalBytes)}`);
    if (report.gpus.length === 0) out.line(`GPU      ${no('none found (no NVIDIA GPU, or nvidia-smi missing): CUDA not available')}`);
    for (const gpu of report.gpus)
      out.line(`GPU ${gpu.index}    ${gpu.name}, ${formatBytesShort(gpu.memoryFreeBytes)} free of ${formatBytesShort(gpu.memoryTotalBytes)} ${ok('(CUDA)')}`);
    out.line(out.style('bold', 'Engines'));
    for (const engine of report.engines) {
      out.line(`  ${engine.packageName.padEnd(34)} ${engine.installed ? ok(`installed ${engine.version ?? ''}`.trim()) : no('not installed')}`);
    }
    out.line(out.style('bold', 'Advice'));
    for (const line of advice) out.line(`  - ${line}`);
    return 0;
  },
};

/** What to install or change for more speed, given a report: advice for the backend the CLI would use. */
export function adviceFor(report: DoctorReport): string[] {
  const installed = (name: string): boolean => report.engines.some((e) => e.packageName === name && e.installed);
  const ggml = report.engines.find((e) => e.packageName === '@pio/backend-ggml' && e.installed);
  const advice: string[] = [];
  if (ggml) {
    // ggml runs (pio's default backend): TensorFlow.js engines would not be used, so none is recommended.
    const cuda =
      report.platform === 'linux' || report.platform === 'win32'
        ? `@node-llama-cpp/${report.platform === 'win32' ? 'win' : 'linux'}-${report.arch}-cuda`
        : undefined;
    if (report.gpus.length > 0 && ggml.version === 'ggml-cpu' && cuda) {
      advice.push(
        `An NVIDIA GPU is present but ggml runs on the CPU: \`npm install ${cuda}@3.22.1\` next to @pio/backend-ggml (GPU builds are opt-in), then run with \`--device gpu\`.`,
      );
    }
  } else {
    advice.push('`npm install @pio/backend-ggml` for the ggml backend (quantized weights, all cores; many times faster than TensorFlow.js on a CPU).');
    if (report.gpus.length > 0 && !installed('@tensorflow/tfjs-node-gpu')) {
      advice.push('An NVIDIA GPU is present: `npm install @tensorflow/tfjs-node-gpu` (needs CUDA and cuDNN) to run on it.');
    }
    if (!installed('@tensorflow/tfjs-node') && !installed('@tensorflow/tfjs-node-gpu')) {
      advice.push('`npm install @tensorflow/tfjs-node` for native CPU kernels (much faster than the wasm engine).');
    }
    if (!installed('@tensorflow/tfjs-backend-wasm')) advice.push('`npm install @tensorflow/tfjs-backend-wasm` for the portable SIMD CPU engine.');
  }
  if (report.memory.freeBytes < 4 * 2 ** 30) advice.push('Less than 4 GB of memory is free: prefer int8/int4 weight storage (`--storage int8`).');
  if (advice.length === 0)
    advice.push(
      `Nothing to add: ${ggml ? `pio runs on ggml (${ggml.version ?? 'installed'}), the fastest backend for this machine` : 'the fastest engine for this machine is installed'}.`,
    );
  return advice;
}
