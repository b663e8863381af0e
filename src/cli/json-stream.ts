/**
 * ESLint's `json` format (`JSON.stringify(results)`) written in pieces: a 100k-rule file
 * gives tens of thousands of messages, and building the whole report as one string (and the
 * buffer it is copied into for writing) doubled the process's memory at its very end.
 * The pieces, joined, are byte for byte what ESLint's formatter returns
 * (test/cli/json-stream.test.ts checks it against JSON.stringify).
 */

/** Keys of a result whose arrays are written element by element. */
const LISTS: ReadonlySet<string> = new Set(['messages', 'suppressedMessages']);
/**
 * Messages stringified together (one JSON.stringify per message was slower than one for the whole list). Few
 * enough that the text (~600 characters a message) stays below V8's large-object size (128 KB): a larger string is
 * put in the large-object space, which only a full collection frees, so the report's garbage, which a scavenge
 * would have dropped, stayed in the heap until the process ended (+15-25 MB peak RSS on 16 MB of JSON).
 */
const SLICE = 64;

/**
 * Characters of a long string value escaped at a time: ESLint puts the whole file text in a result with problems
 * (`source`, 8 MB for a 100k-rule iptables-save file), and stringified whole it was two more copies of the file
 * (escaped, then joined into a write) in the large-object space at the very end of the run.
 */
const STRING_SLICE = 16384;

/** JSON.stringify(s) in pieces of a bounded size (the same text joined; ~16K characters, 96K at worst when every one is escaped). */
function* stringPieces(s: string): Generator<string> {
  yield '"';
  for (let i = 0; i < s.length; ) {
    let end = Math.min(i + STRING_SLICE, s.length);
    // never between the two halves of a surrogate pair: alone, each would be escaped as a lone surrogate
    const c = s.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff && end < s.length) end++;
    yield JSON.stringify(s.slice(i, end)).slice(1, -1);
    i = end;
  }
  yield '"';
}

/**
 * JSON.stringify(messages), each message's text read through a flat copy put in its place for the call. The rules
 * keep a text many findings share as a sum of two strings (twoPieces in src/eslint/rule-kit.ts), and JSON.stringify
 * flattens such a sum in place: the whole text would be kept beside the message again, for every finding, until the
 * process ends (+13 MB on the 27k Transfer CFT findings of a 100k-rule host file). The copy is garbage at once.
 */
function stringifyMessages(list: unknown[]): string {
  const texts: unknown[] = new Array(list.length);
  try {
    for (let i = 0; i < list.length; i++) {
      const m = list[i] as { message?: unknown } | null;
      if (m === null || typeof m !== 'object' || typeof m.message !== 'string') continue;
      texts[i] = m.message;
      // a new sum (' ' + text) flattened by slice, which returns a view of that copy: the text itself is left as it is
      m.message = (' ' + m.message).slice(1);
    }
    return JSON.stringify(list);
  } finally {
    for (let i = 0; i < list.length; i++) if (texts[i] !== undefined) (list[i] as { message: unknown }).message = texts[i];
  }
}

/** JSON.stringify(results), as a sequence of strings. */
export function* jsonPieces(results: readonly object[]): Generator<string> {
  yield '[';
  for (let i = 0; i < results.length; i++) {
    if (i > 0) yield ',';
    const r = results[i] as Record<string, unknown>;
    if (r === null || typeof r !== 'object' || Array.isArray(r) || typeof (r as { toJSON?: unknown }).toJSON === 'function') {
      yield JSON.stringify(r) ?? 'null';
      continue;
    }
    yield '{';
    let first = true;
    for (const key of Object.keys(r)) {
      const v = r[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // as JSON.stringify
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      if (LISTS.has(key) && Array.isArray(v)) {
        // slices of the list, each stringified as a list without its brackets: the same text as
        // the whole list, in pieces of a bounded size
        yield '[';
        // after the first slice, the list is stringified with a 0 before its first message ("[0,m1,m2]"), so that
        // the piece is one view of the text (",m1,m2"), not a separator joined to a view (a copy when written)
        for (let j = 0; j < v.length; j += SLICE) {
          if (j === 0) yield stringifyMessages(v.slice(0, SLICE)).slice(1, -1);
          else {
            const part: unknown[] = v.slice(j - 1, j + SLICE);
            part[0] = 0;
            yield stringifyMessages(part).slice(2, -1);
          }
        }
        yield ']';
      } else if (typeof v === 'string' && v.length > STRING_SLICE) yield* stringPieces(v);
      else yield JSON.stringify(v);
    }
    yield '}';
  }
  yield ']';
}

/**
 * Pieces gathered into writes of about `size` characters (one write per message would be one system call each);
 * by default 32K characters (plus the last piece), which keeps ASCII text out of the large-object space (see SLICE).
 * A piece of a quarter of that or more (a slice of messages) is written alone, after what was gathered before it:
 * joined, it was copied once more (37 MB of copies for the 37 MB report of a 100k-rule host file).
 */
export function* batched(pieces: Iterable<string>, size = 32 << 10): Generator<string> {
  let buf: string[] = [];
  let n = 0;
  for (const p of pieces) {
    if (p.length >= size >> 2) {
      if (buf.length > 0) yield buf.join('');
      buf = [];
      n = 0;
      yield p;
      continue;
    }
    buf.push(p);
    n += p.length;
    if (n >= size) {
      yield buf.join('');
      buf = [];
      n = 0;
    }
  }
  if (n > 0 || buf.length > 0) yield buf.join('');
}
