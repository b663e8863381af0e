/**
 * The builder shares immutable parts of the model between rules (implied
 * family/protocol matches, simple verdicts, single-port sets): shared objects
 * are frozen, and every rule still reads exactly as written.
 */
import { describe, expect, it } from 'vitest';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';
import { PACK_MAX, PK_MATCH, PK_SRC_ADDR, PackedRule, packedCode, packedCodes, packedCount } from '../../../src/parsers/placed.js';
import { at, chainOf, rulesOf } from './helpers.js';

const TEXT = [
  'table inet filter {',
  '  chain input {',
  '    type filter hook input priority filter; policy drop;',
  '    ip saddr 10.0.0.0/8 tcp dport 22 accept',
  '    ip saddr != 10.1.0.0/16 tcp dport 22 accept',
  '    udp dport { 53, 1761-1768 } drop',
  '    ip saddr 192.0.2.1 jump web',
  '    ip saddr 192.0.2.2 jump web',
  '  }',
  '  chain web {',
  '    return',
  '  }',
  '}',
  '',
].join('\n');

describe('nftables: shared parts of the model', () => {
  const doc = parseNftables(TEXT);
  const r = chainOf(doc, 'input').rules;

  it('reads the rules as written', () => {
    expect(doc.diagnostics).toEqual([]);
    expect(rulesOf(doc, 'input')).toEqual([
      'dstport=22 family=ipv4 proto=6 srcaddr=10.0.0.0/8 => accept',
      '!srcaddr=10.1.0.0/16 dstport=22 family=ipv4 proto=6 => accept',
      'dstport=53, 1761-1768 proto=17 => drop',
      'family=ipv4 srcaddr=192.0.2.1/32 => jump web',
      'family=ipv4 srcaddr=192.0.2.2/32 => jump web',
    ]);
  });

  it('shares frozen implied matches and verdicts, not the matches written in the rule', () => {
    const fam0 = r[0]!.matches.find((m) => m.kind === 'family');
    const fam1 = r[1]!.matches.find((m) => m.kind === 'family');
    expect(fam0).toBe(fam1);
    expect(Object.isFrozen(fam0)).toBe(true);
    const proto0 = r[0]!.matches.find((m) => m.kind === 'protocol');
    expect(proto0).toBe(r[1]!.matches.find((m) => m.kind === 'protocol'));
    expect(proto0?.span).toBeUndefined();
    expect(r[0]!.action).toBe(r[1]!.action);
    expect(Object.isFrozen(r[0]!.action)).toBe(true);
    const a0 = r[0]!.matches.find((m) => m.kind === 'address');
    const a1 = r[1]!.matches.find((m) => m.kind === 'address');
    // the match keeps its place next to the rule's span (no span object of its own): its JSON has the literal's keys
    expect(Object.keys(JSON.parse(JSON.stringify(a0)))).toEqual(['kind', 'dir', 'addrs', 'span']);
    expect(Object.keys(JSON.parse(JSON.stringify(a1)))).toEqual(['kind', 'dir', 'addrs', 'span', 'negated']);
    expect(a1!.negated).toBe(true);
    expect(a0!.negated).toBeUndefined();
    expect(at(a0!.span)).toBe('4:5-4:24');
    expect(at(a1!.span)).toBe('5:5-5:28');
  });

  it('shares one set per single port, each match keeps its own span', () => {
    const p0 = r[0]!.matches.find((m) => m.kind === 'port');
    const p1 = r[1]!.matches.find((m) => m.kind === 'port');
    if (p0?.kind !== 'port' || p1?.kind !== 'port') throw new Error('port matches expected');
    expect(p0.ports).toBe(p1.ports);
    expect(at(p0.span)).toBe('4:25-4:37');
    expect(at(p1.span)).toBe('5:29-5:41');
    expect(at(r[0]!.reportSpan)).toBe('4:35-4:37');
  });

  it('matches read their spans wherever they are written (first line, continued line, set reference, chain binding)', () => {
    const text = [
      'table inet t {',
      '  set s { type ipv4_addr; elements = { 10.0.0.1 } }',
      '  chain c {',
      '    iifname "eth0" ct state established,related icmp type echo-request accept',
      '    ip saddr @s meta l4proto tcp \\',
      '      tcp dport != 22 drop',
      '    ip daddr 192.0.2.1 jump { ip saddr 10.0.0.2 accept; }',
      '  }',
      '}',
      '',
    ].join('\n');
    const d = parseNftables(text);
    expect(d.diagnostics).toEqual([]);
    const spans = (name: string): string[] =>
      chainOf(d, name).rules.map((x) => x.matches.map((m) => `${m.kind}${m.negated ? '!' : ''} ${at(m.span)} ${m.span ? text.slice(m.span.start.offset, m.span.end.offset) : ''}`).join(' | '));
    expect(spans('c')).toEqual([
      'interface 4:5-4:19 iifname "eth0" | ctstate 4:20-4:48 ct state established,related | family none  | protocol none  | icmp-type 4:49-4:71 icmp type echo-request',
      'family none  | address 5:5-5:16 ip saddr @s | protocol 5:17-5:33 meta l4proto tcp | port! 6:7-6:22 tcp dport != 22',
      'family none  | address 7:5-7:23 ip daddr 192.0.2.1',
    ]);
    const bound = d.rulesets[0]!.tables[0]!.chains.find((c) => c.name !== 'c')!;
    expect(spans(bound.name)).toEqual(['family none  | address 7:31-7:48 ip saddr 10.0.0.2']);
    // as JSON, a placed match is the plain literal it replaces
    expect(JSON.parse(JSON.stringify(chainOf(d, 'c').rules[1]!.matches[3]))).toEqual({
      kind: 'port',
      dir: 'dst',
      ports: JSON.parse(JSON.stringify((chainOf(d, 'c').rules[1]!.matches[3] as { ports: unknown }).ports)),
      span: { start: { line: 6, column: 7, offset: text.indexOf('tcp dport') }, end: { line: 6, column: 22, offset: text.indexOf('tcp dport') + 15 } },
      negated: true,
    });
  });

  it('rules read their text from the document and keep their report span next to their span', () => {
    const text = [
      'table ip t {',
      '  chain c {',
      '    tcp dport 1761-1768   accept comment "cft"',
      '    ip saddr 10.0.0.1 \\',
      '      tcp dport 22 drop',
      '    udp dport { 53, 1761 } drop',
      '  }',
      '}',
      '',
    ].join('\n');
    const d = parseNftables(text);
    expect(d.diagnostics).toEqual([]);
    const rs = chainOf(d, 'c').rules;
    expect(rs.map((x) => x.text)).toEqual(['tcp dport 1761-1768 accept comment "cft"', 'ip saddr 10.0.0.1 \\ tcp dport 22 drop', 'udp dport { 53, 1761 } drop']);
    expect(rs.map((x) => `${at(x.span)} ${at(x.reportSpan)}`)).toEqual(['3:5-3:47 3:15-3:24', '4:5-5:24 5:17-5:19', '6:5-6:32 6:15-6:27']);
    // a one-line rule keeps its span as two small integers, built when read; a span over two lines is kept as it is
    expect(rs[0]!.span).not.toBe(rs[0]!.span);
    expect(rs[1]!.span).toBe(rs[1]!.span);
    expect(rs[0]!.comment).toBe('cft');
    expect(rs[1]!.comment).toBeUndefined();
    // as JSON, the literal the rule was: same keys in the same order
    expect(Object.keys(JSON.parse(JSON.stringify(rs[0])))).toEqual(['id', 'matches', 'action', 'span', 'text', 'reportSpan', 'comment']);
    expect(JSON.parse(JSON.stringify(rs[0])).reportSpan).toEqual({ start: { line: 3, column: 15, offset: text.indexOf('1761-') }, end: { line: 3, column: 24, offset: text.indexOf('1761-') + 9 } });
    const plain = parseNftables('table ip t {\n chain c {\n  accept\n }\n}\n');
    expect(Object.keys(JSON.parse(JSON.stringify(chainOf(plain, 'c').rules[0])))).toEqual(['id', 'matches', 'action', 'span', 'text']);
  });

  it('text rules keep up to PACK_MAX matches packed (built when read, equal each time), a longer rule its list', () => {
    const text = [
      'table inet t {',
      '  chain c {',
      '    iifname "eth1" ip daddr 192.0.2.0/24 tcp dport 1761-1768 counter accept',
      '    iifname "eth1" ip saddr 10.0.0.1 ip daddr 192.0.2.0/24 tcp dport 22 accept',
      '    ip saddr 10.0.0.1 \\',
      '      tcp dport 22 drop',
      '  }',
      '}',
      '',
    ].join('\n');
    const d = parseNftables(text);
    expect(d.diagnostics).toEqual([]);
    const [five, six, cont] = chainOf(d, 'c').rules;
    // five matches (interface, family, address, protocol, port): packed; the family match is the shared one, kept as itself
    expect(five).toBeInstanceOf(PackedRule);
    expect(packedCount(packedCodes(five!))).toBe(PACK_MAX);
    expect(five!.matches).not.toBe(five!.matches);
    expect(JSON.stringify(five!.matches)).toBe(JSON.stringify(five!.matches));
    expect(five!.matches.map((m) => `${m.kind} ${at(m.span)}`)).toEqual(['interface 3:5-3:19', 'family none', 'address 3:20-3:41', 'protocol none', 'port 3:42-3:61']);
    expect(five!.matches[1]).toBe(five!.matches[1]);
    // six: the list itself
    expect(packedCodes(six!)).toBe(-1);
    expect(six!.matches).toBe(six!.matches);
    expect(six!.matches.map((m) => m.kind)).toEqual(['interface', 'family', 'address', 'address', 'protocol', 'port']);
    // a match on a continuation line keeps a span of its own (the packed place is on the rule's first line)
    expect(packedCount(packedCodes(cont!))).toBe(4);
    expect(cont!.matches.map((m) => at(m.span))).toEqual(['none', '5:5-5:22', 'none', '6:7-6:19']);
    expect([1, 3].map((k) => packedCode(packedCodes(cont!), k))).toEqual([PK_SRC_ADDR, PK_MATCH]);
    expect(rulesOf(d, 'c')).toEqual([
      'dstaddr=192.0.2.0/24 dstport=1761-1768 family=ipv4 inif=eth1 proto=6 => accept',
      'dstaddr=192.0.2.0/24 dstport=22 family=ipv4 inif=eth1 proto=6 srcaddr=10.0.0.1/32 => accept',
      'dstport=22 family=ipv4 proto=6 srcaddr=10.0.0.1/32 => drop',
    ]);
  });

  it('the JSON front end gives the same rules with shared verdicts', () => {
    const json = JSON.stringify({
      nftables: [
        { table: { family: 'ip', name: 'f', handle: 1 } },
        { chain: { family: 'ip', table: 'f', name: 'in', handle: 2, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
        { rule: { family: 'ip', table: 'f', chain: 'in', handle: 3, expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '10.0.0.0', len: 8 } } } }, { accept: null }] } },
        { rule: { family: 'ip', table: 'f', chain: 'in', handle: 4, expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 22 } }, { accept: null }] } },
      ],
    });
    const jd = parseNftablesJson(json);
    expect(jd.diagnostics).toEqual([]);
    expect(rulesOf(jd, 'in')).toEqual(['srcaddr=10.0.0.0/8 => accept', 'dstport=22 proto=6 => accept']);
    const jr = chainOf(jd, 'in').rules;
    expect(jr[0]!.action).toBe(jr[1]!.action);
    // JSON input: spans of their own, kept in plain literals (a placed match or NftRule would hold them in a field more)
    expect(Object.keys(jr[0]!.matches[0]!)).toEqual(['kind', 'dir', 'addrs', 'span']);
    expect(Object.keys(jr[1]!)).toEqual(['id', 'matches', 'action', 'span', 'text', 'reportSpan']);
  });
});
