import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import rule from '../../rules/ip-family-parity.js';
import { tester } from './tester.js';

const dir = mkdtempSync(join(tmpdir(), 'fwlint-parity-'));
writeFileSync(join(dir, 'rules.v4'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
const V6 = (rule: string) => `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${rule}\nCOMMIT\n`;

tester('iptables').run('ip-family-parity (sibling files)', rule, {
  valid: [{ code: V6('-A INPUT -s fd00::/8 -p tcp --dport 22 -j ACCEPT'), filename: join(dir, 'rules.v6') }],
  invalid: [
    {
      code: V6('-A INPUT -p tcp -m multiport --dports 22,1768 -j ACCEPT'),
      filename: join(dir, 'rules.v6'),
      errors: [{ line: 5, message: 'Open for IPv6 but closed for IPv4 in rules.v4: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from ::/0.' }],
    },
  ],
});

// Alpine's /etc/iptables/rules-save and rules6-save: the IPv4 name has no 4
const alpine = mkdtempSync(join(tmpdir(), 'fwlint-parity-'));
writeFileSync(join(alpine, 'rules-save'), V6('-A INPUT -p tcp --dport 22 -j ACCEPT'));
tester('iptables').run('ip-family-parity (Alpine sibling files)', rule, {
  valid: [{ code: V6('-A INPUT -p tcp --dport 22 -j ACCEPT'), filename: join(alpine, 'rules6-save') }],
  invalid: [
    {
      code: V6('-A INPUT -p tcp -m multiport --dports 22,1768 -j ACCEPT'),
      filename: join(alpine, 'rules6-save'),
      errors: [{ line: 5, message: 'Open for IPv6 but closed for IPv4 in rules-save: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from ::/0.' }],
    },
  ],
});

tester('nftables').run('ip-family-parity (inet table)', rule, {
  valid: [
    { code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n', filename: 'a.nft' },
    // the host's DHCPv6 client: an IPv6 protocol (IPv4 has DHCP on 67/68), no parity gap
    { code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip6 saddr fe80::/10 udp dport 546 accept\n  }\n}\n', filename: 'a.nft' },
  ],
  invalid: [
    {
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip saddr 10.0.0.0/8 tcp dport 22 accept\n    meta nfproto ipv6 tcp dport 3306 accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 5, message: 'Open for IPv6 but closed for IPv4: TCP 3306 (mysql) reachable from ::/0.' }],
    },
    {
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip6 saddr fe80::/10 udp dport { 546, 1761 } accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 4, message: 'Open for IPv6 but closed for IPv4: UDP 1761 (cft-0) reachable from fe80::/10.' }],
    },
  ],
});

