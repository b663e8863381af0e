/**
 * Random iptables-save / ip6tables-save rulesets (seeded, reproducible) for the
 * kernel differential test. Only deterministic matches: what the kernel does to
 * a NEW connection depends on the text and the packet alone.
 */
import { compareAddr } from './addr.js';
import { PortBag, makeProbes, pickCidr, pickPort, pickRange, planProbes, type GeneratedRuleset } from './common.js';
import { CLIENT_ADDRS, SERVER_ADDRS, type Family, type Probe } from './netns.js';
import { Rng } from './prng.js';

const CHAIN_NAMES = ['svc', 'CFT_IN', 'from-lan', 'LOGDROP', 'u4'];
const CT_SETS = ['NEW', 'ESTABLISHED,RELATED', 'INVALID', 'NEW,ESTABLISHED', 'RELATED', 'UNTRACKED', 'NEW,RELATED', 'DNAT', 'NEW,DNAT', 'SNAT', 'NEW,SNAT'];
const IFACES = ['lo', 'eth0', 'eth+', 'eth1', 'e+', 'veth+'];

interface Ctx {
  rng: Rng;
  family: Family;
  ports: PortBag;
  /** Names of all user chains, in creation order (jumps only go forward: no loops). */
  chains: string[];
  /**
   * TCP flags tests: only the SYN reaches them (TCP probes go to rulesets that accept established traffic
   * first), except with a raw table, whose untracked handshake ACKs would be judged by them too.
   */
  flags?: boolean;
  /**
   * The forward path: no `--dst-type` tests (a forwarded packet's destination is not this host's, and whether it is a
   * broadcast or anycast address elsewhere the text does not say: undecided by design).
   */
  forward?: boolean;
  /**
   * Conntrack original-tuple tests (--ctproto, --ctorig*): decided for NEW packets, so not with a raw table
   * (untracked packets) nor a REDIRECT of a probed port (the original destination is before it).
   */
  ctOrig?: boolean;
}

const TCP_FLAGS = ['--syn', '! --syn', '--tcp-flags SYN,ACK SYN', '--tcp-flags ALL NONE', '--tcp-flags FIN,SYN FIN,SYN', '! --tcp-flags SYN,RST RST', '--tcp-flags SYN,ACK,FIN,RST SYN', '--tcp-flags ACK ACK', '! --tcp-flags ALL SYN'];

/**
 * Service names /etc/services gives for TCP (iptables resolves them with getservbyname for the rule's protocol: Debian's
 * netbase lists ssh and http for tcp alone, and `-p udp --dport ssh` is refused).
 */
const SERVICES: Readonly<Record<number, readonly string[]>> = { 22: ['ssh'], 80: ['http', 'www'], 443: ['https'] };

function portText(rng: Rng, p: number, proto: string): string {
  const names = proto === 'tcp' ? SERVICES[p] : undefined;
  return names && rng.chance(0.4) ? rng.pick(names) : String(p);
}

/** A CIDR, sometimes with its length as a dotted netmask (`/255.255.255.0`), which iptables takes for IPv4. */
function withMask(rng: Rng, family: Family, cidr: string): string {
  const [a, l] = cidr.split('/') as [string, string];
  if (family !== 'ipv4' || l === undefined || !rng.chance(0.15)) return cidr;
  const n = Number(l);
  const m = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return `${a}/${[24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.')}`;
}

function neg(rng: Rng, p: number): string {
  return rng.chance(p) ? '! ' : '';
}

function rejectWith(ctx: Ctx, proto: string | undefined): string {
  const { rng, family } = ctx;
  const opts: string[] = [''];
  if (proto === 'tcp') opts.push(' --reject-with tcp-reset', ' --reject-with tcp-reset');
  // (the types Linux reports to a connected socket as fatal: icmp_err_convert; not net-/host-unreachable, no-route)
  if (family === 'ipv4') opts.push(' --reject-with icmp-port-unreachable', ' --reject-with icmp-host-prohibited', ' --reject-with icmp-admin-prohibited', ' --reject-with icmp-proto-unreachable', ' --reject-with icmp-net-prohibited');
  else opts.push(' --reject-with icmp6-port-unreachable', ' --reject-with icmp6-adm-prohibited');
  return `-j REJECT${rng.pick(opts)}`;
}

