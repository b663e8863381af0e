import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe('CDK ALB listeners open their port in the load balancer security group', () => {
  it('open defaults to true; port from protocol or certificates; dual-stack adds ::/0', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const cert: any;
declare const props: { open: boolean; alb: elbv2.IApplicationLoadBalancer };
const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
alb.addListener('Cft', { port: 1768 });
alb.addListener('Closed', { port: 1761, open: false });
alb.addListener('Https', { protocol: elbv2.ApplicationProtocol.HTTPS, certificates: [cert] });
alb.addListener('Maybe', { port: 1762, open: props.open });
const dual = new elbv2.ApplicationLoadBalancer(stack, 'Dual', { vpc, ipAddressType: elbv2.IpAddressType.DUAL_STACK });
new elbv2.ApplicationListener(stack, 'L', { loadBalancer: dual, port: 1766 });
`;
    const { document, extracted } = extract(text);
    expect(summary(document)).toEqual([
      'Alb ingress: dstport=1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Alb ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Alb ingress: dstport=1762 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'Alb egress: opaque:unresolved => accept',
      'Dual ingress: anyof([srcaddr=0.0.0.0/0]|[srcaddr=::/0]) dstport=1766 proto=6 => accept',
      'Dual egress: opaque:unresolved => accept',
    ]);
    expect(text.slice(...extracted[0]!.reportNode.range)).toBe('1768');
  });
});

describe("a listener's connections are its load balancer's, the listener port their default port", () => {
  it('listener.connections.allowDefaultPort* / allowFrom land in the ALB group (addListener, new ApplicationListener, HTTPS → 443)', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
declare const stack: any;
declare const vpc: ec2.IVpc;
declare const cert: any;
const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
const listener = alb.addListener('L', { port: 1761, open: false });
listener.connections.allowDefaultPortFromAnyIpv4('public');
const https = alb.addListener('S', { protocol: elbv2.ApplicationProtocol.HTTPS, certificates: [cert], open: false });
https.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/8'));
const l3 = new elbv2.ApplicationListener(stack, 'L3', { loadBalancer: alb, port: 8443, open: false });
l3.connections.allowDefaultPortFromAnyIpv4();
listener.connections.allowFrom(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
`;
    expect(summary(extract(text).document)).toEqual([
      'Alb ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Alb ingress: dstport=443 proto=6 srcaddr=10.0.0.0/8 => accept',
      'Alb ingress: dstport=8443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Alb ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Alb egress: opaque:unresolved => accept',
    ]);
  });
});

describe('listeners CDK creates without addListener', () => {
  it('ecs-patterns: HTTP (port 80) without a protocol or certificate; redirectHTTP adds an open HTTP listener on 80', () => {
    const text = `import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
declare const stack: any;
declare const cluster: ecs.ICluster;
declare const cert: any;
declare const props: { redirect: boolean };
new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', { cluster });
new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Secure', { cluster, certificate: cert, redirectHTTP: true });
new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Shut', { cluster, certificate: cert, redirectHTTP: true, openListener: false });
new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Maybe', { cluster, certificate: cert, redirectHTTP: props.redirect });
`;
    const { document, extracted } = extract(text);
    expect(summary(document).filter((s) => s.includes('ingress'))).toEqual([
      'Web ingress: dstport=80 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Secure ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Secure ingress: dstport=80 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Maybe ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Maybe ingress: dstport=80 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    const redirect = extracted.find((e) => e.rule.matches.some((m) => m.kind === 'port' && m.ports.has(80)) && text.slice(...e.reportNode.range) === 'true');
    expect(redirect).toBeDefined();
  });

  it('alb.addRedirect() listens on sourcePort (default 80), open unless open: false', () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
declare const stack: any;
declare const vpc: ec2.IVpc;
const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
lb.addRedirect();
lb.addRedirect({ sourcePort: 8080, targetPort: 8443 });
lb.addRedirect({ sourcePort: 8081, open: false });
`;
    expect(summary(extract(text).document)).toEqual([
      'Lb ingress: dstport=80 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Lb ingress: dstport=8080 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Lb egress: opaque:unresolved => accept',
    ]);
  });
});

describe('an imported load balancer', () => {
  it("opens a listener's port in the imported group (fromApplicationLoadBalancerAttributes, fromLookup), ::/0 possibly", () => {
    const text = `import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
declare const stack: any;
const imported = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Imp', { loadBalancerArn: 'arn', securityGroupId: 'sg-0aa' });
imported.addListener('L', { port: 1767 });
imported.addListener('Closed', { port: 1761, open: false });
const looked = elbv2.ApplicationLoadBalancer.fromLookup(stack, 'Look', { loadBalancerTags: { app: 'x' } });
looked.addRedirect();
`;
    expect(summary(extract(text).document).filter((s) => s.includes('ingress'))).toEqual([
      'Imp ingress: anyof([opaque:unresolved]|[srcaddr=0.0.0.0/0]) dstport=1767 proto=6 => accept',
      'Look ingress: anyof([opaque:unresolved]|[srcaddr=0.0.0.0/0]) dstport=80 proto=6 => accept',
    ]);
  });
});

describe('ecs-patterns services of several target groups', () => {
  it('ApplicationMultipleTargetGroups*Service: HTTP 80 by default; else every listener of every load balancer, open', () => {
    const text = `import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
declare const stack: any;
declare const cluster: ecs.ICluster;
declare const cert: any;
declare const lbs: any[];
new ecsPatterns.ApplicationMultipleTargetGroupsFargateService(stack, 'Default', { cluster });
new ecsPatterns.ApplicationMultipleTargetGroupsEc2Service(stack, 'Multi', {
  cluster,
  loadBalancers: [
    { name: 'lb', listeners: [{ name: 'cft', port: 1768 }, { name: 'tls', certificate: cert }] },
    { name: 'lb2', listeners: [{ name: 'admin', port: 1766 }] },
  ],
});
new ecsPatterns.ApplicationMultipleTargetGroupsFargateService(stack, 'Unknown', { cluster, loadBalancers: lbs });
`;
    expect(summary(extract(text).document).filter((s) => s.includes('ingress'))).toEqual([
      'Default ingress: dstport=80 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Multi ingress: dstport=1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Multi ingress: dstport=443 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Multi ingress: dstport=1766 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Unknown ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});

describe("an ecs-patterns service's loadBalancer", () => {
  it("svc.loadBalancer.connections is the group of the service's listener", () => {
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
declare const stack: any;
declare const cluster: ecs.ICluster;
const svc = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', { cluster, listenerPort: 8443 });
svc.loadBalancer.connections.allowFromAnyIpv4(ec2.Port.tcp(1762));
`;
    expect(summary(extract(text).document).filter((s) => s.includes('ingress'))).toEqual([
      'Web ingress: dstport=1762 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Web ingress: dstport=8443 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});
