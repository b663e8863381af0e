/**
 * firewall/no-unused-suppressions on its own: no other rule runs, so every
 * well-formed, attached, live suppression is unused. Suppressions that are used
 * by the other rules are tested with all rules together in
 * test/suppressions/apply.test.ts.
 */
import rule from '../../rules/no-unused-suppressions.js';
import { save, tester } from './tester.js';

tester('iptables').run('no-unused-suppressions', rule, {
  valid: [
    { code: save('# just a comment', '-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT'), filename: 'a.rules' },
    { code: save('# fwlint-deployment: transfer-cft', '-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -m comment --comment "ssh from the office" -j ACCEPT'), filename: 'a.rules' },
  ],
  invalid: [
    {
      code: save('# fwlint-ignore no-unneeded-cft-ports ports=1768 -- partner', '-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, column: 1, endLine: 5, endColumn: 60, messageId: 'unused', data: { text: 'fwlint-ignore no-unneeded-cft-ports ports=1768 -- partner', where: '6', scope: ' within its scope' } }],
    },
    {
      code: save('-A INPUT -p tcp --dport 1768 -m comment --comment "fwlint-ignore -- lab" -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, column: 1, messageId: 'unused', data: { text: 'fwlint-ignore -- lab', where: '5', scope: '' } }],
    },
    {
      code: save('# fwlint-ignore ports=abc', '-A INPUT -p tcp --dport 1768 -j ACCEPT', '# fwlint-ignore until=2020-01-31 -- migration', '-A INPUT -p tcp --dport 1767 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        { line: 5, messageId: 'malformed', data: { text: 'fwlint-ignore ports=abc', error: '"abc" is not a port or range' } },
        { line: 7, messageId: 'expired', data: { text: 'fwlint-ignore until=2020-01-31 -- migration', until: '2020-01-31' } },
      ],
    },
    {
      code: `${save('-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT')}# fwlint-ignore\n`,
      filename: 'a.rules',
      errors: [{ line: 7, messageId: 'unattached' }],
    },
    {
      code: save('# fwlint-ignore no-unneeded-cft-ports', '-A INPUT -p tcp --dport 1768 -j ACCEPT'),
      filename: 'a.rules',
      options: [{ 'require-reason': true }],
      errors: [{ line: 5, messageId: 'noReason' }],
    },
    {
      // a misspelt rule name: said so with the nearest name, not "unused" (the finding it meant is still reported)
      code: save('# fwlint-ignore no-unneded-cft-ports,firewall/nosuch,ip-family-parity -- typo', '-A INPUT -p tcp --dport 1768 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        {
          line: 5,
          column: 1,
          messageId: 'unknownRule',
          data: { text: 'fwlint-ignore no-unneded-cft-ports,firewall/nosuch,ip-family-parity -- typo', names: '"no-unneded-cft-ports", "nosuch"', hint: ' (did you mean "no-unneeded-cft-ports"?)' },
        },
      ],
    },
  ],
});

tester('iptables').run('no-unused-suppressions (iptables script)', rule, {
  valid: [],
  invalid: [
    {
      code: '#!/bin/sh\niptables -P INPUT DROP\n# fwlint-ignore ports=1768 -- partner\niptables -A INPUT -p tcp --dport 1768 -j ACCEPT\n',
      filename: 'fw.sh',
      errors: [{ line: 3, column: 1, messageId: 'unused', data: { text: 'fwlint-ignore ports=1768 -- partner', where: '4', scope: ' within its scope' } }],
    },
  ],
});

tester('nftables').run('no-unused-suppressions (nftables)', rule, {
  valid: [{ code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    # ssh\n    tcp dport 22 accept\n  }\n}\n', filename: 'f.nft' }],
  invalid: [
    {
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    # fwlint-ignore ports=1768\n    tcp dport 22 accept\n    tcp dport 23 accept comment "fwlint-ignore sources=10.0.0.0/8"\n  }\n}\n',
      filename: 'f.nft',
      errors: [
        { line: 4, column: 5, messageId: 'unused', data: { text: 'fwlint-ignore ports=1768', where: '5', scope: ' within its scope' } },
        { line: 6, column: 5, messageId: 'unused', data: { text: 'fwlint-ignore sources=10.0.0.0/8', where: '6', scope: ' within its scope' } },
      ],
    },
  ],
});

tester('yaml').run('no-unused-suppressions (CloudFormation YAML)', rule, {
  valid: [],
  invalid: [
    {
      code: [
        'AWSTemplateFormatVersion: "2010-09-09"',
        'Resources:',
        '  SG:',
        '    Type: AWS::EC2::SecurityGroup',
        '    Properties:',
        '      GroupDescription: x',
        '      SecurityGroupIngress:',
        '        # fwlint-ignore no-world-open-sensitive-ports expires=2030-13-01',
        '        - IpProtocol: tcp',
        '          FromPort: 22',
        '          ToPort: 22',
        '          CidrIp: 10.0.0.0/8',
        '',
      ].join('\n'),
      filename: 'sg.yaml',
      errors: [{ line: 8, column: 9, messageId: 'malformed', data: { text: 'fwlint-ignore no-world-open-sensitive-ports expires=2030-13-01', error: 'until=2030-13-01: a date YYYY-MM-DD' } }],
    },
  ],
});

tester('hcl').run('no-unused-suppressions (Terraform)', rule, {
  valid: [],
  invalid: [
    {
      code: [
        'resource "aws_security_group" "w" {',
        '  name = "w"',
        '  # fwlint-ignore ip-family-parity',
        '  ingress {',
        '    from_port   = 22',
        '    to_port     = 22',
        '    protocol    = "tcp"',
        '    cidr_blocks = ["10.0.0.0/8"] // fwlint-ignore ports=22/tcp',
        '  }',
        '}',
        '',
      ].join('\n'),
      filename: 'main.tf',
      errors: [
        { line: 3, column: 3, messageId: 'unused', data: { text: 'fwlint-ignore ip-family-parity', where: '4-9', scope: '' } },
        { line: 8, column: 34, messageId: 'unused', data: { text: 'fwlint-ignore ports=22/tcp', where: '4-9', scope: ' within its scope' } },
      ],
    },
  ],
});
