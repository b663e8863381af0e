import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, parse, resolve, sep } from 'node:path';
import type { File, Language, OkParseResult, ParseResult } from '@eslint/core';
import type { FirewallDocument } from '../model/index.js';
import { endPosition } from '../model/index.js';
import { allFormats, detectFormat, formatById } from '../parsers/registry.js';
import { hasWildcard, wildcardMatch } from '../parsers/nftables/include.js';
import type { FormatDefinition, IncludeReader } from '../parsers/types.js';
import '../parsers/formats.js';
import { locOf, type FirewallRoot } from './ast.js';
import { FirewallSourceCode } from './source-code.js';

export interface FirewallLanguageOptions {
  /** Force a format id (e.g. "iptables-script") instead of detecting it. */
  format?: string;
  /** Variables for Terraform (tfvars) and CloudFormation parameters. */
  variables?: Record<string, unknown>;
  /**
   * iptables scripts: `empty` when they run on a fresh host, container or network namespace, so that a chain they
   * do not flush starts empty with an ACCEPT policy; `unknown` (the default) keeps what ran before undecided.
   */
  scriptStart?: 'unknown' | 'empty';
  [key: string]: unknown;
}

/**
 * What the parsers read besides the file (nft `include`, Terraform's tfvars and local modules): relative to the
 * including file (a wildcard: every matching file); the parsers stay pure. The CLI's `--cache` key reads through it too.
 */
