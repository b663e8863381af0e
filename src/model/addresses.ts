import ipaddr from 'ipaddr.js';
import { IntervalSet } from './intervals.js';

export type Family = 'ipv4' | 'ipv6';

const V4_END = 2 ** 32;
const V6_END = 1n << 128n;
/** The shared whole-space sets IntervalSet.range gives (see the AddrSet constructor). */
const WHOLE_V4 = IntervalSet.range(0, V4_END);
const WHOLE_V6 = IntervalSet.range(0n, V6_END);

/**
 * A set of IP addresses of both families: IPv4 as numbers, IPv6 as bigints,
 * each an interval union over its own address space.
 */
export class AddrSet {
  declare readonly v4: IntervalSet<number>;
  declare readonly v6: IntervalSet<bigint>;

  constructor(v4: IntervalSet<number>, v6: IntervalSet<bigint>) {
    // The empty set and the whole spaces are one object each: `new AddrSet(empty, empty)` returns AddrSet.EMPTY
    // (a constructor may return another object; the one being built is dropped): the analysis derives tens of
    // thousands of empty sets by subtraction, and rulesets write 0.0.0.0/0 and ::/0 for every open rule (the whole
    // spaces are recognised by identity: IntervalSet.range gives one shared set for each). Sets are immutable, so
    // sharing changes no result. The static fields are undefined while they are being made.
    if (v6.bounds.length === 0) {
      if (v4.bounds.length === 0) {
        if (AddrSet.EMPTY !== undefined) return AddrSet.EMPTY;
      } else if (v4 === WHOLE_V4 && AddrSet.ALL_V4 !== undefined) return AddrSet.ALL_V4;
    } else if (v6 === WHOLE_V6) {
      if (v4.bounds.length === 0) {
        if (AddrSet.ALL_V6 !== undefined) return AddrSet.ALL_V6;
      } else if (v4 === WHOLE_V4 && AddrSet.ALL !== undefined) return AddrSet.ALL;
    }
    this.v4 = v4;
    this.v6 = v6;
  }

  static readonly EMPTY = new AddrSet(IntervalSet.empty(), IntervalSet.empty());
  static readonly ALL_V4 = new AddrSet(IntervalSet.range(0, V4_END), IntervalSet.empty());
  static readonly ALL_V6 = new AddrSet(IntervalSet.empty(), IntervalSet.range(0n, V6_END));
  static readonly ALL = new AddrSet(IntervalSet.range(0, V4_END), IntervalSet.range(0n, V6_END));

  static all(family?: Family): AddrSet {
    return family === 'ipv4' ? AddrSet.ALL_V4 : family === 'ipv6' ? AddrSet.ALL_V6 : AddrSet.ALL;
  }

  /** The union of many sets in one sort and sweep per family (see IntervalSet.unionAll). */
  static unionAll(sets: readonly AddrSet[]): AddrSet {
    if (sets.length === 0) return AddrSet.EMPTY;
    if (sets.length === 1) return sets[0]!;
    return new AddrSet(
      IntervalSet.unionAll(sets.map((s) => s.v4)),
      IntervalSet.unionAll(sets.map((s) => s.v6)),
    );
  }

  /**
   * AddrSet.unionAll(sets).coversAll(family), without building the union for IPv4 (no-world-open-sensitive-ports asks
   * it of the sources of every entry that reaches a sensitive port: tens of thousands on a 100k-rule file, whose union
   * was an index sort with a comparator, ~0.1 s, to answer "no"). The starts and the ends of all intervals are sorted
   * apart (numeric typed-array sorts) and swept: an address x lies in #(starts ≤ x) − #(ends ≤ x) intervals, a count
   * that drops only at an end, so the union has a hole iff that count is 0 at address 0 or at an end below 2^32.
   */
  static unionCoversAll(sets: readonly AddrSet[], family: Family): boolean {
    // a few sets (a cloud export asks per security group and port): the union is cheaper than two typed arrays
    if (sets.length <= 64 || family !== 'ipv4') return AddrSet.unionAll(sets).coversAll(family);
    let n = 0;
    for (let k = 0; k < sets.length; k++) n += sets[k]!.v4.bounds.length >> 1;
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    let m = 0;
    for (let k = 0; k < sets.length; k++) {
      const b = sets[k]!.v4.bounds;
      for (let x = 0; x < b.length; x += 2) {
        starts[m] = b[x]!;
        ends[m++] = b[x + 1]!;
      }
    }
    starts.sort();
    ends.sort();
    let i = 0; // starts ≤ the address looked at
    while (i < n && starts[i]! <= 0) i++;
    if (i === 0) return false;
    for (let j = 0; j < n; ) {
      const e = ends[j]!;
      if (e >= V4_END) return true;
      while (j < n && ends[j] === e) j++; // j = #(ends ≤ e)
      while (i < n && starts[i]! <= e) i++;
      if (i === j) return false;
    }
    return false; // no interval reaches 2^32
  }

