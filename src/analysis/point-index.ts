/**
 * A static point-classification index over a fixed, ordered list of cubes (the
 * bit-vector scheme of packet classification, Lakshman & Stiliadis): per
 * dimension the sorted elementary intervals, each with a bitset of the cubes
 * that contain it. A point query ANDs one bitset per dimension, restricted to
 * the cubes before a limit, and the lowest set bit is the earliest cube that
 * holds the point — a few word operations per 32 cubes instead of an overlap
 * test per cube, however wide the cubes are.
 *
 * The bitsets are built by a prefix-XOR sweep: each interval of a cube toggles
 * the cube's bit where it starts and where it ends, so a wide cube costs two
 * marks, not one per elementary interval it spans. Bit-mask dimensions
 * (interfaces, conntrack, principals) are intervals of bit positions.
 *
 * Memory is (elementary intervals / stride) × (cubes / 32) words per dimension
 * (the stride: see Dim): meant for one chain's cubes (hundreds to a few
 * thousand), not for a whole ruleset.
 */
import type { AddrSet } from '../model/index.js';
import { cubesOverlap, type Cube, type Point } from './cube.js';

type Num = number | bigint;

/** The number-valued dimensions (IPv6 addresses are two more, bigint-valued). */
const PROTO = 0;
const IIF = 1;
const OIF = 2;
const CT = 3;
const ICMP = 4;
const DPORT = 5;
const SPORT = 6;
const DST4 = 7;
const SRC4 = 8;
const SPRIN = 9;
const NDIMS = 10;

/**
 * One packet, one value per dimension: bit positions for the masks, and for each
 * of the two address dimensions the family it is in (`src` may instead be a
 * principal, `sprin`).
 */
export interface IndexPoint {
  proto: number;
  iif: number;
  oif: number;
  ct: number;
  icmp: number;
  dport: number;
  sport: number;
  dst: Num;
  dstV6: boolean;
  /** Source address, or undefined when the source is the principal `sprin`. */
  src: Num | undefined;
  srcV6: boolean;
  sprin: number;
}

/** The number of dimensions PointIndex.firstAtCorner ANDs (source, destination, then the eight number dimensions but SPRIN/SRC4/DST4). */
const CORNER_STEPS = 9;

/** Candidates few enough to check one by one (holdsCorner) rather than AND further dimensions. */
const FEW_CANDIDATES = 4;

/** The widest live window (words) whose candidates firstAtCorner counts to see whether they are few. */
const FEW_WORDS = 8;

/** Index of the lowest set bit of a non-zero bigint. */
export function lowBitIndex(m: bigint): number {
  // masks of up to 32 bits (nearly all) as a number: no bigint arithmetic, which allocates
  if (m <= 0xffffffffn) {
    const x = Number(m);
    return 31 - Math.clz32(x & -x);
  }
  const low = m & -m;
  return low.toString(2).length - 1;
}

const runCache = new Map<bigint, number[]>();
const runCache32 = new Map<number, number[]>();

/**
 * A bit mask as half-open runs of bit positions [lo, hi). A hit in the memo allocates nothing
 * (flatSets asks once per cube and mask dimension): the closures bitRuns needs are made only
 * on a miss, in functions of their own (a closure over a parameter would give every call of
 * maskRuns or runs32 a context object, hit or miss: 29 MB a 100k-rule file).
 */
function maskRuns(m: bigint): number[] {
  if (m <= 0xffffffffn) return runs32(Number(m));
  return runCache.get(m) ?? remember(runCache, m, bigRuns(m));
}

/** maskRuns of a mask in [0, 2^32), with number keys (a bigint key hashes slowly). */
function runs32(x: number): number[] {
  return runCache32.get(x) ?? remember(runCache32, x, smallRuns(x));
}

function bigRuns(m: bigint): number[] {
  const s = m.toString(2); // bit b is s[n - 1 - b]
  return bitRuns(s.length, (b) => s.charCodeAt(s.length - 1 - b) === 49);
}

function smallRuns(x: number): number[] {
  return bitRuns(32, (b) => ((x >>> b) & 1) === 1);
}

/** The runs of set bits among bits 0 .. n-1, as [lo, hi) pairs. */
function bitRuns(n: number, isSet: (b: number) => boolean): number[] {
  const r: number[] = [];
  let b = 0;
  while (b < n) {
    if (isSet(b)) {
      const lo = b;
      while (b < n && isSet(b)) b++;
      r.push(lo, b);
    } else b++;
  }
  return r;
}

/** Into a bounded memo (masks repeat across the cubes of a chain). */
function remember<K>(cache: Map<K, number[]>, key: K, r: number[]): number[] {
  if (cache.size > 4096) cache.clear();
  cache.set(key, r);
  return r;
}

function numRuns(m: number): number[] {
  return runs32(m >>> 0);
}

/**
 * Index of the last boundary <= v, or -1. Two copies (number and bigint) on purpose: each stays
 * monomorphic in the query loops, where a generic one mixing both would not.
 */
