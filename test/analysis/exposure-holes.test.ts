/**
 * Long chains: a flow's hole log grows past the scan limit and is queried through its
 * per-protocol-class indexes (TCP flows next to `! -p tcp` holes, jumps into service chains whose
 * returns come back, holes of one prefix shared by hits). The exposure must still agree with the
 * concrete tracer packet by packet: no opaque match here, so accept ⇔ open and drop ⇔ closed.
 */
import { describe, expect, test } from 'vitest';
import { classifyPacket, computeExposure, tracePacket, type Packet } from '../../src/analysis/index.js';
import type { Chain, Rule } from '../../src/model/index.js';
import { a, base, chain, m, rule, ruleset, table } from './build.js';

function host(n: number): { chains: Chain[]; sources: string[]; ports: number[] } {
  const input: Rule[] = [rule('lo', [m.iif('lo')], a.accept()), rule('est', [m.ct('established', 'related')], a.accept())];
  const users: Chain[] = [];
  const sources: string[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    // 50 sources and 30 ports: later rules meet the holes of earlier ones on the same source
    const k = (i * 7) % 50;
    const src = `${(k * 37) % 200 + 11}.${(k * 13) % 250}.${k % 7}.${(k * 11) % 250 + 1}`;
    sources.push(src);
    if (i % 25 === 0) {
      const name = `SVC${i}`;
      const port = 3000 + i;
      ports.push(port);
      input.push(rule(`jump ${name}`, [m.proto('tcp'), m.dport(String(port))], a.jump(name)));
      users.push(chain(name, [rule('ret', [m.src('10.0.0.0/8')], a.ret()), rule('svc', [m.proto('tcp'), m.dport(String(port))], a.accept())]));
    } else if (i % 8 === 3) input.push(rule(`not tcp ${src}`, [m.src(`${src}/32`), m.not(m.proto('tcp'))], a.drop()));
    else if (i % 3 === 0) input.push(rule(`cft ${src}`, [m.src(`${src}/32`), m.proto('tcp'), m.dport('22,1761:1768')], a.accept()));
    else if (i % 11 === 5) input.push(rule(`udp ${src}`, [m.src(`${src}/24`), m.proto('udp'), m.dport('53')], a.accept()));
    else {
      const port = 20000 + ((i * 7919) % 30);
      ports.push(port);
      input.push(rule(`port ${src}`, [m.src(`${src}/32`), m.proto('tcp'), m.dport(String(port))], a.accept()));
    }
  }
  // a late rule every earlier one cuts into: what is left of it is the difference of hundreds of holes
  input.push(rule('late 22', [m.proto('tcp'), m.dport('22')], a.accept()));
  input.push(rule('late udp', [m.proto('udp')], a.accept()));
  return { chains: [base.input(input, 'drop'), ...users], sources, ports };
}

function v4(s: string): number {
  return s.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
}

describe('exposure over long hole logs', () => {
  // 6000: the log passes the length from which it reserves room for the rest of the chain (4096), and fills it
  test.each([400, 6000])('agrees with the tracer on every probe packet (%i rules)', (n) => {
    const { chains, sources, ports } = host(n);
    const rs = ruleset([table('filter', 'ip', chains)]);
    const e = computeExposure(rs, { hook: 'input' });
    const probeSources = [...sources.slice(0, 60), ...sources.slice(-20), '10.1.2.3', '10.200.0.9', '192.0.2.44', '8.8.8.8'];
    const probePorts = [22, 1761, 1768, 1769, 53, 80, ...ports.slice(0, 12), ...ports.slice(-6)];
    let open = 0;
    let closed = 0;
    for (const src of probeSources)
      for (const proto of ['tcp', 'udp', 'icmp'] as const)
        for (const dport of proto === 'icmp' ? [undefined] : probePorts) {
          const p: Packet = dport === undefined ? { proto, src } : { proto, src, dport };
          const t = tracePacket(rs, p).verdict;
          const c = classifyPacket(e, p);
          expect(t === 'accept' || t === 'drop').toBe(true);
          expect([src, proto, dport, c]).toEqual([src, proto, dport, t === 'accept' ? 'open' : 'closed']);
          if (c === 'open') {
            open++;
            // the one entry holding it names the rule the tracer stopped at
            const holding = e.entries.filter((x) => x.protocols.has(proto === 'tcp' ? 6 : 17) && x.dports.has(dport!) && x.sources.v4.has(v4(src)));
            const accepting = tracePacket(rs, p).steps.find((s) => s.effect.includes('ACCEPT'));
            expect(holding.map((x) => x.rule?.text)).toEqual([accepting?.text]);
          } else closed++;
        }
    // both answers occur many times (the probes are not all on one side)
    expect(open).toBeGreaterThan(200);
    expect(closed).toBeGreaterThan(200);
  });
});
