/**
 * CloudFormation templates (JSON or YAML, short forms already normalised by
 * values.ts): AWS::EC2::SecurityGroup, SecurityGroupIngress/Egress,
 * NetworkAcl/NetworkAclEntry. Intrinsics are resolved where the template decides
 * them (parameter defaults, overrides, Fn::FindInMap over literal Mappings,
 * Fn::Sub/Join/Select on resolved values, Conditions over such values); Fn::If on
 * a condition the template does not decide gives both branches, each
 * conditioned by an opaque match; everything else stays an expression and
 * becomes an `opaque` (module `unresolved`) match naming it — never a pass.
 */
import { AddrSet, type Match, type Rule, type Ruleset, type Span } from '../../model/index.js';
import { get, items, placedAt, str, toPlain, withEntries, withItems, withValue, type PEntry, type PExpr, type PValue } from '../values.js';
import { parsePrefix, subnetOf } from '../cidr.js';
import { AwsContext, groupRuleset, naclRulesetOf, permRules, unresolvedMatch, type NaclEntryInput, type PermInput, type SgDraft, type SourceInput } from './core.js';

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
const NO_VALUE = 'AWS::NoValue';

export function looksLikeCloudFormation(tree: PValue | undefined): boolean {
  const res = get(tree, 'Resources');
  if (res?.kind !== 'object') return false;
  return res.entries.some((e) => isEc2(e.key, e.value, 0));
}

/** An EC2 resource, or a Fn::ForEach loop making one (its fragment: the third item, maybe a loop again). */
function isEc2(key: string, v: PValue, depth: number): boolean {
  if (key.startsWith('Fn::ForEach::')) {
    const frag = v.kind === 'array' ? v.items[2] : undefined;
    return depth < 8 && frag?.kind === 'object' && frag.entries.some((e) => isEc2(e.key, e.value, depth + 1));
  }
  // (a nested stack creates the groups of its template: a template of nested stacks alone is read for them)
  const type = str(get(v, 'Type')) ?? '';
  return type.startsWith('AWS::EC2::') || type === 'AWS::CloudFormation::Stack' || type === 'AWS::Serverless::Application';
}

/** The single intrinsic function of an object, if it is one (`{Ref: x}`, `{"Fn::Sub": …}`, `{Condition: c}`). */
function intrinsic(v: PValue | undefined): { name: string; arg: PValue } | undefined {
  if (v?.kind !== 'object' || v.entries.length !== 1) return undefined;
  const e = v.entries[0]!;
  if (e.key === 'Ref' || e.key.startsWith('Fn::') || e.key === 'Condition') return { name: e.key, arg: e.value };
  return undefined;
}

function render(name: string, arg: PValue): string {
  const short = name === 'Ref' ? 'Ref' : name.replace(/^Fn::/, '');
  if (name === 'Fn::GetAtt' && arg.kind === 'array') return `!GetAtt ${arg.items.map((i) => String(toPlain(i))).join('.')}`;
  if (arg.kind === 'scalar') return `!${short} ${String(arg.value)}`;
  const json = JSON.stringify(toPlain(arg));
  return `!${short} ${json.length > 120 ? json.slice(0, 117) + '...' : json}`;
}

interface Branch {
  value: PValue;
  extra: Match[];
  /** The deployment choices this branch stands for: condition → 'true'/'false', parameter → value. */
  choices: [string, string][];
}

class Template {
  readonly params = new Map<string, PValue>();
  readonly paramDefaults = new Map<string, PValue>();
  readonly resources = new Map<string, { type: string; props: PValue | undefined; span: Span; keySpan: Span; condition?: string; value: PValue }>();
  readonly mappings: PValue | undefined;
  readonly conditions = new Map<string, PValue>();
  private readonly conditionValues = new Map<string, boolean | undefined>();

  constructor(
    tree: PValue,
    readonly overrides: Record<string, unknown> | undefined,
    readonly ctx: AwsContext,
  ) {
    const params = get(tree, 'Parameters');
    if (params?.kind === 'object')
      for (const e of params.entries) {
        this.params.set(e.key, e.value);
        const d = get(e.value, 'Default');
        if (d) this.paramDefaults.set(e.key, d);
      }
    this.mappings = get(tree, 'Mappings');
    const conds = get(tree, 'Conditions');
    if (conds?.kind === 'object') for (const e of conds.entries) this.conditions.set(e.key, e.value);
    const res = get(tree, 'Resources');
    if (res?.kind === 'object')
      for (const e of this.forEach(res.entries, 0)) {
        if (e.key === 'Fn::Transform') {
          // AWS::Include (or a macro) adds the resources of a snippet read at deployment: not read here, said
          const loc = get(get(e.value, 'Parameters'), 'Location');
          const what = str(get(e.value, 'Name')) ?? 'a transform';
          const fn = intrinsic(loc);
          const where = loc?.kind === 'scalar' ? ` of ${String(loc.value)}` : fn ? ` of ${render(fn.name, fn.arg)}` : '';
          ctx.warn(`${what}${where} in Resources is not evaluated: firewall resources it adds are not checked here`, e.keySpan, 'aws/nested-stack-not-evaluated');
          continue;
        }
        const type = str(get(e.value, 'Type'));
        if (!type) continue;
        const r: { type: string; props: PValue | undefined; span: Span; keySpan: Span; condition?: string; value: PValue } = { type, props: get(e.value, 'Properties'), span: e.value.span, keySpan: e.keySpan, value: e.value };
        const c = str(get(e.value, 'Condition'));
        if (c) r.condition = c;
        this.resources.set(e.key, r);
      }
  }

