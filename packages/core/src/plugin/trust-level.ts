/**
 * How far PIO trusts a plugin package, from least to most:
 * - `untrusted`: never activated.
 * - `sandboxed`: may read only the model folders it is given; no network, no extra paths.
 * - `verified`: also may use the network (image URLs, Hub downloads) and read the Hub cache.
 * - `trusted`: no restriction beyond the global limits.
 */
export type TrustLevel = 'untrusted' | 'sandboxed' | 'verified' | 'trusted';

/** Trust levels in increasing order. */
export const TRUST_LEVELS: readonly TrustLevel[] = ['untrusted', 'sandboxed', 'verified', 'trusted'];
