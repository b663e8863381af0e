import { describe, expect, it } from 'vitest';
import { parseIptables } from '../../../src/parsers/iptables/index.js';
import type { Rule } from '../../../src/model/index.js';
import { classifyPacket, computeExposure, tracePacket } from '../../../src/analysis/index.js';
import { at, chainOf, diags, matchesOf, rulesOf, spanIn } from './helpers.js';
import { canonicalRule } from '../../../src/model/index.js';

// (these tests read what a script does on its own: on an empty filter table, as in a fresh network namespace; what
// it meets on a host whose tables it does not flush is tested in "iptables scripts: what ran before")
const script = (text: string, filePath?: string) => parseIptables(text, filePath ? { mode: 'script', filePath, before: 'empty' } : { mode: 'script', before: 'empty' });

describe('iptables scripts: commands', () => {
  it('reads iptables commands with -t, -w, sudo, paths and the nft/legacy variants', () => {
    const text = [
      '#!/bin/sh',
      'iptables -w -P INPUT DROP',
      'sudo /usr/sbin/iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
      'iptables-nft -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80',
      'iptables-legacy --table filter --append INPUT --protocol udp --dport 53 --jump ACCEPT',
      'iptables -w 5 -I INPUT 1 -i lo -j ACCEPT',
      '',
    ].join('\n');
    const d = script(text, 'fw.sh');
    expect(d.format).toBe('iptables-script');
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets[0]!.name).toBe('fw.sh');
    expect(d.rulesets[0]!.families).toEqual(['ipv4']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['inif=lo => accept', 'dstport=22 proto=6 => accept', 'dstport=53 proto=17 => accept']);
    expect(rulesOf(d, 'nat', 'PREROUTING')).toEqual(['dstport=8080 proto=6 => nat dnat 10.0.0.2/32 :80']);
    const input = chainOf(d, 'filter', 'INPUT');
    expect(input.policy).toBe('drop');
    expect(at(input.policySpan)).toBe(spanIn(2, 'iptables -w -P INPUT DROP', 'iptables -w -P INPUT DROP'));
    const line3 = 'sudo /usr/sbin/iptables -A INPUT -p tcp --dport 22 -j ACCEPT';
    const r = input.rules[1]!;
    expect(at(r.span)).toBe(spanIn(3, line3, '/usr/sbin/iptables -A INPUT -p tcp --dport 22 -j ACCEPT'));
    expect(r.text).toBe('/usr/sbin/iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
    expect(at(r.reportSpan)).toBe(spanIn(3, line3, '--dport 22'));
    expect(input.rules.map((x) => x.id)).toEqual([4, 1, 3]);
  });

  it('takes a short option value attached, as getopt does: -w5, -W100000, -tnat (iptables 1.8.9 runs them)', () => {
    // was: a parse error "Unknown option" for the whole file
    const d = script('iptables -w5 -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -W100000 -tnat -A PREROUTING -p tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22\niptables -A INPUT -p tcp --dport 80 -j ACCEPT -w5\n');
    expect(d.diagnostics).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept', 'dstport=80 proto=6 => accept']);
    expect(rulesOf(d, 'nat', 'PREROUTING')).toEqual(['dstport=2222 proto=6 => nat dnat 10.0.0.5/32 :22']);
  });

  it("reads iptables' short IPv4 forms as xtables does: 0/0, 10/8, 127.1 (127.1.0.0), 192.168.1", () => {
    // was: a parse error "Bad address" for 0/0 and 10/8 (hiding every finding), a host name for 127.1 and 192.168.1
    const d = script('iptables -A INPUT -s 0/0 -d 0/0 -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -s 10/8 -j ACCEPT\niptables -A INPUT -s 127.1 -j ACCEPT\niptables -A INPUT -d 192.168.1 -j DROP\n');
    expect(d.diagnostics).toEqual([]);
    // iptables 1.8.9 lists them: -p tcp --dport 22, -s 10.0.0.0/8, -s 127.1.0.0/32, -d 192.168.1.0/32
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept', 'srcaddr=10.0.0.0/8 => accept', 'srcaddr=127.1.0.0/32 => accept', 'dstaddr=192.168.1.0/32 => drop']);
  });

  it('reads ports as xtables does, with strtoul base 0: 022 is 18 (octal), 0x50 is 80, 08 is no port', () => {
    // iptables 1.8.9 in a network namespace lists --dport 022 as 18, 0x50 as 80, 010:0x20 as 8:32 and refuses 08
    // (was: 022 read as 22, 0x50 refused)
    const d = script('iptables -A INPUT -p tcp --dport 022 -j ACCEPT\niptables -A INPUT -p tcp --dport 0x50 -j ACCEPT\niptables -A INPUT -p tcp --dport 010:0x20 -j ACCEPT\niptables -A INPUT -p tcp -m multiport --dports 022,0x16 -j ACCEPT\n');
    // (a leading 0 is worth a warning: few mean octal)
    expect(diags(d)).toEqual(['warning iptables/octal-port 1:34-1:37', 'warning iptables/octal-port 3:34-3:42', 'warning iptables/octal-port 4:48-4:56']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=18 proto=6 => accept', 'dstport=80 proto=6 => accept', 'dstport=8-32 proto=6 => accept', 'dstport=18, 22 proto=6 => accept']);
    expect(diags(script('iptables -A INPUT -p tcp --dport 08 -j ACCEPT\n'))).toEqual(['error iptables/bad-port 1:34-1:36']);
    // the same in a restore file (the fast path leaves such a port to the general reader)
    expect(rulesOf(parseIptables('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 022 -j ACCEPT\nCOMMIT\n', { mode: 'save' }), 'filter', 'INPUT')).toEqual(['dstport=18 proto=6 => accept']);
  });

  it('gives each command its own family: ip6tables → ip6 tables', () => {
    const d = script('iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT\nip6tables -A INPUT -s 2001:db8::/32 -j ACCEPT\nip6tables-legacy -P INPUT DROP\n');
    expect(d.rulesets[0]!.families).toEqual(['ipv4', 'ipv6']);
    expect(d.rulesets[0]!.tables.map((t) => `${t.family} ${t.name}`)).toEqual(['ip filter', 'ip6 filter']);
    expect(rulesOf(d, 'filter', 'INPUT', 'ip6')).toEqual(['srcaddr=2001:db8::/32 => accept']);
    expect(chainOf(d, 'filter', 'INPUT', 'ip6').policy).toBe('drop');
    expect(chainOf(d, 'filter', 'INPUT', 'ip').policy).toBe('accept');
  });

  it('applies -N, -F, -X, -D, -I n and -P as the script runs', () => {
    const d = script(
      [
        'iptables -N LOGDROP',
        'iptables -A LOGDROP -j LOG',
        'iptables -A LOGDROP -j DROP',
        'iptables -A INPUT -p tcp --dport 23 -j LOGDROP',
        'iptables -A INPUT -p tcp --dport 25 -j ACCEPT',
        'iptables -I INPUT 2 -p tcp --dport 24 -j ACCEPT',
        'iptables -D INPUT -p tcp --dport 25 -j ACCEPT',
        'iptables -N OLD',
        'iptables -X OLD',
        'iptables -F FORWARD',
        '',
      ].join('\n'),
    );
    expect(d.diagnostics).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=23 proto=6 => jump LOGDROP', 'dstport=24 proto=6 => accept']);
    expect(d.rulesets[0]!.tables[0]!.chains.map((c) => c.name)).toEqual(['INPUT', 'FORWARD', 'OUTPUT', 'LOGDROP']);
  });

  it('ignores other programs silently (echo, modprobe, sysctl) and listing commands', () => {
    const d = script('echo "starting"\nmodprobe ip_conntrack\nsysctl -w net.ipv4.ip_forward=1\niptables -L -n\niptables -nvL\niptables -S\n');
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets[0]!.tables).toEqual([]);
  });

  it('reports with positions: unknown chain (a failure when the script runs: a warning), unknown table (an error)', () => {
    const d = script('iptables -A NOPE -j ACCEPT\niptables -t nta -A INPUT -j ACCEPT\n');
    expect(diags(d)).toEqual([`warning iptables/unknown-chain 1:13-1:17`, `error iptables/unknown-table ${spanIn(2, 'iptables -t nta -A INPUT -j ACCEPT', 'nta')}`]);
  });
});

