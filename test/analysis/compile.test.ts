/**
 * Rule compilation: the one-cube fast path of compileConj builds exactly the regions of the
 * general definition (each match compiled alone, regions intersected in order), and the
 * cube helpers the engine uses to skip work (cubeContains) agree with the set algebra.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compileConj, compileMatch, RuleCompiler, rulesetFacts, singleCube, spaceFor } from '../../src/analysis/compile.js';
import { cubeContains, cubeIsEmpty, intersectRegions, subtractCube, type Cube, type Space } from '../../src/analysis/cube.js';
import type { Family, Match, Rule } from '../../src/model/index.js';
import { parseSave } from '../../src/parsers/iptables/save.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';
import { PackedRule, packedCodes, packedCount } from '../../src/parsers/placed.js';
import { a, base, filter, m, rule } from './build.js';

/** The definition: every match compiled on its own, conjunction by region intersection. */
function reference(ms: readonly Match[], sp: Space, local: boolean, pre: boolean): { must: Cube[]; may: Cube[] } {
  let must: Cube[] = [sp.universe];
  let may: Cube[] = must;
  for (const x of ms) {
    const c = compileMatch(x, sp, local, pre);
    must = intersectRegions(must, c.must);
    may = intersectRegions(may, c.may);
    if (may.length === 0) return { must: [], may: [] };
  }
  return { must, may };
}

/** A canonical text of a region's cubes (every dimension's bounds), order kept. */
function show(cubes: readonly Cube[]): string[] {
  return cubes.map((c) =>
    [c.proto.bounds, c.iif, c.oif, c.ct, c.icmp.bounds, c.dport.bounds, c.sport.bounds, c.dst.v4.bounds, c.dst.v6.bounds, c.src.v4.bounds, c.src.v6.bounds, c.sprin]
      .map((x) => String(x))
      .join('|'),
  );
}

const matchArb: fc.Arbitrary<Match> = fc.oneof(
  fc.constantFrom('tcp', 'udp', 'icmp', 'sctp').map((p) => m.proto(p)),
  fc.constantFrom('10.0.0.0/8', '10.1.2.3', '192.0.2.0/24', '2001:db8::/32', '0.0.0.0/0').map((c) => m.src(c)),
  fc.constantFrom('10.0.0.0/8', '198.51.100.7', '2001:db8::1').map((c) => m.dst(c)),
  fc.constantFrom('22', '1761:1768', '80,443', '0:65535').map((p) => m.dport(p)),
  fc.constantFrom('1024:65535', '53').map((p) => m.sport(p)),
  fc.constantFrom(['eth0'], ['eth+'], ['lo'], ['wg0', 'eth1']).map((n) => m.iif(...n)),
  fc.constantFrom(['eth0'], ['br+']).map((n) => m.oif(...n)),
  fc.constantFrom<Parameters<typeof m.ct>[]>(['new'], ['established', 'related'], ['dnat'], ['invalid']).map((s) => m.ct(...s)),
  fc.constantFrom('ipv4', 'ipv6').map((f) => m.family(f as 'ipv4' | 'ipv6')),
  fc.constant(m.icmp('ipv4', 8)),
  fc.constant(m.prin('sg-1')),
  fc.constant(m.opaque('-m recent --rcheck')),
  fc.constant(m.addrtype('dst', 'LOCAL')),
);

const conjArb = fc.array(fc.oneof({ weight: 4, arbitrary: matchArb }, { weight: 1, arbitrary: matchArb.map((x) => m.not(x)) }), { maxLength: 5 });

