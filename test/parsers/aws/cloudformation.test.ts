import { describe, expect, test } from 'vitest';
import { cloudformationYamlFormat, parseAwsJson, parseCloudFormationYaml } from '../../../src/parsers/aws/index.js';
import { detectFormat } from '../../../src/parsers/registry.js';
import '../../../src/parsers/formats.js';
import { AddrSet, formatPorts, numRange, type OpaqueMatch } from '../../../src/model/index.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { findShadowedRules } from '../../../src/analysis/shadow.js';
import { at, fixture, matchesOf, names, rows } from './helpers.js';

describe('CloudFormation YAML: parameter without default, Fn::If, standalone ingress', () => {
  const doc = parseCloudFormationYaml(fixture('cloudformation-param-no-default.yaml'));

  test('rulesets per group, standalone SecurityGroupIngress attached by !GetAtt', () => {
    expect(doc.format).toBe('cloudformation-yaml');
    expect(doc.diagnostics.map((x) => [x.code, x.message, at(x.span)])).toEqual([
      ['aws/unresolved', 'Cannot evaluate !Ref AllowedCidr: the address is not known statically; it is treated as unknown', '22:24-22:35'],
      ['aws/unresolved', 'Cannot evaluate !If Public: condition Public is decided at deployment; it is treated as unknown', '29:23-29:54'],
    ]);
    expect(names(doc)).toEqual(['CftSecurityGroup', 'LoadBalancerGroup']);
    expect(doc.rulesets[0]!.targets).toEqual(['CftSecurityGroup', 'cft']);
  });

  test('exact spans; a CIDR resolved from a parameter default is reported at its !Ref in the rule; decided rules listed first', () => {
    expect(rows(doc.rulesets[0]!)).toEqual([
      ['security-group/ingress', 'accept', 'ingress tcp 22 from 10.1.0.0/16', '23:11-26:33', '26:24-26:33'],
      ['security-group/ingress', 'accept', 'ingress tcp 443 from LoadBalancerGroup', '31:5-37:52', '35:17-35:20'],
      ['security-group/ingress', 'accept', 'ingress tcp 1761-1768 from !Ref AllowedCidr', '19:11-22:35', '22:24-22:35'],
      ['security-group/egress', 'accept', 'egress all to 0.0.0.0/0', '28:11-29:54', '29:32-29:41'],
      ['security-group/egress', 'accept', 'egress all to 10.0.0.0/8', '28:11-29:54', '29:43-29:53'],
    ]);
  });

  test('!Ref to a parameter without default is an opaque match naming it (unknown, never a pass)', () => {
    const r = doc.rulesets[0]!.tables[0]!.chains[0]!.rules[2]!;
    const op = r.matches.find((m) => m.kind === 'opaque') as OpaqueMatch;
    expect(op).toMatchObject({ kind: 'opaque', module: 'unresolved', text: '!Ref AllowedCidr' });
    expect(at(op.span)).toBe('22:24-22:35');
  });

  test('Fn::If: both branches, each conditioned by an opaque match', () => {
    expect(matchesOf(doc.rulesets[0]!, 'egress')).toEqual(['dstaddr=0.0.0.0/0 opaque:unresolved', 'dstaddr=10.0.0.0/8 opaque:unresolved']);
    const texts = doc.rulesets[0]!.tables[0]!.chains[1]!.rules.map((r) => (r.matches.find((m) => m.kind === 'opaque') as OpaqueMatch).text);
    expect(texts).toEqual(['!If Public (true branch)', '!If Public (false branch)']);
  });

  test('a group without egress rules gets the AWS default allow-all egress (IPv4)', () => {
    expect(matchesOf(doc.rulesets[1]!, 'egress')).toEqual(['dstaddr=0.0.0.0/0']);
    expect(rows(doc.rulesets[1]!)[1]).toEqual(['security-group/egress', 'accept', 'egress all to 0.0.0.0/0 (default rule of a new security group)', '39:5-46:25', '-']);
  });

  test('parameter overrides (options.variables) resolve the unknown', () => {
    const d = parseCloudFormationYaml(fixture('cloudformation-param-no-default.yaml'), { variables: { AllowedCidr: '0.0.0.0/0' } });
    expect(matchesOf(d.rulesets[0]!, 'ingress')[0]).toBe('proto=6 dstport=1761-1768 srcaddr=0.0.0.0/0');
  });

  test('comments are returned', () => {
    const d = parseCloudFormationYaml('# top\nResources: # r\n  X:\n    Type: "AWS::EC2::SecurityGroup" # not "# this"\n');
    expect(d.comments.map((c) => [c.value, at(c.span)])).toEqual([
      [' top', '1:1-1:6'],
      [' r', '2:12-2:15'],
      [' not "# this"', '4:37-4:51'],
    ]);
  });
});