// Checked against the kernel (iptables v1.8.9, nf_tables and legacy, in a network namespace): each script run with
// bash, then iptables-save and UDP probes.
describe('iptables scripts: commands iptables refuses when the script runs', () => {
  const udp = (d: ReturnType<typeof script>, dport: number, src = '10.0.0.2') => tracePacket(d.rulesets[0]!, { proto: 'udp', dport, src }).verdict;

  it('reads the delete-then-recreate idiom: a -D of a missing rule fails and the script goes on (warnings, no error)', () => {
    const text = [
      'iptables -D INPUT -p udp --dport 22 -j ACCEPT 2>/dev/null || true',
      'iptables -D INPUT -j FOO 2>/dev/null',
      'iptables -N FOO 2>/dev/null',
      'iptables -F FOO',
      'iptables -A FOO -p udp --dport 22 -j ACCEPT',
      'iptables -I INPUT -j FOO',
      'iptables -P INPUT DROP',
      '',
    ].join('\n');
    const d = script(text);
    expect(diags(d)).toEqual([`warning iptables/no-such-rule 1:1-1:46`, `warning iptables/no-such-rule 2:1-2:25`]);
    expect(d.diagnostics[0]!.message).toBe('-D: no matching rule in chain "INPUT" (bad rule: does a matching rule exist in that chain?): iptables fails when the script runs, and this command changes nothing (the script goes on)');
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([' => jump FOO']);
    expect(udp(d, 22)).toBe('accept');
    expect(udp(d, 80)).toBe('drop');
  });

  it('-D compares the match extensions in order, as iptables does: a same-meaning rule written with other modules is not deleted', () => {
    // each pair checked with iptables 1.8.9 (nf_tables) in a network namespace: `iptables -D` fails ("Bad rule"), the
    // rule stays and still accepts
    const kept = (added: string, deleted: string) => {
      const d = script(`iptables -P INPUT DROP\niptables -A INPUT ${added} -j ACCEPT\niptables -D INPUT ${deleted} -j ACCEPT\n`);
      const line = `iptables -D INPUT ${deleted} -j ACCEPT`;
      expect(diags(d), `${added} / ${deleted}`).toEqual([`warning iptables/no-such-rule 3:1-3:${line.length + 1}`]);
      expect(tracePacket(d.rulesets[0]!, { proto: 'tcp', dport: 22, src: '10.0.0.2', sport: 40000 }).verdict, `${added} / ${deleted}`).toBe('accept');
    };
    kept('-p tcp -m multiport --dports 22,443', '-p tcp -m multiport --dports 443,22');
    kept('-p tcp -m multiport --dports 22,23', '-p tcp -m multiport --dports 22:23');
    kept('-p tcp --dport 22', '-p tcp -m multiport --dports 22');
    kept('-p tcp --dport 22 -m state --state NEW', '-p tcp -m conntrack --ctstate NEW --dport 22');
    kept('-p tcp --dport 22 -m state --state NEW', '-p tcp -m state --state NEW --dport 22');
    kept('-p tcp -s 10.0.0.2', '-p tcp -m iprange --src-range 10.0.0.2-10.0.0.2');
    kept('-p tcp -m comment --comment a -m state --state NEW', '-p tcp -m state --state NEW -m comment --comment a');
    // and what iptables does delete: the same matches in the same order, however spelled
    const gone = (added: string, deleted: string, pre = '') => {
      const d = script(`${pre}iptables -P INPUT DROP\niptables -A INPUT ${added} -j ACCEPT\niptables -D INPUT ${deleted} -j ACCEPT\n`);
      expect(diags(d), `${added} / ${deleted}`).toEqual([]);
      expect(rulesOf(d, 'filter', 'INPUT'), `${added} / ${deleted}`).toEqual([]);
    };
    gone('-p tcp -m tcp --dport 22 -m state --state NEW', '-p tcp --dport 22 -m state --state NEW');
    gone('-p tcp -m multiport --dports ssh,80', '-p tcp -m multiport --dports 22,80');
    gone('-p tcp --dport 80:80', '-p tcp --dport 80');
    gone('-s 10.0.0.1 -p tcp', '-p tcp -s 10.0.0.1');
    gone('-m conntrack --ctstate NEW --ctproto tcp', '-m conntrack --ctproto tcp --ctstate NEW');
    gone('-p tcp -m multiport --dports 22,80', '-p tcp -m multiport --dports $PORTS', 'PORTS=22,80\n');
  });

  it('set -e: the shell exits at an iptables command that fails outside a test; the rules after it are not added', () => {
    const d = script('set -e\niptables -D INPUT -p udp --dport 22 -j ACCEPT\niptables -A INPUT -p udp -j DROP\n');
    expect(diags(d)).toEqual([`warning iptables/no-such-rule 2:1-2:46`, `warning iptables/errexit 2:1-2:46`]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([]);
    expect(udp(d, 5000)).toBe('accept');
    // tested by || (or without set -e), the script goes on
    const t = script('#!/bin/sh -e\niptables -D INPUT -p udp --dport 22 -j ACCEPT || true\niptables -N X\niptables -N X\niptables -A INPUT -p udp -j DROP\n');
    expect(diags(t)).toEqual([`warning iptables/no-such-rule 2:1-2:46`, `warning iptables/chain-exists 4:1-4:14`, `warning iptables/errexit 4:1-4:14`]);
    expect(udp(t, 5000)).toBe('accept');
    expect(udp(script('set -e\nset +e\niptables -N X\niptables -N X\niptables -A INPUT -p udp -j DROP\n'), 5000)).toBe('drop');
  });

  it('set -u: a variable the script never sets ends the script where it is expanded (unless the environment sets it)', () => {
    const lines = ['set -euo pipefail', 'iptables -A INPUT -s "$ADMIN_NET" -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport ${X:-1761} -j DROP'];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual([`warning iptables/unresolved ${spanIn(2, lines[1]!, '"$ADMIN_NET"')}`, `warning iptables/control-flow ${spanIn(3, lines[2]!, lines[2]!)}`]);
    // the DROP after it may not run: it closes nothing
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 opaque:condition opaque:unresolved proto=6 => accept', 'dstport=1761 opaque:condition proto=6 => drop']);
    // without set -u the shell goes on with an empty value
    const e = script(`${lines.slice(1).join('\n')}\n`);
    expect(rulesOf(e, 'filter', 'INPUT')).toEqual(['dstport=22 opaque:unresolved proto=6 => accept', 'dstport=1761 proto=6 => drop']);
  });

  it('exit ends the script; a conditional exit, or a failure under set -e that may not run, makes the rest commands that may not run', () => {
    const d = script('iptables -P INPUT DROP\niptables -A INPUT -p udp --dport 22 -j ACCEPT\nexit 0\niptables -A INPUT -p udp --dport 80 -j ACCEPT\n');
    expect(d.diagnostics).toEqual([]);
    expect(udp(d, 80)).toBe('drop');
    const c = script('iptables -P INPUT DROP\n[ -f /etc/fw.off ] || exit 0\niptables -A INPUT -p udp --dport 80 -j ACCEPT\n');
    expect(diags(c)).toEqual(['warning iptables/control-flow 3:1-3:46']);
    expect(c.diagnostics[0]!.message).toBe('iptables command after [ -f /etc/fw.off ] || exit: read as a command that may or may not run');
    expect(udp(c, 80)).toBe('unknown');
    // bash: the last command of an && list exits the shell when it fails (kernel: the DROP after it is not there)
    const a = script('set -e\ntrue && iptables -D INPUT -p udp --dport 22 -j DROP\niptables -A INPUT -p udp -j DROP\n');
    expect(diags(a)).toEqual(['warning iptables/control-flow 2:9-2:52', 'warning iptables/no-such-rule 2:9-2:52', 'warning iptables/errexit 2:9-2:52', 'warning iptables/control-flow 3:1-3:33']);
    expect(udp(a, 5000)).toBe('unknown');
    // a pipe hides the status (no pipefail), and so does a subshell tested by ||: the script goes on
    const p = script('set -e\niptables -N X\niptables -N X 2>&1 | logger\n(iptables -D INPUT -j X) || true\niptables -A INPUT -p udp -j DROP\n');
    expect(udp(p, 5000)).toBe('drop');
    // an if/while condition or a command negated with ! is tested: no exit
    const t = script('set -e\nif ! iptables -D INPUT -p udp --dport 22 -j DROP; then echo none; fi\n! iptables -N INPUT\niptables -A INPUT -p udp -j DROP\n');
    expect(udp(t, 5000)).toBe('drop');
    // with pipefail the pipeline fails: the shell may exit (the rest of the pipeline is not read)
    const f = script('set -eo pipefail\niptables -N X\niptables -N X 2>&1 | logger\niptables -A INPUT -p udp -j DROP\n');
    expect(udp(f, 5000)).toBe('unknown');
  });

  it('set -e in a { } group or ( ) subshell: the compound tested by || or && does not exit (bash and dash, checked in a namespace)', () => {
    const run = (middle: string) => script(`set -e\niptables -P INPUT DROP\n${middle}\niptables -A INPUT -p udp --dport 1768 -j ACCEPT\n`);
    const D = 'iptables -D INPUT -p udp --dport 22 -j DROP';
    // kernel: 1768 accepted (the group's failure is tested); was "not run" (closed): unsound
    expect(udp(run(`{ ${D}; } || true`), 1768)).toBe('accept');
    expect(udp(run(`{ { ${D}; }; } || true`), 1768)).toBe('accept');
    expect(udp(run(`{ { ${D}; } || true; }`), 1768)).toBe('accept');
    // untested: the shell exits at the failure (kernel: 1768 not there)
    expect(udp(run(`{ ${D}; }`), 1768)).toBe('drop');
    expect(udp(run(`( ${D} )`), 1768)).toBe('drop');
    // what follows the failure inside the compound may not run until its end decides: possibly (kernel: 1762 there
    // when tested, 1763 not when untested)
    const tested = run(`( ${D}; iptables -A INPUT -p udp --dport 1762 -j ACCEPT ) || true`);
    expect([udp(tested, 1762), udp(tested, 1768)]).toEqual(['unknown', 'accept']);
    const untested = run(`{ ${D}; iptables -A INPUT -p udp --dport 1763 -j ACCEPT; }`);
    expect([udp(untested, 1763), udp(untested, 1768)]).toEqual(['unknown', 'drop']);
  });

  it('leaves out a jump to a chain the script makes only later (iptables: "Chain \'FOO\' does not exist"), and after -E to the old name', () => {
    const d = script('iptables -A INPUT -p udp -j FOO\niptables -N FOO\niptables -A FOO -p udp --dport 22 -j DROP\n');
    expect(diags(d)).toEqual(['warning iptables/unknown-chain 1:26-1:32']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([]);
    expect(udp(d, 22)).toBe('accept');
    const r = script('iptables -N OLD\niptables -A INPUT -j OLD\niptables -E OLD NEW\niptables -A NEW -p udp --dport 80 -j DROP\niptables -A INPUT -p udp --dport 443 -j OLD\niptables -N OLD\n');
    expect(rulesOf(r, 'filter', 'INPUT')).toEqual([' => jump NEW']);
    expect(udp(r, 80)).toBe('drop');
    // the refused rule holds no place once the chain is made: a later -D INPUT 2 removes the kernel's second rule
    // (a name the script never makes may be another program's chain, f2b-sshd: an unknown target, undecided)
    const p = script('iptables -A INPUT -p udp --dport 22 -j DROP\niptables -A INPUT -p udp -j LATE\niptables -A INPUT -p udp -j late\niptables -N LATE\niptables -N late\niptables -A INPUT -p udp --dport 80 -j DROP\niptables -A INPUT -p udp --dport 443 -j DROP\niptables -D INPUT 2\n');
    expect(diags(p)).toEqual(['warning iptables/unknown-chain 2:26-2:33', 'warning iptables/unknown-chain 3:26-3:33']);
    expect(rulesOf(p, 'filter', 'INPUT')).toEqual(['dstport=22 proto=17 => drop', 'dstport=443 proto=17 => drop']);
    expect(udp(script('iptables -A INPUT -p udp -j f2b-sshd\niptables -P INPUT DROP\n'), 22)).toBe('unknown');
  });

  it('-X of a chain a rule jumps to, or that holds rules, fails: the chain and the jump stay', () => {
    const d = script('iptables -N FOO\niptables -A FOO -p udp --dport 22 -j DROP\niptables -A INPUT -j FOO\niptables -F FOO\niptables -X FOO\niptables -A FOO -p udp --dport 80 -j DROP\n');
    expect(diags(d)).toEqual(['warning iptables/chain-busy 5:13-5:16']);
    expect(udp(d, 80)).toBe('drop');
    const e = script('iptables -N FOO\niptables -A FOO -p udp --dport 22 -j DROP\niptables -X FOO\niptables -A INPUT -j FOO\n');
    expect(diags(e)).toEqual(['warning iptables/chain-busy 3:13-3:16']);
    expect(udp(e, 22)).toBe('drop');
  });

  it('-I past the end and -R with an address list change nothing; a -D whose list has a missing rule removes none', () => {
    const i = script('iptables -A INPUT -p udp --dport 80 -j ACCEPT\niptables -I INPUT 5 -p udp --dport 22 -j DROP\niptables -I INPUT 0 -p udp --dport 22 -j DROP\n');
    expect(rulesOf(i, 'filter', 'INPUT')).toEqual(['dstport=80 proto=17 => accept']);
    expect(i.diagnostics.map((x) => x.message.split(':')[0])).toEqual(['Index of insertion too big', 'Invalid rule number 0']);
    const r = script('iptables -A INPUT -p udp --dport 22 -j DROP\niptables -R INPUT 1 -p udp -s 10.0.0.2,10.0.0.3 --dport 80 -j DROP\n');
    expect(rulesOf(r, 'filter', 'INPUT')).toEqual(['dstport=22 proto=17 => drop']);
    const del = script('iptables -A INPUT -s 10.0.0.3 -j DROP\niptables -A INPUT -s 10.0.0.4 -j DROP\niptables -D INPUT -s 10.0.0.2,10.0.0.3,10.0.0.4 -j DROP\n');
    expect(diags(del)).toEqual(['warning iptables/no-such-rule 3:1-3:56']);
    expect(rulesOf(del, 'filter', 'INPUT')).toEqual(['srcaddr=10.0.0.3/32 => drop', 'srcaddr=10.0.0.4/32 => drop']);
  });

  it('an ICMPv6 reject type in iptables (or an ICMP one in ip6tables) is refused; prefixes and other cases are taken', () => {
    // iptables 1.8.9: unknown reject type "icmp6-port-unreachable"; "icmp-port", "ICMP-HOST-PROHIBITED", "tcp-rst" are taken
    const d = script('iptables -A INPUT -p udp -j REJECT --reject-with icmp6-port-unreachable\nip6tables -A INPUT -p udp -j REJECT --reject-with icmp-port-unreachable\niptables -A INPUT -p tcp -j REJECT --reject-with icmp-port\niptables -A INPUT -p tcp -j REJECT --reject-with ICMP-HOST-PROHIBITED\nip6tables -A INPUT -p tcp -j REJECT --reject-with adm-prohibited\niptables -A INPUT -p tcp -j REJECT --reject-with tcp-rst\n');
    expect(diags(d)).toEqual(['error iptables/reject-type 1:50-1:72', 'error iptables/reject-type 2:51-2:72']);
    expect(d.diagnostics[0]!.message).toBe('Unknown reject type "icmp6-port-unreachable" for iptables: iptables refuses the rule');
  });

  it('-I with address lists inserts the combinations in reverse order (each at the same position), so a later -D n removes the last one', () => {
    const d = script('iptables -A INPUT -j ACCEPT\niptables -I INPUT -s 10.0.0.1,10.0.0.2 -d 10.1.0.1,10.1.0.2 -j DROP\niptables -D INPUT 1\n');
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstaddr=10.1.0.1/32 srcaddr=10.0.0.2/32 => drop', 'dstaddr=10.1.0.2/32 srcaddr=10.0.0.1/32 => drop', 'dstaddr=10.1.0.1/32 srcaddr=10.0.0.1/32 => drop', ' => accept']);
    expect(tracePacket(d.rulesets[0]!, { proto: 'udp', dport: 53, src: '10.0.0.2', dst: '10.1.0.2' }).verdict).toBe('accept');
    // iptables-restore (here in a here-document) does the same
    const r = script("iptables-restore -n <<'EOF'\n*filter\n-I INPUT -s 10.0.0.1,10.0.0.2 -j DROP\n-D INPUT 1\nCOMMIT\nEOF\n");
    expect(rulesOf(r, 'filter', 'INPUT')).toEqual(['srcaddr=10.0.0.1/32 => drop']);
  });

  it('iptables -C spec && iptables -D spec (and if -C; then -D) leave the rule gone either way', () => {
    const text = [
      'iptables -A INPUT -p udp --dport 22 -j DROP',
      'iptables -C INPUT -p udp --dport 22 -j DROP 2>/dev/null && iptables -D INPUT -p udp --dport 22 -j DROP',
      'iptables -A INPUT -p udp --dport 80 -j DROP',
      'if iptables -C INPUT -p udp --dport 80 -j DROP; then iptables -D INPUT -p udp --dport 80 -j DROP; fi',
      'iptables -C INPUT -p udp --dport 443 -j DROP && iptables -D INPUT -p udp --dport 443 -j DROP',
      '',
    ].join('\n');
    const d = script(text);
    expect(d.diagnostics).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([]);
    expect(udp(d, 22)).toBe('accept');
    expect(udp(d, 80)).toBe('accept');
    // another spec after && is still a command that may or may not run
    const o = script('iptables -A INPUT -p udp --dport 22 -j DROP\niptables -C INPUT -p udp --dport 53 -j ACCEPT && iptables -D INPUT -p udp --dport 22 -j DROP\n');
    expect(udp(o, 22)).toBe('unknown');
  });

  it('while iptables -D spec; do :; done removes every copy of the rule (none there is no failure); the body may or may not run', () => {
    const lines = [
      'iptables -A INPUT -p tcp --dport 1761 -j ACCEPT',
      'iptables -A INPUT -p tcp --dport 1761 -j ACCEPT',
      'while iptables -D INPUT -p tcp --dport 1761 -j ACCEPT 2>/dev/null; do :; done',
      'while iptables -D INPUT -p tcp --dport 1763 -j ACCEPT; do',
      '  iptables -A INPUT -p tcp --dport 1762 -j ACCEPT',
      'done',
    ];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual([`warning iptables/control-flow ${spanIn(5, lines[4]!, 'iptables -A INPUT -p tcp --dport 1762 -j ACCEPT')}`]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1762 opaque:condition proto=6 => accept']);
  });

  it('iptables -C spec || iptables -A (or -I) spec adds the rule either way; another spec after || may not be added', () => {
    // kernel (sh in a namespace): the check of the 192.0.2.1 DROP succeeds, so the 1761 DROP after || is not added
    const d = script(
      [
        'iptables -A INPUT -s 192.0.2.1 -j DROP',
        'iptables -C INPUT -s 192.0.2.1 -j DROP || iptables -A INPUT -p udp --dport 1761 -j DROP',
        'iptables -C INPUT -p udp --dport 1762 -j DROP || iptables -I INPUT -p udp --dport 1762 -j DROP',
        'iptables -C INPUT -p udp --dport 1763 -j DROP || iptables -A INPUT -p udp --dport 1763 -j DROP',
        '',
      ].join('\n'),
    );
    // was 'drop' (the || read as the same-spec idiom): unsound
    expect(udp(d, 1761)).toBe('unknown');
    expect([udp(d, 1762), udp(d, 1763)]).toEqual(['drop', 'drop']);
  });
});

describe('iptables scripts: shell syntax', () => {
  it('substitutes literal variables ($VAR, ${VAR}, export, quoted) and reads the command from $IPT', () => {
    const text = [
      'IPT="/sbin/iptables -w"',
      'export OFFICE=203.0.113.0/24',
      "CFT='1761:1768'",
      'readonly WAN=eth0',
      '$IPT -A INPUT -i ${WAN} -s "$OFFICE" -p tcp --dport $CFT -j ACCEPT',
      '',
    ].join('\n');
    const d = script(text);
    expect(d.diagnostics).toEqual([]);
    const r = chainOf(d, 'filter', 'INPUT').rules[0]!;
    expect(matchesOf(r)).toEqual(['inif=eth0', 'srcaddr=203.0.113.0/24', 'proto=6', 'dstport=1761-1768']);
    const line = '$IPT -A INPUT -i ${WAN} -s "$OFFICE" -p tcp --dport $CFT -j ACCEPT';
    expect(at(r.span)).toBe(spanIn(5, line, line));
    expect(at(r.matches[1]!.span)).toBe(spanIn(5, line, '-s "$OFFICE"'));
    expect(at(r.reportSpan)).toBe(spanIn(5, line, '--dport $CFT'));
  });

  it('joins \\ continuations; the rule span runs over the lines and the text is one line', () => {
    const text = 'iptables -A INPUT \\\n    -p tcp \\\r\n    --dport 443 \\\n    -j ACCEPT\n';
    const d = script(text);
    expect(d.diagnostics).toEqual([]);
    const r = chainOf(d, 'filter', 'INPUT').rules[0]!;
    expect(at(r.span)).toBe('1:1-4:14');
    expect(r.text).toBe('iptables -A INPUT -p tcp --dport 443 -j ACCEPT');
    expect(at(r.reportSpan)).toBe('3:5-3:16');
  });

  it('handles quoting: single quotes, double quotes, backslashes, comments after commands', () => {
    const line1 = `iptables -A INPUT -m comment --comment 'it'"'"'s "fine"' -j ACCEPT # allow`;
    const text = `${line1}\niptables -A INPUT -m comment --comment a\\ b\\"c -j DROP\n`;
    const d = script(text);
    expect(d.diagnostics).toEqual([]);
    expect(chainOf(d, 'filter', 'INPUT').rules.map((r) => r.comment)).toEqual([`it's "fine"`, 'a b"c']);
    expect(d.comments.map((c) => `${c.value}@${at(c.span)}`)).toEqual([` allow@${spanIn(1, line1, '# allow')}`]);
  });

  it('an unknown variable gives a warning and an opaque match with the reason; the rule is kept', () => {
    const line = 'iptables -A INPUT -s $TRUSTED -p tcp --dport 22 -j ACCEPT';
    const d = script(`${line}\n`);
    expect(diags(d)).toEqual([`warning iptables/unresolved ${spanIn(1, line, '$TRUSTED')}`]);
    const r = chainOf(d, 'filter', 'INPUT').rules[0]!;
    expect(r.matches[0]).toEqual({ kind: 'opaque', module: 'unresolved', text: '-s $TRUSTED', reason: '$TRUSTED is not set in this script', span: r.matches[0]!.span });
    expect(at(r.matches[0]!.span)).toBe(spanIn(1, line, '-s $TRUSTED'));
    expect(matchesOf(r)).toEqual(['opaque:unresolved', 'proto=6', 'dstport=22']);
  });

  it('a command on a table it cannot evaluate (-t $T) is read in the filter table as one that may or may not run there, never skipped', () => {
    const lines = ['iptables -t $T -A INPUT -p tcp --dport 1761 -j ACCEPT', 'iptables -t $T -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1'];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual([`warning iptables/unresolved ${spanIn(1, lines[0]!, '$T')}`, `warning iptables/unresolved ${spanIn(2, lines[1]!, '$T')}`]);
    expect(d.diagnostics.map((x) => x.message.replace(/.*; /, ''))).toEqual(['read in the filter table as a command that may or may not run there', 'command skipped']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 opaque:table proto=6 => accept']);
  });

  it('unknown ports, targets and $(...) values stay undecidable', () => {
    const d = script('iptables -A INPUT -p tcp --dport $PORT -j $VERDICT\niptables -A INPUT -s $(cat /etc/admins) -j ACCEPT\n');
    const rules = chainOf(d, 'filter', 'INPUT').rules;
    expect(matchesOf(rules[0]!)).toEqual(['proto=6', 'opaque:tcp']);
    expect(rules[0]!.action).toEqual({ kind: 'unknown', target: '$VERDICT', text: '-j $VERDICT' });
    expect(rules[1]!.matches[0]).toMatchObject({ kind: 'opaque', reason: 'command substitution $(...) is only known when the script runs' });
    expect(d.diagnostics.every((x) => x.severity === 'warning')).toBe(true);
    expect(d.diagnostics).toHaveLength(3);
  });

  it('reads rules inside functions, ifs and unknown loops once, as rules that may or may not be there', () => {
    const text = [
      'allow() {',
      '  iptables -A INPUT -p tcp --dport "$1" -j ACCEPT',
      '}',
      'for p in "$@"; do',
      '  iptables -A INPUT -p tcp --dport $p -j ACCEPT',
      'done',
      'if [ -f /etc/strict ]; then',
      '  iptables -P INPUT DROP',
      'fi',
      'iptables -A INPUT -j LOG',
      '',
    ].join('\n');
    const d = script(text);
    expect(diags(d)).toEqual([
      'warning iptables/control-flow 2:3-2:50',
      `warning iptables/unresolved ${spanIn(2, '  iptables -A INPUT -p tcp --dport "$1" -j ACCEPT', '"$1"')}`,
      'warning iptables/control-flow 5:3-5:48',
      `warning iptables/unresolved ${spanIn(5, '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', '$p')}`,
      'warning iptables/control-flow 8:3-8:25',
    ]);
    expect(d.diagnostics[0]!.message).toContain('function allow');
    expect(d.diagnostics[2]!.message).toContain('for loop (line 4)');
    expect(d.diagnostics[3]!.message).toContain('loop variable');
    expect(d.diagnostics[4]!.message).toBe('iptables command inside if (line 7): read once, as a command that may or may not run');
    // each rule keeps its unknown port and gains the condition it runs under
    const input = chainOf(d, 'filter', 'INPUT');
    expect(input.rules.map((r) => r.matches.filter((m) => m.kind === 'opaque').map((m) => `${m.kind === 'opaque' ? m.module : ''}: ${m.kind === 'opaque' ? m.text : ''} @${at(m.span)}`))).toEqual([
      ['tcp: --dport "$1" @2:28-2:40', 'condition: function allow @1:9-1:10'],
      ['tcp: --dport $p @5:28-5:38', 'condition: for p in "$@" @4:1-4:14'],
      [],
      ['condition: if [ -f /etc/strict ] @7:1-7:22'],
    ]);
    // the policy may or may not be DROP: the chain drops, after a rule that accepts unless the condition held
    expect(input.policy).toBe('drop');
    const last = input.rules[3]!;
    expect(last.action).toEqual({ kind: 'accept' });
    expect(last.matches[0]!.negated).toBe(true);
    expect(at(last.span)).toBe('8:3-8:25');
  });

  it('reads a for loop over literal words once per value, as the shell runs it (also brace ranges and known variables)', () => {
    const text = [
      'PORTS="1761 1762"',
      'for p in $PORTS 1763; do',
      '  iptables -A INPUT -p tcp --dport $p -j ACCEPT',
      'done',
      'for p in {1765..1766}; do for proto in tcp udp',
      '  do iptables -A INPUT -p $proto --dport $p -j DROP; done',
      'done',
      'for p in; do iptables -A INPUT -j DROP; done',
      'iptables -A INPUT -p tcp --dport $p -j REJECT',
      '',
    ].join('\n');
    const d = script(text);
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=1761 proto=6 => accept',
      'dstport=1762 proto=6 => accept',
      'dstport=1763 proto=6 => accept',
      'dstport=1765 proto=6 => drop',
      'dstport=1765 proto=17 => drop',
      'dstport=1766 proto=6 => drop',
      'dstport=1766 proto=17 => drop',
      'dstport=1766 proto=6 => reject',
    ]);
    const input = chainOf(d, 'filter', 'INPUT');
    // every copy is placed on the loop body's command
    expect(at(input.rules[1]!.span)).toBe(spanIn(3, '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'iptables -A INPUT -p tcp --dport $p -j ACCEPT'));
    expect(at(input.rules[6]!.reportSpan)).toBe(spanIn(6, '  do iptables -A INPUT -p $proto --dport $p -j DROP; done', '--dport $p'));
  });

  it('reads bash arrays: NAME=(…), NAME+=(…), "${NAME[@]}", ${NAME[*]}, ${NAME[i]} and $NAME (the first element)', () => {
    const lines = [
      'PORTS=(22 80)',
      'PORTS+=(1761)',
      'UDP=( 53',
      '      1762 )',
      'for p in "${PORTS[@]}"; do iptables -A INPUT -p tcp --dport "$p" -j ACCEPT; done',
      'for u in ${UDP[*]}; do iptables -A INPUT -p udp --dport $u -j ACCEPT; done',
      'iptables -A INPUT -p tcp --dport ${PORTS[2]} -s 198.51.100.1 -j DROP',
      'iptables -A INPUT -p tcp --dport $PORTS -s 198.51.100.2 -j DROP',
    ];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=22 proto=6 => accept',
      'dstport=80 proto=6 => accept',
      'dstport=1761 proto=6 => accept',
      'dstport=53 proto=17 => accept',
      'dstport=1762 proto=17 => accept',
      'dstport=1761 proto=6 srcaddr=198.51.100.1/32 => drop',
      'dstport=22 proto=6 srcaddr=198.51.100.2/32 => drop',
    ]);
    // "${A[@]}" of an empty array is no word (bash), also as options or the program word
    const empty = script('E=()\nIPT=(iptables -w 5)\n"${IPT[@]}" -A INPUT "${E[@]}" -p tcp --dport 1764 -j ACCEPT\n');
    expect(diags(empty)).toEqual([]);
    expect(rulesOf(empty, 'filter', 'INPUT')).toEqual(['dstport=1764 proto=6 => accept']);
    // an element assigned by index, or an array read at run time, leaves the array unknown
    const e = script('A=(22)\nA[1]=1761\nmapfile -t B < /etc/ports\nfor p in "${A[@]}" "${B[@]}"; do iptables -A INPUT -p tcp --dport $p -j DROP; done\n');
    expect(rulesOf(e, 'filter', 'INPUT')).toEqual(['opaque:condition opaque:tcp proto=6 => drop']);
  });

  it('reads a literal loop whose body may break or continue as commands that may or may not run', () => {
    const text = ['for p in 1761 1762; do', '  [ "$p" = "$SKIP" ] && continue', '  iptables -A INPUT -p tcp --dport $p -j DROP', 'done', ''].join('\n');
    const d = script(text);
    expect(diags(d)).toEqual(['warning iptables/control-flow 3:3-3:46']);
    expect(d.diagnostics[0]!.message).toContain('for loop (line 1) with break or continue');
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 opaque:condition proto=6 => drop', 'dstport=1762 opaque:condition proto=6 => drop']);
  });

  it('reads a function body at each call, with the call words as $1, $2, ...', () => {
    const text = [
      'IPT="iptables -w"',
      'allow() {',
      '  $IPT -A INPUT -p "${2:-tcp}" --dport "$1" -j ACCEPT',
      '}',
      'function deny {',
      '  [ -z "$1" ] && return',
      '  $IPT -A INPUT -p tcp --dport $1 -j DROP',
      '}',
      'iptables -P INPUT DROP',
      'allow 1761',
      'allow 1762 udp',
      'deny 1763',
      '[ -n "$REST" ] && allow 1768',
      'allow $PORT',
      '',
    ].join('\n');
    const d = script(text);
    expect(diags(d)).toEqual([
      'warning iptables/control-flow 3:3-3:54',
      `warning iptables/unresolved ${spanIn(3, '  $IPT -A INPUT -p "${2:-tcp}" --dport "$1" -j ACCEPT', '"$1"')}`,
      'warning iptables/control-flow 7:3-7:42',
    ]);
    expect(d.diagnostics[0]!.message).toContain('after &&');
    expect(d.diagnostics[1]!.message).toBe('Cannot evaluate "$1": $1 is $PORT at line 14: $PORT is not set in this script');
    expect(d.diagnostics[2]!.message).toContain('function deny, which may return early');
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=1761 proto=6 => accept',
      'dstport=1762 proto=17 => accept',
      'dstport=1763 opaque:condition proto=6 => drop',
      'dstport=1768 opaque:condition proto=6 => accept',
      'opaque:tcp proto=6 => accept',
    ]);
    expect(at(chainOf(d, 'filter', 'INPUT').rules[0]!.span)).toBe(spanIn(3, '  $IPT -A INPUT -p "${2:-tcp}" --dport "$1" -j ACCEPT', '$IPT -A INPUT -p "${2:-tcp}" --dport "$1" -j ACCEPT'));
  });

  it('shift in a function moves its arguments: $1 is the next word, "$@" the rest', () => {
    const d = script('block() {\n  proto=$1\n  shift\n  for p in "$@"; do iptables -A INPUT -p $proto --dport $p -j DROP; done\n}\nblock tcp 1762 1763\none() { shift 2; iptables -A INPUT -p udp --dport "$1" -j DROP; }\none 1 2 1764\n');
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1762 proto=6 => drop', 'dstport=1763 proto=6 => drop', 'dstport=1764 proto=17 => drop']);
  });

  it('a ( … ) subshell keeps its assignments to itself, and its exit ends only the subshell', () => {
    const d = script('P=22\n( P=1761 )\niptables -A INPUT -p tcp --dport $P -j DROP\n( iptables -A INPUT -p tcp --dport 23 -j DROP; exit 0 )\niptables -A INPUT -p tcp --dport 1762 -j ACCEPT\n');
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => drop', 'dstport=23 proto=6 => drop', 'dstport=1762 proto=6 => accept']);
  });

  it('a function redefined runs its last body; NAME() { does not call the one before; a body defined under if may or may not run', () => {
    const d = script('r2() {\n  iptables -A INPUT -p tcp --dport 1763 -j DROP\n}\nr2() {\n  iptables -A INPUT -p tcp --dport 1764 -j DROP\n}\nr2\n');
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1764 proto=6 => drop']);
    const lines = ['rules() { iptables -A INPUT -p tcp --dport 1761 -j DROP; }', 'if [ -f /etc/alt ]; then', '  rules() { iptables -A INPUT -p tcp --dport 1762 -j DROP; }', 'fi', 'rules'];
    const e = script(`${lines.join('\n')}\n`);
    expect(diags(e)).toEqual([
      `warning iptables/control-flow ${spanIn(1, lines[0]!, 'iptables -A INPUT -p tcp --dport 1761 -j DROP')}`,
      `warning iptables/control-flow ${spanIn(3, lines[2]!, 'iptables -A INPUT -p tcp --dport 1762 -j DROP')}`,
    ]);
    expect(rulesOf(e, 'filter', 'INPUT')).toEqual(['dstport=1762 opaque:condition proto=6 => drop', 'dstport=1761 opaque:condition proto=6 => drop']);
  });

  it('a local variable of a function gets its outer value back when the function returns', () => {
    const d = script('PORT=22\nsetup() {\n  local PORT=1761\n  iptables -A INPUT -p tcp --dport $PORT -j DROP\n}\nsetup\niptables -A INPUT -p tcp --dport $PORT -j ACCEPT\n');
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 proto=6 => drop', 'dstport=22 proto=6 => accept']);
  });

  it('reads for p in "$@" inside a called function over the call words', () => {
    const d = script('allow() {\n  for p in "$@"; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done\n}\nallow 1761 1762\n');
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 proto=6 => accept', 'dstport=1762 proto=6 => accept']);
  });

  it('reads a function the script never calls by name once where it is defined, as commands that may not run', () => {
    const text = ['start() {', '  iptables -A INPUT -p tcp --dport 1761 -j ACCEPT', '}', '"$1"', 'iptables -A INPUT -j DROP', ''].join('\n');
    const d = script(text);
    expect(diags(d)).toEqual(['warning iptables/control-flow 2:3-2:50']);
    expect(d.diagnostics[0]!.message).toBe('iptables command inside function start, which the script never calls by name: read once, as a command that may or may not run');
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 opaque:condition proto=6 => accept', ' => drop']);
  });

  it('reads a case whose branches set policies and call functions: patterns are no commands', () => {
    const text = [
      'start() { iptables -P INPUT DROP; iptables -A INPUT -p tcp --dport 1761 -j ACCEPT; }',
      'stop() { iptables -F; iptables -P INPUT ACCEPT; }',
      'case "$1" in',
      '  start) start ;;',
      '  stop) stop ;;',
      '  restart) stop; start ;;',
      'esac',
      'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
      '',
    ].join('\n');
    const d = script(text);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=1761 opaque:condition opaque:condition proto=6 => accept',
      'dstport=1761 opaque:condition proto=6 => accept',
      'dstport=22 proto=6 => accept',
      '!opaque:condition => accept',
    ]);
    const input = chainOf(d, 'filter', 'INPUT');
    expect(input.policy).toBe('drop');
    expect(input.rules[0]!.matches.filter((m) => m.kind === 'opaque').map((m) => (m.kind === 'opaque' ? m.text : ''))).toEqual(['case "$1" in', 'iptables -F inside case (line 3)']);
  });

  it('reads the first branch of a case written on one line (case "$1" in a) cmd ;; …): the command after a) is no pattern', () => {
    const lines = ['case "$1" in start) iptables -A INPUT -p tcp --dport 1761 -j ACCEPT ;; b|c) iptables -A INPUT -p tcp --dport 27 -j ACCEPT ;; esac'];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual([`warning iptables/control-flow ${spanIn(1, lines[0]!, 'iptables -A INPUT -p tcp --dport 1761 -j ACCEPT')}`, `warning iptables/control-flow ${spanIn(1, lines[0]!, 'iptables -A INPUT -p tcp --dport 27 -j ACCEPT')}`]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 opaque:condition proto=6 => accept', 'dstport=27 opaque:condition proto=6 => accept']);
    const cond = chainOf(d, 'filter', 'INPUT').rules[0]!.matches.find((m) => m.kind === 'opaque');
    expect(cond?.kind === 'opaque' && cond.text).toBe('case "$1" in');
  });

  it('reads if ! iptables -C spec; then iptables -A spec; fi as a rule that is there', () => {
    const d = script('if ! iptables -C INPUT -p tcp --dport 1761 -j ACCEPT 2>/dev/null; then\n  iptables -A INPUT -p tcp --dport 1761 -j ACCEPT\nelse\n  iptables -A INPUT -p tcp --dport 1762 -j DROP\nfi\n');
    expect(diags(d)).toEqual(['warning iptables/control-flow 4:3-4:48']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 proto=6 => accept', 'dstport=1762 opaque:condition proto=6 => drop']);
  });

  it('if ! iptables -C spec; then … fi: another spec inside may not be added (the check may succeed); if -C spec; then :; else -A spec adds it either way', () => {
    const lines = [
      'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
      'if ! iptables -C INPUT -p tcp --dport 22 -j ACCEPT; then',
      '  iptables -A INPUT -p tcp --dport 1761 -j DROP',
      'fi',
      'if iptables -C INPUT -p tcp --dport 1762 -j ACCEPT; then',
      '  :',
      'else',
      '  iptables -A INPUT -p tcp --dport 1762 -j ACCEPT',
      'fi',
    ];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual([`warning iptables/control-flow ${spanIn(3, lines[2]!, 'iptables -A INPUT -p tcp --dport 1761 -j DROP')}`]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept', 'dstport=1761 opaque:condition proto=6 => drop', 'dstport=1762 proto=6 => accept']);
  });

  it('reads a policy it cannot evaluate as ACCEPT or DROP: the chain end is possibly open, with the expression named', () => {
    const d = script('iptables -P INPUT DROP\niptables -P INPUT $POLICY\niptables -A INPUT -p tcp --dport 1761 -j DROP\n');
    expect(diags(d)).toEqual(['warning iptables/unresolved 2:19-2:26']);
    expect(d.diagnostics[0]!.message).toBe('Cannot evaluate policy $POLICY: $POLICY is not set in this script; it may be ACCEPT or DROP');
    const rs = d.rulesets[0]!;
    expect(tracePacket(rs, { proto: 'tcp', dport: 1761 }).verdict).toBe('drop');
    const other = tracePacket(rs, { proto: 'tcp', dport: 22 });
    expect([other.verdict, other.reasons[0]]).toEqual(['unknown', 'policy $POLICY at line 2 may or may not match']);
    // over an ACCEPT policy the same: it may be DROP
    const d2 = script('iptables -P INPUT $POLICY\n');
    expect(tracePacket(d2.rulesets[0]!, { proto: 'tcp', dport: 22 }).verdict).toBe('unknown');
  });

  it('reads a for loop without done to the end, with an error', () => {
    const d = script('for p in 1761 1762; do\n  iptables -A INPUT -p tcp --dport $p -j ACCEPT\n');
    expect(diags(d)).toEqual(['error iptables/shell-syntax 1:1-1:19']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 proto=6 => accept', 'dstport=1762 proto=6 => accept']);
  });

  it('makes what a command after && / || adds conditional, and what it deletes or flushes possibly still there', () => {
    const text = [
      'iptables -P INPUT DROP',
      'iptables -A INPUT -p tcp --dport 1761 -j ACCEPT',
      '[ -f /etc/nocft ] && iptables -D INPUT -p tcp --dport 1761 -j ACCEPT',
      'iptables -A INPUT -p tcp --dport 1762 -j ACCEPT',
      'test -n "$X" || iptables -F INPUT',
      'iptables -C INPUT -p tcp --dport 22 -j ACCEPT 2>/dev/null || iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
      'iptables -N CFT 2>/dev/null || iptables -F CFT',
      '[ "$LOCKDOWN" = yes ] && { iptables -I INPUT -p tcp --dport 1763 -j DROP; iptables -P INPUT DROP; }',
      'iptables -A INPUT -p tcp --dport 1763 -j ACCEPT',
      '',
    ].join('\n');
    const d = script(text);
    expect(diags(d)).toEqual([
      'warning iptables/control-flow 3:22-3:69',
      'warning iptables/control-flow 5:17-5:34',
      'warning iptables/control-flow 7:32-7:47',
      'warning iptables/control-flow 8:28-8:73',
      'warning iptables/control-flow 8:75-8:97',
    ]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=1763 opaque:condition proto=6 => drop',
      'dstport=1761 opaque:condition opaque:condition proto=6 => accept',
      'dstport=1762 opaque:condition proto=6 => accept',
      'dstport=22 proto=6 => accept',
      'dstport=1763 proto=6 => accept',
    ]);
    const input = chainOf(d, 'filter', 'INPUT');
    const texts = (r: Rule) => r.matches.flatMap((m) => (m.kind === 'opaque' ? [`${m.text} @${m.span!.start.line}`] : []));
    expect(texts(input.rules[0]!)).toEqual(['[ "$LOCKDOWN" = yes ] && @8']);
    expect(texts(input.rules[1]!)).toEqual(['[ -f /etc/nocft ] && iptables -D INPUT -p tcp --dport 1761 -j ACCEPT @3', 'test -n "$X" || iptables -F INPUT @5']);
    expect(input.policy).toBe('drop');
  });

  it('skips here-documents and separates commands on ; && ||', () => {
    const text = ['cat > /tmp/x <<EOF', 'iptables -A INPUT -j DROP', 'EOF', 'iptables -A INPUT -j ACCEPT && iptables -A OUTPUT -j ACCEPT; iptables -A FORWARD -j DROP || true', ''].join('\n');
    const d = script(text);
    // (`a && b` after an append that runs and succeeds runs b, as a next line would)
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([' => accept']);
    expect(rulesOf(d, 'filter', 'OUTPUT')).toEqual([' => accept']);
    expect(rulesOf(d, 'filter', 'FORWARD')).toEqual([' => drop']);
  });

  it('reads an iptables-restore here-document into the same tables, with positions in the script', () => {
    const text = [
      'iptables -A INPUT -j LOG',
      "iptables-restore --noflush <<'EOF'",
      '*filter',
      ':INPUT DROP [0:0]',
      '-A INPUT -p tcp -m tcp --dport 1761:1768 -j ACCEPT',
      'COMMIT',
      'EOF',
      'ip6tables-restore <<EOF',
      '*filter',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
      'COMMIT',
      'EOF',
      'iptables -A INPUT -j DROP',
      '',
    ].join('\n');
    const d = script(text);
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets[0]!.families).toEqual(['ipv4', 'ipv6']);
    expect(rulesOf(d, 'filter', 'INPUT', 'ip')).toEqual([' => continue log', 'dstport=1761-1768 proto=6 => accept', ' => drop']);
    expect(rulesOf(d, 'filter', 'INPUT', 'ip6')).toEqual(['dstport=22 proto=6 => accept']);
    const input = chainOf(d, 'filter', 'INPUT', 'ip');
    expect(input.policy).toBe('drop');
    expect(at(input.policySpan)).toBe('4:1-4:18');
    const r = input.rules[1]!;
    expect(at(r.span)).toBe(spanIn(5, '-A INPUT -p tcp -m tcp --dport 1761:1768 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 1761:1768 -j ACCEPT'));
    expect(at(r.reportSpan)).toBe(spanIn(5, '-A INPUT -p tcp -m tcp --dport 1761:1768 -j ACCEPT', '--dport 1761:1768'));
  });

  it('a restore here-document without --noflush replaces the tables it names; errors keep script positions', () => {
    const ok = script('iptables -A INPUT -j LOG\niptables-restore <<"EOF"\n*filter\n:NOPE - [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\nEOF\n');
    expect(rulesOf(ok, 'filter', 'INPUT')).toEqual([]);
    expect(diags(ok)).toEqual([]);
    // a body iptables-restore refuses ("line 2 failed: No chain/target/match by that name" in a namespace, and
    // `iptables -S INPUT` still lists -j LOG) flushes nothing for sure: the LOG rule may still be there
    const d = script('iptables -A INPUT -j LOG\niptables-restore <<"EOF"\n*filter\n-A NOPE -j ACCEPT\nCOMMIT\nEOF\n');
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['opaque:condition => continue log']);
    expect(diags(d)).toEqual(['error iptables/unknown-chain 4:4-4:8']);
  });

  it('reads a here-document piped from cat into iptables-restore', () => {
    const d = script('iptables -A INPUT -j LOG\ncat <<EOF | iptables-restore -n\n*filter\n-A INPUT -p tcp --dport 1761 -j ACCEPT\nCOMMIT\nEOF\n');
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([' => continue log', 'dstport=1761 proto=6 => accept']);
    expect(at(chainOf(d, 'filter', 'INPUT').rules[1]!.span)).toBe('4:1-4:39');
  });

  it('reads a restore here-document under a shell condition as commands that may or may not run', () => {
    // its drop may not be there (the accept before it may still take 1761), and its accept may not be either
    const lockdown = script(
      'iptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 1761 -j ACCEPT\nif [ "$LOCKDOWN" = yes ]; then\niptables-restore -n <<EOT\n*filter\n-I INPUT 1 -p tcp --dport 1761 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\nEOT\nfi\n',
    );
    expect(diags(lockdown)).toEqual(['warning iptables/control-flow 4:1-4:20']);
    expect(lockdown.diagnostics[0]!.message).toBe('iptables-restore inside if (line 3): read once, as commands that may or may not run');
    expect(tracePacket(lockdown.rulesets[0]!, { proto: 'tcp', dport: 1761 }).verdict).toBe('unknown');
    expect(tracePacket(lockdown.rulesets[0]!, { proto: 'tcp', dport: 22 }).verdict).toBe('unknown');
    // a section without --noflush replaces the table only if it runs: the rules before it may still be there
    const reset = script(
      'iptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 1761 -j ACCEPT\ncase "$1" in\n  reset)\n    iptables-restore <<EOT\n*filter\n:INPUT DROP [0:0]\nCOMMIT\nEOT\n    ;;\nesac\n',
    );
    expect(tracePacket(reset.rulesets[0]!, { proto: 'tcp', dport: 1761 }).verdict).toBe('unknown');
    expect(tracePacket(reset.rulesets[0]!, { proto: 'tcp', dport: 80 }).verdict).toBe('drop');
  });

  it('warns about restore input it cannot read (files)', () => {
    const d = script('iptables-restore < /etc/iptables/rules.v4\n');
    expect(diags(d)).toEqual(['warning iptables/restore-in-script 1:1-1:17']);
    // what it loads is unknown: the filter table's rules and policy (was: no table, every port open)
    expect(tracePacket(d.rulesets[0]!, { proto: 'tcp', dport: 22 }).reasons[0]).toBe('the rules iptables-restore loads into INPUT at line 1 may or may not match');
  });

  it('restore input from a file replaces the filter table with unknown rules: what the script set before is gone', () => {
    const d = script('iptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables-restore < /etc/iptables/rules.v4\niptables -I INPUT -p tcp --dport 80 -j ACCEPT\n');
    expect(diags(d)).toEqual(['warning iptables/restore-in-script 3:1-3:17']);
    // was: 443 dropped by the script's DROP policy, which the file's policy replaces (unsound)
    expect(['tcp 22', 'tcp 443', 'tcp 80'].map((p) => tracePacket(d.rulesets[0]!, { proto: 'tcp', dport: Number(p.slice(4)) }).verdict)).toEqual(['unknown', 'unknown', 'accept']);
    // --noflush: the file's rules come after the script's
    const n = script('iptables -F\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables-restore --noflush < extra.rules\n');
    expect([22, 443].map((p) => tracePacket(n.rulesets[0]!, { proto: 'tcp', dport: p }).verdict)).toEqual(['accept', 'unknown']);
  });

  it('expands an unquoted restore here-document as the shell does before iptables-restore reads it', () => {
    const lines = [
      'NET=10.0.0.0/8',
      'PARTNERS="198.51.100.0/24,203.0.113.5"',
      'PORTS="--dport 1761"',
      'iptables-restore <<EOF',
      '*filter',
      '-A INPUT -s $NET -p tcp --dport ${SSH:-22} -j ACCEPT',
      '-A INPUT -s $PARTNERS -p tcp $PORTS -m comment --comment "for \\$USER, $WHO" -j ACCEPT',
      '-A INPUT -s $(cat /etc/peers) -p tcp --dport 1763 -j ACCEPT',
      'COMMIT',
      'EOF',
      '',
    ];
    const d = script(lines.join('\n'));
    expect(diags(d)).toEqual([`warning iptables/unresolved ${spanIn(8, lines[7]!, '$(cat /etc/peers)')}`]);
    expect(d.diagnostics[0]!.message).toBe('Cannot evaluate $(cat /etc/peers): command substitution $(...) is only known when the script runs');
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=22 proto=6 srcaddr=10.0.0.0/8 => accept',
      'dstport=1761 proto=6 srcaddr=198.51.100.0/24 => accept',
      'dstport=1761 proto=6 srcaddr=203.0.113.5/32 => accept',
      'dstport=1763 opaque:unresolved proto=6 => accept',
    ]);
    const input = chainOf(d, 'filter', 'INPUT');
    // an unknown comment decides nothing: kept as written
    expect(input.rules[1]!.comment).toBe('"for \\$USER, $WHO"');
    expect(at(input.rules[1]!.reportSpan)).toBe(spanIn(7, lines[6]!, '$PORTS'));
  });

  it('assumes an unset $IPTABLES-style variable runs iptables, with a warning', () => {
    const d = script('$IPTABLES -A INPUT -j ACCEPT\n${IP6TABLES} -A INPUT -j DROP\n');
    expect(diags(d)).toEqual(['warning iptables/unresolved-command 1:1-1:10', 'warning iptables/unresolved-command 2:1-2:13']);
    expect(rulesOf(d, 'filter', 'INPUT', 'ip')).toEqual([' => accept']);
    expect(rulesOf(d, 'filter', 'INPUT', 'ip6')).toEqual([' => drop']);
  });

  it('a variable assigned inside if/case or after && / || holds its old value or the new one: unknown, not the new for sure', () => {
    const lines = [
      'P=22',
      'if [ -f /etc/x ]; then P=23; fi',
      '[ -f /etc/y ] && Q=24 || Q=25',
      'case "$1" in a) R=26 ;; esac',
      'iptables -A INPUT -p tcp --dport $P -j DROP',
      'iptables -A INPUT -p tcp --dport $Q -j DROP',
      'iptables -A INPUT -p tcp --dport $R -j DROP',
      'iptables -A INPUT -p tcp -j ACCEPT',
    ];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual([
      `warning iptables/unresolved ${spanIn(5, lines[4]!, '$P')}`,
      `warning iptables/unresolved ${spanIn(6, lines[5]!, '$Q')}`,
      `warning iptables/unresolved ${spanIn(7, lines[6]!, '$R')}`,
    ]);
    const rules = chainOf(d, 'filter', 'INPUT').rules;
    expect(rules.map((r) => r.matches.map((m) => (m.kind === 'opaque' ? m.reason : '')).join(''))).toEqual([
      '$P is assigned inside if (line 2): 22 or 23, only known when the script runs',
      '$Q is assigned after [ -f /etc/y ] && Q=24 ||: only known when the script runs',
      '$R is assigned inside case (line 4): only known when the script runs',
      '',
    ]);
    // the DROPs close nothing for sure: port 23 may be open (P stays 22 when /etc/x is missing)
    for (const dport of [22, 23, 24, 25, 26]) expect(tracePacket(d.rulesets[0]!, { proto: 'tcp', dport, src: '10.0.0.2' }).verdict, String(dport)).toBe('unknown');
  });

  it('reads a command run by an unknown $VAR whose words are an iptables rule as one that may or may not run, never drops it', () => {
    const lines = ['$FW -A INPUT -p tcp --dport 1761 -j ACCEPT', '"$CMD" -P INPUT DROP', '$TAR -A foo.tar'];
    const d = script(`${lines.join('\n')}\n`);
    expect(diags(d)).toEqual(['warning iptables/unresolved-command 1:1-1:4', 'warning iptables/unresolved-command 2:1-2:7']);
    expect(d.diagnostics[0]!.message).toBe('$FW is not known in this script ($FW is not set in this script); its words are an iptables command: read as one that may or may not run');
    // a policy that may be set: the chain drops at its end, after a rule that accepts unless "$CMD" ran
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=1761 opaque:condition proto=6 => accept', '!opaque:condition => accept']);
    expect(chainOf(d, 'filter', 'INPUT').policy).toBe('drop');
    expect(tracePacket(d.rulesets[0]!, { proto: 'tcp', dport: 1761, src: '10.0.0.2' }).verdict).toBe('unknown');
  });

  it('runs iptables from a variable that holds one of several iptables programs (IPT=iptables; if …; then IPT=iptables-legacy; fi)', () => {
    const d = script('IPT=iptables\nif [ -x /usr/sbin/iptables-legacy ]; then IPT=/usr/sbin/iptables-legacy; fi\n$IPT -A INPUT -p tcp --dport 22 -j ACCEPT\n');
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept']);
  });

  it('uses ${VAR:-default} defaults and empty unquoted expansions vanish', () => {
    const d = script('EXTRA=\niptables -A INPUT $EXTRA -p tcp --dport ${SSH_PORT:-22} -j ACCEPT\n');
    expect(d.diagnostics).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept']);
  });

  it('${VAR:=default} assigns the default to VAR (: ${IPT:=/sbin/iptables}), under the condition the command runs under', () => {
    const d = script(': ${IPT:=/sbin/iptables}\n: "${SSH_PORT:=2222}"\n[ -n "$X" ] && : ${WEB:=8080}\n$IPT -A INPUT -p tcp --dport "$SSH_PORT" -j ACCEPT\n$IPT -A INPUT -p tcp --dport $WEB -j DROP\n');
    expect(diags(d)).toEqual(['warning iptables/unresolved 5:30-5:34']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=2222 proto=6 => accept', 'opaque:tcp proto=6 => drop']);
  });

  it('collects every comment', () => {
    const d = script('#!/bin/bash\n# eslint-disable-next-line firewall/no-open-cft\niptables -A INPUT -j ACCEPT\n');
    expect(d.comments.map((c) => `${c.value}@${at(c.span)}`)).toEqual(['!/bin/bash@1:1-1:12', ' eslint-disable-next-line firewall/no-open-cft@2:1-2:48']);
  });
});

