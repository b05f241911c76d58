import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pngHeader, solidPng } from '@pio/core/testing';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_BACKEND_NAMES } from '../testing/fixture-backends.js';
import { postJson } from '../testing/post-json.js';
import { type PrivateImageTargets, startPrivateImageTargets } from '../testing/private-image-targets.js';
import { REPO_ROOT } from '../testing/run-pio.js';
import { type FixtureModelServer, startFixtureModelServer } from '../testing/start-fixture-model-server.js';
import type { ServerRequestLog } from './server-options.js';

/**
 * The hostile-input reproductions of issue #15 against the server's request handling with the committed fixture
 * models (Qwen3-VL and GLM-4.7-Flash) on the real backends, set up as `pio serve` sets them up (its default vision
 * budget, image limits and outgoing-request policy). Every client mistake is a 4xx naming the field; no request is
 * answered 5xx; the server answers afterwards.
 */
const QWEN = join(REPO_ROOT, 'models', 'qwen3vl-tiny-random');
const GLM = join(REPO_ROOT, 'models', 'glm47flash-tiny-random');
/** `pio serve`'s default vision budget (--max-vision-pixels). */
const VISION_PIXELS = 1024 * 1024;
const CONTEXT = 2048;
const IMAGE_PARAM = 'messages.0.content.0.image_url.url';
const PNG = new Uint8Array(await readFile(join(QWEN, 'image.png')));

