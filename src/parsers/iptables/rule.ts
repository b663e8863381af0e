/**
 * One iptables rule specification (everything after `-A CHAIN`) → model matches
 * and a target. Shared by the save-format and the script readers.
 *
 * Options are resolved as iptables does: core options first, then the options of
 * the matches loaded so far (`-m x`, or implicitly by `-p tcp`), newest first;
 * an option no loaded match knows belongs to the newest unknown match (kept as
 * one opaque match with its whole text), else to the target.
 */
import { PLAIN_MODULES, plainValue } from './plain.js';
import { markOpOf, markTestOf } from './marks.js';
import {
  AddrSet,
  DOCUMENT_START,
  parseAddrRange,
  parseAddress,
  parseCidr,
  numSetOf,
  PORT_UNIVERSE,
  PROTO_UNIVERSE,
  protocolNumber,
  numSingle,
  IntervalSet,
  SYN_ONLY,
  tcpFlagList,
  tcpFlagsMasked,
  type Action,
  type CtState,
  type Family,
  type Match,
  type NumSet,
  type OpaqueMatch,
  type AddressMatch,
  type PortMatch,
  type ProtocolMatch,
  type Severity,
  type Span,
} from '../../model/index.js';
import { CONTINUE_TARGETS, HEADER_TARGETS, ICMP4_TYPES, ICMP6_TYPES, NAT_TARGETS, NOT_INVERTIBLE, PREFIX_TARGETS, rejectTypeKnown, SERVICES } from './names.js';
import { V4NetCache } from './netcache.js';
import type { ChainState, TableState } from './state.js';
import type { Tok } from './tokens.js';

export interface RuleContext {
  /** The table's family when known (script: per command; save: options.family, else undecided until the end). */
  family?: Family;
  /** The family of the tool that would read the file (`-4`/`-6` filtering), when `family` is undecided. */
  toolFamily?: Family;
  span(start: number, end: number): Span;
  diag(severity: Severity, code: string, message: string, start: number, end: number): void;
  /** Per-document caches (address and port texts repeat a lot in big dumps). */
  cache: ParseCache;
  /**
   * Called with every family a rule shows (save-mode family inference): `address` when it is an address's (`-s`,
   * `-d`, `--src-range`), which only that family's restore tool takes; else another sign of it (an ICMPv6 type).
   */
  sawFamily?(f: Family, address?: boolean): void;
}

export interface ParseCache {
  addr: Map<string, AddrSet | null>;
  ports: Map<string, NumSet | null>;
  multiports: Map<string, NumSet | null>;
  /** "NEW,ESTABLISHED" → states; a handful of spellings repeat in every dump. */
  ctstates: Map<string, CtState[]>;
  /**
   * One set per single port number written (`--dport 443`): rules share it (see singlePortSet). In pages of 256
   * ports, each made on first use: one array written at scattered indices up to 65535 became a dictionary
   * (a hash lookup per port read, 20-25 ms of a 100k-rule parse).
   */
  singlePorts: ((NumSet | undefined)[] | undefined)[];
  /** `lo:hi` port ranges of the fast path by (lo << 16) | hi, direct-mapped (RANGE_SLOTS slots, see portValue in fast.ts). */
  rangeKeys: Int32Array;
  rangeSets: (NumSet | undefined)[];
  /** IPv4 networks by v4CidrKey (fast path). */
  v4: V4NetCache;
  /** `-i eth0`: one names array per interface name, shared by the rules (matches are never mutated). */
  ifaceNames: Map<string, string[]>;
  /** Shared non-verdict and REJECT actions of the fast path, by target name / --reject-with value. */
  continueActions: Map<string, Action>;
  rejectActions: Map<string, Action>;
  /** The fast path's last REJECT --reject-with action. */
  lastReject?: Action & { kind: 'reject'; with: string };
  /**
   * The chains the fast path appended to, by a hash of their name (CHAIN_SLOTS slots, see chainAt in fast.ts), all of
   * table `chainsTable` while the state's chainEpoch was `chainsEpoch`.
   */
  chains: (ChainState | undefined)[];
  chainsTable: TableState | undefined;
  chainsEpoch: number;
  /**
   * Multiport lists (`22,1761:1768`) the fast path read, and their sets, by a hash of the text (LIST_SLOTS slots, see
   * portListSet in fast.ts): where the list is in the document's text (start, end; end 0: an empty slot), no key string.
   */
  listPlaces: Int32Array;
  listSets: (NumSet | undefined)[];
}

/** Repeated values (networks, port lists) hit the cache; unique ones must not pile up. */
export const CACHE_LIMIT = 4096;

export function newCache(): ParseCache {
  return { addr: new Map(), ports: new Map(), multiports: new Map(), ctstates: new Map(), singlePorts: new Array<(NumSet | undefined)[] | undefined>(256).fill(undefined), rangeKeys: new Int32Array(RANGE_SLOTS), rangeSets: new Array<NumSet | undefined>(RANGE_SLOTS).fill(undefined), v4: new V4NetCache(), ifaceNames: new Map(), continueActions: new Map(), rejectActions: new Map(), chains: new Array<ChainState | undefined>(CHAIN_SLOTS).fill(undefined), chainsTable: undefined, chainsEpoch: -1, listPlaces: new Int32Array(2 * LIST_SLOTS), listSets: new Array<NumSet | undefined>(LIST_SLOTS).fill(undefined), lastReject: undefined };
}

/** Slots of ParseCache.chains (a power of two; a dump has up to a few thousand chains). */
export const CHAIN_SLOTS = 4096;

/** Slots of ParseCache.rangeKeys / rangeSets (a power of two). */
export const RANGE_SLOTS = 4096;

/** Slots of ParseCache.listPlaces / listSets (a power of two). */
export const LIST_SLOTS = 1024;

/** The shared set of the single port p (0..65535). */
export function singlePortSet(p: number, cache: ParseCache): NumSet {
  const page = (cache.singlePorts[p >> 8] ??= new Array<NumSet | undefined>(256).fill(undefined));
  return (page[p & 255] ??= IntervalSet.range(p, p + 1));
}

/** A target whose meaning depends on the chains of the table: resolved once the table is complete. */
export interface ChainRef {
  kind: 'chain-ref';
  name: string;
  goto: boolean;
  text: string;
  span: Span;
}

export interface ParsedRule {
  /** One conjunction per combination of the comma lists in -s / -d (iptables adds one rule per pair). */
  variants: Match[][];
  action: Action | ChainRef;
  comment?: string;
  reportSpan?: Span;
  /** `-4` in ip6tables / `-6` in iptables: the tool skips the rule. */
  skip?: boolean;
  /** The protocol of a `-p` that is not negated (targetRefusal reads it). */
  proto?: number;
}

/**
 * Why iptables refuses target `name` in a chain of `table` on `hook` (undefined for a user chain) with `-p proto`,
 * or undefined. The kernel's xt_target `.table`, `.hooks` and `.proto` (RULE_APPEND: "Invalid argument"), and
 * iptables' own "The nat table is not intended for filtering"; checked with iptables-restore 1.8.9 (nf_tables) in a
 * network namespace. NAT and CT targets outside their table are targetTable's (fast.ts).
 */
export function targetRefusal(name: string, table: string, hook: string | undefined, proto: number | undefined): string | undefined {
  const onHooks = (hooks: readonly string[], what: string): string | undefined => hookRefusal(name, hook, hooks, what);
  switch (name) {
    case 'ACCEPT':
    case 'RETURN':
      return undefined;
    case 'DROP':
      return table === 'nat' ? 'the nat table is not intended for filtering: iptables inhibits DROP there' : undefined;
    case 'REJECT':
      return table === 'nat' || table === 'mangle' || table === 'raw' ? `REJECT is only valid in the filter table, not ${table}` : undefined;
    case 'DNAT':
    case 'REDIRECT':
      return table === 'nat' ? onHooks(['prerouting', 'output'], 'PREROUTING and OUTPUT') : undefined;
    case 'SNAT':
      return table === 'nat' ? onHooks(['postrouting', 'input'], 'POSTROUTING and INPUT') : undefined;
    case 'MASQUERADE':
      return table === 'nat' ? onHooks(['postrouting'], 'POSTROUTING') : undefined;
    case 'CLASSIFY':
      return onHooks(['output', 'forward', 'postrouting'], 'OUTPUT, FORWARD and POSTROUTING');
    case 'SYNPROXY':
      return proto !== 6 ? 'SYNPROXY needs -p tcp (not negated)' : onHooks(['input', 'forward'], 'INPUT and FORWARD');
    case 'TPROXY':
      if (table !== 'mangle') return `TPROXY is only valid in the mangle table, not ${table}`;
      return proto !== 6 && proto !== 17 ? 'TPROXY needs -p tcp or -p udp (not negated)' : onHooks(['prerouting'], 'PREROUTING');
    default:
      return undefined;
  }
}

function hookRefusal(name: string, hook: string | undefined, hooks: readonly string[], what: string): string | undefined {
  return hook !== undefined && !hooks.includes(hook) ? `${name} is only valid in ${what}, not ${hook.toUpperCase()}` : undefined;
}

/**
 * The options a match iptables does not evaluate here needs, as alternatives of option sets: iptables-restore 1.8.9
 * refuses the rule without one ("string: option \"--algo\" must be specified", "recent: you must specify one of
 * `--set', ...", checked in a network namespace). A file with such a rule loads nothing.
 */
const MODULE_NEEDS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  string: [['--algo', '--string'], ['--algo', '--hex-string']],
  hashlimit: [['--hashlimit-name', '--hashlimit-upto'], ['--hashlimit-name', '--hashlimit-above'], ['--hashlimit-name', '--hashlimit']],
  recent: [['--set'], ['--rcheck'], ['--update'], ['--remove']],
  connlimit: [['--connlimit-above'], ['--connlimit-upto']],
  cluster: [
    ['--cluster-total-nodes', '--cluster-local-node', '--cluster-hash-seed'],
    ['--cluster-total-nodes', '--cluster-local-nodemask', '--cluster-hash-seed'],
  ],
  connbytes: [['--connbytes', '--connbytes-dir', '--connbytes-mode']],
  connlabel: [['--label']],
  ecn: [['--ecn-tcp-cwr'], ['--ecn-tcp-ece'], ['--ecn-ip-ect']],
  ipvs: [['--ipvs'], ['--vproto'], ['--vaddr'], ['--vport'], ['--vdir'], ['--vmethod'], ['--vportctl']],
  nfacct: [['--nfacct-name']],
  osf: [['--genre']],
  realm: [['--realm']],
  mark: [['--mark']],
  connmark: [['--mark']],
  helper: [['--helper']],
  owner: [['--uid-owner'], ['--gid-owner'], ['--socket-exists']],
  tcpmss: [['--mss']],
  dscp: [['--dscp'], ['--dscp-class']],
  tos: [['--tos']],
  ttl: [['--ttl-eq'], ['--ttl-lt'], ['--ttl-gt']],
  hl: [['--hl-eq'], ['--hl-lt'], ['--hl-gt']],
  length: [['--length']],
  mac: [['--mac-source']],
  pkttype: [['--pkt-type']],
  quota: [['--quota']],
  cpu: [['--cpu']],
  u32: [['--u32']],
  bpf: [['--bytecode'], ['--object-pinned']],
  policy: [['--dir']],
  devgroup: [['--src-group'], ['--dst-group']],
  statistic: [['--mode', '--probability'], ['--mode', '--every', '--packet']],
  cgroup: [['--path'], ['--cgroup']],
  ipv6header: [['--header']],
  physdev: [['--physdev-in'], ['--physdev-out'], ['--physdev-is-in'], ['--physdev-is-out'], ['--physdev-is-bridged']],
};

/** libip6t_ipv6header's names of the headers it matches (its own and /etc/protocols'), and their numbers. */
const IPV6_HEADERS: ReadonlySet<string> = new Set([
  'hop', 'hop-by-hop', 'hopopt', 'dst', 'ipv6-opts', 'route', 'ipv6-route', 'frag', 'ipv6-frag', 'auth', 'ah', 'esp', 'none', 'ipv6-nonxt', 'prot', 'protocol',
]);
const IPV6_HEADER_NUMBERS: ReadonlySet<number> = new Set([0, 43, 44, 50, 51, 59, 60, 255]);

/**
 * The option words of a match's text (`-m recent ! --set --name X` → --set, --name). Quotes are removed as the shell
 * (and iptables-restore) removes them, so `-m connmark '--mark' 1` has --mark; a free text's value is no option
 * (`--comment "--mark 1"`, `--comment --mark`).
 */
