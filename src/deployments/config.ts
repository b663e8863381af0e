/**
 * fwlint.config.yaml / .yml / .json: reading, JSON Schema validation (ajv,
 * allErrors, unknown keys are errors) and positions of errors in the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvLib } from '../parsers/libs.js';
import { parseCidr, numSetOf, type NumSet, type Span } from '../model/index.js';
import { parseJsonTree, parseYamlTree, type PValue } from '../parsers/values.js';

export type PortSpec = number | string | (number | string)[];

export interface ServicePortsConfig {
  protocol: 'tcp' | 'udp';
  ports: PortSpec;
  roles?: Record<string, string>;
}

export interface TargetMappingConfig {
  files: string[];
  names: string[];
}

export interface DeploymentConfig {
  service: string;
  targets: string[];
  ports?: ServicePortsConfig[];
  sources?: string[];
  disabled?: string[];
}

export interface ServiceConfig {
  id: string;
  name?: string;
  ports: ServicePortsConfig[];
}

/** The configuration as written (after validation). */
export interface FwlintConfig {
  $schema?: string;
  discovery?: boolean;
  targets?: TargetMappingConfig[];
  deployments?: DeploymentConfig[];
  services?: ServiceConfig[];
  expectedPorts?: Record<string, ServicePortsConfig[]>;
}

export interface ConfigError {
  file: string;
  line: number;
  column: number;
  /** JSON Schema path of the failed keyword ("#/properties/deployments/items/additionalProperties"), or a pseudo path for checks beyond the schema. */
  schemaPath: string;
  message: string;
}

export const CONFIG_FILE_NAMES = ['fwlint.config.yaml', 'fwlint.config.yml', 'fwlint.config.json'] as const;

// ---------------------------------------------------------------- port lists

/**
 * "1761-1763, 1768" → set; undefined when malformed or out of 0..65535.
 * A hand-written scanner (no regex), linear in the text.
 */
export function parsePortList(text: string): NumSet | undefined {
  const ranges: [number, number][] = [];
  let i = 0;
  const n = text.length;
  const skipSpaces = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const readNum = (): number | undefined => {
    const start = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === start || i - start > 5) return undefined;
    const v = Number(text.slice(start, i));
    return v <= 65535 ? v : undefined;
  };
  skipSpaces();
  if (i >= n) return undefined;
  for (;;) {
    skipSpaces();
    const a = readNum();
    if (a === undefined) return undefined;
    skipSpaces();
    let b = a;
    if (text[i] === '-' || text[i] === ':') {
      i++;
      skipSpaces();
      const r = readNum();
      if (r === undefined || r < a) return undefined;
      b = r;
      skipSpaces();
    }
    ranges.push([a, b]);
    if (i >= n) break;
    if (text[i] !== ',') return undefined;
    i++;
  }
  return numSetOf(ranges);
}

/** A validated `ports:` value → set (undefined when invalid). */
export function portSpecToSet(spec: unknown): NumSet | undefined {
  const parts = Array.isArray(spec) ? spec : [spec];
  if (parts.length === 0) return undefined;
  let out: NumSet | undefined;
  for (const p of parts) {
    let s: NumSet | undefined;
    if (typeof p === 'number') s = Number.isInteger(p) && p >= 0 && p <= 65535 ? numSetOf([[p, p]]) : undefined;
    else if (typeof p === 'string') s = parsePortList(p);
    if (!s) return undefined;
    out = out ? out.union(s) : s;
  }
  return out;
}

// ---------------------------------------------------------------- schema

let validator: ValidateFunction | undefined;
let schemaObject: Record<string, unknown> | undefined;

/** The JSON Schema file, found next to the sources (src/…) or the build (dist/src/…). */
export function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    const p = join(dir, 'schema', 'fwlint.config.schema.json');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error('fwlint: schema/fwlint.config.schema.json not found next to the package');
}

export function configSchema(): Record<string, unknown> {
  if (!schemaObject) schemaObject = JSON.parse(readFileSync(schemaPath(), 'utf8')) as Record<string, unknown>;
  return schemaObject;
}

