/**
 * GCP VPC firewall rules → common model.
 *
 * The API/gcloud JSON/YAML reader and the Terraform reader both produce
 * `GcpFirewallSpec`s; `compileGcp` turns them into one `Ruleset` per network per
 * target class (each target tag / service account, plus "all instances"),
 * with the rules in GCP evaluation order: priority ascending, deny before allow
 * at equal priority, the implied deny-ingress / allow-egress as chain policies.
 */
import {
  AddrSet,
  parseCidr,
  protocolNumber,
  numSingle,
  type Chain,
  type Diagnostic,
  type Match,
  type Rule,
  type Ruleset,
  type Span,
} from '../../model/index.js';
import { familySourceAlternatives } from '../../model/build.js';
import { within, type PValue } from '../values.js';
import {
  anyOf,
  chainOf,
  IdSource,
  instantiate,
  isNullish,
  listOf,
  opaque,
  parsePortText,
  spanOfValues,
  stableSortBy,
  tableOf,
  unionAll,
  valText,
  warnUnevaluated,
} from './common.js';

/** One protocol/ports entry of `allowed`/`denied` (`allow {}`/`deny {}` in Terraform). */
export interface GcpProtoEntry {
  protocol: PValue | undefined;
  ports: PValue | undefined;
  span: Span;
  /** The whole entry list is an expression (Terraform `allow = var.x`, dynamic blocks). */
  unresolved?: string;
  /** Extra conjuncts (a generated block that may not exist). */
  extra?: Match[];
}

export interface GcpFirewallSpec {
  name: string;
  network: string;
  /** The project of the network's URL, when it has one (networks of the same name in two projects are two networks). */
  project?: string;
  /** The rule object (reported span). */
  span: Span;
  direction: PValue | undefined;
  priority: PValue | undefined;
  /** `goto_next` (firewall policies) passes evaluation on; other policy actions are unknown. */
  action: 'allow' | 'deny' | 'goto_next' | { unknown: string };
  entries: GcpProtoEntry[];
  /** Further source alternatives (firewall policy FQDNs, geo codes, address groups…), OR'ed with the ranges. */
  extraSources?: Match[][];
  sourceRanges?: PValue;
  sourceTags?: PValue;
  sourceServiceAccounts?: PValue;
  destinationRanges?: PValue;
  targetTags?: PValue;
  targetServiceAccounts?: PValue;
  /** Firewall policy rules: the secure tag values (`tagValues/…`) of the instances the rule applies to. */
  targetSecureTags?: PValue;
  disabled?: PValue;
  description?: string;
  /** Extra conjuncts (e.g. a Terraform `count`/`for_each` that may create zero instances). */
  extra?: Match[];
  /**
   * Firewall policy rules: priorities go up to 2^31-1, and `band` orders whole
   * policies before the VPC rules (lower band first; VPC rules are band 0).
   */
  policy?: { band: number; targetResources?: string[]; /** The policy's name and place (its rules' chain, when one has goto_next). */ name?: string; span?: Span };
}

interface Compiled {
  template: Omit<Rule, 'id'>;
  network: string;
  ingress: boolean;
  /** undefined = applies to all instances; otherwise target classes ("tag:web", "sa:x", "expr:…"). */
  targets: string[] | undefined;
  /** Targets are only expressions, which may be empty: then the rule applies to every instance. */
  maybeAll?: Omit<Rule, 'id'>;
  order: number;
  /** A firewall policy rule: its policy's band and name. */
  band?: number;
  policyName?: string;
  policySpan?: Span;
}

const TCP = 6;
const UDP = 17;
const SCTP = 132;

/** A GCP protocol name or number (lower case; `ipip` is protocol 4) → its number. */
export function gcpProtocolNumber(t: string): number | undefined {
  return protocolNumber(t === 'ipip' ? '4' : t);
}

