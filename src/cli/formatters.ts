/**
 * Output formats beyond ESLint's own (stylish and json come from ESLint):
 * SARIF 2.1.0 for code scanning and GitHub workflow annotations.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ESLint, Linter } from 'eslint';
import { createRequire } from 'node:module';
import { PACKAGE } from '../package-info.js';
import { rules } from '../eslint/plugin.js';
import { docsUrl } from '../eslint/rule-kit.js';

function relUri(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}

const REPO = 'https://github.com/fwlint/eslint-plugin-firewall';

/**
 * The rule id of a message without one: ESLint's own messages are either fatal (parse errors, and the CLI's
 * unreadable or unrecognised files) or about its inline directives (an unused eslint-disable, a malformed
 * configuration comment), which are no parse error.
 */
export function messageRuleId(m: Pick<Linter.LintMessage, 'ruleId' | 'fatal'>): string {
  return m.ruleId ?? (m.fatal ? 'fwlint/parse-error' : 'fwlint/directive');
}

/** The rules of fwlint's own messages, with their help pages (SARIF `tool.driver.rules`). */
export const CLI_RULES: { id: string; description: string; helpUri: string }[] = [
  { id: 'fwlint/parse-error', description: 'The file could not be read or parsed as a firewall ruleset', helpUri: `${REPO}/blob/main/README.md#command-line` },
  { id: 'fwlint/directive', description: 'A problem with an inline eslint directive comment (an unused eslint-disable, a malformed configuration comment)', helpUri: `${REPO}/blob/main/README.md#eslint` },
];

/** The base id of the URIs of files under the working directory; `run.originalUriBaseIds` says where it is. */
export const SRCROOT = '%SRCROOT%';

/** A SARIF artifactLocation (§3.4): a file's URI, or for standard input no URI at all (see STDIN_ARTIFACT). */
export type SarifArtifactLocation = { uri: string; uriBaseId?: string } | { index: number; description: { text: string } };

/**
 * Standard input read without --stdin-filename is no file: its results name no file URI (a made-up `stdin` in the
 * working directory pointed at a file that is not there, or at another file of that name). SARIF 2.1.0 lets an
 * artifact have no location (§3.24.2, `location` is optional) and an artifactLocation name its artifact by `index`
 * alone (§3.4.5), described in words (§3.4.6); the artifact's roles say what it is (§3.24.6: `standardStream`).
 * Code scanning keeps only results in files of the repository: a notification says to name the input.
 */
export const STDIN_ARTIFACT = { description: { text: 'standard input' }, roles: ['analysisTarget', 'standardStream'] };
export const STDIN_NOTICE = 'standard input was read without a file name: its results are placed in no file, and code scanning keeps only results in files of the repository; name the file it holds with --stdin-filename PATH';

/**
 * A file as a SARIF artifact location: under the working directory, its relative path percent-encoded (a URI
 * reference, RFC 3986) with the base id %SRCROOT%; elsewhere (or the directory itself) an absolute file: URI.
 */
export function sarifArtifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  if (rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(abs).href };
}

/**
 * `partialFingerprints` for code scanning, which matches results across runs by them: a hash of the rule, the
 * file and the text of the result's first line (whitespace collapsed; the message when the file cannot be read),
 * with the occurrence of that triple in the run after a colon. Lines added above a finding leave it unchanged.
 * The key is our own: GitHub's upload-sarif still adds its primaryLocationLineHash.
 */
export class SarifFingerprints {
  private readonly lines = new Map<string, string[] | undefined>();
  private readonly seen = new Map<string, number>();

  /**
   * The line is read from `source` (the text ESLint linted, which a result with messages carries), else from the file
   * at `path`; `uri` (the artifact's URI, not the machine's absolute path) names the file.
   */
  of(path: string, uri: string, ruleId: string, line: number, message: string, source?: string): Record<string, string> {
    let lines = this.lines.get(path);
    if (!this.lines.has(path)) {
      try {
        lines = (source ?? readFileSync(path, 'utf8')).split(/\r?\n/);
      } catch {
        lines = undefined;
      }
      this.lines.set(path, lines);
    }
    const text = lines?.[line - 1]?.trim().replace(/\s+/g, ' ');
    const key = createHash('sha256').update(`${ruleId}\0${uri}\0${text ? `line:${text}` : `message:${message}`}`).digest('hex').slice(0, 32);
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return { 'fwlintLineHash/v1': `${key}:${n}` };
  }
}

/** A file fwlint could not analyse (unreadable, unrecognised, unparsable): a SARIF tool execution notification too. */
export interface SarifFatal {
  message: string;
  location: SarifArtifactLocation;
  line: number;
  column: number;
}

/**
 * node-sarif-builder's log as JSON, with the base id of relative URIs declared and kept in `run.artifacts`, and
 * `run.invocations[0]` (SARIF 2.1.0 §3.20): the run completed (`executionSuccessful`: the files it could not
 * analyse are results, fwlint/parse-error, and `toolExecutionNotifications`, which code scanning lists on the
 * tool status page).
 */
