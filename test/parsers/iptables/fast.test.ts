import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_START, type Family } from '../../../src/model/index.js';
import { fastAppend, fastRun, type LineCursor } from '../../../src/parsers/iptables/fast.js';
import { V4NetCache } from '../../../src/parsers/iptables/netcache.js';
import { newCache, v4CidrKey, v4CidrSet, type RuleContext } from '../../../src/parsers/iptables/rule.js';
import { parseSave } from '../../../src/parsers/iptables/save.js';
import { LineSpan } from '../../../src/model/index.js';
import { NetfilterState } from '../../../src/parsers/iptables/state.js';

/** The whole document (spans through toJSON, sets through their bounds). */
const ser = (d: unknown): string => JSON.stringify(d, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function file(lines: string[]): string {
  return ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':MY - [0:0]', ...lines, 'COMMIT', ''].join('\n');
}

interface Opts {
  filePath?: string;
  family?: Family;
}

/** Parsed with the fast path, and with every line through the general reader. */
function both(lines: string[], opts: Opts = {}): [string, string] {
  const text = file(lines);
  return [ser(parseSave(text, { ...opts })), ser(parseSave(text, { ...opts, fastPath: false }))];
}

/** Does the fast path take this `-A` line (a fresh filter table with chain MY)? */
function taken(line: string): boolean {
  const state = new NetfilterState(() => undefined);
  const table = state.table('filter', 'ip', DOCUMENT_START);
  state.newChain(table, 'MY', DOCUMENT_START);
  const ctx: RuleContext = { span: (a, b) => LineSpan.of(1, 0, a, b), diag: () => undefined, cache: newCache() };
  const ok = fastAppend(line, 0, line.length, table, state, ctx);
  const rules = [...table.chains.values()].reduce((n, c) => n + c.rules.length, 0);
  // it adds exactly one rule when it takes the line, none when it leaves it
  expect(rules).toBe(ok ? 1 : 0);
  return ok;
}

const TAKEN = [
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A INPUT -s 140.0.135.251/32 -j MY',
  '-A MY -s 43.9.211.110/32 -m comment --comment "host 998" -j LOG --log-prefix "c176 "',
  '-A MY ! -s 61.122.83.143/32 -p udp -m multiport --dports 22858,35025:44081 -j ACCEPT',
  '-A MY -i eth3 -d 24.55.244.4/24 -p tcp -m tcp --dport 15197:33276 -j ACCEPT',
  '-A MY -p tcp -m conntrack --ctstate NEW -m tcp ! --dport 10088 -s 73.17.221.249/32 -j DROP',
  '-A MY -s 119.1.103.46/32 -p tcp -m tcp --dport 65132 -j REJECT --reject-with icmp-port-unreachable',
  '-A INPUT -s 103.22.208.179/32 ! -p tcp -j DROP',
  '-A INPUT -s 0.0.0.0/0 -p udp --sport 53 -j ACCEPT',
  '-A INPUT -m state --state NEW -p tcp --dport :1024 -j RETURN',
  '-A OUTPUT -o wg+ -p icmp -m comment --comment plain',
  '-A INPUT -s 2001:db8::/32 -p ipv6-icmp -j ACCEPT',
  '-A INPUT -p tcp -j NOSUCHCHAIN',
  '-A INPUT -p tcp -m multiport --dports 443,80,22,1000:2000,1500:3000,3001 -j ACCEPT',
  '-A INPUT   -p tcp   --dport 22   -j ACCEPT   ',
  '[12:3456] -A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP',
  '-A INPUT -p tcp --syn -g MY',
  '-A INPUT ! -p tcp -m tcp ! --syn -j ACCEPT',
  '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT',
  '-A INPUT -p icmp --icmp-type 8/0 -j ACCEPT',
  '-A INPUT -p icmp --icmp-type echo-request -j ACCEPT',
  '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT',
  '-A INPUT -s 10.0.0.1/32 -m mac ! --mac-source 00:11:22:33:44:55 -j RETURN',
  '-A INPUT -p tcp -m recent --name SSH --rcheck --seconds 60 --hitcount 4 -m tcp --dport 22 -j DROP',
  '-A INPUT -m limit --limit 5/min --limit-burst 10 -j LOG --log-prefix "x "',
];

