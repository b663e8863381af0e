import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddrSet, IntervalSet } from '../../src/model/index.js';

/** The minimal CIDR decomposition of [lo, hi), bit by bit (the definition). */
function reference<T extends number | bigint>(lo: T, hi: T, width: number): [T, number][] {
  const out: [T, number][] = [];
  const big = typeof lo === 'bigint';
  const pow = (b: number): T => (big ? (1n << BigInt(b)) : 2 ** b) as T;
  let cur = lo;
  while (cur < hi) {
    let bits = 0;
    while (bits < width && (big ? (cur as bigint) % (pow(bits + 1) as bigint) === 0n : (cur as number) % (pow(bits + 1) as number) === 0) && ((big ? (cur as bigint) + (pow(bits + 1) as bigint) : (cur as number) + (pow(bits + 1) as number)) as T) <= hi) bits++;
    out.push([cur, width - bits]);
    cur = (big ? (cur as bigint) + (pow(bits) as bigint) : (cur as number) + (pow(bits) as number)) as T;
  }
  return out;
}

const v4 = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 }), fc.integer({ min: 0, max: 2 ** 32 })).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number]);
const v6 = fc
  .tuple(fc.bigInt({ min: 0n, max: 1n << 128n }), fc.bigInt({ min: 0n, max: 1n << 128n }), fc.integer({ min: 0, max: 128 }))
  .map(([a, b, k]) => {
    // aligned values too, where blocks are large
    const m = (1n << BigInt(k)) - 1n;
    const x = a & ~m;
    const y = b & ~m;
    return (x <= y ? [x, y] : [y, x]) as [bigint, bigint];
  });

describe('AddrSet.eachCidr / toCidrs', () => {
  it('gives, IPv4 first and in order, the blocks of the bit-by-bit definition', () => {
    fc.assert(
      fc.property(fc.array(v4, { maxLength: 4 }), fc.array(v6, { maxLength: 4 }), (r4, r6) => {
        const set = new AddrSet(IntervalSet.fromRanges(r4), IntervalSet.fromRanges(r6));
        const got: [string, number | bigint, number][] = [];
        set.eachCidr((family, start, prefix) => got.push([family, start, prefix]));
        const want: [string, number | bigint, number][] = [];
        for (const [lo, hi] of set.v4.ranges()) for (const [s, p] of reference(lo, hi, 32)) want.push(['ipv4', s, p]);
        for (const [lo, hi] of set.v6.ranges()) for (const [s, p] of reference(lo, hi, 128)) want.push(['ipv6', s, p]);
        expect(got).toEqual(want);
        expect(set.toCidrs().length).toBe(want.length);
      }),
      { numRuns: 300 },
    );
  });

  it('names whole spaces and single addresses', () => {
    expect(AddrSet.ALL_V4.toCidrs()).toEqual(['0.0.0.0/0']);
    expect(AddrSet.ALL_V6.toCidrs()).toEqual(['::/0']);
    expect(AddrSet.parse('10.0.0.1/32')!.toCidrs()).toEqual(['10.0.0.1/32']);
    expect(new AddrSet(IntervalSet.range(10, 21), IntervalSet.range(0n, 3n)).toCidrs()).toEqual(['0.0.0.10/31', '0.0.0.12/30', '0.0.0.16/30', '0.0.0.20/32', '::/127', '::2/128']);
  });
});
