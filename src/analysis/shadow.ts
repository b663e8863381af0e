/**
 * Shadowed rules: rules no packet can reach because earlier terminal rules with
 * decidable matches in the same chain already take every packet they match.
 * Only the certain part (`must`) of an earlier rule covers; a rule is reported
 * when its whole `may` region (every family the chain sees) is covered.
 */
import type { Chain, Family, Match, Rule, Ruleset, Table } from '../model/index.js';
import { RuleCompiler, mayIn, mustIn, spaceFor, tableCarries, type Cond } from './compile.js';
import { AddrSet, IntervalSet } from '../model/index.js';
import { PK_DST_ADDR, PK_ICMP4, PK_ICMP6, PK_MATCH, PK_SRC_ADDR, packedCode, packedCodes, packedCount, packedValue } from '../parsers/placed.js';
import { Box, CubeIndex, cubeIsEmpty, cubesOverlap, intersectCube, subtractCube, type Cube, type Space } from './cube.js';
import { BoxIndex, EMPTY_ROW } from './box-index.js';
import { IndexArena, Keys, PointIndex, StabIndex, meetCornerKeys } from './point-index.js';
import type { Shadowed } from './types.js';

const TERMINAL = new Set(['accept', 'drop', 'reject', 'return', 'goto', 'nat', 'queue']);

/** Whether a rule ends the chain for every packet it matches: a terminal verdict, or a jump to a chain that decides all. */
function ends(table: Table, r: Rule): boolean {
  const a = r.action;
  return TERMINAL.has(a.kind) || (a.kind === 'jump' && decidesAll(table, a.target, 0));
}

/** Per table, the user chains found to decide every packet sent to them (decidesAll), by name. */
const deciding = new WeakMap<Table, Map<string, boolean>>();

/**
 * Whether the user chain `name` decides every packet sent to it: it reaches a rule without matches that accepts,
 * drops or rejects (or sends to such a chain) before any RETURN, or a goto to a chain that does not, could send a
 * packet back (a goto's chain ends at the caller's caller). A jump to it then ends the calling chain like an ACCEPT
 * or a DROP does: `-j LOGDROP`, an `-j SSH` chain that ends with `-j DROP`.
 */
function decidesAll(table: Table, name: string, depth: number): boolean {
  let memo = deciding.get(table);
  if (!memo) deciding.set(table, (memo = new Map()));
  const known = memo.get(name);
  if (known !== undefined) return known;
  memo.set(name, false); // (a loop of jumps decides nothing)
  let v = false;
  const chain = depth < 8 ? table.chains.find((c) => c.name === name && c.hook === undefined) : undefined;
  for (const r of chain?.rules ?? []) {
    if (r.disabled) continue;
    const a = r.action;
    const all = r.matches.length === 0;
    if (a.kind === 'return') break;
    if (a.kind === 'goto' || a.kind === 'jump') {
      const sent = decidesAll(table, a.target, depth + 1);
      if (sent && all) {
        v = true;
        break;
      }
      if (a.kind === 'goto' && !sent) break;
      continue;
    }
    if (all && (a.kind === 'accept' || a.kind === 'drop' || a.kind === 'reject')) {
      v = true;
      break;
    }
  }
  if (depth === 0 || v) memo.set(name, v);
  else memo.delete(name);
  return v;
}

interface Earlier {
  c: Cube;
  rule: Rule;
  order: number;
}

/**
 * Chains with at most this many certain cubes (per family) use the BoxIndex (a table of the
 * cubes' key ranges filed in lists by block: filled as the chain is walked, a query reads the
 * lists its corner names); longer ones use the PointIndex (a chain is found longer when its walk
 * passes the bound: the walk's findings are dropped and the chain done again). A list, and so a query, can grow with the chain:
 * on synthetic chains of 256 to 4096 rules all filed in one list the BoxIndex still matched or
 * beat the PointIndex, so the bound is a margin, not the crossover.
 */
export const MAX_BOXED = 2048;

/**
 * Chains with more certain cubes than this (per family) use the StabIndex instead of
 * the PointIndex, whose memory and query cost grow with the square of the number of
 * cubes (at 4096 cubes: about 0.5 MB per dimension, a 128-word AND per dimension per query).
 */
export const MAX_POINT_INDEXED = 4096;

/**
 * A long chain where a StabIndex query may have to read more cubes than this in every
 * dimension (StabIndex.worstRead) uses the incremental CubeIndex instead.
 */
export const MAX_STAB_READ = 2048;

