import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe("configs['recommended-typescript'] read from the main entry", () => {
  it('is the TypeScript config (it was undefined: ESLint stopped with "Unexpected undefined config")', () => {
    // the built plugin, as users import it: `import firewall from 'eslint-plugin-firewall'`
    const plugin = pathToFileURL(join(ROOT, 'dist', 'src', 'eslint', 'plugin.js')).href;
    const script = `
      const { ESLint } = await import('eslint');
      const firewall = (await import(${JSON.stringify(plugin)})).default;
      const eslint = new ESLint({ cwd: ${JSON.stringify(ROOT)}, overrideConfigFile: true, overrideConfig: [...firewall.configs['recommended-typescript']] });
      const text = "import * as aws from '@pulumi/aws';\\nnew aws.ec2.SecurityGroup('sg', {\\n  ingress: [{ protocol: 'tcp', fromPort: 1761, toPort: 1761, cidrBlocks: ['0.0.0.0/0'] }],\\n});\\n";
      const [r] = await eslint.lintText(text, { filePath: join('stack.ts') });
      console.log(JSON.stringify(r.messages.map((m) => [m.ruleId, m.line, m.column])));
      function join(f) { return ${JSON.stringify(ROOT)} + '/' + f; }
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([['firewall/no-unneeded-cft-ports', 3, 75]]);
  });
});
