import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import cftRule from '../../rules/no-unneeded-cft-ports.js';
import worldRule from '../../rules/no-world-open-sensitive-ports.js';
import typescriptPlugin from '../../src/eslint/typescript.js';
import { ROOT } from '../cli/helpers.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;

const ruleTester = new RuleTester({ settings: { firewall: { discovery: false } } });

const CDK = (body: string) => `import * as ec2 from 'aws-cdk-lib/aws-ec2';\ndeclare const stack: any; declare const vpc: ec2.IVpc;\nconst sg = new ec2.SecurityGroup(stack, 'Mft', { vpc });\n${body}\n`;

ruleTester.run('no-unneeded-cft-ports (CDK, Pulumi)', cftRule as never, {
  valid: [
    { code: CDK("sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(443));") },
    // not CDK or Pulumi code at all
    { code: 'const ports = [1761, 1768]; export default ports;' },
  ],
  invalid: [
    {
      code: CDK("sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(1761, 1768));"),
      errors: [
        {
          messageId: 'noDeployment',
          line: 4,
          column: 19,
          suggestions: [
            { desc: 'Replace the world-open peer with a private placeholder (10.0.0.0/8)', output: CDK("sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcpRange(1761, 1768));") },
            { desc: 'Remove this addIngressRule(…) statement', output: CDK('').slice(0, -1) },
          ] as never,
        },
      ],
    },
    {
      // Pulumi, with a value from a const binding
      code: `import * as aws from '@pulumi/aws';\nconst FROM = 1761;\nnew aws.ec2.SecurityGroup('mft', { ingress: [{ protocol: 'tcp', fromPort: FROM, toPort: 1768, cidrBlocks: ['192.0.2.0/24'] }] });\n`,
      errors: [{ messageId: 'noDeployment', line: 3, suggestions: [] as never }],
    },
  ],
});

ruleTester.run('no-world-open-sensitive-ports (Pulumi)', worldRule as never, {
  valid: [{ code: `import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroup('a', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['10.0.0.0/8'] }] });\n` }],
  invalid: [
    {
      code: `import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroup('a', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }] });\n`,
      errors: [
        {
          messageId: 'worldOpen',
          line: 2,
          suggestions: [
            {
              desc: 'Replace the world-open CIDR with a private placeholder (10.0.0.0/8)',
              output: `import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroup('a', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['10.0.0.0/8'] }] });\n`,
            },
          ] as never,
        },
      ],
    },
  ],
});

/** The fixture CDK app and Pulumi program: exactly these findings, at these nodes. */
describe('fixture CDK app and Pulumi program', () => {
  it('produce exactly the expected findings', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [...typescriptPlugin.configs['recommended-typescript']!, { settings: { firewall: { discovery: false } } }],
    });
    const results = await eslint.lintFiles(['fixtures/typescript/cdk-app.ts', 'fixtures/typescript/pulumi-program.ts']);
    const found = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => `${r.filePath.slice(ROOT.length + 1)}:${m.line}:${m.column} ${m.message.split(':')[0]}`),
    );
    expect(found).toEqual([
      'fixtures/typescript/cdk-app.ts:24:23 Open',
      'fixtures/typescript/cdk-app.ts:27:57 Possibly open (props.allowedCidr at line 27 may or may not match)',
      'fixtures/typescript/cdk-app.ts:30:30 Open',
      'fixtures/typescript/cdk-app.ts:35:73 Open',
      'fixtures/typescript/cdk-app.ts:36:39 Open',
      'fixtures/typescript/pulumi-program.ts:10:52 Open',
      'fixtures/typescript/pulumi-program.ts:11:36 Possibly open (partnerCidr at line 11 may or may not match)',
      'fixtures/typescript/pulumi-program.ts:30:15 Open',
    ]);
    // 1764 (const PORT) from 192.0.2.0/24 is shadowed by the world-open range at line 24, so it adds no finding
    expect(readFileSync(join(ROOT, 'fixtures/typescript/cdk-app.ts'), 'utf8').split('\n')[25]).toContain('ec2.Port.tcp(PORT)');
  });
});

describe('a security group is a union', () => {
  it('credits an opening to the decided rule that makes it, not to an undecided rule written before it', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [...typescriptPlugin.configs['recommended-typescript']!, { settings: { firewall: { discovery: false } } }],
    });
    const code = CDK('declare const props: { port: number };\nsg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(props.port));\nsg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1768));');
    const [r] = await eslint.lintText(code, { filePath: join(ROOT, 'stack.ts') });
    const found = r!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => `${m.line}:${m.column} ${m.message.slice(0, m.message.indexOf(' reachable'))}`);
    expect(found).toEqual([
      // 1768 is not "Open" at line 5, whose port is unknown
      '5:19 Possibly open (props.port at line 5 may or may not match): TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager)',
      '6:19 Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI)',
    ]);
  });
});

describe('a peer chosen by a run-time condition', () => {
  it('names the condition once, at its line', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [...typescriptPlugin.configs['recommended-typescript']!, { settings: { firewall: { discovery: false } } }],
    });
    const code = CDK("declare const prod: boolean;\nconst src = prod ? ec2.Peer.ipv4('10.0.0.0/8') : ec2.Peer.anyIpv4();\nsg.addIngressRule(src, ec2.Port.tcp(1768));");
    const [r] = await eslint.lintText(code, { filePath: join(ROOT, 'stack.ts') });
    expect(r!.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports').map((m) => `${m.line}:${m.column} ${m.message.slice(0, m.message.indexOf('): ') + 1)}`)).toEqual([
      "6:24 Possibly open (prod ? ec2.Peer.ipv4('10.0.0.0/8') : ec2.Peer.anyIpv4() at line 5 may or may not match)",
    ]);
  });
});