export const readInclude: IncludeReader = (path, fromFile) => {
  const full = resolve(fromFile ? dirname(fromFile) : process.cwd(), path);
  if (hasWildcard(path)) {
    try {
      return { files: expandWildcard(full).map((f) => ({ path: f, text: readFileSync(f, 'utf8') })) };
    } catch (e) {
      return { error: `cannot read ${full}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
  }
  // nft 1.0.6 loads nothing from a directory and says nothing (nft -f, exit 0)
  if (isDir(full)) return { files: [], note: `${full} is a directory, which nft reads no rules from (a pattern such as "dir/*.nft" loads its files)` };
  try {
    return { path: full, text: readFileSync(full, 'utf8') };
  } catch (e) {
    return { error: `cannot read ${full}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
};

/** The regular files a wildcard path names, in alphabetical order (nft: glob(3), directories skipped). */
function expandWildcard(pattern: string): string[] {
  const root = parse(pattern).root;
  let dirs = [root];
  const parts = pattern.slice(root.length).split(sep).filter((p) => p !== '');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const d of dirs) {
      if (!hasWildcard(part)) {
        next.push(join(d, part));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        continue;
      }
      for (const n of names.sort()) if (wildcardMatch(n, part)) next.push(join(d, n));
    }
    dirs = last ? next : next.filter((d) => isDir(d));
  }
  return dirs.filter((f) => !isDir(f) && existsSync(f)).sort();
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The languageOptions keys a firewall file may get: its own, and those of ESLint's JavaScript language. */
const LANGUAGE_OPTION_KEYS: readonly string[] = ['format', 'variables', 'scriptStart', 'ecmaVersion', 'sourceType', 'globals', 'parser', 'parserOptions'];

/** The parse error of a file with NUL bytes that no format recognises. */
export const BINARY_CONTENT = 'binary content (NUL bytes): no firewall ruleset fwlint can read (encrypted with git-crypt or SOPS, damaged, or UTF-16 text?)';

export function emptyDocument(format: string): FirewallDocument {
  return { format, rulesets: [], diagnostics: [], comments: [] };
}

/** Parse with a known format; never throws (a parser bug becomes a fatal error at 1:1). */
export function parseWithFormat(format: FormatDefinition, text: string, filePath: string | undefined, languageOptions: FirewallLanguageOptions = {}, reader: IncludeReader = readInclude): FirewallDocument {
  try {
    const opts: Parameters<FormatDefinition['parse']>[1] = { readInclude: reader };
    if (filePath !== undefined) opts.filePath = filePath;
    if (languageOptions.variables) opts.variables = languageOptions.variables;
    if (languageOptions.scriptStart !== undefined) opts.before = languageOptions.scriptStart;
    return format.parse(text, opts);
  } catch (e) {
    const doc = emptyDocument(format.id);
    doc.diagnostics.push({
      severity: 'error',
      code: 'internal',
      message: `internal error in the ${format.id} parser: ${(e as Error)?.message ?? String(e)}`,
      span: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
    });
    return doc;
  }
}

/**
 * The range ESLint is given for a comment: its text after the marker (`#`, `//`; inside `/* … *\/`). ESLint's fix for
 * an unused `eslint-disable` replaces the comment's range with one space: over the whole comment that left a line of
 * only a space, which iptables-restore rejects ('no command specified'), so `eslint --fix` broke the ruleset; over
 * the text alone it leaves `# `, an empty comment in every syntax. `loc` (where problems are reported) stays the
 * whole comment.
 */
function commentRange(text: string, c: FirewallDocument['comments'][number]): [number, number] {
  const start = c.span.start.offset;
  const end = c.span.end.offset;
  const valueEnd = c.type === 'Block' ? end - 2 : end;
  const valueStart = valueEnd - c.value.length;
  return valueStart > start && text.slice(valueStart, valueEnd) === c.value ? [valueStart, valueEnd] : [start, end];
}

/**
 * One ESLint language per comment syntax: iptables, nftables, json, yaml, hcl.
 * Within a language the format is detected from the file name and content, so a
 * JSON file may be an AWS export, an ARM template or `nft -j` output — and a
 * JSON file that is no firewall at all gets an empty document: no findings, no errors.
 */
export class FirewallLanguage implements Language {
  readonly fileType = 'text' as const;
  readonly lineStart = 1 as const;
  readonly columnStart = 1 as const;
  readonly nodeTypeKey = 'type';
  readonly visitorKeys = { Document: [] as string[] };
  readonly defaultLanguageOptions: FirewallLanguageOptions = {};

  constructor(readonly syntax: FormatDefinition['language']) {}

  validateLanguageOptions(options: FirewallLanguageOptions): void {
    if (options.format !== undefined) {
      const f = typeof options.format === 'string' ? formatById(options.format) : undefined;
      if (!f) throw new TypeError(`Unknown firewall format ${JSON.stringify(options.format)}: one of ${allFormats().map((x) => x.id).join(', ')}.`);
    }
    // JavaScript's keys are let through (a config object without `files` gives every file its JavaScript
    // languageOptions); any other is a mistake, as in ESLint's JavaScript language: `formt: 'nftables'` was ignored
    const unknown = Object.keys(options).find((k) => !LANGUAGE_OPTION_KEYS.includes(k));
    if (unknown !== undefined) throw new TypeError(`Unexpected key "${unknown}" found: firewall languages take format, variables and scriptStart.`);
    if (options.scriptStart !== undefined && options.scriptStart !== 'unknown' && options.scriptStart !== 'empty')
      throw new TypeError(`Key "scriptStart": expected "unknown" or "empty" (what the filter table holds when an iptables script starts), got ${JSON.stringify(options.scriptStart)}.`);
    const v = options.variables;
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) {
      throw new TypeError(`Key "variables": expected an object of variable names and values (Terraform variables, CloudFormation parameters), got ${JSON.stringify(v)}.`);
    }
  }

  parse(file: File, context: { languageOptions: FirewallLanguageOptions }): ParseResult<FirewallRoot> {
    const text = typeof file.body === 'string' ? file.body : new TextDecoder().decode(file.body);
    const opts = context.languageOptions ?? {};
    const forced = opts.format ? formatById(opts.format) : undefined;
    const format = forced ?? detectFormat(file.path, text, this.syntax) ?? this.#otherSyntax(file.path, text);
    const physical = file.physicalPath && !file.physicalPath.startsWith('<') ? file.physicalPath : undefined;
    // a file of a firewall name with NUL bytes is encrypted or damaged: an error, not a file that is no firewall
    if (!format && text.includes('\0')) return { ok: false, errors: [{ message: BINARY_CONTENT, line: 1, column: 1 }] };
    const document = format ? parseWithFormat(format, text, physical ?? file.path, opts) : emptyDocument('none');
    const errors = document.diagnostics.filter((d) => d.severity === 'error');
    // (NUL bytes are looked for only when the text did not parse: no cost on the way of files that do)
    if (errors.length > 0 && text.includes('\0')) return { ok: false, errors: [{ message: BINARY_CONTENT, line: 1, column: 1 }] };
    if (errors.length > 0) {
      return {
        ok: false,
        errors: errors.map((d) => ({
          message: d.message,
          line: d.span.start.line,
          column: d.span.start.column,
          endLine: d.span.end.line,
          endColumn: d.span.end.column,
        })),
      };
    }
    const end = endPosition(text);
    const ast: FirewallRoot = {
      type: 'Document',
      range: [0, text.length],
      loc: { start: { line: 1, column: 1 }, end: { line: end.line, column: end.column } },
      document,
      comments: document.comments.map((c) => ({ type: c.type, value: c.value, loc: locOf(c.span), range: commentRange(text, c) })),
    };
    return { ok: true, ast };
  }

  /**
   * A format of another comment syntax that the names this language is given also hold (as the CLI reads them, see
   * inOtherLanguage in src/cli/inputs.ts): an nft ruleset in `fw.sh` or `main.rules`, a JSON CloudFormation or ARM
   * template in `stack.template`. They got an empty document: no finding, no error, where `fwlint` reported.
   */
  #otherSyntax(path: string, text: string): FormatDefinition | undefined {
    // (a line that can start an nft file first: a plain shell script does not load the nftables parser module)
    if (this.syntax === 'iptables') return /^[ \t]*(?:table|flush|define|add)(?:[ \t]|$)|^#!\S*nft/m.test(text.slice(0, 4096)) ? detectFormat(path, text, 'nftables') : undefined;
    if (this.syntax === 'yaml' && /^\uFEFF?\s*[{[]/.test(text)) return detectFormat(path, text, 'json');
    return undefined;
  }

  createSourceCode(file: File, input: OkParseResult<FirewallRoot>): FirewallSourceCode {
    const text = typeof file.body === 'string' ? file.body : new TextDecoder().decode(file.body);
    return new FirewallSourceCode({ text, ast: input.ast });
  }
}

export const languages = {
  iptables: new FirewallLanguage('iptables'),
  nftables: new FirewallLanguage('nftables'),
  json: new FirewallLanguage('json'),
  yaml: new FirewallLanguage('yaml'),
  hcl: new FirewallLanguage('hcl'),
};
