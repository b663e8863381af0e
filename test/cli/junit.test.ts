/**
 * --format junit validated with `xmllint --schema test/cli/junit.xsd` (the
 * de-facto Jenkins/Ant JUnit schema, written for this project; see its header).
 * xmllint is Debian's libxml2-utils: skipped with a warning without it, a
 * failure in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { formatJunit } from '../../src/cli/junit.js';
import { ROOT, fwlint } from './helpers.js';

const XSD = join(ROOT, 'test', 'cli', 'junit.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;
if (!hasXmllint && process.env.CI === 'true') throw new Error('JUnit schema test cannot run in CI: xmllint is missing (apt-get install libxml2-utils)');
if (!hasXmllint) console.warn('SKIPPING JUnit schema validation: xmllint is missing (apt-get install libxml2-utils)');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'fwlint-junit-'));
  dirs.push(d);
  return d;
}

function validate(xml: string): { ok: boolean; out: string } {
  const d = tmp();
  const f = join(d, 'report.xml');
  writeFileSync(f, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, f], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

function result(filePath: string, messages: Partial<ESLint.LintResult['messages'][number]>[]): ESLint.LintResult {
  const errorCount = messages.filter((m) => m.severity === 2).length;
  return { filePath, messages, suppressedMessages: [], errorCount, fatalErrorCount: 0, warningCount: messages.length - errorCount, fixableErrorCount: 0, fixableWarningCount: 0, usedDeprecatedRules: [] } as unknown as ESLint.LintResult;
}

const CFT_OPEN = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 1768 -j ACCEPT\nCOMMIT\n';
const CLEAN = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT\nCOMMIT\n';

describe.skipIf(!hasXmllint)('--format junit against the JUnit XSD', () => {
  it('the schema is strict enough to reject what JUnit readers reject', () => {
    expect(validate('<testsuites><testsuite name="a" tests="1"><testcase name="x"><failure message="m">t</failure></testcase></testsuite></testsuites>').ok).toBe(true);
    expect(validate('<testsuites><testsuite tests="1"><testcase name="x"/></testsuite></testsuites>').ok).toBe(false); // suite without name
    expect(validate('<testsuites><testsuite name="a" tests="one"><testcase name="x"/></testsuite></testsuites>').ok).toBe(false);
    expect(validate('<testsuites><testsuite name="a" tests="1"><testcase name="x"><finding/></testcase></testsuite></testsuites>').ok).toBe(false);
  });

  it('fwlint -f junit on findings, a clean file and a parse error validates, with consistent counts', () => {
    const d = tmp();
    mkdirSync(join(d, 'hosts'));
    writeFileSync(join(d, 'hosts', 'cft & <co>.rules'), CFT_OPEN);
    writeFileSync(join(d, 'hosts', 'clean.rules'), CLEAN);
    writeFileSync(join(d, 'hosts', 'bad.rules'), '*filter\n-A NOPE -j ACCEPT\n');
    const r = fwlint(['-f', 'junit', 'hosts'], { cwd: d });
    expect(r.code).toBe(1);
    const v = validate(r.stdout);
    expect(v.ok, v.out).toBe(true);
    expect(r.stdout).toContain('<testsuite name="hosts/cft &amp; &lt;co&gt;.rules"');
    expect(r.stdout).toContain('<testcase classname="hosts/clean.rules" name="no findings"/>');
    expect(r.stdout).toMatch(/<testcase classname="hosts\/cft &amp; &lt;co&gt;.rules" name="firewall\/no-unneeded-cft-ports \(line 5, column 17\)">\n {6}<failure message="Open: TCP 1768/);
    expect(r.stdout).toMatch(/<testcase classname="hosts\/bad.rules" name="fwlint\/parse-error \(line 2, column \d+\)">\n {6}<failure /);
    const suites = [...r.stdout.matchAll(/<testsuite name="[^"]*" tests="(\d+)" failures="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const top = /<testsuites name="fwlint" tests="(\d+)" failures="(\d+)"/.exec(r.stdout)!;
    expect(Number(top[1])).toBe(suites.reduce((n, s) => n + s[0]!, 0));
    expect(Number(top[2])).toBe(suites.reduce((n, s) => n + s[1]!, 0));
    expect(Number(top[2])).toBe((r.stdout.match(/<failure /g) ?? []).length);
    expect(Number(top[1])).toBe((r.stdout.match(/<testcase /g) ?? []).length);
  });

  it('escapes markup, quotes and strips control characters XML 1.0 forbids', () => {
    const xml = formatJunit(
      [result('/r/a"b\'.rules', [{ ruleId: 'firewall/x', severity: 2, message: 'bad <&> "q" \u0001\u0008 tab\tok ]]>', line: 1, column: 1 }, { ruleId: 'firewall/y', severity: 1, message: 'warn\u000b', line: 2, column: 3 }])],
      '/r',
    );
    const v = validate(xml);
    expect(v.ok, v.out).toBe(true);
    expect(xml).toContain('message="bad &lt;&amp;&gt; &quot;q&quot;  tab\tok ]]&gt;"');
    expect(xml).toContain('<system-out>warning: warn</system-out>');
  });

  it('an empty run is still a valid report', () => {
    const v = validate(formatJunit([], '/r'));
    expect(v.ok, v.out).toBe(true);
  });
});

describe('-f junit --quiet', () => {
  it('keeps every linted file as a test, its warnings left out (no errors anywhere was a report of no tests)', () => {
    const d = tmp();
    writeFileSync(join(d, 'fwlint.config.yaml'), 'discovery: false\n');
    // a warning only (a registered port from a private range), and a clean file
    writeFileSync(join(d, 'warn.rules'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 5000 -j ACCEPT\nCOMMIT\n');
    writeFileSync(join(d, 'clean.rules'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n');
    const r = fwlint(['-f', 'junit', '--quiet', 'warn.rules', 'clean.rules'], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="fwlint" tests="2" failures="0" errors="0">',
        '  <testsuite name="clean.rules" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="clean.rules" name="no findings"/>',
        '  </testsuite>',
        '  <testsuite name="warn.rules" tests="1" failures="0" errors="0" skipped="0">',
        '    <testcase classname="warn.rules" name="no findings"/>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});
