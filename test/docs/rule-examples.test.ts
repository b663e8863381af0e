/**
 * The examples of docs/rules/*.md are linted as users would copy them, and must say what the doc says.
 *
 * The convention:
 *   ```<lang> incorrect|correct [file=<name>] [options=<json without spaces>]
 *   …the example…
 *   ```
 *   > Line <n>: <the message; "…" stands for any text>
 *   > Line <n>: <the next finding>
 * `<lang>` is iptables (a save file), sh (an iptables script), nft, json, yaml, hcl or ts (AWS CDK / Pulumi code, linted
 * with configs['recommended-typescript']). An incorrect example lists every
 * finding its rule gives, in line order; a correct one gives no finding of its rule. Every other recommended rule
 * runs too (no-unused-suppressions judges what they report) but is not asserted on; no example may fail to parse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin, { recommendedRules } from '../../src/eslint/plugin.js';
import typescriptPlugin from '../../src/eslint/typescript.js';

const DOCS = join(import.meta.dirname, '../../docs/rules');

const LANGS: Record<string, { language: string; file: string }> = {
  iptables: { language: 'iptables', file: 'rules.v4' },
  sh: { language: 'iptables', file: 'firewall.sh' },
  nft: { language: 'nftables', file: 'ruleset.nft' },
  json: { language: 'json', file: 'sg.json' },
  yaml: { language: 'yaml', file: 'template.yaml' },
  hcl: { language: 'hcl', file: 'main.tf' },
  ts: { language: 'ts', file: 'stack.ts' },
};

export interface Example {
  kind: 'incorrect' | 'correct';
  lang: string;
  file: string;
  options: unknown[];
  code: string;
  /** the line in the markdown where the fence opens */
  at: number;
  findings: { line: number; message: string }[];
}

/** The examples of one markdown text, by the convention above. */
export function examplesOf(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S+)\s+(incorrect|correct)\b(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const at = i + 1;
    const [, lang, kind, rest] = open;
    const attrs = Object.fromEntries([...rest!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    if (!LANGS[lang!]) throw new Error(`line ${at}: unknown example language ${lang}`);
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    // the blockquote right after the fence (blank lines between allowed)
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    const quote: string[] = [];
    for (; j < lines.length && lines[j]!.startsWith('>'); j++) quote.push(lines[j]!.replace(/^>\s?/, ''));
    const findings: Example['findings'] = [];
    for (const q of quote) {
      const f = /^Line (\d+): (.*)$/.exec(q);
      if (f) findings.push({ line: Number(f[1]), message: f[2]! });
      else if (findings.length && q.trim()) findings[findings.length - 1]!.message += ` ${q.trim()}`;
      else if (q.trim()) throw new Error(`line ${at}: a quoted finding must start with "Line <n>: " (${q})`);
    }
    out.push({
      kind: kind as Example['kind'],
      lang: lang!,
      file: attrs.file ?? LANGS[lang!]!.file,
      options: attrs.options ? [JSON.parse(attrs.options)] : [],
      code: `${body.join('\n')}\n`,
      at,
      findings,
    });
  }
  return out;
}

/** "…" in a documented message stands for any text. */
function matches(documented: string, actual: string): boolean {
  const pattern = documented.split('…').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^]*');
  return new RegExp(`^${pattern}$`).test(actual);
}

function lint(ex: Example, rule: string) {
  const { language } = LANGS[ex.lang]!;
  const rules = { ...recommendedRules, [`firewall/${rule}`]: ['error', ...ex.options] } as Linter.RulesRecord;
  // no discovery (the repository around the docs is not the example's), and a fixed day for until= dates
  const settings = { firewall: { discovery: false }, fwlintNow: '2026-06-01' };
  const config =
    language === 'ts'
      ? [...typescriptPlugin.configs['recommended-typescript'].map((c) => ({ ...c, files: [`**/${ex.file}`] })), { files: [`**/${ex.file}`], rules, settings }]
      : [{ files: [`**/${ex.file}`], plugins: { firewall: plugin }, language: `firewall/${language}`, rules, settings }];
  return new Linter().verify(ex.code, config as never, ex.file);
}

const docs = readdirSync(DOCS).filter((f) => f.endsWith('.md'));

describe('the examples of docs/rules', () => {
  for (const doc of docs) {
    const rule = doc.replace(/\.md$/, '');
    const examples = examplesOf(readFileSync(join(DOCS, doc), 'utf8'));
    describe(rule, () => {
      it('has an incorrect and a correct example', () => {
        expect(examples.some((e) => e.kind === 'incorrect')).toBe(true);
        expect(examples.some((e) => e.kind === 'correct')).toBe(true);
      });
      for (const ex of examples) {
        it(`${ex.kind} example at ${doc}:${ex.at} (${ex.file})`, () => {
          const messages = lint(ex, rule);
          expect(messages.filter((m) => m.fatal || !m.ruleId).map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([]);
          const own = messages.filter((m) => m.ruleId === `firewall/${rule}`).map((m) => ({ line: m.line, message: m.message }));
          if (ex.kind === 'correct') {
            expect(own).toEqual([]);
            return;
          }
          expect(ex.findings.length, 'an incorrect example quotes its findings').toBeGreaterThan(0);
          const got = own.map((f, k) => (ex.findings[k] && f.line === ex.findings[k].line && matches(ex.findings[k].message, f.message) ? ex.findings[k] : f));
          expect(got).toEqual(ex.findings);
        });
      }
    });
  }
});

describe('the convention', () => {
  it('reads a fence, its attributes and the quoted findings (continued lines joined)', () => {
    const md = ['```nft incorrect file=a.nft options={"tcp":[22]}', 'x', '```', '', '> Line 3: Open: …', '> more', '> Line 4: B', '', '```sh correct', 'y', '```'].join('\n');
    expect(examplesOf(md)).toEqual([
      { kind: 'incorrect', lang: 'nft', file: 'a.nft', options: [{ tcp: [22] }], code: 'x\n', at: 1, findings: [{ line: 3, message: 'Open: … more' }, { line: 4, message: 'B' }] },
      { kind: 'correct', lang: 'sh', file: 'firewall.sh', options: [], code: 'y\n', at: 9, findings: [] },
    ]);
    expect(matches('Open: … more', 'Open: TCP 22 more')).toBe(true);
    expect(matches('Open: … more', 'Open: TCP 22 more.')).toBe(false);
  });
});
