/**
 * What every rule needs about the file being linted, computed once per file and
 * shared: the parsed document (from a firewall language, or extracted from
 * CDK/Pulumi TypeScript), the exposure per ruleset and hook, the deployment
 * settings and the targets each ruleset protects. Rules only judge.
 */
import { basename } from 'node:path';
import type { Rule as EslintRule } from 'eslint';
// the engine modules a lint needs, not the package index (which also loads the packet tracer)
import { computeExposure } from '../analysis/exposure.js';
import type { Exposure, ExposureEntry } from '../analysis/types.js';
import { commentTargets, deploymentsFromComments, loadSettings, targetsFor, withDeployments, type ResolvedSettings } from '../deployments/index.js';
import { IntervalSet, type DocComment, type FirewallDocument, type NumSet, type Ruleset, type Span } from '../model/index.js';
import type { FirewallRoot } from './ast.js';

export interface ReportTarget {
  /** Where to report: a firewall span, or (TypeScript) an ESTree node. */
  loc: { start: { line: number; column: number }; end: { line: number; column: number } };
  node?: unknown;
  suggestions?: { desc: string; range: [number, number]; text: string }[];
}

/** An exposure entry with the part of a port query it reaches (`ports` = its destination ports ∩ the query, never empty). */
export interface ExposedPiece {
  entry: ExposureEntry;
  protocol: number;
  ports: NumSet;
}

export interface FileAnalysis {
  document: FirewallDocument;
  filePath: string | undefined;
  settings: ResolvedSettings;
  /** Malformed `fwlint-deployment:` comments (reported by no-unevaluated-input; a declaration in error is not used). */
  directiveErrors: { span: Span; message: string }[];
  exposure(ruleset: Ruleset, hook: 'input' | 'forward'): Exposure;
  targets(ruleset: Ruleset): string[];
  /**
   * How a finding names what the ruleset protects: its targets, else the file's base name (never a path that differs
   * between a laptop and CI), else the ruleset's own name. Every rule that names the target uses this.
   */
  label(ruleset: Ruleset): string;
  /**
   * The entries of an exposure that carry `protocol` and reach some of `ports`, in exposure order, each with the ports it
   * reaches: what `exposedPorts` gives, without copying every entry (the per-protocol entry lists are built once per
   * exposure and shared by the rules of the file; any ruleset works, also one from a sibling file).
   */
  exposed(ruleset: Ruleset, hook: 'input' | 'forward', protocol: number, ports: NumSet): ExposedPiece[];
  /** Turn a model span into a report location (TypeScript: the ESTree node behind the rule). */
  where(span: Span, ruleId?: number): ReportTarget;
  /** TypeScript files: the report target of each extracted rule, by rule id (what `where` looks up). */
  nodes?: Map<number, ReportTarget>;
}

type Extractor = (ast: unknown, text: string, context: EslintRule.RuleContext) => { document: FirewallDocument; nodes: Map<number, ReportTarget> } | undefined;
let tsExtractor: Extractor | undefined;

/** The TypeScript entry point installs the CDK/Pulumi extractor; firewall-only users never load TypeScript. */
export function setTypeScriptExtractor(fn: Extractor): void {
  tsExtractor = fn;
}

const cache = new WeakMap<object, FileAnalysis | null>();

/**
 * ESLint's location of a span. Spans count columns from 1, as the firewall languages do (`columnStart` 1);
 * ESLint's JavaScript language, which carries CDK and Pulumi source files (an analysis with `nodes`),
 * counts them from 0: `zeroBased` shifts them there.
 */
export function spanLoc(span: Span, zeroBased = false): ReportTarget['loc'] {
  const d = zeroBased ? 1 : 0;
  return { start: { line: span.start.line, column: span.start.column - d }, end: { line: span.end.line, column: span.end.column - d } };
}

const byProtocol = new WeakMap<Exposure, Map<number, ExposureEntry[]>>();