describe('CloudFormation intrinsics', () => {
  const yaml = [
    'Parameters:',
    '  Ports:',
    '    Type: CommaDelimitedList',
    '    Default: "10.0.0.0/8,192.168.0.0/16"',
    'Mappings:',
    '  Env:',
    '    prod:',
    '      Cidr: 0.0.0.0/0',
    'Conditions:',
    '  C: !Equals [!Ref AWS::Region, eu-west-1]',
    'Resources:',
    '  G:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Condition: C',
    '    Properties:',
    '      GroupDescription: g',
    '      SecurityGroupIngress:',
    '        - IpProtocol: tcp',
    '          FromPort: 1761',
    '          ToPort: 1761',
    '          CidrIp: !FindInMap [Env, prod, Cidr]',
    '        - IpProtocol: tcp',
    '          FromPort: 1762',
    '          ToPort: 1762',
    '          CidrIp: !Select [1, !Ref Ports]',
    '        - IpProtocol: tcp',
    '          FromPort: 1763',
    '          ToPort: 1763',
    '          CidrIp: !Sub "${Net}.0.0/16"',
    '        - IpProtocol: tcp',
    '          FromPort: 1764',
    '          ToPort: 1764',
    '          CidrIp: !ImportValue shared-cidr',
    '        - !If [C, {IpProtocol: udp, FromPort: 1765, ToPort: 1765, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]',
    '      SecurityGroupEgress: []',
    '',
  ].join('\n');
  const doc = parseCloudFormationYaml(yaml);
  test('FindInMap, Select over a list parameter, unresolvable Sub/ImportValue, Fn::If with AWS::NoValue, resource Condition', () => {
    expect(doc.rulesets.length).toBe(1);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual([
      'proto=6 dstport=1761 srcaddr=0.0.0.0/0 opaque:unresolved',
      'proto=6 dstport=1762 srcaddr=192.168.0.0/16 opaque:unresolved',
      'proto=6 dstport=1763 opaque:unresolved family=ipv4 opaque:unresolved',
      'proto=6 dstport=1764 opaque:unresolved family=ipv4 opaque:unresolved',
      'proto=17 dstport=1765 srcaddr=0.0.0.0/0 opaque:unresolved opaque:unresolved',
    ]);
    const texts = doc.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.matches.filter((m) => m.kind === 'opaque').map((m) => (m as OpaqueMatch).text));
    expect(texts).toEqual([
      ['Condition: C'],
      ['Condition: C'],
      ['!Sub ${Net}.0.0/16', 'Condition: C'],
      ['!ImportValue shared-cidr', 'Condition: C'],
      ['Condition: C', '!If C (true branch)'],
    ]);
    expect(matchesOf(doc.rulesets[0]!, 'egress')).toEqual([]);
  });

  test('conditions the template decides (parameter defaults, overrides) pick their branch; others keep both', () => {
    const tpl = [
      'Parameters:',
      '  Env:',
      '    Type: String',
      '    Default: prod',
      '  Legacy:',
      '    Type: String',
      'Conditions:',
      '  IsProd: !Equals [!Ref Env, prod]',
      '  IsDev: !Not [!Condition IsProd]',
      '  ProdAndLegacy: !And [!Condition IsProd, !Equals [!Ref Legacy, "yes"]]',
      '  DevAndLegacy: !And [!Condition IsDev, !Equals [!Ref Legacy, "yes"]]',
      'Resources:',
      '  G:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: g',
      '      SecurityGroupIngress:',
      '        - IpProtocol: tcp',
      '          FromPort: 1768',
      '          ToPort: 1768',
      '          CidrIp: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]',
      '        - !If [ProdAndLegacy, {IpProtocol: tcp, FromPort: 1761, ToPort: 1761, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]',
      '  DevOnly:',
      '    Type: AWS::EC2::SecurityGroupIngress',
      '    Condition: IsDev',
      '    Properties: {GroupId: !Ref G, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}',
      '  Never:',
      '    Type: AWS::EC2::SecurityGroupIngress',
      '    Condition: DevAndLegacy',
      '    Properties: {GroupId: !Ref G, IpProtocol: tcp, FromPort: 23, ToPort: 23, CidrIp: 0.0.0.0/0}',
      '',
    ].join('\n');
    const d = parseCloudFormationYaml(tpl);
    expect(d.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    // IsProd holds with the default: 10.0.0.0/8 alone, no undecided match; ProdAndLegacy depends on Legacy (no default):
    // both branches; IsDev is false: DevOnly is not created, and DevAndLegacy is false whatever Legacy is
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1768 srcaddr=10.0.0.0/8', 'proto=6 dstport=1761 srcaddr=0.0.0.0/0 opaque:unresolved']);
    // deployed with Env=dev: the other branch, and DevOnly exists
    const dev = parseCloudFormationYaml(tpl, { variables: { Env: 'dev' } });
    expect(matchesOf(dev.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1768 srcaddr=0.0.0.0/0', 'proto=6 dstport=22 srcaddr=0.0.0.0/0', 'proto=6 dstport=23 srcaddr=0.0.0.0/0 opaque:unresolved']);
  });

  test('an invalid SecurityGroupIngress is a diagnostic', () => {
    const d = parseCloudFormationYaml('Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress: hello22\n');
    expect(d.diagnostics.map((x) => [x.code, at(x.span)])).toEqual([['aws/cfn-invalid', '5:29-5:36']]);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual([]);
  });
});

describe('CloudFormation JSON and network ACLs', () => {
  const json = JSON.stringify(
    {
      Resources: {
        Acl: { Type: 'AWS::EC2::NetworkAcl', Properties: { VpcId: 'vpc-1' } },
        Deny: { Type: 'AWS::EC2::NetworkAclEntry', Properties: { NetworkAclId: { Ref: 'Acl' }, RuleNumber: 90, Protocol: 6, RuleAction: 'deny', Egress: false, CidrBlock: '203.0.113.0/24', PortRange: { From: 1761, To: 1768 } } },
        Allow: { Type: 'AWS::EC2::NetworkAclEntry', Properties: { NetworkAclId: { Ref: 'Acl' }, RuleNumber: 100, Protocol: 6, RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1761, To: 1768 } } },
        Out: { Type: 'AWS::EC2::NetworkAclEntry', Properties: { NetworkAclId: { Ref: 'Acl' }, RuleNumber: 100, Protocol: -1, RuleAction: 'allow', Egress: true, Ipv6CidrBlock: '::/0' } },
        Eg: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { GroupId: 'sg-0existing', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: 'pl-1' } },
      },
    },
    null,
    2,
  );
  const doc = parseAwsJson(json);
  test('NACL entries attached by !Ref, ordered by rule number; a standalone egress to a literal group id', () => {
    expect(names(doc)).toEqual(['sg-0existing', 'Acl']);
    expect(matchesOf(doc.rulesets[0]!, 'egress')).toEqual(['proto=6 dstport=443 dstprincipal=pl-1']);
    expect(rows(doc.rulesets[1]!).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['network-acl/ingress', 'drop', '90 deny ingress tcp 1761-1768 from 203.0.113.0/24'],
      ['network-acl/ingress', 'accept', '100 allow ingress tcp 1761-1768 from 0.0.0.0/0'],
      ['network-acl/egress', 'accept', '100 allow egress all to ::/0'],
    ]);
    expect(rows(doc.rulesets[1]!)[0]![3]).toBe('9:13-25:6');
  });
});

describe('detection', () => {
  test('cloudformation-yaml', () => {
    expect(cloudformationYamlFormat.detect('t.yaml', fixture('cloudformation-param-no-default.yaml'))).toBeGreaterThan(0);
    expect(cloudformationYamlFormat.detect('t.yml', 'Resources:\n  X:\n    Type: AWS::EC2::SecurityGroup\n')).toBeGreaterThan(0);
    expect(cloudformationYamlFormat.detect('config.yaml', 'name: x\nitems: [1, 2]\n')).toBe(0);
    expect(cloudformationYamlFormat.detect('notes.txt', 'Resources:\n  X:\n    Type: AWS::EC2::SecurityGroup\n')).toBeGreaterThan(0);
  });
});

describe('CloudFormation: a NACL and a security group tied by the subnet', () => {
  const yaml = [
    'Resources:',
    '  Sg:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupDescription: cft',
    '      SecurityGroupIngress:',
    '        - {IpProtocol: tcp, FromPort: 1761, ToPort: 1768, CidrIp: 0.0.0.0/0}',
    '  Server:',
    '    Type: AWS::EC2::Instance',
    '    Properties:',
    '      SubnetId: !Ref Dmz',
    '      SecurityGroupIds: [!GetAtt Sg.GroupId]',
    '  Dmz:',
    '    Type: AWS::EC2::Subnet',
    '  Acl:',
    '    Type: AWS::EC2::NetworkAcl',
    '  Assoc:',
    '    Type: AWS::EC2::SubnetNetworkAclAssociation',
    '    Properties: {SubnetId: !Ref Dmz, NetworkAclId: !Ref Acl}',
    '  In:',
    '    Type: AWS::EC2::NetworkAclEntry',
    '    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 1761, To: 1761}}',
    '',
  ].join('\n');
  test('the NACL is a second base chain of the group ruleset; the instance is a target', () => {
    const doc = parseCloudFormationYaml(yaml);
    expect(names(doc)).toEqual(['Sg', 'Acl']);
    const rs = doc.rulesets[0]!;
    expect(rs.targets).toEqual(['Sg', 'Server']);
    expect(rs.tables.map((t) => [t.name, t.chains.map((c) => `${c.name}:${c.priority}`).join(' ')])).toEqual([
      ['security-group', 'ingress:0 egress:0'],
      ['network-acl Acl', 'ingress:-10 egress:-10'],
    ]);
    // in front of a group, 0.0.0.0/0 is every IPv4 packet: the group's named sources have addresses too
    expect(matchesOf(rs, 'ingress', 'network-acl')).toEqual(['proto=6 dstport=1761 family=ipv4']);
    // on its own (the NACL's ruleset), the address match
    expect(matchesOf(doc.rulesets[1]!, 'ingress', 'network-acl')).toEqual(['proto=6 dstport=1761 srcaddr=0.0.0.0/0']);
  });
});

