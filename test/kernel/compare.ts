/**
 * The differential loop: load a generated ruleset into the kernel lab, send its
 * probes, parse the same text with our parser, trace each probe with our engine,
 * and collect every disagreement with everything needed to reproduce it.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { GeneratedRuleset } from './common.js';
import type { NetnsLab, Outcome, Probe } from './netns.js';
import type { Exposure, Packet, PacketClass, TraceResult } from '../../src/analysis/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The engine's own packet and result types (src/analysis): one definition. */
export type TracePacket = Packet;
export type TraceResultLike = TraceResult;

/** Our side: text → ruleset → verdict. */
export interface Engine {
  parse(g: GeneratedRuleset): { ruleset?: unknown; diagnostics: string[] };
  trace(ruleset: unknown, packet: TracePacket): TraceResultLike;
  /** Where the packet lies in the exposure the lint rules judge (computeExposure, input hook): the symbolic engine's answer. */
  classify(ruleset: unknown, packet: TracePacket): PacketClass;
}

type ParseFn = (text: string, opts?: { filePath?: string; family?: 'ipv4' | 'ipv6' }) => {
  rulesets: unknown[];
  diagnostics: { message: string; severity?: string; span?: { start?: { line: number; column: number } }; line?: number; column?: number }[];
};
type TraceFn = (ruleset: unknown, packet: TracePacket) => TraceResultLike;
type ExposureFn = (ruleset: unknown, opts: { hook: 'input' | 'forward' }) => Exposure;
type ClassifyFn = (exposure: Exposure, packet: TracePacket) => PacketClass;

async function importIfPresent(rel: string): Promise<Record<string, unknown> | string> {
  const abs = path.resolve(HERE, rel);
  try {
    // A computed specifier: the modules are written by other people and may not exist yet.
    return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    return `cannot load ${path.relative(path.resolve(HERE, '../..'), abs)}: ${(e as Error).message.split('\n')[0]}`;
  }
}

/**
 * Loads `parseIptables`/`parseNftables` and `tracePacket` from src/. Returns a
 * reason when they are not there (yet), so the kernel side can still run.
 */
export async function loadEngine(kind: 'iptables' | 'nftables'): Promise<Engine | string> {
  const parserMod = await importIfPresent(`../../src/parsers/${kind}/index.ts`);
  if (typeof parserMod === 'string') return parserMod;
  const analysisMod = await importIfPresent('../../src/analysis/index.ts');
  if (typeof analysisMod === 'string') return analysisMod;
  const parse = parserMod[kind === 'iptables' ? 'parseIptables' : 'parseNftables'] as ParseFn | undefined;
  const trace = analysisMod.tracePacket as TraceFn | undefined;
  const exposureOf = analysisMod.computeExposure as ExposureFn | undefined;
  const classify = analysisMod.classifyPacket as ClassifyFn | undefined;
  if (typeof parse !== 'function') return `src/parsers/${kind}/index.ts does not export ${kind === 'iptables' ? 'parseIptables' : 'parseNftables'}`;
  if (typeof trace !== 'function') return 'src/analysis/index.ts does not export tracePacket';
  if (typeof exposureOf !== 'function' || typeof classify !== 'function') return 'src/analysis/index.ts does not export computeExposure and classifyPacket';
  const exposures = new WeakMap<object, Map<string, Exposure>>();
  return {
    parse(g) {
      const doc = parse(g.text, { filePath: `seed-${g.seed}.${g.loader === 'nft' ? 'nft' : 'rules'}`, family: g.family });
      const diagnostics = doc.diagnostics.map((d) => {
        const line = d.span?.start?.line ?? d.line;
        const col = d.span?.start?.column ?? d.column;
        return `${line ?? '?'}:${col ?? '?'} ${d.severity ?? ''} ${d.message}`.trim();
      });
      return { ruleset: doc.rulesets[0], diagnostics };
    },
    trace: (rs, p) => trace(rs, p),
    classify(rs, p) {
      // (the exposure of the packet's hook: input, or forward for the transparent lab's probes)
      const hook = p.hook === 'forward' ? 'forward' : 'input';
      let byHook = exposures.get(rs as object);
      if (!byHook) exposures.set(rs as object, (byHook = new Map()));
      let e = byHook.get(hook);
      if (!e) byHook.set(hook, (e = exposureOf(rs, { hook })));
      return classify(e, p);
    },
  };
}

