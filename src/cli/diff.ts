/**
 * fwlint diff BASE [HEAD]: what a change newly exposes, and what it closes.
 *
 * The changed firewall files between two git refs (HEAD defaults to the
 * working tree, untracked files included) are parsed on both sides; the
 * exposure of each ruleset (matched by name) is computed on both sides and
 * subtracted: what the new side reaches that the old side did not is "newly
 * exposed" (reported at the responsible line of the new side), the reverse is
 * "closed" (at the line of the old side). Newly exposed pieces that a
 * recommended rule flags (the Transfer CFT block where no deployment needs it,
 * sensitive ports reachable from the whole internet) are errors, exit 1 —
 * unless an inline `fwlint-ignore` on the new side covers them, as it would
 * in `fwlint` itself (then a warning that says so).
 * Exit 0 otherwise, 2 on usage errors (not a git repository, unknown ref).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import { computeExposure, type ExposureEntry } from '../analysis/index.js';
import { CFT_BLOCK, SENSITIVE_PORTS } from '../catalog/index.js';
import { commentTargets, deploymentsFromComments, judge, loadSettings, targetsFor, withDeployments, type ResolvedSettings } from '../deployments/index.js';
import { BINARY_CONTENT, parseWithFormat, readInclude } from '../eslint/language.js';
import { FILE_GLOBS, NEVER_FIREWALL } from '../eslint/plugin.js';
import { describeSources, docsUrl } from '../eslint/rule-kit.js';
import { AddrSet, closedRanges, IntervalSet, numSetOf, PROTO_UNIVERSE, protocolName, formatPorts, type Family, type FirewallDocument, type NumSet, type Ruleset, type Span } from '../model/index.js';
import { PACKAGE } from '../package-info.js';
import { isActive, loadSidecar, parseSuppressions, scopeCovers, type InlineSuppression } from '../suppressions/index.js';
import { detectFormat, formatById } from '../parsers/registry.js';
import { hasWildcard, wildcardMatch } from '../parsers/nftables/include.js';
import type { IncludeReader } from '../parsers/types.js';
import { portsWithNames } from './exposure.js';
import { sarifArtifactLocation, SarifFingerprints, sarifJson, type SarifFatal } from './formatters.js';
import { checkOutputFile, isBlank, isTfvars, parseSource, scriptStartOption, SOURCE_FILE, writeOutputFile, type ScriptStart } from './inputs.js';
import { looksLikeFirewallCode, MARKERS } from '../parsers/typescript/index.js';
import { candidates, type ModuleText } from '../eslint/ts-modules.js';
import { UsageError, type Io } from './main.js';

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
/** Protocols whose exposure is a set of destination ports. */
const PORT_PROTOS = [6, 17, 33, 132];
const PORT_PROTO_SET: NumSet = numSetOf(PORT_PROTOS.map((p) => [p, p] as const));

export interface DiffChange {
  kind: 'newly-exposed' | 'closed';
  file: string;
  ruleset: string;
  /** Protocol number, or undefined for "every protocol without ports" (ICMP, ESP, …, in `protocols`). */
  protocol?: number;
  protocols?: [number, number][];
  /** Closed port ranges (port protocols only). */
  ports: [number, number][];
  portsText: string;
  sources: string[];
  sourcesText: string;
  principals: string[];
  certainty: 'open' | 'possibly-open';
  /** Responsible line: on the new side for newly exposed, on the old side for closed; undefined for a policy without a line. */
  span?: Span;
  responsible: string;
  /** The recommended rule that flags this new exposure (error), if any. */
  flaggedBy?: string;
  /** An inline `fwlint-ignore` on the new side covers the flagged finding: reported as a warning, does not fail. */
  suppressedBy?: string;
}

export interface DiffFile {
  file: string;
  format: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** With status 'renamed': the file's path on the base side. */
  from?: string;
  changes: DiffChange[];
  errors: { line: number; column: number; message: string; side: 'base' | 'head' }[];
}

export interface DiffReport {
  base: string;
  head: string;
  files: DiffFile[];
}

// ---------------------------------------------------------------- git

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw new UsageError(`cannot run git: ${r.error.message}`);
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? '' };
}

function splitZ(s: string): string[] {
  return s.split('\0').filter((x) => x.length > 0);
}

// ---------------------------------------------------------------- exposure arithmetic

interface Piece {
  key: string;
  protocol?: number;
  /** ports (port protocols) or protocols (the rest) */
  dim: NumSet;
  sources: AddrSet;
  principal?: string;
  entry: ExposureEntry;
}

function pieces(entries: ExposureEntry[]): Map<string, Piece[]> {
  const out = new Map<string, Piece[]>();
  const add = (p: Piece) => {
    const l = out.get(p.key);
    if (l) l.push(p);
    else out.set(p.key, [p]);
  };
  for (const e of entries) {
    const targets: { protocol?: number; dim: NumSet }[] = [];
    for (const p of PORT_PROTOS) if (e.protocols.has(p)) targets.push({ protocol: p, dim: e.dports });
    const rest = e.protocols.subtract(PORT_PROTO_SET);
    if (!rest.isEmpty) targets.push({ dim: rest });
    for (const t of targets) {
      if (t.dim.isEmpty) continue;
      const pk = t.protocol ?? 'other';
      if (!e.sources.isEmpty) add({ key: `${e.family}|${pk}|`, ...t, sources: e.sources, entry: e });
      for (const principal of e.principals) add({ key: `${e.family}|${pk}|${principal}`, ...t, sources: AddrSet.ALL, principal, entry: e });
    }
  }
  return out;
}

