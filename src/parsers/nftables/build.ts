/**
 * Intermediate form → common model. Shared by the text and the JSON front ends,
 * so both give the same model for the same ruleset.
 */
import { plainHolds } from './plain.js';
import { nftMarkTest } from './marks.js';
import {
  AddrSet,
  IntervalSet,
  CT_STATES,
  numRange,
  numSetOf,
  parseAddrRange,
  parseAddress,
  parseCidr,
  protocolNumber,
  PORT_PROTOCOLS,
  PORT_UNIVERSE,
  PROTO_UNIVERSE,
  canonicalMatch,
  type Action,
  type Chain,
  type CtState,
  type Diagnostic,
  type DocComment,
  type Family,
  type FirewallDocument,
  type MarkOp,
  type Match,
  type OpaqueMatch,
  type NumSet,
  type Rule,
  type Ruleset,
  type Span,
  type Table,
  type TableFamily,
  tcpFlagBits,
  tcpFlagsWhere,
} from '../../model/index.js';
import { exprModule, type IrChain, type IrChainRule, type IrElem, type IrExpr, type IrRule, type IrSet, type IrState, type IrStmt, type IrTable, type IrVal, type IrVerdict } from './ir.js';

import { addrMatch, ctMatch, icmpMatch, ifMatch, portMatch, protoMatch, spanAt } from '../placed.js';
import { NftRule } from './rule.js';
import { CT_STATE_NAMES, ICMP_CODES, ICMP_TYPES, ICMPV6_CODES, ICMPV6_TYPES, PORT_PROTO_NUMBERS, SERVICES, asHook } from './symbols.js';

type FieldKind =
  | { kind: 'address'; dir: 'src' | 'dst'; family: Family }
  | { kind: 'port'; dir: 'src' | 'dst' }
  | { kind: 'protocol' }
  | { kind: 'family' }
  | { kind: 'ethertype' }
  | { kind: 'interface'; dir: 'in' | 'out' }
  | { kind: 'ctstate' }
  | { kind: 'icmp'; family: Family }
  | { kind: 'icmp-code'; family: Family }
  | { kind: 'addrtype'; dir: 'src' | 'dst' };

interface TableCtx {
  table: IrTable;
  dynamicSets: Set<string>;
  /** Implied family matches are only needed where the table does not fix the family. */
  mixedFamily: boolean;
  cache: Map<string, Match[] | null>;
  diagnostics: Diagnostic[];
  /** Undeclared sets already reported. */
  reported: Set<string>;
}


/* The field kinds, one frozen object each (classify runs for every match). */
const FK_ADDRESS: readonly FieldKind[] = [
  Object.freeze({ kind: 'address', dir: 'src', family: 'ipv4' }),
  Object.freeze({ kind: 'address', dir: 'dst', family: 'ipv4' }),
  Object.freeze({ kind: 'address', dir: 'src', family: 'ipv6' }),
  Object.freeze({ kind: 'address', dir: 'dst', family: 'ipv6' }),
];
const FK_PORT_SRC: FieldKind = Object.freeze({ kind: 'port', dir: 'src' });
const FK_PORT_DST: FieldKind = Object.freeze({ kind: 'port', dir: 'dst' });
const FK_PROTOCOL: FieldKind = Object.freeze({ kind: 'protocol' });
const FK_FAMILY: FieldKind = Object.freeze({ kind: 'family' });
const FK_ETHERTYPE: FieldKind = Object.freeze({ kind: 'ethertype' });
const FK_ICMP4: FieldKind = Object.freeze({ kind: 'icmp', family: 'ipv4' });
const FK_ICMP6: FieldKind = Object.freeze({ kind: 'icmp', family: 'ipv6' });
const FK_ICMP4_CODE: FieldKind = Object.freeze({ kind: 'icmp-code', family: 'ipv4' });
const FK_ICMP6_CODE: FieldKind = Object.freeze({ kind: 'icmp-code', family: 'ipv6' });
const FK_IF_IN: FieldKind = Object.freeze({ kind: 'interface', dir: 'in' });
const FK_IF_OUT: FieldKind = Object.freeze({ kind: 'interface', dir: 'out' });
const FK_CTSTATE: FieldKind = Object.freeze({ kind: 'ctstate' });
const FK_ADDRTYPE_SRC: FieldKind = Object.freeze({ kind: 'addrtype', dir: 'src' });
const FK_ADDRTYPE_DST: FieldKind = Object.freeze({ kind: 'addrtype', dir: 'dst' });

function classify(e: IrExpr): FieldKind | undefined {
  switch (e.k) {
    case 'payload': {
      const { proto, field } = e;
      if ((proto === 'ip' || proto === 'ip6') && (field === 'saddr' || field === 'daddr'))
        return FK_ADDRESS[(field === 'saddr' ? 0 : 1) + (proto === 'ip' ? 0 : 2)]!;
      if ((proto === 'th' || PORT_PROTO_NUMBERS[proto] !== undefined) && (field === 'sport' || field === 'dport'))
        return field === 'sport' ? FK_PORT_SRC : FK_PORT_DST;
      if ((proto === 'ip' && field === 'protocol') || (proto === 'ip6' && field === 'nexthdr')) return FK_PROTOCOL;
      if (proto === 'icmp' && field === 'type') return FK_ICMP4;
      if (proto === 'icmpv6' && field === 'type') return FK_ICMP6;
      if (proto === 'icmp' && field === 'code') return FK_ICMP4_CODE;
      if (proto === 'icmpv6' && field === 'code') return FK_ICMP6_CODE;
      if (proto === 'ether' && field === 'type') return FK_ETHERTYPE;
      return undefined;
    }
    case 'meta':
      switch (e.key) {
        case 'l4proto':
          return FK_PROTOCOL;
        case 'nfproto':
          return FK_FAMILY;
        case 'protocol':
          return FK_ETHERTYPE;
        case 'iifname':
        case 'iif':
          return FK_IF_IN;
        case 'oifname':
        case 'oif':
          return FK_IF_OUT;
      }
      return undefined;
    case 'ct':
      return e.key === 'state' && !e.dir ? FK_CTSTATE : undefined;
    case 'fib':
      if (e.result === 'type' && e.flags.length === 1 && (e.flags[0] === 'daddr' || e.flags[0] === 'saddr'))
        return e.flags[0] === 'daddr' ? FK_ADDRTYPE_DST : FK_ADDRTYPE_SRC;
      return undefined;
    default:
      return undefined;
  }
}

/*
 * Matches without a span never change once made: one frozen object each, shared by
 * every rule that has them (a big ruleset has one per rule otherwise).
 */
const FAMILY_MATCH: Readonly<Record<Family, Match>> = {
  ipv4: Object.freeze<Match>({ kind: 'family', family: 'ipv4' }),
  ipv6: Object.freeze<Match>({ kind: 'family', family: 'ipv6' }),
};
const PROTOCOL_MATCH: Match[] = [];
function protocolMatch(pn: number): Match {
  return (PROTOCOL_MATCH[pn] ??= Object.freeze<Match>({ kind: 'protocol', protocols: numRange(pn, pn) }));
}
const NO_MATCHES: Match[] = [];

/** Matches a selector implies (nft adds the dependency itself): `tcp dport` → l4proto tcp; `ip saddr` in inet → ipv4. */
function implied(e0: IrExpr, tc: TableCtx): Match[] {
  let e = e0;
  while (e.k === 'binop') e = e.left;
  if (e.k !== 'payload') return NO_MATCHES;
  const p = e.proto;
  let fam: Match | undefined;
  if (tc.mixedFamily) {
    if (p === 'ip' || p === 'icmp') fam = FAMILY_MATCH.ipv4;
    else if (p === 'ip6' || p === 'icmpv6') fam = FAMILY_MATCH.ipv6;
  }
  const pn = PORT_PROTO_NUMBERS[p] ?? (p === 'icmp' ? 1 : p === 'icmpv6' ? 58 : undefined);
  // one frozen list per combination: callers only read it
  const k = (fam === undefined ? 0 : fam === FAMILY_MATCH.ipv4 ? 1 : 2) * 256 + (pn ?? 255);
  let list = IMPLIED[k];
  if (list === undefined) {
    if (pn !== undefined) list = fam ? [fam, protocolMatch(pn)] : [protocolMatch(pn)];
    else list = fam ? [fam] : NO_MATCHES;
    IMPLIED[k] = list = Object.freeze(list) as Match[];
  }
  return list;
}
const IMPLIED: (Match[] | undefined)[] = [];
const TCP_IMPLIED: Match[] = Object.freeze([protocolMatch(6)]) as Match[];

/**
 * A test of a TCP option's field (`tcp option maxseg size 1460`), not of its presence: nft adds no `meta l4proto tcp`
 * (`nft --debug=netlink`: `exthdr load tcpopt` alone), and the kernel ends the rule for a packet without a TCP header
 * (nft_exthdr_tcp_eval: NFT_BREAK), `!=` or not; a presence test (`exists`/`missing`) reads such a packet as missing.
 */
function tcpOptionField(left: IrExpr, right: IrVal): boolean {
  if (left.k !== 'other' || left.module !== 'tcp option') return false;
  return !(right.k === 'atom' && (right.v === true || right.v === false || right.v === 'exists' || right.v === 'missing'));
}

// ---------------------------------------------------------------- values

function leaves(v: IrVal, out: IrVal[]): boolean {
  switch (v.k) {
    case 'set':
      for (const e of v.elems) if (!leaves(e.key, out)) return false;
      return true;
    case 'list':
      for (const i of v.items) if (!leaves(i, out)) return false;
      return true;
    case 'atom':
    case 'prefix':
    case 'range':
      out.push(v);
      return true;
    default:
      return false;
  }
}

function atomStr(v: IrVal): string | undefined {
  if (v.k !== 'atom') return undefined;
  return typeof v.v === 'string' ? v.v : typeof v.v === 'number' ? String(v.v) : undefined;
}

/** A warning for a number written with a leading 0 (`tcp dport 022`): nft reads it as octal. */
function octalNote(vals: readonly IrVal[], tc: TableCtx): void {
  for (const v of vals) {
    const parts = v.k === 'range' ? [v.lo, v.hi] : v.k === 'set' ? v.elems.map((e) => e.key) : [v];
    for (const p of parts) {
      if (p.k !== 'atom' || typeof p.v !== 'string' || p.v.charCodeAt(0) !== 48 || !p.span) continue;
      for (const w of p.v.split('-')) {
        if (w.length >= 2 && w.charCodeAt(0) === 48 && allDigits(w, 1) && /^[0-7]+$/.test(w)) {
          tc.diagnostics.push({ severity: 'warning', code: 'nftables/octal-number', message: `nft reads a number with a leading 0 as octal: "${w}" is ${parseInt(w, 8)}`, span: p.span });
          return;
        }
      }
    }
  }
}

/** An error for a range whose low end is above its high end (`tcp dport 22-21`): nft refuses it ("Range has zero or negative size"). */
function reversedRange(vals: readonly IrVal[], names: (s: string) => number | undefined, max: number, tc: TableCtx): void {
  for (const v of vals) {
    for (const p of v.k === 'set' ? v.elems.map((e) => e.key) : [v]) {
      if (p.k !== 'range' && !(p.k === 'atom' && typeof p.v === 'string' && /^[0-9]+-[0-9]+$/.test(p.v))) continue;
      if (!numOf(p, names, max) || NUM_LO <= NUM_HI || !p.span) continue;
      tc.diagnostics.push({ severity: 'error', code: 'nftables/reversed-range', message: `Range ${describeVal(p)} has zero or negative size: nft refuses it`, span: p.span });
      return;
    }
  }
}

function parseNumber(s: string): number | undefined {
  // nft reads integers in base 0 (mpz_set_str): a leading 0 is octal (`tcp dport 022` is 18, as nft lists it back;
  // `08` is no octal number: nft 1.0.6 then reads the port as getaddrinfo does, decimal 8)
  if (s.length >= 2 && s.length <= 12 && s.charCodeAt(0) === 48 && allDigits(s, 1) && /^[0-7]+$/.test(s)) return parseInt(s, 8);
  if (s.length >= 1 && s.length <= 10 && allDigits(s, 0)) return Number(s);
  if (/^0x[0-9a-fA-F]{1,8}$/.test(s)) return parseInt(s.slice(2), 16);
  return undefined;
}

function addrOf(v: IrVal, family: Family | undefined): AddrSet | undefined {
  let r: AddrSet | undefined;
  if (v.k === 'prefix') {
    const cidr = `${v.addr}/${v.len}`;
    r = fastV4(cidr) ?? parseCidr(cidr);
  }
  else if (v.k === 'range') {
    const lo = atomStr(v.lo);
    const hi = atomStr(v.hi);
    r = lo !== undefined && hi !== undefined ? parseAddrRange(lo, hi) : undefined;
  } else {
    const s = atomStr(v);
    if (s === undefined) return undefined;
    r = fastV4(s) ?? parseCidr(s);
    if (!r) {
      const dash = s.indexOf('-');
      if (dash > 0 && dash === s.lastIndexOf('-')) r = parseAddrRange(s.slice(0, dash), s.slice(dash + 1));
    }
  }
  if (!r) return undefined;
  if (family && !(family === 'ipv4' ? r.v6.isEmpty : r.v4.isEmpty)) return undefined;
  return r;
}

