/**
 * Inline suppressions: `fwlint-ignore` directives in the comment syntax of
 * every format (iptables and nft `#` lines, `-m comment --comment "…"`, nft
 * `comment "…"`, YAML `#`, HCL `#` and `//`).
 *
 *   fwlint-ignore [RULE[,RULE]…] [ports=LIST] [proto=tcp|udp] [sources=CIDR[,CIDR]…] [until=YYYY-MM-DD] [-- reason]
 *
 * RULE is `firewall/name` or `name`; none (or `*`) means every rule. LIST is
 * ports and ranges (`1768`, `1761-1768`, `1761:1768`), each optionally
 * `/tcp` or `/udp`. A directive on a line of its own applies to the next rule
 * (or chain policy); one that trails code, or a rule's own comment, applies to
 * the rule that carries it. Pure: no I/O, never throws; bad syntax is kept
 * with an `error` for firewall/no-unused-suppressions to report.
 */
import { AddrSet, IntervalSet, type FirewallDocument, type NumSet, type Span } from '../model/index.js';

export interface InlineSuppression {
  /** Rule ids (`firewall/…`); undefined = every rule. */
  rules?: string[];
  /** Port scope per protocol number (6, 17); a port without protocol applies to both. */
  ports?: Map<number, NumSet>;
  sources?: AddrSet;
  /** Last day (UTC) the suppression applies, as written. */
  until?: string;
  /** Epoch milliseconds at which it stops applying (the start of the day after `until`). */
  expiresAt?: number;
  reason?: string;
  /** Where the directive is written (the comment, or the rule carrying it). */
  span: Span;
  /** The lines it covers (the rule or policy it is attached to), when attached. */
  covers?: { start: number; end: number };
  /** Malformed: what is wrong; such a suppression never applies. */
  error?: string;
  text: string;
}

const DIRECTIVE = 'fwlint-ignore';
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PORT_ITEM = /^(\d{1,5})(?:[-:](\d{1,5}))?(?:\/(tcp|udp))?$/;
const RULE_NAME = /^(?:firewall\/)?[a-z][a-z0-9-]*$/;

/** The directive's text when `comment` holds one (leading whitespace allowed), else undefined. */
export function directiveText(comment: string): string | undefined {
  const t = comment.trim();
  if (!t.startsWith(DIRECTIVE)) return undefined;
  const rest = t.slice(DIRECTIVE.length);
  if (rest.length > 0 && rest[0] !== ' ' && rest[0] !== '\t') return undefined;
  return t;
}

