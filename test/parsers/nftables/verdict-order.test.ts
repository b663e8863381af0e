import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { classifyPacket, computeExposure, tracePacket } from '../../../src/analysis/index.js';
import { formatPorts } from '../../../src/model/index.js';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';

const ruleset = (rule: string) => parseNftables(`table inet t {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ${rule}\n  }\n}\n`).rulesets[0]!;
const probe = (dport: number, state: 'new' | 'established' = 'new') => ({ family: 'ipv4' as const, proto: 'tcp' as const, dport, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', hook: 'input' as const, state });

describe('statements after a verdict map (found by the kernel-differential test)', () => {
  it('a key in the map ends the rule: later matches never run (the kernel accepts)', () => {
    expect(tracePacket(ruleset('tcp dport vmap { 1765 : accept } ct state established'), probe(1765)).verdict).toBe('accept');
  });
  it('a key not in the map breaks the rule (nft_lookup_eval: NFT_BREAK): the statements after it never run', () => {
    // kernel 6.18: a counter after the map counts nothing for a port not in it, the next rule counts the packet
    const rs = ruleset('tcp dport vmap { 1765 : accept } ct state established accept');
    expect(tracePacket(rs, probe(22)).verdict).toBe('drop');
    expect(tracePacket(rs, probe(22, 'established')).verdict).toBe('drop');
    expect(tracePacket(rs, probe(1765)).verdict).toBe('accept');
  });
  it('a drop after a verdict map closes nothing the map does not hold (the kernel accepts 443 on the policy)', () => {
    const rs = parseNftables('table inet t {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport vmap { 22 : accept, 80 : drop } drop\n  }\n}\n').rulesets[0]!;
    expect(tracePacket(rs, probe(443)).verdict).toBe('accept');
    expect(tracePacket(rs, probe(80)).verdict).toBe('drop');
    const e = computeExposure(rs).entries.filter((x) => x.family === 'ipv4').map((x) => [formatPorts(x.protocols), formatPorts(x.dports), x.rule?.span.start.line ?? 'policy', x.certainty]);
    expect(e).toEqual([
      ['6', '22', 4, 'open'],
      ['0-5, 7-255', 'all', 'policy', 'open'],
      ['6', '0-21, 23-79, 81-65535', 'policy', 'open'],
    ]);
  });
  it('an element whose verdict is continue goes on with the statements after the map', () => {
    const rs = parseNftables('table inet t {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport vmap { 22 : continue, 80 : accept } drop\n  }\n}\n').rulesets[0]!;
    expect(tracePacket(rs, probe(22)).verdict).toBe('drop');
    expect(tracePacket(rs, probe(443)).verdict).toBe('accept');
    expect(tracePacket(rs, probe(80)).verdict).toBe('accept');
  });
});

describe('a statement that looks its value up in a map (found by the syntax audit, checked in the kernel)', () => {
  const rs = (stmt: string) =>
    parseNftables(`table inet t {\n  counter c { }\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ${stmt}\n  }\n}\n`).rulesets[0]!;
  const lines = (r: ReturnType<typeof rs>) =>
    computeExposure(r).entries.filter((x) => x.family === 'ipv4').map((x) => `${formatPorts(x.protocols)} ${formatPorts(x.dports)} ${x.certainty}`);
  it('a key not in the map breaks the rule: the drop after it takes the map keys alone (kernel 6.18: 80, 443 accepted)', () => {
    for (const s of ['meta mark set tcp dport map { 22 : 1 } drop', 'ct mark set tcp dport map { 22 : 1 } drop']) {
      const r = rs(s);
      expect(tracePacket(r, probe(22)).verdict, s).toBe('drop');
      expect(tracePacket(r, probe(443)).verdict, s).toBe('accept');
      expect(lines(r), s).toEqual(['0-5, 7-255 all open', '6 0-21, 23-65535 open']);
    }
    // a catch-all element: every key is in the map
    expect(tracePacket(rs('meta mark set tcp dport map { 22 : 1, * : 2 } drop'), probe(443)).verdict).toBe('drop');
    // a named object chosen by the key: the same test (nft -j lists it as the counter's map)
    expect(lines(rs('counter name tcp dport map { 22 : "c" } drop'))).toEqual(['0-5, 7-255 all open', '6 0-21, 23-65535 open']);
    // a map not written out here: undecided, never closed
    expect(lines(rs('meta mark set tcp dport map @nosuch drop'))).toEqual(['0-5, 7-255 all open', '6 all possibly-open']);
  });
  it('the JSON dump reads the same', () => {
    const json = JSON.stringify({
      nftables: [
        { table: { family: 'inet', name: 't' } },
        { chain: { family: 'inet', table: 't', name: 'input', type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
        { rule: { family: 'inet', table: 't', chain: 'input', expr: [{ mangle: { key: { meta: { key: 'mark' } }, value: { map: { key: { payload: { protocol: 'tcp', field: 'dport' } }, data: { set: [[22, 1]] } } } } }, { drop: null }] } },
      ],
    });
    const r = parseNftablesJson(json).rulesets[0]!;
    expect(tracePacket(r, probe(443)).verdict).toBe('accept');
    expect(tracePacket(r, probe(22)).verdict).toBe('drop');
  });
});

describe('a verdict map over numgen (kube-proxy endpoints): the element that completes the numbers it gives is always hit', () => {
  const text = readFileSync(new URL('../../../fixtures/nftables/numgen-endpoints.nft', import.meta.url), 'utf8');
  const json = readFileSync(new URL('../../../fixtures/nftables/numgen-endpoints.nft.json', import.meta.url), 'utf8');
  for (const [name, rs] of [['text', parseNftables(text).rulesets[0]!], ['nft -j', parseNftablesJson(json).rulesets[0]!]] as const) {
    it(`${name}: open where every number it gives ends in an accept (was: possibly open), else possibly open`, () => {
      const e = computeExposure(rs, { hook: 'input' });
      const at = (dport: number) => classifyPacket(e, { ...probe(dport), src: '198.51.100.7' });
      expect([1761, 1762, 1763, 1764, 1765, 1766].map(at)).toEqual(['open', 'open', 'possibly-open', 'possibly-open', 'possibly-open', 'closed']);
      expect([1761, 1762, 1763, 1764, 1765].map((p) => tracePacket(rs, probe(p)).verdict)).toEqual(['accept', 'accept', 'unknown', 'unknown', 'unknown']);
    });
  }
});
