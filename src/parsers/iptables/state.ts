/**
 * The netfilter state the commands of a file build up: tables of one family,
 * their chains and ordered rules. `-A/-I/-D/-R/-N/-X/-F/-P/-Z/-E` are applied in
 * order, as iptables-restore or a script running top to bottom would; the model
 * is produced once at the end, when jump targets can be resolved.
 */
import {
  canonicalAction,
  canonicalMatch,
  type Action,
  type Chain,
  type Family,
  type Match,
  type OpaqueMatch,
  type Rule,
  type Ruleset,
  type Severity,
  type Span,
  type Table,
  type TableFamily,
} from '../../model/index.js';
import { DocRule, PackedRule } from '../placed.js';
import { BUILTIN_CHAINS, LEGACY_SECURITY_PRIORITY, SERVICES, type BuiltinChain } from './names.js';
import type { ChainRef, ParsedRule } from './rule.js';

export interface PendingRule {
  id: number;
  matches: Match[];
  action: Action | ChainRef;
  span: Span;
  reportSpan?: Span;
  text: string;
  comment?: string;
}

export interface ChainState {
  name: string;
  builtin?: BuiltinChain;
  policy?: 'accept' | 'drop';
  policySpan?: Span;
  /**
   * `-P chain ACCEPT` that may or may not run (a script's `case`/`if`) over a DROP policy: the chain ends with a
   * rule that accepts under that condition (the model's policy is one verdict), added when the model is made.
   */
  maybeAccept?: { cond: OpaqueMatch; span: Span; text: string };
  /**
   * A script's filter chain that it has not flushed: the rules the chain held before the script ran are unknown and
   * stand before `rules[prior.at]` (a rule the script inserted at their head is before them). Where the script first
   * touches the table: the line its verdicts name. See README.md ("Scripts: what ran before").
   */
  /** `from`: what they are, when not the rules from before the script ("the rules iptables-restore loads into"). */
  prior?: { span: Span; at: number; from?: string };
  /** A file the script sourced (not read) may have set this built-in chain's policy; cleared by a later `-P`. */
  policyDoubt?: { span: Span; cmd: string };
  /** A script's filter chain that it flushed: the flush, until the script sets the policy (then undefined). */
  flushedAt?: Span;
  rules: PendingRule[];
  span: Span;
}

export interface TableState {
  name: string;
  family: TableFamily;
  chains: Map<string, ChainState>;
  span: Span;
  /** old name → new name, for `-E` renames of chains already jumped to. */
  renames: Map<string, string>;
  /**
   * A script's table whose user chains before it ran are not known (see NetfilterState.unknownBefore) until an
   * unconditional `-X` or a restore that replaces the table: a chain it does not make may exist (Docker's
   * `DOCKER-USER`), one it makes may exist already.
   */
  otherChains?: true;
}

/**
 * The shell condition a script command runs under (inside `if`/`case`/a `while` loop/a function body, after `&&`/`||`):
 * a rule it adds may or may not be there (`added`, an opaque match on the rule), a rule it deletes or flushes may or
 * may not be gone (`removed`, an opaque match on the rule that stays). See README.md.
 */
export interface CommandCondition {
  added: OpaqueMatch;
  removed: OpaqueMatch;
}

export class NetfilterState {
  readonly tables: TableState[] = [];
  /** Set by the script reader while it applies a command that may or may not run. */
  condition: CommandCondition | undefined;
  /**
   * A restore file read on its own: a jump to a name that is no chain and cannot be a target (targets are upper
   * case, `-j accept`) makes iptables-restore reject the whole file, so it is an error, not a warning.
   */
  restoreFile = false;
  /**
   * Set when a command fails unless the chain's earlier rules, which are not in the script, make it succeed (`-D` of a
   * rule the script never added, an index past the script's rules): under `set -e` the script may exit there.
   */
  mayFail = false;
  /** A script's `iptables -C spec && iptables -D spec`: the rule may not be there, which is no failure. */
  quietMissing = false;
  /** The next `-D spec` removes every copy of the rule (`while iptables -D spec; do …; done`). */
  drain = false;
  /**
   * Set by a script's command that adds a rule jumping to a name that is no chain of the table at that moment: if the
   * script makes that chain later, iptables refused the rule when the command ran ("Chain 'X' does not exist").
   */
  earlyTarget: string | undefined;
  /** Rules a script added with a jump to a name that was no chain at that moment, and that name. */
  private readonly early = new Map<PendingRule, string>();
  private readonly byKey = new Map<string, TableState>();
  private nextId = 1;
  /**
   * Counts the changes to the chain maps of the tables (a chain made, deleted or renamed, a table made or reset):
   * the fast path trusts the chains it looked up by name while this count stays the same (see chainAt in fast.ts).
   */
  chainEpoch = 0;
  /**
   * A script: what the filter table held before it ran is unknown (`iptables -A` adds to what is loaded). Its
   * built-in chains start with unknown rules (`prior`) until a flush, and with an unknown policy until a `-P`.
   */
  unknownBefore = false;
  /**
   * The rules were written by iptables-legacy (a save header without "(nf_tables)"): its security table runs at
   * NF_IP_PRI_SECURITY (50), before nat INPUT, where iptables-nft's runs at 150, after it.
   */
  legacy = false;

