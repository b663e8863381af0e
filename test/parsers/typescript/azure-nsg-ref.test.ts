import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe('Pulumi Azure rules referencing their NSG by a literal name', () => {
  it('attach to the NSG of the file created with that name, not to a second, external NSG', () => {
    // networkSecurityGroupName is the NSG's Azure name: the classic NetworkSecurityGroup's `name`
    // (https://www.pulumi.com/registry/packages/azure/api-docs/network/networksecurityrule/)
    const { document } = extract(`import * as azure from '@pulumi/azure';
const nsg = new azure.network.NetworkSecurityGroup('nsg', {
  name: 'classic-nsg', location: 'westeurope', resourceGroupName: 'rg',
});
new azure.network.NetworkSecurityRule('cft', {
  name: 'cft', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp',
  sourcePortRange: '*', destinationPortRange: '1761', sourceAddressPrefix: 'Internet', destinationAddressPrefix: '*',
  resourceGroupName: 'rg', networkSecurityGroupName: 'classic-nsg',
});
`);
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([['NSG classic-nsg', ['classic-nsg', 'nsg']]]);
    expect(summary(document).filter((l) => l.includes('Inbound'))).toEqual([
      'NSG classic-nsg Inbound: dstport=1761 proto=6 srcaddr=0.0.0.0/0, ::/0 => accept',
      'NSG classic-nsg Inbound: srcprincipal=VirtualNetwork => accept',
      'NSG classic-nsg Inbound: srcprincipal=AzureLoadBalancer => accept',
      'NSG classic-nsg Inbound:  => drop',
    ]);
  });
});

describe('a Pulumi Azure rule resource attached to an NSG that lists its rules in-line', () => {
  it('may be overwritten by the NSG (they cannot be mixed): its deny closes nothing for certain; beside an NSG without in-line rules it is certain', () => {
    // https://www.pulumi.com/registry/packages/azure/api-docs/network/networksecurityrule/ (NOTE on Network Security Groups and Rules)
    const rule = (name: string, nsg: string) =>
      `new azure.network.NetworkSecurityRule('${name}', { resourceGroupName: 'rg', networkSecurityGroupName: ${nsg}.name, priority: 100, direction: 'Inbound', access: 'Deny', protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: '1768', sourceAddressPrefix: '*', destinationAddressPrefix: '*' });`;
    const { document } = extract(`import * as azure from '@pulumi/azure';
const a = new azure.network.NetworkSecurityGroup('a', { resourceGroupName: 'rg', securityRules: [{ name: 'cft', priority: 200, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: '1761-1768', sourceAddressPrefix: '*', destinationAddressPrefix: '*' }] });
const b = new azure.network.NetworkSecurityGroup('b', { resourceGroupName: 'rg' });
${rule('deny-a', 'a')}
${rule('deny-b', 'b')}
`);
    expect(summary(document).filter((l) => l.includes('dstport=1768'))).toEqual([
      'NSG a Inbound: dstport=1768 opaque:condition proto=6 => drop',
      'NSG b Inbound: dstport=1768 proto=6 => drop',
    ]);
    expect(document.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([
      "unevaluated 4:102 Cannot evaluate deny-a beside the in-line securityRules of a (security rule \"deny-a\"): the NSG lists its rules in-line, which overwrites standalone rules on update (they cannot be mixed); it is treated as unknown",
    ]);
  });
});
