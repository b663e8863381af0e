/**
 * Azure JSON inputs → `NsgSpec`s: `az network nsg show/list` output (fields at
 * top level), ARM REST objects (`properties.…`, also inside recorded API
 * responses), and ARM templates (NSG resources with inline `securityRules`,
 * nested or top-level `…/securityRules` child resources, subnets and NICs that
 * attach NSGs; parameters/variables resolved where literal).
 */
import { DOCUMENT_START, type Diagnostic, type Match, type Ruleset, type Span } from '../../model/index.js';
import { spanJoin } from '../../model/build.js';
import { getCI, placedAt, toPlain, withEntries, withItems, withValue, type PObject, type PValue } from '../values.js';
import { lastSegment, listOf, opaque, valText } from '../gcp/common.js';
import { ArmEvaluator, armFunctions, RESOURCE_ID_PREFIX, Unknown, type ArmValue } from './arm-expr.js';
import { combineSubnetAndNic, compileNsg, IdSource, ruleSpecOf, type AzRuleFields, type AzRuleSpec, type CompiledNsg, type NsgSpec } from './nsg.js';

const NSG_TYPE = 'microsoft.network/networksecuritygroups';
const RULE_TYPE = 'microsoft.network/networksecuritygroups/securityrules';
const DEFAULT_RULE_TYPE = 'microsoft.network/networksecuritygroups/defaultsecurityrules';

type Resolve = (v: PValue | undefined) => PValue | undefined;
const identity: Resolve = (v) => v;

function sval(v: PValue | undefined): string | undefined {
  return v?.kind === 'scalar' && typeof v.value === 'string' ? v.value : undefined;
}

/** Read one security rule object (`{name, properties:{…}}` or flattened). */
const ARM_FIELDS: AzRuleFields = {
  srcPorts: ['sourcePortRange', 'sourcePortRanges'],
  dstPorts: ['destinationPortRange', 'destinationPortRanges'],
  srcPrefixes: ['sourceAddressPrefix', 'sourceAddressPrefixes'],
  dstPrefixes: ['destinationAddressPrefix', 'destinationAddressPrefixes'],
  srcAsgs: ['sourceApplicationSecurityGroups'],
  dstAsgs: ['destinationApplicationSecurityGroups'],
  priority: 'priority',
  access: 'access',
  direction: 'direction',
  protocol: 'protocol',
};

export function ruleFromObject(o: PObject, res: Resolve, extra: Match[] = [], nameOverride?: string): AzRuleSpec {
  const propsRaw = res(getCI(o, 'properties'));
  const p = propsRaw?.kind === 'object' ? propsRaw : o;
  // One pass over the keys (ARM names are case-insensitive; the last duplicate wins, as in getCI).
  const byKey = new Map<string, PValue>();
  for (const e of p.entries) byKey.set(e.key.toLowerCase(), e.value);
  // values inside lists are evaluated too: "destinationPortRanges": ["[parameters('pesitPort')]", "1768"], and an
  // application security group's reference object ({ "id": "[resourceId(…)]" })
  const deep = (v: PValue | undefined): PValue | undefined => {
    const r = res(v);
    if (r?.kind === 'array') return withItems(r, r.items.map((i) => deep(i) ?? i));
    if (r?.kind === 'object') return withEntries(r, r.entries.map((e) => withValue(e, deep(e.value) ?? e.value)));
    return r;
  };
  const f = (k: string): PValue | undefined => deep(byKey.get(k.toLowerCase()));
  const nameV = res(getCI(o, 'name'));
  const r = ruleSpecOf(nameOverride ?? (nameV ? valText(nameV) : '(unnamed)'), o.span, f, ARM_FIELDS);
  const d = sval(f('description'));
  if (d) r.description = d;
  if (extra.length) r.extra = extra;
  return r;
}

