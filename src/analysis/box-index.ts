/**
 * An index over a short, fixed, ordered list of cubes (one chain's certain cubes, up to a few
 * thousand) that is hardly an index: a flat table of each cube's bounds (a range of keys per
 * dimension), one row per cube, and the rows filed in lists by the block of keys their source,
 * destination, port or protocol is in. The PointIndex (point-index.ts) first builds a bitset per
 * elementary interval and dimension, O(n²/32) words, for queries that on a 500-cube chain cost
 * more than reading the rows; here a cube is added as its row is filled, and a corner query
 * reads the few lists the corner's keys name (on iptables-100k, 3 % of the rows before its
 * limit), running the exact test (holdsCorner) only on the rows whose bounds hold the corner.
 * The answers are the PointIndex's (a property test compares them): the lists and the bounds
 * only skip rows the exact test would reject.
 *
 * Longer chains keep the PointIndex and StabIndex: a list, and so a query, grows with the chain
 * (see shadow.ts, MAX_BOXED).
 */
import { cubesOverlap, type Cube } from './cube.js';
import { FROM_PRIN, FROM_V4, Keys, cornerKeys, holdsKeys, lowBitIndex } from './point-index.js';

/**
 * The row layout (Int32Array): per dimension — where from (source addresses or principals),
 * destination addresses, destination ports, protocols, source ports — a range of 32-bit keys as
 * its low end and its width (hi - lo, unsigned), so that "key k in the range" is one unsigned
 * comparison, ((k - lo) >>> 0) <= width: rows fail the test at random, and the two branches of
 * lo <= k && k <= hi cost several times the comparison.
 */
const FROM = 0;
const DST = 2;
const DPORT = 4;
const PROTO = 6;
const SPORT = 8;
/**
 * The widest hole of the destination ports between their range's ends, as [lo, lo + width) (width 0:
 * none): a rule's `! --dport 22` or `--dports 80,8000:9000` holds nearly every port of its range.
 */
const DPORT_GAP = 10;
/** The conntrack mask (one number already). */
const CT = 12;
const STRIDE = 13;

/**
 * The keys. A dimension's values come in kinds (IPv4 addresses, IPv6 addresses, principal bit
 * positions), each mapped into 32 bits monotonically: an IPv4 address is itself, an IPv6 address
 * its top 32 bits, a principal its bit position. A row whose set has values of one kind gets the
 * range of their keys (a ≤ v ≤ b ⇒ key(a) ≤ key(v) ≤ key(b): every value of the set passes); a
 * row with values of several kinds gets every key (WIDE). A value of another kind than the row's
 * is not in the row's set, so whether it passes does not matter: only holdsCorner and
 * cubesOverlap decide. An empty set's range is anything (its row holds nothing either way).
 */
const WIDE = -1; // width 0xffffffff

/** Kinds of values, as bits. */
const V4 = 1;
const V6 = 2;
const PRIN = 4;

/** The top 32 bits of an IPv6 address. */
function v6Key(v: bigint): number {
  return Number(v >> 96n);
}

/** Index of the highest set bit of a non-zero bigint. */
function highBitIndex(m: bigint): number {
  if (m <= 0xffffffffn) return 31 - Math.clz32(Number(m));
  return m.toString(2).length - 1;
}

/**
 * Row cells o, o + 1 = the key range of an address set (bounds b4, b6) and a principal mask (0n
 * for destinations); the kinds of values it has (0: none, the set is empty).
 */
function addrRange(b4: readonly number[], b6: readonly bigint[], sprin: bigint, t: Int32Array, o: number): number {
  const kinds = (b4.length > 0 ? V4 : 0) | (b6.length > 0 ? V6 : 0) | (sprin !== 0n ? PRIN : 0);
  let lo = 0;
  let hi = 0;
  if (kinds === V4) {
    lo = b4[0]!;
    hi = b4[b4.length - 1]! - 1;
  } else if (kinds === V6) {
    lo = v6Key(b6[0]!);
    hi = v6Key(b6[b6.length - 1]! - 1n);
  } else if (kinds === PRIN) {
    lo = lowBitIndex(sprin);
    hi = highBitIndex(sprin);
  } else if (kinds !== 0) {
    t[o] = 0;
    t[o + 1] = WIDE;
    return kinds;
  }
  t[o] = lo | 0;
  t[o + 1] = (hi - lo) | 0;
  return kinds;
}

