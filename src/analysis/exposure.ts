/**
 * The exposure engine: which NEW connections a ruleset accepts, computed
 * symbolically over cubes of the packet space, three-valued.
 *
 * Every chain is evaluated on a region of "flows" (cube + metadata). A rule
 * whose match is undecidable splits nothing: the part of the region it may
 * match both takes the rule's verdict and continues, and both copies are tagged
 * with the reason. A packet in an untagged flow therefore lies in exactly one
 * flow (its path is decided); tagged flows are where MayAccept and MayNotAccept
 * can meet, so only those are intersected at the end:
 *   open = MayAccept \ MayNotAccept, possibly-open = MayAccept ∩ MayNotAccept.
 */
import {
  AddrSet,
  DOCUMENT_START,
  formatPorts,
  IntervalSet,
  PORT_PROTOCOLS,
  type Action,
  type Chain,
  type Family,
  type NumSet,
  type Rule,
  type Ruleset,
  type Table,
  applyMarkOp,
  ARRIVAL_MARKS,
  forgetPacketBits,
  markKey,
  type MarkOp,
  type MarkState,
} from '../model/index.js';
import { RuleCompiler, mayIn, mustIn, rulesetFacts, spaceFor, tableCarries, undecidedLine } from './compile.js';
import {
  Box,
  copyCube,
  CubeIndex,
  ctBit,
  ctWithDnat,
  cubeHas,
  cubeContains,
  cubesOverlap,
  intersectCube,
  portsLeft,
  subtractCube,
  cubeIsEmpty,
  withRoom,
  type Cube,
  type Point,
  type Space,
} from './cube.js';
import type { Exposure, ExposureEntry, Reason } from './types.js';

/**
 * Where a flow was accepted: shared by the flows accepted in one evaluation of a chain (the accepting rule is the
 * flow's own field — one object per accepting rule was 56 B for each of iptables-host-100k's 83k accepting rules,
 * kept, and promoted, until the entries are made).
 */
interface Attr {
  chain: Chain;
  table: Table;
  /** By a rule (the flow's `rule`), not by a policy. */
  explicit: boolean;
}

interface Via {
  rule: Rule;
  to: string;
  orig: Cube;
  toAddrs?: AddrSet;
  toPorts?: NumSet;
  /** REDIRECT: delivered locally, so the output interface is none. */
  redirect?: boolean;
  /** What this NAT and the ones before it rewrote: 1 the destination address, 2 the port (orig holds the arrival's). */
  rewrote: number;
}

const TCP = 6;
const UDP = 17;

/** The loopback addresses: 127.0.0.0/8 and ::1. */
const LOOPBACK = AddrSet.parse('127.0.0.0/8')!.union(AddrSet.parse('::1/128')!);

/** The loopback addresses a NAT took packets sent to, when it took no others (ExposureEntry.via.loopback). */
function toLoopback(via: Via, family: Family): string | undefined {
  const dst = via.orig.dst.only(family);
  return !dst.isEmpty && dst.subtract(LOOPBACK).isEmpty ? dst.toCidrs().join(', ') : undefined;
}

/** Protocol classes of a set: 1 TCP, 2 UDP, 4 anything else. */
function protoMask(s: NumSet): number {
  const b = s.bounds;
  let m = 0;
  for (let i = 0; i < b.length; i += 2) {
    const lo = b[i]!;
    const hi = b[i + 1]!;
    let n = hi - lo;
    if (lo <= TCP && TCP < hi) {
      m |= 1;
      n--;
    }
    if (lo <= UDP && UDP < hi) {
      m |= 2;
      n--;
    }
    if (n > 0) m |= 4;
  }
  return m;
}

/** Input interface atoms as an integer when they fit in 31 bits, else -1 (unknown: no shortcut). */
function ifMask(m: bigint): number {
  return m < 0x80000000n ? Number(m) : -1;
}

/**
 * The destination ports a set touches, coarsely: bit k for the ports k·2048 … k·2048+2047 (32 bits, all set for
 * a full set and for the holes of portless protocols). Two cubes whose signatures share no bit cannot overlap.
 */
