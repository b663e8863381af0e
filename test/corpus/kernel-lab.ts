/**
 * A namespace lab for real-world rulesets (test/corpus/kernel.test.ts). The kernel suites' lab (test/kernel/netns.ts)
 * has one link and fixed addresses that its generators write rules about; a real firewall names its own interfaces
 * and addresses. So here, per ruleset: a server namespace holding the ruleset, and one client namespace per interface
 * the ruleset names (plus eth0), each joined to the server by a veth pair whose server end carries that name. The
 * addresses the ruleset tests become the server's local addresses (on lo) and the clients' addresses; every address
 * lives inside namespaces of ours and no packet leaves them.
 *
 * The kernel's answer is read on both sides: the client sees a SYN-ACK/echo (accept), a RST/ICMP error (reject) or
 * silence (drop); the server's request sockets (SYN_RECV in /proc/net/tcp) and the listener's receipt log say
 * "accepted" even where the ruleset's OUTPUT chain drops the answer, as real firewalls' OUTPUT policies do.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from '../kernel/prng.js';
import { addrToBig, bigToAddr, bits, maskAddr } from '../kernel/addr.js';

const KERNEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../kernel');

export type Family = 'ipv4' | 'ipv6';
export type Outcome = 'accept' | 'drop' | 'reject' | 'error';

export interface RealProbe {
  family: Family;
  proto: 'tcp' | 'udp';
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** The server-side interface it arrives on. */
  iif: string;
}

/** What a ruleset's text names: source and destination prefixes, ports, input interfaces. Read from the text, not from our parser. */
export interface RulesetFacts {
  src: string[];
  dst: string[];
  ports: number[];
  ifaces: string[];
}

// one address per match, bounded quantifiers only (no backtracking blow-up on long lines)
const V4 = /(?<![\w.:])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?:\/(\d{1,2}))?(?![\w.])/g;
const V6 = /(?<![\w:.])([0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7})(?:\/(\d{1,3}))?(?![\w:])/g;
const DST_BEFORE = /(?:^|\s)(?:-d|--destination|--dst|daddr|--dst-range)\s+(?:!\s*)?[{\s"]*$/;
const PORTS = /(?:dports?|sports?|--dport|--sport|--dports|--sports|--destination-ports?|--source-ports?)\s+(?:!\s*|!=\s*)?([{}\d,:\s-]{1,200})/g;
const IFACE = /(?:^|\s)(?:-i|--in-interface|iifname|iif)\s+(?:!\s*|!=\s*)?"?([A-Za-z][A-Za-z0-9_.+*-]{0,14})/g;
const IFACE_SET = /iifname\s+(?:!=\s*)?\{([^}]{0,400})\}/g;
const NAMED_PORTS: readonly (readonly [string, number])[] = [['ssh', 22], ['http', 80], ['https', 443], ['domain', 53], ['smtp', 25], ['ntp', 123]];

export function rulesetFacts(text: string, family: Family): RulesetFacts {
  const src = new Set<string>();
  const dst = new Set<string>();
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    // a translation's target is not an address the host owns or a client has
    if (/--to-destination|--to-source|--to-ports|\b(?:dnat|snat|redirect)\b/.test(line)) continue;
    const re = family === 'ipv6' ? V6 : V4;
    re.lastIndex = 0;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      const a = m[1]!;
      if (family === 'ipv6' ? !isIPv6(a) : !isIPv4(a)) continue;
      const len = m[2] !== undefined ? Number(m[2]) : family === 'ipv6' ? 128 : 32;
      if (len > (family === 'ipv6' ? 128 : 32)) continue;
      const before = line.slice(Math.max(0, m.index - 30), m.index);
      (DST_BEFORE.test(before) ? dst : src).add(`${a}/${len}`);
    }
  }
  const ports = new Set<number>();
  for (const m of text.matchAll(PORTS))
    for (const x of m[1]!.matchAll(/\d{1,5}/g)) {
      const n = Number(x[0]);
      if (n > 0 && n < 65536) ports.add(n);
    }
  for (const [name, n] of NAMED_PORTS) if (new RegExp(`port\\s+(?:!=?\\s*)?[{\\s]*${name}\\b`).test(text)) ports.add(n);
  const ifaces = new Set<string>();
  for (const m of text.matchAll(IFACE)) ifaces.add(m[1]!);
  for (const m of text.matchAll(IFACE_SET)) for (const x of m[1]!.matchAll(/"?([A-Za-z][A-Za-z0-9_.+*-]{0,14})"?/g)) ifaces.add(x[1]!);
  return { src: [...src].sort(), dst: [...dst].sort(), ports: [...ports].sort((a, b) => a - b), ifaces: [...ifaces].sort() };
}