describe('detection of CloudFormation YAML without security resources', () => {
  test('a template header is enough; a bare Resources map needs an AWS::EC2 type', () => {
    expect(cloudformationYamlFormat.detect('t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n')).toBeGreaterThan(0);
    expect(cloudformationYamlFormat.detect('t.yaml', 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n')).toBe(0);
  });

  test('JSON alike: a template with its header is read (quiet), not "no firewall format recognises" when named', () => {
    const text = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucket"}}}\n';
    expect(detectFormat('t.json', text)?.id).toBe('aws');
    expect(parseAwsJson(text)).toMatchObject({ rulesets: [], diagnostics: [] });
    expect(detectFormat('t.json', '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}\n')).toBeUndefined();
  });
});

describe('CloudFormation: parameter with AllowedValues and no default', () => {
  test('one rule per allowed value, each conditioned by the choice', () => {
    const yaml = [
      'Parameters:',
      '  Cidr:',
      '    Type: String',
      '    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]',
      'Resources:',
      '  G:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: g',
      '      SecurityGroupIngress:',
      '        - {IpProtocol: tcp, FromPort: 1761, ToPort: 1768, CidrIp: !Ref Cidr}',
      '',
    ].join('\n');
    const rs = parseCloudFormationYaml(yaml).rulesets[0]!;
    expect(matchesOf(rs, 'ingress')).toEqual(['proto=6 dstport=1761-1768 srcaddr=10.0.0.0/8 opaque:unresolved', 'proto=6 dstport=1761-1768 srcaddr=0.0.0.0/0 opaque:unresolved']);
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => (r.matches.find((m) => m.kind === 'opaque') as OpaqueMatch).text)).toEqual(['!Ref Cidr = 10.0.0.0/8', '!Ref Cidr = 0.0.0.0/0']);
  });
});

describe('a security group is a union: what a decided rule opens is reported on it, not on an undecided rule listed earlier', () => {
  const yaml = [
    'Resources:',
    '  Sg:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupDescription: g',
    '      SecurityGroupIngress:',
    '        - IpProtocol: tcp',
    '          FromPort: 1761',
    '          ToPort: 1761',
    '          CidrIp: !Ref PartnerCidr',
    '        - IpProtocol: -1',
    '          CidrIp: 10.0.0.0/8',
  ].join('\n');
  test('TCP 1761 from 10.0.0.0/8 is open by the protocol -1 rule (line 12); the !Ref rule only possibly opens the rest', () => {
    const rs = parseCloudFormationYaml(yaml).rulesets[0]!;
    const v4 = exposedPorts(computeExposure(rs), 6, numRange(1761, 1761)).filter((e) => e.family === 'ipv4' && e.principals.length === 0);
    const ten = AddrSet.parse('10.0.0.0/8')!;
    const open = v4.filter((e) => e.certainty === 'open');
    expect(open.map((e) => [e.rule?.text, e.rule?.reportSpan?.start.line, e.sources.toString()])).toEqual([['ingress all from 10.0.0.0/8', 12, '10.0.0.0/8']]);
    expect(v4.filter((e) => e.certainty !== 'open').every((e) => e.rule?.reportSpan?.start.line === 10 && e.sources.intersect(ten).isEmpty)).toBe(true);
  });
});

describe('CloudFormation: alternatives of the protocol and ports; the CIDR of a VPC of the template', () => {
  const yaml = [
    'Parameters:',
    '  Port:',
    '    Type: Number',
    '    AllowedValues: [1761, 1768]',
    'Conditions:',
    '  IsProd: !Equals [!Ref AWS::Region, eu-west-1]',
    'Resources:',
    '  Vpc:',
    '    Type: AWS::EC2::VPC',
    '    Properties:',
    '      CidrBlock: 10.0.0.0/16',
    '  Sg:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupDescription: g',
    '      SecurityGroupIngress:',
    '        - IpProtocol: !If [IsProd, tcp, udp]',
    '          FromPort: 1763',
    '          ToPort: 1763',
    '          CidrIp: 0.0.0.0/0',
    '        - IpProtocol: tcp',
    '          FromPort: !If [IsProd, 22, 1765]',
    '          ToPort: !If [IsProd, 22, 1766]',
    '          CidrIp: !GetAtt Vpc.CidrBlock',
    '        - IpProtocol: tcp',
    '          FromPort: !Ref Port',
    '          ToPort: !Ref Port',
    '          CidrIp: !GetAtt [Vpc, CidrBlockAssociations]',
  ].join('\n');
  const doc = parseCloudFormationYaml(yaml);
  test('IpProtocol: !If gives one rule per branch with its ports; FromPort/ToPort under one condition take the same branch; a parameter without default gives one rule per AllowedValue', () => {
    expect(doc.diagnostics.map((x) => [x.code, x.message, at(x.span)])).toEqual([
      ['aws/unresolved', 'Cannot evaluate !If IsProd: condition IsProd is decided at deployment; it is treated as unknown', '17:27-17:45'],
      ['aws/unresolved', 'Cannot evaluate !If IsProd: condition IsProd is decided at deployment; it is treated as unknown', '22:25-22:43'],
      ['aws/unresolved', 'Cannot evaluate !If IsProd: condition IsProd is decided at deployment; it is treated as unknown', '23:23-23:41'],
      ['aws/unresolved', 'Cannot evaluate !Ref Port: parameter Port is chosen at deployment among its AllowedValues; it is treated as unknown', '26:26-26:30'],
      ['aws/unresolved', 'Cannot evaluate !Ref Port: parameter Port is chosen at deployment among its AllowedValues; it is treated as unknown', '27:24-27:28'],
      ['aws/unresolved', 'Cannot evaluate !GetAtt Vpc.CidrBlockAssociations: the address is not known statically; it is treated as unknown', '28:27-28:55'],
    ]);
    expect(matchesOf(doc.rulesets.find((r) => r.name === 'Sg')!, 'ingress')).toEqual([
      'proto=6 dstport=1763 srcaddr=0.0.0.0/0 opaque:unresolved',
      'proto=17 dstport=1763 srcaddr=0.0.0.0/0 opaque:unresolved',
      'proto=6 dstport=22 srcaddr=10.0.0.0/16 opaque:unresolved',
      'proto=6 dstport=1765-1766 srcaddr=10.0.0.0/16 opaque:unresolved',
      'proto=6 dstport=1761 opaque:unresolved family=ipv4 opaque:unresolved',
      'proto=6 dstport=1768 opaque:unresolved family=ipv4 opaque:unresolved',
    ]);
    const texts = doc.rulesets.find((r) => r.name === 'Sg')!.tables[0]!.chains[0]!.rules.map((r) => r.matches.filter((m) => m.kind === 'opaque').map((m) => (m as OpaqueMatch).text).join(' & '));
    expect(texts).toEqual([
      '!If IsProd (true branch)',
      '!If IsProd (false branch)',
      '!If IsProd (true branch)',
      '!If IsProd (false branch)',
      '!GetAtt Vpc.CidrBlockAssociations & !Ref Port = 1761',
      '!GetAtt Vpc.CidrBlockAssociations & !Ref Port = 1768',
    ]);
  });
  test('!GetAtt Vpc.CidrBlock is the VPC\'s CidrBlock, reported where it is used', () => {
    const r = doc.rulesets.find((x) => x.name === 'Sg')!.tables[0]!.chains[0]!.rules[2]!;
    expect([r.text, at(r.reportSpan)]).toEqual(['ingress tcp 22 from 10.0.0.0/16', '24:27-24:40']);
  });
});

