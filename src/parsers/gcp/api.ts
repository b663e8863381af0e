/**
 * Reads GCP firewall resources as the Compute API and gcloud print them
 * (`compute#firewall`, `compute#firewallList`, `getEffectiveFirewalls`
 * responses, `gcloud compute firewall-rules list --format=json|yaml`, recorded
 * API responses with a `body`) from a positioned value tree.
 */
import type { Diagnostic } from '../../model/index.js';
import { get, str, type PObject, type PValue } from '../values.js';
import { lastSegment } from './common.js';
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

/** Every firewall object in the tree (not below another firewall), in document order. */
export function findGcpFirewalls(root: PValue | undefined): PObject[] {
  const out: PObject[] = [];
  const walk = (v: PValue, depth: number): void => {
    if (depth > 12) return;
    if (v.kind === 'array') for (const i of v.items) walk(i, depth + 1);
    else if (v.kind === 'object') {
      if (isGcpFirewall(v)) out.push(v);
      else for (const e of v.entries) walk(e.value, depth + 1);
    }
  };
  if (root) walk(root, 0);
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
  const name = str(get(o, 'name')) ?? '(unnamed)';
  const netText = str(get(o, 'network'));
  const network = netText ? lastSegment(netText) : 'default';
  const base = {
    name,
    network,
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
  const allowed = get(o, 'allowed');
  const denied = get(o, 'denied');
  if (allowed !== undefined) out.push({ ...base, action: 'allow', entries: entries(allowed, diagnostics, 'allowed'), ...(desc ? { description: desc } : {}) });
  if (denied !== undefined) out.push({ ...base, action: 'deny', entries: entries(denied, diagnostics, 'denied'), ...(desc ? { description: desc } : {}) });
  if (allowed !== undefined && denied !== undefined) {
    diagnostics.push({ severity: 'warning', code: 'gcp/allowed-and-denied', message: `firewall rule "${name}" has both allowed and denied (the API accepts only one)`, span: o.span });
  }
  return out;
}
