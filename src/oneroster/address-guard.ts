/**
 * Keeps the roster client away from addresses an admin's URL must not reach: loopback, private
 * networks, link-local (the cloud metadata address 169.254.169.254 among them) and the like. The
 * check runs on every address DNS returns, inside the socket's `lookup`, so the address checked is
 * the address connected to and a DNS response that changes between check and connect cannot slip by.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

import { AppError } from '../core/errors.ts';

const blockedRanges: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const blockLists = new Map<string, BlockList>();
for (const [network, prefix, family, label] of blockedRanges) {
  let list = blockLists.get(label);
  if (list === undefined) {
    list = new BlockList();
    blockLists.set(label, list);
  }
  list.addSubnet(network, prefix, family);
}

/**
 * Returns why an IP address may not be contacted (`loopback`, `private`, `link-local`...), or null
 * when it is a public address. IPv6 forms that embed an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
 * IPv4-translated, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged
 * by that IPv4 address. A value that
 * is not an IP address returns `not an IP address`.
 */
export function blockedAddressReason(address: string): string | null {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const version = isIP(unbracketed);
  if (version === 0) return 'not an IP address';

  if (version === 6) {
    const embedded = embeddedIpv4(unbracketed);
    if (embedded !== null) return blockedAddressReason(embedded);
  }

  const family = version === 4 ? 'ipv4' : 'ipv6';
  for (const [label, list] of blockLists) {
    if (list.check(unbracketed, family)) return label;
  }
  return null;
}

/**
 * Returns the IPv4 address inside an IPv4-mapped, IPv4-translated (`::ffff:0:a.b.c.d`),
 * IPv4-compatible, NAT64 (`64:ff9b::/96`) or 6to4 (`2002:AABB:CCDD::/48`) IPv6 address.
 */
function embeddedIpv4(address: string): string | null {
  const groups = expandIpv6(address.toLowerCase());
  if (groups === null) return null;

  const toIpv4 = (high = 0, low = 0) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  if (groups[0] === 0x2002) return toIpv4(groups[1], groups[2]);

  const isMapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const isTranslated =
    groups.slice(0, 4).every((group) => group === 0) && groups[4] === 0xffff && groups[5] === 0;
  const isCompatible = groups.slice(0, 6).every((group) => group === 0) && (groups[6] ?? 0) !== 0;
  const isNat64 =
    groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (!isMapped && !isTranslated && !isCompatible && !isNat64) return null;
  return toIpv4(groups[6], groups[7]);
}

/** Expands an IPv6 address (with `::` or a dotted IPv4 tail) into its eight 16-bit groups. */
function expandIpv6(address: string): number[] | null {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const bytes = dotted[1].split('.').map(Number);
    const tail = `${(((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)).toString(16)}:${(((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)).toString(16)}`;
    text = text.slice(0, -dotted[1].length) + tail;
  }

  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return null;

  const groups = [...headGroups, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...restGroups];
  return groups.map((group) => Number.parseInt(group, 16));
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** The shape of `dns.lookup` that sockets call; tests pass their own to map names to loopback. */
export type LookupFunction = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemLookup: LookupFunction = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * Creates a `lookup` for `net.connect` (and so for an http agent) that resolves every address of
 * the host and fails with `ENDPOINT_NOT_ALLOWED` when any of them is blocked. Rejecting the host
 * as a whole, not just the bad address, leaves a rebinding DNS server nothing to pick from. With
 * `blockPrivate` false it only adapts `resolve` (tests that map names to loopback use that).
 */
export function createGuardedLookup(resolve: LookupFunction = systemLookup, blockPrivate = true) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }

      for (const { address } of blockPrivate ? addresses : []) {
        const reason = blockedAddressReason(address);
        if (reason !== null) {
          callback(endpointNotAllowed(hostname, `it resolves to ${address}, a ${reason} address`), []);
          return;
        }
      }

      const first = addresses[0];
      if (options.all === true) callback(null, addresses);
      else if (first === undefined)
        callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * Rejects a host that is an IP literal in a blocked range. Sockets skip `lookup` for IP literals,
 * so these are checked here before any request.
 */
export function assertHostAllowed(hostname: string): void {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) === 0) return;

  const reason = blockedAddressReason(bare);
  if (reason !== null) throw endpointNotAllowed(hostname, `it is a ${reason} address`);
}

function endpointNotAllowed(host: string, reason: string): AppError {
  return new AppError('ENDPOINT_NOT_ALLOWED', `The roster endpoint host ${host} is not allowed: ${reason}.`, {
    details: { host },
  });
}
