import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startPioProcess } from '../testing/pio-process.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT } from '../testing/run-pio.js';
import { servePio } from '../testing/serve-pio.js';

/**
 * Signals on the built `pio` with the committed tiny Qwen3-VL, on ggml and on TensorFlow.js: SIGTERM drains `pio serve`
 * (503 to new requests, in-flight ones finish, exit), a second signal exits at once, and Ctrl-C stops `pio generate`.
 */
const QWEN = join(REPO_ROOT, 'models', 'qwen3vl-tiny-random');
const ENDLESS = 100_000;
/** The answer in flight during a drain: ~3 s of decoding on ggml, ~7 s on TensorFlow.js wasm at low load. */
const IN_FLIGHT_TOKENS = 1500;

const PLUGINS = { PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') };

/** Starts `pio` with `args` on the workspace's plugins. */
const start = (args: string[], env: Record<string, string>) => startPioProcess(args, { env: { ...PLUGINS, ...env } });

/** Starts `pio serve` on the tiny Qwen3-VL with one thread and resolves once it listens. */
const serve = (env: Record<string, string>, extra: string[] = []) =>
  servePio(['--model', `qwen=${QWEN}`, '--port', '0', '--threads', '1', ...extra], { env: { ...PLUGINS, ...env } });

/** Starts a streamed chat; resolves `firstChunk` when its first content arrives and `done` with the text and finish reason. */
function streamChat(url: string, maxTokens: number) {
  let gotFirst!: () => void;
  const firstChunk = new Promise<void>((resolve) => (gotFirst = resolve));
  const done = (async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'qwen',
        messages: [{ role: 'user', content: 'Tell me a story.' }],
        max_tokens: maxTokens,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    let text = '';
    let finish: string | null = null;
    let completionTokens: number | undefined;
    const decoder = new TextDecoder();
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      for (const line of decoder.decode(chunk, { stream: true }).split('\n')) {
        if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
        const event = JSON.parse(line.slice(6)) as {
          choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
          usage?: { completion_tokens: number };
        };
        text += event.choices[0]?.delta.content ?? '';
        finish = event.choices[0]?.finish_reason ?? finish;
        completionTokens = event.usage?.completion_tokens ?? completionTokens;
        if (text) gotFirst();
      }
    }
    return { status: response.status, text, finish, completionTokens };
  })();
  return { firstChunk, done };
}

describe.each([['ggml'], ['tfjs']])('signals on the tiny Qwen3-VL on %s', (backend) => {
  const env = { PIO_BACKEND: backend };
  beforeAll(() => ensureBuilt(['plugin-qwen3-vl']), BUILD_TIMEOUT_MS);

  it('SIGTERM on pio serve: new requests get 503 at once, the one in flight completes, the process exits 0', async () => {
    const server = await serve(env, ['--shutdown-timeout', '600']);
    // long enough (seconds, even on a quiet machine) that it is still running when the 503 probe below arrives: a short
    // answer finished first and the server exited before the probe (connection refused instead of 503)
    const inFlight = streamChat(server.url, IN_FLIGHT_TOKENS);
    await inFlight.firstChunk;
    server.kill('SIGTERM');
    await expect.poll(() => server.stderr()).toContain('answering 503');
    const refused = await fetch(`${server.url}/v1/models`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.headers.get('connection')).toBe('close');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('shutting_down');
    const answer = await inFlight.done;
    expect(answer).toMatchObject({ status: 200, finish: 'length', completionTokens: IN_FLIGHT_TOKENS });
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('PIO server stopped');
  });

  it('SIGTERM aborts what is still running after --shutdown-timeout; a second signal exits at once', async () => {
    const patient = await serve(env, ['--shutdown-timeout', '0.5']);
    const endless = streamChat(patient.url, ENDLESS);
    await endless.firstChunk;
    patient.kill('SIGTERM');
    const cut = await endless.done;
    expect(cut.status).toBe(200);
    expect(cut.completionTokens ?? 0).toBeLessThan(ENDLESS);
    expect(await patient.exited).toBe(0);

    const stubborn = await serve(env, ['--shutdown-timeout', '600']);
    const forever = streamChat(stubborn.url, ENDLESS);
    const cutOff = forever.done.catch((error: unknown) => error); // the process dies under it
    await forever.firstChunk;
    stubborn.kill('SIGTERM');
    await expect.poll(() => stubborn.stderr()).toContain('answering 503');
    stubborn.kill('SIGTERM');
    expect(await stubborn.exited).toBe(143);
    expect(await cutOff).toBeInstanceOf(Error);
  });

  it('Ctrl-C stops pio generate within a step and prints what was generated (exit 130); twice exits at once', async () => {
    const args = ['generate', '-m', QWEN, '--threads', '1', '--max-tokens', String(ENDLESS), '--temperature', '0', 'Tell me a story.'];
    const once = start(args, env);
    await expect.poll(() => once.stdout().length, { timeout: 60_000 }).toBeGreaterThan(20);
    once.kill('SIGINT');
    expect(await once.exited).toBe(130);
    expect(once.stderr()).toContain('(stopped)');
    expect(once.stderr()).toMatch(/\d+ tokens in/);

    const twice = start(args, env);
    await expect.poll(() => twice.stdout().length, { timeout: 60_000 }).toBeGreaterThan(20);
    twice.kill('SIGINT');
    twice.kill('SIGINT');
    expect(await twice.exited).toBe(130);
  });
});
