import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeExposure, exposedPorts } from '../../src/analysis/index.js';
import { BUILTIN_SERVICES } from '../../src/catalog/index.js';
import { expectedPortsFor, judge, type Deployment, type ResolvedSettings } from '../../src/deployments/index.js';
import { exposedPieces, reachedPorts, reachesPorts, type FileAnalysis } from '../../src/eslint/analysis.js';
import { describeSources, eachGroup, groupByResponsible, mergeLine, portsOf, SharedTexts, twoPieces, unexplainedPorts, type ExposureGroup } from '../../src/eslint/rule-kit.js';
import type { Exposure, ExposureEntry } from '../../src/analysis/types.js';
import { AddrSet, formatPorts, IntervalSet, numSetOf, parseCidr, type NumSet } from '../../src/model/index.js';
import { formatById } from '../../src/parsers/registry.js';
import '../../src/parsers/formats.js';

const portRange = fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 40 })).map(([lo, n]) => [lo, lo + n] as const);
const portSet = fc.array(portRange, { minLength: 1, maxLength: 3 }).map((r) => numSetOf(r));
const cidr = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 8, 16, 24, 32)).map(([a, b, len]) => `${a}.${b}.0.0/${len}`);

/** A random iptables-save INPUT chain: accepts and drops by protocol, port range and source. */
const ruleText = fc
  .tuple(fc.constantFrom('tcp', 'udp'), portRange, fc.option(cidr, { nil: undefined }), fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP'))
  .map(([p, [lo, hi], src, verdict]) => `-A INPUT -p ${p}${src ? ` -s ${src}` : ''} -m ${p} --dport ${lo}:${hi} -j ${verdict}`);

function parseSave(rules: string[]) {
  const text = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
  const doc = formatById('iptables-save')!.parse(text, {});
  return doc.rulesets[0]!;
}

describe('exposedPieces (the shared per-protocol entry lists)', () => {
  it('gives the entries, order and ports of exposedPorts, for any query', () => {
    fc.assert(
      fc.property(fc.array(ruleText, { minLength: 1, maxLength: 12 }), fc.constantFrom(6, 17), portSet, (rules, protocol, query) => {
        const exposure = computeExposure(parseSave(rules), { hook: 'input' });
        const want = exposedPorts(exposure, protocol, query).map((e) => ({ rule: e.rule?.id, family: e.family, ports: formatPorts(e.dports), sources: e.sources.toString() }));
        // asked twice: the second answer comes from the shared lists
        for (let k = 0; k < 2; k++) {
          const got = exposedPieces(exposure, protocol, query).map((p) => ({ rule: p.entry.rule?.id, family: p.entry.family, ports: formatPorts(p.ports), sources: p.entry.sources.toString() }));
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 150 },
    );
  });
  it('answers an empty query with nothing', () => {
    const exposure = computeExposure(parseSave(['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT']), { hook: 'input' });
    expect(exposedPieces(exposure, 6, IntervalSet.empty<number>())).toEqual([]);
    expect(exposedPieces(exposure, 6, numSetOf([[22, 22]])).map((p) => formatPorts(p.ports))).toEqual(['22']);
    expect(exposedPieces(exposure, 17, numSetOf([[22, 22]]))).toEqual([]);
  });
});

/** unexplainedPorts as it was written before the per-settings plan: every expected list and every service judged in turn. */
function reference(settings: ResolvedSettings, targets: string[], protocol: number, ports: NumSet, sources: AddrSet): NumSet {
  let rest = ports;
  for (const e of expectedPortsFor(targets, settings)) if ((e.protocol === 'tcp' ? 6 : 17) === protocol) rest = rest.subtract(e.ports);
  for (const svc of settings.services) {
    if (rest.isEmpty) break;
    const j = judge(svc.id, targets, protocol, rest, sources, settings);
    const wide = j.tooWide?.ports ?? IntervalSet.empty<number>();
    rest = rest.subtract(j.needed.subtract(wide));
  }
  return rest;
}

const TARGETS = ['mft01', 'Web01', 'db'];
const deployment: fc.Arbitrary<Deployment> = fc
  .tuple(
    fc.constantFrom('transfer-cft', 'ssh', 'https', 'postgres'),
    fc.subarray(TARGETS, { minLength: 1 }),
    fc.array(fc.tuple(fc.constantFrom('tcp' as const, 'udp' as const), portSet), { minLength: 1, maxLength: 2 }),
    fc.option(cidr, { nil: undefined }),
  )
  .map(([service, targets, ports, src]) => {
    const d: Deployment = { service, targets: targets.map((t) => (t === 'Web01' ? 'web01' : t)), ports: ports.map(([protocol, p]) => ({ protocol, ports: p })), evidence: [] };
    if (src) d.sources = parseCidr(src)!;
    return d;
  });

describe('unexplainedPorts', () => {
  it('agrees with judging every service in turn (deployments, expected ports, sources, case of target names)', () => {
    fc.assert(
      fc.property(
        fc.array(deployment, { maxLength: 5 }),
        fc.option(fc.tuple(fc.constantFrom('mft01', 'WEB01'), portSet), { nil: undefined }),
        fc.subarray(['mft01', 'WEB01', 'other'], { minLength: 1 }),
        fc.constantFrom(6, 17),
        portSet,
        cidr,
        (deployments, expected, targets, protocol, ports, src) => {
          const settings: ResolvedSettings = {
            config: expected ? { expectedPorts: { [expected[0]]: [{ protocol: protocol === 6 ? 'tcp' : 'udp', ports: formatPorts(expected[1]).replace(/ /g, '') }] } } : {},
            services: [...BUILTIN_SERVICES],
            deployments,
            errors: [],
          };
          const a = { settings } as FileAnalysis;
          const sources = parseCidr(src)!;
          const want = formatPorts(reference(settings, targets, protocol, ports, sources));
          // twice: the second call uses the plan and the deployment matches computed by the first
          expect(formatPorts(unexplainedPorts(a, targets, protocol, ports, sources))).toBe(want);
          expect(formatPorts(unexplainedPorts(a, targets, protocol, ports, sources))).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('describeSources', () => {
  const many = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15'].map((c) => parseCidr(c)!).reduce((x, y) => x.union(y));
  it('cuts long lists to three, counting principals, the same when asked again', () => {
    for (let k = 0; k < 2; k++) {
      expect(describeSources(many)).toBe('10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 and 2 more');
      expect(describeSources(many, ['sg-1'])).toBe('10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 and 3 more');
      expect(describeSources(parseCidr('10.0.0.0/8')!, ['sg-1', 'sg-2', 'sg-3'])).toBe('10.0.0.0/8, sg-1, sg-2, sg-3');
      expect(describeSources(parseCidr('10.0.0.0/8')!, ['sg-1', 'sg-2', 'sg-3', 'sg-4'])).toBe('10.0.0.0/8, sg-1, sg-2 and 2 more');
      expect(describeSources(AddrSet.EMPTY)).toBe('no source');
      expect(describeSources(AddrSet.EMPTY, ['sg-1'])).toBe('sg-1');
      // the atom of the names no rule wrote, reached by an undecided source
      expect(describeSources(parseCidr('0.0.0.0/0')!, ['*'])).toBe('0.0.0.0/0, any named source');
      expect(describeSources(AddrSet.EMPTY, ['sg-1', '*'])).toBe('sg-1, any other named source');
      expect(describeSources(AddrSet.ALL)).toBe('0.0.0.0/0, ::/0');
      expect(describeSources(parseCidr('19.151.184.117/32')!, new Set())).toBe('19.151.184.117/32');
      expect(describeSources(parseCidr('0.0.0.0/0')!)).toBe('0.0.0.0/0');
      expect(describeSources(parseCidr('255.255.255.254/31')!)).toBe('255.255.255.254/31');
      expect(describeSources(new AddrSet(IntervalSet.range(10, 13), IntervalSet.empty()))).toBe('0.0.0.10/31, 0.0.0.12/32');
      // both families after IPv4 bans (an inet chain): each family said on its own, not "0.0.0.0/3, 32.0.0.0/5,
      // 40.0.0.0/6 and 60 more" (the first blocks of the IPv4 rest)
      const banned = AddrSet.ALL.subtract(parseCidr('45.33.32.156/32')!).subtract(parseCidr('198.51.100.23/32')!);
      expect(describeSources(banned)).toBe('0.0.0.0/0 except 45.33.32.156/32, 198.51.100.23/32; ::/0');
      expect(describeSources(banned.subtract(parseCidr('fd00::/8')!))).toBe('0.0.0.0/0 except 45.33.32.156/32, 198.51.100.23/32; ::/0 except fd00::/8');
    }
  });
});

/** describeSources as it was written before it counted CIDRs instead of listing them all. */
function referenceSources(sources: AddrSet, principals: string[] = []): string {
  const cidrs = [
    ...(sources.coversAll('ipv4') ? ['0.0.0.0/0'] : sources.only('ipv4').toCidrs()),
    ...(sources.coversAll('ipv6') ? ['::/0'] : sources.only('ipv6').toCidrs()),
  ];
  // "*", the names no rule wrote, in words
  const names = principals.map((n) => (n !== '*' ? n : principals.length === 1 ? 'any named source' : 'any other named source'));
  // a set of one family that holds most of it, with fewer blocks left out than it has: "0.0.0.0/0 except …"
  const fam = sources.v6.isEmpty ? 'ipv4' : sources.v4.isEmpty ? 'ipv6' : undefined;
  // both families, more blocks than are named: each family on its own when one of them is said with "except"
  if (!fam && cidrs.length > 4 && principals.length === 0) {
    const [v4, v6] = [referenceSources(sources.only('ipv4')), referenceSources(sources.only('ipv6'))];
    if (v4.includes(' except ') || v6.includes(' except ')) return `${v4}; ${v6}`;
  }
  if (fam && cidrs.length >= 3 && principals.length === 0) {
    // against the smallest block holding the set ("10.0.0.0/8 except 10.1.0.0/16"; the world's for a set of both halves)
    const first = cidrs[0]!.split('/')[0]!;
    let cover = AddrSet.all(fam);
    let coverText = fam === 'ipv4' ? '0.0.0.0/0' : '::/0';
    for (let len = fam === 'ipv4' ? 32 : 128; len >= 0; len--) {
      const block = parseCidr(`${first}/${len}`)!;
      if (sources.subtract(block).isEmpty) {
        cover = block;
        coverText = block.toCidrs()[0]!;
        break;
      }
    }
    const rest = cover.subtract(sources).toCidrs();
    const count = (a: AddrSet) => a.toCidrs().reduce((n, c) => n + (1n << BigInt((fam === 'ipv4' ? 32 : 128) - Number(c.split('/')[1]))), 0n);
    if (rest.length > 0 && (rest.length < Math.min(cidrs.length, 4) || (cidrs.length > 4 && rest.length < cidrs.length && count(sources) > count(cover.subtract(sources))))) {
      const except = rest.length > 4 ? `${rest.slice(0, 3).join(', ')} and ${rest.length - 3} more` : rest.join(', ');
      cidrs.splice(0, cidrs.length, `${coverText} except ${except}`);
    }
  }
  const parts = [...cidrs.slice(0, 4), ...names];
  const total = cidrs.length + principals.length;
  if (total === 0) return 'no source';
  if (total > 4) return `${parts.slice(0, 3).join(', ')} and ${total - 3} more`;
  return parts.join(', ');
}

describe('describeSources against the full CIDR list', () => {
  const v6 = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 1, 16, 48, 64, 127, 128)).map(([a, len]) => `${a.toString(16)}::/${len}`);
  const range4 = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 5000 })).map(([lo, n]) => new AddrSet(IntervalSet.range(lo, Math.min(lo + n + 1, 2 ** 32)), IntervalSet.empty()));
  const range6 = fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: 1n << 80n })).map(([lo, n]) => {
    const hi = lo + n + 1n;
    return new AddrSet(IntervalSet.empty(), IntervalSet.range(lo, hi > 1n << 128n ? 1n << 128n : hi));
  });
  // one CIDR block anywhere, of any size (/0 to /32): what describeSources formats directly
  const block4 = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([x, prefix]) => {
    const size = 2 ** (32 - prefix);
    const lo = Math.floor(x / size) * size;
    return new AddrSet(IntervalSet.range(lo, lo + size), IntervalSet.empty());
  });
  it('prints the same first CIDRs and count, for any set and principals', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(cidr.map((c) => parseCidr(c)!), v6.map((c) => parseCidr(c)!), range4, range6, block4, block4), { maxLength: 6 }), fc.array(fc.constantFrom('sg-1', 'sg-2', '*'), { maxLength: 3 }), (sets, principals) => {
        const sources = AddrSet.unionAll(sets);
        const named = [...new Set(principals)];
        expect(describeSources(sources, named)).toBe(referenceSources(sources, named));
        expect(describeSources(sources, new Set(named))).toBe(referenceSources(sources, named));
        expect(describeSources(sources)).toBe(referenceSources(sources));
      }),
      { numRuns: 300 },
    );
  });
});

