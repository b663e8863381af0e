import { describe, expect, it } from 'vitest';
import { AddrSet, IntervalSet, numSetOf, numSingle, parseCidr, PORT_UNIVERSE, protoSet } from '../../src/model/index.js';

describe('IntervalSet: one object per small set', () => {
  it('shares one-range and two-range sets within the port space', () => {
    const a = IntervalSet.range<number>(22, 23);
    expect(IntervalSet.range<number>(22, 23)).toBe(a);
    expect(numSingle(22)).toBe(a);
    expect(IntervalSet.fromBounds<number>([22, 23])).toBe(a);
    expect(a.bounds).toEqual([22, 23]);
    const two = numSetOf([[80, 80], [443, 443]]);
    expect(two.bounds).toEqual([80, 81, 443, 444]);
    expect(IntervalSet.fromBounds<number>([80, 81, 443, 444])).toBe(two);
    // an operation's result is not looked up (most are temporaries): equal, not the same object
    expect(IntervalSet.range<number>(80, 81).union(IntervalSet.range<number>(443, 444)).equals(two)).toBe(true);
    expect(IntervalSet.range<number>(0, 65536).equals(PORT_UNIVERSE)).toBe(true);
    // all protocols but tcp, as the compiled rules hold it many times (built from bounds)
    const notTcp = IntervalSet.fromBounds<number>([0, 6, 7, 256]);
    expect(IntervalSet.fromBounds<number>([0, 6, 7, 256])).toBe(notTcp);
    const derived = IntervalSet.range<number>(0, 256).subtract(protoSet(6));
    expect(derived.bounds).toEqual([0, 6, 7, 256]);
    expect(derived).not.toBe(notTcp);
  });

  it('does not share sets beyond the port space or of three ranges and more, and keeps their values', () => {
    const big = IntervalSet.range<number>(70000, 70001);
    expect(IntervalSet.range<number>(70000, 70001)).not.toBe(big);
    expect(IntervalSet.range<number>(70000, 70001).equals(big)).toBe(true);
    const three = IntervalSet.fromBounds<number>([1, 2, 3, 4, 5, 6]);
    expect(IntervalSet.fromBounds<number>([1, 2, 3, 4, 5, 6])).not.toBe(three);
    expect(three.bounds).toEqual([1, 2, 3, 4, 5, 6]);
    const v6 = IntervalSet.range(1n, 2n);
    expect(v6.bounds).toEqual([1n, 2n]);
  });

  it('gives every set built from values bounds of its own (copies of a scratch list, never the list itself)', () => {
    const wide = IntervalSet.range<number>(0x0a000000, 0x0b000000);
    const wide2 = IntervalSet.range<number>(0xc0a80000, 0xc0a90000);
    const small = IntervalSet.range<number>(1000, 2000);
    const small2 = IntervalSet.range<number>(3000, 4000);
    const pair = IntervalSet.fromBounds<number>([10, 20, 30, 40]);
    const pair2 = IntervalSet.fromBounds<number>([50, 60, 70, 80]);
    expect(wide.bounds).toEqual([0x0a000000, 0x0b000000]);
    expect(wide2.bounds).toEqual([0xc0a80000, 0xc0a90000]);
    expect(small.bounds).toEqual([1000, 2000]);
    expect(small2.bounds).toEqual([3000, 4000]);
    expect(pair.bounds).toEqual([10, 20, 30, 40]);
    expect(pair2.bounds).toEqual([50, 60, 70, 80]);
    expect(wide.bounds).not.toBe(wide2.bounds);
  });

  it('gives the one empty set for every empty result', () => {
    const e = IntervalSet.empty<number>();
    expect(IntervalSet.fromBounds<number>([])).toBe(e);
    expect(IntervalSet.range<number>(5, 5)).toBe(e);
    expect(IntervalSet.range<number>(5, 6).subtract(IntervalSet.range<number>(0, 10))).toBe(e);
    expect(IntervalSet.range<number>(1, 2).intersect(IntervalSet.range<number>(3, 4))).toBe(e);
    expect(IntervalSet.fromRanges<number>([[3, 3]])).toBe(e);
    expect(IntervalSet.unionAll<number>([e, e])).toBe(e);
    expect(Object.isFrozen(e.bounds)).toBe(true);
  });

  it('answers an unchanged operand itself from union, intersect and subtract', () => {
    const a = IntervalSet.fromBounds<number>([100000, 100005, 100010, 100020, 100030, 100040]);
    const b = IntervalSet.range<number>(200000, 200001);
    const all = IntervalSet.range<number>(0, 2 ** 32);
    expect(a.intersect(all)).toBe(a);
    expect(all.intersect(a)).toBe(a);
    expect(a.subtract(b)).toBe(a);
    expect(a.union(IntervalSet.range<number>(100001, 100003))).toBe(a);
    expect(IntervalSet.range<number>(100001, 100003).union(a)).toBe(a);
    const u = a.union(b);
    expect(u.bounds).toEqual([100000, 100005, 100010, 100020, 100030, 100040, 200000, 200001]);
    expect(u.subtract(b).equals(a)).toBe(true);
  });

  it('keeps no hold on the array given to fromBounds', () => {
    const arr = [100000, 100005, 100010, 100020];
    const s = IntervalSet.fromBounds(arr);
    arr[0] = 0;
    expect(s.bounds).toEqual([100000, 100005, 100010, 100020]);
    const pair = [100000, 100005];
    const p = IntervalSet.fromBounds(pair);
    pair[1] = 100001;
    expect(p.bounds).toEqual([100000, 100005]);
  });
});