/** fillRow's answers: the cube is empty; its row's low ends are its corner's keys; they are not (a set of values of several kinds). */
export const EMPTY_ROW = -1;
const CORNER_ROW = 1;
const MIXED_ROW = 0;

/** Whether a set of kinds is one kind (a row's range then starts at the corner's key). */
function oneKind(kinds: number): boolean {
  return (kinds & (kinds - 1)) === 0;
}

/**
 * The row of cube c at offset o of t, and what firstAtStaged needs to know of it: EMPTY_ROW when c
 * is empty (cubeIsEmpty, read from the sets the row is made of and the three fields it does not
 * keep: one read of the cube's objects, all over the heap, for the emptiness, the corner and the row).
 */
function fillRow(c: Cube, t: Int32Array, o: number): number {
  // the cube's objects are all over the heap, and nearly every read of one misses the cache: they
  // are read a level at a time (the sets, then their parts, then their bounds), so that the reads
  // of a level, which do not wait on one another, miss together
  const src = c.src;
  const dst = c.dst;
  const dp = c.dport;
  const pr = c.proto;
  const sp = c.sport;
  const s4 = src.v4;
  const s6 = src.v6;
  const d4 = dst.v4;
  const d6 = dst.v6;
  const dport = dp.bounds;
  const proto = pr.bounds;
  const sport = sp.bounds;
  const from = addrRange(s4.bounds, s6.bounds, c.sprin, t, o + FROM);
  const to = addrRange(d4.bounds, d6.bounds, 0n, t, o + DST);
  numRange(dport, t, o + DPORT);
  numRange(proto, t, o + PROTO);
  numRange(sport, t, o + SPORT);
  widestGap(dport, t, o + DPORT_GAP);
  const ct = (t[o + CT] = c.ct);
  if (from === 0 || to === 0 || dport.length === 0 || proto.length === 0 || sport.length === 0 || ct === 0 || c.iif === 0n || c.oif === 0n || c.icmp.isEmpty) return EMPTY_ROW;
  return oneKind(from) && oneKind(to) ? CORNER_ROW : MIXED_ROW;
}

/** Row cells o, o + 1 = the widest hole between the intervals of a set of numbers (bounds b), lo and width. */
function widestGap(b: readonly number[], t: Int32Array, o: number): void {
  let lo = 0;
  let w = 0;
  for (let i = 1; i + 1 < b.length; i += 2)
    if (b[i + 1]! - b[i]! > w) {
      lo = b[i]!;
      w = b[i + 1]! - b[i]!;
    }
  t[o] = lo;
  t[o + 1] = w;
}

/** Row cells o, o + 1 = the range of a set of numbers below 2^31 (ports, protocols), by its bounds. */
function numRange(b: readonly number[], t: Int32Array, o: number): void {
  t[o] = b.length > 0 ? b[0]! : 0;
  t[o + 1] = b.length > 0 ? b[b.length - 1]! - 1 - b[0]! : 0;
}

/** A query box's ranges (overlapping's), one row: it is scanned by one query at a time. */
const qRow = new Int32Array(STRIDE);

/**
 * The rows are also filed in lists, each row in one: by the block of its keys (the top 8 bits:
 * a /8 of IPv4 addresses, 256 ports, one protocol) in the first of the dimensions FROM, DST,
 * DPORT, PROTO where its whole key range is in one block, else in the list of wide rows. A row
 * that holds a point (of its kind: see the keys) is in the list of the point's block in the
 * dimension it is filed by, so a query reads one list per dimension and the wide rows, not the
 * whole table: on the bench chains most rows are filed by a source prefix, and the rest (a
 * negated source: `! -s`) by protocol.
 */
const BUCKET_BITS = 8;
const BUCKETS = 1 << BUCKET_BITS;
const WIDE_LIST = 4 * BUCKETS;

