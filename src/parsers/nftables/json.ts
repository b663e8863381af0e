/**
 * libnftables JSON (`nft -j list ruleset`, `nft -j -f` input) → intermediate
 * form. The top-level shape is checked with a JSON Schema; positions come from
 * the positioned value tree.
 */
import type { ValidateFunction } from 'ajv';
import { ajvLib } from '../libs.js';
import { DOCUMENT_START, LineIndex, type Diagnostic, type Span, type TableFamily } from '../../model/index.js';
import { toPlain, type PValue } from '../values.js';
import type { RulePrebuilder } from './build.js';
import { deleteElems, IrState, mapKeyMatch, numgenExpr, placeByIndex, mangledHeader, positionUnknown, rewrittenField, unknownRules, type IrChain, type IrChainRule, type IrElem, type IrExpr, type IrRule, type IrSet, type IrStmt, type IrTable, type IrVal, type IrVerdict, xtStmt } from './ir.js';
import { FAMILIES, namedPriority } from './symbols.js';
import { member as get, parseJsonViews } from './fastjson.js';
import { readJson } from '../json.js';
import { parseStatementsText } from './text.js';
import { nftMarkOp } from './marks.js';

const OBJECTS = ['metainfo', 'table', 'chain', 'rule', 'set', 'map', 'element', 'flowtable', 'counter', 'quota', 'ct helper', 'limit', 'ct timeout', 'ct expectation', 'secmark', 'synproxy', 'tunnel'];
const COMMANDS = ['add', 'create', 'insert', 'replace', 'delete', 'destroy', 'flush', 'list', 'reset', 'rename'];

export const NFTABLES_JSON_SCHEMA = {
  type: 'object',
  required: ['nftables'],
  additionalProperties: false,
  properties: {
    nftables: {
      type: 'array',
      items: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        propertyNames: { enum: [...OBJECTS, ...COMMANDS] },
      },
    },
  },
} as const;

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  validator ??= new (ajvLib().Ajv)({ allErrors: true, strict: false }).compile(NFTABLES_JSON_SCHEMA);
  return validator;
}

/** The positioned node at a JSON pointer (ajv instancePath), or the nearest ancestor. */
function nodeAt(root: PValue, pointer: string): PValue {
  let cur: PValue = root;
  if (!pointer) return cur;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    let next: PValue | undefined;
    if (cur.kind === 'array') next = cur.items[Number(key)];
    else if (cur.kind === 'object') next = get(cur, key);
    if (!next) break;
    cur = next;
  }
  return cur;
}

/** Inputs at least this long are read with `JSON.parse`; positions are exact per item only. */
export const VIEW_JSON_MIN = 8_000_000;

/**
 * What the schema looks at: the top-level object and each item's keys. Item
 * contents are replaced by null so validating a 100k-rule dump costs nothing.
 */
function shallow(root: PValue): unknown {
  if (root.kind !== 'object') return toPlain(root);
  const out: Record<string, unknown> = {};
  for (const e of root.entries) {
    if (e.key === 'nftables' && e.value.kind === 'array') {
      out[e.key] = e.value.items.map((it) => {
        if (it.kind !== 'object') return toPlain(it);
        const o: Record<string, unknown> = {};
        for (const x of it.entries) o[x.key] = null;
        return o;
      });
    } else out[e.key] = e.value.kind === 'object' || e.value.kind === 'array' ? toPlain(e.value) : toPlain(e.value);
  }
  return out;
}

export interface JsonIr {
  state: IrState;
  dynamicSets: Set<string>;
  diagnostics: Diagnostic[];
}

function str(v: PValue | undefined): string | undefined {
  return v?.kind === 'scalar' && typeof v.value === 'string' ? v.value : undefined;
}

function entries(v: PValue | undefined): { key: string; value: PValue; keySpan: Span }[] {
  return v?.kind === 'object' ? v.entries : [];
}
/** Protocols whose header fields, named in a statement, make nft add a dependency on the protocol. */
const DEP_PROTOCOLS: ReadonlySet<string> = new Set(['ip', 'ip6', 'icmp', 'icmpv6', 'tcp', 'udp', 'udplite', 'sctp', 'dccp']);

/** The header fields (`{"payload": {"protocol": "ip", "field": "saddr"}}`) anywhere in v: a statement's dependencies. */
function payloadDeps(v: PValue | undefined, out?: IrExpr[], depth = 0): IrExpr[] | undefined {
  if (!v || depth > 16) return out;
  if (v.kind === 'array') {
    for (const x of v.items) out = payloadDeps(x, out, depth + 1);
    return out;
  }
  for (const e of entries(v)) {
    if (e.key === 'payload') {
      const proto = str(get(e.value, 'protocol'));
      const field = str(get(e.value, 'field'));
      if (proto !== undefined && field !== undefined && DEP_PROTOCOLS.has(proto) && !field.includes(' ')) (out ??= []).push({ k: 'payload', proto, field });
    } else out = payloadDeps(e.value, out, depth + 1);
  }
  return out;
}

