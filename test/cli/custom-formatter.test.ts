/**
 * -f NAME beyond fwlint's own formats: any ESLint formatter, found as `eslint -f NAME` finds it (a built-in, an
 * eslint-formatter-NAME package, a file), packages and files from the working directory fwlint runs in.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fwlint } from './helpers.js';

const RULES = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 1761 -j ACCEPT\nCOMMIT\n';
const CFT = 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 0.0.0.0/0 without a Transfer CFT deployment on host.rules.';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-formatter-'));
  writeFileSync(join(dir, 'fwlint.config.yaml'), 'discovery: false\n');
  writeFileSync(join(dir, 'host.rules'), RULES);
  // one line per message, as a team's own formatter or a code-quality converter would write it
  writeFileSync(join(dir, 'lines.mjs'), 'export default (results) => results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).join("\\n");\n');
  mkdirSync(join(dir, 'node_modules', 'eslint-formatter-count'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'eslint-formatter-count', 'package.json'), '{"name":"eslint-formatter-count","main":"index.js"}');
  writeFileSync(join(dir, 'node_modules', 'eslint-formatter-count', 'index.js'), 'module.exports = (results) => `${results.reduce((n, r) => n + r.errorCount, 0)} errors`;\n');
  return dir;
}

describe('-f with an ESLint formatter', () => {
  it('ESLint\'s json-with-metadata: the results and the rules\' meta', () => {
    const dir = project();
    const r = fwlint(['-f', 'json-with-metadata', 'host.rules'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { results: { messages: { ruleId: string; line: number; message: string }[] }[]; metadata: { rulesMeta: Record<string, { docs: { url: string } }> } };
    expect(out.results[0]!.messages.map((m) => [m.ruleId, m.line, m.message])).toEqual([['firewall/no-unneeded-cft-ports', 5, CFT]]);
    expect(out.metadata.rulesMeta['firewall/no-unneeded-cft-ports']!.docs.url).toMatch(/docs\/rules\/no-unneeded-cft-ports\.md$/);
  });

  it('a file, and an eslint-formatter-* package, from the working directory; -o writes its report', () => {
    const dir = project();
    const file = fwlint(['-f', './lines.mjs', 'host.rules'], { cwd: dir });
    expect([file.code, file.stdout]).toEqual([1, '5:24 firewall/no-unneeded-cft-ports\n']);
    const pkg = fwlint(['-f', 'count', join(dir, 'host.rules')], { cwd: dir });
    expect([pkg.code, pkg.stdout]).toEqual([1, '1 errors\n']);
    const toFile = fwlint(['-f', 'count', '-o', 'report.txt', 'host.rules'], { cwd: dir });
    expect([toFile.code, toFile.stdout, readFileSync(join(dir, 'report.txt'), 'utf8')]).toEqual([1, '', '1 errors']);
  });

  it('a name that is no formatter is a usage error (exit 2)', () => {
    const dir = project();
    const r = fwlint(['-f', 'no-such-formatter', 'host.rules'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown format "no-such-formatter": not one of stylish, json, sarif, github, junit, nor an ESLint formatter');
    expect(r.stdout).toBe('');
  });
});
