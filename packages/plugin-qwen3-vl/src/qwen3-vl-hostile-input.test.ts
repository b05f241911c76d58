import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidConfigError, PathNotAllowedError } from '@pio/core';
import { activationError, parentSegmentProblems, createReferenceBackend, pngHeader, unloadedPluginProblems, writeEditedConfig } from '@pio/core/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { createQwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLPlugin } from './qwen3-vl-plugin.js';
import { FIXTURE_DIR } from './testing/golden.js';

const FILES = [
  'config.json',
  'model.safetensors',
  'tokenizer.json',
  'tokenizer_config.json',
  'chat_template.json',
  'generation_config.json',
  'preprocessor_config.json',
];

const base = makeTempDir('pio-qwen-hostile-');
let root: string;

async function modelFolder(change: (files: Record<string, string>) => void | Promise<void> = () => undefined): Promise<string> {
  const dir = await mkdtemp(join(root, 'model-'));
  const links: Record<string, string> = {};
  await change(links);
  for (const name of FILES) {
    if (links[name] !== undefined) await symlink(links[name], join(dir, name));
    else await copyFile(join(FIXTURE_DIR, name), join(dir, name));
  }
  return dir;
}

async function withConfig(edit: (config: Record<string, any>) => void): Promise<string> {
  return writeEditedConfig(await modelFolder(), FIXTURE_DIR, edit);
}

async function activate(modelPath: string): Promise<unknown> {
  return activationError(createQwen3VLPlugin, modelPath, [root]);
}

beforeAll(async () => {
  root = join(base, 'models');
  await mkdir(root);
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'outside', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  for (const name of FILES) await copyFile(join(FIXTURE_DIR, name), join(base, 'outside', name));
});

describe('Qwen3-VL activation never reads outside the allowed roots', () => {
  it('refuses chat_template.json symlinked outside the roots when it is the template read', async () => {
    const dir = await modelFolder((links) => void (links['chat_template.json'] = join(base, 'outside', 'passwd')));
    const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    delete config.chat_template;
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
    const error = await activate(dir);
    expect(PathNotAllowedError.isInstance(error), String(error)).toBe(true);
  });

  it.each(FILES.filter((file) => file !== 'chat_template.json'))('refuses %s symlinked to a file outside the roots, without quoting it', async (file) => {
    const target = file.endsWith('.json') ? join(base, 'outside', 'passwd') : join(base, 'outside', file);
    const error = await activate(await modelFolder((links) => void (links[file] = target)));
    expect(PathNotAllowedError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).not.toContain('root:x');
  });

  it('refuses a model path with a ".." segment even when it lands inside the root, and loads the same folder named plainly', async () => {
    expect(await parentSegmentProblems(createQwen3VLPlugin, await modelFolder(), root)).toEqual([]);
  });
});

describe('Qwen3-VL config mistakes name the field', () => {
  it.each([
    ['text_config.hidden_size', (c: Record<string, any>) => void (c.text_config.hidden_size = '64')],
    ['text_config.num_hidden_layers', (c: Record<string, any>) => void (c.text_config.num_hidden_layers = -1)],
    ['text_config.num_attention_heads', (c: Record<string, any>) => void (c.text_config.num_attention_heads = 0)],
    ['text_config.rope_scaling.mrope_section', (c: Record<string, any>) => void (c.text_config.rope_scaling.mrope_section = [1, 2])],
    ['vision_config.deepstack_visual_indexes', (c: Record<string, any>) => void (c.vision_config.deepstack_visual_indexes = [99])],
    ['text_config', (c: Record<string, any>) => void delete c.text_config],
  ])('%s', async (field, edit) => {
    const error = await activate(await withConfig(edit));
    expect(InvalidConfigError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain(field);
  });

  it('a bad generation_config.json is an error naming the field, not silently ignored', async () => {
    const dir = await modelFolder();
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ temperature: 'hot' }));
    const error = await activate(dir);
    expect(InvalidConfigError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain('temperature');
  });
});

describe('Qwen3-VL images are bounded before any tensor is built', () => {
  let plugin: Qwen3VLPlugin;
  beforeAll(async () => {
    plugin = createQwen3VLPlugin();
    await plugin.initialize({ backend: createReferenceBackend(), limits: { maxVisionPixels: 64 * 64 } });
    await plugin.loadModel({ modelPath: FIXTURE_DIR });
  });
  afterAll(() => plugin.cleanup());

  it('resizes a 4096x4096 PNG down to the vision budget (smart_resize under max_pixels)', async () => {
    const big = await sharp({ create: { width: 4096, height: 4096, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .png()
      .toBuffer();
    expect(big.byteLength).toBeLessThan(1_000_000); // a small file...
    const result = await plugin.generateText(
      [
        { type: 'image', image: new Uint8Array(big) },
        { type: 'text', text: 'hi' },
      ],
      { maxNewTokens: 1, temperature: 0 },
    );
    // ...that takes at most 64*64/(32*32) = 4 image tokens instead of 16 384 (65 536 patches of vision attention)
    expect(result.usage.promptTokens).toBeLessThan(40);
  });

  it('refuses a decompression bomb from its header', async () => {
    const error = await plugin
      .generateText(
        [
          { type: 'image', image: pngHeader(16000, 16000) },
          { type: 'text', text: 'hi' },
        ],
        { maxNewTokens: 1 },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PIO_INVALID_IMAGE', reason: 'too-many-pixels' });
  });

  it('rejects every promise and stream method (PluginStateError), never throwing synchronously: before initialize, before loadModel, after cleanup', async () => {
    expect(await unloadedPluginProblems(createQwen3VLPlugin, FIXTURE_DIR, join(root, 'missing'))).toEqual([]);
  });
});
