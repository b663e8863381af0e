/**
 * Baselines end to end (ESLint's bulk-suppressions file, eslint-suppressions.json):
 * adopt fwlint on a repository with findings (--suppress-all, exit 0), a new
 * finding still fails (exit 1), fixing it passes again, fixing an old finding
 * then --prune-suppressions shrinks the baseline.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fwlint } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const HEAD = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n';
const LEGACY = `${HEAD}-A INPUT -p tcp --dport 1768 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n`;
const LEGACY_FIXED_SSH = `${HEAD}-A INPUT -p tcp --dport 1768 -j ACCEPT\n-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT\nCOMMIT\n`;

describe('baselines with eslint-suppressions.json', () => {
  it('suppress-all → exit 0 → new finding → exit 1 → fix → exit 0 → prune', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-baseline-'));
    dirs.push(d);
    mkdirSync(join(d, 'hosts'));
    writeFileSync(join(d, 'hosts', 'legacy.rules'), LEGACY);

    expect(fwlint(['hosts'], { cwd: d }).code).toBe(1);
    const adopt = fwlint(['--suppress-all', 'hosts'], { cwd: d });
    expect(adopt.code, adopt.stdout + adopt.stderr).toBe(0);
    expect(adopt.stderr).toContain('fwlint: wrote eslint-suppressions.json');
    expect(JSON.parse(readFileSync(join(d, 'eslint-suppressions.json'), 'utf8'))).toEqual({
      'hosts/legacy.rules': { 'firewall/no-unneeded-cft-ports': { count: 1 }, 'firewall/no-world-open-sensitive-ports': { count: 1 } },
    });

    // the baseline is applied without any flag
    const again = fwlint(['hosts'], { cwd: d });
    expect(again.code, again.stdout).toBe(0);

    // a new finding in a new file fails the run, and only it is reported
    writeFileSync(join(d, 'hosts', 'new.rules'), `${HEAD}-A INPUT -p tcp --dport 1761 -j ACCEPT\nCOMMIT\n`);
    const added = fwlint(['-f', 'json', 'hosts'], { cwd: d });
    expect(added.code).toBe(1);
    const res = JSON.parse(added.stdout) as { filePath: string; messages: { ruleId: string; severity: number; line: number }[] }[];
    const errors = res.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath.slice(d.length + 1)}:${m.line} ${m.ruleId}`));
    expect(errors).toEqual(['hosts/new.rules:6 firewall/no-unneeded-cft-ports']);

    // a second finding of a baselined rule in the baselined file fails too (counts, not rule names)
    writeFileSync(join(d, 'hosts', 'new.rules'), `${HEAD}COMMIT\n`);
    writeFileSync(join(d, 'hosts', 'legacy.rules'), LEGACY.replace('COMMIT', '-A INPUT -p tcp --dport 3306 -j ACCEPT\nCOMMIT'));
    expect(fwlint(['hosts'], { cwd: d }).code).toBe(1);

    // fixed: back to the baseline
    writeFileSync(join(d, 'hosts', 'legacy.rules'), LEGACY);
    expect(fwlint(['hosts'], { cwd: d }).code).toBe(0);

    // an old finding fixed: its entry now suppresses nothing, which fails the run until pruned (as ESLint: the
    // fixed finding could come back unreported)
    writeFileSync(join(d, 'hosts', 'legacy.rules'), LEGACY_FIXED_SSH);
    const stale = fwlint(['hosts'], { cwd: d });
    expect(stale.code).toBe(2);
    expect(stale.stderr).toBe(
      'fwlint: there are suppressions left in eslint-suppressions.json that do not occur anymore (hosts/legacy.rules firewall/no-world-open-sensitive-ports). To resolve this, re-run the command with --prune-suppressions to remove unused suppressions. To ignore unused suppressions, use --pass-on-unpruned-suppressions.\n',
    );
    expect(fwlint(['--pass-on-unpruned-suppressions', 'hosts'], { cwd: d }).code).toBe(0);
    // prune drops its entry, the rest stays
    const prune = fwlint(['--prune-suppressions', 'hosts'], { cwd: d });
    expect(prune.code, prune.stdout + prune.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'eslint-suppressions.json'), 'utf8'))).toEqual({
      'hosts/legacy.rules': { 'firewall/no-unneeded-cft-ports': { count: 1 } },
    });
    // reintroducing the fixed finding is no longer covered
    writeFileSync(join(d, 'hosts', 'legacy.rules'), LEGACY);
    expect(fwlint(['hosts'], { cwd: d }).code).toBe(1);
  });

  it('--prune-suppressions on some files leaves the entries of the others alone', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-baseline-'));
    dirs.push(d);
    writeFileSync(join(d, 'a.rules'), LEGACY);
    writeFileSync(join(d, 'b.rules'), LEGACY);
    expect(fwlint(['--suppress-all', 'a.rules', 'b.rules'], { cwd: d }).code).toBe(0);
    writeFileSync(join(d, 'a.rules'), LEGACY_FIXED_SSH);
    const prune = fwlint(['--prune-suppressions', 'a.rules'], { cwd: d });
    expect(prune.code, prune.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'eslint-suppressions.json'), 'utf8'))).toEqual({
      'a.rules': { 'firewall/no-unneeded-cft-ports': { count: 1 } },
      'b.rules': { 'firewall/no-unneeded-cft-ports': { count: 1 }, 'firewall/no-world-open-sensitive-ports': { count: 1 } },
    });
    // b.rules still has its findings: its baseline applies, nothing is left unused
    expect(fwlint(['a.rules', 'b.rules'], { cwd: d }).code).toBe(0);
  });

  it('--suppress-rule baselines one rule only; --suppressions-location moves the file', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-baseline-'));
    dirs.push(d);
    writeFileSync(join(d, 'legacy.rules'), LEGACY);
    const r = fwlint(['--suppress-rule', 'firewall/no-unneeded-cft-ports', '--suppressions-location', 'ci/baseline.json', 'legacy.rules'], { cwd: d });
    // ci/ does not exist yet: the write must not silently fail
    expect(r.code).toBe(2);
    expect(existsSync(join(d, 'ci', 'baseline.json'))).toBe(false);
    mkdirSync(join(d, 'ci'));
    const s = fwlint(['--suppress-rule', 'firewall/no-unneeded-cft-ports', '--suppressions-location', 'ci/baseline.json', 'legacy.rules'], { cwd: d });
    expect(s.code).toBe(1); // the SSH finding is not baselined
    expect(JSON.parse(readFileSync(join(d, 'ci', 'baseline.json'), 'utf8'))).toEqual({ 'legacy.rules': { 'firewall/no-unneeded-cft-ports': { count: 1 } } });
    const f = fwlint(['-f', 'json', '--suppressions-location', 'ci/baseline.json', 'legacy.rules'], { cwd: d });
    expect(f.code).toBe(1);
    const res = JSON.parse(f.stdout) as { messages: { ruleId: string; severity: number }[] }[];
    expect(res[0]!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId)).toEqual(['firewall/no-world-open-sensitive-ports']);
  });
});
