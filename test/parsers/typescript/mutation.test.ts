import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

const CDK = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
`;

describe('values changed in place after their declaration', () => {
  it('elements pushed into an array are iterated too (an empty array filled by a loop is not empty)', () => {
    const { document } = extract(`${CDK}
const cft: number[] = [];
for (let p = 1761; p <= 1768; p++) cft.push(p);
cft.forEach((p) => sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(p)));
const extra = [22];
extra.push(1762, ...[1763]);
for (const p of extra) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(p));
const alias = extra;
alias.unshift(1765);
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=22, 1762-1763, 1765 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(rules[1]!)).toEqual([{ module: 'unresolved', text: 'p', reason: "'p' is reassigned" }]);
  });

  it('any other change makes the value unknown, naming where it changed', () => {
    const { document } = extract(`${CDK}
const cfg = { port: 443 };
cfg.port = 1763;
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(cfg.port));
const more = { port: 443 };
Object.assign(more, { port: 1765 });
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(more.port));
const arr = [80];
arr[0] = 1766;
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(arr[0]));
const list = [80];
list.splice(0, 1, 1767);
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(list[0]));
const nested = { ports: [80] };
nested.ports.push(1768);
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(nested.ports[1]));
`);
    const rules = allRules(document);
    expect(rules.map((r) => opaques(r))).toEqual([
      [{ module: 'unresolved', text: 'cfg.port', reason: "'cfg' is changed after its declaration (cfg.port = 1763 at line 7)" }],
      [{ module: 'unresolved', text: 'more.port', reason: "'more' is changed after its declaration (Object.assign(more, { port: 1765 }) at line 10)" }],
      [{ module: 'unresolved', text: 'arr[0]', reason: "'arr' is changed after its declaration (arr[0] = 1766 at line 13)" }],
      [{ module: 'unresolved', text: 'list[0]', reason: "'list' is changed after its declaration (list.splice(0, 1, 1767) at line 16)" }],
      [{ module: 'unresolved', text: 'nested.ports[1]', reason: "'nested' is changed after its declaration (nested.ports.push(1768) at line 19)" }],
    ]);
  });

  it('class members changed in place are unknown; constructs are not data', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const vpc: ec2.IVpc;
class S {
  ports = [22];
  sg = new ec2.SecurityGroup(this, 'Sg', { vpc, allowAllOutbound: false });
  constructor() {
    this.ports.push(1761);
    this.sg.node.addDependency(vpc);
    for (const p of this.ports) this.sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(p));
  }
}
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual(['Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept']);
    expect(opaques(rules[0]!)).toEqual([
      { module: 'unresolved', text: 'p', reason: "'this.ports' is changed after its assignment (this.ports.push(1761) at line 7)" },
    ]);
  });
});

describe('values changed in place by a function of the file', () => {
  it('an argument whose parameter the function changes is unknown at the call', () => {
    const { document } = extract(`${CDK}
function addCft(list: number[]) {
  list.push(1761);
}
const add2 = (o: { port: number }) => { o.port = 1762; };
const ports = [22];
addCft(ports);
for (const p of ports) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(p));
const cfg = { port: 443 };
add2(cfg);
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(cfg.port));
const untouched = [80];
String(untouched);
for (const p of untouched) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(p));
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=80 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(rules[1]!)[0]!.reason).toBe("'ports' is changed after its declaration (addCft(ports) at line 11)");
    expect(opaques(rules[2]!)[0]!.reason).toBe("'cfg' is changed after its declaration (add2(cfg) at line 14)");
  });
});

describe('loop elements changed in place', () => {
  it('change the iterated array, and the loop variable is unknown', () => {
    const { document } = extract(`${CDK}
const rules = [{ port: 22 }];
for (const r of rules) r.port = 1761;
for (const r of rules) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(r.port));
for (const r of [{ port: 80 }]) {
  r.port = 1762;
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(r.port));
}
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual([
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(rules[0]!)[0]!.reason).toBe("'rules' is changed after its declaration (r.port = 1761 at line 7)");
    expect(opaques(rules[1]!)[0]!.reason).toBe("'r' is changed in the loop (r.port = 1762 at line 10)");
  });
});

describe('lists of constructs', () => {
  it('are not data: calls on their elements do not hide the groups', () => {
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const a = new ec2.SecurityGroup(stack, 'A', { vpc, allowAllOutbound: false });
const b = new ec2.SecurityGroup(stack, 'B', { vpc, allowAllOutbound: false });
const groups = [a, b];
for (const sg of groups) sg.node.setContext?.('k', 'v');
for (const sg of groups) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(1761));
`);
    expect(summary(document)).toEqual([
      'A ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'B ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});
