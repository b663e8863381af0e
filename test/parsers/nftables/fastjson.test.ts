import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJsonFast, parseJsonViews } from '../../../src/parsers/nftables/fastjson.js';
import { parseJsonTree, toPlain, type PValue } from '../../../src/parsers/values.js';

const fixture = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/nftables/cft-server.json'), 'utf8');

function spans(v: PValue, out: string[] = []): string[] {
  out.push(`${v.kind} ${v.span.start.line}:${v.span.start.column}@${v.span.start.offset}-${v.span.end.line}:${v.span.end.column}@${v.span.end.offset}`);
  if (v.kind === 'array') for (const i of v.items) spans(i, out);
  if (v.kind === 'object')
    for (const e of v.entries) {
      out.push(`key ${e.key} ${e.keySpan.start.offset}-${e.keySpan.end.offset}`);
      spans(e.value, out);
    }
  return out;
}

describe('lean JSON readers for big dumps', () => {
  it('the one-pass reader gives the same values and positions as parseJsonTree', () => {
    const ref = parseJsonTree(fixture).value!;
    const fast = parseJsonFast(fixture)!;
    expect(toPlain(fast)).toEqual(JSON.parse(fixture));
    expect(spans(fast)).toEqual(spans(ref));
    const esc = '{"a": ["x\\"y\\\\", -1.5e3, true, false, null, {}]}';
    expect(toPlain(parseJsonFast(esc))).toEqual(JSON.parse(esc));
    expect(spans(parseJsonFast(esc)!)).toEqual(spans(parseJsonTree(esc).value!));
  });

  it('the one-pass reader declines what it does not accept', () => {
    for (const bad of ['{"a": 1,}', '// c\n{}', '{"a": }', '[1 2]', '{"a": "x\ny"}', '{} x', '"\\u12'])
      expect(parseJsonFast(bad)).toBeUndefined();
  });

  it('the JSON.parse view has exact item positions', () => {
    const ref = parseJsonTree(fixture).value!;
    const v = parseJsonViews(fixture)!;
    expect(toPlain(v)).toEqual(JSON.parse(fixture));
    const items = (p: PValue) => (p.kind === 'object' ? p.entries.find((e) => e.key === 'nftables')!.value : p);
    const a = items(v);
    const b = items(ref);
    if (a.kind !== 'array' || b.kind !== 'array') throw new Error('not arrays');
    const at = (i: PValue) => ({ start: i.span.start, end: i.span.end }); // positions, whatever object holds them
    expect(a.items.map(at)).toEqual(b.items.map(at));
    expect(parseJsonViews('{"nftables": [1, "a,]", [2]]}')!.kind).toBe('object');
    expect(parseJsonViews('{"nftables": [}')).toBeUndefined();
  });
});