function optionWords(text: string): Set<string> {
  const out = new Set<string>();
  let prev = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n')) i++;
    if (i >= n) break;
    let w = '';
    while (i < n && text[i] !== ' ' && text[i] !== '\t' && text[i] !== '\n') {
      const q = text[i]!;
      if (q === '"' || q === "'") {
        const close = text.indexOf(q, i + 1);
        const end = close < 0 ? n : close;
        w += text.slice(i + 1, end);
        i = end + 1;
      } else if (q === '\\' && i + 1 < n) {
        w += text[i + 1];
        i += 2;
      } else w += text[i++];
    }
    if (w.startsWith('--') && !FREE_TEXT.has(prev)) {
      const eq = w.indexOf('=');
      out.add(eq > 0 ? w.slice(0, eq) : w);
    }
    prev = w;
  }
  return out;
}

/** `-m recent --set ...` without `!` or another command: a match that always matches (the fast path leaves it to parseRuleSpec). */
export function recentAlwaysMatches(text: string): boolean {
  if (text.indexOf('--set') < 0 || text.indexOf('!') >= 0 || /[$`]/.test(text)) return false;
  const w = optionWords(text);
  return w.has('--set') && !w.has('--rcheck') && !w.has('--update') && !w.has('--remove') && !w.has('--seconds') && !w.has('--hitcount');
}

/**
 * Why iptables refuses match `module` (its whole text `-m name ...`) in a chain of `table` on `hook` (undefined: a
 * user chain), or undefined: a missing option (MODULE_NEEDS) or the kernel's .table/.hooks (rpfilter, socket, owner,
 * policy; RULE_APPEND "Invalid argument").
 */
export function matchRefusal(module: string, table: string, hook: string | undefined, text = ''): string | undefined {
  const needs = MODULE_NEEDS[module];
  // (a script's `$VAR` or `$(...)` may hold the option)
  if (needs && text !== '' && !/[$`]/.test(text)) {
    const words = optionWords(text);
    if (!needs.some((set) => set.every((o) => words.has(o)))) return `-m ${module} needs ${needs.map((set) => set.join(' ')).join(', or ')}`;
    if (module === 'policy' && hook !== undefined) {
      const dirOut = /--dir\s+out\b/.test(text);
      const hooks = dirOut ? ['forward', 'output', 'postrouting'] : ['prerouting', 'input', 'forward'];
      if (!hooks.includes(hook)) return `-m policy --dir ${dirOut ? 'out' : 'in'} is only valid in ${dirOut ? 'FORWARD, OUTPUT and POSTROUTING' : 'PREROUTING, INPUT and FORWARD'}, not ${hook.toUpperCase()}`;
    }
  }
  if (module === 'owner') return hook !== undefined && hook !== 'output' && hook !== 'postrouting' ? `-m owner is only valid in OUTPUT and POSTROUTING, not ${hook.toUpperCase()}` : undefined;
  if (module === 'rpfilter') {
    if (table !== 'raw' && table !== 'mangle') return `-m rpfilter is only valid in the raw and mangle tables, not ${table}`;
    return hook !== undefined && hook !== 'prerouting' ? `-m rpfilter is only valid in PREROUTING, not ${hook.toUpperCase()}` : undefined;
  }
  if (module === 'socket') return hook !== undefined && hook !== 'prerouting' && hook !== 'input' ? `-m socket is only valid in PREROUTING and INPUT, not ${hook.toUpperCase()}` : undefined;
  if (hook === undefined) return undefined;
  // tests of the interface a packet came in by, or leaves by, on hooks without one (the kernel's checkentry or .hooks:
  // RULE_APPEND "Invalid argument", iptables 1.8.9): xt_mac and xt_eui64 (the source MAC), xt_devgroup
  const inHook = hook === 'prerouting' || hook === 'input' || hook === 'forward';
  const outHook = hook === 'forward' || hook === 'output' || hook === 'postrouting';
  if ((module === 'mac' || module === 'eui64') && !inHook) return `-m ${module} is only valid in PREROUTING, INPUT and FORWARD, not ${hook.toUpperCase()}`;
  if (module === 'devgroup') {
    const words = optionWords(text);
    if (words.has('--src-group') && !inHook) return `-m devgroup --src-group is only valid in PREROUTING, INPUT and FORWARD, not ${hook.toUpperCase()}`;
    if (words.has('--dst-group') && !outHook) return `-m devgroup --dst-group is only valid in FORWARD, OUTPUT and POSTROUTING, not ${hook.toUpperCase()}`;
  }
  return undefined;
}

/** Core options iptables takes at most once per rule (iptables/xshared.c set_option: "multiple -%c flags not allowed"). */
const CORE_ONCE = new Map<string, number>(Object.entries({
  '-p': 1,
  '--protocol': 1,
  '-s': 2,
  '--source': 2,
  '--src': 2,
  '-d': 4,
  '--destination': 4,
  '--dst': 4,
  '-i': 8,
  '--in-interface': 8,
  '-o': 16,
  '--out-interface': 16,
  '-f': 32,
  '--fragment': 32,
}));
const ONCE_NAMES: Record<number, string> = { 1: '-p', 2: '-s', 4: '-d', 8: '-i', 16: '-o', 32: '-f' };

const CORE_ARITY = new Map<string, number>(Object.entries({
  '-p': 1,
  '--protocol': 1,
  '-s': 1,
  '--source': 1,
  '--src': 1,
  '-d': 1,
  '--destination': 1,
  '--dst': 1,
  '-i': 1,
  '--in-interface': 1,
  '-o': 1,
  '--out-interface': 1,
  '-j': 1,
  '--jump': 1,
  '-g': 1,
  '--goto': 1,
  '-m': 1,
  '--match': 1,
  '-f': 0,
  '--fragment': 0,
  '-c': 2,
  '--set-counters': 2,
  '-4': 0,
  '--ipv4': 0,
  '-6': 0,
  '--ipv6': 0,
}));

/** CORE_ARITY for the one-letter options, indexed by the letter's code (no string hashing on the hot path). */
const SHORT_ARITY: (number | undefined)[] = new Array<number | undefined>(128).fill(undefined);
for (const [k, v] of CORE_ARITY) if (k.length === 2) SHORT_ARITY[k.charCodeAt(1)] = v;

const PORT_OPTS = ['--dport', '--sport', '--destination-port', '--source-port'];
const MODULE_OPTIONS: Record<string, readonly string[]> = {
  tcp: [...PORT_OPTS, '--tcp-flags', '--syn', '--tcp-option'],
  udp: PORT_OPTS,
  sctp: [...PORT_OPTS, '--chunk-types'],
  dccp: [...PORT_OPTS, '--dccp-types', '--dccp-option'],
  multiport: ['--dports', '--sports', '--ports', '--destination-ports', '--source-ports'],
  conntrack: [
    '--ctstate',
    '--ctproto',
    '--ctorigsrc',
    '--ctorigdst',
    '--ctreplsrc',
    '--ctrepldst',
    '--ctorigsrcport',
    '--ctorigdstport',
    '--ctreplsrcport',
    '--ctrepldstport',
    '--ctstatus',
    '--ctexpire',
    '--ctdir',
  ],
  state: ['--state'],
  iprange: ['--src-range', '--dst-range'],
  addrtype: ['--src-type', '--dst-type', '--limit-iface-in', '--limit-iface-out'],
  comment: ['--comment'],
  set: [
    '--match-set',
    '--set',
    '--return-nomatch',
    '--update-counters',
    '--update-subcounters',
    '--packets-eq',
    '--packets-lt',
    '--packets-gt',
    '--bytes-eq',
    '--bytes-lt',
    '--bytes-gt',
  ],
  icmp: ['--icmp-type'],
  icmp6: ['--icmpv6-type'],
};
/**
 * The known matches that test nothing without an option of theirs, and which of their options iptables-restore 1.8.9
 * requires one of ("conntrack: At least one option is required", "state: option \"--state\" must be specified",
 * "multiport expection an option", "iprange match: You must specify `--src-range' or `--dst-range'", "addrtype: you
 * must specify --src-type or --dst-type", "comment: option \"--comment\" must be specified", "You must specify
 * `--match-set'"; checked in a network namespace): a file with such a rule loads nothing.
 */
const KNOWN_MODULE_NEEDS: Readonly<Record<string, readonly string[]>> = {
  conntrack: MODULE_OPTIONS.conntrack!,
  state: ['--state'],
  multiport: ['--dports', '--sports', '--ports'],
  iprange: ['--src-range', '--dst-range'],
  addrtype: ['--src-type', '--dst-type'],
  comment: ['--comment'],
  set: ['--match-set', '--set'],
};
const MODULE_OPTION_SETS: Record<string, Set<string>> = Object.fromEntries(Object.entries(MODULE_OPTIONS).map(([k, v]) => [k, new Set(v)]));
const KNOWN_MODULES = new Map<string, Set<string>>(Object.entries(MODULE_OPTION_SETS));
/** Every option of a known match (the fast path leaves such options to the general reader). */
const KNOWN_MODULE_OPTIONS = new Set(Object.values(MODULE_OPTIONS).flat());

const CORE_LONG_OPTIONS = [...CORE_ARITY.keys()].filter((k) => k.startsWith('--'));

/**
 * The known loaded match whose option `opt` abbreviates, as getopt_long reads iptables' merged option table: only
 * when every option it begins (core options included) is one of that match's, all aliases of one option
 * (multiport --dports/--destination-ports share one id); none when it is ambiguous or no option begins with it.
 */
function abbreviatedOption(modules: readonly ModuleInstance[], opt: string): { mod: ModuleInstance; name: string } | undefined {
  if (CORE_LONG_OPTIONS.some((k) => k.startsWith(opt))) return undefined;
  let found: { mod: ModuleInstance; name: string } | undefined;
  // newest first: a match loaded twice (-m multiport … -m multiport …) gives the option to its newest instance
  for (let k = modules.length - 1; k >= 0; k--) {
    const mod = modules[k]!;
    if (!mod.known) continue;
    for (const name of MODULE_OPTIONS[mod.name]!) {
      if (!name.startsWith(opt)) continue;
      if (found && (found.mod.name !== mod.name || found.name !== (OPTION_ALIAS[name] ?? name))) return undefined;
      found ??= { mod, name: OPTION_ALIAS[name] ?? name };
    }
  }
  return found;
}

/**
 * iptables' own long options, getopt_long's table before any match is loaded (iptables 1.8.9 original_opts), each with
 * the option of a rule specification it is (as CORE_ARITY names it), or none for a command option.
 */
const GETOPT_CORE: readonly (readonly [string, string?])[] = [
  ['append'], ['delete'], ['check'], ['insert'], ['replace'], ['list'], ['list-rules'], ['flush'], ['zero'], ['new-chain'],
  ['delete-chain'], ['rename-chain'], ['policy'], ['source', '--source'], ['destination', '--destination'], ['src', '--source'],
  ['dst', '--destination'], ['protocol', '--protocol'], ['in-interface', '--in-interface'], ['jump', '--jump'], ['table'],
  ['match', '--match'], ['numeric'], ['out-interface', '--out-interface'], ['verbose'], ['wait'], ['wait-interval'], ['exact'],
  ['fragments', '--fragment'], ['version'], ['help'], ['line-numbers'], ['modprobe'], ['set-counters', '--set-counters'],
  ['goto', '--goto'], ['ipv4', '--ipv4'], ['ipv6', '--ipv6'],
];

/**
 * The rule option `opt` abbreviates among iptables' own (`--proto` → --protocol, `--sou` → --source; `--s` is
 * --source, --src or --set-counters: ambiguous, "unknown option", iptables-restore 1.8.9), and how many of them begin so.
 */
function coreAbbreviation(opt: string): { option?: string; candidates: number } {
  const p = opt.slice(2);
  const ids = new Set<string>();
  let candidates = 0;
  for (const [name, option] of GETOPT_CORE) {
    if (!name.startsWith(p)) continue;
    candidates++;
    ids.add(option ?? `-${name}`);
  }
  const only = ids.size === 1 ? [...ids][0]! : undefined;
  return only !== undefined && only.startsWith('--') ? { option: only, candidates } : { candidates };
}

/** The option of the protocol's match (`-p tcp`: tcp) `opt` abbreviates, one option however many spellings begin so. */
function implicitAbbreviation(module: string, opt: string): string | undefined {
  let found: string | undefined;
  for (const name of MODULE_OPTIONS[module]!) {
    if (!name.startsWith(opt)) continue;
    const one = OPTION_ALIAS[name] ?? name;
    if (found !== undefined && found !== one) return undefined;
    found = one;
  }
  return found;
}

/** Long options that are another spelling of one option (one getopt id): their one name here. */
const OPTION_ALIAS: Record<string, string> = {
  '--dports': '--dports',
  '--destination-ports': '--dports',
  '--sports': '--sports',
  '--source-ports': '--sports',
  '--dport': '--dport',
  '--destination-port': '--dport',
  '--sport': '--sport',
  '--source-port': '--sport',
};

/** A match the general reader reads itself (the fast path leaves its lines to it), or one iptables refuses (udplite). */
export function isKnownModule(name: string): boolean {
  return KNOWN_MODULES.has(name) || name === 'udplite' || name === 'rpfilter' || name === 'socket';
}

