/**
 * Rule options are validated by the rules (ruleOptions), not by ESLint (meta.schema: false,
 * which spares ESLint's schema validator on every run without options): an invalid option is
 * still a configuration error naming the rule and the problem, valid ones work, and a rule
 * that takes no options refuses them.
 */
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';
import { optionsProblem } from '../../src/eslint/rule-kit.js';
import { OPTIONS_SCHEMA as WORLD_OPEN } from '../../rules/no-world-open-sensitive-ports.js';
import { OPTIONS_SCHEMA as UNDECLARED } from '../../rules/no-undeclared-registered-ports.js';
import { OPTIONS_SCHEMA as SUPPRESSIONS } from '../../rules/no-unused-suppressions.js';

const TEXT = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';

function lint(rules: Record<string, unknown>) {
  return new Linter().verify(TEXT, [{ files: ['**/*.rules'], plugins: { firewall: plugin as never }, language: 'firewall/iptables', rules, settings: { firewall: { discovery: false } } }] as never, 'a.rules');
}

describe('rule options', () => {
  it('every recommended rule declares schema false and validates its own options', () => {
    for (const [name, rule] of Object.entries(plugin.rules as Record<string, { meta: { schema?: unknown } }>)) expect([name, rule.meta.schema]).toEqual([name, false]);
  });

  it('valid options are used', () => {
    const messages = lint({ 'firewall/no-world-open-sensitive-ports': ['error', { tcp: [3389], udp: [] }] });
    expect(messages).toEqual([]);
    expect(lint({ 'firewall/no-world-open-sensitive-ports': 'error' }).map((m) => [m.ruleId, m.line])).toEqual([['firewall/no-world-open-sensitive-ports', 5]]);
  });

  it('an invalid option is a configuration error naming the rule and the problem', () => {
    expect(() => lint({ 'firewall/no-world-open-sensitive-ports': ['error', { tcp: ['ssh'] }] })).toThrow(
      /Configuration for rule "firewall\/no-world-open-sensitive-ports" is invalid:\n\toptions\/0\/tcp\/0 must be integer/,
    );
    expect(() => lint({ 'firewall/no-undeclared-registered-ports': ['warn', { alow: [8080] }] })).toThrow(/firewall\/no-undeclared-registered-ports[\s\S]*must NOT have additional properties/);
  });

  it('a port above 65535 or a range written high-low in allow is a configuration error, not an entry ignored silently', () => {
    expect(() => lint({ 'firewall/no-undeclared-registered-ports': ['warn', { allow: [8080, 'tcp/70000'] }] })).toThrow(
      'Configuration for rule "firewall/no-undeclared-registered-ports" is invalid:\n\toptions/0/allow/1 "tcp/70000" is not a port 0–65535 or a range low-high of them',
    );
    expect(() => lint({ 'firewall/no-undeclared-registered-ports': ['warn', { allow: ['udp/5010-5000'] }] })).toThrow(
      'Configuration for rule "firewall/no-undeclared-registered-ports" is invalid:\n\toptions/0/allow/0 "udp/5010-5000" is not a port 0–65535 or a range low-high of them',
    );
    expect(lint({ 'firewall/no-undeclared-registered-ports': ['warn', { allow: ['tcp/0-65535', '22'] }] })).toEqual([]);
  });

  it('a rule without options refuses them', () => {
    expect(() => lint({ 'firewall/no-shadowed-rules': ['warn', { strict: true }] })).toThrow(/Configuration for rule "firewall\/no-shadowed-rules" is invalid:\n\toptions must NOT have more than 0 items/);
  });

  it('the schemas accept what the docs show and refuse the rest', () => {
    expect(optionsProblem([{ allow: [8080, 'tcp/8443', 'udp/5000-5010'], includeCftBlock: true }], UNDECLARED)).toBeUndefined();
    expect(optionsProblem([{ allow: ['8080/tcp'] }], UNDECLARED)).toMatch(/must match pattern/);
    expect(optionsProblem([{ 'require-reason': true }], SUPPRESSIONS)).toBeUndefined();
    expect(optionsProblem([{ 'require-reason': 'yes' }], SUPPRESSIONS)).toMatch(/must be boolean/);
    expect(optionsProblem([{ tcp: [22, 3389], udp: [161] }], WORLD_OPEN)).toBeUndefined();
    expect(optionsProblem([{ tcp: [70000] }], WORLD_OPEN)).toMatch(/must be <= 65535/);
    expect(optionsProblem([{}, {}], WORLD_OPEN)).toMatch(/must NOT have more than 1 items/);
  });
});
