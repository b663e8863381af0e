import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { clearSettingsCache, findConfigFile, loadSettings, parsePortList, portSpecToSet, settingsFromText, validateSettings } from '../../src/deployments/index.js';
import { formatPorts } from '../../src/model/index.js';

const FIX = resolve(__dirname, '../../fixtures/deployments/config');
const short = (e: { line: number; column: number; schemaPath: string }) => `${e.line}:${e.column} ${e.schemaPath}`;

beforeEach(() => clearSettingsCache());

describe('parsePortList / portSpecToSet', () => {
  it('parses lists and ranges with spaces and iptables colons', () => {
    expect(formatPorts(parsePortList('1761-1763,1768')!)).toBe('1761-1763, 1768');
    expect(formatPorts(parsePortList(' 22 , 1761 - 1762 ')!)).toBe('22, 1761-1762');
    expect(formatPorts(parsePortList('1761:1768')!)).toBe('1761-1768');
    expect(formatPorts(portSpecToSet([8443, '9000-9001'])!)).toBe('8443, 9000-9001');
    expect(formatPorts(portSpecToSet(0)!)).toBe('0');
  });
  it('rejects bad lists', () => {
    for (const t of ['', ' ', '1761-', '-1', '1768-1761', '65536', '1,,2', '1,', 'a', '123456', '1 2']) expect(parsePortList(t), t).toBeUndefined();
    expect(portSpecToSet([])).toBeUndefined();
    expect(portSpecToSet(70000)).toBeUndefined();
    expect(portSpecToSet([22, 'x'])).toBeUndefined();
    expect(portSpecToSet(true)).toBeUndefined();
  });
  it('is linear on long hostile input', () => {
    const t0 = performance.now();
    expect(parsePortList('1,'.repeat(200_000) + 'x')).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(5_000); // a hang guard against backtracking, not a speed test
  });
});

describe('schema errors carry file, line, column and schema path', () => {
  it('YAML: every error of the fixture, in the order of the file (the checks beyond the schema among the others)', () => {
    const file = join(FIX, 'errors/fwlint.config.yaml');
    const s = loadSettings(undefined, { configFile: file, discover: false });
    expect(s.configFile).toBe(file);
    expect(s.errors.every((e) => e.file === file)).toBe(true);
    expect(s.errors.map(short)).toEqual([
      '1:12 #/properties/discovery/type',
      '3:5 #/properties/targets/items/required',
      '4:5 #/properties/targets/items/additionalProperties',
      '8:15 #/properties/deployments/items/properties/sources/items/format',
      '9:22 #/properties/deployments/items/properties/disabled/x-known-role',
      '10:14 #/properties/deployments/items/properties/service/x-known-service',
      '16:16 #/properties/deployments/items/properties/ports/items/properties/ports/anyOf',
      '17:19 #/properties/deployments/items/properties/ports/items/properties/protocol/enum',
      '21:12 #/properties/services/items/properties/ports/minItems',
      '24:7 #/properties/expectedPorts/additionalProperties/items/required',
      '25:7 #/properties/expectedPorts/additionalProperties/items/additionalProperties',
    ]);
    expect(s.errors.map((e) => e.message)).toEqual([
      'discovery: must be boolean',
      'targets[0]: missing required key "names"',
      'targets[0]: unknown key "name"',
      'deployments[0].sources[0]: not an IP address or CIDR',
      'deployments[0].disabled[1]: "ftp" is not a role of Transfer CFT (roles: pesit, pesitssl, sftp, coms, copilot, copilotcg, restapi)',
      expect.stringMatching(/^deployments\[1\]\.service: unknown service "transfer-xyz" \(known: transfer-cft, /),
      'deployments[2].ports[0].ports: must be a port (0-65535), a port list such as "1761-1763,1768", or a list of those',
      'deployments[2].ports[1].protocol: must be one of "tcp", "udp"',
      'services[0].ports: must NOT have fewer than 1 items',
      'expectedPorts.web01[0]: missing required key "ports"',
      'expectedPorts.web01[0]: unknown key "port"',
    ]);
  });
  it('YAML: the valid parts are still used (robust against one typo)', () => {
    const s = loadSettings(undefined, { configFile: join(FIX, 'errors/fwlint.config.yaml'), discover: false });
    expect(s.deployments.map((d) => `${d.service}@${d.targets.join(',')}: ${d.ports.map((p) => `${p.protocol} ${formatPorts(p.ports)}`).join('; ')} from ${d.sources?.toString()}`)).toEqual([
      'transfer-cft@mft01: tcp 1761-1762, 1765-1768 from 10.0.0.0/8',
      'ssh@mft03:  from undefined',
    ]);
  });
  it('JSON: unknown key at its own line and column', () => {
    const file = join(FIX, 'json/fwlint.config.json');
    const s = loadSettings(undefined, { configFile: file, discover: false });
    expect(s.errors).toEqual([
      { file, line: 6, column: 7, schemaPath: '#/properties/deployments/items/additionalProperties', message: 'deployments[0]: unknown key "source"' },
    ]);
    expect(s.deployments[0]!.evidence).toEqual([{ file, line: 4, text: '"service": "transfer-cft",', kind: 'config' }]);
  });
  it('YAML syntax errors are errors with a position, not exceptions', () => {
    const s = settingsFromText('deployments:\n  - service: [transfer-cft\n', '/x/fwlint.config.yaml');
    expect(s.errors.length).toBeGreaterThan(0);
    expect(s.errors[0]!.schemaPath).toBe('');
    expect(s.errors[0]!.line).toBeGreaterThanOrEqual(2);
    expect(s.errors[0]!.message).toMatch(/^YAML error/);
    expect(s.deployments).toEqual([]);
  });
  it('a missing configuration file is an error', () => {
    const s = loadSettings(undefined, { configFile: join(FIX, 'nope.yaml'), discover: false });
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]!.message).toMatch(/^cannot read configuration: ENOENT/);
  });
});

