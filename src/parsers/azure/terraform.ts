/**
 * Terraform → Azure NSGs: `azurerm_network_security_group` (inline
 * `security_rule` blocks or attribute list), `azurerm_network_security_rule`
 * (attached through `network_security_group_name`), and the subnet / NIC
 * associations that say what an NSG protects.
 */
import { DOCUMENT_START, type Diagnostic, type Match } from '../../model/index.js';
import { get, items, storedText, type PObject, type PValue } from '../values.js';
import { lastSegment, opaque, valText, type MapResult, type TfResourceLike } from '../gcp/common.js';
import { IdSource, ruleSpecOf, type AzRuleFields, type AzRuleSpec, type NsgSpec } from './nsg.js';
import { compileAll } from './readers.js';

function all(body: PObject, key: string): PValue[] {
  const out: PValue[] = [];
  for (const e of body.entries) {
    if (e.key !== key) continue;
    if (e.value.kind === 'array') out.push(...e.value.items);
    else out.push(e.value);
  }
  return out;
}

function markers(body: PObject, what: string): Match[] {
  const out: Match[] = [];
  for (const key of ['count', 'for_each']) {
    const v = get(body, key);
    if (v?.kind === 'expr') out.push(opaque('unresolved', `${key} = ${v.text}`, `the ${what} is created a number of times that is not known statically (maybe none)`, v.span));
  }
  return out;
}

const TF_FIELDS: AzRuleFields = {
  srcPorts: ['source_port_range', 'source_port_ranges'],
  dstPorts: ['destination_port_range', 'destination_port_ranges'],
  srcPrefixes: ['source_address_prefix', 'source_address_prefixes'],
  dstPrefixes: ['destination_address_prefix', 'destination_address_prefixes'],
  srcAsgs: ['source_application_security_group_ids'],
  dstAsgs: ['destination_application_security_group_ids'],
  priority: 'priority',
  access: 'access',
  direction: 'direction',
  protocol: 'protocol',
};

function ruleFromTf(o: PObject, name: string | undefined, extra: Match[], address?: string): AzRuleSpec {
  const f = (k: string): PValue | undefined => get(o, k);
  const nameV = f('name');
  const r = ruleSpecOf(name ?? (nameV ? valText(nameV) : '(unnamed)'), o.span, f, TF_FIELDS);
  const d = f('description');
  const desc = d?.kind === 'scalar' && typeof d.value === 'string' ? d.value : undefined;
  if (address || desc) r.description = [address, desc].filter(Boolean).join(': ');
  const m = [...extra, ...markers(o, 'security rule block')];
  if (m.length) r.extra = m;
  return r;
}

/**
 * Whether a stored NSG's rule and a standalone azurerm_network_security_rule of the same name say the same: the NSG's
 * `security_rule` lists every rule it had when last read (the azurerm provider's read flattens them all), the
 * standalone rule's too, and a name is one rule of an NSG.
 */
function sameStoredRule(inline: PObject, standalone: PObject): boolean {
  const keys = [TF_FIELDS.priority, TF_FIELDS.access, TF_FIELDS.direction, TF_FIELDS.protocol, ...TF_FIELDS.srcPorts, ...TF_FIELDS.dstPorts, ...TF_FIELDS.srcPrefixes, ...TF_FIELDS.dstPrefixes, ...TF_FIELDS.srcAsgs, ...TF_FIELDS.dstAsgs];
  return keys.every((k) => storedText(get(inline, k)) === storedText(get(standalone, k)));
}

/** `azurerm_network_security_group.web.id` / `.name` → `azurerm_network_security_group.web`. */
function refAddress(v: PValue | undefined, type: string): string | undefined {
  if (v?.kind !== 'expr') return undefined;
  const t = v.text.trim();
  if (!t.startsWith(`${type}.`)) return undefined;
  const parts = t.split('.');
  return parts.length >= 2 ? `${parts[0]}.${parts[1]!.replace(/\[.*$/, '')}` : undefined;
}

/** Virtual machine resources and their NICs (`network_interface_ids`). */
const VM_TYPES = new Set(['azurerm_linux_virtual_machine', 'azurerm_windows_virtual_machine', 'azurerm_virtual_machine']);

function baseAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, '');
}

