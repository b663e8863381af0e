// Seeded generators of large rulesets for the benchmark (no randomness from outside: same seed, same files).

/** Mulberry32: small, fast, reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (r, list) => list[Math.floor(r() * list.length)];
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
const ip4 = (r) => `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 0, 255)}`;
const cidr4 = (r) => `${ip4(r)}/${pick(r, [8, 16, 24, 32, 32, 32])}`;

/** iptables-save with user chains, multiport, conntrack and negations; `n` rules in total. */
export function iptablesSave(n, seed = 1) {
  const r = rng(seed);
  const chains = Math.max(1, Math.floor(n / 500));
  const out = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let c = 0; c < chains; c++) out.push(`:CHAIN${c} - [0:0]`);
  out.push('-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  let made = 2;
  for (let c = 0; c < chains; c++, made++) out.push(`-A INPUT -s ${cidr4(r)} -j CHAIN${c}`);
  while (made < n) {
    const c = int(r, 0, chains - 1);
    const kind = r();
    let line;
    if (kind < 0.3) line = `-A CHAIN${c} -s ${cidr4(r)} -p tcp -m tcp --dport ${int(r, 1, 65535)} -j ${pick(r, ['ACCEPT', 'DROP', 'REJECT --reject-with icmp-port-unreachable'])}`;
    else if (kind < 0.5) line = `-A CHAIN${c} ${r() < 0.5 ? '! ' : ''}-s ${cidr4(r)} -p udp -m multiport --dports ${int(r, 1, 30000)},${int(r, 30001, 40000)}:${int(r, 40001, 65535)} -j ACCEPT`;
    else if (kind < 0.65) line = `-A CHAIN${c} -p tcp -m conntrack --ctstate NEW -m tcp ! --dport ${int(r, 1, 65535)} -s ${cidr4(r)} -j DROP`;
    else if (kind < 0.8) line = `-A CHAIN${c} -i eth${int(r, 0, 3)} -d ${cidr4(r)} -p tcp -m tcp --dport ${int(r, 1, 30000)}:${int(r, 30001, 65535)} -j ACCEPT`;
    else if (kind < 0.9) line = `-A CHAIN${c} -s ${cidr4(r)} -m comment --comment "host ${made}" -j LOG --log-prefix "c${c} "`;
    else line = `-A CHAIN${c} -s ${cidr4(r)} -j RETURN`;
    out.push(line);
    made++;
  }
  out.push('COMMIT', '');
  return out.join('\n');
}

/**
 * A host firewall as people write them: one long INPUT chain of per-address accepts (SSH and
 * the Transfer CFT ports for some), drops of non-TCP traffic per address, and a small service
 * chain jumped to every 50 rules; policy DROP. The lazy parts of the engine meet their worst
 * case here (thousands of earlier rules before each accept), so it is measured too.
 */
