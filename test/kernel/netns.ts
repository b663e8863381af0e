/**
 * Kernel lab: a private pair of network namespaces joined by a veth pair, used to
 * ask the real Linux kernel what a ruleset does to a packet.
 *
 *   SRV (fwl-<pid>-<tag>-srv): `lo` + `eth0` (the veth end, so `-i eth0` is real),
 *        10.200.0.1/24, 192.0.2.1/24, fd00:200::1/64, fd00:201::1/64, the ruleset
 *        under test, and a listener (TCP accept + UDP echo) on every probed port.
 *   CLI (fwl-<pid>-<tag>-cli): `eth0c`, the client addresses below, no firewall.
 *
 * Nothing here touches the root namespace: interfaces are created inside the
 * namespaces, traffic only flows between the addresses configured here, and
 * every firewall command runs under `ip netns exec SRV`.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export type Family = 'ipv4' | 'ipv6';
export type Outcome = 'accept' | 'drop' | 'reject' | 'error';

/** Ports the listeners serve and the generators draw from. */
export const PORT_POOL: readonly number[] = [22, 80, 443, 1761, 1762, 1763, 1764, 1765, 1766, 1767, 1768, 5000, 5001, 5002, 5003, 5005, 5010];

export const SERVER_ADDRS: Record<Family, readonly string[]> = {
  ipv4: ['10.200.0.1', '192.0.2.1'],
  ipv6: ['fd00:200::1', 'fd00:201::1'],
};
export const CLIENT_ADDRS: Record<Family, readonly string[]> = {
  ipv4: ['10.200.0.2', '10.200.0.3', '10.200.0.5', '10.200.0.9', '192.0.2.10', '192.0.2.33', '192.0.2.130', '192.0.2.200'],
  ipv6: ['fd00:200::2', 'fd00:200::3', 'fd00:200::a', 'fd00:200::8000:1', 'fd00:201::10', 'fd00:201::8000:33'],
};
export const LOOPBACK: Record<Family, string> = { ipv4: '127.0.0.1', ipv6: '::1' };

/**
 * The routed lab (`NetnsLab.create(tag, ports, 'router')`): CLI — ROUTER — BEHIND. The ruleset is loaded into the router
 * (`eth0` towards the client, `eth1` towards the server behind it, forwarding on); the listener runs behind it.
 */
export const ROUTED = {
  client: { ipv4: '10.1.0.2', ipv6: 'fd01::2' },
  /** The router's own addresses: on eth0 (the client's side) and eth1 (the server's). */
  routerWan: { ipv4: '10.1.0.1', ipv6: 'fd01::1' },
  routerLan: { ipv4: '10.2.0.1', ipv6: 'fd02::1' },
  server: { ipv4: '10.2.0.2', ipv6: 'fd02::2' },
} as const;

/** See `NetnsLab.probe`: one SYN retransmission (initial RTO 1 s) plus margin. */
export const TCP6_ICMP_WAIT_MS = 1600;

const SRV_MAC = '02:00:5e:c8:00:01';
const CLI_MAC = '02:00:5e:c8:00:02';

/** One packet to send: a NEW connection (TCP SYN, first UDP datagram, or an ICMP / ICMPv6 echo request). */
export interface Probe {
  family: Family;
  /** `icmp`: an echo request (ICMP type 8 or ICMPv6 type 128, code 0) of the probe's family; `dport` is unused. */
  proto: 'tcp' | 'udp' | 'icmp';
  /**
   * `forward`: sent across a router (NetnsLab's transparent topology), in by eth0 and out by eth1: the forward hook.
   * Otherwise to the host holding the ruleset (the input hook).
   */
  path?: 'forward';
  /** Source address: a client address (iif eth0) or, with iif lo, a server/loopback address. */
  src: string;
  dst: string;
  dport: number;
  iif: 'eth0' | 'lo';
}

export interface ProbeResult {
  outcome: Outcome;
  /** Source port the kernel saw (chosen by the lab so tuples never repeat). */
  sport: number;
  detail: string;
}

export type Availability = { ok: true } | { ok: false; reason: string };

