/**
 * iptables NETMAP maps the destination in PREROUTING and OUTPUT (the source in INPUT and POSTROUTING): 1:1, the
 * `--to` prefix's network bits over the address's host bits (iptables-extensions(8), NETMAP). It was read as an accept
 * that left the destination as it was: a packet the kernel maps to an address INPUT accepts (or routes on) was called
 * dropped. Found by test/corpus/kernel.test.ts on a real firewall (net-network configs_serverfault/762193).
 */
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket } from '../../src/analysis/index.js';
import type { Ruleset } from '../../src/model/index.js';
import { ipt } from './netfilter-lines.js';

const rules = (forward: 'ACCEPT' | 'DROP') => `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 192.168.118.0/24 -j NETMAP --to 192.168.18.0/24
-A POSTROUTING -s 192.168.18.0/24 -j NETMAP --to 192.168.118.0/24
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ${forward} [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -d 192.168.18.13/32 -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
`;

const packet = (dst: string) => ({ family: 'ipv4' as const, proto: 'tcp' as const, dport: 22, sport: 40000, src: '203.0.113.5', dst, iif: 'eth0' });
const klass = (rs: Ruleset, dst: string) => classifyPacket(computeExposure(rs, { hook: 'input' }), packet(dst));

describe('NETMAP in PREROUTING maps the destination', () => {
  test('to the one address with the same host bits, which INPUT accepts if it is this host\'s and FORWARD otherwise', () => {
    const rs = ipt(rules('ACCEPT'));
    const t = tracePacket(rs, packet('192.168.118.13'));
    expect(t.steps.map((s) => `${s.chain}:${s.line} ${s.effect}`)).toEqual(['PREROUTING:6 NETMAP to 192.168.18.13', 'FORWARD:11 policy ACCEPT', 'INPUT:13 match: ACCEPT', 'INPUT:3 policy ACCEPT']);
    expect(t.verdict).toBe('accept');
    // the exposure maps the prefix as a whole (any address of 192.168.18.0/24, as a DNAT to a range): sound, not exact
    expect(klass(rs, '192.168.118.13')).toBe('possibly-open');
  });

  test('where FORWARD drops, it is open only if the mapped address is this host\'s: possibly open, never closed', () => {
    const rs = ipt(rules('DROP'));
    expect(tracePacket(rs, packet('192.168.118.13')).verdict).toBe('unknown');
    expect(klass(rs, '192.168.118.13')).toBe('possibly-open');
    // outside the mapped prefix nothing changes: INPUT drops it
    expect(tracePacket(rs, packet('192.168.119.13')).verdict).toBe('drop');
    expect(klass(rs, '192.168.119.13')).toBe('closed');
  });
});
