/**
 * A lean positioned JSON reader for big `nft -j` dumps (100k rules are ~30 MB):
 * one pass, positions tracked incrementally, no intermediate syntax tree. It
 * produces the same positioned value tree as `parseJsonTree`; any input it does
 * not accept (comments, trailing commas, syntax errors) returns undefined and the
 * caller uses `parseJsonTree`, which reports errors and tolerates JSONC.
 */
import { type Span } from '../../model/index.js';
import { HintedLineIndex, type LineLookup } from './lexer.js';
import type { PEntry, PValue } from '../values.js';

/** Nodes keep offsets; line/column spans are made only when someone asks. */
class Node {
  constructor(
    protected readonly li: LineLookup,
    readonly s: number,
    readonly e: number,
  ) {}
  get span(): Span {
    return this.li.span(this.s, this.e);
  }
}
class FScalar extends Node {
  readonly kind = 'scalar' as const;
  constructor(li: LineLookup, s: number, e: number, readonly value: string | number | boolean | null) {
    super(li, s, e);
  }
}
class FArray extends Node {
  readonly kind = 'array' as const;
  constructor(li: LineLookup, s: number, e: number, readonly items: PValue[]) {
    super(li, s, e);
  }
}
class FObject extends Node {
  readonly kind = 'object' as const;
  constructor(li: LineLookup, s: number, e: number, readonly entries: PEntry[]) {
    super(li, s, e);
  }
}
class FEntry {
  constructor(
    private readonly li: LineLookup,
    private readonly ks: number,
    private readonly ke: number,
    readonly key: string,
    readonly value: PValue,
  ) {}
  get keySpan(): Span {
    return this.li.span(this.ks, this.ke);
  }
}

const MAX_DEPTH = 512;

class Fail extends Error {}