  /**
   * `Fn::ForEach::Loop: [Identifier, Collection, {OutputKey: OutputValue}]` entries (AWS::LanguageExtensions) expanded:
   * one copy of the fragment per value of the collection, `${Identifier}`, `&{Identifier}` and `Ref: Identifier`
   * replaced (CloudFormation Fn::ForEach); a collection the template does not decide gives one copy with the identifier
   * unknown. Its resources were skipped without a word.
   */
  forEach(entries: PEntry[], depth: number): PEntry[] {
    if (!entries.some((e) => e.key.startsWith('Fn::ForEach::'))) return entries;
    const out: PEntry[] = [];
    for (const e of entries) {
      const loop = e.key.startsWith('Fn::ForEach::') && e.value.kind === 'array' && e.value.items.length === 3 ? e.value.items : undefined;
      const id = loop ? str(loop[0]) : undefined;
      const frag = loop?.[2];
      if (!loop || !id || frag?.kind !== 'object' || depth > 8) {
        out.push(e);
        continue;
      }
      const coll = this.resolve(loop[1]!);
      const values: PValue[] =
        coll.kind === 'array' && coll.items.every((i) => i.kind === 'scalar' && i.value !== null) ? coll.items : [this.unknown(`${id} (each of ${coll.kind === 'expr' ? coll.text : e.key})`, loop[1]!.span)];
      for (const v of values) {
        const copy = substituteId(frag, id, v);
        if (copy.kind === 'object') out.push(...this.forEach(copy.entries, depth + 1));
      }
    }
    return out;
  }

  unknown(text: string, span: Span): PExpr {
    return { kind: 'expr', text, span };
  }

  fromPlain(v: unknown, span: Span): PValue {
    if (v instanceof NestedArg) return placedAt(v.value, span);
    if (Array.isArray(v)) return { kind: 'array', items: v.map((x) => this.fromPlain(x, span)), span };
    if (v === null || v === undefined || typeof v === 'object') return { kind: 'scalar', value: v === undefined || v === null ? null : JSON.stringify(v), span };
    return { kind: 'scalar', value: v as string | number | boolean, span };
  }

  ref(name: string, span: Span, depth: number): PValue {
    // An SSM parameter type: the default (and an override) is the name of a Systems Manager parameter, whose
    // value CloudFormation reads at deployment (CloudFormation "SSM parameter types").
    const ptype = str(get(this.params.get(name), 'Type')) ?? '';
    if (ptype.startsWith('AWS::SSM::Parameter::Value<')) {
      const o = this.overrides && Object.prototype.hasOwnProperty.call(this.overrides, name) ? this.overrides[name] : undefined;
      const d = this.paramDefaults.get(name);
      const path = typeof o === 'string' ? o : d?.kind === 'scalar' && d.value !== null ? String(d.value) : undefined;
      return this.unknown(`!Ref ${name} (SSM parameter${path ? ` ${path}` : ''})`, span);
    }
    if (this.overrides && Object.prototype.hasOwnProperty.call(this.overrides, name)) return this.fromPlain(this.overrides[name], span);
    const d = this.paramDefaults.get(name);
    if (d) {
      const v = this.resolve(d, depth + 1);
      // CommaDelimitedList / List<…> parameters: the default is a comma-separated string.
      const type = str(get(this.params.get(name), 'Type')) ?? '';
      if ((type === 'CommaDelimitedList' || type.startsWith('List<')) && v.kind === 'scalar' && typeof v.value === 'string')
        return { kind: 'array', items: v.value.split(',').map((s) => ({ kind: 'scalar', value: s.trim(), span: v.span })), span: v.span };
      return v;
    }
    return this.unknown(`!Ref ${name}`, span);
  }

