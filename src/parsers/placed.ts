/**
 * Matches (and rules, DocRule) that keep their span inside them as two small integers (the words of
 * its CompactLineSpan; else the rule's span and a place next to it), instead of a span object of
 * their own: the iptables-save fast path and the nftables text parser make them.
 *
 * Why: a 100k-rule file has two to three matches per rule, and nothing after the parse reads a
 * match's span (reports use the rule's span and its reportSpan). A span object per match was 40–48
 * bytes and one more object for every scavenge to copy and the old generation to keep (15 MB of
 * spans on a 100k-rule nft file); this is 16 bytes more in the match. `span` is built when read
 * (tests, tools), equal to the span the parser's line index gives for the match's text.
 *
 * The matches are what the model says (own `kind`, fields and `negated`, `span` readable);
 * `toJSON` gives the same object, key for key, as the plain literal did ({ kind, ...fields, span,
 * negated? }). A negated match is an instance of a subclass whose constructor sets `negated`:
 * every instance of a class has one shape, all fields inside the object (V8 sizes a class's
 * objects by the assignments of its constructors). Fields are assigned in the constructors, not
 * declared with initialisers: those run as one more function per construction.
 */
import { CompactLineSpan, compactWordA, compactWordB, LineSpan, spanWordA, spanWordB, type Action, type AddrSet, type CtState, type Family, type Match, type NumSet, type Span } from '../model/index.js';

/** Limits of the packed position: start column (from the rule's start) and length (packed < 2^31: a small integer). */
const COL_LIMIT = 65536;
const LEN_LIMIT = 32768;

/**
 * Where a match is: `base` alone (at = -1) is its own span; with at >= 0, `base` is the span of
 * the rule, which starts on the match's line, and `at` is the match's packed place from placeOf.
 */
export function spanAt(base: Span, at: number): Span {
  if (at < 0) return base;
  const s = base.start;
  const len = Math.floor(at / COL_LIMIT);
  const a = s.offset + (at % COL_LIMIT);
  return LineSpan.of(s.line, s.offset - s.column + 1, a, a + len);
}

/**
 * What a match keeps of its place text[a..b) in a rule that starts at `ruleStart` on the same
 * line: the packed position, or -1 when it does not fit (the match then needs a span of its own).
 */
export function placeOf(ruleStart: number, a: number, b: number): number {
  const col = a - ruleStart;
  const len = b - a;
  return col >= 0 && col < COL_LIMIT && len >= 0 && len < LEN_LIMIT ? col + len * COL_LIMIT : -1;
}

/*
 * Where a placed match keeps its span: properties keyed by these symbols, which Object.keys, for-in, JSON and
 * structuredClone skip, as they skipped the private fields #base and #at these were. Not private fields: a class
 * with private fields runs one more function per construction (its fields' initialiser, which defines them),
 * 30-40 ms of a 100k-rule parse; without it the parse of bench/out/iptables-100k.rules took ~7 % less main-thread CPU.
 *
 * Nearly always the two small integers of the match's own CompactLineSpan (compactWordA/B of ../model/source.ts),
 * not the rule's span and the place next to it: a match then holds no span object, and neither does its rule
 * (DocRule), so the span object the parser made for the rule dies young (on a 100k-rule file, 100k span
 * objects of 40 bytes less in the old generation). Where the span does not pack so (a column from 256 on, 2048
 * characters or more), the rule's span and the place (`spanAt`).
 */
const BASE: unique symbol = Symbol('base');
const AT: unique symbol = Symbol('at');

/**
 * What a placed match at (base, at) keeps under BASE: the first word of its CompactLineSpan, else `base` (see
 * Placed). Each class's constructor stores it itself, with atWord's under AT: stores in the common base
 * constructor saw the objects of every class (a megamorphic store, the slowest kind; the iptables-save fast path
 * builds a rule's matches each time they are read).
 */
function baseWord(base: Span, at: number): Span | number {
  const col = at % COL_LIMIT;
  return compactWordA(base, col, (at - col) / COL_LIMIT) ?? base;
}

