import { describe, expect, test } from 'vitest';
import { azureJsonFormat, parseAzure } from '../../../src/parsers/azure/index.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { AddrSet, canonicalRule, numRange, numSingle, type Ruleset } from '../../../src/model/index.js';
import { detectFormat } from '../../../src/parsers/registry.js';
import '../../../src/parsers/formats.js';

const TCP = 6;

function reach(rs: Ruleset, port: number, proto = TCP): { open: AddrSet; possibly: AddrSet; principals: string[] } {
  let open = AddrSet.EMPTY;
  let possibly = AddrSet.EMPTY;
  const principals: string[] = [];
  for (const e of exposedPorts(computeExposure(rs), proto, numSingle(port))) {
    if (e.family !== 'ipv4') continue;
    if (e.certainty === 'open') open = open.union(e.sources);
    else possibly = possibly.union(e.sources);
    principals.push(...e.principals.map((p) => `${e.certainty}:${p}`));
  }
  return { open, possibly, principals: [...new Set(principals)].sort() };
}

function inbound(rs: Ruleset, table = 0) {
  return rs.tables[table]!.chains.find((c) => c.hook === 'input')!.rules;
}

function rule(name: string, priority: number, access: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    properties: {
      priority,
      access,
      direction: 'Inbound',
      protocol: 'Tcp',
      sourcePortRange: '*',
      destinationPortRange: '*',
      sourceAddressPrefix: '*',
      destinationAddressPrefix: '*',
      ...extra,
    },
  };
}

const AZ_CLI = `{
  "name": "web-nsg",
  "securityRules": [
    {
      "name": "cft",
      "priority": 200,
      "access": "Allow",
      "direction": "Inbound",
      "protocol": "Tcp",
      "sourceAddressPrefix": "Internet",
      "sourcePortRange": "*",
      "destinationAddressPrefix": "*",
      "destinationPortRange": "1761-1768"
    }
  ],
  "defaultSecurityRules": [
    { "name": "DenyAllInBound", "priority": 65500, "access": "Deny", "direction": "Inbound", "protocol": "*",
      "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*" }
  ],
  "subnets": [{ "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/app" }],
  "networkInterfaces": [{ "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkInterfaces/vm1-nic" }]
}`;

