import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, runPio } from '../testing/run-pio.js';
import { servePio } from '../testing/serve-pio.js';

const ENV = { PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') };
const QWEN = join(REPO_ROOT, 'packages', 'plugin-qwen3-vl', 'src', '__fixtures__', 'qwen3vl-tiny');
const GLM = join(REPO_ROOT, 'packages', 'plugin-glm-flash', 'src', '__fixtures__', 'glm47flash-tiny');

/** Starts `pio serve` on both fixture models; returns an OpenAI client and a stop function (SIGTERM, exit code). */
async function serve(maxBatch: number): Promise<{ client: OpenAI; stop: () => Promise<number | null> }> {
  const args = ['--model', `qwen=${QWEN}`, '--model', `glm=${GLM}`, '--port', '0', '--max-batch', String(maxBatch), '--threads', '1', '--quiet'];
  const pio = await servePio(args, { env: ENV });
  return {
    client: new OpenAI({ baseURL: `${pio.url}/v1`, apiKey: 'none', maxRetries: 0 }),
    stop: async () => {
      pio.kill('SIGTERM');
      return pio.exited;
    },
  };
}

/** The same mix of requests, sent at once: greedy and seeded chats, streamed and not, an image, legacy completions. */
async function answers(client: OpenAI, png: string): Promise<unknown[]> {
  const chat = async (model: string, content: OpenAI.ChatCompletionMessageParam['content'], extra: Record<string, unknown>, stream = false) => {
    const request = { model, messages: [{ role: 'user', content }] as OpenAI.ChatCompletionMessageParam[], max_tokens: 6, ...extra };
    if (!stream) {
      const completion = await client.chat.completions.create({ ...request, stream: false });
      return { message: completion.choices[0].message, finish: completion.choices[0].finish_reason, usage: completion.usage };
    }
    let text = '';
    let finish: string | null = null;
    for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    return { text, finish };
  };
  const image = [
    { type: 'text' as const, text: 'What is this?' },
    { type: 'image_url' as const, image_url: { url: `data:image/png;base64,${png}` } },
  ];
  return Promise.all([
    chat('qwen', 'What is 2+2?', { temperature: 0 }),
    chat('qwen', 'Tell me a story.', { temperature: 0.8, seed: 7 }),
    chat('qwen', 'Name a colour.', { temperature: 0 }, true),
    chat('qwen', image, { temperature: 0 }),
    chat('qwen', 'Count to five.', { temperature: 1.1, top_k: 40, seed: 3, stop: ['3'] }, true),
    client.completions.create({ model: 'qwen', prompt: ['Once upon a time', 'The capital of France'], max_tokens: 5, temperature: 0 }).then((c) => c.choices),
    chat('glm', 'Hello!', { temperature: 0 }),
    chat('glm', 'Why is the sky blue?', { temperature: 0.9, seed: 11 }, true),
    chat('glm', 'Hi', { temperature: 0, enable_thinking: false }),
  ]);
}

describe('pio serve batching on the tiny fixture models', () => {
  beforeAll(() => ensureBuilt(['plugin-qwen3-vl', 'plugin-glm-flash']), BUILD_TIMEOUT_MS);

  it('answers concurrent requests exactly as with batching off, and stops cleanly on SIGTERM', async () => {
    const png = (await readFile(join(QWEN, 'image.png'))).toString('base64');
    const alone = await serve(1);
    let expected: unknown[];
    try {
      expected = await answers(alone.client, png);
    } finally {
      expect(await alone.stop()).toBe(0);
    }
    const batched = await serve(8);
    try {
      const got = await answers(batched.client, png);
      expect(got).toEqual(expected);
      expect(JSON.stringify(got)).toContain('"completion_tokens":6'); // some answers ran to max_tokens: real generations
    } finally {
      expect(await batched.stop()).toBe(0);
    }
  });

  it('under an expert budget (decode steps guessing their experts, misses run again), answers batched as alone', async () => {
    // 3 of the fixture's 8 routed experts per MoE layer: batched rows share the slots, and a row's miss makes the
    // whole batched step run again
    const glm = async (maxBatch: number) => {
      const args = ['--model', `glm=${GLM}`, '--expert-budget', '3', '--port', '0', '--max-batch', String(maxBatch), '--threads', '1', '--quiet'];
      const pio = await servePio(args, { env: ENV });
      const client = new OpenAI({ baseURL: `${pio.url}/v1`, apiKey: 'none', maxRetries: 0 });
      const chat = (content: string, extra: Record<string, unknown>) =>
        client.chat.completions
          .create({ model: 'glm', messages: [{ role: 'user', content }], max_tokens: 12, stream: false, ...extra })
          .then((c) => ({ content: c.choices[0].message.content, finish: c.choices[0].finish_reason, usage: c.usage }));
      try {
        return await Promise.all([
          chat('Hello!', { temperature: 0 }),
          chat('Why is the sky blue?', { temperature: 0.9, seed: 11 }),
          chat('Hi', { temperature: 0, enable_thinking: false }),
          chat('Name three rivers.', { temperature: 0.7, seed: 5 }),
        ]);
      } finally {
        pio.kill('SIGTERM');
        expect(await pio.exited).toBe(0);
      }
    };
    const alone = await glm(1);
    expect(JSON.stringify(alone)).toContain('"completion_tokens":12'); // real generations, not early stops
    expect(await glm(8)).toEqual(alone);
  });

  it('refuses --max-batch 0', async () => {
    const { code, stderr } = await runPio(['serve', '--max-batch', '0'], { env: ENV });
    expect(code).toBe(2);
    expect(stderr).toContain('--max-batch must be 1 or more');
  });
});