export function isKnownModuleOption(opt: string): boolean {
  return KNOWN_MODULE_OPTIONS.has(opt);
}

export function isFlagOption(opt: string): boolean {
  return FLAG_OPTIONS.has(opt);
}

/** Options (of known matches and targets) that take no argument. */
const FLAG_OPTIONS = new Set([
  '--syn',
  '--limit-iface-in',
  '--limit-iface-out',
  '--return-nomatch',
  '--update-counters',
  '--update-subcounters',
  '--log-tcp-sequence',
  '--log-tcp-options',
  '--log-ip-options',
  '--log-uid',
  '--log-macdecode',
  '--random',
  '--random-fully',
  '--persistent',
  '--queue-bypass',
  '--fail-open',
  '--queue-cpu-fanout',
  '--notrack',
  '--clamp-mss-to-pmtu',
  '--checksum-fill',
  '--save-mark',
  '--restore-mark',
  '--rcheck',
  '--update',
  '--remove',
  '--rsource',
  '--rdest',
  '--rttl',
  '--reap',
  '--connlimit-saddr',
  '--connlimit-daddr',
  '--physdev-is-in',
  '--physdev-is-out',
  '--physdev-is-bridged',
  '--transparent',
  '--nowildcard',
  '--restore',
  '--exist',
]);

function moduleName(raw: string): string {
  const m = raw.toLowerCase();
  if (m === 'icmpv6' || m === 'ipv6-icmp' || m === 'icmp6') return 'icmp6';
  return m;
}

/** Implicit match loaded by `-p proto`. */
function protoModule(n: number): string | undefined {
  switch (n) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 132:
      return 'sctp';
    case 33:
      return 'dccp';
    case 1:
      return 'icmp';
    case 58:
      return 'icmp6';
    default:
      return undefined;
  }
}

/** Options whose value is any text (getopt hands them a `!` as their value). */
const FREE_TEXT = new Set(['--comment', '--log-prefix', '--nflog-prefix']);

/**
 * Whether a word is an option for getopt. Quoting plays no part: the shell, and iptables-restore's own tokenizer, remove
 * the quotes before iptables reads its argv (`"-i" eth0` and `"!" -s 10.0.0.1` load as `-i eth0` and `! -s 10.0.0.1`).
 */
function isOptionToken(t: Tok): boolean {
  if (t.unknown) return false;
  const s = t.text;
  if (s.length < 2 || s.charCodeAt(0) !== 45 /* - */) return false;
  const c = s.charCodeAt(1);
  if (s === '-4' || s === '-6') return true;
  return !(c >= 48 && c <= 57); // "-1" is a value
}

/**
 * "NEW,ESTABLISHED" → states, or undefined when a name is bad or the list is empty (`nat` false: -m state's list,
 * which has no SNAT or DNAT).
 * Rules with the same spelling share one array (matches are never mutated).
 */
export function ctStates(text: string, ctx: RuleContext, nat = true): CtState[] | undefined {
  const known = ctx.cache.ctstates.get(text);
  if (known) return nat || !(known.includes('snat') || known.includes('dnat')) ? known : undefined;
  const states: CtState[] = [];
  for (const part of text.split(',')) {
    const s = CT_STATE_NAMES[part.trim().toUpperCase()];
    if (!s) return undefined;
    if (!states.includes(s)) states.push(s);
  }
  if (states.length === 0) return undefined;
  if (ctx.cache.ctstates.size < 256) ctx.cache.ctstates.set(text, states);
  // -m state knows no SNAT or DNAT (libxt_state: 'Bad state "DNAT"'; they are -m conntrack --ctstate's)
  return nat || !(states.includes('snat') || states.includes('dnat')) ? states : undefined;
}

const CT_STATE_NAMES: Record<string, CtState> = {
  NEW: 'new',
  ESTABLISHED: 'established',
  RELATED: 'related',
  INVALID: 'invalid',
  UNTRACKED: 'untracked',
  SNAT: 'snat',
  DNAT: 'dnat',
};

interface ModuleInstance {
  name: string;
  known: boolean;
  /** For unknown modules: the one opaque match that collects all of its options. */
  opaque?: OpaqueMatch;
  start: number;
  /** Loaded by `-m name` (not implied by `-p`): where that text ends. */
  end?: number;
  /** addrtype: the type tests read so far (index in the rule's matches, option text), and where --limit-iface-in/out starts. */
  types?: { at: number; start: number; end: number; negated: boolean }[];
  limitIface?: { start: number; end: number; opt: string };
  /** multiport: the port list option it has (it takes one: iptables refuses a second). */
  listOpt?: string;
  /** multiport: its port list came before a fitting -p (refused then and there). */
  early?: boolean;
  /** The options of ONCE_OPTIONS given to this instance (by their ONCE_OPTIONS name). */
  seen?: string[];
  /** icmp / icmp6: an --icmp-type / --icmpv6-type was given (iptables requires one). */
  typed?: boolean;
  /** The options given to this known match (their one name, OPTION_ALIAS). */
  given?: Set<string>;
  /** conntrack: its original-tuple and direction tests (CtOriginalMatch.untrackedPasses when it also tests --ctstate). */
  ctOriginal?: Match[];
}

/**
 * Options one match instance takes once (libxtables: "option "--destination-port" can only be used once", libxt_tcp
 * "Only one `--destination-port' allowed", "Only one of `--syn' or `--tcp-flags' allowed"): iptables-restore 1.8.9
 * refuses the file. A second test needs a match of its own (`-m tcp --dport 1 -m tcp --dport 2`, which loads).
 */
const ONCE_OPTIONS: Readonly<Record<string, string>> = {
  '--dport': '--destination-port',
  '--destination-port': '--destination-port',
  '--sport': '--source-port',
  '--source-port': '--source-port',
  '--syn': '--syn or --tcp-flags',
  '--tcp-flags': '--syn or --tcp-flags',
  '--icmp-type': '--icmp-type',
  '--icmpv6-type': '--icmpv6-type',
  '--comment': '--comment',
};

/**
 * The protocols (`-p`) a match loaded by `-m` needs: iptables refuses the rule otherwise ("TCP match requires
 * '-p tcp'", "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP"; the kernel's checkentry for legacy).
 * iptables-nft 1.8 takes `! -p tcp -m tcp` and `! -p udp -m udp` (checked in a network namespace), not the others.
 */
const MODULE_PROTOCOLS: Readonly<Record<string, readonly number[]>> = {
  tcp: [6],
  udp: [17],
  icmp: [1],
  icmp6: [58],
  multiport: [6, 17, 132, 33, 136],
  // the kernel's xt_match .proto (checked for `-m sctp`/`-m dccp` by RULE_APPEND: "Invalid argument")
  sctp: [132],
  dccp: [33],
};

