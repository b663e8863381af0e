import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

  it('a file changed during the run is read again; an unchanged one is parsed once', () => {
    let parses = 0;
    const counting = fileModuleReader((text) => (parses++, parse(text, { range: true, loc: true }) as TSESTree.Program));
    const file = join(dir, 'ports.ts');
    writeFileSync(file, 'export const P = 1761;\n');
    utimesSync(file, 1_000, 1_000);
    expect(counting('./ports', from)?.text).toBe('export const P = 1761;\n');
    expect(counting('./ports', from)?.text).toBe('export const P = 1761;\n');
    expect(parses).toBe(1);
    writeFileSync(file, 'export const P = 1762;\n');
    utimesSync(file, 2_000, 2_000);
    expect(counting('./ports', from)?.text).toBe('export const P = 1762;\n');
    expect(parses).toBe(2);
  });

  it('over a reader of texts (one side of a diff): each path is asked once, and a text too large is not parsed', () => {
    const asked: string[] = [];
    const texts = new Map([
      [join(dir, 'side.ts'), 'export const P = 1763;\n'],
      [join(dir, 'huge.ts'), `export const P = 1;\n${' '.repeat(1 << 20)}`],
    ]);
    const side = fileModuleReader(
      (text) => parse(text, { range: true, loc: true }) as TSESTree.Program,
      (p) => (asked.push(p), texts.get(p)),
    );
    expect(side('./side', from)?.text).toBe('export const P = 1763;\n');
    expect(side('./side', from)?.path).toBe(join(dir, 'side.ts'));
    expect(asked.filter((p) => p === join(dir, 'side.ts'))).toHaveLength(1);
    expect(side('./huge', from)).toBeUndefined();
    expect(side('./missing', from)).toBeUndefined();
  });
});
