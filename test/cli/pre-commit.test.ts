/**
 * The pre-commit hook (.pre-commit-hooks.yaml) in a throwaway git repository:
 * a clean rules file commits, a file opening 1768/tcp to the world is blocked.
 * The hook is declared `language: node`; here it runs as a `repo: local` hook
 * with `language: system` and `entry: node <bin/fwlint.js>` so that pre-commit
 * never tries to install node packages (no network).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, ROOT } from './helpers.js';

function has(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0;
}
const missing = ['git', 'pre-commit'].filter((c) => !has(c));
const why = missing.length > 0 ? `${missing.join(' and ')} not installed (Debian: apt-get install ${missing.join(' ')})` : undefined;
if (why && process.env.CI === 'true') throw new Error(`pre-commit hook test cannot run in CI: ${why}`);
if (why) console.warn(`SKIPPING pre-commit hook test: ${why}`);

interface HookDef {
  id: string;
  entry: string;
  language: string;
  files: string;
  exclude?: string;
  types: string[];
  pass_filenames?: boolean;
  require_serial?: boolean;
}
const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as HookDef[];
const hook = hooks.find((h) => h.id === 'fwlint')!;

describe('.pre-commit-hooks.yaml', () => {
  it('declares the fwlint hook as the brief and pre-commit expect', () => {
    expect(hooks.map((h) => h.id)).toEqual(['fwlint']);
    expect(hook).toMatchObject({ entry: 'fwlint --ignore-unknown', language: 'node', types: ['file'], pass_filenames: true, require_serial: false });
  });

  it('matches firewall files by name and nothing else (Python and JS agree on this pattern)', () => {
    const files = new RegExp(hook.files);
    const exclude = new RegExp(hook.exclude!);
    const sees = (p: string) => files.test(p) && !exclude.test(p);
    const yes = ['etc/iptables/rules.v4', 'rules.v6', 'host/web.rules', 'a.iptables', 'b.ip6tables', 'iptables-2024.save', 'x/ip6tables.save', 'fw.ipt',
      'etc/iptables.conf', 'ip6tables.conf', 'etc/nftables.conf', 'fw/host.nft', 'infra/main.tf', 'etc/sysconfig/iptables', 'sysconfig/ip6tables',
      'etc/iptables/rules-save', 'var/lib/ip6tables/rules6-save', 'infra/db/terraform.tfvars', 'terraform.tfvars', 'infra/prod.auto.tfvars'];
    const no = ['README.md', 'package.json', 'ci.yaml', 'main.tf.json', 'rules.v4.bak', 'src/rules.ts', 'node_modules/x/a.rules', 'myrules', 'nft', 'a.tfvars', 'myterraform.tfvars', 'terraform.tfvars.bak',
      '.terraform/modules/m/main.tf', 'live/prod/.terragrunt-cache/abc/def/main.tf', 'my-iptables.conf.d/readme', 'bin/iptables', 'etc/sysconfig/iptables-config', 'mysysconfig/iptables', 'rules-saved'];
    expect(yes.filter((p) => !sees(p))).toEqual([]);
    expect(no.filter((p) => sees(p))).toEqual([]);
  });
});

describe('pre-commit installs the hook with `language: node`', () => {
  // pre-commit (languages/node.py) runs `npm install`, then takes the whole standard output of `npm pack` as the
  // tarball's name and runs `npm install -g <that>`. npm prints a lifecycle script's banner and output there
  // (`> eslint-plugin-firewall@0.1.0 prepare`, `> npm run build`, …) unless foreground-scripts is off, so the
  // install failed with "ENOENT … /> eslint-plugin-firewall@0.1.0 prepare\n…\neslint-plugin-firewall-0.1.0.tgz".
  it('`npm pack` prints the tarball name alone, with the repository\'s npm configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwlint-pack-'));
    try {
      // the real package.json and .npmrc; the build replaced by one that prints, as a build may
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };
      pkg.scripts.build = 'node -e "console.log(42)"';
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      if (existsSync(join(ROOT, '.npmrc'))) writeFileSync(join(dir, '.npmrc'), readFileSync(join(ROOT, '.npmrc')));
      const env = { ...process.env };
      for (const k of Object.keys(env)) if (/^npm_config_/i.test(k)) delete env[k];
      const r = spawnSync('npm', ['pack', '--dry-run'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${pkg.name}-${pkg.version}.tgz\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(Boolean(why))('pre-commit runs fwlint in a throwaway repository', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { cwd: join(dir, 'repo'), env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fwlint-precommit-'));
    env = {
      ...process.env,
      HOME: join(dir, 'home'),
      PRE_COMMIT_HOME: join(dir, 'pre-commit-cache'),
      XDG_CACHE_HOME: join(dir, 'cache'),
      GIT_CONFIG_NOSYSTEM: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    };
    spawnSync('mkdir', ['-p', join(dir, 'repo'), join(dir, 'home')]);
    expect(run('git', ['init', '-q', '-b', 'main']).code).toBe(0);
    run('git', ['config', 'user.email', 'test@example.invalid']);
    run('git', ['config', 'user.name', 'fwlint test']);
    run('git', ['config', 'commit.gpgsign', 'false']);
    // the published hook's definition, run locally without installing anything
    const local = { ...hook, language: 'system', entry: `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}${hook.entry.slice('fwlint'.length)}` };
    const config = `repos:\n  - repo: local\n    hooks:\n      - ${JSON.stringify(local)}\n`;
    writeFileSync(join(dir, 'repo', '.pre-commit-config.yaml'), config);
    expect(run('git', ['add', '.pre-commit-config.yaml']).code).toBe(0);
    expect(run('git', ['commit', '-q', '--no-verify', '-m', 'config']).code).toBe(0);
    const install = run('pre-commit', ['install']);
    expect(install.code, install.out).toBe(0);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets a clean rules file through', () => {
    writeFileSync(
      join(dir, 'repo', 'rules.v4'),
      '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT\nCOMMIT\n',
    );
    run('git', ['add', 'rules.v4']);
    const r = run('git', ['commit', '-m', 'clean firewall']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/fwlint \(firewall rules\)\.+Passed/);
  });

  it('skips files that are not firewalls', () => {
    writeFileSync(join(dir, 'repo', 'notes.yaml'), 'name: not a firewall\n');
    run('git', ['add', 'notes.yaml']);
    const r = run('git', ['commit', '-m', 'notes']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/fwlint \(firewall rules\)\.+\(no files to check\)Skipped/);
  });

  it('lets through *.rules files that are no firewall (udev, audit, Suricata), which its name pattern matches', () => {
    spawnSync('mkdir', ['-p', join(dir, 'repo', 'etc', 'udev', 'rules.d')]);
    writeFileSync(join(dir, 'repo', 'etc', 'udev', 'rules.d', '99-usb.rules'), 'SUBSYSTEM=="usb", ATTR{idVendor}=="0bda", MODE="0666"\n');
    writeFileSync(join(dir, 'repo', 'etc', 'audit.rules'), '-D\n-b 8192\n-a always,exit -F arch=b64 -S execve -k exec\n-w /etc/passwd -p wa -k identity\n');
    writeFileSync(join(dir, 'repo', 'local.rules'), 'alert tcp any any -> $HOME_NET 22 (msg:"ssh"; sid:1000001; rev:1;)\n');
    run('git', ['add', 'etc', 'local.rules']);
    const r = run('git', ['commit', '-m', 'udev, audit and suricata rules']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/fwlint \(firewall rules\)\.+Passed/);
  });

  it('blocks a commit that opens 1768/tcp to 0.0.0.0/0 and names the finding', () => {
    writeFileSync(
      join(dir, 'repo', 'edge.rules'),
      '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp -s 0.0.0.0/0 --dport 1768 -j ACCEPT\nCOMMIT\n',
    );
    run('git', ['add', 'edge.rules']);
    const before = run('git', ['rev-parse', 'HEAD']).out;
    const r = run('git', ['commit', '-m', 'open the CFT REST API to the world']);
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toMatch(/fwlint \(firewall rules\)\.+Failed/);
    expect(r.out).toContain('edge.rules');
    expect(r.out).toMatch(/6:30 +error +Open: TCP 1768 \(cft-7[^\n]*reachable from 0\.0\.0\.0\/0[^\n]*firewall\/no-unneeded-cft-ports/);
    expect(run('git', ['rev-parse', 'HEAD']).out).toBe(before);
  });
  it('blocks a commit that changes only terraform.tfvars to open MySQL to the world (it lints the .tf files it feeds)', () => {
    // (the blocked commit of the test before left edge.rules staged)
    run('git', ['rm', '-q', '-f', '--ignore-unmatch', 'edge.rules']);
    spawnSync('mkdir', ['-p', join(dir, 'repo', 'infra', 'db')]);
    writeFileSync(
      join(dir, 'repo', 'infra', 'db', 'main.tf'),
      'variable "allowed" {\n  type    = list(string)\n  default = ["10.0.0.0/8"]\n}\nresource "aws_security_group" "db" {\n  name = "db"\n  ingress {\n    from_port   = 3306\n    to_port     = 3306\n    protocol    = "tcp"\n    cidr_blocks = var.allowed\n  }\n}\n',
    );
    writeFileSync(join(dir, 'repo', 'infra', 'db', 'terraform.tfvars'), 'allowed = ["10.1.0.0/16"]\n');
    run('git', ['add', 'infra']);
    const ok = run('git', ['commit', '-m', 'db from the office']);
    expect(ok.code, ok.out).toBe(0);
    writeFileSync(join(dir, 'repo', 'infra', 'db', 'terraform.tfvars'), 'allowed = ["0.0.0.0/0"]\n');
    run('git', ['add', 'infra/db/terraform.tfvars']);
    // was "(no files to check)Skipped": the hook's files did not match tfvars, and fwlint read no format in them
    const r = run('git', ['commit', '-m', 'open the db']);
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toMatch(/fwlint \(firewall rules\)\.+Failed/);
    expect(r.out).toContain('infra/db/main.tf');
    expect(r.out).toMatch(/11:19 +error +Open: TCP 3306 \(mysql\) reachable from the whole internet \(0\.0\.0\.0\/0\) +firewall\/no-world-open-sensitive-ports/);
  });
});
