import type { FirewallDocument } from '../model/index.js';

/**
 * Reads an included file for parsers that support includes (nft `include`). Injected: parsers do no I/O.
 * A wildcard pattern gives `files`: every match in the order nft loads them (none is not an error); `note`
 * says why there are none when that is not the pattern (a directory, which nft 1.0.6 reads as empty).
 */
export type IncludeReader = (
  path: string,
  fromFile: string | undefined,
) => { path: string; text: string } | { error: string } | { files: { path: string; text: string }[]; note?: string };

export interface ParseOptions {
  /** The file's path, for messages and include resolution; undefined for stdin. */
  filePath?: string;
  /** Variables from outside the file (Terraform tfvars, CloudFormation parameter overrides). */
  variables?: Record<string, unknown>;
  /**
   * iptables scripts: what the host's filter table holds when the script starts — `unknown` (the default: the chains
   * it does not flush keep rules and policies the file does not show) or `empty` (a fresh host, container or network
   * namespace). Other formats ignore it.
   */
  before?: 'unknown' | 'empty';
  readInclude?: IncludeReader;
}

/**
 * A format: how to recognise it and how to parse it. Parsers are pure
 * (text → model with positions), never throw on user input, and report bad
 * input as diagnostics with line and column.
 */
export interface FormatDefinition {
  /** e.g. "iptables-save", "iptables-script", "nftables", "nftables-json", "aws", "gcp", "azure", "terraform". */
  id: string;
  /** Which ESLint language carries it: decides comment syntax. */
  language: 'iptables' | 'nftables' | 'json' | 'yaml' | 'hcl';
  /**
   * 0 = not this format; 1–100 = how confident (every format uses this one scale:
   * ~90 unmistakable content, ~60–80 strong hints, below that weak ones). `fileName` is the base name.
   * Must be cheap: look at the name and at most the first few KB of text.
   */
  detect(fileName: string, text: string): number;
  parse(text: string, options: ParseOptions): FirewallDocument;
}
