/**
 * A random iptables-save ruleset (generate-iptables.ts) rewritten as a shell script of iptables commands that builds
 * the same tables by a random route: rules appended, inserted at positions, put in by `-R` over decoys, decoys deleted
 * by number or by their specification, chains created under another name and renamed, flushed chains, temporary chains
 * deleted, policies set before or after the rules, `-t` before or after the command, long option names, a `$IPT`
 * variable, quoting, `\` continuations, `;` lists and comments. The script is run by `sh -e` in a namespace of our
 * own and the tables it leaves (`iptables-save`) are the oracle of what our script reader must build.
 */
import type { Family } from './netns.js';
import { Rng } from './prng.js';

export interface GeneratedScript {
  seed: number;
  family: Family;
  /** The shell script. */
  script: string;
  /** The iptables-save text it was made from. */
  save: string;
}

/**
 * The words of a save line's arguments: blank-separated, `"…"` quoted with `\"` and `\\` escapes (as iptables-save writes
 * them). (Not src's tokenizeRestoreLine: the suite tests that reader, so its inputs are not made with it.)
 */
function saveWords(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let w = '';
    while (i < line.length && line[i] !== ' ') {
      if (line[i] === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) i++;
          w += line[i++];
        }
        i++;
      } else w += line[i++];
    }
    out.push(w);
  }
  return out;
}

const SAFE = /^[A-Za-z0-9_./:,=+@%-]+$/;

/** A word for the shell, quoted one of the ways people quote (never changing its value). */
function shWord(rng: Rng, w: string): string {
  if (w === '') return "''";
  if (w.startsWith('!') && w.length === 1) return rng.chance(0.2) ? "'!'" : '!';
  const plain = SAFE.test(w);
  const r = rng.next();
  if (plain && r < 0.8) return w;
  if (plain && r < 0.9) return `"${w}"`;
  if (!w.includes("'") && (r < 0.95 || /[$`\\"]/.test(w))) return `'${w}'`;
  return `"${w.replace(/[\\"$`]/g, (c) => '\\' + c)}"`;
}

interface Table {
  name: string;
  /** Built-in chains' policies, user chains (policy '-'), in save order. */
  chains: { name: string; policy: string }[];
  /** Each chain's rules (their argument words, after `-A CHAIN`). */
  rules: Map<string, string[][]>;
}

function parseSaveText(save: string): Table[] {
  const tables: Table[] = [];
  let t: Table | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      t = { name: line.slice(1).trim(), chains: [], rules: new Map() };
      tables.push(t);
    } else if (!t || line.startsWith('#') || line.trim() === '' || line === 'COMMIT') continue;
    else if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(' ') as [string, string];
      t.chains.push({ name, policy });
      t.rules.set(name, []);
    } else if (line.startsWith('-A ')) {
      const words = saveWords(line);
      const chain = words[1]!;
      if (!t.rules.has(chain)) t.rules.set(chain, []);
      t.rules.get(chain)!.push(words.slice(2));
    } else throw new Error(`generate-iptables-script: unexpected save line ${JSON.stringify(line)}`);
  }
  return tables;
}

const LONG: Record<string, string> = { '-A': '--append', '-I': '--insert', '-D': '--delete', '-R': '--replace', '-N': '--new-chain', '-X': '--delete-chain', '-F': '--flush', '-P': '--policy', '-E': '--rename-chain', '-Z': '--zero', '-t': '--table' };

/** Decoy rules: they never survive the script (a unique source address each, so a deletion by specification takes that one). */
function decoy(rng: Rng, family: Family, n: number, table: string): string[] {
  const src = family === 'ipv4' ? `198.51.100.${n % 250}/32` : `2001:db8:ffff::${(n % 65000).toString(16)}/128`;
  // (the nat table refuses DROP: "not intended for filtering")
  const tail = rng.pick([['-j', 'ACCEPT'], ['-j', table === 'nat' ? 'RETURN' : 'DROP'], ['-p', 'tcp', '-m', 'tcp', '--dport', String(1000 + n), '-j', 'ACCEPT'], ['-m', 'comment', '--comment', `decoy ${n}`, '-j', 'RETURN']]);
  return ['-s', src, ...tail];
}