export function iptablesHost(n, seed = 5) {
  const r = rng(seed);
  const out = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  const body = ['-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-A INPUT -m conntrack --ctstate INVALID -j DROP'];
  const chains = [];
  for (let i = 0; body.length < n; i++) {
    const addr = `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
    if (i % 50 === 0) {
      const name = `SVC${i}`;
      chains.push(`:${name} - [0:0]`);
      const port = 3000 + (i % 1000);
      body.push(`-A INPUT -p tcp -m tcp --dport ${port} -j ${name}`, `-A ${name} -s 10.0.0.0/8 -j RETURN`, `-A ${name} -p tcp -m tcp --dport ${port} -j ACCEPT`);
    } else if (i % 7 === 0) body.push(`-A INPUT -s ${addr}/32 ! -p tcp -j DROP`);
    else if (i % 3 === 0) body.push(`-A INPUT -s ${addr}/32 -p tcp -m multiport --dports 22,1761:1768 -j ACCEPT`);
    else body.push(`-A INPUT -s ${addr}/32 -p tcp -m tcp --dport ${int(r, 20000, 25000)} -j ACCEPT`);
  }
  return [...out, ...chains, ...body, 'COMMIT', ''].join('\n');
}

/** nftables text with sets and jumps. */
export function nftText(n, seed = 2) {
  const r = rng(seed);
  const chains = Math.max(1, Math.floor(n / 500));
  const out = ['table inet filter {', '  set blocked {', '    type ipv4_addr', '    flags interval', '    elements = { 192.0.2.0/24, 198.51.100.0/24 }', '  }'];
  out.push('  chain input {', '    type filter hook input priority filter; policy drop;', '    iifname "lo" accept', '    ct state established,related accept', '    ip saddr @blocked drop');
  let made = 3;
  for (let c = 0; c < chains; c++, made++) out.push(`    ip saddr ${cidr4(r)} jump c${c}`);
  out.push('  }');
  const per = Math.ceil((n - made) / chains);
  for (let c = 0; c < chains; c++) {
    out.push(`  chain c${c} {`);
    for (let i = 0; i < per && made < n; i++, made++) {
      const k = r();
      if (k < 0.4) out.push(`    ip saddr ${cidr4(r)} tcp dport ${int(r, 1, 65535)} ${pick(r, ['accept', 'drop', 'reject'])}`);
      else if (k < 0.6) out.push(`    ip saddr != ${cidr4(r)} udp dport { ${int(r, 1, 30000)}, ${int(r, 30001, 40000)}-${int(r, 40001, 65535)} } accept`);
      else if (k < 0.8) out.push(`    iifname "eth${int(r, 0, 3)}" ip daddr ${cidr4(r)} tcp dport ${int(r, 1, 30000)}-${int(r, 30001, 65535)} counter accept`);
      else out.push(`    ip saddr ${cidr4(r)} return`);
    }
    out.push('  }');
  }
  out.push('}', '');
  return out.join('\n');
}

/** The same shape as `nft -j list ruleset` output. */
export function nftJson(n, seed = 3) {
  const r = rng(seed);
  const items = [{ metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } }, { table: { family: 'inet', name: 'filter', handle: 1 } }];
  const chains = Math.max(1, Math.floor(n / 500));
  items.push({ chain: { family: 'inet', table: 'filter', name: 'input', handle: 2, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } });
  for (let c = 0; c < chains; c++) items.push({ chain: { family: 'inet', table: 'filter', name: `c${c}`, handle: 10 + c } });
  const m = (proto, field, right, op = '==') => ({ match: { op, left: { payload: { protocol: proto, field } }, right } });
  const prefix = () => {
    const [a, l] = cidr4(r).split('/');
    return l === '32' ? a : { prefix: { addr: a, len: Number(l) } };
  };
  let made = 0;
  for (let c = 0; c < chains; c++, made++) items.push({ rule: { family: 'inet', table: 'filter', chain: 'input', handle: 1000 + c, expr: [m('ip', 'saddr', prefix()), { jump: { target: `c${c}` } }] } });
  let h = 5000;
  while (made < n) {
    const c = int(r, 0, chains - 1);
    const k = r();
    let expr;
    if (k < 0.5) expr = [m('ip', 'saddr', prefix()), m('tcp', 'dport', int(r, 1, 65535)), { [pick(r, ['accept', 'drop'])]: null }];
    else if (k < 0.8) expr = [m('ip', 'saddr', prefix(), '!='), m('udp', 'dport', { set: [int(r, 1, 30000), { range: [int(r, 30001, 40000), int(r, 40001, 65535)] }] }), { accept: null }];
    else expr = [m('ip', 'saddr', prefix()), { return: null }];
    items.push({ rule: { family: 'inet', table: 'filter', chain: `c${c}`, handle: h++, expr } });
    made++;
  }
  return JSON.stringify({ nftables: items });
}

/** `aws ec2 describe-security-groups` output with `n` permission entries. */
export function awsDescribe(n, seed = 4) {
  const r = rng(seed);
  const groups = [];
  const perGroup = 50;
  for (let g = 0; g * perGroup < n; g++) {
    const perms = [];
    for (let i = 0; i < perGroup && g * perGroup + i < n; i++) {
      const from = int(r, 1, 60000);
      perms.push({
        IpProtocol: pick(r, ['tcp', 'udp', 'tcp', '-1', '50']),
        FromPort: from,
        ToPort: from + int(r, 0, 100),
        IpRanges: [{ CidrIp: r() < 0.05 ? '0.0.0.0/0' : cidr4(r), Description: `rule ${i}` }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: r() < 0.1 ? [{ GroupId: `sg-${(g + 1000).toString(16)}`, UserId: '123456789012' }] : [],
      });
    }
    groups.push({ GroupId: `sg-${g.toString(16).padStart(8, '0')}`, GroupName: `group-${g}`, Description: 'bench', VpcId: 'vpc-1', OwnerId: '123456789012', IpPermissions: perms, IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }] });
  }
  return JSON.stringify({ SecurityGroups: groups }, null, 2);
}
