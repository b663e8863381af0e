/**
 * Terraform → GCP firewall specs: `google_compute_firewall` (allow/deny blocks,
 * dynamic blocks as unresolved) and the firewall policy rules
 * (`google_compute_firewall_policy_rule`, `google_compute_network_firewall_policy_rule`,
 * `google_compute_region_network_firewall_policy_rule`).
 */
import type { Diagnostic, Match, Span } from '../../model/index.js';
import { DOCUMENT_START } from '../../model/index.js';
import { get, str, type PObject, type PValue } from '../values.js';
import { IdSource, lastSegment, opaque, valText, type MapResult, type TfResourceLike } from './common.js';
import { compileGcp, type GcpFirewallSpec, type GcpProtoEntry } from './firewall.js';

/** Every entry with this key (blocks repeat: several `allow {}`). */
function all(body: PObject, key: string): PValue[] {
  const out: PValue[] = [];
  for (const e of body.entries) {
    if (e.key !== key) continue;
    if (e.value.kind === 'array' && e.value.items.every((i) => i.kind === 'object')) out.push(...e.value.items);
    else out.push(e.value);
  }
  return out;
}

/** `dynamic "allow" { … }` blocks. */
function dynamicBlocks(body: PObject, label: string): PObject[] {
  const out: PObject[] = [];
  for (const v of all(body, 'dynamic')) {
    if (v.kind === 'object' && v.block?.labels[0] === label) out.push(v);
  }
  return out;
}

function networkName(v: PValue | undefined): string {
  if (!v) return 'default';
  if (v.kind === 'expr') return v.text;
  const s = valText(v);
  return s.includes('/') ? lastSegment(s) : s;
}

function repetition(r: TfResourceLike): Match[] {
  const out: Match[] = [];
  for (const key of ['count', 'for_each']) {
    const v = get(r.body, key);
    if (v && v.kind !== 'scalar') {
      out.push(opaque('unresolved', `${key} = ${valText(v)}`, `the resource is created ${key === 'count' ? 'a number of times' : 'once per element'} that is not known statically`, v.span));
    } else if (v?.kind === 'scalar' && key === 'count' && (v.value === 0 || v.value === '0')) {
      out.push(opaque('count', 'count = 0', 'the resource is not created (count = 0)', v.span));
    }
  }
  return out;
}

function protoEntries(blocks: PValue[], dyn: PObject[], protoKey: string): GcpProtoEntry[] {
  const out: GcpProtoEntry[] = [];
  for (const b of blocks) {
    if (b.kind !== 'object') {
      out.push({ protocol: undefined, ports: undefined, span: b.span, unresolved: valText(b) });
      continue;
    }
    out.push({ protocol: get(b, protoKey), ports: get(b, 'ports'), span: b.span });
  }
  for (const d of dyn) {
    const content = get(d, 'content');
    const fe = get(d, 'for_each');
    const text = `dynamic "${d.block?.labels[0] ?? ''}" { for_each = ${valText(fe)} }`;
    if (content?.kind === 'object') {
      const p = get(content, protoKey);
      const ports = get(content, 'ports');
      // The block repeats an unknown number of times; its values usually come from the iterator.
      // The block repeats an unknown number of times (maybe none): unresolved as a whole.
      out.push({ protocol: p, ports, span: d.span, unresolved: text });
    } else out.push({ protocol: undefined, ports: undefined, span: d.span, unresolved: text });
  }
  return out;
}

function firewallSpecs(r: TfResourceLike, diagnostics: Diagnostic[]): GcpFirewallSpec[] {
  const b = r.body;
  const nameV = get(b, 'name');
  const name = nameV?.kind === 'scalar' ? valText(nameV) : r.address;
  const descr = str(get(b, 'description'));
  const base = {
    name,
    network: networkName(get(b, 'network')),
    span: r.span,
    direction: get(b, 'direction'),
    priority: get(b, 'priority'),
    sourceRanges: get(b, 'source_ranges'),
    sourceTags: get(b, 'source_tags'),
    sourceServiceAccounts: get(b, 'source_service_accounts'),
    destinationRanges: get(b, 'destination_ranges'),
    targetTags: get(b, 'target_tags'),
    targetServiceAccounts: get(b, 'target_service_accounts'),
    disabled: get(b, 'disabled'),
    extra: repetition(r),
    ...(descr ? { description: `${r.address}: ${descr}` } : {}),
  };
  const out: GcpFirewallSpec[] = [];
  const allow = protoEntries(all(b, 'allow'), dynamicBlocks(b, 'allow'), 'protocol');
  const deny = protoEntries(all(b, 'deny'), dynamicBlocks(b, 'deny'), 'protocol');
  const hasDynAllow = dynamicBlocks(b, 'allow').length > 0;
  const hasDynDeny = dynamicBlocks(b, 'deny').length > 0;
  if (allow.length > 0) out.push({ ...base, action: 'allow', entries: allow });
  if (deny.length > 0) {
    // A dynamic deny that may expand to nothing must not hide anything: opaque.
    const extra = hasDynDeny ? [...base.extra, opaque('unresolved', 'dynamic "deny"', 'the deny block is generated and may be empty', r.span)] : base.extra;
    out.push({ ...base, extra, action: 'deny', entries: deny });
  }
  if (allow.length === 0 && deny.length === 0) {
    diagnostics.push({ severity: 'warning', code: 'gcp/no-protocols', message: `${r.address} has neither allow nor deny blocks`, span: r.span });
  }
  if (hasDynAllow && hasDynDeny) {
    // Only one kind is created in practice; both kept (allow unresolved, deny opaque).
  }
  return out;
}

