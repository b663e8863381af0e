import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { ConfigCommentParser } from '@eslint/plugin-kit';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';
import { loadSettings, type ResolvedSettings } from '../deployments/index.js';
import { formatPorts } from '../model/index.js';
import { eslintOptions, optionsModuleUrl, type EslintOptionsData } from './eslint-options.js';
import { PACKAGE } from '../package-info.js';
import { formatById } from '../parsers/registry.js';
import { checkOutputFile, detectFile, makeCacheFolder, exists, globFiles, isDirectory, isFirewallName, isRegularFile, isTfvars, loadFile, readStdin, scriptStartOption, sidecarsUnder, stdinInput, unnamedStdinPath, SOURCE_FILE, inOtherLanguage, sniffedUnder, specialFilesUnder, specialGlobFiles, unreadableUnder, walk, writeOutputFile } from './inputs.js';
import { hashDependencies } from './dependencies.js';
import { SIDECAR_SUFFIX } from '../suppressions/sidecar.js';
import { HELP, UsageError, type Io } from './main.js';
import { LINT_OPTIONS } from './lint-options.js';
import { pathsLabel, startProgress } from './progress.js';
import { leftAloneNote } from './summary.js';
import { RULE_NAMES } from '../eslint/rule-names.js';


const FORMATS = ['stylish', 'json', 'sarif', 'github', 'junit'] as const;

/** A result for a file ESLint never saw (unreadable, unrecognised): fatal, exit 1. */
export function failureResult(filePath: string, message: string): ESLint.LintResult {
  return {
    filePath,
    messages: [{ ruleId: null, fatal: true, severity: 2, message, line: 1, column: 1 }],
    suppressedMessages: [],
    errorCount: 1,
    fatalErrorCount: 1,
    warningCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  } as ESLint.LintResult;
}

function commonAncestor(paths: string[]): string {
  let base = paths[0]!;
  for (const p of paths.slice(1)) {
    while (!(p === base || p.startsWith(base.endsWith(sep) ? base : base + sep))) base = dirname(base);
  }
  return base;
}

/**
 * What fwlint settings the files of a run see, as a short hash: the configuration in effect (for each named path
 * and the working directory) and every deployment, declared or discovered; the JSON sidecars of inline
 * suppressions (`<file>.fwlint-suppressions.yaml`, which change what a file reports without changing the file);
 * the day (UTC), on which an inline suppression's `until=` expires; and the files the parses of the `linted` files
 * read besides them (./dependencies.ts). Fed into ESLint's cache key.
 */
export function settingsFingerprint(paths: string[], configFile: string | undefined, cwd: string, now = Date.now(), linted: readonly { path: string; text: string }[] = []): string {
  const h = createHash('sha256');
  h.update(`day ${new Date(now).toISOString().slice(0, 10)}`);
  // what the parses of the linted files read besides them (tfvars, local modules, nft includes)
  hashDependencies(h, linted);
  for (const p of paths) {
    for (const sidecar of isDirectory(p) ? sidecarsUnder(p) : [p + SIDECAR_SUFFIX]) {
      let text: string;
      try {
        text = readFileSync(sidecar, 'utf8');
      } catch {
        continue;
      }
      h.update(`\0sidecar ${sidecar}\0${text}`);
    }
  }
  const seen = new Set<ResolvedSettings>();
  for (const p of paths) {
    const s = loadSettings(isDirectory(p) ? resolve(p, 'x') : p, { configFile, cwd });
    if (seen.has(s)) continue;
    seen.add(s);
    h.update(JSON.stringify({ file: s.configFile ?? null, config: s.config, root: s.rootDir ?? null }));
    for (const svc of s.services) h.update(`\0svc ${svc.id} ${svc.ports.map((sp) => `${sp.protocol}:${formatPorts(sp.ports)}`).join(' ')}`);
    for (const d of s.deployments) {
      // with the evidence: messages name it (file:line), so moving a deployment's line re-lints
      h.update(`\0dep ${d.service} ${d.targets.join(',')} ${d.ports.map((sp) => `${sp.protocol}:${formatPorts(sp.ports)}`).join(' ')} ${d.sources ? d.sources.toString() : '*'} ${d.evidence[0] ? `${d.evidence[0].file}:${d.evidence[0].line}` : ''}`);
    }
  }
  return h.digest('hex').slice(0, 32);
}

