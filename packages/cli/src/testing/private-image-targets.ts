import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort } from './closed-port.js';

/** Image URLs that only a server on a private address could answer, and a listener counting what reached it. */
export interface PrivateImageTargets {
  /**
   * The URLs an image fetch must refuse: the listener on loopback, a closed loopback port, the link-local cloud
   * metadata address, `localhost` redirecting (302) to loopback, and IPv4-mapped IPv6 loopback.
   */
  readonly urls: readonly string[];
  /** Requests the listener has received. */
  hits(): number;
  /** Stops the listener. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP listener on 127.0.0.1 answering `image` (and `/redirect` with a 302 back to itself), for tests that an
 * image URL never reaches a private address (SSRF).
 */
export async function startPrivateImageTargets(image: Uint8Array): Promise<PrivateImageTargets> {
  let hits = 0;
  let port = 0;
  const target: Server = createServer((request, response) => {
    hits++;
    if (request.url === '/redirect') response.writeHead(302, { location: `http://127.0.0.1:${port}/cat.png` }).end();
    else response.end(image);
  });
  await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
  port = (target.address() as AddressInfo).port;
  const closed = await closedPort();
  return {
    urls: [
      `http://127.0.0.1:${port}/cat.png`,
      `http://127.0.0.1:${closed}/cat.png`,
      'http://169.254.169.254/latest/meta-data/',
      `http://localhost:${port}/redirect`,
      `http://[::ffff:127.0.0.1]:${port}/cat.png`,
    ],
    hits: () => hits,
    close: () => new Promise<void>((done) => target.close(() => done())),
  };
}
