/**
 * Where the shared corpus is (../shared/corpus next to the repository; never copied into it),
 * whether a suite's part of it is there — missing is a failure under CI=true and a printed skip
 * otherwise — and a sorted recursive file listing.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus');

/** True when every required path (relative to the corpus) exists; otherwise throws under CI, else says why it skips. */
export function corpusPresent(suite: string, required: readonly string[]): boolean {
  const missing = required.filter((r) => !existsSync(path.join(CORPUS, r)));
  if (missing.length === 0) return true;
  const where = missing.map((m) => path.join(CORPUS, m)).join(', ');
  if (process.env.CI === 'true') throw new Error(`${suite} corpus missing: ${where}`);
  console.log(`${suite} corpus not found (${where}): conformance tests skipped`);
  return false;
}

/** Files under dir (recursively, sorted), those pred accepts; none when dir does not exist. */
export function walk(dir: string, pred: (file: string) => boolean = () => true, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir).sort()) {
    const f = path.join(dir, e);
    if (statSync(f).isDirectory()) walk(f, pred, out);
    else if (pred(f)) out.push(f);
  }
  return out;
}