/** Parses the rule specification in `toks[from..]`. Never throws. */
export function parseRuleSpec(toks: Tok[], from: number, ctx: RuleContext, text: string): ParsedRule {
  // A scratch list (an empty array grows to 17 slots on its first push): the rule keeps an exact-size copy.
  const matches = MATCHES;
  matches.length = 0;
  let srcAlts: Match[] | undefined;
  let dstAlts: Match[] | undefined;
  let action: Action | ChainRef = { kind: 'continue', target: '' };
  let targetName: string | undefined;
  let targetStart = -1;
  let targetEnd = -1;
  let refStart = -1;
  let refEnd = -1;
  const targetArgs: { opt: Tok; args: Tok[] }[] = [];
  let comment: string | undefined;
  let reportSpan: Span | undefined;
  let skip = false;
  /** A match of the other family's program was loaded (said once: its options say nothing more). */
  let wrongModule = false;
  const modules: ModuleInstance[] = [];
  let modulesAtTarget = 0;
  let protoNum: number | undefined;
  /** The -p protocol, negated or not. */
  let protoAny: number | undefined;
  let protoUnknown = false;
  /** Bits of CORE_ONCE given so far. */
  let coreSeen = 0;
  /** The first negated -s/-d. */
  let negAddrStart = -1;
  let negAddrEnd = -1;
  const n = toks.length;

  const slice = (a: number, b: number): string => text.slice(a, b);
  const opaque = (module: string, start: number, end: number, reason: string, negated = false): OpaqueMatch => {
    const m: OpaqueMatch = { kind: 'opaque', module, text: slice(start, end), reason, span: ctx.span(start, end) };
    if (negated) m.negated = true;
    return m;
  };
  const unknownArg = (t: Tok): Tok | undefined => (t.unknown ? t : undefined);

  let i = from;
  while (i < n) {
    const first = toks[i]!;
    let negated = false;
    let optIdx = i;
    if (first.text === '!' && !first.unknown) {
      negated = true;
      optIdx = i + 1;
      if (optIdx >= n) {
        ctx.diag('error', 'iptables/dangling-negation', '"!" must be followed by an option', first.start, first.end);
        break;
      }
    }
    const optTok = toks[optIdx]!;
    const mStart = first.start;
    if (optTok.unknown) {
      // e.g. `$OPTS` expanding to options we cannot see: keep the rule, undecidable here.
      matches.push(opaque('unresolved', optTok.start, optTok.end, optTok.unknown, negated));
      ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate ${slice(optTok.start, optTok.end)}: ${optTok.unknown}`, optTok.start, optTok.end);
      i = optIdx + 1;
      continue;
    }
    // (`--comment="allow ssh"`, `"--comment=allow ssh"`: the quotes are removed before getopt_long reads the word, an
    // option with its argument: iptables-restore 1.8.9 and a shell alike load both)
    if (!isOptionToken(optTok)) {
      ctx.diag('error', 'iptables/unexpected-argument', `Unexpected argument "${optTok.text}"`, optTok.start, optTok.end);
      i = optIdx + 1;
      continue;
    }
    let opt = optTok.text;
    let inlineArg: Tok | undefined;
    const eq = opt.startsWith('--') ? opt.indexOf('=') : -1;
    if (eq > 0) {
      inlineArg = { text: opt.slice(eq + 1), start: optTok.start + eq + 1, end: optTok.end };
      opt = opt.slice(0, eq);
    }
    if (inlineArg && CORE_ARITY.has(opt)) {
      // iptables parses its own options without "=": `--source=10.0.0.0/8` is refused ("unknown protocol
      // "--protocol=tcp" specified"); match options (--dport=22, --comment=x) take it
      ctx.diag('error', 'iptables/inline-argument', `iptables refuses ${opt}=${inlineArg.text}: write ${opt} ${inlineArg.text}`, optTok.start, optTok.end);
    }

    // Arguments: fixed arity for core and known options, otherwise every following non-option.
    let arity = opt.length === 2 ? SHORT_ARITY[opt.charCodeAt(1) & 127] : CORE_ARITY.get(opt);
    // getopt_long takes an unambiguous prefix of iptables' own options first (`--proto tcp`, `--sou 10.0.0.1`, `--j`);
    // then, none of them beginning so, of the protocol's match it loads on demand (`-p tcp --dp 22`): below
    let coreCandidates = 0;
    if (arity === undefined && opt.length > 2 && opt.startsWith('--') && !inlineArg && targetName === undefined && modules.every((m) => m.known)) {
      const core = coreAbbreviation(opt);
      coreCandidates = core.candidates;
      if (core.option && !modules.some((m) => MODULE_OPTIONS[m.name]!.some((o) => o.startsWith(opt)))) {
        opt = core.option;
        arity = CORE_ARITY.get(opt);
      }
    }
    let owner: ModuleInstance | undefined;
    let isTargetOpt = false;
    if (arity === undefined) {
      for (let k = modules.length - 1; k >= 0; k--) {
        const mod = modules[k]!;
        if (mod.known && KNOWN_MODULES.get(mod.name)!.has(opt)) {
          owner = mod;
          break;
        }
      }
      if (!owner && opt.length > 3 && opt.startsWith('--') && targetName === undefined && modules.every((m) => m.known)) {
        // getopt_long takes an unambiguous prefix of an option of the matches loaded so far:
        // `-p tcp -m multiport --dport 80,443` is multiport's --dports (iptables-save lists it so). Not
        // with a match or target loaded whose options are not known here: one of them may be the exact one
        const abbrev = abbreviatedOption(modules, opt);
        if (abbrev) {
          owner = abbrev.mod;
          opt = abbrev.name;
        }
      }
      if (!owner) {
        const implicit = protoNum !== undefined ? protoModule(protoNum) : undefined;
        const prefixed = implicit && coreCandidates === 0 && !KNOWN_MODULES.get(implicit)!.has(opt) && opt.length > 2 && targetName === undefined && modules.every((m) => m.known) ? implicitAbbreviation(implicit, opt) : undefined;
        if (prefixed) opt = prefixed;
        if (implicit && KNOWN_MODULES.get(implicit)!.has(opt)) {
          owner = { name: implicit, known: true, start: optTok.start };
          modules.push(owner);
        } else if (protoUnknown && (MODULE_OPTION_SETS.tcp!.has(opt) || opt === '--icmp-type' || opt === '--icmpv6-type')) {
          owner = { name: opt === '--icmp-type' ? 'icmp' : opt === '--icmpv6-type' ? 'icmp6' : 'tcp', known: true, start: optTok.start };
          modules.push(owner);
        }
      }
      if (!owner) {
        // after -j, only matches loaded after it may claim unknown options: the rest are the target's
        const floor = targetName === undefined ? 0 : modulesAtTarget;
        for (let k = modules.length - 1; k >= floor; k--) {
          if (!modules[k]!.known) {
            owner = modules[k];
            break;
          }
        }
      }
      if (!owner && targetName !== undefined) isTargetOpt = true;
      // `--set NAME FLAGS` is ipset's old spelling of --match-set; `-m recent --set` takes no argument (reading two
      // there swallowed `-j ACCEPT` after it). sctp `--chunk-types any|all|only CHUNKS` takes two.
      if (opt === '--tcp-flags' || opt === '--match-set' || opt === '--chunk-types' || (opt === '--set' && owner?.name === 'set')) arity = 2;
      else if (FLAG_OPTIONS.has(opt)) arity = 0;
      else if (owner?.known || opt === '--comment' || opt === '--log-prefix' || opt === '--reject-with' || opt === '--to-destination' || opt === '--to-source' || opt === '--to-ports' || opt === '--to')
        arity = 1;
    }
    // Only the first and the last argument are read: no array per option.
    let a0: Tok | undefined;
    let lastArg: Tok | undefined;
    let j = optIdx + 1;
    if (inlineArg) {
      a0 = lastArg = inlineArg;
      if (arity !== undefined) arity--;
    }
    if (arity !== undefined) {
      // Old syntax `-s ! addr` (iptables < 1.4.3); iptables 1.8 rejects it. (getopt takes the `!` as the option's value,
      // which a free text takes: `--comment !` and `--log-prefix "!"` load)
      if (arity > 0 && j < n && toks[j]!.text === '!' && !toks[j]!.unknown && !FREE_TEXT.has(opt)) {
        ctx.diag('error', 'iptables/old-negation', `Old-style negation "${opt} ! value" is rejected by iptables 1.4.3 and later; write "! ${opt} value"`, toks[j]!.start, toks[j]!.end);
        negated = !negated;
        j++;
      }
      for (let a = 0; a < arity; a++) {
        if (j >= n) {
          ctx.diag('error', 'iptables/missing-argument', `Option ${opt} needs an argument`, optTok.start, optTok.end);
          break;
        }
        lastArg = toks[j]!;
        a0 ??= lastArg;
        j++;
      }
    } else {
      while (j < n && !isOptionToken(toks[j]!) && !(toks[j]!.text === '!' && !toks[j]!.unknown)) {
        lastArg = toks[j]!;
        a0 ??= lastArg;
        j++;
      }
    }
    const mEnd = lastArg !== undefined ? lastArg.end : optTok.end;
    i = j;

    // iptables refuses a core option given twice ("multiple -p flags not allowed"), negated or not
    const once = CORE_ONCE.get(opt);
    if (once !== undefined) {
      if (coreSeen & once) ctx.diag('error', 'iptables/duplicate-option', `multiple ${ONCE_NAMES[once]} flags not allowed: iptables refuses the rule`, mStart, mEnd);
      coreSeen |= once;
    }

    // ---------------------------------------------------------------- core options
    switch (opt) {
      case '-p':
      case '--protocol': {
        if (!a0) break;
        if (unknownArg(a0)) {
          matches.push(opaque('protocol', mStart, mEnd, a0.unknown!, negated));
          protoUnknown = true;
          break;
        }
        const name = a0.text.toLowerCase();
        const num = cachedProtocolNumber(name);
        // protocol 0 is every protocol to iptables, however written: `-p all`, `-p 0`, `-p 0x0`, and the names
        // /etc/protocols gives 0 (`ip`, `hopopt`): iptables-save 1.8.9 lists `-A INPUT -p hopopt -j DROP` as
        // `-A INPUT -j DROP`, and the kernel drops TCP with it
        if (num === 0) {
          // iptables and ip6tables 1.8.9 refuse it: "rule would never match protocol" (the file loads nothing)
          if (negated) ctx.diag('error', 'iptables/never-matches', `"${slice(mStart, mEnd)}": iptables refuses the rule (rule would never match protocol)`, mStart, mEnd);
          if (negated) matches.push({ kind: 'protocol', protocols: IntervalSet.range(0, 256), negated: true, span: ctx.span(mStart, mEnd) });
          break;
        }
        if (num === undefined) {
          ctx.diag('error', 'iptables/unknown-protocol', `Unknown protocol "${a0.text}"`, a0.start, a0.end);
          matches.push(opaque('protocol', mStart, mEnd, `unknown protocol "${a0.text}"`, negated));
          protoUnknown = true;
          break;
        }
        if (num === 58 || name === 'icmpv6' || name === 'ipv6-icmp') ctx.sawFamily?.('ipv6');
        const protocols = PROTO_SETS[num] ?? (PROTO_SETS[num] = numSingle(num));
        const span = ctx.span(mStart, mEnd);
        const pm: Match = negated ? { kind: 'protocol', protocols, span, negated } : { kind: 'protocol', protocols, span };
        if (!negated) protoNum = num;
        protoAny = num;
        matches.push(pm);
        continue;
      }
      case '-s':
      case '--source':
      case '--src':
      case '-d':
      case '--destination':
      case '--dst': {
        if (!a0) break;
        const dir = opt === '-s' || opt === '--source' || opt === '--src' ? 'src' : 'dst';
        const alts = addressAlternatives(a0, dir, negated, mStart, mEnd, ctx, slice);
        if (alts === 'all') break;
        if (negated && negAddrStart < 0) {
          negAddrStart = mStart;
          negAddrEnd = mEnd;
        }
        if (alts.length === 1) matches.push(alts[0]!);
        else if (dir === 'src') srcAlts = alts;
        else dstAlts = alts;
        continue;
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        if (!a0) break;
        const dir = opt === '-i' || opt === '--in-interface' ? 'in' : 'out';
        if (a0.unknown) {
          matches.push(opaque('interface', mStart, mEnd, a0.unknown, negated));
          break;
        }
        const im: Match = { kind: 'interface', dir, names: [a0.text], span: ctx.span(mStart, mEnd) };
        if (negated) im.negated = true;
        matches.push(im);
        continue;
      }
      case '-f':
      case '--fragment': {
        // ip6tables 1.8.9: "`-f' is not supported in IPv6, use -m frag instead" (a script's ip6tables command)
        if (programFamily(ctx) === 'ipv6') ctx.diag('error', 'iptables/wrong-family', "ip6tables has no -f (not supported in IPv6, use -m frag instead): ip6tables refuses the rule", mStart, mEnd);
        const fm: Match = { kind: 'fragment', span: ctx.span(mStart, mEnd) };
        if (negated) fm.negated = true;
        matches.push(fm);
        continue;
      }
      case '-c':
      case '--set-counters':
        continue;
      case '-4':
      case '--ipv4':
        if ((ctx.toolFamily ?? ctx.family) === 'ipv6') skip = true;
        continue;
      case '-6':
      case '--ipv6':
        if ((ctx.toolFamily ?? ctx.family) !== 'ipv6') skip = true;
        continue;
      case '-m':
      case '--match': {
        if (!a0) break;
        if (negated) ctx.diag('error', 'iptables/negated-match', '"!" cannot be applied to -m', first.start, first.end);
        if (a0.unknown) {
          const op = opaque('unresolved', mStart, mEnd, a0.unknown);
          matches.push(op);
          modules.push({ name: 'unresolved', known: false, opaque: op, start: mStart });
          continue;
        }
        const name = moduleName(a0.text);
        if (IPV6_ONLY_MODULES.has(name)) ctx.sawFamily?.('ipv6');
        // match names are lower case: `-m STATE`, `-m TCP` load nothing ("Couldn't load match `STATE'", iptables 1.8.9)
        if (name !== a0.text && a0.text !== a0.text.toLowerCase()) ctx.diag('error', 'iptables/unknown-match', `Couldn't load match \`${a0.text}' (match names are lower case: ${a0.text.toLowerCase()}): iptables refuses the rule`, a0.start, a0.end);
        // `-p udplite` loads no port match and iptables ships none ("Couldn't load match `udplite'")
        if (name === 'udplite') ctx.diag('error', 'iptables/unknown-match', "iptables has no udplite match (Couldn't load match `udplite'): iptables refuses the rule", a0.start, a0.end);
        // a match of the other family's program (`iptables -m hl`, `ip6tables -m ttl`): "Couldn't load match"
        const prog = programFamily(ctx);
        if ((prog === 'ipv4' && (IPV6_ONLY_MODULES.has(name) || name === 'icmp6')) || (prog === 'ipv6' && IPV4_ONLY_MODULES.has(name))) {
          wrongModule = true;
          ctx.diag('error', 'iptables/unknown-match', `${prog === 'ipv4' ? 'iptables' : 'ip6tables'} has no ${name} match (Couldn't load match \`${name}'): it refuses the rule`, a0.start, a0.end);
        }
        if (KNOWN_MODULES.has(name)) {
          modules.push({ name, known: true, start: mStart, end: mEnd });
        } else {
          const op = opaque(name, mStart, mEnd, opaqueReason(name));
          matches.push(op);
          modules.push({ name, known: false, opaque: op, start: mStart });
        }
        continue;
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        if (!a0) break;
        if (targetName !== undefined) ctx.diag('error', 'iptables/multiple-targets', 'Only one target (-j/-g) is allowed per rule', mStart, mEnd);
        targetName = a0.unknown ? '' : a0.text;
        modulesAtTarget = modules.length;
        targetStart = mStart;
        targetEnd = mEnd;
        if (a0.unknown) {
          action = { kind: 'unknown', target: slice(a0.start, a0.end), text: slice(mStart, mEnd) };
          ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate target ${slice(a0.start, a0.end)}: ${a0.unknown}`, a0.start, a0.end);
        } else {
          // the span is made only if the target stays a chain reference (not for ACCEPT, DROP, ...)
          action = { kind: 'chain-ref', name: a0.text, goto: opt === '-g' || opt === '--goto', text: '', span: DOCUMENT_START };
          refStart = mStart;
          refEnd = mEnd;
        }
        continue;
      }
    }
    if (CORE_ARITY.has(opt)) continue; // core option with a missing argument (diagnosed)

    // ---------------------------------------------------------------- target options
    if (isTargetOpt) {
      targetArgs.push({ opt: { ...optTok, text: opt }, args: a0 ? [a0] : [] });
      targetEnd = Math.max(targetEnd, mEnd);
      continue;
    }
    if (!owner) {
      ctx.diag('error', 'iptables/unknown-option', `Unknown option "${opt}"`, optTok.start, optTok.end);
      matches.push(opaque('unknown', mStart, mEnd, `unknown option ${opt}`, negated));
      continue;
    }
    if (owner.name === 'ipv6header' && opt === '--header' && a0 && !a0.unknown) {
      // libip6t_ipv6header: each item is an extension header's name or number (a protocol's, tcp or ipv6-icmp, is
      // "unknown header `6' specified": ip6tables-restore 1.8.9 refuses the rule and the file)
      const bad = a0.text.split(',').find((h) => !IPV6_HEADERS.has(h) && !IPV6_HEADER_NUMBERS.has(strtouiBase0(h, 255)));
      if (bad !== undefined) ctx.diag('error', 'iptables/bad-ipv6-header', `Unknown IPv6 extension header "${bad}" (hop, dst, route, frag, auth, esp, none, prot, or 0, 60, 43, 44, 51, 50, 59, 255): ip6tables refuses the rule`, a0.start, a0.end);
    }
    if (negated && NOT_INVERTIBLE[owner.name]?.includes(opt))
      ctx.diag('error', 'iptables/not-invertible', `${owner.name}: option "${opt}" cannot be inverted: iptables refuses the rule`, first.start, first.end);
    if (!owner.known) {
      const op = owner.opaque!;
      const end = Math.max(mEnd, op.span!.end.offset);
      op.text = slice(owner.start, end);
      op.span = ctx.span(owner.start, end);
      continue;
    }

    // ---------------------------------------------------------------- known match options
    (owner.given ??= new Set()).add(OPTION_ALIAS[opt] ?? opt);
    const onceName = ONCE_OPTIONS[opt];
    if (onceName !== undefined) {
      if (owner.seen?.includes(onceName))
        ctx.diag('error', 'iptables/duplicate-option', `Only one ${onceName} in one -m ${owner.name}: iptables refuses the rule (a second test needs a -m ${owner.name} of its own)`, mStart, mEnd);
      else (owner.seen ??= []).push(onceName);
    }
    if (opt === '--icmp-type' || opt === '--icmpv6-type') owner.typed = true;
    if (a0?.unknown && opt === '--comment') {
      // a comment decides nothing: its value as written, no undecidable match
      comment = comment === undefined ? slice(a0.start, a0.end) : `${comment} ${slice(a0.start, a0.end)}`;
      continue;
    }
    if (a0?.unknown) {
      matches.push(opaque(owner.name, mStart, mEnd, a0.unknown, negated));
      ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate ${slice(a0.start, a0.end)}: ${a0.unknown}`, a0.start, a0.end);
      continue;
    }
    switch (opt) {
      case '--dport':
      case '--destination-port':
      case '--sport':
      case '--source-port': {
        if (!a0) break;
        const dir = opt === '--dport' || opt === '--destination-port' ? 'dst' : 'src';
        const ports = parsePortSpec(a0.text, a0.start, a0.end, false, ctx, owner.name === 'tcp' || owner.name === 'sctp' ? owner.name : undefined, owner.name === 'tcp' || owner.name === 'sctp');
        if (!ports) {
          matches.push(opaque('port', mStart, mEnd, `invalid port "${a0.text}"`, negated));
          break;
        }
        if (negated && (owner.name === 'tcp' || owner.name === 'udp') && ports.equals(PORT_UNIVERSE)) {
          // iptables-nft 1.8.9 writes no test for a tcp/udp range of every port, `!` or not (iptables-save lists
          // `! --dport 0:65535` as nothing: the rule takes every port; checked in a network namespace), while
          // iptables-legacy's xt_tcpudp matches no port: which one loaded the file is not in it
          ctx.diag('warning', 'iptables/backends-differ', `"! ${opt} ${a0.text}" is left out by iptables-nft (the rule takes every port) and matches no port with iptables-legacy: undecided`, mStart, mEnd);
          matches.push(opaque('port', mStart, mEnd, 'iptables-nft leaves out a negated range of every port, iptables-legacy matches none', false));
          if (dir === 'dst' && !reportSpan) reportSpan = ctx.span(mStart, mEnd);
          break;
        }
        const span = ctx.span(mStart, mEnd);
        const pm: Match = negated ? { kind: 'port', dir, ports, span, negated } : { kind: 'port', dir, ports, span };
        matches.push(pm);
        // the destination port is what a rule opens; the first one is reported
        if (dir === 'dst' && !reportSpan) reportSpan = pm.span;
        break;
      }
      case '--dports':
      case '--destination-ports':
      case '--sports':
      case '--source-ports':
      case '--ports': {
        if (!a0) break;
        // one multiport match takes one list (libxt_multiport: "option "--source-ports" cannot be used together with
        // "--destination-ports"", "can only be used once"): iptables-restore refuses the file
        const listName = opt === '--ports' ? '--ports' : opt === '--dports' || opt === '--destination-ports' ? '--dports' : '--sports';
        if (owner.listOpt !== undefined)
          ctx.diag('error', 'iptables/duplicate-option', `multiport takes one port list: ${listName} after ${owner.listOpt} is refused by iptables (use a second -m multiport)`, mStart, mEnd);
        owner.listOpt = listName;
        // libxt_multiport checks the protocol when it reads the list (check_proto on the -p read so far): a -p written
        // after it is too late ("multiport needs `-p tcp', …", iptables-restore 1.8.9 refuses the file)
        if (!protoUnknown && owner.end !== undefined && (protoNum === undefined || !MODULE_PROTOCOLS.multiport!.includes(protoNum))) {
          owner.early = true;
          ctx.diag('error', 'iptables/match-protocol', `-m multiport needs -p tcp, udp, sctp, dccp or udplite (not negated) before ${opt}: iptables refuses the rule`, owner.start, owner.end);
        }
        const ports = parsePortSpec(a0.text, a0.start, a0.end, true, ctx, undefined, true);
        if (!ports) {
          matches.push(opaque('multiport', mStart, mEnd, `invalid port list "${a0.text}"`, negated));
          break;
        }
        let pm: Match;
        if (opt === '--ports') {
          pm = { kind: 'any-of', alternatives: [[{ kind: 'port', dir: 'src', ports }], [{ kind: 'port', dir: 'dst', ports }]], span: ctx.span(mStart, mEnd) };
        } else {
          pm = { kind: 'port', dir: opt === '--dports' || opt === '--destination-ports' ? 'dst' : 'src', ports, span: ctx.span(mStart, mEnd) };
        }
        if (negated) pm.negated = true;
        matches.push(pm);
        if (opt !== '--sports' && opt !== '--source-ports' && !reportSpan) reportSpan = pm.span;
        break;
      }
      case '--tcp-flags':
      case '--syn': {
        const values = opt === '--syn' ? SYN_ONLY : tcpFlagsOf(a0?.text, a0 === lastArg ? undefined : lastArg?.text);
        if (!values) {
          const at = a0 ?? optTok;
          ctx.diag('error', 'iptables/bad-tcp-flags', `Bad --tcp-flags "${slice(at.start, mEnd)}": a mask and a set of FIN, SYN, RST, PSH, ACK, URG, ALL, NONE`, at.start, mEnd);
          matches.push(opaque('tcp-flags', mStart, mEnd, 'unreadable TCP flags', negated));
          break;
        }
        if (negated && values.equals(ALL_FLAG_VALUES)) {
          // a mask of no flag (`! --tcp-flags NONE NONE`): iptables-nft 1.8.9 writes no test (iptables-save lists `-p tcp`:
          // every TCP packet; checked in a network namespace), iptables-legacy's xt_tcpudp matches none
          ctx.diag('warning', 'iptables/backends-differ', `"${slice(mStart, mEnd)}" is left out by iptables-nft (the rule takes every TCP packet) and matches none with iptables-legacy: undecided`, mStart, mEnd);
          matches.push(opaque('tcp-flags', mStart, mEnd, 'iptables-nft leaves out a negated test of no flag, iptables-legacy matches none', false));
          break;
        }
        const fm: Match = { kind: 'tcp-flags', values, span: ctx.span(mStart, mEnd) };
        if (negated) fm.negated = true;
        matches.push(fm);
        break;
      }
      case '--ctstate':
      case '--state': {
        if (!a0) break;
        const states = ctStates(a0.text, ctx, opt === '--ctstate');
        if (!states) {
          ctx.diag('error', 'iptables/bad-ctstate', `Bad connection state "${a0.text}"`, a0.start, a0.end);
          matches.push(opaque(owner.name, mStart, mEnd, `bad state "${a0.text}"`, negated));
          break;
        }
        const cm: Match = { kind: 'ctstate', states, span: ctx.span(mStart, mEnd) };
        if (negated) cm.negated = true;
        matches.push(cm);
        break;
      }
      case '--src-range':
      case '--dst-range': {
        if (!a0) break;
        const dash = a0.text.indexOf('-');
        const set = dash > 0 ? parseAddrRange(a0.text.slice(0, dash), a0.text.slice(dash + 1)) : cachedAddr(a0.text, ctx);
        if (!set) {
          ctx.diag('error', 'iptables/bad-address', `Bad address range "${a0.text}"`, a0.start, a0.end);
          matches.push(opaque('iprange', mStart, mEnd, `bad range "${a0.text}"`, negated));
          break;
        }
        noteFamily(set, ctx);
        let addrs = set;
        if (dash > 0 && parseAddress(a0.text.slice(0, dash))!.value > parseAddress(a0.text.slice(dash + 1))!.value) {
          // iptables loads it ("xt_iprange: range ... is reversed and will never match"): the kernel tests lo <= addr <= hi
          ctx.diag('warning', 'iptables/reversed-range', `Address range "${a0.text}" is reversed: it matches no address`, a0.start, a0.end);
          addrs = AddrSet.EMPTY;
        }
        const am: Match = { kind: 'address', dir: opt === '--src-range' ? 'src' : 'dst', addrs, span: ctx.span(mStart, mEnd) };
        if (negated) am.negated = true;
        matches.push(am);
        break;
      }
      case '--src-type':
      case '--dst-type': {
        if (!a0) break;
        // (a set of kinds, as the kernel's bitmask holds them: `LOCAL,LOCAL` is `LOCAL`)
        const types = [
          ...new Set(
            a0.text
              .split(',')
              .map((t) => t.trim().toLowerCase())
              .filter((t) => t.length > 0),
          ),
        ];
        // xt_addrtype's checkentry for IPv6: "ipv6 does not support BROADCAST matching" (also BLACKHOLE, UNREACHABLE,
        // PROHIBIT): ip6tables-restore 1.8.9 fails with "Invalid argument", the file loads nothing
        const v6Refused = (ctx.toolFamily ?? ctx.family) === 'ipv6' ? types.find((t) => t === 'broadcast' || t === 'blackhole' || t === 'unreachable' || t === 'prohibit') : undefined;
        if (v6Refused) ctx.diag('error', 'iptables/refused-match', `ip6tables refuses addrtype ${v6Refused.toUpperCase()}: IPv6 has no such address type (kernel: "ipv6 does not support ${v6Refused.toUpperCase()} matching")`, a0.start, a0.end);
        const lim = owner.limitIface;
        if (lim) {
          matches.push(opaque(owner.name, Math.min(mStart, lim.start), Math.max(mEnd, lim.end), limitIfaceReason(lim.opt), negated));
          break;
        }
        const tm: Match = { kind: 'addrtype', dir: opt === '--src-type' ? 'src' : 'dst', types, span: ctx.span(mStart, mEnd) };
        if ((ctx.toolFamily ?? ctx.family) === 'ipv6') tm.ip6tables = true;
        if (negated) tm.negated = true;
        (owner.types ??= []).push({ at: matches.length, start: mStart, end: mEnd, negated });
        matches.push(tm);
        break;
      }
      case '--limit-iface-in':
      case '--limit-iface-out': {
        // The type is then looked up on the packet's input (output) interface alone: an address of this host held by
        // another interface is not LOCAL there (a packet over lo to eth0's address is not). Which interface holds
        // which address is not in the ruleset: the test stays undecided.
        owner.limitIface = { start: mStart, end: mEnd, opt };
        for (const t of owner.types ?? []) matches[t.at] = opaque(owner.name, t.start, Math.max(t.end, mEnd), limitIfaceReason(opt), t.negated);
        break;
      }
      case '--comment':
        if (a0) {
          // (checked with iptables(-legacy)-restore 1.8.9 in a namespace: 256 and 300 bytes load, iptables-save lists 255)
          const bytes = !a0.unknown && a0.text.length > COMMENT_MAX / 3 ? utf8Length(a0.text) : 0;
          if (bytes > COMMENT_MAX)
            ctx.diag('warning', 'iptables/long-comment', `This comment is ${bytes} bytes: iptables keeps its first ${COMMENT_MAX} without a word (the kernel's xt_comment holds 256 with the final NUL), so iptables-save lists it cut${bytes > a0.text.length ? ', maybe inside a UTF-8 character' : ''}`, a0.start, a0.end);
          comment = comment === undefined ? a0.text : `${comment} ${a0.text}`;
        }
        break;
      case '--icmp-type':
      case '--icmpv6-type': {
        if (!a0) break;
        const fam: Family = opt === '--icmp-type' ? 'ipv4' : 'ipv6';
        if (fam === 'ipv6') ctx.sawFamily?.('ipv6');
        // `ip6tables -p icmp --icmp-type 8`: ip6tables has no icmp match ('unknown option "--icmp-type"'), nor iptables icmp6
        const prog = programFamily(ctx);
        if (prog !== undefined && prog !== fam && !wrongModule) ctx.diag('error', 'iptables/wrong-family', `${prog === 'ipv4' ? 'iptables' : 'ip6tables'} has no ${opt} (unknown option): it refuses the rule`, mStart, a0.end);
        const values = parseIcmpType(a0.text, fam);
        if (!values) {
          ctx.diag('error', 'iptables/bad-icmp-type', `Unknown ICMP${fam === 'ipv6' ? 'v6' : ''} type "${a0.text}"`, a0.start, a0.end);
          matches.push(opaque(owner.name, mStart, mEnd, `unknown ICMP type "${a0.text}"`, negated));
          break;
        }
        if (negated && fam === 'ipv4' && a0.text.toLowerCase() === 'any') {
          // `! --icmp-type any`: iptables-nft 1.8.9 keeps only `ip protocol icmp` (every ICMP packet; nft list ruleset in a
          // network namespace), iptables-legacy's icmp match takes none
          ctx.diag('warning', 'iptables/backends-differ', `"${slice(mStart, mEnd)}" is left out by iptables-nft (the rule takes every ICMP packet) and matches none with iptables-legacy: undecided`, mStart, mEnd);
          matches.push(opaque(owner.name, mStart, mEnd, 'iptables-nft leaves out a negated test of any ICMP type, iptables-legacy matches none', false));
          break;
        }
        const im: Match = { kind: 'icmp-type', family: fam, values, span: ctx.span(mStart, mEnd) };
        if (negated) im.negated = true;
        matches.push(im);
        break;
      }
      case '--ctproto':
      case '--ctorigsrc':
      case '--ctorigdst':
      case '--ctorigsrcport':
      case '--ctorigdstport': {
        // the connection's original tuple (a NEW packet's own, but for its destination after DNAT)
        const inner = a0 && ctOriginal(opt, a0, ctx);
        if (!inner) {
          matches.push(opaque(owner.name, mStart, mEnd, `bad ${opt} value`, negated));
          // (a bad port is reported by the port reader)
          if (a0 && !opt.endsWith('port')) ctx.diag('error', 'iptables/bad-conntrack', `Bad ${opt} value "${a0.text}"`, a0.start, a0.end);
          break;
        }
        const om: Match = { kind: 'ct-original', match: inner, span: ctx.span(mStart, mEnd) };
        (owner.ctOriginal ??= []).push(om);
        if (negated) om.negated = true;
        matches.push(om);
        break;
      }
      case '--ctdir': {
        // the packet's direction in its connection: a NEW packet's is ORIGINAL (xt_conntrack compares
        // CTINFO2DIR(ctinfo) with IP_CT_DIR_ORIGINAL) — the test on the original tuple that holds for every packet
        // of it, which the engine decides for NEW packets alone, as the original tuple (Docker's documented
        // DOCKER-USER filter: `-m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j DROP`)
        const dir = a0?.text.toUpperCase();
        if (dir !== 'ORIGINAL' && dir !== 'REPLY') {
          matches.push(opaque(owner.name, mStart, mEnd, `bad ${opt} value`, negated));
          if (a0) ctx.diag('error', 'iptables/bad-conntrack', `Bad ${opt} value "${a0.text}" (ORIGINAL or REPLY)`, a0.start, a0.end);
          break;
        }
        const dm: Match = { kind: 'ct-original', match: { kind: 'protocol', protocols: PROTO_UNIVERSE }, span: ctx.span(mStart, mEnd) };
        (owner.ctOriginal ??= []).push(dm);
        if (negated !== (dir === 'REPLY')) dm.negated = true;
        matches.push(dm);
        break;
      }
      case '--match-set':
      case '--set':
        matches.push(opaque('set', mStart, mEnd, 'ipset membership is only known at run time', negated));
        break;
      case '--return-nomatch':
      case '--update-counters':
      case '--update-subcounters':
        break;
      default:
        // Other options of known matches (conntrack --ctorigdst, tcp --tcp-option, set counters, sctp chunks...).
        matches.push(opaque(owner.name, mStart, mEnd, `${opt} is not evaluated statically`, negated));
    }
  }

  // `-m recent --set` always matches ("This will always return success (or failure if ! is passed in)",
  // iptables-extensions(8)): no condition (with `!` or another command, as written: undecided or refused)
  for (const mod of modules) {
    const op = mod.opaque;
    if (mod.name === 'recent' && op && recentAlwaysMatches(op.text)) {
      const at = matches.indexOf(op);
      if (at >= 0) matches.splice(at, 1);
    }
    // a test of header fields the sender chooses: what it gives for the plain packet (the exposure engine's witness)
    if (op && PLAIN_MODULES.has(mod.name)) {
      const plain = plainValue(mod.name, op.text);
      if (plain !== undefined) op.plain = plain;
      const forwarded = plainValue(mod.name, op.text, true);
      if (forwarded !== undefined) op.plainForwarded = forwarded;
    }
    // a mark test the engine reads against what earlier rules set (src/model/marks.ts)
    const mark = op ? markTestOf(mod.name, op.text) : undefined;
    if (mark) op!.mark = mark;
    // xt_conntrack: without a conntrack entry, `return info->match_flags & XT_CONNTRACK_STATE` (the state test decides)
    if (mod.ctOriginal && mod.given?.has('--ctstate')) for (const m of mod.ctOriginal) if (m.kind === 'ct-original') m.untrackedPasses = true;
  }

  // ---------------------------------------------------------------- what the kernel refuses
  // `-m icmp` / `-m icmp6` without a type: libxt_icmp and libip6t_icmp6 require one ('icmp6: option "--icmpv6-type"
  // must be specified', iptables-restore 1.8.9)
  for (const mod of modules) {
    const needs = mod.end !== undefined ? KNOWN_MODULE_NEEDS[mod.name] : undefined;
    if (needs && !needs.some((o) => mod.given?.has(o)) && !matches.some((m) => m.kind === 'opaque' && m.module === 'unresolved')) {
      ctx.diag('error', 'iptables/match-option', `-m ${mod.name} needs ${needs.length === 1 ? needs[0] : `one of ${needs.join(', ')}`}: iptables refuses the rule`, mod.start, mod.end!);
    }
    if ((mod.name === 'icmp' || mod.name === 'icmp6') && mod.end !== undefined && !mod.typed) {
      const t = mod.name === 'icmp' ? '--icmp-type' : '--icmpv6-type';
      ctx.diag('error', 'iptables/match-option', `-m ${mod.name} needs ${t}: iptables refuses the rule (option "${t}" must be specified)`, mod.start, mod.end);
    }
  }
  if (!protoUnknown) {
    for (const mod of modules) {
      const need = mod.end !== undefined && !mod.early ? MODULE_PROTOCOLS[mod.name] : undefined;
      const p = mod.name === 'tcp' || mod.name === 'udp' ? protoAny : protoNum;
      if (need && (p === undefined || !need.includes(p))) {
        const which = need.length === 1 ? `-p ${mod.name === 'icmp6' ? 'ipv6-icmp' : mod.name}` : '-p tcp, udp, sctp, dccp or udplite (not negated)';
        ctx.diag('error', 'iptables/match-protocol', `-m ${mod.name} needs ${which}: iptables refuses the rule`, mod.start, mod.end!);
        break;
      }
    }
    if (targetName === 'REJECT' && protoNum !== 6) {
      const w = targetArgs.find((t) => t.opt.text === '--reject-with')?.args[0];
      if (w && !w.unknown && w.text === 'tcp-reset') ctx.diag('error', 'iptables/reject-protocol', 'REJECT --reject-with tcp-reset needs -p tcp (not negated): iptables refuses the rule', w.start, w.end);
    }
  }
  if (targetName === 'REJECT') {
    const w = targetArgs.find((t) => t.opt.text === '--reject-with')?.args[0];
    // a script's command (its program gives the family; save files infer theirs): "unknown reject type" for an
    // ICMPv6 type in iptables, an ICMP one in ip6tables, a misspelling
    const fam = ctx.sawFamily ? undefined : ctx.family;
    if (w && !w.unknown && fam && !rejectTypeKnown(w.text, fam)) ctx.diag('error', 'iptables/reject-type', `Unknown reject type "${w.text}" for ${fam === 'ipv6' ? 'ip6tables' : 'iptables'}: iptables refuses the rule`, w.start, w.end);
    else if (w && !w.unknown && ctx.sawFamily && !rejectTypeKnown(w.text, 'ipv4') && !rejectTypeKnown(w.text, 'ipv6'))
      // a save file infers its family: a type neither family knows is refused either way ("unknown reject type")
      ctx.diag('error', 'iptables/reject-type', `Unknown reject type "${w.text}": iptables refuses the rule`, w.start, w.end);
    else if (w && !w.unknown && ctx.sawFamily && w.text.startsWith('icmp6-')) ctx.sawFamily('ipv6');
  }

  // ---------------------------------------------------------------- target
  if (targetName !== undefined && action.kind === 'chain-ref') {
    action = resolveBuiltinTarget(action, targetName, targetArgs, ctx, slice(targetStart, targetEnd));
    if (action.kind === 'chain-ref') action.span = ctx.span(refStart, refEnd);
    else if (action.kind === 'nat' && action.toPorts && protoAny === undefined && !protoUnknown) {
      // libxt_DNAT/SNAT/MASQUERADE/REDIRECT: "Need TCP, UDP, SCTP or DCCP with port specification" (any -p passes)
      const w = targetArgs.find((t) => t.opt.text.startsWith('--to'));
      const at = w?.args[0] ?? w?.opt;
      if (at) ctx.diag('error', 'iptables/nat-ports', `${targetName} with ports needs -p tcp, udp, sctp or dccp: iptables refuses the rule`, at.start, at.end);
    }
  } else if (action.kind === 'unknown' && targetEnd > targetStart) {
    action.text = slice(targetStart, targetEnd);
  }

  // ---------------------------------------------------------------- comma-list expansion
  // iptables refuses any negated address once -s or -d holds several ("! not allowed with multiple source or
  // destination IP addresses"), also `! -s a -d b,c`
  if ((srcAlts || dstAlts) && negAddrStart >= 0) ctx.diag('error', 'iptables/negated-list', '"!" is not allowed with several addresses', negAddrStart, negAddrEnd);
  let variants: Match[][] = [matches.slice()];
  if (srcAlts) variants = srcAlts.map((s) => [...matches, s]);
  if (dstAlts) {
    const out: Match[][] = [];
    for (const v of variants) for (const d of dstAlts) out.push([...v, d]);
    variants = out;
  }
  matches.length = 0;
  const res: ParsedRule = { variants, action };
  if (comment !== undefined) res.comment = comment;
  if (reportSpan) res.reportSpan = reportSpan;
  if (skip) res.skip = true;
  if (protoNum !== undefined) res.proto = protoNum;
  return res;
}

