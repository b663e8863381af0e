/**
 * The closing table of the stylish format: files, findings by rule, and the
 * exposed ports that rules flagged (how many files expose each).
 *
 * Ports come from the findings of the exposure rules, whose messages are
 * written by src/catalog describePorts(): "TCP 1761 (cft-0, …), 1762-1765;
 * UDP 53 (domain)". Reading our own fixed wording keeps the summary free
 * (no second analysis), works with ESLint's worker threads and with cached
 * results; a message that does not follow it simply adds nothing.
 */
import type { ESLint } from 'eslint';

/** Rules whose messages name exposed ports. */
export const EXPOSURE_RULES = new Set([
  'firewall/no-unneeded-cft-ports',
  'firewall/no-world-open-sensitive-ports',
  'firewall/no-undeclared-registered-ports',
  'firewall/ip-family-parity',
]);

const PROTOS = ['TCP', 'UDP', 'SCTP', 'DCCP'];

/** Split at `sep` outside parentheses. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** "tcp/1761", "udp/1024-1760", "tcp/all" for each port item a finding message names. */
export function portsInMessage(message: string): string[] {
  let head = message;
  for (const stop of [' reachable ', ' of the Transfer CFT deployment']) {
    const i = head.indexOf(stop);
    if (i >= 0) head = head.slice(0, i);
  }
  const out: string[] = [];
  for (let seg of splitTop(head, '; ')) {
    // the first segment carries the certainty: "Open: TCP …", "Possibly open (…): UDP …"
    let at = -1;
    for (const p of PROTOS) {
      const i = seg.startsWith(`${p} `) ? 0 : seg.indexOf(`: ${p} `) >= 0 ? seg.indexOf(`: ${p} `) + 2 : -1;
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at < 0) continue;
    seg = seg.slice(at);
    const sp = seg.indexOf(' ');
    const proto = seg.slice(0, sp).toLowerCase();
    const list = seg.slice(sp + 1);
    if (list.startsWith('all ports')) {
      out.push(`${proto}/all`);
      continue;
    }
    for (const item of splitTop(list, ', ')) {
      const m = /^(\d{1,5}(?:-\d{1,5})?)(?:\s|$)/.exec(item.trim());
      if (m) out.push(`${proto}/${m[1]}`);
    }
  }
  return out;
}

function portOrder(k: string): number {
  const [proto, ports] = k.split('/') as [string, string];
  const first = ports === 'all' ? -1 : Number(ports.split('-')[0]);
  return (PROTOS.indexOf(proto.toUpperCase()) << 17) + first + 1;
}

/** "1 file no firewall format recognises, left alone: a.json" (at most five named), or '' when there are none. */
export function leftAloneNote(names: readonly string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  return `${names.length} file${names.length === 1 ? '' : 's'} in a folder no firewall format recognises, left alone: ${shown}`;
}

/**
 * Splits overlapping port items of one protocol into disjoint ranges, each with every file and error finding that
 * names a port of it: "tcp/22" of one finding and "tcp/20-23" of another (a message lists many ports as ranges) were
 * two rows that each counted one file for port 22, exposed by two. Items that overlap nothing keep their rows;
 * "all" items stay as they are.
 */
