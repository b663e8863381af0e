/**
 * Static name tables for iptables: ICMP / ICMPv6 type names (as `iptables -p icmp -h`
 * prints them), a small service-name map for ports (the common /etc/services names),
 * built-in chains per table and the targets iptables knows.
 */
import type { Hook } from '../../model/index.js';

/** ICMP names → [type, code] (code -1 = every code of the type). `any` is handled by the caller. */
export const ICMP4_TYPES: Readonly<Record<string, readonly [number, number]>> = {
  'echo-reply': [0, -1],
  pong: [0, -1],
  'destination-unreachable': [3, -1],
  'network-unreachable': [3, 0],
  'host-unreachable': [3, 1],
  'protocol-unreachable': [3, 2],
  'port-unreachable': [3, 3],
  'fragmentation-needed': [3, 4],
  'source-route-failed': [3, 5],
  'network-unknown': [3, 6],
  'host-unknown': [3, 7],
  'network-prohibited': [3, 9],
  'host-prohibited': [3, 10],
  'tos-network-unreachable': [3, 11],
  'tos-host-unreachable': [3, 12],
  'communication-prohibited': [3, 13],
  'host-precedence-violation': [3, 14],
  'precedence-cutoff': [3, 15],
  'source-quench': [4, -1],
  redirect: [5, -1],
  'network-redirect': [5, 0],
  'host-redirect': [5, 1],
  'tos-network-redirect': [5, 2],
  'tos-host-redirect': [5, 3],
  'echo-request': [8, -1],
  ping: [8, -1],
  'router-advertisement': [9, -1],
  'router-solicitation': [10, -1],
  'time-exceeded': [11, -1],
  'ttl-exceeded': [11, -1],
  'ttl-zero-during-transit': [11, 0],
  'ttl-zero-during-reassembly': [11, 1],
  'parameter-problem': [12, -1],
  'ip-header-bad': [12, 0],
  'required-option-missing': [12, 1],
  'timestamp-request': [13, -1],
  'timestamp-reply': [14, -1],
  'address-mask-request': [17, -1],
  'address-mask-reply': [18, -1],
};

export const ICMP6_TYPES: Readonly<Record<string, readonly [number, number]>> = {
  'destination-unreachable': [1, -1],
  'no-route': [1, 0],
  'communication-prohibited': [1, 1],
  'beyond-scope': [1, 2],
  'address-unreachable': [1, 3],
  'port-unreachable': [1, 4],
  'failed-policy': [1, 5],
  'reject-route': [1, 6],
  'packet-too-big': [2, -1],
  'time-exceeded': [3, -1],
  'ttl-exceeded': [3, -1],
  'ttl-zero-during-transit': [3, 0],
  'ttl-zero-during-reassembly': [3, 1],
  'parameter-problem': [4, -1],
  'bad-header': [4, 0],
  'unknown-header-type': [4, 1],
  'unknown-option': [4, 2],
  'echo-request': [128, -1],
  ping: [128, -1],
  'echo-reply': [129, -1],
  pong: [129, -1],
  'mld-listener-query': [130, -1],
  'mld-listener-report': [131, -1],
  'mld-listener-done': [132, -1],
  'mld-listener-reduction': [132, -1],
  'router-solicitation': [133, -1],
  'router-advertisement': [134, -1],
  'neighbour-solicitation': [135, -1],
  'neighbor-solicitation': [135, -1],
  'neighbour-advertisement': [136, -1],
  'neighbor-advertisement': [136, -1],
  redirect: [137, -1],
};

