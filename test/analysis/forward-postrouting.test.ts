import { describe, expect, test } from 'vitest';
import { computeExposure, tracePacket } from '../../src/analysis/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';
import { showAll } from './show.js';

// A forwarded packet crosses postrouting after forward (NF_INET_POST_ROUTING, ip_output / ip6_output): a filter chain
// there drops it as well. The tracer and the exposure engine stopped at the forward chains and called such a packet
// accepted / open.
describe('the forward path goes on through postrouting', () => {
  // kernel (test/kernel nftables forward suite, NetnsLab's transparent topology: client — router holding the ruleset —
  // server): seed 1042243587 sent TCP SYNs to fd00:200::1:1763 and fd00:201::1:1761 across the router; the kernel
  // dropped them (`oifname "eth*" ip6 hoplimit < 64 counter drop` in a postrouting chain, hop limit 63 there), the
  // tracer said accept. Seed 1042243686 (`oifname "eth1" …  drop` in postrouting): the same for IPv4 UDP and TCP.
  const nft = parseNftables(`table inet t {
	chain fw {
		type filter hook forward priority 0; policy accept;
		ct state established,related accept
		tcp dport { 22, 80, 443 } accept
	}
	chain post {
		type filter hook postrouting priority srcnat + 10; policy accept;
		ct state established,related accept
		oifname "eth1" tcp dport 22 drop
		oifname "eth*" ip ttl < 64 tcp dport 443 drop
		oifname "eth0" tcp dport 80 drop
	}
	chain in {
		type filter hook input priority 0; policy accept;
	}
}
`).rulesets[0]!;
  const fwd = (dport: number, oif = 'eth1') => tracePacket(nft, { family: 'ipv4', proto: 'tcp', dport, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', oif, hook: 'forward' }).verdict;

  test('tracePacket: a postrouting drop drops a forwarded packet, not one delivered to this host', () => {
    // (443: the TTL there is one less than as sent; 80: the drop is for another output interface)
    expect([fwd(22), fwd(443), fwd(80), fwd(80, 'eth0')]).toEqual(['drop', 'drop', 'accept', 'drop']);
    expect(tracePacket(nft, { family: 'ipv4', proto: 'tcp', dport: 22, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', hook: 'input' }).verdict).toBe('accept');
  });

  test('computeExposure (forward): what postrouting drops on every output interface is closed', () => {
    const rs = parseNftables(`table inet t {
	chain fw {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		tcp dport { 22, 80, 443 } accept
	}
	chain post {
		type filter hook postrouting priority srcnat + 10; policy accept;
		ct state established,related accept
		tcp dport 22 drop
		oifname "eth1" tcp dport 80 drop
		ip ttl < 64 tcp dport 443 drop
	}
}
`).rulesets[0]!;
    // (80: dropped towards eth1 only, the exposure does not know the output interface; 443: a sender's higher TTL passes)
    expect(showAll(computeExposure(rs, { hook: 'forward' })).filter((l) => l.startsWith('ipv4'))).toEqual([
      'ipv4 tcp 443 from 0.0.0.0/0 if any possibly-open @5 fw [ip ttl < 64 at line 12 may or may not match]',
      'ipv4 tcp 80 from 0.0.0.0/0 if any open @5 fw',
    ]);
  });

  test('iptables: mangle POSTROUTING drops what FORWARD accepted', () => {
    const ipt = parseIptables(`*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -p tcp -m tcp --dport 22 -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p tcp -m multiport --dports 22,80 -j ACCEPT
COMMIT
`).rulesets[0]!;
    const p = (dport: number) => tracePacket(ipt, { family: 'ipv4', proto: 'tcp', dport, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', oif: 'eth1', hook: 'forward' }).verdict;
    expect([p(22), p(80)]).toEqual(['drop', 'accept']);
    expect(showAll(computeExposure(ipt, { hook: 'forward' }))).toEqual(['ipv4 tcp 80 from 0.0.0.0/0 if any open @13 FORWARD']);
  });

  test('past a nat postrouting chain (its source NAT is not followed) a filter chain closes nothing', () => {
    const rs = parseNftables(`table ip t {
	chain fw {
		type filter hook forward priority 0; policy accept;
	}
	chain nat_post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade
	}
	chain late {
		type filter hook postrouting priority 300; policy accept;
		ip saddr 10.200.0.0/24 tcp dport 22 drop
	}
	chain early {
		type filter hook postrouting priority 0; policy accept;
		ip saddr 10.200.0.0/24 tcp dport 23 drop
	}
}
`).rulesets[0]!;
    const p = (dport: number) => tracePacket(rs, { family: 'ipv4', proto: 'tcp', dport, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', oif: 'eth1', hook: 'forward' });
    // (22, and every other port: after the masquerade the kernel sees the router's address as the source, which the
    // text does not say, and `late` may drop)
    expect([p(22).verdict, p(23).verdict, p(80).verdict]).toEqual(['unknown', 'drop', 'unknown']);
    expect(p(80).reasons).toEqual(["t/late may drop it after the source NAT of postrouting's nat chains, which is not followed"]);
    // (the exposure: what `late` drops closes nothing, `early` closes 23 from 10.200.0.0/24)
    expect(showAll(computeExposure(rs, { hook: 'forward' }))).toEqual([
      'ipv4 0-5,7-255 all from 0.0.0.0/0 if any open policy early',
      'ipv4 tcp 0-22, 24-65535 from 0.0.0.0/0 if any open policy early',
      'ipv4 tcp 23 from 0.0.0.0/5, 8.0.0.0/7, 10.0.0.0/9, 10.128.0.0/10, 10.192.0.0/13, 10.200.1.0/24, 10.200.2.0/23, 10.200.4.0/22, 10.200.8.0/21, 10.200.16.0/20, 10.200.32.0/19, 10.200.64.0/18, 10.200.128.0/17, 10.201.0.0/16, 10.202.0.0/15, 10.204.0.0/14, 10.208.0.0/12, 10.224.0.0/11, 11.0.0.0/8, 12.0.0.0/6, 16.0.0.0/4, 32.0.0.0/3, 64.0.0.0/2, 128.0.0.0/1 if any open policy early',
    ]);
    // with nothing past the nat chain that may drop, the tracer answers
    const plain = parseNftables(`table ip t {
	chain nat_post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade
	}
	chain late {
		type filter hook postrouting priority 300; policy accept;
		counter accept
	}
}
`).rulesets[0]!;
    expect(tracePacket(plain, { family: 'ipv4', proto: 'tcp', dport: 22, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', oif: 'eth1', hook: 'forward' }).verdict).toBe('accept');
  });
});
