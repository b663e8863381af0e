/**
 * AWS API shapes (aws-cli `--output json`, boto responses, placebo recordings):
 * describe-security-groups, describe-security-group-rules, describe-network-acls,
 * describe-managed-prefix-lists / get-managed-prefix-list-entries, and the
 * request shape of authorize-security-group-ingress/egress (`GroupId` + `IpPermissions`).
 */
import type { Rule, Ruleset, Span } from '../../model/index.js';
import { spanJoin } from '../../model/build.js';
import { get, items, str, type PValue } from '../values.js';
import { AwsContext, naclChains, naclRulesetOf, naclTable, permRules, sgName, sgRuleset, type NaclEntryInput, type NaclInput, type PermInput, type SourceInput } from './core.js';

/** The source lists of an IpPermission (describe-security-groups), which no other AWS object has beside `IpProtocol`. */
const PERMISSION_SOURCES = ['IpRanges', 'Ipv6Ranges', 'PrefixListIds', 'UserIdGroupPairs'];

/** Which list of a describe-* response an element belongs to, by its own keys (undefined: none). */
function listKeyOf(item: PValue): 'SecurityGroups' | 'NetworkAcls' | 'SecurityGroupRules' | 'IpPermissions' | 'AclEntries' | undefined {
  if (item.kind !== 'object') return undefined;
  if (get(item, 'SecurityGroupRuleId') !== undefined) return 'SecurityGroupRules';
  // one network ACL's entries (`--query 'NetworkAcls[0].Entries'`): read as that ACL
  if (get(item, 'RuleNumber') !== undefined && get(item, 'RuleAction') !== undefined && get(item, 'Egress') !== undefined) return 'AclEntries';
  // one group's permissions (`--query 'SecurityGroups[0].IpPermissions'`): read as an authorize-* request's, ingress
  // unless the file is named for egress
  if (get(item, 'IpProtocol') !== undefined && PERMISSION_SOURCES.some((k) => get(item, k) !== undefined)) return 'IpPermissions';
  if (get(item, 'NetworkAclId') !== undefined && get(item, 'Entries') !== undefined) return 'NetworkAcls';
  // A group as describe-security-groups lists it (not the GroupId + IpPermissions request of authorize-*).
  if (get(item, 'GroupId') !== undefined && (get(item, 'IpPermissionsEgress') !== undefined || get(item, 'VpcId') !== undefined || get(item, 'OwnerId') !== undefined)) return 'SecurityGroups';
  return undefined;
}

/**
 * The response shape for what users cut out of one: a top-level array of groups, ACLs,
 * group rules or one group's permissions (`--query SecurityGroups`, `jq .SecurityGroups`,
 * `--query 'SecurityGroups[0].IpPermissions'`), or one such object (`jq .SecurityGroups[0]`),
 * is read as `{"SecurityGroups": […]}` and so on.
 */
function asResponse(tree: PValue): PValue {
  const list = tree.kind === 'array' ? tree.items : tree.kind === 'object' ? [tree] : [];
  const lists = new Map<string, PValue[]>();
  for (const item of list) {
    const k = listKeyOf(item);
    if (!k) continue;
    const l = lists.get(k);
    if (l) l.push(item);
    else lists.set(k, [item]);
  }
  if (lists.size === 0) return tree;
  return {
    kind: 'object',
    span: tree.span,
    entries: [...lists].map(([key, items]) => {
      const list: PValue = { kind: 'array', items, span: tree.span };
      // (entries without their ACL: one ACL of no id)
      if (key === 'AclEntries') return { key: 'NetworkAcls', keySpan: tree.span, value: { kind: 'array', span: tree.span, items: [{ kind: 'object', span: tree.span, entries: [{ key: 'Entries', keySpan: tree.span, value: list }] }] } };
      return { key, keySpan: tree.span, value: list };
    }),
  };
}

/**
 * Unwraps placebo (`data`) and botocore example (`input`/`output`) envelopes; a top-level array (or a stream of
 * values, which the reader gives as one) of whole responses (`jq -s . groups.json acls.json`, outputs appended to one
 * file) gives the payloads of each.
 */