/** A host address inside `prefix` (not its network or broadcast address where it has others). */
function hostIn(rng: Rng, family: Family, prefix: string): string {
  const [a, l] = prefix.split('/') as [string, string];
  const span = bits(family) - Number(l);
  const base = addrToBig(family, maskAddr(family, a, Number(l)));
  if (family === 'ipv4') {
    const size = 2 ** span;
    return bigToAddr(family, base + BigInt(size <= 2 ? (size - 1) * rng.int(0, 1) : rng.int(1, size - 2)));
  }
  return bigToAddr(family, span === 0 ? base : base + BigInt(rng.int(1, 2 ** Math.min(span, 30) - 1)));
}

/** Addresses the kernel drops before filtering or that cannot be a client's (martians, multicast, loopback, link-local). */
function unusable(family: Family, a: string, asLocal: boolean): boolean {
  if (family === 'ipv4') {
    const f = Number(a.split('.')[0]);
    return f === 0 || f === 127 || f >= 224 || (asLocal && /\.(0|255)$/.test(a));
  }
  const b = addrToBig('ipv6', a);
  return b <= 1n || b >> 120n === 0xffn || b >> 32n === 0xffffn || b >> 118n === 0x3fan || b >> 96n === 0n;
}

export interface ProbePlan {
  family: Family;
  /** Server-side interface names, each with the client addresses that reach the server through it. */
  links: { name: string; sources: string[] }[];
  /** The server's addresses (on lo). */
  locals: string[];
  probes: RealProbe[];
  ports: number[];
}

/** Interface names the lab can create for a ruleset's names (`eth+` → `ethq9`); lo and odd names are left out. */
function linkName(n: string): string | undefined {
  const s = n.replace(/[+*]$/, 'q9');
  if (s === 'lo' || !/^[A-Za-z][A-Za-z0-9_-]{0,14}$/.test(s)) return undefined;
  return s;
}

export function planProbes(rng: Rng, facts: RulesetFacts, family: Family, n: number): ProbePlan {
  const v6 = family === 'ipv6';
  const locals = [v6 ? '2001:db8:ffff::7' : '198.51.100.7'];
  for (const p of facts.dst)
    for (let k = 0; k < 2; k++) {
      const h = hostIn(rng, family, p);
      if (!unusable(family, h, true) && !locals.includes(h)) locals.push(h);
    }
  locals.splice(16);
  const names = ['eth0', ...facts.ifaces.map(linkName).filter((x): x is string => !!x && x !== 'eth0')].slice(0, 4);
  const pool: string[] = [];
  for (const p of facts.src) for (let k = 0; k < 2; k++) pool.push(hostIn(rng, family, p));
  pool.push(...(v6 ? ['2001:db8:ee::5', '2001:db8:ee::9:1'] : ['203.0.113.77', '203.0.113.200', '192.0.2.99']));
  const sources = [...new Set(pool)].filter((s) => !locals.includes(s) && !unusable(family, s, false)).slice(0, 40);
  // each client address behind one link: the server's route back to it must be the link it came in by
  const links = names.map((name) => ({ name, sources: [] as string[] }));
  sources.forEach((s, i) => links[i % links.length]!.sources.push(s));
  if (links[0]!.sources.length === 0) links[0]!.sources.push(v6 ? '2001:db8:ee::5' : '203.0.113.77');
  const usable = links.filter((l) => l.sources.length > 0);
  const ports = [...new Set([...facts.ports, 22, 80, 443, 1761, 1764, 1768, 8080, 33333])].slice(0, 48);
  const probes: RealProbe[] = [];
  const seen = new Set<string>();
  const usedSport = new Set<number>();
  for (let i = 0; probes.length < n && i < 4 * n; i++) {
    const link = rng.pick(usable);
    let sport = 20000 + probes.length;
    if (facts.ports.length && rng.chance(0.1)) {
      const s = rng.pick(facts.ports);
      if (!usedSport.has(s)) sport = s;
    }
    const p: RealProbe = { family, proto: rng.chance(0.6) ? 'tcp' : 'udp', src: rng.pick(link.sources), dst: rng.chance(0.6) ? locals[0]! : rng.pick(locals), sport, dport: rng.pick(ports), iif: link.name };
    const key = `${p.src}|${p.sport}`;
    if (seen.has(key)) continue;
    seen.add(key);
    usedSport.add(sport);
    probes.push(p);
  }
  return { family, links: usable, locals, probes, ports: [...new Set(probes.map((p) => p.dport))].sort((a, b) => a - b) };
}

