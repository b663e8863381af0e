import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fwlint, ROOT } from './helpers.js';

// ESLint's worker threads need options they can rebuild (plugin objects cannot be cloned):
// fwlint passes them through an options module. The report must not depend on the threads.
describe('fwlint --concurrency', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-concurrency-'));
  cpSync(join(ROOT, 'fixtures', 'demo'), dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const strip = (out: string) => JSON.parse(out) as { filePath: string; messages: unknown[] }[];

  it('gives the same JSON report with 2 worker threads as without', () => {
    const plain = fwlint(['-f', 'json', dir]);
    const threaded = fwlint(['--concurrency', '2', '-f', 'json', dir]);
    expect(plain.stderr).toBe('');
    // ESLint may warn that 2 threads do not pay on a few small files (its own advice); never an error
    expect(threaded.stderr).not.toMatch(/fwlint:|cannot be cloned|Error/);
    expect(threaded.code).toBe(plain.code);
    const a = strip(plain.stdout);
    expect(a.length).toBeGreaterThan(1);
    expect(a.some((r) => r.messages.length > 0)).toBe(true);
    expect(strip(threaded.stdout)).toEqual(a);
  });

  it('accepts auto and off, and an explicitly named file', () => {
    const plain = fwlint(['-f', 'json', dir]);
    for (const c of ['auto', 'off']) expect(strip(fwlint(['--concurrency', c, '-f', 'json', dir]).stdout)).toEqual(strip(plain.stdout));
    const file = join(dir, 'hosts', 'mft01.rules');
    const named = fwlint(['--concurrency', '2', '-f', 'json', file]);
    expect(named.stderr).not.toMatch(/fwlint:|cannot be cloned|Error/);
    expect(strip(named.stdout)).toEqual(strip(fwlint(['-f', 'json', file]).stdout));
  });

  it('rejects a bad value as a usage error (exit 2)', () => {
    const r = fwlint(['--concurrency', '0', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--concurrency takes a positive whole number, auto or off (got "0")');
  });
});
