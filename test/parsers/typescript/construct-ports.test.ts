import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

describe('constructs that open ports by their own methods and default ports', () => {
  it('BastionHostLinux.allowSshAccessFrom(...peers) opens TCP 22 from each peer', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const host = new ec2.BastionHostLinux(stack, 'Bastion', { vpc });
host.allowSshAccessFrom(ec2.Peer.anyIpv4(), ec2.Peer.ipv4('192.0.2.0/24'));
`;
    expect(summary(extract(text).document).filter((s) => s.includes('ingress'))).toEqual([
      'Bastion ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Bastion ingress: dstport=22 proto=6 srcaddr=192.0.2.0/24 => accept',
    ]);
  });

  it('EFS (2049), DocumentDB (27017 unless port) and EKS (443) default ports', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as docdb from 'aws-cdk-lib/aws-docdb';
import * as eks from 'aws-cdk-lib/aws-eks';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const p: number;
const fs = new efs.FileSystem(stack, 'Fs', { vpc });
fs.connections.allowDefaultPortFromAnyIpv4();
const doc = new docdb.DatabaseCluster(stack, 'Doc', { vpc, masterUser: { username: 'x' } });
doc.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/8'));
const doc2 = new docdb.DatabaseCluster(stack, 'Doc2', { vpc, masterUser: { username: 'x' }, port: p });
doc2.connections.allowDefaultPortFromAnyIpv4();
const k = new eks.Cluster(stack, 'Eks', { vpc });
k.connections.allowDefaultPortFromAnyIpv4();
`;
    const { document } = extract(text);
    expect(summary(document).filter((s) => s.includes('ingress'))).toEqual([
      'Fs ingress: dstport=2049 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Doc ingress: dstport=27017 proto=6 srcaddr=10.0.0.0/8 => accept',
      'Doc2 ingress: opaque:unresolved srcaddr=0.0.0.0/0 => accept',
      'Eks ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });

  it('CDK context and Pulumi configuration values are named as such', () => {
    const cdk = `import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
export class S extends cdk.Stack {
  constructor(scope: cdk.App, id: string, vpc: ec2.IVpc) {
    super(scope, id);
    const sg = new ec2.SecurityGroup(this, 'Sg', { vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(this.node.tryGetContext('port')));
  }
}
`;
    const r1 = allRules(extract(cdk).document).find((r) => opaques(r).length > 0)!;
    expect(opaques(r1)).toEqual([{ text: "this.node.tryGetContext('port')", reason: 'a CDK context value (cdk.json or --context), known only at synth time', module: 'unresolved' }]);
    const pulumi = `import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
const config = new pulumi.Config();
const port = config.requireNumber('port');
new aws.ec2.SecurityGroup('sg', { ingress: [{ protocol: 'tcp', fromPort: port, toPort: port, cidrBlocks: ['0.0.0.0/0'] }] });
`;
    const r2 = allRules(extract(pulumi).document).find((r) => opaques(r).length > 0)!;
    expect(opaques(r2).map((o) => o.reason)).toEqual(["a Pulumi stack configuration value (Pulumi.<stack>.yaml, 'pulumi config set'), known only at deploy time"]);
  });
});

describe('names of what stays unknown', () => {
  it('a group given as a call in a property is named by the call, not the key; a CfnParameter is named as one', () => {
    const text = `import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: cdk.Stack;
declare const vpc: ec2.IVpc;
new ec2.CfnSecurityGroupIngress(stack, 'Imp', { groupId: cdk.Fn.importValue('SharedSg'), ipProtocol: 'tcp', fromPort: 1762, toPort: 1762, cidrIp: '0.0.0.0/0' });
const cidr = new cdk.CfnParameter(stack, 'AdminCidr', { type: 'String', default: '0.0.0.0/0' });
const sg = new ec2.SecurityGroup(stack, 'Admin', { vpc });
sg.addIngressRule(ec2.Peer.ipv4(cidr.valueAsString), ec2.Port.tcp(22));
`;
    const { document } = extract(text);
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['Admin', ['Admin', 'sg']],
      ["cdk.Fn.importValue('SharedSg')", ["cdk.Fn.importValue('SharedSg')"]],
    ]);
    const r = allRules(document).find((x) => opaques(x).some((o) => o.text === 'cidr.valueAsString'))!;
    expect(opaques(r)).toEqual([{ text: 'cidr.valueAsString', reason: 'a CloudFormation parameter, chosen at deployment', module: 'unresolved' }]);
  });
});

describe('environment variables', () => {
  it('process.env.X is named as an environment variable, through Number()', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(Number(process.env.CFT_PORT)));
`;
    const r = allRules(extract(text).document).find((x) => opaques(x).length > 0)!;
    expect(opaques(r)).toEqual([{ text: 'Number(process.env.CFT_PORT)', reason: 'an environment variable, read when the program runs', module: 'unresolved' }]);
  });
});

describe('Pulumi outputs transformed by a callback', () => {
  it('out.apply((v) => …) is named without its body, as an Output transformed at deploy time', () => {
    const text = `import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
const vpc = new aws.ec2.Vpc('v', { cidrBlock: '10.1.0.0/16' });
new aws.ec2.SecurityGroup('b', {
  ingress: pulumi.all([vpc.cidrBlock]).apply(([c]) => [{ protocol: 'tcp', fromPort: 1761, toPort: 1761, cidrBlocks: [c] }]),
});
`;
    const r = allRules(extract(text).document).find((x) => opaques(x).length > 0)!;
    expect(opaques(r)).toEqual([{ text: 'pulumi.all([vpc.cidrBlock]).apply(…)', reason: "a Pulumi Output's value, transformed at deploy time", module: 'unresolved' }]);
  });
});
