/**
 * The package as a user's eslint.config loads it (the built entries, through the package's own `exports`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
        fwts === firewall,
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

describe('eslint-plugin-firewall/typescript', () => {
  it('is the same plugin object as the main entry: naming it in `plugins` beside the configs was "Cannot redefine plugin"', () => {
    const script = `
      const { ESLint } = await import('eslint');
      const firewall = (await import('eslint-plugin-firewall/typescript')).default;
      const eslint = new ESLint({ cwd: ${JSON.stringify(ROOT)}, overrideConfigFile: true, overrideConfig: [
        ...firewall.configs.recommended,
        ...firewall.configs['recommended-typescript'],
        { files: ['**/*.nft'], plugins: { firewall }, rules: { 'firewall/no-world-open-sensitive-ports': 'off' }, settings: { firewall: { discovery: false } } },
      ] });
      const [r] = await eslint.lintText('table inet f {\\n  chain input {\\n    type filter hook input priority 0; policy drop;\\n    tcp dport { 22, 1761 } accept\\n  }\\n}\\n', { filePath: ${JSON.stringify(join(ROOT, 'fw.nft'))} });
      console.log(JSON.stringify(r.messages.map((m) => [m.ruleId, m.line, m.column])));
    `;
    const r = node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([['firewall/no-unneeded-cft-ports', 4, 15]]);
  });
});

describe("a user's eslint.config.ts", () => {
  it('type-checks under strict options (configs.recommended was `Config[] | undefined` under noUncheckedIndexedAccess)', () => {
    const d = mkdtempSync(join(tmpdir(), 'fwlint-config-ts-'));
    symlinkSync(join(ROOT, 'node_modules'), join(d, 'node_modules'), 'dir');
    const entry = (p: string) => JSON.stringify(join(ROOT, 'dist', 'src', 'eslint', p));
    writeFileSync(
      join(d, 'eslint.config.ts'),
      `import type { ESLint, Linter } from 'eslint';
import firewall from ${entry('plugin.js')};
import fwts from ${entry('typescript.js')};
const plugin: ESLint.Plugin = firewall;
const configs: Linter.Config[] = [
  ...firewall.configs.recommended,
  ...fwts.configs['recommended-typescript'],
  { files: ['**/*.rules'], plugins: { firewall: plugin }, rules: { 'firewall/no-shadowed-rules': 'off' } },
];
export default configs;
`,
    );
    writeFileSync(
      join(d, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, module: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: true, types: [] }, files: ['eslint.config.ts'] }),
    );
    const r = node([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(d, 'tsconfig.json')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('package.json', () => {
  it('declares every package the built code imports (dependencies, or peers: @typescript-eslint/parser was a devDependency only)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const imported = new Set<string>();
    const files = (readdirSync(join(ROOT, 'dist'), { recursive: true }) as string[]).filter((f) => f.endsWith('.js') && !f.startsWith('test') && !f.startsWith('bench'));
    for (const f of files) {
      const code = readFileSync(join(ROOT, 'dist', f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of code.matchAll(/(?:^import [^;]*? from |^import |^export [^;]*? from |\brequire\(|\bimport\()'([^'.][^']*)'/gm)) {
        const name = m[1]!.startsWith('@') ? m[1]!.split('/').slice(0, 2).join('/') : m[1]!.split('/')[0]!;
        if (!name.startsWith('node:') && name !== 'eslint-plugin-firewall') imported.add(name);
      }
    }
    expect([...imported].filter((n) => !declared.has(n))).toEqual([]);
    expect(imported.has('@typescript-eslint/parser')).toBe(true);
    // optional: users who lint only firewall files do not install it
    expect(pkg.peerDependenciesMeta).toEqual({ '@typescript-eslint/parser': { optional: true } });
  });
});
