import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GenerateTextOptions } from '@pio/core';
import type { CliCommand, CommandContext } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { numberFlag, parseCommandArgs } from './parse-command-args.js';
import { loadModel } from './load-model.js';
import { ensureModel } from './ensure-model.js';
import { Spinner } from '../render/spinner.js';
import { hostFlagsOf, MODEL_FLAGS, MODEL_FLAGS_HELP } from './model-flags.js';
import { modelRootsOf } from './model-roots.js';

/** `pio generate`: one prompt in, streamed text out. */
export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Generate text from a prompt (streams to stdout)',
  help: `Usage: pio generate --model <folder|org/name> [options] <prompt>

Streams the answer to stdout (status goes to stderr). The prompt is sent as one chat message
with the model's chat template; "-" reads it from stdin.

Options:
${MODEL_FLAGS_HELP}
  --image <file>      Image for the prompt (repeatable; vision-language models)
  --system <text>     System message
  --max-tokens <n>    Most new tokens
  --temperature <t>   0 = greedy (default: the model's generation_config.json)
  --top-p <p>         Nucleus sampling mass
  --top-k <k>         Keep the k most likely tokens
  --seed <s>          Sampling seed
  --raw               Send the prompt as is, without the chat template
  --json              Print one JSON object: text, tokens, finish_reason, usage, timings
  -q, --quiet         No status lines
  -h, --help          Show this help`,
  run: runGenerate,
};

async function runGenerate(context: CommandContext): Promise<number> {
  const { args, io, out, err, services } = context;
  const { values, positionals } = parseCommandArgs('generate', args, {
    ...MODEL_FLAGS,
    image: { type: 'string', multiple: true },
    system: { type: 'string' },
    'max-tokens': { type: 'string' },
    temperature: { type: 'string' },
    'top-p': { type: 'string' },
    'top-k': { type: 'string' },
    seed: { type: 'string' },
    raw: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (!values.model) throw new CliUsageError('generate', '--model is required');
  let prompt = positionals.join(' ');
  if (prompt === '-') prompt = await readAll(io.stdin);
  if (prompt.trim() === '') throw new CliUsageError('generate', 'give a prompt');
  const options: GenerateTextOptions = { chat: !values.raw };
  const set = <K extends keyof GenerateTextOptions>(key: K, value: GenerateTextOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('maxNewTokens', numberFlag('generate', 'max-tokens', values['max-tokens'], 'int'));
  set('temperature', numberFlag('generate', 'temperature', values.temperature));
  set('topP', numberFlag('generate', 'top-p', values['top-p']));
  set('topK', numberFlag('generate', 'top-k', values['top-k'], 'int'));
  set('seed', numberFlag('generate', 'seed', values.seed, 'int'));
  set('system', values.system);
  if (values.image?.length) {
    options.images = await Promise.all(
      values.image.map((file) =>
        readFile(resolve(io.cwd, file)).then(
          (bytes) => new Uint8Array(bytes),
          (cause: unknown) => {
            throw new CliUsageError('generate', `cannot read image '${file}': ${(cause as Error).message}`, { cause });
          },
        ),
      ),
    );
  }

  const host = services.createHost({
    modelRoots: modelRootsOf(io.cwd, [values.model]),
    ...hostFlagsOf('generate', values),
  });
  const controller = new AbortController();
  // Ctrl-C stops the generation within one decode step (what was generated is printed, exit 130); a second one exits at once.
  const release = io.onInterrupt(() => (controller.signal.aborted ? io.exit(130) : controller.abort(new Error('Interrupted'))));
  options.signal = controller.signal;
  try {
    const loadStarted = performance.now();
    const source = await ensureModel(services, err, { source: values.model, signal: controller.signal });
    const model = await loadModel(host, err, { id: values.model, source, ...(values.plugin ? { pluginId: values.plugin } : {}), signal: controller.signal });
    const loadMs = performance.now() - loadStarted;
    const started = performance.now();
    if (values.json) {
      const result = await model.plugin.generateText(prompt, options);
      const totalMs = performance.now() - started;
      out.line(
        JSON.stringify({
          model: values.model,
          plugin: model.pluginName,
          text: result.text,
          tokens: result.tokens,
          finish_reason: result.finishReason,
          usage: { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens, total_tokens: result.usage.totalTokens },
          timings: {
            load_ms: round(loadMs),
            generate_ms: round(totalMs),
            tokens_per_second: totalMs > 0 ? round((result.usage.completionTokens * 1000) / totalMs) : null,
          },
        }),
      );
      return controller.signal.aborted ? 130 : 0;
    }
    let tokens = 0;
    let firstMs: number | undefined;
    const spinner = new Spinner(err);
    if (err.live) spinner.start('Reading the prompt');
    for await (const delta of model.plugin.streamText(prompt, options)) {
      if (firstMs === undefined) {
        firstMs = performance.now() - started;
        spinner.stop();
      }
      tokens += delta.tokens.length;
      io.stdout.write(delta.text);
    }
    spinner.stop();
    io.stdout.write('\n');
    const seconds = (performance.now() - started) / 1000;
    if (controller.signal.aborted) err.info(err.style('yellow', '(stopped)'));
    err.info(
      err.style(
        'dim',
        `${tokens} tokens in ${seconds.toFixed(2)} s (${(tokens / Math.max(seconds, 1e-9)).toFixed(1)} tok/s, first token ${((firstMs ?? 0) / 1000).toFixed(2)} s)`,
      ),
    );
    return controller.signal.aborted ? 130 : 0;
  } finally {
    release();
    await host.close();
  }
}

const round = (value: number): number => Math.round(value * 10) / 10;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').trim();
}
