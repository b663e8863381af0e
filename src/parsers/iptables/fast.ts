/**
 * The restore fast path: one pass over an `-A CHAIN ...` line of an iptables-save
 * file, straight from the text to the pending rule, for the shapes iptables-save
 * writes for nearly every rule (addresses, interfaces, protocols, tcp/udp ports,
 * multiport, conntrack/state, comments and the common targets).
 *
 * No token objects, no token strings except the values a rule keeps, no ParsedRule.
 * It gives up (returns false, having changed nothing but the per-parse caches)
 * on anything else: another option, a comma list, a quote it does not expect,
 * anything the general reader would diagnose. The line is then read by the
 * general path (tokenizeRestoreLine → runCommand → parseRuleSpec), so the model
 * is the same either way; test/parsers/iptables/fast.test.ts checks that both
 * paths give the same document.
 */
import { PLAIN_MODULES, plainValue } from './plain.js';
import { markOpOf, markTestOf } from './marks.js';
import { DOCUMENT_START, IntervalSet, PORT_UNIVERSE, SYN_ONLY, numSingle, type Action, type AddrSet, type Match, type NumSet, type OpaqueMatch, type Span } from '../../model/index.js';
import {
  ACCEPT,
  CACHE_LIMIT,
  CHAIN_SLOTS,
  DROP,
  LIST_SLOTS,
  RANGE_SLOTS,
  PROTO_SETS,
  REJECT,
  RETURN,
  hostAddr,
  cachedProtocolNumber,
  ctStates,
  isFlagOption,
  isKnownModule,
  isKnownModuleOption,
  matchRefusal,
  recentAlwaysMatches,
  targetRefusal,
  IPV6_ONLY_MODULES,
  noteFamily,
  opaqueReason,
  parseIcmpType,
  resolveBuiltinTarget,
  singlePortSet,
  v4CidrKey,
  v4CidrSet,
  type ChainRef,
  type RuleContext,
  tcpFlagsOf,
  COMMENT_MAX,
  utf8Length,
} from './rule.js';
import { CONTINUE_TARGETS, HEADER_TARGETS, NAT_TARGETS, NOT_INVERTIBLE_OPTIONS, PREFIX_TARGETS, rejectTypeKnown } from './names.js';
import { PACK_MAX, PK_CTSTATE, PK_DST_ADDR, PK_DST_PORT, PK_ICMP4, PK_ICMP6, PK_IN_IFACE, PK_MATCH, PK_OUT_IFACE, PK_PROTOCOL, PK_SRC_ADDR, PK_SRC_PORT, placeOf, unpackMatch } from '../placed.js';
import type { ChainState, NetfilterState, TableState } from './state.js';
import type { Tok } from './tokens.js';

// Option codes (what the token after a blank says).
const O_S = 1;
const O_D = 2;
const O_I = 3;
const O_O = 4;
const O_P = 5;
const O_M = 6;
const O_J = 7;
const O_DPORT = 8;
const O_SPORT = 9;
const O_DPORTS = 10;
const O_SPORTS = 11;
const O_CTSTATE = 12;
const O_STATE = 13;
const O_COMMENT = 14;
const O_REJECT_WITH = 15;
const O_LOG_PREFIX = 16;
const O_G = 17;
const O_SYN = 18;
const O_TCP_FLAGS = 19;
/** Every TCP flags byte (a test of no flag). */
const ALL_FLAG_VALUES = IntervalSet.range(0, 256);
const O_ICMP_TYPE = 20;
const O_ICMP6_TYPE = 21;

// Loaded matches (-m x), as bits.
const M_TCP = 1;
const M_UDP = 32;
const M_MULTIPORT = 2;
const M_CONNTRACK = 4;
const M_STATE = 8;
const M_COMMENT = 16;
const M_ICMP = 64;
const M_ICMP6 = 128;
/** A multiport list read since the last -m multiport: a second one (refused by iptables) is the general reader's. */
const M_MULTIPORT_LIST = 256;
/** An ICMP / ICMPv6 type read: `-m icmp` / `-m icmp6` without one is refused by iptables (the general reader says so). */
const M_ICMP_TYPE = 512;
/**
 * An option of the newest -m conntrack / -m state / -m comment read: iptables refuses each without one ("conntrack:
 * At least one option is required"; rule.ts KNOWN_MODULE_NEEDS, where the general reader says so).
 */
const M_CONNTRACK_OPT = 1024;
const M_STATE_OPT = 2048;
const M_COMMENT_OPT = 4096;
/** The bit of the option read for each match that needs one (multiport's is its list). */
function needOf(bit: number): number {
  return bit === M_CONNTRACK ? M_CONNTRACK_OPT : bit === M_STATE ? M_STATE_OPT : bit === M_COMMENT ? M_COMMENT_OPT : bit === M_MULTIPORT ? M_MULTIPORT_LIST : 0;
}
/** A loaded match that needs an option has none. */
function optionless(modules: number): boolean {
  for (const bit of [M_CONNTRACK, M_STATE, M_COMMENT, M_MULTIPORT]) if ((modules & bit) !== 0 && (modules & needOf(bit)) === 0) return true;
  return false;
}

/** Which option `text[a..b)` is (0: not one the fast path reads). */
function optionCode(text: string, a: number, b: number): number {
  const n = b - a;
  if (n === 2) {
    switch (text.charCodeAt(a + 1)) {
      case 115 /* s */:
        return O_S;
      case 100 /* d */:
        return O_D;
      case 105 /* i */:
        return O_I;
      case 111 /* o */:
        return O_O;
      case 112 /* p */:
        return O_P;
      case 109 /* m */:
        return O_M;
      case 106 /* j */:
        return O_J;
      case 103 /* g */:
        return O_G;
    }
    return 0;
  }
  if (text.charCodeAt(a + 1) !== 45 /* - */) return 0;
  switch (n) {
    case 7:
      if (text.startsWith('--dport', a)) return O_DPORT;
      if (text.startsWith('--sport', a)) return O_SPORT;
      if (text.startsWith('--state', a)) return O_STATE;
      return 0;
    case 8:
      if (text.startsWith('--dports', a)) return O_DPORTS;
      if (text.startsWith('--sports', a)) return O_SPORTS;
      return 0;
    case 9:
      if (text.startsWith('--ctstate', a)) return O_CTSTATE;
      if (text.startsWith('--comment', a)) return O_COMMENT;
      return 0;
    case 5:
      return text.startsWith('--syn', a) ? O_SYN : 0;
    case 11:
      if (text.startsWith('--tcp-flags', a)) return O_TCP_FLAGS;
      if (text.startsWith('--icmp-type', a)) return O_ICMP_TYPE;
      return 0;
    case 12:
      if (text.startsWith('--log-prefix', a)) return O_LOG_PREFIX;
      return 0;
    case 13:
      if (text.startsWith('--reject-with', a)) return O_REJECT_WITH;
      if (text.startsWith('--icmpv6-type', a)) return O_ICMP6_TYPE;
      return 0;
  }
  return 0;
}

