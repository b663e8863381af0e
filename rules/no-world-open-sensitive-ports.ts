import type { Rule } from 'eslint';
import { exposedPorts } from '../src/analysis/index.js';
import { describePorts, SENSITIVE_PORTS } from '../src/catalog/index.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { capitalise, certaintyText, describeSources, docsUrl, groupByResponsible, report } from '../src/eslint/rule-kit.js';
import { numSetOf, type NumSet } from '../src/model/index.js';

interface Options {
  tcp?: number[];
  udp?: number[];
}

function portSet(ports: Iterable<number>): NumSet {
  return numSetOf([...ports].map((p) => [p, p] as const));
}

/**
 * Sensitive ports (by default KICS's 63 TCP + 13 UDP list) reachable from the
 * whole IPv4 or IPv6 internet, computed with CIDR arithmetic: 0.0.0.0/1 plus
 * 128.0.0.0/1 is the whole internet too.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow sensitive ports (SSH, RDP, databases, …) reachable from the whole internet',
      recommended: true,
      url: docsUrl('no-world-open-sensitive-ports'),
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          tcp: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 65535 } },
          udp: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 65535 } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      worldOpen: '{{certainty}}: {{ports}} reachable from the whole internet ({{sources}}){{via}}.',
    },
  },
  create(context) {
    const opts = (context.options[0] ?? {}) as Options;
    const lists: [number, NumSet][] = [
      [6, portSet(opts.tcp ?? SENSITIVE_PORTS.tcp.keys())],
      [17, portSet(opts.udp ?? SENSITIVE_PORTS.udp.keys())],
    ];
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      for (const ruleset of a.document.rulesets) {
        const exposure = a.exposure(ruleset, 'input');
        const pieces = lists.flatMap(([protocol, set]) =>
          exposedPorts(exposure, protocol, set)
            .filter((e) => e.sources.coversAll(e.family))
            .map((entry) => ({ entry, protocol, ports: entry.dports.intersect(set) })),
        );
        for (const g of groupByResponsible(pieces)) {
          const ports = [...g.ports].map(([p, s]) => describePorts(p, s)).join('; ');
          report(context, a, g.span, g.ruleId, {
            messageId: 'worldOpen',
            data: { certainty: capitalise(certaintyText(g)), ports, sources: describeSources(g.sources), via: g.via ? `, ${g.via}` : '' },
          });
        }
      }
    });
  },
};

export default rule;
