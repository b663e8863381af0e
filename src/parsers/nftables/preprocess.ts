/**
 * Token-level preprocessing of nft text: `define`/`redefine`/`undefine`
 * variables and `include` files are expanded in one sequential pass, so the
 * parser sees a flat token stream. Included files are read through the injected
 * reader; their positions all map to the include statement.
 */
import { LineIndex, type Diagnostic, type DocComment, type Span } from '../../model/index.js';
import type { IncludeReader, ParseOptions } from '../types.js';
import { lex, spanOfTok, type Source, type Token } from './lexer.js';

const MAX_INCLUDE_DEPTH = 16;
const MAX_EXPANSION = 5_000_000;
/** One variable's value, after expanding the variables it uses. */
const MAX_DEFINE_TOKENS = 100_000;

export interface PreprocessResult {
  tokens: Token[];
}

function tokSpan(a: Token, b: Token = a): Span {
  if (a.src.override) return a.src.override;
  return a.src === b.src ? a.src.li.span(a.s, b.e) : spanOfTok(a.src, a.s, a.e);
}

/** True when a token is a variable or a word the preprocessor acts on; otherwise `run` would copy every token unchanged. */
function needsExpansion(toks: Token[]): boolean {
  for (const t of toks) {
    if (t.t === 'var') return true;
    if (t.t === 'word' && (t.v === 'define' || t.v === 'redefine' || t.v === 'undefine' || t.v === 'include')) return true;
  }
  return false;
}

