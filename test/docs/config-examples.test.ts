/**
 * The fwlint.config.yaml examples of the docs (YAML blocks that name the configuration schema) are valid
 * configurations: a user who copies one gets no configuration error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsFromText } from '../../src/deployments/index.js';

const ROOT = join(import.meta.dirname, '../..');
const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('fwlint.config.yaml examples in the docs', () => {
  const blocks = FILES.flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^```ya?ml\n([^]*?)^```/gm)]
      .filter((m) => m[1]!.includes('fwlint.config.schema.json'))
      .map((m) => ({ file, text: m[1]! })),
  );

  if (blocks.length === 0) throw new Error('no fwlint.config.yaml example found in the docs');

  for (const { file, text } of blocks) {
    it(`${file}: ${text.split('\n')[1]}`, () => {
      // (the disabled: [sftp] deployment of deciding-needed-ports.md left 1763 out of its ports: "sftp" is a role of
      // Transfer CFT (port 1763) that none of the deployment's ports has)
      expect(settingsFromText(text, 'fwlint.config.yaml').errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([]);
    });
  }
});
