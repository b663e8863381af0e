/**
 * Reading inputs for the CLI: files, directories, stdin. A file that cannot be
 * read is an error, never a silent skip; a file named explicitly that no format
 * recognises is an error too.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import type { FirewallDocument } from '../model/index.js';
import { FILE_GLOBS, NEVER_FIREWALL } from '../eslint/plugin.js';
import { BINARY_CONTENT, parseWithFormat } from '../eslint/language.js';
import { DETECT_HEAD, detectFormat, formatById } from '../parsers/registry.js';
import type { FormatDefinition } from '../parsers/types.js';
import { UsageError } from './main.js';
import { SIDECAR_SUFFIX } from '../suppressions/sidecar.js';
import { AUTO_TFVARS_PATTERNS, TFVARS_FILES } from '../parsers/terraform/files.js';
import { fileModuleReader, type ModuleText } from '../eslint/ts-modules.js';

export interface LoadedFile {
  path: string;
  text?: string;
  /** The text was UTF-16 (decoded here): ESLint, which reads files as UTF-8, must be given the text. */
  utf16?: true;
  format?: FormatDefinition;
  /** A CDK / Pulumi source file (read through the TypeScript extractor: `fwlint exposure`, `fwlint trace`). */
  source?: true;
  error?: string;
  /** detectFile could not open or read it: the errno code (EACCES). */
  unreadable?: string;
}

/** Source files that may hold AWS CDK or Pulumi security groups. */
export const SOURCE_FILE = /\.(?:[cm]?[jt]s|tsx)$/;

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', '.terraform', '.terragrunt-cache']);

/**
 * The languages' file globs and the never-firewall globs, compiled when a folder is first walked: a run on named
 * files never walks one, and picomatch (six modules) and the compilation of 30 globs were ~10 ms of every start-up.
 */
let globs:
  | { isCandidate: (path: string) => boolean; isNever: (path: string) => boolean; isIptablesName: (path: string) => boolean; isTemplate: (path: string) => boolean }
  | undefined;

function fileGlobs(): NonNullable<typeof globs> {
  if (!globs) {
    const picomatch = createRequire(import.meta.url)('picomatch') as typeof import('picomatch');
    globs = {
      isCandidate: picomatch(Object.values(FILE_GLOBS).flat(), { dot: true }),
      isNever: picomatch(NEVER_FIREWALL, { dot: true }),
      // the claimed names whose language may not be the content's (see sniffedUnder)
      isIptablesName: picomatch([...FILE_GLOBS.iptables], { dot: true }),
      isTemplate: picomatch('**/*.template', { dot: true }),
    };
  }
  return globs;
}

/** Files under `dir` whose names a firewall language claims (content decides later). Bounded by `limit`. */
/** Whether a file's name is one a firewall language claims in a folder walk (and not one it never is). */
export function isFirewallName(file: string, cwd: string): boolean {
  const { isCandidate, isNever } = fileGlobs();
  const rel = relative(cwd, file).split('\\').join('/');
  return isCandidate(rel) && !isNever(rel);
}

export function walk(dir: string, limit = 100_000): string[] {
  const { isCandidate, isNever } = fileGlobs();
  return filesUnder(dir, (rel) => isCandidate(rel) && !isNever(rel), { limit });
}

/**
 * Extensions (or none) of files a folder walk reads by content although no language claims their name: what
 * `iptables-save > rules.txt`, `nft list ruleset > ruleset.conf`, `aws ec2 describe-security-groups > sg-prod` or an
 * upper-case `SG.JSON` leave. Backups (`.bak`, `.orig`, `.old`) are copies, left alone.
 */
const SNIFFED_EXTENSION = /^(?:txt|conf|cfg|out|dump|save|json|jsonl|ndjson|ya?ml|template|nft|rules|ipt|ip6?tables|sh|tf|bicep)$/i;