/** What the cover proof and the coverers need of an index over a chain's certain cubes. */
interface ChainIndex {
  readonly cubes: readonly Cube[];
  firstAtCorner(c: Cube, limit: number): number;
  overlapping(q: Cube, limit: number, out: number[]): void;
}

export interface ShadowOptions {
  /** Largest chain (in certain cubes per family) checked with the BoxIndex; default MAX_BOXED. */
  maxBoxed?: number;
  /** Largest chain (in certain cubes per family) checked with the PointIndex; default MAX_POINT_INDEXED. */
  maxPointIndexed?: number;
  /** Largest StabIndex.worstRead of a longer chain checked with the StabIndex (else the CubeIndex); default MAX_STAB_READ. */
  maxStabRead?: number;
}

export function findShadowedRules(ruleset: Ruleset, options: ShadowOptions = {}): Shadowed[] {
  const max = options.maxPointIndexed ?? MAX_POINT_INDEXED;
  const maxBoxed = options.maxBoxed ?? MAX_BOXED;
  const maxRead = options.maxStabRead ?? MAX_STAB_READ;
  // a StabIndex over a long chain's cubes, unless its queries may read too many cubes
  const stabIndex = (cubes: readonly Cube[]): ChainIndex | undefined => {
    const idx = new StabIndex(cubes);
    return idx.readsAtMost(maxRead) ? idx : undefined;
  };
  // per family (k), stores reused by the chains' PointIndexes: a chain's index is dead when
  // the next chain's is built (typed-array stores are malloc'd and freed only by a scavenge:
  // fresh ones for each of a file's hundreds of chains left the malloc heap larger); and one
  // BoxIndex per family, cleared for each chain (its arrays grow to the longest chain's and stay)
  const arenas: IndexArena[] = [];
  const pointIndex = (cubes: readonly Cube[], k: number): ChainIndex => new PointIndex(cubes, { arena: (arenas[k] ??= new IndexArena()) });
  const boxes: BoxIndex[] = [];
  const out: Shadowed[] = [];
  for (const table of ruleset.tables) {
    const families = (ruleset.families.length > 0 ? ruleset.families : (['ipv4', 'ipv6'] as Family[])).filter((f) => tableCarries(table.family, f));
    if (families.length === 0) continue;
    const spaces = families.map((f) => spaceFor(ruleset, f));
    const comps = spaces.map((sp) => new RuleCompiler(sp, false));
    for (let k = boxes.length; k < comps.length; k++) boxes.push(new BoxIndex());
    // an ip or ip6 table's rules are all about its one family: outsideFamily (which reads every
    // match of every rule, objects all over the heap) would only find the odd rule that compiles
    // to no packet anyway
    const screen = table.family !== 'ip' && table.family !== 'ip6';
    // (rulesets with named sources only: netfilter spaces have none, and their rules go as compiled)
    const named = spaces.map((sp) => sp.universe.sprin !== 0n);
    const compile = (r: Rule, k: number): Cond => {
      if (screen && outsideFamily(r, spaces[k]!.family)) return NO_PACKET;
      const c = comps[k]!.get(r);
      return testsTcpFlags(r) ? unsureOfFlags(c) : c;
    };
    // what a terminal rule covers of later rules (its certain cubes, with the named sources when it takes them)
    const cover = named.some((x) => x) ? (r: Rule, c: Cond, k: number): Cond => (named[k] && takesNamed(r.matches) ? namedToo(c, spaces[k]!) : c) : undefined;
    for (const chain of table.chains) {
      // compiled by the rule compilers of the spaces: shared with the exposure engine's
      const live = enabledRules(chain.rules);
      // most chains: one walk, each rule compiled, asked about and added in turn (its findings
      // dropped if the chain turns out too long for it)
      const found = out.length;
      if (shadowChainBoxed(table, chain, live, comps.length, compile, cover, boxes, maxBoxed, out)) continue;
      out.length = found;
      const nf = comps.length;
      // flat, rule by rule (rule i's condition in family k at i * nf + k): no array per rule
      const compiled = new Array<Cond>(live.length * nf);
      // which rules are terminal, read once (the rules are objects all over the heap), and per
      // family the number of certain cubes of the terminal rules (the size of its index), counted
      // as each rule is compiled (its compiled form is then in the cache, not read again later)
      const terminal = new Uint8Array(live.length);
      const counts = new Array<number>(nf).fill(0);
      for (let i = 0; i < live.length; i++) {
        const r = live[i]!;
        const term = ends(table, r);
        if (term) terminal[i] = 1;
        for (let k = 0; k < nf; k++) {
          const c = compile(r, k);
          compiled[i * nf + k] = c;
          if (term) counts[k]! += mustIn(c, countRegion).length;
        }
      }
      // the terminal rules' conditions as coverers (cover: the same cubes, one for one)
      let covers: readonly Cond[] = compiled;
      if (cover) {
        const xs = compiled.slice();
        for (let i = 0; i < live.length; i++) if (terminal[i] === 1) for (let k = 0; k < nf; k++) xs[i * nf + k] = cover(live[i]!, compiled[i * nf + k]!, k);
        covers = xs;
      }
      let indexed = true;
      for (let k = 0; k < nf; k++) if (counts[k]! > max) indexed = false;
      if (indexed) shadowChainIndexed(table, chain, live, compiled, covers, terminal, counts, pointIndex, out);
      else if (!shadowChainIndexed(table, chain, live, compiled, covers, terminal, counts, stabIndex, out)) shadowChain(table, chain, live, compiled, covers, nf, out);
    }
  }
  return out;
}

