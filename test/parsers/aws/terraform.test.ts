import { describe, expect, test } from 'vitest';
import { computeExposure } from '../../../src/analysis/index.js';
import { formatPorts, type OpaqueMatch } from '../../../src/model/index.js';
import { mapAwsTerraform } from '../../../src/parsers/aws/terraform.js';
import { parseTerraform } from '../../../src/parsers/terraform/format.js';
import { evaluateTerraform } from '../../../src/parsers/terraform/index.js';
import { at, fixture, matchesOf, names, rows } from './helpers.js';

describe('Terraform: dynamic ingress and count (fixture)', () => {
  const doc = parseTerraform(fixture('dynamic-count.tf'), { filePath: 'dynamic-count.tf' });

  test('one ruleset per counted instance; rules attached by security_group_id', () => {
    expect(doc.format).toBe('terraform');
    expect(doc.diagnostics.map((x) => [x.code, x.message, at(x.span)])).toEqual([
      ['aws/unresolved', 'Cannot evaluate var.admin_cidrs: the address is not known statically; it is treated as unknown', '52:23-52:38'],
    ]);
    expect(names(doc)).toEqual(['aws_security_group.cft[0] (cft-0)', 'aws_security_group.cft[1] (cft-1)', 'aws_security_group.bastion (bastion)']);
    expect(doc.rulesets[0]!.targets).toEqual(['aws_security_group.cft[0]', 'cft-0']);
    expect(doc.comments.map((c) => at(c.span))).toEqual(['1:1-1:74']);
  });

  test('dynamic blocks expand per element with exact spans (report span = the CIDR list in the rule, not the local it comes from)', () => {
    expect(rows(doc.rulesets[0]!)).toEqual([
      ['security-group/ingress', 'accept', 'ingress tcp 1761 from 0.0.0.0/0', '21:5-26:6', '25:21-25:34'],
      ['security-group/ingress', 'accept', 'ingress tcp 1762 from 0.0.0.0/0', '21:5-26:6', '25:21-25:34'],
      ['security-group/ingress', 'accept', 'ingress tcp 22 from aws_security_group.bastion', '29:3-34:4', '30:23-30:25'],
    ]);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual([
      'proto=6 dstport=1761 srcaddr=0.0.0.0/0',
      'proto=6 dstport=1762 srcaddr=0.0.0.0/0',
      'proto=6 dstport=22 srcprincipal=aws_security_group.bastion',
    ]);
    // Terraform removes the default egress rule: no egress rules at all.
    expect(matchesOf(doc.rulesets[0]!, 'egress')).toEqual([]);
  });

  test('an unknown variable is an opaque match naming it; a standalone rule joins its group', () => {
    expect(rows(doc.rulesets[2]!)).toEqual([
      ['security-group/ingress', 'accept', 'ingress tcp 8443 from var.admin_cidrs', '47:1-54:2', '52:23-52:38'],
      ['security-group/egress', 'accept', 'egress all to ::/0', '39:3-44:4', '43:25-43:31'],
    ]);
    const op = doc.rulesets[2]!.tables[0]!.chains[0]!.rules[0]!.matches.find((m) => m.kind === 'opaque') as OpaqueMatch;
    expect(op.text).toBe('var.admin_cidrs');
    const d = parseTerraform(fixture('dynamic-count.tf'), { variables: { admin_cidrs: ['198.51.100.0/24'] } });
    expect(matchesOf(d.rulesets[2]!, 'ingress')).toEqual(['proto=6 dstport=8443 srcaddr=198.51.100.0/24']);
  });

  test('rule ids are unique in the document', () => {
    const ids = doc.rulesets.flatMap((r) => r.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((x) => x.id))));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('Terraform AWS resources', () => {
  const tf = [
    'resource "aws_security_group" "web" {',
    '  name = "web"',
    '  ingress {',
    '    from_port        = 0',
    '    to_port          = 0',
    '    protocol         = "-1"',
    '    self             = true',
    '    ipv6_cidr_blocks = ["::/0"]',
    '    prefix_list_ids  = ["pl-1"]',
    '  }',
    '  dynamic "egress" {',
    '    for_each = var.egress_rules',
    '    content {',
    '      from_port   = egress.value.port',
    '      to_port     = egress.value.port',
    '      protocol    = "tcp"',
    '      cidr_blocks = ["0.0.0.0/0"]',
    '    }',
    '  }',
    '}',
    'resource "aws_vpc_security_group_ingress_rule" "cft" {',
    '  security_group_id = aws_security_group.web.id',
    '  ip_protocol       = "tcp"',
    '  from_port         = 1761',
    '  to_port           = 1768',
    '  cidr_ipv4         = "0.0.0.0/0"',
    '}',
    'resource "aws_vpc_security_group_egress_rule" "any" {',
    '  security_group_id            = data.aws_security_group.shared.id',
    '  ip_protocol                  = "icmp"',
    '  from_port                    = 8',
    '  to_port                      = -1',
    '  referenced_security_group_id = aws_security_group.web.id',
    '}',
    'resource "aws_security_group_rule" "u" {',
    '  count             = var.enabled ? 1 : 0',
    '  type              = "ingress"',
    '  protocol          = "132"',
    '  from_port         = 0',
    '  to_port           = 0',
    '  cidr_blocks       = ["0.0.0.0/0"]',
    '  security_group_id = aws_security_group.web.id',
    '}',
    'resource "aws_network_acl" "main" {',
    '  subnet_ids = [aws_subnet.a.id]',
    '  ingress {',
    '    rule_no    = 200',
    '    action     = "allow"',
    '    protocol   = "tcp"',
    '    from_port  = 1761',
    '    to_port    = 1768',
    '    cidr_block = "0.0.0.0/0"',
    '  }',
    '}',
    'resource "aws_network_acl_rule" "deny" {',
    '  network_acl_id = aws_network_acl.main.id',
    '  rule_number    = 100',
    '  egress         = false',
    '  protocol       = "6"',
    '  rule_action    = "deny"',
    '  cidr_block     = "203.0.113.0/24"',
    '  from_port      = 1761',
    '  to_port        = 1768',
    '}',
    'resource "aws_instance" "app" {',
    '  vpc_security_group_ids = [aws_security_group.web.id]',
    '}',
    '',
  ].join('\n');
  const doc = parseTerraform(tf);

  test('rulesets: groups (declared and referenced) then network ACLs; instance attachment in targets', () => {
    expect(names(doc)).toEqual(['aws_security_group.web (web)', 'data.aws_security_group.shared.id', 'aws_network_acl.main']);
    expect(doc.rulesets[0]!.targets).toEqual(['aws_security_group.web', 'web', 'aws_instance.app']);
    expect(doc.rulesets[2]!.targets).toEqual(['aws_network_acl.main', 'aws_subnet.a.id']);
  });

  test('-1 with self, IPv6 and a prefix list; vpc rule; protocol 132 opens its own protocol; unknown count is opaque', () => {
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual([
      'srcaddr=::/0',
      'srcprincipal=pl-1',
      'srcprincipal=self',
      'proto=6 dstport=1761-1768 srcaddr=0.0.0.0/0',
      'proto=132 srcaddr=0.0.0.0/0 opaque:unresolved',
    ]);
    const last = doc.rulesets[0]!.tables[0]!.chains[0]!.rules[4]!;
    expect((last.matches.find((m) => m.kind === 'opaque') as OpaqueMatch).text).toBe('count = var.enabled ? 1 : 0');
    expect([at(last.span), at(last.reportSpan)]).toEqual(['35:1-43:2', '41:24-41:35']);
  });

  test('dynamic block with an unknown for_each: rules conditioned by it, unknown ports opaque', () => {
    expect(matchesOf(doc.rulesets[0]!, 'egress')).toEqual(['proto=6 opaque:unresolved dstaddr=0.0.0.0/0 opaque:unresolved']);
    const r = doc.rulesets[0]!.tables[0]!.chains[1]!.rules[0]!;
    expect(r.matches.filter((m) => m.kind === 'opaque').map((m) => (m as OpaqueMatch).text)).toEqual(['ports egress.value.port', 'for_each = var.egress_rules']);
  });

  test('a rule for a group not in the file gets its own ruleset named by the reference', () => {
    expect(matchesOf(doc.rulesets[1]!, 'egress')).toEqual(['proto=1 icmp(ipv4)=2048-2303 dstprincipal=aws_security_group.web']);
  });

  test('network ACL: inline and standalone entries in rule-number order', () => {
    expect(rows(doc.rulesets[2]!).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['network-acl/ingress', 'drop', '100 deny ingress tcp 1761-1768 from 203.0.113.0/24', '55:1-64:2'],
      ['network-acl/ingress', 'accept', '200 allow ingress tcp 1761-1768 from 0.0.0.0/0', '46:3-53:4'],
    ]);
  });

  test('mapAwsTerraform on evaluated resources directly', () => {
    const out = mapAwsTerraform(evaluateTerraform(tf).resources);
    expect(out.rulesets.length).toBe(3);
    expect(out.diagnostics.map((x) => [x.code, x.message, at(x.span)])).toEqual([
      ['aws/unresolved', 'Cannot evaluate for_each = var.egress_rules: for_each is not known statically: the rule may exist zero or more times; it is treated as unknown', '12:16-12:32'],
      ['aws/unresolved', 'Cannot evaluate ports egress.value.port: the port range is not known statically; it is treated as unknown', '14:21-14:38'],
      ['aws/unresolved', 'Cannot evaluate count = var.enabled ? 1 : 0: count is not known statically: the rule may exist zero or more times; it is treated as unknown', '36:23-36:42'],
      [
        'aws/unresolved',
        'Cannot evaluate aws_network_acl_rule.deny beside the in-line rules of aws_network_acl.main: the network ACL lists its rules in-line, which overwrites standalone rules on apply (aws: they cannot be mixed); it is treated as unknown',
        '56:20-56:43',
      ],
    ]);
  });

  test('a standalone NACL entry beside in-line ones may be absent (each apply of the ACL removes it): its deny closes nothing', () => {
    // aws_network_acl: "you cannot use a Network ACL with in-line rules in conjunction with any Network ACL Rule resources"
    expect(matchesOf(doc.rulesets[2]!, 'ingress', 'network-acl')[0]).toBe('proto=6 dstport=1761-1768 srcaddr=203.0.113.0/24 opaque:unresolved');
    const e = computeExposure(doc.rulesets[2]!).entries.filter((x) => x.sources.has('203.0.113.7'));
    expect(e.map((x) => [x.certainty, formatPorts(x.dports), x.rule?.span.start.line])).toEqual([['possibly-open', '1761-1768', 46]]);
  });
});

describe('Terraform: a NACL and a security group tied by the subnet', () => {
  const tf = [
    'resource "aws_security_group" "cft" {',
    '  ingress {',
    '    from_port   = 1761',
    '    to_port     = 1768',
    '    protocol    = "tcp"',
    '    cidr_blocks = ["0.0.0.0/0"]',
    '  }',
    '}',
    'resource "aws_instance" "cft" {',
    '  subnet_id              = aws_subnet.dmz.id',
    '  vpc_security_group_ids = [aws_security_group.cft.id]',
    '}',
    'resource "aws_network_acl" "dmz" {',
    '  ingress {',
    '    rule_no    = 100',
    '    action     = "allow"',
    '    protocol   = "tcp"',
    '    from_port  = 1761',
    '    to_port    = 1761',
    '    cidr_block = "0.0.0.0/0"',
    '  }',
    '}',
    'resource "aws_network_acl_association" "dmz" {',
    '  subnet_id      = aws_subnet.dmz.id',
    '  network_acl_id = aws_network_acl.dmz.id',
    '}',
    '',
  ].join('\n');

  test('the NACL becomes a second base chain at priority -10 in the group ruleset; exposure is the intersection', async () => {
    const doc = parseTerraform(tf);
    expect(names(doc)).toEqual(['aws_security_group.cft', 'aws_network_acl.dmz']);
    const rs = doc.rulesets[0]!;
    expect(rs.tables.map((t) => [t.name, t.chains.map((c) => `${c.name}:${c.hook}:${c.priority}:${c.policy}`).join(' ')])).toEqual([
      ['security-group', 'ingress:input:0:drop egress:output:0:drop'],
      ['network-acl aws_network_acl.dmz', 'ingress:input:-10:drop egress:output:-10:drop'],
    ]);
    expect(rs.targets).toEqual(['aws_security_group.cft', 'aws_instance.cft']);
    const { computeExposure, exposedPorts } = await import('../../../src/analysis/index.js');
    const { numRange } = await import('../../../src/model/index.js');
    const open = exposedPorts(computeExposure(rs), 6, numRange(1761, 1768)).filter((e) => e.family === 'ipv4');
    expect(open.map((e) => `${e.dports.bounds.join('-')}`)).toEqual(['1761-1762']);
  });

  test('no tie when the attached instances sit in subnets of different NACLs', () => {
    const doc = parseTerraform(tf.replace('subnet_id              = aws_subnet.dmz.id', 'subnet_id              = aws_subnet.other.id'));
    expect(doc.rulesets[0]!.tables.length).toBe(1);
  });
});

describe('Terraform: counted groups and counted rules', () => {
  test('`aws_security_group.x[count.index].id` attaches each rule to its own instance', () => {
    const tf = [
      'resource "aws_security_group" "x" {',
      '  count = 2',
      '}',
      'resource "aws_security_group_rule" "r" {',
      '  count             = 2',
      '  type              = "ingress"',
      '  protocol          = "tcp"',
      '  from_port         = 1761 + count.index',
      '  to_port           = 1761 + count.index',
      '  cidr_blocks       = concat(["0.0.0.0/0"], var.more)',
      '  security_group_id = aws_security_group.x[count.index].id',
      '}',
      '',
    ].join('\n');
    const doc = parseTerraform(tf);
    expect(names(doc)).toEqual(['aws_security_group.x[0]', 'aws_security_group.x[1]']);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1761 srcaddr=0.0.0.0/0', 'proto=6 dstport=1761 opaque:unresolved family=ipv4']);
    expect(matchesOf(doc.rulesets[1]!, 'ingress')).toEqual(['proto=6 dstport=1762 srcaddr=0.0.0.0/0', 'proto=6 dstport=1762 opaque:unresolved family=ipv4']);
  });
});

describe('Terraform: a value from a variable default or a local is reported inside the rule that uses it', () => {
  const tf = [
    'variable "world" {',
    '  default = "0.0.0.0/0"',
    '}',
    'resource "aws_security_group" "a" {',
    '  name = "a"',
    '}',
    'resource "aws_vpc_security_group_ingress_rule" "pesit" {',
    '  security_group_id = aws_security_group.a.id',
    '  ip_protocol       = "tcp"',
    '  from_port         = 1761',
    '  to_port           = 1761',
    '  cidr_ipv4         = var.world',
    '}',
    'resource "aws_vpc_security_group_ingress_rule" "rest" {',
    '  security_group_id = aws_security_group.a.id',
    '  ip_protocol       = "tcp"',
    '  from_port         = 1768',
    '  to_port           = 1768',
    '  cidr_ipv4         = var.world',
    '}',
  ].join('\n');
  test('each rule at its own place (its ports), not both on the default line 2', () => {
    expect(rows(parseTerraform(tf).rulesets[0]!).map((r) => [r[2], r[4]])).toEqual([
      ['ingress tcp 1761 from 0.0.0.0/0', '10:23-10:27'],
      ['ingress tcp 1768 from 0.0.0.0/0', '17:23-17:27'],
    ]);
  });
});

describe('Terraform: a NACL in front of a group that admits another group', () => {
  // the group admits TCP 1761 from the instances of sg-0123, whose addresses the files do not say; its subnet's NACL
  // (rule 10 on 1761, rule 20 allows everything) filters them too
  const tf = (rule10: string) => `resource "aws_security_group" "cft" {
  name   = "cft"
  vpc_id = "vpc-1"
  ingress {
    protocol        = "tcp"
    from_port       = 1761
    to_port         = 1761
    security_groups = ["sg-0123"]
  }
}
resource "aws_network_acl" "subnet" {
  vpc_id     = "vpc-1"
  subnet_ids = ["subnet-1"]
  ingress {
    ${rule10}
    protocol   = "tcp"
    from_port  = 1761
    to_port    = 1761
  }
  ingress {
    rule_no    = 20
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}
resource "aws_instance" "a" {
  ami                    = "ami-1"
  subnet_id              = "subnet-1"
  vpc_security_group_ids = [aws_security_group.cft.id]
}
`;
  const group = (rule10: string) => {
    const doc = parseTerraform(tf(rule10), { filePath: 'main.tf' });
    const rs = doc.rulesets.find((r) => r.name.startsWith('aws_security_group.cft'))!;
    return computeExposure(rs).entries.map((e) => `${e.family} ${formatPorts(e.dports)} ${[...e.principals].join(',')} ${e.certainty}`);
  };
  test('an allow from 0.0.0.0/0 lets them in (IPv4 only: the NACL has no IPv6 entry)', () => {
    expect(group('rule_no = 10\n    action = "allow"\n    cidr_block = "0.0.0.0/0"')).toEqual(['ipv4 1761 sg-0123 open']);
  });
  test('a deny from 0.0.0.0/0 stops them', () => {
    expect(group('rule_no = 10\n    action = "deny"\n    cidr_block = "0.0.0.0/0"')).toEqual([]);
  });
  test('a deny from 10.0.0.0/8 may stop them (their addresses are not known)', () => {
    expect(group('rule_no = 10\n    action = "deny"\n    cidr_block = "10.0.0.0/8"')).toEqual(['ipv4 1761 sg-0123 possibly-open']);
  });
  test('an allow from 10.0.0.0/8 may let them in over IPv4 only (an IPv4 block holds no IPv6 packet)', () => {
    // rule 20 allows everything: the 10.0.0.0/8 deny before it; here an allow from 10.0.0.0/8 then a deny of all
    const doc = parseTerraform(
      tf('rule_no = 10\n    action = "allow"\n    cidr_block = "10.0.0.0/8"').replace('action     = "allow"\n    cidr_block = "0.0.0.0/0"', 'action     = "deny"\n    cidr_block = "0.0.0.0/0"'),
      { filePath: 'main.tf' },
    );
    const rs = doc.rulesets.find((r) => r.name.startsWith('aws_security_group.cft'))!;
    expect(computeExposure(rs).entries.map((e) => `${e.family} ${formatPorts(e.dports)} ${[...e.principals].join(',')} ${e.certainty}`)).toEqual(['ipv4 1761 sg-0123 possibly-open']);
  });
});

describe('an unknown value in a CIDR field of one family', () => {
  test('cidr_blocks / cidr_ipv4 / cidr_block take IPv4 only, the ipv6 fields IPv6 only: the unknown matches no packet of the other family', () => {
    const tf = [
      'variable "v4" {}',
      'variable "v6" {}',
      'resource "aws_security_group" "a" {',
      '  ingress {',
      '    from_port   = 22',
      '    to_port     = 22',
      '    protocol    = "tcp"',
      '    cidr_blocks = var.v4',
      '  }',
      '  ingress {',
      '    from_port        = 23',
      '    to_port          = 23',
      '    protocol         = "tcp"',
      '    ipv6_cidr_blocks = ["::/0", var.v6]',
      '  }',
      '}',
      'resource "aws_vpc_security_group_ingress_rule" "r" {',
      '  security_group_id = aws_security_group.a.id',
      '  ip_protocol       = "tcp"',
      '  from_port         = 24',
      '  to_port           = 24',
      '  cidr_ipv4         = var.v4',
      '}',
      'resource "aws_network_acl" "n" {',
      '  ingress {',
      '    rule_no    = 100',
      '    action     = "allow"',
      '    protocol   = "tcp"',
      '    from_port  = 25',
      '    to_port    = 25',
      '    cidr_block = var.v4',
      '  }',
      '}',
      '',
    ].join('\n');
    const doc = parseTerraform(tf);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual([
      'proto=6 dstport=23 srcaddr=::/0',
      'proto=6 dstport=22 opaque:unresolved family=ipv4',
      'proto=6 dstport=23 opaque:unresolved family=ipv6',
      'proto=6 dstport=24 opaque:unresolved family=ipv4',
    ]);
    expect(matchesOf(doc.rulesets[1]!, 'ingress', 'network-acl')).toEqual(['proto=6 dstport=25 opaque:unresolved family=ipv4']);
  });
});

describe('Terraform: a CIDR of the other family in a one-family argument', () => {
  test('cidr_blocks ["::/0"], ipv6_cidr_blocks ["0.0.0.0/0"] and cidr_ipv4 "::/0" are invalid (the provider refuses them)', () => {
    const doc = parseTerraform(
      [
        'resource "aws_security_group" "a" {',
        '  ingress {',
        '    from_port        = 1768',
        '    to_port          = 1768',
        '    protocol         = "tcp"',
        '    cidr_blocks      = ["::/0"]',
        '    ipv6_cidr_blocks = ["0.0.0.0/0"]',
        '  }',
        '}',
        'resource "aws_vpc_security_group_ingress_rule" "b" {',
        '  security_group_id = aws_security_group.a.id',
        '  ip_protocol       = "tcp"',
        '  from_port         = 1766',
        '  to_port           = 1766',
        '  cidr_ipv4         = "::/0"',
        '}',
        '',
      ].join('\n'),
      { filePath: 'main.tf' },
    );
    expect(doc.diagnostics.map((x) => [x.code, x.message, at(x.span)])).toEqual([
      ['aws/invalid-cidr', '"::/0" is not an IPv4 CIDR block, which this field takes (AWS rejects it)', '6:25-6:31'],
      ['aws/invalid-cidr', '"0.0.0.0/0" is not an IPv6 CIDR block, which this field takes (AWS rejects it)', '7:25-7:36'],
      ['aws/invalid-cidr', '"::/0" is not an IPv4 CIDR block, which this field takes (AWS rejects it)', '15:23-15:29'],
    ]);
    const e = computeExposure(doc.rulesets[0]!).entries.map((x) => [x.family, formatPorts(x.dports), x.certainty]);
    expect(e).toEqual([
      ['ipv4', '1768', 'possibly-open'],
      ['ipv4', '1766', 'possibly-open'],
      ['ipv6', '1768', 'possibly-open'],
    ]);
  });
});

describe('rules of a group or network ACL written in another file of the module', () => {
  // security_groups.tf declares aws_security_group.mft; rules.tf (this file) attaches rules to it. The ruleset is
  // named and targeted by the group's address, as in security_groups.tf, so that a deployment declared on
  // `aws_security_group.mft` applies here too (it was named `aws_security_group.mft.id`, and matched nothing).
  test('are named by the resource address, not by the reference expression', () => {
    const doc = parseTerraform(
      [
        'resource "aws_vpc_security_group_ingress_rule" "cft" {',
        '  security_group_id = aws_security_group.mft.id',
        '  cidr_ipv4         = "10.0.0.0/8"',
        '  from_port         = 1761',
        '  to_port           = 1761',
        '  ip_protocol       = "tcp"',
        '}',
        'resource "aws_network_acl_rule" "cft" {',
        '  network_acl_id = aws_network_acl.acl.id',
        '  rule_number    = 10',
        '  protocol       = "tcp"',
        '  rule_action    = "allow"',
        '  cidr_block     = "10.0.0.0/8"',
        '  from_port      = 1761',
        '  to_port        = 1761',
        '}',
        '',
      ].join('\n'),
      { filePath: 'rules.tf' },
    );
    expect(doc.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['aws_security_group.mft', ['aws_security_group.mft']],
      ['aws_network_acl.acl', ['aws_network_acl.acl']],
    ]);
  });
});