  constructor(private readonly diag: (severity: Severity, code: string, message: string, span: Span) => void) {}

  static isKnownTable(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(BUILTIN_CHAINS, name);
  }

  /** Creates the table with all its built-in chains (policy accept) when it does not exist yet. */
  table(name: string, family: TableFamily, span: Span): TableState {
    const key = `${family}/${name}`;
    let t = this.byKey.get(key);
    if (!t) {
      this.chainEpoch++;
      t = this.unknownBefore ? { name, family, chains: new Map(), span, renames: new Map(), otherChains: true } : { name, family, chains: new Map(), span, renames: new Map() };
      const prior = this.unknownBefore && name === 'filter';
      for (const b of BUILTIN_CHAINS[name] ?? []) t.chains.set(b.name, prior ? { name: b.name, builtin: b, prior: { span, at: 0 }, rules: [], span } : { name: b.name, builtin: b, rules: [], span });
      this.byKey.set(key, t);
      this.tables.push(t);
    }
    return t;
  }

  /**
   * A table of the filter table's built-in chains, named `name` (not one iptables-restore knows): the iptables-legacy
   * tables an iptables-nft dump warns of, beside its own (see save.ts). At priority 1, just after the dump's filter
   * chains: the order of two chains at one priority changes nothing of what both let in (a packet must pass both), and
   * so the tracer reads the dump's own verdict first (a drop there is a drop, whatever the legacy tables hold).
   */
  legacyTable(name: string, family: TableFamily, span: Span): TableState {
    const t = this.table(name, family, span);
    if (t.chains.size === 0) for (const b of BUILTIN_CHAINS.filter!) t.chains.set(b.name, { name: b.name, builtin: { ...b, priority: 1 }, rules: [], span });
    return t;
  }

  /**
   * A script's `iptables-restore < file` (not read here): the filter table of the family is what the file holds, not
   * known. Without `--noflush` it replaces the table (unless the command may not run: then the rules stay behind
   * the unknown ones); with it the file's rules come after the script's, which stay.
   */
  unknownFilter(family: TableFamily, span: Span, noflush: boolean, from: string): void {
    const t = this.table('filter', family, span);
    for (const c of t.chains.values()) {
      if (!c.builtin) continue;
      if (noflush) {
        if (!c.prior) c.prior = { span, at: c.rules.length, from };
        continue;
      }
      if (!this.condition) {
        c.rules = [];
        delete c.policy;
        delete c.policySpan;
        delete c.maybeAccept;
        delete c.flushedAt;
      }
      c.prior = { span, at: 0, from };
    }
  }

  /**
   * A script's iptables command it cannot read (`eval "iptables …"`, `sh -c`, `xargs iptables`): it may have added
   * any rule anywhere in the filter table of the family, so each built-in chain starts with unknown rules from here.
   */
  unknownHead(family: TableFamily, span: Span, from: string): void {
    const t = this.table('filter', family, span);
    for (const c of t.chains.values()) if (c.builtin) c.prior = { span, at: 0, from };
  }

  /**
   * A file the script sources and fwlint does not read (`. /etc/firewall/rules.sh`): it runs in the script's shell,
   * so it may add, insert or delete rules in any chain of the filter table and set any policy. Each chain starts with
   * unknown rules from here, and a built-in chain's policy is in doubt until a later `-P`.
   */
  unknownSourced(family: TableFamily, span: Span, from: string, cmd: string): void {
    const t = this.table('filter', family, span);
    for (const c of t.chains.values()) {
      c.prior = { span, at: 0, from };
      // (its unknown rules may accept anything; once a flush removes them, the policy it may have set is left)
      if (c.builtin) c.policyDoubt = { span, cmd };
    }
  }

  /** iptables-restore without --noflush: a `*table` section replaces the table. */
  resetTable(t: TableState, span: Span): void {
    const cond = this.condition?.removed;
    if (cond) {
      // a restore that may not run: what it would flush may still be there
      for (const c of t.chains.values()) c.rules = c.rules.map((r) => guarded(r, cond));
      return;
    }
    this.chainEpoch++;
    t.chains.clear();
    t.renames.clear();
    t.span = span;
    delete t.otherChains;
    // (a script's restore keeps the policy of a built-in chain it does not declare: the one it had, unknown)
    const kept = this.unknownBefore && t.name === 'filter' ? span : undefined;
    for (const b of BUILTIN_CHAINS[t.name] ?? []) t.chains.set(b.name, kept ? { name: b.name, builtin: b, flushedAt: kept, rules: [], span } : { name: b.name, builtin: b, rules: [], span });
  }

