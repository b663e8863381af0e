/**
 * Positioned value trees: JSON (momoa), YAML (yaml) and, via the HCL parser,
 * Terraform all become one shape, so the cloud parsers read values and their
 * source positions the same way whatever the file syntax.
 */
import type { Node as YamlNode } from 'yaml';
import { momoaLib, yamlLib } from './libs.js';
import { LineIndex, type Diagnostic, type Position, type Span, DOCUMENT_START } from '../model/index.js';

export type PValue = PScalar | PArray | PObject | PExpr;

export interface PScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  span: Span;
}
export interface PArray {
  kind: 'array';
  items: PValue[];
  span: Span;
}
export interface PEntry {
  key: string;
  keySpan: Span;
  value: PValue;
}
export interface PObject {
  kind: 'object';
  entries: PEntry[];
  span: Span;
  /** HCL blocks: the block type and labels (`resource "aws_security_group" "x"`). */
  block?: { type: string; labels: string[] };
}
/** An expression the syntax carries but that is not a literal (HCL `var.x`, ARM "[parameters('p')]"). */
export interface PExpr {
  kind: 'expr';
  text: string;
  span: Span;
}

/*
 * Copies of nodes with new parts. The positioned JSON reader (./json.ts) keeps a node's place in a getter on its
 * class, which a spread (`{ ...v, items }`) does not copy: a node copied with new parts goes through these.
 */
export function withItems(v: PArray, items: PValue[]): PArray {
  return { kind: 'array', items, span: v.span };
}
export function withEntries(v: PObject, entries: PEntry[]): PObject {
  const o: PObject = { kind: 'object', entries, span: v.span };
  if (v.block) o.block = v.block;
  return o;
}
export function withValue(e: PEntry, value: PValue, key: string = e.key): PEntry {
  return { key, keySpan: e.keySpan, value };
}

/**
 * A value tree with every node at `span`: a YAML alias's copy of its anchor; values read from another file (a Bicep
 * module, a linked ARM template), placed where that file is used.
 */
export function placedAt(v: PValue, span: Span): PValue {
  if (v.kind === 'array') return { kind: 'array', items: v.items.map((x) => placedAt(x, span)), span };
  if (v.kind === 'object') {
    const o: PObject = { kind: 'object', entries: v.entries.map((e) => ({ key: e.key, keySpan: span, value: placedAt(e.value, span) })), span };
    if (v.block) o.block = v.block;
    return o;
  }
  return v.kind === 'scalar' ? { kind: 'scalar', value: v.value, span } : { kind: 'expr', text: v.text, span };
}

export interface ParsedTree {
  value: PValue | undefined;
  diagnostics: Diagnostic[];
}

export function get(obj: PValue | undefined, key: string): PValue | undefined {
  if (!obj || obj.kind !== 'object') return undefined;
  for (let i = obj.entries.length - 1; i >= 0; i--) if (obj.entries[i]!.key === key) return obj.entries[i]!.value;
  return undefined;
}

/** Case-insensitive key lookup (ARM property names are case-insensitive). */
export function getCI(obj: PValue | undefined, key: string): PValue | undefined {
  if (!obj || obj.kind !== 'object') return undefined;
  const k = key.toLowerCase();
  for (let i = obj.entries.length - 1; i >= 0; i--) if (obj.entries[i]!.key.toLowerCase() === k) return obj.entries[i]!.value;
  return undefined;
}

export function str(v: PValue | undefined): string | undefined {
  return v?.kind === 'scalar' && typeof v.value === 'string' ? v.value : undefined;
}
export function num(v: PValue | undefined): number | undefined {
  if (v?.kind !== 'scalar') return undefined;
  if (typeof v.value === 'number') return v.value;
  if (typeof v.value === 'string' && /^-?[0-9]+$/.test(v.value.trim())) return Number(v.value.trim());
  return undefined;
}
export function items(v: PValue | undefined): PValue[] {
  return v?.kind === 'array' ? v.items : v === undefined ? [] : [v];
}

