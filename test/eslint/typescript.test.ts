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
