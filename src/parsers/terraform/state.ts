/**
 * Terraform's raw state file (`terraform.tfstate`, `terraform state pull`, the local backend's
 * `terraform.tfstate.backup`), format version 4 — what Terraform 0.12 and later write (Terraform's
 * internal/states/statefile, version4.go):
 *
 * ```
 * {"version": 4, "terraform_version": "1.9.5", "serial": 7, "lineage": "…", "outputs": {…},
 *  "resources": [{"module": "module.net[\"a\"]", "mode": "managed", "type": "aws_security_group", "name": "web",
 *                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
 *                 "instances": [{"index_key": 0, "status": "tainted", "deposed": "1a2b3c4d", "schema_version": 1,
 *                                "attributes": {…}, "sensitive_attributes": […], "private": "…", "dependencies": […]}]}]}
 * ```
 *
 * This is a front end only: each instance becomes the `TfResource` the plan reader makes of a resource of
 * `terraform show -json` (its address, its stored attributes as the body), and the same per-cloud mappers read it.
 * Attributes in a state are the provider's stored values: every attribute present, nulls explicit, nested blocks as
 * lists of objects, nothing unknown (a plan's "known after apply" has no place here); sensitive ones are stored in
 * clear too (`sensitive_attributes` only marks them for display), so they are read as any other.
 *
 * What is deployed: every managed instance, a tainted one too (`"status": "tainted"`: Terraform plans to replace it,
 * but it exists), and every deposed object (`"deposed"`: the object a create_before_destroy replacement kept, whose
 * destroy has not happened or failed — a security group still in use fails with DependencyViolation): each is a
 * separate cloud object, read as `<address> (deposed object <key>)`, as `terraform show` names it. Data resources
 * (`"mode": "data"`) are read from the cloud, not deployed by this configuration: left alone.
 */
import type { Diagnostic, Span } from '../../model/index.js';
import { get, str, type PEntry, type PObject, type PValue } from '../values.js';
import { deposedAddress, type TfResource } from './index.js';

/** The only state format version fwlint reads (Terraform 0.12 and later write it). */
export const STATE_FORMAT_VERSION = 4;

export interface StateResources {
  resources: TfResource[];
  diagnostics: Diagnostic[];
}

/** The managed resource instances of a state file's value tree, for `mapTerraformResources`. */
export function resourcesFromState(tree: PValue): StateResources {
  const diagnostics: Diagnostic[] = [];
  const resources: TfResource[] = [];
  const warn = (message: string, span: Span, code = 'terraform-state/not-read'): void => {
    diagnostics.push({ severity: 'warning', code, message, span });
  };
  if (tree.kind !== 'object') {
    diagnostics.push({ severity: 'error', code: 'terraform-state/not-state', message: 'not a Terraform state: a state file is an object with "version" and "resources"', span: tree.span });
    return { resources, diagnostics };
  }
  const version = get(tree, 'version');
  if (version === undefined) {
    // OpenTofu's encrypted state: {"meta": {…}, "encrypted_data": "…", "encryption_version": "v0"} (internal/encryption)
    const encrypted = get(tree, 'encryption_version');
    const message =
      encrypted !== undefined && get(tree, 'encrypted_data') !== undefined
        ? 'this state is encrypted (OpenTofu state encryption): fwlint reads a state in clear, of format version 4'
        : 'this Terraform state has no "version": fwlint reads state format version 4';
    diagnostics.push({ severity: 'error', code: 'terraform-state/version', message, span: encrypted?.span ?? startOf(tree.span) });
    return { resources, diagnostics };
  }
  if (!(version.kind === 'scalar' && version.value === STATE_FORMAT_VERSION)) {
    diagnostics.push({ severity: 'error', code: 'terraform-state/version', message: unsupportedVersion(version, tree), span: version.span });
    return { resources, diagnostics };
  }
  const list = get(tree, 'resources');
  if (list !== undefined && list.kind !== 'array' && !(list.kind === 'scalar' && list.value === null)) {
    diagnostics.push({ severity: 'error', code: 'terraform-state/resources', message: 'the state\'s "resources" is not a list of resources', span: list.span });
    return { resources, diagnostics };
  }
  for (const r of list?.kind === 'array' ? list.items : []) {
    if (r.kind !== 'object') {
      warn('a state resource that is not an object is not read', r.span);
      continue;
    }
    const mode = get(r, 'mode');
    const modeText = str(mode);
    if (modeText === 'data') continue;
    const type = str(get(r, 'type'));
    const name = str(get(r, 'name'));
    if (!type || !name) {
      warn('a state resource without "type" or "name" is not read', r.span);
      continue;
    }
    if (modeText !== 'managed') warn(`${type}.${name}: resource mode ${mode === undefined ? '(none)' : JSON.stringify(modeText ?? null)} is neither "managed" nor "data": read as managed`, mode?.span ?? r.span, 'terraform-state/mode');
    const module = str(get(r, 'module')) || undefined;
    const instances = get(r, 'instances');
    if (instances !== undefined && instances.kind !== 'array') warn(`${type}.${name}: "instances" is not a list: not read`, instances.span);
    for (const inst of instances?.kind === 'array' ? instances.items : []) {
      if (inst.kind !== 'object') {
        warn(`${type}.${name}: an instance that is not an object is not read`, inst.span);
        continue;
      }
      let address = `${module ? `${module}.` : ''}${type}.${name}${instanceKey(get(inst, 'index_key'), `${type}.${name}`, warn)}`;
      const deposed = str(get(inst, 'deposed'));
      if (deposed) address = deposedAddress(address, deposed);
      const res: TfResource = { type, name, address, body: instanceBody(inst, address, warn), span: inst.span, stored: true };
      if (module) res.module = module;
      resources.push(res);
    }
  }
  return { resources, diagnostics };
}