export function toPacket(p: Probe, sport: number): TracePacket {
  if (p.proto === 'icmp') {
    // an echo request (what the lab's `ping` sends); the lab's source-port counter is its identifier, not a port
    const v6 = p.family === 'ipv6';
    const path = p.path === 'forward' ? { hook: 'forward' as const, oif: 'eth1' } : { hook: 'input' as const };
    return { family: p.family, proto: v6 ? 'icmpv6' : 'icmp', icmpType: v6 ? 128 : 8, icmpCode: 0, src: p.src, dst: p.dst, iif: p.iif, ...path, state: 'new' };
  }
  // the forward path (the transparent lab): in by eth0, out by eth1 towards the server
  const path = p.path === 'forward' ? { hook: 'forward' as const, oif: 'eth1' } : { hook: 'input' as const };
  return { family: p.family, proto: p.proto, dport: p.dport, sport, src: p.src, dst: p.dst, iif: p.iif, ...path, state: 'new' };
}

export interface Disagreement {
  seed: number;
  family: string;
  text: string;
  probe: Probe;
  packet: TracePacket;
  kernel: Outcome;
  kernelDetail: string;
  ours: string;
  steps: TraceResultLike['steps'];
  reasons: string[];
  diagnostics: string[];
}

export interface DiffReport {
  rulesets: number;
  probes: number;
  agreed: number;
  /**
   * Probes where our answer was `unknown` after address translation (REDIRECT/DNAT
   * make the destination address the interface's primary address, which the
   * ruleset text does not say): sound but undecided, listed, not failures.
   */
  undecided: Disagreement[];
  /** Kernel outcomes seen, for showing the generators exercise all three. */
  outcomes: Record<string, number>;
  /** Probes answered, by protocol (tcp, udp, icmp: an echo request), agreeing or not. */
  protocols: Record<string, number>;
  /** ICMP probes our tracer leaves undecided only for `th dport`/`th sport` tests: bytes of the echo request's checksum. */
  icmpChecksum: number;
  disagreements: Disagreement[];
  /**
   * The exposure engine (what the lint rules read) on the same probes, lo excepted (the exposure leaves lo out):
   * `exact` when it says open for a kernel accept or closed for a drop/reject, `possibly` when it says possibly
   * open (sound either way), `wrong` when it says closed for an accept or open for a drop/reject.
   */
  exposure: { probes: number; exact: number; possibly: number; wrong: Disagreement[] };
  /** Rulesets the kernel refused, probes that errored, parser crashes: harness or generator bugs. */
  errors: string[];
  budgetExhausted: boolean;
  ms: number;
}

export interface DiffOptions {
  budgetMs: number;
  probeTimeoutMs?: number;
  /** Re-probe a kernel "drop" that disagrees with this longer timeout before believing it. */
  confirmTimeoutMs?: number;
  maxReported?: number;
}

/** Runs every generated ruleset through kernel and engine. Never throws for a single bad case. */
export async function runDifferential(labs: readonly NetnsLab[], gens: Iterable<GeneratedRuleset>, engine: Engine | undefined, opts: DiffOptions): Promise<DiffReport> {
  const t0 = Date.now();
  const rep: DiffReport = { rulesets: 0, probes: 0, agreed: 0, undecided: [], outcomes: {}, protocols: {}, icmpChecksum: 0, disagreements: [], exposure: { probes: 0, exact: 0, possibly: 0, wrong: [] }, errors: [], budgetExhausted: false, ms: 0 };
  const it = gens[Symbol.iterator]();
  // One lane per lab: most of the time is spent waiting for silence (drops), so lanes overlap well.
  await Promise.all(
    labs.map(async (lab) => {
      for (;;) {
        if (Date.now() - t0 > opts.budgetMs) {
          rep.budgetExhausted = true;
          return;
        }
        const n = it.next();
        if (n.done) return;
        await runOne(lab, n.value, engine, opts, rep);
      }
    }),
  );
  rep.disagreements.sort((a, b) => a.seed - b.seed);
  rep.exposure.wrong.sort((a, b) => a.seed - b.seed);
  rep.ms = Date.now() - t0;
  return rep;
}

