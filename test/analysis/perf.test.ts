/**
 * Performance of the engine on generated rulesets (user chains, multiport,
 * conntrack, negations, many distinct addresses, kube-proxy-like DNAT).
 * Scale checks: the answers stay right on big rulesets. Times are printed, not asserted
 * (speed is measured by npm run bench).
 */
import { describe, expect, test } from 'vitest';
import { computeExposure, findShadowedRules, tracePacket } from '../../src/analysis/index.js';
import { hostRuleset, ip, kubeRuleset } from './perf-gen.js';

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

function count(rs: ReturnType<typeof hostRuleset>): number {
  return rs.tables.reduce((n, t) => n + t.chains.reduce((k, c) => k + c.rules.length, 0), 0);
}

describe('scale', () => {
  for (const n of (process.env.FW_PERF_BIG ? [10_000, 100_000] : [10_000])) {
    test(`host firewall, ${n} rules`, () => {
      const rs = hostRuleset(n);
      const [e, ms] = time(() => computeExposure(rs));
      const [sh, ms2] = time(() => findShadowedRules(rs));
      const [tr, ms3] = time(() => tracePacket(rs, { proto: 'tcp', dport: 1761, src: ip(3) }));
      console.log(`host ${count(rs)} rules: exposure ${ms.toFixed(0)} ms (${e.entries.length} entries), shadowed ${ms2.toFixed(0)} ms (${sh.length}), trace ${ms3.toFixed(1)} ms`);
      expect(tr.verdict).toBe('accept');
      expect(e.entries.some((x) => x.certainty === 'open' && x.dports.has(1761) && x.sources.has(ip(3)))).toBe(true);
    }, 120_000);
  }

  test('kube-proxy-like, 2000 services (≈16k rules)', () => {
    const rs = kubeRuleset(2000);
    const [e, ms] = time(() => computeExposure(rs));
    console.log(`kube ${count(rs)} rules: exposure ${ms.toFixed(0)} ms (${e.entries.length} entries)`);
    expect(e.entries.some((x) => x.via && x.dports.has(30080))).toBe(true);
  }, 120_000);
});