function rowOfNum(b: Float64Array, v: number): number {
  let lo = 0;
  let hi = b.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (b[mid]! <= v) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

function rowOfBig(b: readonly bigint[], v: bigint): number {
  let lo = 0;
  let hi = b.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (b[mid]! <= v) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

/**
 * One dimension: the sorted distinct boundaries (elementary interval i is
 * [bounds[i], bounds[i+1]); the last one holds no cube), the cubes whose
 * membership toggles at each boundary (CSR: ids tIds[tStart[i] .. tStart[i+1])),
 * and every stride-th row of the bit matrix (checkpoint c = the cubes holding
 * elementary interval c·stride). A row is its checkpoint with the toggles since
 * applied: the matrix costs 1/stride of its full size to build and keep.
 */
interface Dim {
  tStart: Int32Array;
  tIds: Int32Array;
  cps: Int32Array;
  /** Every cube spans the whole extent [bounds[0], bounds[1]): row 0 is every cube (nothing is stored). */
  full: boolean;
}

const NO_ROWS = { tStart: new Int32Array(1), tIds: new Int32Array(0), cps: new Int32Array(0), full: true };
interface NumDim extends Dim {
  bounds: Float64Array;
}
interface BigDim extends Dim {
  bounds: bigint[];
}

/**
 * Scratch typed arrays for the index builds, one per use (a build's temporaries: the
 * positions, ranks and sort buffers), kept between builds up to SCRATCH_MAX entries. A typed
 * array's store is malloc'd outside the V8 heap and freed only when a scavenge finds its
 * wrapper dead: a file's hundreds of chain indexes, each making a dozen temporaries per
 * dimension, left tens of MB of them waiting, and the malloc heap that large. Each call
 * returns a view of its slot's buffer of length n (contents undefined unless said).
 */
const SCRATCH_MAX = 1 << 16;
const i32Slots: Int32Array[] = [];
const u32Slots: Uint32Array[] = [];
const S_START = 0;
const S_POS = 1;
const S_RANK = 2;
const S_P = 3;
const S_P2 = 4;
const S_AT = 5;
const S_OWN = 6;
const S_FILL = 7;
const S_STATE = 8;
const S_COUNT = 9;
const U_KEY = 0;
const U_K2 = 1;
let u8Slot = new Uint8Array(0);

function scratchI32(slot: number, n: number): Int32Array {
  if (n > SCRATCH_MAX) return new Int32Array(n);
  let b = i32Slots[slot];
  if (b === undefined || b.length < n) i32Slots[slot] = b = new Int32Array(Math.max(n, 1024));
  return b.subarray(0, n);
}

function scratchU32(slot: number, n: number): Uint32Array {
  if (n > SCRATCH_MAX) return new Uint32Array(n);
  let b = u32Slots[slot];
  if (b === undefined || b.length < n) u32Slots[slot] = b = new Uint32Array(Math.max(n, 1024));
  return b.subarray(0, n);
}

/** A zeroed Uint8Array of length n (its one slot). */
function scratchU8Zero(n: number): Uint8Array {
  if (n > SCRATCH_MAX) return new Uint8Array(n);
  if (u8Slot.length < n) u8Slot = new Uint8Array(Math.max(n, 1024));
  const v = u8Slot.subarray(0, n);
  v.fill(0);
  return v;
}

/**
 * Reusable stores for the typed arrays a PointIndex keeps (per number dimension: boundaries,
 * toggle starts, toggle ids, checkpoint rows), for a caller that builds many short-lived
 * indexes one after another (shadow.ts: one per chain and family; 199 chains on nft 100k).
 * An index built with an arena is valid only until the next index built with the same arena
 * builds the same dimension: the stores are overwritten, not copied.
 */
export class IndexArena {
  private readonly i32: Int32Array[] = [];
  private readonly f64: Float64Array[] = [];

  /** A view of length n of store `slot` (contents undefined). */
  ints(slot: number, n: number): Int32Array {
    let b = this.i32[slot];
    if (b === undefined || b.length < n) this.i32[slot] = b = new Int32Array(Math.max(n, 256));
    return b.subarray(0, n);
  }

  doubles(slot: number, n: number): Float64Array {
    let b = this.f64[slot];
    if (b === undefined || b.length < n) this.f64[slot] = b = new Float64Array(Math.max(n, 256));
    return b.subarray(0, n);
  }
}

/**
 * The arena and dimension of the PointIndex dimension being built (set by PointIndex.numDim
 * around buildNum, undefined otherwise): buildNum, rankSort and buildRows take their kept
 * arrays from it through keptI32/keptF64 instead of threading it through every call.
 */
let building: IndexArena | undefined;
let buildingDim = 0;

/** A zeroed Int32Array of length n to keep in the index: store `part` (0..2) of the dimension being built, or new. */
function keptI32(part: number, n: number): Int32Array {
  if (building === undefined) return new Int32Array(n);
  const v = building.ints(buildingDim * 3 + part, n);
  v.fill(0);
  return v;
}

/** A zeroed Float64Array of length n to keep in the index: the dimension's boundaries. */
function keptF64(n: number): Float64Array {
  if (building === undefined) return new Float64Array(n);
  const v = building.doubles(buildingDim, n);
  v.fill(0);
  return v;
}

/** Toggle lists and checkpoint rows from each cube's boundary indices (flat, cube by cube). */
function buildRows(m: number, at: Int32Array, owner: Int32Array, W: number, shift: number): Dim {
  const tStart = keptI32(0, m + 1);
  for (let q = 0; q < at.length; q++) tStart[at[q]! + 1]!++;
  for (let i = 0; i < m; i++) tStart[i + 1]! += tStart[i]!;
  const fill = scratchI32(S_FILL, m);
  fill.set(tStart.subarray(0, m));
  const tIds = keptI32(1, at.length);
  for (let q = 0; q < at.length; q++) tIds[fill[at[q]!]!++] = owner[q]!;
  const K = 1 << shift;
  const cps = keptI32(2, Math.max(1, (m + K - 1) >> shift) * W);
  const state = scratchI32(S_STATE, W);
  state.fill(0);
  for (let i = 0; i < m; i++) {
    for (let q = tStart[i]!; q < tStart[i + 1]!; q++) {
      const id = tIds[q]!;
      state[id >> 5]! ^= 1 << (id & 31);
    }
    if ((i & (K - 1)) === 0) for (let w = 0, o = (i >> shift) * W; w < W; w++) cps[o + w] = state[w]!;
  }
  return { tStart, tIds, cps, full: false };
}

/**
 * Values up to this (ports, protocols, bit positions) are sorted and ranked through tables:
 * SMALL_SEEN (a bitmap, all 0 between builds) and SMALL_ROW (the rank of each value seen by the
 * current build; only those entries are read).
 */
const SMALL_MAX = 65536;
const SMALL_SEEN = new Int32Array((SMALL_MAX >> 5) + 1);
const SMALL_ROW = new Int32Array(SMALL_MAX + 1);

const RADIX_COUNT = new Int32Array(256);

/**
 * keys sorted ascending, and payload (when given) moved alongside: an LSD radix sort, 8 bits a
 * pass, stable. The inputs are the sort's buffers: after the four passes the result is back in them.
 */
function radixSort32(keys: Uint32Array, payload: Int32Array | undefined): { keys: Uint32Array; payload: Int32Array | undefined } {
  const n = keys.length;
  let k1: Uint32Array = keys;
  let k2: Uint32Array = scratchU32(U_K2, n);
  let p1: Int32Array | undefined = payload;
  let p2: Int32Array | undefined = payload ? scratchI32(S_P2, n) : undefined;
  const count = RADIX_COUNT;
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(k1[i]! >>> shift) & 255]!++;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const x = count[d]!;
      count[d] = sum;
      sum += x;
    }
    for (let i = 0; i < n; i++) {
      const to = count[(k1[i]! >>> shift) & 255]!++;
      k2[to] = k1[i]!;
      if (p1 !== undefined) p2![to] = p1[i]!;
    }
    const tk = k1;
    k1 = k2;
    k2 = tk;
    const tp = p1;
    p1 = p2;
    p2 = tp;
  }
  return { keys: k1, payload: p1 };
}

/**
 * The sorted distinct values of vals[0 .. n) (vals is left as it is). IPv4 addresses (integers up to 2^32) are radix
 * sorted, 8 bits a pass: a typed array's own sort costs about 100 ns per value, and the chains'
 * address dimensions are most of the sorting.
 */
function sortDistinct(vals: Float64Array, n: number): Float64Array {
  let top = false;
  let ints = true;
  for (let i = 0; i < n && ints; i++) {
    const v = vals[i]!;
    if (v === 4294967296) top = true;
    else if (!(v >= 0 && v < 4294967296 && Math.floor(v) === v)) ints = false;
  }
  if (!ints) {
    const sorted = vals.slice(0, n).sort();
    let m = 0;
    for (let i = 0; i < n; i++) if (m === 0 || sorted[m - 1] !== sorted[i]) sorted[m++] = sorted[i]!;
    return sorted.slice(0, m);
  }
  const all = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) if (vals[i] !== 4294967296) all[k++] = vals[i]!;
  const src = radixSort32(all.subarray(0, k), undefined).keys;
  let m = 0;
  for (let i = 0; i < k; i++) if (m === 0 || src[m - 1] !== src[i]) src[m++] = src[i]!;
  const out = new Float64Array(m + (top ? 1 : 0));
  for (let i = 0; i < m; i++) out[i] = src[i]!;
  if (top) out[m] = 4294967296;
  return out;
}

/**
 * Sorts and ranks at once: the sorted distinct values of vals[pos[i]] (i < k) and, for each
 * i with pos[i] >= 0, rank[pos[i]] = the index of vals[pos[i]] among them; the keys -1 in pos
 * stand for the extra values `extra` (ranked, not written). Undefined when some value is not
 * an IPv4-sized integer (the caller then sorts and binary-searches). No pos: pos[i] = i (every
 * value; spares a long chain's StabIndex an identity array). An 8-bit radix sort of the
 * positions: a binary search per value cost about as much again as the sort.
 */
