/**
 * Sets of integers as sorted, disjoint, non-adjacent half-open intervals [lo, hi).
 *
 * One implementation serves ports and protocol numbers (number), IPv4 addresses
 * (number: 2^32 fits exactly in a double) and IPv6 addresses (bigint). Only
 * comparisons are used on the elements, so the same code works for both types;
 * the caller turns closed ranges into half-open ones when it builds a set.
 */
export type Scalar = number | bigint;

/** The empty set (one shared, immutable instance; set by the class's static block). */
let EMPTY: IntervalSet<never>;
/** The whole IPv4 and IPv6 address spaces: `range` gives these shared sets for them (0.0.0.0/0 and ::/0 are common). */
const V4_END = 2 ** 32;
const V6_END = 1n << 128n;
let ALL_V4: IntervalSet<number>;
let ALL_V6: IntervalSet<bigint>;

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
    if (!(hi > lo)) return EMPTY as IntervalSet<T>;
    if (typeof hi === 'number') {
      if (hi <= SMALL_MAX) return IntervalSet.internRange(lo as number, hi) as unknown as IntervalSet<T>;
      if (hi === V4_END && lo === 0) return ALL_V4 as unknown as IntervalSet<T>;
      return new IntervalSet<number>(copyOf2(WIDE2, lo as number, hi)) as unknown as IntervalSet<T>;
    } else if (hi === V6_END && lo === 0n) return ALL_V6 as unknown as IntervalSet<T>;
    return new IntervalSet<T>([lo, hi]);
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
    return IntervalSet.seal(out, true);
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
    if (typeof first.bounds[0] === 'number') {
      const swept = IntervalSet.sweepSmall(sets as unknown as readonly IntervalSet<number>[]);
      if (swept !== undefined) return swept as unknown as IntervalSet<T>;
    }
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
    return IntervalSet.seal(out, false);
  }

  /**
   * unionAll of many small number sets (ports, protocols: every bound within 0..65536) without a sort: a count of
   * interval starts minus ends per value, swept once. undefined when the sets are few (the sort is cheaper than a
   * pass over the 65,537 counts) or a bound lies beyond. On a 100k-rule exposure, the ports of 40k entries: the
   * sort's lists of 80k bounds were ~2 MB of large objects, freed only by a full collection.
   */
  private static sweepSmall(sets: readonly IntervalSet<number>[]): IntervalSet<number> | undefined {
    let n = 0;
    for (let k = 0; k < sets.length; k++) {
      const b = sets[k]!.bounds;
      if (b.length > 0 && b[b.length - 1]! > SMALL_MAX) return undefined;
      n += b.length;
    }
    if (n < SWEEP_MIN_BOUNDS) return undefined;
    const delta = new Int32Array(SMALL_MAX + 1);
    for (let k = 0; k < sets.length; k++) {
      const b = sets[k]!.bounds;
      for (let i = 0; i < b.length; i += 2) {
        delta[b[i]!]!++;
        delta[b[i + 1]!]!--;
      }
    }
    const out: number[] = [];
    let depth = 0;
    for (let x = 0; x <= SMALL_MAX; x++) {
      const d = delta[x]!;
      if (d === 0) continue;
      const was = depth;
      depth += d;
      if ((was === 0) !== (depth === 0)) out.push(x);
    }
    return IntervalSet.seal(out, false);
  }

  /**
   * Trusted constructor for already normalised bounds. The result may be a shared set (the empty set, a small
   * port/protocol set) or hold a copy of `bounds`: the caller must not change `bounds` afterwards.
   */
  static fromBounds<T extends Scalar>(bounds: readonly T[]): IntervalSet<T> {
    return IntervalSet.seal(bounds, true);
  }

  /**
   * The one way from a normalised bounds array to a set (every factory ends here, so identical small sets are one
   * object): the shared empty set; a shared set for the small number sets (ports, protocols, ICMP types, see
   * `internRange`); otherwise a set over an exact-size array. An array grown by push keeps room for ~17 more
   * elements (a 2-bound set then held ~170 bytes instead of 32), so short ones are copied to their size.
   * `remember`: whether to go through the intern cache. The sets built from values (range, fromRanges,
   * fromBounds: the parsers, the compiled rules) do; the results of union/intersect/subtract/unionAll do not: most
   * are temporaries, and even a lookup made those operations ~25% slower (measured on 1.2M operations).
   */
  private static seal<T extends Scalar>(b: readonly T[], remember: boolean): IntervalSet<T> {
    const n = b.length;
    if (n === 0) return EMPTY as IntervalSet<T>;
    const last = b[n - 1]!;
    if (remember && typeof last === 'number' && last <= SMALL_MAX && n <= 4) {
      const x = b as unknown as readonly number[];
      const s = n === 2 ? IntervalSet.internRange(x[0]!, x[1]!) : IntervalSet.internPair(x[0]!, x[1]!, x[2]!, x[3]!);
      return s as unknown as IntervalSet<T>;
    }
    if (n === 2) return new IntervalSet<T>([b[0]!, b[1]!]);
    return new IntervalSet<T>(n <= EXACT_COPY_MAX ? b.slice() : b);
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
    return IntervalSet.combine(this, o, UNION);
  }

  intersect(o: IntervalSet<T>): IntervalSet<T> {
    if (this.bounds.length === 0) return this;
    if (o.bounds.length === 0) return o;
    return IntervalSet.combine(this, o, INTERSECT);
  }

  subtract(o: IntervalSet<T>): IntervalSet<T> {
    if (this.bounds.length === 0 || o.bounds.length === 0) return this;
    return IntervalSet.combine(this, o, SUBTRACT);
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

  /** Sweep over both boundary lists; `op` decides membership from (inA, inB). */
  private static combine<T extends Scalar>(
    a: IntervalSet<T>,
    b: IntervalSet<T>,
    op: Op,
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
      const now = op === UNION ? inA || inB : op === INTERSECT ? inA && inB : inA && !inB;
      if (now !== inOut) {
        // merge adjacent output intervals: a close immediately followed by an open at x
        if (now && out.length > 0 && out[out.length - 1] === x) out.pop();
        else out.push(x);
        inOut = now;
      }
    }
    // an operand unchanged (a ∩ b = a, a \ b = a, a ∪ b = b, ...) is answered itself, not copied
    if (sameBounds(out, A)) return a;
    if (sameBounds(out, B)) return b;
    return IntervalSet.seal(out, false);
  }

  static {
    EMPTY = new IntervalSet<never>(Object.freeze([]));
    ALL_V4 = new IntervalSet<number>([0, V4_END]);
    ALL_V6 = new IntervalSet<bigint>([0n, V6_END]);
  }

  /*
   * Hash-consing of small number sets: one or two ranges within 0..65536. Real rulesets name the same few ports and
   * protocols (22, 80, 443, tcp, udp) thousands of times, and the compiled rules hold the same derived small sets
   * (all protocols but tcp, ...): each distinct one is one object instead of ~100 bytes per copy. Sets are immutable and
   * compared by value everywhere, so sharing changes no result; identity only makes more `===` fast paths hit.
   * The table is a direct-mapped cache (a slot per hash, a new set replaces the one there): bounded, no Map, no
   * clearing, a lookup is a hash and two or four comparisons. The shared bounds are not frozen: a frozen array has
   * an elements kind of its own, and the engine's hot loops over `bounds` ran 4x slower on the extra kind; they
   * are read-only by type (`readonly T[]`), as every set's bounds.
   */
  private static internRange(lo: number, hi: number): IntervalSet<number> {
    const slot = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b)) >>> (32 - INTERN_BITS);
    const s = interned[slot];
    if (s !== undefined) {
      const x = s.bounds;
      if (x.length === 2 && x[0] === lo && x[1] === hi) return s;
    }
    return (interned[slot] = new IntervalSet<number>(copyOf2(SMALL2, lo, hi)));
  }

  private static internPair(a: number, b: number, c: number, d: number): IntervalSet<number> {
    const slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35) ^ Math.imul(d, 0x27d4eb2f)) >>> (32 - INTERN_BITS);
    const s = interned[slot];
    if (s !== undefined) {
      const x = s.bounds;
      if (x.length === 4 && x[0] === a && x[1] === b && x[2] === c && x[3] === d) return s;
    }
    SMALL4[0] = a;
    SMALL4[1] = b;
    SMALL4[2] = c;
    SMALL4[3] = d;
    return (interned[slot] = new IntervalSet<number>(SMALL4.slice()));
  }
}

