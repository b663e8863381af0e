/**
 * The one fast positioned JSON reader of the cloud and nftables parsers (aws-cli output of 10,000+ rules, `nft -j`
 * dumps, `az`/`gcloud` exports): one pass, line/column tracked incrementally, strings sliced without copying when
 * they hold no escapes. Trailing commas are tolerated and reported. Several values one after another (JSON Lines, `jq
 * '.[]'` output, two outputs appended to one file) are read as the array of them, as `jq -s` would give. Anything else
 * unusual (comments, syntax errors, raw control characters) falls back to the shared `parseJsonTree`, which gives the
 * diagnostics with positions.
 */
import type { Diagnostic, Position, Span } from '../model/index.js';
import { parseJsonTree, type PEntry, type PValue, type ParsedTree } from './values.js';

/*
 * Tree nodes keep their place as six numbers (line, column, offset of start and
 * end) and make the Span objects the first time `span` is read (once: the same
 * object on every read). A big export has millions of values and keys; the
 * mapping reads the spans of a few per rule. Same positions as eager spans.
 */
class Placed {
  private memo: Span | undefined = undefined;
  constructor(
    private readonly sl: number,
    private readonly sc: number,
    private readonly so: number,
    private readonly el: number,
    private readonly ec: number,
    private readonly eo: number,
  ) {}
  protected place(): Span {
    return (this.memo ??= { start: { line: this.sl, column: this.sc, offset: this.so }, end: { line: this.el, column: this.ec, offset: this.eo } });
  }
}
/** A value node: its span is its place. */
class PlacedValue extends Placed {
  get span(): Span {
    return this.place();
  }
}
class JScalar extends PlacedValue {
  readonly kind = 'scalar' as const;
  constructor(readonly value: string | number | boolean | null, sl: number, sc: number, so: number, el: number, ec: number, eo: number) {
    super(sl, sc, so, el, ec, eo);
  }
}
class JArray extends PlacedValue {
  readonly kind = 'array' as const;
  constructor(readonly items: PValue[], sl: number, sc: number, so: number, el: number, ec: number, eo: number) {
    super(sl, sc, so, el, ec, eo);
  }
}
class JObject extends PlacedValue {
  readonly kind = 'object' as const;
  constructor(readonly entries: PEntry[], sl: number, sc: number, so: number, el: number, ec: number, eo: number) {
    super(sl, sc, so, el, ec, eo);
  }
}
class JEntry extends Placed {
  constructor(readonly key: string, readonly value: PValue, sl: number, sc: number, so: number, el: number, ec: number, eo: number) {
    super(sl, sc, so, el, ec, eo);
  }
  get keySpan(): Span {
    return this.place();
  }
}

class Fallback {}
const FALLBACK = new Fallback();
const MAX_DEPTH = 512;

class Reader {
  pos = 0;
  line = 1;
  lineStart = 0;
  depth = 0;
  readonly trailing: Position[] = [];
  /**
   * Members and items collect here while their container is read, and each
   * container gets an exact-size copy (an array filled by pushing keeps at
   * least 17 slots: most objects of a cloud export have 2 to 5 members).
   */
  private readonly entryStack: PEntry[] = [];
  private readonly itemStack: PValue[] = [];
  /** Keys repeat on every rule ("IpProtocol", "FromPort"...): one string each. */
  private readonly keys = new Map<string, string>();
  constructor(readonly t: string) {}

  here(): Position {
    return { line: this.line, column: this.pos - this.lineStart + 1, offset: this.pos };
  }

