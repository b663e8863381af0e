import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddrSet, IntervalSet } from '../../src/model/index.js';

const V4_END = 2 ** 32;

function v4(...ranges: [number, number][]): AddrSet {
  return new AddrSet(IntervalSet.fromRanges(ranges), IntervalSet.empty());
}

describe('AddrSet.unionCoversAll', () => {
  it('answers as AddrSet.unionAll(...).coversAll for IPv4', () => {
    // bounds near the edges and near each other, so that holes of one address and touching intervals are drawn
    const bound = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: V4_END - 8, max: V4_END }), fc.integer({ min: 0, max: V4_END }));
    const set = fc.array(fc.tuple(bound, bound), { maxLength: 4 }).map((pairs) => v4(...pairs.map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number])));
    fc.assert(
      // few sets take the union; more than 64 the sweep: draw both
      fc.property(fc.oneof(fc.array(set, { maxLength: 6 }), fc.array(set, { minLength: 65, maxLength: 120 })), (sets) => {
        expect(AddrSet.unionCoversAll(sets, 'ipv4')).toBe(AddrSet.unionAll(sets).coversAll('ipv4'));
      }),
      { numRuns: 2000 },
    );
  });
  it('exact cases', () => {
    // more than 64 sets (the sweep): 100 tiles of the space cover it; without one tile they do not
    const tiles = Array.from({ length: 100 }, (_, k) => v4([Math.floor((k * V4_END) / 100), Math.floor(((k + 1) * V4_END) / 100)]));
    expect(AddrSet.unionCoversAll(tiles, 'ipv4')).toBe(true);
    expect(AddrSet.unionCoversAll([...tiles.slice(0, 40), ...tiles.slice(41)], 'ipv4')).toBe(false);
    expect(AddrSet.unionCoversAll(tiles.slice(1), 'ipv4')).toBe(false);
    expect(AddrSet.unionCoversAll(tiles.slice(0, 99), 'ipv4')).toBe(false);
    expect(AddrSet.unionCoversAll([], 'ipv4')).toBe(false);
    expect(AddrSet.unionCoversAll([AddrSet.ALL_V4], 'ipv4')).toBe(true);
    expect(AddrSet.unionCoversAll([v4([0, 2 ** 31]), v4([2 ** 31, V4_END])], 'ipv4')).toBe(true);
    // one address missing at either end, or between two halves
    expect(AddrSet.unionCoversAll([v4([1, V4_END])], 'ipv4')).toBe(false);
    expect(AddrSet.unionCoversAll([v4([0, V4_END - 1])], 'ipv4')).toBe(false);
    expect(AddrSet.unionCoversAll([v4([0, 2 ** 31]), v4([2 ** 31 + 1, V4_END])], 'ipv4')).toBe(false);
    // overlapping and nested
    expect(AddrSet.unionCoversAll([v4([0, 100], [50, 2 ** 31]), v4([10, 20]), v4([2 ** 30, V4_END])], 'ipv4')).toBe(true);
    expect(AddrSet.unionCoversAll([AddrSet.ALL_V6], 'ipv6')).toBe(true);
    expect(AddrSet.unionCoversAll([AddrSet.ALL_V4], 'ipv6')).toBe(false);
  });
});