function which(cmd: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  return dirs.some((d) => d && existsSync(path.join(d, cmd)));
}

/** Can this process build the lab at all? (root, Linux, the tools.) Does not create anything. */
export function labAvailability(tools: string[]): Availability {
  // Lets a developer (or a test of this policy) see the skip path on a machine that could run it.
  if (process.env.FWL_KERNEL_DISABLE) return { ok: false, reason: `FWL_KERNEL_DISABLE=${process.env.FWL_KERNEL_DISABLE}` };
  if (process.platform !== 'linux') return { ok: false, reason: `platform is ${process.platform}, not linux` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'not running as root (network namespaces need CAP_SYS_ADMIN/CAP_NET_ADMIN)' };
  for (const t of ['ip', ...tools]) if (!which(t)) return { ok: false, reason: `\`${t}\` is not installed` };
  return { ok: true };
}

function run(args: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(args[0]!, args.slice(1), { input, encoding: 'utf8', timeout: 15_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { ok: r.status === 0 && !r.error, out };
}

function must(args: string[]): void {
  const r = run(args);
  if (!r.ok) throw new Error(`\`${args.join(' ')}\` failed: ${r.out.trim()}`);
}

/**
 * Deletes `fwl-<pid>-…` namespaces left by crashed runs: only those whose pid is
 * no longer a live process, so parallel test workers never delete each other's.
 */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^fwl-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || existsSync(`/proc/${pid}`)) continue;
    if (run(['ip', 'netns', 'del', name]).ok) removed.push(name);
  }
  return removed;
}

/** Reads newline-delimited JSON answers from a long-running helper, one request at a time. */
class LineChannel {
  private buf = '';
  private waiters: ((line: string) => void)[] = [];
  private lines: string[] = [];
  private stderr = '';
  exited: string | undefined;

  constructor(readonly proc: ChildProcessWithoutNullStreams, readonly label: string) {
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c: string) => {
      if (this.stderr.length < 4000) this.stderr += c;
    });
    proc.on('exit', (code, sig) => {
      this.exited = `${label} exited (code ${code}, signal ${sig}) ${this.stderr.trim()}`;
      for (const w of this.waiters.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
  }

  next(timeoutMs: number): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.exited) return Promise.resolve(JSON.stringify({ error: this.exited }));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const idx = this.waiters.indexOf(wrapped);
        if (idx >= 0) this.waiters.splice(idx, 1);
        resolve(JSON.stringify({ error: `${this.label}: no answer in ${timeoutMs} ms ${this.stderr.trim()}` }));
      }, timeoutMs);
      const wrapped = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiters.push(wrapped);
    });
  }

  send(line: string): void {
    this.proc.stdin.write(line + '\n');
  }
}

interface WireProbe {
  id: number;
  proto: 'tcp' | 'udp' | 'icmp';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  timeoutMs: number;
}

export class NetnsLab {
  /** The namespace holding the ruleset: the server (host topology) or the router (routed topology). */
  readonly srv: string;
  readonly cli: string;
  /** Routed topology: the server behind the router, where the listener runs. */
  readonly behind: string;
  private listener: LineChannel | undefined;
  private cliProber: LineChannel | undefined;
  private srvProber: LineChannel | undefined;
  private nextSport = 20000;
  private nextId = 1;
  private readonly tmp: string;
  private created: string[] = [];

  private constructor(
    tag: string,
    readonly topology: 'host' | 'router' | 'transparent',
  ) {
    this.srv = `fwl-${process.pid}-${tag}-srv`;
    this.cli = `fwl-${process.pid}-${tag}-cli`;
    this.behind = `fwl-${process.pid}-${tag}-dst`;
    this.tmp = mkdtempSync(path.join(tmpdir(), `fwl-${tag}-`));
  }

  /**
   * Builds the namespaces, the links, the addresses and starts listeners and probers. Throws with a reason. `router`:
   * the routed topology (ROUTED), whose probes cross the ruleset's forward path.
   */
  static async create(tag: string, ports: readonly number[] = PORT_POOL, topology: 'host' | 'router' | 'transparent' = 'host'): Promise<NetnsLab> {
    const lab = new NetnsLab(tag, topology);
    try {
      if (topology === 'router') await lab.setupRouted(ports);
      else if (topology === 'transparent') await lab.setupTransparent(ports);
      else await lab.setup(ports);
    } catch (e) {
      lab.destroy();
      throw e;
    }
    return lab;
  }

