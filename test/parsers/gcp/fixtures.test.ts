import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { gcpJsonFormat, gcpYamlFormat, mapGcpTerraform } from '../../../src/parsers/gcp/index.js';
import { evaluateTerraform } from '../../../src/parsers/terraform/index.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { AddrSet, numRange, type Ruleset } from '../../../src/model/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/gcp');
const read = (f: string): string => readFileSync(path.join(dir, f), 'utf8');

/** IPv4 sources that certainly reach every port of 1761-1768 over `proto`. */
function cftOpenTo(rs: Ruleset, proto = 6): AddrSet {
  let all: AddrSet | undefined;
  for (let p = 1761; p <= 1768; p++) {
    let s = AddrSet.EMPTY;
    for (const e of exposedPorts(computeExposure(rs), proto, numRange(p, p))) if (e.family === 'ipv4' && e.certainty === 'open') s = s.union(e.sources);
    all = all ? all.intersect(s) : s;
  }
  return all!;
}

describe('GCP fixtures', () => {
  test('transfer-cft-open.json opens 1761-1768 (TCP and UDP) to the internet on tag cft only', () => {
    const text = read('transfer-cft-open.json');
    expect(gcpJsonFormat.detect('transfer-cft-open.json', text)).toBe(90);
    const d = gcpJsonFormat.parse(text, { filePath: 'transfer-cft-open.json' });
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['network prod-vpc, target tag cft', 'network prod-vpc, all instances']);
    expect(cftOpenTo(d.rulesets[0]!).equals(AddrSet.ALL_V4)).toBe(true);
    expect(cftOpenTo(d.rulesets[0]!, 17).equals(AddrSet.ALL_V4)).toBe(true);
    expect(cftOpenTo(d.rulesets[1]!).isEmpty).toBe(true);
  });

  test('transfer-cft-denied.yaml: the priority-900 deny hides the allow; only the partners (priority 800) get in', () => {
    const text = read('transfer-cft-denied.yaml');
    expect(gcpYamlFormat.detect('transfer-cft-denied.yaml', text)).toBe(90);
    expect(gcpJsonFormat.detect('transfer-cft-denied.yaml', text)).toBe(0);
    const d = gcpYamlFormat.parse(text, {});
    expect(d.diagnostics).toEqual([]);
    expect(d.comments).toEqual([
      { type: 'Line', value: ' gcloud compute firewall-rules list --format=yaml', span: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 51, offset: 50 } } },
    ]);
    const rs = d.rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => r.comment)).toEqual([
      'allow-partners-to-cft',
      'deny-internet-to-cft: only partners may reach Transfer CFT; everything else is blocked first',
      'allow-transfer-cft: Transfer CFT partners',
    ]);
    expect(cftOpenTo(rs).toCidrs()).toEqual(['192.0.2.0/24', '198.51.100.0/24']);
  });

  test('transfer-cft-open.tf', () => {
    const ev = evaluateTerraform(read('transfer-cft-open.tf'));
    const m = mapGcpTerraform(ev.resources);
    // google_compute_network.prod.name resolves to the network resource's literal name
    expect(m.rulesets.map((r) => r.name)).toEqual(['network prod-vpc, target tag cft', 'network prod-vpc, all instances']);
    expect(cftOpenTo(m.rulesets[0]!).equals(AddrSet.ALL_V4)).toBe(true);
  });
});
