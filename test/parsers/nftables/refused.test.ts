import { describe, expect, it } from 'vitest';
import { parseNftables } from '../../../src/parsers/nftables/index.js';
import { diags } from './helpers.js';
import { formatPorts } from '../../../src/model/index.js';

/** A rule in an input chain, on line 3. */
const doc = (rule: string) => parseNftables(`table inet t {\n chain c { type filter hook input priority 0; policy accept;\n  ${rule}\n }\n}\n`);

// Each input checked with nft 1.0.6 (`nft -c -f`): the refused ones fail the whole file.
describe('rules nft refuses: an error at the place nft names', () => {
  it('a statement after a verdict, reject, queue, jump (rule_evaluate: "Statement after terminal statement has no effect")', () => {
    expect(diags(doc('tcp dport 22 accept counter'))).toEqual(['error nftables/syntax 3:23-3:30']);
    expect(diags(doc('tcp dport 22 drop log'))).toEqual(['error nftables/syntax 3:21-3:24']);
    expect(diags(doc('tcp dport 22 reject with tcp reset accept'))).toEqual(['error nftables/syntax 3:38-3:44']);
    expect(diags(doc('tcp dport 22 queue num 1 accept'))).toEqual(['error nftables/syntax 3:28-3:34']);
    expect(diags(doc('tcp dport 22 accept tcp dport 80'))).toEqual(['error nftables/syntax 3:23-3:26']);
    expect(doc('tcp dport 22 accept accept').diagnostics[0]!.message).toBe('Statement after terminal statement has no effect: nft refuses the file');
    // what nft takes: continue goes on, a comment may follow the verdict, statements follow a verdict map
    for (const r of ['tcp dport 22 continue accept', 'tcp dport 22 accept comment "x y"', 'tcp dport 22 counter comment "x"', 'tcp dport vmap { 22 : accept } counter', 'reject with icmpx admin-prohibited', 'tcp dport 22 notrack accept', 'jump { tcp dport 22 accept; }'])
      expect(diags(doc(r)), r).toEqual([]);
  });
  it('anything after the rule comment (nft: "syntax error, unexpected accept, expecting newline or semicolon")', () => {
    const d = doc('tcp dport 22 comment "ssh" accept');
    expect(diags(d)).toEqual(['error nftables/syntax 3:30-3:36']);
    expect(d.diagnostics[0]!.message).toBe("accept after the rule's comment: nft ends a rule at its comment and refuses the file");
    expect(diags(doc('tcp dport 22 drop comment "a" counter'))).toEqual(['error nftables/syntax 3:33-3:40']);
  });
  it('a block item closed by "}" without a newline or ";" (nft: "unexpected \'}\', expecting newline or semicolon")', () => {
    const one = (text: string) => diags(parseNftables(text));
    // a rule, a chain's type and policy, a chain or set block, an anonymous chain's rule: each needs its separator
    expect(one('table inet t {\n chain c { tcp dport 22 accept }\n}\n')).toEqual(['error nftables/syntax 2:32-2:33']);
    expect(one('table inet t {\n chain c { type filter hook input priority 0; policy drop }\n}\n')).toEqual(['error nftables/syntax 2:59-2:60']);
    expect(one('table inet t { chain c { tcp dport 22 accept; } }\n')).toEqual(['error nftables/syntax 1:49-1:50']);
    expect(one('table inet t { set s { type ipv4_addr; } }\n')).toEqual(['error nftables/syntax 1:42-1:43']);
    expect(one('table inet t {\n chain c { tcp dport 22 jump { accept } ; }\n}\n')).toEqual(['error nftables/syntax 2:39-2:40']);
    const d = parseNftables('table inet t {\n chain c { tcp dport 22 accept }\n}\n');
    expect(d.diagnostics[0]!.message).toBe('nft needs a newline or ";" before this "}" ("unexpected \'}\', expecting newline or semicolon"): the file does not load');
    // what nft takes
    for (const t of [
      'table inet t { chain c { type filter hook input priority 0; policy drop; tcp dport 22 accept; }; }\n',
      'table inet t {\n chain c { type filter hook input priority 0; policy drop\n }\n}\n',
      'table inet t { set s { type ipv4_addr; elements = { 10.0.0.1 } }\n}\n',
      'table inet t {\n chain c { tcp dport 22 jump { accept; }; }\n chain d {}\n}\n',
    ])
      expect(one(t), t).toEqual([]);
  });

  it('ct proto-src/proto-dst without a transport protocol test before it (nft: "Can\'t parse symbolic invalid expressions")', () => {
    const inTable = (family: string, rule: string) => diags(parseNftables(`table ${family} t {\n chain c {\n  ${rule} drop\n }\n}\n`));
    expect(inTable('inet', 'ct original proto-dst 22')).toEqual(['error nftables/syntax 3:3-3:27']);
    expect(inTable('inet', 'th dport 22 ct original proto-dst 22')).toEqual(['error nftables/syntax 3:15-3:39']);
    expect(inTable('inet', 'meta l4proto != tcp ct reply proto-src 22')).toEqual(['error nftables/syntax 3:23-3:44']);
    expect(inTable('inet', 'ct original protocol tcp ct original proto-dst 22')).toEqual(['error nftables/syntax 3:28-3:52']);
    expect(inTable('ip', 'ct proto-dst 22')).toEqual(['error nftables/syntax 3:3-3:18']);
    // what nft takes: a protocol from a transport header, meta l4proto, ip protocol, or (ip and ip6 tables) ct original protocol
    for (const [family, rule] of [
      ['inet', 'tcp dport != 22 ct original proto-dst 22'],
      ['inet', 'meta l4proto { tcp, udp } ct original proto-dst 22'],
      ['inet', 'icmp type echo-request ct reply proto-src 22'],
      ['ip', 'ip protocol tcp ct original proto-dst 22'],
      ['ip', 'ct original protocol 6 ct original proto-dst != 22'],
      ['ip6', 'ct original protocol tcp ct reply proto-src 22'],
    ])
      expect(inTable(family!, rule!), rule).toEqual([]);
  });

  it('a second define of a name (nft: "redefinition of symbol"), not a redefine', () => {
    const d = parseNftables('define A = 22\ndefine A = 23\nredefine A = 24\ntable inet t {\n chain c { type filter hook input priority 0; policy drop;\n  tcp dport $A accept\n }\n}\n');
    expect(diags(d)).toEqual(['error nftables/redefined-variable 2:1-2:9']);
  });
});

