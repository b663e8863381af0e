/**
 * AWS semantics compiled into the common model, shared by every AWS input
 * (aws-cli/boto JSON, CloudFormation, Terraform HCL and plan JSON).
 *
 * Security group: one `cloud` table, chain `ingress` (hook input) and `egress`
 * (hook output), accept rules only, implicit drop policy; one rule per source
 * (CIDR, security group, prefix list), so each rule has its own report span.
 * Network ACL: rules in rule-number order, allow → accept, deny → drop, implicit
 * final deny, base chains at priority -10. NACLs are stateless (AWS: "responses to
 * allowed inbound traffic are subject to the rules for outbound traffic"): a new
 * connection is judged by the ingress rules alone; whether the egress rules let the
 * replies out (ephemeral ports) is not required. That over-approximates what is
 * open (a port whose replies are blocked is still reported), never the reverse: the
 * packets of a scan, or UDP, do reach the host.
 */
import {
  AddrSet,
  ANY_PRINCIPAL,
  numRange,
  numSetOf,
  numSingle,
  parseAddress,
  protocolNumber,
  type Action,
  type Chain,
  type Diagnostic,
  type Match,
  type NumSet,
  type Rule,
  type Ruleset,
  type Span,
  type Table,
} from '../../model/index.js';
import { anyOf, cloudChain, cloudRuleset, cloudTable, familyOf, familySourceAlternatives, opaqueMatch } from '../../model/build.js';
import { toPlain, within, type PValue } from '../values.js';

export type Direction = 'ingress' | 'egress';

export type SourceInput = (
  /**
   * A CIDR (a string scalar) or an expression that should be one; `family`: the field takes only addresses of
   * that family (CidrIp, cidr_blocks: IPv4), so an unknown value there matches no packet of the other.
   */
  | { kind: 'cidr'; value: PValue; family?: 'ipv4' | 'ipv6' }
  /** Security group id/name, `self`, an unresolved prefix list `pl-…`. */
  | { kind: 'principal'; name: string; span: Span }
  /** Something that names a source but cannot be resolved statically. */
  | { kind: 'unresolved'; text: string; span: Span; reason?: string }
) & {
  /** Conditions of this source only (a CloudFormation `Fn::If` branch). */
  extra?: Match[];
  /** Description of this source (aws-cli `IpRanges[].Description`). */
  description?: string;
};

export interface PermInput {
  dir: Direction;
  protocol: PValue | undefined;
  fromPort: PValue | undefined;
  toPort: PValue | undefined;
  sources: SourceInput[];
  /** The permission / rule object. */
  span: Span;
  /** Extra matches that condition the whole permission (unknown count, Fn::If, CloudFormation Condition). */
  extra?: Match[];
  description?: string;
}

export interface NaclEntryInput {
  egress: boolean;
  ruleNumber: PValue | undefined;
  action: PValue | undefined;
  protocol: PValue | undefined;
  fromPort: PValue | undefined;
  toPort: PValue | undefined;
  icmpType?: PValue | undefined;
  icmpCode?: PValue | undefined;
  cidr: PValue | undefined;
  cidr6: PValue | undefined;
  /** `cidr` is a whole entry that is not known (any family), not an IPv4 field. */
  anyFamily?: boolean;
  span: Span;
  extra?: Match[];
}

