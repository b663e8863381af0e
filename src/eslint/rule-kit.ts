/**
 * Shared plumbing for the rules in rules/: docs URLs, grouping exposure by the
 * line responsible for it, and the wording of sources and reasons.
 */
import type { Rule as EslintRule } from 'eslint';
import type { Exposure, ExposureEntry } from '../analysis/types.js';
import { AddrSet, formatAddress, type Chain, type NumSet, type Rule, type Ruleset, type Span, type Table, IntervalSet } from '../model/index.js';
import { expectedPortsFor, judge, usedPorts, type Deployment, type ResolvedSettings } from '../deployments/index.js';
import { reachedPorts, spanLoc, targetsText, type FileAnalysis, type ReportTarget } from './analysis.js';
import { findSuppression, suppressionsFor, type SuppressionScope } from '../suppressions/index.js';
import { ConfigCommentParser } from '@eslint/plugin-kit';

export const DOCS_BASE = 'https://github.com/fwlint/eslint-plugin-firewall/blob/main/docs/rules/';

export function docsUrl(name: string): string {
  return `${DOCS_BASE}${name}.md`;
}

/** Exposure pieces that one line of configuration is responsible for. */
export interface ExposureGroup {
  key: string;
  rule?: Rule;
  chain: Chain;
  table: Table;
  span: Span;
  ruleId?: number;
  /** protocol number → ports */
  ports: Map<number, NumSet>;
  sources: AddrSet;
  principals: Set<string>;
  certainty: 'open' | 'possibly-open';
  reasons: string[];
  via?: string;
  /**
   * The input interfaces of its entries (ExposureEntry.interfaces: "any", "eth1", "any except eth0") when they all
   * have the same, '' when they differ: a finding names them (viaInterfaces) only when they are one description.
   */
  interfaces: string;
}

/**
 * Group exposure entries by the rule (or policy) that accepts them, their certainty and their sources: one finding
 * per responsible line, certainty and source set, never one per port — a line that certainly opens some sources and
 * possibly others says so in two findings, "Open" for the first and "Possibly open (why)" for the rest, not one
 * "Open" for all; and a line that lets 1762 in from everywhere but 1761 only from 10.0.0.0/8 (an earlier rule drops
 * 1761 from the rest) says that, not "1761, 1762 reachable from 0.0.0.0/0".
 */
export function groupByResponsible(entries: Iterable<{ entry: ExposureEntry; protocol: number; ports: NumSet }>): ExposureGroup[] {
  // groups found by rule id or policy (no key string per entry), then by certainty and sources; `list` keeps the order
  // of first appearance, which the stable sort by position keeps for groups at the same position
  const list: ExposureGroup[] = [];
  const byRule = new Map<number, ExposureGroup[]>();
  const byPolicy = new Map<string, ExposureGroup[]>();
  for (const { entry, protocol, ports } of entries) {
    if (ports.isEmpty) continue;
    const policyKey = entry.rule ? undefined : `policy:${entry.table.name}/${entry.chain.name}`;
    let at = entry.rule ? byRule.get(entry.rule.id) : byPolicy.get(policyKey!);
    if (!at) {
      at = [];
      if (entry.rule) byRule.set(entry.rule.id, at);
      else byPolicy.set(policyKey!, at);
    }
    // (same certainty, named sources, DNAT and sources in the entry's family; a group takes the other family's first set)
    const via = viaOf(entry);
    let g = at.find((x) => x.certainty === entry.certainty && x.via === via && samePrincipals(x.principals, entry.principals) && fits(x.sources, entry));
    if (g && !g.sources.equals(g.sources.union(entry.sources))) g.sources = g.sources.union(entry.sources);
    if (!g) {
      const key = policyKey ?? `rule:${entry.rule!.id}`;
      const span = entry.rule ? (entry.rule.reportSpan ?? entry.rule.span) : (entry.chain.policySpan ?? entry.chain.span);
      g = {
        key,
        chain: entry.chain,
        table: entry.table,
        span,
        ports: new Map([[protocol, ports]]),
        // the entry's own set: a group holds the entries of one source set, whose CIDR list is described once
        sources: entry.sources,
        principals: new Set(entry.principals),
        certainty: entry.certainty,
        reasons: [],
        interfaces: entry.interfaces,
      };
      if (entry.rule) {
        g.rule = entry.rule;
        g.ruleId = entry.rule.id;
      }
      if (via !== undefined) g.via = via;
      at.push(g);
      list.push(g);
    } else {
      const had = g.ports.get(protocol);
      g.ports.set(protocol, had ? had.union(ports) : ports);
      if (g.interfaces !== entry.interfaces) g.interfaces = '';
    }
    for (const r of entry.reasons) if (!g.reasons.includes(r.message)) g.reasons.push(r.message);
  }
  list.sort((a, b) => a.span.start.offset - b.span.start.offset);
  // the groups of each line (consecutive once sorted) that say one thing, as one
  const out: ExposureGroup[] = [];
  for (let i = 0; i < list.length; ) {
    const line = list[i]!.span.start.line;
    let j = i + 1;
    while (j < list.length && list[j]!.span.start.line === line) j++;
    if (j === i + 1) out.push(list[i]!);
    else for (const g of mergeLine(list.slice(i, j))) out.push(g);
    i = j;
  }
  return out;
}

/** Merging rounds of mergeLine: each one merges at least one pair or ends it; a line's groups rarely need two. */
const MERGE_ROUNDS = 4;

/**
 * The groups of one line (in report order), with those that say one thing made one: of the same certainty, named
 * sources and input interfaces, groups with equal sources take each other's ports and groups with equal ports each
 * other's sources. Both unions are exact (every port of the merged group is reachable from every one of its sources,
 * through the same interfaces). A line holds several
 * rules where one written rule becomes several (a CIDR list, `count`, a `dynamic` block, a list of ports), and the
 * engine gives each the part of the traffic that the ones before it left: `cidr_blocks = ["192.168.0.0/16",
 * "0.0.0.0/0"]` was two findings, one from 192.168.0.0/16 and one from "0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/9 and 13
 * more", where the line opens the port to 0.0.0.0/0. The merged group is placed at the first group's place. Groups
 * are found by key (sources, ports), not pairwise: a minified file has every rule on one line.
 */
export function mergeLine(groups: readonly ExposureGroup[]): ExposureGroup[] {
  let list = groups.slice();
  for (let round = 0; round < MERGE_ROUNDS; round++) {
    const before = list.length;
    list = mergeBy(mergeBy(list, (g) => addrKey(g.sources), unionPorts), (g) => portsKey(g), unionSources);
    if (list.length === before) break;
  }
  return list;
}

