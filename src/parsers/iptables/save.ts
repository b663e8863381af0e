/**
 * iptables-save / ip6tables-save output (= iptables-restore input): a single-pass
 * line scanner. Positions are computed from the current line, not by search.
 */
import { DOCUMENT_START, LineSpan, type Diagnostic, type DocComment, type Family, type FirewallDocument, type Severity, type Span, type TableFamily } from '../../model/index.js';
import { runCommand, type CommandEnv } from './command.js';
import { fastRun, type LineCursor } from './fast.js';
import { newCache, type RuleContext } from './rule.js';
import { NetfilterState, type TableState } from './state.js';

import { tokenizeRestoreLine, type Tok } from './tokens.js';

export interface SaveOptions {
  filePath?: string;
  family?: Family;
  /** Internal: an `iptables-restore <<EOF` here-document of a script, read into the script's state. */
  embed?: EmbeddedRestore;
  /** Internal, for tests: false reads every line with the general reader (see fast.ts). */
  fastPath?: boolean;
}

export interface EmbeddedRestore {
  state: NetfilterState;
  diagnostics: Diagnostic[];
  /** Offsets of the body in the script text, and the 1-based line it starts on. */
  from: number;
  to: number;
  line: number;
  family: Family;
  /** `--noflush`: sections add to the tables instead of replacing them. */
  noflush: boolean;
  /**
   * An unquoted `<<EOF` body: the shell expands `$VAR`, `${VAR}`, `$(...)` in it before iptables-restore reads it.
   * Gives a command line's arguments as the shell's expansion made them (offsets kept): each one, several, or
   * one marked unknown. Such lines go through the general reader.
   */
  expand?: (toks: readonly Tok[], out: Tok[]) => void;
}