/** Plain JS value (for hashing, schema validation and debugging). Expressions become their text. */
export function toPlain(v: PValue | undefined, expr: (text: string) => unknown = (text) => text): unknown {
  if (!v) return undefined;
  switch (v.kind) {
    case 'scalar':
      return v.value;
    case 'array':
      return v.items.map((x) => toPlain(x, expr));
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const e of v.entries) o[e.key] = toPlain(e.value, expr);
      return o;
    }
    case 'expr':
      return expr(v.text);
  }
}

/**
 * A comparable text of a value as a cloud stores it: null, "", an empty list and an absent value are one (providers
 * store an unset string as "" or null, an unset list as [] or null); letters in either case alike; lists as sets (a
 * provider's sets come in any order). Expressions never equal a literal. For telling whether two stored copies of one
 * cloud object say the same (a state's group and its standalone rule, see `TfResource.stored`).
 */
export function storedText(v: PValue | undefined): string {
  if (v === undefined) return '';
  switch (v.kind) {
    case 'scalar':
      return v.value === null ? '' : String(v.value).toLowerCase();
    case 'array':
      return v.items.length === 0 ? '' : `[${v.items.map(storedText).sort().join('\u0000')}]`;
    case 'object':
      return `{${v.entries.map((e) => `${e.key}=${storedText(e.value)}`).sort().join('\u0000')}}`;
    case 'expr':
      return `\u0001${v.text}`;
  }
}

// ---------------------------------------------------------------- JSON

type MomoaNode = { type: string; loc: { start: { line: number; column: number; offset: number }; end: { line: number; column: number; offset: number } }; [k: string]: unknown };

function momoaSpan(n: MomoaNode): Span {
  return { start: { ...n.loc.start }, end: { ...n.loc.end } };
}

function fromMomoa(n: MomoaNode): PValue {
  switch (n.type) {
    case 'Object':
      return {
        kind: 'object',
        span: momoaSpan(n),
        entries: (n.members as { name: MomoaNode; value: MomoaNode }[]).map((m) => ({
          key: String((m.name as { value?: unknown }).value ?? (m.name as { name?: unknown }).name),
          keySpan: momoaSpan(m.name),
          value: fromMomoa(m.value),
        })),
      };
    case 'Array':
      return { kind: 'array', span: momoaSpan(n), items: (n.elements as { value: MomoaNode }[]).map((e) => fromMomoa(e.value)) };
    case 'String':
    case 'Number':
    case 'Boolean':
      return { kind: 'scalar', value: n.value as string | number | boolean, span: momoaSpan(n) };
    case 'Null':
      return { kind: 'scalar', value: null, span: momoaSpan(n) };
    default:
      return { kind: 'expr', text: String(n.type), span: momoaSpan(n) };
  }
}

/**
 * momoa names the last token when the text ends inside an array or object (`[{"a": 1}` → "Unexpected token RBrace
 * found"), though that token is right and what is wrong is the missing `]` or `}` after it: say so.
 */
function endsEarly(text: string, err: { message?: string; offset?: number }): string | undefined {
  if (typeof err.offset !== 'number' || !/^Unexpected token \w+ found/.test(err.message ?? '')) return undefined;
  // brackets opened and not closed (each closer matching its opener), and where the last character outside strings
  // and comments is
  const open: string[] = [];
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      last = i;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? text.length : e + 1;
    } else {
      if (c === '[' || c === '{') open.push(c);
      else if (c === ']' || c === '}') {
        if (open.pop() !== (c === ']' ? '[' : '{')) return undefined;
      }
      if (!/\s/.test(c)) last = i;
    }
  }
  // (the token named is the file's last one, or a comment after it: not extra, the end came early)
  return open.length > 0 && err.offset >= last ? `the text ends before a "]" or "}" closes the array or object this token is in (${err.message})` : undefined;
}

/** JSON (with comments and trailing commas tolerated, as hand-edited exports have them). */
export function parseJsonTree(text: string): ParsedTree {
  try {
    const doc = momoaLib().parse(text, { mode: 'jsonc', allowTrailingCommas: true } as never) as unknown as { body: MomoaNode };
    return { value: fromMomoa(doc.body), diagnostics: [] };
  } catch (e) {
    const err = e as { message?: string; line?: number; column?: number; offset?: number };
    const li = new LineIndex(text);
    const pos = typeof err.offset === 'number' ? li.position(err.offset) : DOCUMENT_START.start;
    return {
      value: undefined,
      // (the parser recurses: thousands of nested arrays exhaust the stack, which is no syntax error of the file's)
      diagnostics: [
        e instanceof RangeError
          ? { severity: 'error', code: 'json/too-deep', message: 'JSON nested too deeply to read (thousands of levels)', span: { start: pos, end: pos } }
          : { severity: 'error', code: 'json/syntax', message: `JSON syntax error: ${endsEarly(text, err) ?? err.message ?? String(e)}`, span: { start: pos, end: pos } },
      ],
    };
  }
}

