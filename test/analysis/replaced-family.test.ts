/**
 * A file that replaces the host's ruleset (`flush ruleset`) and has no table of one family lets every packet of
 * that family in (kernel-checked: an ip6-only ruleset loaded with `nft -f` accepts every IPv4 probe). The tracer
 * says accept and the exposure holds that family, wholly open; without `flush ruleset` the file is a fragment of
 * what the host loads, and that family stays out of its scope.
 */
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket } from '../../src/analysis/index.js';
import { formatPorts, type Ruleset } from '../../src/model/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';

function nft(text: string): Ruleset {
  const doc = parseNftables(text, { filePath: 'x.nft' });
  expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return doc.rulesets[0]!;
}

const V6_ONLY = `table ip6 fw {
	chain input {
		type filter hook input priority filter; policy drop;
		tcp dport 22 accept
	}
}
`;

function entries(rs: Ruleset): string[] {
  return computeExposure(rs, { hook: 'input' }).entries.map((e) => `${e.family} ${formatPorts(e.protocols)} ${formatPorts(e.dports)} ${e.certainty} ${e.rule ? e.rule.span.start.line : 'policy'}`);
}

describe('a family no table of a replacing ruleset filters', () => {
  test('flush ruleset: IPv4 is accepted and exposed; not so in a fragment', () => {
    const rs = nft(`flush ruleset\n${V6_ONLY}`);
    // was "unknown" (the ruleset does not filter ipv4) and no IPv4 entry: closed for the exposure
    expect(tracePacket(rs, { proto: 'udp', dport: 5000, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0' }).verdict).toBe('accept');
    expect(entries(rs)).toEqual(['ipv4 0-255 all open policy', 'ipv6 6 22 open 5']);
    // a fragment (no flush ruleset): IPv4 stays out of scope
    const frag = nft(V6_ONLY);
    expect(tracePacket(frag, { proto: 'udp', dport: 5000, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0' }).verdict).toBe('unknown');
    expect(entries(frag)).toEqual(['ipv6 6 22 open 4']);
  });

  test('a fragment\'s unfiltered family is possibly open to a packet\'s classification, never closed', () => {
    // (the same file as an `nft list ruleset` listing, which has no flush ruleset: the kernel that loaded it accepts
    // IPv4; a fragment says nothing of it, so neither closed nor open)
    const probe = { proto: 'udp', dport: 5000, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0' } as const;
    expect(classifyPacket(computeExposure(nft(V6_ONLY), { hook: 'input' }), probe)).toBe('possibly-open');
    expect(classifyPacket(computeExposure(nft(`flush ruleset\n${V6_ONLY}`), { hook: 'input' }), probe)).toBe('open');
    // the family it filters is decided as ever
    expect(classifyPacket(computeExposure(nft(V6_ONLY), { hook: 'input' }), { proto: 'tcp', dport: 23, src: '2001:db8::2', dst: '2001:db8::1', iif: 'eth0' })).toBe('closed');
  });
});
