/**
 * Match → region compilation. Every match becomes a pair of regions over the
 * packet space: `must` (packets it certainly matches) and `may` (packets it may
 * match). They are equal for decidable matches; an opaque match has must = ∅,
 * may = everything. Negation swaps and complements them; conjunction and
 * disjunction act on both sides.
 */
import { AddrSet, FIRST_TCP_FLAGS, PORT_UNIVERSE, PROTO_UNIVERSE, type AddressMatch, type AddrTypeMatch, type CtStateMatch, type IcmpTypeMatch, type InterfaceMatch, IntervalSet, type PortMatch, type ProtocolMatch, PORT_PROTOCOLS, PROTO, numSingle, type Family, type NumSet, type Match, type Rule, type Ruleset, type TableFamily, ARRIVAL_MARKS, evalMarkTest, markKey, type MarkState, type OpaqueMatch } from '../model/index.js';
import {
  packedCode,
  packedCodes,
  packedCount,
  packedValue,
  packCode,
  PK_CTSTATE,
  PK_DST_ADDR,
  PK_DST_PORT,
  PK_ICMP4,
  PK_ICMP6,
  PK_IN_IFACE,
  PK_MATCH,
  PK_OUT_IFACE,
  PK_PROTOCOL,
  PK_SRC_ADDR,
  PK_SRC_PORT,
} from '../parsers/placed.js';
import {
  Atoms,
  addrIsect,
  complementRegion,
  CT_BASE,
  cubeIsEmpty,
  isectIv,
  addrSub,
  Box,
  copyCube,
  subIv,
  CT_DNAT_BITS,
  ctBit,
  intersectRegions,
  makeUniverse,
  Principals,
  subtractRegions,
  unionRegions,
  type Cube,
  type Space,
} from './cube.js';

export interface Cond {
  must: Cube[];
  may: Cube[];
  /** Texts of the undecidable parts, for reasons. */
  opaque: string[];
}

export interface CompiledRule {
  must: Cube[];
  may: Cube[];
  /** may \ must: where the rule may or may not match. */
  maybe: Cube[];
  opaque: string[];
}

export function tableCarries(family: TableFamily, f: Family): boolean {
  switch (family) {
    case 'ip':
      return f === 'ipv4';
    case 'ip6':
      return f === 'ipv6';
    case 'inet':
    case 'cloud':
    // (its chains are ingress and egress ones: only the ingress hook, before prerouting, is evaluated)
    case 'netdev':
      return true;
    default:
      return false;
  }
}

function collectNames(ms: readonly Match[], ifs: Set<string>, prins: Set<string>): void {
  // (indexed: run once per rule, mostly in the interpreter, where a for-of step makes an iterator result object)
  for (let i = 0; i < ms.length; i++) collectMatchNames(ms[i]!, ifs, prins);
}

function collectMatchNames(m: Match, ifs: Set<string>, prins: Set<string>): void {
  if (m.kind === 'interface') addAll(ifs, m.names);
  else if (m.kind === 'principal' && m.dir === 'src') addAll(prins, m.names);
  else if (m.kind === 'any-of') for (const alt of m.alternatives) collectNames(alt, ifs, prins);
}

function addAll(to: Set<string>, names: readonly string[]): void {
  for (let i = 0; i < names.length; i++) to.add(names[i]!);
}

/** collectNames of a rule: of its packed matches when it is a PackedRule (read without building them). */
function collectRuleNames(r: Rule, ifs: Set<string>, prins: Set<string>): void {
  const codes = packedCodes(r);
  if (codes < 0) return collectNames(r.matches, ifs, prins);
  const count = packedCount(codes);
  for (let k = 0; k < count; k++) {
    const code = packedCode(codes, k) & ~1;
    if (code === PK_IN_IFACE || code === PK_OUT_IFACE) addAll(ifs, packedValue(r, k) as string[]);
    else if (code === PK_MATCH) collectMatchNames(packedValue(r, k) as Match, ifs, prins);
  }
}

const spaceCache = new WeakMap<Ruleset, Map<Family, Space>>();

/**
 * What a ruleset's spaces and exposure are sized and made from, read in one pass over its rules (the same for every
 * family): interface and principal names, the number of rules and the largest rule id that can index a list.
 */
export interface RulesetFacts {
  ifs: Set<string>;
  prins: Set<string>;
  /** The number of rules in all chains. */
  rules: number;
  /** The largest rule id below 2^30 (ids count from 1 in a document), -1 when none. */
  maxId: number;
}
const factsCache = new WeakMap<Ruleset, RulesetFacts>();

export function rulesetFacts(ruleset: Ruleset): RulesetFacts {
  let f = factsCache.get(ruleset);
  if (!f) {
    const ifs = new Set<string>();
    const prins = new Set<string>();
    // (indexed loops: this runs once, in the interpreter, where a for-of step makes an iterator result object)
    let n = 0;
    let max = -1;
    for (const t of ruleset.tables)
      for (const c of t.chains) {
        const rules = c.rules;
        n += rules.length;
        for (let i = 0; i < rules.length; i++) {
          const r = rules[i]!;
          collectRuleNames(r, ifs, prins);
          if (smallId(r.id) && r.id > max) max = r.id;
        }
      }
    f = { ifs, prins, rules: n, maxId: max };
    factsCache.set(ruleset, f);
  }
  return f;
}

