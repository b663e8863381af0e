/**
 * A long chain (host firewall: thousands of per-address rules in INPUT, some wide
 * negated ones): the BoxIndex, PointIndex, StabIndex and CubeIndex paths name the same rules.
 */
import { describe, expect, test } from 'vitest';
import { findShadowedRules } from '../../src/analysis/index.js';
import type { Shadowed } from '../../src/analysis/index.js';
import { hostRuleset } from './perf-gen.js';
import { a, m, rule } from './build.js';

const show = (s: Shadowed[]) => s.map((x) => `${x.chain.name}@${x.rule.text} by ${x.coveredBy.map((r) => r.text).join(',')}`);

describe('findShadowedRules on a long chain', () => {
  test('BoxIndex path = point index = StabIndex path = CubeIndex path', () => {
    const rs = hostRuleset(6000);
    const input = rs.tables[0]!.chains.find((c) => c.name === 'INPUT')!;
    // a few covered rules: repeats of earlier accepts, and one under the wide negated drop
    input.rules.push(rule('dup', [...input.rules[10]!.matches], a.accept()));
    input.rules.push(rule('under-bad', [m.not(m.src('10.0.0.0/8')), m.proto('udp'), m.dport('161'), m.src('192.0.2.1/32')], a.accept()));
    const tb = performance.now();
    const viaBoxes = show(findShadowedRules(rs, { maxBoxed: Infinity }));
    const t0 = performance.now();
    const viaPoints = show(findShadowedRules(rs, { maxBoxed: 0, maxPointIndexed: Infinity }));
    const t1 = performance.now();
    const viaStab = show(findShadowedRules(rs, { maxBoxed: 0, maxPointIndexed: 0 }));
    const t2 = performance.now();
    const viaCubes = show(findShadowedRules(rs, { maxBoxed: 0, maxPointIndexed: 0, maxStabRead: -1 }));
    const t3 = performance.now();
    console.log(`host ${input.rules.length} rules: BoxIndex ${(t0 - tb).toFixed(0)} ms, point index ${(t1 - t0).toFixed(0)} ms, StabIndex ${(t2 - t1).toFixed(0)} ms, CubeIndex ${(t3 - t2).toFixed(0)} ms`);
    expect(viaBoxes).toEqual(viaPoints);
    expect(viaStab).toEqual(viaPoints);
    expect(viaCubes).toEqual(viaPoints);
    expect(viaPoints.length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
