import type { Rule } from 'eslint';
import { describePorts, SENSITIVE_PORTS } from '../src/catalog/index.js';
import type { Exposure, ExposureEntry, Reason } from '../src/analysis/types.js';
import { analyse, exposedPieces, type FileAnalysis, oncePerFile, reachedPorts, reachesPorts, type ExposedPiece } from '../src/eslint/analysis.js';
import { certaintyTitle, describeSources, viaInterfaces, docsUrl, groupByResponsible, report, unexplainedPorts } from '../src/eslint/rule-kit.js';
import { AddrSet, IntervalSet, numSetOf, parseCidr, type Family, type NumSet, type Rule as ModelRule } from '../src/model/index.js';

interface Options {
  tcp: number[];
  udp: number[];
}

/**
 * Sources no packet from outside has: the kernel drops them as martians before INPUT and FORWARD (IPv4:
 * ip_route_input_slow — multicast and limited-broadcast sources, 0.0.0.0/8, 127.0.0.0/8 on any interface but lo;
 * IPv6: ip6_rcv_core, before netfilter — multicast and ::1 sources; :: is no host's).
 */
const NEVER_FROM_OUTSIDE = ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/4', '255.255.255.255/32', '::/128', '::1/128', 'ff00::/8'];
/**
 * Addresses that are no part of the internet (IANA special-purpose address registries, RFC 6890: not globally
 * reachable): private networks, shared address space, link-local, documentation, benchmarking, reserved; for IPv6
 * everything outside global unicast 2000::/3, and the documentation prefix.
 */
const NOT_GLOBAL = [
  '10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15',
  '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '::/3', '4000::/2', '8000::/1', '2001:db8::/32',
];
/** The internet's addresses: what a packet from outside may come from, less what is not globally reachable. */
const INTERNET = AddrSet.all().subtract(AddrSet.unionAll([...NEVER_FROM_OUTSIDE, ...NOT_GLOBAL].map((c) => parseCidr(c)!)));

/** AddrSet.count as a float, from the bounds: cheap, for the screens below (within 1e-15 of it). */
function approxCount(set: AddrSet, family: Family): number {
  let n = 0;
  if (family === 'ipv4') {
    const b = set.v4.bounds;
    for (let i = 0; i + 1 < b.length; i += 2) n += b[i + 1]! - b[i]!;
  } else {
    const b = set.v6.bounds;
    for (let i = 0; i + 1 < b.length; i += 2) n += Number(b[i + 1]! - b[i]!);
  }
  return n;
}

/**
 * Of the internet's addresses, how many the sources may miss and still be "the whole internet": 1/256 of them (about
 * a /8's worth of IPv4). An accept after a deny list — fail2ban's bans, CSF's deny file, a drop of a few networks or
 * of private and bogon sources (anti-spoofing) — still opens the port to the internet.
 */
const ALLOWED_MISSING = { ipv4: INTERNET.count('ipv4') / 256n, ipv6: INTERNET.count('ipv6') / 256n };
/**
 * Fewer addresses than this cannot be the whole internet (what it must hold at least, less a margin for the floats):
 * most sources — one address, one network — are told apart by their size alone.
 */
const AT_LEAST = {
  ipv4: Number(INTERNET.count('ipv4') - ALLOWED_MISSING.ipv4) * (1 - 1e-9),
  ipv6: Number(INTERNET.count('ipv6') - ALLOWED_MISSING.ipv6) * (1 - 1e-9),
};

/** Whether sources are the whole internet of a family: all of its addresses but at most ALLOWED_MISSING. */
function wholeInternet(sources: AddrSet, family: Family): boolean {
  if (sources.coversAll(family)) return true;
  if (approxCount(sources, family) < AT_LEAST[family]) return false;
  return INTERNET.only(family).subtract(sources).count(family) <= ALLOWED_MISSING[family];
}

/** Whether the union of sources is the whole internet of a family. */
function unionWholeInternet(sources: AddrSet[], family: Family): boolean {
  return AddrSet.unionCoversAll(sources, family) || wholeInternet(AddrSet.unionAll(sources), family);
}

/**
 * Ports of the query that the union of all pieces of one family reaches from
 * every address of that family: several rules (0.0.0.0/1 at one line,
 * 128.0.0.0/1 at another) together make the whole internet. `pieces` carry
 * their share of `ports` (never empty).
 */