/** Map Terraform Azure resources (any types; others are ignored) to rulesets. */
export function mapAzureTerraform(resources: TfResourceLike[], options: { firstId?: number } = {}): MapResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const nsgs: NsgSpec[] = [];
    const byAddress = new Map<string, NsgSpec>();
    const byName = new Map<string, NsgSpec>();
    // NSGs whose rules Terraform manages inline (`security_rule` written, blocks or a list, even empty; a state's lists
    // every rule, see TfResource.stored: it says nothing of that)
    const inline = new Map<NsgSpec, string>();
    // a state's NSGs: their listed rules by name, each with its block
    const listedRules = new Map<NsgSpec, Map<string, { rule: AzRuleSpec; block: PObject }>>();
    // by the Azure resource id a state (or a plan of existing objects) holds as the value of a reference:
    // `network_security_group_id = "/subscriptions/…/networkSecurityGroups/nsg-app"` (ids are case-insensitive)
    const nsgById = new Map<string, NsgSpec>();
    const nicAddressById = new Map<string, string>();
    const idOf = (v: PValue | undefined): string | undefined => (v?.kind === 'scalar' && typeof v.value === 'string' && v.value.startsWith('/') ? v.value.toLowerCase() : undefined);
    for (const r of resources) {
      if (r.type !== 'azurerm_network_security_group') continue;
      const nameV = get(r.body, 'name');
      const name = nameV?.kind === 'scalar' ? valText(nameV) : r.address;
      const nsg: NsgSpec = { name, span: r.span, rules: [], targets: [r.address] };
      const extra = markers(r.body, 'NSG');
      const listed = r.stored ? new Map<string, { rule: AzRuleSpec; block: PObject }>() : undefined;
      for (const b of all(r.body, 'security_rule')) {
        if (b.kind === 'object') {
          const rule = ruleFromTf(b, undefined, extra);
          nsg.rules.push(rule);
          listed?.set(storedText(get(b, 'name')), { rule, block: b });
        } else (nsg.unresolvedRules ??= []).push({ text: valText(b), span: b.span });
      }
      if (listed) listedRules.set(nsg, listed);
      else if (r.body.entries.some((e) => e.key === 'security_rule')) inline.set(nsg, r.address);
      nsgs.push(nsg);
      byAddress.set(baseAddress(r.address), nsg);
      if (nameV?.kind === 'scalar') byName.set(name, nsg);
      const id = idOf(get(r.body, 'id'));
      if (id) nsgById.set(id, nsg);
    }
    const subnetNsg = new Map<string, string>();
    const nics: { name: string; nsg?: string; subnets: string[] }[] = [];
    const nicByAddress = new Map<string, { name: string; nsg?: string; subnets: string[] }>();
    for (const r of resources) {
      if (r.type === 'azurerm_network_interface') {
        const nameV = get(r.body, 'name');
        const nic = { name: nameV?.kind === 'scalar' ? valText(nameV) : r.address, subnets: [] as string[] };
        for (const ipc of all(r.body, 'ip_configuration')) {
          const sid = ipc.kind === 'object' ? get(ipc, 'subnet_id') : undefined;
          const a = refAddress(sid, 'azurerm_subnet');
          if (a) nic.subnets.push(a);
          else if (sid?.kind === 'scalar' && typeof sid.value === 'string') {
            nic.subnets.push(lastSegment(sid.value));
            // (and the whole id, which a subnet association of the state names)
            if (idOf(sid)) nic.subnets.push(sid.value);
          }
        }
        nics.push(nic);
        nicByAddress.set(baseAddress(r.address), nic);
        const id = idOf(get(r.body, 'id'));
        if (id) nicAddressById.set(id, baseAddress(r.address));
      }
    }
    // the virtual machines on each NIC: an NSG on the NIC, or on the subnet of one of its NICs, filters what reaches
    // them (a deployment found in a VM's custom_data is named by the VM's address)
    const vmsByNic = new Map<string, string[]>();
    for (const r of resources) {
      if (!VM_TYPES.has(r.type)) continue;
      for (const n of items(get(r.body, 'network_interface_ids'))) {
        const lit = idOf(n);
        const a = refAddress(n, 'azurerm_network_interface') ?? (lit ? nicAddressById.get(lit) : undefined);
        if (!a) continue;
        const list = vmsByNic.get(a);
        if (list) list.push(r.address);
        else vmsByNic.set(a, [r.address]);
      }
    }
    const addTargets = (nsg: NsgSpec, names: Iterable<string>): void => {
      for (const n of names) if (!nsg.targets.includes(n)) nsg.targets.push(n);
    };
    for (const r of resources) {
      if (r.type === 'azurerm_network_security_rule') {
        const groupV = get(r.body, 'network_security_group_name');
        const ref = refAddress(groupV, 'azurerm_network_security_group');
        let nsg = ref ? byAddress.get(ref) : groupV?.kind === 'scalar' ? byName.get(valText(groupV)) : undefined;
        if (!nsg) {
          // an NSG of another file of the module is named by its address, as there (`azurerm_network_security_group.x`,
          // an instance's with its key: `….x["web"]`, each instance an NSG of its own)
          const addr = groupV?.kind === 'expr' ? /^(azurerm_network_security_group\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?)\.(?:name|id)$/.exec(groupV.text.trim())?.[1] : undefined;
          const name = addr ?? (groupV ? valText(groupV) : '(unknown NSG)');
          nsg = byName.get(name) ?? byAddress.get(name);
          if (!nsg) {
            nsg = { name, span: r.span, rules: [], targets: addr ? [addr] : [], external: true };
            nsgs.push(nsg);
            byName.set(name, nsg);
          }
        }
        nsg.targets.push(r.address);
        const extra = markers(r.body, 'security rule');
        const owner = inline.get(nsg);
        if (owner)
          // The azurerm provider: an NSG with in-line rules cannot be used with azurerm_network_security_rule resources,
          // "doing so will cause a conflict of rule settings and will overwrite rules": each apply of the NSG puts its
          // in-line list back, removing this rule until its own resource adds it again. The rule may be absent: a deny
          // here closes nothing for certain, an allow is possibly open.
          extra.push(opaque('condition', `${r.address} beside the in-line security_rule of ${owner}`, 'the NSG lists its rules in-line, which overwrites standalone rules on apply (azurerm: they cannot be mixed)', groupV?.span ?? r.span));
        // a state's NSG lists this rule too when it was there at its last read: one rule, read once (here, with its
        // resource). Listed differently under its name, one of the two copies is stale: this one may be absent.
        const listed = listedRules.get(nsg);
        const nameKey = storedText(get(r.body, 'name'));
        const copy = listed?.get(nameKey);
        if (copy && sameStoredRule(copy.block, r.body)) {
          nsg.rules.splice(nsg.rules.indexOf(copy.rule), 1);
          listed!.delete(nameKey);
        } else if (copy)
          extra.push(opaque('condition', `${r.address} beside the rule of its name in ${nsg.name}`, 'the state lists another rule of this name in the NSG: one of the two copies is stale', get(r.body, 'name')?.span ?? r.span));
        nsg.rules.push(ruleFromTf(r.body, undefined, extra, r.address));
        if (!groupV) diagnostics.push({ severity: 'error', code: 'azure/missing-nsg', message: `${r.address} has no network_security_group_name`, span: r.span });
      } else if (r.type === 'azurerm_subnet_network_security_group_association' || r.type === 'azurerm_network_interface_security_group_association') {
        const nsgV = get(r.body, 'network_security_group_id');
        const nsgAddr = refAddress(nsgV, 'azurerm_network_security_group');
        const nsgId = idOf(nsgV);
        const nsg = nsgAddr ? byAddress.get(nsgAddr) : nsgId ? nsgById.get(nsgId) : undefined;
        if (!nsg) continue;
        if (r.type === 'azurerm_subnet_network_security_group_association') {
          const s = get(r.body, 'subnet_id');
          const sa = refAddress(s, 'azurerm_subnet') ?? (s ? valText(s) : undefined);
          if (sa) {
            nsg.targets.push(sa);
            subnetNsg.set(sa, nsg.name);
            for (const [na, nic] of nicByAddress) if (nic.subnets.some((x) => x.toLowerCase() === sa.toLowerCase())) addTargets(nsg, vmsByNic.get(na) ?? []);
          }
        } else {
          const n = get(r.body, 'network_interface_id');
          const nicId = idOf(n);
          const na = refAddress(n, 'azurerm_network_interface') ?? (nicId ? nicAddressById.get(nicId) : undefined) ?? (n ? valText(n) : undefined);
          if (na) {
            const nic = nicByAddress.get(na);
            nsg.targets.push(nic?.name ?? na);
            addTargets(nsg, vmsByNic.get(na) ?? []);
            if (nic) (nic as { nsg?: string }).nsg = nsg.name;
          }
        }
      }
    }
    const rulesets = compileAll(nsgs, nics, subnetNsg, new IdSource(options.firstId), diagnostics);
    return { rulesets, diagnostics };
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'azure/internal', message: `Azure Terraform mapping failed: ${String(e)}`, span: DOCUMENT_START });
    return { rulesets: [], diagnostics };
  }
}