/** A word as iptables-restore reads it: double quotes (with `\"` and `\\`) where it holds a blank or a quote. */
function restoreWord(w: string): string {
  return /^[^\s"\\']+$/.test(w) ? w : `"${w.replace(/["\\]/g, (c) => '\\' + c)}"`;
}

/**
 * One iptables-save text as a script that builds the same tables (see the file's comment); with `restore`, as an
 * iptables-restore file that does it by the commands a restore file takes (-I, -R, -D, -N, -E, -X, -F, -Z, -P
 * within each table's section; no -t, no shell).
 */
export function scriptFromSave(seed: number, family: Family, save: string, restore = false): GeneratedScript {
  const rng = new Rng(seed ^ (restore ? 0x7e570 : 0x5c1e7));
  const prog = family === 'ipv4' ? 'iptables' : 'ip6tables';
  const useVar = rng.chance(0.5);
  const varName = rng.pick(['IPT', 'IPTABLES', 'FW']);
  // (a value of two words is split by the shell where it is unquoted only)
  const wait = useVar && rng.chance(0.3);
  const invoke = (): string => (useVar ? rng.pick(wait ? [`$${varName}`, `\${${varName}}`] : [`$${varName}`, `\${${varName}}`, `"$${varName}"`]) : prog);
  const lines: string[] = restore ? [`# seed ${seed} ${family}`] : ['#!/bin/sh', `# seed ${seed} ${family}`, 'set -e'];
  if (useVar && !restore) lines.push(`${varName}=${wait ? '"' + prog + ' -w"' : prog}`);
  // whether the last line is a command that another may join (no comment, no continuation)
  let joinable = false;
  // a command: its words (option names maybe long, -t before or after), laid out as one line or continued
  // (`-t` goes before the command or after its chain and the words iptables reads right after it: the policy of -P,
  // the new name of -E, a rule number — getopt leaves those to be read at once, and `-P INPUT -t filter DROP` is refused)
  const cmd = (table: string, op: string, args: string[], positional = 1): void => {
    const o = rng.chance(0.25) && LONG[op] ? LONG[op]! : op;
    if (restore) {
      lines.push([o, ...args].map(restoreWord).join(' '));
      return;
    }
    const t = table === 'filter' && rng.chance(0.5) ? [] : [rng.chance(0.2) ? '--table' : '-t', table];
    const words = rng.chance(0.5) ? [...t, o, ...args] : [o, ...args.slice(0, positional), ...t, ...args.slice(positional)];
    const quoted = words.map((w) => shWord(rng, w));
    // sometimes a value from a variable set on the line before (`P=1761` … `--dport "$P"`)
    if (rng.chance(0.1)) {
      const at = words.findIndex((w, i) => i > 0 && words[i - 1]!.startsWith('-') && !w.startsWith('-') && w !== '!' && SAFE.test(w) && words[i - 1] !== table);
      if (at > 0) {
        const v = `V${vars++}`;
        lines.push(`${v}=${shWord(rng, words[at]!)}`);
        quoted[at] = rng.pick([`$${v}`, `"$${v}"`, `\${${v}}`]);
        joinable = false;
      }
    }
    let text = invoke();
    for (let i = 0; i < quoted.length; i++) text += rng.chance(0.04) ? ` \\\n    ${quoted[i]}` : ` ${quoted[i]}`;
    const comment = rng.chance(0.05);
    if (comment) text += `  # ${rng.pick(['allow', 'note', 'see ticket 42'])}`;
    // sometimes two commands on a line (`;` or `&&`)
    if (joinable && rng.chance(0.08)) lines[lines.length - 1] += `${rng.pick(['; ', ' && '])}${text}`;
    else lines.push(text);
    joinable = !comment && !text.includes('\\\n');
  };
  let decoys = 0;
  let vars = 0;
  for (const table of parseSaveText(save)) {
    if (restore) {
      // the section: built-in chains (with their policies, or -P later) and some user chains declared, the others made by -N
      lines.push(`*${table.name}`);
      const declared = new Set<string>();
      for (const c of table.chains) if (c.policy !== '-' || rng.chance(0.5)) lines.push(`:${c.name} ${c.policy} [0:0]`), declared.add(c.name);
      buildTable(table, table.chains.filter((c) => !declared.has(c.name)));
      lines.push('COMMIT');
      continue;
    }
    // a table loaded by iptables-restore --noflush from a here-document instead (its chains created there)
    if (rng.chance(0.15)) {
      lines.push(`${prog}-restore --noflush <<${rng.pick(['EOF', "'EOF'", '"EOF"'])}`, `*${table.name}`);
      for (const c of table.chains) lines.push(`:${c.name} ${c.policy} [0:0]`);
      for (const [chain, rules] of table.rules) for (const r of rules) lines.push(`-A ${chain} ${r.map((w) => (/^[^\s"\\$`]+$/.test(w) ? w : `"${w.replace(/["\\]/g, (c) => '\\' + c)}"`)).join(' ')}`);
      lines.push('COMMIT', 'EOF');
      joinable = false;
      continue;
    }
    if (rng.chance(0.3)) {
      lines.push(`# ${table.name} table`);
      joinable = false;
    }
    buildTable(table, table.chains.filter((c) => c.policy === '-'));
  }
  lines.push('');
  return { seed, family, script: lines.join('\n'), save };

  /** The table's policies, the user chains `users` (the others exist already) and every chain's rules. */
  function buildTable(table: Table, users: { name: string }[]): void {
    const builtins = table.chains.filter((c) => c.policy !== '-');
    const policies = (): void => {
      for (const c of rng.sample(builtins, builtins.length)) if (c.policy !== 'ACCEPT' || rng.chance(0.3)) cmd(table.name, '-P', [c.name, c.policy], 2);
    };
    if (rng.chance(0.3)) cmd(table.name, '-F', []);
    const early = rng.chance(0.6);
    if (early) policies();
    // user chains: some made under another name and renamed before any rule refers to them; a temporary chain deleted
    // user chains: all made by a loop over their names, or one by one
    const loop = !restore && users.length > 1 && rng.chance(0.25);
    if (loop) {
      lines.push(`for c in ${users.map((c) => c.name).join(' ')}; do`, `  ${invoke()}${table.name === 'filter' ? '' : ` -t ${table.name}`} -N "$c"`, 'done');
      joinable = false;
    }
    for (const c of loop ? [] : users) {
      // (not in a restore file: iptables-nft-restore 1.8.9 refuses a rule in a chain renamed earlier in the same file,
      // "No chain/target/match by that name", where iptables-legacy-restore loads it)
      if (!restore && rng.chance(0.2)) {
        const tmp = `${c.name}_tmp`;
        cmd(table.name, '-N', [tmp]);
        cmd(table.name, '-E', [tmp, c.name], 2);
      } else cmd(table.name, '-N', [c.name]);
    }
    if (rng.chance(0.2)) {
      const junk = `junk${rng.int(1, 99)}`;
      cmd(table.name, '-N', [junk]);
      if (rng.chance(0.5)) {
        cmd(table.name, '-A', [junk, ...decoy(rng, family, decoys++, table.name)]);
        cmd(table.name, '-F', [junk]);
      }
      cmd(table.name, '-X', [junk]);
    }
    for (const [chain, rules] of rng.sample([...table.rules], table.rules.size)) buildChain(table.name, chain, rules);
    if (!early) policies();
    // (not in a restore file: iptables-nft-restore 1.8.9 sets the zeroed chains' policies back to ACCEPT there, which
    // we read as "may accept", iptables/backends-differ — see test/parsers/iptables/save.test.ts)
    if (!restore && rng.chance(0.1)) cmd(table.name, '-Z', []);
  }

  /**
   * The chain's rules by one of several routes. `cur` mirrors the chain in the kernel: real rules by index, decoys
   * as negative numbers, so positions and first matches are known.
   */
  function buildChain(table: string, chain: string, rules: string[][]): void {
    const cur: number[] = [];
    const text = (k: number): string[] => (k >= 0 ? rules[k]! : decoyText.get(k)!);
    const decoyText = new Map<number, string[]>();
    const addDecoy = (): void => {
      const id = -1 - decoys;
      decoyText.set(id, decoy(rng, family, decoys++, table));
      // (a restore file appends them: iptables-nft-restore 1.8.9 fails to insert next to a rule deleted in the same
      // file, "RULE_INSERT failed (No such file or directory)", which iptables-legacy-restore and upstream's tests load)
      const at = restore ? cur.length : rng.int(0, cur.length);
      if (at === cur.length && (restore || rng.chance(0.5))) cmd(table, '-A', [chain, ...decoyText.get(id)!]);
      else {
        const num = at === 0 && rng.chance(0.5) ? [] : [String(at + 1)];
        cmd(table, '-I', [chain, ...num, ...decoyText.get(id)!], 1 + num.length);
      }
      cur.splice(at, 0, id);
    };
    if (rules.length > 0 && rng.chance(0.15)) {
      // rules that a flush takes away again
      for (let i = 0; i < rng.int(1, 3); i++) cmd(table, '-A', [chain, ...rules[rng.int(0, rules.length - 1)]!]);
      cmd(table, '-F', [chain]);
    }
    const route = rng.weighted([
      ['append', 4],
      ['reverse', 1],
      ['positions', 2],
      ['decoys', 3],
    ] as const);
    if (route === 'append') for (let k = 0; k < rules.length; k++) cmd(table, '-A', [chain, ...rules[k]!]), cur.push(k);
    else if (route === 'reverse')
      for (let k = rules.length - 1; k >= 0; k--) {
        const num = rng.chance(0.5) ? ['1'] : [];
        cmd(table, '-I', [chain, ...num, ...rules[k]!], 1 + num.length);
        cur.unshift(k);
      }
    else if (route === 'positions') {
      for (const k of rng.sample(
        rules.map((_, i) => i),
        rules.length,
      )) {
        const at = cur.filter((j) => j < k).length;
        cmd(table, '-I', [chain, String(at + 1), ...rules[k]!], 2);
        cur.splice(at, 0, k);
      }
    } else {
      // decoys among appended rules, then each decoy removed (by number, by specification) or replaced by a real rule;
      // a placeholder decoy appended where rule k goes is replaced (-R) by it
      const placeholder = new Map<number, number>();
      for (let k = 0; k < rules.length; k++) {
        if (rng.chance(0.3)) addDecoy();
        // (-R takes one source and one destination: "Replacement rule does not specify a unique address"; and not in a
        // restore file: iptables-nft-restore 1.8.9 crashes on -R (segmentation fault; iptables-legacy-restore replaces)
        if (!restore && rng.chance(0.25) && !rules[k]!.some((w, i) => i > 0 && w.includes(',') && ['-s', '-d', '--source', '--destination'].includes(rules[k]![i - 1]!))) {
          const id = -1 - decoys;
          decoyText.set(id, decoy(rng, family, decoys++, table));
          cmd(table, '-A', [chain, ...decoyText.get(id)!]);
          cur.push(id);
          placeholder.set(id, k);
          continue;
        }
        cmd(table, '-A', [chain, ...rules[k]!]);
        cur.push(k);
      }
      const ids = cur.filter((j) => j < 0);
      for (const id of rng.sample(ids, ids.length)) {
        const at = cur.indexOf(id);
        const real = placeholder.get(id);
        if (real !== undefined) {
          cmd(table, '-R', [chain, String(at + 1), ...rules[real]!], 2);
          cur[at] = real;
        } else {
          const byNumber = rng.chance(0.5);
          cmd(table, '-D', [chain, ...(byNumber ? [String(at + 1)] : text(id))], byNumber ? 2 : 1);
          cur.splice(at, 1);
        }
      }
    }
    // the mirror must now be the chain: every real rule once, in order
    if (cur.length !== rules.length || cur.some((k, i) => k !== i)) throw new Error(`generate-iptables-script: chain ${chain} built as ${cur.join(',')} (seed ${seed})`);
  }
}
