/**
 * A rule's options checked against its `meta.schema` without ajv, for the fwlint CLI (src/cli/eslint-options.ts):
 * ESLint compiles every enabled rule's schema with ajv 6, whose start (its module graph and the draft-04 meta-schema's
 * URI resolution) is ~40 ms of fwlint's 0.25 s cold start on one small file. The CLI builds its own configurations
 * (valid by construction: recommended severities, `--rule` validated by ESLint itself), so only an inline `eslint`
 * comment of a linted file can give options; the CLI's rules check those here, and report them as ESLint does
 * (rule-kit checkOptions). Our schemas use this subset of JSON Schema: type, properties, additionalProperties,
 * items (one schema), anyOf, minimum, maximum, pattern. An ESLint user's own run keeps ESLint's validation.
 */

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
};

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    default:
      return typeof v === type;
  }
}

/** The first problem of `v` under `s`, as ESLint words ajv's: `Value "ssh" should be integer.` — else undefined. */
function problem(s: Schema, v: unknown): string | undefined {
  const value = `Value ${JSON.stringify(v)}`;
  if (s.anyOf) return s.anyOf.some((alt) => problem(alt, v) === undefined) ? undefined : `${value} should match some schema in anyOf.`;
  if (s.type !== undefined && !typeOk(s.type, v)) return `${value} should be ${s.type}.`;
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) return `${value} should be >= ${s.minimum}.`;
    if (s.maximum !== undefined && v > s.maximum) return `${value} should be <= ${s.maximum}.`;
  }
  if (typeof v === 'string' && s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) return `${value} should match pattern "${s.pattern}".`;
  if (Array.isArray(v) && s.items) {
    for (const x of v) {
      const p = problem(s.items, x);
      if (p) return p;
    }
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) {
      const sub = s.properties?.[k];
      if (sub) {
        const p = problem(sub, x);
        if (p) return p;
      } else if (s.additionalProperties === false) return `${value} should NOT have additional properties.`;
    }
  }
  return undefined;
}

/** The first problem of a rule's options (`context.options`) under its ESLint-style `meta.schema`, else undefined. */
export function optionsProblem(schema: unknown, options: readonly unknown[]): string | undefined {
  if (schema === false || schema === undefined) return undefined;
  if (!Array.isArray(schema)) return problem(schema as Schema, options);
  if (options.length > schema.length) return `Value ${JSON.stringify(options)} should NOT have more than ${schema.length} items.`;
  for (let i = 0; i < options.length; i++) {
    const p = problem(schema[i] as Schema, options[i]);
    if (p) return p;
  }
  return undefined;
}