/** Per dimension filed by (FROM, DST, DPORT, PROTO: rows 0, 2, 4, 6), the bits of its keys below the block's. */
const BLOCK_SHIFT = [32 - BUCKET_BITS, 32 - BUCKET_BITS, 16 - BUCKET_BITS, 0];

/** The list (0 .. WIDE_LIST) row o of t is filed in. */
function listOf(t: Int32Array, o: number): number {
  for (let d = 0; d < 4; d++) {
    const s = listBy(t, o, d);
    if (s >= 0) return s;
  }
  return WIDE_LIST;
}

/** The list of row o's block in dimension d (0 .. 3, of FROM, DST, DPORT, PROTO), or -1 when its range spans blocks. */
function listBy(t: Int32Array, o: number, d: number): number {
  const shift = BLOCK_SHIFT[d]!;
  // the blocks of the range's low and high ends (lo + width: below 2^32, as every key)
  const lo = t[o + 2 * d]! >>> 0;
  const hi = (lo + (t[o + 2 * d + 1]! >>> 0)) >>> 0;
  return hi >>> shift === lo >>> shift ? d * BUCKETS + ((lo >>> shift) & (BUCKETS - 1)) : -1;
}

/** No row (the end of a list). */
const NONE = -1;

/**
 * The index grows a cube at a time (add, or stage and addStaged), in the order of the chain: the
 * shadow analysis walks a chain once, asking about each rule the cubes of the rules before it, then
 * adding the rule's own — no build pass, and the row a rule's query is made from is the row it is
 * added as. Lists are linked (each row's successor in its list), appended to at their tail, so each
 * is in increasing order. One index serves chain after chain (clear): its arrays grow to the
 * longest chain's and stay.
 */
export class BoxIndex {
  /** The cubes, row j's at j (entries from size on are stale: clear keeps the array). */
  readonly cubes: Cube[] = [];
  private n = 0;
  /** The key ranges, row j at j * STRIDE; the row at size * STRIDE is the staged one. */
  private t = new Int32Array(16 * STRIDE);
  /** Per list, its first and last row (NONE: empty); per row, the next row of its list. */
  private readonly head = new Int32Array(WIDE_LIST + 1).fill(NONE);
  private readonly tail = new Int32Array(WIDE_LIST + 1).fill(NONE);
  private next = new Int32Array(16);
  /** The rows not filed by their source, linked the same way. */
  private headOther = NONE;
  private tailOther = NONE;
  private nextOther = new Int32Array(16);
  /** Per row, the number its adder gave it (the shadow analysis: the position of the cube's rule in its chain). */
  private tag = new Int32Array(16);
  /** The current query's keys in the dimensions tested after the first three (firstIn takes those as arguments). */
  private proto = 0;
  private sport = 0;
  private ct = 0;
  /**
   * The current query's packet for the exact test (holdsKeys): given (firstAtKeys), or the corner
   * of the cube `query`, read into `own` when a row first passes the ranges (keyed then true).
   */
  private packet: Keys;
  private readonly own = new Keys();
  private keyed = false;
  private query: Cube | undefined;

  constructor(cubes: readonly Cube[] = []) {
    this.packet = this.own;
    for (const c of cubes) this.add(c, 0);
  }

  /** The rows' tags (valid until the next add). */
  get tags(): Int32Array {
    return this.tag;
  }

  get size(): number {
    return this.n;
  }

  /** Forget every cube (the arrays are kept for the next chain's). */
  clear(): void {
    if (this.n === 0) return;
    this.n = 0;
    this.head.fill(NONE);
    this.tail.fill(NONE);
    this.headOther = this.tailOther = NONE;
  }

  /** Adds cube c as row size, tagged. */
  add(c: Cube, tag: number): void {
    this.stage(c);
    this.addStaged(c, tag);
  }

  /**
   * Fills the row of cube c after the last (not yet added: firstAtStaged asks with it, addStaged
   * adds it); EMPTY_ROW when c is empty, which no query needs to be asked about.
   */
  stage(c: Cube): number {
    const o = this.n * STRIDE;
    if (o + STRIDE > this.t.length) this.grow();
    return fillRow(c, this.t, o);
  }