function portSig(s: NumSet): number {
  const b = s.bounds;
  let m = 0;
  for (let i = 0; i < b.length && m !== -1; i += 2) {
    const lo = Math.min(31, Math.max(0, b[i]! >> 11));
    const hi = Math.min(31, Math.max(0, (b[i + 1]! - 1) >> 11));
    // bits lo..hi (1 << 32 would be 1: the top bit's run is written as -1)
    m |= (hi === 31 ? -1 : (1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
  }
  return m;
}

/**
 * The destination addresses a set touches, coarsely: bit k for the IPv4 addresses whose top five bits are k (a /5
 * each); all bits when it holds IPv6 addresses (not told apart). Two cubes whose signatures share no bit cannot overlap.
 */
function dstSig(s: AddrSet): number {
  if (!s.v6.isEmpty) return -1;
  const b = s.v4.bounds;
  let m = 0;
  for (let i = 0; i < b.length && m !== -1; i += 2) {
    // (>>> 27: the top five bits of an address below 2^32, read unsigned)
    const lo = b[i]! >>> 27;
    const hi = (b[i + 1]! - 1) >>> 27;
    m |= (hi === 31 ? -1 : (1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
  }
  return m;
}

/** The port signatures of pieces, united. */
function piecesPortSig(pieces: readonly Cube[]): number {
  let m = 0;
  for (let i = 0; i < pieces.length; i++) m |= portSig(pieces[i]!.dport);
  return m;
}

/** The destination signatures of pieces, united. */
function piecesDstSig(pieces: readonly Cube[]): number {
  let m = 0;
  for (let i = 0; i < pieces.length; i++) m |= dstSig(pieces[i]!.dst);
  return m;
}

/** A log this long reserves room for the rest of its chain (HoleLog.push). */
const RESERVE_FROM = 4096;

/**
 * Below this many holes a log is scanned; above, it is queried through a spatial index. A scan step is a few array
 * reads (the signatures), an indexed hole a CubeIndex entry with its keys in every dimension: the chain logs of
 * iptables-100k and nftables-100k (up to ~300 holes) built 20k and 34k such entries for indexes that were then found
 * not selective (the scan ran anyway), while iptables-host-100k's one long log still answers through its index.
 */
const SCAN_LIMIT = 512;

/**
 * An append-only log of holes (cubes to cut out), shared by the successive versions of a flow:
 * a flow owns a prefix of a log. Each entry keeps its protocol classes and input interfaces
 * as small integers (most holes of a flow are passed over on those alone); long logs are
 * indexed, so that a flow after thousands of per-address rules does not scan them all.
 */
class HoleLog {
  /** The holes (the first `size`: a long log has room reserved beyond, see push). */
  cubes: Cube[] = [];
  size = 0;
  private im: number[] = [];
  /**
   * The holes' port signatures (portSig): a scan passes over a hole whose ports miss those of the pieces being cut
   * without reading the hole — after its first cuts a flow is often down to a port or two that most of the holes'
   * port ranges miss (iptables-100k: 486k holes scanned for 26k accepted flows, 30k of them cut something).
   */
  private ps: number[] = [];
  /**
   * The holes' destination signatures (dstSig), read as ps: accepted flows of per-destination rules (`-d net/8 -p tcp
   * --dport lo:hi`) meet the holes of earlier such rules in their ports and not in their destinations (iptables-100k:
   * 165k of the 190k holes that passed the port signature and cut nothing).
   */
  private ds: number[] = [];
  /** Ids by protocol classes (1 TCP, 2 UDP, 4 other, and their unions), ascending: the first nByClass[k] of each (then undefined). */
  private readonly byClass: number[][] = [[], [], [], [], [], [], [], []];
  private readonly nByClass: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  /**
   * Spatial indexes, one per exact protocol-class mask (1..7) over that mask's holes, built on a
   * class's first query: a TCP flow never reads the holes of `! -p tcp` rules (wide in port and
   * address, they would be tested on every query), and classes no flow asks about are not indexed.
   */
  private readonly indexes: ({ idx: CubeIndex<Cube>; done: number } | undefined)[] = [];
  /** The indexes are not tried again before the log reaches this length (they were not selective). */
  private retryAt = 0;
  private readonly found: number[] = [];
  private readonly local: number[] = [];
  /** The class lists of the scan under way (the first nl of lists) and the position in each. */
  private readonly lists: number[][] = [];
  private readonly pos: number[] = [];
  private nl = 0;

  /**
   * Append a hole. `more`: how many more the caller may append (the rest of its chain), so that a long log
   * reserves room instead of growing by halves — each step a dead copy, in large-object space past 16k
   * entries, that only a full GC frees (iptables-host-100k: one log of 96k holes, 4.5 MB of such copies).
   */
  push(c: Cube, more = 0): void {
    const id = this.size;
    if (id >= RESERVE_FROM && id === this.cubes.length && more > 0) this.reserve(Math.min(more, 4 * id));
    const pm = protoMask(c.proto);
    this.byClass[pm]![this.nByClass[pm]!++] = id;
    this.cubes[id] = c;
    this.im[id] = ifMask(c.iif);
    this.ps[id] = portSig(c.dport);
    this.ds[id] = dstSig(c.dst);
    this.size = id + 1;
  }

  /** Room for extra more holes (the class lists: in proportion to their share so far). */
  private reserve(extra: number): void {
    const size = this.size;
    this.cubes = withRoom(this.cubes, size, size + extra, undefined as unknown as Cube);
    this.im = withRoom(this.im, size, size + extra, 0);
    this.ps = withRoom(this.ps, size, size + extra, 0);
    this.ds = withRoom(this.ds, size, size + extra, 0);
    for (let k = 1; k < 8; k++) {
      const n = this.nByClass[k]!;
      if (n > 0) this.byClass[k] = withRoom(this.byClass[k]!, n, n + Math.ceil((extra * n) / size), undefined as unknown as number);
    }
  }

  /**
   * Ids below n of the holes overlapping q found through the indexes of the classes q meets,
   * ascending, in this.found; false when an index is not selective (a quarter of the prefix at most).
   */
  private indexed(q: Cube, n: number, pm: number): boolean {
    const found = this.found;
    found.length = 0;
    for (let k = 1; k < 8; k++) {
      const ids = this.byClass[k]!;
      const nk = this.nByClass[k]!;
      if ((k & pm) === 0 || nk === 0 || ids[0]! >= n) continue;
      let x = this.indexes[k];
      // lean (the answer is sorted below); classes 1-3 hold only TCP and UDP: no protocol dimension;
      // bare: only ids are read back
      if (!x) this.indexes[k] = x = { idx: new CubeIndex<Cube>({ lean: true, noProto: k <= 3, bare: true }), done: 0 };
      // the index's ids are positions in ids (its holes are added in that order, never removed); room as in ids
      if (ids.length > nk) x.idx.reserve(ids.length);
      for (; x.done < nk; x.done++) x.idx.add(this.cubes[ids[x.done]!]!);
      const local = this.local;
      local.length = 0;
      if (!x.idx.query(q, local, n / 4)) return false;
      for (let i = 0; i < local.length; i++) {
        const id = ids[local[i]!]!;
        if (id < n) found.push(id);
      }
    }
    if (found.length > 1) found.sort((x, y) => x - y);
    return true;
  }

  /** Ids below n of the holes that overlap q, ascending. */
  overlapping(q: Cube, n: number, pm: number, im: number, out: number[]): void {
    if (n > SCAN_LIMIT && n >= this.retryAt) {
      if (this.indexed(q, n, pm)) {
        pushAll(out, this.found);
        return;
      }
      // else scan, and do not try again before the log has grown by half
      this.retryAt = this.size + (this.size >> 1);
    }
    // scan the holes whose protocol classes meet the query's, in id order
    this.begin(pm);
    const ps = portSig(q.dport);
    const ds = dstSig(q.dst);
    for (let id = this.nextId(n, im, ps, ds); id >= 0; id = this.nextId(n, im, ps, ds)) if (cubesOverlap(this.cubes[id]!, q)) out.push(id);
  }

  /**
   * q's pieces with the holes below n cut out (q's holes in this log; pieces ⊆ q). Scanned
   * holes are tested against what is left rather than against q: once the first holes have
   * cut the pieces down, most of the rest miss them.
   */
  cut(q: Cube, n: number, pm: number, im: number, pieces: Cube[]): Cube[] {
    if (n > SCAN_LIMIT && n >= this.retryAt) {
      const ids: number[] = [];
      this.overlapping(q, n, pm, im, ids);
      for (let k = 0; k < ids.length && pieces.length > 0; k++) pieces = cutOne(pieces, this.cubes[ids[k]!]!);
      return pieces;
    }
    this.begin(pm);
    // (the signatures of what is left: a hole that misses them is passed over, as cutOne would leave the pieces alone)
    let ps = piecesPortSig(pieces);
    let ds = piecesDstSig(pieces);
    // While what is left is one cube (nearly always), a hole that only takes destination ports from it takes them from
    // `ports` (portsLeft): the cube with its ports cut is built once, when another kind of hole comes or at the end.
    let one = pieces.length === 1 ? pieces[0]! : undefined;
    let ports = one?.dport;
    for (let id = this.nextId(n, im, ps, ds); id >= 0; id = this.nextId(n, im, ps, ds)) {
      const x = this.cubes[id]!;
      if (one !== undefined) {
        const left = portsLeft(one, ports!, x);
        if (left === ports) continue;
        if (left !== undefined) {
          if (left.isEmpty) return [];
          ports = left;
          ps = portSig(left);
          continue;
        }
        pieces = [withPorts(one, ports!)];
        one = undefined;
      }
      const next = cutOne(pieces, x);
      if (next !== pieces) {
        pieces = next;
        if (pieces.length === 0) return pieces;
        ps = piecesPortSig(pieces);
        ds = piecesDstSig(pieces);
      }
      if (pieces.length === 1) {
        one = pieces[0]!;
        ports = one.dport;
      }
    }
    return one !== undefined && ports !== one.dport ? [withPorts(one, ports!)] : pieces;
  }

  /** Start a scan of the holes whose protocol classes meet pm, in id order (a merge of the class lists). */
  private begin(pm: number): void {
    // (lists and pos are overwritten, not emptied: an array emptied by `length = 0` loses its store)
    let nl = 0;
    for (let c = 1; c < 8; c++)
      if ((c & pm) !== 0 && this.nByClass[c]! > 0) {
        this.lists[nl] = this.byClass[c]!;
        this.pos[nl++] = 0;
      }
    this.nl = nl;
  }

  /** The next hole id below n whose input interfaces may meet im, ports the signature ps and destinations ds, or -1. */
  private nextId(n: number, im: number, ps: number, ds: number): number {
    const lists = this.lists;
    const pos = this.pos;
    for (;;) {
      let best = -1;
      let id = n;
      for (let k = 0; k < this.nl; k++) {
        const v = lists[k]![pos[k]!];
        if (v !== undefined && v < id) {
          id = v;
          best = k;
        }
      }
      if (best < 0) return -1;
      pos[best]!++;
      const hm = this.im[id]!;
      if (hm >= 0 && im >= 0 && (hm & im) === 0) continue;
      if ((this.ps[id]! & ps) === 0 || (this.ds[id]! & ds) === 0) continue;
      return id;
    }
  }
}

/** c with its destination ports made `ports` (c itself when they are its own). */
function withPorts(c: Cube, ports: NumSet): Cube {
  if (ports === c.dport) return c;
  const b = copyCube(c);
  b.dport = ports;
  return b;
}

/** pieces minus x (the same list when x misses them all: no list is built for a miss). */
function cutOne(pieces: Cube[], x: Cube): Cube[] {
  let hit = false;
  for (let i = 0; i < pieces.length && !hit; i++) hit = cubesOverlap(pieces[i]!, x);
  if (!hit) return pieces;
  const next: Cube[] = [];
  for (const p of pieces) subtractCube(p, x, next);
  return next;
}

/**
 * A flow's holes: the first n entries of a log, then those of the segment it continues (`up`).
 * A flow's own (top) segment is counted by the flow (Flow.hn), not by its n: a flow that takes one
 * more hole at the end of its log is a new flow with hn + 1, and no new segment object.
 */
interface Holes {
  log: HoleLog;
  n: number;
  up: Holes | undefined;
}

/** The segment h with its count made hn (to be continued by another segment). */
function counted(h: Holes | undefined, hn: number): Holes | undefined {
  return h === undefined || h.n === hn ? h : { log: h.log, n: hn, up: h.up };
}

const scratch: number[] = [];
/** Returned by narrowed when one hole holds the whole cube. */
const SWALLOWED: Holes = { log: new HoleLog(), n: 0, up: undefined };

/**
 * The holes of h that overlap z, as one fresh segment (a flow entering another chain carries
 * only what concerns it, not the whole history of the chains it came through), or SWALLOWED
 * when one of them contains z (the region is empty).
 */
function narrowed(h: Holes | undefined, hn: number, z: Cube): Holes | undefined {
  if (h === undefined) return undefined;
  const pm = protoMask(z.proto);
  const im = ifMask(z.iif);
  let log: HoleLog | undefined;
  for (let s: Holes | undefined = h; s; s = s.up) {
    scratch.length = 0;
    s.log.overlapping(z, s === h ? hn : s.n, pm, im, scratch);
    for (const id of scratch) {
      const x = s.log.cubes[id]!;
      if (cubeContains(x, z)) return SWALLOWED;
      (log ??= new HoleLog()).push(x);
    }
  }
  return log ? { log, n: log.size, up: undefined } : undefined;
}

/** The cube of a flow with its holes cut out, as disjoint cubes. */
function cutHoles(f: Flow): Cube[] {
  if (f.h === undefined) return [f.c];
  let pieces: Cube[] = [f.c];
  const pm = protoMask(f.c.proto);
  const im = ifMask(f.c.iif);
  for (let s: Holes | undefined = f.h; s && pieces.length > 0; s = s.up) pieces = s.log.cut(f.c, s === f.h ? f.hn : s.n, pm, im, pieces);
  let n = 0;
  for (const p of pieces) if (!cubeIsEmpty(p)) pieces[n++] = p;
  // (setting the length calls into the runtime: only when an empty piece was dropped)
  if (n !== pieces.length) pieces.length = n;
  return pieces;
}

/** A flow as hole-free flows with disjoint cubes. */
function materialize(f: Flow): Flow[] {
  if (f.h === undefined) return [f];
  return cutHoles(f).map((c) => flow(c, undefined, 0, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk));
}

/**
 * A set of packets: `c` minus the cubes of `h`. Holes are cut out lazily — only where a result
 * is needed (accepted and possibly-dropped flows, NAT) — so the fall-through of long chains,
 * which default-drop rulesets throw away, is never split into pieces.
 */
interface Flow {
  c: Cube;
  h?: Holes | undefined;
  /** How many entries of h's log are this flow's (h.n is not read for the top segment). */
  hn: number;
  tags: readonly number[];
  attr?: Attr | undefined;
  /** The accepting rule, with an explicit attr; undefined for a policy. */
  rule?: Rule | undefined;
  via?: Via | undefined;
  path: 'input' | 'forward';
  local: boolean;
  /** What the rules on the flow's way set of its marks (src/model/marks.ts); undefined: the marks it arrived with. */
  mk: MarkState | undefined;
}

/**
 * A flow, every field in the object and in one order: one shape for all flows, no field in a
 * separate store (a spread copy with a field added, or from a flow without every field, puts fields
 * there: +64 B per flow, and many shapes for the engine's loops).
 */
function flow(
  c: Cube,
  h: Holes | undefined,
  hn: number,
  tags: readonly number[],
  attr: Attr | undefined,
  rule: Rule | undefined,
  via: Via | undefined,
  path: 'input' | 'forward',
  local: boolean,
  mk: MarkState | undefined,
): Flow {
  return { c, h, hn, tags, attr, rule, via, path, local, mk };
}

/**
 * A flow's marks after MARK/CONNMARK changes: what --restore-mark copies from the connection's mark is not known
 * (a flow mixes packets with and without a conntrack entry, and CONNMARK leaves the latter alone: src/model/marks.ts).
 */
function flowMarks(mk: MarkState | undefined, ops: readonly MarkOp[]): MarkState {
  let s = mk ?? ARRIVAL_MARKS;
  for (const op of ops) {
    s = applyMarkOp(s, op);
    if (!('forget' in op) && !op.ct && op.copy !== 0) s = forgetPacketBits(s, op.copy);
  }
  return s;
}

interface ChainOut {
  accepted: Flow[];
  dropped: Flow[];
  returned: Flow[];
}

const MAX_DEPTH = 64;

function shapeKey(c: Cube): string {
  return [
    c.proto.bounds.join(','),
    c.iif,
    c.oif,
    c.ct,
    c.icmp.bounds.join(','),
    c.dport.bounds.join(','),
    c.sport.bounds.join(','),
    c.dst.v4.bounds.join(','),
    c.dst.v6.bounds.join(','),
    c.sprin,
  ].join('|');
}

const NO_TAGS: readonly number[] = [];

/** No flow: shared, never added to (withFlow makes a list instead). */
const NO_FLOWS: Flow[] = [];

/** list with f added: a new list of exactly one for NO_FLOWS, else the list itself. */
function withFlow(list: Flow[], f: Flow): Flow[] {
  if (list === NO_FLOWS) return [f];
  list.push(f);
  return list;
}

/** push(...src) without the argument-count limit. */
/** netfilter's conntrack hook priority: base chains below it (raw, -300) run before conntrack. */
const CONNTRACK_PRIORITY = -200;

/** Whether a base chain runs before conntrack (a prerouting chain below its priority: the raw table). */
export function beforeConntrack(chain: Chain): boolean {
  // (conntrack runs at the same priority in OUTPUT, for packets this host sends: the tracer's packets over lo)
  return chain.hook === 'ingress' || ((chain.hook === 'prerouting' || chain.hook === 'output') && (chain.priority ?? 0) < CONNTRACK_PRIORITY);
}
/**
 * Whether a base chain runs at conntrack's own priority (-200, in prerouting or output): netfilter orders hooks of
 * one priority by when they were registered (nf_hook_entries_grow puts a new hook before those of its priority), so
 * conntrack may run before or after it — in a fresh namespace conntrack comes first, after an earlier ruleset
 * the chain may (kernel 6.18: `notrack` at -200 untracked a packet after a reload, not on the first load).
 */
export function atConntrack(chain: Chain): boolean {
  return (chain.hook === 'prerouting' || chain.hook === 'output') && chain.priority === CONNTRACK_PRIORITY;
}
/** The conntrack state of an untracked packet (never DNAT'd: nat chains do not see it). */
const UNTRACKED = ctBit('untracked', false);

const TRACKED_NEW = ctBit('new', false);
const INVALID = ctBit('invalid', false);

/** A NEW packet's state before conntrack has seen it (untracked ones stay untracked). */
function toInvalid(ct: number): number {
  return ct & TRACKED_NEW ? (ct & ~TRACKED_NEW) | INVALID : ct;
}

/**
 * c with the conntrack state of the packet as it arrived (every flow starts NEW: Engine.run): what
 * untracking moved is compared and reported where it came from. c itself when nothing moved it.
 */
function arrived(c: Cube): Cube {
  if (c.ct === TRACKED_NEW) return c;
  const r = copyCube(c);
  r.ct = TRACKED_NEW;
  return r;
}

/** A NEW packet's state in a chain at conntrack's priority: NEW (conntrack ran first) or INVALID (not yet). */
function toNewOrInvalid(ct: number): number {
  return ct & TRACKED_NEW ? ct | INVALID : ct;
}

/** `notrack` at conntrack's priority: it untracks the packets conntrack has not seen yet (INVALID there). */
function toMaybeUntracked(ct: number): number {
  return ct & INVALID ? (ct & ~INVALID) | UNTRACKED : ct;
}

/** Any state once `notrack` has run. */
function toUntracked(): number {
  return UNTRACKED;
}

/** The state of a packet conntrack has not seen yet (INVALID) once it has: NEW. */
function toNew(ct: number): number {
  return ct & INVALID ? (ct & ~INVALID) | TRACKED_NEW : ct;
}

/**
 * The flows with their conntrack state moved by `to`: the holes of a flow it moves are cut first (they
 * are in the old states), as before NAT.
 */
function movedCt(flows: Flow[], to: (ct: number) => number): Flow[] {
  const out: Flow[] = [];
  for (const f of flows) {
    if (to(f.c.ct) === f.c.ct) {
      out.push(f);
      continue;
    }
    for (const g of materialize(f)) {
      const c = copyCube(g.c);
      c.ct = to(g.c.ct);
      out.push(flow(c, undefined, 0, g.tags, g.attr, g.rule, g.via, g.path, g.local, g.mk));
    }
  }
  return out;
}

/**
 * Flows split into those nat chains see and those they do not (untracked packets): undefined when
 * no flow may be untracked (nearly always).
 */
function untrackedPart(flows: Flow[]): { tracked: Flow[]; untracked: Flow[] } | undefined {
  const all = ctBit('untracked', false) | ctBit('untracked', true);
  let any = false;
  for (let i = 0; i < flows.length && !any; i++) any = (flows[i]!.c.ct & all) !== 0;
  if (!any) return undefined;
  const tracked: Flow[] = [];
  const untracked: Flow[] = [];
  for (const f of flows) {
    const u = f.c.ct & all;
    if (u === 0) tracked.push(f);
    else if (u === f.c.ct) untracked.push(f);
    else {
      const t = copyCube(f.c);
      t.ct = f.c.ct & ~all;
      tracked.push(flow(t, f.h, f.hn, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk));
      const v = copyCube(f.c);
      v.ct = u;
      untracked.push(flow(v, f.h, f.hn, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk));
    }
  }
  return { tracked, untracked };
}

function pushAll<T>(dst: T[], src: readonly T[]): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]!);
}

/**
 * Dropped flows matter only where they may meet an accepted one: tagged flows (undecided
 * matches) and flows after NAT (restored to the original coordinates). The rest is not kept.
 */
function dropAll(dst: Flow[], src: readonly Flow[]): void {
  for (let i = 0; i < src.length; i++) {
    const f = src[i]!;
    if (f.tags.length > 0 || f.via) dst.push(f);
  }
}

function mergeTags(a: readonly number[], b: readonly number[]): readonly number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const s = new Set([...a, ...b]);
  return [...s].sort((x, y) => x - y);
}

