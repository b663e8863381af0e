/**
 * Marks in the exposure engine and the tracer: what MARK/CONNMARK rules set decides later `-m mark`/`-m connmark`
 * tests both ways; a test of the marks a packet arrives with (0, unless tc or eBPF set them) is decided only where
 * that is sound whatever they hold (src/model/marks.ts). test/kernel checks the tracer and the engine against the kernel.
 */
import { describe, expect, test } from 'vitest';
import { computeExposure, tracePacket } from '../../src/analysis/index.js';
import { formatPorts, type Ruleset } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables, parseNftablesJson } from '../../src/parsers/nftables/index.js';
import { exposure, ipt, verdict } from './netfilter-lines.js';

/** A TCP packet's traced verdict. */
const tcp = (rs: Ruleset, dport: number): string => verdict(rs, 'tcp', dport);

const MANGLE = (rules: string) => `*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
${rules}
COMMIT
`;
const FILTER = (rules: string) => `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
${rules}
COMMIT
`;

describe('marks (iptables)', () => {
  test('a mark set in mangle decides the filter tests of it; other packets keep the marks they arrived with', () => {
    const rs = ipt(
      MANGLE('-A PREROUTING -p tcp -m tcp --dport 1761 -j MARK --set-xmark 0x1/0xffffffff\n-A PREROUTING -p tcp -m tcp --dport 1762 -j MARK --set-mark 0x2') +
        FILTER('-A INPUT -m mark --mark 0x2 -j DROP\n-A INPUT -m mark --mark 0x1 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 1760:1765 -j ACCEPT'),
    );
    // 1761: marked 1, accepted at line 15; 1762: marked 2, dropped; the rest arrive unmarked as far as the ruleset
    // says: the drop of mark 2 closes nothing for them, the accept of mark 1 may take them (a mark set by tc)
    expect(exposure(rs)).toEqual([
      '0-5, 7-255 all possibly-open 15',
      'tcp 0-1759, 1766-65535 possibly-open 15',
      'tcp 1761 open 15',
      'tcp 1760, 1763-1765 open 16',
    ]);
    expect([1761, 1762, 1763, 1766].map((p) => tcp(rs, p))).toEqual(['accept', 'drop', 'accept', 'drop']);
  });

  test('kube-proxy: only what KUBE-MARK-DROP marked is dropped by KUBE-FIREWALL', () => {
    const rs = ipt(`*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-MARK-DROP - [0:0]
-A PREROUTING -p tcp -m tcp --dport 30080 ! -s 10.0.0.0/8 -j KUBE-MARK-DROP
-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000
COMMIT
` + FILTER(':KUBE-FIREWALL - [0:0]\n-A INPUT -j KUBE-FIREWALL\n-A INPUT -p tcp -m multiport --dports 22,30080 -j ACCEPT\n-A KUBE-FIREWALL -m mark --mark 0x8000/0x8000 -j DROP'));
    const e = computeExposure(rs, { hook: 'input' }).entries.filter((x) => x.family === 'ipv4');
    expect(e.map((x) => `${formatPorts(x.dports)} ${x.certainty} ${x.sources.toString()}`)).toEqual(['22 open 0.0.0.0/0', '30080 open 10.0.0.0/8']);
    expect(tcp(rs, 30080)).toBe('drop');
    expect(tcp(rs, 22)).toBe('accept');
  });

  test('CONNMARK --save-mark and --restore-mark carry a mark through the connection mark', () => {
    const rs = ipt(
      MANGLE('-A PREROUTING -p tcp -m tcp --dport 1763 -j MARK --set-mark 0x4\n-A PREROUTING -j CONNMARK --save-mark\n-A INPUT -j MARK --set-mark 0x0\n-A INPUT -j CONNMARK --restore-mark --mask 0x4') +
        FILTER('-A INPUT -m connmark --mark 0x4 -m mark --mark 0x4/0x4 -j ACCEPT'),
    );
    // the packet mark restored from the connection's is not known to the engine (its flows mix packets with and
    // without a conntrack entry, which CONNMARK leaves alone), and what --save-mark copied was the packet mark as it
    // arrived for every other port (tc may set it): undecided; the tracer follows its packet
    expect(exposure(rs)).toEqual(['0-255 all possibly-open 16']);
    expect([1763, 1764].map((p) => tcp(rs, p))).toEqual(['accept', 'drop']);
  });

  test('a new connection\'s mark is 0 but for what the rules set: its tests are decided both ways', () => {
    const rs = ipt(
      MANGLE('-A PREROUTING -p tcp -m tcp --dport 1761 -j CONNMARK --set-mark 0x1') +
        FILTER(
          [
            '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
            '-A INPUT -m connmark --mark 0x1 -j ACCEPT',
            '-A INPUT -p tcp -m tcp --dport 1762 -m connmark --mark 0x0 -j ACCEPT',
            '-A INPUT -p tcp -m tcp --dport 1763 -m connmark ! --mark 0x0 -j DROP',
            '-A INPUT -p tcp -m tcp --dport 1763:1764 -j ACCEPT',
          ].join('\n'),
        ),
    );
    // (nf_conntrack's init_conntrack: a new entry's mark is 0; only an expected, related, connection takes its master's)
    expect(exposure(rs)).toEqual(['tcp 1761 open 14', 'tcp 1762 open 15', 'tcp 1763-1764 open 17']);
    expect([1760, 1761, 1762, 1763, 1764, 1765].map((p) => tcp(rs, p))).toEqual(['drop', 'accept', 'accept', 'accept', 'accept', 'drop']);
    // a packet mark saved into the connection's: 0 for a plain packet, anything tc set for another — a drop of 0x1
    // leaves a plain packet's port 22 open, an accept of 0x1 may take any packet
    const saved = (rule: string) => ipt(MANGLE('-A PREROUTING -j CONNMARK --save-mark') + FILTER(`-A INPUT -m connmark --mark 0x1 -j ${rule}\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT`));
    expect(exposure(saved('DROP'))).toEqual(['tcp 22 open 14']);
    expect(exposure(saved('ACCEPT'))).toEqual(['0-5, 7-255 all possibly-open 13', 'tcp 0-21, 23-65535 possibly-open 13', 'tcp 22 open 14']);
  });

  test('a packet without a conntrack entry fails connection-mark tests, `!` or not, and CONNMARK leaves it alone', () => {
    const rs = ipt(`*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 1765 -j NOTRACK
COMMIT
` + MANGLE('-A PREROUTING -j CONNMARK --set-mark 0x1') + FILTER('-A INPUT -m connmark ! --mark 0x2 -j ACCEPT\n-A INPUT -m conntrack --ctstate UNTRACKED -j REJECT'));
    expect([1764, 1765].map((p) => tcp(rs, p))).toEqual(['accept', 'reject']);
  });

  test('a mark change we cannot read forgets the marks: later tests stay undecided', () => {
    const rs = ipt(MANGLE('-A PREROUTING -j MARK --set-mark 0x1\n-A PREROUTING -p tcp -m tcp --dport 22 -j MARK --set-mark 0x2 --frobnicate') + FILTER('-A INPUT -m mark --mark 0x1 -j ACCEPT'));
    const d = parseIptables(MANGLE('-A PREROUTING -j MARK --set-mark 0x2 --frobnicate'), { filePath: 'x.rules' });
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.action).toEqual({ kind: 'continue', target: 'MARK', marks: [{ forget: true }] });
    expect(exposure(rs).filter((l) => l.startsWith('tcp 22 '))).toEqual(['tcp 22 possibly-open 14']);
  });
});

