import { NodeLlamaCppMissingError } from '@pio/bench';
import { BenchHarnessMissingError } from '../errors/bench-harness-missing-error.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import { captureIo } from '../testing/capture-io.js';
import { commandContext } from '../testing/command-context.js';
import { createFakeServices } from '../testing/fake-services.js';
import { createBenchCommand } from './bench-command.js';

const run = async (argv: string[]) => {
  const io = captureIo();
  const code = await runCli(argv, { io, services: () => createFakeServices(), version: '0.0.0' });
  return { code, ...io.output };
};

describe('pio bench --compare (flags and refusals, no engine runs)', () => {
  it('documents the comparison in --help', async () => {
    const { code, stdout } = await run(['bench', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--compare <engine>',
      '--shape <name>',
      '--layers <n>',
      '--threads <n>',
      '--bandwidth <GB/s>',
      '--dir <folder>',
      'npm install node-llama-cpp@3.22.1',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).not.toContain('engine-child');
  });

  it.each([
    [['--compare', 'llamafile'], "--compare supports only node-llama-cpp, got 'llamafile'"],
    [['--compare', 'node-llama-cpp', '--shape', 'qwen3-72b'], "--shape must be one of qwen3-0.6b, tiny, got 'qwen3-72b'"],
    [
      ['--compare', 'node-llama-cpp', '--storage', 'float32,bfloat16'],
      "--storage takes a comma-separated list of float32, float16, q8_0, q4_0, got 'bfloat16'",
    ],
    [['--compare', 'node-llama-cpp', '--threads', '0'], '--threads must be at least 1'],
    [['--compare', 'node-llama-cpp', '--threads', 'abc'], "--threads must be an integer, got 'abc'"],
    [['--compare', 'node-llama-cpp', '--threads', '2147483648'], '--threads must be at most 2147483647, got 2147483648'],
    [['--compare', 'node-llama-cpp', '--layers', 'two'], "--layers must be an integer, got 'two'"],
    [['--compare', 'node-llama-cpp', '--bandwidth', '0'], '--bandwidth must be positive (GB/s)'],
    [['--compare', 'node-llama-cpp', '--model', 'org/echo', '--layers', '2'], "--layers sets the random decoder; with --model the model's own shape is used"],
    [['--compare', 'node-llama-cpp', '--model', 'org/echo', '--threads', '999'], "with --model, PIO's ggml backend uses every core"],
    [['--model', 'org/echo', '--shape', 'tiny'], '--shape needs --compare node-llama-cpp'],
  ])('refuses %j as a usage error', async (args, message) => {
    const { code, stderr } = await run(['bench', ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('(see `pio bench --help`)');
  });

  it('refuses a model folder that is not a Qwen3 or GLM-4.7-Flash with a typed error (exit 1)', async () => {
    // the fake services resolve org/echo to /models/org/echo, which has no config.json
    const { code, stderr } = await run(['bench', '--compare', 'node-llama-cpp', '--model', 'org/echo']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'pio: The model at /models/org/echo cannot be compared with node-llama-cpp: its config.json could not be read. Only Qwen3 and ' +
        'Qwen3-VL text decoders (model_type qwen3, qwen3_vl) and GLM-4.7-Flash (glm4_moe_lite) can be; use --shape for random weights instead.' +
        " (cause: ENOENT: no such file or directory, open '/models/org/echo/config.json')\n",
    );
  });

  it('says how to install node-llama-cpp when it is missing, before starting any engine', async () => {
    const command = createBenchCommand({
      importNodeLlamaCpp: () => Promise.reject(Object.assign(new Error("Cannot find package 'node-llama-cpp'"), { code: 'ERR_MODULE_NOT_FOUND' })),
      childCommand: () => ({ command: 'false', args: [] }),
    });
    const context = commandContext(['--compare', 'node-llama-cpp', '--shape', 'tiny']);
    const error = await command.run(context).catch((e: unknown) => e);
    expect(NodeLlamaCppMissingError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('npm install node-llama-cpp@3.22.1');
    expect(context.io.output.stdout).toBe('');
    expect(context.io.output.stderr).not.toContain('Running');
  });
});

describe('pio bench --compare without the benchmark harness (a published install)', () => {
  it('says the comparison runs from the PIO repository, before parsing its flags or starting an engine', async () => {
    const command = createBenchCommand({
      importBenchHarness: () =>
        Promise.reject(
          Object.assign(new Error("Cannot find package '@pio/bench' imported from /app/node_modules/@pio/cli/dist/cli.js"), { code: 'ERR_MODULE_NOT_FOUND' }),
        ),
      childCommand: () => ({ command: 'false', args: [] }),
    });
    const context = commandContext(['--compare', 'node-llama-cpp', '--shape', 'tiny']);
    const error = await command.run(context).catch((e: unknown) => e);
    expect(BenchHarnessMissingError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('not published');
    expect((error as Error).message).toContain('pnpm pio bench --compare node-llama-cpp');
    expect(context.io.output.stdout).toBe('');
    expect(context.io.output.stderr).not.toContain('Running');
  });

  it('rethrows an import failure that is not the missing harness', async () => {
    const broken = new SyntaxError('Unexpected token');
    const command = createBenchCommand({ importBenchHarness: () => Promise.reject(broken), childCommand: () => ({ command: 'false', args: [] }) });
    const context = commandContext(['--compare', 'node-llama-cpp']);
    await expect(command.run(context)).rejects.toBe(broken);
  });
});
