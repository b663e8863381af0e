/**
 * Random cubes for the index tests (point-index, box-index): over few values, so that cubes share
 * boundaries, touch and nest; and the oracles' helpers.
 */
import fc from 'fast-check';
import { AddrSet, IntervalSet } from '../../src/model/index.js';
import type { Cube } from '../../src/analysis/cube.js';

const V4_END = 2 ** 32;
const V6_END = 1n << 128n;

/** An interval set over [0, end) from a few cut points (in units of `step`). */
export function ivArb(end: number, step: number): fc.Arbitrary<IntervalSet<number>> {
  return fc.oneof(
    fc.constant(IntervalSet.range(0, end)),
    fc.uniqueArray(fc.integer({ min: 0, max: Math.floor(end / step) }), { minLength: 1, maxLength: 6 }).map((cuts) => {
      const c = [...cuts].sort((x, y) => x - y).map((x) => Math.min(end, x * step));
      const b: number[] = [];
      for (let i = 0; i + 1 < c.length; i += 2) if (c[i + 1]! > c[i]!) b.push(c[i]!, c[i + 1]!);
      if (c.length % 2 === 1 && c[c.length - 1]! < end) b.push(c[c.length - 1]!, end);
      return IntervalSet.fromRanges(Array.from({ length: b.length / 2 }, (_, i) => [b[2 * i]!, b[2 * i + 1]!] as const));
    }),
  );
}

export const v6Arb: fc.Arbitrary<IntervalSet<bigint>> = fc.oneof(
  fc.constant(IntervalSet.range(0n, V6_END)),
  fc.constant(IntervalSet.empty<bigint>()),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 16 })).map(([a, n]) => IntervalSet.range(BigInt(a) << 124n, BigInt(Math.min(16, a + n)) << 124n)),
);

export const maskArb = (bits: number): fc.Arbitrary<bigint> => fc.integer({ min: 0, max: 2 ** bits - 1 }).map(BigInt);

export const cubeArb: fc.Arbitrary<Cube> = fc
  .record({
    proto: ivArb(256, 1),
    iif: maskArb(5),
    oif: maskArb(3),
    ct: fc.integer({ min: 0, max: 1023 }),
    icmp: ivArb(65536, 4096),
    dport: ivArb(65536, 1024),
    sport: ivArb(65536, 8192),
    dst4: ivArb(V4_END, 2 ** 28),
    dst6: v6Arb,
    src4: ivArb(V4_END, 2 ** 28),
    src6: v6Arb,
    fromAddr: fc.boolean(),
    sprin: maskArb(3),
  })
  .map((r) => ({
    proto: r.proto,
    iif: r.iif,
    oif: r.oif,
    ct: r.ct,
    icmp: r.icmp,
    dport: r.dport,
    sport: r.sport,
    dst: new AddrSet(r.dst4, r.dst6),
    src: r.fromAddr ? new AddrSet(r.src4, r.src6) : AddrSet.EMPTY,
    sprin: r.fromAddr ? 0n : r.sprin,
  }));

/** Cubes as a host chain has them: mostly one port and one address (narrow), some as cubeArb makes them (wide). */
export const hostCubeArb: fc.Arbitrary<Cube> = fc
  .tuple(cubeArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }))
  .map(([c, kind, port, host]) => {
    if (kind === 0) return c;
    const src = new AddrSet(IntervalSet.range(host * 2 ** 26, host * 2 ** 26 + (kind === 3 ? 4 : 1)), IntervalSet.empty());
    return { ...c, dport: IntervalSet.range(port * 1024, port * 1024 + kind), src: kind === 1 ? c.src : src, sprin: kind === 1 ? c.sprin : 0n };
  });

/**
 * Cubes as the BoxIndex files them: with some dimensions narrow (within one of its blocks of keys:
 * 2^24 IPv4 addresses, 2^120 IPv6 ones, 256 ports), some just across a block's end, principals,
 * several kinds of source at once; the rest as cubeArb makes them.
 */
export const boxCubeArb: fc.Arbitrary<Cube> = fc
  .tuple(cubeArb, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 127, 128, 254, 255), fc.constantFrom(0, 1, 2 ** 23, 2 ** 24 - 1), fc.constantFrom(1, 2, 256, 2 ** 24))
  .map(([c, srcKind, dstKind, portKind, block, off, len]) => {
    const v4 = (): IntervalSet<number> => IntervalSet.range(block * 2 ** 24 + off, Math.min(V4_END, block * 2 ** 24 + off + len));
    const v6 = (): IntervalSet<bigint> => IntervalSet.range((BigInt(block) << 120n) + BigInt(off), (BigInt(block) << 120n) + BigInt(off) + (BigInt(len) << 96n));
    const none = IntervalSet.empty<number>();
    const none6 = IntervalSet.empty<bigint>();
    let { src, sprin, dst, dport } = c;
    if (srcKind === 1) [src, sprin] = [new AddrSet(v4(), none6), 0n];
    else if (srcKind === 2) [src, sprin] = [new AddrSet(none, v6()), 0n];
    else if (srcKind === 3) [src, sprin] = [AddrSet.EMPTY, BigInt(len === 1 ? 1 : 6)];
    else if (srcKind === 4) [src, sprin] = [new AddrSet(v4(), v6()), 0n];
    else if (srcKind === 5) sprin = 2n;
    if (dstKind === 1) dst = new AddrSet(v4(), none6);
    else if (dstKind === 2) dst = new AddrSet(none, v6());
    const port = (block * 257 + off) % 65536;
    if (portKind === 1) dport = IntervalSet.range(port, port + 1);
    else if (portKind === 2) dport = IntervalSet.range(port, Math.min(65536, port + (len === 256 ? 256 : len === 1 ? 1 : 300)));
    return { ...c, src, sprin, dst, dport };
  });

/** The first cube before limit for which holds() is true, or -1 (the oracle of the first-cube queries). */
export function scan(cubes: readonly Cube[], limit: number, holds: (c: Cube) => boolean): number {
  for (let j = 0; j < Math.min(limit, cubes.length); j++) if (holds(cubes[j]!)) return j;
  return -1;
}

/** The corner of q as a one-packet cube (what shadow.ts's witness search queries with). */
export function cornerCube(q: Cube): Cube {
  const one = <T extends number | bigint>(s: IntervalSet<T>): IntervalSet<T> => {
    const lo = s.bounds[0]!;
    return IntervalSet.fromBounds([lo, (typeof lo === 'bigint' ? lo + 1n : (lo as number) + 1) as T]);
  };
  const addr = (a: AddrSet) => (a.v4.isEmpty ? new AddrSet(IntervalSet.empty(), one(a.v6)) : new AddrSet(one(a.v4), IntervalSet.empty()));
  const fromAddr = !q.src.isEmpty;
  return {
    proto: one(q.proto),
    iif: q.iif & -q.iif,
    oif: q.oif & -q.oif,
    ct: q.ct & -q.ct,
    icmp: one(q.icmp),
    dport: one(q.dport),
    sport: one(q.sport),
    dst: addr(q.dst),
    src: fromAddr ? addr(q.src) : AddrSet.EMPTY,
    sprin: fromAddr ? 0n : q.sprin & -q.sprin,
  };
}