describe('an entry of cidr_blocks / ipv6_cidr_blocks that is no CIDR block at all', () => {
  // cidr_blocks admits IPv4 packets only, whatever its entry meant: an unparsable one made IPv6 possibly open too
  // ("TCP 1761 reachable from the whole internet (::/0)" from a typo in cidr_blocks)
  test('is undecided within the family of its field only', () => {
    const doc = parseTerraform(
      [
        'resource "aws_security_group" "a" {',
        '  ingress {',
        '    from_port        = 1761',
        '    to_port          = 1761',
        '    protocol         = "tcp"',
        '    cidr_blocks      = ["01.2.3.4/32"]',
        '  }',
        '  ingress {',
        '    from_port        = 1762',
        '    to_port          = 1762',
        '    protocol         = "tcp"',
        '    ipv6_cidr_blocks = ["2001:db8::/32/1"]',
        '  }',
        '}',
        '',
      ].join('\n'),
      { filePath: 'main.tf' },
    );
    expect(doc.diagnostics.map((x) => [x.message, at(x.span)])).toEqual([
      ['"01.2.3.4/32" is not a CIDR block', '6:25-6:38'],
      ['"2001:db8::/32/1" is not a CIDR block', '12:25-12:42'],
    ]);
    const e = computeExposure(doc.rulesets[0]!).entries.map((x) => [x.family, formatPorts(x.dports), x.certainty]);
    expect(e).toEqual([
      ['ipv4', '1761', 'possibly-open'],
      ['ipv6', '1762', 'possibly-open'],
    ]);
  });
});

