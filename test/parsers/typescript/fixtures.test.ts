import path from 'node:path';
import { parseForESLint } from '@typescript-eslint/parser';
import type { TSESTree } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';
import { extractFirewall } from '../../../src/parsers/typescript/index.js';
import { allRules, applyFix, extract, FIXTURES, fixture, opaques, pos, summary } from './helpers.js';

describe('fixtures/typescript/cdk-app.ts', () => {
  const text = fixture('cdk-app.ts');
  const { document, extracted } = extract(text, { filePath: 'cdk-app.ts' });

  it('extracts every security group with its names', () => {
    expect(document.format).toBe('typescript');
    // an unknown value of a written rule is unevaluated input, as in every other format
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['warning', 'unevaluated', 'Cannot evaluate props.allowedCidr (security group CftSg): function parameter (its value comes from the caller); it is treated as unknown', '27:37-27:54'],
    ]);
    expect(document.rulesets.map((r) => [r.name, r.targets, r.kind, r.families])).toEqual([
      ['CftSg', ['CftSg', 'sg', 'cft-server'], 'cloud', ['ipv4', 'ipv6']],
      ['AdminSg', ['AdminSg', 'admin'], 'cloud', ['ipv4', 'ipv6']],
      ['CftL1', ['CftL1'], 'cloud', ['ipv4', 'ipv6']],
    ]);
    const t = document.rulesets[0]!.tables[0]!;
    expect(t.family).toBe('cloud');
    expect(t.chains.map((c) => [c.name, c.hook, c.policy, c.policyImplicit])).toEqual([
      ['ingress', 'input', 'drop', true],
      ['egress', 'output', 'drop', true],
    ]);
  });

  it('maps peers and ports exactly, resolving constants', () => {
    expect(summary(document)).toEqual([
      'CftSg ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'CftSg ingress: dstport=1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      // template string from a const; Port.tcp(PORT) with const PORT = 1764
      'CftSg ingress: dstport=1764 proto=6 srcaddr=192.0.2.0/24 => accept',
      // another SecurityGroup as the peer; PORT + 1 folded
      'CftSg ingress: dstport=1765 proto=17 srcprincipal=admin => accept',
      // props.allowedCidr is a parameter: opaque, never a pass; CFT.first/last from an `as const` object
      // (a security group is a union: undecided rules after the decided ones, which are credited with what they open)
      'CftSg ingress: dstport=1761-1768 family=ipv4 opaque:unresolved proto=6 => accept',
      // allowAllOutbound defaults to true (IPv4 only)
      'AdminSg egress: dstaddr=0.0.0.0/0 => accept',
      'CftL1 ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      "CftL1 ingress: srcaddr=::/0 => accept",
      // no securityGroupEgress: CloudFormation keeps the default allow-all IPv4 egress
      'CftL1 egress: dstaddr=0.0.0.0/0 => accept',
    ]);
  });

  it('names the unresolved expression', () => {
    const r = allRules(document)[4]!;
    expect(opaques(r)).toEqual([{ module: 'unresolved', text: 'props.allowedCidr', reason: 'function parameter (its value comes from the caller)' }]);
  });

  it('has exact spans, report spans and one-line text', () => {
    const rules = allRules(document);
    expect(rules.map((r) => [r.id, pos(r.span), pos(r.reportSpan)])).toEqual([
      [1, '24:5-24:94', '24:23-24:41'], // ec2.Peer.anyIpv4()
      [2, '25:5-25:77', '25:44-25:55'], // '0.0.0.0/0'
      [3, '26:5-26:80', '26:61-26:79'], // ec2.Port.tcp(PORT)
      [4, '30:5-30:53', '30:30-30:52'],
      [5, '27:5-27:96', '27:57-27:95'], // the port argument
      [6, '29:19-29:77', '29:19-29:77'],
      [7, '35:9-35:86', '35:73-35:84'], // cidrIp literal
      [8, '36:9-36:47', '36:39-36:45'],
      [9, '32:5-38:7', '32:5-38:7'],
    ]);
    expect(rules[0]!.span.start.offset).toBe(text.indexOf("sg.addIngressRule(ec2.Peer.anyIpv4()"));
    expect(rules[0]!.text).toBe("sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(1761, 1768), 'CFT from anywhere')");
    expect(rules[0]!.comment).toBe('CFT from anywhere');
    expect(rules[6]!.text).toBe("{ ipProtocol: 'tcp', fromPort: CFT.first, toPort: 1768, cidrIp: '0.0.0.0/0' }");
    expect(rules[8]!.text).toBe('(AWS default) allow all IPv4 egress');
    // extracted rules carry the same rule objects and their nodes
    expect(extracted.map((e) => e.rule)).toEqual(rules);
    expect(extracted[0]!.node.type).toBe('CallExpression');
    expect(text.slice(...extracted[0]!.reportNode.range)).toBe('ec2.Peer.anyIpv4()');
    expect(text.slice(...extracted[1]!.reportNode.range)).toBe("'0.0.0.0/0'");
    expect(text.slice(...extracted[2]!.reportNode.range)).toBe('ec2.Port.tcp(PORT)');
  });

  it('offers mechanical suggestions only', () => {
    const s = extracted.map((e) => e.suggestions);
    const line = (n: number): string => text.split('\n')[n - 1]!;
    // world-open peer → placeholder private CIDR
    expect(applyFix(text, s[0]![0]!).split('\n')[23]).toBe("    sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcpRange(1761, 1768), 'CFT from anywhere');");
    expect(applyFix(text, s[1]![0]!).split('\n')[24]).toBe("    sg.connections.allowFrom(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(1768));");
    // removing the whole statement removes its line
    const removed = applyFix(text, s[0]![1]!);
    expect(removed.split('\n')[23]).toBe(line(25));
    expect(removed.split('\n').length).toBe(text.split('\n').length - 1);
    expect(s[0]!.map((x) => x.desc)).toEqual(['Replace the world-open peer with a private placeholder (10.0.0.0/8)', 'Remove this addIngressRule(…) statement']);
    // a private peer: only the removal
    expect(s[2]!.map((x) => x.desc)).toEqual(['Remove this addIngressRule(…) statement']);
    // Cfn ingress entries: literal replacement keeps the quotes
    expect(applyFix(text, s[6]![0]!).split('\n')[34]).toBe("        { ipProtocol: 'tcp', fromPort: CFT.first, toPort: 1768, cidrIp: '10.0.0.0/8' },");
    expect(applyFix(text, s[7]![0]!).split('\n')[35]).toBe("        { ipProtocol: '-1', cidrIpv6: 'fd00::/8' },");
    // default egress rules get nothing
    expect(s[5]).toEqual([]);
    expect(s[8]).toEqual([]);
  });

  it('fixed text re-extracts without the world-open rule', () => {
    const fixed = applyFix(text, extracted[0]!.suggestions[0]!);
    const again = summary(extract(fixed).document);
    expect(again[0]).toBe('CftSg ingress: dstport=1761-1768 proto=6 srcaddr=10.0.0.0/8 => accept');
  });
});

