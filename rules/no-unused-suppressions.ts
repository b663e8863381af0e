import type { Rule } from 'eslint';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { docsUrl, ruleOptions } from '../src/eslint/rule-kit.js';
import { configureSuppressions, isExpired, suppressionsFor } from '../src/suppressions/index.js';

interface Options {
  'require-reason'?: boolean;
}

/** The options, one schema per option (ESLint's array form). */
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
    // validated by ruleOptions (see src/eslint/rule-kit.ts), not by ESLint
    schema: false,
    messages: {
      unused: 'Unused suppression "{{text}}": nothing it names is reported on line {{where}}{{scope}}. Remove it.',
      expired: 'Suppression "{{text}}" expired on {{until}}, no longer applies.',
      malformed: 'Malformed suppression "{{text}}": {{error}}. It does not apply.',
      unattached: 'Suppression "{{text}}" is followed by no rule to apply to.',
      noReason: 'Suppression "{{text}}" has no reason ("-- why"), which require-reason demands; it does not apply.',
    },
  },
  create(context) {
    const opts = ruleOptions<Options>(context, OPTIONS_SCHEMA) ?? {};
    const ast = context.sourceCode.ast as unknown as object;
    // `settings.fwlintNow` (an ISO date) evaluates expiry as of that day: for tests and reproducible CI runs
    const settings = context.settings as { fwlintNow?: unknown } | undefined;
    const now = typeof settings?.fwlintNow === 'string' ? Date.parse(settings.fwlintNow) : undefined;
    configureSuppressions(ast, { requireReason: opts['require-reason'] === true, ...(now !== undefined && !Number.isNaN(now) ? { now } : {}) });
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      const state = suppressionsFor(ast, a.document, context.sourceCode.text, a.filePath);
      for (const s of state.list) {
        const loc = { start: { line: s.span.start.line, column: s.span.start.column }, end: { line: s.span.end.line, column: s.span.end.column } };
        const text = s.text.length > 80 ? `${s.text.slice(0, 77)}…` : s.text;
        if (s.error) context.report({ loc, messageId: 'malformed', data: { text, error: s.error } });
        else if (!s.covers) context.report({ loc, messageId: 'unattached', data: { text } });
        else if (isExpired(s, state.now)) context.report({ loc, messageId: 'expired', data: { text, until: s.until! } });
        else if (state.requireReason && s.reason === undefined) context.report({ loc, messageId: 'noReason', data: { text } });
        else if (!state.used.has(s)) {
          const where = s.covers.start === s.covers.end ? String(s.covers.start) : `${s.covers.start}-${s.covers.end}`;
          context.report({ loc, messageId: 'unused', data: { text, where, scope: s.ports || s.sources ? ' within its scope' : '' } });
        }
      }
    });
  },
};

export default rule;