export function spaceFor(ruleset: Ruleset, family: Family): Space {
  let byFam = spaceCache.get(ruleset);
  if (!byFam) {
    byFam = new Map();
    spaceCache.set(ruleset, byFam);
  }
  let s = byFam.get(family);
  if (!s) {
    const facts = rulesetFacts(ruleset);
    // the compiled-rule store at its final size, one slot past the largest rule id (a store of n slots grew at
    // rule n, a copy of both lists in large-object space, 2.4 MB on 100k rules, that only a full GC frees; grown
    // by assignment from nothing, a dozen such copies); sparse ids, far beyond the rule count, are not worth a
    // slot each: the store grows to them as before
    const storeSize = facts.maxId < 4 * facts.rules + 1024 ? facts.maxId + 1 : facts.rules;
    const ifs = new Atoms(facts.ifs);
    const prins = new Principals(facts.prins, ruleset.kind === 'cloud' || facts.prins.size > 0);
    s = { family, ifs, prins, universe: makeUniverse(family, ifs, prins) };
    byFam.set(family, s);
    sharedCompiled.set(s, newStore(storeSize));
  }
  return s;
}

const ICMP4_PROTO = IntervalSet.range(1, 2);
const ICMP6_PROTO = IntervalSet.range(58, 59);

/** A copy of c narrowed by set (the general path: not hot). */
function narrow(c: Cube, set: (x: Box) => unknown): Box {
  const x = copyCube(c);
  set(x);
  return x;
}

/** The protocol set of TCP alone (what a TCP flags test restricts to). */
const TCP_ONLY: NumSet = numSingle(PROTO.tcp);

const NEVER_LOCAL_V4 = new Set(['UNSPEC', 'UNICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE']);

/**
 * `addrtype dst …` of a packet addressed to this host (`local`: the input path) or routed through it: the
 * destination of the one is a LOCAL address, of the other not. true or false when that decides the test,
 * undefined otherwise (other types of a routed packet's destination, source types, which a spoofed source
 * can take).
 */
export function addrTypeOf(m: AddrTypeMatch, local: boolean, family?: Family): boolean | undefined {
  if (m.dir !== 'dst') return undefined;
  const isLocal = (t: string): boolean => t.toUpperCase() === 'LOCAL';
  if (m.ip6tables && family === 'ipv6') {
    // xt_addrtype's match_type6: a kind listed that the address is not fails it, whatever else is listed; then the
    // route's type (LOCAL for an address of this host) among LOCAL, ANYCAST, UNREACHABLE listed, or none of them
    const has = (t: string): boolean => m.types.some((x) => x.toUpperCase() === t);
    if (local) {
      if (has('MULTICAST') || has('UNSPEC')) return false;
      if (has('LOCAL') || !(has('ANYCAST') || has('UNREACHABLE'))) return true;
      return undefined;
    }
    return has('LOCAL') && !has('ANYCAST') && !has('UNREACHABLE') ? false : undefined;
  }
  if (local) {
    if (m.types.some(isLocal)) return true;
    // IPv4 gives an address one route type (xt_addrtype: 1 << inet_dev_addr_type): this host's is LOCAL, never UNICAST
    // or an unroutable one. (IPv6's UNICAST is the address's kind, ipv6_addr_type: it takes this host's addresses too)
    if (family === 'ipv4' && m.types.length > 0 && m.types.every((t) => NEVER_LOCAL_V4.has(t.toUpperCase()))) return false;
    return undefined;
  }
  return m.types.length > 0 && m.types.every(isLocal) ? false : undefined;
}

function describeMatch(m: Match): string {
  if (m.kind === 'opaque') return `${m.negated ? '! ' : ''}${m.text}`;
  if (m.kind === 'addrtype') return `${m.negated ? '! ' : ''}addrtype ${m.dir} ${m.types.join(',')}`;
  if (m.kind === 'principal') return `${m.negated ? '! ' : ''}${m.dir} principal ${m.names.join(',')}`;
  return m.kind;
}

/**
 * `local`: the packet is known to be addressed to this host (input hook,
 * before any DNAT) — then `addrtype dst LOCAL` is true.
 */
