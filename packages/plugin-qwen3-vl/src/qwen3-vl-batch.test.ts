import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { ChatCompletionDelta, ChatCompletionRequest } from '@pio/core';
import { openTestPlugin } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import { Qwen3VLModel } from './qwen3-vl-model.js';
import type { Qwen3VLPlugin } from './qwen3-vl-plugin.js';
import { FIXTURE_DIR } from './testing/golden.js';

const collect = async (stream: AsyncIterable<ChatCompletionDelta>): Promise<ChatCompletionDelta[]> => {
  const deltas: ChatCompletionDelta[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
};

/** A `width` x `height` RGB PNG with a colour gradient (a second image, of another size than the fixture's). */
function gradientPng(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([(x * 255) / width, (y * 255) / height, 128], y * (1 + width * 3) + 1 + x * 3);
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]));
}

describe('Qwen3VLPlugin.streamBatch on the tiny fixture (reference backend)', () => {
  let plugin: Qwen3VLPlugin;
  let close: () => Promise<void>;
  let requests: ChatCompletionRequest[];
  beforeAll(async () => {
    ({ plugin, close } = await openTestPlugin(createQwen3VLPlugin, FIXTURE_DIR));
    const image = new Uint8Array(await readFile(join(FIXTURE_DIR, 'image.png')));
    requests = [
      { messages: [{ role: 'user', content: 'What is 2+2?' }], temperature: 0, maxNewTokens: 6 },
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', image },
              { type: 'text', text: 'Describe this image.' },
            ],
          },
        ],
        temperature: 0,
        maxNewTokens: 4,
      },
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Tell me a story about a fox.' },
        ],
        seed: 21,
        maxNewTokens: 8,
      },
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'And this one?' },
              { type: 'image', image: gradientPng(40, 150) },
            ],
          },
        ],
        seed: 5,
        maxNewTokens: 5,
      },
    ];
  });
  afterAll(() => close());

  it('gives each request what it gives alone, images included, in one batch', async () => {
    const alone: ChatCompletionDelta[][] = [];
    for (const request of requests) alone.push(await collect(plugin.streamChatCompletion(request)));
    const sessions = vi.spyOn(Qwen3VLModel.prototype, 'createSession');
    const results = await Promise.all(plugin.streamBatch(requests.map((request) => ({ kind: 'chat' as const, request }))).map(collect));
    // one session for the four requests, with the images of rows 1 and 3 in row order
    const [[prompt, images]] = sessions.mock.calls;
    expect(sessions).toHaveBeenCalledTimes(1);
    expect(prompt.inputIds).toHaveLength(4);
    expect(images?.imageGridThw).toHaveLength(2);
    expect(images?.imageGridThw[0]).toEqual([1, 6, 8]);
    expect(images?.imageGridThw[1]).not.toEqual([1, 6, 8]);
    sessions.mockRestore();
    results.forEach((deltas) => expect(deltas.at(-1)!.usage!.completionTokens).toBeGreaterThan(1));
    requests.forEach((_, i) => expect(results[i], `request ${i}`).toEqual(alone[i]));
    expect(results[1].at(-1)!.usage!.promptTokens).toBeGreaterThan(results[0].at(-1)!.usage!.promptTokens); // image tokens expanded
  });
});
