/**
 * One iptables command line (`-A INPUT ...`, `-t nat -I PREROUTING 2 ...`,
 * `-P INPUT DROP`, ...) applied to the netfilter state. Used for restore lines
 * and for the arguments of `iptables` in scripts.
 */
import type { Span } from '../../model/index.js';
import { ifaceDirsRefused } from './fast.js';
import { matchRefusal, parseRuleSpec, targetRefusal, type RuleContext } from './rule.js';
import { NetfilterState, type TableState } from './state.js';
import type { Tok } from './tokens.js';

type Cmd = 'A' | 'I' | 'D' | 'R' | 'N' | 'X' | 'F' | 'P' | 'Z' | 'L' | 'S' | 'C' | 'E';

const COMMANDS = new Map<string, Cmd>(Object.entries({
  '-A': 'A',
  '--append': 'A',
  '-I': 'I',
  '--insert': 'I',
  '-D': 'D',
  '--delete': 'D',
  '-R': 'R',
  '--replace': 'R',
  '-N': 'N',
  '--new-chain': 'N',
  '--new': 'N',
  '-X': 'X',
  '--delete-chain': 'X',
  '-F': 'F',
  '--flush': 'F',
  '-P': 'P',
  '--policy': 'P',
  '-Z': 'Z',
  '--zero': 'Z',
  '-L': 'L',
  '--list': 'L',
  '-S': 'S',
  '--list-rules': 'S',
  '-C': 'C',
  '--check': 'C',
  '-E': 'E',
  '--rename-chain': 'E',
}) as [string, Cmd][]);

/** Options of the iptables program itself (not of the rule): name → number of arguments (-1 = optional number). */
const PROGRAM_OPTIONS = new Map<string, number>(Object.entries({
  '-w': -1,
  '--wait': -1,
  '-W': 1,
  '--wait-interval': 1,
  '-v': 0,
  '--verbose': 0,
  '-n': 0,
  '--numeric': 0,
  '-x': 0,
  '--exact': 0,
  '--line-numbers': 0,
  '--modprobe': 1,
}));

export interface CommandEnv {
  state: NetfilterState;
  ctx: RuleContext;
  text: string;
  /** Restore files: `-t` is an error and the table is the current `*table` section. */
  restore: boolean;
  /** The `*table` of a restore file; for scripts the table comes from `-t` (default filter). */
  table?: TableState;
  /** Scripts: gets (creating on demand) the named table of the command's family. */
  getTable?(name: string, span: Span): TableState | undefined;
  /** The whole command, for rule spans. */
  span: Span;
  ruleText: string;
}

