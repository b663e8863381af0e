/**
 * TCP flags tests (iptables `--tcp-flags`/`--syn`, nft `tcp flags`) as the set of flags bytes they accept,
 * shared by the parsers, and what the engine and the tracer decide them for.
 */
import { IntervalSet } from './intervals.js';
import type { NumSet } from './ports.js';

/** The flags byte of the first packet of a TCP connection: SYN alone (what exposure is about). */
export const FIRST_TCP_FLAGS = 0x02;

/** Flag names, lower-case: iptables (FIN … URG, ALL, NONE) and nft (fin … urg, ecn, cwr). */
const FLAG_BITS: ReadonlyMap<string, number> = new Map([
  ['fin', 0x01],
  ['syn', 0x02],
  ['rst', 0x04],
  ['psh', 0x08],
  ['ack', 0x10],
  ['urg', 0x20],
  ['ecn', 0x40],
  ['ece', 0x40],
  ['cwr', 0x80],
]);

/** iptables' ALL: the six classic flags (ECE and CWR are not among its names). */
const IPTABLES_ALL = 0x3f;

/** The bits of one flag name (any case; ALL and NONE as iptables reads them), or undefined. */
export function tcpFlagBits(name: string): number | undefined {
  const n = name.toLowerCase();
  if (n === 'all') return IPTABLES_ALL;
  if (n === 'none') return 0;
  return FLAG_BITS.get(n);
}

/** A comma-separated list of flag names (iptables `SYN,ACK`), OR-ed; undefined when a name is unknown. */
export function tcpFlagList(text: string): number | undefined {
  let bits = 0;
  for (const part of text.split(',')) {
    const b = tcpFlagBits(part.trim());
    if (b === undefined) return undefined;
    bits |= b;
  }
  return bits;
}

/** The flags bytes (0–255) for which `test` holds. */
export function tcpFlagsWhere(test: (flags: number) => boolean): NumSet {
  const ranges: [number, number][] = [];
  let start = -1;
  for (let f = 0; f <= 256; f++) {
    const yes = f < 256 && test(f);
    if (yes && start < 0) start = f;
    else if (!yes && start >= 0) {
      ranges.push([start, f]);
      start = -1;
    }
  }
  return IntervalSet.fromRanges(ranges);
}

/** iptables `--tcp-flags MASK COMP`: (flags & MASK) == COMP. */
export function tcpFlagsMasked(mask: number, comp: number): NumSet {
  return tcpFlagsWhere((f) => (f & mask) === comp);
}

/** iptables `--syn`: `--tcp-flags SYN,RST,ACK,FIN SYN`. */
export const SYN_ONLY: NumSet = tcpFlagsMasked(0x17, 0x02);
