/**
 * Conntrack original-tuple tests (`-m conntrack --ctproto/--ctorigsrc/--ctorigdst/--ctorigsrcport/--ctorigdstport`):
 * a NEW packet's original tuple is the packet itself as it arrived: after DNAT, its destination before the DNAT.
 * The kernel tests check the tracer against the kernel with such tests (test/kernel).
 */
import { describe, expect, test } from 'vitest';
import { computeExposure, tracePacket } from '../../src/analysis/index.js';
import { formatPorts, type Ruleset } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';

function exposure(rs: Ruleset): string[] {
  return computeExposure(rs, { hook: 'input' })
    .entries.filter((e) => e.family === 'ipv4')
    .map((e) => `${formatPorts(e.protocols)}/${formatPorts(e.dports)} ${e.sources.toCidrs().join(',')} ${e.certainty} ${e.rule ? e.rule.span.start.line : 'policy'}`);
}

describe('conntrack original tuple', () => {
  const doc = parseIptables(
    `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 80
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctproto tcp --ctorigdstport 1761 -j ACCEPT
-A INPUT -p udp -m conntrack --ctorigsrc 10.0.0.0/8 -j ACCEPT
-A INPUT -p tcp -m conntrack --ctorigdstport 8080 -j ACCEPT
-A INPUT -p tcp -m conntrack ! --ctorigdstport 1:1000 -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -m conntrack --ctorigdstport 99999 -j ACCEPT
COMMIT
`,
    { filePath: 'x.rules' },
  );
  const rs = doc.rulesets[0]!;

  test('read as matches on the original tuple; a bad value is an error and stays undecided', () => {
    const kinds = rs.tables.find((t) => t.name === 'filter')!.chains[0]!.rules.map((r) => r.matches.map((m) => (m.kind === 'ct-original' ? `${m.negated ? '!' : ''}orig:${m.match.kind}` : m.kind)).join(' '));
    expect(kinds).toEqual(['orig:protocol orig:port', 'protocol orig:address', 'protocol orig:port', 'protocol !orig:port', 'protocol port', 'opaque']);
    expect(doc.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code}`)).toEqual(['17:39 iptables/bad-port']);
  });

  test("decided for NEW packets; a REDIRECTed packet's original destination port is the one it arrived with", () => {
    expect(exposure(rs)).toEqual([
      '6/1761 0.0.0.0/0 open 12',
      '17/all 10.0.0.0/8 open 13',
      // the REDIRECT of 8080 to 80: the connection's original tuple keeps 8080 (it was "possibly open" at 12, 14, 17)
      '6/8080 0.0.0.0/0 open 14',
      '6/22 0.0.0.0/0 open 16',
      // the rule with an unreadable port: whatever is left
      '0-5, 7-16, 18-255/all 0.0.0.0/0 possibly-open 17',
      '17/all 0.0.0.0/5,8.0.0.0/7,11.0.0.0/8,12.0.0.0/6,16.0.0.0/4,32.0.0.0/3,64.0.0.0/2,128.0.0.0/1 possibly-open 17',
      '6/1-21, 23-1000 0.0.0.0/0 possibly-open 17',
    ]);
    const v = (proto: 'tcp' | 'udp', dport: number, src?: string) => tracePacket(rs, { proto, dport, ...(src ? { src } : {}) }).verdict;
    expect([v('tcp', 1761), v('udp', 1761), v('udp', 53, '10.1.2.3'), v('tcp', 80), v('tcp', 22), v('tcp', 8080)]).toEqual(['accept', 'unknown', 'accept', 'unknown', 'accept', 'accept']);
    // a later packet's original direction is not known
    expect(tracePacket(rs, { proto: 'tcp', dport: 1761, state: 'established' }).verdict).toBe('unknown');
  });

  test('--ctdir: a NEW packet is in its connection\'s ORIGINAL direction; a bad value is an error', () => {
    const d = parseIptables(
      `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m conntrack --ctdir REPLY -j ACCEPT
-A INPUT -p tcp --dport 80 -m conntrack --ctdir ORIGINAL -j ACCEPT
-A INPUT -p tcp --dport 443 -m conntrack ! --ctdir REPLY -j ACCEPT
-A INPUT -p tcp --dport 25 -m conntrack --ctdir SIDEWAYS -j ACCEPT
COMMIT
`,
      { filePath: 'x.rules' },
    );
    // (iptables-restore 1.8.9 refuses line 7: 'conntrack: option "--ctdir" cannot be inverted'; read as written)
    expect(d.diagnostics.map((x) => `${x.span.start.line}:${x.span.start.column} ${x.code}`)).toEqual(['7:42 iptables/not-invertible', '8:49 iptables/bad-conntrack']);
    const r = d.rulesets[0]!;
    expect(exposure(r)).toEqual(['6/80 0.0.0.0/0 open 6', '6/443 0.0.0.0/0 open 7', '6/25 0.0.0.0/0 possibly-open 8']);
    expect(tracePacket(r, { proto: 'tcp', dport: 80 }).verdict).toBe('accept');
    expect(tracePacket(r, { proto: 'tcp', dport: 22 }).verdict).toBe('drop');
    expect(tracePacket(r, { proto: 'tcp', dport: 22, state: 'established' }).verdict).toBe('unknown');
  });
});

// A packet without a conntrack entry (raw NOTRACK, nft notrack): counters in a network namespace (UDP over lo, raw OUTPUT
// NOTRACK; iptables-restore 1.8.9 and nft 1.0.6): `--ctstate UNTRACKED --ctorigsrc 1.2.3.4` 1 (xt_conntrack answers by the
// state test alone), `! --ctorigsrc 1.2.3.4` 0, `--ctdir ORIGINAL` 0, `--ctdir REPLY` 0, `! --ctproto tcp` 0; nft `ct
// direction original` 0, `ct direction != original` 0, `ct original ip saddr != 1.2.3.4` 0 (nft_ct_get_eval breaks).
// Was: undecided (trace unknown).
describe('original-tuple tests of an untracked packet', () => {
  const p = { proto: 'udp' as const, dport: 5353, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0' };
  test.each([
    ['-p udp -m conntrack --ctstate UNTRACKED --ctorigsrc 1.2.3.4', 'accept'],
    ['-p udp -m conntrack --ctstate UNTRACKED ! --ctorigsrc 10.200.0.2', 'accept'],
    ['-p udp -m conntrack ! --ctorigsrc 1.2.3.4', 'drop'],
    ['-p udp -m conntrack --ctdir ORIGINAL', 'drop'],
    ['-p udp -m conntrack --ctdir REPLY', 'drop'],
    ['-p udp -m conntrack ! --ctproto tcp', 'drop'],
    ['-p udp -m conntrack --ctstate UNTRACKED -m conntrack ! --ctproto tcp', 'drop'],
  ])('iptables %s: %s', (rule, verdict) => {
    const t = `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j NOTRACK\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT ${rule} -j ACCEPT\nCOMMIT\n`;
    const d = parseIptables(t, { filePath: 'u.rules' });
    expect(d.diagnostics).toEqual([]);
    expect(tracePacket(d.rulesets[0]!, p).verdict).toBe(verdict);
  });
  test.each(['ct direction original', 'ct direction != original', 'ct original ip saddr != 1.2.3.4'])('nft %s: drop', (rule) => {
    const t = `table inet t {\n chain pre { type filter hook prerouting priority raw; policy accept; notrack; }\n chain c { type filter hook input priority 10; policy drop;\n  meta l4proto udp ${rule} accept\n }\n}\n`;
    const d = parseNftables(t);
    expect(d.diagnostics).toEqual([]);
    expect(tracePacket(d.rulesets[0]!, p).verdict).toBe('drop');
  });
});
