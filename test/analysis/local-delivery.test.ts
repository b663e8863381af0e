/**
 * Packets delivered to this host where the path is not the plain PREROUTING → INPUT one.
 *
 * DNAT to the very address a packet was sent to (a port forward on the host itself:
 * `-d 10.200.0.1 --dport 5000 -j DNAT --to-destination 10.200.0.1:5001`, kube-proxy's endpoints of
 * hostNetwork pods) leaves the packet addressed to this host: the kernel routes it to INPUT, not FORWARD.
 * Packets over lo were sent by this host: NAT and conntrack saw them in OUTPUT first. Every case below was
 * measured in a network namespace with iptables-restore 1.8.9 (nf_tables).
 */
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket } from '../../src/analysis/index.js';
import { formatPorts } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';

function load(filter: string): ReturnType<typeof parseIptables>['rulesets'][number] {
  return parseIptables(
    `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.200.0.1/32 -p udp -m udp --dport 5000 -j DNAT --to-destination 10.200.0.1:5001
-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.200.0.1:80
COMMIT
${filter}`,
    { filePath: 'dnat-local.rules' },
  ).rulesets[0]!;
}

const pkt = (proto: 'tcp' | 'udp', dst: string, dport: number) => ({ proto, dst, dport, src: '10.200.0.2', iif: 'eth0' });

describe('DNAT to the address the packet was sent to', () => {
  test('INPUT accepts, FORWARD drops: open (the kernel answers)', () => {
    const rs = load(`*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
`);
    const r = tracePacket(rs, pkt('udp', '10.200.0.1', 5000));
    expect(r.verdict).toBe('accept');
    expect(r.steps.map((s) => `${s.table}/${s.chain}@${s.line} ${s.effect}`)).toEqual(['nat/PREROUTING@6 DNAT to 10.200.0.1:5001', 'filter/INPUT@10 policy ACCEPT', 'nat/INPUT@3 policy ACCEPT']);
    const e = computeExposure(rs, { hook: 'input' });
    expect(classifyPacket(e, pkt('udp', '10.200.0.1', 5000))).toBe('open');
    expect(classifyPacket(e, pkt('tcp', '10.200.0.1', 8080))).toBe('open');
    // sent to another address (the lab's 192.0.2.1, the kernel answers): 10.200.0.1 may or may not be this host's,
    // which decides between INPUT (accept) and FORWARD (drop); the tracer, not told the route (oif), follows both
    const other = tracePacket(rs, pkt('tcp', '192.0.2.1', 8080));
    expect(other.verdict).toBe('unknown');
    expect(other.reasons).toEqual([
      'DNAT at line 7 to 10.200.0.1: delivered here (INPUT) if that is an address of this host, else routed on (FORWARD)',
      'branches disagree: accept, drop',
    ]);
    // told the route, it is routed on
    expect(tracePacket(rs, { ...pkt('tcp', '192.0.2.1', 8080), oif: 'eth1' }).verdict).toBe('drop');
  });

  test('INPUT drops port 80, FORWARD accepts: closed (the kernel stays silent)', () => {
    const rs = load(`*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 5001 -j ACCEPT
COMMIT
`);
    expect(tracePacket(rs, pkt('tcp', '10.200.0.1', 8080)).verdict).toBe('drop');
    expect(tracePacket(rs, pkt('udp', '10.200.0.1', 5000)).verdict).toBe('accept');
    const e = computeExposure(rs, { hook: 'input' });
    expect(classifyPacket(e, pkt('tcp', '10.200.0.1', 8080))).toBe('closed');
    expect(classifyPacket(e, pkt('udp', '10.200.0.1', 5000))).toBe('open');
    // the entries name the original port and the DNAT: udp 5000 through INPUT's rule, tcp 8080 (to any other
    // address) through FORWARD's policy
    expect(
      e.entries
        .filter((x) => x.family === 'ipv4' && x.via)
        .map((x) => `${formatPorts(x.protocols)}/${formatPorts(x.dports)} ${x.certainty} ${x.rule ? x.rule.span.start.line : `policy ${x.chain.name}`}`),
    ).toEqual(['17/5000 open 13', '6/8080 open policy FORWARD']);
  });

  test('INPUT and FORWARD both accept a DNAT to another address: open, credited to FORWARD alone', () => {
    // (the INPUT branch, taken only if 10.200.0.1 were another address of this host, adds no entry of its own: the
    // routed copy's acceptance already makes the packets open — kube-proxy's thousands of DNATs to pods)
    const rs = parseIptables(
      `*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -d 192.0.2.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.200.0.1:80
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
`,
      { filePath: 'dnat-both.rules' },
    ).rulesets[0]!;
    const e = computeExposure(rs, { hook: 'input' });
    expect(classifyPacket(e, pkt('tcp', '192.0.2.1', 8080))).toBe('open');
    expect(
      e.entries
        .filter((x) => x.family === 'ipv4' && x.via)
        .map((x) => `${formatPorts(x.protocols)}/${formatPorts(x.dports)} ${x.certainty} ${x.rule ? x.rule.span.start.line : `policy ${x.chain.name}`}`),
    ).toEqual(['6/8080 open policy FORWARD']);
  });

  test('the INPUT branch of a DNAT to another address sees the new port', () => {
    const rs = load(`*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
`);
    expect(tracePacket(rs, pkt('tcp', '10.200.0.1', 8080)).verdict).toBe('accept');
    const r = tracePacket(rs, pkt('tcp', '192.0.2.1', 8080));
    expect(r.verdict).toBe('unknown');
    expect(r.steps.filter((s) => s.table === 'filter').map((s) => `${s.chain}@${s.line} ${s.effect}`)).toEqual(['FORWARD@11 policy DROP', 'INPUT@13 match: ACCEPT']);
    // the exposure follows both branches too: the kernel answers the SYN sent to 192.0.2.1 (10.200.0.1 is the lab
    // host's, INPUT accepts port 80), so it is not closed; only possibly open, as FORWARD drops it where 10.200.0.1
    // is another host's (it was `closed`: every packet sent elsewhere was taken to be routed on)
    const e = computeExposure(rs, { hook: 'input' });
    expect(classifyPacket(e, pkt('tcp', '192.0.2.1', 8080))).toBe('possibly-open');
    expect(classifyPacket(e, pkt('tcp', '10.200.0.1', 8080))).toBe('open');
    expect(classifyPacket(e, pkt('tcp', '192.0.2.1', 8081))).toBe('closed');
    expect(
      e.entries
        .filter((x) => x.family === 'ipv4' && x.via && x.certainty === 'possibly-open')
        .map((x) => `${formatPorts(x.protocols)}/${formatPorts(x.dports)} ${x.rule?.span.start.line}: ${x.reasons.map((y) => y.message).join(' | ')}`),
    ).toEqual([
      '6/8080 13: DNAT at line 7 to 10.200.0.1:80: delivered here (INPUT) if that is an address of this host | DNAT at line 7 to 10.200.0.1:80: routed on (FORWARD) unless that is an address of this host',
    ]);
  });
});