/** Every TCP flags byte: what a test of no flag (`--tcp-flags NONE NONE`) takes. */
const ALL_FLAG_VALUES = IntervalSet.range(0, 256);

export function opaqueReason(name: string): string {
  switch (name) {
    case 'limit':
    case 'hashlimit':
      return 'rate limits depend on traffic at run time';
    case 'recent':
      return 'recent-list membership is only known at run time';
    case 'connlimit':
      return 'connection counts are only known at run time';
    case 'time':
      return 'depends on the time of day';
    case 'owner':
      return 'depends on the local socket owner';
    case 'mark':
    case 'connmark':
      return 'packet marks are set at run time';
    case 'physdev':
      return 'bridge port membership is only known at run time';
    case 'mac':
      return 'MAC addresses are not modelled';
    case 'set':
      return 'ipset membership is only known at run time';
    default:
      return `match "${name}" is not evaluated statically`;
  }
}


/**
 * Matches only ip6tables has (libxt/libip6t: hl, rt, frag, ipv6header, hbh, dst, mh, eui64, srh; icmp6 is noted
 * by its --icmpv6-type): a save file that loads one is an ip6tables dump even when no rule names an address.
 */
/** Matches ip6tables cannot load (libipt_ttl, libipt_icmp, libxt_realm: IPv4 only; "Couldn't load match", ip6tables 1.8.9). */
const IPV4_ONLY_MODULES: ReadonlySet<string> = new Set(['ttl', 'icmp', 'realm']);

