/**
 * The Terraform formats: `terraform` (`.tf`, HCL) and `terraform-plan`
 * (`terraform show -json` of a plan or a state). Resources are dispatched to the
 * per-cloud mappers by type prefix.
 */
import type { Diagnostic, FirewallDocument, Ruleset } from '../../model/index.js';
import type { FormatDefinition, ParseOptions } from '../types.js';
import { parseJsonTree } from '../values.js';
import { mapAwsTerraform } from '../aws/terraform.js';
import { mapGcpTerraform } from '../gcp/terraform.js';
import { mapAzureTerraform } from '../azure/terraform.js';
import { get } from '../values.js';
import { evaluateTerraform, resourcesFromPlanJson, resourcesFromTfJson, type TfResource } from './index.js';

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

export function parseTerraform(text: string, options: ParseOptions = {}): FirewallDocument {
  const ev = evaluateTerraform(text, options);
  const mapped = mapTerraformResources(ev.resources);
  return { format: 'terraform', rulesets: mapped.rulesets, diagnostics: [...ev.diagnostics, ...mapped.diagnostics], comments: ev.comments };
}

export function parseTerraformPlan(text: string, options: ParseOptions = {}): FirewallDocument {
  const tree = parseJsonTree(text);
  // A Terraform JSON configuration (`*.tf.json`) rather than `terraform show -json` output.
  const config = tree.value !== undefined && get(tree.value, 'format_version') === undefined && (get(tree.value, 'resource') !== undefined || /\.tf\.json$/i.test(options.filePath ?? ''));
  const resources = !tree.value ? [] : config ? resourcesFromTfJson(tree.value, options.variables) : resourcesFromPlanJson(tree.value);
  const mapped = mapTerraformResources(resources);
  return { format: config ? 'terraform' : 'terraform-plan', rulesets: mapped.rulesets, diagnostics: [...tree.diagnostics, ...mapped.diagnostics], comments: [] };
}

export const terraformFormat: FormatDefinition = {
  id: 'terraform',
  language: 'hcl',
  detect(fileName) {
    return /\.tf$/i.test(fileName) ? 90 : 0;
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
    if (!head.trimStart().startsWith('{') || !head.includes('"format_version"')) return 0;
    if (!head.includes('"root_module"')) return 0;
    return head.includes('"planned_values"') || head.includes('"values"') ? 85 : 0;
  },
  parse: parseTerraformPlan,
};