/**
 * Which accepting policy a flow accepted by policies only is reported at, when it passed several (iptables' mangle,
 * filter and nat INPUT all say ACCEPT): a filtering chain over a nat chain, the filter table's over others; the later
 * at equal rank. The nat chain runs last on the input hook, but `:INPUT ACCEPT` in nat is not what a user changes.
 */
function policyRank(chain: Chain, table: Table): number {
  return chain.type === 'nat' ? 0 : table.name === 'filter' ? 2 : 1;
}

function lineOf(rule: Rule): number {
  return rule.span.start.line;
}

export interface BaseChainRef {
  chain: Chain;
  table: Table;
}

/** Whether a set is one address of the family (a DNAT target, not a pool the kernel picks from). */
export function isOneAddress(s: AddrSet, fam: Family): boolean {
  const rs = fam === 'ipv4' ? [...s.v4.ranges()] : [...s.v6.ranges()];
  if (rs.length !== 1) return false;
  const [lo, hi] = rs[0]!;
  return fam === 'ipv4' ? (hi as number) - (lo as number) === 1 : (hi as bigint) - (lo as bigint) === 1n;
}

/**
 * The base chains a packet meets after routing on `path`: input's, or forward's then postrouting's (a forwarded packet
 * leaves through NF_INET_POST_ROUTING, where a filter chain drops it too). Postrouting stops at its first nat chain:
 * past it a source NAT may have rewritten the packet, which is not followed (what later chains drop closes nothing).
 */
export function pathChains(ruleset: Ruleset, family: Family, path: 'input' | 'forward'): BaseChainRef[] {
  const chains = baseChains(ruleset, family, path);
  if (path === 'forward') for (const c of baseChains(ruleset, family, 'postrouting')) {
    if (c.chain.type === 'nat') break;
    chains.push(c);
  }
  return chains;
}

/**
 * The priority of the kernel's NAT hook on each hook (NF_IP_PRI_NAT_DST / NF_IP_PRI_NAT_SRC): netfilter runs every
 * nat chain of a family from that one hook, registered with the first nat chain, in the nat chains' own priority
 * order (nf_nat_register_fn); a `type nat hook prerouting priority 0` chain runs at -100, before a filter chain at -50.
 */
const NAT_HOOK_PRIORITY: Partial<Record<string, number>> = { prerouting: -100, output: -100, input: 100, postrouting: 100 };

/**
 * Base chains of a hook for a family, in the order the kernel runs them: by priority; at equal priority the chain
 * registered last runs first (nf_hook_entries_grow inserts a hook before those of its priority), i.e. for netfilter
 * the later chain in the document; cloud rulesets keep the document order. Nat chains run from the NAT hook.
 */
export function baseChains(ruleset: Ruleset, family: Family, hook: string): BaseChainRef[] {
  const out: BaseChainRef[] = [];
  for (const table of ruleset.tables) {
    if (!tableCarries(table.family, family)) continue;
    // nft ingress chains (netdev, inet) run before every prerouting chain, conntrack and defragmentation
    for (const chain of table.chains) if (chain.hook === hook || (hook === 'prerouting' && chain.hook === 'ingress')) out.push({ chain, table });
  }
  const netfilter = ruleset.kind === 'netfilter';
  const stage = (c: Chain) => (c.hook === 'ingress' ? 0 : 1);
  const natAt = (c: Chain) => (netfilter && c.type === 'nat' ? NAT_HOOK_PRIORITY[c.hook ?? ''] : undefined);
  let natReg = -1;
  const keyed = out.map((x, i) => {
    const nat = natAt(x.chain);
    if (nat !== undefined && natReg < 0) natReg = i;
    return { x, i, nat };
  });
  const prio = (k: (typeof keyed)[number]) => k.nat ?? k.x.chain.priority ?? 0;
  const reg = (k: (typeof keyed)[number]) => (k.nat !== undefined ? natReg : k.i);
  const order = netfilter ? -1 : 1;
  return keyed
    .sort(
      (a, b) =>
        stage(a.x.chain) - stage(b.x.chain) ||
        prio(a) - prio(b) ||
        order * (reg(a) - reg(b)) ||
        (a.x.chain.priority ?? 0) - (b.x.chain.priority ?? 0) ||
        order * (a.i - b.i),
    )
    .map((y) => y.x);
}

const chainMaps = new WeakMap<Table, { n: number; map: Map<string, Chain> }>();

