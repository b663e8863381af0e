/**
 * `fwlint … | head`: a reader that closes the pipe early must not make fwlint crash with an
 * unhandled EPIPE; it stops quietly with the exit code of the findings.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BIN, ROOT } from './helpers.js';

test('a closed stdout pipe ends fwlint without a crash', async () => {
  // enough findings that the report is far bigger than a pipe buffer
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-epipe-'));
  const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < 3000; i++) lines.push(`-A INPUT -s 10.${(i >> 8) & 255}.${i & 255}.1/32 -p tcp -m tcp --dport ${2000 + i} -j ACCEPT`);
  lines.push('-A INPUT -p tcp -m tcp --dport 1761:1768 -j ACCEPT', 'COMMIT', ''); // an error: exit code 1
  const file = join(dir, 'rules.v4');
  writeFileSync(file, lines.join('\n'));
  const child = spawn(process.execPath, [BIN, '-f', 'json', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let got = 0;
  child.stdout.on('data', (d: Buffer) => {
    got += d.length;
    child.stdout.destroy(); // the reader goes away after the first chunk, like `head -c`
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(got).toBeGreaterThan(0);
  expect(stderr).not.toMatch(/EPIPE|Unhandled|Error/);
  expect(code).toBe(1); // warnings and errors found: the verdict, not a crash
}, 60_000);