/**
 * The files under `dir` whose names no language claims (so ESLint's walk passes them over) but whose content a format
 * recognises, among those without an extension or with one of SNIFFED_EXTENSION; loaded by detectFile (the head
 * only). What no format recognises is left alone, as any other file of the folder is; so is a document that merely
 * quotes a ruleset (see wholeFile). One that cannot be read is returned with its error: `iptables-save > rules.txt`
 * run as root leaves a file a user's fwlint cannot read, which may be a ruleset — passed over, the run said nothing
 * of it and passed (its `unreadable` set, no format).
 */
export function sniffedUnder(dir: string, limit = 100_000): LoadedFile[] {
  const { isCandidate, isNever, isIptablesName, isTemplate } = fileGlobs();
  const named = (rel: string): boolean => {
    if (isNever(rel)) return false;
    if (isCandidate(rel)) return isIptablesName(rel) || isTemplate(rel);
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    return dot <= 0 || SNIFFED_EXTENSION.test(base.slice(dot + 1));
  };
  const out: LoadedFile[] = [];
  // (symbolic links to regular files too, as ESLint's walk follows them: `rules.txt -> /etc/iptables/rules.v4`)
  for (const f of filesUnder(dir, named, { limit, links: true })) {
    if (SOURCE_FILE.test(f) || !isRegularFile(f)) continue;
    const lf = detectFile(f);
    if (lf.unreadable) {
      out.push({ path: lf.path, error: `cannot read ${relative(process.cwd(), f) || f}: ${lf.unreadable}`, unreadable: lf.unreadable });
      continue;
    }
    if (!lf.format) continue;
    const rel = relative(dir, f).split('\\').join('/');
    if (isCandidate(rel) ? !inOtherLanguage(lf, rel) : !wholeFile(lf)) continue;
    out.push(lf);
  }
  return out;
}

/**
 * Whether a sniffed file is a ruleset from its first line, not a document that quotes one: notes.txt with two
 * `iptables -A` lines between sentences scores as an iptables script, and was linted as one (errors, exit 1). A
 * script must start with `#!`, a save file with a table, chain or command line (comments aside).
 */
function wholeFile(lf: LoadedFile): boolean {
  const text = (lf.text ?? '').replace(/^\uFEFF/, '');
  if (lf.format?.id === 'iptables-script') return text.startsWith('#!');
  if (lf.format?.id !== 'iptables-save') return true;
  for (const raw of text.slice(0, 8192).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return /^(?:\*|:|-[A-Z] |\[\d)/.test(line);
  }
  return false;
}

/**
 * Whether a file whose name a language claims (`rel`, with '/') holds a format only another language reads: an nft
 * ruleset in fw.sh or main.rules, a JSON CloudFormation template in stack.template. ESLint gives such a file the
 * iptables or YAML language, in which it was an empty document — "linted", no findings. `lf`: its detectFile.
 */
export function inOtherLanguage(lf: LoadedFile, rel: string): boolean {
  const { isIptablesName, isTemplate } = fileGlobs();
  if (!lf.format || lf.text === undefined || !(isIptablesName(rel) || isTemplate(rel))) return false;
  const language = isTemplate(rel) ? 'yaml' : 'iptables';
  return lf.format.language !== language && !detectFormat(lf.path, lf.text, language);
}

/**
 * The files a glob given on the command line matches (relative to `cwd`, as ESLint reads it; `**` spans folders,
 * `*` leaves dot files out), walked from the glob's fixed leading folder; at most `limit`.
 */
export function globFiles(pattern: string, cwd: string, limit = 100_000): string[] {
  const picomatch = createRequire(import.meta.url)('picomatch') as typeof import('picomatch');
  const rel = relative(cwd, resolve(cwd, pattern)).split('\\').join('/');
  const { base } = picomatch.scan(rel);
  const match = picomatch(rel, { dot: false });
  const root = resolve(cwd, base || '.');
  if (!isDirectory(root)) return [];
  // symbolic links to regular files too, as a folder walk reads them (see sniffedUnder)
  return filesUnder(root, (r) => match(relative(cwd, join(root, r)).split('\\').join('/')), { limit, links: true }).filter((f) => isRegularFile(f));
}

/** specialFilesUnder for a glob given on the command line (as globFiles reads it). */
export function specialGlobFiles(pattern: string, cwd: string): { path: string; kind: string }[] {
  const picomatch = createRequire(import.meta.url)('picomatch') as typeof import('picomatch');
  const rel = relative(cwd, resolve(cwd, pattern)).split('\\').join('/');
  const match = picomatch(rel, { dot: false });
  const root = resolve(cwd, picomatch.scan(rel).base || '.');
  if (!isDirectory(root)) return [];
  return specialFilesUnder(root, (r) => match(relative(cwd, join(root, r)).split('\\').join('/')));
}

/** The JSON suppression sidecars (`*.fwlint-suppressions.yaml`) under `dir`, for the cache key of --cache runs. */
export function sidecarsUnder(dir: string): string[] {
  return filesUnder(dir, (rel) => rel.endsWith(SIDECAR_SUFFIX));
}

/**
 * The files under `dir` (folders in SKIP_DIRS left out) whose path relative to `dir`, with '/', `accept` takes,
 * sorted; at most `limit`. Symbolic links that are not folders are files when `links` is set; a folder that cannot
 * be listed is passed over, or handed to `unlistable` with its errno code.
 */
function filesUnder(
  dir: string,
  accept: (rel: string) => boolean,
  { limit = Infinity, links = false, unlistable }: { limit?: number; links?: boolean; unlistable?: (folder: string, code: string) => void } = {},
): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0 && out.length < limit) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      unlistable?.(d, (e as NodeJS.ErrnoException).code ?? String(e));
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : -1));
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(full);
      } else if ((e.isFile() || (links && e.isSymbolicLink())) && accept(relative(dir, full).split('\\').join('/'))) out.push(full);
    }
  }
  return out.sort();
}

