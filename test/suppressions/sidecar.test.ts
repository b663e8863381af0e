/**
 * JSON files take their suppressions from `<file>.fwlint-suppressions.yaml`.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import plugin from '../../src/eslint/plugin.js';
import { parseSidecar } from '../../src/suppressions/index.js';
import { ROOT, fwlint } from '../cli/helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('parseSidecar', () => {
  it('reads { line, ignore } entries; anything else is a malformed entry, never an exception', () => {
    expect(parseSidecar('- line: 14\n  ignore: no-unneeded-cft-ports ports=1768 -- partner\n- line: 3\n')).toEqual([
      { line: 14, ignore: 'no-unneeded-cft-ports ports=1768 -- partner' },
      { line: 3, ignore: '' },
    ]);
    expect(parseSidecar('')).toEqual([]);
    expect(parseSidecar('line: 3\n')).toEqual([{ line: 1, ignore: '', error: '.fwlint-suppressions.yaml must be a list of { line, ignore }' }]);
    expect(parseSidecar('- 3\n- line: 0\n  ignore: x\n- line: 2\n  ignore: [1]\n')).toEqual([
      { line: 1, ignore: '', error: 'sidecar entry 1 must be a mapping { line, ignore }' },
      { line: 1, ignore: 'x', error: 'sidecar entry 2 needs a line (a whole number ≥ 1)' },
      { line: 2, ignore: '', error: 'sidecar entry 3: ignore must be text' },
    ]);
    // unknown keys: not an entry without `ignore` (every rule), which hid every finding of its line
    expect(parseSidecar('- rule: no-world-open-sensitive-ports\n  line: 2\n  reason: bastion\n- line: 5\n  ignore: no-shadowed-rules\n  until: 2027-01-01\n')).toEqual([
      { line: 2, ignore: '', error: 'sidecar entry 1: unknown keys "rule", "reason" (an entry is { line, ignore }: the rule, scope and "-- reason" go in ignore)' },
      { line: 5, ignore: 'no-shadowed-rules', error: 'sidecar entry 2: unknown key "until" (an entry is { line, ignore }: the rule, scope and "-- reason" go in ignore)' },
    ]);
    expect(parseSidecar('- [unclosed\n')[0]!.error).toMatch(/^\.fwlint-suppressions\.yaml is not valid YAML \(/);
  });
});

describe('sidecar suppressions on an AWS export', () => {
  it('hides the covered finding only, and reports unused and malformed entries at their JSON lines', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-sidecar-'));
    dirs.push(d);
    const file = join(d, 'sg.json');
    copyFileSync(join(ROOT, 'fixtures', 'aws', 'describe-security-groups-cft.json'), file);
    const before = fwlint(['-f', 'json', 'sg.json'], { cwd: d });
    const lines = (out: string) => (JSON.parse(out) as { messages: { line: number; ruleId: string; messageId?: string }[] }[])[0]!.messages.map((m) => `${m.line} ${m.ruleId}`);
    expect(lines(before.stdout)).toEqual(['12 firewall/no-unneeded-cft-ports', '18 firewall/no-unneeded-cft-ports']);

    writeFileSync(
      `${file}.fwlint-suppressions.yaml`,
      [
        '- line: 12',
        '  ignore: no-unneeded-cft-ports sources=0.0.0.0/0 until=2999-12-31 -- partners over IPv4 only',
        '- line: 18',
        '  ignore: no-unneeded-cft-ports sources=10.0.0.0/8 -- too narrow for ::/0',
        '- line: 26',
        '  ignore: ports=nope',
        '',
      ].join('\n'),
    );
    const after = fwlint(['-f', 'json', 'sg.json'], { cwd: d });
    expect(after.code).toBe(1);
    expect(lines(after.stdout)).toEqual([
      '18 firewall/no-unused-suppressions',
      '18 firewall/no-unneeded-cft-ports',
      '26 firewall/no-unused-suppressions',
    ]);
    expect(after.stdout).toContain('Malformed suppression \\"fwlint-ignore ports=nope\\": \\"nope\\" is not a port or range');
  });
});

describe('a sidecar entry for a line past the end of the file', () => {
  it('is malformed and reported on the last line (it was reported on a line the file does not have)', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-sidecar-'));
    dirs.push(d);
    const file = join(d, 'sg.json');
    const text = '{"SecurityGroups":[{"GroupId":"sg-1","GroupName":"web","IpPermissions":[\n {"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"10.0.0.0/8"}]}\n]}]}\n';
    writeFileSync(file, text);
    writeFileSync(`${file}.fwlint-suppressions.yaml`, '- line: 9\n  ignore: no-world-open-sensitive-ports -- bastion\n');
    const messages = new Linter({ cwd: d }).verify(text, [...plugin.configs.recommended, { settings: { firewall: { discovery: false } } }] as never, file);
    expect(messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`)).toEqual([
      '3:1 firewall/no-unused-suppressions Malformed suppression "fwlint-ignore no-world-open-sensitive-ports -- bastion": the sidecar entry for line 9 is past the end of the file (3 lines). It does not apply.',
    ]);
  });
});
