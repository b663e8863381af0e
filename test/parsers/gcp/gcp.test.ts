import { describe, expect, test } from 'vitest';
import { compileGcp, findGcpFirewalls, gcpJsonFormat, gcpPolicyLevel, gcpSpecsFromApi, gcpYamlFormat, parseGcp } from '../../../src/parsers/gcp/index.js';
import { parseYamlDocuments } from '../../../src/parsers/values.js';
import { IdSource } from '../../../src/parsers/gcp/common.js';
import { parseJsonTree } from '../../../src/parsers/values.js';
import { computeExposure, exposedPorts } from '../../../src/analysis/index.js';
import { AddrSet, DOCUMENT_START, canonicalRule, formatPorts, numRange, numSingle, type Diagnostic, type Ruleset } from '../../../src/model/index.js';

const TCP = 6;

/** Union of IPv4 sources that reach tcp `port`, by certainty. */
function reach(rs: Ruleset, port: number, proto = TCP): { open: AddrSet; possibly: AddrSet; principals: string[] } {
  let open = AddrSet.EMPTY;
  let possibly = AddrSet.EMPTY;
  const principals: string[] = [];
  for (const e of exposedPorts(computeExposure(rs), proto, numSingle(port))) {
    if (e.family !== 'ipv4') continue;
    if (e.certainty === 'open') open = open.union(e.sources);
    else possibly = possibly.union(e.sources);
    principals.push(...e.principals.map((p) => `${e.certainty}:${p}`));
  }
  return { open, possibly, principals: [...new Set(principals)].sort() };
}

function byName(rulesets: Ruleset[], name: string): Ruleset {
  const rs = rulesets.find((r) => r.name === name);
  if (!rs) throw new Error(`no ruleset ${name}: ${rulesets.map((r) => r.name).join('; ')}`);
  return rs;
}

const SIMPLE = `{
  "kind": "compute#firewall",
  "name": "allow-cft",
  "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/prod",
  "priority": 1000,
  "sourceRanges": ["0.0.0.0/0"],
  "allowed": [{ "IPProtocol": "tcp", "ports": ["1761-1768"] }],
  "direction": "INGRESS"
}`;

