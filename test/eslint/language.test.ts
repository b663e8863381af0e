import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';
import { parseWithFormat } from '../../src/eslint/language.js';
import { formatById } from '../../src/parsers/registry.js';
import '../../src/parsers/formats.js';

describe('the include reader', () => {
  it('expands nft include wildcards relative to the including file, in alphabetical order, skipping dot files and directories', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-include-'));
    mkdirSync(join(d, 'conf.d', 'sub.nft'), { recursive: true });
    writeFileSync(join(d, 'conf.d', '20-b.nft'), 'add rule inet t c tcp dport 1762 accept\n');
    writeFileSync(join(d, 'conf.d', '10-a.nft'), 'add rule inet t c tcp dport 1761 accept\n');
    writeFileSync(join(d, 'conf.d', '.30-hidden.nft'), 'add rule inet t c tcp dport 1763 accept\n');
    const main = 'table inet t {\n chain c {\n }\n}\ninclude "./conf.d/*.nft"\ninclude "none.d/*.nft"\n';
    const doc = parseWithFormat(formatById('nftables')!, main, join(d, 'main.nft'));
    expect(doc.diagnostics.map((x) => `${x.severity} ${x.code} ${x.span.start.line}`)).toEqual(['warning nftables/include-empty 6']);
    const rules = doc.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => r.text)).toEqual(['tcp dport 1761 accept', 'tcp dport 1762 accept']);
  });

  it('an include of a directory is a warning: nft 1.0.6 loads nothing from it and exits 0', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-include-'));
    mkdirSync(join(d, 'conf.d'));
    writeFileSync(join(d, 'conf.d', '10-a.nft'), 'add rule inet t c tcp dport 1761 accept\n');
    const doc = parseWithFormat(formatById('nftables')!, 'include "./conf.d/"\n', join(d, 'main.nft'));
    expect(doc.diagnostics.map((x) => `${x.severity} ${x.code} ${x.span.start.line}`)).toEqual(['warning nftables/include-empty 1']);
    expect(doc.diagnostics[0]!.message).toContain('is a directory');
  });
});

describe('languageOptions', () => {
  const lint = (languageOptions: Record<string, unknown>) =>
    new Linter().verify('*filter\n:INPUT DROP [0:0]\nCOMMIT\n', [{ files: ['**/*.rules'], plugins: { firewall: plugin as never }, language: 'firewall/iptables', languageOptions }] as never, 'a.rules');

  it('variables must be an object: anything else is a configuration error, not ignored', () => {
    expect(lint({ variables: { cidr: '10.0.0.0/8' } })).toEqual([]);
    for (const [v, shown] of [[5, '5'], ['x', '"x"'], [[1], '[1]'], [null, 'null']] as const) {
      expect(() => lint({ variables: v })).toThrow(
        `Key "languageOptions": Key "variables": expected an object of variable names and values (Terraform variables, CloudFormation parameters), got ${shown}.`,
      );
    }
    // the ids are named: a misspelt one ("terrafrom") is corrected without reading the source
    expect(() => lint({ format: 'terrafrom' })).toThrow(
      'Key "languageOptions": Unknown firewall format "terrafrom": one of iptables-save, iptables-script, nftables, nftables-json, aws, cloudformation-yaml, terraform, terraform-plan, terraform-state, gcp, gcp-yaml, azure, bicep.',
    );
    expect(() => lint({ format: 42 })).toThrow('Key "languageOptions": Unknown firewall format 42: one of iptables-save,');
    // a JavaScript languageOptions object meant for every file does not break firewall files
    expect(lint({ ecmaVersion: 2022, sourceType: 'module', globals: {}, parserOptions: {} })).toEqual([]);
  });

  it('an unknown key is a configuration error, not ignored (a misspelt format read the file by its content)', () => {
    expect(() => lint({ formt: 'nftables' })).toThrow('Key "languageOptions": Unexpected key "formt" found: firewall languages take format, variables and scriptStart.');
  });

  it('scriptStart: "empty" reads an iptables script on a fresh host (its unflushed chains start empty)', () => {
    const script = '#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n';
    const run = (languageOptions: Record<string, unknown>) =>
      new Linter()
        .verify(script, [{ files: ['**/*.sh'], plugins: { firewall: plugin as never }, language: 'firewall/iptables', languageOptions, rules: { 'firewall/no-world-open-sensitive-ports': 'error' }, settings: { firewall: { discovery: false } } }] as never, 'fw.sh')
        .map((m) => `${m.line} ${m.message.slice(0, 60)}`);
    expect(run({ scriptStart: 'empty' })).toEqual(['3 Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.']);
    // (by default the earlier rules, placed at the table's first command, may let it in too)
    expect(run({})).toEqual(['2 Possibly open (the rules INPUT held before this script ran (', '3 Possibly open (the rules INPUT held before this script ran (']);
    expect(() => run({ scriptStart: 'fresh' })).toThrow('Key "languageOptions": Key "scriptStart": expected "unknown" or "empty" (what the filter table holds when an iptables script starts), got "fresh".');
  });
});

