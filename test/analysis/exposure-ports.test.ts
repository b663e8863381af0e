/**
 * Hole logs scanned by port signature (HoleLog passes over a hole whose coarse port buckets, 2048 ports each, miss
 * those of what is left of a flow): accepted UDP flows of a single port and a range are cut by earlier holes of
 * ports and ranges that sit on both sides of bucket edges (2047 | 2048, 65535), and under the scan limit, so that the
 * holes are scanned, not indexed. The exposure must agree with the tracer on every probe port.
 */
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket, type Packet } from '../../src/analysis/index.js';
import type { Chain, Rule } from '../../src/model/index.js';
import { a, base, chain, m, rule, ruleset, table } from './build.js';

/** Ports next to the edges of the signature's buckets, and a few inside them. */
const EDGES = [0, 1, 2046, 2047, 2048, 2049, 4095, 4096, 30719, 30720, 32767, 32768, 61439, 61440, 65534, 65535];

function chainOf(seed: number): { chains: Chain[]; probes: number[] } {
  const rules: Rule[] = [];
  const probes = new Set<number>(EDGES);
  let x = seed;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  for (let i = 0; i < 40; i++) {
    const e = EDGES[next(EDGES.length)]!;
    const p = Math.min(65535, e + next(3));
    const lo = EDGES[next(EDGES.length)]!;
    const hi = Math.min(65535, lo + next(5000));
    probes.add(p).add(lo).add(hi);
    if (hi + 1 <= 65535) probes.add(hi + 1);
    const spec = lo === hi ? String(p) : `${p},${lo}:${hi}`;
    // accepted, dropped and returned port sets in turn, all on one source: each later rule is cut by the earlier
    const act = i % 3 === 0 ? a.drop() : i % 3 === 1 ? a.accept() : a.ret();
    rules.push(rule(`r${i} ${spec}`, [m.proto(i % 4 === 0 ? 'tcp' : 'udp'), m.dport(spec)], act));
  }
  const input = [rule('to svc', [m.src('10.0.0.0/8')], a.jump('SVC'))];
  return { chains: [base.input(input, 'drop'), chain('SVC', rules)], probes: [...probes] };
}

describe('hole scans by port signature', () => {
  test.each([1, 2, 3, 4, 5, 6])('agrees with the tracer on ports at the bucket edges (seed %i)', (seed) => {
    const { chains, probes } = chainOf(seed);
    const rs = ruleset([table('filter', 'ip', chains)]);
    const e = computeExposure(rs, { hook: 'input' });
    let open = 0;
    let closed = 0;
    for (const proto of ['tcp', 'udp'] as const)
      for (const dport of probes) {
        const p: Packet = { proto, src: '10.1.2.3', dport };
        const t = tracePacket(rs, p).verdict;
        expect([proto, dport, classifyPacket(e, p)]).toEqual([proto, dport, t === 'accept' ? 'open' : 'closed']);
        if (t === 'accept') open++;
        else closed++;
      }
    expect(open).toBeGreaterThan(3);
    expect(closed).toBeGreaterThan(3);
  });
});
