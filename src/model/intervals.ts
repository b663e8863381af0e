/**
 * Sets of integers as sorted, disjoint, non-adjacent half-open intervals [lo, hi).
 *
 * One implementation serves ports and protocol numbers (number), IPv4 addresses
 * (number: 2^32 fits exactly in a double) and IPv6 addresses (bigint). Only
 * comparisons are used on the elements, so the same code works for both types;
 * the caller turns closed ranges into half-open ones when it builds a set.
 */
export type Scalar = number | bigint;

export class IntervalSet<T extends Scalar> {
  /** Flat [lo0, hi0, lo1, hi1, ...], strictly increasing. Treat as read-only. */
  readonly bounds: readonly T[];

  private constructor(bounds: readonly T[]) {
    this.bounds = bounds;
  }

  /** The empty set (one shared, immutable instance). */
  static empty<T extends Scalar>(): IntervalSet<T> {
    return EMPTY as IntervalSet<T>;
  }

  /** Half-open [lo, hi); empty when hi <= lo. */
  static range<T extends Scalar>(lo: T, hi: T): IntervalSet<T> {
    return hi > lo ? new IntervalSet<T>([lo, hi]) : (EMPTY as IntervalSet<T>);
  }

  /** From possibly overlapping, unsorted half-open pairs. */
  static fromRanges<T extends Scalar>(ranges: Iterable<readonly [T, T]>): IntervalSet<T> {
    const list = [...ranges].filter(([lo, hi]) => hi > lo).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: T[] = [];
    for (const [lo, hi] of list) {
      const n = out.length;
      if (n > 0 && lo <= out[n - 1]!) {
        if (hi > out[n - 1]!) out[n - 1] = hi;
      } else {
        out.push(lo, hi);
      }
    }
    return new IntervalSet<T>(out);
  }

  /**
   * The union of many sets in one sort and sweep (folding union over n sets copies the
   * growing result n times: quadratic for the thousands of pieces of a large ruleset).
   */
  static unionAll<T extends Scalar>(sets: readonly IntervalSet<T>[]): IntervalSet<T> {
    let first: IntervalSet<T> | undefined;
    let same = true;
    for (const s of sets) {
      if (s.bounds.length === 0) continue;
      if (first === undefined) first = s;
      else if (s !== first) same = false;
    }
    if (first === undefined) return EMPTY as IntervalSet<T>;
    if (same) return first;
    const los: T[] = [];
    const his: T[] = [];
    for (const s of sets) {
      const b = s.bounds;
      for (let i = 0; i < b.length; i += 2) {
        los.push(b[i]!);
        his.push(b[i + 1]!);
      }
    }
    const order = Array.from(los.keys()).sort((x, y) => (los[x]! < los[y]! ? -1 : los[x]! > los[y]! ? 1 : 0));
    const out: T[] = [];
    for (const k of order) {
      const lo = los[k]!;
      const hi = his[k]!;
      const m = out.length;
      if (m > 0 && lo <= out[m - 1]!) {
        if (hi > out[m - 1]!) out[m - 1] = hi;
      } else out.push(lo, hi);
    }
    return new IntervalSet<T>(out);
  }

  /** Trusted constructor for already normalised bounds. */
  static fromBounds<T extends Scalar>(bounds: readonly T[]): IntervalSet<T> {
    return new IntervalSet<T>(bounds);
  }

  get isEmpty(): boolean {
    return this.bounds.length === 0;
  }

  /** Number of intervals. */
  get size(): number {
    return this.bounds.length / 2;
  }

  *ranges(): IterableIterator<[T, T]> {
    const b = this.bounds;
    for (let i = 0; i < b.length; i += 2) yield [b[i]!, b[i + 1]!];
  }

  has(x: T): boolean {
    const b = this.bounds;
    // binary search for the last lo <= x
    let lo = 0;
    let hi = b.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (b[2 * mid]! <= x) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return false;
    return x < b[2 * hi + 1]!;
  }

  equals(o: IntervalSet<T>): boolean {
    const a = this.bounds;
    const b = o.bounds;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  union(o: IntervalSet<T>): IntervalSet<T> {
    if (o.bounds.length === 0) return this;
    if (this.bounds.length === 0) return o;
    return IntervalSet.combine(this, o, (a, b) => a || b);
  }

  intersect(o: IntervalSet<T>): IntervalSet<T> {
    if (this.bounds.length === 0) return this;
    if (o.bounds.length === 0) return o;
    return IntervalSet.combine(this, o, (a, b) => a && b);
  }

  subtract(o: IntervalSet<T>): IntervalSet<T> {
    if (this.bounds.length === 0 || o.bounds.length === 0) return this;
    return IntervalSet.combine(this, o, (a, b) => a && !b);
  }

  /** Complement within the universe [lo, hi). */
  complement(universe: IntervalSet<T>): IntervalSet<T> {
    return universe.subtract(this);
  }

  /** True when this ⊆ o. */
  isSubsetOf(o: IntervalSet<T>): boolean {
    return this.subtract(o).isEmpty;
  }

  overlaps(o: IntervalSet<T>): boolean {
    return !this.intersect(o).isEmpty;
  }

  /** Sweep over both boundary lists; `keep` decides membership from (inA, inB). */
  private static combine<T extends Scalar>(
    a: IntervalSet<T>,
    b: IntervalSet<T>,
    keep: (inA: boolean, inB: boolean) => boolean,
  ): IntervalSet<T> {
    const A = a.bounds;
    const B = b.bounds;
    const out: T[] = [];
    let i = 0;
    let j = 0;
    let inA = false;
    let inB = false;
    let inOut = false;
    while (i < A.length || j < B.length) {
      let x: T;
      if (j >= B.length || (i < A.length && A[i]! <= B[j]!)) x = A[i]!;
      else x = B[j]!;
      while (i < A.length && A[i] === x) {
        inA = !inA;
        i++;
      }
      while (j < B.length && B[j] === x) {
        inB = !inB;
        j++;
      }
      const now = keep(inA, inB);
      if (now !== inOut) {
        // merge adjacent output intervals: a close immediately followed by an open at x
        if (now && out.length > 0 && out[out.length - 1] === x) out.pop();
        else out.push(x);
        inOut = now;
      }
    }
    return new IntervalSet<T>(out);
  }
}

const EMPTY: IntervalSet<never> = IntervalSet.fromBounds<never>(Object.freeze([]));