/** True when s[from..] is all ASCII digits (true for an empty rest). */
function allDigits(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Plain dotted quads and IPv4 prefixes without the general parser (they are most of a big ruleset). */
function fastV4(s: string): AddrSet | undefined {
  let i = 0;
  let value = 0;
  for (let part = 0; part < 4; part++) {
    let n = 0;
    const start = i;
    while (i < s.length && i - start < 4) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      i++;
    }
    if (i === start || i - start > 3 || n > 255 || (i - start > 1 && s.charCodeAt(start) === 48)) return undefined;
    value = value * 256 + n;
    if (part < 3) {
      if (s.charCodeAt(i) !== 46) return undefined;
      i++;
    }
  }
  let len = 32;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 47) return undefined;
    // one or two digits after the slash
    const digits = s.length - i - 1;
    if (digits < 1 || digits > 2 || !allDigits(s, i + 1)) return undefined;
    len = digits === 1 ? s.charCodeAt(i + 1) - 48 : (s.charCodeAt(i + 1) - 48) * 10 + (s.charCodeAt(i + 2) - 48);
    if (len > 32) return undefined;
  }
  const size = 2 ** (32 - len);
  const lo = Math.floor(value / size) * size;
  // short prefixes repeat across rules (there are only 256 /8s): one set each while a document is built
  if (len <= 12) return (V4_PREFIXES[(1 << len) + lo / size] ??= new AddrSet(IntervalSet.range(lo, lo + size), NO_V6));
  return new AddrSet(IntervalSet.range(lo, lo + size), NO_V6);
}

/**
 * The IPv4 prefixes of length 0 to 12, at (1 << length) + prefix number. Emptied at the end of a
 * document. Made at its full size: stores far past the end of an empty array turn it into a hash table.
 */
const V4_PREFIXES: (AddrSet | undefined)[] = new Array<AddrSet | undefined>(1 << 13).fill(undefined);

/** Shared by every IPv4-only address set (sets are immutable). */
const NO_V6: IntervalSet<bigint> = IntervalSet.empty();

/*
 * numOf's result: the closed range [NUM_LO, NUM_HI] (as written: NUM_LO may be above NUM_HI).
 * Two module variables instead of a [lo, hi] pair per value (one per port and protocol of a big ruleset).
 */
let NUM_LO = 0;
let NUM_HI = 0;

/** True when `v` is a number, a name or a range of them within 0..max; the range is then in NUM_LO, NUM_HI. */
function numOf(v: IrVal, names: (s: string) => number | undefined, max: number): boolean {
  if (v.k === 'range') {
    if (!numOf(v.lo, names, max)) return false;
    const lo = NUM_LO;
    if (!numOf(v.hi, names, max)) return false;
    NUM_LO = lo;
    return true;
  }
  if (v.k !== 'atom') return false;
  if (typeof v.v === 'number') {
    if (!(Number.isInteger(v.v) && v.v >= 0 && v.v <= max)) return false;
    NUM_LO = NUM_HI = v.v;
    return true;
  }
  if (typeof v.v !== 'string') return false;
  const s = v.v;
  // `N` or `N-M` with 1 to 10 digits each (most values): read in place, without the slices,
  // hex pattern and name lookups below (which give these the same result)
  const len = s.length;
  let i = 0;
  let a = 0;
  for (let c = len > 0 ? s.charCodeAt(0) : 0; c >= 48 && c <= 57; c = ++i < len ? s.charCodeAt(i) : 0) a = a * 10 + (c - 48);
  // (a leading 0 before another digit is octal, in either end of a range: parseNumber's, below)
  if (i >= 1 && i <= 10 && !(i > 1 && s.charCodeAt(0) === 48) && !(i + 2 < len && s.charCodeAt(i + 1) === 48 && s.charCodeAt(i + 2) >= 48 && s.charCodeAt(i + 2) <= 57)) {
    if (i === len) {
      if (a > max) return false;
      NUM_LO = NUM_HI = a;
      return true;
    }
    if (s.charCodeAt(i) === 45) {
      let j = i + 1;
      let b = 0;
      for (let c = j < len ? s.charCodeAt(j) : 0; c >= 48 && c <= 57; c = ++j < len ? s.charCodeAt(j) : 0) b = b * 10 + (c - 48);
      if (j === len && j - i - 1 >= 1 && j - i - 1 <= 10) {
        if (a > max || b > max) return false;
        NUM_LO = a;
        NUM_HI = b;
        return true;
      }
    }
  }
  const n = parseNumber(s) ?? names(s);
  if (n !== undefined) {
    if (n > max) return false;
    NUM_LO = NUM_HI = n;
    return true;
  }
  const dash = s.indexOf('-');
  if (dash > 0) {
    const a = parseNumber(s.slice(0, dash)) ?? names(s.slice(0, dash));
    const b = parseNumber(s.slice(dash + 1)) ?? names(s.slice(dash + 1));
    if (a !== undefined && b !== undefined && a <= max && b <= max) {
      NUM_LO = a;
      NUM_HI = b;
      return true;
    }
  }
  return false;
}

const PROTO_ALIASES: Record<string, number> = { comp: 108, icmpv6: 58, 'ipv6-icmp': 58 };
function protoNumber(s: string): number | undefined {
  return protocolNumber(s) ?? PROTO_ALIASES[s.toLowerCase()];
}

function serviceNumber(s: string): number | undefined {
  return SERVICE_NUMBERS.get(s);
}
/** SERVICES as a Map: looked up for every port value that is not a plain number (ranges too). */
const SERVICE_NUMBERS: ReadonlyMap<string, number> = new Map(Object.entries(SERVICES));

/**
 * One set per single port (443) while a document is built: rules share it. Emptied at the end. In blocks of 256
 * ports made on first use (SINGLES[port >> 8][port & 255]): one list indexed by port, grown by assignment at
 * scattered ports, was reallocated four times up to 65,536 slots on a 100k-rule file, 1.9 MB of large-object
 * space that only a full collection frees, for 0.5 MB kept.
 */
const SINGLES: ((NumSet | undefined)[] | undefined)[] = new Array<(NumSet | undefined)[] | undefined>(256).fill(undefined);
function singlePort(p: number): NumSet {
  const block = (SINGLES[p >> 8] ??= new Array<NumSet | undefined>(256).fill(undefined));
  return (block[p & 255] ??= IntervalSet.range(p, p + 1));
}

/** One list per interface name while a document is built (`iifname "eth0"` in thousands of rules). Emptied at the end. */
const IF_NAMES = new Map<string, string[]>();
function singleName(n: string): string[] {
  let l = IF_NAMES.get(n);
  if (l === undefined) IF_NAMES.set(n, (l = [n]));
  return l;
}

const BOUNDS: number[] = [];

function numSetFrom(vals: IrVal[], names: (s: string) => number | undefined, max: number): NumSet | undefined {
  if (vals.length === 1) {
    if (!numOf(vals[0]!, names, max)) return undefined;
    const lo = Math.min(NUM_LO, NUM_HI);
    const hi = Math.max(NUM_LO, NUM_HI);
    if (lo === hi && max === 65535) return singlePort(lo);
    return IntervalSet.range(lo, hi + 1);
  }
  // the bounds as they are when the values are written in order, apart and not touching (the common case),
  // in BOUNDS[0, n) (reused: a list grown by push would be made and dropped per set)
  const bounds = BOUNDS;
  let n = 0;
  let ordered = true;
  for (let i = 0; i < vals.length; i++) {
    if (!numOf(vals[i]!, names, max)) return undefined;
    const lo = Math.min(NUM_LO, NUM_HI);
    if (ordered && (n === 0 || lo > bounds[n - 1]!)) {
      bounds[n++] = lo;
      bounds[n++] = Math.max(NUM_LO, NUM_HI) + 1;
    } else ordered = false;
  }
  if (ordered && n > 0) return IntervalSet.fromBounds(bounds.slice(0, n));
  // out of order or touching: the general union (every value read again; all of them were numbers above)
  const rs: [number, number][] = [];
  for (let i = 0; i < vals.length; i++) {
    numOf(vals[i]!, names, max);
    rs.push([NUM_LO, NUM_HI]);
  }
  return compact(numSetOf(rs));
}

/** The same set over an exact-size bounds array (sets built by pushing keep a 17-slot array). */
function compact<T extends number | bigint>(s: IntervalSet<T>): IntervalSet<T> {
  return IntervalSet.fromBounds(s.bounds.slice());
}

/**
 * The model match for a decoded field and its values, placed at (base, at) (see ./placed.ts; no span without
 * a base; negated: written with `!=`).
 */
function valueMatch(f: FieldKind, vals: IrVal[], op: string, base: Span | undefined, at: number, negated: boolean): Match | undefined {
  if (op !== '==' && op !== '!=' && op !== 'in') {
    // ordered comparisons on numbers
    if ((f.kind !== 'port' && f.kind !== 'protocol') || vals.length !== 1) return undefined;
    const max = f.kind === 'port' ? 65535 : 255;
    if (!numOf(vals[0]!, f.kind === 'port' ? serviceNumber : protoNumber, max) || NUM_LO !== NUM_HI) return undefined;
    const n = NUM_LO;
    const set = op === '<' ? numRange(0, n - 1) : op === '<=' ? numRange(0, n) : op === '>' ? numRange(n + 1, max) : op === '>=' ? numRange(n, max) : undefined;
    if (!set) return undefined;
    return f.kind === 'port' ? portMatch(f.dir, set.intersect(PORT_UNIVERSE), base, at, negated) : protoMatch(set.intersect(PROTO_UNIVERSE), base, at, negated);
  }
  switch (f.kind) {
    case 'address': {
      let a: AddrSet | undefined;
      for (let vi = 0; vi < vals.length; vi++) {
        const v = vals[vi]!;
        const x = addrOf(v, f.family);
        if (!x) return undefined;
        a = a ? a.union(x) : x;
      }
      return addrMatch(f.dir, a ?? AddrSet.EMPTY, base, at, negated);
    }
    case 'port': {
      const s = numSetFrom(vals, serviceNumber, 65535);
      return s && portMatch(f.dir, s, base, at, negated);
    }
    case 'protocol': {
      const s = numSetFrom(vals, protoNumber, 255);
      return s && protoMatch(s, base, at, negated);
    }
    case 'icmp': {
      const table = f.family === 'ipv4' ? ICMP_TYPES : ICMPV6_TYPES;
      const s = numSetFrom(vals, (x) => (Object.prototype.hasOwnProperty.call(table, x) ? table[x] : undefined), 255);
      if (!s) return undefined;
      const rs: [number, number][] = [];
      for (const [lo, hi] of s.ranges()) rs.push([lo * 256, hi * 256 - 1]);
      return icmpMatch(f.family, numSetOf(rs), base, at, negated);
    }
    case 'icmp-code': {
      // the code under every type: the model's ICMP values are type * 256 + code
      const table = f.family === 'ipv4' ? ICMP_CODES : ICMPV6_CODES;
      const s = numSetFrom(vals, (x) => (Object.prototype.hasOwnProperty.call(table, x) ? table[x] : undefined), 255);
      if (!s) return undefined;
      const rs: [number, number][] = [];
      for (let type = 0; type < 256; type++) for (const [lo, hi] of s.ranges()) rs.push([type * 256 + lo, type * 256 + hi - 1]);
      return icmpMatch(f.family, numSetOf(rs), base, at, negated);
    }
    case 'interface': {
      if (vals.length === 1) {
        // one shared list per single name (rules only read it)
        const n = ifName(vals[0]!);
        return n === undefined ? undefined : ifMatch(f.dir, singleName(n), base, at, negated);
      }
      const names: string[] = [];
      for (let vi = 0; vi < vals.length; vi++) {
        const n = ifName(vals[vi]!);
        if (n === undefined) return undefined;
        names.push(n);
      }
      // exact size: a list grown by push keeps 17 slots
      return ifMatch(f.dir, names.slice(), base, at, negated);
    }
    case 'ctstate': {
      const states: CtState[] = [];
      for (let vi = 0; vi < vals.length; vi++) {
        const v = vals[vi]!;
        const s = atomStr(v);
        if (s === undefined || !CT_STATE_NAMES.has(s)) return undefined;
        if (!states.includes(s as CtState)) states.push(s as CtState);
      }
      return ctMatch(CT_STATES.filter((x) => states.includes(x)), base, at, negated);
    }
    case 'addrtype': {
      const types: string[] = [];
      for (let vi = 0; vi < vals.length; vi++) {
        const v = vals[vi]!;
        const s = atomStr(v);
        if (s === undefined) return undefined;
        if (!types.includes(s)) types.push(s);
      }
      return placedCopy({ kind: 'addrtype', dir: f.dir, types }, base, at, negated);
    }
    case 'family':
    case 'ethertype': {
      const fams = new Set<Family>();
      for (let vi = 0; vi < vals.length; vi++) {
        const v = vals[vi]!;
        const s = atomStr(v);
        const fam =
          f.kind === 'family'
            ? s === 'ipv4' || s === '2'
              ? 'ipv4'
              : s === 'ipv6' || s === '10'
                ? 'ipv6'
                : undefined
            : s === 'ip' || s === '0x0800' || s === '2048'
              ? 'ipv4'
              : s === 'ip6' || s === '0x86dd' || s === '34525'
                ? 'ipv6'
                : undefined;
        // (the ARP ethertype is never an IPv4 or IPv6 packet's: `meta protocol arp accept` in a netdev chain)
        if (!fam && f.kind === 'ethertype' && (s === 'arp' || s === '0x0806' || s === '2054')) continue;
        if (!fam) return undefined;
        fams.add(fam);
      }
      if (fams.size === 0) return protoMatch(NO_PROTOCOL, base, at, negated);
      if (fams.size === 1) return placedCopy({ kind: 'family', family: [...fams][0]! }, base, at, negated);
      return placedCopy({ kind: 'any-of', alternatives: [[{ kind: 'family', family: 'ipv4' }], [{ kind: 'family', family: 'ipv6' }]] }, base, at, negated);
    }
  }
}

