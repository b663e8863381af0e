import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

// A firewall policy rule applies only to the instances it targets: targetSecureTags (instances with one of
// these tag values) and targetResources (instances of these networks) — FirewallPolicyRule reference,
// https://cloud.google.com/compute/docs/reference/rest/v1/networkFirewallPolicies (rules[].targetSecureTags,
// targetResources). A deny for one tag or network must not close every instance.
describe('Pulumi GCP firewall policy rule targets', () => {
  it('reads targetSecureTags and srcSecureTags as the Terraform mapper does', () => {
    const { document } = extract(`import * as gcp from '@pulumi/gcp';
const policy = new gcp.compute.NetworkFirewallPolicy('pol', { name: 'pol' });
new gcp.compute.NetworkFirewallPolicyRule('allow-web', {
  firewallPolicy: 'pol', priority: 1000, action: 'allow', direction: 'INGRESS',
  match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761-1768'] }] },
});
new gcp.compute.NetworkFirewallPolicyRule('deny-db-tag', {
  firewallPolicy: 'pol', priority: 100, action: 'deny', direction: 'INGRESS',
  targetSecureTags: [{ name: 'tagValues/123456' }],
  match: { srcIpRanges: ['0.0.0.0/0'], srcSecureTags: [{ name: 'tagValues/9' }], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1762'] }] },
});
`);
    expect(summary(document)).toEqual([
      'firewall policy pol, target secure tag tagValues/123456 INGRESS: anyof([family=ipv4]|[srcprincipal=stag:tagValues/9]) dstport=1762 proto=6 => drop',
      'firewall policy pol, target secure tag tagValues/123456 INGRESS: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'firewall policy pol, target secure tag tagValues/123456 INGRESS:  => unknown goto_next',
      'firewall policy pol, target secure tag tagValues/123456 EGRESS:  => unknown goto_next',
      // instances without the tag: only the allow
      'firewall policy pol, all instances INGRESS: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'firewall policy pol, all instances INGRESS:  => unknown goto_next',
      'firewall policy pol, all instances EGRESS:  => unknown goto_next',
    ]);
  });

  it('a deny for some networks (targetResources) closes nothing elsewhere; an unknown network list is named', () => {
    const { document } = extract(`import * as gcp from '@pulumi/gcp';
declare const vpc: gcp.compute.Network;
new gcp.compute.FirewallPolicyRule('allow-all', {
  firewallPolicy: 'locations/global/firewallPolicies/123', priority: 9000, action: 'allow', direction: 'INGRESS',
  match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761'] }] },
});
new gcp.compute.FirewallPolicyRule('deny-vpc-a', {
  firewallPolicy: 'locations/global/firewallPolicies/123', priority: 100, action: 'deny', direction: 'INGRESS',
  targetResources: ['https://www.googleapis.com/compute/v1/projects/p/global/networks/vpc-a'],
  match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761'] }] },
});
new gcp.compute.FirewallPolicyRule('deny-vpc-b', {
  firewallPolicy: 'locations/global/firewallPolicies/123', priority: 101, action: 'deny', direction: 'INGRESS',
  targetResources: [vpc.selfLink], targetServiceAccounts: ['db@p.iam.gserviceaccount.com'],
  match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761'] }] },
});
`);
    expect(summary(document)).toEqual([
      'firewall policy 123, target network vpc-a INGRESS: dstport=1761 family=ipv4 proto=6 => drop',
      'firewall policy 123, target network vpc-a INGRESS: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'firewall policy 123, target network vpc-a INGRESS:  => unknown goto_next',
      'firewall policy 123, target network vpc-a EGRESS:  => unknown goto_next',
      'firewall policy 123, target service account db@p.iam.gserviceaccount.com INGRESS: dstport=1761 family=ipv4 opaque:unresolved proto=6 => drop',
      'firewall policy 123, target service account db@p.iam.gserviceaccount.com INGRESS: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'firewall policy 123, target service account db@p.iam.gserviceaccount.com INGRESS:  => unknown goto_next',
      'firewall policy 123, target service account db@p.iam.gserviceaccount.com EGRESS:  => unknown goto_next',
      'firewall policy 123, all instances INGRESS: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept',
      'firewall policy 123, all instances INGRESS:  => unknown goto_next',
      'firewall policy 123, all instances EGRESS:  => unknown goto_next',
    ]);
  });
});