function single(v: PValue | undefined): { key: string; value: PValue } | undefined {
  const e = entries(v);
  return e.length === 1 ? e[0] : undefined;
}
/** Only printable ASCII without spaces (`nft -j` output): nothing for the whitespace clean-up to change. */
function visibleAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

function scalarText(v: PValue | undefined): string | undefined {
  if (v?.kind !== 'scalar' || v.value === null) return undefined;
  return String(v.value);
}

class JsonBuilder {
  readonly state = new IrState();
  readonly dynamicSets = new Set<string>();
  /** Inside a command object (`{"add": …}`, `{"insert": …}`): a rule's `handle` there is a position. */
  private inCommand = false;
  constructor(
    private readonly text: string,
    readonly diagnostics: Diagnostic[],
    /** When given, rules are built into the model as they are read (see RulePrebuilder). */
    private readonly prebuilder?: RulePrebuilder,
  ) {}

  private warn(message: string, span: Span, code = 'nftables-json/unsupported', severity: 'error' | 'warning' = 'warning'): void {
    this.diagnostics.push({ severity, code, message, span });
  }

  private textOf(v: PValue): string {
    const lazy = v as unknown as { s?: number; e?: number };
    const s = typeof lazy.s === 'number' && typeof lazy.e === 'number' ? this.text.slice(lazy.s, lazy.e) : this.text.slice(v.span.start.offset, v.span.end.offset);
    const t = s.length > 400 ? `${s.slice(0, 400)}…` : s;
    return visibleAscii(t) ? t : t.replace(/\s+/g, ' ').trim();
  }

  private famName(o: PValue): { family: TableFamily; name: string } | undefined {
    const fam = str(get(o, 'family')) ?? 'ip';
    const name = scalarText(get(o, 'name'));
    if (!FAMILIES.has(fam) || name === undefined) {
      this.warn(`Object without a valid family and name`, o.span, 'nftables-json/bad-object', 'error');
      return undefined;
    }
    return { family: fam as TableFamily, name };
  }

  private tableOf(o: PValue, create: boolean): IrTable | undefined {
    const fam = str(get(o, 'family')) ?? 'ip';
    const name = scalarText(get(o, 'table'));
    if (!FAMILIES.has(fam) || name === undefined) {
      this.warn('Object without a valid family and table', o.span, 'nftables-json/bad-object', 'error');
      return undefined;
    }
    const t = this.state.findTable(fam, name);
    if (t) return t;
    if (!create) {
      this.warn(`No table ${fam} ${name}`, o.span, 'nftables-json/no-such-object');
      return undefined;
    }
    return this.state.table(fam as TableFamily, name, o.span);
  }

  item(it: PValue, verb: string): void {
    const e = single(it);
    if (!e) return;
    const { key, value } = e;
    if (COMMANDS.includes(key)) {
      if (verb !== 'add') return this.warn(`Nested command "${key}"`, it.span, 'nftables-json/bad-object', 'error');
      if (key === 'list' || key === 'reset') return;
      if (key === 'flush' && single(value)?.key === 'ruleset') {
        this.state.flushRuleset(undefined, it.span);
        return;
      }
      this.inCommand = true;
      try {
        return this.item(value, key === 'create' ? 'add' : key);
      } finally {
        this.inCommand = false;
      }
    }
    switch (key) {
      case 'metainfo':
        return;
      case 'table': {
        const fn = this.famName(value);
        if (!fn) return;
        if (verb === 'delete' || verb === 'destroy') this.state.tables.delete(`${fn.family} ${fn.name}`);
        else if (verb === 'flush') {
          const t = this.state.findTable(fn.family, fn.name);
          if (t) for (const c of t.chains.values()) c.rules = [];
        } else {
          // `"flags": "dormant"` (or a list): its base chains are on no hook; a declaration without it wakes the table
          const t = this.state.table(fn.family, fn.name, value.span);
          const fl = get(value, 'flags');
          const flags = (fl?.kind === 'array' ? fl.items : fl ? [fl] : []).map((x) => scalarText(x));
          t.dormant = flags.includes('dormant') ? fl!.span : undefined;
          // nft 1.0.6 writes the table's name for its flags (dormant, owner or persist: which one is lost)
          const unknown = flags.find((x) => x !== 'dormant' && x !== 'owner' && x !== 'persist');
          t.maybeDormant = fl && !t.dormant && unknown !== undefined ? { span: fl.span, text: `"flags": ${JSON.stringify(unknown)}` } : undefined;
        }
        return;
      }
      case 'chain':
        return this.chain(value, verb);
      case 'rule':
        return this.rule(value, verb);
      case 'set':
      case 'map':
        return this.set(value, verb, key === 'map');
      case 'element': {
        const t = this.tableOf(value, false);
        const name = scalarText(get(value, 'name'));
        const s = name !== undefined ? t?.sets.get(name) : undefined;
        if (!s) return this.warn(`No set ${name ?? ''}`, value.span, 'nftables-json/no-such-object');
        const elems = this.elems(get(value, 'elem'), s.isMap);
        if (verb === 'delete' || verb === 'destroy') deleteElems(s, elems, value.span);
        else {
          s.elems.push(...elems);
          s.added = true;
        }
        return;
      }
      default:
        return; // stateful objects, flowtables: not modelled
    }
  }

