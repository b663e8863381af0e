/**
 * iptables command scripts against the real tool: random rulesets (generate-iptables.ts) rewritten as shell scripts
 * that build them by varied routes (generate-iptables-script.ts) are run by `sh -e` in a network namespace of our own
 * (`unshare -n`), and the tables they leave (`iptables-save`) must be what our script reader builds, rule for rule:
 * the canonical model of our parse of the script equals that of the tool's save. No packet is sent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalRuleset, type FirewallDocument } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { generateIptables } from './generate-iptables.js';
import { scriptFromSave } from './generate-iptables-script.js';
import { labAvailability } from './netns.js';
import { IN_CI, seeds } from './suite.js';

const avail = labAvailability(['iptables', 'ip6tables', 'iptables-save', 'ip6tables-save', 'unshare', 'sh']);
if (!avail.ok) {
  if (IN_CI) throw new Error(`the iptables script suite must run in CI (CI=true) but cannot: ${avail.reason}`);
  console.warn(`\n!!! SKIPPED iptables script differential tests: ${avail.reason}\n`);
}

const dir = avail.ok ? mkdtempSync(path.join(tmpdir(), 'fwl-ipt-script-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The tables the script (or restore file) leaves, as the tool saves them; or why it failed. */
function oracle(script: string, family: 'ipv4' | 'ipv6', name: string, restore: boolean): { save?: string; error?: string } {
  const file = path.join(dir, `${name}.${restore ? 'rules' : 'sh'}`);
  writeFileSync(file, script);
  const save = family === 'ipv4' ? 'iptables-save' : 'ip6tables-save';
  const run = restore ? `${family === 'ipv4' ? 'iptables' : 'ip6tables'}-restore "$0"` : 'sh -e "$0"';
  const r = spawnSync('unshare', ['-n', 'sh', '-c', `${run} && ${save}`, file], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || r.error) return { error: `${r.stderr}${r.error ? String(r.error) : ''}`.trim() || `exit ${r.status}` };
  return { save: r.stdout };
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x), 1);
const problems = (d: FirewallDocument): string[] => d.diagnostics.map((x) => `${x.severity} ${x.span.start.line}:${x.span.start.column} ${x.code ?? ''} ${x.message}`);

/**
 * One canonical rule with the port tests iptables-nft 1.8.9 rewrites when it saves (the same packets either way) written
 * as it writes them: a test of every port is left out (`-p tcp --dport 0:65535` saves as `-p tcp -m tcp`), and
 * `! --dport 0:N` is `--dport N+1:65535`. We keep the tests as written.
 */
function sameTests(rule: string): string {
  const at = rule.indexOf(' => ');
  const tests = rule
    .slice(0, at)
    // (tests are separated by a blank; the items of a list by a comma and a blank)
    .split(/(?<!,) /)
    .filter((t) => t !== '' && !/^(?:src|dst)port=all$/.test(t))
    .map((t) => {
      const m = /^!((?:src|dst)port)=0-([0-9]+)$/.exec(t);
      return m && Number(m[2]) < 65535 ? `${m[1]}=${Number(m[2]) + 1}-65535` : t;
    })
    .sort();
  return `${tests.join(' ')}${rule.slice(at)}`;
}

interface Outcome {
  seed: number;
  family: 'ipv4' | 'ipv6';
  ok: boolean;
  why?: string;
}

function check(seed: number, family: 'ipv4' | 'ipv6', restore: boolean): Outcome {
  const g = generateIptables(seed, family);
  const s = scriptFromSave(seed, family, g.text, restore);
  const o = oracle(s.script, family, `${seed}-${family}`, restore);
  if (o.error !== undefined) return { seed, family, ok: false, why: `the tool failed on the script: ${o.error}\n${s.script}` };
  // (the namespace starts with empty tables)
  const ours = restore ? parseIptables(s.script, { filePath: 'fw.rules', mode: 'save', family }) : parseIptables(s.script, { filePath: 'fw.sh', mode: 'script', family, before: 'empty' });
  const theirs = parseIptables(o.save!, { filePath: 'saved.rules', mode: 'save', family });
  const errs = problems(ours);
  if (errs.length > 0) return { seed, family, ok: false, why: `diagnostics on the script:\n${errs.join('\n')}\n${s.script}` };
  const canon = (d: FirewallDocument): string => json(d.rulesets.map(canonicalRuleset)).replace(/"([^"\n]* => [^"\n]*)"/g, (_all, r: string) => `"${sameTests(r)}"`);
  const a = canon(ours);
  const b = canon(theirs);
  if (a !== b) {
    // the canonical lines only one side has (a readable summary; the texts follow)
    const la = a.split('\n');
    const lb = b.split('\n');
    const only = (x: string[], y: string[]): string[] => x.filter((l) => !y.includes(l)).slice(0, 12);
    const diff = `ours only:\n${only(la, lb).join('\n')}\nthe tool's only:\n${only(lb, la).join('\n')}`;
    return { seed, family, ok: false, why: `our reading differs from the tool's tables\n${diff}\n--- script\n${s.script}\n--- iptables-save\n${o.save}` };
  }
  return { seed, family, ok: true };
}

describe.skipIf(!avail.ok)('iptables command scripts: our reading equals the tables the tool builds', () => {
  // CI: 60 scripts per family (~0.1 s each), 30 elsewhere; FWL_KERNEL_SEED=random FWL_KERNEL_RULESETS=N explores
  const list = seeds(7_100_000, IN_CI ? 60 : 30);
  for (const restore of [false, true])
  for (const family of ['ipv4', 'ipv6'] as const)
    it(`${family}: ${list.length} random ${restore ? 'restore files' : 'scripts'}`, { timeout: 600_000 }, () => {
      const bad: Outcome[] = [];
      const started = Date.now();
      let ran = 0;
      for (const seed of list) {
        // (bounded in time as well as in count)
        if (Date.now() - started > 300_000) break;
        const r = check(seed, family, restore);
        ran++;
        if (!r.ok) bad.push(r);
      }
      console.log(`iptables ${restore ? 'restore files' : 'scripts'} (${family}): ${ran - bad.length}/${ran} equal to the tool's tables`);
      expect(bad.slice(0, 2).map((b) => `seed ${b.seed} ${b.family}: ${b.why}`).join('\n\n')).toBe('');
      expect(ran).toBe(list.length);
    });
});
