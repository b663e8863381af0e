import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { azureJsonFormat, mapAzureTerraform } from '../../../src/parsers/azure/index.js';
import { evaluateTerraform } from '../../../src/parsers/terraform/index.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { AddrSet, numRange, type Ruleset } from '../../../src/model/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/azure');
const read = (f: string): string => readFileSync(path.join(dir, f), 'utf8');

function cftOpenTo(rs: Ruleset, proto = 6): AddrSet {
  let all: AddrSet | undefined;
  for (let p = 1761; p <= 1768; p++) {
    let s = AddrSet.EMPTY;
    for (const e of exposedPorts(computeExposure(rs), proto, numRange(p, p))) if (e.family === 'ipv4' && e.certainty === 'open') s = s.union(e.sources);
    all = all ? all.intersect(s) : s;
  }
  return all!;
}

describe('Azure fixtures', () => {
  test('transfer-cft-open.json (az network nsg show) opens 1761-1768 to the internet', () => {
    const text = read('transfer-cft-open.json');
    expect(azureJsonFormat.detect('transfer-cft-open.json', text)).toBe(80);
    const d = azureJsonFormat.parse(text, {});
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => [r.name, r.targets])).toEqual([['NSG cft-nsg', ['cft-nsg', 'transfer-vnet/cft']]]);
    expect(cftOpenTo(d.rulesets[0]!).equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('transfer-cft-denied.json (ARM): the deny at 150 hides the allow at 200; partners (parameter default) get in', () => {
    const text = read('transfer-cft-denied.json');
    expect(azureJsonFormat.detect('transfer-cft-denied.json', text)).toBe(90);
    const d = azureJsonFormat.parse(text, {});
    expect(d.diagnostics).toEqual([]);
    expect(cftOpenTo(d.rulesets[0]!).toCidrs()).toEqual(['192.0.2.0/24', '198.51.100.0/24']);
  });

  test('transfer-cft-denied.tf: an attached deny rule in front of the attached allow', () => {
    const m = mapAzureTerraform(evaluateTerraform(read('transfer-cft-denied.tf')).resources);
    expect(m.diagnostics).toEqual([]);
    expect(cftOpenTo(m.rulesets[0]!).isEmpty).toBe(true);
    // without the deny resource the allow opens it
    const only = mapAzureTerraform(evaluateTerraform(read('transfer-cft-denied.tf')).resources.filter((r) => r.address !== 'azurerm_network_security_rule.deny_cft'));
    expect(cftOpenTo(only.rulesets[0]!).equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('deny-without-ports.tf: a deny without a destination port range is refused by Azure and closes nothing', () => {
    const m = mapAzureTerraform(evaluateTerraform(read('deny-without-ports.tf')).resources);
    expect(m.diagnostics.map((d) => [d.code, d.message, d.span.start.line])).toEqual([
      ['azure/missing-port', 'security rule "deny-internet-tcp" has no destination port range: Azure refuses such a rule', 9],
    ]);
    const rs = m.rulesets[0]!;
    expect(cftOpenTo(rs).isEmpty).toBe(true);
    // possibly open from the internet (the deny may not exist), not closed
    let possibly = AddrSet.EMPTY;
    for (const e of exposedPorts(computeExposure(rs), 6, numRange(1761, 1761))) if (e.family === 'ipv4' && e.certainty === 'possibly-open') possibly = possibly.union(e.sources);
    expect(possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });
});
