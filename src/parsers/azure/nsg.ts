/**
 * Azure network security groups → common model.
 *
 * Readers (az CLI / ARM REST JSON, ARM templates, Terraform) produce `NsgSpec`s
 * whose rule fields are positioned values (ARM expressions already resolved
 * where literal, `PExpr` otherwise); `compileNsg` orders the rules by priority
 * (first match), appends the default rules when the input does not list them,
 * and builds one ruleset per NSG: `Inbound` on hook input, `Outbound` on output.
 */
import {
  AddrSet,
  ANY_PRINCIPAL,
  numSetOf,
  parseCidr,
  type Chain,
  type Diagnostic,
  type Match,
  type NumSet,
  type Rule,
  type Ruleset,
  type Span,
  type Table,
} from '../../model/index.js';
import { familyOf, familySourceAlternatives, spanJoin } from '../../model/build.js';
import { within, type PValue } from '../values.js';
import { anyOf, chainOf, IdSource, isNullish, lastSegment, listOf, opaque, parsePortText, stableSortBy, tableOf, unionAll, valText, warnUnevaluated } from '../gcp/common.js';

export interface AzRuleSpec {
  name: string;
  /** The rule object. */
  span: Span;
  priority?: PValue;
  access?: PValue;
  direction?: PValue;
  protocol?: PValue;
  /** `sourcePortRange` and `sourcePortRanges` values (each may be a list or an expression). */
  srcPorts: PValue[];
  dstPorts: PValue[];
  srcPrefixes: PValue[];
  dstPrefixes: PValue[];
  /** Application security group references: ids (`…/applicationSecurityGroups/web`) or `{id}` objects. */
  srcAsgs: PValue[];
  dstAsgs: PValue[];
  description?: string;
  /** Extra conjuncts (unresolved ARM `condition`, Terraform `count`). */
  extra?: Match[];
  /** A built-in default rule (listed by the input or synthesized). */
  isDefault?: boolean;
  /** Not deployed (an ARM condition that is false): kept for linting, never evaluated. */
  disabled?: boolean;
}

export interface NsgSpec {
  name: string;
  span: Span;
  rules: AzRuleSpec[];
  /** `defaultSecurityRules` when the input lists them; otherwise the defaults are synthesized. */
  defaults?: AzRuleSpec[];
  /** Subnets, NICs and other names the NSG protects. */
  targets: string[];
  /** The rule list itself is not known (an expression, a copy loop): one unknown rule per direction. */
  unresolvedRules?: { text: string; span: Span }[];
  /** Defined elsewhere (only child rule resources are in the input). */
  external?: boolean;
}

/** Where a security rule's fields are in one input syntax (ARM / REST camelCase, Terraform snake_case). */
export interface AzRuleFields {
  srcPorts: string[];
  dstPorts: string[];
  srcPrefixes: string[];
  dstPrefixes: string[];
  srcAsgs: string[];
  dstAsgs: string[];
  priority: string;
  access: string;
  direction: string;
  protocol: string;
}

/** A rule spec from a field reader (`f` returns the resolved value of a field, undefined when absent). */
export function ruleSpecOf(name: string, span: Span, f: (key: string) => PValue | undefined, keys: AzRuleFields): AzRuleSpec {
  const present = (list: string[]): PValue[] => list.map(f).filter((v): v is PValue => v !== undefined);
  const r: AzRuleSpec = {
    name,
    span,
    srcPorts: present(keys.srcPorts),
    dstPorts: present(keys.dstPorts),
    srcPrefixes: present(keys.srcPrefixes),
    dstPrefixes: present(keys.dstPrefixes),
    srcAsgs: present(keys.srcAsgs),
    dstAsgs: present(keys.dstAsgs),
  };
  for (const k of ['priority', 'access', 'direction', 'protocol'] as const) {
    const v = f(keys[k]);
    if (v !== undefined) r[k] = v;
  }
  return r;
}

const ALL = AddrSet.ALL;

/** Name in a resource id ("…/applicationSecurityGroups/web") or an evaluated ARM resourceId ("resourceId:type|web"). */
function refLast(id: string): string {
  const bar = id.lastIndexOf('|');
  return bar >= 0 ? id.slice(bar + 1) : lastSegment(id);
}

/**
 * Addresses that are certainly in the `Internet` service tag: every IPv4 address but the private,
 * shared (RFC 6598), loopback, link-local and "this network" blocks and the Azure host address
 * 168.63.129.16 (which is in `VirtualNetwork`), and the IPv6 global unicast block 2000::/3. The tag is
 * "the IP address space that's outside the virtual network" (learn.microsoft.com/azure/virtual-network/
 * service-tags-overview), and the virtual network's address space, its peerings and on-premises prefixes
 * are not in the input: the other addresses may or may not be in it.
 */
