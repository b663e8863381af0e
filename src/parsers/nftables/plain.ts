/**
 * Whether an nftables test of header fields the sender chooses holds for every plain packet (the model's
 * PLAIN_PACKET, OpaqueMatch.plain), as written (its `!=` included): `ip ttl`, `ip6 hoplimit`, `ip length`,
 * `meta length`, `ip dscp`, `ip6 dscp`, `ip version`, `ip6 version`, `ip hdrlength`, `tcp option maxseg size` (a SYN with MSS 1460), and the IPv6 extension-header and IPv4 option tests (`exthdr rt exists`,
 * `rt type 0`, `frag more-fragments 1`, `ip option rr exists`), which a packet without such a header fails —
 * reading a field of a missing header ends the rule (NFT_BREAK) whatever the comparison — and `… missing` passes.
 * Also the reverse-path check `fib saddr [. mark] [. iif] oif missing` (firewalld's IPv6 rpfilter, the nft wiki's
 * "reverse path filtering"): a plain packet comes from its sender's own address, which this host routes back
 * (through the interface it arrived on), so it has an output interface — `oif missing` fails, `oif exists` holds.
 * A spoofed or asymmetrically routed source is dropped: a drop of those closes nothing of what the sources may reach.
 * Undefined when the answer depends on the plain packet or the value is not one read here: the test stays undecided.
 */
import { PLAIN_PACKET } from '../../model/index.js';
import type { IrExpr, IrVal } from './ir.js';

/** nft's DSCP names (nft describe ip dscp) and their values. */
const DSCP: Readonly<Record<string, number>> = {
  cs0: 0, cs1: 8, cs2: 16, cs3: 24, cs4: 32, cs5: 40, cs6: 48, cs7: 56, df: 0, be: 0, lephb: 1, af11: 10, af12: 12, af13: 14, af21: 18, af22: 20,
  af23: 22, af31: 26, af32: 28, af33: 30, af41: 34, af42: 36, af43: 38, va: 44, ef: 46,
};

/**
 * The plain packets' values of a field, as an interval [lo, hi] (one value for all but the length). `forwarded`: as the
 * forward path sees them, one hop counted: only the TTL and the hop limit (undefined for every other field).
 */
function plainRange(left: IrExpr, forwarded: boolean): [number, number, 'dscp' | 'num'] | undefined {
  if (forwarded) {
    if (left.k === 'payload' && left.proto === 'ip' && left.field === 'ttl') return [PLAIN_PACKET.ttl - 1, PLAIN_PACKET.ttl - 1, 'num'];
    if (left.k === 'payload' && left.proto === 'ip6' && left.field === 'hoplimit') return [PLAIN_PACKET.hopLimit - 1, PLAIN_PACKET.hopLimit - 1, 'num'];
    return undefined;
  }
  // (the plain TCP packet is a SYN with the MSS option: `tcp option maxseg size 1-500 drop`, the SACK-panic hardening)
  if (left.k === 'other') return left.module === 'tcp option' && (left.option === 'maxseg size' || left.option === '2 size') ? [PLAIN_PACKET.mss, PLAIN_PACKET.mss, 'num'] : undefined;
  if (left.k === 'meta') return left.key === 'length' ? [PLAIN_PACKET.minLength, PLAIN_PACKET.maxLength, 'num'] : undefined;
  if (left.k !== 'payload') return undefined;
  if (left.proto === 'ip' && left.field === 'ttl') return [PLAIN_PACKET.ttl, PLAIN_PACKET.ttl, 'num'];
  // (the header's version is the family's, which ip_rcv and ipv6_rcv check; a plain IPv4 header has no options: 5 words)
  if (left.proto === 'ip' && left.field === 'version') return [4, 4, 'num'];
  if (left.proto === 'ip6' && left.field === 'version') return [6, 6, 'num'];
  if (left.proto === 'ip' && left.field === 'hdrlength') return [5, 5, 'num'];
  if (left.proto === 'ip6' && left.field === 'hoplimit') return [PLAIN_PACKET.hopLimit, PLAIN_PACKET.hopLimit, 'num'];
  if (left.proto === 'ip' && left.field === 'length') return [PLAIN_PACKET.minLength, PLAIN_PACKET.maxLength, 'num'];
  if ((left.proto === 'ip' || left.proto === 'ip6') && left.field === 'dscp') return [PLAIN_PACKET.dscp, PLAIN_PACKET.dscp, 'dscp'];
  return undefined;
}