describe('a network ACL in front of a group is in front of every use of the group the file shows', () => {
  // The instance sits in a subnet whose NACL admits 10.0.0.0/8 only; the launch template puts the same group on
  // interfaces in subnets it does not name (a public one, by its associate_public_ip_address). Read as behind the
  // NACL, SSH from the world was reported open from 10.0.0.0/8 only: closed where the template's instances take it.
  const tf = (extra: string[]): string =>
    [
      'resource "aws_network_acl" "acl" {',
      '  subnet_ids = [aws_subnet.a.id]',
      '  ingress {',
      '    rule_no    = 100',
      '    action     = "allow"',
      '    protocol   = "tcp"',
      '    from_port  = 0',
      '    to_port    = 65535',
      '    cidr_block = "10.0.0.0/8"',
      '  }',
      '}',
      'resource "aws_security_group" "web" {',
      '  ingress {',
      '    from_port   = 22',
      '    to_port     = 22',
      '    protocol    = "tcp"',
      '    cidr_blocks = ["0.0.0.0/0"]',
      '  }',
      '}',
      'resource "aws_instance" "vm" {',
      '  subnet_id              = aws_subnet.a.id',
      '  vpc_security_group_ids = [aws_security_group.web.id]',
      '}',
      ...extra,
      '',
    ].join('\n');
  const sources = (d: ReturnType<typeof parseTerraform>): string[] => computeExposure(d.rulesets[0]!).entries.map((x) => `${formatPorts(x.dports)} ${x.sources.toString()} ${x.certainty}`);

  test('the instances of one subnet alone: the NACL filters the group', () => {
    expect(sources(parseTerraform(tf([])))).toEqual(['22 10.0.0.0/8 open']);
  });

  test('a launch template (network_interfaces) using the group too: the NACL is not in front of it', () => {
    const lt = ['resource "aws_launch_template" "lt" {', '  network_interfaces {', '    associate_public_ip_address = true', '    security_groups             = [aws_security_group.web.id]', '  }', '}'];
    expect(sources(parseTerraform(tf(lt)))).toEqual(['22 0.0.0.0/0 open']);
  });
});

