import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReferenceBackend } from '@pio/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLPlugin } from './qwen3-vl-plugin.js';
import { FIXTURE_DIR, readBin, readGolden } from './testing/golden.js';
import { greedy } from './testing/golden-suite.js';

const golden = readGolden();
const goldenText = JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden_text.json'), 'utf8'));
const imageChat = goldenText.chat_cases.find((c: { name: string }) => c.name === 'image_openai_content_parts');
const backend = createReferenceBackend();
const steps = 6;
const greedyOptions = { maxNewTokens: steps, temperature: 0, eosTokenIds: [] as number[] };
let plugin: Qwen3VLPlugin;
let expected: number[];

describe('chat with an image, end to end on the fixture folder', () => {
  beforeAll(async () => {
    plugin = createQwen3VLPlugin({ imageBaseDir: FIXTURE_DIR }); // the golden messages name image.png, beside the model
    await plugin.initialize({ backend });
    await plugin.loadModel({ modelPath: FIXTURE_DIR });
    // independent path: the golden expanded ids + golden pixel values, greedy through the model's own session
    const images = { pixelValues: readBin(golden.preprocess.pixel_values), imageGridThw: [imageChat.image_grid_thw] };
    const ids = imageChat.input_ids_expanded;
    expected = (await greedy(plugin.model!, [ids], [ids.map(() => 1)], steps, images)).tokens[0];
  });
  afterAll(async () => {
    await plugin.cleanup();
    backend.dispose();
  });

  it('chatCompletion renders, loads the image, expands its tokens and generates', async () => {
    const messages = imageChat.messages.map((m: { content: unknown }) => ({ ...m }));
    const reply = await plugin.chatCompletion({ messages, ...greedyOptions });
    expect(reply.usage.promptTokens).toBe(imageChat.input_ids_expanded.length);
    expect(reply.usage.completionTokens).toBe(steps);
    expect(reply.finishReason).toBe('length');
    expect(reply.message.role).toBe('assistant');
    expect(reply.message.content).toBe(plugin.detokenize(expected, { skipSpecialTokens: true }));
  });

  it('streamChatCompletion gives the same text in pieces', async () => {
    let text = '';
    let finish: string | undefined;
    for await (const delta of plugin.streamChatCompletion({ messages: imageChat.messages, ...greedyOptions })) {
      text += delta.content ?? '';
      finish = delta.finishReason ?? finish;
    }
    expect(text).toBe(plugin.detokenize(expected, { skipSpecialTokens: true }));
    expect(finish).toBe('length');
  });

  it('generate with pixelValues + imageGridThw and generateText with images agree', async () => {
    const ids = imageChat.input_ids_expanded;
    const result = await plugin.generate({
      inputIds: [ids],
      pixelValues: readBin(golden.preprocess.pixel_values),
      imageGridThw: [imageChat.image_grid_thw],
      ...greedyOptions,
    });
    expect(result.tokens).toEqual([expected]);
    const tokens: number[] = [];
    for await (const delta of plugin.streamGenerate({
      inputIds: [ids],
      pixelValues: readBin(golden.preprocess.pixel_values),
      imageGridThw: [imageChat.image_grid_thw],
      ...greedyOptions,
    })) {
      tokens.push(delta.token);
    }
    expect(tokens).toEqual(expected);
    const image = join(FIXTURE_DIR, 'image.png');
    const text = await plugin.generateText('Describe this image.', { images: [image], ...greedyOptions });
    const chat = await plugin.chatCompletion({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', image },
            { type: 'text', text: 'Describe this image.' },
          ],
        },
      ],
      ...greedyOptions,
    });
    expect(text.text).toBe(chat.message.content);
    expect(text.usage.promptTokens).toBe(goldenText.chat_cases.find((c: { name: string }) => c.name === 'image').input_ids_expanded.length);
  });
});
