/**
 * Shared plumbing for the rules in rules/: docs URLs, grouping exposure by the
 * line responsible for it, and the wording of sources and reasons.
 */
import type { Rule as EslintRule } from 'eslint';
import type { ExposureEntry } from '../analysis/types.js';
import { AddrSet, type Chain, type NumSet, type Rule, type Span, type Table, IntervalSet } from '../model/index.js';
import { expectedPortsFor, judge, usedPorts, type ResolvedSettings } from '../deployments/index.js';
import type { FileAnalysis, ReportTarget } from './analysis.js';
import { findSuppression, suppressionsFor, type SuppressionScope } from '../suppressions/index.js';
import { ajvLib } from '../parsers/libs.js';

export const DOCS_BASE = 'https://github.com/fwlint/eslint-plugin-firewall/blob/main/docs/rules/';

export function docsUrl(name: string): string {
  return `${DOCS_BASE}${name}.md`;
}

/** Exposure pieces that one line of configuration is responsible for. */
export interface ExposureGroup {
  key: string;
  rule?: Rule;
  chain: Chain;
  table: Table;
  span: Span;
  ruleId?: number;
  /** protocol number → ports */
  ports: Map<number, NumSet>;
  sources: AddrSet;
  principals: Set<string>;
  certainty: 'open' | 'possibly-open';
  reasons: string[];
  via?: string;
}

