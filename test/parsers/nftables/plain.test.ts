import { describe, expect, it } from 'vitest';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';
import { classifyPacket, computeExposure, tracePacket } from '../../../src/analysis/index.js';

// What an nftables test of header fields the sender chooses gives for the plain packets (TTL 64, 28–100 bytes, DSCP
// 0, no IPv6 extension headers or IPv4 options), kept on its opaque match as `plain` (before its negation)
const plainOf = (expr: string) => {
  const doc = parseNftables(`table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${expr} drop\n }\n}\n`);
  const m = doc.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.matches.find((x) => x.kind === 'opaque');
  return m?.kind === 'opaque' ? [m.plain, m.negated === true] : 'no opaque match';
};

describe('nftables tests of header fields: plain', () => {
  it.each([
    ['ip ttl < 5', [false, false]],
    ['ip ttl 64', [true, false]],
    ['ip ttl != 64', [true, true]], // holds, before the negation; the match as written does not
    ['ip ttl > 100', [false, false]],
    ['ip ttl { 1, 2, 64 }', [true, false]],
    ['ip6 hoplimit 1', [false, false]],
    ['meta length > 1000', [false, false]],
    ['meta length 0-1500', [true, false]],
    ['meta length 50-60', [undefined, false]], // a 42-byte datagram is outside, a 60-byte SYN inside
    ['meta length < 60', [undefined, false]],
    ['ip length 1000-65535', [false, false]],
    ['ip dscp cs1', [false, false]],
    ['ip dscp cs0', [true, false]],
    ['ip6 dscp != cs0', [true, true]],
    ['exthdr rt exists', [false, false]],
    ['exthdr frag missing', [true, false]],
    ['rt type 0', [false, false]],
    ['rt type != 0', [true, true]], // a missing header ends the rule whatever the comparison: false as written
    ['frag more-fragments 1', [false, false]],
    ['meta mark 1', [undefined, false]],
    // the header's version and a plain IPv4 header's length in words (counters in a namespace: UDP over lo passed
    // `ip version 4`, `ip hdrlength 5`, `ip6 version 6`, none passed `ip version != 4`, `ip hdrlength > 5`)
    ['ip version 4', [true, false]],
    ['ip version != 4', [true, true]],
    ['ip hdrlength 5', [true, false]],
    ['ip hdrlength > 5', [false, false]],
    ['ip6 version 6', [true, false]],
    // the plain TCP packet is a SYN with MSS 1460 (PLAIN_PACKET.mss): the SACK-panic hardening drops none of them
    ['tcp option maxseg size 1-500', [false, false]],
    ['tcp option maxseg size != 536-65535', [true, true]],
    ['tcp option maxseg size 1460', [true, false]],
    ['tcp option sack-perm kind 4', [undefined, false]],
    // reverse-path filtering: a plain packet comes from an address this host routes back, so it has an output interface
    ['fib saddr . iif oif missing', [false, false]],
    ['meta nfproto ipv6 fib saddr . mark . iif oif missing', [false, false]],
    ['fib saddr oif exists', [true, false]],
    ['fib saddr . iif oif != 0', [undefined, true]],
    ['fib daddr . iif type local', [undefined, false]], // the destination's type on a route: not the reverse path
  ])('%s → %j', (expr, want) => {
    expect(plainOf(expr)).toEqual(want);
  });
});

describe('nft -j: tcp option maxseg size is read as the text is', () => {
  it('the SACK-panic hardening rule of a listing closes nothing for the plain SYN', async () => {
    const { parseNftablesJson } = await import('../../../src/parsers/nftables/index.js');
    const rule = { family: 'inet', table: 't', chain: 'c', handle: 2, expr: [{ match: { op: '!=', left: { 'tcp option': { name: 'maxseg', field: 'size' } }, right: { range: [536, 65535] } } }, { drop: null }] };
    const doc = parseNftablesJson(
      JSON.stringify({ nftables: [{ table: { family: 'inet', name: 't', handle: 1 } }, { chain: { family: 'inet', table: 't', name: 'c', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } }, { rule }] }),
    );
    const m = doc.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.matches.find((x) => x.kind === 'opaque');
    expect(m?.kind === 'opaque' ? [m.plain, m.negated === true] : 'no opaque match').toEqual([true, true]);
  });
});