function protoMatches(e: GcpProtoEntry, diagnostics: Diagnostic[]): { matches: Match[]; label: string } {
  if (e.unresolved !== undefined) {
    return { matches: [opaque('unresolved', e.unresolved, 'the protocol and port list is not a literal', e.span)], label: e.unresolved };
  }
  const matches: Match[] = [...(e.extra ?? [])];
  let label: string;
  const p = e.protocol;
  let protoNum: number | undefined;
  let all = false;
  if (p === undefined) {
    diagnostics.push({ severity: 'error', code: 'gcp/missing-protocol', message: 'firewall entry without IPProtocol', span: e.span });
    matches.push(opaque('unresolved', 'IPProtocol', 'the protocol is missing', e.span));
    label = '?';
  } else if (p.kind === 'expr') {
    matches.push(opaque('unresolved', p.text, 'the protocol is not a literal', p.span));
    label = p.text;
  } else {
    const t = String(valText(p)).trim().toLowerCase();
    label = t;
    if (t === 'all') all = true;
    else {
      protoNum = gcpProtocolNumber(t);
      if (protoNum === undefined) {
        diagnostics.push({ severity: 'error', code: 'gcp/bad-protocol', message: `unknown protocol "${valText(p)}"`, span: p.span });
        matches.push(opaque('unresolved', valText(p), 'unknown protocol', p.span));
      } else matches.push({ kind: 'protocol', protocols: numSingle(protoNum), span: p.span });
    }
  }
  const portItems = listOf(e.ports);
  if (e.ports?.kind === 'expr') {
    matches.push(opaque('unresolved', e.ports.text, 'the port list is not a literal', e.ports.span));
    label += `:${e.ports.text}`;
  } else if (portItems.length > 0) {
    const alts: Match[][] = [];
    let set = undefined as ReturnType<typeof parsePortText>;
    const texts: string[] = [];
    for (const it of portItems) {
      if (it.kind === 'expr') {
        alts.push([opaque('unresolved', it.text, 'the port is not a literal', it.span)]);
        texts.push(it.text);
        continue;
      }
      const ps = parsePortText(valText(it));
      texts.push(valText(it));
      if (!ps || valText(it).trim() === '*') {
        diagnostics.push({ severity: 'error', code: 'gcp/bad-port', message: `invalid port "${valText(it)}"`, span: it.span });
        alts.push([opaque('unresolved', valText(it), 'invalid port', it.span)]);
        continue;
      }
      set = set ? set.union(ps) : ps;
    }
    if (!all && protoNum !== undefined && protoNum !== TCP && protoNum !== UDP && protoNum !== SCTP) {
      diagnostics.push({ severity: 'warning', code: 'gcp/ports-ignored', message: `ports are only valid with tcp, udp and sctp, not ${label}`, span: e.ports!.span });
      // The API documents ports as "only applicable for UDP or TCP" (and SCTP): whether it refuses the rule or ignores
      // the ports is not said. Read as a port test, an allow of icmp with ports let no packet in (when it may let every
      // ICMP packet in): undecided instead, as Azure's port of a portless protocol.
      matches.push(opaque('gcp-port', `ports ${texts.join(',')} of protocol ${label}`, `${label} has no ports: the API may refuse the rule or ignore them`, e.ports!.span));
      label += `:${texts.join(',')}`;
      return { matches, label };
    }
    if (set) alts.unshift([{ kind: 'port', dir: 'dst', ports: set, span: e.ports!.span }]);
    matches.push(...anyOf(alts, e.ports!.span));
    label += `:${texts.join(',')}`;
  }
  return { matches, label };
}

function principalName(prefix: 'tag' | 'sa', v: PValue): string | undefined {
  return v.kind === 'scalar' && v.value !== null ? `${prefix}:${String(v.value)}` : undefined;
}

/** Address alternatives of a ranges list (CIDRs unioned into one alternative; expressions opaque). */
function rangeAlternatives(v: PValue | undefined, dir: 'src' | 'dst', field: string, diagnostics: Diagnostic[], texts: string[], deny = false): Match[][] {
  const alts: Match[][] = [];
  if (v?.kind === 'expr') {
    texts.push(v.text);
    return [[opaque('unresolved', v.text, `${field} is not a literal`, v.span)]];
  }
  const sets: AddrSet[] = [];
  const items = listOf(v);
  for (const it of items) {
    if (it.kind !== 'scalar') {
      texts.push(valText(it));
      alts.push([opaque('unresolved', valText(it), `${field} entry is not a literal`, it.span)]);
      continue;
    }
    const t = valText(it);
    texts.push(t);
    const a = parseCidr(t);
    if (!a) {
      diagnostics.push({ severity: 'error', code: 'gcp/bad-range', message: `invalid IP range "${t}" in ${field}`, span: it.span });
      alts.push([opaque('unresolved', t, `invalid IP range in ${field}`, it.span)]);
      continue;
    }
    sets.push(a);
  }
  const set = unionAll(sets);
  if (set && deny && dir === 'src') alts.unshift(...familySourceAlternatives(set, spanOfValues(items, v!.span)));
  else if (set) alts.unshift([{ kind: 'address', dir, addrs: set, span: spanOfValues(items, v!.span), ...(dir === 'src' && wholeFamily(set) ? { named: true } : {}) }]);
  return alts;
}