interface Box {
  dim: NumSet;
  sources: AddrSet;
}

/** Boxes (dim × sources) minus one box: at most two boxes per input box. */
function subtractBox(boxes: Box[], o: Box): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    const d = b.dim.intersect(o.dim);
    if (d.isEmpty) {
      out.push(b);
      continue;
    }
    const s = b.sources.intersect(o.sources);
    if (s.isEmpty) {
      out.push(b);
      continue;
    }
    const left = b.dim.subtract(o.dim);
    if (!left.isEmpty) out.push({ dim: left, sources: b.sources });
    const rest = b.sources.subtract(o.sources);
    if (!rest.isEmpty) out.push({ dim: d, sources: rest });
  }
  return out;
}

interface Delta {
  piece: Piece;
  dim: NumSet;
  sources: AddrSet;
}

/** The parts of `next` that `prev` does not reach. */
function minus(next: Map<string, Piece[]>, prev: Map<string, Piece[]>): Delta[] {
  const out: Delta[] = [];
  const sig = (p: Piece) => `${p.dim.bounds.join(',')}|${p.sources.toString()}`;
  for (const [key, list] of next) {
    const olds = prev.get(key) ?? [];
    // fast path, the common case of a diff: the same piece on both sides
    const same = new Set(olds.map(sig));
    for (const n of list) {
      if (same.has(sig(n))) continue;
      let boxes: Box[] = [{ dim: n.dim, sources: n.sources }];
      for (const o of olds) {
        if (boxes.length === 0) break;
        if (!o.dim.overlaps(n.dim)) continue;
        boxes = subtractBox(boxes, { dim: o.dim, sources: o.sources });
      }
      if (boxes.length === 0) continue;
      let dim = IntervalSet.empty<number>();
      let sources = AddrSet.EMPTY;
      for (const b of boxes) {
        dim = dim.union(b.dim);
        sources = sources.union(b.sources);
      }
      out.push({ piece: n, dim, sources: n.principal ? AddrSet.EMPTY : sources });
    }
  }
  return out;
}

// ---------------------------------------------------------------- flagging

const SENSITIVE: Record<number, NumSet> = {
  6: numSetOf([...SENSITIVE_PORTS.tcp.keys()].map((p) => [p, p] as const)),
  17: numSetOf([...SENSITIVE_PORTS.udp.keys()].map((p) => [p, p] as const)),
};

/**
 * The sensitive ports of `protocol` that the new side opens to the whole internet (of `family`): as
 * no-world-open-sensitive-ports judges it, per port, on everything that reaches the port — not on the newly
 * exposed share alone (a PR that widens ssh from 10.0.0.0/8 to 0.0.0.0/0 newly exposes 0.0.0.0/0 minus 10.0.0.0/8,
 * and ssh is world-open).
 */
function worldOpenSensitive(next: Map<string, Piece[]>, family: Family, protocol: number, ports: NumSet): NumSet {
  let out = IntervalSet.empty<number>();
  const list = next.get(`${family}|${protocol}|`) ?? [];
  for (const [lo, hi] of closedRanges(ports.intersect(SENSITIVE[protocol]!))) {
    for (let port = lo; port <= hi; port++) {
      const reach = list.filter((p) => p.dim.has(port)).map((p) => p.sources);
      if (reach.length > 0 && AddrSet.unionCoversAll(reach, family)) out = out.union(IntervalSet.range(port, port + 1));
    }
  }
  return out;
}

function flaggedBy(protocol: number | undefined, ports: NumSet, sources: AddrSet, targets: string[], settings: ResolvedSettings, worldOpen: NumSet): string | undefined {
  if (protocol !== 6 && protocol !== 17) return undefined;
  const cft = ports.intersect(CFT_BLOCK);
  if (!cft.isEmpty) {
    const j = judge('transfer-cft', targets, protocol, cft, sources, settings);
    if (!j.unneeded.isEmpty || j.tooWide) return 'firewall/no-unneeded-cft-ports';
  }
  if (ports.overlaps(worldOpen)) return 'firewall/no-world-open-sensitive-ports';
  return undefined;
}

// ---------------------------------------------------------------- diffing one file

function responsibleSpan(e: ExposureEntry): Span | undefined {
  return e.rule ? (e.rule.reportSpan ?? e.rule.span) : e.chain.policySpan;
}

function responsibleText(e: ExposureEntry): string {
  const span = responsibleSpan(e);
  if (e.rule) return `line ${span!.start.line}`;
  return `policy ${e.table.name}/${e.chain.name}${span ? ` (line ${span.start.line})` : ''}`;
}

/**
 * The sources of a change, said as "0.0.0.0/0 except 10.0.0.0/8" when they are one family's whole space but a few
 * blocks (what widening 10.0.0.0/8 to 0.0.0.0/0 newly exposes), not as the first of eight CIDRs "and 5 more".
 */
function sourcesText(sources: AddrSet): string {
  for (const [all, other, whole] of [[AddrSet.ALL_V4, AddrSet.ALL_V6, '0.0.0.0/0'], [AddrSet.ALL_V6, AddrSet.ALL_V4, '::/0']] as const) {
    if (!sources.intersect(other).isEmpty) continue;
    const missing = all.subtract(sources);
    if (missing.isEmpty) break;
    const cidrs = missing.toCidrs();
    if (cidrs.length <= 3 && cidrs.length < sources.toCidrs().length) return `${whole} except ${cidrs.join(', ')}`;
  }
  return describeSources(sources);
}

type Suppressed = (ruleId: string, line: number | undefined, protocol: number | undefined, ports: NumSet, sources: AddrSet) => InlineSuppression | undefined;

