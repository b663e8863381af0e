import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearSettingsCache,
  deploymentFromOptions,
  deploymentsFromComments,
  describeDeployments,
  expectedPortsFor,
  judge,
  loadSettings,
  settingsFromText,
  targetsFor,
  targetsFromComments,
  withDeployments,
  type Judgement,
} from '../../src/deployments/index.js';
import { AddrSet, formatPorts, numSetOf, parseCidr, type DocComment, type Ruleset } from '../../src/model/index.js';

const DEMO = resolve(__dirname, '../../fixtures/demo');
const TEN = parseCidr('10.0.0.0/8')!;
const ruleset = (targets: string[] = []): Ruleset => ({ name: 'r', targets, tables: [], families: ['ipv4'], kind: 'netfilter' });
const comment = (value: string, line = 1): DocComment => ({
  value,
  type: 'Line',
  span: { start: { line, column: 1, offset: 0 }, end: { line, column: 1 + value.length, offset: value.length } },
});
const ports = (...r: [number, number][]) => numSetOf(r);
const jv = (j: Judgement) => ({
  needed: formatPorts(j.needed),
  unneeded: formatPorts(j.unneeded),
  tooWide: j.tooWide && { ports: formatPorts(j.tooWide.ports), allowed: j.tooWide.allowed.toString(), actual: j.tooWide.actual.toString() },
  deployments: j.deployments.map((d) => d.targets.join(',')),
  elsewhere: j.elsewhere.map((d) => d.targets.join(',')),
});

beforeEach(() => clearSettingsCache());

describe('demo: Transfer CFT on mft01 and mft02 (SFTP disabled), not on web01', () => {
  const load = (host: string) => {
    const file = resolve(DEMO, `hosts/${host}.rules`);
    const s = loadSettings(file);
    return { s, targets: targetsFor(file, ruleset(), s, []) };
  };
  it('loads the demo configuration without errors', () => {
    const { s } = load('mft01');
    expect(s.errors).toEqual([]);
    expect(s.configFile).toBe(resolve(DEMO, 'fwlint.config.yaml'));
    expect(s.discovery).toEqual({ filesRead: 1, truncated: false }); // only fwlint.config.yaml is a candidate, and it is no deployment
    expect(s.deployments.map((d) => `${d.service}@${d.targets.join(',')}`)).toEqual([
      'transfer-cft@mft01',
      'transfer-cft@mft02',
      'ssh@mft01,mft02,web01',
      'http@web01',
      'https@web01',
    ]);
  });
  it('mft01 opens exactly 1761-1763,1765-1768/tcp from 10.0.0.0/8: all needed', () => {
    const { s, targets } = load('mft01');
    expect(targets).toEqual(['mft01']);
    expect(jv(judge('transfer-cft', targets, 6, ports([1761, 1763], [1765, 1768]), TEN, s))).toEqual({
      needed: '1761-1763, 1765-1768',
      unneeded: 'none',
      tooWide: undefined,
      deployments: ['mft01'],
      elsewhere: ['mft02'],
    });
  });
  it('mft01 from anywhere: needed but too wide', () => {
    const { s, targets } = load('mft01');
    expect(jv(judge('transfer-cft', targets, 6, ports([1768, 1768]), AddrSet.ALL, s)).tooWide).toEqual({ ports: '1768', allowed: '10.0.0.0/8', actual: '0.0.0.0/0, ::/0' });
  });
  it('mft02 opens 1761-1768 tcp+udp: 1763 (SFTP disabled), 1764 (no role) and all UDP are unneeded', () => {
    const { s, targets } = load('mft02');
    expect(targets).toEqual(['mft02']);
    expect(jv(judge('transfer-cft', targets, 6, ports([1761, 1768]), TEN, s))).toEqual({
      needed: '1761-1762, 1765-1768',
      unneeded: '1763-1764',
      tooWide: undefined,
      deployments: ['mft02'],
      elsewhere: ['mft01'],
    });
    expect(jv(judge('transfer-cft', targets, 17, ports([1761, 1768]), TEN, s))).toMatchObject({ needed: 'none', unneeded: '1761-1768', deployments: ['mft02'] });
  });
  it('web01 opens 1768 with no deployment: unneeded, deployed elsewhere', () => {
    const { s, targets } = load('web01');
    expect(targets).toEqual(['web01']);
    expect(jv(judge('transfer-cft', targets, 6, ports([1768, 1768]), AddrSet.ALL, s))).toEqual({
      needed: 'none',
      unneeded: '1768',
      tooWide: undefined,
      deployments: [],
      elsewhere: ['mft01', 'mft02'],
    });
    expect(jv(judge('https', targets, 6, ports([443, 443]), AddrSet.ALL, s))).toMatchObject({ needed: '443', unneeded: 'none', deployments: ['web01'] });
    expect(expectedPortsFor(targets, s).map((p) => `${p.protocol} ${formatPorts(p.ports)}`)).toEqual(['tcp 22, 80, 443']);
    expect(expectedPortsFor(['mft01'], s)).toEqual([]);
  });
  it('"*" judges against every service on the target', () => {
    const { s, targets } = load('web01');
    expect(jv(judge('*', targets, 6, ports([22, 22], [80, 80], [443, 443], [1768, 1768]), TEN, s))).toMatchObject({ needed: '22, 80, 443', unneeded: '1768' });
  });
});

