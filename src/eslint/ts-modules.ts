/**
 * The modules of the project a CDK / Pulumi file imports (`import { CFT_PORTS } from './constants'`), read from disk
 * for the TypeScript extractor (which does no I/O): the specifier resolved as TypeScript resolves a relative one
 * (`./x` → `x.ts`, `x.tsx`, `x/index.ts`…; `./x.js` → `x.ts` under ESM), parsed with the parser given. Files are
 * kept by path and modification time for the run.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TSESTree } from '@typescript-eslint/utils';
import type { ModuleReader } from '../parsers/typescript/index.js';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const MAX_BYTES = 1 << 20;
const MAX_FILES = 256;

/** The files a relative specifier may name, in TypeScript's order (also the --cache key's, src/cli/dependencies.ts). */
export function candidates(spec: string, fromFile: string): string[] {
  const base = resolve(dirname(fromFile), spec);
  const js = /\.(m|c)?js$/.exec(base);
  if (js) return [base.slice(0, -js[0].length) + `.${js[1] ?? ''}ts`, base];
  if (/\.(m|c)?tsx?$/.test(base)) return [base];
  return [...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.slice(0, 2).map((e) => `${base}/index${e}`), `${base}/index.js`];
}

/**
 * A file's text as another side sees it (`fwlint diff` reads the base side's modules from git): `undefined` when the
 * file is not there; the disk when no such reader is given.
 */
export type ModuleText = (path: string) => string | undefined;

/** What a module reader finds at a candidate path: a file (its version changes with its text), none, or one not to read. */
type Found = { version: number; read: () => string } | 'none' | 'refused';

export function fileModuleReader(parse: (text: string, path: string) => TSESTree.Program | undefined, readText?: ModuleText): ModuleReader {
  if (readText) {
    // one side of one diff: its texts do not change during the run, so a path read once is not asked again
    return moduleReader(parse, true, (path) => {
      const text = readText(path);
      return text === undefined ? 'none' : { version: 0, read: () => text };
    });
  }
  return moduleReader(parse, false, (path) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return 'none';
    }
    return !st.isFile() || st.size > MAX_BYTES ? 'refused' : { version: st.mtimeMs, read: () => readFileSync(path, 'utf8') };
  });
}

/**
 * The reader over `find`: the first candidate path that is there (a directory or an oversized file there ends the
 * search with nothing, as does a file that cannot be read or parsed), parsed once per version and kept for the run
 * (`stable`: the first answer for a path is kept, found again or not).
 */
function moduleReader(parse: (text: string, path: string) => TSESTree.Program | undefined, stable: boolean, find: (path: string) => Found): ModuleReader {
  const files = new Map<string, { version: number; module?: { text: string; program: TSESTree.Program } }>();
  return (spec, fromFile) => {
    if (!spec.startsWith('.')) return undefined;
    for (const path of candidates(spec, fromFile)) {
      let hit = stable ? files.get(path) : undefined;
      if (!hit) {
        const found = find(path);
        if (found === 'none') continue;
        if (found === 'refused') return undefined;
        hit = files.get(path);
        if (!hit || hit.version !== found.version) {
          hit = { version: found.version };
          try {
            const text = found.read();
            const program = text.length > MAX_BYTES ? undefined : parse(text, path);
            if (program) hit.module = { text, program };
          } catch {
            // unreadable or not TypeScript: nothing (the importing file's values from it stay unresolved)
          }
          if (files.size >= MAX_FILES) files.clear();
          files.set(path, hit);
        }
      }
      return hit.module ? { path, ...hit.module } : undefined;
    }
    return undefined;
  };
}