export function apiPayloads(tree: PValue | undefined, nested = false): PValue[] {
  if (!tree) return [];
  const whole = tree.kind === 'array' && !nested ? tree.items.flatMap((i) => (i.kind === 'object' && !listKeyOf(i) ? apiPayloads(i, true) : [])) : [];
  tree = asResponse(tree);
  if (tree.kind !== 'object') return whole;
  const out: PValue[] = [tree, ...whole];
  for (const k of ['data', 'input', 'output']) {
    const v = get(tree, k);
    if (v?.kind === 'object') out.push(v);
  }
  return out;
}

const API_KEYS = ['SecurityGroups', 'SecurityGroupRules', 'NetworkAcls', 'PrefixLists', 'Entries', 'IpPermissions', 'IpPermissionsEgress', 'SecurityGroupForVpcs'];
// (Reservations / NetworkInterfaces alone are not firewalls; they only add targets and NACL ties.)

export function looksLikeApi(tree: PValue | undefined): boolean {
  return apiPayloads(tree).some((p) => API_KEYS.some((k) => get(p, k) !== undefined));
}

function tagName(tags: PValue | undefined): string | undefined {
  for (const t of items(tags)) if (str(get(t, 'Key')) === 'Name') return str(get(t, 'Value'));
  return undefined;
}

function ipPermission(perm: PValue, dir: 'ingress' | 'egress'): PermInput {
  const sources: SourceInput[] = [];
  const described = (r: PValue, src: SourceInput): SourceInput => {
    const d = str(get(r, 'Description'));
    return d ? { ...src, description: d } : src;
  };
  for (const r of items(get(perm, 'IpRanges'))) {
    const c = get(r, 'CidrIp');
    if (c) sources.push(described(r, { kind: 'cidr', value: c }));
  }
  for (const r of items(get(perm, 'Ipv6Ranges'))) {
    const c = get(r, 'CidrIpv6');
    if (c) sources.push(described(r, { kind: 'cidr', value: c }));
  }
  for (const r of items(get(perm, 'PrefixListIds'))) {
    const id = get(r, 'PrefixListId');
    const s = str(id);
    if (s) sources.push(described(r, { kind: 'principal', name: s, span: id!.span }));
  }
  for (const r of items(get(perm, 'UserIdGroupPairs'))) {
    const id = get(r, 'GroupId') ?? get(r, 'GroupName');
    const s = str(id);
    if (s) sources.push(described(r, { kind: 'principal', name: s, span: id!.span }));
  }
  const p: PermInput = { dir, protocol: get(perm, 'IpProtocol'), fromPort: get(perm, 'FromPort'), toPort: get(perm, 'ToPort'), sources, span: perm.span };
  return p;
}

/** One security-group-rule (describe-security-group-rules) → a permission. */
function sgRule(r: PValue): { groupId: string | undefined; perm: PermInput } {
  const egress = get(r, 'IsEgress');
  const dir = egress?.kind === 'scalar' && egress.value === true ? 'egress' : 'ingress';
  const sources: SourceInput[] = [];
  for (const k of ['CidrIpv4', 'CidrIpv6']) {
    const c = get(r, k);
    if (c) sources.push({ kind: 'cidr', value: c });
  }
  const pl = get(r, 'PrefixListId');
  if (str(pl)) sources.push({ kind: 'principal', name: str(pl)!, span: pl!.span });
  const ref = get(get(r, 'ReferencedGroupInfo'), 'GroupId');
  if (str(ref)) sources.push({ kind: 'principal', name: str(ref)!, span: ref!.span });
  const perm: PermInput = { dir, protocol: get(r, 'IpProtocol'), fromPort: get(r, 'FromPort'), toPort: get(r, 'ToPort'), sources, span: r.span };
  const d = str(get(r, 'Description'));
  if (d) perm.description = d;
  return { groupId: str(get(r, 'GroupId')), perm };
}

/**
 * The `*` rule every network ACL ends with, as describe-network-acls lists it (rule 32767 for IPv4, 32768 for
 * IPv6, deny all): it is the chain's drop policy already. Read as a rule it was reported as shadowed whenever an
 * earlier rule allows everything, on a rule users cannot change (rule numbers 1-32766 are theirs).
 */
