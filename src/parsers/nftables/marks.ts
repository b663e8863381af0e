/**
 * nftables mark tests and changes as the model's (src/model/marks.ts), from the IR both front ends make:
 * `meta mark 0x1`, `mark 5`, `meta mark & 0xff == 0x2` (`and`), `!=`, `ct mark 0x4`, ranges and anonymous sets of
 * them (`meta mark { 0x1, 0x3-0x5 }`); `meta mark set 0x1`,
 * `ct mark set meta mark`, `meta mark set ct mark`. Named sets and other expressions are not read: such a test
 * stays undecided, such a change forgets both marks.
 */
import { IntervalSet, type MarkOp, type MarkTest } from '../../model/index.js';
import { strtouiBase0 } from '../iptables/rule.js';
import type { IrExpr, IrVal } from './ir.js';

const ALL = 0xffffffff;

/** An unsigned 32-bit number as nft writes it (decimal or 0x hex), or undefined. */
function u32(v: IrVal | undefined): number | undefined {
  if (v === undefined || v.k !== 'atom') return undefined;
  if (typeof v.v === 'number') return Number.isInteger(v.v) && v.v >= 0 && v.v <= ALL ? v.v : undefined;
  if (typeof v.v !== 'string' || v.v === '' || (v.v.length > 1 && v.v[0] === '0' && (v.v[1] ?? '').toLowerCase() !== 'x')) return undefined;
  const n = strtouiBase0(v.v, ALL);
  return n < 0 ? undefined : n;
}

/** Which mark `e` reads: 'meta' (the packet's), 'ct' (the connection's), or undefined. */
function markOf(e: IrExpr): 'meta' | 'ct' | undefined {
  if (e.k === 'meta' && e.key === 'mark') return 'meta';
  if (e.k === 'ct' && e.key === 'mark' && e.dir === undefined) return 'ct';
  return undefined;
}

/** The test `left op right`, before the match's own negation (`!=` is the match's `negated`). */
export function nftMarkTest(left: IrExpr, op: string, right: IrVal): MarkTest | undefined {
  if (op !== '==' && op !== '!=' && op !== 'in') return undefined;
  let sel = left;
  let mask = ALL;
  if (sel.k === 'binop') {
    const m = sel.op === '&' ? u32(sel.right) : undefined;
    if (m === undefined) return undefined;
    mask = m;
    sel = sel.left;
  }
  const which = markOf(sel);
  if (which === undefined) return undefined;
  const value = u32(right);
  if (value !== undefined) return { ct: which === 'ct', value, mask, invert: false };
  // a range or an anonymous set of values and ranges (`meta mark 0x1-0x5`, `meta mark { 0x10, 0x20-0x2f }`)
  const ranges: [number, number][] = [];
  for (const v of right.k === 'set' ? right.elems.map((e) => (e.data === undefined && e.verdict === undefined ? e.key : undefined)) : [right]) {
    // (the text front end keeps `0x1-0x5` as one word)
    const dash = v?.k === 'atom' && typeof v.v === 'string' ? v.v.indexOf('-') : -1;
    const atom = (s: string): IrVal => ({ k: 'atom', v: s });
    const [l, h] = v?.k === 'range' ? [v.lo, v.hi] : dash > 0 && v?.k === 'atom' ? [atom(String(v.v).slice(0, dash)), atom(String(v.v).slice(dash + 1))] : [v, v];
    const lo = u32(l);
    const hi = u32(h);
    if (lo === undefined || hi === undefined || hi < lo) return undefined;
    ranges.push([lo, hi + 1]);
  }
  return { ct: which === 'ct', value: 0, mask, invert: false, values: IntervalSet.fromRanges(ranges) };
}

/** `key set value`: the change of a mark, or undefined when `key` is no mark. */
export function nftMarkOp(key: IrExpr, value: IrVal | IrExpr | undefined): MarkOp | undefined {
  const which = markOf(key);
  if (which === undefined) return undefined;
  const ct = which === 'ct';
  const n = value !== undefined && value.k === 'atom' ? u32(value) : undefined;
  if (n !== undefined) return { ct, and: 0, xor: n, copy: 0 };
  // a mark and bitwise operations on it (`meta mark set meta mark & 0xff | 0x10`, `ct mark set meta mark`)
  const f = value === undefined ? undefined : value.k === 'expr' ? affineText(value.text) : 'key' in value || value.k === 'binop' ? affineExpr(value as IrExpr) : undefined;
  if (f === undefined) return { forget: true };
  return f.src === which ? { ct, and: f.and, xor: f.xor, copy: 0 } : { ct, and: 0, xor: f.xor, copy: f.and };
}

/** A value `(src & and) ^ xor` of one mark. */
interface Affine {
  src: 'meta' | 'ct';
  and: number;
  xor: number;
}

/** `w op n` for a value w = (src & and) ^ xor: & n, | n, ^ n (nft's bitwise is mask-and-xor too). */
function step(w: Affine, op: string, n: number): Affine | undefined {
  switch (op) {
    case '&':
    case 'and':
      return { src: w.src, and: (w.and & n) >>> 0, xor: (w.xor & n) >>> 0 };
    case '|':
    case 'or':
      return { src: w.src, and: (w.and & ~n) >>> 0, xor: (w.xor | n) >>> 0 };
    case '^':
    case 'xor':
      return { src: w.src, and: w.and, xor: (w.xor ^ n) >>> 0 };
    default:
      return undefined;
  }
}

/** The JSON front end's value: a mark, or a bitwise operation on one with a number. */
function affineExpr(e: IrExpr): Affine | undefined {
  const m = markOf(e);
  if (m !== undefined) return { src: m, and: ALL, xor: 0 };
  if (e.k !== 'binop') return undefined;
  const inner = affineExpr(e.left);
  const n = u32(e.right);
  return inner && n !== undefined ? step(inner, e.op, n) : undefined;
}

/** The text front end's value as written: `meta mark`, `mark` or `ct mark`, then `op number` pairs, left to right. */
function affineText(text: string): Affine | undefined {
  const t = text.trim().split(/\s+/);
  let i = 0;
  let src: 'meta' | 'ct';
  if (t[0] === 'ct' && t[1] === 'mark') (src = 'ct'), (i = 2);
  else if (t[0] === 'meta' && t[1] === 'mark') (src = 'meta'), (i = 2);
  else if (t[0] === 'mark') (src = 'meta'), (i = 1);
  else return undefined;
  let w: Affine | undefined = { src, and: ALL, xor: 0 };
  for (; w !== undefined && i < t.length; i += 2) {
    const n = u32({ k: 'atom', v: t[i + 1] ?? '' });
    w = n === undefined ? undefined : step(w, t[i]!, n);
  }
  return w;
}