describe('eslint --fix of unused eslint-disable comments', () => {
  const config = [{ files: ['**/*.rules', '**/*.tf'], plugins: { firewall: plugin as never }, rules: { 'firewall/no-shadowed-rules': 'warn', 'firewall/no-world-open-sensitive-ports': 'error' }, linterOptions: { reportUnusedDisableDirectives: 'warn' } }];
  const rules = [
    '# eslint-disable-next-line firewall/no-shadowed-rules',
    '*filter',
    ':INPUT DROP [0:0]',
    '# eslint-disable-next-line firewall/no-shadowed-rules, firewall/no-world-open-sensitive-ports',
    '-A INPUT -p tcp --dport 22 -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');

  it('leaves an empty comment, never a line of only a space (iptables-restore rejects it)', () => {
    const linter = new Linter();
    const messages = linter.verify(rules, [{ ...config[0]!, language: 'firewall/iptables' }] as never, 'a.rules');
    // reported where the comment starts
    expect(messages.map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([
      "1:1 Unused eslint-disable directive (no problems were reported from 'firewall/no-shadowed-rules').",
      "4:1 Unused eslint-disable directive (no problems were reported from 'firewall/no-shadowed-rules').",
    ]);
    const fixed = linter.verifyAndFix(rules, [{ ...config[0]!, language: 'firewall/iptables' }] as never, 'a.rules');
    expect(fixed.output).toBe(['# ', '*filter', ':INPUT DROP [0:0]', '# eslint-disable-next-line firewall/no-world-open-sensitive-ports', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n'));
    expect(parseWithFormat(formatById('iptables-save')!, fixed.output, 'a.rules').diagnostics).toEqual([]);
  });

  it('keeps a block comment a comment', () => {
    const tf = '/* eslint-disable firewall/no-shadowed-rules */\nresource "aws_security_group" "web" {\n  name = "web" // eslint-disable-line firewall/no-shadowed-rules\n}\n';
    const fixed = new Linter().verifyAndFix(tf, [{ ...config[0]!, language: 'firewall/hcl' }] as never, 'a.tf');
    expect(fixed.output).toBe('/* */\nresource "aws_security_group" "web" {\n  name = "web" // \n}\n');
  });
});


describe('a file of another syntax under a name the recommended config gives a language', () => {
  const NFT = '#!/usr/sbin/nft -f\nflush ruleset\ntable inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n';
  const CFN_JSON = '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "Sg": { "Type": "AWS::EC2::SecurityGroup", "Properties": { "GroupDescription": "x",\n      "SecurityGroupIngress": [ { "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0" } ] } }\n  }\n}\n';
  const lint = (text: string, name: string) =>
    new Linter({ cwd: '/nonexistent' })
      .verify(text, [...plugin.configs.recommended!, { settings: { firewall: { discovery: false } } }] as never, `/nonexistent/${name}`)
      .map((m) => `${m.line}:${m.column} ${m.ruleId}`);

  it.each([
    ['fw.sh', NFT, '6:15'],
    ['main.rules', NFT, '6:15'],
    ['stack.template', CFN_JSON, '5:96'],
  ])('%s is read in the language of its content, as fwlint reads it (it was an empty document: no finding)', (name, text, at) => {
    expect(lint(text, name)).toEqual([`${at} firewall/no-world-open-sensitive-ports`]);
  });

  it('a shell script or YAML file that is no firewall stays an empty document', () => {
    expect(lint('#!/bin/bash\necho hello\nfor f in *.txt; do cat "$f"; done\n', 'build.sh')).toEqual([]);
    expect(lint('{"name": "x", "version": "1.0.0"}\n', 'data.template')).toEqual([]);
  });
});
