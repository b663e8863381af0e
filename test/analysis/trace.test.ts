import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket } from '../../src/analysis/index.js';
import { a, base, chain, filter, m, rule, ruleset, table } from './build.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';

const effects = (r: ReturnType<typeof tracePacket>) => r.steps.map((s) => `${s.table}/${s.chain}@${s.line} ${s.effect}`);

describe('tracePacket', () => {
  const rs = filter(
    base.input(
      [
        rule('lo', [m.iif('lo')], a.accept()),
        rule('est', [m.ct('established', 'related')], a.accept()),
        rule('svc', [m.proto('tcp')], a.jump('SVC')),
        rule('icmp', [m.proto('icmp')], a.accept()),
      ],
      'drop',
    ),
    chain('SVC', [rule('lan', [m.src('10.0.0.0/8')], a.ret()), rule('ssh', [m.dport('22')], a.accept()), rule('logdrop', [m.dport('23')], a.jump('LOGDROP'))]),
    chain('LOGDROP', [rule('log', [], a.log()), rule('drop', [], a.drop())]),
  );

  test('accept through a user chain, with every step', () => {
    const r = tracePacket(rs, { proto: 'tcp', dport: 22 });
    expect(r.verdict).toBe('accept');
    expect(r.reasons).toEqual([]);
    expect(effects(r)).toEqual([
      'filter/INPUT@3 no match',
      'filter/INPUT@4 no match',
      'filter/INPUT@5 jump SVC',
      'filter/SVC@8 no match',
      'filter/SVC@9 match: ACCEPT',
    ]);
  });

  test('return continues after the jump; policy ends it', () => {
    const r = tracePacket(rs, { proto: 'tcp', dport: 22, src: '10.1.2.3' });
    expect(r.verdict).toBe('drop');
    expect(effects(r)).toEqual([
      'filter/INPUT@3 no match',
      'filter/INPUT@4 no match',
      'filter/INPUT@5 jump SVC',
      'filter/SVC@8 return',
      'filter/INPUT@6 no match',
      'filter/INPUT@2 policy DROP',
    ]);
    expect(r.steps.at(-1)!.text).toBe('policy DROP');
  });

  test('nested jump to a LOG+DROP chain', () => {
    const r = tracePacket(rs, { proto: 'tcp', dport: 23 });
    expect(r.verdict).toBe('drop');
    expect(effects(r).slice(-3)).toEqual(['filter/SVC@10 jump LOGDROP', 'filter/LOGDROP@12 match: continue (LOG)', 'filter/LOGDROP@13 match: DROP']);
  });

  test('established and loopback packets are evaluated exactly', () => {
    expect(tracePacket(rs, { proto: 'udp', dport: 9, state: 'established' }).verdict).toBe('accept');
    expect(tracePacket(rs, { proto: 'udp', dport: 9, iif: 'lo' }).verdict).toBe('accept');
    expect(tracePacket(rs, { proto: 'udp', dport: 9 }).verdict).toBe('drop');
    expect(tracePacket(rs, { proto: 'icmp' }).verdict).toBe('accept');
  });

  test('undecidable match: branches that disagree give unknown with the reason', () => {
    const r2 = filter(base.input([rule('lim', [m.proto('tcp'), m.opaque('-m limit --limit 5/min')], a.accept())], 'drop'));
    const r = tracePacket(r2, { proto: 'tcp', dport: 1761 });
    expect(r.verdict).toBe('unknown');
    expect(effects(r)).toEqual(['filter/INPUT@3 unknown: -m limit --limit 5/min may or may not match: ACCEPT', 'filter/INPUT@2 policy DROP']);
    expect(r.reasons).toEqual(['-m limit --limit 5/min at line 3 may or may not match', 'branches disagree: accept, drop']);
  });

  test('undecidable match whose branches agree gives the agreed verdict', () => {
    const r2 = filter(base.input([rule('set', [m.opaque('-m set --match-set x src')], a.drop())], 'drop'));
    expect(tracePacket(r2, { proto: 'tcp', dport: 80 }).verdict).toBe('drop');
  });

  test('reject, queue and unknown targets', () => {
    const r2 = filter(
      base.input([rule('rej', [m.proto('tcp'), m.dport('113')], a.reject()), rule('q', [m.proto('tcp'), m.dport('80')], a.queue()), rule('u', [m.proto('udp')], a.unknown('FOO'))], 'accept'),
    );
    expect(tracePacket(r2, { proto: 'tcp', dport: 113 }).verdict).toBe('reject');
    const q = tracePacket(r2, { proto: 'tcp', dport: 80 });
    expect(q.verdict).toBe('unknown');
    expect(q.reasons).toEqual(['NFQUEUE --queue-num 0 at line 4: verdict is decided in user space']);
    expect(tracePacket(r2, { proto: 'udp', dport: 1 }).verdict).toBe('unknown');
  });

  test('goto: fall-through of the gone-to chain returns to the caller of the chain that did goto', () => {
    const r2 = filter(
      base.input([rule('j', [], a.jump('A')), rule('after', [m.proto('udp')], a.accept())], 'drop'),
      chain('A', [rule('g', [], a.goto('B')), rule('never', [], a.accept())]),
      chain('B', []),
    );
    const r = tracePacket(r2, { proto: 'udp', dport: 5 });
    expect(r.verdict).toBe('accept');
    expect(effects(r)).toEqual(['filter/INPUT@3 jump A', 'filter/A@6 goto B', 'filter/INPUT@4 match: ACCEPT']);
  });

  test('several base chains: accept in one, drop in another', () => {
    const r2 = ruleset([
      table('t', 'inet', [
        chain('early', [rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], { hook: 'input', priority: -10, policy: 'accept' }),
        chain('late', [], { hook: 'input', priority: 10, policy: 'drop' }),
      ]),
    ]);
    const r = tracePacket(r2, { proto: 'tcp', dport: 22 });
    expect(r.verdict).toBe('drop');
    expect(effects(r)).toEqual(['t/early@3 match: ACCEPT', 't/late@4 policy DROP']);
    expect(tracePacket(r2, { proto: 'tcp', dport: 22, src: '2001:db8::5' }).verdict).toBe('drop');
  });

  test('DNAT: the step shows, and FORWARD decides (oif given)', () => {
    const r2 = ruleset([
      table('nat', 'ip', [base.natPre([rule('publish', [m.not(m.iif('docker0')), m.proto('tcp'), m.dport('8080')], a.dnat('172.17.0.2', '80'))])]),
      table('filter', 'ip', [
        base.input([], 'drop'),
        base.forward([rule('allow', [m.dst('172.17.0.2'), m.oif('docker0'), m.proto('tcp'), m.dport('80')], a.accept())], 'drop'),
      ]),
    ]);
    const r = tracePacket(r2, { proto: 'tcp', dport: 8080, oif: 'docker0' });
    expect(r.verdict).toBe('accept');
    expect(effects(r)).toEqual(['nat/PREROUTING@3 DNAT to 172.17.0.2:80', 'filter/FORWARD@7 match: ACCEPT']);
    // without oif the route is not known: the FORWARD rule's -o may or may not match
    const u = tracePacket(r2, { proto: 'tcp', dport: 8080 });
    expect(u.verdict).toBe('unknown');
    expect(u.reasons).toEqual([
      // (nor whether 172.17.0.2 is an address of this host, whose INPUT drops it)
      'DNAT at line 3 to 172.17.0.2: delivered here (INPUT) if that is an address of this host, else routed on (FORWARD)',
      'the output interface after DNAT depends on routing at line 7 may or may not match',
      'branches disagree: accept, drop',
    ]);
    // a port that is not published goes to INPUT and its policy
    expect(tracePacket(r2, { proto: 'tcp', dport: 8081 }).verdict).toBe('drop');
  });

  test('DNAT to the address the packet was sent to stays on INPUT (a port forward on this host)', () => {
    const r2 = ruleset([
      table('nat', 'ip', [base.natPre([rule('pf', [m.proto('udp'), m.dport('8080')], a.dnat('10.200.0.1', '5000'))])]),
      table('filter', 'ip', [base.input([rule('svc', [m.proto('udp'), m.dport('5000')], a.accept())], 'drop'), base.forward([], 'drop')]),
    ]);
    // a packet to this host (the input hook) sent to 10.200.0.1 is still addressed to this host after the DNAT: the
    // kernel delivers it to 5000, where INPUT accepts it (measured in a namespace; FORWARD never sees it)
    const r = tracePacket(r2, { proto: 'udp', dport: 8080, src: '10.200.0.2', dst: '10.200.0.1' });
    expect(effects(r)).toEqual(['nat/PREROUTING@3 DNAT to 10.200.0.1:5000', 'filter/INPUT@6 match: ACCEPT']);
    expect(r.verdict).toBe('accept');
    // sent to another address of this host, DNAT'd to 10.200.0.1: delivered here if 10.200.0.1 is one of its
    // addresses too, else routed on — the ruleset does not say, so both are followed
    const f = tracePacket(r2, { proto: 'udp', dport: 8080, src: '10.200.0.2', dst: '192.0.2.1' });
    expect(effects(f)).toEqual(['nat/PREROUTING@3 DNAT to 10.200.0.1:5000', 'filter/FORWARD@7 policy DROP', 'filter/INPUT@6 match: ACCEPT']);
    expect(f.verdict).toBe('unknown');
    expect(f.reasons).toEqual(['DNAT at line 3 to 10.200.0.1: delivered here (INPUT) if that is an address of this host, else routed on (FORWARD)', 'branches disagree: accept, drop']);
  });

  test('cloud principals: a packet from a principal is not from an address range', () => {
    const r2 = ruleset(
      [table('sg', 'cloud', [chain('ingress', [rule('lan', [m.src('10.0.0.0/8')], a.accept()), rule('sg', [m.prin('sg-2')], a.accept())], { hook: 'input', policy: 'drop' })])],
      { kind: 'cloud' },
    );
    expect(tracePacket(r2, { proto: 'tcp', dport: 22, srcPrincipal: 'sg-2' }).verdict).toBe('accept');
    expect(tracePacket(r2, { proto: 'tcp', dport: 22, srcPrincipal: 'sg-3' }).verdict).toBe('drop');
    expect(tracePacket(r2, { proto: 'tcp', dport: 22, src: '10.0.0.1' }).verdict).toBe('accept');
  });

  test('family not filtered, bad address', () => {
    expect(tracePacket(rs, { proto: 'tcp', dport: 22, src: '2001:db8::9' })).toEqual({ verdict: 'unknown', steps: [], reasons: ['the ruleset does not filter ipv6'] });
    expect(tracePacket(rs, { proto: 'tcp', dport: 22, src: 'nope' }).reasons).toEqual(['source address nope is not an ipv4 address']);
  });

  test('icmp types', () => {
    const r2 = filter(base.input([rule('ping', [m.proto('icmp'), m.icmp('ipv4', 8)], a.accept())], 'drop'));
    expect(tracePacket(r2, { proto: 'icmp', icmpType: 8 }).verdict).toBe('accept');
    expect(tracePacket(r2, { proto: 'icmp', icmpType: 0 }).verdict).toBe('drop');
    expect(tracePacket(r2, { proto: 'icmp' }).verdict).toBe('unknown');
  });
});

