/**
 * A deterministic, position-free form of the model, for comparing two parses of
 * the same ruleset (a file and its oracle re-save, nft text and nft JSON).
 * Spans, ids, rule text and comments are left out; a conjunction's matches are
 * sorted, since their order does not change what a rule matches.
 */
import type { Action, Chain, Match, Rule, Ruleset, Table } from './ruleset.js';
import { formatPorts, PROTO_UNIVERSE } from './ports.js';

export function canonicalMatch(m: Match): string {
  const neg = m.negated ? '!' : '';
  switch (m.kind) {
    case 'family':
      return `${neg}family=${m.family}`;
    case 'protocol':
      return `${neg}proto=${formatPorts(m.protocols, PROTO_UNIVERSE)}`;
    case 'address':
      return `${neg}${m.dir}addr=${m.addrs.toString()}`;
    case 'port':
      return `${neg}${m.dir}port=${formatPorts(m.ports)}`;
    case 'interface':
      return `${neg}${m.dir}if=${[...m.names].sort().join(',')}`;
    case 'ctstate':
      return `${neg}ct=${[...m.states].sort().join(',')}`;
    case 'icmp-type':
      return `${neg}icmp(${m.family})=${formatPorts(m.values)}`;
    case 'principal':
      return `${neg}${m.dir}principal=${[...m.names].sort().join(',')}`;
    case 'fragment':
      return `${neg}fragment`;
    case 'tcp-flags':
      return `${neg}tcpflags=${formatPorts(m.values)}`;
    case 'ct-original':
      return `${neg}ctorig(${canonicalMatch(m.match)})`;
    case 'addrtype':
      return `${neg}${m.dir}addrtype=${[...m.types].sort().join(',')}`;
    case 'any-of':
      return `${neg}anyof(${m.alternatives.map((alt) => `[${alt.map(canonicalMatch).sort().join(' ')}]`).sort().join('|')})`;
    case 'opaque':
      return `${neg}opaque:${m.module}`;
  }
}

export function canonicalAction(a: Action): string {
  return a.untrack ? `${actionKind(a)} untrack` : actionKind(a);
}

function actionKind(a: Action): string {
  switch (a.kind) {
    case 'jump':
    case 'goto':
      return `${a.kind} ${a.target}`;
    case 'reject':
      return 'reject';
    case 'continue':
      return `continue ${a.target.toLowerCase()}`;
    case 'nat':
      return `nat ${a.type}${a.toAddrs ? ` ${a.toAddrs.toString()}` : ''}${a.toPorts ? ` :${formatPorts(a.toPorts)}` : ''}`;
    case 'queue':
      return 'queue';
    case 'unknown':
      return `unknown ${a.target}`;
    default:
      return a.kind;
  }
}

export function canonicalRule(r: Rule): string {
  return `${r.matches.map(canonicalMatch).sort().join(' ')} => ${canonicalAction(r.action)}${r.disabled ? ' (disabled)' : ''}`;
}

export interface CanonicalChain {
  name: string;
  hook?: string;
  priority?: number;
  type?: string;
  policy?: string;
  rules: string[];
}

export function canonicalChain(c: Chain): CanonicalChain {
  const out: CanonicalChain = { name: c.name, rules: c.rules.map(canonicalRule) };
  if (c.hook !== undefined) out.hook = c.hook;
  if (c.priority !== undefined) out.priority = c.priority;
  if (c.type !== undefined) out.type = c.type;
  if (c.policy !== undefined) out.policy = c.policy;
  return out;
}

export function canonicalTable(t: Table): { name: string; family: string; chains: CanonicalChain[] } {
  return {
    name: t.name,
    family: t.family,
    chains: t.chains.map(canonicalChain).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

export function canonicalRuleset(rs: Ruleset): unknown {
  return {
    families: [...rs.families].sort(),
    tables: rs.tables.map(canonicalTable).sort((a, b) => (`${a.family} ${a.name}` < `${b.family} ${b.name}` ? -1 : 1)),
  };
}
