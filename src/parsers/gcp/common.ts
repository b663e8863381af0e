/**
 * Helpers shared by the GCP and Azure mappers (both read positioned value
 * trees — JSON, YAML, ARM, Terraform — and compile priority-ordered cloud rules
 * into the common model).
 */
import {
  AddrSet,
  IntervalSet,
  numRange,
  numSetOf,
  PORT_UNIVERSE,
  type Diagnostic,
  type Match,
  type NumSet,
  type Rule,
  type Span,
  DOCUMENT_START,
} from '../../model/index.js';
import { spanJoin } from '../../model/build.js';
import type { PValue } from '../values.js';

/** The Terraform resource shape the terraform format hands to the cloud mappers (defined in src/parsers/terraform). */
export type { TfResource as TfResourceLike } from '../terraform/index.js';

export interface MapResult {
  rulesets: import('../../model/index.js').Ruleset[];
  diagnostics: Diagnostic[];
}

/** Text of a value for messages: scalars as written, expressions by their text. */
export function valText(v: PValue | undefined): string {
  if (!v) return '';
  switch (v.kind) {
    case 'scalar':
      return v.value === null ? 'null' : String(v.value);
    case 'expr':
      return v.text;
    case 'array':
      return `[${v.items.map(valText).join(', ')}]`;
    case 'object':
      return '{…}';
  }
}

/** Array items, with `null` and absent as no items; a single non-array value is one item. */
export function listOf(v: PValue | undefined): PValue[] {
  if (!v) return [];
  if (v.kind === 'scalar' && v.value === null) return [];
  if (v.kind === 'array') return v.items.filter((i) => !(i.kind === 'scalar' && i.value === null));
  return [v];
}

export function isNullish(v: PValue | undefined): boolean {
  return v === undefined || (v.kind === 'scalar' && (v.value === null || v.value === ''));
}

export { anyOf, opaqueMatch as opaque, cloudChain as chainOf, cloudTable as tableOf } from '../../model/build.js';


/**
 * A port or port range as clouds write it: "22", 22, "1761-1768", "*" (all).
 * Returns undefined when it is not one.
 */
export function parsePortText(text: string): NumSet | undefined {
  const t = text.trim();
  if (t === '*' || t.toLowerCase() === 'any') return PORT_UNIVERSE;
  const dash = t.indexOf('-');
  if (dash < 0) {
    if (!/^[0-9]{1,5}$/.test(t)) return undefined;
    const n = Number(t);
    return n <= 65535 ? numRange(n, n) : undefined;
  }
  const a = t.slice(0, dash).trim();
  const b = t.slice(dash + 1).trim();
  if (!/^[0-9]{1,5}$/.test(a) || !/^[0-9]{1,5}$/.test(b)) return undefined;
  const x = Number(a);
  const y = Number(b);
  if (x > 65535 || y > 65535 || x > y) return undefined;
  return numSetOf([[x, y]]);
}

/** Span covering a list of values (first start to last end), or the fallback. */
export function spanOfValues(values: PValue[], fallback: Span): Span {
  if (values.length === 0) return fallback;
  return spanJoin(values[0]!.span, values[values.length - 1]!.span);
}

/** Ids unique within a document and stable for the same text: assigned in output order. */
export class IdSource {
  constructor(private next = 1) {}
  take(): number {
    return this.next++;
  }
}

/** Copy a rule template with a fresh id (the same cloud rule appears in several rulesets). */
export function instantiate(rule: Omit<Rule, 'id'>, ids: IdSource): Rule {
  return { ...rule, id: ids.take() } as Rule;
}

export const ALL_ADDRS = AddrSet.ALL;
export const ALL_V4 = AddrSet.ALL_V4;
export { DOCUMENT_START };

/** Stable sort by key, then by original order. */
export function stableSortBy<T>(list: T[], key: (t: T) => number): T[] {
  return list
    .map((t, i) => ({ t, i, k: key(t) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.t);
}

/** Last path segment of a URL or resource id ("…/global/networks/default" → "default"). */
export function lastSegment(s: string): string {
  const t = s.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  return i >= 0 ? t.slice(i + 1) : t;
}

export { jsonComments, yamlComments } from '../comments.js';

/** Union of many address sets at once (sorting once instead of merging pairwise, which is quadratic). */
export function unionAll(sets: AddrSet[]): AddrSet | undefined {
  if (sets.length === 0) return undefined;
  if (sets.length === 1) return sets[0];
  const v4: [number, number][] = [];
  const v6: [bigint, bigint][] = [];
  for (const s of sets) {
    for (const r of s.v4.ranges()) v4.push(r);
    for (const r of s.v6.ranges()) v6.push(r);
  }
  return new AddrSet(IntervalSet.fromRanges(v4), IntervalSet.fromRanges(v6));
}

/** Offsets (start:end) of the spans that already have a diagnostic, per diagnostics list. */
const diagnosed = new WeakMap<Diagnostic[], { seen: number; at: Set<string> }>();

/**
 * A warning (shown by no-unevaluated-input) for every value of a rule that stayed an expression or a
 * condition: an opaque match of module `unresolved`, `condition` or `copy` at a place that has no
 * diagnostic yet (invalid literals already have their error). The exposure only names such a value
 * when it changes what is open; the user should see every one.
 */
export function warnUnevaluated(matches: readonly Match[], rule: string, diagnostics: Diagnostic[]): void {
  let d = diagnosed.get(diagnostics);
  if (!d) diagnosed.set(diagnostics, (d = { seen: 0, at: new Set() }));
  const key = (s: Span): string => `${s.start.offset}:${s.end.offset}`;
  for (; d.seen < diagnostics.length; d.seen++) d.at.add(key(diagnostics[d.seen]!.span));
  const visit = (ms: readonly Match[]): void => {
    for (const m of ms) {
      if (m.kind === 'any-of') for (const alt of m.alternatives) visit(alt);
      else if (m.kind === 'opaque' && m.span && (m.module === 'unresolved' || m.module === 'condition' || m.module === 'copy')) {
        const k = key(m.span);
        if (d.at.has(k)) continue;
        d.at.add(k);
        diagnostics.push({ severity: 'warning', code: 'unevaluated', message: `Cannot evaluate ${m.text} (${rule}): ${m.reason}; it is treated as unknown`, span: m.span });
        d.seen = diagnostics.length;
      }
    }
  };
  visit(matches);
}

