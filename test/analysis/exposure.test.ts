import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, exposedPorts } from '../../src/analysis/index.js';
import { numRange } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';
import { a, base, chain, filter, m, rule, ruleset, table } from './build.js';
import { showAll } from './show.js';

const ALL_V4 = '0.0.0.0/0';

describe('policies and basic matches', () => {
  test('no base chain: everything is open, attributed to nothing', () => {
    const rs = ruleset([table('filter', 'ip', [])]);
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 any all from ${ALL_V4} if any open policy (no base chain)`]);
  });

  test('INPUT policy ACCEPT without rules exposes every protocol and port', () => {
    const rs = filter(base.input([], 'accept'));
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 any all from ${ALL_V4} if any open policy INPUT`]);
  });

  test('INPUT policy DROP with one accept exposes exactly that port', () => {
    const rs = filter(base.input([rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'));
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 22 from ${ALL_V4} if any open @3 INPUT`]);
  });

  test('multiport and several protocols', () => {
    const rs = filter(
      base.input(
        [
          rule('cft', [m.proto('tcp'), m.dport('1761:1768,22')], a.accept()),
          rule('dns', [m.proto('udp'), m.dport('53')], a.accept()),
          rule('ping', [m.proto('icmp'), m.icmp('ipv4', 8)], a.accept()),
        ],
        'drop',
      ),
    );
    expect(showAll(computeExposure(rs))).toEqual([
      `ipv4 icmp all from ${ALL_V4} if any open @5 INPUT`,
      `ipv4 tcp 22, 1761-1768 from ${ALL_V4} if any open @3 INPUT`,
      `ipv4 udp 53 from ${ALL_V4} if any open @4 INPUT`,
    ]);
  });

  test('a DROP that covers only part of the sources leaves the rest open', () => {
    const rs = filter(
      base.input([rule('drop10', [m.src('10.0.0.0/8')], a.drop()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 22 from 0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8, 12.0.0.0/6, 16.0.0.0/4, 32.0.0.0/3, 64.0.0.0/2, 128.0.0.0/1 if any open @4 INPUT`]);
  });

  test('negated source: only the negated range is dropped', () => {
    const rs = filter(
      base.input([rule('notlan', [m.not(m.src('192.168.0.0/16'))], a.drop()), rule('all', [], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual(['ipv4 any all from 192.168.0.0/16 if any open @4 INPUT']);
  });

  test('negated port on tcp: every tcp port but 22, and no other protocol', () => {
    const rs = filter(base.input([rule('not22', [m.proto('tcp'), m.not(m.dport('22'))], a.accept())], 'drop'));
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 0-21, 23-65535 from ${ALL_V4} if any open @3 INPUT`]);
  });

  test('a port match never matches protocols without ports', () => {
    const rs = filter(base.input([rule('p', [m.dport('22')], a.drop())], 'accept'));
    const icmp = exposedPorts(computeExposure(rs), 1, numRange(0, 65535));
    expect(icmp.length).toBe(1);
    const tcp22 = exposedPorts(computeExposure(rs), 6, numRange(22, 22));
    expect(tcp22).toEqual([]);
  });

  test('0.0.0.0/1 + 128.0.0.0/1 is the whole space: nothing after them is reachable', () => {
    const rs = filter(
      base.input(
        [rule('low', [m.src('0.0.0.0/1')], a.drop()), rule('high', [m.src('128.0.0.0/1')], a.drop()), rule('all', [], a.accept())],
        'accept',
      ),
    );
    expect(computeExposure(rs).entries).toEqual([]);
  });

  test('disabled rules are never evaluated', () => {
    const rs = filter(base.input([rule('off', [m.proto('tcp'), m.dport('22')], a.accept(), { disabled: true })], 'drop'));
    expect(computeExposure(rs).entries).toEqual([]);
  });

  test('fragment: -f never matches a first packet, ! -f always does', () => {
    const rs = filter(
      base.input([rule('frag', [m.frag()], a.accept()), rule('nofrag', [m.not(m.frag()), m.proto('tcp'), m.dport('80')], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 80 from ${ALL_V4} if any open @4 INPUT`]);
  });

  test('addrtype --dst-type LOCAL is true on input', () => {
    const rs = filter(base.input([rule('local', [m.addrtype('dst', 'LOCAL'), m.proto('udp'), m.dport('500')], a.accept())], 'drop'));
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 udp 500 from ${ALL_V4} if any open @3 INPUT`]);
  });

  test('any-of is a disjunction', () => {
    const rs = filter(
      base.input([rule('alt', [m.anyOf([m.proto('tcp'), m.dport('22')], [m.proto('udp'), m.dport('53')])], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 22 from ${ALL_V4} if any open @3 INPUT`, `ipv4 udp 53 from ${ALL_V4} if any open @3 INPUT`]);
  });

  test('ipv6-only table does not filter ipv4; families come from the ruleset', () => {
    const rs = ruleset([table('filter', 'ip6', [base.input([rule('ssh6', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop')])]);
    expect(showAll(computeExposure(rs))).toEqual(['ipv6 tcp 22 from ::/0 if any open @3 INPUT']);
  });
});

describe('chains', () => {
  test('jump, return and fall-through continue after the jump', () => {
    const rs = filter(
      base.input(
        [rule('to-svc', [m.proto('tcp')], a.jump('SVC')), rule('https', [m.proto('tcp'), m.dport('443')], a.accept())],
        'drop',
      ),
      chain('SVC', [
        rule('ret-lan', [m.src('10.0.0.0/8')], a.ret()),
        rule('ssh', [m.dport('22')], a.accept()),
      ]),
    );
    expect(showAll(computeExposure(rs))).toEqual([
      'ipv4 tcp 22 from 0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8, 12.0.0.0/6, 16.0.0.0/4, 32.0.0.0/3, 64.0.0.0/2, 128.0.0.0/1 if any open @7 SVC',
      `ipv4 tcp 443 from ${ALL_V4} if any open @4 INPUT`,
    ]);
  });

  test('goto: the gone-to chain returns to the caller of the chain that did goto', () => {
    const rs = filter(
      base.input([rule('j', [], a.jump('A')), rule('after', [m.proto('udp')], a.accept())], 'drop'),
      chain('A', [rule('g', [], a.goto('B')), rule('never', [], a.accept())]),
      chain('B', [rule('b-ssh', [m.proto('tcp'), m.dport('22')], a.accept())]),
    );
    // B falls through → back to INPUT after `j` (not to A's `never`)
    expect(showAll(computeExposure(rs))).toEqual([
      `ipv4 tcp 22 from ${ALL_V4} if any open @9 B`,
      `ipv4 udp all from ${ALL_V4} if any open @4 INPUT`,
    ]);
  });

  test('goto from a base chain: fall-through of the target reaches the policy', () => {
    const rs = filter(base.input([rule('g', [], a.goto('B')), rule('never', [], a.accept())], 'drop'), chain('B', []));
    expect(computeExposure(rs).entries).toEqual([]);
  });

  test('LOG (continue) goes on', () => {
    const rs = filter(base.input([rule('log', [m.proto('tcp')], a.log()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'));
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 22 from ${ALL_V4} if any open @4 INPUT`]);
  });
});

describe('conntrack and loopback', () => {
  test('ESTABLISHED,RELATED accepts nothing for NEW connections', () => {
    const rs = filter(base.input([rule('est', [m.ct('established', 'related')], a.accept())], 'drop'));
    expect(computeExposure(rs).entries).toEqual([]);
  });

  test('INVALID drop then NEW accept', () => {
    const rs = filter(
      base.input([rule('inv', [m.ct('invalid')], a.drop()), rule('new', [m.ct('new'), m.proto('tcp'), m.dport('25')], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 25 from ${ALL_V4} if any open @4 INPUT`]);
  });

  test('-i lo accept is not exposure; ! -i lo is everything else', () => {
    const rs = filter(
      base.input([rule('lo', [m.iif('lo')], a.accept()), rule('eth', [m.iif('eth+'), m.proto('tcp'), m.dport('80')], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 80 from ${ALL_V4} if eth+ open @4 INPUT`]);
  });

  test('interfaces: accept on all but docker0', () => {
    const rs = filter(base.input([rule('notd', [m.not(m.iif('docker0')), m.proto('tcp'), m.dport('80')], a.accept())], 'drop'));
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 80 from ${ALL_V4} if any except docker0 open @3 INPUT`]);
  });
});

describe('undecidable matches and verdicts', () => {
  test('opaque accept is possibly-open, naming the match and its line', () => {
    const rs = filter(
      base.input([rule('lim', [m.proto('tcp'), m.dport('1761:1768'), m.opaque('-m limit --limit 5/min')], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([
      `ipv4 tcp 1761-1768 from ${ALL_V4} if any possibly-open @3 INPUT [-m limit --limit 5/min at line 3 may or may not match]`,
    ]);
    expect(computeExposure(rs).entries[0]!.reasons[0]!.rule!.text).toBe('lim');
  });

  test('opaque drop closes nothing: the ports stay possibly-open', () => {
    const rs = filter(
      base.input([rule('recent', [m.opaque('-m recent --update --seconds 60')], a.drop()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([
      `ipv4 tcp 22 from ${ALL_V4} if any possibly-open @4 INPUT [-m recent --update --seconds 60 at line 3 may or may not match]`,
    ]);
  });

  test('opaque rule followed by the same verdict both ways stays open', () => {
    const rs = filter(
      base.input([rule('set', [m.opaque('-m set --match-set ok src'), m.proto('tcp'), m.dport('22')], a.accept()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'),
    );
    // the part the set may match is accepted by line 3, the rest by line 4: open either way, credited to line 4, which
    // takes every packet line 3 may not (line 3 only may take them)
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 22 from ${ALL_V4} if any open @4 INPUT`]);
  });

  test('NFQUEUE and unknown targets are undecidable verdicts', () => {
    const rs = filter(
      base.input([rule('q', [m.proto('tcp'), m.dport('80')], a.queue()), rule('u', [m.proto('udp'), m.dport('9')], a.unknown('FOO'))], 'drop'),
    );
    expect(showAll(computeExposure(rs))).toEqual([
      `ipv4 tcp 80 from ${ALL_V4} if any possibly-open @3 INPUT [NFQUEUE --queue-num 0 at line 3: verdict is decided in user space]`,
      `ipv4 udp 9 from ${ALL_V4} if any possibly-open @4 INPUT [unknown target FOO at line 4: verdict unknown]`,
    ]);
  });
});

describe('several base chains', () => {
  test('nft: accept in one base chain, drop in a later one → closed', () => {
    const rs = ruleset([
      table('t', 'inet', [
        chain('early', [rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], { hook: 'input', priority: -10, policy: 'accept' }),
        chain('late', [], { hook: 'input', priority: 10, policy: 'drop' }),
      ]),
    ]);
    expect(computeExposure(rs).entries).toEqual([]);
  });

  test('accepted by both: the explicit accept is the rule to change', () => {
    const rs = ruleset([
      table('t', 'inet', [
        chain('late', [], { hook: 'input', priority: 10, policy: 'accept' }),
        chain('early', [rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], { hook: 'input', priority: -10, policy: 'drop' }),
      ]),
    ]);
    expect(showAll(computeExposure(rs))).toEqual(['ipv4 tcp 22 from 0.0.0.0/0 if any open @4 early', 'ipv6 tcp 22 from ::/0 if any open @4 early']);
  });

  test("accepted by policies only: reported at filter's policy, not at mangle's or at nat's (which runs last)", () => {
    const rs = parseIptables(
      ['*mangle', ':INPUT ACCEPT [0:0]', 'COMMIT', '*nat', ':INPUT ACCEPT [0:0]', 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -p tcp --dport 22 -j DROP', 'COMMIT', ''].join('\n'),
    ).rulesets[0]!;
    const e = computeExposure(rs).entries;
    expect(e.length).toBeGreaterThan(0);
    expect([...new Set(e.map((x) => `${x.table.name} ${x.chain.name} line ${x.chain.policySpan?.start.line} ${x.rule ? 'rule' : 'policy'}`))]).toEqual(['filter INPUT line 8 policy']);
  });

  test('a DROP in mangle PREROUTING drops before INPUT', () => {
    const rs = ruleset([
      table('mangle', 'ip', [base.manglePre([rule('bad', [m.proto('tcp'), m.dport('23')], a.drop())])]),
      table('filter', 'ip', [base.input([rule('tcp', [m.proto('tcp'), m.dport('20:25')], a.accept())], 'drop')]),
    ]);
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 20-22, 24-25 from ${ALL_V4} if any open @6 INPUT`]);
  });
});

describe('DNAT', () => {
  function docker() {
    return ruleset([
      table('nat', 'ip', [
        base.natPre([rule('to-docker', [m.addrtype('dst', 'LOCAL')], a.jump('DOCKER'))]),
        chain('DOCKER', [
          rule('ret', [m.iif('docker0')], a.ret()),
          rule('publish', [m.not(m.iif('docker0')), m.proto('tcp'), m.dport('8080')], a.dnat('172.17.0.2', '80')),
        ]),
      ]),
      table('filter', 'ip', [
        base.input([rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'),
        base.forward([rule('fwd', [m.oif('docker0')], a.jump('DOCKER'))], 'drop'),
        chain('DOCKER', [rule('allow', [m.dst('172.17.0.2/32'), m.not(m.iif('docker0')), m.oif('docker0'), m.proto('tcp'), m.dport('80')], a.accept())]),
      ]),
    ]);
  }

  test('a Docker-published port is exposed under INPUT DROP, at the original port, via the DNAT rule', () => {
    expect(showAll(computeExposure(docker()))).toEqual([
      `ipv4 tcp 22 from ${ALL_V4} if any open @9 INPUT`,
      `ipv4 tcp 8080 from ${ALL_V4} if any except docker0 open @13 DOCKER via @6 172.17.0.2:80`,
    ]);
  });

  test('without the FORWARD accept the published port is closed', () => {
    const rs = docker();
    rs.tables[1]!.chains[2]!.rules = [];
    expect(showAll(computeExposure(rs))).toEqual([`ipv4 tcp 22 from ${ALL_V4} if any open @9 INPUT`]);
  });

  test('forward hook: the container port routed directly; the published port is not (addrtype LOCAL is false for a packet routed through: it is the input hook\'s, via the DNAT)', () => {
    expect(showAll(computeExposure(docker(), { hook: 'forward' }))).toEqual([`ipv4 tcp 80 from ${ALL_V4} if any except docker0 open @13 DOCKER`]);
  });

  test('DNAT to the address the packet was sent to is a port forward on this host: INPUT decides, not FORWARD', () => {
    // `ip daddr 10.200.0.1 udp dport 8080 dnat to 10.200.0.1:5000`: a packet on the input path sent to 10.200.0.1 is
    // addressed to this host, and still is after the DNAT; the kernel delivers it locally to 5000, where INPUT
    // accepts it (FORWARD's policy drop never sees it)
    const rs = ruleset([
      table('nat', 'ip', [base.natPre([rule('pf', [m.dst('10.200.0.1'), m.proto('udp'), m.dport('8080')], a.dnat('10.200.0.1', '5000'))])]),
      table('filter', 'ip', [base.input([rule('svc', [m.proto('udp'), m.dport('5000')], a.accept())], 'drop'), base.forward([], 'drop')]),
    ]);
    const e = computeExposure(rs);
    expect(showAll(e)).toEqual([`ipv4 udp 5000 from ${ALL_V4} if any open @6 INPUT`, `ipv4 udp 8080 from ${ALL_V4} if any open @6 INPUT via @3 10.200.0.1:5000`]);
    expect(classifyPacket(e, { proto: 'udp', dport: 8080, src: '10.200.0.2', dst: '10.200.0.1' })).toBe('open');
    // a rule for every destination (Docker's, to a container): the packets sent to 172.17.0.2 itself would be this
    // host's if it had that address (INPUT accepts them); the others are routed on, and FORWARD drops them — unless
    // 172.17.0.2 is an address of this host, which the ruleset does not say: then INPUT accepts them (possibly open)
    const docker = ruleset([
      table('nat', 'ip', [base.natPre([rule('pf', [m.proto('udp'), m.dport('8080')], a.dnat('172.17.0.2', '5000'))])]),
      table('filter', 'ip', [base.input([rule('svc', [m.proto('udp'), m.dport('5000')], a.accept())], 'drop'), base.forward([], 'drop')]),
    ]);
    const d = computeExposure(docker);
    expect(showAll(d)).toEqual([
      `ipv4 udp 5000 from ${ALL_V4} if any open @6 INPUT`,
      `ipv4 udp 8080 from ${ALL_V4} if any open @6 INPUT via @3 172.17.0.2:5000`,
      `ipv4 udp 8080 from ${ALL_V4} if any possibly-open @6 INPUT via @3 172.17.0.2:5000 [DNAT at line 3 to 172.17.0.2:5000: delivered here (INPUT) if that is an address of this host] [DNAT at line 3 to 172.17.0.2:5000: routed on (FORWARD) unless that is an address of this host]`,
    ]);
    expect(classifyPacket(d, { proto: 'udp', dport: 8080, src: '10.200.0.2', dst: '172.17.0.2' })).toBe('open');
    expect(classifyPacket(d, { proto: 'udp', dport: 8080, src: '10.200.0.2', dst: '10.200.0.1' })).toBe('possibly-open');
  });

  test('DNAT to the address the packet was sent to, INPUT drops: closed', () => {
    const rs = ruleset([
      table('nat', 'ip', [base.natPre([rule('pf', [m.dst('10.200.0.1'), m.proto('udp'), m.dport('8080')], a.dnat('10.200.0.1', '80'))])]),
      table('filter', 'ip', [base.input([], 'drop')]),
    ]);
    expect(showAll(computeExposure(rs))).toEqual([]);
  });

  test('REDIRECT keeps the packet on INPUT with the new port', () => {
    const rs = ruleset([
      table('nat', 'ip', [base.natPre([rule('redir', [m.proto('tcp'), m.dport('80')], a.redirect('8080'))])]),
      table('filter', 'ip', [base.input([rule('alt', [m.proto('tcp'), m.dport('8080')], a.accept())], 'drop')]),
    ]);
    expect(showAll(computeExposure(rs))).toEqual([
      `ipv4 tcp 80 from ${ALL_V4} if any open @6 INPUT via @3 redirect :8080`,
      `ipv4 tcp 8080 from ${ALL_V4} if any open @6 INPUT`,
    ]);
  });
});

describe('cloud', () => {
  test('principals are a separate source dimension', () => {
    const rs = ruleset(
      [
        table('sg-1', 'cloud', [
          chain(
            'ingress',
            [
              rule('from-sg', [m.prin('sg-2'), m.proto('tcp'), m.dport('443')], a.accept()),
              rule('from-lan', [m.src('10.0.0.0/8'), m.proto('tcp'), m.dport('22')], a.accept()),
              rule('not-lan', [m.not(m.src('10.0.0.0/8')), m.proto('tcp'), m.dport('80')], a.accept()),
            ],
            { hook: 'input', priority: 0, policy: 'drop' },
          ),
        ]),
      ],
      { kind: 'cloud', families: ['ipv4'] },
    );
    expect(showAll(computeExposure(rs))).toEqual([
      'ipv4 tcp 22 from 10.0.0.0/8 if any open @4 ingress',
      'ipv4 tcp 443 from sg-2 if any open @3 ingress',
      // "not from 10/8": every other address and every principal
      'ipv4 tcp 80 from 0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8, 12.0.0.0/6, 16.0.0.0/4, 32.0.0.0/3, 64.0.0.0/2, 128.0.0.0/1 + sg-2,* if any open @5 ingress',
    ]);
  });
});

describe('API', () => {
  test('exposedPorts clips to the protocol and ports asked', () => {
    const rs = filter(base.input([rule('wide', [m.proto('tcp', 'udp'), m.dport('1000:2000')], a.accept())], 'drop'));
    expect(showAll(exposedPorts(computeExposure(rs), 6, numRange(1761, 1768)))).toEqual([`ipv4 tcp 1761-1768 from ${ALL_V4} if any open @3 INPUT`]);
    expect(exposedPorts(computeExposure(rs), 6, numRange(3000, 3001))).toEqual([]);
  });

  test('computeExposure is memoised per ruleset and hook', () => {
    const rs = filter(base.input([], 'drop'));
    expect(computeExposure(rs)).toBe(computeExposure(rs, { hook: 'input' }));
    expect(computeExposure(rs, { hook: 'forward' })).not.toBe(computeExposure(rs));
  });
});

describe('reasons', () => {
  test("an entry names a written line's reason once, though the line made several rules (kube-proxy's numgen vmap)", () => {
    const doc = parseNftables(
      'table ip kube-proxy {\n chain pre {\n  type nat hook prerouting priority dstnat; policy accept;\n  tcp dport 30080 numgen random mod 2 vmap { 0 : goto a, 1 : goto b }\n }\n chain a {\n  dnat to 10.244.1.5:8080\n }\n chain b {\n  dnat to 10.244.2.7:8080\n }\n}\ntable inet filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n }\n chain forward {\n  type filter hook forward priority 0; policy drop;\n  ct status dnat accept\n }\n}\n',
    );
    const entries = computeExposure(doc.rulesets[0]!, { hook: 'input' }).entries.filter((e) => e.via);
    expect(entries.map((e) => `${e.via!.to} ${e.certainty}: ${e.reasons.map((r) => r.message).join(' | ')}`)).toEqual([
      '10.244.1.5:8080 possibly-open: numgen random mod 2 vmap { 0 : goto a, 1 : goto b } at line 4 may or may not match | DNAT at line 7 to 10.244.1.5:8080: routed on (FORWARD) unless that is an address of this host',
      '10.244.2.7:8080 possibly-open: numgen random mod 2 vmap { 0 : goto a, 1 : goto b } at line 4 may or may not match | DNAT at line 10 to 10.244.2.7:8080: routed on (FORWARD) unless that is an address of this host',
    ]);
  });
});
