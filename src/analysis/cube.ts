/**
 * Packet-space algebra for the exposure engine: a cube is a product of one set
 * per dimension; a region is a list of pairwise-disjoint cubes. Everything is
 * interval / bit-mask arithmetic — ports and addresses are never enumerated.
 *
 * Dimensions (in split order — cheap, coarse dimensions first, addresses last so
 * that long runs of per-address rules keep the remainder in few cubes):
 *   proto, iif, oif, ct, icmp, dport, sport, dst, src(+principal).
 *
 * Invariant kept by construction: a cube whose `proto` holds a protocol without
 * ports has full `dport`/`sport`, and one whose `proto` holds a non-ICMP protocol
 * has full `icmp` (port and ICMP-type matches also restrict the protocol, and
 * subtraction splits on `proto` first).
 */
import { AddrSet, ANY_PRINCIPAL, EXACT_COPY_MAX, IntervalSet, PORT_UNIVERSE, PROTO_UNIVERSE, type Family, type NumSet } from '../model/index.js';

export const ICMP_UNIVERSE: NumSet = IntervalSet.range(0, 65536);

/** Connection-tracking atoms: state index * 2 + (DNAT status ? 1 : 0). */
export const CT_BASE = ['new', 'established', 'related', 'invalid', 'untracked'] as const;
export type CtBase = (typeof CT_BASE)[number];
export const CT_ALL = (1 << (CT_BASE.length * 2)) - 1;
export const CT_DNAT_BITS = 0b1010101010;

export function ctBit(state: CtBase, dnat: boolean): number {
  return 1 << (CT_BASE.indexOf(state) * 2 + (dnat ? 1 : 0));
}

/** Move every state to its DNAT'd twin (a DNAT rule sets the connection's DNAT status). */
export function ctWithDnat(mask: number): number {
  return (mask | (mask << 1)) & CT_DNAT_BITS;
}

export interface Cube {
  proto: NumSet;
  iif: bigint;
  oif: bigint;
  ct: number;
  icmp: NumSet;
  dport: NumSet;
  sport: NumSet;
  dst: AddrSet;
  /** Source addresses (of the family) … */
  src: AddrSet;
  /** … or named principals (bit per principal atom): one dimension "where from". */
  sprin: bigint;
}

const NO_CUBES: Cube[] = [];

/** a's first n elements in a list of length cap, the rest fill (made at its size: not grown). */
export function withRoom<T>(a: readonly T[], n: number, cap: number, fill: T): T[] {
  const b = new Array<T>(cap).fill(fill);
  for (let i = 0; i < n; i++) b[i] = a[i]!;
  return b;
}
const NO_TEXT: string[] = [];

/**
 * The cube object every function here builds: one class (one hidden class — the cube operations
 * stay monomorphic) with its fields in Cube's order. It also reads as the compiled form of a rule
 * of decidable matches whose region is this one cube (RuleCompiler stores the cube alone, not a
 * wrapper and a list: 100k compiled rules stay alive for the whole lint): must = may = [the cube],
 * a fresh list per read; maybe and opaque empty.
 */
export class Box implements Cube {
  proto: NumSet;
  iif: bigint;
  oif: bigint;
  ct: number;
  icmp: NumSet;
  dport: NumSet;
  sport: NumSet;
  dst: AddrSet;
  src: AddrSet;
  sprin: bigint;
  constructor(proto: NumSet, iif: bigint, oif: bigint, ct: number, icmp: NumSet, dport: NumSet, sport: NumSet, dst: AddrSet, src: AddrSet, sprin: bigint) {
    this.proto = proto;
    this.iif = iif;
    this.oif = oif;
    this.ct = ct;
    this.icmp = icmp;
    this.dport = dport;
    this.sport = sport;
    this.dst = dst;
    this.src = src;
    this.sprin = sprin;
  }
  get must(): Cube[] {
    return [this];
  }
  get may(): Cube[] {
    return [this];
  }
  get maybe(): Cube[] {
    return NO_CUBES;
  }
  get opaque(): string[] {
    return NO_TEXT;
  }
}

/** A copy of c, to narrow one or two fields of before it is shared. */
export function copyCube(c: Cube): Box {
  return new Box(c.proto, c.iif, c.oif, c.ct, c.icmp, c.dport, c.sport, c.dst, c.src, c.sprin);
}

/**
 * Interface name atoms: the name space partitioned into each exact name used,
 * each prefix's remainder (names starting with it, not exact, not under a longer
 * prefix) and "anything else".
 */
export class Atoms {
  readonly labels: string[] = [];
  private readonly exact = new Map<string, number>();
  private readonly prefixes: { p: string; bit: number }[] = [];
  readonly other: number;
  readonly all: bigint;
  private readonly cache = new Map<string, bigint>();

  constructor(names: Iterable<string>) {
    const exact = new Set<string>(['lo', '']);
    const pre = new Set<string>();
    for (const n of names) {
      if (n.endsWith('+') || n.endsWith('*')) pre.add(n.slice(0, -1));
      else exact.add(n);
    }
    for (const e of [...exact].sort()) {
      this.exact.set(e, this.labels.length);
      this.labels.push(e === '' ? '(none)' : e);
    }
    // longest prefixes first so that atomOf finds the longest match
    for (const p of [...pre].sort((a, b) => b.length - a.length || (a < b ? -1 : 1))) {
      this.prefixes.push({ p, bit: this.labels.length });
      this.labels.push(`${p}+`);
    }
    this.other = this.labels.length;
    this.labels.push('other');
    this.all = (1n << BigInt(this.labels.length)) - 1n;
  }

  /** The atom a concrete interface name falls in. */
  atomOf(name: string): number {
    const e = this.exact.get(name);
    if (e !== undefined) return e;
    for (const { p, bit } of this.prefixes) if (name.startsWith(p)) return bit;
    return this.other;
  }

  bit(name: string): bigint {
    return 1n << BigInt(this.atomOf(name));
  }

  /** Atoms matched by a list of names (exact or `+`/`*` wildcards). */
  mask(names: readonly string[]): bigint {
    let m = 0n;
    for (const n of names) {
      let v = this.cache.get(n);
      if (v === undefined) {
        if (n.endsWith('+') || n.endsWith('*')) {
          const p = n.slice(0, -1);
          v = 0n;
          for (const [e, bit] of this.exact) if (e.startsWith(p)) v |= 1n << BigInt(bit);
          for (const q of this.prefixes) if (q.p.startsWith(p)) v |= 1n << BigInt(q.bit);
          if (p === '') v |= 1n << BigInt(this.other);
        } else v = 1n << BigInt(this.exact.get(n) ?? this.atomOf(n));
        this.cache.set(n, v);
      }
      m |= v;
    }
    return m;
  }

