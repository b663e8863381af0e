import type { AddrSet, Chain, Family, NumSet, Rule, Ruleset, Span, Table } from '../model/index.js';

export type Verdict = 'accept' | 'drop' | 'reject' | 'unknown';

export interface Packet {
  /** Inferred from src/dst when omitted; default ipv4. */
  family?: 'ipv4' | 'ipv6';
  proto: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'sctp' | number;
  dport?: number;
  /** Default 40000. */
  sport?: number;
  /** Default 203.0.113.7 / 2001:db8::7. */
  src?: string;
  /** Default 198.51.100.1 / 2001:db8::1. */
  dst?: string;
  /** Default "eth0". */
  iif?: string;
  /** Default "" for input, "eth1" for forward. */
  oif?: string;
  /** Default input. */
  hook?: 'input' | 'forward';
  /** Default new. */
  state?: 'new' | 'established' | 'related' | 'invalid' | 'untracked';
  /** ICMP / ICMPv6 type and code; when omitted ICMP-type matches are undecidable. */
  icmpType?: number;
  icmpCode?: number;
  /** Cloud: the packet comes from this named principal (security group, tag, service tag) instead of an address. */
  srcPrincipal?: string;
}

export interface TraceStep {
  table: string;
  chain: string;
  line: number;
  text: string;
  /** e.g. "no match", "match: ACCEPT", "jump LOGDROP", "return", "policy DROP", "unknown: -m limit may or may not match". */
  effect: string;
}

export interface TraceResult {
  verdict: Verdict;
  steps: TraceStep[];
  reasons: string[];
}

export type Certainty = 'open' | 'possibly-open';

export interface Reason {
  message: string;
  span?: Span;
  rule?: Rule;
}

export interface ExposureEntry {
  family: Family;
  /** Protocol numbers of this piece. */
  protocols: NumSet;
  /** PORT_UNIVERSE for protocols without ports. */
  dports: NumSet;
  /** Source addresses (of `family`) that reach it. */
  sources: AddrSet;
  /** Named sources (cloud principals) that reach it; [] for netfilter. "*" = any other principal. */
  principals: string[];
  /** Human description of input interfaces: "any", "eth0", "any except docker0". */
  interfaces: string;
  certainty: Certainty;
  /** The accepting rule a user would change; undefined when a policy accepts. */
  rule?: Rule;
  /** Where `rule` (or the accepting policy) lives. */
  chain: Chain;
  table: Table;
  /**
   * Published through DNAT (Docker, kube-proxy): reaches FORWARD. Also set for REDIRECT (stays on INPUT, new port).
   * `loopback`: the NAT takes only packets sent to loopback addresses, these (Docker's `-p 127.0.0.1:5432:5432` is
   * `-d 127.0.0.1/32 ! -i docker0 … -j DNAT`). Only hosts on this host's links can send those — routers do not
   * forward them — but the kernel rewrites them in PREROUTING, before its martian check, and routes them on
   * (checked in namespaces: a neighbour's SYN to 127.0.0.1 reaches the container with route_localnet=0).
   */
  via?: { kind: 'dnat'; rule: Rule; to: string; loopback?: string };
  /** Why possibly-open; [] when open. */
  reasons: Reason[];
}

export interface Exposure {
  ruleset: Ruleset;
  hook: 'input' | 'forward';
  entries: ExposureEntry[];
}

export interface Shadowed {
  rule: Rule;
  chain: Chain;
  table: Table;
  coveredBy: Rule[];
}