/** An interface name as the model writes it (`eth*` → `eth+`; `\\*` is a literal star), undefined when not a name. */
function ifName(v: IrVal): string | undefined {
  const s = atomStr(v);
  if (s === undefined || s === '') return undefined;
  if (s.charCodeAt(s.length - 1) !== 42) return s;
  return s.endsWith('\\*') ? s.replace(/\\\*$/, '*') : `${s.slice(0, -1)}+`;
}

function opaque(module: string, text: string, reason: string, span?: Span): OpaqueMatch {
  const m: OpaqueMatch = { kind: 'opaque', module, text, reason };
  if (span) m.span = span;
  return m;
}

function setKey(tc: TableCtx, name: string): string {
  return `${tc.table.family} ${tc.table.name} ${name}`;
}

function isDynamic(s: IrSet, tc: TableCtx): boolean {
  return s.hasTimeout || s.flags.includes('dynamic') || s.flags.includes('timeout') || tc.dynamicSets.has(setKey(tc, s.name));
}

/** Resolve `@set` to its elements, or explain why it cannot be. */
function resolveRef(v: IrVal, tc: TableCtx): { val: IrVal } | { reason: string } {
  if (v.k !== 'ref') return { val: v };
  const s = tc.table.sets.get(v.name);
  if (!s) {
    const reason = `set ${v.name} is not declared in table ${tc.table.family} ${tc.table.name}`;
    if (!tc.reported.has(v.name) && v.span) {
      tc.reported.add(v.name);
      tc.diagnostics.push({ severity: 'error', code: 'nftables/unknown-set', message: `Set "@${v.name}" is not declared in table ${tc.table.family} ${tc.table.name}`, span: v.span });
    }
    return { reason };
  }
  if (isDynamic(s, tc)) return { reason: `set ${v.name} is filled at run time` };
  if (s.deleteUnsure) return { reason: `set ${v.name}: nft may keep the elements the delete element at line ${s.deleteUnsure.start.line} names (declared with the interval set in the same file)` };
  return { val: { k: 'set', elems: s.elems } };
}

function hasWildcard(v: IrVal): boolean {
  if (v.k !== 'set') return false;
  for (const e of v.elems) if (e.key.k === 'atom' && e.key.v === '*') return true;
  return false;
}

/** The rule a match is in, for the text of an opaque match: read only then (a parsed rule may slice it when read). */
interface RuleText {
  readonly text: string;
  /** nft -j: the document the statements' spans index (see IrRule.source). */
  readonly source?: string;
  /** text: the document the rule is in, when its text is read from it (IrRule.doc). */
  readonly doc?: string;
}

/** nft -j: the text of the match statement itself (a rule is a whole object over many lines, and naming it named no expression). */
/**
 * The text a reason names a match by: from nft -j, the match as nft writes it (`th dport 1767`), not its JSON object
 * (`{"match": {"op": "==", "left": {"payload": …}}}`), where the selector and value have an nft text; else the
 * match's own text in the rule, else the rule's.
 */
function placedText(rule: RuleText, left: IrExpr, op: string, right: IrVal, base: Span | undefined, at: number): string {
  return (rule.source !== undefined ? matchText(left, op, right) : undefined) ?? ownText(rule, base, at) ?? rule.text;
}

