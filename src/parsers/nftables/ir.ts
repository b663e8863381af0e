/**
 * The intermediate form both nftables front ends (text and JSON) produce. One
 * builder (./build.ts) turns it into the common model, so the two front ends
 * agree by construction on everything but syntax.
 */
import type { Diagnostic, DocComment, MarkOp, Rule, Span, TableFamily } from '../../model/index.js';
import { CONTINUE_TARGETS } from '../iptables/names.js';
import { spanAt } from '../placed.js';

/** A selector: what a match or a statement reads from the packet. */
export type IrExpr =
  | { k: 'payload'; proto: string; field: string }
  | { k: 'meta'; key: string }
  | { k: 'ct'; key: string; dir?: string }
  | { k: 'fib'; flags: string[]; result: string }
  | { k: 'concat'; items: IrExpr[] }
  | { k: 'binop'; op: string; left: IrExpr; right: IrVal }
  /** Anything else: `module` is the name used for opaque matches (`tcp option`, `exthdr`, `osf`, `payload raw`). */
  /** `option`: a TCP option's name and field (`tcp option maxseg size`: "maxseg size"), for plain.ts. */
  /** `values`: the numbers a `numgen … mod N offset O` gives, O to O+N-1 (a verdict map over all of them always hits). */
  | { k: 'other'; module: string; option?: string; values?: [number, number] };

export type IrVal =
  | { k: 'atom'; v: string | number | boolean; quoted?: boolean; span?: Span }
  | { k: 'prefix'; addr: string; len: number; span?: Span }
  | { k: 'range'; lo: IrVal; hi: IrVal; span?: Span }
  | { k: 'set'; elems: IrElem[]; span?: Span }
  | { k: 'concat'; items: IrVal[]; span?: Span }
  /** Comma list of flags (`ct state established,related`); JSON arrays on the right of a match. */
  | { k: 'list'; items: IrVal[]; span?: Span }
  | { k: 'ref'; name: string; span?: Span }
  /** `value / mask` (nft's flags notation: `tcp flags syn / fin,syn,rst,ack` is (flags & mask) == value). */
  | { k: 'masked'; value: IrVal; mask: IrVal; span?: Span }
  /** A run-time value (an expression, a map lookup, arithmetic on values). */
  | { k: 'expr'; text: string; span?: Span };

export interface IrElem {
  key: IrVal;
  data?: IrVal;
  verdict?: IrVerdict;
}

export type IrVerdict =
  | { k: 'accept' }
  | { k: 'drop' }
  | { k: 'return' }
  | { k: 'continue' }
  | { k: 'jump'; target: string }
  | { k: 'goto'; target: string }
  | { k: 'reject'; with?: string }
  | { k: 'queue'; text: string }
  /** A target nft lists untranslated (`xt target "DNAT"`): its verdict is not known here. */
  | { k: 'unknown'; target: string; text: string };

export type IrStmt =
  /**
   * A relational match. With `at` (>= 0), `span` is the rule's span and `at` the match's place next
   * to it (see ./placed.ts: the model match then keeps no span object of its own); else `span` is its own.
   * `rightSpan` (destination ports: the rule's reportSpan) is the value's span, or its place next to the
   * span of the rule.
   */
  | { k: 'match'; left: IrExpr; op: string; right: IrVal; span: Span; at?: number; rightSpan?: Span | number }
  | { k: 'verdict'; v: IrVerdict; span?: Span }
  | { k: 'vmap'; key: IrExpr; map: IrVal; span: Span }
  /**
   * `map`: the address is looked up in a map (`dnat to tcp dport map { 80 : 10.0.0.1 }`, `dnat ip to ip daddr .
   * tcp dport map @fwd`): only packets whose key is in the map are translated, to that element's data (an
   * address, or an address and a port); the others go on to the next rule (a lookup miss breaks the rule).
   * With `port`, the map gives the port (`redirect to :tcp dport map { 80 : 8080 }`, `dnat to 10.0.0.1 : tcp
   * dport map { … }`) and the address is `addr`.
   */
  | { k: 'nat'; type: 'dnat' | 'snat' | 'masquerade' | 'redirect'; addr?: IrVal; port?: IrVal; addrIsExpr?: boolean; map?: { key: IrExpr; map: IrVal; port?: boolean }; text: string; span: Span }
  /**
   * Statements that do not end evaluation (counter, log, mangle, set updates...). `name` is the JSON statement name.
   * `deps`: the header fields it reads or writes (`add @s { ip saddr }`, `ip dscp set cs1`): nft makes the rule depend
   * on their protocol, as for a match (in an inet table `ip saddr` keeps the rule to IPv4 packets).
   * `rewrites`: a mangle of an address or port (`ip daddr set 10.0.1.1`, `tcp dport set 22`), named (`ip daddr`): the
   * rules after it, the routing decision and the socket see the new value (see rewrittenField); `rewriteTo` the value
   * when it is one written out (`10.0.1.1`, `22`), not computed (`numgen inc mod 2 map { … }`).
   */
  | { k: 'continue'; name: string; span?: Span; updatesSet?: string; deps?: IrExpr[]; mark?: MarkOp; rewrites?: string; rewriteTo?: IrVal; mangles?: true }
  /** Statements that act as matches the engine cannot decide (limit, quota, ct count). */
  | { k: 'opaque'; module: string; text: string; reason: string; span: Span }
  /** A statement nothing knows: kept as an opaque match with the given text. */
  | { k: 'unknown'; text: string; span: Span };

