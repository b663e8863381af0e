/**
 * Small ESTree helpers: spans, one-line source text, unwrapping TypeScript-only
 * expression wrappers. Type-only imports: this module has no runtime dependency
 * on typescript-eslint (node types are compared as strings).
 */
import type { TSESTree } from '@typescript-eslint/utils';
import type { Span } from '../../model/index.js';

export type Node = TSESTree.Node;

/** ESTree `loc` columns are 0-based; the model's are 1-based. Offsets come from `range`. */
export function spanOfNode(node: Node): Span {
  return {
    start: { line: node.loc.start.line, column: node.loc.start.column + 1, offset: node.range[0] },
    end: { line: node.loc.end.line, column: node.loc.end.column + 1, offset: node.range[1] },
  };
}

/** The node's source text on one line: runs of whitespace collapse to one space, trimmed. */
export function oneLine(sourceText: string, node: Node): string {
  return collapse(sourceText.slice(node.range[0], node.range[1]));
}

const NEEDS_COLLAPSE = /\s\s|[\t\n\r\f\v]/;
const WS_RUN = /\s+/;

export function collapse(text: string): string {
  if (!NEEDS_COLLAPSE.test(text)) return text.trim();
  if (text.length > 64) return text.trim().split(WS_RUN).join(' ');
  let out = '';
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += text[i];
  }
  return out;
}

/** Strips `x as T`, `x satisfies T`, `x!`, `<T>x` and chain wrappers, which do not change the value. */
export function unwrap(node: Node): Node {
  let n = node;
  for (;;) {
    switch (n.type) {
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TSInstantiationExpression':
        n = n.expression;
        continue;
      case 'ChainExpression':
        n = n.expression;
        continue;
      default:
        return n;
    }
  }
}

/** Static property name of `a.b` / `a['b']`, or undefined when computed from a non-literal. */
export function memberName(node: TSESTree.MemberExpression): string | undefined {
  // (a private name keeps its `#`: `this.#port` and `this.port` are two members)
  if (!node.computed) return node.property.type === 'Identifier' ? node.property.name : node.property.type === 'PrivateIdentifier' ? `#${node.property.name}` : undefined;
  const p = unwrap(node.property);
  if (p.type === 'Literal' && (typeof p.value === 'string' || typeof p.value === 'number')) return String(p.value);
  if (p.type === 'TemplateLiteral' && p.expressions.length === 0) return p.quasis[0]!.value.cooked ?? undefined;
  return undefined;
}

/** Name of an object-literal / class property key when static. */
export function keyName(key: Node, computed: boolean): string | undefined {
  if (!computed && key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateIdentifier') return `#${key.name}`;
  const k = unwrap(key);
  if (k.type === 'Literal' && (typeof k.value === 'string' || typeof k.value === 'number')) return String(k.value);
  if (k.type === 'TemplateLiteral' && k.expressions.length === 0) return k.quasis[0]!.value.cooked ?? undefined;
  return undefined;
}