describe('a template longer than the 64 KB detection reads, its security group further on', () => {
  const buckets = Array.from({ length: 900 }, (_, i) => [`Bucket${i}`, { Type: 'AWS::S3::Bucket', Properties: { BucketName: `bucket-number-${i}` } }]);
  const sg = { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'late', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 1768, ToPort: 1768, CidrIp: '0.0.0.0/0' }] } };
  test('JSON (with or without its header) and YAML without a header are still recognised (they were skipped)', () => {
    const json = JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: Object.fromEntries([...buckets, ['ZSg', sg]]) }, null, 2);
    expect(json.length).toBeGreaterThan(65536);
    expect(detectFormat('template.json', json)?.id).toBe('aws');
    expect(detectFormat('template.json', JSON.stringify({ Resources: Object.fromEntries([...buckets, ['ZSg', sg]]) }, null, 2))?.id).toBe('aws');
    expect(names(parseAwsJson(json))).toEqual(['ZSg']);
    const yaml = ['Resources:', ...buckets.flatMap(([n]) => [`  ${n as string}:`, '    Type: AWS::S3::Bucket', '    Properties:', `      BucketName: a-rather-long-bucket-name-${n as string}`]), '  ZSg:', '    Type: AWS::EC2::SecurityGroup'].join('\n');
    expect(yaml.length).toBeGreaterThan(65536);
    expect(detectFormat('template.yaml', yaml)?.id).toBe('cloudformation-yaml');
  });
});

describe('CloudFormation: values read at deployment, Fn::Split', () => {
  const yaml = [
    'Parameters:',
    '  AdminCidr:',
    '    Type: AWS::SSM::Parameter::Value<String>',
    '    Default: /net/admin-cidr',
    'Resources:',
    '  Sg:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupDescription: g',
    '      SecurityGroupIngress:',
    '        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref AdminCidr }',
    "        - { IpProtocol: tcp, FromPort: 3306, ToPort: 3306, CidrIp: '{{resolve:ssm:/net/db-cidr}}' }",
    '        - { IpProtocol: tcp, FromPort: 6379, ToPort: 6379, CidrIp: !Select [1, !Split [",", "10.0.0.0/8,0.0.0.0/0"]] }',
    '',
  ].join('\n');

  test('an SSM parameter type and a dynamic reference are unknown, named (their text is a parameter name, not a CIDR); Fn::Split of a literal is split', () => {
    const doc = parseCloudFormationYaml(yaml);
    expect(doc.diagnostics.map((x) => [x.message, at(x.span)])).toEqual([
      ['Cannot evaluate !Ref AdminCidr (SSM parameter /net/admin-cidr): the address is not known statically; it is treated as unknown', '11:69-11:78'],
      ['Cannot evaluate {{resolve:ssm:/net/db-cidr}}: the address is not known statically; it is treated as unknown', '12:68-12:98'],
    ]);
    expect(rows(doc.rulesets[0]!).filter((r) => r[0] === 'security-group/ingress').map((r) => r[2])).toEqual([
      'ingress tcp 6379 from 0.0.0.0/0',
      'ingress tcp 22 from !Ref AdminCidr (SSM parameter /net/admin-cidr)',
      'ingress tcp 3306 from {{resolve:ssm:/net/db-cidr}}',
    ]);
  });
});

describe('CloudFormation Fn::Cidr', () => {
  test('!Select over !Cidr of the VPC block gives the subnet (cidrBits are host bits); an impossible split stays unknown', () => {
    const yaml = [
      'Resources:',
      '  Vpc:',
      '    Type: AWS::EC2::VPC',
      '    Properties: { CidrBlock: 10.0.0.0/16 }',
      '  Sg:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: g',
      '      SecurityGroupIngress:',
      '        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Select [2, !Cidr [!GetAtt Vpc.CidrBlock, 6, 8]] }',
      '        - { IpProtocol: tcp, FromPort: 23, ToPort: 23, CidrIp: !Select [0, !Cidr [10.0.0.0/24, 2, 9]] }',
      '',
    ].join('\n');
    const doc = parseCloudFormationYaml(yaml);
    expect(rows(doc.rulesets[0]!).filter((r) => r[0] === 'security-group/ingress').map((r) => r[2])).toEqual([
      'ingress tcp 22 from 10.0.2.0/24',
      'ingress tcp 23 from !Select [0,{"Fn::Cidr":["10.0.0.0/24",2,9]}]',
    ]);
  });
});

describe('CloudFormation YAML with several documents', () => {
  test('every document is read as a template of its own (the groups after the first `---` were silently dropped)', () => {
    const text = [
      '---',
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Parameters:',
      '  Cidr: {Type: String, Default: 10.0.0.0/8}',
      'Resources:',
      '  A:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: a',
      '      SecurityGroupIngress:',
      '        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr}',
      '---',
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  B:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: b',
      '      SecurityGroupIngress:',
      '        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: !Ref Cidr}',
      '',
    ].join('\n');
    const doc = parseCloudFormationYaml(text);
    expect(names(doc)).toEqual(['A', 'B']);
    expect(rows(doc.rulesets[0]!)[0]).toEqual(['security-group/ingress', 'accept', 'ingress tcp 22 from 10.0.0.0/8', '11:11-11:73', '11:68-11:72']);
    // (each template has its own parameters: Cidr is not defined in the second)
    expect(rows(doc.rulesets[1]!)[0]).toEqual(['security-group/ingress', 'accept', 'ingress tcp 1768 from !Ref Cidr', '20:11-20:77', '20:72-20:76']);
    expect(doc.diagnostics.map((d) => [d.code, at(d.span)])).toEqual([['aws/unresolved', '20:72-20:76']]);
  });
});

