/**
 * Shadowed rules: rules no packet can reach because earlier terminal rules with
 * decidable matches in the same chain already take every packet they match.
 * Only the certain part (`must`) of an earlier rule covers; a rule is reported
 * when its whole `may` region (every family the chain sees) is covered.
 */
import type { Chain, Family, Rule, Ruleset, Table } from '../model/index.js';
import { RuleCompiler, spaceFor, tableCarries, type CompiledRule } from './compile.js';
import { CubeIndex, cubesOverlap, subtractCube, type Cube } from './cube.js';
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
    let covered = true;
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