describe('validateSettings (settings.firewall)', () => {
  it('accepts a valid object and reports unknown keys with the schema path', () => {
    expect(validateSettings({ deployments: [{ service: 'transfer-cft', targets: ['mft01'], sources: ['10.0.0.0/8'] }] })).toEqual([]);
    expect(validateSettings({ deployment: [] })).toEqual([
      { file: 'settings.firewall', line: 1, column: 1, schemaPath: '#/additionalProperties', message: 'configuration: unknown key "deployment"' },
    ]);
    expect(validateSettings({ deployments: [{ service: 'transfer-cft', targets: [] }] }).map((e) => e.schemaPath)).toEqual([
      '#/properties/deployments/items/properties/targets/minItems',
    ]);
    expect(validateSettings('x').map((e) => e.schemaPath)).toEqual(['#/type']);
  });
});

describe('valid configuration', () => {
  it('user services, explicit ports keep catalogue roles, sources of both families, disabled roles, case-insensitive service ids', () => {
    const file = join(FIX, 'valid/fwlint.config.yml');
    const s = loadSettings(undefined, { configFile: file });
    expect(s.errors).toEqual([]);
    expect(s.discovery).toBeUndefined(); // discovery: false
    expect(s.services.find((x) => x.id === 'partner-gateway')).toMatchObject({ name: 'Partner gateway' });
    const view = s.deployments.map((d) => ({
      service: d.service,
      targets: d.targets,
      ports: d.ports.map((p) => `${p.protocol} ${formatPorts(p.ports)}`),
      roles: d.ports.map((p) => p.roles),
      sources: d.sources?.toString(),
      line: d.evidence[0]!.line,
    }));
    expect(view).toEqual([
      { service: 'transfer-cft', targets: ['mft01'], ports: ['tcp 1761, 1768'], roles: [{ 1761: 'pesit', 1768: 'restapi' }], sources: '10.1.0.0/16, 2001:db8::/32', line: 12 },
      { service: 'partner-gateway', targets: ['mft01'], ports: ['tcp 8443, 9000-9001'], roles: [undefined], sources: undefined, line: 18 },
      { service: 'transfer-cft', targets: ['mft09'], ports: ['tcp 1761-1763'], roles: [{ 1761: 'pesit', 1762: 'pesitssl', 1763: 'sftp' }], sources: undefined, line: 20 },
    ]);
  });
  it('settings.firewall is validated and merged after the file', () => {
    const file = join(FIX, 'valid/fwlint.config.yml');
    const s = loadSettings(undefined, {
      configFile: file,
      eslintSettings: { discovery: false, deployments: [{ service: 'ssh', targets: ['mft01'] }, { service: 'ssh', targets: ['x'], bogus: 1 }] },
    });
    expect(s.errors).toEqual([{ file: 'settings.firewall', line: 1, column: 1, schemaPath: '#/properties/deployments/items/additionalProperties', message: 'deployments[1]: unknown key "bogus"' }]);
    expect(s.deployments.map((d) => `${d.service}@${d.targets.join(',')}:${d.evidence[0]!.file}`)).toEqual([
      `transfer-cft@mft01:${file}`,
      `partner-gateway@mft01:${file}`,
      `transfer-cft@mft09:${file}`,
      'ssh@mft01:settings.firewall',
      'ssh@x:settings.firewall',
    ]);
  });
});

