/**
 * `fwlint --live`: this host's running rules (iptables-save, ip6tables-save,
 * nft -j list ruleset, whichever exist) linted like files, plus what no file
 * shows — ports open in the firewall with nothing listening, and listeners on
 * Transfer CFT ports whose process is not Transfer CFT. Works without root
 * where it can and says what it could not read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ESLint, Linter } from 'eslint';
import { computeExposure, exposedPorts } from '../analysis/index.js';
import { describePorts } from '../catalog/index.js';
import { judgeLive, readLiveHost, type LiveOptions, type OpenPorts } from '../deployments/live.js';
import { parseWithFormat } from '../eslint/language.js';
import { IntervalSet, PORT_UNIVERSE } from '../model/index.js';
import { formatById } from '../parsers/registry.js';
import type { Io } from './main.js';

const NAMES: Record<string, string> = {
  'iptables-save': 'live/iptables-save.rules',
  'ip6tables-save': 'live/ip6tables-save.rules',
  nft: 'live/nft-ruleset.json',
};

function message(ruleId: string, severity: 1 | 2, text: string): Linter.LintMessage {
  return { ruleId, severity, message: text, line: 1, column: 1, nodeType: null } as unknown as Linter.LintMessage;
}

const IPTABLES_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

function onlyIptablesTables(json: string): boolean {
  try {
    const items = (JSON.parse(json) as { nftables?: { table?: { family: string; name: string } }[] }).nftables ?? [];
    return items.every((i) => !i.table || ((i.table.family === 'ip' || i.table.family === 'ip6') && IPTABLES_TABLES.has(i.table.name)));
  } catch {
    return false;
  }
}

/**
 * The families whose input some loaded rules filter: an iptables-save dump of that family with a filter table, an
 * nft base chain on the input hook of an ip, ip6 or inet table (a netdev ingress chain is counted for both, so as not
 * to say "no firewall" where one filters earlier).
 */
function filteredFamilies(texts: readonly { format: string; text: string; family?: 'ipv4' | 'ipv6' }[]): Set<'ipv4' | 'ipv6'> {
  const out = new Set<'ipv4' | 'ipv6'>();
  for (const t of texts) {
    if (t.format === 'iptables-save') {
      if (/^\*filter\s*$/m.test(t.text)) out.add(t.family ?? 'ipv4');
      continue;
    }
    let items: { chain?: { family?: string; hook?: string } }[] = [];
    try {
      items = (JSON.parse(t.text) as { nftables?: typeof items }).nftables ?? [];
    } catch {
      // unreadable JSON: counted as filtering both, as nothing is known of it
      out.add('ipv4').add('ipv6');
    }
    for (const { chain } of items) {
      if (!chain) continue;
      const f = chain.family;
      if (chain.hook === 'input' && (f === 'ip' || f === 'inet')) out.add('ipv4');
      if (chain.hook === 'input' && (f === 'ip6' || f === 'inet')) out.add('ipv6');
      if (chain.hook === 'ingress' && f === 'netdev') out.add('ipv4').add('ipv6');
    }
  }
  return out;
}

/**
 * Whether an interface other than loopback has an IPv6 address, link-local ones included (/proc/net/if_inet6: one
 * line per address, the interface's name last; absent or empty: IPv6 is off).
 */
function hasIpv6(procRoot: string): boolean {
  try {
    const lines = readFileSync(join(procRoot, 'net', 'if_inet6'), 'utf8').split('\n');
    return lines.some((l) => {
      const name = l.trim().split(/\s+/).pop();
      return name !== undefined && name !== '' && name !== 'lo';
    });
  } catch {
    return false;
  }
}

