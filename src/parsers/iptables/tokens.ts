/**
 * Tokens shared by the save-format and shell-script readers, and the
 * iptables-restore line tokenizer.
 */

/** One argument, with its source offsets (end exclusive) and the value after quote removal. */
export interface Tok {
  text: string;
  start: number;
  end: number;
  /**
   * The value was (at least partly) quoted (set by the script reader): for the shell's own decisions — a keyword, a
   * glob, a redirection's descriptor. Never for getopt's: the shell and iptables-restore remove quotes before iptables
   * reads its argv, so `"-i"` is an option.
   */
  quoted?: boolean;
  /** Set when the value could not be evaluated statically (shell variable, command substitution). */
  unknown?: string;
}

/**
 * Splits one iptables-restore line (from `from` to `to` in `text`) as
 * iptables-restore does: blanks separate arguments, double quotes group, and
 * inside quotes a backslash makes the next character literal (`\"`).
 * Single quotes are ordinary characters for iptables-restore.
 * Returns `unterminated` when a quote is still open at the end of the line.
 */
export function tokenizeRestoreLine(text: string, from: number, to: number, out: Tok[]): { unterminated: number } {
  let i = from;
  let unterminated = -1;
  while (i < to) {
    let c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    const start = i;
    let value = '';
    let segStart = i;
    let inQuote = false;
    let quoteStart = -1;
    while (i < to) {
      c = text.charCodeAt(i);
      if (inQuote) {
        if (c === 92 /* \ */ && i + 1 < to) {
          value += text.slice(segStart, i);
          segStart = i + 1;
          i += 2;
          continue;
        }
        if (c === 34 /* " */) {
          value += text.slice(segStart, i);
          inQuote = false;
          i++;
          segStart = i;
          continue;
        }
        i++;
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) break;
      if (c === 34) {
        value += text.slice(segStart, i);
        inQuote = true;
        quoteStart = i;
        i++;
        segStart = i;
        continue;
      }
      i++;
    }
    if (inQuote) unterminated = quoteStart;
    value += text.slice(segStart, i);
    out.push({ text: value, start, end: i });
  }
  return { unterminated };
}