  describe(mask: bigint, universe: bigint): string {
    if ((mask & universe) === universe) return 'any';
    const missing = universe & ~mask;
    const list = (m: bigint) => this.labels.filter((_, i) => (m >> BigInt(i)) & 1n);
    const miss = list(missing);
    const have = list(mask & universe);
    // ("other", the names no rule writes, says nothing read alone: "any except eth0, docker0" does)
    if (miss.length < have.length || (mask >> BigInt(this.other)) & 1n) return `any except ${miss.join(', ')}`;
    return have.join(', ');
  }
}

/** Principal atoms: each named source used, plus "*" (any other principal). */
export class Principals {
  readonly names: string[];
  private readonly index = new Map<string, number>();
  readonly all: bigint;
  constructor(names: Iterable<string>, enabled: boolean) {
    // (ANY_PRINCIPAL is no atom of its own: it is all of them, see mask)
    this.names = enabled ? [...new Set(names)].filter((n) => n !== ANY_PRINCIPAL).sort() : [];
    this.names.forEach((n, i) => this.index.set(n, i));
    if (enabled) this.names.push('*');
    this.all = (1n << BigInt(this.names.length)) - 1n;
  }
  mask(names: readonly string[]): bigint {
    let m = 0n;
    for (const n of names) {
      if (n === ANY_PRINCIPAL) return this.all;
      const i = this.index.get(n);
      if (i !== undefined) m |= 1n << BigInt(i);
    }
    return m;
  }
  bit(name: string): bigint {
    const i = this.index.get(name);
    return 1n << BigInt(i ?? this.names.length - 1);
  }
  list(mask: bigint): string[] {
    return this.names.filter((_, i) => (mask >> BigInt(i)) & 1n);
  }
}

/** The packet space of one family in one ruleset. */
export interface Space {
  family: Family;
  ifs: Atoms;
  prins: Principals;
  universe: Cube;
}

export function makeUniverse(family: Family, ifs: Atoms, prins: Principals): Cube {
  const all = AddrSet.all(family);
  return new Box(PROTO_UNIVERSE, ifs.all, ifs.all, CT_ALL, ICMP_UNIVERSE, PORT_UNIVERSE, PORT_UNIVERSE, all, all, prins.all);
}

// ---- non-allocating overlap tests ------------------------------------------------

function overlapsIv<T extends number | bigint>(a: IntervalSet<T>, b: IntervalSet<T>): boolean {
  if (a === b) return a.bounds.length > 0;
  const A = a.bounds;
  const B = b.bounds;
  if (A.length === 0 || B.length === 0) return false;
  if (A[A.length - 1]! <= B[0]! || B[B.length - 1]! <= A[0]!) return false;
  if (B.length === 2) {
    const i = firstEndingAfter(A, B[0]!);
    return i < A.length && A[i]! < B[1]!;
  }
  if (A.length === 2) {
    const i = firstEndingAfter(B, A[0]!);
    return i < B.length && B[i]! < A[1]!;
  }
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    const lo = A[i]! > B[j]! ? A[i]! : B[j]!;
    const hi = A[i + 1]! < B[j + 1]! ? A[i + 1]! : B[j + 1]!;
    if (lo < hi) return true;
    if (A[i + 1]! < B[j + 1]!) i += 2;
    else j += 2;
  }
  return false;
}

function addrOverlaps(a: AddrSet, b: AddrSet): boolean {
  if (a === b) return !a.isEmpty;
  return overlapsIv(a.v4, b.v4) || overlapsIv(a.v6, b.v6);
}

/**
 * a ∩ b ≠ 0 for bit masks. Equal masks (the common case) need no BigInt arithmetic, which
 * allocates; and the last pair asked is remembered, one memo per dimension: masks are shared (the
 * universe's, the atoms' cached ones, a flow's through all its copies), so the same two objects
 * meet again and again — a BigInt `&` allocates each time.
 */
class MeetMemo {
  a = 0n;
  b = 0n;
  r = false;
  meets(a: bigint, b: bigint): boolean {
    if (a === b) return a !== 0n;
    if (a === this.a && b === this.b) return this.r;
    this.a = a;
    this.b = b;
    return (this.r = (a & b) !== 0n);
  }
}
const iifMemo = new MeetMemo();
const oifMemo = new MeetMemo();
const prinMemo = new MeetMemo();

/** a \ b ≠ 0 for bit masks. */
function exceeds(a: bigint, b: bigint): boolean {
  return a === b ? false : (a & ~b) !== 0n;
}

/**
 * a ∩ b for bit masks, as MeetMemo: the last pair's answer is the same BigInt object again (a hit
 * cube's interfaces are its flow's ∩ its rule's, the same two masks for most of a chain — each `&`
 * is a new BigInt, 24 B, kept as long as the cube).
 */
class AndMemo {
  a = 0n;
  b = 0n;
  r = 0n;
  and(a: bigint, b: bigint): bigint {
    if (a === b) return a;
    if (a === this.a && b === this.b) return this.r;
    this.a = a;
    this.b = b;
    return (this.r = a & b);
  }
}
const iifAnd = new AndMemo();
const oifAnd = new AndMemo();
const prinAnd = new AndMemo();

/**
 * The dimensions are tested in the order in which they tell disjoint cubes apart on the bench's
 * rulesets (counted over computeExposure's calls): after the cheapest test, sources (96.5k of 104k
 * rejections on iptables-100k, 93.2k of 106.8k on nftables-100k: a user chain's flow against the rules of
 * other sources, one test per rule), then destination addresses (6.1k; 11.8k), input interfaces
 * (1.6k; 1.5k), destination ports (~0.2k each, since cuts test ports first: portsLeft) — protocol, source
 * ports, ICMP types and output interfaces rejected none, so they come after the deciders instead of
 * being tested before each.
 */
