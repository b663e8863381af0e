/**
 * AWS conformance over /work/shared/corpus/cloud/aws: every file parses without a
 * crash, and the world-open expectations of Checkov/KICS (cloud/EXPECTATIONS.tsv)
 * are compared with what the exposure engine computes from our model.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS, corpusPresent, walk } from './corpus.js';
import { describe, expect, test } from 'vitest';
import { AddrSet, PORT_UNIVERSE, numRange, numSingle, type FirewallDocument, type Match, type Rule, type Ruleset, type Span } from '../../src/model/index.js';
import { computeExposure, exposedPorts } from '../../src/analysis/index.js';
import { SENSITIVE_PORTS } from '../../src/catalog/index.js';
import { parseAwsJson, parseCloudFormationYaml } from '../../src/parsers/aws/index.js';
import { parseTerraform, parseTerraformPlan, terraformPlanFormat } from '../../src/parsers/terraform/format.js';
import { evaluateTerraform } from '../../src/parsers/terraform/index.js';
import { get, parseYamlTree, parseJsonTree } from '../../src/parsers/values.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = CORPUS;
const awsDir = path.join(corpus, 'cloud/aws');
const present = corpusPresent('AWS', ['cloud/aws']);

export function parseFile(file: string, text: string): FirewallDocument {
  const opts = { filePath: file };
  if (file.endsWith('.tf')) return parseTerraform(text, opts);
  if (file.endsWith('.json')) return terraformPlanFormat.detect(path.basename(file), text) > 0 ? parseTerraformPlan(text, opts) : parseAwsJson(text, opts);
  return parseCloudFormationYaml(text, opts);
}

function within(s: Span, outer: Span): boolean {
  return s.start.offset >= outer.start.offset && s.end.offset <= outer.end.offset;
}

/** Egress as an input chain: destinations become sources, so the engine's "sources" are the reachable destinations. */
function flip(m: Match): Match {
  if (m.kind === 'address' || m.kind === 'principal') return { ...m, dir: m.dir === 'dst' ? 'src' : 'dst' };
  if (m.kind === 'any-of') return { ...m, alternatives: m.alternatives.map((a) => a.map(flip)) };
  return m;
}