function rankSort(vals: Float64Array, pos: Int32Array | undefined, k: number, extra: readonly number[], rank: Int32Array): Float64Array | undefined {
  const n = k + extra.length;
  const key = scratchU32(U_KEY, n);
  const p = scratchI32(S_P, n);
  let top = false;
  for (let i = 0; i < n; i++) {
    const v = i < k ? vals[pos === undefined ? i : pos[i]!]! : extra[i - k]!;
    if (v === 4294967296) top = true;
    else if (!(v >= 0 && v < 4294967296 && Math.floor(v) === v)) return undefined;
  }
  // positions sorted by key; 2^32 (the end of the IPv4 space) goes last, apart
  let c = 0;
  const topAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = i < k ? (pos === undefined ? i : pos[i]!) : -1;
    const v = at >= 0 ? vals[at]! : extra[i - k]!;
    if (v === 4294967296) topAt.push(at);
    else {
      key[c] = v;
      p[c++] = at;
    }
  }
  const sorted = radixSort32(key.subarray(0, c), p.subarray(0, c));
  const keyA = sorted.keys;
  const pA = sorted.payload!;
  let m = 0;
  for (let i = 0; i < c; i++) if (i === 0 || keyA[i] !== keyA[i - 1]) m++;
  const bounds = keptF64(m + (top ? 1 : 0));
  let r = -1;
  for (let i = 0; i < c; i++) {
    if (r < 0 || keyA[i] !== bounds[r]) bounds[++r] = keyA[i]!;
    if (pA[i]! >= 0) rank[pA[i]!] = r;
  }
  if (top) {
    bounds[m] = 4294967296;
    for (const at of topAt) if (at >= 0) rank[at] = m;
  }
  return bounds;
}

/**
 * Each cube's set in one number dimension, flat: cube j's bounds are vals[start[j] .. start[j+1]).
 * (Typed arrays: the builds then read one kind of array, where the sets themselves come in several.)
 */
interface FlatSets {
  vals: Float64Array;
  start: Int32Array;
}

function buildNum(f: FlatSets, W: number, shift: number): NumDim {
  const { vals, start } = f;
  const n = start.length - 1;
  const total = vals.length;
  if (total === 0) return { bounds: new Float64Array(0), ...buildRows(0, new Int32Array(0), new Int32Array(0), W, shift) };
  // the dimension's extent; a cube spanning all of it ("full", the common case for most
  // dimensions) adds only the two extreme boundaries, so its values need no sorting
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < n; j++) {
    const s0 = start[j]!;
    const s1 = start[j + 1]!;
    if (s0 === s1) continue;
    if (vals[s0]! < lo) lo = vals[s0]!;
    if (vals[s1 - 1]! > hi) hi = vals[s1 - 1]!;
  }
  const full = scratchU8Zero(n);
  let partial = 0;
  let allFull = true;
  for (let j = 0; j < n; j++) {
    const s0 = start[j]!;
    if (start[j + 1]! - s0 === 2 && vals[s0] === lo && vals[s0 + 1] === hi) full[j] = 1;
    else {
      partial += start[j + 1]! - s0;
      allFull = false;
    }
  }
  if (allFull) return { bounds: Float64Array.of(lo, hi), ...NO_ROWS };
  // small values (protocols, ports, ICMP types, bit positions): distinct values through a
  // bitmap instead of sorting every value (most repeat); addresses: sort
  const small = lo >= 0 && hi <= SMALL_MAX && Number.isInteger(lo) && Number.isInteger(hi);
  let bounds: Float64Array;
  let rank: Int32Array | undefined;
  if (small) {
    SMALL_SEEN[lo >> 5]! |= 1 << (lo & 31);
    SMALL_SEEN[hi >> 5]! |= 1 << (hi & 31);
    let distinct = 2;
    for (let j = 0; j < n; j++) {
      if (full[j] === 1) continue;
      for (let i = start[j]!, end = start[j + 1]!; i < end; i++) {
        const v = vals[i]!;
        const bit = 1 << (v & 31);
        if ((SMALL_SEEN[v >> 5]! & bit) === 0) {
          SMALL_SEEN[v >> 5]! |= bit;
          distinct++;
        }
      }
    }
    // the bitmap's set bits, in order, are the sorted boundaries (and the words are cleared again)
    bounds = keptF64(distinct);
    let m = 0;
    for (let w = lo >> 5, wEnd = hi >> 5; w <= wEnd; w++) {
      let x = SMALL_SEEN[w]!;
      if (x === 0) continue;
      SMALL_SEEN[w] = 0;
      while (x !== 0) {
        const low = x & -x;
        const v = w * 32 + 31 - Math.clz32(low);
        SMALL_ROW[v] = m;
        bounds[m++] = v;
        x ^= low;
      }
    }
  } else {
    // addresses: the ranks of the partial sets' values come with the sort (rank[i] for vals[i])
    const pos = scratchI32(S_POS, partial);
    let k = 0;
    for (let j = 0; j < n; j++) if (full[j] === 0) for (let i = start[j]!, end = start[j + 1]!; i < end; i++) pos[k++] = i;
    rank = scratchI32(S_RANK, total);
    const sorted = rankSort(vals, pos, k, [lo, hi], rank);
    if (sorted) bounds = sorted;
    else {
      const tmp = new Float64Array(partial + 2);
      for (let i = 0; i < k; i++) tmp[i] = vals[pos[i]!]!;
      tmp[k] = lo;
      tmp[k + 1] = hi;
      bounds = sortDistinct(tmp, k + 2);
      for (let i = 0; i < k; i++) rank[pos[i]!] = rowOfNum(bounds, vals[pos[i]!]!);
    }
  }
  const m = bounds.length;
  const at = scratchI32(S_AT, total);
  const owner = scratchI32(S_OWN, total);
  let k = 0;
  for (let j = 0; j < n; j++) {
    if (full[j] === 1) {
      owner[k] = j;
      at[k++] = 0;
      owner[k] = j;
      at[k++] = m - 1;
    } else
      for (let i = start[j]!, end = start[j + 1]!; i < end; i++) {
        owner[k] = j;
        at[k++] = small ? SMALL_ROW[vals[i]!]! : rank![i]!;
      }
  }
  return { bounds, ...buildRows(m, at, owner, W, shift) };
}

function buildBig(sets: readonly (readonly bigint[])[], W: number, shift: number): BigDim {
  const s0 = sets[0];
  if (s0 && s0.length === 2 && sets.every((s) => s.length === 2 && s[0] === s0[0] && s[1] === s0[1])) return { bounds: [s0[0]!, s0[1]!], ...NO_ROWS };
  const all: bigint[] = [];
  const own: number[] = [];
  for (let j = 0; j < sets.length; j++) for (const v of sets[j]!) all.push(v), own.push(j);
  const sorted = all.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bounds: bigint[] = [];
  for (const v of sorted) if (bounds.length === 0 || bounds[bounds.length - 1] !== v) bounds.push(v);
  const at = new Int32Array(all.length);
  for (let q = 0; q < all.length; q++) at[q] = rowOfBig(bounds, all[q]!);
  return { bounds, ...buildRows(bounds.length, at, Int32Array.from(own), W, shift) };
}

/**
 * buildNum's answer for a dimension where every cube has the same one interval (the same
 * set object, or the same mask: output interfaces, source ports, ICMP types in most
 * chains), found without flattening and scanning every cube's set; undefined otherwise.
 */
