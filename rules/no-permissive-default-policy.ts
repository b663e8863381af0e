import type { Rule } from 'eslint';
import { baseChains } from '../src/analysis/exposure.js';
import { analyse, oncePerFile } from '../src/eslint/analysis.js';
import { docsUrl, report } from '../src/eslint/rule-kit.js';
import type { Chain, Family, Ruleset, Table } from '../src/model/index.js';

/** Deepest user chain a catch-all jump is followed into (LOGDROP → LOG_AND_DROP → …). */
const MAX_DEPTH = 8;

/**
 * Every packet that reaches the end of `chain` (nothing before decided it) is dropped or rejected by a rule without
 * matches: a `DROP`/`REJECT`, or a jump (a goto from the base chain) to a user chain that itself ends so and returns
 * nothing (`-j LOGDROP`, RHEL's `-j RH-Firewall-1-INPUT` ending with `-j REJECT`). A rule that matches only the family
 * (`meta nfproto ipv4 drop`) is without matches for that family.
 */
function endsInDrop(table: Table, chain: Chain, family: Family, depth = 0): boolean {
  for (const r of chain.rules) {
    if (r.disabled) continue;
    const a = r.action;
    // a RETURN sends packets back to the caller, whose policy may accept them, and so may a goto (its chain's RETURN
    // goes back to the base chain): not a catch-all
    if (depth > 0 && (a.kind === 'return' || a.kind === 'goto')) return false;
    // no match but the family's own (an inet chain's `meta nfproto ipv4 drop` then `meta nfproto ipv6 drop`): every
    // packet of the family
    if (!r.matches.every((m) => m.kind === 'family' && (m.family === family) !== Boolean(m.negated))) continue;
    if (a.kind === 'drop' || a.kind === 'reject') return true;
    if ((a.kind === 'jump' || (a.kind === 'goto' && depth === 0)) && depth < MAX_DEPTH) {
      const sub = table.chains.find((c) => c.name === a.target && c.hook === undefined);
      if (sub && endsInDrop(table, sub, family, depth + 1)) return true;
    }
  }
  return false;
}


const FAMILY_NAME: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/**
 * The base chains of `hook` that let in what no rule decided, per chain with the families concerned. A packet passes
 * every base chain of its hook in turn (iptables: raw, mangle, filter, security; nftables: by priority), so one chain
 * that drops by default (policy or catch-all drop) makes every accept explicit: fail2ban's accept-policy chain before
 * an `inet filter` with `policy drop`, or iptables' mangle INPUT beside `:INPUT DROP` in filter, lets nothing in by
 * default. Only when no chain of the hook drops by default are the accepting ones reported — the filter table's
 * chain in iptables when there is one (that is where users set the policy), else each of them.
 */
function permissiveChains(ruleset: Ruleset, hook: 'input' | 'forward'): Map<Chain, Family[]> {
  const out = new Map<Chain, Family[]>();
  for (const family of ruleset.families) {
    // the base chains a packet of the family passes on the hook, as the exposure engine runs them (nat ones cannot filter)
    const chains = baseChains(ruleset, family, hook).filter(({ chain }) => chain.type !== 'nat');
    if (chains.length === 0) continue;
    const drops = ({ table, chain }: { table: Table; chain: Chain }): boolean => (chain.policy ?? 'accept') !== 'accept' || endsInDrop(table, chain, family);
    if (chains.some(drops)) continue;
    // every packet of the input and forward hooks has passed the prerouting chains first: one that drops by default
    // (nft `hook prerouting … policy drop`, iptables' raw or mangle `:PREROUTING DROP`) lets through only what its
    // rules accept
    if (baseChains(ruleset, family, 'prerouting').some((c) => c.chain.type !== 'nat' && drops(c))) continue;
    const filter = chains.filter(({ table }) => table.name === 'filter');
    for (const { chain } of filter.length > 0 ? filter : chains) {
      let f = out.get(chain);
      if (!f) out.set(chain, (f = []));
      f.push(family);
    }
  }
  return out;
}

