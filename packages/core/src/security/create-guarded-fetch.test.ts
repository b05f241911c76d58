import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkNotAllowedError } from '../errors/network-not-allowed-error.js';
import { createGuardedFetch } from './create-guarded-fetch.js';

describe('createGuardedFetch', () => {
  const server = createServer((_, res) => res.end('ok'));
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('refuses the network to sandboxed and untrusted plugins, naming the URL', async () => {
    for (const level of ['sandboxed', 'untrusted'] as const) {
      const error = await createGuardedFetch(level)(url).catch((e: unknown) => e);
      expect(NetworkNotAllowedError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ level, url });
    }
  });

  it('lets verified and trusted plugins fetch', async () => {
    for (const level of ['verified', 'trusted'] as const) {
      const response = await createGuardedFetch(level, { allowPrivateNetwork: true })(url);
      expect(await response.text()).toBe('ok');
    }
  });
});
