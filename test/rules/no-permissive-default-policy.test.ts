import rule from '../../rules/no-permissive-default-policy.js';
import { tester } from './tester.js';

const FILE = (input: string, extra = '') => `*filter\n:INPUT ${input} [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${extra}COMMIT\n`;

tester('iptables').run('no-permissive-default-policy (iptables)', rule, {
  valid: [
    { code: FILE('DROP'), filename: 'a.rules' },
    { code: FILE('ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n'), filename: 'a.rules' },
    // RHEL's layout: every packet jumps to a chain that ends with a reject, none comes back to the policy
    {
      code: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:RH-Firewall-1-INPUT - [0:0]\n-A INPUT -j RH-Firewall-1-INPUT\n-A RH-Firewall-1-INPUT -p tcp --dport 22 -j ACCEPT\n-A RH-Firewall-1-INPUT -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n',
      filename: 'a.rules',
    },
  ],
  invalid: [
    {
      // the chain may RETURN some packets to INPUT, whose policy then accepts them
      code: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-A X -s 10.0.0.0/8 -j RETURN\n-A X -j DROP\nCOMMIT\n',
      filename: 'a.rules',
      errors: [{ line: 2, column: 1, message: 'Chain INPUT (input hook) accepts by default and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      code: FILE('ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT\n'),
      filename: 'a.rules',
      errors: [{ line: 2, column: 1, message: 'Chain INPUT (input hook) accepts by default and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
  ],
});

tester('nftables').run('no-permissive-default-policy (nftables)', rule, {
  valid: [{ code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n', filename: 'a.nft' }],
  invalid: [
    {
      // no policy written: nftables defaults to accept
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 22 accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 2, messageId: 'permissive' }],
    },
  ],
});
