/**
 * Live host mode (Linux): what the kernel really has — the rulesets
 * (`iptables-save`, `ip6tables-save`, `nft -j list ruleset`, whichever exist)
 * and the listening sockets from /proc/net/{tcp,tcp6,udp,udp6} with their
 * owning processes — and the judgement "open but nothing listens" /
 * "a Transfer CFT port served by something that is not Transfer CFT".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CFT_BLOCK } from '../catalog/index.js';
import { IntervalSet, formatAddress, protocolName, type Family, type NumSet } from '../model/index.js';

export interface RulesetText {
  /** Parser format id: "iptables-save" (both families) or "nftables-json". */
  format: 'iptables-save' | 'nftables-json';
  text: string;
  /** Which command produced it. */
  command: string;
  family?: Family;
}

export interface Listener {
  protocol: 'tcp' | 'udp';
  port: number;
  /** Local address, "0.0.0.0", "::", "127.0.0.1", … */
  address: string;
  family: Family;
  inode: number;
  pid?: number;
  /** /proc/<pid>/comm */
  process?: string;
  /** /proc/<pid>/cmdline, NULs as spaces. */
  cmdline?: string;
}

export interface LiveHost {
  rulesetTexts: RulesetText[];
  listeners: Listener[];
  /** What could not be read (files, commands), with the reason. */
  unreadable: string[];
}

export type RunCommand = (cmd: string, args: string[]) => { stdout: string; code: number };

export interface LiveOptions {
  /** Default "/proc". */
  procRoot?: string;
  /** Where tcp/udp tables are read; default `${procRoot}/net` (use `/proc/<pid>/net` for another network namespace). */
  netDir?: string;
  run?: RunCommand;
  /** Skip the firewall commands (listeners only). */
  skipCommands?: boolean;
}

const defaultRun: RunCommand = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) return { stdout: '', code: -1 };
  return { stdout: r.stdout ?? '', code: r.status ?? -1 };
};

// ---------------------------------------------------------------- /proc/net parsing

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

function hexToV4(h: string): string | undefined {
  if (h.length !== 8) return undefined;
  const n = parseInt(h, 16);
  if (Number.isNaN(n)) return undefined;
  // the kernel prints the 32-bit word in host (little-endian) order
  const b = [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
  return b.join('.');
}

function hexToV6(h: string): string | undefined {
  if (h.length !== 32) return undefined;
  let v = 0n;
  for (let w = 0; w < 4; w++) {
    const word = parseInt(h.slice(w * 8, w * 8 + 8), 16);
    if (Number.isNaN(word)) return undefined;
    // each 32-bit word is little-endian
    const be = ((word & 255) << 24) | (((word >>> 8) & 255) << 16) | (((word >>> 16) & 255) << 8) | ((word >>> 24) & 255);
    v = (v << 32n) | BigInt(be >>> 0);
  }
  return formatAddress('ipv6', v);
}

/**
 * Parses one /proc/net/{tcp,tcp6,udp,udp6} table: TCP sockets in LISTEN, UDP sockets
 * not connected to a peer. Malformed lines are skipped.
 */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp', family: Family): Listener[] {
  const out: Listener[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [local, remote, st] = [f[1]!, f[2]!, f[3]!];
    if (protocol === 'tcp' ? st !== TCP_LISTEN : st !== UDP_UNCONNECTED) continue;
    const lc = local.indexOf(':');
    const rc = remote.indexOf(':');
    if (lc < 0 || rc < 0) continue;
    if (protocol === 'udp' && !/^0+$/.test(remote.slice(rc + 1))) continue; // connected UDP socket
    const port = parseInt(local.slice(lc + 1), 16);
    const addr = family === 'ipv4' ? hexToV4(local.slice(0, lc)) : hexToV6(local.slice(0, lc));
    const inode = Number(f[9]);
    if (!addr || !Number.isInteger(port) || port <= 0 || port > 65535 || !Number.isInteger(inode)) continue;
    out.push({ protocol, port, address: addr, family, inode });
  }
  return out;
}