function value(v: IrVal, kind: 'dscp' | 'num'): number | undefined {
  if (v.k !== 'atom') return undefined;
  if (typeof v.v === 'number') return Number.isInteger(v.v) && v.v >= 0 ? v.v : undefined;
  if (typeof v.v !== 'string') return undefined;
  if (kind === 'dscp' && DSCP[v.v.toLowerCase()] !== undefined) return DSCP[v.v.toLowerCase()];
  return /^(?:0x[0-9a-f]+|[0-9]+)$/i.test(v.v) ? Number(v.v) : undefined;
}

/** The intervals a value stands for (a number, a range, a set of them), or undefined. */
function intervals(v: IrVal, kind: 'dscp' | 'num'): [number, number][] | undefined {
  if (v.k === 'range') {
    const lo = value(v.lo, kind);
    const hi = value(v.hi, kind);
    return lo === undefined || hi === undefined ? undefined : [[lo, hi]];
  }
  if (v.k === 'set' || v.k === 'list') {
    const out: [number, number][] = [];
    const items = v.k === 'set' ? v.elems.map((e) => (e.data === undefined && e.verdict === undefined ? e.key : undefined)) : v.items;
    for (const it of items) {
      const r = it === undefined ? undefined : intervals(it, kind);
      if (!r) return undefined;
      out.push(...r);
    }
    return out;
  }
  // (the text front end keeps `1000-65535` as one atom: its meaning depends on the field)
  if (v.k === 'atom' && typeof v.v === 'string' && v.v.includes('-')) {
    const [a, b, extra] = v.v.split('-');
    const lo = value({ k: 'atom', v: a ?? '' }, kind);
    const hi = value({ k: 'atom', v: b ?? '' }, kind);
    return extra !== undefined || lo === undefined || hi === undefined ? undefined : [[lo, hi]];
  }
  const n = value(v, kind);
  return n === undefined ? undefined : [[n, n]];
}

/** Whether `left op right` holds for every plain packet (true), none (false), or depends on which (undefined). */
export function plainHolds(left: IrExpr, op: string, right: IrVal, forwarded = false): boolean | undefined {
  if (forwarded) {
    const at = plainRange(left, true);
    return at && holdsIn(at, op, right);
  }
  if (left.k === 'fib') {
    // (nft -j writes `missing` / `exists` as false / true)
    if (left.result !== 'oif' || !left.flags.includes('saddr') || left.flags.includes('daddr') || right.k !== 'atom') return undefined;
    const exists = right.v === true || right.v === 'exists' ? true : right.v === false || right.v === 'missing' ? false : undefined;
    if (exists === undefined || (op !== '==' && op !== 'in' && op !== '!=')) return undefined;
    return op === '!=' ? !exists : exists;
  }
  if (left.k === 'other' && (left.module === 'exthdr' || left.module === 'ip option')) {
    // `exthdr rt exists` (nft -j: true) / `missing` (false); any other right side reads a field of the header
    if (right.k === 'atom' && (right.v === true || right.v === 'exists' || right.v === false || right.v === 'missing')) {
      const exists = right.v === true || right.v === 'exists';
      if (op === '==' || op === 'in') return !exists;
      if (op === '!=') return exists;
      return undefined;
    }
    return false;
  }
  const at = plainRange(left, false);
  return at && holdsIn(at, op, right);
}

/** Whether `op right` holds for every value of [lo, hi] (true), for none (false), or for some (undefined). */
function holdsIn([lo, hi, kind]: [number, number, 'dscp' | 'num'], op: string, right: IrVal): boolean | undefined {
  let all: boolean;
  let none: boolean;
  if (op === '==' || op === 'in' || op === '!=') {
    const ivs = intervals(right, kind);
    if (!ivs) return undefined;
    // the plain values inside the written ones: all of them, none, or some
    let inside = 0;
    for (const [a, b] of ivs) inside += Math.max(0, Math.min(b, hi) - Math.max(a, lo) + 1);
    all = inside >= hi - lo + 1 && ivs.some(([a, b]) => a <= lo && hi <= b);
    none = inside === 0;
    if (op === '!=') [all, none] = [none, all];
  } else {
    const n = value(right, kind);
    if (n === undefined) return undefined;
    const test = (x: number): boolean => (op === '<' ? x < n : op === '>' ? x > n : op === '<=' ? x <= n : op === '>=' ? x >= n : false);
    if (op !== '<' && op !== '>' && op !== '<=' && op !== '>=') return undefined;
    // monotone in x: the ends decide
    all = test(lo) && test(hi);
    none = !test(lo) && !test(hi);
  }
  return all ? true : none ? false : undefined;
}