function ownText(rule: RuleText, base: Span | undefined, at: number): string | undefined {
  if (base === undefined) return undefined;
  if (at >= 0) {
    // text: a match placed on the rule's first line, which starts the rule's text (`rt type 0`, not the whole
    // `rt type 0 counter packets 0 bytes 0 drop` the rule reads)
    const sp = spanAt(base, at);
    const t = rule.text.slice(sp.start.offset - base.start.offset, sp.end.offset - base.start.offset).trim();
    return t === '' ? undefined : t;
  }
  // (text: a statement placed by a span of its own, a verdict map's key — `numgen random mod 2`, not the whole rule)
  const src = rule.source ?? rule.doc;
  if (src === undefined) return undefined;
  const t = src.slice(base.start.offset, base.end.offset).replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
  return t === '' ? undefined : t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/**
 * A match as nft lists it (`fib saddr . mark . iif oif missing`, `meta cpu != 1`), for the text of an undecoded
 * match read from nft -j; undefined when a part has no text here (another selector, a run-time value).
 */
function matchText(left: IrExpr, op: string, right: IrVal): string | undefined {
  const l = exprText(left);
  const r = l === undefined ? undefined : valText(right);
  if (r === undefined) return undefined;
  return (op === 'in' || op === '==') && left.k !== 'binop' ? `${l} ${r}` : `${l} ${op === 'in' ? '==' : op} ${r}`;
}

function exprText(e: IrExpr): string | undefined {
  switch (e.k) {
    case 'payload':
      return `${e.proto} ${e.field}`;
    case 'meta':
      return `meta ${e.key}`;
    case 'ct':
      return e.dir ? `ct ${e.dir} ${e.key}` : `ct ${e.key}`;
    case 'fib':
      return `fib ${e.flags.join(' . ')} ${e.result}`;
    case 'concat': {
      const items = e.items.map(exprText);
      return items.includes(undefined) ? undefined : items.join(' . ');
    }
    case 'binop': {
      const l = exprText(e.left);
      const r = l === undefined ? undefined : valText(e.right);
      return r === undefined ? undefined : `${l} ${e.op} ${r}`;
    }
    default:
      return undefined;
  }
}

function valText(v: IrVal): string | undefined {
  switch (v.k) {
    case 'atom':
      // (nft -j writes `missing` / `exists` as false / true)
      return typeof v.v === 'boolean' ? (v.v ? 'exists' : 'missing') : v.quoted ? `"${v.v}"` : String(v.v);
    case 'prefix':
      return `${v.addr}/${v.len}`;
    case 'range': {
      const lo = valText(v.lo);
      const hi = lo === undefined ? undefined : valText(v.hi);
      return hi === undefined ? undefined : `${lo}-${hi}`;
    }
    case 'ref':
      return `@${v.name}`;
    case 'set':
    case 'concat':
    case 'list': {
      const items = v.k === 'set' ? v.elems.map((e) => (e.data === undefined && e.verdict === undefined ? valText(e.key) : undefined)) : v.items.map(valText);
      if (items.includes(undefined)) return undefined;
      return v.k === 'set' ? `{ ${items.join(', ')} }` : items.join(v.k === 'concat' ? ' . ' : ',');
    }
    case 'masked': {
      const a = valText(v.value);
      const b = a === undefined ? undefined : valText(v.mask);
      return b === undefined ? undefined : `${a} / ${b}`;
    }
    default:
      return undefined;
  }
}

/** Where matches are pushed: a list, or the scratch list of the rule being built. */
interface MatchSink {
  push(m: Match): void;
}

/** One relational match → model matches (a conjunction), placed at (base, at) (see ./placed.ts). */
function convertMatch(left: IrExpr, op: string, right0: IrVal, tc: TableCtx, rule: RuleText, base: Span | undefined, at: number): Match[] {
  const out: Match[] = [];
  convertMatchInto(out, left, op, right0, tc, rule, base, at);
  return out;
}

/**
 * A one-value list reused for the values of a match with a single value (most of them):
 * valueMatch only reads the list, and nothing in it builds another match meanwhile.
 */
const ONE_VAL: IrVal[] = [{ k: 'atom', v: '' }];

/** convertMatch, the matches pushed onto `out` (a rule's list: no list per match). */
function convertMatchInto(out: MatchSink, left0: IrExpr, op: string, right1: IrVal, tc: TableCtx, rule: RuleText, base: Span | undefined, at: number): void {
  const negated = op === '!=';
  // `ip saddr & 255.255.255.0 == 192.0.2.0` is the prefix 192.0.2.0/24 (nft lists it so)
  const pfx = maskedPrefix(left0, op, right1);
  const left = pfx ? pfx.left : left0;
  const right0 = pfx ? pfx.right : right1;
  const imp = tcpOptionField(left, right0) ? TCP_IMPLIED : implied(left, tc);
  let right = right0;
  if (right0.k === 'ref') {
    const s = tc.table.sets.get(right0.name);
    if (s?.maybeKept && s.deleteUnsure && !isDynamic(s, tc) && (op === '==' || op === 'in')) {
      // the elements left for certain, or those the delete may have left in place (deleteElems): the latter undecided
      const sure: Match[] = [];
      convertMatchInto(sure, left0, op, { k: 'set', elems: s.elems }, tc, rule, base, at);
      const maybe: Match[] = [];
      convertMatchInto(maybe, left0, op, { k: 'set', elems: s.maybeKept }, tc, rule, base, at);
      const reason = `nft may keep the elements the delete element at line ${s.deleteUnsure.start.line} names (declared with the interval set in the same file)`;
      maybe.push(opaque(exprModule(left), placedText(rule, left, op, right0, base, at), reason, base && spanAt(base, at)));
      const m: Match = { kind: 'any-of', alternatives: [sure, maybe] };
      if (base) m.span = spanAt(base, at);
      return void out.push(m);
    }
    const res = resolveRef(right0, tc);
    if ('reason' in res) return failed(out, left, right0, imp, op, rule, res.reason, base, at);
    right = res.val;
  }
  if (hasWildcard(right)) return failed(out, left, right0, imp, op, rule, 'catch-all set element', base, at);
  if (left.k === 'concat') {
    if (op !== '==' && op !== '!=' && op !== 'in') return failed(out, left, right0, imp, op, rule, 'ordered comparison on a concatenation', base, at);
    const elems: IrVal[] = right.k === 'set' ? right.elems.map((e) => e.key) : [right];
    const alternatives: Match[][] = [];
    for (const el of elems) {
      if (el.k !== 'concat' || el.items.length !== left.items.length) return failed(out, left, right0, imp, op, rule, 'concatenation value does not fit its selector', base, at);
      const conj: Match[] = [];
      for (let i = 0; i < left.items.length; i++) {
        // into the conjunction itself: a `th dport` part sees a `meta l4proto` part before it
        const from = conj.length;
        convertMatchInto(conj, left.items[i]!, '==', el.items[i]!, tc, rule, base, at);
        for (let j = from; j < conj.length; j++)
          if (conj[j]!.kind === 'opaque') return failed(out, left, right0, imp, op, rule, 'a part of the concatenation is not decoded', base, at);
      }
      alternatives.push(dedupe(conj));
    }
    const m: Match = { kind: 'any-of', alternatives };
    if (base) m.span = spanAt(base, at);
    if (negated) m.negated = true;
    // the selectors' dependencies hold whether or not the tuple is in the set (`ip saddr . tcp dport != {...}` is still tcp only)
    for (const d of dedupe(left.items.flatMap((x) => implied(x, tc)))) out.push(d);
    out.push(m);
    return;
  }
  const frag = fragmentTest(left, op, right);
  if (frag !== undefined) return pushPlaced(out, imp, { kind: 'fragment' }, base, at, frag);
  const flags = tcpFlagsTest(left, op, right);
  if (flags === null) return failed(out, left, right0, imp, op, rule, 'TCP flags test not decoded', base, at);
  if (flags !== undefined) return pushPlaced(out, imp, { kind: 'tcp-flags', values: flags }, base, at, negated);
  const status = ctStatusTest(left, op, right);
  if (status) return void out.push(ctMatch(status, base, at, op === '!'));
  const direction = ctDirectionTest(left, op, right);
  // the packet's direction in its connection: ORIGINAL for every NEW packet, the test on the original tuple of every
  // protocol (as iptables `--ctdir`); a packet without a conntrack entry is undecided there too
  if (direction !== undefined) return pushPlaced(out, imp, { kind: 'ct-original', match: { kind: 'protocol', protocols: PROTO_UNIVERSE } }, base, at, !direction);
  const ift = iiftypeTest(left, op, right);
  if (ift !== undefined) return void out.push(iiftypeMatch(ift, placedText(rule, left, op, right0, base, at), base, at, negated));
  const pkt = pkttypeTest(left, op, right);
  if (pkt !== undefined) return void out.push(pkttypeMatch(pkt, placedText(rule, left, op, right0, base, at), base, at, negated));
  // (the protocol is one for both directions: `nft -j` writes `ct original protocol` without its direction)
  const orig = left.k === 'ct' && (left.dir === 'original' || left.key === 'protocol') ? CT_ORIGINAL.get(left.key) : undefined;
  const f = orig ?? classify(left);
  if (!f) return failed(out, left, right0, imp, op, rule, `${exprModule(left)} is not decoded`, base, at);
  let vals: IrVal[];
  if (right.k === 'atom' || right.k === 'prefix' || right.k === 'range') {
    vals = ONE_VAL;
    vals[0] = right;
  } else {
    vals = [];
    if (!leaves(right, vals)) return failed(out, left, right0, imp, op, rule, 'the value is computed at run time', base, at);
    if (vals.length === 0 && right.k === 'set') {
      // an empty set matches nothing
    } else if (vals.length === 0) return failed(out, left, right0, imp, op, rule, 'no value', base, at);
  }
  if (f.kind === 'ctstate' && right.k === 'list' && (op === '==' || op === '!=') && !orig) {
    // `ct state == established,related` (nft -j: `"==" … ["established", "related"]` or `{"|": […]}`): nft
    // compares the state with the OR of the values (`cmp eq reg 1 0x00000006`, `nft --debug=netlink`), and a
    // connection is in one state only, so two or more states never match (`!=`: always). Only the implicit
    // form (`in`: `ct state established,related`) and a set `{ … }` test any of them.
    const states = new Set<string>();
    for (const v of vals) {
      const s = atomStr(v);
      if (s === undefined || !CT_STATE_NAMES.has(s)) return failed(out, left, right0, imp, op, rule, `value not understood for ${exprModule(left)}`, base, at);
      states.add(s);
    }
    if (states.size > 1) {
      for (let i = 0; i < imp.length; i++) out.push(imp[i]!);
      out.push(ctMatch([], base, at, negated));
      return;
    }
  }
  if (orig) {
    // `ct original protocol/proto-src/proto-dst/ip saddr/…`: the plain match on the connection's original tuple
    const inner = valueMatch(f, vals, op, undefined, -1, false);
    if (!inner || (inner.kind !== 'protocol' && inner.kind !== 'port' && inner.kind !== 'address')) return failed(out, left, right0, imp, op, rule, `value not understood for ${exprModule(left)}`, base, at);
    // an address of the other family: the kernel ends the rule (NFT_BREAK) whether the test is negated or
    // not, and nft adds no `meta nfproto` of its own — so the family is a match of the rule, outside the negation
    const fam = f.kind === 'address' && (tc.mixedFamily || tc.table.family !== (f.family === 'ipv4' ? 'ip' : 'ip6')) ? FAMILY_MATCH[f.family] : undefined;
    return pushPlaced(out, fam ? [...imp, fam] : imp, { kind: 'ct-original', match: inner }, base, at, negated);
  }
  const cacheKey = right0.k === 'ref' ? `${right0.name}|${JSON.stringify(f)}|${op}` : undefined;
  let m: Match | undefined;
  if (cacheKey !== undefined) {
    if (tc.cache.has(cacheKey)) {
      const c = tc.cache.get(cacheKey);
      m = c ? placedCopy(c[0]!, base, at, negated) : undefined;
    } else {
      m = valueMatch(f, vals, op, undefined, -1, false);
      tc.cache.set(cacheKey, m ? [m] : null);
      if (m) m = placedCopy(m, base, at, negated);
    }
  } else m = valueMatch(f, vals, op, base, at, negated);
  if (!m) {
    const bad = vals.find((v) => !valueMatch(f, [v], '==', undefined, -1, false));
    const where = (bad && 'span' in bad && bad.span) || (base && spanAt(base, at));
    // a number past the field's range nft refuses ("Service out of range"); a name may be one the host resolves
    const outOfRange = bad !== undefined && (f.kind === 'port' || f.kind === 'protocol') && numberOutOfRange(bad, f.kind === 'port' ? 65535 : 255);
    if (where && outOfRange)
      tc.diagnostics.push({ severity: 'error', code: 'nftables/value-out-of-range', message: `Value ${describeVal(bad)} is out of range for ${exprModule(left)} (0-${f.kind === 'port' ? 65535 : 255}): nft refuses it`, span: where });
    else if (where && (op === '==' || op === '!=' || op === 'in'))
      tc.diagnostics.push({ severity: 'warning', code: 'nftables/bad-value', message: `Value ${bad ? describeVal(bad) : ''} is not a valid ${f.kind} for ${exprModule(left)}; the match is treated as undecidable`, span: where });
    return failed(out, left, right0, imp, op, rule, `value not understood for ${exprModule(left)}`, base, at);
  }
  if (f.kind === 'port' || f.kind === 'protocol') {
    octalNote(vals, tc);
    reversedRange(vals, f.kind === 'port' ? serviceNumber : protoNumber, f.kind === 'port' ? 65535 : 255, tc);
  }
  for (let i = 0; i < imp.length; i++) out.push(imp[i]!);
  if (m.kind === 'port' && left.k === 'payload' && left.proto === 'th' && !portProtocolsOnly(out)) m = thPorts(m, placedText(rule, left, op, right0, base, at), base, at, negated);
  else if (m.kind === 'protocol' && left.k === 'payload' && left.proto === 'ip6') m = nexthdrTest(m, placedText(rule, left, op, right0, base, at), base, at, negated);
  out.push(m);
}

/** The IPv6 extension headers (Linux ipv6_ext_hdr): hop-by-hop, routing, fragment, AH, no-next-header, destination options. */
const IPV6_EXT_HEADERS = numSetOf([[0, 0], [43, 44], [51, 51], [59, 60]]);

/**
 * `ip6 nexthdr` is the IPv6 header's next-header field, not the transport protocol (`meta l4proto`, which the kernel
 * finds past the extension headers): a TCP SYN with a destination-options header has 60 there (checked in a
 * namespace: `ip6 nexthdr tcp tcp dport 2222 drop` lets it connect, `meta l4proto tcp` does not). So a packet of a
 * written protocol may or may not match — it does when it has no extension headers, the model's plain packet — and
 * one of another protocol does not, unless an extension header is written too (then every packet is undecided).
 */
function nexthdrTest(m: Match & { kind: 'protocol' }, text: string, base: Span | undefined, at: number, negated: boolean): Match {
  const reason = 'a packet with IPv6 extension headers has the first one there, not its transport protocol';
  const span = base && spanAt(base, at);
  if (!m.protocols.intersect(IPV6_EXT_HEADERS).isEmpty) {
    const o = opaque('ip6 nexthdr', text, reason, span);
    if (negated) o.negated = true;
    return o;
  }
  const o = opaque('ip6 nexthdr', text, reason);
  o.plain = true;
  const written = protoMatch(m.protocols, undefined, -1, false);
  let any: Match;
  if (!negated) any = { kind: 'any-of', alternatives: [[written, o]] };
  else {
    // not (protocol P and nexthdr P): another protocol, or one of P with an extension header
    o.negated = true;
    any = { kind: 'any-of', alternatives: [[protoMatch(m.protocols, undefined, -1, true)], [written, o]] };
  }
  if (span) any.span = span;
  return any;
}

/**
 * `th dport`/`th sport` read bytes 0–3 of any transport header: nft adds no protocol test (nft --debug=netlink:
 * `payload load 2b @ transport header + 2`, nothing before), so on ICMP, GRE, ESP… they compare a checksum or
 * a type field. The match is: a port-protocol packet with the port, or a packet of another protocol that may or
 * may not match — unless the rule already took only port protocols (`meta l4proto { tcp, udp }` before it).
 * `th sport` on ICMP (in IPv4) and ICMPv6 (in IPv6) reads the type and code bytes, `type * 256 + code`: the model's
 * ICMP value itself, so that part is decided (`payload load 2b @ transport header + 0`; in a namespace `th sport 2048
 * drop` drops ping's echo requests, 8/0, and `th sport 32768` ICMPv6 ones, 128/0, while `th sport 2049` lets them
 * through). `th dport` there reads the checksum, which the text does not say: undecided.
 */
function thPorts(m: Match & { kind: 'port' }, text: string, base: Span | undefined, at: number, negated: boolean): Match {
  const other = opaque(`th ${m.dir === 'dst' ? 'dport' : 'sport'}`, text, 'on a protocol without ports it reads bytes of another header field');
  const port = [portMatch(m.dir, m.ports, undefined, -1, false)];
  const any: Match =
    m.dir === 'dst'
      ? { kind: 'any-of', alternatives: [port, [protoMatch(NON_PORT_PROTOCOLS, undefined, -1, false), other]] }
      : {
          kind: 'any-of',
          alternatives: [
            port,
            [icmpMatch('ipv4', m.ports, undefined, -1, false)],
            [icmpMatch('ipv6', m.ports, undefined, -1, false)],
            [protoMatch(NON_PORT_NON_ICMP, undefined, -1, false), other],
            // (ICMP's number in an IPv6 packet, ICMPv6's in an IPv4 one: not the model's ICMP, still undecided)
            [protocolMatch(1), FAMILY_MATCH.ipv6, other],
            [protocolMatch(58), FAMILY_MATCH.ipv4, other],
          ],
        };
  if (base) any.span = spanAt(base, at);
  if (negated) any.negated = true;
  return any;
}
const NON_PORT_PROTOCOLS = PROTO_UNIVERSE.subtract(PORT_PROTOCOLS);
const NON_PORT_NON_ICMP = NON_PORT_PROTOCOLS.subtract(numSetOf([[1, 1], [58, 58]]));

/** Whether the rule's matches so far take only port-carrying protocols (a protocol match within them). */
function portProtocolsOnly(out: MatchSink): boolean {
  const items = out instanceof MatchScratch ? out.items : (out as Match[]);
  const n = out instanceof MatchScratch ? out.n : items.length;
  for (let i = 0; i < n; i++) {
    const x = items[i]!;
    if (x.kind === 'protocol' && !x.negated && x.protocols.subtract(PORT_PROTOCOLS).isEmpty) return true;
  }
  return false;
}

/**
 * `ct status snat|dnat` (and a list of both) as the connection states the model has for them, or undefined. Only
 * nft's flag tests read as such: the implicit operator (`in`: any of the bits) and `!` (none of them); `==`,
 * `!=` and a set of several values compare the whole status word (also `confirmed`, `*-nat-done`…), and stay
 * undecided. nft writes `ct status { dnat }` back as `ct status dnat` (one element: the plain flag test).
 */
function ctStatusTest(left: IrExpr, op: string, right: IrVal): CtState[] | undefined {
  if (left.k !== 'ct' || left.key !== 'status' || left.dir !== undefined || (op !== 'in' && op !== '!')) return undefined;
  const vals = right.k === 'list' ? right.items : right.k === 'set' && right.elems.length === 1 ? [right.elems[0]!.key] : [right];
  const states: CtState[] = [];
  for (const v of vals) {
    const s = atomStr(v);
    if (s !== 'dnat' && s !== 'snat') return undefined;
    if (!states.includes(s)) states.push(s);
  }
  return states;
}

/** `ct direction original|reply` (implicit or `==`, `!=`): whether it tests for the ORIGINAL direction; undefined for anything else. */
function ctDirectionTest(left: IrExpr, op: string, right: IrVal): boolean | undefined {
  if (left.k !== 'ct' || left.key !== 'direction' || left.dir !== undefined || (op !== 'in' && op !== '==' && op !== '!=')) return undefined;
  const s = atomStr(right);
  // (nft's ct_dir type: original 0, reply 1)
  const original = s === 'original' || s === '0' ? true : s === 'reply' || s === '1' ? false : undefined;
  return original === undefined ? undefined : original !== (op === '!=');
}

/** Whether a value (or a bound of a range) is a number above max. */
function numberOutOfRange(v: IrVal, max: number): boolean {
  if (v.k === 'range') return numberOutOfRange(v.lo, max) || numberOutOfRange(v.hi, max);
  const s = atomStr(v);
  if (s === undefined) return false;
  if (/^[0-9]+$/.test(s)) return s.length > 10 || Number(s) > max;
  if (/^0x[0-9a-fA-F]+$/.test(s)) return s.length > 10 || parseInt(s.slice(2), 16) > max;
  // the text front end keeps `1761-70000` as one word
  const m = /^([0-9]+)-([0-9]+)$/.exec(s);
  return m !== null && (m[1]!.length > 10 || m[2]!.length > 10 || Number(m[1]) > max || Number(m[2]) > max);
}

/**
 * `meta iiftype loopback|ether|…` (`in`, `==`, `!=`): whether the tested types include the loopback type, and others;
 * undefined when it is not such a test.
 */
function iiftypeTest(left: IrExpr, op: string, right: IrVal): { loopback: boolean; other: boolean } | undefined {
  if (left.k !== 'meta' || left.key !== 'iiftype' || (op !== 'in' && op !== '==' && op !== '!=')) return undefined;
  const vals: IrVal[] = [];
  if (!leaves(right, vals) || vals.length === 0) return undefined;
  const r = { loopback: false, other: false };
  for (const v of vals) {
    const s = atomStr(v);
    if (s === undefined || v.k !== 'atom') return undefined;
    if (s === 'loopback' || s === '772') r.loopback = true;
    else r.other = true;
  }
  return r;
}

/**
 * An input device type test: only `lo` has the loopback type (ARPHRD_LOOPBACK, set by the loopback driver alone), so
 * `loopback` is `iif lo`; another type is false on `lo` and undecided on any other device (an interface's name does
 * not tell its type).
 */
function iiftypeMatch(t: { loopback: boolean; other: boolean }, text: string, base: Span | undefined, at: number, negated: boolean): Match {
  if (!t.other) return ifMatch('in', ['lo'], base, at, negated);
  const other = [ifMatch('in', ['lo'], undefined, -1, true), opaque('meta iiftype', text, 'the input device\'s type is not known from its name')];
  const m: Match = { kind: 'any-of', alternatives: t.loopback ? [[ifMatch('in', ['lo'], undefined, -1, false)], other] : [other] };
  if (base) m.span = spanAt(base, at);
  if (negated) m.negated = true;
  return m;
}

/**
 * `meta pkttype host|unicast|broadcast|multicast|other` (`in`, `==`, `!=`): whether the tested types include
 * host, or undefined when it is not such a test.
 */
function pkttypeTest(left: IrExpr, op: string, right: IrVal): boolean | undefined {
  if (left.k !== 'meta' || left.key !== 'pkttype' || (op !== 'in' && op !== '==' && op !== '!=')) return undefined;
  const vals: IrVal[] = [];
  if (!leaves(right, vals) || vals.length === 0) return undefined;
  let host = false;
  for (const v of vals) {
    const s = atomStr(v);
    if (s === 'host' || s === 'unicast') host = true;
    else if (s !== 'broadcast' && s !== 'multicast' && s !== 'other') return undefined;
  }
  return host;
}

/**
 * A packet type test, decided for TCP: a TCP packet not addressed to this host's link address opens no
 * connection (tcp_v4_rcv/tcp_v6_rcv discard a pkt_type other than PACKET_HOST, and ip_forward drops it before
 * the forward hook), so for the connections the exposure is about a TCP packet is of type host. For the other
 * protocols (UDP broadcast and multicast are delivered) the test stays undecided.
 */
function pkttypeMatch(host: boolean, text: string, base: Span | undefined, at: number, negated: boolean): Match {
  const other = opaque('meta pkttype', text, 'the link-layer packet type is only known per packet');
  // (the plain packet is sent to this host's link address, PACKET_HOST: the tracer takes its packet for one)
  other.plain = host;
  const alternatives: Match[][] = [[protoMatch(NOT_TCP, undefined, -1, false), other]];
  if (host) alternatives.unshift([protocolMatch(6)]);
  const m: Match = { kind: 'any-of', alternatives };
  if (base) m.span = spanAt(base, at);
  if (negated) m.negated = true;
  return m;
}
const NOT_TCP = PROTO_UNIVERSE.subtract(numRange(6, 6));
/** No IP packet: the test of an ethertype no IPv4 or IPv6 packet has. */
const NO_PROTOCOL = PROTO_UNIVERSE.subtract(PROTO_UNIVERSE);

/** The fields of `ct original …` read as the packet's own (ct-original matches); not inside concatenations. */
const CT_ORIGINAL: ReadonlyMap<string, FieldKind> = new Map<string, FieldKind>([
  ['protocol', FK_PROTOCOL],
  ['proto-src', FK_PORT_SRC],
  ['proto-dst', FK_PORT_DST],
  // only with the family written: nft 1.0.6 takes `ct original saddr 10.0.0.0/8` without it, and lists the value
  // back as another (0.0.0.10), so such a test stays undecided
  ['ip saddr', FK_ADDRESS[0]!],
  ['ip daddr', FK_ADDRESS[1]!],
  ['ip6 saddr', FK_ADDRESS[2]!],
  ['ip6 daddr', FK_ADDRESS[3]!],
]);

function isTcpFlags(e: IrExpr): boolean {
  return e.k === 'payload' && e.proto === 'tcp' && e.field === 'flags';
}

/**
 * `tcp flags …` as the flags bytes it takes (`!=` is left to the caller's negation): undefined when the
 * selector is not TCP flags, null when it is but the test is not read. The forms `nft` writes and reads:
 * implicit (`in`: any of the bits; a set: one of its values), `==`, `!` (none of the bits), a mask on
 * either side (`tcp flags & (syn|ack) == syn`, `tcp flags syn / syn,ack`).
 */
/**
 * An address under a contiguous netmask compared with an address inside it (`ip saddr & 255.255.255.0 ==
 * 192.0.2.0`, `ip6 daddr & ffff:ffff:: != fd00::`): the selector and the prefix. Anything else: undefined (opaque).
 */
function maskedPrefix(left: IrExpr, op: string, right: IrVal): { left: IrExpr; right: IrVal } | undefined {
  if (left.k !== 'binop' || left.op !== '&' || (op !== '==' && op !== '!=')) return undefined;
  const sel = left.left;
  if (sel.k !== 'payload' || (sel.proto !== 'ip' && sel.proto !== 'ip6') || (sel.field !== 'saddr' && sel.field !== 'daddr')) return undefined;
  if (left.right.k !== 'atom' || typeof left.right.v !== 'string' || right.k !== 'atom' || typeof right.v !== 'string') return undefined;
  const mask = parseAddress(left.right.v);
  const addr = parseAddress(right.v);
  const bits = sel.proto === 'ip' ? 32 : 128;
  if (!mask || !addr || mask.family !== addr.family || (mask.family === 'ipv4') !== (bits === 32)) return undefined;
  const m = BigInt(mask.value);
  let len = 0;
  while (len < bits && (m >> BigInt(bits - 1 - len)) & 1n) len++;
  const full = (1n << BigInt(bits)) - 1n;
  const want = len === 0 ? 0n : (full >> BigInt(bits - len)) << BigInt(bits - len);
  // a mask with holes, or an address with bits the mask clears (it never matches): left opaque
  if (m !== want || (BigInt(addr.value) & ~want & full) !== 0n) return undefined;
  return { left: sel, right: { k: 'prefix', addr: right.v, len } };
}

/**
 * `ip frag-off & 0x1fff != 0`, nft's test for a non-first fragment (the wiki's "Matching packet headers"; iptables
 * `-f`): the fragment match, negated for `== 0`; undefined for anything else (the MF bit, another mask: opaque).
 */
function fragmentTest(left: IrExpr, op: string, right: IrVal): boolean | undefined {
  if (left.k !== 'binop' || left.op !== '&' || left.left.k !== 'payload' || left.left.proto !== 'ip' || left.left.field !== 'frag-off') return undefined;
  if (intOf(left.right) !== 0x1fff || intOf(right) !== 0) return undefined;
  return op === '!=' ? false : op === '==' ? true : undefined;
}

/** A number written as an atom (`8191`, `0x1fff`), else undefined. */
function intOf(v: IrVal): number | undefined {
  if (v.k !== 'atom') return undefined;
  if (typeof v.v === 'number') return v.v;
  return typeof v.v === 'string' && /^(?:0x[0-9a-f]{1,8}|[0-9]{1,10})$/i.test(v.v) ? Number(v.v) : undefined;
}

function tcpFlagsTest(left: IrExpr, op: string, right: IrVal): NumSet | null | undefined {
  let mask = 0xff;
  if (left.k === 'binop') {
    if (!isTcpFlags(left.left)) return undefined;
    const m = left.op === '&' ? flagBits(left.right) : undefined;
    if (m === undefined) return null;
    mask = m;
  } else if (!isTcpFlags(left)) return undefined;
  let value = right;
  if (right.k === 'masked') {
    const m = flagBits(right.mask);
    if (m === undefined || mask !== 0xff) return null;
    mask = m;
    value = right.value;
    if (op === 'in') op = '==';
  }
  if (value.k === 'set') {
    if (op !== '==' && op !== '!=' && op !== 'in') return null;
    const taken: number[] = [];
    for (const e of value.elems) {
      const b = flagBits(e.key);
      if (b === undefined) return null;
      taken.push(b);
    }
    return tcpFlagsWhere((f) => taken.includes(f & mask));
  }
  const b = flagBits(value);
  if (b === undefined) return null;
  switch (op) {
    case 'in':
      // implicit on the bare selector: any of the bits; after a mask, equality
      return mask === 0xff ? tcpFlagsWhere((f) => (f & b) !== 0) : tcpFlagsWhere((f) => (f & mask) === b);
    case '==':
    case '!=':
      return tcpFlagsWhere((f) => (f & mask) === b);
    case '!':
      return tcpFlagsWhere((f) => (f & mask & b) === 0);
    default:
      return null;
  }
}

/** The bits of a flags value: a name or number, a list of them (OR), `(a|b)`; undefined when not one. */
function flagBits(v: IrVal): number | undefined {
  switch (v.k) {
    case 'atom':
      if (typeof v.v === 'number') return v.v >= 0 && v.v <= 0xff ? v.v : undefined;
      if (typeof v.v !== 'string') return undefined;
      return flagWord(v.v);
    case 'list': {
      let bits = 0;
      for (const x of v.items) {
        const b = flagBits(x);
        if (b === undefined) return undefined;
        bits |= b;
      }
      return bits;
    }
    case 'expr': {
      // `(syn|ack)` or `syn|ack`, as the text front end keeps them
      let t = v.text.trim();
      if (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1);
      let bits = 0;
      for (const w of t.split('|')) {
        const b = flagWord(w.trim());
        if (b === undefined) return undefined;
        bits |= b;
      }
      return bits;
    }
    default:
      return undefined;
  }
}

/** One flag name (nft's lower-case names; not iptables' ALL/NONE) or a number (0x12, 18). */
function flagWord(w: string): number | undefined {
  if (/^(0x[0-9a-f]{1,2}|[0-9]{1,3})$/i.test(w)) {
    const n = Number(w);
    return n <= 0xff ? n : undefined;
  }
  const lw = w.toLowerCase();
  return lw === 'all' || lw === 'none' ? undefined : tcpFlagBits(lw);
}

/** The selector's dependencies and `m` (a match of its own, given its span and negation here), pushed onto `out`. */
function pushPlaced(out: MatchSink, imp: Match[], m: Match, base: Span | undefined, at: number, negated: boolean): void {
  if (base) m.span = spanAt(base, at);
  if (negated) m.negated = true;
  for (let i = 0; i < imp.length; i++) out.push(imp[i]!);
  out.push(m);
}

/** The conjunction for a match that cannot be decoded, pushed onto `out`: the selector's dependencies and an opaque match. */
function failed(out: MatchSink, left: IrExpr, right0: IrVal, imp: Match[], op: string, rule: RuleText, reason: string, base: Span | undefined, at: number): void {
  const negated = op === '!=';
  const text = placedText(rule, left, op, right0, base, at);
  const m = opaque(right0.k === 'ref' ? 'set' : exprModule(left), text, reason, base && spanAt(base, at));
  if (negated) m.negated = true;
  // a test of header fields the sender chooses: what it gives for the plain packets (before the negation)
  const holds = plainHolds(left, op, right0);
  if (holds !== undefined) m.plain = negated ? !holds : holds;
  const forwarded = plainHolds(left, op, right0, true);
  if (forwarded !== undefined) m.plainForwarded = negated ? !forwarded : forwarded;
  // a mark test the engine reads against what earlier rules set (src/model/marks.ts; `!=` is the match's negation)
  const mark = nftMarkTest(left, op, right0);
  if (mark) m.mark = mark;
  for (let i = 0; i < imp.length; i++) out.push(imp[i]!);
  out.push(m);
}

/**
 * `m` (a match without span or negation, as cached) placed at (base, at) and negated as asked: the
 * common kinds as the placed matches of ./placed.ts, the others as a copy with a span of their own.
 * Keys in the order they always had: the match's own, then span, then negated.
 */
function placedCopy(m: Match, base: Span | undefined, at: number, negated: boolean): Match {
  if (base) {
    switch (m.kind) {
      case 'address':
        return addrMatch(m.dir, m.addrs, base, at, negated);
      case 'port':
        return portMatch(m.dir, m.ports, base, at, negated);
      case 'protocol':
        return protoMatch(m.protocols, base, at, negated);
      case 'interface':
        return ifMatch(m.dir, m.names, base, at, negated);
      case 'ctstate':
        return ctMatch(m.states, base, at, negated);
      case 'icmp-type':
        return icmpMatch(m.family, m.values, base, at, negated);
    }
  }
  const c: Match = { ...m };
  if (base) c.span = spanAt(base, at);
  if (negated) c.negated = true;
  return c;
}

function describeVal(v: IrVal): string {
  switch (v.k) {
    case 'atom':
      return JSON.stringify(String(v.v));
    case 'prefix':
      return `${v.addr}/${v.len}`;
    case 'range':
      return `${describeVal(v.lo)}-${describeVal(v.hi)}`;
    default:
      return v.k;
  }
}

/** Drop exact repeats (`meta l4proto tcp tcp dport 22` states tcp twice); only same-kind matches can repeat. */
function dedupe(ms: Match[]): Match[] {
  if (ms.length < 2) return ms;
  let repeated = false;
  for (let i = 1; i < ms.length && !repeated; i++) for (let j = 0; j < i; j++) if (ms[i]!.kind === ms[j]!.kind) repeated = true;
  if (!repeated) return ms;
  const seen = new Set<string>();
  const out: Match[] = [];
  for (const m of ms) {
    const k = canonicalMatch(m);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(m);
  }
  return out;
}

// ---------------------------------------------------------------- actions

/** Verdicts without arguments: one immutable action each, shared by every rule. */
const SIMPLE_VERDICTS = {
  accept: Object.freeze<Action>({ kind: 'accept' }),
  drop: Object.freeze<Action>({ kind: 'drop' }),
  return: Object.freeze<Action>({ kind: 'return' }),
  continue: Object.freeze<Action>({ kind: 'continue', target: 'continue' }),
  reject: Object.freeze<Action>({ kind: 'reject' }),
};

function verdictAction(v: IrVerdict): Action {
  switch (v.k) {
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
      return SIMPLE_VERDICTS[v.k];
    case 'jump':
    case 'goto':
      return { kind: v.k, target: v.target };
    case 'reject':
      return v.with === undefined ? SIMPLE_VERDICTS.reject : { kind: 'reject', with: v.with };
    case 'queue':
      return { kind: 'queue', text: v.text };
    case 'unknown':
      return { kind: 'unknown', target: v.target, text: v.text };
  }
}

function natAction(st: Extract<IrStmt, { k: 'nat' }>): Action {
  const a: Action = { kind: 'nat', type: st.type, text: st.text };
  if (st.addr) {
    const s = addrOf(st.addr, undefined);
    if (s) a.toAddrs = s;
  }
  if (st.port) {
    if (numOf(st.port, () => undefined, 65535)) a.toPorts = numRange(NUM_LO, NUM_HI);
  }
  return a;
}

/**
 * The action of a rule that rewrites an address or a port and goes on (ir.ts rewrittenField). A new destination
 * (`ip daddr set 10.0.1.1`, `tcp dport set 22`) is a stateless destination NAT: the routing decision, the rules after
 * it and the socket see the new value, as after a DNAT; so it is read as one — to the value written, or to any address
 * or port where it is computed (`numgen inc mod 2 map { … }`) — and, as for a DNAT, what the rest of this chain would do
 * to the packet is not followed (the packet leaves the chain as a DNAT's does: what follows only ever adds drops, or
 * accepts what the DNAT already lets on). A new source is not followed: the verdict is unknown.
 */
function rewriteAction(st: Extract<IrStmt, { k: 'continue' }>, text: string): Action {
  const field = st.rewrites!.slice(st.rewrites!.indexOf(' ') + 1);
  if (field !== 'daddr' && field !== 'dport') return { kind: 'unknown', target: `${st.rewrites} set`, text, rewrites: true };
  const nat = natAction(field === 'daddr' ? { k: 'nat', type: 'dnat', text, span: st.span!, addr: st.rewriteTo ?? { k: 'expr', text } } : { k: 'nat', type: 'dnat', text, span: st.span!, port: st.rewriteTo ?? { k: 'expr', text } });
  if (nat.kind === 'nat') {
    if (field === 'daddr' && !nat.toAddrs) nat.toAddrs = AddrSet.ALL;
    if (field === 'dport' && !nat.toPorts) nat.toPorts = PORT_UNIVERSE;
  }
  return nat;
}

// ---------------------------------------------------------------- rules

interface BuildCounters {
  nextId: number;
}

/**
 * The matches of the rule being built: one list reused for every rule (buildRules never runs
 * inside itself), filled up to `n` and copied out at its exact size. Slots past `n` keep the
 * previous rules' matches until overwritten (the model has them anyway); clearBuildCaches empties it.
 */
class MatchScratch {
  readonly items: Match[] = [];
  n = 0;
  push(m: Match): void {
    this.items[this.n++] = m;
  }
  /** The matches pushed, as a new exact-size list. */
  take(): Match[] {
    return this.items.slice(0, this.n);
  }
}
const BASE = new MatchScratch();

/** Fall-through actions, one per target ("none", "counter", "log"...) while a document is built. Emptied at the end. */
const CONTINUES = new Map<string, Action>();
function continueAction(target: string): Action {
  let a = CONTINUES.get(target);
  if (a === undefined) CONTINUES.set(target, (a = { kind: 'continue', target }));
  return a;
}

/**
 * A model rule over `matches` (an exact-size list of its own), reported at `rs` (a span, or its place
 * next to the rule's span): an NftRule when its text is read from the document (text input), else
 * (JSON input, rules from included files) every field in one literal, same key order as before.
 */
function makeRule(r: IrRule, matches: Match[], action: Action, rs0: Span | number | undefined, counters: BuildCounters): Rule {
  const id = counters.nextId++;
  const { span, doc, comment } = r;
  if (doc !== undefined) return NftRule.of(id, matches, action, span, doc, rs0, comment);
  const text = r.text;
  const rs = typeof rs0 === 'number' ? spanAt(span, rs0) : rs0;
  if (rs) return comment !== undefined ? { id, matches, action, span, text, reportSpan: rs, comment } : { id, matches, action, span, text, reportSpan: rs };
  return comment !== undefined ? { id, matches, action, span, text, comment } : { id, matches, action, span, text };
}

const PORT_HEADERS: ReadonlySet<string> = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'th']);