/** One `-A CHAIN …` line. `chainIndex` is -1 for INPUT, else the user chain's index. */
function rule(ctx: Ctx, chain: string, chainIndex: number): string {
  const { rng, family } = ctx;
  const parts: string[] = [`-A ${chain}`];
  let multiSrc = false;
  if (rng.chance(0.3)) {
    if (rng.chance(0.06)) {
      multiSrc = true;
      // iptables expands a list into one rule per address.
      parts.push(`-s ${pickCidr(rng, family)},${pickCidr(rng, family)}`);
    } else {
      const cidr = pickCidr(rng, family, { allowUnmasked: true, allowAll: true });
      // `! -s 0.0.0.0/0` is refused by the nf_tables backend (a negated zero-length prefix), `/0.0.0.0` too.
      parts.push(`${cidr.endsWith('/0') ? '' : neg(rng, 0.25)}-s ${withMask(rng, family, cidr)}`);
    }
  }
  if (rng.chance(0.1)) {
    const d = rng.chance(0.7) ? `${rng.pick(SERVER_ADDRS[family])}/${family === 'ipv4' ? 32 : 128}` : pickCidr(rng, family);
    // `!` is refused on -s/-d as soon as either holds several addresses.
    parts.push(`${multiSrc ? '' : neg(rng, 0.3)}-d ${d}`);
  }
  if (rng.chance(0.22)) parts.push(`${neg(rng, 0.3)}-i ${rng.pick(IFACES)}`);
  const protoRoll = rng.next();
  let proto: string | undefined;
  if (protoRoll < 0.3) proto = 'tcp';
  else if (protoRoll < 0.55) proto = 'udp';
  else if (protoRoll < 0.6) parts.push(`! -p ${rng.pick(['tcp', 'udp'])}`);
  else if (protoRoll < 0.65) {
    // ICMP, often with a type (the probes' echo request is type 8 / 128, code 0): names, numbers, type/code, `!`
    const v4 = family === 'ipv4';
    const p = v4 ? rng.pick(['icmp', 'icmp', '1']) : rng.pick(['ipv6-icmp', 'icmpv6', '58']);
    parts.push(`-p ${p}`);
    if (rng.chance(0.7)) {
      const types = v4
        ? ['echo-request', 'echo-request', '8', '8/0', '8/1', 'echo-reply', 'destination-unreachable', 'any', 'ping', 'time-exceeded']
        : ['echo-request', 'echo-request', '128', '128/0', '128/1', 'echo-reply', 'destination-unreachable', 'neighbour-solicitation', 'ping'];
      // (the match is loaded by the protocol's name; after a number it is named with -m)
      const m = /^\d/.test(p) || rng.chance(0.5) ? `-m ${v4 ? 'icmp' : 'icmp6'} ` : '';
      const t = rng.pick(types);
      // (not `! --icmp-type any`: iptables-nft leaves the test out, iptables-legacy matches nothing; undecided by design)
      parts.push(`${m}${t === 'any' ? '' : neg(rng, 0.2)}--${v4 ? 'icmp' : 'icmpv6'}-type ${t}`);
    }
  }
  if (proto) {
    // (numbers and upper case name the protocol too)
    const r = rng.next();
    parts.push(`-p ${r < 0.08 ? (proto === 'tcp' ? '6' : '17') : r < 0.12 ? proto.toUpperCase() : proto}`);
    const portRoll = rng.next();
    if (portRoll < 0.35) {
      const p = pickPort(rng);
      ctx.ports.add(p);
      parts.push(`${rng.chance(0.5) ? `-m ${proto} ` : ''}${neg(rng, 0.15)}--dport ${portText(rng, p, proto)}`);
    } else if (portRoll < 0.5) {
      const [lo, hi] = pickRange(rng);
      ctx.ports.add(lo, hi, lo - 1, hi + 1);
      // (an empty end is 0 or 65535, iptables-extensions(8))
      const r = rng.next();
      // (not `! --dport :65535`: iptables-nft leaves the test out, iptables-legacy matches no port; the engine says undecided)
      parts.push(`-m ${proto} ${r < 0.1 && hi === 65535 ? '' : neg(rng, 0.15)}--dport ${r < 0.1 ? `:${hi}` : r < 0.2 ? `${lo}:` : `${portText(rng, lo, proto)}:${hi}`}`);
    } else if (portRoll < 0.7) {
      const items: string[] = [];
      for (let i = rng.int(1, 4); i > 0; i--) {
        if (rng.chance(0.3)) {
          const [lo, hi] = pickRange(rng);
          ctx.ports.add(lo, hi);
          items.push(`${lo}:${hi}`);
        } else {
          const p = pickPort(rng);
          ctx.ports.add(p);
          items.push(portText(rng, p, proto));
        }
      }
      parts.push(`-m multiport ${neg(rng, 0.15)}--dports ${items.join(',')}`);
    }
    // source ports: the probes' are known (each binds the next one of 20000–60999)
    if (rng.chance(0.1)) {
      const lo = rng.int(20000, 55000);
      const hi = Math.min(65535, lo + rng.int(0, 15000));
      const form = rng.next();
      if (form < 0.5) parts.push(`-m ${proto} ${neg(rng, 0.2)}--sport ${lo}:${hi}`);
      else if (portRoll >= 0.5 && portRoll < 0.7) parts.push(`-m ${proto} --sport ${lo}:${hi}`);
      else if (form < 0.75) parts.push(`-m multiport ${neg(rng, 0.2)}--sports ${lo}:${hi},${rng.int(1, 19999)}`);
      else {
        // either port: the source range or a destination port of the ruleset
        const p = pickPort(rng);
        ctx.ports.add(p);
        parts.push(`-m multiport ${neg(rng, 0.2)}--ports ${lo}:${hi},${p}`);
      }
    }
    if (proto === 'tcp' && ctx.flags && rng.chance(0.2)) parts.push(`${rng.chance(0.5) ? '-m tcp ' : ''}${rng.pick(TCP_FLAGS)}`);
  }
  if (rng.chance(0.08)) {
    const [a, b] = rng.sample(CLIENT_ADDRS[family], 2).sort((x, y) => compareAddr(family, x, y));
    const both = rng.chance(0.2);
    const [c, d] = both ? rng.sample([...SERVER_ADDRS[family], ...CLIENT_ADDRS[family]], 2).sort((x, y) => compareAddr(family, x, y)) : ['', ''];
    parts.push(`-m iprange ${neg(rng, 0.25)}--src-range ${a}-${b}${both ? ` ${neg(rng, 0.25)}--dst-range ${c}-${d}` : ''}`);
  } else if (rng.chance(0.03)) {
    const [c, d] = rng.sample([...SERVER_ADDRS[family], ...CLIENT_ADDRS[family]], 2).sort((x, y) => compareAddr(family, x, y));
    parts.push(`-m iprange ${neg(rng, 0.25)}--dst-range ${c}-${d}`);
  }
  // link-layer and route types: every probe is unicast to an address of this host (pkttype host; addrtype LOCAL, which
  // ip6tables also calls UNICAST: its types are the address's kind and the route's, tested together)
  if (rng.chance(0.05)) parts.push(`-m pkttype ${neg(rng, 0.25)}--pkt-type ${rng.pick(['unicast', 'broadcast', 'multicast', 'host', 'otherhost'])}`);
  if (rng.chance(0.06)) {
    const types = rng.sample(ADDR_TYPES[family], rng.weighted([[1, 3], [2, 2], [3, 1]] as const)).join(',');
    if (!ctx.forward) parts.push(`-m addrtype ${neg(rng, 0.25)}--dst-type ${types}`);
  }
  // an unfragmented packet: `-f` (a later fragment) never holds
  if (family === 'ipv4' && rng.chance(0.03)) parts.push(`${neg(rng, 0.5)}-f`);
  if (rng.chance(0.22)) {
    const states = rng.pick(CT_SETS);
    // (-m state has no DNAT or SNAT state: iptables refuses them)
    parts.push(rng.chance(0.5) || states.includes('NAT') ? `-m conntrack ${neg(rng, 0.15)}--ctstate ${states}` : `-m state ${neg(rng, 0.15)}--state ${states}`);
  }
  // a connection's first packet is in the ORIGINAL direction (iptables refuses `! --ctdir`); an untracked one fails it,
  // unless the same -m conntrack tests --ctstate, which then decides alone
  if (rng.chance(0.04)) parts.push(`-m conntrack ${rng.chance(0.3) ? `--ctstate ${rng.pick(['UNTRACKED', 'NEW,UNTRACKED', 'INVALID'])} ` : ''}--ctdir ${rng.pick(['ORIGINAL', 'REPLY'])}`);
  if (ctx.ctOrig && rng.chance(0.1)) {
    const o = rng.next();
    const port = pickPort(rng);
    if (o < 0.4) ctx.ports.add(port);
    parts.push(
      o < 0.25
        ? `-m conntrack --ctproto ${proto ?? rng.pick(['tcp', 'udp'])} ${neg(rng, 0.2)}--ctorigdstport ${port}`
        : o < 0.4
          ? `-m conntrack ${neg(rng, 0.2)}--ctorigdstport ${port}`
          : o < 0.6
            ? `-m conntrack ${neg(rng, 0.2)}--ctproto ${rng.pick(['tcp', 'udp', 'icmp'])}`
            : o < 0.8
              ? `-m conntrack ${neg(rng, 0.2)}--ctorigsrc ${pickCidr(rng, family)}`
              : `-m conntrack ${neg(rng, 0.2)}--ctorigdst ${rng.pick(SERVER_ADDRS[family])}`,
    );
  }
  // tests of header fields the sender chooses: the probes are plain packets (TTL 64, 42–80 bytes, DSCP 0, no IPv6
  // extension headers); some tests every probe meets, some none (one that depends on the length stays undecided,
  // which this suite's deterministic rulesets leave out: test/analysis covers it)
  if (rng.chance(0.06)) parts.push(rng.pick(HEADER_TESTS[family]));
  // marks: what the mangle table's MARK/CONNMARK rules set (a probe arrives with both marks 0)
  if (rng.chance(0.1)) parts.push(rng.pick(MARK_TESTS));
  if (rng.chance(0.05)) parts.push(`-m comment --comment "rule ${rng.int(1, 99)}"`);

  const later = ctx.chains.slice(chainIndex + 1);
  const t = rng.next();
  if (t < 0.3) parts.push('-j ACCEPT');
  else if (t < 0.48) parts.push('-j DROP');
  else if (t < 0.62) parts.push(rejectWith(ctx, proto));
  else if (t < 0.69) parts.push(`-j LOG --log-prefix "fw ${chain} "`);
  else if (t < 0.82 && later.length > 0) parts.push(`-j ${rng.pick(later)}`);
  else if (t < 0.87 && later.length > 0) parts.push(`-g ${rng.pick(later)}`);
  else if (t < 0.93 && (chainIndex >= 0 || rng.chance(0.3))) parts.push('-j RETURN');
  else if (t < 0.95) {
    /* no target: counts and goes on */
  } else parts.push('-j ACCEPT');
  return parts.join(' ');
}

