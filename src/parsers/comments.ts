/**
 * Comments of JSON(C) and YAML inputs with their spans, for inline directives
 * and suppressions (one implementation for every cloud format).
 */
import { momoaLib } from './libs.js';
import type { DocComment, Position } from '../model/index.js';

/** `//` and block comments of a JSONC file (ARM templates allow them), for inline directives. */
export function jsonComments(text: string): DocComment[] {
  if (!text.includes('//') && !text.includes('/*')) return [];
  try {
    const out: DocComment[] = [];
    for (const t of momoaLib().tokenize(text, { mode: 'jsonc' } as never) as Iterable<{ type: string; loc: { start: Position; end: Position } }>) {
      if (t.type !== 'LineComment' && t.type !== 'BlockComment') continue;
      const s = t.loc.start.offset;
      const e = t.loc.end.offset;
      const line = t.type === 'LineComment';
      out.push({ type: line ? 'Line' : 'Block', value: line ? text.slice(s + 2, e).replace(/\r$/, '') : text.slice(s + 2, Math.max(s + 2, e - 2)), span: { start: { ...t.loc.start }, end: { ...t.loc.end } } });
    }
    return out;
  } catch {
    return []; // a syntax error is reported by the parse itself
  }
}

/** `#` comments of a YAML file (outside quoted scalars), for inline directives. */
export function yamlComments(text: string): DocComment[] {
  const out: DocComment[] = [];
  let line = 1;
  let ls = 0;
  while (ls <= text.length) {
    let le = text.indexOf('\n', ls);
    if (le < 0) le = text.length;
    let q: string | undefined;
    for (let i = ls; i < le; i++) {
      const c = text[i]!;
      if (q) {
        if (c === q) q = undefined;
      } else if (c === '"' || c === "'") {
        // A quote opens a scalar at the line start, after blanks and after YAML indicators.
        const p = i === ls ? ' ' : text[i - 1]!;
        if (p === ' ' || p === '\t' || p === ':' || p === '[' || p === '{' || p === ',' || p === '-' || /\s/.test(p)) q = c;
      } else if (c === '#' && (i === ls || text[i - 1] === ' ' || text[i - 1] === '\t')) {
        let end = le;
        if (end > i && text[end - 1] === '\r') end--;
        out.push({ value: text.slice(i + 1, end), type: 'Line', span: { start: { line, column: i - ls + 1, offset: i }, end: { line, column: end - ls + 1, offset: end } } });
        break;
      }
    }
    if (le >= text.length) break;
    ls = le + 1;
    line++;
  }
  return out;
}
