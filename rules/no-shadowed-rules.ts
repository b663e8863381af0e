import type { Rule } from 'eslint';
import { findShadowedRules } from '../src/analysis/shadow.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { docsUrl, report, ruleOptions } from '../src/eslint/rule-kit.js';

/** A rule no packet can reach because earlier rules in its chain already decide every packet it matches. */
const rule: Rule.RuleModule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Report rules that no packet can reach because earlier rules in the chain cover them',
      recommended: true,
      url: docsUrl('no-shadowed-rules'),
    },
    hasSuggestions: true,
    // options are checked by ruleOptions (see src/eslint/rule-kit.ts): this rule takes none
    schema: false,
    messages: {
      shadowed: 'This rule is never reached: every packet it matches is already decided by line{{s}} {{lines}} in chain {{chain}}.',
    },
  },
  create(context) {
    ruleOptions(context, []);
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      const seen = new Set<number>();
      for (const ruleset of a.document.rulesets) {
        for (const s of findShadowedRules(ruleset)) {
          if (seen.has(s.rule.id)) continue;
          seen.add(s.rule.id);
          // Rules made from one written rule (a cloud rule's several CIDRs) share its span: then name them by the
          // value each one is made of, not "line 35 … decided by line 35".
          const same = s.coveredBy.some((r) => r.span.start.offset === s.rule.span.start.offset);
          const place = (r: typeof s.rule) => (same ? (r.reportSpan ?? r.span) : r.span);
          const lines = same
            ? [...new Set(s.coveredBy.map((r) => `${place(r).start.line} (${r.text})`))]
            : [...new Set(s.coveredBy.map((r) => r.span.start.line))].sort((x, y) => x - y);
          report(context, a, place(s.rule), s.rule.id, {
            messageId: 'shadowed',
            data: { s: lines.length === 1 ? '' : 's', lines: lines.join(', '), chain: s.chain.name },
          });
        }
      }
    });
  },
};

export default rule;
