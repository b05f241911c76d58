import type { CliCommand, CommandContext } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { numberFlag, parseCommandArgs } from './parse-command-args.js';
import { loadModel } from './load-model.js';
import { hostFlagsOf, MODEL_FLAGS, MODEL_FLAGS_HELP } from './model-flags.js';
import { modelRootsOf } from './model-roots.js';
import { formatBytesShort } from '../render/format-bytes-short.js';
import { runBenchCompare, type BenchCompareDeps } from './bench-compare.js';
import { runBenchEngineChild } from './bench-engine-child.js';
import { syntheticPrompt } from './synthetic-prompt.js';

/** Result of one benchmark run. */
interface BenchRun {
  promptTokens: number;
  completionTokens: number;
  timeToFirstTokenMs: number;
  totalMs: number;
}

const FLAGS = {
  ...MODEL_FLAGS,
  'prompt-tokens': { type: 'string' },
  'max-tokens': { type: 'string' },
  runs: { type: 'string' },
  json: { type: 'boolean' },
  compare: { type: 'string' },
  shape: { type: 'string' },
  threads: { type: 'string' },
  layers: { type: 'string' },
  bandwidth: { type: 'string' },
  dir: { type: 'string' },
  warmup: { type: 'string' },
  // hidden: one engine run of --compare, started by the parent `pio bench`
  'engine-child': { type: 'string' },
} as const;

const HELP = `Usage: pio bench --model <folder|org/name> [options]
       pio bench --compare node-llama-cpp [--shape qwen3-0.6b] [--storage float32,float16,q8_0] [options]
       pio bench --compare node-llama-cpp --model <Qwen3-VL folder|org/name> [options]

Loads the model, runs one warm-up, then --runs greedy generations of a synthetic prompt and
reports the averages: prefill tokens/s (prompt tokens / time to first token), decode tokens/s,
time to first token, and the peak resident memory of the process.

With --compare node-llama-cpp: PIO on the ggml backend side by side with node-llama-cpp on the
same weights, written as a GGUF per storage: random Qwen3 weights of --shape, or with --model
the text decoder of a Qwen3-VL folder, which PIO then runs through its plugin. Each engine runs in its own process: one
prefill of the prompt, then greedy decode steps. Prints prefill and median decode tokens/s, the
ratios PIO / node-llama-cpp, decode GB/s as a share of the memory-bandwidth limit, and how many
greedy tokens the engines agree on. The comparison is a development tool: it needs @pio/bench,
PIO's benchmark harness, which is not published, so it runs from a clone of the PIO repository
(pnpm install there also does npm install node-llama-cpp@3.22.1 for the harness).

Options:
${MODEL_FLAGS_HELP}
  --prompt-tokens <n>  Approximate prompt length (default 128)
  --max-tokens <n>     New tokens per run (default 32; 64 with --compare)
  --runs <n>           Measured runs (default 3)
  --json               Print the results as JSON
  -h, --help           Show this help

Options of --compare (with --storage a comma-separated list of float32, float16, q8_0, q4_0;
default float32,float16,q8_0):
  --compare <engine>   node-llama-cpp
  --shape <name>       qwen3-0.6b (default) or tiny (2 layers, hidden 64: seconds)
  --layers <n>         Decoder layers (default: the shape's)
  --threads <n>        CPU threads of both engines (default 2; with --model every core)
  --bandwidth <GB/s>   Memory-bandwidth limit the decode figures are compared with (default 31)
  --dir <folder>       Keep the GGUF files there and reuse them (default: a temporary folder)
  --kv-cache <t>       KV cache type of both engines: float16 (default, node-llama-cpp's) or float32
  --runs <n>           Runs of each engine per storage, alternating; the median is reported (default 1)
  --warmup <n>         Untimed greedy steps each engine generates first, in the same process (default 8; 0: none)`;

/**
 * Creates `pio bench`; `deps` replaces how node-llama-cpp is imported and how the engine processes are started
 * (tests inject them).
 */
export function createBenchCommand(deps: Partial<BenchCompareDeps> = {}): CliCommand {
  const compareDeps: BenchCompareDeps = {
    ...deps,
    // this same binary (process.argv[1] is the script node runs), with the flags node was started with
    childCommand: deps.childCommand ?? (() => ({ command: process.execPath, args: [...process.execArgv, process.argv[1] ?? '', 'bench', '--engine-child'] })),
  };
  return {
    name: 'bench',
    summary: 'Measure prefill and decode tokens/s (or compare with node-llama-cpp)',
    help: HELP,
    run: async (context) => {
      const { values } = parseCommandArgs('bench', context.args, FLAGS);
      if (values['engine-child'] !== undefined) return runBenchEngineChild(context, values['engine-child'], compareDeps);
      if (values.compare !== undefined) return runBenchCompare(context, { ...values, compare: values.compare }, compareDeps);
      return runBench(context, values);
    },
  };
}

