import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { tracePacket, type Packet, type TraceResult } from '../analysis/index.js';
import type { Ruleset } from '../model/index.js';
import { loadInput, parseLoaded, readStdin, scriptStartOption, stdinInput } from './inputs.js';
import { UsageError, type Io } from './main.js';

const PROTOS = new Set(['tcp', 'udp', 'icmp', 'icmpv6', 'sctp']);

function toPacket(o: Record<string, unknown>, where: string): Packet {
  const proto = o.proto;
  if (typeof proto !== 'string' && typeof proto !== 'number') throw new UsageError(`${where}: "proto" is required`);
  if (typeof proto === 'string' && !PROTOS.has(proto) && !/^[0-9]+$/.test(proto)) throw new UsageError(`${where}: unknown proto "${proto}"`);
  const p: Packet = { proto: typeof proto === 'string' && /^[0-9]+$/.test(proto) ? Number(proto) : (proto as Packet['proto']) };
  const port = (k: 'dport' | 'sport') => {
    const v = o[k];
    if (v === undefined) return;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${where}: ${k} must be 0..65535`);
    p[k] = n;
  };
  port('dport');
  port('sport');
  // (without a type every ICMP-type match is undecided: an ICMPv6 neighbour solicitation could not be traced)
  const icmp = (k: 'icmpType' | 'icmpCode', flag: string) => {
    const v = o[k] ?? o[flag];
    if (v === undefined) return;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new UsageError(`${where}: ${k} must be 0..255`);
    p[k] = n;
  };
  icmp('icmpType', 'icmp-type');
  icmp('icmpCode', 'icmp-code');
  for (const k of ['src', 'dst', 'iif', 'oif'] as const) if (o[k] !== undefined) p[k] = String(o[k]);
  if (o.hook !== undefined) {
    if (o.hook !== 'input' && o.hook !== 'forward') throw new UsageError(`${where}: hook must be input or forward`);
    p.hook = o.hook;
  }
  if (o.state !== undefined) {
    const s = String(o.state);
    if (!['new', 'established', 'related', 'invalid', 'untracked'].includes(s)) throw new UsageError(`${where}: unknown state "${s}"`);
    p.state = s as Packet['state'];
  }
  if (o.family !== undefined) p.family = o.family === 'ipv6' ? 'ipv6' : 'ipv4';
  return p;
}

export function formatTraceText(r: TraceResult): string {
  const lines = r.steps.map((s) => `  ${`${s.table}/${s.chain}`.padEnd(24)} line ${String(s.line).padStart(5)}  ${s.effect.padEnd(22)} ${s.text}`);
  const reasons = r.reasons.map((x) => `  because: ${x}`);
  return `${lines.join('\n')}${lines.length ? '\n' : ''}verdict: ${r.verdict}\n${reasons.join('\n')}${reasons.length ? '\n' : ''}`;
}

export async function traceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    proto: { type: 'string' },
    dport: { type: 'string' },
    sport: { type: 'string' },
    src: { type: 'string' },
    dst: { type: 'string' },
    iif: { type: 'string' },
    oif: { type: 'string' },
    hook: { type: 'string' },
    state: { type: 'string' },
    family: { type: 'string' },
    'icmp-type': { type: 'string' },
    'icmp-code': { type: 'string' },
    format: { type: 'string', short: 'f', default: 'text' },
    probes: { type: 'string' },
    ruleset: { type: 'string' },
    'input-format': { type: 'string' },
    'script-start': { type: 'string' },
    'stdin-filename': { type: 'string' },
  } });
  if (positionals.length !== 1) throw new UsageError('trace takes exactly one FILE');
  if (values['stdin-filename'] !== undefined && positionals[0] !== '-') throw new UsageError(`--stdin-filename names standard input, which is read only from the path '-'`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError('trace --format is text or json');
  const scriptStart = scriptStartOption(values['script-start']);
  // '-': standard input, as `fwlint -` reads it (`iptables-save | fwlint trace - --proto tcp --dport 22`)
  const file = positionals[0] === '-' ? stdinInput(await readStdin(), values['input-format'], values['stdin-filename']) : loadInput(positionals[0]!, values['input-format']);
  if (file.error) throw new UsageError(file.error);
  const doc = parseLoaded(file, scriptStart)!;
  const errors = doc.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    io.stderr(errors.map((d) => `${positionals[0]}:${d.span.start.line}:${d.span.start.column}: ${d.message}`).join('\n') + '\n');
    // (a source file's errors concern one rule, which then opens nothing or only possibly: the rest can be traced)
    if (!file.source || doc.rulesets.length === 0) return 1;
  }
  let ruleset: Ruleset | undefined = doc.rulesets[0];
  if (values.ruleset) ruleset = doc.rulesets.find((r) => r.name === values.ruleset || r.targets.includes(values.ruleset!));
  if (!ruleset) throw new UsageError(values.ruleset ? `no ruleset named ${values.ruleset}` : 'the file holds no ruleset');
  if (!values.ruleset && doc.rulesets.length > 1) {
    // (a CDK / Pulumi file or a cloud export holds one ruleset per group: the verdict is this one's alone)
    const others = doc.rulesets.slice(1).map((r) => r.name);
    const list = others.length > 5 ? `${others.slice(0, 5).join(', ')}, … (${others.length} in all)` : others.join(', ');
    io.stderr(`fwlint trace: ${positionals[0]} holds ${doc.rulesets.length} rulesets; this traces the first, ${ruleset.name} (--ruleset NAME traces another: ${list})\n`);
  }

  if (values.probes) {
    let list: unknown;
    try {
      list = JSON.parse(readFileSync(values.probes, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read probes ${values.probes}: ${(e as Error).message}`);
    }
    if (!Array.isArray(list)) throw new UsageError('--probes must hold a JSON array of packets');
    const rs = ruleset;
    const out = list.map((o, i) => tracePacket(rs, toPacket((o ?? {}) as Record<string, unknown>, `probe ${i}`)));
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const packet = toPacket(values as Record<string, unknown>, 'packet');
  const result = tracePacket(ruleset, packet);
  io.stdout(values.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatTraceText(result));
  return 0;
}
