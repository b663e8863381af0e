import { describe, expect, test } from 'vitest';
import { evaluateTerraform } from '../../../src/parsers/terraform/index.js';
import { mapGcpTerraform } from '../../../src/parsers/gcp/index.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { AddrSet, canonicalRule, numSingle, type Ruleset } from '../../../src/model/index.js';
import type { PObject } from '../../../src/parsers/values.js';

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
  return mapGcpTerraform(ev.resources);
}


/** A network whose firewall policies run before its VPC firewall rules (the policy tests then judge the policy alone). */
const BEFORE_CLASSIC = 'resource "google_compute_network" "vpc" {\n  name = "prod"\n  network_firewall_policy_enforcement_order = "BEFORE_CLASSIC_FIREWALL"\n}\n';

describe('a network of another file of the module, referred to by .name, .id and .self_link', () => {
  // One VPC network: its rules are judged together (a deny of one applies before an allow of another). They were
  // three networks, named by the three reference texts, so the deny below did not close what the allow opens.
  test('is one network, named by its address', () => {
    const m = map(`resource "google_compute_firewall" "allow" {
  name          = "allow-cft"
  network       = google_compute_network.vpc.name
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports    = ["1761"]
  }
}
resource "google_compute_firewall" "deny" {
  name          = "deny-cft"
  network       = google_compute_network.vpc.self_link
  priority      = 900
  source_ranges = ["0.0.0.0/0"]
  deny {
    protocol = "tcp"
    ports    = ["1761"]
  }
}
resource "google_compute_firewall" "deny_v6" {
  name          = "deny-cft-v6"
  network       = google_compute_network.vpc.id
  priority      = 900
  source_ranges = ["::/0"]
  deny {
    protocol = "all"
  }
}
`);
    expect(m.rulesets.map((r) => [r.name, r.targets])).toEqual([['network google_compute_network.vpc, all instances', ['google_compute_network.vpc']]]);
    expect(reach(m.rulesets[0]!, 1761).open.isEmpty).toBe(true);
  });
});

