/**
 * The packet tracer: the concrete, per-packet version of the exposure engine.
 * Matches evaluate to true / false / unknown; on unknown both branches are
 * followed (as sets of possible outcomes, so the work stays linear in the rules
 * visited), and the verdict is the agreed one or `unknown`.
 */
import {
  AddrSet,
  formatAddress,
  type Action,
  ANY_PRINCIPAL,
  FIRST_TCP_FLAGS,
  parseAddress,
  PORT_PROTOCOLS,
  PROTO,
  formatPorts,
  type Chain,
  type Family,
  type Match,
  type Rule,
  type Ruleset,
  type Table,
  applyMarkOp,
  ARRIVAL_MARKS,
  evalMarkTest,
  type MarkOp,
  type MarkState,
} from '../model/index.js';
import { addrTypeOf, plainAddrType, undecidedLine } from './compile.js';
import { atConntrack, baseChains, beforeConntrack, findChain, formatNatTo, isOneAddress, pathChains } from './exposure.js';
import type { Packet, TraceResult, TraceStep, Verdict } from './types.js';

/** A concrete packet; undefined fields are unknown (after DNAT to a range, oif after DNAT). */
export interface PacketState {
  family: Family;
  proto: number;
  dport?: number;
  sport: number;
  src?: number | bigint;
  srcPrincipal?: string;
  dst?: number | bigint;
  iif: string;
  oif?: string;
  /** The output interface a DNAT'd copy is routed to: only known when the caller passed `oif`. */
  routedOif?: string;
  state: 'new' | 'established' | 'related' | 'invalid' | 'untracked';
  dnat: boolean;
  /** A DNAT'd packet's destination and port as it arrived (its connection's original tuple). */
  odst?: number | bigint;
  odport?: number;
  /** Source-NATed (nat INPUT's SNAT): the chains after it see the new source; its source as it arrived. */
  snat?: { src?: number | bigint; sport: number };
  /** Addressed to this host (input hook, not DNAT'd away). */
  local: boolean;
  icmp?: number;
  path: 'input' | 'forward';
  hook: 'input' | 'forward';
  /** The first packet of a TCP connection (a NEW one): its flags are SYN alone. */
  syn?: boolean;
  /** In a prerouting chain: no output interface yet (oif matches see ""). */
  pre?: boolean;
  /** What the rules it went through set of its marks (src/model/marks.ts); undefined: as it arrived. */
  marks?: MarkState;
  /** A rule rewrote header fields the sender chose (Action.mangles): PLAIN_PACKET no longer decides tests of them. */
  mangled?: true;
}

const PROTO_NAMES: Record<string, number> = { tcp: PROTO.tcp, udp: PROTO.udp, icmp: PROTO.icmp, icmpv6: PROTO.icmpv6, sctp: PROTO.sctp };

/** Packet with defaults applied; `error` when an address does not parse. */
export function normalizePacket(p: Packet): { state: PacketState; error?: string } {
  let family: Family = p.family ?? (p.src?.includes(':') || p.dst?.includes(':') ? 'ipv6' : 'ipv4');
  if (!p.family && !p.src && !p.dst && p.proto === 'icmpv6') family = 'ipv6';
  const hook = p.hook ?? 'input';
  const srcText = p.src ?? (family === 'ipv4' ? '203.0.113.7' : '2001:db8::7');
  const dstText = p.dst ?? (family === 'ipv4' ? '198.51.100.1' : '2001:db8::1');
  const src = parseAddress(srcText);
  const dst = parseAddress(dstText);
  let error: string | undefined;
  if (!src || src.family !== family) error = `source address ${srcText} is not an ${family} address`;
  if (!dst || dst.family !== family) error = `destination address ${dstText} is not an ${family} address`;
  const proto = typeof p.proto === 'number' ? p.proto : (PROTO_NAMES[p.proto] ?? 0);
  const st: PacketState = {
    family,
    proto,
    sport: p.sport ?? 40000,
    iif: p.iif ?? 'eth0',
    oif: hook === 'input' ? '' : (p.oif ?? 'eth1'),
    state: p.state ?? 'new',
    dnat: false,
    local: hook === 'input',
    path: hook,
    hook,
  };
  if (p.oif !== undefined && p.oif !== '') st.routedOif = p.oif;
  if (proto === PROTO.tcp && st.state === 'new') st.syn = true;
  if (p.dport !== undefined) st.dport = p.dport;
  if (src && src.family === family) st.src = src.value;
  if (dst && dst.family === family) st.dst = dst.value;
  if (p.srcPrincipal !== undefined) st.srcPrincipal = p.srcPrincipal;
  if (p.icmpType !== undefined) st.icmp = p.icmpType * 256 + (p.icmpCode ?? 0);
  return error ? { state: st, error } : { state: st };
}

