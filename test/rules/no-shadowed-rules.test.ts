import rule from '../../rules/no-shadowed-rules.js';
import { save, tester } from './tester.js';

tester('iptables').run('no-shadowed-rules (iptables)', rule, {
  valid: [
    { code: save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP'), filename: 'a.rules' },
    // an undecidable earlier rule never covers
    { code: save('-A INPUT -p tcp -m limit --limit 1/s -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules' },
    // --syn takes only SYNs (iptables-extensions(8): SYN set, ACK, RST and FIN clear): the ACKs of established
    // connections, a NEW packet picked up mid-stream and INVALID strays reach the rules after it
    { code: save('-A INPUT -p tcp --syn -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP'), filename: 'a.rules' },
    { code: save('-A INPUT -p tcp --syn -j ACCEPT', '-A INPUT -p tcp --dport 80 -m conntrack --ctstate ESTABLISHED -j ACCEPT'), filename: 'a.rules' },
    { code: save('-A INPUT -p tcp --tcp-flags SYN,ACK SYN -j ACCEPT', '-A INPUT -p tcp -m conntrack --ctstate INVALID -j DROP'), filename: 'a.rules' },
  ],
  invalid: [
    {
      code: save('-A INPUT -p tcp --dport 1:1000 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j DROP'),
      filename: 'a.rules',
      errors: [{ line: 6, message: 'This rule is never reached: every packet it matches is already decided by line 5 in chain INPUT.' }],
    },
    {
      // covered by rules of its own verdict: removing it changes nothing (a clean-up), unlike an accept that a drop
      // before it defeats
      code: save('-A INPUT -p tcp --dport 1:1000 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 6, message: 'This rule changes nothing: every packet it matches is already accepted by line 5 in chain INPUT.' }],
    },
    {
      // a drop and a reject are not one verdict (the client sees a timeout, or a refusal)
      code: save('-A INPUT -p tcp -s 0.0.0.0/1 -j DROP', '-A INPUT -p tcp -s 128.0.0.0/1 -j DROP', '-A INPUT -p tcp --dport 1768 -j DROP'),
      filename: 'a.rules',
      errors: [{ line: 7, message: 'This rule changes nothing: every packet it matches is already dropped by lines 5, 6 in chain INPUT.' }],
    },
    {
      code: save('-A INPUT -p tcp -s 0.0.0.0/1 -j DROP', '-A INPUT -p tcp -s 128.0.0.0/1 -j REJECT', '-A INPUT -p tcp --dport 1768 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 7, message: 'This rule is never reached: every packet it matches is already decided by lines 5, 6 in chain INPUT.' }],
    },
  ],
});

// A jump to a chain that decides every packet (a catch-all ACCEPT/DROP/REJECT before any RETURN, or a goto to a
// chain that does not decide) ends the calling chain for what it matches, like the verdict itself
const JUMPS = (...rules: string[]) => `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:SSH - [0:0]\n:LOGDROP - [0:0]\n${rules.join('\n')}\n-A SSH -s 192.0.2.0/24 -j ACCEPT\n-A SSH -m limit --limit 1/s -j LOG\n-A SSH -j DROP\n-A LOGDROP -j LOG\n-A LOGDROP -j DROP\nCOMMIT\n`;
tester('iptables').run('no-shadowed-rules (iptables: a jump to a chain that decides every packet)', rule, {
  valid: [
    // the chain may RETURN packets, which go on to the next rule
    { code: JUMPS(':X - [0:0]', '-A INPUT -p tcp --dport 22 -j X', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A X -m set --match-set a src -j RETURN', '-A X -j DROP'), filename: 'a.rules' },
    // a goto from it to a chain that may end: packets come back to INPUT
    { code: JUMPS(':X - [0:0]', ':Y - [0:0]', '-A INPUT -p tcp --dport 22 -j X', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A X -s 10.0.0.0/8 -g Y', '-A X -j DROP', '-A Y -j LOG'), filename: 'a.rules' },
  ],
  invalid: [
    {
      code: JUMPS('-A INPUT -p tcp --dport 22 -j SSH', '-A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j ACCEPT', '-A INPUT -j LOGDROP', '-A INPUT -p tcp --dport 80 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        { line: 8, message: 'This rule is never reached: every packet it matches is already decided by line 7 in chain INPUT.' },
        { line: 10, message: 'This rule is never reached: every packet it matches is already decided by line 9 in chain INPUT.' },
      ],
    },
  ],
});

tester('nftables').run('no-shadowed-rules (nftables: a jump to a chain that drops the rest)', rule, {
  valid: [],
  invalid: [
    {
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport 22 jump ssh\n    tcp dport 22 ip saddr 10.0.0.0/8 accept\n  }\n  chain ssh {\n    ip saddr 192.0.2.0/24 accept\n    counter drop\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 5, message: 'This rule is never reached: every packet it matches is already decided by line 4 in chain input.' }],
    },
  ],
});

tester('nftables').run('no-shadowed-rules (nftables: a flags test covers nothing)', rule, {
  valid: [{ code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp flags syn / syn,ack,rst,fin accept\n    tcp dport 22 drop\n  }\n}\n', filename: 'a.nft' }],
  invalid: [
    {
      // a flags test may be covered: every packet it may match is dropped before it
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 drop\n    tcp dport 22 tcp flags syn / syn,ack accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 5, message: 'This rule is never reached: every packet it matches is already decided by line 4 in chain input.' }],
    },
  ],
});

tester('nftables').run('no-shadowed-rules (nftables: a rule after an unconditional verdict)', rule, {
  valid: [],
  invalid: [
    {
      code: 'table ip f {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    drop\n    tcp dport 22 accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 5, message: 'This rule is never reached: every packet it matches is already decided by line 4 in chain input.' }],
    },
  ],
});

// Azure's default rules are the cloud's, not the user's: a "Deny * at 4096" really hides them, but that is
// no finding (they cannot be removed); the NSG's own shadowed rules still are.
tester('json').run('no-shadowed-rules (Azure default rules)', rule, {
  valid: [
    {
      code: JSON.stringify({ name: 'n', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [{ name: 'deny-all', properties: { priority: 4096, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } }] } }, null, 2),
      filename: 'nsg.json',
    },
  ],
  invalid: [
    {
      code: JSON.stringify({ name: 'n', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [
        { name: 'deny-all', properties: { priority: 4000, direction: 'Inbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' } },
        { name: 'late', properties: { priority: 4001, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22' } },
      ] } }),
      filename: 'nsg.json',
      errors: [{ line: 1, column: 303, message: 'This rule is never reached: every packet it matches is already decided by line 1:93 in chain Inbound.' }],
    },
  ],
});

// A GCP rule without target tags is in the ruleset of every target tag too: it is never reached only if it
// is shadowed in all of them (here the tagged allow covers it for "transfer" instances, not for the others).
tester('hcl').run('no-shadowed-rules (GCP rule in several target rulesets)', rule, {
  valid: [
    {
      code: `resource "google_compute_firewall" "cft" {
  name          = "cft"
  network       = "vpc"
  priority      = 800
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["transfer"]
  allow {
    protocol = "tcp"
    ports    = ["1761-1768"]
  }
}

resource "google_compute_firewall" "rest" {
  name          = "rest"
  network       = "vpc"
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports    = ["1768"]
  }
}
`,
      filename: 'fw.tf',
    },
  ],
  invalid: [
    {
      code: `resource "google_compute_firewall" "deny" {
  name          = "deny"
  network       = "vpc"
  priority      = 100
  source_ranges = ["0.0.0.0/0"]
  deny {
    protocol = "tcp"
  }
}

resource "google_compute_firewall" "rest" {
  name          = "rest"
  network       = "vpc"
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["a", "b"]
  allow {
    protocol = "tcp"
    ports    = ["1768"]
  }
}
`,
      filename: 'fw.tf',
      errors: [{ line: 11, message: 'This rule is never reached: every packet it matches is already decided by line 1 in chain INGRESS.' }],
    },
  ],
});

// A GCP deny of 0.0.0.0/0 also stops the network's tagged instances (a `family` match); an allow of 0.0.0.0/0 takes
// their packets as well (their sources are IPv4 addresses: "a source IP that belongs to an instance with service
// account listed", compute/docs/reference/rest/v1/firewalls): a deny of a part of it at a lower priority is never
// reached. The deny of ports only partly allowed still is.
const gcpRule = (name: string, priority: number, action: 'allowed' | 'denied', ports: string, src: Record<string, string[]>) =>
  JSON.stringify({ name, network: 'vpc', priority, direction: 'INGRESS', [action]: [{ IPProtocol: 'tcp', ports: [ports] }], ...src });
tester('json').run('no-shadowed-rules (GCP: an allow of every address takes the named sources too)', rule, {
  valid: [
    { code: `[\n${gcpRule('a', 100, 'allowed', '1000-2000', { sourceRanges: ['0.0.0.0/0'] })},\n${gcpRule('b', 200, 'denied', '1500-2500', { sourceRanges: ['0.0.0.0/0'] })}\n]`, filename: 'fw.json' },
  ],
  invalid: [
    {
      code: `[\n${gcpRule('a', 100, 'allowed', '1000-2000', { sourceRanges: ['0.0.0.0/0'] })},\n${gcpRule('c', 300, 'denied', '1200-1300', { sourceRanges: ['0.0.0.0/0'] })}\n]`,
      filename: 'fw.json',
      errors: [{ line: 3, message: 'This rule is never reached: every packet it matches is already decided by line 2 in chain INGRESS.' }],
    },
    {
      code: [
        '[',
        `${gcpRule('v4', 100, 'allowed', '22', { sourceRanges: ['0.0.0.0/0'] })},`,
        `${gcpRule('v6', 110, 'allowed', '22', { sourceRanges: ['::/0'] })},`,
        `${gcpRule('bastion', 200, 'allowed', '22', { sourceTags: ['bastion'] })}`,
        ']',
      ].join('\n'),
      filename: 'fw.json',
      errors: [{ line: 4, message: 'This rule changes nothing: every packet it matches is already accepted by lines 2, 3 in chain INGRESS.' }],
    },
  ],
});

// A one-line export (`gcloud … --format=json | jq -c`): the covering rule is on the shadowed rule's line, so it is named
// by line and column.
tester('json').run('no-shadowed-rules (rules on one line are named by line and column)', rule, {
  valid: [],
  invalid: [
    {
      code: `[${gcpRule('a', 100, 'allowed', '1000-2000', { sourceRanges: ['0.0.0.0/0'] })},${gcpRule('c', 300, 'denied', '1200-1300', { sourceRanges: ['0.0.0.0/0'] })}]`,
      filename: 'fw.json',
      errors: [{ line: 1, column: 152, message: 'This rule is never reached: every packet it matches is already decided by line 1:2 in chain INGRESS.' }],
    },
  ],
});

// Azure: prefixes 0.0.0.0/0 and ::/0 take the VirtualNetwork tag's packets too, the Internet tag does not (it is
// "the IP address space that's outside the virtual network", service-tags-overview).
const azRule = (name: string, priority: number, access: string, src: string) =>
  `{"name": "${name}", "properties": {"priority": ${priority}, "direction": "Inbound", "access": "${access}", "protocol": "Tcp", "sourceAddressPrefix": "${src}", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}`;
const azNsg = (...rules: string[]) => `{"name": "n", "type": "Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": [\n${rules.join(',\n')}\n]}}`;
tester('json').run('no-shadowed-rules (Azure: 0.0.0.0/0 and ::/0 take the service tags, Internet does not)', rule, {
  valid: [{ code: azNsg(azRule('internet', 100, 'Allow', 'Internet'), azRule('deny', 200, 'Deny', '*')), filename: 'nsg.json' }],
  invalid: [
    {
      code: azNsg(azRule('v4', 100, 'Allow', '0.0.0.0/0'), azRule('v6', 110, 'Allow', '::/0'), azRule('vnet', 200, 'Deny', 'VirtualNetwork')),
      filename: 'nsg.json',
      errors: [{ line: 4, message: 'This rule is never reached: every packet it matches is already decided by lines 2, 3 in chain Inbound.' }],
    },
  ],
});

tester('hcl').run('no-shadowed-rules (one Terraform rule of several CIDRs)', rule, {
  valid: [],
  invalid: [
    {
      // the two rules made from one resource share its span: the finding names the CIDR and the covering rule, not "line 1 … by line 1"
      code: 'resource "aws_security_group_rule" "r" {\n  type              = "ingress"\n  protocol          = "udp"\n  from_port         = 1760\n  to_port           = 1770\n  cidr_blocks       = ["0.0.0.0/0", "10.0.0.0/8"]\n  security_group_id = "sg-1"\n}\n',
      filename: 'sg.tf',
      // (a security group's rules are a union of allows: the covered one is redundant, not defeated)
      errors: [{ line: 6, column: 37, message: 'This rule changes nothing: every packet it matches is already accepted by line 6 (ingress udp 1760-1770 from 0.0.0.0/0) in chain ingress.' }],
    },
  ],
});

// A NACL entry whose rule number the template does not decide is evaluated where it is sound (a deny last), which is
// not where it is: "never reached" would be a guess.
const nacl = (n: string) =>
  [
    'Parameters: {N: {Type: Number}}',
    'Resources:',
    '  Acl: {Type: AWS::EC2::NetworkAcl, Properties: {VpcId: vpc-1}}',
    '  Deny:',
    '    Type: AWS::EC2::NetworkAclEntry',
    `    Properties: {NetworkAclId: !Ref Acl, RuleNumber: ${n}, Protocol: 6, RuleAction: deny, CidrBlock: 0.0.0.0/0, PortRange: {From: 1768, To: 1768}}`,
    '  Allow:',
    '    Type: AWS::EC2::NetworkAclEntry',
    '    Properties: {NetworkAclId: !Ref Acl, RuleNumber: 200, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 1761, To: 1768}}',
    '',
  ].join('\n');
tester('yaml').run('no-shadowed-rules (CloudFormation NACL)', rule, {
  valid: [{ code: nacl('!Ref N'), filename: 'acl.yaml' }],
  invalid: [{ code: nacl('300'), filename: 'acl.yaml', errors: [{ line: 5, message: 'This rule is never reached: every packet it matches is already decided by line 8 in chain ingress.' }] }],
});

// AWS: a rule from a security group takes the private addresses of that group's interfaces ("Security group
// rules", referenced security groups): 0.0.0.0/0 and ::/0 together take them all, one of them not.
const sg = (...sources: string[]) =>
  [
    'Resources:',
    '  Sg:',
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    '      GroupDescription: web',
    '      SecurityGroupIngress:',
    ...sources.map((s) => `        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, ${s}}`),
    '',
  ].join('\n');
tester('yaml').run('no-shadowed-rules (CloudFormation security group: 0.0.0.0/0 and ::/0 take a group reference)', rule, {
  valid: [{ code: sg('CidrIp: 0.0.0.0/0', 'SourceSecurityGroupId: sg-bastion'), filename: 'sg.yaml' }],
  invalid: [
    {
      code: sg('CidrIp: 0.0.0.0/0', 'CidrIpv6: ::/0', 'SourceSecurityGroupId: sg-bastion'),
      filename: 'sg.yaml',
      errors: [{ line: 9, message: 'This rule changes nothing: every packet it matches is already accepted by lines 7, 8 in chain ingress.' }],
    },
  ],
});

// describe-security-groups: one permission of two CIDRs, both inside another permission: a finding at each CIDR (at the
// permission, they were one message at one place, twice)
const perm = '{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "10.1.0.0/16"}]}';
tester('json').run('no-shadowed-rules (describe-security-groups: the CIDRs of one permission)', rule, {
  valid: [],
  invalid: [
    {
      code: `{"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [\n${perm},\n{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}\n]}]}`,
      filename: 'sgs.json',
      errors: [
        { line: 2, column: 77, message: 'This rule changes nothing: every packet it matches is already accepted by line 3 in chain ingress.' },
        { line: 2, column: 103, message: 'This rule changes nothing: every packet it matches is already accepted by line 3 in chain ingress.' },
      ],
    },
  ],
});

// GCP firewall policy: goto_next passes a packet on to the next level, past the policy's later rules.
const policy = (...rules: string[]) => `{"kind": "compute#firewallPolicy", "shortName": "org", "rules": [\n${rules.join(',\n')}\n]}`;
const polRule = (priority: number, action: string, ports: string) =>
  `{"priority": ${priority}, "direction": "INGRESS", "action": "${action}", "match": {"srcIpRanges": ["0.0.0.0/0"], "layer4Configs": [{"ipProtocol": "tcp"${ports ? `, "ports": ["${ports}"]` : ''}}]}}`;
tester('json').run('no-shadowed-rules (GCP firewall policy: a rule after a goto_next of its packets)', rule, {
  valid: [{ code: policy(polRule(100, 'goto_next', '22'), polRule(200, 'deny', '80')), filename: 'policy.json' }],
  invalid: [
    {
      code: policy(polRule(100, 'goto_next', ''), polRule(200, 'deny', '80')),
      filename: 'policy.json',
      errors: [{ line: 3, message: 'This rule is never reached: every packet it matches is already decided by line 2 in chain INGRESS org.' }],
    },
  ],
});
