import { describe, expect, it } from 'vitest';
import { readJson } from '../../../src/parsers/aws/json.js';
import type { PValue } from '../../../src/parsers/values.js';

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

describe('aws JSON reader', () => {
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
});
