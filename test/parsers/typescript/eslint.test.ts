/**
 * The extractor on the trees ESLint really hands to rules: espree for plain
 * JavaScript (CommonJS require), @typescript-eslint/parser for TypeScript, with
 * `parent` links set — through a throwaway rule in ESLint's Linter.
 */
import { Linter } from 'eslint';
import * as tsParser from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { extractFirewall, looksLikeFirewallCode } from '../../../src/parsers/typescript/index.js';
import { fixture, pos, summary } from './helpers.js';

type Result = ReturnType<typeof extractFirewall>;

function lintWith(text: string, filename: string, languageOptions: Linter.Config['languageOptions']): { result: Result; messages: Linter.LintMessage[] } {
  let result: Result | undefined;
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    text,
    [
      {
        files: ['**/*.js', '**/*.ts'],
        languageOptions,
        plugins: {
          t: {
            rules: {
              extract: {
                meta: { type: 'problem', hasSuggestions: true, messages: { open: 'opens {{text}}' }, schema: [] },
                create(context) {
                  return {
                    'Program:exit'(node) {
                      const sc = context.sourceCode as unknown as { text: string; parserServices?: unknown };
                      result = extractFirewall(node as unknown as TSESTree.Program, sc.text, { filePath: context.filename, services: sc.parserServices });
                      for (const e of result.extracted) {
                        context.report({
                          node: e.reportNode as never,
                          messageId: 'open',
                          data: { text: e.rule.text },
                          suggest: e.suggestions.map((s) => ({ desc: s.desc, fix: (f: { replaceTextRange(r: [number, number], t: string): unknown }) => f.replaceTextRange(s.range, s.text) })) as never,
                        });
                      }
                    },
                  };
                },
              },
            },
          },
        },
        rules: { 't/extract': 'error' },
      },
    ],
    { filename },
  );
  if (!result) throw new Error(`rule did not run: ${JSON.stringify(messages)}`);
  return { result, messages };
}

describe('inside ESLint', () => {
  it('espree, CommonJS JavaScript', () => {
    const text = [
      "const aws = require('@pulumi/aws');",
      "const sg = new aws.ec2.SecurityGroup('web', {",
      "  ingress: [{ protocol: 'tcp', fromPort: 1761, toPort: 1768, cidrBlocks: ['0.0.0.0/0'] }],",
      '});',
      'module.exports = { sg };',
      '',
    ].join('\n');
    const { result, messages } = lintWith(text, 'index.js', { ecmaVersion: 'latest', sourceType: 'commonjs' });
    expect(summary(result.document)).toEqual(['web ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept']);
    expect(messages.map((m) => [m.line, m.column, m.endLine, m.endColumn, m.message])).toEqual([
      [3, 75, 3, 86, "opens { protocol: 'tcp', fromPort: 1761, toPort: 1768, cidrBlocks: ['0.0.0.0/0'] }"],
    ]);
    const at = text.indexOf("'0.0.0.0/0'");
    expect(at).toBe(156);
    expect(messages[0]!.suggestions?.map((s) => s.fix)).toEqual([{ range: [156, 167], text: "'10.0.0.0/8'" }]);
  });

  it('typescript-eslint parser: ESLint positions equal the model spans', () => {
    const text = fixture('cdk-app.ts');
    const { result, messages } = lintWith(text, 'cdk-app.ts', { parser: tsParser as Linter.Parser });
    expect(summary(result.document)).toHaveLength(9);
    const spans = result.extracted.map((e) => pos(e.rule.reportSpan));
    // ESLint sorts messages by position; compare as sets of "line:col-line:col"
    expect(messages.map((m) => `${m.line}:${m.column}-${m.endLine}:${m.endColumn}`).sort()).toEqual([...spans].sort());
    // the suggestions survive ESLint's suggestion plumbing
    const first = messages.find((m) => m.line === 24)!;
    expect(first.suggestions?.map((s) => s.desc)).toEqual(['Replace the world-open peer with a private placeholder (10.0.0.0/8)', 'Remove this addIngressRule(…) statement']);
  });
});

describe('looksLikeFirewallCode', () => {
  it('recognises the supported libraries and nothing else', () => {
    expect(looksLikeFirewallCode(fixture('cdk-app.ts'))).toBe(true);
    expect(looksLikeFirewallCode(fixture('pulumi-program.ts'))).toBe(true);
    expect(looksLikeFirewallCode("import { aws_ec2 } from 'aws-cdk-lib';")).toBe(true);
    expect(looksLikeFirewallCode("import * as gcp from '@pulumi/gcp';")).toBe(true);
    expect(looksLikeFirewallCode("import * as azure from '@pulumi/azure-native';")).toBe(true);
    expect(looksLikeFirewallCode("import * as v1 from '@aws-cdk/aws-ec2';")).toBe(true);
    expect(looksLikeFirewallCode("import express from 'express';\nexport const app = express();")).toBe(false);
    expect(looksLikeFirewallCode('')).toBe(false);
  });
});
