import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

describe('a call of a function of the file that returns one expression is that expression with its arguments', () => {
  it('Pulumi rule helpers (arrow with a default, function declaration, inside map) give their entries, placed at the call', () => {
    const text = `import * as aws from '@pulumi/aws';
const WORLD = '0.0.0.0/0';
const rule = (port: number, cidr: string = WORLD) => ({ protocol: 'tcp', fromPort: port, toPort: port, cidrBlocks: [cidr] });
function udp(port: number) {
  return { protocol: 'udp', fromPort: port, toPort: port, cidrBlocks: ['10.0.0.0/8'] };
}
const cft = [1761, 1762];
new aws.ec2.SecurityGroup('s', { ingress: [rule(3306), rule(22, '10.1.0.0/16'), udp(161), ...cft.map((p) => rule(p))] });
`;
    const { document } = extract(text);
    expect(summary(document)).toEqual([
      's ingress: dstport=3306 proto=6 srcaddr=0.0.0.0/0 => accept',
      's ingress: dstport=22 proto=6 srcaddr=10.1.0.0/16 => accept',
      's ingress: dstport=161 proto=17 srcaddr=10.0.0.0/8 => accept',
      's ingress: dstport=1761-1762 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(allRules(document).map((r) => `${r.span.start.line}:${r.span.start.column}`)).toEqual(['8:44', '8:56', '8:81', '8:109']);
  });

  it('CDK: a helper returning Port.tcp(p) reads p as the argument; an unknown argument stays unknown, named as written', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const props: { port: number };
const tcp = (p: number) => ec2.Port.tcp(p);
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(ec2.Peer.anyIpv4(), tcp(5432));
sg.addIngressRule(ec2.Peer.anyIpv4(), tcp(props.port));
`;
    const { document } = extract(text);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'Sg ingress: dstport=5432 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(allRules(document)[1]!)).toEqual([{ text: 'props.port', reason: "'props' is declared without a value in this file", module: 'unresolved' }]);
  });

  it('a helper with statements stays unknown; recursion stops (8 calls deep) at an unknown call', () => {
    const text = `import * as aws from '@pulumi/aws';
const deep = (n: number): any => (n > 0 ? deep(n - 1) : { protocol: 'tcp', fromPort: 1, toPort: 1, cidrBlocks: ['10.0.0.0/8'] });
function two(port: number) {
  const p = port;
  return { protocol: 'tcp', fromPort: p, toPort: p, cidrBlocks: ['10.0.0.0/8'] };
}
new aws.ec2.SecurityGroup('s', { ingress: [deep(20), two(22)] });
`;
    const { document } = extract(text);
    expect(allRules(document).map((r) => opaques(r).map((o) => o.text).join())).toEqual(['deep(n - 1)', 'two(22)']);
  });

  it('a factory of constructs is not merged into the one group written in it: each call stays a group of its own', () => {
    const text = `import * as aws from '@pulumi/aws';
const mkSg = (name: string) => new aws.ec2.SecurityGroup(name, { description: name });
const web = mkSg('web');
const db = mkSg('db');
new aws.ec2.SecurityGroupRule('a', { type: 'ingress', securityGroupId: web.id, protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] });
new aws.ec2.SecurityGroupRule('b', { type: 'ingress', securityGroupId: db.id, protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrBlocks: ['10.0.0.0/8'] });
`;
    expect(summary(extract(text).document).filter((l) => l.includes('ingress'))).toEqual([
      'web.id ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'db.id ingress: dstport=5432 proto=6 srcaddr=10.0.0.0/8 => accept',
    ]);
  });
});

describe('a function of the file whose body is guard clauses (if … return …; return …)', () => {
  it('is the conditional expression they make: a known test picks its return, an unknown one gives both, possibly', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const props: { all: boolean };
function cftPorts(all: boolean): ec2.Port {
  if (all) {
    return ec2.Port.tcpRange(1761, 1768);
  }
  return ec2.Port.tcp(1761);
}
function peerFor(env: string) {
  if (env === 'prod') return ec2.Peer.ipv4('10.0.0.0/8');
  else return ec2.Peer.anyIpv4();
}
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(peerFor('prod'), cftPorts(false));
sg.addIngressRule(peerFor('dev'), ec2.Port.tcp(22));
sg.addIngressRule(ec2.Peer.ipv4('192.0.2.0/24'), cftPorts(props.all));
`;
    const { document } = extract(text);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=1761 proto=6 srcaddr=10.0.0.0/8 => accept',
      'Sg ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: anyof([dstport=1761 proto=6]|[dstport=1761-1768 proto=6]) opaque:unresolved srcaddr=192.0.2.0/24 => accept',
    ]);
    // (named by the clauses, as a conditional expression is by its text)
    expect(opaques(allRules(document)[2]!).map((o) => o.text)).toEqual(['if (all) { return ec2.Port.tcpRange(1761, 1768); } return ec2.Port.tcp(1761)']);
  });
});