/** Module bit of `-m text[a..b)` (0: a match the fast path leaves to the general reader). */
function moduleBit(text: string, a: number, b: number): number {
  switch (b - a) {
    case 3:
      if (text.startsWith('tcp', a)) return M_TCP;
      if (text.startsWith('udp', a)) return M_UDP;
      return 0;
    case 4:
      return text.startsWith('icmp', a) ? M_ICMP : 0;
    case 5:
      if (text.startsWith('state', a)) return M_STATE;
      if (text.startsWith('icmp6', a)) return M_ICMP6;
      return 0;
    case 6:
      return text.startsWith('icmpv6', a) ? M_ICMP6 : 0;
    case 7:
      return text.startsWith('comment', a) ? M_COMMENT : 0;
    case 9:
      if (text.startsWith('multiport', a)) return M_MULTIPORT;
      if (text.startsWith('conntrack', a)) return M_CONNTRACK;
      if (text.startsWith('ipv6-icmp', a)) return M_ICMP6;
      return 0;
  }
  return 0;
}

/** After `[digits:digits]` at text[a] when a space follows, else -1. */
function countersEnd(text: string, a: number, end: number): number {
  let k = a + 1;
  const p = k;
  while (k < end && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57) k++;
  if (k === p || text.charCodeAt(k) !== 58 /* : */) return -1;
  const b = ++k;
  while (k < end && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57) k++;
  if (k === b || text.charCodeAt(k) !== 93 /* ] */ || k + 1 >= end || text.charCodeAt(k + 1) !== 32) return -1;
  return k + 1;
}

/**
 * Reads the option text[os..oe) of an opaque match and its arguments (none for a flag such
 * as --rcheck, else every following word up to the next option or "!", as the general
 * reader does); returns the end of the last one, or -1 for what the general reader must
 * decide (an option of a known match, --opt=value, a target's --to... option, quotes,
 * values starting with "-").
 */
function unknownModuleOption(text: string, os: number, oe: number, ruleEnd: number): number {
  if (text.charCodeAt(os + 1) !== 45) return -1;
  const opt = text.slice(os, oe);
  if (opt.indexOf('=') >= 0 || isKnownModuleOption(opt) || opt.startsWith('--to') || opt === '--comment' || opt === '--log-prefix' || opt === '--reject-with') return -1;
  if (isFlagOption(opt)) return oe;
  let end = oe;
  for (let i = oe; ; ) {
    i = skipSpaces(text, i, ruleEnd);
    if (i >= ruleEnd) return end;
    const c0 = text.charCodeAt(i);
    if (c0 === 45 /* - */) return end; // the next option (an argument "-1" is left to the general reader by the caller)
    const e = plainArgEnd(text, i, ruleEnd);
    if (e < 0) return c0 === 33 && text.charCodeAt(i + 1) === 32 ? end : -1; // "!" ends the arguments
    end = i = e;
  }
}

function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && text.charCodeAt(i) === 32) i++;
  return i;
}

/**
 * The end of the unquoted argument at text[a], or -1 when the general reader must
 * decide: a quote in it, another blank than a space after it, a value such as "-x"
 * or "!" (old-style negation, a missing argument).
 */
function plainArgEnd(text: string, a: number, end: number): number {
  let i = a;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 34) break;
  }
  if (i < end && text.charCodeAt(i) !== 32) return -1;
  const c0 = text.charCodeAt(a);
  if (c0 === 45 || (c0 === 33 && i - a === 1)) return -1;
  return i;
}

