import type { Rule } from 'eslint';
import { analyse, spanLoc } from '../src/eslint/analysis.js';
import { AFTER_RULES } from '../src/eslint/source-code.js';
import { docsUrl } from '../src/eslint/rule-kit.js';
import { configureSuppressions, isExpired, suppressionsFor } from '../src/suppressions/index.js';
import { RULE_NAMES } from '../src/eslint/rule-names.js';

interface Options {
  'require-reason'?: boolean;
}

/** The options, one schema per option (ESLint's array form): the rule's `meta.schema`. */
export const OPTIONS_SCHEMA: readonly object[] = [
  {
    type: 'object',
    properties: { 'require-reason': { type: 'boolean' } },
    additionalProperties: false,
  },
];

/**
 * Inline `fwlint-ignore` suppressions that no longer do anything: unused (no
 * finding of the named rules, within the scope, on the rule they cover),
 * expired, malformed, attached to nothing, or (with `require-reason`) without
 * a reason. Must run after every other rule: it is LAST in the recommended
 * config, and ESLint calls `Document:exit` listeners in rule order.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Report inline fwlint-ignore suppressions that are unused, expired, malformed or missing a required reason',
      recommended: true,
      url: docsUrl('no-unused-suppressions'),
    },
    schema: OPTIONS_SCHEMA as Rule.RuleMetaData['schema'],
    defaultOptions: [{ 'require-reason': false }],
    messages: {
      unused: 'Unused suppression "{{text}}": nothing it names is reported on line {{where}}{{scope}}. Remove it.',
      expired: 'Suppression "{{text}}" expired on {{until}}, no longer applies.',
      malformed: 'Malformed suppression "{{text}}": {{error}}. It does not apply.',
      unattached: 'Suppression "{{text}}" is followed by no rule to apply to.',
      noReason: 'Suppression "{{text}}" has no reason ("-- why"), which require-reason demands; it does not apply.',
      unknownRule: 'Suppression "{{text}}" names {{names}}, which is no rule of this plugin{{hint}}: it suppresses nothing by that name.',
    },
  },
  create(context) {
    const opts = context.options[0] as Options;
    const ast = context.sourceCode.ast as unknown as object;
    // `settings.fwlintNow` (an ISO date) evaluates expiry as of that day: for tests and reproducible CI runs
    const settings = context.settings as { fwlintNow?: unknown } | undefined;
    const now = typeof settings?.fwlintNow === 'string' ? Date.parse(settings.fwlintNow) : undefined;
    configureSuppressions(ast, { requireReason: opts['require-reason'] === true, ...(now !== undefined && !Number.isNaN(now) ? { now } : {}) });
    // After every other rule, in any configured order: firewall files send AFTER_RULES after the Document's exit;
    // in JavaScript/TypeScript (CDK, Pulumi) the program's code path ends after every rule's Program:exit.
    const judge = () => {
      const a = analyse(context);
      if (!a) return;
      const state = suppressionsFor(ast, a.document, context.sourceCode.text, a.filePath);
      for (const s of state.list) {
        const loc = spanLoc(s.span, a.nodes !== undefined);
        const text = s.text.length > 80 ? `${s.text.slice(0, 77)}…` : s.text;
        if (s.error) context.report({ loc, messageId: 'malformed', data: { text, error: s.error } });
        else if (!s.covers) context.report({ loc, messageId: 'unattached', data: { text } });
        else if (isExpired(s, state.now)) context.report({ loc, messageId: 'expired', data: { text, until: s.until! } });
        else if (state.requireReason && s.reason === undefined) context.report({ loc, messageId: 'noReason', data: { text } });
        else if (unknownRules(s.rules).length > 0) {
          // a misspelt name is not "unused": the finding it was written for is still reported, and the fix is the name
          const unknown = unknownRules(s.rules);
          const hints = unknown.map((n) => closestRule(n)).filter((n): n is string => n !== undefined);
          context.report({
            loc,
            messageId: 'unknownRule',
            data: { text, names: unknown.map((n) => `"${n}"`).join(', '), hint: hints.length > 0 ? ` (did you mean ${hints.map((n) => `"${n}"`).join(', ')}?)` : '' },
          });
        } else if (!state.used.has(s)) {
          const where = s.covers.start === s.covers.end ? String(s.covers.start) : `${s.covers.start}-${s.covers.end}`;
          context.report({ loc, messageId: 'unused', data: { text, where, scope: s.ports || s.sources ? ' within its scope' : '' } });
        }
      }
    };
    return {
      [AFTER_RULES]: judge,
      onCodePathEnd(codePath: { origin: string }) {
        if (codePath.origin === 'program') judge();
      },
    } as Rule.RuleListener;
  },
};

/** The names of a suppression (as written after `firewall/`) that name none of this plugin's rules. */
function unknownRules(names: readonly string[] | undefined): string[] {
  if (!names) return [];
  const out: string[] = [];
  for (const n of names) {
    const local = n.slice(n.lastIndexOf('/') + 1);
    if (!(RULE_NAMES as readonly string[]).includes(local)) out.push(local);
  }
  return out;
}

/** The plugin's rule name nearest to a misspelt one (at most 3 edits, and fewer than a third of its length). */
function closestRule(name: string): string | undefined {
  let best: string | undefined;
  let bestD = Math.min(3, Math.floor(name.length / 3));
  for (const k of RULE_NAMES) {
    const d = editDistance(name, k, bestD);
    if (d <= bestD && (best === undefined || d < bestD)) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** Levenshtein distance of a and b, or max + 1 once it exceeds max (names are short: one row of numbers). */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let low = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < low) low = v;
    }
    if (low > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

export default rule;
