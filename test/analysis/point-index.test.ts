/**
 * PointIndex answers "the earliest cube before `limit` that holds this packet".
 * Oracle: a linear scan with cubeHas (and, for a cube's lowest corner, with
 * cubesOverlap against the corner as a one-packet cube), on random cubes over
 * few values so that cubes share boundaries, touch and nest.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AddrSet, IntervalSet } from '../../src/model/index.js';
import { cubeHas, cubeIsEmpty, cubesOverlap, intersectCube, type Cube, type Point } from '../../src/analysis/cube.js';
import { cornerKeys, cornerOf, holdsCorner, holdsKeys, indexPointOf, Keys, meetCornerKeys, PointIndex, StabIndex } from '../../src/analysis/point-index.js';
import { boxCubeArb, cornerCube, cubeArb, hostCubeArb, scan } from './cube-arbs.js';

const V4_END = 2 ** 32;

/** Points over the same few values (boundaries and their neighbours are what matters). */
const pointArb: fc.Arbitrary<{ p: Required<Point>; prin: boolean }> = fc
  .record({
    proto: fc.integer({ min: 0, max: 255 }),
    iif: fc.integer({ min: 0, max: 4 }),
    oif: fc.integer({ min: 0, max: 2 }),
    ct: fc.integer({ min: 0, max: 9 }),
    icmp: fc.integer({ min: 0, max: 16 }).map((x) => Math.min(65535, x * 4096 - (x % 2))),
    dport: fc.integer({ min: 0, max: 64 }).map((x) => Math.min(65535, x * 1024 - (x % 3 === 1 ? 1 : 0))),
    sport: fc.integer({ min: 0, max: 65535 }),
    v6: fc.boolean(),
    dst: fc.integer({ min: 0, max: 16 }),
    src: fc.integer({ min: 0, max: 16 }),
    prin: fc.boolean(),
    sprin: fc.integer({ min: 0, max: 2 }),
  })
  .map((r) => {
    const addr = (x: number): number | bigint => (r.v6 ? (BigInt(Math.min(15, x)) << 124n) + BigInt(x % 2) : Math.min(V4_END - 1, x * 2 ** 28 - (x % 2)));
    return {
      prin: r.prin,
      p: {
        proto: r.proto,
        iif: 1n << BigInt(r.iif),
        oif: 1n << BigInt(r.oif),
        ct: 1 << r.ct,
        icmp: Math.max(0, r.icmp),
        dport: Math.max(0, r.dport),
        sport: r.sport,
        dst: addr(r.dst),
        src: addr(r.src),
        sprin: 1n << BigInt(r.sprin),
        family: r.v6 ? 'ipv6' : 'ipv4',
      } as Required<Point>,
    };
  });

/** A packet as cubeHas reads it: the principal decides the source when given. */
function asPoint(p: Required<Point>, prin: boolean): Point {
  const { sprin, ...rest } = p;
  return prin ? p : { ...rest };
}