function sharedDim(cubes: readonly Cube[], d: number): NumDim | undefined {
  const n = cubes.length;
  if (n === 0) return undefined;
  const c0 = cubes[0]!;
  let s: readonly number[];
  switch (d) {
    case IIF:
      for (let j = 1; j < n; j++) if (cubes[j]!.iif !== c0.iif) return undefined;
      s = maskRuns(c0.iif);
      break;
    case OIF:
      for (let j = 1; j < n; j++) if (cubes[j]!.oif !== c0.oif) return undefined;
      s = maskRuns(c0.oif);
      break;
    case CT:
      for (let j = 1; j < n; j++) if (cubes[j]!.ct !== c0.ct) return undefined;
      s = numRuns(c0.ct);
      break;
    case SPRIN:
      for (let j = 1; j < n; j++) if (cubes[j]!.sprin !== c0.sprin) return undefined;
      s = maskRuns(c0.sprin);
      break;
    default:
      s = numSet(c0, d);
      for (let j = 1; j < n; j++) if (numSet(cubes[j]!, d) !== s) return undefined;
  }
  return s.length === 2 ? { bounds: Float64Array.of(s[0]!, s[1]!), ...NO_ROWS } : undefined;
}

/** A cube's set in a number dimension (bit masks as runs of bit positions). */
function numSet(c: Cube, d: number): readonly number[] {
  switch (d) {
    case PROTO:
      return c.proto.bounds;
    case IIF:
      return maskRuns(c.iif);
    case OIF:
      return maskRuns(c.oif);
    case CT:
      return numRuns(c.ct);
    case ICMP:
      return c.icmp.bounds;
    case DPORT:
      return c.dport.bounds;
    case SPORT:
      return c.sport.bounds;
    case DST4:
      return c.dst.v4.bounds;
    case SRC4:
      return c.src.v4.bounds;
    default:
      return maskRuns(c.sprin);
  }
}

/**
 * Every cube's set in a number dimension, flat, in one pass over the cubes (each read of a
 * cube's set is a few dependent loads from objects all over the heap). The values go to a
 * scratch buffer shared by every build (a build consumes its FlatSets before the next one
 * is made), kept when small, so most chains allocate no buffer at all.
 */
function flatSets(cubes: readonly Cube[], d: number): FlatSets {
  const n = cubes.length;
  const start = scratchI32(S_START, n + 1);
  start[0] = 0;
  // most sets are one interval: room for two values a cube from the start (doubling from a
  // small buffer made a long chain's build allocate about twice its values in copies)
  let buf = flatScratch.length >= 2 * n ? flatScratch : new Float64Array(2 * n + 16);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const s = numSet(cubes[j]!, d);
    if (total + s.length > buf.length) {
      const bigger = new Float64Array(Math.max(2 * buf.length, total + s.length));
      bigger.set(buf.subarray(0, total));
      buf = bigger;
    }
    for (let i = 0; i < s.length; i++) buf[total + i] = s[i]!;
    total += s.length;
    start[j + 1] = total;
  }
  if (buf.length <= FLAT_SCRATCH_MAX) flatScratch = buf;
  return { vals: buf.subarray(0, total), start };
}

/** The largest flatSets scratch buffer kept between builds (values; 512 KB). */
const FLAT_SCRATCH_MAX = 65536;
let flatScratch = new Float64Array(4096);

export interface PointIndexOptions {
  /** log2 of the checkpoint stride (0: every row of the bit matrix is stored); default 3. */
  strideLog2?: number;
  /** Stores to reuse for the index's arrays (see IndexArena: the index is then valid only until the arena's next index). */
  arena?: IndexArena;
}

export class PointIndex {
  /** Words per bitset. */
  private readonly W: number;
  private readonly shift: number;
  /** Dimensions are built on first use: a small chain's queries often end before the last ones. */
  private readonly num: (NumDim | undefined)[] = new Array<NumDim | undefined>(NDIMS);
  private d6: BigDim | undefined;
  private s6: BigDim | undefined;
  private readonly acc: Int32Array;
  private readonly row: Int32Array;
  private readonly span: Int32Array;
  private readonly arena: IndexArena | undefined;
  /** The live window of acc during a point query: words [lo, hi) may be non-zero, the others are 0 (see `and`). */
  private lo = 0;
  private hi = 0;

  constructor(
    readonly cubes: readonly Cube[],
    options: PointIndexOptions = {},
  ) {
    const W = (this.W = Math.max(1, Math.ceil(cubes.length / 32)));
    this.shift = options.strideLog2 ?? 3;
    this.arena = options.arena;
    this.acc = new Int32Array(W);
    this.row = new Int32Array(W);
    this.span = new Int32Array(W);
  }

  private numDim(d: number): NumDim {
    return (this.num[d] ??= sharedDim(this.cubes, d) ?? this.buildNumDim(d));
  }

  private buildNumDim(d: number): NumDim {
    building = this.arena;
    buildingDim = d;
    try {
      return buildNum(flatSets(this.cubes, d), this.W, this.shift);
    } finally {
      building = undefined;
    }
  }

  private get dst6(): BigDim {
    return (this.d6 ??= buildBig(
      this.cubes.map((c) => c.dst.v6.bounds),
      this.W,
      this.shift,
    ));
  }

  private get src6(): BigDim {
    return (this.s6 ??= buildBig(
      this.cubes.map((c) => c.src.v6.bounds),
      this.W,
      this.shift,
    ));
  }

  get size(): number {
    return this.cubes.length;
  }

  /**
   * acc &= row i of the dimension; whether anything is left. Only the words of the live window
   * [lo, hi) are read and written (acc is 0 outside it), and the window then shrinks to the
   * non-zero words: after the first selective dimension (an address) a point query is down to
   * a word or two of a chain's 128, and the later dimensions copy and AND only those.
   * (The toggles since the checkpoint are applied to the whole row: a word outside the window
   * is written but never read.)
   */
  private and(dim: Dim, i: number): boolean {
    const row = this.row;
    const acc = this.acc;
    let lo = this.lo;
    let hi = this.hi;
    const c = i >> this.shift;
    const off = c * this.W;
    const cps = dim.cps;
    for (let w = lo; w < hi; w++) row[w] = cps[off + w]!;
    const { tStart, tIds } = dim;
    for (let q = tStart[(c << this.shift) + 1]!, end = tStart[i + 1]!; q < end; q++) {
      const id = tIds[q]!;
      row[id >> 5]! ^= 1 << (id & 31);
    }
    for (let w = lo; w < hi; w++) acc[w]! &= row[w]!;
    while (lo < hi && acc[lo] === 0) lo++;
    while (hi > lo && acc[hi - 1] === 0) hi--;
    this.lo = lo;
    this.hi = hi;
    return lo < hi;
  }

  private andNum(d: number, v: number): boolean {
    const dim = this.numDim(d);
    if (dim.full) return dim.bounds[0]! <= v && v < dim.bounds[1]!;
    const i = rowOfNum(dim.bounds, v);
    return i >= 0 && this.and(dim, i);
  }

  private andBig(dim: BigDim, v: bigint): boolean {
    if (dim.full) return dim.bounds[0]! <= v && v < dim.bounds[1]!;
    const i = rowOfBig(dim.bounds, v);
    return i >= 0 && this.and(dim, i);
  }

  /**
   * The earliest cube before `limit` that holds the point, or -1.
   * (The same cube as the first j < limit with cubesOverlap(cubes[j], point as a cube).)
   */
  first(p: IndexPoint, limit: number): number {
    const nw = this.start(limit);
    if (
      nw === 0 ||
      !(p.src === undefined ? this.andNum(SPRIN, p.sprin) : p.srcV6 ? this.andBig(this.src6, p.src as bigint) : this.andNum(SRC4, p.src as number)) ||
      !(p.dstV6 ? this.andBig(this.dst6, p.dst as bigint) : this.andNum(DST4, p.dst as number)) ||
      !this.andNum(DPORT, p.dport) ||
      !this.andNum(PROTO, p.proto) ||
      !this.andNum(SPORT, p.sport) ||
      !this.andNum(IIF, p.iif) ||
      !this.andNum(OIF, p.oif) ||
      !this.andNum(CT, p.ct) ||
      !this.andNum(ICMP, p.icmp)
    )
      return -1;
    return this.lowest();
  }

