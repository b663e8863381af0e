/** Generated rulesets for the performance tests and profiling. */
import { formatAddress, type Rule } from '../../src/model/index.js';
import { a, base, chain, m, rule, ruleset, table } from './build.js';

export function ip(n: number): string {
  return formatAddress('ipv4', (0x0b000000 + n * 7) >>> 0);
}

/** Host firewall: one long INPUT chain of per-address accepts with user chains every 50 rules. */
export function hostRuleset(n: number) {
  const input: Rule[] = [
    rule('lo', [m.iif('lo')], a.accept()),
    rule('est', [m.ct('established', 'related')], a.accept()),
    rule('inv', [m.ct('invalid')], a.drop()),
    rule('bad', [m.not(m.src('10.0.0.0/8')), m.proto('udp'), m.dport('161')], a.drop()),
  ];
  const users = [];
  for (let i = 0; input.length < n; i++) {
    if (i % 50 === 0) {
      const name = `SVC${i}`;
      users.push(chain(name, [rule(`${name}-lan`, [m.src('10.0.0.0/8')], a.ret()), rule(`${name}-acc`, [m.proto('tcp'), m.dport(String(3000 + (i % 1000)))], a.accept())]));
      input.push(rule(`j${i}`, [m.proto('tcp'), m.dport(String(3000 + (i % 1000)))], a.jump(name)));
    } else if (i % 7 === 0) {
      input.push(rule(`d${i}`, [m.src(`${ip(i)}/32`), m.not(m.proto('tcp'))], a.drop()));
    } else {
      input.push(rule(`r${i}`, [m.src(`${ip(i)}/32`), m.proto('tcp'), m.dport(i % 3 === 0 ? '1761:1768,22' : String(20000 + (i % 5000)))], a.accept()));
    }
  }
  return ruleset([table('filter', 'ip', [base.input(input, 'drop'), base.forward([], 'drop'), ...users])]);
}

/** kube-proxy-like: services → (statistic) → endpoints DNAT, plus a filter FORWARD. */
export function kubeRuleset(services: number) {
  const svcRules: Rule[] = [];
  const chains = [];
  for (let s = 0; s < services; s++) {
    const svc = `KUBE-SVC-${s}`;
    const cip = formatAddress('ipv4', 0x0a600000 + s);
    svcRules.push(rule(`svc${s}`, [m.dst(`${cip}/32`), m.proto('tcp'), m.dport(String(80 + (s % 50)))], a.jump(svc)));
    const eps: Rule[] = [];
    for (let e = 0; e < 3; e++) {
      const sep = `KUBE-SEP-${s}-${e}`;
      eps.push(rule(`${svc}-${e}`, e < 2 ? [m.opaque('-m statistic --mode random --probability 0.33')] : [], a.jump(sep)));
      chains.push(chain(sep, [rule(`${sep}-mark`, [m.src(`${formatAddress('ipv4', 0x0a800000 + s * 4 + e)}/32`)], a.log()), rule(`${sep}-dnat`, [m.proto('tcp')], a.dnat(formatAddress('ipv4', 0x0a800000 + s * 4 + e), '8080'))]));
    }
    chains.push(chain(svc, eps));
  }
  svcRules.push(rule('nodeports', [m.addrtype('dst', 'LOCAL')], a.jump('KUBE-NODEPORTS')));
  chains.push(chain('KUBE-NODEPORTS', [rule('np', [m.proto('tcp'), m.dport('30080')], a.jump('KUBE-SVC-0'))]));
  return ruleset([
    table('nat', 'ip', [base.natPre([rule('svc', [], a.jump('KUBE-SERVICES'))]), chain('KUBE-SERVICES', svcRules), ...chains]),
    table('filter', 'ip', [
      base.input([rule('est', [m.ct('established', 'related')], a.accept()), rule('ssh', [m.proto('tcp'), m.dport('22')], a.accept())], 'drop'),
      base.forward([rule('fwd-est', [m.ct('established', 'related')], a.accept()), rule('fwd-pods', [m.dst('10.128.0.0/16')], a.accept())], 'drop'),
    ]),
  ]);
}

