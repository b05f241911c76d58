import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { NetworkAddressNotAllowedError } from '../errors/network-address-not-allowed-error.js';
import { isPrivateAddress } from './is-private-address.js';

/** Options of {@link createNetworkFetch}. */
export interface NetworkFetchOptions {
  /** Let requests reach loopback, private, link-local and other non-public addresses. Default false. */
  allowPrivateNetwork?: boolean;
  /** Host names or IP literals that may be reached although they are (or resolve to) non-public addresses. */
  allowedHosts?: readonly string[];
  /** Redirects followed, each checked like the first request. Default 5. */
  maxRedirects?: number;
  /** Resolves host names (tests and custom resolvers). Default `dns.lookup`. */
  lookup?: (hostname: string) => Promise<LookupAddress[]>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const defaultLookup = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function toResponse(message: IncomingMessage, url: string): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const status = message.statusCode ?? 502;
  const empty = status === 204 || status === 205 || status === 304;
  if (empty) message.resume();
  const body = empty ? null : (Readable.toWeb(message) as ReadableStream<Uint8Array>);
  const response = new Response(body, { status: status < 200 || status > 599 ? 502 : status, statusText: message.statusMessage, headers });
  Object.defineProperty(response, 'url', { value: url });
  return response;
}

/**
 * A `fetch` for server-side requests to URLs a client chose (image URLs): only `GET`-style requests over `http:` and
 * `https:`, refused with {@link NetworkAddressNotAllowedError} when the host is, or resolves to, a loopback, private,
 * link-local, carrier-grade NAT, multicast or unspecified address (IPv6 and IPv4-mapped IPv6 included), unless
 * `allowPrivateNetwork` or `allowedHosts` allow it.
 *
 * The check runs on the resolved address, inside the connection's own `lookup`, so the connection goes to the address
 * that was checked (no DNS rebinding between check and connect). Redirects are followed by hand, at most
 * `maxRedirects`, each target checked again. No connection is pooled.
 */
export function createNetworkFetch(options: NetworkFetchOptions = {}): typeof fetch {
  const allowPrivate = options.allowPrivateNetwork ?? false;
  const allowedHosts = new Set((options.allowedHosts ?? []).map((host) => host.toLowerCase().replace(/^\[|\]$/g, '')));
  const maxRedirects = options.maxRedirects ?? 5;
  const resolveHost = options.lookup ?? defaultLookup;

  const hostAllowed = (host: string): boolean => allowPrivate || allowedHosts.has(host.toLowerCase());

  const pinnedLookup =
    (url: string): LookupFunction =>
    (hostname, lookupOptions, callback) => {
      resolveHost(hostname).then(
        (addresses) => {
          const usable = hostAllowed(hostname) ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
          const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
          const matching = family ? usable.filter((a) => a.family === family) : usable;
          if (matching.length === 0) {
            const reason = addresses.length === 0 ? 'unresolvable' : 'private-address';
            const error = new NetworkAddressNotAllowedError({ url, reason, address: addresses[0]?.address });
            callback(error as unknown as NodeJS.ErrnoException, '', 0);
            return;
          }
          if (lookupOptions.all) callback(null, matching);
          else callback(null, matching[0].address, matching[0].family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    };

  const once = (url: URL, init: RequestInit | undefined): Promise<IncomingMessage> => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new NetworkAddressNotAllowedError({ url: url.href, reason: 'scheme' }));
    }
    const host = hostOf(url);
    if (isIP(host) !== 0 && !hostAllowed(host) && isPrivateAddress(host)) {
      return Promise.reject(new NetworkAddressNotAllowedError({ url: url.href, reason: 'private-address', address: host }));
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const requestOptions: RequestOptions = {
      method: init?.method ?? 'GET',
      headers,
      agent: false,
      lookup: pinnedLookup(url.href),
      signal: init?.signal ?? undefined,
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(url, requestOptions, resolve);
      request.once('error', reject);
      request.end();
    });
  };

  return async (input, init) => {
    let url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    for (let redirects = 0; ; redirects++) {
      init?.signal?.throwIfAborted();
      const message = await once(url, init);
      const location = message.headers.location;
      if (!REDIRECTS.has(message.statusCode ?? 0) || location === undefined || init?.redirect === 'manual') return toResponse(message, url.href);
      message.resume();
      message.destroy();
      const next = new URL(location, url);
      if (redirects >= maxRedirects) throw new NetworkAddressNotAllowedError({ url: next.href, reason: 'too-many-redirects' });
      url = next;
    }
  };
}
