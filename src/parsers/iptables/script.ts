/**
 * Shell scripts made of iptables / ip6tables commands. A small POSIX-shell
 * lexer (quotes, escapes, `\` continuations, comments, here-documents,
 * operators) feeds a straight-line interpreter: literal `VAR=value`
 * assignments are substituted, everything else that needs the shell to run
 * (conditionals, loops over unknown words, command substitution, unknown variables) is
 * reported as a warning and handled conservatively: a rule with a value we
 * cannot know keeps an opaque match, a command that may not run adds rules
 * that may not be there and removes none for sure. Loops over literal words
 * are read once per value and function bodies at each call by name.
 */
import { LineIndex, type Diagnostic, type DocComment, type Family, type FirewallDocument, type OpaqueMatch, type Severity, type Span } from '../../model/index.js';
import { runCommand } from './command.js';
import { parseSave, sortDiagnostics, type EmbeddedRestore } from './save.js';
import { newCache, type RuleContext } from './rule.js';
import { NetfilterState, type CommandCondition } from './state.js';
import { tokenizeRestoreLine, type Tok } from './tokens.js';

interface Word extends Tok {
  /** `NAME=value` words: the variable name (the value is `text`). */
  assign?: string;
  /** The word is plain unquoted literal text (a shell keyword can only be such a word). */
  plain?: boolean;
  /** `NAME` of `NAME() {`: a function definition's name, not a command. */
  defines?: boolean;
  /** `NAME=(a b c)`: a bash array's elements (text: them joined by blanks). */
  array?: string[];
  /** `NAME+=value`, `NAME+=(a b)`: appends to NAME. */
  append?: boolean;
  /** `${NAME:=default}` in the word assigned NAME (its value before: the assignment may not run). */
  sets?: { name: string; old: VarValue | undefined }[];
}

/** A here-document body: offsets in the script text (end = start of the terminator line). */
interface Heredoc {
  from: number;
  to: number;
  /** `<<'EOF'` / `<<"EOF"`: no expansion in the body. */
  quoted: boolean;
  /** `<<-EOF`: leading tabs are removed from body lines. */
  strip: boolean;
}

type Item = { kind: 'cmd'; words: Word[]; heredoc?: Heredoc } | { kind: 'op'; op: string; start: number };

/**
 * A variable's value, or why it is unknown. `values`: an unknown variable that holds one of these (an assignment that
 * may or may not run over a known value: `P=22; if …; then P=23; fi`).
 */
type VarValue = { value: string; array?: string[] } | { unknown: string; values?: string[] };

const IPTABLES_PROGRAMS: Record<string, Family> = {
  iptables: 'ipv4',
  'iptables-nft': 'ipv4',
  'iptables-legacy': 'ipv4',
  ip6tables: 'ipv6',
  'ip6tables-nft': 'ipv6',
  'ip6tables-legacy': 'ipv6',
};

const RESTORE_PROGRAMS: Record<string, Family> = {
  'iptables-restore': 'ipv4',
  'iptables-nft-restore': 'ipv4',
  'iptables-legacy-restore': 'ipv4',
  'ip6tables-restore': 'ipv6',
  'ip6tables-nft-restore': 'ipv6',
  'ip6tables-legacy-restore': 'ipv6',
};

/** Programs that run the command in their arguments (its words are read when nothing else comes between). */
const RUNNERS = new Set(['sudo', 'doas', 'busybox', 'nice', 'ionice', 'timeout', 'nohup', 'setsid', 'stdbuf', 'flock', 'time', 'chronic', 'unbuffer']);
/**
 * Programs that run a command they are given as a string or from their input (`eval "iptables …"`, `sh -c`, `xargs
 * iptables`), and the runners in another network namespace: an iptables word in their arguments is a command not
 * read here (echo, logger, printf only print it).
 */
const STRING_RUNNERS = new Set(['eval', 'sh', 'bash', 'dash', 'ash', 'ksh', 'zsh', 'su', 'runuser', 'xargs', 'parallel', 'watch', 'ip', 'nsenter', 'docker', 'kubectl', 'podman', 'lxc-attach']);
/** Runners of a command in another network namespace: not this host's rules. */
const OTHER_NETNS = /^(?:\S*\/)?(?:ip\s+(?:-\S+\s+)*netns\s+exec|nsenter|docker\s+exec|kubectl\s+exec|podman\s+exec|lxc-attach)\b/;
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
/** Init-script libraries a script sources for their functions (log_daemon_msg, success, …): they set no rules. */
const FUNCTION_LIBRARIES = new Set(['/lib/lsb/init-functions', '/etc/init.d/functions', '/etc/rc.d/init.d/functions', '/etc/rc.status']);

/**
 * The words from `from` on are an iptables command that changes a chain: `-A/-I/-R/-D CHAIN … -j TARGET` or
 * `-P CHAIN ACCEPT|DROP` (what a program word we cannot read is run with, `$FW -A INPUT … -j ACCEPT`).
 */
function looksLikeIptables(words: readonly Word[], from: number): boolean {
  const lit = (a: number): string | undefined => (words[a] && !words[a].unknown && !words[a].quoted ? words[a].text : undefined);
  for (let a = from; a < words.length; a++) {
    const w = lit(a);
    if (w === '-P' || w === '--policy') return /^[A-Z]+$/.test(lit(a + 1) ?? '') && (words[a + 2]?.unknown !== undefined || /^(?:ACCEPT|DROP)$/.test(lit(a + 2) ?? ''));
    if (w === '-A' || w === '--append' || w === '-I' || w === '--insert' || w === '-R' || w === '--replace' || w === '-D' || w === '--delete') {
      if (!/^[A-Za-z][\w.-]*$/.test(lit(a + 1) ?? '')) return false;
      return words.some((x, b) => b > a + 1 && !x.quoted && (x.text === '-j' || x.text === '--jump' || x.text === '-g' || x.text === '--goto'));
    }
  }
  return false;
}

const NAME_START = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const NAME_CHAR = (c: number) => NAME_START(c) || (c >= 48 && c <= 57);

class Lexer {
  i = 0;
  readonly items: Item[] = [];
  readonly comments: DocComment[] = [];
  private words: Word[] = [];
  private heredocs: { delim: string; strip: boolean; quoted: boolean; words: Word[] }[] = [];
  /** Items of a line whose here-documents are not read yet. */
  private deferred: Item[] = [];
  /** `${NAME:=default}` assignments made by the word being read. */
  private sets: { name: string; old: VarValue | undefined }[] = [];

  constructor(
    private readonly text: string,
    private readonly li: LineIndex,
    private readonly vars: Map<string, VarValue>,
    private readonly onItem: (item: Item) => void,
    private readonly onError: (offset: number, message: string) => void,
    start = 0,
    /** Where to stop: a loop body read again for each of its values ends before its `done`. */
    private readonly limit = text.length,
  ) {
    this.i = start;
  }

  private emit(item: Item): void {
    if (this.heredocs.length > 0) this.deferred.push(item);
    else this.onItem(item);
  }

  private end(): void {
    if (this.words.length > 0) this.emit({ kind: 'cmd', words: this.words });
    this.words = [];
  }