function rulesOf(v: PValue | undefined, res: Resolve, extra: Match[], nsg: NsgSpec, into: AzRuleSpec[]): void {
  const rv = res(v);
  if (!rv) return;
  if (rv.kind === 'expr') {
    nsg.unresolvedRules ??= [];
    nsg.unresolvedRules.push({ text: rv.text, span: rv.span });
    return;
  }
  for (const item of listOf(rv)) {
    // an item may itself be an expression ("[variables('cftRule')]"): resolved, or an unknown rule
    const it = res(item) ?? item;
    const props = it.kind === 'object' ? unknownProperties(it, res) : undefined;
    if (props) (nsg.unresolvedRules ??= []).push(props);
    else if (it.kind === 'object') into.push(ruleFromObject(it, res, extra));
    else if (it.kind === 'expr') (nsg.unresolvedRules ??= []).push({ text: it.text, span: it.span });
    else (nsg.unresolvedRules ??= []).push({ text: valText(it), span: it.span });
  }
}

/**
 * A rule object whose `properties` is an expression not evaluated (`r.properties` of a Bicep loop over
 * loadJsonContent(), "[parameters('rules')[copyIndex()].properties]"): the rule is unknown, not one without fields.
 */
function unknownProperties(o: PObject, res: Resolve): { text: string; span: Span } | undefined {
  const p = res(getCI(o, 'properties'));
  return p?.kind === 'expr' ? { text: p.text, span: p.span } : undefined;
}

function idName(v: PValue | undefined): string | undefined {
  const s = sval(v);
  return s ? lastSegment(s) : undefined;
}

// ------------------------------------------------------------ az CLI / REST

function isNsgObject(o: PObject): boolean {
  const type = sval(getCI(o, 'type'));
  if (type && type.toLowerCase() === NSG_TYPE) return true;
  if (type) return false;
  const sr = getCI(o, 'securityRules');
  const dr = getCI(o, 'defaultSecurityRules');
  return (sr?.kind === 'array' || dr?.kind === 'array') && getCI(o, 'name') !== undefined;
}

/** NSG objects anywhere in an az CLI / REST tree (not inside another NSG). */
export function findNsgObjects(root: PValue | undefined): PObject[] {
  const out: PObject[] = [];
  const walk = (v: PValue, depth: number): void => {
    if (depth > 16) return;
    if (v.kind === 'array') for (const i of v.items) walk(i, depth + 1);
    else if (v.kind === 'object') {
      if (isNsgObject(v)) out.push(v);
      else for (const e of v.entries) walk(e.value, depth + 1);
    }
  };
  if (root) walk(root, 0);
  return out;
}

export function nsgFromRest(o: PObject): NsgSpec {
  const propsV = getCI(o, 'properties');
  const p = propsV?.kind === 'object' ? propsV : o;
  const nsg: NsgSpec = { name: sval(getCI(o, 'name')) ?? '(unnamed NSG)', span: o.span, rules: [], targets: [] };
  rulesOf(getCI(p, 'securityRules'), identity, [], nsg, nsg.rules);
  const defaults: AzRuleSpec[] = [];
  rulesOf(getCI(p, 'defaultSecurityRules'), identity, [], nsg, defaults);
  if (defaults.length > 0) nsg.defaults = defaults;
  for (const s of listOf(getCI(p, 'subnets'))) {
    const id = s.kind === 'object' ? sval(getCI(s, 'id')) : undefined;
    if (id) nsg.targets.push(subnetKeyFromId(id));
  }
  for (const n of listOf(getCI(p, 'networkInterfaces'))) {
    const id = n.kind === 'object' ? idName(getCI(n, 'id')) : undefined;
    if (id) nsg.targets.push(id);
  }
  return nsg;
}