/** A security-group-like ruleset of the given rules only (union of accepts), on the input hook. */
function subset(rs: Ruleset[], dir: 'ingress' | 'egress', keep: (r: Rule) => boolean): Ruleset {
  const rules: Rule[] = [];
  for (const r of rs)
    for (const t of r.tables) {
      if (t.name !== 'security-group') continue;
      for (const c of t.chains) if (c.name === dir) for (const rule of c.rules) if (keep(rule)) rules.push(dir === 'egress' ? { ...rule, matches: rule.matches.map(flip) } : rule);
    }
  const span = rules[0]?.span ?? { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  return {
    name: 'subset',
    targets: [],
    kind: 'cloud',
    families: ['ipv4', 'ipv6'],
    tables: [{ name: 'security-group', family: 'cloud', span, chains: [{ name: dir, hook: 'input', priority: 0, type: 'filter', policy: 'drop', policyImplicit: true, rules, span }] }],
  };
}

type Verdict = 'open' | 'possibly-open' | 'closed';

/** Is (protocol, every port of `ports`) reachable from the whole IPv4 or IPv6 internet? */
function worldOpen(rs: Ruleset, protocol: number, ports: ReturnType<typeof numRange>, everyPort: boolean): Verdict {
  const ex = computeExposure(rs);
  const entries = exposedPorts(ex, protocol, ports);
  const check = (certain: boolean): boolean => {
    for (const fam of ['ipv4', 'ipv6'] as const) {
      if (everyPort) {
        // The whole range must be covered by world-wide entries.
        let covered = numRange(0, -1);
        for (const e of entries) if (e.family === fam && (!certain || e.certainty === 'open') && e.principals.length === 0 && e.sources.coversAll(fam)) covered = covered.union(e.dports);
        if (ports.subtract(covered).isEmpty) return true;
      } else {
        // Some port of the set: union of sources per port piece.
        let src = AddrSet.EMPTY;
        for (const e of entries) if (e.family === fam && (!certain || e.certainty === 'open') && e.principals.length === 0) src = src.union(e.sources);
        if (src.coversAll(fam)) return true;
      }
    }
    return false;
  };
  return check(true) ? 'open' : check(false) ? 'possibly-open' : 'closed';
}

interface CheckDef {
  dir: 'ingress' | 'egress';
  eval(rs: Ruleset): Verdict;
  what: string;
}

const anyPortAnyProto = (rs: Ruleset): Verdict => {
  const vs = [worldOpen(rs, 6, PORT_UNIVERSE, false), worldOpen(rs, 17, PORT_UNIVERSE, false), worldOpen(rs, 1, PORT_UNIVERSE, false), worldOpen(rs, 58, PORT_UNIVERSE, false)];
  return vs.includes('open') ? 'open' : vs.includes('possibly-open') ? 'possibly-open' : 'closed';
};

const CHECKS: Record<string, CheckDef> = {
  CKV_AWS_24: { dir: 'ingress', what: 'tcp 22 from the internet', eval: (rs) => worldOpen(rs, 6, numSingle(22), false) },
  CKV_AWS_25: { dir: 'ingress', what: 'tcp 3389 from the internet', eval: (rs) => worldOpen(rs, 6, numSingle(3389), false) },
  CKV_AWS_260: { dir: 'ingress', what: 'tcp 80 from the internet', eval: (rs) => worldOpen(rs, 6, numSingle(80), false) },
  CKV_AWS_277: { dir: 'ingress', what: 'all tcp ports from the internet', eval: (rs) => worldOpen(rs, 6, PORT_UNIVERSE, true) },
  CKV_AWS_382: { dir: 'egress', what: 'all tcp ports to the internet', eval: (rs) => worldOpen(rs, 6, PORT_UNIVERSE, true) },
  // KICS unrestricted_security_group_ingress (terraform, cloudFormation): any ingress from the whole internet.
  '4728cd65-a20c-49da-8b31-9c08b423e4db': { dir: 'ingress', what: 'any port from the internet', eval: anyPortAnyProto },
  '4a1e6b34-1008-4e61-a5f2-1f7c276f8d14': { dir: 'ingress', what: 'any port from the internet', eval: anyPortAnyProto },
  // KICS sensitive_port_is_exposed_to_entire_network.
  '381c3f2a-ef6f-4eff-99f7-b169cda3422c': {
    dir: 'ingress',
    what: 'a sensitive port from the internet',
    eval: (rs) => {
      const vs: Verdict[] = [];
      for (const [proto, map] of [[6, SENSITIVE_PORTS.tcp], [17, SENSITIVE_PORTS.udp]] as const) for (const p of map.keys()) vs.push(worldOpen(rs, proto, numSingle(p), false));
      return vs.includes('open') ? 'open' : vs.includes('possibly-open') ? 'possibly-open' : 'closed';
    },
  },
};

/** Span of the resource an expectation names (`*` = whole file). */
function resourceSpan(file: string, text: string, resource: string): Span | undefined {
  if (resource === '*') return undefined;
  if (file.endsWith('.tf')) return evaluateTerraform(text).resources.find((r) => r.address === resource)?.span;
  const tree = file.endsWith('.json') ? parseJsonTree(text) : parseYamlTree(text);
  return get(get(tree.value, 'Resources'), resource)?.span;
}

interface Row {
  file: string;
  tool: string;
  check: string;
  resource: string;
  expectation: string;
}

describe.skipIf(!present)('AWS corpus', () => {
  const files = present ? walk(awsDir) : [];

  test('every file parses without a crash', () => {
    let withDiag = 0;
    let rulesets = 0;
    const started = performance.now();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const doc = parseFile(f, text);
      expect(doc.rulesets).toBeInstanceOf(Array);
      rulesets += doc.rulesets.length;
      if (doc.diagnostics.some((d) => d.severity === 'error')) withDiag++;
      for (const d of doc.diagnostics) {
        expect(d.span.start.line).toBeGreaterThanOrEqual(1);
        expect(d.span.start.column).toBeGreaterThanOrEqual(1);
      }
    }
    console.log(`AWS corpus: ${files.length} files parsed, ${rulesets} rulesets, ${withDiag} with error diagnostics, ${(performance.now() - started).toFixed(0)} ms`);
    expect(files.length).toBeGreaterThanOrEqual(160);
  });

  test('every Terraform file is valid HCL to our parser (no syntax diagnostics)', () => {
    const tf = files.filter((f) => f.endsWith('.tf'));
    const bad = tf.filter((f) => parseFile(f, readFileSync(f, 'utf8')).diagnostics.some((d) => d.code?.startsWith('hcl/')));
    console.log(`Terraform: ${tf.length} files, ${tf.length - bad.length} without HCL diagnostics`);
    expect(bad).toEqual([]);
    expect(tf.length).toBe(31);
  });

  test('the two invalid aws-cli outputs give a JSON diagnostic, not a crash', () => {
    const bad = files.filter((f) => f.endsWith('.json')).filter((f) => parseFile(f, readFileSync(f, 'utf8')).diagnostics.some((d) => d.code === 'json/syntax' || d.code === 'json/trailing-comma'));
    console.log(`invalid JSON upstream: ${bad.map((f) => path.relative(awsDir, f)).join(', ')}`);
    expect(bad.map((f) => path.basename(f)).sort()).toEqual(['describe-security-groups.example1.output.json', 'get-security-groups-for-vpc.example1.output.json']);
  });

  test('world-open expectations (Checkov / KICS) agree with the engine', () => {
    const tsv = readFileSync(path.join(corpus, 'cloud/EXPECTATIONS.tsv'), 'utf8').split('\n').slice(1).filter((l) => l.startsWith('aws/'));
    const rows: Row[] = tsv.map((l) => {
      const c = l.split('\t');
      return { file: c[0]!, tool: c[1]!, check: c[2]!, resource: c[4]!, expectation: c[5]! };
    });
    let agree = 0;
    let total = 0;
    let possibly = 0;
    const disagreements: string[] = [];
    const cache = new Map<string, { text: string; doc: FirewallDocument }>();
    for (const row of rows) {
      const def = CHECKS[row.check];
      if (!def || (row.expectation !== 'positive' && row.expectation !== 'negative')) continue;
      const file = path.join(corpus, 'cloud', row.file);
      let c = cache.get(file);
      if (!c) {
        const text = readFileSync(file, 'utf8');
        cache.set(file, (c = { text, doc: parseFile(file, text) }));
      }
      const span = resourceSpan(file, c.text, row.resource);
      if (row.resource !== '*' && !span) {
        disagreements.push(`${row.file}\t${row.tool}\t${row.check} ${row.resource}\t${row.expectation}\t(resource not found)`);
        total++;
        continue;
      }
      const rs = subset(c.doc.rulesets, def.dir, (r) => !span || within(r.span, span));
      const ours = def.eval(rs);
      if (ours === 'possibly-open') possibly++;
      const oursPositive = ours === 'open';
      total++;
      if (oursPositive === (row.expectation === 'positive')) agree++;
      else disagreements.push(`${row.file}\t${row.tool}\t${row.check} ${row.resource}\t${row.expectation}\t${ours}`);
    }
    console.log(`AWS expectations: agreement ${agree}/${total} (${possibly} possibly-open, counted as negative)`);
    for (const d of disagreements) console.log(`DISAGREE\t${d}`);
    expect(total).toBe(87);
    expect(possibly).toBe(0);
    // Every disagreement is explained in docs/peer-agreement.md.
    const doc = readFileSync(path.join(root, 'docs/peer-agreement.md'), 'utf8');
    for (const d of disagreements) {
      const [f, , cr] = d.split('\t');
      const [check, resource] = cr!.split(' ');
      expect(doc.includes(`${path.basename(f!)}`) && doc.includes(`${check} ${resource}`), `explained: ${d}`).toBe(true);
    }
  });
});
