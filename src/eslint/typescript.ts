/**
 * eslint-plugin-firewall/typescript: the same rules on AWS CDK and Pulumi code.
 * A separate entry point so that users who lint only firewall files never load
 * TypeScript: this module installs the CDK/Pulumi extractor into the shared
 * analysis and adds configs['recommended-typescript'] (needs @typescript-eslint/parser).
 */
import type { ESLint, Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { extractFirewall, looksLikeFirewallCode } from '../parsers/typescript/index.js';
import { setTypeScriptExtractor, type ReportTarget } from './analysis.js';
import plugin, { recommendedRules } from './plugin.js';
import { fileModuleReader } from './ts-modules.js';

// the project's modules a file imports constants from, parsed without type information (only their values are read)
const readModule = fileModuleReader((text, path) => tsParser.parseForESLint(text, { range: true, loc: true, comment: false, tokens: false, sourceType: 'module', filePath: path, jsx: path.endsWith('x') }).ast as unknown as TSESTree.Program);

setTypeScriptExtractor((ast, text, context) => {
  if (!looksLikeFirewallCode(text)) return undefined;
  const services = (context.sourceCode as { parserServices?: unknown }).parserServices;
  const filePath = context.physicalFilename && !context.physicalFilename.startsWith('<') ? context.physicalFilename : undefined;
  const { document, extracted } = extractFirewall(ast as TSESTree.Program, text, { ...(filePath ? { filePath } : {}), services, readModule });
  const nodes = new Map<number, ReportTarget>();
  for (const e of extracted) {
    const n = e.reportNode;
    nodes.set(e.rule.id, {
      loc: { start: { line: n.loc.start.line, column: n.loc.start.column }, end: { line: n.loc.end.line, column: n.loc.end.column } },
      node: n,
      suggestions: e.suggestions.map((s) => ({ desc: s.desc, range: s.range, text: s.text })),
    });
  }
  return { document, nodes };
});

/**
 * The rules that make sense on CDK/Pulumi code (chain policies are a netfilter matter). no-unevaluated-input is
 * one of them: in a source file the extractor's diagnostics (a CIDR or port range CDK throws on at synthesis, a
 * rule without a protocol) are not parse errors, and nothing else would show them.
 */
const typescriptRules: Linter.RulesRecord = Object.fromEntries(Object.entries(recommendedRules).filter(([name]) => name !== 'firewall/no-permissive-default-policy'));

export const TYPESCRIPT_FILES = ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx', '**/*.js', '**/*.mjs', '**/*.cjs'];

const recommendedTypescript: Linter.Config[] = [
  {
    name: 'firewall/recommended-typescript',
    files: TYPESCRIPT_FILES,
    plugins: { firewall: plugin as unknown as ESLint.Plugin },
    // no sourceType: ESLint's own default (module; commonjs for *.cjs) stays. Setting module here gave a user's .cjs
    // files no CommonJS scope: js.configs.recommended's no-undef then reported every `require` and `module`.
    languageOptions: { parser: tsParser as unknown as Linter.Parser },
    rules: typescriptRules,
  },
];

// The same plugin object as the main entry's, now with this config: a second object (a copy with its own `configs`)
// under the same name was "Cannot redefine plugin "firewall"" as soon as a config named it in `plugins` beside the
// configs, which refer to the main entry's object.
Object.defineProperty(plugin.configs, 'recommended-typescript', { configurable: true, enumerable: true, writable: false, value: recommendedTypescript });

export const configs = plugin.configs;
export default plugin;
// what `require('eslint-plugin-firewall/typescript')` returns (see plugin.ts)
export { plugin as 'module.exports' };
