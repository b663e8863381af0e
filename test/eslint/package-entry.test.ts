/**
 * The package as a user's eslint.config loads it (the built entries, through the package's own `exports`).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function node(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('an eslint.config.cjs', () => {
  it("gets the plugin from require('eslint-plugin-firewall') (it got the module namespace: configs was undefined)", () => {
    const script = `
      const firewall = require('eslint-plugin-firewall');
      const fwts = require('eslint-plugin-firewall/typescript');
      console.log(JSON.stringify([
        firewall.meta,
        firewall.configs.recommended.map((c) => c.name),
        Object.keys(firewall.rules).length,
        fwts.configs['recommended-typescript'].map((c) => c.name),
        fwts.rules === firewall.rules,
        firewall.configs['recommended-typescript'] === fwts.configs['recommended-typescript'],
      ]));
    `;
    const r = node(['-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      { name: 'eslint-plugin-firewall', version: expect.any(String), namespace: 'firewall' },
      ['firewall/recommended/iptables', 'firewall/recommended/nftables', 'firewall/recommended/json', 'firewall/recommended/yaml', 'firewall/recommended/hcl'],
      8,
      ['firewall/recommended-typescript'],
      true,
      true,
    ]);
  });

  it('import still gives the plugin as the default export, with its named exports', () => {
    const script = `
      const m = await import('eslint-plugin-firewall');
      const t = await import('eslint-plugin-firewall/typescript');
      console.log(JSON.stringify([m.default.meta.namespace, Object.keys(m.FILE_GLOBS).length, t.default.configs === t.configs]));
    `;
    const r = node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['firewall', 5, true]);
  });
});
