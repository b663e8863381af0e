import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseAzure, ArmEvaluator } from '../../../src/parsers/azure/index.js';
import { parseGcp } from '../../../src/parsers/gcp/index.js';

const AZ_KEYS = ['name', 'type', 'properties', 'securityRules', 'defaultSecurityRules', 'priority', 'access', 'direction', 'protocol', 'sourceAddressPrefix', 'sourceAddressPrefixes', 'destinationPortRange', 'destinationPortRanges', 'sourceApplicationSecurityGroups', 'id', 'resources', 'parameters', 'variables', 'condition', 'copy', 'subnets', 'networkSecurityGroup', 'ipConfigurations', 'subnet'];
const GCP_KEYS = ['kind', 'name', 'network', 'direction', 'priority', 'allowed', 'denied', 'IPProtocol', 'ports', 'sourceRanges', 'sourceTags', 'targetTags', 'disabled', 'items', 'firewalls', 'firewallPolicys', 'rules', 'match', 'action', 'layer4Configs', 'srcIpRanges', 'ipProtocol'];
const SCALARS = fc.oneof(
  fc.constantFrom('*', 'Internet', 'Tcp', 'Udp', 'Allow', 'Deny', 'Inbound', 'Outbound', 'tcp', 'all', 'INGRESS', '22', '1761-1768', '0.0.0.0/0', '::/0', '/0', '10.0.0.300', 'Microsoft.Network/networkSecurityGroups', 'Microsoft.Network/networkSecurityGroups/securityRules', 'compute#firewall', "[parameters('p')]", "[concat(parameters('n'), '/r')]", "[variables('v')]", "[resourceId('Microsoft.Network/networkSecurityGroups', 'x')]", '[', "[concat(]", "[if(true, 'a')]"),
  fc.string(),
  fc.integer({ min: -5, max: 70000 }),
  fc.boolean(),
  fc.constant(null),
);

function tree(keys: string[]) {
  return fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, SCALARS, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...keys), tie('node'), { maxKeys: 6 })),
  })).node;
}

describe('never throws on user input', () => {
  test('random Azure-shaped JSON (NSGs, ARM templates)', () => {
    fc.assert(
      fc.property(tree(AZ_KEYS), fc.boolean(), (v, template) => {
        const root = template && v && typeof v === 'object' && !Array.isArray(v) ? { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', ...v } : v;
        const d = parseAzure(JSON.stringify(root) ?? 'null');
        expect(d.diagnostics.filter((x) => x.code === 'azure/internal')).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('random GCP-shaped JSON', () => {
    fc.assert(
      fc.property(tree(GCP_KEYS), (v) => {
        const d = parseGcp(JSON.stringify(v) ?? 'null');
        expect(d.diagnostics.filter((x) => x.code === 'gcp/internal')).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('truncated and garbled texts', () => {
    const base = '{"name":"n","securityRules":[{"name":"r","priority":100,"access":"Allow","direction":"Inbound","protocol":"Tcp","sourceAddressPrefix":"*","destinationPortRange":"1761-1768"}]}';
    fc.assert(
      fc.property(fc.nat(base.length), fc.string({ maxLength: 5 }), (cut, junk) => {
        const t = base.slice(0, cut) + junk + base.slice(cut);
        expect(() => parseAzure(t)).not.toThrow();
        expect(() => parseGcp(t)).not.toThrow();
        expect(() => parseGcp(`---\n${t.replace(/[{}"]/g, ' ')}\n---\n`)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  test('ARM expressions of any shape evaluate or stay unknown', () => {
    const ev = new ArmEvaluator({ parameters: new Map(), variables: new Map(), overrides: { p: 'x' } });
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(() => ev.evalString(`[${s}]`)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    expect(ev.evalString("[concat(parameters('p'), '/', toUpper('r'))]")).toBe('x/R');
    expect(ev.evalString("[format('{0}-{1}', 1761, 1768)]")).toBe('1761-1768');
    expect(ev.evalString('[[literal]')).toBe('[literal]');
    expect(ev.evalString("[if(equals(parameters('p'), 'x'), 'yes', 'no')]")).toBe('yes');
    const deep = '['.repeat(0) + `[${'concat('.repeat(200)}'a'${')'.repeat(200)}]`;
    expect(() => ev.evalString(deep)).not.toThrow();
  });
});