export function cubesOverlap(a: Cube, b: Cube): boolean {
  return (
    (a.ct & b.ct) !== 0 &&
    (prinMemo.meets(a.sprin, b.sprin) || addrOverlaps(a.src, b.src)) &&
    addrOverlaps(a.dst, b.dst) &&
    iifMemo.meets(a.iif, b.iif) &&
    overlapsIv(a.dport, b.dport) &&
    overlapsIv(a.proto, b.proto) &&
    overlapsIv(a.sport, b.sport) &&
    overlapsIv(a.icmp, b.icmp) &&
    oifMemo.meets(a.oif, b.oif)
  );
}


// ---- fast interval operations for the common "one side is a single interval" case ---------

type Iv<T extends number | bigint> = IntervalSet<T>;

/** First index i (even) with bounds[i+1] > x, i.e. the first interval ending after x. */
function firstEndingAfter<T extends number | bigint>(b: readonly T[], x: T): number {
  let lo = 0;
  let hi = b.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (b[2 * mid + 1]! > x) hi = mid;
    else lo = mid + 1;
  }
  return 2 * lo;
}

function clip<T extends number | bigint>(a: Iv<T>, lo: T, hi: T): Iv<T> {
  const b = a.bounds;
  const i = firstEndingAfter(b, lo);
  let j = i;
  while (j < b.length && b[j]! < hi) j += 2;
  if (j === i) return IntervalSet.empty<T>();
  const out = b.slice(i, j) as T[];
  if (out[0]! < lo) out[0] = lo;
  if (out[out.length - 1]! > hi) out[out.length - 1] = hi;
  return IntervalSet.fromBounds(out);
}

export function isectIv<T extends number | bigint>(a: Iv<T>, b: Iv<T>): Iv<T> {
  if (a === b) return a;
  if (a.bounds.length === 0) return a;
  if (b.bounds.length === 0) return b;
  // one side inside the other (a single interval around the other's span): share it, allocate nothing
  const A = a.bounds;
  const B = b.bounds;
  if (A.length === 2 && A[0]! <= B[0]! && B[B.length - 1]! <= A[1]!) return b;
  if (B.length === 2 && B[0]! <= A[0]! && A[A.length - 1]! <= B[1]!) return a;
  // one interval inside one of the other's: that operand itself (tcp ∩ the port protocols, in every port rule)
  if (B.length === 2) {
    const i = firstEndingAfter(A, B[0]!);
    if (i < A.length && A[i]! <= B[0]! && B[1]! <= A[i + 1]!) return b;
    return clip(a, B[0]!, B[1]!);
  }
  if (A.length === 2) {
    const i = firstEndingAfter(B, A[0]!);
    if (i < B.length && B[i]! <= A[0]! && A[1]! <= B[i + 1]!) return a;
    return clip(b, A[0]!, A[1]!);
  }
  return a.intersect(b);
}

/**
 * The bounds of a difference being written (subIv, sweepSub): a scratch list, read back by fromSlots into a list of
 * the result's size. A list grown by push from empty takes room for 17 bounds (~180 B) that fromBounds then copies
 * away from or keeps: on nftables-100k most of what cutting allocated.
 */
const SLOTS: (number | bigint)[] = [];
/** SLOTS is let go after a difference of more bounds than this (see fromSlots). */
const SLOTS_KEPT = 4096;

/**
 * The set of the first k bounds in SLOTS: one or two intervals (nearly every difference cut) from a list literal of
 * their number, more through a list of their own built by push — both hold the values themselves, so its element
 * kind is what any set's list of such values has (SLOTS, which sees ports and addresses alike, is never handed out).
 */
function fromSlots<T extends number | bigint>(k: number): Iv<T> {
  const s = SLOTS as T[];
  if (k === 0) return IntervalSet.empty<T>();
  if (k === 2) return IntervalSet.range(s[0]!, s[1]!);
  if (k === 4) return IntervalSet.fromBounds([s[0]!, s[1]!, s[2]!, s[3]!]);
  const out: T[] = [];
  for (let i = 0; i < k; i++) out.push(s[i]!);
  // (a scratch list grown past a few thousand bounds by a rare large difference is not kept for the rest of the run)
  if (k > SLOTS_KEPT) SLOTS.length = 0;
  // fromBounds copies a short list to its size, and a long one is copied here, as a list grown by push keeps spare room
  return IntervalSet.fromBounds(k > EXACT_COPY_MAX ? out.slice() : out);
}

export function subIv<T extends number | bigint>(a: Iv<T>, b: Iv<T>): Iv<T> {
  if (a === b) return IntervalSet.empty<T>();
  if (a.bounds.length === 0 || b.bounds.length === 0) return a;
  if (b.bounds.length === 2) {
    const lo = b.bounds[0]!;
    const hi = b.bounds[1]!;
    const A = a.bounds;
    const i = firstEndingAfter(A, lo);
    if (i >= A.length || A[i]! >= hi) return a; // nothing removed
    let j = i;
    while (j < A.length && A[j]! < hi) j += 2;
    // written in order (no slices, middle part and concatenation: four lists per cut)
    const out = SLOTS as T[];
    let k = 0;
    for (let q = 0; q < i; q++) out[k++] = A[q]!;
    if (A[i]! < lo) {
      out[k++] = A[i]!;
      out[k++] = lo;
    }
    if (A[j - 1]! > hi) {
      out[k++] = hi;
      out[k++] = A[j - 1]!;
    }
    for (let q = j; q < A.length; q++) out[k++] = A[q]!;
    return fromSlots(k);
  }
  return sweepSub(a.bounds, b.bounds);
}

/** a \ b by one sweep over two sorted boundary lists (no callbacks). */
function sweepSub<T extends number | bigint>(A: readonly T[], B: readonly T[]): Iv<T> {
  const out = SLOTS as T[];
  let n = 0;
  let j = 0;
  for (let i = 0; i < A.length; i += 2) {
    let lo = A[i]!;
    const hi = A[i + 1]!;
    // skip b intervals ending at or before lo
    while (j < B.length && B[j + 1]! <= lo) j += 2;
    let k = j;
    while (k < B.length && B[k]! < hi) {
      if (B[k]! > lo) {
        out[n++] = lo;
        out[n++] = B[k]!;
      }
      if (B[k + 1]! > lo) lo = B[k + 1]!;
      if (lo >= hi) break;
      k += 2;
    }
    if (lo < hi) {
      out[n++] = lo;
      out[n++] = hi;
    }
  }
  // adjacent pieces cannot touch: b's intervals separate them, and a's intervals are non-adjacent
  return fromSlots(n);
}