// firewalld's IPv6 rpfilter (filter_PREROUTING) before its zone's allowed services: the packets it drops are spoofed
// or asymmetrically routed ones; a service's own clients reach it (kernel: accepted; was "possibly open", trace unknown)
describe('reverse-path filter under a drop closes nothing', () => {
  const text = (rpf: string) =>
    `flush ruleset\ntable inet firewalld {\n chain filter_PREROUTING {\n  type filter hook prerouting priority filter + 10; policy accept;\n  ${rpf}\n }\n chain filter_INPUT {\n  type filter hook input priority filter + 10; policy drop;\n  ct state { established, related } accept\n  udp dport 53 accept\n }\n}\n`;
  const json = JSON.stringify({ nftables: [
    { table: { family: 'inet', name: 'firewalld' } },
    { chain: { family: 'inet', table: 'firewalld', name: 'pre', type: 'filter', hook: 'prerouting', prio: 10, policy: 'accept' } },
    { chain: { family: 'inet', table: 'firewalld', name: 'in', type: 'filter', hook: 'input', prio: 10, policy: 'drop' } },
    { rule: { family: 'inet', table: 'firewalld', chain: 'pre', expr: [
      { match: { op: '==', left: { meta: { key: 'nfproto' } }, right: 'ipv6' } },
      { match: { op: '==', left: { fib: { result: 'oif', flags: ['saddr', 'mark', 'iif'] } }, right: false } },
      { drop: null },
    ] } },
    { rule: { family: 'inet', table: 'firewalld', chain: 'in', expr: [
      { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: 53 } },
      { accept: null },
    ] } },
  ] });
  it.each([
    ['text', text('meta nfproto ipv6 fib saddr . mark . iif oif missing drop')],
    ['text, loose mode', text('fib saddr oif missing drop')],
    ['nft -j', json],
  ])('%s', (_, src) => {
    const doc = src.startsWith('{') ? parseNftablesJson(src) : parseNftables(src);
    expect(doc.diagnostics).toEqual([]);
    const rs = doc.rulesets[0]!;
    const p = { proto: 'udp' as const, dport: 53, src: 'fd00:200::2', dst: 'fd00:200::1', iif: 'eth0' };
    expect(tracePacket(rs, p).verdict).toBe('accept');
    expect(classifyPacket(computeExposure(rs, { hook: 'input' }), p)).toBe('open');
    expect(classifyPacket(computeExposure(rs, { hook: 'input' }), { ...p, dport: 54 })).toBe('closed');
  });
});