describe('a packet over lo: its destination NAT is nat OUTPUT\'s, not nat PREROUTING\'s', () => {
  // measured in a network namespace (iptables-restore 1.8.9): UDP from 192.0.2.1 to 10.200.0.1 sent inside the host
  const rs = parseIptables(
    `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.200.0.1/32 -p udp -m udp --dport 1763 -j DNAT --to-destination 10.200.0.1:5010
-A OUTPUT -d 10.200.0.1/32 -p udp -m udp --dport 1764 -j DNAT --to-destination 10.200.0.1:5010
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 5010 -j DROP
COMMIT
`,
    { filePath: 'lo-nat.rules' },
  ).rulesets[0]!;
  const lo = (dport: number) => ({ proto: 'udp' as const, src: '192.0.2.1', dst: '10.200.0.1', dport, iif: 'lo' });

  test('nat PREROUTING does not translate it (the kernel answers on 1763)', () => {
    const r = tracePacket(rs, lo(1763));
    expect(r.verdict).toBe('accept');
    expect(r.steps.map((s) => `${s.table}/${s.chain}@${s.line} ${s.effect}`)).toEqual(['nat/OUTPUT@7 no match', 'nat/OUTPUT@4 policy ACCEPT', 'filter/OUTPUT@12 policy ACCEPT', 'filter/INPUT@13 no match', 'filter/INPUT@10 policy ACCEPT', 'nat/INPUT@3 policy ACCEPT']);
    // from outside it is translated to 5010 and dropped
    expect(tracePacket(rs, { ...lo(1763), src: '10.200.0.2', iif: 'eth0' }).verdict).toBe('drop');
  });

  test('nat OUTPUT does (the kernel drops 1764 as 5010)', () => {
    const r = tracePacket(rs, lo(1764));
    expect(r.verdict).toBe('drop');
    expect(r.steps.map((s) => `${s.table}/${s.chain}@${s.line} ${s.effect}`)).toEqual(['nat/OUTPUT@7 DNAT to 10.200.0.1:5010', 'filter/OUTPUT@12 policy ACCEPT', 'filter/INPUT@13 match: DROP']);
    expect(tracePacket(rs, { ...lo(1764), src: '10.200.0.2', iif: 'eth0' }).verdict).toBe('accept');
  });
});

describe('a packet over lo is tracked before raw PREROUTING (it was, in OUTPUT)', () => {
  // measured in a network namespace (iptables-restore 1.8.9): UDP 192.0.2.1 -> 10.200.0.1 over lo
  const rs = parseIptables(
    `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i lo -p udp -m udp --dport 1761 -m conntrack --ctstate INVALID -j DROP
-A PREROUTING -i lo -p udp -m udp --dport 1762 -j CT --notrack
-A PREROUTING -i lo -p udp -m udp --dport 1763 -m conntrack --ctstate NEW -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 1762 -m conntrack --ctstate UNTRACKED -j DROP
COMMIT
`,
    { filePath: 'lo-raw.rules' },
  ).rulesets[0]!;
  const lo = (dport: number) => tracePacket(rs, { proto: 'udp', src: '192.0.2.1', dst: '10.200.0.1', dport, iif: 'lo' }).verdict;

  test('its state there is NEW, not INVALID, and NOTRACK leaves it tracked', () => {
    expect([lo(1761), lo(1762), lo(1763), lo(5000)]).toEqual(['accept', 'accept', 'drop', 'accept']);
  });
});

