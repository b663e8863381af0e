/**
 * A random nft ruleset (generate-nft.ts, declarative blocks) rewritten as an `nft -f` file of commands that builds the
 * same ruleset by a random route: tables, sets and chains made by `add`/`create` commands, set elements added apart
 * (in several `add element` commands), rules appended (`add rule`), inserted at the front (`insert rule`) or placed by
 * `index` (`add rule … index N` after the Nth rule, `insert rule … index N` before it), decoy rules taken away again by
 * `flush chain`, temporary chains and tables deleted, an empty declarative block of a table. The file is loaded by the
 * real nft in a namespace of our own and `nft -j list ruleset` is the oracle of what our text reader must build.
 */
import type { Family } from './netns.js';
import { Rng } from './prng.js';

export interface GeneratedNftScript {
  seed: number;
  family: Family;
  text: string;
  /** The declarative text it was made from. */
  source: string;
}

interface Block {
  kind: 'set' | 'map' | 'chain';
  name: string;
  /** Declaration lines (type, flags, hook …), elements apart. */
  decl: string[];
  /** `elements = { … }`: the items (top-level commas). */
  elements: string[];
  /** Chains: rule lines. */
  rules: string[];
}

interface TableText {
  family: string;
  name: string;
  blocks: Block[];
}

/** Items of `{ a, b : c, { x } }` split at top-level commas. */
function items(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '{' || ch === '(' || ch === '[') depth++;
    if (ch === '}' || ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** The generator's declarative text: defines, and tables of sets, maps and chains (undefined when it is in command form). */
function parseDeclarative(text: string): { defines: string[]; tables: TableText[] } | undefined {
  const defines: string[] = [];
  const tables: TableText[] = [];
  let table: TableText | undefined;
  let block: Block | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!table) {
      if (line.startsWith('define ')) defines.push(line);
      else {
        const m = /^table (\S+) (\S+) \{$/.exec(line);
        if (!m) return undefined;
        table = { family: m[1]!, name: m[2]!, blocks: [] };
        tables.push(table);
      }
      continue;
    }
    if (!block) {
      if (line === '}') {
        table = undefined;
        continue;
      }
      const m = /^(set|map|chain) (\S+) \{$/.exec(line);
      if (!m) return undefined;
      block = { kind: m[1] as Block['kind'], name: m[2]!, decl: [], elements: [], rules: [] };
      table.blocks.push(block);
      continue;
    }
    if (line === '}') {
      block = undefined;
      continue;
    }
    if (block.kind === 'chain') {
      if (line.startsWith('type ') && line.includes(' hook ')) block.decl.push(line.replace(/;\s*$/, ''));
      else block.rules.push(line);
    } else if (line.startsWith('elements = {') && line.endsWith('}')) block.elements = items(line.slice('elements = {'.length, -1));
    else if (line.startsWith('elements')) return undefined;
    else block.decl.push(line.replace(/;\s*$/, ''));
  }
  return table || block ? undefined : { defines, tables };
}

/** One declarative nft text as a file of commands (see the file's comment); undefined when the text is in command form. */
export function nftScriptFrom(seed: number, family: Family, source: string): GeneratedNftScript | undefined {
  const parsed = parseDeclarative(source);
  if (!parsed) return undefined;
  const rng = new Rng(seed ^ 0x3f7a1);
  const out: string[] = [`# seed ${seed} ${family}`];
  if (rng.chance(0.3)) out.push('flush ruleset');
  out.push(...parsed.defines);
  let tmp = 0;
  for (const t of parsed.tables) {
    const T = `${t.family} ${t.name}`;
    out.push(rng.chance(0.2) ? `table ${T} {\n}` : `${rng.pick(['add', 'create'])} table ${T}`);
    if (rng.chance(0.15)) {
      const name = `tmp${tmp++}`;
      out.push(`add table ${t.family} ${name}`, `add chain ${t.family} ${name} c`, `delete table ${t.family} ${name}`);
    }
    // sets and maps, then every chain (rules refer to both), then the rules chain by chain in a random order
    for (const b of t.blocks.filter((x) => x.kind !== 'chain')) {
      out.push(`add ${b.kind} ${T} ${b.name} { ${b.decl.join('; ')}; }`);
      // (a set's elements in any order; a map's in theirs: we read a verdict map as one rule per element in the order
      // they are added, disjoint keys, so another order is the same verdicts in other model rules)
      const els = b.kind === 'map' ? [...b.elements] : rng.sample(b.elements, b.elements.length);
      while (els.length > 0) {
        const k = rng.int(1, Math.max(1, Math.ceil(els.length / 2)));
        out.push(`add element ${T} ${b.name} { ${els.splice(0, k).join(', ')} }`);
      }
    }
    const chains = t.blocks.filter((x) => x.kind === 'chain');
    // (in their order: base chains of one priority run in the reverse order of their creation)
    for (const c of chains) {
      const head = c.decl.length > 0 ? ` { ${c.decl[0]}; }` : '';
      out.push(`${rng.chance(0.2) ? 'create' : 'add'} chain ${T} ${c.name}${head}`);
    }
    if (rng.chance(0.2)) {
      const name = `scratch${tmp++}`;
      out.push(`add chain ${T} ${name}`, `add rule ${T} ${name} counter accept`, `flush chain ${T} ${name}`, `delete chain ${T} ${name}`);
    }
    for (const c of rng.sample(chains, chains.length)) buildChain(T, c.name, c.rules);
  }
  out.push('');
  return { seed, family, text: out.join('\n'), source };

  function buildChain(T: string, chain: string, rules: string[]): void {
    if (rules.length > 0 && rng.chance(0.15)) {
      // rules a flush takes away again
      out.push(`add rule ${T} ${chain} ${rng.pick(rules)}`, `flush chain ${T} ${chain}`);
    }
    const route = rng.weighted([
      ['append', 3],
      ['front', 1],
      ['index', 3],
    ] as const);
    if (route === 'append') for (const r of rules) out.push(`${rng.chance(0.5) ? 'add rule' : 'rule'} ${T} ${chain} ${r}`);
    else if (route === 'front') for (let k = rules.length - 1; k >= 0; k--) out.push(`insert rule ${T} ${chain} ${rules[k]}`);
    else {
      // each rule put in at its place among those already there, by index (after the rule at N, or before it)
      const cur: number[] = [];
      for (const k of rng.sample(
        rules.map((_, i) => i),
        rules.length,
      )) {
        const at = cur.filter((j) => j < k).length;
        if (cur.length === 0) out.push(`add rule ${T} ${chain} ${rules[k]}`);
        else if (at < cur.length && (at === 0 || rng.chance(0.5))) out.push(`insert rule ${T} ${chain} index ${at} ${rules[k]}`);
        else out.push(`add rule ${T} ${chain} index ${at - 1} ${rules[k]}`);
        cur.splice(at, 0, k);
      }
    }
  }
}
