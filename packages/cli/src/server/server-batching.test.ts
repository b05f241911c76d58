import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { InMemoryModelHost, type InMemoryModelHostOptions } from '../testing/in-memory-model-host.js';
import { BatchingEchoPlugin } from './__fixtures__/batching-echo-plugin.js';
import { createServer } from './create-server.js';
import type { ServerOptions } from './server-options.js';

async function startBatchingServer(limits: InMemoryModelHostOptions['limits'] = {}, delayMs = 0, options: Partial<ServerOptions> = {}) {
  const host = new InMemoryModelHost({}, { limits });
  const plugin = new BatchingEchoPlugin({ delayMs });
  await host.add('echo', plugin);
  const server = createServer({ host, ...options });
  const { url } = await server.listen(0, '127.0.0.1');
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  return { server, host, plugin, url, client, close: () => server.close() };
}

type Started = Awaited<ReturnType<typeof startBatchingServer>>;

/** Asks for `echo: <text>` (streamed or not) and returns the answer text. */
async function chat(t: Started, text: string, stream: boolean, signal?: AbortSignal): Promise<string> {
  const messages = [{ role: 'user' as const, content: text }];
  if (!stream) return (await t.client.chat.completions.create({ model: 'echo', messages }, { signal })).choices[0].message.content ?? '';
  let out = '';
  for await (const chunk of await t.client.chat.completions.create({ model: 'echo', messages, stream: true }, { signal }))
    out += chunk.choices[0]?.delta.content ?? '';
  return out;
}

/**
 * Holds the model with a `block` chat (answered once the others are queued), then sends requests one after the other,
 * each once the server holds the one before, so they queue in this order. Returns the block's answer and theirs.
 */
async function sendInOrder<T>(t: Started, senders: Array<() => Promise<T>>): Promise<Array<Promise<T | string>>> {
  const release = t.plugin.hold();
  const sent: Array<Promise<T | string>> = [];
  senders = [() => chat(t, 'block', false) as Promise<T>, ...senders];
  for (const send of senders) {
    const before = t.host.streamsStarted;
    sent.push(send());
    // its body is read and it is queued (a request with several prompts starts all its streams at once)
    await expect.poll(() => t.host.streamsStarted, { interval: 5 }).toBeGreaterThan(before);
  }
  release();
  return sent;
}

