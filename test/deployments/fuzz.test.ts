import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discoverInText, parseConfigText, parsePortList, validateSettings } from '../../src/deployments/index.js';
import { parseProcNet } from '../../src/deployments/live.js';
import { formatPorts, numSetOf } from '../../src/model/index.js';

const yamlish = fc.array(
  fc.oneof(
    fc.constantFrom('services:', '  cft:', '    image: axway/cft', '    ports:', '      - "1761:1761"', 'kind: Service', 'apiVersion: v1', '---', 'spec:', '  ports:', '    - name: pesit', '      port: 1761', 'deployments:', '  - service: transfer-cft', '    targets: [a]', '    sources: [10.0.0.0/8]', '    disabled: [sftp]', 'CFTPROT ID=PESITANY, SAP=1761', 'PESIT_Port = 1761', 'Description=Axway Transfer CFT', '&a', '*a', '<<: *a', '{', ']', '- - -', '\t'),
    fc.string({ maxLength: 20 }),
  ),
  { maxLength: 30 },
).map((l) => l.join('\n'));

describe('never throws on arbitrary input', () => {
  it('configuration text (YAML and JSON)', () => {
    fc.assert(
      fc.property(yamlish, fc.boolean(), (text, json) => {
        const r = parseConfigText(text, json ? '/x/fwlint.config.json' : '/x/fwlint.config.yaml');
        for (const e of r.errors) {
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('settings values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => void validateSettings(v)), { numRuns: 300 });
  });
  it('discovery on every kind of file', () => {
    fc.assert(
      fc.property(yamlish, fc.constantFrom('a.yaml', 'values.yml', 'cft.service', 'initialize.properties', 'cft-tcp.conf', 'x.sh'), (text, name) => {
        for (const f of discoverInText(name, text)) for (const e of f.evidence) expect(e.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
  it('/proc/net tables', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (t) => void parseProcNet(t, 'tcp', 'ipv6')), { numRuns: 300 });
  });
});

describe('parsePortList', () => {
  it('round-trips formatPorts output', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })), { minLength: 1, maxLength: 10 }), (pairs) => {
        const set = numSetOf(pairs);
        const text = formatPorts(set).replace(/^all$/, '0-65535');
        expect(parsePortList(text.replace(/ /g, ''))!.equals(set)).toBe(true);
        expect(parsePortList(text)!.equals(set)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