/** Entries of `exposure` that carry `protocol` (one list per exposure and protocol). */
function entriesOf(exposure: Exposure, protocol: number): ExposureEntry[] {
  let m = byProtocol.get(exposure);
  if (!m) byProtocol.set(exposure, (m = new Map()));
  let list = m.get(protocol);
  if (!list) m.set(protocol, (list = exposure.entries.filter((e) => e.protocols.has(protocol))));
  return list;
}

/**
 * The part of `ports` (an entry's destination ports) inside `query`, or undefined when none: exposedPieces' test.
 * One interval (most entries): a binary search for the first query interval ending after its start, and no new set
 * when that interval holds the whole entry.
 */
export function reachedPorts(ports: NumSet, query: NumSet): NumSet | undefined {
  const q = query.bounds;
  if (q.length === 0) return undefined;
  const b = ports.bounds;
  if (b.length !== 2) {
    const d = ports.intersect(query);
    return d.isEmpty ? undefined : d;
  }
  const a0 = b[0]!;
  const a1 = b[1]!;
  const lo = firstEndingAfter(q, a0);
  const q0 = q[2 * lo]!;
  const q1 = q[2 * lo + 1]!;
  if (q1 <= a0 || q0 >= a1) return undefined; // no query interval ends after it starts, or the next starts after it ends
  if (q1 >= a1) return q0 <= a0 ? ports : IntervalSet.range(q0, a1);
  return ports.intersect(query); // it spans a gap of the query
}

/**
 * Whether `ports` (an entry's destination ports) and `query` share a port: reachedPorts(ports, query) !== undefined,
 * without making the shared part. For a rule that only needs to know that an entry reaches the query (the sweep of
 * no-world-open-sensitive-ports asks it of every entry, and needs the ports only of the few open to everyone).
 */
export function reachesPorts(ports: NumSet, query: NumSet): boolean {
  const q = query.bounds;
  const b = ports.bounds;
  if (q.length === 0 || b.length === 0) return false;
  if (b.length !== 2) return ports.overlaps(query);
  const a0 = b[0]!;
  const a1 = b[1]!;
  // the first query interval ending after the entry's start (as reachedPorts): they meet iff it starts before its end
  const lo = firstEndingAfter(q, a0);
  return q[2 * lo + 1]! > a0 && q[2 * lo]! < a1;
}

