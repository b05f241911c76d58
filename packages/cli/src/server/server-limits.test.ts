import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../testing/start-test-server.js';

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();

describe('server errors, limits and lifecycle', () => {
  it('answers bad requests with 400 naming the field, in OpenAI shape', async () => {
    const t = await startTestServer();
    try {
      const error = await t.client.chat.completions
        .create({ model: 'echo', messages: [{ role: 'user', content: 'x' }], temperature: 5 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param: 'temperature', type: 'invalid_request_error' });
      const missing = await post(`${t.url}/v1/chat/completions`, { model: 'echo' });
      expect(missing.status).toBe(400);
      expect((await json(missing)).error).toMatchObject({ param: 'messages', type: 'invalid_request_error', code: 'invalid_value' });
      const role = await post(`${t.url}/v1/chat/completions`, { model: 'echo', messages: [{ role: 'robot', content: 'x' }] });
      expect((await json(role)).error.param).toBe('messages.0.role');
      const broken = await post(`${t.url}/v1/chat/completions`, '{"model": ');
      expect(broken.status).toBe(400);
      expect((await json(broken)).error.code).toBe('invalid_json');
      const n = await post(`${t.url}/v1/completions`, { model: 'echo', prompt: 'x', n: 2 });
      expect((await json(n)).error.param).toBe('n');
    } finally {
      await t.close();
    }
  });

  it('answers 404 for an unknown model or path and 405 for a wrong method', async () => {
    const t = await startTestServer();
    try {
      const error = await t.client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
      expect((await fetch(`${t.url}/v2/nothing`)).status).toBe(404);
      expect((await fetch(`${t.url}/v1/chat/completions`)).status).toBe(405);
    } finally {
      await t.close();
    }
  });

  it('answers 413 for a body over the limit', async () => {
    const t = await startTestServer({ maxBodyBytes: 1000 });
    try {
      const response = await post(`${t.url}/v1/chat/completions`, { model: 'echo', messages: [{ role: 'user', content: 'x'.repeat(2000) }] });
      expect(response.status).toBe(413);
      expect((await json(response)).error.code).toBe('request_too_large');
      expect((await t.client.models.list()).data).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('answers 429 with Retry-After when the model queue is full', async () => {
    const t = await startTestServer({ limits: { maxConcurrentExecutions: 1, maxQueuedExecutions: 1 } }, { delayMs: 30 });
    try {
      const body = { model: 'echo', messages: [{ role: 'user', content: 'a b c' }] };
      const first = post(`${t.url}/v1/chat/completions`, body);
      const second = post(`${t.url}/v1/chat/completions`, body);
      await expect.poll(() => t.host.streamsStarted, { interval: 5 }).toBe(2); // one running, one waiting: the queue is full
      const third = await post(`${t.url}/v1/chat/completions`, body);
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('1');
      expect((await json(third)).error.type).toBe('rate_limit_error');
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('keeps serving after a request fails inside the model', async () => {
    const t = await startTestServer();
    try {
      const error = await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'explode' }] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 500, type: 'server_error' });
      const ok = await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'fine' }] });
      expect(ok.choices[0].message.content).toBe('echo: fine');
    } finally {
      await t.close();
    }
  });

  it('requires the bearer key when one is set (but not for /health)', async () => {
    const t = await startTestServer({ apiKey: 'sekret' });
    try {
      expect((await t.client.models.list()).data).toHaveLength(1);
      const wrong = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'guess', maxRetries: 0 });
      const error = await wrong.models.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      const none = await fetch(`${t.url}/v1/models`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('serves 50 concurrent requests, none lost or mixed up', async () => {
    const t = await startTestServer({ limits: { maxConcurrentExecutions: 2, maxQueuedExecutions: 64 } }, { delayMs: 1 });
    try {
      const requests = Array.from({ length: 50 }, async (_, i) => {
        const stream = i % 2 === 0;
        const messages = [{ role: 'user' as const, content: `token-${i} end` }];
        let text = '';
        if (stream) {
          for await (const chunk of await t.client.chat.completions.create({ model: 'echo', messages, stream: true }))
            text += chunk.choices[0]?.delta.content ?? '';
        } else {
          text = (await t.client.chat.completions.create({ model: 'echo', messages })).choices[0].message.content ?? '';
        }
        return text;
      });
      const texts = await Promise.all(requests);
      texts.forEach((text, i) => expect(text).toBe(`echo: token-${i} end`));
      expect(t.plugin.started).toBe(50);
      expect(t.plugin.finished).toBe(50);
    } finally {
      await t.close();
    }
  });

  it('cancels the generation when the client disconnects mid-stream', async () => {
    const t = await startTestServer({}, { delayMs: 20 });
    try {
      const controller = new AbortController();
      const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
      const stream = await t.client.chat.completions.create(
        { model: 'echo', messages: [{ role: 'user', content: words }], stream: true },
        { signal: controller.signal },
      );
      let chunks = 0;
      for await (const _chunk of stream) {
        if (++chunks === 3) {
          controller.abort();
          break;
        }
      }
      await expect.poll(() => t.plugin.aborted).toBe(1);
      expect(t.plugin.finished).toBe(0);
      await expect.poll(() => t.server.inFlight).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('drains in-flight requests on close and answers 503 meanwhile', async () => {
    const t = await startTestServer({}, { delayMs: 20 });
    const slow = t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'a b c d e f g h' }] });
    await expect.poll(() => t.server.inFlight).toBe(1);
    const closed = t.close();
    const refused = await fetch(`${t.url}/v1/models`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.headers.get('connection')).toBe('close');
    expect((await json(refused)).error.code).toBe('shutting_down');
    expect((await fetch(`${t.url}/health`)).status).toBe(503);
    expect((await slow).choices[0].message.content).toBe('echo: a b c d e f g h');
    await closed;
    expect(t.server.httpServer.listening).toBe(false);
  });

  it('aborts what still runs after the drain timeout, then closes', async () => {
    const t = await startTestServer({ drainTimeoutMs: 50 }, { delayMs: 20 });
    const words = Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ');
    let text = '';
    const reading = (async () => {
      for await (const chunk of await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: words }], stream: true })) {
        text += chunk.choices[0]?.delta.content ?? '';
      }
    })().catch(() => undefined);
    await expect.poll(() => text).toContain('w1');
    await t.close();
    await reading;
    expect(text).not.toContain('w499');
    expect(t.plugin.aborted).toBe(1);
  });
});