/** A `<l4> sport|dport != N` test of one value: nft may merge it with its neighbour (see mergedNeq). */
function neqPort(st: IrStmt): { field: 'sport' | 'dport'; port: number } | undefined {
  if (st.k !== 'match' || st.op !== '!=' || st.left.k !== 'payload' || !PORT_HEADERS.has(st.left.proto) || st.right.k !== 'atom') return undefined;
  const field = st.left.field;
  if (field !== 'sport' && field !== 'dport') return undefined;
  const v = st.right.v;
  const port = typeof v === 'number' ? v : typeof v === 'string' ? (parseNumber(v) ?? serviceNumber(v)) : undefined;
  return port !== undefined && Number.isInteger(port) && port >= 0 && port <= 65535 ? { field, port } : undefined;
}

/**
 * nft merges the payload tests of adjacent header fields that use one operator into one test (payload_try_merge /
 * stmt_reduce in nft's rule.c), `!=` too: `udp sport != 53 udp dport != 22` is loaded as one 4-byte `cmp neq`
 * (`nft --debug=netlink`, nft 1.0.6), which matches unless BOTH are equal, and the kernel then lets in (or drops)
 * the packets where only one is. Returns the statements of the region where nft and the written text disagree (one
 * port equal, the other not), as a concatenation, with the places of the two tests; undefined when the rule has no
 * such pair (matches are grouped as nft does: a statement that is not a match ends the group).
 */