/**
 * Whether source ranges hold every address of a family: they take the network's tagged instances too ("a source IP
 * that belongs to an instance with service account listed", compute/docs/reference/rest/v1/firewalls): see
 * AddressMatch.named.
 */
function wholeFamily(set: AddrSet): boolean {
  return set.coversAll('ipv4') || set.coversAll('ipv6');
}

/**
 * A VPC firewall rule holds IPv4 or IPv6 ranges, not both ("A firewall rule can contain either IPv4 or IPv6
 * ranges, but not both": the API refuses the rule). The literal ranges of `v`, when they mix the families.
 */
function mixedFamilies(v: PValue | undefined): boolean {
  let v4 = false;
  let v6 = false;
  for (const it of listOf(v)) {
    const a = it.kind === 'scalar' ? parseCidr(valText(it)) : undefined;
    if (!a) continue;
    if (!a.only('ipv4').isEmpty) v4 = true;
    if (!a.only('ipv6').isEmpty) v6 = true;
  }
  return v4 && v6;
}

/**
 * Tags and service accounts name instances, never internet addresses: an
 * unresolved entry is still a principal (named by its expression), so it cannot
 * open anything to the world. `unresolved` is set when some entry is not literal
 * (the list may then be empty, which matters for the 0.0.0.0/0 default).
 */
function principalAlternatives(v: PValue | undefined, prefix: 'tag' | 'sa', dir: 'src' | 'dst', texts: string[], state: { unresolved: boolean }): Match[][] {
  if (v?.kind === 'expr') {
    texts.push(v.text);
    state.unresolved = true;
    return [[{ kind: 'principal', dir, names: [`${prefix}:${v.text}`], span: v.span }]];
  }
  const names: string[] = [];
  for (const it of listOf(v)) {
    const n = principalName(prefix, it) ?? `${prefix}:${valText(it)}`;
    if (it.kind !== 'scalar') state.unresolved = true;
    names.push(n);
    texts.push(n);
  }
  return names.length > 0 ? [[{ kind: 'principal', dir, names, span: v!.span }]] : [];
}

function targetClasses(spec: GcpFirewallSpec): string[] | undefined {
  const out: string[] = [];
  for (const [v, prefix] of [
    [spec.targetTags, 'tag'],
    [spec.targetServiceAccounts, 'sa'],
    [spec.targetSecureTags, 'stag'],
  ] as const) {
    if (v?.kind === 'expr') {
      out.push(`expr:${v.text}`);
      continue;
    }
    for (const it of listOf(v)) out.push(it.kind === 'scalar' ? `${prefix}:${String(it.value)}` : `expr:${valText(it)}`);
  }
  // A policy rule's targetResources (networks) when the input has no VPC rules to place it
  // in: the networks are its target classes (with other targets too, see compileOne).
  if (out.length === 0 && spec.policy?.targetResources) return spec.policy.targetResources.map((n) => `net:${n}`);
  return out.length > 0 ? out : undefined;
}