const LEFT = [
  '-A INPUT -p tcp -j REJECT --reject-with tcp-reset --reject-with icmp-host-unreachable', // refused: --reject-with once
  '-A INPUT -p tcp --dport 22 --dport 80 -j ACCEPT', // refused: one --dport per tcp match
  '-A INPUT -p tcp --dport 22 -j DROP --reject-with tcp-reset', // refused: DROP takes no option
  '-A INPUT -j NOTRACK', // only valid in the raw table: the general reader says so
  '-A NOPE -j ACCEPT', // unknown chain: diagnosed
  '-A INPUT -s 1.2.3.4,5.6.7.8 -j ACCEPT', // comma list: one rule per address
  '-A INPUT -d 10.0.0.0/8,host.example -j ACCEPT', // comma list after a plain network
  '-A INPUT -s 2001:db8::1,2001:db8::2 -j ACCEPT', // comma list of IPv6 addresses
  '-A INPUT -s host.example -j ACCEPT', // host name: opaque
  '-A INPUT -p tcp --dport ssh -j ACCEPT', // service name
  '-A INPUT -p tcp --dport 2000:1000 -j ACCEPT', // reversed range: warning
  '-A INPUT -p tcp -m multiport --dports 1,,2 -j ACCEPT', // empty item: error
  '-A INPUT -m multiport --dport 22 -j ACCEPT', // no match owns --dport
  '-A INPUT --dport 22 -p tcp -j ACCEPT', // --dport before -p
  '-A INPUT ! -p tcp --dport 22 -j ACCEPT', // a negated -p loads no match
  '-A INPUT -p all -j ACCEPT',
  '-A INPUT -j ACCEPT -m limit --limit 5/min', // a match after the target
  '-A INPUT -m limit --limit=5/min -j ACCEPT', // --opt=value
  '-A INPUT -m mac --mac-source -1 -j ACCEPT', // a value starting with "-"
  '-A INPUT -p sctp -m foo --chunk-types all INIT -j ACCEPT', // an option of a known match
  '-A INPUT -m MAC --mac-source 00:11:22:33:44:55 -j ACCEPT', // upper case
  '-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT', // a known match the fast path does not read
  '-A INPUT -j LOG --log-level 4', // another target option
  '-A INPUT -m recent --rcheck foo -j DROP', // a flag takes no value: "foo" is an error
  '-A INPUT -m comment --comment "a \\" b" -j ACCEPT', // escaped quote
  '-A INPUT -m comment --comment "open -j ACCEPT', // unterminated quote
  '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\t', // tab
  '-A INPUT -j ACCEPT -j DROP', // two targets
  '-A INPUT --reject-with tcp-reset -j REJECT', // target option before -j
  '-A INPUT -s ! 1.2.3.4 -j ACCEPT', // old negation
  '-A INPUT ! ! -s 1.2.3.4 -j ACCEPT',
  '-A INPUT -p tcp ! -m tcp --dport 22', // negated -m
  '-A INPUT --goto MY', // long option
  '-A INPUT -p udp --syn -j DROP', // no tcp match
  '-A INPUT -p tcp --tcp-flags SYN -j DROP', // one argument of two
  '-A INPUT -p icmp --icmp-type nosuchtype -j DROP',
  '-A INPUT -p icmp --icmp-type echo-request/0 -j DROP', // a name takes no code
  '-A INPUT -p tcp --icmp-type 8 -j DROP',
  '[1:x] -A INPUT -j ACCEPT', // bad counters
  '-A INPUT -4 -j ACCEPT',
  '-A INPUT -s', // missing argument
  '[0:0]-A INPUT -j ACCEPT', // counters not separated
  '-A INPUT -j DNAT --to-destination 1.2.3.4', // another target option
];

