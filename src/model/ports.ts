import { IntervalSet } from './intervals.js';

/** A set of port numbers 0..65535 (also used for ICMP type/code and protocol numbers). */
export type NumSet = IntervalSet<number>;

export const PORT_UNIVERSE: NumSet = IntervalSet.range(0, 65536);
export const PROTO_UNIVERSE: NumSet = IntervalSet.range(0, 256);

/** Closed range [from, to] → set. */
export function numRange(from: number, to: number): NumSet {
  return IntervalSet.range(from, to + 1);
}

export function numSingle(n: number): NumSet {
  return IntervalSet.range(n, n + 1);
}

export function numSetOf(closedRanges: Iterable<readonly [number, number]>): NumSet {
  const r: [number, number][] = [];
  for (const [a, b] of closedRanges) r.push([Math.min(a, b), Math.max(a, b) + 1]);
  return IntervalSet.fromRanges(r);
}

/** Closed ranges, e.g. [[22,22],[1761,1768]]. */
export function closedRanges(s: NumSet): [number, number][] {
  const b = s.bounds;
  const out: [number, number][] = [];
  for (let i = 0; i < b.length; i += 2) out.push([b[i]!, b[i + 1]! - 1]);
  return out;
}

/** "22, 1761-1768"; "all" for the whole port space. */
export function formatPorts(s: NumSet, universe: NumSet = PORT_UNIVERSE): string {
  if (s.isEmpty) return 'none';
  if (s.equals(universe)) return 'all';
  return closedRanges(s)
    .map(([a, b]) => (a === b ? String(a) : `${a}-${b}`))
    .join(', ');
}

export function countNums(s: NumSet): number {
  const b = s.bounds;
  let n = 0;
  for (let i = 0; i < b.length; i += 2) n += b[i + 1]! - b[i]!;
  return n;
}

/** Every number in the set (callers bound the set size first). */
export function* eachNum(s: NumSet): IterableIterator<number> {
  for (const [lo, hi] of s.ranges()) for (let p = lo; p < hi; p++) yield p;
}
