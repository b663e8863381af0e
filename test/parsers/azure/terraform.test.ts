import { describe, expect, test } from 'vitest';
import { evaluateTerraform } from '../../../src/parsers/terraform/index.js';
import { mapAzureTerraform } from '../../../src/parsers/azure/index.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { AddrSet, canonicalRule, numSingle, type Ruleset } from '../../../src/model/index.js';

function reach(rs: Ruleset, port: number, proto = 6): { open: AddrSet; possibly: AddrSet } {
  let open = AddrSet.EMPTY;
  let possibly = AddrSet.EMPTY;
  for (const e of exposedPorts(computeExposure(rs), proto, numSingle(port))) {
    if (e.family !== 'ipv4') continue;
    if (e.certainty === 'open') open = open.union(e.sources);
    else possibly = possibly.union(e.sources);
  }
  return { open, possibly };
}

function map(tf: string) {
  const ev = evaluateTerraform(tf);
  expect(ev.diagnostics).toEqual([]);
  return mapAzureTerraform(ev.resources);
}

const TF = `resource "azurerm_network_security_group" "app" {
  name = "app-nsg"

  security_rule {
    name                       = "cft"
    priority                   = 200
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "1761-1768"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_security_rule" "deny_1768" {
  name                        = "deny-1768"
  network_security_group_name = azurerm_network_security_group.app.name
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_ranges     = ["1768"]
  source_address_prefixes     = ["0.0.0.0/0"]
  destination_address_prefix  = "*"
}

resource "azurerm_subnet_network_security_group_association" "a" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.app.id
}
`;