  run(): void {
    const t = this.text;
    const n = this.limit;
    while (this.i < n) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 13) {
        this.i++;
      } else if (c === 92 /* \ */ && t.charCodeAt(this.i + 1) === 10) {
        this.i += 2;
      } else if (c === 92 && t.charCodeAt(this.i + 1) === 13 && t.charCodeAt(this.i + 2) === 10) {
        this.i += 3;
      } else if (c === 10) {
        this.end();
        this.i++;
        if (this.heredocs.length > 0) {
          this.skipHeredocs();
          const items = this.deferred;
          this.deferred = [];
          for (const it of items) this.onItem(it);
        }
      } else if (c === 35 /* # */) {
        let e = t.indexOf('\n', this.i);
        if (e < 0) e = n;
        const ce = e > this.i && t.charCodeAt(e - 1) === 13 ? e - 1 : e;
        this.comments.push({ value: t.slice(this.i + 1, ce), span: this.li.span(this.i, ce), type: 'Line' });
        this.i = e;
      } else if (c === 59 /* ; */ || c === 38 /* & */ || c === 124 /* | */) {
        const two = t.charCodeAt(this.i + 1) === c;
        this.end();
        this.emit({ kind: 'op', op: two ? t.slice(this.i, this.i + 2) : t[this.i]!, start: this.i });
        this.i += two ? 2 : 1;
      } else if (c === 40 /* ( */ || c === 41 /* ) */) {
        // `name() {`: the word before `()` names a function being defined, it calls nothing
        if (c === 40 && this.words.length === 1 && /^\(\s*\)/.test(t.slice(this.i, this.i + 16))) this.words[0]!.defines = true;
        this.end();
        this.emit({ kind: 'op', op: t[this.i]!, start: this.i });
        this.i++;
      } else if (c === 60 /* < */ || c === 62 /* > */) {
        this.redirection();
      } else {
        const w = this.word();
        if (w) {
          // `2>file`: a number right before a redirection is a file descriptor
          const nc = t.charCodeAt(this.i);
          if ((nc === 60 || nc === 62) && /^[0-9]+$/.test(w[0]?.text ?? '') && w.length === 1 && !w[0]!.quoted) continue;
          this.words.push(...w);
        }
      }
    }
    this.end();
    const items = this.deferred;
    this.deferred = [];
    this.heredocs = [];
    for (const it of items) this.onItem(it);
  }

  private redirection(): void {
    const t = this.text;
    let op = t[this.i]!;
    this.i++;
    const nx = t[this.i];
    if (op === '<' && nx === '<') {
      op = '<<';
      this.i++;
      if (t[this.i] === '<') {
        op = '<<<';
        this.i++;
      } else if (t[this.i] === '-') {
        op = '<<-';
        this.i++;
      }
    } else if (nx === '>' || nx === '&' || nx === '|' || (op === '<' && nx === '>')) {
      this.i++;
    }
    while (t[this.i] === ' ' || t[this.i] === '\t') this.i++;
    const start = this.i;
    const w = this.word();
    if ((op === '<<' || op === '<<-') && w) {
      const raw = t.slice(start, this.i);
      const delim = raw.replace(/["'\\]/g, '');
      this.heredocs.push({ delim, strip: op === '<<-', quoted: delim !== raw, words: this.words });
    }
  }

  private skipHeredocs(): void {
    const t = this.text;
    const n = t.length;
    for (const h of this.heredocs) {
      const from = this.i;
      let to = n;
      while (this.i < n) {
        const lineStart = this.i;
        let e = t.indexOf('\n', this.i);
        if (e < 0) e = n;
        let line = t.slice(this.i, e);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (h.strip) line = line.replace(/^\t+/, '');
        this.i = Math.min(e + 1, n);
        if (line === h.delim) {
          to = lineStart;
          break;
        }
      }
      const owner = this.deferred.find((it) => it.kind === 'cmd' && it.words === h.words);
      if (owner && owner.kind === 'cmd' && !owner.heredoc) owner.heredoc = { from, to, quoted: h.quoted, strip: h.strip };
    }
    this.heredocs = [];
  }

  private lookup(name: string): VarValue {
    const v = this.vars.get(name) ?? { unknown: `$${name} is not set in this script` };
    // `$A` of an array is its first element
    return 'value' in v && v.array ? { value: v.array[0] ?? '' } : v;
  }

  /** Reads one shell word; returns it field-split (unquoted expansions with blanks give several words). */
  private word(): Word[] | undefined {
    const t = this.text;
    const n = t.length;
    const start = this.i;
    // segments: literal text and whether blanks in it split fields
    const segs: { s: string; split: boolean }[] = [];
    let quoted = false;
    let unknown: string | undefined;
    let plain = true;
    let assign: string | undefined;
    // NAME= at word start
    if (NAME_START(t.charCodeAt(this.i))) {
      let k = this.i + 1;
      while (k < n && NAME_CHAR(t.charCodeAt(k))) k++;
      // `A[2]=x`, `A[i]+=x`: one element of an array; the array is only known when the script runs
      const close = t.charCodeAt(k) === 91 /* [ */ ? t.indexOf(']', k) : -1;
      const eq = close > 0 && !/[\s;&|]/.test(t.slice(k, close)) ? (t.charCodeAt(close + 1) === 61 ? close + 1 : t.charCodeAt(close + 1) === 43 && t.charCodeAt(close + 2) === 61 ? close + 2 : -1) : -1;
      if (eq > 0) {
        const name = t.slice(this.i, k);
        this.i = eq + 1;
        this.word();
        return [{ text: t.slice(start, this.i), start, end: this.i, assign: name, unknown: `$${name} has an element assigned (${t.slice(start, eq + 1)}…): only known when the script runs` }];
      }
      const append = t.charCodeAt(k) === 43 /* + */ && t.charCodeAt(k + 1) === 61;
      if (t.charCodeAt(k) === 61 /* = */ || append) {
        assign = t.slice(this.i, k);
        this.i = k + (append ? 2 : 1);
        if (t.charCodeAt(this.i) === 40 /* ( */) return this.arrayWord(start, assign, append);
        if (append) {
          const w = this.word();
          const v = this.vars.get(assign);
          const one = w?.length === 1 ? w[0]! : undefined;
          if (one && !one.unknown && v && 'value' in v && !v.array) return [{ text: v.value + one.text, start, end: this.i, assign }];
          return [{ text: t.slice(start, this.i), start, end: this.i, assign, unknown: `$${assign} += is only known when the script runs` }];
        }
      }
    }
    let lit = '';
    const flush = () => {
      if (lit) segs.push({ s: lit, split: false });
      lit = '';
    };
    /** The word held "${A[@]}" of an empty array: with nothing else, it is no word at all. */
    let emptyArray = false;
    const expand = (v: VarValue, inQuotes: boolean) => {
      plain = false;
      if ('unknown' in v) {
        unknown ??= v.unknown;
        return;
      }
      if (v.array && v.array.length === 0) emptyArray = true;
      if (inQuotes && !v.array) lit += v.value;
      else {
        flush();
        segs.push({ s: v.value, split: true });
      }
    };
    while (this.i < n) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 59 || c === 38 || c === 124 || c === 40 || c === 41 || c === 60 || c === 62) break;
      if (c === 13 && (this.i + 1 >= n || t.charCodeAt(this.i + 1) === 10)) break;
      if (c === 92 /* \ */) {
        plain = false;
        if (t.charCodeAt(this.i + 1) === 10) {
          this.i += 2;
          continue;
        }
        if (t.charCodeAt(this.i + 1) === 13 && t.charCodeAt(this.i + 2) === 10) {
          this.i += 3;
          continue;
        }
        if (this.i + 1 < n) lit += t[this.i + 1];
        this.i = Math.min(this.i + 2, n);
        quoted = true;
        continue;
      }
      if (c === 39 /* ' */) {
        plain = false;
        quoted = true;
        const e = t.indexOf("'", this.i + 1);
        if (e < 0) this.onError(this.i, 'Unterminated single quote');
        const stop = e < 0 ? n : e;
        lit += t.slice(this.i + 1, stop);
        this.i = Math.min(stop + 1, n);
        continue;
      }
      if (c === 34 /* " */) {
        plain = false;
        quoted = true;
        const open = this.i;
        this.i++;
        while (this.i < n && t.charCodeAt(this.i) !== 34) {
          const d = t.charCodeAt(this.i);
          if (d === 92 && this.i + 1 < n) {
            const e = t[this.i + 1]!;
            if (e === '\n') this.i += 2;
            else if (e === '$' || e === '`' || e === '"' || e === '\\') {
              lit += e;
              this.i += 2;
            } else {
              lit += '\\';
              this.i++;
            }
            continue;
          }
          if (d === 36 /* $ */) {
            const v = this.dollar();
            if (v) expand(v, true);
            else lit += '$';
            continue;
          }
          if (d === 96 /* ` */) {
            this.backtick();
            unknown ??= 'command substitution `...` is only known when the script runs';
            continue;
          }
          lit += t[this.i];
          this.i++;
        }
        if (this.i >= n) this.onError(open, 'Unterminated double quote');
        this.i = Math.min(this.i + 1, n);
        continue;
      }
      if (c === 36 /* $ */) {
        const v = this.dollar();
        if (v) expand(v, false);
        else {
          lit += '$';
        }
        continue;
      }
      if (c === 96) {
        plain = false;
        this.backtick();
        unknown ??= 'command substitution `...` is only known when the script runs';
        continue;
      }
      lit += t[this.i];
      this.i++;
    }
    flush();
    const end = this.i;
    const sets = this.sets.length > 0 ? this.sets : undefined;
    if (sets) this.sets = [];
    if (emptyArray && !unknown && !assign && segs.every((x) => x.s === '')) return [];
    const out = this.wordOf(start, end, segs, quoted, unknown, plain, assign);
    if (sets && out?.[0]) out[0].sets = sets;
    return out;
  }

  /** `NAME=(a "b" $c)` (also `NAME+=(…)`), at its `(`: the elements, read as words up to `)`. */
  private arrayWord(start: number, assign: string, append: boolean): Word[] {
    const t = this.text;
    const n = this.limit;
    this.i++;
    const elems: string[] = [];
    let unknown: string | undefined;
    while (this.i < n) {
      const c = t.charCodeAt(this.i);
      if (c === 41 /* ) */) {
        this.i++;
        break;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.i++;
        continue;
      }
      if (c === 92 && t.charCodeAt(this.i + 1) === 10) {
        this.i += 2;
        continue;
      }
      if (c === 35 /* # */) {
        const e = t.indexOf('\n', this.i);
        this.i = e < 0 ? n : e;
        continue;
      }
      // `[2]=x` elements and other operators inside: not read
      if (c === 91 || c === 59 || c === 38 || c === 124 || c === 40 || c === 60 || c === 62) unknown ??= `$${assign} is an array whose elements are only known when the script runs`;
      const ws = c === 59 || c === 38 || c === 124 || c === 40 || c === 60 || c === 62 ? (this.i++, undefined) : this.word();
      for (const w of ws ?? []) {
        if (w.unknown) unknown ??= w.unknown;
        else elems.push(w.text);
      }
    }
    const text = t.slice(start, this.i);
    if (append && !unknown) {
      const v = this.vars.get(assign);
      if (v && 'value' in v) elems.unshift(...(v.array ?? (v.value === '' ? [] : [v.value])));
      else unknown = `$${assign} += is only known when the script runs`;
    }
    if (unknown) return [{ text, start, end: this.i, assign, unknown }];
    return [{ text: elems.join(' '), start, end: this.i, assign, array: elems }];
  }

  private wordOf(start: number, end: number, segs: { s: string; split: boolean }[], quoted: boolean, unknown: string | undefined, plain: boolean, assign: string | undefined): Word[] | undefined {
    const t = this.text;
    if (end === start) {
      // a lone character we do not treat (should not happen); skip it
      this.i++;
      return undefined;
    }
    if (unknown) {
      const w: Word = { text: t.slice(start, end), start, end, unknown };
      if (assign) w.assign = assign;
      return [w];
    }
    const needsSplit = !assign && segs.some((s) => s.split && /[ \t\n]/.test(s.s));
    if (!needsSplit) {
      const text = segs.map((s) => s.s).join('');
      // an unquoted expansion that is empty vanishes
      if (!quoted && !assign && text === '' && segs.every((s) => s.split)) return [];
      const w: Word = { text, start, end };
      if (quoted) w.quoted = true;
      if (assign) w.assign = assign;
      if (plain && !assign) w.plain = true;
      return [w];
    }
    const out: Word[] = [];
    let cur = '';
    let has = false;
    for (const s of segs) {
      if (!s.split) {
        cur += s.s;
        has = true;
        continue;
      }
      for (const ch of s.s) {
        if (ch === ' ' || ch === '\t' || ch === '\n') {
          if (has) out.push({ text: cur, start, end });
          cur = '';
          has = false;
        } else {
          cur += ch;
          has = true;
        }
      }
    }
    if (has) out.push({ text: cur, start, end });
    return out;
  }

  private backtick(): void {
    const t = this.text;
    let k = this.i + 1;
    while (k < t.length && t.charCodeAt(k) !== 96) k += t.charCodeAt(k) === 92 ? 2 : 1;
    this.i = Math.min(k + 1, t.length);
  }

  /** At `$`: consumes the expansion; undefined when the `$` is literal. */
  private dollar(): VarValue | undefined {
    const t = this.text;
    const n = t.length;
    const k = this.i + 1;
    const c = t.charCodeAt(k);
    if (c === 123 /* { */) {
      let depth = 1;
      let e = k + 1;
      while (e < n && depth > 0) {
        const d = t.charCodeAt(e);
        if (d === 123) depth++;
        else if (d === 125) depth--;
        if (depth > 0) e++;
      }
      const inner = t.slice(k + 1, e);
      this.i = Math.min(e + 1, n);
      let nameEnd = 0;
      while (nameEnd < inner.length && NAME_CHAR(inner.charCodeAt(nameEnd))) nameEnd++;
      const name = inner.slice(0, nameEnd);
      // ${1}: a function's argument when it is called (see POSITIONAL); the script's own are only known when it runs
      const positional = /^[0-9]$/.test(name);
      if (positional && !this.vars.has(name)) return { unknown: `\${${inner}} is only known when the script runs` };
      if (name === '' || (!NAME_START(name.charCodeAt(0)) && !positional)) return { unknown: `\${${inner}} is only known when the script runs` };
      const rest = inner.slice(nameEnd);
      if (rest === '') return this.lookup(name);
      // `${A[@]}`, `${A[*]}`, `${A[0]}`: a bash array's elements (a scalar is an array of one)
      const sub = /^\[(@|\*|[0-9]+)\]$/.exec(rest);
      if (sub && !positional) {
        const v = this.vars.get(name) ?? { unknown: `$${name} is not set in this script` };
        if (!('value' in v)) return v;
        const elems = v.array ?? (v.value === '' ? [] : [v.value]);
        // "${A[@]}" is one word per element, "${A[*]}" one word
        if (sub[1] === '@') return { value: elems.join(' '), array: elems };
        if (sub[1] === '*') return { value: elems.join(' ') };
        return { value: elems[Number(sub[1])] ?? '' };
      }
      const m = /^(:?)([-=])(.*)$/s.exec(rest);
      if (m && !/[$`\\"']/.test(m[3]!)) {
        const v = this.vars.get(name);
        if (v && 'value' in v && (m[1] === '' || v.value !== '')) return v;
        if (v && 'unknown' in v && v.unknown.includes('is not set') === false) return v;
        // `: ${IPT:=/sbin/iptables}`: the default is assigned to NAME too
        if (m[2] === '=' && !positional) {
          this.sets.push({ name, old: v });
          this.vars.set(name, { value: m[3]! });
        }
        return { value: m[3]! };
      }
      return { unknown: `\${${inner}} is only known when the script runs` };
    }
    if (c === 40 /* ( */) {
      let depth = 0;
      let e = k;
      while (e < n) {
        const d = t.charCodeAt(e);
        if (d === 40) depth++;
        else if (d === 41) {
          depth--;
          if (depth === 0) break;
        } else if (d === 39) {
          const q = t.indexOf("'", e + 1);
          e = q < 0 ? n : q;
        } else if (d === 92) e++;
        e++;
      }
      this.i = Math.min(e + 1, n);
      return { unknown: t.charCodeAt(k + 1) === 40 ? 'arithmetic $((...)) is not evaluated' : 'command substitution $(...) is only known when the script runs' };
    }
    if (NAME_START(c)) {
      let e = k + 1;
      while (e < n && NAME_CHAR(t.charCodeAt(e))) e++;
      this.i = e;
      return this.lookup(t.slice(k, e));
    }
    if ((c >= 48 && c <= 57) || c === 64 || c === 42 || c === 35 || c === 63 || c === 36 || c === 33 || c === 45) {
      this.i = k + 1;
      return this.vars.get(t[k]!) ?? { unknown: `$${t[k]} is only known when the script runs` };
    }
    this.i = k;
    return undefined;
  }
}

/** A shell condition as written (`if [ -n "$X" ]`, `[ -f /etc/x ] &&`), at offsets start..end. */
interface Cond {
  text: string;
  start: number;
  end: number;
  /** After `&&` / `||` (else a compound command's condition). */
  list?: boolean;
  /** The compound command, as warnings name it: "case (line 13)". */
  what?: string;
}

/** `cond`: what decides whether the commands inside run (none for a `{ ... }` group, which always runs). */
/**
 * `for NAME in WORDS; do ... done` over words known before the script runs: the body is read again for each value
 * (from `bodyStart` to its `done`), as the shell runs it, instead of once with an unknown variable.
 */
interface LiteralLoop {
  /** `function`: a function body `{ ... }`, kept to be read at each call (bodyStart is after its `{`). */
  kind: 'for' | 'function';
  name: string;
  values: string[];
  line: number;
  header: Cond;
  /** Loops opened inside the body and not closed yet. */
  depth: number;
  /** After the `do`; -1 until it is seen. */
  bodyStart: number;
  /** The body says break or continue (a function: return or exit): some commands of it may not run. */
  jumps: boolean;
}

/** A function defined in the script: its body, read at each call with the call's arguments as $1, $2, ... */
interface ShellFunction {
  name: string;
  bodyStart: number;
  bodyEnd: number;
  line: number;
  header: Cond;
  jumps: boolean;
  /** Read at least once (at a call, or where it is defined when the script never names it). */
  read: boolean;
  /** Defined inside if/case/a loop: a call may run this body or the one defined before (`prev`), if any. */
  under?: Cond;
  prev?: ShellFunction;
}

/** Calls inside calls deeper than this are not followed (a recursive function). */
const MAX_CALL_DEPTH = 16;

/** `${NAME}`, `${NAME:-default}` (also `-`, `=`, `:=`), `$NAME`, `$1`, `$#`: anchored, no backtracking. */
const HEREDOC_PARAM = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*|[0-9])(?:(:?[-=])([^}$`]*))?\}|([A-Za-z_][A-Za-z0-9_]*|[0-9#@*]))/;

const POSITIONAL = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '#', '@', '*'];

/** At most this many values of a literal loop are read (a brace range such as {1..65535} is not unrolled). */
const MAX_LOOP_VALUES = 1024;

/** The values a `for` loop takes from its words, or undefined when they are only known at run time. */
function loopValues(words: Word[]): string[] | undefined {
  const out: string[] = [];
  for (const w of words) {
    if (w.unknown) return undefined;
    if (!w.quoted && /[*?[]/.test(w.text)) return undefined; // a glob: file names
    const range = w.plain ? /^\{(-?[0-9]{1,6})\.\.(-?[0-9]{1,6})\}$/.exec(w.text) : null;
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (Math.abs(b - a) >= MAX_LOOP_VALUES) return undefined;
      for (let v = a; a <= b ? v <= b : v >= b; v += a <= b ? 1 : -1) out.push(String(v));
      continue;
    }
    const list = w.plain ? /^\{([^{}]*,[^{}]*)\}$/.exec(w.text) : null;
    if (list) {
      out.push(...list[1]!.split(','));
      continue;
    }
    if (w.plain && w.text.includes('{') && w.text.includes('}')) return undefined; // other brace expansions
    out.push(w.text);
    if (out.length > MAX_LOOP_VALUES) return undefined;
  }
  return out;
}

type Frame = {
  kind: 'if' | 'loop' | 'case' | 'function' | 'group' | 'list';
  line: number;
  what: string;
  cond?: Cond;
  /**
   * `if ! iptables -C spec; then` (until an else), `if iptables -C spec; then …; else` (after it): an `iptables -A spec`
   * (or -I) inside leaves the rule there either way. Another spec inside may not be added (the check may succeed).
   */
  ensure?: string;
  /** `if iptables -C spec; then` (until an else): an `iptables -D spec` inside leaves the rule gone either way. */
  ensureGone?: string;
  /** `while iptables -D spec; do`: the condition deletes every copy of spec (until -D fails), for sure. */
  drains?: string;
};

export interface ScriptOptions {
  filePath?: string;
  family?: Family;
  variables?: Record<string, unknown>;
  /** What the filter table holds when the script starts (see IptablesParseOptions): unknown unless `empty`. */
  before?: 'unknown' | 'empty';
}

export function parseScript(text: string, options: ScriptOptions = {}): FirewallDocument {
  const li = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  const diag = (severity: Severity, code: string, message: string, span: Span) => diagnostics.push({ severity, code, message, span });
  const state = new NetfilterState(diag);
  // what the filter table held before the script ran is not in it (see README.md, "Scripts: what ran before")
  state.unknownBefore = options.before !== 'empty';
  /** Each family's first command: where the verdicts of a filter table the script never names are reported. */
  const firstOf = new Map<Family, Span>();
  const vars = new Map<string, VarValue>();
  for (const [k, v] of Object.entries(options.variables ?? {})) if (typeof v === 'string' || typeof v === 'number') vars.set(k, { value: String(v) });
  const cache = newCache();
  const frames: Frame[] = [];
  let pendingFunction: string | undefined;
  let prevItem: Item | undefined;
  let prevPrev: Item | undefined;
  const families = new Set<Family>();

  /** The source of words[from..], on one line, as a condition. */
  const condOf = (ws: Word[], from = 0): Cond | undefined => {
    const a = ws[from];
    if (!a) return undefined;
    const end = ws[ws.length - 1]!.end;
    return { text: oneLine(text.slice(a.start, end)), start: a.start, end };
  };
  let lastCheck = false;
  /**
   * The last command was an iptables command read as run for sure (no condition around it, not tested) and as
   * succeeding: `a && b` then runs b for sure, as the commands after `a` on the next lines do (the reading takes a
   * command iptables accepts to succeed, here as under set -e).
   */
  let lastSure = false;
  /** The rule spec of the last `iptables -C` command (its words after the program, -C left out). */
  let lastCheckKey = '';
  /** `set -e` (or `#!/bin/sh -e`): the shell exits at the first command that fails outside a test. */
  let errexit = /^#![^\n]*\s-[a-zA-Z]*e/.test(text);
  /** `set -u` (`set -o nounset`, `#!/bin/bash -u`): expanding a variable that is not set ends the script there. */
  let nounset = /^#![^\n]*\s-[a-zA-Z]*u/.test(text);
  /** `set -o pipefail`: a pipeline fails when any of its commands does. */
  let pipefail = false;
  /**
   * An iptables command that fails under set -e: the shell exits unless the next operator tests it (&&, ||), or
   * the pipe it feeds hides its status. `cond`: it may not run (then the shell may exit).
   */
  let pendingExit: { at: Span; cond: Cond | undefined } | undefined;
  /** The shell has exited (`exit`, or set -e after a failure): nothing after is read. */
  let exited = false;
  /** The shell may have exited (`[ -x f ] || exit 0`, a conditional failure under set -e): what follows may not run. */
  let mayExit: Cond | undefined;
  /** Open `{ … }` groups and `( … )` subshells around the command being read. */
  let braceDepth = 0;
  let parenDepth = 0;
  /** Open `( … )` subshells: the variables before each (restored at its end) and whether an `exit` ends it early. */
  const subshells: { vars: Map<string, VarValue>; mayExit: Cond | undefined; exits: boolean }[] = [];
  /** The compound depth a `}` or `)` just closed (its status is tested, or not, by the next item). */
  let justClosed: number | undefined;
  /**
   * set -e failures inside a group or subshell: bash does not exit when the compound is tested (`{ …; } || true`,
   * `( …; … ) && x`: -e is ignored in all of it), so the exit waits for the compound's end; until then what follows
   * may not run (mayExit, restored to `before` at the end).
   */
  const compoundExits: { p: { at: Span; cond: Cond | undefined }; level: number; before: Cond | undefined }[] = [];
  /** Ends the script for sure (cond undefined), or makes the rest commands that may not run. */
  const exitHere = (at: Span, cond: Cond | undefined, why: string): void => {
    if (!cond) {
      exited = true;
      return;
    }
    const text = why === 'exit' ? (cond.list ? `${cond.text} exit` : `exit inside ${cond.what ?? cond.text}`) : 'a set -e exit when this command fails';
    mayExit ??= { text, start: at.start.offset, end: at.end.offset, what: `the script, which may exit at line ${at.start.line}` };
  };
  /** The condition a command at this point runs under (a frame other than a group, or an earlier possible exit). */
  const runsUnder = (andOr: Cond | undefined, at: Span): Cond | undefined => {
    if (andOr) return andOr;
    for (let f = frames.length - 1; f >= 0; f--) {
      const fr = frames[f]!;
      if (fr.kind !== 'group') return fr.cond ?? { text: fr.what, start: at.start.offset, end: at.end.offset };
    }
    return mayExit;
  };

  /** A variable after an assignment that may or may not run: its old value or the new one, only known at run time. */
  const mayAssign = (name: string, old: VarValue | undefined, now: VarValue, under: Cond): VarValue => {
    const where = under.what ? `inside ${under.what}` : `after ${under.text}`;
    const values = old && 'value' in old ? [old.value] : old?.values;
    const all = values && 'value' in now ? [...new Set([...values, now.value])] : undefined;
    return {
      unknown: `$${name} is assigned ${where}: ${all ? `${all.map((v) => (v === '' ? "''" : v)).join(' or ')}, ` : ''}only known when the script runs`,
      ...(all ? { values: all } : {}),
    };
  };

  /**
   * The condition an assignment here runs under. One that may or may not run (inside if/case/while, after && / ||)
   * leaves the variable with its old value or the new one: unknown, never the new value for sure (`P=22; if …; then
   * P=23; fi` may leave 22).
   */
  const assignedUnder = (andOr: Cond | undefined): Cond | undefined => {
    if (andOr) return andOr;
    for (let f = frames.length - 1; f >= 0; f--) {
      const fr = frames[f]!;
      if (fr.kind !== 'group') return { text: fr.what, start: 0, end: 0, what: fr.what };
    }
    return undefined;
  };

  const handleCommand = (wordsIn: Word[], heredoc: Heredoc | undefined, andOr: Cond | undefined): void => {
    let words = wordsIn;
    // set -u: a variable the script never sets ends the script where it is expanded, unless the environment sets it —
    // this command and the ones after it may not run
    let unsetCond: Cond | undefined;
    if (nounset && wordsIn.length > 0 && !(wordsIn[0]!.plain && (wordsIn[0]!.text === 'set' || wordsIn[0]!.text === 'unset' || wordsIn[0]!.text === 'read'))) {
      const w = wordsIn.find((x) => x.unknown && (x.unknown.includes('is not set in this script') || /^\$\{?[1-9]\}? is only known/.test(x.unknown)));
      if (w) {
        const line = li.position(w.start).line;
        unsetCond = { text: w.text, start: w.start, end: w.end, what: `set -u, which exits at line ${line} when ${w.text} is not set` };
        mayExit ??= { text: `set -u: ${w.text} not set`, start: w.start, end: w.end, what: `the script, which exits at line ${line} when ${w.text} is not set (set -u)` };
      }
    }
    // `${NAME:=default}` assigned NAME when the lexer read the word: as any assignment, under the command's condition
    for (const w of wordsIn) {
      if (!w.sets) continue;
      const under = assignedUnder(andOr);
      if (under) for (const x of w.sets) vars.set(x.name, mayAssign(x.name, x.old, vars.get(x.name) ?? { value: '' }, under));
    }
    const wasCheck = lastCheck;
    const wasSure = lastSure;
    lastSure = false;
    const checkKey = lastCheckKey;
    /** The command is an if/while/until/elif condition or negated with `!`: set -e does not exit when it fails. */
    let tested = false;
    lastCheck = false;
    // keywords
    for (;;) {
      const w = words[0];
      if (!w || !w.plain) break;
      const k = w.text;
      const line = li.position(w.start).line;
      if (k === 'if' || k === 'while' || k === 'until' || k === 'elif' || k === '!') tested = true;
      if (k === 'if' || k === 'while' || k === 'until') {
        const fr: Frame = { kind: k === 'if' ? 'if' : 'loop', line, what: `${k} (line ${line})`, cond: condOf(words) };
        // `if ! iptables -C spec; then iptables -A spec; fi`: the rule is there afterwards either way
        if (k === 'while' && words.some((x) => !x.quoted && (x.text === '-D' || x.text === '--delete'))) {
          const p = words[1];
          if (p?.plain && IPTABLES_PROGRAMS[base(p.text)]) fr.drains = specKey(words, 1);
        }
        if (k === 'if' && words.some((x) => !x.quoted && (x.text === '-C' || x.text === '--check'))) {
          // the program is the first word after `if` / `if !` (prefixes such as sudo are not followed here)
          const negated = !!words[1]?.plain && words[1].text === '!';
          const at = negated ? 2 : 1;
          const p = words[at];
          const base = p && !p.unknown ? p.text.slice(p.text.lastIndexOf('/') + 1) : '';
          if (IPTABLES_PROGRAMS[base] || (p?.unknown && /ip6?t/i.test(p.text))) {
            if (negated) fr.ensure = specKey(words, at);
            else fr.ensureGone = specKey(words, at);
          }
        }
        frames.push(fr);
        words = words.slice(1);
      } else if (k === 'then' || k === 'do' || k === 'else' || k === 'elif' || k === '!' || k === 'time') {
        if (k === 'else' || k === 'elif') {
          const top = frames[frames.length - 1];
          const checked = k === 'else' ? top?.ensureGone : undefined;
          if (top?.ensure !== undefined) delete top.ensure;
          if (top?.ensureGone !== undefined) delete top.ensureGone;
          // `if iptables -C spec; then …; else iptables -A spec; fi`: the else adds the rule only when it is missing
          if (top && checked !== undefined) top.ensure = checked;
        }
        words = words.slice(1);
      } else if (k === 'fi' || k === 'done' || k === 'esac' || k === '}') {
        frames.pop();
        if (k === '}' && braceDepth > 0) justClosed = braceDepth-- + parenDepth;
        words = words.slice(1);
      } else if (k === '{') {
        if (pendingFunction) {
          // the body is read at each call (the rest of this command is its first command)
          const header = { text: `function ${pendingFunction}`, start: w.start, end: w.end };
          loop = { kind: 'function', name: pendingFunction, values: [], line, header, depth: 0, bodyStart: w.end, jumps: false };
          pendingFunction = undefined;
          return;
        }
        // `test && { ...; }`: every command of the group runs under the list's condition
        else if (andOr) frames.push({ kind: 'list', line, what: `${andOr.text} { ... } (line ${line})`, cond: andOr });
        else frames.push({ kind: 'group', line, what: 'group' });
        braceDepth++;
        pendingFunction = undefined;
        andOr = undefined;
        words = words.slice(1);
      } else if (k === 'for' || k === 'select') {
        // `for p in "$@"` inside a called function: its arguments
        const allArgs = words.length === 4 && callArgs && /^"?\$(?:@|\{@\})"?$/.test(text.slice(words[3]!.start, words[3]!.end)) ? callArgs : undefined;
        const values = k === 'for' && words[1]?.plain && words[2]?.plain && words[2].text === 'in' ? (allArgs ?? loopValues(words.slice(3))) : undefined;
        if (values) {
          loop = { kind: 'for', name: words[1]!.text, values, line, header: condOf(words)!, depth: 0, bodyStart: -1, jumps: false };
          return;
        }
        frames.push({ kind: 'loop', line, what: `${k} loop (line ${line})`, cond: condOf(words) });
        const v = words[1];
        if (v) vars.set(v.text, { unknown: `$${v.text} is a loop variable: its values are only known when the script runs` });
        return;
      } else if (k === 'case') {
        // `case "$1" in a) cmd ;;` on one line: the first pattern (`a`) is in this command already; the command after
        // its `)` is the branch's first, not a pattern
        const inAt = words.findIndex((x, a) => a >= 2 && x.plain && x.text === 'in');
        frames.push({ kind: 'case', line, what: `case (line ${line})`, cond: condOf(inAt > 0 ? words.slice(0, inAt + 1) : words) });
        casePattern = inAt < 0 || inAt === words.length - 1;
        return;
      } else if (k === 'function') {
        pendingFunction = words[1]?.text ?? 'function';
        words = words.slice(2);
      } else break;
    }
    if (words.length === 0) return;
    // assignments (also after export/readonly/local/declare)
    let k = 0;
    const assignAll = (from: number) => {
      const under = assignedUnder(andOr);
      for (let a = from; a < words.length; a++) {
        const w = words[a]!;
        if (!w.assign) continue;
        const now: VarValue = w.unknown ? { unknown: w.unknown.startsWith(`$${w.assign} `) ? w.unknown : `$${w.assign} is set from a value only known when the script runs` } : w.array ? { value: w.text, array: w.array } : { value: w.text };
        vars.set(w.assign, under ? mayAssign(w.assign, vars.get(w.assign), now, under) : now);
      }
    };
    const first = words[0]!;
    if (first.plain && (first.text === 'export' || first.text === 'readonly' || first.text === 'local' || first.text === 'declare' || first.text === 'typeset')) {
      // `local X=1` (declare/typeset without -g) in a function: X gets its outer value back when the function returns
      const scope = localScopes[localScopes.length - 1];
      if (scope && first.text !== 'export' && first.text !== 'readonly' && !words.some((w) => !w.quoted && /^-[a-zA-Z]*g/.test(w.text))) {
        for (let a = 1; a < words.length; a++) {
          const name = words[a]!.assign ?? (words[a]!.plain && /^[A-Za-z_][A-Za-z0-9_]*$/.test(words[a]!.text) ? words[a]!.text : undefined);
          if (name && !scope.has(name)) scope.set(name, vars.get(name));
        }
      }
      assignAll(1);
      return;
    }
    if (first.plain && first.text === 'set') {
      for (let a = 1; a < words.length; a++) {
        const w = words[a]!.text;
        if (!/^[-+][a-zA-Z]+$/.test(w)) continue;
        // `set -e`, `set -eu`, `set +e`; `set -o errexit`, `set -eo pipefail` (an o takes the next word)
        if (w.includes('e')) errexit = w[0] === '-';
        if (w.includes('u')) nounset = w[0] === '-';
        if (w.endsWith('o') && (words[a + 1]?.text === 'errexit' || words[a + 1]?.text === 'pipefail' || words[a + 1]?.text === 'nounset')) {
          if (words[a + 1]!.text === 'errexit') errexit = w[0] === '-';
          else if (words[a + 1]!.text === 'nounset') nounset = w[0] === '-';
          else pipefail = w[0] === '-';
          a++;
        }
        if (w === '--') break;
      }
      return;
    }
    if (first.plain && first.text === 'exit') {
      const at = li.span(first.start, words[words.length - 1]!.end);
      const sub = subshells[subshells.length - 1];
      if (sub) {
        // `( …; exit 0 )` ends the subshell, not the script: the rest of the subshell may not run (restored at its `)`)
        sub.exits = true;
        mayExit ??= { text: 'exit', start: at.start.offset, end: at.end.offset, what: `the subshell, which may exit at line ${at.start.line}` };
        return;
      }
      exitHere(at, runsUnder(andOr, at), 'exit');
      return;
    }
    if (first.plain && first.text === 'shift' && callWords) {
      // `shift [n]` in a function: $2 becomes $1, …; a count or a shift that may not run leaves them unknown
      const n = words.length === 1 ? 1 : /^[0-9]+$/.test(words[1]!.text) && !words[1]!.unknown ? Number(words[1]!.text) : undefined;
      if (n !== undefined && !assignedUnder(andOr)) setArgs(callWords.slice(n));
      else {
        for (const key of POSITIONAL) vars.set(key, { unknown: `$${key} after ${oneLine(text.slice(first.start, words[words.length - 1]!.end))} at line ${li.position(first.start).line} is only known when the script runs` });
        callWords = [];
        callArgs = undefined;
      }
      return;
    }
    if (first.plain && (first.text === '.' || first.text === 'source') && !functions.has(first.text) && words.length > 1) {
      sourced(words, andOr);
      return;
    }
    if (first.plain && (first.text === 'read' || first.text === 'unset' || first.text === 'mapfile' || first.text === 'readarray')) {
      for (let a = 1; a < words.length; a++) if (!words[a]!.text.startsWith('-')) vars.set(words[a]!.text, { unknown: `$${words[a]!.text} is set by ${first.text} at run time` });
      return;
    }
    while (k < words.length && words[k]!.assign) k++;
    if (k === words.length) {
      assignAll(0);
      return;
    }
    const k0 = k;
    // command prefixes
    while (k < words.length && !words[k]!.unknown && (words[k]!.text === 'sudo' || words[k]!.text === 'command' || words[k]!.text === 'exec' || words[k]!.text === 'nice' || words[k]!.text === 'env')) {
      k++;
      while (k < words.length && (words[k]!.text.startsWith('-') || words[k]!.assign)) k++;
    }
    // a program that runs the command it is given (`sudo -u root`, `nice -n 5`, `timeout 10`, `flock -w 5 FILE`): the
    // iptables word after it, when nothing but options and their values come between
    const isIpt = (w: Word): boolean => !!w.plain && (IPTABLES_PROGRAMS[base(w.text)] !== undefined || RESTORE_PROGRAMS[base(w.text)] !== undefined);
    if (k < words.length && !isIpt(words[k]!) && ((words[k]!.plain && RUNNERS.has(base(words[k]!.text))) || (k > k0 && RUNNERS.has(base(words[k0]!.text))))) {
      const at = words.findIndex((w, a) => a > k0 && isIpt(w));
      if (at > 0) k = at;
    }
    if (k < words.length && words[k]!.plain && STRING_RUNNERS.has(base(words[k]!.text)) && !functions.has(words[k]!.text)) {
      // iptables run through a string or another program whose words are not read here (`eval "iptables …"`, `sh -c`,
      // `xargs iptables`): what it does to the filter table is unknown, never nothing
      const named = words.find((w, a) => a > k && (IPTABLES_PROGRAMS[base(w.text)] || RESTORE_PROGRAMS[base(w.text)] || /(?:^|[\s;&|(`])(?:\S*\/)?ip6?tables(?:-nft|-legacy)?(?:-restore)?(?=\s|$)/.test(w.text)));
      if (named) {
        const whole = li.span(words[k]!.start, words[words.length - 1]!.end);
        const prog6 = /ip6tables/.test(named.text) ? 'ipv6' : 'ipv4';
        if (OTHER_NETNS.test(words.slice(k, words.indexOf(named)).map((w) => w.text).join(' '))) {
          diag('warning', 'iptables/other-netns', `${oneLine(text.slice(words[k]!.start, named.start)).trim()} runs iptables in another network namespace: not this host's rules, not read`, whole);
          return;
        }
        const cmd = oneLine(text.slice(words[k]!.start, words[words.length - 1]!.end));
        diag('warning', 'iptables/unread-command', `iptables run through ${words[k]!.text} is not read: the filter table is unknown from here (its chains may accept or drop anything)`, whole);
        families.add(prog6);
        if (!firstOf.has(prog6)) firstOf.set(prog6, whole);
        state.unknownHead(prog6 === 'ipv6' ? 'ip6' : 'ip', whole, `what ${cmd} does to`);
        return;
      }
    }
    const prog = words[k];
    if (!prog) return;
    if (prog.defines && words.length === k + 1) return;
    const fn = prog.plain ? functions.get(prog.text) : undefined;
    if (fn) {
      // `allow 1761 && ...`: the whole body runs under the list's condition
      if (andOr) frames.push({ kind: 'list', line: li.position(prog.start).line, what: `${andOr.text} ${fn.name} (line ${li.position(prog.start).line})`, cond: andOr });
      try {
        call(fn, words.slice(k + 1), prog);
      } finally {
        if (andOr) frames.pop();
      }
      return;
    }
    let family: Family | undefined;
    /** The program word is a variable that may not run iptables at all: the command may or may not run. */
    let progCond: Cond | undefined;
    if (prog.unknown) {
      const m = /^"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?$/.exec(prog.text);
      const known = m ? vars.get(m[1]!) : undefined;
      // `IPT=iptables; if …; then IPT=iptables-legacy; fi`: every value it may hold runs iptables of one family
      const alts = known && 'values' in known ? known.values?.map((v) => IPTABLES_PROGRAMS[base(v)]) : undefined;
      if (alts && alts.length > 0 && alts[0] && alts.every((f) => f === alts[0])) family = alts[0];
      else if (m && /ip6?t/i.test(m[1]!)) {
        family = /6/.test(m[1]!) ? 'ipv6' : 'ipv4';
        diag('warning', 'iptables/unresolved-command', `${known && 'unknown' in known ? known.unknown : `$${m[1]} is not set in this script`}; assuming it runs ${family === 'ipv6' ? 'ip6tables' : 'iptables'}`, li.span(prog.start, prog.end));
      } else if (m && looksLikeIptables(words, k + 1)) {
        // `$FW -A INPUT -p tcp --dport 3306 -j ACCEPT`: its words are an iptables command; whether $FW runs iptables
        // is only known when the script runs, so it may or may not add that rule (never left out silently)
        family = /6/.test(m[1]!) ? 'ipv6' : 'ipv4';
        const line = li.position(prog.start).line;
        progCond = { text: prog.text, start: prog.start, end: prog.end, what: `${prog.text} (line ${line}), which may or may not run ${family === 'ipv6' ? 'ip6tables' : 'iptables'}` };
        diag('warning', 'iptables/unresolved-command', `${prog.text} is not known in this script (${known && 'unknown' in known ? known.unknown : `$${m[1]} is not set in this script`}); its words are an iptables command: read as one that may or may not run`, li.span(prog.start, prog.end));
      }
    } else {
      let base = prog.text.slice(prog.text.lastIndexOf('/') + 1);
      if ((base === 'xtables-nft-multi' || base === 'xtables-legacy-multi') && words[k + 1]) {
        k++;
        base = words[k]!.text;
      }
      family = IPTABLES_PROGRAMS[base];
      const restoreFamily = RESTORE_PROGRAMS[base];
      if (restoreFamily) {
        restore(base, restoreFamily, words, k, heredoc);
        return;
      }
    }
    if (!family) return;
    families.add(family);
    const start = prog.start;
    const end = words[words.length - 1]!.end;
    const span = li.span(start, end);
    if (!firstOf.has(family)) firstOf.set(family, span);
    const isCheck = words.some((w, a) => a > k && !w.quoted && (w.text === '-C' || w.text === '--check'));
    lastCheck = isCheck;
    const key = specKey(words, k);
    if (isCheck) lastCheckKey = key;
    // `iptables -C spec && iptables -D spec` leaves the rule gone either way (a missing rule is no failure there)
    const ensureGone = wasCheck && !!andOr?.text.endsWith('&&') && key === checkKey && words.some((x, a) => a > k && !x.quoted && (x.text === '-D' || x.text === '--delete'));
    const inGuard = frames.some((fr) => fr.ensureGone === key);
    // Under a condition the command may or may not run: what it adds may not be there, what it removes may still be.
    // `iptables -C spec || iptables -A spec` leaves the rule there either way — the same spec only: after
    // `-C INPUT -s a -j DROP || -A INPUT -p tcp --dport 1761 -j DROP` the DROP of 1761 may not be there.
    const ensureThere = wasCheck && !!andOr?.text.endsWith('||') && key === checkKey;
    // (`iptables -N x && iptables -A x …`: after a command that runs and succeeds, && runs the next for sure)
    const sureAnd = wasSure && !!andOr?.text.endsWith('&&');
    let cond: Cond | undefined = andOr && !ensureThere && !ensureGone && !sureAnd ? andOr : (progCond ?? unsetCond);
    if (cond && cond === andOr) diag('warning', 'iptables/control-flow', `iptables command after ${cond.text.endsWith('||') ? '||' : '&&'}: read as a command that may or may not run`, span);
    const adds = words.some((x, a) => a > k && !x.quoted && (x.text === '-A' || x.text === '--append' || x.text === '-I' || x.text === '--insert'));
    const deletes = words.some((x, a) => a > k && !x.quoted && (x.text === '-D' || x.text === '--delete'));
    // the condition of `while iptables -D spec; do`: runs at least once, and again until no copy is left
    const top = frames[frames.length - 1];
    const drains = !cond && top?.drains !== undefined && top.drains === key && deletes;
    if (top?.drains !== undefined) delete top.drains;
    // (-C changes nothing: no condition to say)
    for (let f = frames.length - 1; f >= 0 && !cond && !isCheck; f--) {
      const fr = frames[f]!;
      if (fr.kind === 'group' || (fr.ensure === key && adds) || (fr.ensureGone === key && deletes) || (drains && fr === top)) continue;
      cond = { ...(fr.cond ?? { text: fr.what, start, end }), what: fr.what };
      diag(
        'warning',
        'iptables/control-flow',
        fr.kind === 'function'
          ? `iptables command inside ${fr.what}, which the script never calls by name: read once, as a command that may or may not run`
          : `iptables command inside ${fr.what}: read once, as a command that may or may not run`,
        span,
      );
    }
    if (!cond && !isCheck && mayExit) {
      cond = mayExit;
      diag('warning', 'iptables/control-flow', `iptables command after ${mayExit.text}: read as a command that may or may not run`, span);
    }
    const tfam = family === 'ipv6' ? 'ip6' : 'ip';
    const ruleText = oneLine(text.slice(start, end));
    let refused = false;
    const ctx: RuleContext = {
      family,
      span: (a, b) => li.span(a, b),
      diag: (severity, code, message, a, b) => {
        diagnostics.push({ severity, code, message, span: li.span(a, b) });
        // A rule iptables refuses (said before the state applies the command) is not added when the script runs, and
        // the shell goes on: what the command adds, deletes or sets may not be there (a DROP so read closes nothing,
        // an ACCEPT is possibly open, never open), as under a shell condition
        if (severity === 'error' && !refused && !RUNTIME_FAILURES.has(code)) {
          refused = true;
          const why: OpaqueMatch = { kind: 'opaque', module: 'condition', text: `${ruleText} (${message})`, reason: 'iptables refuses this command: when the script runs it changes nothing', span };
          state.condition = { added: why, removed: why };
        }
      },
      cache,
    };
    state.condition = cond ? condition(cond, ruleText, span) : undefined;
    state.quietMissing = ensureGone || inGuard;
    state.drain = drains && !cond;
    const before = diagnostics.length;
    try {
      runCommand(words, k + 1, {
        state,
        ctx,
        text,
        restore: false,
        getTable: (name, sp) => state.table(name, tfam, sp),
        span,
        ruleText,
      });
    } finally {
      state.condition = undefined;
      state.quietMissing = false;
      state.drain = false;
    }
    // a command that fails unless the chain's earlier rules (not in the script) make it succeed: under set -e the
    // shell may exit there
    const mayFail = state.mayFail;
    state.mayFail = false;
    // A command iptables refuses fails when the script runs and the shell goes on with the next one: what the state
    // could not apply (a rule to delete that is not there, a chain that exists, an index past the end) is a warning.
    // Under set -e, unless an && / || tests it, or it may not run at all, the shell exits there.
    let failed = false;
    for (let d = before; d < diagnostics.length; d++) {
      const x = diagnostics[d]!;
      if (x.severity !== 'error') continue;
      failed = true;
      if (x.code && RUNTIME_FAILURES.has(x.code)) diagnostics[d] = { ...x, severity: 'warning', message: `${x.message}: iptables fails when the script runs, and this command changes nothing${errexit ? '' : ' (the script goes on)'}` };
    }
    lastSure = !cond && !failed && !mayFail && !isCheck && !tested;
    const runs = runsUnder(sureAnd ? undefined : andOr, span);
    if (failed && errexit && !tested) pendingExit = { at: span, cond: runs };
    else if (mayFail && errexit && !tested) pendingExit = { at: span, cond: runs ?? { text: ruleText, start, end, what: ruleText } };
  };

  const REASON = 'whether the shell runs this command is only known when the script runs';
  const condition = (c: Cond, cmdText: string, cmdSpan: Span): CommandCondition => ({
    added: { kind: 'opaque', module: 'condition', text: c.text, reason: REASON, span: li.span(c.start, c.end) },
    // "[ -f /etc/x ] && iptables -D ...", "iptables -F inside case (line 13)"
    removed: { kind: 'opaque', module: 'condition', text: c.list ? `${c.text} ${cmdText}` : `${cmdText} inside ${c.what ?? c.text}`, reason: REASON, span: cmdSpan },
  });

  /**
   * `. FILE` / `source FILE`: the file runs in this shell, and a parser reads no other file. What it may do is
   * unknown: rules added, inserted or deleted in any filter chain, policies set (state.unknownSourced), and any
   * variable set, so the values known before it are unknown after it. The init-script function libraries only
   * define functions and are left alone.
   */
  const sourced = (words: Word[], andOr: Cond | undefined): void => {
    const file = words[1]!;
    const whole = li.span(words[0]!.start, words[words.length - 1]!.end);
    if (!file.unknown && FUNCTION_LIBRARIES.has(file.text)) return;
    const line = whole.start.line;
    const cmd = oneLine(text.slice(words[0]!.start, words[words.length - 1]!.end));
    diag('warning', 'iptables/unread-source', `${cmd} runs another file in this shell, which fwlint does not read: the filter table's chains may accept or drop anything from here, and the variables it may set are unknown (lint that file too, or write its rules here)`, whole);
    for (const [name, v] of vars) {
      if (POSITIONAL.includes(name)) continue;
      vars.set(name, { unknown: `$${name} may be set by ${cmd} (line ${line}${andOr ? `, after ${andOr.text}` : ''})${'value' in v ? `, ${JSON.stringify(v.value)} before it` : ''}` });
    }
    for (const family of ['ipv4', 'ipv6'] as const) {
      families.add(family);
      if (!firstOf.has(family)) firstOf.set(family, whole);
      state.unknownSourced(family === 'ipv6' ? 'ip6' : 'ip', whole, `what ${cmd} (not read) does to`, cmd);
    }
  };

  /** `iptables-restore <<EOF ... EOF`: the body is read as a restore file into the script's tables. */
  const restore = (base: string, family: Family, words: Word[], k: number, heredoc: Heredoc | undefined): void => {
    const prog = words[k]!;
    const whole = li.span(prog.start, words[words.length - 1]!.end);
    if (!heredoc) {
      diag('warning', 'iptables/restore-in-script', `${base} reads its rules from elsewhere (a file or a pipe); lint that rules file too`, whole);
      // what it loads is not known: the filter table's rules and policies are unknown from here
      families.add(family);
      if (!firstOf.has(family)) firstOf.set(family, whole);
      const noflush = words.some((w, a) => a > k && (w.text === '-n' || w.text === '--noflush'));
      state.condition = frames.some((fr) => fr.kind !== 'group') || mayExit ? condition({ text: base, start: prog.start, end: whole.end.offset, what: base }, base, whole) : undefined;
      try {
        state.unknownFilter(family === 'ipv6' ? 'ip6' : 'ip', whole, noflush, `the rules ${oneLine(text.slice(prog.start, whole.end.offset))} loads into`);
      } finally {
        state.condition = undefined;
      }
      return;
    }
    const body = text.slice(heredoc.from, heredoc.to);
    if (heredoc.strip && /(^|\n)\t/.test(body)) {
      diag('warning', 'iptables/restore-in-script', `${base} here-document with tab-indented lines (<<-) is not read`, whole);
      return;
    }
    const expand = !heredoc.quoted && (body.includes('$') || body.includes('`')) ? expandHeredocLine : undefined;
    let noflush = false;
    for (let a = k + 1; a < words.length; a++) {
      const w = words[a]!.text;
      if (w === '-n' || w === '--noflush') noflush = true;
      else if (w === '-T' || w === '--table' || w.startsWith('--table=')) diag('warning', 'iptables/restore-in-script', `${base} ${w}: restoring only one table is not modelled; every table of the input is read`, li.span(words[a]!.start, words[a]!.end));
    }
    families.add(family);
    if (!firstOf.has(family)) firstOf.set(family, whole);
    // under a condition (inside if/case/a loop/a function): every rule it adds may not be there, and every rule its
    // table sections flush may still be, as for an iptables command there
    let cond: Cond | undefined;
    for (let f = frames.length - 1; f >= 0 && !cond; f--) {
      const fr = frames[f]!;
      if (fr.kind === 'group') continue;
      cond = { ...(fr.cond ?? { text: fr.what, start: prog.start, end: whole.end.offset }), what: fr.what };
      diag('warning', 'iptables/control-flow', `${base} inside ${fr.what}: read once, as commands that may or may not run`, whole);
    }
    state.condition = cond ? condition(cond, base, whole) : undefined;
    const embed = { from: heredoc.from, to: heredoc.to, line: li.position(heredoc.from).line, family, noflush, ...(expand ? { expand } : {}) };
    // iptables-restore commits nothing when it refuses a line of its input (its errors are said below, where the body
    // is read): the here-document loads nothing and the shell goes on. Read first on its own, into a state of its own:
    // a refusal makes every rule it adds one that is not there when the script runs, and every rule its sections flush
    // one that still is — as for an iptables command the script runs that iptables refuses (a DROP so written closes
    // nothing, an ACCEPT is possibly open, whichever of fwlint and iptables is right). With --noflush, chains the script
    // made earlier are not in that state: a missing chain or rule there is not taken for a refusal.
    const refusal = restoreRefusal(text, embed);
    if (refusal) {
      const why: OpaqueMatch = { kind: 'opaque', module: 'condition', text: `${oneLine(text.slice(prog.start, whole.end.offset))} (line ${refusal.span.start.line}: ${refusal.message})`, reason: 'iptables-restore refuses this input: it loads nothing', span: whole };
      state.condition = { added: why, removed: why };
    }
    try {
      parseSave(text, { embed: { state, diagnostics, ...embed } });
    } finally {
      state.condition = undefined;
    }
  };

  /**
   * One argument of an unquoted here-document line as the shell expands it (POSIX 2.7.4: parameter expansion,
   * command substitution, and backslash before $ ` \ only; quotes are the restore line's own). A known value with
   * blanks outside the restore line's quotes becomes several arguments; anything only known at run time makes the
   * argument unknown, so that the rule keeps an undecidable match naming it.
   */
  const expandHeredocLine = (toks: readonly Tok[], out: Tok[]): void => {
    for (let k = 0; k < toks.length; k++) {
      let tok = toks[k]!;
      // `$(cat /etc/peers)` / `\`cat x\``: the restore line's blanks split it; the shell reads it whole
      let open = substitutionDepth(tok.text);
      if (open > 0) {
        let e = k;
        while (open > 0 && e + 1 < toks.length) open += substitutionDepth(toks[++e]!.text);
        if (e > k) {
          tok = { text: text.slice(tok.start, toks[e]!.end), start: tok.start, end: toks[e]!.end };
          k = e;
        }
      }
      expandHeredocArg(tok, out);
    }
  };

  const expandHeredocArg = (tok: Tok, out: Tok[]): void => {
    // the shell expands the line as written, then iptables-restore splits and unquotes the result
    const s = text.slice(tok.start, tok.end);
    if (!/[$`]/.test(s)) {
      out.push(tok);
      return;
    }
    let v = '';
    let unknown: string | undefined;
    for (let i = 0; i < s.length; ) {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length && '$`\\'.includes(s[i + 1]!)) {
        v += s[i + 1];
        i += 2;
      } else if (c === '`' || (c === '$' && s[i + 1] === '(')) {
        unknown ??= c === '`' ? 'command substitution `...` is only known when the script runs' : 'command substitution $(...) is only known when the script runs';
        i = s.length;
      } else if (c === '$') {
        const m = HEREDOC_PARAM.exec(s.slice(i));
        if (!m) {
          v += c;
          i++;
          continue;
        }
        i += m[0].length;
        const name = (m[1] ?? m[4])!;
        const got = vars.get(name);
        if (m[2] !== undefined && (!got || ('value' in got && m[2] === ':-' && got.value === '') || ('unknown' in got && got.unknown.includes('is not set')))) v += m[3];
        else if (!got) unknown ??= /^[0-9#@*]$/.test(name) ? `$${name} is only known when the script runs` : `$${name} is not set in this script`;
        else if ('unknown' in got) unknown ??= got.unknown;
        else v += got.value;
      } else {
        v += c;
        i++;
      }
    }
    if (unknown) {
      out.push({ text: s, start: tok.start, end: tok.end, unknown, ...(tok.quoted ? { quoted: true } : {}) });
      return;
    }
    const parts: Tok[] = [];
    tokenizeRestoreLine(v, 0, v.length, parts);
    for (const p of parts) out.push(p.quoted ? { text: p.text, start: tok.start, end: tok.end, quoted: true } : { text: p.text, start: tok.start, end: tok.end });
  };

  let listStart = 0;
  let loop: LiteralLoop | undefined;
  const functions = new Map<string, ShellFunction>();
  let callDepth = 0;
  /** The arguments of the function call being read, when all are known. */
  let callArgs: string[] | undefined;
  /** The words of the function call being read (after any `shift`). */
  let callWords: Word[] | undefined;
  /** $1 … $9, $#, $@ and $* of a function call (again after `shift`). */
  const setArgs = (args: Word[]): void => {
    for (let a = 0; a < 9; a++) {
      const w = args[a];
      vars.set(String(a + 1), !w ? { value: '' } : w.unknown ? { unknown: `$${a + 1} is ${w.text} at line ${li.position(w.start).line}: ${w.unknown}` } : { value: w.text });
    }
    vars.set('#', { value: String(args.length) });
    const all: VarValue = args.some((w) => w.unknown) ? { unknown: `$@ holds a value only known when the script runs` } : args.length <= 1 ? { value: args[0]?.text ?? '' } : { unknown: '$@ / $* with several arguments is not expanded' };
    vars.set('@', all);
    vars.set('*', all);
    callWords = args;
    callArgs = args.some((w) => w.unknown) ? undefined : args.map((w) => w.text);
  };

  /** Reads a function's body with the call's words as its arguments. */
  /** Each function being read: the outer values of the variables it made local (restored when it returns). */
  const localScopes: Map<string, VarValue | undefined>[] = [];
  const endScope = (): void => {
    for (const [name, v] of localScopes.pop() ?? []) {
      if (v) vars.set(name, v);
      else vars.delete(name);
    }
  };

  const call = (fn: ShellFunction, args: Word[], at: Word): void => {
    if (fn.under) {
      // defined under a condition: this body, or the one defined before it (if any), or none may run
      frames.push({ kind: 'if', line: fn.line, what: `function ${fn.name}, defined ${fn.under.what ? `inside ${fn.under.what}` : `after ${fn.under.text}`}`, cond: fn.header });
      try {
        call({ ...fn, under: undefined, prev: undefined }, args, at);
        if (fn.prev) call(fn.prev, args, at);
      } finally {
        frames.pop();
      }
      fn.read = true;
      return;
    }
    if (callDepth >= MAX_CALL_DEPTH) {
      diag('warning', 'iptables/control-flow', `Call of ${fn.name} more than ${MAX_CALL_DEPTH} calls deep (recursion?) is not followed`, li.span(at.start, at.end));
      return;
    }
    fn.read = true;
    const saved = POSITIONAL.map((key) => vars.get(key));
    if (fn.jumps) frames.push({ kind: 'if', line: fn.line, what: `function ${fn.name}, which may return early`, cond: fn.header });
    callDepth++;
    const outerArgs = callArgs;
    const outerWords = callWords;
    setArgs(args);
    localScopes.push(new Map());
    try {
      new Lexer(text, li, vars, onItem, onError, fn.bodyStart, fn.bodyEnd).run();
    } finally {
      endScope();
      callDepth--;
      callArgs = outerArgs;
      callWords = outerWords;
      if (fn.jumps) frames.pop();
      POSITIONAL.forEach((key, a) => {
        const v = saved[a];
        if (v) vars.set(key, v);
        else vars.delete(key);
      });
    }
  };

  /**
   * A function the script never calls by name (it may be called as "$1", from another file, or not at all): read
   * once where it is defined, with unknown arguments, as commands that may or may not run.
   */
  const readUncalled = (fn: ShellFunction): void => {
    fn.read = true;
    frames.push({ kind: 'function', line: fn.line, what: `function ${fn.name}`, cond: fn.header });
    localScopes.push(new Map());
    try {
      new Lexer(text, li, vars, onItem, onError, fn.bodyStart, fn.bodyEnd).run();
    } finally {
      endScope();
      frames.pop();
    }
  };

  /** The function is named later in the script, where a command may call it. */
  const namedLater = (name: string, from: number): boolean => {
    const rest = text.slice(from);
    let at = rest.indexOf(name);
    while (at >= 0) {
      const before = at === 0 ? ' ' : rest[at - 1]!;
      const after = rest[at + name.length] ?? ' ';
      if (/[\s;&|(){}]/.test(before) && /[\s;&|)]/.test(after)) return true;
      at = rest.indexOf(name, at + 1);
    }
    return false;
  };

  const closeFunction = (l: LiteralLoop, bodyEnd: number): void => {
    const fn: ShellFunction = { name: l.name, bodyStart: l.bodyStart, bodyEnd, line: l.line, header: l.header, jumps: l.jumps, read: false };
    const under = assignedUnder(undefined);
    if (under) {
      fn.under = under;
      const prev = functions.get(fn.name);
      if (prev) fn.prev = prev;
    }
    functions.set(fn.name, fn);
    if (!namedLater(fn.name, bodyEnd + 1)) readUncalled(fn);
  };

  /** Inside a function body: finds its closing `}` (past nested groups). */
  const functionItem = (item: Item): void => {
    const l = loop!;
    if (item.kind !== 'cmd') return;
    for (const w of item.words) {
      if (!w.plain) break;
      const k = w.text;
      if (k === '{') l.depth++;
      else if (k === '}') {
        if (l.depth > 0) l.depth--;
        else {
          loop = undefined;
          closeFunction(l, w.start);
          return;
        }
      } else if (k === 'return' || k === 'exit' || k === 'break' || k === 'continue') {
        l.jumps = true;
        break;
      } else if (k !== 'then' && k !== 'else' && k !== 'elif' && k !== 'if' && k !== 'fi' && k !== '!' && k !== 'do' && k !== 'done' && k !== 'time' && k !== 'esac') break;
    }
  };

  /** Inside a literal loop's body: finds its `done` (past nested loops), then reads the body once per value. */
  const loopItem = (item: Item): void => {
    const l = loop!;
    if (l.kind === 'function') return functionItem(item);
    if (item.kind !== 'cmd') return;
    for (const w of item.words) {
      if (!w.plain) break;
      const k = w.text;
      if (k === 'do') {
        if (l.bodyStart < 0) l.bodyStart = w.end;
      } else if (k === 'for' || k === 'while' || k === 'until' || k === 'select') {
        l.depth++;
        break;
      } else if (k === 'done') {
        if (l.depth > 0) l.depth--;
        else if (l.bodyStart >= 0) {
          loop = undefined;
          unroll(l, w.start);
          return;
        }
      } else if (k === 'break' || k === 'continue') {
        l.jumps = true;
        break;
      } else if (k !== 'then' && k !== 'else' && k !== 'elif' && k !== 'if' && k !== 'fi' && k !== '!' && k !== '{' && k !== '}' && k !== 'time') break;
    }
  };

  const unroll = (l: LiteralLoop, bodyEnd: number): void => {
    // with break/continue inside, a command of the body may not run for some values
    if (l.jumps) frames.push({ kind: 'loop', line: l.line, what: `for loop (line ${l.line}) with break or continue`, cond: l.header });
    for (const v of l.values) {
      vars.set(l.name, { value: v });
      new Lexer(text, li, vars, onItem, onError, l.bodyStart, bodyEnd).run();
    }
    if (l.jumps) frames.pop();
  };

  const onError = (offset: number, message: string) => diag('error', 'iptables/shell-syntax', message, li.span(offset, Math.min(offset + 1, text.length)));
  /** After `case WORD in` or `;;`: the next words up to `)` are a pattern, not a command. */
  let casePattern = false;
  const errexitWarning = (p: { at: Span }, cond: Cond | undefined): void => {
    diag('warning', 'iptables/errexit', cond ? `set -e: the shell may exit when this iptables command fails (line ${p.at.start.line}); the commands after it may not run` : `set -e: the shell exits when this iptables command fails (line ${p.at.start.line}); the commands after it are not run`, p.at);
  };
  const onItem = (item: Item): void => {
    if (exited) return;
    const testsStatus = item.kind === 'op' && (item.op === '&&' || item.op === '||' || (item.op === '|' && !pipefail));
    // a `}` or `)` just closed a compound holding set -e failures: tested by this item, the shell goes on; else it exits
    if (justClosed !== undefined && !loop) {
      const level = justClosed;
      justClosed = undefined;
      const mine: typeof compoundExits = [];
      while (compoundExits.length > 0 && compoundExits[compoundExits.length - 1]!.level >= level) mine.unshift(compoundExits.pop()!);
      if (mine.length > 0 && !testsStatus && braceDepth + parenDepth > 0) {
        // an untested compound inside another: the enclosing one's end decides (`{ { …; }; } || true` does not exit)
        for (const x of mine) compoundExits.push({ ...x, level: braceDepth + parenDepth });
      } else if (mine.length > 0) {
        mayExit = mine[0]!.before;
        if (!testsStatus) {
          for (const x of mine) {
            errexitWarning(x.p, x.p.cond);
            exitHere(x.p.at, x.p.cond, 'set -e');
            if (exited) return;
          }
        }
      }
    }
    // `(iptables -D ...) || true`: the subshell's status is tested by what follows its `)`
    if (pendingExit && !(item.kind === 'op' && item.op === ')')) {
      const p = pendingExit;
      pendingExit = undefined;
      if (!testsStatus) {
        const cond = p.cond ?? (item.kind === 'op' && item.op === '|' ? { text: 'the rest of the pipeline', start: p.at.start.offset, end: p.at.end.offset } : undefined);
        if (braceDepth + parenDepth > 0 && !loop) {
          // inside a group or subshell: decided where it ends
          compoundExits.push({ p: { at: p.at, cond }, level: braceDepth + parenDepth, before: mayExit });
          mayExit ??= { text: 'a set -e exit when this command fails', start: p.at.start.offset, end: p.at.end.offset, what: `the script, which may exit at line ${p.at.start.line}` };
        } else {
          errexitWarning(p, cond);
          exitHere(p.at, cond, 'set -e');
          if (exited) return;
        }
      }
    }
    if (item.kind === 'op' && item.op === ';;') casePattern = frames.some((f) => f.kind === 'case');
    else if (casePattern && item.kind === 'cmd' && !loop) {
      casePattern = false;
      if (!(item.words[0]?.plain && item.words[0].text === 'esac')) {
        prevPrev = prevItem;
        prevItem = item;
        return;
      }
    }
    if (loop) {
      loopItem(item);
      prevPrev = prevItem;
      prevItem = item;
      return;
    }
    if (item.kind === 'op' && item.op === '(') {
      parenDepth++;
      subshells.push({ vars: new Map(vars), mayExit, exits: false });
    } else if (item.kind === 'op' && item.op === ')' && parenDepth > 0) {
      justClosed = braceDepth + parenDepth--;
      // what a subshell assigns stays in it (POSIX XCU 2.12: changes made to the subshell environment do not affect
      // the shell environment)
      const sub = subshells.pop();
      if (sub) {
        vars.clear();
        for (const [name, v] of sub.vars) vars.set(name, v);
        if (sub.exits) mayExit = sub.mayExit;
      }
    }
    try {
      if (item.kind === 'cmd') {
        // after `&&` / `||` a command runs only if the list so far succeeded (failed)
        const after = prevItem?.kind === 'op' && (prevItem.op === '&&' || prevItem.op === '||') ? prevItem : undefined;
        if (!after) listStart = item.words[0]!.start;
        const andOr: Cond | undefined = after ? { text: oneLine(text.slice(listStart, after.start + 2)), start: listStart, end: after.start + 2, list: true } : undefined;
        // `cat <<EOF | iptables-restore`: the here-document is the restore input
        const piped =
          prevItem?.kind === 'op' && prevItem.op === '|' && prevPrev?.kind === 'cmd' && prevPrev.heredoc && prevPrev.words.every((w, k) => (k === 0 ? w.plain && w.text === 'cat' : w.text === '-'))
            ? prevPrev.heredoc
            : undefined;
        handleCommand(item.words, item.heredoc ?? piped, andOr);
      } else if (item.op === ')' && prevItem?.kind === 'op' && prevItem.op === '(' && prevPrev?.kind === 'cmd' && prevPrev.words.length === 1) {
        pendingFunction = prevPrev.words[0]!.text;
      }
    } catch (e) {
      const at = item.kind === 'cmd' ? li.span(item.words[0]!.start, item.words[item.words.length - 1]!.end) : li.span(item.start, item.start + 1);
      diag('error', 'iptables/internal', `Internal error while reading this command: ${String(e)}`, at);
    }
    prevPrev = prevItem;
    prevItem = item;
  };
  const lexer = new Lexer(text, li, vars, onItem, onError);
  try {
    lexer.run();
    if (loop) {
      // no `done` / `}`: the shell would refuse the script; read the body to the end rather than drop it
      const l: LiteralLoop = loop;
      loop = undefined;
      diag('error', 'iptables/shell-syntax', l.kind === 'for' ? `for loop (line ${l.line}) has no done` : `function ${l.name} (line ${l.line}) has no closing }`, li.span(l.header.start, l.header.end));
      if (l.kind === 'function') closeFunction(l, text.length);
      else if (l.bodyStart >= 0) unroll(l, text.length);
    }
    // named later but never called as a command (only "$1", an echo, a comment): read as if it might be called
    if (pendingExit && !exited) {
      const p = pendingExit;
      errexitWarning(p, p.cond);
      exitHere(p.at, p.cond, 'set -e');
    }
    if (!exited) for (const fn of functions.values()) if (!fn.read) readUncalled(fn);
  } catch (e) {
    const p = li.span(Math.min(lexer.i, text.length), Math.min(lexer.i, text.length));
    diag('error', 'iptables/internal', `Internal error while reading the script: ${String(e)}`, p);
  }
  const fams: Family[] = families.size > 0 ? (['ipv4', 'ipv6'] as Family[]).filter((f) => families.has(f)) : [options.family ?? 'ipv4'];
  // a family the script sets up only NAT (or mangle) for is still filtered by what ran before: its filter table, unknown
  if (state.unknownBefore) for (const [f, at] of firstOf) state.table('filter', f === 'ipv6' ? 'ip6' : 'ip', at);
  const ruleset = state.finish(options.filePath ?? '<stdin>', fams);
  sortDiagnostics(diagnostics);
  dedupe(diagnostics);
  return { format: 'iptables-script', rulesets: [ruleset], diagnostics, comments: lexer.comments };
}

/** What iptables refuses when the command runs (the state it meets), not how the command is written. */
/**
 * The first error of a restore here-document read alone (a state of its own, its diagnostics kept apart): what makes
 * iptables-restore refuse the whole input. With --noflush a missing chain or rule depends on what the script made before
 * (RUNTIME_FAILURES): not taken for a refusal here.
 */
function restoreRefusal(text: string, embed: Omit<EmbeddedRestore, 'state' | 'diagnostics'>): Diagnostic | undefined {
  const found: Diagnostic[] = [];
  const state = new NetfilterState((severity, code, message, span) => found.push({ severity, code, message, span }));
  parseSave(text, { embed: { ...embed, state, diagnostics: found } });
  return found.find((d) => d.severity === 'error' && !(embed.noflush && d.code !== undefined && RUNTIME_FAILURES.has(d.code)));
}

const RUNTIME_FAILURES = new Set([
  'iptables/no-such-rule',
  'iptables/chain-exists',
  'iptables/unknown-chain',
  'iptables/bad-index',
  'iptables/builtin-chain',
  'iptables/chain-busy',
  'iptables/policy-user-chain',
  'iptables/replace-multiple',
]);

/** A command's words after the program with its command option left out: `-C spec`, `-D spec`, `-A spec` and `-I spec` compare equal. */
function specKey(words: readonly Word[], k: number): string {
  let out = '';
  for (let a = k + 1; a < words.length; a++) {
    const t = words[a]!.text;
    if (!words[a]!.quoted && (t === '-C' || t === '--check' || t === '-D' || t === '--delete' || t === '-A' || t === '--append' || t === '-I' || t === '--insert')) continue;
    out += `${t}\u0000`;
  }
  return out;
}

/** Command substitutions a word opens (`$(`, an odd number of backquotes) minus those it closes. */
function substitutionDepth(s: string): number {
  let d = 0;
  let ticks = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '$' && s[i + 1] === '(') {
      d++;
      i++;
    } else if (c === ')' && d > 0) d--;
    else if (c === ')') d--;
    else if (c === '`') ticks++;
  }
  return d + (ticks % 2);
}

/** A loop body read once per value repeats its diagnostics: one of each is enough. */
function dedupe(ds: Diagnostic[]): void {
  const seen = new Set<string>();
  let w = 0;
  for (const d of ds) {
    const key = `${d.span.start.offset}:${d.span.end.offset}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ds[w++] = d;
  }
  ds.length = w;
}

/** Continuation lines joined and blanks collapsed, for rule text in messages. */
function oneLine(s: string): string {
  let out = '';
  let space = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '\\' && (s[k + 1] === '\n' || (s[k + 1] === '\r' && s[k + 2] === '\n'))) {
      k += s[k + 1] === '\r' ? 2 : 1;
      space = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      space = true;
      continue;
    }
    if (space && out.length > 0) out += ' ';
    space = false;
    out += c;
  }
  return out;
}
