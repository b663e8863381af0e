/**
 * findShadowedRules decides coverage by a witness search and names the coverers by
 * the ordered subtraction only for covered rules. Oracle: the ordered subtraction
 * alone (the definition), on random chains over few values so that covers happen.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { findShadowedRules } from '../../src/analysis/index.js';
import type { ShadowOptions } from '../../src/analysis/shadow.js';
import { RuleCompiler, spaceFor, tableCarries } from '../../src/analysis/compile.js';
import { cubesOverlap, subtractCube, type Cube } from '../../src/analysis/cube.js';
import type { Family, Match, Rule, Ruleset } from '../../src/model/index.js';
import { a, base, filter, m, rule, ruleset, table, chain } from './build.js';

const TERMINAL = new Set(['accept', 'drop', 'reject', 'return', 'goto', 'nat', 'queue']);

function oracle(rs: Ruleset): string[] {
  const out: string[] = [];
  for (const t of rs.tables) {
    const fams = (rs.families.length > 0 ? rs.families : (['ipv4', 'ipv6'] as Family[])).filter((f) => tableCarries(t.family, f));
    const comps = fams.map((f) => new RuleCompiler(spaceFor(rs, f), false));
    for (const ch of t.chains) {
      const earlier: { c: Cube; rule: Rule }[][] = comps.map(() => []);
      for (const r of ch.rules) {
        if (r.disabled) continue;
        const compiled = comps.map((c) => c.get(r));
        let covered = true;
        const by = new Set<Rule>();
        for (let k = 0; k < comps.length && covered; k++) {
          let rem = compiled[k]!.may;
          if (rem.length === 0) continue;
          for (const e of earlier[k]!) {
            if (rem.length === 0) break;
            let touched = false;
            const next: Cube[] = [];
            for (const x of rem) {
              if (cubesOverlap(x, e.c)) touched = true;
              subtractCube(x, e.c, next);
            }
            if (touched) by.add(e.rule);
            rem = next;
          }
          if (rem.length > 0) covered = false;
        }
        if (covered && compiled.some((c) => c.may.length > 0) && by.size > 0) {
          out.push(`${ch.name}@${r.span.start.line} by ${[...by].map((x) => x.span.start.line).sort((p, q) => p - q).join(',')}`);
        }
        if (TERMINAL.has(r.action.kind)) for (let k = 0; k < comps.length; k++) for (const c of compiled[k]!.must) earlier[k]!.push({ c, rule: r });
      }
    }
  }
  return out;
}

const show = (rs: Ruleset, options: ShadowOptions = {}) => findShadowedRules(rs, options).map((s) => `${s.chain.name}@${s.rule.span.start.line} by ${s.coveredBy.map((r) => r.span.start.line).join(',')}`);

const matchArb: fc.Arbitrary<Match> = fc.oneof(
  fc.constantFrom(m.proto('tcp'), m.proto('udp'), m.proto('tcp', 'udp'), m.proto('icmp')),
  fc.constantFrom(m.dport('22'), m.dport('20:30'), m.dport('22,80'), m.dport('1761:1768'), m.dport('25:1000')),
  fc.constantFrom(m.src('10.0.0.0/8'), m.src('10.0.0.0/9'), m.src('10.128.0.0/9'), m.src('0.0.0.0/1'), m.src('128.0.0.0/1'), m.src('::/1')),
  fc.constantFrom(m.dst('192.168.0.0/16'), m.dst('192.168.1.0/24')),
  fc.constantFrom(m.iif('eth0'), m.iif('eth+'), m.ct('new'), m.ct('established', 'related')),
  fc.constantFrom(m.opaque('-m limit --limit 1/s'), m.not(m.proto('tcp')), m.not(m.src('10.0.0.0/8'))),
  // a rule of one family only (shadow.ts takes its compiled form in the other family as empty)
  fc.constantFrom(m.family('ipv4'), m.family('ipv6'), m.not(m.family('ipv6')), m.not(m.src('::/1'))),
);
const ruleArb = fc.record({
  matches: fc.array(matchArb, { maxLength: 3 }),
  action: fc.constantFrom(a.accept(), a.drop(), a.reject(), a.log(), a.ret()),
});

describe('findShadowedRules = ordered subtraction (witness search decides, subtraction names)', () => {
  test('random chains, IPv4 and dual-stack', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 14 }), fc.boolean(), (rules, dual) => {
        const rs0 = rules.map((r, i) => rule(`r${i}`, r.matches, r.action));
        const rs = dual ? ruleset([table('filter', 'inet', [base.input(rs0, 'drop')])], { families: ['ipv4', 'ipv6'] }) : filter(base.input(rs0, 'drop'));
        expect(show(rs)).toEqual(oracle(rs));
      }),
      { numRuns: 400, seed: 1761 },
    );
  });

  test('chains too long for the BoxIndex (here: any chain) take the PointIndex path, same answers', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 30 }), fc.boolean(), (rules, dual) => {
        const rs0 = rules.map((r, i) => rule(`r${i}`, r.matches, r.action));
        const rs = dual ? ruleset([table('filter', 'inet', [base.input(rs0, 'drop')])], { families: ['ipv4', 'ipv6'] }) : filter(base.input(rs0, 'drop'));
        expect(show(rs, { maxBoxed: 0 })).toEqual(oracle(rs));
      }),
      { numRuns: 300, seed: 1766 },
    );
  });

  test('chains too large for the point index (here: any chain) take the StabIndex path, same answers', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 30 }), fc.boolean(), (rules, dual) => {
        const rs0 = rules.map((r, i) => rule(`r${i}`, r.matches, r.action));
        const rs = dual ? ruleset([table('filter', 'inet', [base.input(rs0, 'drop')])], { families: ['ipv4', 'ipv6'] }) : filter(base.input(rs0, 'drop'));
        expect(show(rs, { maxBoxed: 0, maxPointIndexed: 0 })).toEqual(oracle(rs));
      }),
      { numRuns: 300, seed: 1762 },
    );
  });

  test('… and, when a StabIndex query may read too many cubes (here: any), the CubeIndex path, same answers', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 14 }), fc.boolean(), (rules, dual) => {
        const rs0 = rules.map((r, i) => rule(`r${i}`, r.matches, r.action));
        const rs = dual ? ruleset([table('filter', 'inet', [base.input(rs0, 'drop')])], { families: ['ipv4', 'ipv6'] }) : filter(base.input(rs0, 'drop'));
        expect(show(rs, { maxBoxed: 0, maxPointIndexed: 0, maxStabRead: -1 })).toEqual(oracle(rs));
      }),
      { numRuns: 200, seed: 1764 },
    );
  });

  test('longer chains (BoxIndex; PointIndex: several bitset words, checkpoint strides) against the oracle', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 30, maxLength: 90 }), (rules) => {
        const rs = filter(base.input(rules.map((r, i) => rule(`r${i}`, r.matches, r.action)), 'drop'));
        expect(show(rs)).toEqual(oracle(rs));
        expect(show(rs, { maxBoxed: 0 })).toEqual(oracle(rs));
      }),
      { numRuns: 40, seed: 1763 },
    );
  });

  test('a user chain is checked on its own', () => {
    const rs = filter(base.input([rule('j', [m.proto('tcp')], a.jump('X'))], 'drop'), chain('X', [rule('all', [], a.accept()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.drop())]));
    expect(show(rs)).toEqual(oracle(rs));
    expect(show(rs)).toHaveLength(1);
  });
});