/** What a placed match at (base, at) keeps under AT, given what it keeps under BASE (baseWord). */
function atWord(base: Span, at: number, b: Span | number): number {
  return typeof b === 'number' ? compactWordB(base, Math.floor(at / COL_LIMIT)) : at;
}

type PlaceFields = { [BASE]: Span | number; [AT]: number };

abstract class Placed {
  /** The first word of the match's CompactLineSpan, or the rule's span (then AT is the place). */
  declare readonly [BASE]: Span | number;
  declare readonly [AT]: number;
  declare negated?: boolean;

  get span(): Span {
    const b = this[BASE];
    return typeof b === 'number' ? new CompactLineSpan(b, this[AT]) : spanAt(b, this[AT]);
  }

  /** The plain match: own fields in order, then `span`, then `negated` (as the object literals had them). */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(this)) if (k !== 'negated') o[k] = (this as unknown as Record<string, unknown>)[k];
    o.span = this.span;
    if (this.negated) o.negated = true;
    return o;
  }
}

export class PlacedAddress extends Placed {
  declare readonly kind: 'address';
  declare readonly dir: 'src' | 'dst';
  declare readonly addrs: AddrSet;
  constructor(dir: 'src' | 'dst', addrs: AddrSet, base: Span, at: number) {
    super();
    const b = baseWord(base, at);
    (this as PlaceFields)[BASE] = b;
    (this as PlaceFields)[AT] = atWord(base, at, b);
    this.kind = 'address';
    this.dir = dir;
    this.addrs = addrs;
  }
}
export class NegatedAddress extends PlacedAddress {
  constructor(dir: 'src' | 'dst', addrs: AddrSet, base: Span, at: number) {
    super(dir, addrs, base, at);
    this.negated = true;
  }
}

export class PlacedProtocol extends Placed {
  declare readonly kind: 'protocol';
  declare readonly protocols: NumSet;
  constructor(protocols: NumSet, base: Span, at: number) {
    super();
    const b = baseWord(base, at);
    (this as PlaceFields)[BASE] = b;
    (this as PlaceFields)[AT] = atWord(base, at, b);
    this.kind = 'protocol';
    this.protocols = protocols;
  }
}
export class NegatedProtocol extends PlacedProtocol {
  constructor(protocols: NumSet, base: Span, at: number) {
    super(protocols, base, at);
    this.negated = true;
  }
}

export class PlacedPort extends Placed {
  declare readonly kind: 'port';
  declare readonly dir: 'src' | 'dst';
  declare readonly ports: NumSet;
  constructor(dir: 'src' | 'dst', ports: NumSet, base: Span, at: number) {
    super();
    const b = baseWord(base, at);
    (this as PlaceFields)[BASE] = b;
    (this as PlaceFields)[AT] = atWord(base, at, b);
    this.kind = 'port';
    this.dir = dir;
    this.ports = ports;
  }
}
export class NegatedPort extends PlacedPort {
  constructor(dir: 'src' | 'dst', ports: NumSet, base: Span, at: number) {
    super(dir, ports, base, at);
    this.negated = true;
  }
}

export class PlacedInterface extends Placed {
  declare readonly kind: 'interface';
  declare readonly dir: 'in' | 'out';
  declare readonly names: string[];
  constructor(dir: 'in' | 'out', names: string[], base: Span, at: number) {
    super();
    const b = baseWord(base, at);
    (this as PlaceFields)[BASE] = b;
    (this as PlaceFields)[AT] = atWord(base, at, b);
    this.kind = 'interface';
    this.dir = dir;
    this.names = names;
  }
}
export class NegatedInterface extends PlacedInterface {
  constructor(dir: 'in' | 'out', names: string[], base: Span, at: number) {
    super(dir, names, base, at);
    this.negated = true;
  }
}

export class PlacedCtState extends Placed {
  declare readonly kind: 'ctstate';
  declare readonly states: CtState[];
  constructor(states: CtState[], base: Span, at: number) {
    super();
    const b = baseWord(base, at);
    (this as PlaceFields)[BASE] = b;
    (this as PlaceFields)[AT] = atWord(base, at, b);
    this.kind = 'ctstate';
    this.states = states;
  }
}
export class NegatedCtState extends PlacedCtState {
  constructor(states: CtState[], base: Span, at: number) {
    super(states, base, at);
    this.negated = true;
  }
}

