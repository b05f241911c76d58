import { copyFile, link, mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { runCli } from '../run-cli.js';
import { captureIo } from '../testing/capture-io.js';
import { REPO_ROOT } from '../testing/run-pio.js';
import { createDefaultServices } from './create-default-services.js';
import { scanLocalModels } from './scan-local-models.js';

const QWEN = join(REPO_ROOT, 'models', 'qwen3vl-tiny-random');
const GLM = join(REPO_ROOT, 'models', 'glm47flash-tiny-random');
const MAIN = 'a'.repeat(40);
const PR = 'b'.repeat(40);

const sizeOf = async (path: string): Promise<number> => (await stat(path)).size;
const folderSize = async (folder: string): Promise<number> => {
  let total = 0;
  for (const name of await readdir(folder)) total += await sizeOf(join(folder, name));
  return total;
};

/**
 * A Hugging Face cache as the Hub client writes it: files in `blobs/`, snapshot folders of relative symlinks into them,
 * `refs/<branch>` holding a commit. Snapshot `main` is the tiny Qwen3-VL; snapshot `pr/1` shares its weights blob and
 * has its own config.json; `main` also links two names to one blob; a third, unfinished snapshot has no config.json.
 */
async function writeHubCache(cache: string): Promise<void> {
  const repo = join(cache, 'models--tiny-org--qwen3vl-tiny');
  await mkdir(join(repo, 'blobs'), { recursive: true });
  await mkdir(join(repo, 'refs', 'pr'), { recursive: true });
  for (const commit of [MAIN, PR]) await mkdir(join(repo, 'snapshots', commit), { recursive: true });
  await mkdir(join(repo, 'snapshots', 'c'.repeat(40)), { recursive: true });
  await writeFile(join(repo, 'refs', 'main'), MAIN);
  await writeFile(join(repo, 'refs', 'pr', '1'), PR);
  for (const name of await readdir(QWEN)) {
    await copyFile(join(QWEN, name), join(repo, 'blobs', `blob-${name}`));
    await symlink(join('..', '..', 'blobs', `blob-${name}`), join(repo, 'snapshots', MAIN, name));
  }
  await symlink(join('..', '..', 'blobs', 'blob-tokenizer.json'), join(repo, 'snapshots', MAIN, 'tokenizer-copy.json'));
  await writeFile(join(repo, 'blobs', 'blob-pr-config'), '{"architectures":["Qwen3VLForConditionalGeneration"],"model_type":"qwen3_vl"}');
  await symlink(join('..', '..', 'blobs', 'blob-pr-config'), join(repo, 'snapshots', PR, 'config.json'));
  await symlink(join('..', '..', 'blobs', 'blob-model.safetensors'), join(repo, 'snapshots', PR, 'model.safetensors'));
  await symlink(join('..', '..', 'blobs', 'blob-missing'), join(repo, 'snapshots', 'c'.repeat(40), 'model.safetensors'));
}

/** PIO_MODELS_DIR with the tiny GLM as `org--name`, a hard-linked copy of it as `org/name`, a model no plugin serves, and a folder that is no model. */
async function writeModelsDir(dir: string): Promise<void> {
  await mkdir(join(dir, 'zai-org--glm-tiny'), { recursive: true });
  await mkdir(join(dir, 'zai-org', 'glm-copy'), { recursive: true });
  for (const name of await readdir(GLM)) {
    await copyFile(join(GLM, name), join(dir, 'zai-org--glm-tiny', name));
    await link(join(dir, 'zai-org--glm-tiny', name), join(dir, 'zai-org', 'glm-copy', name));
  }
  await mkdir(join(dir, 'mystery'), { recursive: true });
  await writeFile(join(dir, 'mystery', 'config.json'), '{"architectures":["MysteryForCausalLM"],"model_type":"mystery"}');
  await mkdir(join(dir, 'notes'), { recursive: true });
  await writeFile(join(dir, 'notes', 'todo.txt'), 'not a model');
}

describe('local model folders (pio models)', () => {
  const root = makeTempDir('pio-models-');
  let cache: string;
  let modelsDir: string;

  beforeAll(async () => {
    cache = join(root, 'hf', 'hub');
    modelsDir = join(root, 'models');
    await writeHubCache(cache);
    await writeModelsDir(modelsDir);
  });
  it('finds Hub-cache snapshots and models-dir folders, counting a blob once per folder and once in the total', async () => {
    const qwen = await folderSize(QWEN);
    const glm = await folderSize(GLM);
    const prConfig = await sizeOf(join(cache, 'models--tiny-org--qwen3vl-tiny', 'blobs', 'blob-pr-config'));
    const weights = await sizeOf(join(QWEN, 'model.safetensors'));
    const mystery = await sizeOf(join(modelsDir, 'mystery', 'config.json'));

    const scan = await scanLocalModels({ modelsDirs: [modelsDir], hubCacheDir: cache });
    expect(scan.models.map((m) => [m.id, m.source, m.revision, m.refs, m.sizeBytes])).toEqual([
      [join(modelsDir, 'mystery'), 'models-dir', undefined, undefined, mystery],
      ['zai-org/glm-copy', 'models-dir', undefined, undefined, glm],
      ['zai-org/glm-tiny', 'models-dir', undefined, undefined, glm],
      ['tiny-org/qwen3vl-tiny', 'hf-cache', MAIN, ['main'], qwen],
      ['tiny-org/qwen3vl-tiny', 'hf-cache', PR, ['pr/1'], prConfig + weights],
    ]);
    // hard links and the blob both snapshots share are counted once
    expect(scan.totalBytes).toBe(mystery + glm + qwen + prConfig);
    expect(scan.models[3]?.path).toBe(join(cache, 'models--tiny-org--qwen3vl-tiny', 'snapshots', MAIN));
  });

  it('finds nothing in folders that do not exist', async () => {
    expect(await scanLocalModels({ modelsDirs: [join(root, 'nowhere')], hubCacheDir: join(root, 'nocache') })).toEqual({ models: [], totalBytes: 0 });
  });

  it('names the installed plugin that serves each folder, or none, through `pio models`', async () => {
    const env = { PIO_MODELS_DIR: modelsDir, HF_HUB_CACHE: cache, PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') };
    const services = createDefaultServices({ cwd: root, env });
    const list = await services.listLocalModels();
    expect(list.searched).toEqual([modelsDir, cache]);
    expect(list.models.map((m) => [m.id, m.plugin?.name ?? 'none'])).toEqual([
      [join(modelsDir, 'mystery'), 'none'],
      ['zai-org/glm-copy', 'glm-flash'],
      ['zai-org/glm-tiny', 'glm-flash'],
      ['tiny-org/qwen3vl-tiny', 'qwen3-vl'],
      ['tiny-org/qwen3vl-tiny', 'qwen3-vl'],
    ]);
    expect(list.models[1]?.plugin).toEqual({ name: 'glm-flash', version: expect.any(String), packageName: '@pio/plugin-glm-flash' });

    const io = captureIo({ env, cwd: root });
    expect(await runCli(['models'], { io, services: () => services, version: '0' })).toBe(0);
    const lines = io.output.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+REVISION\s+SIZE\s+PLUGIN\s+FOLDER$/);
    expect(lines[1]).toMatch(/^models\/mystery\s+-\s+\d+ B\s+none\s+models\/mystery$/);
    expect(lines[4]).toMatch(/^tiny-org\/qwen3vl-tiny\s+a{8} main\s+1\.\d MB\s+qwen3-vl\s+hf\/hub\/models--tiny-org--qwen3vl-tiny\/snapshots\/a{40}$/);
    expect(lines[6]).toMatch(/^5 models, \d\.\d MB on disk$/);
    expect(io.output.stderr).toBe('');
  });
});
