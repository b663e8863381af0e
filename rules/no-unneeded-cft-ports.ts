import type { Rule } from 'eslint';
import { exposedPorts } from '../src/analysis/index.js';
import { CFT_BLOCK, describePorts } from '../src/catalog/index.js';
import { judge } from '../src/deployments/index.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { capitalise, certaintyText, describeSources, docsUrl, groupByResponsible, report } from '../src/eslint/rule-kit.js';

const SERVICE = 'transfer-cft';

/**
 * Transfer CFT's IANA block, TCP/UDP 1761–1768 (cft-0…cft-7), reachable where no
 * matching Transfer CFT deployment uses those ports. Open, or possibly open:
 * a port that might be open is reported, with the reason it is undecided.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow exposing the Transfer CFT ports 1761–1768 where no matching Transfer CFT deployment needs them',
      recommended: true,
      url: docsUrl('no-unneeded-cft-ports'),
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      unneeded: '{{certainty}}: {{ports}} reachable from {{sources}} without a matching Transfer CFT deployment{{elsewhere}}{{via}}.',
      tooWide: '{{certainty}}: {{ports}} of the Transfer CFT deployment on {{target}} reachable from {{sources}}, wider than its declared sources {{allowed}}{{via}}.',
    },
  },
  create(context) {
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      for (const ruleset of a.document.rulesets) {
        const targets = a.targets(ruleset);
        const exposure = a.exposure(ruleset, 'input');
        const pieces = [6, 17].flatMap((protocol) => exposedPorts(exposure, protocol, CFT_BLOCK).map((entry) => ({ entry, protocol, ports: entry.dports.intersect(CFT_BLOCK) })));
        for (const g of groupByResponsible(pieces)) {
          const unneeded: string[] = [];
          const wide: { ports: string; allowed: string; target: string }[] = [];
          let elsewhere = new Set<string>();
          for (const [protocol, ports] of g.ports) {
            const j = judge(SERVICE, targets, protocol, ports, g.sources, a.settings);
            if (!j.unneeded.isEmpty) unneeded.push(describePorts(protocol, j.unneeded));
            if (j.tooWide) wide.push({ ports: describePorts(protocol, j.tooWide.ports), allowed: describeSources(j.tooWide.allowed), target: targets[0] ?? ruleset.name });
            for (const d of j.elsewhere) for (const t of d.targets) elsewhere.add(t);
            if (j.deployments.length > 0) elsewhere = new Set();
          }
          const common = {
            certainty: capitalise(certaintyText(g)),
            sources: describeSources(g.sources, g.principals),
            via: g.via ? `, ${g.via}` : '',
          };
          if (unneeded.length > 0) {
            report(context, a, g.span, g.ruleId, {
              messageId: 'unneeded',
              data: {
                ...common,
                ports: unneeded.join('; '),
                elsewhere: elsewhere.size > 0 ? ` (Transfer CFT is deployed on ${[...elsewhere].sort().join(', ')}, not on ${targets.join(', ') || ruleset.name})` : targets.length > 0 ? ` on ${targets.join(', ')}` : '',
              },
            });
          }
          for (const w of wide) report(context, a, g.span, g.ruleId, { messageId: 'tooWide', data: { ...common, ports: w.ports, allowed: w.allowed, target: w.target } });
        }
      }
    });
  },
};

export default rule;