async function runOne(lab: NetnsLab, g: GeneratedRuleset, engine: Engine | undefined, opts: DiffOptions, rep: DiffReport): Promise<void> {
  {
    const loaded = lab.load(g.loader, g.text);
    if (!loaded.ok) {
      rep.errors.push(`seed ${g.seed}: the kernel refused the generated ruleset: ${loaded.error}\n${g.text}`);
      return;
    }
    rep.rulesets++;
    const results = await lab.probe(g.probes, opts.probeTimeoutMs ?? 400);
    let parsed: { ruleset?: unknown; diagnostics: string[] } | undefined;
    if (engine) {
      try {
        parsed = engine.parse(g);
      } catch (e) {
        rep.errors.push(`seed ${g.seed}: parser threw: ${(e as Error).stack ?? String(e)}\n${g.text}`);
      }
      if (parsed && !parsed.ruleset) rep.errors.push(`seed ${g.seed}: parser returned no ruleset; diagnostics: ${parsed.diagnostics.join('; ')}\n${g.text}`);
    }
    // Drops that disagree with the engine are probed again, all at once, with a long timeout.
    const toConfirm: number[] = [];
    if (engine && parsed?.ruleset) {
      g.probes.forEach((probe, i) => {
        if (results[i]!.outcome !== 'drop') return;
        try {
          if (engine.trace(parsed!.ruleset, toPacket(probe, results[i]!.sport)).verdict !== 'drop') toConfirm.push(i);
        } catch {
          /* reported below */
        }
      });
    }
    const confirmed = toConfirm.length ? await lab.probe(toConfirm.map((i) => g.probes[i]!), opts.confirmTimeoutMs ?? 2000) : [];
    const confirm = new Map(toConfirm.map((i, k) => [i, confirmed[k]!]));
    for (let i = 0; i < g.probes.length; i++) {
      const probe = g.probes[i]!;
      let res = results[i]!;
      rep.probes++;
      if (res.outcome === 'error') {
        rep.errors.push(`seed ${g.seed}: probe ${JSON.stringify(probe)} failed in the harness: ${res.detail}`);
        continue;
      }
      if (!engine || !parsed?.ruleset) {
        rep.outcomes[res.outcome] = (rep.outcomes[res.outcome] ?? 0) + 1;
        continue;
      }
      let packet = toPacket(probe, res.sport);
      let tr: TraceResultLike;
      try {
        tr = engine.trace(parsed.ruleset, packet);
      } catch (e) {
        rep.errors.push(`seed ${g.seed}: tracePacket threw on ${JSON.stringify(packet)}: ${(e as Error).stack ?? String(e)}\n${g.text}`);
        continue;
      }
      if (tr.verdict !== res.outcome && res.outcome === 'drop') {
        // A drop is only the absence of an answer: make sure it was not a slow machine.
        const again = confirm.get(i)!;
        res = again;
        packet = toPacket(probe, again.sport);
        tr = engine.trace(parsed.ruleset, packet);
      }
      rep.outcomes[res.outcome] = (rep.outcomes[res.outcome] ?? 0) + 1;
      rep.protocols[probe.proto] = (rep.protocols[probe.proto] ?? 0) + 1;
      if (probe.iif !== 'lo') exposureVerdict(g, engine, parsed, probe, packet, res.outcome, res.detail, tr, rep);
      if (tr.verdict === res.outcome) {
        rep.agreed++;
        continue;
      }
      // `th dport` reads bytes 2-3 of any transport header: an ICMP echo request's checksum, which the text does not
      // say (it depends on the identifier and the payload): undecided by design, counted apart
      if (tr.verdict === 'unknown' && probe.proto === 'icmp' && tr.reasons.length > 0 && tr.reasons.every((r) => /\bth [sd]port\b|^branches disagree/.test(r))) {
        rep.icmpChecksum++;
        continue;
      }
      const afterNat = tr.steps.some((st) => /\b(REDIRECT|DNAT)\b/.test(st.effect));
      (tr.verdict === 'unknown' && afterNat ? rep.undecided : rep.disagreements).push({
        seed: g.seed,
        family: g.family,
        text: g.text,
        probe,
        packet,
        kernel: res.outcome,
        kernelDetail: res.detail,
        ours: tr.verdict,
        steps: tr.steps,
        reasons: tr.reasons,
        diagnostics: parsed.diagnostics,
      });
    }
  }
}

