/**
 * nftables: text syntax (`nft list ruleset`, `nft -f` files) and the
 * libnftables JSON schema (`nft -j list ruleset`), both into the common model.
 */
import type { FirewallDocument } from '../../model/index.js';
import type { FormatDefinition, ParseOptions } from '../types.js';
import { buildDocument, clearBuildCaches, RulePrebuilder } from './build.js';
import { parseNftablesJsonIr } from './json.js';
import { parseNftablesIr } from './text.js';

export function parseNftables(text: string, options?: ParseOptions): FirewallDocument {
  return parsed('nftables', () => {
    const ir = parseNftablesIr(text, options, new RulePrebuilder());
    return buildDocument('nftables', ir.state, ir.dynamicSets, ir.diagnostics, ir.comments, options?.filePath);
  });
}

export function parseNftablesJson(text: string, options?: ParseOptions): FirewallDocument {
  return parsed('nftables-json', () => {
    const ir = parseNftablesJsonIr(text, new RulePrebuilder());
    return buildDocument('nftables-json', ir.state, ir.dynamicSets, ir.diagnostics, [], options?.filePath);
  });
}

/** A parse that never throws (an internal error becomes a diagnostic) and leaves no build cache behind. */
function parsed(format: string, parse: () => FirewallDocument): FirewallDocument {
  try {
    return parse();
  } catch (e) {
    const p = { line: 1, column: 1, offset: 0 };
    return {
      format,
      rulesets: [],
      diagnostics: [{ severity: 'error', code: `${format}/internal`, message: `Internal parser error: ${String(e)}`, span: { start: p, end: p } }],
      comments: [],
    };
  } finally {
    clearBuildCaches(); // rules built during the parse filled them
  }
}

const TEXT_STARTS = ['table', 'flush ruleset', '#!/usr/sbin/nft', '#!/sbin/nft', '#!/usr/bin/nft', 'define', 'add table'];

export const nftablesFormat: FormatDefinition = {
  id: 'nftables',
  language: 'nftables',
  detect(fileName: string, text: string): number {
    const name = fileName.toLowerCase();
    if (name.endsWith('.nft') || name === 'nftables.conf') return 95;
    const head = text.slice(0, 4096);
    // first line that is neither blank nor a comment (the shebang counts)
    if (head.startsWith('#!') && TEXT_STARTS.some((s) => s.startsWith('#!') && head.startsWith(s))) return 85;
    for (const raw of head.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      return TEXT_STARTS.some((s) => line === s || line.startsWith(`${s} `) || line.startsWith(`${s}\t`)) ? 75 : 0;
    }
    return 0;
  },
  parse: (text, options) => parseNftables(text, options),
};

export const nftablesJsonFormat: FormatDefinition = {
  id: 'nftables-json',
  language: 'json',
  detect(_fileName: string, text: string): number {
    const head = text.slice(0, 512);
    let i = 0;
    while (i < head.length && /\s/.test(head[i]!)) i++;
    if (head[i] !== '{') return 0;
    i++;
    while (i < head.length && /\s/.test(head[i]!)) i++;
    return head.startsWith('"nftables"', i) ? 95 : 0;
  },
  parse: (text, options) => parseNftablesJson(text, options),
};

export { parseNftablesIr } from './text.js';
export { NFTABLES_JSON_SCHEMA } from './json.js';