export function findChain(table: Table, name: string): Chain | undefined {
  let e = chainMaps.get(table);
  if (!e || e.n !== table.chains.length) {
    const map = new Map<string, Chain>();
    for (const c of table.chains) if (!map.has(c.name)) map.set(c.name, c);
    e = { n: table.chains.length, map };
    chainMaps.set(table, e);
  }
  return e.map.get(name);
}

export function formatNatTo(addrs: AddrSet | undefined, ports: NumSet | undefined, family: Family): string {
  const a = addrs ? addrs.only(family) : undefined;
  const at = a && !a.isEmpty ? a.toCidrs().map((x) => x.replace(family === 'ipv4' ? /\/32$/ : /\/128$/, '')).join(',') : '';
  const pt = ports ? formatPorts(ports) : '';
  if (!pt) return at;
  return family === 'ipv6' && at ? `[${at}]:${pt}` : `${at}:${pt}`;
}

class Engine {
  readonly reasons: Reason[] = [];
  private readonly reasonIdx = new Map<string, number>();
  /** Tags of the INPUT branch of a DNAT to another address (see nat): its drops make nothing only possibly open. */
  readonly hereTags = new Set<number>();
  /** [local][prerouting] */
  private readonly compilers: RuleCompiler[][];
  accepted: Flow[] = [];
  readonly dropped: Flow[] = [];
  /**
   * Accepted for good by a chain before the last of its path: a rewrite of the source (Action `rewrites`, a source
   * NAT in nat INPUT) that the chains after it see.
   */
  private readonly settled: Flow[] = [];
  /** Set while the last base chain of a path is evaluated: what it accepts is accepted for good. */
  private final = false;
  /**
   * Set once a flow accepted for good had to be kept for the end (tagged or NATed: analyseFamily needs every
   * dropped flow first): from then on every one is kept, so that what `early` is given and what is kept
   * follow one another in the order of acceptance — the order of the list `accepted` (see accept).
   */
  private waiting = false;
  /** Set while a prerouting base chain that runs before conntrack (the raw table) is evaluated: `notrack` works there. */
  private beforeCt = false;
  /** Set while that chain is at conntrack's own priority: `notrack` may work there (atConntrack). */
  private atCt = false;

  constructor(
    readonly sp: Space,
    readonly hook: 'input' | 'forward',
    /** Takes the flows accepted for good, untagged and not NATed, as they are accepted (see accept); else kept. */
    private readonly early?: (f: Flow) => void,
  ) {
    this.compilers = [
      [new RuleCompiler(sp, false, false, true), new RuleCompiler(sp, false, true, true)],
      [new RuleCompiler(sp, true, false, true), new RuleCompiler(sp, true, true, true)],
    ];
  }

  tag(message: string, rule?: Rule): number {
    const key = `${rule ? rule.id + '@' + lineOf(rule) : ''}|${message}`;
    let i = this.reasonIdx.get(key);
    if (i === undefined) {
      i = this.reasons.length;
      this.reasons.push(rule ? { message, span: rule.span, rule } : { message });
      this.reasonIdx.set(key, i);
    }
    return i;
  }

  run(ruleset: Ruleset): void {
    const fam = this.sp.family;
    const U = this.sp.universe;
    const c0 = copyCube(U);
    c0.iif = U.iif & ~this.sp.ifs.bit('lo');
    c0.oif = this.hook === 'input' ? this.sp.ifs.bit('') : U.oif;
    // (every flow starts NEW: `arrived` reports moved states back in it)
    c0.ct = TRACKED_NEW;
    const init = flow(c0, undefined, 0, NO_TAGS, undefined, undefined, undefined, this.hook, this.hook === 'input', undefined);
    let cur: Flow[] = [init];
    for (const { chain, table } of baseChains(ruleset, fam, 'prerouting')) cur = this.runBase(table, chain, cur);
    const input = cur.filter((f) => f.path === 'input');
    const forward = cur.filter((f) => f.path === 'forward');
    // every path the packet can take after prerouting: DNAT sends INPUT-bound packets to FORWARD,
    // REDIRECT sends FORWARD-bound packets to INPUT (the kernel accepts them there)
    // (what the last base chain of a path accepts is accepted for good; with no base chain, what comes out of
    // prerouting is, and is kept: accept() is not called for it)
    let accIn = input;
    const inChains = baseChains(ruleset, fam, 'input');
    if (inChains.length === 0 && input.length > 0) this.waiting = true;
    for (let i = 0; i < inChains.length; i++) {
      this.final = i === inChains.length - 1;
      accIn = this.runBase(inChains[i]!.table, inChains[i]!.chain, accIn);
    }
    this.final = false;
    let accFwd = forward;
    const fwdChains = pathChains(ruleset, fam, 'forward');
    for (let i = 0; i < fwdChains.length; i++) {
      this.final = i === fwdChains.length - 1;
      accFwd = this.runBase(fwdChains[i]!.table, fwdChains[i]!.chain, accFwd);
    }
    this.final = false;
    // (the lists are this engine's own: the input path's is extended, not copied — 100k flows at times)
    pushAll(accIn, accFwd);
    pushAll(accIn, this.settled);
    this.accepted = accIn;
  }

  /**
   * f accepted, into the list out (a chain's `accepted`). A flow accepted for good, untagged and not NATed, goes
   * to `early` instead (analyseFamily cuts and groups it at once: it needs no dropped flow), until one has to be
   * kept. Accepted flows were the largest set of objects kept through a run only to be read at its end (nftables-
   * 100k: 42k flows and their cubes, ~8 MB, promoted to the old generation and dead after the run).
   * Every accepted flow goes through here, and `accepted` lists are only ever joined in the order in which
   * their flows were accepted: so the kept flows end in `this.accepted` in their order of acceptance.
   */
  private accept(out: Flow[], f: Flow): void {
    if (this.final && !this.waiting && this.early) {
      if (f.tags.length === 0 && f.via === undefined) {
        this.early(f);
        return;
      }
      this.waiting = true;
    }
    out.push(f);
  }

  private runBase(table: Table, chain: Chain, flows: Flow[]): Flow[] {
    if (flows.length === 0) return flows;
    // untracked packets pass nat chains untouched (NAT needs a conntrack entry)
    const bypass = chain.type === 'nat' ? untrackedPart(flows) : undefined;
    if (bypass) flows = bypass.tracked;
    // before conntrack (the raw table) a tracked packet has no conntrack entry yet: its state reads as
    // INVALID there, and is NEW again after it (unless the chain untracked it)
    // (at conntrack's own priority it may have run or not: both states, see atConntrack)
    const at = atConntrack(chain);
    const before = at || beforeConntrack(chain);
    if (before) flows = movedCt(flows, at ? toNewOrInvalid : toInvalid);
    this.beforeCt = before;
    this.atCt = at;
    const local = flows.filter((f) => f.local);
    const remote = flows.filter((f) => !f.local);
    let acc: Flow[] | undefined = bypass && bypass.untracked.length > 0 ? bypass.untracked : undefined;
    for (const group of [remote, local]) {
      if (group.length === 0) continue;
      const out = this.evalChain(table, chain, group, group[0]!.local, chain.hook === 'prerouting' || chain.hook === 'ingress', 0, [chain]);
      if (acc === undefined) acc = out.accepted;
      else pushAll(acc, out.accepted);
      pushAll(this.dropped, before ? movedCt(out.dropped, toNew) : out.dropped);
      // a base chain's fall-through is handled in evalChain (policy); returned is empty
    }
    this.beforeCt = false;
    this.atCt = false;
    return before && acc ? movedCt(acc, toNew) : (acc ?? []);
  }