export function addrIsect(a: AddrSet, b: AddrSet): AddrSet {
  if (a === b) return a;
  const v4 = isectIv(a.v4, b.v4);
  const v6 = isectIv(a.v6, b.v6);
  if (v4 === b.v4 && v6 === b.v6) return b;
  if (v4 === a.v4 && v6 === a.v6) return a;
  return new AddrSet(v4, v6);
}

export function addrSub(a: AddrSet, b: AddrSet): AddrSet {
  if (a === b) return AddrSet.EMPTY;
  return new AddrSet(subIv(a.v4, b.v4), subIv(a.v6, b.v6));
}

/** a ∩ b, undefined when they do not meet (`meets`: the caller knows they do, not tested again). */
export function intersectCube(a: Cube, b: Cube, meets = false): Cube | undefined {
  if (!meets && !cubesOverlap(a, b)) return undefined;
  const c = new Box(
    isectIv(a.proto, b.proto),
    iifAnd.and(a.iif, b.iif),
    oifAnd.and(a.oif, b.oif),
    a.ct & b.ct,
    isectIv(a.icmp, b.icmp),
    isectIv(a.dport, b.dport),
    isectIv(a.sport, b.sport),
    addrIsect(a.dst, b.dst),
    addrIsect(a.src, b.src),
    prinAnd.and(a.sprin, b.sprin),
  );
  // the smaller cube itself when it is the intersection (cubes are never mutated: share it)
  if (sameCube(c, b)) return b;
  if (sameCube(c, a)) return a;
  return c;
}

function sameCube(x: Cube, y: Cube): boolean {
  return (
    x.proto === y.proto &&
    x.iif === y.iif &&
    x.oif === y.oif &&
    x.ct === y.ct &&
    x.icmp === y.icmp &&
    x.dport === y.dport &&
    x.sport === y.sport &&
    x.dst === y.dst &&
    x.src === y.src &&
    x.sprin === y.sprin
  );
}

/**
 * a \ b as disjoint cubes (at most one per dimension). What is left of a inside b so far is kept
 * in locals, not in a cube per step: each piece is one cube, the part inside b none.
 * Which dimensions leave a piece is told first, by subset tests that allocate nothing: a dimension of a inside b's
 * needs no difference, and a dimension is narrowed to b's only when a later one leaves a piece (the narrowed set
 * is read by no one else) — most subtractions of a flow's holes leave one or two pieces, and each difference or
 * intersection of many-interval sets computed for nothing was a new set (26 MB of garbage on iptables-100k).
 */
export function subtractCube(a: Cube, b: Cube, out: Cube[]): void {
  if (!cubesOverlap(a, b)) {
    out.push(a);
    return;
  }
  let { proto, iif, oif, ct, icmp, dport, sport, dst } = a;
  const { src, sprin } = a;
  // the dimensions in which a leaves b (each leaves a piece), as bits in split order
  const p = sprin === b.sprin ? 0n : sprin & ~b.sprin;
  const left =
    (ivSubset(proto, b.proto) ? 0 : 1) |
    (exceeds(iif, b.iif) ? 2 : 0) |
    (exceeds(oif, b.oif) ? 4 : 0) |
    ((ct & ~b.ct) !== 0 ? 8 : 0) |
    (ivSubset(icmp, b.icmp) ? 0 : 16) |
    (ivSubset(dport, b.dport) ? 0 : 32) |
    (ivSubset(sport, b.sport) ? 0 : 64) |
    (addrSubset(dst, b.dst) ? 0 : 128) |
    (addrSubset(src, b.src) && p === 0n ? 0 : 256);
  if (left & 1) {
    out.push(new Box(subIv(proto, b.proto), iif, oif, ct, icmp, dport, sport, dst, src, sprin));
    if (left > 1) proto = isectIv(proto, b.proto);
  }
  if (left & 2) {
    out.push(new Box(proto, iif & ~b.iif, oif, ct, icmp, dport, sport, dst, src, sprin));
    if (left > 3) iif &= b.iif;
  }
  if (left & 4) {
    out.push(new Box(proto, iif, oif & ~b.oif, ct, icmp, dport, sport, dst, src, sprin));
    if (left > 7) oif &= b.oif;
  }
  if (left & 8) {
    out.push(new Box(proto, iif, oif, ct & ~b.ct, icmp, dport, sport, dst, src, sprin));
    ct &= b.ct;
  }
  if (left & 16) {
    out.push(new Box(proto, iif, oif, ct, subIv(icmp, b.icmp), dport, sport, dst, src, sprin));
    if (left > 31) icmp = isectIv(icmp, b.icmp);
  }
  if (left & 32) {
    out.push(new Box(proto, iif, oif, ct, icmp, subIv(dport, b.dport), sport, dst, src, sprin));
    if (left > 63) dport = isectIv(dport, b.dport);
  }
  if (left & 64) {
    out.push(new Box(proto, iif, oif, ct, icmp, dport, subIv(sport, b.sport), dst, src, sprin));
    if (left > 127) sport = isectIv(sport, b.sport);
  }
  if (left & 128) {
    out.push(new Box(proto, iif, oif, ct, icmp, dport, sport, addrSub(dst, b.dst), src, sprin));
    if (left > 255) dst = addrIsect(dst, b.dst);
  }
  if (left & 256) out.push(new Box(proto, iif, oif, ct, icmp, dport, sport, dst, addrSub(src, b.src), p));
}

/**
 * a \ b when that is a with fewer destination ports and nothing else changed, given as those ports; `dport` stands for
 * a's ports (a's own, or what earlier holes left of them: a cube with them is not built). `dport` itself when b misses
 * a; the empty set when b holds all of a; undefined when b leaves part of a in another dimension (subtractCube then).
 * Where it answers, subtractCube(a with dport, b) gives the same for a non-empty a: no piece, a itself, or one piece
 * with exactly these ports (an empty a, which subtractCube leaves whole, may lose ports here: empty either way). Most cuts of an accepted piece are of this kind (a hole of an earlier port rule of the same protocol whose
 * sources hold the piece's: nine subtractions in ten on iptables-100k and nftables-100k), and a cube, a set and the
 * nine containment tests of subtractCube per hole were most of what cutting cost.
 */
