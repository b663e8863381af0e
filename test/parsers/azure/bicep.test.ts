import { describe, expect, test } from 'vitest';
import { parseBicep } from '../../../src/parsers/azure/index.js';
import { detectFormat } from '../../../src/parsers/registry.js';
import '../../../src/parsers/formats.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { numSingle, type Ruleset } from '../../../src/model/index.js';

/** Per TCP port: certainty, sources (CIDRs and names) and the line of the rule that opens it. */
function opened(rs: Ruleset, port: number): string[] {
  return exposedPorts(computeExposure(rs), 6, numSingle(port))
    .filter((e) => !e.rule?.builtIn)
    .map((e) => `${e.certainty} ${[e.sources.isEmpty ? '' : e.sources.toString(), ...e.principals].filter(Boolean).join(' ')} @${e.rule?.span.start.line}`)
    .sort();
}

function inboundTexts(rs: Ruleset): string[] {
  return rs.tables[0]!.chains.find((c) => c.hook === 'input')!.rules.filter((r) => !r.builtIn).map((r) => r.text);
}

const NSG = `param location string = resourceGroup().location
@description('partners')
param partners array = [
  '198.51.100.0/24'
]
param adminSource string
var cft = {
  ports: [ '1761-1763', '1768' ]
}

resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-mft01'
  location: location
  properties: {
    securityRules: [
      {
        name: 'Allow-CFT'
        properties: {
          priority: 200
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourcePortRange: '*'
          sourceAddressPrefixes: partners
          destinationAddressPrefix: '*'
          destinationPortRanges: cft.ports
        }
      }
    ]
  }

  // a nested child resource: its type is relative to the parent's
  resource ssh 'securityRules' = {
    name: 'Allow-SSH'
    properties: {
      priority: 110
      direction: 'Inbound'
      access: 'Allow'
      protocol: 'Tcp'
      sourcePortRange: '*'
      sourceAddressPrefix: adminSource
      destinationAddressPrefix: '*'
      destinationPortRange: '22'
    }
  }
}

resource deny 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = {
  parent: nsg
  name: 'Deny-1762'
  properties: {
    priority: 100 + 50
    direction: 'Inbound'
    access: 'Deny'
    protocol: '*'
    sourcePortRange: '*'
    sourceAddressPrefix: '*'
    destinationAddressPrefix: '*'
    destinationPortRange: '1762'
  }
}

resource v6 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = [for (p, i) in [ '1764', '1768' ]: {
  parent: nsg
  name: 'Allow-v6-\${p}'
  properties: {
    priority: 300 + i
    direction: 'Inbound'
    access: 'Allow'
    protocol: 'Tcp'
    sourcePortRange: '*'
    sourceAddressPrefix: '::/0'
    destinationAddressPrefix: '*'
    destinationPortRange: p
  }
}]

module other './other.bicep' = {
  name: 'other'
}
`;

