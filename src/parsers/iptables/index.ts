/**
 * iptables: `iptables-save` / `iptables-restore` files and shell scripts of
 * `iptables` / `ip6tables` commands → the common rule model.
 */
import type { Family, FirewallDocument } from '../../model/index.js';
import type { FormatDefinition, ParseOptions } from '../types.js';
import { listingTable, parseSave } from './save.js';
import { parseScript } from './script.js';

export { parseSave, familyFromName } from './save.js';
export { parseScript } from './script.js';

/** `before` (ParseOptions, scripts only): see README.md, "Scripts: what ran before". */
export type IptablesParseOptions = ParseOptions & { mode?: 'save' | 'script' | 'auto'; family?: Family };

const DETECT_BYTES = 8192;

/*
 * Detection scores use the 0-100 scale of the other formats (AWS, Azure, Terraform):
 * 90 for a *table plus chain/command/COMMIT lines (100 with a typical file name),
 * 60 for chain and command lines without *table; scripts 85 for two or more
 * iptables command lines (60 for one), +10 for a .sh name. A file that starts
 * with a shell's #! line or feeds iptables-restore a here-document is a script
 * (its restore lines are the here-document's), never a save file.
 */

/** Lines of the first few KB, trimmed, without blank lines and comments. */
function headLines(text: string, bytes = DETECT_BYTES): string[] {
  const head = text.length > bytes ? text.slice(0, bytes) : text;
  const out: string[] = [];
  for (const raw of head.split('\n')) {
    const l = raw.trim();
    if (l !== '' && !l.startsWith('#')) out.push(l);
  }
  return out;
}

const TABLE_LINE = /^\*(filter|nat|mangle|raw|security)$/;
const CHAIN_LINE = /^:[^\s]+ (ACCEPT|DROP|-)( \[[0-9]+:[0-9]+\])?$/;
const SAVE_CMD = /^(\[[0-9]+:[0-9]+\] )?-[AINPXFDRZ] /;

/** A shell's `#!` line (sh, bash, dash, ksh, zsh, through env or not); `#!/sbin/iptables-restore` is no shell. */
const SHELL_SHEBANG = /^#![ \t]*[^ \t]*\/(?:env[ \t]+)?(?:ba|da|k|z)?sh(?:[ \t]|$)/;
/** `iptables-restore <<EOF`, `sudo /sbin/ip6tables-nft-restore -n <<'EOF'`, ...: a script feeding a here-document. */
const RESTORE_HEREDOC = /^(?:sudo[ \t]+)?[^ \t]*ip6?tables(?:-nft|-legacy)?-restore\b[^<]*<</;

/**
 * The text is a shell script even though restore lines (`*filter`, `-A ...`, `COMMIT`) appear in it: they are
 * the body of an `iptables-restore <<EOF` here-document, or the file starts with a shell's `#!` line.
 */
function scriptMarker(text: string): boolean {
  const nl = text.indexOf('\n');
  if (SHELL_SHEBANG.test(nl < 0 ? text : text.slice(0, nl))) return true;
  for (const l of headLines(text)) if (RESTORE_HEREDOC.test(l)) return true;
  return false;
}

function saveScore(text: string): number {
  if (scriptMarker(text)) return 0;
  if (listingTable(text.length > DETECT_BYTES ? text.slice(0, DETECT_BYTES) : text)) return 60;
  let table = 0;
  let chain = 0;
  let cmd = 0;
  let commit = 0;
  const lines = headLines(text);
  for (const l of lines) {
    if (TABLE_LINE.test(l)) table++;
    else if (CHAIN_LINE.test(l)) chain++;
    else if (SAVE_CMD.test(l)) cmd++;
    else if (l === 'COMMIT') commit++;
  }
  if (table > 0 && (chain > 0 || cmd > 0 || commit > 0)) return 90;
  if (chain > 0 && cmd > 0) return 60;
  return 0;
}

const PROGRAMS = new Set(['iptables', 'ip6tables', 'iptables-nft', 'iptables-legacy', 'ip6tables-nft', 'ip6tables-legacy']);

/** The program a word runs: `/sbin/ip6tables` → `ip6tables`. */
function isProgram(word: string | undefined): boolean {
  return word !== undefined && PROGRAMS.has(word.slice(word.lastIndexOf('/') + 1));
}

