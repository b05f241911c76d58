import { NetworkNotAllowedError } from '../errors/network-not-allowed-error.js';
import type { TrustLevel } from '../plugin/trust-level.js';
import { createNetworkFetch, type NetworkFetchOptions } from './create-network-fetch.js';

/** Options of {@link createGuardedFetch}. */
export interface GuardedFetchOptions extends NetworkFetchOptions {
  /**
   * The fetch `verified` and `trusted` plugins get instead of {@link createNetworkFetch}'s (tests, proxies). It is
   * then responsible for refusing private addresses itself.
   */
  baseFetch?: typeof fetch;
}

/**
 * The `fetch` a plugin at `level` receives (see `PluginInitializeOptions`): `verified` and `trusted` plugins get a
 * {@link createNetworkFetch} (non-public addresses refused after DNS resolution and on every redirect, unless
 * `allowPrivateNetwork`); `sandboxed` and `untrusted` ones get a fetch that rejects with {@link NetworkNotAllowedError}.
 */
export function createGuardedFetch(level: TrustLevel, options: GuardedFetchOptions = {}): typeof fetch {
  if (level === 'verified' || level === 'trusted') return options.baseFetch ?? createNetworkFetch(options);
  return async (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    throw new NetworkNotAllowedError({ level, url });
  };
}
