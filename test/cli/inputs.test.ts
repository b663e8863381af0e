import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFile, loadFile } from '../../src/cli/inputs.js';
import { DETECT_HEAD } from '../../src/parsers/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'fwl-inputs-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('detectFile (the format of a file ESLint reads again itself)', () => {
  const rules = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < 20000; i++) rules.push(`-A INPUT -s 10.${i % 250}.0.0/16 -p tcp -m tcp --dport ${1000 + (i % 5000)} -m comment --comment "règle ${i} ✓ 𝄞" -j ACCEPT`);
  rules.push('COMMIT', '');

  it('reads only the head, and decides as the whole text does', () => {
    const cases = [
      file('big.rules', rules.join('\n')),
      file('bom.rules', `\uFEFF${rules.join('\n')}`),
      // a head of two- and four-byte characters, cut inside a sequence at the end of the buffer
      file('wide.nft', `# ${'é'.repeat(70000)}${'𝄞'.repeat(40000)}\ntable inet f {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 1761 accept\n  }\n}\n`),
      file('short.nft', 'table inet f {\n}\n'),
      file('unknown.txt', 'hello\n'),
    ];
    for (const p of cases) {
      const whole = loadFile(p);
      const head = detectFile(p);
      expect(head.format?.id, p).toBe(whole.format?.id);
      expect(head.error, p).toBe(whole.error);
      expect(head.text!.slice(0, DETECT_HEAD), p).toBe(whole.text!.slice(0, DETECT_HEAD));
      expect(head.text!.length, p).toBeLessThanOrEqual(3 * DETECT_HEAD + 4);
    }
    expect(detectFile(cases[0]!).format?.id).toBe('iptables-save');
    expect(detectFile(cases[2]!).format?.id).toBe('nftables');
    expect(detectFile(cases[4]!).format).toBeUndefined();
  });

  it('names a file it cannot read as an error', () => {
    const missing = join(dir, 'missing.rules');
    expect(detectFile(missing)).toEqual({ path: missing, error: 'cannot read ' + missing + ': ENOENT', unreadable: 'ENOENT' });
    expect(detectFile(dir).error).toBe(`cannot read ${dir}: EISDIR`);
  });

  it('takes the format it is told', () => {
    expect(detectFile(file('named.txt', 'hello\n'), 'nftables').format?.id).toBe('nftables');
  });
});