describe('iptables scripts: a chain name the script does not give', () => {
  const text = [
    '#!/bin/sh',
    'iptables -P INPUT DROP',
    'iptables -N LOGDROP',
    'iptables -A LOGDROP -j DROP',
    'iptables -A INPUT -p tcp --dport 1768 -j LOGDROP',
    'iptables -A "$CH" -p tcp --dport 1761 -j ACCEPT',
    'iptables -A $CH2 -i eth0 -j LOGDROP',
    'iptables -F $OTHER',
    '',
  ].join('\n');
  const d = script(text, 'fw.sh');
  it('applies -A to every chain of the table that can hold the rule, under an undecided match naming the expression', () => {
    expect(d.diagnostics.map((x) => `${x.severity} ${x.code} ${x.message}`)).toEqual([
      'warning iptables/unresolved Cannot evaluate chain name "$CH": $CH is not set in this script; read as any chain of the table, undecided',
      'warning iptables/unresolved Cannot evaluate chain name $CH2: $CH2 is not set in this script; read as any chain of the table, undecided',
      'warning iptables/unresolved Cannot evaluate chain name $OTHER: $OTHER is not set in this script; read as any chain of the table, undecided',
    ]);
    // INPUT: the jump, the $CH accept and the $CH2 jump (-i is refused on OUTPUT; LOGDROP never jumps to itself),
    // each guarded by the -F $OTHER that may have removed it
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=1768 opaque:chain proto=6 => jump LOGDROP',
      'dstport=1761 opaque:chain opaque:chain proto=6 => accept',
      'inif=eth0 opaque:chain opaque:chain => jump LOGDROP',
    ]);
    expect(rulesOf(d, 'filter', 'OUTPUT')).toEqual(['dstport=1761 opaque:chain opaque:chain proto=6 => accept']);
    expect(rulesOf(d, 'filter', 'LOGDROP')).toEqual(['opaque:chain => drop', 'dstport=1761 opaque:chain opaque:chain proto=6 => accept']);
  });
  it('so TCP 1761 is possibly open, not closed', () => {
    const r = tracePacket(d.rulesets[0]!, { proto: 'tcp', dport: 1761 });
    expect(r.verdict).toBe('unknown');
    expect(r.reasons[0]).toBe('chain "$CH", iptables -F $OTHER at line 6 may or may not match');
  });
});