/** The files a run lints (those under a named folder: the firewall-named ones ESLint's walk lints) with their texts; unreadable ones left out (each is reported). */
function lintedTexts(lintPaths: readonly string[], texts: readonly { filePath: string; text: string }[], cwd: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = texts.map((t) => ({ path: t.filePath, text: t.text }));
  for (const p of lintPaths) {
    const full = resolve(cwd, p);
    for (const f of isDirectory(full) ? walk(full) : [full]) {
      try {
        out.push({ path: f, text: readFileSync(f, 'utf8') });
      } catch {
        // unreadable: an error of its own
      }
    }
  }
  return out;
}

/** A path relative to ESLint's cwd as a glob that matches it alone (glob characters escaped, POSIX separators). */
function toGlob(rel: string): string {
  return rel.split(sep).join('/').replace(/[\\*?[\]{}()!+@]/g, (c) => `\\${c}`);
}

/** Absolute, keeping a trailing separator: ESLint reads `dir/` as a folder to put its cache file in. */
function cacheLocation(v: string, cache: boolean | undefined): string {
  if (cache) makeCacheFolder(v);
  const abs = resolve(v);
  return /[\\/]$/.test(v) && !abs.endsWith(sep) ? abs + sep : abs;
}

/** --concurrency N|auto|off as ESLint takes it; a usage error otherwise. */
function parseConcurrency(v: string | undefined): number | 'auto' | 'off' | undefined {
  if (v === undefined) return undefined;
  if (v === 'auto' || v === 'off') return v;
  if (/^[1-9][0-9]*$/.test(v)) return Number(v);
  throw new UsageError(`--concurrency takes a positive whole number, auto or off (got "${v}")`);
}

/**
 * The rules of `--rule` options, in ESLint's syntax (`--rule 'firewall/no-world-open-sensitive-ports: [error, {tcp: [22]}]'`,
 * read as ESLint reads its own `--rule` and inline `eslint` comments); ESLint validates the options against the rules'
 * schemas. A value that does not read, or names no rule of the plugin, is a usage error.
 */
function rulesFromArgs(given: string[]): Record<string, unknown> | undefined {
  if (given.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  const parser = new ConfigCommentParser();
  for (const text of given) {
    const result = parser.parseJSONLikeConfig(text);
    if (!result.ok) throw new UsageError(`--rule '${text}': ${result.error.message}`);
    for (const [id, value] of Object.entries(result.config as Record<string, unknown>)) {
      const name = id.startsWith('firewall/') ? id.slice('firewall/'.length) : undefined;
      if (name === undefined || !(RULE_NAMES as readonly string[]).includes(name)) {
        throw new UsageError(`--rule: "${id}" is no rule of fwlint (${RULE_NAMES.map((r) => `firewall/${r}`).join(', ')})`);
      }
      out[id] = value;
    }
  }
  return out;
}

/**
 * An invalid `--rule` option, as ESLint throws it when it lints the first file (its schema's error; a severity it does
 * not know, its ConfigError "Config (unnamed): Key "rules": …"; the rule's own check, rule-kit checkOptions), thrown
 * again as a usage error (exit 2) without ESLint's stack. Any other error is left alone.
 */
function invalidRule(e: unknown): void {
  const msg = (e as Error)?.message ?? '';
  const invalid = /(?:^|: )(Key "rules": Key "[^"]*"[\s\S]*)$|^Error while loading rule '[^']*': (Configuration for rule "[\s\S]*?)(?:\nOccurred while linting[\s\S]*)?$/.exec(msg);
  if (invalid) throw new UsageError(`--rule: ${(invalid[1] ?? invalid[2]!).trimEnd()}`);
}

