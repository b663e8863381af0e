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
