import type { Rule } from 'eslint';
import { CFT_BLOCK, CFT_ROLE_IDS, CFT_ROLES, describePorts } from '../src/catalog/index.js';
import { describeDeployments, evidenceRef, judge, MAX_DISCOVERY_ENTRIES, type Deployment } from '../src/deployments/index.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { closedRanges, formatPorts, numSetOf, numSingle, type NumSet } from '../src/model/index.js';
import { beyondDeclared, certaintyTitle, clientReachable, describeSources, viaInterfaces, docsUrl, eachGroup, portsOf, report, SharedTexts, targetText, tooWideScope, twoPieces, flushReports } from '../src/eslint/rule-kit.js';

const SERVICE = 'transfer-cft';
const PROTOCOLS = [6, 17];
const QUERIES = [CFT_BLOCK, CFT_BLOCK];

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
    // no options: ESLint refuses any (a configuration error, at the comment for an inline one)
    schema: [],
    defaultOptions: [],
    // one placeholder: the rule writes the text itself (the wording is in its report call). ESLint's placeholder
    // replacement, five placeholders per finding, cost more time and garbage than the finding on files with 40k findings
    messages: {
      noDeployment: '{{message}}',
      unused: '{{message}}',
      tooWide: '{{message}}',
    },
  },
  create(context) {
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      // "Open: TCP 1761 (cft-0, …), …, 1768 (…) reachable from ": the same for most findings (see twoPieces)
      const heads = new SharedTexts(reachableHead);
      for (const ruleset of a.document.rulesets) {
        const targets = a.targets(ruleset);
        const target = targetText(a, ruleset);
        // where the deployments are written (the same for every finding of the ruleset: which deployments match
        // does not depend on the protocol or the ports), built on first use
        let matchedText: string | undefined;
        let elsewhereText: string | undefined;
        const matched = (list: readonly Deployment[]): string => (matchedText ??= ` per ${[...new Set(list.map((d) => evidenceRef(d, a.settings)))].join(', ')}`);
        // a walk the bounds stopped may have missed the deployment: the verdict says so
        const truncated = a.settings.discovery?.truncated ? `; deployment discovery stopped after ${MAX_DISCOVERY_ENTRIES} directory entries, so one may be missing (declare it in fwlint.config.yaml)` : '';
        const deployedOn = (list: readonly Deployment[]): string => (elsewhereText ??= list.length > 0 ? ` (Transfer CFT is deployed on ${describeDeployments(list, a.settings)})` : '');
        eachGroup(a.exposure(ruleset, 'input'), PROTOCOLS, QUERIES, (g) => {
          const certainty = certaintyTitle(g);
          const sources = describeSources(g.sources, g.principals) + viaInterfaces(g.interfaces);
          const via = g.via ? `, ${g.via}` : '';
          // the port descriptions '; '-joined, as they come (one protocol, mostly: no list)
          let noDeployment: string | undefined;
          let unused: string | undefined;
          let why: Set<string> | undefined;
          let elsewhere: readonly Deployment[] | undefined;
          let matching: readonly Deployment[] | undefined;
          // PROTOCOLS is the order of the group's ports (eachGroup adds them query after query): no Map iterator
          for (const protocol of PROTOCOLS) {
            const ports = portsOf(g, protocol);
            if (!ports) continue;
            const j = judge(SERVICE, targets, protocol, ports, g.sources, a.settings);
            if (!j.unneeded.isEmpty) {
              const described = describePorts(protocol, j.unneeded);
              if (j.deployments.length === 0) {
                noDeployment = noDeployment === undefined ? described : `${noDeployment}; ${described}`;
                elsewhere = j.elsewhere;
              } else {
                matching = j.deployments;
                unused = unused === undefined ? described : `${unused}; ${described}`;
                why ??= new Set();
                if (protocol === 17) why.add('Transfer CFT never uses UDP');
                else {
                  if (j.unneeded.has(1764)) why.add('1764 has no Transfer CFT role');
                  let others = j.unneeded.subtract(numSingle(1764));
                  // the roles a matching deployment switched off (`disabled: [sftp]`) are named as such
                  const off: string[] = [];
                  for (const d of j.deployments)
                    for (const [k, role] of Object.entries(d.disabled ?? {}))
                      if (others.has(Number(k))) {
                        off.push(`${role} (${k})`);
                        others = others.subtract(numSingle(Number(k)));
                      }
                  if (off.length > 0) why.add(`the deployment switched off ${off.join(', ')}`);
                  if (!others.isEmpty) why.add(notUsed(others, j.deployments));
                }
              }
            }
            if (j.tooWide) {
              report(context, a, g.span, g.ruleId, {
                messageId: 'tooWide',
                ruleset,
                data: { message: `${certainty}: ${describePorts(protocol, j.tooWide.ports)} of the Transfer CFT deployment on ${target}${matched(j.deployments)} reachable from ${sources}, ${beyondDeclared(j.tooWide.actual, j.tooWide.allowed)}${via}.` },
              }, tooWideScope(protocol, j.tooWide.ports, j.tooWide.actual, j.tooWide.allowed));
            }
          }
          if (noDeployment !== undefined) {
            report(context, a, g.span, g.ruleId, {
              messageId: 'noDeployment',
              data: { message: twoPieces(heads.get(certainty, noDeployment), `${sources} without a Transfer CFT deployment on ${target}${deployedOn(elsewhere ?? [])}${via}${truncated}.`) },
              twoPieces: true,
              ruleset,
            }, g);
          }
          if (unused !== undefined) {
            report(context, a, g.span, g.ruleId, {
              messageId: 'unused',
              data: { message: twoPieces(heads.get(certainty, unused), `${sources} but not used by the Transfer CFT deployment on ${target}${matched(matching!)} (${[...why!].join('; ')})${via}${truncated}.`) },
              twoPieces: true,
              ruleset,
            }, g);
          }
        }, clientReachable);
      }
      flushReports(context, a);
    });
  },
};