/** A rule an iptables script's parser puts for what a chain held before the script ran (see src/parsers/iptables/README.md). */
const isPrior = (r: Chain['rules'][number]): boolean => r.builtIn === true && r.matches.some((m) => m.kind === 'opaque' && m.module === 'prior');

/**
 * An input or forward hook whose base chains accept by default and where none drops everything else: whatever the
 * rules forget is let in.
 */
const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Report input/forward hooks whose base chains accept by default, with no chain that drops what the rules do not decide',
      recommended: true,
      url: docsUrl('no-permissive-default-policy'),
    },
    hasSuggestions: true,
    // no options: ESLint refuses any (a configuration error, at the comment for an inline one)
    schema: [],
    defaultOptions: [],
    messages: {
      unfiltered:
        'No {{families}} input chain: this file replaces the whole ruleset ({{flush}}) and none of its tables filters {{families}} on the input hook, so every {{families}} packet is let in. Use an inet table, or add {{tables}} with an input chain.',
      permissive: 'Chain {{chain}} ({{hook}} hook) accepts{{families}} by default{{unset}} and has no catch-all drop: every packet the rules do not decide is let in. Set the policy to drop or end the chain with a drop rule.',
    },
  },
  create(context) {
    return oncePerFile(() => {
      const a = analyse(context);
      if (!a) return;
      for (const ruleset of a.document.rulesets) {
        if (ruleset.kind !== 'netfilter') continue;
        // a whole ruleset (nft `flush ruleset`) without an input chain for a family leaves that family unfiltered:
        // an `ip` table alone on a dual-stack host lets every IPv6 packet in (the kernel runs no chain for it)
        if (ruleset.replaces) {
          // (no chain of the family on the way in at all: a netdev ingress or prerouting chain may be where it filters)
          const open = (['ipv4', 'ipv6'] as const).filter((f) =>
            ['ingress', 'prerouting', 'input'].every((hook) => baseChains(ruleset, f, hook).every(({ chain }) => chain.type === 'nat')),
          );
          if (open.length > 0) {
            const data = {
              families: open.map((f) => FAMILY_NAME[f]).join(' and '),
              flush: `flush ruleset, line ${ruleset.replaces.start.line}`,
              tables: open.map((f) => (f === 'ipv4' ? 'an ip table' : 'an ip6 table')).join(' and '),
            };
            report(context, a, ruleset.replaces, undefined, { messageId: 'unfiltered', data });
          }
        }
        for (const hook of ['input', 'forward'] as const) {
          for (const [chain, families] of permissiveChains(ruleset, hook)) {
            // a script's filter table it never names (a NAT-only script): its policies and rules are the ones it had
            // before the script, not this file's (the exposure rules report them as possibly open)
            const before = chain.rules.filter(isPrior).length;
            const table = ruleset.tables.find((t) => t.chains.includes(chain));
            if (before > 0 && table?.chains.every((c) => !c.policySpan && c.rules.every(isPrior))) continue;
            // the families only when the chain is permissive for one of two (an ip table drops IPv4 by default)
            const inet = ruleset.families.length > 1 && families.length < ruleset.families.length;
            // no policy written (an nft chain without `policy`, a script that never runs `-P`): the finding sits on the
            // chain's declaration, or in a script on the first command of its table, so the message says why
            const unset = chain.policySpan
              ? ''
              : before > 0
                ? ' (this script sets no policy for it: it keeps the one it had before, ACCEPT unless something else set it)'
                : ' (no policy is set for it, and the default is accept)';
            const data = { chain: chain.name, hook, families: inet ? ` ${families.map((f) => FAMILY_NAME[f]).join(' and ')}` : '', unset };
            report(context, a, chain.policySpan ?? chain.span, undefined, { messageId: 'permissive', data });
          }
        }
      }
    });
  },
};

export default rule;
