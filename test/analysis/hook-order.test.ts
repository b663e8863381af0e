/**
 * The order the kernel runs the base chains of one hook (checked against the kernel with `nft -f` in a namespace,
 * UDP probes over a veth):
 * - at equal priority the chain registered last runs first (nf_hook_entries_grow inserts a new hook before the
 *   hooks of its priority): a drop in one chain and a reject in another give the later chain's verdict;
 * - nat chains do not run at their own priority: every nat chain of a family runs from the NAT hook at -100 in
 *   prerouting (nf_nat_register_fn), registered with the first nat chain, so `type nat hook prerouting priority 0`
 *   rewrites the port before a filter prerouting chain at -50, and one at -150 after a filter chain at -120.
 */
import { describe, expect, test } from 'vitest';
import { computeExposure, tracePacket } from '../../src/analysis/index.js';
import { formatPorts, type Ruleset } from '../../src/model/index.js';
import { parseNftables } from '../../src/parsers/nftables/index.js';

function nft(text: string): Ruleset {
  const doc = parseNftables(text, { filePath: 'x.nft' });
  expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return doc.rulesets[0]!;
}

function verdicts(rs: Ruleset, ports: number[]): string[] {
  return ports.map((dport) => `${dport} ${tracePacket(rs, { proto: 'udp', dport, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0' }).verdict}`);
}

/** "udp ports certainty line" per IPv4 exposure entry. */
function exposure(rs: Ruleset): string[] {
  return computeExposure(rs, { hook: 'input' })
    .entries.filter((e) => e.family === 'ipv4')
    .map((e) => `${formatPorts(e.protocols).replace(/^17$/, 'udp')} ${formatPorts(e.dports)} ${e.certainty} ${e.rule ? e.rule.span.start.line : 'policy'}`);
}

describe('equal priorities: the later chain runs first', () => {
  test('three tables at -150 (kernel: 5010 reject, 80 drop)', () => {
    const rs = nft(`flush ruleset
table ip a { chain pre { type filter hook prerouting priority -150; policy accept; udp dport 5010 drop; }
}
table ip b { chain pre { type filter hook prerouting priority mangle; policy accept; udp dport 5010 reject; udp dport 80 reject; }
}
table ip c { chain pre { type filter hook prerouting priority -150; policy accept; udp dport 80 drop; }
}
`);
    expect(verdicts(rs, [5010, 80, 22])).toEqual(['5010 reject', '80 drop', '22 accept']);
  });

  test('two input chains of one table (kernel: reject)', () => {
    const rs = nft(`table inet f {
  chain a { type filter hook input priority filter; policy accept; udp dport 22 drop; }
  chain b { type filter hook input priority 0; policy accept; udp dport 22 reject; }
}
`);
    expect(verdicts(rs, [22])).toEqual(['22 reject']);
  });
});

describe('nat chains run from the NAT hook at -100', () => {
  test('a nat chain at priority 0 rewrites the port before a filter chain at -50 (kernel: 5010 drop)', () => {
    const rs = nft(`flush ruleset
table ip n { chain pre { type nat hook prerouting priority 0; policy accept; udp dport 5010 dnat to 10.200.0.1:22; }
}
table ip f {
  chain pre { type filter hook prerouting priority -50; policy accept; udp dport 22 drop; }
  chain in { type filter hook input priority 0; policy drop; udp dport 22 accept; }
}
`);
    expect(verdicts(rs, [5010, 22])).toEqual(['5010 drop', '22 drop']);
    expect(exposure(rs)).toEqual([]);
  });

  test('a nat chain at -150 rewrites after a filter chain at -120 (kernel: 5010 accept)', () => {
    const rs = nft(`flush ruleset
table ip n { chain pre { type nat hook prerouting priority -150; policy accept; udp dport 5010 redirect to :22; }
}
table ip f { chain pre { type filter hook prerouting priority -120; policy accept; udp dport 22 drop; }
}
`);
    expect(verdicts(rs, [5010, 22, 80])).toEqual(['5010 accept', '22 drop', '80 accept']);
    expect(exposure(rs)).toEqual(['udp 5010 open policy', '0-16, 18-255 all open policy', 'udp 0-21, 23-5009, 5011-65535 open policy']);
  });

  test('at -100 the NAT hook sits where the first nat chain was registered (kernel: 5010 reject, 22 drop)', () => {
    const rs = nft(`flush ruleset
table ip f { chain pre { type filter hook prerouting priority -100; policy accept; udp dport 22 reject; }
}
table ip n { chain pre { type nat hook prerouting priority dstnat; policy accept; udp dport 5010 redirect to :22; }
}
table ip g { chain pre { type filter hook prerouting priority -100; policy accept; udp dport 22 drop; }
}
`);
    expect(verdicts(rs, [5010, 22])).toEqual(['5010 reject', '22 drop']);
  });
});