function policyRuleSpec(r: TfResourceLike, diagnostics: Diagnostic[]): GcpFirewallSpec | undefined {
  const b = r.body;
  const match = get(b, 'match');
  const policyV = get(b, 'firewall_policy');
  const policy = policyV ? (policyV.kind === 'expr' ? policyV.text : lastSegment(valText(policyV))) : '(unknown policy)';
  const actionV = get(b, 'action');
  let action: GcpFirewallSpec['action'];
  const at = actionV?.kind === 'scalar' ? valText(actionV).toLowerCase() : undefined;
  if (at === 'allow' || at === 'deny' || at === 'goto_next') action = at;
  else action = { unknown: actionV ? valText(actionV) : '(missing action)' };
  if (!actionV) diagnostics.push({ severity: 'error', code: 'gcp/missing-action', message: `${r.address} has no action`, span: r.span });
  const m = match?.kind === 'object' ? match : undefined;
  const entries: GcpProtoEntry[] = [];
  if (m) entries.push(...protoEntries(all(m, 'layer4_configs'), dynamicBlocks(m, 'layer4_configs'), 'ip_protocol'));
  if (!m) {
    diagnostics.push({ severity: 'warning', code: 'gcp/missing-match', message: `${r.address} has no match block`, span: r.span });
    entries.push({ protocol: undefined, ports: undefined, span: r.span, unresolved: 'match' });
  }
  const extraSources: Match[][] = [];
  if (m) {
    for (const key of ['src_fqdns', 'src_region_codes', 'src_address_groups', 'src_threat_intelligences', 'src_network_scope', 'src_networks']) {
      const v = get(m, key);
      if (v && !(v.kind === 'array' && v.items.length === 0) && !(v.kind === 'scalar' && v.value === null)) {
        extraSources.push([opaque(key, `${key} = ${valText(v)}`, `${key} is resolved by the cloud at run time`, v.span)]);
      }
    }
    for (const v of all(m, 'src_secure_tags')) {
      extraSources.push([opaque('src_secure_tags', valText(get(v, 'name')) || 'src_secure_tags', 'secure tags are bound to instances at run time', v.span)]);
    }
  }
  const tsa = get(b, 'target_service_accounts');
  const targetRes = get(b, 'target_resources');
  const spec: GcpFirewallSpec = {
    name: r.address,
    network: policy,
    span: r.span,
    direction: get(b, 'direction'),
    priority: get(b, 'priority'),
    action,
    entries,
    extraSources,
    ...(m ? { sourceRanges: get(m, 'src_ip_ranges'), destinationRanges: get(m, 'dest_ip_ranges') } : {}),
    ...(tsa ? { targetServiceAccounts: tsa } : {}),
    disabled: get(b, 'disabled'),
    extra: repetition(r),
  };
  const desc = str(get(b, 'description'));
  if (desc) spec.description = desc;
  if (targetRes && !(targetRes.kind === 'array' && targetRes.items.length === 0)) {
    spec.description = `${spec.description ? `${spec.description}; ` : ''}target resources ${valText(targetRes)}`;
  }
  return spec;
}

const POLICY_RULE_TYPES = new Set(['google_compute_firewall_policy_rule', 'google_compute_network_firewall_policy_rule', 'google_compute_region_network_firewall_policy_rule']);

/** Map Terraform GCP resources (any types; others are ignored) to rulesets. */
export function mapGcpTerraform(resources: TfResourceLike[], options: { firstId?: number } = {}): MapResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const vpc: GcpFirewallSpec[] = [];
    const pol: GcpFirewallSpec[] = [];
    let docSpan: Span | undefined;
    for (const r of resources) {
      if (r.type === 'google_compute_firewall') vpc.push(...firewallSpecs(r, diagnostics));
      else if (POLICY_RULE_TYPES.has(r.type)) {
        const s = policyRuleSpec(r, diagnostics);
        if (s) pol.push(s);
      } else continue;
      docSpan = docSpan ? { start: docSpan.start.offset <= r.span.start.offset ? docSpan.start : r.span.start, end: docSpan.end.offset >= r.span.end.offset ? docSpan.end : r.span.end } : r.span;
    }
    const ids = new IdSource(options.firstId);
    const span = docSpan ?? DOCUMENT_START;
    const rulesets = [...compileGcp(vpc, span, ids, diagnostics), ...compileGcp(pol, span, ids, diagnostics, 'policy')];
    return { rulesets, diagnostics };
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'gcp/internal', message: `GCP Terraform mapping failed: ${String(e)}`, span: DOCUMENT_START });
    return { rulesets: [], diagnostics };
  }
}