describe('iptables-save fast path', () => {
  it('takes the lines iptables-save writes for nearly every rule', () => {
    expect(TAKEN.filter((l) => !taken(l))).toEqual([]);
  });

  it('leaves every other line to the general reader', () => {
    expect(LEFT.filter((l) => taken(l))).toEqual([]);
  });

  it('gives the same document as the general reader, line by line', () => {
    for (const line of [...TAKEN, ...LEFT]) {
      const [fast, general] = both([line]);
      expect(fast, line).toBe(general);
    }
  });

  it('gives the same document with a family from the options or the file name', () => {
    const [a, b] = both(TAKEN, { family: 'ipv4' });
    expect(a).toBe(b);
    const [c, d] = both(TAKEN, { filePath: 'rules.v6' });
    expect(c).toBe(d);
    // the IPv6 address is a wrong-family error in an IPv4 file: left to the general reader
    expect(JSON.parse(a).diagnostics.map((x: { code: string }) => x.code)).toEqual(['iptables/wrong-family', 'iptables/unknown-target']);
  });

  it('gives the same document for random lines built from common and odd fragments', () => {
    // mostly what the fast path reads (so that whole lines of it come up), some of what it leaves
    const common = fc.constantFrom(
      '-s 10.0.0.1',
      '-s 10.0.0.0/8',
      '-s 0.0.0.0/0',
      '-d 192.168.1.1/32',
      '-d ::/0',
      '!',
      '-p tcp',
      '-p udp',
      '-p UDP',
      '-p icmp',
      '-p sctp',
      '-m tcp',
      '-m udp',
      '-m multiport',
      '-m conntrack',
      '-m state',
      '-m comment',
      '--dport 22',
      '--dport 1000:2000',
      '--dport :80',
      '--dport 80:',
      '--sport 53',
      '--dports 22,80,443',
      '--dports 1:2,3',
      '--dports 443,80,22',
      '--dports 10:20,15:30,31,9',
      '--dports 5,5,4',
      '--dports 22:22',
      '--dports 022',
      '--sports 7',
      '--ctstate NEW,ESTABLISHED',
      '--ctstate NEW,NEW',
      '--state NEW',
      '--comment "a b"',
      '--comment x',
      '--comment ""',
      '-j ACCEPT',
      '-j DROP',
      '-j REJECT',
      '-j RETURN',
      '--reject-with tcp-reset',
      '--reject-with icmp-host-prohibited',
      '-j NOTRACK',
      '-j MARK',
      '-j LOG',
      '--log-prefix "p: "',
      '-j MY',
      '-j NOPE',
      '-j DNAT',
      '-i eth0',
      '-o lo+',
      '--syn',
      '--tcp-flags SYN,RST SYN',
      '--tcp-flags ALL NONE',
      '-m icmp',
      '-m icmp6',
      '--icmp-type echo-request',
      '--icmp-type 8/0',
      '--icmp-type any',
      '--icmpv6-type 128',
      '-g MY',
      '-m mac',
      '--mac-source 00:11:22:33:44:55',
      '-m limit',
      '--limit 5/min',
      '--limit-burst 10',
      '-m recent',
      '--name SSH',
      '--rcheck',
      '--seconds 60 --hitcount 4',
      '--foo a b c',
    );
    const odd = fc.constantFrom(
      '-s ::1',
      '-s 1.2.3.4,5.6.7.8',
      '-s 010.1.1.1',
      '-p all',
      '-p ipv6-icmp',
      '-p foo',
      '-m limit',
      '--dport 2000:1000',
      '--dport 99999',
      '--dport ssh',
      '--sports 1,,2',
      '--dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16',
      '--ctstate BOGUS',
      '--comment "x"y',
      '--comment "open',
      '--icmp-type bogus',
      '--tcp-flags ALL',
      '-4',
      '-6',
      '--dport',
      '-c 1 2',
      '-f',
      '\t',
      '"q"',
      '-x',
      'word',
    );
    let seen = 0;
    let fastLines = 0;
    const fragment = fc.oneof({ arbitrary: common, weight: 12 }, { arbitrary: odd, weight: 1 });
    // commands that change the chains between -A lines (the fast path remembers the last chain)
    const command = fc.constantFrom('-E MY NEW', '-N NEW', '-X MY', '-F MY', '-A NEW -j ACCEPT', 'COMMIT\n*filter\n:MY - [0:0]', 'COMMIT\n*nat\n:MY - [0:0]', '-A OUTPUT -j MY');
    const line = fc
      .tuple(fc.constantFrom('-A INPUT', '-A MY', '-A NOPE', '-A  INPUT', '-I INPUT', '[1:20] -A INPUT', '[1:2]  -A MY', '[1:] -A INPUT'), fc.array(fragment, { maxLength: 8 }), fc.constantFrom('', ' ', '  '))
      .map(([head, parts, tail]) => [head, ...parts].join(' ') + tail);
    fc.assert(
      fc.property(fc.array(fc.oneof({ arbitrary: line, weight: 6 }, { arbitrary: command, weight: 1 }), { minLength: 1, maxLength: 6 }), fc.constantFrom<Opts>({}, { family: 'ipv4' }, { filePath: 'rules.v6' }), (lines, opts) => {
        const [fast, general] = both(lines, opts);
        expect(fast).toBe(general);
        for (const l of lines) {
          if (!l.startsWith('-A')) continue;
          seen++;
          if (taken(l)) fastLines++;
        }
      }),
      { numRuns: 500 },
    );
    // the comparison is worth something only if many lines took the fast path
    expect(fastLines).toBeGreaterThan(seen / 10);
  });
});