  /**
   * first(cornerOf(c), limit), without building the point. The dimensions are ANDed most
   * selective first; once the candidates are down to a few bits of one word (after the
   * addresses, nearly always), each is checked against the corner directly (holdsCorner), in
   * increasing order: the same answer, without reading — or building, on a chain's first
   * queries — the remaining dimensions (their lazy builds were a third of the analysis).
   */
  firstAtCorner(c: Cube, limit: number): number {
    if (this.start(limit) === 0) return -1;
    for (let step = 0; step < CORNER_STEPS; step++) {
      if (!this.andCorner(c, step)) return -1;
      if (this.fewLeft()) return this.firstHolding(c);
    }
    return this.lowest();
  }

  /** acc &= the cubes holding c's lowest corner in the step-th dimension of firstAtCorner's order; whether anything is left. */
  private andCorner(c: Cube, step: number): boolean {
    switch (step) {
      case 0: {
        const src = c.src;
        return src.isEmpty ? this.andNum(SPRIN, lowBitIndex(c.sprin)) : src.v4.isEmpty ? this.andBig(this.src6, src.v6.bounds[0]!) : this.andNum(SRC4, src.v4.bounds[0]!);
      }
      case 1:
        return c.dst.v4.isEmpty ? this.andBig(this.dst6, c.dst.v6.bounds[0]!) : this.andNum(DST4, c.dst.v4.bounds[0]!);
      case 2:
        return this.andNum(DPORT, c.dport.bounds[0]!);
      case 3:
        return this.andNum(PROTO, c.proto.bounds[0]!);
      case 4:
        return this.andNum(SPORT, c.sport.bounds[0]!);
      case 5:
        return this.andNum(IIF, lowBitIndex(c.iif));
      case 6:
        return this.andNum(OIF, lowBitIndex(c.oif));
      case 7:
        return this.andNum(CT, 31 - Math.clz32(c.ct & -c.ct));
      default:
        return this.andNum(ICMP, c.icmp.bounds[0]!);
    }
  }

  /** Whether the live window holds at most FEW_CANDIDATES cubes (counted only for a window of a few words). */
  private fewLeft(): boolean {
    if (this.hi - this.lo > FEW_WORDS) return false;
    const acc = this.acc;
    let n = 0;
    for (let w = this.lo; w < this.hi; w++) for (let x = acc[w]!; x !== 0; x &= x - 1) if (++n > FEW_CANDIDATES) return false;
    return true;
  }

  /** The earliest candidate of the live window that holds c's lowest corner, or -1. */
  private firstHolding(c: Cube): number {
    const acc = this.acc;
    for (let w = this.lo; w < this.hi; w++)
      for (let x = acc[w]!; x !== 0; x ^= x & -x) {
        const j = w * 32 + 31 - Math.clz32(x & -x);
        if (holdsCorner(this.cubes[j]!, c)) return j;
      }
    return -1;
  }

  /** acc = the cubes below limit; the number of words in play (0: none). */
  private start(limit: number): number {
    const m = Math.min(limit, this.cubes.length);
    if (m <= 0) return 0;
    const nw = (m + 31) >> 5;
    const acc = this.acc;
    acc.fill(-1, 0, nw);
    if ((m & 31) !== 0) acc[nw - 1] = (1 << (m & 31)) - 1;
    this.lo = 0;
    this.hi = nw;
    return nw;
  }

  /** The lowest set bit of acc (after point queries: within the live window). */
  private lowest(): number {
    const acc = this.acc;
    for (let w = this.lo; w < this.hi; w++) {
      const x = acc[w]!;
      if (x !== 0) return w * 32 + 31 - Math.clz32(x & -x);
    }
    return -1;
  }

  /**
   * The earliest cube numbered in [from, limit) that overlaps q, or -1. The
   * dimensions where q spans few boundaries narrow the candidates (the cubes
   * holding q's lowest value there, plus those toggling inside q's range); each
   * candidate, in order, is then checked with cubesOverlap.
   */
  firstOverlapping(q: Cube, from: number, limit: number): number {
    const nw = this.narrow(q, from, limit);
    const acc = this.acc;
    for (let w = from >> 5; w < nw; w++) {
      let x = acc[w]!;
      while (x !== 0) {
        const low = x & -x;
        const j = w * 32 + 31 - Math.clz32(low);
        if (cubesOverlap(this.cubes[j]!, q)) return j;
        x ^= low;
      }
    }
    return -1;
  }

  /** Every cube numbered below limit that overlaps q, in increasing order, appended to out. */
  overlapping(q: Cube, limit: number, out: number[]): void {
    const nw = this.narrow(q, 0, limit);
    const acc = this.acc;
    for (let w = 0; w < nw; w++) {
      let x = acc[w]!;
      while (x !== 0) {
        const low = x & -x;
        const j = w * 32 + 31 - Math.clz32(low);
        if (cubesOverlap(this.cubes[j]!, q)) out.push(j);
        x ^= low;
      }
    }
  }

  /** acc = a superset of the cubes in [from, limit) that overlap q; the words in play (0: none). */
  private narrow(q: Cube, from: number, limit: number): number {
    if (from >= Math.min(limit, this.cubes.length)) return 0;
    const nw = this.start(limit);
    const acc = this.acc;
    const w0 = from >> 5;
    acc.fill(0, 0, w0);
    acc[w0]! &= ~((1 << (from & 31)) - 1);
    const srcAddr = q.sprin === 0n;
    const srcPrin = q.src.isEmpty;
    if (
      !this.andSpan(q.dport.bounds, this.numDim(DPORT), undefined, undefined, nw) ||
      !(srcAddr ? this.andSpan(q.src.v4.bounds, this.numDim(SRC4), q.src.v6.bounds, q.src.v6.isEmpty ? undefined : this.src6, nw) : srcPrin ? this.andSpan(maskRuns(q.sprin), this.numDim(SPRIN), undefined, undefined, nw) : true) ||
      !this.andSpan(q.dst.v4.bounds, this.numDim(DST4), q.dst.v6.bounds, q.dst.v6.isEmpty ? undefined : this.dst6, nw) ||
      !this.andSpan(q.proto.bounds, this.numDim(PROTO), undefined, undefined, nw) ||
      !this.andSpan(q.sport.bounds, this.numDim(SPORT), undefined, undefined, nw) ||
      !this.andSpan(maskRuns(q.iif), this.numDim(IIF), undefined, undefined, nw) ||
      !this.andSpan(maskRuns(q.oif), this.numDim(OIF), undefined, undefined, nw) ||
      !this.andSpan(numRuns(q.ct), this.numDim(CT), undefined, undefined, nw) ||
      !this.andSpan(q.icmp.bounds, this.numDim(ICMP), undefined, undefined, nw)
    )
      return 0;
    return nw;
  }