/** Shared state of one document: rule ids and diagnostics; prefix-list entries when the input has them. */
export class AwsContext {
  private id = 0;
  readonly diagnostics: Diagnostic[] = [];
  readonly prefixLists = new Map<string, { cidrs: string[] }>();
  private readonly cidrs = new Map<string, { addrs: AddrSet; hostBits: boolean } | null>();
  /** Parsed CIDR (cached: exports repeat the same few ranges), and whether host bits were set. */
  cidr(text: string): { addrs: AddrSet; hostBits: boolean } | undefined {
    let hit = this.cidrs.get(text);
    if (hit === undefined) {
      const addrs = AddrSet.parse(text);
      if (!addrs) hit = null;
      else {
        const slash = text.indexOf('/');
        const host = slash < 0 ? undefined : quickAddress(text.slice(0, slash));
        const lo = host?.family === 'ipv4' ? addrs.v4.bounds[0] : addrs.v6.bounds[0];
        hit = { addrs, hostBits: host !== undefined && lo !== undefined && host.value !== lo };
      }
      this.cidrs.set(text, hit);
    }
    return hit ?? undefined;
  }
  nextId(): number {
    return ++this.id;
  }
  warn(message: string, span: Span, code: string): void {
    this.diagnostics.push({ severity: 'warning', message, span, code });
  }
  private readonly warned = new Set<string>();
  /**
   * The opaque match of a value the input does not decide (an unresolved `!Ref`, `var.x`, condition, count…),
   * and a warning naming it, once per expression and place, which `no-unevaluated-input` reports.
   */
  unresolved(text: string, span: Span, reason: string, warnText = text): Match {
    const key = `${span.start.offset}:${span.end.offset}:${warnText}`;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.warn(`Cannot evaluate ${oneLine(warnText, 120)}: ${reason}; it is treated as unknown`, span, 'aws/unresolved');
    }
    return unresolvedMatch(text, span, reason);
  }
}

/** Dotted quad without ipaddr.js (hot path); IPv6 through the model. */
function quickAddress(t: string): { family: 'ipv4' | 'ipv6'; value: number | bigint } | undefined {
  if (t.includes(':')) return parseAddress(t);
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return undefined;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return { family: 'ipv4', value: v * 256 + part };
}

export function unresolvedMatch(text: string, span: Span, reason: string): Match {
  return opaqueMatch('unresolved', oneLine(text, 200), reason, span);
}

/** Whitespace runs (newlines of multi-line expressions) collapsed; long texts shortened. */
export function oneLine(s: string, max = 80): string {
  let plain = s.length <= max && s.length > 0 && s.charCodeAt(0) !== 32 && s.charCodeAt(s.length - 1) !== 32;
  for (let i = 0; plain && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 9 || c === 13 || (c === 32 && s.charCodeAt(i + 1) === 32)) plain = false;
  }
  if (plain) return s;
  let out = '';
  let space = false;
  for (const ch of s) {
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') space = out !== '';
    else {
      if (space) out += ' ';
      space = false;
      out += ch;
    }
  }
  return out.length > max ? out.slice(0, max - 1) + '…' : out;
}

function scalarText(v: PValue | undefined): string | undefined {
  if (v?.kind !== 'scalar' || v.value === null) return undefined;
  return String(v.value).trim();
}

/** A port as written, for a message: an expression's text, a scalar, a list or map as JSON (`FromPort: [1]`). */
function portText(v: PValue | undefined): string {
  if (v === undefined) return '';
  if (v.kind === 'expr') return v.text;
  return scalarText(v) ?? JSON.stringify(toPlain(v));
}

function intOf(v: PValue | undefined): number | undefined {
  const t = scalarText(v);
  if (t === undefined || !/^-?[0-9]{1,6}$/.test(t)) return undefined;
  return Number(t);
}

/** `-1`/`all` → 'all'; else protocol number; 'unknown' when an expression or unrecognised. */
export function awsProtocol(v: PValue | undefined): number | 'all' | 'unknown' | 'missing' {
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return 'missing';
  const t = scalarText(v);
  if (t === undefined) return 'unknown';
  const l = t.toLowerCase();
  if (l === '-1' || l === 'all' || l === '*') return 'all';
  return awsProtocolNumber(l) ?? 'unknown';
}

/** A protocol name or number as AWS writes it (lower case; `icmpv6` is 58) → its number. */
export function awsProtocolNumber(l: string): number | undefined {
  return protocolNumber(l === 'icmpv6' ? 'ipv6-icmp' : l);
}

/**
 * AWS reading of a tcp/udp FromPort/ToPort pair (-1 = every port): every port, one
 * range, or invalid (outside -1..65535 or reversed: AWS rejects the rule, it opens nothing).
 * Shared with the CDK / Pulumi extractor.
 */
