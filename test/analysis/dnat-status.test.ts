/**
 * A DNAT that gives a packet the address and port it already has leaves its connection without the DNAT status:
 * nf_nat_setup_info sets IPS_DST_NAT only when the new tuple differs from the old one, so `-m conntrack --ctstate
 * DNAT` (nft `ct status dnat`) does not match it. The exposure gave every packet a DNAT rule met the status, and
 * called such a port closed behind `--ctstate DNAT -j DROP` although the kernel lets it in (the harness's known
 * answers in test/kernel/iptables.test.ts load the same fixture into a namespace: 5003 accepted, 5002 dropped).
 * REDIRECT sends a packet to the primary address of its input interface, which the ruleset does not name: one sent
 * there already, to a port it keeps, is not changed either (the kernel accepts 10.200.0.1:5003 and drops
 * 192.0.2.1:5003 in the same lab): such a port is possibly open, and the tracer cannot tell, where both said dropped.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket } from '../../src/analysis/index.js';
import { ipt } from './netfilter-lines.js';

const text = readFileSync(new URL('../../fixtures/iptables/dnat-unchanged.rules', import.meta.url), 'utf8');
const packet = (dport: number, dst = '10.200.0.1') => ({ family: 'ipv4' as const, proto: 'udp' as const, dport, sport: 40000, src: '10.200.0.2', dst, iif: 'eth0' });

describe('a DNAT that changes nothing sets no DNAT status', () => {
  const rs = ipt(text);
  const exposure = computeExposure(rs, { hook: 'input' });
  test('to its own address and port: untranslated, past --ctstate DNAT, accepted', () => {
    expect(tracePacket(rs, packet(5003)).verdict).toBe('accept');
    expect(classifyPacket(exposure, packet(5003))).toBe('open');
  });
  test('to another port: DNAT status, dropped; its packets to other addresses are not translated at all', () => {
    expect(tracePacket(rs, packet(5002)).verdict).toBe('drop');
    expect(classifyPacket(exposure, packet(5002))).toBe('closed');
    expect(classifyPacket(exposure, packet(5002, '10.200.0.7'))).toBe('closed');
    expect(classifyPacket(exposure, packet(5000, '10.200.0.7'))).toBe('open');
  });
});

describe('a REDIRECT that may change nothing', () => {
  const rs = ipt(readFileSync(new URL('../../fixtures/iptables/redirect-unchanged.rules', import.meta.url), 'utf8'));
  const exposure = computeExposure(rs, { hook: 'input' });
  test('to the port it has (no --to-ports): possibly open, the tracer undecided, and both say why', () => {
    const t = tracePacket(rs, packet(5003));
    expect([t.verdict, t.reasons]).toEqual(['unknown', ["REDIRECT at line 9 changes nothing of a packet sent to its input interface's primary address (then without DNAT status)", 'branches disagree: accept, drop']]);
    expect(classifyPacket(exposure, packet(5003))).toBe('possibly-open');
    expect(classifyPacket(exposure, packet(5003, '192.0.2.1'))).toBe('possibly-open');
  });
  test('to another port: always rewritten, DNAT status, dropped', () => {
    expect(tracePacket(rs, packet(5002)).verdict).toBe('drop');
    expect(classifyPacket(exposure, packet(5002))).toBe('closed');
  });
});

describe('a DNAT to several addresses may pick the one the packet was sent to', () => {
  // (the kernel lab accepts UDP 5003 to 192.0.2.1 from 10.200.0.5 and drops it from 10.200.0.2: the hash decides)
  const rs = ipt(readFileSync(new URL('../../fixtures/iptables/dnat-range-unchanged.rules', import.meta.url), 'utf8'));
  const exposure = computeExposure(rs, { hook: 'input' });
  const from = (src: string) => ({ ...packet(5003, '192.0.2.1'), src });
  test('sent to an address of the range: possibly open, the tracer undecided (was: closed, DNAT status for sure)', () => {
    for (const src of ['10.200.0.5', '10.200.0.2']) {
      const t = tracePacket(rs, from(src));
      expect(t.verdict).toBe('unknown');
      expect(t.reasons).toContain('DNAT at line 10 to 192.0.2.0/30 may pick the address the packet was sent to and change nothing (then without DNAT status)');
      expect(classifyPacket(exposure, from(src))).toBe('possibly-open');
    }
  });
  test('other packets are not translated: accepted', () => {
    expect(tracePacket(rs, packet(5003)).verdict).toBe('accept');
    expect(classifyPacket(exposure, packet(5003))).toBe('open');
  });
});
