#!/usr/bin/env node
// fwlint: lint firewall rules by what they really expose. The CLI lives in src/cli (compiled to dist/).
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A file of several MB (a 100k-rule export) is linted with V8's young generation capped at 2 × 8 MB semi-spaces
// (16 MB by default): peak RSS 9–120 MB lower, the time the same (bench/results.md, sixteenth session). The flag is
// given to a second process: V8 reads it only at start, and on every start it costs ~25 ms (Node's code cache of its
// own modules is made for the default flags), more than a small file takes to lint.
const BIG = 2_000_000;
const args = process.argv.slice(2);
const tuned = process.execArgv.some((a) => a.startsWith('--max-semi-space-size'));
const big = (a) => {
  try {
    return statSync(a).size >= BIG;
  } catch {
    return false;
  }
};
if (!tuned && args.some(big)) {
  const r = spawnSync(process.execPath, [...process.execArgv, '--max-semi-space-size=8', fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  if (r.signal) process.kill(process.pid, r.signal);
  process.exit(r.status ?? 2);
}

const { main } = await import('../dist/src/cli/main.js');

// `fwlint … | head`: when the reader goes away, the rest of the output is dropped quietly and the
// exit code is still the verdict, instead of a crash on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });

process.exitCode = await main(args);
