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

describe('names destructured from a loop element', () => {
  it('are read per element (for-of, forEach, Object.entries) and stay paired', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
const PAIRS: Array<[ec2.IPeer, number]> = [[ec2.Peer.anyIpv6(), 1766], [ec2.Peer.ipv4('10.0.0.0/8'), 1767]];
for (const [peer, port] of PAIRS) sg.addIngressRule(peer, ec2.Port.tcp(port));
const RULES = [{ cidr: '192.0.2.0/24', port: 1761 }, { cidr: '198.51.100.0/24' }];
RULES.forEach(({ cidr, port = 1768 }) => sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port)));
const BY_NAME = { pesit: 1761, rest: 1768 } as const;
for (const [, port] of Object.entries(BY_NAME)) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port));
`;
    const { document } = extract(text);
    expect(document.diagnostics).toEqual([]);
    expect(summary(document)).toEqual([
      'Sg ingress: anyof([dstport=1766 proto=6 srcaddr=::/0]|[dstport=1767 proto=6 srcaddr=10.0.0.0/8]) => accept',
      'Sg ingress: anyof([dstport=1761 proto=6 srcaddr=192.0.2.0/24]|[dstport=1768 proto=6 srcaddr=198.51.100.0/24]) => accept',
      'Sg ingress: dstport=1761, 1768 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});

describe('GCP firewalls and Azure rules created per loop element', () => {
  it('one rule per element when the element feeds two fields; the map index and arithmetic on it are known', () => {
    const text = `import * as gcp from '@pulumi/gcp';
import * as azure from '@pulumi/azure';
const partners = [
  { name: 'bank', cidr: '203.0.113.0/24', port: '1761' },
  { name: 'web', cidr: '0.0.0.0/0', port: '443' },
];
for (const p of partners) {
  new gcp.compute.Firewall(\`allow-\${p.name}\`, { network: 'default', allows: [{ protocol: 'tcp', ports: [p.port] }], sourceRanges: [p.cidr] });
}
new azure.network.NetworkSecurityGroup('nsg', {
  resourceGroupName: 'rg',
  securityRules: partners.map((p, i) => ({
    name: p.name, priority: 100 + i, direction: 'Inbound', access: 'Allow', protocol: 'Tcp',
    sourcePortRange: '*', destinationPortRange: p.port, sourceAddressPrefix: p.cidr, destinationAddressPrefix: '*',
  })),
});
`;
    const { document } = extract(text);
    expect(summary(document).filter((l) => !l.includes('principal') && !l.includes('=> drop') && !l.includes('Outbound'))).toEqual([
      'NSG nsg Inbound: dstport=1761 proto=6 srcaddr=203.0.113.0/24 => accept',
      'NSG nsg Inbound: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'network default, all instances INGRESS: dstport=1761 proto=6 srcaddr=203.0.113.0/24 => accept',
      'network default, all instances INGRESS: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(allRules(document)[0]!.text).toContain('priority 100');
    expect(allRules(document)[1]!.text).toContain('priority 101');
  });
});

describe('rule calls on each group of a list', () => {
  it('add the rule to every group, with the arguments of the same element', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const a = new ec2.SecurityGroup(stack, 'A', { vpc, allowAllOutbound: false });
const b = new ec2.SecurityGroup(stack, 'B', { vpc, allowAllOutbound: false });
for (const sg of [a, b]) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1761));
const pairs = [[a, 1762], [b, 1763]] as const;
pairs.forEach(([sg, port]) => sg.connections.allowFrom(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(port)));
`);
    expect(summary(document)).toEqual([
      'A ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'A ingress: dstport=1762 proto=6 srcaddr=10.0.0.0/8 => accept',
      'B ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'B ingress: dstport=1763 proto=6 srcaddr=10.0.0.0/8 => accept',
    ]);
  });
});