describe('CloudFormation Fn::ForEach: a template whose groups are all made by a loop', () => {
  test('is read as CloudFormation (it gave nothing: no top-level resource had an AWS::EC2 type)', () => {
    const text = [
      'Transform: AWS::LanguageExtensions',
      'Resources:',
      '  Fn::ForEach::Groups:',
      '    - Name',
      '    - [Mft, Relay]',
      '    - ${Name}Sg:',
      '        Type: AWS::EC2::SecurityGroup',
      '        Properties: {GroupDescription: g, SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: 0.0.0.0/0}]}',
      '',
    ].join('\n');
    expect(names(parseCloudFormationYaml(text))).toEqual(['MftSg', 'RelaySg']);
  });
});

describe('CloudFormation Fn::ForEach (AWS::LanguageExtensions) in Resources', () => {
  const text = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Transform: AWS::LanguageExtensions',
    'Parameters:',
    '  CftPorts: {Type: CommaDelimitedList, Default: "1761,1768"}',
    '  Later: {Type: CommaDelimitedList}',
    'Resources:',
    '  Sg:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties: {GroupDescription: loop}',
    '  Fn::ForEach::Cft:',
    '    - Port',
    '    - !Ref CftPorts',
    '    - Ingress${Port}:',
    '        Type: AWS::EC2::SecurityGroupIngress',
    '        Properties: {GroupId: !Ref Sg, IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.0/0}',
    '  Fn::ForEach::Outer:',
    '    - Cidr',
    '    - [10.0.0.0/8, 192.0.2.0/24]',
    '    - Fn::ForEach::Inner:',
    '        - P',
    '        - !Ref Later',
    '        - R&{Cidr}${P}:',
    '            Type: AWS::EC2::SecurityGroupIngress',
    '            Properties: {GroupId: !Ref Sg, IpProtocol: udp, FromPort: !Ref P, ToPort: !Ref P, CidrIp: "${Cidr}"}',
    '',
  ].join('\n');
  test('one resource per value, the identifier replaced; a collection known only at deployment gives one copy with the identifier unknown (they were skipped)', () => {
    const doc = parseCloudFormationYaml(text);
    expect(names(doc)).toEqual(['Sg']);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual([
      'proto=6 dstport=1761 srcaddr=0.0.0.0/0',
      'proto=6 dstport=1768 srcaddr=0.0.0.0/0',
      'proto=17 opaque:unresolved srcaddr=10.0.0.0/8',
      'proto=17 opaque:unresolved srcaddr=192.0.2.0/24',
    ]);
    expect(rows(doc.rulesets[0]!)[2]![2]).toBe('ingress udp P (each of !Ref Later) from 10.0.0.0/8');
    expect(rows(doc.rulesets[0]!).slice(0, 4).map((r) => r[3])).toEqual(['14:9-15:115', '14:9-15:115', '23:13-24:113', '23:13-24:113']);
  });
});

describe('CloudFormation Fn::ForEach in a JSON template', () => {
  test('`"FromPort": "${Port}"` is replaced in place (the copy lost its place: a fatal "AWS mapping failed")', () => {
    const text = [
      '{',
      '  "Transform": "AWS::LanguageExtensions",',
      '  "Resources": {',
      '    "Fn::ForEach::Ports": ["Port", ["1761", "1768"], {',
      '      "Rule${Port}": {',
      '        "Type": "AWS::EC2::SecurityGroupIngress",',
      '        "Properties": {"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": "${Port}", "ToPort": "${Port}", "CidrIp": "0.0.0.0/0"}',
      '      }',
      '    }]',
      '  }',
      '}',
    ].join('\n');
    const doc = parseAwsJson(text);
    expect(doc.diagnostics).toEqual([]);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1761 srcaddr=0.0.0.0/0', 'proto=6 dstport=1768 srcaddr=0.0.0.0/0']);
    expect(rows(doc.rulesets[0]!).map((r) => r[3])).toEqual(['5:22-8:8', '5:22-8:8']);
  });
});

describe('CloudFormation: a prefix list of the template', () => {
  test('SourcePrefixListId: !Ref / !GetAtt of an AWS::EC2::PrefixList is its entries (it was an opaque name: 0.0.0.0/0 in it was not the world)', () => {
    const text = [
      'Resources:',
      '  Partners:',
      '    Type: AWS::EC2::PrefixList',
      '    Properties:',
      '      AddressFamily: IPv4',
      '      MaxEntries: 5',
      '      Entries: [{Cidr: 203.0.113.0/24}, {Cidr: 0.0.0.0/0}]',
      '  Later:',
      '    Type: AWS::EC2::PrefixList',
      '    Properties: {AddressFamily: IPv4, MaxEntries: 5, Entries: [{Cidr: !ImportValue x}]}',
      '  Sg:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: pl',
      '      SecurityGroupIngress:',
      '        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourcePrefixListId: !Ref Partners}',
      '        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, SourcePrefixListId: !GetAtt Partners.PrefixListId}',
      '        - {IpProtocol: tcp, FromPort: 1761, ToPort: 1761, SourcePrefixListId: !Ref Later}',
      '',
    ].join('\n');
    const rs = parseCloudFormationYaml(text).rulesets[0]!;
    expect(matchesOf(rs, 'ingress')).toEqual(['proto=6 dstport=22 srcaddr=0.0.0.0/0', 'proto=6 dstport=1768 srcaddr=0.0.0.0/0', 'proto=6 dstport=1761 srcprincipal=!Ref Later']);
    expect(rows(rs).slice(0, 2).map((r) => [r[2], r[4]])).toEqual([
      ['ingress tcp 22 from Partners (0.0.0.0/0)', '16:80-16:88'],
      ['ingress tcp 1768 from Partners (0.0.0.0/0)', '17:87-17:108'],
    ]);
  });
});

describe('CloudFormation Fn::FindInMap with DefaultValue (AWS::LanguageExtensions)', () => {
  test('a key the mapping does not have gives the DefaultValue (it was unknown); a key it has gives its value', () => {
    const text = [
      'Transform: AWS::LanguageExtensions',
      'Parameters: {Env: {Type: String, Default: staging}}',
      'Mappings: {Cidrs: {prod: {Admin: 10.0.0.0/8}, staging: {Other: 192.0.2.0/24}}}',
      'Resources:',
      '  Sg:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: d',
      '      SecurityGroupIngress:',
      '        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: !FindInMap [Cidrs, !Ref Env, Admin, {DefaultValue: 0.0.0.0/0}]}',
      '        - {IpProtocol: tcp, FromPort: 1761, ToPort: 1761, CidrIp: !FindInMap [Cidrs, prod, Admin, {DefaultValue: 0.0.0.0/0}]}',
      '',
    ].join('\n');
    const doc = parseCloudFormationYaml(text);
    expect(doc.diagnostics).toEqual([]);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1768 srcaddr=0.0.0.0/0', 'proto=6 dstport=1761 srcaddr=10.0.0.0/8']);
  });
});