  private chain(o: PValue, verb: string): void {
    const t = this.tableOf(o, verb === 'add');
    const name = scalarText(get(o, 'name'));
    if (!t || name === undefined) return;
    if (verb === 'delete' || verb === 'destroy') {
      t.chains.delete(name);
      return;
    }
    if (verb === 'flush') {
      const c = t.chains.get(name);
      if (c) c.rules = [];
      return;
    }
    const c = this.state.chain(t, name, o.span);
    const type = str(get(o, 'type'));
    if (type !== undefined) c.type = type;
    const hook = str(get(o, 'hook'));
    if (hook !== undefined) c.hook = hook;
    const dev = get(o, 'dev');
    const devs = (dev?.kind === 'array' ? dev.items : dev ? [dev] : []).map((x) => str(x)).filter((x): x is string => x !== undefined && x !== '');
    if (dev && devs.length > 0) c.devices = { names: devs, span: dev.span };
    const prio = get(o, 'prio');
    if (prio?.kind === 'scalar') {
      if (typeof prio.value === 'number') c.priority = prio.value;
      else if (typeof prio.value === 'string') {
        const m = /^([a-z]{1,16})\s*(?:([+-])\s*([0-9]{1,10}))?$/.exec(prio.value.trim());
        const base = m ? namedPriority(t.family, m[1]!) : undefined;
        if (m && base !== undefined) c.priority = base + (m[2] === '-' ? -1 : 1) * Number(m[3] ?? 0);
        else if (/^-?[0-9]{1,10}$/.test(prio.value.trim())) c.priority = Number(prio.value.trim());
        else this.warn(`Invalid chain priority "${prio.value}"`, prio.span, 'nftables-json/bad-priority', 'error');
      }
    }
    const policy = get(o, 'policy');
    const pv = str(policy);
    if (pv === 'accept' || pv === 'drop') {
      c.policy = pv;
      c.policySpan = policy!.span;
    }
  }

  private set(o: PValue, verb: string, isMap: boolean): void {
    const t = this.tableOf(o, verb === 'add');
    const name = scalarText(get(o, 'name'));
    if (!t || name === undefined) return;
    if (verb === 'delete' || verb === 'destroy') {
      t.sets.delete(name);
      return;
    }
    if (verb === 'flush') {
      const s = t.sets.get(name);
      if (s) {
        s.elems = [];
        delete s.deleteUnsure;
        delete s.maybeKept;
      }
      return;
    }
    const s: IrSet = this.state.set(t, name, isMap, o.span);
    const flags = get(o, 'flags');
    for (const f of flags?.kind === 'array' ? flags.items : flags ? [flags] : []) {
      const fs = str(f);
      if (fs !== undefined) s.flags.push(fs);
    }
    if (get(o, 'timeout') !== undefined) s.hasTimeout = true;
    if (get(o, 'auto-merge') !== undefined) s.autoMerge = true;
    s.elems.push(...this.elems(get(o, 'elem'), isMap));
  }

  private elems(v: PValue | undefined, isMap: boolean): IrElem[] {
    if (!v) return [];
    const list = v.kind === 'array' ? v.items : [v];
    return list.map((x) => this.elem(x, isMap));
  }

  private elem(x: PValue, isMap: boolean): IrElem {
    if (x.kind === 'array' && x.items.length === 2 && (isMap || true)) {
      const keyV = this.unwrapElem(x.items[0]!);
      const data = x.items[1]!;
      const verdict = this.verdict(data);
      const e: IrElem = { key: this.val(keyV) };
      if (verdict) e.verdict = verdict;
      else e.data = this.val(data);
      return e;
    }
    return { key: this.val(this.unwrapElem(x)) };
  }