  get isEmpty(): boolean {
    return this.v4.isEmpty && this.v6.isEmpty;
  }

  // Each answers an operand itself when the result is made of its parts (no new object for an unchanged set).
  union(o: AddrSet): AddrSet {
    return this.same(this.v4.union(o.v4), this.v6.union(o.v6), o);
  }
  intersect(o: AddrSet): AddrSet {
    return this.same(this.v4.intersect(o.v4), this.v6.intersect(o.v6), o);
  }
  subtract(o: AddrSet): AddrSet {
    return this.same(this.v4.subtract(o.v4), this.v6.subtract(o.v6), o);
  }
  private same(v4: IntervalSet<number>, v6: IntervalSet<bigint>, o: AddrSet): AddrSet {
    if (v4 === this.v4 && v6 === this.v6) return this;
    if (v4 === o.v4 && v6 === o.v6) return o;
    return new AddrSet(v4, v6);
  }
  /** Complement within both address spaces. */
  complement(): AddrSet {
    return AddrSet.ALL.subtract(this);
  }
  equals(o: AddrSet): boolean {
    return this.v4.equals(o.v4) && this.v6.equals(o.v6);
  }
  only(family: Family): AddrSet {
    if (family === 'ipv4') return this.v6.isEmpty ? this : new AddrSet(this.v4, IntervalSet.empty());
    return this.v4.isEmpty ? this : new AddrSet(IntervalSet.empty(), this.v6);
  }
  /** How many addresses of the family the set holds. */
  count(family: Family): bigint {
    let n = 0n;
    if (family === 'ipv4') for (const [lo, hi] of this.v4.ranges()) n += BigInt(hi - lo);
    else for (const [lo, hi] of this.v6.ranges()) n += hi - lo;
    return n;
  }
  /** True when the set holds every address of the family. */
  coversAll(family: Family): boolean {
    return family === 'ipv4' ? this.v4.equals(AddrSet.ALL_V4.v4) : this.v6.equals(AddrSet.ALL_V6.v6);
  }
  has(addr: string): boolean {
    const p = parseAddress(addr);
    if (!p) return false;
    return p.family === 'ipv4' ? this.v4.has(p.value as number) : this.v6.has(p.value as bigint);
  }

  /** Minimal CIDR list, "0.0.0.0/0" / "::/0" for whole spaces. */
  toCidrs(): string[] {
    const out: string[] = [];
    this.eachCidr((family, start, prefix) => out.push(`${formatAddress(family, start)}/${prefix}`));
    return out;
  }

  /**
   * The blocks of the minimal CIDR list, IPv4 first, in address order: at each step the largest block aligned at
   * the current address that fits in its interval. Unformatted, so that a caller printing a few can count the rest.
   */
  eachCidr(visit: (family: Family, start: number | bigint, prefix: number) => void): void {
    const b4 = this.v4.bounds;
    for (let i = 0; i < b4.length; i += 2) {
      const hi = b4[i + 1]!;
      for (let cur = b4[i]!; cur < hi; ) {
        let size = 1;
        let bits = 0;
        while (size < 2 ** 32 && cur % (size * 2) === 0 && cur + size * 2 <= hi) {
          size *= 2;
          bits++;
        }
        visit('ipv4', cur, 32 - bits);
        cur += size;
      }
    }
    const b6 = this.v6.bounds;
    for (let i = 0; i < b6.length; i += 2) {
      const hi = b6[i + 1]!;
      for (let cur = b6[i]!; cur < hi; ) {
        // the block's size at once (bit by bit, each step made several bigints): the fewest of the trailing zero
        // bits of `cur` (128 at 0) and the bits below the highest set bit of what is left
        const tz = cur === 0n ? 128 : (cur & -cur).toString(2).length - 1;
        const fit = (hi - cur).toString(2).length - 1;
        const bits = Math.min(tz, fit, 128);
        visit('ipv6', cur, 128 - bits);
        cur += 1n << BigInt(bits);
      }
    }
  }