/** addrtype types each family's iptables takes (xt_addrtype refuses BROADCAST, BLACKHOLE, UNREACHABLE, PROHIBIT for IPv6). */
const ADDR_TYPES: Record<Family, readonly string[]> = {
  ipv4: ['LOCAL', 'LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST', 'UNSPEC', 'ANYCAST', 'BLACKHOLE'],
  ipv6: ['LOCAL', 'LOCAL', 'UNICAST', 'UNICAST', 'MULTICAST', 'UNSPEC', 'ANYCAST'],
};

const MARK_TESTS: readonly string[] = [
  '-m mark --mark 0x1', '-m mark ! --mark 0x1', '-m mark --mark 0x0', '-m mark --mark 0x1/0x1', '-m mark --mark 0x2/0x2', '-m mark ! --mark 0x0/0xff',
  '-m mark --mark 0x5', '-m connmark --mark 0x1', '-m connmark ! --mark 0x0', '-m connmark --mark 0x2/0x2',
];
/** What the mangle table does to marks (`-j MARK …`, `-j CONNMARK …`). */
const MARK_CHANGES: readonly string[] = [
  '-j MARK --set-mark 0x1', '-j MARK --set-xmark 0x2/0xff', '-j MARK --or-mark 0x4', '-j MARK --and-mark 0x2', '-j MARK --xor-mark 0x1',
  '-j MARK --set-mark 0x1/0x1', '-j CONNMARK --set-mark 0x1', '-j CONNMARK --set-xmark 0x2/0x2', '-j CONNMARK --save-mark',
  '-j CONNMARK --restore-mark', '-j CONNMARK --save-mark --mask 0x2', '-j CONNMARK --or-mark 0x2',
];

