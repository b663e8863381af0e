import { describe, expect, it } from 'vitest';
import { CompactLineSpan, endPosition, LineIndex, lineStartsOf, LineSpan, LongLineSpan, PackedSpan } from '../../src/model/index.js';

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