  private unwrapElem(x: PValue): PValue {
    const e = single(x);
    if (e && e.key === 'elem') return get(e.value, 'val') ?? e.value;
    return x;
  }

  private verdict(v: PValue): IrVerdict | undefined {
    const e = single(v);
    if (!e) return undefined;
    switch (e.key) {
      case 'accept':
      case 'drop':
      case 'return':
      case 'continue':
        return { k: e.key };
      case 'jump':
      case 'goto': {
        const target = scalarText(get(e.value, 'target'));
        return target === undefined ? undefined : { k: e.key, target };
      }
      case 'queue':
        return { k: 'queue', text: this.textOf(v) };
      case 'reject': {
        const ty = str(get(e.value, 'type'));
        const ex = scalarText(get(e.value, 'expr'));
        const w = [ty, ex].filter((s) => s !== undefined).join(' ');
        return w ? { k: 'reject', with: w } : { k: 'reject' };
      }
    }
    return undefined;
  }

  private depth = 0;

  expr(v: PValue): IrExpr {
    if (this.depth > 64) return { k: 'other', module: 'unknown' };
    this.depth++;
    try {
      return this.expr1(v);
    } finally {
      this.depth--;
    }
  }

  private expr1(v: PValue): IrExpr {
    const e = single(v);
    if (!e) return { k: 'other', module: v.kind === 'scalar' ? 'constant' : 'unknown' };
    const o = e.value;
    switch (e.key) {
      case 'payload': {
        const proto = str(get(o, 'protocol'));
        const field = str(get(o, 'field'));
        const tunnel = str(get(o, 'tunnel'));
        if (tunnel !== undefined) return { k: 'other', module: `${tunnel} ${proto ?? ''}` };
        if (proto !== undefined && field !== undefined) {
          if (field.includes(' ')) return { k: 'other', module: `${proto} ${field.split(' ')[0]}` };
          return { k: 'payload', proto, field };
        }
        return { k: 'other', module: 'payload raw' };
      }
      case 'meta':
        return { k: 'meta', key: str(get(o, 'key')) ?? '' };
      case 'ct': {
        const dir = str(get(o, 'dir'));
        return dir ? { k: 'ct', key: str(get(o, 'key')) ?? '', dir } : { k: 'ct', key: str(get(o, 'key')) ?? '' };
      }
      case 'fib': {
        const fl = get(o, 'flags');
        const flags = (fl?.kind === 'array' ? fl.items : fl ? [fl] : []).map((x) => str(x) ?? '');
        return { k: 'fib', flags, result: str(get(o, 'result')) ?? '' };
      }
      case 'concat':
        return { k: 'concat', items: (o.kind === 'array' ? o.items : []).map((x) => this.expr(x)) };
      case '&':
      case '|':
      case '^':
      case '<<':
      case '>>': {
        const items = o.kind === 'array' ? o.items : [];
        return { k: 'binop', op: e.key, left: items[0] ? this.expr(items[0]) : { k: 'other', module: 'unknown' }, right: items[1] ? this.val(items[1]) : { k: 'expr', text: '' } };
      }
      case 'tcp option': {
        const name = str(get(o, 'name'));
        const field = str(get(o, 'field'));
        return name !== undefined && field !== undefined ? { k: 'other', module: e.key, option: `${name} ${field}` } : { k: 'other', module: e.key };
      }
      case 'numgen':
      case 'jhash':
      case 'symhash': {
        const mod = get(o, 'mod');
        const off = get(o, 'offset');
        const n = (x: PValue | undefined): number | undefined => (x?.kind === 'scalar' && typeof x.value === 'number' ? x.value : undefined);
        return numgenExpr(e.key, n(mod), off === undefined ? 0 : (n(off) ?? NaN));
      }
      default:
        return { k: 'other', module: e.key };
    }
  }

  /**
   * A ct state value: `nft -j list` writes `established,related` under "==" / "!=" as `{"|": ["established",
   * "related"]}` (their OR; nested in some versions), the same as the array form: a list. (Only for ct state, a
   * bit mask: on other types nft folds `a | b` into one number.)
   */
  private stateList(v: PValue): IrVal {
    const e = v.kind === 'object' ? single(v) : undefined;
    if (!e || e.key !== '|' || e.value.kind !== 'array') return this.val(v);
    const items: IrVal[] = [];
    for (const x of e.value.items) {
      const iv = this.stateList(x);
      if (iv.k === 'list') items.push(...iv.items);
      else if (iv.k === 'atom') items.push(iv);
      else return this.val(v);
    }
    return { k: 'list', items };
  }

