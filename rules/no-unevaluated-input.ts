import type { Rule } from 'eslint';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { docsUrl, report } from '../src/eslint/rule-kit.js';

/**
 * Input the parser read but could not evaluate exactly (shell loops, unknown
 * variables, unresolved template expressions, unsupported syntax). The engine
 * treats such values as unknown — possibly open — and this rule says where.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Report input that could not be evaluated statically and is therefore treated as unknown',
      recommended: true,
      url: docsUrl('no-unevaluated-input'),
    },
    hasSuggestions: true,
    // no options: ESLint refuses any (a configuration error, at the comment for an inline one)
    schema: [],
    defaultOptions: [],
    messages: { unevaluated: '{{message}}' },
  },
  create(context) {
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      // (a firewall file's errors are ESLint parse errors; a source file's (CDK, Pulumi) are only reported here)
      const errorsToo = a.nodes !== undefined;
      for (const d of a.document.diagnostics) {
        if (d.severity !== 'warning' && !(errorsToo && d.severity === 'error')) continue;
        report(context, a, d.span, undefined, { messageId: 'unevaluated', data: { message: d.message } });
      }
      // a `fwlint-deployment:` comment fwlint cannot read declares nothing: never a silent default
      for (const e of a.directiveErrors) report(context, a, e.span, undefined, { messageId: 'unevaluated', data: { message: `${e.message}.` } });
    });
  },
};

export default rule;