/** "/subscriptions/…/virtualNetworks/vnet/subnets/sub" → "vnet/sub". */
function subnetKeyFromId(id: string): string {
  const parts = id.split('/');
  const i = parts.findIndex((x) => x.toLowerCase() === 'virtualnetworks');
  if (i >= 0 && parts[i + 2]?.toLowerCase() === 'subnets' && parts[i + 1] && parts[i + 3]) return `${parts[i + 1]}/${parts[i + 3]}`;
  return lastSegment(id);
}

/**
 * `az network nsg rule list` output: rule objects without their NSG. They are
 * grouped into NSGs by the name in their id (`…/networkSecurityGroups/<nsg>/securityRules/<rule>`).
 */
export function nsgsFromRuleList(root: PValue | undefined): NsgSpec[] {
  const byName = new Map<string, NsgSpec>();
  const walk = (v: PValue, depth: number): void => {
    if (depth > 8) return;
    if (v.kind === 'array') for (const i of v.items) walk(i, depth + 1);
    else if (v.kind === 'object') {
      const type = sval(getCI(v, 'type'))?.toLowerCase();
      const p = getCI(v, 'properties');
      const props = p?.kind === 'object' ? p : v;
      const looksRule = type === RULE_TYPE || type === DEFAULT_RULE_TYPE || (getCI(props, 'access') !== undefined && getCI(props, 'direction') !== undefined && getCI(props, 'priority') !== undefined);
      if (!looksRule) {
        for (const e of v.entries) walk(e.value, depth + 1);
        return;
      }
      const id = sval(getCI(v, 'id')) ?? '';
      const m = /\/networkSecurityGroups\/([^/]+)\//i.exec(id);
      const name = m ? m[1]! : '(unknown NSG)';
      let nsg = byName.get(name);
      if (!nsg) byName.set(name, (nsg = { name, span: v.span, rules: [], targets: [], external: true }));
      else nsg.span = spanJoin(nsg.span, v.span);
      // `az network nsg rule list --include-default` lists the default rules too (…/defaultSecurityRules/…)
      const isDefault = type === DEFAULT_RULE_TYPE || /\/defaultSecurityRules\//i.test(id);
      if (isDefault) (nsg.defaults ??= []).push(ruleFromObject(v, identity));
      else nsg.rules.push(ruleFromObject(v, identity));
    }
  };
  if (root) walk(root, 0);
  return [...byName.values()];
}

// ------------------------------------------------------------ ARM templates

export function isArmTemplate(root: PValue | undefined): root is PObject {
  const schema = sval(getCI(root, '$schema'));
  return !!schema && /deploymentTemplate\.json/i.test(schema);
}

function toPValue(v: ArmValue, span: Span): PValue {
  if (v instanceof Unknown) return { kind: 'expr', text: v.text, span };
  if (v === null || typeof v !== 'object') return { kind: 'scalar', value: v, span };
  if (Array.isArray(v)) return { kind: 'array', items: v.map((x) => toPValue(x, span)), span };
  return { kind: 'object', span, entries: Object.entries(v).map(([key, x]) => ({ key, keySpan: span, value: toPValue(x, span) })) };
}

/**
 * An evaluated copy of a template value (one iteration of a copy loop), placed where the template writes each part:
 * a rule made by a loop is reported at its own source or port line, not all at the loop's first line.
 */
function placedLike(v: ArmValue, tmpl: PValue | undefined, span: Span): PValue {
  if (!tmpl || tmpl.kind === 'scalar' || tmpl.kind === 'expr') return toPValue(v, tmpl?.span ?? span);
  if (v instanceof Unknown || v === null || typeof v !== 'object') return toPValue(v, tmpl.span);
  if (Array.isArray(v)) return tmpl.kind === 'array' ? { kind: 'array', items: v.map((x, i) => placedLike(x, tmpl.items[i], tmpl.span)), span: tmpl.span } : toPValue(v, tmpl.span);
  if (tmpl.kind !== 'object') return toPValue(v, tmpl.span);
  return {
    kind: 'object',
    span: tmpl.span,
    entries: Object.entries(v).map(([key, x]) => {
      const l = key.toLowerCase();
      const e = tmpl.entries.find((t) => t.key.toLowerCase() === l);
      return { key, keySpan: e?.keySpan ?? tmpl.span, value: placedLike(x, e?.value, tmpl.span) };
    }),
  };
}

