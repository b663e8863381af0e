import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, fwlint } from './helpers.js';

/** [file name, line, rule] of each finding of a JSON report. */
function findings(stdout: string): string[] {
  return (JSON.parse(stdout) as { filePath: string; messages: { line: number; ruleId: string | null }[] }[]).flatMap((r) =>
    r.messages.map((m) => `${r.filePath.slice(r.filePath.lastIndexOf('/') + 1)}:${m.line} ${m.ruleId}`),
  );
}

describe('fwlint on Terraform state files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwl-tfstate-cli-'));
  const state = join(ROOT, 'fixtures', 'terraform', 'gcp.tfstate');
  copyFileSync(state, join(dir, 'terraform.tfstate'));
  copyFileSync(state, join(dir, 'terraform.tfstate.backup'));
  const expected = ['77 firewall/no-unneeded-cft-ports', '99 firewall/no-shadowed-rules'];

  it('a folder lints the state, not its backup; a glob and an explicit path lint what they name; standard input by content', () => {
    // (before: "no firewall rules found" in the folder and the glob, exit 2; "no firewall format recognises" named)
    const folder = fwlint(['-f', 'json', dir]);
    expect(folder.code).toBe(1);
    expect(findings(folder.stdout)).toEqual(expected.map((f) => `terraform.tfstate:${f}`));
    const glob = fwlint(['-f', 'json', `${dir}/*`]);
    expect(findings(glob.stdout).sort()).toEqual([...expected.map((f) => `terraform.tfstate:${f}`), ...expected.map((f) => `terraform.tfstate.backup:${f}`)].sort());
    const named = fwlint(['-f', 'json', join(dir, 'terraform.tfstate.backup')]);
    expect(findings(named.stdout)).toEqual(expected.map((f) => `terraform.tfstate.backup:${f}`));
    const stdin = fwlint(['-f', 'json', '-'], { input: readFileSync(state, 'utf8') });
    expect(findings(stdin.stdout).map((f) => f.replace(/^[^:]*:/, ''))).toEqual(expected);
  });

  it('exposure and trace read it too', () => {
    const e = fwlint(['exposure', join(dir, 'terraform.tfstate')]);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('(terraform-state, hook input)');
    const t = fwlint(['trace', join(dir, 'terraform.tfstate'), '--proto', 'tcp', '--dport', '1761', '--src', '203.0.113.9']);
    expect(t.stdout).toBe('  network prod/INGRESS     line    50  match: ACCEPT          allow tcp:1761-1768 from 0.0.0.0/0 on tag:mft (priority 1000)\nverdict: accept\n');
  });
});
