/**
 * Small constructors every parser needs: spans joined from two places, opaque
 * matches, and the implicit-policy chains / tables / rulesets of cloud firewalls.
 * One implementation here instead of one per parser.
 */
import { AddrSet } from './addresses.js';
import type { Chain, Hook, Match, OpaqueMatch, Rule, Ruleset, Table } from './ruleset.js';
import type { Span } from './source.js';

/** From the start of `first` to the end of `last` (a list of values, a pair of arguments). */
export function spanJoin(first: Span, last: Span): Span {
  return { start: first.start, end: last.end };
}

/** A match the engine cannot decide statically; `span` is set only when given. */
export function opaqueMatch(module: string, text: string, reason: string, span?: Span): OpaqueMatch {
  const m: OpaqueMatch = { kind: 'opaque', module, text, reason };
  if (span) m.span = span;
  return m;
}

/** Alternatives (each a conjunction) as the matches of one rule: one is inlined, several become an `any-of`. */
export function anyOf(alternatives: Match[][], span?: Span): Match[] {
  if (alternatives.length === 1) return alternatives[0]!;
  const m: Match = { kind: 'any-of', alternatives };
  if (span) m.span = span;
  return [m];
}

/** A cloud base chain: filter type, implicit policy (the cloud's default, not written in the input). */
export function cloudChain(name: string, hook: Hook, policy: 'accept' | 'drop', rules: Rule[], span: Span, priority = 0): Chain {
  return { name, hook, priority, type: 'filter', policy, policyImplicit: true, rules, span };
}

/** A cloud firewall object as a table. */
export function cloudTable(name: string, chains: Chain[], span: Span): Table {
  return { name, family: 'cloud', chains, span };
}

/** A cloud ruleset (both IP families; cloud direction modelled by the chains' hooks). */
export function cloudRuleset(name: string, targets: string[], tables: Table[]): Ruleset {
  return { name, targets, tables, families: ['ipv4', 'ipv6'], kind: 'cloud' };
}

/**
 * A source address set as alternatives that also take the packets the model gives a named source (cloud tags, service
 * tags, security groups: they have addresses, which the model does not know): the part covering a whole family is a
 * family match (every packet of it), the rest an address match. Used where a rule must reach named sources by address:
 * a GCP or Azure deny from 0.0.0.0/0, a NACL in front of a security group. (An allow of the same rule keeps the address
 * match: its own named sources are separate alternatives.)
 */
/** A family match when every address of the set is of one family (none when it holds both or none). */
export function familyOf(addrs: AddrSet, span: Span | undefined): Match[] {
  const v4 = !addrs.v4.isEmpty;
  const v6 = !addrs.v6.isEmpty;
  if (v4 === v6) return [];
  return [{ kind: 'family', family: v4 ? 'ipv4' : 'ipv6', ...(span ? { span } : {}) }];
}

export function familySourceAlternatives(set: AddrSet, span: Span | undefined): Match[][] {
  const out: Match[][] = [];
  let rest = set;
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (!set.coversAll(family)) continue;
    out.push([{ kind: 'family', family, ...(span ? { span } : {}) }]);
    rest = rest.subtract(AddrSet.all(family));
  }
  if (!rest.isEmpty) out.unshift([{ kind: 'address', dir: 'src', addrs: rest, ...(span ? { span } : {}) }]);
  return out;
}
