/**
 * Every rule has a doc and every doc a rule; the doc's summary, severity line and the README's rule table say what
 * the plugin does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin, { recommendedRules } from '../../src/eslint/plugin.js';
import { DOCS_BASE } from '../../src/eslint/rule-kit.js';
import { RULE_NAMES } from '../../src/eslint/rule-names.js';

const ROOT = join(import.meta.dirname, '../..');
const docNames = readdirSync(join(ROOT, 'docs/rules')).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, '')).sort();
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('rules and their docs', () => {
  it('every rule has a doc and every doc a rule', () => {
    expect(docNames).toEqual([...RULE_NAMES].sort());
    expect(Object.keys(plugin.rules).sort()).toEqual(docNames);
  });

  for (const name of RULE_NAMES) {
    it(`${name}: meta.docs points at its doc, whose summary and severity are the rule's`, () => {
      const meta = plugin.rules[name].meta!;
      expect(meta.docs!.url).toBe(`${DOCS_BASE}${name}.md`);
      expect(DOCS_BASE).toBe('https://github.com/fwlint/eslint-plugin-firewall/blob/main/docs/rules/');
      const doc = readFileSync(join(ROOT, 'docs/rules', `${name}.md`), 'utf8').split('\n');
      expect(doc[0]).toBe(`# firewall/${name}`);
      expect(doc[2]).toBe(`${meta.docs!.description}.`);
      const severity = recommendedRules[`firewall/${name}`];
      expect(meta.docs!.recommended).toBe(severity !== undefined);
      const line = doc.find((l) => l.startsWith('**Default severity:**'));
      expect(line).toMatch(new RegExp(`^\\*\\*Default severity:\\*\\* ${String(severity)} \\(recommended[;)]`));
    });
  }

  it("the README's rule table lists every rule once, linked to its doc, with its recommended severity", () => {
    const rows = [...readme.matchAll(/^\| \[`([\w-]+)`\]\(docs\/rules\/([\w-]+)\.md\) \| (\w+) \|/gm)];
    expect(rows.map((r) => r[1]).sort()).toEqual([...RULE_NAMES].sort());
    for (const [, name, link, severity] of rows) {
      expect(link).toBe(name);
      expect(severity).toBe(recommendedRules[`firewall/${name}`]);
    }
  });
});