export class PlacedIcmpType extends Placed {
  declare readonly kind: 'icmp-type';
  declare readonly family: Family;
  declare readonly values: NumSet;
  constructor(family: Family, values: NumSet, base: Span, at: number) {
    super();
    const b = baseWord(base, at);
    (this as PlaceFields)[BASE] = b;
    (this as PlaceFields)[AT] = atWord(base, at, b);
    this.kind = 'icmp-type';
    this.family = family;
    this.values = values;
  }
}
export class NegatedIcmpType extends PlacedIcmpType {
  constructor(family: Family, values: NumSet, base: Span, at: number) {
    super(family, values, base, at);
    this.negated = true;
  }
}

/*
 * Where a DocRule keeps its document, its span and its report span or place: symbol-keyed properties, as the
 * placed matches keep theirs (out of Object.keys and JSON, no per-object field initialiser).
 */
const DOC: unique symbol = Symbol('doc');
const REPORT: unique symbol = Symbol('report');
const SPAN_A: unique symbol = Symbol('spanA');
const SPAN_B: unique symbol = Symbol('spanB');

/**
 * A text-parsed model rule that keeps less than the literal it replaces, made by the iptables-save fast
 * path (action `A` a chain reference until jumps are resolved in place) and, as NftRule, by the nftables
 * text parser:
 * - `span`, a CompactLineSpan nearly always, is kept as that span's two small integers, and built when
 *   read (reports, messages and traces read it, per reported rule; the analysis does not read it per rule);
 *   with the placed matches keeping theirs so too, the span object the parser made dies young;
 * - `text`, read only for trace output and a few messages, is read from the document when asked: the
 *   document at the span's offsets (a subclass may normalise it, see NftRule);
 * - `reportSpan`, when it is on the rule's first line, is one small integer next to the rule's span (as
 *   a placed match keeps its span), built when read.
 * On a 100k-rule file that is 100k sliced strings (32 bytes each) and up to 200k span objects (40) less,
 * in a rule object one field larger than the literal. `id`, `matches`, `action` and `comment` are own
 * fields; `toJSON` gives the object the literal was, key for key ({ id, matches, action, span, text,
 * reportSpan?, comment? }).
 */
export class DocRule<A = Action> {
  declare id: number;
  declare matches: Match[];
  declare action: A;
  declare comment?: string;
  /** The first word of the span's CompactLineSpan, or the span itself (another kind of span). */
  declare readonly [SPAN_A]: number | Span;
  declare readonly [SPAN_B]: number;
  declare readonly [DOC]: string;
  declare readonly [REPORT]: Span | number | undefined;

  constructor(id: number, matches: Match[], action: A, span: Span, doc: string, report: Span | number | undefined, comment: string | undefined) {
    this.id = id;
    this.matches = matches;
    this.action = action;
    const w = spanWordA(span);
    (this as { [SPAN_A]: number | Span })[SPAN_A] = w ?? span;
    (this as { [SPAN_B]: number })[SPAN_B] = w === undefined ? 0 : spanWordB(span);
    (this as { [DOC]: string })[DOC] = doc;
    (this as { [REPORT]: Span | number | undefined })[REPORT] = report;
    if (comment !== undefined) this.comment = comment;
  }

  /** Built when read: a new object each time, equal to the span the rule was made with. */
  get span(): Span {
    const a = this[SPAN_A];
    return typeof a === 'number' ? new CompactLineSpan(a, this[SPAN_B]) : a;
  }

  /** The whole document the rule was read from (its text is at the span's offsets). */
  protected get document(): string {
    return this[DOC];
  }

  get text(): string {
    const s = this.span;
    return this[DOC].slice(s.start.offset, s.end.offset);
  }

  get reportSpan(): Span | undefined {
    const r = this[REPORT];
    return typeof r === 'number' ? spanAt(this.span, r) : r;
  }

  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { id: this.id, matches: this.matches, action: this.action, span: this.span, text: this.text };
    const rs = this.reportSpan;
    if (rs !== undefined) o.reportSpan = rs;
    if (this.comment !== undefined) o.comment = this.comment;
    return o;
  }
}

