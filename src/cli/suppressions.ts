/**
 * Baselines through ESLint's bulk-suppressions file (eslint-suppressions.json):
 * the same file format and the same flags as `eslint --suppress-all`,
 * `--suppress-rule`, `--prune-suppressions`. ESLint itself applies the file
 * (the `applySuppressions` option); this module writes it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { ESLint } from 'eslint';

export const DEFAULT_SUPPRESSIONS = 'eslint-suppressions.json';

type SuppressionsFile = Record<string, Record<string, { count: number }>>;

export interface SuppressionOptions {
  cwd: string;
  location: string | undefined;
  suppressAll: boolean;
  suppressRules: string[];
  prune: boolean;
  /** `--pass-on-unpruned-suppressions`: entries that no longer match anything do not fail the run. */
  passOnUnpruned?: boolean;
}

/**
 * The baseline entries of the linted files that suppress nothing now (ESLint's `unused`): for each rule, the count
 * minus the errors it still suppresses. `results` had the file applied by ESLint (lintFiles with applySuppressions).
 * Files that did not parse are left out: their rules did not run, and the parse error is what to fix.
 */
function unusedEntries(results: ESLint.LintResult[], file: SuppressionsFile, cwd: string): SuppressionsFile {
  const unused: SuppressionsFile = {};
  for (const r of results) {
    const k = key(cwd, r.filePath);
    const entries = file[k];
    if (!entries || r.fatalErrorCount > 0) continue;
    for (const [rule, { count }] of Object.entries(entries)) {
      // the rule's errors, suppressed by the file or not (ESLint suppresses none when there are more than the count)
      const found =
        r.suppressedMessages.filter((m) => m.ruleId === rule && m.suppressions?.some((x) => x.kind === 'file')).length +
        r.messages.filter((m) => m.ruleId === rule && m.severity === 2).length;
      if (found < count) (unused[k] ??= {})[rule] = { count: count - found };
    }
  }
  return unused;
}

function key(cwd: string, filePath: string): string {
  return relative(cwd, filePath).split(sep).join('/');
}

function counts(results: ESLint.LintResult[], cwd: string, only?: Set<string>): SuppressionsFile {
  const out: SuppressionsFile = {};
  for (const r of results) {
    const fileSuppressed = r.suppressedMessages.filter((m) => m.suppressions?.some((x) => x.kind === 'file'));
    for (const m of [...r.messages, ...fileSuppressed]) {
      if (m.severity !== 2 || !m.ruleId || (only && !only.has(m.ruleId))) continue;
      const k = key(cwd, r.filePath);
      const byRule = (out[k] ??= {});
      byRule[m.ruleId] = { count: (byRule[m.ruleId]?.count ?? 0) + 1 };
    }
  }
  return out;
}

function sorted(file: SuppressionsFile): SuppressionsFile {
  const out: SuppressionsFile = {};
  for (const k of Object.keys(file).sort()) {
    const rules = file[k]!;
    if (Object.keys(rules).length === 0) continue;
    out[k] = {};
    for (const r of Object.keys(rules).sort()) out[k]![r] = rules[r]!;
  }
  return out;
}

/** Count-based, as ESLint does: up to `count` errors of a rule in a file are suppressed. */
function apply(results: ESLint.LintResult[], file: SuppressionsFile, cwd: string): ESLint.LintResult[] {
  return results.map((r) => {
    const budget = new Map(Object.entries(file[key(cwd, r.filePath)] ?? {}).map(([rule, v]) => [rule, v.count]));
    for (const m of r.suppressedMessages) {
      if (m.ruleId && budget.has(m.ruleId) && m.suppressions?.some((x) => x.kind === 'file')) budget.set(m.ruleId, budget.get(m.ruleId)! - 1);
    }
    if (budget.size === 0) return r;
    const messages: typeof r.messages = [];
    const suppressed = [...r.suppressedMessages];
    for (const m of r.messages) {
      const left = m.ruleId && m.severity === 2 ? (budget.get(m.ruleId) ?? 0) : 0;
      if (left > 0) {
        budget.set(m.ruleId!, left - 1);
        suppressed.push({ ...m, suppressions: [{ kind: 'file', justification: '' }] });
      } else messages.push(m);
    }
    const errorCount = messages.filter((m) => m.severity === 2).length;
    return { ...r, messages, suppressedMessages: suppressed, errorCount, fatalErrorCount: messages.filter((m) => m.fatal).length, warningCount: messages.length - errorCount };
  });
}

export async function handleSuppressions(
  results: ESLint.LintResult[],
  opts: SuppressionOptions,
): Promise<{ results: ESLint.LintResult[]; messages: string[]; unusedError: boolean }> {
  const path = opts.location ?? resolve(opts.cwd, DEFAULT_SUPPRESSIONS);
  const messages: string[] = [];
  if (opts.suppressAll || opts.suppressRules.length > 0) {
    const existing: SuppressionsFile = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SuppressionsFile) : {};
    const fresh = counts(results, opts.cwd, opts.suppressAll ? undefined : new Set(opts.suppressRules));
    for (const [f, rules] of Object.entries(fresh)) existing[f] = { ...(existing[f] ?? {}), ...rules };
    writeFileSync(path, `${JSON.stringify(sorted(existing), null, 2)}\n`);
    messages.push(`fwlint: wrote ${relative(opts.cwd, path) || path}`);
    return { results: apply(results, existing, opts.cwd), messages, unusedError: false };
  }
  if (opts.prune && existsSync(path)) {
    const existing = JSON.parse(readFileSync(path, 'utf8')) as SuppressionsFile;
    // results already had the file applied by ESLint: what is suppressed now is what is still needed
    const still: SuppressionsFile = {};
    for (const r of results) {
      for (const m of r.suppressedMessages) {
        if (!m.ruleId || !m.suppressions?.some((s) => s.kind === 'file')) continue;
        const k = key(opts.cwd, r.filePath);
        const byRule = (still[k] ??= {});
        byRule[m.ruleId] = { count: (byRule[m.ruleId]?.count ?? 0) + 1 };
      }
    }
    // only the files of this run: a run on some files leaves the others' entries alone (as ESLint's prune)
    const linted = new Set(results.map((r) => key(opts.cwd, r.filePath)));
    for (const [f, rules] of Object.entries(existing)) {
      if (!linted.has(f)) continue;
      for (const rule of Object.keys(rules)) {
        const need = still[f]?.[rule]?.count ?? 0;
        if (need === 0) delete rules[rule];
        else rules[rule] = { count: need };
      }
    }
    writeFileSync(path, `${JSON.stringify(sorted(existing), null, 2)}\n`);
    messages.push(`fwlint: pruned ${relative(opts.cwd, path) || path}`);
    return { results, messages, unusedError: false };
  }
  // as ESLint: a baseline entry that suppresses nothing any more fails the run (exit 2), or a finding fixed since
  // could come back later unreported
  if (!opts.passOnUnpruned && existsSync(path)) {
    const unused = unusedEntries(results, JSON.parse(readFileSync(path, 'utf8')) as SuppressionsFile, opts.cwd);
    const list = Object.entries(unused).flatMap(([f, rules]) => Object.keys(rules).map((rule) => `${f} ${rule}`));
    if (list.length > 0) {
      messages.push(
        `fwlint: there are suppressions left in ${relative(opts.cwd, path) || path} that do not occur anymore (${list.join(', ')}). To resolve this, re-run the command with --prune-suppressions to remove unused suppressions. To ignore unused suppressions, use --pass-on-unpruned-suppressions.`,
      );
      return { results, messages, unusedError: true };
    }
  }
  return { results, messages, unusedError: false };
}