/** One pass of mergeLine: groups with the same certainty, input interfaces, DNAT, named sources and `key` joined into the first of them. */
function mergeBy(list: ExposureGroup[], key: (g: ExposureGroup) => string, join: (into: ExposureGroup, g: ExposureGroup) => void): ExposureGroup[] {
  if (list.length < 2) return list;
  const at = new Map<string, ExposureGroup>();
  const out: ExposureGroup[] = [];
  for (const g of list) {
    const k = `${g.certainty}\u0000${g.interfaces}\u0000${g.via ?? ''}\u0000${[...g.principals].sort().join(',')}\u0000${key(g)}`;
    const into = at.get(k);
    if (!into) {
      at.set(k, g);
      out.push(g);
      continue;
    }
    // a group of eachGroup keeps its ports in slots: the merged group is a plain one (a copy of the first)
    let merged = into;
    if (into instanceof Group) {
      merged = plainGroup(into);
      at.set(k, merged);
      out[out.indexOf(into)] = merged;
    }
    join(merged, g);
    for (const r of g.reasons) if (!merged.reasons.includes(r)) merged.reasons.push(r);
  }
  return out;
}

function plainGroup(g: ExposureGroup): ExposureGroup {
  const copy: ExposureGroup = {
    key: g.key,
    chain: g.chain,
    table: g.table,
    span: g.span,
    ports: new Map(g.ports),
    sources: g.sources,
    principals: g.principals,
    certainty: g.certainty,
    reasons: [...g.reasons],
    interfaces: g.interfaces,
  };
  if (g.rule) copy.rule = g.rule;
  if (g.ruleId !== undefined) copy.ruleId = g.ruleId;
  if (g.via !== undefined) copy.via = g.via;
  return copy;
}

function unionPorts(into: ExposureGroup, g: ExposureGroup): void {
  for (const [p, set] of g.ports) {
    const had = into.ports.get(p);
    into.ports.set(p, had ? had.union(set) : set);
  }
}

function unionSources(into: ExposureGroup, g: ExposureGroup): void {
  into.sources = into.sources.union(g.sources);
}

function addrKey(a: AddrSet): string {
  return `${a.v4.bounds.join(',')}/${a.v6.bounds.join(',')}`;
}

function portsKey(g: ExposureGroup): string {
  return [...g.ports]
    .filter(([, set]) => !set.isEmpty)
    .sort(([x], [y]) => x - y)
    .map(([p, set]) => `${p}:${set.bounds.join(',')}`)
    .join(';');
}

/**
 * The entries of an exposure grouped by the line responsible for them, as groupByResponsible groups them (rules by
 * id, policies by table and chain name), in report order: by position, then by first entry. Built once per exposure
 * and shared by the rules that ask it about different ports; flat arrays, no object per entry.
 */
interface ResponsibleIndex {
  /** Entry indices, group after group, each group's in exposure order. */
  order: Int32Array;
  /** Group k holds order[start[k]] … order[start[k + 1] - 1]. */
  start: Int32Array;
  /** Each group's position (span start offset). */
  offset: Float64Array;
  /** Each group's line (span start line): the groups of a line are reported together (see mergeLine). */
  line: Int32Array;
  /**
   * A policy group whose entries sit in chains with different spans (two tables with the same name in different
   * families): its position depends on which entry a query reaches first, which only the per-query grouping gets right.
   */
  unstable: boolean;
  /**
   * By position in `order` (so that a query reads them front to back): PROTO_TCP if the entry's protocols hold TCP,
   * PROTO_UDP if UDP (the protocols the port rules ask about).
   */
  protos: Uint8Array;
  /**
   * By position in `order`: the span of the entry's destination ports, [lo, hi) = its first and last bound (0, 0 when
   * it has none). An entry whose span misses a query's span reaches none of its ports: the queries pass over it
   * without reading the entry (one interval for most entries, and the span holds them exactly).
   */
  lo: Int32Array;
  hi: Int32Array;
}

/** Bits of ResponsibleIndex.protos. */
const PROTO_TCP = 1;
const PROTO_UDP = 2;

/** The bit of ResponsibleIndex.protos that answers for `protocol`, 0 for a protocol without one (asked of the entry). */
function protoBit(protocol: number): number {
  return protocol === 6 ? PROTO_TCP : protocol === 17 ? PROTO_UDP : 0;
}

const responsibleIndexes = new WeakMap<Exposure, ResponsibleIndex>();

function responsibleSpan(entry: ExposureEntry): Span {
  return entry.rule ? (entry.rule.reportSpan ?? entry.rule.span) : (entry.chain.policySpan ?? entry.chain.span);
}

/**
 * Rule ids a table indexed by id is kept for: they are counters (a document numbers its rules from 0 or 1), so the
 * table is about as long as the entry list; ids beyond this (never made by our parsers) go through a Map.
 */
function denseIdLimit(entries: number): number {
  return 4 * entries + 1024;
}