  chain(t: TableState, name: string, span: Span, what: string): ChainState | undefined {
    const c = t.chains.get(name);
    if (!c && t.otherChains) {
      // made before the script ran, perhaps (another program's chain: Docker's DOCKER-USER): it fails only if not
      this.mayFail = true;
      this.diag('warning', 'iptables/other-chain', `${what}: chain "${name}" is not made by this script (another program may have made it, e.g. Docker's DOCKER-USER): this command is not evaluated, and fails if the chain does not exist`, span);
    } else if (!c) this.diag('error', 'iptables/unknown-chain', `${what}: chain "${name}" does not exist in table ${t.name}`, span);
    return c;
  }

  newChain(t: TableState, name: string, span: Span, quietIfExists = false): ChainState {
    const c = t.chains.get(name);
    if (c) {
      if (!quietIfExists && !this.condition) this.diag('error', 'iptables/chain-exists', `Chain "${name}" already exists in table ${t.name}`, span);
      return c;
    }
    // a chain of that name may be there from before the script (run twice): -N fails then
    if (t.otherChains && !quietIfExists) this.mayFail = true;
    const nc: ChainState = { name, rules: [], span };
    this.chainEpoch++;
    t.chains.set(name, nc);
    this.dropEarly(t, name);
    return nc;
  }

  deleteChain(t: TableState, name: string | undefined, span: Span): void {
    // a chain the kernel lets go of is empty and unreferenced: keeping one that may be gone changes no verdict
    if (this.condition) return;
    this.chainEpoch++;
    if (name === undefined) {
      for (const [n, c] of t.chains) if (!c.builtin) t.chains.delete(n);
      delete t.otherChains;
      return;
    }
    const c = this.chain(t, name, span, 'Cannot delete chain');
    if (!c) return;
    if (c.builtin) {
      this.diag('error', 'iptables/builtin-chain', `Cannot delete built-in chain "${name}"`, span);
      return;
    }
    // the kernel refuses to delete a chain that holds rules ("Directory not empty", nft: EBUSY) or that a rule jumps
    // to ("Too many links", nft: EBUSY): the chain and the jumps to it stay
    const refs = this.referencesTo(t, name);
    if (c.rules.length > 0 || refs > 0) {
      this.diag('error', 'iptables/chain-busy', `Cannot delete chain "${name}": ${c.rules.length > 0 ? `it holds ${c.rules.length} rule(s) (flush it first with -F)` : `${refs} rule(s) jump to it`}`, span);
      return;
    }
    t.chains.delete(name);
  }

  /**
   * The chain `name` is made now: the rules a script added before with a jump to that name (no chain then, and an
   * upper-case name that might have been a target extension) were refused when their command ran ("Chain 'X' does
   * not exist"), so they are taken out.
   */
  private dropEarly(t: TableState, name: string): void {
    if (this.early.size === 0) return;
    for (const [r, n] of this.early) {
      if (n !== name) continue;
      this.early.delete(r);
      for (const c of t.chains.values()) {
        const k = c.rules.indexOf(r);
        if (k < 0) continue;
        c.rules.splice(k, 1);
        const at = r.action.kind === 'chain-ref' ? r.action.span : r.span;
        this.diag('warning', 'iptables/unknown-chain', `Chain "${name}" does not exist yet when this command runs (the script makes it later): iptables refuses the rule, which is left out`, at);
      }
    }
  }

  /** How many rules of the table jump or go to the chain (by its current name or a name it had before -E). */
  private referencesTo(t: TableState, name: string): number {
    let n = 0;
    for (const c of t.chains.values())
      for (const r of c.rules) {
        if (r.action.kind !== 'chain-ref') continue;
        let target = r.action.name;
        for (let k = 0; k < 16 && !t.chains.has(target) && t.renames.has(target); k++) target = t.renames.get(target)!;
        if (target === name) n++;
      }
    return n;
  }

  flush(t: TableState, name: string | undefined, span: Span): void {
    const cond = this.condition?.removed;
    if (name === undefined) {
      for (const c of t.chains.values()) c.rules = cond ? c.rules.map((r) => guarded(r, cond)) : flushed(c, span);
      return;
    }
    const c = this.chain(t, name, span, 'Cannot flush');
    if (c) c.rules = cond ? c.rules.map((r) => guarded(r, cond)) : flushed(c, span);
  }