/*
 * Where a PackedRule keeps its matches: symbol-keyed, as DocRule keeps its span. V0..V4 the values, P0..P4 the places.
 */
const CODES: unique symbol = Symbol('codes');
const V0: unique symbol = Symbol('v0');
const V1: unique symbol = Symbol('v1');
const V2: unique symbol = Symbol('v2');
const V3: unique symbol = Symbol('v3');
const V4: unique symbol = Symbol('v4');
const P0: unique symbol = Symbol('p0');
const P1: unique symbol = Symbol('p1');
const P2: unique symbol = Symbol('p2');
const P3: unique symbol = Symbol('p3');
const P4: unique symbol = Symbol('p4');

/**
 * What a PackedRule keeps of one match: a code of PACK_BITS bits, (kind << 1) | negated; the value (a set, a name
 * list) and the place next to the rule's span are kept beside it. PK_MATCH: the value is the match itself (an
 * opaque match, or a match whose place does not fit in a number and which has a span of its own).
 */
export const PK_MATCH = 0;
export const PK_SRC_ADDR = 2;
export const PK_DST_ADDR = 4;
export const PK_PROTOCOL = 6;
export const PK_SRC_PORT = 8;
export const PK_DST_PORT = 10;
export const PK_IN_IFACE = 12;
export const PK_OUT_IFACE = 14;
export const PK_CTSTATE = 16;
export const PK_ICMP4 = 18;
export const PK_ICMP6 = 20;
/** Bits per match code; a PackedRule keeps at most PACK_MAX matches (their codes and count in one small integer). */
export const PACK_BITS = 5;
export const PACK_MAX = 5;
const COUNT_SHIFT = PACK_BITS * PACK_MAX;

/**
 * The match of `code` (PK_*, | 1 when negated) for `value`, placed at `at` next to `base` (a placed match; with
 * at = -1, base is the match's own span). The one builder of the packed codes: the fast path calls it for what it
 * builds at once, PackedRule when its matches are read.
 */
export function unpackMatch(code: number, value: unknown, base: Span, at: number): Match {
  if (at < 0) return unpackOther(code, value, base, at);
  // (constructors called here, not through addrMatch ...: this runs for every match a PackedRule gives, a few times
  // per rule, and the helpers' other branches kept it from being inlined)
  switch (code) {
    case PK_SRC_ADDR:
      return new PlacedAddress('src', value as AddrSet, base, at);
    case PK_SRC_ADDR | 1:
      return new NegatedAddress('src', value as AddrSet, base, at);
    case PK_DST_ADDR:
      return new PlacedAddress('dst', value as AddrSet, base, at);
    case PK_DST_ADDR | 1:
      return new NegatedAddress('dst', value as AddrSet, base, at);
    case PK_PROTOCOL:
      return new PlacedProtocol(value as NumSet, base, at);
    case PK_PROTOCOL | 1:
      return new NegatedProtocol(value as NumSet, base, at);
    case PK_SRC_PORT:
      return new PlacedPort('src', value as NumSet, base, at);
    case PK_SRC_PORT | 1:
      return new NegatedPort('src', value as NumSet, base, at);
    case PK_DST_PORT:
      return new PlacedPort('dst', value as NumSet, base, at);
    case PK_DST_PORT | 1:
      return new NegatedPort('dst', value as NumSet, base, at);
  }
  return unpackOther(code, value, base, at);
}