/** Common /etc/services names (TCP and UDP share numbers for all of these). */
export const SERVICES: Readonly<Record<string, number>> = {
  tcpmux: 1,
  echo: 7,
  discard: 9,
  daytime: 13,
  'ftp-data': 20,
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  time: 37,
  nameserver: 42,
  whois: 43,
  nicname: 43,
  tacacs: 49,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  gopher: 70,
  finger: 79,
  http: 80,
  www: 80,
  'www-http': 80,
  kerberos: 88,
  'kerberos5': 88,
  pop2: 109,
  pop3: 110,
  'pop-3': 110,
  sunrpc: 111,
  portmapper: 111,
  auth: 113,
  ident: 113,
  nntp: 119,
  ntp: 123,
  epmap: 135,
  'netbios-ns': 137,
  'netbios-dgm': 138,
  'netbios-ssn': 139,
  imap: 143,
  imap2: 143,
  snmp: 161,
  'snmp-trap': 162,
  snmptrap: 162,
  bgp: 179,
  irc: 194,
  imap3: 220,
  ldap: 389,
  https: 443,
  'microsoft-ds': 445,
  kpasswd: 464,
  smtps: 465,
  submissions: 465,
  urd: 465,
  isakmp: 500,
  exec: 512,
  biff: 512,
  login: 513,
  who: 513,
  shell: 514,
  syslog: 514,
  printer: 515,
  talk: 517,
  ntalk: 518,
  route: 520,
  router: 520,
  uucp: 540,
  submission: 587,
  ipp: 631,
  ldaps: 636,
  rsync: 873,
  'ftps-data': 989,
  ftps: 990,
  telnets: 992,
  imaps: 993,
  pop3s: 995,
  socks: 1080,
  openvpn: 1194,
  'ms-sql-s': 1433,
  'ms-sql-m': 1434,
  'ingreslock': 1524,
  l2tp: 1701,
  pptp: 1723,
  radius: 1812,
  'radius-acct': 1813,
  nfs: 2049,
  'cvspserver': 2401,
  squid: 3128,
  mysql: 3306,
  'ms-wbt-server': 3389,
  svn: 3690,
  'ipsec-nat-t': 4500,
  sip: 5060,
  'sip-tls': 5061,
  xmpp: 5222,
  'xmpp-client': 5222,
  'xmpp-server': 5269,
  mdns: 5353,
  postgresql: 5432,
  postgres: 5432,
  amqp: 5672,
  x11: 6000,
  ircd: 6667,
  'http-alt': 8080,
  webcache: 8080,
  git: 9418,
};

export interface BuiltinChain {
  name: string;
  hook: Hook;
  priority: number;
  type: 'filter' | 'nat' | 'route';
}

const H = (name: string, hook: Hook, priority: number, type: BuiltinChain['type']): BuiltinChain => ({ name, hook, priority, type });

/** The built-in chains of each table, with the classic netfilter priorities. */
export const BUILTIN_CHAINS: Readonly<Record<string, readonly BuiltinChain[]>> = {
  filter: [H('INPUT', 'input', 0, 'filter'), H('FORWARD', 'forward', 0, 'filter'), H('OUTPUT', 'output', 0, 'filter')],
  nat: [H('PREROUTING', 'prerouting', -100, 'nat'), H('INPUT', 'input', 100, 'nat'), H('OUTPUT', 'output', -100, 'nat'), H('POSTROUTING', 'postrouting', 100, 'nat')],
  mangle: [
    H('PREROUTING', 'prerouting', -150, 'filter'),
    H('INPUT', 'input', -150, 'filter'),
    H('FORWARD', 'forward', -150, 'filter'),
    H('OUTPUT', 'output', -150, 'route'),
    H('POSTROUTING', 'postrouting', -150, 'filter'),
  ],
  raw: [H('PREROUTING', 'prerouting', -300, 'filter'), H('OUTPUT', 'output', -300, 'filter')],
  // iptables-nft registers the security table's chains at priority 150 (after nat INPUT's source NAT, at 100), not at
  // the kernel's NF_IP_PRI_SECURITY (50) that iptables-legacy uses: see LEGACY_SECURITY_PRIORITY
  security: [H('INPUT', 'input', 150, 'filter'), H('FORWARD', 'forward', 150, 'filter'), H('OUTPUT', 'output', 150, 'filter')],
};

/**
 * The security table's priority under iptables-legacy (NF_IP_PRI_SECURITY, include/uapi/linux/netfilter_ipv4.h): there
 * it runs before nat INPUT. A dump says which backend wrote it: `# Generated by iptables-save v1.8.9 (nf_tables) on …`
 * for iptables-nft, no "(nf_tables)" for legacy (and for every iptables before 1.8).
 */
export const LEGACY_SECURITY_PRIORITY = 50;

/** Non-terminating targets: evaluation goes on after them. */
export const CONTINUE_TARGETS: ReadonlySet<string> = new Set([
  'LOG',
  'NFLOG',
  'ULOG',
  'MARK',
  'CONNMARK',
  'TRACE',
  'CT',
  'NOTRACK',
  'CLASSIFY',
  'DSCP',
  'TOS',
  'TTL',
  'HL',
  'TCPMSS',
  'TCPOPTSTRIP',
  'SET',
  'AUDIT',
  'CHECKSUM',
  'CONNSECMARK',
  'SECMARK',
  'HMARK',
  'LED',
  'RATEEST',
  'TEE',
  'IDLETIMER',
  'ECN',
  'DNPT',
  'SNPT',
  'NFACCT',
]);

