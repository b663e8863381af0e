/**
 * The forward path proven against the real Linux kernel: a client, a router holding the ruleset and a server behind
 * it (NetnsLab's routed topology), so a probe crosses PREROUTING (DNAT), FORWARD and POSTROUTING as a container's or a
 * pod's published port does. Hand-written rulesets (Docker's and kube-proxy's shapes among them); each probe's kernel
 * answer is pinned, and our reading of the same text is held to it: tracePacket says the kernel's verdict (or, where
 * pinned, unknown), and the exposure the lint rules read is never closed where the kernel accepts nor open where it
 * refuses (each class pinned too). Needs root; the skip policy is suite.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyPacket, computeExposure, tracePacket, type Packet, type PacketClass } from '../../src/analysis/index.js';
import type { FirewallDocument, Ruleset } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';
import { IN_CI } from './suite.js';
import { NetnsLab, ROUTED, labAvailability, removeStaleNamespaces, type Family, type Outcome } from './netns.js';

interface ForwardProbe {
  family: Family;
  proto: 'tcp' | 'udp';
  /** The server behind the router (forward hook), or the router's own address on the client's side (a DNAT there). */
  to: 'server' | 'router';
  dport: number;
  kernel: Outcome;
  /** Our tracer's verdict: the kernel's, or `unknown` where the text cannot say (pinned). */
  trace: Outcome | 'unknown';
  exposure: PacketClass;
}

interface ForwardCase {
  name: string;
  loader: 'iptables' | 'ip6tables' | 'nft';
  text: string;
  probes: ForwardProbe[];
}

const f = (family: Family, proto: 'tcp' | 'udp', to: 'server' | 'router', dport: number, kernel: Outcome, exposure: PacketClass, trace: Outcome | 'unknown' = kernel): ForwardProbe => ({ family, proto, to, dport, kernel, trace, exposure });