function startOf(span: Span): Span {
  return { start: span.start, end: span.start };
}

/** The message for a state of another format version than 4. */
function unsupportedVersion(version: PValue, tree: PObject): string {
  const text = version.kind === 'scalar' ? JSON.stringify(version.value) : version.kind === 'expr' ? version.text : version.kind;
  const v = version.kind === 'scalar' ? version.value : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v < STATE_FORMAT_VERSION) {
    // `.terraform/terraform.tfstate`: the backend's settings, kept by Terraform in the legacy version 3 layout
    const backend = get(tree, 'backend') !== undefined ? ': this one holds a backend configuration (Terraform keeps it in .terraform/), not deployed resources' : '';
    return `Terraform state format version ${v} is not supported: fwlint reads version 4, which Terraform 0.12 and later write${backend}`;
  }
  return `Terraform state format version ${text} is not supported: fwlint reads version 4`;
}

/** `[0]`, `["a"]` (count, for_each) or '' for an instance without key, as Terraform writes instance addresses. */
function instanceKey(key: PValue | undefined, resource: string, warn: (message: string, span: Span) => void): string {
  if (key === undefined || (key.kind === 'scalar' && key.value === null)) return '';
  if (key.kind === 'scalar' && typeof key.value === 'number' && Number.isInteger(key.value)) return `[${key.value}]`;
  if (key.kind === 'scalar' && typeof key.value === 'string') return `[${JSON.stringify(key.value)}]`;
  warn(`${resource}: instance key ${key.kind === 'scalar' ? JSON.stringify(key.value) : key.kind} is neither a number nor a string (Terraform refuses this state); the instance is read as "[?]"`, key.span);
  return '[?]';
}

/**
 * An instance's attributes: the `attributes` object as stored. An instance still holding the legacy flat form
 * (`attributes_flat`: string values keyed by paths such as `ingress.#` and `ingress.2541437006.from_port`, left by
 * Terraform 0.11 until the provider reads the object again) is not decoded — without the provider's schema its types
 * are not known: its attributes but its id and name are unknown (possibly open), and a warning says so. An instance with neither is
 * an empty object, as Terraform reads it.
 */
const IDENTITY = new Set(['id', 'name']);

function instanceBody(inst: PObject, address: string, warn: (message: string, span: Span) => void): PObject {
  const attributes = get(inst, 'attributes');
  if (attributes?.kind === 'object') return attributes;
  const flatEntry = inst.entries.find((e) => e.key === 'attributes_flat');
  const flat = flatEntry?.value;
  if (flat?.kind === 'object') {
    warn(`${address}: its attributes are in the legacy flat form of Terraform 0.11 ("attributes_flat"), which fwlint does not read: they are unknown here (a refresh, \`terraform apply -refresh-only\`, stores them as "attributes")`, flatEntry!.keySpan);
    const names = new Map<string, PEntry>();
    for (const e of flat.entries) {
      const dot = e.key.indexOf('.');
      const top = dot < 0 ? e.key : e.key.slice(0, dot);
      if (top !== '' && !names.has(top)) names.set(top, e);
    }
    return {
      kind: 'object',
      // (the object's id and name, plain strings in either form, still name it and link its rules to it)
      entries: [...names].map(([top, e]) => ({ key: top, keySpan: e.keySpan, value: IDENTITY.has(e.key) && e.value.kind === 'scalar' ? e.value : { kind: 'expr', text: `${top} (attributes_flat, not read)`, span: e.value.span } })),
      span: flat.span,
    };
  }
  if (attributes !== undefined && !(attributes.kind === 'scalar' && attributes.value === null)) warn(`${address}: "attributes" is not an object: not read`, attributes.span);
  return { kind: 'object', entries: [], span: attributes?.span ?? inst.span };
}