  /** Adds the staged row, of cube c (nothing was staged or added since), tagged. */
  addStaged(c: Cube, tag: number): void {
    const j = this.n++;
    const t = this.t;
    const o = j * STRIDE;
    this.cubes[j] = c;
    this.tag[j] = tag;
    const s = listOf(t, o);
    this.next[j] = NONE;
    if (this.tail[s] === NONE) this.head[s] = j;
    else this.next[this.tail[s]!] = j;
    this.tail[s] = j;
    if (s >= BUCKETS) {
      this.nextOther[j] = NONE;
      if (this.tailOther === NONE) this.headOther = j;
      else this.nextOther[this.tailOther] = j;
      this.tailOther = j;
    }
  }

  private grow(): void {
    const cap = 2 * (this.t.length / STRIDE);
    const t = new Int32Array(cap * STRIDE);
    t.set(this.t);
    this.t = t;
    const next = new Int32Array(cap);
    next.set(this.next);
    this.next = next;
    const nextOther = new Int32Array(cap);
    nextOther.set(this.nextOther);
    this.nextOther = nextOther;
    const tag = new Int32Array(cap);
    tag.set(this.tag);
    this.tag = tag;
  }

  /**
   * firstAtCorner(c, limit) for the staged cube c, whose stage answer was `staged` (not EMPTY_ROW):
   * the corner's keys read from its row when they are its ranges' low ends.
   */
  firstAtStaged(c: Cube, staged: number, limit: number): number {
    if (staged !== CORNER_ROW) return this.firstAtCorner(c, limit);
    const t = this.t;
    const o = this.n * STRIDE;
    const ct = t[o + CT]!;
    this.ask(c);
    return this.firstFrom(limit, t[o + FROM]!, t[o + DST]!, t[o + DPORT]!, t[o + PROTO]!, t[o + SPORT]!, ct & -ct);
  }

  /**
   * The earliest cube before `limit` that holds the lowest corner of the non-empty cube c (the
   * corner holdsCorner tests), or -1: PointIndex.firstAtCorner's answer.
   */
  firstAtCorner(c: Cube, limit: number): number {
    // the corner's keys, as holdsCorner reads the corner (int32: the subtractions below stay integer)
    const rs = c.src;
    const from = (rs.isEmpty ? lowBitIndex(c.sprin) : rs.v4.isEmpty ? v6Key(rs.v6.bounds[0]!) : rs.v4.bounds[0]!) | 0;
    const rd = c.dst;
    const dst = (rd.v4.isEmpty ? v6Key(rd.v6.bounds[0]!) : rd.v4.bounds[0]!) | 0;
    this.ask(c);
    return this.firstFrom(limit, from, dst, c.dport.bounds[0]! | 0, c.proto.bounds[0]! | 0, c.sport.bounds[0]! | 0, c.ct & -c.ct);
  }

  /** The earliest cube before `limit` that holds the packet k, or -1. */
  firstAtKeys(k: Keys, limit: number): number {
    this.packet = k;
    this.keyed = true;
    const from = (k.fromKind === FROM_V4 ? k.from4 : k.fromKind === FROM_PRIN ? k.fromBit : v6Key(k.from6)) | 0;
    const dst = (k.dst6 === undefined ? k.dst4 : v6Key(k.dst6)) | 0;
    return this.firstFrom(limit, from, dst, k.dport | 0, k.proto | 0, k.sport | 0, k.ct);
  }

  /** The next query is about cube c's corner (its packet read when needed). */
  private ask(c: Cube): void {
    this.query = c;
    this.packet = this.own;
    this.keyed = false;
  }