function readText(path: string, unreadable: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    unreadable.push(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return undefined;
  }
}

/** inode → pid by scanning /proc/<pid>/fd/* links "socket:[inode]". */
function socketOwners(procRoot: string, wanted: Set<number>, unreadable: string[]): Map<number, number> {
  const owners = new Map<number, number>();
  if (wanted.size === 0) return owners;
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((n) => /^[0-9]+$/.test(n));
  } catch (e) {
    unreadable.push(`${procRoot}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return owners;
  }
  let denied = 0;
  for (const pid of pids) {
    const fdDir = join(procRoot, pid, 'fd');
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EPERM') denied++;
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(join(fdDir, fd));
      } catch {
        continue;
      }
      if (!link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (wanted.has(inode) && !owners.has(inode)) owners.set(inode, Number(pid));
    }
    if (owners.size === wanted.size) break;
  }
  if (denied > 0) unreadable.push(`${procRoot}/<pid>/fd: permission denied for ${denied} processes (run as root to see every owner)`);
  return owners;
}

/** Reads the live host. Never throws; what it cannot read is listed in `unreadable`. */
export function readLiveHost(opts: LiveOptions = {}): LiveHost {
  const procRoot = opts.procRoot ?? '/proc';
  const netDir = opts.netDir ?? join(procRoot, 'net');
  const run = opts.run ?? defaultRun;
  const unreadable: string[] = [];
  const rulesetTexts: RulesetText[] = [];
  if (!opts.skipCommands) {
    const cmds: { cmd: string; args: string[]; format: RulesetText['format']; family?: Family }[] = [
      { cmd: 'iptables-save', args: [], format: 'iptables-save', family: 'ipv4' },
      { cmd: 'ip6tables-save', args: [], format: 'iptables-save', family: 'ipv6' },
      { cmd: 'nft', args: ['-j', 'list', 'ruleset'], format: 'nftables-json' },
    ];
    for (const c of cmds) {
      let r: { stdout: string; code: number };
      try {
        r = run(c.cmd, c.args);
      } catch (e) {
        r = { stdout: '', code: -1 };
        void e;
      }
      const command = [c.cmd, ...c.args].join(' ');
      if (r.code !== 0) {
        unreadable.push(`${command}: ${r.code === -1 ? 'not available' : `exit code ${r.code}`}`);
        continue;
      }
      if (r.stdout.trim() === '') continue;
      const t: RulesetText = { format: c.format, text: r.stdout, command };
      if (c.family) t.family = c.family;
      rulesetTexts.push(t);
    }
  }
  const listeners: Listener[] = [];
  for (const [file, protocol, family] of [
    ['tcp', 'tcp', 'ipv4'],
    ['tcp6', 'tcp', 'ipv6'],
    ['udp', 'udp', 'ipv4'],
    ['udp6', 'udp', 'ipv6'],
  ] as const) {
    const text = readText(join(netDir, file), unreadable);
    if (text !== undefined) listeners.push(...parseProcNet(text, protocol, family));
  }
  const owners = socketOwners(procRoot, new Set(listeners.map((l) => l.inode).filter((i) => i > 0)), unreadable);
  const procInfo = new Map<number, { comm?: string; cmdline?: string }>();
  for (const l of listeners) {
    const pid = owners.get(l.inode);
    if (pid === undefined) continue;
    l.pid = pid;
    let info = procInfo.get(pid);
    if (!info) {
      info = {};
      try {
        info.comm = readFileSync(join(procRoot, String(pid), 'comm'), 'utf8').trim();
      } catch {
        /* process gone or hidden */
      }
      try {
        const c = readFileSync(join(procRoot, String(pid), 'cmdline'), 'utf8').split('\u0000').filter(Boolean).join(' ');
        if (c) info.cmdline = c;
      } catch {
        /* process gone or hidden */
      }
      procInfo.set(pid, info);
    }
    if (info.comm !== undefined) l.process = info.comm;
    if (info.cmdline !== undefined) l.cmdline = info.cmdline;
  }
  listeners.sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : a.port - b.port || (a.family < b.family ? -1 : a.family > b.family ? 1 : 0)));
  return { rulesetTexts, listeners, unreadable };
}

// ---------------------------------------------------------------- judging

export interface OpenPorts {
  /** Protocol number (6, 17) or name. */
  protocol: number | 'tcp' | 'udp';
  ports: NumSet;
  /** Only this family is open (default both). */
  family?: Family;
}

export interface LiveJudgement {
  /** Open in the firewall, nothing reachable listens (loopback-only listeners do not count). */
  unneeded: { protocol: 'tcp' | 'udp'; ports: NumSet; family?: Family }[];
  /** Open and something reachable listens. */
  served: { protocol: 'tcp' | 'udp'; ports: NumSet; family?: Family }[];
  /** Listeners on Transfer CFT ports whose process is not Transfer CFT: worth investigating. */
  investigate: { listener: Listener; reason: string }[];
}

const CFT_PROCESSES = new Set(['cftmain', 'copsmng', 'copui', 'cfttcps', 'cftssl', 'cfttpro', 'cftprot', 'cfttrk', 'cftlog', 'cftcata', 'cftcom', 'copsrv', 'cftsftp']);

/** True when the process looks like Transfer CFT (CFTMAIN, copsmng, copui, … or a path with Transfer_CFT). */
export function isCftProcess(l: Pick<Listener, 'process' | 'cmdline'>): boolean {
  if (l.process && CFT_PROCESSES.has(l.process.toLowerCase())) return true;
  const c = l.cmdline ?? '';
  return c.includes('Transfer_CFT') || /(^|\/)(CFTMAIN|cftmain|copsmng|copui)(\s|$)/.test(c);
}

function isLoopback(l: Listener): boolean {
  return l.family === 'ipv4' ? l.address.startsWith('127.') : l.address === '::1';
}

function protoName(p: OpenPorts['protocol']): 'tcp' | 'udp' | undefined {
  const n = typeof p === 'number' ? protocolName(p) : p;
  return n === 'tcp' || n === 'udp' ? n : undefined;
}

/**
 * Compares what the firewall opens with what listens. A listener on a wildcard
 * address serves both families when it is an IPv6 socket (dual stack); a
 * listener bound to one non-loopback address counts as serving the port.
 */
export function judgeLive(openPorts: OpenPorts[], listeners: Listener[]): LiveJudgement {
  const unneeded: LiveJudgement['unneeded'] = [];
  const served: LiveJudgement['served'] = [];
  for (const o of openPorts) {
    const proto = protoName(o.protocol);
    if (!proto) continue;
    let listening: NumSet = IntervalSet.empty();
    for (const l of listeners) {
      if (l.protocol !== proto || isLoopback(l)) continue;
      const serves = !o.family || l.family === o.family || (o.family === 'ipv4' && l.family === 'ipv6' && l.address === '::');
      if (serves) listening = listening.union(IntervalSet.range(l.port, l.port + 1));
    }
    const un = o.ports.subtract(listening);
    const sv = o.ports.intersect(listening);
    if (!un.isEmpty) unneeded.push(o.family ? { protocol: proto, ports: un, family: o.family } : { protocol: proto, ports: un });
    if (!sv.isEmpty) served.push(o.family ? { protocol: proto, ports: sv, family: o.family } : { protocol: proto, ports: sv });
  }
  const investigate: LiveJudgement['investigate'] = [];
  for (const l of listeners) {
    if (!CFT_BLOCK.has(l.port)) continue;
    if (isCftProcess(l)) continue;
    const who = l.process ? `process "${l.process}"${l.pid !== undefined ? ` (pid ${l.pid})` : ''}` : 'an unknown process (owner not readable)';
    investigate.push({ listener: l, reason: `${l.protocol.toUpperCase()} ${l.port} (Transfer CFT block) on ${l.address} is served by ${who}, not Transfer CFT` });
  }
  return { unneeded, served, investigate };
}
