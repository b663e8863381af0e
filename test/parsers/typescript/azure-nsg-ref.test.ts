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
