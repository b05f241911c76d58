import { PioError, type PioErrorOptions } from './pio-error.js';

/** Why an outgoing request was refused by the network guard. */
export type NetworkRefusal = 'private-address' | 'scheme' | 'too-many-redirects' | 'unresolvable';

/**
 * An outgoing request was refused before it was sent: its host (or a redirect's) resolves to a loopback, private,
 * link-local or other non-public address, its scheme is not `http:`/`https:`, or it redirected too often.
 */
export class NetworkAddressNotAllowedError extends PioError {
  /** The URL refused (the redirect target when a redirect was refused). */
  readonly url: string;
  /** Why. */
  readonly reason: NetworkRefusal;
  /** The resolved address that was refused, when there was one. */
  readonly address: string | undefined;

  constructor(fields: { url: string; reason: NetworkRefusal; address?: string }, options: PioErrorOptions = {}) {
    const why = {
      'private-address': `its host resolves to ${fields.address ?? 'an address'}, a loopback, private, link-local or otherwise non-public address. If this host is yours, allow private networks (allowPrivateNetwork, \`pio serve --allow-private-network\`) or list the host in allowedHosts`,
      scheme: 'only http: and https: URLs are fetched',
      'too-many-redirects': 'it redirected too many times',
      unresolvable: 'its host name could not be resolved',
    }[fields.reason];
    super('PIO_NETWORK_ADDRESS_NOT_ALLOWED', `Refused to fetch ${fields.url}: ${why}.`, options);
    this.name = 'NetworkAddressNotAllowedError';
    this.url = fields.url;
    this.reason = fields.reason;
    this.address = fields.address;
  }

  /** True when `error` is a {@link NetworkAddressNotAllowedError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is NetworkAddressNotAllowedError {
    return PioError.isInstance(error) && error.code === 'PIO_NETWORK_ADDRESS_NOT_ALLOWED';
  }
}
