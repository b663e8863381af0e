/** Mark states (src/model/marks.ts): what MARK/CONNMARK changes leave known, and how a test reads it. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { applyMarkOp, ARRIVAL_MARKS, evalMarkTest, type MarkOp, type MarkTest } from '../../src/model/index.js';

const setX = (value: number, mask: number, ct = false): MarkOp => ({ ct, and: ~mask >>> 0, xor: value, copy: 0 });

describe('mark states', () => {
  test('a set mark is known in the bits it sets; the others keep their arrival (unknown, plain 0)', () => {
    const s = applyMarkOp(ARRIVAL_MARKS, setX(0x2, 0xff));
    expect(s).toEqual({ pk: 0xff, pp: 0xffffffff, pv: 0x2, ck: 0, cp: 0xffffffff, cv: 0, cf: 0xffffffff });
    expect(evalMarkTest({ ct: false, value: 0x2, mask: 0xff, invert: false }, s)).toEqual({ r: 1, plain: true });
    expect(evalMarkTest({ ct: false, value: 0x1, mask: 0xff, invert: false }, s)).toEqual({ r: 0, plain: false });
    // the whole mark: its high bits are the arrival's (0 for a plain packet, anything after tc)
    expect(evalMarkTest({ ct: false, value: 0x2, mask: 0xffffffff, invert: false }, s)).toEqual({ r: 2, plain: true });
    expect(evalMarkTest({ ct: false, value: 0x2, mask: 0xffffffff, invert: true }, s)).toEqual({ r: 2, plain: false });
  });

  test('a value with bits outside its mask never matches (iptables compares the masked mark)', () => {
    expect(evalMarkTest({ ct: false, value: 0x3, mask: 0x1, invert: false }, ARRIVAL_MARKS).r).toBe(0);
    expect(evalMarkTest({ ct: false, value: 0x3, mask: 0x1, invert: true }, ARRIVAL_MARKS).r).toBe(1);
  });

  test('a new connection\'s mark is known where it is fresh (0) and where a known packet mark was saved into it', () => {
    // --save-mark of a packet mark the rules did not set: not known for a new connection either (tc may have set it)
    const saved = applyMarkOp(ARRIVAL_MARKS, { ct: true, and: 0, copy: 0xff, xor: 0 });
    expect(saved.cf).toBe(~0xff >>> 0);
    expect(evalMarkTest({ ct: true, value: 0, mask: 0xff00, invert: false }, { ...saved, ck: saved.cf })).toEqual({ r: 1, plain: true });
    expect(evalMarkTest({ ct: true, value: 0, mask: 0xff, invert: false }, { ...saved, ck: saved.cf })).toEqual({ r: 2, plain: true });
  });

  test('--save-mark copies the packet mark into the connection mark, --restore-mark back', () => {
    const saved = applyMarkOp(applyMarkOp(ARRIVAL_MARKS, setX(0x5, 0xffffffff)), { ct: true, and: 0, copy: 0xffffffff, xor: 0 });
    expect(saved).toEqual({ pk: 0xffffffff, pp: 0xffffffff, pv: 5, ck: 0xffffffff, cp: 0xffffffff, cv: 5, cf: 0xffffffff });
    const restored = applyMarkOp(applyMarkOp(ARRIVAL_MARKS, setX(0x7, 0xf, true)), { ct: false, and: ~0xf >>> 0, copy: 0xf, xor: 0 });
    expect(restored).toEqual({ pk: 0xf, pp: 0xffffffff, pv: 7, ck: 0xf, cp: 0xffffffff, cv: 7, cf: 0xffffffff });
    // an unread change forgets both, for a plain packet too: no test of them is decided, not even one-sidedly
    const lost = applyMarkOp(saved, { forget: true });
    expect(lost).toEqual({ pk: 0, pp: 0, pv: 5, ck: 0, cp: 0, cv: 5, cf: 0 });
    expect(evalMarkTest({ ct: false, value: 5, mask: 0xffffffff, invert: false }, lost)).toEqual({ r: 2, plain: undefined });
  });

  test('every decided answer is what each mark the state allows gives (random states, ops and tests)', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const op = fc.oneof(
      fc.record({ ct: fc.boolean(), and: u32, xor: u32, copy: u32 }),
      fc.constant<MarkOp>({ forget: true }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 4 }), fc.oneof(fc.constant(0), u32), fc.oneof(fc.constant(0), u32), fc.record({ ct: fc.boolean(), value: u32, mask: u32, invert: fc.boolean() }), (ops, p0, c0, t: MarkTest) => {
        // the real marks, from any arrival (p0, c0), beside the state
        let p = p0;
        let c = c0;
        let s = ARRIVAL_MARKS;
        for (const o of ops) {
          if ('forget' in o) {
            // (a change not read: any marks; the real ones stay as they are, one of them)
          } else if (o.ct) c = ((c & o.and) ^ (p & o.copy) ^ o.xor) >>> 0;
          else p = ((p & o.and) ^ (c & o.copy) ^ o.xor) >>> 0;
          s = applyMarkOp(s, o);
        }
        const m = t.ct ? c : p;
        const holds = ((m & t.mask) >>> 0) === t.value !== t.invert;
        const { r, plain } = evalMarkTest(t, s);
        if (r !== 2) expect(r === 1).toBe(holds);
        // a plain packet (both marks 0 on arrival), when no change was lost: `plain` is its answer
        if (p0 === 0 && c0 === 0 && !ops.some((o) => 'forget' in o) && plain !== undefined) expect(plain).toBe(holds);
        // a new connection (its mark 0 on arrival), whatever the packet's mark: `cf` decides its connection-mark tests
        if (c0 === 0 && t.ct) {
          const fresh = evalMarkTest(t, { ...s, ck: s.cf });
          if (fresh.r !== 2) expect(fresh.r === 1).toBe(holds);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
