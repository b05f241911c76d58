import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch, createNetworkFetch, InvalidImageError, NetworkNotAllowedError } from '@pio/core';
import { pngHeader } from '@pio/core/testing';
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

  const local = createNetworkFetch({ allowPrivateNetwork: true }); // the test server listens on 127.0.0.1

  it('decodes the same pixels from a path, file: URL, data: URL, bytes and http:', async () => {
    const reference = await loadImage(path);
    expect([reference.width, reference.height, reference.channels]).toEqual([80, 56, 3]);
    const sources = [pathToFileURL(path).href, `data:image/png;base64,${png.toString('base64')}`, new Uint8Array(png), `${base}/image.png`, 'image.png'];
    for (const source of sources) {
      const image = await loadImage(source, { baseDir: FIXTURE_DIR, fetch: local });
      expect(Buffer.from(image.data).equals(Buffer.from(reference.data))).toBe(true);
    }
  });

  it('downloads through the given fetch, so a sandboxed plugin is refused the network', async () => {
    const error = await loadImage(`${base}/image.png`, { fetch: createGuardedFetch('sandboxed') }).catch((e: unknown) => e);
    expect(InvalidImageError.isInstance(error) && error.reason === 'fetch-failed').toBe(true);
    expect(NetworkNotAllowedError.isInstance((error as Error).cause)).toBe(true);
    // a verified plugin may fetch, but not from loopback unless the operator allows private networks
    const refused = await loadImage(`${base}/image.png`, { fetch: createGuardedFetch('verified') }).catch((e: unknown) => e);
    expect(InvalidImageError.isInstance(refused) && refused.reason === 'fetch-failed').toBe(true);
    const image = await loadImage(`${base}/image.png`, { fetch: createGuardedFetch('verified', { allowPrivateNetwork: true }) });
    expect(image.width).toBeGreaterThan(0);
  });

  it('refuses bad sources with InvalidImageError and corrupt images with ImageLoadError', async () => {
    const reason = async (source: string | Uint8Array, timeoutMs?: number) => {
      const error = await loadImage(source, { timeoutMs, fetch: local }).catch((e: unknown) => e);
      if (ImageLoadError.isInstance(error)) return `decode:${error.reason}`;
      expect(InvalidImageError.isInstance(error), String(error)).toBe(true);
      return (error as InvalidImageError).reason;
    };
    expect(await reason(`${base}/missing.png`)).toBe('fetch-failed');
    expect(await reason(`${base}/slow`, 200)).toBe('fetch-failed');
    expect(await reason('/does/not/exist.png')).toBe('unreadable');
    expect(await reason(new Uint8Array([1, 2, 3]))).toBe('not-an-image');
    expect(await reason('ftp://example.invalid/x.png')).toBe('unsupported-source');
    expect(await reason(new Uint8Array(png.subarray(0, 60)))).toBe('decode:decode'); // a valid header, truncated data
  });

  it('refuses a decompression bomb from its header without decoding it', async () => {
    const error = await loadImage(pngHeader(16000, 16000)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PIO_INVALID_IMAGE', reason: 'too-many-pixels' });
  });
});