export function compileMatch(m: Match, sp: Space, local: boolean, pre = false): Cond {
  const U = sp.universe;
  const dec = (cubes: Cube[]): Cond => ({ must: cubes, may: cubes, opaque: [] });
  const opaque = (text: string): Cond => ({ must: [], may: [U], opaque: [text] });
  let c: Cond;
  switch (m.kind) {
    case 'family':
      c = dec(m.family === sp.family ? [U] : []);
      break;
    case 'protocol':
      c = dec(m.protocols.isEmpty ? [] : [narrow(U, (x) => (x.proto = m.protocols))]);
      break;
    case 'address': {
      const a = m.addrs.only(sp.family);
      if (a.isEmpty) c = dec([]);
      else
        c = dec([
          narrow(U, (x) => {
            if (m.dir === 'dst') x.dst = a;
            else {
              x.src = a;
              x.sprin = 0n;
            }
          }),
        ]);
      break;
    }
    case 'port':
      c = dec(
        m.ports.isEmpty
          ? []
          : [
              narrow(U, (x) => {
                x.proto = PORT_PROTOCOLS;
                if (m.dir === 'dst') x.dport = m.ports;
                else x.sport = m.ports;
              }),
            ],
      );
      break;
    case 'interface': {
      if (pre && m.dir === 'out') {
        // before routing (prerouting) there is no output interface yet: the name is ""
        c = dec(m.names.some((n) => n === '' || n === '+' || n === '*') ? [U] : []);
        break;
      }
      const mask = sp.ifs.mask(m.names);
      c = dec(mask === 0n ? [] : [narrow(U, (x) => (m.dir === 'in' ? (x.iif = mask) : (x.oif = mask)))]);
      break;
    }
    case 'ctstate': {
      const mask = ctMask(m.states);
      c = dec(mask === 0 ? [] : [narrow(U, (x) => (x.ct = mask))]);
      break;
    }
    case 'icmp-type': {
      if (m.family !== sp.family || m.values.isEmpty) c = dec([]);
      else
        c = dec([
          narrow(U, (x) => {
            x.proto = m.family === 'ipv4' ? ICMP4_PROTO : ICMP6_PROTO;
            x.icmp = m.values;
          }),
        ]);
      break;
    }
    case 'principal': {
      if (m.dir === 'dst') {
        c = opaque(describeMatch({ ...m, negated: false }));
        break;
      }
      const mask = sp.prins.mask(m.names);
      c = dec(
        mask === 0n
          ? []
          : [
              narrow(U, (x) => {
                x.src = AddrSet.EMPTY;
                x.sprin = mask;
              }),
            ],
      );
      break;
    }
    case 'fragment':
      // the first packet of a connection is never a non-first fragment
      c = dec([]);
      break;
    case 'tcp-flags':
      // the first packet of a TCP connection is a SYN
      c = dec(m.values.has(FIRST_TCP_FLAGS) ? [narrow(U, (x) => (x.proto = TCP_ONLY))] : []);
      break;
    case 'ct-original': {
      // A first (NEW) packet's original tuple is the packet (its destination before any DNAT): decided for NEW
      // packets; a packet without a conntrack entry (untracked, or before conntrack: INVALID), a later packet of
      // either direction or a DNAT'd one's destination is undecided.
      c = compileMatch(m.match, sp, local, pre);
      const inner = m.match;
      const dst = inner.kind !== 'protocol' && inner.dir === 'dst';
      const sure = ctMask(['new']) & (dst ? ~CT_DNAT_BITS : ~0);
      const must: Cube[] = [];
      for (const x of c.must) {
        const y = narrow(x, (z) => (z.ct = x.ct & sure));
        if (y.ct !== 0) must.push(y);
      }
      // (every protocol: iptables `--ctdir`, the packet's direction in its connection)
      const what = inner.kind === 'protocol' ? (inner.protocols === PROTO_UNIVERSE ? 'direction' : 'protocol') : `${dst ? 'destination' : 'source'}${inner.kind === 'port' ? ' port' : ''}`;
      c = { must, may: [...must, narrow(U, (z) => (z.ct = U.ct & ~sure))], opaque: [`ct original ${what}`] };
      break;
    }
    case 'addrtype': {
      const d = addrTypeOf(m, local, sp.family);
      c = d === undefined ? opaque(describeMatch({ ...m, negated: false })) : dec(d ? [U] : []);
      break;
    }
    case 'any-of': {
      let must: Cube[] = [];
      let may: Cube[] = [];
      const op: string[] = [];
      for (const alt of m.alternatives) {
        const a = compileConj(alt, sp, local, pre);
        must = unionRegions(must, a.must);
        may = unionRegions(may, a.may);
        op.push(...a.opaque);
      }
      c = { must, may, opaque: op };
      break;
    }
    case 'opaque':
      c = opaque(m.text);
      break;
    default:
      c = opaque(`unsupported match ${(m as Match).kind}`);
  }
  if (m.negated) {
    const must = complementRegion(U, c.may);
    const may = c.must === c.may ? must : complementRegion(U, c.must);
    // (a text that shows its negation — iptables `! --opt`, nft `!=` — is not negated twice: "! meta cpu != 1")
    c = { must, may, opaque: c.opaque.map((t) => (m.kind === 'opaque' && !/(?:^|\s)!/.test(t) ? `! ${t}` : t)) };
  }
  return c;
}

function ctMask(states: readonly string[]): number {
  let mask = 0;
  for (const s of states) {
    if (s === 'dnat') mask |= CT_DNAT_BITS;
    else if (s === 'snat') continue;
    else if ((CT_BASE as readonly string[]).includes(s)) mask |= ctBit(s as (typeof CT_BASE)[number], false) | ctBit(s as (typeof CT_BASE)[number], true);
  }
  return mask;
}

/** simpleConj's answer for an empty conjunction. */
const EMPTY = 0;

/**
 * The common case of compileConj without intermediate cubes: every match decidable and about one
 * dimension, so the conjunction is one cube narrowed dimension by dimension — the set the general
 * path builds, and a non-empty cube is the only product of its set, so the same cube. A negated
 * match narrows by the complement of its set, which is one cube too (`! -s`, `! -i`, `! -p`,
 * `! --ctstate`) — except for ports: the complement of `--dport P` is "a protocol without ports,
 * or a port protocol with another port", two cubes, which the final protocol set reduces to one
 * when it lies inside or outside the port protocols (`-p tcp ! --dport 22`): negated ports are
 * applied after the loop. undefined when a match needs the general path (it then yields the same).
 *
 * The matches are `ms`, or, when ms is undefined, the packed matches of `rule`, a PackedRule whose
 * packedCodes are `codes` (src/parsers/placed.ts), read where the rule keeps them: no list and no match
 * objects built (on iptables-100k they were a third of RuleCompiler.get, and 58 MB of garbage). Either way each match
 * is read as its PK_* code and its value — the match itself for a match of `ms` (then its field is read
 * in the case), the packed value for a packed one — so that one loop serves both.
 */