function run(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 15_000 });
  return { ok: r.status === 0 && !r.error, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}
function must(args: string[]): void {
  const r = run(args);
  if (!r.ok) throw new Error(`\`${args.join(' ')}\` failed: ${r.out.trim()}`);
}

/** Lines of a helper's stdout as they come, and a wait for the next one. */
class Lines {
  readonly all: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  private buf = '';
  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (c: string) => {
      this.buf += c;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.all.push(line);
        this.waiters.shift()?.(line);
      }
    });
    proc.stderr.resume();
  }
  next(timeoutMs: number): Promise<string> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve('timeout'), timeoutMs);
      this.waiters.push((l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
  }
}

/** /proc/net/tcp's form of an address and port ("0100007F:0016"). */
function procAddr(a: string, port: number): string {
  const hex = (bytes: number[]) => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 4) s += bytes.slice(i, i + 4).reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
    return s.toUpperCase();
  };
  const family: Family = isIPv4(a) ? 'ipv4' : 'ipv6';
  const b = addrToBig(family, a);
  const n = bits(family) / 8;
  const bytes = Array.from({ length: n }, (_, i) => Number((b >> BigInt(8 * (n - 1 - i))) & 0xffn));
  return `${hex(bytes)}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

export class RealLab {
  private readonly srv: string;
  private readonly clients: { ns: string; link: string; prober?: Lines }[] = [];
  private listener?: Lines;
  private created: string[] = [];
  private readonly tmp: string;

  constructor(readonly plan: ProbePlan, tag: string) {
    this.srv = `fwl-${process.pid}-${tag}-srv`;
    this.tmp = mkdtempSync(path.join(tmpdir(), `fwl-${tag}-`));
  }

  async setup(): Promise<void> {
    const { srv, plan } = this;
    const v6 = plan.family === 'ipv6';
    const host = v6 ? 128 : 32;
    const ns = (name: string) => {
      run(['ip', 'netns', 'del', name]);
      must(['ip', 'netns', 'add', name]);
      this.created.push(name);
      must(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
      for (const k of ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.icmp_ratelimit=0', 'net.ipv4.icmp_msgs_per_sec=1000000', 'net.ipv4.icmp_msgs_burst=1000000', 'net.ipv6.icmp.ratelimit=0'])
        run(['ip', 'netns', 'exec', name, 'sysctl', '-q', '-w', k]);
    };
    ns(srv);
    for (const a of plan.locals) must(['ip', '-n', srv, 'addr', 'add', `${a}/${host}`, 'dev', 'lo', ...(v6 ? ['nodad'] : [])]);
    plan.links.forEach((l, i) => {
      const cli = `fwl-${process.pid}-${this.srv.split('-')[2]}-c${i}`;
      ns(cli);
      const smac = `02:00:5e:c9:${(i + 1).toString(16).padStart(2, '0')}:01`;
      const cmac = `02:00:5e:c9:${(i + 1).toString(16).padStart(2, '0')}:02`;
      // created inside SRV with its peer directly in the client: the root namespace never sees it
      must(['ip', '-n', srv, 'link', 'add', l.name, 'address', smac, 'type', 'veth', 'peer', 'name', 'up0', 'address', cmac, 'netns', cli]);
      run(['ip', 'netns', 'exec', srv, 'sysctl', '-q', '-w', `net.ipv4.conf.${l.name.replace(/\./g, '/')}.rp_filter=0`]);
      must(['ip', '-n', srv, 'link', 'set', l.name, 'up']);
      must(['ip', '-n', cli, 'link', 'set', 'up0', 'up']);
      for (const s of l.sources) {
        must(['ip', '-n', cli, 'addr', 'add', `${s}/${host}`, 'dev', 'up0', ...(v6 ? ['nodad'] : [])]);
        must(['ip', '-n', srv, 'route', 'add', `${s}/${host}`, 'dev', l.name]);
        // static neighbours: a DROP policy cannot starve IPv6 of neighbour discovery
        must(['ip', '-n', srv, 'neigh', 'replace', s, 'lladdr', cmac, 'dev', l.name, 'nud', 'permanent']);
      }
      must(['ip', '-n', cli, ...(v6 ? ['-6'] : []), 'route', 'add', 'default', 'dev', 'up0']);
      for (const a of plan.locals) must(['ip', '-n', cli, 'neigh', 'replace', a, 'lladdr', smac, 'dev', 'up0', 'nud', 'permanent']);
      this.clients.push({ ns: cli, link: l.name });
    });
    const listener = spawn('ip', ['netns', 'exec', srv, process.execPath, path.join(KERNEL_DIR, 'listener.mjs'), plan.ports.join(','), plan.locals.join(','), 'log'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.listener = new Lines(listener);
    const ready = await this.listener.next(10_000);
    if (ready !== 'ready') throw new Error(`listener did not start: ${ready}`);
    for (const c of this.clients) c.prober = new Lines(spawn('ip', ['netns', 'exec', c.ns, process.execPath, path.join(KERNEL_DIR, 'probe-client.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  load(kind: 'iptables' | 'ip6tables' | 'nft', text: string): string | undefined {
    const file = path.join(this.tmp, 'ruleset');
    writeFileSync(file, text);
    const r = run(['ip', 'netns', 'exec', this.srv, ...(kind === 'nft' ? ['nft', '-f', file] : [`${kind}-restore`, file])]);
    return r.ok ? undefined : r.out.trim();
  }

  /** Every probe at once, each from the client behind its interface; silence for `timeoutMs` is a drop. */
  async probe(probes: readonly RealProbe[], timeoutMs: number): Promise<{ outcome: Outcome; detail: string }[]> {
    const t = (p: RealProbe) => (p.family === 'ipv6' && p.proto === 'tcp' ? Math.max(timeoutMs, 1600) : timeoutMs);
    const asked = this.clients.map(async (c) => {
      const mine = probes.map((p, id) => ({ p, id })).filter(({ p }) => p.iif === c.link);
      if (mine.length === 0) return [] as { id: number; outcome: Outcome; detail: string }[];
      c.prober!.proc.stdin.write(`${JSON.stringify(mine.map(({ p, id }) => ({ id, proto: p.proto, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport, timeoutMs: t(p) })))}\n`);
      const line = await c.prober!.next(20_000);
      const parsed = JSON.parse(line === 'timeout' ? '{"error":"prober timed out"}' : line) as { id: number; outcome: Outcome; detail: string }[] | { error: string };
      if (!Array.isArray(parsed)) throw new Error(parsed.error);
      return parsed;
    });
    const answers = new Map((await Promise.all(asked)).flat().map((r) => [r.id, r]));
    // the server's side: a SYN it answered (a request socket) or a datagram it received was let in
    const tcp = run(['ip', 'netns', 'exec', this.srv, 'cat', '/proc/net/tcp', '/proc/net/tcp6']).out;
    const conns = new Set<string>();
    for (const line of tcp.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '03' || f[3] === '01') conns.add(`${f[2]} ${f[1]}`);
    }
    const got = new Set(this.listener!.all.filter((l) => l.startsWith('udp ')).map((l) => l.slice(4)));
    return probes.map((p, id) => {
      const a = answers.get(id) ?? { outcome: 'error' as Outcome, detail: 'no answer' };
      if (a.outcome === 'accept') return a;
      if (p.proto === 'tcp' && conns.has(`${procAddr(p.src, p.sport)} ${procAddr(p.dst, p.dport)}`)) return { outcome: 'accept', detail: `SYN_RECV on the server (client: ${a.detail})` };
      if (p.proto === 'udp' && got.has(`${p.src} ${p.sport}`)) return { outcome: 'accept', detail: `received by the server (client: ${a.detail})` };
      return a;
    });
  }

  destroy(): void {
    for (const c of [this.listener, ...this.clients.map((x) => x.prober)]) {
      if (!c) continue;
      c.proc.stdin.end();
      c.proc.kill('SIGKILL');
    }
    for (const n of this.created.splice(0)) run(['ip', 'netns', 'del', n]);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
