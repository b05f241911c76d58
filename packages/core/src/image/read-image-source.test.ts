import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { InvalidImageError, type InvalidImageReason } from '../errors/invalid-image-error.js';
import { createPathGuard } from '../security/path-guard.js';
import { createNetworkFetch } from '../security/create-network-fetch.js';
import { pngHeader } from '../testing/png-header.js';
import { describeImageSource, readImageSource, type ReadImageSourceOptions } from './read-image-source.js';

const fixturePng = new URL('../../../../models/qwen3vl-tiny-random/image.png', import.meta.url);

async function refused(source: string | Uint8Array, options: ReadImageSourceOptions, reason: InvalidImageReason): Promise<InvalidImageError> {
  const error = await readImageSource(source, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(InvalidImageError.isInstance(error), String(error)).toBe(true);
  expect((error as InvalidImageError).reason).toBe(reason);
  return error as InvalidImageError;
}

describe('readImageSource: data: URLs and bytes', () => {
  let png: Uint8Array;
  beforeAll(async () => {
    png = new Uint8Array(await readFile(fixturePng));
  });

  it('decodes base64 and percent-encoded data: URLs to checked bytes', async () => {
    const base64 = await readImageSource(`data:image/png;base64,${Buffer.from(png).toString('base64')}`);
    expect(base64.bytes).toEqual(png);
    expect(base64.header.format).toBe('png');
    const escaped = [...png].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    expect((await readImageSource(`data:image/png,${escaped}`)).bytes).toEqual(png);
  });

  it('refuses malformed escapes, invalid base64 and URLs without a comma', async () => {
    await refused('data:image/png,%E0%A4%A', {}, 'malformed-data-url');
    await refused('data:image/png,%ZZ', {}, 'malformed-data-url');
    await refused('data:image/png;base64,%ZZ', {}, 'malformed-data-url');
    await refused('data:image/png;base64,!!!not base64!!!', {}, 'malformed-data-url');
    await refused('data:image/png;base64,A', {}, 'malformed-data-url');
    await refused('data:image/png;base64', {}, 'malformed-data-url');
  });

  it('refuses bytes that are no image, and empty images, without quoting them', async () => {
    const error = await refused(`data:text/plain;base64,${Buffer.from('root:x:0:0:root').toString('base64')}`, {}, 'not-an-image');
    expect(error.message).not.toContain('root:x');
    await refused('data:image/png;base64,', {}, 'empty');
    await refused(new Uint8Array([1, 2, 3]), {}, 'not-an-image');
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const error = await refused(pngHeader(16000, 16000), {}, 'too-many-pixels');
    expect(error.message).toContain('16000x16000');
    await refused(pngHeader(100, 100), { maxPixels: 9999 }, 'too-many-pixels');
    await refused(pngHeader(0, 10), {}, 'not-an-image');
  });

  it('refuses data: URLs over the byte limit before decoding them', async () => {
    const big = `data:image/png;base64,${'A'.repeat(4000)}`;
    expect((await refused(big, { maxBytes: 1000 }, 'too-large')).limit).toBe(1000);
    await refused(`data:image/png,${'%00'.repeat(2000)}`, { maxBytes: 1000 }, 'too-large');
  });

  it('refuses other schemes', async () => {
    await refused('ftp://example.com/a.png', { fetch: createNetworkFetch() }, 'unsupported-source');
    await refused('javascript:alert(1)', {}, 'unsupported-source');
  });
});

describe('readImageSource: files', () => {
  const base = makeTempDir('pio-image-');
  let root: string;
  beforeAll(async () => {
    root = join(base, 'images');
    await mkdir(join(root, 'folder'), { recursive: true });
    await writeFile(join(base, 'secret.png'), await readFile(fixturePng));
    await writeFile(join(base, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    await writeFile(join(root, 'cat.png'), await readFile(fixturePng));
    await writeFile(join(root, 'notes.txt'), 'root:x:0:0:root:/root:/bin/bash\n');
    await symlink(join(base, 'secret.png'), join(root, 'link.png'));
    await symlink(join(base, 'passwd'), join(root, 'passwd.png'));
  });

  const guarded = (): ReadImageSourceOptions => ({ validatePath: createPathGuard({ allowedRoots: [root] }).validate });

  it('reads files inside the roots, by path and by file: URL', async () => {
    expect((await readImageSource(join(root, 'cat.png'), guarded())).header.format).toBe('png');
    expect((await readImageSource(pathToFileURL(join(root, 'cat.png')).href, guarded())).header.format).toBe('png');
    expect((await readImageSource('cat.png', { ...guarded(), baseDir: root })).header.format).toBe('png');
  });

  it('refuses a symlink inside the root that points outside it, without quoting the target', async () => {
    await refused(join(root, 'link.png'), guarded(), 'files-not-allowed');
    const error = await refused(join(root, 'passwd.png'), guarded(), 'files-not-allowed');
    expect(error.message).not.toContain('root:x');
    await refused(`${root}/../secret.png`, guarded(), 'files-not-allowed');
  });

  it('refuses files without a path guard, or when only URLs are accepted', async () => {
    await refused(join(root, 'cat.png'), {}, 'files-not-allowed');
    await refused(join(root, 'cat.png'), { ...guarded(), acceptPaths: false }, 'unsupported-source');
  });

  it('gives typed errors for missing files, folders and non-images', async () => {
    await refused(join(root, 'missing.png'), guarded(), 'unreadable');
    await refused(join(root, 'folder'), guarded(), 'unreadable');
    expect((await refused(join(root, 'notes.txt'), guarded(), 'not-an-image')).message).not.toContain('root:x');
    await refused(join(root, 'cat.png'), { ...guarded(), maxBytes: 10 }, 'too-large');
  });
});

describe('readImageSource: http(s)', () => {
  let server: Server;
  let port = 0;
  let closedPort = 0;
  let streamed = 0;
  let png: Buffer;
  beforeAll(async () => {
    png = await readFile(fixturePng);
    server = createServer((request, response) => {
      if (request.url === '/cat.png') return void response.end(png);
      if (request.url === '/missing') return void response.writeHead(404).end('not here');
      if (request.url === '/declared-huge') {
        response.writeHead(200, { 'content-length': String(1e9) });
        return void response.write(png);
      }
      if (request.url === '/endless') {
        // a chunked body that never ends: the reader must stop at the limit, not buffer it
        response.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(64 * 1024, 1);
        const pump = (): void => {
          while (!response.destroyed && response.write(chunk)) streamed += chunk.length;
          if (!response.destroyed) response.once('drain', pump);
        };
        response.on('close', () => undefined);
        return void pump();
      }
      if (request.url === '/slow') return; // never answers
      response.writeHead(302, { location: `http://127.0.0.1:${port}/cat.png` }).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((done) => probe.close(() => done()));
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((done) => server.close(() => done()));
  });

  const open = (): ReadImageSourceOptions => ({ fetch: createNetworkFetch({ allowPrivateNetwork: true }), timeoutMs: 2000 });

  it('downloads an image', async () => {
    expect((await readImageSource(`http://127.0.0.1:${port}/cat.png`, open())).bytes).toEqual(new Uint8Array(png));
  });

  it('gives one error, with one message, for every refused or failed download', async () => {
    const cases: Array<[string, ReadImageSourceOptions]> = [
      [`http://127.0.0.1:${port}/cat.png`, { fetch: createNetworkFetch() }], // loopback refused by default
      [`http://127.0.0.1:${port}/redirect`, { fetch: createNetworkFetch({ allowedHosts: ['localhost'] }) }],
      ['http://169.254.169.254/latest/meta-data/', { fetch: createNetworkFetch() }],
      [`http://127.0.0.1:${closedPort}/x.png`, open()], // closed port
      [`http://127.0.0.1:${port}/missing`, open()], // open port, 404
      [`http://127.0.0.1:${port}/declared-huge`, open()],
      [`http://127.0.0.1:${port}/endless`, { ...open(), maxBytes: 1024 * 1024 }],
      [`http://127.0.0.1:${port}/slow`, { ...open(), timeoutMs: 200 }],
    ];
    const messages = new Set<string>();
    for (let [url, options] of cases) {
      const error = await refused(url, options, 'fetch-failed');
      expect(error.source).toBe(describeImageSource(url));
      url = error.source;
      messages.add(error.message.replace(`(${url})`, '(URL)'));
    }
    expect([...messages]).toEqual([
      'The image (URL) could not be fetched. It was refused, could not be reached, or did not answer with an image within the size and time limits. Send the image as a data: URL.',
    ]);
  });

  it('stops an endless body at the limit instead of buffering it', async () => {
    streamed = 0;
    const before = process.memoryUsage().rss;
    await refused(`http://127.0.0.1:${port}/endless`, { ...open(), maxBytes: 2 * 1024 * 1024 }, 'fetch-failed');
    // the server could push at most the limit plus what sockets and streams buffer, never hundreds of MB
    expect(streamed).toBeLessThan(64 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });

  it("refuses remote URLs without a fetch, and passes on the caller's abort", async () => {
    await refused(`http://127.0.0.1:${port}/cat.png`, {}, 'remote-not-allowed');
    const controller = new AbortController();
    const reading = readImageSource(`http://127.0.0.1:${port}/slow`, { ...open(), signal: controller.signal });
    controller.abort(new Error('client gone'));
    await expect(reading).rejects.toThrow('client gone');
  });
});