function simpleConj(ms: readonly Match[] | undefined, rule: Rule | undefined, codes: number, sp: Space, local: boolean, pre: boolean): Box | typeof EMPTY | undefined {
  const U = sp.universe;
  let { proto, iif, oif, ct, icmp, dport, sport, dst, src, sprin } = U;
  let notDport: NumSet | undefined;
  let notSport: NumSet | undefined;
  const packed = ms === undefined;
  const n = packed ? packedCount(codes) : ms.length;
  for (let i = 0; i < n; i++) {
    let code: number;
    let v: unknown;
    // v is a match (of the list, or one a packed rule keeps as itself: PK_MATCH), not a packed value
    let isMatch: boolean;
    if (packed) {
      code = packedCode(codes, i);
      v = packedValue(rule!, i);
      isMatch = code === PK_MATCH;
      // a kind the codes name, kept as itself (an nftables rule's protocol match implied by `tcp dport`, which has no place)
      if (isMatch) code = packCode(v as Match);
    } else {
      v = ms[i]!;
      code = packCode(v as Match);
      isMatch = true;
    }
    const neg = (code & 1) !== 0;
    switch (code & ~1) {
      case PK_PROTOCOL: {
        const p = isMatch ? (v as ProtocolMatch).protocols : (v as NumSet);
        if (!neg) proto = isectIv(proto, p);
        else if (!p.isEmpty) proto = subIv(proto, p);
        break;
      }
      case PK_SRC_ADDR:
      case PK_DST_ADDR: {
        const a = (isMatch ? (v as AddressMatch).addrs : (v as AddrSet)).only(sp.family);
        const isSrc = (code & ~1) === PK_SRC_ADDR;
        if (neg) {
          // ∖ the addresses only: principals are not addresses (the complement keeps them)
          if (a.isEmpty) break;
          if (isSrc) src = addrSub(src, a);
          else dst = addrSub(dst, a);
        } else if (a.isEmpty) {
          // no address of this family (an `ip saddr` rule in the IPv6 space of an inet table): the cube would be
          // empty (src or dst ∅, no principal) — said at once, not by a cube made to be thrown away (100k on nftables-100k)
          return EMPTY;
        } else if (isSrc) {
          src = addrIsect(src, a);
          sprin = 0n;
        } else dst = addrIsect(dst, a);
        break;
      }
      case PK_SRC_PORT:
      case PK_DST_PORT: {
        const ports = isMatch ? (v as PortMatch).ports : (v as NumSet);
        const isDst = (code & ~1) === PK_DST_PORT;
        if (neg) {
          if (ports.isEmpty) break;
          if (isDst) {
            if (notDport) return undefined;
            notDport = ports;
          } else {
            if (notSport) return undefined;
            notSport = ports;
          }
          break;
        }
        proto = isectIv(proto, PORT_PROTOCOLS);
        if (isDst) dport = isectIv(dport, ports);
        else sport = isectIv(sport, ports);
        break;
      }
      case PK_IN_IFACE:
      case PK_OUT_IFACE: {
        const isOut = (code & ~1) === PK_OUT_IFACE;
        if (pre && isOut) return undefined;
        let mask = sp.ifs.mask(isMatch ? (v as InterfaceMatch).names : (v as string[]));
        if (neg) {
          if (mask === 0n) break;
          mask = U.iif & ~mask;
        }
        if (!isOut) iif = iif === U.iif ? mask : iif & mask;
        else oif = oif === U.oif ? mask : oif & mask;
        break;
      }
      case PK_CTSTATE: {
        const mask = ctMask(isMatch ? (v as CtStateMatch).states : (v as string[]));
        if (!neg) ct &= mask;
        else if (mask !== 0) ct &= ~mask;
        break;
      }
      case PK_ICMP4:
      case PK_ICMP6: {
        if (neg) return undefined;
        const family: Family = (code & ~1) === PK_ICMP4 ? 'ipv4' : 'ipv6';
        const values = isMatch ? (v as IcmpTypeMatch).values : (v as NumSet);
        if (family !== sp.family || values.isEmpty) return EMPTY;
        proto = isectIv(proto, family === 'ipv4' ? ICMP4_PROTO : ICMP6_PROTO);
        icmp = isectIv(icmp, values);
        break;
      }
      default: {
        // PK_MATCH: a kind the codes do not name; the value is the match, which says itself whether it is negated
        // (a packed PK_MATCH's code has no negation bit)
        const m = v as Match;
        const neg = m.negated === true;
        switch (m.kind) {
          case 'family':
            if (neg) return undefined;
            if (m.family !== sp.family) return EMPTY;
            break;
          case 'principal': {
            if (neg || m.dir === 'dst') return undefined;
            const mask = sp.prins.mask(m.names);
            if (mask === 0n) return EMPTY;
            src = AddrSet.EMPTY;
            sprin &= mask;
            break;
          }
          case 'fragment':
            // the first packet of a connection is never a non-first fragment
            if (!neg) return EMPTY;
            break;
          case 'tcp-flags':
            // the first packet of a TCP connection is a SYN: TCP when the test takes it (negated: the other protocols)
            if (m.values.has(FIRST_TCP_FLAGS)) proto = neg ? subIv(proto, TCP_ONLY) : isectIv(proto, TCP_ONLY);
            else if (!neg) return EMPTY;
            break;
          case 'addrtype': {
            // decidable only as `addrtype dst LOCAL` or IPv4's UNICAST (addrTypeOf)
            const d = addrTypeOf(m, local, sp.family);
            if (d === undefined || neg) return undefined;
            if (!d) return EMPTY;
            break;
          }
          default:
            return undefined;
        }
      }
    }
  }
  if (notDport || notSport) {
    // the protocols inside the port protocols: the other ports; outside them: no port to test
    const inside = isectIv(proto, PORT_PROTOCOLS);
    if (inside.isEmpty) {
      // (no port narrows these protocols)
    } else if (inside.equals(proto)) {
      if (notDport) dport = subIv(dport, notDport);
      if (notSport) sport = subIv(sport, notSport);
    } else return undefined;
  }
  const c = new Box(proto, iif, oif, ct, icmp, dport, sport, dst, src, sprin);
  return cubeIsEmpty(c) ? EMPTY : c;
}