  /** Resolves intrinsics where statically decided; the rest become `PExpr` with their text. */
  resolve(v: PValue, depth = 0): PValue {
    if (depth > 32) return v.kind === 'expr' ? v : this.unknown('(nested too deeply)', v.span);
    const fn = intrinsic(v);
    if (!fn) {
      if (v.kind === 'array') return { kind: 'array', items: v.items.map((i) => this.resolve(i, depth + 1)), span: v.span };
      if (v.kind === 'object') return { kind: 'object', entries: v.entries.map((e) => ({ key: e.key, keySpan: e.keySpan, value: this.resolve(e.value, depth + 1) })), span: v.span };
      // A dynamic reference ('{{resolve:ssm:/path}}', secretsmanager…) is replaced by its value at deployment.
      if (v.kind === 'scalar' && typeof v.value === 'string' && v.value.includes('{{resolve:')) return this.unknown(v.value, v.span);
      return v;
    }
    const { name, arg } = fn;
    const span = v.span;
    const text = render(name, arg);
    switch (name) {
      case 'Ref': {
        const n = str(arg);
        if (!n) return this.unknown(text, span);
        if (n === NO_VALUE) return this.unknown(NO_VALUE, span);
        if (PSEUDO.has(n) || this.resources.has(n)) return this.unknown(text, span);
        if (this.params.has(n)) return this.ref(n, span, depth);
        return this.unknown(text, span);
      }
      case 'Fn::FindInMap': {
        const a = items(arg).map((x) => this.resolve(x, depth + 1));
        if (a.length < 3 || a.some((x, i) => i < 3 && x.kind !== 'scalar')) return this.unknown(text, span);
        const hit = get(get(get(this.mappings, String(toPlain(a[0]))), String(toPlain(a[1]))), String(toPlain(a[2])));
        // (AWS::LanguageExtensions: a fourth argument {DefaultValue: v} is the value of a missing key)
        const fallback = get(a[3], 'DefaultValue');
        return hit ? this.resolve(hit, depth + 1) : fallback ? this.resolve(fallback, depth + 1) : this.unknown(text, span);
      }
      case 'Fn::Sub': {
        const tmpl = arg.kind === 'array' ? arg.items[0] : arg;
        const vars = arg.kind === 'array' ? arg.items[1] : undefined;
        const s = str(tmpl);
        if (s === undefined) return this.unknown(text, span);
        let out = '';
        let i = 0;
        while (i < s.length) {
          const open = s.indexOf('${', i);
          if (open < 0) {
            out += s.slice(i);
            break;
          }
          out += s.slice(i, open);
          const close = s.indexOf('}', open);
          if (close < 0) return this.unknown(text, span);
          const name = s.slice(open + 2, close).trim();
          i = close + 1;
          if (name.startsWith('!')) {
            out += '${' + name.slice(1) + '}';
            continue;
          }
          const varV = get(vars, name);
          const r = varV ? this.resolve(varV, depth + 1) : this.params.has(name) ? this.ref(name, span, depth) : undefined;
          if (r?.kind !== 'scalar' || r.value === null) return this.unknown(text, span);
          out += String(r.value);
        }
        return { kind: 'scalar', value: out, span };
      }
      case 'Fn::Join': {
        const [d, list] = items(arg);
        const delim = str(d);
        const l = list ? this.resolve(list, depth + 1) : undefined;
        if (delim === undefined || l?.kind !== 'array') return this.unknown(text, span);
        const parts: string[] = [];
        for (const p of l.items) {
          if (p.kind !== 'scalar' || p.value === null) return this.unknown(text, span);
          parts.push(String(p.value));
        }
        return { kind: 'scalar', value: parts.join(delim), span };
      }
      case 'Fn::Cidr': {
        // Fn::Cidr [ipBlock, count, cidrBits]: the first `count` subnets with `cidrBits` host bits
        const [b, c, h] = items(arg).map((x) => this.resolve(x, depth + 1));
        const block = b?.kind === 'scalar' && typeof b.value === 'string' ? parsePrefix(b.value) : undefined;
        const count = c?.kind === 'scalar' ? Number(c.value) : NaN;
        const hostBits = h?.kind === 'scalar' ? Number(h.value) : NaN;
        if (!block || !Number.isInteger(count) || count < 1 || count > 256 || !Number.isInteger(hostBits)) return this.unknown(text, span);
        const out: PValue[] = [];
        for (let i = 0; i < count; i++) {
          const sub = subnetOf(b!.kind === 'scalar' ? String(b!.value) : '', block.bits - hostBits, BigInt(i));
          if (!sub) return this.unknown(text, span);
          out.push({ kind: 'scalar', value: sub, span });
        }
        return { kind: 'array', items: out, span };
      }
      case 'Fn::Split': {
        const [d, source] = items(arg);
        const delim = str(d);
        const src = source ? this.resolve(source, depth + 1) : undefined;
        if (!delim || src?.kind !== 'scalar' || typeof src.value !== 'string') return this.unknown(text, span);
        return { kind: 'array', items: src.value.split(delim).map((x) => ({ kind: 'scalar', value: x, span: src.span })), span };
      }
      case 'Fn::Select': {
        const [idx, list] = items(arg);
        const i = idx ? this.resolve(idx, depth + 1) : undefined;
        const l = list ? this.resolve(list, depth + 1) : undefined;
        const n = i?.kind === 'scalar' ? Number(i.value) : NaN;
        if (l?.kind !== 'array' || !Number.isInteger(n) || !l.items[n]) return this.unknown(text, span);
        return l.items[n]!;
      }
      case 'Fn::GetAtt': {
        // The primary IPv4 CIDR of a VPC / subnet of this template is its CidrBlock property (CloudFormation
        // return values of AWS::EC2::VPC and AWS::EC2::Subnet); anything else is known only once deployed.
        const parts = arg.kind === 'array' ? items(arg).map((x) => str(x)) : (str(arg) ?? '').split('.');
        const res = parts[0] ? this.resources.get(parts[0]) : undefined;
        const cidr = res && parts.length === 2 && parts[1] === 'CidrBlock' && (res.type === 'AWS::EC2::VPC' || res.type === 'AWS::EC2::Subnet') ? get(res.props, 'CidrBlock') : undefined;
        if (cidr) {
          const r = this.resolve(cidr, depth + 1);
          // (reported where it is used: the VPC's own line says nothing about this rule)
          if (r.kind === 'scalar') return { ...r, span };
        }
        return this.unknown(text, span);
      }
      default:
        return this.unknown(text, span);
    }
  }

  /**
   * The value of a named condition as the template decides it — Fn::Equals of values resolved as every other value
   * is (parameter defaults and overrides, mappings), Fn::And/Or/Not, Condition references — or undefined when it
   * depends on something known only at deployment (a parameter without default, a pseudo parameter).
   */
  conditionValue(name: string, depth = 0): boolean | undefined {
    if (this.conditionValues.has(name)) return this.conditionValues.get(name);
    // (a condition that names itself, directly or not, stays undecided)
    this.conditionValues.set(name, undefined);
    const def = this.conditions.get(name);
    const v = def && depth < 16 ? this.decide(def, depth + 1) : undefined;
    this.conditionValues.set(name, v);
    return v;
  }

