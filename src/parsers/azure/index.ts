/**
 * Azure network security groups: `az network nsg show/list` JSON, ARM REST NSG
 * objects (also inside recorded API responses) and ARM templates (`azure`).
 * Terraform `azurerm_network_security_group` / `azurerm_network_security_rule`
 * are mapped by ./terraform.ts for the terraform format.
 */
import { DOCUMENT_START, type Diagnostic, type FirewallDocument, type Ruleset } from '../../model/index.js';
import type { FormatDefinition, ParseOptions } from '../types.js';
import { readJson } from '../json.js';
import { IdSource } from './nsg.js';
import { Unknown } from './arm-expr.js';
import { toPlain } from '../values.js';
import { armParameterFileName, bicepParamFileName } from './files.js';
import { jsonComments } from '../comments.js';
import { compileAll, findNsgObjects, isArmTemplate, nsgFromRest, nsgsFromRuleList, readArmTemplate, type LinkedTemplateReader } from './readers.js';
import { readBicep, readBicepParams, type BicepModuleReader } from './bicep.js';
import type { IncludeReader } from '../types.js';

export { compileNsg, combineSubnetAndNic, defaultRules, type AzRuleSpec, type NsgSpec } from './nsg.js';
export { ArmEvaluator, Unknown as ArmUnknown, isArmExpression } from './arm-expr.js';
export { findNsgObjects, nsgFromRest, nsgsFromRuleList, readArmTemplate, ruleFromObject } from './readers.js';
export { mapAzureTerraform } from './terraform.js';

const HEAD = 65536;

/** Parse Azure NSGs from az CLI / ARM REST JSON or an ARM template. */
export function parseAzure(text: string, opts: ParseOptions = {}): FirewallDocument {
  const diagnostics: Diagnostic[] = [];
  let rulesets: Ruleset[] = [];
  try {
    // (several `az` outputs appended to one file, or JSON Lines, are read as the array of them)
    const t = readJson(text);
    diagnostics.push(...t.diagnostics);
    const ids = new IdSource();
    if (isArmTemplate(t.value)) {
      const linked = opts.readInclude ? linkedReader(opts.readInclude, opts.filePath) : undefined;
      const arm = readArmTemplate(t.value, { ...armLiteral(armParameterFile(opts, diagnostics)), ...(opts.variables ?? {}) }, diagnostics, [], linked);
      rulesets = compileAll(arm.nsgs, arm.nics, arm.subnetNsg, ids, diagnostics);
    } else {
      const found = findNsgObjects(t.value);
      const nsgs = found.length > 0 ? found.map(nsgFromRest) : nsgsFromRuleList(t.value);
      rulesets = compileAll(nsgs, [], new Map(), ids, diagnostics);
    }
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'azure/internal', message: `Azure parser failed: ${String(e)}`, span: DOCUMENT_START });
  }
  return { format: 'azure', rulesets, diagnostics, comments: jsonComments(text) };
}

/**
 * The values of the template's parameter file (`az deployment group create --template-file X.json --parameters
 * @X.parameters.json`), which win over the parameters' defaults as they do at deployment: read through the injected
 * reader. A Key Vault `reference` is unknown. Without the file, the defaults stand.
 */
function armParameterFile(opts: ParseOptions, diagnostics: Diagnostic[]): Record<string, unknown> {
  const name = opts.filePath && opts.readInclude ? armParameterFileName(opts.filePath) : undefined;
  if (!name) return {};
  const r = opts.readInclude!(name, opts.filePath);
  if (!('text' in r)) return {};
  const t = readJson(r.text);
  const params = t.value?.kind === 'object' ? t.value.entries.find((e) => e.key === 'parameters')?.value : undefined;
  if (t.diagnostics.some((d) => d.severity === 'error') || params?.kind !== 'object') {
    diagnostics.push({ severity: 'warning', code: 'azure/parameter-file', message: `${name} beside the template is not a parameter file fwlint can read (no "parameters" object): the parameters' defaults are used`, span: DOCUMENT_START });
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const e of params.entries) {
    const value = e.value.kind === 'object' ? e.value.entries.find((x) => x.key === 'value') : undefined;
    if (value) out[e.key] = toPlain(value.value);
    else if (e.value.kind === 'object' && e.value.entries.some((x) => x.key === 'reference')) out[e.key] = new Unknown(`parameters('${e.key}') (a Key Vault reference in ${name})`);
  }
  return out;
}

/** Values an ARM template takes as written: a parameter file holds no expressions ("[…]" is a string, "[[…" to ARM). */
function armLiteral(values: Record<string, unknown>): Record<string, unknown> {
  const literal = (v: unknown): unknown =>
    typeof v === 'string' ? (v.startsWith('[') ? `[${v}` : v) : Array.isArray(v) ? v.map(literal) : v && typeof v === 'object' && v.constructor === Object ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, literal(x)])) : v;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, literal(v)]));
}

