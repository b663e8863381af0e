import { describe, expect, test } from 'vitest';
import { parseTerraform } from '../../../src/parsers/terraform/format.js';

describe('terraform format dispatch', () => {
  const tf = [
    'resource "aws_security_group" "a" {',
    '  ingress {',
    '    from_port   = 1761',
    '    to_port     = 1768',
    '    protocol    = "tcp"',
    '    cidr_blocks = ["0.0.0.0/0"]',
    '  }',
    '}',
    'resource "google_compute_firewall" "g" {',
    '  name    = "cft"',
    '  network = "default"',
    '  allow {',
    '    protocol = "tcp"',
    '    ports    = ["1761-1768"]',
    '  }',
    '  source_ranges = ["0.0.0.0/0"]',
    '}',
    'resource "azurerm_network_security_group" "z" {',
    '  name                = "cft"',
    '  location            = "westeurope"',
    '  resource_group_name = "rg"',
    '  security_rule {',
    '    name                       = "cft"',
    '    priority                   = 100',
    '    direction                  = "Inbound"',
    '    access                     = "Allow"',
    '    protocol                   = "Tcp"',
    '    source_port_range          = "*"',
    '    destination_port_range     = "1761-1768"',
    '    source_address_prefix      = "*"',
    '    destination_address_prefix = "*"',
    '  }',
    '}',
    '',
  ].join('\n');
  test('AWS, GCP and Azure resources of one file each reach their mapper; rule ids unique in the document', () => {
    const doc = parseTerraform(tf);
    const kinds = doc.rulesets.map((r) => r.tables.map((t) => t.family).join());
    expect(doc.rulesets.length).toBeGreaterThanOrEqual(3);
    expect(kinds.every((k) => k.split(',').every((f) => f === 'cloud'))).toBe(true);
    expect(doc.rulesets[0]!.name).toBe('aws_security_group.a');
    expect(doc.rulesets.some((r) => r.targets.some((t) => t.includes('google_compute_firewall.g') || t === 'cft'))).toBe(true);
    expect(doc.rulesets.some((r) => r.targets.some((t) => t.includes('azurerm_network_security_group.z')))).toBe(true);
    const ids = doc.rulesets.flatMap((r) => r.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((x) => x.id))));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(3);
  });
});
