/**
 * The generators and address helpers of the kernel suites, checked without the
 * kernel (no root needed): reproducibility from a seed, what each ruleset may
 * contain, and which probes each ruleset may receive.
 */
import { describe, expect, it } from 'vitest';
import { bigToV6, inCidr, maskAddr, v6ToBig } from './addr.js';
import { generateIptables } from './generate-iptables.js';
import { generateNft } from './generate-nft.js';
import { CLIENT_ADDRS, PORT_POOL } from './netns.js';
import { Rng } from './prng.js';

describe('addr helpers', () => {
  it('masks and formats IPv4 and IPv6', () => {
    expect(maskAddr('ipv4', '10.200.0.9', 29)).toBe('10.200.0.8');
    expect(maskAddr('ipv4', '192.0.2.200', 0)).toBe('0.0.0.0');
    expect(maskAddr('ipv6', 'fd00:201::8000:33', 65)).toBe('fd00:201::');
    expect(maskAddr('ipv6', 'fd00:200::8000:1', 113)).toBe('fd00:200::8000:0');
    expect(bigToV6(v6ToBig('fd00:200:0:0:0:0:0:a'))).toBe('fd00:200::a');
    expect(bigToV6(0n)).toBe('::');
    expect(bigToV6(1n)).toBe('::1');
    expect(inCidr('ipv4', '10.200.0.9', '10.200.0.0', 29)).toBe(false);
    expect(inCidr('ipv4', '10.200.0.5', '10.200.0.0', 29)).toBe(true);
  });
});

