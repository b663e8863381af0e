import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeWork, startProgress } from '../../src/cli/progress.js';
import { fwlint } from './helpers.js';

describe('progress line', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('appears after the delay on a TTY, updates in place, and is erased on stop', () => {
    const out: string[] = [];
    let t = 0;
    const p = startProgress({ stderr: (s) => out.push(s), isTTY: true }, { enabled: true, label: 'linting 3 files', delayMs: 1000, intervalMs: 500, now: () => t });
    t = 999;
    vi.advanceTimersByTime(999);
    expect(out).toEqual([]);
    t = 1000;
    vi.advanceTimersByTime(1);
    expect(out).toEqual(['\r\x1b[2Kfwlint: linting 3 files … 1s']);
    t = 1500;
    vi.advanceTimersByTime(500);
    t = 2500;
    vi.advanceTimersByTime(500);
    expect(out.slice(1)).toEqual(['\r\x1b[2Kfwlint: linting 3 files … 1s', '\r\x1b[2Kfwlint: linting 3 files … 2s']);
    p.update('reporting');
    expect(out.at(-1)).toBe('\r\x1b[2Kfwlint: reporting … 2s');
    p.stop();
    p.stop();
    expect(out.at(-1)).toBe('\r\x1b[2K');
    const n = out.length;
    vi.advanceTimersByTime(5000);
    expect(out.length).toBe(n);
    expect(p.shown).toBe(true);
  });

  it('a short run never shows it and stop writes nothing', () => {
    const out: string[] = [];
    const p = startProgress({ stderr: (s) => out.push(s), isTTY: true }, { enabled: true, label: 'x' });
    vi.advanceTimersByTime(500);
    p.stop();
    vi.advanceTimersByTime(5000);
    expect(out).toEqual([]);
    expect(p.shown).toBe(false);
  });

  it('never without a TTY or when disabled (machine formats)', () => {
    const out: string[] = [];
    startProgress({ stderr: (s) => out.push(s), isTTY: false }, { enabled: true, label: 'x', delayMs: 0 });
    startProgress({ stderr: (s) => out.push(s), isTTY: true }, { enabled: false, label: 'x', delayMs: 0 });
    vi.advanceTimersByTime(5000);
    expect(out).toEqual([]);
  });

  it('describes the work', () => {
    expect(describeWork(1, 10)).toBe('linting 1 file');
    expect(describeWork(12345, 90 * 1024 * 1024)).toBe('linting 12,345 files (90 MB)');
  });
});

describe('the CLI', () => {
  it('writes no progress to a pipe', () => {
    vi.useRealTimers();
    const r = fwlint(['fixtures/iptables'], {});
    expect(r.stderr).not.toContain('\x1b[2K');
  });
});
