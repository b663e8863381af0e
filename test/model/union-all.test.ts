import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AddrSet, IntervalSet } from '../../src/model/index.js';

const setArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 12 })), { maxLength: 6 })
  .map((rs) => IntervalSet.fromRanges(rs.map(([lo, len]) => [lo, lo + len] as const)));
const set6Arb = fc
  .array(fc.tuple(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: 9n })), { maxLength: 4 })
  .map((rs) => IntervalSet.fromRanges(rs.map(([lo, len]) => [lo, lo + len] as const)));

describe('unionAll', () => {
  test('IntervalSet.unionAll = union folded over the list', () => {
    fc.assert(
      fc.property(fc.array(setArb, { maxLength: 12 }), (sets) => {
        const folded = sets.reduce((a, b) => a.union(b), IntervalSet.empty<number>());
        expect(IntervalSet.unionAll(sets).bounds).toEqual(folded.bounds);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  test('AddrSet.unionAll = union folded over the list, both families', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(setArb, set6Arb), { maxLength: 8 }), (pairs) => {
        const sets = pairs.map(([v4, v6]) => new AddrSet(v4, v6));
        const folded = sets.reduce((a, b) => a.union(b), AddrSet.EMPTY);
        const got = AddrSet.unionAll(sets);
        expect(got.v4.bounds).toEqual(folded.v4.bounds);
        expect(got.v6.bounds).toEqual(folded.v6.bounds);
      }),
      { numRuns: 1000, seed: 4 },
    );
  });

  test('many port sets (the per-port sweep, from 4096 bounds on) = union folded over the list, also past 65536', () => {
    const portsArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 1, max: 3000 })), { minLength: 1, maxLength: 4 })
      .map((rs) => IntervalSet.fromRanges(rs.map(([lo, len]) => [lo, Math.min(65536, lo + len)] as const)));
    const beyond = IntervalSet.range(65530, 70000);
    fc.assert(
      fc.property(fc.array(portsArb, { minLength: 1200, maxLength: 1800 }), fc.boolean(), (sets, past) => {
        const list = past ? [...sets, beyond] : sets;
        const folded = list.reduce((a, b) => a.union(b), IntervalSet.empty<number>());
        expect(IntervalSet.unionAll(list).bounds).toEqual(folded.bounds);
      }),
      { numRuns: 60, seed: 5 },
    );
    // both sides of the threshold (2046 sets and the nested one: 4094 bounds), touching and nested intervals: one [0, 10n)
    for (const n of [100, 2046, 2047, 5000]) {
      const sets = Array.from({ length: n }, (_, i) => IntervalSet.range(i * 10, i * 10 + 10));
      expect(IntervalSet.unionAll([...sets, IntervalSet.range(5, 8)]).bounds).toEqual([0, n * 10]);
    }
  });

  test('a list of one set, or of one set repeated, gives that set itself', () => {
    const a = IntervalSet.range(3, 9);
    expect(IntervalSet.unionAll([a])).toBe(a);
    expect(IntervalSet.unionAll([a, IntervalSet.empty(), a])).toBe(a);
    expect(IntervalSet.unionAll<number>([]).isEmpty).toBe(true);
  });
});
