import type { Rule } from 'eslint';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { docsUrl, report, ruleOptions } from '../src/eslint/rule-kit.js';
import type { Chain } from '../src/model/index.js';

function hasCatchAllDrop(chain: Chain): boolean {
  return chain.rules.some((r) => !r.disabled && r.matches.length === 0 && (r.action.kind === 'drop' || r.action.kind === 'reject'));
}

/**
 * An input or forward base chain whose policy accepts and that never drops
 * everything else: whatever the rules above forget is let in.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Report input/forward base chains with an accepting default policy and no catch-all drop',
      recommended: true,
      url: docsUrl('no-permissive-default-policy'),
    },
    hasSuggestions: true,
    // options are checked by ruleOptions (see src/eslint/rule-kit.ts): this rule takes none
    schema: false,
    messages: {
      permissive: 'Chain {{chain}} ({{hook}} hook) accepts by default and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.',
    },
  },
  create(context) {
    ruleOptions(context, []);
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      for (const ruleset of a.document.rulesets) {
        if (ruleset.kind !== 'netfilter') continue;
        for (const table of ruleset.tables) {
          for (const chain of table.chains) {
            if ((chain.hook !== 'input' && chain.hook !== 'forward') || chain.type === 'nat') continue;
            if ((chain.policy ?? 'accept') !== 'accept' || hasCatchAllDrop(chain)) continue;
            if (table.family === 'arp' || table.family === 'bridge' || table.family === 'netdev') continue;
            report(context, a, chain.policySpan ?? chain.span, undefined, { messageId: 'permissive', data: { chain: chain.name, hook: chain.hook } });
          }
        }
      }
    });
  },
};

export default rule;
