import { Linter } from 'eslint';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';
import rule from '../../rules/no-unneeded-cft-ports.js';
import { save, tester } from './tester.js';

const deployed = { deployments: [{ service: 'transfer-cft', targets: ['mft01'], sources: ['10.0.0.0/8'] }] };

tester('iptables', deployed).run('no-unneeded-cft-ports (iptables)', rule, {
  valid: [
    // exactly the ports the deployment uses, from its declared sources
    { code: `# fwlint-target: mft01\n${save('-A INPUT -s 10.0.0.0/8 -p tcp -m multiport --dports 1761:1763,1765:1768 -j ACCEPT')}`, filename: 'mft01.rules' },
    // only established traffic: nothing new gets in
    { code: save('-A INPUT -p tcp --dport 1768 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'), filename: 'a.rules' },
    // loopback only is not exposure
    { code: save('-A INPUT -i lo -p tcp --dport 1768 -j ACCEPT'), filename: 'a.rules' },
    // dropped before the accept
    { code: save('-A INPUT -p tcp --dport 1761:1768 -j DROP', '-A INPUT -p tcp --dport 1768 -j ACCEPT'), filename: 'a.rules' },
  ],
  invalid: [
    {
      // one line, certainly open to most sources and possibly to those an undecided drop before it may take: two
      // findings, not one "Open" for all (one finding per responsible line and certainty)
      code: save('-A INPUT -s 10.0.0.0/8 -m limit --limit 1/s -j DROP', '-A INPUT -p tcp --dport 1761 -j ACCEPT'),
      filename: 'web01.rules',
      errors: [
        { line: 6, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 0.0.0.0/0 except 10.0.0.0/8 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' },
        { line: 6, message: 'Possibly open (-m limit --limit 1/s at line 5 may or may not match): TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 10.0.0.0/8 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' },
      ],
    },
    {
      // a partner network but for a block a deny rule takes out: said against the network, not as its remaining
      // blocks "10.0.0.0/16, 10.2.0.0/15, 10.4.0.0/14 and 5 more" (which hide what was taken out)
      code: save('-A INPUT -s 10.1.0.0/16 -p tcp --dport 1761 -j DROP', '-A INPUT -s 10.0.0.0/8 -p tcp --dport 1761 -j ACCEPT'),
      filename: 'web01.rules',
      errors: [
        { line: 6, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 10.0.0.0/8 except 10.1.0.0/16 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' },
      ],
    },
    {
      // one line, two source sets: 1761 only from 10.0.0.0/8 (the line before drops it from the rest), 1762 from
      // everywhere — two findings, not "1761, 1762 reachable from 0.0.0.0/0"
      code: save('-A INPUT ! -s 10.0.0.0/8 -p tcp --dport 1761 -j DROP', '-A INPUT -p tcp -m multiport --dports 1761,1762 -j ACCEPT'),
      filename: 'web01.rules',
      errors: [
        { line: 6, message: 'Open: TCP 1762 (cft-1, Transfer CFT PeSIT over TLS) reachable from 0.0.0.0/0 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' },
        { line: 6, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 10.0.0.0/8 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' },
      ],
    },
    {
      // the input interface is named: 1761 on an internal interface is not 1761 from everywhere
      code: save('-A INPUT -i eth1 -p tcp --dport 1761 -j ACCEPT'),
      filename: 'web01.rules',
      errors: [{ line: 5, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 0.0.0.0/0 via eth1 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' }],
    },
    {
      // a drop of 10.0.0.0/8 on eth0 before the accept: everything through the other interfaces, the rest of the
      // addresses through eth0 — two findings that say so, not one "from 0.0.0.0/0"
      code: save('-A INPUT -i eth0 -s 10.0.0.0/8 -j DROP', '-A INPUT -p tcp --dport 1761 -j ACCEPT'),
      filename: 'web01.rules',
      errors: [
        { line: 6, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 0.0.0.0/0 via any except eth0 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' },
        { line: 6, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 0.0.0.0/0 except 10.0.0.0/8 via eth0 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).' },
      ],
    },
    {
      code: save('-A INPUT -p tcp -m multiport --dports 1761:1768 -j ACCEPT'),
      filename: 'web01.rules',
      errors: [
        { line: 5,
          message:
            'Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall).',
        },
      ],
    },
    {
      // the deployment does not use 1764 nor UDP; one finding per responsible line
      code: `# fwlint-target: mft01\n${save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 1761:1768 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p udp --dport 1761:1768 -j ACCEPT')}`,
      filename: 'mft01.rules',
      errors: [
        { line: 6, message: 'Open: TCP 1764 (cft-3) reachable from 10.0.0.0/8 but not used by the Transfer CFT deployment on mft01 per settings.firewall (1764 has no Transfer CFT role).' },
        { messageId: 'unused', line: 7 },
      ],
    },
    {
      // wider than the declared sources
      code: `# fwlint-target: mft01\n${save('-A INPUT -p tcp -m multiport --dports 1761:1763,1765:1768 -j ACCEPT')}`,
      filename: 'mft01.rules',
      errors: [
        {
          line: 6,
          message:
            'Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI) of the Transfer CFT deployment on mft01 per settings.firewall reachable from 0.0.0.0/0, wider than its declared sources 10.0.0.0/8.',
        },
      ],
    },
    {
      // a role the in-file deployment switched off is named as such; for a port its own ports leave out, the ports it uses
      code: `# fwlint-target: mft09\n# fwlint-deployment: transfer-cft ports=tcp:1761-1763,1768 disabled=sftp\n${save('-A INPUT -p tcp -m multiport --dports 1761:1763,1765 -j ACCEPT')}`,
      filename: 'mft09.rules',
      errors: [{ line: 7, message: 'Open: TCP 1763 (cft-2, Transfer CFT SFTP), 1765 (cft-4, Transfer CFT COMS) reachable from 0.0.0.0/0 but not used by the Transfer CFT deployment on mft09 per mft09.rules:2 (the deployment switched off sftp (1763); the deployment uses only TCP 1761-1762, 1768).' }],
    },
    {
      // reachable from sources none of which the deployment declares: outside them, not "wider"
      code: `# fwlint-target: mft01\n${save('-A INPUT -s 192.168.0.0/16 -p tcp --dport 1766 -j ACCEPT')}`,
      filename: 'mft01.rules',
      errors: [{ line: 6, message: 'Open: TCP 1766 (cft-5, Transfer CFT Copilot UI and web services) of the Transfer CFT deployment on mft01 per settings.firewall reachable from 192.168.0.0/16, outside its declared sources 10.0.0.0/8.' }],
    },
    {
      // deployments elsewhere are named with their evidence, also one declared in the file on another host
      code: `# fwlint-deployment: transfer-cft targets=mft07\n${save('-A INPUT -p tcp --dport 1768 -j ACCEPT')}`,
      filename: 'web01.rules',
      errors: [{ line: 6, message: 'Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0 without a Transfer CFT deployment on web01.rules (Transfer CFT is deployed on mft01 per settings.firewall; mft07 per web01.rules:1).' }],
    },
    {
      // an undecidable match: possibly open, with the reason named
      code: save('-A INPUT -p tcp --dport 1768 -m set --match-set partners src -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, message: /^Possibly open \(.*set.*\): TCP 1768 \(cft-7/ }],
    },
    {
      // a drop under an undecidable match closes nothing
      code: save('-A INPUT -p tcp --dport 1768 -m recent --rcheck -j DROP', '-A INPUT -p tcp --dport 1768 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 6, message: /^Possibly open .*TCP 1768/ }],
    },
    {
      // RETURN from a user chain falls through to the accept below; the jump target's DROP does not apply to 1768
      code: save(':SVC - [0:0]', '-A INPUT -j SVC', '-A INPUT -p tcp --dport 1760:1770 -j ACCEPT', '-A SVC -p tcp --dport 1768 -j RETURN', '-A SVC -p tcp --dport 1761:1767 -j DROP'),
      filename: 'a.rules',
      errors: [{ line: 7, message: /^Open: TCP 1768 \(cft-7, Transfer CFT REST API and web UI\) reachable/ }],
    },
    {
      // 0.0.0.0/1 + 128.0.0.0/1 is the whole internet
      code: save('-A INPUT -s 0.0.0.0/1 -p tcp --dport 1768 -j ACCEPT', '-A INPUT -s 128.0.0.0/1 -p tcp --dport 1768 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        { line: 5, message: /reachable from 0\.0\.0\.0\/1 without/ },
        { line: 6, message: /reachable from 128\.0\.0\.0\/1 without/ },
      ],
    },
  ],
});

tester('nftables').run('no-unneeded-cft-ports (nftables)', rule, {
  valid: [{ code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n', filename: 'a.nft' }],
  invalid: [
    {
      // accepted in one base chain, dropped in a later one: closed for TCP; UDP open in both
      code: 'table inet f {\n  chain a {\n    type filter hook input priority 0; policy drop;\n    meta l4proto { tcp, udp } th dport 1768 accept\n  }\n  chain b {\n    type filter hook input priority 10; policy accept;\n    tcp dport 1768 drop\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 4, message: /^Open: UDP 1768 \(cft-7\) reachable from 0\.0\.0\.0\/0, ::\/0 without/ }],
    },
  ],
});

// the file name is not a target: mft01.nft is not on the deployment's mft01 (no more than mft01.rules is)
tester('nftables', deployed).run('no-unneeded-cft-ports (nftables file name)', rule, {
  valid: [],
  invalid: [
    {
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip saddr 10.0.0.0/8 tcp dport 1768 accept\n  }\n}\n',
      filename: 'mft01.nft',
      errors: [{ line: 4, message: 'Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 10.0.0.0/8 without a Transfer CFT deployment on mft01.nft (Transfer CFT is deployed on mft01 per settings.firewall).' }],
    },
  ],
});


tester('hcl').run('no-unneeded-cft-ports (terraform)', rule, {
  valid: [],
  invalid: [
    {
      // a rule with two undecided values: the reason lists them apart ("a, b"), as the tracer does
      code: 'resource "aws_security_group" "a" {\n  ingress {\n    protocol    = "tcp"\n    from_port   = var.p\n    to_port     = var.p\n    cidr_blocks = [var.src]\n  }\n}\n',
      filename: 'sg.tf',
      errors: [{ line: 6, message: /^Possibly open \(ports var\.p, var\.src at line 4 may or may not match\): TCP 1761 / }],
    },
    {
      // one written rule that becomes one rule per port and per CIDR (a dynamic block over a port list, two CIDRs on
      // one line): one finding for the line, with its ports and its whole source list, not one per generated rule
      // with what the rules before it left ("0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/9 and 13 more")
      code: 'resource "aws_security_group" "a" {\n  dynamic "ingress" {\n    for_each = [1761, 1762]\n    content {\n      protocol    = "tcp"\n      from_port   = ingress.value\n      to_port     = ingress.value\n      cidr_blocks = ["192.168.0.0/16", "0.0.0.0/0"]\n    }\n  }\n}\n',
      filename: 'sg.tf',
      errors: [
        {
          line: 8,
          column: 40,
          message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS) reachable from 0.0.0.0/0 without a Transfer CFT deployment on aws_security_group.a.',
        },
      ],
    },
  ],
});

// An NSG as `az network nsg show` exports it, with its default rules: AllowVnetInBound lets the virtual network reach
// the block (reported); AllowAzureLoadBalancerInBound admits only Azure's health probe, not clients (not reported);
// a user's own rule from AzureLoadBalancer is judged like any other.
const nsg = (own: string) =>
  JSON.stringify(
    {
      name: 'cft-nsg',
      type: 'Microsoft.Network/networkSecurityGroups',
      properties: {
        securityRules: own ? [{ name: 'probe-cft', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: own, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '1761' } }] : [],
        defaultSecurityRules: [
          { name: 'AllowVnetInBound', properties: { priority: 65000, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: 'VirtualNetwork', destinationPortRange: '*' } },
          { name: 'AllowAzureLoadBalancerInBound', properties: { priority: 65001, direction: 'Inbound', access: 'Allow', protocol: '*', sourceAddressPrefix: 'AzureLoadBalancer', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } },
          { name: 'DenyAllInBound', properties: { priority: 65500, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } },
        ],
      },
    },
    null,
    2,
  );

describe('no-unneeded-cft-ports (Azure default rules)', () => {
  const run = (text: string) =>
    new Linter()
      .verify(text, [{ files: ['**/*.json'], plugins: { firewall: plugin as never }, language: 'firewall/json', rules: { 'firewall/no-unneeded-cft-ports': 'error' }, settings: { firewall: { discovery: false } } }] as never, 'nsg.json')
      .map((m) => `${m.line} ${m.message.replace(/: TCP 1761 .* reachable from /, ': … from ')}`);
  it('reports the virtual network, not the load balancer health probe of the defaults', () => {
    expect(run(nsg(''))).toEqual(['7 Open: … from VirtualNetwork without a Transfer CFT deployment on cft-nsg, by Azure\'s default rule AllowVnetInBound (priority 65000).']);
  });
  it('judges a rule of the user from AzureLoadBalancer', () => {
    expect(run(nsg('AzureLoadBalancer'))).toEqual([
      '13 Open: … from AzureLoadBalancer without a Transfer CFT deployment on cft-nsg.',
      '21 Open: … from VirtualNetwork without a Transfer CFT deployment on cft-nsg, by Azure\'s default rule AllowVnetInBound (priority 65000).',
    ]);
  });
});

// In a file of several security groups, a fwlint-target comment above (or inside) one names that one only: the
// comment above web-sg does not make mft-sg a web01, nor the one in mft-sg make web-sg an mft01
tester('hcl', deployed).run('no-unneeded-cft-ports (fwlint-target comments in a file of several groups)', rule, {
  valid: [],
  invalid: [
    {
      code: [
        'resource "aws_security_group" "mft" {',
        '  name = "mft-sg" # fwlint-target: mft01',
        '  ingress {',
        '    from_port   = 1768',
        '    to_port     = 1768',
        '    protocol    = "tcp"',
        '    cidr_blocks = ["10.0.0.0/8"]',
        '  }',
        '}',
        '',
        '# fwlint-target: web01',
        'resource "aws_security_group" "web" {',
        '  name = "web-sg"',
        '  ingress {',
        '    from_port   = 1768',
        '    to_port     = 1768',
        '    protocol    = "tcp"',
        '    cidr_blocks = ["10.0.0.0/8"]',
        '  }',
        '}',
        '',
      ].join('\n'),
      filename: 'sg.tf',
      errors: [
        {
          line: 18,
          message:
            'Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 10.0.0.0/8 without a Transfer CFT deployment on web01, aws_security_group.web, web-sg (Transfer CFT is deployed on mft01 per settings.firewall).',
        },
      ],
    },
  ],
});

// a comment above the first group after some content (`Resources:`) is that group's; one in the file's head (comments
// from line 1 on) is every group's, as documented
tester('yaml', deployed).run('no-unneeded-cft-ports (fwlint-target above the first of several CloudFormation groups)', rule, {
  valid: [
    {
      code: '# fwlint-target: mft01\nResources:\n  MftSG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: MFT\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: 10.0.0.0/8}\n  WebSG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: 10.0.0.0/8}\n',
      filename: 'head.yaml',
    },
  ],
  invalid: [
    {
      code: 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  # fwlint-target: mft01\n  MftSG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: MFT\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: 10.0.0.0/8}\n  WebSG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: 10.0.0.0/8}\n',
      filename: 'two.yaml',
      errors: [{ line: 15, message: 'Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 10.0.0.0/8 without a Transfer CFT deployment on WebSG (Transfer CFT is deployed on mft01 per settings.firewall).' }],
    },
  ],
});

// the same for a fwlint-deployment comment without targets=: it is on the group it is written above (one at the
// file's head is on every group, as a fwlint-target there)
tester('hcl').run('no-unneeded-cft-ports (fwlint-deployment comment above one of several groups)', rule, {
  valid: [],
  invalid: [
    {
      code: [
        'resource "aws_security_group" "mft" {',
        '  name = "mft-sg"',
        '  ingress {',
        '    from_port   = 1768',
        '    to_port     = 1768',
        '    protocol    = "tcp"',
        '    cidr_blocks = ["10.0.0.0/8"]',
        '  }',
        '}',
        '# fwlint-deployment: transfer-cft',
        'resource "aws_security_group" "web" {',
        '  name = "web-sg"',
        '  ingress {',
        '    from_port   = 1768',
        '    to_port     = 1768',
        '    protocol    = "tcp"',
        '    cidr_blocks = ["10.0.0.0/8"]',
        '  }',
        '}',
        '',
      ].join('\n'),
      filename: 'sg.tf',
      errors: [
        {
          line: 7,
          message:
            'Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 10.0.0.0/8 without a Transfer CFT deployment on aws_security_group.mft, mft-sg (Transfer CFT is deployed on aws_security_group.web, web-sg per sg.tf:10).',
        },
      ],
    },
  ],
});

tester('json').run('no-unneeded-cft-ports (terraform .tf.json)', rule, {
  valid: [],
  invalid: [
    {
      code: '{"resource": {"aws_security_group": {"cft": {"ingress": [\n  {"from_port": 1768, "to_port": 1768, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}\n]}}}}\n',
      filename: 'main.tf.json',
      errors: [{ line: 2, message: /^Open: TCP 1768 \(cft-7, Transfer CFT REST API and web UI\) reachable from 0\.0\.0\.0\/0 without/ }],
    },
  ],
});

describe('settings.firewall is validated by the same schema', () => {
  it('an unknown key is a configuration error, not a silent default', () => {
    const linter = new Linter();
    const run = () =>
      linter.verify(save('-A INPUT -p tcp --dport 1768 -j ACCEPT'), [
        { files: ['**/*.rules'], plugins: { firewall: plugin as never }, language: 'firewall/iptables', rules: { 'firewall/no-unneeded-cft-ports': 'error' }, settings: { firewall: { discovery: false, deploymnts: [] } } },
      ] as never, 'a.rules');
    expect(run).toThrow(/fwlint configuration error:[\s\S]*deploymnts/);
  });
});

/**
 * A security group is a union: its findings do not depend on the order its rules are written in. A rule inside another
 * (10.0.0.0/8 on 1768, inside 0.0.0.0/0 on 1761-1768) is listed after it, so the broad rule's finding names its whole
 * source, not the remainder "0.0.0.0/0 except 10.0.0.0/8", and the inner rule adds none.
 */
const sgJson = (perms: string[]) => `{"SecurityGroups":[{"GroupId":"sg-1","GroupName":"mft","IpPermissions":[\n${perms.join(',\n')}\n]}]}\n`;
const NARROW = ' {"IpProtocol":"tcp","FromPort":1768,"ToPort":1768,"IpRanges":[{"CidrIp":"10.0.0.0/8"}]}';
const BROAD = ' {"IpProtocol":"tcp","FromPort":1761,"ToPort":1768,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}';
const WHOLE_BLOCK =
  'Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0 without a Transfer CFT deployment on sg-1, mft.';
tester('json').run('no-unneeded-cft-ports (a security group is a union: written order does not matter)', rule, {
  valid: [],
  invalid: [
    { code: sgJson([BROAD, NARROW]), filename: 'sg.json', errors: [{ line: 2, message: WHOLE_BLOCK }] },
    { code: sgJson([NARROW, BROAD]), filename: 'sg.json', errors: [{ line: 3, message: WHOLE_BLOCK }] },
  ],
});

/**
 * An undecided rule before Azure's AllowVnetInBound: the virtual network's packets are open either way, and credited to
 * the default rule that takes them for certain (at the NSG), not reported "Open" a second time on the rule whose
 * parameter only may take them (which keeps its "Possibly open" finding for the internet).
 */
const ARM = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "src": { "type": "string" } },
  "resources": [
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01", "name": "nsg-mft",
      "properties": { "securityRules": [
        { "name": "cft", "properties": { "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
          "sourceAddressPrefix": "[parameters('src')]", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "1761-1768" } }
      ] } }
  ]
}
`;
tester('json').run('no-unneeded-cft-ports (an undecided rule before a default allow)', rule, {
  valid: [],
  invalid: [
    {
      code: ARM,
      filename: 'nsg.json',
      errors: [
        {
          line: 5,
          message:
            'Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI); UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7) reachable from VirtualNetwork without a Transfer CFT deployment on nsg-mft, by Azure\'s default rule AllowVnetInBound (priority 65000).',
        },
        {
          line: 8,
          message:
            "Possibly open ([parameters('src')] at line 8 may or may not match): TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0, ::/0, any named source without a Transfer CFT deployment on nsg-mft.",
        },
      ],
    },
  ],
});

const CFT_TCP =
  'TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS), 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3), 1765 (cft-4, Transfer CFT COMS), 1766 (cft-5, Transfer CFT Copilot UI and web services), 1767 (cft-6, Transfer CFT Copilot mutual TLS for Central Governance/Flow Manager), 1768 (cft-7, Transfer CFT REST API and web UI)';
const gcpRule = (name: string, ports: string, extra = '') =>
  `  {"name":"${name}","network":"projects/p/global/networks/prod-vpc","direction":"INGRESS","priority":1000,\n   "sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"tcp","ports":["${ports}"]}]${extra}}`;
const GCP = `[\n${[gcpRule('allow-cft', '1761-1768'), gcpRule('allow-web', '443', ',"targetTags":["web"]'), gcpRule('allow-n', '22', ',"targetTags":["n"]')].join(',\n')}\n]\n`;

// A GCP rule without target tags is in the ruleset of every target tag and in that of the network's other instances:
// one finding of the written rule, naming the network once, not one per ruleset ("on tag:web, web, prod-vpc", "on
// tag:n, n, prod-vpc", "on prod-vpc", all at line 3).
tester('json').run('no-unneeded-cft-ports (GCP rule in several target rulesets)', rule, {
  valid: [],
  invalid: [
    {
      code: GCP,
      filename: 'fw.json',
      errors: [{ line: 3, message: `Open: ${CFT_TCP} reachable from 0.0.0.0/0 without a Transfer CFT deployment on prod-vpc.` }],
    },
    {
      // a target-tagged rule names its target once: "tag:web, prod-vpc", not "tag:web, web, prod-vpc"
      code: `[\n${gcpRule('allow-cft', '1761', ',"targetTags":["web"]')},\n${gcpRule('allow-n', '22', ',"targetTags":["n"]')}\n]\n`,
      filename: 'fw.json',
      errors: [{ line: 3, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 0.0.0.0/0 without a Transfer CFT deployment on tag:web, prod-vpc.' }],
    },
  ],
});

// Where the verdict differs between the targets of the written rule, the findings name the targets they hold for.
tester('json', { deployments: [{ service: 'transfer-cft', targets: ['web'] }] }).run('no-unneeded-cft-ports (GCP rule, a deployment on one target tag)', rule, {
  valid: [],
  invalid: [
    {
      code: GCP,
      filename: 'fw.json',
      errors: [
        { line: 3, message: 'Open: TCP 1764 (cft-3) reachable from 0.0.0.0/0 but not used by the Transfer CFT deployment on tag:web, prod-vpc per settings.firewall (1764 has no Transfer CFT role).' },
        { line: 3, message: `Open: ${CFT_TCP} reachable from 0.0.0.0/0 without a Transfer CFT deployment on tag:n, prod-vpc and other instances of prod-vpc (Transfer CFT is deployed on web per settings.firewall).` },
      ],
    },
  ],
});

// A suppression with sources= accepts a too-wide finding whose excess (the sources beyond the declared ones) it
// covers: the finding is about that excess, not about every source that reaches the port.
tester('iptables', deployed).run('no-unneeded-cft-ports (sources= suppression of a too-wide finding)', rule, {
  valid: [
    {
      code: `# fwlint-target: mft01\n${save('# fwlint-ignore sources=11.0.0.0/8 -- partner network', '-A INPUT -s 10.0.0.0/7 -p tcp --dport 1761 -j ACCEPT')}`,
      filename: 'mft01.rules',
    },
  ],
  invalid: [
    {
      // a suppression of part of the excess does not hide it
      code: `# fwlint-target: mft01\n${save('# fwlint-ignore sources=11.0.0.0/9 -- half of it', '-A INPUT -s 10.0.0.0/7 -p tcp --dport 1761 -j ACCEPT')}`,
      filename: 'mft01.rules',
      errors: [{ line: 7, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) of the Transfer CFT deployment on mft01 per settings.firewall reachable from 10.0.0.0/7, wider than its declared sources 10.0.0.0/8.' }],
    },
  ],
});

const CFT_UDP = 'UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7)';
const CFT_TCP_2_8 = CFT_TCP.slice(CFT_TCP.indexOf('1762'));

// An Azure NIC with an NSG of its own in a subnet with an NSG is a ruleset of both (src/parsers/azure
// combineSubnetAndNic): the NIC NSG's lines are in its own ruleset and in the NIC's, and each finding of them is one,
// naming the targets both share ("nic-nsg, vm-nic"), not one per ruleset.
tester('hcl').run('no-unneeded-cft-ports (Azure subnet NSG + NIC NSG)', rule, {
  valid: [],
  invalid: [
    {
      code: `resource "azurerm_network_security_group" "subnet" {
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
`,
      filename: 'nsg.tf',
      errors: [
        { line: 1, message: `Open: ${CFT_UDP} reachable from VirtualNetwork without a Transfer CFT deployment on subnet-nsg, azurerm_network_security_group.subnet, azurerm_subnet.app, by Azure's default rule AllowVnetInBound (priority 65000).` },
        { line: 11, message: `Open: ${CFT_TCP} reachable from 0.0.0.0/0, ::/0, AzureLoadBalancer and 2 more without a Transfer CFT deployment on subnet-nsg, azurerm_network_security_group.subnet, azurerm_subnet.app.` },
        { line: 15, message: `Open: TCP ${CFT_TCP_2_8}; ${CFT_UDP} reachable from VirtualNetwork without a Transfer CFT deployment on nic-nsg, vm-nic, by Azure's default rule AllowVnetInBound (priority 65000).` },
        { line: 25, message: 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT) reachable from 0.0.0.0/0, ::/0, AzureLoadBalancer and 2 more without a Transfer CFT deployment on nic-nsg, vm-nic.' },
      ],
    },
  ],
});

describe('no-unneeded-cft-ports: why a port of the block is not used by a discovered deployment', () => {
  it('names the role that moved (initialize.properties) and the ports a container publishes, not "does not listen"', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-cft-why-'));
    try {
      mkdirSync(join(root, '.git'));
      mkdirSync(join(root, 'hosts/mft02/opt'), { recursive: true });
      mkdirSync(join(root, 'hosts/mft01'), { recursive: true });
      writeFileSync(join(root, 'hosts/mft02/opt/initialize.properties'), 'PESIT_Port = 6330\nPESIT_SSL_Port = 6331\n');
      // COMS (1765) listens in the container, unpublished; Copilot (1766) is published on loopback only
      writeFileSync(
        join(root, 'hosts/mft01/docker-compose.yml'),
        'services:\n  cft:\n    image: docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2406\n    ports:\n      - "1761:1761"\n      - "127.0.0.1:1766:1766"\n      - "1768:1768"\n',
      );
      const linter = new Linter({ configType: 'flat', cwd: root });
      const lint = (file: string, rules: string) =>
        linter
          .verify(save(rules), [{ files: ['**/*.rules'], plugins: { firewall: plugin as never }, language: 'firewall/iptables', rules: { 'firewall/no-unneeded-cft-ports': 'error' } }] as never, join(root, file))
          .map((m) => `${m.line} ${m.message.slice(m.message.indexOf(' per ') + 5)}`);
      expect(lint('hosts/mft02/firewall.rules', '-A INPUT -p tcp -m multiport --dports 1761:1762,6330:6331 -j ACCEPT')).toEqual([
        "5 hosts/mft02/opt/initialize.properties:1 (the deployment's PeSIT (1761) is on 6330, PeSIT over TLS (1762) on 6331).",
      ]);
      expect(lint('hosts/mft01/firewall.rules', '-A INPUT -p tcp -m multiport --dports 1761,1765:1766,1768 -j ACCEPT')).toEqual([
        '5 hosts/mft01/docker-compose.yml:3 (the deployment uses only TCP 1761, 1768).',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
