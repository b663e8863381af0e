import type { FirewallDocument, Span } from '../model/index.js';

/** ESLint-facing location (line 1-based, column 1-based: the firewall languages set columnStart 1). */
export interface NodeLoc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/**
 * The root node ESLint traverses. The tree is deliberately lean — one node per
 * file — because rules judge the whole document's exposure, not single nodes,
 * and ESLint visits every node it is given (100k-rule files stay cheap).
 */
export interface FirewallRoot {
  type: 'Document';
  loc: NodeLoc;
  range: [number, number];
  /** The parsed common model. */
  document: FirewallDocument;
  /** The comments, as directive nodes for eslint-disable comments. */
  comments: CommentNode[];
}

export interface CommentNode {
  type: 'Line' | 'Block';
  value: string;
  loc: NodeLoc;
  range: [number, number];
}

export function locOf(span: Span): NodeLoc {
  return { start: { line: span.start.line, column: span.start.column }, end: { line: span.end.line, column: span.end.column } };
}