export function portsLeft(a: Cube, dport: NumSet, b: Cube): NumSet | undefined {
  // (disjoint ports: b misses a, whatever the other dimensions; tested first, it is the common answer)
  if (!overlapsIv(dport, b.dport)) return dport;
  const inside =
    (a.ct & ~b.ct) === 0 &&
    !exceeds(a.iif, b.iif) &&
    !exceeds(a.oif, b.oif) &&
    ivSubset(a.proto, b.proto) &&
    ivSubset(a.icmp, b.icmp) &&
    ivSubset(a.sport, b.sport) &&
    addrSubset(a.dst, b.dst) &&
    addrSubset(a.src, b.src) &&
    !exceeds(a.sprin, b.sprin);
  return inside ? subIv(dport, b.dport) : undefined;
}

function addrSubset(a: AddrSet, b: AddrSet): boolean {
  return a === b || (ivSubset(a.v4, b.v4) && ivSubset(a.v6, b.v6));
}

function ivSubset<T extends number | bigint>(a: IntervalSet<T>, b: IntervalSet<T>): boolean {
  if (a === b) return true;
  const A = a.bounds;
  const B = b.bounds;
  if (A.length === 0) return true;
  if (B.length === 2) return B[0]! <= A[0]! && A[A.length - 1]! <= B[1]!;
  // each interval of a inside one of b's, by one walk over both (a.isSubsetOf(b) builds a \ b to test it)
  let j = 0;
  for (let i = 0; i < A.length; i += 2) {
    const lo = A[i]!;
    while (j < B.length && B[j + 1]! <= lo) j += 2;
    if (j >= B.length || B[j]! > lo || B[j + 1]! < A[i + 1]!) return false;
  }
  return true;
}

/** a ⊆ b (a non-empty). */
export function cubeContains(b: Cube, a: Cube): boolean {
  return (
    !exceeds(a.iif, b.iif) &&
    !exceeds(a.oif, b.oif) &&
    (a.ct & ~b.ct) === 0 &&
    !exceeds(a.sprin, b.sprin) &&
    ivSubset(a.dport, b.dport) &&
    ivSubset(a.proto, b.proto) &&
    ivSubset(a.sport, b.sport) &&
    ivSubset(a.icmp, b.icmp) &&
    (a.dst === b.dst || (ivSubset(a.dst.v4, b.dst.v4) && ivSubset(a.dst.v6, b.dst.v6))) &&
    (a.src === b.src || (ivSubset(a.src.v4, b.src.v4) && ivSubset(a.src.v6, b.src.v6)))
  );
}

export function cubeIsEmpty(c: Cube): boolean {
  return (
    c.proto.isEmpty ||
    c.iif === 0n ||
    c.oif === 0n ||
    c.ct === 0 ||
    c.icmp.isEmpty ||
    c.dport.isEmpty ||
    c.sport.isEmpty ||
    c.dst.isEmpty ||
    (c.src.isEmpty && c.sprin === 0n)
  );
}

/** Region ∩ region (inputs disjoint ⇒ output disjoint). */
export function intersectRegions(a: readonly Cube[], b: readonly Cube[]): Cube[] {
  if (a.length === 1 && b.length === 1) {
    // the common case, as an array of exactly one (compiled rules are kept: no spare capacity)
    const z = intersectCube(a[0]!, b[0]!);
    return z && !cubeIsEmpty(z) ? [z] : [];
  }
  const out: Cube[] = [];
  for (const x of a) for (const y of b) {
    const z = intersectCube(x, y);
    if (z && !cubeIsEmpty(z)) out.push(z);
  }
  return out;
}

export function subtractRegions(a: readonly Cube[], b: readonly Cube[]): Cube[] {
  let cur: Cube[] = [...a];
  for (const y of b) {
    const next: Cube[] = [];
    for (const x of cur) subtractCube(x, y, next);
    cur = next;
    if (cur.length === 0) break;
  }
  return cur;
}

/** Disjoint union. */
export function unionRegions(a: readonly Cube[], b: readonly Cube[]): Cube[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  return [...a, ...subtractRegions(b, a)];
}

export function complementRegion(universe: Cube, a: readonly Cube[]): Cube[] {
  return subtractRegions([universe], a);
}

/** A concrete point, for membership tests (undefined fields = not known; treated as "any"). */
export interface Point {
  proto: number;
  iif: bigint;
  oif: bigint;
  ct: number;
  icmp?: number;
  dport?: number;
  sport?: number;
  dst?: number | bigint;
  src?: number | bigint;
  sprin?: bigint;
  family: Family;
}

function hasAddr(s: AddrSet, family: Family, v: number | bigint): boolean {
  return family === 'ipv4' ? s.v4.has(v as number) : s.v6.has(v as bigint);
}

export function cubeHas(c: Cube, p: Point): boolean {
  if (!c.proto.has(p.proto)) return false;
  if ((c.iif & p.iif) === 0n || (c.oif & p.oif) === 0n || (c.ct & p.ct) === 0) return false;
  if (p.icmp !== undefined && !c.icmp.has(p.icmp)) return false;
  if (p.dport !== undefined && !c.dport.has(p.dport)) return false;
  if (p.sport !== undefined && !c.sport.has(p.sport)) return false;
  if (p.dst !== undefined && !hasAddr(c.dst, p.family, p.dst)) return false;
  if (p.sprin !== undefined) return (c.sprin & p.sprin) !== 0n;
  if (p.src !== undefined && !hasAddr(c.src, p.family, p.src)) return false;
  return true;
}

// ---- a spatial index over cubes ------------------------------------------------------

const MAX_PORT_KEYS = 64;
const MAX_ADDR_KEYS = 8;

/**
 * Port-set keys: a single port (most rules) is its caller's one-slot list (`one`), written again when
 * asked; the keys of larger sets are kept by set (sets are immutable and shared by the cubes of a rule, its
 * holes and its hits: iptables-host-100k asks 268k times for 5k sets, and a range of up to 64 ports
 * is a list of 64). Bounded: emptied when full. A set of too many ports (no keys) is not kept: it
 * is told by its size, a sum over its few intervals, and nftables-100k has one such set per rule
 * (`udp dport { 17205, 39431-41286 }`), which filled the cache again and again (a Map table grown
 * to 16k entries each time, ~1 MB of garbage, much of it promoted).
 */
const portKeyCache = new Map<NumSet, number[]>();
const KEY_CACHE_MAX = 16384;

