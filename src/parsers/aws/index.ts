/**
 * AWS formats: `aws` (JSON: aws-cli / boto exports and CloudFormation JSON
 * templates) and `cloudformation-yaml`. Terraform is read by
 * src/parsers/terraform/format.ts, which calls `mapAwsTerraform`.
 */
import { DOCUMENT_START, type FirewallDocument, type Ruleset } from '../../model/index.js';
import type { FormatDefinition, IncludeReader, ParseOptions } from '../types.js';
import type { PValue } from '../values.js';
import { parseYamlDocuments } from '../values.js';
import { jsonComments, yamlComments } from '../comments.js';
import { readJson } from '../json.js';
import { looksLikeApi, mapApi } from './api.js';
import { looksLikeCloudFormation, mapCloudFormation, type NestedTemplateReader } from './cloudformation.js';
import { AwsContext } from './core.js';

export { mapAwsTerraform } from './terraform.js';
export { AwsContext, permRules, naclRules, sgRuleset, naclRuleset, type PermInput, type NaclEntryInput, type SourceInput } from './core.js';

function baseName(p: string | undefined): string {
  if (!p) return '';
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

/** A nested stack's local template, relative to the template that names it, through the injected reader. */
function nestedReader(read: IncludeReader, from: string | undefined): NestedTemplateReader {
  return (path) => {
    const r = read(path, from);
    if (!('text' in r)) return { error: 'error' in r ? r.error : `${path} names several files` };
    const json = r.text.trimStart().startsWith('{');
    const parsed = json ? readJson(r.text) : undefined;
    const yaml = json ? undefined : parseYamlDocuments(r.text);
    const tree = parsed ? parsed.value : yaml!.values[0];
    const errors = (parsed ? parsed.diagnostics : yaml!.diagnostics).some((d) => d.severity === 'error');
    if (!tree || errors || !looksLikeCloudFormation(tree)) return { error: `${path} is not a template fwlint can read` };
    return { tree, read: nestedReader(read, r.path) };
  };
}

function mapTree(tree: PValue | undefined, ctx: AwsContext, options: ParseOptions): Ruleset[] {
  if (!tree) return [];
  const out: Ruleset[] = [];
  if (looksLikeCloudFormation(tree)) out.push(...mapCloudFormation(tree, ctx, options.variables, options.readInclude ? nestedReader(options.readInclude, options.filePath) : undefined));
  if (looksLikeApi(tree)) out.push(...mapApi(tree, ctx, baseName(options.filePath)));
  return out;
}

function document(format: string, parsed: { values: (PValue | undefined)[]; diagnostics: FirewallDocument['diagnostics'] }, options: ParseOptions): FirewallDocument {
  const ctx = new AwsContext();
  const rulesets: Ruleset[] = [];
  for (const value of parsed.values)
    try {
      rulesets.push(...mapTree(value, ctx, options));
    } catch (e) {
      ctx.diagnostics.push({ severity: 'error', code: 'aws/internal', message: `AWS mapping failed: ${e instanceof Error ? e.message : String(e)}`, span: value?.span ?? DOCUMENT_START });
    }
  return { format, rulesets, diagnostics: [...parsed.diagnostics, ...ctx.diagnostics], comments: [] };
}

export function parseAwsJson(text: string, options: ParseOptions = {}): FirewallDocument {
  const t = readJson(text);
  const doc = document('aws', { values: [t.value], diagnostics: t.diagnostics }, options);
  // (a hand-kept export or template with `//` or block comments: their `eslint-disable` and `eslint` directives were
  // not read, as they are in GCP and Azure JSON)
  doc.comments = jsonComments(text);
  return doc;
}

export function parseCloudFormationYaml(text: string, options: ParseOptions = {}): FirewallDocument {
  // Every document of a multi-document file (`---`), each a template of its own (the first alone hid the others).
  const doc = document('cloudformation-yaml', parseYamlDocuments(text), options);
  doc.comments = yamlComments(text);
  return doc;
}

const HEAD = 65536;

/** Top-level JSON key present in the head of the text (cheap detection; no full parse). */
function hasJsonKey(head: string, key: string): boolean {
  return head.includes(`"${key}"`);
}

export const awsJsonFormat: FormatDefinition = {
  id: 'aws',
  language: 'json',
  detect(fileName, text) {
    const head = text.slice(0, HEAD);
    const t = head.trimStart();
    // A response object, or a top-level array / one object of its lists (`--query SecurityGroups`, `jq .SecurityGroups[0]`).
    // (one group's permissions, `--query 'SecurityGroups[0].IpPermissions'`: IpProtocol beside their source lists)
    const permissions = hasJsonKey(head, 'IpProtocol') && ['IpRanges', 'Ipv6Ranges', 'PrefixListIds', 'UserIdGroupPairs'].some((k) => hasJsonKey(head, k));
    if (t.startsWith('[')) return ['IpPermissions', 'SecurityGroupRuleId'].some((k) => hasJsonKey(head, k)) || (hasJsonKey(head, 'NetworkAclId') && hasJsonKey(head, 'Entries')) || permissions || (hasJsonKey(head, 'RuleNumber') && hasJsonKey(head, 'RuleAction')) ? 70 : 0;
    if (!t.startsWith('{')) return 0;
    if (hasJsonKey(head, 'SecurityGroupRuleId') || (hasJsonKey(head, 'NetworkAclId') && hasJsonKey(head, 'Entries'))) return 70;
    if (hasJsonKey(head, 'Resources') && /"AWS::EC2::(SecurityGroup|SecurityGroupIngress|SecurityGroupEgress|NetworkAclEntry|NetworkAcl)"/.test(head)) return 80;
    // A template longer than the 64 KB detection reads, its groups further on: its header, or its AWS resource types.
    if (text.length >= HEAD && (hasJsonKey(head, 'AWSTemplateFormatVersion') || (hasJsonKey(head, 'Resources') && /"Type"\s*:\s*"AWS::/.test(head)))) return 60;
    // A template with its header and no security resources: read (quiet), as the YAML format reads one.
    if (hasJsonKey(head, 'AWSTemplateFormatVersion') && hasJsonKey(head, 'Resources')) return 50;
    if (['SecurityGroups', 'SecurityGroupRules', 'NetworkAcls', 'IpPermissions', 'IpPermissionsEgress'].some((k) => hasJsonKey(head, k))) return 70;
    if (hasJsonKey(head, 'PrefixLists') || (hasJsonKey(head, 'Entries') && hasJsonKey(head, 'Cidr'))) return 40;
    if (permissions) return 70;
    void fileName;
    return 0;
  },
  parse: parseAwsJson,
};

export const cloudformationYamlFormat: FormatDefinition = {
  id: 'cloudformation-yaml',
  language: 'yaml',
  detect(fileName, text) {
    if (!/\.(ya?ml|template)$/i.test(fileName) && !/^\s*(AWSTemplateFormatVersion|Resources)\s*:/m.test(text.slice(0, 4096))) return 0;
    const head = text.slice(0, HEAD);
    // aws-cli `--output yaml` / `yaml-stream` (a list of pages) of describe-security-groups, -security-group-rules, -network-acls
    if (/^(?:- )?(?:SecurityGroups|SecurityGroupRules|NetworkAcls):/m.test(head) && /^[ -]*(?:IpPermissions|SecurityGroupRuleId|NetworkAclId):/m.test(head)) return 70;
    const hasRes = /^Resources\s*:/m.test(head);
    const hasEc2 = /Type\s*:\s*['"]?AWS::EC2::/.test(head);
    if (/^AWSTemplateFormatVersion\s*:/m.test(head)) return hasEc2 ? 80 : 50;
    // (no header: EC2 resources in the first 64 KB, or AWS resource types there when the file is longer)
    return hasRes && hasEc2 ? 75 : hasRes && text.length >= HEAD && /Type\s*:\s*['"]?AWS::/.test(head) ? 50 : 0;
  },
  parse: parseCloudFormationYaml,
};