/** 0 = no, 1 = yes, 2 = unknown */
type T3 = 0 | 1 | 2;

function ifMatches(names: readonly string[], name: string): boolean {
  for (const n of names) {
    if (n.endsWith('+') || n.endsWith('*')) {
      if (name.startsWith(n.slice(0, -1))) return true;
    } else if (n === name) return true;
  }
  return false;
}

function hasAddr(m: { addrs: import('../model/index.js').AddrSet }, family: Family, v: number | bigint): boolean {
  return family === 'ipv4' ? m.addrs.v4.has(v as number) : m.addrs.v6.has(v as bigint);
}

export function evalMatch(m: Match, p: PacketState, why: string[]): T3 {
  let r: T3;
  switch (m.kind) {
    case 'family':
      r = m.family === p.family ? 1 : 0;
      break;
    case 'protocol':
      r = m.protocols.has(p.proto) ? 1 : 0;
      break;
    case 'address': {
      if (m.dir === 'src' && p.srcPrincipal !== undefined) r = 0;
      else {
        const v = m.dir === 'src' ? p.src : p.dst;
        if (v === undefined) {
          r = 2;
          why.push(`${m.dir} address is not known`);
        } else r = hasAddr(m, p.family, v) ? 1 : 0;
      }
      break;
    }
    case 'port': {
      if (!PORT_PROTOCOLS.has(p.proto)) r = 0;
      else {
        const v = m.dir === 'src' ? p.sport : p.dport;
        if (v === undefined) {
          r = 2;
          why.push(`${m.dir} port is not known`);
        } else r = m.ports.has(v) ? 1 : 0;
      }
      break;
    }
    case 'interface': {
      const v = m.dir === 'in' ? p.iif : p.pre ? '' : p.oif;
      if (v === undefined) {
        r = 2;
        why.push('the output interface after DNAT depends on routing');
      } else r = ifMatches(m.names, v) ? 1 : 0;
      break;
    }
    case 'ctstate':
      r = m.states.includes(p.state) || (p.dnat && m.states.includes('dnat')) || (p.snat && m.states.includes('snat')) ? 1 : 0;
      break;
    case 'icmp-type': {
      const icmpProto = m.family === 'ipv4' ? PROTO.icmp : PROTO.icmpv6;
      if (m.family !== p.family || p.proto !== icmpProto) r = 0;
      else if (p.icmp === undefined) {
        r = 2;
        why.push('ICMP type not given');
      } else r = m.values.has(p.icmp) ? 1 : 0;
      break;
    }
    case 'principal':
      if (m.dir === 'dst') {
        r = 2;
        why.push(`dst principal ${m.names.join(',')}`);
      } else r = p.srcPrincipal !== undefined && (m.names.includes(p.srcPrincipal) || m.names.includes(ANY_PRINCIPAL)) ? 1 : 0;
      break;
    case 'fragment':
      r = 0;
      break;
    case 'ct-original': {
      // a NEW packet's original tuple is the packet, as it arrived (before DNAT)
      const inner = m.match;
      const dst = inner.kind !== 'protocol' && inner.dir === 'dst';
      // no conntrack entry: the test fails, `!` or not (the `!` below undone), or passes (CtOriginalMatch.untrackedPasses)
      if (!tracked(p)) r = (m.untrackedPasses === true) !== (m.negated === true) ? 1 : 0;
      else if (p.state === 'new' && p.snat && inner.kind !== 'protocol' && inner.dir === 'src') {
        // (before nat INPUT's SNAT: the source as it arrived)
        const o: PacketState = { ...p, sport: p.snat.sport };
        if (p.snat.src === undefined) delete o.src;
        else o.src = p.snat.src;
        r = evalMatch(inner, o, why);
      } else if (p.state === 'new' && !(p.dnat && dst)) r = evalMatch(inner, p, why);
      else if (p.state === 'new' && (inner.kind === 'port' ? p.odport : p.odst) !== undefined) {
        const o: PacketState = { ...p };
        if (p.odst === undefined) delete o.dst;
        else o.dst = p.odst;
        if (p.odport === undefined) delete o.dport;
        else o.dport = p.odport;
        r = evalMatch(inner, o, why);
      } else {
        r = 2;
        why.push(p.state === 'new' ? 'the original destination before DNAT' : `the original direction of a ${p.state} packet's connection`);
      }
      break;
    }
    case 'tcp-flags':
      if (p.proto !== PROTO.tcp) r = 0;
      else if (p.syn) r = m.values.has(FIRST_TCP_FLAGS) ? 1 : 0;
      else {
        r = 2;
        why.push(`TCP flags of a ${p.state} packet`);
      }
      break;
    case 'addrtype': {
      // (the traced packet is unicast to this host on the input path, as the plain packet: its type is known there)
      const d = addrTypeOf(m, p.local, p.family) ?? plainAddrType(m, p.local, p.family);
      if (d !== undefined) r = d ? 1 : 0;
      else {
        r = 2;
        why.push(`addrtype ${m.dir} ${m.types.join(',')}`);
      }
      break;
    }
    case 'any-of': {
      r = 0;
      for (const alt of m.alternatives) {
        const v = evalConj(alt, p, why);
        if (v === 1) {
          r = 1;
          break;
        }
        if (v === 2) r = 2;
      }
      break;
    }
    case 'opaque':
      // a test of header fields the sender chooses that every plain packet meets, or none: the traced packet is a
      // plain one (PLAIN_PACKET: TTL 64, no IPv6 extension headers…), as its source port and interface have defaults
      // (a forwarded packet's TTL / hop limit, past prerouting, is one less: OpaqueMatch.plainForwarded)
      if (m.plain !== undefined && !p.mangled) r = (p.path === 'forward' && !p.pre && m.plainForwarded !== undefined ? m.plainForwarded : m.plain) ? 1 : 0;
      else if (m.mark !== undefined) {
        // a mark: what the rules before set of it; its other bits as a plain packet arrives (0), and a new
        // connection's (a later packet's connection mark is what its earlier packets were given)
        const t = evalMarkTest(m.mark, p.marks ?? ARRIVAL_MARKS);
        // (a packet without a conntrack entry fails a connection-mark test, `!` or not: the `!` below undone)
        if (m.mark.ct && !tracked(p)) r = m.negated ? 1 : 0;
        else if (t.r !== 2) r = t.r;
        else if (t.plain !== undefined && (!m.mark.ct || p.state === 'new')) r = t.plain ? 1 : 0;
        else {
          r = 2;
          why.push(m.text);
        }
      }
      else {
        r = 2;
        why.push(m.text);
      }
      break;
    default:
      r = 2;
  }
  if (m.negated && r !== 2) r = r === 1 ? 0 : 1;
  return r;
}