  ws(): void {
    const t = this.t;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 13) this.pos++;
      else if (c === 10) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else return;
    }
  }

  /** A scalar from (line sl, column sc, offset so) to here. */
  private scalar(value: string | number | boolean | null, sl: number, sc: number, so: number): PValue {
    return new JScalar(value, sl, sc, so, this.line, this.pos - this.lineStart + 1, this.pos);
  }

  value(): PValue {
    this.ws();
    const c = this.t.charCodeAt(this.pos);
    const sl = this.line;
    const sc = this.pos - this.lineStart + 1;
    const so = this.pos;
    if (c === 123) return this.object(sl, sc, so);
    if (c === 91) return this.array(sl, sc, so);
    if (c === 34) {
      const value = this.string();
      return this.scalar(value, sl, sc, so);
    }
    if (c >= 48 && c <= 57) {
      // plain integers (ports, counts) without a regex: digits, no leading zero, then a delimiter
      const s = this.pos;
      let v = c - 48;
      let i = s + 1;
      if (c !== 48) {
        for (;;) {
          const d = this.t.charCodeAt(i);
          if (d < 48 || d > 57 || i - s >= 15) break;
          v = v * 10 + (d - 48);
          i++;
        }
      }
      const after = this.t.charCodeAt(i);
      if (after !== 46 && after !== 101 && after !== 69 && !(after >= 48 && after <= 57) && after !== 43 && after !== 45) {
        this.pos = i;
        return this.scalar(v, sl, sc, so);
      }
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      const s = this.pos;
      this.pos++;
      for (;;) {
        const d = this.t.charCodeAt(this.pos);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) this.pos++;
        else break;
      }
      const text = this.t.slice(s, this.pos);
      const value = Number(text);
      if (!Number.isFinite(value) || !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) throw FALLBACK;
      return this.scalar(value, sl, sc, so);
    }
    const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : undefined;
    if (word !== undefined && this.t.startsWith(word, this.pos)) {
      this.pos += word.length;
      const value = word === 'true' ? true : word === 'false' ? false : null;
      return this.scalar(value, sl, sc, so);
    }
    throw FALLBACK;
  }

  string(): string {
    const t = this.t;
    const s = this.pos + 1;
    const q = t.indexOf('"', s);
    if (q < 0) throw FALLBACK;
    let plain = true;
    for (let i = s; i < q; i++) {
      const c = t.charCodeAt(i);
      if (c === 92) {
        plain = false;
        break;
      }
      if (c < 32) throw FALLBACK;
    }
    if (plain) {
      this.pos = q + 1;
      return t.slice(s, q);
    }
    let out = '';
    let i = s;
    for (;;) {
      if (i >= t.length) throw FALLBACK;
      const c = t.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) throw FALLBACK;
      if (c !== 92) {
        out += t[i];
        i++;
        continue;
      }
      const d = t[i + 1];
      i += 2;
      switch (d) {
        case '"':
        case '\\':
        case '/':
          out += d;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw FALLBACK;
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          throw FALLBACK;
      }
    }
    this.pos = i + 1;
    return out;
  }

  object(sl: number, sc: number, so: number): PValue {
    if (++this.depth > MAX_DEPTH) throw FALLBACK;
    this.pos++;
    this.ws();
    if (this.t.charCodeAt(this.pos) === 125) {
      this.pos++;
      this.depth--;
      return new JObject([], sl, sc, so, this.line, this.pos - this.lineStart + 1, this.pos);
    }
    const stack = this.entryStack;
    const base = stack.length;
    for (;;) {
      this.ws();
      if (this.t.charCodeAt(this.pos) !== 34) throw FALLBACK;
      const kl = this.line;
      const kc = this.pos - this.lineStart + 1;
      const ko = this.pos;
      const key = this.key(this.string());
      const kel = this.line;
      const kec = this.pos - this.lineStart + 1;
      const keo = this.pos;
      this.ws();
      if (this.t.charCodeAt(this.pos) !== 58) throw FALLBACK;
      this.pos++;
      const value = this.value();
      stack.push(new JEntry(key, value, kl, kc, ko, kel, kec, keo));
      if (this.ended(125)) break;
    }
    const entries = stack.slice(base);
    stack.length = base;
    this.depth--;
    return new JObject(entries, sl, sc, so, this.line, this.pos - this.lineStart + 1, this.pos);
  }

  private key(k: string): string {
    const known = this.keys.get(k);
    if (known !== undefined) return known;
    if (this.keys.size < 4096) this.keys.set(k, k);
    return k;
  }

  /** After a member: `,` (another follows, or a trailing comma before `close`) or `close`; true when the container ended. */
  private ended(close: number): boolean {
    this.ws();
    const c = this.t.charCodeAt(this.pos);
    if (c === 44) {
      const comma = this.here();
      this.pos++;
      this.ws();
      if (this.t.charCodeAt(this.pos) !== close) return false;
      this.trailing.push(comma);
      this.pos++;
      return true;
    }
    if (c === close) {
      this.pos++;
      return true;
    }
    throw FALLBACK;
  }

  array(sl: number, sc: number, so: number): PValue {
    if (++this.depth > MAX_DEPTH) throw FALLBACK;
    this.pos++;
    this.ws();
    if (this.t.charCodeAt(this.pos) === 93) {
      this.pos++;
      this.depth--;
      return new JArray([], sl, sc, so, this.line, this.pos - this.lineStart + 1, this.pos);
    }
    const stack = this.itemStack;
    const base = stack.length;
    for (;;) {
      const v = this.value();
      stack.push(v);
      if (this.ended(93)) break;
    }
    const items = stack.slice(base);
    stack.length = base;
    this.depth--;
    return new JArray(items, sl, sc, so, this.line, this.pos - this.lineStart + 1, this.pos);
  }
}

export interface ReadJsonOptions {
  /**
   * Read several top-level values one after another as the array of them (default). A format whose file is one
   * document (a Terraform `.tf.json`) says false: anything after the first value is then a syntax error.
   */
  several?: boolean;
}

/** Positioned JSON tree plus warnings for trailing commas. */
export function readJson(text: string, options: ReadJsonOptions = {}): ParsedTree {
  const r = new Reader(text);
  try {
    if (text.charCodeAt(0) === 0xfeff) r.pos = 1;
    let value = r.value();
    r.ws();
    if (r.pos !== text.length) {
      // Several values one after another (`jq '.SecurityGroups[]'`, JSON Lines, two outputs appended to one file):
      // read as the array of them, as `jq -s` would give.
      const c = text.charCodeAt(r.pos);
      if ((c !== 123 && c !== 91) || options.several === false) throw FALLBACK;
      const values = [value];
      while (r.pos < text.length) {
        values.push(r.value());
        r.ws();
      }
      const s = value.span.start;
      const e = values[values.length - 1]!.span.end;
      value = new JArray(values, s.line, s.column, s.offset, e.line, e.column, e.offset);
    }
    const diagnostics: Diagnostic[] = r.trailing.slice(0, 100).map((p) => ({
      severity: 'warning',
      code: 'json/trailing-comma',
      message: 'trailing comma: not valid JSON (read anyway)',
      span: { start: p, end: { line: p.line, column: p.column + 1, offset: p.offset + 1 } },
    }));
    return { value, diagnostics };
  } catch (e) {
    if (e !== FALLBACK) throw e;
    return parseJsonTree(text);
  }
}