/**
 * A chain whose terminal rules have at most maxBoxed certain cubes per family, in one walk: each
 * rule is compiled, its region asked of the BoxIndex of the cubes before it (the row its query is
 * made from is, for a rule of one certain cube, the row it is then added as), and named when
 * covered; then its certain cubes are added. False (findings pushed so far to be dropped) once a
 * family's index passes maxBoxed: the chain goes to the PointIndex, StabIndex or CubeIndex.
 */
function shadowChainBoxed(
  table: Table,
  chain: Chain,
  live: Rule[],
  nf: number,
  compile: (r: Rule, k: number) => Cond,
  cover: ((r: Rule, c: Cond, k: number) => Cond) | undefined,
  idx: BoxIndex[],
  maxBoxed: number,
  out: Shadowed[],
): boolean {
  for (let k = 0; k < nf; k++) idx[k]!.clear();
  // the coverers named for the current rule (positions in `live`), and for each rule the
  // number (i + 1) of the last rule it was named for: a set without a Set per covered rule
  // (made for the chain's first covered rule: most chains have none)
  const by: number[] = [];
  let seen: number[] | undefined;
  for (let i = 0; i < live.length; i++) {
    const rule = live[i]!;
    for (let k = 0; k < nf; k++) {
      conds[k] = compile(rule, k);
      staged[k] = UNSTAGED;
    }
    // most rules are reachable: a witness packet outside every earlier certain region proves it
    let covered = true;
    for (let k = 0; k < nf && covered; k++) {
      const c = conds[k]!;
      const x = idx[k]!;
      if (c instanceof Box) {
        // its region is the one cube: its corner, read from its row, is the first witness
        const st = (staged[k] = x.stage(c));
        covered = st !== EMPTY_ROW && x.firstAtStaged(c, st, x.size) >= 0;
        if (!covered) break;
      }
      const may = mayIn(c, proofRegion);
      last[k] = coverProof(may, may.length, x, x.size);
      covered = last[k]! !== UNCOVERED;
    }
    if (covered) {
      // the coverers, as the ordered subtraction names them: the earlier rules owning a cube e
      // that still meets the region once every cube before e is taken away, i.e. e ∩ may not
      // covered by the cubes before e. The cover proof used only cubes up to last[k]: a later
      // cube's part of the region is covered by those, so it is never named.
      by.length = 0;
      seen ??= new Array<number>(live.length).fill(0);
      let anyMay = false;
      for (let k = 0; k < nf; k++) {
        const may = mayIn(conds[k]!, namingRegion);
        if (may.length === 0) continue;
        anyMay = true;
        nameCoverers(may, idx[k]!, idx[k]!.tags, last[k]! + 1, seen, i + 1, by);
      }
      if (anyMay && by.length > 0) out.push({ rule, chain, table, coveredBy: inFileOrder(by.map((j) => live[j]!)) });
    }
    if (ends(table, rule)) {
      for (let k = 0; k < nf; k++) {
        const own = conds[k]!;
        const c = cover ? cover(rule, own, k) : own;
        const x = idx[k]!;
        if (c instanceof Box) {
          // (the row staged for the query is the rule's own cube: a widened one is added afresh)
          if (staged[k] === UNSTAGED || c !== own) x.add(c, i);
          else x.addStaged(c, i);
        } else {
          // (indexed: a for-of made an iterator object per rule — per family, and an inet table's
          // rules of the other family are each a condition of no cube)
          const must = c.must;
          for (let q = 0; q < must.length; q++) x.add(must[q]!, i);
        }
        if (x.size > maxBoxed) return false;
      }
    }
  }
  return true;
}

