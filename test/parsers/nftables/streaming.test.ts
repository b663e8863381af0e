/**
 * The text front end reads tokens on demand and builds rules as soon as they are
 * parsed (RulePrebuilder). Both are only about speed and memory: the document must
 * be the one the whole-token-array parse followed by a full build gives.
 */
import { describe, expect, it } from 'vitest';
import { LineIndex, type Diagnostic, type DocComment, type FirewallDocument } from '../../../src/model/index.js';
import { buildDocument } from '../../../src/parsers/nftables/build.js';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';
import { parseNftablesJsonIr } from '../../../src/parsers/nftables/json.js';
import { HintedLineIndex, lex, Lexer, type Source } from '../../../src/parsers/nftables/lexer.js';
import { NftTextParser, parseNftablesIr } from '../../../src/parsers/nftables/text.js';
import { at, diags, rulesOf } from './helpers.js';

/** The reference: every token lexed first, an array-fed parser, every rule built at the end. */
function reference(text: string, filePath = 'x.nft'): FirewallDocument {
  const diagnostics: Diagnostic[] = [];
  const comments: DocComment[] = [];
  const src: Source = { text, li: new HintedLineIndex(text), path: filePath };
  const p = new NftTextParser(lex(src, diagnostics, comments), src, diagnostics);
  p.parseTop();
  return buildDocument('nftables', p.state, p.dynamicSets, diagnostics, comments, filePath);
}

