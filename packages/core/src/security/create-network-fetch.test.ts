import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkAddressNotAllowedError } from '../errors/network-address-not-allowed-error.js';
import { createNetworkFetch } from './create-network-fetch.js';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

async function refusal(promise: Promise<unknown>): Promise<NetworkAddressNotAllowedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(NetworkAddressNotAllowedError.isInstance(error), String(error)).toBe(true);
  return error as NetworkAddressNotAllowedError;
}

describe('createNetworkFetch', () => {
  let hits = 0;
  let port = 0;
  const target = createServer((request, response) => {
    hits++;
    if (request.url === '/redirect-loopback') {
      response.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
    } else if (request.url === '/redirect-metadata') {
      response.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (request.url === '/loop') {
      response.writeHead(307, { location: '/loop' }).end();
    } else if (request.url === '/relative') {
      response.writeHead(303, { location: '/ok' }).end();
    } else response.end('ok');
  });
  beforeAll(async () => {
    port = await listen(target);
  });
  afterAll(() => new Promise<void>((done) => target.close(() => done())));

  it('refuses loopback, metadata and private IP literals before connecting', async () => {
    const fetch = createNetworkFetch();
    const before = hits;
    for (const url of [
      `http://127.0.0.1:${port}/x`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:1/',
      'http://[::ffff:127.0.0.1]:1/',
      'http://0x7f.1:1/',
      'http://2130706433:1/',
      'http://10.0.0.1/',
      'http://[fe80::1]/',
    ]) {
      const error = await refusal(fetch(url));
      expect(error.reason).toBe('private-address');
    }
    expect(hits).toBe(before);
  });

  it('refuses a host name that resolves to loopback (the check runs on the resolved address)', async () => {
    const before = hits;
    const error = await refusal(createNetworkFetch()(`http://localhost:${port}/x`));
    expect(error).toMatchObject({ reason: 'private-address' });
    // a resolver answering with a private address (DNS rebinding) is refused too, whatever the name
    const rebinding = createNetworkFetch({ lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect((await refusal(rebinding(`http://images.example.test:${port}/x`))).address).toBe('127.0.0.1');
    expect(hits).toBe(before);
  });

  it('resolves a name once and connects to the address it checked', async () => {
    // 127.0.0.1 is allowed here by name so that the test can listen locally
    let lookups = 0;
    const fetch = createNetworkFetch({
      allowedHosts: ['pinned.test'],
      lookup: async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const response = await fetch(`http://pinned.test:${port}/ok`);
    expect(await response.text()).toBe('ok');
    expect(lookups).toBe(1);
  });

  it('checks every redirect target', async () => {
    const fetch = createNetworkFetch({ allowedHosts: ['localhost'] });
    const before = hits;
    const error = await refusal(fetch(`http://localhost:${port}/redirect-loopback`));
    expect(error).toMatchObject({ reason: 'private-address', url: `http://127.0.0.1:${port}/secret` });
    expect((await refusal(fetch(`http://localhost:${port}/redirect-metadata`))).address).toBe('169.254.169.254');
    expect(hits).toBe(before + 2); // the redirecting server only, never the targets
    const relative = await fetch(`http://localhost:${port}/relative`);
    expect(await relative.text()).toBe('ok');
  });

  it('bounds redirects', async () => {
    const fetch = createNetworkFetch({ allowedHosts: ['localhost'], maxRedirects: 3 });
    expect((await refusal(fetch(`http://localhost:${port}/loop`))).reason).toBe('too-many-redirects');
  });

  it('refuses other schemes', async () => {
    expect((await refusal(createNetworkFetch()('file:///etc/passwd'))).reason).toBe('scheme');
  });

  it('reaches private addresses when the operator allows them', async () => {
    const response = await createNetworkFetch({ allowPrivateNetwork: true })(`http://127.0.0.1:${port}/ok`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    const redirected = await createNetworkFetch({ allowPrivateNetwork: true })(`http://localhost:${port}/redirect-loopback`);
    expect(await redirected.text()).toBe('ok');
  });

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(createNetworkFetch({ allowPrivateNetwork: true })(`http://127.0.0.1:${port}/ok`, { signal: controller.signal })).rejects.toThrow('stop');
  });
});