function responsibleIndex(exposure: Exposure): ResponsibleIndex {
  const hit = responsibleIndexes.get(exposure);
  if (hit) return hit;
  const entries = exposure.entries;
  const m = entries.length;
  // rule groups found by rule id in a typed array (group + 1, 0 for none yet), not a Map: a Map of 80k rules grew
  // through five ever larger tables (7 MB on a 100k-rule file) that sat dead in the large-object space until the
  // process ended, as only a full collection frees it
  let maxId = -1;
  let dense = true;
  const limit = denseIdLimit(m);
  for (let i = 0; i < m; i++) {
    const r = entries[i]!.rule;
    if (!r) continue;
    const id = r.id;
    if (!(Number.isInteger(id) && id >= 0 && id <= limit)) dense = false;
    else if (id > maxId) maxId = id;
  }
  const byId = dense ? new Int32Array(maxId + 1) : undefined;
  const byRule = dense ? undefined : new Map<number, number>();
  const byPolicy = new Map<string, number>();
  const groupOf = new Int32Array(m);
  // by entry (permuted into position order below): what the queries read of each entry, gathered in this one pass
  // over the entries
  const protosOf = new Uint8Array(m);
  const loOf = new Int32Array(m);
  const hiOf = new Int32Array(m);
  /** Each group's first entry (groups are numbered by it), whose span places the group. */
  const firstEntry = new Int32Array(m);
  let n = 0;
  let unstable = false;
  for (let i = 0; i < m; i++) {
    const e = entries[i]!;
    const r = e.rule;
    protosOf[i] = (e.protocols.has(6) ? PROTO_TCP : 0) | (e.protocols.has(17) ? PROTO_UDP : 0);
    const b = e.dports.bounds;
    if (b.length > 0) {
      loOf[i] = b[0]!;
      hiOf[i] = b[b.length - 1]!;
    }
    let g: number;
    if (r) {
      if (byId) {
        g = byId[r.id]! - 1;
        if (g < 0) {
          g = n++;
          firstEntry[g] = i;
          byId[r.id] = g + 1;
        }
      } else {
        const hit = byRule!.get(r.id);
        if (hit === undefined) {
          g = n++;
          firstEntry[g] = i;
          byRule!.set(r.id, g);
        } else g = hit;
      }
    } else {
      const key = `${e.table.name}/${e.chain.name}`;
      const hit = byPolicy.get(key);
      if (hit === undefined) {
        g = n++;
        firstEntry[g] = i;
        byPolicy.set(key, g);
      } else {
        g = hit;
        if (responsibleSpan(entries[firstEntry[g]!]!) !== responsibleSpan(e)) unstable = true;
      }
    }
    groupOf[i] = g;
  }
  // each group's position, by group number (a packed span builds its start when read: read once)
  const pos = new Float64Array(n);
  const lineOf = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const at = responsibleSpan(entries[firstEntry[k]!]!).start;
    pos[k] = at.offset;
    lineOf[k] = at.line;
  }
  // groups are numbered by first entry: a stable sort by position gives (position, first entry); entries usually
  // come in file order, so the sort is skipped when it has nothing to do
  const rank = new Int32Array(n);
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) if (pos[k]! < pos[k - 1]!) sorted = false;
  if (sorted) for (let k = 0; k < n; k++) rank[k] = k;
  else {
    const byPos = Array.from({ length: n }, (_, k) => k).sort((x, y) => pos[x]! - pos[y]! || x - y);
    for (let r = 0; r < n; r++) rank[byPos[r]!] = r;
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) start[rank[groupOf[i]!]! + 1]!++;
  for (let r = 0; r < n; r++) start[r + 1]! += start[r]!;
  const fill = start.slice(0, n);
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[fill[rank[groupOf[i]!]!]!++] = i;
  const offset = new Float64Array(n);
  const line = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    offset[rank[k]!] = pos[k]!;
    line[rank[k]!] = lineOf[k]!;
  }
  const protos = new Uint8Array(m);
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const i = order[j]!;
    protos[j] = protosOf[i]!;
    lo[j] = loOf[i]!;
    hi[j] = hiOf[i]!;
  }
  const index: ResponsibleIndex = { order, start, offset, line, unstable, protos, lo, hi };
  responsibleIndexes.set(exposure, index);
  return index;
}

/**
 * `groupByResponsible` of the pieces of `exposure` that reach `queries[i]` for `protocols[i]` (protocol after
 * protocol, entries in exposure order), handed to `fn` one group at a time in the same order, with the same
 * contents: no list of pieces and no list of groups, which on a 100k-rule file lived through the whole rule and
 * were promoted to the old generation with everything they held.
 */
export function eachGroup(
  exposure: Exposure,
  protocols: readonly number[],
  queries: readonly NumSet[],
  fn: (g: ExposureGroup) => void,
  /** Only the entries it accepts. */
  only?: (entry: ExposureEntry) => boolean,
): void {
  const index = responsibleIndex(exposure);
  const entries = exposure.entries;
  if (index.unstable) {
    const pieces: { entry: ExposureEntry; protocol: number; ports: NumSet }[] = [];
    protocols.forEach((protocol, i) => {
      for (const entry of entries) {
        if (!entry.protocols.has(protocol) || (only && !only(entry))) continue;
        const ports = reachedPorts(entry.dports, queries[i]!);
        if (ports) pieces.push({ entry, protocol, ports });
      }
    });
    for (const g of groupByResponsible(pieces)) fn(g);
    return;
  }
  const { order, start, offset, line, protos, lo, hi } = index;
  const n = offset.length;
  const m = order.length;
  const P = protocols.length;
  // per query, the positions whose entry may reach it (protocol bit and port span), front to back: a typed-array pass
  // instead of reading every entry (the Transfer CFT block, 8 ports, is reached by a few hundred of 80k entries)
  const cand: Int32Array[] = [];
  const count = new Int32Array(P);
  for (let pi = 0; pi < P; pi++) {
    const b = queries[pi]!.bounds;
    const c = new Int32Array(m);
    let len = 0;
    if (b.length > 0) {
      const bit = protoBit(protocols[pi]!);
      const qlo = b[0]!;
      const qhi = b[b.length - 1]!;
      for (let j = 0; j < m; j++) if ((bit === 0 || (protos[j]! & bit) !== 0) && lo[j]! < qhi && hi[j]! > qlo) c[len++] = j;
    }
    // at its size: the list lives through the whole walk, the callbacks' allocation with it (a few hundred
    // positions of 80k for the Transfer CFT block)
    cand.push(len === m ? c : c.slice(0, len));
    count[pi] = len;
  }
  // per query: its next candidate (cand[pi][at[pi]]) and the group holding it (gk[pi], n when none is left); both
  // only move forward, as candidates come in position order
  const at = new Int32Array(P);
  const gk = new Int32Array(P);
  const nextGroup = (pi: number): number => {
    if (at[pi]! >= count[pi]!) return (gk[pi] = n);
    const j = cand[pi]![at[pi]!]!;
    let k = gk[pi]!;
    while (start[k + 1]! <= j) k++;
    return (gk[pi] = k);
  };
  for (let pi = 0; pi < P; pi++) nextGroup(pi);
  // the groups of one line are a run, held back: in position order, groups at one position in the order in which
  // the query reaches them first (groupByResponsible's stable sort), then merged where they say one thing (mergeLine)
  // (run[0 .. runN) is the run, runAt their positions: the lists are reused, as setting an array's length is a call
  // into the runtime, and a new list per group one more object each)
  const run: Group[] = [];
  const runAt: number[] = [];
  let runN = 0;
  // the groups of the position being read (reused)
  const here: Group[] = [];
  let runLine = -1;
  const flush = (): void => {
    if (runN === 1) fn(run[0]!);
    else if (runN > 1) {
      const byPlace = Array.from({ length: runN }, (_, q) => q).sort((x, y) => runAt[x]! - runAt[y]! || run[x]!.first - run[y]!.first);
      for (const g of mergeLine(byPlace.map((q) => run[q]!))) fn(g);
    }
    runN = 0;
  };
  for (;;) {
    // the next group any query may reach (candidates are in group order)
    let k = n;
    for (let pi = 0; pi < P; pi++) k = Math.min(k, gk[pi]!);
    if (k === n) break;
    // the position's groups, open ones and possibly open ones, one per source set (see groupByResponsible)
    let ng = 0;
    for (let pi = 0; pi < P; pi++) {
      const protocol = protocols[pi]!;
      const query = queries[pi]!;
      const bit = protoBit(protocol);
      const c = cand[pi]!;
      for (; gk[pi] === k; at[pi]!++, nextGroup(pi)) {
        const i = order[c[at[pi]!]!]!;
        const entry = entries[i]!;
        if ((bit === 0 && !entry.protocols.has(protocol)) || (only && !only(entry))) continue;
        const ports = reachedPorts(entry.dports, query);
        if (!ports) continue;
        let g: Group | undefined;
        const via = entry.via || entry.rule?.platform !== undefined ? viaOf(entry) : undefined;
        for (let q = 0; q < ng && !g; q++) if (here[q]!.takes(entry, via)) g = here[q];
        if (!g) here[ng++] = g = new Group(entry, protocol, ports, pi * entries.length + i, via);
        else {
          g.addPorts(protocol, ports);
          if (g.interfaces !== entry.interfaces) g.interfaces = '';
        }
        if (entry.reasons.length > 0) {
          if (g.reasons === NO_REASONS) g.reasons = [];
          for (const r of entry.reasons) if (!g.reasons.includes(r.message)) g.reasons.push(r.message);
        }
      }
    }
    if (ng === 0) continue;
    if (line[k] !== runLine) {
      flush();
      runLine = line[k]!;
    }
    for (let q = 0; q < ng; q++) {
      runAt[runN] = offset[k]!;
      run[runN++] = here[q]!;
    }
  }
  flush();
}