  /**
   * A set of tcp flags values: `tcp flags { syn, syn | ack }` lists its element `syn | ack` as `{"|": ["syn", "ack"]}`
   * (nft -j 1.0.6), the text's `syn|ack`: the flags it ORs, as the text's element is read. (A value outside a set
   * keeps its own reading: `==` of an OR is one value, a comma list is a mask.)
   */
  private flagSet(v: PValue): IrVal {
    const e = v.kind === 'object' ? single(v) : undefined;
    if (!e || e.key !== 'set') return this.val(v);
    const items = e.value.kind === 'array' ? e.value.items : [e.value];
    return { k: 'set', elems: items.map((x) => ({ key: this.stateList(this.unwrapElem(x)) })) };
  }

  /**
   * A statement whose value is looked up in a map (`{"map": {"key": …, "data": …}}`: `meta mark set tcp dport map
   * { 22 : 1 }`, `counter name tcp dport map { … }`): a key not in the map breaks the rule (nft_lookup_eval:
   * NFT_BREAK), unless the map has a catch-all element; undecided here, as in the text reader.
   */
  private mapBreak(o: PValue, s: PValue, span: Span | undefined, push: (st: IrStmt) => void): void {
    // a value that is the lookup itself (`"value": {"map": {"key": …, "data": …}}`): the test of its key, as the text reader makes it
    const direct = single(get(o, 'value') ?? get(o, 'expr') ?? o);
    if (direct && direct.key === 'map') {
      const key = get(direct.value, 'key');
      const data = get(direct.value, 'data');
      if (key && data) {
        const m = this.val(data);
        const items = get(data, 'set');
        if (m.k === 'set') m.elems = (items?.kind === 'array' ? items.items : []).map((x) => this.elem(x, true));
        const st = mapKeyMatch(this.expr(key), m, span!);
        if (st) push(st);
        return;
      }
    }
    if (lookupWithoutCatchAll(o, 0)) push({ k: 'opaque', module: 'map', text: this.textOf(s), reason: 'a key not in the map breaks the rule', span: span! });
  }

  val(v: PValue): IrVal {
    if (this.depth > 64) return { k: 'expr', text: '…', span: v.span };
    this.depth++;
    try {
      return this.val1(v);
    } finally {
      this.depth--;
    }
  }

  private val1(v: PValue): IrVal {
    // positions of values are only needed for messages; the statement's span serves (and big dumps stay light)
    const span = undefined;
    if (v.kind === 'scalar') {
      if (typeof v.value === 'string' && v.value.startsWith('@')) return { k: 'ref', name: v.value.slice(1), span };
      if (v.value === null) return { k: 'expr', text: 'null', span };
      return { k: 'atom', v: v.value, span };
    }
    if (v.kind === 'array') return { k: 'list', items: v.items.map((x) => this.val(x)), span };
    const e = single(v);
    if (!e) return { k: 'expr', text: this.textOf(v), span };
    const o = e.value;
    switch (e.key) {
      case 'set': {
        const items = o.kind === 'array' ? o.items : [o];
        return { k: 'set', elems: items.map((x) => this.elem(x, false)), span };
      }
      case 'prefix': {
        const addr = scalarText(get(o, 'addr'));
        const len = get(o, 'len');
        if (addr !== undefined && len?.kind === 'scalar' && typeof len.value === 'number') return { k: 'prefix', addr, len: len.value, span };
        return { k: 'expr', text: this.textOf(v), span };
      }
      case 'range': {
        const items = o.kind === 'array' ? o.items : [];
        if (items.length === 2) return { k: 'range', lo: this.val(items[0]!), hi: this.val(items[1]!), span };
        return { k: 'expr', text: this.textOf(v), span };
      }
      case 'concat':
        return { k: 'concat', items: (o.kind === 'array' ? o.items : []).map((x) => this.val(x)), span };
      case 'elem':
        return this.val(get(o, 'val') ?? o);
      default:
        return { k: 'expr', text: this.textOf(v), span };
    }
  }