  private decide(v: PValue, depth: number): boolean | undefined {
    const fn = intrinsic(v);
    if (!fn) return undefined;
    const args = fn.arg.kind === 'array' ? fn.arg.items : [];
    switch (fn.name) {
      case 'Condition': {
        const n = str(fn.arg);
        return n === undefined ? undefined : this.conditionValue(n, depth);
      }
      case 'Fn::Equals': {
        if (args.length !== 2) return undefined;
        const [a, b] = [this.resolve(args[0]!, depth), this.resolve(args[1]!, depth)];
        return a.kind === 'scalar' && b.kind === 'scalar' && a.value !== null && b.value !== null ? String(a.value) === String(b.value) : undefined;
      }
      case 'Fn::Not':
        if (args.length !== 1) return undefined;
        return ((x) => (x === undefined ? undefined : !x))(this.decide(args[0]!, depth + 1));
      case 'Fn::And':
      case 'Fn::Or': {
        const and = fn.name === 'Fn::And';
        let unknown = false;
        for (const a of args) {
          const x = this.decide(a, depth + 1);
          if (x === undefined) unknown = true;
          else if (x !== and) return x;
        }
        return unknown || args.length === 0 ? undefined : and;
      }
      default:
        return undefined;
    }
  }

  /** Fn::If → the branch of a condition the template decides, else both branches (each conditioned); AWS::NoValue branches vanish. */
  branches(v: PValue | undefined, depth = 0): Branch[] {
    if (!v) return [];
    const fn = intrinsic(v);
    if (fn?.name === 'Fn::If' && fn.arg.kind === 'array' && fn.arg.items.length === 3 && depth < 16) {
      const cond = String(toPlain(fn.arg.items[0]));
      const known = this.conditionValue(cond);
      if (known !== undefined) return this.branches(fn.arg.items[known ? 1 : 2]!, depth + 1);
      const out: Branch[] = [];
      [fn.arg.items[1]!, fn.arg.items[2]!].forEach((b, i) => {
        const m = this.ctx.unresolved(`!If ${cond} (${i === 0 ? 'true' : 'false'} branch)`, v.span, `condition ${cond} is decided at deployment`, `!If ${cond}`);
        for (const sub of this.branches(b, depth + 1)) out.push({ value: sub.value, extra: [m, ...sub.extra], choices: [[`Condition ${cond}`, i === 0 ? 'true' : 'false'], ...sub.choices] });
      });
      return out;
    }
    if (fn?.name === 'Ref' && str(fn.arg) === NO_VALUE) return [];
    const lookups = fn?.name === 'Fn::FindInMap' ? this.mapChoices(fn.arg, v.span, depth) : undefined;
    if (lookups) return lookups;
    // A parameter without default but with AllowedValues: one branch per allowed value.
    const pname = fn?.name === 'Ref' ? str(fn.arg) : undefined;
    if (pname && this.params.has(pname) && !this.paramDefaults.has(pname) && !(this.overrides && Object.prototype.hasOwnProperty.call(this.overrides, pname))) {
      const allowed = get(this.params.get(pname), 'AllowedValues');
      if (allowed?.kind === 'array' && allowed.items.length > 0 && allowed.items.length <= 64 && allowed.items.every((i) => i.kind === 'scalar')) {
        return allowed.items.map((i) => ({
          value: i,
          choices: [[`Parameter ${pname}`, String((i as { value: unknown }).value)]] as [string, string][],
          extra: [this.ctx.unresolved(`!Ref ${pname} = ${String((i as { value: unknown }).value)}`, v.span, `parameter ${pname} is chosen at deployment among its AllowedValues`, `!Ref ${pname}`)],
        }));
      }
    }
    return [{ value: v, extra: [], choices: [] }];
  }

  /**
   * An AWS::EC2::PrefixList of this template a rule names (`!Ref PL`, `!GetAtt PL.PrefixListId`) whose Entries the
   * template decides: its logical id, its CIDRs registered for the shared mapping, which reads the reference as those
   * addresses (it was an opaque name, so a list holding 0.0.0.0/0 was never "the whole internet").
   */
  prefixList(v: PValue): string | undefined {
    const fn = intrinsic(v);
    const parts = fn?.name === 'Ref' ? [str(fn.arg)] : fn?.name === 'Fn::GetAtt' ? (fn.arg.kind === 'array' ? items(fn.arg).map((x) => str(x)) : (str(fn.arg) ?? '').split('.')) : [];
    const name = parts[0];
    const res = name ? this.resources.get(name) : undefined;
    if (!name || res?.type !== 'AWS::EC2::PrefixList' || res.condition !== undefined || (parts.length > 1 && parts[1] !== 'PrefixListId')) return undefined;
    if (this.ctx.prefixLists.has(name)) return name;
    const entries = get(res.props, 'Entries');
    const cidrs = entries?.kind === 'array' ? entries.items.map((e) => get(e, 'Cidr')).map((c) => (c ? this.resolve(c) : undefined)) : [];
    if (cidrs.length === 0 || !cidrs.every((c) => c?.kind === 'scalar' && typeof c.value === 'string')) return undefined;
    // (read as the addresses of the reference by the shared mapping, as a describe-managed-prefix-lists input is)
    this.ctx.prefixLists.set(name, { cidrs: cidrs.map((c) => String((c as { value: unknown }).value)) });
    return name;
  }

