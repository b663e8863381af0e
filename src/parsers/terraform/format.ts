/**
 * The Terraform formats: `terraform` (`.tf`, HCL), `terraform-plan`
 * (`terraform show -json` of a plan or a state) and `terraform-state` (the raw
 * state file, `terraform.tfstate`). Resources are dispatched to the per-cloud
 * mappers by type prefix.
 */
import { DOCUMENT_START, type Diagnostic, type FirewallDocument, type Ruleset } from '../../model/index.js';
import type { FormatDefinition, ParseOptions } from '../types.js';
import { readJson } from '../json.js';
import { mapAwsTerraform } from '../aws/terraform.js';
import { mapGcpTerraform } from '../gcp/terraform.js';
import { mapAzureTerraform } from '../azure/terraform.js';
import { get } from '../values.js';
import { AUTO_TFVARS_PATTERNS, LOCAL_FILE_PATTERNS, TFVARS_FILES, VARIABLE_FILE_PATTERNS } from './files.js';
import { resourcesFromState } from './state.js';
import { evaluateTerraform, localValues, parseTfvars, resourcesFromPlanJson, resourcesFromTfJson, tfJsonModuleDiagnostics, variableDefaults, type TfResource } from './index.js';

type Mapper = (resources: TfResource[]) => { rulesets: Ruleset[]; diagnostics: Diagnostic[] };

/** Per-cloud mappers by resource type prefix. */
const MAPPERS: [string, Mapper][] = [
  ['aws_', mapAwsTerraform],
  ['google_', (r) => mapGcpTerraform(r)],
  ['azurerm_', (r) => mapAzureTerraform(r)],
];

/** Lets the GCP/Azure mappers be plugged in without this file importing them. */
export function registerTerraformMapper(prefix: string, mapper: Mapper): void {
  if (!MAPPERS.some(([p]) => p === prefix)) MAPPERS.push([prefix, mapper]);
}

export function mapTerraformResources(resources: TfResource[]): { rulesets: Ruleset[]; diagnostics: Diagnostic[] } {
  const rulesets: Ruleset[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [prefix, mapper] of MAPPERS) {
    const mine = resources.filter((r) => r.type.startsWith(prefix));
    if (!mine.length) continue;
    try {
      const out = mapper(mine);
      rulesets.push(...out.rulesets);
      diagnostics.push(...out.diagnostics);
    } catch (e) {
      diagnostics.push({ severity: 'error', code: 'terraform/internal', message: `mapping ${prefix}* resources failed: ${e instanceof Error ? e.message : String(e)}`, span: mine[0]!.span });
    }
  }
  // Rule ids are unique within the document.
  let id = 0;
  for (const rs of rulesets) for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) r.id = ++id;
  return { rulesets, diagnostics };
}

/**
 * The variable files Terraform loads by itself from the module's directory, later ones winning: `terraform.tfvars`,
 * `terraform.tfvars.json`, then `*.auto.tfvars` / `*.auto.tfvars.json` in lexical order of their names (Terraform
 * docs, "Variable definition precedence"). Values given with the options (`-var`, `-var-file`) win over them.
 * Read through the injected reader (the parser does no I/O); without one (stdin, tests) nothing is read.
 */
function autoTfvars(options: ParseOptions, diagnostics: Diagnostic[]): Record<string, unknown> | undefined {
  const read = options.readInclude;
  if (!read || options.filePath === undefined) return undefined;
  const files: { path: string; text: string }[] = [];
  for (const name of TFVARS_FILES) {
    const r = read(name, options.filePath);
    if ('text' in r) files.push(r);
  }
  const auto: { path: string; text: string }[] = [];
  for (const pattern of AUTO_TFVARS_PATTERNS) {
    const r = read(pattern, options.filePath);
    if ('files' in r) auto.push(...r.files);
  }
  const base = (p: string): string => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
  files.push(...auto.sort((a, b) => (base(a.path) < base(b.path) ? -1 : base(a.path) > base(b.path) ? 1 : 0)));
  if (files.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of files) {
    let vars: Record<string, unknown> | undefined;
    if (/\.json$/i.test(f.path)) {
      try {
        const v: unknown = JSON.parse(f.text);
        if (v && typeof v === 'object' && !Array.isArray(v)) vars = v as Record<string, unknown>;
      } catch {
        vars = undefined;
      }
    } else {
      const r = parseTfvars(f.text);
      if (!r.diagnostics.some((d) => d.severity === 'error')) vars = r.variables;
    }
    if (!vars) {
      diagnostics.push({ severity: 'warning', code: 'terraform/tfvars-unreadable', message: `${base(f.path)} beside this file (loaded by Terraform) could not be read: its values are not applied`, span: DOCUMENT_START });
      continue;
    }
    Object.assign(out, vars);
  }
  return out;
}

