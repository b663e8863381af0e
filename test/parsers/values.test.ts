import { describe, expect, it } from 'vitest';
import { parseJsonTree, parseYamlDocuments, parseYamlTree, splitYamlDocuments, storedText } from '../../src/parsers/values.js';

describe('the YAML reader', () => {
  it('a document nested too deeply for the parser is an error that says so, at the place it gave up', () => {
    const d = 100_000;
    const r = parseYamlTree(`Resources: ${'['.repeat(d)}${']'.repeat(d)}\n`);
    expect(r.diagnostics.map((x) => [x.code, x.message, x.span.start.line])).toEqual([['yaml/too-deep', 'YAML nested too deeply to read (thousands of levels)', 1]]);
  });

  it('splits a stream at --- and ... lines (CRLF too), leaving blank documents out, with offsets and first lines', () => {
    const text = '---\r\na: 1\r\n---\r\n\r\n--- \r\nb: 2\n...\nc: 3';
    expect(splitYamlDocuments(text).map((d) => [d.text, d.offset, d.lineOffset])).toEqual([
      ['a: 1\r\n', 5, 1],
      ['b: 2\n', 24, 5],
      ['c: 3', 33, 7],
    ]);
    const docs = parseYamlDocuments(text);
    expect(docs.values.map((v) => [v.kind, v.span.start.line, v.span.start.offset])).toEqual([
      ['object', 2, 5],
      ['object', 6, 24],
      ['object', 8, 33],
    ]);
  });

  it('a block collection ends at its last character, not at the next line (gcloud --format=yaml sourceRanges)', () => {
    const r = parseYamlTree('name: a\nsourceRanges:\n- 0.0.0.0/0\n\npriority: 1\n');
    const at = (s: { start: { line: number; column: number }; end: { line: number; column: number } }): string => `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`;
    expect(r.value?.kind).toBe('object');
    const o = r.value as Extract<typeof r.value, { kind: 'object' }>;
    expect(o.entries.map((e) => [e.key, at(e.value.span)])).toEqual([
      ['name', '1:7-1:8'],
      ['sourceRanges', '3:1-3:12'],
      ['priority', '5:11-5:12'],
    ]);
    expect(at(o.span)).toBe('1:1-5:12');
  });
});

describe('the JSON reader', () => {
  const errorOf = (text: string): [string, string] => {
    const d = parseJsonTree(text).diagnostics[0]!;
    return [`${d.span.start.line}:${d.span.start.column}`, d.message];
  };

  it('a file cut short says that the end came before a bracket closed, not that its last (right) token is unexpected', () => {
    expect(errorOf('{"SecurityGroups": [{"GroupId": "sg-1"}\n')).toEqual(['1:39', 'JSON syntax error: the text ends before a "]" or "}" closes the array or object this token is in (Unexpected token RBrace found. (1:39))']);
    expect(errorOf('[{"a": "]]"}, // ]]\n')).toEqual(['1:15', 'JSON syntax error: the text ends before a "]" or "}" closes the array or object this token is in (Unexpected token LineComment found. (1:15))']);
  });

  it('an extra or mismatched bracket is still the token named', () => {
    expect(errorOf('[{"a": 1}]]')).toEqual(['1:11', 'JSON syntax error: Unexpected token RBracket found. (1:11)']);
    expect(errorOf('{"a": [1}')).toEqual(['1:9', 'JSON syntax error: Unexpected token RBrace found. (1:9)']);
  });
});

describe('storedText (two stored copies of one cloud object compared)', () => {
  it('null, "", [] and absence are one; case and set order do not matter; an expression is no literal', () => {
    const v = parseJsonTree('{"a": null, "b": "", "c": [], "d": ["Y", "x"], "e": ["X", "y"], "f": "Tcp", "g": "tcp", "h": 22, "i": "22"}').value!;
    const t = (k: string) => storedText(v.kind === 'object' ? v.entries.find((e) => e.key === k)?.value : undefined);
    expect([t('a'), t('b'), t('c'), t('absent')]).toEqual(['', '', '', '']);
    expect(t('d')).toBe(t('e'));
    expect(t('f')).toBe(t('g'));
    expect(t('h')).toBe(t('i'));
    expect(storedText({ kind: 'expr', text: 'tcp', span: v.span })).not.toBe(t('g'));
  });
});