export function awsPortRange(a: number, b: number): { kind: 'all' } | { kind: 'range'; lo: number; hi: number } | { kind: 'invalid'; message: string } {
  // Outside 0..65535 (-1 = all is kept, conservatively): AWS rejects the rule, it opens nothing.
  if (a < -1 || b < -1 || a > 65535 || b > 65535) return { kind: 'invalid', message: `port range ${a}-${b} is not valid: AWS rejects it, the rule opens nothing` };
  if (a === -1 || (a <= 0 && b >= 65535)) return { kind: 'all' };
  // AWS rejects FromPort > ToPort: the rule cannot exist, it opens nothing.
  if (a > b) return { kind: 'invalid', message: `port range ${a}-${b} is reversed: AWS rejects it, the rule opens nothing` };
  return { kind: 'range', lo: Math.max(0, Math.min(a, b)), hi: Math.min(65535, Math.max(a, b)) };
}

/** AWS reading of an ICMP type/code pair (-1 = all): every type, the model's type*256+code values, or invalid (opens nothing). */
export function awsIcmpTypeCode(type: number, code: number): 'all' | 'invalid' | NumSet {
  if (type > 255 || code > 255 || type < -1 || code < -1) return 'invalid';
  if (type < 0) return 'all';
  return code < 0 ? numRange(type * 256, type * 256 + 255) : numSingle(type * 256 + code);
}

interface L4 {
  matches: Match[];
  label: string;
  /** Where the port/protocol is written (report span for principal sources). */
  span?: Span;
}

/** Protocol + port (or ICMP type/code) matches of a permission. */
function layer4(protocol: PValue | undefined, fromPort: PValue | undefined, toPort: PValue | undefined, ctx: AwsContext, fallback: Span, icmp?: { type: PValue | undefined; code: PValue | undefined }, deny = false): L4 {
  const p = awsProtocol(protocol);
  const portSpan = fromPort?.span ?? protocol?.span;
  if (p === 'all') return { matches: [], label: 'all', ...(portSpan ? { span: portSpan } : {}) };
  if (p === 'missing' || p === 'unknown') {
    const text = protocol?.kind === 'expr' ? protocol.text : protocol ? String(scalarText(protocol) ?? '?') : '(missing)';
    if (p === 'missing') ctx.warn('protocol is missing: any protocol is assumed', fallback, 'aws/missing-protocol');
    return {
      matches: [p === 'missing' ? unresolvedMatch(`protocol ${text}`, protocol?.span ?? fallback, 'the protocol is not given') : ctx.unresolved(`protocol ${text}`, protocol?.span ?? fallback, 'the protocol is not known statically')],
      label: `proto ${text}`,
      span: protocol?.span ?? fallback,
    };
  }
  const protoMatch: Match = { kind: 'protocol', protocols: numSingle(p), ...(protocol ? { span: protocol.span } : {}) };
  const name = p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 ? 'icmp' : p === 58 ? 'icmpv6' : `proto ${p}`;
  if (p === 6 || p === 17) {
    // (AWS requires a port range for TCP and UDP: such a rule is refused at deployment; an allow is read as every port,
    // not as none; a NACL deny closes nothing: read as every port, it closed what later entries allow)
    if (fromPort === undefined && toPort === undefined) {
      const what = `${name} without ${icmp ? 'a PortRange' : 'FromPort and ToPort'}`;
      ctx.warn(`${what}: AWS requires a port range for TCP and UDP and refuses the rule; ${deny ? 'the deny may not exist' : 'every port is assumed'}`, protocol?.span ?? fallback, 'aws/missing-ports');
      if (deny) return { matches: [protoMatch, unresolvedMatch(`${what}`, protocol?.span ?? fallback, 'AWS refuses a TCP or UDP entry without a port range: the entry may not exist')], label: `${name} (no ports)`, span: protocol?.span ?? fallback };
    }
    const a = fromPort === undefined ? -1 : intOf(fromPort);
    const b = toPort === undefined ? a : intOf(toPort);
    if (a === undefined || b === undefined) {
      const lo = portText(fromPort);
      const hi = portText(toPort);
      // (one port written as FromPort and ToPort of the same expression: named once, `ports var.port`)
      const text = lo === hi ? lo : `${lo}-${hi}`;
      return {
        matches: [protoMatch, ctx.unresolved(`ports ${text}`, portSpan ?? fallback, 'the port range is not known statically')],
        label: `${name} ${text}`,
        span: portSpan ?? fallback,
      };
    }
    const r = awsPortRange(a, b);
    if (r.kind === 'invalid') {
      ctx.diagnostics.push({ severity: 'error', code: 'aws/port-range', message: r.message, span: portSpan ?? fallback });
      return { matches: [protoMatch, { kind: 'port', dir: 'dst', ports: numSetOf([]), ...(portSpan ? { span: portSpan } : {}) }], label: `${name} ${a}-${b} (invalid)`, ...(portSpan ? { span: portSpan } : {}) };
    }
    if (r.kind === 'all') return { matches: [protoMatch], label: `${name} all ports`, ...(portSpan ? { span: portSpan } : {}) };
    const { lo, hi } = r;
    const portMatch: Match = { kind: 'port', dir: 'dst', ports: numSetOf([[lo, hi]]), ...(portSpan ? { span: portSpan } : {}) };
    return { matches: [protoMatch, portMatch], label: `${name} ${lo === hi ? lo : `${lo}-${hi}`}`, ...(portSpan ? { span: portSpan } : {}) };
  }
  if (p === 1 || p === 58) {
    const tv = icmp ? icmp.type : fromPort;
    const cv = icmp ? icmp.code : toPort;
    const type = tv === undefined ? -1 : intOf(tv);
    const code = cv === undefined ? -1 : intOf(cv);
    const family = p === 1 ? 'ipv4' : 'ipv6';
    if (type === undefined || code === undefined) {
      return { matches: [protoMatch, ctx.unresolved(`icmp type ${tv?.kind === 'expr' ? tv.text : scalarText(tv)}`, tv?.span ?? fallback, 'the ICMP type is not known statically')], label: name, ...(portSpan ? { span: portSpan } : {}) };
    }
    const ic = awsIcmpTypeCode(type, code);
    if (ic === 'invalid') {
      ctx.diagnostics.push({ severity: 'error', code: 'aws/icmp-type', message: `ICMP type ${type} code ${code} is not valid: AWS rejects it, the rule opens nothing`, span: tv?.span ?? fallback });
      return { matches: [protoMatch, { kind: 'icmp-type', family, values: numSetOf([]) }], label: `${name} type ${type} (invalid)`, ...(portSpan ? { span: portSpan } : {}) };
    }
    if (ic === 'all') return { matches: [protoMatch], label: `${name} all types`, ...(portSpan ? { span: portSpan } : {}) };
    return { matches: [protoMatch, { kind: 'icmp-type', family, values: ic, ...(tv ? { span: tv.span } : {}) }], label: `${name} type ${type}${code >= 0 ? ` code ${code}` : ''}`, ...(portSpan ? { span: portSpan } : {}) };
  }
  // Any other protocol: every packet of that protocol (ports, if it has any, are not filtered).
  return { matches: [protoMatch], label: name, ...(protocol ? { span: protocol.span } : {}) };
}