  rename(t: TableState, from: string, to: string, span: Span): void {
    const c = this.chain(t, from, span, 'Cannot rename');
    if (!c) return;
    if (c.builtin) {
      this.diag('error', 'iptables/builtin-chain', `Cannot rename built-in chain "${from}"`, span);
      return;
    }
    this.chainEpoch++;
    t.chains.delete(from);
    c.name = to;
    t.chains.set(to, c);
    t.renames.set(from, to);
    this.dropEarly(t, to);
    // the rules that jump there follow the chain (a chain made later under the old name is another chain)
    for (const ch of t.chains.values())
      for (const r of ch.rules) if (r.action.kind === 'chain-ref' && r.action.name === from) r.action = { ...r.action, name: to };
  }

  private make(parsed: ParsedRule, span: Span, text: string, out: PendingRule[] = []): PendingRule[] {
    const { action, reportSpan, comment } = parsed;
    const cond = this.condition?.added;
    const from = out.length;
    for (const matches of parsed.variants) out.push(pendingRule(this.nextId++, cond ? [...matches, cond] : matches, action, span, text, reportSpan, comment));
    if (this.earlyTarget !== undefined) for (let k = from; k < out.length; k++) this.early.set(out[k]!, this.earlyTarget);
    return out;
  }

  /**
   * `-A` of a rule with one variant, built by the restore fast path (no ParsedRule in between): a DocRule whose
   * text is `doc` at its span's offsets (the line without trailing spaces), and whose report span is `report`
   * (a span, or a place next to `span`).
   */
  appendOne(c: ChainState, matches: Match[], action: Action | ChainRef, span: Span, doc: string, report: Span | number | undefined, comment: string | undefined): void {
    c.rules.push(new DocRule<Action | ChainRef>(this.nextId++, matches, action, span, doc, report, comment));
  }

  /** appendOne for a rule whose matches are kept packed and built when read (PackedRule, see ../placed.ts). */
  appendPacked(c: ChainState, n: number, codes: readonly number[], values: readonly unknown[], places: readonly number[], action: Action | ChainRef, span: Span, doc: string, report: Span | number | undefined, comment: string | undefined): void {
    c.rules.push(new PackedRule<Action | ChainRef>(this.nextId++, n, codes, values, places, action, span, doc, report, comment));
  }

  append(c: ChainState, parsed: ParsedRule, span: Span, text: string): void {
    this.make(parsed, span, text, c.rules);
  }

  /** `-I chain n` (1-based); n may be one past the end. */
  insert(c: ChainState, pos: number, parsed: ParsedRule, span: Span, text: string, numSpan: Span): void {
    const p = c.prior;
    if (p && pos > p.at + 1) {
      // among or after the chain's earlier rules, whose number is unknown: placed as if they were none (every packet
      // that gets past them may have been decided by them, so a place after them changes no verdict); past the
      // script's own rules iptables fails unless the earlier rules are that many
      if (pos > c.rules.length + 1) this.mayFail = true;
      c.rules.splice(Math.min(pos - 1, c.rules.length), 0, ...this.make(parsed, span, text).reverse());
      return;
    }
    if (pos < 1 || pos > c.rules.length + 1) {
      // iptables refuses the command: nothing is inserted
      this.diag('error', 'iptables/bad-index', pos < 1 ? `Invalid rule number ${pos}` : `Index of insertion too big: chain "${c.name}" has ${c.rules.length} rule(s)`, numSpan);
      return;
    }
    // iptables inserts each address combination at the same position in turn (legacy and nft, also
    // iptables-restore), so they end up in reverse order: -I INPUT -s a,b gives "-s b" then "-s a"
    const made = this.make(parsed, span, text).reverse();
    c.rules.splice(pos - 1, 0, ...made);
    if (p && pos - 1 <= p.at) p.at += made.length;
  }

  replace(c: ChainState, pos: number, parsed: ParsedRule, span: Span, text: string, numSpan: Span): void {
    if (parsed.variants.length > 1) {
      // "Replacement rule does not specify a unique address": iptables refuses the command, the rule stays
      this.diag('error', 'iptables/replace-multiple', '-R does not accept several source or destination addresses', span);
      return;
    }
    if (c.prior && pos > c.prior.at && pos > c.rules.length) {
      // the rule at that place is one of the chain's earlier rules, if there are that many: the new rule after them
      // (what gets past them is undecided whatever follows)
      this.mayFail = true;
      c.rules.push(...this.make(parsed, span, text));
      return;
    }
    if (pos < 1 || pos > c.rules.length) {
      this.diag('error', 'iptables/bad-index', pos < 1 ? `Invalid rule number ${pos}` : `Index of replacement too big: chain "${c.name}" has ${c.rules.length} rule(s)`, numSpan);
      return;
    }
    // a replacement that may not run: the new rule may be there, and the old one may still be
    const cond = this.condition?.removed;
    c.rules.splice(pos - 1, 1, ...this.make(parsed, span, text), ...(cond ? [guarded(c.rules[pos - 1]!, cond)] : []));
  }