/** `IP6=/sbin/ip6tables`, `export FW="sudo iptables -w"`: the variable runs iptables, whatever its name. */
function programVariable(line: string): string | undefined {
  const l = line.startsWith('export ') || line.startsWith('readonly ') ? line.slice(line.indexOf(' ') + 1).trimStart() : line;
  const eq = l.indexOf('=');
  if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(l.slice(0, eq))) return undefined;
  const words = l.slice(eq + 1).replace(/["']/g, '').split(/[ \t]+/);
  const w = words[0] === 'sudo' ? words[1] : words[0];
  return isProgram(w) ? l.slice(0, eq) : undefined;
}

/** `iptables -...`, `sudo /sbin/ip6tables -...`, `$IPT -...`, `${IPT6} -...` (a word scan, no backtracking). */
function isIptablesCommandLine(line: string, vars?: ReadonlySet<string>): boolean {
  const words = line.split(/[ \t]+/);
  let k = 0;
  if (words[0] === 'sudo') {
    k = 1;
    while (k < words.length && words[k]!.startsWith('-')) k++;
  }
  const w = words[k];
  const next = words[k + 1];
  if (w === undefined || next === undefined || !next.startsWith('-')) return false;
  if (w.startsWith('$')) {
    const name = w.startsWith('${') && w.endsWith('}') ? w.slice(2, -1) : w.slice(1);
    const lower = name.toLowerCase();
    return /^[a-z_][a-z0-9_]*$/.test(lower) && (lower.includes('ipt') || lower.includes('ip6t') || vars?.has(name) === true);
  }
  return PROGRAMS.has(w.slice(w.lastIndexOf('/') + 1));
}

/**
 * A script's commands may follow many KB of settings and shell functions (an 18 KB preamble was "no format"): its
 * lines are looked for in the whole head detection is given (64 KB), past the first 8 KB only when none was there.
 */
function scriptScore(text: string): number {
  const first = scriptLines(headLines(text));
  return first > 0 || text.length <= DETECT_BYTES ? scriptScoreOf(first) : scriptScoreOf(scriptLines(headLines(text, SCRIPT_DETECT_BYTES)));
}

const SCRIPT_DETECT_BYTES = 65536;

function scriptScoreOf(n: number): number {
  if (n >= 2) return 85;
  if (n === 1) return 60;
  return 0;
}

function scriptLines(lines: readonly string[]): number {
  let n = 0;
  const vars = new Set<string>();
  for (const l of lines) {
    const v = programVariable(l);
    if (v) vars.add(v);
    else if (isIptablesCommandLine(l, vars) || RESTORE_HEREDOC.test(l)) n++;
  }
  return n;
}

function nameLooksSave(fileName: string): boolean {
  const b = fileName.toLowerCase();
  return b.endsWith('.rules') || b === 'rules.v4' || b === 'rules.v6' || b.endsWith('.iptables') || b.endsWith('.ipt') || (b.startsWith('iptables') && b.endsWith('.save')) || (b.startsWith('ip6tables') && b.endsWith('.save')) || b === 'rules-save' || b === 'rules6-save';
}

export const iptablesSaveFormat: FormatDefinition = {
  id: 'iptables-save',
  language: 'iptables',
  detect(fileName: string, text: string): number {
    const s = saveScore(text);
    if (s === 0) return 0;
    return nameLooksSave(fileName) ? s + 10 : s;
  },
  parse(text: string, options: ParseOptions): FirewallDocument {
    return parseIptables(text, { ...options, mode: 'save' });
  },
};

export const iptablesScriptFormat: FormatDefinition = {
  id: 'iptables-script',
  language: 'iptables',
  detect(fileName: string, text: string): number {
    const s = scriptScore(text);
    if (s === 0) return 0;
    if (saveScore(text) > 0) return 0;
    return fileName.toLowerCase().endsWith('.sh') ? s + 10 : s;
  },
  parse(text: string, options: ParseOptions): FirewallDocument {
    return parseIptables(text, { ...options, mode: 'script' });
  },
};

/** Which reader fits the text: a restore file, or a script of iptables commands. */
export function detectMode(text: string, filePath?: string): 'save' | 'script' {
  const name = filePath ? filePath.slice(filePath.lastIndexOf('/') + 1) : '';
  if (saveScore(text) > 0) return 'save';
  if (scriptScore(text) > 0 || name.toLowerCase().endsWith('.sh')) return 'script';
  return 'save';
}

export function parseIptables(text: string, options: IptablesParseOptions = {}): FirewallDocument {
  const mode = options.mode === 'save' || options.mode === 'script' ? options.mode : detectMode(text, options.filePath);
  const opts: { filePath?: string; family?: Family; variables?: Record<string, unknown>; before?: 'unknown' | 'empty' } = {};
  if (options.filePath !== undefined) opts.filePath = options.filePath;
  if (options.before !== undefined) opts.before = options.before;
  if (options.family !== undefined) opts.family = options.family;
  if (options.variables !== undefined) opts.variables = options.variables;
  try {
    return mode === 'save' ? parseSave(text, opts) : parseScript(text, opts);
  } catch (e) {
    // Last resort: the readers catch per line; this only guards against a bug escaping.
    return {
      format: mode === 'save' ? 'iptables-save' : 'iptables-script',
      rulesets: [],
      diagnostics: [{ severity: 'error', code: 'iptables/internal', message: `Internal error: ${String(e)}`, span: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } }],
      comments: [],
    };
  }
}
