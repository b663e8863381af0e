import type { ESLint } from 'eslint';

/** The closing table of the stylish format: files, and findings by rule. */
export function summaryTable(results: ESLint.LintResult[], _tty: boolean): string {
  const byRule = new Map<string, { errors: number; warnings: number }>();
  for (const r of results) {
    for (const m of r.messages) {
      const id = m.ruleId ?? (m.fatal ? 'parse error' : 'other');
      const c = byRule.get(id) ?? { errors: 0, warnings: 0 };
      if (m.severity === 2) c.errors++;
      else c.warnings++;
      byRule.set(id, c);
    }
  }
  const withFindings = results.filter((r) => r.messages.length > 0).length;
  const lines = [`fwlint: ${results.length} file${results.length === 1 ? '' : 's'} linted, ${withFindings} with findings`];
  if (byRule.size > 0) {
    const width = Math.max(...[...byRule.keys()].map((k) => k.length), 4);
    lines.push(`  ${'rule'.padEnd(width)}  errors  warnings`);
    for (const [id, c] of [...byRule].sort((a, b) => b[1].errors + b[1].warnings - (a[1].errors + a[1].warnings))) {
      lines.push(`  ${id.padEnd(width)}  ${String(c.errors).padStart(6)}  ${String(c.warnings).padStart(8)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