// nft 1.0.6 -c: evaluate.c stmt_evaluate_reject_family
describe('a reject the table family cannot send', () => {
  const inTable = (family: string, rule: string) => parseNftables(`table ${family} t {\n chain c { type filter hook input priority 0; policy accept;\n  ${rule}\n }\n}\n`);
  it.each([
    ['ip6', 'ip6 saddr fd00::/64 udp dport 5000 reject with icmpx admin-prohibited', ['error nftables/reject-family 3:3-3:72']],
    ['ip', 'reject with icmpx type port-unreachable', ['error nftables/reject-family 3:3-3:42']],
    ['ip', 'reject with icmpv6 type admin-prohibited', ['error nftables/reject-family 3:3-3:43']],
    ['ip6', 'reject with icmp type host-unreachable', ['error nftables/reject-family 3:3-3:41']],
    ['ip', 'reject with icmp type host-unreachable', []],
    ['ip6', 'reject with icmpv6 type admin-prohibited', []],
    ['ip6', 'reject with tcp reset', []],
    ['inet', 'reject with icmpx admin-prohibited', []],
    ['netdev', 'reject with icmpx admin-prohibited', []],
  ])('%s: %s', (family, rule, want) => {
    expect(diags(inTable(family, rule))).toEqual(want);
  });
  it('says why and what to write instead', () => {
    expect(inTable('ip6', 'reject with icmpx admin-prohibited').diagnostics[0]!.message).toBe(
      'reject with icmpx in an ip6 table: nft refuses the file ("abstracted ICMP unreachable not supported"; icmpx is for inet tables, here use "with icmpv6")',
    );
  });
});