describe('marks (nftables, text and nft -j alike)', () => {
  const TEXT = `flush ruleset
table inet t {
  chain pre {
    type filter hook prerouting priority mangle; policy accept;
    tcp dport 1761 meta mark set 0x1
    tcp dport 1762 meta mark set 0x2 ct mark set meta mark accept
  }
  chain in {
    type filter hook input priority 0; policy drop;
    meta mark & 0xff == 0x2 drop
    meta mark 0x1 accept
    tcp dport 1760-1765 accept
  }
}
`;
  test('a mark set before the verdict decides the input chain tests of it', () => {
    const doc = parseNftables(TEXT, { filePath: 'x.nft' });
    expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const rs = doc.rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules[1]!.action).toEqual({
      kind: 'accept',
      marks: [
        { ct: false, and: 0, xor: 2, copy: 0 },
        { ct: true, and: 0, xor: 0, copy: 0xffffffff },
      ],
    });
    expect(exposure(rs)).toEqual(['0-5, 7-255 all possibly-open 11', 'tcp 0-1759, 1766-65535 possibly-open 11', 'tcp 1761 open 11', 'tcp 1760, 1763-1765 open 12']);
    expect([1761, 1762, 1763, 1766].map((p) => tcp(rs, p))).toEqual(['accept', 'drop', 'accept', 'drop']);
  });

  test('the JSON front end reads the same marks (nft -j of the text above)', () => {
    const json = JSON.stringify({
      nftables: [
        { table: { family: 'inet', name: 't', handle: 1 } },
        { chain: { family: 'inet', table: 't', name: 'pre', handle: 1, type: 'filter', hook: 'prerouting', prio: -150, policy: 'accept' } },
        { chain: { family: 'inet', table: 't', name: 'in', handle: 2, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
        { rule: { family: 'inet', table: 't', chain: 'pre', handle: 3, expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 1761 } }, { mangle: { key: { meta: { key: 'mark' } }, value: 1 } }] } },
        {
          rule: {
            family: 'inet', table: 't', chain: 'pre', handle: 4,
            expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 1762 } }, { mangle: { key: { meta: { key: 'mark' } }, value: 2 } }, { mangle: { key: { ct: { key: 'mark' } }, value: { meta: { key: 'mark' } } } }, { accept: null }],
          },
        },
        { rule: { family: 'inet', table: 't', chain: 'in', handle: 5, expr: [{ match: { op: '==', left: { '&': [{ meta: { key: 'mark' } }, 255] }, right: 2 } }, { drop: null }] } },
        { rule: { family: 'inet', table: 't', chain: 'in', handle: 6, expr: [{ match: { op: '==', left: { meta: { key: 'mark' } }, right: 1 } }, { accept: null }] } },
        { rule: { family: 'inet', table: 't', chain: 'in', handle: 7, expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { range: [1760, 1765] } } }, { accept: null }] } },
      ],
    });
    const doc = parseNftablesJson(json, { filePath: 'x.json' });
    expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const rs = doc.rulesets[0]!;
    expect(exposure(rs).map((l) => l.replace(/ \d+$/, ''))).toEqual(['0-5, 7-255 all possibly-open', 'tcp 0-1759, 1766-65535 possibly-open', 'tcp 1761 open', 'tcp 1760, 1763-1765 open']);
    expect([1761, 1762, 1763, 1766].map((p) => tcp(rs, p))).toEqual(['accept', 'drop', 'accept', 'drop']);
  });

  test('a mark set by an expression not read forgets the marks: the tests after it stay undecided', () => {
    const doc = parseNftables(TEXT.replace('tcp dport 1761 meta mark set 0x1', 'tcp dport 1761 meta mark set numgen random mod 4'), { filePath: 'x.nft' });
    const rs = doc.rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules[0]!.action).toEqual({ kind: 'continue', target: 'mangle', marks: [{ forget: true }] });
    expect(exposure(rs).filter((l) => l.includes('1761'))).toEqual(['tcp 0-1759, 1761, 1766-65535 possibly-open 11', 'tcp 1761 possibly-open 12']);
  });

  test('reading the connection mark breaks the rule for a packet without a conntrack entry (before conntrack, untracked)', () => {
    const rules = (prio: string) => `table inet t {
  chain pre {
    type filter hook prerouting priority ${prio}; policy accept;
    udp dport 1764 meta mark set ct mark drop
  }
  chain in {
    type filter hook input priority 0; policy accept;
  }
}
`;
    const udp = (rs: Ruleset) => tracePacket(rs, { proto: 'udp', dport: 1764, src: '192.0.2.7', dst: '10.0.0.1', iif: 'eth0' }).verdict;
    const at = (prio: string) => {
      const rs = parseNftables(rules(prio), { filePath: 'x.nft' }).rulesets[0]!;
      const e = computeExposure(rs, { hook: 'input' }).entries.filter((x) => x.family === 'ipv4' && x.protocols.has(17) && x.dports.has(1764));
      return [udp(rs), e.map((x) => x.certainty).join(',')];
    };
    // before conntrack (raw) no packet has an entry: the rule never drops; after it (mangle) a new packet has one
    expect(at('raw')).toEqual(['accept', 'open']);
    expect(at('mangle')).toEqual(['drop', '']);
  });

  test('sets and ranges of marks, and marks set by bitwise operations on a mark', () => {
    const rs = parseNftables(
      `table inet t {
  chain pre {
    type filter hook prerouting priority mangle; policy accept;
    tcp dport 22 meta mark set 0x10
    tcp dport 23 meta mark set meta mark & 0xff | 0x3
    tcp dport 24 meta mark set mark xor 0x7
  }
  chain in {
    type filter hook input priority 0; policy drop;
    meta mark { 0x10, 0x20 } drop
    meta mark 0x1-0x5 drop
    tcp dport 20-30 accept
  }
}
`,
      { filePath: 'x.nft' },
    ).rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules[1]!.action).toEqual({ kind: 'continue', target: 'mangle', marks: [{ ct: false, and: 0xfc, xor: 3, copy: 0 }] });
    // 22: 0x10 (dropped); 23: 0x3 (dropped); 24: 0x7 (in neither); 25: arrived (0 for a plain packet)
    expect([22, 23, 24, 25].map((p) => tcp(rs, p))).toEqual(['drop', 'drop', 'accept', 'accept']);
    // 23's mark keeps the bits it arrived with under 0xfc: the plain packet's is dropped, one marked by tc may not be
    expect(exposure(rs).filter((l) => l.startsWith('tcp '))).toEqual(['tcp 20-21, 24-30 open 12', 'tcp 23 possibly-open 12']);
  });
});

describe('HMARK sets the packet mark to a hash', () => {
  test('the mark is not known after it: a test of it is undecided in the tracer and the exposure', () => {
    // (--hmark-offset 100: every mark it gives is 100 or more, so the kernel lets udp 5000 past `--mark 0x0 -j DROP`)
    const rs = ipt(`*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 5000 -j HMARK --hmark-tuple src --hmark-mod 10 --hmark-offset 100 --hmark-rnd 0x1
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m mark --mark 0x0 -j DROP
COMMIT
`);
    const udp = (dport: number) => ({ family: 'ipv4' as const, proto: 'udp' as const, dport, src: '10.200.0.2', dst: '10.200.0.1' });
    expect([tracePacket(rs, udp(5000)).verdict, tracePacket(rs, udp(5001)).verdict]).toEqual(['unknown', 'drop']);
  });
});
