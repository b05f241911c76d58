import { lstat, mkdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { DownloadError } from '../errors/download-error.js';
import { DownloadIntegrityError } from '../errors/download-integrity-error.js';
import { gitBlobId, startFakeHub, type FakeHub, type FakeRepoFile } from './__fixtures__/fake-hub.js';
import { downloadModel, type DownloadModelOptions } from './download-model.js';
import type { DownloadProgress } from './download-progress.js';
import { encodeHostTensor } from './encode-host-tensor.js';
import { openCheckpoint } from './open-checkpoint.js';
import { resolveModelPath } from './resolve-model-path.js';
import { writeSafetensors } from './write-safetensors.js';

const REPO = 'pio-test/tiny-model';
const COMMIT = '1234567890abcdef1234567890abcdef12345678';
const text = (s: string) => new TextEncoder().encode(s);
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

const root = makeTempDir('pio-download-');
let hub: FakeHub;
let weights: Uint8Array;
let files: FakeRepoFile[];
let cacheDir: string;
let counter = 0;

beforeAll(async () => {
  const values = Float32Array.from({ length: 100_000 }, (_, i) => Math.sin(i));
  await writeSafetensors(join(root, 'w.safetensors'), { 'model.embed_tokens.weight': encodeHostTensor(values, [1000, 100], 'F32') }, { format: 'pt' });
  weights = new Uint8Array(await readFile(join(root, 'w.safetensors')));
  files = [
    { path: 'config.json', content: text('{"model_type": "tiny", "hidden_size": 100}\n'), lfs: false },
    { path: 'README.md', content: text('# tiny\n'), lfs: false },
    {
      path: 'tokenizer.json',
      content: text(JSON.stringify({ model: { vocab: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`t${i}`, i])) } })),
      lfs: false,
    },
    { path: 'chat_template.jinja', content: text('{% for m in messages %}{{ m.content }}{% endfor %}'), lfs: false },
    { path: 'original/consolidated.safetensors', content: weights, lfs: true },
    { path: 'generation_config.json', content: text('{"do_sample": false}'), lfs: false },
    { path: 'model.safetensors', content: weights, lfs: true },
  ];
  hub = await startFakeHub(REPO, COMMIT, files);
});
afterAll(async () => {
  await hub.close();
});
beforeEach(async () => {
  hub.requests.length = 0;
  Object.assign(hub.behaviour, { ignoreRange: false, token: undefined });
  hub.behaviour.dropAfter.clear();
  hub.behaviour.stallAfter.clear();
  hub.behaviour.corrupt.clear();
  cacheDir = join(root, `cache-${counter++}`);
  await mkdir(cacheDir);
});

const repoDir = () => join(cacheDir, 'models--pio-test--tiny-model');
const modelBlob = () => join(repoDir(), 'blobs', hub.sha256('model.safetensors'));
const download = (options: DownloadModelOptions = {}) => downloadModel(REPO, { hubUrl: hub.hubUrl, cacheDir, retryDelayMs: 0, ...options });
const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

