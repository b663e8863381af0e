/**
 * Terraform AWS resources (from evaluated HCL or plan JSON) → rulesets:
 * aws_security_group / aws_default_security_group (inline ingress/egress, also
 * from `dynamic` blocks), aws_security_group_rule, aws_vpc_security_group_
 * ingress_rule / egress_rule (attached to their group by `security_group_id`),
 * aws_network_acl / aws_default_network_acl (inline) and aws_network_acl_rule.
 */
import type { Diagnostic, Match, Rule, Ruleset, Span } from '../../model/index.js';
import { get, items, storedText, str, withEntries, withItems, type PObject, type PValue } from '../values.js';
import type { TfResource } from '../terraform/index.js';
import { AwsContext, awsProtocol, groupRuleset, naclRulesetOf, permRules, sgName, type NaclEntryInput, type PermInput, type SgDraft, type SourceInput } from './core.js';

const SG_TYPES = new Set(['aws_security_group', 'aws_default_security_group']);
const ACL_TYPES = new Set(['aws_network_acl', 'aws_default_network_acl']);

/** `aws_security_group.web.id`, `aws_security_group.web[0].id` → `aws_security_group.web` / `…web[0]`. */
function refAddress(text: string): { address: string; base: string } | undefined {
  const t = text.trim();
  let i = 0;
  const mod: string[] = [];
  // Optional module prefix: module.name.
  while (t.startsWith('module.', i)) {
    const dot = t.indexOf('.', i + 7);
    if (dot < 0) return undefined;
    mod.push(t.slice(i, dot));
    i = dot + 1;
  }
  const dot1 = t.indexOf('.', i);
  if (dot1 < 0) return undefined;
  const type = t.slice(i, dot1);
  if (!/^aws_[a-z0-9_]+$/.test(type)) return undefined;
  let j = dot1 + 1;
  const nameStart = j;
  while (j < t.length && /[A-Za-z0-9_-]/.test(t[j]!)) j++;
  const name = t.slice(nameStart, j);
  if (!name) return undefined;
  let index = '';
  if (t[j] === '[') {
    const close = t.indexOf(']', j);
    if (close < 0) return undefined;
    index = t.slice(j, close + 1);
    j = close + 1;
  }
  const rest = t.slice(j);
  if (rest !== '' && rest !== '.id' && rest !== '.arn' && rest !== '.name') return undefined;
  const base = [...mod, `${type}.${name}`].join('.');
  return { address: base + index, base };
}

/** A subnet reference as a comparable key: `aws_subnet.a` or a literal `subnet-…`. */
function subnetKey(v: PValue): string | undefined {
  if (v.kind === 'scalar') return v.value === null || v.value === '' ? undefined : String(v.value);
  if (v.kind === 'expr') return refAddress(v.text)?.address ?? v.text;
  return undefined;
}

function markers(body: PObject, ctx: AwsContext): Match[] {
  const out: Match[] = [];
  for (const k of ['count', 'for_each']) {
    const v = get(body, k);
    if (v?.kind === 'expr') out.push(ctx.unresolved(`${k} = ${v.text}`, v.span, `${k} is not known statically: the rule may exist zero or more times`));
  }
  return out;
}

/** Whether the resource's count or for_each is not known (it may exist zero or more times); said by `markers`. */
function countUnknown(body: PObject): boolean {
  return ['count', 'for_each'].some((k) => get(body, k)?.kind === 'expr');
}

/** Inline rule blocks (HCL blocks, attribute lists, plan JSON arrays); an unknown list → its expression. */
function ruleBlocks(body: PObject, key: string): { blocks: PObject[]; unknown: PValue[] } {
  const blocks: PObject[] = [];
  const unknown: PValue[] = [];
  for (const e of body.entries) {
    if (e.key !== key) continue;
    for (const v of items(e.value)) {
      if (v.kind === 'object') blocks.push(v);
      else if (v.kind === 'expr') unknown.push(v);
    }
  }
  return { blocks, unknown };
}

function nonEmpty(v: PValue | undefined): v is PValue {
  return v !== undefined && !(v.kind === 'scalar' && (v.value === null || v.value === '')) && !(v.kind === 'array' && v.items.length === 0);
}