/**
 * Rules (a finding's coverers, in the order they were named) in file order: by their spans'
 * start offsets, ties in the order given. Each span read once: a parsed rule builds its span
 * object when read, and a comparator reading two per comparison built ten or so per coverer.
 */
function inFileOrder(named: Rule[]): Rule[] {
  const at = named.map((r) => r.span.start.offset);
  return named
    .map((_, i) => i)
    .sort((a, b) => at[a]! - at[b]! || a - b)
    .map((i) => named[i]!);
}

/** shadowChainBoxed's scratch, per family: the rule's conditions, its stage answers, the cover proofs' last cubes. */
const conds: Cond[] = [];
const UNSTAGED = -2;
const staged: number[] = [];
const last: number[] = [];

/**
 * The rules of a chain that are not disabled: the chain's own array when none is (nearly
 * always), not a copy (a 96k-rule chain's filter grows an 0.8 MB array by doubling, 2.4 MB
 * of large-object garbage while the heap is at its highest).
 */
function enabledRules(rules: Rule[]): Rule[] {
  for (let i = 0; i < rules.length; i++) if (rules[i]!.disabled) return rules.filter((r) => !r.disabled);
  return rules;
}

/**
 * Per family, one index (BoxIndex, PointIndex, or StabIndex on long chains) over the certain cubes
 * of the chain's terminal rules in rule order; a rule's earlier cubes are those below its
 * first cube's number. False (nothing done) when `index` declines a family's cubes.
 */
function shadowChainIndexed(
  table: Table,
  chain: Chain,
  live: Rule[],
  compiled: readonly Cond[],
  covers: readonly Cond[],
  terminal: Uint8Array,
  counts: readonly number[],
  index: (cubes: readonly Cube[], k: number) => ChainIndex | undefined,
  out: Shadowed[],
): boolean {
  const nf = counts.length;
  // per family, the cubes (of the exact size counted: no push-grown copies, dead, in the
  // large-object space)
  const cubes = perCertainCube(covers, terminal, counts, (_, c) => c);
  const idx: ChainIndex[] = [];
  for (let k = 0; k < nf; k++) {
    const x = index(cubes[k]!, k);
    if (!x) return false;
    idx.push(x);
  }
  const limit = new Array<number>(nf).fill(0);
  const last = new Array<number>(nf).fill(-1);
  // the coverers named for the current rule (positions in `live`), and for each rule the
  // number (i + 1) of the last rule it was named for: a set without a Set per covered rule
  // (both, and the cubes' owners, made for the chain's first covered rule: most chains have none)
  const by: number[] = [];
  let seen: number[] | undefined;
  let owner: number[][] | undefined;
  for (let i = 0; i < live.length; i++) {
    const rule = live[i]!;
    const at = i * nf;
    // most rules are reachable: a witness packet outside every earlier certain region proves it
    let covered = true;
    for (let k = 0; k < nf && covered; k++) {
      const may = mayIn(compiled[at + k]!, proofRegion);
      last[k] = coverProof(may, may.length, idx[k]!, limit[k]!);
      covered = last[k]! !== UNCOVERED;
    }
    if (covered) {
      // the coverers, as the ordered subtraction names them: the earlier rules owning a cube e
      // that still meets the region once every cube before e is taken away, i.e. e ∩ may not
      // covered by the cubes before e. The cover proof used only cubes up to last[k]: a later
      // cube's part of the region is covered by those, so it is never named.
      by.length = 0;
      seen ??= new Array<number>(live.length).fill(0);
      owner ??= perCertainCube(compiled, terminal, counts, (j) => j);
      let anyMay = false;
      for (let k = 0; k < nf; k++) {
        const may = mayIn(compiled[at + k]!, namingRegion);
        if (may.length === 0) continue;
        anyMay = true;
        nameCoverers(may, idx[k]!, owner[k]!, last[k]! + 1, seen, i + 1, by);
      }
      if (anyMay && by.length > 0) out.push({ rule, chain, table, coveredBy: inFileOrder(by.map((j) => live[j]!)) });
    }
    if (terminal[i] === 1) for (let k = 0; k < nf; k++) limit[k]! += mustIn(compiled[at + k]!, countRegion).length;
  }
  return true;
}

