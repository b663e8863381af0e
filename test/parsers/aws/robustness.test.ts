import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { numRange } from '../../../src/model/index.js';
import { parseAwsJson, parseCloudFormationYaml } from '../../../src/parsers/aws/index.js';
import { parseTerraform } from '../../../src/parsers/terraform/format.js';
import { fixture } from './helpers.js';

/** Caught exceptions (mapping bugs) surface as `…/internal` diagnostics: there must be none. */
const internal = (ds: { code?: string; message: string }[]): string[] => ds.filter((d) => d.code?.endsWith('/internal')).map((d) => d.message);

const field = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('-1', 'tcp', 'icmp', '58', 'all', 22, -1, 65535, '0.0.0.0/0', '::/0', 'sg-1', 'pl-1', 'x/99'));

describe('the AWS mappers never throw on odd input', () => {
  test('describe-security-groups / rules / NACL shapes with random field values', () => {
    fc.assert(
      fc.property(field, field, field, field, field, field, (proto, from, to, cidr, grp, num) => {
        const perm = { IpProtocol: proto, FromPort: from, ToPort: to, IpRanges: [{ CidrIp: cidr }], Ipv6Ranges: [{ CidrIpv6: cidr }], UserIdGroupPairs: [{ GroupId: grp }], PrefixListIds: cidr };
        const text = JSON.stringify({
          SecurityGroups: [{ GroupId: grp, IpPermissions: [perm, cidr], IpPermissionsEgress: perm }],
          SecurityGroupRules: [{ GroupId: grp, IsEgress: num, IpProtocol: proto, FromPort: from, ToPort: to, CidrIpv4: cidr }],
          NetworkAcls: [{ NetworkAclId: grp, Entries: [{ RuleNumber: num, Protocol: proto, RuleAction: cidr, Egress: num, CidrBlock: cidr, PortRange: { From: from, To: to } }, num] }],
        });
        const d = parseAwsJson(text);
        for (const x of d.diagnostics) expect(x.span.start.line).toBeGreaterThanOrEqual(1);
        expect(internal(d.diagnostics)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('CloudFormation with random property values and intrinsics', () => {
    const intrinsic = fc.oneof(field, fc.constantFrom({ Ref: 'P' }, { Ref: 'G' }, { 'Fn::If': ['C', '0.0.0.0/0', { Ref: 'AWS::NoValue' }] }, { 'Fn::Sub': '${P}' }, { 'Fn::GetAtt': ['G', 'GroupId'] }, { 'Fn::FindInMap': ['M', 'a', 'b'] }, { 'Fn::Select': [5, []] }, { 'Fn::Join': [',', { Ref: 'P' }] }));
    fc.assert(
      fc.property(intrinsic, intrinsic, intrinsic, intrinsic, (a, b, c, d) => {
        const tpl = {
          Parameters: { P: { Type: 'String', Default: a } },
          Mappings: { M: { a: { b: b } } },
          Resources: {
            G: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ IpProtocol: a, FromPort: b, ToPort: c, CidrIp: d, SourceSecurityGroupId: c }, d], SecurityGroupEgress: b } },
            I: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: a, IpProtocol: b, CidrIpv6: c } },
            E: { Type: 'AWS::EC2::NetworkAclEntry', Properties: { NetworkAclId: d, Protocol: a, RuleNumber: b, RuleAction: c, CidrBlock: d, Icmp: a, PortRange: b } },
            X: { Type: 'AWS::EC2::Instance', Properties: { SubnetId: a, SecurityGroupIds: b } },
          },
        };
        expect(internal(parseAwsJson(JSON.stringify(tpl)).diagnostics)).toEqual([]);
        expect(internal(parseCloudFormationYaml(JSON.stringify(tpl)).diagnostics)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test('Terraform: mutated fixture never throws', () => {
    const sample = fixture('dynamic-count.tf');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(sample.length), fc.nat(6), fc.string({ maxLength: 6 })), { maxLength: 5 }), (edits) => {
        let s = sample;
        for (const [pos, del, ins] of edits) s = s.slice(0, pos) + ins + s.slice(pos + del);
        const d = parseTerraform(s);
        for (const x of d.diagnostics) expect(x.span.start.column).toBeGreaterThanOrEqual(1);
        expect(internal(d.diagnostics)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('soundness through the engine', () => {
  test('a CIDR from a parameter without default makes Transfer CFT possibly open, not closed', () => {
    const doc = parseCloudFormationYaml(fixture('cloudformation-param-no-default.yaml'));
    const entries = exposedPorts(computeExposure(doc.rulesets[0]!), 6, numRange(1761, 1768));
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.certainty === 'possibly-open')).toBe(true);
  });
  test('a rule of a resource with an unknown count is possibly open', () => {
    const doc = parseTerraform('resource "aws_security_group" "a" {\n  count = var.n\n  ingress {\n    from_port = 1761\n    to_port = 1768\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n');
    const entries = exposedPorts(computeExposure(doc.rulesets[0]!), 6, numRange(1761, 1768));
    expect(entries.map((e) => [e.family, e.certainty])).toEqual([['ipv4', 'possibly-open']]);
  });
});