const dataUrl = (bytes: Uint8Array, type = 'image/png') => `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
const imageChat = (model: string, ...urls: string[]) => ({
  model,
  max_tokens: 1,
  temperature: 0,
  messages: [{ role: 'user', content: [...urls.map((url) => ({ type: 'image_url', image_url: { url } })), { type: 'text', text: 'What is this?' }] }],
});

const chatBody = (model: string) => ({ model, max_tokens: 2, temperature: 0, messages: [{ role: 'user', content: 'hi' }] });

/** Writes into `dir` a copy of the Qwen fixture whose tokenizer knows a token (`<|beyond|>`, id 1500) past the model's 1024-row vocabulary. */
async function writeQwenWithWideTokenizer(dir: string): Promise<string> {
  for (const name of await readdir(QWEN)) await copyFile(join(QWEN, name), join(dir, name));
  const tokenizer = JSON.parse(await readFile(join(QWEN, 'tokenizer.json'), 'utf8')) as { added_tokens: object[] };
  tokenizer.added_tokens.push({ id: 1500, content: '<|beyond|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  return dir;
}

describe.each(FIXTURE_BACKEND_NAMES)('pio serve refuses hostile requests to the fixture models on %s', (backendName) => {
  let served: FixtureModelServer;
  const wide = makeTempDir('pio-wide-tokenizer-');
  const log: ServerRequestLog[] = [];
  // image URL targets: listeners on 127.0.0.1 only
  let targets: PrivateImageTargets;

  beforeAll(async () => {
    await writeQwenWithWideTokenizer(wide);
    served = await startFixtureModelServer(backendName, {
      models: { qwen: QWEN, glm: GLM, 'qwen-wide': wide },
      extraRoots: [wide],
      limits: { maxConcurrentExecutions: 1, maxQueuedExecutions: 64, maxBatchSize: 8, maxVisionPixels: VISION_PIXELS },
      contextLength: CONTEXT,
      server: { allowRemoteImages: true, allowPrivateNetwork: false, onRequest: (entry) => log.push(entry) },
    });
    targets = await startPrivateImageTargets(PNG);
  });

  afterAll(async () => {
    await targets?.close();
    await served?.close();
    // no request of this suite was answered 5xx
    expect(log.filter((entry) => entry.status >= 500)).toEqual([]);
  });

  const post = (body: unknown, path = '/v1/chat/completions') => postJson(`${served.url}${path}`, body);

  it('malformed percent-escapes in a data: URL and in /v1/models/{id}', async () => {
    expect(await post(imageChat('qwen', 'data:image/png,%E0%A4%A'))).toMatchObject({
      status: 400,
      body: { error: { param: IMAGE_PARAM, code: 'invalid_image_url' } },
    });
    const response = await fetch(`${served.url}/v1/models/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { param: 'id', code: 'invalid_path' } });
  });

  it('invalid base64, and bytes that are no image (never quoted back)', async () => {
    expect(await post(imageChat('qwen', 'data:image/png;base64,@@@@'))).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM } } });
    const answer = await post(imageChat('qwen', dataUrl(new TextEncoder().encode('root:x:0:0:root:/root:/bin/bash'))));
    expect(answer).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM, type: 'invalid_request_error' } } });
    expect(answer.body.error.message).not.toContain('root:x');
  });

  it('a 4096x4096 PNG (55 KB) is resized to the vision budget: about 1024 image tokens, not 16 384', async () => {
    const big = solidPng(4096, 4096);
    expect(big.byteLength).toBeLessThan(100_000);
    const answer = await post(imageChat('qwen', dataUrl(big)));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // smart_resize under max_pixels = 1024²: 1024x1024 → 64x64 patches → 32x32 = 1024 merged image tokens, plus the text
    expect(answer.body.usage.prompt_tokens).toBeGreaterThanOrEqual(1024);
    expect(answer.body.usage.prompt_tokens).toBeLessThan(1100);
  });

  it('a decompression bomb is refused from its header', async () => {
    const answer = await post(imageChat('qwen', dataUrl(pngHeader(16000, 16000))));
    expect(answer).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM } } });
    expect(answer.body.error.message).toContain('16000x16000');
  });

  it('more images than the per-request limit, before any is read', async () => {
    const answer = await post(imageChat('qwen', ...Array.from({ length: 9 }, () => dataUrl(PNG))));
    expect(answer).toMatchObject({ status: 400, body: { error: { param: 'messages.0.content.8.image_url.url', code: 'too_many_images' } } });
  });

  it('an image sent to the text-only GLM model is a 400 naming the image field, before it is read', async () => {
    const answer = await post(imageChat('glm', dataUrl(PNG)));
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error).toMatchObject({ param: IMAGE_PARAM, code: 'unsupported_input' });
    const inference = await post({ prompt: 'What is this?', images: [dataUrl(PNG)], max_tokens: 1 }, '/models/glm/inference');
    expect(inference).toMatchObject({ status: 400, body: { error: { param: 'images.0', code: 'unsupported_input' } } });
  });

  it('image URLs to loopback, a closed port, link-local metadata, a redirect to loopback, IPv4-mapped loopback: one identical 400, nothing fetched', async () => {
    const messages = new Set<string>();
    for (const image of targets.urls) {
      const answer = await post(imageChat('qwen', image));
      expect(answer, image).toMatchObject({ status: 400, body: { error: { param: IMAGE_PARAM, code: 'invalid_image_url' } } });
      messages.add(answer.body.error.message.replace(/\(http[^)]*\)/, '(URL)'));
    }
    expect([...messages]).toHaveLength(1);
    expect(targets.hits()).toBe(0);
  });

  it.each(['qwen', 'glm'])('%s: tool-call arguments that are not JSON', async (model) => {
    const answer = await post({
      model,
      max_tokens: 1,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{not json' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '42' },
      ],
    });
    expect(answer).toMatchObject({ status: 400, body: { error: { param: 'messages.1.tool_calls.0.function.arguments' } } });
  });

  it.each(['qwen', 'glm'])('%s: chat_template_kwargs of the wrong shape', async (model) => {
    for (const kwargs of ['yes', [1, 2], { messages: [] }, { add_generation_prompt: false }, { tools: 'none' }]) {
      const answer = await post({ model, max_tokens: 1, messages: [{ role: 'user', content: 'hi' }], chat_template_kwargs: kwargs });
      expect(answer.status, JSON.stringify(kwargs)).toBe(400);
      expect(answer.body.error.param, JSON.stringify(kwargs)).toMatch(/^chat_template_kwargs/);
    }
  });

  it.each(['qwen', 'glm'])(
    '%s: a response_format or forced tool whose schema only refers to itself is 400 naming the field (no stack overflow)',
    async (model) => {
      const format = await post({ ...chatBody(model), response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { $ref: '#' } } } });
      expect(format).toMatchObject({ status: 400, body: { error: { param: 'response_format.json_schema.schema' } } });
      const tools = [{ type: 'function', function: { name: 'f', parameters: { anyOf: [{ $ref: '#' }, { type: 'object' }] } } }];
      const forced = await post({ ...chatBody(model), tools, tool_choice: { type: 'function', function: { name: 'f' } } });
      expect(forced.status).toBe(400);
      expect(forced.body.error.param).toBe('tools[0].function.parameters');
    },
  );

  it.each(['qwen', 'glm'])('%s: a response_format number range the model cannot write is 400, streamed or not (it was a 500)', async (model) => {
    const format = (schema: object) => ({ type: 'json_schema', json_schema: { name: 'x', schema } });
    const beyond = await post({ ...chatBody(model), response_format: format({ type: 'object', properties: { n: { type: 'number', minimum: 1e308 } } }) });
    expect(beyond).toMatchObject({ status: 400, body: { error: { param: 'response_format.json_schema.schema' } } });
    // compiles, but needs more than 15 fractional digits: refused as soon as no token can come next
    const narrow = format({ type: 'number', exclusiveMinimum: 1e-20, exclusiveMaximum: 2e-20 });
    const answer = await post({ ...chatBody(model), max_tokens: 40, response_format: narrow });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error.code).toBe('pio_unsupported_schema');
    const streamed = await fetch(`${served.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...chatBody(model), max_tokens: 40, stream: true, response_format: narrow }),
    });
    const events = await streamed.text();
    expect(events).toContain('pio_unsupported_schema'); // an error event on the stream, then the stream ends
  });

  it('JSON nested 100 000 levels deep: 400 invalid_json, and the server still answers', async () => {
    const deep = `{"model":"qwen","messages":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(await post(deep)).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    expect((await fetch(`${served.url}/health`)).status).toBe(200);
  });

  it.each(['qwen', 'glm'])('%s: a prompt longer than the context is 400 context_length_exceeded, streamed or not', async (model) => {
    const long = Array.from({ length: 3 * CONTEXT }, (_, i) => `word${i}`).join(' ');
    for (const stream of [false, true]) {
      const answer = await post({ model, max_tokens: 4, stream, messages: [{ role: 'user', content: long }] });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'context_length_exceeded', param: 'messages' } } });
    }
    const completion = await post({ model, max_tokens: 4, prompt: long }, '/v1/completions');
    expect(completion).toMatchObject({ status: 400, body: { error: { code: 'context_length_exceeded' } } });
  });

  it('a prompt that tokenizes to an id beyond the model vocabulary is 400 invalid_prompt, streamed or not', async () => {
    for (const stream of [false, true]) {
      const answer = await post({ model: 'qwen-wide', max_tokens: 2, stream, messages: [{ role: 'user', content: 'go <|beyond|> here' }] });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_prompt', param: 'messages' } } });
      expect(answer.body.error.message).toContain('1500');
    }
    // the model still answers well-formed prompts
    const ok = await post({ model: 'qwen-wide', max_tokens: 2, temperature: 0, messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.status).toBe(200);
  });

  it('answers normal requests to both models after all of the above', async () => {
    for (const model of ['qwen', 'glm']) {
      const answer = await post({ model, max_tokens: 2, temperature: 0, messages: [{ role: 'user', content: 'Hello' }] });
      expect(answer.status).toBe(200);
      expect(answer.body.choices[0].finish_reason).toMatch(/stop|length/);
    }
    expect((await post(imageChat('qwen', dataUrl(PNG)))).status).toBe(200);
  });
});