const INTERNET_CERTAIN = (() => {
  const nonPublicV4 = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '168.63.129.16/32', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];
  const v4 = nonPublicV4.reduce((a, c) => a.subtract(parseCidr(c)!), AddrSet.ALL_V4);
  return v4.union(parseCidr('2000::/3')!);
})();
const INTERNET_UNCERTAIN = ALL.subtract(INTERNET_CERTAIN);

/**
 * The service tags of the default rules, by their lower-case names: ARM reads tag names whatever their case (it takes
 * `INTERNET`, MicrosoftDocs/azure-docs#1206), so `virtualnetwork` in a rule is the tag the defaults name `VirtualNetwork`,
 * one principal, not another one a Deny of it leaves open.
 */
const DEFAULT_TAGS = new Map([
  ['virtualnetwork', 'VirtualNetwork'],
  ['azureloadbalancer', 'AzureLoadBalancer'],
]);

/** Per parse (its diagnostics list), the first spelling of each other service tag and application security group. */
const spellings = new WeakMap<Diagnostic[], Map<string, string>>();

/**
 * A service tag or application security group as one principal whatever its case (ARM names and service tags are
 * case-insensitive): `Storage` in a subnet NSG and `storage` in its NIC's NSG were two principals, and no packet
 * passed both (the NIC reported closed). The default rules' tags keep their names; others their first spelling.
 */
function principalName(name: string, diagnostics: Diagnostic[]): string {
  const l = name.toLowerCase();
  const d = DEFAULT_TAGS.get(l);
  if (d) return d;
  let m = spellings.get(diagnostics);
  if (!m) spellings.set(diagnostics, (m = new Map()));
  const first = m.get(l);
  if (first !== undefined) return first;
  m.set(l, name);
  return name;
}

/**
 * Source or destination alternatives of a rule. `any` is set when the prefixes include `*` (Any): the
 * rule then matches every packet, service-tag and application-security-group traffic included, so no
 * match is needed. `Internet` in an allow is taken as every address (it may admit them all); in a deny
 * only its certain part (public addresses) is decided, the rest may or may not match — a deny must not
 * close what the virtual network's own addresses, which the tag excludes, may still reach.
 */
/** A service tag, `*` or `any`: not an IPv4/IPv6 address or range (what an address prefix list may hold). */
function tagLike(text: string): boolean {
  const t = text.trim();
  return t !== '' && !/^[0-9A-Fa-f:.]+(?:\/[0-9]{1,3})?$/.test(t);
}

function prefixMatches(values: PValue[], asgs: PValue[], dir: 'src' | 'dst', texts: string[], diagnostics: Diagnostic[], deny: boolean): { alts: Match[][]; any: boolean } {
  const sets: AddrSet[] = [];
  const names: string[] = [];
  const alts: Match[][] = [];
  let first: PValue | undefined;
  let last: PValue | undefined;
  let any = false;
  let internet: PValue | undefined;
  let internetAll = false;
  for (const v of values) {
    if (v.kind === 'expr') {
      texts.push(v.text);
      alts.push([opaque('unresolved', v.text, `the ${dir === 'src' ? 'source' : 'destination'} address prefix is not a literal`, v.span)]);
      continue;
    }
    for (const it of listOf(v)) {
      if (it.kind !== 'scalar') {
        texts.push(valText(it));
        alts.push([opaque('unresolved', valText(it), 'the address prefix is not a literal', it.span)]);
        continue;
      }
      const t = valText(it).trim();
      if (t === '') continue;
      texts.push(t);
      first ??= it;
      last = it;
      const l = t.toLowerCase();
      let a: AddrSet | undefined;
      if (l === '*' || l === 'any') {
        any = true;
        continue;
      }
      if (l === 'internet') {
        if (deny) {
          internet ??= it;
          continue;
        }
        internetAll = true;
        continue;
      } else a = parseCidr(t);
      if (a) sets.push(a);
      else if (/^[0-9./:]/.test(t) || t.includes('/')) {
        // Looks like an address but is not one: not a service tag either.
        diagnostics.push({ severity: 'error', code: 'azure/bad-prefix', message: `invalid address prefix "${t}"`, span: it.span });
        alts.push([opaque('unresolved', t, 'invalid address prefix', it.span)]);
      } else names.push(principalName(t, diagnostics));
    }
  }
  for (const v of asgs) {
    for (const it of listOf(v)) {
      const idv = it.kind === 'object' ? it.entries.find((e) => e.key.toLowerCase() === 'id')?.value : it;
      if (idv?.kind === 'scalar' && typeof idv.value === 'string') {
        const n = principalName(`asg:${refLast(idv.value)}`, diagnostics);
        names.push(n);
        texts.push(n);
      } else {
        // Still an application security group (never an internet address), named by its expression.
        const t = idv ? valText(idv) : valText(it);
        const m = /^azurerm_application_security_group\.([A-Za-z0-9_-]+)/.exec(t);
        const n = `asg:${m ? m[1] : t}`;
        names.push(n);
        texts.push(n);
      }
    }
  }
  if (any) return { alts: [], any: true };
  if (internet) {
    sets.push(INTERNET_CERTAIN);
    alts.push([
      opaque('service-tag', 'Internet', 'the Internet service tag excludes the virtual network’s own address space, peerings and on-premises prefixes, which are not in the input', internet.span),
      { kind: 'address', dir, addrs: INTERNET_UNCERTAIN, span: internet.span },
    ]);
  }
  const cidrs = unionAll(sets);
  const span = first && last ? spanJoin(first.span, last.span) : undefined;
  if (names.length > 0) alts.unshift([{ kind: 'principal', dir, names, ...(span ? { span } : {}) }]);
  if (internetAll) alts.unshift([{ kind: 'address', dir, addrs: ALL, ...(span ? { span } : {}) }]);
  else if (cidrs && deny && dir === 'src') alts.unshift(...familySourceAlternatives(cidrs, span));
  // (a prefix of every address of a family takes the service tags' and groups' packets too: AddressMatch.named)
  else if (cidrs) alts.unshift([{ kind: 'address', dir, addrs: cidrs, ...(span ? { span } : {}), ...(dir === 'src' && (cidrs.coversAll('ipv4') || cidrs.coversAll('ipv6')) ? { named: true } : {}) }]);
  return { alts, any: false };
}