function symbolic(v: ArmValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v instanceof Unknown) return v.sym ?? `⟨${v.text}⟩`;
  return undefined;
}

/** "resourceId:Microsoft.Network/networkSecurityGroups|nsg" or a full id → "nsg"; for subnets "vnet/sub". */
function refName(v: ArmValue): string | undefined {
  const s = v instanceof Unknown ? v.sym : typeof v === 'string' ? v : undefined;
  if (!s) return undefined;
  if (s.startsWith(RESOURCE_ID_PREFIX)) return s.slice(s.indexOf('|') + 1);
  if (s.includes('/virtualNetworks/') || s.includes('/virtualnetworks/')) return subnetKeyFromId(s);
  return lastSegment(s);
}

interface ArmNic {
  name: string;
  nsg?: string;
  subnets: string[];
}

export interface ArmResult {
  nsgs: NsgSpec[];
  nics: ArmNic[];
  subnetNsg: Map<string, string>;
}

/** `inherited`: conjuncts of every rule the template makes (a nested deployment's unknown condition). */
/** Reads a linked template by its `templateLink.relativePath` (relative to the template that links it). */
export type LinkedTemplateReader = (relativePath: string) => { root: PObject; read: LinkedTemplateReader } | { error: string };

export function readArmTemplate(root: PObject, overrides: Record<string, unknown>, diagnostics: Diagnostic[], inherited: Match[] = [], readLinked?: LinkedTemplateReader, linkDepth = 0): ArmResult {
  const params = new Map<string, PValue>();
  const vars = new Map<string, PValue>();
  const pv = getCI(root, 'parameters');
  if (pv?.kind === 'object') for (const e of pv.entries) params.set(e.key, e.value);
  const vv = getCI(root, 'variables');
  const copyVariables = new Map<string, { count: unknown; input: unknown }>();
  if (vv?.kind === 'object') {
    for (const e of vv.entries) {
      if (e.key.toLowerCase() !== 'copy') vars.set(e.key, e.value);
      else for (const c of listOf(e.value)) {
        const n = sval(getCI(c, 'name'));
        if (n) copyVariables.set(n, { count: toPlain(getCI(c, 'count')), input: toPlain(getCI(c, 'input')) });
      }
    }
  }
  const ev = new ArmEvaluator({ parameters: params, variables: vars, overrides, copyVariables, functions: armFunctions(toPlain(getCI(root, 'functions'))) });
  const cache = new Map<PValue, PValue>();
  const res: Resolve = (v) => {
    if (!v) return v;
    const hit = cache.get(v);
    if (hit) return hit;
    let out: PValue;
    if (v.kind === 'scalar' && typeof v.value === 'string' && v.value.startsWith('[')) out = toPValue(ev.evalString(v.value), v.span);
    else out = v;
    cache.set(v, out);
    return out;
  };
  const evalV = (v: PValue | undefined): ArmValue | undefined => {
    if (!v) return undefined;
    if (v.kind === 'scalar') return typeof v.value === 'string' ? ev.evalString(v.value) : v.value;
    // a value the Bicep reader left unevaluated ("nsg-a/${r.name}" of a loop over an unknown list): unknown, its
    // text the symbol, so that a child rule still finds its parent NSG by the name before the "/"
    if (v.kind === 'expr') return new Unknown(v.text, v.text);
    return undefined;
  };
  const nsgs = new Map<string, NsgSpec>();
  const order: NsgSpec[] = [];
  const nics: ArmNic[] = [];
  const subnetNsg = new Map<string, string>();
  const pendingChildren: { parent: string; rule?: AzRuleSpec; unresolved?: { text: string; span: Span }; span: Span }[] = [];

  const conditionOf = (r: PObject): { extra: Match[]; disabled: boolean } => {
    const c = getCI(r, 'condition');
    if (!c) return { extra: [], disabled: false };
    const v = evalV(c) ?? (c.kind === 'scalar' ? c.value : undefined);
    if (v === true) return { extra: [], disabled: false };
    if (v === false) return { extra: [], disabled: true };
    return { extra: [opaque('condition', valText(c), 'the resource is deployed only when its condition holds, which is not known statically', c.span)], disabled: false };
  };
  const copyOf = (r: PObject): Match[] => {
    const c = getCI(r, 'copy');
    return c ? [opaque('copy', valText(getCI(c, 'count')) || 'copy', 'the resource is created in a copy loop whose count is not evaluated', c.span)] : [];
  };

  const walk = (list: PValue | undefined, parent: { type: string; name: string } | undefined, depth: number, outer: Match[] = inherited): void => {
    if (depth > 8) return;
    // languageVersion 2.0 (Bicep's symbolic names): "resources" is an object of symbolic name → resource.
    const symbolicMap = list?.kind === 'object' && list.entries.length > 0 && list.entries.every((e) => e.value.kind === 'object');
    for (const r of symbolicMap ? list.entries.map((e) => e.value) : listOf(list)) {
      if (r.kind !== 'object') continue;
      // A resource copy loop ("copy": { "name", "count" }) with a count known statically: one resource per
      // index, evaluated with copyIndex() bound (ARM resource iteration); an unknown count stays one opaque resource.
      const loop = getCI(r, 'copy');
      if (loop?.kind === 'object' && !r.entries.some((e) => e.key === '__copyIndexed')) {
        const plain = toPlain(r) as Record<string, unknown>;
        for (const k of Object.keys(plain)) if (k.toLowerCase() === 'copy') delete plain[k];
        plain.__copyIndexed = true;
        const loopName = sval(getCI(loop, 'name')) ?? 'copy';
        const expanded = ev.copyLoop(loopName, toPlain(getCI(loop, 'count')), plain, `copy ${loopName}`);
        if (Array.isArray(expanded)) {
          walk({ kind: 'array', items: expanded.map((x) => placedLike(x, r, r.span)), span: r.span }, parent, depth + 1, outer);
          continue;
        }
      }
      const typeV = evalV(getCI(r, 'type'));
      let type = typeof typeV === 'string' ? typeV.toLowerCase() : '';
      if (parent && !type.includes('/')) type = `${parent.type}/${type}`;
      else if (parent && type.startsWith('microsoft.') === false) type = `${parent.type}/${type}`;
      const nameSym = symbolic(evalV(getCI(r, 'name')) ?? '') ?? '(unnamed)';
      const fullName = parent && !nameSym.includes('/') ? `${parent.name}/${nameSym}` : nameSym;
      const cond = conditionOf(r);
      const extra = [...outer, ...cond.extra, ...copyOf(r)];
      const props = res(getCI(r, 'properties'));
      if (type === NSG_TYPE) {
        const nsg: NsgSpec = { name: fullName, span: r.span, rules: [], targets: [] };
        // "existing": true (languageVersion 2.0) refers to a deployed NSG: its own rules are not in the template.
        if (evalV(getCI(r, 'existing')) === true) nsg.external = true;
        if (props?.kind === 'expr') (nsg.unresolvedRules ??= []).push({ text: props.text, span: props.span });
        const rulesV = props?.kind === 'object' ? getCI(props, 'securityRules') : undefined;
        rulesOf(rulesV, res, extra, nsg, nsg.rules);
        // Property iteration: "copy": [{ "name": "securityRules", "count": …, "input": {…} }]
        for (const c of props?.kind === 'object' ? listOf(getCI(props, 'copy')) : []) {
          if (sval(getCI(c, 'name'))?.toLowerCase() !== 'securityrules') continue;
          const arr = ev.copyLoop('securityRules', toPlain(getCI(c, 'count')), toPlain(getCI(c, 'input')), `copy securityRules count ${valText(getCI(c, 'count'))}`);
          const input = getCI(c, 'input');
          rulesOf(Array.isArray(arr) ? { kind: 'array', items: arr.map((x) => placedLike(x, input, c.span)), span: c.span } : toPValue(arr, c.span), identity, extra, nsg, nsg.rules);
        }
        if (cond.disabled) {
          diagnostics.push({ severity: 'warning', code: 'azure/condition-false', message: `NSG ${fullName} has a condition that is false: it is not deployed`, span: getCI(r, 'condition')!.span });
          // its rules are not deployed either (kept, never evaluated, as a false child rule)
          for (const rule of nsg.rules) rule.disabled = true;
        }
        if (!nsgs.has(fullName.toLowerCase())) nsgs.set(fullName.toLowerCase(), nsg);
        order.push(nsg);
        walk(getCI(r, 'resources'), { type: NSG_TYPE, name: fullName }, depth + 1, extra);
      } else if (type === RULE_TYPE) {
        const slash = fullName.lastIndexOf('/');
        // a name not known, named by its Bicep text ('${nsg.outputs.name}/ssh'): each part keeps its quotes
        const quoted = fullName.length > 1 && fullName.startsWith("'") && fullName.endsWith("'");
        const parentName = slash > 0 ? fullName.slice(0, slash) + (quoted ? "'" : '') : '(unknown NSG)';
        const ruleName = slash > 0 ? (quoted ? "'" : '') + fullName.slice(slash + 1) : fullName;
        const unresolved = unknownProperties(r, res);
        if (unresolved) {
          if (!cond.disabled) pendingChildren.push({ parent: parentName, unresolved, span: r.span });
          continue;
        }
        const rule = ruleFromObject(r, res, extra, ruleName);
        // A condition that is false: the rule is not deployed (kept, never evaluated, as a disabled GCP rule).
        if (cond.disabled) rule.disabled = true;
        pendingChildren.push({ parent: parentName, rule, span: r.span });
      } else if (type === 'microsoft.network/virtualnetworks') {
        const subnets = props?.kind === 'object' ? res(getCI(props, 'subnets')) : undefined;
        for (const s of listOf(subnets)) {
          if (s.kind !== 'object') continue;
          const sn = symbolic(evalV(getCI(s, 'name')) ?? '') ?? '?';
          const sp = res(getCI(s, 'properties'));
          const nsgRef = sp?.kind === 'object' ? getCI(sp, 'networkSecurityGroup') : undefined;
          const id = nsgRef?.kind === 'object' ? refName(evalV(getCI(nsgRef, 'id')) ?? '') : undefined;
          if (id) subnetNsg.set(`${fullName}/${sn}`, id);
        }
        walk(getCI(r, 'resources'), { type: 'microsoft.network/virtualnetworks', name: fullName }, depth + 1, extra);
      } else if (type === 'microsoft.network/virtualnetworks/subnets') {
        const nsgRef = props?.kind === 'object' ? getCI(props, 'networkSecurityGroup') : undefined;
        const id = nsgRef?.kind === 'object' ? refName(evalV(getCI(nsgRef, 'id')) ?? '') : undefined;
        if (id) subnetNsg.set(fullName, id);
      } else if (type === 'microsoft.network/networkinterfaces') {
        const nic: ArmNic = { name: fullName, subnets: [] };
        const nsgRef = props?.kind === 'object' ? getCI(props, 'networkSecurityGroup') : undefined;
        const id = nsgRef?.kind === 'object' ? refName(evalV(getCI(nsgRef, 'id')) ?? '') : undefined;
        if (id) nic.nsg = id;
        const ipcs = props?.kind === 'object' ? res(getCI(props, 'ipConfigurations')) : undefined;
        for (const ipc of listOf(ipcs)) {
          const ip = ipc.kind === 'object' ? res(getCI(ipc, 'properties')) : undefined;
          const sub = ip?.kind === 'object' ? getCI(ip, 'subnet') : undefined;
          const sid = sub?.kind === 'object' ? refName(evalV(getCI(sub, 'id')) ?? '') : undefined;
          if (sid) nic.subnets.push(sid);
        }
        nics.push(nic);
      } else if (type === 'microsoft.resources/deployments') {
        // Nested deployment: an inline template is read (scope "outer", the default, shares
        // this template's parameters and variables; "inner" gets the parameters it is passed).
        const p = getCI(r, 'properties');
        const inner = p?.kind === 'object' ? getCI(p, 'template') : undefined;
        const scope = p?.kind === 'object' ? sval(getCI(getCI(p, 'expressionEvaluationOptions'), 'scope'))?.toLowerCase() : undefined;
        if (cond.disabled) {
          // condition false: the deployment does not run, and its NSGs are not deployed (template syntax, condition)
          diagnostics.push({ severity: 'warning', code: 'azure/condition-false', message: `nested deployment ${fullName} has a condition that is false: its NSGs are not deployed`, span: getCI(r, 'condition')!.span });
        } else if (inner?.kind === 'object' && depth < 6) {
          if (scope === 'inner') {
            const sub = readArmTemplate(inner, passedParameters(p, inner), diagnostics, extra, readLinked, linkDepth);
            for (const n of sub.nsgs) {
              if (!nsgs.has(n.name.toLowerCase())) nsgs.set(n.name.toLowerCase(), n);
              order.push(n);
            }
            nics.push(...sub.nics);
            for (const [k, v] of sub.subnetNsg) subnetNsg.set(k, v);
          } else walk(getCI(inner, 'resources'), undefined, depth + 1, extra);
        } else if (p?.kind === 'object' && getCI(p, 'templateLink') !== undefined) {
          // a linked template named by relativePath (API 2020-10-01: relative to this template, as the Azure CLI and
          // template specs deploy it) is read through the reader, placed at this deployment; its own scope always
          const rel = evalV(getCI(getCI(p, 'templateLink'), 'relativePath'));
          const got = typeof rel === 'string' && readLinked && linkDepth < 4 ? readLinked(rel) : undefined;
          if (got && 'root' in got) {
            const linked = placedAt(got.root, r.span) as PObject;
            const sub = readArmTemplate(linked, passedParameters(p, linked), diagnostics, extra, got.read, linkDepth + 1);
            for (const n of sub.nsgs) {
              if (!nsgs.has(n.name.toLowerCase())) nsgs.set(n.name.toLowerCase(), n);
              order.push(n);
            }
            nics.push(...sub.nics);
            for (const [k, v] of sub.subnetNsg) subnetNsg.set(k, v);
          } else
            diagnostics.push({
              severity: 'warning',
              code: 'azure/linked-template',
              message: `nested deployment ${fullName} links to a template that is not in the input${got && 'error' in got ? ` (${got.error})` : ''}: its NSGs are not evaluated`,
              span: r.span,
            });
        }
      } else {
        walk(getCI(r, 'resources'), { type, name: fullName }, depth + 1, extra);
      }
    }
  };
  /**
   * The parameters a deployment passes to a template of its own scope (an inline one with scope "inner", a linked
   * one): a value the outer template does not decide is unknown there; a parameters file linked (parametersLink) or
   * an expression makes every parameter unknown.
   */
  function passedParameters(p: PValue | undefined, innerRoot: PObject): Record<string, unknown> {
    const passed: Record<string, unknown> = {};
    const pp = p?.kind === 'object' ? getCI(p, 'parameters') : undefined;
    const ip = getCI(innerRoot, 'parameters');
    if (pp?.kind === 'object') {
      for (const e of pp.entries) {
        // A value the outer template does not decide (reference(), a Key Vault reference, which has no
        // "value") is unknown in the inner template: never the inner parameter's defaultValue, which the
        // passed value replaces (ARM: a parameter's default is used only when no value is passed).
        const v = getCI(e.value, 'value');
        passed[e.key] = { value: v ? ev.deep(toPlain(v)) : new Unknown(valText(e.value)) };
      }
    } else if (pp || (p?.kind === 'object' && getCI(p, 'parametersLink') !== undefined)) {
      // the passed parameters are themselves an expression, or a parameter file not in the input: every inner
      // parameter is unknown
      const what = pp ? valText(pp) : `parametersLink ${valText(getCI(getCI(p, 'parametersLink'), 'uri')) || '(a parameter file)'}`;
      if (ip?.kind === 'object') for (const e of ip.entries) passed[e.key] = { value: new Unknown(what) };
    }
    return passed;
  }
  walk(getCI(root, 'resources'), undefined, 0);
  for (const c of pendingChildren) {
    let nsg = nsgs.get(c.parent.toLowerCase());
    if (!nsg) {
      nsg = { name: c.parent, span: c.span, rules: [], targets: [], external: true };
      nsgs.set(c.parent.toLowerCase(), nsg);
      order.push(nsg);
    }
    if (c.rule) {
      // A child resource "nsg/Allow-CFT" and the NSG's inline rule "Allow-CFT" are one Azure resource (as `az group
      // export` writes every rule twice): the child, deployed after its NSG, is the rule; not a second one.
      const name = c.rule.name.toLowerCase();
      const same = nsg.rules.findIndex((r) => r.name.toLowerCase() === name);
      if (same >= 0) nsg.rules[same] = c.rule;
      else nsg.rules.push(c.rule);
    }
    if (c.unresolved) (nsg.unresolvedRules ??= []).push(c.unresolved);
  }
  for (const [subnet, nsgName] of subnetNsg) nsgs.get(nsgName.toLowerCase())?.targets.push(subnet);
  for (const nic of nics) if (nic.nsg) nsgs.get(nic.nsg.toLowerCase())?.targets.push(nic.name);
  // An NSG the template only refers to ("existing": true) and gives no rules: nothing of it is in the input (its
  // rules are elsewhere), so it is no ruleset here; its default rules alone were reported as openings nobody wrote.
  const written = order.filter((n) => !(n.external && n.rules.length === 0 && !n.unresolvedRules?.length));
  return { nsgs: written, nics, subnetNsg };
}