  deleteNum(c: ChainState, pos: number, numSpan: Span): void {
    // a place at or past the chain's earlier rules, whose number is unknown: which rule goes is unknown; what gets
    // past the earlier rules is undecided whatever follows, so the script's rules are kept
    if (c.prior && pos > c.prior.at && pos > c.rules.length) {
      this.mayFail = true;
      return;
    }
    if (pos < 1 || pos > c.rules.length) {
      this.diag('error', 'iptables/bad-index', pos < 1 ? `Invalid rule number ${pos}` : `Index of deletion too big: chain "${c.name}" has ${c.rules.length} rule(s)`, numSpan);
      return;
    }
    const cond = this.condition?.removed;
    if (cond) c.rules[pos - 1] = guarded(c.rules[pos - 1]!, cond);
    else {
      c.rules.splice(pos - 1, 1);
      if (c.prior && pos - 1 < c.prior.at) c.prior.at--;
    }
  }

  /**
   * `-D chain spec`: removes the first rule equal to each expanded variant. iptables (legacy and nft) commits a
   * command as a whole: when one address combination has no rule the command fails and none is removed.
   */
  deleteSpec(c: ChainState, parsed: ParsedRule, span: Span, text?: string): void {
    if (this.drain) {
      // `while iptables -D spec; do :; done`: the command runs until no copy is left (none there is no failure)
      this.drain = false;
      const quiet = this.quietMissing;
      this.quietMissing = true;
      try {
        for (let n = 0; n < 4096; n++) {
          const len = c.rules.length;
          this.deleteSpec(c, parsed, span, text);
          if (c.rules.length === len) break;
        }
      } finally {
        this.quietMissing = quiet;
      }
      return;
    }
    const found: number[] = [];
    const sig = text === undefined ? undefined : matchModules(text);
    for (const matches of parsed.variants) {
      const key = ruleKey(matches, parsed.action, parsed.comment);
      const idx = c.rules.findIndex((r, k) => !found.includes(k) && this.keyOf(r) === key && (sig === undefined || sameModules(matchModules(r.text), sig)));
      if (idx < 0) {
        // the chain's earlier rules, not in this script, may hold it
        if (c.prior) this.mayFail = true;
        else if (!this.quietMissing) this.diag('error', 'iptables/no-such-rule', `-D: no matching rule in chain "${c.name}" (bad rule: does a matching rule exist in that chain?)`, span);
        return;
      }
      found.push(idx);
    }
    const cond = this.condition?.removed;
    if (cond) for (const idx of found) c.rules[idx] = guarded(c.rules[idx]!, cond);
    else {
      if (c.prior) c.prior.at -= found.filter((k) => k < c.prior!.at).length;
      if (found.length === 1) c.rules.splice(found[0]!, 1);
      else {
        const gone = new Set(found);
        c.rules = c.rules.filter((_, k) => !gone.has(k));
      }
    }
  }

  /** Rule keys are computed once per rule, not once per `-D` that scans the chain. */
  private readonly keys = new WeakMap<PendingRule, string>();

  private keyOf(r: PendingRule): string {
    let k = this.keys.get(r);
    if (k === undefined) {
      k = ruleKey(r.matches, r.action, r.comment);
      this.keys.set(r, k);
    }
    return k;
  }

  policy(c: ChainState, policy: string, span: Span, valueSpan: Span, text = ''): void {
    if (!c.builtin) {
      this.diag('error', 'iptables/policy-user-chain', `Cannot set a policy on user-defined chain "${c.name}"`, span);
      return;
    }
    // upper case only: iptables 1.8.9 (both backends) and iptables-restore refuse `-P INPUT drop` and `:INPUT drop`
    // ("Bad policy name"), and the policy stays what it was
    const p = policy;
    if (p !== 'ACCEPT' && p !== 'DROP') {
      const upper = policy.toUpperCase();
      this.diag('error', 'iptables/bad-policy', upper === 'ACCEPT' || upper === 'DROP' ? `Bad policy "${policy}": iptables takes ${upper} in upper case only` : `Bad policy "${policy}" (ACCEPT or DROP)`, valueSpan);
      return;
    }
    const next = p === 'ACCEPT' ? 'accept' : 'drop';
    const cond = this.condition?.added;
    if (cond) {
      // a policy that may or may not be set: the chain drops at its end, after a rule that accepts what the other
      // policy would (under the condition for ACCEPT over DROP, unless it for DROP over ACCEPT)
      const now = c.policy ?? 'accept';
      if (c.maybeAccept || now === next) return;
      if (next === 'accept') c.maybeAccept = { cond, span, text };
      else {
        c.maybeAccept = { cond: { ...cond, negated: true }, span: c.policySpan ?? span, text: c.policySpan ? text : `${text} (default ACCEPT unless it runs)` };
        c.policy = 'drop';
        c.policySpan = span;
      }
      return;
    }
    c.policy = next;
    c.policySpan = span;
    delete c.maybeAccept;
    delete c.flushedAt;
    delete c.policyDoubt;
  }