function portKeys(s: NumSet, one: number[]): number[] | undefined {
  const b = s.bounds;
  if (b.length === 2 && b[1]! - b[0]! === 1) {
    one[0] = b[0]!;
    return one;
  }
  let out = portKeyCache.get(s);
  if (out !== undefined) return out;
  let n = 0;
  for (let i = 0; i < b.length && n <= MAX_PORT_KEYS; i += 2) n += b[i + 1]! - b[i]!;
  if (n > MAX_PORT_KEYS) return undefined;
  out = [];
  for (let i = 0; i < b.length; i += 2) for (let p = b[i]!; p < b[i + 1]!; p++) out.push(p);
  if (portKeyCache.size >= KEY_CACHE_MAX) portKeyCache.clear();
  portKeyCache.set(s, out);
  return out;
}

/** The one /24 block of an IPv4-only set inside one (a host, a small subnet: most sets asked), else -1. */
function oneBlock(s: AddrSet): number {
  const v4 = s.v4.bounds;
  if (v4.length !== 2 || s.v6.bounds.length !== 0) return -1;
  const lo = Math.floor(v4[0]! / 256);
  return Math.floor((v4[1]! - 1) / 256) === lo ? lo : -1;
}

/** /24 blocks (IPv4) or /64 blocks (IPv6) an address set touches, when few (more than one: see addrKeysOf). */
function addrKeys(s: AddrSet): (number | string)[] | undefined {
  const v4 = s.v4.bounds;
  const out: (number | string)[] = [];
  for (let i = 0; i < v4.length; i += 2) {
    const lo = Math.floor(v4[i]! / 256);
    const hi = Math.floor((v4[i + 1]! - 1) / 256);
    if (hi - lo + out.length >= MAX_ADDR_KEYS) return undefined;
    for (let k = lo; k <= hi; k++) out.push(k);
  }
  const v6 = s.v6.bounds;
  for (let i = 0; i < v6.length; i += 2) {
    const lo = v6[i]! >> 64n;
    const hi = (v6[i + 1]! - 1n) >> 64n;
    if (hi - lo + BigInt(out.length) >= BigInt(MAX_ADDR_KEYS)) return undefined;
    for (let k = lo; k <= hi; k++) out.push(`6:${k.toString(16)}`);
  }
  return out;
}

type Keys = (number | string)[] | undefined;
const DIMS = 4;
/** Dimension 3 (protocol) is queried by walking its few bucket keys, so a wide query still narrows. */
const PROTO_DIM = 3;

/**
 * The last protocol set asked and its keys: sets are immutable and shared by the cubes of a
 * chain (one TCP set), and keys are only read, so one answer serves long runs of queries.
 * Behind it, the keys of every protocol set asked (null: too many protocols for keys): a query and
 * the cubes it meets usually hold different sets (a flow's TCP, a rule's port protocols), so the
 * last set alone missed half the time, and each miss made the list again (nftables-100k: 55k lists
 * for 3 sets, ~10 MB). Few sets: the protocols of a ruleset's rules and their intersections; bounded.
 */
let lastProtoSet: NumSet | undefined;
let lastProtoKeys: number[] | undefined;
const protoKeyCache = new Map<NumSet, number[] | null>();
const PROTO_CACHE_MAX = 256;

function protoKeys(s: NumSet): number[] | undefined {
  if (s === lastProtoSet) return lastProtoKeys;
  let out = protoKeyCache.get(s);
  if (out === undefined) {
    const b = s.bounds;
    let n = 0;
    for (let i = 0; i < b.length; i += 2) n += b[i + 1]! - b[i]!;
    out = null;
    if (n <= 8) {
      out = [];
      for (let i = 0; i < b.length; i += 2) for (let p = b[i]!; p < b[i + 1]!; p++) out.push(p);
    }
    if (protoKeyCache.size >= PROTO_CACHE_MAX) protoKeyCache.clear();
    protoKeyCache.set(s, out);
  }
  lastProtoSet = s;
  lastProtoKeys = out ?? undefined;
  return lastProtoKeys;
}

/**
 * The last source and the last destination set asked, each with its keys (address sets are many,
 * mostly one rule's each: a cache by set would mostly miss).
 */
const lastAddr: { set: AddrSet | undefined; keys: Keys }[] = [
  { set: undefined, keys: undefined },
  { set: undefined, keys: undefined },
];

function addrKeysOf(s: AddrSet, role: 0 | 1, one: number[]): Keys {
  // one block: the caller's one-slot list, written again (not remembered: another caller's list would be shared)
  const block = oneBlock(s);
  if (block >= 0) {
    one[0] = block;
    return one;
  }
  const m = lastAddr[role]!;
  if (m.set !== s) {
    m.keys = addrKeys(s);
    m.set = s;
  }
  return m.keys;
}

/**
 * A cube's keys per dimension, and the one-slot lists that hold a key alone (a single port, one address
 * block: most cubes) — written again for each cube, instead of a new list of one per key and cube (~12 MB
 * of garbage on nftables-100k). Valid until its owner's next cubeKeys.
 */
interface KeySlots {
  keys: Keys[];
  port: number[];
  src: number[];
  dst: number[];
}

function keySlots(): KeySlots {
  return { keys: [undefined, undefined, undefined, undefined], port: [0], src: [0], dst: [0] };
}

/** The keys of c per dimension, into ks (a query's keys go to one scratch list: no list per query). */
function cubeKeys(c: Cube, ks: KeySlots): Keys[] {
  const out = ks.keys;
  out[0] = portKeys(c.dport, ks.port);
  out[1] = c.sprin !== 0n ? undefined : addrKeysOf(c.src, 0, ks.src);
  out[2] = addrKeysOf(c.dst, 1, ks.dst);
  out[3] = protoKeys(c.proto);
  return out;
}
/** The keys of the query being answered, of the item being indexed, of a wide item moved to sub-indexes (none nests in itself). */
const queryKeys = keySlots();
const indexKeys = keySlots();
const fillKeys = keySlots();

/**
 * Ids by key, ascending. A key with one id holds the number itself (most keys of a long
 * per-address chain are one address block): no container per key.
 */
type Bucket = number | number[];

interface DimIndex {
  /** Items not keyed in this dimension, ascending (NO_IDS while there is none). */
  wide: number[];
  buckets: Map<number | string, Bucket>;
  /**
   * The keys of buckets, in insertion order (walked without a Map iterator, which allocates per entry);
   * kept only for the protocol dimension, the one a query walks (a per-address chain has 100k keys).
   */
  keys: (number | string)[] | undefined;
}