describe('Bicep', () => {
  test('*.bicep files are read (they were not recognised by any format)', () => {
    expect(detectFormat('main.bicep', NSG)?.id).toBe('bicep');
  });

  test('parameters, variables, nested and parent child rules and loops of one NSG', () => {
    const doc = parseBicep(NSG);
    expect(doc.diagnostics.map((d) => `${d.span.start.line} ${d.severity} ${d.message}`)).toEqual([
      `78 warning module other ('./other.bicep') is not read: its NSGs are not evaluated`,
      '41 warning Cannot evaluate adminSource (security rule "Allow-SSH"): the source address prefix is not a literal; it is treated as unknown',
    ]);
    expect(doc.rulesets.map((r) => r.name)).toEqual(['NSG nsg-mft01']);
    const rs = doc.rulesets[0]!;
    expect(opened(rs, 1761)).toEqual(['open 198.51.100.0/24 @16']);
    // Deny-1762 (priority 100 + 50) comes before the allow (200)
    expect(opened(rs, 1762)).toEqual([]);
    expect(opened(rs, 1764)).toEqual(['open ::/0 @63']);
    expect(opened(rs, 1768)).toEqual(['open 198.51.100.0/24 @16', 'open ::/0 @63']);
    // the unknown source may be any address (and any named source: the default rules accept those anyway, and are
    // credited with them)
    expect(opened(rs, 22)).toEqual(['possibly-open 0.0.0.0/0 * @33', 'possibly-open ::/0 * @33']);
    // comments are the file's own (for inline directives)
    expect(doc.comments.map((c) => `${c.span.start.line} ${c.value}`)).toEqual([`32  a nested child resource: its type is relative to the parent's`]);
  });

  test('a subnet NSG and a NIC NSG referenced by .id and resourceId() make the NIC’s combined ruleset', () => {
    const doc = parseBicep(`resource snsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-snet'
  properties: {
    securityRules: [
      {
        name: 'cft'
        properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', sourceAddressPrefix: 'Internet', destinationAddressPrefix: '*', destinationPortRange: '1761-1768' }
      }
    ]
  }
}
resource nnsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = if (true) {
  name: 'nsg-nic'
  properties: {
    securityRules: [
      {
        name: 'pesit'
        properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', sourceAddressPrefix: '*', destinationAddressPrefix: '*', destinationPortRange: '1761' }
      }
    ]
  }
}
resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: 'vnet'
  properties: {
    subnets: [
      {
        name: 'app'
        properties: { networkSecurityGroup: { id: snsg.id } }
      }
    ]
  }
}
resource nic 'Microsoft.Network/networkInterfaces@2023-09-01' = {
  name: 'vm-nic'
  properties: {
    networkSecurityGroup: { id: nnsg.id }
    ipConfigurations: [ { name: 'ip', properties: { subnet: { id: resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app') } } } ]
  }
}
`);
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets.map((r) => r.name)).toEqual(['NSG nsg-snet', 'NSG nsg-nic', 'NIC vm-nic (subnet vnet/app NSG nsg-snet + NIC NSG nsg-nic)']);
    const both = doc.rulesets[2]!;
    expect(opened(both, 1761).filter((x) => x.includes('0.0.0.0/0'))).toEqual(['open 0.0.0.0/0 AzureLoadBalancer VirtualNetwork @16']);
    expect(opened(both, 1762).filter((x) => x.includes('0.0.0.0/0'))).toEqual([]);
  });

  test('safe dereference (.? and [?]), ?? of arrays and map() lambdas, as Azure Verified Modules write rules', () => {
    const doc = parseBicep(`param securityRules array = [
  {
    name: 'cft-in'
    properties: {
      access: 'Allow'
      direction: 'Inbound'
      priority: 200
      protocol: 'Tcp'
      sourceAddressPrefixes: [ '198.51.100.0/24' ]
      destinationPortRanges: [ '1761-1763' ]
    }
  }
  {
    name: 'ssh-asg'
    properties: {
      access: 'Allow'
      direction: 'Inbound'
      priority: 300
      protocol: 'Tcp'
      sourceApplicationSecurityGroupResourceIds: [ '/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationSecurityGroups/asg-admins' ]
      destinationPortRange: '22'
    }
  }
]
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-11-01' = {
  name: 'nsg-avm'
  properties: {
    securityRules: [
      for securityRule in securityRules: {
        name: securityRule.name
        properties: {
          access: securityRule.properties.access
          description: securityRule.properties.?description ?? ''
          destinationAddressPrefix: securityRule.properties.?destinationAddressPrefix ?? '*'
          destinationPortRange: securityRule.properties.?destinationPortRange ?? ''
          destinationPortRanges: securityRule.properties.?destinationPortRanges ?? []
          direction: securityRule.properties.direction
          priority: securityRule.properties.priority
          protocol: securityRule.properties.protocol
          sourceAddressPrefix: securityRule.properties.?sourceAddressPrefix ?? ''
          sourceAddressPrefixes: securityRule.properties.?sourceAddressPrefixes ?? []
          sourceApplicationSecurityGroups: map(
            securityRule.properties.?sourceApplicationSecurityGroupResourceIds ?? [],
            (asgId) => {
              id: asgId
            }
          )
          sourcePortRange: securityRule.properties.?sourcePortRange ?? '*'
        }
      }
    ]
  }
}
var firstPort = securityRules[?5].?properties.?priority ?? 4000
var upper = map(filter(['1761', '1764'], p => p != '1764'), (p, i) => '\${p}-\${i}')
`);
    // ".?" was a syntax error ("expected a property name"): the file gave no findings at all
    expect(doc.diagnostics).toEqual([]);
    const rs = doc.rulesets[0]!;
    expect(inboundTexts(rs)).toEqual([
      'allow tcp:1761-1763 from 198.51.100.0/24 to * (priority 200)',
      'allow tcp:22 from asg:asg-admins to * (priority 300)',
    ]);
    expect(opened(rs, 1761)).toEqual(['open 198.51.100.0/24 @29']);
    expect(opened(rs, 22)).toEqual(['open asg:asg-admins @29', 'open asg:asg-admins @29']); // IPv4 and IPv6
  });

  test('a rule whose properties come from an unknown list (loadJsonContent) is an unknown rule of its parent NSG, not a rule without fields', () => {
    const doc = parseBicep(`var extra = loadJsonContent('./extra-rules.json')
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-x'
  properties: {
    securityRules: [
      {
        name: 'cft'
        properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', sourceAddressPrefix: '10.0.0.0/8', destinationAddressPrefix: '*', destinationPortRange: '1761' }
      }
    ]
  }
}
resource more 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = [for r in extra: {
  parent: nsg
  name: r.name
  properties: r.properties
}]
`);
    // it gave three errors ("has no direction", "no priority", access "?"): a parse failure, no findings
    expect(doc.diagnostics.map((d) => `${d.span.start.line} ${d.severity} ${d.message}`)).toEqual([
      '16 warning Cannot evaluate r.properties (NSG nsg-x): the security rule list is not a literal; it is treated as unknown',
    ]);
    expect(doc.rulesets.map((r) => r.name)).toEqual(['NSG nsg-x']);
    const rs = doc.rulesets[0]!;
    // the unknown rules may allow anything from anywhere, and may deny what the known rule allows
    expect(opened(rs, 1761)).toEqual(['possibly-open 0.0.0.0/0 AzureLoadBalancer VirtualNetwork * @16', 'possibly-open 10.0.0.0/8 @6', 'possibly-open ::/0 AzureLoadBalancer VirtualNetwork * @16']);
    expect(opened(rs, 1762)).toEqual(['possibly-open 0.0.0.0/0 AzureLoadBalancer VirtualNetwork * @16', 'possibly-open ::/0 AzureLoadBalancer VirtualNetwork * @16']);
  });

  test('the spread operator (objects and arrays) and union() of objects', () => {
    const doc = parseBicep(`param base object = {
  direction: 'Inbound'
  access: 'Allow'
  protocol: 'Tcp'
  sourcePortRange: '*'
  destinationAddressPrefix: '*'
}
param extraSources string[] = [ '192.0.2.0/24' ]
param unknownRule object
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' existing = {
  name: 'nsg-shared'
}
resource r1 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = {
  parent: nsg
  name: 'cft-pesit'
  properties: {
    ...base
    priority: 200
    sourceAddressPrefixes: [...extraSources, '203.0.113.0/24']
    destinationPortRange: '1761'
  }
}
resource r2 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = {
  parent: nsg
  name: 'deny-cft'
  properties: union(base, {
    access: 'Deny'
    priority: 150
    sourceAddressPrefix: '203.0.113.0/24'
    destinationPortRange: '1761-1768'
  })
}
resource r3 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = {
  parent: nsg
  name: 'from-param'
  properties: {
    ...unknownRule
    priority: 300
  }
}
`);
    // "...base" was a syntax error: no findings for the file
    expect(doc.diagnostics.map((d) => `${d.span.start.line} ${d.severity} ${d.message}`)).toEqual([
      '36 warning Cannot evaluate { ...unknownRule priority: 300 } (NSG nsg-shared): the security rule list is not a literal; it is treated as unknown',
    ]);
    const rs = doc.rulesets[0]!;
    expect(inboundTexts(rs)).toEqual([
      "unresolved security rules { ...unknownRule priority: 300 }",
      'deny tcp:1761-1768 from 203.0.113.0/24 to * (priority 150)',
      'allow tcp:1761 from 192.0.2.0/24, 203.0.113.0/24 to * (priority 200)',
    ]);
    expect(opened(rs, 1761)).toEqual(['possibly-open 0.0.0.0/0 AzureLoadBalancer VirtualNetwork * @36', 'possibly-open 192.0.2.0/24 @13', 'possibly-open ::/0 AzureLoadBalancer VirtualNetwork * @36']);
  });

  test('items(), contains(), first(), take(), replace(), flatten() resolve instead of leaving the rules unknown', () => {
    const doc = parseBicep(`param rules object = {
  restapi: { priority: 210, ports: [ '1768' ], source: '10.0.0.0/8' }
  pesit: { priority: 200, ports: [ '1761', '1762' ], source: '198.51.100.0/24' }
}
param disabled array = [ 'restapi' ]
param admins array = [ '203.0.113.5 ', '203.0.113.6' ]
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-items'
  properties: {
    securityRules: [for r in items(rules): if (!contains(disabled, r.key)) {
      name: r.key
      properties: {
        priority: r.value.priority
        direction: 'Inbound'
        access: 'Allow'
        protocol: 'Tcp'
        sourcePortRange: '*'
        sourceAddressPrefixes: [ r.value.source, trim(first(admins)) ]
        destinationAddressPrefix: '*'
        destinationPortRanges: flatten([ take(r.value.ports, 1), [ replace('1765x', 'x', '') ] ])
      }
    }]
  }
}
`);
    expect(doc.diagnostics).toEqual([]);
    expect(inboundTexts(doc.rulesets[0]!)).toEqual(['allow tcp:1761,1765 from 198.51.100.0/24, 203.0.113.5 to * (priority 200)']);
  });

  test('union() of arrays holds each value once (bicep-functions-array): union(a, b)[2] is the third distinct value', () => {
    const doc = parseBicep(`var a = [ '10.0.0.0/8', '0.0.0.0/0' ]
var b = [ '10.0.0.0/8', '192.0.2.0/24' ]
var all = union(a, b)
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-union'
  properties: {
    securityRules: [
      {
        name: 'third'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourcePortRange: '*'
          sourceAddressPrefix: all[2]
          destinationAddressPrefix: '*'
          destinationPortRange: '\${length(all)}'
        }
      }
    ]
  }
}
`);
    expect(doc.diagnostics).toEqual([]);
    // (read as a concatenation, all[2] was 10.0.0.0/8 and length(all) 4)
    expect(inboundTexts(doc.rulesets[0]!)).toEqual(['allow tcp:3 from 192.0.2.0/24 to * (priority 100)']);
  });

  test('a typed variable (var name type = value, Bicep 0.36) is read, not a syntax error', () => {
    const doc = parseBicep(`type portSpec = {
  port: string
  sources: string[]
}
var specs portSpec[] = [
  { port: '1761', sources: ['198.51.100.0/24'] }
]
var prio int = 200
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {
  name: 'nsg-typed'
  properties: {
    securityRules: [for s in specs: {
      name: 'cft-\${s.port}'
      properties: { priority: prio, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', sourceAddressPrefixes: s.sources, destinationAddressPrefix: '*', destinationPortRange: s.port }
    }]
  }
}
`);
    expect(doc.diagnostics).toEqual([]);
    expect(inboundTexts(doc.rulesets[0]!)).toEqual(['allow tcp:1761 from 198.51.100.0/24 to * (priority 200)']);
  });

  test('an existing NSG the file gives no rules is no ruleset (its default rules were reported at the declaration)', () => {
    const doc = parseBicep(`resource hub 'Microsoft.Network/networkSecurityGroups@2023-09-01' existing = {
  name: 'nsg-hub'
  scope: resourceGroup('rg-hub')
}
resource shared 'Microsoft.Network/networkSecurityGroups@2023-09-01' existing = {
  name: 'nsg-shared'
}
resource r 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = {
  parent: shared
  name: 'cft'
  properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', sourceAddressPrefix: '10.0.0.0/8', destinationAddressPrefix: '*', destinationPortRange: '1761' }
}
resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: 'vnet'
  properties: { subnets: [ { name: 'app', properties: { networkSecurityGroup: { id: hub.id } } } ] }
}
`);
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets.map((r) => r.name)).toEqual(['NSG nsg-shared (rules only; the NSG is defined elsewhere)']);
  });

  test('a child rule of one NSG of a resource loop (parent: nsgs[i]) and nsgs[i].id find that NSG', () => {
    const doc = parseBicep(`param sites array = [
  'paris'
  'lyon'
]
resource nsgs 'Microsoft.Network/networkSecurityGroups@2023-09-01' = [for site in sites: {
  name: 'nsg-\${site}'
  properties: {
    securityRules: [
      {
        name: 'cft'
        properties: { priority: 200, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', sourceAddressPrefix: '10.0.0.0/8', destinationAddressPrefix: '*', destinationPortRange: '1761' }
      }
    ]
  }
}]
resource deny 'Microsoft.Network/networkSecurityGroups/securityRules@2023-09-01' = [for (site, i) in sites: {
  parent: nsgs[i]
  name: 'deny-partner'
  properties: { priority: 150, direction: 'Inbound', access: 'Deny', protocol: 'Tcp', sourcePortRange: '*', sourceAddressPrefix: '10.1.0.0/16', destinationAddressPrefix: '*', destinationPortRange: '1761' }
}]
resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: 'vnet'
  properties: { subnets: [ { name: 'paris', properties: { networkSecurityGroup: { id: nsgs[0].id } } } ] }
}
`);
    expect(doc.diagnostics).toEqual([]);
    // the deny was a rule of an "(unknown NSG)", so 1761 stayed open from all of 10.0.0.0/8
    expect(doc.rulesets.map((r) => `${r.name}: ${r.targets.join(' ')}`)).toEqual(['NSG nsg-paris: nsg-paris vnet/paris', 'NSG nsg-lyon: nsg-lyon']);
    for (const rs of doc.rulesets) {
      expect(inboundTexts(rs)).toEqual(['deny tcp:1761 from 10.1.0.0/16 to * (priority 150)', 'allow tcp:1761 from 10.0.0.0/8 to * (priority 200)']);
    }
  });

  test('a syntax error is a diagnostic with its line, not a throw', () => {
    const doc = parseBicep(`param x string = 'a'\nresource r 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {\n  name: 'x'\n  properties: {\n    securityRules: [\n`);
    expect(doc.diagnostics.map((d) => `${d.span.start.line} ${d.severity} ${d.code}`)).toEqual(['5 error azure/bicep-syntax']);
  });

  test('thousands of nested parentheses, brackets, braces or ! are a syntax error at the 257th, not a stack overflow', () => {
    const cases = ['('.repeat(20000) + "'a'" + ')'.repeat(20000), '['.repeat(20000), '{\n a: '.repeat(20000) + "'a'", '!'.repeat(30000) + 'true'];
    for (const c of cases) {
      const doc = parseBicep(`var y = ${c}\n`);
      expect(doc.diagnostics.map((d) => [d.code, d.message])).toEqual([['azure/bicep-syntax', 'Bicep: expression nested too deeply']]);
    }
    // two hundred levels are read
    const ok = parseBicep(`var y = ${'('.repeat(200)}'a'${')'.repeat(200)}\n`);
    expect(ok.diagnostics).toEqual([]);
  });
});

