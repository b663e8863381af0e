/**
 * Helpers of the netfilter engine tests (untrack, marks): a parse that must have no error, the IPv4 exposure as
 * "proto ports certainty line" per entry, and one packet's traced verdict.
 */
import { expect } from 'vitest';
import { computeExposure, tracePacket } from '../../src/analysis/index.js';
import { formatPorts, type Ruleset } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';

export function ipt(text: string): Ruleset {
  const doc = parseIptables(text, { filePath: 'x.rules' });
  expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return doc.rulesets[0]!;
}

export function nft(text: string): Ruleset {
  const doc = parseNftables(text, { filePath: 'x.nft' });
  expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return doc.rulesets[0]!;
}

/** "proto ports certainty line" per exposure entry (IPv4), in order. */
export function exposure(rs: Ruleset): string[] {
  return computeExposure(rs, { hook: 'input' })
    .entries.filter((e) => e.family === 'ipv4')
    .map((e) => `${formatPorts(e.protocols).replace(/^6$/, 'tcp').replace(/^17$/, 'udp')} ${formatPorts(e.dports)} ${e.certainty} ${e.rule ? e.rule.span.start.line : 'policy'}`);
}

/** The traced verdict of one packet from 192.0.2.7 to 10.0.0.1 over eth0. */
export function verdict(rs: Ruleset, proto: 'tcp' | 'udp', dport: number): string {
  return tracePacket(rs, { proto, dport, src: '192.0.2.7', dst: '10.0.0.1', iif: 'eth0' }).verdict;
}
