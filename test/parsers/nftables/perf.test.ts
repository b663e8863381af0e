import { describe, expect, it } from 'vitest';
import { canonicalRule } from '../../../src/model/index.js';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';

const N = 100_000;

function bigText(): string {
  const lines = ['table inet filter {', '\tset admins { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.0.0/16 } }', '\tchain input {', '\t\ttype filter hook input priority filter; policy drop;'];
  for (let i = 0; i < N; i++) {
    const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    switch (i % 4) {
      case 0:
        lines.push(`\t\tip saddr ${a} tcp dport ${1024 + (i % 60000)} counter accept comment "r${i}"`);
        break;
      case 1:
        lines.push(`\t\tip saddr @admins udp dport { 53, 1761-1768 } accept`);
        break;
      case 2:
        lines.push(`\t\tiifname "eth${i % 8}" ip6 saddr fe80::${(i % 65535).toString(16)} ct state new drop`);
        break;
      default:
        lines.push(`\t\tmeta l4proto tcp th dport != ${i % 65536} limit rate 10/second log prefix "x" drop`);
    }
  }
  lines.push('\t}', '}', '');
  return lines.join('\n');
}

function bigJson(): string {
  const items: unknown[] = [{ table: { family: 'inet', name: 'filter' } }, { chain: { family: 'inet', table: 'filter', name: 'input', type: 'filter', hook: 'input', prio: 0, policy: 'drop' } }];
  for (let i = 0; i < N; i++)
    items.push({
      rule: {
        family: 'inet',
        table: 'filter',
        chain: 'input',
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } },
          { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 1024 + (i % 60000) } },
          { counter: { packets: 0, bytes: 0 } },
          { accept: null },
        ],
      },
    });
  return JSON.stringify({ nftables: items });
}

describe('performance', () => {
  it(`parses ${N} text rules quickly`, () => {
    const text = bigText();
    const t0 = performance.now();
    const doc = parseNftables(text);
    const ms = performance.now() - t0;
    console.log(`nftables text: ${N} rules, ${(text.length / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms`);
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets[0]!.tables[0]!.chains[0]!.rules.length).toBe(N);
    expect(ms).toBeLessThan(15_000); // ~1 s on an idle core; generous for a shared, loaded machine
  });

  it(`parses ${N} JSON rules quickly`, () => {
    const text = bigJson();
    const t0 = performance.now();
    const doc = parseNftablesJson(text);
    const ms = performance.now() - t0;
    console.log(`nftables JSON: ${N} rules, ${(text.length / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms`);
    expect(doc.diagnostics).toEqual([]);
    const rules = doc.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.length).toBe(N);
    expect(canonicalRule(rules[N - 1]!)).toBe(`dstport=${1024 + ((N - 1) % 60000)} family=ipv4 proto=6 srcaddr=10.1.134.159/32 => accept`);
    // big dumps are read with JSON.parse: each rule still points at its own item
    expect(rules[1]!.span.start.offset).toBeGreaterThan(rules[0]!.span.end.offset);
    expect(JSON.parse(text.slice(rules[5]!.span.start.offset, rules[5]!.span.end.offset)).rule.expr[1].match.right).toBe(1029);
    expect(ms).toBeLessThan(30_000);
  });
});