describe('judge: sources per port, several deployments, names', () => {
  const s = settingsFromText(
    [
      'deployments:',
      '  - service: transfer-cft',
      '    targets: [sg-0abc, mft-sg]',
      '    ports: [{protocol: tcp, ports: "1761"}]',
      '    sources: [10.0.0.0/8]',
      '  - service: transfer-cft',
      '    targets: [sg-0abc]',
      '    ports: [{protocol: tcp, ports: "1768"}]',
      '    sources: [0.0.0.0/0, "::/0"]',
      '  - service: transfer-cft',
      '    targets: [tag:mft]',
      '    ports: [{protocol: tcp, ports: "1761"}]',
      '    sources: [192.168.0.0/16]',
      '  - service: transfer-cft',
      '    targets: [tag:mft]',
      '    ports: [{protocol: tcp, ports: "1761"}]',
    ].join('\n'),
    '/virtual/fwlint.config.yaml',
  );
  it('has no errors', () => expect(s.errors).toEqual([]));
  it('tooWide is computed per port: 1761 is limited to 10/8, 1768 is open to all', () => {
    const j = judge('transfer-cft', ['SG-0ABC'], 6, ports([1761, 1761], [1768, 1768]), parseCidr('192.168.0.0/16')!, s);
    expect(jv(j)).toEqual({
      needed: '1761, 1768',
      unneeded: 'none',
      tooWide: { ports: '1761', allowed: '10.0.0.0/8', actual: '192.168.0.0/16' },
      deployments: ['sg-0abc,mft-sg', 'sg-0abc'],
      elsewhere: ['tag:mft', 'tag:mft'],
    });
  });
  it('a deployment without sources on the same port allows anyone', () => {
    const j = judge('transfer-cft', ['tag:mft'], 6, ports([1761, 1761]), AddrSet.ALL, s);
    expect(j.tooWide).toBeUndefined();
    expect(formatPorts(j.needed)).toBe('1761');
  });
  it('IPv6 sources beyond IPv4-only declarations are too wide', () => {
    const j = judge('transfer-cft', ['mft-sg'], 6, ports([1761, 1761]), parseCidr('10.1.0.0/16')!.union(parseCidr('2001:db8::/32')!), s);
    expect(jv(j).tooWide).toEqual({ ports: '1761', allowed: '10.0.0.0/8', actual: '10.1.0.0/16, 2001:db8::/32' });
  });
  it('empty query sources and other services', () => {
    expect(judge('transfer-cft', ['mft-sg'], 6, ports([1761, 1761]), AddrSet.EMPTY, s).tooWide).toBeUndefined();
    expect(jv(judge('ssh', ['mft-sg'], 6, ports([22, 22]), TEN, s))).toEqual({ needed: 'none', unneeded: '22', tooWide: undefined, deployments: [], elsewhere: [] });
  });
});

