import type { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { portsInMessage, summaryTable } from '../../src/cli/summary.js';
import { fwlint } from './helpers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function result(filePath: string, messages: { ruleId: string | null; severity: 1 | 2; message: string }[]): ESLint.LintResult {
  return { filePath, messages: messages.map((m) => ({ ...m, line: 1, column: 1 })), suppressedMessages: [], errorCount: 0, fatalErrorCount: 0, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0, usedDeprecatedRules: [] } as unknown as ESLint.LintResult;
}

describe('portsInMessage reads the rules\' own port wording', () => {
  it('every message shape of the exposure rules', () => {
    expect(portsInMessage('Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762-1763, 1768 (cft-7, Transfer CFT REST API and web UI); UDP 1761 (cft-0) reachable from 0.0.0.0/0 without a Transfer CFT deployment on a.rules.')).toEqual([
      'tcp/1761', 'tcp/1762-1763', 'tcp/1768', 'udp/1761',
    ]);
    expect(portsInMessage('Possibly open (a; b: c): TCP 1024-1760, 1769-49151 (48120 ports) reachable from 10.0.0.0/8 but not declared as expected on h.')).toEqual(['tcp/1024-1760', 'tcp/1769-49151']);
    expect(portsInMessage('Open: TCP 1768 (cft-7, x) of the Transfer CFT deployment on h reachable from 0.0.0.0/0, wider than its declared sources 10.0.0.0/8.')).toEqual(['tcp/1768']);
    expect(portsInMessage('Open for IPv6 but closed for IPv4 on h: TCP 22 (ssh) reachable from ::/0.')).toEqual(['tcp/22']);
    expect(portsInMessage('Open: UDP all ports (65536 ports) reachable from 0.0.0.0/0 but not declared.')).toEqual(['udp/all']);
    expect(portsInMessage('Chain INPUT accepts by default')).toEqual([]);
  });
});

describe('summaryTable', () => {
  it('counts files per exposed port from the exposure rules only, most files first', () => {
    const cft = 'Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0 without a Transfer CFT deployment on x.';
    const ssh = 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0).';
    const table = summaryTable(
      [
        result('/a.rules', [{ ruleId: 'firewall/no-unneeded-cft-ports', severity: 2, message: cft }, { ruleId: 'firewall/no-world-open-sensitive-ports', severity: 2, message: ssh }]),
        result('/b.rules', [{ ruleId: 'firewall/no-unneeded-cft-ports', severity: 2, message: cft }, { ruleId: 'firewall/no-shadowed-rules', severity: 1, message: 'TCP 9 (x) reachable' }]),
        result('/c.rules', []),
      ],
      false,
    );
    expect(table).toBe(
      [
        'fwlint: 3 files linted, 2 with findings',
        '  rule                                    errors  warnings',
        '  firewall/no-unneeded-cft-ports               2         0',
        '  firewall/no-world-open-sensitive-ports       1         0',
        '  firewall/no-shadowed-rules                   0         1',
        '  exposed port  files  errors',
        '  tcp/1768          2       2',
        '  tcp/22            1       1',
        '',
      ].join('\n'),
    );
  });

  it('shows the top ports and says how many more', () => {
    const msgs = Array.from({ length: 12 }, (_, i) => ({ ruleId: 'firewall/no-undeclared-registered-ports', severity: 1 as const, message: `Open: TCP ${2000 + i} reachable from 10.0.0.0/8 but not declared.` }));
    const table = summaryTable([result('/a.rules', msgs)], false, 3);
    expect(table.split('\n').slice(-6)).toEqual(['  exposed port  files  errors', '  tcp/2000          1       0', '  tcp/2001          1       0', '  tcp/2002          1       0', '  … and 9 more', '']);
  });

  it('the CLI prints it after stylish output', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-summary-'));
    try {
      writeFileSync(join(d, 'a.rules'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -s 10.0.0.0/8 --dport 1768 -j ACCEPT\nCOMMIT\n');
      const r = fwlint(['a.rules'], { cwd: d });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\n {2}exposed port {2}files {2}errors\n {2}tcp\/1768 {10}1 {7}1\n$/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('summaryTable: ports that findings name in overlapping items', () => {
  it('counts every file that exposes a port: tcp/22 of one file inside tcp/20-23 of another is one row of two files', () => {
    // one file opens ssh alone, another a run of sensitive ports that the message writes as a range
    const table = summaryTable(
      [
        result('/a.rules', [{ ruleId: 'firewall/no-world-open-sensitive-ports', severity: 2, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/0).' }]),
        result('/b.json', [{ ruleId: 'firewall/no-world-open-sensitive-ports', severity: 2, message: 'Open: TCP 20-23, 25, 53 (domain) reachable from the whole internet (::/0).' }]),
      ],
      false,
    );
    expect(table.split('\n').slice(3)).toEqual([
      '  exposed port  files  errors',
      '  tcp/22            2       2',
      '  tcp/20-21         1       1',
      '  tcp/23            1       1',
      '  tcp/25            1       1',
      '  tcp/53            1       1',
      '',
    ]);
  });
});