/** A rule's protocol and ports as one comparable key (`6|22-22`, `-1|` for all; ICMP type and code in the ports). */
function permKey(protocol: PValue | undefined, from: PValue | undefined, to: PValue | undefined): string {
  const p = awsProtocol(protocol);
  return p === 'all' ? 'all|' : `${p}|${storedText(from)}-${storedText(to)}`;
}

/**
 * The permissions the standalone security group rules give, by the group id they name: `ingress|6|22-22|cidr:10.0.0.0/8`.
 * A stored group's `ingress`/`egress` list every rule the group had when last read, these too (the aws provider's
 * read adds the group's rules no in-line block matched, "rules added externally to Terraform"), so each of them is
 * there twice, and the group's copy read as a rule of its own made the standalone rule "change nothing".
 */
function standaloneGrants(resources: TfResource[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (group: string, key: string): void => {
    let set = out.get(group);
    if (!set) out.set(group, (set = new Set()));
    set.add(key);
  };
  for (const r of resources) {
    const b = r.body;
    const group = get(b, 'security_group_id');
    if (group?.kind !== 'scalar' || typeof group.value !== 'string') continue;
    const own = group.value;
    const source = (kind: string, v: PValue): string | undefined => {
      if (v.kind !== 'scalar' || typeof v.value !== 'string' || v.value === '') return undefined;
      return kind === 'sg' && v.value === own ? 'self' : `${kind}:${v.value}`;
    };
    if (r.type === 'aws_security_group_rule') {
      const dir = str(get(b, 'type'));
      if (dir !== 'ingress' && dir !== 'egress') continue;
      const pk = `${dir}|${permKey(get(b, 'protocol'), get(b, 'from_port'), get(b, 'to_port'))}`;
      for (const [k, kind] of [['cidr_blocks', 'cidr'], ['ipv6_cidr_blocks', 'cidr6'], ['prefix_list_ids', 'pl'], ['source_security_group_id', 'sg']] as const) {
        for (const v of items(get(b, k))) {
          const s = source(kind, v);
          if (s) add(own, `${pk}|${s}`);
        }
      }
      const self = get(b, 'self');
      if (self?.kind === 'scalar' && self.value === true) add(own, `${pk}|self`);
    } else if (r.type === 'aws_vpc_security_group_ingress_rule' || r.type === 'aws_vpc_security_group_egress_rule') {
      const pk = `${r.type.includes('ingress') ? 'ingress' : 'egress'}|${permKey(get(b, 'ip_protocol'), get(b, 'from_port'), get(b, 'to_port'))}`;
      for (const [k, kind] of [['cidr_ipv4', 'cidr'], ['cidr_ipv6', 'cidr6'], ['prefix_list_id', 'pl'], ['referenced_security_group_id', 'sg']] as const) {
        const v = get(b, k);
        const s = v ? source(kind, v) : undefined;
        if (s) add(own, `${pk}|${s}`);
      }
    }
  }
  return out;
}

/**
 * A stored group's in-line rule without the sources a standalone rule of the same state gives on the same protocol
 * and ports (they stay, with that rule); undefined when none is left. Sound: the union of the group's rules is the same.
 */
function withoutStandalone(blk: PObject, dir: string, grants: Set<string>): PObject | undefined {
  const pk = `${dir}|${permKey(get(blk, 'protocol'), get(blk, 'from_port'), get(blk, 'to_port'))}`;
  const kinds: Record<string, string> = { cidr_blocks: 'cidr', ipv6_cidr_blocks: 'cidr6', prefix_list_ids: 'pl', security_groups: 'sg' };
  let left = 0;
  let changed = false;
  const entries = blk.entries.map((e) => {
    const kind = kinds[e.key];
    if (kind && e.value.kind === 'array') {
      const kept = e.value.items.filter((v) => !(v.kind === 'scalar' && typeof v.value === 'string' && grants.has(`${pk}|${kind}:${v.value}`)));
      left += kept.length;
      if (kept.length === e.value.items.length) return e;
      changed = true;
      return { key: e.key, keySpan: e.keySpan, value: withItems(e.value, kept) };
    }
    if (e.key === 'self' && e.value.kind === 'scalar' && e.value.value === true) {
      if (!grants.has(`${pk}|self`)) {
        left++;
        return e;
      }
      changed = true;
      return { key: e.key, keySpan: e.keySpan, value: { kind: 'scalar' as const, value: false, span: e.value.span } };
    }
    if (kind && e.value.kind === 'expr') left++;
    return e;
  });
  if (!changed) return blk;
  return left > 0 ? withEntries(blk, entries) : undefined;
}

/**
 * Whether a stored network ACL's entry (`rule_no`, `action`) and a standalone aws_network_acl_rule (`rule_number`,
 * `rule_action`) of the same number say the same: the ACL's list holds every entry it had when last read (the aws
 * provider's read lists them all but the default ones), the standalone rule's too.
 */
function sameAclEntry(inline: PObject, standalone: PObject): boolean {
  const p = awsProtocol(get(inline, 'protocol'));
  if (p !== awsProtocol(get(standalone, 'protocol')) || storedText(get(inline, 'action')) !== storedText(get(standalone, 'rule_action'))) return false;
  const keys = ['cidr_block', 'ipv6_cidr_block', ...(p === 'all' ? [] : p === 1 || p === 58 ? ['icmp_type', 'icmp_code'] : ['from_port', 'to_port'])];
  return keys.every((k) => storedText(get(inline, k)) === storedText(get(standalone, k)));
}

export function mapAwsTerraform(resources: TfResource[]): { rulesets: Ruleset[]; diagnostics: Diagnostic[] } {
  const ctx = new AwsContext();
  const groups = new Map<string, SgDraft>();
  const byBase = new Map<string, string[]>();
  const byId = new Map<string, string>();
  const order: string[] = [];

  /** Principal name of a group reference: the address of a group in this input, a literal id, or the text. */
  const principalName = (v: PValue): string | undefined => {
    if (v.kind === 'scalar') return v.value === null || v.value === '' ? undefined : String(v.value);
    if (v.kind === 'expr') {
      const r = refAddress(v.text);
      return r ? (groups.has(r.address) ? r.address : r.base) : v.text;
    }
    return undefined;
  };

  const groupsFor = (ref: PValue | undefined, span: Span): SgDraft[] => {
    let key: string | undefined;
    if (ref?.kind === 'scalar' && ref.value !== null) {
      const s = String(ref.value);
      key = byId.get(s) ?? s;
    } else if (ref?.kind === 'expr') {
      const r = refAddress(ref.text);
      if (r && groups.has(r.address)) key = r.address;
      else if (r && byBase.has(r.base)) {
        // `aws_security_group.x[count.index]` and the like: every instance (over-approximation, sound).
        return byBase.get(r.base)!.map((a) => groups.get(a)!);
      } else key = r ? r.address : ref.text; // a group of another file of the module: named by its address, as there
    }
    key ??= '(unknown security group)';
    let g = groups.get(key);
    if (!g) {
      groups.set(key, (g = { name: key, targets: [key], span, ingress: [], egress: [] }));
      order.push(key);
    }
    return [g];
  };

  // Managed prefix lists of this input whose entries are all known (in-line `entry` blocks, and the standalone
  // aws_ec2_managed_prefix_list_entry resources naming them): a rule naming one (`prefix_list_ids =
  // [aws_ec2_managed_prefix_list.office.id]`) reads its CIDRs, as CloudFormation's AWS::EC2::PrefixList is read. It was
  // an opaque name, so a list holding 0.0.0.0/0 was never "the whole internet". An entry whose CIDR or list is not known
  // leaves the lists it may belong to as names.
  const prefixLists = new Map<string, string[] | undefined>();
  for (const r of resources) {
    if (r.type !== 'aws_ec2_managed_prefix_list' || countUnknown(r.body)) continue;
    const { blocks, unknown } = ruleBlocks(r.body, 'entry');
    const cidrs = blocks.map((e) => get(e, 'cidr'));
    const known = unknown.length === 0 && cidrs.every((c) => c?.kind === 'scalar' && typeof c.value === 'string');
    prefixLists.set(r.address, known ? cidrs.map((c) => String((c as { value: unknown }).value)) : undefined);
  }
  for (const r of resources) {
    if (r.type !== 'aws_ec2_managed_prefix_list_entry') continue;
    const list = get(r.body, 'prefix_list_id');
    const cidr = get(r.body, 'cidr');
    const address = list?.kind === 'expr' && /\.id\s*$/.test(list.text) ? refAddress(list.text)?.address : undefined;
    // (a literal pl- id names a list created elsewhere: ids are generated)
    const targets = list?.kind === 'scalar' ? [] : address !== undefined ? [address] : [...prefixLists.keys()];
    for (const t of targets) {
      const cidrs = prefixLists.get(t);
      if (!cidrs) continue;
      if (address !== undefined && !countUnknown(r.body) && cidr?.kind === 'scalar' && typeof cidr.value === 'string') cidrs.push(cidr.value);
      else prefixLists.set(t, undefined);
    }
  }
  const prefixListOf = (text: string): string[] | undefined => {
    const a = /\.id\s*$/.test(text) ? refAddress(text)?.address : undefined;
    return a === undefined ? undefined : prefixLists.get(a);
  };

  const sources = (b: PObject, cidrKeys: string[], plKeys: string[], sgKeys: string[]): SourceInput[] => {
    const out: SourceInput[] = [];
    for (const k of cidrKeys) {
      const v = get(b, k);
      // cidr_blocks / cidr_ipv4 take IPv4 CIDRs only, ipv6_cidr_blocks / cidr_ipv6 IPv6 only
      if (nonEmpty(v)) out.push({ kind: 'cidr', value: v, family: /ipv6/.test(k) ? 'ipv6' : 'ipv4' });
    }
    for (const k of plKeys) {
      for (const v of items(get(b, k))) {
        const n = v.kind === 'scalar' ? (v.value === null || v.value === '' ? undefined : String(v.value)) : v.kind === 'expr' ? v.text : undefined;
        const cidrs = v.kind === 'expr' ? prefixListOf(v.text) : undefined;
        // (read as those addresses by the shared mapping: AwsContext.prefixLists)
        if (n && cidrs) ctx.prefixLists.set(n, { cidrs });
        if (n) out.push({ kind: 'principal', name: n, span: v.span });
      }
    }
    for (const k of sgKeys) {
      for (const v of items(get(b, k))) {
        const n = principalName(v);
        if (n) out.push({ kind: 'principal', name: n, span: v.span });
      }
    }
    const self = get(b, 'self');
    if (self?.kind === 'scalar' && (self.value === true || self.value === 'true')) out.push({ kind: 'principal', name: 'self', span: self.span });
    else if (self?.kind === 'expr') out.push({ kind: 'principal', name: 'self', span: self.span });
    return out;
  };

  const inlinePerm = (b: PObject, dir: 'ingress' | 'egress', extra: Match[]): Rule[] => {
    const m = [...extra, ...markers(b, ctx)];
    const self = get(b, 'self');
    if (self?.kind === 'expr') m.push(ctx.unresolved(`self = ${self.text}`, self.span, 'whether the group itself is a source is not known statically'));
    const p: PermInput = {
      dir,
      protocol: get(b, 'protocol'),
      fromPort: get(b, 'from_port'),
      toPort: get(b, 'to_port'),
      sources: sources(b, ['cidr_blocks', 'ipv6_cidr_blocks'], ['prefix_list_ids'], ['security_groups']),
      span: b.span,
    };
    if (m.length) p.extra = m;
    const d = str(get(b, 'description'));
    if (d) p.description = d;
    return permRules(p, ctx);
  };

  const unknownList = (v: PValue, dir: 'ingress' | 'egress', extra: Match[]): Rule => ({
    id: ctx.nextId(),
    matches: [ctx.unresolved(v.kind === 'expr' ? v.text : '?', v.span, `the ${dir} rules are not known statically`), ...extra],
    action: { kind: 'accept' },
    span: v.span,
    text: `${dir} ${v.kind === 'expr' ? v.text : '?'}`,
  });

  // 1. Groups with their inline rules.
  const grants = standaloneGrants(resources);
  for (const r of resources) {
    if (!SG_TYPES.has(r.type)) continue;
    const b = r.body;
    const extra = markers(b, ctx);
    const id = str(get(b, 'id'));
    const mirrored = r.stored && id ? grants.get(id) : undefined;
    const name = str(get(b, 'name')) ?? str(get(b, 'name_prefix'));
    const tag = str(get(get(b, 'tags'), 'Name'));
    const g: SgDraft = { name: sgName(id, name, r.address), targets: [r.address, id ?? '', name ?? '', tag ?? ''], span: r.span, ingress: [], egress: [] };
    if (!id) g.name = name ? `${r.address} (${name})` : r.address;
    for (const dir of ['ingress', 'egress'] as const) {
      const { blocks, unknown } = ruleBlocks(b, dir);
      for (const whole of blocks) {
        const blk = mirrored ? withoutStandalone(whole, dir, mirrored) : whole;
        if (blk) (dir === 'ingress' ? g.ingress : g.egress).push(...inlinePerm(blk, dir, extra));
      }
      for (const u of unknown) (dir === 'ingress' ? g.ingress : g.egress).push(unknownList(u, dir, extra));
    }
    groups.set(r.address, g);
    order.push(r.address);
    const base = r.address.replace(/\[[^\]]*\]$/, '');
    const list = byBase.get(base);
    if (list) list.push(r.address);
    else byBase.set(base, [r.address]);
    if (id) byId.set(id, r.address);
  }

  // 2. Standalone rules.
  /** A standalone rule resource: its permission joins the group(s) its `security_group_id` names. */
  const addStandalone = (b: PObject, span: Span, dir: 'ingress' | 'egress', protocolKey: string, keys: [string[], string[], string[]], extra: Match[]): void => {
    const p: PermInput = { dir, protocol: get(b, protocolKey), fromPort: get(b, 'from_port'), toPort: get(b, 'to_port'), sources: sources(b, ...keys), span };
    if (extra.length) p.extra = extra;
    const d = str(get(b, 'description'));
    if (d) p.description = d;
    for (const g of groupsFor(get(b, 'security_group_id'), span)) (dir === 'ingress' ? g.ingress : g.egress).push(...permRules(p, ctx));
  };
  for (const r of resources) {
    const b = r.body;
    if (r.type === 'aws_security_group_rule') {
      const typeV = get(b, 'type');
      const t = str(typeV);
      const extra = markers(b, ctx);
      const dirs: ('ingress' | 'egress')[] = t === 'ingress' || t === 'egress' ? [t] : ['ingress', 'egress'];
      if (dirs.length === 2) extra.push(ctx.unresolved(`type = ${typeV?.kind === 'expr' ? typeV.text : String(t)}`, typeV?.span ?? r.span, 'the direction of the rule is not known statically'));
      const self = get(b, 'self');
      if (self?.kind === 'expr') extra.push(ctx.unresolved(`self = ${self.text}`, self.span, 'whether the group itself is a source is not known statically'));
      for (const dir of dirs) addStandalone(b, r.span, dir, 'protocol', [['cidr_blocks', 'ipv6_cidr_blocks'], ['prefix_list_ids'], ['source_security_group_id']], extra);
    } else if (r.type === 'aws_vpc_security_group_ingress_rule' || r.type === 'aws_vpc_security_group_egress_rule') {
      const dir = r.type.includes('ingress') ? 'ingress' : 'egress';
      addStandalone(b, r.span, dir, 'ip_protocol', [['cidr_ipv4', 'cidr_ipv6'], ['prefix_list_id'], ['referenced_security_group_id']], markers(b, ctx));
    }
  }

  // 3. Attachments: instances, interfaces, launch templates name their groups (and, for the NACL tie, their subnet).
  const attachedSubnets = new Map<string, Set<string>>();
  for (const r of resources) {
    if (SG_TYPES.has(r.type)) continue;
    for (const k of ['vpc_security_group_ids', 'security_groups']) {
      for (const v of items(get(r.body, k))) {
        let key: string | undefined;
        if (v.kind === 'scalar' && typeof v.value === 'string') key = byId.get(v.value);
        else if (v.kind === 'expr') {
          const ref = refAddress(v.text);
          key = ref && (groups.has(ref.address) ? ref.address : byBase.get(ref.base)?.[0]);
        }
        const g = key ? groups.get(key) : undefined;
        if (g) {
          g.targets.push(r.address);
          const subnet = get(r.body, 'subnet_id');
          const sk = subnet ? subnetKey(subnet) : undefined;
          let set = attachedSubnets.get(key!);
          if (!set) attachedSubnets.set(key!, (set = new Set()));
          set.add(sk ?? '?');
        }
      }
    }
  }

  // Any other use of a group (a launch template's network_interfaces, vpc_config.security_group_ids of EKS or Lambda,
  // an endpoint's security_group_ids, aws_network_interface_sg_attachment …) may be in a subnet the NACL of the
  // instances' subnet does not filter: no NACL is then in front of every use of the group (subnet unknown, '?').
  for (const r of resources) {
    if (SG_TYPES.has(r.type) || r.type === 'aws_security_group_rule' || r.type === 'aws_vpc_security_group_ingress_rule' || r.type === 'aws_vpc_security_group_egress_rule') continue;
    const walk = (v: PValue, top: boolean, key: string): void => {
      if (top && (key === 'vpc_security_group_ids' || key === 'security_groups')) return; // read above, with their subnet
      if (v.kind === 'array') v.items.forEach((i) => walk(i, top, key));
      else if (v.kind === 'object') v.entries.forEach((e) => walk(e.value, false, e.key));
      else {
        let g: string | undefined;
        if (v.kind === 'scalar' && typeof v.value === 'string') g = byId.get(v.value);
        else if (v.kind === 'expr') {
          const ref = refAddress(v.text);
          g = ref && (groups.has(ref.address) ? ref.address : byBase.get(ref.base)?.[0]);
        }
        const set = g ? attachedSubnets.get(g) : undefined;
        if (set) set.add('?');
      }
    };
    r.body.entries.forEach((e) => walk(e.value, true, e.key));
  }

  // 4. Network ACLs.
  interface Acl {
    name: string;
    targets: string[];
    span: Span;
    entries: NaclEntryInput[];
  }
  const acls = new Map<string, Acl>();
  const aclEntry = (b: PObject, egress: boolean, span: Span, numberKey: string, actionKey: string, extra: Match[]): NaclEntryInput => {
    const e: NaclEntryInput = {
      egress,
      ruleNumber: get(b, numberKey),
      action: get(b, actionKey),
      protocol: get(b, 'protocol'),
      fromPort: get(b, 'from_port'),
      toPort: get(b, 'to_port'),
      cidr: get(b, 'cidr_block'),
      cidr6: get(b, 'ipv6_cidr_block'),
      span,
    };
    const it = get(b, 'icmp_type');
    const ic = get(b, 'icmp_code');
    if (it !== undefined || ic !== undefined) {
      e.icmpType = it;
      e.icmpCode = ic;
    }
    const m = [...extra, ...markers(b, ctx)];
    if (m.length) e.extra = m;
    return e;
  };
  // the network ACLs that list their rules in-line (`ingress`/`egress` written, even empty; a state's lists every
  // entry, see TfResource.stored: they say nothing of that)
  const inlineAcls = new Set<string>();
  // a state's network ACLs: their listed entries by direction and number, each with its block
  const storedEntries = new Map<string, Map<string, { entry: NaclEntryInput; block: PObject }>>();
  for (const r of resources) {
    if (!ACL_TYPES.has(r.type)) continue;
    const b = r.body;
    const extra = markers(b, ctx);
    const id = str(get(b, 'id'));
    const tag = str(get(get(b, 'tags'), 'Name'));
    const subnets = items(get(b, 'subnet_ids')).map((s) => (s.kind === 'scalar' ? String(s.value) : s.kind === 'expr' ? s.text : ''));
    const acl: Acl = { name: id ? `${id} (${r.address})` : r.address, targets: [r.address, id ?? '', tag ?? '', ...subnets], span: r.span, entries: [] };
    const listed = r.stored ? new Map<string, { entry: NaclEntryInput; block: PObject }>() : undefined;
    for (const dir of ['ingress', 'egress'] as const) {
      const { blocks, unknown } = ruleBlocks(b, dir);
      for (const blk of blocks) {
        const entry = aclEntry(blk, dir === 'egress', blk.span, 'rule_no', 'action', extra);
        acl.entries.push(entry);
        listed?.set(`${dir}|${storedText(get(blk, 'rule_no'))}`, { entry, block: blk });
      }
      for (const u of unknown) {
        // Unknown rule list: an entry of unknown number and action (sorted first, undecidable verdict).
        acl.entries.push({ egress: dir === 'egress', ruleNumber: undefined, action: u, protocol: { kind: 'scalar', value: '-1', span: u.span }, fromPort: undefined, toPort: undefined, cidr: u, cidr6: undefined, anyFamily: true, span: u.span, extra });
      }
    }
    acls.set(r.address, acl);
    if (listed) storedEntries.set(r.address, listed);
    else if (b.entries.some((e) => e.key === 'ingress' || e.key === 'egress')) inlineAcls.add(r.address);
    if (id) byId.set(id, r.address);
  }
  for (const r of resources) {
    if (r.type !== 'aws_network_acl_rule') continue;
    const b = r.body;
    const ref = get(b, 'network_acl_id');
    let key = '(unknown network ACL)';
    if (ref?.kind === 'scalar' && ref.value !== null) key = byId.get(String(ref.value)) ?? String(ref.value);
    else if (ref?.kind === 'expr') {
      const a = refAddress(ref.text);
      key = a && acls.has(a.address) ? a.address : a && acls.has(a.base) ? a.base : (a?.address ?? ref.text);
    }
    let acl = acls.get(key);
    if (!acl) acls.set(key, (acl = { name: key, targets: [key], span: r.span, entries: [] }));
    const eg = get(b, 'egress');
    const extra: Match[] = [];
    if (inlineAcls.has(key))
      // The aws provider: "you cannot use a Network ACL with in-line rules in conjunction with any Network ACL Rule
      // resources. Doing so will cause a conflict of rule settings and will overwrite rules" (aws_network_acl): each
      // apply of the ACL puts its in-line list back, removing this entry until its own resource adds it again. The
      // entry may be absent: a deny here closes nothing for certain, an allow is possibly open (as azurerm's NSGs).
      extra.push(ctx.unresolved(`${r.address} beside the in-line rules of ${key}`, ref?.span ?? r.span, 'the network ACL lists its rules in-line, which overwrites standalone rules on apply (aws: they cannot be mixed)'));
    if (eg?.kind === 'expr') extra.push(ctx.unresolved(`egress = ${eg.text}`, eg.span, 'the direction is not known statically'));
    const isEgress = eg?.kind === 'scalar' && (eg.value === true || eg.value === 'true');
    // a state's ACL lists this entry too when it was there at its last read: one entry, read once (here, with its
    // resource). Listed differently under its number, one of the two copies is stale: this one may be absent.
    const listed = eg?.kind !== 'expr' ? storedEntries.get(key) : undefined;
    const numberKey = `${isEgress ? 'egress' : 'ingress'}|${storedText(get(b, 'rule_number'))}`;
    const copy = listed?.get(numberKey);
    if (copy && sameAclEntry(copy.block, b)) {
      acl.entries.splice(acl.entries.indexOf(copy.entry), 1);
      listed!.delete(numberKey);
    } else if (copy) extra.push(ctx.unresolved(`${r.address} beside entry ${storedText(get(b, 'rule_number'))} of ${key}`, get(b, 'rule_number')?.span ?? r.span, 'the state lists another entry of this number in the network ACL: one of the two copies is stale'));
    acl.entries.push(aclEntry(b, isEgress, r.span, 'rule_number', 'rule_action', extra));
    if (eg?.kind === 'expr') acl.entries.push(aclEntry(b, !isEgress, r.span, 'rule_number', 'rule_action', extra));
  }

  // 5. Subnet → network ACL (inline subnet_ids, aws_network_acl_association).
  const aclOfSubnet = new Map<string, string>();
  for (const r of resources) {
    if (ACL_TYPES.has(r.type)) for (const s of items(get(r.body, 'subnet_ids'))) {
      const k = subnetKey(s);
      if (k) aclOfSubnet.set(k, r.address);
    }
  }
  for (const r of resources) {
    if (r.type !== 'aws_network_acl_association') continue;
    const s = get(r.body, 'subnet_id');
    const a = get(r.body, 'network_acl_id');
    const k = s ? subnetKey(s) : undefined;
    const ak = a?.kind === 'expr' ? refAddress(a.text)?.address : a?.kind === 'scalar' ? byId.get(String(a.value)) : undefined;
    if (k && ak && acls.has(ak)) aclOfSubnet.set(k, ak);
  }

  const rulesets: Ruleset[] = [];
  for (const key of order) {
    rulesets.push(groupRuleset(groups.get(key)!, attachedSubnets.get(key), aclOfSubnet, acls, ctx));
  }
  for (const a of acls.values()) rulesets.push(naclRulesetOf(a, ctx));
  return { rulesets, diagnostics: ctx.diagnostics };
}
