import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
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