  private rule(o: PValue, verb: string): void {
    const t = this.tableOf(o, false);
    const chainName = scalarText(get(o, 'chain'));
    const named = verb === 'delete' || verb === 'destroy' || verb === 'replace';
    // `index` places an added rule by position, and so does `handle` in an add or insert command (libnftables-json(5):
    // "In add/insert commands, serves as identifier of an existing rule to append/prepend the rule to"); the list
    // output's rules are no command and their `handle` is not read as one
    const at = get(o, 'index') !== undefined ? 'index' : this.inCommand && get(o, 'handle') !== undefined ? 'handle' : undefined;
    let marker = -1;
    let placeStmt: IrStmt | undefined;
    // `index` names a place in the rules read so far (as in the text parser): known, unlike a handle
    const indexed = at === 'index' && !named && chainName !== undefined ? t?.chains.get(chainName) : undefined;
    const place = indexed ? placeByIndex(indexed, verb, scalarText(get(o, 'index')) ?? '') : undefined;
    if ((named || at) && place === undefined) {
      const handle = (at === 'index' ? scalarText(get(o, 'index')) : scalarText(get(o, 'handle'))) ?? '?';
      const where = `${named ? 'handle' : at} ${handle}`;
      const text = t && chainName !== undefined ? `${verb} rule ${t.family} ${t.name} ${chainName} ${where}` : `${verb} rule ${where}`;
      this.warn(`"${verb} rule" names a rule by the handle or position nft gives it when the ruleset is loaded: which rule it changes is not known here, so every rule of the chain may or may not apply`, o.span, 'nftables-json/rule-handle');
      const c = chainName !== undefined ? t?.chains.get(chainName) : undefined;
      if (c) marker = unknownRules(c, o.span, text);
      if (named) return;
      placeStmt = positionUnknown(o.span, text);
    }
    if (!t || chainName === undefined) return;
    const c: IrChain | undefined = t.chains.get(chainName);
    if (!c) return this.warn(`No chain ${chainName}`, o.span, 'nftables-json/no-such-object', 'error');
    const rule: IrRule = { stmts: [], span: o.span, text: this.textOf(o), source: this.text };
    const comment = str(get(o, 'comment'));
    if (comment !== undefined) rule.comment = comment;
    if (placeStmt) rule.stmts.push(placeStmt);
    const expr = get(o, 'expr');
    for (const s of expr?.kind === 'array' ? expr.items : []) {
      try {
        this.stmt(s, rule, t);
      } catch (err) {
        this.warn(`Internal error on a statement: ${String(err)}`, s.span, 'nftables-json/internal', 'error');
      }
    }
    let built: IrChainRule = rule;
    if (this.prebuilder !== undefined) {
      try {
        built = this.prebuilder.prebuild(rule, t, rule.stmts, 0, rule.stmts.length);
      } catch {
        // a builder bug: left to buildDocument, which reports it as before
      }
    }
    // a positioned rule goes right after the may-accept rule that stands for the unknown order, as in the text parser
    if (place !== undefined) c.rules.splice(place, 0, built);
    else if (verb === 'insert' || marker >= 0) c.rules.splice(marker + 1, 0, built);
    else c.rules.push(built);
  }

  private setKey(t: IrTable, ref: string | undefined): string {
    return `${t.family} ${t.name} ${(ref ?? '').replace(/^@/, '')}`;
  }