/** Decimal digits text[a..b) (1 to 5 of them, at most 65535), else -1. */
function decimalAt(text: string, a: number, b: number): number {
  const n = b - a;
  // (a leading 0 is octal to iptables' tcp and multiport ports, decimal to udp's: the general reader knows which)
  if (n < 1 || n > 5 || (n > 1 && text.charCodeAt(a) === 48)) return -1;
  let v = 0;
  for (let k = a; k < b; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v <= 65535 ? v : -1;
}

/** `--dport` value: `p`, `lo:hi`, `:hi`, `lo:`, `:` in decimal with lo <= hi; undefined for anything else. */
function portValue(text: string, a: number, b: number, ctx: RuleContext): NumSet | undefined {
  let colon = -1;
  for (let k = a; k < b; k++) {
    if (text.charCodeAt(k) === 58 /* : */) {
      colon = k;
      break;
    }
  }
  if (colon < 0) {
    const p = decimalAt(text, a, b);
    if (p < 0) return undefined;
    return singlePortSet(p, ctx.cache);
  }
  const lo = colon === a ? 0 : decimalAt(text, a, colon);
  const hi = colon === b - 1 ? 65535 : decimalAt(text, colon + 1, b);
  if (lo < 0 || hi < 0 || lo > hi) return undefined;
  // a range read before: its set, from a direct-mapped table (a slot per hash of the bounds, the newest
  // range there kept), no Map: dumps have as many unique ranges as rules, and a miss cost a Map lookup
  const key = (lo << 16) | hi;
  const slot = Math.imul(key, 0x9e3779b1) >>> RANGE_SHIFT;
  const sets = ctx.cache.rangeSets;
  const known = sets[slot];
  if (known !== undefined && ctx.cache.rangeKeys[slot] === key) return known;
  const set = IntervalSet.range(lo, hi + 1);
  sets[slot] = set;
  ctx.cache.rangeKeys[slot] = key;
  return set;
}

/** Half-open [lo, hi) of the items of the multiport list being read (at most 15). */
const LIST_LO = new Int32Array(16);
const LIST_HI = new Int32Array(16);
/** Merged bounds of that list; the set keeps an exact-size copy. */
const LIST_BOUNDS: number[] = [];

/**
 * A multiport list the general reader takes without a word (1 to 15 items, each a
 * decimal port or an ordered decimal range; service names, reversed ranges and empty
 * items give diagnostics there) → the same set parsePortSpec makes, built straight
 * from the items (no split, no pairs, no sort callback). Undefined for any other list.
 */
function portListSet(text: string, a: number, b: number, ctx: RuleContext): NumSet | undefined {
  // a list read before (the same few lists repeat on thousands of lines): its set, found by a
  // hash of the characters and compared with the place it was read at, without parsing the items
  // again or slicing a key string (big dumps also have as many unique lists as rules)
  let h = b - a;
  for (let k = a; k < b; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
  const slot = h >>> LIST_SHIFT;
  const places = ctx.cache.listPlaces;
  const seenStart = places[2 * slot]!;
  if (places[2 * slot + 1]! - seenStart === b - a && sameText(text, seenStart, a, b)) return ctx.cache.listSets[slot];
  let items = 0;
  /** Ports the kernel's list holds: a range takes two (more than 15: the general reader's error). */
  let slots = 0;
  let itemStart = a;
  for (let k = a; k <= b; k++) {
    if (k < b && text.charCodeAt(k) !== 44 /* , */) continue;
    if (k === itemStart || items === 15) return undefined;
    let colon = -1;
    for (let q = itemStart; q < k; q++) if (text.charCodeAt(q) === 58) colon = colon < 0 ? q : -2;
    if (colon === -2) return undefined;
    let lo: number;
    let hi: number;
    if (colon < 0) lo = hi = decimalAt(text, itemStart, k);
    else {
      // multiport refuses an open end and a range whose low end is not below its high end: the general reader says so
      if (colon === itemStart || colon === k - 1) return undefined;
      lo = decimalAt(text, itemStart, colon);
      hi = decimalAt(text, colon + 1, k);
      if (lo >= hi) return undefined;
    }
    if (lo < 0 || hi < 0 || lo > hi || (slots += colon < 0 ? 1 : 2) > 15) return undefined;
    LIST_LO[items] = lo;
    LIST_HI[items] = hi + 1;
    items++;
    itemStart = k + 1;
  }
  // one decimal port: the shared single-port set, as parsePortSpec gives
  if (items === 1 && LIST_HI[0] === LIST_LO[0]! + 1 && decimalAt(text, a, b) >= 0) return singlePortSet(LIST_LO[0]!, ctx.cache);
  // insertion sort by lo (15 items at most), then merge overlapping and adjacent ranges
  for (let k = 1; k < items; k++) {
    const lo = LIST_LO[k]!;
    const hi = LIST_HI[k]!;
    let q = k - 1;
    while (q >= 0 && LIST_LO[q]! > lo) {
      LIST_LO[q + 1] = LIST_LO[q]!;
      LIST_HI[q + 1] = LIST_HI[q]!;
      q--;
    }
    LIST_LO[q + 1] = lo;
    LIST_HI[q + 1] = hi;
  }
  const out = LIST_BOUNDS;
  let n = 0;
  for (let k = 0; k < items; k++) {
    const lo = LIST_LO[k]!;
    const hi = LIST_HI[k]!;
    if (n > 0 && lo <= out[n - 1]!) {
      if (hi > out[n - 1]!) out[n - 1] = hi;
    } else {
      out[n++] = lo;
      out[n++] = hi;
    }
  }
  const set: NumSet = IntervalSet.fromBounds(out.slice(0, n));
  places[2 * slot] = a;
  places[2 * slot + 1] = b;
  ctx.cache.listSets[slot] = set;
  return set;
}

/** 32 - log2(RANGE_SLOTS): the top bits of a range's hash are its slot. */
const RANGE_SHIFT = 32 - Math.log2(RANGE_SLOTS);

/** 32 - log2(LIST_SLOTS): the top bits of a list's hash are its slot. */
const LIST_SHIFT = 32 - Math.log2(LIST_SLOTS);

/** Whether text[c..c + b - a) is text[a..b). */
function sameText(text: string, c: number, a: number, b: number): boolean {
  for (let k = a; k < b; k++, c++) if (text.charCodeAt(c) !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * LOG, MARK, ... (non-terminal targets) and REJECT --reject-with x: one frozen action per
 * target or value, shared by the rules (actions are never mutated), as resolveBuiltinTarget
 * would make them.
 */
function continueAction(name: string, ctx: RuleContext): Action {
  const cache = ctx.cache.continueActions;
  let a = cache.get(name);
  if (a === undefined) {
    // NOTRACK is an alias of "CT --notrack" (iptables-nft saves it that way); a bare CT does nothing here
    // (MARK and CONNMARK without options, as the general reader reads them: a change not read, see markOpOf)
    const mark = markOpOf(name, []);
    a = Object.freeze<Action>(
      name === 'NOTRACK' ? { kind: 'continue', target: 'CT', untrack: true } : mark ? { kind: 'continue', target: name, marks: [mark] } : HEADER_TARGETS.has(name) ? { kind: 'continue', target: name, mangles: true } : { kind: 'continue', target: name },
    );
    if (cache.size < CACHE_LIMIT) cache.set(name, a);
  }
  return a;
}

type RejectAction = Extract<Action, { kind: 'reject' }> & { with: string };

function rejectAction(text: string, a: number, b: number, ctx: RuleContext): Action {
  // the document's last one (dumps repeat one value): compared, not sliced
  const last = ctx.cache.lastReject;
  if (last !== undefined && b - a === last.with.length && text.startsWith(last.with, a)) return last;
  const w = text.slice(a, b);
  const cache = ctx.cache.rejectActions;
  let act = cache.get(w);
  if (act === undefined) {
    act = Object.freeze({ kind: 'reject', with: w });
    if (cache.size < CACHE_LIMIT) cache.set(w, act);
  }
  ctx.cache.lastReject = act as RejectAction;
  return act;
}

/**
 * The chain named text[a..b), without a name string: a table of the chains found, by a hash of the name's
 * characters (a big dump's rules go to a few hundred chains in any order; slicing each name and hashing the new
 * string cost more than reading the rest of its rule). The table holds chains of `table` found while the state's
 * chain maps did not change (chainEpoch): a chain found there is that table's chain of that name without asking
 * its map; after a change (-N, -X, -E, a new *table section) or on another table it is emptied. On a collision
 * the map is asked.
 */
function chainAt(text: string, a: number, b: number, table: TableState, state: NetfilterState, ctx: RuleContext): ChainState | undefined {
  const cache = ctx.cache;
  const slots = cache.chains;
  if (cache.chainsTable !== table || cache.chainsEpoch !== state.chainEpoch) {
    slots.fill(undefined);
    cache.chainsTable = table;
    cache.chainsEpoch = state.chainEpoch;
  }
  let h = b - a;
  for (let k = a; k < b; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193);
  const slot = h >>> CHAIN_SHIFT;
  const known = slots[slot];
  if (known !== undefined && b - a === known.name.length && text.startsWith(known.name, a)) return known;
  const c = table.chains.get(text.slice(a, b));
  if (c) slots[slot] = c;
  return c;
}

/** 32 - log2(CHAIN_SLOTS): the top bits of a name's hash are its slot. */
const CHAIN_SHIFT = 32 - Math.log2(CHAIN_SLOTS);

/** The verdict targets as constant strings (compared, not sliced). */
function targetNameAt(text: string, a: number, b: number): string {
  switch (b - a) {
    case 6:
      if (text.startsWith('ACCEPT', a)) return 'ACCEPT';
      if (text.startsWith('REJECT', a)) return 'REJECT';
      if (text.startsWith('RETURN', a)) return 'RETURN';
      break;
    case 4:
      if (text.startsWith('DROP', a)) return 'DROP';
      break;
    case 3:
      if (text.startsWith('LOG', a)) return 'LOG';
      break;
  }
  return text.slice(a, b);
}

/**
 * The set of the plain IPv4 network text[a..b) with its v4CidrKey `key` (>= 0), shared by the rules
 * that name it (while the cache has room).
 */
function v4NetAt(key: number, ctx: RuleContext): AddrSet {
  const cache = ctx.cache.v4;
  let set = cache.get(key);
  if (set === undefined) {
    set = v4CidrSet(key);
    cache.set(key, set);
  }
  return set;
}

/**
 * What the line being read keeps of each match (see PackedRule in ../placed.ts): its value (a set, a name list, or
 * the match itself for PK_MATCH), its place next to the rule's span and its code. Reused lists filled through a
 * count, never emptied with `length = 0`: that drops the backing store, and the next line's first push allocates
 * 17 slots again.
 */
const VALUES: unknown[] = [];
const PLACES: number[] = [];
const CODES: number[] = [];
/** What a used slot of VALUES holds once its rule is made (keeps no rule alive, keeps the array packed). */
const FREE: Match = Object.freeze({ kind: 'fragment' });
/** Matches of the current line in VALUES. */
let scratchN = 0;
/** The most matches a line of the current run put in VALUES (the slots release clears). */
let scratchHigh = 0;

/**
 * Notes a match of the line: `code` (PK_*, | 1 when negated) for `value` at `at` next to `base`. A match whose place
 * does not fit in a number (at = -1: base is its own span) is built now and kept as PK_MATCH.
 */
function put(code: number, value: unknown, base: Span, at: number): void {
  const n = scratchN++;
  if (n >= scratchHigh) scratchHigh = n + 1;
  if (at < 0 && code !== PK_MATCH) {
    VALUES[n] = unpackMatch(code, value, base, at);
    CODES[n] = PK_MATCH;
  } else {
    VALUES[n] = value;
    CODES[n] = code;
  }
  PLACES[n] = at;
}
// The state of the line being read, shared by readRule and readOption; reset for each line, and
// the references cleared after it (see fastAppend).
let modules = 0;
let protoNum = -1;
/** The -p protocol, negated or not (iptables-nft's tcp and udp matches accept `! -p tcp -m tcp`). */
let protoAny = -1;
/** -i (1) and -o (2) seen on the line. */
let ifaceDirs = 0;
/** -p (1), -s (2), -d (4) seen on the line: a second one is the general reader's (iptables refuses it). */
let coreSeen = 0;
/** Match options given so far that one match takes once (1 --dport, 2 --sport, 4 --syn/--tcp-flags, 8 --icmp-type, 16 --comment): a second is the general reader's (refused, or a match of its own). */
let onceSeen = 0;
let targetName: string | undefined;
let targetStart = -1;
let targetEnd = -1;
let refEnd = -1;
let goto = false;
/** The newest -m of a match the fast path does not evaluate: one opaque match collects its options. */
let unknownModule: OpaqueMatch | undefined;
let unknownStart = -1;
let unknownEnd = -1;
/** The first --reject-with value (the one REJECT reads). */
let rejectStart = -1;
let rejectEnd = -1;
let comment: string | undefined;
/** The first destination port match's place next to the rule's span, or its own span (see DocRule in ../placed.ts). */
let report: Span | number | undefined;
/** Target options the fast path reads are only --reject-with and --log-prefix: the general resolver needs none of them. */
const NO_TARGET_ARGS: { opt: Tok; args: Tok[] }[] = [];


/**
 * Reads the `-A` line text[lineStart..end) (end excludes the line break) into
 * `table`. Returns false, with no change to the state (only the per-document caches may
 * have grown), when the general reader must read it. `ctx.span` makes the spans of this line.
 */
export function fastAppend(text: string, lineStart: number, end: number, table: TableState, state: NetfilterState, ctx: RuleContext): boolean {
  try {
    return readRule(text, lineStart, end, table, state, ctx);
  } finally {
    release();
  }
}

/** The line parseSave is reading: its number and start (ctx.span reads them), and where fastRun left it. */
export interface LineCursor {
  /** 1-based line number. */
  line: number;
  /** Offset of the line's first character. */
  start: number;
  /** After fastRun: the end of the last line it read (before any CR) and the offset of its line break (or the end). */
  end: number;
  nl: number;
}

/**
 * fastAppend of the line at `at` (ending at `end`, its line break at `nl`, the text read up to `len`), then of
 * the lines after it, for as long as each is a `-A` or `[counters]` line the fast path takes. False when it does
 * not take the first line (nothing changed, as fastAppend; an exception in it is the caller's). Otherwise `at` is
 * left on the last line taken, `at.end` and `at.nl` its ends: the caller reads on from the next line (the line
 * that stopped the run is tried again there, then read by the general reader). A later line that throws gets
 * the diagnostic parseSave gives one and counts as read.
 *
 * Why a loop here and not one call per line from parseSave: parseSave is a large function (every kind of line);
 * its loop, hot on a big dump, had it compiled on the stack (OSR) two or three times per parse, and its
 * optimised code thrown away when a callee's assumptions changed. This loop is small: it is compiled quickly
 * and parseSave's loop stays cold (a few hundred chain and table lines).
 */
export function fastRun(text: string, at: LineCursor, end: number, nl: number, len: number, table: TableState, state: NetfilterState, ctx: RuleContext): boolean {
  if (!fastAppend(text, at.start, end, table, state, ctx)) return false;
  try {
    while (nl < len) {
      const start = nl + 1;
      let next = text.indexOf('\n', start);
      if (next < 0 || next > len) next = len;
      let e = next;
      if (e > start && text.charCodeAt(e - 1) === 13 /* CR */) e--;
      const c = start < e ? text.charCodeAt(start) : -1;
      if (c !== 45 /* - */ && c !== 91 /* [ */) break;
      const prevStart = at.start;
      at.line++;
      at.start = start;
      let taken: boolean;
      try {
        taken = readRule(text, start, e, table, state, ctx);
      } catch (err) {
        ctx.diag('error', 'iptables/internal', `Internal error while reading this line: ${String(err)}`, start, e);
        taken = true;
      }
      if (!taken) {
        at.line--;
        at.start = prevStart;
        break;
      }
      end = e;
      nl = next;
    }
  } finally {
    release();
  }
  at.end = end;
  at.nl = nl;
  return true;
}

/**
 * Keeps nothing of this document in the scratch list and the line's state, taken or not (an opaque match's text
 * is a slice of it); also after an exception (the caller turns it into a diagnostic and goes on).
 */
function release(): void {
  for (let k = 0; k < scratchHigh; k++) VALUES[k] = FREE;
  scratchN = scratchHigh = 0;
  targetName = comment = undefined;
  unknownModule = undefined;
  report = undefined;
}

function readRule(text: string, lineStart: number, end: number, table: TableState, state: NetfilterState, ctx: RuleContext): boolean {
  let i = lineStart;
  // `[packets:bytes] -A ...` (iptables-save -c): the counters are part of the rule's span and text
  if (text.charCodeAt(i) === 91 /* [ */) {
    i = countersEnd(text, i, end);
    if (i < 0) return false;
    while (i < end && text.charCodeAt(i) === 32) i++;
  }
  if (text.charCodeAt(i) !== 45 || text.charCodeAt(i + 1) !== 65 /* A */ || text.charCodeAt(i + 2) !== 32) return false;
  let ruleEnd = end;
  while (ruleEnd > lineStart && text.charCodeAt(ruleEnd - 1) === 32) ruleEnd--;
  // Blanks other than spaces (tabs, CR, VT, FF) are rare: the general tokenizer reads them.
  i += 3;
  while (i < ruleEnd && text.charCodeAt(i) === 32) i++;
  const chainStart = i;
  for (; i < ruleEnd; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 34 /* " */) break;
  }
  if (i === chainStart || (i < ruleEnd && text.charCodeAt(i) !== 32)) return false;
  const c0 = text.charCodeAt(chainStart);
  if (c0 === 45 /* - */ || c0 === 33 /* ! */) return false;
  const chain = chainAt(text, chainStart, i, table, state, ctx);
  if (!chain) return false;
  // the rule's span; a match keeps its place as a number next to it (see placed.ts)
  const ruleSpan = ctx.span(lineStart, ruleEnd);

  let negated = false;
  let negStart = -1;
  // (a line of a run starts where the one before stopped, taken or not: see fastRun)
  scratchN = 0;
  modules = 0;
  protoNum = -1;
  protoAny = -1;
  ifaceDirs = 0;
  coreSeen = 0;
  onceSeen = 0;
  targetName = undefined;
  targetStart = targetEnd = refEnd = -1;
  goto = false;
  unknownModule = undefined;
  unknownStart = unknownEnd = -1;
  rejectStart = rejectEnd = -1;
  comment = undefined;
  report = undefined;

  for (;;) {
    while (i < ruleEnd && text.charCodeAt(i) === 32) i++;
    if (i >= ruleEnd) break;
    // the option (or "!")
    const os = i;
    for (; i < ruleEnd; i++) {
      const c = text.charCodeAt(i);
      if (c <= 32 || c === 34) break;
    }
    const oe = i;
    if (oe === os || (i < ruleEnd && text.charCodeAt(i) !== 32)) return false;
    if (oe - os === 1 && text.charCodeAt(os) === 33 /* ! */) {
      if (negated) return false;
      negated = true;
      negStart = os;
      continue;
    }
    if (text.charCodeAt(os) !== 45) return false;
    const code = optionCode(text, os, oe);
    if (code === 0) {
      // an option of a match the fast path does not evaluate (-m limit --limit 5/min): part of its opaque match
      // (set by readOption: the cast undoes the narrowing of the reset above)
      const um = unknownModule as OpaqueMatch | undefined;
      // (`! --ttl-lt`: the general reader says iptables cannot invert it)
      if (um === undefined || targetName !== undefined || (negated && NOT_INVERTIBLE_OPTIONS.has(text.slice(os, oe)))) return false;
      i = unknownModuleOption(text, os, oe, ruleEnd);
      if (i < 0) return false;
      // its text and span run from "-m name" to the end of its last option
      const end = Math.max(i, unknownEnd);
      unknownEnd = end;
      um.text = text.slice(unknownStart, end);
      um.span = ctx.span(unknownStart, end);
      negated = false;
      continue;
    }
    // its argument: plain, or (for a comment or log prefix) one double-quoted string without
    // escapes; --syn has none, --tcp-flags two
    let as = oe;
    let ae = oe;
    let quoted = false;
    if (code === O_SYN) {
      // no argument
    } else if ((i = skipSpaces(text, i, ruleEnd)) >= ruleEnd) {
      return false;
    } else if (text.charCodeAt(i) === 34) {
      as = i;
      if (code !== O_COMMENT && code !== O_LOG_PREFIX) return false;
      // (scanned by hand within the line: indexOf would run on through the file when there is no match)
      let close = i + 1;
      while (close < ruleEnd && text.charCodeAt(close) !== 34) {
        if (text.charCodeAt(close) === 92 /* \ */) return false;
        close++;
      }
      if (close >= ruleEnd) return false;
      if (close + 1 < ruleEnd && text.charCodeAt(close + 1) !== 32) return false;
      quoted = true;
      i = close + 1;
      ae = i;
    } else {
      as = i;
      ae = i = plainArgEnd(text, i, ruleEnd);
      if (ae < 0) return false;
    }
    let mEnd = ae;
    if (code === O_TCP_FLAGS) {
      // the mask and the flags set: the match's text runs to the second
      if ((i = skipSpaces(text, i, ruleEnd)) >= ruleEnd) return false;
      mEnd = i = plainArgEnd(text, i, ruleEnd);
      if (mEnd < 0) return false;
    }
    const mStart = negated ? negStart : os;
    const at = placeOf(lineStart, mStart, mEnd);
    // where the match's place does not fit in a number: its own span
    const base = at < 0 ? ctx.span(mStart, mEnd) : ruleSpan;

    if (!readOption(code, text, as, ae, quoted, negated, mStart, mEnd, base, at, ctx)) return false;
    negated = false;
  }
  if (negated) return false;
  // a match whose protocol -p does not give, or tcp-reset without -p tcp: the general reader says the kernel refuses it
  if (modules !== 0 && protocolMismatch()) return false;
  if ((modules & (M_ICMP | M_ICMP6)) !== 0 && (modules & M_ICMP_TYPE) === 0) return false;
  if (modules !== 0 && optionless(modules)) return false;
  if (rejectStart >= 0 && protoNum !== 6 && text.startsWith('tcp-reset', rejectStart) && rejectEnd - rejectStart === 9) return false;
  // -o in INPUT/PREROUTING, -i in OUTPUT/POSTROUTING: the general reader says iptables refuses it
  if (ifaceDirs !== 0 && chain.builtin && (ifaceDirs & ifaceDirsRefused(chain.builtin.hook)) !== 0) return false;
  // a target of another table (DNAT in filter, NOTRACK outside raw): the general reader says iptables refuses it
  if (targetName !== undefined && targetTable(targetName) !== undefined && targetTable(targetName) !== table.name) return false;
  // DROP in nat, REJECT outside filter, MASQUERADE outside POSTROUTING, ...: likewise (rule.ts targetRefusal)
  if (targetName !== undefined && targetRefusal(targetName, table.name, chain.builtin?.hook, protoNum < 0 ? undefined : protoNum) !== undefined) return false;
  // a match without the options iptables needs (-m string without --algo), or on a hook it refuses (matchRefusal)
  const um = unknownModule as OpaqueMatch | undefined;
  // (and -m recent --set, which always matches: the general reader drops it)
  if (um !== undefined && (matchRefusal(um.module, table.name, chain.builtin?.hook, um.text) !== undefined || (um.module === 'recent' && recentAlwaysMatches(um.text)))) return false;
  // (a test of header fields the sender chooses: what it gives for the plain packet, as the general reader says)
  if (um !== undefined && PLAIN_MODULES.has(um.module)) {
    const plain = plainValue(um.module, um.text);
    if (plain !== undefined) um.plain = plain;
    const forwarded = plainValue(um.module, um.text, true);
    if (forwarded !== undefined) um.plainForwarded = forwarded;
  }
  // (a mark test, as the general reader reads it)
  if (um !== undefined && (um.module === 'mark' || um.module === 'connmark')) {
    const mark = markTestOf(um.module, um.text);
    if (mark) um.mark = mark;
  }
  addRule(text, ruleSpan, chain, state, ctx);
  return true;
}

/** The one table a target is valid in (the kernel's xt_target .table: "only valid in nat table"), else undefined. */
export function targetTable(name: string): string | undefined {
  if (NAT_TARGETS[name] !== undefined) return 'nat';
  return name === 'CT' || name === 'NOTRACK' ? 'raw' : undefined;
}

/** The interface options (1: -i, 2: -o) iptables refuses in a built-in chain of this hook ("Can't use -o with INPUT"). */
export function ifaceDirsRefused(hook: string): number {
  return hook === 'input' || hook === 'prerouting' ? 2 : hook === 'output' || hook === 'postrouting' ? 1 : 0;
}

/** A match loaded by -m that the rule's protocol does not allow (see MODULE_PROTOCOLS in rule.ts). */
function protocolMismatch(): boolean {
  if ((modules & M_TCP) !== 0 && protoAny !== 6) return true;
  if ((modules & M_UDP) !== 0 && protoAny !== 17) return true;
  if ((modules & M_ICMP) !== 0 && protoNum !== 1) return true;
  if ((modules & M_ICMP6) !== 0 && protoNum !== 58) return true;
  return (modules & M_MULTIPORT) !== 0 && protoNum !== 6 && protoNum !== 17 && protoNum !== 132 && protoNum !== 33 && protoNum !== 136;
}

/**
 * The rule of the line read (its target, the matches noted by put) appended to `chain`. Apart from
 * readRule: the lists and rules are literals whose pretenuring decisions deoptimise the code
 * that allocates them, and this is cheaper to compile again than readRule.
 */
function addRule(text: string, ruleSpan: Span, chain: ChainState, state: NetfilterState, ctx: RuleContext): void {
  let action: Action | ChainRef;
  if (targetName === undefined) action = { kind: 'continue', target: '' };
  else if (targetName === 'ACCEPT') action = ACCEPT;
  else if (targetName === 'DROP') action = DROP;
  else if (targetName === 'RETURN') action = RETURN;
  else if (targetName === 'REJECT') action = rejectStart < 0 ? REJECT : rejectAction(text, rejectStart, rejectEnd, ctx);
  // (DNPT/SNPT rewrite an address: the general reader reads them)
  else if (CONTINUE_TARGETS.has(targetName) && !PREFIX_TARGETS.has(targetName)) action = continueAction(targetName, ctx);
  else {
    // NAT, queues, chains (their text is kept); the options read here mean nothing to these
    const ref: ChainRef = { kind: 'chain-ref', name: targetName, goto, text: '', span: DOCUMENT_START };
    action = resolveBuiltinTarget(ref, targetName, NO_TARGET_ARGS, ctx, text.slice(targetStart, targetEnd));
    if (action.kind === 'chain-ref') action.span = ctx.span(targetStart, refEnd);
  }
  // (the rule's text is the document at ruleSpan's offsets, lineStart to ruleEnd: read from it when asked)
  const n = scratchN;
  if (n <= PACK_MAX) {
    // the matches are built when read (PackedRule): the rule keeps their values, places and codes
    state.appendPacked(chain, n, CODES, VALUES, PLACES, action, ruleSpan, text, report, comment);
  } else {
    // (built in place in VALUES, then copied to an exact-size list: a list grown by push keeps 17 slots)
    for (let k = 0; k < n; k++) VALUES[k] = unpackMatch(CODES[k]!, VALUES[k], ruleSpan, PLACES[k]!);
    state.appendOne(chain, VALUES.slice(0, n) as Match[], action, ruleSpan, text, report, comment);
  }
}

/**
 * One option of the line being read (its argument text[as..ae), the match text[mStart..mEnd), its
 * place `at` next to `base`): notes its match (put) or notes it in the line's state. False:
 * the general reader must read the line. A function of its own, not part of readRule: V8
 * compiles one big function much more slowly than two halves (readRule took 0.3 s or more of
 * compile time, more than once when a deoptimisation sent it back).
 */
function readOption(code: number, text: string, as: number, ae: number, quoted: boolean, negated: boolean, mStart: number, mEnd: number, base: Span, at: number, ctx: RuleContext): boolean {
  switch (code) {
    case O_S:
    case O_D: {
      const dir = code === O_S ? 'src' : 'dst';
      const once = code === O_S ? 2 : 4;
      if (coreSeen & once) return false;
      coreSeen |= once;
      // (a comma list, one rule per item, is the general path's: v4CidrKey takes no comma)
      const key = v4CidrKey(text, as, ae);
      let set: AddrSet | undefined;
      if (key >= 0) {
        // a plain IPv4 network (nearly every address of a dump): what the lines below decide for any
        // set, known from the key without testing the set (an IPv4 set; the whole space is a /0)
        if (ctx.family === 'ipv6') return false;
        set = v4NetAt(key, ctx);
        ctx.sawFamily?.('ipv4', true);
        if (!negated && key % 64 === 0) return true;
      } else {
        for (let k = as; k < ae; k++) if (text.charCodeAt(k) === 44 /* , */) return false;
        set = hostAddr(text.slice(as, ae), ctx);
        if (!set) return false;
        if (ctx.family !== undefined && (ctx.family === 'ipv4' ? set.v4.isEmpty : set.v6.isEmpty)) return false;
        noteFamily(set, ctx);
        // iptables drops "-s 0.0.0.0/0": it matches every packet of the table's family
        if (!negated && (set.coversAll('ipv4') || set.coversAll('ipv6')) && (ctx.family === undefined || set.coversAll(ctx.family))) return true;
      }
      put((dir === 'src' ? PK_SRC_ADDR : PK_DST_ADDR) | (negated ? 1 : 0), set, base, at);
      return true;
    }
    case O_P: {
      if (coreSeen & 1) return false;
      coreSeen |= 1;
      let num: number;
      if (ae - as === 3 && text.startsWith('tcp', as)) num = 6;
      else if (ae - as === 3 && text.startsWith('udp', as)) num = 17;
      else {
        const name = text.slice(as, ae).toLowerCase();
        const n = cachedProtocolNumber(name);
        // (protocol 0, `all`/`0`/`0x0`/`ip`/`hopopt`, is every protocol: the general reader's)
        if (n === undefined || n === 0) return false;
        num = n;
        if (num === 58 || name === 'icmpv6' || name === 'ipv6-icmp') ctx.sawFamily?.('ipv6');
      }
      const protocols = PROTO_SETS[num] ?? (PROTO_SETS[num] = numSingle(num));
      put(PK_PROTOCOL | (negated ? 1 : 0), protocols, base, at);
      if (!negated) protoNum = num;
      protoAny = num;
      return true;
    }
    case O_M: {
      if (negated) return false;
      const bit = moduleBit(text, as, ae);
      if (bit !== 0) {
        // (a second -m multiport takes a list of its own: iptables-save writes `-m multiport --sports … -m multiport --dports …`)
        const need = needOf(bit);
        if (need !== 0) {
          // a second instance: the first one without an option of its own is refused (the general reader says so)
          if ((modules & bit) !== 0 && (modules & need) === 0) return false;
          modules &= ~need;
        }
        modules |= bit;
        break;
      }
      // another match: opaque, as the general reader makes it (known matches it evaluates are left to it)
      const name = text.slice(as, ae);
      // (a second one: the general reader, which checks each one's options, see matchRefusal; so does it ipv6header's
      // --header names, which ip6tables refuses for a protocol's)
      if (targetName !== undefined || unknownModule !== undefined || isKnownModule(name) || name !== name.toLowerCase() || name === 'icmpv6' || name === 'ipv6-icmp' || name === 'ipv6header') return false;
      if (IPV6_ONLY_MODULES.has(name)) ctx.sawFamily?.('ipv6');
      unknownModule = { kind: 'opaque', module: name, text: text.slice(mStart, mEnd), reason: opaqueReason(name), span: ctx.span(mStart, mEnd) };
      unknownStart = mStart;
      unknownEnd = mEnd;
      put(PK_MATCH, unknownModule, base, at);
      return true;
    }
    case O_J:
    case O_G: {
      if (negated || targetName !== undefined) return false;
      goto = code === O_G;
      targetName = targetNameAt(text, as, ae);
      targetStart = mStart;
      targetEnd = mEnd;
      refEnd = mEnd;
      return true;
    }
    case O_DPORT:
    case O_SPORT:
    case O_DPORTS:
    case O_SPORTS: {
      const list = code === O_DPORTS || code === O_SPORTS;
      // --dports/--sports are owned by -m multiport; --dport/--sport by -m tcp/udp, or by the match
      // -p tcp/udp/sctp/dccp loads (iptables has no udplite port match: the general reader refuses --dport there)
      if (list) {
        if ((modules & M_MULTIPORT) === 0 || (modules & M_MULTIPORT_LIST) !== 0) return false;
        // (a list before a fitting -p is refused by iptables: libxt_multiport checks the -p read so far; the general reader says so)
        if (protoNum !== 6 && protoNum !== 17 && protoNum !== 132 && protoNum !== 33 && protoNum !== 136) return false;
        modules |= M_MULTIPORT_LIST;
      } else {
        if ((modules & (M_TCP | M_UDP)) === 0 && (protoNum !== 6 && protoNum !== 17 && protoNum !== 132 && protoNum !== 33 || (modules & M_MULTIPORT) !== 0)) return false;
        const bit = code === O_DPORT ? 1 : 2;
        if ((onceSeen & bit) !== 0) return false;
        onceSeen |= bit;
      }
      const ports = list ? portListSet(text, as, ae, ctx) : portValue(text, as, ae, ctx);
      // (`! --dport 0:65535`: the general reader says the backends disagree)
      if (!ports || (negated && !list && ports.equals(PORT_UNIVERSE))) return false;
      const dir = code === O_DPORT || code === O_DPORTS ? 'dst' : 'src';
      put((dir === 'src' ? PK_SRC_PORT : PK_DST_PORT) | (negated ? 1 : 0), ports, base, at);
      // the destination port is what a rule opens; the first one is reported: the rule keeps its place
      // (or its own span, when the place does not fit in a number)
      if (dir === 'dst' && report === undefined) report = at >= 0 ? at : base;
      return true;
    }
    default:
      return readOtherOption(code, text, as, ae, quoted, negated, mStart, mEnd, base, at, ctx);
  }
  return true;
}

/** readOption's less frequent options (interfaces, conntrack, tcp flags, ICMP, comments, target options): apart, so that each half compiles quickly. */
function readOtherOption(code: number, text: string, as: number, ae: number, quoted: boolean, negated: boolean, mStart: number, mEnd: number, base: Span, at: number, ctx: RuleContext): boolean {
  switch (code) {
    case O_I:
    case O_O: {
      const name = text.slice(as, ae);
      let names = ctx.cache.ifaceNames.get(name);
      if (names === undefined) {
        names = [name];
        if (ctx.cache.ifaceNames.size < CACHE_LIMIT) ctx.cache.ifaceNames.set(name, names);
      }
      const dir = code === O_I ? 'in' : 'out';
      if (ifaceDirs & (code === O_I ? 1 : 2)) return false;
      ifaceDirs |= code === O_I ? 1 : 2;
      put((dir === 'in' ? PK_IN_IFACE : PK_OUT_IFACE) | (negated ? 1 : 0), names, base, at);
      return true;
    }
    case O_CTSTATE:
    case O_STATE: {
      if ((modules & (code === O_CTSTATE ? M_CONNTRACK : M_STATE)) === 0) return false;
      const states = ctStates(text.slice(as, ae), ctx, code === O_CTSTATE);
      if (!states) return false;
      modules |= code === O_CTSTATE ? M_CONNTRACK_OPT : M_STATE_OPT;
      put(PK_CTSTATE | (negated ? 1 : 0), states, base, at);
      return true;
    }
    case O_SYN:
    case O_TCP_FLAGS: {
      // owned by -m tcp or -p tcp; the flags bytes taken, as the general reader reads them (which also
      // reports unreadable flags)
      if ((modules & M_TCP) === 0 && protoNum !== 6) return false;
      if ((onceSeen & 4) !== 0) return false;
      onceSeen |= 4;
      const values = code === O_SYN ? SYN_ONLY : tcpFlagsOf(text.slice(as, ae), text.slice(ae, mEnd).trim());
      // (`! --tcp-flags NONE NONE`: the general reader says the backends disagree)
      if (!values || (negated && values.equals(ALL_FLAG_VALUES))) return false;
      const m: Match = { kind: 'tcp-flags', values, span: ctx.span(mStart, mEnd) };
      if (negated) m.negated = true;
      put(PK_MATCH, m, base, at);
      return true;
    }
    case O_ICMP_TYPE:
    case O_ICMP6_TYPE: {
      const v6 = code === O_ICMP6_TYPE;
      if ((modules & (v6 ? M_ICMP6 : M_ICMP)) === 0 && protoNum !== (v6 ? 58 : 1)) return false;
      if ((onceSeen & 8) !== 0) return false;
      onceSeen |= 8;
      if (v6) ctx.sawFamily?.('ipv6');
      const family = v6 ? 'ipv6' : 'ipv4';
      const values = parseIcmpType(text.slice(as, ae), family);
      // (`! --icmp-type any`: the general reader says the backends disagree)
      if (!values || (negated && !v6 && text.slice(as, ae).toLowerCase() === 'any')) return false;
      modules |= M_ICMP_TYPE;
      put((v6 ? PK_ICMP6 : PK_ICMP4) | (negated ? 1 : 0), values, base, at);
      return true;
    }
    case O_COMMENT: {
      if (negated || (modules & M_COMMENT) === 0 || (onceSeen & 16) !== 0) return false;
      const value = quoted ? text.slice(as + 1, ae - 1) : text.slice(as, ae);
      // (a comment iptables cuts: the general reader says so)
      if (value.length > COMMENT_MAX / 3 && utf8Length(value) > COMMENT_MAX) return false;
      onceSeen |= 16;
      modules |= M_COMMENT_OPT;
      comment = comment === undefined ? value : `${comment} ${value}`;
      return true;
    }
    case O_REJECT_WITH:
    case O_LOG_PREFIX: {
      // a target's option (no match the fast path loads has these)
      if (negated || targetName === undefined) return false;
      // (another target's, or a second --reject-with: refused by iptables, the general reader says so)
      if (code === O_REJECT_WITH ? targetName !== 'REJECT' || rejectStart >= 0 : targetName !== 'LOG') return false;
      if (code === O_REJECT_WITH) {
        // (a type neither family knows is refused: the general reader says so; the last one read is known)
        const last = ctx.cache.lastReject;
        if (!(last !== undefined && ae - as === last.with.length && text.startsWith(last.with, as))) {
          const w = text.slice(as, ae);
          if (!rejectTypeKnown(w, 'ipv4') && !rejectTypeKnown(w, 'ipv6')) return false;
        }
        rejectStart = as;
        rejectEnd = ae;
        if (text.startsWith('icmp6-', as)) ctx.sawFamily?.('ipv6');
      }
      if (mEnd > targetEnd) targetEnd = mEnd;
      return true;
    }
  }
  return true;
}
