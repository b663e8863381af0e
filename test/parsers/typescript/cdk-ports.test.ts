import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe("CDK's well-known Port constants", () => {
  it('are their protocol and port; an unknown constant stays undecidable', () => {
    const { document } = extract(`import { Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: any;
const sg = new SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(Peer.anyIpv4(), Port.HTTPS);
sg.addIngressRule(Peer.anyIpv4(), Port.DNS_UDP);
sg.addIngressRule(Peer.anyIpv4(), Port.KAFKA);
`);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=53 proto=17 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});

describe('arguments spread into a rule call', () => {
  it('a known array gives its elements; an unknown one makes the rule undecidable, never ignored', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: any;
declare const rules: [ec2.IPeer, ec2.Port][];
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
const pair = [ec2.Peer.anyIpv4(), ec2.Port.tcp(1761)] as const;
sg.addIngressRule(...pair);
sg.connections.allowFrom(...[ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(1762)]);
sg.addIngressRule(...rules[0]!);
`);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=1762 proto=6 srcaddr=10.0.0.0/8 => accept',
      'Sg ingress: opaque:unresolved => accept',
    ]);
  });
});

describe('constructor arguments spread into a resource', () => {
  it('a known array gives the properties; an unknown one makes the rules undecidable', () => {
    const { document } = extract(`import * as aws from '@pulumi/aws';
declare const external: [string, aws.ec2.SecurityGroupArgs];
const args = ['known', { ingress: [{ protocol: 'tcp', fromPort: 1761, toPort: 1761, cidrBlocks: ['0.0.0.0/0'] }] }] as const;
new aws.ec2.SecurityGroup(...args);
new aws.ec2.SecurityGroup(...external);
`);
    expect(summary(document)).toEqual([
      'known ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'new aws.ec2.SecurityGroup(...external) ingress: opaque:unresolved => accept',
      'new aws.ec2.SecurityGroup(...external) egress: opaque:unresolved => accept',
    ]);
  });
});

describe('groups imported with mutable: false', () => {
  it('get no rules from CDK (a mutable import does)', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
const fixed = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Fixed', 'sg-1', { mutable: false });
fixed.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1761));
fixed.connections.allowFromAnyIpv4(ec2.Port.tcp(1762));
const open = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Open', 'sg-2');
open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1763));
`);
    expect(summary(document)).toEqual(['Open ingress: dstport=1763 proto=6 srcaddr=0.0.0.0/0 => accept', 'Open egress: opaque:unresolved => accept']);
  });
});

describe('a peer or port chosen by a run-time condition', () => {
  it('is possibly one of the two branches, naming the condition (not possibly anything)', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: any;
declare const props: { exposeRest?: boolean; prod?: boolean };
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.connections.allowFrom(ec2.Peer.anyIpv6(), props.exposeRest ? ec2.Port.tcp(1768) : ec2.Port.tcp(1766));
sg.addIngressRule(props.prod ? ec2.Peer.ipv4('10.0.0.0/8') : ec2.Peer.anyIpv4(), ec2.Port.tcp(1762));
`);
    expect(summary(document)).toEqual([
      'Sg ingress: anyof([dstport=1766 proto=6]|[dstport=1768 proto=6]) opaque:unresolved srcaddr=::/0 => accept',
      // the condition once, beside the branches (a finding names it once)
      'Sg ingress: anyof([srcaddr=0.0.0.0/0]|[srcaddr=10.0.0.0/8]) dstport=1762 opaque:unresolved proto=6 => accept',
    ]);
  });
});

describe("an RDS database's default port (connections.allowDefaultPortFrom)", () => {
  it("is TCP: the port given, else the engine's default; an engine not written here leaves the port unknown, still TCP", () => {
    const { document } = extract(`import * as cdk from 'aws-cdk-lib';
import { aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { engineFromElsewhere } from './engines';
declare const stack: any;
declare const vpc: any;
const a = new rds.DatabaseCluster(stack, 'A', { engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_15_2 }), vpc });
a.connections.allowDefaultPortFromAnyIpv4();
const b = new rds.DatabaseInstance(stack, 'B', { engine: rds.DatabaseInstanceEngine.MYSQL, vpc });
b.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/8'));
const c = new rds.DatabaseInstance(stack, 'C', { engine: engineFromElsewhere, vpc });
c.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/8'));
const d = new rds.DatabaseInstance(stack, 'D', { engine: rds.DatabaseInstanceEngine.oracleSe2({ version: v }), vpc, port: 1768 });
d.connections.allowDefaultPortFrom(ec2.Peer.anyIpv4());
`);
    expect(summary(document).filter((r) => r.includes('ingress'))).toEqual([
      'A ingress: dstport=5432 proto=6 srcaddr=0.0.0.0/0 => accept',
      'B ingress: dstport=3306 proto=6 srcaddr=10.0.0.0/8 => accept',
      'C ingress: opaque:unresolved proto=6 srcaddr=10.0.0.0/8 => accept',
      'D ingress: dstport=1768 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});