export function parseJsonFast(text: string): PValue | undefined {
  let i = 0;
  const n = text.length;
  const li = new HintedLineIndex(text);
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 32 || c === 9 || c === 13) i++;
      else return;
    }
  };
  const str = (): string => {
    // at the opening quote
    i++;
    const start = i;
    for (;;) {
      if (i >= n) throw new Fail();
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        // escapes: let JSON.parse decode the whole string
        let j = i;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 92) j += 2;
          else if (d === 34) break;
          else if (d === 10) throw new Fail();
          else j++;
        }
        if (j >= n) throw new Fail();
        const raw = text.slice(start - 1, j + 1);
        i = j + 1;
        return JSON.parse(raw) as string;
      }
      if (c === 10 || c < 32) throw new Fail();
      i++;
    }
    const s = text.slice(start, i);
    i++;
    return s;
  };
  const value = (depth: number): PValue => {
    if (depth > MAX_DEPTH) throw new Fail();
    ws();
    if (i >= n) throw new Fail();
    const start = i;
    const c = text.charCodeAt(i);
    if (c === 123) {
      i++;
      const entries: PEntry[] = [];
      ws();
      if (text.charCodeAt(i) === 125) {
        i++;
        return new FObject(li, start, i, entries);
      }
      for (;;) {
        ws();
        if (text.charCodeAt(i) !== 34) throw new Fail();
        const ks = i;
        const key = str();
        const ke = i;
        ws();
        if (text.charCodeAt(i) !== 58) throw new Fail();
        i++;
        entries.push(new FEntry(li, ks, ke, key, value(depth + 1)));
        ws();
        const d = text.charCodeAt(i);
        i++;
        if (d === 44) continue;
        if (d === 125) break;
        throw new Fail();
      }
      return new FObject(li, start, i, entries);
    }
    if (c === 91) {
      i++;
      const items: PValue[] = [];
      ws();
      if (text.charCodeAt(i) === 93) {
        i++;
        return new FArray(li, start, i, items);
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        const d = text.charCodeAt(i);
        i++;
        if (d === 44) continue;
        if (d === 93) break;
        throw new Fail();
      }
      return new FArray(li, start, i, items);
    }
    if (c === 34) {
      const s = str();
      return new FScalar(li, start, i, s);
    }
    if (text.startsWith('true', i)) {
      i += 4;
      return new FScalar(li, start, i, true);
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return new FScalar(li, start, i, false);
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return new FScalar(li, start, i, null);
    }
    const s0 = i;
    if (c === 45) i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) i++;
      else break;
    }
    if (i === s0) throw new Fail();
    const num = Number(text.slice(s0, i));
    if (!Number.isFinite(num)) throw new Fail();
    return new FScalar(li, start, i, num);
  };
  try {
    const v = value(0);
    ws();
    return i === n ? v : undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ views

/**
 * Position-light tree for very big dumps: the data comes from `JSON.parse`
 * (native, fast); each item of the top-level `nftables` array gets its exact
 * span from a string-aware bracket scan, and everything inside an item reports
 * the item's span.
 */
class View {
  constructor(
    private readonly raw: unknown,
    private readonly li: LineLookup,
    readonly s: number,
    readonly e: number,
    private readonly itemSpans?: [number, number][],
  ) {}
  get kind(): 'scalar' | 'array' | 'object' {
    return Array.isArray(this.raw) ? 'array' : this.raw !== null && typeof this.raw === 'object' ? 'object' : 'scalar';
  }
  get value(): string | number | boolean | null {
    const r = this.raw;
    return typeof r === 'string' || typeof r === 'number' || typeof r === 'boolean' ? r : null;
  }
  get span(): Span {
    return this.li.span(this.s, this.e);
  }
  get items(): PValue[] {
    const r = Array.isArray(this.raw) ? (this.raw as unknown[]) : [];
    const spans = this.itemSpans && this.itemSpans.length === r.length ? this.itemSpans : undefined;
    return r.map((x, k) => view(x, this.li, spans ? spans[k]![0] : this.s, spans ? spans[k]![1] : this.e));
  }
  /** Direct member access (what `get` does, without building every entry). */
  member(key: string): PValue | undefined {
    const r = this.raw;
    if (r === null || typeof r !== 'object' || Array.isArray(r) || !Object.prototype.hasOwnProperty.call(r, key)) return undefined;
    const spans = key === 'nftables' && this.itemSpans ? this.itemSpans : undefined;
    return new View((r as Record<string, unknown>)[key], this.li, this.s, this.e, spans) as unknown as PValue;
  }
  get entries(): PEntry[] {
    const r = this.raw;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return [];
    const out: PEntry[] = [];
    for (const k of Object.keys(r)) {
      const child = (r as Record<string, unknown>)[k];
      const spans = k === 'nftables' && this.itemSpans ? this.itemSpans : undefined;
      const v = new View(child, this.li, this.s, this.e, spans);
      out.push({ key: k, keySpan: this.span, value: v as unknown as PValue });
    }
    return out;
  }
}

function view(raw: unknown, li: LineLookup, s: number, e: number): PValue {
  return new View(raw, li, s, e) as unknown as PValue;
}

/** Offsets of the items of the top-level `"nftables": [...]` array. */
function itemOffsets(text: string): [number, number][] {
  const out: [number, number][] = [];
  const n = text.length;
  let depth = 0;
  let inArray = false;
  let lastKey = '';
  let itemStart = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const start = i;
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) {
          i = n;
          break;
        }
        let b = q - 1;
        while (text.charCodeAt(b) === 92) b--;
        i = q;
        if ((q - 1 - b) % 2 === 0) break; // an even number of backslashes: the quote is real
      }
      if (depth === 1) lastKey = text.slice(start + 1, i);
      if (inArray && depth === 2 && itemStart < 0) itemStart = start;
      continue;
    }
    if (c === 123 || c === 91) {
      if (depth === 1 && c === 91 && lastKey === 'nftables') inArray = true;
      else if (inArray && depth === 2 && itemStart < 0) itemStart = i;
      depth++;
      continue;
    }
    if (c === 125 || c === 93) {
      depth--;
      if (inArray && depth === 2 && itemStart >= 0) {
        out.push([itemStart, i + 1]);
        itemStart = -1;
      }
      if (inArray && depth === 1) inArray = false;
      continue;
    }
    if (inArray && depth === 2 && itemStart < 0 && c !== 44 && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
      // a scalar item (invalid, but it still needs a place)
      let j = i;
      while (j < n && text.charCodeAt(j) !== 44 && text.charCodeAt(j) !== 93) j++;
      out.push([i, j]);
      i = j - 1;
    }
  }
  return out;
}

/** `JSON.parse` with item-level positions, or undefined when the text is not strict JSON. */
export function parseJsonViews(text: string): PValue | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const li = new HintedLineIndex(text);
  return new View(data, li, 0, text.length, itemOffsets(text)) as unknown as PValue;
}

/** `get` for either tree: direct member access on views, the last matching entry otherwise. */
export function member(obj: PValue | undefined, key: string): PValue | undefined {
  if (obj instanceof (View as unknown as new () => PValue)) return (obj as unknown as View).member(key);
  if (!obj || obj.kind !== 'object') return undefined;
  for (let i = obj.entries.length - 1; i >= 0; i--) if (obj.entries[i]!.key === key) return obj.entries[i]!.value;
  return undefined;
}
