/**
 * nftables symbol tables: chain priorities, ICMP types, services, conntrack states.
 * Names are those nft prints and accepts (nft's datatype symbol tables).
 */
import type { Hook, TableFamily } from '../../model/index.js';

export const FAMILIES: ReadonlySet<string> = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);
export const HOOKS: ReadonlySet<string> = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress', 'egress']);

const STD_PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const BRIDGE_PRIORITIES: Record<string, number> = { filter: -200, out: 100, dstnat: -300, srcnat: 300 };

/** A named chain priority for a family, or undefined when nft would reject the name. */
export function namedPriority(family: TableFamily, name: string): number | undefined {
  const table = family === 'bridge' ? BRIDGE_PRIORITIES : STD_PRIORITIES;
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

export function asHook(s: string): Hook | undefined {
  return HOOKS.has(s) ? (s as Hook) : undefined;
}

/** ICMP (IPv4) type names as nft's icmp_type datatype spells them. */
export const ICMP_TYPES: Readonly<Record<string, number>> = {
  'echo-reply': 0,
  'destination-unreachable': 3,
  'source-quench': 4,
  redirect: 5,
  'echo-request': 8,
  'router-advertisement': 9,
  'router-solicitation': 10,
  'time-exceeded': 11,
  'parameter-problem': 12,
  'timestamp-request': 13,
  'timestamp-reply': 14,
  'info-request': 15,
  'info-reply': 16,
  'address-mask-request': 17,
  'address-mask-reply': 18,
};

/** ICMP (IPv4) code names as nft's icmp_code datatype spells them (`nft describe icmp code`). */
export const ICMP_CODES: Readonly<Record<string, number>> = {
  'net-unreachable': 0,
  'host-unreachable': 1,
  'prot-unreachable': 2,
  'port-unreachable': 3,
  'frag-needed': 4,
  'net-prohibited': 9,
  'host-prohibited': 10,
  'admin-prohibited': 13,
};

/** ICMPv6 code names (nft's icmpv6_code datatype, `nft describe icmpv6 code`). */
export const ICMPV6_CODES: Readonly<Record<string, number>> = {
  'no-route': 0,
  'admin-prohibited': 1,
  'addr-unreachable': 3,
  'port-unreachable': 4,
  'policy-fail': 5,
  'reject-route': 6,
};

/** ICMPv6 type names (nft's icmp6_type datatype). */
export const ICMPV6_TYPES: Readonly<Record<string, number>> = {
  'destination-unreachable': 1,
  'packet-too-big': 2,
  'time-exceeded': 3,
  'parameter-problem': 4,
  'echo-request': 128,
  'echo-reply': 129,
  'mld-listener-query': 130,
  'mld-listener-report': 131,
  'mld-listener-done': 132,
  'mld-listener-reduction': 132,
  'nd-router-solicit': 133,
  'nd-router-advert': 134,
  'nd-neighbor-solicit': 135,
  'nd-neighbor-advert': 136,
  'nd-redirect': 137,
  'router-renumbering': 138,
  'ind-neighbor-solicit': 141,
  'ind-neighbor-advert': 142,
  'mld2-listener-report': 143,
};

/** The common /etc/services names nft resolves for inet_service values. */
export const SERVICES: Readonly<Record<string, number>> = {
  tcpmux: 1, echo: 7, discard: 9, systat: 11, daytime: 13, netstat: 15, qotd: 17, chargen: 19,
  'ftp-data': 20, ftp: 21, ssh: 22, telnet: 23, smtp: 25, time: 37, whois: 43, tacacs: 49,
  domain: 53, gopher: 70, finger: 79, http: 80, www: 80, kerberos: 88, 'iso-tsap': 102,
  pop3: 110, sunrpc: 111, auth: 113, nntp: 119, ntp: 123, epmap: 135, 'netbios-ns': 137,
  'netbios-dgm': 138, 'netbios-ssn': 139, imap2: 143, imap: 143, snmp: 161, 'snmp-trap': 162,
  xdmcp: 177, bgp: 179, irc: 194, ldap: 389, https: 443, 'microsoft-ds': 445, kpasswd: 464,
  submissions: 465, urd: 465, isakmp: 500, syslog: 514, printer: 515, talk: 517, ntalk: 518,
  route: 520, submission: 587, ipp: 631, ldaps: 636, rsync: 873, 'ftps-data': 989, ftps: 990,
  telnets: 992, imaps: 993, pop3s: 995, socks: 1080, openvpn: 1194, 'ms-sql-s': 1433,
  'ms-sql-m': 1434, l2tp: 1701, pptp: 1723, radius: 1812, 'radius-acct': 1813, nfs: 2049,
  mysql: 3306, 'ms-wbt-server': 3389, 'nut': 3493, svn: 3690, sip: 5060, 'sip-tls': 5061,
  'xmpp-client': 5222, 'xmpp-server': 5269, postgresql: 5432, 'x11': 6000, 'http-alt': 8080,
  webcache: 8080, tftp: 69, bootps: 67, bootpc: 68, dhcpv6_client: 546, dhcpv6_server: 547,
  'dhcpv6-client': 546, 'dhcpv6-server': 547, mdns: 5353, amanda: 10080, zabbix_agent: 10050,
  'zabbix-agent': 10050, 'zabbix-trapper': 10051, 'git': 9418, 'domain-s': 853,
};

export const CT_STATE_NAMES: ReadonlySet<string> = new Set(['new', 'established', 'related', 'invalid', 'untracked']);

/** Meta keys that may be written without `meta` (nft's meta_key_unqualified). */
export const META_UNQUALIFIED: ReadonlySet<string> = new Set([
  'mark', 'iif', 'iifname', 'iiftype', 'oif', 'oifname', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid',
  'ibriport', 'obriport', 'ibrname', 'obrname', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup',
  'iifkind', 'oifkind',
]);

/** Protocol header keywords that start a payload expression (`tcp dport`, `ip saddr`). */
export const PAYLOAD_PROTOCOLS: ReadonlySet<string> = new Set([
  'ip', 'ip6', 'tcp', 'udp', 'udplite', 'sctp', 'dccp', 'th', 'icmp', 'icmpv6', 'igmp', 'ether', 'vlan', 'arp',
  'ah', 'esp', 'comp', 'gre', 'gretap', 'vxlan', 'geneve', 'ipip', 'ipip6',
]);

/** IPv6 extension header keywords (JSON `exthdr`). */
export const EXTHDR_NAMES: ReadonlySet<string> = new Set(['hbh', 'rt0', 'rt2', 'srh', 'frag', 'dst', 'mh', 'exthdr']);

/** Transport protocols whose header carries ports, by payload keyword. */
export const PORT_PROTO_NUMBERS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, udplite: 136, sctp: 132, dccp: 33 };
