/**
 * eslint-plugin-firewall: languages for firewall rule files, the rules, and a
 * recommended config that pairs file globs with languages so users need not pick a parser.
 */
import { createRequire } from 'node:module';
import type { ESLint, Linter, Rule } from 'eslint';
import ipFamilyParity from '../../rules/ip-family-parity.js';
import noPermissiveDefaultPolicy from '../../rules/no-permissive-default-policy.js';
import noShadowedRules from '../../rules/no-shadowed-rules.js';
import noUndeclaredRegisteredPorts from '../../rules/no-undeclared-registered-ports.js';
import noUnevaluatedInput from '../../rules/no-unevaluated-input.js';
import noUnneededCftPorts from '../../rules/no-unneeded-cft-ports.js';
import noUnusedSuppressions from '../../rules/no-unused-suppressions.js';
import noWorldOpenSensitivePorts from '../../rules/no-world-open-sensitive-ports.js';
import { PACKAGE as pkg } from '../package-info.js';
import { languages } from './language.js';
import type { RuleName } from './rule-names.js';


export const rules: Record<RuleName, Rule.RuleModule> = {
  'no-unneeded-cft-ports': noUnneededCftPorts,
  'no-world-open-sensitive-ports': noWorldOpenSensitivePorts,
  'no-undeclared-registered-ports': noUndeclaredRegisteredPorts,
  'no-shadowed-rules': noShadowedRules,
  'no-permissive-default-policy': noPermissiveDefaultPolicy,
  'ip-family-parity': ipFamilyParity,
  'no-unevaluated-input': noUnevaluatedInput,
  'no-unused-suppressions': noUnusedSuppressions,
};

/**
 * The languages the rules read (ESLint's rule `meta.languages`): the plugin's own, whatever the name it is registered
 * under ("firewall/*" matches its namespace too), and JavaScript for AWS CDK / Pulumi code (eslint-plugin-firewall/typescript).
 * Without it a rule given a file of another language (a later `language: 'json/json'` config of @eslint/json over the
 * same `**\/*.json`) found no firewall document there and said nothing: ESLint now stops with "The following rules do
 * not support the language …", naming them.
 */
export const RULE_LANGUAGES: readonly string[] = ['firewall/*', 'js/js'];
for (const rule of Object.values(rules)) (rule.meta as { languages?: readonly string[] }).languages = RULE_LANGUAGES;

/** Default severities of the recommended config. */
export const recommendedRules: Linter.RulesRecord = {
  'firewall/no-unneeded-cft-ports': 'error',
  'firewall/no-world-open-sensitive-ports': 'error',
  'firewall/no-undeclared-registered-ports': 'warn',
  'firewall/no-shadowed-rules': 'warn',
  'firewall/no-permissive-default-policy': 'warn',
  'firewall/ip-family-parity': 'warn',
  'firewall/no-unevaluated-input': 'warn',
  // reports the suppressions the other rules did not use: it judges after them all (AFTER_RULES), in any order
  'firewall/no-unused-suppressions': 'warn',
};

/** File globs per language (documented in the README). */
export const FILE_GLOBS = {
  // (RHEL's iptables-services saves to /etc/sysconfig/ip{,6}tables, Alpine's and Gentoo's init scripts to rules{,6}-save)
  iptables: ['**/*.rules', '**/rules.v4', '**/rules.v6', '**/*.iptables', '**/*.ip6tables', '**/iptables*.save', '**/ip6tables*.save', '**/*.ipt', '**/iptables.conf', '**/ip6tables.conf', '**/sysconfig/iptables', '**/sysconfig/ip6tables', '**/rules-save', '**/rules6-save', '**/*.sh'],
  nftables: ['**/*.nft', '**/nftables.conf'],
  json: ['**/*.json', '**/*.tfstate'],
  yaml: ['**/*.yaml', '**/*.yml', '**/*.template'],
  hcl: ['**/*.tf', '**/*.bicep'],
} as const;

/** Files that are never firewalls (manifests, our own configuration): skip them rather than sniff them. */
export const NEVER_FIREWALL = [
  '**/package.json',
  '**/package-lock.json',
  '**/tsconfig*.json',
  '**/node_modules/**',
  '**/.git/**',
  // Terraform's and Terragrunt's copies of remote modules (`terraform init`): not the user's files, as node_modules; the
  // CLI's folder walk skips them too
  '**/.terraform/**',
  '**/.terragrunt-cache/**',
  '**/eslint-suppressions.json',
  '**/fwlint.config.json',
  '**/fwlint.config.yaml',
  '**/fwlint.config.yml',
  '**/.pre-commit-config.yaml',
  '**/.pre-commit-hooks.yaml',
  '**/*.fwlint-suppressions.yaml',
];

const plugin = {
  meta: { name: pkg.name, version: pkg.version, namespace: 'firewall' },
  languages,
  rules,
  // (named keys, not a Record: under noUncheckedIndexedAccess `...firewall.configs.recommended` in a user's
  // eslint.config.ts was `Config[] | undefined`, "must have a '[Symbol.iterator]()' method")
  configs: {} as { recommended: Linter.Config[]; 'recommended-typescript': Linter.Config[] },
};

plugin.configs.recommended = (Object.keys(FILE_GLOBS) as (keyof typeof FILE_GLOBS)[]).map((lang) => ({
  name: `firewall/recommended/${lang}`,
  files: [...FILE_GLOBS[lang]],
  ignores: NEVER_FIREWALL,
  plugins: { firewall: plugin as unknown as ESLint.Plugin },
  language: `firewall/${lang}`,
  rules: recommendedRules,
}));

// configs['recommended-typescript'] is defined by eslint-plugin-firewall/typescript (it loads
// @typescript-eslint/parser, which users linting only firewall files need not install). Read from this
// entry (`import firewall from 'eslint-plugin-firewall'`), it was undefined and ESLint stopped with
// "Unexpected undefined config": it is loaded on first read instead (typescript.ts then replaces this
// getter with the config). Not enumerable, so that listing these configs does not load it.
Object.defineProperty(plugin.configs, 'recommended-typescript', {
  configurable: true,
  enumerable: false,
  get(): Linter.Config[] {
    try {
      createRequire(import.meta.url)('./typescript.js');
      return plugin.configs['recommended-typescript'];
    } catch (e) {
      throw new Error(`eslint-plugin-firewall: configs['recommended-typescript'] could not be loaded (${String(e)}); import it from 'eslint-plugin-firewall/typescript' and install @typescript-eslint/parser`);
    }
  },
});

export default plugin;
// `require('eslint-plugin-firewall')` from an eslint.config.cjs (require(esm), Node ≥ 20.19) returned the module
// namespace, whose `configs` is undefined ("Cannot read properties of undefined (reading 'recommended')"): Node returns
// the export named "module.exports" instead (doc/api/modules.md, "Loading ECMAScript modules using require()").
export { plugin as 'module.exports' };
