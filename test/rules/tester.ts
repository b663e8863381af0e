import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import plugin from '../../src/eslint/plugin.js';

RuleTester.describe = describe;
RuleTester.it = it;

/** A RuleTester for one firewall language; discovery is off so the repository around the tests is not read. */
export function tester(language: 'iptables' | 'nftables' | 'json' | 'yaml' | 'hcl', firewall: Record<string, unknown> = {}): RuleTester {
  return new RuleTester({
    plugins: { firewall: plugin as never },
    language: `firewall/${language}`,
    settings: { firewall: { discovery: false, ...firewall } },
  } as never);
}

/** iptables-save text with INPUT DROP and the given rules. */
export function save(...rules: string[]): string {
  return ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
}