const HEADER_TESTS: Record<Family, readonly string[]> = {
  ipv4: [
    '-m ttl --ttl-gt 100', '-m ttl --ttl-lt 5', '-m ttl --ttl-eq 64', '-m ttl ! --ttl-eq 64', '-m length --length 1000:65535', '-m length --length 0:20',
    '-m length --length 0:1500', '-m length ! --length 0:1500', '-m dscp --dscp 0x0a', '-m dscp ! --dscp 0',
    '-m dscp --dscp-class BE', '-m tos --tos 0x10/0x3f', '-m tos --tos Normal-Service',
  ],
  ipv6: [
    '-m hl --hl-gt 100', '-m hl --hl-lt 5', '-m hl --hl-eq 64', '-m length --length 1000:65535', '-m length --length 0:1500',
    '-m dscp --dscp 0x0a', '-m dscp ! --dscp 0', '-m rt --rt-type 0', '-m frag --fragmore', '-m hbh', '-m dst --dst-len 8',
  ],
};

export interface IptablesOptions {
  /** Generate a nat table that redirects (REDIRECT, or DNAT to the address sent to) a probed port (tests DNAT-before-filter). Default true. */
  natRedirect?: boolean;
  /** Generate a raw table (NOTRACK, CT --notrack, drops before conntrack). Default true. */
  raw?: boolean;
  /**
   * The forward path (NetnsLab's transparent topology): the filter rules go to FORWARD (mangle's to FORWARD too), every
   * probe comes from the client over eth0, and a connection's later packets are let in first (they cross FORWARD too).
   * No nat table sends a probed port to the router itself (nothing listens there).
   */
  forward?: boolean;
}