/** The packet's marks after `ops` (CONNMARK, nft `ct mark set`, leave a packet without a conntrack entry alone). */
function packetMarks(p: PacketState, ops: readonly MarkOp[]): MarkState {
  let s = p.marks ?? ARRIVAL_MARKS;
  for (const op of ops) if (tracked(p) || !('forget' in op || op.ct || op.copy !== 0)) s = applyMarkOp(s, op);
  return s;
}

/** Whether the packet has a conntrack entry (not untracked, not invalid: before conntrack every packet reads invalid). */
function tracked(p: PacketState): boolean {
  return p.state !== 'untracked' && p.state !== 'invalid';
}

export function evalConj(ms: readonly Match[], p: PacketState, why: string[]): T3 {
  let r: T3 = 1;
  const local: string[] = [];
  for (const m of ms) {
    const v = evalMatch(m, p, local);
    if (v === 0) return 0;
    if (v === 2) r = 2;
  }
  if (r === 2) why.push(...local);
  return r;
}

/**
 * How a packet leaves a chain. `dnat`: accepted by a nat chain with new coordinates; `cont`: accepted or
 * returned with another conntrack state than it came in with (untracked by `notrack`).
 */
type Outcome = 'accept' | 'drop' | 'reject' | 'unknown' | 'return' | { dnat: PacketState } | { cont: 'accept' | 'return'; p: PacketState };