describe('a packet over lo went through OUTPUT and POSTROUTING first', () => {
  // measured in a network namespace (iptables-restore 1.8.9): UDP 192.0.2.1 -> 10.200.0.1 over lo (a drop on the
  // output side is EPERM to the sender; the REJECT's ICMP error to the untracked packet is dropped by OUTPUT)
  const rs = parseIptables(
    `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A OUTPUT -o lo -p udp -m udp --dport 1765 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o lo -p udp -m udp --dport 1766 -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT DROP [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p udp -m udp --dport 1765 -m conntrack --ctstate UNTRACKED -j REJECT
-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A OUTPUT -o lo -p udp -m udp --dport 1761:1766 -j ACCEPT
COMMIT
`,
    { filePath: 'lo-output.rules' },
  ).rulesets[0]!;
  const lo = (dport: number) => tracePacket(rs, { proto: 'udp', src: '192.0.2.1', dst: '10.200.0.1', dport, iif: 'lo' }).verdict;

  test('filter OUTPUT and mangle POSTROUTING can drop it, raw OUTPUT can untrack it', () => {
    expect([lo(1761), lo(1765), lo(1766), lo(5000)]).toEqual(['accept', 'reject', 'drop', 'drop']);
    // from outside, none of that applies
    expect(tracePacket(rs, { proto: 'udp', src: '10.200.0.2', dst: '10.200.0.1', dport: 5000, iif: 'eth0' }).verdict).toBe('accept');
  });
});

describe('a forwarded packet DNAT\'d to another address (kernel differential, ip6tables-restore 1.8.9)', () => {
  // fd00:202::2 is routed out eth1; DNAT in PREROUTING (before the route lookup) to fd00:200::1, an address of
  // this host, delivers it to INPUT, where it is accepted: the kernel answered. The text does not say which
  // addresses are this host's, so both paths are followed.
  const rs = parseIptables(
    `# Generated by ip6tables-save v1.8.9 (nf_tables)
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 1764 -j DNAT --to-destination [fd00:200::1]:5002
-A PREROUTING -p udp -m udp --dport 1765 -j DNAT --to-destination [fd00:202::2]:5002
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 5002 -j ACCEPT
COMMIT
`,
    { filePath: 'rules.v6' },
  ).rulesets[0]!;
  const fwd = (dport: number) => ({ family: 'ipv6' as const, proto: 'udp' as const, src: 'fd00:200::2', dst: 'fd00:202::2', dport, iif: 'eth0', oif: 'eth1', hook: 'forward' as const });
  test('to another address: INPUT (accept) or FORWARD (drop), not a sure drop; to the address it was sent to: forwarded', () => {
    const t = tracePacket(rs, fwd(1764));
    expect(t.verdict).toBe('unknown');
    expect(t.reasons[0]).toBe('DNAT at line 7 to fd00:200::1: delivered here (INPUT) if that is an address of this host, else routed on (FORWARD)');
    expect(tracePacket(rs, fwd(1765)).verdict).toBe('drop');
  });
});

// nf_nat_setup_info sets IPS_DST_NAT only when the new tuple differs from the packet's: a DNAT to the address and
// port the packet already has (firewalld's forward-port to this host's own address and port) leaves `ct status dnat`
// false. Kernel (nft 1.0.6, netns): UDP to 10.200.0.1:5003 rejected by the zone, to 192.0.2.1:5003 accepted.
describe('DNAT that changes nothing of the tuple: no ct status dnat', () => {
  const rs = parseNftables(`flush ruleset
table inet fw {
  chain nat_pre {
    type nat hook prerouting priority dstnat; policy accept;
    meta nfproto ipv4 udp dport 5003 dnat ip to 10.200.0.1:5003
    udp dport 5004 dnat ip to 10.200.0.1
  }
  chain input {
    type filter hook input priority filter; policy accept;
    ct status dnat accept
    reject with icmpx admin-prohibited
  }
}
`).rulesets[0]!;
  test.each([
    ['10.200.0.1', 5003, 'reject'],
    ['192.0.2.1', 5003, 'accept'],
    ['10.200.0.1', 5004, 'reject'],
  ] as const)('udp to %s:%d → %s', (dst, dport, verdict) => {
    const r = tracePacket(rs, pkt('udp', dst, dport));
    // (a DNAT to another address may be delivered here or routed on: both branches, one with the translation)
    expect(verdict === 'accept' ? r.steps.some((s) => s.effect === 'match: ACCEPT' && s.text === 'ct status dnat accept') : r.verdict).toBe(verdict === 'accept' ? true : verdict);
  });
});