  /**
   * `!FindInMap [Map, !Ref X, Key]` where X is known only at deployment (AWS::Region, a parameter without default):
   * one branch per top-level key of the mapping that has Key (a value without an entry fails the deployment), within
   * the parameter's AllowedValues, each conditioned by the choice. It was one unknown address ("possibly open from
   * anywhere") where the template lists the few values it can be.
   */
  private mapChoices(arg: PValue, span: Span, depth: number): Branch[] | undefined {
    if (arg.kind !== 'array' || arg.items.length !== 3 || depth >= 16) return undefined;
    const name = this.resolve(arg.items[0]!);
    const second = this.resolve(arg.items[2]!);
    const top = intrinsic(arg.items[1]);
    const x = top?.name === 'Ref' ? str(top.arg) : undefined;
    if (name.kind !== 'scalar' || second.kind !== 'scalar' || !x) return undefined;
    const free = x === 'AWS::Region' || (this.params.has(x) && !this.paramDefaults.has(x) && !(this.overrides && Object.prototype.hasOwnProperty.call(this.overrides, x)));
    const map = get(this.mappings, String(name.value));
    if (!free || map?.kind !== 'object') return undefined;
    const allowed = get(this.params.get(x), 'AllowedValues');
    const allowedKeys = allowed?.kind === 'array' ? new Set(allowed.items.map((i) => String(toPlain(i)))) : undefined;
    const out: Branch[] = [];
    for (const e of map.entries) {
      if (allowedKeys && !allowedKeys.has(e.key)) continue;
      const hit = get(e.value, String(second.value));
      if (!hit) continue;
      const m = this.ctx.unresolved(`!FindInMap ${String(name.value)} with ${x} = ${e.key}`, span, `${x} is known at deployment; the mapping gives one value per key`, `!FindInMap ${String(name.value)} !Ref ${x}`);
      for (const b of this.branches(hit, depth + 1)) out.push({ value: b.value.kind === 'scalar' ? { ...b.value, span } : b.value, extra: [m, ...b.extra], choices: [[`Parameter ${x}`, e.key], ...b.choices] });
    }
    return out.length > 0 && out.length <= 64 ? out : undefined;
  }

  /** A group reference (`!Ref SG`, `!GetAtt SG.GroupId`, literal id) → principal name. */
  groupRef(v: PValue): string | undefined {
    const fn = intrinsic(v);
    if (fn?.name === 'Ref') {
      const n = str(fn.arg);
      if (n && this.resources.has(n)) return n;
    }
    if (fn?.name === 'Fn::GetAtt') {
      const n = fn.arg.kind === 'array' ? str(fn.arg.items[0]) : str(fn.arg)?.split('.')[0];
      if (n && this.resources.has(n)) return n;
    }
    if (fn?.name === 'Fn::Sub') {
      // !Sub '${SG}' is !Ref SG, !Sub '${SG.GroupId}' is !GetAtt SG.GroupId (a template of one variable)
      const m = /^\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}$/.exec(str(fn.arg) ?? '');
      if (m && this.resources.has(m[1]!)) return m[1];
    }
    const r = this.resolve(v);
    if (r.kind === 'scalar' && r.value !== null) return String(r.value);
    if (r.kind === 'expr') return r.text;
    return undefined;
  }
}

/** A Fn::ForEach fragment with its identifier replaced by one value of the collection (an unknown value: expressions). */
function substituteId(v: PValue, id: string, value: PValue): PValue {
  const known = value.kind === 'scalar' ? String(value.value) : undefined;
  const marks = ['${' + id + '}', '&{' + id + '}'];
  const text = (s: string): string | undefined => {
    if (!marks.some((m) => s.includes(m))) return s;
    if (known === undefined) return undefined;
    return s.split(marks[0]!).join(known).split(marks[1]!).join(known.replace(/[^A-Za-z0-9]/g, ''));
  };
  switch (v.kind) {
    case 'scalar': {
      if (typeof v.value !== 'string') return v;
      const t = text(v.value);
      return t === undefined ? { kind: 'expr', text: v.value, span: v.span } : t === v.value ? v : { kind: 'scalar', value: t, span: v.span };
    }
    case 'array':
      return withItems(v, v.items.map((i) => substituteId(i, id, value)));
    case 'object': {
      const only = v.entries.length === 1 ? v.entries[0]! : undefined;
      if (only?.key === 'Ref' && str(only.value) === id) return { ...value, span: v.span };
      return withEntries(v, v.entries.map((e) => withValue(e, substituteId(e.value, id, value), text(e.key) ?? e.key)));
    }
    default:
      return v;
  }
}

/**
 * A resolved value placed where it is used: a parameter default or a mapping entry is written outside the
 * rule, on a line every rule using it shares; findings are reported at the `!Ref`/`!FindInMap` in the rule.
 */
function atUse(r: PValue, use: PValue): PValue {
  const inside = r.span.start.offset >= use.span.start.offset && r.span.end.offset <= use.span.end.offset;
  if (inside) return r;
  if (r.kind === 'scalar') return { ...r, span: use.span };
  if (r.kind === 'array') return { ...r, span: use.span, items: r.items.map((i) => atUse(i, use)) };
  return r;
}