function worldPorts(pieces: ExposedPiece[], family: Family, ports: NumSet): NumSet {
  const same = pieces.filter((p) => p.entry.family === family);
  let world = IntervalSet.empty<number>();
  for (const p of same) if (wholeInternet(p.entry.sources, family)) world = world.union(p.ports);
  const rest = ports.subtract(world);
  if (rest.isEmpty) return world;
  if (!unionWholeInternet(same.map((p) => p.entry.sources), family)) return world;
  // sweep the remaining ports over the pieces' port boundaries
  const cuts = new Set<number>();
  for (const p of same) for (const [lo, hi] of p.ports.intersect(rest).ranges()) cuts.add(lo).add(hi);
  const points = [...cuts].sort((x, y) => x - y);
  // (the caller made pieces only for the ports where their sources' sizes can add up to the whole internet)
  for (let i = 0; i + 1 < points.length; i++) {
    const lo = points[i]!;
    const hi = points[i + 1]!;
    if (!rest.has(lo)) continue;
    const u = AddrSet.unionAll(same.filter((p) => p.ports.has(lo)).map((p) => p.entry.sources));
    if (wholeInternet(u, family)) world = world.union(IntervalSet.range(lo, hi).intersect(rest));
  }
  return world;
}

/**
 * The world-open ports of each family among the entries of `protocol` that reach `set` (worldPorts of their pieces),
 * read from the entries: the pieces of a family are made only for the ports where the sizes of its entries' sources
 * add up to the whole internet, and swept there. The usual answer is nothing, and a piece per entry was 13 MB of
 * garbage on 100k rules (as was the union of their sources: 50k intervals on the host bench file).
 */
function worldByFamily(exposure: Exposure, protocol: number, set: NumSet, onlyOpen: boolean): Map<Family, NumSet> {
  const seen = new Map<Family, { world: NumSet }>();
  // an indexed loop: the iterator protocol made a result object per entry (6 MB on 80k entries)
  const entries = exposure.entries;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (!e.protocols.has(protocol)) continue;
    if (onlyOpen && e.certainty !== 'open') continue;
    // whether it reaches the set, without making the ports it reaches: only an entry open to the whole family needs them
    if (!reachesPorts(e.dports, set)) continue;
    let f = seen.get(e.family);
    if (!f) seen.set(e.family, (f = { world: IntervalSet.empty<number>() }));
    if (wholeInternet(e.sources, e.family)) f.world = f.world.union(reachedPorts(e.dports, set)!);
  }
  const out = new Map<Family, NumSet>();
  for (const [family, f] of seen) {
    if (set.subtract(f.world).isEmpty) {
      out.set(family, f.world);
      continue;
    }
    // the ports several entries may make world-open together: where the sizes of their sources add up to the whole
    // internet (a bound of their union's size, by port, over the entries' whole port sets); the pieces are made for
    // those ports only (a host firewall's tens of thousands of one-address accepts reach none of them)
    // (the sizes' total first: most rulesets' partial sources add up to far less than the internet; then a sweep
    // over the entries' port bounds — a difference array over the 65,536 ports for many entries, their sorted
    // bounds for a few: a security group has a handful, and a document thousands of groups)
    const take = (e: ExposureEntry): boolean => e.family === family && e.protocols.has(protocol) && (!onlyOpen || e.certainty === 'open');
    let total = 0;
    let ranges = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (!take(e)) continue;
      total += approxCount(e.sources, family);
      ranges += e.dports.bounds.length >> 1;
    }
    const enough: number[] = [];
    const extend = (port: number, next: number): void => {
      if (enough.length > 0 && enough[enough.length - 1] === port) enough[enough.length - 1] = next;
      else enough.push(port, next);
    };
    if (total >= AT_LEAST[family] && ranges > 4096) {
      const delta = new Float64Array(65537);
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (!take(e)) continue;
        const size = approxCount(e.sources, family);
        const b = e.dports.bounds;
        for (let k = 0; k + 1 < b.length; k += 2) {
          delta[b[k]!]! += size;
          delta[b[k + 1]!]! -= size;
        }
      }
      let sum = 0;
      for (let port = 0; port <= 65535; port++) {
        sum += delta[port]!;
        if (sum >= AT_LEAST[family]) extend(port, port + 1);
      }
    } else if (total >= AT_LEAST[family]) {
      const at: number[] = [];
      const by: number[] = [];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (!take(e)) continue;
        const size = approxCount(e.sources, family);
        const b = e.dports.bounds;
        for (let k = 0; k + 1 < b.length; k += 2) at.push(b[k]!, b[k + 1]!), by.push(size, -size);
      }
      const order = Array.from({ length: at.length }, (_, k) => k).sort((x, y) => at[x]! - at[y]!);
      let sum = 0;
      for (let k = 0; k < order.length; k++) {
        sum += by[order[k]!]!;
        const port = at[order[k]!]!;
        const next = k + 1 < order.length ? at[order[k + 1]!]! : 65536;
        // (the sum holds from this bound to the next one)
        if (next > port && sum >= AT_LEAST[family]) extend(port, next);
      }
    }
    const candidates = IntervalSet.fromBounds(enough).intersect(set).subtract(f.world);
    if (candidates.isEmpty) {
      out.set(family, f.world);
      continue;
    }
    const pieces = exposedPieces(exposure, protocol, candidates).filter((p) => p.entry.family === family && (!onlyOpen || p.entry.certainty === 'open'));
    out.set(family, f.world.union(worldPorts(pieces, family, candidates)));
  }
  return out;
}

