import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

/** A real PNG: the server reads every image's header before a plugin sees it. */
const png = readFileSync(new URL('../../../../models/qwen3vl-tiny-random/image.png', import.meta.url));

describe('createServer with the openai client', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('lists the served models', async () => {
    const page = await t.client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['echo']);
    expect(page.data[0].owned_by).toBe('pio:echo');
  });

  it('answers a chat completion', async () => {
    const completion = await t.client.chat.completions.create({
      model: 'echo',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there world' },
      ],
      max_tokens: 10,
      temperature: 0.5,
      top_p: 0.9,
      seed: 7,
      stop: ['zzz'],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: 'echo: hello there world' });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(t.plugin.lastOptions).toMatchObject({ maxNewTokens: 10, temperature: 0.5, topP: 0.9, seed: 7, stop: ['zzz'] });
  });

  it('takes max_completion_tokens and reports length', async () => {
    const completion = await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'a b c d e' }], max_completion_tokens: 2 });
    expect(completion.choices[0].message.content).toBe('echo: a');
    expect(completion.choices[0].finish_reason).toBe('length');
  });

  it('streams a chat completion over SSE with usage', async () => {
    const stream = await t.client.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: unknown[] = [];
    let usage: unknown;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        if (choice.finish_reason) finishes.push(choice.finish_reason);
      }
    }
    expect(text).toBe('echo: one two three');
    expect(chunks).toBeGreaterThan(4);
    expect(finishes).toEqual(['stop']);
    expect(usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  it('decodes data: image URLs and passes the bytes to the plugin', async () => {
    const bytes = png;
    const completion = await t.client.chat.completions.create({
      model: 'echo',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'describe' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${bytes.toString('base64')}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0].message.content).toBe(`echo: [image ${png.length} bytes] describe`);
  });

  it('fetches http image URLs (loopback only when the operator allows private networks)', async () => {
    const imageServer = createHttpServer((_req, res) => res.end(png));
    await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
    const port = (imageServer.address() as { port: number }).port;
    const allowed = await startTestServer({ allowPrivateNetwork: true });
    try {
      const request = {
        model: 'echo',
        messages: [{ role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url: `http://127.0.0.1:${port}/cat.png` } }] }],
      };
      const refused = await t.client.chat.completions.create(request).catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 400, param: 'messages.0.content.0.image_url.url', code: 'invalid_image_url' });
      const completion = await allowed.client.chat.completions.create(request);
      expect(completion.choices[0].message.content).toBe(`echo: [image ${png.length} bytes]`);
    } finally {
      imageServer.close();
      await allowed.close();
    }
  });

  it('refuses file: image URLs unless their folder is allowed', async () => {
    const dir = makeTempDir('pio-img-');
    const file = join(dir, 'a.png');
    await writeFile(file, png);
    const request = {
      model: 'echo',
      messages: [{ role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url: pathToFileURL(file).href } }] }],
    };
    const refused = await t.client.chat.completions.create(request).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: 'messages.0.content.0.image_url.url' });
    const allowed = await startTestServer({ fileRoots: [dir] });
    try {
      const completion = await allowed.client.chat.completions.create(request);
      expect(completion.choices[0].message.content).toBe(`echo: [image ${png.length} bytes]`);
    } finally {
      await allowed.close();
    }
  });

  it('returns tool calls', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const completion = await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'please call get_weather' }], tools });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls).toEqual([
      { id: 'call_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"x":1}' } },
    ]);
    const stream = await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'call get_weather' }], tools, stream: true });
    const deltas = [];
    for await (const chunk of stream) for (const choice of chunk.choices) deltas.push(...(choice.delta.tool_calls ?? []));
    expect(deltas).toEqual([{ index: 0, id: 'call_get_weather', type: 'function', function: { name: 'get_weather', arguments: '{"x":1}' } }]);
    const none = await t.client.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'call get_weather' }],
      tools,
      tool_choice: 'none',
    });
    expect(none.choices[0].message.content).toBe('echo: call get_weather');
  });

  it('returns logprobs and top_logprobs', async () => {
    const completion = await t.client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }], logprobs: true, top_logprobs: 2 });
    const content = completion.choices[0].logprobs?.content ?? [];
    expect(content.map((entry) => entry.token)).toEqual(['echo:', ' hi']);
    expect(content[1]).toEqual({
      token: ' hi',
      logprob: -0.5,
      bytes: [32, 104, 105],
      top_logprobs: [
        { token: ' hi', logprob: -0.5, bytes: [32, 104, 105] },
        { token: '?', logprob: -2, bytes: [63] },
      ],
    });
  });

  it('answers legacy completions, streamed and not', async () => {
    const completion = await t.client.completions.create({ model: 'echo', prompt: 'the quick brown fox', max_tokens: 3, logprobs: 1 });
    expect(completion.choices[0]).toMatchObject({ index: 0, text: 'echo: the quick', finish_reason: 'length' });
    expect(completion.choices[0].logprobs).toMatchObject({ tokens: ['echo:', ' the', ' quick'], text_offset: [0, 5, 9] });
    expect(t.plugin.lastOptions).toMatchObject({ chat: false, maxNewTokens: 3 });
    const stream = await t.client.completions.create({ model: 'echo', prompt: ['a b', 'c'], stream: true });
    const texts = ['', ''];
    const finishes: string[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        texts[choice.index] += choice.text;
        if (choice.finish_reason) finishes.push(choice.finish_reason);
      }
    }
    expect(texts).toEqual(['echo: a b', 'echo: c']);
    expect(finishes).toEqual(['stop', 'stop']);
  });
});
