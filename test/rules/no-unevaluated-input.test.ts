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

// A `fwlint-deployment:` comment fwlint cannot read declares nothing: said at the comment, never silently dropped
tester('iptables').run('no-unevaluated-input (fwlint-deployment comments)', rule, {
  valid: [{ code: '# fwlint-deployment: transfer-cft sources=10.0.0.0/8 disabled=sftp\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 1761 -j ACCEPT\nCOMMIT\n', filename: 'fw.rules' }],
  invalid: [
    {
      code: '# fwlint-target: mft09\n# fwlint-deployment: transfer-cft sources=10.0.0.0/33\n# fwlint-deployment: transfer-cft disabled=ftp\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 1761 -j ACCEPT\nCOMMIT\n',
      filename: 'fw.rules',
      errors: [
        { line: 2, column: 1, endLine: 2, message: 'fwlint-deployment: "10.0.0.0/33" is not an IP address or CIDR; the declaration is not used.' },
        { line: 3, column: 1, endLine: 3, message: 'fwlint-deployment: "ftp" is not a role of Transfer CFT (roles: pesit, pesitssl, sftp, coms, copilot, copilotcg, restapi); nothing is switched off for it.' },
      ],
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

// Cloud values that stay expressions are unevaluated input too, named where they are written — not only
// when they change what is open (here the variable feeds a deny, so no exposure finding names it).
tester('hcl').run('no-unevaluated-input (Terraform GCP)', rule, {
  valid: [],
  invalid: [
    {
      code: `variable "blocked" {}

resource "google_compute_firewall" "deny" {
  name          = "deny-bad"
  network       = "vpc"
  priority      = 100
  source_ranges = var.blocked
  deny {
    protocol = "tcp"
    ports    = ["1761-1768"]
  }
}
`,
      filename: 'fw.tf',
      errors: [{ line: 7, column: 19, message: 'Cannot evaluate var.blocked (firewall rule "deny-bad"): sourceRanges is not a literal; it is treated as unknown' }],
    },
  ],
});

tester('json').run('no-unevaluated-input (ARM template)', rule, {
  valid: [],
  invalid: [
    {
      code: `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "rules": { "type": "array" }, "denyPrio": { "type": "int" } },
  "resources": [
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "name": "nsg",
      "properties": {
        "securityRules": [
          { "name": "deny-cft", "properties": { "priority": "[parameters('denyPrio')]", "direction": "Inbound", "access": "Deny", "protocol": "*",
            "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "1761-1768" } }
        ],
        "copy": [{ "name": "securityRules", "count": "[length(parameters('rules'))]", "input": {} }]
      }
    }
  ]
}
`,
      filename: 'azuredeploy.json',
      errors: [
        { line: 10, column: 61, message: `Cannot evaluate [parameters('denyPrio')] (security rule "deny-cft"): the priority is not a literal, so the rule’s place in the evaluation order is unknown; it is treated as unknown` },
        { line: 13, column: 18, message: 'Cannot evaluate copy securityRules count [length(parameters(\'rules\'))] (NSG nsg): the security rule list is not a literal; it is treated as unknown' },
      ],
    },
  ],
});

// A file whose only firewall is a module call has no ruleset: the module is still named, not passed over in silence.
tester('hcl').run('no-unevaluated-input (Terraform module call alone)', rule, {
  valid: [{ code: 'variable "x" {}\n', filename: 'variables.tf' }],
  invalid: [
    {
      code: 'module "sg" {\n  source       = "terraform-aws-modules/security-group/aws"\n  ingress_cidr = "0.0.0.0/0"\n}\n',
      filename: 'main.tf',
      errors: [{ line: 1, column: 1, message: 'module "sg" (terraform-aws-modules/security-group/aws) is not evaluated (no copy installed by terraform init): firewall resources it creates are not checked here' }],
    },
  ],
});