/**
 * Why a port is only possibly world-open: the reasons of the possibly-open entries of the same family and
 * protocol that reach the pieces' ports (what completes the whole internet for them).
 */
function possiblyReasons(exposure: Exposure, pieces: ExposedPiece[]): Reason[] {
  const out: Reason[] = [];
  for (const e of exposure.entries) {
    if (e.certainty === 'open') continue;
    if (!pieces.some((p) => p.entry.family === e.family && e.protocols.has(p.protocol) && reachesPorts(e.dports, p.ports))) continue;
    for (const r of e.reasons) if (!out.some((x) => x.message === r.message)) out.push(r);
  }
  return out;
}

function portSet(ports: Iterable<number>): NumSet {
  return numSetOf([...ports].map((p) => [p, p] as const));
}

/** The options, one schema per option (ESLint's array form): the rule's `meta.schema`. */
export const OPTIONS_SCHEMA: readonly object[] = [
  {
    type: 'object',
    properties: {
      tcp: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 65535 } },
      udp: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
    additionalProperties: false,
  },
];

/**
 * Sensitive ports (by default KICS's 63 TCP + 13 UDP list) reachable from the
 * whole IPv4 or IPv6 internet, computed with CIDR arithmetic: 0.0.0.0/1 plus
 * 128.0.0.0/1 is the whole internet too.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow sensitive ports (SSH, RDP, databases, …) reachable from the whole internet',
      recommended: true,
      url: docsUrl('no-world-open-sensitive-ports'),
    },
    hasSuggestions: true,
    schema: OPTIONS_SCHEMA as Rule.RuleMetaData['schema'],
    // KICS's lists; a list given replaces its default (ESLint merges objects, not arrays)
    defaultOptions: [{ tcp: [...SENSITIVE_PORTS.tcp.keys()], udp: [...SENSITIVE_PORTS.udp.keys()] }],
    // one placeholder: the rule writes the text itself (the wording is in its report call). ESLint's placeholder
    // replacement, five placeholders per finding, cost more time and garbage than the finding on files with 40k findings
    messages: {
      worldOpen: '{{message}}',
    },
  },
  create(context) {
    const opts = context.options[0] as Options;
    const lists: [number, NumSet][] = [
      [6, portSet(opts.tcp)],
      [17, portSet(opts.udp)],
    ];
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      for (const ruleset of a.document.rulesets) {
        const exposure = fromOutside(a.exposure(ruleset, 'input'));
        const targets = a.targets(ruleset);
        judge(context, a, exposure, lists, targets);
        // A port published through DNAT to a sensitive one (`--dport 13306 -j DNAT --to-destination 172.17.0.2:3306`)
        // exposes that service on the public port: judged per DNAT rule, on its entries alone (the host's own
        // port 13306 is another service), for the public ports the list does not already hold
        const byDnat = new Map<ModelRule, ExposureEntry[]>();
        const all = exposure.entries;
        for (let i = 0; i < all.length; i++) {
          const e = all[i]!;
          const act = e.via?.rule.action;
          if (act?.kind !== 'nat' || !act.toPorts) continue;
          let l = byDnat.get(e.via!.rule);
          if (!l) byDnat.set(e.via!.rule, (l = []));
          l.push(e);
        }
        for (const [dnat, entries] of byDnat) {
          const to = (dnat.action as { toPorts: NumSet }).toPorts;
          const published: [number, NumSet][] = [];
          for (const [protocol, set] of lists) {
            if (to.intersect(set).isEmpty) continue;
            let ports = IntervalSet.empty<number>();
            for (const e of entries) if (e.protocols.has(protocol)) ports = ports.union(e.dports);
            ports = ports.subtract(set);
            if (!ports.isEmpty) published.push([protocol, ports]);
          }
          if (published.length > 0) judge(context, a, { ...exposure, entries }, published, targets);
        }
      }
    });
  },
};

/**
 * The exposure less what a NAT takes only when sent to a loopback address (Docker's `-p 127.0.0.1:5432:5432`): hosts
 * on this host's links can send such packets, routers do not forward them from the internet (ExposureEntry.via).
 */