function changesOf(
  kind: DiffChange['kind'],
  file: string,
  ruleset: string,
  deltas: Delta[],
  flag?: (protocol: number | undefined, ports: NumSet, sources: AddrSet, family: Family) => string | undefined,
  suppressed?: Suppressed,
): DiffChange[] {
  // one change per responsible line and protocol, never one per port or cube piece
  const groups = new Map<string, { d: Delta; dim: NumSet; sources: AddrSet; principals: Set<string>; open: boolean }>();
  for (const d of deltas) {
    const e = d.piece.entry;
    const where = e.rule ? `rule:${e.rule.id}` : `policy:${e.table.name}/${e.chain.name}`;
    const key = `${where}|${d.piece.protocol ?? 'other'}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { d, dim: d.dim, sources: d.sources, principals: new Set(d.piece.principal ? [d.piece.principal] : []), open: e.certainty === 'open' });
    else {
      g.dim = g.dim.union(d.dim);
      g.sources = g.sources.union(d.sources);
      if (d.piece.principal) g.principals.add(d.piece.principal);
      if (e.certainty === 'open') g.open = true;
    }
  }
  const out: DiffChange[] = [];
  for (const g of groups.values()) {
    const e = g.d.piece.entry;
    const protocol = g.d.piece.protocol;
    const span = responsibleSpan(e);
    const principals = [...g.principals].sort();
    const c: DiffChange = {
      kind,
      file,
      ruleset,
      ...(protocol !== undefined ? { protocol } : { protocols: closedRanges(g.dim) }),
      ports: protocol !== undefined ? closedRanges(g.dim) : [],
      portsText: protocol !== undefined ? portsWithNames(protocol, g.dim) : formatPorts(g.dim, PROTO_UNIVERSE),
      sources: g.sources.toCidrs(),
      sourcesText: principals.length === 0 ? sourcesText(g.sources) : describeSources(g.sources, principals),
      principals,
      certainty: g.open ? 'open' : 'possibly-open',
      ...(span ? { span } : {}),
      responsible: responsibleText(e),
    };
    const f = flag?.(protocol, g.dim, g.sources, e.family);
    if (f) {
      c.flaggedBy = f;
      const s = suppressed?.(f, span?.start.line, protocol, g.dim, g.sources);
      if (s) c.suppressedBy = s.text;
    }
    out.push(c);
  }
  return out.sort((a, b) => (a.span?.start.offset ?? -1) - (b.span?.start.offset ?? -1) || (a.protocol ?? 999) - (b.protocol ?? 999));
}

function parseSide(path: string, text: string | undefined, format: ReturnType<typeof detectFormat> | 'source', reader?: IncludeReader, scriptStart?: ScriptStart): { doc?: FirewallDocument; errors: { line: number; column: number; message: string }[] } {
  if (text === undefined || !format) return { errors: [] };
  const doc =
    format === 'source'
      ? // a side without CDK or Pulumi imports defines no security group: no rulesets, not an error
        looksLikeFirewallCode(text) ? parseSource(text, path, reader && moduleText(reader)) : { format: 'typescript', rulesets: [], diagnostics: [], comments: [] }
      : parseWithFormat(format, text, path, scriptStart !== undefined ? { scriptStart } : {}, reader);
  const errors = doc.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ line: d.span.start.line, column: d.span.start.column, message: d.message }));
  return { doc, errors };
}

/** Diff one file given both texts (undefined = absent on that side). Pure apart from reading the deployment settings. */
/**
 * With `renamedFrom` (git saw a rename): the old file's rulesets are compared with the new one's (by name, and the
 * one left on each side with each other), provided each pair protects the same targets; otherwise undefined, and
 * the caller compares a deletion and an addition (a file moved to hosts/web2/ is web2's new exposure).
 */
export function diffFile(
  file: string,
  absPath: string,
  oldText: string | undefined,
  newText: string | undefined,
  opts: { inputFormat?: string; scriptStart?: ScriptStart; cwd?: string; renamedFrom?: { file: string; absPath: string }; readers?: { base: IncludeReader; head: IncludeReader } } = {},
): DiffFile | undefined {
  const detected = opts.inputFormat
    ? formatById(opts.inputFormat)
    : (newText !== undefined ? detectFormat(absPath, newText) : undefined) ?? (oldText !== undefined ? detectFormat(absPath, oldText) : undefined);
  // AWS CDK / Pulumi code (as `fwlint` lints it through eslint-plugin-firewall/typescript): on either side
  const format: typeof detected | 'source' =
    detected ?? (!opts.inputFormat && isSourceFile(absPath) && [oldText, newText].some((t) => t !== undefined && looksLikeFirewallCode(t)) ? 'source' : undefined);
  const formatId = format === 'source' ? 'typescript' : format?.id;
  const status: DiffFile['status'] = opts.renamedFrom ? 'renamed' : oldText === undefined ? 'added' : newText === undefined ? 'deleted' : 'modified';
  // a firewall-named file that is binary on the new side (encrypted, damaged): the gate cannot see what it opens
  // (only changed files get here: the scan for NUL bytes is not on the way of a lint run)
  // emptied (or a new empty file of a firewall format): no rules at all is no firewall, everything open, not 'closed'
  if (newText !== undefined && format && format !== 'source' && isBlank(newText)) {
    return { file, format: formatId!, status, changes: [], errors: [{ line: 1, column: 1, message: 'the file is empty: it holds no firewall rules (a host that loads it has none); not compared', side: 'head' }] };
  }
  if (newText?.includes('\0')) return { file, format: formatId ?? 'unknown', status, changes: [], errors: [{ line: 1, column: 1, message: BINARY_CONTENT, side: 'head' }] };
  if (!format) return undefined;
  const before = parseSide(opts.renamedFrom?.absPath ?? absPath, oldText, format, opts.readers?.base, opts.scriptStart);
  const after = parseSide(absPath, newText, format, opts.readers?.head, opts.scriptStart);
  const result: DiffFile = {
    file,
    format: formatId!,
    status,
    ...(opts.renamedFrom ? { from: opts.renamedFrom.file } : {}),
    changes: [],
    errors: [...before.errors.map((e) => ({ ...e, side: 'base' as const })), ...after.errors.map((e) => ({ ...e, side: 'head' as const }))],
  };
  if (after.errors.length > 0) return result;
  // an unparsable base side is compared as empty: everything on the new side counts as new (sound for a gate)
  const oldSets = before.errors.length > 0 ? [] : (before.doc?.rulesets ?? []);
  const newSets = after.doc?.rulesets ?? [];
  let settings: ResolvedSettings | undefined;
  const comments = after.doc?.comments ?? [];
  const settingsFor = (): ResolvedSettings => {
    if (!settings) {
      const base = loadSettings(absPath, { cwd: opts.cwd ?? process.cwd() });
      settings = withDeployments(base, deploymentsFromComments(comments, absPath, (c) => commentTargets(c, absPath, newSets, base, comments), base).deployments);
    }
    return settings;
  };
  // inline suppressions of the new side (as the lint rules apply them): a covered flagged exposure does not fail the gate
  let sups: InlineSuppression[] | undefined;
  const suppressed: Suppressed = (ruleId, line, protocol, ports, sources) => {
    if (line === undefined || !after.doc || protocol === undefined) return undefined;
    sups ??= parseSuppressions(after.doc, newText, loadSidecar(absPath));
    const now = Date.now();
    return sups.find(
      (x) =>
        x.covers !== undefined && line >= x.covers.start && line <= x.covers.end && isActive(x, { requireReason: false, now }) &&
        (!x.rules || x.rules.includes(ruleId)) && scopeCovers(x, { ports: new Map([[protocol, ports]]), sources }),
    );
  };
  const byName = (sets: Ruleset[]) => new Map(sets.map((rs) => [rs.name, rs] as const));
  const olds = byName(oldSets);
  const news = byName(newSets);
  if (opts.renamedFrom) {
    // a ruleset named after its file (iptables, nftables) has another name after the rename: the one left on each side
    const oldLeft = [...olds.keys()].filter((n) => !news.has(n));
    const newLeft = [...news.keys()].filter((n) => !olds.has(n));
    if (oldLeft.length === 1 && newLeft.length === 1) {
      olds.set(newLeft[0]!, olds.get(oldLeft[0]!)!);
      olds.delete(oldLeft[0]!);
    }
    const oldPath = opts.renamedFrom.absPath;
    const oldSettings = loadSettings(oldPath, { cwd: opts.cwd ?? process.cwd() });
    const oldComments = before.doc?.comments ?? [];
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
    for (const [name, o] of olds) {
      const n = news.get(name);
      if (n && !same(targetsFor(oldPath, o, oldSettings, oldComments), targetsFor(absPath, n, settingsFor(), comments))) return undefined;
    }
  }
  const names = [...new Set([...news.keys(), ...olds.keys()])];
  for (const name of names) {
    const o = olds.get(name);
    const n = news.get(name);
    const reach = (rs: Ruleset | undefined) => pieces(rs ? computeExposure(rs, { hook: 'input' }).entries.filter((e) => !e.sources.isEmpty || e.principals.length > 0) : []);
    const op = reach(o);
    const np = reach(n);
    const flag = n
      ? (protocol: number | undefined, ports: NumSet, sources: AddrSet, family: Family) => {
          const s = settingsFor();
          const world = protocol === 6 || protocol === 17 ? worldOpenSensitive(np, family, protocol, ports) : IntervalSet.empty<number>();
          return flaggedBy(protocol, ports, sources, targetsFor(absPath, n, s, comments, newSets), s, world);
        }
      : undefined;
    result.changes.push(...changesOf('newly-exposed', file, name, minus(np, op), flag, suppressed));
    result.changes.push(...changesOf('closed', file, name, minus(op, np)));
  }
  return result;
}

// ---------------------------------------------------------------- output

function protoText(c: DiffChange): string {
  return c.protocol !== undefined ? protocolName(c.protocol) : 'other protocols';
}

function changeText(c: DiffChange): string {
  const what = c.protocol !== undefined ? `${protoText(c)} ${c.portsText}` : `protocols ${c.portsText}`;
  const certainty = c.certainty === 'open' ? '' : ' (possibly open)';
  if (c.kind === 'newly-exposed') return `${what} reachable from ${c.sourcesText}${certainty}`;
  return `${what} from ${c.sourcesText} no longer reachable`;
}

/** Netfilter rulesets are named after their file; cloud rulesets (groups, NSGs) are worth naming. */
function rulesetNote(c: DiffChange, f: DiffFile): string {
  const n = c.ruleset;
  return n === f.file || n.endsWith(`/${f.file}`) || n.endsWith(`/${f.file.split('/').pop()}`) ? '' : `  [${n}]`;
}

export function formatDiffText(r: DiffReport): string {
  const lines: string[] = [];
  let added = 0;
  let closed = 0;
  let flagged = 0;
  for (const f of r.files) {
    if (f.changes.length === 0 && f.errors.length === 0) continue;
    lines.push(`${f.file} (${f.format}, ${f.status === 'renamed' ? `renamed from ${f.from}` : f.status})`);
    for (const e of f.errors) lines.push(`  ! ${e.side === 'head' ? 'new' : 'old'} side ${e.line}:${e.column}: ${e.message}`);
    for (const c of f.changes) {
      if (c.kind === 'newly-exposed') {
        added++;
        const error = c.flaggedBy && !c.suppressedBy;
        if (error) flagged++;
        const why = c.flaggedBy ? `  ${c.flaggedBy}${c.suppressedBy ? ` (suppressed: ${c.suppressedBy})` : ''}` : '';
        lines.push(`  + ${error ? 'error  ' : 'warning'} ${changeText(c)}, ${c.responsible}${why}${rulesetNote(c, f)}`);
      } else {
        closed++;
        lines.push(`  - closed  ${changeText(c)}, was ${c.responsible}${rulesetNote(c, f)}`);
      }
    }
  }
  const changed = r.files.length;
  lines.push(
    `fwlint diff ${r.base}..${r.head}: ${changed} firewall file${changed === 1 ? '' : 's'} changed, ${added} newly exposed (${flagged} flagged), ${closed} closed`,
  );
  return `${lines.join('\n')}\n`;
}

const DIFF_HELP = 'https://github.com/fwlint/eslint-plugin-firewall/blob/main/docs/ci.md#the-pull-request-gate-fwlint-diff';

const DIFF_RULES: Record<string, string> = {
  'fwlint/newly-exposed': 'The change makes ports reachable that were not reachable before',
  'fwlint/closed': 'The change makes ports unreachable that were reachable before',
  'fwlint/parse-error': 'The file could not be parsed as a firewall ruleset',
  'firewall/no-unneeded-cft-ports': 'The change newly exposes Transfer CFT ports 1761–1768 that no deployment needs',
  'firewall/no-world-open-sensitive-ports': 'The change newly exposes sensitive ports to the whole internet',
};

function findings(r: DiffReport): { level: 'error' | 'warning' | 'note'; ruleId: string; file: string; line: number; column: number; endLine: number; endColumn: number; message: string }[] {
  const out: ReturnType<typeof findings> = [];
  for (const f of r.files) {
    for (const e of f.errors) {
      out.push({ level: e.side === 'head' ? 'error' : 'warning', ruleId: 'fwlint/parse-error', file: f.file, line: e.line, column: e.column, endLine: e.line, endColumn: e.column, message: `${e.side === 'head' ? '' : `${r.base}: `}${e.message}` });
    }
    for (const c of f.changes) {
      const s = c.span;
      const pos = { line: s?.start.line ?? 1, column: s?.start.column ?? 1, endLine: s?.end.line ?? s?.start.line ?? 1, endColumn: s?.end.column ?? s?.start.column ?? 1 };
      if (c.kind === 'newly-exposed') {
        const suffix = c.suppressedBy ? ` Suppressed: ${c.suppressedBy}.` : '';
        out.push({ level: c.flaggedBy && !c.suppressedBy ? 'error' : 'warning', ruleId: c.flaggedBy ?? 'fwlint/newly-exposed', file: f.file, ...pos, message: `Newly exposed by this change: ${changeText(c)} (${c.responsible}).${suffix}` });
      } else if (f.status !== 'deleted') {
        // a closed exposure points at the old side: on the new side it is only a note at line 1 of the file
        out.push({ level: 'note', ruleId: 'fwlint/closed', file: f.file, line: 1, column: 1, endLine: 1, endColumn: 1, message: `Closed by this change: ${changeText(c)} (was ${c.responsible} in ${r.base}).` });
      }
    }
  }
  return out;
}

export function formatDiffSarif(r: DiffReport, cwd: string = process.cwd()): string {
  const builder = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({ toolDriverName: 'fwlint', toolDriverVersion: PACKAGE.version, url: 'https://github.com/fwlint/eslint-plugin-firewall' });
  for (const [id, text] of Object.entries(DIFF_RULES)) {
    run.addRule(new SarifRuleBuilder().initSimple({ ruleId: id, shortDescriptionText: text, helpUri: id.startsWith('firewall/') ? docsUrl(id.slice('firewall/'.length)) : DIFF_HELP }));
  }
  const fingerprints = new SarifFingerprints();
  const fatal: SarifFatal[] = [];
  for (const f of findings(r)) {
    const artifactLocation = sarifArtifactLocation(f.file, cwd);
    if (f.ruleId === 'fwlint/parse-error' && f.level === 'error') fatal.push({ message: f.message, location: artifactLocation, line: f.line, column: f.column });
    const res = new SarifResultBuilder().initSimple({
      level: f.level,
      messageText: f.message,
      ruleId: f.ruleId,
      fileUri: artifactLocation.uri,
      startLine: f.line,
      startColumn: f.column,
      endLine: Math.max(f.line, f.endLine),
      endColumn: Math.max(1, f.endColumn),
    });
    res.setLocationArtifactUri({ ...artifactLocation });
    res.result.partialFingerprints = fingerprints.of(resolve(cwd, f.file), artifactLocation.uri, f.ruleId, f.line, f.message);
    run.addResult(res);
  }
  builder.addRun(run);
  return sarifJson(builder, cwd, fatal);
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatDiffGithub(r: DiffReport): string {
  const out = findings(r).map((f) => {
    const level = f.level === 'note' ? 'notice' : f.level;
    return `::${level} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},endLine=${f.endLine},endColumn=${f.endColumn},title=${escapeProperty(f.ruleId)}::${escapeData(f.message)}`;
  });
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

// ---------------------------------------------------------------- command

/**
 * The firewall files that changed between `base` and `head` (undefined: the working tree) in the repository at
 * `root`, each compared; submodules are followed (`depth` deep).
 */
/** How every changed file is read: its format forced (--input-format), what an iptables script starts on. */
interface ReadOptions {
  inputFormat?: string;
  scriptStart?: ScriptStart;
}

function collect(root: string, base: string, head: string | undefined, cwd: string, read: ReadOptions, depth: number): DiffFile[] {
  const { inputFormat } = read;
  const files: DiffFile[] = [];
  const changed = git(root, ['diff', '--raw', '-z', '-M', '--abbrev=40', base, ...(head !== undefined ? [head] : []), '--']);
  if (!changed.ok) throw new UsageError(`git diff failed: ${changed.err.trim()}`);
  const paths = new Set<string>();
  // new path -> old path of the renames git found (R<score>, old, new)
  const renames = new Map<string, string>();
  for (let i = 0, f = splitZ(changed.out); i < f.length; ) {
    // ':<old mode> <new mode> <old sha> <new sha> <status>', then the path (two for renames and copies)
    const [oldMode, newMode, oldSha, newSha, st = ''] = f[i++]!.slice(1).split(' ');
    if (st.startsWith('R') || st.startsWith('C')) {
      const [from, to] = [f[i++]!, f[i++]!];
      paths.add(to);
      if (st.startsWith('R')) {
        paths.add(from);
        renames.set(to, from);
      }
    } else if (oldMode === GITLINK || newMode === GITLINK) {
      // a submodule whose commit (or, in the working tree, whose files) changed: what it newly exposes is in it
      files.push(...submodule(root, f[i++]!, oldMode === GITLINK ? oldSha! : EMPTY_TREE, newMode === GITLINK ? newSha! : undefined, head, cwd, read, depth));
    } else paths.add(f[i++]!);
  }
  if (head === undefined) {
    const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '-z']);
    for (const p of splitZ(untracked.out)) paths.add(p);
  }
  // a changed tfvars file: the Terraform files of its directory, on either side, are compared (with each side's values)
  const tfvarsDirs = new Set([...paths].filter((p) => isTfvars(p)).map((p) => dirname(p)));
  for (const dir of tfvarsDirs) {
    const prefix = dir === '.' ? '' : `${dir}/`;
    const listed = [base, ...(head !== undefined ? [head] : [])].flatMap((ref) => splitZ(git(root, ['ls-tree', '-z', '--name-only', ref, '--', prefix || '.']).out));
    if (head === undefined) {
      try {
        listed.push(...readdirSync(join(root, dir)).map((n) => prefix + n));
      } catch {
        // the folder is gone: what the base had is listed
      }
    }
    for (const p of listed) if (isTerraform(p) && dirname(p) === dir) paths.add(p);
  }
  // a changed module of CDK / Pulumi code (constants.ts with the ports): the firewall code that imports it is compared
  for (const p of sourceDependents(root, base, head, paths)) paths.add(p);
  const readers = { base: gitReader(root, base), head: head !== undefined ? gitReader(root, head) : readInclude };
  const show = (ref: string, path: string): string | undefined => {
    const r = git(root, ['show', `${ref}:${path}`]);
    return r.ok ? r.out : undefined;
  };
  // renames of a firewall file to a firewall file whose rulesets keep their targets: one comparison, old with new
  const paired = new Set<string>();
  for (const [to, from] of renames) {
    if (!wanted(to) || !wanted(from)) continue;
    const oldText = show(base, from);
    let newText: string | undefined;
    if (head !== undefined) newText = show(head, to);
    else {
      try {
        newText = readFileSync(join(root, to), 'utf8');
      } catch {
        continue;
      }
    }
    if (oldText === undefined || newText === undefined) continue;
    const rel = (p: string) => relative(cwd, join(root, p)).split('\\').join('/') || p;
    const d = diffFile(rel(to), join(root, to), oldText, newText, { ...read, cwd: root, readers, renamedFrom: { file: rel(from), absPath: join(root, from) } });
    if (!d) continue;
    files.push(d);
    paired.add(to).add(from);
  }
  for (const path of [...paths].sort()) {
    if (!wanted(path) || paired.has(path)) continue;
    const abs = join(root, path);
    const oldText = show(base, path);
    let newText: string | undefined;
    const rel = relative(cwd, abs).split('\\').join('/') || path;
    if (head !== undefined) newText = show(head, path);
    else {
      try {
        newText = readFileSync(abs, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        // gone from the working tree (or a folder now): deleted. Anything else is a file we cannot read, not a
        // deletion: taking it for one reported its exposure as closed
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') {
          const format = inputFormat ? formatById(inputFormat) : oldText !== undefined ? detectFormat(abs, oldText) : undefined;
          files.push({ file: rel, format: format?.id ?? 'unknown', status: oldText === undefined ? 'added' : 'modified', changes: [], errors: [{ line: 1, column: 1, message: `cannot read ${rel}: ${code}`, side: 'head' }] });
          continue;
        }
        newText = undefined;
      }
    }
    if (oldText === undefined && newText === undefined) continue;
    const d = diffFile(rel, abs, oldText, newText, { ...read, cwd: root, readers });
    if (d) files.push(d);
  }

  return files;
}

const GITLINK = '160000';
/** git's empty tree: the base side of a submodule the change adds. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/**
 * A changed submodule: compared inside it, from its old commit to its new one (or its working tree). A gate that
 * cannot see its commits (not checked out, not fetched) says so as an error: passing it over let a submodule bump
 * that opens telnet through as "0 firewall files changed".
 */
function submodule(root: string, path: string, oldSha: string, newSha: string | undefined, head: string | undefined, cwd: string, read: ReadOptions, depth: number): DiffFile[] {
  const dir = join(root, path);
  const rel = relative(cwd, dir).split('\\').join('/') || path;
  if (newSha === undefined) return []; // removed by the change: it exposes nothing any more
  const fail = (why: string): DiffFile[] => [
    { file: rel, format: 'submodule', status: 'modified', changes: [], errors: [{ line: 1, column: 1, message: `submodule ${rel} changed, but ${why}: not compared (check out submodules: actions/checkout with submodules: recursive, GIT_SUBMODULE_STRATEGY: recursive in GitLab CI, or git submodule update --init --recursive)`, side: 'head' }] },
  ];
  if (depth >= 4) return fail('it is nested too deep');
  const top = existsSync(dir) ? git(dir, ['rev-parse', '--show-toplevel']) : undefined;
  if (!top?.ok || resolve(top.out.trim()) !== resolve(dir)) return fail('it is not checked out');
  for (const sha of [oldSha, ...(head !== undefined ? [newSha!] : [])]) {
    if (sha !== EMPTY_TREE && !git(dir, ['cat-file', '-e', `${sha}^{commit}`]).ok) return fail(`its commit ${sha.slice(0, 12)} is not fetched`);
  }
  return collect(dir, oldSha, head !== undefined ? newSha : undefined, cwd, read, depth + 1);
}

/**
 * The parsers' reader on one side of the diff (Terraform's tfvars and local modules, nft includes): the repository's
 * files as they are at `ref`; files outside the repository from the disk (the same on both sides). Without it the
 * base side read the working tree's tfvars, and a change of a variable compared the new values with themselves.
 */
function gitReader(root: string, ref: string): IncludeReader {
  let tree: string[] | undefined;
  const blob = (rel: string) => git(root, ['cat-file', 'blob', `${ref}:${rel}`]);
  return (path, fromFile) => {
    const full = resolve(fromFile ? dirname(fromFile) : root, path);
    const rel = relative(root, full).split('\\').join('/');
    if (rel === '' || rel.startsWith('../') || rel === '..' || isAbsolute(rel)) return readInclude(path, fromFile);
    if (hasWildcard(rel)) {
      tree ??= splitZ(git(root, ['ls-tree', '-r', '-z', '--name-only', ref]).out);
      const parts = rel.split('/');
      const files: { path: string; text: string }[] = [];
      for (const f of tree) {
        const q = f.split('/');
        if (q.length !== parts.length || !q.every((x, i) => wildcardMatch(x, parts[i]!))) continue;
        const r = blob(f);
        if (r.ok) files.push({ path: join(root, f), text: r.out });
      }
      return { files };
    }
    const r = blob(rel);
    return r.ok ? { path: full, text: r.out } : { error: `cannot read ${full} at ${ref}: ${r.err.trim() || 'not a file'}` };
  };
}

const isTerraform = (p: string) => /\.tf(?:\.json)?$/i.test(p);

const isCandidate = picomatch(Object.values(FILE_GLOBS).flat(), { dot: true });
const isNever = picomatch(NEVER_FIREWALL, { dot: true });
/** A JavaScript or TypeScript source (not a declaration file): CDK or Pulumi code when it imports their modules. */
const isSourceFile = (p: string) => SOURCE_FILE.test(p) && !/\.d\.[cm]?ts$/.test(p);
/** A path the diff compares: a firewall file, or source code that may define security groups. */
const wanted = (p: string) => (isCandidate(p) || isSourceFile(p)) && !isNever(p);

/** The parsers' reader as the TypeScript extractor's reader of imported modules' texts. */
function moduleText(reader: IncludeReader): ModuleText {
  return (path) => {
    const r = reader(path, undefined);
    return 'text' in r ? r.text : undefined;
  };
}

/** Relative module specifiers of a source text (import … from './x', import('./x'), require('./x'), export … from). */
function relativeSpecifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"](\.{1,2}\/[^'"\n]*)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** Modules read within modules, at most (the extractor's MAX_MODULE_DEPTH), and firewall sources examined per side. */
const IMPORT_DEPTH = 4;
const MAX_SOURCES = 2000;

/**
 * The CDK / Pulumi files, on either side, whose relative imports (up to the extractor's depth) reach a changed
 * source file: their exposure may change although they did not. Without this a pull request that only edits
 * `ports.ts` (`export const SFTP = 1763`) passed the gate as "no firewall files changed".
 */
function sourceDependents(root: string, base: string, head: string | undefined, paths: Set<string>): string[] {
  const changedSources = new Set([...paths].filter((p) => isSourceFile(p) && !isNever(p)));
  if (changedSources.size === 0) return [];
  const found = new Set<string>();
  for (const ref of head !== undefined ? [base, head] : [base, undefined]) {
    const grep = git(root, ['grep', '-l', '-z', '-F', ...MARKERS.flatMap((m) => ['-e', m]), ...(ref !== undefined ? [ref] : ['--untracked']), '--']);
    const prefix = ref !== undefined ? `${ref}:` : '';
    const sources = splitZ(grep.out)
      .map((f) => (prefix && f.startsWith(prefix) ? f.slice(prefix.length) : f))
      .filter((f) => isSourceFile(f) && !isNever(f) && !changedSources.has(f))
      .slice(0, MAX_SOURCES);
    if (sources.length === 0) continue;
    let tree: Set<string> | undefined;
    const text = (rel: string): string | undefined => {
      if (ref === undefined) {
        try {
          return readFileSync(join(root, rel), 'utf8');
        } catch {
          return undefined;
        }
      }
      tree ??= new Set(splitZ(git(root, ['ls-tree', '-r', '-z', '--name-only', ref]).out));
      if (!tree.has(rel)) return undefined;
      const r = git(root, ['cat-file', 'blob', `${ref}:${rel}`]);
      return r.ok ? r.out : undefined;
    };
    const texts = new Map<string, string | undefined>();
    const read = (rel: string) => {
      if (!texts.has(rel)) texts.set(rel, text(rel));
      return texts.get(rel);
    };
    for (const src of sources) {
      if (found.has(src)) continue;
      let level = [src];
      const seen = new Set(level);
      for (let depth = 0; depth < IMPORT_DEPTH && level.length > 0 && !found.has(src); depth++) {
        const next: string[] = [];
        for (const file of level) {
          const t = read(file);
          if (t === undefined) continue;
          for (const spec of relativeSpecifiers(t)) {
            const hit = candidates(spec, join(root, file))
              .map((abs) => relative(root, abs).split('\\').join('/'))
              .find((rel) => changedSources.has(rel) || read(rel) !== undefined);
            if (hit === undefined || seen.has(hit)) continue;
            if (changedSources.has(hit)) {
              found.add(src);
              break;
            }
            seen.add(hit);
            next.push(hit);
          }
          if (found.has(src)) break;
        }
        level = next;
      }
    }
  }
  return [...found];
}

/**
 * The report with its files named from the repository's root: GitHub resolves annotation files and SARIF URIs from
 * the root of the checkout, so a run from a subfolder (cd infra && fwlint diff …) pointed them at missing files.
 */
function fromRoot(r: DiffReport, root: string, cwd: string): DiffReport {
  const name = (f: string) => relative(root, resolve(cwd, f)).split('\\').join('/');
  return { ...r, files: r.files.map((f) => ({ ...f, file: name(f.file), ...(f.from !== undefined ? { from: name(f.from) } : {}) })) };
}

export async function diffCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
    format: { type: 'string', short: 'f', default: 'text' },
    'input-format': { type: 'string' },
    'output-file': { type: 'string', short: 'o' },
    'script-start': { type: 'string' },
  } });
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('diff takes BASE and optionally HEAD (git refs; HEAD defaults to the working tree)');
  const format = values.format!;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`diff --format is one of ${FORMATS.join(', ')}`);
  const inputFormat = values['input-format'];
  if (inputFormat !== undefined && !formatById(inputFormat)) throw new UsageError(`unknown input format "${inputFormat}"`);
  const scriptStart = scriptStartOption(values['script-start']);
  const read: ReadOptions = { ...(inputFormat !== undefined ? { inputFormat } : {}), ...(scriptStart !== undefined ? { scriptStart } : {}) };
  checkOutputFile(values['output-file']);
  let [base, head] = positionals as [string, string | undefined];
  const cwd = process.cwd();
  const top = git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new UsageError(`not inside a git repository: ${top.err.trim()}`);
  const root = top.out.trim();
  // a shallow clone (actions/checkout's default depth 1, GitLab's GIT_DEPTH) lacks the base: say how to fetch it
  const unknown = (ref: string) => {
    const shallow = git(root, ['rev-parse', '--is-shallow-repository']).out.trim() === 'true';
    return new UsageError(`unknown git ref "${ref}"${shallow ? ' (this clone is shallow: fetch the base, e.g. actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 in GitLab CI, or git fetch --unshallow)' : ''}`);
  };
  const verify = (ref: string) => {
    if (ref.startsWith('-')) throw new UsageError(`not a git ref: ${ref}`);
    if (!git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).ok) throw unknown(ref);
  };
  // git's range notations: A..B is A against B, A...B the merge base of A and B against B (what a pull request adds)
  const range = head === undefined ? /^(.*?)(\.\.\.?)(.*)$/.exec(base) : null;
  let baseLabel = base;
  if (range && !git(root, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]).ok) {
    const [, a, dots, b] = range as unknown as [string, string, string, string];
    const from = a || 'HEAD';
    head = b || 'HEAD';
    verify(from);
    verify(head);
    if (dots === '...') {
      const mb = git(root, ['merge-base', from, head]);
      if (!mb.ok) throw new UsageError(`${from} and ${head} have no merge base${git(root, ['rev-parse', '--is-shallow-repository']).out.trim() === 'true' ? ' (this clone is shallow: fetch the history, e.g. actions/checkout with fetch-depth: 0)' : ''}`);
      base = mb.out.trim();
      baseLabel = `merge-base(${from}, ${head})`;
    } else {
      base = from;
      baseLabel = from;
    }
  }
  for (const ref of head !== undefined ? [base, head] : [base]) verify(ref);
  const report: DiffReport = { base: baseLabel, head: head ?? 'working tree', files: collect(root, base, head, cwd, read, 0) };
  report.files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const out =
    format === 'json' ? `${JSON.stringify(report, (k, v) => (k === 'span' && v ? { line: v.start.line, column: v.start.column, endLine: v.end.line, endColumn: v.end.column } : v), 2)}\n`
    : format === 'sarif' ? formatDiffSarif(fromRoot(report, root, cwd), root)
    : format === 'github' ? formatDiffGithub(fromRoot(report, root, cwd))
    : formatDiffText(report);
  if (values['output-file']) {
    writeOutputFile(values['output-file'], out);
  } else io.stdout(out);
  const blocked = report.files.some((f) => f.errors.some((e) => e.side === 'head') || f.changes.some((c) => c.kind === 'newly-exposed' && c.flaggedBy && !c.suppressedBy));
  return blocked ? 1 : 0;
}
