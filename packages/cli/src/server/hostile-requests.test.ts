import { readFileSync } from 'node:fs';
import { pngHeader } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson as post } from '../testing/post-json.js';
import { type PrivateImageTargets, startPrivateImageTargets } from '../testing/private-image-targets.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

const png = readFileSync(new URL('../../../../models/qwen3vl-tiny-random/image.png', import.meta.url));

const imageMessage = (url: string) => ({ model: 'echo', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
const IMAGE_PARAM = 'messages.0.content.0.image_url.url';

describe('pio serve answers client mistakes with 4xx naming the field', () => {
  let t: TestServer;
  let chat = '';
  beforeAll(async () => {
    t = await startTestServer({ maxBodyBytes: 4 * 1024 * 1024 });
    chat = `${t.url}/v1/chat/completions`;
  });
  afterAll(() => t.close());

  it('malformed percent-escapes in a data: URL', async () => {
    const answer = await post(chat, imageMessage('data:image/png,%E0%A4%A'));
    expect(answer).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM, code: 'invalid_image_url' } } });
  });

  it('invalid base64 and bytes that are no image', async () => {
    expect(await post(chat, imageMessage('data:image/png;base64,@@@@'))).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM } } });
    const text = `data:image/png;base64,${Buffer.from('root:x:0:0:root').toString('base64')}`;
    const answer = await post(chat, imageMessage(text));
    expect(answer).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM } } });
    expect(answer.body.error.message).not.toContain('root:x');
  });

  it('a decompression bomb, refused from its header', async () => {
    const answer = await post(chat, imageMessage(`data:image/png;base64,${Buffer.from(pngHeader(16000, 16000)).toString('base64')}`));
    expect(answer).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM } } });
    expect(answer.body.error.message).toContain('16000x16000');
  });

  it('more images than the per-request limit, before any is read', async () => {
    const url = `data:image/png;base64,${png.toString('base64')}`;
    const content = Array.from({ length: 9 }, () => ({ type: 'image_url', image_url: { url } }));
    const answer = await post(chat, { model: 'echo', messages: [{ role: 'user', content }] });
    expect(answer).toMatchObject({ status: 400, body: { error: { param: 'messages.0.content.8.image_url.url', code: 'too_many_images' } } });
  });

  it('malformed percent-escapes in /v1/models/{id}', async () => {
    const response = await fetch(`${t.url}/v1/models/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'id', code: 'invalid_path' } });
  });

  it('tool-call arguments that are not JSON', async () => {
    const answer = await post(chat, {
      model: 'echo',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{not json' } }] },
      ],
    });
    expect(answer).toMatchObject({ status: 400, body: { error: { param: 'messages.1.tool_calls.0.function.arguments' } } });
  });

  it('chat_template_kwargs of the wrong shape', async () => {
    for (const kwargs of ['yes', [1, 2], { messages: [] }, { add_generation_prompt: false }]) {
      const answer = await post(chat, { model: 'echo', messages: [{ role: 'user', content: 'hi' }], chat_template_kwargs: kwargs });
      expect(answer.status, JSON.stringify(kwargs)).toBe(400);
      expect(answer.body.error.param).toMatch(/^chat_template_kwargs/);
    }
  });

  it('JSON nested 100 000 levels deep (no stack overflow)', async () => {
    const deep = `{"model":"echo","messages":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const answer = await post(chat, deep);
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    // the server still answers
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });

  it("a registered model path with a '..' segment, even one landing inside a root", async () => {
    const answer = await post(`${t.url}/models/register`, { model_id: 'x', path: 'models/../models/x' });
    expect(answer).toMatchObject({ status: 400, body: { error: { param: 'path', code: 'path_not_allowed' } } });
  });

  it('an oversized body: 413', async () => {
    const answer = await post(chat, { model: 'echo', messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }] });
    expect(answer.status).toBe(413);
  });
});

describe('pio serve image URLs never reach private addresses unless allowed, and fail alike', () => {
  let t: TestServer;
  let targets: PrivateImageTargets;
  beforeAll(async () => {
    t = await startTestServer();
    targets = await startPrivateImageTargets(png);
  });
  afterAll(async () => {
    await targets.close();
    await t.close();
  });

  it('loopback, link-local metadata, a closed port and an open one give the same 400, and nothing is fetched', async () => {
    const messages = new Set<string>();
    for (const url of targets.urls) {
      const answer = await post(`${t.url}/v1/chat/completions`, imageMessage(url));
      expect(answer).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM, code: 'invalid_image_url' } } });
      messages.add(answer.body.error.message.replace(/\(http[^)]*\)/, '(URL)'));
    }
    expect(messages.size).toBe(1);
    expect(targets.hits()).toBe(0);
  });
});