describe('Bicep comments', () => {
  test('each comment once, also one the reader passes twice when it backtracks (fwlint-ignore was reported unused)', () => {
    const text = `resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {
  name: 'nsg'
  properties: {
    securityRules: [
      {
        name: 'rdp'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourcePortRange: '*'
          destinationPortRange: '3389' // a line comment
          sourceAddressPrefix: '*' /* fwlint-ignore no-world-open-sensitive-ports -- lab */
          destinationAddressPrefix: '*'
        }
      }
    ]
  }
}
`;
    const doc = parseBicep(text, {});
    expect(doc.comments.map((c) => `${c.span.start.line}:${c.span.start.column} ${c.type} ${c.value}`)).toEqual([
      '13:40 Line  a line comment',
      '14:36 Block  fwlint-ignore no-world-open-sensitive-ports -- lab ',
    ]);
  });
});

describe('Bicep: the parameter file beside it (main.parameters.json), as deployed', () => {
  const bicep = [
    "param src string = '10.0.0.0/8'",
    'param ports array',
    "resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {",
    "  name: 'nsg'",
    '  properties: {',
    "    securityRules: [for (p, i) in ports: { name: 'r${i}', properties: { priority: 100 + i, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: src, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: p } }]",
    '  }',
    '}',
    '',
  ].join('\n');
  const readInclude = (p: string, from: string | undefined) =>
    from === '/b/main.bicep' && p === 'main.parameters.json' ? { path: '/b/main.parameters.json', text: '{"parameters": {"src": {"value": "Internet"}, "ports": {"value": ["1761", "22"]}}}' } : { error: `cannot read ${p}` };

  test('its values win over the defaults, and decide a parameter without one', () => {
    const doc = parseBicep(bicep, { filePath: '/b/main.bicep', readInclude });
    expect(doc.diagnostics).toEqual([]);
    expect(opened(doc.rulesets[0]!, 1761)).toEqual(['open 0.0.0.0/0 @6', 'open ::/0 @6']);
    expect(opened(doc.rulesets[0]!, 22)).toEqual(['open 0.0.0.0/0 @6', 'open ::/0 @6']);
    // without it: the default, and the loop over an unknown list
    const alone = parseBicep(bicep, { filePath: '/b/other.bicep', readInclude });
    expect(alone.diagnostics.map((d) => [d.message, `${d.span.start.line}:${d.span.start.column}`])).toEqual([['Cannot evaluate [for … in ports] (NSG nsg): the security rule list is not a literal; it is treated as unknown', '6:20']]);
    expect(opened(alone.rulesets[0]!, 22).map((x) => x.split(' ')[0])).toEqual(['possibly-open', 'possibly-open']);
  });
});

