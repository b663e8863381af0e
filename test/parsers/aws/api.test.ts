import { describe, expect, test } from 'vitest';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { findShadowedRules } from '../../../src/analysis/shadow.js';
import { numRange } from '../../../src/model/index.js';
import { awsJsonFormat, cloudformationYamlFormat, parseAwsJson, parseCloudFormationYaml } from '../../../src/parsers/aws/index.js';
import { at, fixture, matchesOf, names, rows } from './helpers.js';

describe('describe-security-groups', () => {
  const text = fixture('describe-security-groups-cft.json');
  const doc = parseAwsJson(text, { filePath: 'describe-security-groups-cft.json' });

  test('one ruleset per group with id, name and Name tag as targets', () => {
    expect(doc.format).toBe('aws');
    expect(doc.diagnostics).toEqual([]);
    expect(names(doc)).toEqual(['sg-0cft (cft)']);
    const rs = doc.rulesets[0]!;
    expect(rs.targets).toEqual(['sg-0cft', 'cft', 'cft-server']);
    expect(rs.kind).toBe('cloud');
    expect(rs.families).toEqual(['ipv4', 'ipv6']);
    const t = rs.tables[0]!;
    expect([t.name, t.family]).toEqual(['security-group', 'cloud']);
    expect(t.chains.map((c) => [c.name, c.hook, c.priority, c.policy, c.policyImplicit])).toEqual([
      ['ingress', 'input', 0, 'drop', true],
      ['egress', 'output', 0, 'drop', true],
    ]);
  });

  test('one accept rule per source, exact spans; report span = CIDR, or the port for principals', () => {
    expect(rows(doc.rulesets[0]!)).toEqual([
      ['security-group/ingress', 'accept', 'ingress tcp 1761-1768 from 0.0.0.0/0', '7:17-24:18', '12:39-12:50'],
      ['security-group/ingress', 'accept', 'ingress tcp 1761-1768 from ::/0', '7:17-24:18', '18:41-18:47'],
      ['security-group/ingress', 'accept', 'ingress tcp 22 from pl-0admin', '25:17-42:18', '26:33-26:35'],
      ['security-group/ingress', 'accept', 'ingress tcp 22 from sg-0bastion', '25:17-42:18', '26:33-26:35'],
      ['security-group/ingress', 'accept', 'ingress proto 132 from 10.0.0.0/8', '43:17-53:18', '47:39-47:51'],
      ['security-group/egress', 'accept', 'egress all to 0.0.0.0/0', '58:17-68:18', '62:39-62:50'],
    ]);
  });

  test('semantics: ports, principals (prefix list not resolved = principal), protocol 132 opens only its own protocol', () => {
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual([
      'proto=6 dstport=1761-1768 srcaddr=0.0.0.0/0',
      'proto=6 dstport=1761-1768 srcaddr=::/0',
      'proto=6 dstport=22 srcprincipal=pl-0admin',
      'proto=6 dstport=22 srcprincipal=sg-0bastion',
      'proto=132 srcaddr=10.0.0.0/8',
    ]);
    expect(matchesOf(doc.rulesets[0]!, 'egress')).toEqual(['dstaddr=0.0.0.0/0']);
  });

  test('the engine sees Transfer CFT 1761-1768 open to the whole internet, both families', () => {
    const ex = computeExposure(doc.rulesets[0]!);
    const cft = exposedPorts(ex, 6, numRange(1761, 1768)).filter((e) => e.principals.length === 0);
    expect(cft.some((e) => e.family === 'ipv4' && e.certainty === 'open' && e.sources.coversAll('ipv4'))).toBe(true);
    expect(cft.some((e) => e.family === 'ipv6' && e.certainty === 'open' && e.sources.coversAll('ipv6'))).toBe(true);
    // SCTP from 10/8 does not open TCP.
    expect(exposedPorts(ex, 6, numRange(1, 21)).length).toBe(0);
  });

  test('per-range descriptions become rule comments', () => {
    expect(doc.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.comment)).toEqual(['CFT partners', undefined, undefined, undefined, undefined]);
  });

  test('placebo envelopes ({status_code, data}) are unwrapped', () => {
    const d = parseAwsJson(JSON.stringify({ status_code: 200, data: JSON.parse(text) }));
    expect(names(d)).toEqual(['sg-0cft (cft)']);
    expect(matchesOf(d.rulesets[0]!, 'ingress').length).toBe(5);
  });

  test('prefix lists with their entries in the same input are resolved', () => {
    const input = JSON.parse(text);
    input.PrefixLists = [{ PrefixListId: 'pl-0admin', Entries: [{ Cidr: '192.0.2.0/24' }, { Cidr: '198.51.100.0/24' }] }];
    const d = parseAwsJson(JSON.stringify(input));
    expect(matchesOf(d.rulesets[0]!, 'ingress')[2]).toBe('proto=6 dstport=22 srcaddr=192.0.2.0/24, 198.51.100.0/24');
  });
});