describe('iptables-save fast path: an exception in a line', () => {
  it('leaves nothing of that line to the next one', () => {
    const state = new NetfilterState(() => undefined);
    const table = state.table('filter', 'ip', DOCUMENT_START);
    state.newChain(table, 'MY', DOCUMENT_START);
    const ctx: RuleContext = {
      span: (a, b) => LineSpan.of(1, 0, a, b),
      diag: () => undefined,
      cache: newCache(),
      sawFamily: (f) => {
        if (f === 'ipv6') throw new Error('boom');
      },
    };
    // the address match is read, then -p ipv6-icmp throws (parseSave would turn it into a diagnostic)
    const bad = '-A MY -s 10.0.0.1 -p ipv6-icmp -j ACCEPT';
    expect(() => fastAppend(bad, 0, bad.length, table, state, ctx)).toThrow('boom');
    const next = '-A MY -j DROP';
    expect(fastAppend(next, 0, next.length, table, state, ctx)).toBe(true);
    const rules = table.chains.get('MY')!.rules;
    expect(rules.map((r) => [r.text, r.matches.length, r.action.kind])).toEqual([['-A MY -j DROP', 0, 'drop']]);
  });
});

describe('iptables-save fast path: a run of lines (fastRun)', () => {
  function setup(throwOn6: boolean) {
    const state = new NetfilterState(() => undefined);
    const table = state.table('filter', 'ip', DOCUMENT_START);
    state.newChain(table, 'MY', DOCUMENT_START);
    const diags: [string, number, number, number][] = [];
    const at: LineCursor = { line: 1, start: 0, end: 0, nl: 0 };
    const ctx: RuleContext = {
      span: (a, b) => LineSpan.of(at.line, at.start, a, b),
      diag: (_s, code, _m, a, b) => diags.push([code, at.line, a, b]),
      cache: newCache(),
      sawFamily: (f) => {
        if (throwOn6 && f === 'ipv6') throw new Error('boom');
      },
    };
    return { state, table, diags, at, ctx };
  }

  it('reads the lines it takes and stops on the last one, before the first it does not take', () => {
    const { state, table, diags, at, ctx } = setup(false);
    const text = '-A MY -j ACCEPT\r\n-A MY -s 10.0.0.1 -j DROP\n-A MY -s 10.0.0.1,10.0.0.2 -j DROP\n-A MY -j RETURN\n';
    const nl = text.indexOf('\n');
    expect(fastRun(text, at, nl - 1, nl, text.length, table, state, ctx)).toBe(true);
    expect(at.line).toBe(2);
    expect(at.start).toBe(nl + 1);
    expect(at.end).toBe(text.indexOf('\n', nl + 1));
    expect(at.nl).toBe(at.end);
    const rules = table.chains.get('MY')!.rules;
    expect(rules.map((r) => [r.text, r.span.start.line, r.action.kind])).toEqual([
      ['-A MY -j ACCEPT', 1, 'accept'],
      ['-A MY -s 10.0.0.1 -j DROP', 2, 'drop'],
    ]);
    expect(diags).toEqual([]);
  });

  it('does not take a first line it cannot read, and leaves the cursor', () => {
    const { state, table, at, ctx } = setup(false);
    const text = '-N OTHER\n-A MY -j ACCEPT\n';
    expect(fastRun(text, at, 8, 8, text.length, table, state, ctx)).toBe(false);
    expect([at.line, at.start]).toEqual([1, 0]);
    expect(table.chains.get('MY')!.rules).toEqual([]);
  });

  it('gives a line that throws a diagnostic of its own and reads on, keeping nothing of it', () => {
    const { state, table, diags, at, ctx } = setup(true);
    const text = '-A MY -j ACCEPT\n-A MY -s 10.0.0.1 -p ipv6-icmp -j ACCEPT\n-A MY -j DROP';
    const nl = text.indexOf('\n');
    expect(fastRun(text, at, nl, nl, text.length, table, state, ctx)).toBe(true);
    expect([at.line, at.end, at.nl]).toEqual([3, text.length, text.length]);
    const second = nl + 1;
    expect(diags).toEqual([['iptables/internal', 2, second, text.indexOf('\n', second)]]);
    const rules = table.chains.get('MY')!.rules;
    expect(rules.map((r) => [r.text, r.matches.length, r.action.kind])).toEqual([
      ['-A MY -j ACCEPT', 0, 'accept'],
      ['-A MY -j DROP', 0, 'drop'],
    ]);
  });
});

