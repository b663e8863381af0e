/**
 * nftables verdicts proven against the real Linux kernel: random rulesets are
 * loaded with `nft -f` in a private network namespace, real TCP/UDP probes are
 * sent, and what the kernel did must equal `tracePacket` on `parseNftables` of
 * the same text. Needs root; see suite.ts for the skip policy.
 */
import { generateNft } from './generate-nft.js';
import { seeds, defineKernelSuite, type KnownCase } from './suite.js';
import type { Family, Outcome, Probe } from './netns.js';

function p(family: Family, proto: 'tcp' | 'udp' | 'icmp', src: string, dst: string, dport: number, outcome: Outcome, iif: 'eth0' | 'lo' = 'eth0'): Probe & { outcome: Outcome } {
  return { family, proto, src, dst, dport, iif, outcome };
}

// Two base chains on input: `early` (priority -10) accepts or rejects some packets, but an
// accept there does not end evaluation: `late` (priority 10, policy drop) must accept too.
const KNOWN_NFT = `table inet fw {
	set cft_clients {
		type ipv4_addr
		flags interval
		elements = { 10.200.0.0/30, 192.0.2.128/25 }
	}
	map by_port {
		type inet_service : verdict
		flags interval
		elements = { 22 : accept, 1761-1768 : jump cft }
	}
	chain cft {
		ip saddr @cft_clients accept
		ip6 saddr fd00:201::/64 return
		reject with icmpx type admin-prohibited
	}
	chain early {
		type filter hook input priority filter - 10; policy accept;
		ct state established,related accept
		iifname "lo" accept
		udp dport 5000 reject
		tcp dport 443 reject with tcp reset
		accept
	}
	chain late {
		type filter hook input priority filter + 10; policy drop;
		ct state established,related accept
		iif "lo" tcp dport 22 drop
		iif "lo" accept
		meta l4proto { tcp, udp } th dport vmap @by_port
		ip6 saddr fd00:200::/64 udp dport 5001-5010 accept
	}
}
table ip only4 {
	chain in4 {
		type filter hook input priority 0; policy accept;
		ip saddr 10.200.0.9 tcp dport 22 drop
	}
}
`;

const KNOWN: KnownCase[] = [
  {
    name: 'nft inet + ip',
    loader: 'nft',
    text: KNOWN_NFT,
    expect: [
      p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 22, 'accept'),
      p('ipv4', 'tcp', '10.200.0.9', '10.200.0.1', 22, 'drop'), // accepted by fw, dropped by only4
      p('ipv4', 'tcp', '10.200.0.3', '10.200.0.1', 1761, 'accept'),
      p('ipv4', 'tcp', '10.200.0.5', '10.200.0.1', 1761, 'reject'),
      p('ipv4', 'udp', '192.0.2.130', '192.0.2.1', 1768, 'accept'),
      p('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5000, 'reject'),
      p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 443, 'reject'),
      p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 80, 'drop'),
      p('ipv4', 'tcp', '127.0.0.1', '127.0.0.1', 22, 'drop', 'lo'),
      p('ipv4', 'udp', '127.0.0.1', '127.0.0.1', 80, 'accept', 'lo'),
      p('ipv6', 'tcp', 'fd00:201::10', 'fd00:200::1', 1762, 'drop'), // return from cft → late's policy drop
      p('ipv6', 'tcp', 'fd00:200::2', 'fd00:200::1', 1762, 'reject'),
      p('ipv6', 'udp', 'fd00:200::3', 'fd00:200::1', 5003, 'accept'),
      p('ipv6', 'udp', 'fd00:201::10', 'fd00:200::1', 5003, 'drop'),
      p('ipv6', 'tcp', 'fd00:201::10', 'fd00:201::1', 22, 'accept'),
      p('ipv6', 'tcp', '::1', '::1', 80, 'accept', 'lo'),
    ],
  },
  {
    // The kernel ends a rule at a verdict map's verdict: the `ct state established` after it is never
    // evaluated, so a NEW packet to 1765 is accepted (nft accepts and lists this rule as written).
    name: 'nft statements after a vmap',
    loader: 'nft',
    text: `table inet t {
	chain input {
		type filter hook input priority 0; policy drop;
		tcp dport vmap { 1765 : accept } ct state established
	}
}
`,
    expect: [p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 1765, 'accept'), p('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 1764, 'drop')],
  },
  {
    // echo requests (ping: ICMP type 8 / ICMPv6 128, code 0) by type, by code and by address
    name: 'nft icmp type and code',
    loader: 'nft',
    text: `table inet t {
	chain input {
		type filter hook input priority 0; policy drop;
		ip saddr 10.200.0.9 icmp type echo-request reject with icmp type admin-prohibited
		icmp type echo-request icmp code 1 accept
		ip saddr 10.200.0.0/30 icmp code 0 accept
		icmpv6 type { echo-request, nd-neighbor-solicit } ip6 saddr fd00:200::/64 accept
	}
}
`,
    expect: [
      p('ipv4', 'icmp', '10.200.0.2', '10.200.0.1', 0, 'accept'),
      p('ipv4', 'icmp', '10.200.0.5', '10.200.0.1', 0, 'drop'),
      p('ipv4', 'icmp', '10.200.0.9', '10.200.0.1', 0, 'reject'),
      p('ipv6', 'icmp', 'fd00:200::2', 'fd00:200::1', 0, 'accept'),
      p('ipv6', 'icmp', 'fd00:201::10', 'fd00:200::1', 0, 'drop'),
    ],
  },
  {
    // `th sport` on ICMP / ICMPv6 reads the type and code bytes: an echo request (8/0, ICMPv6 128/0) has 2048 / 32768
    name: 'nft th sport on ICMP',
    loader: 'nft',
    text: `table inet t {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 10.200.0.2 th sport 2048 drop
		ip saddr 10.200.0.5 th sport 2049 drop
		ip6 saddr fd00:200::2 th sport 32768 drop
		ip6 saddr fd00:201::10 th sport 32769 drop
	}
}
`,
    expect: [
      p('ipv4', 'icmp', '10.200.0.2', '10.200.0.1', 0, 'drop'),
      p('ipv4', 'icmp', '10.200.0.5', '10.200.0.1', 0, 'accept'),
      p('ipv6', 'icmp', 'fd00:200::2', 'fd00:200::1', 0, 'drop'),
      p('ipv6', 'icmp', 'fd00:201::10', 'fd00:200::1', 0, 'accept'),
    ],
    exposure: ['closed', 'open', 'closed', 'open'],
  },
];

