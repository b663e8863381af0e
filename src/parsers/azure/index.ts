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
import { jsonComments } from '../comments.js';
import { compileAll, findNsgObjects, isArmTemplate, nsgFromRest, nsgsFromRuleList, readArmTemplate } from './readers.js';
import { readBicep } from './bicep.js';

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
      const arm = readArmTemplate(t.value, opts.variables ?? {}, diagnostics);
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

function detect(_fileName: string, text: string): number {
  let i = 0;
  while (i < text.length && i < 4096 && /\s|\uFEFF/.test(text[i]!)) i++;
  if (text[i] !== '{' && text[i] !== '[') return 0;
  const h = text.slice(0, HEAD);
  const template = /deploymentTemplate\.json/i.test(h.slice(0, 4096));
  const nsgType = /Microsoft\.Network\/networkSecurityGroups/i.test(h);
  // A template longer than what detection reads may define its NSG further on (resources before it): read it
  // (the parse finds NSGs or nothing) rather than skip the file unsaid.
  if (template) return nsgType || h.includes('"securityRules"') ? 90 : text.length >= HEAD ? 50 : 0;
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

/** Parse the NSGs of a Bicep file (read into an ARM template's resources, then as a template). */
export function parseBicep(text: string, opts: ParseOptions = {}): FirewallDocument {
  const diagnostics: Diagnostic[] = [];
  let rulesets: Ruleset[] = [];
  let comments: FirewallDocument['comments'] = [];
  try {
    const b = readBicep(text);
    diagnostics.push(...b.diagnostics);
    comments = b.comments;
    const arm = readArmTemplate(b.root, opts.variables ?? {}, diagnostics);
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