describe('downloadModel against a local fake Hub', () => {
  it('writes the Hugging Face cache layout: blobs by hash, relative snapshot symlinks, refs/main', async () => {
    const events: DownloadProgress[] = [];
    const snapshot = await download({ onProgress: (e) => events.push(e) });
    expect(snapshot).toBe(join(repoDir(), 'snapshots', COMMIT));
    expect((await readFile(join(repoDir(), 'refs', 'main'), 'utf8')).trim()).toBe(COMMIT);

    expect(await readlink(join(snapshot, 'model.safetensors'))).toBe(join('..', '..', 'blobs', hub.sha256('model.safetensors')));
    const config = text('{"model_type": "tiny", "hidden_size": 100}\n');
    expect(await readlink(join(snapshot, 'config.json'))).toBe(join('..', '..', 'blobs', gitBlobId(config)));
    expect(sameBytes(await readFile(join(snapshot, 'model.safetensors')), weights)).toBe(true);
    expect(new Uint8Array(await readFile(join(snapshot, 'config.json')))).toEqual(config);
    expect(await exists(join(snapshot, 'README.md'))).toBe(false);
    expect(await exists(join(snapshot, 'original'))).toBe(false);

    const checkpoint = await openCheckpoint(snapshot);
    expect(checkpoint.info('model.embed_tokens.weight')).toEqual({ dtype: 'F32', shape: [1000, 100], byteLength: 400_000 });
    await checkpoint.close();
    expect(await resolveModelPath(REPO, { cacheDir, env: {} })).toEqual({ path: snapshot, source: 'hf-cache', repoId: REPO, revision: COMMIT });

    // Hub endpoints used: revision API, paginated tree (7 files, 3 per page), resolve by commit, LFS via the CDN.
    const hubPaths = hub.requests.filter((r) => r.server === 'hub').map((r) => r.url.split('?')[0]);
    expect(hubPaths[0]).toBe(`/api/models/${REPO}/revision/main`);
    expect(hubPaths.filter((p) => p.includes('/tree/'))).toHaveLength(3);
    expect(hubPaths).toContain(`/${REPO}/resolve/${COMMIT}/model.safetensors`);
    expect(hub.requests.filter((r) => r.server === 'cdn')).toHaveLength(1);

    const totalBytes = events[0].totalBytes;
    expect(events[0]).toMatchObject({ type: 'file-start', resumedFrom: 0, filesDone: 0, filesTotal: 5 });
    const selected = ['config.json', 'tokenizer.json', 'chat_template.jinja', 'generation_config.json', 'model.safetensors'];
    expect(totalBytes).toBe(files.filter((f) => selected.includes(f.path)).reduce((sum, f) => sum + f.content.byteLength, 0));
    const done = events.filter((e) => e.type === 'file-done');
    expect(done.map((e) => e.file).toSorted()).toEqual(['chat_template.jinja', 'config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json']);
    expect(done.every((e) => e.cached === false)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'file-done', bytes: totalBytes, filesDone: 5 });
    const modelEvents = events.filter((e) => e.file === 'model.safetensors' && e.type === 'progress');
    expect(modelEvents.length).toBeGreaterThan(1);
    for (let i = 1; i < modelEvents.length; i++) expect(modelEvents[i].fileBytes).toBeGreaterThan(modelEvents[i - 1].fileBytes);
    expect(modelEvents.at(-1)!.fileBytes).toBe(weights.byteLength);
    for (let i = 1; i < events.length; i++) expect(events[i].bytes).toBeGreaterThanOrEqual(events[i - 1].bytes);

    // A second run finds everything in the cache and fetches no file.
    hub.requests.length = 0;
    const again: DownloadProgress[] = [];
    await download({ onProgress: (e) => again.push(e) });
    expect(hub.requests.filter((r) => r.url.includes('/resolve/') || r.server === 'cdn')).toEqual([]);
    expect(again.filter((e) => e.type === 'file-done').every((e) => e.cached === true)).toBe(true);
  });

  it('resumes with a Range request after the connection drops midway', async () => {
    hub.behaviour.dropAfter.set('model.safetensors', 150_000);
    const events: DownloadProgress[] = [];
    const snapshot = await download({ onProgress: (e) => events.push(e), files: ['model.safetensors'] });
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    expect(cdn).toHaveLength(2);
    expect(cdn[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdn[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(150_000);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ fileBytes: resumedAt });
    expect(sameBytes(await readFile(join(snapshot, 'model.safetensors')), weights)).toBe(true);
    expect(await exists(`${modelBlob()}.incomplete`)).toBe(false);
  });

  it('leaves the .incomplete file on abort and resumes from it on the next call', async () => {
    hub.behaviour.stallAfter.set('model.safetensors', 200_000);
    const controller = new AbortController();
    const error = await download({
      files: ['model.safetensors', 'config.json'],
      signal: controller.signal,
      onProgress: (e) => {
        if (e.file === 'model.safetensors' && e.fileBytes >= 100_000) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    const partial = (await stat(`${modelBlob()}.incomplete`)).size;
    expect(partial).toBeGreaterThanOrEqual(100_000);
    expect(partial).toBeLessThanOrEqual(200_000);
    expect(await exists(join(repoDir(), 'refs', 'main'))).toBe(false);

    hub.requests.length = 0;
    const events: DownloadProgress[] = [];
    const snapshot = await download({ files: ['model.safetensors', 'config.json'], onProgress: (e) => events.push(e) });
    expect(events.find((e) => e.file === 'model.safetensors' && e.type === 'file-start')).toMatchObject({ resumedFrom: partial, fileBytes: partial });
    expect(hub.requests.filter((r) => r.server === 'cdn').map((r) => r.range)).toEqual([`bytes=${partial}-`]);
    expect(sameBytes(await readFile(join(snapshot, 'model.safetensors')), weights)).toBe(true);
  });

  it('refuses an LFS file whose sha256 differs, deleting the bad bytes', async () => {
    hub.behaviour.corrupt.add('model.safetensors');
    const error = await download().catch((e: unknown) => e);
    expect(DownloadIntegrityError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ file: 'model.safetensors', algorithm: 'sha256', expected: hub.sha256('model.safetensors') });
    expect((error as DownloadIntegrityError).actual).not.toBe(hub.sha256('model.safetensors'));
    expect(await exists(modelBlob())).toBe(false);
    expect(await exists(`${modelBlob()}.incomplete`)).toBe(false);
    expect(await exists(join(repoDir(), 'snapshots', COMMIT, 'model.safetensors'))).toBe(false);
  });

  it('refuses a regular file whose git blob id differs', async () => {
    hub.behaviour.corrupt.add('config.json');
    const error = await download({ files: ['config.json'] }).catch((e: unknown) => e);
    expect(DownloadIntegrityError.isInstance(error) && error.algorithm === 'git-sha1' && error.file === 'config.json').toBe(true);
  });

  it('verifies resumed bytes too: a stale partial file fails the hash, a server ignoring Range restarts cleanly', async () => {
    await mkdir(join(repoDir(), 'blobs'), { recursive: true });
    await writeFile(`${modelBlob()}.incomplete`, new Uint8Array(1000).fill(7));
    const stale = await download({ files: ['model.safetensors'] }).catch((e: unknown) => e);
    expect(DownloadIntegrityError.isInstance(stale)).toBe(true);
    expect(hub.requests.find((r) => r.server === 'cdn')?.range).toBe('bytes=1000-');

    await writeFile(`${modelBlob()}.incomplete`, new Uint8Array(1000).fill(7));
    hub.behaviour.ignoreRange = true;
    const snapshot = await download({ files: ['model.safetensors'] });
    expect(sameBytes(await readFile(join(snapshot, 'model.safetensors')), weights)).toBe(true);
  });

  it('sends the access token to the Hub only, never to the CDN it redirects to', async () => {
    hub.behaviour.token = 'hf_secret';
    const denied = await download({ files: ['config.json'] }).catch((e: unknown) => e);
    expect(DownloadError.isInstance(denied) && denied.problem === 'unauthorized' && denied.status === 401).toBe(true);

    await download({ accessToken: 'hf_secret', files: ['model.safetensors'] });
    const hubAuth = hub.requests.filter((r) => r.server === 'hub' && r.authorization !== undefined);
    expect(hubAuth.length).toBeGreaterThan(0);
    expect(hubAuth.every((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
    expect(hub.requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined)).toBe(true);
  });

  it('times out a stalled transfer, naming the server, and resumes it on the retry', async () => {
    hub.behaviour.stallAfter.set('model.safetensors', 200_000);
    // timeouts of a second or two: long enough that a busy machine never trips them where no stall is
    const failed = await download({ files: ['model.safetensors'], timeoutMs: 1000, retries: 0 }).catch((e: unknown) => e);
    expect(DownloadError.isInstance(failed) && failed.problem === 'http').toBe(true);
    expect((failed as Error).message).toContain(`the connection failed (timed out: no data from ${hub.cdnUrl} for 1 s (ETIMEDOUT))`);

    hub.behaviour.stallAfter.set('model.safetensors', 200_000);
    const events: DownloadProgress[] = [];
    const snapshot = await download({ files: ['model.safetensors'], timeoutMs: 2000, onProgress: (e) => events.push(e) });
    expect(events.some((e) => e.type === 'retry')).toBe(true);
    expect(hub.requests.filter((r) => r.server === 'cdn').at(-1)?.range).toMatch(/^bytes=\d+-$/);
    expect(sameBytes(await readFile(join(snapshot, 'model.safetensors')), weights)).toBe(true);
  });

  it('times out a Hub that accepts the connection and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket)); // accepts, never writes
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const error = await downloadModel(REPO, { hubUrl: url, cacheDir, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(DownloadError.isInstance(error) && error.problem === 'http').toBe(true);
      expect((error as Error).message).toContain(`timed out: no data from ${url} for 0.3 s`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports an unknown repository, an unknown revision, a bad id and an empty selection as DownloadError', async () => {
    const unknown = await downloadModel('pio-test/absent', { hubUrl: hub.hubUrl, cacheDir }).catch((e: unknown) => e);
    expect(DownloadError.isInstance(unknown) && unknown.problem === 'not-found' && unknown.status === 404).toBe(true);
    const revision = await download({ revision: 'v2' }).catch((e: unknown) => e);
    expect(DownloadError.isInstance(revision) && revision.problem === 'not-found').toBe(true);
    const badId = await downloadModel('../etc', { hubUrl: hub.hubUrl, cacheDir }).catch((e: unknown) => e);
    expect(DownloadError.isInstance(badId)).toBe(true);
    const none = await download({ files: ['*.gguf'] }).catch((e: unknown) => e);
    expect(DownloadError.isInstance(none) && none.problem === 'no-files').toBe(true);
  });
});