describe('Bicep: the Bicep parameters file beside it (main.bicepparam)', () => {
  const bicep = [
    "param src string = '10.0.0.0/8'",
    "resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {",
    "  name: 'nsg'",
    '  properties: {',
    "    securityRules: [{ name: 'cft', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: src, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '1768' } }]",
    '  }',
    '}',
    '',
  ].join('\n');
  const with_ = (param: string) => (p: string, from: string | undefined) =>
    from === '/b/main.bicep' && p === 'main.bicepparam' ? { path: '/b/main.bicepparam', text: param } : { error: `cannot read ${p}` };

  test("its values win over the defaults; one it does not decide (an environment variable) is unknown; another template's file is not read", () => {
    const at = (param: string) => opened(parseBicep(bicep, { filePath: '/b/main.bicep', readInclude: with_(param) }).rulesets[0]!, 1768);
    expect(at("using './main.bicep'\n\nparam src = '192.0.2.0/24'\n")).toEqual(['open 192.0.2.0/24 @5']);
    expect(at("using './main.bicep'\nparam src = readEnvironmentVariable('SRC', '10.0.0.0/8')\n").map((x) => x.split(' ')[0])).toEqual(['possibly-open', 'possibly-open']);
    expect(at("using './other.bicep'\nparam src = '192.0.2.0/24'\n")).toEqual(['open 10.0.0.0/8 @5']);
  });
});


