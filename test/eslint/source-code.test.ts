import { Linter } from 'eslint';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';

/** ESLint's own recommended rules (what `js.configs.recommended` turns on), with no `files`: they reach every file. */
const JS_RECOMMENDED = Object.fromEntries([...builtinRules].filter(([, r]) => r.meta?.docs?.recommended && !r.meta.deprecated).map(([name]) => [name, 'error']));

const FILES: [string, string][] = [
  ['rules.v4', '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n# a comment\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n'],
  ['fw.nft', 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    # a comment\n    tcp dport 22 accept\n  }\n}\n'],
  ['main.tf', 'resource "aws_security_group" "web" {\n  # a comment\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'],
  ['sg.yaml', 'Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x  # a comment\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n'],
  ['sg.json', '{"SecurityGroups":[{"GroupId":"sg-1","GroupName":"web","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]}]}\n'],
];

describe('a JavaScript config without files (js.configs.recommended) beside the plugin', () => {
  it.each(FILES)('%s: only the firewall findings (ESLint stopped: "sourceCode.getAllComments is not a function")', (name, text) => {
    const config = [{ rules: JS_RECOMMENDED }, ...plugin.configs.recommended!, { settings: { firewall: { discovery: false } } }];
    const messages = new Linter({ cwd: '/nonexistent' }).verify(text, config as never, `/nonexistent/${name}`);
    expect(messages.map((m) => [m.ruleId, m.message.slice(0, 30)])).toEqual([['firewall/no-world-open-sensitive-ports', 'Open: TCP 22 (ssh) reachable f']]);
  });
});

describe('an inline `# eslint firewall/…` configuration', () => {
  const lint = (first: string) =>
    new Linter({ cwd: '/nonexistent' })
      .verify(`${first}\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 3389 -j ACCEPT\nCOMMIT\n`, [...plugin.configs.recommended!, { settings: { firewall: { discovery: false } } }] as never, '/nonexistent/a.rules')
      .filter((m) => m.ruleId !== 'firewall/no-undeclared-registered-ports')
      .map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message.split(' reachable')[0]}`);

  it('with a bad option is a problem at the comment, not applied (it stopped the whole run: "Error while loading rule")', () => {
    expect(lint('# eslint firewall/no-world-open-sensitive-ports: ["error", {"tcp": ["ssh"]}]')).toEqual([
      '1:1 firewall/no-world-open-sensitive-ports Inline configuration for rule "firewall/no-world-open-sensitive-ports" is invalid:\n\tValue "ssh" should be integer.\n',
      '5:17 firewall/no-world-open-sensitive-ports Open: TCP 22 (ssh)',
      '6:17 firewall/no-world-open-sensitive-ports Open: TCP 3389 (ms-wbt-server)',
    ]);
    expect(lint('# eslint firewall/no-shadowed-rules: ["warn", {"strict": true}]')[0]).toBe(
      '1:1 firewall/no-shadowed-rules Inline configuration for rule "firewall/no-shadowed-rules" is invalid:\n\tValue [{"strict":true}] should NOT have more than 0 items.\n',
    );
  });

  it('with a range written high-low (what the schema cannot say) is a problem at the comment, and the rule does nothing', () => {
    const messages = new Linter({ cwd: '/nonexistent' }).verify(
      '# eslint firewall/no-undeclared-registered-ports: ["error", {"allow": ["udp/5010-5000"]}]\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 8080 -j ACCEPT\nCOMMIT\n',
      [...plugin.configs.recommended!, { settings: { firewall: { discovery: false } } }] as never,
      '/nonexistent/a.rules',
    );
    expect(messages.filter((m) => m.ruleId === 'firewall/no-undeclared-registered-ports').map((m) => [m.line, m.column, m.endLine, m.severity, m.message])).toEqual([
      [1, 1, 1, 2, 'Inline configuration for rule "firewall/no-undeclared-registered-ports" is invalid:\n\tValue "udp/5010-5000" in "allow" is not a port 0–65535 or a range low-high of them.\n'],
    ]);
  });

  it('with good options applies them', () => {
    expect(lint('# eslint firewall/no-world-open-sensitive-ports: ["error", {"tcp": [3389]}]')).toEqual(['6:17 firewall/no-world-open-sensitive-ports Open: TCP 3389 (ms-wbt-server)']);
  });
});

describe('an inline `eslint` configuration comment in each language', () => {
  // (a file that opens TCP 22 to the world, with `C` where a comment is written in the format's syntax)
  const OPEN: [string, string][] = [
    ['rules.v4', 'C\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n'],
    ['fw.sh', '#!/bin/sh\nC\niptables -F\niptables -P INPUT DROP\niptables -P FORWARD DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n'],
    ['fw.nft', 'C\ntable inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n'],
    ['main.tf', 'C\nresource "aws_security_group" "web" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'],
    ['sg.yaml', 'C\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n'],
    ['sg.json', '{\nC\n"SecurityGroups":[{"GroupId":"sg-1","GroupName":"web","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]}]}\n'],
    ['gcp.json', '{\nC\n"items":[{"name":"ssh","network":"global/networks/default","direction":"INGRESS","priority":1000,"sourceRanges":["0.0.0.0/0"],"allowed":[{"IPProtocol":"tcp","ports":["22"]}]}]}\n'],
    [
      'nsg.bicep',
      "C\nresource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {\n  name: 'nsg'\n  location: 'westeurope'\n  properties: {\n    securityRules: [\n      {\n        name: 'ssh'\n        properties: {\n          priority: 100\n          direction: 'Inbound'\n          access: 'Allow'\n          protocol: 'Tcp'\n          sourceAddressPrefix: 'Internet'\n          sourcePortRange: '*'\n          destinationAddressPrefix: '*'\n          destinationPortRange: '22'\n        }\n      }\n    ]\n  }\n}\n",
    ],
  ];
  const comment = (name: string, body: string) => (/\.(json|bicep)$/.test(name) ? `/* ${body} */` : `# ${body}`);
  const lint = (name: string, text: string, body: string) =>
    new Linter({ cwd: '/nonexistent' })
      .verify(text.replace('C', comment(name, body)), [...plugin.configs.recommended!, { settings: { firewall: { discovery: false } } }] as never, `/nonexistent/${name}`)
      .filter((m) => m.ruleId === 'firewall/no-world-open-sensitive-ports')
      .map((m) => `${m.line} ${m.message.split('\n')[0]!.slice(0, 40)}`);

  it.each(OPEN)('%s: valid options apply, invalid ones are ESLint\'s error at the comment (a JSON file\'s comments were not read)', (name, text) => {
    const line = text.split('\n').findIndex((l) => l === 'C') + 1;
    const open = lint(name, text, 'a comment');
    expect(open).toEqual([expect.stringMatching(/^\d+ Open: TCP 22 \(ssh\) reachable from the w/)]);
    expect(lint(name, text, 'eslint firewall/no-world-open-sensitive-ports: [error, {tcp: [3389]}]')).toEqual([]);
    expect(lint(name, text, 'eslint firewall/no-world-open-sensitive-ports: [error, {tcp: [ssh]}]')).toEqual([
      `${line} Inline configuration for rule "firewall/`,
      ...open,
    ]);
    expect(lint(name, text, 'eslint-disable firewall/no-world-open-sensitive-ports')).toEqual([]);
  });
});
