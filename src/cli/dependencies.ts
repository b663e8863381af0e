/**
 * The files a lint reads besides the files it lints, for the key of `--cache` runs: ESLint's cache keys a result by
 * the file's own text and the configuration, so without this a change to `terraform.tfvars`, to a local module's
 * files or to a file an nftables ruleset includes left the cached findings of the files that read it in place.
 *
 * Read without parsing (the cache is there to spare the parse): a Terraform file's tfvars and variable files (their
 * variables' defaults) beside it and the `.tf` files of the local modules it names (`source = "./…"`, followed as deep as the parser follows them); an nftables
 * file's `include "…"` (wildcards too), followed in the included files; the `X.parameters.json` beside an ARM template or Bicep file `X` (and a Bicep file's `X.bicepparam`);
 * a CDK / Pulumi file's relative imports, a Bicep file's local modules, an ARM template's linked templates
 * (`relativePath`) and a CloudFormation template's local nested stacks (`TemplateURL`, SAM `Location`), followed. A word that only looks like one (in a
 * comment, in a string) adds a file that is not read: the key changes more often than it must, never less. Every
 * path is read through the parsers' own reader (src/eslint/language.ts), so it resolves as the parse resolves it.
 */
import type { Hash } from 'node:crypto';
import { readInclude } from '../eslint/language.js';
import { candidates } from '../eslint/ts-modules.js';
import { armParameterFileName, bicepParamFileName } from '../parsers/azure/files.js';
import { AUTO_TFVARS_PATTERNS, INSTALLED_MODULES_MANIFEST, isLocalModuleSource, LOCAL_FILE_PATTERNS, MAX_MODULE_DEPTH, moduleFilesPattern, TFVARS_FILES, VARIABLE_FILE_PATTERNS } from '../parsers/terraform/files.js';

/** How many included or module files one key reads at most (a loop of includes ends on the visited set; this bounds the rest). */
const MAX_FILES = 10_000;

const TERRAFORM = /\.tf(?:\.json)?$/i;

export function hashDependencies(h: Hash, files: readonly { path: string; text: string }[]): void {
  const seen = new Set<string>();
  const add = (path: string, text: string | undefined): void => {
    h.update(`\0dep ${path}\0${text ?? '(absent)'}`);
  };
  // [file, text, module depth] still to read for the files they name
  const todo: [string, string, number][] = files.map((f) => [f.path, f.text, 0]);
  for (const f of files) seen.add(f.path);
  while (todo.length > 0 && seen.size < MAX_FILES) {
    const [path, text, depth] = todo.pop()!;
    const read = (pattern: string, next: number | undefined): void => {
      const r = readInclude(pattern, path);
      if ('error' in r) return add(`${path} -> ${pattern}`, undefined);
      const got = 'files' in r ? r.files : 'text' in r ? [r] : [];
      h.update(`\0glob ${path} -> ${pattern}: ${got.map((g) => g.path).join('\0')}`);
      for (const g of got) {
        if (seen.has(g.path)) continue;
        seen.add(g.path);
        add(g.path, g.text);
        if (next !== undefined) todo.push([g.path, g.text, next]);
      }
    };
    if (TERRAFORM.test(path)) {
      // the module's other files (their variables' defaults) and the tfvars Terraform loads
      // (and the manifest of the modules terraform init installed, whose version it names)
      if (depth === 0) for (const name of [...VARIABLE_FILE_PATTERNS, ...LOCAL_FILE_PATTERNS, ...TFVARS_FILES, ...AUTO_TFVARS_PATTERNS, INSTALLED_MODULES_MANIFEST]) read(name, undefined);
      if (depth < MAX_MODULE_DEPTH) for (const src of quotedAfter(text, 'source')) if (isLocalModuleSource(src)) read(moduleFilesPattern(src), depth + 1);
    } else {
      // an ARM template's or Bicep file's parameter file (X.parameters.json), whose values win over the defaults
      const params = depth === 0 ? armParameterFileName(path) : undefined;
      if (params) read(params, undefined);
      const bicepParams = depth === 0 ? bicepParamFileName(path) : undefined;
      if (bicepParams) read(bicepParams, undefined);
      for (const inc of quotedAfter(text, 'include')) read(inc, 0);
      // files the other readers follow: a CDK / Pulumi file's relative imports (as TypeScript resolves them), a
      // Bicep file's local modules, an ARM template's linked templates, a CloudFormation template's nested stacks
      for (const ref of localReferences(path, text)) {
        if (ref.kind === 'module') for (const c of candidates(ref.spec, path)) read(c, 0);
        else read(ref.spec, 0);
      }
    }
  }
}