describe('Bicep: user-defined functions (func)', () => {
  const rule = (src: string, port: string, priority = 100, access = 'Allow') =>
    `{ name: 'r${priority}', properties: { priority: ${priority}, direction: 'Inbound', access: '${access}', protocol: 'Tcp', sourceAddressPrefix: ${src}, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: ${port} } }`;
  const nsg = (rules: string[]) =>
    ["resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {", "  name: 'nsg'", '  properties: {', `    securityRules: [${rules.join(', ')}]`, '  }', '}', ''].join('\n');

  test('a call is the body with its parameters bound to the arguments, placed at the call', () => {
    const doc = parseBicep(
      ["func world() string => 'Internet'", "@description('a port range')", "func span(lo int, hi int) string => '${lo}-${hi}'", nsg([rule('world()', 'span(1761, 1762)')])].join('\n'),
    );
    expect(doc.diagnostics).toEqual([]);
    const rs = doc.rulesets[0]!;
    expect(opened(rs, 1762)).toEqual(['open 0.0.0.0/0 @7', 'open ::/0 @7']);
    expect(opened(rs, 1763)).toEqual([]);
  });

  test('a function named as a built-in one is called instead of it (sys.first is the built-in)', () => {
    // Bicep resolves a name to the file's own declaration first; the built-in is then sys.<name>
    const doc = parseBicep(
      [
        'func first(nets array) string => nets[1]',
        "func range(lo int, hi int) string => '${lo}-${hi}'",
        nsg([rule("first(['10.0.0.0/8', 'Internet'])", 'range(22, 23)'), rule("sys.first(['10.0.0.0/8', 'Internet'])", "'1768'", 200)]),
      ].join('\n'),
    );
    const rs = doc.rulesets[0]!;
    expect(opened(rs, 22)).toEqual(['open 0.0.0.0/0 @6', 'open ::/0 @6']);
    expect(opened(rs, 24)).toEqual([]);
    expect(opened(rs, 1768)).toEqual(['open 10.0.0.0/8 @6']);
  });

  test('an imported function is not read: its call is unknown, not the built-in of that name', () => {
    const doc = parseBicep(["import { first } from './lib.bicep'", nsg([rule("first(['10.0.0.0/8', 'Internet'])", "'22'")])].join('\n'));
    expect(opened(doc.rulesets[0]!, 22)).toEqual(['possibly-open 0.0.0.0/0 * @5', 'possibly-open ::/0 * @5']);
  });
});