/*
 * The bounds of the sets built from values (the parsers make one per address or port range of a rule, 100k and more
 * on a big file, and keep them all) are copies of these scratch lists, not array literals. An array literal has an
 * allocation site: once the young generation sees nearly all of its arrays survive, V8 decides to allocate them in
 * the old generation and throws away the optimised code of every function that inlined the site (the iptables-save
 * parse lost and recompiled portValue, portListSet, v4NetAt and their callers that way, 30-40k lines into a 100k-rule
 * file). A copy (`slice`) has no site: nothing is decided, nothing is thrown away. The copy has its scratch list's
 * elements kind, the kind the literals had: small integers for the small sets, doubles for IPv4 bounds (above 2^31
 * the literal's site turned to doubles after the first such set, and kept them for every later one).
 */
const SMALL2: number[] = [0, 0];
const SMALL4: number[] = [0, 0, 0, 0];
const WIDE2: number[] = [0.5, 0.5];

/** A new array [lo, hi] of `scratch`'s elements kind (see above). */
function copyOf2(scratch: number[], lo: number, hi: number): number[] {
  scratch[0] = lo;
  scratch[1] = hi;
  return scratch.slice();
}

/** unionAll sweeps small number sets (sweepSmall) from this many bounds on; below, it sorts them. */
const SWEEP_MIN_BOUNDS = 4096;
/** Bounds up to here are interned: the port space (0..65535, so 65536 as an exclusive end) covers protocols and ICMP too. */
const SMALL_MAX = 65536;
/**
 * Bounds arrays up to this length are copied to their exact size when sealed (longer ones waste at most about half;
 * a caller that wants a long push-grown list at its size too copies it itself: see subIv in src/analysis/cube.ts).
 */
export const EXACT_COPY_MAX = 32;
/** The intern cache has 2^INTERN_BITS slots (4096: ~0.4 MB of sets at most). */
const INTERN_BITS = 12;

// the operations of combine: a number tested in the sweep (a function per operation was a call per boundary; an
// arrow function written in each call was also a new closure per call, ~19 MB of garbage on a 100k-rule ruleset)
const UNION = 0;
const INTERSECT = 1;
const SUBTRACT = 2;
type Op = typeof UNION | typeof INTERSECT | typeof SUBTRACT;

function sameBounds<T extends Scalar>(x: readonly T[], y: readonly T[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// the intern cache of IntervalSet.internRange / internPair, one- and two-range sets alike
const interned: (IntervalSet<number> | undefined)[] = new Array<IntervalSet<number> | undefined>(1 << INTERN_BITS).fill(undefined);
