import { describe, expect, it } from 'vitest';
import { tracePacket } from '../../../src/analysis/index.js';
import { parseNftables } from '../../../src/parsers/nftables/index.js';

const ruleset = (rule: string) => parseNftables(`table inet t {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ${rule}\n  }\n}\n`).rulesets[0]!;
const probe = (dport: number, state: 'new' | 'established' = 'new') => ({ family: 'ipv4' as const, proto: 'tcp' as const, dport, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', hook: 'input' as const, state });

describe('statements after a verdict map (found by the kernel-differential test)', () => {
  it('a key in the map ends the rule: later matches never run (the kernel accepts)', () => {
    expect(tracePacket(ruleset('tcp dport vmap { 1765 : accept } ct state established'), probe(1765)).verdict).toBe('accept');
  });
  it('a key not in the map goes on with the statements after it', () => {
    const rs = ruleset('tcp dport vmap { 1765 : accept } ct state established accept');
    expect(tracePacket(rs, probe(22)).verdict).toBe('drop');
    expect(tracePacket(rs, probe(22, 'established')).verdict).toBe('accept');
    expect(tracePacket(rs, probe(1765)).verdict).toBe('accept');
  });
});