describe('Bicep: a child rule whose parent NSG has a name not known statically', () => {
  test('`parent: nsg` puts the rule in that NSG (its deny before the allow), not in an NSG of its own', () => {
    const doc = parseBicep(
      [
        "resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {",
        "  name: 'nsg-${uniqueString(resourceGroup().id)}'",
        '  properties: {',
        "    securityRules: [{ name: 'deny', properties: { priority: 100, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '3389' } }]",
        '  }',
        '  resource ssh \'securityRules\' = {',
        "    name: 'ssh'",
        "    properties: { priority: 310, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'Internet', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22' }",
        '  }',
        '}',
        "resource rdp 'Microsoft.Network/networkSecurityGroups/securityRules@2023-04-01' = {",
        '  parent: nsg',
        "  name: 'rdp'",
        "  properties: { priority: 300, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'Internet', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '3389' }",
        '}',
        '',
      ].join('\n'),
    );
    expect(doc.rulesets.map((r) => r.name)).toEqual(["NSG 'nsg-${uniqueString(resourceGroup().id)}'"]);
    const rs = doc.rulesets[0]!;
    expect(opened(rs, 3389)).toEqual([]);
    expect(opened(rs, 22)).toEqual(['open 0.0.0.0/0 @6', 'open ::/0 @6']);
  });
});

