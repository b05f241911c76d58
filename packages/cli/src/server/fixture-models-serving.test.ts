import { join } from 'node:path';
import type { Backend, BatchGenerationRequest, ChatCompletionDelta, PluginManager } from '@pio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelHost } from '../host/model-host.js';
import { FIXTURE_BACKEND_NAMES, FIXTURE_BACKENDS } from '../testing/fixture-backends.js';
import { REPO_ROOT } from '../testing/run-pio.js';
import { type FixtureModelServer, startFixtureModelServer } from '../testing/start-fixture-model-server.js';
import { waitUntil as until } from '../testing/wait-until.js';
import { createWorkspacePluginManager } from '../testing/workspace-plugin-manager.js';

/**
 * The server's promises (streaming, health during generations, disconnects, limits) on the committed fixture models
 * and the real backends, in process: the models run in a real PluginManager behind createManagerHost, as in pio serve.
 */
const QWEN = join(REPO_ROOT, 'models', 'qwen3vl-tiny-random');
const GLM = join(REPO_ROOT, 'packages', 'plugin-glm-flash', 'src', '__fixtures__', 'glm47flash-tiny');
/** More tokens than any test lets a generation run: these requests are always ended by the test. */
const ENDLESS = 100_000;

/** What the server's host gave out for one request, seen from between the server and the manager. */
interface Observed {
  prompt: string;
  deltas: number;
  finishReason?: string;
  error?: unknown;
  ended: boolean;
}

/** `host` with `streamGeneration` observed: every request's deltas, finish reason and error are recorded in `log`. */
function observed(host: ModelHost, log: Observed[]): ModelHost {
  const streamGeneration: ModelHost['streamGeneration'] = (id, request, options) => ({
    async *[Symbol.asyncIterator]() {
      const record: Observed = { prompt: promptOf(request), deltas: 0, ended: false };
      log.push(record);
      try {
        for await (const delta of host.streamGeneration(id, request, options)) {
          record.deltas += 1;
          if (delta.finishReason) record.finishReason = delta.finishReason;
          yield delta;
        }
      } catch (error) {
        record.error = error;
        throw error;
      } finally {
        record.ended = true;
      }
    },
  });
  return { ...host, streamGeneration, generateText: host.generateText, listModels: host.listModels, getModel: host.getModel };
}

function promptOf(request: BatchGenerationRequest): string {
  if (request.kind === 'text') return typeof request.prompt === 'string' ? request.prompt : '';
  const content = request.request.messages.at(-1)?.content;
  return typeof content === 'string' ? content : '';
}

/** A chat request body for `model`. */
const chat = (model: string, content: string, maxTokens: number, stream: boolean) =>
  JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: maxTokens, temperature: 0, stream });

/** Reads an SSE response, calling `onEvent` for every `data:` event as it arrives; resolves with the answer text. */
async function readSse(
  response: Response,
  onEvent: (event: { choices?: Array<{ delta?: { content?: string; reasoning_content?: string }; finish_reason?: string | null }> }) => void = () => {},
): Promise<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/^data: /, '');
      buffer = buffer.slice(end + 2);
      if (line === '[DONE]') continue;
      const event = JSON.parse(line) as Parameters<typeof onEvent>[0];
      text += event.choices?.[0]?.delta?.content ?? '';
      onEvent(event);
    }
  }
  return text;
}