export function compileConj(ms: readonly Match[], sp: Space, local: boolean, pre = false): Cond {
  const fast = simpleConj(ms, undefined, -1, sp, local, pre);
  if (fast === EMPTY) return { must: [], may: [], opaque: [] };
  if (fast) {
    const r = [fast];
    return { must: r, may: r, opaque: NO_TEXT };
  }
  return generalConj(ms, sp, local, pre);
}

/** compileConj by regions: each match compiled alone, the regions intersected in order. */
function generalConj(ms: readonly Match[], sp: Space, local: boolean, pre: boolean): Cond {
  let must: Cube[] = [sp.universe];
  let may: Cube[] = must;
  const op: string[] = [];
  for (const m of ms) {
    const c = compileMatch(m, sp, local, pre);
    const same = must === may;
    must = intersectRegions(must, c.must);
    may = same && c.must === c.may ? must : intersectRegions(may, c.may);
    op.push(...c.opaque);
    if (may.length === 0) return { must: [], may: [], opaque: [] };
  }
  return { must, may, opaque: op };
}

/** Whether a match list reads the context flags (`local`: addrtype; `pre`: output interfaces). */
function readsContext(ms: readonly Match[]): boolean {
  for (let i = 0; i < ms.length; i++) if (matchReadsContext(ms[i]!)) return true;
  return false;
}

function matchReadsContext(m: Match): boolean {
  return m.kind === 'addrtype' || (m.kind === 'interface' && m.dir === 'out') || (m.kind === 'any-of' && m.alternatives.some(readsContext));
}

/** readsContext of the matches of a PackedRule (`codes`: its packedCodes), read without building them. */
function packedReadsContext(rule: Rule, codes: number): boolean {
  const count = packedCount(codes);
  for (let k = 0; k < count; k++) {
    const code = packedCode(codes, k) & ~1;
    if (code === PK_OUT_IFACE || (code === PK_MATCH && matchReadsContext(packedValue(rule, k) as Match))) return true;
  }
  return false;
}

const NONE: Cube[] = [];
const NO_TEXT: string[] = [];

/**
 * A rule of decidable matches over several cubes: may is must, nothing is maybe, no opaque text — one
 * field instead of four. (A rule of one cube, nearly all, is compiled to its Box.)
 */
class Decided implements CompiledRule {
  constructor(readonly must: Cube[]) {}
  get may(): Cube[] {
    return this.must;
  }
  get maybe(): Cube[] {
    return NONE;
  }
  get opaque(): string[] {
    return NO_TEXT;
  }
}

/**
 * The cube of a rule compiled to one decided cube (nearly all rules), else undefined: for loops
 * over many compiled rules, which then read it without the fresh one-cube list `must`/`may` make.
 */
export function singleCube(c: Cond | CompiledRule): Cube | undefined {
  return c instanceof Box ? c : undefined;
}

/**
 * A compiled rule's `must` / `may` region, without the fresh one-cube list a rule compiled to one cube makes per
 * read: that cube goes into `scratch`, a one-slot list of the caller's, valid until the caller's next use of it.
 */
export function mustIn(c: Cond | CompiledRule, scratch: Cube[]): readonly Cube[] {
  if (!(c instanceof Box)) return c.must;
  scratch[0] = c;
  return scratch;
}
export function mayIn(c: Cond | CompiledRule, scratch: Cube[]): readonly Cube[] {
  if (!(c instanceof Box)) return c.may;
  scratch[0] = c;
  return scratch;
}

function asBox(c: Cube): Box {
  return c instanceof Box ? c : copyCube(c);
}

/** Rules that compile to nothing (another family's rules in an inet table): one object for all. */
const EMPTY_COMPILED: CompiledRule = { must: NONE, may: NONE, maybe: NONE, opaque: NO_TEXT };

/**
 * Compiled rules that do not read the context, per packet space (it lives as long as its ruleset):
 * by rule id (ids are small integers, unique in a document) with the rule beside it to check it
 * is the same object — two lists instead of a Map of 100k entries — and a Map for any other.
 * The lists are made once LISTS_FROM rules are kept, until then the Map holds them all: a space
 * that compiles few rules — the IPv6 space of an inet table of IPv4 rules, whose rules the exposure
 * engine never reaches and the shadow analysis screens out — makes no lists (two of 100k slots,
 * 1.6 MB of large objects, on nftables-100k).
 */
