import { describe, expect, it } from 'vitest';
import { allRules, extract, summary } from './helpers.js';

const PARTNERS = `const partners = [
  { cidr: '203.0.113.0/24', port: 1761 },
  { cidr: '0.0.0.0/0', port: 443 },
];
`;

describe('source and port read from the same loop element stay paired', () => {
  it('CDK: for-of and forEach (also through a constant in the loop body)', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
${PARTNERS}const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
for (const p of partners) sg.addIngressRule(ec2.Peer.ipv4(p.cidr), ec2.Port.tcp(p.port));
partners.forEach((p) => {
  const port = ec2.Port.tcp(p.port);
  sg.connections.allowFrom(ec2.Peer.ipv4(p.cidr), port);
});
// nested loops: every combination is opened, as written
for (const c of ['10.0.0.0/8', '192.168.0.0/16']) for (const port of [1762, 1763]) sg.addIngressRule(ec2.Peer.ipv4(c), ec2.Port.tcp(port));
`;
    const { document } = extract(text);
    const paired = 'anyof([dstport=1761 proto=6 srcaddr=203.0.113.0/24]|[dstport=443 proto=6 srcaddr=0.0.0.0/0]) => accept';
    expect(summary(document)).toEqual([`Sg ingress: ${paired}`, `Sg ingress: ${paired}`, 'Sg ingress: dstport=1762-1763 proto=6 srcaddr=10.0.0.0/8, 192.168.0.0/16 => accept']);
  });

  it('Pulumi: entries mapped from a list, and a SecurityGroupRule per element', () => {
    const text = `import * as aws from '@pulumi/aws';
${PARTNERS}const sg = new aws.ec2.SecurityGroup('p', {
  ingress: partners.map((p) => ({ protocol: 'tcp', fromPort: p.port, toPort: p.port, cidrBlocks: [p.cidr] })),
});
partners.forEach((p) => new aws.ec2.SecurityGroupRule('r', { type: 'ingress', securityGroupId: sg.id, protocol: 'tcp', fromPort: p.port, toPort: p.port, cidrBlocks: [p.cidr] }));
`;
    const { document, extracted } = extract(text);
    const paired = 'anyof([dstport=1761 proto=6 srcaddr=203.0.113.0/24]|[dstport=443 proto=6 srcaddr=0.0.0.0/0]) => accept';
    expect(summary(document)).toEqual([`p ingress: ${paired}`, `p ingress: ${paired}`]);
    // reported where the port is read
    expect(text.slice(...extracted[0]!.reportNode.range)).toBe('p.port');
    expect(allRules(document)).toHaveLength(2);
  });
});
