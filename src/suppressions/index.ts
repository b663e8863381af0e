/**
 * Per-file inline-suppression state shared by the rules of one lint run: the
 * parsed directives, which of them a finding used, and the options of
 * firewall/no-unused-suppressions (require-reason). Keyed by the file's AST,
 * which ESLint shares between every rule of one file.
 */
import type { AddrSet, FirewallDocument, NumSet } from '../model/index.js';
import { parseSuppressions, type InlineSuppression } from './parse.js';
import { loadSidecar } from './sidecar.js';

export { parseSuppressions, parseDirective, directiveText, type InlineSuppression, type ExternalDirective } from './parse.js';
export { parseSidecar, loadSidecar, SIDECAR_SUFFIX } from './sidecar.js';

export interface SuppressionScope {
  ports?: Map<number, NumSet>;
  sources?: AddrSet;
}

export interface FileSuppressions {
  list: InlineSuppression[];
  /** line → suppressions covering it */
  byLine: Map<number, InlineSuppression[]>;
  used: Set<InlineSuppression>;
  requireReason: boolean;
  now: number;
}

interface Options {
  requireReason: boolean;
  now?: number;
}

const options = new WeakMap<object, Options>();
const states = new WeakMap<object, FileSuppressions>();

/** Called by firewall/no-unused-suppressions from create(), before any rule reports. */
export function configureSuppressions(ast: object, opts: Options): void {
  options.set(ast, opts);
}

export function suppressionsFor(ast: object, doc: FirewallDocument, text: string | undefined, filePath?: string): FileSuppressions {
  let s = states.get(ast);
  if (s) return s;
  const external = loadSidecar(filePath);
  const list = doc.comments.length > 0 || external.length > 0 || hasRuleComments(doc) ? parseSuppressions(doc, text, external) : [];
  const byLine = new Map<number, InlineSuppression[]>();
  for (const x of list) {
    if (!x.covers) continue;
    for (let l = x.covers.start; l <= x.covers.end; l++) {
      const at = byLine.get(l);
      if (at) at.push(x);
      else byLine.set(l, [x]);
    }
  }
  const o = options.get(ast);
  s = { list, byLine, used: new Set(), requireReason: o?.requireReason ?? false, now: o?.now ?? Date.now() };
  states.set(ast, s);
  return s;
}

function hasRuleComments(doc: FirewallDocument): boolean {
  for (const rs of doc.rulesets) {
    for (const t of rs.tables) {
      for (const c of t.chains) {
        // an indexed loop over the rules: this runs once per file, not optimised, and the iterator protocol made a
        // result object per rule (4 MB of garbage on a 100k-rule file)
        const rules = c.rules;
        for (let i = 0; i < rules.length; i++) {
          const comment = rules[i]!.comment;
          if (comment !== undefined && comment.includes('fwlint-ignore')) return true;
        }
      }
    }
  }
  return false;
}

export function isExpired(s: InlineSuppression, now: number): boolean {
  return s.expiresAt !== undefined && now >= s.expiresAt;
}

/** Whether a suppression may apply at all (well-formed, not expired, reason given when required). */
export function isActive(s: InlineSuppression, state: Pick<FileSuppressions, 'requireReason' | 'now'>): boolean {
  return !s.error && !isExpired(s, state.now) && (!state.requireReason || s.reason !== undefined);
}

/** Does `s` cover every port and source of the finding? A scoped suppression never covers a finding without scope. */
export function scopeCovers(s: InlineSuppression, scope: SuppressionScope | undefined): boolean {
  if (s.ports) {
    if (!scope?.ports || scope.ports.size === 0) return false;
    for (const [proto, ports] of scope.ports) {
      if (ports.isEmpty) continue;
      const allowed = s.ports.get(proto);
      if (!allowed || !ports.isSubsetOf(allowed)) return false;
    }
  }
  if (s.sources) {
    if (!scope?.sources) return false;
    if (!scope.sources.subtract(s.sources).isEmpty) return false;
  }
  return true;
}

/**
 * Rules are matched by their local name: the plugin may be registered under
 * another namespace than `firewall` (and test harnesses use their own), and
 * report() is only ever called by this plugin's rules.
 */
export function namesRule(rules: string[], ruleId: string): boolean {
  const local = ruleId.slice(ruleId.lastIndexOf('/') + 1);
  return rules.some((r) => r === ruleId || r.slice(r.lastIndexOf('/') + 1) === local);
}

/** The suppression that hides a finding of `ruleId` at `line` with `scope`, marked used; undefined when none applies. */
export function findSuppression(state: FileSuppressions, ruleId: string, line: number, scope: SuppressionScope | undefined): InlineSuppression | undefined {
  const at = state.byLine.get(line);
  if (!at) return undefined;
  for (const s of at) {
    if (!isActive(s, state)) continue;
    if (s.rules && !namesRule(s.rules, ruleId)) continue;
    if (!scopeCovers(s, scope)) continue;
    state.used.add(s);
    return s;
  }
  return undefined;
}
