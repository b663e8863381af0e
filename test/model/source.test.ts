import { describe, expect, it } from 'vitest';
import { LineIndex, LineSpan, PackedSpan } from '../../src/model/index.js';

describe('LineIndex.span', () => {
  it('reads back the positions of both ends for every span of a text (one-line spans as LineSpan)', () => {
    const text = 'ab\r\n\ncdef\nx\n';
    const li = new LineIndex(text);
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        const s = li.span(a, b);
        expect({ start: s.start, end: s.end }).toEqual({ start: li.position(a), end: li.position(b) });
        expect(s).toBeInstanceOf(li.position(a).line === li.position(b).line ? LineSpan : PackedSpan);
      }
    }
  });

  it('falls back to PackedSpan past the packed limits, with the same positions', () => {
    const text = `${'x'.repeat(70000)}\nab`;
    const li = new LineIndex(text);
    expect(li.span(65536, 65537)).toBeInstanceOf(PackedSpan);
    expect(li.span(0, 32768)).toBeInstanceOf(PackedSpan);
    expect(li.span(65535, 65540)).toBeInstanceOf(LineSpan);
    for (const [a, b] of [[65535, 65540], [65536, 65537], [0, 32767], [0, 32768], [70001, 70003]] as const) {
      expect(JSON.parse(JSON.stringify(li.span(a, b)))).toEqual({ start: li.position(a), end: li.position(b) });
    }
  });
});
