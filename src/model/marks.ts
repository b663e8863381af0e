/**
 * Packet and connection marks (iptables `-m mark`/`-m connmark` and `-j MARK`/`-j CONNMARK`): 32-bit values a rule
 * tests and a rule sets. Every change the kernel offers is bitwise affine — a mark becomes `(mark & and) ^ (other &
 * copy) ^ xor`, `other` the connection's mark for the packet's and the other way round (xt_MARK's --set-xmark, to which
 * iptables reduces --set-mark/--and-mark/--or-mark/--xor-mark; xt_CONNMARK's --save-mark and --restore-mark) — so what
 * is known of a mark after any sequence of them is a set of known bits and their values.
 *
 * A mark's value on arrival is not the ruleset's to say: 0 unless something outside netfilter set it (tc, eBPF, an
 * XFRM state, a socket's SO_MARK). It is read as `MarkState`'s unknown bits, with 0 as their plain value: the exposure
 * engine decides a test on unknown bits only where that is sound whatever they hold (an accept whose test holds for
 * the plain value opens what it accepts; a drop whose test misses it closes nothing), as for PLAIN_PACKET's header
 * fields; bits a rule set are known and decide tests both ways.
 *
 * A packet without a conntrack entry (untracked, invalid) fails every connection-mark test, `!` or not, and CONNMARK
 * leaves it alone (xt_connmark: no `nf_ct_get`, no match, no change). The tracer, which knows the packet's state,
 * reads that; the exposure engine, whose flows mix states, reads a connection-mark test per state (RuleCompiler.forMarks)
 * and takes what CONNMARK --restore-mark copies as not known.
 */

import type { NumSet } from './ports.js';

/**
 * `(mark & mask) == value` on the packet's mark, or the connection's (`ct`) — or, with `values`, `(mark & mask) ∈
 * values` (nft `meta mark { 0x1, 0x2 }`, `meta mark 0x1-0x5`); `invert`: the `!` written inside the test.
 */
export interface MarkTest {
  ct: boolean;
  value: number;
  mask: number;
  invert: boolean;
  values?: NumSet;
}

/**
 * A change of the packet's mark (`ct` false) or the connection's: mark = (mark & and) ^ (other & copy) ^ xor; or
 * `forget`: a change not read (an option we do not know), after which neither mark is known.
 */
export type MarkOp =
  | {
      ct: boolean;
      and: number;
      xor: number;
      /** The other mark's bits copied in (CONNMARK --save-mark / --restore-mark); 0 for a constant change. */
      copy: number;
    }
  | { forget: true };

/**
 * What is known of both marks: `pk`/`ck` the packet's/connection's bits known for every packet, `pp`/`cp` those known
 * for a plain packet (one that arrived with marks 0: PLAIN_PACKET), `pv`/`cv` their values. Bits outside `pp`/`cp`
 * are not known at all (a change we could not read). `cf`: the connection's bits known for every packet of a new
 * connection, whatever its packet mark — its entry is fresh and its mark 0 (nf_conntrack_core.c, init_conntrack: only
 * an expected connection, a related one, takes its master's mark), but for bits copied from a packet mark not known.
 * Unsigned 32-bit numbers.
 */
export interface MarkState {
  readonly pk: number;
  readonly pp: number;
  readonly pv: number;
  readonly ck: number;
  readonly cp: number;
  readonly cv: number;
  readonly cf: number;
}

/** Both marks as they arrive: nothing known for every packet, 0 for a plain one and for a new connection's. */
export const ARRIVAL_MARKS: MarkState = Object.freeze({ pk: 0, pp: 0xffffffff, pv: 0, ck: 0, cp: 0xffffffff, cv: 0, cf: 0xffffffff });

/** The state after `op`. */
export function applyMarkOp(s: MarkState, op: MarkOp): MarkState {
  if ('forget' in op) return { pk: 0, pp: 0, pv: s.pv, ck: 0, cp: 0, cv: s.cv, cf: 0 };
  const [tk, tp, tv, ok, oq, ov] = op.ct ? [s.ck, s.cp, s.cv, s.pk, s.pp, s.pv] : [s.pk, s.pp, s.pv, s.ck, s.cp, s.cv];
  // a bit is known when each part it is made of is: the target's bit (kept where `and` has it), the other's (copied)
  const k = ((tk | ~op.and) & (ok | ~op.copy)) >>> 0;
  const q = ((tp | ~op.and) & (oq | ~op.copy)) >>> 0;
  const v = ((tv & op.and) ^ (ov & op.copy) ^ op.xor) >>> 0;
  // (a new connection's bit: kept from its fresh value, or copied from a packet bit known for every packet)
  const f = op.ct ? ((s.cf | ~op.and) & (s.pk | ~op.copy)) >>> 0 : s.cf;
  return op.ct ? { pk: s.pk, pp: s.pp, pv: s.pv, ck: k, cp: q, cv: v, cf: f } : { pk: k, pp: q, pv: v, ck: s.ck, cp: s.cp, cv: s.cv, cf: f };
}

/** `s` with the bits of `bits` of the packet's mark not known at all. */
export function forgetPacketBits(s: MarkState, bits: number): MarkState {
  return { ...s, pk: (s.pk & ~bits) >>> 0, pp: (s.pp & ~bits) >>> 0 };
}

/**
 * A test on a state, before the match's own `negated`: `r` 1 it holds for every packet, 0 for none, 2 it depends on
 * bits not known for every packet; `plain` what it gives for a plain packet, undefined when that is not known either.
 */
export function evalMarkTest(t: MarkTest, s: MarkState): { r: 0 | 1 | 2; plain: boolean | undefined } {
  const k = t.ct ? s.ck : s.pk;
  const q = t.ct ? s.cp : s.pp;
  const v = t.ct ? s.cv : s.pv;
  let r: 0 | 1 | 2;
  let plain: boolean | undefined;
  if (t.values !== undefined) {
    // a set of values: decided when every bit the mask keeps is known (for every packet, or for a plain one)
    const mv = (v & t.mask) >>> 0;
    r = (t.mask & ~k) === 0 ? (t.values.has(mv) ? 1 : 0) : 2;
    plain = (t.mask & ~q) === 0 ? t.values.has(mv) : undefined;
  } else if ((t.value & ~t.mask) !== 0) {
    // a value with bits outside the mask is never equal to the masked mark
    r = 0;
    plain = false;
  } else {
    const diff = (v ^ t.value) & t.mask;
    r = (diff & k) !== 0 ? 0 : (t.mask & ~k) === 0 ? 1 : 2;
    plain = (diff & q) !== 0 ? false : (t.mask & ~q) === 0 ? true : undefined;
  }
  if (t.invert) {
    if (plain !== undefined) plain = !plain;
    if (r !== 2) r = r === 1 ? 0 : 1;
  }
  return { r, plain };
}

/** A state as a short key (for caches). */
export function markKey(s: MarkState): string {
  return `${s.pk},${s.pp},${s.pv},${s.ck},${s.cp},${s.cv},${s.cf}`;
}
