/**
 * The order of exposure entries (the order in which their first piece was accepted) is what the rules read and
 * report in. Flows accepted for good, untagged and not NATed, are cut and grouped as they are accepted, the others at
 * the end of the run (Engine.accept): the order must not depend on which is which.
 */
import { describe, expect, test } from 'vitest';
import { computeExposure } from '../../src/analysis/index.js';
import { formatPorts } from '../../src/model/index.js';
import { a, base, chain, m, rule, ruleset, table } from './build.js';

function order(rs: ReturnType<typeof ruleset>, hook: 'input' | 'forward' = 'input'): string[] {
  return computeExposure(rs, { hook }).entries.map((e) => `${e.family} ${e.rule?.text ?? 'policy ' + e.chain.name} ${e.certainty} ${formatPorts(e.dports)}`);
}

describe('exposure entry order', () => {
  test('untagged, tagged, NATed and policy acceptances interleaved, across sub-chains and two input base chains', () => {
    const sub = chain('SUB', [
      rule('sub-open', [m.proto('tcp'), m.dport('2000')], a.accept()),
      rule('sub-maybe', [m.opaque('-m recent --rcheck'), m.proto('tcp'), m.dport('2001')], a.accept()),
      rule('sub-open-2', [m.proto('tcp'), m.dport('2002')], a.accept()),
    ]);
    const first = base.input([
      rule('early', [m.proto('tcp'), m.dport('22')], a.accept()),
      rule('jump', [m.proto('tcp'), m.dport('2000:2002')], a.jump('SUB')),
      rule('maybe', [m.opaque('-m recent --rcheck'), m.proto('udp'), m.dport('53')], a.accept()),
      rule('late', [m.proto('tcp'), m.dport('80')], a.accept()),
      rule('queue', [m.proto('udp'), m.dport('99')], a.queue()),
      rule('later', [m.proto('tcp'), m.dport('443')], a.accept()),
      rule('rest', [m.proto('tcp')], a.drop()),
    ], 'accept');
    const second = { ...base.input([rule('second-drop', [m.proto('tcp'), m.dport('443')], a.drop())], 'accept'), name: 'INPUT2', priority: 10 };
    const pre = base.natPre([rule('dnat', [m.proto('tcp'), m.dport('8080')], a.dnat('10.0.0.2', '80'))]);
    const fwd = base.forward([
      rule('fwd-open', [m.proto('tcp'), m.dport('80')], a.accept()),
      rule('fwd-maybe', [m.opaque('-m recent --rcheck'), m.proto('tcp'), m.dport('81')], a.accept()),
      rule('fwd-open-2', [m.proto('tcp'), m.dport('82')], a.accept()),
    ], 'drop');
    // one input base chain (what it accepts is accepted for good, as it is accepted), then two
    const one = ruleset([table('filter', 'ip', [first, sub, fwd]), table('nat', 'ip', [pre])]);
    expect(order(one)).toEqual(EXPECTED_ONE);
    expect(order(one, 'forward')).toEqual(EXPECTED_FORWARD);
    const two = ruleset([table('filter', 'ip', [first, sub, second, fwd]), table('nat', 'ip', [pre])]);
    expect(order(two)).toEqual(EXPECTED_TWO);
  });

  test('all untagged: the rule order', () => {
    const rs = ruleset([table('filter', 'ip', [base.input([
      rule('one', [m.proto('tcp'), m.dport('1')], a.accept()),
      rule('two', [m.proto('udp'), m.dport('2')], a.accept()),
      rule('three', [m.proto('tcp'), m.dport('3')], a.accept()),
    ], 'drop')])]);
    expect(order(rs)).toEqual(['ipv4 one open 1', 'ipv4 two open 2', 'ipv4 three open 3']);
  });
});

/** What both input chains accept first, in order (the first base chain's rules up to its queue). */
const EXPECTED_FIRST: string[] = [
  'ipv4 early open 22',
  'ipv4 sub-open open 2000',
  'ipv4 sub-maybe possibly-open 2001',
  'ipv4 sub-open-2 open 2002',
  'ipv4 late open 80',
  // a packet sent to 10.0.0.2:8080 (then this host's address): DNAT'd to 10.0.0.2:80 it stays on INPUT
  'ipv4 late open 8080',
  'ipv4 queue possibly-open 99',
];
const EXPECTED_ONE: string[] = [
  ...EXPECTED_FIRST,
  'ipv4 later open 443',
  'ipv4 policy INPUT open all',
  'ipv4 policy INPUT open 0-98, 100-65535',
  'ipv4 fwd-open open 8080',
];
const EXPECTED_FORWARD: string[] = [
  'ipv4 fwd-open open 8080',
  'ipv4 fwd-open open 80',
  'ipv4 fwd-maybe possibly-open 81',
  'ipv4 fwd-open-2 open 82',
];
const EXPECTED_TWO: string[] = [
  ...EXPECTED_FIRST,
  'ipv4 policy INPUT2 open all',
  'ipv4 policy INPUT2 open 0-98, 100-65535',
  'ipv4 fwd-open open 8080',
];