describe('describe-security-group-rules', () => {
  const text = JSON.stringify(
    {
      SecurityGroupRules: [
        { SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 1761, ToPort: 1768, CidrIpv4: '0.0.0.0/0', Description: 'cft' },
        { SecurityGroupRuleId: 'sgr-2', GroupId: 'sg-1', IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv6: '::/0' },
        { SecurityGroupRuleId: 'sgr-3', GroupId: 'sg-2', IsEgress: false, IpProtocol: 'icmp', FromPort: 8, ToPort: -1, ReferencedGroupInfo: { GroupId: 'sg-1' } },
        { SecurityGroupRuleId: 'sgr-4', GroupId: 'sg-2', IsEgress: false, IpProtocol: 'udp', FromPort: 1761, ToPort: 1761, PrefixListId: 'pl-9' },
      ],
    },
    null,
    2,
  );
  const doc = parseAwsJson(text);
  test('grouped by GroupId, direction from IsEgress, ICMP type/code', () => {
    expect(names(doc)).toEqual(['sg-1', 'sg-2']);
    expect(matchesOf(doc.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1761-1768 srcaddr=0.0.0.0/0']);
    expect(matchesOf(doc.rulesets[0]!, 'egress')).toEqual(['dstaddr=::/0']);
    expect(matchesOf(doc.rulesets[1]!, 'ingress')).toEqual(['proto=1 icmp(ipv4)=2048-2303 srcprincipal=sg-1', 'proto=17 dstport=1761 srcprincipal=pl-9']);
    const r = doc.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!;
    expect([at(r.span), at(r.reportSpan), r.comment]).toEqual(['3:5-12:6', '10:19-10:30', 'cft']);
  });
});

describe('describe-network-acls', () => {
  const text = JSON.stringify(
    {
      NetworkAcls: [
        {
          NetworkAclId: 'acl-1',
          Associations: [{ SubnetId: 'subnet-a' }],
          Entries: [
            { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0' },
            { RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1761, To: 1768 } },
            { RuleNumber: 90, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '203.0.113.0/24', PortRange: { From: 1761, To: 1768 } },
            { RuleNumber: 101, Protocol: '-1', RuleAction: 'allow', Egress: false, Ipv6CidrBlock: '::/0' },
            { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
            { RuleNumber: 110, Protocol: '1', RuleAction: 'allow', Egress: false, CidrBlock: '10.0.0.0/8', IcmpTypeCode: { Type: 3, Code: 4 } },
          ],
        },
      ],
    },
    null,
    1,
  );
  const doc = parseAwsJson(text);
  test('rule-number order, allow/deny, both families, priority -10, subnets as targets; the * rule (32767) is the drop policy', () => {
    expect(names(doc)).toEqual(['acl-1']);
    const rs = doc.rulesets[0]!;
    expect(rs.targets).toEqual(['acl-1', 'subnet-a']);
    expect(rs.tables[0]!.chains.map((c) => [c.name, c.hook, c.priority, c.policy])).toEqual([
      ['ingress', 'input', -10, 'drop'],
      ['egress', 'output', -10, 'drop'],
    ]);
    expect(rows(rs).map((r) => [r[1], r[2]])).toEqual([
      ['drop', '90 deny ingress tcp 1761-1768 from 203.0.113.0/24'],
      ['accept', '100 allow ingress tcp 1761-1768 from 0.0.0.0/0'],
      ['accept', '101 allow ingress all from ::/0'],
      ['accept', '110 allow ingress icmp type 3 code 4 from 10.0.0.0/8'],
      ['accept', '100 allow egress all to 0.0.0.0/0'],
    ]);
    expect(matchesOf(rs, 'ingress', 'network-acl')[3]).toBe('proto=1 icmp(ipv4)=772 srcaddr=10.0.0.0/8');
    expect(doc.diagnostics).toEqual([]);
  });

  test('one rule number twice in a direction: AWS refuses the entry created second, so both are undecided (an allow possibly open)', () => {
    // "Reusing a RuleNumber is acceptable only when one entry is ingress and the other is egress"
    const entry = (action: string, egress = false) => ({ RuleNumber: 100, Protocol: '6', RuleAction: action, Egress: egress, CidrBlock: '0.0.0.0/0', PortRange: { From: 22, To: 22 } });
    const d = parseAwsJson(JSON.stringify({ NetworkAcls: [{ NetworkAclId: 'acl-2', Entries: [entry('deny'), entry('allow'), entry('allow', true)] }] }));
    // (at each of the two entries; the egress one is no duplicate)
    const dup = 'Cannot evaluate rule number 100: another ingress entry of the network ACL has this number, which AWS refuses for the one created second; it is treated as unknown';
    expect(d.diagnostics.map((x) => x.message)).toEqual([dup, dup]);
    // the allow read first, both conditioned
    expect(rows(d.rulesets[0]!).map((r) => r[2])).toEqual(['100 allow ingress tcp 22 from 0.0.0.0/0', '100 deny ingress tcp 22 from 0.0.0.0/0', '100 allow egress tcp 22 to 0.0.0.0/0']);
    const e = computeExposure(d.rulesets[0]!).entries;
    expect(e.map((x) => [x.certainty, x.sources.toString()])).toEqual([['possibly-open', '0.0.0.0/0']]);
    // not "never reached" either: which of the two exists is not known
    expect(findShadowedRules(d.rulesets[0]!)).toEqual([]);
  });
});

describe('robustness and detection', () => {
  test('invalid JSON is a diagnostic with a position, not a crash', () => {
    const d = parseAwsJson('{"SecurityGroups": [ {"GroupId": "sg-1",, } ]}');
    expect(d.rulesets).toEqual([]);
    expect(d.diagnostics[0]!.code).toBe('json/syntax');
    expect(d.diagnostics[0]!.span.start.line).toBe(1);
  });
  test('trailing commas are read, with a warning', () => {
    const d = parseAwsJson('{"SecurityGroups": [ {"GroupId": "sg-1",\n "IpPermissions": [],} ]}');
    expect(names(d)).toEqual(['sg-1']);
    expect(d.diagnostics.map((x) => [x.code, at(x.span)])).toEqual([['json/trailing-comma', '2:21-2:22']]);
  });
  test('invalid CIDRs and reversed ranges', () => {
    const d = parseAwsJson(
      JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 23, ToPort: 21, IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: 'bogus' }] }] }] }),
    );
    expect(d.diagnostics.map((x) => x.code)).toEqual(['aws/port-range', 'aws/invalid-cidr']);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=none srcaddr=0.0.0.0/0', 'proto=6 dstport=none opaque:unresolved']);
  });
  test('detection by content', () => {
    expect(awsJsonFormat.detect('x.json', fixture('describe-security-groups-cft.json'))).toBeGreaterThan(0);
    expect(awsJsonFormat.detect('x.json', '{"NetworkAcls": []}')).toBeGreaterThan(0);
    expect(awsJsonFormat.detect('t.json', '{"Resources": {"S": {"Type": "AWS::EC2::SecurityGroup"}}}')).toBeGreaterThan(0);
    expect(awsJsonFormat.detect('package.json', '{"name": "x", "version": "1.0.0"}')).toBe(0);
    expect(awsJsonFormat.detect('t.json', '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}')).toBe(0);
  });
});