/** A group as plain data, for comparing. */
function plain(g: ExposureGroup) {
  return {
    key: g.key,
    span: g.span.start.offset,
    ruleId: g.ruleId,
    chain: g.chain.name,
    table: g.table.name,
    ports: [...g.ports].map(([p, s]) => [p, formatPorts(s)]),
    sources: g.sources.toString(),
    principals: [...g.principals],
    certainty: g.certainty,
    reasons: g.reasons,
    via: g.via,
  };
}

describe('eachGroup (groups from the shared per-exposure index)', () => {
  // hand-made exposures: rules sharing a position (cloud rules from one declaration), policies of two tables with
  // the same name (positions differ: the per-query path), several entries per rule, both protocols
  const span = (offset: number) => ({ start: { line: offset + 1, column: 1, offset }, end: { line: offset + 1, column: 5, offset: offset + 4 } });
  const spans = [span(0), span(10), span(20), span(30)];
  const rules = Array.from({ length: 6 }, (_, id) => ({ id, span: spans[id % 4]!, ...(id === 5 ? { reportSpan: spans[1]! } : {}) }));
  // the same rules with ids far beyond the entry count (and one negative): the index finds them through a Map, not its table by id
  const farRules = rules.map((r) => ({ ...r, id: r.id === 3 ? -7 : r.id * 1_000_003 + 5_000_000 }));
  const tables = [{ name: 'filter', family: 'ip' }, { name: 'filter', family: 'ip6' }, { name: 'other', family: 'inet' }];
  const chains = [{ name: 'input', span: spans[3]!, policySpan: spans[2]! }, { name: 'input', span: spans[0]! }, { name: 'input', span: spans[1]! }];
  // ports from a small space, so that queries and entries meet often
  const smallSet = fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 8 })).map(([lo, n]) => [lo, lo + n] as const), { minLength: 1, maxLength: 3 }).map((r) => numSetOf(r));
  const entry = fc
    .record({
      who: fc.integer({ min: -3, max: 5 }),
      // SCTP (132): a protocol without a bit in the index's per-entry protocol bytes, asked of the entry itself
      protocols: fc.subarray([6, 17, 132], { minLength: 1 }),
      dports: smallSet,
      // sources that repeat (a rule's entries with the same sources share a group; other sources, or another
      // family's, make another group or join one of the other family)
      src: fc.oneof(cidr, fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '::/0', 'fe80::/10')),
      principals: fc.subarray(['sg-1', 'sg-2']),
      open: fc.boolean(),
      reasons: fc.subarray(['opaque a', 'opaque b', 'opaque c']),
      via: fc.boolean(),
      far: fc.boolean(),
    })
    .map((r): ExposureEntry => {
      const policy = r.who < 0 ? -r.who - 1 : undefined;
      const e = {
        family: r.src.includes(':') ? 'ipv6' : 'ipv4',
        protocols: numSetOf(r.protocols.map((p) => [p, p] as const)),
        dports: r.dports,
        sources: parseCidr(r.src)!,
        principals: r.principals,
        interfaces: 'any',
        certainty: r.open ? 'open' : 'possibly-open',
        chain: chains[policy ?? r.who % 3]!,
        table: tables[policy ?? r.who % 3]!,
        reasons: r.reasons.map((message) => ({ message })),
        ...(policy === undefined ? { rule: (r.far ? farRules : rules)[r.who]! } : {}),
        ...(r.via ? { via: { kind: 'dnat', rule: rules[0]!, to: '10.0.0.1:80' } } : {}),
      };
      return e as unknown as ExposureEntry;
    });
  // a query may be empty (an option that allows every port): it reaches nothing
  const query = fc.oneof({ arbitrary: smallSet, weight: 9 }, { arbitrary: fc.constant(IntervalSet.empty<number>()), weight: 1 });
  it('gives the groups, order and contents of groupByResponsible over the pieces', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 14 }), query, query, fc.constantFrom([6, 17], [17, 6], [6], [132, 17]), fc.boolean(), (entries, q1, q2, protocols, onlyOpen) => {
        const exposure = { entries } as unknown as Exposure;
        const queries = [q1, q2].slice(0, protocols.length);
        const only = onlyOpen ? (e: ExposureEntry) => e.certainty === 'open' : undefined;
        const pieces = protocols.flatMap((protocol, i) =>
          entries.filter((e) => e.protocols.has(protocol) && (!only || only(e))).flatMap((e) => {
            const ports = e.dports.intersect(queries[i]!);
            return ports.isEmpty ? [] : [{ entry: e, protocol, ports }];
          }),
        );
        const want = groupByResponsible(pieces).map(plain);
        // twice: the second walk uses the index built by the first
        for (let k = 0; k < 2; k++) {
          const got: ReturnType<typeof plain>[] = [];
          eachGroup(exposure, protocols, queries, (g) => {
            got.push(plain(g));
            // portsOf reads what the ports Map holds (a group of the index keeps its ports in slots, the Map built when read)
            for (const p of [6, 17, 1]) expect(portsOf(g, p)).toBe(g.ports.get(p));
          }, only);
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('groups of a line: named sources alone and addresses apart', () => {
  const rule = (name: string, priority: number, protocol: string, port: string, src: string): string =>
    `{ "name": "${name}", "properties": { "priority": ${priority}, "direction": "Inbound", "access": "Allow", "protocol": "${protocol}", "sourcePortRange": "*", "sourceAddressPrefix": "${src}", "destinationAddressPrefix": "*", "destinationPortRange": "${port}" } }`;
  it('an IPv6 entry of named sources alone does not join an IPv4 group with addresses (its ports are not reachable from them)', () => {
    // UDP 1761 from Internet at priority 200; TCP 1761-1768 from a partner at 100; everything on 1761-1768 from *
    // at 4000: that rule opens UDP 1761 to the named sources only, UDP 1762-1768 to every address too. Its IPv6
    // entry of UDP 1761 (named sources alone) joined the IPv4 group of 0.0.0.0/0, which then said UDP 1761 was
    // reachable from 0.0.0.0/0 by it.
    const text = `{ "type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "properties": { "securityRules": [
  ${rule('partner', 100, 'Tcp', '1761-1768', '198.51.100.0/24')},
  ${rule('udp-1761', 200, 'Udp', '1761', 'Internet')},
  ${rule('cft-any', 4000, '*', '1761-1768', '*')}
] } }`;
    const doc = formatById('azure')!.parse(text, {});
    const exposure = computeExposure(doc.rulesets[0]!, { hook: 'input' });
    const said: string[] = [];
    const seen = (g: ExposureGroup): void => {
      if (g.span.start.line === 4) said.push(`${[6, 17].map((p) => `${p}:${portsOf(g, p) ? formatPorts(portsOf(g, p)!) : '-'}`).join(' ')} from ${describeSources(g.sources, [...g.principals])}`);
    };
    const query = numSetOf([[1761, 1768]]);
    eachGroup(exposure, [6, 17], [query, query], seen);
    const want = [
      '6:1761-1768 17:1762-1768 from 0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/6 and 25 more',
      '6:- 17:1762-1768 from 0.0.0.0/0, AzureLoadBalancer, VirtualNetwork, any other named source',
      '6:- 17:1761 from AzureLoadBalancer, VirtualNetwork, any other named source',
    ];
    expect(said).toEqual(want);
  });
});

describe('reachesPorts', () => {
  it('says whether reachedPorts finds something, for any ports and query', () => {
    const anySet = fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 12 })).map(([lo, n]) => [lo, lo + n] as const), { maxLength: 4 }).map((r) => numSetOf(r));
    fc.assert(
      fc.property(anySet, anySet, (ports, query) => {
        expect(reachesPorts(ports, query)).toBe(reachedPorts(ports, query) !== undefined);
        expect(reachesPorts(ports, query)).toBe(!ports.intersect(query).isEmpty);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SharedTexts and twoPieces (texts many findings share)', () => {
  it('makes one text per pair of keys, once', () => {
    const made: string[] = [];
    const texts = new SharedTexts((a, b) => {
      made.push(`${a}|${b}`);
      return `${a}: ${b} reachable from `;
    });
    expect(texts.get('Open', 'TCP 1761')).toBe('Open: TCP 1761 reachable from ');
    expect(texts.get('Open', 'TCP 1761')).toBe('Open: TCP 1761 reachable from ');
    expect(texts.get('Possibly open', 'TCP 1761')).toBe('Possibly open: TCP 1761 reachable from ');
    expect(texts.get('Open', 'UDP 1761')).toBe('Open: UDP 1761 reachable from ');
    expect(texts.get('Open', '')).toBe('Open:  reachable from ');
    expect(made).toEqual(['Open|TCP 1761', 'Possibly open|TCP 1761', 'Open|UDP 1761', 'Open|']);
  });
  it('twoPieces is the sum of its pieces', () => {
    expect(twoPieces('Open: TCP 1761 reachable from ', '10.0.0.0/8 on host.')).toBe('Open: TCP 1761 reachable from 10.0.0.0/8 on host.');
    expect(twoPieces('', 'x')).toBe('x');
    expect(twoPieces('a', '')).toBe('a');
  });
});

describe('mergeLine (the groups of one line that say one thing)', () => {
  const span = { start: { line: 3, column: 1, offset: 40 }, end: { line: 3, column: 9, offset: 48 } };
  const group = (ports: NumSet, src: string, extra: Partial<ExposureGroup> = {}): ExposureGroup => ({
    key: 'rule:1',
    chain: { name: 'INPUT', rules: [], span },
    table: { name: 'filter', family: 'ip', chains: [], span },
    span,
    ports: new Map([[6, ports]]),
    sources: parseCidr(src)!,
    principals: new Set(),
    certainty: 'open',
    reasons: [],
    interfaces: 'any',
    ...extra,
  });
  const show = (gs: ExposureGroup[]) => gs.map((g) => `${formatPorts(g.ports.get(6)!)} from ${describeSources(g.sources)}${g.via ? ` ${g.via}` : ''}`);
  it('joins equal ports (sources) and equal sources (ports), and keeps apart what differs in both', () => {
    const a = group(numSetOf([[22, 22]]), '10.0.0.0/8');
    const b = group(numSetOf([[22, 22]]), '0.0.0.0/0');
    const c = group(numSetOf([[80, 80]]), '192.0.2.0/24');
    expect(show(mergeLine([a, b, c]))).toEqual(['22 from 0.0.0.0/0', '80 from 192.0.2.0/24']);
  });
  it('keeps apart groups published through different DNATs or coming in through other interfaces', () => {
    const a = group(numSetOf([[8080, 8080]]), '0.0.0.0/0', { via: 'published through DNAT to 172.17.0.2:80 (line 5)' });
    const b = group(numSetOf([[8443, 8443]]), '0.0.0.0/0', { via: 'published through DNAT to 172.17.0.3:443 (line 6)' });
    const c = group(numSetOf([[9000, 9000]]), '0.0.0.0/0', { interfaces: 'eth1' });
    expect(show(mergeLine([a, b, c]))).toEqual([
      '8080 from 0.0.0.0/0 published through DNAT to 172.17.0.2:80 (line 5)',
      '8443 from 0.0.0.0/0 published through DNAT to 172.17.0.3:443 (line 6)',
      '9000 from 0.0.0.0/0',
    ]);
  });
  it('one accepting rule behind several DNATs: one group per DNAT, each with its own ports', () => {
    // session-13 nftables audit: `ct status dnat accept` in forward accepted 8080 (→ 10.20.0.2:80), 2222 (→ 10.20.0.3:22)
    // and 9000 (→ 10.20.0.2); one finding said "TCP 2222, 8080, 9000 … published through DNAT to 10.20.0.2:80"
    const text = `table ip nat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 dnat to 10.20.0.2:80
		tcp dport 2222 dnat to 10.20.0.3:22
		tcp dport 9000 dnat to 10.20.0.2
	}
}
table ip filter {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct status dnat accept
	}
	chain input {
		type filter hook input priority filter; policy drop;
	}
}
`;
    const exposure = computeExposure(formatById('nftables')!.parse(text, {}).rulesets[0]!);
    const pieces = exposure.entries.map((entry) => ({ entry, protocol: 6, ports: entry.dports }));
    const want = [
      '8080 from 0.0.0.0/0 published through DNAT to 10.20.0.2:80 (line 4)',
      '2222 from 0.0.0.0/0 published through DNAT to 10.20.0.3:22 (line 5)',
      '9000 from 0.0.0.0/0 published through DNAT to 10.20.0.2 (line 6)',
    ];
    expect(show(groupByResponsible(pieces))).toEqual(want);
    const got: ExposureGroup[] = [];
    eachGroup(exposure, [6], [numSetOf([[0, 65535]])], (g) => got.push(g));
    expect(show(got)).toEqual(want);
  });
});
