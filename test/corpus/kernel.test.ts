/**
 * Real-world rulesets against the real kernel: every corpus file the real tools load (iptables-save dumps of real
 * firewalls, Docker's and the iptables project's; the nftables project's dumps with an input-path hook, and their
 * `nft -j` listings) is loaded into a namespace lab of ours shaped after it (test/corpus/kernel-lab.ts), probed with
 * packets built from the addresses, ports and interfaces its text names, and the kernel's answer compared with
 * tracePacket and with the exposure the lint rules read (computeExposure + classifyPacket) on our parse of the same
 * file. The kernel suites (test/kernel) do this for generated rulesets; this does it for rulesets people wrote.
 *
 * What counts: where we decide (accept, drop, reject / open, closed), accepted-or-not must be the kernel's (a reject
 * whose answer the ruleset's own OUTPUT chain drops is silence to the client, so drop and reject are one answer
 * here). "unknown" / "possibly open" are counted and printed. Probes our trace sends through DNAT/REDIRECT are not
 * compared: the lab has no container behind a translated address (the kernel suites probe translation).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusPresent } from './corpus.js';
import { RealLab, planProbes, rulesetFacts, type Family, type RealProbe } from './kernel-lab.js';
import { Rng } from '../kernel/prng.js';
import { labAvailability, removeStaleNamespaces } from '../kernel/netns.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables, parseNftablesJson } from '../../src/parsers/nftables/index.js';
import { classifyPacket, computeExposure, tracePacket } from '../../src/analysis/index.js';
import type { Ruleset } from '../../src/model/index.js';
import type { Packet } from '../../src/analysis/index.js';

const IN_CI = process.env.CI === 'true';
/** FWL_REAL_SEED / FWL_REAL_PROBES explore other probes (default fixed, so CI is reproducible). */
const SEED = process.env.FWL_REAL_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FWL_REAL_SEED ?? 0x5eed);
const PROBES = Number(process.env.FWL_REAL_PROBES ?? 24);
const present = corpusPresent('kernel (real-world rulesets)', ['iptables-real/MANIFEST.tsv', 'iptables/MANIFEST.tsv', 'nftables/MANIFEST.tsv']);
const avail = labAvailability(['iptables-restore', 'ip6tables-restore', 'nft']);
if (present && !avail.ok) {
  if (IN_CI) throw new Error(`the real-world kernel comparison must run in CI (CI=true) but cannot: ${avail.reason}`);
  console.warn(`\n!!! SKIPPED real-world rulesets against the kernel: ${avail.reason}\n`);
}

interface Entry {
  rel: string;
  kind: 'iptables' | 'ip6tables' | 'nft';
}

function manifest(rel: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path.join(CORPUS, rel), 'utf8').split('\n').filter(Boolean);
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
}

function entries(): Entry[] {
  const out: Entry[] = [];
  const ipt = (dir: string, e: Record<string, string>) => out.push({ rel: `${dir}/${e.path}`, kind: e.family === 'v6' ? 'ip6tables' : 'iptables' });
  for (const e of manifest('iptables-real/MANIFEST.tsv')) if (e.loads_ok === 'yes' && /save/.test(e.format ?? '')) ipt('iptables-real', e);
  for (const e of manifest('iptables/MANIFEST.tsv')) if (e.loads_ok === 'yes') ipt('iptables', e);
  for (const dir of ['nftables', 'nftables-real'])
    for (const e of manifest(`${dir}/MANIFEST.tsv`)) {
      if (e.loads_ok !== 'yes') continue;
      const rel = `${dir}/${e.path}`;
      // a dump without an input-path hook filters nothing these probes cross
      if (/hook\s+(input|prerouting|ingress)\b/.test(readFileSync(path.join(CORPUS, rel), 'utf8'))) out.push({ rel, kind: 'nft' });
    }
  return out;
}

/** The families an nft dump's tables can see: an inet/netdev/bridge table both, ip and ip6 their own. */
function nftFamily(rng: Rng, text: string): Family {
  const has = (f: string) => new RegExp(`\\btable\\s+${f}\\s`).test(text);
  const v4 = has('ip') || has('inet') || has('netdev') || has('bridge');
  const v6 = has('ip6') || has('inet') || has('netdev') || has('bridge');
  return v4 && v6 ? (rng.chance(0.5) ? 'ipv6' : 'ipv4') : v6 ? 'ipv6' : 'ipv4';
}

interface Tally {
  probes: number;
  agree: number;
  unknown: number;
  translated: number;
  exact: number;
  possibly: number;
  wrong: string[];
  /** Probes the lab could not send (a harness fault, never a verdict). */
  errors: string[];
}
const tally = (): Tally => ({ probes: 0, agree: 0, unknown: 0, translated: 0, exact: 0, possibly: 0, wrong: [], errors: [] });