/** unpackMatch's less frequent kinds, and the matches with a span of their own (at = -1). */
function unpackOther(code: number, value: unknown, base: Span, at: number): Match {
  const negated = (code & 1) !== 0;
  switch (code & ~1) {
    case PK_IN_IFACE:
      return ifMatch('in', value as string[], base, at, negated);
    case PK_OUT_IFACE:
      return ifMatch('out', value as string[], base, at, negated);
    case PK_CTSTATE:
      return ctMatch(value as CtState[], base, at, negated);
    case PK_ICMP4:
      return icmpMatch('ipv4', value as NumSet, base, at, negated);
    case PK_ICMP6:
      return icmpMatch('ipv6', value as NumSet, base, at, negated);
    case PK_SRC_ADDR:
      return addrMatch('src', value as AddrSet, base, at, negated);
    case PK_DST_ADDR:
      return addrMatch('dst', value as AddrSet, base, at, negated);
    case PK_PROTOCOL:
      return protoMatch(value as NumSet, base, at, negated);
    case PK_SRC_PORT:
      return portMatch('src', value as NumSet, base, at, negated);
    case PK_DST_PORT:
      return portMatch('dst', value as NumSet, base, at, negated);
  }
  return value as Match;
}

/**
 * A DocRule of the iptables-save fast path whose match list is built when read, from what it keeps of each of its
 * (at most PACK_MAX) matches in fields of its own: the value (V0..V4) and the place (P0..P4), and the PK_* codes of
 * all of them in one small integer (PACK_BITS bits each, the first in the low bits, the count above them).
 *
 * Why: nothing keeps a rule's match objects but the rule. The analysis reads a rule's matches a few times (the
 * compiled rule keeps the sets, not the matches) and the objects it gets die young, which costs the garbage
 * collector little; kept by the parse, the list and its matches were five to six objects per rule (~330 bytes,
 * 33 MB on bench/out/iptables-100k.rules) that every scavenge of the parse copied and the old generation kept to
 * the end. Fields rather than an array of values and places: an array is two objects more per rule. The values
 * (sets, name lists, opaque matches) are the shared, immutable values the matches hold: every read gives equal
 * matches over the same sets (a new list of new match objects; as with `span`, compare them by value).
 *
 * `matches` may be assigned (the list is then kept as it is). DocRule's constructor assigns it, which lands in the
 * setter; this constructor then puts the packed matches in place. An accessor pair rather than a base class without
 * `matches`: DocRule, and NftRule after it, keep their own `matches` field and key order.
 */
export class PackedRule<A = Action> extends DocRule<A> {
  /** Codes and count of the packed matches; -1: V0 is the match list itself (assigned). */
  declare readonly [CODES]: number;
  declare readonly [V0]: unknown;
  declare readonly [V1]: unknown;
  declare readonly [V2]: unknown;
  declare readonly [V3]: unknown;
  declare readonly [V4]: unknown;
  declare readonly [P0]: number;
  declare readonly [P1]: number;
  declare readonly [P2]: number;
  declare readonly [P3]: number;
  declare readonly [P4]: number;

  /** The n (<= PACK_MAX) matches `codes` (PK_*, | 1 when negated), `values` and `places` (next to `span`) give. */
  constructor(id: number, n: number, codes: readonly number[], values: readonly unknown[], places: readonly number[], action: A, span: Span, doc: string, report: Span | number | undefined, comment: string | undefined) {
    super(id, NO_MATCHES, action, span, doc, report, comment);
    let c = n << COUNT_SHIFT;
    for (let k = n - 1; k >= 0; k--) c |= codes[k]! << (k * PACK_BITS);
    const self = this as unknown as Record<symbol, unknown>;
    self[CODES] = c;
    // every field assigned, in one order: one shape for every PackedRule
    self[V0] = n > 0 ? values[0] : undefined;
    self[P0] = n > 0 ? places[0] : 0;
    self[V1] = n > 1 ? values[1] : undefined;
    self[P1] = n > 1 ? places[1] : 0;
    self[V2] = n > 2 ? values[2] : undefined;
    self[P2] = n > 2 ? places[2] : 0;
    self[V3] = n > 3 ? values[3] : undefined;
    self[P3] = n > 3 ? places[3] : 0;
    self[V4] = n > 4 ? values[4] : undefined;
    self[P4] = n > 4 ? places[4] : 0;
  }

  // (TypeScript has DocRule's field as a property; the accessors replace it on this class's prototype, see above)
  // @ts-expect-error TS2611: an accessor over the base class's own field
  override get matches(): Match[] {
    const c = this[CODES];
    // (each read builds the list: a caller that needs it several times reads it once, as RuleCompiler.get does)
    return c < 0 ? (this[V0] as Match[]) : this.build(c);
  }

