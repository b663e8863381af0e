/**
 * Random nftables rulesets (seeded, reproducible) for the kernel differential
 * test: 1–3 tables (inet / ip / ip6), 1–3 base chains on the input hook at
 * distinct priorities, policies, named and anonymous sets, verdict maps,
 * jump/goto/return, ct state, reject variants, iifname/iif, addresses, ports.
 * Only deterministic matches: the kernel's answer depends on text and packet alone.
 */
import { compareAddr } from './addr.js';
import { PortBag, makeProbes, pickCidr, pickPort, pickRange, planProbes, type GeneratedRuleset } from './common.js';
import { CLIENT_ADDRS, SERVER_ADDRS, type Family } from './netns.js';
import { Rng } from './prng.js';

type TFamily = 'inet' | 'ip' | 'ip6';

interface TableCtx {
  rng: Rng;
  tf: TFamily;
  ports: PortBag;
  /** User chains in creation order; jumps only go forward (nft refuses loops). */
  userChains: string[];
  /** Named sets available in this table, by what they hold. */
  sets: { name: string; kind: 'ipv4_addr' | 'ipv6_addr' | 'inet_service' }[];
  maps: string[];
  /**
   * TCP flags and conntrack original-tuple tests: only the SYN reaches them (TCP probes go to rulesets that
   * accept established traffic first), except with a prerouting chain, whose untracked packets (handshake
   * ACKs among them) would be judged by them too.
   */
  flags: boolean;
  /** A dynamic set the rules only update (`add @seen4 { ip saddr }`), never read: its contents change at run time. */
  dynSet?: { name: string; family: Family };
  /** `define NAME = value` lines the rules used (written at the top of the file, before any table). */
  defines: Map<string, string>;
  /** The forward path (NftOptions.forward): the vocabulary it can decide, output-interface tests too. */
  forward: boolean;
}

const HEADER_ANY = ['meta length > 1000', 'meta length 0-1500', 'meta length != 0-1500'];
const HEADER_V4 = ['ip ttl < 5', 'ip ttl 64', 'ip ttl != 64', 'ip ttl > 100', 'ip length 1000-65535', 'ip dscp cs1', 'ip dscp != cs0', 'ip version 4', 'ip hdrlength 5', 'ip hdrlength != 5'];
const HEADER_V6 = ['ip6 version 6', 'ip6 hoplimit 1', 'ip6 hoplimit > 100', 'ip6 hoplimit 64', 'ip6 dscp cs0', 'exthdr rt exists', 'rt type 0', 'frag more-fragments 1', 'exthdr hbh exists', 'exthdr frag missing'];

const FLAG_EXPRS = [
  'tcp flags syn',
  'tcp flags == syn',
  'tcp flags != syn',
  'tcp flags syn / fin,syn,rst,ack',
  'tcp flags & (syn|ack) == syn',
  'tcp flags ! fin,syn,rst,psh,ack,urg',
  'tcp flags ack',
  'tcp flags { syn, ack }',
  'tcp flags fin,syn / fin,syn',
  'tcp flags & (fin|syn|rst|ack) != syn',
];

/** Priorities as written and their values; distinct values across the ruleset keep the order defined. */
const PRIORITIES: readonly (readonly [string, number])[] = [
  ['raw', -300],
  ['-200', -200],
  ['mangle', -150],
  ['mangle + 5', -145],
  ['filter - 10', -10],
  ['-5', -5],
  ['filter', 0],
  ['0', 0],
  ['3', 3],
  ['filter + 10', 10],
  ['security', 50],
  ['100', 100],
];

const CT_EXPRS = ['ct state new', 'ct state established,related', 'ct state { established, related }', 'ct state invalid', 'ct state != established', 'ct state new,established', 'ct state != { new }', 'ct state untracked', 'ct state related', 'ct status dnat'];
const IIF_EXPRS = ['iifname "lo"', 'iifname "eth0"', 'iifname "eth*"', 'iifname != "lo"', 'iifname != "eth*"', 'iifname { "lo", "eth0" }', 'iifname "veth*"', 'iif "lo"', 'iif "eth0"', 'iif != "lo"'];
/**
 * Link-layer and route types: every probe is unicast to an address of this host (pkttype host; fib's type local, which
 * nft answers before the address's kind: `fib daddr type unicast` fails it).
 */
const TYPE_EXPRS = [
  'meta pkttype host', 'meta pkttype != host', 'meta pkttype { broadcast, multicast }', 'meta pkttype broadcast', 'meta pkttype != multicast',
  'fib daddr type local', 'fib daddr type != local', 'fib daddr type unicast', 'fib daddr type { local, broadcast }', 'fib daddr type { broadcast, multicast, anycast }',
  'fib daddr type != { broadcast, multicast }', 'fib saddr . iif oif missing', 'fib saddr . iif oif exists',
];

/**
 * The same on the forward path, where the probes are unicast to the router's MAC (pkttype host) and routed on: a
 * forwarded destination's route type is never local (`fib daddr type local` fails, whatever DNAT did: the route is
 * chosen after it), and the router routes the client's addresses back by eth0 (`fib saddr . iif oif exists`). Left
 * out: `fib daddr type unicast` / broadcast / multicast / anycast — whether the forwarded address is one of those
 * elsewhere the text does not say (undecided by design).
 */
