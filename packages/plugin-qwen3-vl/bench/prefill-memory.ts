/**
 * Peak resident memory and speed of a prompt's prefill against its length, with chunked prefill (512 positions, the
 * default) and in one pass (chunk = the prompt), on the committed tiny Qwen3-VL fixture and ggml. Each measurement
 * runs in its own process (`BENCH_PROMPT`, `BENCH_CHUNK` set: one run; unset: the driver). Prints a Markdown table.
 * The fixture is tiny (hidden 64, 4 layers), so the figures show how memory grows with the prompt (the mask and the
 * attention scores of a pass), not a real model's absolute numbers.
 *
 *   node --conditions=@pio/source --import ../../scripts/register-ts.mjs bench/prefill-memory.ts [lengths...]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createGgmlBackend } from '@pio/backend-ggml';
import { createQwen3VLPlugin } from '../src/qwen3-vl-plugin.js';
import { FIXTURE_DIR } from '../src/testing/golden.js';
import { processMemory } from './process-memory.js';

interface Run {
  prompt: number;
  chunk: number;
  seconds: number;
  /** Peak RSS during the prefill, and the RSS after loading. */
  peak: number;
  loaded: number;
}

async function one(prompt: number, chunk: number): Promise<Run> {
  const backend = await createGgmlBackend({ threads: 2 });
  const { model } = await createQwen3VLPlugin.loadModel(backend, FIXTURE_DIR, { contextLength: prompt + 1, prefillChunkSize: chunk });
  const ids = Array.from({ length: prompt }, (_, i) => (i * 7919) % 1000); // text ids of the tiny vocab
  const loaded = processMemory.rss();
  processMemory.resetPeak();
  const start = performance.now();
  const session = model.createSession({ inputIds: [ids], attentionMask: [ids.map(() => 1)] });
  const logits = await session.prefill();
  await logits.data();
  const seconds = (performance.now() - start) / 1000;
  const peak = processMemory.peak();
  logits.dispose();
  session.dispose();
  model.dispose();
  backend.dispose();
  return { prompt, chunk, seconds, peak, loaded };
}

const env = process.env;
if (env.BENCH_PROMPT && env.BENCH_CHUNK) {
  console.log(`RESULT ${JSON.stringify(await one(Number(env.BENCH_PROMPT), Number(env.BENCH_CHUNK)))}`);
} else {
  const lengths = process.argv.slice(2).map(Number);
  const prompts = lengths.length > 0 ? lengths : [512, 2048, 4096, 8192, 16384];
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  console.log('| prompt | chunk | prefill tokens/s | peak RSS (MiB) | peak above loaded (MiB) |\n| --- | --- | --- | --- | --- |');
  for (const prompt of prompts) {
    for (const chunk of prompt > 512 ? [512, prompt] : [prompt]) {
      if (chunk === prompt && prompt > 8192) continue; // one pass of 16k builds a 16k x 16k mask: skipped
      const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
        env: { ...env, BENCH_PROMPT: String(prompt), BENCH_CHUNK: String(chunk) },
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      const run = JSON.parse(/RESULT (.*)/.exec(out)![1]) as Run;
      console.log(
        `| ${prompt} | ${chunk === prompt ? 'one pass' : chunk} | ${(prompt / run.seconds).toFixed(0)} | ${mib(run.peak)} | ${mib(run.peak - run.loaded)} |`,
      );
    }
  }
}
