#!/usr/bin/env node
// fwlint: lint firewall rules by what they really expose. The CLI lives in src/cli (compiled to dist/).
import { main } from '../dist/src/cli/main.js';

// `fwlint … | head`: when the reader goes away, the rest of the output is dropped quietly and the
// exit code is still the verdict, instead of a crash on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });

process.exitCode = await main(process.argv.slice(2));