describe('GCP API JSON', () => {
  test('one rule: ruleset, chain, rule text, exact spans', () => {
    const d = parseGcp(SIMPLE);
    expect(d.format).toBe('gcp');
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => [r.name, r.targets])).toEqual([['network prod, all instances', ['prod']]]);
    const rs = d.rulesets[0]!;
    expect(rs.kind).toBe('cloud');
    expect(rs.families).toEqual(['ipv4', 'ipv6']);
    const t = rs.tables[0]!;
    expect(t.family).toBe('cloud');
    expect(t.chains.map((c) => [c.name, c.hook, c.policy, c.policyImplicit])).toEqual([
      ['INGRESS', 'input', 'drop', true],
      ['EGRESS', 'output', 'accept', true],
    ]);
    const r = t.chains[0]!.rules[0]!;
    expect(r.text).toBe('allow tcp:1761-1768 from 0.0.0.0/0 (priority 1000)');
    expect(r.comment).toBe('allow-cft');
    expect(r.span).toEqual({ start: { line: 1, column: 1, offset: 0 }, end: { line: 9, column: 2, offset: SIMPLE.length } });
    // reportSpan = the sourceRanges value
    expect(r.reportSpan).toEqual({ start: { line: 6, column: 19, offset: 179 }, end: { line: 6, column: 32, offset: 192 } });
    expect(SIMPLE.slice(r.reportSpan!.start.offset, r.reportSpan!.end.offset)).toBe('["0.0.0.0/0"]');
    expect(canonicalRule(r)).toBe('dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept');
    const x = reach(rs, 1765);
    expect(x.open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('a higher-priority deny hides the allow of 1768 (verdict flips)', () => {
    const text = JSON.stringify([
      { name: 'allow-cft', network: 'n', priority: 1000, sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['1761-1768'] }] },
      { name: 'deny-1768', network: 'n', priority: 900, sourceRanges: ['0.0.0.0/0'], denied: [{ IPProtocol: 'tcp', ports: ['1768'] }] },
    ]);
    const rs = parseGcp(text).rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => r.comment)).toEqual(['deny-1768', 'allow-cft']);
    expect(reach(rs, 1768).open.isEmpty).toBe(true);
    expect(reach(rs, 1767).open.equals(AddrSet.ALL_V4)).toBe(true);
    // with the deny at a lower priority (higher number) it no longer hides anything
    const later = JSON.parse(text);
    later[1].priority = 1001;
    const rs2 = parseGcp(JSON.stringify(later)).rulesets[0]!;
    expect(rs2.tables[0]!.chains[0]!.rules.map((r) => r.comment)).toEqual(['allow-cft', 'deny-1768']);
    expect(reach(rs2, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('deny beats allow at equal priority', () => {
    const rs = parseGcp(
      JSON.stringify([
        { name: 'a', network: 'n', priority: 500, allowed: [{ IPProtocol: 'tcp', ports: ['1761'] }], sourceRanges: ['0.0.0.0/0'] },
        { name: 'd', network: 'n', priority: 500, denied: [{ IPProtocol: 'all' }], sourceRanges: ['0.0.0.0/0'] },
      ]),
    ).rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => r.comment)).toEqual(['d', 'a']);
    expect(reach(rs, 1761).open.isEmpty).toBe(true);
  });

  test('a deny covering only part of the sources leaves the rest open', () => {
    const rs = parseGcp(
      JSON.stringify([
        { name: 'allow', network: 'n', allowed: [{ IPProtocol: 'udp', ports: ['1761-1768'] }], sourceRanges: ['0.0.0.0/0'] },
        { name: 'deny-half', network: 'n', priority: 10, denied: [{ IPProtocol: 'udp' }], sourceRanges: ['0.0.0.0/1'] },
      ]),
    ).rulesets[0]!;
    const x = reach(rs, 1762, 17);
    expect(x.open.toCidrs()).toEqual(['128.0.0.0/1']);
    expect(x.open.equals(AddrSet.ALL_V4)).toBe(false);
  });

  test('no source at all defaults to 0.0.0.0/0 (IPv4 only); ports absent = every port of the protocol', () => {
    const rs = parseGcp(JSON.stringify({ name: 'x', network: 'n', direction: 'INGRESS', allowed: [{ IPProtocol: 'tcp' }] })).rulesets[0]!;
    const r = rs.tables[0]!.chains[0]!.rules[0]!;
    expect(r.text).toBe('allow tcp from 0.0.0.0/0 (default) (priority 1000)');
    expect(canonicalRule(r)).toBe('proto=6 srcaddr=0.0.0.0/0 => accept');
    expect(reach(rs, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    const v6 = exposedPorts(computeExposure(rs), TCP, numSingle(1761)).filter((e) => e.family === 'ipv6');
    expect(v6).toEqual([]);
  });

  test('sourceRanges and sourceTags are OR-ed; target tags give one ruleset per tag plus all instances', () => {
    const d = parseGcp(
      JSON.stringify({
        items: [
          { name: 'web', network: 'default', allowed: [{ IPProtocol: 'tcp', ports: ['443'] }], sourceRanges: ['10.0.0.0/8'], sourceTags: ['lb'], targetTags: ['web'] },
          { name: 'cft', network: 'default', allowed: [{ IPProtocol: 'tcp', ports: ['1761'] }, { IPProtocol: 'udp', ports: ['1761'] }], sourceServiceAccounts: ['a@p.iam'], targetServiceAccounts: ['cft@p.iam'] },
          { name: 'icmp', network: 'default', allowed: [{ IPProtocol: 'icmp' }], sourceRanges: ['0.0.0.0/0'] },
        ],
        kind: 'compute#firewallList',
      }),
    );
    expect(d.rulesets.map((r) => [r.name, r.targets, r.tables[0]!.chains[0]!.rules.map((x) => x.comment)])).toEqual([
      ['network default, target tag web', ['tag:web', 'web', 'default'], ['web', 'icmp']],
      ['network default, target service account cft@p.iam', ['sa:cft@p.iam', 'cft@p.iam', 'default'], ['cft', 'icmp']],
      ['network default, all instances', ['default'], ['icmp']],
    ]);
    const web = byName(d.rulesets, 'network default, target tag web').tables[0]!.chains[0]!.rules[0]!;
    expect(canonicalRule(web)).toBe('anyof([srcaddr=10.0.0.0/8]|[srcprincipal=tag:lb]) dstport=443 proto=6 => accept');
    expect(web.text).toBe('allow tcp:443 from 10.0.0.0/8, tag:lb on tag:web (priority 1000)');
    const cft = byName(d.rulesets, 'network default, target service account cft@p.iam').tables[0]!.chains[0]!.rules[0]!;
    expect(canonicalRule(cft)).toBe('anyof([dstport=1761 proto=17]|[dstport=1761 proto=6]) srcprincipal=sa:a@p.iam => accept');
    const x = reach(byName(d.rulesets, 'network default, target tag web'), 443);
    expect(x.open.toCidrs()).toEqual(['10.0.0.0/8']);
    expect(x.principals).toContain('open:tag:lb');
  });

  test('disabled rules are kept but not evaluated; egress goes to the output chain', () => {
    const d = parseGcp(
      JSON.stringify([
        { name: 'off', network: 'n', disabled: true, allowed: [{ IPProtocol: 'tcp', ports: ['1761'] }], sourceRanges: ['0.0.0.0/0'] },
        { name: 'out', network: 'n', direction: 'EGRESS', denied: [{ IPProtocol: 'tcp', ports: ['25'] }], destinationRanges: ['0.0.0.0/0'] },
      ]),
    );
    const rs = d.rulesets[0]!;
    const [input, output] = rs.tables[0]!.chains;
    expect(input!.rules.map((r) => [r.comment, r.disabled])).toEqual([['off', true]]);
    expect(output!.rules.map((r) => r.text)).toEqual(['deny tcp:25 to 0.0.0.0/0 (priority 1000)']);
    expect(reach(rs, 1761).open.isEmpty).toBe(true);
    expect(new Set(input!.rules.map((r) => r.id)).size + new Set(output!.rules.map((r) => r.id)).size).toBe(2);
  });

  test('bad values become diagnostics with positions and opaque matches, never a throw', () => {
    const text = '{"name":"x","network":"n","priority":"high","allowed":[{"IPProtocol":"tcpp","ports":["99999"]}],"sourceRanges":["10.0.0.300/8"]}';
    const d = parseGcp(text);
    expect(d.diagnostics.map((x) => [x.code, x.span.start.column])).toEqual([
      ['gcp/bad-priority', 38],
      ['gcp/bad-protocol', 70],
      ['gcp/bad-port', 86],
      ['gcp/bad-range', 113],
    ]);
    const r = d.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!;
    expect(r.matches.filter((m) => m.kind === 'opaque').map((m) => (m.kind === 'opaque' ? m.text : ''))).toEqual(['high', 'tcpp', '99999', '10.0.0.300/8']);
    // The unknown priority puts the allow first; it is at most possibly open.
    expect(reach(d.rulesets[0]!, 1761).open.isEmpty).toBe(true);
    const bad = parseGcp('{"name": "x", "allowed": [');
    expect(bad.rulesets).toEqual([]);
    expect(bad.diagnostics[0]!.code).toBe('json/syntax');
  });

  test('a firewall with neither allowed nor denied is reported, not silently dropped', () => {
    const d = parseGcp('{"kind": "compute#firewall", "name": "empty", "network": "n"}');
    expect(d.diagnostics.map((x) => [x.code, x.span.start.offset])).toEqual([['gcp/no-action', 0]]);
    expect(d.rulesets.map((r) => r.name)).toEqual([]);
  });

  test('an empty (or null) allowed/denied beside a filled one is the unset field, not a second rule', () => {
    const net = 'https://www.googleapis.com/compute/v1/projects/p/global/networks/prod';
    const text = JSON.stringify([
      { kind: 'compute#firewall', name: 'allow-ssh', network: net, priority: 1000, direction: 'INGRESS', sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['22', '1761'] }], denied: [] },
      { kind: 'compute#firewall', name: 'deny-cft', network: net, priority: 900, direction: 'INGRESS', sourceRanges: ['0.0.0.0/0'], allowed: null, denied: [{ IPProtocol: 'tcp', ports: ['1761'] }] },
    ]);
    const d = parseGcp(text);
    expect(d.diagnostics).toEqual([]);
    const rs = d.rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => [canonicalRule(r), r.comment])).toEqual([
      ['dstport=1761 family=ipv4 proto=6 => drop', 'deny-cft'],
      ['dstport=22, 1761 proto=6 srcaddr=0.0.0.0/0 => accept', 'allow-ssh'],
    ]);
    // (read as two rules, the empty deny was an undecided rule at 1000: TCP 22 only possibly open)
    expect(reach(rs, 22).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 22).possibly.isEmpty).toBe(true);
    expect(reach(rs, 1761).open.isEmpty && reach(rs, 1761).possibly.isEmpty).toBe(true);
  });

  test('recorded API response with body and getEffectiveFirewalls lists are found', () => {
    const text = JSON.stringify({ headers: { status: '200' }, body: { firewalls: [{ kind: 'compute#firewall', name: 'e', network: 'x/networks/vpc1', allowed: [{ IPProtocol: 'all' }], sourceRanges: ['1.2.3.4/32'] }] } });
    const d = parseGcp(text);
    expect(d.rulesets.map((r) => r.name)).toEqual(['network vpc1, all instances']);
    expect(canonicalRule(d.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!)).toBe('srcaddr=1.2.3.4/32 => accept');
  });
});

