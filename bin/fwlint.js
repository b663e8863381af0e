#!/usr/bin/env node
// fwlint: lint firewall rules by what they really expose. The CLI lives in src/cli (compiled to dist/).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
