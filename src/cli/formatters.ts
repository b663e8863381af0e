/**
 * Output formats beyond ESLint's own (stylish and json come from ESLint):
 * SARIF 2.1.0 for code scanning and GitHub workflow annotations.
 */
import { relative, sep } from 'node:path';
import type { ESLint } from 'eslint';
import { createRequire } from 'node:module';
import { PACKAGE } from '../package-info.js';
import { rules } from '../eslint/plugin.js';
import { docsUrl } from '../eslint/rule-kit.js';

function relUri(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}

/** SARIF 2.1.0: relative URIs, tool name and version, parse errors as results (rule id "fwlint/parse-error"). */
/** node-sarif-builder (and its fs-extra, ~40 ms) only when a SARIF report is asked for. */
const sarifLib = (): typeof import('node-sarif-builder') => createRequire(import.meta.url)('node-sarif-builder') as typeof import('node-sarif-builder');

export function formatSarif(results: ESLint.LintResult[], cwd: string): string {
  const { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } = sarifLib();
  const builder = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({ toolDriverName: 'fwlint', toolDriverVersion: PACKAGE.version, url: 'https://github.com/fwlint/eslint-plugin-firewall' });
  for (const [name, rule] of Object.entries(rules)) {
    run.addRule(
      new SarifRuleBuilder().initSimple({
        ruleId: `firewall/${name}`,
        shortDescriptionText: String(rule.meta?.docs?.description ?? name),
        helpUri: docsUrl(name),
      }),
    );
  }
  run.addRule(new SarifRuleBuilder().initSimple({ ruleId: 'fwlint/parse-error', shortDescriptionText: 'The file could not be parsed as a firewall ruleset' }));
  for (const r of results) {
    for (const m of r.messages) {
      const line = Math.max(1, m.line ?? 1);
      const column = Math.max(1, m.column ?? 1);
      const res = new SarifResultBuilder().initSimple({
        level: m.severity === 2 ? 'error' : 'warning',
        messageText: m.message,
        ruleId: m.ruleId ?? 'fwlint/parse-error',
        fileUri: relUri(r.filePath, cwd),
        startLine: line,
        startColumn: column,
        endLine: Math.max(line, m.endLine ?? line),
        endColumn: Math.max(1, m.endColumn ?? column),
      });
      run.addResult(res);
    }
  }
  builder.addRun(run);
  return builder.buildSarifJsonString({ indent: true });
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`. */
export function formatGithub(results: ESLint.LintResult[], cwd: string): string {
  const out: string[] = [];
  for (const r of results) {
    for (const m of r.messages) {
      const level = m.severity === 2 ? 'error' : 'warning';
      const props = [`file=${escapeProperty(relUri(r.filePath, cwd))}`, `line=${m.line ?? 1}`, `col=${m.column ?? 1}`];
      if (m.endLine) props.push(`endLine=${m.endLine}`);
      if (m.endColumn) props.push(`endColumn=${m.endColumn}`);
      props.push(`title=${escapeProperty(m.ruleId ?? 'fwlint/parse-error')}`);
      out.push(`::${level} ${props.join(',')}::${escapeData(m.message)}`);
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