function mergedNeq(stmts: readonly IrStmt[], from: number, to: number): { i: number; j: number; region: Extract<IrStmt, { k: 'match' }> } | undefined {
  let sp = -1;
  let dp = -1;
  for (let i = from; i < to; i++) {
    const st = stmts[i]!;
    if (st.k === 'verdict') break;
    if (st.k !== 'match') {
      if (sp >= 0 && dp >= 0) break;
      sp = dp = -1;
      continue;
    }
    const t = neqPort(st);
    if (t?.field === 'sport') sp = sp < 0 ? i : -2;
    else if (t?.field === 'dport') dp = dp < 0 ? i : -2;
  }
  if (sp < 0 || dp < 0) return undefined;
  const s = stmts[sp] as Extract<IrStmt, { k: 'match' }>;
  const d = stmts[dp] as Extract<IrStmt, { k: 'match' }>;
  const a = neqPort(s)!.port;
  const b = neqPort(d)!.port;
  const n = (v: number): IrVal => ({ k: 'atom', v });
  const others = (v: number): IrVal[] => [...(v > 0 ? [v === 1 ? n(0) : { k: 'range' as const, lo: n(0), hi: n(v - 1) }] : []), ...(v < 65535 ? [v === 65534 ? n(65535) : { k: 'range' as const, lo: n(v + 1), hi: n(65535) }] : [])];
  const elems = [...others(b).map((o) => [n(a), o]), ...others(a).map((o) => [o, n(b)])].map((items) => ({ key: { k: 'concat' as const, items } }));
  const region: Extract<IrStmt, { k: 'match' }> = { k: 'match', left: { k: 'concat', items: [s.left, d.left] }, op: '==', right: { k: 'set', elems }, span: (s.at !== undefined && s.at >= 0 ? spanAt(s.span, s.at) : undefined) ?? s.span };
  return { i: sp, j: dp, region };
}

/** The model rules of one parsed rule (its statements are stmts[from, to)): one rule (the common case), or a list when a verdict map gives several. */
function buildRules(r: IrRule, stmts: readonly IrStmt[], from: number, to: number, tc: TableCtx, counters: BuildCounters): Rule | Rule[] {
  const merged = mergedNeq(stmts, from, to);
  if (merged) {
    // as written (both differ: matched whatever nft does), then the region where nft's merged test matches too:
    // undecided, since a later nft may not merge `!=` tests
    const first = buildRules1(r, stmts, from, to, tc, counters);
    const s = stmts[merged.i] as Extract<IrStmt, { k: 'match' }>;
    const d = stmts[merged.j] as Extract<IrStmt, { k: 'match' }>;
    const test = (m: Extract<IrStmt, { k: 'match' }>): string => (m.left.k === 'payload' && m.right.k === 'atom' ? `${m.left.proto} ${m.left.field} != ${String(m.right.v)}` : '');
    const what = `${test(s)} … ${test(d)}`;
    const reason = 'nft merges these two != tests into one that matches unless both ports are equal (nft 1.0.6): a packet with one of them equal may or may not match';
    const rest: IrStmt[] = [];
    for (let i = from; i < to; i++) {
      if (i === merged.i) rest.push(merged.region, { k: 'opaque', module: 'nft-merge', text: what, reason, span: merged.region.span });
      else if (i !== merged.j) rest.push(stmts[i]!);
    }
    const second = buildRules1(r, rest, 0, rest.length, tc, counters);
    tc.diagnostics.push({ severity: 'warning', code: 'nftables/merged-neq', message: `${what}: ${reason}`, span: r.span });
    return [...(Array.isArray(first) ? first : [first]), ...(Array.isArray(second) ? second : [second])];
  }
  return buildRules1(r, stmts, from, to, tc, counters);
}

function buildRules1(r: IrRule, stmts: readonly IrStmt[], from: number, to: number, tc: TableCtx, counters: BuildCounters): Rule | Rule[] {
  // Statements run in order and a verdict ends the rule: matches written after a
  // verdict never run. A verdict map ends the rule too: a packet whose key is in the map
  // takes its element's verdict, and for any other the lookup fails and the rule breaks
  // (nft_lookup_eval: NFT_BREAK), as a failed match does. Only an element whose verdict
  // is `continue` goes on with the statements after the map (`post`).
  const base = BASE;
  base.n = 0;
  let post: Match[] | undefined;
  let action: Action | undefined;
  let vmap: Extract<IrStmt, { k: 'vmap' }> | undefined;
  let natMap: Extract<IrStmt, { k: 'nat' }> | undefined;
  // the names of the statements that do not end the rule, space-separated
  let cont: string | undefined;
  // a `notrack` statement ran before the verdict (Action.untrack)
  let untrack = false;
  // a statement rewrote a header field the sender chose (Action.mangles)
  let mangles = false;
  // the mark changes before the verdict (Action.marks), and those before a verdict map (its elements' rules)
  let marks: MarkOp[] | undefined;
  let vmapMarks: MarkOp[] | undefined;
  let reportSpan: Span | number | undefined;
  for (let i = from; i < to; i++) {
    const st = stmts[i]!;
    if (st.k === 'verdict') {
      action = verdictAction(st.v);
      if (st.v.k === 'reject' && st.v.with !== undefined) rejectFamilyCheck(st.v.with, tc, st.span ?? r.span);
      break;
    }
    switch (st.k) {
      case 'match':
        if (post === undefined) {
          convertMatchInto(base, st.left, st.op, st.right, tc, r, st.span, st.at ?? -1);
          if (st.rightSpan !== undefined && st.left.k === 'payload' && st.left.field === 'dport') reportSpan = st.rightSpan;
        } else convertMatchInto(post, st.left, st.op, st.right, tc, r, st.span, st.at ?? -1);
        break;
      case 'opaque':
        (post ?? base).push(opaque(st.module, st.text, st.reason, st.span));
        break;
      case 'unknown':
        (post ?? base).push(opaque('unknown', st.text, 'statement not understood', st.span));
        break;
      case 'vmap':
        if (vmap) {
          // a second map only runs for packets the first did not decide: keep it undecided
          post!.push(opaque('vmap', r.text, 'a second verdict map in one rule', st.span));
          break;
        }
        vmap = st;
        post = [];
        vmapMarks = marks?.slice();
        break;
      case 'nat':
        // a NAT statement ends a nat chain's rule; a verdict written after it wins (as the parsers read them)
        action = natAction(st);
        // (a map lookup: expanded per element below)
        if (st.map && !vmap) {
          natMap = st;
          break;
        }
        // `dnat ip to 10.0.0.1` in an inet table: nft adds `meta nfproto ipv4`, IPv6 packets skip the rule
        if (tc.mixedFamily && action.kind === 'nat' && action.toAddrs) {
          const v4 = !action.toAddrs.only('ipv4').isEmpty;
          const v6 = !action.toAddrs.only('ipv6').isEmpty;
          if (v4 !== v6) (post ?? base).push(FAMILY_MATCH[v4 ? 'ipv4' : 'ipv6']);
        }
        break;
      case 'continue':
        cont = cont === undefined ? st.name : `${cont} ${st.name}`;
        if (st.name === 'notrack') untrack = true;
        if (st.mangles) mangles = true;
        if (st.mark) {
          (marks ??= []).push(st.mark);
          // reading the connection's mark (`meta mark set ct mark`, `ct mark set ct mark | 0x1`) breaks the rule for a
          // packet without a conntrack entry (nft_ct_get_eval: NFT_BREAK), as a test of it would: only tracked packets go
          // on with the rule
          const op = st.mark;
          if (!('forget' in op) && (op.ct ? op.and !== 0 : op.copy !== 0)) (post ?? base).push(CT_TRACKED);
        }
        // `add @s { ip saddr }`, `ip dscp set cs1`: nft makes the rule depend on the fields' protocol
        if (st.deps) for (const e of st.deps) for (const m of implied(e, tc)) (post ?? base).push(m);
        if (st.rewrites) {
          action = rewriteAction(st, r.text);
          i = to;
        }
        break;
    }
  }
  // what nft adds to a reject of its own (`nft --debug=netlink`), though its listing hides it in an ip table
  if (action !== undefined && action.kind === 'reject' && action.with !== undefined) {
    const dep = rejectDependency(action.with, tc);
    if (dep !== undefined) base.push(dep);
  }
  const taken = base.take();
  const matches = dedupe(taken);
  if (natMap && !vmap && action !== undefined && action.kind === 'nat') {
    const mk = (ms: Match[], a: Action): Rule => makeRule(r, ms, untracking(a, untrack, marks, mangles), reportSpan, counters);
    return expandNatMap(natMap, matches, tc, r, mk);
  }
  if (vmap) {
    const mk = (ms: Match[], a: Action, report?: Span): Rule => makeRule(r, ms.slice(), untracking(a, untrack, vmapMarks, mangles), report ?? reportSpan, counters);
    // an element whose verdict is `continue`: the statements after the map
    const goOn = (ms: Match[]): Rule => makeRule(r, dedupe([...ms, ...post!]).slice(), untracking(action ?? continueAction(cont ?? 'none'), untrack, marks, mangles), reportSpan, counters);
    return expandVmap(vmap, matches, tc, r, mk, goOn);
  }
  // dedupe gives its list back, or a new one grown by push: then made exact-size
  return makeRule(r, matches === taken ? matches : matches.slice(), untracking(action ?? continueAction(cont ?? 'none'), untrack, marks, mangles), reportSpan, counters);
}

