import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, runPio } from '../testing/run-pio.js';

const QWEN = join(REPO_ROOT, 'packages', 'plugin-qwen3-vl', 'src', '__fixtures__', 'qwen3vl-tiny');

describe('the built pio binary compares PIO with node-llama-cpp', () => {
  beforeAll(() => ensureBuilt(['bench', 'plugin-qwen3-vl']), BUILD_TIMEOUT_MS);

  it('runs both engines in child processes on a one-layer random tiny decoder and compares their greedy tokens', async () => {
    const args = [
      'bench',
      '--compare',
      'node-llama-cpp',
      '--shape',
      'tiny',
      '--layers',
      '1',
      '--storage',
      'float32',
      '--threads',
      '1',
      '--prompt-tokens',
      '8',
      '--max-tokens',
      '4',
      '--json',
    ];
    const { code, stdout, stderr } = await runPio(args);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('Running node-llama-cpp with float32 weights');
    const comparison = JSON.parse(stdout);
    expect(comparison).toMatchObject({ storages: ['float32'], threads: 1, promptTokens: 8, decodeTokens: 4, shape: { name: 'tiny', layers: 1, hidden: 64 } });
    const [f32] = comparison.rows;
    // PIO chooses a token after the prefill and after each of 3 decode steps; node-llama-cpp also after the 4th
    expect(f32.pio.raw.tokens).toHaveLength(4);
    expect(f32.llama.raw.tokens).toHaveLength(5);
    expect(f32.tokensCompared).toBe(4);
    // float32: same weights and math, so the same greedy tokens
    expect(f32.tokensEqual).toBe(4);
    // 1 layer of the tiny shape, every weight float32: (1024*64 + 37024 + 64) values * 4 bytes
    expect(f32.pio.raw.weightBytes).toBe(410_496);
    expect(f32.prefillRatio).toBeGreaterThan(0);
    expect(f32.decodeRatio).toBeGreaterThan(0);
  });

  it('runs the Qwen3-VL plugin against its text decoder written as a qwen3 GGUF, with the same greedy tokens', async () => {
    const args = ['bench', '--model', QWEN, '--compare', 'node-llama-cpp', '--storage', 'float32', '--prompt-tokens', '12', '--max-tokens', '6'];
    const { code, stdout, stderr } = await runPio(args, { env: { PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') } });
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^qwen3vl-tiny text decoder \(4 layers\), model weights, prompt \d+, decode 6, after 8 warm-up steps, \d+ threads, /);
    expect(lines[1]).toMatch(
      /^\| storage +\| engine +\| prefill tok\/s +\| decode tok\/s +\| decode GB\/s \(share of 31\) +\| PIO\/llama prefill +\| PIO\/llama decode +\| greedy tokens equal +\|$/,
    );
    // interleaved MRoPE with equal positions is plain RoPE: the plugin and llama.cpp's qwen3 pick the same 7 tokens
    expect(lines[3]).toMatch(/^\| F32 +\| PIO ggml +\| [\d.]+ +\| [\d.]+ +\| [\d.]+ \(\d+%\) +\| [\d.]+ +\| [\d.]+ +\| 7 of 7 +\|$/);
    expect(lines[4]).toMatch(/^\| F32 +\| node-llama-cpp +\|/);
  });
});