interface SourceMatch {
  match: Match | undefined;
  /** More conditions of the same source (the family an unknown CIDR field is limited to). */
  also?: Match[];
  label: string;
  /** The CIDR value for reportSpan; undefined for principals (report the port). */
  span: Span | undefined;
}

function sourceMatches(s: SourceInput, dir: 'src' | 'dst', ctx: AwsContext): SourceMatch[] {
  if (s.kind === 'principal') {
    // (a pl- id of a describe-managed-prefix-lists input, or the logical id of a template's AWS::EC2::PrefixList)
    const pl = ctx.prefixLists.get(s.name);
    if (pl) {
      let addrs = AddrSet.EMPTY;
      for (const c of pl.cidrs) addrs = addrs.union(AddrSet.parse(c) ?? AddrSet.EMPTY);
      return [{ match: { kind: 'address', dir, addrs, span: s.span }, label: `${s.name} (${addrs.toString()})`, span: s.span }];
    }
    return [{ match: { kind: 'principal', dir, names: [s.name], span: s.span }, label: s.name, span: undefined }];
  }
  if (s.kind === 'unresolved') return [{ match: ctx.unresolved(s.text, s.span, s.reason ?? 'the source is not known statically'), label: s.text, span: s.span }];
  const v = s.value;
  if (v.kind === 'expr') {
    const m: SourceMatch = { match: ctx.unresolved(v.text, v.span, 'the address is not known statically'), label: v.text, span: v.span };
    if (s.family) m.also = [{ kind: 'family', family: s.family }];
    return [m];
  }
  if (v.kind === 'array')
    // (an item resolved from a local or variable default is reported at the list it is in: `[local.world]`)
    return v.items.flatMap((i) => sourceMatches({ kind: 'cidr', value: i, ...(s.family ? { family: s.family } : {}) }, dir, ctx).map((m) => (m.span && within(m.span, v.span) === undefined ? { ...m, span: v.span } : m)));
  const t = scalarText(v);
  if (t === undefined || t === '') return [];
  const parsed = ctx.cidr(t);
  const addrs = parsed?.addrs;
  if (!addrs) {
    ctx.warn(`"${t}" is not a CIDR block`, v.span, 'aws/invalid-cidr');
    // (whatever was meant, a field of one family admits packets of that family only)
    return [{ match: unresolvedMatch(t, v.span, 'not a valid CIDR block'), ...(s.family ? { also: [{ kind: 'family', family: s.family }] } : {}), label: t, span: v.span }];
  }
  if (s.family && addrs.only(s.family).isEmpty) {
    // CidrIp / cidr_blocks / cidr_ipv4 take IPv4 CIDRs only, CidrIpv6 / ipv6_cidr_blocks / cidr_ipv6 IPv6 ones (the EC2 API,
    // CloudFormation and the Terraform provider refuse the other family): invalid, as a CIDR that does not parse
    const want = s.family === 'ipv4' ? 'IPv4' : 'IPv6';
    ctx.warn(`"${t}" is not an ${want} CIDR block, which this field takes (AWS rejects it)`, v.span, 'aws/invalid-cidr');
    return [{ match: unresolvedMatch(t, v.span, `not a valid ${want} CIDR block`), also: [{ kind: 'family', family: s.family }], label: t, span: v.span }];
  }
  if (parsed.hostBits)
    ctx.warn(`"${t}" has host bits set: it is read as ${addrs.toString()} (host bits are ignored; the Terraform AWS provider rejects such a value)`, v.span, 'aws/cidr-host-bits');
  // (every address of a family also takes the packets of group references and prefix lists: AddressMatch.named)
  const named = dir === 'src' && (addrs.coversAll('ipv4') || addrs.coversAll('ipv6'));
  return [{ match: { kind: 'address', dir, addrs, span: v.span, ...(named ? { named } : {}) }, label: t, span: v.span }];
}