/** Group exposure entries by the rule (or policy) that accepts them: one finding per responsible line, never one per port. */
export function groupByResponsible(entries: Iterable<{ entry: ExposureEntry; protocol: number; ports: NumSet }>): ExposureGroup[] {
  // rule groups found by id (no key string per entry); `list` keeps the order of first appearance, which the
  // stable sort by position keeps for groups at the same position
  const list: ExposureGroup[] = [];
  const byRule = new Map<number, ExposureGroup>();
  const byPolicy = new Map<string, ExposureGroup>();
  for (const { entry, protocol, ports } of entries) {
    if (ports.isEmpty) continue;
    const policyKey = entry.rule ? undefined : `policy:${entry.table.name}/${entry.chain.name}`;
    let g = entry.rule ? byRule.get(entry.rule.id) : byPolicy.get(policyKey!);
    if (!g) {
      const key = policyKey ?? `rule:${entry.rule!.id}`;
      const span = entry.rule ? (entry.rule.reportSpan ?? entry.rule.span) : (entry.chain.policySpan ?? entry.chain.span);
      g = {
        key,
        chain: entry.chain,
        table: entry.table,
        span,
        ports: new Map([[protocol, ports]]),
        // the entry's own set (what ∅ ∪ sources is): its CIDR list is described once for every rule
        sources: entry.sources,
        principals: new Set(),
        certainty: 'possibly-open',
        reasons: [],
      };
      if (entry.rule) {
        g.rule = entry.rule;
        g.ruleId = entry.rule.id;
      }
      if (entry.rule) byRule.set(entry.rule.id, g);
      else byPolicy.set(key, g);
      list.push(g);
    } else {
      const had = g.ports.get(protocol);
      g.ports.set(protocol, had ? had.union(ports) : ports);
      g.sources = g.sources.union(entry.sources);
    }
    for (const p of entry.principals) g.principals.add(p);
    if (entry.certainty === 'open') g.certainty = 'open';
    for (const r of entry.reasons) if (!g.reasons.includes(r.message)) g.reasons.push(r.message);
    if (entry.via && !g.via) g.via = `published through DNAT to ${entry.via.to} (line ${entry.via.rule.span.start.line})`;
  }
  return list.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

/**
 * The CIDR list of an address set, by identity of its two interval sets: the same
 * entry's sources are described by several rules, and a group of one entry keeps
 * that entry's interval sets (union with the empty set returns the other operand).
 */
const cidrCache = new WeakMap<object, WeakMap<object, readonly string[]>>();

function cidrParts(sources: AddrSet): readonly string[] {
  let inner = cidrCache.get(sources.v4);
  let parts = inner?.get(sources.v6);
  if (parts) return parts;
  const list: string[] = [];
  if (sources.coversAll('ipv4')) list.push('0.0.0.0/0');
  else list.push(...sources.only('ipv4').toCidrs());
  if (sources.coversAll('ipv6')) list.push('::/0');
  else list.push(...sources.only('ipv6').toCidrs());
  parts = list;
  if (!inner) cidrCache.set(sources.v4, (inner = new WeakMap()));
  inner.set(sources.v6, parts);
  return parts;
}

/** "0.0.0.0/0", "10.0.0.0/8, 192.168.0.0/16", "sg-123", "10.0.0.0/8 and 14 more". */
export function describeSources(sources: AddrSet, principals: Iterable<string> = []): string {
  const cidrs = cidrParts(sources);
  const named = [...principals];
  // a long CIDR list is cut to three: copy only what is printed
  const parts = named.length === 0 && cidrs.length <= 4 ? cidrs : [...cidrs.slice(0, 4), ...named];
  const total = cidrs.length + named.length;
  if (total === 0) return 'no source';
  if (total > 4) return `${parts.slice(0, 3).join(', ')} and ${total - 3} more`;
  if (parts.length > 4) return `${parts.slice(0, 3).join(', ')} and ${parts.length - 3} more`;
  return parts.join(', ');
}

export function certaintyText(g: { certainty: 'open' | 'possibly-open'; reasons: string[] }): string {
  if (g.certainty === 'open') return 'open';
  return g.reasons.length > 0 ? `possibly open (${g.reasons.slice(0, 2).join('; ')}${g.reasons.length > 2 ? '; …' : ''})` : 'possibly open';
}

export function report(
  context: EslintRule.RuleContext,
  a: FileAnalysis,
  span: Span,
  ruleId: number | undefined,
  descriptor: { messageId: string; data: Record<string, string> },
  scope?: SuppressionScope,
): void {
  const where = a.where(span, ruleId);
  // inline `fwlint-ignore` suppressions (src/suppressions): covered line, named rule, scope, not expired
  const ast = context.sourceCode.ast as unknown as object;
  if (findSuppression(suppressionsFor(ast, a.document, context.sourceCode.text, a.filePath), context.id, where.loc.start.line, scope)) return;
  // one descriptor object, no spreads: tens of thousands of findings on a big file
  const d: { node?: never; loc?: ReportTarget['loc']; messageId: string; data: Record<string, string>; suggest?: EslintRule.SuggestionReportDescriptor[] } = where.node
    ? { node: where.node as never, messageId: descriptor.messageId, data: descriptor.data }
    : { loc: where.loc, messageId: descriptor.messageId, data: descriptor.data };
  if (where.suggestions && where.suggestions.length > 0) {
    d.suggest = where.suggestions.map((s) => ({ desc: s.desc, fix: (fixer: EslintRule.RuleFixer) => fixer.replaceTextRange(s.range, s.text) }));
  }
  context.report(d as EslintRule.ReportDescriptor);
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * What explains ports of one protocol on some targets, per settings: the declared expected ports (all
 * together) and the services that some deployment on the targets runs with ports of that protocol — a service
 * without any leaves every port unneeded, so judging it would change nothing.
 */
interface ExplainPlan {
  expected: NumSet;
  services: ResolvedSettings['services'];
}

const plans = new WeakMap<ResolvedSettings, Map<string, ExplainPlan>>();

/** The last plan asked for: the rules ask again for every finding with the same (cached) targets list. */
let lastPlan: { settings: ResolvedSettings; targets: string[]; protocol: number; n: number; plan: ExplainPlan } | undefined;

function explainPlan(settings: ResolvedSettings, targets: string[], protocol: number): ExplainPlan {
  const last = lastPlan;
  if (last && last.settings === settings && last.targets === targets && last.protocol === protocol && last.n === settings.deployments.length) return last.plan;
  const plan = planFor(settings, targets, protocol);
  lastPlan = { settings, targets, protocol, n: settings.deployments.length, plan };
  return plan;
}

function planFor(settings: ResolvedSettings, targets: string[], protocol: number): ExplainPlan {
  let byKey = plans.get(settings);
  if (!byKey) plans.set(settings, (byKey = new Map()));
  const key = `${settings.deployments.length}\0${protocol}\0${targets.join('\0')}`;
  let plan = byKey.get(key);
  if (!plan) {
    let expected = IntervalSet.empty<number>();
    for (const e of expectedPortsFor(targets, settings)) if ((e.protocol === 'tcp' ? 6 : 17) === protocol) expected = expected.union(e.ports);
    plan = { expected, services: settings.services.filter((svc) => !usedPorts(svc.id, targets, protocol, settings).isEmpty) };
    byKey.set(key, plan);
  }
  return plan;
}

/**
 * The part of `ports` that no deployment on these targets explains: ports no
 * deployed service uses, plus used ports reachable from wider sources than the
 * deployment declares. One matcher for every rule (src/deployments judge()).
 */
export function unexplainedPorts(a: FileAnalysis, targets: string[], protocol: number, ports: NumSet, sources: AddrSet): NumSet {
  const plan = explainPlan(a.settings, targets, protocol);
  let rest = ports.subtract(plan.expected);
  for (const svc of plan.services) {
    if (rest.isEmpty) break;
    if (!rest.overlaps(usedPorts(svc.id, targets, protocol, a.settings))) continue;
    const j = judge(svc.id, targets, protocol, rest, sources, a.settings);
    const wide = j.tooWide?.ports ?? IntervalSet.empty<number>();
    rest = rest.subtract(j.needed.subtract(wide));
  }
  return rest;
}

/**
 * A rule's options, validated against its options schema (ESLint's array form: one schema per
 * option) — by us, not by ESLint: the rules declare `meta.schema: false` because ESLint builds
 * its JSON-schema validator (~50 ms, a sixth of fwlint's cold start) for every enabled rule with a
 * schema, even when no options are given, which is how almost every run (pre-commit) is
 * configured. Here the validator is built only when options are given, and an invalid
 * configuration fails the same way ESLint's would: an error naming the rule and the problem.
 */
export function ruleOptions<T>(context: EslintRule.RuleContext, schema: readonly object[]): T | undefined {
  const options = context.options;
  if (options.length === 0) return undefined;
  const problem = optionsProblem(options, schema);
  if (problem) throw new Error(`Configuration for rule "${context.id}" is invalid:\n\t${problem}`);
  return options[0] as T;
}

const optionValidators = new WeakMap<readonly object[], (value: unknown) => string | undefined>();

/** Why `options` do not match `schema` (undefined when they do). */
export function optionsProblem(options: readonly unknown[], schema: readonly object[]): string | undefined {
  let check = optionValidators.get(schema);
  if (!check) {
    const ajv = new (ajvLib().Ajv)({ allErrors: true, strict: false });
    const validate = ajv.compile(schema.length === 0 ? { type: 'array', maxItems: 0 } : { type: 'array', items: schema as object[], maxItems: schema.length });
    check = (value) => (validate(value) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'options' }));
    optionValidators.set(schema, check);
  }
  return check(options);
}