// ---------------------------------------------------------------- YAML

/** CloudFormation short forms become their long form: `!Ref x` → {Ref: x}, `!Sub s` → {"Fn::Sub": s}. */
function cfnKey(tag: string): string | undefined {
  if (!tag.startsWith('!')) return undefined;
  const name = tag.slice(1);
  if (name === 'Ref' || name === 'Condition') return name;
  return `Fn::${name}`;
}

export function parseYamlTree(text: string): ParsedTree {
  const { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = yamlLib();
  const lc = new LineCounter();
  const li = new LineIndex(text);
  const diagnostics: Diagnostic[] = [];
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, strict: false, uniqueKeys: false, prettyErrors: false, logLevel: 'silent' });
  } catch (e) {
    return { value: undefined, diagnostics: [{ severity: 'error', code: 'yaml/syntax', message: `YAML error: ${String(e)}`, span: DOCUMENT_START }] };
  }
  for (const err of doc.errors) {
    const s = li.position(Math.min(err.pos[0], text.length));
    const en = li.position(Math.min(err.pos[1], text.length));
    if (err.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(err.message))
      diagnostics.push({ severity: 'error', code: 'yaml/too-deep', message: 'YAML nested too deeply to read (thousands of levels)', span: { start: s, end: en } });
    else diagnostics.push({ severity: 'error', code: 'yaml/syntax', message: `YAML error: ${err.message.split('\n')[0]}`, span: { start: s, end: en } });
  }
  const spanOf = (range: readonly number[] | null | undefined): Span => {
    if (!range) return DOCUMENT_START;
    // (a block collection's range runs on to the next token, over the line's end and the next one's indentation: a
    // span ends at its last character, as JSON's and HCL's do)
    const start = Math.min(range[0]!, text.length);
    let end = Math.min(range[1]!, text.length);
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    return li.span(start, end);
  };
  const seen = new Set<unknown>();
  const walk = (n: unknown, depth: number): PValue => {
    const node = n as YamlNode & { tag?: string; range?: [number, number, number] };
    const span = spanOf(node?.range);
    if (depth > 200 || n === null || n === undefined) return { kind: 'scalar', value: null, span };
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target || seen.has(target)) return { kind: 'expr', text: `*${node.source}`, span };
      seen.add(target);
      // (the copy is placed where the alias is used: a finding on it names that line, not the anchor's)
      const v = placedAt(walk(target, depth + 1), span);
      seen.delete(target);
      return v;
    }
    let value: PValue;
    if (isScalar(node)) {
      const v = node.value;
      value = { kind: 'scalar', value: typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v), span };
      if (typeof v === 'bigint') value = { kind: 'scalar', value: Number(v), span };
    } else if (isMap(node)) {
      const entries: PEntry[] = [];
      for (const p of node.items) {
        if (!isPair(p)) continue;
        const k = p.key as YamlNode & { range?: [number, number, number] };
        const keyText = isScalar(k) ? String(k.value) : String(k);
        if (keyText === '<<' && p.value) {
          const merged = walk(p.value, depth + 1);
          for (const m of merged.kind === 'array' ? merged.items : [merged]) if (m.kind === 'object') entries.push(...m.entries);
          continue;
        }
        entries.push({ key: keyText, keySpan: spanOf(k?.range), value: p.value === null || p.value === undefined ? { kind: 'scalar', value: null, span: spanOf(k?.range) } : walk(p.value, depth + 1) });
      }
      value = { kind: 'object', entries, span };
    } else if (isSeq(node)) {
      value = { kind: 'array', items: node.items.map((i) => walk(i, depth + 1)), span };
    } else {
      value = { kind: 'scalar', value: null, span };
    }
    const tag = node.tag;
    const key = tag ? cfnKey(tag) : undefined;
    if (key) {
      let inner = value;
      if (key === 'Fn::GetAtt' && inner.kind === 'scalar' && typeof inner.value === 'string') {
        const dot = inner.value.indexOf('.');
        inner = dot > 0 ? { kind: 'array', span, items: [{ kind: 'scalar', value: inner.value.slice(0, dot), span }, { kind: 'scalar', value: inner.value.slice(dot + 1), span }] } : inner;
      }
      return { kind: 'object', span, entries: [{ key, keySpan: span, value: inner }] };
    }
    return value;
  };
  const value = doc.contents === null ? undefined : walk(doc.contents, 0);
  return { value, diagnostics };
}