/** Family from the file name: ip6tables-save, rules.v6, *.v6.txt ... */
export function familyFromName(filePath: string | undefined): Family | undefined {
  if (!filePath) return undefined;
  const base = filePath.slice(Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\')) + 1).toLowerCase();
  if (base.includes('ip6') || /(^|[^a-z0-9])v6([^a-z0-9]|$)/.test(base) || base.includes('ipv6')) return 'ipv6';
  return undefined;
}

export function parseSave(text: string, options: SaveOptions = {}): FirewallDocument {
  const embed = options.embed;
  const diagnostics: Diagnostic[] = embed?.diagnostics ?? [];
  const comments: DocComment[] = [];
  // the line being read (an object: the fast path reads runs of lines itself, see fastRun)
  const at: LineCursor = { line: embed ? embed.line - 1 : 0, start: embed ? embed.from : 0, end: 0, nl: 0 };
  const pos = (off: number) => ({ line: at.line, column: off - at.start + 1, offset: off });
  // spans of one line (a rule, an option): one small packed object each, not three
  const span = (a: number, b: number): Span => LineSpan.of(at.line, at.start, a, b);
  const diagSpan = (severity: Severity, code: string, message: string, s: Span) => diagnostics.push({ severity, code, message, span: s });
  const state = embed?.state ?? new NetfilterState(diagSpan);
  if (!embed) state.restoreFile = true;
  const nameFamily = familyFromName(options.filePath);
  let saw6 = false;
  /** The ip6tables-save header comment: the dump is IPv6 even when no rule names an address. */
  let saved6 = false;
  const ctx: RuleContext = {
    span,
    diag: (severity, code, message, a, b) => diagnostics.push({ severity, code, message, span: span(a, b) }),
    cache: newCache(),
    sawFamily: (f) => {
      if (f === 'ipv6') saw6 = true;
    },
  };
  // `-4` / `-6` lines are filtered by the family the tool is; decided before the scan when possible.
  const provisional: Family = embed?.family ?? options.family ?? nameFamily ?? 'ipv4';
  ctx.family = embed?.family ?? options.family;
  ctx.toolFamily = provisional;
  const tfam: TableFamily = provisional === 'ipv6' ? 'ip6' : 'ip';

  let table: TableState | undefined;
  // one command environment, updated per line
  const env: CommandEnv = { state, ctx, text, restore: true, span: DOCUMENT_START, ruleText: '' };
  let tableHeader: Span | undefined;
  const seenTables = new Set<string>();
  /** Tables with a chain line or a command; a bare `*filter` + COMMIT creates nothing (iptables-nft). */
  const touched = new Set<TableState>();
  // `iptables -S` output: the commands of one table, no *table or COMMIT lines
  const listed = embed ? undefined : listingTable(text);
  if (listed) {
    table = state.table(listed, tfam, LineSpan.of(1, 0, 0, 0));
    touched.add(table);
  }
  const toks: Tok[] = [];
  const len = embed ? embed.to : text.length;
  let lastLineEnd = at.start;
  // (a here-document under a shell condition: its rules carry it, which only the general reader adds)
  const fast = options.fastPath !== false && !embed?.expand && !embed?.state.condition;
  const expand = embed?.expand;
  const expanded: Tok[] = [];
  /** The table of the last line the fast path read: already in `touched`. */
  let lastFastTable: TableState | undefined;

  while (at.start <= len) {
    const lineStart = at.start;
    let nl = text.indexOf('\n', lineStart);
    if (nl < 0 || nl > len) nl = len;
    at.line++;
    let end = nl;
    if (end > lineStart && text.charCodeAt(end - 1) === 13) end--;
    const first = lineStart < end ? text.charCodeAt(lineStart) : -1;
    try {
      if (first === -1) {
        // blank line
      } else if (first === 35 /* # */) {
        comments.push({ value: text.slice(lineStart + 1, end), span: span(lineStart, end), type: 'Line' });
        // "# Generated by ip6tables-save v1.8.7 ...", also ip6tables-nft-save / ip6tables-legacy-save
        if (text.startsWith('# Generated by ip6tables', lineStart) && IP6_SAVE_HEADER.test(text.slice(lineStart, end))) saved6 = true;
      } else if (first === 42 /* * */) {
        const name = text.slice(lineStart + 1, end).trim();
        if (table) diagSpan('error', 'iptables/missing-commit', `Table ${table.name} is not closed with COMMIT before the next table`, span(lineStart, end));
        table = undefined;
        if (!NetfilterState.isKnownTable(name)) {
          diagSpan('error', 'iptables/unknown-table', `Unknown table "${name}" (filter, nat, mangle, raw, security)`, span(lineStart + 1, end));
          tableHeader = span(lineStart, end);
          // parse its lines for diagnostics into a throwaway state
          table = { name, family: tfam, chains: new Map(), span: tableHeader, renames: new Map() };
        } else {
          tableHeader = span(lineStart, end);
          const existed = seenTables.has(name) || (embed !== undefined && !embed.noflush && state.tables.some((t) => t.name === name && t.family === tfam));
          table = state.table(name, tfam, tableHeader);
          if (existed) state.resetTable(table, tableHeader);
          seenTables.add(name);
        }
      } else if (first === 58 /* : */) {
        if (!table) {
          diagSpan('error', 'iptables/no-table', 'Chain declaration before any *table line', span(lineStart, end));
        } else {
          touched.add(table);
          toks.length = 0;
          tokenizeRestoreLine(text, lineStart + 1, end, toks);
          const nameTok = toks[0];
          const polTok = toks[1];
          if (!nameTok || nameTok.start !== lineStart + 1) {
            diagSpan('error', 'iptables/bad-chain-line', 'Expected a chain name after ":"', span(lineStart, end));
          } else if (!polTok) {
            diagSpan('error', 'iptables/bad-chain-line', `Chain "${nameTok.text}" has no policy (use "-" for user chains)`, span(lineStart, end));
          } else {
            const c = table.chains.get(nameTok.text);
            if (polTok.text === '-') {
              // "-" on a built-in chain keeps its policy (iptables-nft with --noflush)
              if (c?.builtin) c.span = span(lineStart, end);
              else if (!c) {
                if (nameTok.text.length > 28) diagSpan('error', 'iptables/chain-name', `Chain name "${nameTok.text}" is longer than 28 characters`, span(nameTok.start, nameTok.end));
                const nc = state.newChain(table, nameTok.text, span(lineStart, end), true);
                nc.span = span(lineStart, end);
              }
            } else if (!c?.builtin) {
              diagSpan('error', 'iptables/policy-user-chain', `Cannot set policy "${polTok.text}" on "${nameTok.text}": not a built-in chain of table ${table.name}`, span(lineStart, end));
              state.newChain(table, nameTok.text, span(lineStart, end), true);
            } else {
              c.span = span(lineStart, end);
              state.policy(c, polTok.text, span(lineStart, end), span(polTok.start, polTok.end));
            }
            const cnt = toks[2];
            if (cnt && !isCounters(cnt.text)) diagSpan('warning', 'iptables/bad-counters', `Bad counters "${cnt.text}"`, span(cnt.start, cnt.end));
          }
        }
      } else if (first === 67 /* C */ && text.startsWith('COMMIT', lineStart)) {
        const rest = text.slice(lineStart + 6, end);
        if (rest.trim() !== '') {
          diagSpan('error', 'iptables/bad-line', `Unexpected text after COMMIT`, span(lineStart, end));
        } else if (rest.length > 0) {
          diagSpan('warning', 'iptables/trailing-space', 'Trailing whitespace after COMMIT: iptables-restore 1.8 rejects this line', span(lineStart + 6, end));
        }
        if (!table) diagSpan('error', 'iptables/commit-without-table', 'COMMIT without a *table', span(lineStart, end));
        else if (tableHeader) {
          const full = { start: tableHeader.start, end: pos(end) };
          table.span = full;
          for (const c of table.chains.values()) if (c.span === tableHeader) c.span = full;
        }
        table = undefined;
      } else if ((first === 45 /* - */ || first === 91) /* [ */ && table && fast && fastRun(text, at, end, nl, len, table, state, ctx)) {
        // a plain "[counters] -A chain ..." line, read in one pass, and the plain lines after it (the table is
        // noted once per run of its lines); `at` is now on the last line read
        if (table !== lastFastTable) touched.add((lastFastTable = table));
        end = at.end;
        nl = at.nl;
      } else if (isBlank(text, lineStart, end)) {
        diagSpan('warning', 'iptables/blank-line', 'Line of only whitespace: iptables-restore rejects it', span(lineStart, end));
      } else {
        toks.length = 0;
        const { unterminated } = tokenizeRestoreLine(text, lineStart, end, toks);
        if (unterminated >= 0) diagSpan('error', 'iptables/unterminated-quote', 'Unterminated double quote', span(unterminated, end));
        if (expand) {
          expanded.length = 0;
          expand(toks, expanded);
          toks.length = 0;
          toks.push(...expanded);
        }
        let from = 0;
        let ruleStart = lineStart;
        const t0 = toks[0];
        if (t0 && t0.text.charCodeAt(0) === 91 /* [ */) {
          if (!isCounters(t0.text)) diagSpan('error', 'iptables/bad-counters', `Bad counters "${t0.text}"`, span(t0.start, t0.end));
          from = 1;
        }
        // Rule span: the whole line including a counters prefix; text is the trimmed line.
        while (ruleStart < end && (text.charCodeAt(ruleStart) === 32 || text.charCodeAt(ruleStart) === 9)) ruleStart++;
        let ruleEnd = end;
        while (ruleEnd > ruleStart && (text.charCodeAt(ruleEnd - 1) === 32 || text.charCodeAt(ruleEnd - 1) === 9)) ruleEnd--;
        if (!table) {
          diagSpan('error', 'iptables/no-table', 'Command before any *table line', span(ruleStart, ruleEnd));
        } else if (toks[from] && toks[from]!.text.charCodeAt(0) !== 45 /* - */) {
          diagSpan('error', 'iptables/bad-line', `Unrecognised line (expected *table, :CHAIN, a command such as -A, or COMMIT)`, span(ruleStart, ruleEnd));
        } else {
          touched.add(table);
          env.table = table;
          env.span = span(ruleStart, ruleEnd);
          env.ruleText = text.slice(ruleStart, ruleEnd);
          runCommand(toks, from, env);
        }
      }
    } catch (e) {
      diagSpan('error', 'iptables/internal', `Internal error while reading this line: ${String(e)}`, span(lineStart, end));
    }
    lastLineEnd = end;
    if (nl >= len) break;
    at.start = nl + 1;
  }
  if (table && listed) {
    // a listing ends without COMMIT
  } else if (table) {
    diagSpan('error', 'iptables/missing-commit', `Table ${table.name} is never committed (COMMIT missing); iptables-restore would not load it`, span(lastLineEnd, lastLineEnd));
    if (tableHeader) table.span = { start: tableHeader.start, end: pos(lastLineEnd) };
  }

  if (embed) return { format: 'iptables-save', rulesets: [], diagnostics, comments };
  const family: Family = options.family ?? nameFamily ?? (saw6 || saved6 ? 'ipv6' : 'ipv4');
  if (family === 'ipv6' && tfam === 'ip') for (const t of state.tables) t.family = 'ip6';
  state.dropTables((t) => !touched.has(t));
  const ruleset = state.finish(options.filePath ?? '<stdin>', [family]);
  sortDiagnostics(diagnostics);
  return { format: 'iptables-save', rulesets: [ruleset], diagnostics, comments };
}

/**
 * The table an `iptables [-t table] -S` listing shows (`-P chain policy` lines for every built-in chain, then `-N`
 * and `-A` lines, no `*table`): named by its built-in chains; undefined for any other text.
 */
export function listingTable(text: string): string | undefined {
  let policies = '';
  let n = 0;
  for (let a = 0; a < text.length && n < 8; ) {
    let e = text.indexOf('\n', a);
    if (e < 0) e = text.length;
    const line = text.slice(a, e).trim();
    a = e + 1;
    if (line === '' || line.startsWith('#')) continue;
    n++;
    if (line.startsWith('-P ')) policies += ` ${line.split(/\s+/)[1]}`;
    else if (line.startsWith('-N ') || line.startsWith('-A ')) break;
    else return undefined;
  }
  if (policies.length > 100 || text.search(/^[ \t]*(\*|COMMIT\b)/m) >= 0) return undefined;
  const set = new Set(policies.trim().split(' '));
  const is = (...names: string[]) => set.size === names.length && names.every((x) => set.has(x));
  if (is('INPUT', 'FORWARD', 'OUTPUT')) return 'filter';
  if (is('PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING')) return 'nat';
  if (is('PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING')) return 'mangle';
  if (is('PREROUTING', 'OUTPUT')) return 'raw';
  return undefined;
}

const IP6_SAVE_HEADER = /^# Generated by ip6tables(?:-nft|-legacy)?-save /;

function isBlank(text: string, a: number, b: number): boolean {
  for (let k = a; k < b; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function isCounters(s: string): boolean {
  return /^\[[0-9]+:[0-9]+\]$/.test(s);
}

/** In document order (jump targets are checked at the end of the file). Stable. */
export function sortDiagnostics(d: Diagnostic[]): void {
  d.sort((a, b) => a.span.start.offset - b.span.start.offset);
}