export async function liveInputs(_io: Io, opts: LiveOptions = {}): Promise<{ texts: { name: string; format: string; text: string }[]; results: ESLint.LintResult[] }> {
  const host = readLiveHost(opts);
  // a family that no loaded rule filters is open on every port: no ruleset says so (a host with iptables rules and
  // none for IPv6, the classic way around a firewall, was reported on IPv4 alone)
  const filtered = filteredFamilies(host.rulesetTexts);
  const unfiltered = (['ipv4', 'ipv6'] as const).filter((f) => !filtered.has(f) && (f === 'ipv4' || hasIpv6(opts.procRoot ?? '/proc')));
  // iptables-nft writes its rules into nft tables too: when iptables-save already gave them,
  // an nft ruleset made only of the iptables tables would report every finding twice
  const fromIptables = host.rulesetTexts.some((r) => r.format === 'iptables-save' && /^-A /m.test(r.text));
  host.rulesetTexts = host.rulesetTexts.filter((r) => !(fromIptables && r.format === 'nftables-json' && onlyIptablesTables(r.text)));
  const texts = host.rulesetTexts.map((r) => ({ name: NAMES[r.command.split(' ')[0]!] ?? `live/${r.command.replace(/[^a-z0-9]+/gi, '-')}`, format: r.format, text: r.text }));

  // what the firewall lets in (open or possibly open), per protocol and family
  const byKey = new Map<string, OpenPorts>();
  for (const t of host.rulesetTexts) {
    const format = formatById(t.format);
    if (!format) continue;
    const doc = parseWithFormat(format, t.text, undefined, {});
    for (const rs of doc.rulesets) {
      const exp = computeExposure(rs, { hook: 'input' });
      for (const [protocol, name] of [[6, 'tcp'], [17, 'udp']] as const) {
        for (const family of ['ipv4', 'ipv6'] as const) {
          let ports = IntervalSet.empty<number>();
          for (const e of exposedPorts(exp, protocol, PORT_UNIVERSE)) if (e.family === family) ports = ports.union(e.dports);
          if (ports.isEmpty) continue;
          const key = `${name}/${family}`;
          const prev = byKey.get(key);
          byKey.set(key, { protocol: name, family, ports: prev ? prev.ports.union(ports) : ports });
        }
      }
    }
  }
  const verdict = judgeLive([...byKey.values()], host.listeners);
  const messages: Linter.LintMessage[] = [];
  for (const u of verdict.unneeded) {
    messages.push(message('fwlint/live-unneeded', 2, `${describePorts(u.protocol === 'tcp' ? 6 : 17, u.ports)} open in the firewall${u.family ? ` (${u.family === 'ipv4' ? 'IPv4' : 'IPv6'})` : ''} with nothing listening: not needed.`));
  }
  for (const i of verdict.investigate) {
    const l = i.listener;
    const who = l.process ? `process ${l.process}${l.pid ? ` (pid ${l.pid})` : ''}` : 'a process this user cannot see';
    messages.push(message('fwlint/live-investigate', 2, `${l.protocol.toUpperCase()} ${l.port} (${l.address}) is served by ${who}, which is not Transfer CFT: worth investigating (${i.reason}).`));
  }
  // said only when what could hold such rules was read: the family's iptables-save, and nft (or no nft installed)
  const read = (cmd: string) => !opts.skipCommands && host.unreadable.every((u) => !u.startsWith(`${cmd}:`));
  const nftRead = read('nft -j list ruleset') || host.unreadable.includes('nft -j list ruleset: not available');
  for (const f of unfiltered) {
    const name = f === 'ipv4' ? 'IPv4' : 'IPv6';
    const from = f === 'ipv4' ? 'iptables-save' : 'ip6tables-save';
    if (!read(from) || !nftRead) continue;
    messages.push(message('fwlint/live-unfiltered', 2, `${name}: no firewall rules filter this host's input (${from} shows no filter table, nft list ruleset no input chain for ${name}): every port is open to whatever reaches it over ${name}.`));
  }
  for (const u of host.unreadable) messages.push(message('fwlint/live-unreadable', 1, `could not read ${u}`));
  const errorCount = messages.filter((m) => m.severity === 2).length;
  const result = {
    filePath: 'live/host',
    messages,
    suppressedMessages: [],
    errorCount,
    fatalErrorCount: 0,
    warningCount: messages.length - errorCount,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  } as ESLint.LintResult;
  return { texts, results: [result] };
}
