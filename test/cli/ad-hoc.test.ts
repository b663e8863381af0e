/**
 * Ad hoc inputs the way users pipe them in: `fwlint <(iptables-save)`, `… | fwlint /dev/stdin`, a folder of exports.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, fwlint } from './helpers.js';

const SAVE = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 3306 -j ACCEPT
COMMIT
`;

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'fwlint-adhoc-'));
  writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
  return d;
}

/** `cat FILE | fwlint ARGS` through a shell: a real pipe (spawnSync's own stdin is a socket, which /dev/stdin cannot open). */
function piped(dir: string, input: string | Buffer, args: string[]) {
  writeFileSync(join(dir, 'input'), input);
  const r = spawnSync('sh', ['-c', `cat input | "${process.execPath}" "${BIN}" ${args.join(' ')}`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout };
}

type Result = { filePath: string; messages: { ruleId: string | null; line: number; column: number; message: string }[] };
const brief = (stdout: string) => (JSON.parse(stdout) as Result[]).map((r) => [r.filePath, r.messages.map((m) => `${m.ruleId ?? m.message}:${m.line}:${m.column}`)]);

describe('a path that is no regular file', () => {
  it('is read once and linted (a pipe: /dev/stdin, <(iptables-save)); it was passed over: no result, exit 0', () => {
    const d = tmp();
    const r = piped(d, SAVE, ['-f', 'json', '/dev/stdin']);
    expect(r.code).toBe(1);
    expect(brief(r.stdout)).toEqual([['/dev/stdin', ['firewall/no-world-open-sensitive-ports:5:24', 'firewall/no-undeclared-registered-ports:5:24']]]);
  });
});

describe('a FIFO named like a firewall file in a linted folder', () => {
  it('is an error of its own, and the run ends (ESLint read it and waited for a writer forever)', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.rules'), SAVE);
    spawnSync('mkfifo', [join(d, 'b.rules')]);
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: d, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });
    const expected = [
      [join(d, 'a.rules'), ['firewall/no-world-open-sensitive-ports:5:24', 'firewall/no-undeclared-registered-ports:5:24']],
      [join(d, 'b.rules'), ['cannot read b.rules: it is a FIFO, not a regular file:1:1']],
    ];
    for (const path of ['.', '*.rules']) {
      const r = run(['-f', 'json', path]);
      expect(r.status).toBe(1);
      expect(brief(r.stdout)).toEqual(expected);
    }
  });
});

const SG = JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'db', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }], IpPermissionsEgress: [] }] }, null, 2);

describe('a folder of exports with names no language claims', () => {
  it('reads by content the files without an extension or with a text-like one (they were passed over unsaid); backups and the rest are left alone', () => {
    const d = tmp();
    mkdirSync(join(d, 'exported'));
    writeFileSync(join(d, 'exported', 'rules.txt'), SAVE);
    writeFileSync(join(d, 'exported', 'sg-prod'), SG);
    writeFileSync(join(d, 'exported', 'SG-STAGING.JSON'), SG);
    writeFileSync(join(d, 'exported', 'sg.json.bak'), SG);
    writeFileSync(join(d, 'exported', 'notes.txt'), 'To open SSH, run:\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -p tcp --dport 3306 -j ACCEPT\nthen save.\n');
    writeFileSync(join(d, 'exported', 'README'), `The dump:\n${SAVE}`);
    writeFileSync(join(d, 'exported', 'blob'), Buffer.from([0, 1, 2, 3]));
    const r = fwlint(['-f', 'json', 'exported'], { cwd: d });
    expect(r.code).toBe(1);
    const open = ['firewall/no-world-open-sensitive-ports:13:25', 'firewall/no-undeclared-registered-ports:13:25'];
    expect(brief(r.stdout)).toEqual([
      [join(d, 'exported', 'SG-STAGING.JSON'), open],
      [join(d, 'exported', 'rules.txt'), ['firewall/no-world-open-sensitive-ports:5:24', 'firewall/no-undeclared-registered-ports:5:24']],
      [join(d, 'exported', 'sg-prod'), open],
    ]);
    // the engine's commands read the same files
    const e = fwlint(['exposure', '--format', 'json', 'exported'], { cwd: d });
    expect((JSON.parse(e.stdout) as { file: string }[]).map((x) => x.file)).toEqual(['exported/SG-STAGING.JSON', 'exported/rules.txt', 'exported/sg-prod']);
  });
});

describe('JSON Lines exports in a folder', () => {
  it('are read (`aws … | jq -c .SecurityGroups[]` > groups.jsonl, an asset export as .ndjson); they were passed over unsaid', () => {
    const d = tmp();
    mkdirSync(join(d, 'exported'));
    const line = JSON.stringify((JSON.parse(SG) as { SecurityGroups: unknown[] }).SecurityGroups[0]);
    writeFileSync(join(d, 'exported', 'groups.jsonl'), `${line}\n`);
    writeFileSync(join(d, 'exported', 'groups.ndjson'), `${line}\n`);
    const r = fwlint(['-f', 'json', 'exported'], { cwd: d });
    expect(r.code).toBe(1);
    const open = ['firewall/no-world-open-sensitive-ports:1:125', 'firewall/no-undeclared-registered-ports:1:125'];
    expect(brief(r.stdout)).toEqual([
      [join(d, 'exported', 'groups.jsonl'), open],
      [join(d, 'exported', 'groups.ndjson'), open],
    ]);
  });
});