function perm(t: Template, item: PValue, dir: 'ingress' | 'egress', extra: Match[], ctx: AwsContext): Rule[] {
  const rules: Rule[] = [];
  for (const b of t.branches(item)) {
    const it = b.value;
    const ex = [...extra, ...b.extra];
    if (it.kind !== 'object' || intrinsic(it)) {
      const r = t.resolve(it);
      const txt = r.kind === 'expr' ? r.text : JSON.stringify(toPlain(it));
      ctx.warn(`a ${dir} rule here is not an object: ${txt}`, it.span, 'aws/cfn-unresolved');
      rules.push({ id: ctx.nextId(), matches: [unresolvedMatch(txt, it.span, `the ${dir} rule is not known statically`), ...ex], action: { kind: 'accept' }, span: it.span, text: `${dir} ${txt}` });
      continue;
    }
    const field = (k: string): PValue | undefined => {
      const f = get(it, k);
      return f ? t.resolve(f) : undefined;
    };
    const sources: SourceInput[] = [];
    for (const k of ['CidrIp', 'CidrIpv6']) {
      const f = get(it, k);
      if (!f) continue;
      for (const br of t.branches(f)) {
        const r = atUse(t.resolve(br.value), br.value);
        // A condition-dependent address: each alternative carries its condition.
        // CidrIp takes IPv4 only, CidrIpv6 IPv6 only
        const family = k === 'CidrIp' ? 'ipv4' : 'ipv6';
        if (br.extra.length) sources.push({ kind: 'cidr', value: r, family, extra: br.extra });
        else sources.push({ kind: 'cidr', value: r, family });
      }
    }
    const groupKeys = dir === 'ingress' ? ['SourceSecurityGroupId', 'SourceSecurityGroupName'] : ['DestinationSecurityGroupId'];
    for (const k of groupKeys) {
      const f = get(it, k);
      if (!f) continue;
      const n = t.groupRef(f);
      if (n && n !== NO_VALUE) sources.push({ kind: 'principal', name: n, span: f.span });
    }
    const plKey = dir === 'ingress' ? 'SourcePrefixListId' : 'DestinationPrefixListId';
    const pl = get(it, plKey);
    const listed = pl ? t.prefixList(pl) : undefined;
    if (pl && listed) sources.push({ kind: 'principal', name: listed, span: pl.span });
    else if (pl) {
      const r = t.resolve(pl);
      const n = r.kind === 'scalar' ? String(r.value) : r.kind === 'expr' ? r.text : undefined;
      if (n && n !== NO_VALUE) sources.push({ kind: 'principal', name: n, span: pl.span });
    }
    const d = str(field('Description'));
    const kept = sources.filter((s) => !(s.kind === 'cidr' && s.value.kind === 'expr' && s.value.text === NO_VALUE));
    // `IpProtocol: !If [C, tcp, udp]`, `FromPort: !Ref Port` (AllowedValues): one permission per consistent choice.
    for (const [protocol, fromPort, toPort] of layerChoices(t, it, ['IpProtocol', 'FromPort', 'ToPort'], b.choices)) {
      const p: PermInput = { dir, protocol: protocol.value, fromPort: fromPort.value, toPort: toPort.value, sources: kept, span: it.span };
      const all = [...ex, ...protocol.extra, ...fromPort.extra, ...toPort.extra];
      if (all.length) p.extra = all;
      if (d) p.description = d;
      rules.push(...permRules(p, ctx));
    }
  }
  return rules;
}

type FieldBranch = { value: PValue | undefined; extra: Match[]; choices: [string, string][] };

/**
 * The alternatives of some fields of one rule: each field's `Fn::If` branches (and AllowedValues of a parameter
 * without default), combined where their choices agree (`FromPort` and `ToPort` under one condition take the same
 * branch). Over 64 combinations, each field is one unknown value instead.
 */
function layerChoices(t: Template, it: PValue, keys: string[], seed: [string, string][]): FieldBranch[][] {
  const per = keys.map((k): FieldBranch[] => {
    const f = get(it, k);
    if (!f) return [{ value: undefined, extra: [], choices: [] }];
    const bs = t.branches(f);
    // An AWS::NoValue branch leaves the field out.
    return bs.length === 0 ? [{ value: undefined, extra: [], choices: [] }] : bs.map((b) => ({ value: atUse(t.resolve(b.value), b.value), extra: b.extra, choices: b.choices }));
  });
  if (per.reduce((n, l) => n * l.length, 1) > 64) return [keys.map((k) => ({ value: get(it, k) && t.resolve(get(it, k)!), extra: [], choices: [] }))];
  let combos: FieldBranch[][] = [[]];
  for (const list of per) {
    const next: FieldBranch[][] = [];
    for (const c of combos)
      for (const b of list) {
        const agree = b.choices.every(([key, v]) => seed.every(([k2, v2]) => k2 !== key || v2 === v) && c.every((x) => x.choices.every(([k2, v2]) => k2 !== key || v2 === v)));
        if (agree) next.push([...c, b]);
      }
    combos = next;
  }
  // Extras already carried by an earlier field of the same combination are not repeated.
  return combos.map((c) => {
    const seen = new Set<string>();
    return c.map((b) => ({ ...b, extra: b.extra.filter((m) => (m.kind === 'opaque' ? !seen.has(m.text) && !!seen.add(m.text) : true)) }));
  });
}

function listRules(t: Template, list: PValue | undefined, dir: 'ingress' | 'egress', extra: Match[], ctx: AwsContext): Rule[] {
  const out: Rule[] = [];
  for (const b of t.branches(list)) {
    const v = b.value;
    if (v.kind === 'array') {
      for (const it of v.items) out.push(...perm(t, it, dir, [...extra, ...b.extra], ctx));
    } else if (v.kind === 'scalar') {
      ctx.warn(`${dir === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress'} must be a list of rules, not ${JSON.stringify(v.value)}`, v.span, 'aws/cfn-invalid');
    } else out.push(...perm(t, v, dir, [...extra, ...b.extra], ctx));
  }
  return out;
}

/** What a resource's `Condition` adds to its rules: nothing when the template decides it holds, else an undecided match. */
function conditionMatch(condition: string | undefined, span: Span, ctx: AwsContext, t: Template): Match[] {
  return condition && t.conditionValue(condition) !== true ? [ctx.unresolved(`Condition: ${condition}`, span, `the resource exists only when condition ${condition} holds`)] : [];
}

/** A resource whose `Condition` the template decides is false: CloudFormation does not create it. */
function notCreated(r: { condition?: string }, t: Template): boolean {
  return r.condition !== undefined && t.conditionValue(r.condition) === false;
}

function tagName(tags: PValue | undefined, t: Template): string | undefined {
  for (const tag of items(tags)) if (str(get(tag, 'Key')) === 'Name') return str(t.resolve(get(tag, 'Value') ?? { kind: 'scalar', value: null, span: tag.span }));
  return undefined;
}