export function sarifJson(builder: { buildSarifOutput(): unknown }, cwd: string, fatal: readonly SarifFatal[] = [], notices: readonly string[] = []): string {
  const log = builder.buildSarifOutput() as {
    runs: {
      tool: { driver: { rules?: { id: string; shortDescription?: { text: string }; helpUri?: string; help?: { text: string; markdown?: string } }[] } };
      artifacts?: { location?: { uri?: string; uriBaseId?: string } }[];
      originalUriBaseIds?: unknown;
      invocations?: unknown[];
    }[];
  };
  for (const run of log.runs) {
    // code scanning shows a rule's help next to its alerts (reportingDescriptor.help); helpUri alone shows none
    for (const rule of run.tool.driver.rules ?? []) {
      if (rule.help || !rule.shortDescription) continue;
      rule.help = rule.helpUri
        ? { text: `${rule.shortDescription.text}. Documentation: ${rule.helpUri}`, markdown: `${rule.shortDescription.text}. [Documentation](${rule.helpUri})` }
        : { text: rule.shortDescription.text };
    }
    run.invocations = [
      {
        executionSuccessful: true,
        ...(fatal.length + notices.length > 0
          ? {
              toolExecutionNotifications: [
                ...fatal.map((f) => ({
                  level: 'error',
                  message: { text: f.message },
                  descriptor: { id: 'fwlint/parse-error' },
                  locations: [{ physicalLocation: { artifactLocation: { ...f.location }, region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) } } }],
                })),
                ...notices.map((text) => ({ level: 'warning', message: { text } })),
              ],
            }
          : {}),
      },
    ];
    run.originalUriBaseIds = { [SRCROOT]: { uri: `${pathToFileURL(cwd).href.replace(/\/?$/, '/')}` } };
    for (const a of run.artifacts ?? []) if (a.location?.uri && !a.location.uri.startsWith('file:')) a.location.uriBaseId = SRCROOT;
  }
  return JSON.stringify(log, null, 2);
}

/** SARIF 2.1.0: relative URIs, tool name and version, parse errors as results (rule id "fwlint/parse-error"). */
/** node-sarif-builder (and its fs-extra, ~40 ms) only when a SARIF report is asked for. */
export const sarifLib = (): typeof import('node-sarif-builder') => createRequire(import.meta.url)('node-sarif-builder') as typeof import('node-sarif-builder');

/** `unnamedStdin`: the path standard input was linted under when no --stdin-filename named it (see STDIN_ARTIFACT). */
export function formatSarif(results: ESLint.LintResult[], cwd: string, unnamedStdin?: string): string {
  const { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } = sarifLib();
  const builder = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({ toolDriverName: 'fwlint', toolDriverVersion: PACKAGE.version, url: REPO });
  for (const [name, rule] of Object.entries(rules)) {
    run.addRule(
      new SarifRuleBuilder().initSimple({
        ruleId: `firewall/${name}`,
        shortDescriptionText: String(rule.meta?.docs?.description ?? name),
        helpUri: docsUrl(name),
      }),
    );
  }
  for (const r of CLI_RULES) run.addRule(new SarifRuleBuilder().initSimple({ ruleId: r.id, shortDescriptionText: r.description, helpUri: r.helpUri }));
  const fingerprints = new SarifFingerprints();
  const fatal: SarifFatal[] = [];
  const stdin = unnamedStdin !== undefined && results.some((r) => r.filePath === unnamedStdin);
  // (the artifact listed first: node-sarif-builder appends the files' artifacts after it)
  if (stdin) (run as unknown as { run: { artifacts?: unknown[] } }).run.artifacts = [{ ...STDIN_ARTIFACT }];
  for (const r of results) {
    const isStdin = stdin && r.filePath === unnamedStdin;
    const artifactLocation: SarifArtifactLocation = isStdin ? { index: 0, description: { ...STDIN_ARTIFACT.description } } : sarifArtifactLocation(r.filePath, cwd);
    for (const m of r.messages) {
      const line = Math.max(1, m.line ?? 1);
      const column = Math.max(1, m.column ?? 1);
      const ruleId = messageRuleId(m);
      if (m.fatal) fatal.push({ message: m.message, location: artifactLocation, line, column });
      const res = new SarifResultBuilder().initSimple({
        level: m.severity === 2 ? 'error' : 'warning',
        messageText: m.message,
        ruleId,
        ...('uri' in artifactLocation ? { fileUri: artifactLocation.uri } : {}),
        startLine: line,
        startColumn: column,
        endLine: Math.max(line, m.endLine ?? line),
        endColumn: Math.max(1, m.endColumn ?? column),
      });
      res.setLocationArtifactUri({ ...artifactLocation });
      res.result.partialFingerprints = fingerprints.of(resolve(cwd, r.filePath), 'uri' in artifactLocation ? artifactLocation.uri : '<stdin>', ruleId, line, m.message, r.source);
      run.addResult(res);
    }
  }
  builder.addRun(run);
  return sarifJson(builder, cwd, fatal, stdin ? [STDIN_NOTICE] : []);
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`. */
export function formatGithub(results: ESLint.LintResult[], cwd: string): string {
  const out: string[] = [];
  for (const r of results) {
    for (const m of r.messages) {
      const level = m.severity === 2 ? 'error' : 'warning';
      const props = [`file=${escapeProperty(relUri(r.filePath, cwd))}`, `line=${m.line ?? 1}`, `col=${m.column ?? 1}`];
      if (m.endLine) props.push(`endLine=${m.endLine}`);
      if (m.endColumn) props.push(`endColumn=${m.endColumn}`);
      props.push(`title=${escapeProperty(messageRuleId(m))}`);
      out.push(`::${level} ${props.join(',')}::${escapeData(m.message)}`);
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
