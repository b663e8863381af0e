import { describe, expect, it } from 'vitest';
import { computeExposure, tracePacket } from '../../../src/analysis/index.js';
import { formatPorts } from '../../../src/model/index.js';
import { parseNftables } from '../../../src/parsers/nftables/index.js';

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
