import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './helpers.js';

/** A fresh network namespace of our own: loopback only, no traffic anywhere else. */
function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['unshare', 'iptables', 'ip']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing`;
  if (spawnSync('unshare', ['-n', 'true']).status !== 0) return 'cannot create a network namespace';
  return undefined;
}
const why = canRun();
if (why && process.env.CI === 'true') throw new Error(`fwlint --live test cannot run in CI: ${why}`);
if (why) console.warn(`SKIPPED fwlint --live namespace test: ${why}`);

describe.skipIf(Boolean(why))('fwlint --live in a network namespace', () => {
  it('reports 1761-1767 open with nothing listening and 1768 served by a process that is not Transfer CFT', () => {
    const script = [
      'ip link set lo up',
      'iptables -P INPUT DROP',
      'iptables -A INPUT -p tcp --dport 1761:1768 -j ACCEPT',
      'ip6tables -P INPUT DROP',
      `${JSON.stringify(process.execPath)} -e 'require("net").createServer().listen(1768, "0.0.0.0"); setTimeout(() => process.exit(0), 20000)' &`,
      'L=$!',
      // wait (bounded) until the listener is up
      'for i in $(seq 1 50); do grep -q ":06E8 00000000:0000 0A" /proc/net/tcp && break; sleep 0.1; done',
      `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --live -f json`,
      'echo "exit=$?"',
      'kill $L',
    ].join('\n');
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const out = r.stdout;
    expect(out).toContain('exit=1');
    const results = JSON.parse(out.slice(0, out.lastIndexOf('exit='))) as { filePath: string; messages: { ruleId: string; message: string }[] }[];
    const host = results.find((x) => x.filePath === 'live/host')!;
    const unneeded = host.messages.filter((m) => m.ruleId === 'fwlint/live-unneeded').map((m) => m.message);
    expect(unneeded).toHaveLength(1);
    expect(unneeded[0]).toMatch(/^TCP 1761 \(cft-0, Transfer CFT PeSIT\), .*1767 \(cft-6, [^)]*\) open in the firewall \(IPv4\) with nothing listening: not needed\.$/);
    expect(unneeded[0]).not.toContain('1768');
    const investigate = host.messages.filter((m) => m.ruleId === 'fwlint/live-investigate').map((m) => m.message);
    expect(investigate).toHaveLength(1);
    expect(investigate[0]).toMatch(/^TCP 1768 \(0\.0\.0\.0\) is served by process node \(pid \d+\), which is not Transfer CFT: worth investigating/);
    // the live iptables rules are linted like a file, too
    const rules = results.find((x) => x.filePath.endsWith('live/iptables-save.rules'))!;
    expect(rules.messages.some((m) => m.ruleId === 'firewall/no-unneeded-cft-ports')).toBe(true);
  });
  it('says IPv6 is open on every port when only IPv4 has rules (and not when ip6tables has some too)', () => {
    // iptables rules and none for IPv6, on a host whose interface has an IPv6 address: was reported on IPv4 alone
    const run = (ip6: string) => {
      const script = [
        'ip link set lo up',
        'ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up',
        'iptables -P INPUT DROP',
        'iptables -A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -j ACCEPT',
        ip6,
        `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --live -f json`,
      ].join('\n');
      const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string; severity: number; message: string }[] }[];
      return results.find((x) => x.filePath === 'live/host')!.messages.filter((m) => m.ruleId === 'fwlint/live-unfiltered').map((m) => [m.severity, m.message]);
    };
    expect(run('true')).toEqual([
      [2, "IPv6: no firewall rules filter this host's input (ip6tables-save shows no filter table, nft list ruleset no input chain for IPv6): every port is open to whatever reaches it over IPv6."],
    ]);
    expect(run('ip6tables -P INPUT DROP')).toEqual([]);
  });
  it('a host with nothing to report is no "file left alone" (live/host was named as one no format recognises)', () => {
    const script = ['iptables -P INPUT DROP', 'iptables -P FORWARD DROP', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --live -f json`].join('\n');
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const results = JSON.parse(r.stdout) as { filePath: string; messages: unknown[] }[];
    expect(results.find((x) => x.filePath === 'live/host')!.messages).toEqual([]);
    expect(r.status).toBe(0);
  });
});