  private evalChain(table: Table, chain: Chain, input: Flow[], local: boolean, pre: boolean, depth: number, stack: Chain[]): ChainOut {
    const out: ChainOut = { accepted: [], dropped: [], returned: [] };
    const comp = this.compilers[local ? 1 : 0]![pre ? 1 : 0]!;
    const isBase = chain.hook !== undefined;
    const R = new CubeIndex<Flow>();
    // the attribution of the flows this evaluation accepts by a rule (made on the first)
    let accepting: Attr | undefined;
    // Flows without holes that differ only in their sources are merged (tags united — sound: a
    // tagged flow is only ever refined by intersecting it with what may not be accepted), so the
    // pieces of materialised flows do not multiply with later per-destination rules.
    const bySrcShape = new Map<string, number>();
    const keyOf = (f: Flow) =>
      `${shapeKey(f.c)}#${f.tags.length > 0 ? 't' : 'u'}#${f.path}#${f.local ? 1 : 0}#${f.attr ? `${f.rule?.id ?? ''}:${f.attr.chain.name}:${f.attr.table.name}:${f.attr.explicit}` : ''}#${f.via ? f.via.rule.id : ''}#${f.mk ? markKey(f.mk) : ''}`;
    const addFlow = (f: Flow) => {
      if (f.h !== undefined) {
        R.add(f);
        return;
      }
      const k = keyOf(f);
      const prevId = bySrcShape.get(k);
      const prev = prevId === undefined ? undefined : R.get(prevId);
      if (prev && prev.h === undefined && (f.tags.length > 0 || f.via === undefined) && prev.via === f.via) {
        R.remove(prevId!);
        const c = copyCube(prev.c);
        c.src = prev.c.src.union(f.c.src);
        c.sprin = prev.c.sprin | f.c.sprin;
        const merged = flow(c, prev.h, prev.hn, mergeTags(prev.tags, f.tags), prev.attr, prev.rule, prev.via, prev.path, prev.local, prev.mk);
        bySrcShape.set(k, R.add(merged));
      } else bySrcShape.set(k, R.add(f));
    };
    for (let i = 0; i < input.length; i++) addFlow(input[i]!);
    const touched: number[] = [];
    const one: Cube[] = [this.sp.universe];
    const oneO: Cube[] = [this.sp.universe];
    for (let ri = 0; ri < chain.rules.length; ri++) {
      const rule = chain.rules[ri]!;
      if (R.size === 0) break;
      if (rule.disabled) continue;
      const a = rule.action;
      // (a rule that only continues — LOG, counters — is not compiled here; one that untracks, before conntrack, is)
      const untrack = a.untrack === true && this.beforeCt;
      // (a rule that changes a mark: its hits go on with the marks it sets, see below)
      const setMarks = a.marks;
      if (a.kind === 'continue' && !untrack && setMarks === undefined) continue;
      const cr = comp.get(rule);
      // (a rule of one cube is compiled to the cube: read through this evaluation's one-slot list)
      const must = mustIn(cr, one);
      const may = mayIn(cr, one);
      if (may.length === 0) continue;
      // (setting the length of an array calls into the runtime: only when there is something to drop)
      if (touched.length !== 0) touched.length = 0;
      R.queryAll(may, touched);
      if (touched.length === 0) continue;
      let mtag = -1;
      if (cr.maybe.length > 0) mtag = this.tag(`${cr.opaque.join(', ')} at line ${undecidedLine(rule)} may or may not match`, rule);
      // a test of a mark: decided per flow, on what the rules before it set (RuleCompiler.forMarks)
      const marks = mtag >= 0 && comp.hasMarkTest(rule);
      // Split each touched flow into: certainly matched and maybe matched (hits, holes inherited) and
      // the rest, which keeps its cube and takes the rule's region as one more hole (nothing is cut).
      // (made on the first flow, as a list of exactly one: most rules hit one flow, and a list grown from empty by
      // push takes room for 17 — ~180 B per rule with a hit, 100k rules on iptables-100k)
      let hit: Flow[] = NO_FLOWS;
      let back: Flow[] = NO_FLOWS;
      // an accepting rule's hits are made accepted flows at once (one attribution for all of them),
      // and a dropping rule's hits that dropAll would not keep are not made at all
      const attr: Attr | undefined = a.kind === 'accept' ? (accepting ??= { chain, table, explicit: true }) : undefined;
      const by = attr ? rule : undefined;
      const drops = a.kind === 'drop' || a.kind === 'reject';
      // (a flow is touched because it meets a cube of may: with one, that one — and must's when must is may, as for
      // every rule compiled to one cube — so that meeting is not tested again)
      const met = may.length === 1;
      const metMust = met && must === may;
      for (let ti = 0; ti < touched.length; ti++) {
        const id = touched[ti]!;
        const f = R.get(id)!;
        let fMust = must;
        let fMay = may;
        let fMaybe = cr.maybe;
        let fTag = mtag;
        let fMet = met;
        let fMetMust = metMust;
        if (marks) {
          const o = comp.forMarks(rule, f.mk);
          fMust = mustIn(o, oneO);
          fMay = mayIn(o, oneO);
          fMaybe = o.maybe;
          fTag = fMaybe.length > 0 ? this.tag(`${o.opaque.join(', ')} at line ${undecidedLine(rule)} may or may not match`, rule) : -1;
          fMet = fMetMust = false;
          if (fMay.length === 0) continue;
        } else if (mtag >= 0 && f.via !== undefined) {
          // a DNAT'd flow: its `ct original` destination tests read the coordinates it arrived with
          const v = f.via;
          const o = comp.forOriginal(rule, v.rewrote & 1 ? v.orig.dst : undefined, v.rewrote & 2 ? v.orig.dport : undefined);
          if (o !== undefined) {
            fMust = mustIn(o, oneO);
            fMay = mayIn(o, oneO);
            fMaybe = o.maybe;
            fTag = fMaybe.length > 0 ? this.tag(`${o.opaque.join(', ')} at line ${undecidedLine(rule)} may or may not match`, rule) : -1;
            fMet = fMetMust = false;
          }
        }
        // (a hit keeps the flow's holes as they are: only hits that go on into another chain
        // are worth filtering — accepted ones are cut once at the end, dropped ones mostly never)
        if (!drops || f.tags.length > 0 || f.via)
          for (let mi = 0; mi < fMust.length; mi++) {
            const z = intersectCube(f.c, fMust[mi]!, fMetMust);
            if (z && !cubeIsEmpty(z)) hit = withFlow(hit, flow(z, f.h, f.hn, f.tags, attr ?? f.attr, attr ? by : f.rule, f.via, f.path, f.local, setMarks ? flowMarks(f.mk, setMarks) : f.mk));
          }
        if (fTag >= 0) {
          const t = mergeTags(f.tags, [fTag]);
          for (const m of fMaybe) {
            const z = intersectCube(f.c, m);
            if (!z || cubeIsEmpty(z)) continue;
            const h = f.h;
            hit = withFlow(hit, flow(z, h, f.hn, t, attr ?? f.attr, attr ? by : f.rule, f.via, f.path, f.local, setMarks ? flowMarks(f.mk, setMarks) : f.mk));
            back = withFlow(back, flow(z, h, f.hn, t, f.attr, f.rule, f.via, f.path, f.local, f.mk));
          }
        }
        let h = f.h;
        let hn = f.hn;
        let gone = false;
        for (let mi = 0; mi < fMay.length; mi++) {
          const m = fMay[mi]!;
          if (cubeContains(m, f.c)) {
            gone = true;
            break;
          }
          if (!fMet && !cubesOverlap(m, f.c)) continue;
          if (h !== undefined && hn === h.log.size) {
            // the flow owns the end of its log: append in place (the chain's later rules may add more)
            h.log.push(m, chain.rules.length - ri);
            hn++;
          } else {
            const log = new HoleLog();
            log.push(m);
            h = { log, n: 1, up: counted(h, hn) };
            hn = 1;
          }
        }
        // (a flow with holes no longer takes part in merging: addFlow checks prev.h)
        if (gone) R.remove(id);
        else R.set(id, flow(f.c, h, hn, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk));
      }
      for (let i = 0; i < back.length; i++) addFlow(back[i]!);
      if (hit.length === 0) continue;
      if (untrack && this.atCt) {
        // both states of one arriving packet go on: the ones it meets decide nothing for certain
        const t = [this.tag(`notrack at line ${lineOf(rule)}, at conntrack's priority (-200), may run before or after conntrack`, rule)];
        hit = movedCt(hit, toMaybeUntracked).map((f) => flow(f.c, f.h, f.hn, mergeTags(f.tags, t), f.attr, f.rule, f.via, f.path, f.local, f.mk));
      } else if (untrack) hit = movedCt(hit, toUntracked);
      switch (a.kind) {
        case 'continue':
          // (untracking: the matched packets go on through the chain, out of conntrack)
          for (let i = 0; i < hit.length; i++) addFlow(hit[i]!);
          break;
        case 'accept':
          for (let i = 0; i < hit.length; i++) this.accept(out.accepted, hit[i]!);
          break;
        case 'drop':
        case 'reject':
          dropAll(out.dropped, hit);
          break;
        case 'return':
          if (isBase) this.endOfBase(table, chain, hit, out);
          else pushAll(out.returned, hit);
          break;
        case 'jump':
        case 'goto': {
          const target = findChain(table, a.target);
          if (!target || depth >= MAX_DEPTH || stack.includes(target)) {
            const why = !target ? `jump to undefined chain ${a.target}` : `chain ${a.target} loops or nests too deeply`;
            const t = [this.tag(`${why} at line ${lineOf(rule)}: verdict unknown`, rule)];
            for (const f of hit) {
              const g = flow(f.c, f.h, f.hn, mergeTags(f.tags, t), f.attr, f.rule, f.via, f.path, f.local, f.mk);
              this.accept(out.accepted, g);
              out.dropped.push(g);
            }
            break;
          }
          const into: Flow[] = [];
          for (const f of hit) {
            const h = narrowed(f.h, f.hn, f.c);
            if (h !== SWALLOWED) into.push(h === f.h ? f : flow(f.c, h, h ? h.n : 0, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk));
          }
          const sub = this.evalChain(table, target, into, local, pre, depth + 1, [...stack, target]);
          pushAll(out.accepted, sub.accepted);
          pushAll(out.dropped, sub.dropped);
          if (a.kind === 'jump') for (const f of sub.returned) addFlow(f);
          else if (isBase) this.endOfBase(table, chain, sub.returned, out);
          else pushAll(out.returned, sub.returned);
          break;
        }
        case 'nat':
          if (!this.final && stack[0]!.hook === 'input' && (a.type === 'snat' || a.type === 'masquerade' || a.type === 'netmap')) {
            // a source NAT in nat INPUT (priority 100) with input chains after it (iptables-nft's security table at
            // 150): they see the new source, which the flows do not follow — possibly open, whatever they do
            const t = [this.tag(`${a.type === 'netmap' ? 'NETMAP' : 'SNAT'} at line ${lineOf(rule)} in nat INPUT: the chains after it see the new source`, rule)];
            this.settle(hit, t, (accepting ??= { chain, table, explicit: true }), rule, out);
            break;
          }
          // NAT moves the packet's coordinates: the holes are cut first, in the old ones
          for (const f of hit) for (const g of materialize(f)) for (const n of this.nat(g, rule, stack[0]!.hook)) this.accept(out.accepted, n);
          break;
        case 'queue': {
          const t = [this.tag(`${a.text} at line ${lineOf(rule)}: verdict is decided in user space`, rule)];
          for (const f of hit) {
            const g = flow(f.c, f.h, f.hn, mergeTags(f.tags, t), f.attr, f.rule, f.via, f.path, f.local, f.mk);
            this.accept(out.accepted, flow(g.c, g.h, g.hn, g.tags, (accepting ??= { chain, table, explicit: true }), rule, g.via, g.path, g.local, g.mk));
            out.dropped.push(g);
          }
          break;
        }
        case 'unknown': {
          const t = [this.tag(`unknown target ${a.target} at line ${lineOf(rule)}: verdict unknown`, rule)];
          if (a.rewrites) {
            // the chains after it see a packet the flows do not describe: possibly open, whatever they do
            this.settle(hit, t, (accepting ??= { chain, table, explicit: true }), rule, out);
            break;
          }
          for (const f of hit) {
            const g = flow(f.c, f.h, f.hn, mergeTags(f.tags, t), f.attr, f.rule, f.via, f.path, f.local, f.mk);
            this.accept(out.accepted, flow(g.c, g.h, g.hn, g.tags, (accepting ??= { chain, table, explicit: true }), rule, g.via, g.path, g.local, g.mk));
            out.dropped.push(g);
            addFlow(g); // it may also go on
          }
          break;
        }
      }
    }
    if (isBase) this.endOfBase(table, chain, R.values(), out);
    else pushAll(out.returned, R.values());
    return out;
  }

