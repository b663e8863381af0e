import type { Rule } from 'eslint';
import { findShadowedRules } from '../src/analysis/shadow.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { docsUrl, report } from '../src/eslint/rule-kit.js';
import type { Action } from '../src/model/index.js';

/** A rule no packet can reach because earlier rules in its chain already decide every packet it matches. */
const rule: Rule.RuleModule = {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Report rules that no packet can reach because earlier rules in the chain cover them',
      recommended: true,
      url: docsUrl('no-shadowed-rules'),
    },
    hasSuggestions: true,
    // no options: ESLint refuses any (a configuration error, at the comment for an inline one)
    schema: [],
    defaultOptions: [],
    messages: {
      shadowed: 'This rule is never reached: every packet it matches is already decided by line{{s}} {{lines}} in chain {{chain}}.',
      redundant: 'This rule changes nothing: every packet it matches is already {{verdict}} by line{{s}} {{lines}} in chain {{chain}}.',
    },
  },
  create(context) {
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      const seen = new Set<number>();
      const rulesets = a.document.rulesets;
      const found = rulesets.map((rs) => findShadowedRules(rs));
      // One cloud rule can be in several rulesets (a GCP rule without target tags is in every target's
      // ruleset, with other rules beside it in each): it is never reached only if it is shadowed in every
      // ruleset that holds it. Rules are the same written rule when their spans are.
      let everywhere: ((r: { span: { start: { offset: number }; end: { offset: number } } }) => boolean) | undefined;
      if (rulesets.length > 1) {
        const key = (r: { span: { start: { offset: number }; end: { offset: number } } }): string => `${r.span.start.offset}:${r.span.end.offset}`;
        const holding = new Map<string, number>();
        const shadowedIn = new Map<string, number>();
        rulesets.forEach((rs, i) => {
          const keys = new Set<string>();
          for (const t of rs.tables) for (const c of t.chains) for (const r of c.rules) keys.add(key(r));
          for (const k of keys) holding.set(k, (holding.get(k) ?? 0) + 1);
          const shadowedKeys = new Set(found[i]!.map((s) => key(s.rule)));
          for (const k of shadowedKeys) shadowedIn.set(k, (shadowedIn.get(k) ?? 0) + 1);
        });
        const reported = new Set<string>();
        everywhere = (r) => {
          const k = key(r);
          if (holding.get(k) !== shadowedIn.get(k) || reported.has(k)) return false;
          reported.add(k);
          return true;
        };
      }
      for (const [i, list] of found.entries()) {
        const cloud = rulesets[i]!.kind === 'cloud';
        for (const s of list) {
          if (seen.has(s.rule.id) || s.rule.builtIn) continue;
          if (everywhere && !everywhere(s.rule)) continue;
          seen.add(s.rule.id);
          // Rules made from one written rule (a cloud rule's several CIDRs) share its span: then name them by the
          // value each one is made of, not "line 35 … decided by line 35".
          const same = s.coveredBy.some((r) => r.span.start.offset === s.rule.span.start.offset);
          const place = (r: typeof s.rule) => (same ? (r.reportSpan ?? r.span) : r.span);
          // one of several rules made from one written rule (a permission's CIDRs) is placed at its own value: at the
          // written rule, each one's finding was one message at one place, twice
          const sibling =
            !same && cloud && s.rule.reportSpan !== undefined && s.chain.rules.some((r) => r !== s.rule && r.span.start.offset === s.rule.span.start.offset && r.span.end.offset === s.rule.span.end.offset);
          // rules written on one line (a one-line JSON export, `iptables … ; iptables …`): a line alone does not say
          // which, so such rules are named by line and column
          const starts = s.coveredBy.map((r) => r.span.start);
          const oneLine = starts.some((p, i) => p.line === s.rule.span.start.line || starts.some((q, j) => j < i && q.line === p.line && q.offset !== p.offset));
          const lines = same
            ? [...new Set(s.coveredBy.map((r) => `${place(r).start.line} (${r.text})`))]
            : oneLine
              ? [...new Set([...starts].sort((x, y) => x.offset - y.offset).map((p) => `${p.line}:${p.column}`))]
              : [...new Set(starts.map((p) => p.line))].sort((x, y) => x - y);
          // covered only by rules of its own verdict (a security group's allows, which the cloud takes as a union, or a
          // second ACCEPT of what an ACCEPT took): removing it changes nothing. Covered by another verdict: what it
          // was written to do does not happen.
          const verdict = sameVerdict(s.rule.action, s.coveredBy);
          const data: Record<string, string> = { s: lines.length === 1 ? '' : 's', lines: lines.join(', '), chain: s.chain.name };
          if (verdict) data.verdict = verdict;
          report(context, a, sibling ? s.rule.reportSpan! : place(s.rule), s.rule.id, { messageId: verdict ? 'redundant' : 'shadowed', data });
        }
      }
    });
  },
};

/** "accepted", "dropped", "rejected" when every covering rule has the verdict of `action`, else undefined. */
function sameVerdict(action: Action, coveredBy: readonly { action: Action }[]): string | undefined {
  const word = action.kind === 'accept' ? 'accepted' : action.kind === 'drop' ? 'dropped' : action.kind === 'reject' ? 'rejected' : undefined;
  if (!word || coveredBy.length === 0) return undefined;
  for (const { action: other } of coveredBy) {
    if (other.kind !== action.kind || Boolean(other.untrack) !== Boolean(action.untrack)) return undefined;
    if (other.kind === 'reject' && action.kind === 'reject' && (other.with ?? '') !== (action.with ?? '')) return undefined;
  }
  return word;
}

export default rule;