class Tracer {
  readonly steps: TraceStep[] = [];
  readonly reasons: string[] = [];
  /** Set while a base chain that runs before conntrack is walked: `notrack` works there. */
  private beforeCt = false;
  constructor(readonly ruleset: Ruleset) {}

  step(table: Table, chain: Chain, rule: Rule | undefined, effect: string): void {
    this.steps.push({
      table: table.name,
      chain: chain.name,
      line: rule ? rule.span.start.line : (chain.policySpan ?? chain.span).start.line,
      text: rule ? rule.text : `policy ${(chain.policy ?? 'accept').toUpperCase()}`,
      effect,
    });
  }

  /**
   * The outcomes of the chain for p, from its rule `from` on (rule `from` taken as matched when `matched`).
   * `entry`: the conntrack state p came into the chain with, `entryMarks` its marks (null: as it arrived; a packet
   * untracked here, or whose marks a rule here changed, leaves with `cont`).
   */
  chain(table: Table, chain: Chain, p: PacketState, stack: Chain[], from = 0, entry = p.state, matched = false, entryMarks: MarkState | null = p.marks ?? null): Outcome[] {
    const outs: Outcome[] = [];
    const add = (o: Outcome) => {
      // (the packet as it goes on: when the chain untracked it, changed its marks or rewrote its header fields)
      if ((o === 'accept' || o === 'return') && (p.state !== entry || (p.marks ?? null) !== entryMarks || p.mangled)) o = { cont: o, p };
      if (typeof o === 'object' || !outs.includes(o)) outs.push(o);
    };
    const isBase = chain.hook !== undefined;
    const endBase = (): Outcome => (chain.policy === 'drop' ? 'drop' : 'accept');
    for (let i = from; i < chain.rules.length; i++) {
      const rule = chain.rules[i]!;
      if (rule.disabled) continue;
      const why: string[] = [];
      const v = matched && i === from ? 1 : evalConj(rule.matches, p, why);
      if (v === 0) {
        this.step(table, chain, rule, 'no match');
        continue;
      }
      const sure = v === 1;
      const pre = sure ? 'match' : `unknown: ${why.join(', ')} may or may not match`;
      if (!sure) this.reasons.push(`${why.join(', ')} at line ${undecidedLine(rule)} may or may not match`);
      const a = rule.action;
      // the marks it sets, before its verdict (not again when the rule is taken as matched, with them set)
      if (a.marks && !(matched && i === from)) {
        const q: PacketState = { ...p, marks: packetMarks(p, a.marks) };
        if (!sure) {
          // the packets the rule matches go on with the marks it sets, the others skip it
          for (const o of this.chain(table, chain, q, stack, i, entry, true, entryMarks)) add(o);
          continue;
        }
        p = q;
      }
      if (a.mangles && !p.mangled) {
        const q: PacketState = { ...p, mangled: true };
        if (!sure) {
          // the packets the rule matches go on rewritten, the others skip it
          for (const o of this.chain(table, chain, q, stack, i, entry, true, entryMarks)) add(o);
          continue;
        }
        p = q;
      }
      if (a.untrack && this.beforeCt && p.state !== 'untracked') {
        const q: PacketState = { ...p, state: 'untracked', dnat: false };
        this.step(table, chain, rule, sure ? 'untrack (NOTRACK)' : `${pre}: untrack (NOTRACK)`);
        if (!sure) {
          // the packets the rule matches go on untracked (its verdict taken), the others skip it
          for (const o of this.chain(table, chain, q, stack, i, entry, true, entryMarks)) add(o);
          continue;
        }
        p = q;
      }
      switch (a.kind) {
        case 'accept':
        case 'drop':
        case 'reject':
          this.step(table, chain, rule, `${pre}: ${a.kind.toUpperCase()}`);
          add(a.kind);
          if (sure) return outs;
          break;
        case 'continue':
          this.step(table, chain, rule, `${pre}: continue (${a.target})`);
          break;
        case 'return':
          this.step(table, chain, rule, sure ? 'return' : `${pre}: return`);
          if (isBase) {
            this.step(table, chain, undefined, `policy ${(chain.policy ?? 'accept').toUpperCase()}`);
            add(endBase());
          } else add('return');
          if (sure) return outs;
          break;
        case 'jump':
        case 'goto': {
          const target = findChain(table, a.target);
          this.step(table, chain, rule, sure ? `${a.kind} ${a.target}` : `${pre}: ${a.kind} ${a.target}`);
          if (!target || stack.includes(target) || stack.length > 64) {
            this.reasons.push(`${!target ? `jump to undefined chain ${a.target}` : `chain ${a.target} loops`} at line ${rule.span.start.line}`);
            add('unknown');
            if (sure) return outs;
            break;
          }
          const sub = this.chain(table, target, p, [...stack, target]);
          let returns = false;
          for (const o of sub) {
            if (o === 'return') returns = true;
            else if (typeof o === 'object' && 'cont' in o && o.cont === 'return') {
              // untracked or re-marked in the called chain: a jump goes on here with the new state, a goto returns with it
              if (a.kind === 'jump') for (const x of this.chain(table, chain, o.p, stack, i + 1, entry, false, entryMarks)) add(x);
              else if (!isBase) add({ cont: 'return', p: o.p });
              else add(chain.policy === 'drop' ? 'drop' : { cont: 'accept', p: o.p });
            } else add(o);
          }
          if (a.kind === 'goto' && returns) {
            if (isBase) {
              this.step(table, chain, undefined, `policy ${(chain.policy ?? 'accept').toUpperCase()}`);
              add(endBase());
            } else add('return');
          }
          if (sure && (a.kind === 'goto' || !returns)) return outs;
          break;
        }
        case 'nat': {
          // NETMAP maps the destination in PREROUTING and OUTPUT (the source in INPUT and POSTROUTING)
          const hook = stack[0]!.hook;
          if (a.type === 'dnat' || a.type === 'redirect' || (a.type === 'netmap' && (hook === 'prerouting' || hook === 'output'))) {
            const q: PacketState = { ...p, dnat: true };
            if (!p.dnat) {
              if (p.dst !== undefined) q.odst = p.dst;
              if (p.dport !== undefined) q.odport = p.dport;
            }
            /** Whether the DNAT target may be another address of this host: then the packet may be delivered here. */
            let mayBeHere = false;
            const to = a.type !== 'redirect' && a.toAddrs ? netmapped(a, p) ?? a.toAddrs.only(p.family) : undefined;
            if (to && !to.isEmpty) {
              const single = isOneAddress(to, p.family);
              if (single) q.dst = (p.family === 'ipv4' ? to.v4.bounds[0] : to.v6.bounds[0])!;
              else delete q.dst;
              // to the address the packet was sent to: routed as before (this host's: still INPUT; another: FORWARD)
              if (!(single && p.dst === q.dst)) {
                // an address of this host is delivered to INPUT, any other routed on: the ruleset does not say which
                // addresses are this host's, so without the route (oif) both are followed
                // (a forwarded packet too: DNAT to an address of this host turns it to INPUT whatever its first route)
                if (!p.local || p.routedOif === undefined) {
                  mayBeHere = true;
                  this.reasons.push(`DNAT at line ${rule.span.start.line} to ${formatNatTo(to, undefined, p.family) || a.text}: delivered here (INPUT) if that is an address of this host, else routed on (FORWARD)`);
                }
                q.path = 'forward';
                q.local = false;
                if (p.routedOif !== undefined) q.oif = p.routedOif;
                else delete q.oif;
              }
            } else if (a.type === 'redirect') {
              q.path = 'input';
              q.local = true;
              q.oif = '';
              delete q.dst; // the primary address of the input interface
            }
            if (a.toPorts && !a.toPorts.isEmpty && PORT_PROTOCOLS.has(p.proto)) {
              const [lo, hi] = a.toPorts.bounds;
              if (a.toPorts.size === 1 && hi! - lo! === 1) q.dport = lo!;
              else delete q.dport;
            }
            // a DNAT that changes nothing of the tuple (to the address and port the packet has) leaves the connection
            // without IPS_DST_NAT (nf_nat_setup_info sets it only when the new tuple differs): `ct status dnat` fails
            if (a.type === 'dnat' && !p.dnat && q.dst === p.dst && q.dport === p.dport && p.dst !== undefined && (!to || isOneAddress(to, p.family)) && (p.dport !== undefined || !a.toPorts || !PORT_PROTOCOLS.has(p.proto))) q.dnat = false;
            const desc = a.type === 'redirect' ? `REDIRECT to ${a.toPorts ? ':' + formatPorts(a.toPorts) : 'local'}` : `${a.type === 'netmap' ? 'NETMAP' : 'DNAT'} to ${formatNatTo(to, a.toPorts, p.family) || a.text}`;
            this.step(table, chain, rule, sure ? desc : `${pre}: ${desc}`);
            add({ dnat: q });
            // REDIRECT to the primary address of the input interface: a packet sent there already, to a port it may
            // keep, is not changed and gets no DNAT status; which address that is the ruleset does not say
            if (a.type === 'redirect' && p.local && !p.dnat && (!a.toPorts || a.toPorts.isEmpty || !PORT_PROTOCOLS.has(p.proto) || p.dport === undefined || a.toPorts.has(p.dport))) {
              this.reasons.push(`REDIRECT at line ${rule.span.start.line} changes nothing of a packet sent to its input interface's primary address (then without DNAT status)`);
              add({ dnat: { ...p } });
            }
            // a DNAT to several addresses picks one by a hash of the tuple: it may pick the one the packet was sent to
            // and keep its port (in the range, or none given), and then changes nothing and gives no DNAT status
            if (a.type === 'dnat' && !p.dnat && to && !to.isEmpty && !isOneAddress(to, p.family) && (p.dst === undefined || (p.family === 'ipv4' ? to.v4.has(p.dst as number) : to.v6.has(p.dst as bigint))) && (!a.toPorts || a.toPorts.isEmpty || !PORT_PROTOCOLS.has(p.proto) || p.dport === undefined || a.toPorts.has(p.dport))) {
              this.reasons.push(`DNAT at line ${rule.span.start.line} to ${formatNatTo(to, a.toPorts, p.family) || a.text} may pick the address the packet was sent to and change nothing (then without DNAT status)`);
              add({ dnat: { ...p } });
            }
            // (the new destination and port, on the input path as the packet came)
            if (mayBeHere) {
              const h: PacketState = { ...q, path: 'input', local: true };
              if (!p.local) h.oif = '';
              else if (p.oif !== undefined) h.oif = p.oif;
              else delete h.oif;
              add({ dnat: h });
            }
          } else {
            this.step(table, chain, rule, `${pre}: ${a.type.toUpperCase()} (accept)`);
            if (a.type === 'snat' || a.type === 'netmap') {
              // nat INPUT's source NAT: the chains after it on the hook (iptables-nft's security table, priority 150)
              // see the new source; an address range or a NETMAP prefix leaves it unknown
              const q: PacketState = { ...p, snat: p.snat ?? { src: p.src, sport: p.sport } };
              const to = a.type === 'snat' && a.toAddrs ? a.toAddrs.only(p.family) : undefined;
              if (to && isOneAddress(to, p.family)) q.src = (p.family === 'ipv4' ? to.v4.bounds[0] : to.v6.bounds[0])!;
              else delete q.src;
              if (a.toPorts && !a.toPorts.isEmpty && PORT_PROTOCOLS.has(p.proto)) {
                const [lo, hi] = a.toPorts.bounds;
                if (a.toPorts.size === 1 && hi! - lo! === 1) q.sport = lo!;
              }
              add({ cont: 'accept', p: q });
            } else add('accept');
          }
          if (sure) return outs;
          break;
        }
        case 'queue':
          this.step(table, chain, rule, `${pre}: queue to user space (verdict unknown)`);
          this.reasons.push(`${a.text} at line ${rule.span.start.line}: verdict is decided in user space`);
          add('unknown');
          if (sure) return outs;
          break;
        case 'unknown':
          this.step(table, chain, rule, `${pre}: unknown target ${a.target} (verdict unknown)`);
          this.reasons.push(`unknown target ${a.target} at line ${rule.span.start.line}: verdict unknown`);
          add('unknown');
          break;
      }
    }
    if (isBase) {
      this.step(table, chain, undefined, `policy ${(chain.policy ?? 'accept').toUpperCase()}`);
      add(endBase());
    } else add('return');
    return outs;
  }