describe('compileConj', () => {
  test('equals the match-by-match definition (fast path and general path alike)', () => {
    // interface names of the space come from the rules: put every name the arbitraries use in one ruleset
    const names = ['eth0', 'eth+', 'lo', 'wg0', 'eth1', 'br+'];
    const rs = filter(base.input([rule('r', [m.iif(...names), m.oif(...names), m.prin('sg-1')], a.accept())], 'drop'));
    for (const family of ['ipv4', 'ipv6'] as const) {
      const sp = spaceFor(rs, family);
      fc.assert(
        fc.property(conjArb, fc.boolean(), fc.boolean(), (ms, local, pre) => {
          const got = compileConj(ms, sp, local, pre);
          const want = reference(ms, sp, local, pre);
          expect(show(got.must)).toEqual(show(want.must));
          expect(show(got.may)).toEqual(show(want.may));
        }),
        { numRuns: 1500, seed: 11 },
      );
    }
  });

  test('a rule of decidable matches compiles to one cube narrowed in each dimension', () => {
    const rs = filter(base.input([rule('r', [m.iif('eth0')], a.accept())], 'drop'));
    const sp = spaceFor(rs, 'ipv4');
    const c = compileConj([m.src('10.0.0.0/8'), m.proto('tcp'), m.dport('1761:1768'), m.iif('eth0'), m.ct('new')], sp, true);
    expect(c.must).toBe(c.may);
    expect(c.must).toHaveLength(1);
    const [x] = c.must as [Cube];
    expect(x.proto.bounds).toEqual([6, 7]);
    expect(x.dport.bounds).toEqual([1761, 1769]);
    expect(x.src.v4.bounds).toEqual([0x0a000000, 0x0b000000]);
    expect(x.src.v6.bounds).toEqual([]);
    expect(x.iif).toBe(sp.ifs.bit('eth0'));
    expect(compileConj([m.family('ipv6'), m.proto('tcp')], sp, true).may).toEqual([]);
  });

  test('negated matches narrow the one cube by their complement', () => {
    const rs = filter(base.input([rule('r', [m.iif('eth0', 'lo')], a.accept())], 'drop'));
    const sp = spaceFor(rs, 'ipv4');
    // the negated port comes before the protocol: the port protocols' other ports once tcp is known
    const c = compileConj([m.not(m.dport('22')), m.proto('tcp'), m.not(m.src('10.0.0.0/8')), m.not(m.iif('eth0')), m.not(m.ct('invalid'))], sp, false);
    expect(c.must).toBe(c.may);
    expect(c.must).toHaveLength(1);
    const [x] = c.must as [Cube];
    expect(x.proto.bounds).toEqual([6, 7]);
    expect(x.dport.bounds).toEqual([0, 22, 23, 65536]);
    expect(x.src.v4.bounds).toEqual([0, 0x0a000000, 0x0b000000, 2 ** 32]);
    expect(x.iif).toBe(sp.universe.iif & ~sp.ifs.bit('eth0'));
    expect(x.ct).toBe(sp.universe.ct & ~0b11_0000_00);
    // outside the port protocols a negated port tests nothing; across them it is two cubes
    const icmp = compileConj([m.proto('icmp'), m.not(m.dport('22'))], sp, false);
    expect(icmp.must).toHaveLength(1);
    expect(icmp.must[0]!.proto.bounds).toEqual([1, 2]);
    expect(icmp.must[0]!.dport).toBe(sp.universe.dport);
    expect(compileConj([m.not(m.proto('tcp')), m.not(m.dport('22'))], sp, false).must).toHaveLength(2);
  });
});

describe('cubeContains', () => {
  test('b ⊇ a exactly when a \\ b is empty', () => {
    const rs = filter(base.input([rule('r', [m.iif('eth0', 'eth1')], a.accept())], 'drop'));
    const sp = spaceFor(rs, 'ipv4');
    const cubeArb = fc.array(matchArb, { maxLength: 4 }).map((ms) => compileConj(ms, sp, true).must[0]).filter((c): c is Cube => c !== undefined && !cubeIsEmpty(c));
    fc.assert(
      fc.property(cubeArb, cubeArb, (x, y) => {
        const rest: Cube[] = [];
        subtractCube(x, y, rest);
        expect(cubeContains(y, x)).toBe(rest.every(cubeIsEmpty));
      }),
      { numRuns: 1500, seed: 5 },
    );
  });
});