const FWD_TYPE_EXPRS = [
  'meta pkttype host', 'meta pkttype != host', 'meta pkttype { broadcast, multicast }', 'meta pkttype broadcast', 'meta pkttype != multicast',
  'fib daddr type local', 'fib daddr type != local', 'fib saddr . iif oif missing', 'fib saddr . iif oif exists',
];
/** Output-interface tests (the forward path: out by eth1, towards the server). */
const OIF_EXPRS = ['oifname "eth1"', 'oifname "eth0"', 'oifname "eth*"', 'oifname != "eth1"', 'oifname { "eth1", "lo" }', 'oif "eth1"', 'oif != "eth1"', 'oifname "veth*"'];

function addrFamilies(tf: TFamily): Family[] {
  return tf === 'inet' ? ['ipv4', 'ipv6'] : tf === 'ip' ? ['ipv4'] : ['ipv6'];
}

function addrKeyword(f: Family): 'ip' | 'ip6' {
  return f === 'ipv4' ? 'ip' : 'ip6';
}

/** An element list that never overlaps (nft refuses overlapping interval elements). */
function disjointPorts(ctx: TableCtx, n: number): string[] {
  const taken: [number, number][] = [];
  const out: string[] = [];
  for (let tries = 0; out.length < n && tries < 20; tries++) {
    const range = ctx.rng.chance(0.3);
    const [lo, hi] = range ? pickRange(ctx.rng) : ((p) => [p, p] as [number, number])(pickPort(ctx.rng));
    if (taken.some(([a, b]) => lo <= b && a <= hi)) continue;
    taken.push([lo, hi]);
    ctx.ports.add(lo, hi, lo - 1, hi + 1);
    out.push(lo === hi ? String(lo) : `${lo}-${hi}`);
  }
  return out;
}

function disjointCidrs(rng: Rng, f: Family, n: number): string[] {
  const out: string[] = [];
  // Overlapping prefixes in one interval set are refused; keep only non-nested ones.
  const seen: string[] = [];
  for (let tries = 0; out.length < n && tries < 20; tries++) {
    const c = pickCidr(rng, f);
    if (c.endsWith('/0')) continue;
    const [a, lenS] = c.split('/') as [string, string];
    const len = Number(lenS);
    const overlaps = seen.some((s) => {
      const [b, l2S] = s.split('/') as [string, string];
      const l = Math.min(len, Number(l2S));
      return compareMasked(f, a, b, l);
    });
    if (overlaps) continue;
    seen.push(c);
    out.push(c);
  }
  return out;
}

function compareMasked(f: Family, a: string, b: string, len: number): boolean {
  const bitsN = f === 'ipv4' ? 32 : 128;
  const toBig = (x: string) => (f === 'ipv4' ? BigInt(x.split('.').reduce((acc, o) => acc * 256 + Number(o), 0)) : v6(x));
  const shift = BigInt(bitsN - len);
  return toBig(a) >> shift === toBig(b) >> shift;
}