describe('iptables-save fast path: chains', () => {
  it('appends to the right chain among many, in any order (colliding name hashes included)', () => {
    const n = 4500; // more chains than the CHAIN_SLOTS (4096) slots of the chain table
    const names = Array.from({ length: n }, (_, k) => `C${k}`);
    const order = Array.from({ length: 3 * n }, (_, k) => (k * 7919) % n);
    const text = ['*filter', ':INPUT DROP [0:0]', ...names.map((c) => `:${c} - [0:0]`), ...order.map((k, j) => `-A ${names[k]} -s 10.0.${j >> 8}.${j & 255} -j ACCEPT`), 'COMMIT', ''].join('\n');
    const fast = parseSave(text);
    expect(ser(fast)).toBe(ser(parseSave(text, { fastPath: false })));
    const chains = fast.rulesets[0]!.tables[0]!.chains;
    expect(chains.filter((c) => c.name.startsWith('C')).map((c) => c.rules.length)).toEqual(names.map(() => 3));
    expect(fast.diagnostics).toEqual([]);
  });
});

describe('iptables-save fast path: multiport lists', () => {
  it('gives each list its own set when hundreds of lists repeat (colliding hashes included)', () => {
    const lists = Array.from({ length: 600 }, (_, k) => `${k + 1},${k + 2000}:${k + 2100}`);
    const order = Array.from({ length: 1800 }, (_, k) => (k * 7919) % lists.length);
    const text = ['*filter', ':INPUT DROP [0:0]', ...order.map((k) => `-A INPUT -p tcp -m multiport --dports ${lists[k]} -j ACCEPT`), 'COMMIT', ''].join('\n');
    const fast = parseSave(text);
    expect(ser(fast)).toBe(ser(parseSave(text, { fastPath: false })));
    const rules = fast.rulesets[0]!.tables[0]!.chains.find((c) => c.name === 'INPUT')!.rules;
    const ports = rules.map((r) => r.matches[1]);
    expect(ports.map((m) => (m?.kind === 'port' ? [...m.ports.bounds] : []))).toEqual(order.map((k) => [k + 1, k + 2, k + 2000, k + 2101]));
  });
});