describe('google_compute_firewall', () => {
  const TF = `resource "google_compute_firewall" "cft" {
  name    = "allow-cft"
  network = google_compute_network.vpc.name

  allow {
    protocol = "tcp"
    ports    = ["1761-1768"]
  }
  allow {
    protocol = "udp"
    ports    = [1761]
  }
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["cft"]
}

resource "google_compute_firewall" "block" {
  name     = "deny-1768"
  network  = google_compute_network.vpc.name
  priority = 900
  deny {
    protocol = "tcp"
    ports    = ["1768"]
  }
  source_ranges = ["0.0.0.0/0"]
}
`;

  test('blocks, rulesets per target tag, exact spans, deny hides 1768', () => {
    const m = map(TF);
    expect(m.diagnostics).toEqual([]);
    expect(m.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['network google_compute_network.vpc, target tag cft', ['tag:cft', 'cft', 'google_compute_network.vpc']],
      ['network google_compute_network.vpc, all instances', ['google_compute_network.vpc']],
    ]);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => r.text)).toEqual([
      'deny tcp:1768 from 0.0.0.0/0 (priority 900)',
      'allow tcp:1761-1768 udp:1761 from 0.0.0.0/0 on tag:cft (priority 1000)',
    ]);
    expect(rules[1]!.comment).toBe('allow-cft: google_compute_firewall.cft');
    expect(rules[1]!.span.start).toEqual({ line: 1, column: 1, offset: 0 });
    expect(rules[1]!.span.end.line).toBe(15);
    expect(rules[1]!.reportSpan!.start).toEqual({ line: 13, column: 19, offset: TF.indexOf('["0.0.0.0/0"]') });
    expect(canonicalRule(rules[1]!)).toBe('anyof([dstport=1761 proto=17]|[dstport=1761-1768 proto=6]) srcaddr=0.0.0.0/0 => accept');
    const rs = m.rulesets[0]!;
    expect(reach(rs, 1768).open.isEmpty).toBe(true);
    expect(reach(rs, 1767).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 1761, 17).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(m.rulesets[1]!, 1767).open.isEmpty).toBe(true);
  });

  test('unknown values stay opaque: variables without defaults, dynamic blocks, unknown count', () => {
    const m = map(`variable "ranges" {}
variable "rules" {}
variable "n" {}
resource "google_compute_firewall" "a" {
  name = "a"
  network = "default"
  source_ranges = var.ranges
  allow {
    protocol = "tcp"
    ports = ["1761"]
  }
}
resource "google_compute_firewall" "b" {
  name = "b"
  network = "default"
  priority = 10
  dynamic "deny" {
    for_each = var.rules
    content {
      protocol = deny.value.protocol
    }
  }
}
resource "google_compute_firewall" "c" {
  count = var.n
  name = "c"
  network = "default"
  allow {
    protocol = "udp"
  }
}
`);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => canonicalRule(r))).toEqual([
      // a deny from every IPv4 address (the default source) also stops tagged instances' packets
      'family=ipv4 opaque:unresolved opaque:unresolved => drop',
      'dstport=1761 opaque:unresolved proto=6 => accept',
      'opaque:unresolved proto=17 srcaddr=0.0.0.0/0 => accept',
    ]);
    const rs = m.rulesets[0]!;
    expect(reach(rs, 1761).open.isEmpty).toBe(true);
    expect(reach(rs, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 1761, 17).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('unresolved tags stay principals (never the internet) unless the sources may all be empty', () => {
    const m = map(`variable "tags" {}
variable "targets" {}
resource "google_compute_firewall" "ranges_and_tags" {
  name = "a"
  network = "default"
  source_ranges = ["10.0.0.0/8"]
  source_tags = var.tags
  allow {
    protocol = "tcp"
    ports = ["1761"]
  }
}
resource "google_compute_firewall" "tags_only" {
  name = "b"
  network = "default"
  source_tags = var.tags
  allow {
    protocol = "tcp"
    ports = ["1762"]
  }
}
resource "google_compute_firewall" "literal_tag" {
  name = "c"
  network = "default"
  source_tags = ["bastion"]
  allow {
    protocol = "tcp"
    ports = ["1763"]
  }
}
resource "google_compute_firewall" "targets" {
  name = "d"
  network = "default"
  source_ranges = ["0.0.0.0/0"]
  target_tags = var.targets
  allow {
    protocol = "tcp"
    ports = ["1764"]
  }
}
`);
    expect(m.rulesets.map((r) => r.name)).toEqual(['network default, target var.targets', 'network default, all instances']);
    const all = m.rulesets[1]!;
    const rules = all.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => canonicalRule(r))).toEqual([
      'anyof([srcaddr=10.0.0.0/8]|[srcprincipal=tag:var.tags]) dstport=1761 proto=6 => accept',
      'anyof([opaque:unresolved srcaddr=0.0.0.0/0]|[srcprincipal=tag:var.tags]) dstport=1762 proto=6 => accept',
      'dstport=1763 proto=6 srcprincipal=tag:bastion => accept',
      'dstport=1764 opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(reach(all, 1761).open.toCidrs()).toEqual(['10.0.0.0/8']);
    expect(reach(all, 1761).possibly.isEmpty).toBe(true);
    expect(reach(all, 1762).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(all, 1763).open.isEmpty && reach(all, 1763).possibly.isEmpty).toBe(true);
    // the targeted rule: certain on its own target class, possible on every instance
    expect(reach(all, 1764).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(m.rulesets[0]!, 1764).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('unknown priority: an allow goes first, a deny last, both opaque', () => {
    const m = map(`variable "p" {}
resource "google_compute_firewall" "d" {
  name = "d"
  network = "default"
  priority = var.p
  deny {
    protocol = "all"
  }
}
resource "google_compute_firewall" "a" {
  name = "a"
  network = "default"
  allow {
    protocol = "tcp"
  }
}
`);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => r.comment)).toEqual(['a: google_compute_firewall.a', 'd: google_compute_firewall.d']);
    expect(reach(m.rulesets[0]!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('firewall policy rules: priority order, goto_next continues, the next level is unknown', () => {
    const m = map(`resource "google_compute_firewall_policy_rule" "deny" {
  firewall_policy = google_compute_firewall_policy.p.id
  priority = 100
  action = "deny"
  direction = "INGRESS"
  match {
    src_ip_ranges = ["0.0.0.0/0"]
    layer4_configs {
      ip_protocol = "tcp"
      ports = ["1768"]
    }
  }
}
resource "google_compute_firewall_policy_rule" "allow" {
  firewall_policy = google_compute_firewall_policy.p.id
  priority = 200
  action = "allow"
  direction = "INGRESS"
  match {
    src_ip_ranges = ["0.0.0.0/0"]
    layer4_configs {
      ip_protocol = "tcp"
      ports = ["1761-1768"]
    }
  }
}
`);
    expect(m.rulesets.map((r) => r.name)).toEqual(['firewall policy google_compute_firewall_policy.p.id, all instances']);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => r.action.kind)).toEqual(['drop', 'accept', 'unknown']);
    const rs = m.rulesets[0]!;
    expect(reach(rs, 1768).open.isEmpty).toBe(true);
    expect(reach(rs, 1768).possibly.isEmpty).toBe(true);
    expect(reach(rs, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 22).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test("each firewall policy's end (goto_next) is placed at that policy's rules, not at another policy's", () => {
    const rule = (name: string, policy: string, port: number): string => `resource "google_compute_network_firewall_policy_rule" "${name}" {
  firewall_policy = "${policy}"
  priority = 100
  action = "allow"
  direction = "INGRESS"
  match {
    src_ip_ranges = ["0.0.0.0/0"]
    layer4_configs {
      ip_protocol = "tcp"
      ports = ["${port}"]
    }
  }
}
`;
    const m = map(rule('a', 'pol-a', 22) + rule('b', 'pol-b', 3389));
    expect(m.rulesets.map((r) => r.name)).toEqual(['firewall policy pol-a, all instances', 'firewall policy pol-b, all instances']);
    const ends = m.rulesets.map((r) => r.tables[0]!.chains[0]!.rules.filter((x) => x.action.kind === 'unknown').map((x) => x.span.start.line));
    expect(ends).toEqual([[1], [14]]);
  });

  test('a policy written with its rules inline (*_firewall_policy_with_rules) is read, not skipped', () => {
    const m = map(`${BEFORE_CLASSIC}resource "google_compute_network_firewall_policy_with_rules" "p" {
  name = "pol"
  rule {
    priority  = 100
    action    = "deny"
    direction = "INGRESS"
    match {
      src_ip_ranges = ["0.0.0.0/0"]
      layer4_config {
        ip_protocol = "tcp"
        ports       = ["1768"]
      }
    }
  }
  rule {
    priority  = 200
    action    = "allow"
    direction = "INGRESS"
    match {
      src_ip_ranges = ["0.0.0.0/0"]
      layer4_config {
        ip_protocol = "tcp"
        ports       = ["1761-1768"]
      }
    }
  }
}
`);
    expect(m.rulesets.map((r) => r.name)).toEqual(['firewall policy pol, all instances']);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => [r.action.kind, r.span.start.line])).toEqual([['drop', 7], ['accept', 19], ['unknown', 7]]);
    const rs = m.rulesets[0]!;
    expect(reach(rs, 1768).open.isEmpty && reach(rs, 1768).possibly.isEmpty).toBe(true);
    expect(reach(rs, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('network firewall policy rules: target_secure_tags and target_resources limit the rule; priorities up to 2^31-1', () => {
    const rule = (name: string, prio: number, action: string, port: string, extra = ''): string => `resource "google_compute_network_firewall_policy_rule" "${name}" {
  firewall_policy = "prod-policy"
  priority = ${prio}
  action = "${action}"
  direction = "INGRESS"
  match {
    src_ip_ranges = ["0.0.0.0/0"]
    layer4_configs {
      ip_protocol = "tcp"
      ports = ["${port}"]
    }
  }
${extra}}
`;
    const ev = evaluateTerraform(
      BEFORE_CLASSIC +
        rule('quarantine', 10, 'deny', '0-65535', '  target_secure_tags {\n    name = "tagValues/123"\n  }\n') +
        rule('other_net', 20, 'deny', '1761', '  target_resources = ["projects/p/global/networks/net-b"]\n') +
        rule('cft', 100, 'allow', '1761-1768') +
        rule('last', 2147483647, 'allow', '22'),
    );
    expect(ev.diagnostics).toEqual([]);
    const m = mapGcpTerraform(ev.resources);
    expect(m.diagnostics).toEqual([]);
    expect(m.rulesets.map((r) => r.name)).toEqual([
      'firewall policy prod-policy, target secure tag tagValues/123',
      'firewall policy prod-policy, target network net-b',
      'firewall policy prod-policy, all instances',
    ]);
    const [tagged, netB, all] = m.rulesets;
    expect(reach(tagged!, 1761).open.isEmpty && reach(tagged!, 1761).possibly.isEmpty).toBe(true);
    expect(reach(netB!, 1761).open.isEmpty && reach(netB!, 1761).possibly.isEmpty).toBe(true);
    expect(reach(netB!, 1762).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(all!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(all!, 22).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('src_secure_tags are instance principals, not possibly the whole internet', () => {
    const m = map(`${BEFORE_CLASSIC}resource "google_compute_network_firewall_policy_rule" "from_app" {
  firewall_policy = "prod-policy"
  priority = 100
  action = "allow"
  direction = "INGRESS"
  match {
    src_secure_tags {
      name = "tagValues/42"
    }
    layer4_configs {
      ip_protocol = "tcp"
      ports = ["1761"]
    }
  }
}
`);
    expect(m.diagnostics).toEqual([]);
    const rs = m.rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules[0]!.text).toBe('allow tcp:1761 from stag:tagValues/42 (priority 100)');
    // only the unknown next level (the trailing goto_next) may open 1761 to addresses
    const exp = exposedPorts(computeExposure(rs), 6, numSingle(1761)).filter((e) => e.family === 'ipv4');
    expect(exp.filter((e) => e.certainty === 'open').map((e) => [e.sources.isEmpty, e.principals])).toEqual([[true, ['stag:tagValues/42']]]);
  });

  test('a network firewall policy runs after the VPC firewall rules unless the network says BEFORE_CLASSIC_FIREWALL: alone, it decides nothing for certain', () => {
    const policy = `resource "google_compute_network_firewall_policy_rule" "deny_db" {
  firewall_policy = "pol"
  priority        = 100
  direction       = "INGRESS"
  action          = "deny"
  match {
    src_ip_ranges = ["0.0.0.0/0"]
    layer4_configs {
      ip_protocol = "tcp"
      ports       = ["5432"]
    }
  }
}
`;
    // the default order (AFTER_CLASSIC_FIREWALL): a VPC rule may allow 5432 first, so the deny closes nothing
    const after = map(`resource "google_compute_network" "vpc" {\n  name = "prod"\n}\n${policy}`).rulesets[0]!;
    expect(reach(after, 5432).open.isEmpty).toBe(true);
    expect(reach(after, 5432).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    const before = map(BEFORE_CLASSIC + policy).rulesets[0]!;
    expect(reach(before, 5432).open.isEmpty && reach(before, 5432).possibly.isEmpty).toBe(true);
  });

  test('hand-built TfResource with an unresolved allow attribute', () => {
    const span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 10, offset: 9 } };
    const body: PObject = {
      kind: 'object',
      span,
      entries: [
        { key: 'name', keySpan: span, value: { kind: 'scalar', value: 'x', span } },
        { key: 'allow', keySpan: span, value: { kind: 'scalar', value: 'var.backends', span } },
        { key: 'source_ranges', keySpan: span, value: { kind: 'array', span, items: [{ kind: 'scalar', value: '0.0.0.0/0', span }] } },
      ],
    };
    const m = mapGcpTerraform([{ type: 'google_compute_firewall', name: 'x', address: 'google_compute_firewall.x', body, span }, { type: 'google_compute_network', name: 'n', address: 'google_compute_network.n', body, span }]);
    expect(m.rulesets.length).toBe(1);
    expect(m.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text)).toEqual(['allow var.backends from 0.0.0.0/0 (priority 1000)']);
    expect(reach(m.rulesets[0]!, 22).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('terraform show -json (plan) bodies', () => {
  test('blocks as arrays of objects, as the plan prints them', async () => {
    const { resourcesFromPlanJson } = await import('../../../src/parsers/terraform/index.js');
    const { parseJsonTree } = await import('../../../src/parsers/values.js');
    const { mapAzureTerraform } = await import('../../../src/parsers/azure/index.js');
    const plan = {
      format_version: '1.2',
      planned_values: {
        root_module: {
          resources: [
            {
              address: 'google_compute_firewall.cft',
              mode: 'managed',
              type: 'google_compute_firewall',
              name: 'cft',
              values: { name: 'cft', network: 'prod', priority: 1000, direction: 'INGRESS', allow: [{ protocol: 'tcp', ports: ['1761-1768'] }], deny: [], source_ranges: ['0.0.0.0/0'], source_tags: null, target_tags: null, disabled: false },
            },
            {
              address: 'azurerm_network_security_group.n',
              mode: 'managed',
              type: 'azurerm_network_security_group',
              name: 'n',
              values: {
                name: 'nsg',
                security_rule: [
                  { name: 'cft', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source_port_range: '*', source_port_ranges: [], destination_port_range: '', destination_port_ranges: ['1761-1768'], source_address_prefix: 'Internet', source_address_prefixes: [], destination_address_prefix: '*', destination_address_prefixes: [], source_application_security_group_ids: [], destination_application_security_group_ids: [], description: '' },
                ],
              },
            },
          ],
        },
      },
    };
    const resources = resourcesFromPlanJson(parseJsonTree(JSON.stringify(plan)).value!);
    const g = mapGcpTerraform(resources.filter((r) => r.type.startsWith('google_')));
    expect(g.diagnostics).toEqual([]);
    expect(g.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text)).toEqual(['allow tcp:1761-1768 from 0.0.0.0/0 (priority 1000)']);
    expect(reach(g.rulesets[0]!, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
    const a = mapAzureTerraform(resources.filter((r) => r.type.startsWith('azurerm_')));
    expect(a.diagnostics).toEqual([]);
    expect(a.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.text).toBe('allow tcp:1761-1768 from Internet to * (priority 100)');
    expect(reach(a.rulesets[0]!, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
  });
});

describe('where findings are reported', () => {
  test('a value from a variable default or a local is reported at the rule, not where the default is written', () => {
    const m = map(`variable "world" {
  default = ["0.0.0.0/0"]
}
locals {
  cft = ["1761-1768"]
}
resource "google_compute_firewall" "a" {
  name          = "a"
  network       = "vpc"
  source_ranges = var.world
  allow {
    protocol = "tcp"
    ports    = local.cft
  }
}
resource "google_compute_firewall" "b" {
  name          = "b"
  network       = "vpc"
  source_ranges = var.world
  allow {
    protocol = "tcp"
    ports    = ["1768"]
  }
}
`);
    const rules = m.rulesets[0]!.tables[0]!.chains[0]!.rules;
    // a: neither the ranges (line 2) nor the ports (line 5) are in the rule: reported at the resource (line 7)
    expect((rules[0]!.reportSpan ?? rules[0]!.span).start.line).toBe(7);
    // b: its own ports list
    expect((rules[1]!.reportSpan ?? rules[1]!.span).start.line).toBe(22);
  });
});

describe('a deny from every address also stops named sources', () => {
  test('deny 0.0.0.0/0 at 100 closes what a tag-sourced allow at 200 opens (tagged instances have IPv4 addresses too)', () => {
    const m = map(`resource "google_compute_firewall" "deny" {
  name          = "deny-all"
  network       = "vpc"
  priority      = 100
  source_ranges = ["0.0.0.0/0"]
  deny {
    protocol = "all"
  }
}
resource "google_compute_firewall" "from_tag" {
  name        = "cft-from-clients"
  network     = "vpc"
  priority    = 200
  source_tags = ["cft-client"]
  allow {
    protocol = "tcp"
    ports    = ["1761"]
  }
}
`);
    const open = exposedPorts(computeExposure(m.rulesets[0]!), 6, numSingle(1761)).filter((e) => e.family === 'ipv4');
    expect(open).toEqual([]);
  });
});

describe('a network firewall policy associated with a network whose VPC rules are in the input', () => {
  const tf = (order: string) => `resource "google_compute_network" "vpc" {
  name = "vpc"
${order}}
resource "google_compute_network_firewall_policy" "pol" {
  name = "pol"
}
resource "google_compute_network_firewall_policy_association" "assoc" {
  name              = "assoc"
  attachment_target = google_compute_network.vpc.id
  firewall_policy   = google_compute_network_firewall_policy.pol.name
}
resource "google_compute_network_firewall_policy_rule" "deny_ssh" {
  firewall_policy = google_compute_network_firewall_policy.pol.name
  priority        = 100
  action          = "deny"
  direction       = "INGRESS"
  match {
    src_ip_ranges = ["0.0.0.0/0"]
    layer4_configs {
      ip_protocol = "tcp"
      ports       = ["22"]
    }
  }
}
resource "google_compute_network_firewall_policy_rule" "allow_cft" {
  firewall_policy = google_compute_network_firewall_policy.pol.name
  priority        = 200
  action          = "allow"
  direction       = "INGRESS"
  match {
    src_ip_ranges = ["0.0.0.0/0"]
    layer4_configs {
      ip_protocol = "tcp"
      ports       = ["1761-1768"]
    }
  }
}
resource "google_compute_firewall" "allow_ssh" {
  name          = "allow-ssh"
  network       = google_compute_network.vpc.name
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}
`;
  const all = AddrSet.parse('0.0.0.0/0');

  test("is evaluated with them, in the network's one ruleset: before them (BEFORE_CLASSIC_FIREWALL), its deny closes the port", () => {
    const m = mapGcpTerraform(evaluateTerraform(tf('  network_firewall_policy_enforcement_order = "BEFORE_CLASSIC_FIREWALL"\n')).resources);
    expect(m.rulesets.map((r) => r.name)).toEqual(['network vpc, all instances']);
    expect(reach(m.rulesets[0]!, 22)).toEqual({ open: AddrSet.EMPTY, possibly: AddrSet.EMPTY });
    expect(reach(m.rulesets[0]!, 1761)).toEqual({ open: all, possibly: AddrSet.EMPTY });
  });

  test('after them (the default), the VPC allow comes first and the policy decides what they leave, for certain', () => {
    const m = mapGcpTerraform(evaluateTerraform(tf('')).resources);
    expect(m.rulesets.map((r) => r.name)).toEqual(['network vpc, all instances']);
    expect(reach(m.rulesets[0]!, 22)).toEqual({ open: all, possibly: AddrSet.EMPTY });
    expect(reach(m.rulesets[0]!, 1768)).toEqual({ open: all, possibly: AddrSet.EMPTY });
  });
});