export interface IrRule {
  stmts: IrStmt[];
  span: Span;
  /** With `doc`, read from it when asked: oneLineAt(doc, span's offsets) (./placed.ts). */
  readonly text: string;
  /** The document the rule's text is in, when `text` is read from it (the model rule then does the same). */
  readonly doc?: string;
  /**
   * nft -j: the JSON document, which the spans of the rule's statements index. An undecodable match quotes its
   * own statement from it instead of the whole rule object.
   */
  readonly source?: string;
  comment?: string;
  /**
   * The model rules, when the builder made them as soon as the rule was parsed (see
   * RulePrebuilder in ./build.ts); their ids are set when the document is built.
   * `stmts` is then emptied.
   */
  built?: Rule[];
  /** The builder's diagnostics for `built`, reported where the rule is built in order. */
  builtDiagnostics?: Diagnostic[];
}

/** A chain's rule: parsed, or already built into the one model rule it gives (RulePrebuilder). */
export type IrChainRule = IrRule | Rule;

export interface IrChain {
  name: string;
  span: Span;
  hook?: string;
  priority?: number;
  type?: string;
  policy?: 'accept' | 'drop';
  policySpan?: Span;
  /** An ingress chain's devices (`device "eth0"`, `devices = { … }`, JSON "dev"), where they are written. */
  devices?: { names: string[]; span: Span };
  rules: IrChainRule[];
}

export interface IrSet {
  name: string;
  isMap: boolean;
  flags: string[];
  hasTimeout: boolean;
  elems: IrElem[];
  span: Span;
  /** An `add element` command has filled the set (see deleteElems). */
  added?: boolean;
  /** `auto-merge`: nft merges overlapping interval elements instead of refusing them (see checkOverlaps in build.ts). */
  autoMerge?: boolean;
  /** A `delete element` that may not take effect (see deleteElems), and the elements it may leave in place. */
  deleteUnsure?: Span;
  maybeKept?: IrElem[];
}

/**
 * `delete element`: the elements go. But nft 1.0.6 (kernel 6.18, checked in a namespace) leaves in place an element of
 * an interval set that only its declaration gave, when the same file deletes it (`set s { flags interval; elements =
 * { 80, 443 } }` then `delete element … s { 80 }` keeps 80; after any `add element` to the set it goes): whether
 * such a delete works is then not known, and the set's contents with it.
 */
export function deleteElems(s: IrSet, elems: readonly IrElem[], span: Span): void {
  const gone = new Set(elems.map((e) => valKey(e.key)));
  if (!s.added && s.flags.includes('interval') && s.elems.some((e) => gone.has(valKey(e.key)))) {
    s.deleteUnsure ??= span;
    (s.maybeKept ??= []).push(...s.elems.filter((e) => gone.has(valKey(e.key))));
  }
  s.elems = s.elems.filter((e) => !gone.has(valKey(e.key)));
}

