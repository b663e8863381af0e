import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fwlint, ROOT } from './helpers.js';

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CFT - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p tcp --dport 1761:1768 -j CFT
-A INPUT -p tcp --dport 22 -m limit --limit 5/min -j ACCEPT
-A CFT -s 10.0.0.0/8 -j ACCEPT
-A CFT -p tcp --dport 1764 -j REJECT --reject-with tcp-reset
COMMIT
`;

function file(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-trace-'));
  writeFileSync(join(dir, 'fwlint.config.yaml'), 'discovery: false\n');
  const path = join(dir, 'host.rules');
  writeFileSync(path, RULES);
  return { dir, path };
}

describe('fwlint trace', () => {
  it('prints one packet\'s path with lines and the verdict as JSON', () => {
    const { path } = file();
    const r = fwlint(['trace', path, '--proto', 'tcp', '--dport', '1768', '--src', '10.1.2.3', '--format', 'json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as { verdict: string; steps: { chain: string; line: number; text: string; effect: string }[]; reasons: string[] };
    expect(t.verdict).toBe('accept');
    expect(t.steps.map((s) => [s.chain, s.line])).toContainEqual(['CFT', 10]);
    expect(t.steps.at(-1)!.line).toBe(10);
  });

  it('reject, drop by policy, and unknown with its reason', () => {
    const { path } = file();
    const reject = JSON.parse(fwlint(['trace', path, '--proto', 'tcp', '--dport', '1764', '--src', '192.0.2.1', '--format', 'json']).stdout) as { verdict: string };
    expect(reject.verdict).toBe('reject');
    const drop = JSON.parse(fwlint(['trace', path, '--proto', 'tcp', '--dport', '1768', '--src', '192.0.2.1', '--format', 'json']).stdout) as { verdict: string; steps: { effect: string }[] };
    expect(drop.verdict).toBe('drop');
    const unknown = JSON.parse(fwlint(['trace', path, '--proto', 'tcp', '--dport', '22', '--format', 'json']).stdout) as { verdict: string; reasons: string[] };
    expect(unknown.verdict).toBe('unknown');
    expect(unknown.reasons.join(' ')).toContain('limit');
    const established = JSON.parse(fwlint(['trace', path, '--proto', 'tcp', '--dport', '1768', '--src', '192.0.2.1', '--state', 'established', '--format', 'json']).stdout) as { verdict: string };
    expect(established.verdict).toBe('accept');
  });

  it('--probes traces many packets in order', () => {
    const { dir, path } = file();
    const probes = join(dir, 'probes.json');
    writeFileSync(probes, JSON.stringify([
      { proto: 'tcp', dport: 1768, src: '10.0.0.9' },
      { proto: 'tcp', dport: 1768, src: '198.51.100.1' },
      { proto: 'udp', dport: 1768, src: '10.0.0.9' },
      { proto: 'tcp', dport: 1768, src: '198.51.100.1', iif: 'lo' },
    ]));
    const r = fwlint(['trace', path, '--probes', probes]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { verdict: string }[]).map((x) => x.verdict)).toEqual(['accept', 'drop', 'drop', 'accept']);
  });

  it('an ICMP type decides icmp type matches (flags and --probes)', () => {
    const { dir } = file();
    const path = join(dir, 'nd.nft');
    writeFileSync(path, 'table ip6 f {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n\t}\n}\n');
    const probes = join(dir, 'icmp.json');
    writeFileSync(probes, JSON.stringify([
      { proto: 'icmpv6', icmpType: 135, src: 'fe80::2', dst: 'ff02::1:ff00:1' },
      { proto: 'icmpv6', icmpType: 128, src: 'fe80::2', dst: 'fe80::1' },
      { proto: 'icmpv6', icmpType: 1, icmpCode: 4, src: 'fd00::2', dst: 'fd00::1' },
    ]));
    const r = fwlint(['trace', path, '--probes', probes]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { verdict: string }[]).map((x) => x.verdict)).toEqual(['accept', 'drop', 'drop']);
    const one = fwlint(['trace', path, '--proto', 'icmpv6', '--icmp-type', '136', '--src', 'fe80::2', '--dst', 'fe80::1', '--format', 'json']);
    expect((JSON.parse(one.stdout) as { verdict: string }).verdict).toBe('accept');
    expect(fwlint(['trace', path, '--proto', 'icmpv6', '--icmp-type', '300']).code).toBe(2);
  });

  it('usage errors exit 2', () => {
    const { path } = file();
    expect(fwlint(['trace', path, '--proto', 'tcp', '--dport', '70000']).code).toBe(2);
    expect(fwlint(['trace']).code).toBe(2);
  });
});

describe('fwlint exposure', () => {
  it('prints the exposure table: ports with IANA names, sources, certainty and lines', () => {
    const { path } = file();
    const r = fwlint(['exposure', path]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.includes('1761-1768'))).toMatch(/ipv4\s+tcp\s+1761-1768 \(cft-0…cft-7\)\s+10\.0\.0\.0\/8\s+open\s+10/);
    expect(lines.find((l) => /\b22 \(ssh\)/.test(l))).toMatch(/0\.0\.0\.0\/0\s+possibly open\s+9/);
  });

  it('names a protocol set of more than eight by what it leaves out, not by a count that hides TCP and UDP', () => {
    const { dir } = file();
    const path = join(dir, 'other.rules');
    writeFileSync(path, '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -j DROP\n-A INPUT -p udp -j DROP\n-A INPUT -j ACCEPT\nCOMMIT\n');
    const lines = fwlint(['exposure', path]).stdout.split('\n');
    expect(lines.filter((l) => l.includes('ipv4'))).toEqual([expect.stringMatching(/^ {2}ipv4\s+all except tcp, udp\s+all\s+0\.0\.0\.0\/0\s+open\s+5$/)]);
  });

  it('JSON output lists entries with certainty and the responsible line', () => {
    const { path } = file();
    const r = fwlint(['exposure', path, '--format', 'json']);
    const [f] = JSON.parse(r.stdout) as { rulesets: { entries: { protocols: number[][]; ports: number[][]; sources: string[]; certainty: string; line: number }[] }[] }[];
    const entries = f!.rulesets[0]!.entries;
    expect(entries).toContainEqual(expect.objectContaining({ protocols: [[6, 6]], ports: [[1761, 1768]], sources: ['10.0.0.0/8'], certainty: 'open', line: 10 }));
    expect(entries).toContainEqual(expect.objectContaining({ protocols: [[6, 6]], ports: [[22, 22]], sources: ['0.0.0.0/0'], certainty: 'possibly-open', line: 9 }));
  });

  it('in a folder, a firewall-named link that leads nowhere is an error, not passed over', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-exp-'));
    writeFileSync(join(d, 'ok.nft'), 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n');
    symlinkSync('gone.rules', join(d, 'host.rules'));
    const r = fwlint(['exposure', '.'], { cwd: d });
    expect(r.stderr).toBe(`host.rules: cannot read ${join(d, 'host.rules')}: ENOENT\n`);
    expect(r.code).toBe(1);
  });
});

describe('fwlint exposure and trace on CDK / Pulumi code', () => {
  it('read a source file through the TypeScript extractor, as fwlint lints it', () => {
    const e = fwlint(['exposure', 'fixtures/typescript/cdk-app.ts'], { cwd: ROOT });
    expect(e.code).toBe(0);
    expect(e.stdout.split('\n').find((l) => l.includes('1761-1768') && l.includes('0.0.0.0/0'))).toMatch(/^ {2}ipv4\s+tcp\s+1761-1768 \(cft-0…cft-7\)\s+0\.0\.0\.0\/0\s+open\s+24$/);
    const t = fwlint(['trace', 'fixtures/typescript/cdk-app.ts', '--proto', 'tcp', '--dport', '1761', '--src', '203.0.113.9'], { cwd: ROOT });
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('line    24  match: ACCEPT');
    expect(t.stdout).toContain('verdict: accept');
  });

  it('a file of several security groups: says which one it traced and how to trace another', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-ts-'));
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
    writeFileSync(
      join(d, 'two.ts'),
      `import * as aws from '@pulumi/aws';