function portMatches(values: PValue[], dir: 'src' | 'dst', diagnostics: Diagnostic[], texts: string[]): Match[][] | undefined {
  let set: NumSet | undefined;
  const alts: Match[][] = [];
  let all = false;
  let seen = false;
  let spanV: PValue | undefined;
  for (const v of values) {
    if (v.kind === 'expr') {
      texts.push(v.text);
      alts.push([opaque('unresolved', v.text, 'the port range is not a literal', v.span)]);
      seen = true;
      continue;
    }
    for (const it of listOf(v)) {
      if (it.kind !== 'scalar') {
        texts.push(valText(it));
        alts.push([opaque('unresolved', valText(it), 'the port range is not a literal', it.span)]);
        seen = true;
        continue;
      }
      const t = valText(it).trim();
      if (t === '') continue;
      seen = true;
      texts.push(t);
      spanV ??= it;
      // Several ranges may be written in one string: "80,443".
      for (const part of t.split(',')) {
        if (part.trim() === '*') {
          all = true;
          continue;
        }
        const ps = parsePortText(part);
        if (!ps) {
          diagnostics.push({ severity: 'error', code: 'azure/bad-port', message: `invalid port range "${part}"`, span: it.span });
          alts.push([opaque('unresolved', part, 'invalid port range', it.span)]);
          continue;
        }
        set = set ? set.union(ps) : ps;
      }
    }
  }
  // (0-65535 is every port, as "*": the portal offers it in place of "*")
  if (all || !seen || (alts.length === 0 && set?.size === 1 && set.has(0) && set.has(65535))) return undefined; // no restriction
  if (set) alts.unshift([{ kind: 'port', dir, ports: set, span: spanV!.span }]);
  return alts;
}

const PROTOCOLS: Record<string, [number, number][]> = {
  tcp: [[6, 6]],
  udp: [[17, 17]],
  icmp: [
    [1, 1],
    [58, 58],
  ],
  esp: [[50, 50]],
  ah: [[51, 51]],
};

interface CompiledRule {
  template: Omit<Rule, 'id'>;
  inbound: boolean;
  key: number;
  priority?: number;
}

