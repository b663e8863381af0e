/**
 * JUnit XML: one <testsuite> per file, one <testcase> per firewall rule that
 * ran, a <failure> per finding. A minimal writer (the format is five elements)
 * validated in tests against the JUnit XSD with xmllint; no dependency needed.
 */
import { relative, sep } from 'node:path';
import type { ESLint } from 'eslint';
import { messageRuleId } from './formatters.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    // XML 1.0 forbids most control characters even when escaped
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function formatJunit(results: ESLint.LintResult[], cwd: string): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = results.reduce((n, r) => n + Math.max(1, r.messages.length), 0);
  const failures = results.reduce((n, r) => n + r.messages.filter((m) => m.severity === 2).length, 0);
  out.push(`<testsuites name="fwlint" tests="${total}" failures="${failures}" errors="0">`);
  for (const r of results) {
    const file = relative(cwd, r.filePath).split(sep).join('/') || r.filePath;
    const cases = Math.max(1, r.messages.length);
    out.push(`  <testsuite name="${esc(file)}" tests="${cases}" failures="${r.errorCount}" errors="0" skipped="0">`);
    if (r.messages.length === 0) out.push(`    <testcase classname="${esc(file)}" name="no findings"/>`);
    for (const m of r.messages) {
      const rule = messageRuleId(m);
      const name = `${rule} (line ${m.line ?? 1}, column ${m.column ?? 1})`;
      if (m.severity === 2) {
        out.push(`    <testcase classname="${esc(file)}" name="${esc(name)}">`);
        out.push(`      <failure message="${esc(m.message)}" type="${esc(rule)}">${esc(`${file}:${m.line ?? 1}:${m.column ?? 1} ${m.message}`)}</failure>`);
        out.push('    </testcase>');
      } else {
        out.push(`    <testcase classname="${esc(file)}" name="${esc(name)}">`);
        out.push(`      <system-out>${esc(`warning: ${m.message}`)}</system-out>`);
        out.push('    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