  override set matches(list: Match[]) {
    const self = this as unknown as Record<symbol, unknown>;
    self[V0] = list;
    self[CODES] = -1;
  }

  private build(c: number): Match[] {
    const n = c >>> COUNT_SHIFT;
    if (n === 0) return [];
    // an exact-size list literal: a list grown by push holds 17 slots
    const base = this.span;
    const m0 = unpackMatch(c & PACK_MASK, this[V0], base, this[P0]);
    if (n === 1) return [m0];
    const m1 = unpackMatch((c >>> PACK_BITS) & PACK_MASK, this[V1], base, this[P1]);
    if (n === 2) return [m0, m1];
    const m2 = unpackMatch((c >>> (2 * PACK_BITS)) & PACK_MASK, this[V2], base, this[P2]);
    if (n === 3) return [m0, m1, m2];
    const m3 = unpackMatch((c >>> (3 * PACK_BITS)) & PACK_MASK, this[V3], base, this[P3]);
    if (n === 4) return [m0, m1, m2, m3];
    return [m0, m1, m2, m3, unpackMatch((c >>> (4 * PACK_BITS)) & PACK_MASK, this[V4], base, this[P4])];
  }
}

/**
 * Reading a rule's packed matches without building them (the rule compiler, src/analysis/compile.ts, reads every
 * rule of a file once or twice per packet space): `packedCodes(rule)` is the codes word of a PackedRule whose matches
 * are packed — `packedCount` of it is their number, `packedCode` the k-th's PK_* code (| 1 when negated), and
 * `packedValue(rule, k)` its value (what unpackMatch takes: a set, a name list, or the match itself for PK_MATCH) —
 * and -1 for any other rule (its `matches` is a list of its own).
 */
export function packedCodes(rule: object): number {
  return rule instanceof PackedRule ? (rule as PackedRule)[CODES] : -1;
}
export function packedCount(codes: number): number {
  return codes >>> COUNT_SHIFT;
}
export function packedCode(codes: number, k: number): number {
  return (codes >>> (k * PACK_BITS)) & PACK_MASK;
}
/** The value of the k-th packed match of `rule` (packedCodes(rule) >= 0, k < its packedCount). */
export function packedValue(rule: object, k: number): unknown {
  const r = rule as PackedRule;
  return k === 0 ? r[V0] : k === 1 ? r[V1] : k === 2 ? r[V2] : k === 3 ? r[V3] : r[V4];
}

/**
 * The PK_* code (| 1 when negated) match m is packed as, the code of its kind, direction and family: the code
 * unpackMatch reads back into such a match; PK_MATCH, without the negation bit, for a kind the codes do not name
 * (the rule compiler reads a list's matches by their codes, as a PackedRule's).
 */
export function packCode(m: Match): number {
  let code: number;
  switch (m.kind) {
    case 'address':
      code = m.dir === 'src' ? PK_SRC_ADDR : PK_DST_ADDR;
      break;
    case 'protocol':
      code = PK_PROTOCOL;
      break;
    case 'port':
      code = m.dir === 'src' ? PK_SRC_PORT : PK_DST_PORT;
      break;
    case 'interface':
      code = m.dir === 'in' ? PK_IN_IFACE : PK_OUT_IFACE;
      break;
    case 'ctstate':
      code = PK_CTSTATE;
      break;
    case 'icmp-type':
      code = m.family === 'ipv4' ? PK_ICMP4 : PK_ICMP6;
      break;
    default:
      // (as the fast path packs such a match: the match carries its own negation)
      return PK_MATCH;
  }
  return m.negated === true ? code | 1 : code;
}

/**
 * The place of match `m` next to the span `rule` of its rule, as a PackedRule keeps it: the packed position (placeOf)
 * of a placed match on the rule's first line, which unpackMatch builds back into an equal match; -1 for any other
 * match (kept as itself, PK_MATCH).
 */
export function placeIn(m: Match, rule: Span): number {
  if (!(m instanceof Placed)) return -1;
  const s = m.span;
  const r = rule.start;
  return s.start.line === r.line && s.end.line === r.line ? placeOf(r.offset, s.start.offset, s.end.offset) : -1;
}