function isStarRule(e: PValue): boolean {
  const n = get(e, 'RuleNumber');
  const num = n?.kind === 'scalar' ? Number(n.value) : NaN;
  const cidr = str(get(e, 'CidrBlock')) ?? str(get(e, 'Ipv6CidrBlock'));
  return (num === 32767 || num === 32768) && str(get(e, 'RuleAction')) === 'deny' && String(get(e, 'Protocol')?.kind === 'scalar' ? (get(e, 'Protocol') as { value: unknown }).value : '') === '-1' && (cidr === '0.0.0.0/0' || cidr === '::/0');
}

function naclEntry(e: PValue): NaclEntryInput {
  const eg = get(e, 'Egress');
  const range = get(e, 'PortRange');
  const icmp = get(e, 'IcmpTypeCode');
  const out: NaclEntryInput = {
    egress: eg?.kind === 'scalar' && (eg.value === true || eg.value === 'true'),
    ruleNumber: get(e, 'RuleNumber'),
    action: get(e, 'RuleAction'),
    protocol: get(e, 'Protocol'),
    fromPort: get(range, 'From'),
    toPort: get(range, 'To'),
    cidr: get(e, 'CidrBlock'),
    cidr6: get(e, 'Ipv6CidrBlock'),
    span: e.span,
  };
  if (icmp) {
    out.icmpType = get(icmp, 'Type');
    out.icmpCode = get(icmp, 'Code');
  }
  return out;
}

