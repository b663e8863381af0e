/**
 * Rule options: every rule declares its options' JSON schema (`meta.schema`, ESLint's array form) and their defaults
 * (`meta.defaultOptions`), so that ESLint validates them wherever they are written — a configuration file, an inline
 * `eslint` comment of a firewall file or of CDK / Pulumi code — and reports an invalid one its usual way. What a
 * schema cannot say (a port range written high-low) is checked by the rule (rule-kit.ts checkOptions).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';
import { OPTIONS_SCHEMA as WORLD_OPEN } from '../../rules/no-world-open-sensitive-ports.js';
import { OPTIONS_SCHEMA as UNDECLARED } from '../../rules/no-undeclared-registered-ports.js';
import { OPTIONS_SCHEMA as SUPPRESSIONS } from '../../rules/no-unused-suppressions.js';
import { SENSITIVE_PORTS } from '../../src/catalog/index.js';
import { ROOT } from '../cli/helpers.js';

const TEXT = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';

function lint(rules: Record<string, unknown>, text = TEXT) {
  return new Linter().verify(text, [{ files: ['**/*.rules'], plugins: { firewall: plugin as never }, language: 'firewall/iptables', rules, settings: { firewall: { discovery: false } } }] as never, 'a.rules');
}

type Meta = { schema?: unknown; defaultOptions?: unknown[] };
const RULES = Object.entries(plugin.rules as Record<string, { meta: Meta }>);
const WITH_OPTIONS: Record<string, readonly object[]> = {
  'no-world-open-sensitive-ports': WORLD_OPEN,
  'no-undeclared-registered-ports': UNDECLARED,
  'no-unused-suppressions': SUPPRESSIONS,
};

describe('rule options', () => {
  it('every rule declares its schema (none: []) and its default options', () => {
    expect(RULES.map(([name, r]) => [name, r.meta.schema, r.meta.defaultOptions?.length])).toEqual(
      RULES.map(([name]) => [name, WITH_OPTIONS[name] ?? [], WITH_OPTIONS[name] ? 1 : 0]),
    );
    expect((plugin.rules['no-world-open-sensitive-ports'].meta as Meta).defaultOptions).toEqual([{ tcp: [...SENSITIVE_PORTS.tcp.keys()], udp: [...SENSITIVE_PORTS.udp.keys()] }]);
    expect((plugin.rules['no-undeclared-registered-ports'].meta as Meta).defaultOptions).toEqual([{ allow: [], includeCftBlock: false }]);
    expect((plugin.rules['no-unused-suppressions'].meta as Meta).defaultOptions).toEqual([{ 'require-reason': false }]);
  });

  it('the default options, written out, are valid and change nothing', () => {
    for (const [name, r] of RULES) {
      const given = lint({ [`firewall/${name}`]: ['error', ...(r.meta.defaultOptions ?? [])] });
      expect([name, given]).toEqual([name, lint({ [`firewall/${name}`]: 'error' })]);
    }
  });

  it('valid options are used; a list given replaces its default, the other keeps it', () => {
    expect(lint({ 'firewall/no-world-open-sensitive-ports': ['error', { tcp: [3389], udp: [] }] })).toEqual([]);
    expect(lint({ 'firewall/no-world-open-sensitive-ports': ['error', { udp: [] }] }).map((m) => [m.ruleId, m.line])).toEqual([['firewall/no-world-open-sensitive-ports', 5]]);
    expect(lint({ 'firewall/no-world-open-sensitive-ports': 'error' }).map((m) => [m.ruleId, m.line])).toEqual([['firewall/no-world-open-sensitive-ports', 5]]);
  });

  it('an invalid option is ESLint\'s configuration error naming the rule and the problem', () => {
    expect(() => lint({ 'firewall/no-world-open-sensitive-ports': ['error', { tcp: ['ssh'] }] })).toThrow(
      'Key "rules": Key "firewall/no-world-open-sensitive-ports":\n\tValue "ssh" should be integer.\n',
    );
    expect(() => lint({ 'firewall/no-undeclared-registered-ports': ['warn', { alow: [8080] }] })).toThrow(
      'Key "rules": Key "firewall/no-undeclared-registered-ports":\n\tValue {"allow":[],"includeCftBlock":false,"alow":[8080]} should NOT have additional properties.\n\t\tUnexpected property "alow". Expected properties: "allow", "includeCftBlock".\n',
    );
    expect(() => lint({ 'firewall/no-unused-suppressions': ['warn', { 'require-reason': 'yes' }] })).toThrow('\tValue "yes" should be boolean.');
    expect(() => lint({ 'firewall/no-world-open-sensitive-ports': ['error', { tcp: [70000] }] })).toThrow('\tValue 70000 should be <= 65535.');
    expect(() => lint({ 'firewall/no-world-open-sensitive-ports': ['error', {}, {}] })).toThrow('should NOT have more than 1 items.');
  });

  it('an allow entry of another shape is refused by the schema, a port above 65535 or a range written high-low by the rule: never an entry ignored silently', () => {
    expect(() => lint({ 'firewall/no-undeclared-registered-ports': ['warn', { allow: ['8080/tcp'] }] })).toThrow(
      'Key "rules": Key "firewall/no-undeclared-registered-ports":\n\tValue "8080/tcp" should be integer.\n\tValue "8080/tcp" should match pattern "^((tcp|udp)/)?[0-9]{1,5}(-[0-9]{1,5})?$".\n\tValue "8080/tcp" should match some schema in anyOf.\n',
    );
    expect(() => lint({ 'firewall/no-undeclared-registered-ports': ['warn', { allow: [8080, 'tcp/70000'] }] })).toThrow(
      'Configuration for rule "firewall/no-undeclared-registered-ports" is invalid:\n\tValue "tcp/70000" in "allow" is not a port 0–65535 or a range low-high of them.',
    );
    expect(() => lint({ 'firewall/no-undeclared-registered-ports': ['warn', { allow: ['udp/5010-5000'] }] })).toThrow(
      'Configuration for rule "firewall/no-undeclared-registered-ports" is invalid:\n\tValue "udp/5010-5000" in "allow" is not a port 0–65535 or a range low-high of them.',
    );
    expect(lint({ 'firewall/no-undeclared-registered-ports': ['warn', { allow: ['tcp/0-65535', '22', 65535] }] })).toEqual([]);
  });

  it('a rule without options refuses them', () => {
    expect(() => lint({ 'firewall/no-shadowed-rules': ['warn', { strict: true }] })).toThrow('Key "rules": Key "firewall/no-shadowed-rules":\n\tValue [{"strict":true}] should NOT have more than 0 items.\n');
  });
});