describe('limits of the host (the plugin manager)', () => {
  it('refuses max_tokens above limits.maxNewTokens with 400 naming the field, and uses the limit as the default', async () => {
    const t = await startTestServer({ limits: { maxNewTokens: 3 } });
    try {
      const refused = await post(`${t.url}/v1/chat/completions`, { model: 'echo', messages: [{ role: 'user', content: 'a b c d' }], max_tokens: 4 });
      expect(refused.status).toBe(400);
      const { error } = await json(refused);
      expect(error).toMatchObject({ param: 'max_tokens', code: 'max_tokens_too_large', type: 'invalid_request_error' });
      expect(error.message).toContain("above this server's limit of 3 new tokens");
      const capped = await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'a b c d' }] });
      expect(capped.choices[0]).toMatchObject({ message: { content: 'echo: a b' }, finish_reason: 'length' });
    } finally {
      await t.close();
    }
  });

  it('stops a generation at limits.timeoutMs: 504 when not streamed, an error event when streamed', async () => {
    const t = await startTestServer({ limits: { timeoutMs: 100 } }, { delayMs: 30 });
    try {
      const content = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
      const late = await post(`${t.url}/v1/chat/completions`, { model: 'echo', messages: [{ role: 'user', content }] });
      expect(late.status).toBe(504);
      expect((await json(late)).error).toMatchObject({ code: 'timeout', type: 'server_error' });
      const streamed = await post(`${t.url}/v1/chat/completions`, { model: 'echo', messages: [{ role: 'user', content }], stream: true });
      expect(streamed.status).toBe(200);
      const events = await streamed.text();
      expect(events).toContain('"code":"timeout"');
      expect(events.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(t.plugin.aborted).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('registry endpoints', () => {
  it('lets requests already queued for a model finish before DELETE unloads it', async () => {
    const t = await startTestServer({}, { delayMs: 20 });
    try {
      await post(`${t.url}/models/register`, { model_id: 'm', path: '/m' });
      const slow = post(`${t.url}/models/m/inference`, { prompt: 'a b c d e' });
      await expect.poll(() => t.server.inFlight).toBe(1);
      const deleted = fetch(`${t.url}/models/m`, { method: 'DELETE' });
      await expect.poll(() => t.server.inFlight).toBe(2);
      expect((await post(`${t.url}/models/m/inference`, { prompt: 'late' })).status).toBe(404);
      expect(await json(await slow)).toMatchObject({ text: 'echo: a b c d e' });
      expect((await deleted).status).toBe(200);
      expect(t.host.getModel('m')).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('lists plugins, registers, runs, and deletes models', async () => {
    const t = await startTestServer();
    try {
      const plugins = await json(await fetch(`${t.url}/plugins`));
      expect(plugins.data).toEqual([
        expect.objectContaining({
          id: 'echo',
          version: '0.0.0',
          architectures: ['EchoForCausalLM'],
          modalities: { input: ['text', 'image'], output: ['text'] },
        }),
      ]);
      const created = await post(`${t.url}/models/register`, { model_id: 'org/second', plugin_id: 'echo', path: '/models/second' });
      expect(created.status).toBe(201);
      expect(await json(created)).toMatchObject({ id: 'org/second', plugin: 'echo', path: '/models/second' });
      expect((await post(`${t.url}/models/register`, { model_id: 'org/second', path: '/x' })).status).toBe(409);
      const badPath = await post(`${t.url}/models/register`, { model_id: 'third', path: 'missing' });
      expect(badPath.status).toBe(400);
      expect((await json(badPath)).error.code).toBe('pio_plugin_not_found');
      const badId = await post(`${t.url}/models/register`, { model_id: '../x', path: '/x' });
      expect((await json(badId)).error.param).toBe('model_id');
      expect((await t.client.models.list()).data.map((m) => m.id)).toEqual(['echo', 'org/second']);

      const png = readFileSync(new URL('../../../../models/qwen3vl-tiny-random/image.png', import.meta.url));
      const byPrompt = await post(`${t.url}/models/org/second/inference`, {
        prompt: 'hi you',
        images: [`data:image/png;base64,${png.toString('base64')}`],
        max_tokens: 5,
      });
      expect(await json(byPrompt)).toMatchObject({ model: 'org/second', text: `echo: [image ${png.length} bytes] hi you`, finish_reason: 'stop' });
      const byMessages = await post(`${t.url}/models/org/second/inference`, { messages: [{ role: 'user', content: 'yo' }] });
      expect(await json(byMessages)).toMatchObject({ text: 'echo: yo', message: { role: 'assistant', content: 'echo: yo' } });
      const neither = await post(`${t.url}/models/org/second/inference`, {});
      expect((await json(neither)).error.param).toBe('prompt');

      const deleted = await fetch(`${t.url}/models/org/second`, { method: 'DELETE' });
      expect(await json(deleted)).toEqual({ id: 'org/second', object: 'model', deleted: true });
      expect((await fetch(`${t.url}/models/org/second`, { method: 'DELETE' })).status).toBe(404);
      expect((await post(`${t.url}/models/org/second/inference`, { prompt: 'x' })).status).toBe(404);
      expect(await json(await fetch(`${t.url}/health`))).toEqual({ status: 'ok', models: ['echo'] });
    } finally {
      await t.close();
    }
  });
});