/** Copies the schema with local `#/definitions/x` references replaced by their target (the schema has no recursion). */
function inlineRefs(schema: Record<string, unknown>): unknown {
  const defs = (schema.definitions ?? {}) as Record<string, unknown>;
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 50 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    if (typeof o.$ref === 'string' && o.$ref.startsWith('#/definitions/')) {
      const target = defs[o.$ref.slice('#/definitions/'.length)];
      const rest: Record<string, unknown> = { ...o };
      delete rest.$ref;
      return { ...(walk(target, depth + 1) as Record<string, unknown>), ...(walk(rest, depth + 1) as Record<string, unknown>) };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) if (k !== 'definitions') out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(schema, 0);
}

function getValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new (ajvLib().Ajv)({ allErrors: true, strict: true, allowUnionTypes: true });
    ajv.addFormat('cidr', { type: 'string', validate: (s: string) => parseCidr(s) !== undefined });
    ajv.addFormat('port-list', { type: 'string', validate: (s: string) => parsePortList(s) !== undefined });
    // $refs are inlined so that every error's schemaPath is a full path from the root
    validator = ajv.compile(inlineRefs(configSchema()) as Record<string, unknown>);
  }
  return validator;
}

// ---------------------------------------------------------------- positions

function decodePointer(path: string): string[] {
  if (path === '') return [];
  return path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The node at a JSON pointer, and the span of its key when it is an object member. */
export function nodeAt(tree: PValue | undefined, pointer: string): { node: PValue | undefined; keySpan?: Span } {
  let node = tree;
  let keySpan: Span | undefined;
  for (const seg of decodePointer(pointer)) {
    if (!node) break;
    if (node.kind === 'array') {
      node = node.items[Number(seg)];
      keySpan = undefined;
    } else if (node.kind === 'object') {
      let found: (typeof node.entries)[number] | undefined;
      for (let i = node.entries.length - 1; i >= 0; i--) if (node.entries[i]!.key === seg) { found = node.entries[i]; break; }
      node = found?.value;
      keySpan = found?.keySpan;
    } else node = undefined;
  }
  return { node, keySpan };
}

function keySpanIn(node: PValue | undefined, key: string): Span | undefined {
  if (node?.kind !== 'object') return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) if (node.entries[i]!.key === key) return node.entries[i]!.keySpan;
  return undefined;
}

/** Line and column of what an error is about: the offending key for unknown keys, the value otherwise. */
export function errorPosition(tree: PValue | undefined, pointer: string, badKey?: string): { line: number; column: number } {
  const { node, keySpan } = nodeAt(tree, pointer);
  const span = (badKey !== undefined ? keySpanIn(node, badKey) : undefined) ?? node?.span ?? keySpan;
  if (span) return { line: span.start.line, column: span.start.column };
  // fall back to the nearest ancestor that exists
  const segs = decodePointer(pointer);
  for (let k = segs.length - 1; k >= 0; k--) {
    const up = nodeAt(tree, segs.slice(0, k).map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join(''));
    if (up.node) return { line: up.node.span.start.line, column: up.node.span.start.column };
  }
  return { line: 1, column: 1 };
}

