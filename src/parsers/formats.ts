/**
 * The one list of formats fwlint reads; importing this module registers them.
 *
 * A format's parser module is loaded the first time the format detects or parses: a run on iptables files never
 * loads the nftables, cloud or Terraform parsers (on a 20-line file their loading was ~60–80 ms, a fifth of the
 * start-up). Detection stops at the first format that scores the top of the scale (see detectFormat), so a
 * `*.rules` file that is plainly iptables-save loads the iptables parser alone.
 * ESLint's `parse()` is synchronous, so a parser module is loaded with `require`: require(esm) is synchronous and
 * warning-free on every Node version of our engines range (^20.19, ^22.13, >=24), and gives the very module
 * instance `import` gives (one module state, whichever loads it first).
 */
import { createRequire } from 'node:module';
import type { FormatDefinition, ParseOptions } from './types.js';
import { registerFormats } from './registry.js';

type Language = FormatDefinition['language'];

/** Format id, its ESLint language, the parser module that defines it (relative to this folder) and the export. */
const FORMATS: readonly (readonly [id: string, language: Language, module: string, name: string])[] = [
  ['iptables-save', 'iptables', './iptables/index.js', 'iptablesSaveFormat'],
  ['iptables-script', 'iptables', './iptables/index.js', 'iptablesScriptFormat'],
  ['nftables', 'nftables', './nftables/index.js', 'nftablesFormat'],
  ['nftables-json', 'json', './nftables/index.js', 'nftablesJsonFormat'],
  ['aws', 'json', './aws/index.js', 'awsJsonFormat'],
  ['cloudformation-yaml', 'yaml', './aws/index.js', 'cloudformationYamlFormat'],
  ['terraform', 'hcl', './terraform/format.js', 'terraformFormat'],
  ['terraform-plan', 'json', './terraform/format.js', 'terraformPlanFormat'],
  ['terraform-state', 'json', './terraform/format.js', 'terraformStateFormat'],
  ['gcp', 'json', './gcp/index.js', 'gcpJsonFormat'],
  ['gcp-yaml', 'yaml', './gcp/index.js', 'gcpYamlFormat'],
  ['azure', 'json', './azure/index.js', 'azureJsonFormat'],
  ['bicep', 'hcl', './azure/index.js', 'bicepFormat'],
];

declare global {
  interface ImportMeta {
    /** Vite's `import.meta.glob` (under vitest); Node has none. */
    glob?: (patterns: string[], options: { eager: true }) => Record<string, Record<string, unknown>>;
  }
}

/**
 * Under vitest the sources are TypeScript, which `require` cannot load. There vite rewrites this call into static
 * imports of the same parser modules (the modules of FORMATS, as .ts), so tests see every parser loaded up front,
 * through vite, as they did before. Under Node `import.meta.glob` is undefined and nothing is imported here.
 */
const viteModules =
  typeof import.meta.glob === 'function'
    ? import.meta.glob(['./iptables/index.ts', './nftables/index.ts', './aws/index.ts', './terraform/format.ts', './gcp/index.ts', './azure/index.ts'], { eager: true })
    : undefined;

const require = createRequire(import.meta.url);

function loadModule(module: string): Record<string, unknown> {
  if (viteModules) {
    const m = viteModules[module.replace(/\.js$/, '.ts')];
    if (!m) throw new Error(`format module ${module} is missing from the vitest import list in src/parsers/formats.ts`);
    return m;
  }
  return require(module) as Record<string, unknown>;
}

/** A format whose detect and parse load its parser module on first use. */
function lazyFormat(id: string, language: Language, module: string, name: string): FormatDefinition {
  let loaded: FormatDefinition | undefined;
  const definition = (): FormatDefinition => {
    if (loaded) return loaded;
    const d = loadModule(module)[name] as FormatDefinition | undefined;
    // a wrong entry above is a bug of this list (test/parsers/registry.test.ts loads every entry)
    if (!d || d.id !== id || d.language !== language) throw new Error(`src/parsers/formats.ts: ${module} has no ${language} format "${id}" exported as ${name}`);
    return (loaded = d);
  };
  return {
    id,
    language,
    detect: (fileName: string, text: string): number => definition().detect(fileName, text),
    parse: (text: string, options: ParseOptions) => definition().parse(text, options),
  };
}

registerFormats(FORMATS.map(([id, language, module, name]) => lazyFormat(id, language, module, name)));