  /** Run the packet from prerouting chain `i` on. */
  run(p: PacketState, pre: { chain: Chain; table: Table }[], i: number, seen: Set<Verdict>): void {
    for (; i < pre.length; i++) {
      const { chain, table } = pre[i]!;
      if (untrackedPastNat(chain, p)) continue;
      // before routing there is no output interface yet; before conntrack a tracked packet has no
      // conntrack entry yet: its state reads as INVALID
      // the output side of a packet over lo (see tracePacket): leaving the process, routed to lo, no input interface
      const out = chain.hook === 'output' || chain.hook === 'postrouting';
      // (a packet over lo was tracked when it was sent, in OUTPUT: raw PREROUTING sees its entry, and cannot untrack it)
      const loIn = chain.hook === 'prerouting' && p.iif === 'lo' && p.hook === 'input';
      const walk = (before: boolean): Outcome[] => {
        this.beforeCt = before;
        const state = before && p.state !== 'untracked' ? 'invalid' : p.state;
        const o = this.chain(table, chain, out ? { ...p, pre: false, state, iif: '', oif: 'lo' } : { ...p, pre: true, state }, [chain]);
        this.beforeCt = false;
        return o;
      };
      // (at conntrack's own priority it may have run before the chain or not: both, see atConntrack)
      const outs = !loIn && atConntrack(chain) ? [...walk(true), ...walk(false)] : walk(beforeConntrack(chain) && !loIn);
      let accept = false;
      for (const o of outs) {
        if (typeof o === 'object') {
          // (a packet that leaves a chain before conntrack with new marks, not untracked, is tracked again: the chain
          // read its state as INVALID)
          const q: PacketState = 'cont' in o ? { ...o.p, pre: false, state: o.p.state === 'untracked' ? 'untracked' : p.state } : { ...o.dnat, pre: false };
          if (out) {
            q.iif = p.iif;
            if (p.oif !== undefined) q.oif = p.oif;
            else delete q.oif;
          }
          this.run(q, pre, i + 1, seen);
        }
        else if (o === 'accept' || o === 'return') accept = true;
        else seen.add(o as Verdict);
      }
      if (!accept) return;
    }
    if (p.iif === 'lo' && p.path === 'forward') {
      // DNAT'd in nat OUTPUT to an address that is not this host's: it leaves the host and never comes back over lo
      this.reasons.push('a local packet DNAT\'d to another host leaves by its route: what it meets there is not in this ruleset');
      seen.add('unknown');
      return;
    }
    const post = pathChains(this.ruleset, p.family, p.path);
    const here = new Set<Verdict>();
    this.runPost(p, post, 0, here);
    // past postrouting's first nat chain (pathChains stops there: its source NAT is not followed), a chain that may
    // drop leaves the answer open
    const at = p.path === 'forward' && here.has('accept') ? dropsPastSourceNat(this.ruleset, p.family) : undefined;
    if (at !== undefined) {
      here.delete('accept');
      here.add('unknown');
      this.reasons.push(`${at} may drop it after the source NAT of postrouting's nat chains, which is not followed`);
    }
    for (const v of here) seen.add(v);
  }

