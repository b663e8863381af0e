import { describe, expect, it } from 'vitest';
import '../../src/parsers/formats.js';
import { parseWithFormat } from '../../src/eslint/language.js';
import { formatById } from '../../src/parsers/registry.js';
import { parseSuppressions } from '../../src/suppressions/index.js';

describe('suppression parsing cost', () => {
  it('100k commented rules with a few directives: linear, well under a second', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let i = 0; i < 100_000; i++) {
      lines.push(i % 10_000 === 0 ? '# fwlint-ignore ports=22 -- x' : `# rule ${i}`);
      lines.push(`-A INPUT -p tcp -s 10.${(i >> 8) & 255}.${i & 255}.0/24 --dport ${1024 + (i % 5000)} -j ACCEPT`);
    }
    lines.push('COMMIT', '');
    const text = lines.join('\n');
    const doc = parseWithFormat(formatById('iptables-save')!, text, 'big.rules');
    const t0 = performance.now();
    const s = parseSuppressions(doc, text);
    const ms = performance.now() - t0;
    console.log(`parseSuppressions on 100k rules: ${ms.toFixed(1)} ms`);
    expect(s.map((x) => x.covers!.start)).toEqual(Array.from({ length: 10 }, (_, k) => 6 + k * 20_000));
    expect(ms).toBeLessThan(15_000); // a hang guard against quadratic lookups, not a speed assertion (speed: npm run bench)
  });

  it('20k nft rules each with a trailing directive: no quadratic lookup', () => {
    const lines = ['table inet f {', '  chain input {', '    type filter hook input priority 0; policy drop;'];
    for (let i = 0; i < 20_000; i++) lines.push(`    ip saddr 10.${(i >> 8) & 255}.${i & 255}.0/24 tcp dport ${1024 + (i % 5000)} accept # fwlint-ignore ports=${1024 + (i % 5000)} -- r${i}`);
    lines.push('  }', '}', '');
    const text = lines.join('\n');
    const doc = parseWithFormat(formatById('nftables')!, text, 'big.nft');
    const t0 = performance.now();
    const s = parseSuppressions(doc, text);
    const ms = performance.now() - t0;
    console.log(`parseSuppressions on 20k trailing directives: ${ms.toFixed(1)} ms`);
    expect(s.length).toBe(20_000);
    expect(s.every((x, i) => x.covers!.start === 4 + i && x.covers!.end === 4 + i)).toBe(true);
    expect(ms).toBeLessThan(15_000); // a hang guard against quadratic lookups, not a speed assertion (speed: npm run bench)
  });
});