new aws.ec2.SecurityGroup('web', { ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] }] });
new aws.ec2.SecurityGroup('db', { ingress: [{ protocol: 'tcp', fromPort: 3306, toPort: 3306, cidrBlocks: ['0.0.0.0/0'] }] });
`,
    );
    const first = fwlint(['trace', 'two.ts', '--proto', 'tcp', '--dport', '3306', '--src', '203.0.113.9'], { cwd: d });
    expect([first.code, first.stdout.trim().split('\n').at(-1), first.stderr]).toEqual([
      0,
      'verdict: drop',
      'fwlint trace: two.ts holds 2 rulesets; this traces the first, web (--ruleset NAME traces another: db)\n',
    ]);
    const db = fwlint(['trace', 'two.ts', '--proto', 'tcp', '--dport', '3306', '--src', '203.0.113.9', '--ruleset', 'db'], { cwd: d });
    expect([db.code, db.stdout.trim().split('\n').at(-1), db.stderr]).toEqual([0, 'verdict: accept', '']);
  });

  it('a source file without CDK or Pulumi code, or with a syntax error, is an error with its place', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-ts-'));
    writeFileSync(join(d, 'plain.ts'), 'export const x = 1;\n');
    writeFileSync(join(d, 'broken.ts'), "import * as ec2 from 'aws-cdk-lib/aws-ec2';\nconst = ;\n");
    const plain = fwlint(['exposure', 'plain.ts'], { cwd: d });
    expect([plain.code, plain.stderr.trim()]).toEqual([1, `plain.ts:1:1: no AWS CDK or Pulumi firewall code in ${join(d, 'plain.ts')} (it imports none of aws-cdk-lib, @pulumi/aws, @pulumi/gcp, @pulumi/azure-native)`]);
    const broken = fwlint(['exposure', 'broken.ts'], { cwd: d });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^broken\.ts:2:7: syntax error: /);
  });
});


describe('fwlint exposure and trace read standard input from the path -, as fwlint does', () => {
  // `iptables-save | fwlint exposure -` was "-: cannot read -: ENOENT" (exit 1), `fwlint trace -` a usage error
  it('exposure - reads a piped iptables-save dump, its format from its content', () => {
    const { dir } = file();
    const r = fwlint(['exposure', '-'], { input: RULES, cwd: dir });
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `stdin — ${join(dir, 'stdin')} (iptables-save, hook input)`,
        '  family  proto  ports                    sources     certainty      lines',
        '  ipv4    tcp    1761-1768 (cft-0…cft-7)  10.0.0.0/8  open           10',
        '  ipv4    tcp    22 (ssh)                 0.0.0.0/0   possibly open  9',
        '      because: -m limit --limit 5/min at line 9 may or may not match',
        // (an iptables-save dump of IPv4 says nothing of IPv6: unknown, never closed on its word)
        '  ipv6    all    all                      ::/0        possibly open  -',
        '      because: the ruleset does not filter ipv6: ip6tables rules, not in this file, decide it',
        '',
      ].join('\n'),
    });
  });

  it('exposure -f json: a family a fragment does not filter is an entry of its own, possibly open with the reason', () => {
    const { dir } = file();
    const nft = 'table ip fw {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n';
    const entries = (text: string) =>
      (JSON.parse(fwlint(['exposure', '-', '--stdin-filename', 'fw.nft', '-f', 'json'], { input: text, cwd: dir }).stdout) as { rulesets: { entries: { family: string; ports: number[][]; certainty: string; line: number | null; reasons: { message: string }[] }[] }[] }[])[0]!.rulesets[0]!.entries.map((e) => [e.family, e.ports, e.certainty, e.line, e.reasons.map((x) => x.message)]);
    expect(entries(nft)).toEqual([
      ['ipv4', [[22, 22]], 'open', 4, []],
      ['ipv6', [[0, 65535]], 'possibly-open', null, ["the ruleset does not filter ipv6: this file does not replace the host's rules (no flush ruleset), so what the host does with ipv6 is not in it"]],
    ]);
    // flush ruleset: the file is the whole ruleset, and IPv6 is let in by no table at all (an entry of the policy)
    expect(entries(`flush ruleset\n${nft}`).map((e) => e.slice(0, 4))).toEqual([
      ['ipv4', [[22, 22]], 'open', 5],
      ['ipv6', [[0, 65535]], 'open', null],
    ]);
  });

  it('trace - reads a piped nft ruleset; --stdin-filename names it; empty or unrecognised input is an error', () => {
    const nft = 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n';
    const r = fwlint(['trace', '-', '--proto', 'tcp', '--dport', '22', '--format', 'json'], { input: nft });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { verdict: string; steps: { line: number }[] }).verdict).toBe('accept');
    expect(fwlint(['trace', '--stdin-filename', 'edge.nft', '-', '--proto', 'tcp', '--dport', '23'], { input: nft }).stdout).toMatch(/verdict: drop\n/);
    expect(fwlint(['trace', '-', '--proto', 'tcp', '--dport', '22'], { input: '' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fwlint: standard input is empty: no firewall rules to lint (did the command before the pipe fail?)\nRun fwlint --help for usage.\n',
    });
    expect(fwlint(['exposure', '-'], { input: 'hello\n' })).toEqual({ code: 1, stdout: '', stderr: 'stdin: cannot tell the format of standard input: name it with --input-format or --stdin-filename\n' });
    expect(fwlint(['exposure', '--stdin-filename', 'a.nft', 'rules.v4']).code).toBe(2);
  });
});

describe('fwlint exposure and trace take -f for --format, as fwlint and fwlint diff do', () => {
  it('-f json', () => {
    // was "fwlint: unknown option '-f'" (exit 2)
    const { path } = file();
    const e = fwlint(['exposure', '-f', 'json', path]);
    expect(e.code).toBe(0);
    expect((JSON.parse(e.stdout) as { format: string }[]).map((f) => f.format)).toEqual(['iptables-save']);
    const t = fwlint(['trace', path, '-f', 'json', '--proto', 'tcp', '--dport', '1768', '--src', '10.1.2.3']);
    expect(t.code).toBe(0);
    expect((JSON.parse(t.stdout) as { verdict: string }).verdict).toBe('accept');
  });
});
