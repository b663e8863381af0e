import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJsonViews } from '../../../src/parsers/nftables/fastjson.js';
import { parseJsonTree, toPlain, type PValue } from '../../../src/parsers/values.js';

const fixture = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/nftables/cft-server.json'), 'utf8');

describe('the JSON.parse reader of very big nft -j dumps', () => {
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