function describePath(pointer: string): string {
  const segs = decodePointer(pointer);
  if (segs.length === 0) return 'configuration';
  return segs.map((s, i) => (/^[0-9]+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function messageOf(e: ErrorObject): string {
  const where = describePath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown key "${String(p.additionalProperty)}"`;
    case 'required':
      return `${where}: missing required key "${String(p.missingProperty)}"`;
    case 'format':
      return p.format === 'cidr'
        ? `${where}: not an IP address or CIDR`
        : `${where}: not a port list (0-65535, e.g. "1761-1763,1768")`;
    case 'anyOf':
      return `${where}: must be a port (0-65535), a port list such as "1761-1763,1768", or a list of those`;
    case 'enum':
      return `${where}: must be one of ${((p.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${where}: ${e.message ?? e.keyword}`;
  }
}

/**
 * Validates a configuration value; errors carry line/column from `tree` when given
 * (the parsed file), else 1:1 of `file`.
 */
export function validateConfigValue(value: unknown, file: string, tree?: PValue): ConfigError[] {
  const validate = getValidator();
  if (validate(value)) return [];
  const raw = validate.errors ?? [];
  // anyOf failures: report the anyOf once, not each branch
  const anyOfPaths = raw.filter((e) => e.keyword === 'anyOf').map((e) => ({ schemaPath: e.schemaPath + '/', instancePath: e.instancePath }));
  const errs = raw.filter((e) => !anyOfPaths.some((a) => e.schemaPath.startsWith(a.schemaPath) && e.instancePath.startsWith(a.instancePath)));
  const out: ConfigError[] = [];
  const seen = new Set<string>();
  for (const e of errs) {
    const p = e.params as Record<string, unknown>;
    const badKey = e.keyword === 'additionalProperties' ? String(p.additionalProperty) : e.keyword === 'propertyNames' ? String(p.propertyName) : undefined;
    const pos = tree ? errorPosition(tree, e.instancePath, badKey) : { line: 1, column: 1 };
    const err: ConfigError = { file, line: pos.line, column: pos.column, schemaPath: e.schemaPath, message: messageOf(e) };
    const k = `${err.line}:${err.column}:${err.schemaPath}:${err.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(err);
  }
  return out;
}

/** Validates `settings.firewall` from eslint.config.js (same schema as the file). */
export function validateSettings(value: unknown): ConfigError[] {
  return validateConfigValue(value, 'settings.firewall');
}

export interface ParsedConfigFile {
  file: string;
  text: string;
  tree: PValue | undefined;
  /** The plain value, when the file parsed (even when it did not validate). */
  value: unknown;
  errors: ConfigError[];
}

/** Reads and validates one configuration file. Never throws. */
export function readConfigFile(file: string): ParsedConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, text: '', tree: undefined, value: undefined, errors: [{ file, line: 1, column: 1, schemaPath: '', message: `cannot read configuration: ${(e as Error).message}` }] };
  }
  return parseConfigText(text, file);
}

/** Parses configuration text (YAML, or JSON when the name ends in .json). */
export function parseConfigText(text: string, file: string): ParsedConfigFile {
  const parsed = file.endsWith('.json') ? parseJsonTree(text) : parseYamlTree(text);
  const errors: ConfigError[] = parsed.diagnostics.map((d) => ({ file, line: d.span.start.line, column: d.span.start.column, schemaPath: '', message: d.message }));
  if (errors.length > 0) return { file, text, tree: parsed.value, value: undefined, errors };
  // a key written twice: the parser keeps the last one and the first would be silently lost (YAML 1.2 §3.2.1.1:
  // keys of a mapping are unique; RFC 8259: names SHOULD be unique)
  if (parsed.value) duplicateKeys(parsed.value, '', file, errors);
  const value = parsed.value === undefined ? {} : plainOf(parsed.value);
  errors.push(...validateConfigValue(value, file, parsed.value));
  return { file, text, tree: parsed.value, value, errors };
}

function duplicateKeys(v: PValue, pointer: string, file: string, errors: ConfigError[]): void {
  if (v.kind === 'array') v.items.forEach((it, i) => duplicateKeys(it, `${pointer}/${i}`, file, errors));
  if (v.kind !== 'object') return;
  const first = new Map<string, Span>();
  for (const e of v.entries) {
    const at = first.get(e.key);
    if (at) {
      errors.push({
        file,
        line: e.keySpan.start.line,
        column: e.keySpan.start.column,
        schemaPath: '',
        message: `${describePath(pointer)}: duplicate key "${e.key}" (first at line ${at.start.line}); the first would be ignored`,
      });
    } else first.set(e.key, e.keySpan);
    duplicateKeys(e.value, `${pointer}/${e.key.replace(/~/g, '~0').replace(/\//g, '~1')}`, file, errors);
  }
}

/** Plain value of a tree, keeping YAML integers as numbers. */
function plainOf(v: PValue): unknown {
  switch (v.kind) {
    case 'scalar':
      return v.value;
    case 'array':
      return v.items.map(plainOf);
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const e of v.entries) o[e.key] = plainOf(e.value);
      return o;
    }
    case 'expr':
      return v.text;
  }
}
