/**
 * The common rule model. Every parser (iptables, nftables, AWS, GCP, Azure,
 * CDK/Pulumi) produces this; the exposure engine and the lint rules read only
 * this. See docs/architecture.md for the contract.
 */
import type { AddrSet, Family } from './addresses.js';
import type { NumSet } from './ports.js';
import type { Diagnostic, Span } from './source.js';
import type { MarkOp, MarkTest } from './marks.js';

/** Netfilter hooks; cloud ingress is modelled as `input`, egress as `output`. */
export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';

/** nftables table families; `ip` = iptables, `ip6` = ip6tables; `cloud` = a cloud firewall object. */
export type TableFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev' | 'cloud';

export type CtState = 'new' | 'established' | 'related' | 'invalid' | 'untracked' | 'snat' | 'dnat';
export const CT_STATES: readonly CtState[] = ['new', 'established', 'related', 'invalid', 'untracked', 'snat', 'dnat'];

/**
 * One test a packet must pass. A rule's `matches` are a conjunction.
 * Negation is kept (`negated`) rather than folded, so messages can quote the rule;
 * `effective*` helpers in ./match.ts fold it.
 */
export type Match =
  | FamilyMatch
  | ProtocolMatch
  | AddressMatch
  | PortMatch
  | InterfaceMatch
  | CtStateMatch
  | IcmpTypeMatch
  | PrincipalMatch
  | FragmentMatch
  | TcpFlagsMatch
  | CtOriginalMatch
  | AddrTypeMatch
  | AnyOfMatch
  | OpaqueMatch;

interface MatchBase {
  /** Where the match is written (may be the whole rule when not separable). */
  span?: Span;
  negated?: boolean;
}

/** Packet's IP family (nft `meta nfproto`, or implied by `ip saddr`, table family, cloud IPv6 fields). */
export interface FamilyMatch extends MatchBase {
  kind: 'family';
  family: Family;
}

/** Layer-4 protocol numbers (0..255). */
export interface ProtocolMatch extends MatchBase {
  kind: 'protocol';
  protocols: NumSet;
}

export interface AddressMatch extends MatchBase {
  kind: 'address';
  dir: 'src' | 'dst';
  addrs: AddrSet;
  /**
   * A cloud source written as every address of a family (`0.0.0.0/0`, `::/0`; not a service tag read as addresses):
   * it also takes the packets of that family's named sources, whose members have such addresses. The exposure
   * keeps reporting the addresses written; the shadow analysis reads it as covering the named sources too.
   */
  named?: boolean;
}

/**
 * Transport ports. A port match only matches packets of port-carrying protocols
 * (tcp, udp, sctp, dccp, udplite); parsers also emit the protocol match the
 * syntax implies (`-p tcp --dport 22` gives both).
 */
export interface PortMatch extends MatchBase {
  kind: 'port';
  dir: 'src' | 'dst';
  ports: NumSet;
}

/** Interface names; a name ending in `+` (iptables) or `*` (nft) is a prefix wildcard. Written as `eth+`. */
export interface InterfaceMatch extends MatchBase {
  kind: 'interface';
  dir: 'in' | 'out';
  names: string[];
}

export interface CtStateMatch extends MatchBase {
  kind: 'ctstate';
  states: CtState[];
}

/** ICMP / ICMPv6 types (and codes): `type * 256 + code` values; family says which ICMP. */
export interface IcmpTypeMatch extends MatchBase {
  kind: 'icmp-type';
  family: Family;
  values: NumSet;
}

/**
 * Named, non-address sources or destinations from clouds: security-group ids,
 * `self`, prefix lists not resolved, GCP tags and service accounts, Azure service
 * tags and application security groups. A packet carries at most one principal
 * per direction; address matches and principal matches are independent.
 */
/**
 * A principal match name that takes every named source (a packet from a security group, tag or service tag, whatever
 * its name): what a layer that sees only addresses (an AWS NACL in front of a security group) needs to say "a packet
 * from a named source", whose address it does not know.
 */
export const ANY_PRINCIPAL = '(any named source)';

export interface PrincipalMatch extends MatchBase {
  kind: 'principal';
  dir: 'src' | 'dst';
  /** e.g. "sg-123", "self", "pl-abc", "tag:web", "sa:x@y", "VirtualNetwork", "asg:web". */
  names: string[];
}

/** iptables `-f`: non-first fragments (never the first packet of a connection). */
export interface FragmentMatch extends MatchBase {
  kind: 'fragment';
}

/**
 * iptables `--tcp-flags MASK COMP` / `--syn`, nft `tcp flags …`: the TCP flags bytes (FIN 0x01, SYN 0x02,
 * RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80) the test accepts, as a set of 0–255; negated,
 * the others. Only TCP packets match, negated or not (the flags test is what is negated). The first packet
 * of a connection is a SYN (./tcp-flags.ts).
 */
export interface TcpFlagsMatch extends MatchBase {
  kind: 'tcp-flags';
  values: NumSet;
}