describe('disabled roles with ports given explicitly', () => {
  it('a role none of the moved ports has is named as a role, with the way out', () => {
    const s = settingsFromText('deployments:\n  - service: transfer-cft\n    targets: [mft]\n    ports: [{protocol: tcp, ports: "2761-2763,2768"}]\n    disabled: [sftp, ftp]\n', '/p/fwlint.config.yaml');
    expect(s.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      '5:16 deployments[0].disabled[0]: "sftp" is a role of Transfer CFT (port 1763) that none of the deployment\'s ports has (ports given explicitly keep a role only on its catalogue port): leave its port out of the ports instead',
      '5:22 deployments[0].disabled[1]: "ftp" is not a role of Transfer CFT (roles: pesit, pesitssl, sftp, coms, copilot, copilotcg, restapi)',
    ]);
  });
});

describe('duplicate keys', () => {
  it('are errors at the second key (the parser keeps the last one: the first would be silently lost)', () => {
    const yaml = settingsFromText('deployments:\n  - service: transfer-cft\n    targets: [mft01]\ndeployments:\n  - service: ssh\n    targets: [x]\n    targets: [y]\n', '/p/fwlint.config.yaml');
    expect(yaml.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      '4:1 configuration: duplicate key "deployments" (first at line 1); the first would be ignored',
      '7:5 deployments[0]: duplicate key "targets" (first at line 6); the first would be ignored',
    ]);
    const json = settingsFromText('{"discovery": false,\n "discovery": true}', '/p/fwlint.config.json');
    expect(json.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual(['2:2 configuration: duplicate key "discovery" (first at line 1); the first would be ignored']);
  });
});

describe('finding and caching the configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwl-cfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('finds fwlint.config.* upward from the linted file and reloads when the mtime changes', () => {
    mkdirSync(join(dir, 'hosts/deep'), { recursive: true });
    const cfg = join(dir, 'fwlint.config.yaml');
    writeFileSync(cfg, 'discovery: false\ndeployments:\n  - service: ssh\n    targets: [a]\n');
    expect(findConfigFile(join(dir, 'hosts/deep'))).toBe(cfg);
    const s1 = loadSettings(join(dir, 'hosts/deep/x.rules'));
    expect(s1.configFile).toBe(cfg);
    expect(s1.rootDir).toBe(dir);
    expect(loadSettings(join(dir, 'hosts/other.rules'))).toBe(s1); // cached
    writeFileSync(cfg, 'discovery: false\ndeployments:\n  - service: ssh\n    targets: [b]\n');
    utimesSync(cfg, new Date(), new Date(Date.now() + 5000));
    const s2 = loadSettings(join(dir, 'hosts/deep/x.rules'));
    expect(s2).not.toBe(s1);
    expect(s2.deployments[0]!.targets).toEqual(['b']);
  });
});

describe('discovery through loadSettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwl-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('maps discovered files with the configuration targets; evidence paths are absolute; discover:false and discovery:false switch it off', () => {
    mkdirSync(join(dir, 'compose'), { recursive: true });
    writeFileSync(join(dir, 'fwlint.config.yaml'), 'targets:\n  - files: ["compose/**"]\n    names: [dockerhost1]\n');
    writeFileSync(join(dir, 'compose/docker-compose.yml'), 'services:\n  cft:\n    image: axway/cft:3.10\n    ports: ["1761:1761"]\n');
    const s = loadSettings(join(dir, 'fw/host.rules'));
    expect(s.errors).toEqual([]);
    expect(s.discovery).toEqual({ filesRead: 2, truncated: false });
    expect(s.deployments.map((d) => ({ targets: d.targets, ports: formatPorts(d.ports[0]!.ports), evidence: d.evidence.map((e) => `${e.file}:${e.line}:${e.kind}`) }))).toEqual([
      { targets: ['dockerhost1', 'cft'], ports: '1761', evidence: [`${join(dir, 'compose/docker-compose.yml')}:3:discovered`, `${join(dir, 'compose/docker-compose.yml')}:4:discovered`] },
    ]);
    // cached scans are not mutated by the path rewriting
    clearSettingsCache();
    const again = loadSettings(join(dir, 'fw/host.rules'));
    expect(again.deployments[0]!.evidence[0]!.file).toBe(join(dir, 'compose/docker-compose.yml'));
    expect(loadSettings(join(dir, 'fw/host.rules'), { discover: false }).deployments).toEqual([]);
    expect(loadSettings(join(dir, 'fw/host.rules'), { eslintSettings: { discovery: false } }).deployments).toEqual([]);
  });
});

