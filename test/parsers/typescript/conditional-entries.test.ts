import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, pos, summary } from './helpers.js';

describe('a list entry chosen by a condition decided at run time is that entry, only if its condition holds', () => {
  it('Pulumi ingress: ...(c ? [x] : []), c ? base : [...base, y], c ? {a} : {b}; each entry with its own condition', () => {
    const text = `import * as aws from '@pulumi/aws';
declare const isProd: boolean;
declare const debug: boolean;
const web = { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] };
new aws.ec2.SecurityGroup('a', { ingress: [
  web,
  ...(isProd ? [] : [{ protocol: 'tcp', fromPort: 9229, toPort: 9229, cidrBlocks: ['0.0.0.0/0'] }]),
  ...(debug ? [{ protocol: 'tcp', fromPort: 5005, toPort: 5005, cidrBlocks: ['10.0.0.0/8'] }] : []),
] });
new aws.ec2.SecurityGroup('b', { ingress: isProd ? [web] : [web, { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }] });
new aws.ec2.SecurityGroup('c', { ingress: [!isProd ? { protocol: 'tcp', fromPort: 1761, toPort: 1761, cidrBlocks: ['0.0.0.0/0'] } : web] });
`;
    const { document } = extract(text);
    expect(summary(document)).toEqual([
      'a ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'a ingress: dstport=9229 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'a ingress: dstport=5005 opaque:unresolved proto=6 srcaddr=10.0.0.0/8 => accept',
      'b ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'b ingress: dstport=22 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'c ingress: dstport=1761 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'c ingress: dstport=443 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    const rules = allRules(document);
    expect(rules.map((r) => opaques(r).map((o) => `${o.text} (${pos(r.matches.find((m) => m.kind === 'opaque')?.span)})`))).toEqual([
      [],
      ['only if !(isProd) (7:7-7:13)'],
      ['only if debug (8:7-8:12)'],
      [],
      ['only if !(isProd) (10:43-10:49)'],
      ['only if !isProd (11:44-11:51)'],
      ['only if isProd (11:44-11:51)'],
    ]);
    // each rule is placed at its entry
    expect(rules.map((r) => r.span.start.line)).toEqual([4, 7, 8, 4, 10, 11, 4]);
  });

  it('CfnSecurityGroup securityGroupIngress takes the same reading', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const open: boolean;
const cfn = new ec2.CfnSecurityGroup(stack, 'L1', { groupDescription: 'x', securityGroupEgress: [], securityGroupIngress: [
  ...(open ? [{ ipProtocol: 'tcp', fromPort: 1768, toPort: 1768, cidrIp: '0.0.0.0/0' }] : []),
] });
`;
    expect(summary(extract(text).document)).toEqual(['L1 ingress: dstport=1768 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept']);
  });

  it('two unknown spreads are two unknown entries (the first is not lost)', () => {
    const text = `import * as aws from '@pulumi/aws';
declare const extra: any[];
declare const more: any[];
new aws.ec2.SecurityGroup('s', { ingress: [...extra, { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['10.0.0.0/8'] }, ...more] });
`;
    const { document } = extract(text);
    expect(allRules(document).map((r) => opaques(r).map((o) => o.text).join())).toEqual(['', 'extra', 'more']);
  });

  it('Azure in-line securityRules and Pulumi NACL entries carry the condition', () => {
    const text = `import * as network from '@pulumi/azure-native/network';
import * as aws from '@pulumi/aws';
declare const rg: any;
declare const bastion: boolean;
const base = { direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', destinationAddressPrefix: '*' };
new network.NetworkSecurityGroup('nsg', { resourceGroupName: rg.name, securityRules: [
  { ...base, name: 'https', priority: 100, destinationPortRange: '443', sourceAddressPrefix: '*' },
  ...(bastion ? [{ ...base, name: 'ssh', priority: 110, destinationPortRange: '22', sourceAddressPrefix: 'Internet' }] : []),
] });
new aws.ec2.NetworkAcl('acl', { vpcId: 'vpc-1', ingress: [
  ...(bastion ? [{ ruleNo: 100, action: 'allow', protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlock: '0.0.0.0/0' }] : []),
] });
`;
    const { document } = extract(text);
    const ssh = allRules(document).filter((r) => opaques(r).some((o) => o.text === 'only if bastion'));
    expect(ssh.map((r) => r.span.start.line).sort()).toEqual([11, 8]);
    expect(summary(document).filter((l) => l.includes('opaque'))).toEqual([
      'acl ingress: dstport=22 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'NSG nsg Inbound: dstport=22 opaque:unresolved proto=6 srcaddr=0.0.0.0/0, ::/0 => accept',
    ]);
  });
});
