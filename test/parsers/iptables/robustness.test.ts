/**
 * Bad input: random and mutated iptables text never makes the parser throw, every
 * diagnostic has a real position, and parse time stays roughly linear.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FirewallDocument } from '../../../src/model/index.js';
import { parseIptables } from '../../../src/parsers/iptables/index.js';

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/iptables');
const fixtures = readdirSync(fixturesDir)
  .sort()
  .map((f) => readFileSync(path.join(fixturesDir, f), 'utf8'));

function checkDoc(doc: FirewallDocument, text: string): void {
  for (const d of doc.diagnostics) {
    expect(d.span.start.line).toBeGreaterThanOrEqual(1);
    expect(d.span.start.column).toBeGreaterThanOrEqual(1);
    expect(d.span.end.offset).toBeGreaterThanOrEqual(d.span.start.offset);
    expect(d.span.end.offset).toBeLessThanOrEqual(text.length);
  }
  for (const rs of doc.rulesets)
    for (const t of rs.tables)
      for (const c of t.chains)
        for (const r of c.rules) {
          expect(r.span.start.line).toBeGreaterThanOrEqual(1);
          expect(r.span.start.column).toBeGreaterThanOrEqual(1);
          for (const m of r.matches) if (m.span) expect(m.span.start.offset).toBeGreaterThanOrEqual(r.span.start.offset);
        }
}

function parseAll(text: string): void {
  for (const mode of ['save', 'script', 'auto'] as const) {
    let doc: FirewallDocument | undefined;
    expect(() => {
      doc = parseIptables(text, { mode });
    }).not.toThrow();
    checkDoc(doc!, text);
    expect(doc!.diagnostics.some((d) => d.code === 'iptables/internal')).toBe(false);
  }
}

const PIECES = [
  '*filter', '*nat', '*bogus', ':INPUT DROP [0:0]', ':X - [0:0]', 'COMMIT', '-A', '-I', '-D', '-R', '-N', '-X', '-F', '-P', '-Z', 'INPUT', 'X', '1', '99',
  '-p', 'tcp', '!', '-s', '10.0.0.0/8', '1.2.3.4,5.6.7.8', '::1/128', '-d', '-i', 'eth+', '--dport', '22:80', ':', '-m', 'multiport', '--dports', '1,2,3:4',
  'conntrack', '--ctstate', 'NEW,BOGUS', '-j', 'ACCEPT', 'DNAT', '--to-destination', '[::1]:80', '"', '\\"', "'", '\\', '$X', '${Y', '$(', '`', '#', '\n', '\r\n',
  ' ', '\t', 'iptables', 'ip6tables', 'for', 'do', 'done', 'if', 'then', 'fi', '<<EOF', 'EOF', ';', '&&', '|', '(', ')', '{', '}', '=', 'A=b', '[1:2]', '-t', 'nat', '-4', '-6', '--', '-',
];

describe('iptables parser robustness', () => {
  it('never throws on random token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }), fc.array(fc.constantFrom(' ', '\n', ''), { maxLength: 80 }), (parts, seps) => {
        parseAll(parts.map((p, i) => p + (seps[i] ?? ' ')).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        parseAll(s);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated fixture files (deletions, insertions, swaps)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('', '!', '"', "'", '\\', '\n', ' -j ', ' --dport ', ',', ':', '/', '$', '-', '#', '\r', '\\\n', '[', 'x')), { maxLength: 12 }),
        (text, edits) => {
          let t = text;
          for (const [at, del, ins] of edits) {
            const i = at % (t.length + 1);
            t = t.slice(0, i) + ins + t.slice(i + del);
          }
          parseAll(t);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports a parse of a 20k-line generated file in well under a second (printed, not asserted tightly)', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':USER - [0:0]'];
    for (let i = 0; lines.length < 20_000; i++) {
      const a = `10.${(i >> 8) & 255}.${i & 255}.0/24`;
      lines.push(
        i % 3 === 0
          ? `[${i}:${i * 60}] -A INPUT -s ${a} -p tcp -m tcp --dport ${1 + (i % 65000)} -m conntrack --ctstate NEW -j ACCEPT`
          : i % 3 === 1
            ? `-A USER ! -d ${a} -p udp -m multiport --dports 53,123,1761:1768 -m comment --comment "rule ${i}" -j DROP`
            : `-A FORWARD -i eth0 -o eth1 -m limit --limit 5/min -j USER`,
      );
    }
    lines.push('COMMIT', '');
    const text = lines.join('\n');
    parseIptables(text, { mode: 'save' });
    const t0 = performance.now();
    const doc = parseIptables(text, { mode: 'save' });
    const ms = performance.now() - t0;
    const half = text.slice(0, text.lastIndexOf('\n', text.length / 2)) + '\nCOMMIT\n';
    const t1 = performance.now();
    parseIptables(half, { mode: 'save' });
    const msHalf = performance.now() - t1;
    console.log(`iptables: 20k-line file (${text.length} bytes) parsed in ${ms.toFixed(1)} ms; half of it in ${msHalf.toFixed(1)} ms`);
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets[0]!.tables[0]!.chains.reduce((n, c) => n + c.rules.length, 0)).toBe(19_995);
    // generous bound: catches quadratic behaviour, not machine noise
    expect(ms).toBeLessThan(5_000);
  });

  it('measures a generated 100,000-rule iptables-save file (printed; bound only catches pathologies)', () => {
    const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':USER - [0:0]'];
    for (let i = 0; i < 100_000; i++) {
      const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      lines.push(
        i % 4 === 0
          ? `-A INPUT -s ${a}/32 -p tcp -m tcp --dport ${1 + (i % 65000)} -j ACCEPT`
          : i % 4 === 1
            ? `-A INPUT -d ${a}/32 -p udp -m multiport --dports 53,1761:1768 -j DROP`
            : i % 4 === 2
              ? `-A FORWARD -i eth0 -s ${a} -m conntrack --ctstate NEW -j USER`
              : `-A USER -p tcp -m tcp --dport 22 -m limit --limit 5/min -j LOG`,
      );
    }
    lines.push('COMMIT', '');
    const text = lines.join('\n');
    parseIptables(text.slice(0, 500_000) + '\nCOMMIT\n', { mode: 'save' });
    const t0 = performance.now();
    const doc = parseIptables(text, { mode: 'save' });
    const ms = performance.now() - t0;
    console.log(`iptables: 100,000-rule file (${(text.length / 1e6).toFixed(1)} MB) parsed in ${ms.toFixed(0)} ms`);
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets[0]!.tables[0]!.chains.reduce((n, c) => n + c.rules.length, 0)).toBe(100_000);
    expect(ms).toBeLessThan(30_000);
  });

  it('parses scripts with many commands linearly too', () => {
    const lines = ['IPT=iptables', 'NET=10.0.0.0/8'];
    for (let i = 0; i < 5_000; i++) lines.push(`$IPT -A INPUT -s "$NET" -p tcp --dport ${i + 1} \\\n  -m comment --comment 'r ${i}' -j ACCEPT`);
    const text = lines.join('\n');
    const t0 = performance.now();
    const doc = parseIptables(text, { mode: 'script' });
    console.log(`iptables: 5k-command script parsed in ${(performance.now() - t0).toFixed(1)} ms`);
    expect(doc.diagnostics).toEqual([]);
    // (and the two that stand for INPUT's rules before the script, which it does not flush)
    expect(doc.rulesets[0]!.tables[0]!.chains[0]!.rules.filter((r) => !r.builtIn)).toHaveLength(5_000);
  });
});
