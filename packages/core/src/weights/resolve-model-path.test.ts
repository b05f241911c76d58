import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { hfHubCacheDir } from './hf-cache.js';
import { resolveModelPath } from './resolve-model-path.js';

const COMMIT = 'a'.repeat(40);
const OTHER = '0123456789abcdef0123456789abcdef01234567';

const root = makeTempDir('pio-resolve-');
let hub: string;
beforeAll(async () => {
  hub = join(root, 'hub');
  const repo = join(hub, 'models--zai-org--GLM-4.7-Flash');
  await mkdir(join(repo, 'snapshots', COMMIT), { recursive: true });
  await mkdir(join(repo, 'snapshots', OTHER), { recursive: true });
  await mkdir(join(repo, 'refs', 'pr'), { recursive: true });
  await writeFile(join(repo, 'refs', 'main'), `${COMMIT}\n`);
  await writeFile(join(repo, 'refs', 'pr', '1'), OTHER);
  await mkdir(join(root, 'models', 'Qwen', 'Qwen3-VL-2B-Instruct'), { recursive: true });
  await mkdir(join(root, 'models', 'Qwen--Qwen3-VL-4B-Instruct'), { recursive: true });
  await mkdir(join(root, 'local-model'), { recursive: true });
});
describe('hfHubCacheDir', () => {
  it('follows HF_HUB_CACHE, then HF_HOME/hub, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(hfHubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' })).toBe('/a');
    expect(hfHubCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/x' })).toBe(join('/b', 'hub'));
    expect(hfHubCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(join('/x', 'huggingface', 'hub'));
    expect(hfHubCacheDir({ HOME: '/h' })).toBe(join('/h', '.cache', 'huggingface', 'hub'));
  });
});

describe('resolveModelPath', () => {
  const env = () => ({ HF_HUB_CACHE: hub, PIO_MODELS_DIR: join(root, 'models'), HOME: root });

  it('returns an explicit existing folder', async () => {
    expect(await resolveModelPath(join(root, 'local-model'), { env: env() })).toEqual({ path: join(root, 'local-model'), source: 'path' });
    expect(await resolveModelPath('~/local-model', { env: env() })).toEqual({ path: join(root, 'local-model'), source: 'path' });
  });

  it('finds PIO_MODELS_DIR/<org>/<name> and PIO_MODELS_DIR/<org>--<name>', async () => {
    expect(await resolveModelPath('Qwen/Qwen3-VL-2B-Instruct', { env: env() })).toEqual({
      path: join(root, 'models', 'Qwen', 'Qwen3-VL-2B-Instruct'),
      source: 'pio-models-dir',
      repoId: 'Qwen/Qwen3-VL-2B-Instruct',
    });
    expect((await resolveModelPath('Qwen/Qwen3-VL-4B-Instruct', { env: env() })).path).toBe(join(root, 'models', 'Qwen--Qwen3-VL-4B-Instruct'));
    expect((await resolveModelPath('Qwen/Qwen3-VL-4B-Instruct', { env: {}, modelsDir: join(root, 'models') })).source).toBe('pio-models-dir');
  });

  it('finds a Hugging Face cache snapshot through refs/<revision> or a commit hash', async () => {
    const snapshot = (commit: string) => join(hub, 'models--zai-org--GLM-4.7-Flash', 'snapshots', commit);
    expect(await resolveModelPath('zai-org/GLM-4.7-Flash', { env: env() })).toEqual({
      path: snapshot(COMMIT),
      source: 'hf-cache',
      repoId: 'zai-org/GLM-4.7-Flash',
      revision: COMMIT,
    });
    expect((await resolveModelPath('zai-org/GLM-4.7-Flash', { env: env(), revision: 'pr/1' })).path).toBe(snapshot(OTHER));
    expect((await resolveModelPath('zai-org/GLM-4.7-Flash', { env: env(), revision: OTHER })).path).toBe(snapshot(OTHER));
    expect((await resolveModelPath('zai-org/GLM-4.7-Flash', { env: { HF_HOME: root } })).path).toBe(snapshot(COMMIT));
    expect((await resolveModelPath('zai-org/GLM-4.7-Flash', { env: {}, cacheDir: hub })).revision).toBe(COMMIT);
  });

  it('throws ModelNotFoundError listing where it looked and suggesting pio pull', async () => {
    const error = await resolveModelPath('zai-org/GLM-5', { env: env() }).catch((e: unknown) => e);
    expect(ModelNotFoundError.isInstance(error)).toBe(true);
    const typed = error as ModelNotFoundError;
    expect(typed.searched).toEqual([
      join(process.cwd(), 'zai-org', 'GLM-5'),
      join(root, 'models', 'zai-org', 'GLM-5'),
      join(root, 'models', 'zai-org--GLM-5'),
      join(hub, 'models--zai-org--GLM-5', 'refs', 'main'),
    ]);
    expect(typed.message).toContain('pio pull zai-org/GLM-5');

    const badRevision = await resolveModelPath('zai-org/GLM-4.7-Flash', { env: env(), revision: 'v9' }).catch((e: unknown) => e);
    expect(ModelNotFoundError.isInstance(badRevision)).toBe(true);

    const notAnId = await resolveModelPath(join(root, 'no', 'such', 'dir'), { env: env() }).catch((e: unknown) => e);
    expect(ModelNotFoundError.isInstance(notAnId) && notAnId.searched.length === 1).toBe(true);
    expect((notAnId as Error).message).toContain('Pass the path of an existing model folder');
  });
});