describe('CloudFormation NACL entries whose rule number or action the template does not decide', () => {
  test('a deny of unknown number is evaluated last (sound) but not reported as never reached; an unknown action names its expression', () => {
    const text = [
      'Parameters: {N: {Type: Number}, Action: {Type: String}}',
      'Resources:',
      '  Acl: {Type: AWS::EC2::NetworkAcl, Properties: {VpcId: vpc-1}}',
      '  Deny:',
      '    Type: AWS::EC2::NetworkAclEntry',
      '    Properties: {NetworkAclId: !Ref Acl, RuleNumber: !Ref N, Protocol: 6, RuleAction: deny, CidrBlock: 0.0.0.0/0, PortRange: {From: 1768, To: 1768}}',
      '  Allow:',
      '    Type: AWS::EC2::NetworkAclEntry',
      '    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 200, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 1761, To: 1768}}',
      '  Maybe:',
      '    Type: AWS::EC2::NetworkAclEntry',
      '    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 300, Protocol: 17, RuleAction: !Ref Action, CidrBlock: 0.0.0.0/0, PortRange: {From: 1761, To: 1761}}',
      '',
    ].join('\n');
    const rs = parseCloudFormationYaml(text).rulesets[0]!;
    expect(rows(rs).map((r) => r[2])).toEqual(['200 allow ingress tcp 1761-1768 from 0.0.0.0/0', '300 ? ingress udp 1761 from 0.0.0.0/0', '? deny ingress tcp 1768 from 0.0.0.0/0']);
    const rules = rs.tables[0]!.chains[0]!.rules;
    expect(rules[1]!.action).toEqual({ kind: 'unknown', target: '!Ref Action', text: '!Ref Action' });
    expect(rules.map((r) => r.builtIn === true)).toEqual([false, false, true]);
    expect(findShadowedRules(rs).map((f) => f.rule.text)).toEqual(['? deny ingress tcp 1768 from 0.0.0.0/0']);
  });
});

describe('CloudFormation YAML anchors and aliases', () => {
  test('a rule copied by an alias is placed at the alias, not at the anchor (its findings named the other group\'s line)', () => {
    const text = [
      'Resources:',
      '  A:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: a',
      '      SecurityGroupIngress: &rules',
      '        - {IpProtocol: udp, FromPort: 1761, ToPort: 1761, CidrIp: 0.0.0.0/0}',
      '  B:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: b',
      '      SecurityGroupIngress: *rules',
      '',
    ].join('\n');
    const doc = parseCloudFormationYaml(text);
    expect(rows(doc.rulesets[0]!)[0]).toEqual(['security-group/ingress', 'accept', 'ingress udp 1761 from 0.0.0.0/0', '7:11-7:77', '7:67-7:76']);
    expect(rows(doc.rulesets[1]!)[0]).toEqual(['security-group/ingress', 'accept', 'ingress udp 1761 from 0.0.0.0/0', '12:29-12:35', '12:29-12:35']);
  });
});

describe('CloudFormation Fn::FindInMap keyed by a value known at deployment', () => {
  test('!FindInMap [RegionMap, !Ref AWS::Region, …] gives one conditioned rule per key of the mapping (it was an unknown address, possibly open from anywhere)', () => {
    const text = [
      'Parameters: {Env: {Type: String, AllowedValues: [dev, prod]}}',
      'Mappings:',
      '  RegionMap: {us-east-1: {Admin: 192.0.2.0/24}, eu-west-1: {Admin: 198.51.100.0/25}, ap-south-1: {Other: 0.0.0.0/0}}',
      '  EnvMap: {dev: {Port: 1761}, prod: {Port: 1768}, test: {Port: 22}}',
      'Resources:',
      '  Sg:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: m',
      '      SecurityGroupIngress:',
      '        - IpProtocol: tcp',
      '          FromPort: !FindInMap [EnvMap, !Ref Env, Port]',
      '          ToPort: !FindInMap [EnvMap, !Ref Env, Port]',
      '          CidrIp: !FindInMap [RegionMap, !Ref "AWS::Region", Admin]',
      '',
    ].join('\n');
    const doc = parseCloudFormationYaml(text);
    const rs = doc.rulesets[0]!;
    // (FromPort and ToPort take the same key: two port choices, not four)
    expect(rows(rs).slice(0, 4).map((r) => [r[2], r[4]])).toEqual([
      ['ingress tcp 1761 from 192.0.2.0/24', '14:30-14:68'],
      ['ingress tcp 1761 from 198.51.100.0/25', '14:30-14:68'],
      ['ingress tcp 1768 from 192.0.2.0/24', '14:30-14:68'],
      ['ingress tcp 1768 from 198.51.100.0/25', '14:30-14:68'],
    ]);
    expect(matchesOf(rs, 'ingress')[0]).toBe('proto=6 dstport=1761 srcaddr=192.0.2.0/24 opaque:unresolved opaque:unresolved');
    const open = exposedPorts(computeExposure(rs), 6, numRange(0, 65535));
    expect(open.map((e) => [e.dports.bounds.join('-'), e.sources.toString(), e.certainty])).toEqual([
      ['1761-1762', '192.0.2.0/24', 'possibly-open'],
      ['1761-1762', '198.51.100.0/25', 'possibly-open'],
      ['1768-1769', '192.0.2.0/24', 'possibly-open'],
      ['1768-1769', '198.51.100.0/25', 'possibly-open'],
    ]);
  });
});

describe('a CIDR of the other family in a one-family field', () => {
  test('CidrIp "::/0" and CidrIpv6 "0.0.0.0/0" are invalid (the template is refused), not an opening of that family', () => {
    const d = parseCloudFormationYaml(
      [
        'Resources:',
        '  Sg:',
        '    Type: AWS::EC2::SecurityGroup',
        '    Properties:',
        '      GroupDescription: x',
        '      SecurityGroupIngress:',
        '        - {IpProtocol: tcp, FromPort: 1768, ToPort: 1768, CidrIp: "::/0"}',
        '        - {IpProtocol: tcp, FromPort: 1767, ToPort: 1767, CidrIpv6: "0.0.0.0/0"}',
        '',
      ].join('\n'),
    );
    expect(d.diagnostics.map((x) => [x.code, x.message, at(x.span)])).toEqual([
      ['aws/invalid-cidr', '"::/0" is not an IPv4 CIDR block, which this field takes (AWS rejects it)', '7:67-7:73'],
      ['aws/invalid-cidr', '"0.0.0.0/0" is not an IPv6 CIDR block, which this field takes (AWS rejects it)', '8:69-8:80'],
    ]);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual([
      'proto=6 dstport=1768 opaque:unresolved family=ipv4',
      'proto=6 dstport=1767 opaque:unresolved family=ipv6',
    ]);
    // nothing of the other family is open: IPv6 1768 and IPv4 1767 stay closed, the rest only possibly open
    const e = computeExposure(d.rulesets[0]!).entries.map((x) => [x.family, formatPorts(x.dports), x.certainty]);
    expect(e).toEqual([
      ['ipv4', '1768', 'possibly-open'],
      ['ipv6', '1767', 'possibly-open'],
    ]);
  });
});

