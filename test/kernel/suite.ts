/**
 * Shared vitest scaffolding for the kernel suites: availability/skip policy,
 * lab lifetime, seeds, and the final assertion with a readable report.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { formatReport, loadEngine, runDifferential, toPacket, type Engine } from './compare.js';
import type { PacketClass } from '../../src/analysis/index.js';
import type { GeneratedRuleset } from './common.js';
import { NetnsLab, labAvailability, removeStaleNamespaces, type Outcome, type Probe } from './netns.js';

export const IN_CI = process.env.CI === 'true';

/** Base seed: fixed so CI is reproducible; `FWL_KERNEL_SEED=<n>` explores others, `FWL_KERNEL_ONLY=<seed>` replays one. */
export function seeds(defaultBase: number, defaultCount: number): number[] {
  const only = process.env.FWL_KERNEL_ONLY;
  if (only) return only.split(',').map((s) => Number(s.trim()));
  const env = process.env.FWL_KERNEL_SEED;
  const base = env === 'random' ? Math.floor(Math.random() * 2 ** 31) : env ? Number(env) : defaultBase;
  const count = Number(process.env.FWL_KERNEL_RULESETS ?? defaultCount);
  return Array.from({ length: count }, (_, i) => (base + i) >>> 0);
}

export interface KnownCase {
  name: string;
  loader: 'iptables' | 'ip6tables' | 'nft';
  text: string;
  expect: (Probe & { outcome: Outcome })[];
  /**
   * The exposure the lint rules read (computeExposure, input hook) for each probe not on `lo`, in order: pinned so a
   * change of reading shows. Every case is also held to soundness: never closed where the kernel accepts, never open
   * where it drops or rejects, and tracePacket's verdict the kernel's or unknown.
   */
  exposure?: PacketClass[];
}

export interface KernelSuite {
  name: string;
  tag: string;
  tools: string[];
  engine: 'iptables' | 'nftables';
  known: KnownCase[];
  generate: () => Iterable<GeneratedRuleset>;
  /** Minimum rulesets that must run (unless the time budget cut the run short, which is reported). */
  minRulesets: number;
  budgetMs: number;
  /** Namespace pairs used in parallel by the random test. */
  lanes: number;
  /** The lab: the host holding the ruleset (default), or a router between client and server (the forward path). */
  topology?: 'host' | 'transparent';
}

function skipOrFail(ctx: TestContext, reason: string): void {
  if (IN_CI) throw new Error(`kernel tests must run in CI (CI=true) but cannot: ${reason}`);
  console.warn(`\n!!! SKIPPED kernel differential tests: ${reason}\n`);
  ctx.skip();
}

