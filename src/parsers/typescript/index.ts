/**
 * Security groups written in TypeScript / JavaScript (issue 8): AWS CDK and
 * Pulumi (AWS, GCP, Azure) → the common model, with exact positions and the
 * nodes and mechanical suggestions the lint rules report with.
 *
 * Input is the ESTree program ESLint gives rules (`@typescript-eslint/parser` or
 * espree), with `range` and `loc`. Pure: no I/O; never throws on user input.
 */
import type { TSESTree } from '@typescript-eslint/utils';
import type { DocComment, FirewallDocument } from '../../model/index.js';
import { spanOfNode } from './ast.js';
import { DocBuilder, type ExtractedRule } from './build.js';
import { extractCdk } from './cdk.js';
import { Context } from './context.js';
import { extractCdkNacls } from './nacl.js';
import { extractPulumi } from './pulumi.js';
import { Resolver, type TypeServices, type Val } from './resolve.js';
import { scanProgram } from './scan.js';

export type { ExtractedRule, Suggestion } from './build.js';

export interface ExtractOptions {
  filePath?: string;
  /** typescript-eslint parser services when type info is available (`program`, `esTreeNodeToTSNodeMap`). */
  services?: unknown;
  /**
   * Reads a module of the project the file imports (`'./constants'`, relative to `fromFile`): its path, text and
   * ESTree; undefined when it cannot be read or parsed. The constants it exports are then read (I/O is the caller's).
   */
  readModule?: ModuleReader;
}

export type ModuleReader = (specifier: string, fromFile: string) => { path: string; text: string; program: TSESTree.Program } | undefined;

/** Modules read within modules, at most. */
const MAX_MODULE_DEPTH = 4;

/** The hook the resolver asks for an imported name: the module's top-level binding of that name, evaluated there. */
function importedValues(read: ModuleReader, fromFile: string, depth: number, files: Map<string, { scan: ReturnType<typeof scanProgram>; r: Resolver } | undefined>): (module: string, name: string) => Val | undefined {
  return (module, name) => {
    if (!module.startsWith('.')) return undefined;
    let m: { path: string; text: string; program: TSESTree.Program } | undefined;
    try {
      m = read(module, fromFile);
    } catch {
      m = undefined;
    }
    if (!m) return undefined;
    if (!files.has(m.path)) {
      let entry: { scan: ReturnType<typeof scanProgram>; r: Resolver } | undefined;
      try {
        const scan = scanProgram(m.program);
        const r = new Resolver(m.text);
        r.fnScopes = scan.fnScopes;
        if (depth + 1 < MAX_MODULE_DEPTH) r.importedValue = importedValues(read, m.path, depth + 1, files);
        entry = { scan, r };
      } catch {
        entry = undefined;
      }
      files.set(m.path, entry);
    }
    const entry = files.get(m.path);
    const b = entry?.scan.root.vars.get(name);
    if (!entry || !b) return undefined;
    return entry.r.bindingValue(b);
  };
}

export const TYPESCRIPT_FORMAT = 'typescript';

export function extractFirewall(
  program: TSESTree.Program,
  sourceText: string,
  options: ExtractOptions = {},
): { document: FirewallDocument; extracted: ExtractedRule[] } {
  const services = typeServices(options.services);
  const resolver = new Resolver(sourceText, services);
  if (options.readModule && options.filePath) resolver.importedValue = importedValues(options.readModule, options.filePath, 0, new Map());
  const b = new DocBuilder(sourceText, resolver);
  const comments: DocComment[] = (program.comments ?? []).map((c) => ({ value: c.value, span: spanOfNode(c as unknown as TSESTree.Node), type: c.type === 'Line' ? 'Line' : 'Block' }));
  // Every extraction path starts from an import of a known module: skip other files cheaply.
  if (!looksLikeFirewallCode(sourceText)) return { document: { format: TYPESCRIPT_FORMAT, rulesets: [], diagnostics: [], comments }, extracted: [] };
  try {
    const scan = scanProgram(program);
    const ctx = new Context(b, resolver, scan);
    extractCdk(ctx);
    extractCdkNacls(ctx);
    extractPulumi(ctx);
  } catch (e) {
    // Defensive: an unexpected tree shape must not break linting.
    b.diagnostics.push({
      severity: 'error',
      message: `could not extract firewall rules: ${e instanceof Error ? e.message : String(e)}`,
      span: spanOfNode(program),
      code: 'typescript/internal',
    });
  }
  const { rulesets, extracted } = b.finish();
  return { document: { format: TYPESCRIPT_FORMAT, rulesets, diagnostics: b.diagnostics, comments }, extracted };
}

function typeServices(s: unknown): TypeServices | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const o = s as TypeServices;
  if (!o.program || typeof o.program.getTypeChecker !== 'function' || !o.esTreeNodeToTSNodeMap) return undefined;
  return o;
}

/** The modules whose import marks a file as one the extractor reads (also what `fwlint diff` searches for). */
export const MARKERS = ['aws-cdk-lib', '@aws-cdk/aws-ec2', '@pulumi/aws', '@pulumi/gcp', '@pulumi/azure-native', '@pulumi/azure'];

/** Cheap pre-check: does the file import a library this extractor understands? */
export function looksLikeFirewallCode(sourceText: string): boolean {
  for (const m of MARKERS) if (sourceText.includes(m)) return true;
  return false;
}
