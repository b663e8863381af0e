import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import rule, { reachableV4 } from '../../rules/ip-family-parity.js';
import type { Exposure, ExposureEntry } from '../../src/analysis/types.js';
import { IntervalSet, PORT_UNIVERSE } from '../../src/model/index.js';
import { tester } from './tester.js';

const dir = mkdtempSync(join(tmpdir(), 'fwlint-parity-'));
writeFileSync(join(dir, 'rules.v4'), '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
const V6 = (rule: string) => `*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${rule}\nCOMMIT\n`;

tester('iptables').run('ip-family-parity (sibling files)', rule, {
  valid: [{ code: V6('-A INPUT -s fd00::/8 -p tcp --dport 22 -j ACCEPT'), filename: join(dir, 'rules.v6') }],
  invalid: [
    {
      code: V6('-A INPUT -p tcp -m multiport --dports 22,1768 -j ACCEPT'),
      filename: join(dir, 'rules.v6'),
      errors: [{ line: 5, message: 'Open for IPv6 but closed for IPv4 in rules.v4: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from ::/0.' }],
    },
  ],
});

tester('nftables').run('ip-family-parity (inet table)', rule, {
  valid: [{ code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n', filename: 'a.nft' }],
  invalid: [
    {
      code: 'table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    ip saddr 10.0.0.0/8 tcp dport 22 accept\n    meta nfproto ipv6 tcp dport 3306 accept\n  }\n}\n',
      filename: 'a.nft',
      errors: [{ line: 5, message: 'Open for IPv6 but closed for IPv4: TCP 3306 (mysql) reachable from ::/0.' }],
    },
  ],
});

describe('reachableV4', () => {
  test('is the union of the IPv4 entries of the protocol, as IntervalSet.unionAll gives it', () => {
    const portsArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 1, max: 3000 })), { maxLength: 4 })
      .map((rs) => IntervalSet.fromRanges(rs.map(([lo, len]) => [lo, Math.min(65536, lo + len)] as const)));
    const entryArb = fc.record({ family: fc.constantFrom('ipv4' as const, 'ipv6' as const), proto: fc.constantFrom(6, 17), dports: fc.oneof(portsArb, fc.constant(PORT_UNIVERSE)) });
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 30 }), (list) => {
        const entries = list.map((e) => ({ family: e.family, protocols: IntervalSet.range(e.proto, e.proto + 1), dports: e.dports })) as unknown as ExposureEntry[];
        const exposure = { entries } as Exposure;
        const want = IntervalSet.unionAll(entries.filter((e) => e.family === 'ipv4' && e.protocols.has(6)).map((e) => e.dports));
        expect(reachableV4(exposure, 6).bounds).toEqual(want.bounds);
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});
