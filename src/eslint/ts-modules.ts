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

export function fileModuleReader(parse: (text: string, path: string) => TSESTree.Program | undefined, readText?: ModuleText): ModuleReader {
  if (readText) return textModuleReader(parse, readText);
  const files = new Map<string, { mtime: number; text: string; program: TSESTree.Program } | undefined>();
  return (spec, fromFile) => {
    if (!spec.startsWith('.')) return undefined;
    for (const path of candidates(spec, fromFile)) {
      let st;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      if (!st.isFile() || st.size > MAX_BYTES) return undefined;
      const hit = files.get(path);
      if (hit && hit.mtime === st.mtimeMs) return { path, text: hit.text, program: hit.program };
      let entry: { mtime: number; text: string; program: TSESTree.Program } | undefined;
      try {
        const text = readFileSync(path, 'utf8');
        const program = parse(text, path);
        entry = program ? { mtime: st.mtimeMs, text, program } : undefined;
      } catch {
        entry = undefined;
      }
      if (files.size >= MAX_FILES) files.clear();
      files.set(path, entry);
      return entry ? { path, text: entry.text, program: entry.program } : undefined;
    }
    return undefined;
  };
}

/** fileModuleReader over another reader of texts (no modification times to check: one side of one diff). */
function textModuleReader(parse: (text: string, path: string) => TSESTree.Program | undefined, readText: ModuleText): ModuleReader {
  const files = new Map<string, { text: string; program: TSESTree.Program } | undefined>();
  return (spec, fromFile) => {
    if (!spec.startsWith('.')) return undefined;
    for (const path of candidates(spec, fromFile)) {
      if (files.has(path)) {
        const hit = files.get(path);
        return hit ? { path, ...hit } : undefined;
      }
      const text = readText(path);
      if (text === undefined) continue;
      let entry: { text: string; program: TSESTree.Program } | undefined;
      try {
        const program = text.length > MAX_BYTES ? undefined : parse(text, path);
        entry = program ? { text, program } : undefined;
      } catch {
        entry = undefined;
      }
      if (files.size >= MAX_FILES) files.clear();
      files.set(path, entry);
      return entry ? { path, ...entry } : undefined;
    }
    return undefined;
  };
}
