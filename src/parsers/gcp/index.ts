/**
 * GCP VPC firewall rules: Compute API / gcloud JSON (`gcp`) and gcloud YAML
 * (`gcp-yaml`) exports. Terraform `google_compute_firewall` is mapped by
 * ./terraform.ts for the terraform format.
 */
import { DOCUMENT_START, type Diagnostic, type FirewallDocument, type Ruleset } from '../../model/index.js';
import type { FormatDefinition, ParseOptions } from '../types.js';
import { readJson } from '../json.js';
import { get, parseYamlDocuments, str, type PObject, type PValue } from '../values.js';
import { gcpPoliciesBeforeClassic, gcpPolicyLevel, gcpSpecsFromApi, gcpSpecsFromPolicy, findGcpFirewalls } from './api.js';
import { IdSource, jsonComments, lastSegment, opaque, spanOfValues, stableSortBy, yamlComments } from './common.js';
import { compileGcp, type GcpFirewallSpec } from './firewall.js';

export { compileGcp, type GcpFirewallSpec, type GcpProtoEntry } from './firewall.js';
export { findGcpFirewalls, gcpPolicyLevel, gcpSpecsFromApi, gcpSpecsFromPolicy, isGcpFirewall, isGcpFirewallPolicy } from './api.js';
export { mapGcpTerraform } from './terraform.js';

/** All the head detection is given (a Deployment Manager config may list many resources before its firewalls). */
const HEAD = 65536;

function looksJson(text: string): boolean {
  for (let i = 0; i < text.length && i < 4096; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) continue;
    return c === 123 /* { */ || c === 91 /* [ */;
  }
  return false;
}

/** Parse GCP firewall rules from JSON or YAML text (chosen by content). */
export function parseGcp(text: string, _opts: ParseOptions = {}, format?: string): FirewallDocument {
  const diagnostics: Diagnostic[] = [];
  try {
    const json = looksJson(text);
    let values: PValue[];
    if (json) {
      // (newline-delimited JSON — a Cloud Asset Inventory export, `gcloud asset export --content-type=resource`,
      // writes one asset per line — is read as the array of its values)
      const t = readJson(text);
      diagnostics.push(...t.diagnostics);
      values = t.value ? [t.value] : [];
    } else {
      const t = parseYamlDocuments(text);
      diagnostics.push(...t.diagnostics);
      values = t.values;
    }
    const specs: GcpFirewallSpec[] = [];
    const policies: PObject[] = [];
    const looseRules: PObject[] = [];
    for (const v of values) for (const o of findGcpFirewalls(v, policies, looseRules)) specs.push(...gcpSpecsFromApi(o, diagnostics));
    if (looseRules.length > 0) {
      // Policy rules without their policy: read as one policy of unknown name and level.
      const span = spanOfValues(looseRules, DOCUMENT_START);
      policies.push({
        kind: 'object',
        span,
        entries: [{ key: 'rules', keySpan: span, value: { kind: 'array', span, items: looseRules } }],
      });
    }
    // An export across projects (Cloud Asset Inventory) holds many networks named "default":
    // a name used in more than one project is qualified by its project.
    const projectsOf = new Map<string, Set<string>>();
    for (const s of specs) if (s.project) (projectsOf.get(s.network) ?? projectsOf.set(s.network, new Set()).get(s.network)!).add(s.project);
    for (const s of specs) if (s.project && projectsOf.get(s.network)!.size > 1) s.network = `${s.project}/${s.network}`;
    const ids = new IdSource();
    const span = spanOfValues(values, DOCUMENT_START);
    let rulesets: Ruleset[];
    if (policies.length === 0) rulesets = compileGcp(specs, span, ids, diagnostics);
    else if (specs.length === 0) {
      // Policies alone: what they do not decide goes to a level not in the input. A network firewall policy comes
      // after the network's VPC firewall rules (enforcement order AFTER_CLASSIC_FIREWALL, the default), which are
      // not in the input either and may allow or deny first: its rules decide nothing for certain (a deny of it was
      // reported closing what a VPC rule before it may allow).
      const before = values.some((v) => gcpPoliciesBeforeClassic(v));
      rulesets = compileGcp(
        policies.flatMap((p) => {
          const out = gcpSpecsFromPolicy(p, 0, diagnostics);
          const level = gcpPolicyLevel(p);
          if ((level !== 'network' && level !== 'unknown') || before) return out;
          // (a policy whose level nothing says may be a network firewall policy: the same)
          const why =
            level === 'network'
              ? opaque('vpc-rules', `the VPC firewall rules before network firewall policy ${out[0]?.network ?? ''}`, 'a network firewall policy is evaluated after the VPC firewall rules (AFTER_CLASSIC_FIREWALL, the default), which are not in the input', p.span)
              : opaque('unresolved', `firewall policy ${out[0]?.network ?? ''}`.trim(), 'whether the policy is evaluated before or after the VPC firewall rules is unknown (no type, parent or selfLink)', p.span);
          return out.map((sp) => (sp.action === 'goto_next' ? sp : { ...sp, extra: [...(sp.extra ?? []), why] }));
        }),
        span,
        ids,
        diagnostics,
        'policy',
      );
    } else {
      // An effective-firewalls view: hierarchical and system policies (in the listed
      // order) are evaluated before the VPC rules of every network, network firewall
      // policies after them (the default enforcement order, AFTER_CLASSIC_FIREWALL)
      // unless the input says BEFORE_CLASSIC_FIREWALL; goto_next passes on to the next one.
      const networks = [...new Set(specs.map((s) => s.network))];
      const before = values.some((v) => gcpPoliciesBeforeClassic(v));
      const rank = (p: PObject): number => {
        const level = gcpPolicyLevel(p);
        if (level === 'hierarchy' || level === 'unknown') return 0;
        if (level === 'system') return 1;
        // global network firewall policies, then regional ones
        const regional = str(get(p, 'type'))?.toUpperCase() === 'NETWORK_REGIONAL' || get(p, 'region') !== undefined;
        return (before ? 2 : 4) + (regional ? 1 : 0);
      };
      const ordered = stableSortBy(policies, rank);
      const polSpecs = ordered.flatMap((p, i) => {
        const out = gcpSpecsFromPolicy(p, rank(p) >= 4 ? 1 + i : i - ordered.length, diagnostics);
        if (gcpPolicyLevel(p) === 'network') {
          // A network firewall policy applies to the networks it is associated with.
          const assoc = get(p, 'associations');
          const nets = assoc?.kind === 'array' ? assoc.items.map((a) => (a.kind === 'object' ? str(get(a, 'attachmentTarget')) : undefined)).filter((t): t is string => t !== undefined && t.includes('/networks/')) : [];
          if (nets.length > 0) for (const sp of out) sp.policy = { ...sp.policy!, targetResources: sp.policy!.targetResources ?? nets.map(lastSegment) };
        }
        if (gcpPolicyLevel(p) !== 'unknown') return out;
        // Nothing tells whether the policy is hierarchical (before the VPC rules) or a network
        // policy (after them): placed before, its allows only may open and its denies close nothing.
        const why = opaque('unresolved', `firewall policy ${out[0]?.network ?? ''}`.trim(), 'whether the policy is evaluated before or after the VPC firewall rules is unknown (no type, parent or selfLink)', p.span);
        return out.map((s) => (s.action === 'goto_next' ? s : { ...s, extra: [...(s.extra ?? []), why] }));
      });
      const applies = (p: GcpFirewallSpec, n: string): boolean => !p.policy?.targetResources || p.policy.targetResources.includes(lastSegment(n));
      const merged = [...specs, ...networks.flatMap((n) => polSpecs.filter((p) => applies(p, n)).map((p) => ({ ...p, network: n, policy: { band: p.policy!.band, ...(p.policy!.name !== undefined ? { name: p.policy!.name } : {}), ...(p.policy!.span ? { span: p.policy!.span } : {}) } })))];
      rulesets = compileGcp(merged, span, ids, diagnostics);
    }
    return { format: format ?? (json ? 'gcp' : 'gcp-yaml'), rulesets, diagnostics, comments: json ? jsonComments(text) : yamlComments(text) };
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'gcp/internal', message: `GCP parser failed: ${String(e)}`, span: DOCUMENT_START });
    return { format: format ?? 'gcp', rulesets: [], diagnostics, comments: [] };
  }
}