describe('numbers as nft reads them', () => {
  it('a port with a leading 0 is octal where its digits allow (nft 1.0.6 lists `tcp dport { 022, 80 }` back as { 18, 80 }, `udp dport 08` as 8)', () => {
    const d = doc('tcp dport { 022, 80 } accept');
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.matches.map((m) => (m.kind === 'port' ? formatPorts(m.ports) : m.kind)).join(' '))).toEqual(['protocol 18, 80']);
    expect(diags(d)).toEqual(['warning nftables/octal-number 3:15-3:18']);
    expect(d.diagnostics[0]!.message).toBe('nft reads a number with a leading 0 as octal: "022" is 18');
    const e = doc('udp dport 08 accept');
    expect(e.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.matches.map((m) => (m.kind === 'port' ? formatPorts(m.ports) : m.kind))).toEqual(['protocol', '8']);
    expect(e.diagnostics).toEqual([]);
  });
  it('a range whose low end is above its high end (nft: "Range has zero or negative size")', () => {
    expect(diags(doc('tcp dport 22-21 accept'))).toEqual(['error nftables/reversed-range 3:13-3:18']);
    expect(diags(doc('tcp dport { 30-25, 80 } accept'))).toEqual(['error nftables/reversed-range 3:15-3:20']);
    expect(doc('meta l4proto 17-6 accept').diagnostics[0]!.message).toBe('Range "17-6" has zero or negative size: nft refuses it');
    expect(doc('tcp dport { 22-22, 1-1023 } accept').diagnostics).toEqual([]);
  });
});

// nft 1.0.6 -c (kernel 6.18, in a namespace): "Error: conflicting intervals specified" at the element written second
describe('overlapping elements of a named interval set or map without auto-merge', () => {
  const set = (body: string, after = '') => parseNftables(`table inet t {\n\tset s {\n\t\t${body}\n\t}\n}\n${after}`);
  it('are refused at the second element, as nft names it; the same element twice, auto-merge, adjacency and anonymous sets are not', () => {
    const d = set('type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 10.1.0.0/16 }');
    expect(diags(d)).toEqual(['error nftables/conflicting-intervals 3:60-3:71']);
    expect(d.diagnostics[0]!.message).toBe('set s: element 10.1.0.0/16 overlaps 10.0.0.0/8: nft refuses the file ("conflicting intervals specified"; "auto-merge" in the set merges them)');
    expect(diags(set('type inet_service; flags interval; elements = { 1000-2000, 1500-2500 }'))).toEqual(['error nftables/conflicting-intervals 3:62-3:71']);
    expect(diags(set('type ipv6_addr; flags interval; elements = { 2001:db8::/32, 2001:db8:1::1 }'))).toEqual(['error nftables/conflicting-intervals 3:63-3:76']);
    // an add element that brings the overlap (nft: at the added element)
    expect(diags(set('type ipv4_addr; flags interval; elements = { 10.0.0.0/8 }', 'add element inet t s { 10.1.0.0/16 }\n'))).toEqual(['error nftables/conflicting-intervals 6:24-6:35']);
    for (const ok of [
      'type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 10.0.0.0/8 }',
      'type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.0/8, 10.1.0.0/16 }',
      'type ipv4_addr; flags interval; elements = { 10.0.0.0/9, 10.128.0.0/9 }',
      'type inet_service; flags interval; elements = { 1000-2000, 2001-3000 }',
      'type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 }',
    ])
      expect(diags(set(ok)), ok).toEqual([]);
    expect(diags(parseNftables('table inet t {\n chain c { type filter hook input priority 0; policy drop;\n  ip saddr { 10.0.0.0/8, 10.1.0.0/16 } accept\n }\n}\n'))).toEqual([]);
  });
  it('in a map too', () => {
    const d = parseNftables('table inet t {\n\tmap m {\n\t\ttype ipv4_addr : verdict; flags interval\n\t\telements = { 10.0.0.0/8 : accept, 10.1.0.0/16 : drop }\n\t}\n}\n');
    expect(diags(d)).toEqual(['error nftables/conflicting-intervals 4:37-4:48']);
  });
});
