import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ESLint, Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';

const SG = (port: number) => `resource "aws_security_group" "web" {\n  ingress {\n    from_port   = ${port}\n    to_port     = ${port}\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n`;

describe('configs.recommended in `eslint .`', () => {
  it("leaves Terraform's and Terragrunt's module copies alone, as node_modules (they were linted: findings in files no one edits)", async () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-plugin-'));
    for (const dir of ['.terraform/modules/vpc', 'infra/.terraform/modules/sg', 'live/.terragrunt-cache/abc/def']) mkdirSync(join(d, dir), { recursive: true });
    writeFileSync(join(d, 'main.tf'), SG(22));
    writeFileSync(join(d, '.terraform/modules/vpc/main.tf'), SG(23));
    writeFileSync(join(d, 'infra/.terraform/modules/sg/main.tf'), SG(23));
    writeFileSync(join(d, 'live/.terragrunt-cache/abc/def/main.tf'), SG(23));
    const eslint = new ESLint({ cwd: d, overrideConfigFile: true, overrideConfig: [...plugin.configs.recommended!, { settings: { firewall: { discovery: false } } }] as never });
    const results = await eslint.lintFiles(['.']);
    expect(results.map((r) => [relative(d, r.filePath), r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)])).toEqual([['main.tf', ['6:20 firewall/no-world-open-sensitive-ports']]]);
  });
});

describe("the rules' meta.languages", () => {
  const TEXT = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  const rules = { 'fw/no-world-open-sensitive-ports': 'error' } as const;

  it('a file of another plugin\'s language is a clear configuration error, not a silent pass (@eslint/json over **/*.json)', () => {
    // another plugin's language (here our own class under another plugin, as @eslint/json's json/json would be)
    const other = { meta: { name: 'other' }, languages: { text: plugin.languages.iptables } };
    const config = [{ files: ['**/*.rules'], plugins: { fw: plugin, other }, language: 'other/text', rules }];
    expect(() => new Linter().verify(TEXT, config as never, 'a.rules')).toThrow(
      'Key "rules": The following rules do not support the language "other/text":\n\t- "fw/no-world-open-sensitive-ports"',
    );
  });

  it('under any plugin name (by its namespace), and on JavaScript (CDK / Pulumi code)', () => {
    const config = [{ files: ['**/*.rules'], plugins: { fw: plugin }, language: 'fw/iptables', rules, settings: { firewall: { discovery: false } } }];
    expect(new Linter().verify(TEXT, config as never, 'a.rules').map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual(['4:17 fw/no-world-open-sensitive-ports']);
    expect(new Linter().verify('const a = 1;\n', [{ files: ['**/*.js'], plugins: { fw: plugin }, rules }] as never, 'a.js')).toEqual([]);
  });
});
