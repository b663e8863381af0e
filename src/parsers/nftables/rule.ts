/**
 * The nftables text parser's model rule (NftRule) and the rule text it reads when asked; its placed
 * matches are the shared ones of ../placed.ts.
 */
import { DocRule } from '../placed.js';

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
 * A rule of the nftables text parser: a DocRule whose text is the document at its span's offsets on one
 * line (oneLineAt: a rule continued with a backslash reads as one line).
 */
export class NftRule extends DocRule {
  override get text(): string {
    const s = this.span;
    return oneLineAt(this.document, s.start.offset, s.end.offset);
  }
}