describe('Rng', () => {
  it('is reproducible and seed-dependent', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(42)));
    const b = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(42)));
    const c = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(43)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const x of a) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('generateIptables', () => {
  it('is a function of the seed', () => {
    expect(generateIptables(7, 'ipv4')).toEqual(generateIptables(7, 'ipv4'));
    expect(generateIptables(7, 'ipv4').text).not.toBe(generateIptables(8, 'ipv4').text);
  });

  it('writes only what the kernel accepts for the family and keeps probes observable', () => {
    let untracking = 0;
    for (let seed = 0; seed < 300; seed++) {
      const family = seed % 2 ? 'ipv6' : 'ipv4';
      const g = generateIptables(seed, family);
      expect(g.loader).toBe(family === 'ipv4' ? 'iptables' : 'ip6tables');
      expect(g.probes).toHaveLength(20);
      const lines = g.text.split('\n');
      expect(lines).toContain('*filter');
      expect(lines).toContain(':OUTPUT ACCEPT [0:0]');
      let table = '';
      for (const l of lines) {
        if (l.startsWith('*')) table = l;
        // raw rules only see the client's packets on eth0 (not the replies over lo)
        if (table === '*raw' && l.startsWith('-A ')) expect(l).toMatch(/^-A \S+ -i eth0 /);
        if (/ -j (NOTRACK|CT --notrack)$/.test(l)) untracking++;
        if (l.includes('tcp-reset')) expect(l).toMatch(/ -p (tcp|TCP|6) /);
        if (family === 'ipv6') expect(l).not.toMatch(/icmp-(port|host|admin)/);
        else expect(l).not.toMatch(/icmp6/);
        expect(l).not.toMatch(/! -s [^ ]*\/0/);
      }
      const establishedFirst = lines.includes('-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
      for (const p of g.probes) {
        expect(p.family).toBe(family);
        // (an ICMP echo request has no port; it goes from the client)
        if (p.proto === 'icmp') expect([p.dport, p.iif]).toEqual([0, 'eth0']);
        else expect(PORT_POOL).toContain(p.dport);
        if (p.iif === 'eth0') expect(CLIENT_ADDRS[family]).toContain(p.src);
        // TCP and loopback probes only where later packets of the connection are let in.
        if (p.proto === 'tcp' || p.iif === 'lo') expect(establishedFirst).toBe(true);
      }
    }
    // the raw table's untracking is exercised (about one ruleset in eight)
    expect(untracking).toBeGreaterThan(20);
  });
});

describe('generateNft', () => {
  it('is a function of the seed', () => {
    expect(generateNft(11, 'ipv6')).toEqual(generateNft(11, 'ipv6'));
  });

  it('gives base chains distinct priorities and rejects only with types the client can observe', () => {
    let untracking = 0;
    for (let seed = 0; seed < 300; seed++) {
      const g = generateNft(seed, seed % 2 ? 'ipv6' : 'ipv4');
      expect(g.loader).toBe('nft');
      // (input hook: a prerouting chain's order against them does not matter)
      const prios = [...g.text.matchAll(/hook input priority ([^;]+);/g)].map((m) => m[1]!);
      expect(prios.length).toBeGreaterThanOrEqual(1);
      expect(prios.length).toBeLessThanOrEqual(3);
      const value = (t: string) => {
        const named: Record<string, number> = { raw: -300, mangle: -150, filter: 0, security: 50 };
        const m = /^([a-z]+)?\s*([+-])?\s*(-?\d+)?$/.exec(t.trim())!;
        return (m[1] ? named[m[1]]! : 0) + (m[3] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0);
      };
      expect(new Set(prios.map(value)).size).toBe(prios.length);
      expect(g.text).not.toMatch(/reject with .*(host-unreachable|no-route)/);
      for (const l of g.text.split('\n')) {
        // Written alone, `reject with tcp reset` makes nft add the `meta l4proto tcp` dependency itself.
        if (l.includes('reject with tcp reset')) expect(l).not.toMatch(/udp|l4proto \{|l4proto !=/);
        // Nothing follows a verdict map in a rule.
        if (l.includes(' vmap ')) expect(l.trim()).toMatch(/(vmap \{[^}]*\}|vmap @\w+)$/);
        if (/ notrack( accept)?$/.test(l)) untracking++;
      }
      // prerouting rules only see the client's packets on eth0 (not the replies over lo)
      const pre = /chain pre \{\n[^\n]*\n((?:\t\t[^\n]*\n)*)\t\}/.exec(g.text);
      if (pre) for (const l of pre[1]!.trimEnd().split('\n')) expect(l.trim()).toMatch(/^iifname "eth0" /);
    }
    // the prerouting chain's untracking is exercised
    expect(untracking).toBeGreaterThan(20);
  });

  it('forward mode: forward base chains, probes across the router, nothing the forward path cannot decide', () => {
    let post = 0;
    let own = 0;
    for (let seed = 0; seed < 300; seed++) {
      const family = seed % 2 ? 'ipv6' : 'ipv4';
      const g = generateNft(seed, family, 20, { forward: true });
      expect(g).toEqual(generateNft(seed, family, 20, { forward: true }));
      const hooks = [...g.text.matchAll(/type filter hook (\w+) priority ([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()] as const);
      const fwd = hooks.filter(([h]) => h === 'forward');
      expect(fwd.length).toBeGreaterThanOrEqual(1);
      expect(fwd.length).toBeLessThanOrEqual(3);
      for (const [h, prio] of hooks) {
        expect(['forward', 'prerouting', 'postrouting', 'input']).toContain(h);
        // a prerouting chain after conntrack only: nothing untracked, whose replies forward would judge as new
        if (h === 'prerouting') expect(['mangle', '-150', 'mangle + 5']).toContain(prio);
      }
      if (hooks.some(([h]) => h === 'postrouting')) post++;
      if (g.text.includes('chain own_input {')) own++;
      // every forward chain lets a connection's later packets through first (they cross forward too)
      // (in the block form; one ruleset in five is written as nft commands)
      const block = !g.text.includes('\nadd table ');
      if (block) for (const m of g.text.matchAll(/type filter hook forward [^\n]*\n([^\n]*)/g)) expect(m[1]!.trim()).toBe('ct state established,related accept');
      expect(g.text).not.toMatch(/redirect|fib daddr type (unicast|\{ broadcast)|hook output/);
      const pr = /chain post \{\n[^\n]*\n[^\n]*\n((?:\t\t[^\n]*\n)*)\t\}/.exec(g.text);
      if (pr) for (const l of pr[1]!.trimEnd().split('\n')) expect(l.trim()).toMatch(/^(oifname "eth1"|oif "eth1"|oifname "eth\*") .*(drop|accept)$/);
      for (const p of g.probes) {
        expect([p.path, p.iif, p.family]).toEqual(['forward', 'eth0', family]);
        expect(CLIENT_ADDRS[family]).toContain(p.src);
      }
    }
    // the postrouting chain and the router's own input chain are exercised
    expect(post).toBeGreaterThan(30);
    expect(own).toBeGreaterThan(20);
  });
});
