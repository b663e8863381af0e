/**
 * The ESLint options of a lint run, built from plain data. With `--concurrency`
 * ESLint lints in worker threads and needs options it can rebuild there: plugin
 * objects cannot be cloned, so the workers import this module (its URL carries
 * the data as `?o=<json>`) and build the very same options (`ESLint.fromOptionsModule`).
 * Without `--concurrency` the CLI calls `eslintOptions` directly: one construction for both.
 */
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { ESLint, Linter, Rule } from 'eslint';
import { optionsProblem } from '../eslint/options-schema.js';
import plugin, { recommendedRules } from '../eslint/plugin.js';
import { checkOptions } from '../eslint/rule-kit.js';

export interface EslintOptionsData {
  /** ESLint's cwd: the common folder of the working directory and every input (ESLint lints nothing outside it). */
  cwd: string;
  /**
   * The working directory fwlint was started in: deployment discovery without a configuration file (nor a checkout
   * around the file) starts there
   * (docs/deciding-needed-ports.md §3.3), not at ESLint's cwd, which is `/` for `fwlint /etc/iptables/rules.v4`.
   */
  workingDirectory: string;
  /** Files named on the command line (or stdin/live inputs) with the format detected or forced for them. */
  explicit: { file: string; language: string; format: string }[];
  /** CDK / Pulumi source files named on the command line (linted through eslint-plugin-firewall/typescript). */
  typescript?: string[];
  configFile?: string | undefined;
  cache: boolean;
  cacheLocation?: string | undefined;
  /**
   * With `cache`: a fingerprint of the fwlint settings (configuration files, discovered deployments). It goes into
   * the ESLint settings, so ESLint's cache, which keys results by file content and configuration, re-lints every
   * file when fwlint.config.* or a deployment changes, as it does when the ESLint configuration changes.
   */
  settingsKey?: string | undefined;
  applySuppressions: boolean;
  suppressionsLocation?: string | undefined;
  concurrency?: number | 'auto' | 'off';
  /** `--no-inline-config`: `eslint` and `eslint-disable` comments do nothing (fwlint-ignore suppressions still apply). */
  allowInlineConfig?: false;
  /** `--report-unused-disable-directives[-severity]`: ESLint's linterOptions.reportUnusedDisableDirectives (default warn). */
  reportUnusedDisableDirectives?: 'off' | 'warn' | 'error';
  /** `--rule` options: rule ids to their severity and options, over the recommended ones. */
  rules?: Record<string, unknown>;
  /** Globs (relative to `cwd`) of files and folders the run must not read: those it cannot (reported apart). */
  ignores?: string[];
  /** `--script-start`: what the tables hold when an iptables script starts (the languageOption `scriptStart`). */
  scriptStart?: 'unknown' | 'empty';
}

/** A file no one creates: what ESLint, told not to cache, deletes (lib/eslint/eslint.js, lintFiles). */
const NO_CACHE_FILE = join(tmpdir(), 'fwlint-no-cache.d', 'none');

/** The files ESLint's default configuration lints (eslint/lib/config/default-config.js). */
const JS_DEFAULT_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs'];

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/**
 * Loaded only when TypeScript files are named: it needs the optional peer
 * @typescript-eslint/parser, which firewall-only users never install.
 */
function typescriptConfigs(d: EslintOptionsData): Linter.Config[] {
  if (!d.typescript || d.typescript.length === 0) return [];
  let entry: { configs: Record<string, Linter.Config[]> };
  try {
    // (require of the ES module returns its "module.exports" export: the plugin itself)
    entry = createRequire(import.meta.url)('../eslint/typescript.js') as typeof entry;
  } catch (e) {
    throw new Error(`linting CDK/Pulumi code needs @typescript-eslint/parser (npm install -D @typescript-eslint/parser): ${(e as Error).message}`);
  }
  return entry.configs['recommended-typescript']!.map((c) => ({ ...c, files: d.typescript!.map((f) => toPosix(relative(d.cwd, f))) }));
}

/**
 * The plugin as the CLI hands it to ESLint when the run gives no options of its own (`--rule`) and lints no CDK /
 * Pulumi code (whose configs name the plugin itself): the same rules with `meta.schema: false`, so that ESLint
 * does not start ajv (~40 ms of a cold start), each checking its options against its schema itself
 * (src/eslint/options-schema.ts) — only an inline `eslint` comment can give them — and reporting them as ESLint does.
 */