/** A file or folder under a linted folder that cannot be read, with the reason (an errno code). */
export interface Unreadable {
  path: string;
  folder: boolean;
  code: string;
}

/**
 * What ESLint's own walk of `dir` would fail on: folders it cannot list and firewall-named files (symbolic links
 * included: a dangling one is named like a file) it cannot read. ESLint aborts the whole run on the first of them
 * (an fs error out of lintFiles); the CLI asks this only then, reports each as an error and lints the rest.
 */
export function unreadableUnder(dir: string): Unreadable[] {
  const { isCandidate, isNever } = fileGlobs();
  const out: Unreadable[] = [];
  const probe = Buffer.alloc(1);
  const files = filesUnder(dir, (rel) => isCandidate(rel) && !isNever(rel), { links: true, unlistable: (folder, code) => out.push({ path: folder, folder: true, code }) });
  for (const full of files) {
    try {
      const fd = openSync(full, 'r');
      try {
        readSync(fd, probe, 0, 1, 0);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      out.push({ path: full, folder: false, code: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Firewall-named entries under `dir` that are no regular file nor folder (FIFOs, sockets, devices; symbolic links to
 * them): ESLint's walk reads them as files, and a FIFO's read waits for a writer forever — the run hung. The CLI
 * reports each as an error and leaves it out. Costs one listing of the tree; names are matched only when one is found.
 */
export function specialFilesUnder(dir: string, accept?: (rel: string) => boolean): { path: string; kind: string }[] {
  const found: { path: string; kind: string }[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue; // unreadableUnder reports it
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(join(d, e.name));
        continue;
      }
      if (e.isFile()) continue;
      let st: import('node:fs').Stats = e as unknown as import('node:fs').Stats;
      if (e.isSymbolicLink()) {
        try {
          st = statSync(join(d, e.name));
        } catch {
          continue; // a dangling link: unreadableUnder reports it
        }
        if (st.isFile() || st.isDirectory()) continue;
      }
      const kind = st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'no regular file';
      found.push({ path: join(d, e.name), kind });
    }
  }
  if (found.length === 0) return found;
  const take =
    accept ??
    ((rel: string): boolean => {
      const { isCandidate, isNever } = fileGlobs();
      return isCandidate(rel) && !isNever(rel);
    });
  return found.filter((f) => take(relative(dir, f.path).split('\\').join('/'))).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function unrecognisedMessage(path: string, text: string): string {
  const hint = unrecognisedHint(text);
  return hint ? `no firewall format recognises ${path}${hint}` : `no firewall format recognises ${path} (use --input-format to name one)`;
}

/**
 * What an unrecognised text is, when it is a known near miss (the displays and tools users pipe in by habit), said
 * after the "no firewall format recognises" message; '' otherwise. Reads the first 4 KB, line by line.
 */
export function unrecognisedHint(text: string): string {
  const head = text.slice(0, 4096);
  if (/^Chain [^\s(]+ \((?:policy [A-Z]+|\d+ references)/m.test(head)) {
    return ': it is `iptables -L` output, a display that leaves out what rules match; give `iptables-save` (or `iptables -S`) output';
  }
  if (/^[ \t]*(?:sudo[ \t]+)?(?:\S*\/)?nft[ \t]+(?:-\S+[ \t]+)*(?:add|insert|create|replace|flush|delete)[ \t]/m.test(head)) {
    return ': it runs `nft` commands from a shell; give the ruleset they build (`nft list ruleset`), or the same commands without `nft` in an `nft -f` file';
  }
  // iptables-nft-save's line for a table whose rules iptables cannot show (xtables-save.c, __do_output)
  const incompatible = /^# Table `([^'\n]*)' is incompatible, use 'nft' tool\./m.exec(head);
  if (incompatible) return `: iptables-nft-save could not show table ${incompatible[1]} (its rules are ones only nft lists); give \`nft list ruleset\` output`;
  // `iptables -S INPUT`: the chain's policy and rules without their table (the full `iptables -S` listing, all of a
  // table's built-in chains, is read as that table's save); the first line that is not a comment says it
  if (/^-[PNA] [^\s]+/.test(head.replace(/^(?:[ \t]*(?:#[^\n]*)?\n)+/, ''))) {
    return ': it is `iptables -S CHAIN` output, one chain of a table it does not name; give `iptables-save` output (or all of `iptables -S`, or `iptables -t TABLE -S`)';
  }
  if (/^Status: (?:active|inactive)/m.test(head)) return ': it is `ufw status` output; give the rules ufw loads (`iptables-save`, or `nft list ruleset`)';
  if (/^[ \t]*<(?:zone|policy|service|direct)[\s>]/m.test(head)) return ': it is firewalld XML, which fwlint does not read; give the rules firewalld loads (`nft list ruleset`)';
  if (/^apiVersion:/m.test(head) && /^kind:[ \t]*\S/m.test(head)) return ': it is a Kubernetes manifest, which is no firewall format fwlint reads';
  return '';
}

/** Whether bytes start with a UTF-16 byte order mark (FF FE little-endian, FE FF big-endian). */
function utf16Bom(buf: Buffer): boolean {
  return buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff));
}

/**
 * A file's or standard input's text: UTF-8, or UTF-16 with its byte order mark — what Windows PowerShell 5's `>`
 * writes (`az network nsg show … > nsg.json`), which was "binary content (NUL bytes)".
 */
export function decodeText(buf: Buffer): { text: string; utf16: boolean } {
  if (!utf16Bom(buf)) return { text: buf.toString('utf8'), utf16: false };
  const body = Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)));
  if (buf[0] === 0xfe) body.swap16();
  return { text: body.toString('utf16le'), utf16: true };
}

export function loadFile(path: string, inputFormat?: string): LoadedFile {
  const abs = resolve(path);
  let text: string;
  let utf16: boolean;
  try {
    ({ text, utf16 } = decodeText(readFileSync(abs)));
  } catch (e) {
    return { path: abs, error: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  if (isBlank(text)) return { path: abs, text, error: emptyMessage(path) };
  if (text.includes('\0')) return { path: abs, error: `${path}: ${BINARY_MESSAGE}` };
  const format = inputFormat ? formatById(inputFormat) : detectFormat(abs, text);
  if (!format) return { path: abs, text, error: unrecognisedMessage(path, text) };
  return { path: abs, text, format, ...(utf16 ? { utf16: true as const } : {}) };
}

/**
 * A file named for the engine's commands (`fwlint exposure`, `fwlint trace`): as loadFile, but a source file (.ts,
 * .js…) is CDK or Pulumi code, read through the TypeScript extractor, even when its text also looks like a firewall
 * format (a Pulumi GCP program's `srcIpRanges:` reads as gcp-yaml) — as `fwlint` lints it.
 */
export function loadInput(path: string, inputFormat?: string): LoadedFile {
  const lf = loadFile(path, inputFormat);
  if (inputFormat || lf.text === undefined || !SOURCE_FILE.test(lf.path) || isBlank(lf.text)) return lf;
  return { path: lf.path, text: lf.text, source: true };
}

/**
 * Text with NUL bytes is no firewall format: a file named like one that holds them is encrypted (git-crypt, SOPS)
 * or damaged, and an error, never an unrecognised file passed over.
 */
export const BINARY_MESSAGE = BINARY_CONTENT;

/** Nothing but whitespace: no rules to judge, in any format. */
export function isBlank(text: string): boolean {
  return !/\S/.test(text);
}

/** An empty input named explicitly (or piped) is an error: `ssh host iptables-save | fwlint -` must not pass when ssh failed. */
export function emptyMessage(name: string | undefined): string {
  return name === undefined ? 'standard input is empty: no firewall rules to lint (did the command before the pipe fail?)' : `${name} is empty: no firewall rules to lint`;
}

/**
 * The format of a file ESLint will read itself: only the head that detection reads is read here
 * (a whole 100k-rule dump read twice is 8 MB more of large objects that only a full GC frees).
 * `text` is that head. A UTF-8 code unit of the head takes at most 3 bytes, so 3 × DETECT_HEAD
 * bytes hold it whole (a sequence cut at the end of the buffer lies past it).
 */
export function detectFile(path: string, inputFormat?: string): LoadedFile {
  const abs = resolve(path);
  let head: string;
  try {
    const fd = openSync(abs, 'r');
    try {
      const buf = Buffer.allocUnsafe(3 * DETECT_HEAD + 4);
      let n = 0;
      for (let k; n < buf.length && (k = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += k;
      // UTF-16 (Windows PowerShell's `>`): read whole and decoded, for the CLI to hand ESLint the text
      if (utf16Bom(buf.subarray(0, n))) return loadFile(path, inputFormat);
      head = buf.toString('utf8', 0, n);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return { path: abs, error: `cannot read ${path}: ${code}`, unreadable: code };
  }
  // (the whole file was read when it is shorter than the buffer)
  if (isBlank(head) && Buffer.byteLength(head) < 3 * DETECT_HEAD + 4) return { path: abs, text: head, error: emptyMessage(path) };
  if (head.includes('\0')) return { path: abs, error: `${path}: ${BINARY_MESSAGE}` };
  const format = inputFormat ? formatById(inputFormat) : detectFormat(abs, head);
  if (!format) return { path: abs, text: head, error: unrecognisedMessage(path, head) };
  return { path: abs, text: head, format };
}

/** The variable files Terraform loads by itself from a module's folder: a change to one changes its .tf files. */
export function isTfvars(path: string): boolean {
  const picomatch = createRequire(import.meta.url)('picomatch') as typeof import('picomatch');
  isTfvarsMatcher ??= picomatch([...TFVARS_FILES, ...AUTO_TFVARS_PATTERNS], { dot: true, basename: true });
  return isTfvarsMatcher(path);
}
let isTfvarsMatcher: ((path: string) => boolean) | undefined;

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Expand CLI paths (files and directories) into loaded files for trace/exposure/diff. */
export function loadPaths(paths: string[], inputFormat?: string): LoadedFile[] {
  const out: LoadedFile[] = [];
  for (const p of paths) {
    if (isDirectory(p)) {
      for (const f of [...new Set([...walk(resolve(p)), ...sniffedUnder(resolve(p)).map((s) => s.path)])].sort()) {
        const lf = loadFile(f, inputFormat);
        // inside a directory, a file no format recognises is simply not a firewall file
        if (lf.format || (lf.error && lf.text === undefined)) out.push(lf);
      }
      // what the walk passes over: folders it cannot list, firewall-named symbolic links that lead nowhere
      const listed = new Set(out.map((f) => f.path));
      for (const u of unreadableUnder(resolve(p))) {
        if (!listed.has(u.path)) out.push({ path: u.path, error: `cannot read ${u.folder ? 'folder ' : ''}${u.path}: ${u.code}` });
      }
    } else out.push(loadInput(p, inputFormat));
  }
  return out;
}

export function parseLoaded(f: LoadedFile, scriptStart?: ScriptStart): FirewallDocument | undefined {
  if (f.source && f.text !== undefined) return parseSource(f.text, f.path);
  if (!f.format || f.text === undefined) return undefined;
  return parseWithFormat(f.format, f.text, f.path, scriptStart !== undefined ? { scriptStart } : {});
}

export type ScriptStart = 'unknown' | 'empty';

/**
 * `--script-start unknown|empty` (lint, exposure, trace, diff): what the tables hold when an iptables script starts,
 * as the languageOption `scriptStart` says it to ESLint (src/parsers/iptables/README.md, "Scripts: what ran before").
 */
export function scriptStartOption(value: string | undefined): ScriptStart | undefined {
  if (value === undefined || value === 'unknown' || value === 'empty') return value;
  throw new UsageError(`--script-start takes unknown (the default: rules loaded before the script are not known) or empty (a fresh host, container or network namespace), got "${value}"`);
}

/**
 * A CDK / Pulumi source file as the plugin's TypeScript entry point reads it (the same extractor, over the AST of
 * @typescript-eslint/parser), loaded only for such a file: firewall-only runs never load TypeScript. Never throws:
 * a missing parser or a syntax error is an error diagnostic.
 */
export function parseSource(text: string, path: string, readText?: ModuleText): FirewallDocument {
  const fail = (message: string, line = 1, column = 1): FirewallDocument => ({
    format: 'typescript',
    rulesets: [],
    comments: [],
    diagnostics: [{ severity: 'error', code: 'typescript/parse', message, span: { start: { line, column, offset: 0 }, end: { line, column, offset: 0 } } }],
  });
  const req = createRequire(import.meta.url);
  let parser: { parseForESLint(code: string, options: Record<string, unknown>): { ast: unknown } };
  try {
    parser = req('@typescript-eslint/parser') as typeof parser;
  } catch {
    return fail('reading CDK or Pulumi code needs @typescript-eslint/parser (an optional peer dependency): npm install --save-dev @typescript-eslint/parser');
  }
  const { extractFirewall, looksLikeFirewallCode } = req('../parsers/typescript/index.js') as typeof import('../parsers/typescript/index.js');
  if (!looksLikeFirewallCode(text)) return fail(`no AWS CDK or Pulumi firewall code in ${path} (it imports none of aws-cdk-lib, @pulumi/aws, @pulumi/gcp, @pulumi/azure-native)`);
  let ast: unknown;
  try {
    ast = parser.parseForESLint(text, { range: true, loc: true, comment: true, tokens: false, sourceType: 'module', filePath: path, jsx: path.endsWith('x') }).ast;
  } catch (e) {
    const err = e as { message?: string; lineNumber?: number; column?: number };
    return fail(`syntax error: ${err.message ?? String(e)}`, err.lineNumber ?? 1, (err.column ?? 0) + 1);
  }
  const readModule = fileModuleReader((t, p) => parser.parseForESLint(t, { range: true, loc: true, comment: false, tokens: false, sourceType: 'module', filePath: p, jsx: p.endsWith('x') }).ast as Parameters<typeof extractFirewall>[0], readText);
  return extractFirewall(ast as Parameters<typeof extractFirewall>[0], text, { filePath: path, readModule }).document;
}

/**
 * Standard input (the path `-`) as a loaded file, named `stdinFilename` (--stdin-filename) or `stdin`: its format by
 * `inputFormat`, else by that name and its content. Empty input and input no format recognises are errors that say
 * how to name the format. One reading for `fwlint -`, `fwlint exposure -` and `fwlint trace -`.
 */
/** The path standard input is linted under when no --stdin-filename names it (ESLint looks up its config from there). */
export function unnamedStdinPath(): string {
  return resolve('stdin');
}

export function stdinInput(text: string, inputFormat: string | undefined, stdinFilename: string | undefined): LoadedFile {
  const named = stdinFilename !== undefined;
  const name = stdinFilename ?? '<stdin>';
  const path = named ? resolve(name) : unnamedStdinPath();
  if (isBlank(text)) return { path, text, error: emptyMessage(named ? `standard input (${name})` : undefined) };
  const format = inputFormat ? formatById(inputFormat) : detectFormat(name, text);
  if (format) return { path, text, format };
  const hint = unrecognisedHint(text);
  const error = hint
    ? `no firewall format recognises standard input${named ? ` (${name})` : ''}${hint}`
    : named
      ? `no firewall format recognises standard input (${name}): name one with --input-format`
      : 'cannot tell the format of standard input: name it with --input-format or --stdin-filename';
  return { path, text, error };
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return decodeText(Buffer.concat(chunks)).text;
}

/**
 * Makes `dir` and the folders above it that do not exist, one by one from the nearest existing one down. Node's
 * `mkdirSync(dir, { recursive: true })` never returns where a folder's mkdir fails with ENOENT although its parent
 * exists (`/proc/x/y`: mkdir /proc/x says ENOENT, mkdir /proc says EEXIST, and again, forever); here that mkdir's
 * error is thrown.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !exists(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirectory(d)) throw e;
    }
  }
}

/**
 * `--cache --cache-location P`: makes the folder ESLint will write its cache file in (P itself when it ends with a
 * separator, else P's folder), as ESLint would. ESLint makes it with Node's recursive mkdir, which never returns
 * under /proc (see makeFolders): a folder that cannot be made is a usage error with the reason, before any linting.
 */
export function makeCacheFolder(location: string): void {
  const dir = /[\\/]$/.test(location) ? location : dirname(location);
  try {
    makeFolders(resolve(dir));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    throw new UsageError(`--cache-location: cannot make folder ${dir}: ${err.code}`);
  }
}

/**
 * Writes the report to `-o FILE`, creating its folder as ESLint does (`mkdir(dirname, { recursive: true })` in its
 * cli.js: `-o reports/fwlint.sarif` in a fresh CI checkout). A file that cannot be written (read-only file system,
 * no permission, /proc) is a usage error with the reason, exit 2 — it was a stack trace.
 */
export function writeOutputFile(file: string, out: string | Iterable<string>): void {
  let fd: number | undefined;
  try {
    makeFolders(dirname(resolve(file)));
    fd = openSync(resolve(file), 'w');
    if (typeof out === 'string') writeSync(fd, out);
    else for (const chunk of out) writeSync(fd, chunk);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!err.code) throw e;
    throw new UsageError(`--output-file: cannot write ${file}: ${err.code}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * -o FILE: a usage error before any linting when it is a folder (ESLint says so after) or when a path above it is a
 * file, which no folder can be made in. A folder that does not exist yet is made when the report is written.
 */
export function checkOutputFile(file: string | undefined): void {
  if (file === undefined) return;
  const abs = resolve(file);
  if (isDirectory(abs)) throw new UsageError(`--output-file: ${file} is a folder`);
  for (let dir = dirname(abs); ; dir = dirname(dir)) {
    if (exists(dir)) {
      if (!isDirectory(dir)) throw new UsageError(`--output-file: ${relative(process.cwd(), dir) || dir} is a file, not a folder`);
      return;
    }
    if (dirname(dir) === dir) return;
  }
}
