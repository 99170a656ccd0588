/**
 * IP address forms and ranges for the egress guard: every way of writing an address
 * (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`, `[::ffff:7f00:1]`, `[::]`) is normalized
 * before it is classified, and IPv6 forms that embed an IPv4 address are judged by that address.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;
export type IpAddress = { address: string; family: IpFamily };

/** Ranges no user-chosen URL may reach (RFC 6890 special-purpose registries, plus cloud metadata). */
const INTERNAL_V4 = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata at 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including 169.254.169.254 metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const;

const INTERNAL_V6 = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local (AWS metadata fd00:ec2::254 too)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const;

/** Cloud metadata endpoints: refused even when EGRESS_ALLOW_PRIVATE=true (only an explicit entry admits them). */
const METADATA = ['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254'];

function blockList(v4: ReadonlyArray<readonly [string, number]>, v6: ReadonlyArray<readonly [string, number]>): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

/** Built per call: BlockList is mutable, and module-level mutable state is not allowed. */
export function internalRanges(): BlockList {
  return blockList(INTERNAL_V4, INTERNAL_V6);
}

/** One IPv4 part the way inet_aton reads it: `0x` hex, leading-zero octal, else decimal. */
function parsePart(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]*$/.test(part)) return parseInt(part, 8);
  if (/^[1-9][0-9]*$/.test(part)) return Number(part);
  return null;
}

/** Legacy IPv4 forms (1 to 4 parts; the last part fills the remaining bytes) → dotted quad, or null. */
export function parseIPv4(host: string): string | null {
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums = parts.map(parsePart);
  if (nums.some((n) => n === null || !Number.isFinite(n))) return null;
  const values = nums as number[];
  const last = values.pop()!;
  if (values.some((n) => n > 255) || last >= 256 ** (4 - values.length)) return null;
  let value = last;
  values.forEach((n, i) => (value += n * 256 ** (3 - i)));
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The 16 bytes of an IPv6 address (with or without an embedded dotted quad). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIPv4(address: string): string | null {
  const b = ipv6Bytes(address);
  const quad = (i: number) => b.slice(i, i + 4).join('.');
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return quad(12); // ::ffff:a.b.c.d
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && b[15] === 1)) return quad(12); // ::a.b.c.d (deprecated)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return quad(12); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return quad(2); // 2002::/16 (6to4)
  return null;
}

/** An IP literal (any IPv4 form, bracketed or bare IPv6) as a canonical address; null for hostnames. */
export function normalizeIp(host: string): IpAddress | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const noZone = bare.replace(/%.*$/, '');
  if (isIPv6(noZone)) return { address: noZone.toLowerCase(), family: 6 };
  if (isIPv4(bare)) return { address: bare, family: 4 };
  const legacy = parseIPv4(bare.toLowerCase());
  return legacy ? { address: legacy, family: 4 } : null;
}

/** Whether an address is loopback, private, link-local, unique-local, CGNAT, multicast, reserved or metadata. */
export function isInternalAddress(ip: IpAddress, ranges: BlockList = internalRanges()): boolean {
  if (ip.family === 6) {
    const v4 = embeddedIPv4(ip.address);
    if (v4 !== null) return isInternalAddress({ address: v4, family: 4 }, ranges);
  }
  return ranges.check(ip.address, ip.family === 4 ? 'ipv4' : 'ipv6');
}

export function isMetadataAddress(ip: IpAddress): boolean {
  const v4 = ip.family === 6 ? embeddedIPv4(ip.address) : null;
  const key = (a: IpAddress) => (a.family === 4 ? a.address : ipv6Bytes(a.address).join('.'));
  const target = key(v4 ? { address: v4, family: 4 } : ip);
  return METADATA.some((m) => key(normalizeIp(m)!) === target);
}

/** `EGRESS_ALLOW_PRIVATE`: `true` (everything but metadata), or hosts and CIDRs separated by commas. */
export type AllowPrivate = { all: boolean; hosts: string[]; cidrs: Array<{ address: string; prefix: number; family: IpFamily }> };

export const NO_PRIVATE: AllowPrivate = Object.freeze({ all: false, hosts: [], cidrs: [] }) as AllowPrivate;

/** Parses the allow-list; returns the problem text for the config error when an entry is malformed. */
export function parseAllowPrivate(value: string | undefined): AllowPrivate | string {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'false') return { all: false, hosts: [], cidrs: [] };
  if (v === 'true') return { all: true, hosts: [], cidrs: [] };
  const out: AllowPrivate = { all: false, hosts: [], cidrs: [] };
  for (const entry of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, prefixText] = entry.split('/') as [string, string | undefined];
    const ip = normalizeIp(addr);
    if (ip) {
      const max = ip.family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return `'${entry}' has an invalid prefix length`;
      out.cidrs.push({ address: ip.address, prefix, family: ip.family });
    } else if (prefixText === undefined && /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)) {
      out.hosts.push(entry.toLowerCase());
    } else {
      return `'${entry}' is neither a host name nor an IP address or CIDR`;
    }
  }
  return out;
}

/** Whether the allow-list admits this internal address reached through this host name. */
export function allowListAdmits(allow: AllowPrivate, hostname: string, ip: IpAddress): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const named = allow.hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
  if (named) return true;
  if (allow.cidrs.length) {
    const list = blockList(
      allow.cidrs.filter((c) => c.family === 4).map((c) => [c.address, c.prefix] as const),
      allow.cidrs.filter((c) => c.family === 6).map((c) => [c.address, c.prefix] as const),
    );
    const v4 = ip.family === 6 ? embeddedIPv4(ip.address) : null;
    if (list.check(v4 ?? ip.address, v4 || ip.family === 4 ? 'ipv4' : 'ipv6')) return true;
  }
  return allow.all && !isMetadataAddress(ip);
}