describe('Cloud Asset Inventory exports (newline-delimited JSON)', () => {
  test('one asset per line: every firewall read, positions in the whole file', () => {
    const asset = (data: object): string => JSON.stringify({ name: '//compute.googleapis.com/projects/acme/global/firewalls/x', asset_type: 'compute.googleapis.com/Firewall', resource: { version: 'v1', discovery_name: 'Firewall', data } });
    const net = 'https://www.googleapis.com/compute/v1/projects/acme/global/networks/default';
    const text = `${asset({ name: 'allow-cft', network: net, direction: 'INGRESS', priority: 1000, sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['1761-1768'] }] })}\n${asset({ name: 'deny-1764', network: net, direction: 'INGRESS', priority: 100, sourceRanges: ['0.0.0.0/0'], denied: [{ IPProtocol: 'tcp', ports: ['1764'] }] })}\n`;
    expect(gcpJsonFormat.detect('assets.json', text)).toBe(80);
    const d = parseGcp(text);
    expect(d.diagnostics).toEqual([]);
    const rules = d.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => [r.comment, r.span.start.line])).toEqual([
      ['deny-1764', 2],
      ['allow-cft', 1],
    ]);
    const col = text.indexOf('"sourceRanges"') + '"sourceRanges":'.length + 1;
    expect(rules[1]!.reportSpan!.start).toEqual({ line: 1, column: col, offset: col - 1 });
    const x = reach(d.rulesets[0]!, 1764);
    expect(x.open.isEmpty && x.possibly.isEmpty).toBe(true);
    expect(reach(d.rulesets[0]!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('networks of the same name in two projects are two networks', () => {
    const fw = (project: string, o: object): object => ({ kind: 'compute#firewall', network: `https://www.googleapis.com/compute/v1/projects/${project}/global/networks/default`, direction: 'INGRESS', sourceRanges: ['0.0.0.0/0'], ...o });
    const d = parseGcp(JSON.stringify([fw('proj-a', { name: 'allow-cft', priority: 1000, allowed: [{ IPProtocol: 'tcp', ports: ['1761-1768'] }] }), fw('proj-b', { name: 'deny-all', priority: 100, denied: [{ IPProtocol: 'all' }] })]));
    expect(d.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['network proj-a/default, all instances', ['proj-a/default']],
      ['network proj-b/default, all instances', ['proj-b/default']],
    ]);
    expect(reach(d.rulesets[0]!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    // one project: the short name, as before
    expect(parseGcp(JSON.stringify([fw('proj-a', { name: 'x', allowed: [{ IPProtocol: 'tcp' }] })])).rulesets.map((r) => r.name)).toEqual(['network default, all instances']);
  });

  test('broken JSON is still a syntax error', () => {
    const d = parseGcp('[\n{"kind": "compute#firewall", "name": "a", "allowed": [{"IPProtocol": "tcp"}]}\n{"kind": "compute#firewall"}\n]');
    expect(d.diagnostics.map((x) => [x.code, x.span.start.line])).toEqual([['json/syntax', 3]]);
  });
});

describe('GCP YAML (gcloud --format=yaml)', () => {
  const YAML = [
    '---',
    'allowed:',
    '- IPProtocol: tcp',
    '  ports:',
    "  - '1761-1768'",
    'direction: INGRESS',
    'kind: compute#firewall',
    'name: cft',
    'network: https://www.googleapis.com/compute/v1/projects/p/global/networks/default',
    'priority: 1000',
    'sourceRanges:',
    '- 0.0.0.0/0',
    '---',
    'denied:',
    '- IPProtocol: tcp',
    '  ports:',
    "  - '1768'",
    'kind: compute#firewall',
    'name: no-1768',
    'network: https://www.googleapis.com/compute/v1/projects/p/global/networks/default',
    'priority: 100',
    'sourceRanges:',
    '- 0.0.0.0/0',
    '',
  ].join('\n');

  test('several documents, positions in the whole file', () => {
    const d = parseGcp(YAML);
    expect(d.format).toBe('gcp-yaml');
    expect(d.diagnostics).toEqual([]);
    const rules = d.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => [r.comment, r.span.start.line, r.reportSpan!.start.line, r.reportSpan!.start.column])).toEqual([
      ['no-1768', 14, 23, 1],
      ['cft', 2, 12, 1],
    ]);
    const off = rules[0]!.reportSpan!.start.offset;
    expect(YAML.slice(off, off + 11)).toBe('- 0.0.0.0/0');
    expect(reach(d.rulesets[0]!, 1768).open.isEmpty).toBe(true);
    expect(reach(d.rulesets[0]!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('parseYamlDocuments keeps YAML errors positioned', () => {
    const r = parseYamlDocuments('---\na: 1\n---\nb: [1,\n');
    expect(r.values.length).toBe(2);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0]!.span.start.line).toBeGreaterThanOrEqual(4);
  });
});

describe('detection', () => {
  test('JSON', () => {
    expect(gcpJsonFormat.detect('fw.json', SIMPLE)).toBe(90);
    expect(gcpJsonFormat.detect('x.json', '[{"name":"a","allowed":[{"IPProtocol":"tcp"}],"sourceRanges":["1.1.1.1"]}]')).toBe(80);
    expect(gcpJsonFormat.detect('x.json', '{"IpPermissions": [], "GroupId": "sg-1"}')).toBe(0);
    expect(gcpJsonFormat.detect('x.json', '{"name": "package", "version": "1.0.0"}')).toBe(0);
    expect(gcpJsonFormat.detect('x.yaml', 'kind: compute#firewall\n')).toBe(0);
  });
  test('YAML', () => {
    expect(gcpYamlFormat.detect('fw.yaml', 'kind: compute#firewall\nname: a\n')).toBe(90);
    expect(gcpYamlFormat.detect('fw.yaml', 'allowed:\n- IPProtocol: tcp\nsourceRanges:\n- 0.0.0.0/0\n')).toBe(80);
    expect(gcpYamlFormat.detect('fw.txt', 'allowed:\n- IPProtocol: tcp\nsourceRanges:\n- 0.0.0.0/0\n')).toBe(60);
    expect(gcpYamlFormat.detect('ci.yaml', 'jobs:\n  build:\n    runs-on: ubuntu\n')).toBe(0);
    expect(gcpYamlFormat.detect('fw.json', SIMPLE)).toBe(0);
  });
});

describe('performance', () => {
  test('20k rules: finding, reading and compiling them is linear and fast (CPU time, JSON parsing excluded)', () => {
    const items = [];
    for (let i = 0; i < 20000; i++) {
      items.push({ name: `r${i}`, network: `n${i % 3}`, priority: i % 65535, allowed: [{ IPProtocol: 'tcp', ports: [String(1 + (i % 60000))] }], sourceRanges: [`10.${(i >> 8) & 255}.${i & 255}.0/24`], targetTags: [`t${i % 5}`] });
    }
    const tree = parseJsonTree(JSON.stringify({ kind: 'compute#firewallList', items }));
    const c0 = process.cpuUsage();
    const diagnostics: Diagnostic[] = [];
    const specs = findGcpFirewalls(tree.value).flatMap((o) => gcpSpecsFromApi(o, diagnostics));
    const rulesets = compileGcp(specs, DOCUMENT_START, new IdSource(), diagnostics);
    const c = process.cpuUsage(c0);
    const ms = (c.user + c.system) / 1000;
    expect(rulesets.length).toBe(18);
    expect(rulesets.reduce((n, r) => n + r.tables[0]!.chains[0]!.rules.length, 0)).toBe(20000);
    expect(diagnostics).toEqual([]);
    console.log(`GCP: 20,000 rules compiled in ${ms.toFixed(0)} ms CPU (timed in npm run bench, not asserted here)`);
  });
});

void numRange;

describe('many ranges in one rule', () => {
  test('8192 adjacent /14s union to 0.0.0.0/1 (one sort, not pairwise merges)', () => {
    const ranges: string[] = [];
    for (let i = 8191; i >= 0; i--) ranges.push(`${i >> 6}.${(i & 63) << 2}.0.0/14`);
    const d = parseGcp(JSON.stringify({ name: 'big', network: 'n', allowed: [{ IPProtocol: 'tcp', ports: ['1761'] }], sourceRanges: ranges }));
    expect(d.diagnostics).toEqual([]);
    const r = d.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!;
    expect(canonicalRule(r)).toBe('dstport=1761 proto=6 srcaddr=0.0.0.0/1 => accept');
  });
});

describe('firewall policies: one priority per rule', () => {
  test('two rules of a policy at one priority: a warning (the API refuses the second), both undecided, the allow first', () => {
    const rule = (action: string, line: string) => ({ priority: 100, action, direction: 'INGRESS', description: line, match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['443'] }] } });
    const d = parseGcp(JSON.stringify({ kind: 'compute#firewallPolicy', shortName: 'dup', rules: [rule('allow', 'a'), rule('deny', 'b')] }, null, 1));
    expect(d.diagnostics.map((x) => [x.code, x.message, x.span.start.line])).toEqual([
      ['gcp/duplicate-priority', "two rules of firewall policy dup have the same priority 100 (GCP rejects this: a policy's priorities are unique)", 25],
    ]);
    // which of the two exists is not known: both undecided, the allow read first (443 possibly open, not closed)
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.action.kind)).toEqual(['accept', 'drop', 'unknown']);
    const x = reach(d.rulesets[0]!, 443);
    expect(x.open.isEmpty && x.possibly.equals(AddrSet.ALL_V4)).toBe(true);
    // in another policy, or in both directions of VPC rules, one priority is no error
    const other = parseGcp(JSON.stringify([{ kind: 'compute#firewallPolicy', shortName: 'p1', rules: [rule('allow', 'a')] }, { kind: 'compute#firewallPolicy', shortName: 'p2', rules: [rule('deny', 'b')] }]));
    expect(other.diagnostics).toEqual([]);
  });
});

