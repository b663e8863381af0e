import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalMatch, type FirewallDocument, type Ruleset, type Span } from '../../../src/model/index.js';

export const at = (s: Span | undefined): string => (s ? `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}` : '-');

export function fixture(name: string): string {
  return readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/aws', name), 'utf8');
}

/** chain, action, text, span, reportSpan of every rule. */
export function rows(rs: Ruleset): string[][] {
  const out: string[][] = [];
  for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) out.push([`${t.name}/${c.name}`, r.action.kind, r.text, at(r.span), at(r.reportSpan)]);
  return out;
}

/** Canonical matches of every rule of a chain. */
export function matchesOf(rs: Ruleset, chain: string, table = 'security-group'): string[] {
  const c = rs.tables.find((t) => t.name === table || t.name.startsWith(table))?.chains.find((x) => x.name === chain);
  return (c?.rules ?? []).map((r) => r.matches.map(canonicalMatch).join(' '));
}

export function names(doc: FirewallDocument): string[] {
  return doc.rulesets.map((r) => r.name);
}