  runPost(p: PacketState, post: { chain: Chain; table: Table }[], i: number, seen: Set<Verdict>): void {
    for (; i < post.length; i++) {
      const { chain, table } = post[i]!;
      if (untrackedPastNat(chain, p)) continue;
      const outs = this.chain(table, chain, p, [chain]);
      let accept = false;
      for (const o of outs) {
        if (typeof o === 'object') {
          // DNAT outside prerouting (nat INPUT/OUTPUT): the packet stays on its path
          this.runPost('cont' in o ? o.p : o.dnat, post, i + 1, seen);
        } else if (o === 'accept' || o === 'return') accept = true;
        else seen.add(o as Verdict);
      }
      if (!accept) return;
    }
    seen.add('accept');
  }
}

/**
 * The one address NETMAP maps a known destination to: the prefix's network bits over the address's host bits
 * (`--to 192.168.18.0/24` maps 192.168.118.13 to 192.168.18.13); undefined for another target, an unknown destination
 * or a `--to` that is not one prefix (then any address of it, as a DNAT to a range).
 */
function netmapped(a: Action & { kind: 'nat' }, p: PacketState): AddrSet | undefined {
  if (a.type !== 'netmap' || p.dst === undefined || !a.toAddrs) return undefined;
  const to = a.toAddrs.only(p.family);
  const b = p.family === 'ipv4' ? to.v4.bounds : to.v6.bounds;
  if (b.length !== 2) return undefined;
  // (one prefix: its size a power of two and its start a multiple of it; then the host bits are dst mod size)
  const lo = BigInt(b[0]!);
  const size = BigInt(b[1]!) - lo;
  if ((size & (size - 1n)) !== 0n || lo % size !== 0n) return undefined;
  const mapped = lo + (BigInt(p.dst) % size);
  return AddrSet.parse(formatAddress(p.family, p.family === 'ipv4' ? Number(mapped) : mapped));
}

