/**
 * iptables / ip6tables verdicts proven against the real Linux kernel: random
 * iptables-save rulesets are loaded with iptables-restore in a private network
 * namespace, real TCP/UDP probes are sent, and what the kernel did must equal
 * `tracePacket` on `parseIptables` of the same text. Needs root; see suite.ts for the skip policy.
 */
import { readFileSync } from 'node:fs';
import { generateIptables } from './generate-iptables.js';
import { seeds, defineKernelSuite, type KnownCase } from './suite.js';
import type { Family, Outcome, Probe } from './netns.js';

function p(family: Family, proto: 'tcp' | 'udp' | 'icmp', src: string, dst: string, dport: number, outcome: Outcome, iif: 'eth0' | 'lo' = 'eth0'): Probe & { outcome: Outcome } {
  return { family, proto, src, dst, dport, iif, outcome };
}

const KNOWN_V4 = `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:CFT - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -p tcp -m tcp --dport 22 -j DROP
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m multiport --dports 1761:1768 -j CFT
-A INPUT -p udp -m udp --dport 1761:1768 -j CFT
-A INPUT -s 10.200.0.0/29 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset
-A INPUT -p udp -m udp --dport 5000 -j REJECT --reject-with icmp-port-unreachable
-A INPUT -m iprange --src-range 10.200.0.3-10.200.0.5 -p tcp -j REJECT
-A CFT ! -s 192.0.2.0/25 -j RETURN
-A CFT -p tcp -j ACCEPT
-A CFT -j REJECT
COMMIT
`;

const KNOWN_V6 = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:CFT - [0:0]
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT ! -i eth+ -p udp -j DROP
-A INPUT -p tcp -m multiport --dports 1761,1762 -g CFT
-A INPUT -s fd00:201::/64 -p tcp -m tcp ! --dport 22 -j REJECT --reject-with icmp6-port-unreachable
-A INPUT -p udp -m udp --dport 5000:5010 -j DROP
-A CFT -s fd00:200::/120 -j LOG --log-prefix "cft "
-A CFT -s fd00:200::/120 -j RETURN
-A CFT -j DROP
COMMIT
`;

// Matches and tables people write beside the common ones: protocol 0 by name (`-p hopopt`: every protocol), iprange, a
// raw-table CT --notrack then --ctstate UNTRACKED, a mangle MARK read by filter's -m mark, mangle INPUT dropping what
// filter accepts, -m recent --set (always matches), --tcp-flags, pkttype/ttl/multiport into a goto chain that RETURNs
// to the policy, -m length, addrtype LOCAL.
const KNOWN_UNCOMMON = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i eth0 -p udp -m udp --dport 5001 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 5002 -j MARK --set-xmark 0x10/0xf0
-A INPUT -p tcp -m tcp --dport 1762 -j DROP
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:SVC - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p hopopt -m iprange --src-range 10.200.0.3-10.200.0.5 -j ACCEPT
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
-A INPUT -m mark --mark 0x10/0xf0 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 1762 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m recent --set --name ssh --mask 255.255.255.255 --rsource
-A INPUT -p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT
-A INPUT -m pkttype --pkt-type unicast -m ttl --ttl-gt 10 -p udp -m multiport --dports 5003,1761:1763 -g SVC
-A INPUT -p udp -m udp --dport 5005 -m length --length 0:20 -j ACCEPT
-A INPUT -p udp -m udp --dport 5010 -m addrtype --dst-type LOCAL -j ACCEPT
-A SVC -p udp -m udp --dport 1762 -j RETURN
-A SVC -j ACCEPT
COMMIT
`;

