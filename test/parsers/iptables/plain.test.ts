import { describe, expect, it } from 'vitest';
import { PLAIN_PACKET } from '../../../src/model/index.js';
import { plainValue } from '../../../src/parsers/iptables/plain.js';
import { parseIptables } from '../../../src/parsers/iptables/index.js';

// What a test of header fields the sender chooses gives for the plain packets (TTL 64, 28–100 bytes, DSCP/TOS 0, no
// IPv6 extension headers): true, false, or undefined when it depends on which one (or the text is not read here)
describe('plainValue', () => {
  it('knows the plain packet it judges', () => {
    expect(PLAIN_PACKET).toEqual({ ttl: 64, hopLimit: 64, minLength: 28, maxLength: 100, dscp: 0, tos: 0, mss: 1460 });
  });
  it.each([
    ['ttl', '-m ttl --ttl-eq 64', true],
    ['ttl', '-m ttl ! --ttl-eq 64', false],
    ['ttl', '-m ttl --ttl-lt 5', false],
    ['ttl', '-m ttl --ttl-gt 5', true],
    ['ttl', '-m ttl --ttl-gt 0x40', false],
    ['ttl', '-m ttl ! --ttl-lt 5', undefined], // iptables refuses `!` there
    ['ttl', '-m ttl --ttl-lt 300', undefined],
    ['hl', '-m hl --hl-lt 5', false],
    ['hl', '-m hl --hl-eq 64', true],
    ['length', '-m length --length 0:1500', true],
    ['length', '-m length --length 28:100', true],
    ['length', '-m length ! --length 0:1500', false],
    ['length', '-m length --length 1000:', false],
    ['length', '-m length --length :20', false],
    ['length', '-m length --length 50:60', undefined], // a 42-byte datagram is outside, a 60-byte SYN inside
    ['length', '-m length --length 60', undefined],
    ['length', '-m length --length 1:2:3', undefined],
    ['dscp', '-m dscp --dscp 0', true],
    ['dscp', '-m dscp --dscp 0x0a', false],
    ['dscp', '-m dscp ! --dscp 0', false],
    ['dscp', '-m dscp --dscp-class EF', false],
    ['dscp', '-m dscp --dscp-class BE', true],
    ['dscp', '-m dscp --dscp-class XX', undefined],
    ['tos', '-m tos --tos 0x10/0x3f', false],
    ['tos', '-m tos --tos Normal-Service', true],
    ['tos', '-m tos ! --tos Minimize-Delay', true],
    // xt_tcpmss: the SYN's MSS option (1460) within the range; the SACK-panic hardening rule drops no plain SYN
    ['tcpmss', '-m tcpmss ! --mss 536:65535', false],
    ['tcpmss', '-m tcpmss --mss 536:65535', true],
    ['tcpmss', '-m tcpmss --mss 1:500', false],
    ['tcpmss', '-m tcpmss --mss 1460', true],
    ['tcpmss', '-m tcpmss --mss 0x5b4', true],
    ['tcpmss', '-m tcpmss --mss 536:', undefined],
    // ip6t_ipv6header: a plain packet carries no extension header, only a layer-4 one ("prot"); --soft: all of the
    // listed (with `!`: none of them); without it exactly the listed (with `!`: anything else)
    ['ipv6header', '-m ipv6header --header hop-by-hop --soft', false],
    ['ipv6header', '-m ipv6header ! --header frag --soft', true],
    ['ipv6header', '-m ipv6header --header frag,prot --soft', false],
    ['ipv6header', '-m ipv6header --header prot --soft', true],
    ['ipv6header', '-m ipv6header ! --header prot --soft', false],
    ['ipv6header', '-m ipv6header --header prot', true],
    ['ipv6header', '-m ipv6header --header 0,prot', false],
    ['ipv6header', '-m ipv6header ! --header hop', true],
    ['ipv6header', '-m ipv6header --header nonsense', undefined],
    // xt_rpfilter: a plain packet's source is routed back by the interface it came in
    ['rpfilter', '-m rpfilter --invert', false],
    ['rpfilter', '-m rpfilter', true],
    ['rpfilter', '-m rpfilter --loose --validmark --invert', false],
    ['rpfilter', '-m rpfilter --bogus', undefined],
    ['rt', '-m rt --rt-type 0', false],
    ['rt', '-m rt ! --rt-type 0', false], // no routing header: no match, whatever the option
    ['frag', '-m frag --fragmore', false],
    ['hbh', '-m hbh', false],
    ['dst', '-m dst --dst-len 8', false],
    ['ttl', '-m ttl --ttl-eq 64 --ttl-lt 5', undefined],
  ])('%s: %s → %s', (name, text, want) => {
    expect(plainValue(name, text)).toBe(want);
  });
  it('is kept on the opaque match by both iptables-save readers (the fast path and the general one)', () => {
    const text = '*filter\n:INPUT DROP [0:0]\n-A INPUT -m ttl --ttl-lt 5 -j DROP\n-A INPUT -p tcp --dport 22 -m length ! --length 0:1500 -m comment --comment x -j ACCEPT\nCOMMIT\n';
    const rules = parseIptables(text).rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => r.matches.filter((m) => m.kind === 'opaque').map((m) => [m.kind === 'opaque' && m.text, m.kind === 'opaque' && m.plain]))).toEqual([
      [['-m ttl --ttl-lt 5', false]],
      [['-m length ! --length 0:1500', false]],
    ]);
  });
});
