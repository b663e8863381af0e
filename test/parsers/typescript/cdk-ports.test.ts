import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe("CDK's well-known Port constants", () => {
  it('are their protocol and port; an unknown constant stays undecidable', () => {
    const { document } = extract(`import { Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: any;
const sg = new SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
sg.addIngressRule(Peer.anyIpv4(), Port.HTTPS);
sg.addIngressRule(Peer.anyIpv4(), Port.DNS_UDP);
sg.addIngressRule(Peer.anyIpv4(), Port.KAFKA);
`);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=53 proto=17 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: opaque:unresolved srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});
