import { describe, expect, it } from 'vitest';
import { LineIndex, LineSpan, PackedSpan } from '../../../src/model/index.js';
import { HintedLineIndex, lex } from '../../../src/parsers/nftables/lexer.js';

describe('HintedLineIndex', () => {
  const text = 'table inet filter {\n\n  chain input {\r\n    tcp dport 22 accept\n  }\n}\nx';
  const plain = new LineIndex(text);

  it('gives the positions LineIndex gives, in text order', () => {
    const hinted = new HintedLineIndex(text);
    for (let off = 0; off <= text.length + 2; off++) expect(hinted.position(off)).toEqual(plain.position(off));
  });

  it('gives the positions LineIndex gives, backwards and jumping', () => {
    const hinted = new HintedLineIndex(text);
    const offsets = [text.length, 0, 40, 19, 20, 21, 5, text.length - 1, 36, 37, -1, 60, 1];
    for (const off of offsets) expect(hinted.position(off)).toEqual(plain.position(off));
    for (let off = text.length; off >= 0; off--) expect(hinted.span(off, off + 3)).toEqual(plain.span(off, off + 3));
  });

  it('gives the spans LineIndex gives (compared as JSON: spans keep their numbers in private fields)', () => {
    const hinted = new HintedLineIndex(text);
    const pairs: [number, number][] = [];
    for (let a = -1; a <= text.length + 2; a++) for (const d of [0, 1, 7, 30]) pairs.push([a, a + d]);
    pairs.push([40, 3], [text.length, 0], [5, text.length]);
    for (const [a, b] of pairs) expect(JSON.stringify(hinted.span(a, b))).toBe(JSON.stringify(plain.span(a, b)));
    expect(JSON.stringify(hinted.span(21, 36))).toBe('{"start":{"line":3,"column":1,"offset":21},"end":{"line":3,"column":16,"offset":36}}');
  });

  it('keeps a span within one line as a LineSpan, and falls back to PackedSpan past its limits', () => {
    const hinted = new HintedLineIndex(text);
    expect(hinted.span(21, 36)).toBeInstanceOf(LineSpan);
    expect(hinted.span(5, 25)).toBeInstanceOf(PackedSpan); // two lines
    const long = `${'x'.repeat(70000)}\nab`;
    const hl = new HintedLineIndex(long);
    const pl = new LineIndex(long);
    for (const [a, b] of [[65535, 65540], [65536, 65537], [0, 32767], [0, 32768], [70001, 70003]] as const) {
      expect(JSON.stringify(hl.span(a, b))).toBe(JSON.stringify(pl.span(a, b)));
    }
    expect(hl.span(65535, 65540)).toBeInstanceOf(LineSpan);
    expect(hl.span(65536, 65537)).toBeInstanceOf(PackedSpan); // column past 65536
    expect(hl.span(0, 32768)).toBeInstanceOf(PackedSpan); // 32 K long
    expect(hl.span(0, 32767).end).toEqual({ line: 1, column: 32768, offset: 32767 });
  });

  it('works on a text without newlines and on an empty text', () => {
    const one = new HintedLineIndex('abc');
    expect(one.position(2)).toEqual({ line: 1, column: 3, offset: 2 });
    const empty = new HintedLineIndex('');
    expect(empty.position(0)).toEqual({ line: 1, column: 1, offset: 0 });
  });
});

describe('nftables lexer', () => {
  it('gives keywords, operators and words with their offsets', () => {
    const text = 'ip saddr != 10.0.0.0/8 tcp dport { 22, 1761-1768 } counter accept # c\n';
    const src = { text, li: new LineIndex(text) };
    const toks = lex(src, [], []).map((t) => [t.t, t.v, t.s, t.e]);
    expect(toks).toEqual([
      ['word', 'ip', 0, 2],
      ['word', 'saddr', 3, 8],
      ['punct', '!=', 9, 11],
      ['word', '10.0.0.0/8', 12, 22],
      ['word', 'tcp', 23, 26],
      ['word', 'dport', 27, 32],
      ['punct', '{', 33, 34],
      ['word', '22', 35, 37],
      ['punct', ',', 37, 38],
      ['word', '1761-1768', 39, 48],
      ['punct', '}', 49, 50],
      ['word', 'counter', 51, 58],
      ['word', 'accept', 59, 65],
      ['nl', '\n', 69, 70],
    ]);
  });

  it('reads every two-character operator and words that only start like a keyword', () => {
    const text = 'a<=b >= c == d << e >> f iptables ipx accepted';
    const src = { text, li: new LineIndex(text) };
    const vals = lex(src, [], undefined).map((t) => t.v);
    expect(vals).toEqual(['a', '<=', 'b', '>=', 'c', '==', 'd', '<<', 'e', '>>', 'f', 'iptables', 'ipx', 'accepted']);
  });
});
