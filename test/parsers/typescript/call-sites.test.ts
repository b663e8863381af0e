import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

describe("a function's parameters take the arguments of its calls in the file", () => {
  it('a Pulumi component class built with new: one group per instance, with its arguments', () => {
    const { document } = extract(`import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
interface FwArgs { ports: number[]; cidr: string }
class Firewall extends pulumi.ComponentResource {
  constructor(name: string, args: FwArgs) {
    super('acme:net:Firewall', name, {});
    new aws.ec2.SecurityGroup(\`\${name}-sg\`, {
      ingress: args.ports.map((p) => ({ protocol: 'tcp', fromPort: p, toPort: p, cidrBlocks: [args.cidr] })),
    });
  }
}
new Firewall('mft', { ports: [1761, 1768], cidr: '0.0.0.0/0' });
new Firewall('db', { ports: [5432], cidr: '10.0.0.0/8' });
`);
    expect(summary(document)).toEqual([
      'mft-sg ingress: dstport=1761, 1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'db-sg ingress: dstport=5432 proto=6 srcaddr=10.0.0.0/8 => accept',
    ]);
  });

  it('a destructured parameter takes its part of the argument, a default where it is missing', () => {
    const { document } = extract(`import * as aws from '@pulumi/aws';
const sg = new aws.ec2.SecurityGroup('web', {});
const rule = ({ port, cidr = '0.0.0.0/0' }: { port: number; cidr?: string }) => {
  new aws.ec2.SecurityGroupRule(\`r-\${port}\`, { type: 'ingress', securityGroupId: sg.id, protocol: 'tcp', fromPort: port, toPort: port, cidrBlocks: [cidr] });
};
rule({ port: 1762 });
rule({ port: 22, cidr: '10.0.0.0/8' });
`);
    // (one rule written: any-of its calls, each port with its own source, never 22 from 0.0.0.0/0)
    expect(summary(document)).toEqual(['web ingress: anyof([dstport=1762 proto=6 srcaddr=0.0.0.0/0]|[dstport=22 proto=6 srcaddr=10.0.0.0/8]) => accept']);
  });

  it('a stack class of the file built with its props: each stack’s values, a default (??) where one is not given', () => {
    const { document } = extract(`import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
interface NetProps extends cdk.StackProps { adminCidr: string; cftPort?: number }
class NetStack extends cdk.Stack {
  constructor(scope: any, id: string, props: NetProps) {
    super(scope, id, props);
    const sg = new ec2.SecurityGroup(this, 'Sg', { vpc: undefined as any, allowAllOutbound: false });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(props.cftPort ?? 1768));
  }
}
const app = new cdk.App();
new NetStack(app, 'Prod', { adminCidr: '10.0.0.0/8' });
new NetStack(app, 'Dev', { adminCidr: '0.0.0.0/0', cftPort: 1761 });
`);
    expect(summary(document)).toEqual(['Sg ingress: dstport=1761, 1768 proto=6 srcaddr=0.0.0.0/0 => accept']);
  });

  it('a private helper method that adds a rule: once per call, in the group passed', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
declare const vpc: ec2.IVpc;
export class S extends Stack {
  constructor() {
    super();
    const sg = new ec2.SecurityGroup(this, 'AppSg', { vpc, allowAllOutbound: false });
    this.open(sg, 5432);
    this.open(sg, 1768, '10.0.0.0/8');
  }
  private open(sg: ec2.SecurityGroup, port: number, cidr = '0.0.0.0/0') {
    sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port));
  }
}
`);
    expect(summary(document)).toEqual(['AppSg ingress: dstport=5432 proto=6 srcaddr=0.0.0.0/0 => accept', 'AppSg ingress: dstport=1768 proto=6 srcaddr=10.0.0.0/8 => accept']);
  });

  it('a function that may be called otherwise (exported, used as a value, a public method) may also take any value', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
export function allow(port: number) {
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port));
}
allow(22);
function udp(port: number) {
  sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.udp(port));
}
udp(53);
[161].forEach(udp);
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual([
      // (the calls' ports and any other: unknown)
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved proto=17 srcaddr=10.0.0.0/8 => accept',
    ]);
    expect(rules.flatMap(opaques).map((o) => o.reason)).toEqual([
      'function parameter (its value comes from a caller not in this file, or a use of the function as a value)',
      'function parameter (its value comes from a caller not in this file, or a use of the function as a value)',
    ]);
  });
});