  /** Flows accepted for good and possibly dropped, whatever the chains after this one do (see `settled`). */
  private settle(hit: readonly Flow[], tags: readonly number[], attr: Attr, rule: Rule, out: ChainOut): void {
    for (const f of hit) {
      const g = flow(f.c, f.h, f.hn, mergeTags(f.tags, tags), f.attr, f.rule, f.via, f.path, f.local, f.mk);
      this.settled.push(flow(g.c, g.h, g.hn, g.tags, attr, rule, g.via, g.path, g.local, g.mk));
      out.dropped.push(g);
    }
  }

  private endOfBase(table: Table, chain: Chain, flows: Flow[], out: ChainOut): void {
    if (chain.policy === 'drop') dropAll(out.dropped, flows);
    else {
      let policy: Attr | undefined;
      const rank = policyRank(chain, table);
      for (const f of flows)
        this.accept(
          out.accepted,
          f.attr && (f.attr.explicit || policyRank(f.attr.chain, f.attr.table) > rank) ? f : flow(f.c, f.h, f.hn, f.tags, (policy ??= { chain, table, explicit: false }), undefined, f.via, f.path, f.local, f.mk),
        );
    }
  }

  private nat(f: Flow, rule: Rule, hook: Chain['hook']): Flow[] {
    const a = rule.action;
    // NETMAP maps the destination in PREROUTING and OUTPUT (the source in INPUT and POSTROUTING): to the address of
    // its prefix with the destination's host bits, here any address of the prefix (as a DNAT to a range)
    const netmap = a.kind === 'nat' && a.type === 'netmap' && (hook === 'prerouting' || hook === 'output');
    if (a.kind !== 'nat' || (a.type !== 'dnat' && a.type !== 'redirect' && !netmap)) return [f];
    const fam = this.sp.family;
    const toAddrs = a.type !== 'redirect' && a.toAddrs && !a.toAddrs.only(fam).isEmpty ? a.toAddrs.only(fam) : undefined;
    const toPorts = a.toPorts && !a.toPorts.isEmpty && f.c.proto.isSubsetOf(PORT_PROTOCOLS) ? a.toPorts : undefined;
    // the packets a DNAT to one address (NETMAP: to their own address in its prefix) sends where they were going, with
    // their port where it may stay (in the port range): nf_nat_setup_info sets IPS_DST_NAT only when the new tuple
    // differs from the old one, so they go on untranslated, without `ct status dnat` (as tracePacket says). A DNAT
    // to several addresses picks one by a hash: the connection's status is left to the DNAT'd reading below.
    if (!f.via && (toAddrs !== undefined || a.toAddrs === undefined) && (netmap || (a.type === 'dnat' && (!toAddrs || isOneAddress(toAddrs, fam))))) {
      const keep = copyCube(f.c);
      if (toAddrs) keep.dst = f.c.dst.intersect(toAddrs);
      if (toPorts) keep.dport = f.c.dport.intersect(toPorts);
      if (!cubeIsEmpty(keep)) {
        const rest: Cube[] = [];
        subtractCube(f.c, keep, rest);
        return [
          flow(keep, f.h, f.hn, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk),
          ...rest.flatMap((r) => this.translated(flow(r, f.h, f.hn, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk), rule, a, toAddrs, toPorts)),
        ];
      }
    }
    // A DNAT to several addresses picks one by a hash of the tuple: a packet sent to one of them, to a port it may keep,
    // may be left unchanged (no DNAT status) or sent to another address. Both branches, each tagged: what only one
    // accepts is possibly open.
    if (a.type === 'dnat' && !f.via && toAddrs !== undefined && !isOneAddress(toAddrs, fam)) {
      const keep = copyCube(f.c);
      keep.dst = f.c.dst.intersect(toAddrs);
      if (toPorts) keep.dport = f.c.dport.intersect(toPorts);
      if (!cubeIsEmpty(keep)) {
        const rest: Cube[] = [];
        subtractCube(f.c, keep, rest);
        const line = lineOf(rule);
        const to = formatNatTo(toAddrs, toPorts, fam) || a.text;
        const tKeep = this.tag(`DNAT at line ${line} to ${to} may pick the address the packet was sent to and change nothing (then without DNAT status)`, rule);
        const tMoved = this.tag(`DNAT at line ${line} to ${to} may send a packet sent to one of its addresses to another`, rule);
        return [
          flow(keep, f.h, f.hn, mergeTags(f.tags, [tKeep]), f.attr, f.rule, f.via, f.path, f.local, f.mk),
          ...this.translated(flow(copyCube(keep), f.h, f.hn, mergeTags(f.tags, [tMoved]), f.attr, f.rule, f.via, f.path, f.local, f.mk), rule, a, toAddrs, toPorts),
          ...rest.flatMap((r) => this.translated(flow(r, f.h, f.hn, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk), rule, a, toAddrs, toPorts)),
        ];
      }
    }
    // REDIRECT sends a packet to the primary address of its input interface: one sent there already, to a port it
    // may keep, is not changed and gets no DNAT status either. Which address that is the ruleset does not say, so
    // such packets (to this host) take both branches, each tagged: what only one accepts is possibly open.
    if (a.type === 'redirect' && !f.via && f.local) {
      const keep = copyCube(f.c);
      if (toPorts) keep.dport = f.c.dport.intersect(toPorts);
      if (!cubeIsEmpty(keep)) {
        const rest: Cube[] = [];
        subtractCube(f.c, keep, rest);
        const line = lineOf(rule);
        const tKeep = this.tag(`REDIRECT at line ${line} changes nothing of a packet sent to its input interface's primary address (then without DNAT status)`, rule);
        const tMoved = this.tag(`REDIRECT at line ${line} rewrites the destination unless the packet was sent to its input interface's primary address`, rule);
        return [
          flow(keep, f.h, f.hn, mergeTags(f.tags, [tKeep]), f.attr, f.rule, f.via, f.path, f.local, f.mk),
          ...this.translated(flow(copyCube(keep), f.h, f.hn, mergeTags(f.tags, [tMoved]), f.attr, f.rule, f.via, f.path, f.local, f.mk), rule, a, toAddrs, toPorts),
          ...rest.flatMap((r) => this.translated(flow(r, f.h, f.hn, f.tags, f.attr, f.rule, f.via, f.path, f.local, f.mk), rule, a, toAddrs, toPorts)),
        ];
      }
    }
    return this.translated(f, rule, a, toAddrs, toPorts);
  }

  /** The flows of f after DNAT / REDIRECT / NETMAP rule `rule` has given them their new destination. */
  private translated(f: Flow, rule: Rule, a: Extract<Action, { kind: 'nat' }>, toAddrs: AddrSet | undefined, toPorts: NumSet | undefined): Flow[] {
    const fam = this.sp.family;
    const c = copyCube(f.c);
    c.ct = ctWithDnat(f.c.ct);
    if (toAddrs) {
      c.dst = toAddrs;
      c.oif = this.sp.universe.oif;
    }
    if (toPorts) c.dport = toPorts;
    const to = a.type === 'redirect' ? `redirect ${toPorts ? ':' + formatPorts(toPorts) : ''}`.trim() : formatNatTo(toAddrs, toPorts, fam) || a.text;
    const via: Via = { rule, to, orig: f.via ? f.via.orig : f.c, rewrote: (f.via ? f.via.rewrote : 0) | (toAddrs || a.type === 'redirect' ? 1 : 0) | (toPorts ? 2 : 0) };
    if (toAddrs) via.toAddrs = toAddrs;
    if (toPorts) via.toPorts = toPorts;
    // DNAT to an address: routed on (FORWARD) — but a packet sent to that one address, which is then this host's,
    // is still delivered locally (INPUT); REDIRECT: delivered locally (INPUT); DNAT of the port only: path unchanged
    if (toAddrs) {
      const own = f.local && isOneAddress(toAddrs, fam) ? f.c.dst.intersect(toAddrs) : AddrSet.EMPTY;
      const mine = copyCube(c);
      mine.oif = f.c.oif;
      // to another address: the ruleset does not say which addresses are this host's, so a packet that came for this
      // host takes both paths, as the tracer does (the kernel delivers a DNAT to another local address to INPUT:
      // `--to-destination 10.0.0.1:8080` on a packet sent to 192.0.2.1, both this host's). What FORWARD accepts stays
      // open (the usual target, a container); what only INPUT accepts is possibly open (FORWARD's drops are tagged);
      // INPUT's drops make nothing possibly open. (the INPUT branch keeps the routed copy's oif, any: restored, the
      // pieces of both branches coincide)
      const elsewhere = (v: Via): Flow[] => {
        if (!f.local) return [flow(c, f.h, f.hn, f.tags, f.attr, f.rule, v, 'forward', false, f.mk)];
        const tIn = this.tag(`DNAT at line ${lineOf(rule)} to ${to}: delivered here (INPUT) if that is an address of this host`, rule);
        const tFwd = this.tag(`DNAT at line ${lineOf(rule)} to ${to}: routed on (FORWARD) unless that is an address of this host`, rule);
        this.hereTags.add(tIn);
        return [
          flow(c, f.h, f.hn, mergeTags(f.tags, [tFwd]), f.attr, f.rule, v, 'forward', false, f.mk),
          flow(copyCube(c), f.h, f.hn, mergeTags(f.tags, [tIn]), f.attr, f.rule, v, f.path, true, f.mk),
        ];
      };
      if (own.isEmpty) return elsewhere(via);
      if (own.equals(f.c.dst)) return [flow(mine, f.h, f.hn, f.tags, f.attr, f.rule, via, f.path, true, f.mk)];
      // the two parts, each with the coordinates its packets arrived with (restore() reads orig)
      const ownOrig = copyCube(via.orig);
      ownOrig.dst = via.orig.dst.intersect(toAddrs);
      const elseOrig = copyCube(via.orig);
      elseOrig.dst = via.orig.dst.subtract(toAddrs);
      return [
        flow(mine, f.h, f.hn, f.tags, f.attr, f.rule, { ...via, orig: ownOrig }, f.path, true, f.mk),
        ...elsewhere({ ...via, orig: elseOrig }),
      ];
    }
    if (a.type === 'redirect') {
      // the new destination is the primary address of the input interface: not known statically
      via.redirect = true;
      via.toAddrs = AddrSet.all(fam);
      c.dst = via.toAddrs;
      c.oif = this.sp.ifs.bit('');
      return [flow(c, f.h, f.hn, f.tags, f.attr, f.rule, via, 'input', true, f.mk)];
    }
    return [flow(c, f.h, f.hn, f.tags, f.attr, f.rule, via, f.path, f.local, f.mk)];
  }