describe('iptables scripts: extension matches', () => {
  it('`-m recent --name X --set -j ACCEPT` keeps its target, tcp/22 accepted; a match whose options a variable may hold is not refused', () => {
    const lines = ['#!/bin/sh', 'iptables -P INPUT DROP', "iptables -A INPUT -p tcp --dport 22 -m recent --name SSH --set -j ACCEPT", 'iptables -A INPUT -p tcp --dport 23 -m recent --name T $RECENT_OPTS -j DROP', 'iptables -A INPUT -p tcp --dport 24 -m string --algo bm --string "x" -j DROP'];
    const d = script(lines.join('\n'));
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept', 'dstport=23 opaque:recent proto=6 => drop', 'dstport=24 opaque:string proto=6 => drop']);
    expect(diags(d)).toEqual([]);
    const ssh = tracePacket(d.rulesets[0]!, { proto: 'tcp', dport: 22, src: '198.51.100.7' });
    expect(ssh.verdict).toBe('accept');
  });
});

describe('iptables scripts: what ran before', () => {
  // iptables -A adds to what the kernel holds: a filter chain the script does not flush keeps rules and a policy that
  // are not in the file (by default; `before: 'empty'` reads the script on an empty table, as in a fresh namespace)
  const host = (text: string) => parseIptables(text, { mode: 'script' });
  const tcp = (d: ReturnType<typeof host>, dport: number, hook?: 'input' | 'forward') => tracePacket(d.rulesets[0]!, { proto: 'tcp', dport, ...(hook ? { hook } : {}) });
  const PRIOR = (line: number, chain = 'INPUT') => `the rules ${chain} held before this script ran (no -F ${chain}) at line ${line} may or may not match`;

  it('a NAT-only script (a container entrypoint): every port is possibly open, not open', () => {
    const d = host('#!/bin/sh\niptables -t nat -A POSTROUTING -s 10.8.0.0/24 -o eth0 -j MASQUERADE\nexec "$@"\n');
    expect(d.diagnostics).toEqual([]);
    // was: accept (no filter table in the file read as no filtering)
    const r = tcp(d, 22);
    expect([r.verdict, r.reasons[0]]).toEqual(['unknown', PRIOR(2)]);
    expect(chainOf(d, 'filter', 'INPUT').rules.map((x) => `${canonicalRule(x)} ${x.builtIn} ${at(x.span)}`)).toEqual(['opaque:prior => accept true 2:1-2:68', 'opaque:prior => drop true 2:1-2:68']);
  });

  it('appended rules: what the script accepts and drops is possibly open; a rule inserted at the head is decided', () => {
    const d = host(
      [
        'iptables -A INPUT -p tcp --dport 6379 -j ACCEPT',
        'iptables -A INPUT -p tcp --dport 8080 -j DROP',
        'iptables -I INPUT -p tcp --dport 10250 -j ACCEPT',
        'iptables -I INPUT 1 -p tcp --dport 6443 -j DROP',
        'iptables -I INPUT 5 -p tcp --dport 9090 -j ACCEPT',
        'iptables -D INPUT 9',
        'iptables -D INPUT -p tcp --dport 22 -j ACCEPT',
        '',
      ].join('\n'),
    );
    // -I 5, -D 9 and -D of a rule the script never added may meet the chain's earlier rules: no failure to report
    // (was: errors "Index of insertion too big" and "no matching rule")
    expect(d.diagnostics).toEqual([]);
    // was: 6379 accept, 8080 drop (the earlier rules may drop 6379, accept 8080)
    expect([6379, 8080, 10250, 6443, 9090].map((p) => tcp(d, p).verdict)).toEqual(['unknown', 'unknown', 'accept', 'drop', 'unknown']);
    expect(tcp(d, 8080).reasons[0]).toBe(PRIOR(1));
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([
      'dstport=6443 proto=6 => drop',
      'dstport=10250 proto=6 => accept',
      'opaque:prior => accept',
      'opaque:prior => drop',
      'dstport=6379 proto=6 => accept',
      'dstport=8080 proto=6 => drop',
      'dstport=9090 proto=6 => accept',
    ]);
  });

  it('-F and -P at the top: decided; -F without -P: the policy is the one the chain had', () => {
    const d = host('iptables -F\niptables -X\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n');
    expect([22, 80].map((p) => tcp(d, p).verdict)).toEqual(['accept', 'drop']);
    const f = host('iptables -F\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n');
    // was: 80 accept (the kernel's default policy, which a policy set before the script may have changed)
    const r = tcp(f, 80);
    expect([tcp(f, 22).verdict, r.verdict, r.reasons[0]]).toEqual(['accept', 'unknown', 'the policy INPUT had before this script ran (no -P INPUT) at line 1 may or may not match']);
    // a catch-all DROP makes the policy moot
    expect(tcp(host('iptables -F\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -j DROP\n'), 80).verdict).toBe('drop');
    // -F INPUT flushes INPUT only: FORWARD keeps its earlier rules
    const i = host('iptables -F INPUT\niptables -P INPUT DROP\niptables -P FORWARD DROP\n');
    expect([tcp(i, 80).verdict, tcp(i, 80, 'forward').verdict, tcp(i, 80, 'forward').reasons[0]]).toEqual(['drop', 'unknown', PRIOR(1, 'FORWARD')]);
    // a flush that may not run flushes nothing for sure
    expect(tcp(host('[ -n "$RESET" ] && iptables -F\niptables -P INPUT DROP\n'), 80).verdict).toBe('unknown');
    // ip6tables' table is another: flushing iptables' leaves it
    const six = host('iptables -F\niptables -P INPUT DROP\nip6tables -P INPUT DROP\n');
    const r6 = tracePacket(six.rulesets[0]!, { proto: 'tcp', dport: 80, family: 'ipv6' });
    expect([r6.verdict, r6.reasons[0]]).toEqual(['unknown', 'the rules ip6tables INPUT held before this script ran (no ip6tables -F INPUT) at line 3 may or may not match']);
  });

  it('a restore here-document replaces the table (decided) unless --noflush', () => {
    const body = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\nEOF\n';
    const d = host(`iptables-restore <<'EOF'\n${body}`);
    expect([22, 80].map((p) => tcp(d, p).verdict)).toEqual(['accept', 'drop']);
    const n = host(`iptables-restore --noflush <<'EOF'\n${body}`);
    expect([22, 80].map((p) => tcp(n, p).verdict)).toEqual(['unknown', 'unknown']);
    // a built-in chain the input does not declare: iptables-legacy-restore keeps its policy, iptables-nft-restore 1.8.9
    // sets ACCEPT (both checked in a network namespace after -P INPUT DROP): unknown (was: ACCEPT, open)
    const k = host("iptables-restore <<'EOF'\n*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\nEOF\n");
    expect([tcp(k, 22).verdict, tcp(k, 80).verdict, tcp(k, 80).reasons[0]]).toEqual(['accept', 'unknown', 'the policy INPUT had before this script ran (no -P INPUT) at line 2 may or may not match']);
  });

  it('set -e: a -D of a rule the script never added fails unless the earlier rules hold it, so the shell may exit', () => {
    const d = host('set -e\niptables -D INPUT -p tcp --dport 22 -j ACCEPT\niptables -I INPUT -p tcp --dport 1761 -j DROP\n');
    expect(diags(d)).toEqual(['warning iptables/errexit 2:1-2:46', 'warning iptables/control-flow 3:1-3:46']);
    // was: 1761 dropped for sure (the DROP may never be inserted)
    expect(tcp(d, 1761).verdict).toBe('unknown');
  });

  it("a chain the script does not make may be another program's (Docker's DOCKER-USER): no failure for sure, and -N may fail", () => {
    const d = host('#!/bin/sh\nset -e\niptables -A DOCKER-USER -s 10.0.0.0/8 -j RETURN\niptables -I INPUT -p tcp --dport 22 -j ACCEPT\n');
    // was: an error-turned-warning "does not exist … iptables fails", and set -e ended the script there for sure:
    // the rule of line 4 was left out (22 undecided where it is accepted whatever ran before)
    expect(diags(d)).toEqual(['warning iptables/errexit 3:1-3:48', 'warning iptables/other-chain 3:13-3:24', 'warning iptables/control-flow 4:1-4:46']);
    expect(d.diagnostics[1]!.message).toBe(
      'Cannot append to chain: chain "DOCKER-USER" is not made by this script (another program may have made it, e.g. Docker\'s DOCKER-USER): this command is not evaluated, and fails if the chain does not exist',
    );
    expect(tcp(d, 22).verdict).toBe('unknown');
    // -N of a chain that may be there from a run before: under set -e the shell may exit; after -X it is not there
    expect(diags(host('set -e\niptables -N FOO\niptables -I INPUT -j FOO\n'))).toEqual(['warning iptables/errexit 2:1-2:16', 'warning iptables/control-flow 3:1-3:25']);
    expect(diags(host('set -e\niptables -F\niptables -X\niptables -N FOO\niptables -I INPUT -j FOO\n'))).toEqual([]);
  });

  it('reads iptables after a runner with options; iptables run through eval, sh -c or xargs makes the table unknown, never nothing', () => {
    const flushed = 'iptables -F\niptables -P INPUT DROP\n';
    // was: sudo -u root / nice -n 10 / timeout 5: "root", "10", "5" read as the program, the command silently skipped
    const w = host(`${flushed}sudo -u root iptables -A INPUT -p tcp --dport 6000 -j ACCEPT\nnice -n 10 iptables -A INPUT -p tcp --dport 6001 -j ACCEPT\ntimeout 5 iptables -w 3 -A INPUT -p tcp --dport 6002 -j ACCEPT\n`);
    expect(w.diagnostics).toEqual([]);
    expect([6000, 6001, 6002, 6003].map((p) => tcp(w, p).verdict)).toEqual(['accept', 'accept', 'accept', 'drop']);
    // was: silently skipped, 3306 closed
    const e = host(`${flushed}iptables -A INPUT -p tcp --dport 22 -j ACCEPT\neval "iptables -A INPUT -p tcp --dport 3306 -j ACCEPT"\n`);
    expect(diags(e)).toEqual(['warning iptables/unread-command 4:1-4:55']);
    const r = tcp(e, 3306);
    expect([r.verdict, r.reasons[0]]).toEqual(['unknown', 'what eval "iptables -A INPUT -p tcp --dport 3306 -j ACCEPT" does to INPUT at line 4 may or may not match']);
    for (const cmd of ['sh -c "iptables -I INPUT -j ACCEPT"', 'echo 3306 | xargs -I{} iptables -A INPUT -p tcp --dport {} -j ACCEPT', 'su -c \'ip6tables -A INPUT -j ACCEPT\' root'])
      expect(tracePacket(host(`${flushed}ip6tables -F\nip6tables -P INPUT DROP\n${cmd}\n`).rulesets[0]!, { proto: 'tcp', dport: 3306, family: cmd.includes('ip6') ? 'ipv6' : 'ipv4' }).verdict).toBe('unknown');
    // a command that only prints the word
    expect(host(`${flushed}echo "iptables rules loaded"\nlogger -t fw iptables done\n`).diagnostics).toEqual([]);
    // another network namespace's rules are not this host's
    const n = host(`${flushed}ip netns exec vpn iptables -A INPUT -p tcp --dport 7000 -j ACCEPT\n`);
    expect(n.diagnostics.map((x) => x.message)).toEqual(["ip netns exec vpn runs iptables in another network namespace: not this host's rules, not read"]);
    expect(tcp(n, 7000).verdict).toBe('drop');
  });
});