  private stmt(s: PValue, rule: IrRule, t: IrTable): void {
    const span = s.span;
    const push = (x: IrStmt): void => {
      rule.stmts.push(x);
    };
    if (s.kind === 'scalar' && typeof s.value === 'string') {
      // statements nft has no JSON form for are printed in text syntax
      for (const x of parseStatementsText(s.value, t, this.state, span, this.dynamicSets)) push(x);
      return;
    }
    const e = single(s);
    if (!e) return push({ k: 'unknown', text: this.textOf(s), span });
    const o = e.value;
    const verdict = this.verdict(s);
    if (verdict) return push({ k: 'verdict', v: verdict, span });
    switch (e.key) {
      case 'match': {
        const left = get(o, 'left');
        const right = get(o, 'right');
        const op = str(get(o, 'op')) ?? '==';
        if (!left || !right) return push({ k: 'unknown', text: this.textOf(s), span });
        const le = this.expr(left);
        const st: IrStmt = {
          k: 'match',
          left: le,
          op,
          right: le.k === 'ct' && le.key === 'state' && !le.dir ? this.stateList(right) : le.k === 'payload' && le.proto === 'tcp' && le.field === 'flags' ? this.flagSet(right) : this.val(right),
          span,
        };
        if (le.k === 'payload' && le.field === 'dport') st.rightSpan = right.span;
        return push(st);
      }
      case 'vmap': {
        const key = get(o, 'key');
        const data = get(o, 'data');
        if (!key || !data) return push({ k: 'unknown', text: this.textOf(s), span });
        const m = this.val(data);
        if (m.k === 'set') {
          // vmap data elements are [key, verdict] pairs
          const items = get(data, 'set');
          m.elems = (items?.kind === 'array' ? items.items : []).map((x) => this.elem(x, true));
        }
        return push({ k: 'vmap', key: this.expr(key), map: m, span });
      }
      case 'mangle': {
        // the field written (`ip dscp set cs1`) and those the value reads (`meta mark set ip dscp map { … }`)
        const deps = payloadDeps(o);
        this.mapBreak(o, s, span, push);
        const st: IrStmt = deps ? { k: 'continue', name: e.key, span, deps } : { k: 'continue', name: e.key, span };
        // a mark set (src/parsers/nftables/marks.ts): the value a number, or the other mark
        const key = get(o, 'key');
        const value = get(o, 'value');
        const mark = key ? nftMarkOp(this.expr(key), value === undefined ? undefined : value.kind === 'object' ? this.expr(value) : this.val(value)) : undefined;
        if (mark) st.mark = mark;
        const rewrites = key ? rewrittenField(this.expr(key)) : undefined;
        if (rewrites) {
          st.rewrites = rewrites;
          const to = value !== undefined && value.kind !== 'object' ? this.val(value) : undefined;
          if (to?.k === 'atom') st.rewriteTo = to;
        } else if (key && mangledHeader(this.expr(key))) st.mangles = true;
        return push(st);
      }
      case 'ct helper':
      case 'ct timeout':
      case 'ct expectation': {
        // an object chosen by header fields (`ct helper set udp dport map { 69 : "tftp" }`): their dependency too
        const deps = payloadDeps(o);
        this.mapBreak(o, s, span, push);
        return push(deps ? { k: 'continue', name: e.key, span, deps } : { k: 'continue', name: e.key, span });
      }
      case 'counter':
      case 'log':
      case 'notrack':
      case 'synproxy':
      case 'flow':
      case 'dup':
      case 'tproxy':
      case 'reset':
      case 'last':
      case 'secmark':
        this.mapBreak(o, s, span, push);
        return push({ k: 'continue', name: e.key, span });
      case 'limit':
        return push({ k: 'opaque', module: 'limit', text: counterText(e.key, toPlain(o)) ?? this.textOf(s), reason: 'rate limits depend on traffic over time', span });
      case 'quota':
        return push({ k: 'opaque', module: 'quota', text: counterText(e.key, toPlain(o)) ?? this.textOf(s), reason: 'quotas depend on traffic already seen', span });
      case 'ct count':
        return push({ k: 'opaque', module: 'ct count', text: counterText(e.key, toPlain(o)) ?? this.textOf(s), reason: 'connection counts are only known at run time', span });
      case 'set':
      case 'map':
      case 'meter': {
        const ref = e.key === 'meter' ? str(get(o, 'name')) : str(get(o, e.key));
        const name = (ref ?? '').replace(/^@/, '');
        this.dynamicSets.add(this.setKey(t, name));
        // (a set statement's `stmt` is an array; a meter's is one statement: libnftables-json(5), and `nft -j list`)
        const stmts = get(o, 'stmt');
        const hasStmt = (stmts?.kind === 'array' ? stmts.items : stmts ? [stmts] : []).some((x) => ['limit', 'quota', 'ct count'].includes(single(x)?.key ?? ''));
        if (hasStmt) push({ k: 'opaque', module: 'set', text: this.textOf(s), reason: `the statement in the update of set ${name} depends on run-time state`, span });
        // the fields of the key and of a map's data (`update @m { ip saddr : tcp sport }`)
        const deps = payloadDeps(get(o, 'elem'), payloadDeps(get(o, 'data')));
        return push(deps ? { k: 'continue', name: 'set', span, updatesSet: name, deps } : { k: 'continue', name: 'set', span, updatesSet: name });
      }
      case 'dnat':
      case 'snat':
      case 'masquerade':
      case 'redirect': {
        const st: IrStmt = { k: 'nat', type: e.key, text: this.textOf(s), span };
        const addr = get(o, 'addr');
        const port = get(o, 'port');
        if (addr) st.addr = this.val(addr);
        if (port) st.port = this.val(port);
        // `{"map": {"key": …, "data": "@m" | {"set": [[key, data], …]}}}`: translated only where the key is in the map
        // (or in the port: `redirect to :tcp dport map { 80 : 8080 }`, {"port": {"map": …}})
        const inPort = !(addr && single(addr)?.key === 'map') && port !== undefined && single(port)?.key === 'map';
        const mapped = inPort ? port : addr;
        const lookup = mapped && single(mapped)?.key === 'map' ? single(mapped)!.value : undefined;
        const key = lookup ? get(lookup, 'key') : undefined;
        const data = lookup ? get(lookup, 'data') : undefined;
        if (key && data) {
          const m = this.val(data);
          if (m.k === 'set') {
            const items = get(data, 'set');
            m.elems = (items?.kind === 'array' ? items.items : []).map((x) => this.elem(x, true));
          }
          st.map = inPort ? { key: this.expr(key), map: m, port: true } : { key: this.expr(key), map: m };
        }
        return push(st);
      }
      case 'fwd':
        return push({ k: 'verdict', v: { k: 'queue', text: this.textOf(s) }, span });
      case 'xt':
        return push(xtStmt(str(get(o, 'type')), str(get(o, 'name')), span));
      default:
        this.warn(`Unknown statement "${e.key}"`, span, 'nftables-json/unknown-statement');
        return push({ k: 'unknown', text: this.textOf(s), span });
    }
  }
}