/**
 * The match nft puts before a reject that only some packets can take: `with tcp reset` only TCP (a
 * `meta l4proto tcp`, in every family), `with icmp …` / `with icmpv6 …` in an inet (or bridge, netdev)
 * table only that family. `with icmpx …` and a plain `reject` fit every packet.
 */
/**
 * A reject whose ICMP kind the table's family cannot send: nft refuses the file (evaluate.c,
 * stmt_evaluate_reject_family). In an ip or ip6 table `with icmpx …` ("abstracted ICMP unreachable not supported"),
 * `with icmpv6 …` in ip and `with icmp …` in ip6 ("conflicting protocols specified: ip vs ip6").
 */
function rejectFamilyCheck(w: string, tc: TableCtx, span: Span): void {
  const fam = tc.table.family;
  if (fam !== 'ip' && fam !== 'ip6') return;
  const kind = w.split(/\s+/, 1)[0];
  const message =
    kind === 'icmpx'
      ? `reject with icmpx in an ${fam} table: nft refuses the file ("abstracted ICMP unreachable not supported"; icmpx is for inet tables, here use "with ${fam === 'ip' ? 'icmp' : 'icmpv6'}")`
      : (kind === 'icmpv6' && fam === 'ip') || (kind === 'icmp' && fam === 'ip6')
        ? `reject with ${kind} in an ${fam} table: nft refuses the file ("conflicting protocols specified: ip vs ip6")`
        : undefined;
  if (message) tc.diagnostics.push({ severity: 'error', code: 'nftables/reject-family', message, span });
}

function rejectDependency(w: string, tc: TableCtx): Match | undefined {
  if (w.startsWith('tcp')) return protocolMatch(6);
  if (!tc.mixedFamily) return undefined;
  if (w.startsWith('icmpv6')) return FAMILY_MATCH.ipv6;
  if (w.startsWith('icmp') && !w.startsWith('icmpx')) return FAMILY_MATCH.ipv4;
  return undefined;
}

/** The packets with a conntrack entry (what `ct mark` can be read of). */
const CT_TRACKED: Match = Object.freeze({ kind: 'ctstate', states: ['new', 'established', 'related'] }) as Match;

/** The action, or (after a `notrack` statement, mark changes, header rewrites) a copy of it that also untracks, changes marks, mangles. */
function untracking(a: Action, untrack: boolean, marks?: MarkOp[], mangles = false): Action {
  if (!untrack && marks === undefined && !mangles) return a;
  const b: Action = { ...a };
  if (untrack) b.untrack = true;
  if (mangles) b.mangles = true;
  if (marks !== undefined) b.marks = marks;
  return b;
}

/**
 * `dnat to KEY map { k : addr [. port], … }` (or `@m`): a packet whose key is in the map is translated to its
 * element's data; for any other the lookup fails and the rule breaks (nft_lookup: NFT_BREAK), so the packet goes
 * on to the next rule untranslated. One rule per element, as for a verdict map. A map not known here: the rule
 * may or may not match, and translates to an address not known.
 */
function expandNatMap(st: Extract<IrStmt, { k: 'nat' }>, base: Match[], tc: TableCtx, r: IrRule, mk: (ms: Match[], a: Action) => Rule): Rule[] {
  const { key, map, port } = st.map!;
  const res = resolveRef(map, tc);
  // (an address or port not known: any)
  const anyTarget = (a: Action): Action => {
    if (a.kind === 'nat' && a.type === 'dnat' && !a.toAddrs) a.toAddrs = tc.table.family === 'ip' ? AddrSet.ALL_V4 : tc.table.family === 'ip6' ? AddrSet.ALL_V6 : AddrSet.ALL;
    if (a.kind === 'nat' && port && !a.toPorts) a.toPorts = PORT_UNIVERSE;
    return a;
  };
  if ('reason' in res || res.val.k !== 'set') {
    const reason = 'reason' in res ? res.reason : 'the NAT map is computed at run time';
    const a = natAction(port ? { ...st, port: undefined, map: undefined } : { ...st, addr: undefined, map: undefined });
    return [mk(dedupe([...base, opaque(map.k === 'ref' ? 'set' : 'map', r.text, reason, st.span)]), anyTarget(a))];
  }
  const out: Rule[] = [];
  for (const e of res.val.elems) {
    const d = e.data;
    const pair = !port && d !== undefined && d.k === 'concat' && d.items.length === 2;
    const a = anyTarget(natAction(port ? { ...st, port: d, map: undefined } : { ...st, addr: pair ? d.items[0] : d, port: pair ? d.items[1] : st.port, map: undefined }));
    const ms = [...base, ...convertMatch(key, '==', { k: 'set', elems: [{ key: e.key }] }, tc, r, st.span, -1)];
    const fam = natFamily(a, tc);
    if (fam) ms.push(fam);
    out.push(mk(dedupe(ms), a));
  }
  return out;
}

/** `dnat ip to 10.0.0.1` in an inet table: nft adds `meta nfproto ipv4`, IPv6 packets skip the rule. */
function natFamily(action: Action, tc: TableCtx): Match | undefined {
  if (!tc.mixedFamily || action.kind !== 'nat' || !action.toAddrs) return undefined;
  const v4 = !action.toAddrs.only('ipv4').isEmpty;
  const v6 = !action.toAddrs.only('ipv6').isEmpty;
  return v4 !== v6 ? FAMILY_MATCH[v4 ? 'ipv4' : 'ipv6'] : undefined;
}

/** Verdicts after which the chain goes no further (the rule after a verdict map's element is never reached). */
const ENDS_CHAIN: ReadonlySet<Action['kind']> = new Set(['accept', 'drop', 'reject', 'goto', 'return']);

function expandVmap(
  st: Extract<IrStmt, { k: 'vmap' }>,
  base: Match[],
  tc: TableCtx,
  r: IrRule,
  mk: (ms: Match[], a: Action, report?: Span) => Rule,
  goOn: (ms: Match[]) => Rule,
): Rule[] {
  const res = resolveRef(st.map, tc);
  if ('reason' in res || res.val.k !== 'set') {
    const reason = 'reason' in res ? res.reason : 'the verdict map is computed at run time';
    return [mk(dedupe([...base, opaque(st.map.k === 'ref' ? 'set' : 'vmap', r.text, reason, st.span)]), { kind: 'unknown', target: 'vmap', text: r.text })];
  }
  const out: Rule[] = [];
  const keyed: IrElem[] = [];
  let wildcard: IrElem | undefined;
  for (const e of res.val.elems) {
    if (e.key.k === 'atom' && e.key.v === '*') wildcard = e;
    else keyed.push(e);
  }
  // `numgen random mod 2 vmap { 0 : goto a, 1 : goto b }` (kube-proxy's endpoints): the key is one of the numbers the
  // generator gives, so the element that completes them is hit by every packet the elements before it ended
  // (their verdicts end the chain: a jump would come back and go on to the next element)
  const gives = st.key.k === 'other' && st.key.values ? st.key.values : undefined;
  let left = gives ? gives[1] - gives[0] + 1 : 0;
  const seen = new Set<number>();
  for (const e of keyed) {
    const a: Action = e.verdict ? verdictAction(e.verdict) : { kind: 'unknown', target: 'vmap', text: r.text };
    // a port key is what opens the port: report on the element
    const report = st.key.k === 'payload' && st.key.field === 'dport' && e.key.span ? e.key.span : undefined;
    let always = false;
    if (gives && left > 0) {
      const n = e.key.k === 'atom' && typeof e.key.v === 'number' ? e.key.v : e.key.k === 'atom' && typeof e.key.v === 'string' && /^[0-9]{1,10}$/.test(e.key.v) ? Number(e.key.v) : undefined;
      // (a key that is not one number, or a generator of more than 64 numbers: no inference, every element may miss)
      if (n === undefined || left > 64) left = 0;
      else if (n >= gives[0] && n <= gives[1] && !seen.has(n)) {
        seen.add(n);
        always = --left === 0;
      }
      if (!always && !ENDS_CHAIN.has(a.kind)) left = 0;
    }
    const ms = always ? dedupe([...base]) : dedupe([...base, ...convertMatch(st.key, '==', { k: 'set', elems: [{ key: e.key }] }, tc, r, st.span, -1)]);
    out.push(e.verdict?.k === 'continue' ? goOn(ms) : mk(ms, a, report));
  }
  if (wildcard) {
    const a: Action = wildcard.verdict ? verdictAction(wildcard.verdict) : { kind: 'unknown', target: 'vmap', text: r.text };
    const rest = keyed.length ? convertMatch(st.key, '!=', { k: 'set', elems: keyed.map((e) => ({ key: e.key })) }, tc, r, st.span, -1) : [];
    const ms = dedupe([...base, ...rest]);
    out.push(wildcard.verdict?.k === 'continue' ? goOn(ms) : mk(ms, a));
  }
  return out;
}

// ---------------------------------------------------------------- document

const FAMILY_OF: Record<string, Family[]> = { ip: ['ipv4'], ip6: ['ipv6'], inet: ['ipv4', 'ipv6'], bridge: ['ipv4', 'ipv6'], netdev: ['ipv4', 'ipv6'], arp: [] };

function chainType(t: string | undefined): Chain['type'] {
  return t === 'filter' || t === 'nat' || t === 'route' ? t : undefined;
}

/** True when a value names a set anywhere (its model then depends on the set as the whole file leaves it). */
function hasRef(v: IrVal): boolean {
  switch (v.k) {
    case 'ref':
      return true;
    case 'set':
      for (const e of v.elems) if (hasRef(e.key) || (e.data !== undefined && hasRef(e.data))) return true;
      return false;
    case 'range':
      return hasRef(v.lo) || hasRef(v.hi);
    case 'concat':
    case 'list':
      for (const i of v.items) if (hasRef(i)) return true;
      return false;
    default:
      return false;
  }
}

/**
 * Builds rules as soon as they are parsed, so a big ruleset's intermediate form
 * dies young instead of living (and being promoted, and marked) until the end.
 *
 * A rule's model depends on nothing parsed after it unless it names a set: only
 * set references read the table's state (the set's final elements, whether a
 * later rule updates it, which undeclared sets were reported). So a rule without
 * one is built now, with the table's family, and one that names a set is left
 * to buildDocument. What later commands do to the rule itself (flush, delete,
 * insert before it) acts on the chain's list, as before; ids and the builder's
 * diagnostics are given in document order when the document is built.
 */
export class RulePrebuilder {
  private readonly ctxs = new Map<IrTable, TableCtx>();
  private lastTable: IrTable | undefined;
  private lastCtx: TableCtx | undefined;
  private readonly counters: BuildCounters = { nextId: 0 };
  /** Receives the builder's diagnostics of one rule at a time. */
  private readonly scratch: Diagnostic[] = [];

