/**
 * Hole logs scanned by port signature (HoleLog passes over a hole whose coarse port buckets, 2048 ports each, miss
 * those of what is left of a flow): accepted UDP flows of a single port and a range are cut by earlier holes of
 * ports and ranges that sit on both sides of bucket edges (2047 | 2048, 65535), and under the scan limit, so that the
 * holes are scanned, not indexed; and the same with destination networks next to the edges of the destination
 * signature's /5 blocks. The exposure must agree with the tracer on every probe.
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

/** Destination networks next to the edges of the destination signature's /5 blocks (and one over half the space). */
const NETS = ['0.0.0.0/32', '8.0.0.0/32', '248.0.0.0/32', '7.255.255.0/24', '8.0.0.0/5', '15.255.255.255/32', '16.0.0.0/8', '127.0.0.0/8', '128.0.0.0/1', '248.0.0.0/5', '255.255.255.255/32'];
const DSTS = ['0.0.0.0', '7.255.255.255', '8.0.0.0', '15.255.255.255', '16.0.0.0', '127.1.2.3', '128.0.0.0', '247.255.255.255', '248.0.0.0', '248.0.0.1', '255.255.255.255'];

function dstChain(seed: number): Chain[] {
  const rules: Rule[] = [];
  let x = seed;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  for (let i = 0; i < 40; i++) {
    const net = NETS[next(NETS.length)]!;
    const lo = 1000 * next(6);
    const spec = `${lo}:${lo + 2500}`;
    const act = i % 3 === 0 ? a.drop() : i % 3 === 1 ? a.accept() : a.ret();
    rules.push(rule(`d${i} ${net} ${spec}`, [m.dst(net), m.proto('tcp'), m.dport(spec)], act));
  }
  return [base.input([rule('to svc', [m.src('10.0.0.0/8')], a.jump('SVC'))], 'drop'), chain('SVC', rules)];
}

describe('hole scans by destination signature', () => {
  test.each([1, 2, 3, 4])('agrees with the tracer on destinations at the /5 edges (seed %i)', (seed) => {
    const rs = ruleset([table('filter', 'ip', dstChain(seed))]);
    const e = computeExposure(rs, { hook: 'input' });
    let open = 0;
    let closed = 0;
    for (const dst of DSTS)
      for (const dport of [0, 999, 1000, 2500, 2501, 3499, 3500, 5000, 7500, 7501]) {
        const p: Packet = { proto: 'tcp', src: '10.1.2.3', dst, dport };
        const t = tracePacket(rs, p).verdict;
        expect([dst, dport, classifyPacket(e, p)]).toEqual([dst, dport, t === 'accept' ? 'open' : 'closed']);
        if (t === 'accept') open++;
        else closed++;
      }
    expect(open).toBeGreaterThan(3);
    expect(closed).toBeGreaterThan(3);
  });
});
