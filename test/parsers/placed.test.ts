/**
 * The fast path's matches keep their span as a number next to the rule's span
 * (src/parsers/placed.ts): the span read back must be the exact one, on any line
 * and at any column, and the rule's reportSpan must be the first destination port match's span.
 */
import { describe, expect, it } from 'vitest';
import { AddrSet, IntervalSet, LineSpan, type Match, type Rule } from '../../src/model/index.js';
import { parseSave } from '../../src/parsers/iptables/save.js';
import { DocRule, PACK_MAX, PackedRule, packCode, packedCode, packedCodes, packedCount, packedValue, PK_DST_PORT, PK_IN_IFACE, PK_MATCH, PK_PROTOCOL, PK_SRC_ADDR, PlacedAddress, PlacedPort, placeOf, unpackMatch } from '../../src/parsers/placed.js';
import { at, spanIn } from './iptables/helpers.js';

function rulesOf(lines: string[]): Rule[] {
  const text = ['*filter', ':INPUT DROP [0:0]', ...lines, 'COMMIT', ''].join('\n');
  return parseSave(text).rulesets[0]!.tables[0]!.chains.find((c) => c.name === 'INPUT')!.rules;
}

const pos = (m: Match) => [m.span!.start, m.span!.end];

describe('placed matches', () => {
  it('read back the exact span of every match, negation included', () => {
    const line = '-A INPUT -i eth0 ! -s 10.0.0.0/8 -p tcp -m conntrack --ctstate NEW -m tcp --sport 1024: ! --dport 22 -j ACCEPT';
    const [r] = rulesOf(['', line]);
    expect(r!.matches.map((m) => m.constructor.name)).toEqual(['PlacedInterface', 'NegatedAddress', 'PlacedProtocol', 'PlacedCtState', 'PlacedPort', 'NegatedPort']);
    expect(r!.matches.map((m) => at(m.span))).toEqual([
      spanIn(4, line, '-i eth0'),
      spanIn(4, line, '! -s 10.0.0.0/8'),
      spanIn(4, line, '-p tcp'),
      spanIn(4, line, '--ctstate NEW'),
      spanIn(4, line, '--sport 1024:'),
      spanIn(4, line, '! --dport 22'),
    ]);
    const off = ['*filter', ':INPUT DROP [0:0]', ''].join('\n').length + 1;
    expect(pos(r!.matches[1]!)).toEqual([
      { line: 4, column: 18, offset: off + 17 },
      { line: 4, column: 33, offset: off + 32 },
    ]);
    expect(r!.matches.map((m) => m.negated)).toEqual([undefined, true, undefined, undefined, undefined, true]);
  });

  it('give the rule the first destination port match as its report span, built when read from its place', () => {
    const line = '-A INPUT -p tcp -m multiport --sports 1,2 -m multiport --dports 80,443 -m tcp --dport 8080 -j ACCEPT';
    const [r] = rulesOf([line]);
    const [, sports, dports, dport] = r!.matches;
    expect(r!.reportSpan).toEqual(dports!.span);
    expect(r!.reportSpan).not.toBe(r!.reportSpan); // built when read
    expect(at(r!.reportSpan)).toBe(spanIn(3, line, '--dports 80,443'));
    expect(sports!.span).not.toBe(sports!.span); // built when read
    expect(at(dport!.span)).toBe(spanIn(3, line, '--dport 8080'));
  });

  it('keep a span of their own where the place does not fit in a number (beyond 64 K columns)', () => {
    const comment = 'x'.repeat(70000);
    const line = `-A INPUT -m comment --comment "${comment}" -s 10.1.2.3 -p udp --sport 53 -j ACCEPT`;
    const [r] = rulesOf([line]);
    expect(r!.span).not.toBeInstanceOf(LineSpan); // the rule itself is longer than 32 K
    expect(r!.comment).toBe(comment);
    expect(r!.matches.map((m) => at(m.span))).toEqual([spanIn(3, line, '-s 10.1.2.3'), spanIn(3, line, '-p udp'), spanIn(3, line, '--sport 53')]);
    expect(r!.matches[0]!.span).toBe(r!.matches[0]!.span); // its own object
    expect(r!.matches[0]!.span!.start.column).toBe(line.indexOf('-s 10.1.2.3') + 1);
    expect(r!.matches[0]!.span!.start.column).toBeGreaterThan(65536);
  });

  it('report a destination port beyond 64 K columns with its own span, and read the rule text from the document', () => {
    const comment = 'y'.repeat(70000);
    const line = `-A INPUT -m comment --comment "${comment}" -p tcp ! --dport 1761   -j ACCEPT  `;
    const [r] = rulesOf([line]);
    expect(at(r!.reportSpan)).toBe(spanIn(3, line, '! --dport 1761'));
    expect(r!.reportSpan).toBe(r!.reportSpan); // its own object
    expect(r!.reportSpan).toBe(r!.matches[1]!.span);
    expect(r!.text).toBe(line.trimEnd());
    const [s] = rulesOf(['-A INPUT   -p tcp   --dport 22   -j ACCEPT   ']);
    expect(s!.text).toBe('-A INPUT   -p tcp   --dport 22   -j ACCEPT');
  });

  it('show only the model fields to Object.keys, for-in and a spread (the place is kept out of sight)', () => {
    const [r] = rulesOf(['-A INPUT ! -s 10.0.0.1 -p tcp --dport 22 -j ACCEPT']);
    expect(r!.matches.map((m) => Object.keys(m))).toEqual([['kind', 'dir', 'addrs', 'negated'], ['kind', 'protocols'], ['kind', 'dir', 'ports']]);
    const forIn: string[] = [];
    for (const k in r!.matches[1]!) forIn.push(k);
    expect(forIn).toEqual(['kind', 'protocols']);
    expect(Object.keys({ ...r!.matches[2]! })).toEqual(['kind', 'dir', 'ports']);
  });

  it('serialise as the plain match objects did', () => {
    const [r] = rulesOf(['-A INPUT ! -s 10.0.0.1 -p tcp --dport 22 -j ACCEPT']);
    const json = JSON.parse(JSON.stringify(r!.matches)) as Record<string, unknown>[];
    expect(json.map((m) => Object.keys(m))).toEqual([
      ['kind', 'dir', 'addrs', 'span', 'negated'],
      ['kind', 'protocols', 'span'],
      ['kind', 'dir', 'ports', 'span'],
    ]);
    expect(json[0]!.span).toEqual({ start: { line: 3, column: 10, offset: 35 }, end: { line: 3, column: 23, offset: 48 } });
  });

  it('pack the place relative to the rule, up to 64 K columns and 32 K characters', () => {
    expect(placeOf(100, 100, 100)).toBe(0);
    expect(placeOf(100, 105, 107)).toBe(5 + 2 * 65536);
    expect(placeOf(0, 65535, 65535 + 32767)).toBe(65535 + 32767 * 65536);
    expect(placeOf(0, 65535, 65535 + 32767)).toBeLessThan(2 ** 31);
    expect(placeOf(0, 65536, 65537)).toBe(-1);
    expect(placeOf(0, 1, 1 + 32768)).toBe(-1);
    expect(placeOf(10, 9, 12)).toBe(-1);
    const rule = LineSpan.of(9, 1000, 1004, 1200);
    const m = new PlacedAddress('src', new AddrSet(IntervalSet.range(1, 2), IntervalSet.empty()), rule, placeOf(1004, 1010, 1020));
    expect(pos(m as Match)).toEqual([
      { line: 9, column: 11, offset: 1010 },
      { line: 9, column: 21, offset: 1020 },
    ]);
    const p = new PlacedPort('dst', IntervalSet.range(1, 2), rule, -1);
    expect(p.span).toBe(rule);
  });

  it('build a fast-path rule’s matches when read, up to PACK_MAX of them; a longer rule keeps its list', () => {
    const line = '-A INPUT -i eth0 ! -s 10.0.0.0/8 -d 192.0.2.1/32 -p tcp -m tcp ! --dport 22 -j ACCEPT';
    const long = '-A INPUT -i eth0 ! -s 10.0.0.0/8 -d 192.0.2.1/32 -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT';
    const [r, l] = rulesOf([line, long]);
    expect(r).toBeInstanceOf(PackedRule);
    expect(r!.matches.length).toBe(PACK_MAX);
    // built at each read: equal lists of new match objects
    const [a, c] = [r!.matches, r!.matches];
    expect(c).not.toBe(a);
    expect(c[1]).not.toBe(a[1]);
    expect(JSON.stringify(c)).toBe(JSON.stringify(a));
    expect(r!.matches.map((m) => m.constructor.name)).toEqual(['PlacedInterface', 'NegatedAddress', 'PlacedAddress', 'PlacedProtocol', 'NegatedPort']);
    expect(r!.matches.map((m) => at(m.span))).toEqual([spanIn(3, line, '-i eth0'), spanIn(3, line, '! -s 10.0.0.0/8'), spanIn(3, line, '-d 192.0.2.1/32'), spanIn(3, line, '-p tcp'), spanIn(3, line, '! --dport 22')]);
    expect(at(r!.reportSpan)).toBe(spanIn(3, line, '! --dport 22'));
    // six matches: a DocRule with its own list
    expect(l).not.toBeInstanceOf(PackedRule);
    expect(l).toBeInstanceOf(DocRule);
    expect(l!.matches).toBe(l!.matches);
    expect(l!.matches.map((m) => at(m.span))).toEqual([spanIn(4, long, '-i eth0'), spanIn(4, long, '! -s 10.0.0.0/8'), spanIn(4, long, '-d 192.0.2.1/32'), spanIn(4, long, '-p tcp'), spanIn(4, long, '--ctstate NEW'), spanIn(4, long, '--dport 22')]);
    // a rule without matches gives a new empty list
    const [e] = rulesOf(['-A INPUT -j DROP']);
    const [e0, e1] = [e!.matches, e!.matches];
    expect(e0).toEqual([]);
    expect(e1).toEqual([]);
    expect(e1).not.toBe(e0);
  });

  it('keep a match list assigned to a packed rule as it is', () => {
    const [r] = rulesOf(['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT']);
    const list = r!.matches.slice(1);
    r!.matches = list;
    expect(r!.matches).toBe(list);
    expect(JSON.parse(JSON.stringify(r)).matches).toEqual(JSON.parse(JSON.stringify(list)));
  });

  it('give a packed rule’s codes and values to a reader without building its matches', () => {
    const line = '-A INPUT -i eth0 ! -s 10.0.0.0/8 -d 192.0.2.1/32 -p tcp -m tcp --syn -m tcp ! --dport 22 -j ACCEPT';
    const [r, long] = rulesOf(['-A INPUT -i eth0 ! -s 10.0.0.0/8 -p tcp -m tcp ! --dport 22 -j ACCEPT', line]);
    const w = packedCodes(r!);
    expect(packedCount(w)).toBe(4);
    expect([0, 1, 2, 3].map((k) => packedCode(w, k))).toEqual([PK_IN_IFACE, PK_SRC_ADDR | 1, PK_PROTOCOL, PK_DST_PORT | 1]);
    // the values are the matches' own (shared) sets and name lists; packCode gives a built match's code back
    const ms = r!.matches;
    expect(ms.map(packCode)).toEqual([0, 1, 2, 3].map((k) => packedCode(w, k)));
    expect(packedValue(r!, 0)).toBe((ms[0] as { names: string[] }).names);
    expect(packedValue(r!, 1)).toBe((ms[1] as { addrs: unknown }).addrs);
    expect(packedValue(r!, 3)).toBe((ms[3] as { ports: unknown }).ports);
    const plain = (m: Match) => ({ ...(JSON.parse(JSON.stringify(m)) as object), span: undefined });
    expect([0, 1, 2, 3].map((k) => plain(unpackMatch(packedCode(w, k), packedValue(r!, k), r!.span, -1)))).toEqual(ms.map(plain));
    // six matches: not packed; a list assigned to a packed rule: not packed any more; a match the codes do not name: PK_MATCH
    expect(long).not.toBeInstanceOf(PackedRule);
    expect(packedCodes(long!)).toBe(-1);
    const [t] = rulesOf(['-A INPUT -p tcp -m tcp --syn -j ACCEPT']);
    const tw = packedCodes(t!);
    expect([packedCount(tw), packedCode(tw, 1)]).toEqual([2, PK_MATCH]);
    expect(packedValue(t!, 1)).toMatchObject({ kind: 'tcp-flags' });
    expect(t!.matches.map(packCode)).toEqual([PK_PROTOCOL, PK_MATCH]);
    const [nt] = rulesOf(['-A INPUT -p tcp -m tcp ! --syn -j ACCEPT']);
    expect([packedCode(packedCodes(nt!), 1), packCode(nt!.matches[1]!)]).toEqual([PK_MATCH, PK_MATCH]); // the match is negated itself
    expect(nt!.matches[1]!.negated).toBe(true);
    t!.matches = t!.matches.slice(1);
    expect(packedCodes(t!)).toBe(-1);
    expect(packedCodes({})).toBe(-1);
  });
});