export function defineKernelSuite(s: KernelSuite): void {
  const avail = labAvailability(s.tools);
  if (!avail.ok) {
    if (IN_CI) {
      describe(`${s.name} against the Linux kernel`, () => {
        it('can build the namespace lab', () => {
          throw new Error(`kernel tests must run in CI (CI=true) but cannot: ${avail.reason}`);
        });
      });
      return;
    }
    console.warn(`\n!!! SKIPPED ${s.name} kernel differential tests: ${avail.reason}\n`);
  }

  describe.skipIf(!avail.ok)(`${s.name} against the Linux kernel`, () => {
    let labs: NetnsLab[] = [];
    let lab: NetnsLab | undefined;
    let labError = '';
    let engine: Engine | string = 'not loaded';

    beforeAll(async () => {
      const stale = removeStaleNamespaces();
      if (stale.length) console.warn(`removed stale namespaces from crashed runs: ${stale.join(', ')}`);
      try {
        for (let i = 0; i < s.lanes; i++) labs.push(await NetnsLab.create(`${s.tag}${i}`, undefined, s.topology ?? 'host'));
        lab = labs[0];
      } catch (e) {
        labError = (e as Error).message;
        for (const l of labs) l.destroy();
        labs = [];
      }
      engine = await loadEngine(s.engine);
    });
    afterAll(() => {
      for (const l of labs) l.destroy();
    });

    it('the harness observes the known answers of hand-written rulesets', async (ctx) => {
      if (!lab) return skipOrFail(ctx, `cannot build the namespace lab: ${labError}`);
      const wrong: string[] = [];
      const eng = typeof engine === 'string' ? undefined : engine;
      for (const k of s.known) {
        const loaded = lab.load(k.loader, k.text);
        expect(loaded.error ?? '', k.name).toBe('');
        const res = await lab.probe(k.expect);
        k.expect.forEach((e, i) => {
          if (res[i]!.outcome !== e.outcome) wrong.push(`${k.name}: ${e.proto} ${e.src} -> ${e.dst}:${e.dport} via ${e.iif}: expected ${e.outcome}, kernel ${res[i]!.outcome} (${res[i]!.detail})`);
        });
        if (!eng) continue;
        // our reading of the same text, held to the kernel's answers
        const family = k.expect[0]?.family ?? 'ipv4';
        const { ruleset } = eng.parse({ seed: 0, family, loader: k.loader, text: k.text, probes: [] });
        const classes: PacketClass[] = [];
        k.expect.forEach((e, i) => {
          const packet = toPacket(e, res[i]!.sport);
          const where = `${k.name}: ${e.proto} ${e.src} -> ${e.dst}:${e.dport} via ${e.iif} (kernel ${e.outcome})`;
          const tr = eng.trace(ruleset, packet);
          if (tr.verdict !== e.outcome && tr.verdict !== 'unknown') wrong.push(`${where}: tracePacket says ${tr.verdict}`);
          if (e.iif === 'lo') return;
          const c = eng.classify(ruleset, packet);
          classes.push(c);
          if ((c === 'closed' && e.outcome === 'accept') || (c === 'open' && e.outcome !== 'accept')) wrong.push(`${where}: exposure says ${c}`);
        });
        if (k.exposure) expect(classes, k.name).toEqual(k.exposure);
      }
      expect(wrong).toEqual([]);
    }, 60_000);

    it('random rulesets: the kernel verdict equals tracePacket on our parse of the same text', async (ctx) => {
      if (!lab) return skipOrFail(ctx, `cannot build the namespace lab: ${labError}`);
      const eng = typeof engine === 'string' ? undefined : engine;
      if (!eng) {
        const msg = `${s.name}: parser/engine not available (${engine as string}); only the kernel side runs`;
        if (IN_CI) throw new Error(msg);
        console.warn(`\n!!! ${msg}\n`);
      }
      const rep = await runDifferential(labs, s.generate(), eng, { budgetMs: s.budgetMs });
      const summary = `${s.name}: kernel agreement: ${rep.agreed}/${rep.probes} probes over ${rep.rulesets} rulesets in ${(rep.ms / 1000).toFixed(1)} s; ${rep.undecided.length} undecided (unknown after NAT); kernel outcomes ${JSON.stringify(rep.outcomes)}; probes by protocol ${JSON.stringify(rep.protocols)}${rep.icmpChecksum ? ` (${rep.icmpChecksum} ICMP undecided by a th dport test: the checksum)` : ''}`;
      console.log(summary);
      const x = rep.exposure;
      console.log(`${s.name}: exposure engine on the same probes (lo excepted): ${x.exact}/${x.probes} exact, ${x.possibly} possibly open, ${x.wrong.length} wrong`);
      if (rep.undecided.length) console.log(formatReport(s.engine, { ...rep, disagreements: [], errors: [] }));
      if (rep.budgetExhausted) console.warn(`${s.name}: time budget of ${s.budgetMs} ms reached after ${rep.rulesets} rulesets`);
      if (rep.disagreements.length || rep.errors.length) {
        const report = formatReport(s.engine, rep);
        console.error(report);
        expect.fail(report);
      }
      // the exposure the lint rules judge: never closed where the kernel accepts, never open where it refuses
      if (rep.exposure.wrong.length) {
        const report = formatReport(`${s.engine}-exposure`, { ...rep, disagreements: rep.exposure.wrong, undecided: [], errors: [] });
        console.error(report);
        expect.fail(report);
      }
      if (!rep.budgetExhausted) expect(rep.rulesets).toBeGreaterThanOrEqual(Math.min(s.minRulesets, seedsCount()));
      // The generators must exercise all three kernel answers.
      if (rep.rulesets >= 20) for (const o of ['accept', 'drop', 'reject']) expect(rep.outcomes[o] ?? 0, `kernel outcome ${o} never observed`).toBeGreaterThan(0);
      if (rep.rulesets >= 20) for (const p of ['tcp', 'udp', 'icmp']) expect(rep.protocols[p] ?? 0, `no ${p} probe answered`).toBeGreaterThan(0);
      if (eng) expect(rep.agreed + rep.undecided.length + rep.icmpChecksum).toBe(rep.probes);
      // Undecided answers are the exception (only after REDIRECT/DNAT), never the rule.
      if (rep.rulesets >= 20) expect(rep.undecided.length).toBeLessThanOrEqual(Math.ceil(rep.probes / 100));
    }, s.budgetMs + 120_000);
  });
}

function seedsCount(): number {
  return process.env.FWL_KERNEL_ONLY ? process.env.FWL_KERNEL_ONLY.split(',').length : Number(process.env.FWL_KERNEL_RULESETS ?? Infinity);
}
