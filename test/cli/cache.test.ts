import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsFingerprint } from '../../src/cli/lint.js';
import { BIN, fwlint, ROOT } from './helpers.js';

const CFT_SAVE = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m multiport --dports 1761:1768 -j ACCEPT
COMMIT
`;
const FINDING = 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT)';
const TAMPERED = 'FROM-THE-CACHE: TCP 1761 (cft-0, Transfer CFT PeSIT)';

function project(): string {
  const d = mkdtempSync(join(tmpdir(), 'fwlint-cache-'));
  writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
  writeFileSync(join(d, 'host.rules'), CFT_SAVE);
  return d;
}

type Results = { filePath: string; messages: { ruleId: string; message: string; line: number }[] }[];
const cftMessages = (stdout: string) => (JSON.parse(stdout) as Results)[0]!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => m.message);

/**
 * ESLint's cache stores each file's results; a file read from the cache is not linted again. The proof: a finding
 * rewritten inside the cache file comes back as written on the next run, and goes when the file or settings change.
 */
describe('fwlint --cache', () => {
  it('writes .eslintcache in the working directory and does not re-lint an unchanged file', () => {
    const d = project();
    const first = fwlint(['-f', 'json', '--cache', 'host.rules'], { cwd: d });
    expect(first.code).toBe(1);
    expect(cftMessages(first.stdout)[0]).toContain(FINDING);
    const cacheFile = join(d, '.eslintcache');
    expect(existsSync(cacheFile)).toBe(true);
    const cached = readFileSync(cacheFile, 'utf8');
    expect(cached).toContain(join(d, 'host.rules'));
    expect(cached).toContain(FINDING);
    writeFileSync(cacheFile, cached.split(FINDING).join(TAMPERED));

    const second = fwlint(['-f', 'json', '--cache', 'host.rules'], { cwd: d });
    expect(second.code).toBe(1);
    expect(cftMessages(second.stdout)[0]).toContain(TAMPERED);

    // the file changes: linted again
    writeFileSync(join(d, 'host.rules'), CFT_SAVE.replace('1761:1768', '1761:1762'));
    const third = fwlint(['-f', 'json', '--cache', 'host.rules'], { cwd: d });
    expect(cftMessages(third.stdout)).toEqual([
      'Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS) reachable from 0.0.0.0/0 without a Transfer CFT deployment on host.rules.',
    ]);
  });

  it('uses --cache-location, and re-lints when fwlint.config.yaml changes (a deployment now explains the ports)', () => {
    const d = project();
    const location = join(d, 'cache.json');
    const run = () => fwlint(['-f', 'json', '--cache', '--cache-location', location, 'host.rules'], { cwd: d });
    expect(cftMessages(run().stdout)[0]).toContain(FINDING);
    expect(existsSync(join(d, '.eslintcache'))).toBe(false);
    writeFileSync(location, readFileSync(location, 'utf8').split(FINDING).join(TAMPERED));
    expect(cftMessages(run().stdout)[0]).toContain(TAMPERED);

    writeFileSync(
      join(d, 'fwlint.config.yaml'),
      ['discovery: false', 'targets:', '  - files: ["host.rules"]', '    names: [mft01]', 'deployments:', '  - service: transfer-cft', '    targets: [mft01]', ''].join('\n'),
    );
    const after = run();
    const messages = cftMessages(after.stdout);
    expect(messages.some((m) => m.includes('FROM-THE-CACHE'))).toBe(false);
    expect(messages).toEqual([
      'Open: TCP 1764 (cft-3) reachable from 0.0.0.0/0 but not used by the Transfer CFT deployment on mft01 per fwlint.config.yaml:6 (1764 has no Transfer CFT role).',
    ]);
    // the same configuration a line lower: the message names the new line, not the cached one
    const config = readFileSync(join(d, 'fwlint.config.yaml'), 'utf8');
    writeFileSync(join(d, 'fwlint.config.yaml'), `# deployments of the MFT platform\n${config}`);
    expect(cftMessages(run().stdout)).toEqual([
      'Open: TCP 1764 (cft-3) reachable from 0.0.0.0/0 but not used by the Transfer CFT deployment on mft01 per fwlint.config.yaml:7 (1764 has no Transfer CFT role).',
    ]);
  });

  it('--cache-location in a folder that does not exist: made as ESLint does; one that cannot be made is a usage error, not a hang', () => {
    const d = project();
    expect(fwlint(['-f', 'json', '--cache', '--cache-location', 'ci/cache/', 'host.rules'], { cwd: d }).code).toBe(1);
    expect(readdirSync(join(d, 'ci', 'cache')).filter((f) => f.startsWith('.cache_'))).toHaveLength(1);
    if (process.platform !== 'linux') return;
    // ESLint wrote it with Node's recursive mkdir, which loops forever under /proc (mkdir /proc/x: ENOENT, mkdir
    // /proc: EEXIST, again): the run never ended
    const r = spawnSync(process.execPath, [BIN, '-f', 'json', '--cache', '--cache-location', '/proc/fwlint-no-such-folder/', 'host.rules'], { cwd: d, encoding: 'utf8', timeout: 20_000 });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fwlint: --cache-location: cannot make folder /proc/fwlint-no-such-folder/: ENOENT\nRun fwlint --help for usage.\n',
    });
  });

  it('re-lints a JSON export when its suppression sidecar appears or goes (the file itself unchanged)', () => {
    const d = project();
    writeFileSync(join(d, 'sg.json'), readFileSync(join(ROOT, 'fixtures/aws/describe-security-groups-cft.json'), 'utf8'));
    const sidecar = join(d, 'sg.json.fwlint-suppressions.yaml');
    const run = () => (JSON.parse(fwlint(['-f', 'json', '--cache', 'sg.json'], { cwd: d }).stdout) as Results)[0]!.messages.map((m) => `${m.line} ${m.ruleId}`);
    expect(run()).toEqual(['12 firewall/no-unneeded-cft-ports', '18 firewall/no-unneeded-cft-ports']);
    writeFileSync(sidecar, '- line: 8\n  ignore: no-unneeded-cft-ports -- partner gateway\n');
    expect(run()).toEqual([]);
    rmSync(sidecar);
    expect(run()).toEqual(['12 firewall/no-unneeded-cft-ports', '18 firewall/no-unneeded-cft-ports']);
  });

  it('re-lints a Terraform file when its terraform.tfvars or a local module it calls changes (the file itself unchanged)', () => {
    const d = project();
    mkdirSync(join(d, 'modules', 'sg'), { recursive: true });
    writeFileSync(
      join(d, 'main.tf'),
      [
        'variable "cft_cidr" {',
        '  default = "10.0.0.0/8"',
        '}',
        'resource "aws_security_group" "mft" {',
        '  name = "mft"',
        '  ingress {',
        '    from_port   = 1761',
        '    to_port     = 1768',
        '    protocol    = "tcp"',
        '    cidr_blocks = [var.cft_cidr]',
        '  }',
        '}',
        'module "sg" {',
        '  source = "./modules/sg/"',
        '}',
        '',
      ].join('\n'),
    );
    const moduleTf = (cidr: string) => `resource "aws_security_group" "inner" {\n  name = "inner"\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["${cidr}"]\n  }\n}\n`;
    writeFileSync(join(d, 'modules', 'sg', 'main.tf'), moduleTf('10.1.0.0/16'));
    const run = () => (JSON.parse(fwlint(['-f', 'json', '--cache', 'main.tf'], { cwd: d }).stdout) as Results)[0]!.messages.map((m) => `${m.line} ${m.message.replace(/ \(cft-0.*cft-7[^)]*\)/, '')}`);
    const cft = (from: string) => `10 Open: TCP 1761 reachable from ${from} without a Transfer CFT deployment on aws_security_group.mft, mft.`;
    expect(run()).toEqual([cft('10.0.0.0/8')]);
    // terraform.tfvars appears: Terraform loads it by itself
    writeFileSync(join(d, 'terraform.tfvars'), 'cft_cidr = "192.0.2.0/24"\n');
    expect(run()).toEqual([cft('192.0.2.0/24')]);
    // then a *.auto.tfvars, which wins
    writeFileSync(join(d, 'z.auto.tfvars'), 'cft_cidr = "198.51.100.0/24"\n');
    expect(run()).toEqual([cft('198.51.100.0/24')]);
    // the module opens SSH to the world
    writeFileSync(join(d, 'modules', 'sg', 'main.tf'), moduleTf('0.0.0.0/0'));
    expect(run()).toEqual([cft('198.51.100.0/24'), '13 Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0).']);
    // the module gains a file
    writeFileSync(join(d, 'modules', 'sg', 'extra.tf'), moduleTf('0.0.0.0/0').replace('"inner"', '"extra"').split('22').join('1768'));
    expect(run()).toHaveLength(3);
  });

  it('re-lints an ARM template or Bicep file when the X.parameters.json deployed with it changes', () => {
    const d = project();
    const rule = (src: string) => `{"name": "cft", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": ${src}, "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "1768"}}`;
    writeFileSync(
      join(d, 'nsg.json'),
      `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "parameters": {"src": {"type": "string", "defaultValue": "10.0.0.0/8"}},\n"resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01", "name": "nsg", "properties": {"securityRules": [\n${rule(`"[parameters('src')]"`)}]}}]}\n`,
    );
    writeFileSync(join(d, 'main.bicep'), "param src string = '10.0.0.0/8'\nresource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {\n  name: 'nsg'\n  properties: {\n    securityRules: [\n      {\n        name: 'cft'\n        properties: {\n          priority: 100\n          direction: 'Inbound'\n          access: 'Allow'\n          protocol: 'Tcp'\n          sourceAddressPrefix: src\n          sourcePortRange: '*'\n          destinationAddressPrefix: '*'\n          destinationPortRange: '1768'\n        }\n      }\n    ]\n  }\n}\n");
    // (the NSG's default AllowVnetInBound finding aside)
    const run = (file: string) => cftMessages(fwlint(['-f', 'json', '--cache', file], { cwd: d }).stdout).filter((m) => !m.includes('AllowVnetInBound')).map((m) => m.slice(m.indexOf(' reachable'), m.indexOf(' without')));
    const params = (src: string) => `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"src": {"value": "${src}"}}}\n`;
    for (const [file, paramFile] of [['nsg.json', 'nsg.parameters.json'], ['main.bicep', 'main.parameters.json']] as const) {
      expect(run(file)).toEqual([' reachable from 10.0.0.0/8']);
      writeFileSync(join(d, paramFile), params('192.0.2.0/24'));
      expect(run(file)).toEqual([' reachable from 192.0.2.0/24']);
      writeFileSync(join(d, paramFile), params('Internet'));
      expect(run(file)).toEqual([' reachable from 0.0.0.0/0, ::/0']);
    }
  });

  it("re-lints a Terraform file when the module's variables.tf changes a default it uses", () => {
    const d = project();
    writeFileSync(join(d, 'main.tf'), 'resource "aws_security_group" "mft" {\n  name = "mft"\n  ingress {\n    from_port   = 1768\n    to_port     = 1768\n    protocol    = "tcp"\n    cidr_blocks = [var.cft_cidr]\n  }\n}\n');
    const vars = (cidr: string) => `variable "cft_cidr" {\n  default = "${cidr}"\n}\n`;
    writeFileSync(join(d, 'variables.tf'), vars('10.0.0.0/8'));
    const run = () => cftMessages(fwlint(['-f', 'json', '--cache', 'main.tf'], { cwd: d }).stdout).map((m) => m.slice(m.indexOf(' reachable')));
    expect(run()).toEqual([' reachable from 10.0.0.0/8 without a Transfer CFT deployment on aws_security_group.mft, mft.']);
    writeFileSync(join(d, 'variables.tf'), vars('0.0.0.0/0'));
    expect(run()).toEqual([' reachable from 0.0.0.0/0 without a Transfer CFT deployment on aws_security_group.mft, mft.']);
  });

  it('re-lints an nftables file when a file it includes changes', () => {
    const d = project();
    mkdirSync(join(d, 'nftables.d'));
    writeFileSync(join(d, 'host.nft'), 'flush ruleset\ntable inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\ninclude "nftables.d/*.nft"\n');
    writeFileSync(join(d, 'nftables.d', 'a.nft'), 'add rule inet filter input tcp dport 22 accept\n');
    const run = () => cftMessages(fwlint(['-f', 'json', '--cache', 'host.nft'], { cwd: d }).stdout).length;
    expect(run()).toBe(0);
    writeFileSync(join(d, 'nftables.d', 'b.nft'), 'add rule inet filter input tcp dport 1761-1768 accept\n');
    expect(run()).toBe(1);
    writeFileSync(join(d, 'nftables.d', 'b.nft'), 'add rule inet filter input tcp dport 1761-1768 drop\n');
    expect(run()).toBe(0);
  });

  it('keys the cache by the day, on which an inline suppression expires (until=)', () => {
    const d = project();
    const key = (iso: string) => settingsFingerprint([join(d, 'host.rules')], undefined, d, Date.parse(iso));
    expect(key('2027-01-31T00:00:01Z')).toBe(key('2027-01-31T23:59:59Z'));
    expect(key('2027-01-31T23:59:59Z')).not.toBe(key('2027-02-01T00:00:01Z'));
  });

  it('without --cache leaves an .eslintcache alone (ESLint deletes the file at its cache location when not caching)', () => {
    const d = project();
    // the project's own `eslint --cache` keeps its cache here
    writeFileSync(join(d, '.eslintcache'), '{"the":"project cache"}');
    expect(fwlint(['host.rules'], { cwd: d }).code).toBe(1);
    expect(fwlint(['--concurrency', '2', 'host.rules'], { cwd: d }).code).toBe(1);
    expect(readFileSync(join(d, '.eslintcache'), 'utf8')).toBe('{"the":"project cache"}');
  });
});
