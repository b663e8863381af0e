/**
 * HCL2 expression syntax tree. The HCL parser keeps one for every expression it
 * returns as a `PExpr`, so the Terraform evaluator can resolve references,
 * templates and `for` expressions without parsing the text a second time.
 * Offsets are 0-based into the parsed text, `end` exclusive.
 */
export type HclExpr =
  | { type: 'literal'; value: string | number | boolean | null; start: number; end: number }
  /** A quoted or heredoc template: literal strings and interpolations; `directive` = it holds `%{…}`. */
  | { type: 'template'; parts: (string | HclExpr)[]; directive: boolean; start: number; end: number }
  | { type: 'tuple'; items: HclExpr[]; start: number; end: number }
  | { type: 'object'; items: { key: HclExpr; value: HclExpr; keyIsIdent: boolean }[]; start: number; end: number }
  /** A root name: `var`, `local`, `aws_security_group`, `count`, `each`, a for-expression variable. */
  | { type: 'variable'; name: string; start: number; end: number }
  | { type: 'getattr'; object: HclExpr; name: string; start: number; end: number }
  | { type: 'index'; object: HclExpr; key: HclExpr; start: number; end: number }
  /** `x.*.y` / `x[*].y`: `each` is applied to every element (its root is the `variable` named "*"). */
  | { type: 'splat'; object: HclExpr; each: HclExpr; start: number; end: number }
  | { type: 'call'; name: string; args: HclExpr[]; expandFinal: boolean; start: number; end: number }
  | { type: 'unary'; op: '!' | '-'; operand: HclExpr; start: number; end: number }
  | { type: 'binary'; op: string; left: HclExpr; right: HclExpr; start: number; end: number }
  | { type: 'conditional'; cond: HclExpr; then: HclExpr; else: HclExpr; start: number; end: number }
  | {
      type: 'for';
      keyVar?: string;
      valueVar: string;
      collection: HclExpr;
      keyExpr?: HclExpr;
      valueExpr: HclExpr;
      cond?: HclExpr;
      grouping: boolean;
      start: number;
      end: number;
    }
  | { type: 'paren'; expr: HclExpr; start: number; end: number };
