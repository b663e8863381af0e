/**
 * Inline suppressions applied by the real rules together (ESLint's Linter,
 * the recommended rules, no-unused-suppressions last): what is hidden, what
 * stays, and what is reported about the suppressions themselves.
 */
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin, { recommendedRules } from '../../src/eslint/plugin.js';

function lint(filename: string, language: string, code: string, extra: Linter.RulesRecord = {}, now?: string) {
  const linter = new Linter({ configType: 'flat' });
  const config: Linter.Config[] = [
    {
      files: ['**/*.rules', '**/*.nft', '**/*.yaml', '**/*.tf'],
      plugins: { firewall: plugin as never },
      language: `firewall/${language}`,
      settings: { firewall: { discovery: false }, ...(now ? { fwlintNow: now } : {}) },
      rules: { ...recommendedRules, ...extra },
    },
  ];
  return linter.verify(code, config, { filename }).map((m) => `${m.line}:${m.column} ${m.ruleId ?? m.message} ${m.messageId ?? ''}`);
}

const HEAD = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
const ipt = (...rules: string[]) => [...HEAD, ...rules, 'COMMIT', ''].join('\n');

describe('inline suppressions in effect', () => {
  it('iptables: a scoped suppression hides exactly the finding it covers', () => {
    const out = lint(
      'a.rules',
      'iptables',
      ipt(
        '# fwlint-ignore no-unneeded-cft-ports ports=1768 -- partner gateway',
        '-A INPUT -p tcp -s 10.0.0.0/8 --dport 1768 -j ACCEPT',
        '# fwlint-ignore no-unneeded-cft-ports ports=1768 -- too narrow for 1761-1768',
        '-A INPUT -p tcp -s 10.0.0.0/8 --dport 1761:1768 -j ACCEPT',
      ),
    );
    expect(out).toEqual([
      '7:1 firewall/no-unused-suppressions unused',
      '8:31 firewall/no-unneeded-cft-ports noDeployment',
    ]);
  });

  it('sources scope: covers findings from inside it only', () => {
    const out = lint(
      'a.rules',
      'iptables',
      ipt(
        '-A INPUT -p tcp -s 10.1.0.0/16 --dport 1761 -m comment --comment "fwlint-ignore sources=10.0.0.0/8 -- lab" -j ACCEPT',
        '-A INPUT -p tcp --dport 1762 -m comment --comment "fwlint-ignore sources=10.0.0.0/8 -- lab" -j ACCEPT',
      ),
    );
    expect(out).toEqual([
      '6:1 firewall/no-unused-suppressions unused',
      '6:17 firewall/no-unneeded-cft-ports noDeployment',
    ]);
  });

  it('an unscoped suppression hides every rule on its line; naming a rule hides only that rule', () => {
    const all = lint('a.rules', 'iptables', ipt('# fwlint-ignore -- lab host', '-A INPUT -p tcp --dport 22 -j ACCEPT'));
    expect(all).toEqual([]);
    const one = lint('a.rules', 'iptables', ipt('# fwlint-ignore no-world-open-sensitive-ports -- bastion', '-A INPUT -p tcp --dport 22 -j ACCEPT'));
    expect(one).toEqual([]);
    const other = lint('a.rules', 'iptables', ipt('# fwlint-ignore ip-family-parity', '-A INPUT -p tcp --dport 22 -j ACCEPT'));
    expect(other).toEqual([
      '5:1 firewall/no-unused-suppressions unused',
      '6:17 firewall/no-world-open-sensitive-ports worldOpen',
    ]);
  });

  it('expiry: applies through the day written, then is reported and no longer applies', () => {
    const code = ipt('# fwlint-ignore until=2027-01-31 -- migration', '-A INPUT -p tcp --dport 1768 -j ACCEPT');
    expect(lint('a.rules', 'iptables', code, {}, '2027-01-31T23:59:59Z')).toEqual([]);
    expect(lint('a.rules', 'iptables', code, {}, '2027-02-01T00:00:00Z')).toEqual([
      '5:1 firewall/no-unused-suppressions expired',
      '6:17 firewall/no-unneeded-cft-ports noDeployment',
    ]);
  });

  it('require-reason: a suppression without a reason is reported and does not apply', () => {
    const code = ipt('# fwlint-ignore no-unneeded-cft-ports', '-A INPUT -p tcp --dport 1768 -j ACCEPT', '# fwlint-ignore no-unneeded-cft-ports -- ok', '-A INPUT -p tcp --dport 1767 -j ACCEPT');
    expect(lint('a.rules', 'iptables', code)).toEqual([]);
    expect(lint('a.rules', 'iptables', code, { 'firewall/no-unused-suppressions': ['warn', { 'require-reason': true }] })).toEqual([
      '5:1 firewall/no-unused-suppressions noReason',
      '6:17 firewall/no-unneeded-cft-ports noDeployment',
    ]);
  });

  it('nftables # and comment "…"', () => {
    const code = [
      'table inet f {',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    # fwlint-ignore no-unneeded-cft-ports ports=1768/tcp -- partner',
      '    ip saddr 10.0.0.0/8 tcp dport 1768 accept',
      '    ip saddr 10.0.0.0/8 tcp dport 1762 accept comment "fwlint-ignore ports=1762 -- partner"',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(lint('f.nft', 'nftables', code)).toEqual([]);
  });

  it('CloudFormation YAML #', () => {
    const code = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  SG:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: x',
      '      SecurityGroupIngress:',
      '        # fwlint-ignore no-unneeded-cft-ports ports=1768 -- partner',
      '        - IpProtocol: tcp',
      '          FromPort: 1768',
      '          ToPort: 1768',
      '          CidrIp: 10.0.0.0/8',
      '        - IpProtocol: tcp',
      '          FromPort: 1762',
      '          ToPort: 1762',
      '          CidrIp: 10.0.0.0/8',
      '',
    ].join('\n');
    expect(lint('sg.yaml', 'yaml', code)).toEqual(['16:19 firewall/no-unneeded-cft-ports noDeployment']);
  });

  it('Terraform # and //', () => {
    const code = [
      'resource "aws_security_group" "w" {',
      '  name = "w"',
      '  # fwlint-ignore no-unneeded-cft-ports ports=1768 -- partner',
      '  ingress {',
      '    from_port   = 1768',
      '    to_port     = 1768',
      '    protocol    = "tcp"',
      '    cidr_blocks = ["10.0.0.0/8"]',
      '  }',
      '  ingress {',
      '    from_port   = 1762',
      '    to_port     = 1762',
      '    protocol    = "tcp"',
      '    cidr_blocks = ["10.0.0.0/8"] // fwlint-ignore ports=1762 -- partner',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(lint('main.tf', 'hcl', code)).toEqual([]);
  });
  it('Terraform: a directive on its own line inside a resource covers that resource, not the next one', () => {
    const code = [
      'resource "google_compute_firewall" "a" {',
      '  name    = "a"',
      '  network = "vpc"',
      '  # fwlint-ignore firewall/no-unneeded-cft-ports -- partner gateway for a only',
      '  source_ranges = ["198.51.100.0/24"]',
      '  allow {',
      '    protocol = "tcp"',
      '    ports    = ["1761"]',
      '  }',
      '}',
      'resource "google_compute_firewall" "b" {',
      '  name          = "b"',
      '  network       = "vpc"',
      '  source_ranges = ["0.0.0.0/0"]',
      '  allow {',
      '    protocol = "tcp"',
      '    ports    = ["1761"]',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(lint('main.tf', 'hcl', code)).toEqual(['14:19 firewall/no-unneeded-cft-ports noDeployment']);
  });
});

describe('firewall/no-unused-suppressions enabled before the rules whose suppressions it judges', () => {
  const unusedFirst = (language: string, filename: string, code: string) =>
    new Linter({ configType: 'flat' })
      .verify(
        code,
        [
          {
            files: ['**/*.rules', '**/*.tf'],
            plugins: { firewall: plugin as never },
            language: `firewall/${language}`,
            settings: { firewall: { discovery: false } },
            // the user's order: no-unused-suppressions first (it judged at Document:exit, before the others ran)
            rules: { 'firewall/no-unused-suppressions': 'warn', 'firewall/no-world-open-sensitive-ports': 'error', 'firewall/no-shadowed-rules': 'warn' },
          },
        ] as never,
        { filename },
      )
      .map((m) => `${m.line}:${m.column} ${m.ruleId ?? m.message} ${m.messageId}`);

  it('iptables: a used suppression is not reported unused; an unused one still is', () => {
    const code = ipt('# fwlint-ignore no-world-open-sensitive-ports -- bastion', '-A INPUT -p tcp --dport 22 -j ACCEPT', '# fwlint-ignore no-world-open-sensitive-ports -- nothing here', '-A INPUT -p tcp -s 10.0.0.0/8 --dport 23 -j ACCEPT');
    expect(unusedFirst('iptables', 'a.rules', code)).toEqual(['7:1 firewall/no-unused-suppressions unused']);
  });

  it('Terraform: the same', () => {
    const code = 'resource "aws_security_group" "w" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    # fwlint-ignore no-world-open-sensitive-ports -- bastion\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n';
    expect(unusedFirst('hcl', 'main.tf', code)).toEqual([]);
  });
});