describe.each(FIXTURE_BACKEND_NAMES)('serving the fixture models on %s', (backendName) => {
  let served: FixtureModelServer;
  let host: ModelHost;
  let url: string;
  const log: Observed[] = [];

  beforeAll(async () => {
    served = await startFixtureModelServer(backendName, {
      models: { qwen: QWEN, glm: GLM },
      limits: { maxConcurrentExecutions: 1, maxQueuedExecutions: 128, maxBatchSize: 8, maxNewTokens: ENDLESS },
      wrapHost: (managerHost) => observed(managerHost, log),
      server: { drainTimeoutMs: 5_000 },
    });
    ({ host, url } = served);
  });

  afterAll(() => served?.close());

  const post = (path: string, body: string, signal?: AbortSignal) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, ...(signal ? { signal } : {}) });

  it.each(['qwen', 'glm'])('%s: streams chunks as tokens are produced while /health answers and timers fire', async (model) => {
    const prompt = 'Tell me a story.';
    const start = log.length;
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const controller = new AbortController();
    const response = await post('/v1/chat/completions', chat(model, prompt, ENDLESS, true), controller.signal);
    expect(response.status).toBe(200);
    let contentChunks = 0;
    let deltasAtFirstChunk: number | undefined;
    let ticksAtFirstChunk = 0;
    let healthDuring: Promise<{ status: number; streamOpen: boolean }> | undefined;
    const record = () => log.slice(start).find((entry) => entry.prompt === prompt)!;
    await readSse(response, (event) => {
      const delta = event.choices?.[0]?.delta;
      if (!delta?.content && !delta?.reasoning_content) return; // GLM thinks first: its reasoning streams as reasoning_content
      contentChunks += 1;
      if (deltasAtFirstChunk === undefined) {
        deltasAtFirstChunk = record().deltas;
        ticksAtFirstChunk = ticks;
      }
      if (contentChunks === 3)
        healthDuring = fetch(`${url}/health`).then(async (health) => ({ status: health.status, streamOpen: !record().ended, body: await health.text() }));
      if (contentChunks === 20) controller.abort(); // the client leaves: the generation must stop
    }).catch((error: unknown) => (controller.signal.aborted ? '' : Promise.reject(error)));
    const ticksWhileStreaming = ticks - ticksAtFirstChunk;
    clearInterval(timer);
    const health = await healthDuring!;
    expect(health.status).toBe(200);
    expect(health.streamOpen).toBe(true); // /health answered while the model was generating
    expect(ticksWhileStreaming).toBeGreaterThan(0); // timers fired between the chunks
    expect(deltasAtFirstChunk).toBeLessThan(10); // the first chunk left as soon as it was produced, not at the end
    await until(() => record().ended, 'the abandoned generation ended');
    expect(record().finishReason).toBe('abort');
    expect(record().deltas).toBeLessThan(40); // stopped soon after the client left, far from ENDLESS
  });

  it("ends only the row of a client that disconnects; the batch's other rows give their tokens unchanged; an abandoned queued request never runs", async () => {
    const prompts = ['What is 2+2?', 'Name a colour.', 'Count to five.'];
    const alone: string[] = [];
    for (const prompt of prompts.slice(0, 2)) {
      const body = (await (await post('/v1/chat/completions', chat('qwen', prompt, 12, false))).json()) as { choices: Array<{ message: { content: string } }> };
      alone.push(body.choices[0]!.message.content);
    }
    // Hold the model with an endless request so the others queue together and then run as one batch.
    const blocker = new AbortController();
    const holding = post('/v1/chat/completions', chat('qwen', 'Hold the model.', ENDLESS, true), blocker.signal)
      .then((r) => readSse(r))
      .catch(() => '');
    await until(() => (log.find((e) => e.prompt === 'Hold the model.')?.deltas ?? 0) > 0, 'the blocker runs');
    const start = log.length;
    const plugin = host.getModel('qwen')!.plugin;
    const batchSizes: number[] = [];
    const streamBatch = plugin.streamBatch!.bind(plugin);
    plugin.streamBatch = (requests) => (batchSizes.push(requests.length), streamBatch(requests));
    try {
      const answers = prompts.slice(0, 2).map((prompt) => post('/v1/chat/completions', chat('qwen', prompt, 12, false)).then((r) => r.json()));
      const leaver = new AbortController();
      let leaverChunks = 0;
      const leaving = post('/v1/chat/completions', chat('qwen', prompts[2]!, ENDLESS, true), leaver.signal)
        .then((r) => readSse(r, () => ++leaverChunks === 3 && leaver.abort()))
        .catch(() => 'left');
      const quitter = new AbortController();
      const quitting = post('/v1/chat/completions', chat('qwen', 'Never mind.', 12, false), quitter.signal).catch(() => 'quit');
      const since = (prompt: string) => log.slice(start).find((e) => e.prompt === prompt);
      await until(() => [...prompts, 'Never mind.'].every((prompt) => since(prompt) !== undefined), 'all four are queued');
      quitter.abort();
      await until(() => since('Never mind.')!.ended, 'the quitter left the queue');
      blocker.abort();
      const batched = (await Promise.all(answers)) as Array<{ choices: Array<{ message: { content: string }; finish_reason: string }> }>;
      expect(batched.map((b) => b.choices[0]!.message.content)).toEqual(alone);
      expect(await leaving).toBe('left');
      expect(await quitting).toBe('quit');
      await holding;
      expect(batchSizes).toEqual([3]); // the two answers and the leaver ran as one batch; the quitter was not in it
      const leaverRecord = since(prompts[2]!)!;
      await until(() => leaverRecord.ended, 'the leaver ended');
      expect(leaverRecord.finishReason).toBe('abort');
      expect(leaverRecord.deltas).toBeLessThan(40);
      const quitterRecord = since('Never mind.')!;
      expect(quitterRecord.deltas).toBe(0); // never computed
    } finally {
      plugin.streamBatch = streamBatch;
    }
  });

  it('answers 80 staying clients of 100 concurrent ones of which 20 disconnect, and abandoned ones stop', async () => {
    const before = log.length;
    const requests = Array.from({ length: 100 }, (_, i) => {
      const controller = new AbortController();
      const leaves = i % 5 === 2;
      const response = post('/v1/chat/completions', chat(i % 2 === 0 ? 'qwen' : 'glm', `Request ${i}.`, 3, false), controller.signal)
        .then(async (r) => ({ status: r.status, body: (await r.json()) as { choices?: Array<{ message: { content: string }; finish_reason: string }> } }))
        .catch(() => undefined);
      return { leaves, controller, response, prompt: `Request ${i}.` };
    });
    await until(() => log.length - before >= 60, 'most requests reached the queue');
    for (const request of requests) if (request.leaves) request.controller.abort();
    const results = await Promise.all(requests.map(async (request) => ({ ...request, result: await request.response })));
    for (const { leaves, result } of results) {
      if (leaves) continue;
      expect(result?.status).toBe(200);
      expect(result?.body.choices?.[0]?.finish_reason).toMatch(/stop|length/);
    }
    await until(() => log.slice(before).every((e) => e.ended), 'every generation ended');
    const abandoned = results.filter((r) => r.leaves).map((r) => log.slice(before).find((e) => e.prompt === r.prompt));
    for (const record of abandoned) {
      if (record === undefined) continue; // it left before reaching the queue
      // Left the queue without computing, or its row was stopped (or it had already finished its 3 tokens).
      expect(record.deltas === 0 || record.finishReason !== undefined).toBe(true);
    }
  });
});