  /**
   * `-Z [chain]` in a restore file: each built-in chain it names (every one without a name) whose DROP policy was set
   * in this file may accept at its end, as iptables-nft-restore 1.8.9 resets it to ACCEPT and iptables-legacy-restore
   * keeps it (a later -P or `:chain` sets it again for both).
   */
  zeroInRestore(t: TableState, chainName: string | undefined, span: Span, text: string): void {
    const chains = chainName !== undefined ? [t.chains.get(chainName)].filter((c) => c !== undefined) : [...t.chains.values()];
    let warned = false;
    for (const c of chains) {
      if (!c.builtin || c.policy !== 'drop' || !c.policySpan || c.maybeAccept || c.prior) continue;
      const cond: OpaqueMatch = {
        kind: 'opaque',
        module: 'backend',
        text: `${text} (iptables-nft-restore resets the policy of ${c.name} to ACCEPT, iptables-legacy-restore keeps DROP)`,
        reason: 'which iptables backend loads the file decides the policy',
        span,
      };
      c.maybeAccept = { cond, span, text: `${text} (policy of ${c.name})` };
      if (!warned) this.diag('warning', 'iptables/backends-differ', `${text}: iptables-nft-restore 1.8.9 resets the DROP policy of the chains it zeroes to ACCEPT (iptables-legacy-restore keeps it): their end may accept`, span);
      warned = true;
    }
  }

  /** Removes tables (e.g. sections that declared nothing). */
  dropTables(pred: (t: TableState) => boolean): void {
    for (let k = this.tables.length - 1; k >= 0; k--) {
      const t = this.tables[k]!;
      if (pred(t)) {
        this.tables.splice(k, 1);
        this.byKey.delete(`${t.family}/${t.name}`);
      }
    }
  }

  /** Resolves jump targets and produces the model. */
  finish(name: string, families: Family[]): Ruleset {
    const tables: Table[] = [];
    for (const t of this.tables) {
      this.jumps.clear();
      const chains: Chain[] = [];
      for (const c of t.chains.values()) {
        // pending rules become the model's rules in place (no copy of 100k objects)
        if (c.prior) {
          // a script's chain it did not flush: the rules it held before may accept, drop or let go on any packet
          // (the policy is behind them: what they let go on meets the script's rules, then the policy)
          // (ip6tables' chains named so: a script of both programs has an INPUT of each)
          const six = t.family === 'ip6' ? 'ip6tables ' : '';
          const text = c.prior.from ? `${c.prior.from} ${c.name}` : `the rules ${six}${c.name} held before this script ran (no ${six}-F ${c.name})`;
          const cond: OpaqueMatch = { kind: 'opaque', module: 'prior', text, reason: `the chain's earlier rules and policy are not in this script` };
          const head = `(rules of ${c.name} before this script)`;
          c.rules.splice(c.prior.at, 0, priorRule(this.nextId++, cond, 'accept', c.prior.span, head), priorRule(this.nextId++, cond, 'drop', c.prior.span, head));
        } else if (c.flushedAt && c.policySpan === undefined && c.builtin) {
          // flushed, but its policy is the one it had before the script: the accept modelled may be a DROP
          const six = t.family === 'ip6' ? 'ip6tables ' : '';
          const text = `the policy ${six}${c.name} had before this script ran (no ${six}-P ${c.name})`;
          const cond: OpaqueMatch = { kind: 'opaque', module: 'prior', text, reason: `the chain's policy is not set in this script` };
          c.rules.push(priorRule(this.nextId++, cond, 'drop', c.flushedAt, `(policy of ${c.name} before this script)`));
        }
        if (!c.prior && c.policyDoubt && c.policy === 'drop') {
          // flushed after a sourced file that may have set the policy to ACCEPT: the end of the chain may accept
          const six = t.family === 'ip6' ? 'ip6tables ' : '';
          const cond: OpaqueMatch = { kind: 'opaque', module: 'prior', text: `a policy set by ${c.policyDoubt.cmd} (not read) on ${six}${c.name}`, reason: `the file that may set the chain's policy is not read` };
          c.rules.push(priorRule(this.nextId++, cond, 'accept', c.policyDoubt.span, `(policy of ${c.name} after ${c.policyDoubt.cmd})`));
        }
        if (c.maybeAccept) {
          const m = c.maybeAccept;
          c.rules.push(pendingRule(this.nextId++, [m.cond], { kind: 'accept' }, m.span, m.text, undefined, undefined));
        }
        const rules = c.rules as unknown as Rule[];
        // (indexed: a for-of allocates an iterator result per rule until the loop is optimised)
        for (let k = 0; k < c.rules.length; k++) {
          const r = c.rules[k]!;
          if (r.action.kind === 'chain-ref') r.action = this.resolve(t, r.action);
        }
        const chain: Chain = { name: c.name, rules, span: c.span };
        if (c.builtin) {
          chain.hook = c.builtin.hook;
          chain.priority = this.legacy && t.name === 'security' ? LEGACY_SECURITY_PRIORITY : c.builtin.priority;
          chain.type = c.builtin.type;
          chain.policy = c.policy ?? 'accept';
          if (c.policySpan) chain.policySpan = c.policySpan;
        }
        chains.push(chain);
      }
      tables.push({ name: t.name, family: t.family, chains, span: t.span });
    }
    tables.sort((a, b) => a.span.start.offset - b.span.start.offset);
    return { name, targets: [], tables, families, kind: 'netfilter' };
  }

