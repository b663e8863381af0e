/**
 * JSON has no comments: suppressions for `<file>` (an AWS export, an ARM
 * template, `nft -j` output, a Terraform plan) live in a sidecar file
 * `<file>.fwlint-suppressions.yaml` next to it:
 *
 *   - line: 14
 *     ignore: no-unneeded-cft-ports ports=1768 until=2027-01-31 -- partner gateway
 *
 * `line` is a line of the rule in the JSON file; `ignore` is the directive
 * without `fwlint-ignore`. A broken sidecar becomes malformed suppressions
 * (reported by firewall/no-unused-suppressions), never an exception.
 */
import { readFileSync } from 'node:fs';
import { yamlLib } from '../parsers/libs.js';
import type { ExternalDirective } from './parse.js';

export const SIDECAR_SUFFIX = '.fwlint-suppressions.yaml';

export function parseSidecar(text: string): ExternalDirective[] {
  let data: unknown;
  try {
    data = yamlLib().parse(text);
  } catch (e) {
    return [{ line: 1, ignore: '', error: `${SIDECAR_SUFFIX} is not valid YAML (${(e as Error).message.split('\n')[0]})` }];
  }
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) return [{ line: 1, ignore: '', error: `${SIDECAR_SUFFIX} must be a list of { line, ignore }` }];
  return data.map((item, i): ExternalDirective => {
    const o = item as { line?: unknown; ignore?: unknown } | null;
    if (!o || typeof o !== 'object') return { line: 1, ignore: '', error: `sidecar entry ${i + 1} must be a mapping { line, ignore }` };
    // a key of another shape (`rule:`, `reason:`, `ignored:`) left `ignore` unset, which is every rule: the entry hid
    // all findings of its line instead of being reported as malformed
    const unknown = Object.keys(o).filter((k) => k !== 'line' && k !== 'ignore');
    if (unknown.length > 0) {
      const line = typeof o.line === 'number' && Number.isInteger(o.line) && o.line >= 1 ? o.line : 1;
      return { line, ignore: typeof o.ignore === 'string' ? o.ignore : '', error: `sidecar entry ${i + 1}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (an entry is { line, ignore }: the rule, scope and "-- reason" go in ignore)` };
    }
    const line = typeof o.line === 'number' && Number.isInteger(o.line) && o.line >= 1 ? o.line : undefined;
    const ignore = typeof o.ignore === 'string' ? o.ignore : o.ignore === undefined || o.ignore === null ? '' : undefined;
    if (line === undefined) return { line: 1, ignore: typeof ignore === 'string' ? ignore : '', error: `sidecar entry ${i + 1} needs a line (a whole number ≥ 1)` };
    if (ignore === undefined) return { line, ignore: '', error: `sidecar entry ${i + 1}: ignore must be text` };
    return { line, ignore };
  });
}

/** The sidecar entries for `filePath`, [] when there is no sidecar. */
export function loadSidecar(filePath: string | undefined): ExternalDirective[] {
  if (!filePath) return [];
  let text: string;
  try {
    text = readFileSync(filePath + SIDECAR_SUFFIX, 'utf8');
  } catch {
    return [];
  }
  return parseSidecar(text);
}
