/** Positions: line and column are 1-based, offset is 0-based; `end` is exclusive. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Span {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning';

/** A problem found while reading input: parsers return these instead of throwing. */
export interface Diagnostic {
  severity: Severity;
  message: string;
  span: Span;
  /** Stable id, e.g. "iptables/unknown-option". */
  code?: string;
}

/**
 * The offset at which each line of `text` starts, in an Int32Array of the exact size (the lines are counted
 * first): a list grown by push left ~2.5 MB of dead arrays in V8's large-object space on a 100k-line file,
 * which only a full collection frees. Offsets fit: a string is shorter than 2^30.
 */
export function lineStartsOf(text: string): Int32Array {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  const starts = new Int32Array(n);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** Where `text` ends: the position LineIndex gives for `text.length`, without an index. */
export function endPosition(text: string): Position {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: text.length - last, offset: text.length };
}

/**
 * Maps offsets to line/column once, on demand (binary search over line starts).
 * Lines end at \n; a \r before it belongs to the line's text, as in ESLint.
 */
export class LineIndex {
  readonly lineStarts: Int32Array;
  constructor(readonly text: string) {
    this.lineStarts = lineStartsOf(text);
  }
  position(offset: number): Position {
    const s = this.lineStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo]! + 1, offset };
  }
  span(start: number, end: number): Span {
    const a = this.position(start);
    const b = this.position(end);
    if (a.line === b.line) return LineSpan.of(a.line, start - a.column + 1, start, end);
    return new PackedSpan(a.line, a.column, a.offset, b.line, b.column, b.offset);
  }
}

/**
 * A span as one object of six small integers (a big model has several spans per rule: three
 * objects each would be half of its memory). `start` and `end` are built when read.
 */
