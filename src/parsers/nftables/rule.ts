/**
 * The nftables text parser's model rule (NftRule) and the rule text it reads when asked; its placed
 * matches are the shared ones of ../placed.ts.
 */
import type { Action, Match, Rule, Span } from '../../model/index.js';
import { spanAt } from '../placed.js';

/**
 * A rule's text as the parsers keep it: text[from, to) with whitespace runs collapsed to one space
 * (a rule continued with a backslash), trimmed (fast path: already one line with single spaces).
 * Checked on the source text itself: reading a slice char by char goes through the slice's indirection.
 */
export function oneLineAt(text: string, from: number, to: number): string {
  let clean = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (c === 32 && (i === from || i === to - 1 || text.charCodeAt(i + 1) === 32))) {
      clean = false;
      break;
    }
  }
  const s = text.slice(from, to);
  return clean ? s : s.replace(/\s+/g, ' ').trim();
}

/**
 * A text-parsed model rule that keeps less than the literal it replaces:
 * - `text`, read only for trace output and a few messages, is sliced from the document when read
 *   (its text is oneLineAt(document, span's offsets));
 * - `reportSpan`, when it is on the rule's first line, is one small integer next to the rule's span
 *   (as a placed match keeps its span), built when read.
 * On nftables-100k.nft, 100k sliced strings (32 bytes each) and 60k span objects (40) less, in a
 * rule object as large as the literal (72 bytes).
 * `id`, `matches`, `action`, `span` and `comment` are own fields as before; `toJSON` gives the
 * object the literal was, key for key ({ id, matches, action, span, text, reportSpan?, comment? }).
 */
export class NftRule implements Rule {
  declare id: number;
  declare matches: Match[];
  declare action: Action;
  declare span: Span;
  declare comment?: string;
  /** The whole document: the rule's text is at span's offsets. */
  readonly #doc: string;
  /** The report span, or its place next to `span` (spanAt), or undefined. */
  readonly #report: Span | number | undefined;

  constructor(id: number, matches: Match[], action: Action, span: Span, doc: string, report: Span | number | undefined, comment: string | undefined) {
    this.id = id;
    this.matches = matches;
    this.action = action;
    this.span = span;
    if (comment !== undefined) this.comment = comment;
    this.#doc = doc;
    this.#report = report;
  }

  get text(): string {
    const s = this.span;
    return oneLineAt(this.#doc, s.start.offset, s.end.offset);
  }

  get reportSpan(): Span | undefined {
    const r = this.#report;
    return typeof r === 'number' ? spanAt(this.span, r) : r;
  }

  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { id: this.id, matches: this.matches, action: this.action, span: this.span, text: this.text };
    const rs = this.reportSpan;
    if (rs !== undefined) o.reportSpan = rs;
    if (this.comment !== undefined) o.comment = this.comment;
    return o;
  }
}
