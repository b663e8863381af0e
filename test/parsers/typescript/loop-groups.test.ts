import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe('a security group built in a loop body is one group per element', () => {
  it('Pulumi: for-of and map, inline ingress and a standalone rule naming the loop\'s group, each in its element\'s group', () => {
    const text = `import * as aws from '@pulumi/aws';
const services = [
  { name: 'web', port: 443, cidr: '0.0.0.0/0' },
  { name: 'cft', port: 1761, cidr: '10.0.0.0/8' },
];
for (const svc of services) {
  const sg = new aws.ec2.SecurityGroup(\`\${svc.name}-sg\`, { ingress: [{ protocol: 'tcp', fromPort: svc.port, toPort: svc.port, cidrBlocks: [svc.cidr] }] });
  new aws.ec2.SecurityGroupRule(\`\${svc.name}-ssh\`, { type: 'ingress', securityGroupId: sg.id, protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: [svc.cidr] });
}
export const groups = services.map((s) => new aws.ec2.SecurityGroup(s.name, { ingress: [{ protocol: 'udp', fromPort: s.port, toPort: s.port, cidrBlocks: [s.cidr] }] }));
`;
    expect(summary(extract(text).document)).toEqual([
      'web-sg ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'web-sg ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
      'cft-sg ingress: dstport=1761 proto=6 srcaddr=10.0.0.0/8 => accept',
      'cft-sg ingress: dstport=22 proto=6 srcaddr=10.0.0.0/8 => accept',
      'web ingress: dstport=443 proto=17 srcaddr=0.0.0.0/0 => accept',
      'cft ingress: dstport=1761 proto=17 srcaddr=10.0.0.0/8 => accept',
    ]);
  });

  it('CDK: addIngressRule and CfnSecurityGroupIngress on the loop body\'s group land in that element\'s group; a rule on one element picked otherwise (groups[0]) is each element\'s (which one is not followed)', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const tiers = [{ name: 'web', port: 443 }, { name: 'cft', port: 1761 }];
for (const t of tiers) {
  const sg = new ec2.SecurityGroup(stack, \`\${t.name}-sg\`, { vpc, allowAllOutbound: false });
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(t.port));
  new ec2.CfnSecurityGroupIngress(stack, \`\${t.name}-in\`, { groupId: sg.securityGroupId, ipProtocol: 'udp', fromPort: t.port, toPort: t.port, cidrIp: '10.0.0.0/8' });
}
const groups = tiers.map((t) => new ec2.SecurityGroup(stack, t.name, { vpc, allowAllOutbound: false }));
groups[0].addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
`;
    expect(summary(extract(text).document).filter((l) => l.includes('ingress'))).toEqual([
      'web-sg ingress: dstport=443 proto=17 srcaddr=10.0.0.0/8 => accept',
      'web-sg ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'cft-sg ingress: dstport=1761 proto=17 srcaddr=10.0.0.0/8 => accept',
      'cft-sg ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'web ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
      'cft ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });

  it('CDK: a loop body\'s group as the argument (shared.connections.allowTo(sg, …)) is that element\'s group', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const shared = new ec2.SecurityGroup(stack, 'Shared', { vpc, allowAllOutbound: false });
for (const port of [1761, 1762]) shared.connections.allowFromAnyIpv4(ec2.Port.tcp(port));
for (const app of [{ name: 'a', port: 8080 }, { name: 'b', port: 9090 }]) {
  const sg = new ec2.SecurityGroup(stack, \`\${app.name}Sg\`, { vpc, allowAllOutbound: false });
  shared.connections.allowTo(sg, ec2.Port.tcp(app.port));
}
`;
    expect(summary(extract(text).document).filter((l) => l.includes('ingress'))).toEqual([
      'Shared ingress: dstport=1761-1762 proto=6 srcaddr=0.0.0.0/0 => accept',
      'aSg ingress: dstport=8080 proto=6 srcprincipal=shared => accept',
      'bSg ingress: dstport=9090 proto=6 srcprincipal=shared => accept',
    ]);
  });
});