describe('azurerm', () => {
  test('inline rules and attached rules in one NSG: the attached deny may be overwritten, 1768 stays possibly open', () => {
    const m = map(TF);
    // azurerm: an NSG with in-line rules cannot be used with azurerm_network_security_rule resources ("doing so will
    // cause a conflict of rule settings and will overwrite rules"): the attached rule may be absent after an apply
    expect(m.diagnostics.map((d) => [d.severity, d.code, d.message, TF.slice(d.span.start.offset, d.span.end.offset)])).toEqual([
      [
        'warning',
        'unevaluated',
        'Cannot evaluate azurerm_network_security_rule.deny_1768 beside the in-line security_rule of azurerm_network_security_group.app (security rule "deny-1768"): the NSG lists its rules in-line, which overwrites standalone rules on apply (azurerm: they cannot be mixed); it is treated as unknown',
        'azurerm_network_security_group.app.name',
      ],
    ]);
    expect(m.rulesets.map((r) => [r.name, r.targets])).toEqual([['NSG app-nsg', ['app-nsg', 'azurerm_network_security_group.app', 'azurerm_network_security_rule.deny_1768', 'azurerm_subnet.app']]]);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => r.text)).toEqual([
      'deny tcp:1768 from 0.0.0.0/0 to * (priority 100)',
      'allow tcp:1761-1768 from Internet to * (priority 200)',
      'default rule AllowVnetInBound: allow *:* from VirtualNetwork to VirtualNetwork (priority 65000)',
      'default rule AllowAzureLoadBalancerInBound: allow *:* from AzureLoadBalancer to * (priority 65001)',
      'default rule DenyAllInBound: deny *:* from * to * (priority 65500)',
    ]);
    expect(rules[0]!.comment).toBe('deny-1768: azurerm_network_security_rule.deny_1768');
    expect(rules[1]!.span.start).toEqual({ line: 4, column: 3, offset: TF.indexOf('security_rule {') });
    expect(rules[1]!.reportSpan!.start).toEqual({ line: 12, column: 34, offset: TF.indexOf('"Internet"') });
    expect(rules[0]!.span.start.line).toBe(17);
    const rs = m.rulesets[0]!;
    expect(reach(rs, 1768).open.isEmpty).toBe(true);
    expect(reach(rs, 1768).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 1764).open.equals(AddrSet.ALL_V4)).toBe(true);
    // the same rules all attached (no in-line security_rule): the deny is certain, 1768 closed
    const attached = map(
      TF.replace(/ {2}security_rule \{[^}]*\}\n/, '').concat(
        `resource "azurerm_network_security_rule" "cft" {\n  name = "cft"\n  network_security_group_name = azurerm_network_security_group.app.name\n  priority = 200\n  direction = "Inbound"\n  access = "Allow"\n  protocol = "Tcp"\n  source_port_range = "*"\n  destination_port_range = "1761-1768"\n  source_address_prefix = "Internet"\n  destination_address_prefix = "*"\n}\n`,
      ),
    );
    expect(attached.diagnostics).toEqual([]);
    expect(reach(attached.rulesets[0]!, 1768).open.isEmpty && reach(attached.rulesets[0]!, 1768).possibly.isEmpty).toBe(true);
    expect(reach(attached.rulesets[0]!, 1764).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('rule attached to an NSG not in the input; unknown values opaque; bad prefixes diagnosed', () => {
    const m = map(`variable "src" {}
resource "azurerm_network_security_rule" "r" {
  name                        = "r"
  network_security_group_name = "elsewhere"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "1761"
  source_address_prefix       = var.src
  destination_address_prefix  = "*"
}
resource "azurerm_network_security_rule" "bad" {
  name                        = "bad"
  network_security_group_name = "elsewhere"
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "/0"
  destination_address_prefix  = "*"
}
`);
    expect(m.rulesets.map((r) => r.name)).toEqual(['NSG elsewhere (rules only; the NSG is defined elsewhere)']);
    expect(m.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ['unevaluated', 11],
      ['azure/bad-prefix', 23],
    ]);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(canonicalRule(rules[0]!)).toBe('dstport=1761 opaque:unresolved => accept');
    expect(reach(m.rulesets[0]!, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(m.rulesets[0]!, 1761).open.isEmpty).toBe(true);
    expect(reach(m.rulesets[0]!, 22).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('application security group references are principals even when not literal', () => {
    const m = map(`variable "asgs" {}
resource "azurerm_network_security_rule" "from_asg" {
  name                                  = "ssh"
  network_security_group_name           = "n"
  priority                              = 100
  direction                             = "Inbound"
  access                                = "Allow"
  protocol                              = "Tcp"
  source_port_range                     = "*"
  destination_port_range                = "22"
  source_application_security_group_ids = [azurerm_application_security_group.bastion.id]
  destination_address_prefix            = "*"
}
resource "azurerm_network_security_rule" "from_var" {
  name                                  = "cft"
  network_security_group_name           = "n"
  priority                              = 110
  direction                             = "Inbound"
  access                                = "Allow"
  protocol                              = "Tcp"
  source_port_range                     = "*"
  destination_port_range                = "1761"
  source_application_security_group_ids = var.asgs
  destination_address_prefix            = "*"
}
`);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(canonicalRule(rules[0]!)).toBe('dstport=22 proto=6 srcprincipal=asg:bastion => accept');
    expect(canonicalRule(rules[1]!)).toBe('dstport=1761 proto=6 srcprincipal=asg:var.asgs => accept');
    expect(reach(m.rulesets[0]!, 22).possibly.isEmpty && reach(m.rulesets[0]!, 22).open.isEmpty).toBe(true);
    expect(reach(m.rulesets[0]!, 1761).possibly.isEmpty && reach(m.rulesets[0]!, 1761).open.isEmpty).toBe(true);
  });

  test('subnet NSG + NIC NSG for the same NIC: two base chains, both must allow', () => {
    const m = map(`resource "azurerm_network_security_group" "subnet" {
  name = "subnet-nsg"
  security_rule {
    name = "cft"
    priority = 100
    direction = "Inbound"
    access = "Allow"
    protocol = "Tcp"
    source_port_range = "*"
    destination_port_range = "1761-1768"
    source_address_prefix = "*"
    destination_address_prefix = "*"
  }
}
resource "azurerm_network_security_group" "nic" {
  name = "nic-nsg"
  security_rule {
    name = "cft-1761"
    priority = 100
    direction = "Inbound"
    access = "Allow"
    protocol = "Tcp"
    source_port_range = "*"
    destination_port_range = "1761"
    source_address_prefix = "*"
    destination_address_prefix = "*"
  }
}
resource "azurerm_network_interface" "vm" {
  name = "vm-nic"
  ip_configuration {
    name = "ip"
    subnet_id = azurerm_subnet.app.id
  }
}
resource "azurerm_subnet_network_security_group_association" "s" {
  subnet_id = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.subnet.id
}
resource "azurerm_network_interface_security_group_association" "n" {
  network_interface_id = azurerm_network_interface.vm.id
  network_security_group_id = azurerm_network_security_group.nic.id
}
`);
    expect(m.rulesets.map((r) => r.name)).toEqual(['NSG subnet-nsg', 'NSG nic-nsg', 'NIC vm-nic (subnet azurerm_subnet.app NSG subnet-nsg + NIC NSG nic-nsg)']);
    const both = m.rulesets[2]!;
    expect(reach(both, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(both, 1762).open.isEmpty).toBe(true);
    expect(reach(both, 1762).possibly.isEmpty).toBe(true);
    expect(reach(m.rulesets[0]!, 1762).open.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('rules of an NSG written in another file of the module', () => {
  // nsg.tf declares azurerm_network_security_group.mft; rules.tf (this file) attaches a rule by reference. The
  // ruleset is named and targeted by the NSG's address, as in nsg.tf, so that a deployment declared on
  // `azurerm_network_security_group.mft` applies here too (it was named `azurerm_network_security_group.mft.name`).
  test('are named by the NSG address, not by the reference expression', () => {
    const m = mapAzureTerraform(evaluateTerraform(`
resource "azurerm_network_security_rule" "cft" {
  name                        = "cft"
  network_security_group_name = azurerm_network_security_group.mft.name
  resource_group_name         = "rg"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "1761"
  source_address_prefix       = "10.0.0.0/8"
  destination_address_prefix  = "*"
}
`).resources);
    expect(m.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['NSG azurerm_network_security_group.mft (rules only; the NSG is defined elsewhere)', ['azurerm_network_security_group.mft', 'azurerm_network_security_rule.cft']],
    ]);
  });
});

describe('rules of NSG instances written in another file (for_each)', () => {
  // azurerm_network_security_group.nsg["web"] and ["db"] are two NSGs: the deny of one does not close what the allow
  // of the other opens (named by the address without its key, they were one NSG and 443 read closed on both)
  test('each instance is an NSG of its own', () => {
    const m = mapAzureTerraform(evaluateTerraform(`
locals {
  rules = {
    web-deny = { nsg = "web", prio = 100, access = "Deny" }
    db-allow = { nsg = "db", prio = 200, access = "Allow" }
  }
}
resource "azurerm_network_security_rule" "r" {
  for_each                    = local.rules
  name                        = each.key
  network_security_group_name = azurerm_network_security_group.nsg[each.value.nsg].name
  resource_group_name         = "rg"
  priority                    = each.value.prio
  direction                   = "Inbound"
  access                      = each.value.access
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "443"
  source_address_prefix       = "0.0.0.0/0"
  destination_address_prefix  = "*"
}
`).resources);
    expect(m.rulesets.map((r) => r.name)).toEqual([
      'NSG azurerm_network_security_group.nsg["web"] (rules only; the NSG is defined elsewhere)',
      'NSG azurerm_network_security_group.nsg["db"] (rules only; the NSG is defined elsewhere)',
    ]);
    expect(reach(m.rulesets[0]!, 443).open.isEmpty).toBe(true);
    expect(reach(m.rulesets[1]!, 443).open.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('subnet NSG + NIC NSG: named sources and addresses', () => {
  const rule = (name: string, prio: number, access: string, port: string, src: string): string => `
  security_rule {
    name                       = "${name}"
    priority                   = ${prio}
    direction                  = "Inbound"
    access                     = "${access}"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "${port}"
    ${src}
    destination_address_prefix = "*"
  }`;
  const both = (subnetRules: string, nicRules: string): Ruleset => {
    const m = map(`resource "azurerm_network_security_group" "subnet" {
  name = "subnet-nsg"${subnetRules}
}
resource "azurerm_network_security_group" "nic" {
  name = "nic-nsg"${nicRules}
}
resource "azurerm_network_interface" "vm" {
  name = "vm-nic"
  ip_configuration {
    name = "ip"
    subnet_id = azurerm_subnet.app.id
  }
}
resource "azurerm_subnet_network_security_group_association" "s" {
  subnet_id = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.subnet.id
}
resource "azurerm_network_interface_security_group_association" "n" {
  network_interface_id = azurerm_network_interface.vm.id
  network_security_group_id = azurerm_network_security_group.nic.id
}
`);
    return m.rulesets[2]!;
  };
  /** Per certainty, the named sources and IPv4 addresses that reach TCP `port`. */
  const reached = (rs: Ruleset, port: number): { open: string[]; possibly: string[] } => {
    const out = { open: new Set<string>(), possibly: new Set<string>() };
    for (const e of exposedPorts(computeExposure(rs), 6, numSingle(port))) {
      if (e.family !== 'ipv4') continue;
      const to = e.certainty === 'open' ? out.open : out.possibly;
      for (const p of e.principals) to.add(p);
      if (!e.sources.isEmpty) to.add(e.sources.toString());
    }
    return { open: [...out.open].sort(), possibly: [...out.possibly].sort() };
  };

  test('an application security group the NIC NSG allows passes the subnet NSG’s AllowVnetInBound (its members are in VirtualNetwork)', () => {
    // learn.microsoft.com/azure/virtual-network/application-security-groups: the members are network interfaces of
    // one virtual network, so the subnet's default AllowVnetInBound admits them; before, closed
    const rs = both('', rule('rest-from-ops', 100, 'Allow', '1768', 'source_application_security_group_ids = [azurerm_application_security_group.ops.id]') + rule('deny-vnet', 4000, 'Deny', '*', 'source_address_prefix = "VirtualNetwork"'));
    expect(reached(rs, 1768)).toEqual({ open: ['AzureLoadBalancer'], possibly: ['asg:ops'] });
    const e = exposedPorts(computeExposure(rs), 6, numSingle(1768)).find((x) => x.principals.includes('asg:ops'))!;
    expect(e.reasons.map((r) => r.message)).toEqual(['VirtualNetwork for asg:ops at line 1 may or may not match']);
  });

  test('a subnet NSG’s CIDR allow may admit the virtual network’s own clients, which the NIC NSG allows by tag', () => {
    // a client at 10.0.1.5 in the VNet: the subnet's 10.0.0.0/8 allow comes before its VirtualNetwork deny, the NIC
    // NSG allows VirtualNetwork; before, both readings were dropped (closed)
    const deny = rule('deny-vnet', 4000, 'Deny', '*', 'source_address_prefix = "VirtualNetwork"');
    const rs = both(rule('pesit-lan', 100, 'Allow', '1761', 'source_address_prefix = "10.0.0.0/8"') + deny, rule('pesit-vnet', 100, 'Allow', '1761', 'source_address_prefix = "VirtualNetwork"') + deny);
    expect(reached(rs, 1761)).toEqual({ open: ['AzureLoadBalancer'], possibly: ['VirtualNetwork'] });
    // a public CIDR holds no VirtualNetwork address (Internet's certain part): still closed for the tag
    const pub = both(rule('pesit-partner', 100, 'Allow', '1761', 'source_address_prefix = "198.51.100.0/24"') + deny, rule('pesit-vnet', 100, 'Allow', '1761', 'source_address_prefix = "VirtualNetwork"') + deny);
    expect(reached(pub, 1761)).toEqual({ open: ['AzureLoadBalancer'], possibly: [] });
    // and default rules alone add nothing undecided
    expect(reached(both('', ''), 1761)).toEqual({ open: ['AzureLoadBalancer', 'VirtualNetwork'], possibly: [] });
  });
});

describe('where findings are reported', () => {
  test('prefixes from a variable default are not the place of the finding: the rule’s own port is', () => {
    const m = map(`variable "src" {
  default = ["203.0.113.0/24"]
}
resource "azurerm_network_security_group" "n" {
  name = "n"
  security_rule {
    name                       = "cft"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "1761-1768"
    source_address_prefixes    = var.src
    destination_address_prefix = "*"
  }
}
`);
    const r = m.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!;
    expect(r.reportSpan!.start.line).toBe(13);
  });
});

describe('virtual machines behind an NSG', () => {
  test("a VM whose NIC (or its NIC's subnet) has the NSG is one of the NSG's targets", () => {
    const m = map(`resource "azurerm_network_security_group" "nic" {
  name = "nsg-nic"
  location = "x"
  resource_group_name = "rg"
}
resource "azurerm_network_security_group" "sub" {
  name = "nsg-sub"
  location = "x"
  resource_group_name = "rg"
}
resource "azurerm_subnet" "s" {
  name = "s"
  resource_group_name = "rg"
  virtual_network_name = "vnet"
  address_prefixes = ["10.0.1.0/24"]
}
resource "azurerm_network_interface" "a" {
  name = "nic-a"
  location = "x"
  resource_group_name = "rg"
  ip_configuration {
    name = "ip"
    subnet_id = azurerm_subnet.s.id
    private_ip_address_allocation = "Dynamic"
  }
}
resource "azurerm_linux_virtual_machine" "mft02" {
  name = "mft02"
  network_interface_ids = [azurerm_network_interface.a.id]
}
resource "azurerm_windows_virtual_machine" "other" {
  name = "other"
  network_interface_ids = ["/subscriptions/x/networkInterfaces/elsewhere"]
}
resource "azurerm_network_interface_security_group_association" "n" {
  network_interface_id      = azurerm_network_interface.a.id
  network_security_group_id = azurerm_network_security_group.nic.id
}
resource "azurerm_subnet_network_security_group_association" "s" {
  subnet_id                 = azurerm_subnet.s.id
  network_security_group_id = azurerm_network_security_group.sub.id
}
`);
    const targets = Object.fromEntries(m.rulesets.map((r) => [r.name, r.targets]));
    expect(targets['NSG nsg-nic']).toEqual(['nsg-nic', 'azurerm_network_security_group.nic', 'nic-a', 'azurerm_linux_virtual_machine.mft02']);
    expect(targets['NSG nsg-sub']).toEqual(['nsg-sub', 'azurerm_network_security_group.sub', 'azurerm_subnet.s', 'azurerm_linux_virtual_machine.mft02']);
  });
});
