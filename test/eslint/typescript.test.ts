import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import typescriptPlugin from '../../src/eslint/typescript.js';

describe("configs['recommended-typescript'] beside a user's JavaScript rules", () => {
  it("keeps ESLint's sourceType: a .cjs file keeps its CommonJS scope (no-undef reported every require and module)", async () => {
    const eslint = new ESLint({
      cwd: '/nonexistent',
      overrideConfigFile: true,
      overrideConfig: [{ rules: { 'no-undef': 'error' } }, ...typescriptPlugin.configs['recommended-typescript'], { settings: { firewall: { discovery: false } } }] as never,
    });
    const text = "const ec2 = require('aws-cdk-lib/aws-ec2');\nmodule.exports = function (sg) {\n  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'ssh');\n};\n";
    const [r] = await eslint.lintText(text, { filePath: '/nonexistent/infra/cdk.cjs' });
    expect(r!.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual(['3:21 firewall/no-world-open-sensitive-ports']);
    // an ES module stays one
    const [m] = await eslint.lintText("import * as ec2 from 'aws-cdk-lib/aws-ec2';\nexport function f(sg) {\n  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));\n}\n", { filePath: '/nonexistent/infra/cdk.ts' });
    expect(m!.messages.map((x) => `${x.line}:${x.column} ${x.ruleId}`)).toEqual(['3:21 firewall/no-world-open-sensitive-ports']);
  });
});

describe('firewall/no-unused-suppressions in CDK / Pulumi code', () => {
  it('judges after the other rules, whatever the order the config enables them in', async () => {
    const eslint = new ESLint({
      cwd: '/nonexistent',
      overrideConfigFile: true,
      overrideConfig: [
        // the user's own rules, no-unused-suppressions first: it ran at Program:exit before the rules listed after it
        ...typescriptPlugin.configs['recommended-typescript'].map((c) => ({ ...c, rules: { 'firewall/no-unused-suppressions': 'warn', 'firewall/no-world-open-sensitive-ports': 'error' } })),
        { settings: { firewall: { discovery: false } } },
      ] as never,
    });
    const text =
      "import * as aws from '@pulumi/aws';\n// fwlint-ignore no-world-open-sensitive-ports -- bastion\nnew aws.ec2.SecurityGroup('w', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }] });\n";
    const [r] = await eslint.lintText(text, { filePath: '/nonexistent/infra/sg.ts' });
    expect(r!.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual([]);
  });
});