export interface IrTable {
  family: TableFamily;
  name: string;
  span: Span;
  chains: Map<string, IrChain>;
  sets: Map<string, IrSet>;
  /** Anonymous chains (chain bindings) counter. */
  anon: number;
  /**
   * The `flags dormant` that put the table to sleep: its base chains are on no hook. Every declaration of the table
   * (`table … { }`, `add table`) sends its flags, so a later one without `dormant` wakes it (checked with nft 1.0.6).
   */
  dormant?: Span;
  /**
   * `nft -j` flags that name no table flag: nft 1.0.6 writes the table's name there (`"flags": "t"` for `flags dormant`,
   * `owner` or `persist`), so the table may be dormant: its base chains may be on no hook.
   */
  maybeDormant?: { span: Span; text: string };
}

export interface IrDoc {
  tables: IrTable[];
  diagnostics: Diagnostic[];
  comments: DocComment[];
}

export function tableKey(family: string, name: string): string {
  return `${family} ${name}`;
}

/** The ruleset state that nft commands edit, in declaration order. */
export class IrState {
  readonly tables = new Map<string, IrTable>();
  /** The last `flush ruleset` of every family: from there on the document is the host's whole ruleset. */
  replacedAt: Span | undefined;

  table(family: TableFamily, name: string, span: Span): IrTable {
    const key = tableKey(family, name);
    let t = this.tables.get(key);
    if (!t) {
      t = { family, name, span, chains: new Map(), sets: new Map(), anon: 0 };
      this.tables.set(key, t);
    }
    return t;
  }
  findTable(family: string, name: string): IrTable | undefined {
    return this.tables.get(tableKey(family, name));
  }
  chain(t: IrTable, name: string, span: Span): IrChain {
    let c = t.chains.get(name);
    if (!c) {
      c = { name, span, rules: [] };
      t.chains.set(name, c);
    }
    return c;
  }
  set(t: IrTable, name: string, isMap: boolean, span: Span): IrSet {
    let s = t.sets.get(name);
    if (!s) {
      s = { name, isMap, flags: [], hasTimeout: false, elems: [], span };
      t.sets.set(name, s);
    }
    return s;
  }
  flushRuleset(family?: string, span?: Span): void {
    if (family === undefined && span) this.replacedAt = span;
    for (const [k, t] of [...this.tables]) if (family === undefined || t.family === family) this.tables.delete(k);
  }
  doc(diagnostics: Diagnostic[], comments: DocComment[]): IrDoc {
    return { tables: [...this.tables.values()], diagnostics, comments };
  }
}

/** A position-free identity for a value (element deletion compares values, not where they were written). */
export function valKey(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => (k === 'span' ? undefined : x));
}

/** The module name an undecodable test is kept under ("tcp dport", "meta mark", "ct status"). */
export function exprModule(e: IrExpr): string {
  switch (e.k) {
    case 'payload':
      return `${e.proto} ${e.field}`;
    case 'meta':
      return `meta ${e.key}`;
    case 'ct':
      return `ct ${e.key}`;
    case 'fib':
      return 'fib';
    case 'concat':
      return 'concat';
    case 'binop':
      return exprModule(e.left);
    case 'other':
      return e.module;
  }
}

/**
 * A command that names a rule by handle or position (`delete rule … handle 5`, `replace rule …`, `add rule …
 * position 3`): which rule it deletes, replaces or follows is known only to the loaded ruleset (a deleted drop
 * may open anything), so the chain may accept any packet: a rule at its start accepts on a test that may or may
 * not hold, named after the command. Sound, not exact: what the rules below accept stays "open". Once per chain
 * until the chain is flushed. Returns that rule's index: a rule inserted at a position goes after it (nft puts it
 * before the rule of that handle, which may be any rule, never before one inserted later without a position).
 */
export function unknownRules(ch: IrChain, span: Span, text: string): number {
  const at = ch.rules.findIndex((r) => 'stmts' in r && r.stmts[0]?.k === 'opaque' && r.stmts[0].module === 'rule handle');
  if (at >= 0) return at;
  ch.rules.unshift({ stmts: [positionUnknown(span, text), { k: 'verdict', v: { k: 'accept' }, span }], span, text });
  return 0;
}

