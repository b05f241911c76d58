// GLM-4.7-Flash at its whole depth, PIO against node-llama-cpp on the same random weights of the released widths, when
// the machine's disk cannot hold the BF16 safetensors folder (56 GiB at 47 layers) and the GGUF (15.4 GiB at Q4_0) at
// once. In order, each step a child process of its own (so peak RSS is per engine):
//   1. the folder: written by the GLM package bench if absent (random BF16, generated per tensor name; GGUFs of
//      earlier runs that leave no room for it are removed first when REMOVE_FOLDER=1);
//   2. PIO (ggml, THREADS threads, float16 KV cache) loads it in STORAGE and runs ROUNDS sessions (glm-decode-profile.ts)
//      after one untimed session:
//      prefill of PROMPT ids, then STEPS greedy steps, with PIO_BUDGET resident experts per MoE layer (default every
//      expert; set it when STORAGE does not fit in memory whole, as Q8_0 does not on 24 GiB: the others are read from
//      the shards when a token needs them, as `pio` does with `--expert-budget`); then, with BUDGET resident experts,
//      one more load and session;
//   3. the GGUF: written from the same random checkpoint (glm-write-gguf.ts --random, so the folder is not read); if
//      the disk has no room for it and REMOVE_FOLDER=1, the folder's safetensors shards and index are removed first
//      (its config.json stays; a later run writes the folder again);
//   4. node-llama-cpp runs ROUNDS times on the GGUF (glm-llama-profile.ts), the same prompt ids and steps, after one
//      untimed round that reads the mapped file into the page cache (a GGUF larger than memory stays mapped: llama.cpp
//      reads the pages a token needs from the disk, which is its way of running a model that does not fit).
// Then prints the side-by-side table: per-round and median decode step and prefill, ratios, greedy agreement, peak RSS
// against the weights PIO holds, and `uptime` before and after each engine. The engines cannot alternate (the folder
// may be gone by the time the GGUF exists): run it on a quiet machine.
// Env: GLM_ROOT (/tmp/glm47), GLM_LAYERS (47), STORAGE (q4_0), ROUNDS (3), PROMPT (128), STEPS (32), PIO_BUDGET (all),
// BUDGET (32 or `none`), THREADS (2, both engines), REMOVE_FOLDER (0). `pnpm bench:glm-whole-model` in packages/bench.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimateGlmFlashMemory } from '../../plugin-glm-flash/src/estimate-glm-flash-memory.js';
import { parseGlmFlashConfig } from '../../plugin-glm-flash/src/glm-flash-config.js';
import { threadsEnv } from '../src/threads-env.js';
import { intEnv } from '../src/int-env.js';

const env = process.env;
const here = dirname(fileURLToPath(import.meta.url));
const root = env.GLM_ROOT ?? '/tmp/glm47';
const layers = intEnv('GLM_LAYERS', 47, { what: 'decoder layers' });
const storage = env.STORAGE ?? 'q4_0';
const rounds = String(intEnv('ROUNDS', 3, { min: 1, what: 'rounds' }));
const prompt = String(intEnv('PROMPT', 128, { min: 1, what: 'prompt ids' }));
const steps = String(intEnv('STEPS', 32, { min: 1, what: 'greedy steps' }));
const budget = env.BUDGET === 'none' ? 'none' : String(intEnv('BUDGET', 32, { min: 1, what: 'resident experts per MoE layer' }));
const pioBudget = env.PIO_BUDGET === undefined ? undefined : String(intEnv('PIO_BUDGET', 64, { min: 1, what: 'resident experts per MoE layer' }));
// checked here, before hours of work; the profile scripts read the same THREADS from the inherited environment
const threads = threadsEnv();
const folder = join(root, `model-${layers}l`);
const gguf = join(root, `model-${layers}l-${storage}.gguf`);
const out = (line: string) => process.stdout.write(`${line}\n`);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

