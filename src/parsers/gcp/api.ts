/**
 * Reads GCP firewall resources as the Compute API and gcloud print them
 * (`compute#firewall`, `compute#firewallList`, `getEffectiveFirewalls`
 * responses, `gcloud compute firewall-rules list --format=json|yaml`, recorded
 * API responses with a `body`) from a positioned value tree.
 */
import type { Diagnostic } from '../../model/index.js';
import { get, str, type PObject, type PValue } from '../values.js';
import { lastSegment, opaque, valText } from './common.js';
import type { GcpFirewallSpec, GcpProtoEntry } from './firewall.js';

const SHAPE_KEYS = ['sourceRanges', 'sourceTags', 'sourceServiceAccounts', 'destinationRanges', 'targetTags', 'targetServiceAccounts', 'direction', 'network'];

/** True when the object is (or looks like) one VPC firewall rule. */
export function isGcpFirewall(o: PObject): boolean {
  const kind = str(get(o, 'kind'));
  if (kind === 'compute#firewall') return true;
  if (kind !== undefined && kind.startsWith('compute#') ) return false;
  if (get(o, 'allowed') === undefined && get(o, 'denied') === undefined) return false;
  return SHAPE_KEYS.some((k) => get(o, k) !== undefined);
}

/** True when the object is a firewall policy (`compute#firewallPolicy`, an effective-firewalls policy entry). */
export function isGcpFirewallPolicy(o: PObject): boolean {
  const kind = str(get(o, 'kind'));
  if (kind === 'compute#firewallPolicy') return true;
  const rules = get(o, 'rules');
  return rules?.kind === 'array' && rules.items.some((r) => r.kind === 'object' && get(r, 'match') !== undefined && get(r, 'action') !== undefined);
}

/**
 * Where a firewall policy is evaluated relative to the VPC firewall rules
 * (https://cloud.google.com/firewall/docs/firewall-policies-rule-eval-order):
 * hierarchical (organization, folder) and system policies always before them;
 * global and regional network firewall policies after them unless the network's
 * enforcement order is BEFORE_CLASSIC_FIREWALL (the default is AFTER_CLASSIC_FIREWALL).
 * Read from the effective-firewalls `type`, else the policy's `parent`, `region`,
 * `shortName` or `selfLink`; 'unknown' when nothing tells.
 */
