/**
 * Conformance of the iptables parser against the real-world corpus
 * (/work/shared/corpus, never copied into the repository):
 * - every file iptables-restore 1.8.9 loads parses with no error diagnostics, and the
 *   canonical model of its parse equals that of its `*.saved` oracle (the tool's own
 *   re-save; `*.macfix.saved` for the TU München dumps with placeholder MACs);
 * - every file the tool rejects gets an error or warning with a position, never a crash,
 *   except for rejections caused by the test machine's environment (listed below);
 * - the `*.sh.txt` scripts parse as scripts without a crash.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS, corpusPresent } from './corpus.js';
import { describe, expect, it } from 'vitest';
import { canonicalRuleset, type FirewallDocument } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';

const corpus = CORPUS;
const present = corpusPresent('iptables', ['iptables/MANIFEST.tsv', 'iptables-real/MANIFEST.tsv']);

/** Rejected by the tool for reasons a static parser cannot see (objects that must exist in the kernel). */
const ENVIRONMENT_REJECTIONS: Record<string, string> = {
  'iptables-real/kubernetes/kube-proxy_TestOverallIPTablesRules.restore.txt': 'needs nfacct objects that do not exist in a fresh namespace',
  'iptables-real/net-network/configs_serverfault/759927.txt': 'needs the ipset "whitelist" to exist',
  'iptables/extracted/ipt-restore/0003-restore-ordering_0.heredoc7.v4.txt':
    'iptables-nft 1.8.9 fails to insert before a rule deleted in the same transaction (the upstream test expects success)',
};

interface Entry {
  rel: string;
  full: string;
  loads: boolean;
  family: 'ipv4' | 'ipv6' | undefined;
  script: boolean;
  ruleCount: number;
  /** The line iptables-restore reported, when its error names one. */
  errorLine?: number;
}

