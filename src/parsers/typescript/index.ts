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
import { Resolver, type TypeServices } from './resolve.js';
import { scanProgram } from './scan.js';

export type { ExtractedRule, Suggestion } from './build.js';

export interface ExtractOptions {
  filePath?: string;
  /** typescript-eslint parser services when type info is available (`program`, `esTreeNodeToTSNodeMap`). */
  services?: unknown;
}

export const TYPESCRIPT_FORMAT = 'typescript';

export function extractFirewall(
  program: TSESTree.Program,
  sourceText: string,
  options: ExtractOptions = {},
): { document: FirewallDocument; extracted: ExtractedRule[] } {
  const services = typeServices(options.services);
  const resolver = new Resolver(sourceText, services);
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

const MARKERS = ['aws-cdk-lib', '@aws-cdk/aws-ec2', '@pulumi/aws', '@pulumi/gcp', '@pulumi/azure-native', '@pulumi/azure'];

/** Cheap pre-check: does the file import a library this extractor understands? */
export function looksLikeFirewallCode(sourceText: string): boolean {
  for (const m of MARKERS) if (sourceText.includes(m)) return true;
  return false;
}