/**
 * Where `add rule … index N` / `insert rule … index N` puts its rule, when that is known: N is the 0-based place
 * of a rule in the chain as the commands before it left it (nft(8): "add" places the rule after the rule at that
 * index, "insert" before it), so in a chain holding only the rules read so far (no rule placed by handle before)
 * it is `N + 1` or `N`. Undefined when the chain's rules are not all known, or when N is not a rule of the chain
 * (nft refuses the command: "Could not process rule").
 */
export function placeByIndex(ch: IrChain, verb: string, index: string): number | undefined {
  if (!/^[0-9]{1,9}$/.test(index)) return undefined;
  const n = Number(index);
  if (n >= ch.rules.length) return undefined;
  if (ch.rules.some((r) => 'stmts' in r && r.stmts[0]?.k === 'opaque' && r.stmts[0].module === 'rule handle')) return undefined;
  return verb === 'insert' ? n : n + 1;
}

/**
 * The test that a rule placed by handle or position is where it is read (right after the rule unknownRules makes):
 * it may be there or after any other rule, so it decides nothing for certain and hides no rule behind it.
 */
export function positionUnknown(span: Span, text: string): IrStmt {
  const reason = 'rule handles and positions are given when the ruleset is loaded: the rules this command changes are not known here';
  return { k: 'opaque', module: 'rule handle', text, reason, span };
}

/**
 * An iptables extension nft lists untranslated (`xt match "comment"`, `xt target "MARK"`: iptables-nft rules, which
 * `nft -j` always lists so): a comment always matches, and a target the iptables reader goes on after (CONTINUE_TARGETS:
 * MARK, LOG, CONNMARK, …) goes on here too — but CT and NOTRACK, which may untrack; any other match is undecided and any
 * other target's verdict unknown. Its text: `xt match comment` (nft -j: not the JSON object).
 */
export function xtStmt(type: string | undefined, name: string | undefined, span: Span): IrStmt {
  const text = `xt ${type ?? ''} ${name ?? ''}`.replace(/ +/g, ' ').trim();
  if (type === 'target') {
    if (name !== undefined && CONTINUE_TARGETS.has(name) && name !== 'CT' && name !== 'NOTRACK') return { k: 'continue', name: 'xt', span };
    return { k: 'verdict', v: { k: 'unknown', target: name ?? 'xt', text }, span };
  }
  if (type === 'match' && name === 'comment') return { k: 'continue', name: 'comment', span };
  return { k: 'opaque', module: 'xt', text, reason: 'iptables compatibility expressions are not decoded', span };
}

/**
 * The test a map lookup `KEY map M` makes of a packet: its key is one of the map's (a miss breaks the rule), none
 * for a map with a catch-all element; undecided for a map not written out here.
 */
export function mapKeyMatch(key: IrExpr, m: IrVal, span: Span): IrStmt | undefined {
  if (m.k === 'set') {
    if (m.elems.some((e) => e.key.k === 'atom' && e.key.v === '*')) return undefined;
    return { k: 'match', left: key, op: '==', right: { k: 'set', elems: m.elems.map((e) => ({ key: e.key })) }, span };
  }
  if (m.k === 'ref') return { k: 'match', left: key, op: '==', right: m, span };
  return { k: 'opaque', module: 'map', text: m.k === 'expr' ? m.text : 'map', reason: 'a key not in the map breaks the rule', span };
}

/** Fields whose value the engine decides matches and the routing decision on: a rewrite of one is not followed. */
const REWRITE_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  ip: new Set(['saddr', 'daddr']),
  ip6: new Set(['saddr', 'daddr']),
  th: new Set(['sport', 'dport']),
  tcp: new Set(['sport', 'dport']),
  udp: new Set(['sport', 'dport']),
  udplite: new Set(['sport', 'dport']),
  sctp: new Set(['sport', 'dport']),
  dccp: new Set(['sport', 'dport']),
};

/**
 * `ip daddr` for a mangle statement that writes an address or a port (`ip daddr set numgen inc mod 2 map { … }`,
 * `tcp dport set 22`): the packet goes on with a value the engine does not follow — to another destination (routed
 * away, or to a local address: stateless NAT), to another port's socket, past later rules that test the field. The
 * builder makes such a rule's verdict unknown (an accept or a drop may follow). Other mangles (`ip dscp set`, `tcp option
 * maxseg size set`) change nothing the engine decides.
 */
