import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWithFormat } from '../../src/eslint/language.js';
import { formatById } from '../../src/parsers/registry.js';
import '../../src/parsers/formats.js';

describe('the include reader', () => {
  it('expands nft include wildcards relative to the including file, in alphabetical order, skipping dot files and directories', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-include-'));
    mkdirSync(join(d, 'conf.d', 'sub.nft'), { recursive: true });
    writeFileSync(join(d, 'conf.d', '20-b.nft'), 'add rule inet t c tcp dport 1762 accept\n');
    writeFileSync(join(d, 'conf.d', '10-a.nft'), 'add rule inet t c tcp dport 1761 accept\n');
    writeFileSync(join(d, 'conf.d', '.30-hidden.nft'), 'add rule inet t c tcp dport 1763 accept\n');
    const main = 'table inet t {\n chain c {\n }\n}\ninclude "./conf.d/*.nft"\ninclude "none.d/*.nft"\n';
    const doc = parseWithFormat(formatById('nftables')!, main, join(d, 'main.nft'));
    expect(doc.diagnostics.map((x) => `${x.severity} ${x.code} ${x.span.start.line}`)).toEqual(['warning nftables/include-empty 6']);
    const rules = doc.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => r.text)).toEqual(['tcp dport 1761 accept', 'tcp dport 1762 accept']);
  });

  it('an include of a directory is a warning: nft 1.0.6 loads nothing from it and exits 0', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-include-'));
    mkdirSync(join(d, 'conf.d'));
    writeFileSync(join(d, 'conf.d', '10-a.nft'), 'add rule inet t c tcp dport 1761 accept\n');
    const doc = parseWithFormat(formatById('nftables')!, 'include "./conf.d/"\n', join(d, 'main.nft'));
    expect(doc.diagnostics.map((x) => `${x.severity} ${x.code} ${x.span.start.line}`)).toEqual(['warning nftables/include-empty 1']);
    expect(doc.diagnostics[0]!.message).toContain('is a directory');
  });
});