function detectJson(text: string): number {
  if (!looksJson(text)) return 0;
  const h = text.slice(0, HEAD);
  if (h.includes('"compute#firewall')) return 90;
  if (h.includes('"layer4Configs"') && h.includes('"srcIpRanges"')) return 80;
  const hasRule = h.includes('"allowed"') || h.includes('"denied"');
  if (hasRule && h.includes('"IPProtocol"') && (h.includes('"sourceRanges"') || h.includes('"direction"') || h.includes('"targetTags"'))) return 80;
  return 0;
}

function detectYaml(fileName: string, text: string): number {
  if (looksJson(text)) return 0;
  const h = text.slice(0, HEAD);
  if (h.includes('kind: compute#firewall')) return 90;
  // Deployment Manager: "type: compute.v1.firewall" (or the gcp-types form) with the API fields in properties
  if (/type:[ \t]*['"]?(?:compute\.(?:v1|beta|alpha)\.firewall|gcp-types\/compute-(?:v1|beta|alpha):firewalls)\b/.test(h) && h.includes('IPProtocol')) return 80;
  if (h.includes('layer4Configs:') && h.includes('srcIpRanges:')) return 80;
  const hasRule = /(?:^|\n)[ \t-]*(?:allowed|denied):/.test(h);
  if (hasRule && h.includes('IPProtocol') && /(?:^|\n)[ \t-]*(?:sourceRanges|direction|targetTags):/.test(h)) return /\.ya?ml$/i.test(fileName) ? 80 : 60;
  return 0;
}

export const gcpJsonFormat: FormatDefinition = {
  id: 'gcp',
  language: 'json',
  detect: (_fileName, text) => detectJson(text),
  parse: (text, options) => parseGcp(text, options, 'gcp'),
};

export const gcpYamlFormat: FormatDefinition = {
  id: 'gcp-yaml',
  language: 'yaml',
  detect: detectYaml,
  parse: (text, options) => parseGcp(text, options, 'gcp-yaml'),
};