function compileRule(r: AzRuleSpec, diagnostics: Diagnostic[]): CompiledRule {
  const matches: Match[] = [...(r.extra ?? [])];
  const firstDiagnostic = diagnostics.length;
  // a rule Azure refuses opens at most what it names, and a deny so written closes nothing (unless it is an allow)
  const access = r.access?.kind === 'scalar' ? valText(r.access).toLowerCase() : undefined;
  // direction
  let inbound = true;
  let literalInbound = false;
  const dv = r.direction;
  if (dv?.kind === 'expr') matches.push(opaque('unresolved', dv.text, 'the direction is not a literal: the rule may apply to inbound traffic', dv.span));
  else if (!isNullish(dv)) {
    const d = valText(dv).toLowerCase();
    if (d === 'outbound') inbound = false;
    else if (d === 'inbound') literalInbound = true;
    else diagnostics.push({ severity: 'error', code: 'azure/bad-direction', message: `unknown direction "${valText(dv)}"`, span: dv!.span });
  } else diagnostics.push({ severity: 'error', code: 'azure/missing-direction', message: `security rule "${r.name}" has no direction`, span: r.span });
  // priority
  let prio: number | undefined;
  const pv = r.priority;
  if (pv?.kind === 'expr') matches.push(opaque('unresolved', pv.text, 'the priority is not a literal, so the rule’s place in the evaluation order is unknown', pv.span));
  else if (isNullish(pv)) {
    diagnostics.push({ severity: 'error', code: 'azure/missing-priority', message: `security rule "${r.name}" has no priority`, span: r.span });
    matches.push(opaque('unresolved', 'priority', 'the priority is missing', r.span));
  } else {
    const n = Number(valText(pv));
    if (!Number.isInteger(n) || n < 100 || (n > 4096 && !r.isDefault)) {
      diagnostics.push({ severity: 'error', code: 'azure/bad-priority', message: `invalid priority "${valText(pv)}" (100–4096)`, span: pv!.span });
      // Azure refuses the rule (SecurityRuleInvalidPriority): a deny written so closes nothing
      if (Number.isFinite(n)) matches.push(opaque('invalid', `priority ${valText(pv)}`, 'Azure rejects a security rule whose priority is outside 100–4096', pv!.span));
    }
    if (Number.isFinite(n)) prio = n;
    else matches.push(opaque('unresolved', valText(pv), 'invalid priority', pv!.span));
  }
  // A rule without a protocol or a destination port range does not exist: Azure requires both ("protocol: Required",
  // SecurityRulePropertiesFormat; "must specify a non-empty value for either DestinationPortRange or
  // DestinationPortRanges") and refuses the rule, or the whole NSG. Said; an allow is still read as every protocol or
  // port (it opens at most that), but a deny closes nothing (read as every port, it closed what later allows open).
  const refused = (what: string, field: string, span: Span): void => {
    if (r.isDefault) return;
    diagnostics.push({ severity: 'warning', code: `azure/missing-${field}`, message: `security rule "${r.name}" has no ${what}: Azure refuses such a rule`, span });
    if (access !== 'allow') matches.push(opaque('invalid', `no ${what}`, `Azure refuses a security rule without a ${what}: the rule may not exist`, span));
  };
  const given = (vs: PValue[]): boolean => vs.some((v) => v.kind === 'expr' || listOf(v).some((it) => it.kind !== 'scalar' || valText(it).trim() !== ''));
  if (isNullish(r.protocol)) refused('protocol', 'protocol', r.protocol?.span ?? r.span);
  if (!given(r.dstPorts)) refused('destination port range', 'port', r.span);
  // a list of prefixes (sourceAddressPrefixes, destinationAddressPrefixes) takes addresses and ranges only: "Tags may not
  // be used" (azurerm's security rule: source_address_prefixes); Azure refuses `*` or a service tag there
  for (const v of [...r.srcPrefixes, ...r.dstPrefixes]) {
    const tag = v.kind === 'array' ? v.items.find((it) => it.kind === 'scalar' && tagLike(valText(it))) : undefined;
    if (tag && !r.isDefault) {
      diagnostics.push({ severity: 'warning', code: 'azure/tag-in-list', message: `security rule "${r.name}" lists "${valText(tag).trim()}" among its address prefixes: a list takes addresses and ranges only (a tag or * goes in the single prefix field), and Azure refuses such a rule`, span: tag.span });
      if (access !== 'allow') matches.push(opaque('invalid', `"${valText(tag).trim()}" in a list of prefixes`, 'Azure refuses a security rule with a tag or * in a list of address prefixes: the rule may not exist', tag.span));
      break;
    }
  }
  // protocol
  let protoText = '*';
  const p = r.protocol;
  if (p?.kind === 'expr') {
    matches.push(opaque('unresolved', p.text, 'the protocol is not a literal', p.span));
    protoText = p.text;
  } else if (!isNullish(p)) {
    const t = valText(p).toLowerCase();
    protoText = t;
    if (t !== '*' && t !== 'any' && t !== 'all') {
      const ranges = PROTOCOLS[t];
      if (ranges) matches.push({ kind: 'protocol', protocols: numSetOf(ranges), span: p!.span });
      else {
        diagnostics.push({ severity: 'error', code: 'azure/bad-protocol', message: `unknown protocol "${valText(p)}"`, span: p!.span });
        matches.push(opaque('unresolved', valText(p), 'unknown protocol', p!.span));
      }
    }
  }
  // ports
  const dstPortTexts: string[] = [];
  const srcPortTexts: string[] = [];
  // ICMP, ESP and AH have no ports, yet Azure takes a port range in their rules and matches packets by it: the port of
  // an ICMP rule is read as the ICMP type (MicrosoftDocs/azure-docs#51522), which Azure does not document. Read as a
  // port test, an Allow Icmp with port 8 let no packet in (its echo requests were closed): undecided instead.
  const portless = p?.kind === 'scalar' && ['icmp', 'esp', 'ah'].includes(valText(p).toLowerCase()) ? valText(p) : undefined;
  const ports = (alts: Match[][] | undefined, texts: string[], which: string, v: PValue[]): void => {
    if (!alts) return;
    const at = v.find((x) => !isNullish(x) && !(x.kind === 'array' && x.items.length === 0));
    if (portless) matches.push(opaque('azure-port', `${which} port ${texts.join(',')} of protocol ${portless}`, `${portless} has no ports: how Azure matches its packets by a port range is not documented (an ICMP rule's port is read as the ICMP type)`, at?.span ?? r.span));
    else matches.push(...anyOf(alts));
  };
  ports(portMatches(r.dstPorts, 'dst', diagnostics, dstPortTexts), dstPortTexts, 'destination', r.dstPorts);
  ports(portMatches(r.srcPorts, 'src', diagnostics, srcPortTexts), srcPortTexts, 'source', r.srcPorts);
  // addresses
  const srcTexts: string[] = [];
  const dstTexts: string[] = [];
  const deny = access === 'deny';
  const src = prefixMatches(r.srcPrefixes, r.srcAsgs, 'src', srcTexts, diagnostics, deny);
  if (src.any) {
    // Any source: no match (it also takes service-tag and application-security-group traffic)
  } else if (src.alts.length === 0) {
    diagnostics.push({ severity: 'warning', code: 'azure/missing-source', message: `security rule "${r.name}" has no source address prefix`, span: r.span });
    matches.push(opaque('unresolved', 'sourceAddressPrefix', 'the source is missing', r.span));
  } else matches.push(...anyOf(src.alts));
  const dst = prefixMatches(r.dstPrefixes, r.dstAsgs, 'dst', dstTexts, diagnostics, deny);
  // ("must specify a non empty value for exactly one of: DestinationAddressPrefixes, DestinationAddressPrefix,
  // DestinationApplicationSecurityGroups", Azure/azure-cli#8615): without one the rule is refused, as without ports
  if (!given(r.dstPrefixes) && !given(r.dstAsgs)) refused('destination address prefix', 'destination', r.span);
  // Inbound, the destination is the protected NIC's private address ("network security groups are processed
  // after Azure translates a public IP address to a private IP address for inbound traffic",
  // network-security-groups-overview), which is always in the VirtualNetwork tag: that destination is every packet.
  const toOwnNetwork =
    literalInbound && r.dstPrefixes.some((v) => v.kind !== 'expr' && listOf(v).some((it) => it.kind === 'scalar' && valText(it).trim().toLowerCase() === 'virtualnetwork'));
  if (dst.alts.length > 0 && !dst.any && !toOwnNetwork) matches.push(...anyOf(dst.alts));
  // One invalid port range or address prefix makes Azure refuse the whole rule (SecurityRuleInvalidPortRange,
  // "Security rule has invalid Port range. Value provided: …", hashicorp/terraform-provider-azurerm#1530): a deny's
  // valid items close nothing either (an allow's valid items are still read as open: at most that).
  if (access !== 'allow' && diagnostics.slice(firstDiagnostic).some((d) => d.code === 'azure/bad-port' || d.code === 'azure/bad-prefix'))
    matches.push(opaque('invalid', 'an invalid port range or address prefix', 'Azure refuses a security rule with an invalid port range or address prefix: the rule may not exist', r.span));
  // access
  const av = r.access;
  let action: Rule['action'];
  let accessText: string;
  if (av?.kind === 'scalar' && valText(av).toLowerCase() === 'allow') (action = { kind: 'accept' }), (accessText = 'allow');
  else if (av?.kind === 'scalar' && valText(av).toLowerCase() === 'deny') (action = { kind: 'drop' }), (accessText = 'deny');
  else {
    accessText = av ? valText(av) : '?';
    action = { kind: 'unknown', target: accessText, text: `access ${accessText}` };
    if (av?.kind !== 'expr') diagnostics.push({ severity: 'error', code: 'azure/bad-access', message: `security rule "${r.name}" has access "${accessText}" (Allow or Deny)`, span: av?.span ?? r.span });
  }
  if (!r.isDefault) {
    warnUnevaluated(matches, `security rule "${r.name}"`, diagnostics);
    if (action.kind === 'unknown' && av?.kind === 'expr') warnUnevaluated([opaque('unresolved', av.text, 'the access is not a literal', av.span)], `security rule "${r.name}"`, diagnostics);
  }
  const portText = dstPortTexts.length ? dstPortTexts.join(',') : '*';
  const text = `${r.isDefault ? `default rule ${r.name}: ` : ''}${accessText} ${protoText}:${portText} from ${srcTexts.join(', ') || '?'}${srcPortTexts.length && srcPortTexts.join() !== '*' ? ` port ${srcPortTexts.join(',')}` : ''} to ${dstTexts.join(', ') || '*'} (priority ${pv ? valText(pv) : '?'})`;
  const reportV = [...r.srcPrefixes, ...r.dstPorts].find((v) => !isNullish(v) && !(v.kind === 'array' && v.items.length === 0) && within(v.span, r.span));
  const template: Omit<Rule, 'id'> = { matches, action, span: r.span, text, comment: r.description ? `${r.name}: ${r.description}` : r.name };
  if (reportV && !r.isDefault) template.reportSpan = reportV.span;
  if (r.isDefault) {
    template.builtIn = true;
    template.platform = `Azure's default rule ${r.name} (priority ${pv ? valText(pv) : '?'})`;
  }
  if (r.disabled) template.disabled = true;
  // Unknown priority: first, where it may come (an opaque match above says its place is unknown, so an allow there
  // opens only possibly, and a deny closes nothing but makes what it matches possibly closed). A deny placed last
  // was reported "never reached" behind the default rules and left what it may close certainly open.
  const key = prio !== undefined ? prio : -1;
  const out: CompiledRule = { template, inbound, key };
  if (prio !== undefined) out.priority = prio;
  return out;
}