function fromOutside(exposure: Exposure): Exposure {
  const all = exposure.entries;
  let i = 0;
  while (i < all.length && all[i]!.via?.loopback === undefined) i++;
  return i === all.length ? exposure : { ...exposure, entries: all.filter((e) => e.via?.loopback === undefined) };
}

/** Report the ports of `lists` that `exposure` opens to the whole internet, one finding per responsible line. */
function judge(context: Rule.RuleContext, a: FileAnalysis, exposure: Exposure, lists: readonly [number, NumSet][], targets: string[]): void {
  // pieces whose port is world-open only with possibly-open entries' help are possibly world-open, whatever
  // their own certainty: they are grouped apart, so that a line is never said to open to the whole internet
  // what only "possibly open" rules elsewhere complete
  const pieces: ExposedPiece[] = [];
  const possibly: ExposedPiece[] = [];
  for (const [protocol, set] of lists) {
    // world-open is a property of each port (the entries holding it together cover the family),
    // so one sweep per family serves every entry: its share is its own ports of that set
    const perFamily = worldByFamily(exposure, protocol, set, false);
    if ([...perFamily.values()].every((w) => w.isEmpty)) continue; // nothing is world-open: the usual case
    let surely: Map<Family, NumSet> | undefined;
    // (only the pieces that reach a world-open port: the others are passed over below)
    const anyWorld = [...perFamily.values()].reduce((u, w) => u.union(w), IntervalSet.empty<number>());
    for (const piece of exposedPieces(exposure, protocol, anyWorld)) {
      const all = perFamily.get(piece.entry.family)!;
      if (all.isEmpty) continue;
      // a line that admits only named sources (an Azure service tag, a security group), or only addresses that are
      // no part of the internet (a trusted LAN, 192.168.1.0/24), opens nothing to the internet itself, whatever other
      // lines do
      if (piece.entry.sources.isEmpty || piece.entry.sources.intersect(INTERNET).isEmpty) continue;
      const world = all.intersect(piece.ports);
      if (world.isEmpty) continue;
      if (piece.entry.certainty !== 'open') {
        pieces.push({ entry: piece.entry, protocol, ports: world });
        continue;
      }
      surely ??= worldByFamily(exposure, protocol, set, true);
      const sure = world.intersect(surely.get(piece.entry.family) ?? IntervalSet.empty<number>());
      if (!sure.isEmpty) pieces.push({ entry: piece.entry, protocol, ports: sure });
      const rest = world.subtract(sure);
      if (!rest.isEmpty) possibly.push({ entry: piece.entry, protocol, ports: rest });
    }
  }
  if (possibly.length > 0) {
    // a certain entry's share that only undecided entries make world-open: as a possibly open entry, with their
    // reasons (it joins the line's possibly open finding; groupByResponsible keeps certainties apart)
    const reasons = possiblyReasons(exposure, possibly);
    for (const p of possibly) pieces.push({ ...p, entry: { ...p.entry, certainty: 'possibly-open', reasons } });
  }
  for (const g of groupByResponsible(pieces)) {
    const ports = [...g.ports]
      .map(([p, s]) => [p, unexplainedPorts(a, targets, p, s, g.sources)] as const)
      .filter(([, s]) => !s.isEmpty)
      .map(([p, s]) => describePorts(p, s))
      .join('; ');
    if (ports === '') continue;
    report(context, a, g.span, g.ruleId, {
      messageId: 'worldOpen',
      data: {
        message: `${certaintyTitle(g)}: ${ports} reachable from the whole internet (${describeSources(g.sources)}${viaInterfaces(g.interfaces)}${
          wholeInternet(g.sources, 'ipv4') || wholeInternet(g.sources, 'ipv6') ? '' : ' here, the rest through other rules'
        })${g.via ? `, ${g.via}` : ''}.`,
      },
    }, { ports: g.ports, sources: g.sources });
  }
}

export default rule;
