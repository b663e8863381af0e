/**
 * Shadowed rules: rules no packet can reach because earlier terminal rules with
 * decidable matches in the same chain already take every packet they match.
 * Only the certain part (`must`) of an earlier rule covers; a rule is reported
 * when its whole `may` region (every family the chain sees) is covered.
 */
import type { Chain, Family, Rule, Ruleset, Table } from '../model/index.js';
import { RuleCompiler, spaceFor, tableCarries, type CompiledRule } from './compile.js';
import { AddrSet, IntervalSet } from '../model/index.js';
import { CubeIndex, cubeIsEmpty, cubesOverlap, subtractCube, type Cube } from './cube.js';
import type { Shadowed } from './types.js';

const TERMINAL = new Set(['accept', 'drop', 'reject', 'return', 'goto', 'nat', 'queue']);

interface Earlier {
  c: Cube;
  rule: Rule;
  order: number;
}

export function findShadowedRules(ruleset: Ruleset): Shadowed[] {
  const out: Shadowed[] = [];
  for (const table of ruleset.tables) {
    const families = (ruleset.families.length > 0 ? ruleset.families : (['ipv4', 'ipv6'] as Family[])).filter((f) => tableCarries(table.family, f));
    if (families.length === 0) continue;
    const comps = families.map((f) => new RuleCompiler(spaceFor(ruleset, f), false));
    for (const chain of table.chains) shadowChain(table, chain, comps, out);
  }
  return out;
}

function shadowChain(table: Table, chain: Chain, comps: RuleCompiler[], out: Shadowed[]): void {
  // per family: the certain regions of earlier terminal rules, indexed
  const idx = comps.map(() => new CubeIndex<Earlier>());
  const found = new Set<number>();
  let order = 0;
  for (const rule of chain.rules) {
    order++;
    if (rule.disabled) continue;
    const compiled: CompiledRule[] = comps.map((c) => c.get(rule));
    // most rules are reachable: a witness packet outside every earlier certain region proves it
    // cheaply; only rules that are covered pay for the ordered subtraction that names the coverers
    let covered = compiled.every((c, k) => isCovered(c.may, idx[k]!, found));
    const by = new Set<Rule>();
    for (let k = 0; k < comps.length && covered; k++) {
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
      out.push({ rule, chain, table, coveredBy: [...by].sort((a, b) => a.span.start.offset - b.span.start.offset) });
    }
    if (TERMINAL.has(rule.action.kind)) {
      for (let k = 0; k < comps.length; k++) for (const c of compiled[k]!.must) idx[k]!.add({ c, rule, order });
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