  private async setup(ports: readonly number[]): Promise<void> {
    const { srv, cli } = this;
    for (const ns of [srv, cli]) {
      run(['ip', 'netns', 'del', ns]);
      must(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
      must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // The veth pair is created inside SRV with its peer directly in CLI: the root namespace never sees it.
    must(['ip', '-n', srv, 'link', 'add', 'eth0', 'address', SRV_MAC, 'type', 'veth', 'peer', 'name', 'eth0c', 'address', CLI_MAC, 'netns', cli]);
    for (const [ns, k, v] of [
      [srv, 'net.ipv4.icmp_ratelimit', '0'],
      [srv, 'net.ipv4.icmp_msgs_per_sec', '1000000'],
      [srv, 'net.ipv4.icmp_msgs_burst', '1000000'],
      [srv, 'net.ipv6.icmp.ratelimit', '0'],
      [srv, 'net.ipv6.conf.all.accept_dad', '0'],
      [cli, 'net.ipv6.conf.all.accept_dad', '0'],
      [srv, 'net.ipv6.conf.default.accept_dad', '0'],
      [cli, 'net.ipv6.conf.default.accept_dad', '0'],
    ] as const) {
      // ICMP rate limits would turn rejects into silent drops when many probes run at once.
      run(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', `${k}=${v}`]);
    }
    must(['ip', '-n', srv, 'addr', 'add', '10.200.0.1/24', 'dev', 'eth0']);
    must(['ip', '-n', srv, 'addr', 'add', '192.0.2.1/24', 'dev', 'eth0']);
    must(['ip', '-n', srv, 'addr', 'add', 'fd00:200::1/64', 'dev', 'eth0', 'nodad']);
    must(['ip', '-n', srv, 'addr', 'add', 'fd00:201::1/64', 'dev', 'eth0', 'nodad']);
    for (const a of CLIENT_ADDRS.ipv4) must(['ip', '-n', cli, 'addr', 'add', `${a}/24`, 'dev', 'eth0c']);
    for (const a of CLIENT_ADDRS.ipv6) must(['ip', '-n', cli, 'addr', 'add', `${a}/64`, 'dev', 'eth0c', 'nodad']);
    must(['ip', '-n', srv, 'link', 'set', 'eth0', 'up']);
    must(['ip', '-n', cli, 'link', 'set', 'eth0c', 'up']);
    // Static neighbours: no ARP / neighbour discovery, so a DROP policy cannot starve IPv6 of ND.
    for (const fam of ['ipv4', 'ipv6'] as const) {
      for (const a of CLIENT_ADDRS[fam]) must(['ip', '-n', srv, 'neigh', 'replace', a, 'lladdr', CLI_MAC, 'dev', 'eth0', 'nud', 'permanent']);
      for (const a of SERVER_ADDRS[fam]) must(['ip', '-n', cli, 'neigh', 'replace', a, 'lladdr', SRV_MAC, 'dev', 'eth0c', 'nud', 'permanent']);
    }
    const udpAddrs = [...SERVER_ADDRS.ipv4, ...SERVER_ADDRS.ipv6, LOOPBACK.ipv4, LOOPBACK.ipv6];
    this.listener = this.start(srv, 'listener.mjs', [ports.join(','), udpAddrs.join(',')], 'listener');
    const ready = await this.listener.next(10_000);
    if (ready !== 'ready') throw new Error(`listener did not start: ${ready}`);
    this.cliProber = this.start(cli, 'probe-client.mjs', [], 'client prober');
    this.srvProber = this.start(srv, 'probe-client.mjs', [], 'server-side (lo) prober');
  }

  /**
   * The three namespaces of the routed topologies: CLI —eth0c/eth0— SRV (the router, forwarding on) —eth1/eth1s—
   * BEHIND, links up, ICMP rate limits off. Returns the MACs of the router's eth1 and of BEHIND's eth1s.
   */
  private threeNamespaces(): { LAN_MAC: string; DST_MAC: string } {
    const { srv: router, cli, behind } = this;
    for (const ns of [router, cli, behind]) {
      run(['ip', 'netns', 'del', ns]);
      must(['ip', 'netns', 'add', ns]);
      this.created.push(ns);
      must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const DST_MAC = '02:00:5e:c8:00:03';
    const LAN_MAC = '02:00:5e:c8:00:04';
    must(['ip', '-n', router, 'link', 'add', 'eth0', 'address', SRV_MAC, 'type', 'veth', 'peer', 'name', 'eth0c', 'address', CLI_MAC, 'netns', cli]);
    must(['ip', '-n', router, 'link', 'add', 'eth1', 'address', LAN_MAC, 'type', 'veth', 'peer', 'name', 'eth1s', 'address', DST_MAC, 'netns', behind]);
    for (const [ns, k, v] of [
      [router, 'net.ipv4.ip_forward', '1'],
      [router, 'net.ipv6.conf.all.forwarding', '1'],
      [router, 'net.ipv4.icmp_ratelimit', '0'],
      [router, 'net.ipv4.icmp_msgs_per_sec', '1000000'],
      [router, 'net.ipv4.icmp_msgs_burst', '1000000'],
      [router, 'net.ipv6.icmp.ratelimit', '0'],
      [behind, 'net.ipv4.icmp_ratelimit', '0'],
      [behind, 'net.ipv6.icmp.ratelimit', '0'],
      [cli, 'net.ipv6.conf.all.accept_dad', '0'],
      [behind, 'net.ipv6.conf.all.accept_dad', '0'],
      [cli, 'net.ipv6.conf.default.accept_dad', '0'],
      [behind, 'net.ipv6.conf.default.accept_dad', '0'],
    ] as const) {
      run(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', `${k}=${v}`]);
    }
    return { LAN_MAC, DST_MAC };
  }

  /** The listener behind the router, on `addrs`, and the probers (none is sent from the router itself). */
  private async startRouted(ports: readonly number[], addrs: readonly string[]): Promise<void> {
    const { srv: router, cli, behind } = this;
    for (const [ns, dev] of [[cli, 'eth0c'], [router, 'eth0'], [router, 'eth1'], [behind, 'eth1s']] as const) must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    this.listener = this.start(behind, 'listener.mjs', [ports.join(','), addrs.join(',')], 'listener');
    const ready = await this.listener.next(10_000);
    if (ready !== 'ready') throw new Error(`listener did not start: ${ready}`);
    this.cliProber = this.start(cli, 'probe-client.mjs', [], 'client prober');
    this.srvProber = this.start(router, 'probe-client.mjs', [], 'router-side prober');
  }

  /** The routed topology (ROUTED): a subnet on each side of the router. */
  private async setupRouted(ports: readonly number[]): Promise<void> {
    const { srv: router, cli, behind } = this;
    const { LAN_MAC, DST_MAC } = this.threeNamespaces();
    const addr = (ns: string, a: string, dev: string) => must(['ip', '-n', ns, 'addr', 'add', a, 'dev', dev, ...(a.includes(':') ? ['nodad'] : [])]);
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const len = fam === 'ipv4' ? 24 : 64;
      addr(cli, `${ROUTED.client[fam]}/${len}`, 'eth0c');
      addr(router, `${ROUTED.routerWan[fam]}/${len}`, 'eth0');
      addr(router, `${ROUTED.routerLan[fam]}/${len}`, 'eth1');
      addr(behind, `${ROUTED.server[fam]}/${len}`, 'eth1s');
    }
    await this.startRouted(ports, [ROUTED.server.ipv4, ROUTED.server.ipv6]);
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const v6 = fam === 'ipv6' ? ['-6'] : [];
      must(['ip', '-n', cli, ...v6, 'route', 'add', 'default', 'via', ROUTED.routerWan[fam]]);
      must(['ip', '-n', behind, ...v6, 'route', 'add', 'default', 'via', ROUTED.routerLan[fam]]);
      // static neighbours: a DROP policy cannot starve ARP / neighbour discovery
      must(['ip', '-n', cli, 'neigh', 'replace', ROUTED.routerWan[fam], 'lladdr', SRV_MAC, 'dev', 'eth0c', 'nud', 'permanent']);
      must(['ip', '-n', router, 'neigh', 'replace', ROUTED.client[fam], 'lladdr', CLI_MAC, 'dev', 'eth0', 'nud', 'permanent']);
      must(['ip', '-n', router, 'neigh', 'replace', ROUTED.server[fam], 'lladdr', DST_MAC, 'dev', 'eth1', 'nud', 'permanent']);
      must(['ip', '-n', behind, 'neigh', 'replace', ROUTED.routerLan[fam], 'lladdr', LAN_MAC, 'dev', 'eth1s', 'nud', 'permanent']);
    }
  }

  /**
   * The transparent topology: the host topology's addresses, with a router between the client and the server. The
   * client sees the server's addresses on its link, at the router's MAC; the router forwards by host routes (it has no
   * address on either link: its ICMP errors come from 10.199.0.1 / fd00:199::1 on its lo). So the generators' rules
   * about the host lab's addresses hold on the forward path, unchanged.
   */
  private async setupTransparent(ports: readonly number[]): Promise<void> {
    const { srv: router, cli, behind } = this;
    const { LAN_MAC, DST_MAC } = this.threeNamespaces();
    must(['ip', '-n', router, 'addr', 'add', '10.199.0.1/32', 'dev', 'lo']);
    must(['ip', '-n', router, 'addr', 'add', 'fd00:199::1/128', 'dev', 'lo', 'nodad']);
    for (const a of CLIENT_ADDRS.ipv4) must(['ip', '-n', cli, 'addr', 'add', `${a}/24`, 'dev', 'eth0c']);
    for (const a of CLIENT_ADDRS.ipv6) must(['ip', '-n', cli, 'addr', 'add', `${a}/64`, 'dev', 'eth0c', 'nodad']);
    must(['ip', '-n', behind, 'addr', 'add', '10.200.0.1/24', 'dev', 'eth1s']);
    must(['ip', '-n', behind, 'addr', 'add', '192.0.2.1/24', 'dev', 'eth1s']);
    must(['ip', '-n', behind, 'addr', 'add', 'fd00:200::1/64', 'dev', 'eth1s', 'nodad']);
    must(['ip', '-n', behind, 'addr', 'add', 'fd00:201::1/64', 'dev', 'eth1s', 'nodad']);
    await this.startRouted(ports, [...SERVER_ADDRS.ipv4, ...SERVER_ADDRS.ipv6]);
    // the client's and the server's default routes (for the router's ICMP errors' source), then host routes and static
    // neighbours: each side sees the other's addresses at the router's MAC
    must(['ip', '-n', cli, 'route', 'add', 'default', 'dev', 'eth0c']);
    must(['ip', '-n', cli, '-6', 'route', 'add', 'default', 'dev', 'eth0c']);
    must(['ip', '-n', behind, 'route', 'add', 'default', 'dev', 'eth1s']);
    must(['ip', '-n', behind, '-6', 'route', 'add', 'default', 'dev', 'eth1s']);
    for (const fam of ['ipv4', 'ipv6'] as const) {
      const len = fam === 'ipv4' ? 32 : 128;
      for (const a of CLIENT_ADDRS[fam]) {
        must(['ip', '-n', router, 'route', 'add', `${a}/${len}`, 'dev', 'eth0']);
        must(['ip', '-n', router, 'neigh', 'replace', a, 'lladdr', CLI_MAC, 'dev', 'eth0', 'nud', 'permanent']);
        must(['ip', '-n', behind, 'neigh', 'replace', a, 'lladdr', LAN_MAC, 'dev', 'eth1s', 'nud', 'permanent']);
      }
      for (const a of SERVER_ADDRS[fam]) {
        must(['ip', '-n', router, 'route', 'add', `${a}/${len}`, 'dev', 'eth1']);
        must(['ip', '-n', router, 'neigh', 'replace', a, 'lladdr', DST_MAC, 'dev', 'eth1', 'nud', 'permanent']);
        must(['ip', '-n', cli, 'neigh', 'replace', a, 'lladdr', SRV_MAC, 'dev', 'eth0c', 'nud', 'permanent']);
      }
    }
  }

  private start(ns: string, script: string, args: string[], label: string): LineChannel {
    const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, path.join(HERE, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new LineChannel(proc, label);
  }

  /** Empties every netfilter table in SRV (iptables-nft and nft share the nf_tables backend). */
  flush(): { ok: boolean; error?: string } {
    const r = run(['ip', 'netns', 'exec', this.srv, 'nft', 'flush', 'ruleset']);
    return r.ok ? { ok: true } : { ok: false, error: r.out };
  }

  /** Replaces SRV's firewall with `text`. */
  load(kind: 'iptables' | 'ip6tables' | 'nft', text: string): { ok: boolean; error?: string } {
    const f = this.flush();
    if (!f.ok) return f;
    const file = path.join(this.tmp, kind === 'nft' ? 'ruleset.nft' : 'ruleset.rules');
    writeFileSync(file, text);
    const cmd = kind === 'nft' ? ['nft', '-f', file] : [`${kind}-restore`, file];
    const r = run(['ip', 'netns', 'exec', this.srv, ...cmd]);
    return r.ok ? { ok: true } : { ok: false, error: r.out.trim() };
  }

  /**
   * Sends every probe concurrently (client-side ones from CLI, `lo` ones from inside SRV).
   * `timeoutMs` is how long silence must last to count as a drop. IPv6 TCP probes wait
   * at least `TCP6_ICMP_WAIT_MS`: the ICMPv6 error answering the first SYN reaches the
   * client while connect() still owns the socket and is discarded (TcpExtLockDroppedIcmps);
   * only the ICMPv6 answering the SYN retransmitted after 1 s is reported as ECONNREFUSED.
   */
  async probe(probes: readonly Probe[], timeoutMs = 400): Promise<ProbeResult[]> {
    if (!this.cliProber || !this.srvProber) throw new Error('lab not set up');
    const wire = probes.map((p): WireProbe => {
      const sport = this.nextSport;
      this.nextSport = this.nextSport >= 60999 ? 20000 : this.nextSport + 1;
      const t = p.family === 'ipv6' && p.proto === 'tcp' ? Math.max(timeoutMs, TCP6_ICMP_WAIT_MS) : timeoutMs;
      return { id: this.nextId++, proto: p.proto, src: p.src, sport, dst: p.dst, dport: p.dport, timeoutMs: t };
    });
    const viaCli = wire.filter((_, i) => probes[i]!.iif === 'eth0');
    const viaSrv = wire.filter((_, i) => probes[i]!.iif === 'lo');
    const ask = async (ch: LineChannel, batch: WireProbe[]) => {
      if (batch.length === 0) return new Map<number, { outcome: Outcome; detail: string }>();
      ch.send(JSON.stringify(batch));
      const line = await ch.next(Math.max(timeoutMs, TCP6_ICMP_WAIT_MS) + 10_000);
      const parsed = JSON.parse(line) as { id: number; outcome: Outcome; detail: string }[] | { error: string };
      if (!Array.isArray(parsed)) throw new Error(parsed.error);
      return new Map(parsed.map((r) => [r.id, r]));
    };
    const [a, b] = await Promise.all([ask(this.cliProber, viaCli), ask(this.srvProber, viaSrv)]);
    return wire.map((w) => {
      const r = a.get(w.id) ?? b.get(w.id);
      return { outcome: r?.outcome ?? 'error', detail: r?.detail ?? 'no result', sport: w.sport };
    });
  }

  /** Kills the helpers and deletes the namespaces. Safe to call twice. */
  destroy(): void {
    for (const ch of [this.listener, this.cliProber, this.srvProber]) {
      if (ch && !ch.exited) {
        ch.proc.stdin.end();
        ch.proc.kill('SIGKILL');
      }
    }
    for (const ns of this.created.splice(0)) {
      // `ip netns exec` children in the namespace are gone (SIGKILL above); deleting the name frees it.
      run(['ip', 'netns', 'del', ns]);
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