/**
 * Per family k, one value per certain cube of the chain's terminal rules, in the index's order:
 * of(i, cube) for the rule at position i (the cubes themselves; their rules' positions, the
 * owners, made for a chain's first covered rule). Lists of the size counted; plain arrays, not
 * typed ones: a typed array's store is malloc'd outside the V8 heap, and a few per chain for a
 * file's hundreds of chains left the malloc heap larger, where small arrays die young in the
 * new space at no cost to the peak.
 */
function perCertainCube<T>(compiled: readonly Cond[], terminal: Uint8Array, counts: readonly number[], of: (i: number, c: Cube) => T): T[][] {
  const nf = counts.length;
  const out: T[][] = [];
  for (let k = 0; k < nf; k++) {
    const xs = new Array<T>(counts[k]!);
    let n = 0;
    for (let i = 0; i < terminal.length; i++) {
      if (terminal[i] !== 1) continue;
      const must = mustIn(compiled[i * nf + k]!, certainRegion);
      for (let q = 0; q < must.length; q++) xs[n++] = of(i, must[q]!);
    }
    out.push(xs);
  }
  return out;
}

/** One-slot lists for mustIn/mayIn, one per call site (neither coverProof nor nameCoverers keeps its region). */
const countRegion: Cube[] = [];
const certainRegion: Cube[] = [];
const proofRegion: Cube[] = [];
const namingRegion: Cube[] = [];

/**
 * Adds to `by` the owners (positions in the chain's live rules; `seen[r] === mark` once r is
 * in it) of the cubes below `limit` that a covered region's ordered subtraction
 * touches: cube j overlaps the region and its part of it, part = region ∩ cube j, is not covered
 * by the cubes before j. (Most candidates are coverers — twenty or thirty a shadowed rule in the
 * bench files — each proved by one witness no earlier cube holds.)
 */
function nameCoverers(
  region: readonly Cube[],
  idx: ChainIndex,
  owner: ArrayLike<number>,
  limit: number,
  seen: number[],
  mark: number,
  by: number[],
): void {
  candidates(region, idx, limit, cands);
  const boxes = idx instanceof BoxIndex ? idx : undefined;
  for (let n = 0; n < cands.length; n++) {
    const j = cands[n]!;
    const r = owner[j]!;
    if (seen[r] === mark) continue;
    const cj = idx.cubes[j]!;
    if (boxes !== undefined) {
      // coverProof's first step for each cube of the part, without building the part: the corner
      // of a cube of it that no cube before j holds is a packet of the part left uncovered
      let met = false;
      let open = false;
      for (let q = 0; q < region.length && !open; q++) {
        if (!meetCornerKeys(region[q]!, cj, partKeys)) continue;
        met = true;
        open = boxes.firstAtKeys(partKeys, j) < 0;
      }
      if (open) {
        seen[r] = mark;
        by.push(r);
      }
      if (open || !met) continue;
    }
    // (coverProof copies its region: the pieces go to one array, reused; its first np slots
    // are the part, the rest stale)
    let np = 0;
    for (let q = 0; q < region.length; q++) {
      const rq = region[q]!;
      // a region cube inside cube j is its own part (intersectCube would build the box to find that out)
      const x = !cubeIsEmpty(rq) && inside(rq, cj) ? rq : intersectCube(rq, cj);
      if (x) part[np++] = x;
    }
    if (np > 0 && coverProof(part, np, idx, j) === UNCOVERED) {
      seen[r] = mark;
      by.push(r);
    }
  }
}

/** nameCoverers' scratch (it does not nest): candidates, a part, a packet. */
const cands: number[] = [];
const part: Cube[] = [];
const partKeys = new Keys();

/** The cubes numbered below `limit` that overlap some cube of the region, in increasing order. */
function candidates(region: readonly Cube[], idx: ChainIndex, limit: number, out: number[]): void {
  out.length = 0;
  for (let i = 0; i < region.length; i++) idx.overlapping(region[i]!, limit, out);
  if (region.length > 1) {
    out.sort((a, b) => a - b);
    let n = 0;
    for (const j of out) if (n === 0 || out[n - 1] !== j) out[n++] = j;
    out.length = n;
  }
}

const UNCOVERED = -2;

/** Whether a rule has a source match written as every address of a family (AddressMatch.named), in any alternative. */
function takesNamed(ms: readonly Match[]): boolean {
  for (const m of ms) {
    if (m.kind === 'address' && m.named === true && m.dir === 'src' && !m.negated) return true;
    if (m.kind === 'any-of' && !m.negated && m.alternatives.some(takesNamed)) return true;
  }
  return false;
}

