import { copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { readModelConfig } from '../config/read-model-config.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { ConfigFileError } from '../errors/config-file-error.js';
import { PathNotAllowedError } from '../errors/path-not-allowed-error.js';
import { loadGenerationConfig } from '../generation/load-generation-config.js';
import { loadChatTemplate } from '../text/load-chat-template.js';
import { loadTokenizer } from '../text/load-tokenizer.js';
import { openCheckpoint } from '../weights/open-checkpoint.js';
import { openSafetensors } from '../weights/safetensors-file.js';
import { createPathGuard } from './path-guard.js';

const fixture = new URL('../../../../models/qwen3vl-tiny-random/', import.meta.url).pathname;
const FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.json', 'generation_config.json'];
const SECRET = 'root:x:0:0:root:/root:/bin/bash\n';

const base = makeTempDir('pio-loader-guard-');
let root: string;

/** A copy of the fixture model inside the root with `file` replaced by a symlink to `target`. */
async function modelWithLink(file: string, target: string): Promise<string> {
  const dir = await mkdtemp(join(root, `with-${file}-`));
  for (const name of FILES) {
    if (name === file) await symlink(target, join(dir, name));
    else await copyFile(join(fixture, name), join(dir, name));
  }
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<PathNotAllowedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(PathNotAllowedError.isInstance(error), String(error)).toBe(true);
  expect((error as Error).message).not.toContain('root:x');
  return error as PathNotAllowedError;
}

beforeAll(async () => {
  root = join(base, 'models');
  await mkdir(join(base, 'outside'), { recursive: true });
  await mkdir(root);
  await writeFile(join(base, 'outside', 'passwd'), SECRET);
  for (const name of FILES) await copyFile(join(fixture, name), join(base, 'outside', name));
});

describe('core loaders put every file through the path guard, after symlinks are resolved', () => {
  const validatePath = (): ((path: string) => Promise<string>) => createPathGuard({ allowedRoots: [root] }).validate;

  it('config.json linked outside the root', async () => {
    const dir = await modelWithLink('config.json', join(base, 'outside', 'passwd'));
    const error = await refusal(readModelConfig(dir, { validatePath: validatePath() }));
    expect(error).toMatchObject({ reason: 'outside-roots', resolvedPath: join(base, 'outside', 'passwd') });
  });

  it('model.safetensors linked outside the root', async () => {
    const dir = await modelWithLink('model.safetensors', join(base, 'outside', 'model.safetensors'));
    await refusal(openCheckpoint(dir, { validatePath: validatePath() }));
  });

  it('a shard and the shard index linked outside the root', async () => {
    const dir = join(root, 'sharded');
    await mkdir(dir);
    await writeFile(join(base, 'outside', 'model.safetensors.index.json'), JSON.stringify({ weight_map: { x: 'model-00001.safetensors' } }));
    await symlink(join(base, 'outside', 'model.safetensors.index.json'), join(dir, 'model.safetensors.index.json'));
    await refusal(openCheckpoint(dir, { validatePath: validatePath() }));
    const dir2 = join(root, 'sharded2');
    await mkdir(dir2);
    await writeFile(join(dir2, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { x: 'model-00001.safetensors' } }));
    await symlink(join(base, 'outside', 'model.safetensors'), join(dir2, 'model-00001.safetensors'));
    await refusal(openCheckpoint(dir2, { validatePath: validatePath() }));
  });

  it('tokenizer.json, chat template and generation_config.json linked outside the root', async () => {
    await refusal(loadTokenizer(await modelWithLink('tokenizer.json', join(base, 'outside', 'passwd')), { validatePath: validatePath() }));
    await refusal(loadChatTemplate(await modelWithLink('tokenizer_config.json', join(base, 'outside', 'passwd')), { validatePath: validatePath() }));
    await refusal(loadGenerationConfig(await modelWithLink('generation_config.json', join(base, 'outside', 'passwd')), { validatePath: validatePath() }));
  });

  it('without a guard the files are read, but a parse error never quotes the file', async () => {
    const dir = await modelWithLink('config.json', join(base, 'outside', 'passwd'));
    const error = await readModelConfig(dir).catch((e: unknown) => e);
    expect(ConfigFileError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid-json' });
    expect((error as Error).message).not.toContain('root:x');
    const tokenizer = await loadTokenizer(await modelWithLink('tokenizer.json', join(base, 'outside', 'passwd'))).catch((e: unknown) => e);
    expect((tokenizer as Error).message).not.toContain('root:x');
    expect((tokenizer as Error).cause).toBeUndefined();
    const weights = await openCheckpoint(await modelWithLink('model.safetensors', join(base, 'outside', 'passwd'))).catch((e: unknown) => e);
    expect((weights as Error).message).not.toContain('root:x');
  });
});

describe('openSafetensors gives typed errors for paths that are no file', () => {
  it('a folder', async () => {
    const error = await openSafetensors(root).catch((e: unknown) => e);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ problem: 'unreadable-file' });
    expect((error as Error).message).toContain('is a folder');
  });

  it('a missing file', async () => {
    const error = await openSafetensors(join(root, 'missing.safetensors')).catch((e: unknown) => e);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ problem: 'unreadable-file' });
    expect((error as Error).message).toContain('does not exist');
  });
});
