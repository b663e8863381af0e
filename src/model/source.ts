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
 * Maps offsets to line/column once, on demand (binary search over line starts).
 * Lines end at \n; a \r before it belongs to the line's text, as in ESLint.
 */
export class LineIndex {
  readonly lineStarts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
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

/** Largest start column (0-based) and length a LineSpan packs into one small integer (below 2^31). */
const COL_LIMIT = 65536;
const LEN_LIMIT = 32768;

/**
 * A span within one line as three small integers: 48 bytes where a PackedSpan takes 72 (a
 * 100k-rule ruleset keeps about four spans per rule). Reads give the same positions. Lines
 * longer than 64 K characters, or spans of more than 32 K, fall back to PackedSpan.
 */
export class LineSpan implements Span {
  readonly #line: number;
  readonly #offset: number;
  /** (start column - 1) + length * COL_LIMIT */
  readonly #packed: number;
  private constructor(line: number, offset: number, packed: number) {
    this.#line = line;
    this.#offset = offset;
    this.#packed = packed;
  }
  /** The span [a, b) of line `line` (1-based), which starts at offset `lineStart`. */
  static of(line: number, lineStart: number, a: number, b: number): Span {
    const col0 = a - lineStart;
    const len = b - a;
    if (col0 >= 0 && col0 < COL_LIMIT && len >= 0 && len < LEN_LIMIT) return new LineSpan(line, a, col0 + len * COL_LIMIT);
    return new PackedSpan(line, col0 + 1, a, line, b - lineStart + 1, b);
  }
  get start(): Position {
    return { line: this.#line, column: (this.#packed % COL_LIMIT) + 1, offset: this.#offset };
  }
  get end(): Position {
    const p = this.#packed;
    const len = Math.floor(p / COL_LIMIT);
    return { line: this.#line, column: (p % COL_LIMIT) + len + 1, offset: this.#offset + len };
  }
  toJSON(): { start: Position; end: Position } {
    return { start: this.start, end: this.end };
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