describe.each(FIXTURE_BACKEND_NAMES)('the manager on a fixture model on %s', (backendName) => {
  let backend: Backend;
  let manager: PluginManager;

  beforeAll(async () => {
    backend = await FIXTURE_BACKENDS[backendName]();
    manager = createWorkspacePluginManager(backend, { limits: { timeoutMs: 1_500 } });
    await manager.discoverPlugins();
    await manager.activatePlugin('qwen3-vl', { modelPath: QWEN });
  });

  afterAll(async () => {
    await manager?.dispose();
    backend?.dispose();
  });

  const story: BatchGenerationRequest = { kind: 'text', prompt: 'Tell me a story.', options: { maxNewTokens: ENDLESS, temperature: 0 } };

  async function collect(
    stream: AsyncIterable<ChatCompletionDelta>,
    onDelta: (delta: ChatCompletionDelta) => void = () => {},
  ): Promise<{ deltas: ChatCompletionDelta[]; error?: unknown }> {
    const deltas: ChatCompletionDelta[] = [];
    try {
      for await (const delta of stream) {
        deltas.push(delta);
        onDelta(delta);
      }
      return { deltas };
    } catch (error) {
      return { deltas, error };
    }
  }

  it('ends a generation early on AbortSignal.timeout, with finish reason abort', async () => {
    // The timeout starts once tokens flow, so a slow prefill on a busy machine cannot end the request before its first token.
    const controller = new AbortController();
    const deltas: ChatCompletionDelta[] = [];
    let error: unknown;
    try {
      for await (const delta of manager.streamGeneration('qwen3-vl', story, { signal: controller.signal })) {
        deltas.push(delta);
        if (deltas.length === 1) {
          const timeout = AbortSignal.timeout(300);
          timeout.addEventListener('abort', () => controller.abort(timeout.reason), { once: true });
        }
      }
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeUndefined();
    expect(deltas.at(-1)?.finishReason).toBe('abort');
    expect(deltas.at(-1)?.usage?.completionTokens).toBeGreaterThan(0);
  });

  it('ends a generation on limits.timeoutMs and on a per-call timeout with ExecutionTimeoutError', async () => {
    const streamed = await collect(manager.streamGeneration('qwen3-vl', story));
    expect(streamed.error).toMatchObject({ code: 'PIO_EXECUTION_TIMEOUT', timeoutMs: 1_500 });
    expect(streamed.deltas.length).toBeGreaterThan(0);
    const executed = await manager.executePlugin('qwen3-vl', 'Tell me a story.', { maxNewTokens: ENDLESS, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(executed).toMatchObject({ code: 'PIO_EXECUTION_TIMEOUT', timeoutMs: 300 });
    // The slot was freed once the aborted generation unwound: a short one runs next.
    const short = (await manager.executePlugin('qwen3-vl', 'Hi', { maxNewTokens: 2, temperature: 0 })) as { tokens: number[] };
    expect(short.tokens).toHaveLength(2);
  });

  it('stops a running generation on deactivatePlugin, then unloads; and on dispose', async () => {
    const iterator = manager.streamGeneration('qwen3-vl', story)[Symbol.asyncIterator]();
    await iterator.next();
    const deactivated = manager.deactivatePlugin('qwen3-vl');
    let error: unknown;
    try {
      while (!(await iterator.next()).done);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'PIO_EXECUTION_ABORTED' });
    expect(await deactivated).toBe(true);
    expect(manager.listPlugins().find((p) => p.name === 'qwen3-vl')?.state).toBe('inactive');

    await manager.activatePlugin('qwen3-vl', { modelPath: QWEN });
    // disposed once the generation runs (its first delta arrived), not after a fixed time
    let firstDelta!: () => void;
    const runs = new Promise<void>((resolve) => (firstDelta = resolve));
    const running = collect(manager.streamGeneration('qwen3-vl', story), () => firstDelta());
    await runs;
    await manager.dispose();
    expect((await running).error).toMatchObject({ code: 'PIO_EXECUTION_ABORTED' });
  });
});

describe.each(FIXTURE_BACKEND_NAMES)('bounded outputs on %s', (backendName) => {
  let served: FixtureModelServer;

  beforeAll(async () => {
    served = await startFixtureModelServer(backendName, { models: { qwen: QWEN }, contextLength: 48 });
  });

  afterAll(() => served?.close());

  const post = (body: string) => fetch(`${served.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  it('caps a huge max_tokens by the context left after the prompt (finish reason length)', async () => {
    const response = await post(chat('qwen', 'Tell me a story.', 1_000_000_000, false));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      choices: Array<{ finish_reason: string }>;
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(body.choices[0]!.finish_reason).toBe('length');
    expect(body.usage.total_tokens).toBe(48);
    expect(body.usage.completion_tokens).toBe(48 - body.usage.prompt_tokens);
  });

  it('refuses a prompt longer than the context with 400 context_length_exceeded, streamed or not', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    for (const stream of [false, true]) {
      const response = await post(chat('qwen', long, 4, stream));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string; param: string } }).error).toMatchObject({
        code: 'context_length_exceeded',
        param: 'messages',
      });
    }
  });
});