/**
 * iptables `-m conntrack --ctproto/--ctorigsrc/--ctorigdst/--ctorigsrcport/--ctorigdstport`, nft `ct original
 * protocol/ip saddr/ip daddr/proto-src/proto-dst`: a test of the connection's original-direction tuple, `match`
 * (plain, not negated; `negated` is on this match). For a connection's first packet that is the packet itself,
 * except its destination after DNAT.
 */
export interface CtOriginalMatch extends MatchBase {
  kind: 'ct-original';
  match: ProtocolMatch | AddressMatch | PortMatch;
  /**
   * A packet without a conntrack entry (untracked, invalid) fails the test, `!` or not (nft ends the rule, xt_conntrack
   * returns false) — unless this is set: an iptables `-m conntrack` that also tests `--ctstate` answers such a packet by
   * its state test alone (`--ctstate UNTRACKED --ctorigsrc X` takes every untracked packet).
   */
  untrackedPasses?: true;
}

/** iptables `-m addrtype`, nft `fib daddr type`. */
export interface AddrTypeMatch extends MatchBase {
  kind: 'addrtype';
  dir: 'src' | 'dst';
  types: string[];
  /**
   * ip6tables' reading (xt_addrtype's match_type6): MULTICAST, UNICAST and UNSPEC are the address's kind and each
   * listed must hold; then, when LOCAL, ANYCAST or UNREACHABLE is listed, the route's type must be one of them
   * (`--dst-type LOCAL,MULTICAST` matches no unicast address). Without it the types are alternatives of one type
   * (iptables' IPv4, nft's `fib … type`).
   */
  ip6tables?: true;
}

/** A disjunction of conjunctions: nft concatenated sets, AWS rule with several CIDRs, multi-valued fields. */
export interface AnyOfMatch extends MatchBase {
  kind: 'any-of';
  alternatives: Match[][];
}

/**
 * A match the engine cannot decide statically (ipset membership, limit, recent,
 * time, owner, marks, hostnames, unresolved cloud expressions, unknown modules).
 * The engine treats it as "may or may not match".
 */
export interface OpaqueMatch extends MatchBase {
  kind: 'opaque';
  /** Module or field, e.g. "limit", "set", "mark", "unresolved". */
  module: string;
  /** The text as written, e.g. "-m limit --limit 5/min". */
  text: string;
  /** Why it cannot be decided, for messages ("ipset membership is only known at run time"). */
  reason: string;
  /**
   * A test of header fields the sender chooses (`-m ttl`, `-m length`, `-m dscp`, IPv6 extension headers): whether it
   * holds, before `negated`, for every packet of PLAIN_PACKET. Undefined for tests of anything else (rates, sets,
   * marks, payload) and for one that holds for some of them only.
   */
  plain?: boolean;
  /**
   * A TTL or hop-limit test: `plain` for a plain packet this host forwards, which the forward path has counted one hop
   * (ip_forward and ip6_forward decrement it before the forward hook: the forward and postrouting chains read 63).
   * Undefined for other tests, whose fields forwarding leaves alone.
   */
  plainForwarded?: boolean;
  /** A test of the packet's or the connection's mark the engine reads (`-m mark --mark 0x1/0xff`): see ./marks.ts. */
  mark?: MarkTest;
}

/**
 * The packets the exposure engine may take as its witness for header fields the sender chooses and the model has no
 * dimension for: TTL and hop limit 64 (Linux's default), DSCP and TOS 0, no IPv6 extension headers, not a fragment, a
 * TCP SYN with the MSS option 1460 (Linux's over a 1500-byte MTU), from a source the route back reaches by the
 * interface it came in (reverse-path filters pass it),
 * and any length from `minLength` to `maxLength` bytes (IP header included: a small UDP datagram, a TCP SYN with its
 * options over IPv4 or IPv6) — a length test counts only when it gives one answer for all of them. Anyone who can
 * send a packet can send these, so an accept whose test holds for them opens its port, and a drop whose test misses
 * them does not close it (src/analysis/compile.ts, plainMatches). The tracer's packet is a plain one too, until a rule
 * rewrites such a field (Action.mangles: then its tests are undecided); the shadow analysis leaves such tests
 * undecided: other packets differ.
 */
export const PLAIN_PACKET = { ttl: 64, hopLimit: 64, minLength: 28, maxLength: 100, dscp: 0, tos: 0, mss: 1460 } as const;

/**
 * What a rule does to the packets it matches. `untrack` (iptables `-j NOTRACK` / `-j CT --notrack`,
 * nft `notrack`) also takes them out of connection tracking before the verdict: in a chain that runs
 * before conntrack (prerouting, priority below -200, the raw table) they are UNTRACKED from then on
 * (`--ctstate UNTRACKED` matches them, NEW does not, nat chains never see them); elsewhere it has no effect.
 */