  /** A piece c of f back in the coordinates of the packet as it arrived (original destination and port). */
  restore(f: Flow, c: Cube): { c: Cube; tags: readonly number[] } {
    const v = f.via;
    if (!v) return { c: arrived(c), tags: f.tags };
    let tags = f.tags;
    const partial =
      (v.toAddrs !== undefined && !v.toAddrs.subtract(c.dst).isEmpty) ||
      (v.toPorts !== undefined && !v.toPorts.isSubsetOf(c.dport));
    if (partial)
      tags = mergeTags(tags, [
        this.tag(
          v.redirect
            ? `REDIRECT at line ${lineOf(v.rule)} rewrites the destination to an address of the input interface; only some are accepted`
            : `DNAT at line ${lineOf(v.rule)} picks one of several destinations (${v.to}); only some are accepted`,
          v.rule,
        ),
      ]);
    const r = copyCube(c);
    r.ct = v.orig.ct;
    r.dst = v.orig.dst;
    if (v.toPorts) r.dport = v.orig.dport;
    if (v.redirect) r.oif = v.orig.oif;
    return { c: r, tags };
  }
}

/**
 * What classifyPoint needs: the unprojected pieces. Not kept by computeExposure (the lint only
 * reads the entries, and the pieces of a 100k-rule ruleset are tens of MB): computed again, once
 * per exposure and family, on the first question.
 */
interface Internal {
  spaces: Map<Family, Space>;
  pieces: Map<Family, { open: Cube[]; possibly: Cube[] }>;
}

/** Where an entry points when no base chain filters the hook at all. */
const NO_CHAIN: Chain = { name: '(no base chain)', rules: [], span: DOCUMENT_START, policy: 'accept' };
const NO_TABLE: Table = { name: '(no table)', family: 'inet', chains: [], span: DOCUMENT_START };

const internals = new WeakMap<Exposure, Internal>();
const memo = new WeakMap<Ruleset, Map<string, Exposure>>();

type Certain = 'open' | 'possibly-open';
/** Receives each accepted piece: its cube, the accepted flow it comes from, open or possibly, and why. */
type Emit = (c: Cube, f: Flow, certainty: Certain, tags: readonly number[]) => void;

/**
 * One family's run of the engine: each accepted piece is handed to emit, open or possibly
 * open, as it is cut (no list of all pieces is built: a 100k-rule ruleset has tens of thousands).
 */
function analyseFamily(ruleset: Ruleset, sp: Space, hook: 'input' | 'forward', emit: Emit): Engine {
  // a flow accepted for good, untagged and not NATed, is cut as it is accepted: its pieces are open (what the loop
  // below does for such a flow, in the same order: see Engine.accept)
  const eng = new Engine(sp, hook, (f) => {
    for (const piece of cutHoles(f)) emit(arrived(piece), f, 'open', NO_TAGS);
  });
  eng.run(ruleset);
  // what may not be accepted (tagged drops, in the packet's original coordinates)
  const Nidx = new CubeIndex<{ c: Cube; tags: readonly number[] }>();
  for (const f of eng.dropped) {
    if (f.tags.length === 0 && !f.via) continue;
    for (const c of cutHoles(f)) {
      const n = eng.restore(f, c);
      const tags = eng.hereTags.size > 0 ? n.tags.filter((t) => !eng.hereTags.has(t)) : n.tags;
      if (tags.length > 0) Nidx.add(tags === n.tags ? n : { c: n.c, tags });
    }
  }
  eng.dropped.length = 0;
  const found: number[] = [];
  const accepted = eng.accepted;
  for (let i = 0; i < accepted.length; i++) {
    const f = accepted[i]!;
    // a flow is read once: let it (and the hole log it holds) go as soon as it is cut
    accepted[i] = undefined as unknown as Flow;
    for (const piece of cutHoles(f)) {
      const a = eng.restore(f, piece);
      if (a.tags.length === 0) {
        emit(a.c, f, 'open', NO_TAGS);
        continue;
      }
      let rem: Cube[] = [a.c];
      found.length = 0;
      Nidx.query(a.c, found);
      found.sort((x, y) => x - y);
      for (const id of found) {
        if (rem.length === 0) break;
        const n = Nidx.get(id)!;
        const next: Cube[] = [];
        for (const r of rem) {
          const z = intersectCube(r, n.c);
          if (z && !cubeIsEmpty(z)) emit(z, f, 'possibly-open', mergeTags(a.tags, n.tags));
          subtractCube(r, n.c, next);
        }
        rem = next;
      }
      // Open whatever an undecided match says — but when that match is the accepting rule's own, the packets it may
      // not take went on and were accepted further down (a drop there would have been a tagged drop): those rules are
      // what makes them open, and they are emitted there; crediting this rule too would report the same packets,
      // "Open", on a rule that only may take them (an ARM rule with [parameters('src')] before AllowVnetInBound).
      if (f.via === undefined && f.rule !== undefined && ownUndecided(eng, a.tags, f.rule)) continue;
      // the INPUT branch of a DNAT to another address: where FORWARD did not drop the packets it accepted them, and
      // that is what makes them open (to a container, the usual case), not this branch's rule
      if (eng.hereTags.size > 0 && a.tags.some((t) => eng.hereTags.has(t))) continue;
      for (const r of rem) emit(r, f, 'open', NO_TAGS);
    }
  }
  accepted.length = 0;
  return eng;
}

/** Whether one of `tags` is an undecided match of `rule` itself. */
function ownUndecided(eng: Engine, tags: readonly number[], rule: Rule): boolean {
  for (let i = 0; i < tags.length; i++) if (eng.reasons[tags[i]!]?.rule === rule) return true;
  return false;
}

/**
 * The pieces of one entry group: one accepting rule (by id and line), chain, table, certainty
 * and DNAT rule. Compared field by field (no key string per piece), and holding only what the
 * entries read — not the flow, whose holes would keep the chain's hole log alive.
 */
interface Group {
  attr: Attr | undefined;
  rule: Rule | undefined;
  via: Via | undefined;
  certainty: Certain;
  /**
   * The first piece, by the coordinates an entry reports (the others, few groups have more than one, in `more`):
   * not the cube, which most often is a cube of its own that can go at once, while the group is kept to the end
   * of the run (nftables-100k: 39k groups; a cube is 104 B, these four fields 32 B).
   */
  proto: NumSet;
  dport: NumSet;
  src: AddrSet;
  sprin: bigint;
  iif: bigint;
  more: Cube[] | undefined;
  tags: Set<number> | undefined;
  /** The next group in order of first piece (a chain, not a list: 100k groups would be a push-grown array of 0.8 MB). */
  next: Group | undefined;
}

function sameGroup(g: Group, at: Attr | undefined, rule: Rule | undefined, via: Via | undefined, certainty: Certain): boolean {
  const ga = g.attr;
  if (g.certainty !== certainty) return false;
  if ((g.rule === undefined) !== (rule === undefined)) return false;
  if (g.rule && rule && lineOf(g.rule) !== lineOf(rule)) return false;
  if ((ga?.chain.name ?? '') !== (at?.chain.name ?? '') || (ga?.table.name ?? '') !== (at?.table.name ?? '')) return false;
  const gv = g.via;
  if (gv === via) return true;
  if (!gv || !via) return false;
  return gv.rule.id === via.rule.id && lineOf(gv.rule) === lineOf(via.rule);
}

/**
 * The list of groups by accepting rule id, at its final size when the ruleset's ids are dense
 * (they are its rules' positions in the document): assigned in id order, a list grows as a push
 * would, leaving a trail of dead copies in large-object space (only a full GC frees them).
 */
function groupsById(ruleset: Ruleset): (Group | Group[] | undefined)[] | null {
  const { rules: n, maxId: max } = rulesetFacts(ruleset);
  // (sparse ids — a ruleset of a few rules late in a big document, such as one security group of thousands —
  // are not worth a big list: null, and the caller's Map takes them. An empty list written at a large id, then
  // filled for the next family, cost a pass over every id below it per ruleset: quadratic on an AWS export)
  if (max < 1024 || max > 4 * n) return null;
  return new Array<Group | Group[] | undefined>(max + 1).fill(undefined);
}

/** Shared by every entry without reasons (nothing writes to an entry's reasons). */
const NO_REASONS: Reason[] = Object.freeze([]) as unknown as Reason[];

/**
 * An entry's reasons in tag order, each text once: the rules one written line makes (an nft verdict map's elements,
 * `numgen random mod 2 vmap { 0 : goto a, 1 : goto b }`) tag with the same text, which read twice.
 */
function reasonsOf(tags: Iterable<number>, all: readonly Reason[]): Reason[] {
  const out = [...tags].sort((x, y) => x - y).map((t) => all[t]!);
  if (out.length < 2) return out;
  const seen = new Set<string>();
  return out.filter((r) => !seen.has(r.message) && (seen.add(r.message), true));
}

