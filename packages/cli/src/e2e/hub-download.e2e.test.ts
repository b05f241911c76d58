import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../../../core/src/weights/__fixtures__/fake-hub.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, runPio } from '../testing/run-pio.js';

const QWEN = join(REPO_ROOT, 'models', 'qwen3vl-tiny-random');
const REPO = 'tiny-org/qwen3vl-tiny-random';
const COMMIT = 'c'.repeat(40);

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a Hub id where users expect it: generate downloads a missing model (HF_ENDPOINT, fake Hub on 127.0.0.1)', () => {
  let hub: FakeHub;
  let cache: string;
  const env = (): Record<string, string> => ({ PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages'), HF_ENDPOINT: hub.hubUrl, HF_HUB_CACHE: cache });

  beforeAll(async () => {
    ensureBuilt(['plugin-qwen3-vl']);
    const names = (await readdir(QWEN)).filter((name) => name !== 'README.md' && name !== 'image.png');
    const files = await Promise.all(
      names.map(async (path) => ({ path, content: new Uint8Array(await readFile(join(QWEN, path))), lfs: path.endsWith('.safetensors') })),
    );
    hub = await startFakeHub(REPO, COMMIT, files);
    cache = await mkdtemp(join(tmpdir(), 'pio-hub-cache-'));
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await hub?.close();
    await rm(cache, { recursive: true, force: true });
  });

  it('downloads the model with progress, then generates; the second run finds it in the cache', async () => {
    const first = await runPio(['generate', '--model', REPO, '--max-tokens', '3', '--temperature', '0', 'Hello'], { env: env() });
    expect(first.stderr).toContain(`${REPO} is not on this machine: downloading it into the Hugging Face cache`);
    expect(first.stderr).toContain(`Pulled ${REPO}`);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/Loaded .* with qwen3-vl on /);
    expect(hub.requests.some((r) => r.server === 'cdn' && r.url.includes('model.safetensors'))).toBe(true);
    const requests = hub.requests.length;
    const second = await runPio(['generate', '--model', REPO, '--max-tokens', '3', '--temperature', '0', 'Hello'], { env: env() });
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('downloading');
    expect(second.stdout).toBe(first.stdout);
    expect(hub.requests.length).toBe(requests);
  });

  it('a failed download names its cause without -v', async () => {
    const port = await closedPort();
    const run = await runPio(['generate', '--model', 'tiny-org/elsewhere', 'Hello'], { env: { ...env(), HF_ENDPOINT: `http://127.0.0.1:${port}` } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cause: .*ECONNREFUSED/);
  });
});