/** One accept rule per source of a security-group permission. */
export function permRules(p: PermInput, ctx: AwsContext): Rule[] {
  const l4 = layer4(p.protocol, p.fromPort, p.toPort, ctx, p.span);
  const dir = p.dir === 'ingress' ? 'src' : 'dst';
  const word = p.dir === 'ingress' ? 'from' : 'to';
  const out: Rule[] = [];
  for (const s of p.sources) {
    for (const sm of sourceMatches(s, dir, ctx)) {
      const matches: Match[] = [...l4.matches];
      if (sm.match) matches.push(sm.match);
      if (sm.also) matches.push(...sm.also);
      if (s.extra) matches.push(...s.extra);
      if (p.extra) matches.push(...p.extra);
      const rule: Rule = {
        id: ctx.nextId(),
        matches,
        action: { kind: 'accept' },
        span: p.span,
        reportSpan: within(sm.span, p.span) ?? within(l4.span, p.span) ?? p.span,
        text: oneLine(`${p.dir} ${l4.label} ${word} ${sm.label}`, 240),
      };
      const d = s.description ?? p.description;
      if (d) rule.comment = d;
      out.push(rule);
    }
  }
  return out;
}

/**
 * A NACL entry's source CIDR as it filters a packet the security group behind it may admit by name (a group
 * reference, an unresolved prefix list): such a packet has an address too, which the model does not know. A CIDR
 * covering a whole family takes every packet of it, named or not (a family match); any other CIDR may or may not
 * take a named source's packet (undecided: an allow of it is possibly open, a deny of it closes nothing). Reading
 * the CIDR as an address match alone let a NACL's `0.0.0.0/0 allow` drop every packet of `security_groups = [...]`
 * (its implicit deny): the group's opening from another group was reported closed.
 */