let cliPlugin: ESLint.Plugin | undefined;
function pluginForCli(): ESLint.Plugin {
  if (cliPlugin) return cliPlugin;
  const view: Record<string, Rule.RuleModule> = {};
  for (const [id, rule] of Object.entries(plugin.rules as Record<string, Rule.RuleModule>)) {
    const schema = rule.meta?.schema;
    view[id] = {
      ...rule,
      meta: { ...rule.meta, schema: false },
      create(context) {
        if (!checkOptions(context, (options) => optionsProblem(schema, options))) return {};
        return rule.create(context);
      },
    };
  }
  cliPlugin = { ...(plugin as unknown as ESLint.Plugin), rules: view };
  return cliPlugin;
}

export function eslintOptions(d: EslintOptionsData): ESLint.Options {
  const fw = d.rules || (d.typescript && d.typescript.length > 0) ? (plugin as unknown as ESLint.Plugin) : pluginForCli();
  // (--script-start goes to the firewall languages' configs only: ESLint's JavaScript language rejects the key)
  const start = d.scriptStart !== undefined ? { scriptStart: d.scriptStart } : {};
  const recommended = fw === plugin && d.scriptStart === undefined
    ? plugin.configs.recommended!
    : plugin.configs.recommended!.map((c) => ({ ...c, plugins: { firewall: fw }, languageOptions: { ...c.languageOptions, ...start } }));
  const overrideConfig: Linter.Config[] = [
    // ESLint's own defaults lint every *.js, *.mjs and *.cjs file of a folder: not firewalls, and a file espree cannot
    // parse (JSX, Flow) was a parse error that failed the run. Only files named explicitly (CDK / Pulumi code, a
    // firewall piped in under a .js name) are linted.
    { ignores: [...JS_DEFAULT_FILES, ...[...(d.typescript ?? []), ...d.explicit.map((c) => c.file)].map((f) => `!${toPosix(relative(d.cwd, f))}`)] },
    ...recommended,
    ...d.explicit.map((c) => ({ files: [toPosix(relative(d.cwd, c.file))], language: c.language, languageOptions: { format: c.format, ...start }, plugins: { firewall: fw }, rules: recommendedRules })),
    ...typescriptConfigs(d),
    ...(d.rules ? [{ rules: d.rules as Linter.RulesRecord }] : []),
    ...(d.reportUnusedDisableDirectives ? [{ linterOptions: { reportUnusedDisableDirectives: d.reportUnusedDisableDirectives } }] : []),
    ...(d.ignores && d.ignores.length > 0 ? [{ ignores: d.ignores }] : []),
    { settings: { fwlintConfigFile: d.configFile, fwlintCwd: d.workingDirectory, ...(d.settingsKey ? { fwlintSettingsKey: d.settingsKey } : {}) } },
  ];
  return {
    cwd: d.cwd,
    overrideConfigFile: true,
    overrideConfig,
    cache: d.cache,
    // without a cache ESLint deletes the file at cacheLocation (default: .eslintcache in its cwd, the common folder of
    // the inputs, where the user's own `eslint --cache` keeps its cache): point it at a file that does not exist
    cacheLocation: d.cache && d.cacheLocation ? d.cacheLocation : d.cache ? join(d.cwd, '.eslintcache') : NO_CACHE_FILE,
    errorOnUnmatchedPattern: true,
    applySuppressions: d.applySuppressions,
    ...(d.allowInlineConfig === false ? { allowInlineConfig: false } : {}),
    ...(d.suppressionsLocation ? { suppressionsLocation: d.suppressionsLocation } : {}),
    ...(d.concurrency !== undefined ? { concurrency: d.concurrency } : {}),
  };
}

/** The URL of this module carrying `d`, for `ESLint.fromOptionsModule`. */
export function optionsModuleUrl(d: EslintOptionsData): URL {
  const url = new URL(import.meta.url);
  url.search = `?o=${encodeURIComponent(JSON.stringify(d))}`;
  return url;
}

const data = new URL(import.meta.url).searchParams.get('o');
export default data ? eslintOptions(JSON.parse(data) as EslintOptionsData) : {};