describe('Bicep: local modules', () => {
  const mod = [
    'param src string',
    'param port string',
    "param nsgName string = 'shared'",
    "resource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {",
    '  name: nsgName',
    '  properties: {',
    "    securityRules: [{ name: 'r', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: src, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: port } }]",
    '  }',
    '}',
    '',
  ].join('\n');
  const files: Record<string, string> = { '/b/mods/rule.bicep': mod, '/b/mods/outer.bicep': "param p string\nmodule deeper './rule.bicep' = {\n  name: 'deeper'\n  params: { src: 'Internet', port: p, nsgName: 'deep' }\n}\n" };
  const read = (p: string, from: string | undefined) => {
    const path = `${from!.replace(/[^/]*$/, '')}${p.replace(/^\.\//, '')}`;
    return files[path] !== undefined ? { path, text: files[path]! } : { error: `cannot read ${path}` };
  };
  const parse = (text: string) => parseBicep(text, { filePath: '/b/main.bicep', readInclude: read });

  test("a module's NSGs are read with the params its declaration passes, placed at the declaration", () => {
    const doc = parse(
      [
        'param admin string',
        "module ssh './mods/rule.bicep' = {",
        "  name: 'ssh'",
        '  params: {',
        '    src: admin',
        "    port: '22'",
        "    nsgName: 'nsg-ssh'",
        '  }',
        '}',
        "module cft 'mods/outer.bicep' = {",
        "  name: 'cft'",
        "  params: { p: '1761-1768' }",
        '}',
        "module remote 'br/public:avm/res/network/network-security-group:0.1.0' = {",
        "  name: 'remote'",
        '}',
        "module missing 'mods/nope.bicep' = {",
        "  name: 'missing'",
        '}',
        '',
      ].join('\n'),
    );
    expect(doc.diagnostics.map((d) => `${d.span.start.line} ${d.message}`)).toEqual([
      "14 module remote ('br/public:avm/res/network/network-security-group:0.1.0') is not read: its NSGs are not evaluated",
      "17 module missing ('mods/nope.bicep') is not read (cannot read /b/mods/nope.bicep): its NSGs are not evaluated",
      '2 Cannot evaluate admin (security rule "r"): the source address prefix is not a literal; it is treated as unknown',
    ]);
    expect(doc.rulesets.map((r) => r.name)).toEqual(['NSG nsg-ssh', 'NSG deep']);
    expect(opened(doc.rulesets[0]!, 22)).toEqual(['possibly-open 0.0.0.0/0 * @2', 'possibly-open ::/0 * @2']);
    // a module within a module: its parameters from its caller's, placed at the outer declaration
    expect(opened(doc.rulesets[1]!, 1765)).toEqual(['open 0.0.0.0/0 @10', 'open ::/0 @10']);
  });

  test('a module under a condition not known conditions its rules; a false one deploys nothing; a loop deploys one per item', () => {
    const doc = parse(
      [
        'param debug bool',
        "param envs array = ['a', 'b']",
        "module dbg './mods/rule.bicep' = if (debug) {",
        "  name: 'dbg'",
        "  params: { src: '*', port: '1761-1768', nsgName: 'dbg' }",
        '}',
        "module off './mods/rule.bicep' = if (false) {",
        "  name: 'off'",
        "  params: { src: '*', port: '22', nsgName: 'off' }",
        '}',
        "module perEnv './mods/rule.bicep' = [for e in envs: {",
        "  name: 'env-${e}'",
        "  params: { src: 'Internet', port: '3389', nsgName: 'nsg-${e}' }",
        '}]',
        '',
      ].join('\n'),
    );
    expect(doc.rulesets.map((r) => r.name)).toEqual(['NSG dbg', 'NSG nsg-a', 'NSG nsg-b']);
    expect(opened(doc.rulesets[0]!, 1761)).toEqual(['possibly-open 0.0.0.0/0 * @3', 'possibly-open ::/0 * @3']);
    expect(opened(doc.rulesets[2]!, 3389)).toEqual(['open 0.0.0.0/0 @11', 'open ::/0 @11']);
  });
});

describe('Bicep: a func declaration that does not parse', () => {
  test('is an error at its parameter list, not at the end of the file', () => {
    const doc = parseBicep("func f(a string => 'x'\nresource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {\n  name: 'x'\n}\n");
    expect(doc.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.severity} ${d.message}`)).toEqual(['1:7 error Bicep: the parameter list of func f is not closed']);
  });
});

describe('a child rule whose NSG name is not known', () => {
  test("'${nsg.outputs.name}/ssh' gives the NSG '${nsg.outputs.name}' and the rule 'ssh', each quoted whole", () => {
    const doc = parseBicep(`param prefix string
resource extra 'Microsoft.Network/networkSecurityGroups/securityRules@2023-04-01' = {
  name: '\${prefix}/ssh'
  properties: { priority: 300, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22' }
}
`);
    expect(doc.rulesets.map((r) => r.name)).toEqual(["NSG '${prefix}' (rules only; the NSG is defined elsewhere)"]);
    expect(doc.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.comment).toContain("'ssh'");
  });
});
