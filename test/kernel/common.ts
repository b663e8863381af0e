/** Pieces shared by the iptables and nftables generators: address/port choices and probe lists. */
import { bits, maskAddr } from './addr.js';
import { CLIENT_ADDRS, LOOPBACK, PORT_POOL, SERVER_ADDRS, type Family, type Probe } from './netns.js';
import type { Rng } from './prng.js';

/** Addresses that never appear on the link: CIDRs that match no probe. */
const FOREIGN: Record<Family, readonly string[]> = {
  ipv4: ['198.51.100.0', '203.0.113.64', '10.201.0.0', '172.16.0.0'],
  ipv6: ['2001:db8::', 'fd00:202::', 'fd00:200:1::', 'fe80::'],
};

/**
 * A CIDR around one client address (so it includes some clients and excludes
 * others), sometimes a foreign one or the whole space. `masked` false keeps host
 * bits set (iptables masks them itself).
 */
export function pickCidr(rng: Rng, family: Family, opts: { allowUnmasked?: boolean; allowAll?: boolean } = {}): string {
  const r = rng.next();
  if (opts.allowAll && r < 0.05) return family === 'ipv4' ? '0.0.0.0/0' : '::/0';
  if (r < 0.15) {
    const base = rng.pick(FOREIGN[family]);
    const len = family === 'ipv4' ? rng.pick([16, 24, 26]) : rng.pick([32, 48, 64]);
    return `${maskAddr(family, base, len)}/${len}`;
  }
  const a = rng.pick(CLIENT_ADDRS[family]);
  const lens = family === 'ipv4' ? [8, 16, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 32] : [16, 32, 48, 63, 64, 65, 96, 112, 120, 124, 126, 127, 128, 128];
  const len = rng.pick(lens);
  if (opts.allowUnmasked && len < bits(family) && rng.chance(0.1)) return `${a}/${len}`;
  return `${maskAddr(family, a, len)}/${len}`;
}

/** Ports a generated ruleset mentions: probes aim at them so rules are actually hit. */
export class PortBag {
  readonly ports = new Set<number>();
  add(...ps: number[]): void {
    for (const p of ps) if (PORT_POOL.includes(p)) this.ports.add(p);
  }
}

export function pickPort(rng: Rng): number {
  // Transfer CFT ports are the point of the project: weight them up.
  return rng.chance(0.4) ? rng.int(1761, 1768) : rng.pick(PORT_POOL);
}

/** A port range inside the pool region, as [lo, hi]. */
export function pickRange(rng: Rng): [number, number] {
  const which = rng.int(0, 3);
  if (which === 0) {
    const lo = rng.int(1761, 1767);
    return [lo, rng.int(lo + 1, 1768)];
  }
  if (which === 1) {
    const lo = rng.int(5000, 5005);
    return [lo, rng.int(lo + 1, 5010)];
  }
  if (which === 2) return [rng.pick([1, 20, 23, 100, 444, 1000]), rng.pick([1761, 1764, 1768, 2000])];
  return [rng.pick([1, 1024]), 65535];
}

/** Loopback probe pairs (src, dst), all seen by INPUT with iif lo. */
const LO_PAIRS: Record<Family, readonly (readonly [string, string])[]> = {
  ipv4: [
    [LOOPBACK.ipv4, LOOPBACK.ipv4],
    ['10.200.0.1', '10.200.0.1'],
    ['192.0.2.1', '10.200.0.1'],
  ],
  ipv6: [
    [LOOPBACK.ipv6, LOOPBACK.ipv6],
    ['fd00:200::1', 'fd00:200::1'],
    ['fd00:201::1', 'fd00:200::1'],
  ],
};

/**
 * Whether a ruleset lets every non-first packet of a connection in (an
 * `ESTABLISHED,RELATED` accept heading every input-path base chain), and so which probes can observe it.
 *
 * A client sees more than the fate of its first packet: if the SYN is accepted but
 * the handshake's ACK (ESTABLISHED) is then rejected, connect() reports ECONNRESET
 * (RST) or ECONNREFUSED (an ICMP error, recorded as a soft error and returned by
 * SO_ERROR), and over `lo` the replies themselves cross INPUT. So TCP and `lo`
 * probes are only sent to rulesets that accept established traffic first (which
 * decides nothing for NEW probes); the others get UDP probes over eth0, whose only
 * later packet (the echo) leaves through OUTPUT.
 */
export interface ProbePlan {
  establishedFirst: boolean;
  /** No probes over lo (the forward path: every probe comes from the client). */
  noLo?: boolean;
}

export function planProbes(rng: Rng): ProbePlan {
  return { establishedFirst: rng.chance(0.75) };
}

/**
 * `n` probes for one family: mostly from the client over eth0, some over lo,
 * dports mostly among those the ruleset mentions, a few ICMP echo requests. Never two identical probes.
 */
export function makeProbes(rng: Rng, family: Family, mentioned: Set<number>, n: number, plan: ProbePlan): Probe[] {
  const lo = plan.establishedFirst && !plan.noLo;
  const out: Probe[] = [];
  const seen = new Set<string>();
  const ports = [...mentioned];
  for (let tries = 0; out.length < n && tries < n * 20; tries++) {
    // an ICMP echo request now and then: its reply leaves through OUTPUT and no later packet crosses INPUT, so
    // every plan can take it (over eth0: `ping` from the client)
    if (rng.chance(0.08)) {
      const probe: Probe = { family, proto: 'icmp', src: rng.pick(CLIENT_ADDRS[family]), dst: rng.pick(SERVER_ADDRS[family]), dport: 0, iif: 'eth0' };
      const key = `icmp ${probe.src} ${probe.dst}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(probe);
      }
      continue;
    }
    const proto = plan.establishedFirst && rng.chance(0.55) ? 'tcp' : 'udp';
    let dport: number;
    if (ports.length > 0 && rng.chance(0.7)) {
      dport = rng.pick(ports);
      // Neighbours of range edges are interesting too.
      if (rng.chance(0.15)) {
        const d = dport + rng.pick([-1, 1]);
        if (PORT_POOL.includes(d)) dport = d;
      }
    } else dport = rng.pick(PORT_POOL);
    let probe: Probe;
    if (lo && rng.chance(0.2)) {
      const [src, dst] = rng.pick(LO_PAIRS[family]);
      probe = { family, proto, src, dst, dport, iif: 'lo' };
    } else {
      probe = { family, proto, src: rng.pick(CLIENT_ADDRS[family]), dst: rng.pick(SERVER_ADDRS[family]), dport, iif: 'eth0' };
    }
    const key = `${probe.proto} ${probe.src} ${probe.dst} ${probe.dport} ${probe.iif}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(probe);
  }
  return out;
}

export interface GeneratedRuleset {
  seed: number;
  family: Family;
  /** How the kernel loads it. */
  loader: 'iptables' | 'ip6tables' | 'nft';
  text: string;
  probes: Probe[];
}
