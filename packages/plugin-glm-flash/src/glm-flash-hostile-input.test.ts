import { copyFile, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidConfigError, PathNotAllowedError } from '@pio/core';
import { activationError, parentSegmentProblems, unloadedPluginProblems, writeEditedConfig } from '@pio/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { createGlmFlashPlugin } from './glm-flash-plugin.js';
import { writeCheckpointCopy } from './testing/checkpoint-copies.js';

/** The committed tiny GLM-4.7-Flash model. */
const FIXTURE_DIR = fileURLToPath(new URL('../../../models/glm47flash-tiny-random/', import.meta.url));
/** Every file the GLM loader opens in a single-file checkpoint. */
const FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'generation_config.json'];
const SECRET = 'root:x:0:0:root:/root:/bin/bash\n';

const base = makeTempDir('pio-glm-hostile-');
let root: string;
const sharded = makeTempDir('pio-glm-sharded-');

/** A copy of the fixture inside the root; `links` maps a file name to the target it is a symlink to instead. */
async function modelFolder(links: Record<string, string> = {}, from = FIXTURE_DIR): Promise<string> {
  const dir = await mkdtemp(join(root, 'glm-'));
  const names = (await readdir(from)).filter((name) => name !== 'README.md');
  for (const name of names) {
    if (links[name] !== undefined) await symlink(links[name], join(dir, name));
    else await copyFile(join(from, name), join(dir, name));
  }
  for (const [name, target] of Object.entries(links)) if (!names.includes(name)) await symlink(target, join(dir, name));
  return dir;
}

async function withConfig(edit: (config: Record<string, any>) => void): Promise<string> {
  return writeEditedConfig(await modelFolder(), FIXTURE_DIR, edit);
}

/** Activates the GLM plugin (sandboxed: confined to the root) on `modelPath`; resolves with the error, if any. */
async function activate(modelPath: string): Promise<unknown> {
  return activationError(createGlmFlashPlugin, modelPath, [root]);
}

async function refused(modelPath: string): Promise<PathNotAllowedError> {
  const error = await activate(modelPath);
  expect(PathNotAllowedError.isInstance(error), String(error)).toBe(true);
  expect((error as Error).message).not.toContain('root:x');
  return error as PathNotAllowedError;
}

beforeAll(async () => {
  root = join(base, 'models');
  await mkdir(root);
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'outside', 'passwd'), SECRET);
  for (const name of FILES) await copyFile(join(FIXTURE_DIR, name), join(base, 'outside', name));
  // a 2-shard copy of the fixture (index + shards), with the tokenizer and template beside it
  await writeCheckpointCopy(sharded, FIXTURE_DIR, { shards: 2 });
  for (const name of ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']) await copyFile(join(FIXTURE_DIR, name), join(sharded, name));
  for (const name of await readdir(sharded)) await copyFile(join(sharded, name), join(base, 'outside', name));
});

describe('GLM-4.7-Flash activation never reads outside the allowed roots', () => {
  it.each(FILES)('refuses %s symlinked to a file outside the roots, without quoting it', async (file) => {
    const target = file === 'model.safetensors' ? join(base, 'outside', file) : join(base, 'outside', 'passwd');
    const error = await refused(await modelFolder({ [file]: target }));
    expect(error.reason).toBe('outside-roots');
  });

  it.each(FILES.filter((file) => file !== 'model.safetensors'))('refuses %s symlinked to the same file outside the roots', async (file) => {
    await refused(await modelFolder({ [file]: join(base, 'outside', file) }));
  });

  it('refuses the shard index and a shard symlinked outside the roots', async () => {
    await refused(await modelFolder({ 'model.safetensors.index.json': join(base, 'outside', 'model.safetensors.index.json') }, sharded));
    await refused(await modelFolder({ 'model-00002-of-00002.safetensors': join(base, 'outside', 'model-00002-of-00002.safetensors') }, sharded));
    expect(await activate(await modelFolder({}, sharded))).toBeUndefined();
  });

  it('refuses a folder that is itself a symlink to outside the roots', async () => {
    const outsideModel = join(base, 'outside-model');
    await mkdir(outsideModel);
    for (const name of FILES) await copyFile(join(FIXTURE_DIR, name), join(outsideModel, name));
    await symlink(outsideModel, join(root, 'linked-glm'));
    await refused(join(root, 'linked-glm'));
  });

  it('refuses a model path with a ".." segment even when it lands inside the root, and loads the same folder named plainly', async () => {
    expect(await parentSegmentProblems(createGlmFlashPlugin, await modelFolder(), root)).toEqual([]);
  });
});

describe('GLM-4.7-Flash config mistakes name the field', () => {
  it.each([
    ['hidden_size', (c: Record<string, any>) => void (c.hidden_size = '64')],
    ['num_hidden_layers', (c: Record<string, any>) => void (c.num_hidden_layers = -1)],
    ['num_attention_heads', (c: Record<string, any>) => void (c.num_attention_heads = 0)],
    ['n_routed_experts', (c: Record<string, any>) => void (c.n_routed_experts = 0)],
    ['kv_lora_rank', (c: Record<string, any>) => void delete c.kv_lora_rank],
    ['qk_rope_head_dim', (c: Record<string, any>) => void (c.qk_rope_head_dim = 7)],
    ['num_experts_per_tok', (c: Record<string, any>) => void (c.num_experts_per_tok = 9)], // more than the 8 experts
    ['n_group', (c: Record<string, any>) => void (c.n_group = 3)], // 8 experts do not split into 3 groups
    ['topk_group', (c: Record<string, any>) => void Object.assign(c, { n_group: 2, topk_group: 4 })],
    ['mlp_layer_types[1]', (c: Record<string, any>) => void (c.mlp_layer_types = ['dense', 'moe', 'sparse'])],
    ['rope_scaling', (c: Record<string, any>) => void (c.rope_scaling = { rope_type: 'yarn', factor: 4 })],
  ])('%s', async (field, edit) => {
    const error = await activate(await withConfig(edit));
    expect(InvalidConfigError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain(field);
    expect((error as Error).message).toContain('config.json');
  });

  it('a bad generation_config.json is an error naming the field, not silently ignored', async () => {
    const dir = await modelFolder();
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ temperature: 'hot', eos_token_id: [1000] }));
    const error = await activate(dir);
    expect(InvalidConfigError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain('temperature');
  });

  it('a pad_token_id outside the vocabulary is refused at load, not when a batch is padded with it', async () => {
    const dir = await modelFolder();
    await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [1000], pad_token_id: 5000 }));
    const error = await activate(dir);
    expect(InvalidConfigError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain('pad_token_id');
  });
});

describe('GLM-4.7-Flash plugin without a loaded model', () => {
  it('rejects every promise and stream method (PluginStateError), never throwing synchronously: before initialize, before loadModel, after cleanup', async () => {
    expect(await unloadedPluginProblems(createGlmFlashPlugin, FIXTURE_DIR, join(root, 'missing'))).toEqual([]);
  });
});