export async function lintCommand(argv: string[], io: Io): Promise<number> {
  // ESLint's '--max-warnings -1' (no limit): parseArgs takes a value that starts with '-' only after '='
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max-warnings' && /^-[0-9]+$/.test(argv[i + 1] ?? '')) args.push(`--max-warnings=${argv[++i]}`);
    else args.push(argv[i]!);
  }
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: LINT_OPTIONS });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values.version) {
    io.stdout(`${PACKAGE.version}\n`);
    return 0;
  }
  const format = values.format!;
  // another name is an ESLint formatter (loadFormatter below): ESLint's html or json-with-metadata, an
  // eslint-formatter-* package (GitLab's code quality report: -f gitlab), or a file
  const custom = !(FORMATS as readonly string[]).includes(format);
  let maxWarnings = -1;
  const rules = rulesFromArgs(values.rule ?? []);
  // ESLint's spellings and semantics (its lib/options.js and cli.js)
  const unusedSeverity = values['report-unused-disable-directives-severity'];
  if (unusedSeverity !== undefined && values['report-unused-disable-directives']) {
    throw new UsageError('--report-unused-disable-directives and --report-unused-disable-directives-severity cannot be used together');
  }
  if (unusedSeverity !== undefined && !['off', 'warn', 'error', '0', '1', '2'].includes(unusedSeverity)) {
    throw new UsageError(`--report-unused-disable-directives-severity takes off, warn or error (0, 1, 2), got "${unusedSeverity}"`);
  }
  const reportUnusedDisableDirectives = values['report-unused-disable-directives'] ? 'error' : (['off', 'warn', 'error'][Number(unusedSeverity)] ?? unusedSeverity) as 'off' | 'warn' | 'error' | undefined;
  if (values['max-warnings'] !== undefined) {
    if (!/^(?:[0-9]+|-1)$/.test(values['max-warnings'])) throw new UsageError('--max-warnings takes a whole number (-1: no limit)');
    maxWarnings = Number(values['max-warnings']);
  }
  const inputFormat = values['input-format'];
  if (inputFormat !== undefined && !formatById(inputFormat)) throw new UsageError(`unknown input format "${inputFormat}"`);
  checkOutputFile(values['output-file']);
  // 'iptables-save | fwlint --stdin-filename rules.v4' without '-' linted the current folder and never read the pipe
  if (values.stdin && !positionals.includes('-')) positionals.push('-');
  if (values.color && values['no-color']) throw new UsageError('--color and --no-color contradict each other');
  if (values['stdin-filename'] !== undefined && !positionals.includes('-')) throw new UsageError(`--stdin-filename names standard input, which is read only when '-' is among the paths (fwlint --stdin-filename ${values['stdin-filename']} -)`);
  const configFile = values.config ? resolve(values.config) : undefined;
  if (configFile && !exists(configFile)) throw new UsageError(`config file ${values.config} does not exist`);

  const cwd = process.cwd();
  const targets = positionals.length > 0 || values.live ? positionals : ['.'];
  const failures: ESLint.LintResult[] = [];
  const explicitConfigs: EslintOptionsData['explicit'] = [];
  const lintPaths: string[] = [];
  const typescriptFiles: string[] = [];
  const texts: { text: string; filePath: string }[] = [];
  const involved: string[] = [cwd];
  let stdinRequested = false;

  for (const t of targets) {
    if (t === '-') {
      stdinRequested = true;
      continue;
    }
    const abs = resolve(t);
    if (isDirectory(abs)) {
      // files ESLint's walk passes over by name that hold a firewall format ('rules.txt', 'sg-prod', 'SG.JSON'), and
      // those that cannot be read, each an error (ESLint's walk is not given the folder when they are all it holds)
      const sniffed = sniffedUnder(abs);
      if (!sniffed.every((lf) => lf.unreadable) || sniffed.length === 0 || walk(abs).length > 0) lintPaths.push(abs);
      involved.push(abs);
      for (const lf of sniffed) {
        if (lf.unreadable) {
          failures.push(failureResult(lf.path, lf.error!));
          continue;
        }
        lintPaths.push(lf.path);
        explicitConfigs.push({ file: lf.path, language: `firewall/${lf.format!.language}`, format: lf.format!.id });
      }
    } else if (isRegularFile(abs) && !inputFormat && (isTfvars(abs) || valuesOnlyTerraform(abs)) && moduleTerraformFiles(abs).length > 0) {
      // terraform.tfvars, *.auto.tfvars: Terraform loads them into the .tf files of their folder, which they change
      // (pre-commit passes the tfvars alone when only it changed: `allowed = ["0.0.0.0/0"]` was "no firewall format
      // recognises terraform.tfvars", or let through with --ignore-unknown); those files are linted, as fwlint diff does.
      // So with a .tf file of variables and locals only (variables.tf): the module's resources take their defaults
      involved.push(dirname(abs));
      for (const tf of moduleTerraformFiles(abs)) {
        if (lintPaths.includes(tf)) continue;
        const lf = detectFile(tf);
        if (lf.error) {
          if (lf.text === undefined) failures.push(failureResult(tf, lf.error));
          continue;
        }
        lintPaths.push(tf);
        explicitConfigs.push({ file: tf, language: `firewall/${lf.format!.language}`, format: lf.format!.id });
      }
    } else if (exists(abs) || !/[*?[{]/.test(t)) {
      // ESLint reads a regular file again itself: only its head is read here, to know its format
      const lf = isRegularFile(abs) ? detectFile(t, inputFormat) : loadFile(t, inputFormat);
      involved.push(dirname(abs));
      // a .ts/.js file is code, even when its text also looks like a firewall format (a Pulumi GCP
      // program's `srcIpRanges:` reads as gcp-yaml): CDK / Pulumi code goes to the TypeScript route
      if ((lf.error ? lf.text !== undefined : isRegularFile(abs)) && !inputFormat && SOURCE_FILE.test(abs)) {
        // CDK / Pulumi code named explicitly: the same rules through eslint-plugin-firewall/typescript
        const { looksLikeFirewallCode } = await import('../parsers/typescript/index.js');
        const whole = loadFile(t).text;
        if (whole !== undefined && looksLikeFirewallCode(whole)) {
          lintPaths.push(abs);
          typescriptFiles.push(abs);
          continue;
        }
      }
      if (lf.error) {
        // --ignore-unknown (the pre-commit hook): a file it can read that no format recognises is left alone, as in a
        // folder; the hook's name pattern also matches udev, audit and Suricata '*.rules'
        if (values['ignore-unknown'] && lf.text !== undefined) continue;
        failures.push(failureResult(abs, lf.error));
        continue;
      }
      // a pipe (`fwlint <(iptables-save)`, `… | fwlint /dev/stdin`), a FIFO, a device: loadFile has read it, and
      // it cannot be read twice; ESLint passed it over (no regular file), which ended in no result and exit 0
      // (and a UTF-16 file, decoded by loadFile: ESLint reads files as UTF-8)
      if (!isRegularFile(abs) || lf.utf16) texts.push({ text: lf.text!, filePath: abs });
      else if (lintPaths.includes(abs)) continue;
      else lintPaths.push(abs);
      explicitConfigs.push({ file: abs, language: `firewall/${lf.format!.language}`, format: lf.format!.id });
    } else {
      // a glob: ESLint lints the files it matches whose names fwlint claims in a folder ('*.rules', 'rules.v4', …),
      // and 'firewall/**/*.conf' ended in "no firewall rules found" (exit 2). The user named these files: the
      // others are read as named files are — linted when a format recognises them, else left alone, as in a folder
      const matches = globFiles(t, cwd);
      // (and the firewall-named ones whose content only another language reads: an nft ruleset in fw.sh)
      const others = matches.filter((m) => (!isFirewallName(m, cwd) && !SOURCE_FILE.test(m)) || (isFirewallName(m, cwd) && inOtherLanguage(detectFile(m), relative(cwd, m).split(sep).join('/'))));
      let recognised = 0;
      for (const m of others) {
        const lf = detectFile(m, inputFormat);
        if (lf.error) {
          // one that cannot be read is an error (and the glob found it); a binary one is left alone, as in a folder
          if (lf.unreadable) {
            failures.push(failureResult(m, `cannot read ${relative(cwd, m) || m}: ${lf.unreadable}`));
            recognised++;
          }
          continue;
        }
        recognised++;
        lintPaths.push(m);
        involved.push(dirname(m));
        explicitConfigs.push({ file: m, language: `firewall/${lf.format!.language}`, format: lf.format!.id });
      }
      // ESLint's own answer for the rest (and its message when nothing at all is a firewall file)
      if (others.length < matches.length || recognised === 0) lintPaths.push(t);
    }
  }

  if (stdinRequested) {
    const name = values['stdin-filename'] ?? '<stdin>';
    const lf = stdinInput(await readStdin(), inputFormat, values['stdin-filename']);
    if (lf.error) failures.push(failureResult(name, lf.error));
    else {
      texts.push({ text: lf.text!, filePath: lf.path });
      explicitConfigs.push({ file: lf.path, language: `firewall/${lf.format!.language}`, format: lf.format!.id });
      involved.push(dirname(lf.path));
    }
  }

  if (values.live) {
    const { liveInputs } = await import('./live.js');
    const live = await liveInputs(io);
    for (const l of live.texts) {
      const filePath = resolve(cwd, l.name);
      texts.push({ text: l.text, filePath });
      const fmt = formatById(l.format)!;
      explicitConfigs.push({ file: filePath, language: `firewall/${fmt.language}`, format: fmt.id });
    }
    failures.push(...live.results);
  }

  // Configuration errors stop the run with exit code 2, before any linting.
  // (a set of the lines: the same file's errors come once per path it is found from; two errors at one place — an
  // unknown key and a missing required one both at the object's first key — are both said, not the last alone)
  const configErrors = new Set<string>();
  for (const p of [...lintPaths.filter((p) => isAbsolute(p)), cwd]) {
    const s = loadSettings(isDirectory(p) ? resolve(p, 'x') : p, { configFile, cwd, discover: false });
    for (const e of s.errors) configErrors.add(`${relative(cwd, e.file) || e.file}:${e.line}:${e.column}: ${e.message}${e.schemaPath ? ` (schema: ${e.schemaPath})` : ''}`);
  }
  if (configErrors.size > 0) {
    io.stderr(`fwlint: configuration error\n${[...configErrors].map((l) => `  ${l}`).join('\n')}\n`);
    return 2;
  }

  const eslintCwd = commonAncestor(involved);
  // FIFOs, sockets and devices named like firewall files in a linted folder: ESLint would read them and wait forever
  const special = lintPaths.flatMap((p) => (!isAbsolute(p) ? specialGlobFiles(p, cwd) : isDirectory(p) ? specialFilesUnder(p) : []));
  for (const f of special) failures.push(failureResult(f.path, `cannot read ${relative(cwd, f.path) || f.path}: it is ${f.kind}, not a regular file`));
  const suppressionsLocation = values['suppressions-location'] ? resolve(values['suppressions-location']) : undefined;
  if (suppressionsLocation && !isDirectory(dirname(suppressionsLocation))) throw new UsageError(`--suppressions-location: folder ${dirname(suppressionsLocation)} does not exist`);
  const concurrency = parseConcurrency(values.concurrency);
  const scriptStart = scriptStartOption(values['script-start']);
  const optionsData: EslintOptionsData = {
    cwd: eslintCwd,
    workingDirectory: cwd,
    explicit: explicitConfigs,
    typescript: typescriptFiles,
    configFile,
    cache: values.cache!,
    // ESLint's CLI semantics: .eslintcache in the working directory unless --cache-location says otherwise
    // (ESLint itself would put it in its cwd, the common folder of the inputs)
    cacheLocation: values['cache-location'] ? cacheLocation(values['cache-location'], values.cache) : values.cache ? resolve(cwd, '.eslintcache') : undefined,
    // the rules load their settings with ESLint's cwd: so does the fingerprint
    settingsKey: values.cache ? settingsFingerprint([...lintPaths.filter((p) => isAbsolute(p)), ...texts.map((t) => t.filePath), cwd], configFile, cwd, Date.now(), lintedTexts(lintPaths, texts, cwd)) : undefined,
    applySuppressions: Boolean(suppressionsLocation) || exists(resolve(eslintCwd, 'eslint-suppressions.json')),
    suppressionsLocation,
    ...(rules ? { rules } : {}),
    ...(scriptStart !== undefined ? { scriptStart } : {}),
    ...(values['no-inline-config'] ? { allowInlineConfig: false as const } : {}),
    ...(reportUnusedDisableDirectives ? { reportUnusedDisableDirectives } : {}),
    ...(special.length > 0 ? { ignores: special.map((f) => toGlob(relative(eslintCwd, f.path))) } : {}),
  };
  // ESLint's own worker threads: they rebuild the options (plugin objects included) from an options module
  const makeEslint = async (): Promise<ESLint> =>
    concurrency === undefined ? new ESLint(eslintOptions(optionsData)) : await ESLint.fromOptionsModule(optionsModuleUrl({ ...optionsData, concurrency }));
  let eslint = await makeEslint();
  // (loaded before the lint: a name that is no formatter is a usage error at once, not after minutes of linting)
  const formatter = custom ? await loadCustomFormatter(eslint, format, cwd) : undefined;

  let results: ESLint.LintResult[] = [];
  // long runs: a progress line on a terminal's stderr, never in machine formats (src/cli/progress.ts)
  const progress = startProgress(io, { enabled: format === 'stylish', label: () => pathsLabel(lintPaths) });
  // folders whose every firewall file is unreadable (each reported): nothing is left in them to lint
  const emptied = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    try {
      const paths = lintPaths.filter((p) => !emptied.has(p));
      if (paths.length > 0) results.push(...(await eslint.lintFiles(paths)));
      break;
    } catch (e) {
      const msg = (e as Error).message;
      // ESLint stops the whole run at the first file or folder of a walk it cannot read: each of them is an
      // error of its own (never a silent skip), left out of a new run of the rest
      if (attempt === 0) {
        const seen = new Set<string>();
        const unreadable = lintPaths.filter((p) => isAbsolute(p) && isDirectory(p)).flatMap((d) => unreadableUnder(d)).filter((u) => !seen.has(u.path) && Boolean(seen.add(u.path)));
        if (unreadable.length > 0) {
          for (const u of unreadable) {
            const shown = relative(cwd, u.path) || u.path;
            failures.push(failureResult(u.path, u.folder ? `cannot read folder ${shown}: ${u.code}` : `cannot read ${shown}: ${u.code}`));
          }
          // a folder named on the command line that cannot be listed has nothing to lint; others are ignored
          for (const u of unreadable) if (lintPaths.includes(u.path)) emptied.add(u.path);
          optionsData.ignores = unreadable.filter((u) => u.path !== eslintCwd).map((u) => toGlob(relative(eslintCwd, u.path)) + (u.folder ? '/' : ''));
          eslint = await makeEslint();
          continue;
        }
      }
      const ignored = /^All files matched by '(.*)' are ignored\./.exec(msg);
      if (ignored && optionsData.ignores !== undefined && lintPaths.includes(ignored[1]!) && !emptied.has(ignored[1]!)) {
        emptied.add(ignored[1]!);
        continue;
      }
      // a folder left with nothing but what it could not read: ESLint walks it again, ignores aside, to say so
      const fsPath = optionsData.ignores !== undefined ? /^E[A-Z]+: [^,]*, \w+ '(.*)'$/.exec(msg)?.[1] : undefined;
      const holder = fsPath !== undefined ? lintPaths.filter((p) => !emptied.has(p) && fsPath.startsWith(p + sep)).sort((a, b) => b.length - a.length)[0] : undefined;
      if (holder !== undefined && failures.some((f) => f.filePath === fsPath)) {
        emptied.add(holder);
        continue;
      }
      // a file a glob matched that cannot be read (the folder walk above found the rest): one at a time
      const unread = /^(E[A-Z]+): [^,]*, (\w+) '(\/.*)'$/.exec(msg);
      if (unread && attempt < 64 && !failures.some((f) => f.filePath === unread[3])) {
        const [, code, op, path] = unread as unknown as [string, string, string, string];
        const shown = relative(cwd, path) || path;
        failures.push(failureResult(path, op === 'scandir' ? `cannot read folder ${shown}: ${code}` : `cannot read ${shown}: ${code}`));
        optionsData.ignores = [...(optionsData.ignores ?? []), toGlob(relative(eslintCwd, path)) + (op === 'scandir' ? '/' : '')];
        eslint = await makeEslint();
        continue;
      }
      progress.stop();
      if (/No files matching|all of the files matching/i.test(msg)) throw new UsageError(msg.split('\n')[0]!);
      // an invalid --rule option: ESLint's configuration error (its schema), or the rule's (rule-kit checkOptions)
      if (rules) invalidRule(e);
      // a folder holding files, none of a format fwlint reads (ESLint: "All files matched by 'x' are ignored.")
      if (ignored) throw new UsageError(`no firewall rules found in '${ignored[1]}': in a folder, only files of a format fwlint reads are linted (name a file to lint it whatever its name)`);
      throw e;
    }
  }
  try {
    for (const t of texts) results.push(...(await eslint.lintText(t.text, { filePath: t.filePath })));
  } catch (e) {
    progress.stop();
    if (rules) invalidRule(e);
    throw e;
  }
  progress.stop();
  results.push(...failures);
  results.sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));

  const suppression = await import('./suppressions.js');
  const sup = await suppression.handleSuppressions(results, {
    cwd: eslintCwd,
    location: suppressionsLocation,
    suppressAll: values['suppress-all']!,
    suppressRules: values['suppress-rule'] ?? [],
    prune: values['prune-suppressions']!,
    passOnUnpruned: values['pass-on-unpruned-suppressions']!,
  });
  results = sup.results;

  // the files of a folder walk that no format recognises (ESLint gives each an empty result): said, never taken for
  // clean firewalls ('3 files linted, 0 with findings' of a folder of exports in a shape fwlint does not read)
  // (`failures` holds --live's host result too, with no messages on a host where nothing is wrong: no file left alone)
  const named = new Set([...explicitConfigs.map((c) => c.file), ...typescriptFiles, ...texts.map((t) => t.filePath), ...failures.map((f) => f.filePath)]);
  const leftAloneResults = results.filter((r) => r.messages.length === 0 && r.suppressedMessages.length === 0 && !named.has(r.filePath) && !detectFile(r.filePath).format);
  const leftAlone = leftAloneResults.map((r) => relative(cwd, r.filePath) || r.filePath);

  // counted before --quiet hides the warnings, as ESLint does: '--quiet --max-warnings 0' still fails on them
  const errors = results.reduce((n, r) => n + r.errorCount, 0);
  const warnings = results.reduce((n, r) => n + r.warningCount, 0);
  // (JUnit keeps each linted file as a test under --quiet, its warnings left out: a report of no tests at all, where
  // every file is clean, fails Jenkins' junit step, "None of the test reports contained any result")
  if (values.quiet && format === 'junit') results = results.map((r) => (r.warningCount === 0 ? r : { ...r, messages: r.messages.filter((m) => m.severity === 2), suppressedMessages: r.suppressedMessages.filter((m) => m.severity === 2), warningCount: 0, fixableWarningCount: 0 }));
  else if (values.quiet) results = ESLint.getErrorResults(results);
  // (the summary counts the files linted among those it shows)
  const shownLeftAlone = new Set(leftAloneResults.filter((r) => results.includes(r)).map((r) => relative(cwd, r.filePath) || r.filePath));
  const color = values['output-file'] !== undefined || values['no-color'] ? false : values.color ? true : undefined;
  const summary = values['no-summary'] ? false : values.summary !== false;
  const out = formatter ? await formatter.format(results) : await render(format, results, eslint, cwd, io, summary, values['output-file'] !== undefined, color, leftAlone, shownLeftAlone, stdinRequested && values['stdin-filename'] === undefined ? unnamedStdinPath() : undefined);
  if (values['output-file']) {
    writeOutputFile(values['output-file'], out);
  } else if (formatter) {
    // (ESLint prints another formatter's report with console.log: with a final newline)
    if (out !== '') io.stdout(`${out as string}\n`);
  } else if (typeof out === 'string') io.stdout(out);
  // (ESLint prints a report with console.log, a JSON one too: it ends with a newline on a terminal and in a pipe, and
  // not in a file of -o)
  else await writeAll(endLine(out), io);

  if (sup.messages.length > 0) io.stderr(sup.messages.join('\n') + '\n');
  // (the stylish summary says it; other reports are ESLint's shapes, which have no place for it)
  if (leftAlone.length > 0 && (format !== 'stylish' || !summary)) io.stderr(`fwlint: ${leftAloneNote(leftAlone)}\n`);
  if (errors === 0 && maxWarnings >= 0 && warnings > maxWarnings) io.stderr(`fwlint found too many warnings (maximum: ${maxWarnings}).\n`);
  // ESLint's order: unused baseline entries are a configuration error before any finding
  if (sup.unusedError) return 2;
  if (errors > 0) return 1;
  if (maxWarnings >= 0 && warnings > maxWarnings) return 1;
  return 0;
}

