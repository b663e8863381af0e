import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { canonicalRule, type Match, type Rule, type Span } from '../../../src/model/index.js';
import { extractFirewall, type ExtractOptions } from '../../../src/parsers/typescript/index.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/typescript');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function parseTs(text: string): TSESTree.Program {
  return parse(text, { range: true, loc: true, comment: true, jsx: false }) as TSESTree.Program;
}

export function extract(text: string, options?: ExtractOptions): ReturnType<typeof extractFirewall> {
  return extractFirewall(parseTs(text), text, options);
}

export function pos(s: Span | undefined): string {
  if (!s) return '-';
  return `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`;
}

/** "<ruleset> <chain>: <canonical rule>" for every rule, in order. */
export function summary(doc: ReturnType<typeof extractFirewall>['document']): string[] {
  const out: string[] = [];
  for (const rs of doc.rulesets) for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) out.push(`${rs.name} ${c.name}: ${canonicalRule(r)}`);
  return out;
}

export function allRules(doc: ReturnType<typeof extractFirewall>['document']): Rule[] {
  return doc.rulesets.flatMap((rs) => rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)));
}

export function opaques(r: Rule): { text: string; reason: string; module: string }[] {
  const out: { text: string; reason: string; module: string }[] = [];
  const visit = (m: Match): void => {
    if (m.kind === 'opaque') out.push({ text: m.text, reason: m.reason, module: m.module });
    if (m.kind === 'any-of') m.alternatives.forEach((a) => a.forEach(visit));
  };
  r.matches.forEach(visit);
  return out;
}

/** Apply one suggestion to the text. */
export function applyFix(text: string, fix: { range: [number, number]; text: string }): string {
  return text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
}
