/**
 * Spans of one line in three small integers (a 100k-rule dump has about four spans per
 * rule; the model's six-field PackedSpan is half again as big). Lines longer than 64 K
 * characters, or spans of more than 32 K, fall back to PackedSpan.
 */
import { PackedSpan, type Position, type Span } from '../../model/index.js';

/** Largest start column (0-based) and length that fit the packed field (a 31-bit small integer). */
const COL_LIMIT = 65536;
const LEN_LIMIT = 32768;

export class LineSpan implements Span {
  readonly #line: number;
  readonly #offset: number;
  /** (start column - 1) + length * 65536 */
  readonly #packed: number;
  private constructor(line: number, offset: number, packed: number) {
    this.#line = line;
    this.#offset = offset;
    this.#packed = packed;
  }
  /** The span [a, b) of line `line`, which starts at offset `lineStart`. */
  static of(line: number, lineStart: number, a: number, b: number): Span {
    const col0 = a - lineStart;
    const len = b - a;
    if (col0 >= 0 && col0 < COL_LIMIT && len >= 0 && len < LEN_LIMIT) return new LineSpan(line, a, col0 + len * COL_LIMIT);
    return new PackedSpan(line, a - lineStart + 1, a, line, b - lineStart + 1, b);
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
