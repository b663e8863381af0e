/**
 * The extracted models through the exposure engine: the three-valued answers the
 * lint rules will give on the fixtures (open / possibly open / closed), above all
 * for Transfer CFT 1761–1768.
 */
import path from 'node:path';
import { parseForESLint } from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { classifyPacket, computeExposure, type Packet } from '../../../src/analysis/index.js';
import type { FirewallDocument } from '../../../src/model/index.js';
import { extractFirewall } from '../../../src/parsers/typescript/index.js';
import { extract, FIXTURES, fixture } from './helpers.js';

function classify(doc: FirewallDocument, rulesetName: string, packet: Packet): string {
  const rs = doc.rulesets.find((r) => r.name === rulesetName);
  if (!rs) throw new Error(`no ruleset ${rulesetName}`);
  return classifyPacket(computeExposure(rs), packet);
}

const WORLD = '203.0.113.7';

describe('exposure of the extracted fixtures', () => {
  it('cdk-app.ts', () => {
    const doc = extract(fixture('cdk-app.ts')).document;
    expect(classify(doc, 'CftSg', { proto: 'tcp', dport: 1761, src: WORLD })).toBe('open');
    expect(classify(doc, 'CftSg', { proto: 'tcp', dport: 1768, src: WORLD })).toBe('open');
    // props.allowedCidr may be any IPv4 CIDR, never an IPv6 one (Peer.ipv4 is CloudFormation's CidrIp)
    expect(classify(doc, 'CftSg', { proto: 'tcp', dport: 1763, family: 'ipv6', src: '2001:db8::7' })).toBe('closed');
    // udp only from the admin group
    expect(classify(doc, 'CftSg', { proto: 'udp', dport: 1765, src: WORLD })).toBe('closed');
    expect(classify(doc, 'CftSg', { proto: 'udp', dport: 1765, srcPrincipal: 'admin' })).toBe('open');
    expect(classify(doc, 'CftSg', { proto: 'tcp', dport: 22, src: WORLD })).toBe('closed');
    // the L1 group: every protocol from any IPv6 address
    expect(classify(doc, 'CftL1', { proto: 'udp', dport: 1762, family: 'ipv6', src: '2001:db8::7' })).toBe('open');
    expect(classify(doc, 'CftL1', { proto: 'udp', dport: 1762, src: WORLD })).toBe('closed');
  });

  it('pulumi-program.ts', () => {
    const doc = extract(fixture('pulumi-program.ts')).document;
    expect(classify(doc, 'cft-sg', { proto: 'tcp', dport: 1765, src: WORLD })).toBe('open');
    // partnerCidr is a parameter
    expect(classify(doc, 'cft-sg', { proto: 'udp', dport: 1765, src: WORLD })).toBe('possibly-open');
    expect(classify(doc, 'cft-sg', { proto: 'tcp', dport: 1768, family: 'ipv6', src: '2001:db8::7' })).toBe('open');
    // cidrBlocks takes IPv4 CIDRs only
    expect(classify(doc, 'cft-sg', { proto: 'udp', dport: 1765, family: 'ipv6', src: '2001:db8::7' })).toBe('closed');
  });

  it('typed.ts: possibly open without types, open with them', () => {
    const file = path.join(FIXTURES, 'typed.ts');
    const text = fixture('typed.ts');
    const { ast, services } = parseForESLint(text, { range: true, loc: true, filePath: file, project: path.join(FIXTURES, 'tsconfig.json'), tsconfigRootDir: FIXTURES });
    const plain = extractFirewall(ast as TSESTree.Program, text).document;
    const typed = extractFirewall(ast as TSESTree.Program, text, { services }).document;
    expect(classify(plain, 'sg', { proto: 'tcp', dport: 1767, src: WORLD })).toBe('possibly-open');
    expect(classify(typed, 'sg', { proto: 'tcp', dport: 1767, src: WORLD })).toBe('open');
    expect(classify(typed, 'sg', { proto: 'tcp', dport: 1762, src: WORLD })).toBe('open');
    expect(classify(typed, 'sg', { proto: 'tcp', dport: 1763, src: WORLD })).toBe('closed');
  });

  it('pulumi-gcp-azure.ts: priorities and denies decide', () => {
    // the NSG ruleset is named as the Azure parser's compileNsg names it
    const doc = extract(fixture('pulumi-gcp-azure.ts')).document;
    // Azure: the Deny at 100 wins over the Allow at 200 for 1762-1763 from the Internet
    expect(classify(doc, 'NSG nsg', { proto: 'tcp', dport: 1762, src: WORLD })).toBe('closed');
    expect(classify(doc, 'NSG nsg', { proto: 'tcp', dport: 1761, src: WORLD })).toBe('open');
    // GCP: tagged instances are open to the world on 1761-1768 unless the source is tagged untrusted
    expect(classify(doc, 'network net, target tag cft', { proto: 'tcp', dport: 1761, src: WORLD })).toBe('open');
    expect(classify(doc, 'network net, target tag cft', { proto: 'tcp', dport: 1761, srcPrincipal: 'tag:untrusted' })).toBe('closed');
    expect(classify(doc, 'network net, all instances', { proto: 'tcp', dport: 1761, src: WORLD })).toBe('closed');
    // a disabled firewall is never evaluated
    expect(classify(doc, 'network default, all instances', { proto: 'udp', dport: 1761, src: WORLD })).toBe('closed');
  });
});
