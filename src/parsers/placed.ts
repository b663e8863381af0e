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

abstract class Placed {
  /** The first word of the match's CompactLineSpan, or the rule's span (then AT is the place). */
  declare readonly [BASE]: Span | number;
  declare readonly [AT]: number;
  declare negated?: boolean;

  constructor(base: Span, at: number) {
    const col = at % COL_LIMIT;
    const len = (at - col) / COL_LIMIT;
    const w = compactWordA(base, col, len);
    (this as { [BASE]: Span | number })[BASE] = w ?? base;
    (this as { [AT]: number })[AT] = w === undefined ? at : compactWordB(base, len);
  }

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
    super(base, at);
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
    super(base, at);
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
    super(base, at);
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
    super(base, at);
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
    super(base, at);
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
    super(base, at);
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