describe('firewall policies (API)', () => {
  const POLICY = {
    kind: 'compute#firewallPolicy',
    shortName: 'org-baseline',
    rules: [
      { priority: 1000, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1768'] }] } },
      { priority: 2000, action: 'goto_next', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'all' }] } },
      { priority: 2147483645, action: 'allow', direction: 'INGRESS', match: { srcIpRanges: ['10.0.0.0/8'], layer4Configs: [{ ipProtocol: 'tcp' }] }, targetResources: ['https://www.googleapis.com/compute/v1/projects/p/global/networks/other'] },
    ],
  };

  test('a policy alone: priority order, goto_next passes on to the next level (unknown), past the policy\'s later rules', () => {
    const d = parseGcp(JSON.stringify(POLICY));
    expect(d.diagnostics).toEqual([]);
    // the allow with targetResources applies to network "other" only
    expect(d.rulesets.map((r) => r.name)).toEqual(['firewall policy org-baseline, target network other', 'firewall policy org-baseline, all instances']);
    // the policy's rules are a chain the main chain jumps to; goto_next returns from it
    const [main, , rules] = d.rulesets[0]!.tables[0]!.chains;
    expect(main!.rules.map((r) => r.action)).toEqual([{ kind: 'jump', target: 'INGRESS org-baseline' }, { kind: 'unknown', target: 'goto_next', text: 'goto_next' }]);
    expect(rules!.name).toBe('INGRESS org-baseline');
    expect(rules!.rules.map((r) => r.action.kind)).toEqual(['drop', 'return', 'accept']);
    expect(d.rulesets[1]!.tables[0]!.chains[2]!.rules.map((r) => r.action.kind)).toEqual(['drop', 'return']);
    expect(reach(d.rulesets[0]!, 1768).open.isEmpty && reach(d.rulesets[0]!, 1768).possibly.isEmpty).toBe(true);
    // goto_next at 2000 takes every IPv4 packet to the next level: the allow of 10.0.0.0/8 after it is never reached
    // ("goto_next: continues the rule evaluation process at the next level")
    const x = reach(d.rulesets[0]!, 1761);
    expect(x.open.isEmpty).toBe(true);
    expect(x.possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(d.rulesets[1]!, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('a network firewall policy alone comes after VPC rules not in the input: its deny closes nothing, its allow may open', () => {
    // (gcloud compute network-firewall-policies describe: evaluated after the VPC firewall rules unless the network says
    // BEFORE_CLASSIC_FIREWALL; its deny of 1768 was reported closing what a VPC rule before it may allow)
    const pol = {
      kind: 'compute#firewallPolicy',
      name: 'prod-policy',
      selfLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewallPolicies/prod-policy',
      rules: [
        { priority: 100, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1768'] }] } },
        { priority: 200, action: 'allow', direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761-1768'] }] } },
      ],
    };
    const d = parseGcp(JSON.stringify(pol));
    expect(d.diagnostics).toEqual([]);
    const rs = d.rulesets[0]!;
    const x = reach(rs, 1768);
    expect([x.open.isEmpty, x.possibly.equals(AddrSet.ALL_V4)]).toEqual([true, true]);
    const e = exposedPorts(computeExposure(rs), TCP, numSingle(1761)).find((y) => y.family === 'ipv4')!;
    expect([e.certainty, e.reasons[0]!.message]).toEqual(['possibly-open', 'the VPC firewall rules before network firewall policy prod-policy at line 1 may or may not match']);
    // evaluated before the VPC rules (the network in the input says so): its rules decide
    const net = { kind: 'compute#network', name: 'prod', networkFirewallPolicyEnforcementOrder: 'BEFORE_CLASSIC_FIREWALL' };
    const before = parseGcp(JSON.stringify([net, pol])).rulesets[0]!;
    expect(reach(before, 1768).open.isEmpty && reach(before, 1768).possibly.isEmpty).toBe(true);
    expect(reach(before, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('effective firewalls: policies before the VPC rules; a policy deny hides a VPC allow; targetResources respected', () => {
    const text = JSON.stringify({
      firewalls: [{ kind: 'compute#firewall', name: 'cft', network: 'x/networks/prod', sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['1761-1768'] }] }],
      firewallPolicys: [POLICY],
    });
    const d = parseGcp(text);
    expect(d.diagnostics).toEqual([]);
    const rs = d.rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => r.comment ?? r.text)).toEqual(['firewall policy org-baseline: its rules in priority order (goto_next passes on to the next level)', 'cft']);
    expect(rs.tables[0]!.chains[2]!.rules.map((r) => r.comment)).toEqual(['org-baseline priority 1000: firewall policy org-baseline', 'org-baseline priority 2000: firewall policy org-baseline']);
    // the jump into the policy's rules is placed at the policy
    expect(rs.tables[0]!.chains[0]!.rules[0]!.span.start.offset).toBe(text.indexOf('{"kind":"compute#firewallPolicy"'));
    expect(reach(rs, 1768).open.isEmpty && reach(rs, 1768).possibly.isEmpty).toBe(true);
    expect(reach(rs, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(gcpJsonFormat.detect('p.json', JSON.stringify(POLICY))).toBe(90);
  });
});

describe('firewall policies: targets and evaluation order', () => {
  test('targetSecureTags limit a policy rule to the tagged instances (a deny there leaves the others open)', () => {
    const text = `kind: compute#firewallPolicy
name: prod-global-policy
parent: organizations/281484140000000
rules:
- action: deny
  direction: INGRESS
  match:
    layer4Configs:
    - ipProtocol: all
    srcIpRanges:
    - 0.0.0.0/0
  priority: 100
  targetSecureTags:
  - name: tagValues/281484140012345
    state: EFFECTIVE
- action: allow
  direction: INGRESS
  match:
    layer4Configs:
    - ipProtocol: tcp
      ports: ['1761-1768']
    srcIpRanges:
    - 0.0.0.0/0
  priority: 1000
- action: deny
  direction: INGRESS
  match:
    layer4Configs:
    - ipProtocol: tcp
    srcIpRanges:
    - 0.0.0.0/0
  priority: 200
  targetSecureTags:
  - name: tagValues/999
    state: INEFFECTIVE
`;
    const d = parseGcp(text);
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => [r.name, r.targets])).toEqual([
      ['firewall policy prod-global-policy, target secure tag tagValues/281484140012345', ['stag:tagValues/281484140012345', 'tagValues/281484140012345', 'prod-global-policy']],
      ['firewall policy prod-global-policy, all instances', ['prod-global-policy']],
    ]);
    const tagged = reach(d.rulesets[0]!, 1761);
    expect(tagged.open.isEmpty && tagged.possibly.isEmpty).toBe(true);
    // the rule whose only tag is INEFFECTIVE is ignored: the allow at 1000 opens 1761 on every other instance
    const all = d.rulesets[1]!;
    expect(all.tables[0]!.chains[0]!.rules.filter((r) => !r.disabled).map((r) => r.span.start.line)).toEqual([16, 1]);
    expect(reach(all, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('effective firewalls: a network firewall policy is evaluated after the VPC rules (AFTER_CLASSIC_FIREWALL), a hierarchical one before', () => {
    const fw = { kind: 'compute#firewall', name: 'allow-cft', network: 'x/networks/prod-vpc', priority: 1000, sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['1761-1768'] }] };
    const rule = (priority: number, action: string, proto: string, port: string): object => ({ priority, action, direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: proto, ports: [port] }] } });
    const policies = [
      { name: 'eu-policy', type: 'NETWORK_REGIONAL', rules: [rule(10, 'deny', 'udp', '1761')] },
      { name: 'prod-global-policy', type: 'NETWORK', rules: [rule(1000, 'deny', 'tcp', '1768'), rule(1001, 'allow', 'udp', '1761')] },
      { name: '1234', shortName: 'org-baseline', type: 'HIERARCHY', rules: [rule(100, 'deny', 'tcp', '1764')] },
    ];
    const d = parseGcp(JSON.stringify({ firewallPolicys: policies, firewalls: [fw] }, null, 1));
    expect(d.diagnostics).toEqual([]);
    const rs = byName(d.rulesets, 'network prod-vpc, all instances');
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => r.comment)).toEqual([
      'org-baseline priority 100: firewall policy org-baseline',
      'allow-cft',
      'prod-global-policy priority 1000: firewall policy prod-global-policy',
      'prod-global-policy priority 1001: firewall policy prod-global-policy',
      'eu-policy priority 10: firewall policy eu-policy',
    ]);
    expect(reach(rs, 1764).open.isEmpty && reach(rs, 1764).possibly.isEmpty).toBe(true);
    expect(reach(rs, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 1761, 17).open.equals(AddrSet.ALL_V4)).toBe(true);
    // with the network's enforcement order BEFORE_CLASSIC_FIREWALL the network policy's deny comes first
    const before = parseGcp(JSON.stringify([{ kind: 'compute#network', name: 'prod-vpc', networkFirewallPolicyEnforcementOrder: 'BEFORE_CLASSIC_FIREWALL' }, { firewallPolicys: policies, firewalls: [fw] }]));
    const rb = byName(before.rulesets, 'network prod-vpc, all instances');
    expect(reach(rb, 1768).open.isEmpty && reach(rb, 1768).possibly.isEmpty).toBe(true);
    expect(reach(rb, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    // a network policy associated with another network does not apply to this one
    const other = policies.map((p) => (p.type === 'NETWORK' ? { ...p, associations: [{ name: 'a', attachmentTarget: 'https://www.googleapis.com/compute/v1/projects/p/global/networks/other-vpc' }] } : p));
    const ro = byName(parseGcp(JSON.stringify([{ networkFirewallPolicyEnforcementOrder: 'BEFORE_CLASSIC_FIREWALL' }, { firewallPolicys: other, firewalls: [fw] }])).rulesets, 'network prod-vpc, all instances');
    expect(reach(ro, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('a policy alone: a rule with targetResources decides only in those networks', () => {
    const rule = (priority: number, action: string, extra: object = {}): object => ({ priority, action, direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761'] }] }, ...extra });
    const net = 'https://www.googleapis.com/compute/v1/projects/p/global/networks/net-a';
    const d = parseGcp(JSON.stringify({ kind: 'compute#firewallPolicy', shortName: 'org', rules: [rule(100, 'deny', { targetResources: [net] }), rule(150, 'deny', { targetResources: [net], targetServiceAccounts: ['x@p.iam.gserviceaccount.com'] }), rule(200, 'allow')] }));
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['firewall policy org, target network net-a', 'firewall policy org, target service account x@p.iam.gserviceaccount.com', 'firewall policy org, all instances']);
    const [a, sa, all] = d.rulesets;
    expect(reach(a!, 1761).open.isEmpty && reach(a!, 1761).possibly.isEmpty).toBe(true);
    // the service-account deny holds only in net-a: elsewhere the allow at 200 may take the packet
    expect(reach(sa!, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(all!, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('policy rules without their policy (a rule’s describe, a list of rules) are read, not silently empty', () => {
    const one = `action: allow
direction: INGRESS
kind: compute#firewallPolicyRule
match:
  layer4Configs:
  - ipProtocol: tcp
    ports:
    - '1761-1768'
  srcIpRanges:
  - 0.0.0.0/0
priority: 1000
ruleName: allow-cft
`;
    const d = parseGcp(one);
    expect(d.diagnostics.map((x) => [x.severity, x.code, x.message])).toEqual([
      ['warning', 'unevaluated', 'Cannot evaluate firewall policy (unnamed policy) (firewall rule "allow-cft"): whether the policy is evaluated before or after the VPC firewall rules is unknown (no type, parent or selfLink); it is treated as unknown'],
    ]);
    expect(d.rulesets.map((r) => r.name)).toEqual(['firewall policy (unnamed policy), all instances']);
    const rules = d.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => [r.comment, r.action.kind, r.span.start.line])).toEqual([
      ['allow-cft: firewall policy (unnamed policy)', 'accept', 1],
      [undefined, 'unknown', 1],
    ]);
    // a rule without its policy: whether the policy runs before or after the VPC firewall rules is not known, so its
    // allow only may open, and a deny closes nothing
    expect(reach(d.rulesets[0]!, 1761).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    const list = parseGcp(JSON.stringify([{ action: 'deny', direction: 'INGRESS', priority: 10, match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1764'] }] } }, JSON.parse(JSON.stringify({ action: 'allow', direction: 'INGRESS', priority: 20, match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp' }] } }))]));
    const rs = list.rulesets[0]!;
    expect(reach(rs, 1764).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 1768).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('srcSecureTags are instances (principals), not possibly the whole internet; INEFFECTIVE ones match nothing', () => {
    const rule = (priority: number, tags: object[]): object => ({ priority, action: 'allow', direction: 'INGRESS', match: { srcSecureTags: tags, layer4Configs: [{ ipProtocol: 'tcp', ports: ['1761'] }] } });
    const text = JSON.stringify({
      firewallPolicys: [{ name: '1', shortName: 'org', type: 'HIERARCHY', rules: [rule(100, [{ name: 'tagValues/1', state: 'EFFECTIVE' }]), rule(200, [{ name: 'tagValues/2', state: 'INEFFECTIVE' }])] }],
      firewalls: [{ kind: 'compute#firewall', name: 'ssh', network: 'x/networks/prod', sourceRanges: ['10.0.0.0/8'], allowed: [{ IPProtocol: 'tcp', ports: ['22'] }] }],
    });
    const d = parseGcp(text);
    expect(d.diagnostics).toEqual([]);
    const rs = d.rulesets[0]!;
    expect(rs.tables[0]!.chains[0]!.rules.map((r) => [r.text, r.disabled ?? false])).toEqual([
      ['allow tcp:1761 from stag:tagValues/1 (priority 100)', false],
      ['allow tcp:1761 from 0.0.0.0/0 (default) (priority 200)', true],
      ['allow tcp:22 from 10.0.0.0/8 (priority 1000)', false],
    ]);
    const x = reach(rs, 1761);
    expect(x.open.isEmpty && x.possibly.isEmpty).toBe(true);
    expect(x.principals).toEqual(['open:stag:tagValues/1']);
  });

  test('effective firewalls with a policy of unknown level: its deny closes nothing, its allow only may open', () => {
    const fw = { kind: 'compute#firewall', name: 'allow-cft', network: 'x/networks/prod', sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['1761-1768'] }] };
    const rule = (priority: number, action: string, port: string): object => ({ priority, action, direction: 'INGRESS', match: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: [port] }] } });
    const d = parseGcp(JSON.stringify({ firewallPolicys: [{ name: 'pol', rules: [rule(10, 'deny', '1768'), rule(20, 'allow', '22')] }], firewalls: [fw] }));
    expect(d.diagnostics.map((x) => [x.code, x.message])).toEqual([
      ['unevaluated', 'Cannot evaluate firewall policy pol (firewall rule "pol priority 10"): whether the policy is evaluated before or after the VPC firewall rules is unknown (no type, parent or selfLink); it is treated as unknown'],
    ]);
    const rs = d.rulesets[0]!;
    // open when the policy comes after the VPC rules: possibly open, never closed
    expect(reach(rs, 1768).possibly.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 1761).open.equals(AddrSet.ALL_V4)).toBe(true);
    expect(reach(rs, 22).possibly.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('beta organizationFirewalls: the matcher nested in match.config is read', () => {
    const d = parseGcp(JSON.stringify({ organizationFirewalls: [{ id: '42', rules: [{ priority: 10, action: 'allow', direction: 'INGRESS', match: { config: { srcIpRanges: ['0.0.0.0/0'], layer4Configs: [{ ipProtocol: 'tcp', ports: ['1768'] }] }, versionedExpr: 'FIREWALL' } }] }] }));
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.text).toBe('allow tcp:1768 from 0.0.0.0/0 (priority 10)');
    expect(reach(d.rulesets[0]!, 1768).open.equals(AddrSet.ALL_V4)).toBe(true);
  });

  test('policy level from the policy itself', () => {
    const lv = (o: object): string => gcpPolicyLevel(parseJsonTree(JSON.stringify(o)).value as never);
    expect(lv({ parent: 'organizations/123', rules: [] })).toBe('hierarchy');
    expect(lv({ selfLink: 'https://www.googleapis.com/compute/v1/locations/global/firewallPolicies/123' })).toBe('hierarchy');
    expect(lv({ selfLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewallPolicies/pol' })).toBe('network');
    expect(lv({ selfLink: 'https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1/firewallPolicies/pol' })).toBe('network');
    expect(lv({ type: 'SYSTEM_REGIONAL' })).toBe('system');
    expect(lv({ name: 'x' })).toBe('unknown');
  });
});

describe('Deployment Manager configs', () => {
  test('a firewall given as a resource’s properties takes the resource’s name', () => {
    const d = parseGcp(`resources:
- name: allow-cft
  type: compute.v1.firewall
  properties:
    network: $(ref.prod-net.selfLink)
    sourceRanges: ["0.0.0.0/0"]
    allowed:
    - IPProtocol: TCP
      ports: ["1761-1768"]
`);
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.comment).toBe('allow-cft');
  });

  test('detected when its firewalls come after 8 KiB of other resources', () => {
    const vms = Array.from({ length: 100 }, (_x, i) => `- name: vm-${i}\n  type: compute.v1.instance\n  properties:\n    zone: europe-west1-b\n    machineType: zones/europe-west1-b/machineTypes/e2-medium\n`).join('');
    const text = `resources:\n${vms}- name: allow-cft\n  type: compute.v1.firewall\n  properties:\n    sourceRanges: ["0.0.0.0/0"]\n    allowed:\n    - IPProtocol: TCP\n      ports: ["1761-1768"]\n`;
    expect(text.indexOf('IPProtocol')).toBeGreaterThan(8192);
    expect(gcpYamlFormat.detect('deployment.yaml', text)).toBe(80);
  });
});

describe('where a rule is reported', () => {
  test('a rule whose source is tags or service accounts only is reported at them, as one with ranges at its ranges', () => {
    const text = [
      '[',
      '  {"name": "peer", "network": "prod", "direction": "INGRESS", "priority": 1000,',
      '   "sourceTags": ["peer"], "allowed": [{"IPProtocol": "all"}], "targetTags": ["cft"]},',
      '  {"name": "app", "network": "prod", "direction": "INGRESS", "priority": 1000,',
      '   "sourceServiceAccounts": ["app@p.iam.gserviceaccount.com"], "allowed": [{"IPProtocol": "tcp", "ports": ["1766"]}], "targetTags": ["cft"]}',
      ']',
    ].join('\n');
    const d = parseGcp(text);
    expect(d.diagnostics).toEqual([]);
    const rules = d.rulesets[0]!.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => [r.comment, r.span.start.line, text.slice(r.reportSpan!.start.offset, r.reportSpan!.end.offset)])).toEqual([
      ['peer', 2, '["peer"]'],
      ['app', 4, '["app@p.iam.gserviceaccount.com"]'],
    ]);
  });
});

describe('a VPC rule with IPv4 and IPv6 ranges', () => {
  test('is refused by GCP (one family per rule): an error, as an invalid range, and the rule opens nothing for certain', () => {
    const text = JSON.stringify([
      { name: 'both', network: 'prod', direction: 'INGRESS', priority: 1000, sourceRanges: ['0.0.0.0/0', '::/0'], allowed: [{ IPProtocol: 'tcp', ports: ['1761'] }] },
      { name: 'v6', network: 'prod', direction: 'INGRESS', priority: 1000, sourceRanges: ['::/0'], allowed: [{ IPProtocol: 'tcp', ports: ['1762'] }] },
    ]);
    const d = parseGcp(text);
    expect(d.diagnostics.map((x) => [x.severity, x.code, x.message, text.slice(x.span.start.offset, x.span.end.offset)])).toEqual([
      ['error', 'gcp/mixed-families', 'sourceRanges of firewall rule "both" mixes IPv4 and IPv6 ranges: GCP refuses such a rule (one family per rule)', '["0.0.0.0/0","::/0"]'],
    ]);
    const e = computeExposure(d.rulesets[0]!).entries.map((x) => [x.family, formatPorts(x.dports), x.certainty]);
    expect(e).toEqual([
      ['ipv4', '1761', 'possibly-open'],
      ['ipv6', '1761', 'possibly-open'],
      ['ipv6', '1762', 'open'],
    ]);
  });
});

describe('a deny with one invalid protocol, port or range', () => {
  test('the API refuses the whole rule: its valid entries close nothing either', () => {
    // compute/docs/reference/rest/v1/firewalls: ports "must be either an integer or a range", sourceRanges "in CIDR
    // format"; an invalid value fails the insert ("Invalid value for field 'resource.denied[0].ports[1]'"). Read entry
    // by entry, the deny closed 22 (with port "70000" beside it) and 23 (with range "10.0.0.0/33" beside 0.0.0.0/0).
    const rules = [
      { kind: 'compute#firewall', name: 'd1', network: 'default', direction: 'INGRESS', priority: 100, sourceRanges: ['0.0.0.0/0'], denied: [{ IPProtocol: 'tcp', ports: ['22', '70000'] }] },
      { kind: 'compute#firewall', name: 'd2', network: 'default', direction: 'INGRESS', priority: 100, sourceRanges: ['0.0.0.0/0', '10.0.0.0/33'], denied: [{ IPProtocol: 'tcp', ports: ['23'] }] },
      { kind: 'compute#firewall', name: 'd3', network: 'default', direction: 'INGRESS', priority: 100, sourceRanges: ['0.0.0.0/0'], denied: [{ IPProtocol: 'tcp', ports: ['25'] }, { IPProtocol: 'gre2' }] },
      { kind: 'compute#firewall', name: 'a', network: 'default', direction: 'INGRESS', priority: 200, sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['22-25'] }] },
    ];
    const d = parseGcp(JSON.stringify(rules));
    expect(d.diagnostics.map((x) => x.code)).toEqual(['gcp/bad-port', 'gcp/bad-range', 'gcp/bad-protocol']);
    const rs = d.rulesets[0]!;
    for (const port of [22, 23, 25]) {
      const r = reach(rs, port);
      expect([port, r.open.toCidrs(), r.possibly.toCidrs()]).toEqual([port, [], ['0.0.0.0/0']]);
    }
  });
});

describe('ports on a protocol without ports', () => {
  test('undecided: the API documents ports as "only applicable for UDP or TCP" and does not say whether it refuses or ignores them', () => {
    // Read as a port test, the allow of icmp with ports ["8"] let no ICMP packet in; a deny holding such an entry
    // closed its tcp 22 entry although the API may refuse the whole rule.
    const rules = [
      { kind: 'compute#firewall', name: 'd', network: 'default', direction: 'INGRESS', priority: 100, sourceRanges: ['0.0.0.0/0'], denied: [{ IPProtocol: 'tcp', ports: ['22'] }, { IPProtocol: 'icmp', ports: ['0'] }] },
      { kind: 'compute#firewall', name: 'a', network: 'default', direction: 'INGRESS', priority: 200, sourceRanges: ['0.0.0.0/0'], allowed: [{ IPProtocol: 'tcp', ports: ['22'] }, { IPProtocol: 'icmp', ports: ['8'] }] },
    ];
    const d = parseGcp(JSON.stringify(rules));
    expect(d.diagnostics.map((x) => [x.code, x.message])).toEqual([
      ['gcp/ports-ignored', 'ports are only valid with tcp, udp and sctp, not icmp'],
      ['gcp/ports-ignored', 'ports are only valid with tcp, udp and sctp, not icmp'],
    ]);
    const rs = d.rulesets[0]!;
    const ssh = reach(rs, 22);
    expect([ssh.open.toCidrs(), ssh.possibly.toCidrs()]).toEqual([[], ['0.0.0.0/0']]);
    const icmp = exposedPorts(computeExposure(rs), 1, numRange(0, 65535)).filter((e) => e.family === 'ipv4');
    expect(icmp.map((e) => [e.sources.toString(), e.certainty])).toEqual([['0.0.0.0/0', 'possibly-open']]);
    expect(rs.tables[0]!.chains.find((c) => c.hook === 'input')!.rules.map(canonicalRule)).toEqual([
      'anyof([dstport=22 proto=6]|[opaque:gcp-port proto=1]) family=ipv4 opaque:invalid => drop',
      'anyof([dstport=22 proto=6]|[opaque:gcp-port proto=1]) srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});