/**
 * The first postrouting chain at or past its first nat chain that may drop (its policy, or a rule that neither accepts
 * nor translates), as `table/chain`: what pathChains leaves out of the forward path; undefined when none may.
 */
function dropsPastSourceNat(ruleset: Ruleset, family: Family): string | undefined {
  let past = false;
  for (const { chain, table } of baseChains(ruleset, family, 'postrouting')) {
    past ||= chain.type === 'nat';
    if (past && (chain.policy === 'drop' || mayDrop(chain, table, new Set()))) return `${table.name}/${chain.name}`;
  }
  return undefined;
}

/**
 * Whether a rule of the chain, or of a chain it jumps or goes to, may end a packet's way there other than by accepting
 * or translating it (drop, reject, queue, a target we do not know): kube-proxy's nat POSTROUTING jumps to
 * KUBE-POSTROUTING, whose RETURN, MARK and MASQUERADE drop nothing.
 */
function mayDrop(chain: Chain, table: Table, seen: Set<Chain>): boolean {
  if (seen.has(chain)) return false;
  seen.add(chain);
  for (const r of chain.rules) {
    const a = r.action;
    if (a.kind === 'drop' || a.kind === 'reject' || a.kind === 'queue' || a.kind === 'unknown') return true;
    if (a.kind === 'jump' || a.kind === 'goto') {
      const to = findChain(table, a.target);
      if (!to || mayDrop(to, table, seen)) return true;
    }
  }
  return false;
}