interface Store {
  /** The lists' length (one past the largest rule id, see spaceFor). */
  size: number;
  rules: (Rule | undefined)[] | undefined;
  compiled: (CompiledRule | undefined)[] | undefined;
  other: Map<Rule, CompiledRule>;
}
const sharedCompiled = new WeakMap<Space, Store>();
const LISTS_FROM = 1024;

function newStore(size: number): Store {
  return { size, rules: undefined, compiled: undefined, other: new Map() };
}

/** Keep c as rule's compiled form (small: rule.id is a small integer). */
function keep(s: Store, rule: Rule, small: boolean, c: CompiledRule): void {
  if (small && s.rules === undefined && s.other.size >= LISTS_FROM) {
    // the lists, and the rules kept so far moved into them (those whose slot is free; the others stay)
    const rules = new Array<Rule | undefined>(s.size).fill(undefined);
    const compiled = new Array<CompiledRule | undefined>(s.size).fill(undefined);
    const other = new Map<Rule, CompiledRule>();
    for (const [r, x] of s.other) {
      if (smallId(r.id) && rules[r.id] === undefined) {
        rules[r.id] = r;
        compiled[r.id] = x;
      } else other.set(r, x);
    }
    s.rules = rules;
    s.compiled = compiled;
    s.other = other;
  }
  const rules = s.rules;
  if (small && rules !== undefined && rules[rule.id] === undefined) {
    rules[rule.id] = rule;
    s.compiled![rule.id] = c;
  } else s.other.set(rule, c);
}

function compiledIn(sp: Space): Store {
  let m = sharedCompiled.get(sp);
  if (!m) sharedCompiled.set(sp, (m = newStore(0)));
  return m;
}

function smallId(id: number): boolean {
  return id >= 0 && id < 0x40000000 && Number.isInteger(id);
}

/**
 * Compiles rules once. Rules that do not read the context flags (nearly all) are compiled once
 * per packet space and shared by every compiler of it — the exposure engine's four and the
 * shadow analysis's — for as long as the ruleset lives: one compilation of a 100k-rule file
 * instead of two, for about 0.25 KB per rule.
 */
export class RuleCompiler {
  private readonly cache = new Map<Rule, CompiledRule>();
  private readonly common: Store;
  /** The rules whose tests of header fields the sender chooses were decided for PLAIN_PACKET (see plainMatches). */
  private readonly plainCache = new Map<Rule, CompiledRule>();
  /**
   * `plain`: the exposure engine's compiler, which may decide such tests for the plain packet (plainMatches); the
   * shadow analysis's and the tracer's leave them undecided.
   */
  constructor(
    readonly sp: Space,
    readonly local: boolean,
    readonly pre = false,
    readonly plain = false,
  ) {
    this.common = compiledIn(sp);
  }
  get(rule: Rule): CompiledRule {
    const c = this.shared(rule);
    if (!this.plain || c.opaque.length === 0) return c;
    let p = this.plainCache.get(rule);
    if (p === undefined) {
      const ms = plainMatches(rule, this.local, this.sp.family, !this.local && !this.pre);
      p = ms === undefined ? c : ms === null ? EMPTY_COMPILED : this.general(ms);
      this.plainCache.set(rule, p);
    }
    return p;
  }

  /** The rule as compiled once for every compiler of the space (its undecided tests undecided). */
  private shared(rule: Rule): CompiledRule {
    const s = this.common;
    const id = rule.id;
    const small = smallId(id);
    let c = small && s.rules !== undefined && s.rules[id] === rule ? s.compiled![id] : s.other.get(rule);
    c ??= this.cache.get(rule);
    if (!c) {
      // one cube (nearly every rule): the cube is the compiled rule (Box reads as one), no wrapper, no list
      let context: boolean;
      const codes = packedCodes(rule);
      if (codes >= 0) {
        // a PackedRule (the iptables-save fast path): its matches read where they are kept, not built (a list and
        // a match object each, read once: a third of this on iptables-100k); built for the general path
        const fast = simpleConj(undefined, rule, codes, this.sp, this.local, this.pre);
        c = fast === EMPTY ? EMPTY_COMPILED : fast ? fast : this.general(rule.matches);
        context = packedReadsContext(rule, codes);
      } else {
        // (read once: a rule may build its list on each read)
        const ms = rule.matches;
        const fast = simpleConj(ms, undefined, -1, this.sp, this.local, this.pre);
        c = fast === EMPTY ? EMPTY_COMPILED : fast ? fast : this.general(ms);
        context = readsContext(ms);
      }
      if (context) this.cache.set(rule, c);
      else keep(s, rule, small, c);
    }
    return c;
  }