defineKernelSuite({
  name: 'nftables',
  tag: 'nft',
  tools: ['nft', 'ping'],
  engine: 'nftables',
  known: KNOWN,
  // Even seeds probe with IPv4, odd seeds with IPv6 (inet tables see both; ip/ip6 tables only theirs).
  generate: () => seeds(0x2f7e5000, 240).map((seed) => generateNft(seed, seed % 2 === 0 ? 'ipv4' : 'ipv6')),
  minRulesets: 200,
  budgetMs: 200_000,
  lanes: 3,
});

/** A probe across the router (NetnsLab's transparent topology): in by eth0, out by eth1, the forward hook. */
function f(family: Family, proto: 'tcp' | 'udp' | 'icmp', src: string, dst: string, dport: number, outcome: Outcome): Probe & { outcome: Outcome } {
  return { family, proto, src, dst, dport, iif: 'eth0', path: 'forward', outcome };
}

// A forwarded packet crosses postrouting after forward: a filter chain there drops it too (by output interface, and
// with the TTL one less than as sent); the router's own input chain never sees it.
const KNOWN_FWD: KnownCase[] = [
  {
    name: 'nft forward then postrouting',
    loader: 'nft',
    text: `table inet fw {
	chain fw {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		tcp dport { 22, 80, 1761 } accept
		udp dport 5000-5010 accept
	}
	chain post {
		type filter hook postrouting priority srcnat + 10; policy accept;
		ct state established,related accept
		oifname "eth1" tcp dport 22 drop
		oifname "eth1" ip ttl 63 udp dport 5003 drop
		oifname "eth0" tcp dport 80 drop
	}
	chain in {
		type filter hook input priority 0; policy drop;
	}
}
`,
    expect: [
      f('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 22, 'drop'),
      f('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 80, 'accept'),
      f('ipv4', 'tcp', '192.0.2.10', '192.0.2.1', 1761, 'accept'),
      f('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5003, 'drop'),
      f('ipv4', 'udp', '10.200.0.2', '10.200.0.1', 5002, 'accept'),
      f('ipv4', 'tcp', '10.200.0.2', '10.200.0.1', 443, 'drop'),
      f('ipv6', 'udp', 'fd00:200::2', 'fd00:200::1', 5003, 'accept'),
      f('ipv6', 'tcp', 'fd00:200::2', 'fd00:200::1', 22, 'drop'),
    ],
    // (5003: a sender's other TTL passes the postrouting drop)
    exposure: ['closed', 'open', 'open', 'possibly-open', 'open', 'closed', 'open', 'closed'],
  },
];

// The forward path: the same generator's base chains on the forward hook, probes from the client to the server across
// a router holding the ruleset (NetnsLab's transparent topology, the host lab's addresses), traced with the forward hook.
defineKernelSuite({
  name: 'nftables (forward path)',
  tag: 'nftf',
  tools: ['nft', 'ping'],
  engine: 'nftables',
  known: KNOWN_FWD,
  // (100 rulesets by default: ~45 s on two lanes, most of it waiting out drops)
  generate: () => seeds(0x3e1f6000, 100).map((seed) => generateNft(seed, seed % 2 === 0 ? 'ipv4' : 'ipv6', 20, { forward: true })),
  minRulesets: 90,
  budgetMs: 150_000,
  lanes: 2,
  topology: 'transparent',
});