describe('iptables scripts: files the script sources', () => {
  const host = (text: string) => parseIptables(text, { mode: 'script' });
  const tcp = (d: ReturnType<typeof host>, dport: number, family: 'ipv4' | 'ipv6' = 'ipv4') => tracePacket(d.rulesets[0]!, { proto: 'tcp', dport, family });
  const flushed = 'iptables -F\niptables -X\niptables -P INPUT DROP\nip6tables -F\nip6tables -P INPUT DROP\n';

  it('`. FILE` / `source FILE` may add any rule: the filter chains are unknown from there (was: read as nothing, 3306 closed)', () => {
    for (const cmd of ['. /etc/firewall/extra.sh', 'source ./more-rules.sh', '[ -r /etc/fw.local ] && . /etc/fw.local']) {
      const d = host(`${flushed}iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n${cmd}\n`);
      const w = cmd.indexOf('. /') > 0 ? cmd.indexOf('. /') + 1 : 1;
      expect(diags(d)).toEqual([`warning iptables/unread-source 7:${w}-7:${cmd.length + 1}`]);
      const r = tcp(d, 3306);
      expect([r.verdict, r.reasons[0]]).toEqual(['unknown', `what ${cmd.slice(w - 1)} (not read) does to INPUT at line 7 may or may not match`]);
      // and ip6tables' chains: the file may run either
      expect(tcp(d, 3306, 'ipv6').verdict).toBe('unknown');
      // what the script decided before it is still decided first only where nothing can come before it: 22 is
      // accepted by the script's rule, but the file may insert a rule at the head
      expect(tcp(d, 22).verdict).toBe('unknown');
    }
  });

  it('a chain flushed after the file keeps no unknown rules, but the file may have set its policy', () => {
    const d = host(`${flushed}. /etc/default/fw\niptables -F INPUT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n`);
    expect([tcp(d, 22).verdict, tcp(d, 3306).verdict, tcp(d, 3306).reasons[0]]).toEqual(['accept', 'unknown', 'a policy set by . /etc/default/fw (not read) on INPUT at line 6 may or may not match']);
    // a -P after it decides the policy again
    const p = host(`${flushed}. /etc/default/fw\niptables -F INPUT\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n`);
    expect([tcp(p, 22).verdict, tcp(p, 3306).verdict]).toEqual(['accept', 'drop']);
  });

  it('variables known before the file may be set by it', () => {
    const d = host(`PORT=22\n${flushed}. /etc/default/fw\niptables -F INPUT\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport $PORT -j ACCEPT\n`);
    expect(d.diagnostics.map((x) => x.message)).toContain('Cannot evaluate $PORT: $PORT may be set by . /etc/default/fw (line 7), "22" before it');
    expect([tcp(d, 22).verdict, tcp(d, 3306).verdict]).toEqual(['unknown', 'unknown']);
  });

  it('the init-script function libraries set no rules', () => {
    const d = host(`. /lib/lsb/init-functions\n${flushed}iptables -A INPUT -p tcp --dport 22 -j ACCEPT\nlog_end_msg 0\n`);
    expect(d.diagnostics).toEqual([]);
    expect([tcp(d, 22).verdict, tcp(d, 3306).verdict]).toEqual(['accept', 'drop']);
  });
});