/**
 * What a terminal rule covers, with the named sources' packets its addresses take. The compiler keeps a named source's packets
 * (a GCP source tag or service account, an Azure service tag or application security group, an AWS group
 * reference) apart from address packets; but a source written as every address of the family (`0.0.0.0/0`,
 * `::/0`: AddressMatch.named) takes them too, as their members have such addresses: a GCP rule allowing 0.0.0.0/0
 * at priority 100 decides every packet of a deny of 0.0.0.0/0 (a `family` match) at 200 on its ports. Parsers
 * write a deny of a whole family as a `family` match (every packet); this reads an allow's written 0.0.0.0/0 so
 * for the shadow analysis alone (the exposure keeps reporting the addresses written). Azure's `Internet`, read as
 * every address, is no such source (it leaves out the virtual network), nor is a source of fewer addresses.
 * Only the covering side is widened: a later rule whose addresses earlier rules cover is covered, its named
 * sources' packets being packets of those addresses (0.0.0.0/1 and 128.0.0.0/1 dropped leave an allow of
 * 0.0.0.0/0 nothing), while a rule of a named source needs a coverer that surely takes it.
 */
function namedToo(c: Cond, sp: Space): Cond {
  if (c instanceof Box) return widened(c, sp) ?? c;
  let must: Cube[] | undefined;
  for (let i = 0; i < c.must.length; i++) {
    const w = widened(c.must[i]!, sp);
    if (w) (must ??= [...c.must])[i] = w;
  }
  return must ? { must, may: c.may, opaque: c.opaque } : c;
}

/** The cube with every named source of the space when its source addresses are the whole family, else undefined. */
function widened(c: Cube, sp: Space): Box | undefined {
  const all = sp.universe.sprin;
  if ((c.sprin & all) === all || !c.src.coversAll(sp.family)) return undefined;
  return new Box(c.proto, c.iif, c.oif, c.ct, c.icmp, c.dport, c.sport, c.dst, c.src, all);
}

/** What a rule that matches no packet of a family compiles to there. */
const NO_PACKET: Cond = { must: [], may: [], opaque: [] };

/**
 * A rule that tests TCP flags (`--syn`, `tcp flags syn / syn,ack`): the compiler decides it for the first packet of
 * a connection, a SYN (what the exposure engine follows), but a chain also sees later packets — ACKs of established
 * connections, a NEW packet without SYN (nf_conntrack_tcp_loose picks connections up mid-stream), INVALID strays —
 * that such a rule does not match. It covers nothing: `-p tcp --syn -j ACCEPT` leaves `-p tcp --dport 22 -j DROP`
 * reachable by every established packet. (Its own region, `may`, is what it may match, as the compiler says.)
 */
function unsureOfFlags(c: Cond): Cond {
  const must = mustIn(c, flagRegion);
  if (must.length === 0) return c;
  return { must: [], may: [...mayIn(c, flagRegion)], opaque: c.opaque };
}
const flagRegion: Cube[] = [];

function testsTcpFlags(r: Rule): boolean {
  const codes = packedCodes(r);
  if (codes < 0) return r.matches.some(flagMatch);
  // a packed rule (src/parsers/placed.ts): a flags test is one of its kept matches
  for (let k = packedCount(codes) - 1; k >= 0; k--) if ((packedCode(codes, k) & ~1) === PK_MATCH && flagMatch(packedValue(r, k) as Match)) return true;
  return false;
}

function flagMatch(m: Match): boolean {
  return m.kind === 'tcp-flags' || (m.kind === 'any-of' && m.alternatives.some((alt) => alt.some(flagMatch)));
}

/**
 * Whether a rule certainly matches no packet of the family: a plain (not negated) match
 * of the conjunction is about the other family (`ip saddr …` in an inet table's IPv6
 * space). compileConj gives such a rule empty `must` and `may` (one empty factor empties
 * the product); taking that without compiling spares, in a 100k-rule inet table whose
 * chains are jumped to for IPv4 only, 100k compilations the exposure engine never needed
 * and their entries in the compile cache (about 23 MB kept for the ruleset's lifetime).
 */
