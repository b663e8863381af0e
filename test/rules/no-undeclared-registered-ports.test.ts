import rule from '../../rules/no-undeclared-registered-ports.js';
import { save, tester } from './tester.js';

tester('iptables', { deployments: [{ service: 'postgres', targets: ['db01'] }] }).run('no-undeclared-registered-ports', rule, {
  valid: [
    { code: save('-A INPUT -p tcp --dport 443 -j ACCEPT'), filename: 'a.rules' }, // not a registered port
    { code: save('-A INPUT -p tcp --dport 8080 -j ACCEPT'), filename: 'a.rules', options: [{ allow: ['tcp/8080'] }] },
    { code: `# fwlint-target: db01\n${save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 5432 -j ACCEPT')}`, filename: 'db.rules' },
    // the CFT block is the other rule's business
    { code: save('-A INPUT -p tcp --dport 1768 -j ACCEPT'), filename: 'a.rules' },
  ],
  invalid: [
    {
      code: save('-A INPUT -p tcp -m multiport --dports 4444,8080 -j ACCEPT'),
      filename: 'a.rules',
      options: [{ allow: [8080] }],
      errors: [{ line: 5, message: 'Open: TCP 4444 (nv-video) reachable from 0.0.0.0/0 but not declared as expected on a.rules.' }],
    },
    {
      code: save('-A INPUT -p tcp --dport 1768 -j ACCEPT'),
      filename: 'a.rules',
      options: [{ includeCftBlock: true }],
      errors: [{ line: 5, message: 'Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0 but not declared as expected on a.rules.' }],
    },
    {
      // postgres runs on db01, not here
      code: `# fwlint-target: web01\n${save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 5432 -j ACCEPT')}`,
      filename: 'web.rules',
      errors: [{ line: 6, message: 'Open: TCP 5432 (postgresql) reachable from 10.0.0.0/8 but not declared as expected on web01.' }],
    },
    {
      // Transfer CFT moved to 2761-2762 for 10.0.0.0/8: those ports are declared, but opened wider; 2763 is not declared
      code: `# fwlint-target: mft07\n# fwlint-deployment: transfer-cft ports=tcp:2761-2762 sources=10.0.0.0/8\n${save('-A INPUT -p tcp -m multiport --dports 2761:2763 -j ACCEPT')}`,
      filename: 'mft.rules',
      errors: [
        { line: 7, message: 'Open: TCP 2763 (desktop-dna) reachable from 0.0.0.0/0 but not declared as expected on mft07.' },
        { line: 7, message: 'Open: TCP 2761 (dicom-iscl), 2762 (dicom-tls) of the Transfer CFT deployment on mft07 per mft.rules:2 reachable from 0.0.0.0/0, wider than its declared sources 10.0.0.0/8.' },
      ],
    },
  ],
});

const gcpRule = (name: string, ports: string, extra = '') =>
  `  {"name":"${name}","network":"projects/p/global/networks/prod-vpc","direction":"INGRESS","priority":1000,\n   "sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"tcp","ports":["${ports}"]}]${extra}}`;

// A GCP rule without target tags is in the ruleset of every target tag and of the network's other instances: one
// finding of the written rule naming the network, not one per ruleset ("on tag:web, web, prod-vpc", "on prod-vpc").
tester('json').run('no-undeclared-registered-ports (GCP rule in several target rulesets)', rule, {
  valid: [],
  invalid: [
    {
      code: `[\n${gcpRule('allow-alt', '8080')},\n${gcpRule('allow-web', '443', ',"targetTags":["web"]')}\n]\n`,
      filename: 'fw.json',
      errors: [{ line: 3, message: 'Open: TCP 8080 (http-alt) reachable from 0.0.0.0/0 but not declared as expected on prod-vpc.' }],
    },
  ],
});

// A suppression with sources= accepts a too-wide finding whose excess beyond the declared sources it covers.
tester('iptables').run('no-undeclared-registered-ports (sources= suppression of a too-wide finding)', rule, {
  valid: [
    {
      code: `# fwlint-target: db02\n# fwlint-deployment: postgres sources=10.0.0.0/8\n${save('# fwlint-ignore sources=11.0.0.0/8 -- partner network', '-A INPUT -s 10.0.0.0/7 -p tcp --dport 5432 -j ACCEPT')}`,
      filename: 'db.rules',
    },
  ],
  invalid: [],
});

// Docker's `-p 127.0.0.1:5432:5432`: the DNAT takes only packets sent to 127.0.0.1. The kernel rewrites them in
// PREROUTING, before its martian check, so a neighbour on the link that sends one reaches the container (checked in
// namespaces with route_localnet=0); the finding stays, and says who can send them.
const NAT = (...rules: string[]) => `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${rules.join('\n')}\nCOMMIT\n`;
tester('iptables').run('no-undeclared-registered-ports (published on 127.0.0.1 only)', rule, {
  valid: [],
  invalid: [
    {
      code: NAT('-A PREROUTING -d 127.0.0.1/32 ! -i docker0 -p tcp --dport 5432 -j DNAT --to-destination 172.17.0.2:5432') + save('-A FORWARD -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp --dport 5432 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        {
          line: 12,
          message:
            "Open: TCP 5432 (postgresql) reachable from 0.0.0.0/0 via any except docker0 but not declared as expected on a.rules, published through DNAT to 172.17.0.2:5432 (line 6) of packets sent to 127.0.0.1/32, which only hosts on this host's links can send.",
        },
      ],
    },
  ],
});