/** A parameter a nested stack's template is given, as the parent template resolves it (unknown parts stay unknown). */
export class NestedArg {
  constructor(readonly value: PValue) {}
}

/** Reads a nested stack's template by its local path (relative to the template that names it): its documents' trees. */
export type NestedTemplateReader = (path: string) => { tree: PValue; read: NestedTemplateReader } | { error: string };

/** Nested stacks read within nested stacks, at most. */
const MAX_NESTED = 4;

export function mapCloudFormation(tree: PValue, ctx: AwsContext, overrides?: Record<string, unknown>, readNested?: NestedTemplateReader, depth = 0): Ruleset[] {
  const t = new Template(tree, overrides, ctx);
  const nested: Ruleset[] = [];
  interface Group extends SgDraft {
    explicitEgress: boolean;
    cfn: boolean;
  }
  const groups = new Map<string, Group>();
  const acls = new Map<string, { name: string; targets: string[]; span: Span; entries: NaclEntryInput[] }>();
  const groupFor = (key: string, span: Span): Group => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { name: key, targets: [key], span, ingress: [], egress: [], explicitEgress: true, cfn: false }));
    return g;
  };
  for (const [id, r] of t.resources) {
    if (r.type !== 'AWS::EC2::SecurityGroup') continue;
    if (notCreated(r, t)) continue;
    const extra = conditionMatch(r.condition, r.keySpan, ctx, t);
    const gname = get(r.props, 'GroupName') ? t.resolve(get(r.props, 'GroupName')!) : undefined;
    const tag = tagName(get(r.props, 'Tags'), t);
    const g: Group = { name: id, targets: [id, str(gname) ?? '', tag ?? ''], span: r.span, ingress: [], egress: [], explicitEgress: get(r.props, 'SecurityGroupEgress') !== undefined, cfn: true };
    g.ingress.push(...listRules(t, get(r.props, 'SecurityGroupIngress'), 'ingress', extra, ctx));
    g.egress.push(...listRules(t, get(r.props, 'SecurityGroupEgress'), 'egress', extra, ctx));
    groups.set(id, g);
  }
  // A nested stack (AWS::CloudFormation::Stack, SAM's AWS::Serverless::Application) creates the groups and ACLs of
  // its own template: one fetched at deployment (an S3 URL, a computed one, a Serverless Application Repository
  // application) is not read here — said, as Terraform's remote modules are, not skipped unsaid. A local path (for
  // `aws cloudformation package`) is a file of the repository, linted on its own.
  for (const [id, r] of t.resources) {
    const sam = r.type === 'AWS::Serverless::Application';
    if ((r.type !== 'AWS::CloudFormation::Stack' && !sam) || notCreated(r, t)) continue;
    const loc = get(r.props, sam ? 'Location' : 'TemplateURL');
    const text = loc?.kind === 'scalar' ? str(loc) : undefined;
    if (text !== undefined && text !== '' && !/^(?:https?|s3):\/\//i.test(text)) {
      // a local template (`aws cloudformation package` uploads it): read with the Parameters this stack passes, its
      // groups placed at this resource, when the reader has it and the stack is certainly created; else linted on its own
      const got = readNested && depth < MAX_NESTED && (r.condition === undefined || t.conditionValue(r.condition) === true) ? readNested(text) : undefined;
      if (got && 'tree' in got) {
        const given: Record<string, unknown> = {};
        const ps = get(r.props, 'Parameters');
        if (ps?.kind === 'object') for (const e of ps.entries) given[e.key] = new NestedArg(t.resolve(e.value));
        const tree2 = placedAt(got.tree, r.keySpan);
        const params = get(tree2, 'Parameters');
        if (ps && ps.kind !== 'object' && params?.kind === 'object') for (const e of params.entries) given[e.key] = new NestedArg(t.unknown(`Parameters of ${id}`, r.keySpan));
        nested.push(...mapCloudFormation(tree2, ctx, given, got.read, depth + 1));
      } else if (got && 'error' in got) ctx.warn(`nested stack ${id} (${text}) is not evaluated (${got.error}): firewall resources its template creates are not checked here`, r.keySpan, 'aws/nested-stack-not-evaluated');
      continue;
    }
    const fn = intrinsic(loc);
    const where = text ? ` (${text})` : fn ? ` (${render(fn.name, fn.arg)})` : loc?.kind === 'object' ? ' (an application of the Serverless Application Repository)' : '';
    ctx.warn(`nested stack ${id}${where} is not evaluated: firewall resources its template creates are not checked here`, r.keySpan, 'aws/nested-stack-not-evaluated');
  }
  for (const [, r] of t.resources) {
    if (r.type !== 'AWS::EC2::SecurityGroupIngress' && r.type !== 'AWS::EC2::SecurityGroupEgress') continue;
    if (notCreated(r, t)) continue;
    const dir = r.type.endsWith('Ingress') ? 'ingress' : 'egress';
    const gid = get(r.props, 'GroupId') ?? get(r.props, 'GroupName');
    let key = (gid && t.groupRef(gid)) ?? '(unknown group)';
    // GroupName (default VPC) names a group by its name: a group of this template of that GroupName is that group, not
    // another one (read apart, the group's own exposure missed the rule)
    if (get(r.props, 'GroupId') === undefined && gid && key !== '' && !groups.has(key))
      for (const [k, g] of groups)
        if (g.cfn && g.targets[1] === key) {
          key = k;
          break;
        }
    const g = groupFor(key, r.span);
    if (dir === 'egress') g.explicitEgress = true;
    const extra = conditionMatch(r.condition, r.keySpan, ctx, t);
    const rules = r.props ? perm(t, r.props, dir, extra, ctx) : [];
    for (const rule of rules) rule.span = r.span;
    (dir === 'ingress' ? g.ingress : g.egress).push(...rules);
  }
  for (const [id, r] of t.resources) {
    if (r.type !== 'AWS::EC2::NetworkAcl') continue;
    acls.set(id, { name: id, targets: [id, tagName(get(r.props, 'Tags'), t) ?? ''], span: r.span, entries: [] });
  }
  for (const [, r] of t.resources) {
    if (r.type !== 'AWS::EC2::NetworkAclEntry') continue;
    if (notCreated(r, t)) continue;
    const aclRef = get(r.props, 'NetworkAclId');
    const key = (aclRef && t.groupRef(aclRef)) ?? '(unknown network ACL)';
    let acl = acls.get(key);
    if (!acl) acls.set(key, (acl = { name: key, targets: [key], span: r.span, entries: [] }));
    const f = (k: string, from: PValue | undefined = r.props): PValue | undefined => {
      const v = get(from, k);
      return v ? t.resolve(v) : undefined;
    };
    const eg = f('Egress');
    const icmp = f('Icmp');
    const range = f('PortRange');
    const e: NaclEntryInput = {
      egress: eg?.kind === 'scalar' && (eg.value === true || eg.value === 'true'),
      ruleNumber: f('RuleNumber'),
      action: f('RuleAction'),
      protocol: f('Protocol'),
      fromPort: get(range, 'From'),
      toPort: get(range, 'To'),
      cidr: f('CidrBlock'),
      cidr6: f('Ipv6CidrBlock'),
      span: r.span,
    };
    if (icmp) {
      e.icmpType = get(icmp, 'Type');
      e.icmpCode = get(icmp, 'Code');
    }
    const extra = conditionMatch(r.condition, r.keySpan, ctx, t);
    if (eg?.kind === 'expr') extra.push(ctx.unresolved(`Egress: ${eg.text}`, eg.span, 'the direction is not known statically'));
    if (extra.length) e.extra = extra;
    acl.entries.push(e);
  }
  // Attachments: instances and network interfaces name their groups and subnet; subnet → NACL associations.
  const subnetsOf = new Map<string, Set<string>>();
  const attach = (owner: string, subnet: PValue | undefined, groupList: PValue | undefined): void => {
    const sk = subnet ? t.groupRef(subnet) : undefined;
    for (const gv of items(groupList)) {
      const gk = t.groupRef(gv);
      const g = gk ? groups.get(gk) : undefined;
      if (!g) continue;
      g.targets.push(owner);
      let set = subnetsOf.get(gk!);
      if (!set) subnetsOf.set(gk!, (set = new Set()));
      set.add(sk ?? '?');
    }
  };
  const aclOfSubnet = new Map<string, string>();
  for (const [id, r] of t.resources) {
    if (r.type === 'AWS::EC2::Instance') {
      attach(id, get(r.props, 'SubnetId'), get(r.props, 'SecurityGroupIds'));
      attach(id, get(r.props, 'SubnetId'), get(r.props, 'SecurityGroups'));
      for (const ni of items(get(r.props, 'NetworkInterfaces'))) attach(id, get(ni, 'SubnetId'), get(ni, 'GroupSet'));
    } else if (r.type === 'AWS::EC2::NetworkInterface') attach(id, get(r.props, 'SubnetId'), get(r.props, 'GroupSet'));
    else if (r.type === 'AWS::EC2::SubnetNetworkAclAssociation') {
      const sv = get(r.props, 'SubnetId');
      const av = get(r.props, 'NetworkAclId');
      const sk = sv ? t.groupRef(sv) : undefined;
      const ak = av ? t.groupRef(av) : undefined;
      if (sk && ak) aclOfSubnet.set(sk, ak);
    }
  }
  // Any other use of a group (a launch template's SecurityGroupIds or NetworkInterfaces Groups, a Lambda's or an ECS
  // service's VpcConfig, a load balancer's SecurityGroups …) may be in a subnet the instances' NACL does not filter:
  // no NACL is then in front of every use of the group (subnet unknown, '?').
  const ATTACHED = new Set(['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::Instance', 'AWS::EC2::NetworkInterface']);
  const mark = (v: PValue | undefined, depth: number): void => {
    if (!v || depth > 32) return;
    if (v.kind === 'array') v.items.forEach((i) => mark(i, depth + 1));
    else if (v.kind === 'object') {
      const gk = intrinsic(v) ? t.groupRef(v) : undefined;
      if (gk !== undefined && subnetsOf.has(gk)) subnetsOf.get(gk)!.add('?');
      else v.entries.forEach((e) => mark(e.value, depth + 1));
    } else if (v.kind === 'scalar' && typeof v.value === 'string') subnetsOf.get(v.value)?.add('?');
  };
  for (const [, r] of t.resources) if (!ATTACHED.has(r.type)) mark(r.props, 0);

  const out: Ruleset[] = [];
  for (const [key, g] of groups) {
    if (g.cfn && !g.explicitEgress) {
      // AWS adds "allow all outbound to 0.0.0.0/0" to a new group without egress rules.
      g.egress.push({
        id: ctx.nextId(),
        matches: [{ kind: 'address', dir: 'dst', addrs: AddrSet.ALL_V4 }],
        action: { kind: 'accept' },
        span: g.span,
        text: 'egress all to 0.0.0.0/0 (default rule of a new security group)',
      });
    }
    out.push(groupRuleset(g, subnetsOf.get(key), aclOfSubnet, acls, ctx));
  }
  for (const a of acls.values()) out.push(naclRulesetOf(a, ctx));
  return [...out, ...nested];
}