/**
 * Shared by the dimensions not written yet, never written themselves: most sub-indexes of an index
 * stay empty (an index is built per chain evaluation — thousands on a ruleset of many small chains —
 * and each has sixteen), so their map and list are made on the first item.
 */
const NO_BUCKETS: Map<number | string, Bucket> = new Map();
const NO_IDS: number[] = [];

function newDim(walk = false): DimIndex {
  return { wide: NO_IDS, buckets: NO_BUCKETS, keys: walk ? [] : undefined };
}

function pushWide(dim: DimIndex, id: number): void {
  if (dim.wide === NO_IDS) dim.wide = [id];
  else dim.wide.push(id);
}

/** The top-level dimensions of a CubeIndex (only the protocol's keys are walked). */
function newDims(): DimIndex[] {
  return [newDim(), newDim(), newDim(), newDim(true)];
}

function put(dim: DimIndex, k: Keys, id: number): void {
  if (!k) {
    pushWide(dim, id);
    return;
  }
  if (dim.buckets === NO_BUCKETS) dim.buckets = new Map();
  for (let i = 0; i < k.length; i++) {
    const key = k[i]!;
    const b = dim.buckets.get(key);
    if (b === undefined) {
      dim.buckets.set(key, id);
      dim.keys?.push(key);
    } else if (typeof b === 'number') dim.buckets.set(key, [b, id]);
    else b.push(id);
  }
}

function bucketSize(b: Bucket | undefined): number {
  return b === undefined ? 0 : typeof b === 'number' ? 1 : b.length;
}

function keyedCost(dim: DimIndex, k: readonly (number | string)[]): number {
  let n = 0;
  for (let i = 0; i < k.length; i++) n += bucketSize(dim.buckets.get(k[i]!));
  return n;
}

/**
 * Items with a cube, indexed by destination port, source and destination
 * blocks: a query walks the cheapest dimension only (the items not small there,
 * plus the buckets of the query's keys), so long chains of per-address or
 * per-port rules do not make every step scan everything.
 *
 * Removal only forgets the item: its ids stay in the lists, skipped by queries, until the
 * dead outnumber the living and the lists are built again from the living (in id order, so
 * a query still meets ids in ascending order per list). Lists of plain numbers instead of
 * sets: an index over the holes of a 100k-rule chain is a few arrays, not 200k sets.
 */
export interface CubeIndexOptions {
  /**
   * Build the sub-indexes of a dimension only once an item is keyed in it. While every item is
   * wide in d (no destination address in a chain of per-source rules), sub[d][e] would hold the
   * same ids as dims[e]: choosing d then narrows nothing that e does not. A query's cheapest
   * dimension, and so the order of its answer, can differ from a full index's: for callers that
   * sort what they find.
   */
  lean?: boolean;
  /** Do not index protocols (every item has the same one or two: the classes of a hole log). */
  noProto?: boolean;
  /**
   * The items are the cubes themselves (T must then be a Cube): no wrapper object per item, for callers
   * that only want ids (a hole log's index holds 80k holes on iptables-host-100k: 2.6 MB of wrappers).
   */
  bare?: boolean;
}

/** queryAll finds the one live item of an index by a scan of at most this many ids (more: the index answers). */
const SOLO_SCAN = 64;

export class CubeIndex<T extends { c: Cube } | Cube> {
  /** The items by id, the first `count` (room may be reserved beyond: see reserve). */
  private items: (T | undefined)[] = [];
  private count = 0;
  private readonly bare: boolean;
  /** lean: keyed[d] once an item is keyed in dimension d (its sub-indexes are kept from then on). */
  private keyed: boolean[] = [false, false, false, false];
  private readonly lean: boolean;
  /** The dimensions indexed: DIMS, or PROTO_DIM without protocols (the protocol is the last). */
  private readonly nd: number;
  private dims: DimIndex[] = newDims();
  /**
   * sub[d][e]: the items wide in dimension d, indexed by dimension e — so that a query that
   * narrows on d does not test every item that is wide there (the jump rules of a long INPUT
   * chain are wide in the source but keyed by their port).
   */
  private sub: DimIndex[][] = this.newSub();
  private live = 0;
  private dead = 0;
  /** The id of the one live item while there is one and it is known, else -1 (see queryAll). */
  private solo = -1;
  /** reported[id] === epoch: id is already in the list of the current query (lists need no set). */
  private reported: number[] = [];
  private epoch = 0;

  constructor(options?: CubeIndexOptions) {
    this.lean = options?.lean ?? false;
    this.nd = options?.noProto ? PROTO_DIM : DIMS;
    this.bare = options?.bare ?? false;
  }

  private cubeOf(it: T): Cube {
    return this.bare ? (it as Cube) : (it as { c: Cube }).c;
  }

  private newSub(): DimIndex[][] {
    return [0, 1, 2, 3].map(() => [newDim(), newDim(), newDim(), newDim()]);
  }

  get size(): number {
    return this.live;
  }

  add(item: T): number {
    const id = this.count++;
    this.items[id] = item;
    this.reported[id] = 0;
    this.index(id, this.cubeOf(item));
    this.live++;
    this.solo = this.live === 1 ? id : -1;
    return id;
  }

  private index(id: number, c: Cube): void {
    const ks = cubeKeys(c, indexKeys);
    const nd = this.nd;
    for (let d = 0; d < nd; d++) {
      const k = ks[d];
      if (!k) {
        // lean, no item keyed in d yet: every item is wide in d, and not listed (a list of all ids,
        // 80k in a hole log of per-source rules, that no query would choose); fillSub lists them
        if (this.lean && !this.keyed[d]) continue;
        pushWide(this.dims[d]!, id);
        if (this.keyed[d] || !this.lean) for (let e = 0; e < nd; e++) if (e !== d) put(this.sub[d]![e]!, ks[e], id);
      } else {
        if (!this.keyed[d]) {
          this.keyed[d] = true;
          // lean: the first item keyed in d; the items so far (all wide in d) enter its sub-indexes (ascending)
          if (this.lean) this.fillSub(d, id);
        }
        put(this.dims[d]!, k, id);
      }
    }
  }