export class PackedSpan implements Span {
  readonly #sl: number;
  readonly #sc: number;
  readonly #so: number;
  readonly #el: number;
  readonly #ec: number;
  readonly #eo: number;
  constructor(sl: number, sc: number, so: number, el: number, ec: number, eo: number) {
    this.#sl = sl;
    this.#sc = sc;
    this.#so = so;
    this.#el = el;
    this.#ec = ec;
    this.#eo = eo;
  }
  get start(): Position {
    return { line: this.#sl, column: this.#sc, offset: this.#so };
  }
  get end(): Position {
    return { line: this.#el, column: this.#ec, offset: this.#eo };
  }
  toJSON(): { start: Position; end: Position } {
    return { start: this.start, end: this.end };
  }
}

/** Largest start column (0-based) and length a LongLineSpan packs into one small integer (below 2^31); beyond, a PackedSpan. */
const COL_LIMIT = 65536;
const LEN_LIMIT = 32768;

/*
 * CompactLineSpan's two 32-bit fields (V8 on 64 bits keeps a 32-bit integer in an object field as a small integer, no box; a negative
 * one too, so all 32 bits are used): `a` = offset | startColumn0 << 24, `b` = line | length << 21.
 */
const OFF_BITS = 24;
const OFF_MASK = (1 << OFF_BITS) - 1; // offsets below 16 MiB
const LINE_BITS = 21;
const LINE_MASK = (1 << LINE_BITS) - 1; // lines below 2 M
const COL0_LIMIT = 1 << (32 - OFF_BITS); // start columns (0-based) below 256
const LEN2_LIMIT = 1 << (32 - LINE_BITS); // lengths below 2048

/**
 * A span within one line, made by LineSpan.of as the smallest of two classes: a CompactLineSpan (two 32-bit
 * integers, 40 bytes: object header 24 + 2 fields) where a PackedSpan takes 72 — a 100k-rule ruleset keeps about
 * four spans per rule — or, for a span it cannot pack (an offset from 16 MiB on, a line from 2 M on, a start
 * column from 256 on, 2048 characters or more), a LongLineSpan (48 bytes); past the limits of that a PackedSpan.
 * Reads give the same positions. The base class holds no field, so both are `instanceof LineSpan` at no cost.
 */
export abstract class LineSpan implements Span {
  protected constructor() {}
  /** The span [a, b) of line `line` (1-based), which starts at offset `lineStart`. */
  static of(line: number, lineStart: number, a: number, b: number): Span {
    const col0 = a - lineStart;
    const len = b - a;
    if (a >= 0 && a <= OFF_MASK && line >= 0 && line <= LINE_MASK && col0 >= 0 && col0 < COL0_LIMIT && len >= 0 && len < LEN2_LIMIT) {
      // both fit in 32 bits; the top bit set makes a negative int32 (still a small integer), read back with >>>
      return new CompactLineSpan(a | (col0 << OFF_BITS), line | (len << LINE_BITS));
    }
    if (col0 >= 0 && col0 < COL_LIMIT && len >= 0 && len < LEN_LIMIT) return new LongLineSpan(line, a, col0 + len * COL_LIMIT);
    return new PackedSpan(line, col0 + 1, a, line, b - lineStart + 1, b);
  }
  abstract get start(): Position;
  abstract get end(): Position;
  toJSON(): { start: Position; end: Position } {
    return { start: this.start, end: this.end };
  }
}

/*
 * Where CompactLineSpan and LongLineSpan keep their numbers: properties keyed by these symbols, which Object.keys,
 * for-in and JSON skip, as they skipped the private fields these were. Not private fields: a class with private
 * fields runs one more function per construction (its fields' initialiser, which defines them; see the placed
 * matches in parsers/placed.ts), and a span is built on every read of a text-parsed rule's or match's span.
 * Not exported: other modules read a CompactLineSpan's words through compactWordA and compactWordB.
 */
const WA: unique symbol = Symbol('a');
const WB: unique symbol = Symbol('b');
const WC: unique symbol = Symbol('c');

/** A LineSpan as `a` = offset | startColumn0 << 24 and `b` = line | length << 21 (see LineSpan). */
export class CompactLineSpan extends LineSpan {
  declare readonly [WA]: number;
  declare readonly [WB]: number;
  /** Internal: use LineSpan.of (or the words compactWordA/compactWordB give). */
  constructor(a: number, b: number) {
    super();
    (this as { [WA]: number })[WA] = a;
    (this as { [WB]: number })[WB] = b;
  }
  get start(): Position {
    const a = this[WA];
    return { line: this[WB] & LINE_MASK, column: (a >>> OFF_BITS) + 1, offset: a & OFF_MASK };
  }
  get end(): Position {
    const a = this[WA];
    const len = this[WB] >>> LINE_BITS;
    return { line: this[WB] & LINE_MASK, column: (a >>> OFF_BITS) + len + 1, offset: (a & OFF_MASK) + len };
  }
}

/**
 * The first word of the CompactLineSpan of the `len` characters that start `col` characters after the start of
 * `base` (on its line), or undefined when `base` is not a CompactLineSpan or that span does not pack. With it,
 * compactWordB(base, len) is the second word, and `new CompactLineSpan(a, b)` the span. For the text parsers'
 * rules and matches, which keep their span as these two small integers instead of a span object (parsers/placed.ts).
 */
export function compactWordA(base: Span, col: number, len: number): number | undefined {
  if (!(base instanceof CompactLineSpan)) return undefined;
  const w = base[WA];
  const offset = (w & OFF_MASK) + col;
  const col0 = (w >>> OFF_BITS) + col;
  if (col < 0 || offset > OFF_MASK || col0 >= COL0_LIMIT || len < 0 || len >= LEN2_LIMIT) return undefined;
  return offset | (col0 << OFF_BITS);
}

/** The first word of `span` when it is a CompactLineSpan (spanWordB the second), else undefined. */
export function spanWordA(span: Span): number | undefined {
  return span instanceof CompactLineSpan ? span[WA] : undefined;
}

/** The second word of the CompactLineSpan spanWordA gave the first of. */
export function spanWordB(span: Span): number {
  return (span as CompactLineSpan)[WB];
}

/** The second word of the span compactWordA(base, col, len) gave the first of. */
export function compactWordB(base: Span, len: number): number {
  return ((base as CompactLineSpan)[WB] & LINE_MASK) | (len << LINE_BITS);
}

/** A LineSpan as three small integers (48 bytes), for the spans CompactLineSpan cannot pack. */
export class LongLineSpan extends LineSpan {
  declare readonly [WA]: number;
  declare readonly [WB]: number;
  /** (start column - 1) + length * COL_LIMIT */
  declare readonly [WC]: number;
  /** Internal: use LineSpan.of. */
  constructor(line: number, offset: number, packed: number) {
    super();
    (this as { [WA]: number })[WA] = line;
    (this as { [WB]: number })[WB] = offset;
    (this as { [WC]: number })[WC] = packed;
  }
  get start(): Position {
    return { line: this[WA], column: (this[WC] % COL_LIMIT) + 1, offset: this[WB] };
  }
  get end(): Position {
    const p = this[WC];
    const len = Math.floor(p / COL_LIMIT);
    return { line: this[WA], column: (p % COL_LIMIT) + len + 1, offset: this[WB] + len };
  }
}

export function spanOf(start: Position, end: Position): Span {
  return { start, end };
}

/** A zero-width span at the start of a document, for problems with no better place. */
export const DOCUMENT_START: Span = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};