/** The family of the program a script's command runs (`iptables`, `ip6tables`); undefined in a save file, which infers its family. */
function programFamily(ctx: RuleContext): Family | undefined {
  return ctx.sawFamily ? undefined : ctx.family;
}

export const IPV6_ONLY_MODULES: ReadonlySet<string> = new Set(['hl', 'rt', 'frag', 'ipv6header', 'hbh', 'dst', 'mh', 'eui64', 'srh']);

export function noteFamily(set: AddrSet, ctx: RuleContext): void {
  if (!ctx.sawFamily) return;
  if (!set.v6.isEmpty) ctx.sawFamily('ipv6', true);
  if (!set.v4.isEmpty) ctx.sawFamily('ipv4', true);
}

export function cachedAddr(text: string, ctx: RuleContext): AddrSet | undefined {
  const c = ctx.cache.addr;
  let v = c.get(text);
  if (v === undefined) {
    v = fastV4Cidr(text) ?? parseCidr(text) ?? parseV6MaskCidr(text) ?? null;
    if (c.size < CACHE_LIMIT) c.set(text, v);
  }
  return v ?? undefined;
}

/**
 * An `-s`/`-d` value: as cachedAddr, but an IPv4 address the way iptables reads it (xtables_ipparse_multiple:
 * `xtables_numeric_to_ipaddr` fills missing bytes with 0 and reads each in base 0, the mask length too):
 * `10/8` is 10.0.0.0/8, `192.168/16` 192.168.0.0/16, `010.0.0.1` 8.0.0.1, `/025` a /21.
 */
export function hostAddr(text: string, ctx: RuleContext): AddrSet | undefined {
  if (text.indexOf(':') < 0 && v4CidrKey(text, 0, text.length) < 0) {
    const v4 = xtablesV4Cidr(text);
    if (v4) return v4;
  }
  return cachedAddr(text, ctx);
}