  /**
   * acc &= the cubes that meet the set (number bounds `a` in dimension `da`, and
   * bigint bounds `b` in `db`), when that is cheap to find; whether anything is left.
   */
  private andSpan(a: readonly number[], da: NumDim, b: readonly bigint[] | undefined, db: BigDim | undefined, nw: number): boolean {
    if (da.full || (db && db.full)) return true;
    const span = this.span;
    // cost guard: many toggles inside the ranges ⇒ the set is wide, skip the dimension (the filter only narrows)
    let toggles = 0;
    for (let k = 0; k < a.length; k += 2) {
      const i1 = rowOfNum(da.bounds, a[k]!);
      const i2 = rowOfNum(da.bounds, a[k + 1]! - 1);
      toggles += da.tStart[i2 + 1]! - da.tStart[i1 + 1]!;
    }
    if (b && db)
      for (let k = 0; k < b.length; k += 2) {
        const i1 = rowOfBig(db.bounds, b[k]!);
        const i2 = rowOfBig(db.bounds, b[k + 1]! - 1n);
        toggles += db.tStart[i2 + 1]! - db.tStart[i1 + 1]!;
      }
    if (toggles > 4 * nw + 16) return true;
    span.fill(0, 0, nw);
    for (let k = 0; k < a.length; k += 2) this.orRange(da, rowOfNum(da.bounds, a[k]!), rowOfNum(da.bounds, a[k + 1]! - 1), nw);
    if (b && db) for (let k = 0; k < b.length; k += 2) this.orRange(db, rowOfBig(db.bounds, b[k]!), rowOfBig(db.bounds, b[k + 1]! - 1n), nw);
    const acc = this.acc;
    let any = 0;
    for (let w = 0; w < nw; w++) any |= acc[w]! &= span[w]!;
    return any !== 0;
  }

  /** span |= the cubes holding elementary interval i1 or toggling at a boundary in (i1, i2]. */
  private orRange(dim: Dim, i1: number, i2: number, nw: number): void {
    const span = this.span;
    const { tStart, tIds } = dim;
    if (i1 >= 0) {
      const row = this.row;
      const c = i1 >> this.shift;
      const off = c * this.W;
      for (let w = 0; w < nw; w++) row[w] = dim.cps[off + w]!;
      for (let q = tStart[(c << this.shift) + 1]!, end = tStart[i1 + 1]!; q < end; q++) {
        const id = tIds[q]!;
        row[id >> 5]! ^= 1 << (id & 31);
      }
      for (let w = 0; w < nw; w++) span[w]! |= row[w]!;
    }
    for (let q = tStart[i1 + 1]!, end = tStart[i2 + 1]!; q < end; q++) {
      const id = tIds[q]!;
      span[id >> 5]! |= 1 << (id & 31);
    }
  }
}

function lowest(s: { bounds: readonly Num[] }): Num {
  return s.bounds[0]!;
}

function addrCorner(a: AddrSet): [Num, boolean] {
  return a.v4.isEmpty ? [lowest(a.v6), true] : [lowest(a.v4), false];
}

/** The lowest corner of a non-empty cube (the packet shadow.ts's witness search tries first). */
export function cornerOf(c: Cube): IndexPoint {
  const [dst, dstV6] = addrCorner(c.dst);
  const fromAddr = !c.src.isEmpty;
  const [src, srcV6] = fromAddr ? addrCorner(c.src) : [undefined, false];
  return {
    proto: c.proto.bounds[0]!,
    iif: lowBitIndex(c.iif),
    oif: lowBitIndex(c.oif),
    ct: 31 - Math.clz32(c.ct & -c.ct),
    icmp: c.icmp.bounds[0]!,
    dport: c.dport.bounds[0]!,
    sport: c.sport.bounds[0]!,
    dst,
    dstV6,
    src,
    srcV6,
    sprin: fromAddr ? 0 : lowBitIndex(c.sprin),
  };
}

/**
 * A fully known packet of cube.ts (every field set; iif, oif, ct and sprin with
 * one bit each) as an index point.
 */
export function indexPointOf(p: Required<Point>, srcFromPrincipal: boolean): IndexPoint {
  const v6 = p.family === 'ipv6';
  return {
    proto: p.proto,
    iif: lowBitIndex(p.iif),
    oif: lowBitIndex(p.oif),
    ct: 31 - Math.clz32(p.ct & -p.ct),
    icmp: p.icmp,
    dport: p.dport,
    sport: p.sport,
    dst: p.dst,
    dstV6: v6,
    src: srcFromPrincipal ? undefined : p.src,
    srcV6: v6,
    sprin: srcFromPrincipal ? lowBitIndex(p.sprin) : 0,
  };
}

/**
 * Elementary intervals a cube may span in one dimension and still be listed under each of
 * them in a StabIndex; wider cubes go to the dimension's `wide` list.
 */
const STAB_SPAN = 8;

/**
 * One StabIndex dimension: the sorted distinct boundaries of every cube's sets, per elementary
 * interval i the narrow cubes holding it (CSR: ids[off[i] .. off[i+1]), ascending), and the
 * wide cubes (ascending).
 */
interface StabDim {
  bounds: Float64Array;
  off: Int32Array;
  ids: Int32Array;
  wide: Int32Array;
}

function buildStab(f: FlatSets): StabDim {
  const { vals, start } = f;
  const n = start.length - 1;
  const total = vals.length;
  const rank = scratchI32(S_RANK, total);
  let bounds = rankSort(vals, undefined, total, [], rank);
  if (!bounds) {
    bounds = sortDistinct(vals, total);
    for (let q = 0; q < total; q++) rank[q] = rowOfNum(bounds, vals[q]!);
  }
  const m = bounds.length;
  const count = scratchI32(S_COUNT, m + 1);
  count.fill(0);
  const isWide = scratchU8Zero(n);
  let nWide = 0;
  for (let j = 0; j < n; j++) {
    const s0 = start[j]!;
    const s1 = start[j + 1]!;
    let span = 0;
    for (let i = s0; i < s1; i += 2) span += rank[i + 1]! - rank[i]!;
    if (span > STAB_SPAN) {
      isWide[j] = 1;
      nWide++;
    } else for (let i = s0; i < s1; i += 2) for (let e = rank[i]!; e < rank[i + 1]!; e++) count[e + 1]!++;
  }
  for (let e = 0; e < m; e++) count[e + 1]! += count[e]!;
  const off = count.slice();
  const ids = new Int32Array(off[m]!);
  const wide = new Int32Array(nWide);
  nWide = 0;
  for (let j = 0; j < n; j++) {
    if (isWide[j] === 1) wide[nWide++] = j;
    else for (let i = start[j]!, s1 = start[j + 1]!; i < s1; i += 2) for (let e = rank[i]!; e < rank[i + 1]!; e++) ids[count[e]!++] = j;
  }
  return { bounds, off, ids, wide };
}

/** Whether a bit mask (bigint) has bit b (b < 0: no bit). */
function hasBit(mask: bigint, b: number): boolean {
  if (b < 0) return false;
  if (b < 32 && mask <= 0xffffffffn) return ((Number(mask) >>> b) & 1) === 1;
  return ((mask >> BigInt(b)) & 1n) === 1n;
}

/**
 * One packet, as the indexes' exact test (holdsKeys) reads it: per dimension one value. Where from
 * is an IPv4 address (fromKind FROM_V4, from4), an IPv6 address (FROM_V6, from6) or a principal's
 * bit (FROM_PRIN, fromBit); the destination an IPv4 (dst6 undefined, dst4) or IPv6 address (dst6);
 * interfaces as bit positions (-1: none), the conntrack state as its bit.
 */
export class Keys {
  fromKind = FROM_V4;
  from4 = 0;
  from6 = 0n;
  fromBit = 0;
  dst4 = 0;
  dst6: bigint | undefined = undefined;
  dport = 0;
  proto = 0;
  sport = 0;
  icmp = 0;
  iif = 0;
  oif = 0;
  ct = 0;
}
export const FROM_V4 = 1;
export const FROM_V6 = 2;
export const FROM_PRIN = 4;