/** Targets that rewrite header fields the sender chose (Action.mangles): DSCP/TOS bits, TTL, hop limit, ECN bits, MSS, TCP options. */
export const HEADER_TARGETS: ReadonlySet<string> = new Set(['DSCP', 'TOS', 'TTL', 'HL', 'ECN', 'TCPMSS', 'TCPOPTSTRIP']);

/**
 * Targets that rewrite an address statelessly and go on (DNPT: the destination's IPv6 prefix, in mangle PREROUTING and
 * OUTPUT; SNPT: the source's): the rules after them see the new address, which we do not follow; read as a target we
 * do not know that rewrites (Action.rewrites: what reaches it is possibly open).
 */
export const PREFIX_TARGETS: ReadonlySet<string> = new Set(['DNPT', 'SNPT']);

export const NAT_TARGETS: Readonly<Record<string, 'dnat' | 'snat' | 'masquerade' | 'redirect' | 'netmap'>> = {
  DNAT: 'dnat',
  SNAT: 'snat',
  MASQUERADE: 'masquerade',
  REDIRECT: 'redirect',
  NETMAP: 'netmap',
};

/** Targets that take no further meaning from their options. */
export const VERDICT_TARGETS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE']);

/**
 * REJECT --reject-with types (libipt_REJECT.c / libip6t_REJECT.c, iptables 1.8): name and alias. iptables takes any
 * case-insensitive prefix of either (`icmp-port`, `ICMP-HOST-PROHIBITED`) and refuses the rest ("unknown reject type").
 */
export const REJECT_TYPES: Record<'ipv4' | 'ipv6', readonly (readonly [string, string])[]> = {
  ipv4: [
    ['icmp-net-unreachable', 'net-unreach'],
    ['icmp-host-unreachable', 'host-unreach'],
    ['icmp-proto-unreachable', 'proto-unreach'],
    ['icmp-port-unreachable', 'port-unreach'],
    ['icmp-net-prohibited', 'net-prohib'],
    ['icmp-host-prohibited', 'host-prohib'],
    ['tcp-reset', 'tcp-rst'],
    ['icmp-admin-prohibited', 'admin-prohib'],
  ],
  ipv6: [
    ['icmp6-no-route', 'no-route'],
    ['icmp6-adm-prohibited', 'adm-prohibited'],
    ['icmp6-addr-unreachable', 'addr-unreach'],
    ['icmp6-port-unreachable', 'port-unreach'],
    ['icmp6-policy-fail', 'policy-fail'],
    ['icmp6-reject-route', 'reject-route'],
    ['tcp-reset', 'tcp-rst'],
  ],
};

/** Whether iptables (ipv4) or ip6tables (ipv6) takes `--reject-with value`. */
export function rejectTypeKnown(value: string, family: 'ipv4' | 'ipv6'): boolean {
  if (value.length === 0) return false;
  const v = value.toLowerCase();
  for (const [name, alias] of REJECT_TYPES[family]) if (name.startsWith(v) || alias.startsWith(v)) return true;
  return false;
}

/**
 * Match options libxtables reads without XTOPT_INVERT: a `!` before one is refused ('comment: option "--comment" cannot
 * be inverted', iptables-restore 1.8.9, each checked in a network namespace), and the file loads nothing.
 */
export const NOT_INVERTIBLE: Readonly<Record<string, readonly string[]>> = {
  comment: ['--comment'],
  conntrack: ['--ctdir'],
  ttl: ['--ttl-lt', '--ttl-gt'],
  hl: ['--hl-lt', '--hl-gt'],
  addrtype: ['--limit-iface-in', '--limit-iface-out'],
  limit: ['--limit', '--limit-burst'],
  recent: ['--seconds', '--hitcount', '--name', '--rttl'],
  statistic: ['--mode'],
  string: ['--algo', '--from', '--to'],
  policy: ['--dir', '--pol'],
  socket: ['--transparent', '--nowildcard'],
  rpfilter: ['--loose', '--validmark', '--invert'],
  hashlimit: ['--hashlimit-name', '--hashlimit-mode'],
  connlimit: ['--connlimit-mask'],
  time: ['--timestart'],
};

/** Every option of NOT_INVERTIBLE, whatever its match (the fast path leaves a line with `!` before one to the general reader). */
export const NOT_INVERTIBLE_OPTIONS: ReadonlySet<string> = new Set(Object.values(NOT_INVERTIBLE).flat());