/** A mangle statement's field is a header field other than an address or a port (`ip dscp`, `ip ttl`, `tcp option …`): Action.mangles. */
export function mangledHeader(e: IrExpr | undefined): boolean {
  return (e?.k === 'payload' || e?.k === 'other') && rewrittenField(e) === undefined;
}

export function rewrittenField(e: IrExpr | undefined): string | undefined {
  return e?.k === 'payload' && REWRITE_FIELDS[e.proto]?.has(e.field) ? `${e.proto} ${e.field}` : undefined;
}

/**
 * `numgen`, `jhash`, `symhash` as an expression: opaque, with the values it gives when `mod N` (and `offset O`) are
 * plain numbers: O to O+N-1 (nft refuses mod 0; the kernel's result is a 32-bit number).
 */
export function numgenExpr(module: string, mod: number | undefined, offset: number): IrExpr {
  if (mod === undefined || !Number.isInteger(mod) || mod < 1 || !Number.isInteger(offset) || offset < 0 || offset + mod - 1 > 0xffffffff) return { k: 'other', module };
  return { k: 'other', module, values: [offset, offset + mod - 1] };
}

/** Transport headers whose payload test gives nft a protocol context (its dependency, `meta l4proto X`). */
const CONTEXT_PAYLOADS = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmpv6', 'igmp', 'ah', 'esp', 'comp']);

/**
 * Whether a match gives nft the transport protocol for a later `ct … proto-src/proto-dst` value (nft 1.0.6 -c: after
 * `tcp dport 22`, `icmp type …`, `meta l4proto tcp`, `meta l4proto { tcp, udp }`, `ip protocol tcp` it loads; after
 * nothing, `th dport`, `meta l4proto != tcp` or, in an inet table, `ct original protocol tcp` it fails).
 */
function givesProtoContext(left: IrExpr, op: string, family: string): boolean {
  if (left.k === 'concat') return left.items.some((x) => givesProtoContext(x, '==', family));
  if (left.k === 'payload' && CONTEXT_PAYLOADS.has(left.proto)) return true;
  // (in an ip or ip6 table `ct original protocol tcp` gives it too; in an inet table it does not)
  if (left.k === 'ct' && left.key === 'protocol' && left.dir !== undefined && (family === 'ip' || family === 'ip6')) return op === '==' || op === 'in';
  const proto = (left.k === 'meta' && left.key === 'l4proto') || (left.k === 'payload' && ((left.proto === 'ip' && left.field === 'protocol') || (left.proto === 'ip6' && left.field === 'nexthdr')));
  return proto && (op === '==' || op === 'in');
}

/** `ct [original|reply] proto-src|proto-dst` (alone or in a concatenation) as written, or undefined. */
function ctProtoField(left: IrExpr): string | undefined {
  if (left.k === 'concat') {
    for (const x of left.items) {
      const f = ctProtoField(x);
      if (f) return f;
    }
    return undefined;
  }
  if (left.k !== 'ct' || (left.key !== 'proto-src' && left.key !== 'proto-dst')) return undefined;
  return `ct ${left.dir ? `${left.dir} ` : ''}${left.key}`;
}

/**
 * nft's text: a `ct … proto-src/proto-dst` test with no transport protocol test before it in the rule is refused
 * (nft 1.0.6 -c). Not for nft -j: its listing leaves out the `ct original protocol` an ip table's rule took as that
 * test (nft lists the rule back without it).
 */
export function checkCtProtoContext(stmts: readonly IrStmt[], from: number, to: number, family: string, ruleSpan: Span, diagnostics: Diagnostic[]): void {
  for (let i = from; i < to; i++) {
    const st = stmts[i]!;
    if (st.k !== 'match') continue;
    if (givesProtoContext(st.left, st.op, family)) return;
    const ct = ctProtoField(st.left);
    if (ct)
      diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: `${ct} needs a transport protocol test before it in the rule (tcp dport …, meta l4proto tcp): nft cannot read its value ("Can't parse symbolic invalid expressions") and refuses the file`, span: (st.span && spanAt(st.span, st.at ?? -1)) ?? ruleSpan });
  }
}