describe('fixtures/typescript/pulumi-program.ts', () => {
  const text = fixture('pulumi-program.ts');
  const { document, extracted } = extract(text);

  it('extracts the group, the standalone rules and the unresolved parameter', () => {
    // an unknown value of a written rule is unevaluated input, as in every other format
    expect(document.diagnostics.map((d) => [d.severity, d.code, d.message, pos(d.span)])).toEqual([
      ['warning', 'unevaluated', 'Cannot evaluate partnerCidr (security group cft-sg): function parameter (its value comes from the caller); it is treated as unknown', '11:69-11:80'],
    ]);
    expect(document.rulesets.map((r) => [r.name, r.targets])).toEqual([['cft-sg', ['cft-sg', 'sg', 'cft-server']]]);
    expect(summary(document)).toEqual([
      'cft-sg ingress: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'cft-sg ingress: dstport=1766 proto=6 srcaddr=10.1.0.0/16, 10.2.0.0/16 => accept',
      'cft-sg ingress: dstport=1761-1768 proto=6 srcaddr=::/0 => accept',
      // undecided after decided (a security group is a union)
      'cft-sg ingress: dstport=1761-1768 family=ipv4 opaque:unresolved proto=17 => accept',
      'cft-sg egress: dstaddr=0.0.0.0/0 => accept',
    ]);
    const rules = allRules(document);
    expect(opaques(rules[3]!)).toEqual([{ module: 'unresolved', text: 'partnerCidr', reason: 'function parameter (its value comes from the caller)' }]);
    expect(rules.map((r) => [pos(r.span), pos(r.reportSpan)])).toEqual([
      ['10:7-10:66', '10:52-10:63'],
      ['16:3-23:5', '20:15-20:19'],
      ['25:3-31:5', '30:15-30:21'],
      ['11:7-11:83', '11:36-11:40'],
      ['13:14-13:83', '13:42-13:43'],
    ]);
  });

  it('suggests placeholders for world-open ingress literals and removal of standalone rules', () => {
    const s = extracted.map((e) => e.suggestions.map((x) => [x.desc, text.slice(...x.range), x.text]));
    expect(s[0]).toEqual([['Replace the world-open CIDR with a private placeholder (10.0.0.0/8)', "'0.0.0.0/0'", "'10.0.0.0/8'"]]);
    expect(s[3]).toEqual([]);
    expect(s[1]!.map((x) => x[0])).toEqual(['Remove this SecurityGroupRule statement']);
    expect(s[2]![0]).toEqual(['Replace the world-open CIDR with a private placeholder (fd00::/8)', "'::/0'", "'fd00::/8'"]);
    // egress to the world is normal: no suggestion
    expect(s[4]).toEqual([]);
    const removed = applyFix(text, extracted[1]!.suggestions[0]!);
    expect(removed).not.toContain('cft-admin');
    expect(summary(extract(removed).document)).toHaveLength(4);
  });
});

