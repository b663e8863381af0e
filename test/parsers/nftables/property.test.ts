import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';

const SAMPLE = `define NETS = { 10.0.0.0/8, 192.168.0.0/16 }
table inet filter {
	set ports { type inet_service; flags interval; elements = { 22, 1761-1768 } }
	map m { type ifname : verdict; elements = { "lo" : accept, "wg*" : jump vpn } }
	chain vpn { tcp dport @ports accept; return }
	chain input {
		type filter hook input priority filter - 10; policy drop;
		ct state established,related accept comment "ok"
		iifname vmap @m
		ip saddr $NETS tcp dport { 1761-1768 } counter accept
		ip6 saddr fe80::/10 udp dport 546 accept
		ip saddr . tcp dport { 10.0.0.1 . 22 } jump { accept }
		tcp flags & (syn | ack) == syn limit rate 5/second log prefix "x" drop
		dnat ip to 10.0.0.2:443
	}
}
`;

const TOKENS = ['table', 'chain', 'set', 'map', '{', '}', ';', '\n', '"', '$', '@', 'ip', 'saddr', 'tcp', 'dport', 'vmap', ':', '.', ',', '-', '/', '!=', 'accept', 'jump', 'define', '=', 'include', '#', '\\', 'priority', 'type', 'hook', '*', '[', ']', '(', ')', '0', '1.2.3.4', '::1'];

/** Never throws and every diagnostic has a real position. */
function check(text: string): void {
  for (const doc of [parseNftables(text), parseNftablesJson(text)]) {
    for (const d of doc.diagnostics) {
      expect(d.span.start.line).toBeGreaterThan(0);
      expect(d.span.start.offset).toBeLessThanOrEqual(text.length);
    }
    expect(doc.diagnostics.some((d) => d.code?.endsWith('/internal'))).toBe(false);
  }
}

describe('robustness', () => {
  it('random text never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => check(s)), { numRuns: 300 });
  });

  it('token soup never throws', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }), (ts) => check(ts.join(' '))), { numRuns: 300 });
  });

  it('mutations of a real ruleset never throw', () => {
    const mutation = fc.tuple(fc.nat(SAMPLE.length), fc.nat(20), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => {
        let t = SAMPLE;
        for (const [at, del, ins] of ms) {
          const p = at % (t.length + 1);
          t = t.slice(0, p) + ins + t.slice(p + del);
        }
        check(t);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated JSON never throws', () => {
    const json = '{"nftables":[{"table":{"family":"inet","name":"t"}},{"chain":{"family":"inet","table":"t","name":"c","type":"filter","hook":"input","prio":0,"policy":"drop"}},{"rule":{"family":"inet","table":"t","chain":"c","expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":{"set":[22,{"range":[1761,1768]}]}}},{"vmap":{"key":{"meta":{"key":"iifname"}},"data":{"set":[["lo",{"accept":null}]]}}}]}}]}';
    fc.assert(
      fc.property(fc.nat(json.length), fc.nat(10), fc.constantFrom('', '{', '}', '[', ']', '"', ',', ':', 'null', '1', '"@x"', '{"set":[]}'), (at, del, ins) => {
        check(json.slice(0, at) + ins + json.slice(at + del));
      }),
      { numRuns: 400 },
    );
  });

  it('a deeply nested or huge input stays fast', () => {
    const deep = 'table ip t { chain c { ip saddr ' + '{ '.repeat(5000) + '1.2.3.4' + ' }'.repeat(5000) + ' accept } }';
    const t0 = performance.now();
    check(deep);
    check('define A = 1\n' + Array.from({ length: 40 }, (_, i) => `define V${i + 1} = { $${i === 0 ? 'A' : `V${i}`}, $${i === 0 ? 'A' : `V${i}`} }`).join('\n') + '\n');
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
