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

export function spanOf(start: Position, end: Position): Span {
  return { start, end };
}

/** A zero-width span at the start of a document, for problems with no better place. */
export const DOCUMENT_START: Span = {
  start: { line: 1, column: 1, offset: 0 },
  end: { line: 1, column: 1, offset: 0 },
};