/** Runs a child to the end (its stderr shown), returns the JSON lines it printed; a failure ends this script. */
function run(label: string, command: string, args: string[], extraEnv: Record<string, string> = {}): Array<Record<string, unknown>> {
  process.stderr.write(`[${new Date().toISOString()}] ${label}\n`);
  const child = spawnSync(command, args, { env: { ...env, ...extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`${label} failed (exit ${child.status}, signal ${child.signal})`);
  return child.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
const ts = (script: string, args: string[], extraEnv?: Record<string, string>) =>
  run(
    script,
    process.execPath,
    ['--conditions=@pio/source', '--import', join(here, '../../../scripts/register-ts.mjs'), join(here, script), ...args],
    extraEnv,
  );

// 1. the folder
// (the GLM bench writes a folder unless its index exists; the shards' removal below removes the index too)
if (!existsSync(join(folder, 'model.safetensors.index.json'))) {
  // GGUFs left by earlier runs (any storage) may leave no room for the folder: each is written again from the same
  // random checkpoint when needed (step 3), so with REMOVE_FOLDER=1 they go first (the folder's config.json, which
  // those runs kept, says how large the folder is)
  const configPath = join(folder, 'config.json');
  const ggufs = existsSync(root) ? readdirSync(root).filter((f) => f.startsWith(`model-${layers}l-`) && f.endsWith('.gguf')) : [];
  if (ggufs.length > 0 && existsSync(configPath)) {
    const config = parseGlmFlashConfig(JSON.parse(readFileSync(configPath, 'utf8')));
    const need = estimateGlmFlashMemory(config, 'bfloat16').weightBytes + 2 ** 30;
    const { bavail, bsize } = statfsSync(root);
    if (bavail * bsize < need) {
      if (env.REMOVE_FOLDER !== '1')
        throw new Error(
          `no room for the folder next to ${ggufs.join(', ')} in ${root}: set REMOVE_FOLDER=1 to remove them (each is written again when needed)`,
        );
      for (const f of ggufs) rmSync(join(root, f));
    }
  }
  const writer = spawnSync(process.execPath, [join(here, '../../plugin-glm-flash/bench/run-bench.mjs')], {
    env: { ...env, BENCH_DIR: root, BENCH_PARTS: 'model', BENCH_LAYERS: String(layers), BENCH_ENGINES: 'ggml', BENCH_WRITE_ONLY: '1' },
    stdio: 'inherit',
  });
  if (writer.status !== 0) throw new Error('writing the random checkpoint failed');
}
const shards = () => readdirSync(folder).filter((f) => f.endsWith('.safetensors'));

// 2. PIO on the folder
let pio: Array<Record<string, unknown>> = [];
let budgeted: Array<Record<string, unknown>> = [];
const pioLoad = { before: '', after: '' };
if (shards().length > 0) {
  pioLoad.before = uptime();
  // one untimed round first, as node-llama-cpp gets below: under an expert budget it loads the experts the prompt
  // routes to, as node-llama-cpp's first round reads the pages its tokens need
  pio = ts('glm-decode-profile.ts', [folder, storage, prompt, steps], {
    ROUNDS: String(Number(rounds) + 1),
    ...(pioBudget === undefined ? {} : { EXPERT_BUDGET: pioBudget }),
  }).slice(1);
  if (budget !== 'none') budgeted = ts('glm-decode-profile.ts', [folder, storage, prompt, steps], { ROUNDS: '1', EXPERT_BUDGET: budget });
  pioLoad.after = uptime();
} else out(`(PIO not run: ${folder} has no safetensors shards left)`);
const results = join(root, `glm-whole-model-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
const save = (llama: Array<Record<string, unknown>>) =>
  writeFileSync(
    results,
    [
      ...pio.map((r) => ({ engine: 'pio', ...r })),
      ...budgeted.map((r) => ({ engine: 'pio-budget', ...r })),
      ...llama.map((r) => ({ engine: 'node-llama-cpp', ...r })),
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
// PIO's results are kept before the folder is removed, so a failure in the steps below does not lose them
save([]);

// 3. the GGUF, from the same random checkpoint
if (!existsSync(gguf)) {
  const folderBytes = shards().reduce((sum, f) => sum + statSync(join(folder, f)).size, 0);
  const { bavail, bsize } = statfsSync(root);
  const free = bavail * bsize;
  // BF16 → the block format: 2 bytes an element → 18/32 (Q4_0) or 34/32 (Q8_0); with 1 GiB to spare
  const need = (folderBytes > 0 ? folderBytes / 2 : 0) * (storage === 'q4_0' ? 18 / 32 : 34 / 32) + 2 ** 30;
  if (folderBytes > 0 && free < need) {
    if (env.REMOVE_FOLDER !== '1')
      throw new Error(`no room for the GGUF (${(free / 2 ** 30).toFixed(1)} GiB free): set REMOVE_FOLDER=1 to remove the folder's shards after PIO's runs`);
    for (const f of shards()) rmSync(join(folder, f));
    rmSync(join(folder, 'model.safetensors.index.json'), { force: true });
  }
  ts('glm-write-gguf.ts', [folder, root, storage, '--random']);
}

// 4. node-llama-cpp on the GGUF: it maps the file and reads pages as they are first used, so a first round right
// after the GGUF was written (or after PIO's process pushed it out of the page cache) reads the disk; that round runs
// untimed, as PIO's load is untimed
const llamaLoad = { before: uptime(), after: '' };
const llama = ts('glm-llama-profile.ts', [gguf, prompt, steps], { ROUNDS: String(Number(rounds) + 1) }).slice(1);
llamaLoad.after = uptime();
save(llama);

// the table
const num = (r: Record<string, unknown>, key: string) => Number(r[key]);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const agree = (a: unknown, b: unknown) => {
  const x = a as number[];
  const y = b as number[];
  let n = 0;
  while (n < x.length && x[n] === y[n]) n++;
  return `${n}/${x.length}`;
};
out(
  `GLM-4.7-Flash ${layers} layers, ${storage}, ${prompt}-id prompt, ${steps} greedy steps, ${threads} thread${threads === 1 ? '' : 's'}, float16 KV cache, ${rounds} rounds each`,
);
out('| engine | decode ms per step (rounds) | median | tok/s | prefill tok/s (rounds) | median | peak RSS GiB / held GiB | load before → after |');
out('| --- | --- | --- | --- | --- | --- | --- | --- |');
const row = (name: string, results: Array<Record<string, unknown>>, load: { before: string; after: string }) => {
  if (results.length === 0) return;
  const decode = results.map((r) => num(r, 'decodeMedianMs'));
  const prefill = results.map((r) => num(r, 'prefillTokS'));
  const memory = results[0].peakRssGiB === undefined ? '' : `${results.at(-1)!.peakRssGiB} / ${results[0].backendGiB}`;
  const loadOf = (u: string) => /load average: ([\d.]+)/.exec(u)?.[1] ?? '?';
  out(
    `| ${name} | ${decode.join(', ')} | **${median(decode)}** | ${(1000 / median(decode)).toFixed(2)} | ${prefill.join(', ')} | **${median(prefill)}** | ${memory} | ${loadOf(load.before)} → ${loadOf(load.after)} |`,
  );
};
row(pioBudget === undefined ? 'PIO (ggml)' : `PIO (ggml, ${pioBudget} experts resident per MoE layer)`, pio, pioLoad);
row('node-llama-cpp', llama, llamaLoad);
if (pio.length > 0 && llama.length > 0) {
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const pioDecode = median(pio.map((r) => num(r, 'decodeMedianMs')));
  const llamaDecode = median(llama.map((r) => num(r, 'decodeMedianMs')));
  out(
    `PIO / node-llama-cpp: decode ${ratio(llamaDecode, pioDecode)}x, prefill ${ratio(median(pio.map((r) => num(r, 'prefillTokS'))), median(llama.map((r) => num(r, 'prefillTokS'))))}x; ` +
      `greedy tokens equal (leading run, each round against node-llama-cpp's first): ${pio.map((r) => agree(r.toks, llama[0].toks)).join(', ')}`,
  );
}
for (const r of budgeted) {
  const experts = r.experts as { resident: number; capacity: number; loads: number; hits?: number };
  out(
    `Expert budget ${r.expertBudget} per MoE layer: decode ${r.decodeTokS} tok/s (median step ${r.decodeMedianMs} ms), prefill ${r.prefillTokS} tok/s, ` +
      `peak RSS ${r.peakRssGiB} GiB for ${r.backendGiB} GiB held, experts ${JSON.stringify(experts)}`,
  );
}
out(`every result line (tokens included): ${results}`);
out(`uptime: PIO ${pioLoad.before} → ${pioLoad.after}; node-llama-cpp ${llamaLoad.before} → ${llamaLoad.after}`);
