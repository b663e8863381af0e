/** README.md tells the truth about the command line. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/main.js';

const ROOT = join(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README.md', () => {
  it("names every lint option of `fwlint --help` (--color and --stdin were missing from its table)", () => {
    const lint = HELP.slice(HELP.indexOf('Lint options:')).replace(/-h, --help, -v, --version/, '');
    const options = [...new Set([...lint.matchAll(/(?<![\w-])--[a-z][\w-]*/g)].map((m) => m[0]))];
    expect(options.length).toBeGreaterThan(10);
    expect(options.filter((o) => !new RegExp(`(?<![\\w-])${o}(?![\\w-])`).test(readme))).toEqual([]);
  });
});