/**
 * The defaults of the variables the module's variable files declare (VARIABLE_FILE_PATTERNS; Terraform reads the directory as one module:
 * `var.x` in main.tf with `variable "x" { default = … }` in variables.tf), below tfvars and given values. Read through
 * the injected reader (none: nothing is read). Terraform refuses a variable declared twice in a module.
 */
function siblingDefaults(options: ParseOptions): Record<string, unknown> | undefined {
  return siblingValues(options, VARIABLE_FILE_PATTERNS, (text) => variableDefaults(text));
}

/**
 * The known values of the locals the module's locals files define (LOCAL_FILE_PATTERNS: `local.x` in main.tf with
 * `locals { x = … }` in locals.tf), evaluated there with the same variables. Terraform refuses a local defined twice.
 */
function siblingLocals(options: ParseOptions): Record<string, unknown> | undefined {
  return siblingValues(options, LOCAL_FILE_PATTERNS, (text) => localValues(text, options.variables));
}

/** The values `valuesOf` finds in the module's other files matching `patterns` (read once each, through the injected reader). */
function siblingValues(options: ParseOptions, patterns: readonly string[], valuesOf: (text: string) => Record<string, unknown>): Record<string, unknown> | undefined {
  const read = options.readInclude;
  if (!read || options.filePath === undefined) return undefined;
  let out: Record<string, unknown> | undefined;
  const seen = new Set<string>([options.filePath]);
  for (const pattern of patterns) {
    const r = read(pattern, options.filePath);
    if (!('files' in r)) continue;
    for (const f of r.files) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      for (const [k, v] of Object.entries(valuesOf(f.text))) (out ??= {})[k] = v;
    }
  }
  return out;
}

export function parseTerraform(text: string, options: ParseOptions = {}): FirewallDocument {
  const tfvarsDiagnostics: Diagnostic[] = [];
  const auto = autoTfvars(options, tfvarsDiagnostics);
  const siblings = siblingDefaults(options);
  if (auto || siblings) options = { ...options, variables: { ...siblings, ...auto, ...options.variables } };
  const locals = siblingLocals(options);
  const ev = evaluateTerraform(text, options, locals);
  const mapped = mapTerraformResources(ev.resources);
  return { format: 'terraform', rulesets: mapped.rulesets, diagnostics: [...tfvarsDiagnostics, ...ev.diagnostics, ...mapped.diagnostics], comments: ev.comments };
}

export function parseTerraformPlan(text: string, options: ParseOptions = {}): FirewallDocument {
  const tree = readJson(text, { several: false });
  // A Terraform JSON configuration (`*.tf.json`) rather than `terraform show -json` output.
  const config = tree.value !== undefined && get(tree.value, 'format_version') === undefined && (get(tree.value, 'resource') !== undefined || /\.tf\.json$/i.test(options.filePath ?? ''));
  // a raw state given as a plan (`--input-format terraform-plan`): it has no planned values, and read as one it
  // opened nothing (a state with 1761-1768 open to the world passed); read as the state it is
  if (!config && tree.value?.kind === 'object' && get(tree.value, 'format_version') === undefined && get(tree.value, 'version') !== undefined && ['resources', 'modules', 'lineage'].some((k) => get(tree.value, k) !== undefined)) return parseTerraformState(text, options);
  const tfvarsDiagnostics: Diagnostic[] = [];
  const auto = config ? autoTfvars(options, tfvarsDiagnostics) : undefined;
  const variables = auto ? { ...auto, ...options.variables } : options.variables;
  const resources = !tree.value ? [] : config ? resourcesFromTfJson(tree.value, variables) : resourcesFromPlanJson(tree.value);
  const mapped = mapTerraformResources(resources);
  const modules = config && tree.value ? tfJsonModuleDiagnostics(tree.value) : [];
  return { format: config ? 'terraform' : 'terraform-plan', rulesets: mapped.rulesets, diagnostics: [...tree.diagnostics, ...tfvarsDiagnostics, ...modules, ...mapped.diagnostics], comments: [] };
}

