import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch, NetworkNotAllowedError } from '@pio/core';
import { ImageLoadError } from '../errors/image-load-error.js';
import { FIXTURE_DIR } from '../testing/golden.js';
import { loadImage } from './load-image.js';

const path = join(FIXTURE_DIR, 'image.png');
const png = readFileSync(path);
let server: Server;
let base = '';

describe('loadImage sources', () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/image.png') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end(png), 2000);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('decodes the same pixels from a path, file: URL, data: URL, bytes and http:', async () => {
    const reference = await loadImage(path);
    expect([reference.width, reference.height, reference.channels]).toEqual([80, 56, 3]);
    const sources = [
      pathToFileURL(path).href,
      `data:image/png;base64,${png.toString('base64')}`,
      new Uint8Array(png),
      `${base}/image.png`,
      'image.png',
    ];
    for (const source of sources) {
      const image = await loadImage(source, { baseDir: FIXTURE_DIR });
      expect(Buffer.from(image.data).equals(Buffer.from(reference.data))).toBe(true);
    }
  });

  it('downloads through the given fetch, so a sandboxed plugin is refused the network', async () => {
    const error = await loadImage(`${base}/image.png`, { fetch: createGuardedFetch('sandboxed') }).catch((e: unknown) => e);
    expect(NetworkNotAllowedError.isInstance(error)).toBe(true);
    const image = await loadImage(`${base}/image.png`, { fetch: createGuardedFetch('verified') });
    expect(image.width).toBeGreaterThan(0);
  });

  it('throws ImageLoadError with a reason on failures', async () => {
    const reasons = async (source: string | Uint8Array, timeoutMs?: number) => {
      try {
        await loadImage(source, { timeoutMs });
      } catch (error) {
        expect(ImageLoadError.isInstance(error)).toBe(true);
        return (error as ImageLoadError).reason;
      }
      return 'none';
    };
    expect(await reasons(`${base}/missing.png`)).toBe('fetch');
    expect(await reasons(`${base}/slow`, 200)).toBe('timeout');
    expect(await reasons('/does/not/exist.png')).toBe('read');
    expect(await reasons(new Uint8Array([1, 2, 3]))).toBe('decode');
    expect(await reasons('ftp://example.invalid/x.png')).toBe('unsupported-source');
  });
});
