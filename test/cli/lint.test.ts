import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { BIN, fwlint, ROOT } from './helpers.js';

const CFT_SAVE = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m multiport --dports 1761:1768 -j ACCEPT
COMMIT
`;
const CLEAN_SAVE = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT
COMMIT
`;

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
  // no discovery from the surrounding repository
  writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
  return d;
}

describe('fwlint lint', () => {
  it('reads iptables-save from stdin and reports the CFT block with exit code 1', () => {
    const d = tmp();
    const r = fwlint(['-f', 'json', '-'], { input: CFT_SAVE, cwd: d });
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string; line: number; column: number; severity: number; message: string }[] }[];
    expect(results).toHaveLength(1);
    const cft = results[0]!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports');
    expect(cft).toHaveLength(1);
    expect(cft[0]!.line).toBe(6);
    expect(cft[0]!.severity).toBe(2);
    expect(cft[0]!.message).toMatch(/^Open: TCP 1761 \(cft-0, Transfer CFT PeSIT\)/);
    expect(cft[0]!.message).toContain('1768 (cft-7');
    expect(cft[0]!.message).toContain('reachable from 0.0.0.0/0 without a Transfer CFT deployment on stdin.');
  });

  it('discovers deployments from the working directory, not from the common folder of it and a file outside it', () => {
    // root/other holds a Transfer CFT compose file; the run starts in root/proj and lints root/rules/host.rules.
    // ESLint's cwd is root (the common folder); discovery starts in root/proj as documented, so it does not find
    // root/other's deployment (it walked `/` for `fwlint /etc/iptables/rules.v4` before).
    const root = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    for (const dir of ['proj', 'other', 'rules']) mkdirSync(join(root, dir));
    writeFileSync(join(root, 'other', 'docker-compose.yml'), readFileSync(join(ROOT, 'fixtures/deployments/discovery/compose/docker-compose.yml'), 'utf8'));
    writeFileSync(join(root, 'rules', 'host.rules'), CFT_SAVE);
    const cft = (cwd: string, file: string) => {
      const r = fwlint(['-f', 'json', file], { cwd });
      const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string; line: number; message: string }[] }[];
      return result!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => `${m.line} ${m.message.slice(m.message.indexOf(' without '))}`);
    };
    expect(cft(join(root, 'proj'), join(root, 'rules', 'host.rules'))).toEqual(['6  without a Transfer CFT deployment on host.rules.']);
    // started in root, the walk finds root/other's deployment (on other targets)
    expect(cft(root, join('rules', 'host.rules'))).toEqual(['6  without a Transfer CFT deployment on host.rules (Transfer CFT is deployed on cft, mft-cft per other/docker-compose.yml:4).']);
  });

  it('names a file without targets by its base name in every rule, not by the absolute path ESLint passes', () => {
    const d = tmp();
    mkdirSync(join(d, 'edge'));
    writeFileSync(join(d, 'edge', 'gw.rules'), CFT_SAVE.replace('-A INPUT -i lo', '-A INPUT -p tcp --dport 4444 -j ACCEPT\n-A INPUT -i lo'));
    const r = fwlint(['-f', 'json', 'edge/gw.rules'], { cwd: d });
    expect(r.code).toBe(1);
    const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string; line: number; message: string }[] }[];
    const named = result!.messages
      .filter((m) => m.ruleId === 'firewall/no-undeclared-registered-ports' || m.ruleId === 'firewall/no-unneeded-cft-ports')
      .map((m) => `${m.line} ${m.ruleId} ${m.message.slice(m.message.lastIndexOf(' on ') + 4)}`);
    expect(named).toEqual([
      '5 firewall/no-undeclared-registered-ports gw.rules.',
      '7 firewall/no-unneeded-cft-ports gw.rules.',
    ]);
  });

  it('exits 0 on a clean ruleset and prints the summary table', () => {
    const d = tmp();
    writeFileSync(join(d, 'rules.v4'), CLEAN_SAVE);
    const r = fwlint(['rules.v4'], { cwd: d });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fwlint: 1 file linted, 0 with findings');
  });

  it('walks directories for firewall files and leaves unrelated JSON alone', () => {
    const d = tmp();
    mkdirSync(join(d, 'hosts'));
    writeFileSync(join(d, 'hosts', 'mft.rules'), CFT_SAVE);
    writeFileSync(join(d, 'hosts', 'clean.rules'), CLEAN_SAVE);
    writeFileSync(join(d, 'hosts', 'data.json'), '{"name": "not a firewall", "ports": [1761]}\n');
    // JavaScript is no firewall: ESLint's defaults linted it, and JSX espree cannot parse was a parse error (exit 1)
    writeFileSync(join(d, 'hosts', 'app.js'), 'export const App = () => <div/>;\n');
    writeFileSync(join(d, 'hosts', 'tool.cjs'), 'module.exports = {\n');
    mkdirSync(join(d, 'node_modules'));
    writeFileSync(join(d, 'node_modules', 'x.rules'), CFT_SAVE);
    // where distributions keep their saved rules: RHEL /etc/sysconfig/ip{,6}tables, Alpine and Gentoo rules-save
    mkdirSync(join(d, 'etc', 'sysconfig'), { recursive: true });
    writeFileSync(join(d, 'etc', 'sysconfig', 'iptables'), CFT_SAVE);
    writeFileSync(join(d, 'etc', 'sysconfig', 'iptables-config'), 'IPTABLES_MODULES=""\n');
    mkdirSync(join(d, 'var', 'lib', 'iptables'), { recursive: true });
    writeFileSync(join(d, 'var', 'lib', 'iptables', 'rules-save'), CLEAN_SAVE);
    const r = fwlint(['-f', 'json', '.'], { cwd: d });
    const results = JSON.parse(r.stdout) as { filePath: string; messages: unknown[] }[];
    const names = results.map((x) => x.filePath.slice(d.length + 1)).sort();
    expect(names).toEqual(['etc/sysconfig/iptables', 'hosts/clean.rules', 'hosts/data.json', 'hosts/mft.rules', 'var/lib/iptables/rules-save']);
    expect(results.find((x) => x.filePath.endsWith('data.json'))!.messages).toEqual([]);
    expect(r.code).toBe(1);
  });

  it('json output is exactly ESLint\'s JSON formatter shape', () => {
    const d = tmp();
    writeFileSync(join(d, 'rules.v4'), CLEAN_SAVE);
    const r = fwlint(['-f', 'json', 'rules.v4'], { cwd: d });
    const [res] = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Object.keys(res!).sort()).toEqual(['errorCount', 'fatalErrorCount', 'filePath', 'fixableErrorCount', 'fixableWarningCount', 'messages', 'suppressedMessages', 'usedDeprecatedRules', 'warningCount']);
  });

  it('a file that cannot be read is an error, exit 1', () => {
    const d = tmp();
    const r = fwlint(['-f', 'json', 'missing.rules'], { cwd: d });
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.stdout) as { messages: { fatal: boolean; message: string; line: number }[] }[];
    expect(res!.messages[0]!.fatal).toBe(true);
    expect(res!.messages[0]!.message).toBe('cannot read missing.rules: ENOENT');
  });

  it('in a folder, a file or folder that cannot be read is an error of its own; the rest is linted (ESLint stopped the run)', () => {
    const d = tmp();
    mkdirSync(join(d, 'fw', 'locked'), { recursive: true });
    mkdirSync(join(d, 'only'));
    writeFileSync(join(d, 'fw', 'mft.rules'), CFT_SAVE);
    writeFileSync(join(d, 'fw', 'locked', 'x.rules'), CFT_SAVE);
    writeFileSync(join(d, 'only', 'y.rules'), CFT_SAVE);
    symlinkSync('gone.rules', join(d, 'fw', 'dangling.rules'));
    chmodSync(join(d, 'fw', 'locked'), 0o000);
    chmodSync(join(d, 'only'), 0o000);
    // root reads everything: run without the capabilities that let it (another user could not read a checkout
    // under root's 0700 home or a 0700 temp folder, where CI may clone)
    const asUser = (args: string[]) => {
      const cmd = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', process.execPath] : [process.execPath];
      const r = spawnSync(cmd[0]!, [...cmd.slice(1), BIN, ...args], { cwd: d, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    for (const extra of [[], ['--concurrency', '2']]) {
      const r = asUser(['-f', 'json', ...extra, 'fw', 'only']);
      expect(r.stderr.replace(/.*ESLintPoorConcurrencyWarning.*\n.*trace-warnings.*\n/, '')).toBe('');
      expect(r.code).toBe(1);
      const res = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string | null; fatal?: boolean; message: string; line: number }[] }[];
      expect(res.map((x) => [x.filePath.slice(d.length + 1), x.messages.filter((m) => m.fatal).map((m) => m.message)])).toEqual([
        ['fw/dangling.rules', ['cannot read fw/dangling.rules: ENOENT']],
        ['fw/locked', ['cannot read folder fw/locked: EACCES']],
        ['fw/mft.rules', []],
        ['only', ['cannot read folder only: EACCES']],
      ]);
      expect(res[2]!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => m.line)).toEqual([6]);
    }
    // a glob ESLint expands itself
    const g = asUser(['-f', 'json', 'fw/*.rules']);
    expect(g.code).toBe(1);
    const gr = JSON.parse(g.stdout) as { filePath: string; messages: { fatal?: boolean; message: string }[] }[];
    expect(gr.map((x) => [x.filePath.slice(d.length + 1), x.messages.filter((m) => m.fatal).map((m) => m.message)])).toEqual([
      ['fw/dangling.rules', ['cannot read fw/dangling.rules: ENOENT']],
      ['fw/mft.rules', []],
    ]);
  });

  it('a file a folder walk or a glob reads by content (rules.txt, a name without extension) that cannot be read is an error; a binary one a glob matches is left alone', () => {
    const d = tmp();
    mkdirSync(join(d, 'fw'));
    mkdirSync(join(d, 'dumps'));
    writeFileSync(join(d, 'fw', 'mft.rules'), CFT_SAVE);
    writeFileSync(join(d, 'fw', 'rules.txt'), CFT_SAVE);
    writeFileSync(join(d, 'fw', 'sg-prod'), CFT_SAVE);
    writeFileSync(join(d, 'fw', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    writeFileSync(join(d, 'dumps', 'host1.txt'), CFT_SAVE);
    // a link to a ruleset is read as ESLint reads a firewall-named one (it was passed over); one that leads nowhere
    // has nothing to read
    writeFileSync(join(d, 'host2.save.txt'), CFT_SAVE);
    symlinkSync('../host2.save.txt', join(d, 'fw', 'host2.txt'));
    symlinkSync('gone.txt', join(d, 'fw', 'gone.txt'));
    for (const f of ['fw/rules.txt', 'fw/sg-prod', 'dumps/host1.txt']) chmodSync(join(d, f), 0o000);
    const asUser = (args: string[]) => {
      const cmd = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', process.execPath] : [process.execPath];
      const r = spawnSync(cmd[0]!, [...cmd.slice(1), BIN, '-f', 'json', ...args], { cwd: d, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return [r.status, r.stderr, (JSON.parse(r.stdout || '[]') as { filePath: string; messages: { fatal?: boolean; message: string }[] }[]).map((x) => [x.filePath.slice(d.length + 1), x.messages.map((m) => (m.fatal ? m.message : 'finding'))])];
    };
    // they were passed over in silence: readable, each is linted (iptables-save > rules.txt run as root is not)
    expect(asUser(['fw'])).toEqual([1, '', [['fw/host2.txt', ['finding']], ['fw/mft.rules', ['finding']], ['fw/rules.txt', ['cannot read fw/rules.txt: EACCES']], ['fw/sg-prod', ['cannot read fw/sg-prod: EACCES']]]]);
    // a folder with nothing else in it: the error, not "no firewall rules found" (exit 2)
    expect(asUser(['dumps'])).toEqual([1, '', [['dumps/host1.txt', ['cannot read dumps/host1.txt: EACCES']]]]);
    expect(asUser(['dumps/*.txt'])).toEqual([1, '', [['dumps/host1.txt', ['cannot read dumps/host1.txt: EACCES']]]]);
    // a glob's binary file whose name no format claims is no firewall file, as in a folder (it was an error)
    expect(asUser(['fw/*'])).toEqual([1, '', [['fw/host2.txt', ['finding']], ['fw/mft.rules', ['finding']], ['fw/rules.txt', ['cannot read fw/rules.txt: EACCES']], ['fw/sg-prod', ['cannot read fw/sg-prod: EACCES']]]]);
  });

  it('a file named explicitly that no parser recognises is an error, not a skip', () => {
    const d = tmp();
    writeFileSync(join(d, 'notes.txt'), 'hello\n');
    const r = fwlint(['notes.txt'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no firewall format recognises notes.txt');
  });

  it('--ignore-unknown leaves named files no format recognises alone; unreadable and unparsable ones still fail', () => {
    const d = tmp();
    writeFileSync(join(d, '99-usb.rules'), 'SUBSYSTEM=="usb", MODE="0666"\n');
    writeFileSync(join(d, 'empty.rules'), '');
    writeFileSync(join(d, 'bad.rules'), '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n');
    const clean = fwlint(['-f', 'json', '--ignore-unknown', '99-usb.rules', 'empty.rules'], { cwd: d });
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual([]);
    const r = fwlint(['-f', 'json', '--ignore-unknown', '99-usb.rules', 'missing.rules', 'bad.rules'], { cwd: d });
    expect(r.code).toBe(1);
    const res = JSON.parse(r.stdout) as { filePath: string; messages: { message: string; line: number }[] }[];
    expect(res.map((x) => [x.filePath.slice(d.length + 1), x.messages.map((m) => `${m.line} ${m.message}`)])).toEqual([
      ['bad.rules', [expect.stringMatching(/^3 Parsing error: /)]],
      ['missing.rules', ['1 cannot read missing.rules: ENOENT']],
    ]);
  });

  it('empty standard input or an empty file is an error that says so (a failed command before the pipe must not pass)', () => {
    const d = tmp();
    writeFileSync(join(d, 'rules.v4'), '\n  \n');
    const messages = (args: string[]) => {
      const r = fwlint(['-f', 'json', ...args], { cwd: d, input: '' });
      expect(r.code).toBe(1);
      return (JSON.parse(r.stdout) as { messages: { fatal: boolean; message: string }[] }[]).flatMap((x) => x.messages.map((m) => [m.fatal, m.message]));
    };
    expect(messages(['-'])).toEqual([[true, 'standard input is empty: no firewall rules to lint (did the command before the pipe fail?)']]);
    expect(messages(['--input-format', 'iptables-save', '--stdin-filename', 'host.rules', '-'])).toEqual([[true, 'standard input (host.rules) is empty: no firewall rules to lint']]);
    expect(messages(['rules.v4'])).toEqual([[true, 'rules.v4 is empty: no firewall rules to lint']]);
    // named, and still no format: the message does not ask for the name it was given
    const named = fwlint(['-f', 'json', '--stdin-filename', 'notes.json', '-'], { cwd: d, input: '{"a": 1}\n' });
    expect((JSON.parse(named.stdout) as { messages: { message: string }[] }[])[0]!.messages.map((m) => m.message)).toEqual([
      'no firewall format recognises standard input (notes.json): name one with --input-format',
    ]);
  });

  it('a firewall-named file with NUL bytes (encrypted, UTF-16) is an error, in a folder and named, even with --ignore-unknown', () => {
    const d = tmp();
    mkdirSync(join(d, 'fw'));
    writeFileSync(join(d, 'fw', 'secret.rules'), Buffer.from([0x00, 0x47, 0x49, 0x54, 0x43, 0x52, 0x59, 0x50, 0x54, 0x00, 0x9a]));
    writeFileSync(join(d, 'fw', 'win.rules'), Buffer.from(CFT_SAVE, 'utf16le'));
    // detected as nftables by its name, then no parse: the NUL bytes are the reason, not 'Unexpected character'
    writeFileSync(join(d, 'fw', 'edge.nft'), Buffer.from([0x00, 0x47, 0x49, 0x54, 0x43, 0x52, 0x59, 0x50, 0x54, 0x00, 0x01]));
    const BINARY = 'binary content (NUL bytes): no firewall ruleset fwlint can read (encrypted with git-crypt or SOPS, damaged, or UTF-16 text?)';
    const messages = (args: string[]) => {
      const r = fwlint(['-f', 'json', ...args], { cwd: d });
      expect(r.code).toBe(1);
      return (JSON.parse(r.stdout) as { filePath: string; messages: { fatal: boolean; message: string; line: number }[] }[]).map((x) => [x.filePath.slice(d.length + 1), x.messages.map((m) => `${m.line} ${m.fatal} ${m.message}`)]);
    };
    expect(messages(['fw'])).toEqual([
      ['fw/edge.nft', [`1 true Parsing error: ${BINARY}`]],
      ['fw/secret.rules', [`1 true Parsing error: ${BINARY}`]],
      ['fw/win.rules', [`1 true Parsing error: ${BINARY}`]],
    ]);
    expect(messages(['--ignore-unknown', 'fw/secret.rules'])).toEqual([['fw/secret.rules', [`1 true fw/secret.rules: ${BINARY}`]]]);
  });

  it('-o FILE from a terminal writes no colour codes into the file (stylish and its summary)', () => {
    const d = tmp();
    writeFileSync(join(d, 'mft.rules'), CFT_SAVE);
    // a terminal for stdout and stderr: util-linux script(1)
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} -o out.txt mft.rules; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} mft.rules`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: d, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' } });
    // on the terminal: colours (the control that the terminal was one)
    expect(r.stdout).toContain('\u001b[');
    const file = readFileSync(join(d, 'out.txt'), 'utf8');
    expect(file).toContain('firewall/no-unneeded-cft-ports');
    expect(file).toContain('fwlint: 1 file linted, 1 with findings');
    expect(file).not.toContain('\u001b');
  });

  it('parse errors are fatal with line and column, exit 1', () => {
    const d = tmp();
    writeFileSync(join(d, 'bad.rules'), '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\n');
    const r = fwlint(['-f', 'json', 'bad.rules'], { cwd: d });
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.stdout) as { messages: { fatal: boolean; line: number; column: number }[] }[];
    expect(res!.messages.length).toBeGreaterThan(0);
    expect(res!.messages.every((m) => m.fatal && m.line >= 1 && m.column >= 1)).toBe(true);
  });

  it('-o into a folder that does not exist yet creates it, as ESLint does (reports/fwlint.sarif in a fresh checkout)', () => {
    const d = tmp();
    writeFileSync(join(d, 'rules.v4'), CFT_SAVE);
    // was a usage error, exit 2: "--output-file: folder reports does not exist"
    expect(fwlint(['-f', 'sarif', '-o', 'reports/ci/fwlint.sarif', 'rules.v4'], { cwd: d })).toEqual({ code: 1, stdout: '', stderr: '' });
    const sarif = JSON.parse(readFileSync(join(d, 'reports', 'ci', 'fwlint.sarif'), 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(['firewall/no-unneeded-cft-ports']);
  });

  it('-o into a folder that cannot be made is a usage error, not a run that never ends', () => {
    if (process.platform !== 'linux') return;
    const d = tmp();
    writeFileSync(join(d, 'rules.v4'), CFT_SAVE);
    // Node's mkdirSync(…, { recursive: true }) looped forever under /proc (mkdir /proc/x: ENOENT, mkdir /proc: EEXIST,
    // again): the run hung after linting, 100% CPU, until the CI job's timeout
    const r = spawnSync(process.execPath, [BIN, '-f', 'json', '-o', '/proc/fwlint-no-such-folder/fwlint.json', 'rules.v4'], { cwd: d, encoding: 'utf8', timeout: 20_000 });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fwlint: --output-file: cannot write /proc/fwlint-no-such-folder/fwlint.json: ENOENT\nRun fwlint --help for usage.\n',
    });
  });

  it('usage errors exit 2', () => {
    expect(fwlint(['--no-such-option']).code).toBe(2);
    expect(fwlint(['-f', 'xml', 'x']).code).toBe(2);
    const d = tmp();
    expect(fwlint(['--input-format', 'nope', '-'], { cwd: d, input: CLEAN_SAVE }).code).toBe(2);
    writeFileSync(join(d, 'rules.v4'), CFT_SAVE);
    // -o below a file, where no folder can be made: said before linting, not a stack trace after it
    expect(fwlint(['-f', 'sarif', '-o', 'rules.v4/out/fwlint.sarif', 'rules.v4'], { cwd: d })).toEqual({ code: 2, stdout: '', stderr: 'fwlint: --output-file: rules.v4 is a file, not a folder\nRun fwlint --help for usage.\n' });
    expect(fwlint(['-o', '.', 'rules.v4'], { cwd: d })).toEqual({ code: 2, stdout: '', stderr: 'fwlint: --output-file: . is a folder\nRun fwlint --help for usage.\n' });
    // a file that cannot be created (here in /proc; a read-only mount, no permission): the reason, not a stack trace
    if (process.platform === 'linux') expect(fwlint(['-f', 'json', '-o', '/proc/fwlint.json', 'rules.v4'], { cwd: d })).toEqual({ code: 2, stdout: '', stderr: 'fwlint: --output-file: cannot write /proc/fwlint.json: ENOENT\nRun fwlint --help for usage.\n' });
    // a pipe into fwlint --stdin-filename without '-': said, not the current folder linted instead
    expect(fwlint(['--stdin-filename', 'rules.v4'], { cwd: d, input: CFT_SAVE })).toEqual({
      code: 2,
      stdout: '',
      stderr: "fwlint: --stdin-filename names standard input, which is read only when '-' is among the paths (fwlint --stdin-filename rules.v4 -)\nRun fwlint --help for usage.\n",
    });
  });

  it('a folder without firewall rules is a usage error that names it, not a crash', () => {
    const d = tmp();
    mkdirSync(join(d, 'docs'));
    writeFileSync(join(d, 'docs', 'notes.txt'), 'nothing to lint\n');
    writeFileSync(join(d, 'docs', 'build.mjs'), 'export default 1;\n');
    const r = fwlint(['docs'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fwlint: no firewall rules found in '${join(d, 'docs')}': in a folder, only files of a format fwlint reads are linted (name a file to lint it whatever its name)\nRun fwlint --help for usage.\n`);
  });

  it('configuration errors exit 2 with file, line and schema path', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\ndeployments:\n  - service: transfer-cft\n    tragets: [mft01]\n');
    writeFileSync(join(d, 'rules.v4'), CLEAN_SAVE);
    const r = fwlint(['rules.v4'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fwlint\.config\.yaml:4:\d+: .*tragets/);
    expect(r.stderr).toContain('schema:');
  });

  it('--rule sets a rule\'s severity and options in ESLint\'s syntax; an invalid one is a usage error (exit 2) in ESLint\'s words', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    writeFileSync(join(d, 'rules.v4'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    const ids = (args: string[]) => (JSON.parse(fwlint(['-f', 'json', ...args, 'rules.v4'], { cwd: d }).stdout) as { messages: { ruleId: string; line: number }[] }[])[0]!.messages.map((m) => `${m.line} ${m.ruleId}`);
    expect(ids([])).toEqual(['4 firewall/no-world-open-sensitive-ports']);
    expect(ids(['--rule', 'firewall/no-world-open-sensitive-ports: [error, {tcp: [3389]}]'])).toEqual([]);
    expect(ids(['--rule', 'firewall/no-world-open-sensitive-ports: off'])).toEqual([]);
    const bad = (rule: string, stdin?: string) => {
      const r = stdin === undefined ? fwlint(['--rule', rule, 'rules.v4'], { cwd: d }) : fwlint(['--rule', rule, '-'], { cwd: d, input: stdin });
      return [r.code, r.stdout, r.stderr];
    };
    const usage = 'Run fwlint --help for usage.\n';
    expect(bad('firewall/no-shadowed-rules: [error, {bad: 1}]')).toEqual([2, '', `fwlint: --rule: Key "rules": Key "firewall/no-shadowed-rules":\n\tValue [{"bad":1}] should NOT have more than 0 items.\n${usage}`]);
    expect(bad('firewall/no-world-open-sensitive-ports: [error, {tcp: [ssh]}]', CLEAN_SAVE)).toEqual([2, '', `fwlint: --rule: Key "rules": Key "firewall/no-world-open-sensitive-ports":\n\tValue "ssh" should be integer.\n${usage}`]);
    expect(bad('firewall/no-world-open-sensitive-ports: "bad"')).toEqual([2, '', `fwlint: --rule: Key "rules": Key "firewall/no-world-open-sensitive-ports": Expected severity of "off", 0, "warn", 1, "error", or 2.\n${usage}`]);
    expect(bad('firewall/no-undeclared-registered-ports: [warn, {allow: ["tcp/9-1"]}]')).toEqual([
      2,
      '',
      `fwlint: --rule: Configuration for rule "firewall/no-undeclared-registered-ports" is invalid:\n\tValue "tcp/9-1" in "allow" is not a port 0–65535 or a range low-high of them.\n${usage}`,
    ]);
    expect(bad('no-shadowed-rules: warn')[2]).toMatch(/^fwlint: --rule: "no-shadowed-rules" is no rule of fwlint \(firewall\/no-unneeded-cft-ports, /);
    expect(bad('{{')[2]).toMatch(/^fwlint: --rule '\{\{': Failed to parse JSON/);
  });

  it('checks an inline comment\'s options itself, in ESLint\'s words, at the comment (no ajv at start-up)', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    writeFileSync(join(d, 'rules.v4'), '# eslint firewall/no-world-open-sensitive-ports: ["error", {"tcp": ["ssh"]}]\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    const r = fwlint(['-f', 'json', 'rules.v4'], { cwd: d });
    const messages = (JSON.parse(r.stdout) as { messages: { ruleId: string | null; line: number; column: number; message: string }[] }[])[0]!.messages;
    expect(r.code).toBe(1);
    expect(messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`)).toEqual([
      // (the rule then does nothing on the file, as rule-kit checkOptions says)
      '1:1 firewall/no-world-open-sensitive-ports Inline configuration for rule "firewall/no-world-open-sensitive-ports" is invalid:\n\tValue "ssh" should be integer.\n',
    ]);
  });

  it('--no-inline-config and --report-unused-disable-directives[-severity] are ESLint\'s', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    writeFileSync(
      join(d, 'rules.v4'),
      '# eslint firewall/no-world-open-sensitive-ports: [error, {tcp: [3389]}]\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n# eslint-disable-next-line firewall/no-shadowed-rules\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n',
    );
    const seen = (args: string[]) => {
      const r = fwlint(['-f', 'json', ...args, 'rules.v4'], { cwd: d });
      return [r.code, ...(JSON.parse(r.stdout) as { messages: { ruleId: string | null; line: number; severity: number }[] }[])[0]!.messages.map((m) => `${m.line} ${m.severity} ${m.ruleId}`)];
    };
    expect(seen([])).toEqual([0, '5 1 null']);
    // stylish does not send the user to a --fix option fwlint does not have
    const stylish = fwlint(['--no-summary', '--no-color', 'rules.v4'], { cwd: d });
    expect(stylish.stdout).toContain('Unused eslint-disable directive');
    expect(stylish.stdout).not.toContain('--fix');
    expect(seen(['--no-inline-config'])).toEqual([1, '6 2 firewall/no-world-open-sensitive-ports']);
    expect(seen(['--report-unused-disable-directives'])).toEqual([1, '5 2 null']);
    expect(seen(['--report-unused-disable-directives-severity', 'off'])).toEqual([0]);
    expect(seen(['--report-unused-disable-directives-severity', '2'])).toEqual([1, '5 2 null']);
    const bad = fwlint(['--report-unused-disable-directives-severity', 'loud', 'rules.v4'], { cwd: d });
    expect([bad.code, bad.stderr]).toEqual([2, 'fwlint: --report-unused-disable-directives-severity takes off, warn or error (0, 1, 2), got "loud"\nRun fwlint --help for usage.\n']);
  });

  it('an unknown option is named alone, an ESLint-only one with where to use it (Node told to pass it after --, as a file)', () => {
    const d = tmp();
    for (const [args, said] of [
      [['--bogus', 'x.rules'], "fwlint: unknown option '--bogus'\nRun fwlint --help for usage.\n"],
      [['--fix', 'x.rules'], "fwlint: unknown option '--fix': fwlint does not take ESLint's --fix; run eslint with eslint-plugin-firewall in an eslint.config.js for it\nRun fwlint --help for usage.\n"],
    ] as const) {
      const r = fwlint([...args], { cwd: d });
      expect([r.code, r.stderr]).toEqual([2, said]);
    }
  });

  it('every configuration error is said, also two at one place (an unknown key where a required one is missing)', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\ntargets:\n  - name: web\n    match: [rules.v4]\n');
    writeFileSync(join(d, 'rules.v4'), CLEAN_SAVE);
    const r = fwlint(['rules.v4'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'fwlint: configuration error\n' +
        '  fwlint.config.yaml:3:5: targets[0]: missing required key "files" (schema: #/properties/targets/items/required)\n' +
        '  fwlint.config.yaml:3:5: targets[0]: missing required key "names" (schema: #/properties/targets/items/required)\n' +
        '  fwlint.config.yaml:3:5: targets[0]: unknown key "name" (schema: #/properties/targets/items/additionalProperties)\n' +
        '  fwlint.config.yaml:4:5: targets[0]: unknown key "match" (schema: #/properties/targets/items/additionalProperties)\n',
    );
  });

  it('two configuration files in one folder are a configuration error: one of them was ignored silently', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
    writeFileSync(join(d, 'fwlint.config.json'), '{"discovery": false, "expectedPorts": {"web": [{"protocol": "tcp", "ports": 22}]}}\n');
    writeFileSync(join(d, 'rules.v4'), CLEAN_SAVE);
    const r = fwlint(['rules.v4'], { cwd: d });
    expect([r.code, r.stderr]).toEqual([2, 'fwlint: configuration error\n  fwlint.config.json:1:1: configuration: fwlint.config.yaml in the same folder is the one read, this file would be ignored; keep one\n']);
    // --config names the one to read
    expect(fwlint(['-c', 'fwlint.config.json', 'rules.v4'], { cwd: d }).code).toBe(0);
  });

  it('a configuration error that no schema rule makes (a key written twice) names no empty schema path', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-cli-'));
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\ndiscovery: true\n');
    writeFileSync(join(d, 'rules.v4'), CLEAN_SAVE);
    const r = fwlint(['rules.v4'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fwlint: configuration error\n  fwlint.config.yaml:2:1: configuration: duplicate key "discovery" (first at line 1); the first would be ignored\n');
  });

  it('--max-warnings turns warnings into exit 1; --quiet hides them', () => {
    const d = tmp();
    writeFileSync(join(d, 'rules.v4'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.1.0.0/16 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    const plain = fwlint(['-f', 'json', 'rules.v4'], { cwd: d });
    const warnings = (JSON.parse(plain.stdout) as { warningCount: number }[])[0]!.warningCount;
    expect(warnings).toBeGreaterThan(0);
    expect(fwlint(['--max-warnings', '0', 'rules.v4'], { cwd: d }).code).toBe(1);
    const q = fwlint(['-f', 'json', '--quiet', 'rules.v4'], { cwd: d });
    expect((JSON.parse(q.stdout) as { messages: unknown[] }[]).flatMap((x) => x.messages)).toEqual([]);
    expect(q.code).toBe(0);
    // as ESLint (lib/cli.js counts before --quiet filters): hidden warnings still count for --max-warnings
    const qm = fwlint(['-f', 'json', '--quiet', '--max-warnings', '0', 'rules.v4'], { cwd: d });
    expect((JSON.parse(qm.stdout) as { messages: unknown[] }[]).flatMap((x) => x.messages)).toEqual([]);
    expect(qm.stderr).toBe('fwlint found too many warnings (maximum: 0).\n');
    expect(qm.code).toBe(1);
  });

  it('a glob lints the files it matches that a format recognises, whatever their names; the rest are left alone', () => {
    const d = tmp();
    mkdirSync(join(d, 'fw', 'edge'), { recursive: true });
    writeFileSync(join(d, 'fw', 'edge', 'gw.conf'), CFT_SAVE);
    writeFileSync(join(d, 'fw', 'edge', 'notes.conf'), 'not a firewall\n');
    writeFileSync(join(d, 'fw', 'a.rules'), CLEAN_SAVE);
    const files = (args: string[]) => {
      const r = fwlint(['-f', 'json', ...args], { cwd: d });
      return [r.code, (JSON.parse(r.stdout || '[]') as { filePath: string; errorCount: number }[]).map((x) => [x.filePath.slice(d.length + 1), x.errorCount])];
    };
    expect(files(['fw/**/*.conf'])).toEqual([1, [['fw/edge/gw.conf', 1]]]);
    expect(files(['fw/**/*'])).toEqual([1, [['fw/a.rules', 0], ['fw/edge/gw.conf', 1]]]);
    expect(fwlint(['fw/edge/notes.*'], { cwd: d })).toEqual({
      code: 2,
      stdout: '',
      stderr: "fwlint: no firewall rules found in 'fw/edge/notes.*': in a folder, only files of a format fwlint reads are linted (name a file to lint it whatever its name)\nRun fwlint --help for usage.\n",
    });
  });

  it("takes ESLint's spellings: --max-warnings -1 (no limit), --stdin, --color / --no-color", () => {
    const d = tmp();
    writeFileSync(join(d, 'rules.v4'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.1.0.0/16 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    expect(fwlint(['--max-warnings', '-1', 'rules.v4'], { cwd: d }).code).toBe(0);
    expect(fwlint(['--max-warnings=-1', 'rules.v4'], { cwd: d }).code).toBe(0);
    expect(fwlint(['--max-warnings', '-2', 'rules.v4'], { cwd: d })).toEqual({ code: 2, stdout: '', stderr: 'fwlint: --max-warnings takes a whole number (-1: no limit)\nRun fwlint --help for usage.\n' });
    const stdin = fwlint(['-f', 'json', '--stdin', '--stdin-filename', 'edge.rules'], { cwd: d, input: CFT_SAVE });
    expect(stdin.code).toBe(1);
    expect((JSON.parse(stdin.stdout) as { filePath: string }[]).map((r) => r.filePath)).toEqual([join(d, 'edge.rules')]);
    // the helper sets NO_COLOR: --color forces the colours, --no-color keeps them off under FORCE_COLOR
    expect(fwlint(['--color', '--no-summary', 'rules.v4'], { cwd: d }).stdout).toContain('\u001b[4m');
    const plain = fwlint(['--no-color', '--no-summary', 'rules.v4'], { cwd: d, env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(plain.stdout).toContain(`${join(d, 'rules.v4')}\n`);
    expect(plain.stdout).not.toContain('\u001b[');
    expect(fwlint(['--color', '--no-color', 'rules.v4'], { cwd: d }).code).toBe(2);
  });

  it('SARIF validates against the official SARIF 2.1.0 schema, with relative URIs and parse errors as results', () => {
    const d = tmp();
    mkdirSync(join(d, 'hosts'));
    writeFileSync(join(d, 'hosts', 'mft.rules'), CFT_SAVE);
    writeFileSync(join(d, 'hosts', 'bad.rules'), '*filter\n-A NOPE -j ACCEPT\n');
    const r = fwlint(['-f', 'sarif', 'hosts'], { cwd: d });
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as { version: string; runs: { tool: { driver: { name: string; version: string } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new (AjvDraft04 as unknown as typeof AjvDraft04.default)({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.tool.driver.name).toBe('fwlint');
    const uris = log.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('hosts/mft.rules');
    expect(uris).toContain('hosts/bad.rules');
    expect(log.runs[0]!.results.some((x) => x.ruleId === 'fwlint/parse-error' && x.level === 'error')).toBe(true);
    // the run completed; what it could not parse is also a tool execution notification (SARIF 2.1.0 §3.20.21)
    const inv = (log.runs[0] as unknown as { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; descriptor: { id: string }; message: { text: string }; locations: { physicalLocation: { artifactLocation: unknown; region: { startLine: number; startColumn: number } } }[] }[] }[] }).invocations;
    expect(inv.map((i) => [i.executionSuccessful, i.toolExecutionNotifications.map((n) => [n.level, n.descriptor.id, n.message.text, n.locations[0]!.physicalLocation.artifactLocation, n.locations[0]!.physicalLocation.region])])).toEqual([
      [
        true,
        [
          ['error', 'fwlint/parse-error', 'Parsing error: Cannot append to chain: chain "NOPE" does not exist in table filter', { uri: 'hosts/bad.rules', uriBaseId: '%SRCROOT%' }, { startLine: 2, startColumn: 4 }],
          ['error', 'fwlint/parse-error', expect.stringMatching(/^Parsing error: /), { uri: 'hosts/bad.rules', uriBaseId: '%SRCROOT%' }, { startLine: 3, startColumn: 1 }],
        ],
      ],
    ]);
  });

  it('SARIF of standard input: no made-up file without --stdin-filename (an artifact without a location), the named file with it', () => {
    const d = tmp();
    mkdirSync(join(d, 'hosts'));
    const input = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 1761 -j ACCEPT\nCOMMIT\n';
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new (AjvDraft04 as unknown as typeof AjvDraft04.default)({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    type Run = { artifacts: unknown[]; invocations: unknown[]; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: unknown; region: { startLine: number } } }[] }[] };
    const sarif = (args: string[], text: string) => {
      const r = fwlint(['-f', 'sarif', ...args, '-'], { cwd: d, input: text });
      expect(r.code, r.stderr).toBe(1);
      const log = JSON.parse(r.stdout) as { runs: Run[] };
      expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      const run = log.runs[0]!;
      return { artifacts: run.artifacts, invocations: run.invocations, locations: run.results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.artifactLocation, x.locations[0]!.physicalLocation.region.startLine]) };
    };
    const stdin = { index: 0, description: { text: 'standard input' } };
    expect(sarif([], input)).toEqual({
      artifacts: [{ description: { text: 'standard input' }, roles: ['analysisTarget', 'standardStream'] }],
      invocations: [
        {
          executionSuccessful: true,
          toolExecutionNotifications: [
            {
              level: 'warning',
              message: { text: 'standard input was read without a file name: its results are placed in no file, and code scanning keeps only results in files of the repository; name the file it holds with --stdin-filename PATH' },
            },
          ],
        },
      ],
      locations: [
        ['firewall/no-permissive-default-policy', stdin, 1],
        ['firewall/no-unneeded-cft-ports', stdin, 3],
      ],
    });
    // a parse error: the notification names the same artifact
    const bad = sarif(['--input-format', 'iptables-save'], '*filter\n-A NOPE -j ACCEPT\n');
    expect(bad.locations).toEqual([
      ['fwlint/parse-error', stdin, 2],
      ['fwlint/parse-error', stdin, 3],
    ]);
    expect((bad.invocations[0] as { toolExecutionNotifications: { level: string; locations?: { physicalLocation: { artifactLocation: unknown } }[] }[] }).toolExecutionNotifications.map((n) => [n.level, n.locations?.[0]?.physicalLocation.artifactLocation])).toEqual([
      ['error', stdin],
      ['error', stdin],
      ['warning', undefined],
    ]);
    // --stdin-filename names the file in the repository, as ESLint's does: results point into it, no notification
    const named = { uri: 'hosts/web.rules', uriBaseId: '%SRCROOT%', index: 0 };
    expect(sarif(['--stdin-filename', 'hosts/web.rules'], input)).toEqual({
      artifacts: [{ sourceLanguage: 'unknown', location: { uri: 'hosts/web.rules', uriBaseId: '%SRCROOT%' } }],
      invocations: [{ executionSuccessful: true }],
      locations: [
        ['firewall/no-permissive-default-policy', named, 1],
        ['firewall/no-unneeded-cft-ports', named, 3],
      ],
    });
  });

  it('SARIF carries what GitHub code scanning needs: rule ids with help, levels, percent-encoded URIs under %SRCROOT%, fingerprints that survive moved lines', () => {
    const d = tmp();
    chmodSync(d, 0o755);
    mkdirSync(join(d, 'hosts'));
    writeFileSync(join(d, 'hosts', 'mft edge.rules'), CFT_SAVE);
    // an eslint-disable that disables nothing: ESLint's message without a rule id, which is no parse error
    writeFileSync(join(d, 'hosts', 'clean.rules'), CLEAN_SAVE.replace('-A INPUT -i lo', '# eslint-disable-next-line firewall/no-shadowed-rules\n-A INPUT -i lo'));
    const outside = tmp();
    writeFileSync(join(outside, 'far.rules'), CFT_SAVE);
    const run = () => {
      const r = fwlint(['-f', 'sarif', 'hosts', join(outside, 'far.rules')], { cwd: d });
      expect(r.code, r.stderr).toBe(1);
      return JSON.parse(r.stdout) as {
        runs: {
          originalUriBaseIds: Record<string, { uri: string }>;
          tool: { driver: { rules: { id: string; helpUri?: string }[] } };
          results: { ruleId: string; level: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } } }[] }[];
        }[];
      };
    };
    const log = run();
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new (AjvDraft04 as unknown as typeof AjvDraft04.default)({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const [r0] = log.runs;
    expect(r0!.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `file://${d}/` } });
    expect(r0!.tool.driver.rules.filter((x) => !x.helpUri?.startsWith('https://'))).toEqual([]);
    // help shown next to each alert (reportingDescriptor.help), and rule ids unique
    expect(r0!.tool.driver.rules.filter((x) => !(x as { help?: { text?: string } }).help?.text?.endsWith(`Documentation: ${x.helpUri}`))).toEqual([]);
    const ids = new Set(r0!.tool.driver.rules.map((x) => x.id));
    expect(ids.size).toBe(r0!.tool.driver.rules.length);
    const rows = r0!.results.map((x) => {
      const loc = x.locations[0]!.physicalLocation;
      expect(ids.has(x.ruleId), x.ruleId).toBe(true);
      expect(['error', 'warning', 'note']).toContain(x.level);
      // a URI reference (RFC 3986): no space, no character outside the allowed set
      expect(loc.artifactLocation.uri).toMatch(/^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]+$/);
      return [x.ruleId, x.level, loc.artifactLocation.uriBaseId ?? '-', loc.artifactLocation.uri, loc.region.startLine];
    });
    // (results in the order of their absolute paths: the other temporary folder may sort first)
    expect(rows.sort((a, b) => (String(a[3]) < String(b[3]) ? -1 : 1))).toEqual([
      ['firewall/no-unneeded-cft-ports', 'error', '-', `file://${outside}/far.rules`, 6],
      ['fwlint/directive', 'warning', '%SRCROOT%', 'hosts/clean.rules', 5],
      ['firewall/no-unneeded-cft-ports', 'error', '%SRCROOT%', 'hosts/mft%20edge.rules', 6],
    ]);
    const fingerprints = r0!.results.map((x) => x.partialFingerprints);
    expect(fingerprints.every((f) => /^[0-9a-f]{32}:1$/.test(f['fwlintLineHash/v1'] ?? ''))).toBe(true);
    expect(new Set(fingerprints.map((f) => f['fwlintLineHash/v1'])).size).toBe(3);
    // a comment added above the finding moves it a line down; its fingerprint stays
    const edge = (l: typeof log) => l.runs[0]!.results.find((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === 'hosts/mft%20edge.rules')!;
    const before = edge(log);
    writeFileSync(join(d, 'hosts', 'mft edge.rules'), `# edge host\n${CFT_SAVE}`);
    const moved = edge(run());
    expect(moved.locations[0]!.physicalLocation.region.startLine).toBe(7);
    expect(moved.partialFingerprints).toEqual(before.partialFingerprints);
    // the same rule id in the other report formats
    expect(fwlint(['-f', 'github', 'hosts/clean.rules'], { cwd: d }).stdout).toBe(
      "::warning file=hosts/clean.rules,line=5,col=1,title=fwlint/directive::Unused eslint-disable directive (no problems were reported from 'firewall/no-shadowed-rules').\n",
    );
    expect(fwlint(['-f', 'junit', 'hosts/clean.rules'], { cwd: d }).stdout).toContain('<testcase classname="hosts/clean.rules" name="fwlint/directive (line 5, column 1)">');
  });

  it('--format github emits workflow-command annotations', () => {
    const d = tmp();
    writeFileSync(join(d, 'mft.rules'), CFT_SAVE);
    const r = fwlint(['-f', 'github', 'mft.rules'], { cwd: d });
    const line = r.stdout.split('\n').find((l) => l.includes('no-unneeded-cft-ports'))!;
    expect(line).toMatch(/^::error file=mft\.rules,line=6,col=\d+,endLine=6,endColumn=\d+,title=firewall\/no-unneeded-cft-ports::Open: TCP 1761/);
    // run from a subfolder of the Actions checkout: the file is named from the checkout, where GitHub looks for it
    mkdirSync(join(d, 'infra'));
    writeFileSync(join(d, 'infra', 'mft.rules'), CFT_SAVE);
    const sub = fwlint(['-f', 'github', 'mft.rules'], { cwd: join(d, 'infra'), env: { GITHUB_WORKSPACE: d } });
    expect(sub.stdout.split('\n').find((l) => l.includes('no-unneeded-cft-ports'))).toMatch(/^::error file=infra\/mft\.rules,line=6,/);
    const outside = fwlint(['-f', 'github', 'mft.rules'], { cwd: join(d, 'infra'), env: { GITHUB_WORKSPACE: join(d, 'elsewhere') } });
    expect(outside.stdout.split('\n').find((l) => l.includes('no-unneeded-cft-ports'))).toMatch(/^::error file=mft\.rules,line=6,/);
  });

  it('stdin with --stdin-filename picks the format from the name', () => {
    const d = tmp();
    const script = '#!/bin/sh\niptables -F\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 1768 -j ACCEPT\n';
    const r = fwlint(['-f', 'json', '--stdin-filename', 'fw.sh', '-'], { cwd: d, input: script });
    const [res] = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
    expect(res!.filePath.endsWith('fw.sh')).toBe(true);
    expect(res!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => m.line)).toEqual([4]);
    // under a name of ESLint's JavaScript files, which a folder walk leaves out: named, it is linted
    const js = fwlint(['-f', 'json', '--stdin-filename', 'fw.js', '--input-format', 'iptables-script', '-'], { cwd: d, input: script });
    const [jr] = JSON.parse(js.stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
    expect(jr!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => m.line)).toEqual([4]);
  });

  it('--version and --help exit 0', () => {
    const v = fwlint(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const h = fwlint(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('fwlint trace FILE');
  });

  it('eslint-disable comments work inside iptables files, in the file\'s own comment syntax', () => {
    const d = tmp();
    writeFileSync(join(d, 'mft.rules'), CFT_SAVE.replace('-A INPUT -p tcp -m multiport', '# eslint-disable-next-line firewall/no-unneeded-cft-ports -- partner link, ticket SEC-12\n-A INPUT -p tcp -m multiport'));
    const r = fwlint(['-f', 'json', 'mft.rules'], { cwd: d });
    const [res] = JSON.parse(r.stdout) as { messages: { ruleId: string }[]; suppressedMessages: { ruleId: string; suppressions: { justification: string }[] }[] }[];
    expect(res!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports')).toEqual([]);
    expect(res!.suppressedMessages.map((m) => [m.ruleId, m.suppressions[0]!.justification])).toContainEqual(['firewall/no-unneeded-cft-ports', 'partner link, ticket SEC-12']);
  });

  it('lints CDK and Pulumi code named explicitly with the same rules; other TypeScript is not a firewall', () => {
    const d = tmp();
    writeFileSync(join(d, 'stack.ts'), readFileSync(join(ROOT, 'fixtures/typescript/cdk-app.ts'), 'utf8'));
    writeFileSync(join(d, 'util.ts'), 'export const x = 1768;\n');
    const r = fwlint(['-f', 'json', 'stack.ts'], { cwd: d });
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.stdout) as { messages: { ruleId: string; line: number; column: number }[] }[];
    expect(res!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => `${m.line}:${m.column}`)).toEqual(['24:23', '27:57', '30:30', '35:73', '36:39']);
    const other = fwlint(['util.ts'], { cwd: d });
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('no firewall format recognises util.ts');
  });

  it('a Pulumi program whose text also looks like a firewall format is still read as code', () => {
    const d = tmp();
    // 'srcIpRanges:' / 'layer4Configs:' made the head read as a gcp-yaml export: YAML parse errors, no findings
    writeFileSync(
      join(d, 'index.ts'),
      `import * as gcp from '@pulumi/gcp';
new gcp.compute.NetworkFirewallPolicyRule('allow-cft', {
  firewallPolicy: 'pol',
  priority: 100,
  action: 'allow',
  direction: 'INGRESS',
  match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1768'] }] },
});
`,
    );
    const r = fwlint(['-f', 'json', 'index.ts'], { cwd: d });
    const [res] = JSON.parse(r.stdout) as { messages: { ruleId: string | null; line: number; column: number; message: string }[] }[];
    expect(res!.messages.filter((m) => m.ruleId === null)).toEqual([]);
    expect(res!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports' && m.message.startsWith('Open')).map((m) => `${m.line}:${m.column}`)).toEqual(['7:26']);
  });
});


describe('a Terraform file of values only, named alone (pre-commit stages only what changed)', () => {
  it('variables.tf lints the module files that take its defaults (it was linted alone: no resource, no finding)', () => {
    const d = tmp();
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
    writeFileSync(join(d, 'variables.tf'), 'variable "allowed" {\n  type    = list(string)\n  default = ["0.0.0.0/0"]\n}\n');
    writeFileSync(join(d, 'main.tf'), 'resource "aws_security_group" "db" {\n  name = "db"\n  ingress {\n    from_port   = 3306\n    to_port     = 3306\n    protocol    = "tcp"\n    cidr_blocks = var.allowed\n  }\n}\n');
    const r = fwlint(['-f', 'json', '--ignore-unknown', 'variables.tf'], { cwd: d });
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string; line: number; column: number }[] }[];
    expect(results.map((x) => [x.filePath.slice(d.length + 1), x.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)])).toEqual([
      ['main.tf', ['7:19 firewall/no-world-open-sensitive-ports', '7:19 firewall/no-undeclared-registered-ports']],
      ['variables.tf', []],
    ]);
  });
});
