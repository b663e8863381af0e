import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allFormats, detectFormat, formatById } from '../../src/parsers/registry.js';
import type { FormatDefinition } from '../../src/parsers/types.js';
import '../../src/parsers/formats.js';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Detection by the definition: every format of the language scored, the highest wins, the earlier one a tie. */
function bestOfAll(name: string, text: string, language?: FormatDefinition['language']): string | undefined {
  let best: string | undefined;
  let bestScore = 0;
  for (const f of allFormats()) {
    if (language && f.language !== language) continue;
    const s = f.detect(name, text);
    if (s > bestScore) {
      best = f.id;
      bestScore = s;
    }
  }
  return best;
}

describe('format registry', () => {
  it('lists every format once, in the order that breaks detection ties', () => {
    expect(allFormats().map((f) => f.id)).toEqual(['iptables-save', 'iptables-script', 'nftables', 'nftables-json', 'aws', 'cloudformation-yaml', 'terraform', 'terraform-plan', 'terraform-state', 'gcp', 'gcp-yaml', 'azure', 'bicep']);
  });

  it('loads every listed parser module, whose definition has the listed id and language', () => {
    for (const f of allFormats()) {
      // a list entry naming the wrong module, export, id or language throws here
      expect(() => f.detect('x', '')).not.toThrow();
      expect(f.detect('x', '')).toBe(0);
    }
    expect(formatById('iptables-save')!.language).toBe('iptables');
    expect(formatById('azure')!.language).toBe('json');
  });

  it('parses through the loaded parser', () => {
    const doc = formatById('iptables-save')!.parse('*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', {});
    expect(doc.format).toBe('iptables-save');
    expect(doc.rulesets[0]!.tables[0]!.chains.find((c) => c.name === 'INPUT')!.rules).toHaveLength(1);
  });

  it('stops at a top score with the answer a full scan gives (no format scores above 100)', () => {
    const save = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
    expect(formatById('iptables-save')!.detect('fw.rules', save)).toBe(100);
    expect(detectFormat('fw.rules', save)?.id).toBe('iptables-save');
    expect(detectFormat('fw.txt', save)?.id).toBe('iptables-save');
    expect(detectFormat('fw.txt', 'hello')).toBeUndefined();
    const files = filesUnder(FIXTURES);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(detectFormat(file, text)?.id, file).toBe(bestOfAll(file.slice(file.lastIndexOf('/') + 1), text));
      for (const language of ['iptables', 'nftables', 'json', 'yaml', 'hcl'] as const) {
        expect(detectFormat(file, text, language)?.id, `${file} ${language}`).toBe(bestOfAll(file.slice(file.lastIndexOf('/') + 1), text, language));
      }
    }
  });

  it('reads Terraform, Terraform JSON and Bicep from standard input by content (`cat main.tf | fwlint -`); they were recognised by name alone', () => {
    const tf = 'variable "x" {}\n\nresource "aws_security_group" "db" {\n  name = "db"\n}\n';
    const tfJson = '{\n  "resource": {\n    "google_compute_firewall": { "fw": { "name": "fw" } }\n  }\n}\n';
    const bicep = "param location string\nresource nsg 'Microsoft.Network/networkSecurityGroups@2023-04-01' = {\n  name: 'nsg'\n}\n";
    expect([tf, tfJson, bicep].map((t) => detectFormat('<stdin>', t)?.id)).toEqual(['terraform', 'terraform-plan', 'bicep']);
    expect([tf, tfJson, bicep].map((t) => detectFormat('sg.tf.bak', t)?.id)).toEqual(['terraform', 'terraform-plan', 'bicep']);
    // a *.json file Terraform does not load, and a document that merely mentions a resource, are none of them
    expect(detectFormat('main.json', tfJson)).toBeUndefined();
    expect(detectFormat('<stdin>', '# resource "aws_security_group" "db" {\n')).toBeUndefined();
  });

  it('finds an iptables script whose commands follow more than 8 KB of shell functions (it was no format)', () => {
    const preamble = Array.from({ length: 300 }, (_, i) => `log_${i}() { echo "message number ${i} for the firewall"; }`).join('\n');
    const script = `#!/bin/bash\nIPT=/sbin/iptables\n${preamble}\n$IPT -P INPUT DROP\n$IPT -A INPUT -p tcp --dport 22 -j ACCEPT\n`;
    expect(script.indexOf('$IPT -P')).toBeGreaterThan(16384);
    expect(detectFormat('fw.sh', script)?.id).toBe('iptables-script');
    expect(detectFormat('firewall', script)?.id).toBe('iptables-script');
    expect(detectFormat('build.sh', `#!/bin/bash\n${preamble}\nmake all\n`)).toBeUndefined();
  });
});