describe('PointIndex', () => {
  test('first(point, limit) = the first cube before limit that holds the point (every checkpoint stride)', () => {
    fc.assert(
      fc.property(
        fc.array(cubeArb, { maxLength: 70 }),
        fc.array(pointArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (cubes, points, limits, strideLog2) => {
          const idx = new PointIndex(cubes, { strideLog2 });
          for (const { p, prin } of points)
            for (const limit of limits) {
              expect(idx.first(indexPointOf(p, prin), limit)).toBe(scan(cubes, limit, (c) => cubeHas(c, asPoint(p, prin))));
            }
        },
      ),
      { numRuns: 300, seed: 1768 },
    );
  });

  test('dimensions where every cube spans the same extent (nothing stored) answer like the others', () => {
    const ports = IntervalSet.range(0, 65536);
    fc.assert(
      fc.property(fc.array(cubeArb, { minLength: 1, maxLength: 70 }), fc.array(pointArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 80 }), (cubes0, points, limit) => {
        const cubes = cubes0.map((c) => ({ ...c, sport: ports, icmp: IntervalSet.range(4096, 8192), iif: 0b11110n, dst: new AddrSet(c.dst.v4, IntervalSet.range(0n, 1n << 127n)) }));
        const idx = new PointIndex(cubes);
        for (const { p, prin } of points) expect(idx.first(indexPointOf(p, prin), limit)).toBe(scan(cubes, limit, (c) => cubeHas(c, asPoint(p, prin))));
        for (const q of cubes0.slice(0, 5)) {
          let want = -1;
          for (let j = 0; j < Math.min(limit, cubes.length); j++)
            if (cubesOverlap(cubes[j]!, q)) {
              want = j;
              break;
            }
          expect(idx.firstOverlapping(q, 0, limit)).toBe(want);
        }
      }),
      { numRuns: 200, seed: 1765 },
    );
  });

  test("a cube's corner: the first cube that overlaps it as a one-packet cube", () => {
    fc.assert(
      fc.property(fc.array(cubeArb, { maxLength: 70 }), fc.array(cubeArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 80 }), (cubes, qs, limit) => {
        const idx = new PointIndex(cubes);
        for (const q of qs) {
          if (cubeIsEmpty(q)) continue;
          const w = cornerCube(q);
          expect(cubesOverlap(q, w)).toBe(true);
          const want = scan(cubes, limit, (c) => cubesOverlap(c, w));
          expect(idx.first(cornerOf(q), limit)).toBe(want);
          expect(idx.firstAtCorner(q, limit)).toBe(want);
        }
      }),
      { numRuns: 300, seed: 1761 },
    );
  });

  test('firstOverlapping(q, from, limit) = the first cube in [from, limit) that overlaps q; overlapping = all below limit', () => {
    fc.assert(
      fc.property(
        fc.array(cubeArb, { maxLength: 80 }),
        fc.array(fc.tuple(cubeArb, fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 90 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3 }),
        (cubes, queries, strideLog2) => {
          const idx = new PointIndex(cubes, { strideLog2 });
          for (const [q, from, limit] of queries) {
            let want = -1;
            for (let j = from; j < Math.min(limit, cubes.length); j++)
              if (cubesOverlap(cubes[j]!, q)) {
                want = j;
                break;
              }
            expect(idx.firstOverlapping(q, from, limit)).toBe(want);
            const all: number[] = [];
            idx.overlapping(q, limit, all);
            expect(all).toEqual(cubes.map((_, j) => j).filter((j) => j < limit && cubesOverlap(cubes[j]!, q)));
          }
        },
      ),
      { numRuns: 300, seed: 22 },
    );
  });

  test('more than 32 cubes: bits in later words, limits inside a word', () => {
    const U = { proto: IntervalSet.range(0, 256), iif: 1n, oif: 1n, ct: 1, icmp: IntervalSet.range(0, 65536), sport: IntervalSet.range(0, 65536), dst: AddrSet.ALL_V4, src: AddrSet.ALL_V4, sprin: 0n };
    const cubes: Cube[] = Array.from({ length: 100 }, (_, i) => ({ ...U, dport: IntervalSet.range(i, 100) }));
    const idx = new PointIndex(cubes);
    const at = (port: number) => ({ ...cornerOf(cubes[0]!), dport: port });
    expect(idx.first(at(70), 100)).toBe(0);
    expect(idx.first(at(70), 0)).toBe(-1);
    expect(new PointIndex(cubes.slice().reverse()).first(at(70), 100)).toBe(29);
    expect(new PointIndex(cubes.slice().reverse()).first(at(70), 29)).toBe(-1);
    expect(new PointIndex(cubes.slice().reverse()).first(at(99), 100)).toBe(0);
    expect(idx.first(at(100), 100)).toBe(-1);
  });

  test('firstAtCorner with few candidates left after the addresses, in several words: each checked in order on every dimension', () => {
    const U = { proto: IntervalSet.range(0, 256), iif: 1n, oif: 1n, ct: 1, icmp: IntervalSet.range(0, 65536), sport: IntervalSet.range(0, 65536), dport: IntervalSet.range(0, 65536), dst: AddrSet.ALL_V4, sprin: 0n };
    const host = (h: number) => new AddrSet(IntervalSet.range(h, h + 1), IntervalSet.empty());
    // cubes 5, 40 and 70 hold source 7 (three words apart); 5 only for TCP, 40 only on port 22, 70 for all
    const cubes: Cube[] = Array.from({ length: 100 }, (_, i) => ({ ...U, src: host(1000 + i) }));
    cubes[5] = { ...U, src: host(7), proto: IntervalSet.range(6, 7) };
    cubes[40] = { ...U, src: host(7), dport: IntervalSet.range(22, 23) };
    cubes[70] = { ...U, src: host(7) };
    const idx = new PointIndex(cubes);
    const q = (proto: number, dport: number): Cube => ({ ...U, src: host(7), proto: IntervalSet.range(proto, proto + 1), dport: IntervalSet.range(dport, 65536) });
    expect(idx.firstAtCorner(q(6, 80), 100)).toBe(5);
    expect(idx.firstAtCorner(q(17, 22), 100)).toBe(40);
    expect(idx.firstAtCorner(q(17, 80), 100)).toBe(70);
    expect(idx.firstAtCorner(q(17, 80), 70)).toBe(-1);
    expect(idx.firstAtCorner(q(17, 22), 40)).toBe(-1);
    expect(idx.firstAtCorner({ ...q(17, 80), src: host(8) }, 100)).toBe(-1);
  });
});