/**
 * Why a catalogue port of the block is not needed though Transfer CFT runs here: its role moved
 * (`PeSIT is on 6330`, initialize.properties or `CFT_PESIT_PORT`), or the deployment's evidence gives it no port —
 * a container that does not publish it, explicit ports that leave it out. "Does not listen" would be wrong for the
 * container: COMS listens inside it, unpublished. Names the TCP ports the deployment uses instead.
 */
function notUsed(ports: NumSet, deployments: readonly Deployment[]): string {
  let used = numSetOf([]);
  const onPort = new Map<string, number[]>();
  for (const d of deployments)
    for (const sp of d.ports) {
      if (sp.protocol !== 'tcp') continue;
      used = used.union(sp.ports);
      for (const [k, role] of Object.entries(sp.roles ?? {})) onPort.set(role, [...(onPort.get(role) ?? []), Number(k)]);
    }
  const moved: string[] = [];
  let rest = ports;
  for (const [lo, hi] of closedRanges(ports))
    for (let p = lo; p <= hi; p++) {
      const id = CFT_ROLE_IDS[p];
      const elsewhere = id ? onPort.get(id)?.filter((q) => q !== p) : undefined;
      if (!id || !elsewhere || elsewhere.length === 0) continue;
      moved.push(`${CFT_ROLES.find((r) => r.id === id)!.label} (${p}) ${moved.length === 0 ? 'is ' : ''}on ${[...new Set(elsewhere)].sort((a, b) => a - b).join(', ')}`);
      rest = rest.subtract(numSingle(p));
    }
  const parts: string[] = [];
  if (moved.length > 0) parts.push(`the deployment's ${moved.join(', ')}`);
  if (!rest.isEmpty) parts.push(`the deployment uses only TCP ${used.isEmpty ? 'no port' : formatPorts(used)}`);
  return parts.join('; ');
}

function reachableHead(certainty: string, ports: string): string {
  return `${certainty}: ${ports} reachable from `;
}

export default rule;