/** `a[.b[.c[.d]]][/n or /mask]` as xtables reads it (bytes and length in base 0); undefined otherwise (a name, a wildcard mask). */
function xtablesV4Cidr(text: string): AddrSet | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const parts = addr.split('.');
  if (parts.length > 4) return undefined;
  let value = 0;
  for (let k = 0; k < 4; k++) {
    const b = k < parts.length ? strtouiBase0(parts[k]!, 255) : 0;
    if (b < 0) return undefined;
    value = value * 256 + b;
  }
  let len = 32;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    if (m.indexOf('.') >= 0) {
      const mp = m.split('.');
      if (mp.length !== 4) return undefined;
      let mask = 0;
      for (const x of mp) {
        const b = strtouiBase0(x, 255);
        if (b < 0) return undefined;
        mask = mask * 256 + b;
      }
      // contiguous masks only (a wildcard mask stays the general path's)
      len = 0;
      while (len < 32 && Math.floor(mask / 2 ** (31 - len)) % 2 === 1) len++;
      if (mask !== (2 ** 32 - 2 ** (32 - len))) return undefined;
    } else {
      len = strtouiBase0(m, 32);
      if (len < 0) return undefined;
    }
  }
  const size = 2 ** (32 - len);
  return v4CidrSet(Math.floor(value / size) * size * 64 + len);
}

export const PROTO_SETS: NumSet[] = [];
/** `-p` values seen (a handful of spellings repeat on every line); null = unknown protocol. */
const PROTO_NUMBERS = new Map<string, number | null>();

/**
 * Protocol names iptables takes beyond the shared table: `all`, libxtables' own `ipv6-mh` (xtables_chain_protos), and
 * names of Debian's /etc/protocols (getprotobyname) — `ip` is 0, every protocol. Each loads with iptables-restore and
 * ip6tables-restore 1.8.9.
 */
const IPTABLES_PROTOCOLS: Readonly<Record<string, number>> = { all: 0, ip: 0, ggp: 3, st: 5, 'ipv6-mh': 135 };

export function cachedProtocolNumber(name: string): number | undefined {
  let v = PROTO_NUMBERS.get(name);
  if (v === undefined) {
    // iptables reads a number in base 0 (xtables_parse_protocol → xtables_strtoui): `-p 017` is 15, `-p 0x11` udp
    const c0 = name.charCodeAt(0);
    const based = c0 === 43 || (c0 === 48 && name.length > 1) ? strtouiBase0(name, 255) : -2;
    v = based === -2 ? (IPTABLES_PROTOCOLS[name] ?? protocolNumber(name) ?? null) : based < 0 ? null : based;
    if (PROTO_NUMBERS.size < 512) PROTO_NUMBERS.set(name, v);
  }
  return v ?? undefined;
}
const MATCHES: Match[] = [];
/** Shared by every IPv4-only address set (sets are immutable). */
const NO_V6: IntervalSet<bigint> = IntervalSet.empty();
/** Targets without arguments: one immutable action each, shared by every rule. */
export const ACCEPT: Action = Object.freeze({ kind: 'accept' });
export const DROP: Action = Object.freeze({ kind: 'drop' });
export const RETURN: Action = Object.freeze({ kind: 'return' });
export const REJECT: Action = Object.freeze({ kind: 'reject' });

/**
 * The common case `a.b.c.d` or `a.b.c.d/n` without a library call (big dumps are
 * mostly unique host addresses). Anything unusual (leading zeros, masks written as
 * addresses) returns undefined and takes the general path.
 */
function fastV4Cidr(text: string): AddrSet | undefined {
  const key = v4CidrKey(text, 0, text.length);
  return key < 0 ? undefined : v4CidrSet(key);
}

/**
 * `a.b.c.d` or `a.b.c.d/n` in text[from..to) as network * 64 + n (a number, so a cache
 * needs no key string), or -1 for anything else. See fastV4Cidr.
 */
export function v4CidrKey(text: string, from: number, to: number): number {
  let value = 0;
  let octets = 0;
  let i = from;
  while (octets < 4) {
    let v = 0;
    const start = i;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || v > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return -1;
    value = value * 256 + v;
    octets++;
    if (octets < 4) {
      if (i >= to || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  let len = 32;
  if (i < to) {
    if (text.charCodeAt(i) !== 47 /* / */ || to - i - 1 < 1 || to - i - 1 > 2) return -1;
    len = 0;
    for (let k = i + 1; k < to; k++) {
      const c = text.charCodeAt(k);
      if (c < 48 || c > 57) return -1;
      len = len * 10 + (c - 48);
    }
    if (len > 32) return -1;
  }
  const size = 2 ** (32 - len);
  return Math.floor(value / size) * size * 64 + len;
}

/** The set of a v4CidrKey. */
export function v4CidrSet(key: number): AddrSet {
  const len = key % 64;
  const lo = (key - len) / 64;
  return new AddrSet(IntervalSet.range(lo, lo + 2 ** (32 - len)), NO_V6);
}

/** `feed:babe::/ffff:ff00::` (IPv6 address with a mask written as an address), as ip6tables accepts. */
function parseV6MaskCidr(text: string): AddrSet | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || text.indexOf(':', slash) < 0) return undefined;
  const mask = parseAddress(text.slice(slash + 1));
  if (!mask || mask.family !== 'ipv6') return undefined;
  let m = mask.value as bigint;
  let len = 0;
  for (let bit = 127n; bit >= 0n; bit--) {
    if ((m >> bit) & 1n) len++;
    else break;
  }
  m &= (1n << BigInt(128 - len)) - 1n;
  if (m !== 0n) return undefined; // non-contiguous mask
  return parseCidr(`${text.slice(0, slash)}/${len}`);
}

/** `addr/mask` where the mask is written as an address but is not contiguous (valid for iptables). */
function isWildcardMask(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const a = parseAddress(text.slice(0, slash));
  const m = parseAddress(text.slice(slash + 1));
  return a !== undefined && m !== undefined && a.family === m.family;
}

function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95;
    if (!ok) return false;
  }
  // all-numeric dotted text is a malformed address, not a name
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || c === 46)) return true;
  }
  return false;
}

/** `-s a,b/24,host` → one match per item; 'all' when the single item is the whole space. */
function addressAlternatives(
  tok: Tok,
  dir: 'src' | 'dst',
  negated: boolean,
  mStart: number,
  mEnd: number,
  ctx: RuleContext,
  slice: (a: number, b: number) => string,
): Match[] | 'all' {
  const span = ctx.span(mStart, mEnd);
  if (tok.unknown) {
    const m: OpaqueMatch = { kind: 'opaque', module: 'unresolved', text: slice(mStart, mEnd), reason: tok.unknown, span };
    if (negated) m.negated = true;
    ctx.diag('warning', 'iptables/unresolved', `Cannot evaluate ${slice(tok.start, tok.end)}: ${tok.unknown}`, tok.start, tok.end);
    return [m];
  }
  const items = tok.text.indexOf(',') >= 0 ? tok.text.split(',') : [tok.text];
  const out: Match[] = [];
  for (const raw of items) {
    const item = raw.trim();
    const set = hostAddr(item, ctx);
    let m: Match;
    if (set && ctx.family !== undefined && (ctx.family === 'ipv4' ? set.v4.isEmpty : set.v6.isEmpty)) {
      ctx.diag('error', 'iptables/wrong-family', `${ctx.family === 'ipv4' ? 'IPv6' : 'IPv4'} address "${item}" in an ${ctx.family === 'ipv4' ? 'iptables' : 'ip6tables'} rule`, tok.start, tok.end);
      m = { kind: 'address', dir, addrs: set, span };
    } else if (set) {
      noteFamily(set, ctx);
      if (!negated && items.length === 1 && (set.coversAll('ipv4') || set.coversAll('ipv6'))) {
        // iptables drops "-s 0.0.0.0/0": it matches every packet of the table's family.
        const fam = ctx.family;
        if (fam === undefined || set.coversAll(fam)) return 'all';
      }
      m = negated ? { kind: 'address', dir, addrs: set, span, negated } : { kind: 'address', dir, addrs: set, span };
    } else if (isWildcardMask(item)) {
      m = { kind: 'opaque', module: 'address', text: slice(mStart, mEnd), reason: `"${item}" uses a non-contiguous mask, which is not modelled as an address set`, span };
    } else if (isHostname(item)) {
      m = { kind: 'opaque', module: 'hostname', text: slice(mStart, mEnd), reason: `host name "${item}" is resolved by iptables when the rule is loaded`, span };
    } else {
      ctx.diag('error', 'iptables/bad-address', `Bad address "${item}"`, tok.start, tok.end);
      m = { kind: 'opaque', module: 'address', text: slice(mStart, mEnd), reason: `bad address "${item}"`, span };
    }
    if (negated && !m.negated) m.negated = true;
    out.push(m);
  }
  return out;
}

function parsePortNumber(s: string): number | undefined {
  if (s.length > 0 && s.length <= 5) {
    let v = 0;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      // (getservbyname: `SSH` is no service, iptables 1.8.9 says "invalid port/service `SSH' specified")
      if (c < 48 || c > 57) return SERVICES[s];
      v = v * 10 + (c - 48);
    }
    return v <= 65535 ? v : undefined;
  }
  return SERVICES[s];
}

/** An item of a port list that starts with `+` or with a 0 followed by more (`026`, `0x16`): not read as decimal by base 0. */
const BASE0_NUMBER = /(?:^|[,:])(?:\+|0[0-9a-zA-Z])/;

/**
 * A number as libxtables' xtables_strtoui reads it (strtoumax in base 0): `0x1f` hex, a leading 0 octal, else
 * decimal, an optional `+`; -1 when it is not one (then a service name, or an error) or above `max`.
 */
export function strtouiBase0(s: string, max: number): number {
  let k = s.charCodeAt(0) === 43 ? 1 : 0;
  let base = 10;
  if (s.charCodeAt(k) === 48 && s.length > k + 1) {
    if ((s.charCodeAt(k + 1) | 32) === 120) {
      base = 16;
      k += 2;
    } else {
      base = 8;
      k += 1;
    }
  }
  if (k >= s.length) return -1;
  let v = 0;
  for (; k < s.length; k++) {
    const c = s.charCodeAt(k);
    const l = c | 32;
    const d = c >= 48 && c <= 57 ? c - 48 : l >= 97 && l <= 102 ? l - 87 : 99;
    if (d >= base) return -1;
    v = v * base + d;
    if (v > max) return -1;
  }
  return v;
}

/** A port key with its base-0 numbers written in decimal (`022:0x1a` → `18:26`); undefined when one is not a number (`08`). */
function base0PortKey(key: string): { key: string; octal: boolean } | undefined {
  let octal = false;
  let out = '';
  let from = 0;
  for (let k = 0; k <= key.length; k++) {
    const c = key.charCodeAt(k);
    if (k < key.length && c !== 44 && c !== 58) continue;
    const item = key.slice(from, k);
    const c0 = item.charCodeAt(0);
    if (c0 === 43 || (c0 === 48 && item.length > 1)) {
      const v = strtouiBase0(item, 65535);
      if (v < 0) return undefined;
      const body = c0 === 43 ? item.slice(1) : item;
      if (body.length > 1 && body.charCodeAt(0) === 48 && (body.charCodeAt(1) | 32) !== 120) octal = true;
      out += String(v);
    } else out += item;
    if (k < key.length) out += key[k];
    from = k + 1;
  }
  return { key: out, octal };
}

/** A port written in decimal (1 to 5 digits, at most 65535), else -1. */
export function decimalPort(s: string): number {
  const n = s.length;
  if (n === 0 || n > 5) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v <= 65535 ? v : -1;
}