function scalar(value: string | number, span: Span): PValue {
  return { kind: 'scalar', value, span };
}

/** The default rules Azure appends to every NSG, positioned at the NSG object. */
export function defaultRules(span: Span): AzRuleSpec[] {
  const d = (name: string, priority: number, direction: string, access: string, src: string, dst: string): AzRuleSpec => ({
    name,
    span,
    priority: scalar(priority, span),
    access: scalar(access, span),
    direction: scalar(direction, span),
    protocol: scalar('*', span),
    srcPorts: [],
    dstPorts: [],
    srcPrefixes: [scalar(src, span)],
    dstPrefixes: [scalar(dst, span)],
    srcAsgs: [],
    dstAsgs: [],
    isDefault: true,
    description: 'Azure default rule (not written in the input)',
  });
  return [
    d('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
    d('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*'),
    d('DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*'),
    d('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
    d('AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet'),
    // DenyAllOutBound (65500) is the Outbound chain's drop policy: as a rule it could never
    // be reached (AllowInternetOutBound matches everything) and would only be reported as shadowed.
  ];
}

export interface CompiledNsg {
  ruleset: Ruleset;
  table: Table;
}

/** Compile one NSG into its ruleset (one table, `Inbound` and `Outbound` chains). */
export function compileNsg(nsg: NsgSpec, ids: IdSource, diagnostics: Diagnostic[]): CompiledNsg {
  const compiled = nsg.rules.map((r) => compileRule(r, diagnostics));
  const seen = new Map<string, AzRuleSpec>();
  const dup = new Set<string>();
  nsg.rules.forEach((r, i) => {
    const c = compiled[i]!;
    if (c.priority === undefined) return;
    const k = `${c.inbound}:${c.priority}`;
    const prev = seen.get(k);
    if (prev) {
      diagnostics.push({ severity: 'warning', code: 'azure/duplicate-priority', message: `security rules "${prev.name}" and "${r.name}" of NSG ${nsg.name} have the same priority ${c.priority} and direction (Azure rejects this)`, span: r.priority?.span ?? r.span });
      dup.add(k);
    } else seen.set(k, r);
  });
  // Which of two rules at one priority and direction exists is not known (a template of both is refused; of two
  // azurerm_network_security_rule resources the second one created fails): both are undecided (an allow possibly
  // open, a deny closing nothing), an allow read first. Read in file order, a deny written first closed what the
  // allow may open.
  nsg.rules.forEach((r, i) => {
    const c = compiled[i]!;
    if (c.priority === undefined || !dup.has(`${c.inbound}:${c.priority}`)) return;
    c.template = { ...c.template, matches: [...c.template.matches, opaque('unresolved', `priority ${c.priority}`, 'another security rule of this direction has this priority, which Azure refuses', r.priority?.span ?? r.span)] };
    if (c.template.action.kind !== 'accept') c.key += 0.5;
  });
  const defaults = (nsg.defaults && nsg.defaults.length > 0 ? nsg.defaults.map((r) => ({ ...r, isDefault: true })) : defaultRules(nsg.span)).map((r) => compileRule(r, diagnostics));
  const unresolved: CompiledRule[] = [];
  for (const u of nsg.unresolvedRules ?? []) {
    warnUnevaluated([opaque('unresolved', u.text, 'the security rule list is not a literal', u.span)], `NSG ${nsg.name}`, diagnostics);
    for (const inbound of [true, false]) {
      unresolved.push({
        inbound,
        key: -1,
        template: {
          matches: [opaque('unresolved', u.text, 'the security rule list is not a literal', u.span)],
          action: { kind: 'unknown', target: 'securityRules', text: u.text },
          span: u.span,
          text: `unresolved security rules ${u.text}`,
        },
      });
    }
  }
  const all = stableSortBy([...unresolved, ...compiled, ...defaults], (c) => c.key);
  const chain = (inbound: boolean): Chain =>
    chainOf(
      inbound ? 'Inbound' : 'Outbound',
      inbound ? 'input' : 'output',
      'drop',
      all.filter((c) => c.inbound === inbound).map((c) => ({ ...c.template, id: ids.take() }) as Rule),
      nsg.span,
    );
  const table = tableOf(nsg.name, [chain(true), chain(false)], nsg.span);
  const asgTargets: string[] = [];
  for (const r of nsg.rules) {
    for (const v of r.dstAsgs) for (const it of listOf(v)) {
      const idv = it.kind === 'object' ? it.entries.find((e) => e.key.toLowerCase() === 'id')?.value : it;
      if (idv?.kind === 'scalar' && typeof idv.value === 'string') asgTargets.push(`asg:${refLast(idv.value)}`);
    }
  }
  const targets = [...new Set([nsg.name, ...nsg.targets, ...asgTargets])];
  return {
    table,
    ruleset: { name: `NSG ${nsg.name}${nsg.external ? ' (rules only; the NSG is defined elsewhere)' : ''}`, targets, tables: [table], families: ['ipv4', 'ipv6'], kind: 'cloud' },
  };
}

/**
 * The named sources an NSG's inbound allows admit. A rule without a source match (`*`) admits every one the two
 * NSGs name (`also`); a tag neither names has no packets of its own in the model: its members are addresses.
 */
interface Admitted {
  names: Set<string>;
  any: boolean;
}

function admittedBy(t: Table, also: Table): Admitted {
  const out: Admitted = { names: new Set(), any: false };
  // one rule's matches or one alternative of its source: false when it holds no source match (it admits everything)
  const conj = (ms: readonly Match[]): boolean => {
    let found = false;
    for (const m of ms) {
      if (m.kind === 'address' && m.dir === 'src') found = true;
      else if (m.kind === 'principal' && m.dir === 'src') {
        for (const n of m.names) out.names.add(n);
        if (m.negated || m.names.includes(ANY_PRINCIPAL)) out.any = true;
        found = true;
      } else if (m.kind === 'family') (out.any = true), (found = true);
      else if (m.kind === 'any-of' && m.alternatives.some((x) => x.some(isSource))) {
        for (const x of m.alternatives) if (!conj(x)) out.any = true;
        found = true;
      }
    }
    return found;
  };
  for (const c of t.chains) if (c.hook === 'input') for (const r of c.rules) if (r.action.kind !== 'drop' && !conj(r.matches)) out.any = true;
  if (out.any) {
    // every name either NSG writes (conj adds the names of a rule's principal matches, whatever its action)
    for (const x of [t, also]) for (const c of x.chains) if (c.hook === 'input') for (const r of c.rules) conj(r.matches);
    out.names.delete(ANY_PRINCIPAL);
  }
  return out;
}

function isSource(m: Match): boolean {
  return ((m.kind === 'address' || m.kind === 'principal') && m.dir === 'src') || m.kind === 'family';
}

const LOAD_BALANCER = parseCidr('168.63.129.16/32')!.union(INTERNET_UNCERTAIN.intersect(AddrSet.ALL_V6));

/**
 * Addresses a named source of an NSG rule may have. The VirtualNetwork tag is the virtual network's address
 * space, its peerings and on-premises prefixes, none of them in the input (service-tags-overview); an
 * application security group's members are network interfaces of a virtual network; AzureLoadBalancer is
 * 168.63.129.16 (virtual-network/what-is-ip-address-168-63-129-16). The first two are taken to be where the
 * Internet tag is not certain (INTERNET_CERTAIN: the public addresses, as a deny from Internet reads them); another
 * service tag (Storage, AzureCloud, …) may be any address.
 */
function namedSourceAddresses(name: string): AddrSet {
  const l = name.toLowerCase();
  return l === 'virtualnetwork' || l.startsWith('asg:') ? INTERNET_UNCERTAIN : l === 'azureloadbalancer' ? LOAD_BALANCER : ALL;
}

/**
 * A source match of one NSG as it filters the packets of the named sources the other NSG of a NIC admits
 * (`other`). Each NSG on its own keeps named sources (service tags, application security groups) and addresses
 * apart: a named source's packets stand for its members' addresses, and an address packet for one in no named
 * source. That is exact for one list of rules, but not for two: a packet the NIC NSG admits by its tag has an
 * address the subnet NSG's CIDR rules may take, and an application security group's member is in VirtualNetwork.
 * Kept apart, a NIC NSG with `asg-ops` allowed and VirtualNetwork denied behind a subnet NSG of default rules was
 * closed (the subnet's AllowVnetInBound did not take the ASG's packets), as was a subnet NSG allowing `10.0.0.0/8`
 * and denying VirtualNetwork in front of a NIC NSG of default rules (the VNet's own 10.x clients pass both). So
 * a CIDR may or may not take the packets of a named source the other NSG admits where that source's addresses
 * may be (namedSourceAddresses), and VirtualNetwork those of the application security groups: undecided, so an allow is possibly open and a deny closes nothing (as AWS's naclSource).
 */
function crossSources(m: Match, other: Admitted): Match {
  const alternatives = crossAlternatives([m], other);
  if (!alternatives) return m;
  const out: Match = { kind: 'any-of', alternatives };
  if (m.span) out.span = m.span;
  return out;
}

function crossAlternatives(conj: Match[], other: Admitted): Match[][] | undefined {
  if (conj.length !== 1) return undefined;
  const m = conj[0]!;
  if (m.kind === 'any-of') {
    let changed = false;
    const alts: Match[][] = [];
    for (const a of m.alternatives) {
      const x = crossAlternatives(a, other);
      if (x) changed = true;
      alts.push(...(x ?? [a]));
    }
    return changed ? alts : undefined;
  }
  if (m.negated || (m.kind !== 'address' && m.kind !== 'principal') || m.dir !== 'src') return undefined;
  const mine = m.kind === 'principal' ? new Set(m.names) : new Set<string>();
  // a CIDR takes those whose addresses it may hold; VirtualNetwork the members of application security groups;
  // another name only its own packets
  const vnet = m.kind === 'principal' && m.names.some((n) => n.toLowerCase() === 'virtualnetwork');
  const names = [...other.names].filter((n) =>
    m.kind === 'address' ? !m.addrs.intersect(namedSourceAddresses(n)).isEmpty : vnet && !mine.has(n) && n.startsWith('asg:'),
  );
  if (names.length === 0) return undefined;
  const text = m.kind === 'principal' ? m.names.join(', ') : m.addrs.toString().length > 60 ? 'these addresses' : m.addrs.toString();
  const whom = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return [
    [m],
    [
      { kind: 'principal', dir: 'src', names, ...(m.span ? { span: m.span } : {}) },
      ...(m.kind === 'address' ? familyOf(m.addrs, m.span) : []),
      opaque('nsg', `${text} for ${whom}`, 'which addresses service tags and application security groups hold is not in the input', m.span),
    ],
  ];
}

/**
 * A NIC whose subnet has an NSG and which has its own NSG: inbound traffic must
 * be allowed by both (subnet NSG evaluated first), so two base chains on input.
 */
export function combineSubnetAndNic(nic: string, subnet: string, subnetNsg: CompiledNsg, nicNsg: CompiledNsg, ids: IdSource): Ruleset {
  // Inbound: subnet NSG first; outbound: NIC NSG first. Rules get fresh ids (unique per document).
  const relabel = (t: Table, prio: number, other: Table): Table => {
    const admitted = admittedBy(other, t);
    return {
      ...t,
      chains: t.chains.map((c) => ({
        ...c,
        priority: c.hook === 'input' ? prio : -prio,
        rules: c.rules.map((r) => ({ ...r, ...(c.hook === 'input' ? { matches: r.matches.map((m) => crossSources(m, admitted)) } : {}), id: ids.take() })),
      })),
    };
  };
  return {
    name: `NIC ${nic} (subnet ${subnet} NSG ${subnetNsg.table.name} + NIC NSG ${nicNsg.table.name})`,
    targets: [...new Set([nic, subnet, subnetNsg.table.name, nicNsg.table.name])],
    tables: [relabel(subnetNsg.table, 0, nicNsg.table), relabel(nicNsg.table, 1, subnetNsg.table)],
    families: ['ipv4', 'ipv6'],
    kind: 'cloud',
  };
}

export { IdSource };