/** The values of `X.bicepparam` beside `X.bicep` (read through the injected reader), when it uses this file. */
function bicepParamFile(opts: ParseOptions): Record<string, unknown> {
  const name = opts.filePath && opts.readInclude ? bicepParamFileName(opts.filePath) : undefined;
  if (!name) return {};
  const r = opts.readInclude!(name, opts.filePath);
  if (!('text' in r)) return {};
  // (a parameters file for another template, `using './other.bicep'`, is not this one's)
  const using = /^[ \t]*using[ \t]+'([^'\n]*)'/m.exec(r.text)?.[1];
  const self = opts.filePath!.replace(/^.*[\\/]/, '');
  if (using !== undefined && using.replace(/^.*[\\/]/, '') !== self) return {};
  return readBicepParams(r.text, (text) => new Unknown(`${text} (in ${name})`)) ?? {};
}

function detect(_fileName: string, text: string): number {
  let i = 0;
  while (i < text.length && i < 4096 && /\s|\uFEFF/.test(text[i]!)) i++;
  if (text[i] !== '{' && text[i] !== '[') return 0;
  const h = text.slice(0, HEAD);
  const template = /deploymentTemplate\.json/i.test(h.slice(0, 4096));
  const nsgType = /Microsoft\.Network\/networkSecurityGroups/i.test(h);
  // A template without NSGs is still an ARM template (a longer one may define its NSG past what detection reads):
  // read (the parse finds NSGs or nothing: quiet), as a CloudFormation template with its header is, rather than
  // "no firewall format recognises" it when it is named (a pre-commit hook's staged files).
  if (template) return nsgType || h.includes('"securityRules"') ? 90 : 50;
  if (nsgType) return 90;
  if (h.includes('"defaultSecurityRules"')) return 85;
  if (h.includes('"securityRules"') && (h.includes('"destinationPortRange') || h.includes('"sourceAddressPrefix'))) return 80;
  // az network nsg rule list
  if (/\/networkSecurityGroups\/[^/"]+\/securityRules\//i.test(h) && h.includes('"access"') && h.includes('"direction"')) return 80;
  return 0;
}

export const azureJsonFormat: FormatDefinition = {
  id: 'azure',
  language: 'json',
  detect,
  parse: (text, options) => parseAzure(text, options),
};

/** A linked template (templateLink.relativePath), relative to the template that links it, through the injected reader. */
function linkedReader(read: IncludeReader, from: string | undefined): LinkedTemplateReader {
  return (path) => {
    const r = read(path, from);
    if (!('text' in r)) return { error: 'error' in r ? r.error : `${path} names several files` };
    const t = readJson(r.text);
    if (t.value?.kind !== 'object' || t.diagnostics.some((d) => d.severity === 'error')) return { error: `${path} is not a JSON template` };
    return { root: t.value, read: linkedReader(read, r.path) };
  };
}

/** A Bicep module's file, by its path relative to the file that declares it, through the injected reader. */
function moduleReader(read: IncludeReader, from: string | undefined): BicepModuleReader {
  return (path) => {
    const r = read(path, from);
    if ('text' in r) return { path: r.path, text: r.text, read: moduleReader(read, r.path) };
    return { error: 'error' in r ? r.error : `${path} names several files` };
  };
}

/** Parse the NSGs of a Bicep file (read into an ARM template's resources, then as a template). */
export function parseBicep(text: string, opts: ParseOptions = {}): FirewallDocument {
  const diagnostics: Diagnostic[] = [];
  let rulesets: Ruleset[] = [];
  let comments: FirewallDocument['comments'] = [];
  try {
    // (the values from outside are the Bicep parameters' own: the template read from it holds no parameters)
    const given = { ...armParameterFile(opts, diagnostics), ...bicepParamFile(opts), ...(opts.variables ?? {}) };
    const b = readBicep(text, given, opts.readInclude ? moduleReader(opts.readInclude, opts.filePath) : undefined);
    diagnostics.push(...b.diagnostics);
    comments = b.comments;
    const arm = readArmTemplate(b.root, given, diagnostics);
    rulesets = compileAll(arm.nsgs, arm.nics, arm.subnetNsg, new IdSource(), diagnostics);
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'azure/internal', message: `Bicep parser failed: ${String(e)}`, span: DOCUMENT_START });
  }
  return { format: 'bicep', rulesets, diagnostics, comments };
}

export const bicepFormat: FormatDefinition = {
  id: 'bicep',
  language: 'hcl',
  // a Bicep file is named *.bicep (the Bicep CLI and the ARM tools read no other name)
  // (standard input, or another name: an NSG resource declaration at a line's start)
  detect: (fileName, text) => (fileName.toLowerCase().endsWith('.bicep') ? 95 : /(?:^|\n)[ \t]*resource[ \t]+\w+[ \t]+'Microsoft\.Network\/networkSecurityGroups@/i.test(text.slice(0, HEAD)) ? 80 : 0),
  parse: (text, options) => parseBicep(text, options),
};
