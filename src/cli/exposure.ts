import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { computeExposure, type ExposureEntry } from '../analysis/index.js';
import { ianaName } from '../catalog/index.js';
import { closedRanges, countNums, familiesLeftToHost, formatPorts, PORT_PROTOCOLS, PROTO_UNIVERSE, protocolName, type NumSet } from '../model/index.js';
import { describeSources, viaInterfaces } from '../eslint/rule-kit.js';
import { loadPaths, parseLoaded, readStdin, scriptStartOption, stdinInput } from './inputs.js';
import { UsageError, type Io } from './main.js';

/** "22 (ssh), 1761-1768 (cft-0…cft-7)"; IANA names for registered ports when the set is small. */
export function portsWithNames(protocol: number, ports: NumSet): string {
  if (!PORT_PROTOCOLS.has(protocol)) return '-';
  const name = protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : protocol === 132 ? 'sctp' : protocol === 33 ? 'dccp' : undefined;
  if (countNums(ports) === 65536) return 'all';
  return closedRanges(ports)
    .map(([a, b]) => {
      const text = a === b ? String(a) : `${a}-${b}`;
      if (!name || b - a > 15) return text;
      const first = ianaName(a, name as 'tcp');
      const last = ianaName(b, name as 'tcp');
      if (!first) return text;
      return a === b ? `${text} (${first})` : `${text} (${first}…${last ?? '?'})`;
    })
    .join(', ');
}

interface Row {
  family: string;
  proto: string;
  ports: string;
  sources: string;
  certainty: string;
  lines: string;
  reasons: string[];
}

function protoLabel(protocols: NumSet): string {
  if (protocols.equals(PROTO_UNIVERSE)) return 'all';
  if (countNums(protocols) === 1) return protocolName(closedRanges(protocols)[0]![0]);
  if (countNums(protocols) > 8) {
    // most of them: named by what is left out ("all except tcp, udp"), not a count that hides TCP and UDP
    const missing = PROTO_UNIVERSE.subtract(protocols);
    if (countNums(missing) <= 8) return `all except ${names(missing)}`;
    return `${countNums(protocols)} protocols`;
  }
  return formatPorts(protocols, PROTO_UNIVERSE);
}

function names(protocols: NumSet): string {
  const out: string[] = [];
  for (const [lo, hi] of closedRanges(protocols)) for (let p = lo; p <= hi; p++) out.push(protocolName(p));
  return out.join(', ');
}

function rows(entries: ExposureEntry[]): Row[] {
  const out: Row[] = [];
  for (const e of entries) {
    const line = e.rule ? String(e.rule.span.start.line) : `policy ${e.chain.name}${e.chain.policySpan ? ` (line ${e.chain.policySpan.start.line})` : ''}`;
    const protos = closedRanges(e.protocols);
    const single = protos.length === 1 && protos[0]![0] === protos[0]![1] ? protos[0]![0] : undefined;
    out.push({
      family: e.family,
      proto: protoLabel(e.protocols),
      ports: single !== undefined ? portsWithNames(single, e.dports) : PORT_PROTOCOLS.intersect(e.protocols).isEmpty ? '-' : formatPorts(e.dports),
      sources: describeSources(e.sources, e.principals) + viaInterfaces(e.interfaces),
      certainty: e.certainty === 'open' ? 'open' : 'possibly open',
      lines: line + (e.via ? ` (DNAT line ${e.via.rule.span.start.line} → ${e.via.to})` : ''),
      reasons: e.reasons.map((r) => r.message),
    });
  }
  return out;
}

function table(rs: Row[]): string {
  const head: Row = { family: 'family', proto: 'proto', ports: 'ports', sources: 'sources', certainty: 'certainty', lines: 'lines', reasons: [] };
  const all = [head, ...rs];
  const keys = ['family', 'proto', 'ports', 'sources', 'certainty'] as const;
  const width = Object.fromEntries(keys.map((k) => [k, Math.min(60, Math.max(...all.map((r) => r[k].length)))])) as Record<(typeof keys)[number], number>;
  const lines: string[] = [];
  for (const r of all) {
    lines.push(`  ${keys.map((k) => r[k].padEnd(width[k])).join('  ')}  ${r.lines}`);
    for (const reason of r.reasons.slice(0, 3)) lines.push(`      because: ${reason}`);
  }
  return lines.join('\n');
}

