/**
 * The reader of very big `nft -j` dumps (100k rules are ~30 MB): `JSON.parse` with positions per item of the
 * top-level `nftables` array. Smaller dumps are read by the shared positioned reader (../json.ts).
 */
import { type Span } from '../../model/index.js';
import { HintedLineIndex, type LineLookup } from './lexer.js';
import type { PEntry, PValue } from '../values.js';

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
