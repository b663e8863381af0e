import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeExposure, exposedPorts } from '../../src/analysis/index.js';
import { BUILTIN_SERVICES } from '../../src/catalog/index.js';
import { expectedPortsFor, judge, type Deployment, type ResolvedSettings } from '../../src/deployments/index.js';
import { exposedPieces, type FileAnalysis } from '../../src/eslint/analysis.js';
import { describeSources, unexplainedPorts } from '../../src/eslint/rule-kit.js';
import { AddrSet, formatPorts, IntervalSet, numSetOf, parseCidr, type NumSet } from '../../src/model/index.js';
import { formatById } from '../../src/parsers/registry.js';
import '../../src/parsers/formats.js';

const portRange = fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 40 })).map(([lo, n]) => [lo, lo + n] as const);
const portSet = fc.array(portRange, { minLength: 1, maxLength: 3 }).map((r) => numSetOf(r));
const cidr = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 8, 16, 24, 32)).map(([a, b, len]) => `${a}.${b}.0.0/${len}`);

/** A random iptables-save INPUT chain: accepts and drops by protocol, port range and source. */
const ruleText = fc
  .tuple(fc.constantFrom('tcp', 'udp'), portRange, fc.option(cidr, { nil: undefined }), fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP'))
  .map(([p, [lo, hi], src, verdict]) => `-A INPUT -p ${p}${src ? ` -s ${src}` : ''} -m ${p} --dport ${lo}:${hi} -j ${verdict}`);

function parseSave(rules: string[]) {
  const text = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
  const doc = formatById('iptables-save')!.parse(text, {});
  return doc.rulesets[0]!;
}

describe('exposedPieces (the shared per-protocol entry lists)', () => {
  it('gives the entries, order and ports of exposedPorts, for any query', () => {
    fc.assert(
      fc.property(fc.array(ruleText, { minLength: 1, maxLength: 12 }), fc.constantFrom(6, 17), portSet, (rules, protocol, query) => {
        const exposure = computeExposure(parseSave(rules), { hook: 'input' });
        const want = exposedPorts(exposure, protocol, query).map((e) => ({ rule: e.rule?.id, family: e.family, ports: formatPorts(e.dports), sources: e.sources.toString() }));
        // asked twice: the second answer comes from the shared lists
        for (let k = 0; k < 2; k++) {
          const got = exposedPieces(exposure, protocol, query).map((p) => ({ rule: p.entry.rule?.id, family: p.entry.family, ports: formatPorts(p.ports), sources: p.entry.sources.toString() }));
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 150 },
    );
  });
  it('answers an empty query with nothing', () => {
    const exposure = computeExposure(parseSave(['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT']), { hook: 'input' });
    expect(exposedPieces(exposure, 6, IntervalSet.empty<number>())).toEqual([]);
    expect(exposedPieces(exposure, 6, numSetOf([[22, 22]])).map((p) => formatPorts(p.ports))).toEqual(['22']);
    expect(exposedPieces(exposure, 17, numSetOf([[22, 22]]))).toEqual([]);
  });
});

/** unexplainedPorts as it was written before the per-settings plan: every expected list and every service judged in turn. */
function reference(settings: ResolvedSettings, targets: string[], protocol: number, ports: NumSet, sources: AddrSet): NumSet {
  let rest = ports;
  for (const e of expectedPortsFor(targets, settings)) if ((e.protocol === 'tcp' ? 6 : 17) === protocol) rest = rest.subtract(e.ports);
  for (const svc of settings.services) {
    if (rest.isEmpty) break;
    const j = judge(svc.id, targets, protocol, rest, sources, settings);
    const wide = j.tooWide?.ports ?? IntervalSet.empty<number>();
    rest = rest.subtract(j.needed.subtract(wide));
  }
  return rest;
}

const TARGETS = ['mft01', 'Web01', 'db'];
const deployment: fc.Arbitrary<Deployment> = fc
  .tuple(
    fc.constantFrom('transfer-cft', 'ssh', 'https', 'postgres'),
    fc.subarray(TARGETS, { minLength: 1 }),
    fc.array(fc.tuple(fc.constantFrom('tcp' as const, 'udp' as const), portSet), { minLength: 1, maxLength: 2 }),
    fc.option(cidr, { nil: undefined }),
  )
  .map(([service, targets, ports, src]) => {
    const d: Deployment = { service, targets: targets.map((t) => (t === 'Web01' ? 'web01' : t)), ports: ports.map(([protocol, p]) => ({ protocol, ports: p })), evidence: [] };
    if (src) d.sources = parseCidr(src)!;
    return d;
  });

describe('unexplainedPorts', () => {
  it('agrees with judging every service in turn (deployments, expected ports, sources, case of target names)', () => {
    fc.assert(
      fc.property(
        fc.array(deployment, { maxLength: 5 }),
        fc.option(fc.tuple(fc.constantFrom('mft01', 'WEB01'), portSet), { nil: undefined }),
        fc.subarray(['mft01', 'WEB01', 'other'], { minLength: 1 }),
        fc.constantFrom(6, 17),
        portSet,
        cidr,
        (deployments, expected, targets, protocol, ports, src) => {
          const settings: ResolvedSettings = {
            config: expected ? { expectedPorts: { [expected[0]]: [{ protocol: protocol === 6 ? 'tcp' : 'udp', ports: formatPorts(expected[1]).replace(/ /g, '') }] } } : {},
            services: [...BUILTIN_SERVICES],
            deployments,
            errors: [],
          };
          const a = { settings } as FileAnalysis;
          const sources = parseCidr(src)!;
          const want = formatPorts(reference(settings, targets, protocol, ports, sources));
          // twice: the second call uses the plan and the deployment matches computed by the first
          expect(formatPorts(unexplainedPorts(a, targets, protocol, ports, sources))).toBe(want);
          expect(formatPorts(unexplainedPorts(a, targets, protocol, ports, sources))).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('describeSources', () => {
  const many = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15'].map((c) => parseCidr(c)!).reduce((x, y) => x.union(y));
  it('cuts long lists to three, counting principals, the same when asked again', () => {
    for (let k = 0; k < 2; k++) {
      expect(describeSources(many)).toBe('10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 and 2 more');
      expect(describeSources(many, ['sg-1'])).toBe('10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 and 3 more');
      expect(describeSources(parseCidr('10.0.0.0/8')!, ['sg-1', 'sg-2', 'sg-3'])).toBe('10.0.0.0/8, sg-1, sg-2, sg-3');
      expect(describeSources(parseCidr('10.0.0.0/8')!, ['sg-1', 'sg-2', 'sg-3', 'sg-4'])).toBe('10.0.0.0/8, sg-1, sg-2 and 2 more');
      expect(describeSources(AddrSet.EMPTY)).toBe('no source');
      expect(describeSources(AddrSet.EMPTY, ['sg-1'])).toBe('sg-1');
      expect(describeSources(AddrSet.ALL)).toBe('0.0.0.0/0, ::/0');
    }
  });
});