function naclSource(m: Extract<Match, { kind: 'address' }>): Match[] {
  const alternatives = familySourceAlternatives(m.addrs, m.span);
  // the part covering no whole family (an address match, first): undecided for a named source's packet
  const part = alternatives[0]![0]!;
  if (part.kind === 'address')
    alternatives.push([
      { kind: 'principal', dir: 'src', names: [ANY_PRINCIPAL], ...(m.span ? { span: m.span } : {}) },
      // (of the family its block holds: an IPv4 block takes no IPv6 packet)
      ...familyOf(part.addrs, m.span),
      opaqueMatch('nacl', `${part.addrs.toString()} for a named source`, 'the address of a packet from a named source (security group, prefix list) is not known', m.span),
    ]);
  return anyOf(alternatives, m.span);
}

/** NACL entries → rules in evaluation order (rule number; unknown numbers: allows first, denies last — sound). */
export function naclRules(entries: NaclEntryInput[], egress: boolean, ctx: AwsContext, named = false): Rule[] {
  const list = entries.filter((e) => e.egress === egress);
  const keyed = list.map((e, i) => {
    const n = intOf(e.ruleNumber);
    const act = scalarText(e.action)?.toLowerCase();
    const order = n !== undefined ? n : act === 'deny' ? Number.MAX_SAFE_INTEGER : -1;
    return { e, i, order, n, act };
  });
  // Two entries of one direction with one rule number: AWS refuses the second (NetworkAclEntryAlreadyExists), so
  // which one exists depends on the order they are created in. Both are undecided (an allow possibly open, a deny
  // closing nothing), an allow read first.
  const seen = new Map<number, number>();
  for (const k of keyed) if (k.n !== undefined) seen.set(k.n, (seen.get(k.n) ?? 0) + 1);
  const twice = (n: number | undefined): boolean => n !== undefined && seen.get(n)! > 1;
  keyed.sort((a, b) => a.order - b.order || (twice(a.n) ? (a.act === 'deny' ? 1 : 0) - (b.act === 'deny' ? 1 : 0) : 0) || a.i - b.i);
  const out: Rule[] = [];
  const dir = egress ? 'dst' : 'src';
  const word = egress ? 'to' : 'from';
  for (const { e, n, act } of keyed) {
    // An ICMP entry's type and code are its own fields (IcmpTypeCode, Icmp, icmp_type), never the port range, which
    // AWS ignores for ICMP ("PortRange: required if specifying protocol 6 or 17"; IcmpTypeCode is optional for IPv4
    // ICMP): without them, every type.
    const l4 = layer4(e.protocol, e.fromPort, e.toPort, ctx, e.span, { type: e.icmpType, code: e.icmpCode }, act !== 'allow');
    const action: Action =
      act === 'allow' ? { kind: 'accept' } : act === 'deny' ? { kind: 'drop' } : { kind: 'unknown', target: e.action?.kind === 'expr' ? e.action.text : act ?? '(missing)', text: e.action?.kind === 'expr' ? e.action.text : `rule action ${act ?? '(missing)'}` };
    if (e.action?.kind === 'expr') ctx.unresolved(e.action.text, e.action.span, 'the rule action (allow or deny) is not known statically');
    const extra: Match[] = [...(e.extra ?? [])];
    if (twice(n))
      extra.push(ctx.unresolved(`rule number ${n}`, e.ruleNumber?.span ?? e.span, `another ${egress ? 'egress' : 'ingress'} entry of the network ACL has this number, which AWS refuses for the one created second`));
    if (n === undefined && e.ruleNumber !== undefined) extra.push(ctx.unresolved(`rule number ${e.ruleNumber.kind === 'expr' ? e.ruleNumber.text : scalarText(e.ruleNumber)}`, e.ruleNumber.span, 'the rule number (evaluation order) is not known statically'));
    const srcs: SourceInput[] = [];
    // cidr_block / CidrBlock take IPv4 only, the ipv6 ones IPv6 only (unless `cidr` stands for a whole unknown entry)
    if (e.cidr !== undefined && !(e.cidr.kind === 'scalar' && (e.cidr.value === null || e.cidr.value === ''))) srcs.push({ kind: 'cidr', value: e.cidr, ...(e.anyFamily ? {} : { family: 'ipv4' as const }) });
    if (e.cidr6 !== undefined && !(e.cidr6.kind === 'scalar' && (e.cidr6.value === null || e.cidr6.value === ''))) srcs.push({ kind: 'cidr', value: e.cidr6, family: 'ipv6' });
    for (const s of srcs) {
      for (const sm of sourceMatches(s, dir, ctx)) {
        const matches: Match[] = [...l4.matches];
        // in front of a security group, packets from its named sources pass here too (naclSource)
        if (sm.match) matches.push(...(named && sm.match.kind === 'address' && dir === 'src' ? naclSource(sm.match) : [sm.match]));
        if (sm.also) matches.push(...sm.also);
        matches.push(...extra);
        const rule: Rule = {
          id: ctx.nextId(),
          matches,
          action,
          span: e.span,
          reportSpan: within(sm.span, e.span) ?? within(l4.span, e.span) ?? e.span,
          text: oneLine(`${n ?? '?'} ${act ?? '?'} ${egress ? 'egress' : 'ingress'} ${l4.label} ${word} ${sm.label}`, 240),
        };
        // A rule whose number is not known is placed where it is sound (a deny last), not where it is: that it comes
        // after the rules that decide its packets says nothing, so it is never reported as shadowed.
        if (n === undefined || twice(n)) rule.builtIn = true;
        out.push(rule);
      }
    }
  }
  return out;
}