export function computeExposure(ruleset: Ruleset, options?: { hook?: 'input' | 'forward' }): Exposure {
  const hook = options?.hook ?? 'input';
  let m = memo.get(ruleset);
  if (!m) {
    m = new Map();
    memo.set(ruleset, m);
  }
  const hit = m.get(hook);
  if (hit) return hit;
  const exposure: Exposure = { ruleset, hook, entries: [] };
  const internal: Internal = { spaces: new Map(), pieces: new Map() };
  // (a ruleset that replaces the host's, nft `flush ruleset`, lets in every packet of a family none of its tables
  // filters: that family is exposed too, wholly open, as the tracer says)
  const families = ruleset.families.length > 0 && !ruleset.replaces ? [...new Set(ruleset.families)] : (['ipv4', 'ipv6'] as Family[]);
  // (rule ids are small integers: a list by id instead of a Map of 100k entries; a Map for others). One list for
  // every family, made on the first piece (nftables-100k's inet table accepts nothing in IPv6: no list for it)
  // (undefined: not made yet; null: the ids are sparse, the Map serves them all)
  let byId: (Group | Group[] | undefined)[] | null | undefined;
  for (const family of families) {
    const sp = spaceFor(ruleset, family);
    internal.spaces.set(family, sp);
    // group the pieces into entries: one per accepting rule, certainty and DNAT (their reasons united),
    // in the order of their first piece; groups are found by the accepting rule's id (NaN: none)
    let first: Group | undefined;
    let last: Group | undefined;
    const byOther = new Map<number, Group | Group[]>();
    const eng = analyseFamily(ruleset, sp, hook, (c, f, certainty, tags) => {
      const at = f.attr;
      const id = f.rule ? f.rule.id : NaN;
      let small = id >= 0 && id < 0x40000000 && Number.isInteger(id);
      if (small && byId === undefined) byId = groupsById(ruleset);
      small &&= byId !== null;
      const cands = small ? byId![id] : byOther.get(id);
      let g: Group | undefined;
      if (cands !== undefined) {
        if (!Array.isArray(cands)) {
          if (sameGroup(cands, at, f.rule, f.via, certainty)) g = cands;
        } else for (let i = 0; i < cands.length && !g; i++) if (sameGroup(cands[i]!, at, f.rule, f.via, certainty)) g = cands[i];
      }
      if (!g) {
        g = { attr: at, rule: f.rule, via: f.via, certainty, proto: c.proto, dport: c.dport, src: c.src, sprin: c.sprin, iif: c.iif, more: undefined, tags: undefined, next: undefined };
        if (last) last.next = g;
        else first = g;
        last = g;
        if (Array.isArray(cands)) cands.push(g);
        else {
          const v = cands === undefined ? g : [cands, g];
          if (small) byId![id] = v;
          else byOther.set(id, v);
        }
      } else (g.more ??= []).push(c);
      if (tags.length > 0) {
        g.tags ??= new Set();
        for (let i = 0; i < tags.length; i++) g.tags.add(tags[i]!);
      }
    });
    if (byId) byId.fill(undefined);
    byOther.clear();
    // entries read only protocol, port, source (and principals) and input interface: the pieces
    // are merged on those (their other coordinates are not reported)
    // (nor the atom of no interface: a packet that comes in has one — "(none)" named no interface a packet comes in by)
    const noLo = sp.universe.iif & ~sp.ifs.bit('lo') & ~sp.ifs.bit('');
    const principals = new Map<bigint, string[]>();
    const interfaces = new Map<bigint, string>();
    last = undefined;
    // the groups of several pieces merged first (their `more` becomes the merged list), so that the entry list is
    // made at its size: grown by push, a list of 40k entries left ~0.6 MB of dead copies in large-object space
    // (a group's first piece as a cube again, for mergeCubes: only the coordinates an entry reports are read)
    const U = sp.universe;
    let count = 0;
    for (let g = first; g; g = g.next) {
      if (g.more) g.more = mergeCubes([new Box(g.proto, g.iif, U.oif, U.ct, U.icmp, g.dport, U.sport, U.dst, g.src, g.sprin), ...g.more]);
      count += g.more ? g.more.length : 1;
    }
    const entries = new Array<ExposureEntry>(count);
    let k = 0;
    while (first) {
      const g = first;
      const { attr: at, rule, via, certainty, more: merged, tags } = g;
      first = first.next; // done: its pieces may go
      const reasons = tags ? reasonsOf(tags, eng.reasons) : NO_REASONS;
      // (indexed: a for-of step outside optimised code makes an iterator result object, 40k entries; one piece,
      // nearly every group: no list of it)
      const n = merged ? merged.length : 1;
      for (let ci = 0; ci < n; ci++) {
        const c: Cube | Group = merged ? merged[ci]! : g;
        let prins = principals.get(c.sprin);
        if (!prins) principals.set(c.sprin, (prins = Object.freeze(sp.prins.list(c.sprin)) as string[]));
        let ifs = interfaces.get(c.iif);
        if (ifs === undefined) interfaces.set(c.iif, (ifs = sp.ifs.describe(c.iif, noLo)));
        // one literal, `rule` included (undefined for a policy): an entry is not reshaped, and given a
        // property store, after it is made
        const entry: ExposureEntry = {
          family,
          protocols: c.proto,
          dports: c.dport,
          sources: c.src,
          principals: prins,
          interfaces: ifs,
          certainty,
          chain: at?.chain ?? NO_CHAIN,
          table: at?.table ?? NO_TABLE,
          reasons,
          rule,
        };
        if (via) {
          const lo = toLoopback(via, family);
          entry.via = lo === undefined ? { kind: 'dnat', rule: via.rule, to: via.to } : { kind: 'dnat', rule: via.rule, to: via.to, loopback: lo };
        }
        entries[k++] = entry;
      }
    }
    if (exposure.entries.length === 0) exposure.entries = entries;
    else pushAll(exposure.entries, entries);
  }
  internals.set(exposure, internal);
  m.set(hook, exposure);
  return exposure;
}

/** h mixed with a number (an integer below 2^64: both 32-bit halves). */
function mixNum(h: number, v: number): number {
  h = Math.imul(h ^ (v | 0), 0x9e3779b1);
  return Math.imul(h ^ ((v / 4294967296) | 0), 0x85ebca6b);
}

/** h mixed with a bigint (an address or a mask), 32 bits at a time: every bit counts. */
function mixBig(h: number, v: bigint): number {
  h = mixNum(h, Number(BigInt.asUintN(32, v)));
  for (let x = v >> 32n; x !== 0n; x >>= 32n) h = mixNum(h, Number(BigInt.asUintN(32, x)));
  return h;
}

function mixBounds(h: number, b: readonly number[]): number {
  h = mixNum(h, b.length);
  for (let i = 0; i < b.length; i++) h = mixNum(h, b[i]!);
  return h;
}

function mixBigBounds(h: number, b: readonly bigint[]): number {
  h = mixNum(h, b.length);
  for (let i = 0; i < b.length; i++) h = mixBig(h, b[i]!);
  return h;
}

function sameSet<T extends number | bigint>(x: IntervalSet<T>, y: IntervalSet<T>): boolean {
  if (x === y) return true;
  const a = x.bounds;
  const b = y.bounds;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A hash of what mergeCubes compares in pass dimension d: the reported coordinates but d's. */
function shapeHash(c: Cube, d: number): number {
  let h = d;
  if (d !== 0) h = mixBounds(h, c.proto.bounds);
  if (d !== 1) h = mixBounds(h, c.dport.bounds);
  if (d !== 2) h = mixBig(mixBigBounds(mixBounds(h, c.src.v4.bounds), c.src.v6.bounds), c.sprin);
  if (d !== 3) h = mixBig(h, c.iif);
  return h;
}

/** Whether a and b are equal in the reported coordinates but d's. */
function sameShape(a: Cube, b: Cube, d: number): boolean {
  return (
    (d === 0 || sameSet(a.proto, b.proto)) &&
    (d === 1 || sameSet(a.dport, b.dport)) &&
    (d === 2 || (sameSet(a.src.v4, b.src.v4) && sameSet(a.src.v6, b.src.v6) && a.sprin === b.sprin)) &&
    (d === 3 || a.iif === b.iif)
  );
}

/**
 * Merge cubes into fewer with the same union in the coordinates an entry reports
 * (protocol, port, source and input interface; the others are ignored and not
 * meaningful in the result): cubes equal in all but one of those dimensions are
 * united along it (hash on the other three; linear per pass). The cubes are found
 * by a numeric hash of those three and compared field by field (a key string per
 * cube and pass — the bounds of its sets joined — was most of what a merge allocated).
 */
function mergeCubes(cubes: Cube[]): Cube[] {
  let list = cubes;
  for (let pass = 0; pass < 2 && list.length > 1; pass++) {
    for (let d = 0; d < 4 && list.length > 1; d++) {
      // the cubes in order of their first of a kind (each merged in its place); by hash, their positions
      const out: Cube[] = [];
      const byHash = new Map<number, number | number[]>();
      for (let i = 0; i < list.length; i++) {
        const c = list[i]!;
        const h = shapeHash(c, d);
        const at = byHash.get(h);
        let j = -1;
        if (typeof at === 'number') {
          if (sameShape(out[at]!, c, d)) j = at;
        } else if (at !== undefined)
          for (let k = 0; k < at.length && j < 0; k++) if (sameShape(out[at[k]!]!, c, d)) j = at[k]!;
        if (j < 0) {
          const n = out.length;
          out.push(c);
          if (at === undefined) byHash.set(h, n);
          else if (typeof at === 'number') byHash.set(h, [at, n]);
          else at.push(n);
          continue;
        }
        const prev = out[j]!;
        const u = copyCube(prev);
        if (d === 0) u.proto = prev.proto.union(c.proto);
        else if (d === 1) u.dport = prev.dport.union(c.dport);
        else if (d === 2) {
          u.src = prev.src.union(c.src);
          u.sprin = prev.sprin | c.sprin;
        } else u.iif = prev.iif | c.iif;
        out[j] = u;
      }
      list = out;
    }
  }
  return list;
}

/** Entries clipped to a protocol and port set. */
export function exposedPorts(exposure: Exposure, protocol: number, ports: NumSet): ExposureEntry[] {
  const out: ExposureEntry[] = [];
  for (const e of exposure.entries) {
    if (!e.protocols.has(protocol)) continue;
    const d = e.dports.intersect(ports);
    if (d.isEmpty) continue;
    out.push({ ...e, protocols: e.protocols.intersect(numOne(protocol)), dports: d });
  }
  return out;
}

function numOne(n: number): NumSet {
  return IntervalSet.range(n, n + 1);
}

export type PacketClass = 'open' | 'possibly-open' | 'closed';

/** Where a concrete point lies in an exposure (internal: used by the trace consistency tests and the CLI). */
export function classifyPoint(exposure: Exposure, p: Point): PacketClass {
  const int = internals.get(exposure);
  const sp = int?.spaces.get(p.family);
  if (!int || !sp) return 'closed';
  let pieces = int.pieces.get(p.family);
  if (!pieces) {
    const got: { open: Cube[]; possibly: Cube[] } = (pieces = { open: [], possibly: [] });
    analyseFamily(exposure.ruleset, sp, exposure.hook, (c, _f, certainty) => (certainty === 'open' ? got.open : got.possibly).push(c));
    int.pieces.set(p.family, pieces);
  }
  for (const c of pieces.open) if (cubeHas(c, p)) return 'open';
  for (const c of pieces.possibly) if (cubeHas(c, p)) return 'possibly-open';
  return 'closed';
}

export function exposureSpace(exposure: Exposure, family: Family): Space | undefined {
  return internals.get(exposure)?.spaces.get(family);
}