  /** lean: the live items below id, all wide in d (not listed so far), listed as such and put in d's sub-indexes. */
  private fillSub(d: number, id: number): void {
    let wide = NO_IDS;
    for (let i = 0; i < id; i++) {
      const it = this.items[i];
      if (!it) continue;
      if (wide === NO_IDS) wide = [];
      wide.push(i);
      const ks = cubeKeys(this.cubeOf(it), fillKeys);
      for (let e = 0; e < this.nd; e++) if (e !== d) put(this.sub[d]![e]!, ks[e], i);
    }
    this.dims[d]!.wide = wide;
  }

  remove(id: number): void {
    if (this.items[id] === undefined) return;
    this.items[id] = undefined;
    this.live--;
    this.dead++;
    this.solo = -1;
    if (this.dead > this.live + 64) {
      this.dims = newDims();
      this.sub = this.newSub();
      this.keyed = [false, false, false, false];
      for (let i = 0; i < this.count; i++) {
        const it = this.items[i];
        if (it) this.index(i, this.cubeOf(it));
      }
      this.dead = 0;
    }
  }

  /**
   * Room for n items in all, for a caller that knows it will add them: added one by one, the lists by id grow
   * by halves, each step a dead copy (in large-object space past 16k items) that only a full GC frees.
   */
  reserve(n: number): void {
    if (n <= this.items.length) return;
    this.items = withRoom(this.items, this.count, n, undefined);
    this.reported = withRoom(this.reported, this.count, n, 0);
  }

  get(id: number): T | undefined {
    return this.items[id];
  }

  /** Replace a live item by one with the same cube (no re-indexing). */
  set(id: number, item: T): void {
    this.items[id] = item;
  }

  /**
   * Ids of items whose cube overlaps q (each once). With maxCost: when even the most
   * selective dimension would test more items than that, nothing is done and false is
   * returned (the caller scans in its own cheaper way).
   * `out` is a set (ids already in it are not reported again), or a list: then the ids
   * are appended in the order found, each once per call of query or queryAll.
   */
  query(q: Cube, out: Set<number> | number[], maxCost = Infinity): boolean {
    if (Array.isArray(out)) this.epoch++;
    return this.find(q, out, maxCost);
  }

  /** query for each of qs into one list, each id once. */
  queryAll(qs: readonly Cube[], out: number[]): void {
    this.epoch++;
    if (this.live === 1 && (this.solo >= 0 || this.count <= SOLO_SCAN)) {
      // one item (a user chain's flow while no rule has split it: most rules of a long chain are asked of one flow):
      // tested directly — the keys of each query and the costs of every dimension were most of such a query's time
      const id = this.soloId();
      const c = this.cubeOf(this.items[id]!);
      for (let i = 0; i < qs.length; i++)
        if (cubesOverlap(c, qs[i]!)) {
          this.reported[id] = this.epoch;
          out.push(id);
          return;
        }
      return;
    }
    for (const q of qs) this.find(q, out, Infinity);
  }

  /** The id of the one live item (live === 1): remembered, or found among the ids (at most SOLO_SCAN of them). */
  private soloId(): number {
    if (this.solo < 0)
      for (let i = 0; i < this.count; i++)
        if (this.items[i] !== undefined) {
          this.solo = i;
          break;
        }
    return this.solo;
  }

  private find(q: Cube, out: Set<number> | number[], maxCost: number): boolean {
    const qk = cubeKeys(q, queryKeys);
    let best = -1;
    let bestSub = -1;
    let bestCost = this.live + this.dead;
    const nd = this.nd;
    for (let d = 0; d < nd; d++) {
      // (lean, no item keyed in d: all are wide in d — no better than no index)
      if (this.lean && !this.keyed[d]) continue;
      const k = qk[d];
      const dim = this.dims[d]!;
      let cost = 0;
      if (d === PROTO_DIM && !k) {
        const keys = dim.keys!;
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i] as number;
          if (q.proto.has(key)) cost += bucketSize(dim.buckets.get(key));
        }
      } else if (!k) continue;
      else cost = keyedCost(dim, k);
      // the items wide in d: all of them, or those a second dimension keeps
      let wide = dim.wide.length;
      let via = -1;
      // (lean: no sub-index of d before an item is keyed in d)
      const subs = !this.lean || this.keyed[d];
      for (let e = 0; e < nd && wide > 0 && subs; e++) {
        const ke = qk[e];
        if (e === d || !ke) continue;
        const se = this.sub[d]![e]!;
        const c = se.wide.length + keyedCost(se, ke);
        if (c < wide) {
          wide = c;
          via = e;
        }
      }
      cost += wide;
      if (cost < bestCost) {
        bestCost = cost;
        best = d;
        bestSub = via;
      }
    }
    if (bestCost > maxCost) return false;
    if (best < 0) {
      for (let id = 0; id < this.count; id++) this.visit(id, q, out);
      return true;
    }
    const dim = this.dims[best]!;
    if (bestSub < 0) this.visitAll(dim.wide, q, out);
    else {
      const se = this.sub[best]![bestSub]!;
      this.visitAll(se.wide, q, out);
      const ks = qk[bestSub]!;
      for (let i = 0; i < ks.length; i++) this.visitAll(se.buckets.get(ks[i]!), q, out);
    }
    if (best === PROTO_DIM && !qk[best]) {
      const keys = dim.keys!;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as number;
        if (q.proto.has(key)) this.visitAll(dim.buckets.get(key), q, out);
      }
      return true;
    }
    const ks = qk[best]!;
    for (let i = 0; i < ks.length; i++) this.visitAll(dim.buckets.get(ks[i]!), q, out);
    return true;
  }

  /** Report id when its item is live, overlaps q and was not reported yet. */
  private visit(id: number, q: Cube, out: Set<number> | number[]): void {
    const it = this.items[id];
    if (it === undefined) return;
    if (Array.isArray(out)) {
      if (this.reported[id] === this.epoch || !cubesOverlap(this.cubeOf(it), q)) return;
      this.reported[id] = this.epoch;
      out.push(id);
    } else if (!out.has(id) && cubesOverlap(this.cubeOf(it), q)) out.add(id);
  }

  private visitAll(b: Bucket | undefined, q: Cube, out: Set<number> | number[]): void {
    if (b === undefined) return;
    if (typeof b === 'number') this.visit(b, q, out);
    else for (let i = 0; i < b.length; i++) this.visit(b[i]!, q, out);
  }

  values(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) {
      const it = this.items[i];
      if (it) out.push(it);
    }
    return out;
  }
}