/**
 * The string literals written right after `word` (then, for `source`, an `=`): `source = "./modules/sg"`,
 * `include "/etc/nftables.d/*.nft"`. One pass over the text, no regular expression.
 */
export function quotedAfter(text: string, word: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
    const before = at > 0 ? text.charCodeAt(at - 1) : 32;
    if (isWordChar(before)) continue;
    let i = at + word.length;
    i = skipBlanks(text, i);
    if (word === 'source') {
      if (text.charCodeAt(i) !== 61 /* = */) continue;
      i = skipBlanks(text, i + 1);
    } else if (i === at + word.length) continue; // `include` then a blank
    if (text.charCodeAt(i) !== 34 /* " */) continue;
    const lit = literalAt(text, i);
    if (lit !== undefined) out.push(lit);
  }
  return out;
}

/** The string literal whose opening quote (' or ") is at i, ending on its line; undefined for none. */
function literalAt(text: string, i: number): string | undefined {
  const q = text.charCodeAt(i);
  if (q !== 34 && q !== 39) return undefined;
  const end = text.indexOf(String.fromCharCode(q), i + 1);
  const nl = text.indexOf('\n', i + 1);
  return end < 0 || (nl >= 0 && nl < end) ? undefined : text.slice(i + 1, end);
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

const SCRIPT = /\.(?:m|c)?[jt]sx?$/i;

/**
 * The local files a file's other readers follow (see hashDependencies): `kind: 'module'` a TypeScript specifier
 * (`from './constants'`, `require('./x')`, `import('./x')`), resolved as TypeScript resolves it; `kind: 'file'` a path
 * relative to the file (a Bicep `module m './sg.bicep'`, ARM `"relativePath": "nested/sg.json"`, CloudFormation
 * `TemplateURL: ./child.yaml`). URLs and registry references are not files. One pass per marker, no regular expression
 * over the text.
 */
export function localReferences(path: string, text: string): { kind: 'module' | 'file'; spec: string }[] {
  const out: { kind: 'module' | 'file'; spec: string }[] = [];
  if (SCRIPT.test(path)) {
    // (`from '…'`, `import '…'`, `import('…')`, `require('…')`: after require and import, an optional parenthesis)
    for (const w of ['from', 'import', 'require']) for (const spec of stringsAfter(text, w, false)) if (spec.startsWith('.')) out.push({ kind: 'module', spec });
    return out;
  }
  if (/\.bicep$/i.test(path)) {
    for (const spec of stringsAfter(text, 'module', true)) if (!/^(?:br|ts)[:/]/.test(spec)) out.push({ kind: 'file', spec });
    return out;
  }
  for (const key of ['relativePath', 'TemplateURL', 'Location'])
    for (const spec of valuesOfKey(text, key)) if (spec !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(spec) && !spec.startsWith('{') && !spec.startsWith('!')) out.push({ kind: 'file', spec });
  return out;
}

/** The quoted strings (' or ") right after `word` (for `module`, after the word and one symbol name: Bicep's `module m '…'`). */
function stringsAfter(text: string, word: string, symbol: boolean): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
    if (at > 0 && isWordChar(text.charCodeAt(at - 1))) continue;
    let i = at + word.length;
    if (i < text.length && isWordChar(text.charCodeAt(i))) continue;
    i = skipBlanks(text, i);
    if ((word === 'import' || word === 'require') && text.charCodeAt(i) === 40 /* ( */) i = skipBlanks(text, i + 1);
    if (symbol) {
      const s = i;
      while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
      if (i === s) continue;
      i = skipBlanks(text, i);
    }
    const lit = literalAt(text, i);
    if (lit !== undefined) out.push(lit);
  }
  return out;
}

/** The values of a JSON or YAML key (`"relativePath": "x.json"`, `TemplateURL: ./child.yaml`), quoted or bare. */
function valuesOfKey(text: string, key: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + key.length)) {
    if (at > 0 && isWordChar(text.charCodeAt(at - 1))) continue;
    let i = at + key.length;
    if (text.charCodeAt(i) === 34 || text.charCodeAt(i) === 39) i++;
    i = skipBlanks(text, i);
    if (text.charCodeAt(i) !== 58 /* : */) continue;
    i = skipBlanks(text, i + 1);
    const q = text.charCodeAt(i);
    if (q === 34 || q === 39) {
      const lit = literalAt(text, i);
      if (lit !== undefined) out.push(lit);
      continue;
    }
    const s = i;
    while (i < text.length && !' \t\r\n,}]#'.includes(text[i]!)) i++;
    out.push(text.slice(s, i));
  }
  return out;
}