/**
 * nat INPUT's SNAT and the security table (checked with iptables-restore and iptables-legacy-restore in a namespace,
 * UDP probes over a veth): iptables-nft runs security INPUT at priority 150, after nat INPUT (100), so it sees the
 * new source (kernel: the probe from 10.200.0.5 gets its echo); iptables-legacy runs it at NF_IP_PRI_SECURITY (50),
 * before the SNAT (kernel: dropped).
 */
describe('nat INPUT source NAT before the security table', () => {
  const dump = (header: string) =>
    parseIptables(`# Generated by iptables-save v1.8.9${header} on Sat Nov 28 03:07:00 2026
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A INPUT -p udp -j SNAT --to-source 192.0.2.1
COMMIT
*security
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s 10.200.0.0/24 -j DROP
-A INPUT -m conntrack --ctstate SNAT --ctorigsrc 10.200.0.9 -j DROP
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 5000 -j ACCEPT
COMMIT
`).rulesets[0]!;
  const probe = { proto: 'udp', dport: 5000, src: '10.200.0.5', dst: '10.200.0.1', iif: 'eth0' } as const;

  test('iptables-nft: security INPUT sees the SNAT address (its original tuple the source as it arrived); legacy: not', () => {
    const r = tracePacket(dump(' (nf_tables)'), probe);
    expect(effects(r).slice(-4)).toEqual(['nat/INPUT@7 match: SNAT (accept)', 'security/INPUT@13 no match', 'security/INPUT@14 no match', 'security/INPUT@10 policy ACCEPT']);
    expect(r.verdict).toBe('accept');
    expect(tracePacket(dump(' (nf_tables)'), { ...probe, src: '10.200.0.9' }).verdict).toBe('drop');
    // (a TCP packet is not source-NATed here: the security table sees it as it arrived)
    expect(tracePacket(dump(' (nf_tables)'), { ...probe, proto: 'tcp' }).verdict).toBe('drop');
    // iptables-legacy (a header without "(nf_tables)"): security INPUT runs before nat INPUT
    const r2 = tracePacket(dump(''), probe);
    expect(effects(r2).slice(-2)).toEqual(['filter/INPUT@20 match: ACCEPT', 'security/INPUT@13 match: DROP']);
    expect(r2.verdict).toBe('drop');
  });

  test('the exposure does not follow the new source: what the SNAT translates is possibly open, never closed by the security drop', () => {
    const rs = dump(' (nf_tables)');
    const ex = computeExposure(rs, { hook: 'input' });
    const p = { ...probe, family: 'ipv4' as const, sport: 40000 };
    expect(classifyPacket(ex, p)).toBe('possibly-open');
    expect(classifyPacket(ex, { ...p, src: '10.200.0.9' })).toBe('possibly-open');
    // TCP is not translated: the security drop closes it for 10.200.0.0/24, and filter INPUT drops it anyway
    expect(classifyPacket(ex, { ...p, proto: 'tcp' })).toBe('closed');
    // legacy: security INPUT runs first and closes it
    expect(classifyPacket(computeExposure(dump(''), { hook: 'input' }), p)).toBe('closed');
  });
});