describe('iptables-save fast path: single ports', () => {
  it('shares one set per port number, at the edges of the pages of 256 ports too', () => {
    const ports = [0, 255, 256, 443, 8080, 65279, 65280, 65535];
    const lines = [...ports, ...ports].map((p) => `-A INPUT -p tcp --dport ${p} -j ACCEPT`);
    const text = ['*filter', ':INPUT DROP [0:0]', ...lines, 'COMMIT', ''].join('\n');
    const rules = parseSave(text).rulesets[0]!.tables[0]!.chains.find((c) => c.name === 'INPUT')!.rules;
    const sets = rules.map((r) => (r.matches[1]?.kind === 'port' ? r.matches[1].ports : undefined));
    expect(sets.map((s) => [...(s?.bounds ?? [])])).toEqual([...ports, ...ports].map((p) => [p, p + 1]));
    for (let k = 0; k < ports.length; k++) expect(sets[k + ports.length]).toBe(sets[k]);
  });
});

describe('V4NetCache', () => {
  const sets = (n: number) => Array.from({ length: n }, (_, k) => v4CidrSet(k * 64 + 32));

  it('returns what was stored under the exact key, nothing for other keys', () => {
    const c = new V4NetCache();
    expect(c.get(v4CidrKey('10.0.0.0/8', 0, 10))).toBeUndefined();
    const a = v4CidrSet(v4CidrKey('10.0.0.0/8', 0, 10));
    c.set(v4CidrKey('10.0.0.0/8', 0, 10), a);
    expect(c.get(v4CidrKey('10.1.2.3/8', 0, 10))).toBe(a); // same network
    expect(c.get(v4CidrKey('10.0.0.0/9', 0, 10))).toBeUndefined(); // same address, other length
    expect(c.get(v4CidrKey('255.255.255.255', 0, 15))).toBeUndefined();
  });

  it('keeps the first 4096 networks (colliding slots included) and caches no more', () => {
    const c = new V4NetCache();
    const all = sets(5000);
    all.forEach((s, k) => c.set(k * 64 + 32, s));
    const kept = all.filter((s, k) => c.get(k * 64 + 32) === s).length;
    expect(kept).toBe(4096);
    expect(c.get(4095 * 64 + 32)).toBe(all[4095]);
    expect(c.get(4096 * 64 + 32)).toBeUndefined();
  });
});

describe('LineSpan', () => {
  it('gives 1-based columns and offsets on the line, as a plain span would', () => {
    const s = LineSpan.of(7, 100, 104, 110);
    expect([s.start, s.end]).toEqual([
      { line: 7, column: 5, offset: 104 },
      { line: 7, column: 11, offset: 110 },
    ]);
    expect(JSON.parse(JSON.stringify(s))).toEqual({ start: s.start, end: s.end });
    expect(LineSpan.of(1, 0, 0, 0).end).toEqual({ line: 1, column: 1, offset: 0 });
  });

  it('falls back to a six-field span beyond 64 K columns or 32 K characters', () => {
    const far = LineSpan.of(2, 10, 10 + 70000, 10 + 70005);
    expect(far).not.toBeInstanceOf(LineSpan);
    expect([far.start.column, far.end.column, far.end.offset]).toEqual([70001, 70006, 70015]);
    const long = LineSpan.of(2, 10, 11, 11 + 40000);
    expect(long).not.toBeInstanceOf(LineSpan);
    expect([long.start.column, long.end.column]).toEqual([2, 40002]);
    const edge = LineSpan.of(3, 0, 65535, 65535 + 32767);
    expect(edge).toBeInstanceOf(LineSpan);
    expect([edge.start.column, edge.end.column, edge.end.offset]).toEqual([65536, 98303, 98302]);
  });
});