const KNOWN: KnownCase[] = [
  {
    name: 'iptables v4',
    loader: 'iptables',
    text: KNOWN_V4,
    expect: [
      p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 22, 'accept'),
      p('ipv4', 'tcp', '10.200.0.9', '10.200.0.1', 22, 'reject'),
      p('ipv4', 'tcp', '192.0.2.10', '10.200.0.1', 1761, 'accept'),
      p('ipv4', 'udp', '192.0.2.10', '192.0.2.1', 1768, 'reject'),
      p('ipv4', 'tcp', '192.0.2.130', '10.200.0.1', 1765, 'drop'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5000, 'reject'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 80, 'drop'),
      p('ipv4', 'tcp', '10.200.0.5', '10.200.0.1', 80, 'reject'),
      p('ipv4', 'tcp', '10.200.0.9', '10.200.0.1', 80, 'drop'),
      p('ipv4', 'tcp', '127.0.0.1', '127.0.0.1', 22, 'drop', 'lo'),
      p('ipv4', 'tcp', '127.0.0.1', '127.0.0.1', 80, 'accept', 'lo'),
      p('ipv4', 'udp', '10.200.0.1', '10.200.0.1', 5001, 'accept', 'lo'),
    ],
  },
  {
    // a DNAT that changes nothing sets no DNAT status (test/analysis/dnat-status.test.ts reads the same file)
    name: 'DNAT onto itself',
    loader: 'iptables',
    text: readFileSync(new URL('../../fixtures/iptables/dnat-unchanged.rules', import.meta.url), 'utf8'),
    expect: [
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5003, 'accept'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5002, 'drop'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5000, 'accept'),
    ],
  },
  {
    // REDIRECT to the primary address (the lab's first on eth0): unchanged, no DNAT status; from 192.0.2.1, DNAT'd
    name: 'REDIRECT onto itself',
    loader: 'iptables',
    text: readFileSync(new URL('../../fixtures/iptables/redirect-unchanged.rules', import.meta.url), 'utf8'),
    expect: [
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5003, 'accept'),
      p('ipv4', 'udp', '10.200.0.2', '192.0.2.1', 5003, 'drop'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5002, 'drop'),
    ],
  },
  {
    // a DNAT to a range holding the address the packet was sent to: the hash of the addresses decides whether it stays
    name: 'DNAT to a range, onto itself or away',
    loader: 'iptables',
    text: readFileSync(new URL('../../fixtures/iptables/dnat-range-unchanged.rules', import.meta.url), 'utf8'),
    expect: [
      p('ipv4', 'udp', '10.200.0.5', '192.0.2.1', 5003, 'accept'),
      p('ipv4', 'udp', '10.200.0.2', '192.0.2.1', 5003, 'drop'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5003, 'accept'),
    ],
  },
  {
    name: 'uncommon matches',
    loader: 'iptables',
    text: KNOWN_UNCOMMON,
    expect: [
      p('ipv4', 'udp', '10.200.0.3', '10.200.0.1', 80, 'accept'), // -p hopopt: every protocol
      p('ipv4', 'udp', '10.200.0.9', '10.200.0.1', 80, 'drop'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5001, 'accept'), // untracked
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5002, 'accept'), // marked in mangle PREROUTING
      p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 1762, 'drop'), // mangle INPUT drops it
      p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 22, 'accept'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5003, 'accept'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 1762, 'drop'), // RETURN from a goto chain: INPUT's policy
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 1763, 'accept'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5005, 'drop'),
      p('ipv4', 'udp', '10.200.0.2', '192.0.2.1', 5010, 'accept'),
      p('ipv4', 'tcp', '10.200.0.9', '10.200.0.1', 443, 'drop'),
    ],
    // a mark the packet may bring (tc, eBPF), its TTL and length are the sender's: what they decide is possibly open
    exposure: ['open', 'possibly-open', 'open', 'open', 'closed', 'open', 'possibly-open', 'possibly-open', 'possibly-open', 'possibly-open', 'open', 'possibly-open'],
  },
  {
    name: 'ip6tables',
    loader: 'ip6tables',
    text: KNOWN_V6,
    expect: [
      p('ipv6', 'tcp', 'fd00:200::2', 'fd00:200::1', 1761, 'accept'), // goto CFT, RETURN → back to INPUT's caller → policy ACCEPT
      p('ipv6', 'tcp', 'fd00:200::8000:1', 'fd00:200::1', 1762, 'drop'),
      p('ipv6', 'tcp', 'fd00:201::10', 'fd00:200::1', 80, 'reject'),
      p('ipv6', 'tcp', 'fd00:201::10', 'fd00:201::1', 22, 'accept'),
      p('ipv6', 'udp', 'fd00:200::3', 'fd00:200::1', 5005, 'drop'),
      p('ipv6', 'udp', 'fd00:200::3', 'fd00:200::1', 443, 'accept'),
      p('ipv6', 'udp', '::1', '::1', 443, 'drop', 'lo'),
      p('ipv6', 'tcp', '::1', '::1', 80, 'accept', 'lo'),
    ],
  },
  {
    // echo requests (ping: ICMP type 8 code 0): by name, by type/code, negated
    name: 'iptables icmp types',
    loader: 'iptables',
    text: `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s 10.200.0.9/32 -p icmp -m icmp --icmp-type echo-request -j REJECT --reject-with icmp-admin-prohibited
-A INPUT -s 10.200.0.5/32 -p icmp -m icmp ! --icmp-type 8/0 -j ACCEPT
-A INPUT -s 10.200.0.0/30 -p icmp -m icmp --icmp-type 8/0 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8/1 -j ACCEPT
COMMIT
`,
    expect: [
      p('ipv4', 'icmp', '10.200.0.2', '10.200.0.1', 0, 'accept'),
      p('ipv4', 'icmp', '10.200.0.5', '10.200.0.1', 0, 'drop'),
      p('ipv4', 'icmp', '10.200.0.9', '10.200.0.1', 0, 'reject'),
    ],
  },
];

defineKernelSuite({
  name: 'iptables',
  tag: 'ipt',
  tools: ['iptables-restore', 'ip6tables-restore', 'nft', 'ping'],
  engine: 'iptables',
  known: KNOWN,
  // Even seeds IPv4, odd seeds IPv6.
  generate: () => seeds(0x1a7e5000, 240).map((seed) => generateIptables(seed, seed % 2 === 0 ? 'ipv4' : 'ipv6')),
  minRulesets: 200,
  budgetMs: 200_000,
  lanes: 3,
});

// The forward path: the same generator's rules in FORWARD, probes from the client to the server across a router
// holding the ruleset (NetnsLab's transparent topology, the host lab's addresses), traced with the forward hook.
defineKernelSuite({
  name: 'iptables (forward path)',
  tag: 'iptf',
  tools: ['iptables-restore', 'ip6tables-restore', 'nft', 'ping'],
  engine: 'iptables',
  known: [],
  generate: () => seeds(0x2f0d4000, 120).map((seed) => generateIptables(seed, seed % 2 === 0 ? 'ipv4' : 'ipv6', 20, { forward: true })),
  minRulesets: 100,
  budgetMs: 150_000,
  lanes: 2,
  topology: 'transparent',
});