describe('type information', () => {
  const file = path.join(FIXTURES, 'typed.ts');
  const text = fixture('typed.ts');
  const { ast, services } = parseForESLint(text, {
    range: true,
    loc: true,
    comment: true,
    filePath: file,
    project: path.join(FIXTURES, 'tsconfig.json'),
    tsconfigRootDir: FIXTURES,
  });

  it('without types, a parameter and an import from another file stay opaque', () => {
    const { document } = extractFirewall(ast as TSESTree.Program, text);
    const rules = allRules(document);
    expect(summary(document).slice(0, 2)).toEqual([
      'sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
      'sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
    expect(opaques(rules[0]!)).toEqual([{ module: 'unresolved', text: 'port', reason: 'function parameter (its value comes from the caller)' }]);
    expect(opaques(rules[1]!)).toEqual([{ module: 'unresolved', text: 'CFT_PORT', reason: "imported from './typed-constants.js' (other files are not read)" }]);
  });

  it('with types, literal types resolve them', () => {
    const { document } = extractFirewall(ast as TSESTree.Program, text, { services });
    expect(summary(document)).toEqual([
      'sg ingress: dstport=1767 proto=6 srcaddr=0.0.0.0/0 => accept',
      'sg ingress: dstport=1762 proto=6 srcaddr=0.0.0.0/0 => accept',
      // a `declare const sg`: its own egress is not visible here
      'sg egress: opaque:unresolved => accept',
    ]);
    expect(document.rulesets[0]!.targets).toEqual(['sg']);
  });

  it('services without a program are ignored', () => {
    const { document } = extractFirewall(ast as TSESTree.Program, text, { services: { program: null, esTreeNodeToTSNodeMap: new WeakMap() } });
    expect(summary(document)[0]).toBe('sg ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept');
  });
});
