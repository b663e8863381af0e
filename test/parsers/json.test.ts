import { describe, expect, it } from 'vitest';
import { readJson } from '../../src/parsers/json.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonTree, toPlain, type PValue } from '../../src/parsers/values.js';

const fixture = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/nftables/cft-server.json'), 'utf8');

/** Every node's and key's place, in document order. */
function spans(v: PValue, out: string[] = []): string[] {
  out.push(`${v.kind} ${v.span.start.line}:${v.span.start.column}@${v.span.start.offset}-${v.span.end.line}:${v.span.end.column}@${v.span.end.offset}`);
  if (v.kind === 'array') for (const i of v.items) spans(i, out);
  if (v.kind === 'object')
    for (const e of v.entries) {
      out.push(`key ${e.key} ${e.keySpan.start.line}:${e.keySpan.start.column}@${e.keySpan.start.offset}-${e.keySpan.end.offset}`);
      spans(e.value, out);
    }
  return out;
}

/** The tree without positions, as plain JSON values. */
function plain(v: PValue | undefined): unknown {
  if (!v) return undefined;
  switch (v.kind) {
    case 'scalar':
      return v.value;
    case 'array':
      return v.items.map(plain);
    case 'object':
      return Object.fromEntries(v.entries.map((e) => [e.key, plain(e.value)]));
    default:
      return `expr:${v.text}`;
  }
}

describe('the positioned JSON reader (AWS, GCP, Azure and nft -j exports)', () => {
  it('reads numbers as JSON.parse does (integer fast path and the general path)', () => {
    const text = '[0, 7, 22, 65535, 123456789012345, 1234567890123456789, -1, -0, 1.5, 2e3, 1E+2, 0.25, true, false, null]';
    const r = readJson(text);
    expect(r.diagnostics).toEqual([]);
    expect(plain(r.value)).toEqual(JSON.parse(text));
  });

  it('falls back to the full parser for a leading zero (not JSON)', () => {
    const r = readJson('{"FromPort": 022}');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0]!.severity).toBe('error');
  });

  it('keeps members and items of nested containers apart and in order', () => {
    const text = '{"a": [1, {"b": [], "c": {"d": [2, [3, 4], {}]}}, 5], "e": {"f": "g"}, "h": []}';
    const r = readJson(text);
    expect(plain(r.value)).toEqual(JSON.parse(text));
    const root = r.value!;
    if (root.kind !== 'object') throw new Error('object expected');
    expect(root.entries.map((e) => e.key)).toEqual(['a', 'e', 'h']);
  });

  it('gives exact positions for keys and values on several lines', () => {
    const text = '{\n  "IpProtocol": "tcp",\n  "FromPort": 22\n}';
    const r = readJson(text);
    const root = r.value!;
    if (root.kind !== 'object') throw new Error('object expected');
    const [proto, port] = root.entries;
    expect(proto!.keySpan).toEqual({ start: { line: 2, column: 3, offset: 4 }, end: { line: 2, column: 15, offset: 16 } });
    expect(port!.value.span).toEqual({ start: { line: 3, column: 15, offset: 39 }, end: { line: 3, column: 17, offset: 41 } });
    expect(root.span).toEqual({ start: { line: 1, column: 1, offset: 0 }, end: { line: 4, column: 2, offset: 43 } });
  });

  it('reads objects with the same keys one after another', () => {
    const r = readJson('[{"GroupId": "sg-1", "Description": "a"}, {"GroupId": "sg-2", "Description": "b"}]');
    expect(plain(r.value)).toEqual([
      { GroupId: 'sg-1', Description: 'a' },
      { GroupId: 'sg-2', Description: 'b' },
    ]);
  });

  it('reports a trailing comma and still reads the value', () => {
    const r = readJson('{"a": [1, 2,], }');
    expect(plain(r.value)).toEqual({ a: [1, 2] });
    expect(r.diagnostics.map((d) => [d.code, d.span.start.column])).toEqual([
      ['json/trailing-comma', 12],
      ['json/trailing-comma', 14],
    ]);
  });

  it('gives the same values and positions as the full parser (an nft -j dump, escapes, every scalar kind)', () => {
    const fast = readJson(fixture);
    expect(fast.diagnostics).toEqual([]);
    expect(toPlain(fast.value)).toEqual(JSON.parse(fixture));
    expect(spans(fast.value!)).toEqual(spans(parseJsonTree(fixture).value!));
    const esc = '{"a": ["x\\"y\\\\", -1.5e3, true, false, null, {}, "\\u00e9\\n"]}';
    expect(toPlain(readJson(esc).value)).toEqual(JSON.parse(esc));
    expect(spans(readJson(esc).value!)).toEqual(spans(parseJsonTree(esc).value!));
  });

  it('reads values one after another (JSON Lines, appended outputs) as the array of them, with their own places', () => {
    const r = readJson('{"a": 1}\n{"b": [2]}\n\n[3]\n');
    expect(r.diagnostics).toEqual([]);
    expect(toPlain(r.value)).toEqual([{ a: 1 }, { b: [2] }, [3]]);
    if (r.value?.kind !== 'array') throw new Error('array expected');
    expect(r.value.items.map((i) => `${i.span.start.line}:${i.span.start.column}-${i.span.end.line}:${i.span.end.column}`)).toEqual(['1:1-1:9', '2:1-2:11', '4:1-4:4']);
    expect(r.value.span).toEqual({ start: { line: 1, column: 1, offset: 0 }, end: { line: 4, column: 4, offset: 24 } });
  });

  it('a one-document format (several: false) gets a syntax error at the second value, not an array', () => {
    const r = readJson('{"a": 1}\n{"b": 2}\n', { several: false });
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([['json/syntax', 2]]);
  });

  it('falls back to the full parser, which tolerates comments, and gives syntax errors a place', () => {
    const c = readJson('// exported\n{"a": [1]}');
    expect(c.diagnostics).toEqual([]);
    expect(toPlain(c.value)).toEqual({ a: [1] });
    for (const bad of ['{"a": }', '[1 2]', '"\\u12'])
      expect(readJson(bad).diagnostics.map((d) => [d.severity, d.code])).toEqual([['error', 'json/syntax']]);
  });

  it('a document nested too deeply for the parser is an error that says so, not a stack overflow as a syntax error', () => {
    const d = 200_000;
    const r = readJson(`{"SecurityGroups": ${'['.repeat(d)}${']'.repeat(d)}}`);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((x) => [x.severity, x.code, x.message])).toEqual([['error', 'json/too-deep', 'JSON nested too deeply to read (thousands of levels)']]);
  });
});
