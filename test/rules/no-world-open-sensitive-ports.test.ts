import { readFileSync } from 'node:fs';
import rule from '../../rules/no-world-open-sensitive-ports.js';
import { save, tester } from './tester.js';

tester('iptables').run('no-world-open-sensitive-ports', rule, {
  valid: [
    { code: save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules' },
    // half of the internet is not the whole internet, nor is all of it but 1.0.0.0/8 and 2.0.0.0/8 (more than 1/256 of it)
    { code: save('-A INPUT -s 0.0.0.0/1 -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules' },
    { code: save('-A INPUT -s 1.0.0.0/8 -j DROP', '-A INPUT -s 2.0.0.0/8 -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules' },
    // 1768 is not on the sensitive list
    { code: save('-A INPUT -p tcp --dport 1768 -j ACCEPT'), filename: 'a.rules' },
    // replaced list
    { code: save('-A INPUT -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules', options: [{ tcp: [3389], udp: [] }] },
  ],
  invalid: [
    {
      code: save('-A INPUT -p tcp -m multiport --dports 22,3389 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, message: 'Open: TCP 22 (ssh), 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/0).' }],
    },
    {
      // the interface is named where the line admits its sources only through some
      code: save('-A INPUT ! -i eth0 -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 via any except eth0).' }],
    },
    {
      // two halves make the whole
      code: save('-A INPUT -s 0.0.0.0/1 -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 128.0.0.0/1 -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        { line: 5, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/1 here, the rest through other rules).' },
        { line: 6, message: 'Open: TCP 22 (ssh) reachable from the whole internet (128.0.0.0/1 here, the rest through other rules).' },
      ],
    },
    {
      // a trusted LAN's accept before the world's: the LAN is no part of the internet, so its line opens nothing to
      // it (it was "Open: TCP 22 (ssh) reachable from the whole internet (192.168.1.0/24 here, the rest through other
      // rules)" at line 5, an error on the most common pattern there is)
      code: save('-A INPUT -s 192.168.1.0/24 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        { line: 6, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 except 192.168.1.0/24).' },
      ],
    },
    {
      // possibly open: the undecidable match is named
      code: save('-A INPUT -p tcp --dport 3389 -m limit --limit 5/min -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, message: /^Possibly open \(.*limit.*\): TCP 3389 \(ms-wbt-server\) reachable from the whole internet \(0\.0\.0\.0\/0\)\.$/ }],
    },
    {
      // an open half and a possibly open rest: the open line is only possibly open to the whole internet, and says
      // why; a port its certain part alone opens to the world (3389 at line 5) stays open, in a finding of its own
      code: save(
        '-A INPUT -s 0.0.0.0/1 -p tcp -m multiport --dports 22,3389 -j ACCEPT',
        '-A INPUT -p tcp --dport 3389 -j ACCEPT',
        '-A INPUT -s 128.0.0.0/1 -p tcp --dport 22 -m limit --limit 5/min -j ACCEPT',
      ),
      filename: 'a.rules',
      errors: [
        { line: 5, message: 'Open: TCP 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/1 here, the rest through other rules).' },
        { line: 5, message: 'Possibly open (-m limit --limit 5/min at line 7 may or may not match): TCP 22 (ssh) reachable from the whole internet (0.0.0.0/1 here, the rest through other rules).' },
        { line: 6, message: 'Open: TCP 3389 (ms-wbt-server) reachable from the whole internet (128.0.0.0/1 here, the rest through other rules).' },
        { line: 7, message: 'Possibly open (-m limit --limit 5/min at line 7 may or may not match): TCP 22 (ssh) reachable from the whole internet (128.0.0.0/1 here, the rest through other rules).' },
      ],
    },
  ],
});

// An Azure NSG: a rule whose source is an unresolved parameter is possibly open to the world (the reason names the
// expression's own line, 23, not the rule's first); the default rules admit
// only service tags (VirtualNetwork, AzureLoadBalancer) and open nothing to the internet themselves, so they get no
// finding of this rule, though their ports are the same.
const nsg = JSON.stringify(
  {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: { src: { type: 'string' } },
    resources: [
      {
        type: 'Microsoft.Network/networkSecurityGroups',
        apiVersion: '2023-04-01',
        name: 'nsg1',
        properties: {
          securityRules: [
            {
              name: 'admin',
              properties: {
                priority: 110,
                direction: 'Inbound',
                access: 'Allow',
                protocol: 'Tcp',
                sourceAddressPrefix: "[parameters('src')]",
                sourcePortRange: '*',
                destinationAddressPrefix: '*',
                destinationPortRanges: ['22', '3389'],
              },
            },
          ],
        },
      },
    ],
  },
  null,
  2,
);

tester('json').run('no-world-open-sensitive-ports (Azure service tags)', rule, {
  valid: [],
  invalid: [
    {
      code: nsg,
      filename: 'nsg.json',
      errors: [
        {
          line: 23,
          column: 38,
          message:
            "Possibly open ([parameters('src')] at line 23 may or may not match): TCP 22 (ssh), 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/0, ::/0).",
        },
      ],
    },
  ],
});

// A GCP rule without target tags is in the ruleset of every target tag and of "all instances": the same
// finding of it, word for word, is one finding, not one per ruleset.
tester('hcl').run('no-world-open-sensitive-ports (GCP rule in several target rulesets)', rule, {
  valid: [],
  invalid: [
    {
      code: `resource "google_compute_firewall" "web" {
  name          = "web"
  network       = "vpc"
  source_ranges = ["10.0.0.0/8"]
  target_tags   = ["web"]
  allow {
    protocol = "tcp"
    ports    = ["80"]
  }
}
resource "google_compute_firewall" "ssh" {
  name          = "ssh"
  network       = "vpc"
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}
`,
      filename: 'fw.tf',
      errors: [{ line: 14, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0).' }],
    },
  ],
});

// One written rule with two CIDRs is two rules of the model, the second holding what the first left: the line's
// finding names its sources, 0.0.0.0/0, not two findings from 192.168.0.0/16 and from "0.0.0.0/1, 128.0.0.0/2,
// 192.0.0.0/9 and 13 more here, the rest through other rules".
tester('hcl').run('no-world-open-sensitive-ports (a CIDR list on one line)', rule, {
  valid: [],
  invalid: [
    {
      code: `resource "aws_security_group" "fail" {
  name = "sg-bar"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["192.168.0.0/16", "0.0.0.0/0"]
  }
}
`,
      filename: 'sg.tf',
      errors: [{ line: 7, column: 38, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0).' }],
    },
  ],
});

// A public port published through DNAT to a sensitive one (Docker's `-p 13306:3306`) exposes that service: judged on
// the DNAT rule's entries, with the target named
const NAT = (...rules: string[]) => `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${rules.join('\n')}\nCOMMIT\n`;
tester('iptables').run('no-world-open-sensitive-ports (DNAT to a sensitive port)', rule, {
  valid: [
    // to a port off the list
    { code: NAT('-A PREROUTING -p tcp --dport 3306 -j DNAT --to-destination 172.17.0.2:8081') + save().replace(':FORWARD DROP', ':FORWARD ACCEPT'), filename: 'a.rules', options: [{ tcp: [22], udp: [] }] },
    // the host's own 13306 is another service than the container's 3306
    { code: NAT('-A PREROUTING -s 10.0.0.0/8 -p tcp --dport 13306 -j DNAT --to-destination 172.17.0.2:3306') + save('-A INPUT -p tcp --dport 13306 -j ACCEPT', '-A FORWARD -j ACCEPT'), filename: 'a.rules' },
    // Docker's `-p 127.0.0.1:5432:5432`: only packets sent to 127.0.0.1, which no router forwards, are published (a
    // neighbour on the link can still send them: the kernel DNATs before its martian check — no-undeclared says so)
    { code: NAT('-A PREROUTING -d 127.0.0.1/32 ! -i docker0 -p tcp --dport 5432 -j DNAT --to-destination 172.17.0.2:5432') + save('-A FORWARD -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp --dport 5432 -j ACCEPT'), filename: 'a.rules' },
    { code: NAT('-A PREROUTING -d 127.0.0.0/8 -p tcp --dport 2222 -j REDIRECT --to-ports 22') + save('-A INPUT -p tcp --dport 22 -j ACCEPT').replace('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 22 -m conntrack --ctstate DNAT -j ACCEPT'), filename: 'a.rules' },
  ],
  invalid: [
    {
      code: NAT('-A PREROUTING -i eth0 -p tcp --dport 13306 -j DNAT --to-destination 172.17.0.2:3306') + save('-A FORWARD -d 172.17.0.2 -p tcp --dport 3306 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 12, column: 33, message: 'Open: TCP 13306 reachable from the whole internet (0.0.0.0/0 via eth0), published through DNAT to 172.17.0.2:3306 (line 6).' }],
    },
  ],
});

// Docker's DOCKER-USER filter by the connection's original port (`-m conntrack --ctorigdstport 6379 --ctdir ORIGINAL`,
// Docker's packet-filtering guide): a DNAT'd packet's original tuple holds the port it arrived with, and a NEW
// packet's direction is ORIGINAL. Both were undecided: each published port was also "possibly open" via eth0, and
// the interfaces read "via (none), other".
const dockerUser = readFileSync(new URL('../../fixtures/iptables/docker-user-ctorig.rules', import.meta.url), 'utf8');
tester('iptables').run('no-world-open-sensitive-ports (Docker, DOCKER-USER by original port)', rule, {
  valid: [],
  invalid: [
    {
      code: dockerUser,
      filename: 'docker-user-ctorig.rules',
      options: [{ tcp: [22, 6379, 8080], udp: [] }],
      errors: [
        { line: 13, column: 24, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0).' },
        { line: 24, column: 66, message: 'Open: TCP 8080 (http-alt) reachable from the whole internet (0.0.0.0/0 via any except br-3f2a1c9d8e7b, docker0), published through DNAT to 172.17.0.2:80 (line 47).' },
        { line: 25, column: 82, message: 'Open: TCP 6379 (redis) reachable from the whole internet (0.0.0.0/0 via any except br-3f2a1c9d8e7b, docker0, eth0), published through DNAT to 172.18.0.4:6379 (line 48).' },
      ],
    },
  ],
});

// firewalld's forward-port to a local port is an nft `redirect to :22`: named as the REDIRECT it is (it read
// "published through DNAT to redirect :22")
tester('nftables').run('no-world-open-sensitive-ports (firewalld forward-port, REDIRECT)', rule, {
  valid: [],
  invalid: [
    {
      code: 'table inet firewalld {\n\tchain nat_PRE_public_allow {\n\t\ttype nat hook prerouting priority dstnat + 10; policy accept;\n\t\tmeta nfproto ipv4 tcp dport 2222 redirect to :22\n\t}\n\n\tchain filter_INPUT {\n\t\ttype filter hook input priority filter + 10; policy accept;\n\t\tct state { established, related } accept\n\t\tct status dnat accept\n\t\tiifname "lo" accept\n\t\tct state invalid drop\n\t\treject with icmpx admin-prohibited\n\t}\n}\n',
      filename: 'firewalld.nft',
      errors: [{ line: 10, column: 3, message: 'Open: TCP 2222 (EtherNet/IP-1) reachable from the whole internet (0.0.0.0/0), published through REDIRECT to :22 (line 4).' }],
    },
  ],
});

// The internet but for a deny list is the internet: fail2ban's bans, CSF's deny file or an anti-spoofing drop of private
// sources before `--dport 22 -j ACCEPT` left SSH "reachable from 0.0.0.0/1, 128.0.0.0/2, …", which was not the whole
// internet, and nothing was reported. The sources may miss 1/256 of the internet's addresses (about a /8's worth).
tester('iptables').run('no-world-open-sensitive-ports (the internet but for a deny list)', rule, {
  valid: [],
  invalid: [
    {
      code: save('-A INPUT ! -s 192.0.2.1 -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, column: 32, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 except 192.0.2.1/32).' }],
    },
    {
      // fail2ban: the jail's chain rejects the banned addresses and returns
      code: [
        '*filter',
        ':INPUT DROP [0:0]',
        ':FORWARD DROP [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':f2b-sshd - [0:0]',
        '-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd',
        '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
        '-A f2b-sshd -s 198.51.100.23/32 -j REJECT --reject-with icmp-port-unreachable',
        '-A f2b-sshd -s 203.0.113.0/24 -j REJECT --reject-with icmp-port-unreachable',
        '-A f2b-sshd -s 45.33.32.156/32 -j REJECT --reject-with icmp-port-unreachable',
        '-A f2b-sshd -j RETURN',
        'COMMIT',
        '',
      ].join('\n'),
      filename: 'a.rules',
      errors: [{ line: 7, column: 24, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 except 45.33.32.156/32, 198.51.100.23/32, 203.0.113.0/24).' }],
    },
    {
      // a longer deny list is named by its first blocks and counted
      code: save(...['198.51.100.1', '198.51.100.3', '198.51.100.5', '198.51.100.7', '198.51.100.9', '198.51.100.11'].map((a) => `-A INPUT -s ${a}/32 -j DROP`), '-A INPUT -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 11, column: 17, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 except 198.51.100.1/32, 198.51.100.3/32, 198.51.100.5/32 and 3 more).' }],
    },
    {
      // anti-spoofing on the uplink: private sources dropped
      code: save('-A INPUT -s 10.0.0.0/8 -j DROP', '-A INPUT -s 172.16.0.0/12 -j DROP', '-A INPUT -s 192.168.0.0/16 -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 8, column: 17, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16).' }],
    },
  ],
});

// Sources the kernel drops as martians before INPUT (ip_route_input_slow: 127.0.0.0/8 off lo, multicast, 0.0.0.0/8,
// 255.255.255.255; ip6_rcv_core: ::1, ff00::/8) are no part of the internet: an anti-spoofing drop of them left SSH
// "reachable from 0.0.0.0/1, 128.0.0.0/2, …", which was not the whole internet, and nothing was reported
tester('iptables').run('no-world-open-sensitive-ports (anti-spoofing drops of martian sources)', rule, {
  valid: [],
  invalid: [
    {
      code: save('-A INPUT -s 127.0.0.0/8 ! -i lo -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 6, column: 17, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 except 127.0.0.0/8).' }],
    },
    {
      // Shorewall's smurfs chain; the multicast and zero-network sources together
      code: save('-A INPUT -s 224.0.0.0/4 -j DROP', '-A INPUT -s 0.0.0.0/8 -j DROP', '-A INPUT -s 255.255.255.255 -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 8, column: 17, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0 except 0.0.0.0/8, 224.0.0.0/4, 255.255.255.255/32).' }],
    },
    {
      code: ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -s ::1/128 ! -i lo -j DROP', '-A INPUT -s ff00::/8 -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n'),
      filename: 'a.rules.v6',
      errors: [{ line: 7, column: 17, message: 'Open: TCP 22 (ssh) reachable from the whole internet (::/0 except ::1/128, ff00::/8).' }],
    },
  ],
});

// An IPv6 unique-local network's accept (fd00::/8, no part of the internet) before the world's: its line opens nothing to
// the internet (it was "Open: TCP 22 (ssh) reachable from the whole internet (fd00::/8 here, the rest through other rules)")
tester('nftables').run('no-world-open-sensitive-ports (a private IPv6 network before the world)', rule, {
  valid: [],
  invalid: [
    {
      code: 'table ip6 filter {\n  chain input {\n    type filter hook input priority filter; policy drop;\n    ip6 saddr fd00::/8 accept\n    tcp dport 22 accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 5, message: 'Open: TCP 22 (ssh) reachable from the whole internet (::/0 except fd00::/8).' }],
    },
  ],
});