  /**
   * The rule for a DNAT'd flow, its `ct original` destination tests (`--ctorigdst`, `--ctorigdstport`: Docker's
   * documented DOCKER-USER filter) decided on the coordinates the flow arrived with, which the exposure engine knows
   * and the packet space does not: `origDst` / `origDport` the destination / port before the DNAT that rewrote it,
   * undefined when it was not rewritten (the packet's own, then). Undefined for a rule without such a test (or only
   * negated ones, left undecided); a test the coordinates decide only in part stays undecided too.
   */
  forOriginal(rule: Rule, origDst: AddrSet | undefined, origDport: NumSet | undefined): CompiledRule | undefined {
    const pm = this.plain ? plainMatches(rule, this.local, this.sp.family, !this.local && !this.pre) : undefined;
    if (pm === null) return EMPTY_COMPILED;
    const ms = pm ?? rule.matches;
    let key = '';
    const out: Match[] = [];
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i]!;
      const inner = m.kind === 'ct-original' && !m.negated ? m.match : undefined;
      if (!inner || inner.kind === 'protocol' || inner.dir !== 'dst') {
        out.push(m);
        continue;
      }
      // 'p': the packet's own; 't': true (a port test still takes port protocols only); 'f': false; 'u': undecided
      let k: 'p' | 't' | 'f' | 'u';
      if (inner.kind === 'port') k = origDport === undefined ? 'p' : origDport.isSubsetOf(inner.ports) ? 't' : origDport.intersect(inner.ports).isEmpty ? 'f' : 'u';
      else k = origDst === undefined ? 'p' : origDst.subtract(inner.addrs).isEmpty ? 't' : origDst.intersect(inner.addrs).isEmpty ? 'f' : 'u';
      if (k === 'f') return EMPTY_COMPILED;
      key += k;
      if (k === 'p') out.push(inner);
      else if (k === 'u') out.push(m);
      else if (inner.kind === 'port') out.push({ kind: 'port', dir: 'dst', ports: PORT_UNIVERSE });
    }
    if (key === '') return undefined;
    let byKey = this.original.get(rule);
    if (!byKey) this.original.set(rule, (byKey = new Map()));
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = this.general(out)));
    return c;
  }
  private readonly original = new Map<Rule, Map<string, CompiledRule>>();

  /** Whether the rule tests a packet mark the model reads (OpaqueMatch.mark): its compiled form depends on the flow's marks. */
  hasMarkTest(rule: Rule): boolean {
    let b = this.markTests.get(rule);
    if (b === undefined) this.markTests.set(rule, (b = rule.matches.some((m) => m.kind === 'opaque' && m.mark !== undefined)));
    return b;
  }
  private readonly markTests = new Map<Rule, boolean>();

  /**
   * The rule for a flow whose marks are `mk` (undefined: as they arrived, ARRIVAL_MARKS): each mark test decided
   * where the known bits decide it; one that depends on unknown bits stays undecided, and the exposure engine's
   * compiler decides it for their plain value where that is sound (plainMatches), as a test of PLAIN_PACKET's fields.
   *
   * A test of the connection's mark is read per conntrack state (src/model/marks.ts): a packet without an entry
   * (invalid, untracked) fails it, `!` or not; a new connection's entry is fresh, its mark 0 (init_conntrack: only an
   * expected connection, which is related, takes its master's) but for what the rules before changed, so it is
   * decided as a packet's mark is; an established or related connection's mark is what earlier packets left, known
   * only in the bits the rules before set.
   */
  forMarks(rule: Rule, mk: MarkState | undefined): CompiledRule {
    const s = mk ?? ARRIVAL_MARKS;
    const key = markKey(s);
    let byKey = this.marked.get(rule);
    if (!byKey) this.marked.set(rule, (byKey = new Map()));
    let c = byKey.get(key);
    if (c) return c;
    const hasCt = rule.matches.some((m) => m.kind === 'opaque' && m.mark !== undefined && m.mark.ct);
    if (!hasCt) c = this.marksDecided(rule, s, undefined);
    else {
      // a new connection's mark is known where its fresh value 0 and the rules before say it (cf); earlier packets of
      // an established one may have set any bit the rules before did not: only those are known
      const old: MarkState = { ...s, cp: s.ck, cv: (s.cv & s.ck) >>> 0 };
      const fresh = this.marksDecided(rule, { ...s, ck: s.cf, cp: (s.cp | s.cf) >>> 0 }, CT_NEW);
      const known = this.marksDecided(rule, old, CT_OLD);
      c = fresh === EMPTY_COMPILED ? known : known === EMPTY_COMPILED ? fresh : unionCompiled(fresh, known);
    }
    byKey.set(key, c);
    return c;
  }

  /** forMarks for one part of the conntrack states (`ct`: its match; undefined when the rule tests no connection mark). */
  private marksDecided(rule: Rule, s: MarkState, ct: Match | undefined): CompiledRule {
    const out: Match[] = [];
    if (ct) out.push(ct);
    for (const m of rule.matches) {
      if (m.kind !== 'opaque' || m.mark === undefined) {
        out.push(m);
        continue;
      }
      const { r, plain } = evalMarkTest(m.mark, s);
      const v = r === 2 ? 2 : m.negated ? 1 - r : r;
      if (v === 1) continue;
      if (v === 0) return EMPTY_COMPILED;
      out.push(this.plain && plain !== undefined ? ({ ...m, plain } satisfies OpaqueMatch) : m);
    }
    const pm = this.plain ? plainOf(rule.action.kind, out, this.local, this.sp.family, !this.local && !this.pre) : undefined;
    return pm === null ? EMPTY_COMPILED : this.general(pm ?? out);
  }
  private readonly marked = new Map<Rule, Map<string, CompiledRule>>();

  /** A rule the one-cube path cannot compile: its regions, and the part that may or may not match. */
  private general(ms: readonly Match[]): CompiledRule {
    const cond = generalConj(ms, this.sp, this.local, this.pre);
    if (cond.may.length === 0) return EMPTY_COMPILED;
    if (cond.must === cond.may && cond.opaque.length === 0) return cond.must.length === 1 ? asBox(cond.must[0]!) : new Decided(cond.must);
    const maybe = cond.must === cond.may ? NONE : subtractRegions(cond.may, cond.must);
    return { must: cond.must, may: cond.may, maybe, opaque: cond.opaque.length === 0 ? NO_TEXT : cond.opaque };
  }
}