export function preprocess(main: Source, options: ParseOptions | undefined, diagnostics: Diagnostic[], comments: DocComment[]): Token[] {
  const defines = new Map<string, Token[]>();
  const out: Token[] = [];
  const stack: string[] = main.path ? [main.path] : [];
  let budget = MAX_EXPANSION;

  const expandVar = (tok: Token, into: Token[]): void => {
    const val = defines.get(tok.v);
    if (!val) {
      diagnostics.push({ severity: 'error', code: 'nftables/undefined-variable', message: `Undefined variable "$${tok.v}"`, span: tokSpan(tok) });
      into.push({ t: 'word', v: `$${tok.v}`, s: tok.s, e: tok.e, src: tok.src });
      return;
    }
    budget -= val.length;
    if (budget < 0) return;
    for (const t of val) into.push({ t: t.t, v: t.v, s: tok.s, e: tok.e, src: tok.src });
  };

  const run = (toks: Token[], depth: number): void => {
    let atStart = true;
    for (let i = 0; i < toks.length; i++) {
      const tok = toks[i]!;
      if (tok.t === 'nl' || (tok.t === 'punct' && (tok.v === ';' || tok.v === '{' || tok.v === '}'))) {
        out.push(tok);
        atStart = true;
        continue;
      }
      if (atStart && tok.t === 'word' && (tok.v === 'define' || tok.v === 'redefine')) {
        const name = toks[i + 1];
        if (!name || (name.t !== 'word' && name.t !== 'str')) {
          diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: `Expected a variable name after "${tok.v}"`, span: tokSpan(tok) });
          continue;
        }
        let j = i + 2;
        if (toks[j]?.t === 'punct' && toks[j]!.v === '=') j++;
        else diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: `Expected "=" after "define ${name.v}"`, span: tokSpan(name) });
        const value: Token[] = [];
        let d = 0;
        for (; j < toks.length; j++) {
          const t = toks[j]!;
          if (d === 0 && (t.t === 'nl' || (t.t === 'punct' && (t.v === ';' || t.v === '}')))) break;
          if (t.t === 'punct' && t.v === '{') d++;
          if (t.t === 'punct' && t.v === '}') d--;
          if (t.t === 'var') expandVar(t, value);
          else value.push(t);
          if (value.length > MAX_DEFINE_TOKENS) break;
        }
        const tooBig = value.length > MAX_DEFINE_TOKENS;
        if (tooBig) {
          diagnostics.push({ severity: 'error', code: 'nftables/expansion-limit', message: `Variable "${name.v}" expands to more than ${MAX_DEFINE_TOKENS} tokens; it is left empty`, span: tokSpan(tok, name) });
          value.length = 0;
          while (j < toks.length && !(toks[j]!.t === 'nl' || (toks[j]!.t === 'punct' && toks[j]!.v === ';'))) j++;
        }
        if (tok.v === 'define' && defines.has(name.v))
          diagnostics.push({ severity: 'error', code: 'nftables/redefined-variable', message: `Variable "${name.v}" is defined again: nft refuses the file ("redefinition of symbol"; use redefine)`, span: tokSpan(tok, name) });
        if (value.length === 0 && !tooBig) diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: `Variable "${name.v}" has no value`, span: tokSpan(tok, name) });
        defines.set(name.v, value);
        i = j - 1;
        atStart = false;
        continue;
      }
      if (atStart && tok.t === 'word' && tok.v === 'undefine') {
        const name = toks[i + 1];
        if (name && name.t === 'word') {
          if (!defines.delete(name.v)) diagnostics.push({ severity: 'warning', code: 'nftables/undefined-variable', message: `Variable "${name.v}" is not defined`, span: tokSpan(name) });
          i++;
        }
        atStart = false;
        continue;
      }
      if (atStart && tok.t === 'word' && tok.v === 'include') {
        const pathTok = toks[i + 1];
        if (!pathTok || pathTok.t !== 'str') {
          diagnostics.push({ severity: 'error', code: 'nftables/syntax', message: 'Expected a quoted file name after "include"', span: tokSpan(tok) });
          continue;
        }
        i++;
        atStart = false;
        const span = tokSpan(tok, pathTok);
        const reader = options?.readInclude;
        if (!reader) {
          diagnostics.push({ severity: 'warning', code: 'nftables/include-not-read', message: `include "${pathTok.v}" was not read (no include reader)`, span });
          continue;
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
          diagnostics.push({ severity: 'error', code: 'nftables/include-depth', message: `include "${pathTok.v}": includes nested too deeply`, span });
          continue;
        }
        let res: ReturnType<IncludeReader>;
        try {
          res = reader(pathTok.v, stack[stack.length - 1] ?? options?.filePath);
        } catch (e) {
          res = { error: String(e) };
        }
        if ('error' in res) {
          diagnostics.push({ severity: 'error', code: 'nftables/include-missing', message: `include "${pathTok.v}": ${res.error}`, span });
          continue;
        }
        const files = 'files' in res ? res.files : [res];
        // nft loads nothing and says nothing; the rules the host has there are not checked: said, not silent
        if (files.length === 0)
          diagnostics.push({
            severity: 'warning',
            code: 'nftables/include-empty',
            message: 'note' in res && res.note !== undefined ? `include "${pathTok.v}": ${res.note}` : `include "${pathTok.v}" matches no file here: the rules the host loads from it are not checked`,
            span,
          });
        for (const file of files) {
          if (stack.includes(file.path)) {
            diagnostics.push({ severity: 'error', code: 'nftables/include-loop', message: `include "${pathTok.v}" includes itself (${[...stack, file.path].join(' → ')})`, span });
            continue;
          }
          const src: Source = { text: file.text, li: new LineIndex(file.text), override: tok.src.override ?? span, path: file.path };
          const sub: Diagnostic[] = [];
          const toks2 = lex(src, sub, undefined);
          for (const d of sub) diagnostics.push({ ...d, message: `${file.path}: ${d.message}` });
          stack.push(file.path);
          out.push({ t: 'nl', v: '\n', s: tok.s, e: tok.s, src: tok.src });
          run(toks2, depth + 1);
          out.push({ t: 'nl', v: '\n', s: pathTok.e, e: pathTok.e, src: pathTok.src });
          stack.pop();
        }
        continue;
      }
      atStart = false;
      if (tok.t === 'var') expandVar(tok, out);
      else out.push(tok);
    }
  };
  const mainToks = lex(main, diagnostics, comments);
  // Nothing to expand (no variable, no define/undefine/include): the token list is the result as it is.
  if (!needsExpansion(mainToks)) return mainToks;
  run(mainToks, 0);
  if (budget < 0) diagnostics.push({ severity: 'error', code: 'nftables/expansion-limit', message: 'Variable expansion is too large; the rest was left out', span: { start: main.li.position(0), end: main.li.position(0) } });
  return out;
}
