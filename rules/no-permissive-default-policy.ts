import type { Rule } from 'eslint';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { docsUrl, report, ruleOptions } from '../src/eslint/rule-kit.js';
import type { Chain, Rule as ModelRule, Table } from '../src/model/index.js';

function hasCatchAllDrop(chain: Chain, table?: Table): boolean {
  return chain.rules.some((r) => !r.disabled && r.matches.length === 0 && (r.action.kind === 'drop' || r.action.kind === 'reject' || endsIn(r.action, table, 0)));
}

/**
 * A match-less `-j X` whose chain ends every packet with a drop or reject (RHEL's `-A INPUT -j RH-Firewall-1-INPUT`,
 * which ends with `-j REJECT`): no packet comes back to the policy. A chain that may return (a RETURN rule, or a goto,
 * whose chain's RETURN goes back to the base chain) before that does not count.
 */
function endsIn(action: ModelRule['action'], table: Table | undefined, depth: number): boolean {
  if (!table || action.kind !== 'jump' || depth > 8) return false;
  const target = table.chains.find((c) => c.name === action.target && !c.hook);
  if (!target) return false;
  for (const r of target.rules) {
    if (r.disabled) continue;
    const k = r.action.kind;
    if (k === 'return' || k === 'goto') return false;
    if (r.matches.length === 0 && (k === 'drop' || k === 'reject' || endsIn(r.action, table, depth + 1))) return true;
  }
  return false;
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
            if ((chain.policy ?? 'accept') !== 'accept' || hasCatchAllDrop(chain, table)) continue;
            if (table.family === 'arp' || table.family === 'bridge' || table.family === 'netdev') continue;
            report(context, a, chain.policySpan ?? chain.span, undefined, { messageId: 'permissive', data: { chain: chain.name, hook: chain.hook } });
          }
        }
      }
    });
  },
};

export default rule;
