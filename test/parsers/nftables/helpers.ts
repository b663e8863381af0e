import { canonicalRule, type Chain, type FirewallDocument, type Span } from '../../../src/model/index.js';

/** Canonical rules of one chain (by name, first table that has it). */
export function rulesOf(doc: FirewallDocument, chain: string): string[] {
  return chainOf(doc, chain).rules.map(canonicalRule);
}

export function chainOf(doc: FirewallDocument, chain: string): Chain {
  for (const t of doc.rulesets[0]!.tables) for (const c of t.chains) if (c.name === chain) return c;
  throw new Error(`no chain ${chain}`);
}

/** "line:col-line:col" */
export function at(s: Span | undefined): string {
  return s ? `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}` : 'none';
}

export function diags(doc: FirewallDocument): string[] {
  return doc.diagnostics.map((d) => `${d.severity} ${d.code} ${at(d.span)}`);
}