/** k = the lowest corner of the non-empty cube r (the packet PointIndex.firstAtCorner looks up). */
export function cornerKeys(r: Cube, k: Keys): void {
  const rs = r.src;
  if (rs.isEmpty) {
    k.fromKind = FROM_PRIN;
    k.fromBit = lowBitIndex(r.sprin);
  } else if (rs.v4.isEmpty) {
    k.fromKind = FROM_V6;
    k.from6 = rs.v6.bounds[0]!;
  } else {
    k.fromKind = FROM_V4;
    k.from4 = rs.v4.bounds[0]!;
  }
  const rd = r.dst;
  if (rd.v4.isEmpty) k.dst6 = rd.v6.bounds[0]!;
  else {
    k.dst6 = undefined;
    k.dst4 = rd.v4.bounds[0]!;
  }
  k.dport = r.dport.bounds[0]!;
  k.proto = r.proto.bounds[0]!;
  k.sport = r.sport.bounds[0]!;
  k.iif = lowBitIndex(r.iif);
  k.oif = lowBitIndex(r.oif);
  k.ct = r.ct & -r.ct;
  k.icmp = r.icmp.bounds[0]!;
}

/**
 * k = the lowest corner of a ∩ b (cornerKeys of intersectCube(a, b)), without building the
 * intersection; false when a and b do not meet (cubesOverlap). The shadow analysis asks it for
 * each earlier cube it may name as a coverer: most are named on this packet alone.
 */
export function meetCornerKeys(a: Cube, b: Cube, k: Keys): boolean {
  const ct = a.ct & b.ct;
  if (ct === 0) return false;
  const iif = commonLowBit(a.iif, b.iif);
  const oif = commonLowBit(a.oif, b.oif);
  if (iif < 0 || oif < 0) return false;
  const dport = lowestCommon(a.dport.bounds, b.dport.bounds);
  const proto = lowestCommon(a.proto.bounds, b.proto.bounds);
  const sport = lowestCommon(a.sport.bounds, b.sport.bounds);
  const icmp = lowestCommon(a.icmp.bounds, b.icmp.bounds);
  if (dport < 0 || proto < 0 || sport < 0 || icmp < 0) return false;
  const ad = a.dst;
  const bd = b.dst;
  const d4 = lowestCommon(ad.v4.bounds, bd.v4.bounds);
  if (d4 >= 0) {
    k.dst6 = undefined;
    k.dst4 = d4;
  } else {
    const d6 = lowestCommonBig(ad.v6.bounds, bd.v6.bounds);
    if (d6 < 0n) return false;
    k.dst6 = d6;
  }
  // where from: the addresses both have, else (none: an empty address set) the principals
  const as = a.src;
  const bs = b.src;
  const s4 = lowestCommon(as.v4.bounds, bs.v4.bounds);
  if (s4 >= 0) {
    k.fromKind = FROM_V4;
    k.from4 = s4;
  } else {
    const s6 = lowestCommonBig(as.v6.bounds, bs.v6.bounds);
    if (s6 >= 0n) {
      k.fromKind = FROM_V6;
      k.from6 = s6;
    } else {
      const p = commonLowBit(a.sprin, b.sprin);
      if (p < 0) return false;
      k.fromKind = FROM_PRIN;
      k.fromBit = p;
    }
  }
  k.dport = dport;
  k.proto = proto;
  k.sport = sport;
  k.icmp = icmp;
  k.iif = iif;
  k.oif = oif;
  k.ct = ct & -ct;
  return true;
}

/** The lowest bit position two masks share, or -1 (lowBitIndex of a & b). */
function commonLowBit(a: bigint, b: bigint): number {
  if (a === b) return lowBitIndex(a);
  if (a <= 0xffffffffn && b <= 0xffffffffn) {
    // (32-bit masks as numbers: no bigint arithmetic, which allocates)
    const x = Number(a) & Number(b);
    return x === 0 ? -1 : 31 - Math.clz32(x & -x);
  }
  const m = a & b;
  return m === 0n ? -1 : lowBitIndex(m);
}

/** The lowest value in both of two sets of numbers (sorted bounds of half-open intervals), or -1. Two copies, number and bigint: each stays monomorphic. */
function lowestCommon(A: readonly number[], B: readonly number[]): number {
  if (A === B) return A.length > 0 ? A[0]! : -1;
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    const lo = A[i]! > B[j]! ? A[i]! : B[j]!;
    if (lo < A[i + 1]! && lo < B[j + 1]!) return lo;
    if (A[i + 1]! <= B[j + 1]!) i += 2;
    else j += 2;
  }
  return -1;
}

function lowestCommonBig(A: readonly bigint[], B: readonly bigint[]): bigint {
  if (A === B) return A.length > 0 ? A[0]! : -1n;
  let i = 0;
  let j = 0;
  while (i < A.length && j < B.length) {
    const lo = A[i]! > B[j]! ? A[i]! : B[j]!;
    if (lo < A[i + 1]! && lo < B[j + 1]!) return lo;
    if (A[i + 1]! <= B[j + 1]!) i += 2;
    else j += 2;
  }
  return -1n;
}

/** Whether cube c holds the packet k. */
export function holdsKeys(c: Cube, k: Keys): boolean {
  const kind = k.fromKind;
  if (kind === FROM_PRIN) {
    if (!hasBit(c.sprin, k.fromBit)) return false;
  } else if (kind === FROM_V6 ? !c.src.v6.has(k.from6) : !c.src.v4.has(k.from4)) return false;
  const d6 = k.dst6;
  if (d6 !== undefined ? !c.dst.v6.has(d6) : !c.dst.v4.has(k.dst4)) return false;
  return (
    c.dport.has(k.dport) &&
    c.proto.has(k.proto) &&
    c.sport.has(k.sport) &&
    hasBit(c.iif, k.iif) &&
    hasBit(c.oif, k.oif) &&
    (c.ct & k.ct) !== 0 &&
    c.icmp.has(k.icmp)
  );
}

const cornerScratch = new Keys();

/** Whether cube c holds the lowest corner of the non-empty cube r (the packet PointIndex.firstAtCorner looks up). */
export function holdsCorner(c: Cube, r: Cube): boolean {
  cornerKeys(r, cornerScratch);
  return holdsKeys(c, cornerScratch);
}

/**
 * The same answers as PointIndex (firstAtCorner, overlapping) for long chains (tens of
 * thousands of cubes), where a bitset per elementary interval would cost too much: per
 * dimension, each elementary interval lists the narrow cubes that hold it, and the wide cubes
 * are listed apart. A query takes the dimension with the shortest lists for its value (a
 * host's per-address rules: the one address), and checks those cubes in order. Memory is
 * about STAB_SPAN ids per cube per dimension at most; a query costs the lists it reads, so
 * a chain where every dimension has a long list should not use it (see `worstRead`).
 * IPv6 addresses are not indexed (their cubes are found through the other dimensions).
 */
export class StabIndex {
  private readonly dims: (StabDim | undefined)[] = new Array<StabDim | undefined>(NDIMS);
  private stamp: Int32Array | undefined;
  private epoch = 0;

  constructor(readonly cubes: readonly Cube[]) {}

  private dim(d: number): StabDim {
    return (this.dims[d] ??= buildStab(flatSets(this.cubes, d)));
  }

  get size(): number {
    return this.cubes.length;
  }

  /**
   * The fewest cubes a query may read in a dimension, at worst: over the dimensions, the
   * least of (wide cubes + the longest list of an elementary interval), over the dimensions
   * some cube has a value in. Builds every dimension.
   */
  worstRead(): number {
    let min = Infinity;
    for (let d = 0; d < NDIMS; d++) min = Math.min(min, this.dimWorst(d));
    return min;
  }