describe('an unknown port written as FromPort and ToPort of one parameter', () => {
  test('is named once (ports !Ref Port), not as a range of itself', () => {
    const d = parseCloudFormationYaml(
      [
        'Parameters:',
        '  Port:',
        '    Type: Number',
        'Resources:',
        '  Sg:',
        '    Type: AWS::EC2::SecurityGroup',
        '    Properties:',
        '      GroupDescription: x',
        '      SecurityGroupIngress:',
        '        - {IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.0/0}',
        '        - {IpProtocol: udp, FromPort: 1761, ToPort: !Ref Port, CidrIp: 0.0.0.0/0}',
        '',
      ].join('\n'),
    );
    expect(d.diagnostics.map((x) => x.message)).toEqual([
      'Cannot evaluate ports !Ref Port: the port range is not known statically; it is treated as unknown',
      'Cannot evaluate ports 1761-!Ref Port: the port range is not known statically; it is treated as unknown',
    ]);
  });

  test('a port written as a list is named as written, not left out (ports [22]-445, not ports -445)', () => {
    const d = parseCloudFormationYaml(
      ['Resources:', '  Sg:', '    Type: AWS::EC2::SecurityGroup', '    Properties:', '      GroupDescription: x', '      SecurityGroupIngress:', '        - {IpProtocol: tcp, FromPort: [22], ToPort: 445, CidrIp: 0.0.0.0/0}', ''].join('\n'),
    );
    expect(d.diagnostics.map((x) => [x.message, at(x.span)])).toEqual([['Cannot evaluate ports [22]-445: the port range is not known statically; it is treated as unknown', '7:39-7:43']]);
  });
});

describe('a standalone ingress naming its group through !Sub', () => {
  // !Sub '${SG}' is !Ref SG and !Sub '${SG.GroupId}' is !GetAtt SG.GroupId: the rules are the group's, not those of a
  // group named after the expression (a deployment declared on SG did not apply to them)
  test('joins the group of the template', () => {
    const d = parseCloudFormationYaml(
      [
        'Resources:',
        '  SG:',
        '    Type: AWS::EC2::SecurityGroup',
        '    Properties: {GroupDescription: x}',
        '  A:',
        '    Type: AWS::EC2::SecurityGroupIngress',
        '    Properties: {GroupId: !Sub "${SG}", IpProtocol: tcp, FromPort: 1761, ToPort: 1761, CidrIp: 0.0.0.0/0}',
        '  B:',
        '    Type: AWS::EC2::SecurityGroupIngress',
        '    Properties: {GroupId: !Sub "${SG.GroupId}", IpProtocol: tcp, FromPort: 1762, ToPort: 1762, SourceSecurityGroupId: !Sub "${SG}"}',
        '',
      ].join('\n'),
    );
    expect(d.rulesets.map((r) => r.name)).toEqual(['SG']);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1761 srcaddr=0.0.0.0/0', 'proto=6 dstport=1762 srcprincipal=SG']);
  });
});

describe('a network ACL in front of a group is in front of every use of the group the template shows', () => {
  // VM sits in a subnet whose NACL admits 10.0.0.0/8 only; the launch template puts SG on interfaces of subnets it does
  // not name (public, by AssociatePublicIpAddress). Read as behind the NACL, SSH from the world was open from
  // 10.0.0.0/8 only: closed where the template's instances take it.
  const template = (extra: string[]): string =>
    [
      'Resources:',
      '  Subnet:',
      '    Type: AWS::EC2::Subnet',
      '    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24}',
      '  Acl:',
      '    Type: AWS::EC2::NetworkAcl',
      '    Properties: {VpcId: vpc-1}',
      '  Assoc:',
      '    Type: AWS::EC2::SubnetNetworkAclAssociation',
      '    Properties: {SubnetId: !Ref Subnet, NetworkAclId: !Ref Acl}',
      '  AllowInternal:',
      '    Type: AWS::EC2::NetworkAclEntry',
      '    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 10.0.0.0/8, PortRange: {From: 0, To: 65535}}',
      '  SG:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: x',
      '      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]',
      '  VM:',
      '    Type: AWS::EC2::Instance',
      '    Properties: {ImageId: ami-1, SubnetId: !Ref Subnet, SecurityGroupIds: [!GetAtt SG.GroupId]}',
      ...extra,
      '',
    ].join('\n');
  const sources = (text: string): string[] => computeExposure(parseCloudFormationYaml(text).rulesets[0]!).entries.map((x) => `${formatPorts(x.dports)} ${x.sources.toString()} ${x.certainty}`);

  test('the instances of one subnet alone: the NACL filters the group', () => {
    expect(sources(template([]))).toEqual(['22 10.0.0.0/8 open']);
  });

  test('a launch template using the group too: the NACL is not in front of it', () => {
    const lt = ['  LT:', '    Type: AWS::EC2::LaunchTemplate', '    Properties:', '      LaunchTemplateData:', '        NetworkInterfaces: [{DeviceIndex: 0, AssociatePublicIpAddress: true, Groups: [!Ref SG]}]'];
    expect(sources(template(lt))).toEqual(['22 0.0.0.0/0 open']);
  });
});

describe('CloudFormation nested stacks and AWS::Include snippets fetched at deployment', () => {
  test('are reported as not evaluated (a local TemplateURL is a file of its own, linted alone)', () => {
    const doc = parseCloudFormationYaml(
      [
        'Resources:',
        '  Sg:',
        '    Type: AWS::EC2::SecurityGroup',
        '    Properties: {GroupDescription: x}',
        '  Local:',
        '    Type: AWS::CloudFormation::Stack',
        '    Properties: {TemplateURL: ./network.yaml}',
        '  Remote:',
        '    Type: AWS::CloudFormation::Stack',
        '    Properties:',
        '      TemplateURL: !Sub "https://${Bucket}.s3.amazonaws.com/sg.yaml"',
        '  App:',
        '    Type: AWS::Serverless::Application',
        '    Properties:',
        '      Location: {ApplicationId: "arn:aws:serverlessrepo:us-east-1:123:applications/x", SemanticVersion: 1.0.0}',
        "  'Fn::Transform':",
        "    Name: 'AWS::Include'",
        '    Parameters: {Location: !Sub "s3://${Bucket}/more-sgs.yaml"}',
        '',
      ].join('\n'),
    );
    expect(doc.diagnostics.map((d) => [d.severity, d.code, d.message, at(d.span)])).toEqual([
      ['warning', 'aws/nested-stack-not-evaluated', 'AWS::Include of !Sub s3://${Bucket}/more-sgs.yaml in Resources is not evaluated: firewall resources it adds are not checked here', '16:3-16:18'],
      ['warning', 'aws/nested-stack-not-evaluated', 'nested stack Remote (!Sub https://${Bucket}.s3.amazonaws.com/sg.yaml) is not evaluated: firewall resources its template creates are not checked here', '8:3-8:9'],
      ['warning', 'aws/nested-stack-not-evaluated', 'nested stack App (an application of the Serverless Application Repository) is not evaluated: firewall resources its template creates are not checked here', '12:3-12:6'],
    ]);
    expect(names(doc)).toEqual(['Sg']);
  });
});

