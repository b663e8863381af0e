import rule from '../../rules/no-permissive-default-policy.js';
import { tester } from './tester.js';

const MANGLE = '*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n';
const FILE = (input: string, extra = '') => `*filter\n:INPUT ${input} [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${extra}COMMIT\n`;

tester('iptables').run('no-permissive-default-policy (iptables)', rule, {
  valid: [
    { code: FILE('DROP'), filename: 'a.rules' },
    { code: FILE('ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n'), filename: 'a.rules' },
    // mangle's INPUT runs before filter's: filter's DROP policy still drops what no rule accepted
    { code: MANGLE + FILE('DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT\n'), filename: 'a.rules' },
    // mangle's PREROUTING drops by default: only what it accepts reaches INPUT and FORWARD
    {
      code: '*mangle\n:PREROUTING DROP [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 22 -j ACCEPT\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n',
      filename: 'a.rules',
    },
    // a catch-all jump to a chain that logs and drops
    { code: FILE('ACCEPT', ':LOGDROP - [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j LOGDROP\n-A LOGDROP -j LOG\n-A LOGDROP -j DROP\n'), filename: 'a.rules' },
    // RHEL's layout: every packet jumps to a chain that ends with a reject, none comes back to the policy
    {
      code: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:RH-Firewall-1-INPUT - [0:0]\n-A INPUT -j RH-Firewall-1-INPUT\n-A RH-Firewall-1-INPUT -p tcp --dport 22 -j ACCEPT\n-A RH-Firewall-1-INPUT -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n',
      filename: 'a.rules',
    },
  ],
  invalid: [
    {
      // a goto from the chain jumped to: the end of Y returns packets from 10.0.0.0/8 to INPUT, not to X
      code: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:X - [0:0]\n:Y - [0:0]\n-A INPUT -j X\n-A X -s 10.0.0.0/8 -g Y\n-A X -j DROP\nCOMMIT\n',
      filename: 'a.rules',
      errors: [{ line: 2, column: 1, messageId: 'permissive' }],
    },
    {
      // the chain may RETURN some packets to INPUT, whose policy then accepts them
      code: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-A X -s 10.0.0.0/8 -j RETURN\n-A X -j DROP\nCOMMIT\n',
      filename: 'a.rules',
      errors: [{ line: 2, column: 1, message: 'Chain INPUT (input hook) accepts by default and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      // a script that never sets ip6tables' FORWARD policy: reported on the first ip6tables command, and says why
      code: '#!/bin/sh\niptables -P INPUT DROP\niptables -P FORWARD DROP\nip6tables -P INPUT DROP\nip6tables -A INPUT -p tcp --dport 22 -j ACCEPT\n',
      filename: 'a.sh',
      errors: [{ line: 4, column: 1, message: 'Chain FORWARD (forward hook) accepts IPv6 by default (this script sets no policy for it: it keeps the one it had before, ACCEPT unless something else set it) and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      // flushed: FORWARD's rules are gone, its policy is still the one it had (was: "the default is accept")
      code: '#!/bin/sh\niptables -F\niptables -P INPUT DROP\niptables -P FORWARD DROP\nip6tables -F\nip6tables -P INPUT DROP\nip6tables -A INPUT -p tcp --dport 22 -j ACCEPT\n',
      filename: 'a.sh',
      errors: [{ line: 5, column: 1, message: 'Chain FORWARD (forward hook) accepts IPv6 by default (this script sets no policy for it: it keeps the one it had before, ACCEPT unless something else set it) and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      code: FILE('ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT\n'),
      filename: 'a.rules',
      errors: [{ line: 2, column: 1, message: 'Chain INPUT (input hook) accepts by default and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      // both accept by default: the filter table's chain is the one reported (mangle's INPUT is line 3, filter's 9)
      code: MANGLE + FILE('ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 9, column: 1, messageId: 'permissive' }],
    },
    {
      // the chain jumped to returns packets from 10.0.0.0/8 to INPUT, whose policy accepts them
      code: FILE('ACCEPT', ':CHK - [0:0]\n-A INPUT -j CHK\n-A CHK -s 10.0.0.0/8 -j RETURN\n-A CHK -j DROP\n'),
      filename: 'a.rules',
      errors: [{ line: 2, column: 1, messageId: 'permissive' }],
    },
  ],
});

tester('nftables').run('no-permissive-default-policy (nftables)', rule, {
  valid: [
    { code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n', filename: 'a.nft' },
    {
      // fail2ban's table: an accept-policy chain before the filter chain, which drops by default
      code: 'table inet filter {\n  chain input { type filter hook input priority filter; policy drop; tcp dport 22 accept; }\n}\ntable inet f2b-table {\n  chain f2b-chain { type filter hook input priority filter - 1; policy accept; ip saddr 192.0.2.7 tcp dport 22 reject; }\n}\n',
      filename: 'a.nft',
    },
    // the prerouting chain drops by default: the input chain sees only what it accepted
    { code: 'table inet f {\n  chain pre {\n    type filter hook prerouting priority -150; policy drop;\n    tcp dport 22 accept\n  }\n  chain input {\n    type filter hook input priority 0; policy accept;\n  }\n}\n', filename: 'a.nft' },
    // one catch-all drop per family, each matching only its family: every packet is dropped
    { code: 'table inet f {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 22 accept\n    meta nfproto ipv4 drop\n    meta nfproto ipv6 counter drop\n  }\n}\n', filename: 'a.nft' },
  ],
  invalid: [
    {
      // IPv4 alone is dropped at the end: IPv6 packets the rules forget are accepted
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 22 accept\n    meta nfproto ipv4 drop\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 2, message: 'Chain input (input hook) accepts IPv6 by default (no policy is set for it, and the default is accept) and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      // a prerouting chain that accepts by default decides nothing for the input chain
      code: 'table inet f {\n  chain pre {\n    type filter hook prerouting priority -150; policy accept;\n    tcp dport 23 drop\n  }\n  chain input {\n    type filter hook input priority 0; policy accept;\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 7, messageId: 'permissive' }],
    },
    {
      // no policy written: nftables defaults to accept
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 22 accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 2, message: 'Chain input (input hook) accepts by default (no policy is set for it, and the default is accept) and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      // an ip table drops IPv4 by default; nothing drops IPv6
      code: 'table ip v4 {\n  chain input { type filter hook input priority 0; policy drop; }\n}\ntable inet all {\n  chain input { type filter hook input priority 10; policy accept; tcp dport 22 accept; }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 5, message: 'Chain input (input hook) accepts IPv6 by default and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.' }],
    },
    {
      // two chains that both accept by default: each is reported
      code: 'table inet a {\n  chain i1 { type filter hook input priority 0; policy accept; }\n}\ntable inet b {\n  chain i2 { type filter hook input priority 10; tcp dport 22 accept; }\n}\n',
      filename: 'a.nft',
      errors: [
        { line: 2, messageId: 'permissive' },
        { line: 5, messageId: 'permissive' },
      ],
    },
  ],
});

// `flush ruleset` makes the file the host's whole ruleset: a family none of its tables filters on the way in is not
// filtered at all (the kernel runs no chain for its packets). Without the flush, other files may filter it.
const ip6Only = 'table ip6 f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n';
tester('nftables').run('no-permissive-default-policy (nftables: a whole ruleset without a family)', rule, {
  valid: [
    { code: ip6Only, filename: 'a.nft' },
    { code: `flush ruleset\n${ip6Only.replace('ip6', 'inet')}`, filename: 'a.nft' },
    // a netdev ingress chain is where this file filters: not "no chain"
    { code: 'flush ruleset\ntable netdev n {\n  chain ing {\n    type filter hook ingress device "eth0" priority 0; policy drop;\n  }\n}\n', filename: 'a.nft' },
  ],
  invalid: [
    {
      code: `flush ruleset\n${ip6Only}`,
      filename: 'a.nft',
      errors: [{ line: 1, column: 1, message: 'No IPv4 input chain: this file replaces the whole ruleset (flush ruleset, line 1) and none of its tables filters IPv4 on the input hook, so every IPv4 packet is let in. Use an inet table, or add an ip table with an input chain.' }],
    },
  ],
});

tester('json').run('no-permissive-default-policy (nftables JSON: a whole ruleset without a family)', rule, {
  valid: [],
  invalid: [
    {
      code: JSON.stringify(
        {
          nftables: [
            { flush: { ruleset: null } },
            { table: { family: 'ip', name: 'f' } },
            { chain: { family: 'ip', table: 'f', name: 'input', type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
          ],
        },
        null,
        2,
      ),
      filename: 'a.json',
      errors: [{ line: 3, column: 5, message: /^No IPv6 input chain: this file replaces the whole ruleset \(flush ruleset, line 3\)/ }],
    },
  ],
});