  toString(): string {
    return this.isEmpty ? 'none' : this.toCidrs().join(', ');
  }

  static parse(text: string): AddrSet | undefined {
    return parseCidr(text);
  }
}

export interface ParsedAddress {
  family: Family;
  value: number | bigint;
}

function v4ToNum(bytes: number[]): number {
  return ((bytes[0]! * 256 + bytes[1]!) * 256 + bytes[2]!) * 256 + bytes[3]!;
}
function v6ToBig(parts: number[]): bigint {
  let v = 0n;
  for (const p of parts) v = (v << 16n) | BigInt(p);
  return v;
}

/** Parse a single address (IPv4 dotted quad or IPv6). IPv4-mapped IPv6 stays IPv6. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    if (!ipaddr.IPv6.isValid(t)) return undefined;
    try {
      return { family: 'ipv6', value: v6ToBig(ipaddr.IPv6.parse(t).parts) };
    } catch {
      return undefined;
    }
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined;
  return { family: 'ipv4', value: v4ToNum(ipaddr.IPv4.parse(t).octets) };
}

/**
 * "10.0.0.0/8", "10.0.0.1", "2001:db8::/32", "10.0.0.0/255.0.0.0" → set.
 * Host bits are ignored as the kernel does (10.1.2.3/8 is 10.0.0.0/8).
 */
export function parseCidr(text: string): AddrSet | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const a = parseAddress(addrText);
  if (!a) return undefined;
  const bits = a.family === 'ipv4' ? 32 : 128;
  let len = bits;
  if (slash >= 0) {
    const m = t.slice(slash + 1);
    if (/^[0-9]{1,3}$/.test(m)) len = Number(m);
    else if (a.family === 'ipv4' && ipaddr.IPv4.isValidFourPartDecimal(m)) {
      const maskLen = ipaddr.IPv4.parse(m).prefixLengthFromSubnetMask();
      if (maskLen === null) return undefined; // non-contiguous masks are not CIDRs
      len = maskLen;
    } else return undefined;
    if (len > bits) return undefined;
  }
  if (a.family === 'ipv4') {
    const size = 2 ** (32 - len);
    const lo = Math.floor((a.value as number) / size) * size;
    return new AddrSet(IntervalSet.range(lo, lo + size), IntervalSet.empty());
  }
  const size = 1n << BigInt(128 - len);
  const lo = ((a.value as bigint) / size) * size;
  return new AddrSet(IntervalSet.empty(), IntervalSet.range(lo, lo + size));
}

/** Inclusive address range "a-b" (iprange, nft ranges). */
export function parseAddrRange(from: string, to: string): AddrSet | undefined {
  const a = parseAddress(from);
  const b = parseAddress(to);
  if (!a || !b || a.family !== b.family) return undefined;
  if (a.family === 'ipv4') {
    const lo = Math.min(a.value as number, b.value as number);
    const hi = Math.max(a.value as number, b.value as number);
    return new AddrSet(IntervalSet.range(lo, hi + 1), IntervalSet.empty());
  }
  const x = a.value as bigint;
  const y = b.value as bigint;
  const lo = x < y ? x : y;
  const hi = x < y ? y : x;
  return new AddrSet(IntervalSet.empty(), IntervalSet.range(lo, hi + 1n));
}

export function formatAddress(family: Family, value: number | bigint): string {
  if (family === 'ipv4') {
    const n = value as number;
    return [Math.floor(n / 16777216) % 256, Math.floor(n / 65536) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
  }
  let v = value as bigint;
  const parts: number[] = [];
  for (let i = 0; i < 8; i++) {
    parts.unshift(Number(v & 0xffffn));
    v >>= 16n;
  }
  return ipaddr.fromByteArray(parts.flatMap((p) => [p >> 8, p & 255])).toString();
}