/**
 * An ESLint formatter other than fwlint's own formats, as `eslint -f NAME` finds it: a built-in (html,
 * json-with-metadata), an `eslint-formatter-NAME` package or a file. Packages and files are looked for from the working
 * directory fwlint was started in (ESLint's own cwd is the inputs' common folder, `/` for /etc/iptables/rules.v4).
 */
async function loadCustomFormatter(eslint: ESLint, name: string, cwd: string): Promise<ESLint.LoadedFormatter> {
  const pathLike = name.includes('/') || name.includes('\\') || name.startsWith('.');
  let target = pathLike ? resolve(cwd, name) : name;
  if (!pathLike) {
    const require = createRequire(join(cwd, 'noop.js'));
    const pkg = name.startsWith('@') ? (name.includes('/eslint-formatter') ? name : name.replace(/^(@[^/]+)(?:\/(.*))?$/, (_, scope: string, rest?: string) => `${scope}/eslint-formatter${rest ? `-${rest}` : ''}`)) : name.startsWith('eslint-formatter-') ? name : `eslint-formatter-${name}`;
    try {
      target = require.resolve(pkg);
    } catch {
      // (not installed where fwlint runs: a built-in name, or ESLint's own lookup says what is missing)
    }
  }
  try {
    return await eslint.loadFormatter(target);
  } catch (e) {
    throw new UsageError(`unknown format "${name}": not one of ${FORMATS.join(', ')}, nor an ESLint formatter (html, json-with-metadata, an eslint-formatter-* package, a file): ${(e as Error).message.split('\n')[0]}`);
  }
}