  /**
   * The rule as the chain keeps it: one model rule, the IrRule with its built rules, or the IrRule
   * itself. Its statements are stmts[from, to) (the parser's reused list): they are copied into
   * `r.stmts` only when the IrRule is kept to be built later.
   */
  prebuild(r: IrRule, table: IrTable, stmts: readonly IrStmt[], from: number, to: number): IrChainRule {
    for (let i = from; i < to; i++) {
      const st = stmts[i]!;
      if ((st.k === 'match' && hasRef(st.right)) || (st.k === 'vmap' && hasRef(st.map)) || (st.k === 'nat' && st.map && hasRef(st.map.map))) {
        if (!(stmts === r.stmts && from === 0 && to === stmts.length)) r.stmts = stmts.slice(from, to);
        return r;
      }
    }
    // the table of the previous rule, nearly always
    let tc = table === this.lastTable ? this.lastCtx : this.ctxs.get(table);
    if (tc === undefined) {
      tc = { table, dynamicSets: new Set(), mixedFamily: table.family !== 'ip' && table.family !== 'ip6', cache: new Map(), diagnostics: this.scratch, reported: new Set() };
      this.ctxs.set(table, tc);
    }
    this.lastTable = table;
    this.lastCtx = tc;
    const rules = buildRules(r, stmts, from, to, tc, this.counters);
    const one = !Array.isArray(rules) ? rules : rules.length === 1 ? rules[0] : undefined;
    if (one !== undefined && this.scratch.length === 0) return one;
    r.built = Array.isArray(rules) ? rules : [rules];
    if (this.scratch.length > 0) r.builtDiagnostics = this.scratch.splice(0);
    r.stmts = [];
    return r;
  }
}

function isModelRule(r: IrChainRule): r is Rule {
  return 'action' in r;
}

/** The chain's model; its rules that jump or go to a chain are added to `jumps` (checked once the table is built). */
function buildChain(c: IrChain, tc: TableCtx, counters: BuildCounters, jumps: Rule[]): Chain {
  const ch: Chain = { name: c.name, rules: [], span: c.span };
  const hook = c.hook ? asHook(c.hook) : undefined;
  if (hook) ch.hook = hook;
  if (c.priority !== undefined) ch.priority = c.priority;
  const ty = chainType(c.type);
  if (ty) ch.type = ty;
  if (hook) ch.policy = c.policy ?? 'accept';
  if (c.policySpan) ch.policySpan = c.policySpan;
  const rules = ch.rules;
  const add = (x: Rule): void => {
    rules.push(x);
    if (x.action.kind === 'jump' || x.action.kind === 'goto') jumps.push(x);
  };
  // indexed loops: a chain can hold 100k rules, and this runs once per chain (before it is optimised,
  // a for-of makes an iterator result per rule)
  const irRules = c.rules;
  for (let i = 0; i < irRules.length; i++) {
    const r = irRules[i]!;
    if (isModelRule(r)) {
      r.id = counters.nextId++;
      add(r);
    } else if (r.built !== undefined) {
      for (const x of r.built) {
        x.id = counters.nextId++;
        add(x);
      }
      if (r.builtDiagnostics !== undefined) for (const d of r.builtDiagnostics) tc.diagnostics.push(d);
    } else {
      const built = buildRules(r, r.stmts, 0, r.stmts.length, tc, counters);
      if (Array.isArray(built)) for (const x of built) add(x);
      else add(built);
    }
  }
  if (hook === 'ingress') ingressDevices(ch, c, counters);
  return ch;
}

/**
 * A named set or map without `flags interval` takes no range or prefix key, not even inside a
 * concatenation: nft refuses the file ("You must add 'flags interval' to your set declaration if you
 * want to add range elements"), whatever order the declaration's lines are in. Anonymous sets are
 * interval sets by themselves.
 */
/** A number or an address as a range bound (a digit or a colon in it: not a name made of hex letters). */
const ADDRESS_OR_NUMBER = /^(?=[^-]*[0-9:])[0-9a-fA-Fx.:]+$/;

function checkIntervalElements(set: IrSet, diagnostics: Diagnostic[]): void {
  for (const e of set.elems) {
    const bad = intervalPart(e.key);
    if (!bad) continue;
    const what = set.isMap ? 'map' : 'set';
    diagnostics.push({
      severity: 'error',
      code: 'nftables/interval-without-flag',
      message: `${what} ${set.name} has a ${bad.kind} element but no "flags interval": nft refuses it (add "flags interval" to the ${what})`,
      span: bad.v.span ?? e.key.span ?? set.span,
    });
    return;
  }
}

/**
 * A named interval set or map without `auto-merge` takes no element that overlaps another: nft refuses the file
 * ("conflicting intervals specified", nft 1.0.6 in a namespace: `elements = { 10.0.0.0/8, 10.1.0.0/16 }`, also when an
 * `add element` brings the second), though the same element twice is accepted. Anonymous sets and `auto-merge` merge
 * them. Elements of one field only (addresses, numbers); a concatenation's are not compared here.
 */
function checkOverlaps(set: IrSet, diagnostics: Diagnostic[]): void {
  if (set.autoMerge || set.elems.length < 2) return;
  const ivs: { fam: number; lo: bigint; hi: bigint; at: number; e: IrElem }[] = [];
  for (const e of set.elems) {
    if (e.key.k === 'concat') return;
    const a = addrOf(e.key, undefined);
    const at = e.key.span?.start.offset ?? 0;
    if (a) {
      for (const [fam, b] of [[4, a.v4.bounds], [6, a.v6.bounds]] as const)
        if (b.length === 2) ivs.push({ fam, lo: BigInt(b[0]!), hi: BigInt(b[1]!) - 1n, at, e });
    } else if (numOf(e.key, () => undefined, 0xffffffff)) ivs.push({ fam: 0, lo: BigInt(NUM_LO), hi: BigInt(NUM_HI), at, e });
  }
  ivs.sort((x, y) => x.fam - y.fam || (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : x.hi < y.hi ? -1 : x.hi > y.hi ? 1 : x.at - y.at));
  for (let i = 1; i < ivs.length; i++) {
    const p = ivs[i - 1]!;
    const q = ivs[i]!;
    if (p.fam !== q.fam || q.lo > p.hi || (q.lo === p.lo && q.hi === p.hi)) continue;
    // nft names the element written second
    const [first, second] = p.at <= q.at ? [p, q] : [q, p];
    diagnostics.push({
      severity: 'error',
      code: 'nftables/conflicting-intervals',
      message: `${set.isMap ? 'map' : 'set'} ${set.name}: element ${valText(second.e.key) ?? 'here'} overlaps ${valText(first.e.key) ?? 'an earlier one'}: nft refuses the file ("conflicting intervals specified"; "auto-merge" in the set merges them)`,
      span: second.e.key.span ?? set.span,
    });
    return;
  }
}


/** The range or prefix in an element key (the part of a concatenation), if any. */
function intervalPart(v: IrVal): { kind: 'range' | 'prefix'; v: IrVal } | undefined {
  if (v.k === 'range' || v.k === 'prefix') return { kind: v.k, v };
  if (v.k === 'concat') {
    for (const x of v.items) {
      const r = intervalPart(x);
      if (r) return r;
    }
    return undefined;
  }
  if (v.k !== 'atom' || typeof v.v !== 'string') return undefined;
  // an interface name wildcard ("wg*") is a prefix element too
  if (v.quoted) return v.v.endsWith('*') ? { kind: 'prefix', v } : undefined;
  // the text front end keeps `10.0.0.0/8` and `1761-1768` as one word (names such as echo-request are not ranges)
  if (v.v.includes('/')) return { kind: 'prefix', v };
  const i = v.v.indexOf('-');
  if (i > 0 && ADDRESS_OR_NUMBER.test(v.v.slice(0, i)) && ADDRESS_OR_NUMBER.test(v.v.slice(i + 1))) return { kind: 'range', v };
  return undefined;
}

/**
 * An ingress chain sees only the packets of its devices: each of its rules also tests the input device, and
 * under a drop policy a last rule lets the other devices' packets go on (an accept in a base chain only ends
 * that chain: the packet goes on to prerouting). A device we do not know (nft 1.0.6 -j writes none) is an
 * undecided test in their place.
 */
function ingressDevices(ch: Chain, c: IrChain, counters: BuildCounters): void {
  const devices = c.devices;
  const names = devices ? devices.names.map((n) => ifName({ k: 'atom', v: n, quoted: true }) ?? n) : [];
  const unknown = `chain ${c.name} (hook ingress, device not known)`;
  const test = (negated: boolean): Match => {
    if (devices) return ifMatch('in', names, devices.span, -1, negated);
    const m = opaque('device', unknown, 'the device the ingress chain is attached to is not known here', c.span);
    if (negated) m.negated = true;
    return m;
  };
  for (const r of ch.rules) r.matches = [test(false), ...r.matches];
  if (ch.policy === 'drop') {
    const text = devices ? `device ${devices.names.join(', ')} (packets of other devices pass this chain)` : unknown;
    ch.rules.push({ id: counters.nextId++, matches: [test(true)], action: { kind: 'accept' }, span: devices?.span ?? c.span, text });
  }
}

function baseName(p: string | undefined): string | undefined {
  if (!p) return undefined;
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return p.slice(i + 1);
}

/** Empties the per-document caches (the parse entry points do, whether the parse succeeded or not). */
export function clearBuildCaches(): void {
  SINGLES.fill(undefined);
  IF_NAMES.clear();
  V4_PREFIXES.fill(undefined);
  CONTINUES.clear();
  // the reused lists let go of the document's values (an opaque match's text holds on to the whole input)
  ONE_VAL[0] = { k: 'atom', v: '' };
  BASE.items.length = 0;
  BASE.n = 0;
}

export function buildDocument(
  format: string,
  state: IrState,
  dynamicSets: Set<string>,
  diagnostics: Diagnostic[],
  comments: DocComment[],
  filePath: string | undefined,
): FirewallDocument {
  const counters: BuildCounters = { nextId: 1 };
  const tables: Table[] = [];
  const families = new Set<Family>();
  for (const t of state.tables.values()) {
    // a dormant table filters nothing: its chains are built, on no hook (nf_tables unregisters them)
    if (t.dormant)
      diagnostics.push({ severity: 'warning', code: 'nftables/dormant-table', message: `table ${t.family} ${t.name} is dormant (flags dormant): its base chains are on no hook and filter nothing`, span: t.dormant });
    else for (const f of FAMILY_OF[t.family] ?? []) families.add(f);
    const tc: TableCtx = { table: t, dynamicSets, mixedFamily: t.family !== 'ip' && t.family !== 'ip6', cache: new Map(), diagnostics, reported: new Set() };
    for (const set of t.sets.values()) {
      if (!set.flags.includes('interval')) checkIntervalElements(set, diagnostics);
      else checkOverlaps(set, diagnostics);
    }
    const chains: Chain[] = [];
    const jumps: Rule[] = [];
    for (const c of t.chains.values()) chains.push(buildChain(c, tc, counters, jumps));
    if (t.dormant)
      for (const ch of chains) {
        delete ch.hook;
        delete ch.priority;
        delete ch.policy;
        delete ch.policySpan;
      }
    else if (t.maybeDormant) {
      // a base chain that may be on no hook: one that may let every packet go on untouched (an accept under an
      // undecided test, before its rules: a nat chain's accept translates nothing)
      const { span, text } = t.maybeDormant;
      diagnostics.push({ severity: 'warning', code: 'nftables/maybe-dormant', message: `table ${t.family} ${t.name} has ${text}, no table flag: nft 1.0.6 -j writes the table's name for its flags, so the table may be dormant and its base chains may filter nothing`, span });
      for (const ch of chains) {
        if (!ch.hook) continue;
        const cond: OpaqueMatch = { kind: 'opaque', module: 'dormant', text: `table ${t.family} ${t.name} ${text}`, reason: 'the table may be dormant (nft 1.0.6 -j does not say which flags it has)' };
        ch.rules.unshift({ id: counters.nextId++, matches: [cond], action: { kind: 'accept' }, span, text: `(table ${t.name} may be dormant: ${text})`, builtIn: true });
      }
    }
    // jumps and gotos must name a chain of the same table (nft refuses the file otherwise)
    for (const r of jumps)
      if ((r.action.kind === 'jump' || r.action.kind === 'goto') && !t.chains.has(r.action.target))
        diagnostics.push({ severity: 'error', code: 'nftables/unknown-chain', message: `${r.action.kind} to chain "${r.action.target}", which table ${t.family} ${t.name} does not have`, span: r.span });
    tables.push({ name: t.name, family: t.family as TableFamily, chains, span: t.span });
  }
  const name = baseName(filePath) ?? 'nftables';
  // no targets from the file name: `cft.nft` must not match a compose service `cft` by accident (as for iptables;
  // a host is named by its path, `hosts/<name>/…`, a comment or the configuration: docs/deciding-needed-ports.md §2)
  const targets: string[] = [];
  const rs: Ruleset = { name, targets, tables, families: (['ipv4', 'ipv6'] as Family[]).filter((f) => families.has(f)), kind: 'netfilter' };
  if (state.replacedAt) rs.replaces = state.replacedAt;
  return { format, rulesets: [rs], diagnostics, comments };
}