/** A schema's type as the docs' tables write it. */
function typeText(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.anyOf)) return `(${(schema.anyOf as Record<string, unknown>[]).map(typeText).join(' \\| ')})`;
  if (schema.type === 'array') return `${typeText(schema.items as Record<string, unknown>)}[]`;
  return String(schema.type);
}

describe('docs/rules/<rule>.md, section Options', () => {
  it('lists exactly the schema\'s options, with their types and defaults (none: "None:")', () => {
    for (const [name, r] of RULES) {
      const doc = readFileSync(join(ROOT, 'docs/rules', `${name}.md`), 'utf8');
      const section = /\n## Options\n\n([\s\S]*?)(?:\n## |$)/.exec(doc)?.[1];
      expect([name, section !== undefined]).toEqual([name, true]);
      const schema = (r.meta.schema as Record<string, unknown>[])[0];
      if (!schema) {
        expect([name, section!.startsWith('None:')]).toEqual([name, true]);
        continue;
      }
      const rows = [...section!.matchAll(/^\| `([^`]+)` \| (.+?) \| (.+?) \| .+ \|$/gm)].map((m) => [m[1], m[2], m[3]]);
      const props = schema.properties as Record<string, Record<string, unknown>>;
      const defaults = r.meta.defaultOptions![0] as Record<string, unknown>;
      expect([name, rows.map((x) => x[0])]).toEqual([name, Object.keys(props)]);
      for (const [option, type, def] of rows) {
        expect([name, option, type!.startsWith(typeText(props[option!]!))]).toEqual([name, option, true]);
        const value = defaults[option!];
        // a long default list is described by its size
        const expected = Array.isArray(value) && value.length > 8 ? new RegExp(`\\b${value.length}\\b`) : new RegExp(`^\`${JSON.stringify(value).replace(/[[\]]/g, '\\$&')}\``);
        expect([name, option, def]).toEqual([name, option, expect.stringMatching(expected)]);
      }
      expect([name, schema.additionalProperties]).toEqual([name, false]);
    }
  });
});
