/**
 * TCP flags tests decided for the first packet of a connection, a SYN: the common hardening preamble
 * (`! --syn -m state --state NEW -j DROP`, NULL and SYN-FIN drops) leaves the ports after it open, not
 * "possibly open", and a flags test a SYN fails closes what it guards. The kernel tests check the tracer
 * against the kernel with such tests (test/kernel).
 */
import { describe, expect, test } from 'vitest';
import { computeExposure, tracePacket } from '../../src/analysis/index.js';
import { FIRST_TCP_FLAGS, SYN_ONLY, formatPorts, tcpFlagList, tcpFlagsMasked, type NumSet, type Ruleset } from '../../src/model/index.js';
import { parseIptables } from '../../src/parsers/iptables/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';

/** The four smallest flags bytes a test takes. */
function first4(values: NumSet): string {
  const out: number[] = [];
  for (let f = 0; f < 256 && out.length < 4; f++) if (values.has(f)) out.push(f);
  return out.join(',');
}

function exposure(rs: Ruleset): string[] {
  return computeExposure(rs, { hook: 'input' })
    .entries.filter((e) => e.family === 'ipv4')
    .map((e) => `${formatPorts(e.dports)} ${e.certainty} ${e.rule ? e.rule.span.start.line : 'policy'}`);
}

describe('TCP flags', () => {
  test('the flags bytes of iptables names and masks', () => {
    expect(tcpFlagList('SYN,ACK')).toBe(0x12);
    expect(tcpFlagList('ALL')).toBe(0x3f);
    expect(tcpFlagList('NONE')).toBe(0);
    expect(tcpFlagList('SYN,BOGUS')).toBeUndefined();
    expect(SYN_ONLY.has(FIRST_TCP_FLAGS)).toBe(true);
    expect(SYN_ONLY.has(0x12)).toBe(false);
    expect(formatPorts(tcpFlagsMasked(0x3f, 0))).toBe('0, 64, 128, 192');
  });

  const ipt = parseIptables(
    `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp ! --syn -m state --state NEW -j DROP
-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP
-A INPUT -p tcp -m tcp --tcp-flags SYN,FIN SYN,FIN -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp --syn --dport 1761 -j ACCEPT
-A INPUT -p tcp --tcp-flags SYN,ACK ACK --dport 1762 -j ACCEPT
-A INPUT -p tcp --tcp-flags SYN,BOGUS SYN --dport 1763 -j ACCEPT
COMMIT
`,
    { filePath: 'x.rules' },
  );

  test('iptables: --syn and --tcp-flags are read (both readers), a bad one is an error and stays undecided', () => {
    const rules = ipt.rulesets[0]!.tables[0]!.chains[0]!.rules;
    const flags = rules.map((r) => r.matches.find((m) => m.kind === 'tcp-flags' || (m.kind === 'opaque' && m.module === 'tcp-flags')));
    expect(flags.map((m) => (m?.kind === 'tcp-flags' ? `${m.negated ? '!' : ''}${first4(m.values)}` : m?.kind))).toEqual([
      '!2,10,34,42',
      '0,64,128,192',
      '3,7,11,15',
      undefined,
      '2,10,34,42',
      '16,17,20,21',
      'opaque',
    ]);
    expect(ipt.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code}`)).toEqual(['11:29 iptables/bad-tcp-flags']);
  });

  test('iptables: the hardening preamble leaves the ports after it open; a test a SYN fails closes its port', () => {
    expect(exposure(ipt.rulesets[0]!)).toEqual(['22 open 8', '1761 open 9', '1763 possibly-open 11']);
    const v = (dport: number) => tracePacket(ipt.rulesets[0]!, { proto: 'tcp', dport }).verdict;
    expect([v(22), v(1761), v(1762), v(1763)]).toEqual(['accept', 'accept', 'drop', 'unknown']);
    // a later packet's flags are not known
    expect(tracePacket(ipt.rulesets[0]!, { proto: 'tcp', dport: 1761, state: 'established' }).verdict).toBe('unknown');
  });

  test('nftables: every form nft writes, text as nft lists it', () => {
    const rs = parseNftables(
      `table inet f {
  chain input {
    type filter hook input priority filter; policy drop;
    tcp flags ! fin,syn,rst,psh,ack,urg drop
    tcp flags & (fin|syn|rst|ack) != syn ct state new drop
    tcp flags syn / fin,syn,rst,ack tcp dport 1761 accept
    tcp flags ack tcp dport 1762 accept
    tcp flags { syn, ack } tcp dport 1763 accept
    tcp flags == syn tcp dport 1764 accept
    tcp flags != syn tcp dport 1765 accept
  }
}
`,
      { filePath: 'x.nft' },
    );
    expect(rs.diagnostics).toEqual([]);
    expect(exposure(rs.rulesets[0]!)).toEqual(['1761 open 6', '1763 open 8', '1764 open 9']);
  });
});