describe('iptables script: a command iptables refuses adds nothing when the script runs', () => {
  // Each command runs alone: iptables refuses it and the shell goes on. In a namespace with this script (sh, no set -e),
  // UDP 5000 and 5002 over IPv4 and IPv6 are all echoed: no rule below is there. Was: the DROP and REJECT read as
  // loaded (closed), and no error for the match or option of the other family's program.
  const lines = [
    'iptables -P INPUT ACCEPT',
    'ip6tables -P INPUT ACCEPT',
    'ip6tables -A INPUT -p udp --dport 5000 -m ttl --ttl-gt 0 -j DROP',
    'ip6tables -A INPUT -p udp --dport 5001 -f -j DROP',
    'ip6tables -A INPUT -p udp --dport 5002 -j REJECT --reject-with icmp-port-unreachable',
    'ip6tables -A INPUT -p icmp --icmp-type 8 -j DROP',
    'iptables -A INPUT -p udp --dport 5000 -m hl --hl-gt 0 -j DROP',
    'iptables -A INPUT -p udp --dport 5002 -j REJECT --reject-with icmp6-port-unreachable',
    'iptables -A INPUT -p udp --dport 5003 -j ACCEPT',
  ];
  const text = ['#!/bin/sh', ...lines, ''].join('\n');
  const d = script(text);
  const udp = (family: 'ipv4' | 'ipv6', dport: number) =>
    ({ family, proto: 'udp', src: family === 'ipv4' ? '10.200.0.2' : 'fd00:200::2', dst: family === 'ipv4' ? '10.200.0.1' : 'fd00:200::1', sport: 40000, dport, hook: 'input', state: 'new' }) as const;
  it('says why, at the place', () => {
    expect(diags(d)).toEqual([
      `error iptables/unknown-match ${spanIn(4, lines[2]!, 'ttl')}`,
      `error iptables/wrong-family ${spanIn(5, lines[3]!, '-f')}`,
      `error iptables/reject-type ${spanIn(6, lines[4]!, 'icmp-port-unreachable')}`,
      `error iptables/wrong-family ${spanIn(7, lines[5]!, '--icmp-type 8')}`,
      `error iptables/unknown-match ${spanIn(8, lines[6]!, 'hl')}`,
      `error iptables/reject-type ${spanIn(9, lines[7]!, 'icmp6-port-unreachable')}`,
    ]);
  });
  it('reads each as a rule that may not be there: its drop closes nothing', () => {
    const rs = d.rulesets[0]!;
    // (-f takes no first packet: 5001 is let in either way)
    expect([5000, 5001, 5002].map((p) => tracePacket(rs, udp('ipv6', p)).verdict)).toEqual(['unknown', 'accept', 'unknown']);
    expect([5000, 5002, 5003].map((p) => tracePacket(rs, udp('ipv4', p)).verdict)).toEqual(['unknown', 'unknown', 'accept']);
    const x = computeExposure(rs, { hook: 'input' });
    expect([5000, 5001, 5002].map((p) => classifyPacket(x, udp('ipv6', p)))).toEqual(['possibly-open', 'open', 'possibly-open']);
    expect([5000, 5002].map((p) => classifyPacket(x, udp('ipv4', p)))).toEqual(['possibly-open', 'possibly-open']);
    expect(tracePacket(rs, udp('ipv4', 5000)).reasons[0]).toBe(`${lines[6]} (iptables has no hl match (Couldn't load match \`hl'): it refuses the rule) at line 8 may or may not match`);
  });
  it('a restore here-document iptables-restore refuses loads nothing: its rules may not be there, what it flushes may still be', () => {
    // In a network namespace this script leaves INPUT with the 4999 and 5003 DROPs and policy ACCEPT: iptables-restore
    // 1.8.9 says 'comment: option "--comment" cannot be inverted. Error occurred at line: 4', exits 2, commits nothing,
    // and the shell goes on. Was: the body read as loaded (policy DROP: UDP 5002 "drop", closed, where the kernel accepts).
    const hd = [
      '#!/bin/sh',
      'iptables -A INPUT -p udp --dport 4999 -j DROP',
      "iptables-restore <<'EOF'",
      '*filter',
      ':INPUT DROP [0:0]',
      '-A INPUT -p udp --dport 5000 -j ACCEPT',
      '-A INPUT -p udp --dport 5001 -m comment ! --comment x -j DROP',
      'COMMIT',
      'EOF',
      'iptables -A INPUT -p udp --dport 5003 -j DROP',
      '',
    ].join('\n');
    const d = script(hd);
    expect(diags(d)).toEqual([`error iptables/not-invertible ${spanIn(7, '-A INPUT -p udp --dport 5001 -m comment ! --comment x -j DROP', '!')}`]);
    const rs = d.rulesets[0]!;
    expect([4999, 5000, 5002, 5003].map((p) => tracePacket(rs, udp('ipv4', p)).verdict)).toEqual(['unknown', 'unknown', 'unknown', 'drop']);
    expect(tracePacket(rs, udp('ipv4', 5002)).reasons[0]).toBe(
      `iptables-restore (line 7: comment: option "--comment" cannot be inverted: iptables refuses the rule) at line 3 may or may not match`,
    );
    const x = computeExposure(rs, { hook: 'input' });
    expect([4999, 5000, 5002, 5003].map((p) => classifyPacket(x, udp('ipv4', p)))).toEqual(['possibly-open', 'possibly-open', 'possibly-open', 'closed']);
    // the same body without the refused line loads: decided, as before
    const ok = script(hd.replace('-A INPUT -p udp --dport 5001 -m comment ! --comment x -j DROP\n', ''));
    expect(diags(ok)).toEqual([]);
    expect([4999, 5000, 5002, 5003].map((p) => tracePacket(ok.rulesets[0]!, udp('ipv4', p)).verdict)).toEqual(['drop', 'accept', 'drop', 'drop']);
    // --noflush into a chain the script made earlier: no refusal (the body alone does not know that chain)
    const nf = script(['iptables -N PEERS', 'iptables -A INPUT -j PEERS', "iptables-restore --noflush <<'EOF'", '*filter', '-A PEERS -p udp --dport 5000 -j DROP', 'COMMIT', 'EOF', ''].join('\n'));
    expect(diags(nf)).toEqual([]);
    expect(tracePacket(nf.rulesets[0]!, udp('ipv4', 5000)).verdict).toBe('drop');
  });

  it('an ACCEPT so refused is possibly open, not open', () => {
    const t = ['#!/bin/sh', 'iptables -P INPUT DROP', 'iptables -A INPUT -p udp --dport 5000 -m hl --hl-gt 0 -j ACCEPT', ''].join('\n');
    const rs = script(t).rulesets[0]!;
    expect(tracePacket(rs, udp('ipv4', 5000)).verdict).toBe('unknown');
    expect(classifyPacket(computeExposure(rs, { hook: 'input' }), udp('ipv4', 5000))).toBe('possibly-open');
  });
});

