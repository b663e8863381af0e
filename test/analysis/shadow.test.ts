import { describe, expect, test } from 'vitest';
import { findShadowedRules } from '../../src/analysis/index.js';
import type { Match, Ruleset } from '../../src/model/index.js';
import { a, base, chain, filter, m, rule, ruleset, table } from './build.js';

const show = (rs: Ruleset) =>
  findShadowedRules(rs).map((s) => `${s.chain.name}@${s.rule.span.start.line} by ${s.coveredBy.map((r) => r.span.start.line).join(',')}`);

describe('findShadowedRules', () => {
  test('a rule covered by one earlier rule', () => {
    const rs = filter(base.input([rule('all-tcp', [m.proto('tcp')], a.accept()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.drop())], 'drop'));
    expect(show(rs)).toEqual(['INPUT@4 by 3']);
  });

  test('covered by the union of several earlier rules: exactly those lines', () => {
    const rs = filter(
      base.input(
        [
          rule('low', [m.src('0.0.0.0/1')], a.drop()),
          rule('unrelated', [m.proto('udp'), m.dport('53')], a.accept()),
          rule('high', [m.src('128.0.0.0/1'), m.proto('tcp')], a.accept()),
          rule('high-rest', [m.src('128.0.0.0/1'), m.not(m.proto('tcp'))], a.reject()),
          rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept()),
        ],
        'drop',
      ),
    );
    expect(show(rs)).toEqual(['INPUT@7 by 3,5']);
  });

  test('partial cover, opaque earlier rules, non-terminal earlier rules: not shadowed', () => {
    const rs = filter(
      base.input(
        [
          rule('part', [m.proto('tcp'), m.dport('1761:1765')], a.accept()),
          rule('lim', [m.proto('tcp'), m.opaque('-m limit --limit 1/s')], a.accept()),
          rule('log', [m.proto('tcp')], a.log()),
          rule('jmp', [m.proto('tcp')], a.jump('X')),
          rule('cft', [m.proto('tcp'), m.dport('1761:1768')], a.accept()),
        ],
        'drop',
      ),
      chain('X', []),
    );
    expect(show(rs)).toEqual([]);
  });

  test('an opaque later rule is shadowed when its decidable part is covered', () => {
    const rs = filter(base.input([rule('drop-all-udp', [m.proto('udp')], a.drop()), rule('lim', [m.proto('udp'), m.opaque('-m limit')], a.accept())], 'drop'));
    expect(show(rs)).toEqual(['INPUT@4 by 3']);
  });

  test('per chain, disabled rules neither shadow nor are reported', () => {
    const rs = filter(
      base.input([rule('off', [], a.drop(), { disabled: true }), rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'),
      chain('U', [rule('u1', [m.proto('tcp')], a.ret()), rule('u2', [m.proto('tcp'), m.dport('80')], a.accept())]),
    );
    expect(show(rs)).toEqual(['U@7 by 6']);
  });

  test('inet: must be covered in both families', () => {
    const rs = ruleset([
      table('t', 'inet', [
        chain('in', [rule('v4', [m.family('ipv4')], a.drop()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept()), rule('v6', [m.family('ipv6')], a.drop()), rule('x', [m.proto('tcp'), m.dport('23')], a.accept())], { hook: 'input', policy: 'drop' }),
      ]),
    ]);
    expect(show(rs)).toEqual(['in@6 by 3,5']);
  });

  test('inet: a rule of one family is covered in the other without any rule there, and covers nothing there', () => {
    const rs = ruleset([
      table('t', 'inet', [
        chain(
          'in',
          [
            rule('v4-net', [m.src('10.0.0.0/8')], a.drop()),
            rule('v4-host', [m.src('10.1.2.3'), m.proto('tcp')], a.accept()),
            rule('v6-any', [m.not(m.src('10.0.0.0/8')), m.family('ipv6')], a.drop()),
            rule('v6-host', [m.src('2001:db8::1'), m.proto('tcp')], a.accept()),
            rule('v6-net', [m.src('2001:db8::/32')], a.accept()),
          ],
          { hook: 'input', policy: 'drop' },
        ),
      ]),
    ]);
    expect(show(rs)).toEqual(['in@4 by 3', 'in@6 by 5', 'in@7 by 5']);
  });

  test('coverers: a part inside an earlier coverer is not named, one reaching past it is', () => {
    const rs = filter(
      base.input(
        [
          rule('broad', [m.src('10.0.0.0/8'), m.proto('tcp'), m.dport('1000:2000')], a.drop()),
          rule('inside', [m.src('10.1.0.0/16'), m.proto('tcp'), m.dport('1500')], a.accept()),
          rule('beyond', [m.proto('tcp'), m.dport('2000:3000')], a.drop()),
          rule('late', [m.src('10.0.0.0/8'), m.proto('tcp'), m.dport('1000:3000')], a.accept()),
        ],
        'drop',
      ),
    );
    expect(show(rs)).toEqual(['INPUT@4 by 3', 'INPUT@6 by 3,5']);
  });

  test('coverers: a part covered by two earlier coverers together (inside neither) is not named', () => {
    const rs = filter(
      base.input(
        [
          rule('low', [m.src('10.0.0.0/8'), m.proto('tcp'), m.dport('1000:1499')], a.drop()),
          rule('high', [m.src('10.0.0.0/8'), m.proto('tcp'), m.dport('1500:2000')], a.drop()),
          rule('across', [m.src('10.1.0.0/16'), m.proto('tcp'), m.dport('1400:1600')], a.accept()),
          rule('late', [m.src('10.0.0.0/8'), m.proto('tcp'), m.dport('1000:2000')], a.accept()),
        ],
        'drop',
      ),
    );
    expect(show(rs)).toEqual(['INPUT@5 by 3,4', 'INPUT@6 by 3,4']);
  });

  test('cloud: a source of every address of a family takes that family\'s named sources too', () => {
    // a named source (GCP tag, Azure service tag, AWS group reference) is a set of hosts with addresses of the
    // family: 0.0.0.0/0 and ::/0 as written (AddressMatch.named) take their packets; the same addresses not so
    // written (Azure's Internet) and a smaller block decide nothing about them
    const whole = (cidr: string): Match => ({ ...(m.src(cidr) as Extract<Match, { kind: 'address' }>), named: true });
    const rs = ruleset(
      [
        table('vpc', 'cloud', [
          chain(
            'INGRESS',
            [
              rule('allow-v4', [m.proto('tcp'), m.dport('1000:2000'), whole('0.0.0.0/0')], a.accept()),
              rule('deny-part', [m.proto('tcp'), m.dport('1200:1300'), m.family('ipv4')], a.drop()),
              rule('deny-tag', [m.proto('tcp'), m.dport('1500'), m.prin('tag:bastion')], a.drop()),
              rule('allow-v6', [m.proto('tcp'), m.dport('1000:2000'), whole('::/0')], a.accept()),
              rule('allow-tag', [m.proto('tcp'), m.dport('1600'), m.prin('tag:bastion')], a.accept()),
              rule('allow-10', [m.proto('udp'), m.src('10.0.0.0/8')], a.accept()),
              rule('deny-udp-tag', [m.proto('udp'), m.dport('53'), m.prin('tag:bastion'), m.family('ipv4')], a.drop()),
              rule('internet', [m.proto('sctp'), m.src('0.0.0.0/0', '::/0')], a.accept()),
              rule('deny-sctp', [m.proto('sctp'), m.dport('9')], a.drop()),
            ],
            { hook: 'input', policy: 'drop' },
          ),
        ]),
      ],
      { kind: 'cloud' },
    );
    expect(show(rs)).toEqual(['INGRESS@4 by 3', 'INGRESS@7 by 3,6']);
    // every index path (BoxIndex, PointIndex, StabIndex, CubeIndex) alike
    for (const o of [{ maxBoxed: 0 }, { maxBoxed: 0, maxPointIndexed: 0 }, { maxBoxed: 0, maxPointIndexed: 0, maxStabRead: 0 }])
      expect(findShadowedRules(rs, o).map((x) => `${x.rule.span.start.line} by ${x.coveredBy.map((r) => r.span.start.line).join(',')}`)).toEqual(['4 by 3', '7 by 3,6']);
  });

  test('cloud: a rule of 0.0.0.0/0 whose addresses earlier rules cover is covered, named sources and all', () => {
    // its named sources' packets are packets of those addresses; only the covering side takes them
    const whole = (cidr: string): Match => ({ ...(m.src(cidr) as Extract<Match, { kind: 'address' }>), named: true });
    const rs = ruleset(
      [
        table('acl', 'cloud', [
          chain(
            'ingress',
            [
              rule('low', [m.proto('tcp'), m.dport('3389'), m.src('0.0.0.0/1')], a.drop()),
              rule('high', [m.proto('tcp'), m.dport('3389'), m.src('128.0.0.0/1')], a.drop()),
              rule('world', [m.proto('tcp'), m.dport('3389'), whole('0.0.0.0/0')], a.accept()),
              rule('group', [m.proto('tcp'), m.dport('3389'), m.prin('sg-1'), m.family('ipv4')], a.accept()),
            ],
            { hook: 'input', policy: 'drop' },
          ),
        ]),
      ],
      { kind: 'cloud' },
    );
    // (and the group's rule after it is covered by it, not by the halves)
    expect(show(rs)).toEqual(['ingress@5 by 3,4', 'ingress@6 by 5']);
    for (const o of [{ maxBoxed: 0 }, { maxBoxed: 0, maxPointIndexed: 0 }, { maxBoxed: 0, maxPointIndexed: 0, maxStabRead: 0 }])
      expect(findShadowedRules(rs, o).map((x) => `${x.rule.span.start.line} by ${x.coveredBy.map((r) => r.span.start.line).join(',')}`)).toEqual(['5 by 3,4', '6 by 5']);
  });

  test('same port bucketed rules (many single-port rules) are found', () => {
    const rules = [];
    for (let i = 0; i < 300; i++) rules.push(rule(`r${i}`, [m.proto('tcp'), m.dport(String(1000 + i))], a.accept()));
    rules.push(rule('dup', [m.proto('tcp'), m.dport('1150'), m.src('10.0.0.0/8')], a.drop()));
    const rs = filter(base.input(rules, 'drop'));
    expect(show(rs)).toEqual(['INPUT@303 by 153']);
  });
});
