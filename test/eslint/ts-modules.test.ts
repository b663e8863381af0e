import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { fileModuleReader } from '../../src/eslint/ts-modules.js';

describe('fileModuleReader: the project files a CDK / Pulumi file imports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-tsmod-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'net'));
  writeFileSync(join(dir, 'constants.ts'), 'export const P = 1761;\n');
  writeFileSync(join(dir, 'net', 'index.ts'), "export const CIDR = '10.0.0.0/8';\n");
  writeFileSync(join(dir, 'broken.ts'), 'export const = ;\n');
  const read = fileModuleReader((text) => parse(text, { range: true, loc: true }) as TSESTree.Program);
  const from = join(dir, 'stack.ts');

  it('resolves a relative specifier as TypeScript does (an extension added, index files, .js naming the .ts file)', () => {
    expect(read('./constants', from)?.path).toBe(join(dir, 'constants.ts'));
    expect(read('./constants.js', from)?.path).toBe(join(dir, 'constants.ts'));
    expect(read('./net', from)?.path).toBe(join(dir, 'net', 'index.ts'));
    expect(read('./constants', from)?.program.body).toHaveLength(1);
  });

  it('a package, a missing file or one that does not parse is not read', () => {
    expect(read('aws-cdk-lib', from)).toBeUndefined();
    expect(read('./missing', from)).toBeUndefined();
    expect(read('./broken', from)).toBeUndefined();
  });
});