export async function exposureCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    format: { type: 'string', short: 'f', default: 'text' },
    hook: { type: 'string', default: 'input' },
    'input-format': { type: 'string' },
    'script-start': { type: 'string' },
    'stdin-filename': { type: 'string' },
  } });
  if (positionals.length === 0) throw new UsageError('exposure takes at least one PATH');
  if (values['stdin-filename'] !== undefined && !positionals.includes('-')) throw new UsageError(`--stdin-filename names standard input, which is read only when '-' is among the paths`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError('exposure --format is text or json');
  if (values.hook !== 'input' && values.hook !== 'forward') throw new UsageError('--hook is input or forward');
  const hook = values.hook;
  const scriptStart = scriptStartOption(values['script-start']);
  // '-': standard input, as `fwlint -` reads it (`iptables-save | fwlint exposure -`)
  const stdin = positionals.includes('-') ? stdinInput(await readStdin(), values['input-format'], values['stdin-filename']) : undefined;
  const files = positionals.flatMap((p) => (p === '-' ? [stdin!] : loadPaths([p], values['input-format'])));
  const json: unknown[] = [];
  const text: string[] = [];
  let failed = false;
  for (const f of files) {
    const name = relative(process.cwd(), f.path) || f.path;
    if (f.error) {
      io.stderr(`${name}: ${f.error}\n`);
      failed = true;
      continue;
    }
    const doc = parseLoaded(f, scriptStart)!;
    const errors = doc.diagnostics.filter((d) => d.severity === 'error');
    for (const d of errors) io.stderr(`${name}:${d.span.start.line}:${d.span.start.column}: ${d.message}\n`);
    // (a source file's errors concern one rule, which then opens nothing or only possibly: the rest is still its exposure)
    if (errors.length > 0 && (!f.source || doc.rulesets.length === 0)) {
      failed = true;
      continue;
    }
    const fileJson: { file: string; format: string; rulesets: unknown[] } = { file: name, format: doc.format, rulesets: [] };
    for (const rs of doc.rulesets) {
      const exp = computeExposure(rs, { hook });
      const entries = exp.entries.filter((e) => !e.sources.isEmpty || e.principals.length > 0);
      // a family the file says nothing of (the host's other rules decide it): every packet of it possibly open
      const unfiltered = familiesLeftToHost(rs).map((family) => ({
        family,
        everyone: family === 'ipv4' ? '0.0.0.0/0' : '::/0',
        why: doc.format.startsWith('iptables')
          ? `the ruleset does not filter ${family}: ${family === 'ipv6' ? 'ip6tables' : 'iptables'} rules, not in this file, decide it`
          : `the ruleset does not filter ${family}: this file does not replace the host's rules (no flush ruleset), so what the host does with ${family} is not in it`,
      }));
      const r = [...rows(entries), ...unfiltered.map((u) => ({ family: u.family, proto: 'all', ports: 'all', sources: u.everyone, certainty: 'possibly open', lines: '-', reasons: [u.why] }))];
      text.push(`${name} — ${rs.name} (${doc.format}, hook ${hook})\n${r.length > 0 ? table(r) : '  nothing reachable: every new connection is dropped or rejected'}\n`);
      fileJson.rulesets.push({
        name: rs.name,
        targets: rs.targets,
        hook,
        entries: entries.map((e) => ({
          family: e.family,
          protocols: closedRanges(e.protocols),
          ports: closedRanges(e.dports),
          sources: e.sources.toCidrs(),
          principals: e.principals,
          interfaces: e.interfaces,
          certainty: e.certainty,
          line: e.rule?.span.start.line ?? null,
          policy: e.rule ? null : `${e.table.name}/${e.chain.name}`,
          via: e.via ? { line: e.via.rule.span.start.line, to: e.via.to } : null,
          reasons: e.reasons.map((x) => ({ message: x.message, line: x.span?.start.line ?? null })),
        })).concat(
          unfiltered.map((u) => ({
            family: u.family,
            protocols: [[0, 255]],
            ports: [[0, 65535]],
            sources: [u.everyone],
            principals: [] as string[],
            interfaces: 'any',
            certainty: 'possibly-open' as const,
            line: null,
            policy: null,
            via: null,
            reasons: [{ message: u.why, line: null }],
          })),
        ),
      });
    }
    json.push(fileJson);
  }
  io.stdout(values.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text.join('\n'));
  return failed ? 1 : 0;
}
