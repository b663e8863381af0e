import { describe, expect, it } from 'vitest';
import { allRules, extract, opaques, summary } from './helpers.js';

const CDK = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
`;

describe('constants held by a class, a private field or a namespace of the file', () => {
  it('static fields, #private fields and exported namespace members resolve', () => {
    const { document } = extract(`${CDK}
class Ports {
  static readonly REST = 1768;
  static readonly ALL = [1761, 1762] as const;
  static get LATER() { return 1763; }
}
namespace Net {
  export const PARTNER = '192.0.2.0/24';
  const hidden = '10.0.0.0/8';
}
class Stack {
  #port = 1766;
  port = 22;
  build() {
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(this.#port));
  }
}
sg.addIngressRule(ec2.Peer.ipv4(Net.PARTNER), ec2.Port.tcp(Ports.REST));
for (const p of Ports.ALL) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.udp(p));
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(Ports.LATER));
`);
    expect(summary(document)).toEqual([
      'Sg ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=1768 proto=6 srcaddr=192.0.2.0/24 => accept',
      'Sg ingress: dstport=1761-1762 proto=17 srcaddr=0.0.0.0/0 => accept',
      // a getter is no field with a value: unknown, never "undefined" (which would read as every port)
      'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(allRules(document)[3]!)).toEqual([{ module: 'unresolved', text: 'Ports.LATER', reason: 'not a static field with a value of class Ports' }]);
  });

  it('a static field or namespace member assigned elsewhere is unknown', () => {
    const { document } = extract(`${CDK}
class Cfg {
  static port = 443;
  static init() { this.port = 1768; }
}
class Other {
  static port = 443;
}
Other.port = 1762;
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(Cfg.port));
sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(Other.port));
`);
    const rules = allRules(document);
    expect(summary(document)).toEqual(['Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept', 'Sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept']);
    expect(opaques(rules[0]!)[0]!.reason).toBe("'Cfg.port' may be assigned in a method");
    expect(opaques(rules[1]!)[0]!.reason).toBe("a static member of 'Other' is changed (Other.port = 1762 at line 13)");
  });
});