/**
 * How an entry published through DNAT says so, or one a platform's default rule lets in. Part of a group's identity:
 * the entries one rule accepts (a forward chain's `ct status dnat accept`) came through different DNATs, and one
 * finding naming the first DNAT for every port named the wrong target for the others.
 */
function viaOf(entry: ExposureEntry): string | undefined {
  const v = entry.via;
  // (a platform's own rule — Azure's AllowVnetInBound — is not on any line of the input: its findings sit on the NSG)
  if (!v) return entry.rule?.platform !== undefined ? `by ${entry.rule.platform}` : undefined;
  // (a REDIRECT's target reads `redirect :22`: "published through REDIRECT to :22", not "DNAT to redirect :22")
  const how = v.to.startsWith('redirect') ? `REDIRECT${v.to.length > 9 ? ` to ${v.to.slice(9)}` : ''}` : `DNAT to ${v.to}`;
  const lo = v.loopback ? ` of packets sent to ${v.loopback}, which only hosts on this host's links can send` : '';
  return `published through ${how} (line ${v.rule.span.start.line})${lo}`;
}

/** Whether `entry`'s sources are those of a group in its family, or the group has none of that family yet. */
function fits(sources: AddrSet, entry: ExposureEntry): boolean {
  const mine = sources.only(entry.family);
  if (!mine.isEmpty) return mine.equals(entry.sources);
  // a group of the other family's entries: not one of named sources alone with one of addresses (see Group.takes)
  return entry.sources.isEmpty ? sources.isEmpty : !sources.isEmpty;
}

function samePrincipals(set: Set<string>, list: readonly string[]): boolean {
  if (set.size !== new Set(list).size) return false;
  for (const p of list) if (!set.has(p)) return false;
  return true;
}

/**
 * Whether an entry can be reached by a client, as the port rules judge it: not when it only comes from Azure's
 * built-in AllowAzureLoadBalancerInBound. The AzureLoadBalancer tag is the platform's health probe (168.63.129.16);
 * a load balancer forwards clients with their own addresses, which that rule does not admit. Every NSG has the rule,
 * so it made every NSG fail no-unneeded-cft-ports. A user's own rule from AzureLoadBalancer is still judged.
 */
export function clientReachable(entry: ExposureEntry): boolean {
  if (!entry.rule?.builtIn || !entry.sources.isEmpty || entry.principals.length === 0) return true;
  for (const p of entry.principals) if (p.toLowerCase() !== 'azureloadbalancer') return true;
  return false;
}

/** Shared by the groups that have none (netfilter entries never have principals; open ones no reasons): never added to. */
const NO_PRINCIPALS: Set<string> = new Set();
const NO_REASONS: string[] = [];

/**
 * The ports of `protocol` in a group (`g.ports.get(protocol)`), without the Map that a group of eachGroup builds
 * only when `ports` is read.
 */
export function portsOf(g: ExposureGroup, protocol: number): NumSet | undefined {
  return g instanceof Group ? g.portsOf(protocol) : g.ports.get(protocol);
}

/**
 * One group of eachGroup: one shape for all, the key built only if read (the rules never do). Its ports are kept in
 * two protocol slots (the rules ask about TCP and UDP), not in a Map per group (~200 bytes of garbage for each of
 * the 80k groups of a 100k-rule host file): `ports` builds the Map, in the order the protocols were added, when read
 * (a suppression with ports, at the group's line).
 */
class Group implements ExposureGroup {
  // fields declared and assigned in the constructor, not given initialisers: with initialisers the class runs one
  // more function per construction (its fields' initialiser, which defines them; ES2022 class fields), for each of
  // the ~24k groups a rule visits on a 100k-rule file (as the placed matches of src/parsers/placed.ts)
  declare rule: Rule | undefined;
  declare chain: Chain;
  declare table: Table;
  declare span: Span;
  declare ruleId: number | undefined;
  private declare p0: number;
  private declare s0: NumSet;
  private declare p1: number;
  private declare s1: NumSet | undefined;
  /** A third protocol on, in the order added. */
  private declare more: Map<number, NumSet> | undefined;
  declare sources: AddrSet;
  /** The sources of its IPv4 and IPv6 entries (one set per family: see takes). */
  private declare v4: AddrSet | undefined;
  private declare v6: AddrSet | undefined;
  declare principals: Set<string>;
  declare certainty: 'open' | 'possibly-open';
  declare reasons: string[];
  declare via: string | undefined;
  declare interfaces: string;
  /** Where the query first reached the group (protocol rank × entries + entry index), for ties in position. */
  declare first: number;
  constructor(entry: ExposureEntry, protocol: number, ports: NumSet, first: number, via: string | undefined) {
    this.rule = entry.rule;
    this.chain = entry.chain;
    this.table = entry.table;
    this.span = responsibleSpan(entry);
    this.ruleId = entry.rule?.id;
    this.p0 = protocol;
    this.s0 = ports;
    this.p1 = -1;
    this.s1 = undefined;
    this.more = undefined;
    // the entry's own set: a group holds the entries of one source set (see takes), whose CIDR list is described
    // once for every rule
    this.sources = entry.sources;
    this.v4 = entry.family === 'ipv4' ? entry.sources : undefined;
    this.v6 = entry.family === 'ipv6' ? entry.sources : undefined;
    this.principals = entry.principals.length > 0 ? new Set(entry.principals) : NO_PRINCIPALS;
    this.certainty = entry.certainty;
    this.reasons = NO_REASONS;
    this.via = via;
    this.interfaces = entry.interfaces;
    this.first = first;
  }
  get key(): string {
    return this.rule ? `rule:${this.rule.id}` : `policy:${this.table.name}/${this.chain.name}`;
  }
  /**
   * Whether `entry` (of this group's position) belongs here: same certainty and named sources, and the same sources
   * in its family (an IPv6 entry joins a group of IPv4 ones: the one finding names both families' sources).
   */
  takes(entry: ExposureEntry, via: string | undefined): boolean {
    if (entry.certainty !== this.certainty || via !== this.via || !samePrincipals(this.principals, entry.principals)) return false;
    const had = entry.family === 'ipv4' ? this.v4 : this.v6;
    if (had === undefined) {
      // not an entry of named sources alone into a group with addresses (or the reverse): the finding would say
      // the one's ports are reachable from the other's addresses
      const other = entry.family === 'ipv4' ? this.v6 : this.v4;
      if (other !== undefined && other.isEmpty !== entry.sources.isEmpty) return false;
      if (entry.family === 'ipv4') this.v4 = entry.sources;
      else this.v6 = entry.sources;
      this.sources = this.sources.union(entry.sources);
      return true;
    }
    return had === entry.sources || had.equals(entry.sources);
  }
  portsOf(protocol: number): NumSet | undefined {
    if (protocol === this.p0) return this.s0;
    if (protocol === this.p1) return this.s1;
    return this.more?.get(protocol);
  }
  /** The union with the ports it has of that protocol. */
  addPorts(protocol: number, ports: NumSet): void {
    if (protocol === this.p0) this.s0 = this.s0.union(ports);
    else if (protocol === this.p1) this.s1 = this.s1!.union(ports);
    else if (this.p1 < 0) {
      this.p1 = protocol;
      this.s1 = ports;
    } else {
      const more = (this.more ??= new Map());
      const had = more.get(protocol);
      more.set(protocol, had ? had.union(ports) : ports);
    }
  }
  get ports(): Map<number, NumSet> {
    const m = new Map<number, NumSet>().set(this.p0, this.s0);
    if (this.p1 >= 0) m.set(this.p1, this.s1!);
    if (this.more) for (const [p, set] of this.more) m.set(p, set);
    return m;
  }
}