/** `pio bench`: prefill and decode speed, time to first token, peak memory; or the comparison with node-llama-cpp. */
export const benchCommand: CliCommand = createBenchCommand();

type BenchValues = ReturnType<typeof parseCommandArgs<typeof FLAGS>>['values'];

async function runBench(context: CommandContext, values: BenchValues): Promise<number> {
  const { io, out, err, services } = context;
  const compareOnly = (['shape', 'layers', 'bandwidth', 'dir'] as const).find((flag) => values[flag] !== undefined);
  if (compareOnly) throw new CliUsageError('bench', `--${compareOnly} needs --compare node-llama-cpp`);
  if (!values.model) throw new CliUsageError('bench', '--model is required');
  const promptTokens = numberFlag('bench', 'prompt-tokens', values['prompt-tokens'], 'int') ?? 128;
  const maxTokens = numberFlag('bench', 'max-tokens', values['max-tokens'], 'int') ?? 32;
  const runs = numberFlag('bench', 'runs', values.runs, 'int') ?? 3;
  if (promptTokens < 1 || maxTokens < 1 || runs < 1) throw new CliUsageError('bench', '--prompt-tokens, --max-tokens and --runs must be at least 1');
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  sampler.unref();
  const host = services.createHost({
    modelRoots: modelRootsOf(io.cwd, [values.model]),
    ...hostFlagsOf('bench', values),
  });
  try {
    const loadStarted = performance.now();
    const model = await loadModel(host, err, { id: values.model, source: values.model, ...(values.plugin ? { pluginId: values.plugin } : {}) });
    const loadMs = performance.now() - loadStarted;
    const prompt = syntheticPrompt(model.plugin.tokenize.bind(model.plugin), promptTokens);
    const run = async (): Promise<BenchRun> => {
      const started = performance.now();
      let first: number | undefined;
      let completionTokens = 0;
      for await (const delta of model.plugin.streamText(prompt, { chat: false, temperature: 0, maxNewTokens: maxTokens, eosTokenIds: [] })) {
        first ??= performance.now() - started;
        completionTokens += delta.tokens.length;
      }
      return { promptTokens: model.plugin.tokenize(prompt).length, completionTokens, timeToFirstTokenMs: first ?? 0, totalMs: performance.now() - started };
    };
    err.info('Warm-up run');
    await run();
    const results: BenchRun[] = [];
    for (let i = 0; i < runs; i++) {
      results.push(await run());
      err.info(`Run ${i + 1}/${runs} done`);
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const mean = (pick: (r: BenchRun) => number): number => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
    const ttft = mean((r) => r.timeToFirstTokenMs);
    const decodeMs = mean((r) => r.totalMs - r.timeToFirstTokenMs);
    const decoded = mean((r) => Math.max(0, r.completionTokens - 1));
    const summary = {
      model: values.model,
      plugin: model.pluginName,
      runs,
      load_ms: round(loadMs),
      prompt_tokens: Math.round(mean((r) => r.promptTokens)),
      completion_tokens: Math.round(mean((r) => r.completionTokens)),
      time_to_first_token_ms: round(ttft),
      prefill_tokens_per_second: round((mean((r) => r.promptTokens) * 1000) / Math.max(ttft, 1e-6)),
      decode_tokens_per_second: decoded > 0 ? round((decoded * 1000) / Math.max(decodeMs, 1e-6)) : null,
      peak_rss_bytes: peakRss,
    };
    if (values.json) {
      out.line(JSON.stringify(summary));
      return 0;
    }
    out.line(`${out.style('bold', 'Model')}            ${summary.model} (${summary.plugin}), loaded in ${(loadMs / 1000).toFixed(2)} s`);
    out.line(`Prompt           ${summary.prompt_tokens} tokens, ${summary.completion_tokens} new tokens, ${runs} runs`);
    out.line(`Prefill          ${summary.prefill_tokens_per_second} tokens/s`);
    out.line(`Decode           ${summary.decode_tokens_per_second ?? '-'} tokens/s`);
    out.line(`First token      ${summary.time_to_first_token_ms} ms`);
    out.line(`Peak memory      ${formatBytesShort(peakRss)} (process RSS)`);
    return 0;
  } finally {
    clearInterval(sampler);
    await host.close();
  }
}

const round = (value: number): number => Math.round(value * 10) / 10;