describe('server batching', () => {
  it('runs the requests that wait together as one batch, in arrival order, each answer to its own client', async () => {
    const t = await startBatchingServer({ maxBatchSize: 4 }, 15);
    try {
      const texts = ['b1', 'b2 x', 'b3', 'b4 y z', 'c1', 'c2'];
      const answers = await sendInOrder(
        t,
        texts.map((text, i) => () => chat(t, text, i % 2 === 0)),
      );
      expect(await Promise.all(answers)).toEqual(['block', ...texts].map((text) => `echo: ${text}`));
      // the first ran alone at once; the next four waited together, then the last two
      expect(t.plugin.batches).toEqual([['block'], ['b1', 'b2 x', 'b3', 'b4 y z'], ['c1', 'c2']]);
    } finally {
      await t.close();
    }
  });

  it('batches legacy completions, streamed and not, one row per prompt', async () => {
    const t = await startBatchingServer({}, 15);
    try {
      const [blocker, streamed, plain] = await sendInOrder<unknown>(t, [
        async () => {
          const texts = ['', ''];
          const finishes: string[] = [];
          for await (const chunk of await t.client.completions.create({ model: 'echo', prompt: ['p q', 'r'], stream: true, max_tokens: 3 })) {
            for (const choice of chunk.choices) {
              texts[choice.index] += choice.text;
              if (choice.finish_reason) finishes[choice.index] = choice.finish_reason;
            }
          }
          return { texts, finishes };
        },
        () => t.client.completions.create({ model: 'echo', prompt: 'one two', max_tokens: 5 }),
      ]);
      await blocker;
      expect(await streamed).toEqual({ texts: ['echo: p q', 'echo: r'], finishes: ['length', 'stop'] });
      expect(await plain).toMatchObject({
        choices: [{ index: 0, text: 'echo: one two', finish_reason: 'stop' }],
        usage: { prompt_tokens: 2, completion_tokens: 3 },
      });
      expect(t.plugin.batches).toEqual([['block'], ['p q', 'r', 'one two']]);
    } finally {
      await t.close();
    }
  });

  it('ends only the row of a client that disconnects', async () => {
    const t = await startBatchingServer({}, 10);
    try {
      const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
      const controller = new AbortController();
      const leaving = async (): Promise<string> => {
        let chunks = 0;
        const stream = await t.client.chat.completions.create(
          { model: 'echo', messages: [{ role: 'user', content: words }], stream: true },
          { signal: controller.signal },
        );
        for await (const _chunk of stream) {
          if (++chunks === 3) {
            controller.abort();
            break;
          }
        }
        return 'left';
      };
      const [blocker, a, gone, b] = await sendInOrder(t, [() => chat(t, words, true), leaving, () => chat(t, words, false)]);
      expect(await Promise.all([blocker, a, gone, b])).toEqual(['echo: block', `echo: ${words}`, 'left', `echo: ${words}`]);
      expect(t.plugin.batches.map((batch) => batch.length)).toEqual([1, 3]);
      await expect.poll(() => t.plugin.aborted).toBe(1);
      expect(t.plugin.finished).toBe(3); // block, and the two that stayed
      await expect.poll(() => t.server.inFlight).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('fails only the request that fails in a batch', async () => {
    const t = await startBatchingServer({}, 10);
    try {
      const results = await sendInOrder<unknown>(t, [
        () => chat(t, 'fine one', false),
        () => chat(t, 'explode now', false).catch((error: unknown) => error),
        () => chat(t, 'fine two', true),
      ]);
      const [, one, failed, two] = await Promise.all(results);
      expect(one).toBe('echo: fine one');
      expect(failed).toMatchObject({ status: 500, type: 'server_error' });
      expect(two).toBe('echo: fine two');
      expect(t.plugin.batches[1]).toEqual(['fine one', 'explode now', 'fine two']);
    } finally {
      await t.close();
    }
  });

  it('runs every request alone with maxBatchSize 1', async () => {
    const t = await startBatchingServer({ maxBatchSize: 1 }, 5);
    try {
      const answers = await Promise.all(['a', 'b c', 'd'].map((text) => chat(t, text, false)));
      expect(answers).toEqual(['echo: a', 'echo: b c', 'echo: d']);
      expect(t.plugin.batches).toEqual([]); // the plugin's single-request methods ran
      expect(t.plugin.finished).toBe(3);
    } finally {
      await t.close();
    }
  });

  it('serves 50 concurrent requests in batches of at most 8, none lost or mixed up', async () => {
    const t = await startBatchingServer({ maxConcurrentExecutions: 2, maxQueuedExecutions: 64 }, 1);
    try {
      const texts = await Promise.all(Array.from({ length: 50 }, (_, i) => chat(t, `token-${i} end`, i % 2 === 0)));
      texts.forEach((text, i) => expect(text).toBe(`echo: token-${i} end`));
      const sizes = t.plugin.batches.map((batch) => batch.length);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(50);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      expect(t.plugin.finished).toBe(50);
    } finally {
      await t.close();
    }
  });

  it('drains a running batch on close', async () => {
    const t = await startBatchingServer({}, 10);
    const release = t.plugin.hold();
    const answers = [chat(t, 'block', false)];
    await expect.poll(() => t.host.streamsStarted, { interval: 5 }).toBe(1);
    answers.push(chat(t, 'd e f', true), chat(t, 'g h', false));
    await expect.poll(() => t.host.streamsStarted, { interval: 5 }).toBe(3); // both queued behind the held one
    const closed = t.close();
    expect((await fetch(`${t.url}/v1/models`)).status).toBe(503);
    release();
    expect(await Promise.all(answers)).toEqual(['echo: block', 'echo: d e f', 'echo: g h']);
    await closed;
    expect(t.plugin.batches.map((batch) => batch.length)).toEqual([1, 2]);
  });
});
