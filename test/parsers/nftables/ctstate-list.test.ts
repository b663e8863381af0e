import { describe, expect, it } from 'vitest';
import { tracePacket } from '../../../src/analysis/index.js';
import { parseNftables, parseNftablesJson } from '../../../src/parsers/nftables/index.js';
import { VIEW_JSON_MIN } from '../../../src/parsers/nftables/json.js';

// `nft --debug=netlink` (nftables 1.0.6): `ct state == established,related` and nft -j's
// `{"op": "==", "right": ["established", "related"]}` / `{"|": [...]}` load as `cmp eq reg 1 0x00000006` (the OR of
// the states, which no connection is in); only the implicit form / "in" loads `bitwise & 0x6, cmp neq 0` (any of them),
// also when written `ct state established | related`.
const probe = (state: 'new' | 'established') => ({ family: 'ipv4' as const, proto: 'udp' as const, dport: 5000, src: '10.200.0.2', dst: '10.200.0.1', iif: 'eth0', hook: 'input' as const, state });
const text = (rule: string) => parseNftables(`table inet t {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ${rule}\n  }\n}\n`).rulesets[0]!;
const json = (op: string, right: unknown, verdict: string, pad = 0) => {
  const doc = JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
      { table: { family: 'inet', name: 't', handle: 1 } },
      { chain: { family: 'inet', table: 't', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
      { rule: { family: 'inet', table: 't', chain: 'input', handle: 2, expr: [{ match: { op, left: { ct: { key: 'state' } }, right } }, { [verdict]: null }] } },
    ],
  });
  return parseNftablesJson(doc + ' '.repeat(pad)).rulesets[0]!;
};
const verdicts = (rs: ReturnType<typeof text>) => [tracePacket(rs, probe('new')).verdict, tracePacket(rs, probe('established')).verdict];

describe('ct state compared with == / != to a list (found by the kernel differential, nft -j list output)', () => {
  it('text: `ct state == new,untracked drop` drops nothing; `!= established,related drop` drops every state', () => {
    expect(verdicts(text('ct state == new,untracked drop'))).toEqual(['accept', 'accept']);
    expect(verdicts(text('ct state != established,related drop'))).toEqual(['drop', 'drop']);
    // implicit (any of) and a set are unchanged
    expect(verdicts(text('ct state new,untracked drop'))).toEqual(['drop', 'accept']);
    expect(verdicts(text('ct state == { new, untracked } drop'))).toEqual(['drop', 'accept']);
    expect(verdicts(text('ct state == new drop'))).toEqual(['drop', 'accept']);
  });
  it('text: `a | b` is the same OR (implicit: any of them, `bitwise & 0x48, cmp neq 0`; `!=`: `cmp neq 0xe`)', () => {
    expect(verdicts(text('ct state new | untracked drop'))).toEqual(['drop', 'accept']);
    expect(verdicts(text('ct state != established | related | new drop'))).toEqual(['drop', 'drop']);
    expect(verdicts(text('ct state == new | untracked drop'))).toEqual(['accept', 'accept']);
  });
  for (const [reader, pad] of [['positioned reader', 0], ['view reader', VIEW_JSON_MIN]] as const) {
    it(`nft -j (${reader}): {"|": [...]} and an array under "==" / "!=" are the OR of the states; "in" is any of them`, () => {
      expect(verdicts(json('==', { '|': ['new', 'untracked'] }, 'drop', pad))).toEqual(['accept', 'accept']);
      expect(verdicts(json('==', ['new', 'untracked'], 'drop', pad))).toEqual(['accept', 'accept']);
      expect(verdicts(json('!=', { '|': ['established', 'related'] }, 'drop', pad))).toEqual(['drop', 'drop']);
      expect(verdicts(json('==', { '|': ['established', 'related'] }, 'accept', pad))).toEqual(['accept', 'accept']);
      expect(verdicts(json('in', ['new', 'untracked'], 'drop', pad))).toEqual(['drop', 'accept']);
      expect(verdicts(json('in', { '|': ['new', 'untracked'] }, 'drop', pad))).toEqual(['drop', 'accept']);
    });
  }
});
