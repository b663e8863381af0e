/**
 * nft command files against the real tool: random rulesets (generate-nft.ts, declarative blocks) rewritten as files of
 * `add`/`create`/`insert`/`index`/`flush`/`delete` commands (generate-nft-script.ts). The real nft loads both in a
 * network namespace of our own (`unshare -n`, with veth links for the interface names rules look up) and must list the
 * same ruleset for them (`nft -j list ruleset`, handles left out): the rewrite builds what the blocks declare. Then our
 * text reader must read the command file as it reads the blocks (equal canonical models). No packet is sent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalRuleset, type FirewallDocument } from '../../src/model/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';
import { generateNft } from './generate-nft.js';
import { nftScriptFrom } from './generate-nft-script.js';
import { labAvailability } from './netns.js';
import { IN_CI, seeds } from './suite.js';

const avail = labAvailability(['nft', 'unshare']);
if (!avail.ok) {
  if (IN_CI) throw new Error(`the nft command-file suite must run in CI (CI=true) but cannot: ${avail.reason}`);
  console.warn(`\n!!! SKIPPED nft command-file differential tests: ${avail.reason}\n`);
}

const dir = avail.ok ? mkdtempSync(path.join(tmpdir(), 'fwl-nft-script-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** nft's listings after loading each file (handles left out), or why it failed. */
function oracle(files: string[], name: string): { listings?: string[]; error?: string } {
  const paths = files.map((text, i) => {
    const file = path.join(dir, `${name}-${i}.nft`);
    writeFileSync(file, text);
    return file;
  });
  // (veth pairs: this kernel may have no dummy links)
  const links = 'ip link add eth0 type veth peer name eth1 && ip link add eth2 type veth peer name eth3';
  const each = paths.map((f) => `nft flush ruleset && nft -f ${f} && nft -j list ruleset && echo`).join(' && ');
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `${links} && ${each}`], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || r.error) return { error: `${r.stderr}${r.error ? String(r.error) : ''}`.trim() || `exit ${r.status}` };
  const drop = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(drop) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'handle' && k !== 'metainfo').map(([k, x]) => [k, drop(x)])) : v;
  // (the objects of a listing in a fixed order: nft lists them in the order they were made, which the rewrite changes
  // — sets before chains, chains kept in their order, so that base chains of one priority keep theirs)
  const objects = (l: string): string => {
    const items = (drop(JSON.parse(l)) as { nftables: unknown[] }).nftables.map((x) => JSON.stringify(x, null, 1));
    return items.sort().join('\n');
  };
  return { listings: r.stdout.split('\n').filter((l) => l.trim() !== '').map(objects) };
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x), 1);
const canon = (d: FirewallDocument): string => json(d.rulesets.map(canonicalRuleset));
const problems = (d: FirewallDocument): string[] => d.diagnostics.map((x) => `${x.severity} ${x.span.start.line}:${x.span.start.column} ${x.code ?? ''} ${x.message}`);

const diffOf = (a: string, b: string): string => {
  const la = a.split('\n');
  const lb = b.split('\n');
  const only = (x: string[], y: string[]): string[] => x.filter((l) => !y.includes(l)).slice(0, 12);
  let i = 0;
  while (i < la.length && la[i] === lb[i]) i++;
  const around = (x: string[]): string => x.slice(Math.max(0, i - 3), i + 4).join('\n');
  return `first only:\n${only(la, lb).join('\n')}\nsecond only:\n${only(lb, la).join('\n')}\nfirst difference (line ${i + 1}):\n${around(la)}\n---\n${around(lb)}`;
};

function check(seed: number, family: 'ipv4' | 'ipv6'): { ok: boolean; skipped?: boolean; why?: string } {
  const g = generateNft(seed, family);
  const s = nftScriptFrom(seed, family, g.text);
  // (a ruleset the generator wrote in command form already)
  if (!s) return { ok: true, skipped: true };
  const o = oracle([g.text, s.text], `${seed}-${family}`);
  if (o.error !== undefined) return { ok: false, why: `nft refused a file: ${o.error}\n${s.text}` };
  const [declared, built] = o.listings!;
  if (declared !== built) return { ok: false, why: `the rewrite is wrong: nft lists another ruleset for it\n${diffOf(declared!, built!)}\n--- file\n${s.text}` };
  const ours = parseNftables(s.text, { filePath: 'cmds.nft' });
  const errs = problems(ours);
  if (errs.length > 0) return { ok: false, why: `diagnostics on the file:\n${errs.join('\n')}\n${s.text}` };
  const blocks = parseNftables(g.text, { filePath: 'blocks.nft' });
  const a = canon(ours);
  const b = canon(blocks);
  if (a !== b) return { ok: false, why: `our reading of the commands (first) differs from that of the blocks (second)\n${diffOf(a, b)}\n--- file\n${s.text}\n--- blocks\n${g.text}` };
  return { ok: true };
}

describe.skipIf(!avail.ok)('nft command files: our reading equals the ruleset nft loads', () => {
  const list = seeds(7_200_000, IN_CI ? 60 : 30);
  for (const family of ['ipv4', 'ipv6'] as const)
    it(`${family}: ${list.length} random command files`, { timeout: 600_000 }, () => {
      const bad: { seed: number; why?: string }[] = [];
      const started = Date.now();
      let ran = 0;
      let skipped = 0;
      for (const seed of list) {
        if (Date.now() - started > 300_000) break;
        const r = check(seed, family);
        ran++;
        if (r.skipped) skipped++;
        else if (!r.ok) bad.push({ seed, why: r.why });
      }
      console.log(`nft command files (${family}): ${ran - skipped - bad.length}/${ran - skipped} built and read as their blocks (${skipped} generated in command form, not rewritten)`);
      expect(bad.slice(0, 2).map((b) => `seed ${b.seed} ${family}: ${b.why}`).join('\n\n')).toBe('');
      expect(ran).toBe(list.length);
    });
});
