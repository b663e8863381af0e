/**
 * BoxIndex gives the PointIndex's answers (firstAtCorner, overlapping) by scanning its lists of
 * rows. Oracles: a linear scan with cubesOverlap (against the corner as a one-packet cube), and the
 * PointIndex itself, on random cubes filed in every list (narrow in each dimension, of each kind
 * of key, across a block's end) and wide ones.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AddrSet, IntervalSet } from '../../src/model/index.js';
import { cubeIsEmpty, cubesOverlap, type Cube } from '../../src/analysis/cube.js';
import { BoxIndex, EMPTY_ROW } from '../../src/analysis/box-index.js';
import { PointIndex } from '../../src/analysis/point-index.js';
import { boxCubeArb, cornerCube, cubeArb, scan } from './cube-arbs.js';

const anyCubeArb = fc.oneof(boxCubeArb, cubeArb);

describe('BoxIndex', () => {
  test("firstAtCorner = PointIndex's = the first cube before limit that overlaps the corner as a one-packet cube", () => {
    fc.assert(
      fc.property(fc.array(anyCubeArb, { maxLength: 90 }), fc.array(anyCubeArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 100 }), (cubes, qs, limit) => {
        const idx = new BoxIndex(cubes);
        const pidx = new PointIndex(cubes);
        for (const q of [...qs, ...cubes.slice(0, 10)]) {
          if (cubeIsEmpty(q)) continue;
          const w = cornerCube(q);
          const want = scan(cubes, limit, (c) => cubesOverlap(c, w));
          expect(idx.firstAtCorner(q, limit)).toBe(want);
          expect(pidx.firstAtCorner(q, limit)).toBe(want);
        }
      }),
      { numRuns: 500, seed: 1761 },
    );
  });

  test("overlapping(q, limit) = PointIndex's = every cube below limit that overlaps q, in order, appended", () => {
    fc.assert(
      fc.property(fc.array(anyCubeArb, { maxLength: 90 }), fc.array(fc.tuple(anyCubeArb, fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 6 }), (cubes, queries) => {
        const idx = new BoxIndex(cubes);
        const pidx = new PointIndex(cubes);
        for (const [q, limit] of [...queries, ...cubes.slice(0, 6).map((c) => [c, 100] as const)]) {
          const got: number[] = [7];
          idx.overlapping(q, limit, got);
          const fromPoints: number[] = [7];
          pidx.overlapping(q, limit, fromPoints);
          expect(got).toEqual([7, ...cubes.map((_, j) => j).filter((j) => j < limit && cubesOverlap(cubes[j]!, q))]);
          expect(got).toEqual(fromPoints);
        }
      }),
      { numRuns: 400, seed: 1762 },
    );
  });

  test('one index cleared and filled chain after chain (add, or stage then addStaged): each answers right until cleared, its rows tagged', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyCubeArb, { maxLength: 60 }), { minLength: 1, maxLength: 4 }), fc.array(anyCubeArb, { minLength: 1, maxLength: 5 }), (chains, qs) => {
        const idx = new BoxIndex();
        for (const cubes of chains) {
          idx.clear();
          cubes.forEach((c, j) => {
            if (j % 2 === 0) idx.add(c, j);
            else {
              // the staged row is the query's when its keys are its corner's
              const st = idx.stage(c);
              if (st !== EMPTY_ROW) expect(idx.firstAtStaged(c, st, j)).toBe(scan(cubes, j, (e) => cubesOverlap(e, cornerCube(c))));
              else expect(cubeIsEmpty(c)).toBe(true);
              idx.addStaged(c, j);
            }
          });
          expect(idx.size).toBe(cubes.length);
          expect([...idx.tags.subarray(0, cubes.length)]).toEqual(cubes.map((_, j) => j));
          for (const q of [...qs, ...cubes.slice(0, 5)]) {
            if (cubeIsEmpty(q)) continue;
            const w = cornerCube(q);
            expect(idx.firstAtCorner(q, cubes.length)).toBe(scan(cubes, cubes.length, (c) => cubesOverlap(c, w)));
          }
        }
      }),
      { numRuns: 200, seed: 1763 },
    );
  });

  test('a narrow row is found in its list, a wide one in the wide list, the earlier one wins', () => {
    const U = { proto: IntervalSet.range(0, 256), iif: 1n, oif: 1n, ct: 1, icmp: IntervalSet.range(0, 65536), sport: IntervalSet.range(0, 65536), dport: IntervalSet.range(0, 65536), dst: AddrSet.ALL_V4, sprin: 0n };
    const src = (lo: number, hi: number): Cube => ({ ...U, src: new AddrSet(IntervalSet.range(lo, hi), IntervalSet.empty()) });
    const B = 2 ** 24;
    // 0: the block 10.0.0.0/8, 1: the whole space (wide), 2: a host in 10/8, 3: a range across 10/8's end (wide), 4: the last block, to 2^32
    const cubes = [src(10 * B, 11 * B), src(0, 2 ** 32), src(10 * B + 5, 10 * B + 6), src(11 * B - 1, 11 * B + 1), src(255 * B, 2 ** 32)];
    const idx = new BoxIndex(cubes);
    expect(idx.firstAtCorner(src(10 * B + 5, 10 * B + 6), 5)).toBe(0);
    expect(idx.firstAtCorner(src(12 * B, 12 * B + 1), 5)).toBe(1);
    expect(idx.firstAtCorner(src(10 * B + 5, 10 * B + 6), 0)).toBe(-1);
    expect(new BoxIndex(cubes.slice(2)).firstAtCorner(src(10 * B + 5, 10 * B + 6), 3)).toBe(0);
    expect(new BoxIndex(cubes.slice(2)).firstAtCorner(src(11 * B, 11 * B + 1), 3)).toBe(1);
    expect(new BoxIndex(cubes.slice(2)).firstAtCorner(src(2 ** 32 - 1, 2 ** 32), 3)).toBe(2);
    expect(new BoxIndex(cubes.slice(2)).firstAtCorner(src(12 * B, 12 * B + 1), 3)).toBe(-1);
  });
});
