import { describe, expect, it } from 'vitest';
import { nftablesFormat, nftablesJsonFormat } from '../../../src/parsers/nftables/index.js';

describe('format detection', () => {
  it('nftables text by name or by its first statement', () => {
    expect(nftablesFormat.id).toBe('nftables');
    expect(nftablesFormat.language).toBe('nftables');
    expect(nftablesFormat.detect('host.nft', '')).toBeGreaterThan(0);
    expect(nftablesFormat.detect('nftables.conf', '')).toBeGreaterThan(0);
    expect(nftablesFormat.detect('rules', '#!/usr/sbin/nft -f\nflush ruleset\n')).toBeGreaterThan(0);
    expect(nftablesFormat.detect('rules', '# comment\n\ntable inet filter {\n}\n')).toBeGreaterThan(0);
    expect(nftablesFormat.detect('rules', 'flush ruleset\n')).toBeGreaterThan(0);
    expect(nftablesFormat.detect('rules', 'define X = 1\n')).toBeGreaterThan(0);
    expect(nftablesFormat.detect('rules', 'add table ip t\n')).toBeGreaterThan(0);
    expect(nftablesFormat.detect('rules.v4', '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n')).toBe(0);
    expect(nftablesFormat.detect('tables.txt', 'tablespoon\n')).toBe(0);
    expect(nftablesFormat.detect('x.json', '{"nftables": []}')).toBe(0);
  });

  it('nftables JSON by content', () => {
    expect(nftablesJsonFormat.id).toBe('nftables-json');
    expect(nftablesJsonFormat.language).toBe('json');
    expect(nftablesJsonFormat.detect('ruleset.json', '{"nftables": [{"metainfo": {}}]}')).toBeGreaterThan(0);
    expect(nftablesJsonFormat.detect('anything', '\n  {\n   "nftables" : []}')).toBeGreaterThan(0);
    expect(nftablesJsonFormat.detect('sg.json', '{"SecurityGroups": []}')).toBe(0);
    expect(nftablesJsonFormat.detect('x.nft', 'table ip t {}')).toBe(0);
  });

  it('parse() goes through the same parsers', () => {
    expect(nftablesFormat.parse('table ip t {\n}\n', {}).rulesets[0]!.tables[0]!.name).toBe('t');
    expect(nftablesJsonFormat.parse('{"nftables": [{"table": {"family": "ip6", "name": "u"}}]}', {}).rulesets[0]!.tables[0]!.family).toBe('ip6');
  });
});
