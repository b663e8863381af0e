/**
 * nftables mark tests and changes as the model's (src/model/marks.ts), from the IR both front ends make:
 * `meta mark 0x1`, `mark 5`, `meta mark & 0xff == 0x2` (`and`), `!=`, `ct mark 0x4`; `meta mark set 0x1`,
 * `ct mark set meta mark`, `meta mark set ct mark`. Sets, ranges and other expressions are not read: such a test
 * stays undecided, such a change forgets both marks.
 */
import type { MarkOp, MarkTest } from '../../model/index.js';
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
  const value = u32(right);
  if (which === undefined || value === undefined) return undefined;
  return { ct: which === 'ct', value, mask, invert: false };
}

/** `key set value`: the change of a mark, or undefined when `key` is no mark. */
export function nftMarkOp(key: IrExpr, value: IrVal | IrExpr | undefined): MarkOp | undefined {
  const which = markOf(key);
  if (which === undefined) return undefined;
  const ct = which === 'ct';
  const n = value !== undefined && value.k === 'atom' ? u32(value) : undefined;
  if (n !== undefined) return { ct, and: 0, xor: n, copy: 0 };
  // the other mark copied whole (`ct mark set meta mark`, `meta mark set ct mark`)
  const other = value === undefined ? undefined : 'key' in value && (value.k === 'meta' || value.k === 'ct') ? markOf(value) : value.k === 'expr' ? exprMark(value.text) : undefined;
  if (other !== undefined && other !== which) return { ct, and: 0, xor: 0, copy: ALL };
  return { forget: true };
}

/** A value nft's text front end keeps as an expression's text: the mark it names, if that is all it is. */
function exprMark(text: string): 'meta' | 'ct' | undefined {
  const t = text.trim();
  return t === 'ct mark' ? 'ct' : t === 'meta mark' || t === 'mark' ? 'meta' : undefined;
}
