import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe('plain values mapped from a constant array', () => {
  it('have one value per element: indexing, destructuring and length read the right one', () => {
    // was: one representative item, so shifted[1] and b were undefined (Port.tcp(undefined): every port
    // open) and shifted.length was 1
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const sg: ec2.SecurityGroup;
const shifted = [1761, 1762].map((x) => x + 4);
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(shifted[1]));
const [a, b] = [1761, 1763].map((x) => x);
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.udp(b));
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.udp(shifted.length + 1760));
for (const p of shifted) sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(p));
`);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'sg ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'sg ingress: dstport=1763 proto=17 srcaddr=0.0.0.0/0 => accept',
      'sg ingress: dstport=1762 proto=17 srcaddr=0.0.0.0/0 => accept',
      'sg ingress: dstport=1765-1766 proto=6 srcaddr=::/0 => accept',
    ]);
  });
});

describe('Object.keys / values / entries', () => {
  it('list integer-like keys first, ascending, as JavaScript does (ECMA-262 OrdinaryOwnPropertyKeys)', () => {
    // was: written order, so values(cidrs)[0] was 10.0.0.0/8 where the program passes 0.0.0.0/0
    const { document } = extract(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const sg: ec2.SecurityGroup;
const cidrs: Record<string, string> = { b: '10.0.0.0/8', 22: '0.0.0.0/0', 10: '192.0.2.0/24', '01': '198.51.100.0/24' };
sg.addIngressRule(ec2.Peer.ipv4(Object.values(cidrs)[0]), ec2.Port.tcp(1));
sg.addIngressRule(ec2.Peer.ipv4(Object.entries(cidrs)[1][1]), ec2.Port.tcp(Number(Object.keys(cidrs)[1])));
sg.addIngressRule(ec2.Peer.ipv4(Object.values(cidrs)[3]), ec2.Port.tcp(3));
`);
    expect(summary(document).filter((l) => l.includes('ingress'))).toEqual([
      'sg ingress: dstport=1 proto=6 srcaddr=192.0.2.0/24 => accept',
      'sg ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
      'sg ingress: dstport=3 proto=6 srcaddr=198.51.100.0/24 => accept',
    ]);
  });
});
