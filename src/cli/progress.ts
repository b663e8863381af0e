/**
 * A progress line on stderr for long runs: only when stderr is a terminal and
 * the report is for people (stylish), never in machine formats or pipes. It
 * appears after `delayMs` (short runs never show it), rewrites itself in
 * place, and is erased before the report is printed.
 */
import { statSync } from 'node:fs';
import { walk } from './inputs.js';

export interface ProgressIo {
  stderr: (s: string) => void;
  isTTY: boolean;
}

export interface Progress {
  /** Update the text (e.g. "3 of 12 paths"). */
  update(label: string): void;
  /** Erase the line (when shown) and stop the timer. Idempotent. */
  stop(): void;
  /** Whether the line was ever written. */
  readonly shown: boolean;
}

export interface ProgressOptions {
  enabled: boolean;
  /** A function is only called when the line first appears (counting files costs nothing on short runs). */
  label: string | (() => string);
  delayMs?: number;
  intervalMs?: number;
  now?: () => number;
}

const CLEAR = '\r\x1b[2K';

export function startProgress(io: ProgressIo, opts: ProgressOptions): Progress {
  const none: Progress = { update() {}, stop() {}, shown: false };
  if (!opts.enabled || !io.isTTY) return none;
  const now = opts.now ?? Date.now;
  const started = now();
  let label = typeof opts.label === 'string' ? opts.label : '';
  let shown = false;
  let stopped = false;
  const draw = () => {
    const s = Math.floor((now() - started) / 1000);
    io.stderr(`${CLEAR}fwlint: ${label} … ${s}s`);
    shown = true;
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  const delay = setTimeout(() => {
    if (typeof opts.label === 'function') {
      try {
        label = opts.label();
      } catch {
        label = 'linting';
      }
    }
    draw();
    timer = setInterval(draw, opts.intervalMs ?? 500);
    timer.unref?.();
  }, opts.delayMs ?? 1000);
  delay.unref?.();
  return {
    update(l) {
      label = l;
      if (shown && !stopped) draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(delay);
      if (timer) clearInterval(timer);
      if (shown) io.stderr(CLEAR);
    },
    get shown() {
      return shown;
    },
  };
}

/** "1,234 files in 3 directories" / "big.json (85 MB)": what a run will read, for the progress line. */
export function describeWork(files: number, bytes: number): string {
  const size = bytes >= 1 << 20 ? ` (${Math.round(bytes / (1 << 20))} MB)` : '';
  return `linting ${files.toLocaleString('en-US')} file${files === 1 ? '' : 's'}${size}`;
}

/** The label for `fwlint PATH…`: candidate files under the paths and their total size. */
export function pathsLabel(paths: string[]): string {
  let files = 0;
  let bytes = 0;
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // a glob: ESLint expands it
    }
    if (st.isDirectory()) {
      for (const f of walk(p)) {
        files++;
        try {
          bytes += statSync(f).size;
        } catch {
          // vanished meanwhile
        }
      }
    } else {
      files++;
      bytes += st.size;
    }
  }
  return files > 0 ? describeWork(files, bytes) : 'linting';
}