function compare(t: Tally, rel: string, rs: Ruleset, probes: readonly RealProbe[], kernel: readonly { outcome: string; detail: string }[]): void {
  const exposure = computeExposure(rs, { hook: 'input' });
  probes.forEach((p, i) => {
    const k = kernel[i]!;
    if (k.outcome === 'error') {
      t.errors.push(`${rel}: ${p.proto} ${p.src}:${p.sport} -> ${p.dst}:${p.dport} via ${p.iif}: the probe failed in the lab: ${k.detail}`);
      return;
    }
    const packet: Packet = { family: p.family, proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, iif: p.iif, hook: 'input', state: 'new' };
    const tr = tracePacket(rs, packet);
    if (tr.steps.some((s) => /\b(DNAT|REDIRECT|NETMAP|dnat|redirect)\b/.test(s.effect))) {
      t.translated++;
      return;
    }
    t.probes++;
    const accepted = k.outcome === 'accept';
    const where = `${rel}: ${p.proto} ${p.src}:${p.sport} -> ${p.dst}:${p.dport} via ${p.iif}: kernel ${k.outcome} (${k.detail})`;
    if (tr.verdict === 'unknown') t.unknown++;
    else if ((tr.verdict === 'accept') === accepted) t.agree++;
    else t.wrong.push(`${where}, trace ${tr.verdict}: ${tr.steps.map((s) => `${s.chain}:${s.line} ${s.effect}`).join(' | ')}`);
    const c = classifyPacket(exposure, packet);
    if (c === 'possibly-open') t.possibly++;
    else if ((c === 'open') === accepted) t.exact++;
    else t.wrong.push(`${where}, exposure ${c}`);
  });
}

describe.skipIf(!present || !avail.ok)('real-world rulesets against the Linux kernel', () => {
  it('where we decide, the kernel lets in exactly what tracePacket and the exposure say (text and nft -j listings)', async () => {
    const stale = removeStaleNamespaces();
    if (stale.length) console.warn(`removed stale namespaces: ${stale.join(', ')}`);
    // FWL_REAL_ONLY=<regex>: only the corpus files whose path it matches (to replay one)
    const only = process.env.FWL_REAL_ONLY ? new RegExp(process.env.FWL_REAL_ONLY) : undefined;
    const all = entries().filter((e) => !only || only.test(e.rel));
    const text = tally();
    const json = tally();
    const refused: string[] = [];
    const outcomes: Record<string, number> = {};
    let files = 0;
    const t0 = Date.now();
    for (const [i, e] of all.entries()) {
      const rng = new Rng(SEED + i);
      const file = path.join(CORPUS, e.rel);
      const src = readFileSync(file, 'utf8');
      const family: Family = e.kind === 'nft' ? nftFamily(rng, src) : e.kind === 'ip6tables' ? 'ipv6' : 'ipv4';
      const doc = e.kind === 'nft' ? parseNftables(src, { filePath: file }) : parseIptables(src, { filePath: file, family });
      const rs = doc.rulesets[0];
      // (that these parse without errors is test/corpus/{iptables,nftables}.test.ts's to say)
      if (!rs || doc.diagnostics.some((d) => d.severity === 'error')) continue;
      const plan = planProbes(rng, rulesetFacts(src, family), family, PROBES);
      const lab = new RealLab(plan, 'rk');
      try {
        await lab.setup();
        const err = lab.load(e.kind, src);
        if (err) {
          refused.push(`${e.rel}: ${err.split('\n')[0]}`);
          continue;
        }
        files++;
        let kernel = await lab.probe(plan.probes, 400);
        // silence is only the absence of an answer: a drop we disagree with is asked again, patiently
        const doubt = plan.probes.map((p, j) => (kernel[j]!.outcome !== 'accept' && tracePacket(rs, { ...p, hook: 'input', state: 'new' }).verdict === 'accept' ? j : -1)).filter((j) => j >= 0);
        if (doubt.length) {
          const again = await lab.probe(doubt.map((j) => plan.probes[j]!), 2000);
          kernel = kernel.map((k, j) => {
            const d = doubt.indexOf(j);
            return d >= 0 && again[d]!.outcome === 'accept' ? again[d]! : k;
          });
        }
        for (const k of kernel) outcomes[k.outcome] = (outcomes[k.outcome] ?? 0) + 1;
        compare(text, e.rel, rs, plan.probes, kernel);
        const listing = `${file}.json`;
        if (e.kind === 'nft' && existsSync(listing)) {
          const jd = parseNftablesJson(readFileSync(listing, 'utf8'), { filePath: listing });
          if (jd.rulesets[0] && !jd.diagnostics.some((d) => d.severity === 'error')) compare(json, `${e.rel}.json`, jd.rulesets[0], plan.probes, kernel);
        }
      } finally {
        lab.destroy();
      }
    }
    const line = (name: string, t: Tally) =>
      `${name}: trace ${t.agree}/${t.probes} agree, ${t.unknown} unknown; exposure ${t.exact}/${t.probes} exact, ${t.possibly} possibly open; ${t.wrong.length} wrong; ${t.translated} translated (not compared)`;
    console.log(`real-world rulesets against the kernel (seed ${SEED}, ${PROBES} probes per file): ${files} files in ${((Date.now() - t0) / 1000).toFixed(0)} s, kernel outcomes ${JSON.stringify(outcomes)}`);
    console.log(line('text', text));
    console.log(line('nft -j listings', json));
    if (refused.length) console.log(`refused by the kernel here: ${refused.join('; ')}`);
    expect([...text.wrong, ...json.wrong]).toEqual([]);
    expect(text.errors).toEqual([]);
    if (!only) expect(files).toBeGreaterThanOrEqual(150);
    if (only) return;
    expect(json.probes).toBeGreaterThan(0);
    for (const o of ['accept', 'drop', 'reject']) expect(outcomes[o] ?? 0, `kernel outcome ${o} never observed`).toBeGreaterThan(0);
  }, 1_200_000);
});