describe('RuleCompiler', () => {
  test('compiles each rule once per space, by rule object even when ids repeat, and shares the empty and decided forms', () => {
    // two distinct rules with the same id (rules of hand-built or merged documents): each keeps its own compilation
    const ssh = rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept());
    const web = rule('web', [m.proto('tcp'), m.dport('80,443')], a.accept());
    const v6only = rule('v6', [m.src('2001:db8::/32')], a.accept());
    const v6too = rule('v6b', [m.dst('2001:db8::1')], a.accept());
    const recent = rule('recent', [m.opaque('-m recent --rcheck'), m.proto('udp')], a.drop());
    const rs = filter(base.input([ssh, web, v6only, v6too, recent], 'drop'));
    for (const r of [ssh, web, v6only, v6too, recent]) r.id = 7;
    const sp = spaceFor(rs, 'ipv4');
    const one = new RuleCompiler(sp, false);
    const two = new RuleCompiler(sp, false);
    const s = one.get(ssh);
    expect(two.get(ssh)).toBe(s);
    // one cube: the compiled form is the cube itself; must and may are lists of it
    expect(s.must).toEqual([s]);
    expect(s.must[0]).toBe(s);
    expect(s.may[0]).toBe(s);
    expect(s.may).toHaveLength(1);
    expect(singleCube(s)).toBe(s);
    expect(s.maybe).toEqual([]);
    expect(s.opaque).toEqual([]);
    expect(show(s.must)).toEqual(show(compileConj(ssh.matches, sp, false).must));
    const w = one.get(web);
    expect(w).not.toBe(s);
    expect(show(w.must)).toEqual(show(compileConj(web.matches, sp, false).must));
    expect(two.get(web)).toBe(w);
    // another family's rules compile to nothing, one shared object
    const e = one.get(v6only);
    expect(e.must).toEqual([]);
    expect(e.may).toEqual([]);
    expect(e.maybe).toEqual([]);
    expect(one.get(v6too)).toBe(e);
    // an opaque match: must empty, may and maybe the UDP cube, the text kept
    const o = one.get(recent);
    expect(o.must).toEqual([]);
    expect(show(o.may)).toEqual(show(compileConj(recent.matches, sp, false).may));
    expect(show(o.maybe)).toEqual(show(o.may));
    expect(o.opaque).toEqual(['-m recent --rcheck']);
    expect(singleCube(o)).toBeUndefined();
    expect(singleCube(e)).toBeUndefined();
  });

  test('keeps every compiled rule across the move from its Map to its lists (past 1024 rules), repeated ids included', () => {
    const rules = Array.from({ length: 3000 }, (_, i) => rule(`r${i}`, [m.proto('tcp'), m.dport(String(1 + (i % 60000)))], a.accept()));
    rules.forEach((r, i) => (r.id = i < 2000 ? i + 1 : i - 1990)); // ids 1..2000, then 10..1009 again
    const rs = filter(base.input(rules, 'drop'));
    const sp = spaceFor(rs, 'ipv4');
    const one = new RuleCompiler(sp, false);
    const first = rules.map((r) => one.get(r));
    const two = new RuleCompiler(sp, false);
    rules.forEach((r, i) => {
      expect(two.get(r)).toBe(first[i]);
      expect(show(first[i]!.must)).toEqual(show(compileConj(r.matches, sp, false).must));
    });
  });
});

/** Options of an iptables-save rule, each one match or more; a rule of up to four matches is a PackedRule. */
const optionArb = fc.constantFrom(
  '-s 10.0.0.0/8',
  '! -s 10.1.2.3',
  '-d 192.0.2.0/24',
  '! -d 198.51.100.7/32',
  '-s 0.0.0.0/0',
  '-p tcp',
  '-p udp',
  '! -p tcp',
  '-p icmp',
  '-p tcp -m tcp --dport 22',
  '-p tcp -m tcp ! --dport 22',
  '-p tcp -m tcp --sport 1024:65535',
  '-p udp -m udp ! --sport 53',
  '-p tcp -m multiport --dports 80,443,1761:1768',
  '-p udp -m multiport ! --dports 53,123',
  '-i eth0',
  '! -i eth+',
  '-o eth1',
  '! -o lo',
  '-m conntrack --ctstate NEW',
  '-m conntrack ! --ctstate INVALID',
  '-m state --state ESTABLISHED,RELATED',
  '-p icmp -m icmp --icmp-type 8',
  '-p icmp -m icmp ! --icmp-type 0',
  '-m recent --rcheck --name x',
  '-m addrtype --dst-type LOCAL',
  '-f',
  '-p tcp -m tcp --syn',
  '-p tcp -m tcp ! --syn',
  '-p tcp -m tcp ! --tcp-flags SYN,ACK SYN',
);

/** The rules of one iptables-save INPUT chain of these option lists. */
function savedRules(lines: string[][]): Rule[] {
  // FORWARD: the chain where iptables takes both -i and -o
  const text = ['*filter', ':FORWARD DROP [0:0]', ...lines.map((os) => `-A FORWARD ${os.join(' ')} -j ACCEPT`), 'COMMIT', ''].join('\n');
  return parseSave(text).rulesets[0]!.tables[0]!.chains.find((c) => c.name === 'FORWARD')!.rules;
}