/** Whether the packet skips the chain: nat chains never see untracked packets (NAT needs a conntrack entry). */
function untrackedPastNat(chain: Chain, p: PacketState): boolean {
  return chain.type === 'nat' && p.state === 'untracked';
}

export function tracePacket(ruleset: Ruleset, packet: Packet): TraceResult {
  const { state, error } = normalizePacket(packet);
  if (error) return { verdict: 'unknown', steps: [], reasons: [error] };
  if (ruleset.families.length > 0 && !ruleset.families.includes(state.family)) {
    // a file that replaces the host's ruleset (`flush ruleset`) and filters no table of the family: nothing stops it
    if (ruleset.replaces) return { verdict: 'accept', steps: [], reasons: [] };
    return { verdict: 'unknown', steps: [], reasons: [`the ruleset does not filter ${state.family}`] };
  }
  const t = new Tracer(ruleset);
  const seen = new Set<Verdict>();
  // A packet over lo was sent by this host: it went through the OUTPUT chains (its destination NAT decided in nat
  // OUTPUT, its conntrack entry made there) and POSTROUTING before it comes back over lo, where nat PREROUTING
  // never sees it (the entry already has its NAT) and raw and mangle PREROUTING do. (A source NAT in nat
  // POSTROUTING is not followed: the source stays as given.)
  const pre = baseChains(ruleset, state.family, 'prerouting');
  const lo = state.iif === 'lo' && state.hook === 'input';
  const path = lo
    ? [
        ...baseChains(ruleset, state.family, 'output'),
        ...baseChains(ruleset, state.family, 'postrouting').filter((c) => c.chain.type !== 'nat'),
        ...pre.filter((c) => c.chain.type !== 'nat'),
      ]
    : pre;
  t.run(state, path, 0, seen);
  const verdicts = [...seen];
  let verdict: Verdict;
  if (verdicts.length === 1) verdict = verdicts[0]!;
  else {
    verdict = 'unknown';
    const order: Verdict[] = ['accept', 'drop', 'reject', 'unknown'];
    if (verdicts.length > 1) t.reasons.push(`branches disagree: ${order.filter((v) => seen.has(v)).join(', ')}`);
  }
  return { verdict, steps: t.steps, reasons: verdict === 'unknown' ? [...new Set(t.reasons)] : [] };
}
