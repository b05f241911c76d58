import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CliCommand, CommandContext } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { numberFlag, parseCommandArgs } from './parse-command-args.js';
import { loadModel } from './load-model.js';
import { ensureModel } from './ensure-model.js';
import { createServer } from '../server/create-server.js';
import { modelRootsOf } from './model-roots.js';
import { hostFlagsOf, MODEL_FLAGS } from './model-flags.js';

/** `pio serve`: an OpenAI-compatible HTTP server. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve models over an OpenAI-compatible HTTP API',
  help: `Usage: pio serve --model <[id=]folder|org/name> [--model ...] [options]

Serves the models on /v1/chat/completions, /v1/completions and /v1/models (OpenAI-compatible),
plus /plugins, /models/register, /models/{id}/inference, DELETE /models/{id} and /health.
A model's id is its Hub id, or its folder name, or the id given as id=source.
Requests go through the plugin manager's one queue: those that wait for a model together
run as one batch (static batching: a running batch takes no new requests). SSE streams send
each token as it is produced; a client that disconnects ends only its own request.
SIGTERM or Ctrl-C: new requests get 503 (Retry-After), requests in flight finish (aborted
after --shutdown-timeout), then the process exits; a second signal exits at once.

Options:
  -m, --model <m>        Model to serve (repeatable; none = start empty, register over HTTP)
  --plugin <name>        Plugin for the --model models (default: matched from config.json)
  --host <addr>          Address to listen on (default 127.0.0.1)
  --port <n>             Port (default 8080; 0 = any free port)
  --api-key <key>        Require "Authorization: Bearer <key>" (default: PIO_API_KEY)
  --backend <b>          auto (default: ggml when it starts, else TensorFlow.js), ggml, tfjs or reference
  --device <d>           cpu or gpu (default: chosen to fit)
  --threads <n>          CPU threads for the ggml backend (default: every core)
  --storage <s>          Weight storage (default: chosen to fit)
  --context-size <n>     Longest context (prompt + answer) in tokens (default: the model's)
  --kv-cache <t>         KV cache type: float32 (default, exact) or float16 (half the memory; ggml backend)
  --expert-budget <n>    Mixture-of-experts models: routed experts kept in memory per MoE layer (default: all)
  --max-concurrent <n>   Batches (or single requests) running at once, all models together (default 1)
  --max-queue <n>        Requests waiting before 429, all models together (default 64)
  --max-batch <n>        Waiting requests a model runs as one batch (default 8; 1 = no batching)
  --max-tokens-limit <n> Most new tokens a request may ask for; above it: 400 naming max_tokens
                         (default: no limit but the model's context); also the default max_tokens
  --timeout <s>          Longest a generation may run, in seconds; then it stops: 504, or an
                         error event on a stream (default: no limit)
  --shutdown-timeout <s> On SIGTERM/Ctrl-C, how long requests in flight may finish before they
                         are aborted (default 30)
  --max-body <bytes>     Largest request body (default 33554432)
  --allow-models <dir>   Folder models registered over HTTP may lie in (repeatable; the
                         working folder, PIO_MODELS_DIR and the Hugging Face cache always are)
  --allow-files <dir>    Folder file: image URLs may point into (repeatable)
  --no-remote-images     Refuse http(s) image URLs
  --allow-private-network  Let image URLs reach loopback, private and link-local addresses
                         (refused by default, after DNS resolution and on every redirect)
  --max-images <n>       Images one request may carry (default 8)
  --max-image-pixels <n> Largest image accepted, in pixels, read from its header before
                         decoding (default 40000000)
  --max-vision-pixels <n>  Pixels one image may take in a model's vision encoder; larger
                         images are resized down (default 1048576)
  -q, --quiet            No request log
  -h, --help             Show this help`,
  run: runServe,
};

async function runServe(context: CommandContext): Promise<number> {
  const { args, io, out, err, services } = context;
  const { values, positionals } = parseCommandArgs('serve', args, {
    model: { type: 'string', short: 'm', multiple: true },
    plugin: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'api-key': { type: 'string' },
    backend: MODEL_FLAGS.backend,
    device: MODEL_FLAGS.device,
    threads: MODEL_FLAGS.threads,
    storage: MODEL_FLAGS.storage,
    'context-size': MODEL_FLAGS['context-size'],
    'kv-cache': MODEL_FLAGS['kv-cache'],
    'expert-budget': MODEL_FLAGS['expert-budget'],
    'max-concurrent': { type: 'string' },
    'max-queue': { type: 'string' },
    'max-batch': { type: 'string' },
    'max-tokens-limit': { type: 'string' },
    timeout: { type: 'string' },
    'shutdown-timeout': { type: 'string' },
    'max-body': { type: 'string' },
    'allow-files': { type: 'string', multiple: true },
    'allow-models': { type: 'string', multiple: true },
    'no-remote-images': { type: 'boolean' },
    'allow-private-network': { type: 'boolean' },
    'max-images': { type: 'string' },
    'max-image-pixels': { type: 'string' },
    'max-vision-pixels': { type: 'string' },
  });
  if (positionals.length > 0) throw new CliUsageError('serve', `unexpected argument '${positionals[0]}' (use --model)`);
  const port = numberFlag('serve', 'port', values.port, 'int') ?? 8080;
  if (port < 0 || port > 65535) throw new CliUsageError('serve', `--port must be 0 to 65535, got ${port}`);
  const maxBatch = numberFlag('serve', 'max-batch', values['max-batch'], 'int');
  if (maxBatch !== undefined && maxBatch < 1) throw new CliUsageError('serve', `--max-batch must be 1 or more, got ${maxBatch}`);
  const positive = (flag: string, value: number | undefined): number | undefined => {
    if (value !== undefined && !(value > 0)) throw new CliUsageError('serve', `--${flag} must be more than 0, got ${value}`);
    return value;
  };
  const maxConcurrent = positive('max-concurrent', numberFlag('serve', 'max-concurrent', values['max-concurrent'], 'int'));
  const maxQueue = numberFlag('serve', 'max-queue', values['max-queue'], 'int');
  if (maxQueue !== undefined && maxQueue < 0) throw new CliUsageError('serve', `--max-queue must be 0 or more, got ${maxQueue}`);
  const maxTokens = positive('max-tokens-limit', numberFlag('serve', 'max-tokens-limit', values['max-tokens-limit'], 'int'));
  const timeoutSeconds = positive('timeout', numberFlag('serve', 'timeout', values.timeout));
  const shutdownSeconds = numberFlag('serve', 'shutdown-timeout', values['shutdown-timeout']);
  if (shutdownSeconds !== undefined && shutdownSeconds < 0) throw new CliUsageError('serve', `--shutdown-timeout must be 0 or more, got ${shutdownSeconds}`);
  const specs = (values.model ?? []).map((spec) => splitModelSpec(spec, io.cwd));
  const maxImages = positive('max-images', numberFlag('serve', 'max-images', values['max-images'], 'int'));
  const maxImagePixels = positive('max-image-pixels', numberFlag('serve', 'max-image-pixels', values['max-image-pixels'], 'int'));
  const maxVisionPixels = positive('max-vision-pixels', numberFlag('serve', 'max-vision-pixels', values['max-vision-pixels'], 'int')) ?? 1024 * 1024;
  const allowPrivateNetwork = values['allow-private-network'] === true;
  const host = services.createHost({
    limits: {
      maxConcurrentExecutions: maxConcurrent ?? 1,
      maxQueuedExecutions: maxQueue ?? 64,
      maxBatchSize: maxBatch ?? 8,
      ...(maxTokens === undefined ? {} : { maxNewTokens: maxTokens }),
      ...(timeoutSeconds === undefined ? {} : { timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000)) }),
      maxVisionPixels,
    },
    ...(allowPrivateNetwork ? { allowPrivateNetwork } : {}),
    modelRoots: [
      ...modelRootsOf(
        io.cwd,
        specs.map(([, source]) => source),
      ),
      ...(values['allow-models'] ?? []).map((dir) => resolve(io.cwd, dir)),
    ],
    ...hostFlagsOf('serve', values),
  });
  try {
    const apiKey = values['api-key'] ?? io.env.PIO_API_KEY;
    const server = createServer({
      host,
      ...(apiKey ? { apiKey } : {}),
      startReady: false,
      drainTimeoutMs: Math.round((shutdownSeconds ?? 30) * 1000),
      ...optional('maxBodyBytes', numberFlag('serve', 'max-body', values['max-body'], 'int')),
      fileRoots: (values['allow-files'] ?? []).map((dir) => resolve(io.cwd, dir)),
      allowRemoteImages: !values['no-remote-images'],
      allowPrivateNetwork,
      ...optional('maxImagesPerRequest', maxImages),
      ...optional('maxImagePixels', maxImagePixels),
      onRequest: (log) => {
        if (log.error !== undefined)
          err.line(err.style('red', `${log.method} ${log.path} ${log.status}: ${(log.error as Error)?.message ?? String(log.error)}`));
        else err.info(err.style('dim', `${log.method} ${log.path} ${log.status} ${log.durationMs.toFixed(0)} ms`));
      },
    });
    const listenHost = values.host ?? '127.0.0.1';
    if (!apiKey && !isLoopbackHost(listenHost)) {
      err.line(
        err.style(
          'yellow',
          `warning: listening on ${listenHost} without an API key: anyone who can reach this address can use the models. Set --api-key (or PIO_API_KEY).`,
        ),
      );
    }
    // Listen first, so probes see GET /ready answer 503 while the models load; "listening" is printed once they are.
    const { url } = await server.listen(port, listenHost);
    try {
      for (const [id, source] of specs) {
        const path = await ensureModel(services, err, { source });
        await loadModel(host, err, { id, source: path, ...(values.plugin ? { pluginId: values.plugin } : {}) });
      }
    } catch (error) {
      await server.close();
      throw error;
    }
    server.ready = true;
    const ids = host.listModels().map((model) => model.id);
    out.line(`PIO server listening on ${url} (models: ${ids.length > 0 ? ids.join(', ') : 'none yet'})${apiKey ? ' with API key' : ''}`);
    err.info(`Chat in a browser: ${url}/`);
    const signal = await io.stopRequested;
    err.info(
      `${signal}: answering 503 to new requests; waiting up to ${shutdownSeconds ?? 30} s for ${server.inFlight} request(s) in flight (a second signal stops at once)`,
    );
    await server.close();
    out.line('PIO server stopped');
    return 0;
  } finally {
    await host.close();
  }
}

/**
 * `id=source` → [id, source]; a bare source gets its folder name as id when it is a folder here (even one that looks
 * like `org/name`, e.g. `models/qwen3vl-tiny-random`), else its Hub id.
 */
export function splitModelSpec(spec: string, cwd: string): [string, string] {
  const eq = spec.indexOf('=');
  if (eq > 0) return [spec.slice(0, eq), spec.slice(eq + 1)];
  const isHubId = /^[\w.-]+\/[\w.-]+$/.test(spec) && !spec.startsWith('.') && !existsSync(resolve(cwd, spec));
  return [isHubId ? spec : basename(resolve(cwd, spec)), spec];
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}