function shiftPos(p: Position, line: number, offset: number): Position {
  return { line: p.line + line, column: p.column, offset: p.offset + offset };
}
function shiftSpan(s: Span, line: number, offset: number): Span {
  return { start: shiftPos(s.start, line, offset), end: shiftPos(s.end, line, offset) };
}
function shiftValue(v: PValue, line: number, offset: number): PValue {
  switch (v.kind) {
    case 'scalar':
      return { ...v, span: shiftSpan(v.span, line, offset) };
    case 'expr':
      return { ...v, span: shiftSpan(v.span, line, offset) };
    case 'array':
      return { kind: 'array', span: shiftSpan(v.span, line, offset), items: v.items.map((i) => shiftValue(i, line, offset)) };
    case 'object': {
      const o: PValue = {
        kind: 'object',
        span: shiftSpan(v.span, line, offset),
        entries: v.entries.map((e) => ({ key: e.key, keySpan: shiftSpan(e.keySpan, line, offset), value: shiftValue(e.value, line, offset) })),
      };
      if (v.block) o.block = v.block;
      return o;
    }
  }
}

/**
 * The documents of a YAML stream, split at `---` (and `...`) lines: each one's text, its offset and its first line
 * (0-based) in the whole text. Blank documents are left out.
 */
export function splitYamlDocuments(text: string): { text: string; offset: number; lineOffset: number }[] {
  const docs: { text: string; offset: number; lineOffset: number }[] = [];
  let start = 0;
  let startLine = 0;
  let line = 0;
  let i = 0;
  const push = (end: number): void => {
    const chunk = text.slice(start, end);
    if (chunk.trim() !== '') docs.push({ text: chunk, offset: start, lineOffset: startLine });
  };
  for (;;) {
    const nl = text.indexOf('\n', i);
    const end = nl < 0 ? text.length : nl;
    const l = text.charCodeAt(end - 1) === 13 ? text.slice(i, end - 1) : text.slice(i, end);
    if (l === '---' || l.startsWith('--- ') || l === '...') {
      push(i);
      start = end + 1;
      startLine = line + 1;
    }
    if (nl < 0) break;
    line++;
    i = nl + 1;
  }
  if (start < text.length) push(text.length);
  return docs;
}

/**
 * YAML possibly holding several documents (`gcloud … list --format=yaml` prints one document per resource,
 * CloudFormation and Kubernetes files hold several, separated by `---`): each document's tree, with positions in the
 * whole text.
 */
export function parseYamlDocuments(text: string): { values: PValue[]; diagnostics: Diagnostic[] } {
  const values: PValue[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const d of splitYamlDocuments(text)) {
    const t = parseYamlTree(d.text);
    for (const x of t.diagnostics) diagnostics.push({ ...x, span: shiftSpan(x.span, d.lineOffset, d.offset) });
    if (t.value) values.push(d.lineOffset === 0 && d.offset === 0 ? t.value : shiftValue(t.value, d.lineOffset, d.offset));
  }
  return { values, diagnostics };
}

/**
 * A value's span when it lies inside the rule's span, else undefined. A value resolved from a parameter default, a
 * Terraform variable default, a local or a mapping keeps the place it is written, a line every rule using it shares
 * (an inline suppression there would silence them all): findings are reported inside the rule. Shared by the cloud
 * parsers (AWS, GCP, Azure).
 */
export function within(v: Span | undefined, rule: Span): Span | undefined {
  return v && v.start.offset >= rule.start.offset && v.end.offset <= rule.end.offset ? v : undefined;
}
