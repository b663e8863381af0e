import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

describe('rules added under a condition', () => {
  it('a condition decided at run time makes the rule possibly there; a false one means the code never runs', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as aws from '@pulumi/aws';
import * as gcp from '@pulumi/gcp';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const props: { exposeRest?: boolean; partnerCidr?: string; sg?: aws.ec2.SecurityGroup };
const LEGACY = false;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
if (props.exposeRest) {
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1768));
} else {
  sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(1768));
}
if (LEGACY) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(1761, 1768));
if (!LEGACY) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1763));
const p = props.sg ?? new aws.ec2.SecurityGroup('p', { ingress: [{ protocol: 'tcp', fromPort: 1761, toPort: 1761, cidrBlocks: ['0.0.0.0/0'] }] });
props.exposeRest && new gcp.compute.Firewall('fw', { network: 'default', allows: [{ protocol: 'tcp', ports: ['1768'] }], sourceRanges: ['0.0.0.0/0'] });
`;
    const { document } = extract(text);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=1763 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=1768 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=1768 opaque:unresolved proto=6 srcaddr=10.0.0.0/8 => accept',
      'p ingress: dstport=1761 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'network default, all instances INGRESS: dstport=1768 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    const rules = allRules(document);
    expect(opaques(rules[1]!)).toEqual([{ module: 'unresolved', text: 'only if props.exposeRest', reason: 'the code that adds this rule runs under a condition decided at run time' }]);
    expect(opaques(rules[2]!)[0]!.text).toBe('only if !(props.exposeRest)');
    expect(opaques(rules[3]!)[0]!.text).toBe('only if props.sg == null');
    expect(rules[1]!.matches.find((m) => m.kind === 'opaque')!.span!.start.line).toBe(9);

  });
});

describe('rules added in a switch case', () => {
  it('are possibly there when the discriminant is decided at run time', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const props: { stage: 'dev' | 'prod' };
const STAGE = 'prod';
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
switch (props.stage) {
  case 'prod':
    sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(1768));
    break;
  default:
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1768));
}
switch (STAGE) {
  case 'prod':
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1761));
}
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=1768 opaque:unresolved proto=6 srcaddr=10.0.0.0/8 => accept',
      'Sg ingress: dstport=1768 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(rules[1]!)[0]!.text).toBe("only if props.stage is 'prod' (or an earlier case falls through)");
    expect(opaques(rules[2]!)[0]!.text).toBe('only if props.stage matches no case (or an earlier case falls through)');
  });
});

describe('rules after an early return', () => {
  it('are possibly there when the return depends on a run-time value; a throw is no such condition', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
function build(props: { partner?: boolean; vpc?: ec2.IVpc }) {
  if (!props.vpc) throw new Error('vpc is required');
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
  sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(1761));
  if (!props.partner) {
    return sg;
  }
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1768));
  return sg;
}
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=1761 proto=6 srcaddr=10.0.0.0/8 => accept',
      'Sg ingress: dstport=1768 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(rules[1]!)[0]!.text).toBe('only if props.partner');
  });
});

describe('a condition on the loop element', () => {
  it('is decided per element: skipped elements open nothing, the others stay certain', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const PORTS = [22, 1761, 1764, 1768];
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
for (const p of PORTS) {
  if (p === 22) continue;
  if (p !== 1764) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(p));
}
PORTS.forEach((p) => p > 10000 && sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(p)));
`);
    expect(summary(document)).toEqual(['Sg ingress: anyof([dstport=1761 proto=6 srcaddr=0.0.0.0/0]|[dstport=1768 proto=6 srcaddr=0.0.0.0/0]) => accept']);
  });
});
