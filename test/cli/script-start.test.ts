/**
 * --script-start unknown|empty: what the tables hold when an iptables script starts, for lint, trace and exposure
 * (diff: test/cli/diff.test.ts). The default reads a chain the script does not flush with unknown earlier rules.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fwlint } from './helpers.js';

// sets the INPUT policy but flushes nothing: on a fresh host 1763 alone is open, on a used one anything may be
const SCRIPT = '#!/bin/sh\niptables -P INPUT DROP\niptables -P FORWARD DROP\niptables -A INPUT -p tcp --dport 1763 -j ACCEPT\n';

function script(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-script-start-'));
  writeFileSync(join(dir, 'fwlint.config.yaml'), 'discovery: false\n');
  const path = join(dir, 'fw.sh');
  writeFileSync(path, SCRIPT);
  return { dir, path };
}

type Message = { ruleId: string; line: number; column: number; message: string };
const lint = (args: string[], cwd: string): { code: number | null; messages: Message[] } => {
  const r = fwlint(['-f', 'json', 'fw.sh', ...args], { cwd });
  return { code: r.code, messages: (JSON.parse(r.stdout) as { messages: Message[] }[])[0]!.messages };
};

describe('--script-start', () => {
  it('lint: empty reads the script on empty tables, unknown (the default) on unknown earlier rules', () => {
    const { dir } = script();
    const empty = lint(['--script-start', 'empty'], dir);
    expect(empty.code).toBe(1);
    expect(empty.messages.map((m) => [m.ruleId, m.line, m.column, m.message])).toEqual([
      ['firewall/no-unneeded-cft-ports', 4, 26, 'Open: TCP 1763 (cft-2, Transfer CFT SFTP) reachable from 0.0.0.0/0 without a Transfer CFT deployment on fw.sh.'],
    ]);
    for (const args of [[], ['--script-start', 'unknown']]) {
      const unknown = lint(args, dir);
      expect(unknown.code).toBe(1);
      const cft = unknown.messages.filter((m) => m.ruleId === 'firewall/no-unneeded-cft-ports');
      expect(cft.map((m) => [m.line, m.message.split(':')[0]])).toEqual([
        [2, 'Possibly open (the rules INPUT held before this script ran (no -F INPUT) at line 2 may or may not match)'],
        [4, 'Possibly open (the rules INPUT held before this script ran (no -F INPUT) at line 2 may or may not match)'],
      ]);
    }
  });

  it('trace and exposure take it too', () => {
    const { path } = script();
    const verdict = (args: string[]) => (JSON.parse(fwlint(['trace', path, '--proto', 'tcp', '--dport', '1763', '-f', 'json', ...args]).stdout) as { verdict: string }).verdict;
    expect(verdict(['--script-start', 'empty'])).toBe('accept');
    expect(verdict([])).toBe('unknown');
    const entries = (args: string[]) =>
      (JSON.parse(fwlint(['exposure', path, '-f', 'json', ...args]).stdout) as { rulesets: { entries: { ports: number[][]; certainty: string; line: number }[] }[] }[])[0]!.rulesets[0]!.entries.map((e) => [e.ports, e.certainty, e.line]);
    // (and IPv6, which an iptables script does not filter: ip6tables decides it)
    const v6 = [[[0, 65535]], 'possibly-open', null];
    expect(entries(['--script-start', 'empty'])).toEqual([[[[1763, 1763]], 'open', 4], v6]);
    expect(entries([])).toEqual([[[[0, 65535]], 'possibly-open', 2], [[[1763, 1763]], 'possibly-open', 4], v6]);
  });

  it('any other value is a usage error (exit 2) in every command', () => {
    const { dir, path } = script();
    for (const args of [['fw.sh'], ['trace', path, '--proto', 'tcp', '--dport', '1'], ['exposure', path], ['diff', 'HEAD']]) {
      const r = fwlint([...args, '--script-start', 'fresh'], { cwd: dir });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toContain('--script-start takes unknown (the default: rules loaded before the script are not known) or empty');
    }
  });
});