function disjoint(byPort: Map<string, { files: Set<string>; errors: number }>): void {
  const byProto = new Map<string, { key: string; lo: number; hi: number }[]>();
  for (const key of byPort.keys()) {
    const [proto, ports] = key.split('/') as [string, string];
    if (ports === 'all') continue;
    const [lo, hi = lo] = ports.split('-').map(Number) as [number, number?];
    let list = byProto.get(proto);
    if (!list) byProto.set(proto, (list = []));
    list.push({ key, lo, hi });
  }
  for (const [proto, items] of byProto) {
    items.sort((a, b) => a.lo - b.lo);
    let reach = -1;
    let overlap = false;
    for (const it of items) {
      if (it.lo <= reach) overlap = true;
      reach = Math.max(reach, it.hi);
    }
    if (!overlap) continue;
    const bounds = [...new Set(items.flatMap((it) => [it.lo, it.hi + 1]))].sort((a, b) => a - b);
    const starts = new Map<number, typeof items>();
    const ends = new Map<number, typeof items>();
    for (const it of items) {
      if (!starts.has(it.lo)) starts.set(it.lo, []);
      starts.get(it.lo)!.push(it);
      if (!ends.has(it.hi + 1)) ends.set(it.hi + 1, []);
      ends.get(it.hi + 1)!.push(it);
    }
    // a sweep over the bounds, with the items that cover the range from each bound to the next
    const active = new Set<(typeof items)[number]>();
    const pieces: { lo: number; hi: number; keys: string; files: Set<string>; errors: number }[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const lo = bounds[i]!;
      for (const it of ends.get(lo) ?? []) active.delete(it);
      for (const it of starts.get(lo) ?? []) active.add(it);
      if (active.size === 0) continue;
      const hi = bounds[i + 1]! - 1;
      const over = [...active].sort((a, b) => (a.key < b.key ? -1 : 1));
      const keys = over.map((it) => it.key).join(' ');
      const last = pieces.at(-1);
      // the pieces of one item (or of the same items) form one range again
      if (last && last.hi + 1 === lo && last.keys === keys) {
        last.hi = hi;
        continue;
      }
      const files = new Set<string>();
      let errors = 0;
      for (const it of over) {
        const e = byPort.get(it.key)!;
        for (const f of e.files) files.add(f);
        errors += e.errors;
      }
      pieces.push({ lo, hi, keys, files, errors });
    }
    for (const it of items) byPort.delete(it.key);
    for (const p of pieces) byPort.set(`${proto}/${p.lo === p.hi ? p.lo : `${p.lo}-${p.hi}`}`, { files: p.files, errors: p.errors });
  }
}

/**
 * `leftAlone`: the files of a folder walk that no format recognised (ESLint gives each an empty result), by name;
 * `leftAloneShown` of them are among `results` (--quiet leaves them out).
 */
export function summaryTable(results: ESLint.LintResult[], _tty: boolean, maxPorts = 10, leftAlone: readonly string[] = [], leftAloneShown = leftAlone.length): string {
  const byRule = new Map<string, { errors: number; warnings: number }>();
  /** "tcp/1768" → files */
  const byPort = new Map<string, { files: Set<string>; errors: number }>();
  for (const r of results) {
    for (const m of r.messages) {
      const id = m.ruleId ?? (m.fatal ? 'parse error' : 'other');
      const c = byRule.get(id) ?? { errors: 0, warnings: 0 };
      if (m.severity === 2) c.errors++;
      else c.warnings++;
      byRule.set(id, c);
      if (m.ruleId && EXPOSURE_RULES.has(m.ruleId)) {
        for (const p of portsInMessage(m.message)) {
          let e = byPort.get(p);
          if (!e) byPort.set(p, (e = { files: new Set(), errors: 0 }));
          e.files.add(r.filePath);
          if (m.severity === 2) e.errors++;
        }
      }
    }
  }
  const withFindings = results.filter((r) => r.messages.length > 0).length;
  const linted = results.length - leftAloneShown;
  const lines = [`fwlint: ${linted} file${linted === 1 ? '' : 's'} linted, ${withFindings} with findings`];
  if (leftAlone.length > 0) lines.push(`  (${leftAloneNote(leftAlone)})`);
  if (byRule.size > 0) {
    const width = Math.max(...[...byRule.keys()].map((k) => k.length), 4);
    lines.push(`  ${'rule'.padEnd(width)}  errors  warnings`);
    for (const [id, c] of [...byRule].sort((a, b) => b[1].errors + b[1].warnings - (a[1].errors + a[1].warnings))) {
      lines.push(`  ${id.padEnd(width)}  ${String(c.errors).padStart(6)}  ${String(c.warnings).padStart(8)}`);
    }
  }
  if (byPort.size > 0) {
    disjoint(byPort);
    // most files first, then errors before warnings, then protocol and port order
    const ranked = [...byPort].sort((a, b) => b[1].files.size - a[1].files.size || b[1].errors - a[1].errors || portOrder(a[0]) - portOrder(b[0]));
    const shown = ranked.slice(0, maxPorts);
    const width = Math.max(...shown.map(([k]) => k.length), 'exposed port'.length);
    lines.push(`  ${'exposed port'.padEnd(width)}  files  errors`);
    for (const [k, e] of shown) lines.push(`  ${k.padEnd(width)}  ${String(e.files.size).padStart(5)}  ${String(e.errors).padStart(6)}`);
    if (ranked.length > shown.length) lines.push(`  … and ${ranked.length - shown.length} more`);
  }
  return `${lines.join('\n')}\n`;
}