function splitList(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

/** Parse the text of one directive (starting with `fwlint-ignore`). */
export function parseDirective(text: string, span: Span): InlineSuppression {
  const s: InlineSuppression = { span, text };
  let body = text.slice(DIRECTIVE.length);
  const dash = body.search(/(^|\s)--(\s|$)/);
  if (dash >= 0) {
    const reason = body.slice(dash).replace(/^\s*--/, '').trim();
    if (reason) s.reason = reason;
    body = body.slice(0, dash);
  }
  const errors: string[] = [];
  let protos: number[] | undefined;
  let portItems: string[] | undefined;
  for (const tok of body.split(/\s+/).filter((x) => x.length > 0)) {
    const eq = tok.indexOf('=');
    if (eq < 0) {
      for (const name of splitList(tok)) {
        if (name === '*' || name === 'all') continue;
        if (!RULE_NAME.test(name)) {
          errors.push(`"${name}" is not a rule name`);
          continue;
        }
        (s.rules ??= []).push(name.startsWith('firewall/') ? name : `firewall/${name}`);
      }
      continue;
    }
    const key = tok.slice(0, eq);
    const value = tok.slice(eq + 1);
    switch (key) {
      case 'ports':
      case 'port':
        portItems = [...(portItems ?? []), ...splitList(value)];
        if (splitList(value).length === 0) errors.push('ports= needs at least one port');
        break;
      case 'proto':
      case 'protocol': {
        const p = splitList(value).map((x) => (x === 'tcp' ? 6 : x === 'udp' ? 17 : -1));
        if (p.length === 0 || p.includes(-1)) errors.push(`proto=${value}: tcp or udp`);
        else protos = p;
        break;
      }
      case 'sources':
      case 'source':
      case 'src': {
        let set = s.sources ?? AddrSet.EMPTY;
        const items = splitList(value);
        if (items.length === 0) errors.push('sources= needs at least one address or CIDR');
        for (const item of items) {
          const a = AddrSet.parse(item);
          if (!a) errors.push(`"${item}" is not an address or CIDR`);
          else set = set.union(a);
        }
        s.sources = set;
        break;
      }
      case 'until':
      case 'expires': {
        const m = DATE.exec(value);
        const y = m ? Number(m[1]) : NaN;
        const mo = m ? Number(m[2]) : NaN;
        const d = m ? Number(m[3]) : NaN;
        const t = Date.UTC(y, mo - 1, d);
        const check = new Date(t);
        if (!m || Number.isNaN(t) || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) errors.push(`until=${value}: a date YYYY-MM-DD`);
        else {
          s.until = value;
          s.expiresAt = t + 86_400_000;
        }
        break;
      }
      default:
        errors.push(`unknown option "${key}" (ports, proto, sources, until)`);
    }
  }
  if (portItems) {
    const ports = new Map<number, NumSet>();
    for (const item of portItems) {
      const m = PORT_ITEM.exec(item);
      const lo = m ? Number(m[1]) : NaN;
      const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
      if (!m || lo > 65535 || hi > 65535 || hi < lo) {
        errors.push(`"${item}" is not a port or range`);
        continue;
      }
      const forProtos = m[3] ? [m[3] === 'tcp' ? 6 : 17] : (protos ?? [6, 17]);
      for (const p of forProtos) ports.set(p, (ports.get(p) ?? IntervalSet.empty<number>()).union(IntervalSet.range(lo, hi + 1)));
    }
    s.ports = ports;
  } else if (protos) {
    s.ports = new Map(protos.map((p) => [p, IntervalSet.range(0, 65536)]));
  }
  if (errors.length > 0) s.error = errors.join('; ');
  return s;
}

interface Target {
  start: number;
  end: number;
}

/** Rule and policy line ranges, sorted by start line. */
function targets(doc: FirewallDocument): { list: Target[]; rules: { span: Span; comment?: string }[]; longest: number } {
  const list: Target[] = [];
  const rules: { span: Span; comment?: string }[] = [];
  for (const rs of doc.rulesets) {
    for (const t of rs.tables) {
      for (const c of t.chains) {
        if (c.policySpan) list.push({ start: c.policySpan.start.line, end: c.policySpan.end.line });
        for (const r of c.rules) {
          list.push({ start: r.span.start.line, end: r.span.end.line });
          rules.push({ span: r.span, ...(r.comment !== undefined ? { comment: r.comment } : {}) });
        }
      }
    }
  }
  list.sort((a, b) => a.start - b.start || a.end - b.end);
  // the same rule may appear in several rulesets (cloud documents): keep one per range
  const dedup: Target[] = [];
  for (const t of list) {
    const last = dedup[dedup.length - 1];
    if (!last || last.start !== t.start || last.end !== t.end) dedup.push(t);
  }
  let longest = 0;
  for (const t of dedup) if (t.end - t.start > longest) longest = t.end - t.start;
  return { list: dedup, rules, longest };
}

/** First target starting after `line` (binary search). */
function nextAfter(list: Target[], line: number): Target | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start <= line) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

