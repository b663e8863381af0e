import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder and manifest, found upward from this module (works from src/ and dist/). */
function find(): { root: string; name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'eslint-plugin-firewall') return { root: dir, name: pkg.name, version: pkg.version ?? '0.0.0' };
    } catch {
      // keep looking upward
    }
    dir = dirname(dir);
  }
  return { root: process.cwd(), name: 'eslint-plugin-firewall', version: '0.0.0' };
}

export const PACKAGE = find();