/** `22`, `ssh`, `a:b`, `:b`, `a:` → [lo, hi], or undefined when not a port or range. */
function parsePortItem(item: string): [number, number] | undefined {
  const colon = item.indexOf(':');
  if (colon < 0) {
    const p = parsePortNumber(item);
    return p === undefined ? undefined : [p, p];
  }
  const lo = colon === 0 ? 0 : parsePortNumber(item.slice(0, colon));
  const hi = colon === item.length - 1 ? 65535 : parsePortNumber(item.slice(colon + 1));
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** `22`, `ssh`, `1000:2000`, `:1024`, `1024:`; with `multi`, comma lists of those. */
export function parsePortSpec(
  key: string,
  start: number,
  end: number,
  multi: boolean,
  ctx: RuleContext,
  /** The module of a `--dport`/`--sport` that refuses a range with min > max (tcp, sctp); udp and dccp load it. */
  refusingModule?: string,
  /**
   * Numbers in base 0, as xtables_parse_port reads them (tcp, sctp, multiport): `026` is 22, `0x16` is 22. udp, dccp
   * and conntrack read decimal (`026` is 26). Checked against iptables-restore 1.8.9 / iptables-save.
   */
  base0 = false,
): NumSet | undefined {
  if (base0 && BASE0_NUMBER.test(key)) {
    const based = base0PortKey(key);
    if (based === undefined) {
      ctx.diag('error', 'iptables/bad-port', `Invalid port or service "${key}": iptables reads a number with a leading 0 as octal`, start, end);
      return undefined;
    }
    if (based.octal) ctx.diag('warning', 'iptables/octal-port', `iptables reads a number with a leading 0 as octal: "${key}" is ${based.key}`, start, end);
    key = based.key;
  }
  const p = decimalPort(key);
  if (p >= 0) return singlePortSet(p, ctx.cache);
  const cache = multi ? ctx.cache.multiports : ctx.cache.ports;
  const cached = cache.get(key);
  // (an empty set is a reversed range, read before under a module that loads it: this one refuses it, said below)
  if (cached !== undefined && !(refusingModule !== undefined && cached !== null && cached.isEmpty)) return cached ?? undefined;
  if (!multi || (key.indexOf(',') < 0 && key.indexOf(':') < 0)) {
    // one port or range: no list to merge (a multiport range is checked below: it has stricter bounds)
    const single = parsePortItem(key);
    if (single && single[0] <= single[1]) {
      const res = IntervalSet.range(single[0], single[1] + 1);
      if (cache.size < CACHE_LIMIT) cache.set(key, res);
      return res;
    }
  }
  const ranges: [number, number][] = [];
  const items = multi ? key.split(',') : [key];
  let bad: string | undefined;
  // libxt_multiport holds 15 ports, a range taking two ("too many ports specified": 8 ranges, 14 ports and a range)
  if (multi && items.length + key.split(':').length - 1 > 15) ctx.diag('error', 'iptables/too-many-ports', 'multiport takes at most 15 ports, a range counting as two', start, end);
  for (const item of items) {
    const colon = item.indexOf(':');
    if (colon < 0) {
      const p = parsePortNumber(item);
      if (p === undefined) {
        bad = item;
        break;
      }
      ranges.push([p, p]);
      continue;
    }
    const a = item.slice(0, colon);
    const b = item.slice(colon + 1);
    // an open end (`:1024`, `1024:`) is 0 or 65535 for --dport, but multiport parses both ends as ports
    // ("invalid port/service `' specified")
    const lo = a === '' ? (multi ? undefined : 0) : parsePortNumber(a);
    const hi = b === '' ? (multi ? undefined : 65535) : parsePortNumber(b);
    if (lo === undefined || hi === undefined) {
      bad = item;
      break;
    }
    // a multiport range whose low end is not below its high end: iptables-restore refuses the whole file ("invalid
    // portrange specified", 1.8.9, whatever the protocol)
    if (multi && lo >= hi) {
      ctx.diag('error', 'iptables/bad-port-range', `Port range "${item}" of multiport needs low < high: iptables-restore refuses it`, start, end);
      continue;
    }
    if (lo > hi) {
      // -m tcp and -m sctp refuse it ("invalid portrange (min > max)", 1.8.9: iptables-restore loads nothing);
      // -m udp and -m dccp load it (a real dump has --dport 60000:29) and the kernel tests min <= port <= max: it
      // matches no port
      if (refusingModule !== undefined)
        ctx.diag('error', 'iptables/bad-port-range', `Port range "${item}" has min > max: -m ${refusingModule} refuses it (iptables: "invalid portrange (min > max)")`, start, end);
      else ctx.diag('warning', 'iptables/bad-port-range', `Port range "${item}" has min > max: it matches no port`, start, end);
      continue;
    }
    ranges.push([lo, hi]);
  }
  let res: NumSet | null = null;
  if (bad !== undefined) {
    ctx.diag('error', 'iptables/bad-port', `Invalid port or service "${bad}"`, start, end);
  } else {
    // over an exact-size bounds array (a set built by pushing keeps 17 slots)
    const set = numSetOf(ranges).intersect(PORT_UNIVERSE);
    res = IntervalSet.fromBounds(set.bounds.slice());
  }
  if (cache.size < CACHE_LIMIT) cache.set(key, res);
  return res ?? undefined;
}

/** The bytes of a comment iptables keeps: XT_MAX_COMMENT_LEN (256) less the final NUL. */
export const COMMENT_MAX = 255;

/** The length of `s` in UTF-8 bytes (a lone surrogate as U+FFFD's 3). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** ICMP type as `name`, `type` or `type/code` → set of type*256+code values. */
export function parseIcmpType(text: string, family: Family): NumSet | undefined {
  const t = text.trim().toLowerCase();
  // `any` is libxt_icmp's (IPv4) name only: libip6t_icmp6 has no such name, ip6tables-restore 1.8.9 refuses
  // `--icmpv6-type any` ("Unknown ICMPv6 type `any'") and the kernel's icmp6 match has no wildcard type
  if (t === 'any' && family === 'ipv4') return IntervalSet.range(0, 65536);
  const table = family === 'ipv4' ? ICMP4_TYPES : ICMP6_TYPES;
  let type: number;
  let code: number;
  const named = table[t];
  if (named) {
    [type, code] = named;
  } else {
    const slash = t.indexOf('/');
    const ts = slash < 0 ? t : t.slice(0, slash);
    const cs = slash < 0 ? '' : t.slice(slash + 1);
    // numbers in base 0, as libxt_icmp/libip6t_icmp6 read them (xtables_strtoui): `010` is 8, `0x80` is 128
    type = strtouiBase0(ts, 255);
    code = slash < 0 ? -1 : strtouiBase0(cs, 255);
    if (type < 0 || (slash >= 0 && code < 0)) return undefined;
    if (family === 'ipv4' && type === 255 && code < 0) return IntervalSet.range(0, 65536);
  }
  return code < 0 ? IntervalSet.range(type * 256, type * 256 + 256) : numSingle(type * 256 + code);
}

/** `a`, `a-b`, `a:p`, `a-b:p-q`, `[v6]:p`, `:p` → addresses and ports. */
function parseNatTo(text: string): { addrs?: AddrSet; ports?: NumSet } | undefined {
  let addrPart = text;
  let portPart: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    addrPart = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest.startsWith(':')) portPart = rest.slice(1);
    else if (rest !== '') return undefined;
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 1) {
      const c = text.indexOf(':');
      addrPart = text.slice(0, c);
      portPart = text.slice(c + 1);
    }
  }
  const out: { addrs?: AddrSet; ports?: NumSet } = {};
  if (addrPart !== '') {
    const dash = addrPart.indexOf('-');
    const set = dash > 0 ? parseAddrRange(addrPart.slice(0, dash), addrPart.slice(dash + 1)) : parseCidr(addrPart);
    if (!set) return undefined;
    out.addrs = set;
  }
  if (portPart !== undefined) {
    const ports = parsePortRangeDash(portPart);
    if (!ports) return undefined;
    out.ports = ports;
  }
  return out;
}

function parsePortRangeDash(s: string): NumSet | undefined {
  const dash = s.indexOf('-');
  const a = dash < 0 ? s : s.slice(0, dash);
  const b = dash < 0 ? s : s.slice(dash + 1);
  // (base 0, as xtables_parse_port reads them: `:026` is port 22)
  const lo = strtouiBase0(a, 65535);
  const hi = strtouiBase0(b, 65535);
  if (lo < 0 || hi < 0) return undefined;
  return numSetOf([[lo, hi]]);
}

export function resolveBuiltinTarget(
  ref: ChainRef,
  name: string,
  /** Each target option with its first argument (the only one read). */
  targetArgs: { opt: Tok; args: Tok[] }[],
  ctx: RuleContext,
  text: string,
): Action | ChainRef {
  const arg = (o: string): Tok | undefined => targetArgs.find((t) => t.opt.text === o)?.args[0];
  // ACCEPT, DROP and RETURN take no option, REJECT only --reject-with (or a prefix of it, as getopt_long takes
  // it), once: iptables-restore 1.8.9 refuses `-j DROP --reject-with tcp-reset` ("unknown option "--reject-with"")
  if (name === 'ACCEPT' || name === 'DROP' || name === 'RETURN' || name === 'REJECT') {
    let withSeen = false;
    for (const t of targetArgs) {
      const o = t.opt.text;
      const isWith = name === 'REJECT' && o.length > 3 && '--reject-with'.startsWith(o);
      if (!isWith) ctx.diag('error', 'iptables/unknown-option', `Unknown option "${o}": ${name === 'REJECT' ? 'REJECT takes only --reject-with' : `${name} takes no option`}, iptables refuses the rule`, t.opt.start, t.opt.end);
      else if (withSeen) ctx.diag('error', 'iptables/duplicate-option', 'Only one --reject-with: iptables refuses the rule', t.opt.start, t.opt.end);
      withSeen ||= isWith;
    }
  }
  switch (name) {
    case 'ACCEPT':
      return ACCEPT;
    case 'DROP':
      return DROP;
    case 'RETURN':
      return RETURN;
    case 'REJECT': {
      const w = arg('--reject-with');
      return w ? { kind: 'reject', with: w.text } : REJECT;
    }
    case 'QUEUE':
    case 'NFQUEUE':
      return { kind: 'queue', text };
    case 'TPROXY':
    case 'SYNPROXY':
      // real targets whose verdict is the run time's (a local socket found or not; a SYN cookie handshake): not
      // chains, so no "neither a known target nor a chain" warning
      return { kind: 'unknown', target: name, text };
  }
  const natType = NAT_TARGETS[name];
  if (natType) {
    const a: Action & { kind: 'nat' } = { kind: 'nat', type: natType, text };
    for (const t of targetArgs) {
      const o = t.opt.text;
      const v = t.args[0];
      if (!v) continue;
      if (o === '--to-destination' || o === '--to-source' || o === '--to') {
        const r = parseNatTo(v.text);
        if (!r) {
          ctx.diag('error', 'iptables/bad-nat-target', `Bad ${o} value "${v.text}"`, v.start, v.end);
          continue;
        }
        if (r.addrs) a.toAddrs = a.toAddrs ? a.toAddrs.union(r.addrs) : r.addrs;
        if (r.ports) a.toPorts = a.toPorts ? a.toPorts.union(r.ports) : r.ports;
      } else if (o === '--to-ports' || o === '--to-port') {
        const p = parsePortRangeDash(v.text);
        if (!p) ctx.diag('error', 'iptables/bad-nat-target', `Bad ${o} value "${v.text}"`, v.start, v.end);
        else a.toPorts = a.toPorts ? a.toPorts.union(p) : p;
      }
    }
    return a;
  }
  if (CONTINUE_TARGETS.has(name)) {
    // NOTRACK is an alias of "CT --notrack" (iptables-nft saves it that way).
    if (name === 'NOTRACK' || (name === 'CT' && targetArgs.some((t) => t.opt.text === '--notrack'))) return { kind: 'continue', target: 'CT', untrack: true };
    if (PREFIX_TARGETS.has(name)) return { kind: 'unknown', target: name, text, rewrites: true };
    const mark = markOpOf(name, targetArgs.map((t) => ({ opt: t.opt.text, arg: t.args[0]?.text })));
    return mark ? { kind: 'continue', target: name, marks: [mark] } : HEADER_TARGETS.has(name) ? { kind: 'continue', target: name, mangles: true } : { kind: 'continue', target: name };
  }
  ref.text = text;
  return ref;
}

/** `--tcp-flags MASK COMP` as the flags bytes it takes; undefined when either list is missing or names an unknown flag. */
export function tcpFlagsOf(mask: string | undefined, comp: string | undefined): NumSet | undefined {
  if (mask === undefined || comp === undefined) return undefined;
  const m = tcpFlagList(mask);
  const c = tcpFlagList(comp);
  return m === undefined || c === undefined ? undefined : tcpFlagsMasked(m, c);
}

/** The plain match of a conntrack original-tuple option's value (`--ctproto tcp`, `--ctorigdstport 80:90`, …). */
function ctOriginal(opt: string, arg: Tok, ctx: RuleContext): ProtocolMatch | AddressMatch | PortMatch | undefined {
  const text = arg.text;
  switch (opt) {
    case '--ctproto': {
      const n = cachedProtocolNumber(text.toLowerCase());
      return n === undefined ? undefined : { kind: 'protocol', protocols: numSingle(n) };
    }
    case '--ctorigsrc':
    case '--ctorigdst': {
      const a = cachedAddr(text, ctx);
      return a && { kind: 'address', dir: opt === '--ctorigsrc' ? 'src' : 'dst', addrs: a };
    }
    default: {
      const ports = parsePortSpec(text, arg.start, arg.end, false, ctx);
      return ports && { kind: 'port', dir: opt === '--ctorigsrcport' ? 'src' : 'dst', ports };
    }
  }
}

function limitIfaceReason(opt: string): string {
  return `addrtype with ${opt} looks the type up on the ${opt === '--limit-iface-in' ? 'input' : 'output'} interface alone, whose addresses the ruleset does not say`;
}
