/**
 * fwlint diff BASE [HEAD] in throwaway git repositories: exactly the newly
 * exposed ports and the responsible line, what closed, the exit codes, and
 * every output format (SARIF validated against the SARIF 2.1.0 schema).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, fwlint } from './helpers.js';

const hasGit = spawnSync('git', ['--version']).status === 0;
if (!hasGit && process.env.CI === 'true') throw new Error('fwlint diff test cannot run in CI: git is not installed');
if (!hasGit) console.warn('SKIPPING fwlint diff tests: git is not installed');

const HEADER = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT\n';
const CLEAN = `${HEADER}COMMIT\n`;
const CFT_LINE = '-A INPUT -p tcp -s 0.0.0.0/0 -m multiport --dports 1761:1768 -j ACCEPT';
const OPEN_CFT = `${HEADER}${CFT_LINE}\nCOMMIT\n`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function repo() {
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-diff-'));
  dirs.push(dir);
  const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'fwlint test');
  git('config', 'commit.gpgsign', 'false');
  const commit = (files: Record<string, string | null>, msg: string) => {
    for (const [name, text] of Object.entries(files)) {
      if (text === null) git('rm', '-q', name);
      else {
        writeFileSync(join(dir, name), text);
        git('add', name);
      }
    }
    git('commit', '-q', '-m', msg);
    return git('rev-parse', 'HEAD');
  };
  return { dir, git, commit };
}

interface JsonChange {
  kind: string;
  protocol?: number;
  ports: [number, number][];
  sources: string[];
  certainty: string;
  span?: { line: number; column: number };
  flaggedBy?: string;
}
interface JsonReport {
  base: string;
  head: string;
  files: { file: string; format: string; status: string; changes: JsonChange[]; errors: unknown[] }[];
}

describe.skipIf(!hasGit)('fwlint diff', () => {
  it('reports exactly TCP 1761-1768 from 0.0.0.0/0 at the line that opens them, and exits 1', () => {
    const { dir, commit } = repo();
    const a = commit({ 'rules.v4': CLEAN, 'README.md': 'not a firewall\n' }, 'clean');
    const b = commit({ 'rules.v4': OPEN_CFT, 'README.md': 'still not\n' }, 'open CFT');
    const r = fwlint(['diff', a, b, '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as JsonReport;
    expect(rep.files.map((f) => [f.file, f.format, f.status])).toEqual([['rules.v4', 'iptables-save', 'modified']]);
    expect(rep.files[0]!.changes).toEqual([
      expect.objectContaining({ kind: 'newly-exposed', protocol: 6, ports: [[1761, 1768]], sources: ['0.0.0.0/0'], certainty: 'open', flaggedBy: 'firewall/no-unneeded-cft-ports', span: { line: 7, column: 43, endLine: 7, endColumn: 61 } }),
    ]);

    const text = fwlint(['diff', a, b], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(
      'rules.v4 (iptables-save, modified)\n' +
        '  + error   tcp 1761-1768 (cft-0…cft-7) reachable from 0.0.0.0/0, line 7  firewall/no-unneeded-cft-ports\n' +
        `fwlint diff ${a}..${b}: 1 firewall file changed, 1 newly exposed (1 flagged), 0 closed\n`,
    );
  });

  it('reports the removal as closed, exit 0', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': OPEN_CFT }, 'open');
    commit({ 'rules.v4': CLEAN }, 'close');
    const r = fwlint(['diff', 'HEAD~1', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as JsonReport;
    expect(rep.files[0]!.changes).toEqual([expect.objectContaining({ kind: 'closed', protocol: 6, ports: [[1761, 1768]], sources: ['0.0.0.0/0'], span: { line: 7, column: 43, endLine: 7, endColumn: 61 } })]);
    expect(rep.files[0]!.changes[0]!.flaggedBy).toBeUndefined();
  });

  it('compares with the working tree (untracked files included) when HEAD is left out', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': CLEAN }, 'clean');
    writeFileSync(join(dir, 'rules.v4'), OPEN_CFT);
    writeFileSync(join(dir, 'edge.nft'), 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 3306 accept\n  }\n}\n');
    const r = fwlint(['diff', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as JsonReport;
    expect(rep.head).toBe('working tree');
    expect(rep.files.map((f) => [f.file, f.status])).toEqual([['edge.nft', 'added'], ['rules.v4', 'modified']]);
    const mysql = rep.files[0]!.changes;
    // 3306 from everywhere, IPv4 and IPv6: a sensitive port open to the world
    expect(mysql.map((c) => [c.kind, c.protocol, c.ports, c.sources, c.span?.line, c.flaggedBy])).toEqual([
      ['newly-exposed', 6, [[3306, 3306]], ['0.0.0.0/0', '::/0'], 4, 'firewall/no-world-open-sensitive-ports'],
    ]);
  });

  it('an unflagged new exposure is a warning and exits 0; narrowing sources closes only the difference', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': CLEAN }, 'clean');
    writeFileSync(join(dir, 'rules.v4'), `${HEADER.replace('-s 10.0.0.0/8 --dport 22', '-s 10.1.0.0/16 --dport 22')}-A INPUT -p tcp -s 10.0.0.0/8 --dport 8443 -j ACCEPT\nCOMMIT\n`);
    const r = fwlint(['diff', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const changes = (JSON.parse(r.stdout) as JsonReport).files[0]!.changes;
    expect(changes.map((c) => [c.kind, c.ports, c.sources, c.span?.line, c.flaggedBy ?? null])).toEqual([
      ['newly-exposed', [[8443, 8443]], ['10.0.0.0/8'], 7, null],
      ['closed', [[22, 22]], ['10.0.0.0/16', '10.2.0.0/15', '10.4.0.0/14', '10.8.0.0/13', '10.16.0.0/12', '10.32.0.0/11', '10.64.0.0/10', '10.128.0.0/9'], 6, null],
    ]);
  });

  it('widening ssh from 10.0.0.0/8 to the whole internet is flagged: world-open is judged on all that reaches the port, not on the new share', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': `${HEADER}-A INPUT -p tcp -s 0.0.0.0/1 --dport 443 -j ACCEPT\nCOMMIT\n` }, 'internal ssh, half of the internet on https');
    // the new share of 22 is 0.0.0.0/0 minus 10.0.0.0/8, of 443 is 128.0.0.0/1: neither is the whole internet alone
    writeFileSync(join(dir, 'rules.v4'), `${HEADER.replace('-s 10.0.0.0/8 --dport 22', '-s 0.0.0.0/0 --dport 22')}-A INPUT -p tcp -s 0.0.0.0/1 --dport 443 -j ACCEPT\n-A INPUT -p tcp -s 128.0.0.0/1 --dport 443 -j ACCEPT\n-A INPUT -p tcp -s 128.0.0.0/1 --dport 8443 -j ACCEPT\nCOMMIT\n`);
    const r = fwlint(['diff', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const changes = (JSON.parse(r.stdout) as JsonReport).files[0]!.changes;
    expect(changes.map((c) => [c.kind, c.ports, c.span?.line, c.flaggedBy ?? null])).toEqual([
      ['newly-exposed', [[22, 22]], 6, 'firewall/no-world-open-sensitive-ports'],
      ['newly-exposed', [[443, 443]], 8, 'firewall/no-world-open-sensitive-ports'],
      ['newly-exposed', [[8443, 8443]], 9, null],
    ]);
    expect(fwlint(['--no-summary', 'rules.v4'], { cwd: dir }).stdout).toContain('6:30  error    Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0)');
    // said as what it is: the whole internet but the part that already reached it
    expect(fwlint(['diff', 'HEAD'], { cwd: dir }).stdout.split('\n')[1]).toBe('  + error   tcp 22 (ssh) reachable from 0.0.0.0/0 except 10.0.0.0/8, line 6  firewall/no-world-open-sensitive-ports');
  });

  it('a change of terraform.tfvars alone compares the Terraform files beside it, each side with its own values', () => {
    const { dir, commit } = repo();
    const tf = 'variable "ssh_cidr" {\n  type    = string\n  default = "10.0.0.0/8"\n}\n\nresource "aws_security_group" "web" {\n  name = "web"\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = [var.ssh_cidr]\n  }\n}\n';
    mkdirSync(join(dir, 'prod'));
    const a = commit({ 'prod/main.tf': tf, 'prod/terraform.tfvars': 'ssh_cidr = "10.1.0.0/16"\n' }, 'internal ssh');
    const b = commit({ 'prod/terraform.tfvars': 'ssh_cidr = "0.0.0.0/0"\n' }, 'open ssh');
    const r = fwlint(['diff', a, b, '-f', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as JsonReport;
    expect(rep.files.map((f) => [f.file, f.format, f.status])).toEqual([['prod/main.tf', 'terraform', 'modified']]);
    expect(rep.files[0]!.changes.map((c) => [c.kind, c.ports, c.span?.line, c.flaggedBy ?? null, c.sources.includes('10.1.0.0/16')])).toEqual([
      ['newly-exposed', [[22, 22]], 12, 'firewall/no-world-open-sensitive-ports', false],
    ]);
    // run from a subfolder: GitHub resolves annotation files and SARIF URIs from the checkout's root
    const sub = fwlint(['diff', a, b, '-f', 'github'], { cwd: join(dir, 'prod') });
    expect(sub.stdout).toMatch(/^::error file=prod\/main\.tf,line=12,/);
    const sarif = JSON.parse(fwlint(['diff', a, b, '-f', 'sarif'], { cwd: join(dir, 'prod') }).stdout) as { runs: { originalUriBaseIds: unknown; results: { locations: { physicalLocation: { artifactLocation: unknown } }[] }[] }[] };
    expect([sarif.runs[0]!.originalUriBaseIds, sarif.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation)]).toEqual([
      { '%SRCROOT%': { uri: `file://${dir}/` } },
      [{ uri: 'prod/main.tf', uriBaseId: '%SRCROOT%', index: 0 }],
    ]);
    // the working tree against the base: the base side reads the base's tfvars, not the working tree's
    writeFileSync(join(dir, 'prod', 'terraform.tfvars'), 'ssh_cidr = "10.0.0.0/8"\n');
    const w = fwlint(['diff', a, '-f', 'json'], { cwd: dir });
    expect(w.code, w.stderr).toBe(0);
    expect((JSON.parse(w.stdout) as JsonReport).files[0]!.changes.map((c) => [c.kind, c.sources.length, c.flaggedBy ?? null])).toEqual([['newly-exposed', 8, null]]);
  });

  it('compares AWS CDK / Pulumi code, and the CDK code that imports a changed module; other source files are not firewall files', () => {
    const { dir, git, commit } = repo();
    mkdirSync(join(dir, 'infra'));
    const stack = (peer: string) =>
      `import * as ec2 from 'aws-cdk-lib/aws-ec2';\nimport { Stack } from 'aws-cdk-lib';\nimport { ADMIN_PORT } from './ports';\n\nexport class Net extends Stack {\n  constructor(scope: any, id: string, vpc: ec2.IVpc) {\n    super(scope, id);\n    const sg = new ec2.SecurityGroup(this, 'Sg', { vpc });\n    sg.addIngressRule(${peer}, ec2.Port.tcp(ADMIN_PORT), 'admin');\n  }\n}\n`;
    const a = commit({ 'infra/ports.ts': 'export const ADMIN_PORT = 22;\n', 'infra/stack.ts': stack("ec2.Peer.ipv4('10.0.0.0/8')"), 'infra/util.ts': 'export const x = 1;\n' }, 'internal ssh');
    // only the module with the port changes: stack.ts is compared, each side reading its own ports.ts
    const b = commit({ 'infra/ports.ts': 'export const ADMIN_PORT = 1763;\n', 'infra/util.ts': 'export const x = 2;\n' }, 'admin port');
    const r = fwlint(['diff', a, b, '-f', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as JsonReport;
    expect(rep.files.map((f) => [f.file, f.format, f.status])).toEqual([['infra/stack.ts', 'typescript', 'modified']]);
    expect(rep.files[0]!.changes.map((c) => [c.kind, c.ports, c.sources, c.span?.line, c.flaggedBy ?? null])).toEqual([
      ['newly-exposed', [[1763, 1763]], ['10.0.0.0/8'], 9, 'firewall/no-unneeded-cft-ports'],
      ['closed', [[22, 22]], ['10.0.0.0/8'], 9, null],
    ]);
    // the working tree: the stack itself opens the port to the internet
    writeFileSync(join(dir, 'infra', 'stack.ts'), stack('ec2.Peer.anyIpv4()'));
    const w = fwlint(['diff', b, '-f', 'json'], { cwd: dir });
    expect(w.code, w.stderr).toBe(1);
    expect((JSON.parse(w.stdout) as JsonReport).files.map((f) => [f.file, f.changes.map((c) => [c.kind, c.ports, c.sources.length, c.flaggedBy ?? null])])).toEqual([
      ['infra/stack.ts', [['newly-exposed', [[1763, 1763]], 8, 'firewall/no-unneeded-cft-ports']]],
    ]);
    // deleted: what it opened is closed
    git('checkout', '--', 'infra/stack.ts');
    const c = commit({ 'infra/stack.ts': null }, 'no stack');
    const d = fwlint(['diff', b, c, '-f', 'json'], { cwd: dir });
    expect(d.code, d.stderr).toBe(0);
    expect((JSON.parse(d.stdout) as JsonReport).files.map((f) => [f.file, f.status, f.changes.map((x) => [x.kind, x.ports])])).toEqual([['infra/stack.ts', 'deleted', [['closed', [[1763, 1763]]]]]]);
    // a changed source file that is no CDK or Pulumi code, nor imported by any
    writeFileSync(join(dir, 'infra', 'util.ts'), 'export const x = 3;\n');
    const e = fwlint(['diff', c, '-f', 'json'], { cwd: dir });
    expect([e.code, (JSON.parse(e.stdout) as JsonReport).files]).toEqual([0, []]);
  });

  it("takes git's range notations: A...B from the merge base (what the branch adds), A..B; a shallow clone says how to fetch the base", () => {
    const { dir, git, commit } = repo();
    commit({ 'rules.v4': CLEAN }, 'clean');
    git('checkout', '-q', '-b', 'feature');
    commit({ 'rules.v4': OPEN_CFT }, 'open CFT');
    git('checkout', '-q', 'main');
    commit({ 'rules.v4': CLEAN.replace('--dport 22', '--dport 2222') }, 'main moves on');
    const mb = fwlint(['diff', 'main...feature'], { cwd: dir });
    expect(mb.code, mb.stderr).toBe(1);
    expect(mb.stdout.split('\n').at(-2)).toBe('fwlint diff merge-base(main, feature)..feature: 1 firewall file changed, 1 newly exposed (1 flagged), 0 closed');
    const two = fwlint(['diff', 'main..feature', '-f', 'json'], { cwd: dir });
    expect(two.code, two.stderr).toBe(1);
    const rep = JSON.parse(two.stdout) as JsonReport;
    expect([rep.base, rep.head, rep.files[0]!.changes.map((c) => [c.kind, c.ports])]).toEqual(['main', 'feature', [['newly-exposed', [[22, 22]]], ['newly-exposed', [[1761, 1768]]], ['closed', [[2222, 2222]]]]]);
    const shallow = join(dir, 'shallow');
    expect(spawnSync('git', ['clone', '-q', '--depth', '1', `file://${dir}`, shallow]).status).toBe(0);
    const s = fwlint(['diff', 'HEAD~1'], { cwd: shallow });
    expect([s.code, s.stderr.split('\n')[0]]).toEqual([2, 'fwlint: unknown git ref "HEAD~1" (this clone is shallow: fetch the base, e.g. actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 in GitLab CI, or git fetch --unshallow)']);
  });

  it('follows a submodule whose commit or files changed; one it cannot see is an error, not "0 files changed"', () => {
    const sub = repo();
    sub.commit({ 'rules.v4': CLEAN }, 'clean');
    const { dir, git, commit } = repo();
    commit({ 'README.md': 'superproject\n' }, 'init');
    git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'fw');
    git('commit', '-q', '-m', 'add the firewall submodule');
    // the submodule's working tree, then a commit in it that the superproject records
    writeFileSync(join(dir, 'fw', 'rules.v4'), OPEN_CFT);
    const w = fwlint(['diff', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(w.code, w.stderr).toBe(1);
    const rows = (rep: JsonReport) => rep.files.map((f) => [f.file, f.status, f.changes.map((c) => [c.kind, c.ports, c.flaggedBy ?? null]), f.errors.length]);
    expect(rows(JSON.parse(w.stdout) as JsonReport)).toEqual([['fw/rules.v4', 'modified', [['newly-exposed', [[1761, 1768]], 'firewall/no-unneeded-cft-ports']], 0]]);
    const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
    expect(spawnSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-q', '-am', 'open CFT'], { cwd: join(dir, 'fw'), env }).status).toBe(0);
    git('commit', '-q', '-am', 'bump fw');
    const c = fwlint(['diff', 'HEAD~1', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(c.code, c.stderr).toBe(1);
    expect(rows(JSON.parse(c.stdout) as JsonReport)).toEqual([['fw/rules.v4', 'modified', [['newly-exposed', [[1761, 1768]], 'firewall/no-unneeded-cft-ports']], 0]]);
    // a clone without its submodules (actions/checkout's default) cannot see what the bump opens: it says so, exit 1
    const clone = join(dir, 'clone');
    expect(spawnSync('git', ['clone', '-q', dir, clone]).status).toBe(0);
    const n = fwlint(['diff', 'HEAD~1', 'HEAD'], { cwd: clone });
    expect([n.code, n.stdout.split('\n')[0], n.stdout.split('\n')[1]!.slice(0, 70)]).toEqual([1, 'fw (submodule, modified)', '  ! new side 1:1: submodule fw changed, but it is not checked out: not']);
  });

  it('deleting a file closes what it exposed; unchanged exposure is no change', () => {
    const { dir, commit } = repo();
    commit({ 'a.rules': OPEN_CFT, 'b.rules': CLEAN }, 'two');
    commit({ 'a.rules': null, 'b.rules': CLEAN.replace(':OUTPUT ACCEPT [0:0]\n', ':OUTPUT ACCEPT [0:0]\n# a comment\n') }, 'rm');
    const r = fwlint(['diff', 'HEAD~1', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as JsonReport;
    expect(rep.files.map((f) => [f.file, f.status, f.changes.map((c) => `${c.kind} ${c.protocol} ${JSON.stringify(c.ports)}`)])).toEqual([
      ['a.rules', 'deleted', ['closed 6 [[22,22]]', 'closed 6 [[1761,1768]]']],
      ['b.rules', 'modified', []],
    ]);
  });

  it('an inline suppression on the new side that covers the flagged exposure keeps the gate open; a narrower one does not', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': CLEAN }, 'clean');
    writeFileSync(join(dir, 'rules.v4'), `${HEADER}# fwlint-ignore no-unneeded-cft-ports ports=1761-1768/tcp -- partner exchange, NET-42\n${CFT_LINE}\nCOMMIT\n`);
    const ok = fwlint(['diff', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(ok.code, ok.stdout).toBe(0);
    const c = (JSON.parse(ok.stdout) as JsonReport).files[0]!.changes;
    expect(c.map((x) => [x.kind, x.ports, x.span?.line, x.flaggedBy, (x as { suppressedBy?: string }).suppressedBy])).toEqual([
      ['newly-exposed', [[1761, 1768]], 8, 'firewall/no-unneeded-cft-ports', 'fwlint-ignore no-unneeded-cft-ports ports=1761-1768/tcp -- partner exchange, NET-42'],
    ]);
    const text = fwlint(['diff', 'HEAD'], { cwd: dir });
    expect(text.stdout).toContain('  + warning tcp 1761-1768 (cft-0…cft-7) reachable from 0.0.0.0/0, line 8  firewall/no-unneeded-cft-ports (suppressed: fwlint-ignore no-unneeded-cft-ports ports=1761-1768/tcp -- partner exchange, NET-42)\n');
    writeFileSync(join(dir, 'rules.v4'), `${HEADER}# fwlint-ignore no-unneeded-cft-ports ports=1768 -- only the REST API\n${CFT_LINE}\nCOMMIT\n`);
    expect(fwlint(['diff', 'HEAD'], { cwd: dir }).code).toBe(1);
    writeFileSync(join(dir, 'rules.v4'), `${HEADER}# fwlint-ignore no-unneeded-cft-ports until=2020-01-01 -- expired\n${CFT_LINE}\nCOMMIT\n`);
    expect(fwlint(['diff', 'HEAD'], { cwd: dir }).code).toBe(1);
  });

  it('SARIF validates against SARIF 2.1.0; github emits one annotation per new exposure', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': CLEAN }, 'clean');
    commit({ 'rules.v4': OPEN_CFT }, 'open');
    const s = fwlint(['diff', 'HEAD~1', 'HEAD', '-f', 'sarif'], { cwd: dir });
    expect(s.code).toBe(1);
    const log = JSON.parse(s.stdout) as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new (AjvDraft04 as unknown as typeof AjvDraft04.default)({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.runs[0]!.results.map((x) => [x.ruleId, x.level, x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['firewall/no-unneeded-cft-ports', 'error', 'rules.v4', 7],
    ]);
    // what code scanning needs, as in fwlint -f sarif: a base id for the relative URI, a fingerprint, help for every rule
    const full = JSON.parse(s.stdout) as { runs: { originalUriBaseIds: unknown; tool: { driver: { rules: { helpUri?: string }[] } }; results: { partialFingerprints: Record<string, string>; locations: { physicalLocation: { artifactLocation: { uriBaseId?: string } } }[] }[] }[] };
    expect(full.runs[0]!.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `file://${dir}/` } });
    expect(full.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uriBaseId)).toEqual(['%SRCROOT%']);
    expect(Object.keys(full.runs[0]!.results[0]!.partialFingerprints)).toEqual(['fwlintLineHash/v1']);
    expect(full.runs[0]!.tool.driver.rules.filter((x) => !x.helpUri || !(x as { help?: { text?: string } }).help?.text)).toEqual([]);
    expect((full.runs[0] as unknown as { invocations: unknown }).invocations).toEqual([{ executionSuccessful: true }]);
    const g = fwlint(['diff', 'HEAD~1', 'HEAD', '-f', 'github'], { cwd: dir });
    expect(g.code).toBe(1);
    expect(g.stdout).toBe(
      '::error file=rules.v4,line=7,col=43,endLine=7,endColumn=61,title=firewall/no-unneeded-cft-ports::Newly exposed by this change: tcp 1761-1768 (cft-0…cft-7) reachable from 0.0.0.0/0 (line 7).\n',
    );
  });

  it('a working-tree file it cannot read is an error (exit 1), not a deletion that closes its exposure', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': OPEN_CFT }, 'open');
    writeFileSync(join(dir, 'rules.v4'), CLEAN);
    chmodSync(join(dir, 'rules.v4'), 0o000);
    // root reads everything: run without the capabilities that let it (another user could not read a checkout
    // under root's 0700 home or a 0700 temp folder, where CI may clone)
    const env = { ...process.env, NO_COLOR: '1' };
    const cmd = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', process.execPath] : [process.execPath];
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), BIN, 'diff', 'HEAD'], { cwd: dir, encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('rules.v4 (iptables-save, modified)\n  ! new side 1:1: cannot read rules.v4: EACCES\nfwlint diff HEAD..working tree: 1 firewall file changed, 0 newly exposed (0 flagged), 0 closed\n');
    expect(r.status).toBe(1);
  });

  it('a firewall-named file that is binary on the new side (git-crypt) is an error, not passed over', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': CLEAN, 'edge.nft': 'table inet f {\n}\n' }, 'clean');
    writeFileSync(join(dir, 'edge.nft'), Buffer.from([0x00, 0x47, 0x49, 0x54, 0x43, 0x52, 0x59, 0x50, 0x54, 0x00, 0x01]));
    const r = fwlint(['diff', 'HEAD'], { cwd: dir });
    expect(r.stdout).toBe(
      'edge.nft (nftables, modified)\n  ! new side 1:1: binary content (NUL bytes): no firewall ruleset fwlint can read (encrypted with git-crypt or SOPS, damaged, or UTF-16 text?)\nfwlint diff HEAD..working tree: 1 firewall file changed, 0 newly exposed (0 flagged), 0 closed\n',
    );
    expect(r.code).toBe(1);
    // binary on both sides: no format on either
    const { dir: d2, commit: c2 } = repo();
    c2({ 'host.rules': '\u0000GITCRYPT\u0000old' }, 'encrypted');
    writeFileSync(join(d2, 'host.rules'), '\u0000GITCRYPT\u0000new');
    const b = fwlint(['diff', 'HEAD'], { cwd: d2 });
    expect(b.stdout).toBe(
      'host.rules (unknown, modified)\n  ! new side 1:1: binary content (NUL bytes): no firewall ruleset fwlint can read (encrypted with git-crypt or SOPS, damaged, or UTF-16 text?)\nfwlint diff HEAD..working tree: 1 firewall file changed, 0 newly exposed (0 flagged), 0 closed\n',
    );
    expect(b.code).toBe(1);
  });

  it('a renamed file is compared with its old self when its rulesets keep their targets, else as a deletion and an addition', () => {
    const { dir, git, commit } = repo();
    commit({ 'edge.rules': OPEN_CFT }, 'open');
    // a pure rename newly exposes nothing
    git('mv', 'edge.rules', 'gateway.rules');
    const pure = fwlint(['diff', 'HEAD'], { cwd: dir });
    expect(pure.stdout).toBe('fwlint diff HEAD..working tree: 1 firewall file changed, 0 newly exposed (0 flagged), 0 closed\n');
    expect(pure.code).toBe(0);
    // renamed and changed: only the change
    writeFileSync(join(dir, 'gateway.rules'), OPEN_CFT.replace(CFT_LINE, `${CFT_LINE}\n-A INPUT -p tcp --dport 3306 -j ACCEPT`));
    const changed = fwlint(['diff', 'HEAD', '-f', 'json'], { cwd: dir });
    const rep = JSON.parse(changed.stdout) as { files: (JsonReport['files'][number] & { from?: string })[] };
    expect(rep.files.map((f) => [f.file, f.status, f.from, f.changes.map((c) => `${c.kind} ${c.ports[0]![0]} ${c.span?.line}`)])).toEqual([
      ['gateway.rules', 'renamed', 'edge.rules', ['newly-exposed 3306 8']],
    ]);
    expect(changed.code).toBe(1);
    // moved under hosts/web2/: another target, whose exposure is all new
    mkdirSync(join(dir, 'hosts', 'web2'), { recursive: true });
    git('add', 'gateway.rules');
    git('mv', 'gateway.rules', 'hosts/web2/fw.rules');
    const moved = JSON.parse(fwlint(['diff', 'HEAD', '-f', 'json'], { cwd: dir }).stdout) as JsonReport;
    expect(moved.files.map((f) => [f.file, f.status])).toEqual([['edge.rules', 'deleted'], ['hosts/web2/fw.rules', 'added']]);
  });

  it('a firewall file emptied by the change is an error, not everything closed (no rules is no firewall)', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': OPEN_CFT }, 'open');
    writeFileSync(join(dir, 'rules.v4'), '');
    const r = fwlint(['diff', 'HEAD'], { cwd: dir });
    expect(r.stdout).toBe(
      'rules.v4 (iptables-save, modified)\n  ! new side 1:1: the file is empty: it holds no firewall rules (a host that loads it has none); not compared\nfwlint diff HEAD..working tree: 1 firewall file changed, 0 newly exposed (0 flagged), 0 closed\n',
    );
    expect(r.code).toBe(1);
  });

  it('a new side that does not parse is an error (exit 1); usage errors exit 2', () => {
    const { dir, commit } = repo();
    commit({ 'rules.v4': CLEAN }, 'clean');
    writeFileSync(join(dir, 'rules.v4'), '*filter\n-A NOPE -j ACCEPT\n');
    const r = fwlint(['diff', 'HEAD'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^rules\.v4 \(iptables-save, modified\)\n {2}! new side 2:\d+: /);
    unlinkSync(join(dir, 'rules.v4'));
    expect(fwlint(['diff', 'no-such-ref'], { cwd: dir }).code).toBe(2);
    expect(fwlint(['diff'], { cwd: dir }).code).toBe(2);
    expect(fwlint(['diff', 'HEAD', '-f', 'junit'], { cwd: dir }).code).toBe(2);
    expect(fwlint(['diff', 'HEAD', '-o', '.git/HEAD/diff.txt'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'fwlint: --output-file: .git/HEAD is a file, not a folder\nRun fwlint --help for usage.\n' });
    if (process.platform === 'linux') expect(fwlint(['diff', 'HEAD', '-o', '/proc/fwlint-diff.txt'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'fwlint: --output-file: cannot write /proc/fwlint-diff.txt: ENOENT\nRun fwlint --help for usage.\n' });
    const outside = mkdtempSync(join(tmpdir(), 'fwlint-nogit-'));
    dirs.push(outside);
    const n = fwlint(['diff', 'HEAD'], { cwd: outside, env: { GIT_CEILING_DIRECTORIES: tmpdir() } });
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('not inside a git repository');
  });

  it('--script-start empty: a script that adds an accept to an unflushed chain newly exposes its port', () => {
    const { dir, commit } = repo();
    commit({ 'fw.sh': '#!/bin/sh\niptables -P INPUT DROP\n' }, 'policy');
    commit({ 'fw.sh': '#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 1763 -j ACCEPT\n' }, 'cft sftp');
    // the default: the unflushed INPUT may hold anything on both sides, so nothing is newly exposed for sure
    const unknown = fwlint(['diff', 'HEAD~1', 'HEAD', '-f', 'json'], { cwd: dir });
    expect(unknown.code, unknown.stderr).toBe(0);
    expect((JSON.parse(unknown.stdout) as JsonReport).files[0]!.changes.filter((c) => c.kind === 'newly-exposed' && c.certainty === 'open')).toEqual([]);
    const empty = fwlint(['diff', 'HEAD~1', 'HEAD', '-f', 'json', '--script-start', 'empty'], { cwd: dir });
    expect(empty.code, empty.stderr).toBe(1);
    expect((JSON.parse(empty.stdout) as JsonReport).files[0]!.changes.map((c) => [c.kind, c.protocol, c.ports, c.sources, c.certainty, c.span?.line, c.flaggedBy])).toEqual([
      ['newly-exposed', 6, [[1763, 1763]], ['0.0.0.0/0'], 'open', 3, 'firewall/no-unneeded-cft-ports'],
    ]);
  });
});