// `ip6 nexthdr` is the IPv6 header's next-header field: with an extension header it holds the header's number, not the
// transport protocol. Kernel (namespace, lo): under `ip6 nexthdr tcp tcp dport 2222 drop` (policy accept) a plain SYN
// is dropped and one with a destination-options header (IPV6_DSTOPTS) connects; `meta l4proto tcp` drops both.
describe('ip6 nexthdr decides only packets without extension headers', () => {
  const json = (match: object, verdict: string, policy: string) =>
    JSON.stringify({ nftables: [
      { table: { family: 'ip6', name: 'f' } },
      { chain: { family: 'ip6', table: 'f', name: 'in', type: 'filter', hook: 'input', prio: 0, policy } },
      { rule: { family: 'ip6', table: 'f', chain: 'in', expr: [match, { [verdict]: null }] } },
    ] });
  const nexthdr = (op: string, right: unknown) => ({ match: { op, left: { payload: { protocol: 'ip6', field: 'nexthdr' } }, right } });
  const rs = (src: string) => {
    const doc = src.startsWith('{') ? parseNftablesJson(src) : parseNftables(src);
    expect(doc.diagnostics).toEqual([]);
    return doc.rulesets[0]!;
  };
  const text = (rule: string, policy: string) => `table ip6 f {\n chain in {\n  type filter hook input priority 0; policy ${policy};\n  ${rule}\n }\n}\n`;
  const tcp = { proto: 'tcp' as const, dport: 2222, src: 'fd00::2', dst: 'fd00::1', iif: 'eth0' };
  const udp = { ...tcp, proto: 'udp' as const };
  const verdicts = (r: ReturnType<typeof rs>) => {
    const e = computeExposure(r, { hook: 'input' });
    return [tracePacket(r, tcp).verdict, classifyPacket(e, tcp), tracePacket(r, udp).verdict, classifyPacket(e, udp)];
  };
  it.each([
    // a drop of the written protocol closes nothing (was: tcp closed); the tracer's plain packet is dropped
    ['text', text('ip6 nexthdr tcp drop', 'accept'), ['drop', 'possibly-open', 'accept', 'open']],
    ['nft -j', json(nexthdr('==', 'tcp'), 'drop', 'accept'), ['drop', 'possibly-open', 'accept', 'open']],
    // `!=` accepts every other protocol, and a TCP packet with an extension header (was: tcp closed)
    ['text !=', text('ip6 nexthdr != tcp accept', 'drop'), ['drop', 'possibly-open', 'accept', 'open']],
    ['nft -j !=', json(nexthdr('!=', 'tcp'), 'accept', 'drop'), ['drop', 'possibly-open', 'accept', 'open']],
    ['text set', text('ip6 nexthdr { tcp, udp } accept', 'drop'), ['accept', 'open', 'accept', 'open']],
    // a hop-by-hop header (0) comes before any protocol: every packet may have it
    ['text extension header', text('ip6 nexthdr 0 drop', 'accept'), ['unknown', 'possibly-open', 'unknown', 'possibly-open']],
  ])('%s', (_, src, want) => {
    expect(verdicts(rs(src))).toEqual(want);
  });
});

// A TCP option's field read from a UDP datagram: nft adds no `meta l4proto tcp` (`nft --debug=netlink` shows
// `exthdr load tcpopt` alone) and the kernel ends the rule (NFT_BREAK), `!=` or not. The kernel lab (unshare -n, policy
// drop, `tcp option maxseg size 1460 accept`): a UDP datagram to 10.200.0.1 is dropped. Was: accept, exposure open.
describe('tcp option … size on a packet without a TCP header', () => {
  const text = (r: string) => `table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ${r}\n }\n}\n`;
  const json = (op: string, right: unknown) =>
    JSON.stringify({ nftables: [
      { table: { family: 'inet', name: 't' } },
      { chain: { family: 'inet', table: 't', name: 'c', type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
      { rule: { family: 'inet', table: 't', chain: 'c', expr: [{ match: { op, left: { 'tcp option': { name: 'maxseg', field: 'size' } }, right } }, { accept: null }] } },
    ] });
  it.each([
    ['tcp option maxseg size 1460 accept', 'accept'],
    ['tcp option maxseg size != 1-500 accept', 'accept'],
    ['nft -j ==', 'accept', json('==', 1460)],
    ['nft -j !=', 'accept', json('!=', { range: [1, 500] })],
  ])('%s', (r, tcp, src?: string) => {
    const doc = src ? parseNftablesJson(src) : parseNftables(text(r));
    expect(doc.diagnostics).toEqual([]);
    const rs = doc.rulesets[0]!;
    const p = { proto: 'udp' as const, dport: 53, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0' };
    expect(tracePacket(rs, p).verdict).toBe('drop');
    expect(classifyPacket(computeExposure(rs, { hook: 'input' }), p)).toBe('closed');
    expect(tracePacket(rs, { ...p, proto: 'tcp' }).verdict).toBe(tcp);
    expect(classifyPacket(computeExposure(rs, { hook: 'input' }), { ...p, proto: 'tcp' })).toBe('open');
  });
});