function compileOne(spec: GcpFirewallSpec, diagnostics: Diagnostic[]): Compiled {
  const matches: Match[] = [...(spec.extra ?? [])];
  const firstDiagnostic = diagnostics.length;
  // direction
  let ingress = true;
  const dir = spec.direction;
  if (dir?.kind === 'expr') {
    matches.push(opaque('unresolved', dir.text, 'the direction is not a literal: the rule may apply to ingress', dir.span));
  } else if (!isNullish(dir)) {
    const d = valText(dir).toUpperCase();
    if (d === 'EGRESS') ingress = false;
    else if (d !== 'INGRESS') diagnostics.push({ severity: 'error', code: 'gcp/bad-direction', message: `unknown direction "${valText(dir)}"`, span: dir!.span });
  }
  // priority
  let prio = 1000;
  let prioText = '1000';
  const pv = spec.priority;
  let prioKnown = true;
  if (pv?.kind === 'expr') {
    prioKnown = false;
    prioText = pv.text;
    matches.push(opaque('unresolved', pv.text, 'the priority is not a literal, so the rule’s place in the evaluation order is unknown', pv.span));
  } else if (!isNullish(pv)) {
    const n = Number(valText(pv));
    const max = spec.policy ? 2147483647 : 65535;
    if (!Number.isInteger(n) || n < 0 || n > max) {
      diagnostics.push({ severity: 'error', code: 'gcp/bad-priority', message: `invalid priority "${valText(pv)}" (0–${max})`, span: pv!.span });
      prioKnown = false;
      prioText = valText(pv);
      matches.push(opaque('unresolved', valText(pv), 'invalid priority', pv!.span));
    } else {
      prio = n;
      prioText = String(n);
    }
  }
  // protocols and ports
  const protoAlts: Match[][] = [];
  const protoLabels: string[] = [];
  for (const e of spec.entries) {
    const r = protoMatches(e, diagnostics);
    protoAlts.push(r.matches);
    protoLabels.push(r.label);
  }
  if (spec.entries.length === 0) {
    diagnostics.push({ severity: 'warning', code: 'gcp/no-protocols', message: `firewall rule "${spec.name}" has no ${spec.action === 'allow' ? 'allowed' : spec.action === 'deny' ? 'denied' : 'protocol'} entries`, span: spec.span });
    matches.push(opaque('unresolved', spec.name, 'the rule lists no protocols', spec.span));
  } else if (!protoAlts.some((a) => a.length === 0)) {
    matches.push(...anyOf(protoAlts));
  }
  // sources / destinations
  const srcTexts: string[] = [];
  const dstTexts: string[] = [];
  let reportSpan: Span | undefined;
  if (ingress) {
    // (a goto_next of every address passes the named sources' packets on too: only an allow keeps its addresses as
    // written, for the sources its findings name)
    const ranges = rangeAlternatives(spec.sourceRanges, 'src', 'sourceRanges', diagnostics, srcTexts, spec.action !== 'allow');
    const state = { unresolved: false };
    const principals = [
      ...principalAlternatives(spec.sourceTags, 'tag', 'src', srcTexts, state),
      ...principalAlternatives(spec.sourceServiceAccounts, 'sa', 'src', srcTexts, state),
    ];
    const alts = [...ranges, ...principals, ...(spec.extraSources ?? [])];
    if (ranges.length === 0 && (spec.extraSources ?? []).length === 0 && state.unresolved) {
      // The source lists may all be empty at apply time: the API then defaults to 0.0.0.0/0.
      alts.push([opaque('unresolved', 'empty sources', 'when the source lists evaluate to empty, the API defaults the source to 0.0.0.0/0'), { kind: 'address', dir: 'src', addrs: AddrSet.ALL_V4 }]);
    }
    for (const alt of spec.extraSources ?? []) for (const m of alt) if (m.kind === 'opaque') srcTexts.push(m.text);
    else if (m.kind === 'principal') srcTexts.push(...m.names);
    if (alts.length === 0) {
      // The API defaults an ingress rule without any source to 0.0.0.0/0 (IPv4 only).
      alts.push(spec.action === 'deny' ? [{ kind: 'family', family: 'ipv4' }] : [{ kind: 'address', dir: 'src', addrs: AddrSet.ALL_V4 }]);
      srcTexts.push('0.0.0.0/0 (default)');
    }
    matches.push(...anyOf(alts));
    if (spec.destinationRanges !== undefined && listOf(spec.destinationRanges).length + (spec.destinationRanges.kind === 'expr' ? 1 : 0) > 0) {
      matches.push(...anyOf(rangeAlternatives(spec.destinationRanges, 'dst', 'destinationRanges', diagnostics, dstTexts)));
    }
    // at the source, as the other clouds' rules: the ranges, else the source tags or service accounts written
    const source = [spec.sourceRanges, spec.sourceTags, spec.sourceServiceAccounts].find((v) => !isNullish(v));
    reportSpan = source ? within(source.span, spec.span) : undefined;
  } else {
    const dAlts = rangeAlternatives(spec.destinationRanges, 'dst', 'destinationRanges', diagnostics, dstTexts);
    if (dAlts.length === 0) {
      dAlts.push([{ kind: 'address', dir: 'dst', addrs: AddrSet.ALL_V4 }]);
      dstTexts.push('0.0.0.0/0 (default)');
    }
    matches.push(...anyOf(dAlts));
    if (listOf(spec.sourceRanges).length > 0 || spec.sourceRanges?.kind === 'expr') {
      matches.push(...anyOf(rangeAlternatives(spec.sourceRanges, 'src', 'sourceRanges', diagnostics, srcTexts)));
    }
    reportSpan = !isNullish(spec.destinationRanges) ? within(spec.destinationRanges!.span, spec.span) : undefined;
  }
  if (!reportSpan) {
    const withPorts = spec.entries.find((e) => e.ports && !isNullish(e.ports) && within(e.ports.span, spec.span));
    reportSpan = withPorts?.ports?.span;
  }
  if (!spec.policy) {
    for (const [v, field] of [[spec.sourceRanges, 'sourceRanges'], [spec.destinationRanges, 'destinationRanges']] as const) {
      if (!mixedFamilies(v)) continue;
      diagnostics.push({ severity: 'error', code: 'gcp/mixed-families', message: `${field} of firewall rule "${spec.name}" mixes IPv4 and IPv6 ranges: GCP refuses such a rule (one family per rule)`, span: v!.span });
      matches.push(opaque('invalid', valText(v!), `${field} mixes IPv4 and IPv6 ranges, which GCP refuses`, v!.span));
    }
  }
  // The API refuses a rule with an invalid protocol, port or IP range ("Invalid value for field
  // 'resource.allowed[0].ports[0]'"): none of its entries exist. A deny's valid entries close nothing either (an
  // allow's are still read as open: it opens at most those).
  if (spec.action !== 'allow' && diagnostics.slice(firstDiagnostic).some((d) => d.code === 'gcp/bad-port' || d.code === 'gcp/bad-range' || d.code === 'gcp/bad-protocol' || d.code === 'gcp/ports-ignored'))
    matches.push(opaque('invalid', `firewall rule ${spec.name}`, 'GCP refuses a firewall rule with an invalid protocol, port or IP range: the rule may not exist', spec.span));
  // disabled
  let disabled = false;
  const dv = spec.disabled;
  if (dv?.kind === 'expr') matches.push(opaque('unresolved', dv.text, 'whether the rule is disabled is not a literal', dv.span));
  else if (dv?.kind === 'scalar' && (dv.value === true || String(dv.value).toLowerCase() === 'true')) disabled = true;

  const targets = targetClasses(spec);
  if (spec.policy?.targetResources && targets && !targets[0]!.startsWith('net:') && spec.action !== 'allow') {
    // Only in these networks and on these targets: a class per pair is not kept, so the rule
    // must not decide for the same targets in other networks.
    matches.push(opaque('unresolved', `targetResources ${spec.policy.targetResources.join(', ')}`, 'the rule applies only to instances of these networks'));
  }
  warnUnevaluated(matches, `firewall rule "${spec.name}"`, diagnostics);
  // Tags and service accounts from expressions stay principals (no opaque match): still unevaluated input.
  const named: [PValue | undefined, string][] = [
    [spec.sourceTags, 'the source tags'],
    [spec.sourceServiceAccounts, 'the source service accounts'],
    [spec.targetTags, 'the target tags'],
    [spec.targetServiceAccounts, 'the target service accounts'],
  ];
  for (const [v, what] of named) {
    for (const it of v?.kind === 'expr' ? [v] : listOf(v).filter((x) => x.kind === 'expr')) {
      warnUnevaluated([opaque('unresolved', valText(it), `${what} are not literal`, it.span)], `firewall rule "${spec.name}"`, diagnostics);
    }
  }
  const protoText = protoLabels.join(' ') || '?';
  const peer = ingress ? `from ${srcTexts.join(', ')}` : `to ${dstTexts.join(', ')}`;
  const onText = targets ? ` on ${targets.map((t) => t.replace(/^expr:/, '')).join(', ')}` : '';
  const actionText = typeof spec.action === 'string' ? spec.action : spec.action.unknown;
  const text = `${actionText} ${protoText} ${peer}${onText} (priority ${prioText})`;
  const template: Omit<Rule, 'id'> = {
    matches,
    action:
      spec.action === 'allow'
        ? { kind: 'accept' }
        : spec.action === 'deny'
          ? { kind: 'drop' }
          : spec.action === 'goto_next'
            ? { kind: 'continue', target: 'goto_next' }
            : { kind: 'unknown', target: spec.action.unknown, text: `action ${spec.action.unknown}` },
    span: spec.span,
    text,
    comment: spec.description ? `${spec.name}: ${spec.description}` : spec.name,
  };
  if (reportSpan) template.reportSpan = reportSpan;
  if (disabled) template.disabled = true;
  // Evaluation order key: priority, then deny before allow. Unknown priority: an allow
  // is placed first and a deny last (both opaque), the most permissive reading.
  const inBand = prioKnown ? prio * 2 + (spec.action === 'deny' ? 0 : 1) : spec.action === 'deny' ? 2 * 2147483648 + 2 : -1;
  const key = (spec.policy?.band ?? 0) * 1e10 + inBand;
  const out: Compiled = { template, network: spec.network, ingress, targets, order: key };
  if (spec.policy) {
    out.band = spec.policy.band;
    out.policyName = spec.policy.name ?? spec.network;
    if (spec.policy.span) out.policySpan = spec.policy.span;
  }
  if (targets && targets.every((t) => t.startsWith('expr:'))) {
    const why = opaque('unresolved', `targets ${targets.map((t) => t.slice(5)).join(', ')}`, 'the target list is not a literal; when it is empty the rule applies to every instance of the network');
    out.maybeAll = { ...template, matches: [why, ...template.matches] };
  }
  return out;
}

