import { canonicalMatch, canonicalRule, type Chain, type FirewallDocument, type Rule, type Span } from '../../../src/model/index.js';

export function chainOf(doc: FirewallDocument, table: string, chain: string, family?: 'ip' | 'ip6'): Chain {
  const t = doc.rulesets[0]!.tables.find((x) => x.name === table && (family === undefined || x.family === family));
  if (!t) throw new Error(`no table ${table}`);
  const c = t.chains.find((x) => x.name === chain);
  if (!c) throw new Error(`no chain ${chain}`);
  return c;
}

export function rulesOf(doc: FirewallDocument, table: string, chain: string, family?: 'ip' | 'ip6'): string[] {
  return chainOf(doc, table, chain, family).rules.map(canonicalRule);
}

export function matchesOf(r: Rule): string[] {
  return r.matches.map(canonicalMatch);
}

/** "line:col-line:col" */
export function at(s: Span | undefined): string {
  if (!s) return 'none';
  return `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`;
}

export function diags(doc: FirewallDocument): string[] {
  return doc.diagnostics.map((d) => `${d.severity} ${d.code} ${at(d.span)}`);
}

/** The exact span of `sub` (first occurrence at or after `from`) in `lineText`, which is line `line`: "l:c-l:c". */
export function spanIn(line: number, lineText: string, sub: string, from = 0): string {
  const i = lineText.indexOf(sub, from);
  if (i < 0) throw new Error(`"${sub}" not in "${lineText}"`);
  return `${line}:${i + 1}-${line}:${i + 1 + sub.length}`;
}
