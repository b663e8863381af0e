/**
 * `fwlint --live`: this host's running rules (iptables-save, ip6tables-save,
 * nft -j list ruleset, whichever exist) linted like files, plus what no file
 * shows — ports open in the firewall with nothing listening, and listeners on
 * Transfer CFT ports whose process is not Transfer CFT. Works without root
 * where it can and says what it could not read.
 */
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

export async function liveInputs(_io: Io, opts: LiveOptions = {}): Promise<{ texts: { name: string; format: string; text: string }[]; results: ESLint.LintResult[] }> {
  const host = readLiveHost(opts);
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