const json = (d: FirewallDocument): string => JSON.stringify(d, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function expectSameAsReference(text: string): FirewallDocument {
  const doc = parseNftables(text, { filePath: 'x.nft' });
  expect(json(doc)).toBe(json(reference(text)));
  // and the same as the unstreamed IR built at the end (no prebuilder)
  const ir = parseNftablesIr(text, { filePath: 'x.nft' });
  expect(json(doc)).toBe(json(buildDocument('nftables', ir.state, ir.dynamicSets, ir.diagnostics, ir.comments, 'x.nft')));
  return doc;
}

describe('on-demand lexer', () => {
  it('gives the tokens, diagnostics and comments lex gives, one at a time', () => {
    const text = 'table ip t { # c1\n chain c { tcp dport { 22, 80 } ct state != established "unterminated\n ip saddr 10.0.0.1 ? accept \\\n drop @s $v }\n}\n# end';
    const d1: Diagnostic[] = [];
    const c1: DocComment[] = [];
    const all = lex({ text, li: new LineIndex(text) }, d1, c1);
    const d2: Diagnostic[] = [];
    const c2: DocComment[] = [];
    const lexer = new Lexer({ text, li: new LineIndex(text) }, d2, c2);
    const one = [];
    for (let t = lexer.next(); t; t = lexer.next()) one.push(t);
    expect(lexer.next()).toBeUndefined();
    expect(one.map((t) => [t.t, t.v, t.s, t.e])).toEqual(all.map((t) => [t.t, t.v, t.s, t.e]));
    expect(d2).toEqual(d1);
    expect(d1.map((d) => d.code)).toEqual(['nftables/unterminated-string', 'nftables/syntax']);
    expect(c2).toEqual(c1);
    expect(c1.map((c) => c.value)).toEqual([' c1', ' end']);
  });
});

describe('streamed parse and early build give the reference document', () => {
  it('rules that name a set declared, filled, emptied or updated later', () => {
    const doc = expectSameAsReference(
      [
        'table inet f {',
        '  chain in {',
        '    type filter hook input priority 0; policy drop;',
        '    ip saddr @later tcp dport 22 accept',
        '    tcp dport @ports accept',
        '    ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . @nope } accept',
        '    tcp dport vmap @vm',
        '    ip daddr @dyn accept',
        '    ip saddr @gone drop',
        '  }',
        '  set later { type ipv4_addr; elements = { 10.0.0.1 } }',
        '  set ports { type inet_service; flags interval; }',
        '  map vm { type inet_service : verdict; elements = { 80 : accept } }',
        '  set dyn { type ipv4_addr; }',
        '  set gone { type ipv4_addr; elements = { 10.9.9.9 } }',
        '  chain other { ip saddr 10.0.0.7 add @dyn { ip saddr }; }',
        '}',
        'add element inet f ports { 443, 1761-1768 }',
        'delete element inet f gone { 10.9.9.9 }',
        '',
      ].join('\n'),
    );
    expect(rulesOf(doc, 'in')).toHaveLength(6);
    expect(diags(doc)).toEqual(['error nftables/unknown-set 6:54-6:59']);
  });

  it('flush, delete, insert and rename after the rules were built', () => {
    expectSameAsReference(
      [
        'table ip t {',
        '  chain a { tcp dport 1 accept; tcp dport 2 drop; }',
        '  chain b { udp dport 3 accept }',
        '  chain c { udp dport 4 accept }',
        '}',
        'insert rule ip t a tcp dport 5 accept',
        'add rule ip t a tcp dport 6 jump b',
        'flush chain ip t b',
        'add rule ip t b udp dport 7 accept',
        'delete chain ip t c',
        'rename chain ip t a aa',
        'add table ip u',
        'add chain ip u x',
        'add rule ip u x tcp dport 8 accept',
        'flush table ip u',
        'add rule ip u x tcp dport 9 goto nowhere',
        '',
      ].join('\n'),
    );
  });

  it("the builder's diagnostics keep the document order across interleaved commands", () => {
    const doc = expectSameAsReference(
      [
        'table ip t {',
        '  chain a { }',
        '  chain b { }',
        '}',
        'add rule ip t b tcp dport 99999 accept',
        'add rule ip t a ip saddr 300.1.1.1 drop',
        'insert rule ip t b ip daddr nope accept',
        'add rule ip t a tcp dport vmap { 22 : accept, 70000 : drop }',
        'add rule ip t a jump missing',
        '',
      ].join('\n'),
    );
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['nftables/bad-value', 'nftables/value-out-of-range', 'nftables/bad-value', 'nftables/value-out-of-range', 'nftables/unknown-chain']);
    expect(doc.rulesets[0]!.tables[0]!.chains.flatMap((c) => c.rules.map((r) => r.id))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('chain bindings, an unclosed binding at the end, lexer and parser errors together', () => {
    expectSameAsReference('table ip t {\n chain a {\n  tcp dport 22 jump { ip saddr 10.0.0.1 accept; udp dport 53 drop }\n  ip saddr ? 10.0.0.2 accept\n }\n}\n');
    expectSameAsReference('table ip t {\n chain a {\n  tcp dport 22 jump { ip saddr 10.0.0.1 accept\n');
    expectSameAsReference('table ip t {\n chain a {\n  tcp dport 22 goto {');
    expectSameAsReference('table ip t { chain a { tcp dport 22 accept } } } ; ` add rule ip t a "x');
    // the cursor goes past the last token (`devices` takes a value that is not there): spans end at the last token
    const cut = expectSameAsReference('table netdev t {\n\tchain c {\n\t\ttype filter hook egress devices');
    expect(at(cut.rulesets[0]!.tables[0]!.chains[0]!.span)).toBe('2:2-3:34');
  });

  it('a big chain, whose early tokens are dropped while the parse goes on', () => {
    const lines = ['table inet big {', '  chain in {', '    type filter hook input priority filter; policy drop;'];
    for (let i = 0; i < 3000; i++)
      lines.push(i % 7 === 0 ? `    iifname "eth${i % 5}" ip saddr 10.${i % 250}.0.0/16 tcp dport { ${i % 65535}, 1761-1768 } counter accept # r${i}` : `    ip daddr 192.0.2.${i % 250} udp dport ${i + 1} ct state new,established drop`);
    lines.push('  }', '}', '');
    const doc = expectSameAsReference(lines.join('\n'));
    const rules = doc.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules).toHaveLength(3000);
    expect(rules[2999]!.text).toBe('ip daddr 192.0.2.249 udp dport 3000 ct state new,established drop');
    expect(rules[2999]!.span.start).toEqual({ line: 3003, column: 5, offset: lines.slice(0, 3002).join('\n').length + 5 });
  });

  it('tokens held across the drop of a big chain: the unclosed chain and table, and many add rule commands', () => {
    const rules: string[] = [];
    for (let i = 0; i < 1500; i++) rules.push(`    ip saddr 10.0.${i % 250}.1 tcp dport ${i + 1} accept`);
    // the `{` of the chain and of the table are long gone from the window when their errors are reported
    const open = expectSameAsReference(['table ip t {', '  chain c {', ...rules, ''].join('\n'));
    expect(open.diagnostics.map((d) => `${d.code} ${at(d.span)}`)).toEqual(['nftables/unclosed-block 2:11-2:12', 'nftables/unclosed-block 1:12-1:13']);
    const cmds = ['add table ip t', 'add chain ip t c { type filter hook input priority 0; }'];
    for (let i = 0; i < 1500; i++) cmds.push(`add rule ip t c ip saddr 10.0.${i % 250}.1 tcp dport ${i + 1} accept`);
    const added = expectSameAsReference([...cmds, 'add rule ip t nope accept', ''].join('\n'));
    expect(added.rulesets[0]!.tables[0]!.chains[0]!.rules).toHaveLength(1500);
    expect(added.diagnostics.map((d) => `${d.code} ${at(d.span)}`)).toEqual(['nftables/no-such-object 1503:1-1503:19']);
  });

  it('a text that needs the preprocessor takes the whole-array path, with the same result', () => {
    // "define" in a comment only: the preprocessor has nothing to do, the document is the same
    const body = 'table ip t {\n chain a {\n  tcp dport 22 accept\n }\n}\n';
    const plain = parseNftables(body).rulesets;
    const commented = parseNftables(`${body}# define nothing\n`).rulesets;
    expect(json({ format: '', rulesets: commented, diagnostics: [], comments: [] })).toBe(json({ format: '', rulesets: plain, diagnostics: [], comments: [] }));
    const withVar = 'define p = 22\ntable ip t {\n chain a {\n  tcp dport $p accept\n }\n}\n';
    const doc = parseNftables(withVar, { filePath: 'x.nft' });
    const ir = parseNftablesIr(withVar, { filePath: 'x.nft' });
    expect(json(doc)).toBe(json(buildDocument('nftables', ir.state, ir.dynamicSets, ir.diagnostics, ir.comments, 'x.nft')));
    expect(rulesOf(doc, 'a')).toEqual(['dstport=22 proto=6 => accept']);
  });
});

describe('builder shortcuts', () => {
  it('port sets in order, out of order, touching and overlapping; numbers without regexes; interface wildcards', () => {
    const text = [
      'table inet t {',
      ' chain a {',
      '  tcp dport { 80, 22, 23-25, 26, 1000-2000, 1500 } accept',
      '  udp dport { 53, 67-68, 123 } accept',
      '  tcp dport { 20-21, 22 } accept',
      '  iifname { "eth*", "lo", "x\\\\*" } ip saddr 10.0.0.0/8 ip daddr { 10.1.2.3/32, 192.168.0.0/1, 1.2.3.4/33, 01.2.3.4 } accept',
      '  tcp dport 0x16 accept',
      '  tcp dport 00022 accept',
      '  tcp dport 12345678901 accept',
      ' }',
      '}',
      '',
    ].join('\n');
    const doc = expectSameAsReference(text);
    expect(rulesOf(doc, 'a')).toEqual([
      'dstport=22-26, 80, 1000-2000 proto=6 => accept',
      'dstport=53, 67-68, 123 proto=17 => accept',
      'dstport=20-22 proto=6 => accept',
      'family=ipv4 inif=eth+,lo,x\\* opaque:ip daddr srcaddr=10.0.0.0/8 => accept',
      'dstport=22 proto=6 => accept',
      // 00022 is octal to nft: 18
      'dstport=18 proto=6 => accept',
      'opaque:tcp dport proto=6 => accept',
    ]);
    expect(diags(doc)).toEqual(['warning nftables/bad-value 6:95-6:105', 'warning nftables/octal-number 8:13-8:18', 'error nftables/value-out-of-range 9:13-9:24']);
  });
});

describe('JSON front end with rules built as read', () => {
  it('gives the document a build at the end gives', () => {
    const rule = (chain: string, expr: unknown[]): unknown => ({ rule: { family: 'inet', table: 't', chain, expr } });
    const dport = (right: unknown): unknown => ({ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right } });
    const text = JSON.stringify({
      nftables: [
        { table: { family: 'inet', name: 't' } },
        { chain: { family: 'inet', table: 't', name: 'in', type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
        { chain: { family: 'inet', table: 't', name: 'b' } },
        rule('in', [dport(22), { accept: null }]),
        rule('in', [dport('@later'), { accept: null }]),
        rule('in', [dport(99999), { drop: null }]),
        rule('b', [dport({ set: [80, { range: [1761, 1768] }] }), { accept: null }]),
        { insert: rule('in', [dport(443), { jump: { target: 'b' } }]) },
        { set: { family: 'inet', table: 't', name: 'later', type: 'inet_service', elem: [8080] } },
        rule('in', ['tcp dport 53 accept']),
        { flush: { chain: { family: 'inet', table: 't', name: 'b' } } },
        rule('b', [dport(25), { drop: null }]),
      ],
    });
    const doc = parseNftablesJson(text, { filePath: 'x.json' });
    const ir = parseNftablesJsonIr(text);
    expect(json(doc)).toBe(json(buildDocument('nftables-json', ir.state, ir.dynamicSets, ir.diagnostics, [], 'x.json')));
    expect(rulesOf(doc, 'in')).toEqual(['dstport=443 proto=6 => jump b', 'dstport=22 proto=6 => accept', 'dstport=8080 proto=6 => accept', 'opaque:tcp dport proto=6 => drop', 'dstport=53 proto=6 => accept']);
    expect(rulesOf(doc, 'b')).toEqual(['dstport=25 proto=6 => drop']);
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['nftables/value-out-of-range']);
  });
});
