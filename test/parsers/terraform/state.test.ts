import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linter } from 'eslint';
import { describe, expect, test } from 'vitest';
import plugin from '../../../src/eslint/plugin.js';
import { parseTerraformPlan, parseTerraformState, terraformStateFormat } from '../../../src/parsers/terraform/format.js';
import { detectFormat } from '../../../src/parsers/registry.js';
import { walk } from '../../../src/cli/inputs.js';
import { HELP } from '../../../src/cli/main.js';
import { allFormats } from '../../../src/parsers/registry.js';
import { formatPorts, numRange, numSingle, type Span } from '../../../src/model/index.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import '../../../src/parsers/formats.js';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'terraform');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const at = (s: Span): string => `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`;

/** The recommended rules' findings on a file, as `fwlint` reports them: [line, column, rule, message]. */
function lint(text: string, filename: string): [number, number, string | null, string][] {
  const linter = new Linter({ configType: 'flat' });
  const config = plugin.configs.recommended.map((c) => ({ ...c, settings: { firewall: { discovery: false } } }));
  return linter.verify(text, config as never, filename).map((m) => [m.line, m.column, m.ruleId, m.message]);
}

const CFT_TCP =
  '1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI)';

describe('a Terraform state file (format version 4)', () => {
  // fixtures/terraform/aws.tfstate: written with the hashicorp/aws 5.100.0 schema (every attribute, nulls explicit),
  // read back by Terraform 1.11.4 (`terraform show` accepts it); aws.show.json is its `terraform show -json`
  test('AWS: tainted and deposed objects, count and for_each instances, a module instance; data sources left alone', () => {
    const doc = parseTerraformState(fixture('aws.tfstate'));
    expect(doc.format).toBe('terraform-state');
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets.map((r) => r.name)).toEqual([
      'sg-0cf7000000000000a (cft)',
      'sg-0cf6000000000000b (cft)',
      'sg-0db0000000000000a (db-0)',
      'sg-0db1000000000000b (db-1)',
      'sg-0app000000000000a (app)',
      'acl-0ed9e000000000000 (module.edge[0].aws_network_acl.edge)',
    ]);
    expect(doc.rulesets.map((r) => r.targets[0])).toEqual([
      'aws_security_group.cft',
      'aws_security_group.cft (deposed object 5f2c1e9a)',
      'aws_security_group.db[0]',
      'aws_security_group.db[1]',
      'module.edge[0].aws_security_group.app',
      'module.edge[0].aws_network_acl.edge',
    ]);
    expect(lint(fixture('aws.tfstate'), 'terraform.tfstate')).toEqual([
      [61, 19, 'firewall/no-unneeded-cft-ports', `Open: TCP ${CFT_TCP} reachable from 0.0.0.0/0 without a Transfer CFT deployment on aws_security_group.cft, sg-0cf7000000000000a, cft.`],
      [110, 19, 'firewall/no-world-open-sensitive-ports', 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0).'],
      [167, 19, 'firewall/no-undeclared-registered-ports', 'Open: TCP 5432 (postgresql) reachable from 10.0.0.0/8 but not declared as expected on aws_security_group.db[0], sg-0db0000000000000a, db-0.'],
      [216, 19, 'firewall/no-world-open-sensitive-ports', 'Open: TCP 5432 (postgresql) reachable from the whole internet (0.0.0.0/0).'],
      [216, 19, 'firewall/no-undeclared-registered-ports', 'Open: TCP 5432 (postgresql) reachable from 0.0.0.0/0 but not declared as expected on aws_security_group.db[1], sg-0db1000000000000b, db-1.'],
      // the standalone rules join their groups by the group ids the state holds
      [252, 15, 'firewall/no-world-open-sensitive-ports', 'Open: TCP 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/0).'],
      [252, 15, 'firewall/no-undeclared-registered-ports', 'Open: TCP 3389 (ms-wbt-server) reachable from 0.0.0.0/0 but not declared as expected on aws_security_group.db[0], sg-0db0000000000000a, db-0.'],
      [295, 26, 'firewall/no-undeclared-registered-ports', 'Open: TCP 8443 (pcsync-https) reachable from 0.0.0.0/0 but not declared as expected on aws_security_group.db[1], sg-0db1000000000000b, db-1.'],
      // the module's NACL denies 1761-1768 from everywhere at rule 90 (so the app group behind it opens nothing)
      [351, 15, 'firewall/no-shadowed-rules', 'This rule is never reached: every packet it matches is already decided by line 340 in chain ingress.'],
    ]);
  });

  test('gives the findings `terraform show -json` of the same state gives, at the same attributes', () => {
    const state = fixture('aws.tfstate');
    const show = fixture('aws.show.json');
    expect(parseTerraformPlan(show).format).toBe('terraform-plan');
    const findings = (text: string, name: string) => {
      const lines = text.split('\n');
      return lint(text, name)
        .map(([line, , rule, message]) => [rule, message.replace(/line \d+/, 'line N'), lines[line - 1]!.trim()].join(' | '))
        .sort();
    };
    expect(findings(state, 'terraform.tfstate')).toEqual(findings(show, 'state.json'));
    expect(findings(state, 'terraform.tfstate')).toHaveLength(9);
  });

  test('GCP: for_each and count instances of a module instance, a disabled rule, a tainted deny that closes', () => {
    const doc = parseTerraformState(fixture('gcp.tfstate'));
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets.map((r) => r.name)).toEqual(['network prod, target tag mft', 'network prod, target tag win', 'network prod, all instances']);
    expect(lint(fixture('gcp.tfstate'), 'terraform.tfstate')).toEqual([
      [77, 30, 'firewall/no-unneeded-cft-ports', `Open: TCP ${CFT_TCP} reachable from 0.0.0.0/0 without a Transfer CFT deployment on tag:mft, prod.`],
      // allow-rdp (priority 1000) after the tainted deny-rdp (900): still deployed, it closes 3389
      [99, 9, 'firewall/no-shadowed-rules', 'This rule is never reached: every packet it matches is already decided by line 147 in chain INGRESS.'],
    ]);
    // allow-ssh-0 is disabled: only allow-ssh-1's narrow source opens 22
    const tcp22 = exposedPorts(computeExposure(doc.rulesets[2]!), 6, numSingle(22));
    expect(tcp22.map((e) => [e.family, e.certainty, String(e.sources)])).toEqual([['ipv4', 'open', '35.235.240.0/20']]);
  });

  test('Azure: an NSG whose listed rules hold its standalone rule (read once, with its resource, as there for certain)', () => {
    const doc = parseTerraformState(fixture('azure.tfstate'));
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets.map((r) => r.name)).toEqual(['NSG nsg-mft']);
    const on = 'nsg-mft, azurerm_network_security_group.mft, azurerm_network_security_rule.ssh';
    expect(lint(fixture('azure.tfstate'), 'terraform.tfstate')).toEqual([
      [14, 9, 'firewall/no-unneeded-cft-ports', `Open: UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7) reachable from VirtualNetwork without a Transfer CFT deployment on ${on}, by Azure's default rule AllowVnetInBound (priority 65000).`],
      [14, 9, 'firewall/no-undeclared-registered-ports', `Open: TCP 1024-1760, 1769-3388, 3390-49151 (48119 ports); UDP 1024-1760, 1769-49151 (48120 ports) reachable from VirtualNetwork but not declared as expected on ${on}, by Azure's default rule AllowVnetInBound (priority 65000).`],
      [34, 42, 'firewall/no-unneeded-cft-ports', `Open: TCP ${CFT_TCP} reachable from 0.0.0.0/0, ::/0, AzureLoadBalancer and 2 more without a Transfer CFT deployment on ${on}.`],
      [76, 15, 'firewall/no-shadowed-rules', 'This rule is never reached: every packet it matches is already decided by line 58 in chain Inbound.'],
      // (was: possibly open, "beside the in-line security_rule" — every state lists the NSG's rules — and the NSG's copy
      // of the rule a second one)
      [123, 38, 'firewall/no-world-open-sensitive-ports', 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0, ::/0).'],
    ]);
  });

  test('Azure: associations, a NIC and a VM that name each other by resource id (as a state holds references) tie the NSGs to them', () => {
    // (the mapper followed references only: in a state the associations were passed over, the NSGs named no
    // subnet, NIC or VM, and the NIC's subnet and NIC NSGs were never read together)
    const doc = parseTerraformState(fixture('azure-vm.tfstate'));
    expect(doc.diagnostics).toEqual([]);
    const subnet = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-mft/providers/Microsoft.Network/virtualNetworks/vnet-mft/subnets/snet-app';
    expect(doc.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['NSG nsg-app', ['nsg-app', 'azurerm_network_security_group.app', subnet, 'azurerm_linux_virtual_machine.mft01']],
      ['NSG nsg-vm', ['nsg-vm', 'azurerm_network_security_group.vm', 'nic-mft01', 'azurerm_linux_virtual_machine.mft01']],
      [`NIC nic-mft01 (subnet ${subnet} NSG nsg-app + NIC NSG nsg-vm)`, ['nic-mft01', subnet, 'nsg-app', 'nsg-vm']],
    ]);
    // what reaches the VM from the internet: what both NSGs let in
    const open = exposedPorts(computeExposure(doc.rulesets[2]!), 6, numRange(1, 65535)).filter((e) => e.family === 'ipv4' && String(e.sources) === '0.0.0.0/0');
    expect(open.map((e) => [formatPorts(e.dports), e.certainty])).toEqual([['1768', 'open']]);
  });

  test('AWS, refreshed: the lists of a group and a network ACL hold their standalone rules, each read once (no "changes nothing", no in-line mixing)', () => {
    // aws-refreshed.tfstate: aws_security_group.web lists 3389 (aws_security_group_rule.rdp), 5432 from 10.0.0.0/8 and
    // 192.168.0.0/16 in one entry (pg["a"], pg["b"]: the provider groups them by ports and description) and a self
    // rule (aws_vpc_security_group_ingress_rule.self_all); aws_network_acl.edge lists entry 90 (aws_network_acl_rule.deny_cft)
    const text = fixture('aws-refreshed.tfstate');
    expect(parseTerraformState(text).diagnostics).toEqual([]);
    const on = 'aws_security_group.web, sg-0web000000000000a, web';
    expect(lint(text, 'terraform.tfstate')).toEqual([
      [38, 19, 'firewall/no-world-open-sensitive-ports', 'Open: TCP 443 (https) reachable from the whole internet (0.0.0.0/0).'],
      [114, 15, 'firewall/no-undeclared-registered-ports', `Open: TCP 5432 (postgresql) reachable from 10.0.0.0/8 but not declared as expected on ${on}.`],
      [141, 15, 'firewall/no-undeclared-registered-ports', `Open: TCP 5432 (postgresql) reachable from 192.168.0.0/16 but not declared as expected on ${on}.`],
      [175, 15, 'firewall/no-world-open-sensitive-ports', 'Open: TCP 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/0).'],
      [175, 15, 'firewall/no-undeclared-registered-ports', `Open: TCP 3389 (ms-wbt-server) reachable from 0.0.0.0/0 but not declared as expected on ${on}.`],
      [212, 26, 'firewall/no-unneeded-cft-ports', `Open: TCP ${CFT_TCP}; UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7) reachable from sg-0web000000000000a without a Transfer CFT deployment on ${on}.`],
      [212, 26, 'firewall/no-undeclared-registered-ports', `Open: TCP 1024-1760, 1769-49151 (48120 ports); UDP 1024-1760, 1769-49151 (48120 ports) reachable from sg-0web000000000000a but not declared as expected on ${on}.`],
      [266, 31, 'firewall/no-undeclared-registered-ports', 'Open: TCP 1024-1760, 1769-49151 (48120 ports) reachable from 10.0.0.0/8 but not declared as expected on aws_network_acl.edge, acl-0ed9e000000000000, subnet-0edge00000000000.'],
    ]);
    // `terraform show -json` of it (Terraform 1.11.4, hashicorp/aws 5.100.0) is read the same way
    const findings = (t: string, name: string) => {
      const lines = t.split('\n');
      return lint(t, name).map(([line, , rule, message]) => [rule, message, lines[line - 1]!.trim()].join(' | ')).sort();
    };
    expect(findings(fixture('aws-refreshed.show.json'), 'state.json')).toEqual(findings(text, 'terraform.tfstate'));
  });

  test('two different copies of one rule (one is stale): the standalone one may be absent', () => {
    const state = (nsgRule: string, aclEntry: string) =>
      [
        '{"version": 4, "lineage": "x", "resources": [',
        '  {"mode": "managed", "type": "azurerm_network_security_group", "name": "n", "instances": [{"attributes": {"name": "nsg", "security_rule": [',
        `    ${nsgRule}]}}]},`,
        '  {"mode": "managed", "type": "azurerm_network_security_rule", "name": "deny", "instances": [{"attributes": {"name": "deny-cft", "network_security_group_name": "nsg", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "source_port_range": "*", "destination_port_range": "1761-1768", "source_address_prefix": "*", "destination_address_prefix": "*"}}]},',
        '  {"mode": "managed", "type": "aws_network_acl", "name": "a", "instances": [{"attributes": {"id": "acl-1", "ingress": [',
        `    ${aclEntry}], "egress": []}}]},`,
        '  {"mode": "managed", "type": "aws_network_acl_rule", "name": "deny", "instances": [{"attributes": {"network_acl_id": "acl-1", "egress": false, "rule_number": 90, "rule_action": "deny", "protocol": "6", "from_port": 1761, "to_port": 1768, "cidr_block": "0.0.0.0/0"}}]}',
        ']}',
        '',
      ].join('\n');
    const nsgSame = '{"name": "deny-cft", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "source_port_range": "*", "destination_port_range": "1761-1768", "source_address_prefix": "*", "destination_address_prefix": "*", "source_port_ranges": [], "destination_port_ranges": [], "source_address_prefixes": [], "destination_address_prefixes": []}, {"name": "allow-all", "priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "*", "source_port_range": "*", "destination_port_range": "*", "source_address_prefix": "*", "destination_address_prefix": "*"}';
    const aclSame = '{"rule_no": 90, "action": "deny", "protocol": "6", "from_port": 1761, "to_port": 1768, "cidr_block": "0.0.0.0/0", "ipv6_cidr_block": ""}, {"rule_no": 100, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_block": "0.0.0.0/0", "ipv6_cidr_block": ""}';
    const cft = (text: string) => lint(text, 'terraform.tfstate').filter(([, , rule]) => rule === 'firewall/no-unneeded-cft-ports' || rule === 'firewall/no-unevaluated-input');
    const udp = 'UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7)';
    const nsgOn = 'without a Transfer CFT deployment on nsg, azurerm_network_security_group.n, azurerm_network_security_rule.deny.';
    const aclOn = 'without a Transfer CFT deployment on aws_network_acl.a, acl-1.';
    // the same copies: the deny (read once, certain) closes TCP 1761-1768 in both
    expect(cft(state(nsgSame, aclSame))).toEqual([
      [3, 540, 'firewall/no-unneeded-cft-ports', `Open: ${udp} reachable from 0.0.0.0/0, ::/0, AzureLoadBalancer and 2 more ${nsgOn}`],
      [6, 241, 'firewall/no-unneeded-cft-ports', `Open: ${udp} reachable from 0.0.0.0/0 ${aclOn}`],
    ]);
    // listed differently under the rule's name (an allow) and the entry's number (on 22): which copy is there is not
    // known (and the two share a priority, a number, which the clouds refuse: both undecided)
    const stale = state(nsgSame.replace('"access": "Deny"', '"access": "Allow"'), aclSame.replace('"from_port": 1761, "to_port": 1768', '"from_port": 22, "to_port": 22'));
    expect(cft(stale)).toEqual([
      [3, 195, 'firewall/no-unneeded-cft-ports', `Possibly open (priority 100 at line 3 may or may not match; azurerm_network_security_rule.deny beside the rule of its name in nsg, priority 100 at line 4 may or may not match): TCP ${CFT_TCP} reachable from 0.0.0.0/0, ::/0, AzureLoadBalancer and 2 more ${nsgOn}`],
      [3, 541, 'firewall/no-unneeded-cft-ports', `Open: ${udp} reachable from 0.0.0.0/0, ::/0, AzureLoadBalancer and 2 more ${nsgOn}`],
      [4, 118, 'firewall/no-unevaluated-input', 'Cannot evaluate azurerm_network_security_rule.deny beside the rule of its name in nsg (security rule "deny-cft"): the state lists another rule of this name in the NSG: one of the two copies is stale; it is treated as unknown'],
      [4, 180, 'firewall/no-unevaluated-input', 'security rules "deny-cft" and "deny-cft" of NSG nsg have the same priority 100 and direction (Azure rejects this)'],
      [6, 17, 'firewall/no-unevaluated-input', 'Cannot evaluate rule number 90: another ingress entry of the network ACL has this number, which AWS refuses for the one created second; it is treated as unknown'],
      [6, 237, 'firewall/no-unneeded-cft-ports', `Possibly open (rule number 90 at line 6 may or may not match; aws_network_acl_rule.deny beside entry 90 of aws_network_acl.a, rule number 90 at line 7 may or may not match): TCP ${CFT_TCP} reachable from 0.0.0.0/0 ${aclOn}`],
      [6, 237, 'firewall/no-unneeded-cft-ports', `Open: ${udp} reachable from 0.0.0.0/0 ${aclOn}`],
      [7, 160, 'firewall/no-unevaluated-input', 'Cannot evaluate aws_network_acl_rule.deny beside entry 90 of aws_network_acl.a: the state lists another entry of this number in the network ACL: one of the two copies is stale; it is treated as unknown'],
      [7, 160, 'firewall/no-unevaluated-input', 'Cannot evaluate rule number 90: another ingress entry of the network ACL has this number, which AWS refuses for the one created second; it is treated as unknown'],
    ]);
  });

  test('a plan whose configuration leaves the rule lists out plans the computed ones: its standalone rules are read once, not as mixed with in-line rules', () => {
    const rule = { name: 'allow-ssh', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source_port_range: '*', destination_port_range: '22', source_address_prefix: 'Internet', destination_address_prefix: '*' };
    const plan = (configured: boolean) =>
      JSON.stringify(
        {
          format_version: '1.2',
          planned_values: {
            root_module: {
              resources: [
                { address: 'azurerm_network_security_group.n', mode: 'managed', type: 'azurerm_network_security_group', name: 'n', values: { name: 'nsg', security_rule: [rule] } },
                { address: 'azurerm_network_security_rule.ssh', mode: 'managed', type: 'azurerm_network_security_rule', name: 'ssh', values: { ...rule, network_security_group_name: 'nsg' } },
                { address: 'aws_security_group.web', mode: 'managed', type: 'aws_security_group', name: 'web', values: { id: 'sg-1', name: 'web', ingress: [{ from_port: 3389, to_port: 3389, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], self: false, description: '' }], egress: [] } },
                { address: 'aws_security_group_rule.rdp', mode: 'managed', type: 'aws_security_group_rule', name: 'rdp', values: { type: 'ingress', from_port: 3389, to_port: 3389, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'], security_group_id: 'sg-1' } },
              ],
            },
          },
          configuration: {
            root_module: {
              resources: [
                { address: 'azurerm_network_security_group.n', expressions: { name: { constant_value: 'nsg' }, ...(configured ? { security_rule: [{ name: { constant_value: 'allow-ssh' } }] } : {}) } },
                { address: 'azurerm_network_security_rule.ssh', expressions: { name: { constant_value: 'allow-ssh' }, network_security_group_name: { references: ['azurerm_network_security_group.n.name', 'azurerm_network_security_group.n'] } } },
                { address: 'aws_security_group.web', expressions: { name: { constant_value: 'web' } } },
                { address: 'aws_security_group_rule.rdp', expressions: { type: { constant_value: 'ingress' }, security_group_id: { references: ['aws_security_group.web.id', 'aws_security_group.web'] } } },
              ],
            },
          },
        },
        null,
        1,
      );
    const found = (text: string) => lint(text, 'plan.json').map(([l, , rule, m]) => `${l} ${rule} ${m}`);
    // (before: the NSG's copy and a possibly open standalone rule "beside the in-line security_rule", the group's copy "changes nothing")
    expect(found(plan(false)).filter((f) => !/registered-ports|cft-ports/.test(f))).toEqual([
      '41 firewall/no-world-open-sensitive-ports Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0, ::/0).',
      '83 firewall/no-world-open-sensitive-ports Open: TCP 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/0).',
    ]);
    // written in-line, the rule list is the configuration's: a standalone rule beside it may be removed by each apply
    expect(found(plan(true)).filter((f) => f.includes('azurerm_network_security_rule.ssh beside the in-line security_rule of azurerm_network_security_group.n')).map((f) => f.split(' ').slice(0, 2).join(' '))).toEqual([
      '22 firewall/no-world-open-sensitive-ports',
      '41 firewall/no-world-open-sensitive-ports',
      '43 firewall/no-unevaluated-input',
    ]);
  });

  test('a raw state given as a plan (--input-format terraform-plan) is read as the state it is (read as a plan it opened nothing)', () => {
    const doc = parseTerraformPlan(fixture('gcp.tfstate'));
    expect(doc.format).toBe('terraform-state');
    expect(doc.rulesets.map((r) => r.name)).toEqual(['network prod, target tag mft', 'network prod, target tag win', 'network prod, all instances']);
    expect(parseTerraformPlan('{"version": 3, "serial": 4, "modules": [{"path": ["root"], "resources": {}}]}').diagnostics.map((d) => d.code)).toEqual(['terraform-state/version']);
  });

  test('another format version, or none, is an error at the version, never an empty pass', () => {
    const diag = (text: string) => parseTerraformState(text).diagnostics.map((d) => [d.severity, d.code, d.message, at(d.span)]);
    const v3 = '{\n  "version": 3,\n  "terraform_version": "0.11.14",\n  "serial": 4,\n  "lineage": "x",\n  "modules": [{"path": ["root"], "outputs": {}, "resources": {}}]\n}\n';
    expect(diag(v3)).toEqual([['error', 'terraform-state/version', 'Terraform state format version 3 is not supported: fwlint reads version 4, which Terraform 0.12 and later write', '2:14-2:15']]);
    // .terraform/terraform.tfstate: the backend's settings
    const backend = '{\n    "version": 3,\n    "serial": 1,\n    "lineage": "x",\n    "backend": {"type": "s3", "config": {"bucket": "tf"}, "hash": 1}\n}\n';
    expect(diag(backend)).toEqual([
      ['error', 'terraform-state/version', 'Terraform state format version 3 is not supported: fwlint reads version 4, which Terraform 0.12 and later write: this one holds a backend configuration (Terraform keeps it in .terraform/), not deployed resources', '2:16-2:17'],
    ]);
    expect(diag('{"version": 5, "lineage": "x", "resources": []}')).toEqual([['error', 'terraform-state/version', 'Terraform state format version 5 is not supported: fwlint reads version 4', '1:13-1:14']]);
    expect(diag('{"version": "4", "resources": []}')).toEqual([['error', 'terraform-state/version', 'Terraform state format version "4" is not supported: fwlint reads version 4', '1:13-1:16']]);
    expect(diag('{\n  "resources": []\n}')).toEqual([['error', 'terraform-state/version', 'this Terraform state has no "version": fwlint reads state format version 4', '1:1-1:1']]);
    expect(diag('{"meta": {"key_provider.pbkdf2.k": "eyJzYWx0Ijoi"}, "encrypted_data": "ZW5jcnlwdGVk", "encryption_version": "v0"}')).toEqual([
      ['error', 'terraform-state/version', 'this state is encrypted (OpenTofu state encryption): fwlint reads a state in clear, of format version 4', '1:109-1:113'],
    ]);
    expect(diag('[]')).toEqual([['error', 'terraform-state/not-state', 'not a Terraform state: a state file is an object with "version" and "resources"', '1:1-1:3']]);
    expect(diag('{"version": 4, "resources": {}}')).toEqual([['error', 'terraform-state/resources', 'the state\'s "resources" is not a list of resources', '1:29-1:31']]);
    // instances that are no list are said and not read; a null list of resources is none
    expect(diag('{"version": 4, "resources": [{"mode": "managed", "type": "aws_security_group", "name": "a", "instances": {"attributes": {"id": "sg-1"}}}]}')).toEqual([
      ['warning', 'terraform-state/not-read', 'aws_security_group.a: "instances" is not a list: not read', '1:106-1:136'],
    ]);
    expect(parseTerraformState('{"version": 4, "resources": [{"mode": "managed", "type": "aws_security_group", "name": "a", "instances": {"attributes": {"id": "sg-1"}}}]}').rulesets).toEqual([]);
    expect(diag('{"version": 4, "resources": null}')).toEqual([]);
    // an empty state (after `terraform destroy`) is fine
    expect(diag('{"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "x", "outputs": {}, "resources": [], "check_results": null}')).toEqual([]);
    // through ESLint: a parse error with its line and column, not a file without findings
    const linter = new Linter({ configType: 'flat' });
    expect(linter.verify(v3, plugin.configs.recommended as never, 'terraform.tfstate').map((m) => [m.fatal, m.line, m.column, m.message])).toEqual([
      [true, 2, 14, 'Parsing error: Terraform state format version 3 is not supported: fwlint reads version 4, which Terraform 0.12 and later write'],
    ]);
  });

  test('legacy flat attributes are unknown (possibly open), with a warning; odd instances are said, not dropped', () => {
    const text = [
      '{"version": 4, "lineage": "x", "resources": [',
      '  {"mode": "managed", "type": "aws_security_group", "name": "old", "instances": [',
      '    {"schema_version": 0, "attributes_flat": {"id": "sg-0old", "name": "old", "ingress.#": "1", "ingress.2541437006.from_port": "1768", "ingress.2541437006.to_port": "1768", "ingress.2541437006.protocol": "tcp", "ingress.2541437006.cidr_blocks.#": "1", "ingress.2541437006.cidr_blocks.0": "0.0.0.0/0"}}]},',
      '  {"mode": "managed", "type": "aws_security_group", "name": "odd", "instances": [{"index_key": true, "attributes": {"id": "sg-0odd", "ingress": []}}]},',
      '  {"mode": "mystery", "type": "aws_security_group", "name": "m", "instances": [{"attributes": {"id": "sg-0m"}}]}',
      ']}',
      '',
    ].join('\n');
    const doc = parseTerraformState(text);
    expect(doc.diagnostics.map((d) => [d.severity, d.code, d.message, at(d.span)])).toEqual([
      ['warning', 'terraform-state/not-read', 'aws_security_group.old: its attributes are in the legacy flat form of Terraform 0.11 ("attributes_flat"), which fwlint does not read: they are unknown here (a refresh, `terraform apply -refresh-only`, stores them as "attributes")', '3:27-3:44'],
      ['warning', 'terraform-state/not-read', 'aws_security_group.odd: instance key true is neither a number nor a string (Terraform refuses this state); the instance is read as "[?]"', '4:96-4:100'],
      ['warning', 'terraform-state/mode', 'aws_security_group.m: resource mode "mystery" is neither "managed" nor "data": read as managed', '5:12-5:21'],
      // (the mapper's word on the unknown rule list, at its first flat key's value)
      ['warning', 'aws/unresolved', 'Cannot evaluate ingress (attributes_flat, not read): the ingress rules are not known statically; it is treated as unknown', '3:92-3:95'],
    ]);
    expect(doc.rulesets.map((r) => r.targets[0])).toEqual(['aws_security_group.old', 'aws_security_group.odd[?]', 'aws_security_group.m']);
    const found = lint(text, 'terraform.tfstate');
    expect(found.filter(([, , rule]) => rule === 'firewall/no-unneeded-cft-ports')).toEqual([
      [3, 92, 'firewall/no-unneeded-cft-ports', 'Possibly open (ingress (attributes_flat, not read) at line 3 may or may not match): TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI); UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7) reachable from 0.0.0.0/0, ::/0, any named source without a Transfer CFT deployment on aws_security_group.old, sg-0old, old.'],
    ]);
  });

  test('recognised by name (.tfstate, its backups) and by content (`terraform state pull > state.json`, standard input)', () => {
    const state = fixture('aws.tfstate');
    for (const name of ['terraform.tfstate', 'prod.TFSTATE', 'terraform.tfstate.backup', 'terraform.tfstate.1795877951.backup', 'state.json', '<stdin>', 'pulled']) {
      expect(detectFormat(name, state)?.id, name).toBe('terraform-state');
    }
    // a hand-written state without lineage, by its resources' instances
    expect(detectFormat('<stdin>', '{"version": 4, "resources": [{"mode": "managed", "type": "aws_security_group", "name": "a", "instances": []}]}')?.id).toBe('terraform-state');
    // named so, a file that is no state of version 4 is read to say so
    expect(detectFormat('terraform.tfstate', '{}')?.id).toBe('terraform-state');
    // `terraform show -json` of a state is the plan reader's; other JSON is none
    expect(detectFormat('state.json', fixture('aws.show.json'))?.id).toBe('terraform-plan');
    expect(terraformStateFormat.detect('x.json', '{"version": 1, "name": "pkg"}')).toBe(0);
    expect(terraformStateFormat.detect('x.json', '{"SecurityGroups": []}')).toBe(0);
    expect(terraformStateFormat.detect('terraform.tfstate', 'not json')).toBe(0);
  });

  test('--input-format names it, as --help lists it with every other format', () => {
    const line = HELP.split('\n').find((l) => l.trimStart().startsWith('--input-format ID'))!;
    expect(line.replace(/^\s*--input-format ID\s+/, '').split(' | ')).toEqual(allFormats().map((f) => f.id));
  });

  test('a folder walk lints *.tfstate (Terraform\'s workspaces too), not the backups of the last state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwl-tfstate-'));
    mkdirSync(join(dir, 'terraform.tfstate.d', 'prod'), { recursive: true });
    mkdirSync(join(dir, '.terraform'));
    for (const f of ['terraform.tfstate', 'terraform.tfstate.backup', 'terraform.tfstate.d/prod/terraform.tfstate', '.terraform/terraform.tfstate']) writeFileSync(join(dir, f), '{}');
    expect(walk(dir).map((f) => f.slice(dir.length + 1)).sort()).toEqual(['terraform.tfstate', 'terraform.tfstate.d/prod/terraform.tfstate']);
  });
});
