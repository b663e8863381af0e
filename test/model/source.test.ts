import { describe, expect, it } from 'vitest';
import { CompactLineSpan, compactWordA, compactWordB, endPosition, LineIndex, lineStartsOf, LineSpan, LongLineSpan, PackedSpan, spanWordA, spanWordB } from '../../src/model/index.js';

describe('LineIndex.span', () => {
  it('reads back the positions of both ends for every span of a text (one-line spans as LineSpan)', () => {
    const text = 'ab\r\n\ncdef\nx\n';
    const li = new LineIndex(text);
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        const s = li.span(a, b);
        expect({ start: s.start, end: s.end }).toEqual({ start: li.position(a), end: li.position(b) });
        expect(s).toBeInstanceOf(li.position(a).line === li.position(b).line ? CompactLineSpan : PackedSpan);
      }
    }
  });

  it('falls back to LongLineSpan, then PackedSpan past the packed limits, with the same positions', () => {
    const text = `${'x'.repeat(70000)}\nab`;
    const li = new LineIndex(text);
    expect(li.span(65536, 65537)).toBeInstanceOf(PackedSpan);
    expect(li.span(0, 32768)).toBeInstanceOf(PackedSpan);
    expect(li.span(65535, 65540)).toBeInstanceOf(LongLineSpan);
    expect(li.span(0, 32767)).toBeInstanceOf(LongLineSpan);
    expect(li.span(255, 2302)).toBeInstanceOf(CompactLineSpan);
    expect(li.span(256, 257)).toBeInstanceOf(LongLineSpan);
    expect(li.span(0, 2048)).toBeInstanceOf(LongLineSpan);
    expect(li.span(70001, 70003)).toBeInstanceOf(CompactLineSpan);
    for (const [a, b] of [[65535, 65540], [65536, 65537], [0, 32767], [0, 32768], [70001, 70003], [255, 2302], [256, 257], [0, 2048]] as const) {
      expect(JSON.parse(JSON.stringify(li.span(a, b)))).toEqual({ start: li.position(a), end: li.position(b) });
    }
  });
});

describe('LineSpan.of', () => {
  const expected = (line: number, lineStart: number, a: number, b: number) => ({
    start: { line, column: a - lineStart + 1, offset: a },
    end: { line, column: b - lineStart + 1, offset: b },
  });
  // [line, lineStart, a, b, class]: each packed field at its largest value and one past it
  const cases: [number, number, number, number, typeof CompactLineSpan | typeof LongLineSpan | typeof PackedSpan][] = [
    [1, 0, 0, 0, CompactLineSpan],
    [2 ** 21 - 1, 2 ** 24 - 300, 2 ** 24 - 300 + 255, 2 ** 24 - 1, CompactLineSpan],
    [2 ** 21, 100, 110, 120, LongLineSpan],
    [7, 2 ** 24 - 10, 2 ** 24 - 1, 2 ** 24 + 2046, CompactLineSpan],
    [7, 2 ** 24 - 10, 2 ** 24, 2 ** 24 + 5, LongLineSpan],
    [7, 1000, 1255, 1255 + 2047, CompactLineSpan],
    [7, 1000, 1256, 1260, LongLineSpan],
    [7, 1000, 1000, 3048, LongLineSpan],
    [3, 50, 60, 60, CompactLineSpan],
    [3, 0, 65536, 65537, PackedSpan],
  ];
  it.each(cases)('line %i, line start %i, [%i, %i)', (line, lineStart, a, b, cls) => {
    const s = LineSpan.of(line, lineStart, a, b);
    expect(s).toBeInstanceOf(cls);
    expect(s instanceof LineSpan).toBe(cls !== PackedSpan);
    expect({ start: s.start, end: s.end }).toEqual(expected(line, lineStart, a, b));
    expect(JSON.parse(JSON.stringify(s))).toEqual(expected(line, lineStart, a, b));
  });
});

describe('compactWordA / compactWordB / spanWordA / spanWordB', () => {
  const pos = (s: { start: unknown; end: unknown }) => ({ start: s.start, end: s.end });

  it('give the words of a sub-span exactly when LineSpan.of packs it into a CompactLineSpan, with the same positions', () => {
    // a base span on line 9 from column 201 (offset 1200); sub-spans across the column (256) and length (2048) limits
    const line = 9;
    const lineStart = 1000;
    const base = LineSpan.of(line, lineStart, 1200, 1210);
    expect(base).toBeInstanceOf(CompactLineSpan);
    for (const col of [0, 1, 54, 55, 56, 100]) {
      for (const len of [0, 1, 2047, 2048, 5000]) {
        const a = 1200 + col;
        const of = LineSpan.of(line, lineStart, a, a + len);
        const w = compactWordA(base, col, len);
        expect([col, len, w !== undefined]).toEqual([col, len, of instanceof CompactLineSpan]);
        if (w !== undefined) expect(pos(new CompactLineSpan(w, compactWordB(base, len)))).toEqual(pos(of));
      }
    }
  });

  it('give no words for a base that is not a CompactLineSpan, or past the offset limit', () => {
    expect(compactWordA(LineSpan.of(3, 0, 300, 310), 0, 1)).toBeUndefined(); // a LongLineSpan
    expect(compactWordA(new PackedSpan(1, 1, 0, 2, 1, 5), 0, 1)).toBeUndefined();
    expect(compactWordA({ start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } }, 0, 1)).toBeUndefined();
    const nearEnd = LineSpan.of(2, 2 ** 24 - 10, 2 ** 24 - 3, 2 ** 24 - 1);
    expect(compactWordA(nearEnd, 2, 1)).toBeDefined(); // offset 2^24 - 1
    expect(compactWordA(nearEnd, 3, 1)).toBeUndefined(); // offset 2^24
  });

  it('spanWordA/B read back a CompactLineSpan as its two words, and nothing of another span', () => {
    const s = LineSpan.of(2 ** 21 - 1, 2 ** 24 - 300, 2 ** 24 - 300 + 255, 2 ** 24 - 1);
    const a = spanWordA(s);
    expect(a).toBeDefined();
    expect(pos(new CompactLineSpan(a!, spanWordB(s)))).toEqual(pos(s));
    expect(spanWordA(LineSpan.of(3, 0, 300, 310))).toBeUndefined();
    expect(Object.keys(s)).toEqual([]); // the words are out of Object.keys and JSON
    expect(JSON.stringify(s)).toBe(JSON.stringify(pos(s)));
  });
});

describe('lineStartsOf and endPosition', () => {
  it('gives every line start, a last empty line included, and where the text ends', () => {
    expect([...lineStartsOf('a\nbc\r\n\nd')]).toEqual([0, 2, 6, 7]);
    expect([...lineStartsOf('x\n')]).toEqual([0, 2]);
    expect([...lineStartsOf('')]).toEqual([0]);
    for (const text of ['a\nbc\r\n\nd', 'x\n', '', 'one line', '\n\n']) {
      expect(endPosition(text)).toEqual(new LineIndex(text).position(text.length));
    }
    expect(endPosition('a\nbc\r\n\nd')).toEqual({ line: 4, column: 2, offset: 8 });
    expect(endPosition('x\n')).toEqual({ line: 2, column: 1, offset: 2 });
  });
});
