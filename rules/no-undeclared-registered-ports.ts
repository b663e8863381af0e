import type { Rule } from 'eslint';
import { CFT_BLOCK, describePorts, REGISTERED_RANGE } from '../src/catalog/index.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { beyondDeclared, certaintyTitle, clientReachable, describeSources, viaInterfaces, docsUrl, eachGroup, portsOf, report, unexplainedPorts, checkOptions, SharedTexts, targetText, tooWideScope, twoPieces, flushReports, type TooWidePorts } from '../src/eslint/rule-kit.js';
import { evidenceRef } from '../src/deployments/index.js';
import { IntervalSet, numRange, type NumSet } from '../src/model/index.js';

/** "8080", "tcp/8080", "udp/5000-5010" → [protocols, ports]; undefined for a port above 65535 or a range high-low. */
function parseAllow(entry: string | number): { protocols: number[]; ports: NumSet } | undefined {
  const text = String(entry).trim().toLowerCase();
  const slash = text.indexOf('/');
  const proto = slash >= 0 ? text.slice(0, slash) : '';
  const range = slash >= 0 ? text.slice(slash + 1) : text;
  const protocols = proto === 'tcp' ? [6] : proto === 'udp' ? [17] : proto === '' ? [6, 17] : undefined;
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(range);
  if (!protocols || !m) return undefined;
  const [low, high] = [Number(m[1]), Number(m[2] ?? m[1])];
  if (high > 65535 || low > high) return undefined;
  return { protocols, ports: numRange(low, high) };
}

/**
 * What the schema's pattern does not say (a pattern for 0–65535 made ESLint's message unreadable): ports are 0–65535 and
 * a range is low-high (they were ignored silently).
 */
export function checkAllow(options: readonly unknown[]): string | undefined {
  const allow = (options[0] as { allow?: unknown } | undefined)?.allow;
  if (!Array.isArray(allow)) return undefined;
  const i = allow.findIndex((e) => (typeof e === 'string' || typeof e === 'number') && parseAllow(e) === undefined);
  return i < 0 ? undefined : `Value "${String(allow[i])}" in "allow" is not a port 0–65535 or a range low-high of them.`;
}

const PROTOCOLS = [6, 17];

/** The options, one schema per option (ESLint's array form): the rule's `meta.schema`. */
export const OPTIONS_SCHEMA: readonly object[] = [
  {
    type: 'object',
    properties: {
      allow: { type: 'array', items: { anyOf: [{ type: 'integer', minimum: 0, maximum: 65535 }, { type: 'string', pattern: '^((tcp|udp)/)?[0-9]{1,5}(-[0-9]{1,5})?$' }] } },
      includeCftBlock: { type: 'boolean' },
    },
    additionalProperties: false,
  },
];

/**
 * Registered ports (1024–49151) that are reachable but that no deployment on
 * this target uses and that the options do not declare as expected. Obscure
 * registered ports are where malware hides, because nobody recognises them.
 * The Transfer CFT block is left to no-unneeded-cft-ports.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Report exposed registered ports (1024–49151) that no deployment or declaration explains',
      recommended: true,
      url: docsUrl('no-undeclared-registered-ports'),
    },
    hasSuggestions: true,
    schema: OPTIONS_SCHEMA as Rule.RuleMetaData['schema'],
    defaultOptions: [{ allow: [], includeCftBlock: false }],
    // one placeholder: the rule writes the text itself (the wording is in its report call). ESLint's placeholder
    // replacement, five placeholders per finding, cost more time and garbage than the finding on files with 40k findings
    messages: {
      undeclared: '{{message}}',
      tooWide: '{{message}}',
    },
  },
  create(context) {
    if (!checkOptions(context, checkAllow)) return {};
    const opts = context.options[0] as { allow: (string | number)[]; includeCftBlock: boolean };
    const allowed = new Map<number, NumSet>([
      [6, IntervalSet.empty<number>()],
      [17, IntervalSet.empty<number>()],
    ]);
    for (const entry of opts.allow ?? []) {
      const parsed = parseAllow(entry)!;
      for (const p of parsed.protocols) allowed.set(p, allowed.get(p)!.union(parsed.ports));
    }
    const scope = opts.includeCftBlock ? REGISTERED_RANGE : REGISTERED_RANGE.subtract(CFT_BLOCK);
    const queries = PROTOCOLS.map((protocol) => scope.subtract(allowed.get(protocol)!));
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      // " but not declared as expected on <target>.": the same for the findings of a ruleset (see twoPieces)
      const tails = new SharedTexts(undeclaredTail);
      for (const ruleset of a.document.rulesets) {
        const targets = a.targets(ruleset);
        const target = targetText(a, ruleset);
        eachGroup(a.exposure(ruleset, 'input'), PROTOCOLS, queries, (g) => {
          let ports = '';
          // ports a deployment uses, reachable from more than it declares: said so, not "not declared"
          let wide: { protocol: number; w: TooWidePorts }[] | undefined;
          // PROTOCOLS is the order of the group's ports (eachGroup adds them query after query): no Map iterator
          for (const protocol of PROTOCOLS) {
            const set = portsOf(g, protocol);
            if (!set) continue;
            const tooWide: TooWidePorts[] = [];
            let rest = unexplainedPorts(a, targets, protocol, set, g.sources, tooWide);
            for (const w of tooWide) {
              rest = rest.subtract(w.ports);
              (wide ??= []).push({ protocol, w });
            }
            if (!rest.isEmpty) ports = ports === '' ? describePorts(protocol, rest) : `${ports}; ${describePorts(protocol, rest)}`;
          }
          if (ports !== '')
            report(context, a, g.span, g.ruleId, {
              messageId: 'undeclared',
              data: { message: twoPieces(`${certaintyTitle(g)}: ${ports} reachable from ${describeSources(g.sources, g.principals)}${viaInterfaces(g.interfaces)}`, tails.get(target, g.via ?? '')) },
              twoPieces: true,
              ruleset,
            }, g);
          for (const { protocol, w } of wide ?? []) {
            const per = [...new Set(w.deployments.map((d) => evidenceRef(d, a.settings)))].join(', ');
            report(context, a, g.span, g.ruleId, {
              messageId: 'tooWide',
              ruleset,
              data: { message: `${certaintyTitle(g)}: ${describePorts(protocol, w.ports)} of the ${w.service} deployment on ${target} per ${per} reachable from ${describeSources(g.sources, g.principals)}${viaInterfaces(g.interfaces)}, ${beyondDeclared(g.sources, w.allowed)}${g.via ? `, ${g.via}` : ''}.` },
            }, tooWideScope(protocol, w.ports, g.sources, w.allowed));
          }
        }, clientReachable);
      }
      flushReports(context, a);
    });
  },
};

function undeclaredTail(target: string, via: string): string {
  return ` but not declared as expected on ${target}${via ? `, ${via}` : ''}.`;
}

export default rule;
