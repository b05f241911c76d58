import { readdir, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { startFakeHub, type FakeHub } from '../../../core/src/weights/__fixtures__/fake-hub.js';
import { closedPort } from '../testing/closed-port.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, runPio } from '../testing/run-pio.js';

const QWEN = join(REPO_ROOT, 'models', 'qwen3vl-tiny-random');
const REPO = 'tiny-org/qwen3vl-tiny-random';
const COMMIT = 'c'.repeat(40);

describe('a Hub id where users expect it: generate downloads a missing model (HF_ENDPOINT, fake Hub on 127.0.0.1)', () => {
  let hub: FakeHub;
  const cache = makeTempDir('pio-hub-cache-');
  const env = (): Record<string, string> => ({ PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages'), HF_ENDPOINT: hub.hubUrl, HF_HUB_CACHE: cache });

  beforeAll(async () => {
    ensureBuilt(['plugin-qwen3-vl']);
    const names = (await readdir(QWEN)).filter((name) => name !== 'README.md' && name !== 'image.png');
    const files = await Promise.all(
      names.map(async (path) => ({ path, content: new Uint8Array(await readFile(join(QWEN, path))), lfs: path.endsWith('.safetensors') })),
    );
    hub = await startFakeHub(REPO, COMMIT, files);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await hub?.close();
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
    expect(run.stderr).toContain(`pio: Downloading tiny-org/elsewhere failed: the connection failed (fetch failed: connect ECONNREFUSED 127.0.0.1:${port})`);
  });
});

/** Starts `server` on 127.0.0.1; resolves to its URL and a close function that also drops open connections. */
async function serve(server: Server | HttpServer, scheme: 'http' | 'https'): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a failed download names its cause without -v (HTTP status, TLS, timeout; servers on 127.0.0.1)', () => {
  const cache = makeTempDir('pio-hub-fail-');
  beforeAll(async () => {
    ensureBuilt();
  }, BUILD_TIMEOUT_MS);
  /** `pio pull org/name` against `endpoint`: exit 1 and one line on stderr, which is returned. */
  const pullFails = async (endpoint: string, extraEnv: Record<string, string> = {}): Promise<string> => {
    const run = await runPio(['pull', 'tiny-org/absent'], { env: { HF_ENDPOINT: endpoint, HF_HUB_CACHE: cache, ...extraEnv } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    return run.stderr;
  };

  it('names the HTTP status the Hub answered (404 for an unknown repository, 500)', async () => {
    const hub = await startFakeHub('tiny-org/present', COMMIT, [{ path: 'config.json', content: new TextEncoder().encode('{}'), lfs: false }]);
    try {
      expect(await pullFails(hub.hubUrl)).toMatch(/^pio: Downloading tiny-org\/absent failed: the Hub answered HTTP 404 .*Check the repository id/);
    } finally {
      await hub.close();
    }
    const broken = await serve(
      createHttpServer((_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'Internal Error' }));
      }),
      'http',
    );
    try {
      expect(await pullFails(broken.url)).toMatch(/the Hub answered HTTP 500\b/);
    } finally {
      await broken.close();
    }
  });

  it('names a TLS failure (a self-signed certificate, as a proxy that intercepts HTTPS presents)', async () => {
    const tls = join(REPO_ROOT, 'packages', 'cli', 'src', '__fixtures__', 'tls');
    const [key, cert] = await Promise.all([readFile(join(tls, 'key.pem')), readFile(join(tls, 'cert.pem'))]);
    const server = await serve(
      createHttpsServer({ key, cert }, (_req, res) => res.end('{}')),
      'https',
    );
    try {
      expect(await pullFails(server.url)).toMatch(/the connection failed \(fetch failed: self[- ]signed certificate.*\(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    } finally {
      await server.close();
    }
  });

  it('names a timeout: a server that accepts the connection and never answers (HF_HUB_DOWNLOAD_TIMEOUT=1)', async () => {
    const silent = await serve(
      createServer(() => {}),
      'http',
    );
    try {
      expect(await pullFails(silent.url, { HF_HUB_DOWNLOAD_TIMEOUT: '1' })).toContain(`timed out: no data from ${silent.url} for 1 s`);
    } finally {
      await silent.close();
    }
  });
});
