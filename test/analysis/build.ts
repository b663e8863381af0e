/**
 * Test-only builder of model rulesets (no parser involved). Lines are assigned
 * by `ruleset()`: table header, then per chain its header line and one line
 * per rule, in order — so `line` of the n-th thing written is predictable; the
 * tests look rules up by `text` and assert `span.start.line`.
 */
import {
  AddrSet,
  numSetOf,
  numSingle,
  parseCidr,
  protocolNumber,
  type Action,
  type Chain,
  type CtState,
  type Family,
  type Match,
  type NumSet,
  type Rule,
  type Ruleset,
  type Span,
  type Table,
  type TableFamily,
} from '../../src/model/index.js';

const ZERO: Span = { start: { line: 0, column: 1, offset: 0 }, end: { line: 0, column: 1, offset: 0 } };

export function addrs(...cidrs: string[]): AddrSet {
  let s = AddrSet.EMPTY;
  for (const c of cidrs) {
    const a = parseCidr(c);
    if (!a) throw new Error(`bad cidr ${c}`);
    s = s.union(a);
  }
  return s;
}

/** "22", "1761:1768", "22,80,1000:2000" */
export function ports(spec: string): NumSet {
  return numSetOf(
    spec.split(',').map((p) => {
      const [a, b] = p.split(':');
      return [Number(a), Number(b ?? a)] as const;
    }),
  );
}

export const m = {
  proto: (...names: string[]): Match => ({ kind: 'protocol', protocols: numSetOf(names.map((n) => [protocolNumber(n)!, protocolNumber(n)!] as const)) }),
  src: (...c: string[]): Match => ({ kind: 'address', dir: 'src', addrs: addrs(...c) }),
  dst: (...c: string[]): Match => ({ kind: 'address', dir: 'dst', addrs: addrs(...c) }),
  dport: (spec: string): Match => ({ kind: 'port', dir: 'dst', ports: ports(spec) }),
  sport: (spec: string): Match => ({ kind: 'port', dir: 'src', ports: ports(spec) }),
  iif: (...names: string[]): Match => ({ kind: 'interface', dir: 'in', names }),
  oif: (...names: string[]): Match => ({ kind: 'interface', dir: 'out', names }),
  ct: (...states: CtState[]): Match => ({ kind: 'ctstate', states }),
  icmp: (family: Family, type: number, code?: number): Match => ({
    kind: 'icmp-type',
    family,
    values: code === undefined ? numSetOf([[type * 256, type * 256 + 255]]) : numSingle(type * 256 + code),
  }),
  prin: (...names: string[]): Match => ({ kind: 'principal', dir: 'src', names }),
  family: (family: Family): Match => ({ kind: 'family', family }),
  frag: (): Match => ({ kind: 'fragment' }),
  addrtype: (dir: 'src' | 'dst', ...types: string[]): Match => ({ kind: 'addrtype', dir, types }),
  anyOf: (...alternatives: Match[][]): Match => ({ kind: 'any-of', alternatives }),
  opaque: (text: string, module = text.split(' ')[1] ?? 'x'): Match => ({ kind: 'opaque', module, text, reason: 'undecidable' }),
  not: (x: Match): Match => ({ ...x, negated: true }),
};

export const a = {
  accept: (): Action => ({ kind: 'accept' }),
  drop: (): Action => ({ kind: 'drop' }),
  reject: (): Action => ({ kind: 'reject' }),
  jump: (target: string): Action => ({ kind: 'jump', target }),
  goto: (target: string): Action => ({ kind: 'goto', target }),
  ret: (): Action => ({ kind: 'return' }),
  log: (): Action => ({ kind: 'continue', target: 'LOG' }),
  dnat: (to: string, port?: string): Action => ({
    kind: 'nat',
    type: 'dnat',
    toAddrs: addrs(to),
    ...(port ? { toPorts: ports(port) } : {}),
    text: `DNAT --to-destination ${to}${port ? ':' + port : ''}`,
  }),
  redirect: (port: string): Action => ({ kind: 'nat', type: 'redirect', toPorts: ports(port), text: `REDIRECT --to-ports ${port}` }),
  masquerade: (): Action => ({ kind: 'nat', type: 'masquerade', text: 'MASQUERADE' }),
  queue: (): Action => ({ kind: 'queue', text: 'NFQUEUE --queue-num 0' }),
  unknown: (target: string): Action => ({ kind: 'unknown', target, text: `-j ${target}` }),
};

export interface RuleOpts {
  disabled?: boolean;
}

/** A rule; `text` is what tests look it up by. */
export function rule(text: string, matches: Match[], action: Action, opts: RuleOpts = {}): Rule {
  const r: Rule = { id: 0, matches, action, span: ZERO, text };
  if (opts.disabled) r.disabled = true;
  return r;
}

export interface ChainOpts {
  hook?: Chain['hook'];
  priority?: number;
  policy?: 'accept' | 'drop';
  type?: Chain['type'];
}

export function chain(name: string, rules: Rule[], opts: ChainOpts = {}): Chain {
  return { name, rules, span: ZERO, ...opts };
}

/** iptables-style base chains. */
export const base = {
  input: (rules: Rule[], policy: 'accept' | 'drop' = 'accept') => chain('INPUT', rules, { hook: 'input', priority: 0, policy, type: 'filter' }),
  forward: (rules: Rule[], policy: 'accept' | 'drop' = 'accept') => chain('FORWARD', rules, { hook: 'forward', priority: 0, policy, type: 'filter' }),
  natPre: (rules: Rule[]) => chain('PREROUTING', rules, { hook: 'prerouting', priority: -100, policy: 'accept', type: 'nat' }),
  manglePre: (rules: Rule[], policy: 'accept' | 'drop' = 'accept') => chain('PREROUTING', rules, { hook: 'prerouting', priority: -150, policy, type: 'route' }),
};

export function table(name: string, family: TableFamily, chains: Chain[]): Table {
  return { name, family, chains, span: ZERO };
}

function at(line: number): Span {
  return { start: { line, column: 1, offset: line * 100 }, end: { line, column: 80, offset: line * 100 + 79 } };
}

/** Assigns ids and lines (see header). */
export function ruleset(tables: Table[], opts: { families?: Family[]; kind?: 'netfilter' | 'cloud'; name?: string } = {}): Ruleset {
  let line = 1;
  let id = 1;
  for (const t of tables) {
    t.span = at(line++);
    for (const c of t.chains) {
      c.span = at(line);
      if (c.hook) c.policySpan = at(line);
      line++;
      for (const r of c.rules) {
        r.id = id++;
        r.span = at(line++);
      }
    }
  }
  const families = opts.families ?? [...new Set(tables.flatMap((t) => (t.family === 'ip' ? ['ipv4'] : t.family === 'ip6' ? ['ipv6'] : ['ipv4', 'ipv6']) as Family[]))];
  return { name: opts.name ?? 'test', targets: [], tables, families, kind: opts.kind ?? 'netfilter' };
}

/** iptables-like: one `filter` table of family ip with the given chains. */
export function filter(...chains: Chain[]): Ruleset {
  return ruleset([table('filter', 'ip', chains)]);
}

export function findRule(rs: Ruleset, text: string): Rule {
  for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) if (r.text === text) return r;
  throw new Error(`no rule ${text}`);
}
