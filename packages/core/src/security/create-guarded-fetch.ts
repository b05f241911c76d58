import { NetworkNotAllowedError } from '../errors/network-not-allowed-error.js';
import type { TrustLevel } from '../plugin/trust-level.js';

/**
 * The `fetch` a plugin at `level` receives (see `PluginInitializeOptions`): `verified` and `trusted` plugins get
 * `baseFetch`; `sandboxed` and `untrusted` ones get a fetch that rejects with {@link NetworkNotAllowedError}.
 */
export function createGuardedFetch(level: TrustLevel, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  if (level === 'verified' || level === 'trusted') return baseFetch;
  return async (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    throw new NetworkNotAllowedError({ level, url });
  };
}