describe('performance', () => {
  test('a 10,000-rule describe-security-groups export parses into 10,000 rules (its time is measured by npm run bench)', () => {
    const groups = [];
    for (let g = 0; g < 100; g++) {
      const perms = [];
      for (let i = 0; i < 100; i++) perms.push({ IpProtocol: 'tcp', FromPort: 1000 + i, ToPort: 1000 + i, IpRanges: [{ CidrIp: `10.${g}.${i}.0/24` }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] });
      groups.push({ GroupId: `sg-${g}`, GroupName: `g${g}`, IpPermissions: perms, IpPermissionsEgress: [] });
    }
    const text = JSON.stringify({ SecurityGroups: groups }, null, 4);
    parseAwsJson(text); // warm-up
    const t0 = performance.now();
    const d = parseAwsJson(text);
    const ms = performance.now() - t0;
    console.log(`10,000-rule describe-security-groups (${(text.length / 1e6).toFixed(1)} MB): ${ms.toFixed(0)} ms`);
    expect(d.rulesets.reduce((n, r) => n + r.tables[0]!.chains[0]!.rules.length, 0)).toBe(10_000);
  });
});

describe('invalid ports and ICMP types open nothing, with an error', () => {
  test('port above 65535, ICMP type above 255', () => {
    const d = parseAwsJson(
      JSON.stringify({
        SecurityGroups: [
          {
            GroupId: 'sg-1',
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: 1761, ToPort: 70000, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
              { IpProtocol: 'icmp', FromPort: 300, ToPort: -1, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
              { IpProtocol: 'tcp', FromPort: -1, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
            ],
          },
        ],
      }),
    );
    expect(d.diagnostics.map((x) => [x.severity, x.code])).toEqual([
      ['error', 'aws/port-range'],
      ['error', 'aws/icmp-type'],
    ]);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=none srcaddr=0.0.0.0/0', 'proto=1 icmp(ipv4)=none srcaddr=0.0.0.0/0', 'proto=6 srcaddr=10.0.0.0/8']);
  });
});

describe('describe-instances and describe-network-acls in the same input', () => {
  test('instances become targets; the NACL of their subnet joins the group ruleset', () => {
    const input = JSON.parse(fixture('describe-security-groups-cft.json'));
    input.Reservations = [{ Instances: [{ InstanceId: 'i-1', SubnetId: 'subnet-a', SecurityGroups: [{ GroupId: 'sg-0cft' }] }] }];
    input.NetworkInterfaces = [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', Groups: [{ GroupId: 'sg-0cft' }] }];
    input.NetworkAcls = [{ NetworkAclId: 'acl-1', Associations: [{ SubnetId: 'subnet-a' }], Entries: [{ RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1761, To: 1761 } }] }];
    const d = parseAwsJson(JSON.stringify(input, null, 2));
    expect(names(d)).toEqual(['sg-0cft (cft)', 'acl-1']);
    const rs = d.rulesets[0]!;
    expect(rs.targets).toEqual(['sg-0cft', 'cft', 'cft-server', 'i-1', 'eni-1']);
    expect(rs.tables.map((t) => [t.name, t.chains.map((c) => c.priority).join()])).toEqual([
      ['security-group', '0,0'],
      ['network-acl acl-1', '-10,-10'],
    ]);
    const v4 = exposedPorts(computeExposure(rs), 6, numRange(1761, 1768)).filter((e) => e.family === 'ipv4' && e.principals.length === 0);
    expect(v4.map((e) => e.dports.bounds.join('-'))).toEqual(['1761-1762']);
  });
});

describe('parts of a response: top-level arrays and single objects (--query SecurityGroups, jq .SecurityGroups[0])', () => {
  const sg = (egress: unknown[]) => ({
    GroupId: 'sg-0a1',
    GroupName: 'cft',
    VpcId: 'vpc-1',
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 1761, ToPort: 1768, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    IpPermissionsEgress: egress,
  });
  test('an array of groups is detected and read as describe-security-groups', () => {
    const text = JSON.stringify([sg([])], null, 1);
    expect(awsJsonFormat.detect('groups.json', text)).toBe(70);
    const d = parseAwsJson(text);
    expect(d.diagnostics).toEqual([]);
    expect(names(d)).toEqual(['sg-0a1 (cft)']);
    expect(d.rulesets[0]!.targets).toEqual(['sg-0a1', 'cft']);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1761-1768 srcaddr=0.0.0.0/0']);
  });
  test('one group object keeps its egress rules and its name (it is not an authorize-security-group-ingress request)', () => {
    const d = parseAwsJson(JSON.stringify(sg([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }])));
    expect(names(d)).toEqual(['sg-0a1 (cft)']);
    expect(matchesOf(d.rulesets[0]!, 'egress')).toEqual(['dstaddr=10.0.0.0/8']);
  });
  test('an array of network ACLs and an array of group rules', () => {
    const acls = JSON.stringify([{ NetworkAclId: 'acl-1', Entries: [{ CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '6', PortRange: { From: 1768, To: 1768 }, RuleAction: 'allow', RuleNumber: 100 }] }]);
    expect(awsJsonFormat.detect('acls.json', acls)).toBe(70);
    const a = parseAwsJson(acls);
    expect(names(a)).toEqual(['acl-1']);
    expect(matchesOf(a.rulesets[0]!, 'ingress', 'network-acl')).toEqual(['proto=6 dstport=1768 srcaddr=0.0.0.0/0']);
    const rules = JSON.stringify([{ SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-9', IsEgress: false, IpProtocol: 'udp', FromPort: 1761, ToPort: 1761, CidrIpv4: '0.0.0.0/0' }]);
    expect(awsJsonFormat.detect('rules.json', rules)).toBe(70);
    expect(matchesOf(parseAwsJson(rules).rulesets[0]!, 'ingress')).toEqual(['proto=17 dstport=1761 srcaddr=0.0.0.0/0']);
  });
  test("one group's permissions (--query 'SecurityGroups[0].IpPermissions'): ingress, or egress when the file is named so", () => {
    const perms = [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
      { IpProtocol: '-1', IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: 'sg-0b2', UserId: '123456789012' }] },
    ];
    const text = JSON.stringify(perms, null, 1);
    // (it was no format's: an error when named, passed over in a folder; and --input-format aws read nothing)
    expect(awsJsonFormat.detect('perms.json', text)).toBe(70);
    const d = parseAwsJson(text, { filePath: 'perms.json' });
    expect(d.diagnostics).toEqual([]);
    expect(names(d)).toEqual(['security group']);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=22 srcaddr=0.0.0.0/0', 'srcprincipal=sg-0b2']);
    const one = JSON.stringify(perms[0]);
    expect(awsJsonFormat.detect('perm.json', one)).toBe(70);
    expect(matchesOf(parseAwsJson(one).rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=22 srcaddr=0.0.0.0/0']);
    const egress = parseAwsJson(text, { filePath: 'sg-egress.json' }).rulesets[0]!;
    expect([matchesOf(egress, 'ingress'), matchesOf(egress, 'egress')]).toEqual([[], ['proto=6 dstport=22 dstaddr=0.0.0.0/0', 'dstprincipal=sg-0b2']]);
  });
  test("one network ACL's entries (--query 'NetworkAcls[0].Entries'): read as that ACL, its * rules its policy", () => {
    const entries = [
      { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '6', PortRange: { From: 22, To: 22 }, RuleAction: 'deny', RuleNumber: 90 },
      { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 },
      { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
    ];
    const text = JSON.stringify(entries, null, 1);
    expect(awsJsonFormat.detect('entries.json', text)).toBe(70);
    const d = parseAwsJson(text);
    expect(d.diagnostics).toEqual([]);
    expect(names(d)).toEqual(['network ACL']);
    expect(matchesOf(d.rulesets[0]!, 'ingress', 'network-acl')).toEqual(['proto=6 dstport=22 srcaddr=0.0.0.0/0', 'srcaddr=0.0.0.0/0']);
  });
  test('unrelated arrays are left alone', () => {
    expect(awsJsonFormat.detect('x.json', '[{"name": "a"}]')).toBe(0);
    expect(parseAwsJson('[{"GroupId": "x"}]').rulesets).toEqual([]);
  });
});

describe('the * rule of a network ACL export is its drop policy, not a rule', () => {
  test('an ACL allowing everything out has no "never reached" finding on the * rules (32767, 32768) it cannot remove', () => {
    const text = JSON.stringify({
      NetworkAcls: [
        {
          NetworkAclId: 'acl-2',
          Entries: [
            { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0' },
            { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: true, CidrBlock: '0.0.0.0/0' },
            { RuleNumber: 32768, Protocol: '-1', RuleAction: 'deny', Egress: true, Ipv6CidrBlock: '::/0' },
            { RuleNumber: 32767, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 22, To: 22 } },
          ],
        },
      ],
    });
    const rs = parseAwsJson(text).rulesets[0]!;
    // (a rule that is not the * rule keeps its place even at that number)
    expect(rows(rs).map((r) => r[2])).toEqual(['32767 deny ingress tcp 22 from 0.0.0.0/0', '100 allow egress all to 0.0.0.0/0']);
    expect(findShadowedRules(rs)).toEqual([]);
  });
});

describe('several responses in one file: a stream of values (jq .SecurityGroups[], outputs appended) and a slurped array (jq -s)', () => {
  const group = (id: string, port: number) => ({
    GroupId: id,
    GroupName: id,
    VpcId: 'vpc-1',
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    IpPermissionsEgress: [],
  });
  const acl = { NetworkAcls: [{ NetworkAclId: 'acl-1', Associations: [{ SubnetId: 'subnet-a' }], Entries: [{ RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 1761, To: 1761 } }] }] };
  test('JSON Lines of groups and two pretty responses one after the other are all read (they were a parse error)', () => {
    const lines = `${JSON.stringify(group('sg-1', 1761))}\n${JSON.stringify(group('sg-2', 1768))}\n`;
    expect(awsJsonFormat.detect('groups.json', lines)).toBe(70);
    const d = parseAwsJson(lines);
    expect(d.diagnostics).toEqual([]);
    expect(names(d)).toEqual(['sg-1', 'sg-2']);
    expect(rows(d.rulesets[1]!)).toEqual([['security-group/ingress', 'accept', 'ingress tcp 1768 from 0.0.0.0/0', '2:71-2:157', '2:143-2:154']]);
    const two = `${JSON.stringify({ SecurityGroups: [group('sg-1', 1761)] }, null, 2)}\n${JSON.stringify({ SecurityGroups: [group('sg-2', 1768)] }, null, 2)}`;
    const t = parseAwsJson(two);
    expect(t.diagnostics).toEqual([]);
    expect(names(t)).toEqual(['sg-1', 'sg-2']);
    expect(rows(t.rulesets[1]!)[0]![4]).toBe('36:25-36:36');
  });
  test('a slurped array of responses is read (it was silently empty): the instance in one response ties the NACL of another to the group; its Name tag is a target', () => {
    const text = JSON.stringify(
      [
        { SecurityGroups: [group('sg-1', 1761)] },
        acl,
        { Reservations: [{ Instances: [{ InstanceId: 'i-1', SubnetId: 'subnet-a', SecurityGroups: [{ GroupId: 'sg-1' }], Tags: [{ Key: 'Name', Value: 'mft01' }] }] }] },
      ],
      null,
      2,
    );
    expect(awsJsonFormat.detect('all.json', text)).toBe(70);
    const d = parseAwsJson(text);
    expect(names(d)).toEqual(['sg-1', 'acl-1']);
    expect(d.rulesets[0]!.targets).toEqual(['sg-1', 'i-1', 'mft01']);
    expect(d.rulesets[0]!.tables.map((x) => x.name)).toEqual(['security-group', 'network-acl acl-1']);
  });
  test('describe-prefix-lists (Cidrs) in the same input resolves a group\'s prefix list', () => {
    const g = { ...group('sg-1', 443), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: 'pl-63a5400a' }] }] };
    const text = `${JSON.stringify({ SecurityGroups: [g] })}\n${JSON.stringify({ PrefixLists: [{ Cidrs: ['54.231.0.0/17', '52.216.0.0/15'], PrefixListId: 'pl-63a5400a', PrefixListName: 'com.amazonaws.us-east-1.s3' }] })}`;
    expect(matchesOf(parseAwsJson(text).rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=443 srcaddr=52.216.0.0/15, 54.231.0.0/17']);
  });
});

describe('a NACL ICMP entry is filtered by its ICMP type and code, never by a port range', () => {
  test('ICMP with a PortRange and no IcmpTypeCode takes every ICMP type (it was read as type 0 code 65535: an error, the entry matching nothing)', () => {
    const text = JSON.stringify({
      NetworkAcls: [
        {
          NetworkAclId: 'acl-3',
          Entries: [
            { RuleNumber: 100, Protocol: '1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 0, To: 65535 } },
            { RuleNumber: 110, Protocol: '1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 8, To: 0 }, IcmpTypeCode: { Type: 3, Code: -1 } },
            { RuleNumber: 200, Protocol: '-1', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0' },
          ],
        },
      ],
    });
    const d = parseAwsJson(text);
    expect(d.diagnostics).toEqual([]);
    expect(rows(d.rulesets[0]!).map((r) => r[2])).toEqual(['100 deny ingress icmp all types from 0.0.0.0/0', '110 allow ingress icmp type 3 from 0.0.0.0/0', '200 allow ingress all from 0.0.0.0/0']);
    expect(exposedPorts(computeExposure(d.rulesets[0]!), 1, numRange(0, 65535))).toEqual([]);
  });
});

describe('aws-cli --output yaml and yaml-stream', () => {
  test('describe-security-groups and describe-network-acls in YAML are recognised and read as their JSON (they were "no firewall format recognises")', () => {
    const groups = ['SecurityGroups:', '- GroupId: sg-1', '  GroupName: cft', '  VpcId: vpc-1', '  IpPermissions:', '  - FromPort: 1761', '    IpProtocol: tcp', '    IpRanges:', '    - CidrIp: 0.0.0.0/0', '    ToPort: 1768', '  IpPermissionsEgress: []', ''].join('\n');
    expect(cloudformationYamlFormat.detect('sgs.yaml', groups)).toBe(70);
    const d = parseCloudFormationYaml(groups);
    expect(rows(d.rulesets[0]!)).toEqual([['security-group/ingress', 'accept', 'ingress tcp 1761-1768 from 0.0.0.0/0', '6:5-10:17', '9:15-9:24']]);
    // yaml-stream: one list item per page
    const acls = ['- NetworkAcls:', '  - NetworkAclId: acl-1', '    Entries:', '    - {CidrBlock: 0.0.0.0/0, Egress: false, Protocol: "6", PortRange: {From: 1768, To: 1768}, RuleAction: allow, RuleNumber: 100}', ''].join('\n');
    expect(cloudformationYamlFormat.detect('acls.yml', acls)).toBe(70);
    expect(matchesOf(parseCloudFormationYaml(acls).rulesets[0]!, 'ingress', 'network-acl')).toEqual(['proto=6 dstport=1768 srcaddr=0.0.0.0/0']);
    expect(cloudformationYamlFormat.detect('values.yaml', 'SecurityGroups:\n- sg-1\n')).toBe(0);
  });
});

describe('describe-security-group-rules in several pages', () => {
  test('the rules of one group from two pages are one ruleset (they were two, each judged without the other)', () => {
    const rule = (id: string, cidr: string) => ({ SecurityGroupRuleId: id, GroupId: 'sg-7', IsEgress: false, IpProtocol: 'tcp', FromPort: 1768, ToPort: 1768, CidrIpv4: cidr });
    const text = `${JSON.stringify({ SecurityGroupRules: [rule('sgr-1', '0.0.0.0/0')], NextToken: 'x' })}\n${JSON.stringify({ SecurityGroupRules: [rule('sgr-2', '10.0.0.0/8')] })}\n`;
    const d = parseAwsJson(text);
    expect(names(d)).toEqual(['sg-7']);
    expect(matchesOf(d.rulesets[0]!, 'ingress')).toEqual(['proto=6 dstport=1768 srcaddr=0.0.0.0/0', 'proto=6 dstport=1768 srcaddr=10.0.0.0/8']);
    expect(findShadowedRules(d.rulesets[0]!).map((f) => at(f.rule.span))).toEqual(['2:24-2:162']);
  });
});