function outsideFamily(r: Rule, family: Family): boolean {
  const codes = packedCodes(r);
  if (codes < 0) {
    const ms = r.matches;
    for (let i = 0; i < ms.length; i++) if (matchOutside(ms[i]!, family)) return true;
    return false;
  }
  // a packed rule (src/parsers/placed.ts): its matches read where it keeps them, not built
  for (let k = packedCount(codes) - 1; k >= 0; k--) {
    const code = packedCode(codes, k);
    const v = packedValue(r, k);
    if (code === PK_MATCH) {
      if (matchOutside(v as Match, family)) return true;
    } else if (code === PK_SRC_ADDR || code === PK_DST_ADDR) {
      if ((family === 'ipv4' ? (v as AddrSet).v4 : (v as AddrSet).v6).isEmpty) return true;
    } else if (code === PK_ICMP4 || code === PK_ICMP6) {
      if ((code === PK_ICMP4 ? 'ipv4' : 'ipv6') !== family) return true;
    }
  }
  return false;
}

function matchOutside(m: Match, family: Family): boolean {
  if (m.negated) return false;
  if (m.kind === 'family' || m.kind === 'icmp-type') return m.family !== family;
  if (m.kind === 'address') return (family === 'ipv4' ? m.addrs.v4 : m.addrs.v6).isEmpty;
  return false;
}

/**
 * Whether the cubes numbered below `limit` cover the whole region (its first n cubes) — the witness
 * search of isCovered, with the earliest cube holding the witness found by the
 * chain's index: UNCOVERED, or the highest cube number the proof used (-1 for an
 * empty region).
 */
function coverProof(region: readonly Cube[], n: number, idx: ChainIndex, limit: number): number {
  for (let i = 0; i < n; i++) todo.push(region[i]!);
  let last = -1;
  while (todo.length > 1) {
    const r = todo.pop()!;
    const j = cubeIsEmpty(r) ? -1 : idx.firstAtCorner(r, limit);
    // (a cube that does not meet r would give r back unchanged, for ever: an index fault is "not covered")
    if (j < 0 || !cubesOverlap(r, idx.cubes[j]!)) {
      // (pops: setting the length is a call into the runtime, as slow as a witness search)
      while (todo.length > 1) todo.pop();
      return UNCOVERED;
    }
    if (j > last) last = j;
    // (a cube that holds the whole piece leaves nothing: subtractCube would still build its empty differences)
    if (!inside(r, idx.cubes[j]!)) subtractCube(r, idx.cubes[j]!, todo);
  }
  return last;
}

/**
 * a ⊆ b, for a non-empty a (cube.ts's cubeContains, which allocates for sets of several
 * intervals: here every cover proof step that finds a cube asks).
 */
function inside(a: Cube, b: Cube): boolean {
  return (
    numsIn(a.dport.bounds, b.dport.bounds) &&
    numsIn(a.src.v4.bounds, b.src.v4.bounds) &&
    numsIn(a.proto.bounds, b.proto.bounds) &&
    numsIn(a.dst.v4.bounds, b.dst.v4.bounds) &&
    numsIn(a.sport.bounds, b.sport.bounds) &&
    numsIn(a.icmp.bounds, b.icmp.bounds) &&
    (a.ct & ~b.ct) === 0 &&
    maskIn(a.iif, b.iif) &&
    maskIn(a.oif, b.oif) &&
    maskIn(a.sprin, b.sprin) &&
    bigsIn(a.src.v6.bounds, b.src.v6.bounds) &&
    bigsIn(a.dst.v6.bounds, b.dst.v6.bounds)
  );
}

function maskIn(a: bigint, b: bigint): boolean {
  // equal masks (the common case) need no bigint arithmetic, which allocates
  return a === b || (a & ~b) === 0n;
}

/** Every interval of A inside one of B (sorted boundary lists). Two copies, number and bigint: each stays monomorphic. */
function numsIn(A: readonly number[], B: readonly number[]): boolean {
  if (A === B) return true;
  let j = 0;
  for (let i = 0; i < A.length; i += 2) {
    while (j < B.length && B[j + 1]! <= A[i]!) j += 2;
    if (j >= B.length || B[j]! > A[i]! || A[i + 1]! > B[j + 1]!) return false;
  }
  return true;
}

function bigsIn(A: readonly bigint[], B: readonly bigint[]): boolean {
  if (A === B) return true;
  let j = 0;
  for (let i = 0; i < A.length; i += 2) {
    while (j < B.length && B[j + 1]! <= A[i]!) j += 2;
    if (j >= B.length || B[j]! > A[i]! || A[i + 1]! > B[j + 1]!) return false;
  }
  return true;
}

/**
 * coverProof's stack of pieces left to cover, one for every call (coverProof does not nest):
 * an array per call, grown as subtractCube pushes, was most of the analysis's garbage (a
 * 100k-rule file makes 140k calls). Its first element is a placeholder that keeps the length
 * above 0: V8 gives an array whose length drops to 0 a new, empty backing store, and the next
 * push would allocate again.
 */