/** A target starting at `line`, else the narrowest containing it: binary search, then back over at most the longest target. */
function containing(list: Target[], line: number, longest: number): Target | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start <= line) lo = mid + 1;
    else hi = mid;
  }
  // list[lo - 1] is the last target starting at or before `line`
  const at = list[lo - 1];
  if (at && at.start === line) {
    let i = lo - 1;
    while (i > 0 && list[i - 1]!.start === line) i--;
    return list[i];
  }
  let best: Target | undefined;
  for (let i = lo - 1; i >= 0 && list[i]!.start >= line - longest; i--) {
    const t = list[i]!;
    if (t.end >= line && (!best || t.end - t.start < best.end - best.start)) best = t;
  }
  return best;
}

/** Does code precede the comment on its line? */
function trails(text: string | undefined, offset: number): boolean {
  if (text === undefined) return false;
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) return false;
    if (ch !== 32 && ch !== 9) return true;
  }
  return false;
}

/** A directive given outside the file (JSON sidecar): the line of the rule it covers and its text without `fwlint-ignore`. */
export interface ExternalDirective {
  line: number;
  ignore: string;
  /** What is wrong with the entry itself (not a mapping, no line…). */
  error?: string;
}

/**
 * Every suppression of a document, attached to the lines it covers. `text` is
 * the file's text (to tell trailing comments); `external` are sidecar entries.
 */
export function parseSuppressions(doc: FirewallDocument, text?: string, external: ExternalDirective[] = []): InlineSuppression[] {
  const out: InlineSuppression[] = [];
  // most files have comments but no directive: index the rules only when one is found
  const directives = doc.comments.filter((c) => directiveText(c.value) !== undefined);
  let hasRuleDirective = false;
  for (const rs of doc.rulesets) for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) if (r.comment !== undefined && r.comment.includes(DIRECTIVE)) hasRuleDirective = true;
  if (directives.length === 0 && external.length === 0 && !hasRuleDirective) return out;
  const { list, rules, longest } = targets(doc);
  // an entry for a line past the file's end was reported there, on no line of the file (an editor or SARIF viewer
  // has nowhere to show it): it is malformed, reported on the last line
  const lastLine = external.length > 0 && text !== undefined ? Math.max(1, text.split('\n').length - (text.endsWith('\n') ? 1 : 0)) : Infinity;
  for (const e of external) {
    let line = Math.max(1, Math.floor(e.line) || 1);
    let error = e.error;
    if (line > lastLine) {
      error ??= `the sidecar entry for line ${line} is past the end of the file (${lastLine} lines)`;
      line = lastLine;
    }
    const span: Span = { start: { line, column: 1, offset: 0 }, end: { line, column: 1, offset: 0 } };
    const s = parseDirective(`${DIRECTIVE} ${e.ignore}`, span);
    if (error) s.error = s.error ? `${error}; ${s.error}` : error;
    const t = containing(list, line, longest);
    if (t) s.covers = { start: t.start, end: t.end };
    out.push(s);
  }
  for (const c of directives) {
    const d = directiveText(c.value)!;
    const s = parseDirective(d, c.span);
    const line = c.span.start.line;
    let t: Target | undefined;
    if (trails(text, c.span.start.offset)) t = containing(list, line, longest);
    else {
      // On a line of its own: the next rule, unless the directive is inside a multi-line rule (an HCL block,
      // a YAML or JSON rule object) that no other rule follows within: then that rule. Taking the next rule
      // there hid the findings of the following resource and not of the one the directive is written in.
      const next = nextAfter(list, c.span.end.line);
      const inside = containing(list, line, longest);
      t = inside && inside.start < line && (!next || next.start > inside.end) ? inside : next;
    }
    if (t) s.covers = { start: t.start, end: t.end };
    out.push(s);
  }
  for (const r of rules) {
    if (r.comment === undefined) continue;
    const d = directiveText(r.comment);
    if (d === undefined) continue;
    const s = parseDirective(d, r.span);
    s.covers = { start: r.span.start.line, end: r.span.end.line };
    out.push(s);
  }
  return out.sort((a, b) => a.span.start.line - b.span.start.line || a.span.start.column - b.span.start.column);
}
