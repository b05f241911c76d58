import type { CliCommand, CommandContext } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { numberFlag, parseCommandArgs } from './parse-command-args.js';
import { loadModel } from './load-model.js';
import { MODEL_FLAGS, MODEL_FLAGS_HELP } from './model-flags.js';
import { modelRootsOf } from './model-roots.js';
import { formatBytesShort } from '../render/format-bytes-short.js';

/** Result of one benchmark run. */
interface BenchRun {
  promptTokens: number;
  completionTokens: number;
  timeToFirstTokenMs: number;
  totalMs: number;
}

/** `pio bench`: prefill and decode speed, time to first token, peak memory. */
export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Measure prefill and decode tokens/s, time to first token and peak memory',
  help: `Usage: pio bench --model <folder|org/name> [options]

Loads the model, runs one warm-up, then --runs greedy generations of a synthetic prompt and
reports the averages: prefill tokens/s (prompt tokens / time to first token), decode tokens/s,
time to first token, and the peak resident memory of the process.

Options:
${MODEL_FLAGS_HELP}
  --prompt-tokens <n>  Approximate prompt length (default 128)
  --max-tokens <n>     New tokens per run (default 32)
  --runs <n>           Measured runs (default 3)
  --json               Print the results as JSON
  -h, --help           Show this help`,
  run: runBench,
};

async function runBench(context: CommandContext): Promise<number> {
  const { args, io, out, err, services } = context;
  const { values } = parseCommandArgs('bench', args, {
    ...MODEL_FLAGS,
    'prompt-tokens': { type: 'string' },
    'max-tokens': { type: 'string' },
    runs: { type: 'string' },
    json: { type: 'boolean' },
  });
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
    ...(values.device ? { device: values.device } : {}),
    ...(values.storage ? { storage: values.storage } : {}),
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

/** A prompt of about `tokens` tokens, built from plain words. */
function syntheticPrompt(tokenize: (text: string) => number[], tokens: number): string {
  const words = ['the', 'model', 'reads', 'a', 'long', 'prompt', 'about', 'rivers', 'and', 'mountains'];
  let text = '';
  for (let i = 0; tokenize(text).length < tokens && i < tokens * 4; i++) text += `${words[i % words.length]} `;
  return text.trim();
}

const round = (value: number): number => Math.round(value * 10) / 10;