/** The first CIDRs of an address set's minimal CIDR list (what `AddrSet.toCidrs` gives, whole spaces as "/0"), and how many it holds. */
interface CidrHead {
  head: string[];
  count: number;
  /** describeSources(sources) without principals, once built. */
  text?: string;
}

/** describeSources prints at most four CIDRs: the rest are only counted. */
const HEAD = 4;

/**
 * By identity of the set's interval sets: the same entry's sources are described by several rules, and a group of
 * one entry keeps that entry's interval sets (union with the empty set returns the other operand). Only sets of
 * many intervals, which the count walks in full, are kept: the cache lives as long as the exposure's entries, and
 * the one CIDR of most findings is quicker to format again than to keep (a cache entry per finding was ~10 MB on
 * 40k findings).
 */
const cidrCache = new WeakMap<object, { v6: object; head: CidrHead }>();
const CACHED_BOUNDS = 16;

function cidrHead(sources: AddrSet): CidrHead {
  const hit = cidrCache.get(sources.v4);
  if (hit && hit.v6 === sources.v6) return hit.head;
  const h = describeBlocks(sources);
  if (sources.v4.bounds.length + sources.v6.bounds.length >= CACHED_BOUNDS) cidrCache.set(sources.v4, { v6: sources.v6, head: h });
  return h;
}

/** cidrHead uncached: the first blocks, their count, and the text of a set said as "… except …". */
function describeBlocks(sources: AddrSet): CidrHead {
  const head: string[] = [];
  let count = 0;
  // counted, and formatted only while they are printed: a union of thousands of sources was formatted in full
  // for the few it names
  sources.eachCidr((family, start, prefix) => {
    if (head.length < HEAD) head.push(`${formatAddress(family, start)}/${prefix}`);
    count++;
  });
  const h: CidrHead = { head, count };
  // the world but for a few blocks (a fail2ban or CSF deny list before the accept): said as such, not as the first
  // three of 50 blocks — "0.0.0.0/0 except 192.0.2.99/32"; also when its complement is fewer blocks than it
  // ("0.0.0.0/0 except 224.0.0.0/4", not "0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/3, 240.0.0.0/4")
  if (count >= 3) {
    const fam = sources.v6.isEmpty ? 'ipv4' : sources.v4.isEmpty ? 'ipv6' : undefined;
    if (fam) {
      // said against the smallest block that holds the set: a partner /8 but for a /16 a deny rule takes out is
      // "10.0.0.0/8 except 10.1.0.0/16", not "10.0.0.0/16, 10.2.0.0/15, 10.4.0.0/14 and 5 more"; the world but for a
      // few blocks has the whole space for block
      const cover = coveringBlock(sources, fam);
      const rest = cover.set.subtract(sources);
      // counted first, formatted only when said: most sets of a few blocks leave many more out (24k findings of the
      // bench formatted their complements' first blocks for nothing)
      let excepted = 0;
      rest.eachCidr(() => {
        excepted++;
      });
      // (a long deny list — 240 banned addresses before `--dport 80 -j ACCEPT` — is fewer blocks than what it leaves,
      // which holds most addresses)
      if (excepted > 0 && (excepted < Math.min(count, HEAD) || (count > HEAD && excepted < count && sources.count(fam) > rest.count(fam)))) {
        const out: string[] = [];
        rest.eachCidr((family, start, prefix) => {
          if (out.length < HEAD) out.push(`${formatAddress(family, start)}/${prefix}`);
        });
        h.text = `${cover.text} except ${joinHead(out, NO_NAMES, excepted)}`;
      }
    } else if (count > HEAD) {
      // both families, more blocks than are named (an inet chain's accept after IPv4 bans): each family said on its
      // own, "0.0.0.0/0 except 45.33.32.156/32; ::/0", not the first blocks of the IPv4 rest "0.0.0.0/3, 32.0.0.0/5, …"
      const v4 = describeBlocks(sources.only('ipv4'));
      const v6 = describeBlocks(sources.only('ipv6'));
      if (v4.text !== undefined || v6.text !== undefined) {
        h.text = `${v4.text ?? joinHead(v4.head, NO_NAMES, v4.count)}; ${v6.text ?? joinHead(v6.head, NO_NAMES, v6.count)}`;
      }
    }
  }
  return h;
}

/** The smallest CIDR block holding every address of a one-family set, and its text. */
function coveringBlock(sources: AddrSet, fam: 'ipv4' | 'ipv6'): { set: AddrSet; text: string } {
  if (fam === 'ipv4') {
    const b = sources.v4.bounds;
    const lo = b[0]!;
    const last = b[b.length - 1]! - 1;
    let bits = 0;
    while (bits < 32 && Math.floor(lo / 2 ** bits) !== Math.floor(last / 2 ** bits)) bits++;
    const start = Math.floor(lo / 2 ** bits) * 2 ** bits;
    return { set: new AddrSet(IntervalSet.range(start, start + 2 ** bits), IntervalSet.empty()), text: `${formatAddress('ipv4', start)}/${32 - bits}` };
  }
  const b = sources.v6.bounds;
  const lo = b[0]!;
  const last = b[b.length - 1]! - 1n;
  let bits = 0n;
  while (bits < 128n && lo >> bits !== last >> bits) bits++;
  const start = (lo >> bits) << bits;
  return { set: new AddrSet(IntervalSet.empty(), IntervalSet.range(start, start + (1n << bits))), text: `${formatAddress('ipv6', start)}/${128n - bits}` };
}

