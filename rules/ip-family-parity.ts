import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Rule } from 'eslint';
import type { Exposure, ExposureEntry } from '../src/analysis/types.js';
import { describePorts } from '../src/catalog/index.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { parseWithFormat } from '../src/eslint/language.js';
import { certaintyTitle, describeSources, viaInterfaces, docsUrl, eachGroup, report } from '../src/eslint/rule-kit.js';
import { IntervalSet, PORT_UNIVERSE, type NumSet, type Ruleset } from '../src/model/index.js';
import { detectFormat } from '../src/parsers/registry.js';

const PAIRS: [string, string][] = [
  ['ip6tables', 'iptables'],
  ['ipv6', 'ipv4'],
  ['.v6', '.v4'],
  ['v6', 'v4'],
  ['ip6', 'ip'],
  ['6', '4'],
  // Alpine's init script saves to rules-save and rules6-save (/etc/iptables)
  ['6', ''],
];

/** The IPv4 file beside an IPv6 one (rules.v6 → rules.v4, ip6tables.rules → iptables.rules, rules6-save → rules-save). */
function ipv4Sibling(filePath: string): string | undefined {
  const name = basename(filePath);
  for (const [six, four] of PAIRS) {
    const i = name.lastIndexOf(six);
    if (i < 0) continue;
    const candidate = join(dirname(filePath), name.slice(0, i) + four + name.slice(i + six.length));
    if (candidate !== filePath && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const siblingCache = new Map<string, Ruleset[] | null>();
function siblingRulesets(path: string): Ruleset[] | undefined {
  if (siblingCache.has(path)) return siblingCache.get(path) ?? undefined;
  let result: Ruleset[] | null = null;
  try {
    const text = readFileSync(path, 'utf8');
    const format = detectFormat(path, text);
    if (format) result = parseWithFormat(format, text, path).rulesets;
  } catch {
    result = null;
  }
  siblingCache.set(path, result);
  return result ?? undefined;
}

/**
 * The ports that IPv4 entries of `protocol` reach, united at once (IntervalSet.unionAll: one sort, or a sweep over
 * per-port counts for many sets; entry by entry, 100k entries made that quadratic), straight from the entries: a
 * piece per entry of the whole exposure was 10 MB of garbage on 100k rules.
 */
function reachableV4(exposure: Exposure, protocol: number): NumSet {
  const sets: NumSet[] = [];
  for (const e of exposure.entries) if (e.family === 'ipv4' && e.protocols.has(protocol)) sets.push(e.dports);
  return IntervalSet.unionAll(sets);
}

/** UDP ports of protocols that exist for IPv6 only (DHCPv6 client and server, RFC 8415). */
const DHCPV6 = IntervalSet.range(546, 548);

const isOpenV6 = (e: ExposureEntry): boolean => e.family === 'ipv6' && e.certainty === 'open';

/**
 * A port open for IPv6 but closed for IPv4 on the same host: the classic
 * "hardened iptables, forgotten ip6tables". Compares the two families of one
 * ruleset (inet tables, cloud rules), or an IPv6 file with its IPv4 sibling.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Report ports that are closed for IPv4 but open for IPv6 on the same host',
      recommended: true,
      url: docsUrl('ip-family-parity'),
    },
    hasSuggestions: true,
    // no options: ESLint refuses any (a configuration error, at the comment for an inline one)
    schema: [],
    defaultOptions: [],
    // one placeholder: the rule writes the text itself (the wording is in its report call). ESLint's placeholder
    // replacement, five placeholders per finding, cost more time and garbage than the finding on files with 40k findings
    messages: {
      parity: '{{message}}',
    },
  },
  create(context) {
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      for (const ruleset of a.document.rulesets) {
        let v4Rulesets: Ruleset[] = [];
        let where = '';
        if (ruleset.families.includes('ipv4') && ruleset.families.includes('ipv6')) v4Rulesets = [ruleset];
        else if (ruleset.families.length === 1 && ruleset.families[0] === 'ipv6' && a.filePath) {
          const sibling = ipv4Sibling(a.filePath);
          const rs = sibling ? siblingRulesets(sibling) : undefined;
          if (!rs || rs.length === 0) continue;
          v4Rulesets = rs;
          where = ` in ${basename(sibling!)}`;
        } else continue;
        for (const protocol of [6, 17]) {
          let v4open = IntervalSet.empty<number>();
          for (const rs of v4Rulesets) v4open = v4open.union(reachableV4(a.exposure(rs, 'input'), protocol));
          // open IPv6 entries, each with its destination ports ∩ (closed for IPv4)
          // (DHCPv6, UDP 546/547, is an IPv6 protocol: IPv4 hosts use DHCP, 67/68; a host's DHCPv6 client is no gap)
          const v4closed = PORT_UNIVERSE.subtract(protocol === 17 ? v4open.union(DHCPV6) : v4open);
          eachGroup(a.exposure(ruleset, 'input'), [protocol], [v4closed], (g) => {
            const ports = [...g.ports].map(([p, s]) => describePorts(p, s)).join('; ');
            report(context, a, g.span, g.ruleId, {
              messageId: 'parity',
              data: { message: `${certaintyTitle(g)} for IPv6 but closed for IPv4${where}: ${ports} reachable from ${describeSources(g.sources, g.principals)}${viaInterfaces(g.interfaces)}.` },
            }, { ports: g.ports, sources: g.sources });
          }, isOpenV6);
        }
      }
    });
  },
};

export default rule;