describe('RuleCompiler on packed rules (the iptables-save fast path)', () => {
  test('compiles a PackedRule from its packed matches to what its match list compiles to, in every context', () => {
    let packed = 0;
    let all = 0;
    fc.assert(
      fc.property(fc.array(fc.array(optionArb, { minLength: 0, maxLength: 4 }), { minLength: 1, maxLength: 12 }), (lines) => {
        const rules = savedRules(lines);
        all += rules.length;
        packed += rules.filter((r) => r instanceof PackedRule).length;
        const rs = { ...parseSave('*filter\nCOMMIT\n').rulesets[0]!, tables: [{ name: 'filter', family: 'ip' as const, chains: [{ name: 'INPUT', hook: 'input' as const, priority: 0, policy: 'drop' as const, rules }] }] };
        for (const family of ['ipv4', 'ipv6'] as Family[]) {
          const sp = spaceFor(rs as never, family);
          for (const [local, pre] of [[false, false], [false, true], [true, false], [true, true]] as const) {
            const comp = new RuleCompiler(sp, local, pre);
            for (const r of rules) {
              const got = comp.get(r);
              const want = compileConj(r.matches, sp, local, pre);
              expect(show(got.must)).toEqual(show(want.must));
              expect(show(got.may)).toEqual(show(want.may));
              expect(got.opaque).toEqual(want.opaque);
            }
          }
        }
      }),
      { numRuns: 300, seed: 23 },
    );
    // (most rules are packed: the fast path reads all of these options but -f and addrtype)
    expect(packed).toBeGreaterThan(all / 2);
  });

  test('compiles nftables text rules (packed; implied protocol and family matches kept as themselves) as their lists, without building them', () => {
    const doc = parseNftables(
      [
        'table inet t {',
        '  chain c {',
        '    type filter hook input priority 0; policy drop;',
        '    iifname "eth1" ip daddr 192.0.2.0/24 tcp dport 1761-1768 counter accept',
        '    ip saddr != 10.0.0.0/8 udp dport { 53, 1761 } accept',
        '    ip6 saddr ::1 tcp dport 22 drop',
        '    tcp dport != 22 ct state new accept',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect(doc.diagnostics).toEqual([]);
    const rs = doc.rulesets[0]!;
    const rules = rs.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => packedCount(packedCodes(r)))).toEqual([5, 4, 4, 3]);
    const desc = Object.getOwnPropertyDescriptor(PackedRule.prototype, 'matches')!;
    let reads = 0;
    Object.defineProperty(PackedRule.prototype, 'matches', { ...desc, get(this: PackedRule) { reads++; return desc.get!.call(this); } });
    try {
      for (const family of ['ipv4', 'ipv6'] as Family[]) {
        const sp = spaceFor(rs, family);
        const comp = new RuleCompiler(sp, false, false);
        const got = rules.map((r) => comp.get(r));
        expect(reads).toBe(0);
        const want = rules.map((r) => compileConj(r.matches, sp, false, false));
        expect(got.map((g) => show(g.must))).toEqual(want.map((w) => show(w.must)));
        expect(got.map((g) => show(g.may))).toEqual(want.map((w) => show(w.may)));
        reads = 0;
      }
    } finally {
      Object.defineProperty(PackedRule.prototype, 'matches', desc);
    }
  });

  test('reads the interface names of packed rules, without their match lists, as it reads them from lists', () => {
    const rules = savedRules([['-i eth0', '! -o wg+'], ['-i eth0', '-o br-1', '-s 10.0.0.0/8', '-p tcp'], ['-i ppp+', '-m recent --rcheck --name x']]);
    expect(rules.filter((r) => r instanceof PackedRule)).toHaveLength(3);
    const rs = { ...parseSave('*filter\nCOMMIT\n').rulesets[0]!, tables: [{ name: 'filter', family: 'ip' as const, chains: [{ name: 'INPUT', hook: 'input' as const, priority: 0, policy: 'drop' as const, rules }] }] };
    const facts = rulesetFacts(rs as never);
    expect([...facts.ifs].sort()).toEqual(['br-1', 'eth0', 'ppp+', 'wg+']);
    expect(facts.rules).toBe(3);
    expect(facts.maxId).toBe(Math.max(...rules.map((r) => r.id)));
    // the atoms of the space: each exact name, each prefix, and the rest
    expect(spaceFor(rs as never, 'ipv4').ifs.labels).toEqual(['(none)', 'br-1', 'eth0', 'lo', 'ppp+', 'wg+', 'other']);
  });
});
