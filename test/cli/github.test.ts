/**
 * --format github: GitHub Actions workflow commands
 * (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`).
 * Grammar (actions/toolkit, packages/core/src/command.ts): the message escapes
 * `%` `\r` `\n` as %25 %0D %0A; property values additionally escape `:` and
 * `,` as %3A %2C. Checked by a strict parser that decodes what it reads.
 */
import type { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { formatGithub } from '../../src/cli/formatters.js';
import { formatDiffGithub } from '../../src/cli/diff.js';

const COMMAND = /^::(error|warning|notice) ([A-Za-z]+=[^,:\r\n]*(?:,[A-Za-z]+=[^,:\r\n]*)*)::([^\r\n]*)$/;
const ESCAPE = /%(?:25|0D|0A|3A|2C)/g;

function unescape(s: string): string {
  return s.replace(ESCAPE, (m) => ({ '%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',' })[m]!);
}

/** Parse one workflow command, strictly: a `%` not starting a known escape is a grammar error. */
function parseCommand(line: string): { level: string; props: Record<string, string>; message: string } {
  const m = COMMAND.exec(line);
  if (!m) throw new Error(`not a workflow command: ${JSON.stringify(line)}`);
  const [, level, propText, message] = m as unknown as [string, string, string, string];
  if (message.replace(ESCAPE, '').includes('%')) throw new Error(`unescaped % in message: ${message}`);
  const props: Record<string, string> = {};
  for (const kv of propText.split(',')) {
    const i = kv.indexOf('=');
    const v = kv.slice(i + 1);
    if (v.replace(ESCAPE, '').includes('%')) throw new Error(`unescaped % in property: ${kv}`);
    props[kv.slice(0, i)] = unescape(v);
  }
  return { level, props, message: unescape(message) };
}

function result(filePath: string, messages: Partial<ESLint.LintResult['messages'][number]>[]): ESLint.LintResult {
  return { filePath, messages, suppressedMessages: [], errorCount: 0, fatalErrorCount: 0, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0, usedDeprecatedRules: [] } as unknown as ESLint.LintResult;
}

describe('--format github', () => {
  it('escapes %, \\r, \\n in messages and additionally : and , in properties, and round-trips', () => {
    const nasty = 'Open: TCP 1768, 100% of\r\nthe internet: 0.0.0.0/0 %0A';
    const out = formatGithub(
      [
        result('/repo/hosts/a,b:c%d.rules', [{ ruleId: 'firewall/no-unneeded-cft-ports', severity: 2, message: nasty, line: 3, column: 5, endLine: 3, endColumn: 9 }]),
        result('/repo/x.nft', [{ ruleId: null, fatal: true, severity: 2, message: 'syntax error', line: 1, column: 1 }, { ruleId: 'firewall/ip-family-parity', severity: 1, message: 'w', line: 2, column: 1 }]),
      ],
      '/repo',
    );
    const lines = out.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(
      '::error file=hosts/a%2Cb%3Ac%25d.rules,line=3,col=5,endLine=3,endColumn=9,title=firewall/no-unneeded-cft-ports::Open: TCP 1768, 100%25 of%0D%0Athe internet: 0.0.0.0/0 %250A',
    );
    const parsed = lines.map(parseCommand);
    expect(parsed).toEqual([
      { level: 'error', props: { file: 'hosts/a,b:c%d.rules', line: '3', col: '5', endLine: '3', endColumn: '9', title: 'firewall/no-unneeded-cft-ports' }, message: nasty },
      { level: 'error', props: { file: 'x.nft', line: '1', col: '1', title: 'fwlint/parse-error' }, message: 'syntax error' },
      { level: 'warning', props: { file: 'x.nft', line: '2', col: '1', title: 'firewall/ip-family-parity' }, message: 'w' },
    ]);
  });

  it('prints nothing when there is nothing to annotate', () => {
    expect(formatGithub([result('/repo/ok.rules', [])], '/repo')).toBe('');
  });

  it('the strict parser rejects what GitHub would misread', () => {
    expect(() => parseCommand('::error file=a,b.rules,line=1::m')).toThrow(/not a workflow command/);
    expect(() => parseCommand('::error file=a.rules::100% open')).toThrow(/unescaped %/);
    expect(() => parseCommand('::error file=a:b::m')).toThrow(/not a workflow command/);
    expect(() => parseCommand('::error file=a.rules::two\nlines')).toThrow(/not a workflow command/);
  });

  it('fwlint diff --format github follows the same grammar (notices for what closed)', () => {
    const out = formatDiffGithub({
      base: 'main',
      head: 'HEAD',
      files: [
        {
          file: 'a,b.rules',
          format: 'iptables-save',
          status: 'modified',
          errors: [],
          changes: [
            { kind: 'newly-exposed', file: 'a,b.rules', ruleset: 'r', protocol: 6, ports: [[22, 22]], portsText: '22 (ssh)', sources: ['0.0.0.0/0'], sourcesText: '0.0.0.0/0', principals: [], certainty: 'open', span: { start: { line: 4, column: 2, offset: 0 }, end: { line: 4, column: 9, offset: 7 } }, responsible: 'line 4', flaggedBy: 'firewall/no-world-open-sensitive-ports' },
            { kind: 'closed', file: 'a,b.rules', ruleset: 'r', protocol: 17, ports: [[53, 53]], portsText: '53 (domain)', sources: ['10.0.0.0/8'], sourcesText: '10.0.0.0/8', principals: [], certainty: 'open', responsible: 'line 5' },
          ],
        },
      ],
    });
    expect(out.trimEnd().split('\n').map(parseCommand)).toEqual([
      { level: 'error', props: { file: 'a,b.rules', line: '4', col: '2', endLine: '4', endColumn: '9', title: 'firewall/no-world-open-sensitive-ports' }, message: 'Newly exposed by this change: tcp 22 (ssh) reachable from 0.0.0.0/0 (line 4).' },
      { level: 'notice', props: { file: 'a,b.rules', line: '1', col: '1', endLine: '1', endColumn: '1', title: 'fwlint/closed' }, message: 'Closed by this change: udp 53 (domain) from 10.0.0.0/8 no longer reachable (was line 5 in main).' },
    ]);
  });
});

describe('action.yml', () => {
  it('is a composite action with the documented inputs, and every run script is valid bash', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { parse } = await import('yaml');
    const { ROOT } = await import('./helpers.js');
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
      runs: { using: string; steps: { uses?: string; run?: string; shell?: string }[] };
    };
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(['paths', 'format', 'fail-on', 'diff-base', 'version', 'node-version', 'upload']);
    expect(action.inputs.format!.default).toBe('sarif');
    expect(action.runs.steps.map((s) => s.uses ?? s.shell)).toEqual(['actions/setup-node@v4', 'bash', 'bash', 'github/codeql-action/upload-sarif@v3', 'bash']);
    for (const s of action.runs.steps.filter((x) => x.run)) {
      const r = spawnSync('bash', ['-n'], { input: s.run!.replace(/\$\{\{[^}]*\}\}/g, 'x'), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(action.runs.steps[1]!.run).toContain('-f "$FWLINT_FORMAT" "${extra[@]}" -o "$report"');
  });

  it('fail-on warning fails on a warning in every format, not only when the report is SARIF', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, chmodSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { parse } = await import('yaml');
    const { ROOT, BIN } = await import('./helpers.js');
    const steps = (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs: { steps: { run?: string }[] } }).runs.steps;
    const d = mkdtempSync(join(tmpdir(), 'fwlint-action-'));
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
    // a warning only: a registered port no deployment explains, from a private range
    writeFileSync(join(d, 'host.rules'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 5000 -j ACCEPT\nCOMMIT\n');
    // npx as the action calls it ('npx --no-install fwlint …'), running this repository's bin
    writeFileSync(join(d, 'npx'), `#!/bin/bash\nwhile [ "$1" != fwlint ]; do shift; done; shift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(d, 'npx'), 0o755);
    const run = (script: string, env: Record<string, string>) =>
      spawnSync('bash', ['-c', script], { cwd: d, encoding: 'utf8', env: { ...process.env, PATH: `${d}:${process.env.PATH}`, NO_COLOR: '1', ...env } });
    for (const [format, failOn, expected] of [['github', 'warning', 1], ['stylish', 'warning', 1], ['junit', 'warning', 1], ['github', 'error', 0]] as const) {
      const out = join(d, `out-${format}-${failOn}`);
      writeFileSync(out, '');
      const lint = run(steps[1]!.run!, { FWLINT_PATHS: 'host.rules', FWLINT_FORMAT: format, FWLINT_VERSION: 'local', FWLINT_FAIL_ON: failOn, GITHUB_OUTPUT: out });
      expect(lint.status, lint.stderr).toBe(0);
      const code = /exit-code=(\d+)/.exec(readFileSync(out, 'utf8'))![1]!;
      const gate = run(steps[4]!.run!, { FAIL_ON: failOn, LINT_CODE: code, DIFF_CODE: '', DIFF_WARNINGS: '' });
      expect([format, failOn, gate.status]).toEqual([format, failOn, expected]);
    }
  });

  it('paths: a glob reaches fwlint unexpanded (firewall/**/*.conf at any depth, other .conf files left alone)', async () => {
    const { mkdtempSync, mkdirSync, readFileSync, writeFileSync, chmodSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const { parse } = await import('yaml');
    const { ROOT, BIN } = await import('./helpers.js');
    const steps = (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs: { steps: { run?: string }[] } }).runs.steps;
    const d = mkdtempSync(join(tmpdir(), 'fwlint-action-'));
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
    mkdirSync(join(d, 'firewall', 'web', 'deep'), { recursive: true });
    const open = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 1768 -j ACCEPT\nCOMMIT\n';
    writeFileSync(join(d, 'firewall', 'edge.conf'), open);
    writeFileSync(join(d, 'firewall', 'web', 'deep', 'host.conf'), open);
    writeFileSync(join(d, 'firewall', 'web', 'nginx.conf'), 'server { listen 80; }\n');
    writeFileSync(join(d, 'npx'), `#!/bin/bash\nwhile [ "$1" != fwlint ]; do shift; done; shift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(join(d, 'npx'), 0o755);
    const out = join(d, 'out');
    writeFileSync(out, '');
    const lint = spawnSync('bash', ['-c', steps[1]!.run!], {
      cwd: d,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${d}:${process.env.PATH}`, NO_COLOR: '1', FWLINT_PATHS: 'firewall/**/*.conf', FWLINT_FORMAT: 'json', FWLINT_VERSION: 'local', FWLINT_FAIL_ON: 'error', GITHUB_OUTPUT: out },
    });
    expect(lint.status, lint.stderr).toBe(0);
    // bash expanded the glob one level deep: firewall/web/nginx.conf alone, named, so "no firewall format recognises" it
    const report = JSON.parse(readFileSync(join(d, 'fwlint.json'), 'utf8')) as { filePath: string; messages: { ruleId: string | null; line: number }[] }[];
    expect(report.map((r) => [r.filePath.slice(d.length + 1), r.messages.map((m) => `${m.line} ${m.ruleId}`)])).toEqual([
      ['firewall/edge.conf', ['5 firewall/no-unneeded-cft-ports']],
      ['firewall/web/deep/host.conf', ['5 firewall/no-unneeded-cft-ports']],
    ]);
    expect(readFileSync(out, 'utf8')).toBe('exit-code=1\nreport=fwlint.json\n');
  });
});