describe('az CLI / ARM REST', () => {
  test('two `az network nsg show` outputs appended to one file are both read (the second was a JSON syntax error)', () => {
    const second = AZ_CLI.replace('"web-nsg"', '"db-nsg"').replace('"1761-1768"', '"22"');
    const d = parseAzure(`${AZ_CLI}\n${second}\n`);
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG web-nsg', 'NSG db-nsg']);
    const lines = d.rulesets.map((r) => inbound(r)[0]!.span.start.line);
    expect(lines).toEqual([4, 26]);
  });
  test('az network nsg show: rules, listed defaults, targets, exact spans', () => {
    const d = parseAzure(AZ_CLI);
    expect(d.format).toBe('azure');
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => [r.name, r.targets])).toEqual([['NSG web-nsg', ['web-nsg', 'vnet1/app', 'vm1-nic']]]);
    const rs = d.rulesets[0]!;
    expect(rs.tables[0]!.chains.map((c) => [c.name, c.hook, c.policy])).toEqual([
      ['Inbound', 'input', 'drop'],
      ['Outbound', 'output', 'drop'],
    ]);
    const rules = inbound(rs);
    expect(rules.map((r) => r.text)).toEqual([
      'allow tcp:1761-1768 from Internet to * (priority 200)',
      'default rule DenyAllInBound: deny *:* from * to * (priority 65500)',
    ]);
    const r = rules[0]!;
    expect(r.span.start).toEqual({ line: 4, column: 5, offset: 48 });
    expect(r.span.end).toEqual({ line: 14, column: 6, offset: 331 });
    expect(AZ_CLI.slice(r.span.start.offset, r.span.end.offset)).toMatch(/^\{\n {6}"name": "cft",[^]*\n {4}\}$/);
    expect(r.reportSpan!.start).toEqual({ line: 10, column: 30, offset: 203 });
    expect(AZ_CLI.slice(r.reportSpan!.start.offset, r.reportSpan!.end.offset)).toBe('"Internet"');
    expect(canonicalRule(r)).toBe('dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0, ::/0 => accept');
    expect(reach(rs, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
    // the listed default rules replace the synthesized ones
    expect(rules.length).toBe(2);
  });

  test('a higher-priority deny hides the allow of 1768; defaults synthesized at the NSG object', () => {
    const nsg = {
      name: 'n1',
      type: 'Microsoft.Network/networkSecurityGroups',
      properties: {
        securityRules: [rule('allow-cft', 200, 'Allow', { destinationPortRange: '1761-1768' }), rule('deny-1768', 100, 'Deny', { destinationPortRange: undefined, destinationPortRanges: ['1768'] })],
      },
    };
    const text = JSON.stringify([nsg], null, 2);
    const rs = parseAzure(text).rulesets[0]!;
    const rules = inbound(rs);
    expect(rules.map((r) => r.comment)).toEqual(['deny-1768', 'allow-cft', 'AllowVnetInBound: Azure default rule (not written in the input)', 'AllowAzureLoadBalancerInBound: Azure default rule (not written in the input)', 'DenyAllInBound: Azure default rule (not written in the input)']);
    expect(rules[2]!.text).toBe('default rule AllowVnetInBound: allow *:* from VirtualNetwork to VirtualNetwork (priority 65000)');
    expect(rules[2]!.span).toEqual({ start: { line: 2, column: 3, offset: 4 }, end: rules[2]!.span.end });
    expect(text.slice(rules[2]!.span.start.offset, rules[2]!.span.start.offset + 1)).toBe('{');
    expect(canonicalRule(rules[2]!)).toBe('srcprincipal=VirtualNetwork => accept');
    expect(reach(rs, 1768).open.isEmpty).toBe(true);
    expect(reach(rs, 1768).possibly.isEmpty).toBe(true);
    expect(reach(rs, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    // swap the priorities: the allow wins
    nsg.properties.securityRules[1]!.properties.priority = 300;
    const rs2 = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(reach(rs2, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('a deny covering part of the sources; service tags and ASGs are principals', () => {
    const nsg = {
      name: 'n2',
      properties: {
        securityRules: [
          rule('allow', 300, 'Allow', { destinationPortRange: '1761-1768', sourceAddressPrefix: '0.0.0.0/0' }),
          rule('deny-low-half', 100, 'Deny', { sourceAddressPrefix: undefined, sourceAddressPrefixes: ['0.0.0.0/1'] }),
          rule('lb', 110, 'Allow', { sourceAddressPrefix: 'AzureLoadBalancer', destinationPortRange: '8080' }),
          rule('asg', 120, 'Allow', { sourceAddressPrefix: '', sourceApplicationSecurityGroups: [{ id: '/subscriptions/s/.../applicationSecurityGroups/front' }], destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: 'x/applicationSecurityGroups/back' }], destinationPortRange: '9000' }),
        ],
      },
      type: 'Microsoft.Network/networkSecurityGroups',
    };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(rs.targets).toEqual(['n2', 'asg:back']);
    expect(reach(rs, 1762).open.toCidrs()).toEqual(['128.0.0.0/1']);
    const rules = inbound(rs);
    expect(canonicalRule(rules[1]!)).toBe('dstport=8080 proto=6 srcprincipal=AzureLoadBalancer => accept');
    expect(canonicalRule(rules[2]!)).toBe('dstport=9000 dstprincipal=asg:back proto=6 srcprincipal=asg:front => accept');
  });

  test('protocols, port lists, invalid values → diagnostics and opaque, never a throw', () => {
    const nsg = {
      name: 'n3',
      securityRules: [
        { name: 'udp', priority: 100, access: 'Allow', direction: 'Inbound', protocol: 'Udp', sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRanges: ['1761-1764', '1765', '1766-1768'] },
        { name: 'bad', priority: 'x', access: 'Maybe', direction: 'Inbound', protocol: 'Gre', sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRange: '70000' },
      ],
    };
    const d = parseAzure(JSON.stringify(nsg));
    expect(d.diagnostics.map((x) => x.code)).toEqual(['azure/bad-priority', 'azure/bad-protocol', 'azure/bad-port', 'azure/bad-access']);
    const rules = inbound(d.rulesets[0]!);
    expect(rules[0]!.comment).toBe('bad');
    expect(rules[0]!.action).toEqual({ kind: 'unknown', target: 'Maybe', text: 'access Maybe' });
    // a source of "*" (Any) restricts nothing: it also takes service-tag traffic
    expect(canonicalRule(rules[1]!)).toBe('dstport=1761-1768 proto=17 => accept');
    expect(parseAzure('{"name": [').diagnostics[0]!.code).toBe('json/syntax');
  });
});

describe('port ranges on protocols without ports', () => {
  // ICMP from addresses (the default rules' service tags aside)
  const icmpReach = (rs: Ruleset) =>
    exposedPorts(computeExposure(rs), 1, numRange(0, 65535))
      .filter((e) => e.family === 'ipv4' && !e.sources.isEmpty)
      .map((e) => [e.certainty, e.sources.toString(), e.reasons.map((r) => r.message)]);

  test('an Icmp rule with port 8 (read by Azure as the ICMP type, azure-docs#51522) is undecided, not a rule of no packet', () => {
    const nsg = { name: 'n8', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [rule('ping', 100, 'Allow', { protocol: 'Icmp', destinationPortRange: '8' })] } };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(canonicalRule(inbound(rs)[0]!)).toBe('opaque:azure-port proto=1, 58 => accept');
    // (read as a port test it matched no ICMP packet: ping was reported closed)
    expect(icmpReach(rs)).toEqual([['possibly-open', '0.0.0.0/0', ['destination port 8 of protocol Icmp at line 1 may or may not match']]]);
    // a Deny so written closes nothing for certain
    const deny = { ...nsg, properties: { securityRules: [rule('no-ping', 100, 'Deny', { protocol: 'Icmp', destinationPortRange: '8' }), rule('all', 200, 'Allow', { protocol: '*' })] } };
    expect(icmpReach(parseAzure(JSON.stringify(deny)).rulesets[0]!).map(([c]) => c)).toEqual(['possibly-open']);
  });

  test('"0-65535" is every port, as "*": a rule of protocol * so written also takes ICMP', () => {
    const nsg = { name: 'n9', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [rule('all', 100, 'Allow', { protocol: '*', sourceAddressPrefix: '203.0.113.0/24', destinationPortRange: '0-65535' })] } };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(canonicalRule(inbound(rs)[0]!)).toBe('srcaddr=203.0.113.0/24 => accept');
    expect(icmpReach(rs)).toEqual([['open', '203.0.113.0/24', []]]);
  });
});

describe('a rule of invalid priority', () => {
  test('Azure rejects it (priority 100–4096): a deny so written closes nothing', () => {
    // https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules
    // ("Priority: a number between 100 and 4096"); ARM refuses the rule (SecurityRuleInvalidPriority)
    const nsg = {
      name: 'n4',
      securityRules: [
        { name: 'deny', priority: 90, access: 'Deny', direction: 'Inbound', protocol: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRange: '1761' },
        { name: 'cft', priority: 100, access: 'Allow', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRange: '1761-1768' },
      ],
    };
    const d = parseAzure(JSON.stringify(nsg));
    expect(d.diagnostics.map((x) => x.code)).toEqual(['azure/bad-priority']);
    const rs = d.rulesets[0]!;
    const r = reach(rs, 1761);
    expect([r.open.toCidrs(), r.possibly.toCidrs()]).toEqual([[], ['0.0.0.0/0']]);
    expect(reach(rs, 1762).open.toCidrs()).toEqual(['0.0.0.0/0']);
  });
});

describe('a rule without a protocol, a destination port range or a destination', () => {
  test('Azure refuses it (protocol is required; a destination port range and a destination must be given): said, and a deny so written closes nothing', () => {
    // SecurityRulePropertiesFormat: "protocol: Network protocol this rule applies to. Required."; the network resource
    // provider: "must specify a non-empty value for either DestinationPortRange or DestinationPortRanges"
    // (kubernetes-sigs/cloud-provider-azure#9355); "must specify a non empty value for exactly one of:
    // DestinationAddressPrefixes, DestinationAddressPrefix, DestinationApplicationSecurityGroups" (Azure/azure-cli#8615).
    // Read as every protocol / port / destination, these denies closed 1761-1763.
    const nsg = {
      name: 'n5',
      securityRules: [
        { name: 'no-ports', priority: 100, access: 'Deny', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*' },
        { name: 'no-proto', priority: 110, access: 'Deny', direction: 'Inbound', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '1762' },
        { name: 'no-dst', priority: 120, access: 'Deny', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationPortRange: '1763' },
        { name: 'cft', priority: 200, access: 'Allow', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '1761-1768' },
        { name: 'allow-no-ports', priority: 300, access: 'Allow', direction: 'Inbound', protocol: 'Udp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRanges: [] },
      ],
    };
    const text = JSON.stringify(nsg, null, 1);
    const d = parseAzure(text);
    expect(d.diagnostics.map((x) => [x.severity, x.code, x.message, x.span.start.line])).toEqual([
      ['warning', 'azure/missing-port', 'security rule "no-ports" has no destination port range: Azure refuses such a rule', 4],
      ['warning', 'azure/missing-protocol', 'security rule "no-proto" has no protocol: Azure refuses such a rule', 14],
      ['warning', 'azure/missing-destination', 'security rule "no-dst" has no destination address prefix: Azure refuses such a rule', 24],
      ['warning', 'azure/missing-port', 'security rule "allow-no-ports" has no destination port range: Azure refuses such a rule', 45],
    ]);
    const rs = d.rulesets[0]!;
    const r1761 = reach(rs, 1761);
    expect([r1761.open.toCidrs(), r1761.possibly.toCidrs()]).toEqual([[], ['0.0.0.0/0']]);
    const r1762 = reach(rs, 1762);
    expect([r1762.open.toCidrs(), r1762.possibly.toCidrs()]).toEqual([[], ['0.0.0.0/0']]);
    const r1763 = reach(rs, 1763);
    expect([r1763.open.toCidrs(), r1763.possibly.toCidrs()]).toEqual([[], ['0.0.0.0/0']]);
    // an allow without ports is still read as every port (it opens at most that)
    expect(reach(rs, 53, 17).open.toCidrs()).toEqual(['0.0.0.0/0']);
    expect(inbound(rs).slice(0, 3).map(canonicalRule)).toEqual(['opaque:invalid proto=6 => drop', 'dstport=1762 opaque:invalid => drop', 'dstport=1763 opaque:invalid proto=6 => drop']);
  });
});

describe('a deny with one invalid port range or address prefix', () => {
  test('Azure refuses the whole rule (SecurityRuleInvalidPortRange): its valid items close nothing either', () => {
    // "Security rule has invalid Port range. Value provided: 636, 389." (hashicorp/terraform-provider-azurerm#1530):
    // the rule is not created. Read item by item, the deny closed 22 and 23.
    const nsg = {
      name: 'n6',
      securityRules: [
        { name: 'd', priority: 100, access: 'Deny', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRanges: ['22', '70000'] },
        { name: 'd2', priority: 110, access: 'Deny', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefixes: ['0.0.0.0/0', '10.0.0.0/33'], sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '23' },
        { name: 'ssh', priority: 200, access: 'Allow', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRanges: ['22', '23', '24'] },
      ],
    };
    const d = parseAzure(JSON.stringify(nsg));
    expect(d.diagnostics.map((x) => x.code)).toEqual(['azure/bad-port', 'azure/bad-prefix']);
    const rs = d.rulesets[0]!;
    for (const port of [22, 23]) {
      const r = reach(rs, port);
      expect([port, r.open.toCidrs(), r.possibly.toCidrs()]).toEqual([port, [], ['0.0.0.0/0']]);
    }
    // nothing else opens: the allow opens its valid items at most
    expect(reach(rs, 25).open.toCidrs().concat(reach(rs, 25).possibly.toCidrs())).toEqual([]);
  });
});

describe('a tag or * in a list of address prefixes', () => {
  test('Azure refuses the rule (a list takes addresses and ranges only): said, and a deny so written closes nothing', () => {
    // azurerm's security rule: "source_address_prefixes - List of source address prefixes. Tags may not be used."; the
    // single field takes `*` and the tags. Read as written, the deny of ["*"] closed 1761–1768 from everywhere.
    const nsg = {
      name: 'n7',
      securityRules: [
        { name: 'd', priority: 100, access: 'Deny', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefixes: ['*'], sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '1761-1768' },
        { name: 'd2', priority: 110, access: 'Deny', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefixes: ['10.0.0.0/8', 'VirtualNetwork'], destinationPortRange: '22' },
        { name: 'a', priority: 200, access: 'Allow', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefixes: ['203.0.113.0/24', 'AzureLoadBalancer'], sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
        { name: 'all', priority: 300, access: 'Allow', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' },
      ],
    };
    const d = parseAzure(JSON.stringify(nsg));
    expect(d.diagnostics.map((x) => [x.code, x.message])).toEqual([
      ['azure/tag-in-list', 'security rule "d" lists "*" among its address prefixes: a list takes addresses and ranges only (a tag or * goes in the single prefix field), and Azure refuses such a rule'],
      ['azure/tag-in-list', 'security rule "d2" lists "VirtualNetwork" among its address prefixes: a list takes addresses and ranges only (a tag or * goes in the single prefix field), and Azure refuses such a rule'],
      ['azure/tag-in-list', 'security rule "a" lists "AzureLoadBalancer" among its address prefixes: a list takes addresses and ranges only (a tag or * goes in the single prefix field), and Azure refuses such a rule'],
    ]);
    const rs = d.rulesets[0]!;
    for (const port of [1761, 22]) {
      const r = reach(rs, port);
      expect([port, r.open.toCidrs(), r.possibly.toCidrs()]).toEqual([port, [], ['0.0.0.0/0']]);
    }
  });
});

describe('Any and the Internet service tag', () => {
  test('a Deny from "*" also closes service-tag traffic: the defaults after it are never reached', () => {
    // a common last rule: Deny * at 4096; AllowVnetInBound (65000) and AllowAzureLoadBalancerInBound (65001) come after it
    const nsg = { name: 'n5', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [rule('deny-all', 4096, 'Deny', { protocol: '*' })] } };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(canonicalRule(inbound(rs)[0]!)).toBe(' => drop');
    const r = reach(rs, 1761);
    expect([r.open.isEmpty, r.possibly.isEmpty, r.principals]).toEqual([true, true, []]);
  });

  test('a Deny from Internet closes public addresses only: the virtual network still reaches an allow from "*" behind it', () => {
    // service-tags-overview: Internet is the address space outside the virtual network; VirtualNetwork
    // (the VNet's own space, peerings, on-premises) is not in it and goes on to the allow at 200
    const nsg = {
      name: 'n6',
      type: 'Microsoft.Network/networkSecurityGroups',
      properties: { securityRules: [rule('deny-internet', 100, 'Deny', { sourceAddressPrefix: 'Internet', destinationPortRange: '1761-1768' }), rule('allow-any', 200, 'Allow', { destinationPortRange: '1761-1768' })] },
    };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    const r = reach(rs, 1761);
    expect(r.open.isEmpty).toBe(true);
    expect(r.possibly.toCidrs()).toEqual(['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '168.63.129.16/32', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16']);
    expect(r.principals).toContain('open:VirtualNetwork');
    // an Allow from Internet still admits every address (the most it may let in)
    const allow = { ...nsg, properties: { securityRules: [rule('allow-internet', 100, 'Allow', { sourceAddressPrefix: 'Internet', destinationPortRange: '1761' })] } };
    expect(reach(parseAzure(JSON.stringify(allow)).rulesets[0]!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('service tag names are case-insensitive', () => {
  test('a Deny from "virtualnetwork" and "AZURELOADBALANCER" closes what the default rules open to VirtualNetwork and AzureLoadBalancer', () => {
    const nsg = {
      name: 'n7',
      type: 'Microsoft.Network/networkSecurityGroups',
      properties: { securityRules: [rule('deny-vnet', 100, 'Deny', { protocol: '*', sourceAddressPrefix: 'virtualnetwork' }), rule('deny-lb', 110, 'Deny', { protocol: '*', sourceAddressPrefix: 'AZURELOADBALANCER' })] },
    };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(inbound(rs).slice(0, 2).map((r) => canonicalRule(r))).toEqual(['srcprincipal=VirtualNetwork => drop', 'srcprincipal=AzureLoadBalancer => drop']);
    const r = reach(rs, 1761);
    expect([r.open.isEmpty, r.possibly.isEmpty, r.principals]).toEqual([true, true, []]);
  });

  test('a subnet NSG allowing "virtualnetwork" and a NIC NSG allowing "VirtualNetwork": the NIC is open to the one tag', () => {
    // (read as two principals, no packet passed both NSGs: the NIC was reported closed)
    const only = (prefix: string) => ({ properties: { securityRules: [rule('a', 100, 'Allow', { sourceAddressPrefix: prefix, destinationPortRange: '1761' }), rule('d', 200, 'Deny', { protocol: '*' })] } });
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'sub-nsg', ...only('virtualnetwork') },
        { type: 'Microsoft.Network/virtualNetworks', name: 'vnet', properties: { subnets: [{ name: 'app', properties: { networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'sub-nsg')]" } } }] } },
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'nic-nsg', ...only('VirtualNetwork') },
        {
          type: 'Microsoft.Network/networkInterfaces',
          name: 'vm1-nic',
          properties: {
            networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'nic-nsg')]" },
            ipConfigurations: [{ name: 'ip', properties: { subnet: { id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'app')]" } } }],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(template, null, 2));
    const nic = d.rulesets.find((r) => r.name.startsWith('NIC vm1-nic'))!;
    expect(reach(nic, 1761).principals).toEqual(['open:VirtualNetwork']);
    // any other service tag and application security group too: one principal, its first spelling
    const other = JSON.stringify(template, null, 2).replace('"virtualnetwork"', '"Storage.WestEurope"').replace('"VirtualNetwork"', '"storage.westeurope"');
    const nic2 = parseAzure(other).rulesets.find((r) => r.name.startsWith('NIC vm1-nic'))!;
    expect(reach(nic2, 1761).principals).toEqual(['open:Storage.WestEurope']);
  });
});

describe('VirtualNetwork as the destination of an inbound rule', () => {
  test('is every inbound packet (NSGs see the NIC’s private address): a Deny to VirtualNetwork closes the ports', () => {
    const nsg = {
      name: 'n9',
      type: 'Microsoft.Network/networkSecurityGroups',
      properties: { securityRules: [rule('deny-cft', 100, 'Deny', { protocol: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '1761-1768' }), rule('allow', 200, 'Allow', { destinationPortRange: '1700-1800' })] },
    };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(canonicalRule(inbound(rs)[0]!)).toBe('dstport=1761-1768 => drop');
    expect(reach(rs, 1761)).toEqual({ open: AddrSet.EMPTY, possibly: AddrSet.EMPTY, principals: [] });
    // outbound it stays a destination that may or may not match
    const out = { ...nsg, properties: { securityRules: [rule('o', 100, 'Deny', { direction: 'Outbound', destinationAddressPrefix: 'VirtualNetwork' })] } };
    expect(canonicalRule(parseAzure(JSON.stringify(out)).rulesets[0]!.tables[0]!.chains[1]!.rules[0]!)).toBe('dstprincipal=VirtualNetwork proto=6 => drop');
  });
});

describe('az network nsg rule list --include-default', () => {
  test('the listed default rules (priorities 65000-65500) are the NSG defaults, not invalid custom rules', () => {
    const id = (kind: string, name: string) => `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/cft-nsg/${kind}/${name}`;
    const list = [
      { ...rule('cft', 200, 'Allow', { sourceAddressPrefix: '203.0.113.0/24', destinationPortRange: '1761-1768' }).properties, name: 'cft', id: id('securityRules', 'cft'), type: 'Microsoft.Network/networkSecurityGroups/securityRules' },
      { ...rule('AllowVnetInBound', 65000, 'Allow', { protocol: '*', sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: 'VirtualNetwork' }).properties, name: 'AllowVnetInBound', id: id('defaultSecurityRules', 'AllowVnetInBound'), type: 'Microsoft.Network/networkSecurityGroups/defaultSecurityRules' },
      { ...rule('DenyAllInBound', 65500, 'Deny', { protocol: '*' }).properties, name: 'DenyAllInBound', id: id('defaultSecurityRules', 'DenyAllInBound'), type: 'Microsoft.Network/networkSecurityGroups/defaultSecurityRules' },
    ];
    const text = JSON.stringify(list, null, 2);
    expect(azureJsonFormat.detect('rules.json', text)).toBe(90);
    const d = parseAzure(text);
    expect(d.diagnostics).toEqual([]);
    expect(inbound(d.rulesets[0]!).map((r) => [r.comment, r.builtIn ?? false])).toEqual([
      ['cft', false],
      ['AllowVnetInBound', true],
      ['DenyAllInBound', true],
    ]);
  });
});

describe('ARM resource copy loops', () => {
  test('child security rules in a copy loop with a known count are one rule per index, attached to their NSG', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { ports: { type: 'array', defaultValue: ['1761', '1762', '1768'] } },
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg', properties: {} },
        {
          type: 'Microsoft.Network/networkSecurityGroups/securityRules',
          name: "[concat('nsg/cft-', parameters('ports')[copyIndex()])]",
          copy: { name: 'cftRules', count: "[length(parameters('ports'))]" },
          properties: rule('x', "[add(100, copyIndex())]" as never, 'Allow', { destinationPortRange: "[parameters('ports')[copyIndex()]]" }).properties,
        },
      ],
    };
    const d = parseAzure(JSON.stringify(template));
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG nsg']);
    expect(inbound(d.rulesets[0]!).slice(0, 3).map((r) => [r.comment, r.text])).toEqual([
      ['cft-1761', 'allow tcp:1761 from * to * (priority 100)'],
      ['cft-1762', 'allow tcp:1762 from * to * (priority 101)'],
      ['cft-1768', 'allow tcp:1768 from * to * (priority 102)'],
    ]);
  });
});

describe('ARM rule list items that are expressions', () => {
  test('"[variables(\'cftRule\')]" is the rule it names; an unknown item is an unknown rule, not dropped', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { extraRule: { type: 'object' } },
      variables: { cftRule: rule('cft', 100, 'Allow', { destinationPortRange: '1761-1768' }) },
      resources: [{ type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg', properties: { securityRules: ["[variables('cftRule')]", "[parameters('extraRule')]"] } }],
    };
    const rs = parseAzure(JSON.stringify(template)).rulesets[0]!;
    expect(inbound(rs).slice(0, 2).map((r) => r.text)).toEqual(["unresolved security rules [parameters('extraRule')]", 'allow tcp:1761-1768 from * to * (priority 100)']);
    expect(reach(rs, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    // without the unknown item the variable's rule opens it for certain
    template.resources[0]!.properties.securityRules.pop();
    expect(reach(parseAzure(JSON.stringify(template)).rulesets[0]!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('ARM conditions', () => {
  test('a child rule whose condition is false is not deployed: never evaluated, not "possibly open", no warning', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { enableCft: { type: 'bool', defaultValue: false } },
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg', properties: { securityRules: [] } },
        { condition: "[parameters('enableCft')]", type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: 'nsg/cft', properties: rule('x', 100, 'Allow', { destinationPortRange: '1761-1768' }).properties },
      ],
    };
    const d = parseAzure(JSON.stringify(template));
    expect(d.diagnostics).toEqual([]);
    const rs = d.rulesets[0]!;
    expect(inbound(rs)[0]!.disabled).toBe(true);
    expect(reach(rs, 1761)).toEqual({ open: AddrSet.EMPTY, possibly: AddrSet.EMPTY, principals: ['open:AzureLoadBalancer', 'open:VirtualNetwork'] });
  });

  test('an NSG whose condition is false is not deployed: its inline rules open nothing', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [{ condition: false, type: 'Microsoft.Network/networkSecurityGroups', name: 'off', properties: { securityRules: [rule('any', 100, 'Allow', { destinationPortRange: '1761-1768' })] } }],
    };
    const d = parseAzure(JSON.stringify(template));
    expect(d.diagnostics.map((x) => x.message)).toEqual(['NSG off has a condition that is false: it is not deployed']);
    expect(inbound(d.rulesets[0]!)[0]!.disabled).toBe(true);
    expect(reach(d.rulesets[0]!, 1761).open).toEqual(AddrSet.EMPTY);
  });
});

describe('a Deny from every IPv4 address', () => {
  test('"0.0.0.0/0" in a Deny also stops service-tag sources of IPv4 (the load balancer probe 168.63.129.16 is one)', () => {
    const nsg = { name: 'n8', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [rule('deny-v4', 4000, 'Deny', { protocol: '*', sourceAddressPrefix: '0.0.0.0/0' })] } };
    const rs = parseAzure(JSON.stringify(nsg)).rulesets[0]!;
    expect(canonicalRule(inbound(rs)[0]!)).toBe('family=ipv4 => drop');
    expect(reach(rs, 1761)).toEqual({ open: AddrSet.EMPTY, possibly: AddrSet.EMPTY, principals: [] });
  });
});

describe('ARM functions templates use for rules', () => {
  test('arithmetic, split/join/replace, first/last, coalesce, union, range: priorities and port lists resolve', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { base: { type: 'int', defaultValue: 1761 }, ports: { type: 'string', defaultValue: '1761, 1762,1768' } },
      variables: { cft: "[concat(string(parameters('base')), '-', string(add(parameters('base'), 7)))]" },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'n7',
          properties: {
            securityRules: [
              rule('range', "[add(100, mul(2, 5))]" as never, 'Allow', { destinationPortRange: "[variables('cft')]" }),
              rule('list', "[sub(200, mod(7, 4))]" as never, 'Deny', { destinationPortRange: undefined, destinationPortRanges: "[split(replace(parameters('ports'), ' ', ''), ',')]" }),
              rule('first', "[max(createArray(300, 301))]" as never, 'Allow', { destinationPortRange: "[first(union(createArray('22'), createArray('22', '23')))]", sourceAddressPrefix: "[coalesce(null(), '10.0.0.0/8')]" }),
              rule('join', "[div(801, 2)]" as never, 'Allow', { destinationPortRange: "[join(createArray('80', '81'), '-')]", sourceAddressPrefix: undefined, sourceAddressPrefixes: "[range(1, 2)]" }),
            ],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(template));
    expect(d.diagnostics.map((x) => x.message)).toEqual(['invalid address prefix "1"', 'invalid address prefix "2"']);
    expect(inbound(d.rulesets[0]!).slice(0, 4).map((r) => r.text)).toEqual([
      'allow tcp:1761-1768 from * to * (priority 110)',
      'deny tcp:1761,1762,1768 from * to * (priority 197)',
      'allow tcp:22 from 10.0.0.0/8 to * (priority 301)',
      'allow tcp:80-81 from 1, 2 to * (priority 400)',
    ]);
  });
});

describe('ARM user-defined functions', () => {
  test("namespace.member(…) is the member's output with its parameters bound; it sees no template parameter", () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { lo: { type: 'int', defaultValue: 1761 } },
      functions: [
        {
          namespace: 'fw',
          members: {
            world: { parameters: [], output: { type: 'string', value: 'Internet' } },
            portRange: { parameters: [{ name: 'lo', type: 'int' }, { name: 'count', type: 'int' }], output: { type: 'string', value: "[format('{0}-{1}', parameters('lo'), add(parameters('lo'), sub(parameters('count'), 1)))]" } },
            leaky: { parameters: [], output: { type: 'string', value: "[string(parameters('lo'))]" } },
          },
        },
      ],
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'n8',
          properties: {
            securityRules: [
              rule('cft', 100, 'Allow', { sourceAddressPrefix: '[fw.world()]', destinationPortRange: "[FW.portRange(parameters('lo'), 8)]" }),
              rule('leak', 200, 'Allow', { sourceAddressPrefix: '10.0.0.0/8', destinationPortRange: '[fw.leaky()]' }),
            ],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(template));
    expect(d.diagnostics.map((x) => x.message)).toEqual([`Cannot evaluate [fw.leaky()] (security rule "leak"): the port range is not a literal; it is treated as unknown`]);
    expect(inbound(d.rulesets[0]!).slice(0, 1).map((r) => r.text)).toEqual(['allow tcp:1761-1768 from Internet to * (priority 100)']);
    expect(reach(d.rulesets[0]!, 1768).open.toString()).toBe('0.0.0.0/0');
  });
});

describe('ARM linked templates (templateLink.relativePath)', () => {
  const linked = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    parameters: { src: { type: 'string' }, port: { type: 'string', defaultValue: '22' } },
    resources: [{ type: 'Microsoft.Network/networkSecurityGroups', name: 'linked-nsg', properties: { securityRules: [rule('r', 100, 'Allow', { sourceAddressPrefix: "[parameters('src')]", destinationPortRange: "[parameters('port')]" })] } }],
  };
  const deployment = (name: string, properties: Record<string, unknown>) => ({ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name, properties: { mode: 'Incremental', ...properties } });
  const main = (...resources: unknown[]) =>
    JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', parameters: { src: { type: 'string', defaultValue: 'Internet' } }, resources }, null, 1);
  const read = (p: string, from: string | undefined) =>
    from === '/t/main.json' && p === 'nested/nsg.json' ? { path: '/t/nested/nsg.json', text: JSON.stringify(linked) } : { error: `cannot read ${p}` };

  test('is read with the parameters the deployment passes, its rules placed at the deployment', () => {
    const text = main(deployment('d', { templateLink: { relativePath: 'nested/nsg.json' }, parameters: { src: { value: "[parameters('src')]" }, port: { value: '1761-1768' } } }));
    const d = parseAzure(text, { filePath: '/t/main.json', readInclude: read });
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG linked-nsg']);
    expect(reach(d.rulesets[0]!, 1765).open.toString()).toBe('0.0.0.0/0');
    const line = text.split('\n').findIndex((l) => l.includes('"type": "Microsoft.Resources/deployments"'));
    expect(inbound(d.rulesets[0]!)[0]!.span.start.line).toBe(line);
  });

  test('a parameters file linked makes its parameters unknown; a template not readable, or at a URI, is reported', () => {
    const d = parseAzure(main(deployment('p', { templateLink: { relativePath: 'nested/nsg.json' }, parametersLink: { uri: 'https://example.com/p.json' } })), { filePath: '/t/main.json', readInclude: read });
    expect(reach(d.rulesets[0]!, 22).open.isEmpty).toBe(true);
    expect(reach(d.rulesets[0]!, 1765).possibly.toString()).toBe('0.0.0.0/0');
    const missing = parseAzure(main(deployment('m', { templateLink: { relativePath: 'other.json' } }), deployment('u', { templateLink: { uri: 'https://example.com/t.json' } })), { filePath: '/t/main.json', readInclude: read });
    expect(missing.diagnostics.map((x) => x.message)).toEqual([
      'nested deployment m links to a template that is not in the input (cannot read other.json): its NSGs are not evaluated',
      'nested deployment u links to a template that is not in the input: its NSGs are not evaluated',
    ]);
  });
});

describe('ARM expressions inside a rule field\'s list', () => {
  test('"destinationPortRanges": ["[parameters(\'pesitPort\')]", "1768"] and prefixes of parameters are evaluated', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { pesitPort: { type: 'string', defaultValue: '1761' }, partner: { type: 'string', defaultValue: '198.51.100.7' }, adminCidr: { type: 'string' } },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'nsg-x',
          properties: {
            securityRules: [
              rule('cft', 100, 'Allow', {
                destinationPortRange: undefined,
                destinationPortRanges: ["[parameters('pesitPort')]", '1768'],
                sourceAddressPrefix: undefined,
                sourceAddressPrefixes: ["[parameters('partner')]", '203.0.113.0/24', "[parameters('adminCidr')]"],
              }),
            ],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(t));
    // it was an error (invalid port range "[parameters('pesitPort')]"): a parse failure, and the partner's
    // expression was taken for a service tag
    expect(d.diagnostics.map((x) => `${x.severity} ${x.message}`)).toEqual([
      "warning Cannot evaluate [parameters('adminCidr')] (security rule \"cft\"): the address prefix is not a literal; it is treated as unknown",
    ]);
    const rs = d.rulesets[0]!;
    expect(inbound(rs)[0]!.text).toBe("allow tcp:1761,1768 from 198.51.100.7, 203.0.113.0/24, [parameters('adminCidr')] to * (priority 100)");
    const r = reach(rs, 1768);
    expect(r.open.toCidrs()).toEqual(['198.51.100.7/32', '203.0.113.0/24']);
    expect(r.possibly.union(r.open).equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('a rule whose priority is not known', () => {
  test('a deny may come before the allows: what it matches is possibly closed, and it is not "never reached"', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { denyPriority: { type: 'int' } },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'nsg-p',
          properties: {
            securityRules: [
              rule('deny-cft', "[parameters('denyPriority')]" as never, 'Deny', { destinationPortRange: '1761-1768', protocol: '*' }),
              rule('allow-cft', 500, 'Allow', { destinationPortRange: '1761-1768', sourceAddressPrefix: 'Internet' }),
            ],
          },
        },
      ],
    };
    const rs = parseAzure(JSON.stringify(t)).rulesets[0]!;
    // the deny was placed after the default rules: 1761 certainly open from the internet, and the deny reported as
    // never reached
    expect(inbound(rs).map((r) => r.comment?.split(':')[0])).toEqual(['deny-cft', 'allow-cft', 'AllowVnetInBound', 'AllowAzureLoadBalancerInBound', 'DenyAllInBound']);
    const r = reach(rs, 1761);
    expect([r.open.isEmpty, r.possibly.equals(AddrSet.ALL_V4)]).toEqual([true, true]);
  });
});

describe('az group export / portal "Export template"', () => {
  test('an inline rule and its child resource of the same name are one rule, not a duplicate priority and a shadowed rule', () => {
    const props = rule('x', 300, 'Allow', { destinationPortRange: '1761-1768', sourceAddressPrefix: 'Internet' }).properties;
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { networkSecurityGroups_nsg_mft_name: { defaultValue: 'nsg-mft', type: 'String' } },
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: "[parameters('networkSecurityGroups_nsg_mft_name')]", properties: { securityRules: [{ name: 'Allow-CFT', properties: props }] } },
        { type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: "[concat(parameters('networkSecurityGroups_nsg_mft_name'), '/Allow-CFT')]", properties: props },
        { type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: "[concat(parameters('networkSecurityGroups_nsg_mft_name'), '/Deny-1764')]", properties: { ...props, access: 'Deny', priority: 200, destinationPortRange: '1764' } },
      ],
    };
    const text = JSON.stringify(t, null, 2);
    const d = parseAzure(text);
    // it warned "security rules "Allow-CFT" and "Allow-CFT" … have the same priority 300 (Azure rejects this)"
    expect(d.diagnostics).toEqual([]);
    const rules = inbound(d.rulesets[0]!).filter((r) => !r.builtIn);
    // the child resource is the rule (its object starts two lines above its name: "{", "type")
    const objectLine = (s: string): number => text.split('\n').findIndex((l) => l.includes(s)) - 1;
    expect(rules.map((r) => `${r.comment} ${r.span.start.line}`)).toEqual([`Deny-1764 ${objectLine('/Deny-1764')}`, `Allow-CFT ${objectLine("'/Allow-CFT'")}`]);
    expect(reach(d.rulesets[0]!, 1764).open.isEmpty).toBe(true);
  });
});

describe('ARM resource names are case-insensitive', () => {
  test('a child rule "nsg-mft/…" belongs to the NSG "NSG-Mft"; a NIC finds its subnet and NSG whatever their case', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'NSG-Mft', properties: { securityRules: [rule('cft', 200, 'Allow', { destinationPortRange: '1761-1768' })] } },
        { type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: 'nsg-mft/deny-1764', properties: rule('x', 100, 'Deny', { destinationPortRange: '1764' }).properties },
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg-nic', properties: { securityRules: [rule('all', 100, 'Allow')] } },
        { type: 'Microsoft.Network/virtualNetworks', name: 'VNet1', properties: { subnets: [{ name: 'App', properties: { networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-MFT')]" } } }] } },
        {
          type: 'Microsoft.Network/networkInterfaces',
          name: 'vm1-nic',
          properties: {
            networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'NSG-NIC')]" },
            ipConfigurations: [{ name: 'ip', properties: { subnet: { id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet1', 'app')]" } } }],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(t));
    // the deny was a rule of a second NSG "nsg-mft (rules only; …)", so 1764 stayed open in NSG-Mft
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG NSG-Mft', 'NSG nsg-nic', 'NIC vm1-nic (subnet vnet1/app NSG NSG-Mft + NIC NSG nsg-nic)']);
    expect(d.rulesets[0]!.targets).toEqual(['NSG-Mft', 'VNet1/App']);
    expect(reach(d.rulesets[0]!, 1764).open.isEmpty).toBe(true);
    expect(reach(d.rulesets[0]!, 1763).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(d.rulesets[2]!, 1764).open.isEmpty).toBe(true);
  });
});

describe('ARM union() of objects', () => {
  test('a later property wins and nested objects merge: a rule built from a base object and its own fields', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      variables: { base: { properties: { direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', destinationAddressPrefix: '*', sourceAddressPrefix: '*' } } },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'nsg-u',
          properties: {
            securityRules: [
              "[union(variables('base'), createObject('name', 'cft', 'properties', createObject('priority', 200, 'destinationPortRange', '1761', 'sourceAddressPrefix', '10.0.0.0/8')))]",
              "[union(variables('base'), json('{\"name\": \"deny\", \"properties\": {\"access\": \"Deny\", \"priority\": 150, \"destinationPortRange\": \"1762\"}}'))]",
            ],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(t));
    expect(d.diagnostics).toEqual([]);
    expect(inbound(d.rulesets[0]!).filter((r) => !r.builtIn).map((r) => r.text)).toEqual([
      'deny tcp:1762 from * to * (priority 150)',
      'allow tcp:1761 from 10.0.0.0/8 to * (priority 200)',
    ]);
  });
});

describe('ARM items() and flatten()', () => {
  test('a property copy over items() of an object parameter', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { rules: { type: 'object', defaultValue: { rest: { p: 210, ports: [['1768']] }, pesit: { p: 200, ports: [['1761'], ['1762']] } } } },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'nsg-i',
          properties: {
            copy: [
              {
                name: 'securityRules',
                count: "[length(items(parameters('rules')))]",
                input: rule("[items(parameters('rules'))[copyIndex('securityRules')].key]", "[items(parameters('rules'))[copyIndex('securityRules')].value.p]" as never, 'Allow', {
                  destinationPortRange: undefined,
                  destinationPortRanges: "[flatten(items(parameters('rules'))[copyIndex('securityRules')].value.ports)]",
                }),
              },
            ],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(t));
    expect(d.diagnostics).toEqual([]);
    expect(inbound(d.rulesets[0]!).filter((r) => !r.builtIn).map((r) => `${r.comment}: ${r.text}`)).toEqual([
      'pesit: allow tcp:1761,1762 from * to * (priority 200)',
      'rest: allow tcp:1768 from * to * (priority 210)',
    ]);
  });
});

describe('ARM CIDR functions', () => {
  test('cidrSubnet (absolute new prefix length) and cidrHost (index 0 is the first usable address) resolve; out of range stays unknown', () => {
    const src = (p: string) => ({ sourceAddressPrefix: p });
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { net: { type: 'string', defaultValue: '10.144.0.0/20' } },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'n',
          properties: {
            securityRules: [
              // the examples of the ARM template functions documentation (CIDR)
              rule('a', 100, 'Allow', src("[cidrSubnet(parameters('net'), 24, 3)]")),
              rule('b', 110, 'Allow', src("[cidrSubnet('fdad:3236:5555::/48', 52, 1)]")),
              rule('c', 120, 'Allow', src("[cidrHost('10.144.3.0/24', 0)]")),
              rule('d', 130, 'Allow', src("[cidrHost('fdad:3236:5555:3000::/52', 4)]")),
              rule('e', 140, 'Allow', src("[cidrHost('10.144.3.0/24', 254)]")),
            ],
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(template));
    expect(inbound(d.rulesets[0]!).slice(0, 5).map((r) => r.text)).toEqual([
      'allow tcp:* from 10.144.3.0/24 to * (priority 100)',
      'allow tcp:* from fdad:3236:5555:1000::/52 to * (priority 110)',
      'allow tcp:* from 10.144.3.1 to * (priority 120)',
      'allow tcp:* from fdad:3236:5555:3000::5 to * (priority 130)',
      "allow tcp:* from [cidrHost('10.144.3.0/24', 254)] to * (priority 140)",
    ]);
  });
});

describe('az network nsg rule list', () => {
  test('rules without their NSG are grouped by the NSG name in their id', () => {
    const text = JSON.stringify([
      { name: 'cft', id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/edge/securityRules/cft', priority: 100, access: 'Allow', direction: 'Inbound', protocol: 'Tcp', sourceAddressPrefix: '*', destinationPortRange: '1761-1768' },
      { name: 'ssh', id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/edge/securityRules/ssh', priority: 110, access: 'Allow', direction: 'Inbound', protocol: 'Tcp', sourceApplicationSecurityGroups: [{ id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationSecurityGroups/bastion' }], destinationPortRange: '22' },
    ]);
    expect(azureJsonFormat.detect('rules.json', text)).toBe(90);
    const d = parseAzure(text);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG edge (rules only; the NSG is defined elsewhere)']);
    const rules = inbound(d.rulesets[0]!);
    expect(rules.map((r) => r.comment).slice(0, 2)).toEqual(['cft', 'ssh']);
    expect(canonicalRule(rules[1]!)).toBe('dstport=22 proto=6 srcprincipal=asg:bastion => accept');
    expect(reach(d.rulesets[0]!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(d.rulesets[0]!, 22).open.isEmpty).toBe(true);
    expect(reach(d.rulesets[0]!, 22).possibly.isEmpty).toBe(true);
  });
});

describe('ARM templates', () => {
  const TEMPLATE = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      nsgName: { type: 'string', defaultValue: 'cft-nsg' },
      cftSource: { type: 'string', defaultValue: '*' },
      adminSource: { type: 'string' },
    },
    variables: {
      cftPorts: '1761-1768',
      subnetRef: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'app')]",
    },
    resources: [
      {
        type: 'Microsoft.Network/networkSecurityGroups',
        name: "[parameters('nsgName')]",
        properties: {
          securityRules: [
            rule('cft', 200, 'Allow', { sourceAddressPrefix: "[parameters('cftSource')]", destinationPortRange: "[variables('cftPorts')]" }),
            rule('admin', 300, 'Allow', { sourceAddressPrefix: "[parameters('adminSource')]", destinationPortRange: '22' }),
          ],
        },
      },
      {
        type: 'Microsoft.Network/networkSecurityGroups/securityRules',
        name: "[concat(parameters('nsgName'), '/deny-1768')]",
        properties: rule('x', 100, 'Deny', { destinationPortRange: '1768' }).properties,
      },
      {
        type: 'Microsoft.Network/virtualNetworks',
        name: 'vnet',
        properties: { subnets: [{ name: 'app', properties: { networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsgName'))]" } } }] },
      },
      {
        type: 'Microsoft.Network/networkSecurityGroups',
        name: 'nic-nsg',
        properties: { securityRules: [rule('nic-deny-cft', 100, 'Deny', { destinationPortRange: '1761-1768' })] },
      },
      {
        type: 'Microsoft.Network/networkInterfaces',
        name: 'vm1-nic',
        properties: {
          networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'nic-nsg')]" },
          ipConfigurations: [{ name: 'ip', properties: { subnet: { id: "[variables('subnetRef')]" } } }],
        },
      },
    ],
  };

  test('parameters/variables resolved, child rule attached by name, unresolved → opaque, subnet + NIC → two base chains', () => {
    const d = parseAzure(JSON.stringify(TEMPLATE, null, 2));
    // the parameter without a default is unevaluated input (no-unevaluated-input shows it)
    expect(d.diagnostics.map((x) => [x.severity, x.span.start.line, x.message])).toEqual([
      ['warning', 49, `Cannot evaluate [parameters('adminSource')] (security rule "admin"): the source address prefix is not a literal; it is treated as unknown`],
    ]);
    expect(d.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['NSG cft-nsg', ['cft-nsg', 'vnet/app']],
      ['NSG nic-nsg', ['nic-nsg', 'vm1-nic']],
      ['NIC vm1-nic (subnet vnet/app NSG cft-nsg + NIC NSG nic-nsg)', ['vm1-nic', 'vnet/app', 'cft-nsg', 'nic-nsg']],
    ]);
    const subnet = d.rulesets[0]!;
    const rules = inbound(subnet);
    expect(rules.slice(0, 3).map((r) => r.text)).toEqual([
      'deny tcp:1768 from * to * (priority 100)',
      'allow tcp:1761-1768 from * to * (priority 200)',
      "allow tcp:22 from [parameters('adminSource')] to * (priority 300)",
    ]);
    expect(canonicalRule(rules[2]!)).toBe('dstport=22 opaque:unresolved proto=6 => accept');
    expect(reach(subnet, 1768).open.isEmpty).toBe(true);
    expect(reach(subnet, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    // 22 is only possibly open: the source is a parameter without a default
    expect(reach(subnet, 22).open.isEmpty).toBe(true);
    expect(reach(subnet, 22).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    // the NIC: subnet NSG allows 1761, the NIC NSG denies it — both must allow
    const nic = d.rulesets[2]!;
    expect(nic.tables.map((t) => [t.name, t.chains.find((c) => c.hook === 'input')!.priority])).toEqual([
      ['cft-nsg', 0],
      ['nic-nsg', 1],
    ]);
    expect(reach(nic, 1761).open.isEmpty).toBe(true);
    expect(reach(nic, 1761).possibly.isEmpty).toBe(true);
    const ids = d.rulesets.flatMap((r) => r.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((x) => x.id))));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('parameter overrides (ParseOptions.variables) win over defaultValue', () => {
    const d = parseAzure(JSON.stringify(TEMPLATE), { variables: { cftSource: '10.0.0.0/8', adminSource: { value: '192.0.2.0/24' } } });
    const rules = inbound(d.rulesets[0]!);
    expect(rules[1]!.text).toBe('allow tcp:1761-1768 from 10.0.0.0/8 to * (priority 200)');
    expect(rules[2]!.text).toBe('allow tcp:22 from 192.0.2.0/24 to * (priority 300)');
  });

  test('copy loops and other unresolvable rule lists become unknown rules; conditions are opaque', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { rules: { type: 'array' }, on: { type: 'bool' } },
      variables: { copy: [{ name: 'rs', count: "[length(parameters('rules'))]", input: {} }] },
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'a', properties: { securityRules: "[variables('rs')]" } },
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'b', condition: "[parameters('on')]", properties: { securityRules: [rule('r', 100, 'Allow', { destinationPortRange: '1761' })] } },
      ],
    };
    const d = parseAzure(JSON.stringify(t));
    const a = inbound(d.rulesets[0]!);
    expect(a[0]!.text).toBe("unresolved security rules [variables('rs')]");
    expect(a[0]!.action.kind).toBe('unknown');
    expect(reach(d.rulesets[0]!, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    const b = inbound(d.rulesets[1]!);
    const whole = parseAzure(JSON.stringify({ ...t, resources: [{ type: 'Microsoft.Network/networkSecurityGroups', name: 'c', properties: "[variables('props')]" }] }));
    expect(inbound(whole.rulesets[0]!)[0]!.text).toBe("unresolved security rules [variables('props')]");
    expect(canonicalRule(b[0]!)).toBe('dstport=1761 opaque:condition proto=6 => accept');
    expect(reach(d.rulesets[1]!, 1761).open.isEmpty).toBe(true);
    expect(reach(d.rulesets[1]!, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('ARM copy loops', () => {
  const rulesParam = {
    type: 'array',
    defaultValue: [
      { name: 'cft', priority: 100, port: '1761-1768', source: '*' },
      { name: 'ssh', priority: 110, port: '22', source: '10.0.0.0/8' },
    ],
  };
  const input = {
    name: "[parameters('rules')[copyIndex('securityRules')].name]",
    properties: {
      priority: "[parameters('rules')[copyIndex('securityRules')].priority]",
      access: 'Allow',
      direction: 'Inbound',
      protocol: 'Tcp',
      sourcePortRange: '*',
      destinationPortRange: "[parameters('rules')[copyIndex('securityRules')].port]",
      sourceAddressPrefix: "[parameters('rules')[copyIndex('securityRules')].source]",
      destinationAddressPrefix: '*',
    },
  };
  test('property iteration over a parameter with a default', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { rules: rulesParam },
      resources: [{ type: 'Microsoft.Network/networkSecurityGroups', name: 'n', properties: { copy: [{ name: 'securityRules', count: "[length(parameters('rules'))]", input }] } }],
    };
    const d = parseAzure(JSON.stringify(t));
    expect(d.diagnostics).toEqual([]);
    expect(inbound(d.rulesets[0]!).slice(0, 2).map((r) => [r.comment, r.text])).toEqual([
      ['cft', 'allow tcp:1761-1768 from * to * (priority 100)'],
      ['ssh', 'allow tcp:22 from 10.0.0.0/8 to * (priority 110)'],
    ]);
    expect(reach(d.rulesets[0]!, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
  });
  test('a rule made by a property or resource copy loop is placed at the input it is made from, not at the loop', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { rules: rulesParam },
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: 'n', properties: { copy: [{ name: 'securityRules', count: "[length(parameters('rules'))]", input }] } },
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: "[concat('web-', copyIndex(1))]",
          copy: { name: 'nsgLoop', count: 2 },
          properties: { securityRules: [rule('cft-all', 100, 'Allow', { destinationPortRange: '1761-1768' })] },
        },
      ],
    };
    const text = JSON.stringify(t, null, 2);
    const lineOf = (s: string, from = 0): number => text.slice(0, text.indexOf(s, from)).split('\n').length;
    const d = parseAzure(text);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG n', 'NSG web-1', 'NSG web-2']);
    const at = (rs: Ruleset) => inbound(rs).filter((r) => !r.builtIn).map((r) => `${r.comment} ${r.span.start.line} ${r.reportSpan?.start.line}`);
    // both copies of the input are placed at it; the report at its source prefix (they were all at the "copy" line)
    const src = lineOf('"sourceAddressPrefix": "[parameters');
    const inputLine = lineOf('"input"');
    expect(at(d.rulesets[0]!)).toEqual([`cft ${inputLine} ${src}`, `ssh ${inputLine} ${src}`]);
    // each NSG of the resource loop: its rule at the rule object (they were at the resource's first line)
    const ruleLine = lineOf('"name": "cft-all"') - 1;
    const star = lineOf('"sourceAddressPrefix": "*"', text.indexOf('cft-all'));
    expect(at(d.rulesets[1]!)).toEqual([`cft-all ${ruleLine} ${star}`]);
    expect(at(d.rulesets[2]!)).toEqual([`cft-all ${ruleLine} ${star}`]);
  });
  test('property iteration inside a variable object ("copy" in a variable\'s value) makes its array property', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { rules: rulesParam },
      variables: { nsgConfig: { name: 'nsg-v', copy: [{ name: 'rules', count: "[length(parameters('rules'))]", input: { ...input, name: "[parameters('rules')[copyIndex('rules')].name]", properties: { ...input.properties, priority: "[parameters('rules')[copyIndex('rules')].priority]", destinationPortRange: "[parameters('rules')[copyIndex('rules')].port]", sourceAddressPrefix: "[parameters('rules')[copyIndex('rules')].source]" } } }] } },
      resources: [{ type: 'Microsoft.Network/networkSecurityGroups', name: "[variables('nsgConfig').name]", properties: { securityRules: "[variables('nsgConfig').rules]" } }],
    };
    const d = parseAzure(JSON.stringify(t));
    // the rule list was unknown ("unresolved security rules [variables('nsgConfig').rules]")
    expect(d.diagnostics).toEqual([]);
    expect(inbound(d.rulesets[0]!).slice(0, 2).map((r) => r.text)).toEqual(['allow tcp:1761-1768 from * to * (priority 100)', 'allow tcp:22 from 10.0.0.0/8 to * (priority 110)']);
  });
  test('variable copy loop resolved from parameter overrides (a parameters file); unknown count stays unresolved', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { rules: { type: 'array' } },
      variables: { copy: [{ name: 'securityRules', count: "[length(parameters('rules'))]", input }] },
      resources: [{ type: 'Microsoft.Network/networkSecurityGroups', name: 'n', properties: { securityRules: "[variables('securityRules')]" } }],
    };
    const unresolved = parseAzure(JSON.stringify(t));
    expect(inbound(unresolved.rulesets[0]!)[0]!.text).toBe("unresolved security rules [variables('securityRules')]");
    const d = parseAzure(JSON.stringify(t), { variables: { rules: { value: rulesParam.defaultValue } } });
    expect(inbound(d.rulesets[0]!).slice(0, 2).map((r) => r.comment)).toEqual(['cft', 'ssh']);
    expect(reach(d.rulesets[0]!, 22).open.toCidrs()).toEqual(['10.0.0.0/8']);
  });
});

describe('ARM nested deployments', () => {
  test('inline templates (outer and inner scope) are read; linked templates are reported', () => {
    const nsg = (name: string, src: string) => ({ type: 'Microsoft.Network/networkSecurityGroups', name, properties: { securityRules: [rule('cft', 100, 'Allow', { destinationPortRange: '1761-1768', sourceAddressPrefix: src })] } });
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { src: { type: 'string', defaultValue: '*' } },
      resources: [
        { type: 'Microsoft.Resources/deployments', name: 'outer', properties: { mode: 'Incremental', template: { resources: [nsg('outer-nsg', "[parameters('src')]")] } } },
        {
          type: 'Microsoft.Resources/deployments',
          name: 'inner',
          properties: {
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { from: { value: "[concat('10.0.0.0', '/8')]" } },
            template: { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', parameters: { from: { type: 'string' } }, resources: [nsg('inner-nsg', "[parameters('from')]")] },
          },
        },
        { type: 'Microsoft.Resources/deployments', name: 'linked', properties: { templateLink: { uri: 'https://example.com/t.json' } } },
      ],
    };
    const d = parseAzure(JSON.stringify(t));
    expect(d.diagnostics.map((x) => x.code)).toEqual(['azure/linked-template']);
    expect(d.rulesets.map((r) => [r.name, inbound(r)[0]!.text])).toEqual([
      ['NSG outer-nsg', 'allow tcp:1761-1768 from * to * (priority 100)'],
      ['NSG inner-nsg', 'allow tcp:1761-1768 from 10.0.0.0/8 to * (priority 100)'],
    ]);
  });
});

describe('ARM nested deployments with a condition', () => {
  test('false: its NSGs are not deployed; unknown: their rules hold only if it does', () => {
    const nsg = (name: string) => ({ type: 'Microsoft.Network/networkSecurityGroups', name, properties: { securityRules: [rule('cft', 100, 'Allow', { destinationPortRange: '1761-1768' })] } });
    const dep = (name: string, condition: string, scope?: string) => ({
      condition,
      type: 'Microsoft.Resources/deployments',
      name,
      properties: { ...(scope ? { expressionEvaluationOptions: { scope } } : {}), mode: 'Incremental', template: { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', resources: [nsg(`nsg-${name}`)] } },
    });
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { deployCft: { type: 'bool', defaultValue: false }, other: { type: 'bool' } },
      resources: [dep('off', "[parameters('deployCft')]"), dep('maybe', "[parameters('other')]"), dep('inner', "[parameters('other')]", 'inner')],
    };
    const d = parseAzure(JSON.stringify(t));
    expect(d.diagnostics.filter((x) => x.code !== 'unevaluated').map((x) => x.message)).toEqual(['nested deployment off has a condition that is false: its NSGs are not deployed']);
    // the deployment whose condition is false was read as deployed: 1761-1768 open from everywhere
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG nsg-maybe', 'NSG nsg-inner']);
    for (const rs of d.rulesets) {
      const r = reach(rs, 1761);
      expect([rs.name, r.open.isEmpty, r.possibly.toString()]).toEqual([rs.name, true, '0.0.0.0/0']);
    }
  });
});

describe('ARM nested deployments with inner scope: parameters the outer template does not decide', () => {
  test('a passed value that is unknown (reference(), a Key Vault reference) is unknown inside, not the inner defaultValue', () => {
    const nsg = { type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg-nested', properties: { securityRules: [
      rule('cft', 100, 'Allow', { destinationPortRange: '1761-1768', sourceAddressPrefix: "[parameters('src')]" }),
      rule('rest', 110, 'Allow', { destinationPortRange: '1768', sourceAddressPrefix: "[parameters('secret')]" }),
    ] } };
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          name: 'inner',
          properties: {
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: {
              src: { value: "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip-partner')).ipAddress]" },
              secret: { reference: { keyVault: { id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv' }, secretName: 'adminCidr' } },
            },
            template: {
              $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
              parameters: { src: { type: 'string', defaultValue: '10.99.0.0/16' }, secret: { type: 'string', defaultValue: '10.98.0.0/16' } },
              resources: [nsg],
            },
          },
        },
      ],
    };
    const d = parseAzure(JSON.stringify(t));
    const rs = d.rulesets[0]!;
    expect(inbound(rs).slice(0, 2).map((r) => r.text)).toEqual([
      "allow tcp:1761-1768 from [parameters('src')] to * (priority 100)",
      "allow tcp:1768 from [parameters('secret')] to * (priority 110)",
    ]);
    // it said open from 10.99.0.0/16 only (the inner default, which a passed value replaces)
    const r = reach(rs, 1761);
    expect(r.open.isEmpty).toBe(true);
    expect(r.possibly.toString()).toBe('0.0.0.0/0');
    expect(reach(rs, 1768).possibly.toString()).toBe('0.0.0.0/0');
    expect(d.diagnostics.map((x) => `${x.severity} ${x.message}`)).toEqual([
      "warning Cannot evaluate [parameters('src')] (security rule \"cft\"): the source address prefix is not a literal; it is treated as unknown",
      "warning Cannot evaluate [parameters('secret')] (security rule \"rest\"): the source address prefix is not a literal; it is treated as unknown",
    ]);
  });
});

describe('ARM rules whose properties are an unknown expression', () => {
  test('inline or child rule: an unknown rule (possibly open), not a rule without direction, priority and access (a parse failure)', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { rules: { type: 'array' }, nsgName: { type: 'string', defaultValue: 'nsg-p' } },
      resources: [
        { type: 'Microsoft.Network/networkSecurityGroups', name: "[parameters('nsgName')]", properties: { securityRules: [{ name: 'first', properties: "[parameters('rules')[0].properties]" }] } },
        {
          type: 'Microsoft.Network/networkSecurityGroups/securityRules',
          name: "[concat(parameters('nsgName'), '/', parameters('rules')[copyIndex()].name)]",
          copy: { name: 'ruleLoop', count: "[length(parameters('rules'))]" },
          properties: "[parameters('rules')[copyIndex()].properties]",
        },
      ],
    };
    const d = parseAzure(JSON.stringify(t, null, 2));
    expect(d.diagnostics.map((x) => `${x.span.start.line} ${x.severity} ${x.message}`)).toEqual([
      "20 warning Cannot evaluate [parameters('rules')[0].properties] (NSG nsg-p): the security rule list is not a literal; it is treated as unknown",
      "32 warning Cannot evaluate [parameters('rules')[copyIndex()].properties] (NSG nsg-p): the security rule list is not a literal; it is treated as unknown",
    ]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG nsg-p']);
    const r = reach(d.rulesets[0]!, 1761);
    expect([r.open.isEmpty, r.possibly.toString()]).toEqual([true, '0.0.0.0/0']);
  });
});

describe('comments', () => {
  test('JSONC comments of ARM templates are returned for inline directives', () => {
    const text = [
      '{',
      '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",',
      '  "resources": [',
      '    // eslint-disable-next-line firewall/no-world-open -- partners only',
      '    { "type": "Microsoft.Network/networkSecurityGroups", "name": "n", "properties": { "securityRules": [] } } /* end */',
      '  ]',
      '}',
    ].join('\n');
    const d = parseAzure(text);
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG n']);
    expect(d.comments.map((c) => [c.type, c.value, c.span.start.line, c.span.start.column])).toEqual([
      ['Line', ' eslint-disable-next-line firewall/no-world-open -- partners only', 4, 5],
      ['Block', ' end ', 5, 111],
    ]);
    expect(parseAzure('{"name": "https://x//y"}').comments).toEqual([]);
  });
});

describe('detection', () => {
  test('azure JSON', () => {
    expect(azureJsonFormat.detect('nsg.json', AZ_CLI)).toBe(85);
    expect(azureJsonFormat.detect('t.json', '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [{"type": "Microsoft.Network/networkSecurityGroups"}]}')).toBe(90);
    // a template without NSGs is read (and quiet), not "no firewall format recognises" when named
    expect(azureJsonFormat.detect('t.json', '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [{"type": "Microsoft.Storage/storageAccounts"}]}')).toBe(50);
    expect(azureJsonFormat.detect('p.json', '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {}}')).toBe(0);
    expect(azureJsonFormat.detect('x.json', '{"SecurityGroups": []}')).toBe(0);
    expect(azureJsonFormat.detect('x.yaml', 'securityRules: []')).toBe(0);
    // a template longer than the detection head whose NSG comes after it is read, not skipped unsaid
    const storage = { type: 'Microsoft.Storage/storageAccounts', name: 's', properties: { description: 'x'.repeat(200) } };
    const big = JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [...Array.from({ length: 400 }, () => storage), { type: 'Microsoft.Network/networkSecurityGroups', name: 'late', properties: { securityRules: [rule('cft', 100, 'Allow', { destinationPortRange: '1761' })] } }],
    });
    expect(big.length).toBeGreaterThan(65536);
    expect(detectFormat('azuredeploy.json', big)?.id).toBe('azure');
    expect(azureJsonFormat.parse(big, {}).rulesets.map((r) => r.name)).toEqual(['NSG late']);
  });
});

describe('ARM languageVersion 2.0 (Bicep symbolic names)', () => {
  test('"resources" as an object of symbolic names is read: NSGs, child rules, copy loops; an existing NSG is external', () => {
    const t = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      languageVersion: '2.0',
      parameters: { ports: { type: 'array', defaultValue: [22, 3389] } },
      resources: {
        nsg: {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'web',
          properties: {
            copy: [{ name: 'securityRules', count: "[length(parameters('ports'))]", input: rule("[format('p{0}', parameters('ports')[copyIndex('securityRules')])]", "[add(100, copyIndex('securityRules'))]" as never, 'Allow', { destinationPortRange: "[string(parameters('ports')[copyIndex('securityRules')])]" }) }],
          },
        },
        https: { type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: 'web/https', dependsOn: ['nsg'], properties: rule('x', 200, 'Allow', { destinationPortRange: '443' }).properties },
        old: { existing: true, type: 'Microsoft.Network/networkSecurityGroups', name: 'old' },
        onOld: { type: 'Microsoft.Network/networkSecurityGroups/securityRules', name: 'old/any', properties: rule('x', 100, 'Allow').properties },
      },
    };
    const d = parseAzure(JSON.stringify(t));
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['NSG web', 'NSG old (rules only; the NSG is defined elsewhere)']);
    expect(inbound(d.rulesets[0]!).slice(0, 3).map((r) => r.text)).toEqual([
      'allow tcp:22 from * to * (priority 100)',
      'allow tcp:3389 from * to * (priority 101)',
      'allow tcp:443 from * to * (priority 200)',
    ]);
    expect(reach(d.rulesets[1]!, 5432).open.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('ARM application security group references', () => {
  test('an ASG id written as resourceId() names the group (it named "applicationSecurityGroups\', \'ops\')]")', () => {
    const tpl = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      variables: { front: "[resourceId('Microsoft.Network/applicationSecurityGroups', 'asg-front')]" },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'nsg',
          properties: {
            securityRules: [
              rule('ops', 100, 'Allow', { sourceAddressPrefix: undefined, sourceApplicationSecurityGroups: [{ id: "[resourceId('Microsoft.Network/applicationSecurityGroups', 'asg-ops')]" }], destinationPortRange: '1768' }),
              rule('front', 110, 'Allow', { sourceAddressPrefix: undefined, sourceApplicationSecurityGroups: [{ id: "[variables('front')]" }], destinationPortRange: '1761' }),
            ],
          },
        },
      ],
    };
    const doc = parseAzure(JSON.stringify(tpl, null, 2));
    expect(doc.diagnostics).toEqual([]);
    expect(reach(doc.rulesets[0]!, 1768).principals.filter((p) => p.includes('asg'))).toEqual(['open:asg:asg-ops']);
    expect(reach(doc.rulesets[0]!, 1761).principals.filter((p) => p.includes('asg'))).toEqual(['open:asg:asg-front']);
  });
});

describe('two security rules at one priority and direction', () => {
  test('both undecided, the allow read first: a deny written first no longer closes what the allow may open', () => {
    // Azure refuses the NSG (or the second rule resource created): which one exists is not known
    const rule = (name: string, access: string, src: string) => ({ name, properties: { priority: 100, direction: 'Inbound', access, protocol: 'Tcp', sourceAddressPrefix: src, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22' } });
    const d = parseAzure(JSON.stringify({ name: 'n', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [rule('deny', 'Deny', '*'), rule('allow', 'Allow', '10.0.0.0/8')] } }));
    expect(d.diagnostics.map((x) => x.code)).toEqual(['azure/duplicate-priority']);
    expect(inbound(d.rulesets[0]!).slice(0, 2).map((r) => r.comment)).toEqual(['allow', 'deny']);
    const x = reach(d.rulesets[0]!, 22);
    expect(x.open.isEmpty).toBe(true);
    expect(x.possibly.toCidrs()).toContain('10.0.0.0/8');
  });
});

describe('ARM template: the parameter file beside it (X.parameters.json), as deployed', () => {
  const template = JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { src: { type: 'string', defaultValue: '10.0.0.0/8' }, admin: { type: 'string' }, port: { type: 'string', defaultValue: '22' } },
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          apiVersion: '2023-04-01',
          name: 'nsg',
          properties: {
            securityRules: [
              { name: 'a', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: "[parameters('src')]", sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: "[parameters('port')]" } },
              { name: 'b', properties: { priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: "[parameters('admin')]", sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '3389' } },
            ],
          },
        },
      ],
    },
    null,
    2,
  );
  const files: Record<string, string> = {
    '/t/azuredeploy.parameters.json': JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', contentVersion: '1.0.0.0', parameters: { src: { value: '*' }, admin: { value: '203.0.113.0/24' }, port: { reference: { keyVault: { id: '/subscriptions/x/vault' }, secretName: 'p' } } } }),
  };
  const readInclude = (p: string, from: string | undefined): { path: string; text: string } | { error: string } => {
    const full = p.startsWith('/') ? p : `${from!.slice(0, from!.lastIndexOf('/'))}/${p}`;
    return full in files ? { path: full, text: files[full]! } : { error: `cannot read ${full}` };
  };
  const texts = (rs: Ruleset): string[] => rs.tables[0]!.chains.find((c) => c.hook === 'input')!.rules.filter((r) => !r.builtIn).map((r) => r.text);

  test('its values win over the defaults; a Key Vault reference is unknown; without it the defaults stand', () => {
    const doc = parseAzure(template, { filePath: '/t/azuredeploy.json', readInclude });
    expect(texts(doc.rulesets[0]!)).toEqual(["allow tcp:[parameters('port')] from * to * (priority 100)", 'allow tcp:3389 from 203.0.113.0/24 to * (priority 110)']);
    expect(doc.diagnostics.map((d) => d.message)).toEqual(["Cannot evaluate [parameters('port')] (security rule \"a\"): the port range is not a literal; it is treated as unknown"]);
    expect(reach(doc.rulesets[0]!, 22)).toMatchObject({ open: AddrSet.EMPTY, possibly: AddrSet.parse('0.0.0.0/0') });
    // without it, the defaults (and an unknown parameter without one) stand; variables given still win
    expect(texts(parseAzure(template, { filePath: '/t/other.json', readInclude }).rulesets[0]!)).toEqual(['allow tcp:22 from 10.0.0.0/8 to * (priority 100)', "allow tcp:3389 from [parameters('admin')] to * (priority 110)"]);
    expect(texts(parseAzure(template, { filePath: '/t/azuredeploy.json', readInclude, variables: { admin: '192.0.2.1' } }).rulesets[0]!)[1]).toBe('allow tcp:3389 from 192.0.2.1 to * (priority 110)');
  });
});
