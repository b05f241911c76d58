import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a server-side request never reaches unless the operator allows private networks: loopback,
 * RFC 1918 private, carrier-grade NAT (RFC 6598), link-local (cloud metadata endpoints live at 169.254.169.254),
 * multicast, "this network"/unspecified, the benchmarking, documentation and reserved ranges, and their IPv6
 * equivalents (unique-local, link-local, site-local, multicast, discard). IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`) are matched against the IPv4 ranges by `net.BlockList` itself.
 */
const PRIVATE_RANGES: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network", unspecified
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local (cloud metadata)
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.0.2.0', 24, 'ipv4'], // documentation
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // documentation
  ['203.0.113.0', 24, 'ipv4'], // documentation
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['100::', 64, 'ipv6'], // discard
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['fc00::', 7, 'ipv6'], // unique-local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6'], // multicast
];

const blockList = new BlockList();
for (const [network, prefix, family] of PRIVATE_RANGES) blockList.addSubnet(network, prefix, family);

/** The 16 bytes of an IPv6 address in text form (`isIP(address) === 6`). */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0];
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1].split('.').map(Number));
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = groups.flatMap((group) => {
    const value = Number.parseInt(group || '0', 16);
    return [value >> 8, value & 0xff];
  });
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * True when `address` (an IP literal) lies in a range a server-side request must not reach by default: loopback,
 * private, link-local, carrier-grade NAT, multicast, unspecified, reserved, and their IPv6 equivalents, including
 * IPv4 addresses embedded in IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible, NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002::/16`) IPv6 addresses. A string that is not an IP address counts as private (refused).
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address.split('%')[0]);
  if (family === 4) return blockList.check(address, 'ipv4');
  if (family !== 6) return true;
  const plain = address.split('%')[0];
  if (blockList.check(plain, 'ipv6')) return true;
  const bytes = ipv6Bytes(plain);
  const embedded = (offset: number): string => bytes.slice(offset, offset + 4).join('.');
  const zeros = (from: number, to: number): boolean => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return isPrivateAddress(embedded(12)); // ::ffff:a.b.c.d
  if (zeros(0, 12)) return isPrivateAddress(embedded(12)); // ::a.b.c.d (IPv4-compatible, deprecated)
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return isPrivateAddress(embedded(12)); // NAT64
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return isPrivateAddress(embedded(2)); // 6to4
  return false;
}
