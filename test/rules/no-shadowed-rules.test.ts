import rule from '../../rules/no-shadowed-rules.js';
import { save, tester } from './tester.js';

tester('iptables').run('no-shadowed-rules (iptables)', rule, {
  valid: [
    { code: save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP'), filename: 'a.rules' },
    // an undecidable earlier rule never covers
    { code: save('-A INPUT -p tcp -m limit --limit 1/s -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules' },
  ],
  invalid: [
    {
      code: save('-A INPUT -p tcp --dport 1:1000 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j DROP'),
      filename: 'a.rules',
      errors: [{ line: 6, message: 'This rule is never reached: every packet it matches is already decided by line 5 in chain INPUT.' }],
    },
    {
      code: save('-A INPUT -p tcp -s 0.0.0.0/1 -j DROP', '-A INPUT -p tcp -s 128.0.0.0/1 -j REJECT', '-A INPUT -p tcp --dport 1768 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 7, message: 'This rule is never reached: every packet it matches is already decided by lines 5, 6 in chain INPUT.' }],
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

tester('hcl').run('no-shadowed-rules (one Terraform rule of several CIDRs)', rule, {
  valid: [],
  invalid: [
    {
      // the two rules made from one resource share its span: the finding names the CIDR and the covering rule, not "line 1 … by line 1"
      code: 'resource "aws_security_group_rule" "r" {\n  type              = "ingress"\n  protocol          = "udp"\n  from_port         = 1760\n  to_port           = 1770\n  cidr_blocks       = ["0.0.0.0/0", "10.0.0.0/8"]\n  security_group_id = "sg-1"\n}\n',
      filename: 'sg.tf',
      errors: [{ line: 6, column: 37, message: 'This rule is never reached: every packet it matches is already decided by line 6 (ingress udp 1760-1770 from 0.0.0.0/0) in chain ingress.' }],
    },
  ],
});
