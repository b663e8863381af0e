/**
 * Property: the symbolic engine and the concrete tracer agree.
 *   trace accept          ⇒ the packet is in MayAccept (open or possibly-open)
 *   trace drop / reject   ⇒ the packet is not in the open set
 * over random small rulesets (user chains, goto/return, negations, ctstate,
 * opaque matches, queue/unknown targets, DNAT/REDIRECT, several base chains).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket, type Packet } from '../../src/analysis/index.js';
import type { Action, Chain, Match, Rule } from '../../src/model/index.js';
import { a, base, chain, m, rule, ruleset, table } from './build.js';

const matchArb: fc.Arbitrary<Match> = fc.oneof(
  fc.constantFrom('tcp', 'udp', 'icmp').map((p) => m.proto(p)),
  fc.constantFrom('22', '80', '1761:1768', '443,8080', '1000:2000').map((p) => m.dport(p)),
  fc.constantFrom('40000', '1:1023').map((p) => m.sport(p)),
  fc.constantFrom('10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16', '0.0.0.0/1', '203.0.113.7').map((c) => m.src(c)),
  fc.constantFrom('198.51.100.1', '172.17.0.2', '172.17.0.0/16').map((c) => m.dst(c)),
  fc.constantFrom(['eth0'], ['lo'], ['docker0'], ['eth+'], ['eth1', 'docker0']).map((n) => m.iif(...n)),
  fc.constantFrom(['docker0'], ['eth1'], ['br+']).map((n) => m.oif(...n)),
  fc.constantFrom<Match['kind'] extends string ? ('new' | 'established' | 'related' | 'invalid' | 'dnat')[] : never>(['new'], ['established', 'related'], ['invalid'], ['dnat']).map((s) => m.ct(...s)),
  fc.constant(m.opaque('-m limit --limit 1/s')),
  fc.constant(m.opaque('-m set --match-set x src')),
  fc.constant(m.frag()),
  fc.constant(m.addrtype('dst', 'LOCAL')),
  fc.constant(m.icmp('ipv4', 8)),
  fc.constant(m.anyOf([m.proto('tcp'), m.dport('22')], [m.proto('udp'), m.dport('53')])),
);

const matchesArb = fc.array(
  fc.tuple(matchArb, fc.boolean()).map(([x, neg]) => (neg && x.kind !== 'any-of' ? m.not(x) : x)),
  { maxLength: 3 },
);

function actionArb(users: string[]): fc.Arbitrary<Action> {
  const base: fc.Arbitrary<Action>[] = [
    fc.constant(a.accept()),
    fc.constant(a.drop()),
    fc.constant(a.reject()),
    fc.constant(a.log()),
    fc.constant(a.ret()),
    fc.constant(a.queue()),
    fc.constant(a.unknown('FOO')),
  ];
  for (const u of users) base.push(fc.constant(a.jump(u)), fc.constant(a.goto(u)));
  return fc.oneof(...base);
}

function rulesArb(users: string[], max: number): fc.Arbitrary<Rule[]> {
  return fc.array(
    fc.tuple(matchesArb, actionArb(users)).map(([ms, act]) => rule('r', ms, act)),
    { maxLength: max },
  );
}

const natRuleArb: fc.Arbitrary<Rule> = fc
  .tuple(
    matchesArb,
    fc.constantFrom<Action>(a.dnat('172.17.0.2', '80'), a.dnat('172.17.0.0/30', '80'), a.dnat('172.17.0.3'), a.redirect('8080'), a.masquerade(), a.accept(), a.ret()),
  )
  .map(([ms, act]) => rule('n', [m.proto('tcp'), ...ms], act));

const rulesetArb = fc
  .record({
    input: rulesArb(['U1', 'U2'], 5),
    inputPolicy: fc.constantFrom<'accept' | 'drop'>('accept', 'drop'),
    forward: rulesArb(['U1', 'U2'], 3),
    forwardPolicy: fc.constantFrom<'accept' | 'drop'>('accept', 'drop'),
    u1: rulesArb(['U2'], 4),
    u2: rulesArb([], 3),
    nat: fc.array(natRuleArb, { maxLength: 3 }),
    mangle: rulesArb([], 2),
  })
  .map((g) => {
    const copy = (rs: Rule[]) => rs.map((r) => ({ ...r }));
    return ruleset([
      table('mangle', 'ip', [base.manglePre(copy(g.mangle))]),
      table('nat', 'ip', [base.natPre(copy(g.nat))]),
      table('filter', 'ip', [
        base.input(copy(g.input), g.inputPolicy),
        base.forward(copy(g.forward), g.forwardPolicy),
        chain('U1', copy(g.u1)) as Chain,
        chain('U2', copy(g.u2)) as Chain,
      ]),
    ]);
  });

const packetArb: fc.Arbitrary<Packet> = fc.record({
  proto: fc.constantFrom<Packet['proto']>('tcp', 'udp', 'icmp', 47),
  dport: fc.constantFrom(22, 53, 80, 443, 1761, 1768, 1500, 8080, 9999),
  sport: fc.constantFrom(40000, 1000),
  src: fc.constantFrom('10.1.2.3', '10.2.0.1', '192.168.1.1', '203.0.113.7', '200.1.1.1'),
  dst: fc.constantFrom('198.51.100.1', '172.17.0.2'),
  iif: fc.constantFrom('eth0', 'eth1', 'docker0', 'eth7', 'wlan0'),
  oif: fc.constantFrom('docker0', 'eth1', 'br-1'),
  hook: fc.constantFrom<'input' | 'forward'>('input', 'forward'),
  icmpType: fc.constantFrom(0, 8),
});

describe('trace ⇔ exposure consistency', () => {
  test('accept ⇒ in MayAccept; drop/reject ⇒ not open', () => {
    fc.assert(
      fc.property(rulesetArb, fc.array(packetArb, { minLength: 1, maxLength: 8 }), (rs, packets) => {
        for (const p of packets) {
          const pk: Packet = p.hook === 'input' ? { ...p, oif: '' } : p;
          const t = tracePacket(rs, pk);
          const c = classifyPacket(computeExposure(rs, { hook: p.hook! }), pk);
          if (t.verdict === 'accept' && c === 'closed') return false;
          if ((t.verdict === 'drop' || t.verdict === 'reject') && c === 'open') return false;
        }
        return true;
      }),
      { numRuns: 1500, seed: 20261126 },
    );
  });

  test('the exposure says open for a decided accept and closed for a decided drop (rules without undecidable parts)', () => {
    const rs = ruleset([
      table('filter', 'ip', [
        base.input([rule('ssh', [m.proto('tcp'), m.dport('22'), m.not(m.src('10.0.0.0/8'))], a.accept())], 'drop'),
      ]),
    ]);
    const e = computeExposure(rs);
    expect(classifyPacket(e, { proto: 'tcp', dport: 22, src: '192.0.2.1' })).toBe('open');
    expect(tracePacket(rs, { proto: 'tcp', dport: 22, src: '192.0.2.1' }).verdict).toBe('accept');
    expect(classifyPacket(e, { proto: 'tcp', dport: 22, src: '10.0.0.1' })).toBe('closed');
    expect(tracePacket(rs, { proto: 'tcp', dport: 22, src: '10.0.0.1' }).verdict).toBe('drop');
  });
});