const todo: Cube[] = [undefined as unknown as Cube];

/**
 * Chains above MAX_POINT_INDEXED cubes that no StabIndex dimension narrows (see
 * MAX_STAB_READ): an incremental CubeIndex (buckets by port and address block), the
 * witness search for coverage and the ordered subtraction to name the coverers.
 */
function shadowChain(table: Table, chain: Chain, live: Rule[], compiledAll: readonly Cond[], covers: readonly Cond[], nf: number, out: Shadowed[]): void {
  // per family: the certain regions of earlier terminal rules, indexed
  const idx = Array.from({ length: nf }, () => new CubeIndex<Earlier>());
  const found = new Set<number>();
  let order = 0;
  for (let i = 0; i < live.length; i++) {
    const rule = live[i]!;
    order++;
    const compiled = compiledAll.slice(i * nf, i * nf + nf);
    // most rules are reachable: a witness packet outside every earlier certain region proves it
    // cheaply; only rules that are covered pay for the ordered subtraction that names the coverers
    let covered = compiled.every((c, k) => isCovered(c.may, idx[k]!, found));
    const by = new Set<Rule>();
    for (let k = 0; k < nf && covered; k++) {
      let rem: Cube[] = compiled[k]!.may;
      if (rem.length === 0) continue;
      found.clear();
      for (const q of rem) idx[k]!.query(q, found);
      const cands = [...found].map((id) => idx[k]!.get(id)!).sort((a, b) => a.order - b.order);
      for (const e of cands) {
        if (rem.length === 0) break;
        let touched = false;
        const next: Cube[] = [];
        for (const r of rem) {
          if (cubesOverlap(r, e.c)) touched = true;
          subtractCube(r, e.c, next);
        }
        if (touched) by.add(e.rule);
        rem = next;
      }
      if (rem.length > 0) covered = false;
    }
    const anyMay = compiled.some((c) => c.may.length > 0);
    if (covered && anyMay && by.size > 0) {
      out.push({ rule, chain, table, coveredBy: inFileOrder([...by]) });
    }
    if (ends(table, rule)) {
      for (let k = 0; k < nf; k++) for (const c of covers[i * nf + k]!.must) idx[k]!.add({ c, rule, order });
    }
  }
}

function lowBit(m: bigint): bigint {
  return m & -m;
}

function pointSet<T extends number | bigint>(s: IntervalSet<T>): IntervalSet<T> {
  const lo = s.bounds[0]!;
  return IntervalSet.fromBounds([lo, (typeof lo === 'bigint' ? lo + 1n : (lo as number) + 1) as T]);
}

function pointAddr(a: AddrSet): AddrSet {
  return a.v4.isEmpty ? new AddrSet(IntervalSet.empty(), pointSet(a.v6)) : new AddrSet(pointSet(a.v4), IntervalSet.empty());
}

/** One packet of a non-empty cube (its lowest corner), as a cube. */
function witness(c: Cube): Cube {
  const fromAddr = !c.src.isEmpty;
  return {
    proto: pointSet(c.proto),
    iif: lowBit(c.iif),
    oif: lowBit(c.oif),
    ct: c.ct & -c.ct,
    icmp: pointSet(c.icmp),
    dport: pointSet(c.dport),
    sport: pointSet(c.sport),
    dst: pointAddr(c.dst),
    src: fromAddr ? pointAddr(c.src) : AddrSet.EMPTY,
    sprin: fromAddr ? 0n : lowBit(c.sprin),
  };
}

/**
 * Whether the indexed cubes cover the whole region: take a packet of what is left;
 * no cube holds it ⇒ not covered; else cut one cube that holds it off that piece.
 * Each step removes the witness, so the search ends; it only ever cuts by cubes
 * that cover something left, which keeps the pieces few. An empty cube is never
 * covered (as in the ordered subtraction, which cannot remove it).
 */
function isCovered(region: readonly Cube[], idx: CubeIndex<Earlier>, found: Set<number>): boolean {
  const todo = [...region];
  while (todo.length > 0) {
    const r = todo.pop()!;
    if (cubeIsEmpty(r)) return false;
    found.clear();
    idx.query(witness(r), found);
    if (found.size === 0) return false;
    let e: Earlier | undefined;
    for (const id of found) {
      const x = idx.get(id)!;
      if (!e || x.order < e.order) e = x;
    }
    subtractCube(r, e!.c, todo);
  }
  return true;
}