  private readonly jumps = new Map<string, Action>();

  private resolve(t: TableState, a: Action | ChainRef): Action {
    if (a.kind !== 'chain-ref') return a;
    let target = a.name;
    for (let k = 0; k < 16 && !t.chains.has(target) && t.renames.has(target); k++) target = t.renames.get(target)!;
    const c = t.chains.get(target);
    if (c && !c.builtin && this.restoreFile && c.span.start.offset > a.span.start.offset) {
      // iptables-restore makes a chain when it reads its ":X" line: a rule before it jumps to no chain ("Chain 'X'
      // does not exist", iptables-restore 1.8.9) and the file loads nothing
      this.diag('error', 'iptables/chain-declared-later', `Chain "${a.name}" does not exist yet: it is declared at line ${c.span.start.line}, after this rule; iptables-restore rejects the file`, a.span);
    }
    if (c && !c.builtin) {
      // one immutable action per target chain, shared by the rules that jump there
      const key = a.goto ? `g ${target}` : `j ${target}`;
      const known = this.jumps.get(key);
      if (known) return known;
      const act: Action = Object.freeze({ kind: a.goto ? 'goto' : 'jump', target });
      this.jumps.set(key, act);
      return act;
    }
    if (c && this.restoreFile) {
      // iptables-restore: "Cannot jump to a built-in chain" refuses the file
      this.diag('error', 'iptables/builtin-target', `Cannot jump to built-in chain "${a.name}": iptables-restore rejects the file`, a.span);
      return { kind: 'unknown', target: a.name, text: a.text };
    }
    if (!c && this.restoreFile && a.name !== a.name.toUpperCase()) {
      this.diag('error', 'iptables/unknown-chain', `Chain "${a.name}" does not exist in table ${t.name}: iptables-restore rejects the file (targets are upper case${/^(accept|drop|reject|return|log)$/i.test(a.name) ? `: ${a.name.toUpperCase()}` : ''})`, a.span);
      return { kind: 'unknown', target: a.name, text: a.text };
    }
    this.diag(
      'warning',
      'iptables/unknown-target',
      c ? `Cannot jump to built-in chain "${a.name}"` : `No chain/target/match by that name: "${a.name}" is neither a known target nor a chain of table ${t.name}`,
      a.span,
    );
    return { kind: 'unknown', target: a.name, text: a.text };
  }
}

/** A chain of a script flushed (not under a condition): its earlier rules are gone, its policy stays unknown. */
function flushed(c: ChainState, span: Span): PendingRule[] {
  if (c.prior) {
    delete c.prior;
    if (c.policySpan === undefined) c.flushedAt = span;
  }
  return [];
}

/** A rule standing for what a script's chain held before it ran (`builtIn`: never reported as shadowed). */
function priorRule(id: number, cond: OpaqueMatch, kind: 'accept' | 'drop', span: Span, text: string): PendingRule {
  return { id, matches: [{ ...cond, span }], action: { kind }, span, text, builtIn: true } as PendingRule;
}

/** The rule, with a match saying it may have been removed (by a command that may or may not have run). */
function guarded(r: PendingRule, cond: OpaqueMatch): PendingRule {
  // removed twice by the same command (a function called twice): one match says it
  if (r.matches.some((m) => m.kind === 'opaque' && m.module === 'condition' && m.text === cond.text)) return r;
  return pendingRule(r.id, [...r.matches, cond], r.action, r.span, r.text, r.reportSpan, r.comment);
}

function pendingRule(id: number, matches: Match[], action: Action | ChainRef, span: Span, text: string, reportSpan: Span | undefined, comment: string | undefined): PendingRule {
  // Every field in the literal (same key order as before): no property added later, no out-of-object storage.
  if (reportSpan) return comment !== undefined ? { id, matches, action, span, text, reportSpan, comment } : { id, matches, action, span, text, reportSpan };
  return comment !== undefined ? { id, matches, action, span, text, comment } : { id, matches, action, span, text };
}