function joinHead(head: readonly string[], named: readonly string[], total: number): string {
  if (total === 0) return 'no source';
  const parts = named.length === 0 ? head : [...head, ...named];
  if (total > HEAD) return `${parts.slice(0, 3).join(', ')} and ${total - 3} more`;
  return parts.join(', ');
}

const NO_NAMES: readonly string[] = [];

/** The decimal text of every octet, made once: an address is four of them. */
const OCTETS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * The text of an IPv4-only set that is one CIDR block ("19.151.184.117/32", the sources of most findings), else
 * undefined: what cidrHead and joinHead give for it, without their callback, lists and formatAddress's array.
 */
function oneV4Cidr(sources: AddrSet): string | undefined {
  const b = sources.v4.bounds;
  if (b.length !== 2 || sources.v6.bounds.length !== 0) return undefined;
  const lo = b[0]!;
  const size = b[1]! - lo;
  let block = 1;
  let bits = 0;
  while (block < size) {
    block *= 2;
    bits++;
  }
  // one block: a power of two in size, starting at a multiple of it (eachCidr would give exactly this one)
  if (block !== size || lo % size !== 0) return undefined;
  return `${OCTETS[lo >>> 24]}.${OCTETS[(lo >>> 16) & 255]}.${OCTETS[(lo >>> 8) & 255]}.${OCTETS[lo & 255]}/${32 - bits}`;
}

/** "0.0.0.0/0", "10.0.0.0/8, 192.168.0.0/16", "sg-123", "10.0.0.0/8 and 14 more". */
export function describeSources(sources: AddrSet, principals: Iterable<string> = NO_NAMES): string {
  // no principals (every netfilter finding): no list made of them; one CIDR block formatted directly
  const none = Array.isArray(principals) ? principals.length === 0 : principals instanceof Set && principals.size === 0;
  if (none) {
    const one = oneV4Cidr(sources);
    if (one !== undefined) return one;
    const c = cidrHead(sources);
    return (c.text ??= joinHead(c.head, NO_NAMES, c.count));
  }
  const c = cidrHead(sources);
  let named = Array.isArray(principals) ? (principals as string[]) : [...principals];
  if (named.length === 0) return (c.text ??= joinHead(c.head, named, c.count));
  // "*" is the principals atom of every name no rule wrote (src/analysis/cube.ts Principals): an undecided source
  // (`CidrIp: !Ref AdminCidr`, Azure's `*`) reaches them too. Said in words, not as a bare "*".
  const star = named.indexOf('*');
  if (star >= 0) named = named.map((n, i) => (i === star ? (named.length === 1 ? 'any named source' : 'any other named source') : n));
  return joinHead(c.head, named, c.count + named.length);
}

/**
 * " via eth1", " via any except eth0": where an exposure's packets come in, for a message after its sources; '' for
 * any interface, or for a group whose entries differ (ExposureGroup.interfaces).
 */
export function viaInterfaces(interfaces: string): string {
  return interfaces === '' || interfaces === 'any' ? '' : ` via ${interfaces}`;
}

/** certaintyText with a capital: "Open", "Possibly open (…)". */
export function certaintyTitle(g: { certainty: 'open' | 'possibly-open'; reasons: string[] }): string {
  return g.certainty === 'open' ? 'Open' : capitalise(certaintyText(g));
}

export function certaintyText(g: { certainty: 'open' | 'possibly-open'; reasons: string[] }): string {
  if (g.certainty === 'open') return 'open';
  return g.reasons.length > 0 ? `possibly open (${g.reasons.slice(0, 2).join('; ')}${g.reasons.length > 2 ? '; …' : ''})` : 'possibly open';
}

/**
 * A finding's text as two flat strings, `head + tail`, one of which many findings share (made by a SharedTexts):
 * V8 keeps such a sum as one 32-byte node pointing to both, so the shared half is stored once however many findings
 * say it. On a 100k-rule host file, 27k Transfer CFT findings all begin with the same 350-character description of
 * the eight ports: flat, they were 12 MB of the 18 MB of messages kept until the report is written. Report it with
 * `twoPieces: true` (report() flattens every other text). The JSON writer (src/cli/json-stream.ts) reads such a
 * text through a transient copy: JSON.stringify would flatten it in place, the whole text kept again.
 */
export function twoPieces(head: string, tail: string): string {
  // reading a character flattens a string built by concatenation (a no-op on a flat one)
  head.charCodeAt(0);
  tail.charCodeAt(0);
  return head + tail;
}

/**
 * Texts that many findings of one rule run share, one per pair of keys (flat, made once by `make`): the shared
 * halves of twoPieces. Keys are strings the caller already has (a certainty, a port description, a target), so a
 * lookup builds no text.
 */
export class SharedTexts {
  readonly #by = new Map<string, Map<string, string>>();
  readonly #make: (a: string, b: string) => string;
  constructor(make: (a: string, b: string) => string) {
    this.#make = make;
  }
  get(a: string, b: string): string {
    let inner = this.#by.get(a);
    if (!inner) this.#by.set(a, (inner = new Map()));
    let text = inner.get(b);
    if (text === undefined) {
      text = this.#make(a, b);
      text.charCodeAt(0);
      inner.set(b, text);
    }
    return text;
  }
}