describe('files of a folder that no format recognises', () => {
  it('are said to be left alone, not counted as linted (a folder of exports in an unread shape read as clean)', () => {
    const d = tmp();
    mkdirSync(join(d, 'fw'));
    writeFileSync(join(d, 'fw', 'a.rules'), SAVE);
    writeFileSync(join(d, 'fw', 'policy.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: db\n');
    writeFileSync(join(d, 'fw', 'data.json'), '{"name": "not a firewall"}\n');
    const stylish = fwlint(['fw'], { cwd: d });
    expect(stylish.code).toBe(1);
    expect(stylish.stdout).toContain('fwlint: 1 file linted, 1 with findings\n  (2 files in a folder no firewall format recognises, left alone: fw/data.json, fw/policy.yaml)\n');
    const json = fwlint(['-f', 'json', 'fw'], { cwd: d });
    // ESLint's JSON shape is kept (each file has its empty result); the note goes to standard error
    expect(brief(json.stdout).map(([f]) => f)).toEqual([join(d, 'fw', 'a.rules'), join(d, 'fw', 'data.json'), join(d, 'fw', 'policy.yaml')]);
    expect(json.stderr).toBe('fwlint: 2 files in a folder no firewall format recognises, left alone: fw/data.json, fw/policy.yaml\n');
  });
});

describe('a near miss piped in by habit', () => {
  it('is named with what to give instead (it was "cannot tell the format of standard input")', () => {
    const d = tmp();
    const said = (input: string) => brief(fwlint(['-f', 'json', '-'], { cwd: d, input }).stdout)[0]![1];
    const listing = 'Chain INPUT (policy DROP 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination\n    0     0 ACCEPT     tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:3306\n';
    expect(said(listing)).toEqual(['no firewall format recognises standard input: it is `iptables -L` output, a display that leaves out what rules match; give `iptables-save` (or `iptables -S`) output:1:1']);
    expect(said('#!/bin/sh\nnft add table inet filter\nsudo nft add rule inet filter input tcp dport 22 accept\n')).toEqual([
      'no firewall format recognises standard input: it runs `nft` commands from a shell; give the ruleset they build (`nft list ruleset`), or the same commands without `nft` in an `nft -f` file:1:1',
    ]);
    expect(said('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n')).toEqual(['no firewall format recognises standard input: it is a Kubernetes manifest, which is no firewall format fwlint reads:1:1']);
    expect(said("# Table `filter' is incompatible, use 'nft' tool.\n")).toEqual([
      "no firewall format recognises standard input: iptables-nft-save could not show table filter (its rules are ones only nft lists); give `nft list ruleset` output:1:1",
    ]);
    // `iptables -S INPUT`: one chain, its table unnamed (it was "cannot tell the format of standard input")
    expect(said('-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n')).toEqual([
      'no firewall format recognises standard input: it is `iptables -S CHAIN` output, one chain of a table it does not name; give `iptables-save` output (or all of `iptables -S`, or `iptables -t TABLE -S`):1:1',
    ]);
    expect(said('{"a": 1}\n')).toEqual(['cannot tell the format of standard input: name it with --input-format or --stdin-filename:1:1']);
  });
});

describe('a file of a folder whose name gives the wrong language', () => {
  it('is read in the language of its content: an nft ruleset in fw.sh or main.rules, a JSON CloudFormation template in stack.template (they were empty documents, "linted" with no findings)', () => {
    const d = tmp();
    const nft = 'table inet filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 3306 accept\n  }\n}\n';
    writeFileSync(join(d, 'fw.sh'), `#!/usr/sbin/nft -f\nflush ruleset\n${nft}`);
    writeFileSync(join(d, 'main.rules'), nft);
    const cfn = { AWSTemplateFormatVersion: '2010-09-09', Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'db', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, CidrIp: '0.0.0.0/0' }] } } } };
    writeFileSync(join(d, 'stack.template'), JSON.stringify(cfn, null, 2));
    const r = fwlint(['-f', 'json', '.'], { cwd: d });
    const open = (at: string) => ['firewall/no-world-open-sensitive-ports', 'firewall/no-undeclared-registered-ports'].map((id) => `${id}:${at}`);
    expect(brief(r.stdout)).toEqual([
      [join(d, 'fw.sh'), open('6:15')],
      [join(d, 'main.rules'), open('4:15')],
      [join(d, 'stack.template'), open('13:23')],
    ]);
    expect(r.stderr).toBe('');
    // and so when a glob names them
    expect(brief(fwlint(['-f', 'json', '*.sh', '*.rules', '*.template'], { cwd: d }).stdout)).toEqual(brief(r.stdout));
  });
});

describe('UTF-16 text with its byte order mark (what Windows PowerShell 5 writes with >)', () => {
  it('is read, named or piped (it was "binary content (NUL bytes)")', () => {
    const d = tmp();
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAVE.replace(/\n/g, '\r\n'), 'utf16le')]);
    const be = Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(SAVE, 'utf16le').swap16()]));
    writeFileSync(join(d, 'le.rules'), le);
    writeFileSync(join(d, 'be.rules'), be);
    const open = ['firewall/no-world-open-sensitive-ports:5:24', 'firewall/no-undeclared-registered-ports:5:24'];
    expect(brief(fwlint(['-f', 'json', 'le.rules', 'be.rules'], { cwd: d }).stdout)).toEqual([
      [join(d, 'be.rules'), open],
      [join(d, 'le.rules'), open],
    ]);
    expect(brief(piped(d, le, ['-f', 'json', '-']).stdout)).toEqual([[join(d, 'stdin'), open]]);
  });
});