function className(c: string): string {
  if (c.startsWith('tag:')) return `target tag ${c.slice(4)}`;
  if (c.startsWith('sa:')) return `target service account ${c.slice(3)}`;
  if (c.startsWith('stag:')) return `target secure tag ${c.slice(5)}`;
  if (c.startsWith('net:')) return `target network ${c.slice(4)}`;
  return `target ${c.slice(5)}`;
}

/**
 * Compile firewall specs (in document order) into rulesets: per network, one per
 * target class and one for all instances (untargeted rules only).
 */
export function compileGcp(specs: GcpFirewallSpec[], docSpan: Span, ids: IdSource, diagnostics: Diagnostic[], mode: 'vpc' | 'policy' = 'vpc'): Ruleset[] {
  const compiled = specs.map((s) => compileOne(s, diagnostics));
  // A firewall policy's priorities identify its rules ("each rule in a firewall policy must have a unique
  // priority", firewall policy rules): the API refuses a second rule at one priority. (One written rule copied to
  // several networks is one rule.)
  // Which of them exists is not known (the one created first): each is undecided (an allow possibly open, a deny
  // closing nothing), an allow read first.
  const byPriority = new Map<string, GcpFirewallSpec>();
  const twice = new Set<string>();
  const keyOf = (s: GcpFirewallSpec): string | undefined => {
    const pv = s.priority;
    if (!s.policy || pv?.kind !== 'scalar' || !Number.isInteger(Number(valText(pv)))) return undefined;
    return `${s.policy.band}\0${s.policy.name ?? s.network}\0${Number(valText(pv))}`;
  };
  for (const s of specs) {
    const key = keyOf(s);
    if (key === undefined) continue;
    const prev = byPriority.get(key);
    if (!prev) byPriority.set(key, s);
    else if (prev.span.start.offset !== s.span.start.offset) {
      twice.add(key);
      const n = Number(valText(s.priority!));
      diagnostics.push({ severity: 'warning', code: 'gcp/duplicate-priority', message: `${prev.name === s.name ? 'two rules' : `rules "${prev.name}" and "${s.name}"`} of firewall policy ${s.policy!.name ?? s.network} have the same priority ${n} (GCP rejects this: a policy's priorities are unique)`, span: s.priority!.span });
    }
  }
  if (twice.size > 0)
    specs.forEach((s, i) => {
      const key = keyOf(s);
      if (key === undefined || !twice.has(key)) return;
      const c = compiled[i]!;
      const why = opaque('unresolved', `priority ${valText(s.priority!)}`, 'another rule of the firewall policy has this priority, which GCP refuses', s.priority!.span);
      c.template = { ...c.template, matches: [...c.template.matches, why] };
      if (c.maybeAll) c.maybeAll = { ...c.maybeAll, matches: [...c.maybeAll.matches, why] };
      if (c.template.action.kind !== 'accept') c.order += 1.5;
    });
  const networks = new Map<string, Compiled[]>();
  for (const c of compiled) {
    let l = networks.get(c.network);
    if (!l) networks.set(c.network, (l = []));
    l.push(c);
  }
  const out: Ruleset[] = [];
  const label = mode === 'vpc' ? 'network' : 'firewall policy';
  for (const [net, list] of networks) {
    const sorted = stableSortBy(list, (c) => c.order);
    // Index the rules by target class once (no pass over every rule per class):
    // untargeted rules apply to every class, targeted ones to theirs, rules whose
    // targets are only expressions possibly to every other class.
    const common: number[] = [];
    const maybe: number[] = [];
    const perClass = new Map<string, number[]>();
    const classes: string[] = [];
    sorted.forEach((c, i) => {
      if (c.targets === undefined) {
        common.push(i);
        return;
      }
      if (c.maybeAll) maybe.push(i);
      for (const t of c.targets) {
        let l = perClass.get(t);
        if (!l) perClass.set(t, (l = []));
        if (l[l.length - 1] !== i) l.push(i);
      }
    });
    // Policies holding a goto_next rule (by band): goto_next ends the evaluation of its policy's rules and passes the
    // packet on to the next level ("goto_next: continues the rule evaluation process at the next level", firewall
    // policies overview), so the policy's later rules never see it. Such a policy's rules are a user chain the
    // main chain jumps to, and goto_next RETURNs from it. (Read as a rule that only goes on, it let the policy's
    // later rules decide packets it had passed on: a deny at 500 after a goto_next of every packet at 400 was
    // taken as closing what the next level may open.)
    const gotoBands = new Set<number>();
    for (const c of sorted) if (c.band !== undefined && c.template.action.kind === 'continue' && c.template.action.target === 'goto_next') gotoBands.add(c.band);
    const build = (name: string, targets: string[], own: number[]): Ruleset => {
      const ownSet = new Set(own);
      const picked = [...common, ...own, ...maybe.filter((i) => !ownSet.has(i))].sort((a, b) => a - b);
      const input: Rule[] = [];
      const output: Rule[] = [];
      const policyChains: Chain[] = [];
      // per direction (0 ingress, 1 egress), the policy chain being filled
      const open: ({ band: number; rules: Rule[] } | undefined)[] = [undefined, undefined];
      for (const i of picked) {
        const c = sorted[i]!;
        const r = instantiate(ownSet.has(i) || c.targets === undefined ? c.template : c.maybeAll!, ids);
        const main = c.ingress ? input : output;
        if (c.band === undefined || !gotoBands.has(c.band)) {
          main.push(r);
          continue;
        }
        const d = c.ingress ? 0 : 1;
        let u = open[d];
        if (!u || u.band !== c.band) {
          u = open[d] = { band: c.band, rules: [] };
          const chainName = `${c.ingress ? 'INGRESS' : 'EGRESS'} ${c.policyName}`;
          // (at the policy, or, when the input has no policy object, at its first rule)
          const at = c.policySpan ?? r.span;
          policyChains.push({ name: chainName, rules: u.rules, span: at });
          main.push({ id: ids.take(), matches: [], action: { kind: 'jump', target: chainName }, span: at, text: `firewall policy ${c.policyName}: its rules in priority order (goto_next passes on to the next level)` });
        }
        u.rules.push(r.action.kind === 'continue' && r.action.target === 'goto_next' ? { ...r, action: { kind: 'return' } } : r);
      }
      if (mode === 'policy') {
        // Traffic no policy rule matched goes on to the next level (lower policies,
        // VPC firewall rules), which this input does not show.
        for (const chain of [input, output]) {
          chain.push({
            id: ids.take(),
            matches: [],
            action: { kind: 'unknown', target: 'goto_next', text: 'goto_next' },
            span: docSpan,
            text: `goto_next: traffic no rule of firewall policy ${net} matches is decided by the next level (not in this input)`,
          });
        }
      }
      return {
        name,
        targets,
        kind: 'cloud',
        families: ['ipv4', 'ipv6'],
        tables: [tableOf(`${mode === 'vpc' ? 'network' : 'firewall policy'} ${net}`, [chainOf('INGRESS', 'input', 'drop', input, docSpan), chainOf('EGRESS', 'output', 'accept', output, docSpan), ...policyChains], docSpan)],
      };
    };
    // Rulesets in the order the target classes first appear in the input.
    const seen = new Set<string>();
    for (const c of list) for (const t of c.targets ?? []) if (!seen.has(t)) (seen.add(t), classes.push(t));
    for (const cls of classes) {
      const bare = cls.replace(/^(tag|sa|stag|net|expr):/, '');
      out.push(build(`${label} ${net}, ${className(cls)}`, [cls, bare, net], perClass.get(cls)!));
    }
    out.push(build(`${label} ${net}, all instances`, [net], []));
  }
  return out;
}
