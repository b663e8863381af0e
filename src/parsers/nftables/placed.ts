/**
 * The matches the nftables builder makes for the common kinds, each with its span kept inside it
 * as one small integer next to the rule's span, instead of a span object of its own (the idea of
 * ../iptables/placed.ts, kept apart so the two parsers can change independently).
 *
 * Why: a 100k-rule nft ruleset has about two placed matches per rule (address, port, interface,
 * ct state), and nothing after the parse reads a match's span (reports use the rule's span and its
 * reportSpan). A CompactLineSpan per match is 40 bytes and one more object for every scavenge to
 * copy and the old generation to keep (15 MB of spans in all on that file); this is 8 bytes more
 * in the match. `span` is built when read (tests, tools), equal to the span the parser's line
 * index gives for the match's text.
 *
 * The matches are what the model says (own `kind`, fields and `negated`, `span` readable);
 * `toJSON` gives the same object, key for key, as the plain literal did ({ kind, ...fields, span,
 * negated? }). A negated match is an instance of a subclass whose constructor sets `negated`:
 * every instance of a class has one shape, all fields inside the object. Fields are assigned in
 * the constructors, not declared with initialisers (those run as one more function per object).
 */
import { LineSpan, type Action, type AddrSet, type CtState, type Family, type Match, type NumSet, type Rule, type Span } from '../../model/index.js';

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

abstract class Placed {
  readonly #base: Span;
  readonly #at: number;
  declare negated?: boolean;

  constructor(base: Span, at: number) {
    this.#base = base;
    this.#at = at;
  }

  get span(): Span {
    return spanAt(this.#base, this.#at);
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

class PlacedAddress extends Placed {
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
class NegatedAddress extends PlacedAddress {
  constructor(dir: 'src' | 'dst', addrs: AddrSet, base: Span, at: number) {
    super(dir, addrs, base, at);
    this.negated = true;
  }
}

class PlacedProtocol extends Placed {
  declare readonly kind: 'protocol';
  declare readonly protocols: NumSet;
  constructor(protocols: NumSet, base: Span, at: number) {
    super(base, at);
    this.kind = 'protocol';
    this.protocols = protocols;
  }
}
class NegatedProtocol extends PlacedProtocol {
  constructor(protocols: NumSet, base: Span, at: number) {
    super(protocols, base, at);
    this.negated = true;
  }
}

class PlacedPort extends Placed {
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
class NegatedPort extends PlacedPort {
  constructor(dir: 'src' | 'dst', ports: NumSet, base: Span, at: number) {
    super(dir, ports, base, at);
    this.negated = true;
  }
}

class PlacedInterface extends Placed {
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
class NegatedInterface extends PlacedInterface {
  constructor(dir: 'in' | 'out', names: string[], base: Span, at: number) {
    super(dir, names, base, at);
    this.negated = true;
  }
}

class PlacedCtState extends Placed {
  declare readonly kind: 'ctstate';
  declare readonly states: CtState[];
  constructor(states: CtState[], base: Span, at: number) {
    super(base, at);
    this.kind = 'ctstate';
    this.states = states;
  }
}
class NegatedCtState extends PlacedCtState {
  constructor(states: CtState[], base: Span, at: number) {
    super(states, base, at);
    this.negated = true;
  }
}

class PlacedIcmpType extends Placed {
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
class NegatedIcmpType extends PlacedIcmpType {
  constructor(family: Family, values: NumSet, base: Span, at: number) {
    super(family, values, base, at);
    this.negated = true;
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

/**
 * A rule's text as the parsers keep it: text[from, to) with whitespace runs collapsed to one space
 * (a rule continued with a backslash), trimmed (fast path: already one line with single spaces).
 * Checked on the source text itself: reading a slice char by char goes through the slice's indirection.
 */
export function oneLineAt(text: string, from: number, to: number): string {
  let clean = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || (c === 32 && (i === from || i === to - 1 || text.charCodeAt(i + 1) === 32))) {
      clean = false;
      break;
    }
  }
  const s = text.slice(from, to);
  return clean ? s : s.replace(/\s+/g, ' ').trim();
}

/**
 * A text-parsed model rule that keeps less than the literal it replaces:
 * - `text`, read only for trace output and a few messages, is sliced from the document when read
 *   (its text is oneLineAt(document, span's offsets));
 * - `reportSpan`, when it is on the rule's first line, is one small integer next to the rule's span
 *   (as a placed match keeps its span), built when read.
 * On nftables-100k.nft, 100k sliced strings (32 bytes each) and 60k span objects (40) less, in a
 * rule object as large as the literal (72 bytes).
 * `id`, `matches`, `action`, `span` and `comment` are own fields as before; `toJSON` gives the
 * object the literal was, key for key ({ id, matches, action, span, text, reportSpan?, comment? }).
 */
export class NftRule implements Rule {
  declare id: number;
  declare matches: Match[];
  declare action: Action;
  declare span: Span;
  declare comment?: string;
  /** The whole document: the rule's text is at span's offsets. */
  readonly #doc: string;
  /** The report span, or its place next to `span` (spanAt), or undefined. */
  readonly #report: Span | number | undefined;

  constructor(id: number, matches: Match[], action: Action, span: Span, doc: string, report: Span | number | undefined, comment: string | undefined) {
    this.id = id;
    this.matches = matches;
    this.action = action;
    this.span = span;
    if (comment !== undefined) this.comment = comment;
    this.#doc = doc;
    this.#report = report;
  }

  get text(): string {
    const s = this.span;
    return oneLineAt(this.#doc, s.start.offset, s.end.offset);
  }

  get reportSpan(): Span | undefined {
    const r = this.#report;
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