/** The index of the first interval of the bounds q that ends after a0 (the last one when none does). */
function firstEndingAfter(q: readonly number[], a0: number): number {
  let lo = 0;
  let hi = q.length / 2 - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (q[2 * mid + 1]! > a0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** See FileAnalysis.exposed: the same entries, ports and order as `exposedPorts(exposure, protocol, ports)`. */
export function exposedPieces(exposure: Exposure, protocol: number, ports: NumSet): ExposedPiece[] {
  const out: ExposedPiece[] = [];
  if (ports.isEmpty) return out;
  for (const entry of entriesOf(exposure, protocol)) {
    const d = reachedPorts(entry.dports, ports);
    if (d) out.push({ entry, protocol, ports: d });
  }
  return out;
}

/**
 * Target names as a finding says them: each once. A GCP target class is in a ruleset's targets both qualified and
 * bare (`tag:web` and `web`, so that a deployment may name either; src/parsers/gcp compileGcp): the bare name of a
 * qualified one beside it is left out ("tag:web, prod-vpc", not "tag:web, web, prod-vpc").
 */
export function targetsText(targets: readonly string[]): string {
  const shown = targets.filter((t) => !targets.some((u) => u !== t && u.endsWith(`:${t}`)));
  return shown.join(', ');
}

/** Undefined when the file holds no firewall rules (nothing to lint). */
export function analyse(context: EslintRule.RuleContext): FileAnalysis | undefined {
  const sourceCode = context.sourceCode;
  const ast = sourceCode.ast as unknown as object;
  const hit = cache.get(ast);
  if (hit !== undefined) return hit ?? undefined;

  let document: FirewallDocument | undefined;
  let nodes: Map<number, ReportTarget> | undefined;
  const root = ast as Partial<FirewallRoot>;
  if (root.type === 'Document' && root.document) {
    document = root.document;
  } else if (tsExtractor && (ast as { type?: string }).type === 'Program') {
    const r = tsExtractor(ast, sourceCode.text, context);
    if (r) {
      document = r.document;
      nodes = r.nodes;
    }
  }
  // A document without rulesets has nothing to judge, unless the parser warned about input it could not
  // evaluate (a Terraform file whose only firewall is a module call): no-unevaluated-input reports that.
  if (!document || (document.rulesets.length === 0 && !document.diagnostics.some((d) => d.severity === 'warning'))) {
    cache.set(ast, null);
    return undefined;
  }
  const filePath = context.physicalFilename && !context.physicalFilename.startsWith('<') ? context.physicalFilename : undefined;
  const eslintSettings = context.settings as { firewall?: unknown; fwlintConfigFile?: string; fwlintCwd?: string } | undefined;
  const base = loadSettings(filePath, {
    eslintSettings: eslintSettings?.firewall,
    // the CLI's working directory (ESLint's cwd is the common folder of it and the inputs, `/` for a file in /etc)
    cwd: typeof eslintSettings?.fwlintCwd === 'string' ? eslintSettings.fwlintCwd : context.cwd,
    ...(eslintSettings?.fwlintConfigFile ? { configFile: eslintSettings.fwlintConfigFile } : {}),
  });
  if (base.errors.length > 0) {
    // a broken configuration is a configuration error (ESLint exits 2), never a silent default
    throw new Error(`fwlint configuration error:\n${base.errors.map((e) => `  ${e.file}:${e.line}:${e.column}: ${e.message}${e.schemaPath ? ` (schema: ${e.schemaPath})` : ''}`).join('\n')}`);
  }
  const comments: DocComment[] = document.comments;
  // deployments declared in the file itself (`# fwlint-deployment: transfer-cft …`) apply to the file's targets
  // (in a file of several rulesets, on the targets of the ruleset the comment is written in or above)
  const rulesets = document.rulesets;
  const inFile = deploymentsFromComments(comments, filePath, (c) => commentTargets(c, filePath, rulesets, base, comments), base);
  const settings = withDeployments(base, inFile.deployments);
  const targetCache = new Map<Ruleset, string[]>();
  const doc = document;
  const analysis: FileAnalysis = {
    document: doc,
    filePath,
    settings,
    directiveErrors: inFile.errors,
    exposure: (ruleset, hook) => computeExposure(ruleset, { hook }),
    exposed: (ruleset, hook, protocol, ports) => exposedPieces(computeExposure(ruleset, { hook }), protocol, ports),
    targets(ruleset) {
      let t = targetCache.get(ruleset);
      if (!t) {
        t = targetsFor(filePath, ruleset, settings, comments, doc.rulesets);
        targetCache.set(ruleset, t);
      }
      return t;
    },
    label(ruleset) {
      const t = analysis.targets(ruleset);
      return t.length > 0 ? targetsText(t) : filePath ? basename(filePath) : ruleset.name;
    },
    where(span, ruleId) {
      const n = ruleId !== undefined ? nodes?.get(ruleId) : undefined;
      return n ?? { loc: spanLoc(span, nodes !== undefined) };
    },
  };
  if (nodes) analysis.nodes = nodes;
  cache.set(ast, analysis);
  return analysis;
}

/** Visitors that run `fn` once per file, for firewall languages and for JS/TS files alike. */
export function oncePerFile(fn: () => void): EslintRule.RuleListener {
  return { 'Document:exit': fn, 'Program:exit': fn } as EslintRule.RuleListener;
}