export interface SgRulesetInput {
  name: string;
  targets: string[];
  span: Span;
  ingress: Rule[];
  egress: Rule[];
  /** NACL chains to evaluate with the group (same subnet): exposure is the intersection. */
  nacl?: { ingress: Rule[]; egress: Rule[]; span: Span; name: string };
}

function baseChain(name: 'ingress' | 'egress', rules: Rule[], span: Span, priority: number): Chain {
  return cloudChain(name, name === 'ingress' ? 'input' : 'output', 'drop', rules, span, priority);
}

/** The table a NACL adds to a security group's ruleset (base chains at priority -10: exposure = intersection). */
export function naclTable(nacl: { ingress: Rule[]; egress: Rule[]; span: Span; name: string }): Table {
  return cloudTable(`network-acl ${nacl.name}`, [baseChain('ingress', nacl.ingress, nacl.span, -10), baseChain('egress', nacl.egress, nacl.span, -10)], nacl.span);
}

/**
 * A security group is an unordered union of allows (first-match order means nothing here), listed so that what
 * a rule opens is reported on the rule that opens it:
 * - decided rules first, so that what a decided rule opens is not reported on an undecided one (an unresolved
 *   `!Ref`/`var.x`) the engine happens to meet first;
 * - a decided rule that takes every packet of an earlier one (0.0.0.0/0 on 1761–1768 after 10.0.0.0/8 on 1768) is
 *   put before it, so that the rule inside is the one that "changes nothing", not the one left with a remainder
 *   ("from 0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8 and 5 more"): such findings do not depend on the order rules are written
 *   in. Other rules keep their order.
 */
export function decidedFirst<R extends { matches: readonly Match[] }>(rules: R[], deep = false): R[] {
  // deep: an opaque match inside an any-of alternative (a CDK peer chosen by a run-time condition) counts too
  const opaque = (m: Match): boolean => m.kind === 'opaque' || (deep && m.kind === 'any-of' && m.alternatives.some((a) => a.some(opaque)));
  const undecided = (r: R): boolean => r.matches.some(opaque);
  const out: R[] = [];
  const boxes: (PlainBox | undefined)[] = [];
  for (const r of rules) {
    if (undecided(r)) continue;
    const box = plainBox(r.matches);
    let at = out.length;
    if (box) for (let i = 0; i < out.length; i++) if (boxes[i] && boxContains(box, boxes[i]!)) {
      at = i;
      break;
    }
    out.splice(at, 0, r);
    boxes.splice(at, 0, box);
  }
  for (const r of rules) if (undecided(r)) out.push(r);
  return out;
}

/** A rule of plain matches (source addresses, destination ports, protocols, each at most once, none negated) as its three sets. */
interface PlainBox {
  src: AddrSet;
  dport: NumSet;
  proto: NumSet;
}