describe('iptables script: --option="quoted value"', () => {
  // The shell (and iptables-restore) remove the quotes before getopt_long reads `--comment=allow ssh`: an option with its
  // argument. In a namespace this script loads `-m comment --comment "allow ssh"` and `-m multiport --dports 443,8443`;
  // so does the restore line. Was: "Unexpected argument" and "-m comment needs --comment" errors, no findings at all.
  const lines = ['iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -m comment --comment="allow ssh" -j ACCEPT', 'iptables -A INPUT -p tcp -m multiport --dports="443,8443" -j ACCEPT'];
  it('is an option with its argument, in a script and in a restore file', () => {
    const d = script(['#!/bin/sh', ...lines, ''].join('\n'));
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept', 'dstport=443, 8443 proto=6 => accept']);
    expect(chainOf(d, 'filter', 'INPUT').rules[0]!.comment).toBe('allow ssh');
    const r = parseIptables(['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -m comment --comment="allow ssh" -j ACCEPT', 'COMMIT', ''].join('\n'), { mode: 'save' });
    expect(diags(r)).toEqual([]);
    expect(rulesOf(r, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept']);
  });
  it('a word quoted from its start is an option too', () => {
    // iptables 1.8.9 in a namespace: `iptables -A INPUT -p tcp "--dport=22" -j ACCEPT` saves as
    // `-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT` (was: an 'unexpected argument' error, the rule read without its port)
    const d = script(['#!/bin/sh', 'iptables -A INPUT -p tcp "--dport=22" -j ACCEPT', ''].join('\n'));
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['dstport=22 proto=6 => accept']);
  });
});

describe('iptables script: quoted options and negations', () => {
  // The shell removes the quotes before iptables reads its argv: in a namespace, `iptables -t mangle -I INPUT "-i" veth+
  // -j ACCEPT`, `iptables -A INPUT "!" -s 10.0.0.1 "-p" tcp "--dport" 22 -j "ACCEPT"` and `iptables "-A" INPUT ...` load
  // as if unquoted (iptables-save shows `-i veth+`, `! -s 10.0.0.1/32 -p tcp -m tcp --dport 22`). Was: "unexpected
  // argument" errors and the rules read without those matches (`-i`, `--dport` dropped: TCP 22 from anywhere, any port).
  it('reads quoted option words as options', () => {
    const d = script(['#!/bin/sh', 'iptables -A INPUT "!" -s 10.0.0.1 "-p" tcp "--dport" 22 -j "ACCEPT"', '"iptables" "-A" INPUT \'-i\' eth0 -j DROP', ''].join('\n'));
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual(['!srcaddr=10.0.0.1/32 dstport=22 proto=6 => accept', 'inif=eth0 => drop']);
  });
  it('deletes by a specification whose module name was quoted when the rule was added', () => {
    // iptables 1.8.9 in a namespace: after these commands INPUT holds `-p tcp -m tcp --dport 22 -j ACCEPT` alone. Was: the
    // DROP kept (-D found no rule: `-m "tcp"` compared with its quotes), so TCP 22 read as closed where the kernel accepts.
    const d = script(['#!/bin/sh', 'iptables -A INPUT -p tcp -m "tcp" --dport 22 -j DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -D INPUT -p tcp -m tcp --dport 22 -j DROP', ''].join('\n'));
    expect(diags(d)).toEqual([]);
    expect(rulesOf(d, 'filter', 'INPUT').slice(-1)).toEqual(['dstport=22 proto=6 => accept']);
    expect(rulesOf(d, 'filter', 'INPUT').filter((r) => r.includes('drop'))).toEqual([]);
  });
  it('runs the command after && for sure when the one before runs and succeeds', () => {
    // sh -e in a namespace: `iptables -N svc && iptables -A svc -p tcp --dport 22 -j DROP && iptables -A INPUT -j svc`
    // leaves all three (iptables-save: -A INPUT -j svc, -A svc -p tcp -m tcp --dport 22 -j DROP). Was: the DROP read
    // as a rule that may or may not be there (TCP 22 possibly open). After a command that may fail, a test or a
    // condition, what follows && still may or may not run.
    const text = ['set -e', 'iptables -N svc && iptables -A svc -p tcp --dport 22 -j DROP && iptables -A INPUT -j svc', '[ -f /etc/x ] && iptables -A INPUT -p tcp --dport 23 -j DROP', 'iptables -C INPUT -p tcp --dport 24 -j DROP && iptables -A INPUT -p tcp --dport 25 -j DROP', ''].join('\n');
    const d = parseIptables(text, { filePath: 'fw.sh', mode: 'script', before: 'empty' });
    const l3 = '[ -f /etc/x ] && iptables -A INPUT -p tcp --dport 23 -j DROP';
    const l4 = 'iptables -C INPUT -p tcp --dport 24 -j DROP && iptables -A INPUT -p tcp --dport 25 -j DROP';
    expect(diags(d)).toEqual([`warning iptables/control-flow ${spanIn(3, l3, 'iptables -A INPUT -p tcp --dport 23 -j DROP')}`, `warning iptables/control-flow ${spanIn(4, l4, 'iptables -A INPUT -p tcp --dport 25 -j DROP')}`]);
    expect(rulesOf(d, 'filter', 'svc')).toEqual(['dstport=22 proto=6 => drop']);
    expect(rulesOf(d, 'filter', 'INPUT')).toEqual([' => jump svc', 'dstport=23 opaque:condition proto=6 => drop', 'dstport=25 opaque:condition proto=6 => drop']);
  });
  it("sees a match's required option when it is quoted", () => {
    // iptables 1.8.9: `iptables -A INPUT -m connmark '--mark' 0x1 -j ACCEPT` loads; with the --mark only inside a
    // comment's text it is refused ('connmark: option "--mark" must be specified'). Was: the quoted --mark unseen, the
    // rule read as refused (its ACCEPT only possibly there).
    const d = script(["iptables -A INPUT -m connmark '--mark' 0x1 -j ACCEPT", "iptables -A INPUT -m connmark -m comment --comment '--mark' -j ACCEPT", ''].join('\n'));
    expect(diags(d)).toEqual([`error iptables/match-place ${spanIn(2, "iptables -A INPUT -m connmark -m comment --comment '--mark' -j ACCEPT", '-m connmark')}`]);
  });
  it('takes `!` as the value of a free-text option', () => {
    // iptables 1.8.9: `-m comment --comment !` and `-j LOG --log-prefix !` load (saved as --comment "!"); a port of
    // `!` does not (`--dport ! 22`: "invalid port/service `!' specified")
    const d = script(['#!/bin/sh', 'iptables -A INPUT -m comment --comment ! -j LOG --log-prefix !', 'iptables -A INPUT -p tcp --dport ! 22 -j ACCEPT', ''].join('\n'));
    expect(diags(d).filter((x) => x.startsWith('error'))).toEqual([`error iptables/old-negation ${spanIn(3, 'iptables -A INPUT -p tcp --dport ! 22 -j ACCEPT', '!')}`]);
  });
});

describe('iptables script: -P INPUT drop', () => {
  // iptables 1.8.9: "iptables: Bad policy name." for `-P INPUT drop` (policy names are upper case), and INPUT keeps
  // ACCEPT; iptables-restore refuses `:INPUT drop` ("line 2 failed: Bad policy name."). Was: read as DROP, so TCP 80
  // closed where the kernel lets it in.
  it('is refused and leaves the policy as it was', () => {
    const lines = ['iptables -F', 'iptables -P INPUT drop', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT'];
    const d = script(['#!/bin/sh', ...lines, ''].join('\n'));
    expect(diags(d)).toEqual([`error iptables/bad-policy ${spanIn(3, lines[1]!, 'drop')}`]);
    expect(d.diagnostics[0]!.message).toBe('Bad policy "drop": iptables takes DROP in upper case only');
    expect(chainOf(d, 'filter', 'INPUT').policy).toBe('accept');
    expect(tracePacket(d.rulesets[0]!, { family: 'ipv4', proto: 'tcp', src: '10.200.0.2', dst: '10.200.0.1', sport: 40000, dport: 80, hook: 'input', state: 'new' }).verdict).toBe('accept');
    const r = parseIptables(['*filter', ':INPUT drop [0:0]', 'COMMIT', ''].join('\n'), { mode: 'save' });
    expect(diags(r)).toEqual(['error iptables/bad-policy 2:8-2:12']);
  });
});
