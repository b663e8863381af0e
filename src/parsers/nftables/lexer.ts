/**
 * nftables lexer: one pass, no backtracking. Words are maximal runs of
 * identifier/number/address characters (`10.0.0.0/8`, `fe80::1`, `echo-request`,
 * `1024-65535`); their meaning is decided later, by the field they are compared
 * with, as nft's own datatypes do.
 */
import type { DocComment, Diagnostic, LineIndex, Span } from '../../model/index.js';

export type TokType = 'word' | 'str' | 'var' | 'ref' | 'punct' | 'nl';

export interface Source {
  text: string;
  li: LineIndex;
  /** For included files: every position maps to the include statement in the main file. */
  override?: Span;
  path?: string;
}

export interface Token {
  t: TokType;
  v: string;
  s: number;
  e: number;
  src: Source;
}

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 95 || // _
    c === 46 || // .
    c === 58 || // :
    c === 47 || // /
    c === 45 || // -
    c === 42 || // *
    c === 43 || // +
    c === 37 // %
  );
}

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 47;
}

export function spanOfTok(src: Source, s: number, e: number): Span {
  return src.override ?? src.li.span(s, e);
}

export function lex(src: Source, diagnostics: Diagnostic[], comments: DocComment[] | undefined): Token[] {
  const text = src.text;
  const n = text.length;
  const out: Token[] = [];
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 10) {
      out.push({ t: 'nl', v: '\n', s: i, e: i + 1, src });
      i++;
      continue;
    }
    if (c === 92) {
      // backslash line continuation
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)) j++;
      if (j >= n || text.charCodeAt(j) === 10) {
        i = j + 1;
        continue;
      }
      diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: 'Unexpected character "\\"', span: spanOfTok(src, i, i + 1) });
      i++;
      continue;
    }
    if (c === 35) {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      if (comments) comments.push({ value: text.slice(i + 1, j).replace(/\r$/, ''), span: spanOfTok(src, i, j), type: 'Line' });
      i = j;
      continue;
    }
    if (c === 34) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 34 && text.charCodeAt(j) !== 10) j++;
      if (j >= n || text.charCodeAt(j) !== 34) {
        diagnostics.push({ severity: 'error', code: 'nftables/unterminated-string', message: 'Unterminated string', span: spanOfTok(src, i, j) });
        out.push({ t: 'str', v: text.slice(i + 1, j), s: i, e: j, src });
        i = j;
        continue;
      }
      out.push({ t: 'str', v: text.slice(i + 1, j), s: i, e: j + 1, src });
      i = j + 1;
      continue;
    }
    if (c === 36 || c === 64) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      out.push({ t: c === 36 ? 'var' : 'ref', v: text.slice(i + 1, j), s: i, e: j, src });
      i = j;
      continue;
    }
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      out.push({ t: 'word', v: text.slice(i, j), s: i, e: j, src });
      i = j;
      continue;
    }
    // punctuation
    const c2 = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    // != == <= >= << >>
    if ((c2 === 61 && (c === 33 || c === 61 || c === 60 || c === 62)) || (c === 60 && c2 === 60) || (c === 62 && c2 === 62)) {
      out.push({ t: 'punct', v: text.slice(i, i + 2), s: i, e: i + 2, src });
      i += 2;
      continue;
    }
    const ch = text[i]!;
    if ('{}()[];,=!<>&|^~'.includes(ch)) {
      out.push({ t: 'punct', v: ch, s: i, e: i + 1, src });
      i++;
      continue;
    }
    diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: `Unexpected character ${JSON.stringify(ch)}`, span: spanOfTok(src, i, i + 1) });
    i++;
  }
  return out;
}
