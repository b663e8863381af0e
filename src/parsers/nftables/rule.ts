/**
 * The nftables text parser's model rule (NftRule) and the rule text it reads when asked; its placed
 * matches are the shared ones of ../placed.ts.
 */
import type { Action, Match, Span } from '../../model/index.js';
import { PACK_MAX, PK_MATCH, PackedRule, packCode, packedValueOf, placeIn } from '../placed.js';

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
 * A rule of the nftables text parser: a PackedRule (its placed matches kept as codes, values and places, the list
 * built when read; a rule of more than PACK_MAX matches keeps its list) whose text is the document at its span's
 * offsets on one line (oneLineAt: a rule continued with a backslash reads as one line).
 *
 * Why packed: a 100k-rule file's rules had their list and two to three placed matches each, ~12 MB that every
 * scavenge of the parse copied and the old generation kept to the end (the iptables-save fast path's rules are
 * packed for the same reason).
 */
export class NftRule extends PackedRule {
  override get text(): string {
    const s = this.span;
    return oneLineAt(this.document, s.start.offset, s.end.offset);
  }

  /** The rule over `matches` (an exact-size list, not kept when its matches pack). */
  static of(id: number, matches: Match[], action: Action, span: Span, doc: string, report: Span | number | undefined, comment: string | undefined): NftRule {
    const n = matches.length;
    if (n > PACK_MAX) {
      const r = new NftRule(id, 0, CODES, VALUES, PLACES, action, span, doc, report, comment);
      r.matches = matches;
      return r;
    }
    for (let k = 0; k < n; k++) {
      const m = matches[k]!;
      const at = placeIn(m, span);
      const code = at < 0 ? PK_MATCH : packCode(m);
      CODES[k] = code;
      VALUES[k] = code === PK_MATCH ? m : packedValueOf(m);
      PLACES[k] = code === PK_MATCH ? 0 : at;
    }
    const r = new NftRule(id, n, CODES, VALUES, PLACES, action, span, doc, report, comment);
    VALUES.fill(undefined);
    return r;
  }
}

/** NftRule.of's scratch (what PackedRule's constructor copies into the rule). */
const CODES: number[] = new Array<number>(PACK_MAX).fill(0);
const VALUES: unknown[] = new Array<unknown>(PACK_MAX).fill(undefined);
const PLACES: number[] = new Array<number>(PACK_MAX).fill(0);
