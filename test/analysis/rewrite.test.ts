/**
 * nft payload mangling of an address or a port (`tcp dport set 22`, `ip daddr set …`): the packet goes on rewritten
 * (nft_payload_set_eval writes the header in place), so the rules after it, the routing decision and the socket see the
 * new value. A new destination is read as a stateless destination NAT; a new source leaves the verdict unknown. Both
 * front ends (text and `nft -j`) build the same. Found by test/corpus/kernel.test.ts on the nftables project's
 * `nft-f/dumps/0024priority_0.nft` (`ip daddr set numgen inc mod 16 map { … }`: the kernel routes the packets away;
 * we had called them accepted by the input path).
 */
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure } from '../../src/analysis/index.js';
import type { Ruleset } from '../../src/model/index.js';
import { parseNftablesJson } from '../../src/parsers/nftables/index.js';
import { exposure, nft, verdict } from './netfilter-lines.js';

const RULESET = `table inet t {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		tcp dport 8080 tcp dport set 22
		tcp dport 9000 ip daddr set numgen inc mod 2 map { 0 : 10.0.1.1, 1 : 10.0.1.2 }
		udp dport 53 ip saddr set 10.9.9.9
	}
	chain in {
		type filter hook input priority 0; policy drop;
		tcp dport 22 accept
		tcp dport 9000 accept
		udp dport 53 ip saddr 10.9.9.9 accept
	}
	chain fwd {
		type filter hook forward priority 0; policy drop;
	}
}
`;

/** The same ruleset as `nft -j list ruleset` prints it (nft 1.0.6), the statements that matter written out. */
const JSON_RULESET = JSON.stringify({
  nftables: [
    { table: { family: 'inet', name: 't', handle: 1 } },
    { chain: { family: 'inet', table: 't', name: 'pre', handle: 1, type: 'filter', hook: 'prerouting', prio: -150, policy: 'accept' } },
    { chain: { family: 'inet', table: 't', name: 'in', handle: 2, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
    { chain: { family: 'inet', table: 't', name: 'fwd', handle: 3, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
    { rule: { family: 'inet', table: 't', chain: 'pre', handle: 4, expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } }, { mangle: { key: { payload: { protocol: 'tcp', field: 'dport' } }, value: 22 } }] } },
    {
      rule: {
        family: 'inet',
        table: 't',
        chain: 'pre',
        handle: 5,
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 9000 } },
          { mangle: { key: { payload: { protocol: 'ip', field: 'daddr' } }, value: { map: { key: { numgen: { mode: 'inc', mod: 2, offset: 0 } }, data: { set: [[0, '10.0.1.1'], [1, '10.0.1.2']] } } } } },
        ],
      },
    },
    { rule: { family: 'inet', table: 't', chain: 'pre', handle: 6, expr: [{ match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 53 } }, { mangle: { key: { payload: { protocol: 'ip', field: 'saddr' } }, value: '10.9.9.9' } }] } },
    { rule: { family: 'inet', table: 't', chain: 'in', handle: 7, expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 22 } }, { accept: null }] } },
    { rule: { family: 'inet', table: 't', chain: 'in', handle: 8, expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 9000 } }, { accept: null }] } },
    {
      rule: {
        family: 'inet',
        table: 't',
        chain: 'in',
        handle: 9,
        expr: [
          { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 53 } },
          { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '10.9.9.9' } },
          { accept: null },
        ],
      },
    },
  ],
});

function json(): Ruleset {
  const doc = parseNftablesJson(JSON_RULESET, { filePath: 'x.json' });
  expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return doc.rulesets[0]!;
}

/** The exposure's answer for one packet from 192.0.2.7 to 10.0.0.1 over eth0. */
const klass = (rs: Ruleset, proto: 'tcp' | 'udp', dport: number) =>
  classifyPacket(computeExposure(rs, { hook: 'input' }), { family: 'ipv4', proto, dport, sport: 40000, src: '192.0.2.7', dst: '10.0.0.1', iif: 'eth0' });

describe.each([
  ['text', () => nft(RULESET)],
  ['nft -j', json],
])('nft rewrites of addresses and ports (%s)', (_name, load) => {
  test('a packet whose port is rewritten to 22 is let in by the accept of port 22', () => {
    const rs = load();
    expect(verdict(rs, 'tcp', 8080)).toBe('accept');
    expect(klass(rs, 'tcp', 8080)).toBe('open');
    // a port nothing rewrites is still closed
    expect(klass(rs, 'tcp', 8081)).toBe('closed');
  });

  test('a destination rewritten to addresses that are not known to be this host: delivered here or routed away', () => {
    const rs = load();
    // INPUT would accept it, FORWARD drops it: possibly open, as after a DNAT to another address
    expect(klass(rs, 'tcp', 9000)).toBe('possibly-open');
    expect(verdict(rs, 'tcp', 9000)).toBe('unknown');
  });

  test('a rewritten source is not followed: the verdict is unknown, never closed', () => {
    const rs = load();
    expect(verdict(rs, 'udp', 53)).toBe('unknown');
    expect(klass(rs, 'udp', 53)).toBe('possibly-open');
  });
});

test('the exposure (text): port 8080 open through the rewrite to 22; 9000 possibly open both where the numgen map is and is not taken', () => {
  expect(exposure(nft(RULESET))).toEqual(['tcp 22 open 10', 'tcp 8080 open 10', 'tcp 9000 possibly-open 11', 'tcp 9000 possibly-open 11', 'udp 53 possibly-open 6']);
});