export function report(
  context: EslintRule.RuleContext,
  a: FileAnalysis,
  span: Span,
  ruleId: number | undefined,
  descriptor: {
    messageId: string;
    data: Record<string, string>;
    /** The texts are twoPieces sums: kept as they are. */
    twoPieces?: boolean;
    /** The ruleset judged, when the texts name its targets by `targetText` (merged across rulesets, see flushReports). */
    ruleset?: Ruleset;
  },
  scope?: SuppressionScope,
): void {
  const node = ruleId !== undefined ? a.nodes?.get(ruleId) : undefined;
  // the span's own start and end (ESLint reads only their lines and columns); read once, as a packed span builds them when read
  // (a CDK/Pulumi source file's columns count from 0: spanLoc)
  const loc = node ? node.loc : a.nodes ? spanLoc(span, true) : { start: span.start, end: span.end };
  // inline `fwlint-ignore` suppressions (src/suppressions): covered line, named rule, scope, not expired
  const ast = context.sourceCode.ast as unknown as object;
  if (findSuppression(suppressionsFor(ast, a.document, context.sourceCode.text, a.filePath), context.id, loc.start.line, scope)) return;
  // One written cloud rule is in several rulesets (a GCP rule without target tags is in every target tag's):
  // the same finding of it, word for word, is reported once; one that names its targets (targetText) is held
  // until flushReports, which merges those that differ only in the target. Documents of one ruleset (every
  // netfilter file) skip this.
  if (a.document.rulesets.length > 1) {
    if (descriptor.ruleset) return pend(context, ast, loc.start, descriptor, descriptor.ruleset, node, loc);
    if (!firstReport(ast, context.id, loc.start, descriptor)) return;
  }
  // A message built by concatenation is a tree of V8 cons strings (~10 nodes of 32 bytes for a finding's text)
  // that ESLint keeps until the report is written; reading one character flattens it into one string (the
  // tree becomes garbage now, not after the run): ~13 MB less kept on the 40k findings of a 100k-rule file.
  if (!descriptor.twoPieces) for (const k in descriptor.data) descriptor.data[k]!.charCodeAt(0);
  context.report(descriptorOf(node, loc, descriptor));
}

function descriptorOf(node: ReportTarget | undefined, loc: ReportTarget['loc'], descriptor: { messageId: string; data: Record<string, string> }): EslintRule.ReportDescriptor {
  // one descriptor object, no spreads: tens of thousands of findings on a big file
  const d: { node?: never; loc?: ReportTarget['loc']; messageId: string; data: Record<string, string>; suggest?: EslintRule.SuggestionReportDescriptor[] } = node?.node
    ? { node: node.node as never, messageId: descriptor.messageId, data: descriptor.data }
    : { loc, messageId: descriptor.messageId, data: descriptor.data };
  if (node?.suggestions && node.suggestions.length > 0) {
    d.suggest = node.suggestions.map((s) => ({ desc: s.desc, fix: (fixer: EslintRule.RuleFixer) => fixer.replaceTextRange(s.range, s.text) }));
  }
  return d as EslintRule.ReportDescriptor;
}

/** Where a finding names its targets, in a document of several rulesets: filled in by flushReports. */
const TARGET = '\u0000targets\u0000';

/**
 * How a finding about `ruleset` names what it protects: its label (FileAnalysis.label) in a document of one ruleset
 * (every netfilter file: the text is final), else a placeholder that flushReports fills in once the rulesets the
 * finding holds for are known. Report such a text with `ruleset` in the descriptor.
 */
export function targetText(a: FileAnalysis, ruleset: Ruleset): string {
  return a.document.rulesets.length > 1 ? TARGET : a.label(ruleset);
}

interface Pending {
  node: ReportTarget | undefined;
  loc: ReportTarget['loc'];
  descriptor: { messageId: string; data: Record<string, string> };
  on: Ruleset[];
}

/** Findings naming targets, per file and rule, by what they say with the targets left out (see flushReports). */
const pending = new WeakMap<object, Map<string, Map<string, Pending>>>();

function pend(context: EslintRule.RuleContext, ast: object, at: { line: number; column: number }, d: Pending['descriptor'], ruleset: Ruleset, node: ReportTarget | undefined, loc: ReportTarget['loc']): void {
  let byRule = pending.get(ast);
  if (!byRule) pending.set(ast, (byRule = new Map()));
  let mine = byRule.get(context.id);
  if (!mine) byRule.set(context.id, (mine = new Map()));
  let key = `${at.line}:${at.column}\u0000${d.messageId}`;
  for (const k in d.data) key += `\u0000${d.data[k]}`;
  const p = mine.get(key);
  if (!p) mine.set(key, { node, loc, descriptor: d, on: [ruleset] });
  else if (!p.on.includes(ruleset)) p.on.push(ruleset);
}

/**
 * Report the findings held back by report() for this rule: one written cloud rule is in several rulesets (a GCP
 * rule without target tags is in the ruleset of every target tag and in that of the network's other instances; an
 * AWS rule in every security group it is written for), and the same finding of it on each was one finding per
 * ruleset, all at the same line. Each is reported once, naming what it holds for: the targets all those rulesets
 * share when it holds on every ruleset the written line is in ("prod-vpc"), else each ruleset it holds for. A rule
 * that reports with `ruleset` calls this when it has judged every ruleset of the file.
 */
export function flushReports(context: EslintRule.RuleContext, a: FileAnalysis): void {
  const ast = context.sourceCode.ast as unknown as object;
  const mine = pending.get(ast)?.get(context.id);
  if (!mine) return;
  pending.get(ast)!.delete(context.id);
  const holders = holdersOf(a);
  for (const p of mine.values()) {
    const text = targetsOf(a, p.on, holders.get(`${p.loc.start.line}:${p.loc.start.column}`));
    const data: Record<string, string> = {};
    for (const k in p.descriptor.data) data[k] = p.descriptor.data[k]!.split(TARGET).join(text);
    context.report(descriptorOf(p.node, p.loc, { messageId: p.descriptor.messageId, data }));
  }
}

const holderCache = new WeakMap<object, Map<string, Ruleset[]>>();

/** The rulesets each report position (a rule's, or a chain's policy) is in, by "line:column". */
function holdersOf(a: FileAnalysis): Map<string, Ruleset[]> {
  let m = holderCache.get(a.document);
  if (m) return m;
  holderCache.set(a.document, (m = new Map()));
  const add = (span: Span, rs: Ruleset, ruleId?: number): void => {
    const at = a.where(span, ruleId).loc.start;
    const key = `${at.line}:${at.column}`;
    const l = m!.get(key);
    if (!l) m!.set(key, [rs]);
    else if (!l.includes(rs)) l.push(rs);
  };
  for (const rs of a.document.rulesets)
    for (const t of rs.tables)
      for (const c of t.chains) {
        add(c.policySpan ?? c.span, rs);
        for (const r of c.rules) add(r.reportSpan ?? r.span, rs, r.id);
      }
  return m;
}

/** What a merged finding holds for (see flushReports): `on` the rulesets it was found on, `holders` all with its line. */
function targetsOf(a: FileAnalysis, on: readonly Ruleset[], holders: readonly Ruleset[] | undefined): string {
  const everywhere = !holders || holders.every((h) => on.includes(h));
  if (on.length === 1 && (everywhere || holders!.length === 1)) return a.label(on[0]!);
  if (everywhere) {
    const shared = a.targets(on[0]!).filter((t) => on.every((rs) => a.targets(rs).includes(t)));
    if (shared.length > 0) return targetsText(shared);
    return joinAnd(on.map((rs) => a.label(rs)));
  }
  // some of them: each named; one whose targets are some of another holder's (GCP's other instances of a network,
  // beside its target tags) is what the others leave
  return joinAnd(
    on.map((rs) => {
      const t = a.targets(rs);
      const rest = t.length > 0 && holders!.some((h) => h !== rs && a.targets(h).length > t.length && t.every((x) => a.targets(h).includes(x)));
      return rest ? `other instances of ${a.label(rs)}` : a.label(rs);
    }),
  );
}

