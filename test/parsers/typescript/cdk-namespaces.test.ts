import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe('aws-cdk-lib submodules imported by their namespace name', () => {
  it('import { aws_elasticloadbalancingv2 as elbv2, aws_rds as rds } from "aws-cdk-lib" is aws-cdk-lib/aws-elasticloadbalancingv2, aws-rds', () => {
    // aws-cdk-lib exports each submodule as aws_<name> (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-construct-library.html)
    const { document } = extract(`import { App, Stack, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2, aws_rds as rds } from 'aws-cdk-lib';
const stack = new Stack(new App(), 'S');
const vpc = new ec2.Vpc(stack, 'Vpc');
const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
alb.addListener('Open', { port: 1766 });
const db = new rds.DatabaseInstance(stack, 'Db', { vpc, engine: rds.DatabaseInstanceEngine.POSTGRES, port: 1764 });
db.connections.allowDefaultPortFromAnyIpv4('db');
`);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'Alb ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Db ingress: dstport=1764 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});

describe('ecs-patterns services with a load balancer', () => {
  it('ApplicationLoadBalancedFargateService opens its listener port to anyone (openListener defaults to true)', () => {
    // aws-ecs-patterns ApplicationLoadBalancedServiceBase: listenerPort (default 80 for HTTP, 443 with a
    // certificate), openListener (default true), a public load balancer by default
    const { document } = extract(`import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
declare const cluster: ecs.ICluster;
declare const cert: any;
new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Cft', { cluster, listenerPort: 1766 });
new ecsPatterns.ApplicationLoadBalancedEc2Service(this, 'Web', { cluster, certificate: cert });
new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Closed', { cluster, listenerPort: 1767, openListener: false });
`);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'Cft ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Web ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});

describe('ecs-patterns services with a load balancer', () => {
  it('ApplicationLoadBalancedFargateService opens its listener port to anyone (openListener defaults to true)', () => {
    // aws-ecs-patterns ApplicationLoadBalancedServiceBase: listenerPort (default 80 for HTTP, 443 with a
    // certificate), openListener (default true), a public load balancer by default
    const { document } = extract(`import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
declare const cluster: ecs.ICluster;
declare const cert: any;
new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Cft', { cluster, listenerPort: 1766 });
new ecsPatterns.ApplicationLoadBalancedEc2Service(this, 'Web', { cluster, certificate: cert });
new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Closed', { cluster, listenerPort: 1767, openListener: false });
`);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'Cft ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Web ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});

describe('a construct given its security group', () => {
  it("inst.connections rules land in the group passed as securityGroup (ec2.Instance's connections are that group)", () => {
    // Instance: "securityGroup — Security Group to assign to this instance"; connections wraps it
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(this, 'CftSg', { vpc, allowAllOutbound: false });
const inst = new ec2.Instance(this, 'Cft', { vpc, securityGroup: sg } as any);
inst.connections.allowFromAnyIpv4(ec2.Port.tcpRange(1761, 1768));
sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.udp(1761));
`);
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([['CftSg', ['CftSg', 'sg', 'Cft', 'inst']]]);
    expect(summary(document)).toEqual([
      'CftSg ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'CftSg ingress: dstport=1761 proto=17 srcaddr=10.0.0.0/8 => accept',
    ]);
  });
});

describe('a construct given its security group', () => {
  it("inst.connections rules land in the group passed as securityGroup (ec2.Instance's connections are that group)", () => {
    // Instance: "securityGroup — Security Group to assign to this instance"; connections wraps it
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(this, 'CftSg', { vpc, allowAllOutbound: false });
const inst = new ec2.Instance(this, 'Cft', { vpc, securityGroup: sg } as any);
inst.connections.allowFromAnyIpv4(ec2.Port.tcpRange(1761, 1768));
sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.udp(1761));
`);
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([['CftSg', ['CftSg', 'sg', 'Cft', 'inst']]]);
    expect(summary(document)).toEqual([
      'CftSg ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'CftSg ingress: dstport=1761 proto=17 srcaddr=10.0.0.0/8 => accept',
    ]);
  });
});
