/** Inline suppressions in CDK code: `//` comments before (or after) the call that opens the port. */
import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';
import cftRule from '../../rules/no-unneeded-cft-ports.js';
import '../../src/eslint/typescript.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;

const ruleTester = new RuleTester({ settings: { firewall: { discovery: false } } });
const CDK = (body: string) => `import * as ec2 from 'aws-cdk-lib/aws-ec2';\ndeclare const stack: any; declare const vpc: ec2.IVpc;\nconst sg = new ec2.SecurityGroup(stack, 'Mft', { vpc });\n${body}\n`;

const NARROW = '// fwlint-ignore no-unneeded-cft-ports ports=1768 -- only the REST API';

// the rule-tester names the rule after this first argument (context.id "@rule-tester/no-unneeded-cft-ports")
ruleTester.run('no-unneeded-cft-ports', cftRule as never, {
  valid: [
    { code: CDK("// fwlint-ignore no-unneeded-cft-ports ports=1761-1768/tcp -- partner exchange\nsg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(1761, 1768));") },
    { code: CDK("sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1768)); // fwlint-ignore ports=1768 -- REST API for partners") },
  ],
  invalid: [
    {
      code: CDK(`${NARROW}\nsg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(1761, 1768));`),
      errors: [
        {
          messageId: 'noDeployment',
          line: 5,
          column: 19,
          suggestions: [
            { desc: 'Replace the world-open peer with a private placeholder (10.0.0.0/8)', output: CDK(`${NARROW}\nsg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcpRange(1761, 1768));`) },
            { desc: 'Remove this addIngressRule(…) statement', output: CDK(`${NARROW}\n`).slice(0, -1) },
          ] as never,
        },
      ],
    },
  ],
});
