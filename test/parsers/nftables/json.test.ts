import { describe, expect, it } from 'vitest';
import { canonicalRuleset } from '../../../src/model/index.js';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';
import { at, chainOf, diags, rulesOf } from './helpers.js';

const wrap = (...items: unknown[]) => JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6', json_schema_version: 1 } }, ...items] }, null, 2);
const table = { table: { family: 'inet', name: 't', handle: 1 } };
const base = { chain: { family: 'inet', table: 't', name: 'in', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } };
const rule = (...expr: unknown[]) => ({ rule: { family: 'inet', table: 't', chain: 'in', expr } });
const match = (left: unknown, right: unknown, op = '==') => ({ match: { op, left, right } });
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });

describe('nft -j JSON', () => {
  it('a set of tcp flags values with an OR in it reads as the text does (nft -j 1.0.6 writes syn|ack as {"|": [...]})', () => {
    // `tcp flags { syn, syn | ack } accept`, as nft -j list ruleset gives it back
    const src = wrap(table, base, rule(match(payload('tcp', 'flags'), { set: [{ '|': ['syn', 'ack'] }, 'syn'] }), { accept: null }));
    const doc = parseNftablesJson(src);
    expect(doc.diagnostics).toEqual([]);
    const text = parseNftables('table inet t {\n chain in {\n  type filter hook input priority 0; policy drop;\n  tcp flags { syn | ack, syn } accept\n }\n}\n');
    expect(rulesOf(doc, 'in')).toEqual(rulesOf(text, 'in'));
    expect(rulesOf(doc, 'in')[0]).not.toContain('opaque');
  });
  it('a set update or mangle naming header fields keeps the rule to their protocol (nft -j hides the dependency)', () => {
    // `add @s4 { ip saddr } drop` / `meta mark set ip dscp map {…}` in an inet table: IPv4 only, as the kernel does
    const src = wrap(
      table,
      base,
      rule(match(payload('udp', 'dport'), 5000), { set: { op: 'add', elem: payload('ip', 'saddr'), set: '@s4' } }, { drop: null }),
      rule(match(payload('udp', 'dport'), 5001), { set: { op: 'update', elem: { elem: { val: payload('ip6', 'saddr'), timeout: 60 } }, set: '@s6' } }, { drop: null }),
      rule({ mangle: { key: { meta: { key: 'mark' } }, value: { map: { key: payload('ip', 'dscp'), data: { set: [['cs0', 1]] } } } } }, { accept: null }),
    );
    const doc = parseNftablesJson(src);
    expect(doc.diagnostics).toEqual([]);
    expect(rulesOf(doc, 'in')).toEqual(['dstport=5000 family=ipv4 proto=17 => drop', 'dstport=5001 family=ipv6 proto=17 => drop', 'family=ipv4 opaque:ip dscp => accept']);
    // (the mark's map lookup breaks the rule for a DSCP not in it: the accept takes cs0 alone, an opaque DSCP test)
  });

  it('a map update reads its data fields too, and a ct helper chosen by header fields keeps their protocol (as the text reader)', () => {
    // `update @m { ip saddr : tcp sport } drop` and `ct helper set udp dport map { 69 : "tftp" }` in an inet table
    const src = wrap(
      table,
      base,
      rule({ map: { op: 'update', elem: payload('ip', 'saddr'), data: payload('tcp', 'sport'), map: '@m' } }, { drop: null }),
      rule({ 'ct helper': { map: { key: payload('udp', 'dport'), data: { set: [[69, 'tftp']] } } } }, { accept: null }),
    );
    const doc = parseNftablesJson(src);
    expect(doc.diagnostics).toEqual([]);
    expect(rulesOf(doc, 'in')).toEqual(['family=ipv4 proto=6 => drop', 'dstport=69 proto=17 => accept']);
    // (the helper's map lookup breaks the rule for a port not in it: the accept takes port 69 alone)
  });

  it('maps tables, base chains and rules', () => {
    const src = wrap(
        table,
        base,
        rule(match(payload('tcp', 'dport'), { range: [1761, 1768] }), { counter: { packets: 0, bytes: 0 } }, { accept: null }),
        rule(match(payload('ip6', 'saddr'), { prefix: { addr: 'fe80::', len: 10 } }), match({ meta: { key: 'l4proto' } }, { set: ['tcp', 'udp'] }), { drop: null }),
        rule(match({ ct: { key: 'state' } }, ['established', 'related'], 'in'), { accept: null }),
        rule(match({ meta: { key: 'iifname' } }, 'eth*', '!='), { reject: { type: 'tcp reset' } }),
        rule({ counter: null }),
      );
    const doc = parseNftablesJson(src, { filePath: 'x.json' });
    expect(doc.format).toBe('nftables-json');
    expect(doc.diagnostics).toEqual([]);
    const c = chainOf(doc, 'in');
    expect([c.hook, c.priority, c.type, c.policy]).toEqual(['input', 0, 'filter', 'drop']);
    expect(rulesOf(doc, 'in')).toEqual([
      'dstport=1761-1768 proto=6 => accept',
      'family=ipv6 proto=6, 17 srcaddr=fe80::/10 => drop',
      'ct=established,related => accept',
      // (a TCP reset: only TCP packets take the rule, as nft's own `meta l4proto tcp` before it says)
      '!inif=eth+ proto=6 => reject',
      ' => continue counter',
    ]);
    // the rule object is the span; the dport value is the report span
    const r0 = c.rules[0]!;
    const start = src.indexOf('"rule": {') + '"rule": '.length;
    expect(r0.span.start.offset).toBe(start);
    expect(r0.span.start.line).toBe(src.slice(0, start).split('\n').length);
    expect(r0.span.start.column).toBe(start - src.lastIndexOf('\n', start - 1));
    expect(JSON.parse(src.slice(r0.span.start.offset, r0.span.end.offset))).toMatchObject({ chain: 'in', expr: [{ match: { right: { range: [1761, 1768] } } }, {}, {}] });
    expect(JSON.parse(src.slice(r0.reportSpan!.start.offset, r0.reportSpan!.end.offset))).toEqual({ range: [1761, 1768] });
    expect(at(r0.span)).toBe('29:15-61:8');
  });

  it('vmaps, named sets and dynamic sets', () => {
    const doc = parseNftablesJson(
      wrap(
        table,
        base,
        { chain: { family: 'inet', table: 't', name: 'ssh', handle: 2 } },
        { set: { family: 'inet', table: 't', name: 'ports', type: 'inet_service', handle: 3, flags: ['interval'], elem: [22, { range: [1761, 1768] }] } },
        { set: { family: 'inet', table: 't', name: 'dyn', type: 'ipv4_addr', handle: 4, flags: ['dynamic'] } },
        rule(match(payload('tcp', 'dport'), '@ports'), { vmap: { key: payload('ip', 'saddr'), data: { set: [['10.0.0.1', { jump: { target: 'ssh' } }], ['*', { drop: null }]] } } }),
        rule(match(payload('ip', 'saddr'), '@dyn'), { drop: null }),
        rule({ set: { op: 'add', elem: payload('ip', 'saddr'), set: '@dyn' } }),
      ),
    );
    expect(doc.diagnostics).toEqual([]);
    expect(rulesOf(doc, 'in')).toEqual([
      'dstport=22, 1761-1768 family=ipv4 proto=6 srcaddr=10.0.0.1/32 => jump ssh',
      '!srcaddr=10.0.0.1/32 dstport=22, 1761-1768 family=ipv4 proto=6 => drop',
      'family=ipv4 opaque:set => drop',
      // (`ip saddr` in the set update: nft keeps the rule to IPv4)
      'family=ipv4 => continue set',
    ]);
  });

  it('a meter\'s statement is one object, not an array: its rate limit may or may not let the packet through', () => {
    // `nft -j list ruleset` of `tcp dport 1761 meter flood { ip saddr limit rate over 10/second } drop` (nft 1.0.6);
    // the limit was missed and the drop was certain, where the kernel accepts every source under the rate
    const meter = { meter: { key: { elem: { val: payload('ip', 'saddr'), timeout: 10 } }, stmt: { limit: { rate: 10, burst: 5, per: 'second', inv: true } }, size: 128000, name: 'flood' } };
    const doc = parseNftablesJson(wrap(table, { chain: { ...base.chain, policy: 'accept' } }, rule(match(payload('tcp', 'dport'), 1761), meter, { drop: null })));
    expect(rulesOf(doc, 'in')).toEqual(['dstport=1761 opaque:set proto=6 => drop']);
  });

  it('commands: add, insert, flush, delete', () => {
    const doc = parseNftablesJson(
      wrap(
        { add: table },
        { add: base },
        { add: rule({ accept: null }) },
        { insert: rule({ drop: null }) },
        { add: { table: { family: 'ip', name: 'gone' } } },
        { delete: { table: { family: 'ip', name: 'gone' } } },
      ),
    );
    expect(doc.diagnostics).toEqual([]);
    expect(doc.rulesets[0]!.tables.map((t) => t.name)).toEqual(['t']);
    expect(rulesOf(doc, 'in')).toEqual([' => drop', ' => accept']);
  });

  it('delete/replace rule by handle and add rule by index leave the chain undecided, as in text', () => {
    const drop = rule(match(payload('tcp', 'dport'), 1761), { drop: null });
    const doc = parseNftablesJson(wrap({ add: table }, { add: { ...base, chain: { ...base.chain, policy: 'accept' } } }, { add: drop }, { delete: { rule: { family: 'inet', table: 't', chain: 'in', handle: 2 } } }));
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['nftables-json/rule-handle']);
    expect(rulesOf(doc, 'in')).toEqual(['opaque:rule handle => accept', 'dstport=1761 proto=6 => drop']);
    expect(chainOf(doc, 'in').rules[0]!.text).toBe('delete rule inet t in handle 2');
    const idx = parseNftablesJson(wrap({ add: table }, { add: base }, { add: { rule: { ...drop.rule, index: 0 } } }));
    expect(rulesOf(idx, 'in')).toEqual(['opaque:rule handle => accept', 'dstport=1761 opaque:rule handle proto=6 => drop']);
    // an insert by index or handle goes after the undecided rule (it was put first: a certain drop)
    const accept22 = rule(match(payload('tcp', 'dport'), 1761), { accept: null });
    const ins = parseNftablesJson(wrap({ add: table }, { add: base }, { add: accept22 }, { insert: { rule: { ...drop.rule, index: 1 } } }));
    expect(rulesOf(ins, 'in')).toEqual(['opaque:rule handle => accept', 'dstport=1761 opaque:rule handle proto=6 => drop', 'dstport=1761 proto=6 => accept']);
    // libnftables-json(5): in add/insert commands a rule's handle names the rule to append/prepend it to
    const byHandle = parseNftablesJson(wrap({ add: table }, { add: base }, { add: accept22 }, { insert: { rule: { ...drop.rule, handle: 2 } } }, { add: { rule: { ...drop.rule, handle: 2 } } }));
    expect(byHandle.diagnostics.map((d) => d.code)).toEqual(['nftables-json/rule-handle', 'nftables-json/rule-handle']);
    expect(rulesOf(byHandle, 'in')).toEqual(['opaque:rule handle => accept', 'dstport=1761 opaque:rule handle proto=6 => drop', 'dstport=1761 opaque:rule handle proto=6 => drop', 'dstport=1761 proto=6 => accept']);
    // the list output's handles are not positions
    expect(rulesOf(parseNftablesJson(wrap(table, base, { rule: { ...drop.rule, handle: 4 } })), 'in')).toEqual(['dstport=1761 proto=6 => drop']);
  });

  it('statements nft prints as text (chain bindings, map updates) go through the text parser', () => {
    const doc = parseNftablesJson(wrap(table, base, rule(match(payload('tcp', 'dport'), 22), 'jump {\n\t\t\tip saddr 10.0.0.0/8 accept\n\t\t}')));
    expect(doc.diagnostics).toEqual([]);
    expect(rulesOf(doc, 'in')).toEqual(['dstport=22 proto=6 => jump __chain0']);
    expect(rulesOf(doc, '__chain0')).toEqual(['family=ipv4 srcaddr=10.0.0.0/8 => accept']);
  });

  it('nat statements carry addresses and ports', () => {
    const doc = parseNftablesJson(
      wrap(table, base, rule({ dnat: { family: 'ip', addr: '10.0.0.2', port: 443 } }), rule({ masquerade: { port: { range: [1024, 2000] } } }), rule({ redirect: null })),
    );
    expect(rulesOf(doc, 'in')).toEqual(['family=ipv4 => nat dnat 10.0.0.2/32 :443', ' => nat masquerade :1024-2000', ' => nat redirect']);
  });

  it('reports schema errors with the JSON path and the position', () => {
    const text = '{\n  "nftables": [\n    { "table": { "family": "ip", "name": "t" } },\n    { "tabel": {} },\n    { "chain": {}, "rule": {} },\n    []\n  ],\n  "extra": 1\n}\n';
    const doc = parseNftablesJson(text);
    expect(doc.diagnostics.map((d) => `${d.code} ${at(d.span)} ${d.message}`)).toEqual([
      'nftables-json/schema 1:1-9:2 /: must NOT have additional properties',
      expect.stringMatching(/^nftables-json\/schema 4:5-4:20 \/nftables\/1: unknown key "tabel"; expected one of: metainfo, table, chain, rule,/),
      'nftables-json/schema 5:5-5:32 /nftables/2: must NOT have more than 1 properties',
      'nftables-json/schema 6:5-6:7 /nftables/3: must be object',
    ]);
    expect(doc.rulesets[0]!.tables.map((t) => t.name)).toEqual(['t']);
  });

  it('reports JSON syntax errors with a position and never throws', () => {
    const doc = parseNftablesJson('{"nftables": [ {"table": ');
    expect(diags(doc)).toEqual(['error json/syntax 1:26-1:26']);
    expect(doc.diagnostics[0]!.span.start.offset).toBe(25);
    expect(doc.rulesets[0]!.tables).toEqual([]);
    expect(diags(parseNftablesJson('[]'))).toEqual(['error nftables-json/schema 1:1-1:3']);
  });

  it('gives the same model as the text parser for the same ruleset', () => {
    const text = parseNftables('table inet t {\n chain in {\n  type filter hook input priority filter; policy drop;\n  ip saddr . tcp dport { 10.0.0.1 . 22 } accept\n  icmpv6 type echo-request accept\n }\n}\n');
    const json = parseNftablesJson(
      wrap(
        table,
        base,
        rule(match({ concat: [payload('ip', 'saddr'), payload('tcp', 'dport')] }, { set: [{ concat: ['10.0.0.1', 22] }] }), { accept: null }),
        rule(match(payload('icmpv6', 'type'), 'echo-request'), { accept: null }),
      ),
    );
    expect(canonicalRuleset(json.rulesets[0]!)).toEqual(canonicalRuleset(text.rulesets[0]!));
  });

  it('a TCP reset carries the protocol nft puts before it, as in text', () => {
    const text = parseNftables('table inet t {\n chain in {\n  type filter hook input priority filter; policy drop;\n  ip saddr 10.0.0.0/8 reject with tcp reset\n }\n}\n');
    const json = parseNftablesJson(wrap(table, base, rule(match(payload('ip', 'saddr'), { prefix: { addr: '10.0.0.0', len: 8 } }), { reject: { type: 'tcp reset' } })));
    expect(json.diagnostics).toEqual([]);
    expect(canonicalRuleset(json.rulesets[0]!)).toEqual(canonicalRuleset(text.rulesets[0]!));
    expect(json.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.matches.map((m) => m.kind)).toEqual(['family', 'address', 'protocol']);
  });

  it('an undecodable match quotes its own statement as nft writes it, not the whole rule object', () => {
    const doc = parseNftablesJson(wrap(table, base, rule(match(payload('tcp', 'dport'), 1761), match({ meta: { key: 'mark' } }, 1), { accept: null })));
    const m = chainOf(doc, 'in').rules[0]!.matches.find((x) => x.kind === 'opaque');
    expect(m).toMatchObject({ kind: 'opaque', module: 'meta mark', text: 'meta mark 1' });
    expect(at(m!.span)).toBe('46:11-56:12');
  });

  it('a th port test (and a verdict map keyed by one) is named as nft writes it, not as its JSON object', () => {
    // th dport reads bytes of any transport header: on protocols without ports it is undecided, and the reason names it
    const vmap = { vmap: { key: payload('th', 'dport'), data: { set: [[22, { accept: null }], [{ range: [5000, 5002] }, { drop: null }]] } } };
    const doc = parseNftablesJson(wrap(table, base, rule(match(payload('th', 'dport'), { set: [80, 1768] }), { accept: null }), rule(vmap)));
    expect(diags(doc)).toEqual([]);
    const texts = chainOf(doc, 'in').rules.flatMap((r) => r.matches.flatMap((m) => (m.kind === 'any-of' ? m.alternatives.flat().flatMap((x) => (x.kind === 'opaque' ? [x.text] : [])) : [])));
    expect(texts).toEqual(['th dport { 80, 1768 }', 'th dport { 22 }', 'th dport { 5000-5002 }']);
  });

  it('an ingress chain\'s "dev" restricts its rules as the text "device" does', () => {
    const text = parseNftables('table netdev e {\n chain in {\n  type filter hook ingress device "eth0" priority -500; policy accept;\n  tcp dport 1761 drop\n }\n}\n');
    const json = parseNftablesJson(
      wrap({ table: { family: 'netdev', name: 'e' } }, { chain: { family: 'netdev', table: 'e', name: 'in', type: 'filter', hook: 'ingress', prio: -500, dev: 'eth0', policy: 'accept' } }, { rule: { family: 'netdev', table: 'e', chain: 'in', expr: [match(payload('tcp', 'dport'), 1761), { drop: null }] } }),
    );
    expect(json.diagnostics).toEqual([]);
    expect(rulesOf(json, 'in')).toEqual(['dstport=1761 inif=eth0 proto=6 => drop']);
    expect(rulesOf(json, 'in')).toEqual(rulesOf(text, 'in'));
    // nft 1.0.6 -j writes no "dev": the device test is undecided, the chain's drops may not apply
    const nodev = parseNftablesJson(
      wrap({ table: { family: 'netdev', name: 'e' } }, { chain: { family: 'netdev', table: 'e', name: 'in', type: 'filter', hook: 'ingress', prio: -500, policy: 'accept' } }, { rule: { family: 'netdev', table: 'e', chain: 'in', expr: [match(payload('tcp', 'dport'), 1761), { drop: null }] } }),
    );
    expect(rulesOf(nodev, 'in')).toEqual(['dstport=1761 opaque:device proto=6 => drop']);
  });

  it('reads ct status dnat (op "in") as the text parser does', () => {
    const text = parseNftables('table inet t {\n chain in {\n  type filter hook input priority filter; policy drop;\n  ct status dnat accept\n  ct status snat,dnat drop\n }\n}\n');
    const json = parseNftablesJson(wrap(table, base, rule(match({ ct: { key: 'status' } }, 'dnat', 'in'), { accept: null }), rule(match({ ct: { key: 'status' } }, ['snat', 'dnat'], 'in'), { drop: null })));
    expect(json.diagnostics).toEqual([]);
    expect(canonicalRuleset(json.rulesets[0]!)).toEqual(canonicalRuleset(text.rulesets[0]!));
    expect(json.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.matches.map((m) => m.kind)).toEqual(['ctstate']);
  });

  it('reads conntrack original-tuple addresses as nft -j writes them (the family inside the key)', () => {
    const text = parseNftables('table inet t {\n chain in {\n  type filter hook input priority filter; policy drop;\n  ct original ip saddr != 10.0.0.0/8 accept\n }\n}\n');
    const json = parseNftablesJson(wrap(table, base, rule(match({ ct: { key: 'ip saddr', dir: 'original' } }, { prefix: { addr: '10.0.0.0', len: 8 } }, '!='), { accept: null })));
    expect(json.diagnostics).toEqual([]);
    expect(canonicalRuleset(json.rulesets[0]!)).toEqual(canonicalRuleset(text.rulesets[0]!));
    expect(json.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.matches.map((m) => m.kind)).toEqual(['family', 'ct-original']);
  });

  it("iptables-nft's untranslated extensions (nft -j lists every one as xt): a comment matches, MARK goes on, others stay undecided", () => {
    // nft -j list ruleset on a Calico host: `-m comment --comment "cali:…" -j MARK --set-xmark …` and `-m set … -j DNAT`
    const xt = (type: string, name: string) => ({ xt: { type, name } });
    const json = wrap(
      table,
      base,
      rule(xt('match', 'comment'), xt('target', 'MARK')),
      rule(match(payload('tcp', 'dport'), 22), xt('match', 'comment'), { accept: null }),
      rule(match(payload('tcp', 'dport'), 80), xt('match', 'set'), xt('target', 'DNAT')),
      rule(match({ fib: { result: 'oif', flags: ['saddr', 'mark', 'iif'] } }, false), { drop: null }),
    );
    const doc = parseNftablesJson(json);
    expect(diags(doc)).toEqual([]);
    expect(rulesOf(doc, 'in')).toEqual([' => continue comment xt', 'dstport=22 proto=6 => accept', 'dstport=80 opaque:xt proto=6 => unknown DNAT', 'opaque:fib => drop']);
    const texts = chainOf(doc, 'in').rules.flatMap((r) => r.matches.flatMap((m) => (m.kind === 'opaque' ? [m.text] : [])));
    expect(texts).toEqual(['xt match set', 'fib saddr . mark . iif oif missing']);
    expect(chainOf(doc, 'in').rules[2]!.action).toMatchObject({ kind: 'unknown', target: 'DNAT', text: 'xt target DNAT' });
  });

  it('the text front end reads xt statements alike', () => {
    const doc = parseNftables('table ip filter {\n chain in {\n  type filter hook input priority 0; policy drop;\n  xt match "comment" xt target "MARK"\n  tcp dport 22 xt match "comment" accept\n  tcp dport 80 xt match "set" xt target "DNAT"\n }\n}\n');
    expect(diags(doc)).toEqual([]);
    expect(rulesOf(doc, 'in')).toEqual([' => continue comment xt', 'dstport=22 proto=6 => accept', 'dstport=80 opaque:xt proto=6 => unknown DNAT']);
  });

  it('a limit, quota or ct count is quoted as nft lists it, not as its JSON object', () => {
    // ufw's LIMIT-BLOCK log rule through iptables-nft, nft -j list ruleset
    const json = wrap(
      table,
      base,
      rule(match(payload('tcp', 'dport'), 22), { limit: { rate: 3, burst: 10, per: 'minute' } }, { accept: null }),
      rule(match(payload('tcp', 'dport'), 80), { limit: { rate: 1, per: 'second', rate_unit: 'mbytes', burst: 2, burst_unit: 'mbytes', inv: true } }, { drop: null }),
      rule(match(payload('tcp', 'dport'), 443), { quota: { val: 10, val_unit: 'mbytes', inv: true } }, { drop: null }),
      rule(match(payload('tcp', 'dport'), 25), { 'ct count': { val: 20, inv: true } }, { drop: null }),
    );
    const doc = parseNftablesJson(json);
    expect(diags(doc)).toEqual([]);
    const texts = chainOf(doc, 'in').rules.flatMap((r) => r.matches.flatMap((m) => (m.kind === 'opaque' ? [m.text] : [])));
    expect(texts).toEqual(['limit rate 3/minute burst 10 packets', 'limit rate over 1 mbytes/second burst 2 mbytes', 'quota over 10 mbytes', 'ct count over 20']);
  });
});
