/**
 * The matches the restore fast path makes, each with its span kept inside it as one small
 * integer next to the rule's span, instead of a span object of its own.
 *
 * Why: a 100k-rule iptables-save file has about three matches per rule, and nothing after the
 * parse reads a match's span (reports use the rule's span and its reportSpan). A LineSpan per
 * match was 48 bytes and one more object for every scavenge to copy; this is 8 bytes more in
 * the match. `span` is built when read (tests, tools), equal to what `ctx.span(a, b)` gives.
 *
 * The matches are what the model says (own `kind`, fields and `negated`, `span` readable);
 * `toJSON` gives the same object, key for key, as the plain literal did. A negated match is an
 * instance of a subclass whose constructor sets `negated`: every instance of a class has one
 * shape, all fields inside the object (V8 sizes a class's objects by the assignments of its
 * constructors). Fields are assigned in the constructors, not declared with initialisers:
 * those run as one more function per construction.
 */
import { LineSpan, type AddrSet, type CtState, type Family, type NumSet, type Span } from '../../model/index.js';

/** Limits of the packed position: start column (from the rule's start) and length (packed < 2^31: a small integer). */
const COL_LIMIT = 65536;
const LEN_LIMIT = 32768;

abstract class Placed {
  /** The rule's span (the match is on its first line), or the match's own span when #at is -1. */
  readonly #base: Span;
  /** (start - rule start) + length * COL_LIMIT, or -1. */
  readonly #at: number;
  declare negated?: boolean;

  constructor(base: Span, at: number) {
    this.#base = base;
    this.#at = at;
  }

  get span(): Span {
    const at = this.#at;
    if (at < 0) return this.#base;
    const s = this.#base.start;
    const len = Math.floor(at / COL_LIMIT);
    const a = s.offset + (at % COL_LIMIT);
    return LineSpan.of(s.line, s.offset - s.column + 1, a, a + len);
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

/**
 * What a match keeps of its place text[a..b): the packed position relative to `rule` (the span of
 * the rule, which starts on the match's line at `ruleStart`), or -1 when it does not fit.
 */
export function placeOf(ruleStart: number, a: number, b: number): number {
  const col = a - ruleStart;
  const len = b - a;
  return col >= 0 && col < COL_LIMIT && len >= 0 && len < LEN_LIMIT ? col + len * COL_LIMIT : -1;
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