export function gcpPolicyLevel(o: PObject): 'hierarchy' | 'system' | 'network' | 'unknown' {
  const type = str(get(o, 'type'))?.toUpperCase();
  if (type === 'HIERARCHY') return 'hierarchy';
  if (type?.startsWith('SYSTEM')) return 'system';
  if (type?.startsWith('NETWORK')) return 'network';
  const parent = str(get(o, 'parent'));
  if (parent && /^(?:organizations|folders)\//.test(parent)) return 'hierarchy';
  const self = str(get(o, 'selfLink')) ?? str(get(o, 'selfLinkWithId')) ?? '';
  if (/\/locations\/global\/firewallPolicies\//.test(self)) return 'hierarchy';
  if (/\/projects\/[^/]+\/(?:global|regions\/[^/]+)\/firewallPolicies\//.test(self) || get(o, 'region') !== undefined) return 'network';
  if (get(o, 'shortName') !== undefined || get(o, 'displayName') !== undefined) return 'hierarchy';
  // the beta organization security policies (organizationFirewalls: an organization's only) nest the matcher in match.config
  const rules = get(o, 'rules');
  const nested = (r: PValue): boolean => {
    const m = r.kind === 'object' ? get(r, 'match') : undefined;
    return m?.kind === 'object' && get(m, 'config') !== undefined;
  };
  if (rules?.kind === 'array' && rules.items.some(nested)) return 'hierarchy';
  return 'unknown';
}

/** True when some object of the tree sets `networkFirewallPolicyEnforcementOrder: BEFORE_CLASSIC_FIREWALL` (a network's description). */
export function gcpPoliciesBeforeClassic(root: PValue | undefined, depth = 0): boolean {
  if (!root || depth > 4) return false;
  if (root.kind === 'array') return root.items.some((i) => gcpPoliciesBeforeClassic(i, depth + 1));
  if (root.kind !== 'object') return false;
  if (str(get(root, 'networkFirewallPolicyEnforcementOrder'))?.toUpperCase() === 'BEFORE_CLASSIC_FIREWALL') return true;
  return root.entries.some((e) => gcpPoliciesBeforeClassic(e.value, depth + 1));
}

/** Names given outside a firewall object (a Deployment Manager resource's `name` beside its `properties`). */
const outerNames = new WeakMap<PObject, string>();

/** True when the object is one firewall policy rule (`gcloud compute network-firewall-policies rules describe`). */
export function isGcpFirewallPolicyRule(o: PObject): boolean {
  if (str(get(o, 'kind')) === 'compute#firewallPolicyRule') return true;
  const m = get(o, 'match');
  return m?.kind === 'object' && get(m, 'layer4Configs') !== undefined && str(get(o, 'action')) !== undefined;
}

/**
 * Every firewall object in the tree (not below another firewall), in document order.
 * Firewall policies go to `policies`; policy rules outside a policy (a rule's describe,
 * a list of rules) to `policyRules`.
 */
export function findGcpFirewalls(root: PValue | undefined, policies?: PObject[], policyRules?: PObject[]): PObject[] {
  const out: PObject[] = [];
  const walk = (v: PValue, depth: number): void => {
    if (depth > 12) return;
    if (v.kind === 'array') for (const i of v.items) walk(i, depth + 1);
    else if (v.kind === 'object') {
      if (isGcpFirewall(v)) out.push(v);
      else if (isGcpFirewallPolicy(v)) policies?.push(v);
      else if (policyRules && isGcpFirewallPolicyRule(v)) policyRules.push(v);
      else {
        // Deployment Manager: `- name: allow-cft / type: compute.v1.firewall / properties: {…}` names the rule outside it
        const props = get(v, 'properties');
        const name = str(get(v, 'name'));
        if (props?.kind === 'object' && name !== undefined && get(props, 'name') === undefined) outerNames.set(props, name);
        for (const e of v.entries) walk(e.value, depth + 1);
      }
    }
  };
  if (root) walk(root, 0);
  return out;
}

const POLICY_SOURCES = ['srcFqdns', 'srcRegionCodes', 'srcAddressGroups', 'srcThreatIntelligences', 'srcNetworks', 'srcNetworkScope'];

/** Firewall policy object → one spec per rule (network = the policy's name), in band `band`. */
export function gcpSpecsFromPolicy(o: PObject, band: number, diagnostics: Diagnostic[]): GcpFirewallSpec[] {
  const policy = str(get(o, 'shortName')) ?? str(get(o, 'displayName')) ?? str(get(o, 'name')) ?? '(unnamed policy)';
  const out: GcpFirewallSpec[] = [];
  for (const r of get(o, 'rules')?.kind === 'array' ? (get(o, 'rules') as { items: PValue[] }).items : []) {
    if (r.kind !== 'object') continue;
    const m0 = get(r, 'match');
    // the beta organization security policies (organizationFirewalls) nest the matcher in match.config
    const cfg = m0?.kind === 'object' ? get(m0, 'config') : undefined;
    const m = cfg?.kind === 'object' ? cfg : m0;
    const mo = m?.kind === 'object' ? m : undefined;
    const at = str(get(r, 'action'))?.toLowerCase();
    const action: GcpFirewallSpec['action'] = at === 'allow' || at === 'deny' || at === 'goto_next' ? at : { unknown: str(get(r, 'action')) ?? '(missing action)' };
    const extraSources = [];
    for (const k of POLICY_SOURCES) {
      const v = mo ? get(mo, k) : undefined;
      if (v && !(v.kind === 'array' && v.items.length === 0)) extraSources.push([opaque(k, `${k} ${valText(v)}`, `${k} is resolved by the cloud at run time`, v.span)]);
    }
    // srcSecureTags name instances (their NICs in the network), never internet addresses: a
    // principal, as sourceTags in VPC rules. INEFFECTIVE tags match nothing; a rule left with no
    // source at all is ignored (API reference, FirewallPolicyRuleMatcher.srcSecureTags).
    const sst = mo ? get(mo, 'srcSecureTags') : undefined;
    let ignored = false;
    if (sst?.kind === 'array' && sst.items.length > 0) {
      const names: string[] = [];
      for (const t of sst.items) {
        const o = t.kind === 'object' ? t : undefined;
        if (str(o ? get(o, 'state') : undefined)?.toUpperCase() === 'INEFFECTIVE') continue;
        names.push(`stag:${o ? (str(get(o, 'name')) ?? valText(o)) : valText(t)}`);
      }
      if (names.length > 0) extraSources.push([{ kind: 'principal' as const, dir: 'src' as const, names, span: sst.span }]);
      else ignored = extraSources.length === 0 && (mo ? get(mo, 'srcIpRanges') : undefined) === undefined;
    }
    const spec: GcpFirewallSpec = {
      name: str(get(r, 'ruleName')) ?? `${policy} priority ${valText(get(r, 'priority'))}`,
      network: policy,
      span: r.span,
      direction: get(r, 'direction'),
      priority: get(r, 'priority'),
      action,
      entries: entries(mo ? get(mo, 'layer4Configs') : undefined, diagnostics, 'layer4Configs'),
      extraSources,
      disabled: get(r, 'disabled'),
      policy: { band, name: policy, span: o.span },
    };
    const tr = get(r, 'targetResources');
    if (tr?.kind === 'array' && tr.items.length > 0) spec.policy!.targetResources = tr.items.map((x) => lastSegment(valText(x)));
    if (mo) {
      const sr = get(mo, 'srcIpRanges');
      const dr = get(mo, 'destIpRanges');
      if (sr) spec.sourceRanges = sr;
      if (dr) spec.destinationRanges = dr;
    }
    if (ignored) spec.disabled = { kind: 'scalar', value: true, span: sst!.span };
    const tsa = get(r, 'targetServiceAccounts');
    if (tsa) spec.targetServiceAccounts = tsa;
    // The rule applies only to instances with one of these tags; when every one is
    // INEFFECTIVE the rule is ignored (API reference, FirewallPolicyRule.targetSecureTags).
    const tst = get(r, 'targetSecureTags');
    if (tst?.kind === 'array' && tst.items.length > 0) {
      const effective = tst.items.filter((t) => str(t.kind === 'object' ? get(t, 'state') : undefined)?.toUpperCase() !== 'INEFFECTIVE');
      if (effective.length === 0) spec.disabled = { kind: 'scalar', value: true, span: tst.span };
      else spec.targetSecureTags = { kind: 'array', span: tst.span, items: effective.map((t) => (t.kind === 'object' ? (get(t, 'name') ?? t) : t)) };
    }
    const d = str(get(r, 'description'));
    spec.description = d ? `firewall policy ${policy}: ${d}` : `firewall policy ${policy}`;
    out.push(spec);
  }
  return out;
}

function entries(v: PValue | undefined, diagnostics: Diagnostic[], field: string): GcpProtoEntry[] {
  if (!v) return [];
  if (v.kind === 'expr') return [{ protocol: undefined, ports: undefined, span: v.span, unresolved: v.text }];
  if (v.kind !== 'array') {
    diagnostics.push({ severity: 'error', code: 'gcp/bad-field', message: `${field} must be a list`, span: v.span });
    return [{ protocol: undefined, ports: undefined, span: v.span, unresolved: field }];
  }
  return v.items.map((it) => {
    if (it.kind !== 'object') return { protocol: undefined, ports: undefined, span: it.span, unresolved: field };
    return { protocol: get(it, 'IPProtocol') ?? get(it, 'ipProtocol'), ports: get(it, 'ports'), span: it.span };
  });
}

/** API object → spec(s): one per action present (the API allows only one of allowed/denied). */
export function gcpSpecsFromApi(o: PObject, diagnostics: Diagnostic[]): GcpFirewallSpec[] {
  const name = str(get(o, 'name')) ?? outerNames.get(o) ?? '(unnamed)';
  const netText = str(get(o, 'network'));
  const network = netText ? lastSegment(netText) : 'default';
  const project = netText ? /(?:^|\/)projects\/([^/]+)\//.exec(netText)?.[1] : undefined;
  const base = {
    name,
    network,
    ...(project ? { project } : {}),
    span: o.span,
    direction: get(o, 'direction'),
    priority: get(o, 'priority'),
    sourceRanges: get(o, 'sourceRanges'),
    sourceTags: get(o, 'sourceTags'),
    sourceServiceAccounts: get(o, 'sourceServiceAccounts'),
    destinationRanges: get(o, 'destinationRanges'),
    targetTags: get(o, 'targetTags'),
    targetServiceAccounts: get(o, 'targetServiceAccounts'),
    disabled: get(o, 'disabled'),
  };
  const desc = str(get(o, 'description'));
  const out: GcpFirewallSpec[] = [];
  let allowed = get(o, 'allowed');
  let denied = get(o, 'denied');
  // An empty (or null) list beside a filled one is the field left unset (`"denied": []` as exports that print every
  // field write it): the rule is the other one's, not a second rule of no protocols at the same priority.
  const empty = (v: PValue | undefined): boolean => v !== undefined && ((v.kind === 'array' && v.items.length === 0) || (v.kind === 'scalar' && v.value === null));
  if (allowed !== undefined && denied !== undefined) {
    if (empty(denied) && !empty(allowed)) denied = undefined;
    else if (empty(allowed) && !empty(denied)) allowed = undefined;
  }
  if (allowed !== undefined) out.push({ ...base, action: 'allow', entries: entries(allowed, diagnostics, 'allowed'), ...(desc ? { description: desc } : {}) });
  if (denied !== undefined) out.push({ ...base, action: 'deny', entries: entries(denied, diagnostics, 'denied'), ...(desc ? { description: desc } : {}) });
  if (allowed === undefined && denied === undefined) {
    diagnostics.push({ severity: 'error', code: 'gcp/no-action', message: `firewall rule "${name}" has neither allowed nor denied`, span: o.span });
  }
  if (allowed !== undefined && denied !== undefined) {
    diagnostics.push({ severity: 'warning', code: 'gcp/allowed-and-denied', message: `firewall rule "${name}" has both allowed and denied (the API accepts only one)`, span: o.span });
  }
  return out;
}
