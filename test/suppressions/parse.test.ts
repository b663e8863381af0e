import { describe, expect, it } from 'vitest';
import '../../src/parsers/formats.js';
import { parseWithFormat } from '../../src/eslint/language.js';
import { detectFormat } from '../../src/parsers/registry.js';
import { AddrSet, closedRanges, type Span } from '../../src/model/index.js';
import { directiveText, parseDirective, parseSuppressions } from '../../src/suppressions/index.js';

const SPAN: Span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };

function summary(file: string, text: string) {
  const doc = parseWithFormat(detectFormat(file, text)!, text, file);
  return parseSuppressions(doc, text).map((s) => ({ at: s.span.start.line, covers: s.covers ? [s.covers.start, s.covers.end] : null, rules: s.rules ?? '*', reason: s.reason ?? null, error: s.error ?? null }));
}

describe('parseDirective', () => {
  it('reads rules, ports per protocol, sources, expiry and reason', () => {
    const s = parseDirective('fwlint-ignore no-unneeded-cft-ports,firewall/ip-family-parity ports=1768,1761-1763/tcp,53/udp sources=10.0.0.0/8,192.168.1.1 until=2027-01-31 -- partner -- gateway', SPAN);
    expect(s.error).toBeUndefined();
    expect(s.rules).toEqual(['firewall/no-unneeded-cft-ports', 'firewall/ip-family-parity']);
    expect(closedRanges(s.ports!.get(6)!)).toEqual([[1761, 1763], [1768, 1768]]);
    expect(closedRanges(s.ports!.get(17)!)).toEqual([[53, 53], [1768, 1768]]);
    expect(s.sources!.toCidrs()).toEqual(['10.0.0.0/8', '192.168.1.1/32']);
    expect(s.until).toBe('2027-01-31');
    expect(s.expiresAt).toBe(Date.UTC(2027, 1, 1)); // applies through the whole of 31 January (UTC)
    expect(s.reason).toBe('partner -- gateway');
  });

  it('proto= limits bare ports; no rule means every rule; no options means no scope', () => {
    const s = parseDirective('fwlint-ignore ports=1761:1762 proto=udp', SPAN);
    expect([...s.ports!.keys()]).toEqual([17]);
    expect(closedRanges(s.ports!.get(17)!)).toEqual([[1761, 1762]]);
    expect(s.rules).toBeUndefined();
    const bare = parseDirective('fwlint-ignore', SPAN);
    expect(bare).toEqual({ span: SPAN, text: 'fwlint-ignore' });
    expect(parseDirective('fwlint-ignore * --', SPAN).reason).toBeUndefined();
  });

  it('reports every malformed part, never throws', () => {
    expect(parseDirective('fwlint-ignore ports=70000 sources=10.0.0.300/8 until=2027-02-30 proto=icmp color=red Bad_Rule', SPAN).error).toBe(
      '"10.0.0.300/8" is not an address or CIDR; until=2027-02-30: a date YYYY-MM-DD; proto=icmp: tcp or udp; unknown option "color" (ports, proto, sources, until); "Bad_Rule" is not a rule name; "70000" is not a port or range',
    );
    expect(parseDirective('fwlint-ignore ports= sources=', SPAN).error).toBe('ports= needs at least one port; sources= needs at least one address or CIDR');
    expect(parseDirective('fwlint-ignore ports=5-3', SPAN).error).toBe('"5-3" is not a port or range');
  });

  it('recognises the directive only as a whole word at the start', () => {
    expect(directiveText('  fwlint-ignore x')).toBe('fwlint-ignore x');
    expect(directiveText('fwlint-ignored')).toBeUndefined();
    expect(directiveText('see fwlint-ignore')).toBeUndefined();
    expect(directiveText('fwlint-deployment: transfer-cft')).toBeUndefined();
  });
});

describe('parseSuppressions attaches each directive to the rule it covers', () => {
  it('iptables-save: # line → next rule (or policy); -m comment → its own rule', () => {
    const text = [
      '*filter',
      '# fwlint-ignore no-permissive-default-policy -- legacy',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD DROP [0:0]',
      '# fwlint-ignore',
      '',
      '# another comment',
      '-A INPUT -p tcp --dport 1768 -j ACCEPT',
      '-A INPUT -p tcp --dport 1762 -m comment --comment "fwlint-ignore no-unneeded-cft-ports -- ok" -j ACCEPT',
      'COMMIT',
      '# fwlint-ignore',
      '',
    ].join('\n');
    expect(summary('a.rules', text)).toEqual([
      { at: 2, covers: [3, 3], rules: ['firewall/no-permissive-default-policy'], reason: 'legacy', error: null },
      { at: 5, covers: [8, 8], rules: '*', reason: null, error: null },
      { at: 9, covers: [9, 9], rules: ['firewall/no-unneeded-cft-ports'], reason: 'ok', error: null },
      { at: 11, covers: null, rules: '*', reason: null, error: null },
    ]);
  });

  it('nftables: # line → next rule; comment "…" → its rule; trailing # → the rule on that line', () => {
    const text = [
      'table inet f {',
      '  chain input {',
      '    type filter hook input priority 0; policy drop;',
      '    # fwlint-ignore ports=1768',
      '    tcp dport 1768 accept',
      '    tcp dport 1762 accept comment "fwlint-ignore ports=1762"',
      '    tcp dport 1763 accept # fwlint-ignore ports=1763',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(summary('f.nft', text).map((s) => [s.at, s.covers])).toEqual([
      [4, [5, 5]],
      [6, [6, 6]],
      [7, [7, 7]],
    ]);
  });

  it('CloudFormation YAML: # line before a list item → that ingress rule', () => {
    const text = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  SG:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: x',
      '      SecurityGroupIngress:',
      '        # fwlint-ignore ports=1768 until=2030-01-01 -- partner',
      '        - IpProtocol: tcp',
      '          FromPort: 1768',
      '          ToPort: 1768',
      '          CidrIp: 0.0.0.0/0',
      '',
    ].join('\n');
    expect(summary('sg.yaml', text)).toEqual([{ at: 8, covers: [9, 12], rules: '*', reason: 'partner', error: null }]);
  });

  it('Terraform: # line before a block → that rule; trailing // inside a block → the rule containing it', () => {
    const text = [
      'resource "aws_security_group" "w" {',
      '  name = "w"',
      '  # fwlint-ignore ports=1768',
      '  ingress {',
      '    from_port   = 1768',
      '    to_port     = 1768',
      '    protocol    = "tcp"',
      '    cidr_blocks = ["0.0.0.0/0"] // fwlint-ignore sources=0.0.0.0/0',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(summary('main.tf', text).map((s) => [s.at, s.covers])).toEqual([
      [3, [4, 9]],
      [8, [4, 9]],
    ]);
  });

  it('sources scope is a real address set', () => {
    const s = parseDirective('fwlint-ignore sources=0.0.0.0/1,128.0.0.0/1', SPAN);
    expect(s.sources!.equals(AddrSet.ALL_V4)).toBe(true);
  });
});
