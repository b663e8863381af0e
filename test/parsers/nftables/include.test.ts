import { describe, expect, it } from 'vitest';
import { hasWildcard, wildcardMatch } from '../../../src/parsers/nftables/include.js';
import { parseNftables } from '../../../src/parsers/nftables/index.js';
import type { IncludeReader } from '../../../src/parsers/types.js';
import { chainOf, diags, rulesOf } from './helpers.js';

describe('include wildcards', () => {
  it('matches names as glob(3) does: *, ?, classes, no leading dot', () => {
    expect(hasWildcard('/etc/nftables.d/*.nft')).toBe(true);
    expect(hasWildcard('rules.nft')).toBe(false);
    expect(wildcardMatch('10-cft.nft', '*.nft')).toBe(true);
    expect(wildcardMatch('10-cft.nft.bak', '*.nft')).toBe(false);
    expect(wildcardMatch('.hidden.nft', '*.nft')).toBe(false);
    expect(wildcardMatch('a1.nft', '?[0-9].nft')).toBe(true);
    expect(wildcardMatch('ab.nft', '?[!0-9].nft')).toBe(true);
    expect(wildcardMatch('a1.nft', '?[!0-9].nft')).toBe(false);
    expect(wildcardMatch('x', '*')).toBe(true);
    expect(wildcardMatch('a'.repeat(5000), '*a*a*a*a*a*b')).toBe(false);
  });

  it('a wildcard include loads every file the reader gives, in order; none is a warning, not an error', () => {
    const reader: IncludeReader = (p) =>
      p === 'conf.d/*.nft'
        ? { files: [{ path: '/x/conf.d/10-a.nft', text: 'add rule inet t c tcp dport 1761 accept\n' }, { path: '/x/conf.d/20-b.nft', text: 'add rule inet t c tcp dport 1762 accept\n' }] }
        : { files: [] };
    const doc = parseNftables('table inet t {\n chain c {\n }\n}\ninclude "conf.d/*.nft"\ninclude "empty.d/*"\n', { filePath: '/x/main.nft', readInclude: reader });
    expect(diags(doc)).toEqual(['warning nftables/include-empty 6:1-6:20']);
    expect(rulesOf(doc, 'c')).toEqual(['dstport=1761 proto=6 => accept', 'dstport=1762 proto=6 => accept']);
    expect(chainOf(doc, 'c').rules[1]!.span.start.line).toBe(5);
  });
});
