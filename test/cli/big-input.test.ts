import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';

// bin/fwlint.js lints a file of 2 MB or more in a second process started with --max-semi-space-size=8 (less peak
// memory, same time): the report and the exit code are those of a run in one process
describe('a big input', () => {
  it('gives the same report and exit code through the second process', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-big-'));
    // (a few rules and 2 MB of comments: the size decides, and the report stays small)
    const comments = Array.from({ length: 30_000 }, (_, i) => `# host ${i} of the fleet: ${'x'.repeat(60)}`);
    const file = join(d, 'big.rules');
    writeFileSync(file, `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${comments.join('\n')}\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 1761 -j ACCEPT\nCOMMIT\n`);
    expect(statSync(file).size).toBeGreaterThanOrEqual(2_000_000);
    const split = spawnSync(process.execPath, [BIN, '-f', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    // the same run in one process: started with the flag, the bin lints in place
    const one = spawnSync(process.execPath, ['--max-semi-space-size=8', BIN, '-f', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(split.status).toBe(1);
    expect(one.status).toBe(1);
    expect(split.stdout).toBe(one.stdout);
    expect(JSON.parse(split.stdout)[0].messages.some((m: { message: string }) => m.message.startsWith('Open: TCP 1761 (cft-0'))).toBe(true);
  });
});