function v6(a: string): bigint {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function verdict(ctx: TableCtx, chainIdx: number, allowReturn: boolean): string {
  const later = ctx.userChains.slice(chainIdx + 1);
  const r = ctx.rng.next();
  if (r < 0.4) return 'accept';
  if (r < 0.7) return 'drop';
  if (r < 0.82 && later.length) return `jump ${ctx.rng.pick(later)}`;
  if (r < 0.9 && later.length) return `goto ${ctx.rng.pick(later)}`;
  if (allowReturn && r < 0.95) return 'return';
  return ctx.rng.chance(0.5) ? 'accept' : 'drop';
}

/** One rule. `chainIdx` is -1 for base chains, else the user chain's index. */
function rule(ctx: TableCtx, chainIdx: number): string {
  const { rng, tf } = ctx;
  const parts: string[] = [];
  const fams = addrFamilies(tf);
  let ipCtx: Family | undefined = tf === 'ip' ? 'ipv4' : tf === 'ip6' ? 'ipv6' : undefined;

  if (tf === 'inet' && rng.chance(0.08)) {
    ipCtx = rng.pick(fams);
    parts.push(`meta nfproto ${ipCtx}`);
  }
  if (rng.chance(0.2)) parts.push(rng.pick(IIF_EXPRS));
  if (ctx.forward && rng.chance(0.12)) parts.push(rng.pick(OIF_EXPRS));
  if (rng.chance(0.05)) parts.push(rng.pick(ctx.forward ? FWD_TYPE_EXPRS : TYPE_EXPRS));
  // log flags take their own words only: an `ip`/`tcp` match after them is a match
  if (rng.chance(0.04)) parts.push(rng.pick(['log flags all', 'log flags tcp sequence,options', 'log flags skuid']));
  if (rng.chance(0.3)) {
    const f = ipCtx ?? rng.pick(fams);
    ipCtx = f;
    const kw = addrKeyword(f);
    const dir = rng.chance(0.85) ? 'saddr' : 'daddr';
    const ne = rng.chance(0.2) ? '!= ' : '';
    const form = rng.next();
    const named = ctx.sets.filter((s) => s.kind === (f === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'));
    if (dir === 'daddr') parts.push(`${kw} daddr ${ne}${rng.pick(SERVER_ADDRS[f])}`);
    else if (form < 0.06 && f === 'ipv4') {
      // a mask written as a bitwise and (nft lists it as the prefix)
      const [a, l] = pickCidr(rng, f).split('/') as [string, string];
      const m = Number(l) === 0 ? 0 : (0xffffffff << (32 - Number(l))) >>> 0;
      parts.push(`${kw} saddr & ${[24, 16, 8, 0].map((x) => (m >>> x) & 255).join('.')} ${ne === '' ? '== ' : ne}${a}`);
    } else if (form < 0.45) parts.push(`${kw} saddr ${ne}${pickCidr(rng, f)}`);
    else if (form < 0.65) parts.push(`${kw} saddr ${ne}{ ${disjointCidrs(rng, f, rng.int(1, 3)).join(', ')} }`);
    else if (form < 0.8 && named.length) parts.push(`${kw} saddr ${ne}@${rng.pick(named).name}`);
    else {
      const [a, b] = rng.sample(CLIENT_ADDRS[f], 2).sort((x, y) => compareAddr(f, x, y));
      parts.push(`${kw} saddr ${ne}${a}-${b}`);
    }
  }

  // a set update naming `ip saddr` / `ip6 saddr` (where nothing else pins the family): nft keeps the rule to that
  // family, as for a match
  if (ctx.dynSet && ipCtx === undefined && rng.chance(0.3)) {
    ipCtx = ctx.dynSet.family;
    parts.push(`${rng.pick(['update', 'add'])} @${ctx.dynSet.name} { ${addrKeyword(ipCtx)} saddr }`);
  }

  // an ICMP rule (the probes' echo request is ICMP type 8 / ICMPv6 type 128, code 0): types and codes by name and
  // number, sets, `!=`, a verdict map; of the rule's family (nft refuses `ip saddr … icmpv6 type …`)
  if (rng.chance(0.08)) {
    const f = ipCtx ?? rng.pick(fams);
    const v4 = f === 'ipv4';
    const ne = rng.chance(0.2) ? '!= ' : '';
    const kw = v4 ? 'icmp' : 'icmpv6';
    const echo = v4 ? rng.pick(['echo-request', '8']) : rng.pick(['echo-request', '128']);
    const other = v4 ? rng.pick(['echo-reply', 'destination-unreachable', 'time-exceeded']) : rng.pick(['echo-reply', 'nd-neighbor-solicit', 'packet-too-big']);
    const form = rng.next();
    if (form < 0.12) {
      const v = () => verdict(ctx, chainIdx, chainIdx >= 0);
      parts.push(`${kw} type vmap { ${echo} : ${v()}, ${other} : ${v()} }`);
      return parts.join(' ');
    }
    if (form < 0.35) parts.push(`${kw} type ${ne}${echo}`);
    else if (form < 0.5) parts.push(`${kw} type ${ne}{ ${rng.sample([echo, other], rng.int(1, 2)).join(', ')} }`);
    else if (form < 0.6) parts.push(`${kw} type ${ne}${other}`);
    else if (form < 0.72) parts.push(`${kw} code ${ne}${rng.pick(['0', '1', '0-3', '{ 0, 4 }', v4 ? 'net-unreachable' : 'no-route'])}`);
    else if (form < 0.8) parts.push(`${kw} type ${echo} ${kw} code ${rng.pick(['0', '1'])}`);
    else if (form < 0.9) parts.push(`meta l4proto ${ne}${v4 ? 'icmp' : 'ipv6-icmp'}`);
    else parts.push(tf === 'inet' ? `meta l4proto ${ne}{ icmp, ipv6-icmp }` : v4 ? `ip protocol ${ne}icmp` : `ip6 nexthdr ${ne}icmpv6`);
    if (rng.chance(0.2)) parts.push(rng.pick(CT_EXPRS));
    parts.push(rng.chance(0.2) ? 'reject' : verdict(ctx, chainIdx, chainIdx >= 0));
    return parts.join(' ');
  }

  // Layer 4: l4 is the single protocol the rule pins down ('tcp'/'udp'), for `tcp dport` and `reject with tcp reset`.
  let l4: 'tcp' | 'udp' | 'both' | undefined;
  const pr = rng.next();
  if (pr < 0.25) {
    l4 = rng.pick(['tcp', 'udp'] as const);
    const how = rng.next();
    if (how < 0.5) parts.push(`meta l4proto ${l4}`);
    else if (how < 0.7 && ipCtx === 'ipv4') parts.push(`ip protocol ${l4}`);
    else if (how < 0.7 && ipCtx === 'ipv6') parts.push(`ip6 nexthdr ${l4}`);
    // else implied by `tcp dport` below, or no port match: `meta l4proto`.
    else if (rng.chance(0.5)) parts.push(`meta l4proto ${l4}`);
  } else if (pr < 0.4) {
    l4 = 'both';
    parts.push('meta l4proto { tcp, udp }');
  } else if (pr < 0.45) {
    parts.push(`meta l4proto != ${rng.pick(['tcp', 'udp'])}`);
  }

  // Before any vmap: the kernel ends a rule at the vmap's verdict, so nothing after it is ever tested.
  if (rng.chance(0.2)) parts.push(rng.pick(CT_EXPRS));
  // a connection's first packet is in the original direction (an untracked one ends the rule, `!=` or not)
  if (rng.chance(0.03)) parts.push(rng.pick(['ct direction original', 'ct direction reply', 'ct direction != reply']));
  // tests of header fields the sender chooses: the probes are plain packets (TTL 64, 42–80 bytes, DSCP 0, no IPv6
  // extension headers); some tests every probe meets, some none
  if (rng.chance(0.06)) {
    // (an ip or ip6 test only where the rule is of that family: nft refuses `ip ttl` beside `reject with icmpv6 …`)
    const v4 = ipCtx === 'ipv4';
    const v6 = ipCtx === 'ipv6';
    parts.push(rng.pick([...HEADER_ANY, ...(v4 ? HEADER_V4 : []), ...(v6 ? HEADER_V6 : [])]));
  }
  if (ctx.flags && (l4 === 'tcp' || l4 === undefined) && rng.chance(0.15)) {
    parts.push(rng.pick(FLAG_EXPRS));
    // (a TCP header test makes the rule TCP for nft: what follows must agree)
    l4 = 'tcp';
  }
  // the connection's original tuple (a NEW packet's own; not with a prerouting chain's untracked packets)
  if (ctx.flags && rng.chance(0.08)) {
    const op = l4 === 'udp' ? 17 : l4 === 'tcp' ? 6 : rng.pick([6, 17]);
    parts.push(`ct original protocol ${op}`);
    // nft takes it as the rule's protocol: a later `tcp dport` or TCP reset must agree with it
    if (l4 === undefined) l4 = op === 6 ? 'tcp' : 'udp';
    // (nft 1.0.6 reads a numeric proto-dst only in ip tables: "Can't parse symbolic invalid expressions")
    if (tf === 'ip' && rng.chance(0.6)) {
      const p = pickPort(rng);
      ctx.ports.add(p);
      parts.push(`ct original proto-dst ${rng.chance(0.2) ? '!= ' : ''}${p}`);
    }
  }
  // its addresses, the family written: nft adds no family test (it refuses one that conflicts with the rule's),
  // and the kernel ends the rule for a connection of the other family, negated or not
  if (ctx.flags && rng.chance(0.06)) {
    const f = ipCtx ?? rng.pick(fams);
    const ne = rng.chance(0.3) ? '!= ' : '';
    parts.push(rng.chance(0.5) ? `ct original ${addrKeyword(f)} saddr ${ne}${pickCidr(rng, f)}` : `ct original ${addrKeyword(f)} daddr ${ne}${rng.pick(SERVER_ADDRS[f])}`);
  }

  // marks: what the prerouting chain sets (a probe arrives with both marks 0)
  if (rng.chance(0.08)) parts.push(rng.pick(['meta mark 0x1', 'meta mark != 0x1', 'meta mark & 0x2 == 0x2', 'meta mark 0', 'mark 0x3', 'ct mark 0x1', 'ct mark != 0x0', 'meta mark { 0x1, 0x3 }', 'meta mark 0x2-0x4', 'meta mark != { 0x0, 0x10 }', 'ct mark { 0x1, 0x2 }']));

  // source ports: the probes' are known (each binds the next one of 20000–60999)
  if ((l4 === 'tcp' || l4 === 'udp' || l4 === 'both') && rng.chance(0.1)) {
    const lo = rng.int(20000, 55000);
    const hi = Math.min(65535, lo + rng.int(0, 15000));
    const ne = rng.chance(0.2) ? '!= ' : '';
    const sel = l4 === 'both' ? 'th sport' : `${l4} sport`;
    parts.push(rng.chance(0.7) ? `${sel} ${ne}${lo}-${hi}` : `${sel} ${ne}{ ${rng.int(1, 19999)}, ${lo}-${hi} }`);
  }

  let hasVmap = false;
  const ports = rng.next();
  if ((l4 === 'tcp' || l4 === 'udp' || l4 === 'both' || rng.chance(0.3)) && ports < 0.65) {
    const sel = l4 === 'tcp' || l4 === 'udp' ? `${l4} dport` : 'th dport';
    if (l4 === undefined && sel === 'th dport' && rng.chance(0.5)) {
      // `th dport` without a protocol: only port-carrying protocols have one.
      parts.push('meta l4proto { tcp, udp }');
      l4 = 'both';
    }
    const ne = rng.chance(0.15) ? '!= ' : '';
    const form = rng.next();
    const namedPorts = ctx.sets.filter((s) => s.kind === 'inet_service');
    const concat = rng.next();
    if (concat < 0.06 && (l4 === 'tcp' || l4 === 'udp') && ipCtx !== undefined) {
      // a concatenation of the source address and the port (set or verdict map)
      const addrs = rng.sample(CLIENT_ADDRS[ipCtx], rng.int(1, 3));
      // (one port per element: a prefix element overlapping another is refused, "Could not process rule: File exists")
      const ports = [...new Set(addrs.map(() => pickPort(rng)))];
      ctx.ports.add(...ports);
      const uniq = ports.map((p, k) => `${rng.chance(0.2) ? pickCidr(rng, ipCtx!) : addrs[k]} . ${p}`);
      if (rng.chance(0.7)) parts.push(`${addrKeyword(ipCtx)} saddr . ${sel} ${ne}{ ${uniq.join(', ')} }`);
      else {
        parts.push(`${addrKeyword(ipCtx)} saddr . ${sel} vmap { ${uniq.map((e) => `${e} : ${verdict(ctx, chainIdx, chainIdx >= 0)}`).join(', ')} }`);
        return parts.join(' ');
      }
    } else if (concat < 0.1 && l4 !== 'tcp' && l4 !== 'udp') {
      // the protocol and the port together
      const els = [...new Set(Array.from({ length: rng.int(1, 3) }, () => {
        const p = pickPort(rng);
        ctx.ports.add(p);
        return `${rng.pick(['tcp', 'udp'])} . ${p}`;
      }))];
      if (rng.chance(0.7)) parts.push(`meta l4proto . th dport ${ne}{ ${els.join(', ')} }`);
      else {
        parts.push(`meta l4proto . th dport vmap { ${els.map((e) => `${e} : ${verdict(ctx, chainIdx, chainIdx >= 0)}`).join(', ')} }`);
        return parts.join(' ');
      }
      l4 = 'both';
    } else if (concat < 0.16) {
      // a port list defined at the top of the file
      const name = `PORTS${ctx.defines.size + 1}`;
      ctx.defines.set(name, `{ ${disjointPorts(ctx, rng.int(1, 3)).join(', ')} }`);
      parts.push(`${sel} ${ne}$${name}`);
    } else if (form < 0.3) {
      const p = pickPort(rng);
      ctx.ports.add(p);
      parts.push(`${sel} ${ne}${p}`);
    } else if (form < 0.45) {
      const [lo, hi] = pickRange(rng);
      ctx.ports.add(lo, hi, lo - 1, hi + 1);
      parts.push(`${sel} ${ne}${lo}-${hi}`);
    } else if (form < 0.65) {
      parts.push(`${sel} ${ne}{ ${disjointPorts(ctx, rng.int(1, 4)).join(', ')} }`);
    } else if (form < 0.75 && namedPorts.length) {
      parts.push(`${sel} ${ne}@${rng.pick(namedPorts).name}`);
    } else if (form < 0.88 && ctx.maps.length) {
      parts.push(`${sel} vmap @${rng.pick(ctx.maps)}`);
      hasVmap = true;
    } else {
      const items = disjointPorts(ctx, rng.int(1, 4)).map((p) => `${p} : ${verdict(ctx, chainIdx, chainIdx >= 0)}`);
      parts.push(`${sel} vmap { ${items.join(', ')} }`);
      hasVmap = true;
    }
  } else if (l4 === undefined && rng.chance(0.02)) {
    // `tcp dport` alone implies the protocol.
    parts.push(`tcp dport { ${disjointPorts(ctx, 2).join(', ')} }`);
    l4 = 'tcp';
  } else if (l4 === undefined && rng.chance(0.05)) {
    const v = () => verdict(ctx, chainIdx, chainIdx >= 0);
    parts.push(rng.chance(0.5) ? `meta l4proto vmap { tcp : ${v()}, udp : ${v()} }` : `ct state vmap { established : accept, related : accept, new : ${v()}, invalid : drop }`);
    return parts.join(' ');
  }

  if (hasVmap) return parts.join(' ');
  if (rng.chance(0.1)) parts.push('counter');

  const t = rng.next();
  if (t < 0.07) {
    parts.push(`log prefix "fw ${rng.int(1, 99)} "`);
    return parts.join(' ');
  }
  if (t < 0.1) return [...parts, rng.chance(0.5) ? 'counter' : 'continue'].join(' ');
  if (t < 0.25) {
    const opts = ['reject'];
    const otherProto = parts.some((x) => /udp|l4proto \{|l4proto !=/.test(x));
    if (l4 === 'tcp' && !otherProto) opts.push('reject with tcp reset', 'reject with tcp reset');
    // nft puts a `meta l4proto tcp` before a TCP reset, and a `meta nfproto` before an icmp/icmpv6 reject in an inet
    // table, that its listing does not show: other packets go on to the next rule
    if (l4 === undefined && !otherProto && !parts.some((x) => x.includes('l4proto'))) opts.push('reject with tcp reset');
    if (tf === 'inet' && ipCtx === undefined) opts.push('reject with icmp type port-unreachable', 'reject with icmpv6 type admin-prohibited');
    // Not host-unreachable / no-route: the kernel sends them, but Linux treats them as soft errors
    // (no ECONNREFUSED on a connected UDP socket, TCP keeps retrying), so a client cannot see the reject.
    if (tf === 'inet') opts.push('reject with icmpx type port-unreachable', 'reject with icmpx type admin-prohibited');
    // (the types Linux reports to a connected socket as fatal: icmp_err_convert, icmpv6_err_convert)
    if (ipCtx === 'ipv4') opts.push('reject with icmp type port-unreachable', 'reject with icmp type host-prohibited', 'reject with icmp type prot-unreachable', 'reject with icmp type net-prohibited', 'reject with icmp type admin-prohibited');
    if (ipCtx === 'ipv6') opts.push('reject with icmpv6 type port-unreachable', 'reject with icmpv6 type admin-prohibited', 'reject with icmpv6 type policy-fail', 'reject with icmpv6 type reject-route');
    parts.push(rng.pick(opts));
    return parts.join(' ');
  }
  // (last, before a plain verdict: nft refuses an ip or ip6 test or a reject after it, "conflicting protocols specified:
  // unknown vs. ip", "cannot infer ICMP reject variant to use")
  if (rng.chance(0.05)) parts.push(rng.pick(['meta iiftype loopback', 'meta iiftype != loopback']));
  parts.push(verdict(ctx, chainIdx, chainIdx >= 0 || rng.chance(0.1)));
  return parts.join(' ');
}

/**
 * A prerouting chain before conntrack (raw, -250: `notrack` untracks, every packet's `ct state` reads
 * invalid) or after it (mangle: `notrack` does nothing). Only on eth0: a TCP handshake's later packets
 * from the client are treated alike, and the replies over lo (to lo probes) are left alone.
 */
function prerouting(ctx: TableCtx): string[] {
  const { rng } = ctx;
  // (the forward path: after conntrack only, see NftOptions.forward)
  const out = ['\tchain pre {', `\t\ttype filter hook prerouting priority ${ctx.forward ? rng.pick(['mangle', '-150', 'mangle + 5']) : rng.pick(['raw', '-250', 'mangle'])}; policy accept;`];
  for (let i = rng.int(1, 3); i > 0; i--) {
    const parts = ['iifname "eth0"'];
    if (rng.chance(0.8)) {
      const p = rng.pick(['tcp', 'udp']);
      if (rng.chance(0.8)) {
        const port = pickPort(rng);
        ctx.ports.add(port);
        parts.push(`${p} dport ${rng.chance(0.1) ? '!= ' : ''}${port}`);
      } else parts.push(`meta l4proto ${p}`);
    }
    if (rng.chance(0.2)) parts.push(rng.pick(['ct state invalid', 'ct state new', 'ct state untracked', 'ct state { invalid, untracked }']));
    // a mark set (before the verdict, or alone)
    const mark = rng.chance(0.3) ? rng.pick(['meta mark set 0x1', 'meta mark set 0x2', 'meta mark set 0x3', 'ct mark set 0x1', 'ct mark set meta mark', 'meta mark set ct mark', 'meta mark set meta mark | 0x10', 'meta mark set meta mark & 0x2', 'meta mark set mark xor 0x3', 'ct mark set ct mark | 0x2']) : undefined;
    if (mark) parts.push(mark);
    const t = rng.next();
    if (!(mark && t < 0.5)) parts.push(t < 0.6 ? 'notrack' : t < 0.7 ? 'notrack accept' : t < 0.85 ? 'drop' : 'accept');
    out.push(`\t\t${parts.join(' ')}`);
  }
  out.push('\t}');
  return out;
}

/**
 * A postrouting chain (the forward path: forwarded packets cross it after forward, the router's own replies and the
 * server's answers too): each rule tests `oifname "eth1"` (what goes towards the server) after an established accept,
 * so only a connection's first packet is judged, and drops or accepts it (no reject: the kernel refuses it on
 * postrouting). The TTL and hop limit there are one less than as sent.
 */
function postrouting(ctx: TableCtx, family: Family): string[] {
  const { rng } = ctx;
  const prio = rng.pick(['mangle', 'filter', 'srcnat - 5', '50', 'srcnat + 10', '300']);
  const out = ['\tchain post {', `\t\ttype filter hook postrouting priority ${prio}; policy accept;`, '\t\tct state established,related accept'];
  const fams = addrFamilies(ctx.tf).includes(family) ? [family] : addrFamilies(ctx.tf);
  for (let i = rng.int(1, 3); i > 0; i--) {
    const parts = [rng.pick(['oifname "eth1"', 'oif "eth1"', 'oifname "eth*"'])];
    const f = rng.pick(fams);
    const kw = addrKeyword(f);
    const t = rng.next();
    if (t < 0.3) {
      const p = rng.pick(['tcp', 'udp']);
      const port = pickPort(rng);
      ctx.ports.add(port);
      parts.push(`${p} dport ${rng.chance(0.15) ? '!= ' : ''}${port}`);
    } else if (t < 0.45) {
      const [lo, hi] = pickRange(rng);
      ctx.ports.add(lo, hi, lo - 1, hi + 1);
      parts.push(`meta l4proto { tcp, udp } th dport ${lo}-${hi}`);
    } else if (t < 0.6) parts.push(`${kw} saddr ${rng.chance(0.2) ? '!= ' : ''}${pickCidr(rng, f)}`);
    else if (t < 0.7) parts.push(`${kw} daddr ${rng.pick(SERVER_ADDRS[f])}`);
    else if (t < 0.82) parts.push(f === 'ipv4' ? rng.pick(['ip ttl 64', 'ip ttl 63', 'ip ttl != 63', 'ip ttl < 64']) : rng.pick(['ip6 hoplimit 64', 'ip6 hoplimit 63', 'ip6 hoplimit != 63', 'ip6 hoplimit < 64']));
    else if (t < 0.9) parts.push(rng.pick(['meta mark 0x1', 'meta mark != 0x1', 'ct mark 0x1', 'ct status dnat', 'ct state new', 'iifname "eth0"', 'iifname "lo"']));
    else parts.push(rng.pick(['meta l4proto udp', 'meta l4proto tcp', `meta l4proto ${f === 'ipv4' ? 'icmp' : 'ipv6-icmp'}`]));
    if (rng.chance(0.1)) parts.push('counter');
    parts.push(rng.chance(0.7) ? 'drop' : 'accept');
    out.push(`\t\t${parts.join(' ')}`);
  }
  out.push('\t}');
  return out;
}

/**
 * A nat table whose prerouting chain forwards a probed port (tests DNAT before filtering, as the iptables generator
 * does): DNAT to the address the packet was sent to, on another port or on its own (a DNAT that changes nothing sets
 * no `ct status dnat`), or REDIRECT. Only over eth0 (lo's packets never meet prerouting).
 */
function natTable(rng: Rng, family: Family, ports: PortBag, forward = false): string[] {
  const tf: TFamily = rng.pick(['inet', family === 'ipv4' ? 'ip' : 'ip6'] as const);
  const from = rng.pick([5002, 5003, 1767]);
  const to = rng.chance(0.25) ? from : rng.pick([22, 80, 1761, 5000]);
  ports.add(from, to);
  const p = rng.pick(['tcp', 'udp']);
  const a = rng.pick(SERVER_ADDRS[family]);
  const ip = family === 'ipv4' ? 'ip' : 'ip6';
  // (the forward path: sometimes to the server's other address, a port forward to another host)
  const ta = forward && rng.chance(0.4) ? rng.pick(SERVER_ADDRS[family]) : a;
  const target = family === 'ipv4' ? `${ta}:${to}` : `[${ta}]:${to}`;
  const iif = rng.chance(0.5) ? 'iifname "eth0" ' : '';
  const rule =
    forward || to === from || rng.chance(0.5)
      ? `${iif}${ip} daddr ${a} ${p} dport ${from} dnat ${tf === 'inet' ? `${ip} ` : ''}to ${target}`
      : `${iif}${p} dport ${from} redirect to :${to}`;
  return [`table ${tf} natx {`, '\tchain fwd_pre {', '\t\ttype nat hook prerouting priority dstnat; policy accept;', `\t\t${rule}`, '\t}', '}'];
}

const TABLE_NAMES = ['filter', 'fw', 'cft', 'edge'];
const USER_CHAINS = ['svc', 'cft_in', 'from_lan', 'lan', 'web'];

export interface NftOptions {
  /**
   * The forward path (NetnsLab's transparent topology): the base chains hook forward instead of input, every probe
   * comes from the client over eth0 and is routed on by eth1, and a connection's later packets are accepted first
   * (replies cross forward too). A prerouting chain only after conntrack (an untracked packet's reply is a new
   * connection that forward judges as such); a nat table only DNATs to the address the packet was sent to (a redirect
   * would send it to the router itself, where nothing listens); sometimes an input or output chain that forwarded
   * packets never meet.
   */
  forward?: boolean;
}

/** One random nft ruleset, probed with `family` packets. */
export function generateNft(seed: number, family: Family, nProbes = 20, opts: NftOptions = {}): GeneratedRuleset {
  const rng = new Rng(seed);
  const ports = new PortBag();
  const plan = planProbes(rng);
  const fwd = opts.forward === true;
  if (fwd) {
    plan.establishedFirst = true;
    plan.noLo = true;
  }
  const nTables = rng.weighted([
    [1, 5],
    [2, 3],
    [3, 1],
  ] as const);
  const nBase = Math.max(nTables, rng.int(1, 3));
  // One written form per priority value, then distinct values: equal priorities would leave the order to registration.
  const byValue = new Map<number, string[]>();
  for (const [text, v] of PRIORITIES) byValue.set(v, [...(byValue.get(v) ?? []), text]);
  const prios = rng.sample([...byValue.entries()].map(([v, texts]) => [rng.pick(texts), v] as const), nBase);
  const tableNames = rng.sample(TABLE_NAMES, nTables);
  const out: string[] = [`# seed ${seed} ${family}`];
  const pre = rng.chance(0.25);
  const defines = new Map<string, string>();
  let baseLeft = nBase;
  tableNames.forEach((tname, ti) => {
    // The first table always sees the probes' family.
    const tf: TFamily = ti === 0 ? (rng.chance(0.6) ? 'inet' : family === 'ipv4' ? 'ip' : 'ip6') : rng.pick(['inet', 'ip', 'ip6'] as const);
    // (a prerouting chain on the forward path runs after conntrack: its notrack does nothing, nothing is untracked)
    const ctx: TableCtx = { rng, tf, ports, userChains: rng.sample(USER_CHAINS, rng.int(0, 2)), sets: [], maps: [], flags: !pre || fwd, defines, forward: fwd };
    out.push(`table ${tf} ${tname} {`);
    for (const f of addrFamilies(tf)) {
      if (rng.chance(0.35)) {
        const name = f === 'ipv4' ? 'allowed4' : 'allowed6';
        ctx.sets.push({ name, kind: f === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr' });
        out.push(`\tset ${name} {`, `\t\ttype ${f === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'}`, '\t\tflags interval', `\t\telements = { ${disjointCidrs(rng, f, rng.int(1, 3)).join(', ')} }`, '\t}');
      }
    }
    // (in an inet table, where the update's family decides which packets the rule sees)
    if (tf === 'inet' && rng.chance(0.4)) {
      const f = rng.pick(['ipv4', 'ipv6'] as const);
      ctx.dynSet = { name: f === 'ipv4' ? 'seen4' : 'seen6', family: f };
      out.push(`\tset ${ctx.dynSet.name} {`, `\t\ttype ${f === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr'}`, '\t\tflags dynamic', '\t}');
    }
    if (rng.chance(0.35)) {
      ctx.sets.push({ name: 'svc_ports', kind: 'inet_service' });
      out.push('\tset svc_ports {', '\t\ttype inet_service', '\t\tflags interval', `\t\telements = { ${disjointPorts(ctx, rng.int(1, 4)).join(', ')} }`, '\t}');
    }
    if (rng.chance(0.25)) {
      ctx.maps.push('port_verdicts');
      // Only accept/drop: a jump from the map could loop back into a chain that uses the map.
      const items = disjointPorts(ctx, rng.int(1, 4)).map((p) => `${p} : ${verdict({ ...ctx, userChains: [] }, -1, false)}`);
      out.push('\tmap port_verdicts {', '\t\ttype inet_service : verdict', '\t\tflags interval', `\t\telements = { ${items.join(', ')} }`, '\t}');
    }
    ctx.userChains.forEach((c, ci) => {
      out.push(`\tchain ${c} {`);
      for (let i = rng.int(1, 4); i > 0; i--) out.push(`\t\t${rule(ctx, ci)}`);
      out.push('\t}');
    });
    const nHere = ti === tableNames.length - 1 ? baseLeft : rng.int(1, Math.max(1, baseLeft - (tableNames.length - 1 - ti)));
    baseLeft -= nHere;
    if (ti === 0 && pre) out.push(...prerouting(ctx));
    if (fwd && rng.chance(0.2)) out.push(...postrouting(ctx, family));
    for (let b = 0; b < nHere; b++) {
      const [prioText] = prios.pop() ?? ['filter'];
      const hook = fwd ? 'forward' : 'input';
      out.push(`\tchain ${hook}_${b} {`, `\t\ttype filter hook ${hook} priority ${prioText}; policy ${rng.chance(0.5) ? 'drop' : 'accept'};`);
      // See ProbePlan: later packets of a connection must not be what the client observes.
      if (plan.establishedFirst) out.push('\t\tct state established,related accept');
      for (let i = rng.int(1, 7); i > 0; i--) out.push(`\t\t${rule(ctx, -1)}`);
      out.push('\t}');
    }
    if (fwd && rng.chance(0.2)) {
      // a chain forwarded packets never cross: the router's own input, dropping what it does not accept (not its
      // output: the router's own rejects, ICMP errors and resets, leave through it)
      out.push('\tchain own_input {', '\t\ttype filter hook input priority filter; policy drop;');
      for (let i = rng.int(0, 2); i > 0; i--) out.push(`\t\t${rule(ctx, -1)}`);
      out.push('\t}');
    }
    out.push('}');
  });
  if (rng.chance(0.25)) out.push(...natTable(rng, family, ports, fwd));
  out.splice(1, 0, ...[...defines].map(([k, v]) => `define ${k} = ${v}`));
  // sometimes as nft commands (`add table`, `add chain … { type …; }`, `add rule …`), the form scripts write
  const text = rng.chance(0.2) ? flatten(out) : out;
  text.push('');
  const probes = makeProbes(rng, family, ports.ports, nProbes, plan);
  if (fwd) for (const p of probes) p.path = 'forward';
  return { seed, family, loader: 'nft', text: text.join('\n'), probes };
}

/** The block form above as one nft command per table, chain, set, element list and rule. */
function flatten(lines: string[]): string[] {
  const out: string[] = [];
  let table = '';
  let chain = '';
  let set: { kind: string; name: string; body: string[]; elements?: string } | undefined;
  const rules: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    let m: RegExpMatchArray | null;
    if (l.startsWith('#') || l.startsWith('define ') || l === '') out.push(l);
    else if ((m = /^table (\S+ \S+) \{$/.exec(l))) {
      table = m[1]!;
      out.push(`add table ${table}`);
    } else if ((m = /^(set|map) (\S+) \{$/.exec(l))) set = { kind: m[1]!, name: m[2]!, body: [] };
    else if (set && l === '}') {
      out.push(`add ${set.kind} ${table} ${set.name} { ${set.body.map((b) => `${b};`).join(' ')} }`);
      if (set.elements) out.push(`add element ${table} ${set.name} ${set.elements}`);
      set = undefined;
    } else if (set) {
      if (l.startsWith('elements = ')) set.elements = l.slice('elements = '.length);
      else set.body.push(l);
    } else if ((m = /^chain (\S+) \{$/.exec(l))) {
      chain = m[1]!;
      const next = lines[i + 1]?.trim() ?? '';
      if (next.startsWith('type ')) {
        out.push(`add chain ${table} ${chain} { ${next} }`);
        i++;
      } else out.push(`add chain ${table} ${chain}`);
    } else if (l === '}') {
      if (chain) chain = '';
      else {
        // (the rules after every chain of the table: a jump names a chain nft must know already)
        out.push(...rules.splice(0));
        table = '';
      }
    } else rules.push(`add rule ${table} ${chain} ${l}`);
  }
  return out;
}