export function parseNftablesJsonIr(text: string, prebuilder?: RulePrebuilder): JsonIr {
  const diagnostics: Diagnostic[] = [];
  // big dumps: the lean reader (same tree, a fraction of the memory); otherwise, and on any doubt, the shared one
  // (one document: two dumps appended are a syntax error, not an array the schema would reject at line 1)
  const views = text.length >= VIEW_JSON_MIN ? parseJsonViews(text) : undefined;
  const tree = views ? { value: views, diagnostics: [] } : readJson(text, { several: false });
  for (const d of tree.diagnostics) {
    // the JSON reader places "unexpected end of input" at the start; the end is where it is
    if (/end of input/i.test(d.message)) {
      const end = new LineIndex(text).position(text.length);
      diagnostics.push({ ...d, span: { start: end, end } });
    } else diagnostics.push(d);
  }
  const b = new JsonBuilder(text, diagnostics, prebuilder);
  const root = tree.value;
  if (!root) return { state: b.state, dynamicSets: b.dynamicSets, diagnostics };
  const v = validate();
  if (!v(shallow(root))) {
    for (const err of v.errors ?? []) {
      if (err.keyword === 'propertyNames') continue; // reported by its inner error, which names the key
      const node = nodeAt(root, err.instancePath);
      const key = (err as { propertyName?: string }).propertyName;
      const message = key !== undefined ? `unknown key "${key}"; expected one of: ${[...OBJECTS, ...COMMANDS].join(', ')}` : (err.message ?? 'invalid');
      diagnostics.push({
        severity: 'error',
        code: 'nftables-json/schema',
        message: `${err.instancePath || '/'}: ${message}`,
        span: node.span ?? DOCUMENT_START,
      });
    }
  }
  const list = get(root, 'nftables');
  if (list?.kind !== 'array') return { state: b.state, dynamicSets: b.dynamicSets, diagnostics };
  for (const it of list.items) {
    try {
      b.item(it, 'add');
    } catch (err) {
      diagnostics.push({ severity: 'error', code: 'nftables-json/internal', message: `Internal error: ${String(err)}`, span: it.span });
    }
  }
  return { state: b.state, dynamicSets: b.dynamicSets, diagnostics };
}

/**
 * A limit, quota or ct count statement as nft lists it (`limit rate 3/minute burst 10 packets`, `quota over 10
 * mbytes`, `ct count over 20`), for messages: not its JSON object. Undefined for a shape not known here.
 */
function counterText(key: string, o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  const v = o as Record<string, unknown>;
  const over = v.inv === true ? 'over ' : '';
  if (key === 'limit') {
    if (typeof v.rate !== 'number' || typeof v.per !== 'string') return undefined;
    const bytes = v.rate_unit !== undefined && v.rate_unit !== 'packets';
    const rate = bytes ? `${v.rate} ${String(v.rate_unit)}/${v.per}` : `${v.rate}/${v.per}`;
    const burst = typeof v.burst === 'number' && v.burst > 0 ? ` burst ${v.burst} ${bytes ? String(v.burst_unit ?? 'bytes') : 'packets'}` : '';
    return `limit rate ${over}${rate}${burst}`;
  }
  if (key === 'quota') return typeof v.val === 'number' ? `quota ${over}${v.val} ${typeof v.val_unit === 'string' ? v.val_unit : 'bytes'}` : undefined;
  if (key === 'ct count') return typeof v.val === 'number' ? `ct count ${over}${v.val}` : undefined;
  return undefined;
}

/** Whether a value holds a map lookup (`{"map": {"key": …, "data": …}}`) whose data has no catch-all (`"*"`) key. */
function lookupWithoutCatchAll(v: PValue, depth: number): boolean {
  if (depth > 32) return false;
  if (v.kind === 'array') return v.items.some((x) => lookupWithoutCatchAll(x, depth + 1));
  if (v.kind !== 'object') return false;
  const e = single(v);
  if (e && e.key === 'map' && get(e.value, 'key') !== undefined) {
    const data = get(e.value, 'data');
    const set = data ? get(data, 'set') : undefined;
    const items = set?.kind === 'array' ? set.items : [];
    return !items.some((x) => x.kind === 'array' && x.items[0]?.kind === 'scalar' && x.items[0].value === '*');
  }
  return v.entries.some((x) => lookupWithoutCatchAll(x.value, depth + 1));
}