describe('CloudFormation: a nested stack of a local template', () => {
  const network = [
    'Parameters:',
    '  Cidr: {Type: String, Default: 10.0.0.0/8}',
    '  Port: {Type: Number, Default: 22}',
    '  Admin: {Type: String}',
    'Resources:',
    '  InnerSg:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupDescription: inner',
    '      SecurityGroupIngress:',
    '        - {IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: !Ref Cidr}',
    '        - {IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: !Ref Admin}',
    '',
  ].join('\n');
  const read = (p: string, from: string | undefined) => (from === '/t/main.yaml' && p === './network.yaml' ? { path: '/t/network.yaml', text: network } : { error: `cannot read ${p}` });

  test('is read with the Parameters the stack passes (not the defaults), its groups placed at the stack', () => {
    const doc = parseCloudFormationYaml(
      [
        'Parameters:',
        '  Open: {Type: String, Default: 0.0.0.0/0}',
        '  Later: {Type: String}',
        'Resources:',
        '  Net:',
        '    Type: AWS::CloudFormation::Stack',
        '    Properties:',
        '      TemplateURL: ./network.yaml',
        '      Parameters: {Cidr: !Ref Open, Admin: !Ref Later}',
        '  Missing:',
        '    Type: AWS::CloudFormation::Stack',
        '    Properties: {TemplateURL: ./other.yaml}',
        '',
      ].join('\n'),
      { filePath: '/t/main.yaml', readInclude: read },
    );
    expect(doc.diagnostics.map((d) => [d.code, d.message, at(d.span)])).toEqual([
      ['aws/unresolved', 'Cannot evaluate !Ref Later: the address is not known statically; it is treated as unknown', '5:3-5:6'],
      ['aws/nested-stack-not-evaluated', 'nested stack Missing (./other.yaml) is not evaluated (cannot read ./other.yaml): firewall resources its template creates are not checked here', '10:3-10:10'],
    ]);
    expect(names(doc)).toEqual(['InnerSg']);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=22 srcaddr=0.0.0.0/0', 'proto=6 dstport=3389 opaque:unresolved family=ipv4']);
    expect(rows(doc.rulesets[0]!)[0]![3]).toBe('5:3-5:6');
  });
});

describe('CloudFormation: a TCP or UDP rule without its ports', () => {
  test('is every port, and said: AWS requires a port range for TCP and UDP (security group and network ACL entry)', () => {
    const doc = parseCloudFormationYaml(
      [
        'Resources:',
        '  Sg:',
        '    Type: AWS::EC2::SecurityGroup',
        '    Properties:',
        '      GroupDescription: x',
        '      SecurityGroupIngress:',
        '        - {IpProtocol: tcp, CidrIp: 192.0.2.0/24}',
        '  Acl:',
        '    Type: AWS::EC2::NetworkAcl',
        '  In:',
        '    Type: AWS::EC2::NetworkAclEntry',
        '    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: 17, RuleAction: allow, CidrBlock: 0.0.0.0/0}',
        '',
      ].join('\n'),
    );
    expect(doc.diagnostics.map((d) => [d.code, d.message, at(d.span)])).toEqual([
      ['aws/missing-ports', 'tcp without FromPort and ToPort: AWS requires a port range for TCP and UDP and refuses the rule; every port is assumed', '7:24-7:27'],
      ['aws/missing-ports', 'udp without a PortRange: AWS requires a port range for TCP and UDP and refuses the rule; every port is assumed', '12:69-12:71'],
    ]);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual(['proto=6 srcaddr=192.0.2.0/24']);
  });

  test('a network ACL deny without its PortRange closes nothing: the entry may not exist (it closed the allow of 22 behind it)', () => {
    // CreateNetworkAclEntry: "PortRange: TCP or UDP protocols: the range of ports the rule applies to. Required if
    // specifying protocol 6 (TCP) or 17 (UDP)" (the Terraform provider sends 0-0 for missing ports)
    const doc = parseAwsJson(
      JSON.stringify(
        {
          NetworkAcls: [
            {
              NetworkAclId: 'acl-1',
              Entries: [
                { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '6', RuleAction: 'deny', RuleNumber: 100 },
                { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '6', PortRange: { From: 22, To: 22 }, RuleAction: 'allow', RuleNumber: 200 },
              ],
            },
          ],
        },
        null,
        1,
      ),
    );
    expect(doc.diagnostics.map((d) => [d.code, d.message, at(d.span)])).toEqual([
      ['aws/missing-ports', 'tcp without a PortRange: AWS requires a port range for TCP and UDP and refuses the rule; the deny may not exist', '9:18-9:21'],
    ]);
    expect(matchesOf(doc.rulesets[0]!, 'ingress', 'network-acl')).toEqual(['proto=6 opaque:unresolved srcaddr=0.0.0.0/0', 'proto=6 dstport=22 srcaddr=0.0.0.0/0']);
    const v4 = exposedPorts(computeExposure(doc.rulesets[0]!), 6, numRange(22, 22)).filter((e) => e.family === 'ipv4');
    expect(v4.map((e) => [e.sources.toString(), e.certainty])).toEqual([['0.0.0.0/0', 'possibly-open']]);
  });
});

describe('CloudFormation: a standalone ingress naming its group by GroupName', () => {
  const text = [
    'Resources:',
    '  SG:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupName: my-sg',
    '      GroupDescription: x',
    '  Rdp:',
    '    Type: AWS::EC2::SecurityGroupIngress',
    '    Properties:',
    '      GroupName: my-sg',
    '      IpProtocol: tcp',
    '      FromPort: 3389',
    '      ToPort: 3389',
    '      CidrIp: 0.0.0.0/0',
    '  Other:',
    '    Type: AWS::EC2::SecurityGroupIngress',
    '    Properties:',
    '      GroupName: other-sg',
    '      IpProtocol: tcp',
    '      FromPort: 22',
    '      ToPort: 22',
    '      CidrIp: 0.0.0.0/0',
    '',
  ].join('\n');

  test("the template's group of that GroupName (default VPC) holds the rule: its exposure has the port open", () => {
    const doc = parseCloudFormationYaml(text);
    expect(names(doc)).toEqual(['SG', 'other-sg']);
    expect(rows(doc.rulesets[0]!).filter((r) => r[0] === 'security-group/ingress')).toEqual([
      ['security-group/ingress', 'accept', 'ingress tcp 3389 from 0.0.0.0/0', '8:5-14:24', '14:15-14:24'],
    ]);
    const open = exposedPorts(computeExposure(doc.rulesets[0]!), 6, numRange(0, 65535));
    expect(open.map((e) => [formatPorts(e.dports), e.sources.toString(), e.certainty])).toEqual([['3389', '0.0.0.0/0', 'open']]);
  });
});