export function mapApi(tree: PValue, ctx: AwsContext, fileName = ''): Ruleset[] {
  const rulesets: Ruleset[] = [];
  const payloads = apiPayloads(tree);
  const acls = new Map<string, NaclInput>();
  const attached = new Map<string, { owners: string[]; subnets: Set<string> }>();
  const ruleGroups = new Map<string, { ingress: Rule[]; egress: Rule[]; span: Span }>();
  // Prefix lists first, so references resolve.
  for (const p of payloads) {
    for (const pl of items(get(p, 'PrefixLists'))) {
      const id = str(get(pl, 'PrefixListId'));
      const entries = get(pl, 'Entries');
      if (id && entries) ctx.prefixLists.set(id, { cidrs: items(entries).map((x) => str(get(x, 'Cidr')) ?? '').filter((x) => x) });
      // describe-prefix-lists (the AWS-managed service lists, com.amazonaws.<region>.s3): their `Cidrs`
      const cidrs = get(pl, 'Cidrs');
      if (id && !entries && cidrs?.kind === 'array') ctx.prefixLists.set(id, { cidrs: cidrs.items.map((x) => str(x) ?? '').filter((x) => x) });
    }
    const single = str(get(p, 'PrefixListId'));
    const entries = get(p, 'Entries');
    if (single && entries?.kind === 'array') ctx.prefixLists.set(single, { cidrs: entries.items.map((x) => str(get(x, 'Cidr')) ?? '').filter((x) => x) });
  }
  for (const p of payloads) {
    for (const sg of items(get(p, 'SecurityGroups'))) {
      if (sg.kind !== 'object') continue;
      const id = str(get(sg, 'GroupId'));
      const name = str(get(sg, 'GroupName'));
      const tag = tagName(get(sg, 'Tags'));
      const ingress = items(get(sg, 'IpPermissions')).flatMap((x) => permRules(ipPermission(x, 'ingress'), ctx));
      const egress = items(get(sg, 'IpPermissionsEgress')).flatMap((x) => permRules(ipPermission(x, 'egress'), ctx));
      rulesets.push(sgRuleset({ name: sgName(id, name, 'security group'), targets: [id ?? '', name ?? '', tag ?? ''], span: sg.span, ingress, egress }));
    }
    for (const r of items(get(p, 'SecurityGroupRules'))) {
      const { groupId, perm } = sgRule(r);
      const key = groupId ?? '(unknown group)';
      let g = ruleGroups.get(key);
      if (!g) ruleGroups.set(key, (g = { ingress: [], egress: [], span: r.span }));
      else g.span = spanJoin(g.span, r.span);
      (perm.dir === 'ingress' ? g.ingress : g.egress).push(...permRules(perm, ctx));
    }
    // authorize-security-group-ingress/egress request (botocore examples): GroupId + IpPermissions.
    const inPerms = get(p, 'IpPermissions');
    if (inPerms && get(p, 'SecurityGroups') === undefined) {
      const id = str(get(p, 'GroupId')) ?? str(get(p, 'GroupName'));
      // The shape does not say which direction the request is; the operation name in the file name does.
      const dir = /egress/i.test(fileName) ? 'egress' : 'ingress';
      const rules = items(inPerms).flatMap((x) => permRules(ipPermission(x, dir), ctx));
      rulesets.push(sgRuleset({ name: id ?? 'security group', targets: [id ?? ''], span: p.span, ingress: dir === 'ingress' ? rules : [], egress: dir === 'egress' ? rules : [] }));
    }
    for (const acl of items(get(p, 'NetworkAcls'))) {
      if (acl.kind !== 'object') continue;
      const id = str(get(acl, 'NetworkAclId'));
      const entries = items(get(acl, 'Entries')).filter((e) => !isStarRule(e)).map(naclEntry);
      const subnets = items(get(acl, 'Associations')).map((a) => str(get(a, 'SubnetId')) ?? '');
      const tag = tagName(get(acl, 'Tags'));
      const nacl = { name: sgName(id, tag, 'network ACL'), span: acl.span, entries };
      rulesets.push(naclRulesetOf({ ...nacl, targets: [id ?? '', tag ?? '', ...subnets] }, ctx));
      for (const s of subnets) if (s) acls.set(s, nacl);
    }
    // describe-instances / describe-network-interfaces in the same input: who uses each group, in which subnet.
    const attach = (owner: string | undefined, subnet: string | undefined, groups: PValue | undefined): void => {
      for (const g of items(groups)) {
        const gid = str(get(g, 'GroupId'));
        if (!gid || !owner) continue;
        let a = attached.get(gid);
        if (!a) attached.set(gid, (a = { owners: [], subnets: new Set() }));
        a.owners.push(owner);
        a.subnets.add(subnet ?? '?');
      }
    };
    const instances = [...items(get(p, 'Instances')), ...items(get(p, 'Reservations')).flatMap((r) => items(get(r, 'Instances')))];
    for (const inst of instances) {
      const iid = str(get(inst, 'InstanceId'));
      attach(iid, str(get(inst, 'SubnetId')), get(inst, 'SecurityGroups'));
      for (const ni of items(get(inst, 'NetworkInterfaces'))) attach(iid, str(get(ni, 'SubnetId')), get(ni, 'Groups'));
      // its Name tag (the host name deployments are declared on: `targets: [mft01]`) is a target of its groups too
      const tag = iid ? tagName(get(inst, 'Tags')) : undefined;
      if (tag) attach(tag, str(get(inst, 'SubnetId')), get(inst, 'SecurityGroups'));
    }
    for (const ni of items(get(p, 'NetworkInterfaces'))) attach(str(get(ni, 'NetworkInterfaceId')), str(get(ni, 'SubnetId')), get(ni, 'Groups'));
  }
  // (the rules of one group may come in several pages of describe-security-group-rules: one ruleset)
  for (const [id, g] of ruleGroups) rulesets.push(sgRuleset({ name: id, targets: [id], span: g.span, ingress: g.ingress, egress: g.egress }));
  // Groups: attached instances/ENIs become targets; a NACL holding every attached subnet joins the group's ruleset.
  for (const rs of rulesets) {
    if (rs.tables[0]?.name !== 'security-group') continue;
    const gid = rs.targets[0];
    const a = gid ? attached.get(gid) : undefined;
    if (!a) continue;
    rs.targets = [...new Set([...rs.targets, ...a.owners])];
    const names = new Set([...a.subnets].map((s) => acls.get(s)?.name ?? '?'));
    const acl = names.size === 1 && !names.has('?') ? acls.get([...a.subnets][0]!) : undefined;
    if (acl) rs.tables.push(naclTable(naclChains(acl, ctx)));
  }
  return rulesets;
}