describe('a managed prefix list of the configuration', () => {
  const pl = (extra: string[]): string =>
    [
      'resource "aws_ec2_managed_prefix_list" "office" {',
      '  name           = "office"',
      '  address_family = "IPv4"',
      '  max_entries    = 5',
      '  entry {',
      '    cidr = "198.51.100.0/24"',
      '  }',
      '}',
      ...extra,
      'resource "aws_security_group" "s" {',
      '  ingress {',
      '    from_port       = 22',
      '    to_port         = 22',
      '    protocol        = "tcp"',
      '    prefix_list_ids = [aws_ec2_managed_prefix_list.office.id]',
      '  }',
      '}',
      '',
    ].join('\n');
  const sources = (text: string): string[][] => {
    const doc = parseTerraform(text, { filePath: 'main.tf' });
    return computeExposure(doc.rulesets[0]!).entries.map((x) => [x.family, formatPorts(x.dports), x.sources.toString(), x.principals.join(' '), x.certainty]);
  };

  test('is read as its entries, also standalone ones: a list holding 0.0.0.0/0 opens to the whole internet', () => {
    // (it was the name aws_ec2_managed_prefix_list.office.id alone: never "the whole internet")
    const text = pl(['resource "aws_ec2_managed_prefix_list_entry" "all" {', '  prefix_list_id = aws_ec2_managed_prefix_list.office.id', '  cidr           = "0.0.0.0/0"', '}']);
    expect(sources(text)).toEqual([['ipv4', '22', '0.0.0.0/0', '', 'open']]);
    expect(sources(pl([]))).toEqual([['ipv4', '22', '198.51.100.0/24', '', 'open']]);
  });

  test('an entry not known (its CIDR, or the list it joins) leaves the list a name', () => {
    const unknownCidr = pl(['resource "aws_ec2_managed_prefix_list_entry" "x" {', '  prefix_list_id = aws_ec2_managed_prefix_list.office.id', '  cidr           = var.cidr', '}']);
    const unknownList = pl(['resource "aws_ec2_managed_prefix_list_entry" "x" {', '  prefix_list_id = var.list', '  cidr           = "0.0.0.0/0"', '}']);
    for (const t of [unknownCidr, unknownList]) {
      expect(sources(t)).toEqual([
        ['ipv4', '22', 'none', 'aws_ec2_managed_prefix_list.office.id', 'open'],
        ['ipv6', '22', 'none', 'aws_ec2_managed_prefix_list.office.id', 'open'],
      ]);
    }
  });
});