function joinAnd(parts: readonly string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

const reportedOnce = new WeakMap<object, Set<string>>();

/** Whether this finding (rule, place, message and data) is reported for the first time in the file. */
function firstReport(ast: object, rule: string, at: { line: number; column: number }, d: { messageId: string; data: Record<string, string> }): boolean {
  let seen = reportedOnce.get(ast);
  if (!seen) reportedOnce.set(ast, (seen = new Set()));
  let key = `${rule}\u0000${at.line}:${at.column}\u0000${d.messageId}`;
  for (const k in d.data) key += `\u0000${d.data[k]}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * What explains ports of one protocol on some targets, per settings: the declared expected ports (all
 * together) and the services that some deployment on the targets runs with ports of that protocol — a service
 * without any leaves every port unneeded, so judging it would change nothing.
 */
interface ExplainPlan {
  expected: NumSet;
  services: ResolvedSettings['services'];
}

const plans = new WeakMap<ResolvedSettings, Map<string, ExplainPlan>>();

/**
 * The plans of the last settings and targets asked about, by protocol: the rules ask again for every finding with
 * the same (cached) targets list, TCP and UDP findings in turn (one remembered plan missed at every change of
 * protocol, and planFor built its key string each time).
 */
let lastPlans: { settings: ResolvedSettings; targets: string[]; n: number; byProtocol: Map<number, ExplainPlan> } | undefined;

function explainPlan(settings: ResolvedSettings, targets: string[], protocol: number): ExplainPlan {
  let last = lastPlans;
  if (!last || last.settings !== settings || last.targets !== targets || last.n !== settings.deployments.length) {
    last = lastPlans = { settings, targets, n: settings.deployments.length, byProtocol: new Map() };
  }
  let plan = last.byProtocol.get(protocol);
  if (!plan) last.byProtocol.set(protocol, (plan = planFor(settings, targets, protocol)));
  return plan;
}

function planFor(settings: ResolvedSettings, targets: string[], protocol: number): ExplainPlan {
  let byKey = plans.get(settings);
  if (!byKey) plans.set(settings, (byKey = new Map()));
  const key = `${settings.deployments.length}\0${protocol}\0${targets.join('\0')}`;
  let plan = byKey.get(key);
  if (!plan) {
    let expected = IntervalSet.empty<number>();
    for (const e of expectedPortsFor(targets, settings)) if ((e.protocol === 'tcp' ? 6 : 17) === protocol) expected = expected.union(e.ports);
    plan = { expected, services: settings.services.filter((svc) => !usedPorts(svc.id, targets, protocol, settings).isEmpty) };
    byKey.set(key, plan);
  }
  return plan;
}

/**
 * The part of `ports` that no deployment on these targets explains: ports no
 * deployed service uses, plus used ports reachable from wider sources than the
 * deployment declares. One matcher for every rule (src/deployments judge()).
 */
export function unexplainedPorts(a: FileAnalysis, targets: string[], protocol: number, ports: NumSet, sources: AddrSet, tooWide?: TooWidePorts[]): NumSet {
  const plan = explainPlan(a.settings, targets, protocol);
  let rest = ports.subtract(plan.expected);
  for (const svc of plan.services) {
    if (rest.isEmpty) break;
    if (!rest.overlaps(usedPorts(svc.id, targets, protocol, a.settings))) continue;
    const j = judge(svc.id, targets, protocol, rest, sources, a.settings);
    const wide = j.tooWide?.ports ?? IntervalSet.empty<number>();
    if (tooWide && j.tooWide) tooWide.push({ service: svc.name, ports: j.tooWide.ports, allowed: j.tooWide.allowed, deployments: j.deployments });
    rest = rest.subtract(j.needed.subtract(wide));
  }
  return rest;
}

/**
 * How sources reaching a deployment's port compare with those it declares: "wider than its declared sources X" when
 * they include some of them, "outside its declared sources X" when none (192.168.0.0/16 is not wider than 10.0.0.0/8).
 */
export function beyondDeclared(actual: AddrSet, allowed: AddrSet): string {
  return `${actual.intersect(allowed).isEmpty ? 'outside' : 'wider than'} its declared sources ${describeSources(allowed)}`;
}

/**
 * The suppression scope of a "reachable from more than it declares" finding: its ports, and the sources beyond the
 * declared ones (what the finding is about: a `fwlint-ignore … sources=192.0.2.0/24` accepts that excess), not all
 * the sources that reach the ports.
 */
export function tooWideScope(protocol: number, ports: NumSet, actual: AddrSet, allowed: AddrSet): SuppressionScope {
  return { ports: new Map([[protocol, ports]]), sources: actual.subtract(allowed) };
}

/** Ports of `unexplainedPorts` that a deployment uses but reachable from more than it declares (its `sources`). */
export interface TooWidePorts {
  /** The service's name ("Transfer CFT"). */
  service: string;
  ports: NumSet;
  allowed: AddrSet;
  deployments: Deployment[];
}

/**
 * A problem in a rule's options that its `meta.schema` cannot express (a port range written high-low); ESLint has
 * validated the rest, from configuration files and inline `eslint` comments alike. When the options come from an
 * inline comment of the file (`# eslint firewall/x: [...]`, `/* eslint firewall/x: [...] *\/` in CDK code) it is
 * reported at that comment, as ESLint reports an invalid inline configuration, and the rule does nothing on the file
 * (an exception there stopped the whole run, and the editor's linting of the file, on one comment); from a
 * configuration file it is a configuration error naming the rule. Returns true when the options are valid.
 */
export function checkOptions(context: EslintRule.RuleContext, check: (options: readonly unknown[]) => string | undefined): boolean {
  const problem = check(context.options);
  if (problem === undefined) return true;
  const source = context.sourceCode as unknown as { getInlineConfigNodes?: () => { value: string; loc: EslintRule.ReportDescriptorLocation }[] };
  for (const node of source.getInlineConfigNodes?.() ?? []) {
    const parsed = commentParser.parseDirective(node.value);
    if (parsed?.label !== 'eslint') continue;
    const result = commentParser.parseJSONLikeConfig(parsed.value);
    const value = result.ok ? (result.config as Record<string, unknown>)[context.id] : undefined;
    if (!Array.isArray(value) || value.length < 2 || check(value.slice(1)) === undefined) continue;
    context.report({ loc: node.loc as never, message: `Inline configuration for rule "${context.id}" is invalid:\n\t${check(value.slice(1))}\n` });
    return false;
  }
  throw new Error(`Configuration for rule "${context.id}" is invalid:\n\t${problem}`);
}

const commentParser = new ConfigCommentParser();