/** Compile NSGs and, for NICs whose subnet NSG and own NSG are both known, the combined rulesets. */
export function compileAll(nsgs: NsgSpec[], nics: ArmNic[], subnetNsg: Map<string, string>, ids: IdSource, diagnostics: Diagnostic[]): Ruleset[] {
  const out: Ruleset[] = [];
  const byName = new Map<string, CompiledNsg>();
  for (const n of nsgs) {
    const c = compileNsg(n, ids, diagnostics);
    if (!byName.has(n.name.toLowerCase())) byName.set(n.name.toLowerCase(), c);
    out.push(c.ruleset);
  }
  // ARM resource names are case-insensitive: a NIC's subnet "VNet/App" is the subnet "vnet/app"
  const subnetByName = new Map([...subnetNsg].map(([k, v]) => [k.toLowerCase(), v]));
  for (const nic of nics) {
    if (!nic.nsg) continue;
    const nicNsg = byName.get(nic.nsg.toLowerCase());
    for (const s of nic.subnets) {
      const sn = subnetByName.get(s.toLowerCase());
      const subNsg = sn ? byName.get(sn.toLowerCase()) : undefined;
      if (nicNsg && subNsg) out.push(combineSubnetAndNic(nic.name, s, subNsg, nicNsg, ids));
    }
  }
  return out;
}

export { DOCUMENT_START };