describe('an ingress entry added by a run-time condition (Pulumi)', () => {
  it('is possibly open at its own line, only if its condition holds; the rest of the group is decided', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [...typescriptPlugin.configs['recommended-typescript']!, { settings: { firewall: { discovery: false } } }],
    });
    const code = `import * as aws from '@pulumi/aws';
declare const isProd: boolean;
new aws.ec2.SecurityGroup('app', { ingress: [
  { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['10.0.0.0/8'] },
  ...(isProd ? [] : [{ protocol: 'tcp', fromPort: 1768, toPort: 1768, cidrBlocks: ['0.0.0.0/0'] }]),
] });
`;
    const [r] = await eslint.lintText(code, { filePath: join(ROOT, 'stack.ts') });
    expect(r!.messages.filter((m) => m.ruleId !== 'firewall/no-undeclared-registered-ports').map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`)).toEqual([
      '5:7 firewall/no-unevaluated-input Cannot evaluate only if !(isProd) (security group app): the entry is in the list only under a condition decided at run time; it is treated as unknown',
      '5:84 firewall/no-unneeded-cft-ports Possibly open (only if !(isProd) at line 5 may or may not match): TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0 without a Transfer CFT deployment on app.',
    ]);
  });
});

describe('no-unevaluated-input on CDK/Pulumi code', () => {
  it('reports what CDK throws on at synthesis and a rule without a protocol (nothing else would show them in a source file)', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [...typescriptPlugin.configs['recommended-typescript']!, { settings: { firewall: { discovery: false } } }],
    });
    const code = CDK("sg.addIngressRule(ec2.Peer.ipv4('::/0'), ec2.Port.tcp(1768));\nsg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(443));");
    const [r] = await eslint.lintText(code, { filePath: join(ROOT, 'stack.ts') });
    expect(r!.messages.filter((m) => m.ruleId === 'firewall/no-unevaluated-input').map((m) => `${m.line}:${m.column} ${m.severity} ${m.message}`)).toEqual([
      "4:33 1 Peer.ipv4('::/0'): not an IPv4 CIDR; CDK throws at synthesis",
    ]);
    // the plugin's own firewall files keep errors as parse errors: the rule reports warnings only there
    const pulumi = `import * as aws from '@pulumi/aws';\nnew aws.ec2.SecurityGroup('a', { ingress: [{ fromPort: 22, toPort: 22, cidrBlocks: ['10.0.0.0/8'] }] });\n`;
    const [p] = await eslint.lintText(pulumi, { filePath: join(ROOT, 'index.ts') });
    expect(p!.messages.filter((m) => m.ruleId === 'firewall/no-unevaluated-input').map((m) => `${m.line} ${m.message}`)).toEqual(['2 protocol is missing: any protocol is assumed']);
  });

  it('reports at the column of the value, as ESLint counts columns in a JavaScript file (from 0, where a firewall file counts from 1)', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [...typescriptPlugin.configs['recommended-typescript']!, { settings: { firewall: { discovery: false } } }],
    });
    // the finding (an ESTree node), the warning (a span) and the unused suppression (a comment's span) start where written
    const code = CDK("sg.addIngressRule(ec2.Peer.ipv4('1.2.3.4/33'), ec2.Port.tcp(1768));\nsg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(443)); // fwlint-ignore no-unneeded-cft-ports -- partner");
    const [r] = await eslint.lintText(code, { filePath: join(ROOT, 'stack.ts') });
    expect(r!.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual([
      '4:33 firewall/no-unevaluated-input',
      '4:48 firewall/no-unneeded-cft-ports',
      '5:68 firewall/no-unused-suppressions',
    ]);
  });

  it('reports the unknown value of an AWS rule, as it does a CloudFormation parameter or a Terraform variable (and a Pulumi GCP or Azure rule)', async () => {
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [...typescriptPlugin.configs['recommended-typescript']!, { settings: { firewall: { discovery: false } } }],
    });
    const code = CDK('declare const props: { partnerCidr: string };\nsg.addIngressRule(ec2.Peer.ipv4(props.partnerCidr), ec2.Port.tcpRange(1761, 1768));');
    const [r] = await eslint.lintText(code, { filePath: join(ROOT, 'stack.ts') });
    expect(r!.messages.filter((m) => m.ruleId === 'firewall/no-unevaluated-input').map((m) => `${m.line}:${m.column} ${m.severity} ${m.message}`)).toEqual([
      "5:33 1 Cannot evaluate props.partnerCidr (security group Mft): 'props' is declared without a value in this file; it is treated as unknown",
    ]);
    const pulumi = `import * as pulumi from '@pulumi/pulumi';\nimport * as aws from '@pulumi/aws';\nconst cidr = new pulumi.Config().require('partnerCidr');\nnew aws.ec2.SecurityGroup('p', { ingress: [{ protocol: 'tcp', fromPort: 1761, toPort: 1768, cidrBlocks: [cidr] }] });\n`;
    const [p] = await eslint.lintText(pulumi, { filePath: join(ROOT, 'index.ts') });
    expect(p!.messages.filter((m) => m.ruleId === 'firewall/no-unevaluated-input').map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([
      "3:14 Cannot evaluate new pulumi.Config().require('partnerCidr') (security group p): a Pulumi stack configuration value (Pulumi.<stack>.yaml, 'pulumi config set'), known only at deploy time; it is treated as unknown",
    ]);
  });
});
