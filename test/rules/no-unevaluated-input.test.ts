import rule from '../../rules/no-unevaluated-input.js';
import { tester } from './tester.js';

tester('iptables').run('no-unevaluated-input', rule, {
  valid: [{ code: '#!/bin/sh\nIPT=iptables\n$IPT -P INPUT DROP\n$IPT -A INPUT -p tcp --dport 22 -j ACCEPT\n', filename: 'fw.sh' }],
  invalid: [
    {
      code: '#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport $PORT -j ACCEPT\n',
      filename: 'fw.sh',
      errors: [{ line: 3, messageId: 'unevaluated' }],
    },
  ],
});

tester('hcl').run('no-unevaluated-input (terraform, AWS)', rule, {
  valid: [{ code: 'resource "aws_security_group" "a" {\n  ingress {\n    protocol    = "tcp"\n    from_port   = 443\n    to_port     = 443\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n}\n', filename: 'sg.tf' }],
  invalid: [
    {
      // the unresolved variable is named where it is written, once
      code: 'resource "aws_security_group" "a" {\n  ingress {\n    protocol    = "tcp"\n    from_port   = 1761\n    to_port     = 1768\n    cidr_blocks = [var.partner_cidr]\n  }\n}\n',
      filename: 'sg.tf',
      errors: [{ line: 6, column: 20, message: 'Cannot evaluate var.partner_cidr: the address is not known statically; it is treated as unknown' }],
    },
  ],
});

tester('yaml').run('no-unevaluated-input (CloudFormation)', rule, {
  valid: [],
  invalid: [
    {
      code: 'Parameters:\n  Cidr:\n    Type: String\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 1768\n          ToPort: 1768\n          CidrIp: !Ref Cidr\n',
      filename: 'sg.yaml',
      errors: [{ line: 13, message: 'Cannot evaluate !Ref Cidr: the address is not known statically; it is treated as unknown' }],
    },
  ],
});
