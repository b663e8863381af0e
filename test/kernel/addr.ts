/** Address arithmetic for the generators (only what they need: masking, formatting, ordering). */
import type { Family } from './netns.js';

export function v4ToInt(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}
export function intToV4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function v6ToBig(a: string): bigint {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
/** RFC 5952 text (lowercase, longest zero run of ≥ 2 groups compressed). */
export function bigToV6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function addrToBig(family: Family, a: string): bigint {
  return family === 'ipv4' ? BigInt(v4ToInt(a)) : v6ToBig(a);
}
export function bigToAddr(family: Family, n: bigint): string {
  return family === 'ipv4' ? intToV4(Number(n)) : bigToV6(n);
}
export function bits(family: Family): number {
  return family === 'ipv4' ? 32 : 128;
}
/** The network address of `a/len`. */
export function maskAddr(family: Family, a: string, len: number): string {
  const b = BigInt(bits(family));
  const n = addrToBig(family, a);
  const hostBits = b - BigInt(len);
  const masked = hostBits >= b ? 0n : (n >> hostBits) << hostBits;
  return bigToAddr(family, masked);
}
export function inCidr(family: Family, a: string, net: string, len: number): boolean {
  return maskAddr(family, a, len) === maskAddr(family, net, len);
}
export function compareAddr(family: Family, a: string, b: string): number {
  const x = addrToBig(family, a);
  const y = addrToBig(family, b);
  return x < y ? -1 : x > y ? 1 : 0;
}