  /** The earliest row before `limit` that holds the query's packet, its keys given. */
  private firstFrom(limit: number, from: number, dst: number, dport: number, proto: number, sport: number, ct: number): number {
    const m = Math.min(limit, this.n);
    this.proto = proto;
    this.sport = sport;
    this.ct = ct;
    // the earliest in each list the corner's rows can be in (each list ascending; the answer is the least)
    let best = m;
    best = this.firstIn((from >>> (32 - BUCKET_BITS)) & (BUCKETS - 1), best, from, dst, dport);
    best = this.firstIn(BUCKETS + ((dst >>> (32 - BUCKET_BITS)) & (BUCKETS - 1)), best, from, dst, dport);
    best = this.firstIn(2 * BUCKETS + ((dport >>> (16 - BUCKET_BITS)) & (BUCKETS - 1)), best, from, dst, dport);
    best = this.firstIn(3 * BUCKETS + (proto & (BUCKETS - 1)), best, from, dst, dport);
    best = this.firstIn(WIDE_LIST, best, from, dst, dport);
    return best < m ? best : -1;
  }

  /** The first row of list s numbered below `best` that holds the query's packet (keys from, dst, dport), else best. */
  private firstIn(s: number, best: number, from: number, dst: number, dport: number): number {
    const t = this.t;
    const next = this.next;
    for (let j = this.head[s]!; j !== NONE && j < best; j = next[j]!) {
      const o = j * STRIDE;
      // (the exact test reads objects all over the heap, and bigint masks: these first)
      if (
        (from - t[o + FROM]!) >>> 0 > t[o + FROM + 1]! >>> 0 ||
        (dst - t[o + DST]!) >>> 0 > t[o + DST + 1]! >>> 0 ||
        (dport - t[o + DPORT]!) >>> 0 > t[o + DPORT + 1]! >>> 0 ||
        (dport - t[o + DPORT_GAP]!) >>> 0 < t[o + DPORT_GAP + 1]! ||
        (this.proto - t[o + PROTO]!) >>> 0 > t[o + PROTO + 1]! >>> 0 ||
        (this.sport - t[o + SPORT]!) >>> 0 > t[o + SPORT + 1]! >>> 0 ||
        (this.ct & t[o + CT]!) === 0
      )
        continue;
      if (!this.keyed) {
        cornerKeys(this.query!, this.own);
        this.keyed = true;
      }
      if (holdsKeys(this.cubes[j]!, this.packet)) return j;
    }
    return best;
  }

  /** Every cube numbered below limit that overlaps q, in increasing order, appended to out (PointIndex.overlapping's answer). */
  overlapping(q: Cube, limit: number, out: number[]): void {
    const m = Math.min(limit, this.n);
    fillRow(q, qRow, 0);
    const s = listBy(qRow, 0, 0);
    if (s < 0) {
      for (let j = 0; j < m; j++) this.ifOverlapping(q, j, out);
      return;
    }
    // q's sources are in one block: a row filed by its source under another block has sources
    // of no key q has, so none of q's (or, of another kind than q's, none q can meet either):
    // q's block's rows and the rows not filed by source, merged in order
    const next = this.next;
    const nextOther = this.nextOther;
    let a = this.head[s]!;
    let b = this.headOther;
    for (;;) {
      const ja = a !== NONE ? a : m;
      const jb = b !== NONE ? b : m;
      const j = ja < jb ? ja : jb;
      if (j >= m) return;
      if (ja < jb) a = next[a]!;
      else b = nextOther[b]!;
      this.ifOverlapping(q, j, out);
    }
  }

  /** Appends j to out when cube j overlaps q (whose ranges are in qRow). */
  private ifOverlapping(q: Cube, j: number, out: number[]): void {
    const t = this.t;
    const o = j * STRIDE;
    // two ranges meet when either one's low end is in the other
    if (!meets(qRow, FROM, t, o + FROM) || !meets(qRow, DST, t, o + DST) || !meets(qRow, DPORT, t, o + DPORT)) return;
    if (cubesOverlap(this.cubes[j]!, q)) out.push(j);
  }
}

/** Whether the key ranges at a[i] and b[o] meet. */
function meets(a: Int32Array, i: number, b: Int32Array, o: number): boolean {
  return (a[i]! - b[o]!) >>> 0 <= b[o + 1]! >>> 0 || (b[o]! - a[i]!) >>> 0 <= a[i + 1]! >>> 0;
}