  /**
   * worstRead() <= max, building the dimensions (most selective first) only until one
   * qualifies: each costs a pass over every cube, and the queries read one dimension
   * (a host's 94k-cube chain: the source addresses; the other nine were built for nothing).
   */
  readsAtMost(max: number): boolean {
    for (const d of CORNER_DIMS) if (this.dimWorst(d) <= max) return true;
    return false;
  }

  /** Wide cubes + the longest list of the dimension, or Infinity when no cube has a value in it. */
  private dimWorst(d: number): number {
    const { off, wide } = this.dim(d);
    let longest = 0;
    for (let e = 0; e + 1 < off.length; e++) longest = Math.max(longest, off[e + 1]! - off[e]!);
    // a dimension no cube has a value in (principals outside the cloud) answers no query
    return wide.length + off[off.length - 1]! > 0 ? wide.length + longest : Infinity;
  }

  /** The earliest cube before `limit` that holds the lowest corner of the non-empty cube c, or -1 (as PointIndex.firstAtCorner). */
  firstAtCorner(c: Cube, limit: number): number {
    limit = Math.min(limit, this.cubes.length);
    if (limit <= 0) return -1;
    // the dimension with the fewest cubes to read for the corner's value
    let best = Infinity;
    let bestDim: StabDim | undefined;
    let bestRow = -1;
    for (let q = 0; q < CORNER_DIMS.length && best > 4; q++) {
      const d = CORNER_DIMS[q]!;
      if (best <= LAZY_READ && this.dims[d] === undefined) continue;
      const v = cornerValue(c, d);
      if (v === undefined) continue;
      const dim = this.dim(d);
      if (dim.wide.length >= best) continue;
      const m = dim.bounds.length;
      const i = rowOfNum(dim.bounds, v);
      const narrow = i >= 0 && i < m - 1 ? dim.off[i + 1]! - dim.off[i]! : 0;
      if (narrow + dim.wide.length < best) {
        best = narrow + dim.wide.length;
        bestDim = dim;
        bestRow = narrow > 0 ? i : -1;
      }
    }
    const dim = bestDim!;
    let found = limit;
    if (bestRow >= 0)
      for (let q = dim.off[bestRow]!, end = dim.off[bestRow + 1]!; q < end; q++) {
        const j = dim.ids[q]!;
        if (j >= found) break;
        if (holdsCorner(this.cubes[j]!, c)) {
          found = j;
          break;
        }
      }
    const wide = dim.wide;
    for (let q = 0; q < wide.length; q++) {
      const j = wide[q]!;
      if (j >= found) break;
      if (holdsCorner(this.cubes[j]!, c)) {
        found = j;
        break;
      }
    }
    return found < limit ? found : -1;
  }

  /** Every cube numbered below limit that overlaps q, in increasing order, appended to out (as PointIndex.overlapping). */
  overlapping(q: Cube, limit: number, out: number[]): void {
    limit = Math.min(limit, this.cubes.length);
    if (limit <= 0) return;
    let best = Infinity;
    let bestDim: StabDim | undefined;
    let bestSet: readonly number[] = [];
    // the built dimensions first; the others only when those leave many cubes to read
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < NDIMS; k++) {
        const built = this.dims[k] !== undefined;
        if (pass === 0 ? !built : built || best <= LAZY_READ) continue;
        const s = regionSet(q, k);
        if (s === undefined) continue;
        const dim = this.dim(k);
        if (dim.wide.length >= best) continue;
        let cost = dim.wide.length;
        for (let i = 0; i < s.length; i += 2) {
          const [e1, e2] = elementaryRange(dim.bounds, s[i]!, s[i + 1]!);
          if (e1 <= e2) cost += dim.off[e2 + 1]! - dim.off[e1]!;
        }
        if (cost < best) {
          best = cost;
          bestDim = dim;
          bestSet = s;
        }
      }
    const dim = bestDim!;
    const stamp = (this.stamp ??= new Int32Array(this.cubes.length));
    const epoch = ++this.epoch;
    const got: number[] = [];
    const consider = (j: number) => {
      if (j < limit && stamp[j] !== epoch) {
        stamp[j] = epoch;
        if (cubesOverlap(this.cubes[j]!, q)) got.push(j);
      }
    };
    for (let i = 0; i < bestSet.length; i += 2) {
      const [e1, e2] = elementaryRange(dim.bounds, bestSet[i]!, bestSet[i + 1]!);
      for (let p = e1 <= e2 ? dim.off[e1]! : 0, end = e1 <= e2 ? dim.off[e2 + 1]! : 0; p < end; p++) consider(dim.ids[p]!);
    }
    for (let p = 0; p < dim.wide.length; p++) consider(dim.wide[p]!);
    got.sort((a, b) => a - b);
    for (const j of got) out.push(j);
  }
}

/**
 * A query that has found a dimension where it reads at most this many cubes does not build
 * another dimension to read fewer (a build is a pass over every cube of the chain).
 */
const LAZY_READ = 64;

/** Dimensions tried for a corner, most selective first (as in PointIndex.firstAtCorner). */
const CORNER_DIMS = [SRC4, SPRIN, DST4, DPORT, PROTO, SPORT, IIF, OIF, CT, ICMP];

/** The corner's value in a number dimension, or undefined when the corner is not in it (IPv6, or the other kind of source). */
function cornerValue(c: Cube, d: number): number | undefined {
  switch (d) {
    case SRC4:
      return c.src.isEmpty || c.src.v4.isEmpty ? undefined : c.src.v4.bounds[0]!;
    case SPRIN:
      return c.src.isEmpty ? lowBitIndex(c.sprin) : undefined;
    case DST4:
      return c.dst.v4.isEmpty ? undefined : c.dst.v4.bounds[0]!;
    case DPORT:
      return c.dport.bounds[0]!;
    case PROTO:
      return c.proto.bounds[0]!;
    case SPORT:
      return c.sport.bounds[0]!;
    case IIF:
      return lowBitIndex(c.iif);
    case OIF:
      return lowBitIndex(c.oif);
    case CT:
      return 31 - Math.clz32(c.ct & -c.ct);
    default:
      return c.icmp.bounds[0]!;
  }
}

/**
 * q's set in a number dimension when it says which cubes can overlap q (undefined: an address
 * dimension where q also has IPv6 addresses, or a source dimension q does not use).
 */
function regionSet(q: Cube, d: number): readonly number[] | undefined {
  switch (d) {
    case SRC4:
      return q.sprin === 0n && q.src.v6.isEmpty ? q.src.v4.bounds : undefined;
    case SPRIN:
      return q.src.isEmpty ? maskRuns(q.sprin) : undefined;
    case DST4:
      return q.dst.v6.isEmpty ? q.dst.v4.bounds : undefined;
    case DPORT:
      return q.dport.bounds;
    case PROTO:
      return q.proto.bounds;
    case SPORT:
      return q.sport.bounds;
    case IIF:
      return maskRuns(q.iif);
    case OIF:
      return maskRuns(q.oif);
    case CT:
      return numRuns(q.ct);
    default:
      return q.icmp.bounds;
  }
}

/** The elementary intervals [e1, e2] of a dimension's boundaries that meet [a, b) (e1 > e2: none). */
function elementaryRange(bounds: Float64Array, a: number, b: number): [number, number] {
  const e1 = Math.max(0, rowOfNum(bounds, a));
  const e2 = Math.min(bounds.length - 2, rowOfNum(bounds, b - 1));
  return [e1, e2];
}