export type Action = ActionKinds & {
  untrack?: true;
  /**
   * It rewrites header fields the sender chose (iptables `-j DSCP`, `TOS`, `TTL`, `HL`, `ECN`, `TCPMSS`,
   * `TCPOPTSTRIP`; nft `ip dscp set …`, `ip ttl set …`, `tcp option maxseg size set …`): from then on PLAIN_PACKET
   * no longer says what the packet carries, and the tracer leaves tests of such fields undecided.
   */
  mangles?: true;
  /**
   * The changes it makes to the packet's or the connection's mark before its verdict, in order (iptables `-j MARK`/`-j
   * CONNMARK`, nft `meta mark set`/`ct mark set`): src/model/marks.ts.
   */
  marks?: readonly MarkOp[];
};

type ActionKinds =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'reject'; with?: string }
  | { kind: 'jump'; target: string }
  | { kind: 'goto'; target: string }
  | { kind: 'return' }
  /** Non-terminal (LOG, counter, MARK, CONNMARK, comment-only, SNAT in filter…): evaluation goes on. */
  | { kind: 'continue'; target: string }
  /** Address translation; terminal in a nat chain (the packet leaves the chain accepted). */
  | { kind: 'nat'; type: 'dnat' | 'snat' | 'masquerade' | 'redirect' | 'netmap'; toAddrs?: AddrSet; toPorts?: NumSet; text: string }
  /** Sent to user space (NFQUEUE): the verdict is not known statically. */
  | { kind: 'queue'; text: string }
  /**
   * A target we do not know: may or may not end evaluation, may accept. `rewrites`: it rewrites the packet's source
   * (nft `ip saddr set …`), which the chains after it see: what reaches it is possibly open whatever they do.
   */
  | { kind: 'unknown'; target: string; text: string; rewrites?: true };

export interface Rule {
  /** Unique within the document, stable across parses of the same text. */
  id: number;
  matches: Match[];
  action: Action;
  /** The whole rule as written. */
  span: Span;
  /** Where the responsible value is (port field, CIDR), when narrower than the rule; defaults to span. */
  reportSpan?: Span;
  /** Source text of the rule, for messages and trace output (one line, trimmed). */
  text: string;
  comment?: string;
  /** Disabled rules (GCP `disabled: true`) are kept for linting but never evaluated. */
  disabled?: boolean;
  /** Put there by the cloud, not written by the user (Azure default rules): evaluated, never reported as shadowed. */
  builtIn?: boolean;
  /**
   * A rule every ruleset of its platform has, named for messages, as its findings sit on the resource that holds it
   * ("Azure's default rule AllowVnetInBound (priority 65000)").
   */
  platform?: string;
}

export interface Chain {
  name: string;
  /** Base chains have a hook; user chains do not. */
  hook?: Hook;
  /** Lower runs first; iptables filter = 0, nat prerouting = -100, mangle = -150, raw = -300. */
  priority?: number;
  /** nft chain type / iptables table: filter, nat, route (mangle). */
  type?: 'filter' | 'nat' | 'route';
  /** Base chains only: what happens when evaluation reaches the end. */
  policy?: 'accept' | 'drop';
  policySpan?: Span;
  /** Cloud: the policy is implicit (AWS default deny, GCP implied rules); for messages. */
  policyImplicit?: boolean;
  rules: Rule[];
  span: Span;
}

export interface Table {
  name: string;
  family: TableFamily;
  chains: Chain[];
  span: Span;
}

/**
 * What protects one target: an iptables/nft host, one AWS security group (plus
 * NACLs where the input ties them together), a GCP network as seen by one target
 * tag, an Azure NSG. A document may hold several.
 */
export interface Ruleset {
  /** Human name: file name, "sg-123 (web)", "network default, tag web". */
  name: string;
  /** Names for deployment matching: host names, sg ids/names, tags, NSG names. */
  targets: string[];
  tables: Table[];
  /** Families this ruleset filters; iptables-save → ['ipv4'], ip6tables → ['ipv6'], inet/cloud → both. */
  families: Family[];
  /** Cloud rulesets: the direction modelled (ingress → hook input). */
  kind: 'netfilter' | 'cloud';
  /**
   * nftables: the `flush ruleset` that makes the document the host's whole ruleset (`nft -f` otherwise adds to what
   * is loaded). A family that none of its tables filters on a hook is then not filtered there at all.
   */
  replaces?: Span;
}

/**
 * The families a ruleset says nothing of: those none of its tables filters when it does not replace the host's
 * ruleset (an nft file or listing without `flush ruleset`, an iptables-save dump of one family). The host's other
 * rules decide them — unknown here, never closed on this file's word.
 */
export function familiesLeftToHost(rs: Ruleset): Family[] {
  return rs.families.length > 0 && !rs.replaces ? (['ipv4', 'ipv6'] as const).filter((f) => !rs.families.includes(f)) : [];
}

/** What a parser returns for one file. */
export interface FirewallDocument {
  /** Format id, e.g. "iptables-save", "iptables-script", "nftables", "nftables-json", "aws-sg-json". */
  format: string;
  rulesets: Ruleset[];
  diagnostics: Diagnostic[];
  /** Comments with their spans (for inline directives and suppressions). */
  comments: DocComment[];
}

export interface DocComment {
  /** Text without the comment marker. */
  value: string;
  span: Span;
  /** Line comment (#, //) or block comment. */
  type: 'Line' | 'Block';
}