/** One random ruleset for `family` with its probes. */
export function generateIptables(seed: number, family: Family, nProbes = 20, opts: IptablesOptions = {}): GeneratedRuleset {
  const rng = new Rng(seed);
  const ctx: Ctx = { rng, family, ports: new PortBag(), chains: rng.sample(CHAIN_NAMES, rng.int(0, 3)), forward: opts.forward === true };
  const plan = planProbes(rng);
  const fwd = opts.forward === true;
  // the chain the probes cross: INPUT, or FORWARD on the forward path
  const HOOK = fwd ? 'FORWARD' : 'INPUT';
  if (fwd) {
    plan.establishedFirst = true;
    plan.noLo = true;
    // (and no raw table: the reply to an untracked packet is a new connection for conntrack, which FORWARD judges as
    // such — `--ctdir ORIGINAL`, NEW — where the host path's replies only cross OUTPUT)
    opts = { ...opts, natRedirect: false, raw: false };
  }
  const establishedFirst = `-A ${HOOK} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`;
  const out: string[] = [`# seed ${seed} ${family}`];

  const raw = opts.raw !== false && rng.chance(0.2);
  let redirected = false;
  let loProbe: Probe | undefined;
  let natTo: number | undefined;
  if (raw) {
    // raw (priority -300, before conntrack): NOTRACK takes packets out of conntrack (`--ctstate UNTRACKED`
    // matches them, NEW does not, nat never sees them); every packet's state reads INVALID there.
    // Only on eth0: a TCP handshake's later packets from the client are untracked alike, and the
    // replies over lo (to lo probes) are left alone.
    out.push('*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]');
    const sub = rng.chance(0.3) ? 'RAWC' : undefined;
    if (sub) out.push(`:${sub} - [0:0]`);
    const rawRule = (chain: string, jump: boolean): string => {
      const parts = [`-A ${chain} -i eth0`];
      if (rng.chance(0.2)) parts.push(`-s ${pickCidr(rng, family)}`);
      if (rng.chance(0.8)) {
        const p = rng.pick(['tcp', 'udp']);
        parts.push(`-p ${p}`);
        if (rng.chance(0.8)) {
          const port = pickPort(rng);
          ctx.ports.add(port);
          parts.push(`-m ${p} ${neg(rng, 0.1)}--dport ${port}`);
        }
      }
      if (rng.chance(0.2)) parts.push(`-m conntrack --ctstate ${rng.pick(['INVALID', 'NEW', 'UNTRACKED', 'INVALID,UNTRACKED'])}`);
      const t = rng.next();
      parts.push(jump && t < 0.25 ? `-j ${sub}` : t < 0.55 ? '-j NOTRACK' : t < 0.8 ? '-j CT --notrack' : t < 0.9 ? '-j DROP' : '-j ACCEPT');
      return parts.join(' ');
    };
    for (let i = rng.int(1, 3); i > 0; i--) out.push(rawRule('PREROUTING', sub !== undefined));
    if (sub) for (let i = rng.int(1, 3); i > 0; i--) out.push(rawRule(sub, false));
    out.push('COMMIT');
  }

  if (rng.chance(0.25)) {
    // mangle: another base chain on the path (PREROUTING -150 / INPUT -150) that can drop.
    const manglePolicy = rng.chance(0.1) ? 'DROP' : 'ACCEPT';
    out.push('*mangle', ':PREROUTING ACCEPT [0:0]', `:INPUT ${fwd ? 'ACCEPT' : manglePolicy} [0:0]`, `:FORWARD ${fwd ? manglePolicy : 'ACCEPT'} [0:0]`, ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]');
    if (plan.establishedFirst) out.push('-A PREROUTING -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', establishedFirst);
    for (let i = rng.int(1, 4); i > 0; i--) {
      const chain = rng.pick(['PREROUTING', HOOK]);
      const r = rule({ ...ctx, chains: [] }, chain, -1).replace(/ -j (LOG --log-prefix "[^"]*"|REJECT.*)$/, ` ${rng.pick(MARK_CHANGES)}`);
      out.push(r);
    }
    out.push('COMMIT');
  }

  if (rng.chance(0.25)) {
    out.push('*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]');
    // Never on probed ports: the answer must not depend on address translation unless asked for.
    out.push(`-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports ${rng.pick([80, 443])}`);
    if (rng.chance(0.5)) out.push(`-A PREROUTING -s ${pickCidr(rng, family)} -j ${rng.pick(['ACCEPT', 'RETURN'])}`);
    if (opts.natRedirect !== false && rng.chance(0.3)) {
      redirected = true;
      const from = rng.pick([5002, 5003, 1767]);
      // (sometimes to the port and address the packet has: a DNAT that changes nothing sets no DNAT status)
      const to = rng.chance(0.2) ? from : rng.pick([22, 80, 1761, 5000]);
      ctx.ports.add(from, to);
      const p = rng.pick(['tcp', 'udp']);
      // (without -i eth0 too: packets over lo, sent by this host, never meet nat PREROUTING)
      const iif = rng.chance(0.5) ? '-i eth0 ' : '';
      const a = rng.pick(SERVER_ADDRS[family]);
      const to6 = `${family === 'ipv4' ? a : `[${a}]`}:${to}`;
      if (to === from || rng.chance(0.4)) {
        // DNAT to the address the packet was sent to (a port forward on the host itself): still delivered to INPUT
        out.push(`-A PREROUTING -d ${a}/${family === 'ipv4' ? 32 : 128} ${iif}-p ${p} -m ${p} --dport ${from} -j DNAT --to-destination ${to6}`);
      } else out.push(`-A PREROUTING ${iif}-p ${p} -m ${p} --dport ${from} -j REDIRECT --to-ports ${to}`);
      // what translates the packets over lo: nat OUTPUT
      if (rng.chance(0.3)) out.push(`-A OUTPUT -d ${a}/${family === 'ipv4' ? 32 : 128} -p ${p} -m ${p} --dport ${from} -j DNAT --to-destination ${to6}`);
      // one packet over lo to the translated port (lo probes need the established accept first, see ProbePlan)
      if (plan.establishedFirst) {
        loProbe = { family, proto: p as 'tcp' | 'udp', src: a, dst: a, dport: from, iif: 'lo' };
        natTo = to;
      }
    }
    // (not with a raw table: the reply to an untracked packet is a new connection for conntrack, which
    // MASQUERADE would give eth0's primary address: the client's connected socket ignores it)
    if (!raw) out.push('-A POSTROUTING -o eth0 -j MASQUERADE');
    out.push('COMMIT');
  }

  ctx.flags = !raw;
  ctx.ctOrig = !raw && !redirected;
  out.push('*filter', `:INPUT ${rng.chance(0.5) ? 'DROP' : 'ACCEPT'} [0:0]`, `:FORWARD ${rng.pick(['ACCEPT', 'DROP'])} [0:0]`, ':OUTPUT ACCEPT [0:0]');
  if (fwd) out[out.length - 3] = ':INPUT ACCEPT [0:0]';
  for (const c of ctx.chains) out.push(`:${c} - [0:0]`);
  // See ProbePlan: later packets of a connection must not be what the client observes.
  if (plan.establishedFirst) out.push(establishedFirst);
  if (loProbe && natTo !== undefined) {
    // the translated port and the original one decided apart: which one INPUT sees shows where the NAT happened
    const [acc, drop] = rng.chance(0.5) ? [natTo, loProbe.dport] : [loProbe.dport, natTo];
    out.push(`-A INPUT -p ${loProbe.proto} -m ${loProbe.proto} --dport ${acc} -j ACCEPT`, `-A INPUT -p ${loProbe.proto} -m ${loProbe.proto} --dport ${drop} -j DROP`);
  }
  for (let i = rng.int(2, 9); i > 0; i--) out.push(rule(ctx, HOOK, -1));
  ctx.chains.forEach((c, idx) => {
    for (let i = rng.int(1, 5); i > 0; i--) out.push(rule(ctx, c, idx));
  });
  out.push('COMMIT', '');
  const text = out.join('\n');
  const probes = makeProbes(rng, family, ctx.ports.ports, nProbes, plan);
  if (fwd) for (const p of probes) p.path = 'forward';
  const lp = loProbe;
  if (lp && !probes.some((q) => q.iif === 'lo' && q.proto === lp.proto && q.src === lp.src && q.dst === lp.dst && q.dport === lp.dport)) probes[probes.length - 1] = lp;
  return { seed, family, loader: family === 'ipv4' ? 'iptables' : 'ip6tables', text, probes };
}