function* endLine(pieces: Iterable<string>): Generator<string> {
  yield* pieces;
  yield '\n';
}

/**
 * Writes a report's pieces to standard output, each once the previous ones have been taken (a pipe's reader may be
 * slower than the report is made: without waiting, the rest of the report queues in memory); stops when the reader
 * has gone.
 */
export async function writeAll(pieces: Iterable<string>, io: Io): Promise<void> {
  for (const piece of pieces) {
    io.stdout(piece);
    if (io.drained && !(await io.drained())) return;
  }
}

/** The report: one string, or (JSON, which can be tens of MB) pieces written one after another. */
/** The folder `-f github` names files from: the Actions checkout when fwlint runs inside it, else `cwd`. */
function githubRoot(cwd: string): string {
  const ws = process.env.GITHUB_WORKSPACE;
  if (!ws || !isAbsolute(ws)) return cwd;
  const rel = relative(ws, cwd);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)) ? ws : cwd;
}

async function render(format: string, results: ESLint.LintResult[], eslint: ESLint, cwd: string, io: Io, summary: boolean, toFile: boolean, color: boolean | undefined, leftAlone: readonly string[], shownLeftAlone: ReadonlySet<string>, unnamedStdin: string | undefined): Promise<string | Iterable<string>> {
  switch (format) {
    case 'sarif':
      return (await import('./formatters.js')).formatSarif(results, cwd, unnamedStdin);
    case 'github':
      // GitHub resolves an annotation's file from the checkout (GITHUB_WORKSPACE), not from the folder fwlint ran in
      return (await import('./formatters.js')).formatGithub(results, githubRoot(cwd));
    case 'junit':
      return (await import('./junit.js')).formatJunit(results, cwd);
    case 'json': {
      // ESLint's json formatter is JSON.stringify(results); written in pieces (see json-stream.ts)
      const { batched, jsonPieces } = await import('./json-stream.js');
      return batched(jsonPieces(results));
    }
    default: {
      const f = await eslint.loadFormatter('stylish');
      // a report written to a file has no terminal colours, whatever the terminal the run started in; otherwise
      // --color / --no-color, else the terminal decides (NO_COLOR, FORCE_COLOR: node's util.styleText)
      // (fwlint has no --fix: ESLint's "potentially fixable with the `--fix` option" line, for an unused eslint-disable
      // comment, sent users to an option fwlint refuses; `eslint --fix` removes such comments)
      const unfixable = results.some((r) => r.fixableErrorCount + r.fixableWarningCount > 0) ? results.map((r) => ({ ...r, fixableErrorCount: 0, fixableWarningCount: 0 })) : results;
      const text = await f.format(unfixable, (color !== undefined ? { color } : {}) as never);
      return summary && results.length > 0 ? text + (await import('./summary.js')).summaryTable(results, io.isTTY && !toFile, 10, leftAlone, shownLeftAlone.size) : text;
    }
  }
}

/** The Terraform files of a tfvars file's folder (`*.tf`, `*.tf.json`), sorted. */
function moduleTerraformFiles(tfvars: string): string[] {
  const dir = dirname(tfvars);
  try {
    return readdirSync(dir)
      .filter((n) => /\.tf(?:\.json)?$/.test(n))
      .map((n) => join(dir, n))
      .filter((p) => isRegularFile(p))
      .sort();
  } catch {
    return [];
  }
}

/**
 * A Terraform file that declares values and nothing else (`variable`, `locals` blocks: variables.tf, locals.tf) — no
 * resource, data source or module of its own: what it changes is in the module's other files.
 */
function valuesOnlyTerraform(path: string): boolean {
  if (!/\.tf$/.test(path)) return false;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  return /^[ \t]*(?:variable|locals)\b/m.test(text) && !/^[ \t]*(?:resource|data|module)\b/m.test(text);
}
