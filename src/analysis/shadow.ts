/**
 * Shadowed rules: rules no packet can reach because earlier terminal rules with
 * decidable matches in the same chain already take every packet they match.
 * Only the certain part (`must`) of an earlier rule covers; a rule is reported
 * when its whole `may` region (every family the chain sees) is covered.
 */
import type { Chain, Family, Rule, Ruleset, Table } from '../model/index.js';
import { RuleCompiler, spaceFor, tableCarries, type CompiledRule } from './compile.js';
import { cubesOverlap, subtractCube, type Cube } from './cube.js';
import type { Shadowed } from './types.js';

const TERMINAL = new Set(['accept', 'drop', 'reject', 'return', 'goto', 'nat', 'queue']);

/** Cheap bucket key: the single protocol and single destination port of a one-cube region, else undefined. */
function pointKey(cubes: readonly Cube[]): string | undefined {
  if (cubes.length !== 1) return undefined;
  const c = cubes[0]!;
  const p = c.proto.bounds;
  const d = c.dport.bounds;
  if (p.length !== 2 || p[1]! - p[0]! !== 1) return undefined;
  if (d.length !== 2 || d[1]! - d[0]! !== 1) return undefined;
  return `${p[0]}/${d[0]}`;
}

interface Earlier {
  rule: Rule;
  must: Cube[];
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
  // per family: earlier terminal rules, bucketed by (proto, dport) when they are a single point
  const state = comps.map(() => ({ wide: [] as Earlier[], buckets: new Map<string, Earlier[]>(), order: new Map<Rule, number>() }));
  let index = 0;
  for (const rule of chain.rules) {
    index++;
    if (rule.disabled) continue;
    const compiled: CompiledRule[] = comps.map((c) => c.get(rule));
    // is this rule covered in every family?
    let covered = true;
    const by = new Set<Rule>();
    for (let k = 0; k < comps.length && covered; k++) {
      let rem: Cube[] = compiled[k]!.may;
      if (rem.length === 0) continue;
      const st = state[k]!;
      const key = pointKey(rem);
      const cands: Earlier[] = key ? [...(st.buckets.get(key) ?? []), ...st.wide] : [...st.wide, ...[...st.buckets.values()].flat()];
      cands.sort((a, b) => st.order.get(a.rule)! - st.order.get(b.rule)!);
      for (const e of cands) {
        if (rem.length === 0) break;
        for (const m of e.must) {
          let touched = false;
          const next: Cube[] = [];
          for (const r of rem) {
            if (cubesOverlap(r, m)) touched = true;
            subtractCube(r, m, next);
          }
          if (touched) by.add(e.rule);
          rem = next;
          if (rem.length === 0) break;
        }
      }
      if (rem.length > 0) covered = false;
    }
    const anyMay = compiled.some((c) => c.may.length > 0);
    if (covered && anyMay && by.size > 0) {
      out.push({ rule, chain, table, coveredBy: [...by].sort((a, b) => a.span.start.offset - b.span.start.offset) });
    }
    if (TERMINAL.has(rule.action.kind)) {
      for (let k = 0; k < comps.length; k++) {
        const must = compiled[k]!.must;
        if (must.length === 0) continue;
        const st = state[k]!;
        st.order.set(rule, index);
        const e: Earlier = { rule, must };
        const key = pointKey(must);
        if (key) {
          let b = st.buckets.get(key);
          if (!b) st.buckets.set(key, (b = []));
          b.push(e);
        } else st.wide.push(e);
      }
    }
  }
}