const PROTO_MODULES: ReadonlySet<string> = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmp6', 'icmpv6', 'ipv6-icmp']);
const PROTO_OPTIONS: ReadonlySet<string> = new Set([
  '--sport', '--source-port', '--dport', '--destination-port', '--tcp-flags', '--syn', '--tcp-option', '--icmp-type', '--icmpv6-type',
  '--chunk-types', '--dccp-types', '--dccp-option',
]);
/** A multiport list as the kernel keeps it: the items in their order, each port a number. */
function portList(arg: string | undefined): string {
  if (arg === undefined) return '';
  // a shell expansion (`--dports $PORTS`): this text is the command's as written, so its value is not here
  if (/[$`]/.test(arg)) return '*';
  return arg
    .split(',')
    .map((item) => item.split(':').map((p) => (/^[0-9]+$/.test(p) ? String(Number(p)) : String(SERVICES[p.toLowerCase()] ?? p))).join(':'))
    .join(',');
}
/**
 * The match extensions of a rule in the order the kernel holds them, with multiport's port lists as written: what
 * `-D chain spec` compares besides the rule's meaning (ruleKey). iptables (legacy and nft) compares the matches one
 * by one in order, so `-m state --state NEW` is not `-m conntrack --ctstate NEW`, `-m multiport --dports 22,443`
 * not `--dports 443,22` nor `-p tcp --dport 22`, `-m iprange --src-range a-a` not `-s a`, and a protocol's own
 * match (`-p tcp --dport 22`, implied where its first option is read, or `-m tcp`) not one placed after another
 * module (`-p tcp -m state --state NEW --dport 22`): `iptables -D` fails there (checked with iptables 1.8.9 (nf_tables)).
 */
export function matchModules(text: string): string {
  // (a word's quotes removed, as the shell and iptables-restore remove them: `-m "comment"` is `-m comment`)
  const toks = (text.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map(unquoted);
  const sig: string[] = [];
  let cur = '';
  let proto = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === '-m' || t === '--match') {
      const name = toks[++i] ?? '';
      cur = PROTO_MODULES.has(name) ? 'proto' : name;
      if (cur === 'proto') proto = true;
      sig.push(cur);
    } else if (t === '--comment' || t === '-j' || t === '--jump' || t === '-g' || t === '--goto') {
      // (the comment text and the target are ruleKey's; what follows the target is its options)
      if (t !== '--comment') break;
      i++;
    } else if (cur === 'multiport' && /^--(d|destination-|s|source-)?ports?$/.test(t)) {
      sig.push(`${t.startsWith('--d') ? 'd' : t.startsWith('--s') ? 's' : 'p'}=${portList(toks[++i])}`);
    } else if (!proto && PROTO_OPTIONS.has(t)) {
      proto = true;
      cur = 'proto';
      sig.push(cur);
    }
  }
  return sig.join(' ');
}

function unquoted(t: string): string {
  const q = t.charCodeAt(0);
  return t.length >= 2 && (q === 34 || q === 39) && t.charCodeAt(t.length - 1) === q ? t.slice(1, -1) : t;
}

/** Whether two matchModules signatures may be the same rule's (a port list written with `$VAR` may be any list). */
export function sameModules(a: string, b: string): boolean {
  if (a === b) return true;
  const x = a.split(' ');
  const y = b.split(' ');
  return x.length === y.length && x.every((m, i) => m === y[i] || (m[1] === '=' && y[i]![1] === '=' && m[0] === y[i]![0] && (m.endsWith('=*') || y[i]!.endsWith('=*'))));
}

/** What `-D chain spec` compares: the rule's meaning, plus the text of opaque matches and targets (limit rates, log prefixes). */
export function ruleKey(matches: Match[], action: Action | ChainRef, comment: string | undefined): string {
  const act = action.kind === 'chain-ref' ? `${action.goto ? 'goto' : 'jump'} ${action.name}` : canonicalAction(action);
  const text = (t: string) => t.split(/\s+/).join(' ');
  const m: string[] = [];
  // a script's shell condition is no part of the rule iptables compares
  for (const x of matches) if (x.kind !== 'opaque' || x.module !== 'condition') m.push(x.kind === 'opaque' ? `${x.negated ? '!' : ''}opaque:${x.module}:${text(x.text)}` : canonicalMatch(x));
  const extra = action.kind === 'nat' || action.kind === 'queue' || action.kind === 'unknown' ? ` ${text(action.text)}` : '';
  return `${m.sort().join(' ')} => ${act}${extra} # ${comment ?? ''}`;
}