function manifest(dir: string): Entry[] {
  const lines = readFileSync(path.join(corpus, dir, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const head = lines[0]!.split('\t');
  const col = (name: string) => head.indexOf(name);
  const out: Entry[] = [];
  for (const l of lines.slice(1)) {
    const f = l.split('\t');
    const p = f[col('path')]!;
    const fam = f[col('family')];
    if (fam === 'nft') continue; // an nft ruleset kept in the iptables tests
    out.push({
      rel: `${dir}/${p}`,
      full: path.join(corpus, dir, p),
      loads: f[col('loads_ok')] === 'yes',
      family: fam === 'v6' ? 'ipv6' : fam === 'v4' ? 'ipv4' : undefined,
      script: p.endsWith('.sh.txt'),
      ruleCount: Number(f[col('rule_count')]),
      ...errorLine(f[col('error')] ?? ''),
    });
  }
  return out;
}

/** "line 9 failed", "line: 12", "at line: 269" → 9 / 12 / 269. */
function errorLine(error: string): { errorLine?: number } {
  const m = /line:? ([0-9]+)/.exec(error);
  return m ? { errorLine: Number(m[1]) } : {};
}

const entries = present ? [...manifest('iptables'), ...manifest('iptables-real')] : [];
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
const parseFile = (e: Entry, file = e.full): FirewallDocument =>
  parseIptables(readFileSync(file, 'utf8'), { filePath: file, mode: e.script ? 'script' : 'save', ...(e.family ? { family: e.family } : {}) });
const oracleOf = (e: Entry): string | undefined => (existsSync(`${e.full}.saved`) ? `${e.full}.saved` : existsSync(`${e.full}.macfix.saved`) ? `${e.full}.macfix.saved` : undefined);
const fmt = (d: FirewallDocument) => d.diagnostics.slice(0, 5).map((x) => `${x.severity} ${x.span.start.line}:${x.span.start.column} ${x.message}`);

describe.skipIf(!present)('iptables corpus conformance', () => {
  it('finds the corpus files', () => {
    expect(entries.length).toBeGreaterThan(140);
  });

  it('parses every loadable file without errors, equal to its iptables-save oracle', () => {
    const loadable = entries.filter((e) => !e.script && (e.loads || oracleOf(e)?.endsWith('.macfix.saved')));
    let clean = 0;
    let withOracle = 0;
    let equal = 0;
    const problems: string[] = [];
    for (const e of loadable) {
      const doc = parseFile(e);
      const errors = doc.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length === 0) clean++;
      else problems.push(`${e.rel}: ${fmt(doc).join('; ')}`);
      const oracle = oracleOf(e);
      if (!oracle) continue;
      withOracle++;
      const od = parseFile(e, oracle);
      if (od.diagnostics.some((d) => d.severity === 'error')) problems.push(`${oracle}: oracle has errors: ${fmt(od).join('; ')}`);
      const count = od.rulesets[0]!.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
      if (count !== e.ruleCount) problems.push(`${oracle}: ${count} rules, the manifest says ${e.ruleCount}`);
      if (json(canonicalRuleset(doc.rulesets[0]!)) === json(canonicalRuleset(od.rulesets[0]!))) equal++;
      else problems.push(`${e.rel}: canonical model differs from ${path.basename(oracle)}`);
    }
    console.log(`iptables corpus: loadable parsed without errors ${clean}/${loadable.length}, oracle-equal ${equal}/${withOracle}`);
    expect(problems).toEqual([]);
    expect(clean).toBe(loadable.length);
    expect(equal).toBe(withOracle);
    expect(withOracle).toBeGreaterThanOrEqual(120);
  });

  it('reports a positioned diagnostic for every file the tool rejects (never a crash)', () => {
    const rejected = entries.filter((e) => !e.script && !e.loads && !oracleOf(e)?.endsWith('.macfix.saved'));
    let flagged = 0;
    const missing: string[] = [];
    for (const e of rejected) {
      const doc = parseFile(e);
      for (const d of doc.diagnostics) {
        expect(d.span.start.line).toBeGreaterThanOrEqual(1);
        expect(d.span.start.column).toBeGreaterThanOrEqual(1);
      }
      if (doc.diagnostics.length > 0) {
        flagged++;
        // the first problem we report is at or before the line the tool stopped at
        if (e.errorLine !== undefined) expect(doc.diagnostics[0]!.span.start.line, e.rel).toBeLessThanOrEqual(e.errorLine);
      } else if (!ENVIRONMENT_REJECTIONS[e.rel]) missing.push(e.rel);
    }
    console.log(`iptables corpus: rejected files flagged ${flagged}/${rejected.length} (${Object.keys(ENVIRONMENT_REJECTIONS).length} rejected only for environment reasons)`);
    expect(missing).toEqual([]);
    expect(rejected.length).toBeGreaterThanOrEqual(15);
  });

  it('parses the shell scripts as scripts without a crash', () => {
    const scripts = entries.filter((e) => e.script);
    expect(scripts.length).toBe(2);
    for (const e of scripts) {
      const doc = parseFile(e);
      const rules = doc.rulesets[0]!.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
      console.log(`iptables corpus: script ${e.rel}: ${rules} rules, ${doc.diagnostics.length} diagnostics`);
      expect(doc.format).toBe('iptables-script');
      expect(rules).toBeGreaterThan(50);
      expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });

  it('parses the largest TU München dump quickly', () => {
    const big = entries.filter((e) => e.rel.includes('configs_chair_for_Network_Architectures_and_Services'));
    expect(big.length).toBe(4);
    let largest = big[0]!;
    for (const e of big) if (readFileSync(e.full).length > readFileSync(largest.full).length) largest = e;
    const text = readFileSync(largest.full, 'utf8');
    parseIptables(text, { filePath: largest.full });
    const t0 = performance.now();
    const doc = parseIptables(text, { filePath: largest.full });
    const ms = performance.now() - t0;
    const rules = doc.rulesets[0]!.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
    console.log(`iptables corpus: largest TUM dump ${path.basename(largest.full)} (${text.length} bytes, ${rules} rules) parsed in ${ms.toFixed(1)} ms`);
    expect(rules).toBeGreaterThan(5000);
  });
});
