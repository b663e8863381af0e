/**
 * Adapter from resolved TypeScript values to the positioned value trees the
 * cloud parsers read (`PValue`), so Pulumi GCP / Azure resources are compiled by
 * the same `compileGcp` / `compileNsg` as the JSON, YAML and Terraform inputs:
 * one implementation of each cloud's semantics. Literals become scalars with
 * their node's span; anything not known statically becomes an expression
 * (`PExpr`) named by its source text, which the compilers turn into opaque matches.
 */
import type { Span } from '../../model/index.js';
import type { PValue } from '../values.js';
import { spanOfNode, type Node } from './ast.js';
import type { DocBuilder } from './build.js';
import type { Val } from './resolve.js';

function expr(b: DocBuilder, v: Val): PValue {
  return { kind: 'expr', text: v.k === 'unk' ? v.text : b.text(v.node), span: spanOfNode(v.node) };
}

/** Enum members (`azure.network.SecurityRuleAccess.Allow`) read as their member name (`Asterisk` is `*`). */
function enumMember(fq: string): string {
  const m = fq.slice(fq.lastIndexOf('.') + 1);
  return m === 'Asterisk' ? '*' : m;
}

/** A single value (protocol, priority, direction…). A loop variable is not one value: an expression. */
export function toP(b: DocBuilder, v: Val | undefined): PValue | undefined {
  if (!v) return undefined;
  const span = spanOfNode(v.node);
  switch (v.k) {
    case 'num':
    case 'str':
    case 'bool':
      return { kind: 'scalar', value: v.v, span };
    case 'nullish':
      return { kind: 'scalar', value: null, span };
    case 'ref':
      return { kind: 'scalar', value: enumMember(v.fq), span };
    case 'arr':
      return toPList(b, v);
    case 'obj': {
      const entries = [...v.props].map(([key, val]) => ({ key, keySpan: spanOfNode(val.node), value: toP(b, val)! }));
      if (v.rest) entries.push({ key: '...', keySpan: spanOfNode(v.rest.node), value: expr(b, v.rest) });
      return { kind: 'object', entries, span };
    }
    default:
      return expr(b, v);
  }
}

/**
 * A list value (ranges, tags, ports): an array, a single value, or a loop
 * variable (its iterations' values as one list — each iteration creates the same
 * rule with one of them, which together open what the list opens).
 */
export function toPList(b: DocBuilder, v: Val | undefined): PValue | undefined {
  if (!v) return undefined;
  if (v.k === 'arr' || v.k === 'each') {
    const items: PValue[] = [];
    const add = (it: Val): void => {
      if (it.k === 'arr' || it.k === 'each') {
        for (const x of it.items) add(x);
        if (it.k === 'arr' && it.rest) items.push(expr(b, it.rest));
      } else items.push(toP(b, it)!);
    };
    add(v);
    return { kind: 'array', items, span: spanOfNode(v.node) };
  }
  return toP(b, v);
}

/** Offset key of a span (rules are mapped back to their nodes by the span the compiler copies). */
export function spanKey(s: Span): string {
  return `${s.start.offset}:${s.end.offset}`;
}

export function nodeKey(n: Node): string {
  return `${n.range[0]}:${n.range[1]}`;
}
