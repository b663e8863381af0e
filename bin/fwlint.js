#!/usr/bin/env -S node --max-semi-space-size=8
// fwlint: lint firewall rules by what they really expose. The CLI lives in src/cli (compiled to dist/).
// V8's young generation is capped at 2 × 8 MB semi-spaces (16 MB by default): on 100k-rule files peak RSS is 9–120 MB
// lower and the time the same (bench/results.md, sixteenth session). As `fwlint`, `npx fwlint` and npm's shims run it.
import { main } from '../dist/src/cli/main.js';

// `fwlint … | head`: when the reader goes away, the rest of the output is dropped quietly and the
// exit code is still the verdict, instead of a crash on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });

process.exitCode = await main(process.argv.slice(2));