describe('long dimensions', () => {
  test('a dimension with more values than the shared build buffer holds (it grows, keeping what it held)', () => {
    const U = { proto: IntervalSet.range(6, 7), iif: 1n, oif: 1n, ct: 1, icmp: IntervalSet.range(0, 65536), sport: IntervalSet.range(0, 65536), dst: AddrSet.ALL_V4, src: AddrSet.ALL_V4, sprin: 0n };
    // 3000 cubes of two ports each: 12000 dport values (the buffer starts at 4096)
    const cubes: Cube[] = Array.from({ length: 3000 }, (_, j) => ({ ...U, dport: IntervalSet.fromRanges([[j, j + 1] as const, [30000 + j, 30001 + j] as const]) }));
    const pt = (port: number): Cube => ({ ...U, dport: IntervalSet.range(port, port + 1) });
    for (const idx of [new PointIndex(cubes), new StabIndex(cubes)])
      for (const j of [0, 1, 500, 1023, 1024, 2047, 2999]) {
        expect(idx.firstAtCorner(pt(j), 3000)).toBe(j);
        expect(idx.firstAtCorner(pt(30000 + j), 3000)).toBe(j);
        expect(idx.firstAtCorner(pt(30000 + j), j)).toBe(-1);
      }
  });
});

describe('StabIndex', () => {
  test("firstAtCorner = PointIndex's: the first cube before limit that overlaps the corner as a one-packet cube", () => {
    fc.assert(
      fc.property(fc.array(hostCubeArb, { maxLength: 90 }), fc.array(hostCubeArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 100 }), fc.boolean(), (cubes, qs, limit, allBuilt) => {
        const idx = new StabIndex(cubes);
        // every dimension built (a query picks among all) or only those the queries build
        if (allBuilt) idx.worstRead();
        for (const q of [...qs, ...cubes.slice(0, 8)]) {
          if (cubeIsEmpty(q)) continue;
          const w = cornerCube(q);
          expect(idx.firstAtCorner(q, limit)).toBe(scan(cubes, limit, (c) => cubesOverlap(c, w)));
        }
      }),
      { numRuns: 300, seed: 1771 },
    );
  });

  test('overlapping(q, limit) = every cube below limit that overlaps q, in order', () => {
    fc.assert(
      fc.property(fc.array(hostCubeArb, { maxLength: 90 }), fc.array(fc.tuple(hostCubeArb, fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 6 }), fc.boolean(), (cubes, queries, allBuilt) => {
        const idx = new StabIndex(cubes);
        if (allBuilt) idx.worstRead();
        for (const [q, limit] of queries) {
          const all: number[] = [7];
          idx.overlapping(q, limit, all);
          expect(all).toEqual([7, ...cubes.map((_, j) => j).filter((j) => j < limit && cubesOverlap(cubes[j]!, q))]);
        }
      }),
      { numRuns: 300, seed: 1772 },
    );
  });

  test('readsAtMost(max) = worstRead() <= max (it builds fewer dimensions)', () => {
    fc.assert(
      fc.property(fc.array(hostCubeArb, { maxLength: 60 }), fc.integer({ min: -1, max: 70 }), (cubes, max) => {
        expect(new StabIndex(cubes).readsAtMost(max)).toBe(new StabIndex(cubes).worstRead() <= max);
      }),
      { numRuns: 300, seed: 1773 },
    );
  });

  test('wide and narrow cubes: a narrow cube is found under its value, a wide one from the wide list, the earlier one wins', () => {
    const U = { proto: IntervalSet.range(0, 256), iif: 1n, oif: 1n, ct: 1, icmp: IntervalSet.range(0, 65536), sport: IntervalSet.range(0, 65536), dst: AddrSet.ALL_V4, src: AddrSet.ALL_V4, sprin: 0n };
    const one = (port: number): Cube => ({ ...U, dport: IntervalSet.range(port, port + 1) });
    const cubes: Cube[] = [one(5), { ...U, dport: IntervalSet.range(0, 1000) }, one(7), one(5)];
    const idx = new StabIndex(cubes);
    // dport: one wide cube and at most two under a port; the other dimensions list all four under their one extent
    expect(idx.readsAtMost(2)).toBe(false);
    expect(idx.readsAtMost(3)).toBe(true);
    expect(idx.worstRead()).toBe(3);
    expect(idx.firstAtCorner(one(5), 4)).toBe(0);
    expect(idx.firstAtCorner(one(7), 4)).toBe(1);
    expect(idx.firstAtCorner(one(7), 1)).toBe(-1);
    expect(idx.firstAtCorner(one(2000), 4)).toBe(-1);
    const got: number[] = [];
    idx.overlapping({ ...U, dport: IntervalSet.range(5, 8) }, 4, got);
    expect(got).toEqual([0, 1, 2, 3]);
  });
});

describe('meetCornerKeys', () => {
  // masks past 32 bits too (the bigint branches), and cubes of addresses of mixed kinds
  const wideMasks = cubeArb.map((c) => ({ ...c, iif: (c.iif << 40n) | (c.iif & 1n), oif: c.oif << 33n, sprin: c.sprin << 35n }));
  const anyCube = fc.oneof(cubeArb, boxCubeArb, hostCubeArb, wideMasks);
  test('the lowest corner of a ∩ b without building it: none when a and b do not meet, else the packet of intersectCube(a, b)', () => {
    fc.assert(
      fc.property(anyCube, anyCube, fc.array(anyCube, { maxLength: 12 }), (a, b, cs) => {
        const k = new Keys();
        const x = intersectCube(a, b);
        expect(meetCornerKeys(a, b, k)).toBe(x !== undefined);
        if (x === undefined) return;
        const want = new Keys();
        cornerKeys(x, want);
        expect(k).toEqual(want);
        for (const c of [a, b, x, ...cs]) expect(holdsKeys(c, k)).toBe(holdsCorner(c, x));
      }),
      { numRuns: 1500, seed: 1764 },
    );
  });
});