/** The value a PackedRule keeps of a match of packCode `code` (not PK_MATCH): its set or name list. */
export function packedValueOf(m: Match): unknown {
  switch (m.kind) {
    case 'address':
      return m.addrs;
    case 'protocol':
      return m.protocols;
    case 'port':
      return m.ports;
    case 'interface':
      return m.names;
    case 'ctstate':
      return m.states;
    case 'icmp-type':
      return m.values;
    default:
      return m;
  }
}

/** What PackedRule gives DocRule's constructor (its setter replaces it at once). */
const NO_MATCHES: Match[] = [];

const PACK_MASK = (1 << PACK_BITS) - 1;

/*
 * The model match of each kind at (base, at): a placed match when `at` packs its place; with a span
 * of its own (at = -1: JSON input, a match off the rule's first line), the plain literal with that
 * span (8 bytes smaller than a placed match holding it); without a base, the plain literal without
 * a span (a match made to be cached, then placed with `placedCopy`). Literal keys in the order they
 * always had: the match's own, then span, then negated.
 */
export function portMatch(dir: 'src' | 'dst', ports: NumSet, base: Span | undefined, at: number, negated: boolean): Match {
  if (base && at >= 0) return negated ? new NegatedPort(dir, ports, base, at) : new PlacedPort(dir, ports, base, at);
  if (base) return negated ? { kind: 'port', dir, ports, span: base, negated } : { kind: 'port', dir, ports, span: base };
  return negated ? { kind: 'port', dir, ports, negated } : { kind: 'port', dir, ports };
}
export function protoMatch(protocols: NumSet, base: Span | undefined, at: number, negated: boolean): Match {
  if (base && at >= 0) return negated ? new NegatedProtocol(protocols, base, at) : new PlacedProtocol(protocols, base, at);
  if (base) return negated ? { kind: 'protocol', protocols, span: base, negated } : { kind: 'protocol', protocols, span: base };
  return negated ? { kind: 'protocol', protocols, negated } : { kind: 'protocol', protocols };
}
export function addrMatch(dir: 'src' | 'dst', addrs: AddrSet, base: Span | undefined, at: number, negated: boolean): Match {
  if (base && at >= 0) return negated ? new NegatedAddress(dir, addrs, base, at) : new PlacedAddress(dir, addrs, base, at);
  if (base) return negated ? { kind: 'address', dir, addrs, span: base, negated } : { kind: 'address', dir, addrs, span: base };
  return negated ? { kind: 'address', dir, addrs, negated } : { kind: 'address', dir, addrs };
}
export function ifMatch(dir: 'in' | 'out', names: string[], base: Span | undefined, at: number, negated: boolean): Match {
  if (base && at >= 0) return negated ? new NegatedInterface(dir, names, base, at) : new PlacedInterface(dir, names, base, at);
  if (base) return negated ? { kind: 'interface', dir, names, span: base, negated } : { kind: 'interface', dir, names, span: base };
  return negated ? { kind: 'interface', dir, names, negated } : { kind: 'interface', dir, names };
}
export function ctMatch(states: CtState[], base: Span | undefined, at: number, negated: boolean): Match {
  if (base && at >= 0) return negated ? new NegatedCtState(states, base, at) : new PlacedCtState(states, base, at);
  if (base) return negated ? { kind: 'ctstate', states, span: base, negated } : { kind: 'ctstate', states, span: base };
  return negated ? { kind: 'ctstate', states, negated } : { kind: 'ctstate', states };
}
export function icmpMatch(family: Family, values: NumSet, base: Span | undefined, at: number, negated: boolean): Match {
  if (base && at >= 0) return negated ? new NegatedIcmpType(family, values, base, at) : new PlacedIcmpType(family, values, base, at);
  if (base) return negated ? { kind: 'icmp-type', family, values, span: base, negated } : { kind: 'icmp-type', family, values, span: base };
  return negated ? { kind: 'icmp-type', family, values, negated } : { kind: 'icmp-type', family, values };
}