function isNumber(t: Tok | undefined): boolean {
  if (!t || t.unknown || t.text.length === 0 || t.text.length > 9) return false;
  for (let k = 0; k < t.text.length; k++) {
    const c = t.text.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isArg(t: Tok | undefined): t is Tok {
  if (!t) return false;
  if (t.unknown) return true;
  return !(t.text.length > 1 && t.text.charCodeAt(0) === 45) && t.text !== '!';
}

const SPEC: Tok[] = [];

/** Short options of the rule itself (-p -s -d -i -o -j -g -m -f -c -4 -6): no lookup needed. */
const RULE_SHORT = new Uint8Array(128);
for (const c of 'psdiojgmfc46') RULE_SHORT[c.charCodeAt(0)] = 1;

/** Applies one command; diagnostics go through ctx.diag. Never throws. */
export function runCommand(toks: Tok[], from: number, env: CommandEnv): void {
  try {
    apply(toks, from, env);
  } finally {
    SPEC.length = 0; // hold no tokens (and so no document text) between parses
  }
}

function apply(toks: Tok[], from: number, env: CommandEnv): void {
  const { ctx, state } = env;
  // reused: parseRuleSpec keeps no reference to the array itself
  const spec = SPEC;
  spec.length = 0;
  let cmd: Cmd | undefined;
  let cmdTok: Tok | undefined;
  let chainTok: Tok | undefined;
  let numTok: Tok | undefined;
  let extraTok: Tok | undefined;
  let tableTok: Tok | undefined;
  const n = toks.length;
  let i = from;
  while (i < n) {
    const t = toks[i]!;
    // -w5, -W100000: getopt takes a short option's value attached (iptables 1.8.9 accepts both anywhere)
    if (!t.unknown && t.text.length > 2 && t.text.charCodeAt(0) === 45 && (t.text.charCodeAt(1) === 119 || t.text.charCodeAt(1) === 87) && isNumber({ text: t.text.slice(2), start: t.start + 2, end: t.end })) {
      i++;
      continue;
    }
    if (
      t.unknown ||
      t.text.charCodeAt(0) !== 45 /* - */ ||
      (t.text.length === 2 && RULE_SHORT[t.text.charCodeAt(1)] === 1) ||
      (cmd !== undefined && t.text.length > 2 && t.text.charCodeAt(1) !== 45)
    ) {
      spec.push(t);
      i++;
      continue;
    }
    let opt = t.text;
    let inline: Tok | undefined;
    const eq = opt.startsWith('--') ? opt.indexOf('=') : -1;
    if (eq > 0 && (opt.startsWith('--table=') || PROGRAM_OPTIONS.has(opt.slice(0, eq)))) {
      inline = { text: opt.slice(eq + 1), start: t.start + eq + 1, end: t.end };
      opt = opt.slice(0, eq);
    } else if (!env.restore && opt.length > 2 && opt.charCodeAt(1) === 116 /* t */ && NetfilterState.isKnownTable(opt.slice(2))) {
      // -tnat: the table attached, as getopt reads it (iptables 1.8.9 runs `iptables -tnat -A …`)
      inline = { text: opt.slice(2), start: t.start + 2, end: t.end };
      opt = '-t';
    }
    if (opt === '-t' || opt === '--table') {
      if (env.restore) ctx.diag('error', 'iptables/table-option', 'The -t option cannot be used in iptables-restore', t.start, t.end);
      tableTok = inline ?? toks[i + 1];
      i += inline ? 1 : 2;
      if (!tableTok) ctx.diag('error', 'iptables/missing-argument', `Option ${opt} needs an argument`, t.start, t.end);
      continue;
    }
    const po = PROGRAM_OPTIONS.get(opt);
    if (po !== undefined) {
      i++;
      if (!inline) {
        if (po === -1 && isNumber(toks[i])) i++;
        else if (po === 1) i++;
      }
      continue;
    }
    const c = COMMANDS.get(opt);
    if (c !== undefined) {
      if (cmd !== undefined) {
        ctx.diag('error', 'iptables/multiple-commands', `Only one command is allowed (already ${cmdTok!.text})`, t.start, t.end);
        i++;
        continue;
      }
      cmd = c;
      cmdTok = t;
      i++;
      const chainOptional = c === 'X' || c === 'F' || c === 'Z' || c === 'L' || c === 'S';
      if (isArg(toks[i]) && !(chainOptional && isNumber(toks[i]))) {
        chainTok = toks[i];
        i++;
      } else if (!chainOptional) {
        ctx.diag('error', 'iptables/missing-chain', `${t.text} needs a chain name`, t.start, t.end);
      }
      if (chainTok) {
        if ((c === 'I' || c === 'D' || c === 'R' || c === 'Z' || c === 'L' || c === 'S') && isNumber(toks[i])) {
          numTok = toks[i];
          i++;
        } else if ((c === 'P' || c === 'E') && isArg(toks[i])) {
          extraTok = toks[i];
          i++;
        }
      }
      continue;
    }
    if (cmd === undefined && opt.length > 2 && opt.charCodeAt(1) !== 45 && /^-[nvxLS]{2,}$/.test(opt)) {
      // combined listing flags such as -nvL: nothing to apply
      cmd ??= 'L';
      cmdTok ??= t;
      i++;
      continue;
    }
    spec.push(t);
    i++;
  }

  const span = env.span;
  const sp = (t: Tok): Span => ctx.span(t.start, t.end);
  if (cmd === undefined) {
    const first = toks[from];
    if (first) ctx.diag('error', 'iptables/no-command', 'No command given (-A, -I, -D, -N, -P, ...)', first.start, toks[n - 1]!.end);
    return;
  }
  if (cmd === 'L' || cmd === 'S') return;

  let table = env.table;
  if (!env.restore) {
    const name = tableTok ? tableTok.text : 'filter';
    if (tableTok?.unknown) {
      // `iptables -t $T -A INPUT … -j ACCEPT`: $T may be filter, where the rule decides what is let in. A command on a
      // chain filter has is read there as one that may or may not run (an ACCEPT is possibly open, a DROP closes
      // nothing); what it does to the other tables is not followed
      const at = toks.indexOf(tableTok);
      const filter = at >= 0 && (cmd === 'A' || cmd === 'I' || cmd === 'D' || cmd === 'F' || cmd === 'P') ? env.getTable?.('filter', span) : undefined;
      if (!filter || (chainTok && !chainTok.unknown && !filter.chains.has(chainTok.text))) {
        ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate table ${tableTok.text}: ${tableTok.unknown}; command skipped`, tableTok.start, tableTok.end);
        return;
      }
      ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate table ${tableTok.text}: ${tableTok.unknown}; read in the filter table as a command that may or may not run there`, tableTok.start, tableTok.end);
      const asFilter = toks.slice();
      asFilter[at] = { text: 'filter', start: tableTok.start, end: tableTok.end };
      const saved = state.condition;
      const reason = 'the table name is not known statically';
      state.condition = saved ?? { added: { kind: 'opaque', module: 'table', text: `table ${tableTok.text}`, reason, span: sp(tableTok) }, removed: { kind: 'opaque', module: 'table', text: env.ruleText, reason, span } };
      try {
        apply(asFilter, from, env);
      } finally {
        state.condition = saved;
      }
      return;
    }
    if (!NetfilterState.isKnownTable(name)) {
      ctx.diag('error', 'iptables/unknown-table', `Unknown table "${name}"`, tableTok!.start, tableTok!.end);
      return;
    }
    table = env.getTable?.(name, span);
  }
  if (!table) return;
  if (chainTok?.unknown) {
    const expr = env.text.slice(chainTok.start, chainTok.end);
    if (cmd === 'A' || cmd === 'I' || cmd === 'D' || cmd === 'F') {
      ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate chain name ${expr}: ${chainTok.unknown}; read as any chain of the table, undecided`, chainTok.start, chainTok.end);
      anyChain(cmd, expr, sp(chainTok), table, spec, numTok, span, ctx, env);
    } else ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate chain name ${expr}: ${chainTok.unknown}; command skipped`, chainTok.start, chainTok.end);
    return;
  }
  const chainName = chainTok?.text;
  const needsSpec = cmd === 'A' || cmd === 'I' || cmd === 'R' || cmd === 'C' || (cmd === 'D' && !numTok);
  if (!needsSpec && spec.length > 0) {
    const s = spec[0]!;
    ctx.diag('error', 'iptables/unexpected-argument', `Unexpected argument "${s.text}" for ${cmdTok!.text}`, s.start, spec[spec.length - 1]!.end);
  }
  const num = numTok ? Number(numTok.text) : undefined;

  switch (cmd) {
    case 'A':
    case 'I':
    case 'R':
    case 'C':
    case 'D': {
      if (chainName === undefined) return;
      if (cmd === 'D' && num !== undefined) {
        const c = state.chain(table, chainName, sp(chainTok!), 'Cannot delete rule');
        if (c) state.deleteNum(c, num, sp(numTok!));
        return;
      }
      const parsed = parseRuleSpec(spec, 0, ctx, env.text);
      if (parsed.skip || cmd === 'C') return;
      const c = state.chain(table, chainName, sp(chainTok!), `Cannot ${cmd === 'A' ? 'append to' : cmd === 'I' ? 'insert into' : cmd === 'R' ? 'replace in' : 'delete from'} chain`);
      if (!c) return;
      const refused = c.builtin ? ifaceDirsRefused(c.builtin.hook) : 0;
      const bad = refused !== 0 ? parsed.variants[0]?.find((m) => m.kind === 'interface' && (m.dir === 'in' ? 1 : 2) === refused) : undefined;
      const tname = parsed.action.kind === 'nat' || (parsed.action.kind === 'continue' && parsed.action.target === 'CT') ? (parsed.action.kind === 'nat' ? 'nat' : 'raw') : undefined;
      const jumpAt = toks.findIndex((x, k) => k > from && (x.text === '-j' || x.text === '--jump' || x.text === '-g' || x.text === '--goto'));
      const target = jumpAt >= 0 ? toks[jumpAt + 1] : undefined;
      if (tname && tname !== table.name) {
        if (target) ctx.diag('error', 'iptables/target-table', `${target.text} is only valid in the ${tname} table, not ${table.name}: iptables refuses the rule`, target.start, target.end);
      } else if (target && !target.unknown) {
        const why = targetRefusal(target.text, table.name, c.builtin?.hook, parsed.proto);
        if (why) ctx.diag('error', 'iptables/target-place', `${why}: iptables refuses the rule`, target.start, target.end);
      }
      for (const m of parsed.variants[0] ?? []) {
        const why = m.kind === 'opaque' && m.span && m.text.startsWith('-m ') ? matchRefusal(m.module, table.name, c.builtin?.hook, m.text) : undefined;
        if (why) ctx.diag('error', 'iptables/match-place', `${why}: iptables refuses the rule`, m.span!.start.offset, m.span!.end.offset);
      }
      if (bad?.span) ctx.diag('error', 'iptables/interface-direction', `Can't use ${refused === 2 ? '-o' : '-i'} with ${c.name}: iptables refuses the rule (no ${refused === 2 ? 'output' : 'input'} interface on that hook)`, bad.span.start.offset, bad.span.end.offset);
      // a script's command runs when it is reached: a jump to a name that is no chain yet is refused ("Chain 'X' does
      // not exist") if the script makes that chain later (see earlyTarget); a name it never makes may be a target
      // extension or another program's chain (f2b-sshd, ufw-user-input): an unknown target, undecided
      const early = !env.restore && cmd !== 'D' && parsed.action.kind === 'chain-ref' && !table.chains.has(parsed.action.name) ? parsed.action : undefined;
      state.earlyTarget = early?.name;
      try {
        if (cmd === 'A') state.append(c, parsed, span, env.ruleText);
        else if (cmd === 'I') state.insert(c, num ?? 1, parsed, span, env.ruleText, numTok ? sp(numTok) : span);
        else if (cmd === 'R') {
          if (num === undefined) ctx.diag('error', 'iptables/missing-index', '-R needs a rule number', cmdTok!.start, cmdTok!.end);
          else state.replace(c, num, parsed, span, env.ruleText, sp(numTok!));
        } else state.deleteSpec(c, parsed, span, env.ruleText);
      } finally {
        state.earlyTarget = undefined;
      }
      return;
    }
    case 'N':
      if (chainName !== undefined) {
        if (chainName.length > 28) ctx.diag('error', 'iptables/chain-name', `Chain name "${chainName}" is longer than 28 characters`, chainTok!.start, chainTok!.end);
        state.newChain(table, chainName, span);
      }
      return;
    case 'X':
      state.deleteChain(table, chainName, chainTok ? sp(chainTok) : span);
      return;
    case 'F':
      state.flush(table, chainName, chainTok ? sp(chainTok) : span);
      return;
    case 'Z':
      // counters only; but iptables-nft-restore 1.8.9 sets the policy of each chain it zeroes back to ACCEPT when this
      // section declared it (`:INPUT DROP [0:0]` … `-Z` leaves INPUT accepting; a `-P` after it holds), where
      // iptables-legacy-restore and `iptables -Z` keep it: the chain's end may accept (checked in namespaces)
      if (env.restore) state.zeroInRestore(table, chainName, span, env.ruleText ?? '-Z');
      return;
    case 'P': {
      if (chainName === undefined) return;
      if (!extraTok) {
        ctx.diag('error', 'iptables/missing-policy', '-P needs a policy (ACCEPT or DROP)', cmdTok!.start, cmdTok!.end);
        return;
      }
      const c = state.chain(table, chainName, sp(chainTok!), 'Cannot set policy');
      if (extraTok.unknown) {
        // ACCEPT or DROP: read as the other policy set under an undecided condition naming the expression (the
        // chain's end is then 'possibly open' where one of them accepts), as a policy set inside an `if` is
        const expr = env.text.slice(extraTok.start, extraTok.end);
        ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate policy ${expr}: ${extraTok.unknown}; it may be ACCEPT or DROP`, extraTok.start, extraTok.end);
        if (c) {
          const saved = state.condition;
          const cond = { kind: 'opaque', module: 'policy', text: `policy ${expr}`, reason: 'the policy is not known statically', span: sp(extraTok) } as const;
          state.condition = { added: cond, removed: cond };
          try {
            state.policy(c, (c.policy ?? 'accept') === 'accept' ? 'DROP' : 'ACCEPT', span, sp(extraTok), env.ruleText);
          } finally {
            state.condition = saved;
          }
        }
        return;
      }
      if (c) state.policy(c, extraTok.text, span, sp(extraTok), env.ruleText);
      return;
    }
    case 'E':
      if (chainName !== undefined && extraTok && !extraTok.unknown) state.rename(table, chainName, extraTok.text, span);
      return;
  }
}

/**
 * `-A/-I/-D/-F $CHAIN …` with a chain name the script does not give: it may be any chain of the table, so the command
 * is applied to each, under an undecided condition naming the expression (a rule it adds may be there — an accept
 * possibly opens, a drop closes nothing —, a rule it deletes or flushes may still be there). Skipping it called closed
 * what an `-A $CHAIN … -j ACCEPT` may open. Chains that cannot hold the rule (the kernel refuses `-i` on OUTPUT, a rule
 * jumping to its own chain) are left out.
 */
function anyChain(cmd: 'A' | 'I' | 'D' | 'F', expr: string, at: Span, table: TableState, spec: Tok[], numTok: Tok | undefined, span: Span, ctx: RuleContext, env: CommandEnv): void {
  const { state } = env;
  const parsed = cmd === 'F' || (cmd === 'D' && numTok) ? undefined : parseRuleSpec(spec, 0, ctx, env.text);
  if (parsed?.skip) return;
  const text = `chain ${expr}`;
  const reason = 'the chain name is not known statically';
  const saved = state.condition;
  state.condition = { added: { kind: 'opaque', module: 'chain', text, reason, span: at }, removed: { kind: 'opaque', module: 'chain', text: env.ruleText, reason, span } };
  try {
    if (cmd === 'F') {
      state.flush(table, undefined, span);
      return;
    }
    const num = numTok ? Number(numTok.text) : undefined;
    const target = parsed && parsed.action.kind === 'chain-ref' ? parsed.action.name : undefined;
    for (const c of [...table.chains.values()]) {
      if (c.name === target) continue;
      const refused = c.builtin ? ifaceDirsRefused(c.builtin.hook) : 0;
      if (refused !== 0 && parsed?.variants[0]?.some((m) => m.kind === 'interface' && (m.dir === 'in' ? 1 : 2) === refused)) continue;
      if (cmd === 'A') state.append(c, parsed!, span, env.ruleText);
      else if (cmd === 'I') state.insert(c, num ?? 1, parsed!, span, env.ruleText, numTok ? ctx.span(numTok.start, numTok.end) : span);
      else if (num !== undefined) state.deleteNum(c, num, ctx.span(numTok!.start, numTok!.end));
      else state.deleteSpec(c, parsed!, span, env.ruleText);
    }
  } finally {
    state.condition = saved;
  }
}
