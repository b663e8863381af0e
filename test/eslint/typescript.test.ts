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

describe('an inline `/* eslint firewall/… */` configuration in CDK / Pulumi code', () => {
  const eslint = new ESLint({
    cwd: '/nonexistent',
    overrideConfigFile: true,
    overrideConfig: [...typescriptPlugin.configs['recommended-typescript'], { settings: { firewall: { discovery: false } } }] as never,
  });
  const lint = async (comment: string) => {
    const text = `import * as aws from '@pulumi/aws';\n${comment}\nnew aws.ec2.SecurityGroup('a', { ingress: [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrBlocks: ['0.0.0.0/0'] }, { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }] });\n`;
    const [r] = await eslint.lintText(text, { filePath: '/nonexistent/infra/sg.ts' });
    return r!.messages.map((m) => `${m.line}:${m.column} ${m.severity} ${m.ruleId} ${m.message.split(' reachable')[0]}`);
  };

  it('with a bad option is ESLint\'s problem at the comment, not a crash of the run ("Error while loading rule")', async () => {
    expect(await lint('/* eslint firewall/no-world-open-sensitive-ports: ["error", {"tcp": ["ssh"]}] */')).toEqual([
      '2:1 2 firewall/no-world-open-sensitive-ports Inline configuration for rule "firewall/no-world-open-sensitive-ports" is invalid:\n\tValue "ssh" should be integer.\n',
      '3:106 2 firewall/no-world-open-sensitive-ports Open: TCP 22 (ssh), 8080 (http-alt)',
      '3:106 1 firewall/no-undeclared-registered-ports Open: TCP 8080 (http-alt)',
    ]);
    expect((await lint('/* eslint firewall/no-shadowed-rules: ["warn", {"strict": true}] */'))[0]).toBe(
      '2:1 2 firewall/no-shadowed-rules Inline configuration for rule "firewall/no-shadowed-rules" is invalid:\n\tValue [{"strict":true}] should NOT have more than 0 items.\n',
    );
  });

  it('with a range written high-low is a problem at the comment, and the rule does nothing', async () => {
    expect(await lint('/* eslint firewall/no-undeclared-registered-ports: ["error", {"allow": ["tcp/8090-8080"]}] */')).toEqual([
      '2:1 2 firewall/no-undeclared-registered-ports Inline configuration for rule "firewall/no-undeclared-registered-ports" is invalid:\n\tValue "tcp/8090-8080" in "allow" is not a port 0–65535 or a range low-high of them.\n',
      '3:106 2 firewall/no-world-open-sensitive-ports Open: TCP 22 (ssh), 8080 (http-alt)',
    ]);
  });

  it('with good options applies them', async () => {
    expect(await lint('/* eslint firewall/no-undeclared-registered-ports: ["error", {"allow": ["tcp/8080-8090"]}] */')).toEqual(['3:106 2 firewall/no-world-open-sensitive-ports Open: TCP 22 (ssh), 8080 (http-alt)']);
  });
});