describe('a discovered deployment on a target the configuration declares with sources', () => {
  it('takes the declared sources: finding the install in the repository does not cancel the declaration', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-declared-'));
    try {
      mkdirSync(join(root, 'deploy/mft-a'), { recursive: true });
      mkdirSync(join(root, 'deploy/mft-b'), { recursive: true });
      writeFileSync(
        join(root, 'fwlint.config.yaml'),
        'targets:\n  - files: ["deploy/mft-a/**"]\n    names: [mft-a]\n  - files: ["deploy/mft-b/**"]\n    names: [mft-b]\ndeployments:\n  - service: transfer-cft\n    targets: [mft-a]\n    sources: [10.20.0.0/16]\n  - service: transfer-cft\n    targets: [mft-b]\n',
      );
      writeFileSync(join(root, 'deploy/mft-a/initialize.properties'), 'PESIT_Port = 6330\n');
      writeFileSync(join(root, 'deploy/mft-b/initialize.properties'), 'PESIT_Port = 6330\n');
      const s = loadSettings(join(root, 'fw.rules'));
      expect(s.errors).toEqual([]);
      expect(s.deployments.map((d) => [d.targets.join(','), d.sources?.toString(), d.evidence[0]!.kind])).toEqual([
        ['mft-a', '10.20.0.0/16', 'config'],
        ['mft-b', undefined, 'config'],
        ['mft-a', '10.20.0.0/16', 'discovered'],
        ['mft-b', undefined, 'discovered'],
      ]);
      // 6330 is used only by the discovered install: reachable from 10.0.0.0/8, wider than the declared 10.20.0.0/16
      expect(jv(judge('transfer-cft', ['mft-a'], 6, ports([6330, 6330], [1762, 1762]), TEN, s))).toEqual({
        needed: '1762, 6330',
        unneeded: 'none',
        tooWide: { ports: '1762, 6330', allowed: '10.20.0.0/16', actual: '10.0.0.0/8' },
        deployments: ['mft-a', 'mft-a'],
        elsewhere: ['mft-b', 'mft-b'],
      });
      expect(judge('transfer-cft', ['mft-b'], 6, ports([6330, 6330]), TEN, s).tooWide).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('targetsFor', () => {
  const s = loadSettings(resolve(DEMO, 'hosts/mft01.rules'));
  it('config globs, hosts/<name>.<ext>, comments and ruleset targets, without duplicates', () => {
    const comments = [
      comment(' fwlint-target: mft07, mft08 -- copied from production', 1),
      comment('fwlint-target mft09', 2),
      comment('// fwlint-target: MFT10', 3),
      comment(' fwlint-targets: nope', 4),
      comment(' some other comment mentioning fwlint-target: no', 5),
      comment(' fwlint-target: mft01 */', 6),
    ];
    expect(targetsFor(resolve(DEMO, 'hosts/mft01.rules'), ruleset(['sg-0abc', 'mft07']), s, comments)).toEqual(['mft01', 'mft07', 'mft08', 'mft09', 'MFT10', 'sg-0abc']);
  });
  it('hosts/<fqdn>.<ext> names the host by its full name too (as hosts/<fqdn>/… does)', () => {
    expect(targetsFor(resolve(DEMO, 'hosts/mft01.example.com.rules'), ruleset(), s, [])).toEqual(['mft01', 'mft01.example.com']);
    expect(targetsFor(resolve(DEMO, 'hosts/mft01.rules.v4'), ruleset(), s, [])).toEqual(['mft01', 'mft01.rules']);
    expect(targetsFor(resolve(DEMO, 'hosts/mft01'), ruleset(), s, [])).toEqual(['mft01']);
  });
  it('a file outside the mapping and outside hosts/ has only its in-file and ruleset targets', () => {
    expect(targetsFor(resolve(DEMO, 'other/fw.rules'), ruleset(['nsg-mft']), s, [])).toEqual(['nsg-mft']);
    expect(targetsFor(undefined, ruleset(['k8s-ns:mft']), s, [comment('fwlint-target: a,b')])).toEqual(['a', 'b', 'k8s-ns:mft']);
  });
  it('targetsFromComments handles YAML/HCL # markers left in the value', () => {
    expect(targetsFromComments([comment('# fwlint-target: gcp-tag-mft')])).toEqual(['gcp-tag-mft']);
  });
});

describe('deploymentFromOptions', () => {
  const s = loadSettings(resolve(DEMO, 'hosts/mft01.rules'));
  it('builds a rule-options deployment from a known service', () => {
    const d = deploymentFromOptions({ service: 'transfer-cft', targets: ['web01'], ports: [{ protocol: 'tcp', ports: '1768' }], sources: ['10.0.0.0/8'] }, s, { file: 'eslint.config.js', line: 12 })!;
    expect(d.evidence).toEqual([{ file: 'eslint.config.js', line: 12, text: 'rule options: transfer-cft', kind: 'rule-options' }]);
    expect(formatPorts(d.ports[0]!.ports)).toBe('1768');
    expect(d.sources!.toString()).toBe('10.0.0.0/8');
    expect(deploymentFromOptions({ service: 'nope', targets: ['x'] }, s, { file: 'f', line: 1 })).toBeUndefined();
  });
});

describe('describeDeployments', () => {
  const s = settingsFromText('discovery: false\n', '/repo/fwlint.config.yaml');
  const dep = (targets: string[], file: string, line: number) => ({ service: 'transfer-cft', targets, ports: [], evidence: [{ file, line, text: '', kind: 'discovered' as const }] });
  it('names each deployment by its targets and first evidence, relative to the root; an unnamed one says how to name it', () => {
    expect(describeDeployments([dep(['mft02'], '/repo/hosts/mft02/compose.yml', 3), dep([], '/repo/etc/systemd/system/cft.service', 2), dep(['mft01'], '/repo/fwlint.config.yaml', 4)], s)).toBe(
      'a host with no name per etc/systemd/system/cft.service:2, to be named with targets: in fwlint.config.yaml; mft01 per fwlint.config.yaml:4; mft02 per hosts/mft02/compose.yml:3',
    );
    const many = [1, 2, 3, 4, 5].map((k) => dep([`mft0${k}`], '/repo/fwlint.config.yaml', k));
    expect(describeDeployments(many, s)).toBe('mft01 per fwlint.config.yaml:1; mft02 per fwlint.config.yaml:2; mft03 per fwlint.config.yaml:3 and 2 more');
  });
});

describe('deploymentsFromComments (in-file declarations)', () => {
  const s = loadSettings(resolve(DEMO, 'hosts/web01.rules'));
  it('declares a deployment on the file targets, with options', () => {
    const r = deploymentsFromComments(
      [
        comment(' fwlint-deployment: transfer-cft disabled=sftp,coms sources=10.0.0.0/8,192.168.1.0/24 -- temporary migration', 3),
        comment(' fwlint-deployment: ssh targets=bastion ports=tcp:2222', 4),
        comment(' nothing here', 5),
      ],
      '/x/web01.rules',
      ['web01'],
      s,
    );
    expect(r.errors).toEqual([]);
    expect(r.deployments.map((d) => ({ service: d.service, targets: d.targets, ports: d.ports.map((p) => `${p.protocol} ${formatPorts(p.ports)}`), sources: d.sources?.toString(), evidence: d.evidence }))).toEqual([
      {
        service: 'transfer-cft',
        targets: ['web01'],
        ports: ['tcp 1761-1762, 1766-1768'],
        sources: '10.0.0.0/8, 192.168.1.0/24',
        evidence: [{ file: '/x/web01.rules', line: 3, text: 'fwlint-deployment: transfer-cft disabled=sftp,coms sources=10.0.0.0/8,192.168.1.0/24', kind: 'in-file' }],
      },
      { service: 'ssh', targets: ['bastion'], ports: ['tcp 2222'], sources: undefined, evidence: [{ file: '/x/web01.rules', line: 4, text: 'fwlint-deployment: ssh targets=bastion ports=tcp:2222', kind: 'in-file' }] },
    ]);
    const j = judge('transfer-cft', ['web01'], 6, ports([1768, 1768]), AddrSet.ALL, withDeployments(s, r.deployments));
    expect(jv(j)).toMatchObject({ needed: '1768', unneeded: 'none', tooWide: { ports: '1768', allowed: '10.0.0.0/8, 192.168.1.0/24', actual: '0.0.0.0/0, ::/0' }, deployments: ['web01'] });
    expect(withDeployments(s, [])).toBe(s);
  });
  it('reports bad declarations at the comment', () => {
    const r = deploymentsFromComments(
      [comment('fwlint-deployment: nope', 7), comment('fwlint-deployment: ssh ports=icmp:1 sources=300.0.0.1 colour=red', 8), comment('fwlint-deployment: transfer-cft disabled=ftp', 9), comment('fwlint-deployment:', 10)],
      undefined,
      ['a'],
      s,
    );
    const known = s.services.map((x) => x.id).join(', ');
    expect(r.errors.map(({ line, column, message }) => ({ line, column, message }))).toEqual([
      { line: 7, column: 1, message: `fwlint-deployment: unknown service "nope" (known: ${known}); the declaration is not used` },
      { line: 8, column: 1, message: 'fwlint-deployment: "icmp:1" is not a port list such as tcp:1761-1763,1768' },
      { line: 8, column: 1, message: 'fwlint-deployment: "300.0.0.1" is not an IP address or CIDR' },
      { line: 8, column: 1, message: 'fwlint-deployment: unknown option "colour=red" (targets=, ports=, sources=, disabled=); the declaration is not used' },
      { line: 9, column: 1, message: 'fwlint-deployment: "ftp" is not a role of Transfer CFT (roles: pesit, pesitssl, sftp, coms, copilot, copilotcg, restapi); nothing is switched off for it' },
      { line: 10, column: 1, message: `fwlint-deployment: missing service id (known: ${known}); the declaration is not used` },
    ]);
    expect(r.errors[0]!.span).toEqual(comment('fwlint-deployment: nope', 7).span);
    expect(r.deployments.map((d) => `${d.service} ${formatPorts(d.ports[0]!.ports)}`)).toEqual(['transfer-cft 1761-1763, 1765-1768']);
  });
  it('keeps the catalogue roles of explicit ports, so that disabled= applies to them (as in the configuration)', () => {
    const r = deploymentsFromComments([comment('fwlint-deployment: transfer-cft ports=tcp:1761-1763,1768 disabled=sftp', 2)], undefined, ['a'], s);
    expect(r.errors).toEqual([]);
    expect(r.deployments.map((d) => `${d.service} ${formatPorts(d.ports[0]!.ports)}`)).toEqual(['transfer-cft 1761-1762, 1768']);
  });
});