describe('AddrSet: shared empty set and unchanged operands', () => {
  it('makes every empty AddrSet the one AddrSet.EMPTY', () => {
    expect(new AddrSet(IntervalSet.empty(), IntervalSet.empty())).toBe(AddrSet.EMPTY);
    const a = parseCidr('10.0.0.0/8')!;
    expect(a.subtract(a)).toBe(AddrSet.EMPTY);
    expect(a.intersect(parseCidr('2001:db8::/32')!)).toBe(AddrSet.EMPTY);
    expect(AddrSet.EMPTY.isEmpty).toBe(true);
  });

  it('makes the whole spaces the shared AddrSet.ALL_V4, ALL_V6 and ALL', () => {
    expect(IntervalSet.range<number>(0, 2 ** 32)).toBe(AddrSet.ALL_V4.v4);
    expect(IntervalSet.range<bigint>(0n, 1n << 128n)).toBe(AddrSet.ALL_V6.v6);
    expect(parseCidr('0.0.0.0/0')).toBe(AddrSet.ALL_V4);
    expect(parseCidr('::/0')).toBe(AddrSet.ALL_V6);
    expect(new AddrSet(parseCidr('0.0.0.0/0')!.v4, parseCidr('::/0')!.v6)).toBe(AddrSet.ALL);
    expect(AddrSet.ALL.v4).toBe(AddrSet.ALL_V4.v4);
    expect(AddrSet.ALL.toCidrs()).toEqual(['0.0.0.0/0', '::/0']);
    // a whole space made another way is equal, not necessarily the same object
    const v4 = IntervalSet.fromBounds<number>([0, 2 ** 31]).union(IntervalSet.fromBounds<number>([2 ** 31, 2 ** 32]));
    expect(new AddrSet(v4, IntervalSet.empty()).equals(AddrSet.ALL_V4)).toBe(true);
    expect(parseCidr('10.0.0.0/8')).not.toBe(parseCidr('10.0.0.0/8'));
  });

  it('answers an operand itself when the result is made of its parts', () => {
    const a = parseCidr('10.0.0.0/8')!;
    const b = parseCidr('192.168.0.0/16')!;
    expect(a.subtract(b)).toBe(a);
    expect(a.union(AddrSet.EMPTY)).toBe(a);
    expect(AddrSet.EMPTY.union(a)).toBe(a);
    expect(a.intersect(AddrSet.ALL)).toBe(a);
    expect(AddrSet.ALL.intersect(a)).toBe(a);
    const u = a.union(b);
    expect(u).not.toBe(a);
    expect(u.toCidrs()).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(u.subtract(b).equals(a)).toBe(true);
  });
});