const ALL_PORTS = numRange(0, 65535);
const ALL_PROTOCOLS = numRange(0, 255);

function plainBox(ms: readonly Match[]): PlainBox | undefined {
  const box: PlainBox = { src: AddrSet.ALL, dport: ALL_PORTS, proto: ALL_PROTOCOLS };
  const seen = new Set<string>();
  for (const m of ms) {
    if (m.negated || seen.has(m.kind)) return undefined;
    seen.add(m.kind);
    if (m.kind === 'address' && m.dir === 'src') box.src = m.addrs;
    else if (m.kind === 'port' && m.dir === 'dst') box.dport = m.ports;
    else if (m.kind === 'protocol') box.proto = m.protocols;
    else return undefined;
  }
  return box;
}

function boxContains(a: PlainBox, b: PlainBox): boolean {
  return b.src.subtract(a.src).isEmpty && b.dport.subtract(a.dport).isEmpty && b.proto.subtract(a.proto).isEmpty;
}

export function sgRuleset(i: SgRulesetInput): Ruleset {
  const tables: Table[] = [cloudTable('security-group', [baseChain('ingress', decidedFirst(i.ingress), i.span, 0), baseChain('egress', decidedFirst(i.egress), i.span, 0)], i.span)];
  if (i.nacl) tables.push(naclTable(i.nacl));
  return cloudRuleset(i.name, dedupe(i.targets), tables);
}

/** A security group as the readers collect it (rules from the group and from standalone rule resources). */
export interface SgDraft {
  name: string;
  targets: string[];
  span: Span;
  ingress: Rule[];
  egress: Rule[];
}

/** A network ACL as the readers collect it. */
export interface NaclInput {
  name: string;
  span: Span;
  entries: NaclEntryInput[];
}

/** A NACL's entries compiled for `SgRulesetInput.nacl` / `naclTable` (ingress rules first, then egress: ids in that order). */
export function naclChains(acl: NaclInput, ctx: AwsContext): { name: string; span: Span; ingress: Rule[]; egress: Rule[] } {
  return { name: acl.name, span: acl.span, ingress: naclRules(acl.entries, false, ctx, true), egress: naclRules(acl.entries, true, ctx, true) };
}

/**
 * A security group's ruleset with the NACL of its subnets: when every attached
 * resource sits in a subnet of the same NACL, that NACL filters the group's traffic
 * too (exposure = intersection); subnets of different or unknown NACLs add none.
 */
export function groupRuleset(
  g: SgDraft,
  subnets: ReadonlySet<string> | undefined,
  aclOfSubnet: ReadonlyMap<string, string>,
  acls: ReadonlyMap<string, NaclInput>,
  ctx: AwsContext,
): Ruleset {
  const input: SgRulesetInput = { name: g.name, targets: g.targets, span: g.span, ingress: g.ingress, egress: g.egress };
  if (subnets && subnets.size > 0) {
    const aclKeys = new Set([...subnets].map((s) => aclOfSubnet.get(s) ?? '?'));
    const only = aclKeys.size === 1 ? [...aclKeys][0]! : '?';
    const acl = acls.get(only);
    if (acl) input.nacl = naclChains(acl, ctx);
  }
  return sgRuleset(input);
}

/** A NACL on its own (for the subnets it protects). */
export function naclRulesetOf(acl: NaclInput & { targets: string[] }, ctx: AwsContext, name = acl.name): Ruleset {
  return naclRuleset(name, acl.targets, acl.span, naclRules(acl.entries, false, ctx), naclRules(acl.entries, true, ctx));
}

export function naclRuleset(name: string, targets: string[], span: Span, ingress: Rule[], egress: Rule[]): Ruleset {
  return cloudRuleset(name, dedupe(targets), [cloudTable('network-acl', [baseChain('ingress', ingress, span, -10), baseChain('egress', egress, span, -10)], span)]);
}

function dedupe(list: string[]): string[] {
  return [...new Set(list.filter((x) => x !== ''))];
}

/** "sg-0abc (web)". */
export function sgName(id: string | undefined, name: string | undefined, fallback: string): string {
  if (id && name && name !== id) return `${id} (${name})`;
  return id ?? name ?? fallback;
}
