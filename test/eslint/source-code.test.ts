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