/**
 * The raw state file (`terraform.tfstate`, `terraform state pull > state.json`): its managed instances, tainted and
 * deposed ones too, through the front end of ./state.ts and the same mappers as a plan. A state of another format
 * version than 4 is an error at its "version", never an empty pass.
 */
export function parseTerraformState(text: string, _options: ParseOptions = {}): FirewallDocument {
  const tree = readJson(text, { several: false });
  const state = tree.value ? resourcesFromState(tree.value) : { resources: [], diagnostics: [] };
  const mapped = mapTerraformResources(state.resources);
  return { format: 'terraform-state', rulesets: mapped.rulesets, diagnostics: [...tree.diagnostics, ...state.diagnostics, ...mapped.diagnostics], comments: [] };
}

/** `"version": 4` (any number: another version is read to say it is not supported). */
const STATE_VERSION = /"version"\s*:\s*-?\d/;
/** What Terraform writes in every state (`"lineage": "…"`), or a hand-written state's resource instances. */
const STATE_LINEAGE = /"lineage"\s*:\s*"/;
const STATE_INSTANCES = /"instances"\s*:\s*\[/;
const STATE_MODE = /"mode"\s*:\s*"/;

/** `resource "aws_security_group" "db" {` (the providers whose firewall resources fwlint maps). */
const TF_RESOURCE = /(?:^|\n)[ \t]*resource[ \t]+"(?:aws|google|azurerm)_[a-z0-9_]+"[ \t]+"[^"\n]*"[ \t]*\{/;
/** `{"resource": {"aws_security_group": …` : Terraform's JSON configuration syntax. */
const TF_JSON_RESOURCE = /"resource"\s*:\s*\{\s*"(?:aws|google|azurerm)_/;

export const terraformFormat: FormatDefinition = {
  id: 'terraform',
  language: 'hcl',
  detect(fileName, text) {
    if (/\.tf$/i.test(fileName)) return 90;
    // standard input (`cat main.tf | fwlint -`) or another name: a cloud firewall resource block at a line's start
    return TF_RESOURCE.test(text.slice(0, 65536)) ? 70 : 0;
  },
  parse: parseTerraform,
};

export const terraformPlanFormat: FormatDefinition = {
  id: 'terraform-plan',
  language: 'json',
  detect(fileName, text) {
    const head = text.slice(0, 65536);
    // Terraform JSON configuration syntax (read by the same module: resources as in a plan's values).
    if (/\.tf\.json$/i.test(fileName) && head.trimStart().startsWith('{')) return 90;
    // the same read from standard input (a *.json file that is no *.tf.json is none: Terraform does not load it)
    if (!/\.json$/i.test(fileName) && head.trimStart().startsWith('{') && TF_JSON_RESOURCE.test(head)) return 80;
    if (!head.trimStart().startsWith('{') || !head.includes('"format_version"')) return 0;
    if (!head.includes('"root_module"')) return 0;
    return head.includes('"planned_values"') || head.includes('"values"') ? 85 : 0;
  },
  parse: parseTerraformPlan,
};

export const terraformStateFormat: FormatDefinition = {
  id: 'terraform-state',
  language: 'json',
  detect(fileName, text) {
    const head = text.slice(0, 65536).replace(/^\uFEFF/, '').trimStart();
    if (!head.startsWith('{')) return 0;
    // the local backend's file and its backups (`terraform.tfstate.backup`; `terraform state mv/rm` leave
    // `terraform.tfstate.<timestamp>.backup`): named so, a file that is no state of version 4 is said so
    if (/\.tfstate(?:\.\d+)?(?:\.backup)?$/i.test(fileName)) return 95;
    // by content (`terraform state pull > state.json`, standard input): a top-level "version" beside the lineage
    // Terraform writes, or beside resources with instances (a hand-written state); no plan or show -json output has
    // these ("format_version", "values")
    if (!STATE_VERSION.test(head)) return 0;
    return STATE_LINEAGE.test(head) || (STATE_INSTANCES.test(head) && STATE_MODE.test(head)) ? 85 : 0;
  },
  parse: parseTerraformState,
};