const CASES: ForwardCase[] = [
  {
    name: 'iptables FORWARD by interface pair, port and destination',
    loader: 'iptables',
    text: `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth0 -o eth1 -p tcp --dport 80 -j ACCEPT
-A FORWARD -i eth0 -o eth1 -p udp --dport 5000 -j ACCEPT
-A FORWARD -d 10.2.0.2/32 -p tcp --dport 1761 -j REJECT --reject-with icmp-admin-prohibited
-A FORWARD -o eth0 -m conntrack --ctstate NEW -j DROP
-A FORWARD -i eth0 -o eth1 -p tcp -m multiport --dports 1762:1768 -j ACCEPT
COMMIT
`,
    probes: [
      f('ipv4', 'tcp', 'server', 80, 'accept', 'open'),
      f('ipv4', 'tcp', 'server', 22, 'drop', 'closed'),
      f('ipv4', 'udp', 'server', 5000, 'accept', 'open'),
      f('ipv4', 'tcp', 'server', 1761, 'reject', 'closed'),
      f('ipv4', 'tcp', 'server', 1768, 'accept', 'open'),
    ],
  },
  {
    // Docker's shape: a published port is a DNAT in nat DOCKER (from PREROUTING, for local destinations), let through
    // by filter DOCKER for the container's address and port; DOCKER-USER comes first
    name: 'Docker: a published port (8080 → 10.2.0.2:80)',
    loader: 'iptables',
    text: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 10.2.0.0/24 ! -o eth1 -j MASQUERADE
-A DOCKER -i eth1 -j RETURN
-A DOCKER ! -i eth1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.2.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -o eth1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o eth1 -j DOCKER
-A FORWARD -i eth1 ! -o eth1 -j ACCEPT
-A DOCKER -d 10.2.0.2/32 ! -i eth1 -o eth1 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-USER -j RETURN
COMMIT
`,
    probes: [
      // (sent to the router's address: whether 10.2.0.2 is this host's is not in the text, so the tracer is undecided)
      f('ipv4', 'tcp', 'router', 8080, 'accept', 'open', 'unknown'),
      f('ipv4', 'tcp', 'server', 80, 'accept', 'open'),
      f('ipv4', 'tcp', 'server', 22, 'drop', 'closed'),
    ],
  },
  {
    // DOCKER-USER restricting a published port by its original port (conntrack's original tuple)
    name: 'Docker: DOCKER-USER drops a published port by --ctorigdstport',
    loader: 'iptables',
    text: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.2.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d 10.2.0.2/32 -p tcp --dport 80 -j ACCEPT
-A DOCKER-USER -i eth0 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j DROP
-A DOCKER-USER -j RETURN
COMMIT
`,
    probes: [f('ipv4', 'tcp', 'router', 8080, 'drop', 'possibly-open', 'unknown'), f('ipv4', 'tcp', 'server', 80, 'accept', 'open')],
  },
  {
    // kube-proxy's shape: a NodePort DNATs to a pod, marked for masquerading; KUBE-FORWARD accepts marked packets
    name: 'kube-proxy: a NodePort (8080 → pod 10.2.0.2:80) accepted by its mark',
    loader: 'iptables',
    text: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-SVC-AAA - [0:0]
:KUBE-SEP-AAA - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -j MASQUERADE --random-fully
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web" -m tcp --dport 8080 -j KUBE-SVC-AAA
-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-AAA -p tcp -m tcp --dport 8080 -j KUBE-MARK-MASQ
-A KUBE-SVC-AAA -j KUBE-SEP-AAA
-A KUBE-SEP-AAA -p tcp -m tcp -j DNAT --to-destination 10.2.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FORWARD - [0:0]
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`,
    probes: [
      f('ipv4', 'tcp', 'router', 8080, 'accept', 'open'),
      // the pod's own address, unmarked: dropped (the exposure cannot tell the mark apart: possibly open)
      f('ipv4', 'tcp', 'server', 80, 'drop', 'possibly-open'),
    ],
  },
  {
    name: 'iptables FORWARD with state, multiport, a negated interface and a logging chain',
    loader: 'iptables',
    text: `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:LOGGING - [0:0]
-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth0 -o eth1 -m state --state NEW -p tcp -m multiport --dports 22,1761:1768 -j ACCEPT
-A FORWARD ! -i eth0 -j ACCEPT
-A FORWARD -j LOGGING
-A LOGGING -m limit --limit 2/min -j LOG --log-prefix "drop: "
-A LOGGING -p udp -j REJECT
-A LOGGING -j DROP
COMMIT
`,
    probes: [
      f('ipv4', 'tcp', 'server', 22, 'accept', 'open'),
      f('ipv4', 'tcp', 'server', 80, 'drop', 'closed'),
      f('ipv4', 'udp', 'server', 5000, 'reject', 'closed'),
      f('ipv4', 'tcp', 'server', 1768, 'accept', 'open'),
    ],
  },
  {
    name: 'mangle FORWARD drops before filter',
    loader: 'iptables',
    text: `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A FORWARD -p tcp --dport 443 -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
COMMIT
`,
    probes: [f('ipv4', 'tcp', 'server', 80, 'accept', 'open'), f('ipv4', 'tcp', 'server', 443, 'drop', 'closed')],
  },
  {
    // ip_forward / ip6_forward count the hop before the forward hook: FORWARD reads TTL 63 of a packet sent with 64
    name: 'TTL and hop limit in FORWARD are one less than sent',
    loader: 'iptables',
    text: `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -p tcp --dport 22 -m ttl --ttl-eq 64 -j DROP
-A FORWARD -p tcp --dport 80 -m ttl --ttl-eq 63 -j DROP
COMMIT
`,
    probes: [f('ipv4', 'tcp', 'server', 22, 'accept', 'open'), f('ipv4', 'tcp', 'server', 80, 'drop', 'possibly-open')],
  },
  {
    name: 'ip6tables FORWARD',
    loader: 'ip6tables',
    text: `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -s fd01::/64 -d fd02::2/128 -p tcp -m tcp --dport 22 -j ACCEPT
-A FORWARD -p udp --dport 5000 -j REJECT --reject-with icmp6-adm-prohibited
COMMIT
`,
    probes: [f('ipv6', 'tcp', 'server', 22, 'accept', 'open'), f('ipv6', 'tcp', 'server', 80, 'drop', 'closed'), f('ipv6', 'udp', 'server', 5000, 'reject', 'closed')],
  },
  {
    name: 'nft forward chain: interface pair, sets, a reject',
    loader: 'nft',
    text: `table inet filter {
	set allowed4 {
		type ipv4_addr . inet_service
		elements = { 10.2.0.2 . 80, 10.2.0.2 . 1762 }
	}
	chain fw_c {
		type filter hook forward priority filter; policy drop;
		ct state vmap { established : accept, related : accept, invalid : drop }
		iifname "eth0" jump from_wan
		reject with icmpx type admin-prohibited
	}
	chain from_wan {
		ip daddr . tcp dport @allowed4 accept
		ip6 daddr fd02::/64 tcp dport 1761-1768 accept
		meta l4proto udp drop
	}
}
`,
    probes: [
      f('ipv4', 'tcp', 'server', 80, 'accept', 'open'),
      f('ipv4', 'tcp', 'server', 1762, 'accept', 'open'),
      f('ipv4', 'tcp', 'server', 22, 'reject', 'closed'),
      f('ipv4', 'udp', 'server', 5000, 'drop', 'closed'),
      f('ipv6', 'tcp', 'server', 1762, 'accept', 'open'),
      f('ipv6', 'tcp', 'server', 443, 'reject', 'closed'),
    ],
  },
  {
    name: 'nft prerouting dnat, masquerade and a forward chain judging the original port',
    loader: 'nft',
    text: `table ip nat {
	chain prerouting_c {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 8080 dnat to 10.2.0.2:80
		tcp dport 8081 dnat to 10.2.0.2:443
	}
	chain postrouting_c {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade
	}
}
table ip filter {
	chain fw_c {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		meta l4proto tcp ct original proto-dst 8080 accept
	}
}
`,
    probes: [f('ipv4', 'tcp', 'router', 8080, 'accept', 'open'), f('ipv4', 'tcp', 'router', 8081, 'drop', 'possibly-open', 'unknown'), f('ipv4', 'tcp', 'server', 80, 'drop', 'closed')],
  },
];

function parse(c: ForwardCase): FirewallDocument {
  return c.loader === 'nft' ? parseNftables(c.text, { filePath: 'forward.nft' }) : parseIptables(c.text, { filePath: 'forward.rules', family: c.loader === 'ip6tables' ? 'ipv6' : 'ipv4' });
}

function packetOf(p: ForwardProbe, sport: number): Packet {
  const dst = p.to === 'server' ? ROUTED.server[p.family] : ROUTED.routerWan[p.family];
  // to the server: the forward hook, in by eth0 and out by eth1; to the router: the input hook (a DNAT moves it on)
  return { family: p.family, proto: p.proto, dport: p.dport, sport, src: ROUTED.client[p.family], dst, iif: 'eth0', ...(p.to === 'server' ? { oif: 'eth1', hook: 'forward' as const } : { hook: 'input' as const }), state: 'new' };
}

const avail = labAvailability(['iptables-restore', 'ip6tables-restore', 'nft']);
if (!avail.ok && !IN_CI) console.warn(`\n!!! SKIPPED forward-path kernel tests: ${avail.reason}\n`);

describe.skipIf(!avail.ok && !IN_CI)('the forward path against the Linux kernel (client, router, server)', () => {
  let lab: NetnsLab | undefined;
  let labError = avail.ok ? '' : avail.reason;
  beforeAll(async () => {
    if (!avail.ok) return;
    removeStaleNamespaces();
    try {
      lab = await NetnsLab.create('fwd', [22, 80, 443, 1761, 1762, 1768, 5000], 'router');
    } catch (e) {
      labError = (e as Error).message;
    }
  });
  afterAll(() => lab?.destroy());

  it('each probe gets its pinned kernel answer, and our reading of the same text agrees with it', async () => {
    if (!lab) throw new Error(`kernel tests must run in CI (CI=true) but cannot: ${labError}`);
    const wrong: string[] = [];
    let probes = 0;
    for (const c of CASES) {
      const loaded = lab.load(c.loader, c.text);
      expect(loaded.error ?? '', c.name).toBe('');
      const res = await lab.probe(
        c.probes.map((p) => ({ family: p.family, proto: p.proto, src: ROUTED.client[p.family], dst: p.to === 'server' ? ROUTED.server[p.family] : ROUTED.routerWan[p.family], dport: p.dport, iif: 'eth0' as const })),
        600,
      );
      const doc = parse(c);
      expect(doc.diagnostics.filter((d) => d.severity === 'error'), c.name).toEqual([]);
      expect(doc.rulesets, c.name).toHaveLength(1);
      c.probes.forEach((p, i) => {
        probes++;
        const where = `${c.name}: ${p.proto} ${p.family} to the ${p.to}:${p.dport}`;
        const kernel = res[i]!.outcome;
        if (kernel !== p.kernel) wrong.push(`${where}: kernel ${kernel} (${res[i]!.detail}), pinned ${p.kernel}`);
        const rs = doc.rulesets[0] as Ruleset;
        const packet = packetOf(p, res[i]!.sport);
        const tr = tracePacket(rs, packet).verdict;
        if (tr !== p.trace) wrong.push(`${where}: tracePacket ${tr}, pinned ${p.trace}`);
        if (tr !== 'unknown' && tr !== kernel) wrong.push(`${where}: tracePacket ${tr} where the kernel says ${kernel}`);
        const cls = classifyPacket(computeExposure(rs, { hook: packet.hook ?? 'input' }), packet);
        if (cls !== p.exposure) wrong.push(`${where}: exposure ${cls}, pinned ${p.exposure}`);
        if ((cls === 'closed' && kernel === 'accept') || (cls === 'open' && kernel !== 'accept')) wrong.push(`${where}: exposure ${cls} where the kernel says ${kernel}`);
      });
    }
    console.log(`forward path: ${probes} probes over ${CASES.length} rulesets, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
  }, 120_000);
});
