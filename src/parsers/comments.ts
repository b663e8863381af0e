/**
 * Comments of JSON(C) and YAML inputs with their spans, for inline directives
 * and suppressions (one implementation for every cloud format).
 */
import { momoaLib, yamlLib } from './libs.js';
import { LineIndex, type DocComment, type Position } from '../model/index.js';

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

/**
 * `#` comments of a YAML file, for inline directives: the comment tokens of the yaml library's lexer, which knows
 * scalars. A line scanner took the lines of a block scalar (a CloudFormation `UserData: |` script, a Helm value) for
 * comments: a `# eslint-disable …` line in a shell script there disabled the rule for the rest of the file.
 */
export function yamlComments(text: string): DocComment[] {
  if (!text.includes('#')) return [];
  const { Lexer, CST } = yamlLib();
  const out: DocComment[] = [];
  let li: LineIndex | undefined;
  let offset = 0;
  try {
    for (const token of new Lexer().lex(text)) {
      // (the lexer's document, scalar and flow-end markers are not source text)
      if (token === CST.DOCUMENT || token === CST.SCALAR || token === CST.FLOW_END) continue;
      if (token[0] === '#' && CST.tokenType(token) === 'comment') {
        const value = token.slice(1).replace(/\r$/, '');
        li ??= new LineIndex(text);
        const end = offset + 1 + value.length;
        out.push({ value, type: 'Line', span: { start: li.position(offset), end: li.position(end) } });
      }
      offset += token.length;
    }
  } catch {
    return out; // the lexer reads any text; a failure is reported by the parse itself
  }
  return out;
}