/**
 * A rule's matches with its tests of header fields the sender chooses (OpaqueMatch.plain: TTL, length, DSCP, IPv6
 * extension headers) decided for PLAIN_PACKET where that is sound for the exposure engine — undefined when nothing
 * is decided, null when the rule takes no plain packet:
 * - an accept whose test holds for the plain packet: the test is dropped (the rule accepts what else it matches:
 *   the plain packet is let in, so the port is open; other packets the test would miss are taken as let in too,
 *   which only ever says more is open, never that something is closed);
 * - a drop or reject whose test misses the plain packet: the rule takes nothing (the plain packet goes on; the
 *   packets it would drop are taken as going on too: again only more open).
 * Any other test, verdict or case stays undecided. The plain packet meets every decided test as the kernel would,
 * so what is then certainly open is open for it; what is closed was closed for every packet.
 */
function plainMatches(rule: Rule, local: boolean, family: Family, forwarded: boolean): Match[] | null | undefined {
  return plainOf(rule.action.kind, rule.matches, local, family, forwarded);
}

/**
 * `addrtype dst …` (`fib daddr type`) for the plain packet on the input path — unicast to an address of this host,
 * whose type is LOCAL (and, for IPv6, UNICAST: ipv6_addr_type gives the address's kind) — where addrTypeOf leaves it
 * undecided (BROADCAST, MULTICAST, ANYCAST: a broadcast or multicast packet is let in by the input path too);
 * undefined on other paths and for source types.
 */
export function plainAddrType(m: Match, local: boolean, family: Family): boolean | undefined {
  if (m.kind !== 'addrtype' || !local || m.dir !== 'dst' || addrTypeOf(m, local, family) !== undefined) return undefined;
  // (ip6tables' ANYCAST or UNREACHABLE without LOCAL: the route's type is LOCAL; nft's IPv6 `fib daddr type unicast`
  // is not: __nft_fib6_eval_type gives this host's address RTN_LOCAL before it asks the address's kind)
  if (m.ip6tables && family === 'ipv6') return false;
  return m.types.some((t) => t.toUpperCase() === 'LOCAL');
}

/** The conntrack states of a connection-mark test's two readings (forMarks); invalid and untracked fail it. */
const CT_NEW: Match = Object.freeze({ kind: 'ctstate', states: ['new'] }) as Match;
const CT_OLD: Match = Object.freeze({ kind: 'ctstate', states: ['established', 'related'] }) as Match;

/** Two compiled rules over disjoint conntrack states as one: their regions side by side. */
function unionCompiled(a: CompiledRule, b: CompiledRule): CompiledRule {
  const opaque = a.opaque.length === 0 ? b.opaque : b.opaque.length === 0 ? a.opaque : [...new Set([...a.opaque, ...b.opaque])];
  return { must: [...a.must, ...b.must], may: [...a.may, ...b.may], maybe: [...a.maybe, ...b.maybe], opaque };
}

/**
 * plainMatches of matches `ms` under an action of kind `k`, compiled for the input path or not (`local`); `forwarded`:
 * in a chain a forwarded packet reaches after routing (the forward hook), where its TTL has counted a hop.
 */
function plainOf(k: string, ms: readonly Match[], local: boolean, family: Family, forwarded: boolean): Match[] | null | undefined {
  const accepts = k === 'accept';
  if (!accepts && k !== 'drop' && k !== 'reject') return undefined;
  let out: Match[] | undefined;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    if (m.kind === 'any-of' && !m.negated) {
      // (nft `meta pkttype host` is [tcp] or [not tcp, pkttype test]: each alternative decided as a rule of its own; a
      // drop's alternatives that take no plain packet go, and with all of them gone the rule takes none)
      let alts: Match[][] | undefined;
      for (let j = 0; j < m.alternatives.length; j++) {
        const a = plainOf(k, m.alternatives[j]!, local, family, forwarded);
        if (a === undefined) {
          alts?.push(m.alternatives[j]!);
          continue;
        }
        alts ??= m.alternatives.slice(0, j);
        if (a !== null) alts.push(a);
      }
      if (alts !== undefined) {
        if (alts.length === 0) return null;
        out ??= ms.slice(0, i);
        out.push({ ...m, alternatives: alts });
        continue;
      }
    }
    // (a packet this host forwards, past prerouting, has counted a hop: its TTL / hop limit is one less)
    const plain = m.kind === 'opaque' ? (forwarded && m.plainForwarded !== undefined ? m.plainForwarded : m.plain) : plainAddrType(m, local, family);
    if (plain !== undefined) {
      const holds = m.negated ? !plain : plain;
      if (accepts && holds) {
        out ??= ms.slice(0, i);
        continue;
      }
      if (!accepts && !holds) return null;
    }
    out?.push(m);
  }
  return out;
}

/**
 * The line a "may or may not match" reason names: the first undecidable (opaque) match's own line when it has one —
 * in formats whose rules span several lines (Terraform, ARM, CloudFormation) the unresolved expression, not the
 * rule's first line — else the rule's line.
 */
export function undecidedLine(rule: Rule): number {
  const ms = rule.matches;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    if (m.kind === 'opaque' && m.span) return m.span.start.line;
  }
  return rule.span.start.line;
}