/** The exposure engine's answer for one probe, tallied in rep.exposure. */
function exposureVerdict(g: GeneratedRuleset, engine: Engine, parsed: { ruleset?: unknown; diagnostics: string[] }, probe: Probe, packet: TracePacket, kernel: Outcome, detail: string, tr: TraceResultLike, rep: DiffReport): void {
  let c: PacketClass;
  try {
    c = engine.classify(parsed.ruleset, packet);
  } catch (e) {
    rep.errors.push(`seed ${g.seed}: computeExposure/classifyPacket threw on ${JSON.stringify(packet)}: ${(e as Error).stack ?? String(e)}\n${g.text}`);
    return;
  }
  rep.exposure.probes++;
  if (c === 'possibly-open') {
    rep.exposure.possibly++;
    // (FWL_POSSIBLY_LOG: which undecided matches are left, for whoever works on deciding more of them)
    if (process.env.FWL_POSSIBLY_LOG) appendFileSync(process.env.FWL_POSSIBLY_LOG, `${JSON.stringify({ seed: g.seed, family: g.family, loader: g.loader, text: g.text, packet, kernel })}\n`);
  }
  else if ((c === 'open') === (kernel === 'accept')) rep.exposure.exact++;
  else
    rep.exposure.wrong.push({ seed: g.seed, family: g.family, text: g.text, probe, packet, kernel, kernelDetail: detail, ours: `exposure ${c}`, steps: tr.steps, reasons: tr.reasons, diagnostics: parsed.diagnostics });
}

/** Human-readable failure report; also writes each failing ruleset to a file and names it. */
export function formatReport(name: string, rep: DiffReport, maxCases = 8): string {
  const lines: string[] = [];
  lines.push(`${name}: kernel agreement ${rep.agreed}/${rep.probes} probes over ${rep.rulesets} rulesets; ${rep.undecided.length} undecided after NAT; ${rep.disagreements.length} disagreements, ${rep.errors.length} harness errors`);
  const dir = path.join(tmpdir(), 'fwl-kernel-failures');
  const bySeed = new Map<number, Disagreement[]>();
  for (const d of rep.disagreements) bySeed.set(d.seed, [...(bySeed.get(d.seed) ?? []), d]);
  let shown = 0;
  for (const [seed, ds] of bySeed) {
    const first = ds[0]!;
    let file = '';
    try {
      mkdirSync(dir, { recursive: true });
      file = path.join(dir, `${name}-seed-${seed}.${first.text.startsWith('#!nft') || first.text.includes('table ') ? 'nft' : 'rules'}`);
      writeFileSync(file, first.text);
    } catch {
      file = '(could not write)';
    }
    if (shown++ >= maxCases) continue;
    lines.push('', `── seed ${seed} (${first.family}), ruleset written to ${file}`, first.text.trimEnd());
    if (first.diagnostics.length) lines.push(`parser diagnostics: ${first.diagnostics.join(' | ')}`);
    for (const d of ds) {
      lines.push(`  probe ${JSON.stringify(d.packet)}: kernel ${d.kernel} (${d.kernelDetail}), ours ${d.ours}`);
      for (const s of d.steps) lines.push(`      ${s.table}/${s.chain}:${s.line} ${s.text} → ${s.effect}`);
      if (d.reasons.length) lines.push(`      reasons: ${d.reasons.join('; ')}`);
    }
  }
  if (rep.undecided.length) {
    lines.push('', `${rep.undecided.length} probes undecided after address translation (sound, not failures):`);
    for (const d of rep.undecided.slice(0, 3)) lines.push(`  seed ${d.seed} ${JSON.stringify(d.packet)}: kernel ${d.kernel}; ${d.reasons.join('; ')}`);
  }
  if (bySeed.size > maxCases) lines.push('', `… and ${bySeed.size - maxCases} more failing seeds (files in ${dir})`);
  for (const e of rep.errors.slice(0, 5)) lines.push('', `ERROR ${e}`);
  if (rep.errors.length > 5) lines.push(`… and ${rep.errors.length - 5} more errors`);
  return lines.join('\n');
}