describe('the project root without a configuration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwl-root-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'fwl-cwd-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });
  it('is the checkout the linted file is in, not the working directory (a run from a subfolder or from outside)', () => {
    mkdirSync(join(dir, '.git'), { recursive: true });
    mkdirSync(join(dir, 'hosts/mft01'), { recursive: true });
    writeFileSync(join(dir, 'hosts/mft01/docker-compose.yml'), 'services:\n  cft:\n    image: axway/transfer-cft:3.10\n    ports: ["1761:1761"]\n');
    const summary = (s: ReturnType<typeof loadSettings>) => ({ root: s.rootDir, deployments: s.deployments.map((d) => `${d.targets.join(',')} ${formatPorts(d.ports[0]!.ports)}`) });
    const want = { root: dir, deployments: ['mft01,cft 1761'] };
    // `cd hosts && fwlint mft01/iptables.rules`: `hosts/` would no longer be in the path of the compose file
    expect(summary(loadSettings(join(dir, 'hosts/mft01/iptables.rules'), { cwd: join(dir, 'hosts') }))).toEqual(want);
    // `fwlint /abs/path/hosts/mft01/iptables.rules` from another folder: that folder is not the project
    expect(summary(loadSettings(join(dir, 'hosts/mft01/iptables.rules'), { cwd: elsewhere }))).toEqual(want);
    // outside any checkout: the working directory, as before
    expect(loadSettings(join(elsewhere, 'x.rules'), { cwd: elsewhere }).rootDir).toBe(elsewhere);
  });
});

describe('the schema file itself', () => {
  it('compiles in ajv strict mode with its $refs, and closes every object', async () => {
    const { Ajv } = await import('ajv');
    const { readFileSync } = await import('node:fs');
    const schema = JSON.parse(readFileSync(resolve(__dirname, '../../schema/fwlint.config.schema.json'), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ strict: true, allErrors: true });
    ajv.addFormat('cidr', true);
    ajv.addFormat('port-list', true);
    expect(() => ajv.compile(schema)).not.toThrow();
    const open: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (o.type === 'object' && o.additionalProperties === undefined) open.push(path);
      for (const [k, x] of Object.entries(o)) walk(x, `${path}/${k}`);
    };
    walk(schema, '#');
    expect(open).toEqual([]);
  });
});

describe('a declaration without ports, where discovery finds the deployment', () => {
  it('the ports found decide on the targets where it was found; the catalogue stays on the others', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-yield-'));
    try {
      mkdirSync(join(root, 'hosts/mft01'), { recursive: true });
      // published: 1761, 1762, 1768; Copilot 1766 on loopback only; COMS and SFTP not published
      writeFileSync(
        join(root, 'hosts/mft01/docker-compose.yml'),
        'services:\n  cft:\n    image: docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2406\n    ports:\n      - "1761:1761"\n      - "1762:1762"\n      - "127.0.0.1:1766:1766"\n      - "1768:1768"\n',
      );
      writeFileSync(join(root, 'fwlint.config.yaml'), 'deployments:\n  - service: transfer-cft\n    targets: [mft01, mft02]\n    sources: [198.51.100.0/24]\n  - service: transfer-cft\n    targets: [mft01]\n    ports: [{ protocol: tcp, ports: "2761" }]\n');
      const s = loadSettings(undefined, { configFile: join(root, 'fwlint.config.yaml') });
      expect(s.deployments.map((d) => `${d.targets.join(',')} ${formatPorts(d.ports[0]!.ports)} ${d.sources?.toString() ?? '-'} ${d.evidence[0]!.kind}`)).toEqual([
        'mft02 1761-1763, 1765-1768 198.51.100.0/24 config',
        // no port of its own there (its sources do not pass to the discovered one: the second declaration has none)
        'mft01 none 198.51.100.0/24 config',
        // explicit ports stay
        'mft01 2761 - config',
        'mft01,cft 1761-1762, 1768 - discovered',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
