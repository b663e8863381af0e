import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCftProcess, judgeLive, parseProcNet, readLiveHost, type Listener } from '../../src/deployments/live.js';
import { formatPorts, numSetOf } from '../../src/model/index.js';

const FIX = resolve(__dirname, '../../fixtures/deployments/live');
const lv = (l: Listener) => `${l.protocol} ${l.family === 'ipv6' ? `[${l.address}]` : l.address}:${l.port} inode=${l.inode} pid=${l.pid ?? '-'} ${l.process ?? '-'}`;

/** A fake /proc: the fixture net tables plus processes owning sockets. */
function fakeProc(): string {
  const root = mkdtempSync(join(tmpdir(), 'fwl-proc-'));
  cpSync(join(FIX, 'net'), join(root, 'net'), { recursive: true });
  const procs: [number, string, string, number[]][] = [
    [100, 'sshd', '/usr/sbin/sshd\0-D\0', [1001]],
    [200, 'CFTMAIN', '/home/cft/Axway/Transfer_CFT/runtime/bin/CFTMAIN\0', [1002]],
    [201, 'copui', 'copui\0', [1003]],
    [202, 'java', '/opt/Axway/Transfer_CFT/jre/bin/java\0-jar\0copilot.jar\0', [1004]],
    [300, 'node', 'node\0att-server.js\0', [1005, 1008]],
    [400, 'nginx', 'nginx: master process\0', [1011]],
    [500, 'chronyd', '/usr/sbin/chronyd\0', [1009]],
  ];
  for (const [pid, comm, cmdline, inodes] of procs) {
    mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
    writeFileSync(join(root, String(pid), 'comm'), comm + '\n');
    writeFileSync(join(root, String(pid), 'cmdline'), cmdline);
    symlinkSync('/dev/null', join(root, String(pid), 'fd', '0'));
    inodes.forEach((ino, k) => symlinkSync(`socket:[${ino}]`, join(root, String(pid), 'fd', String(3 + k))));
  }
  mkdirSync(join(root, 'self'));
  return root;
}

describe('parseProcNet', () => {
  it('decodes little-endian IPv4/IPv6 addresses and keeps only LISTEN / unconnected UDP', () => {
    expect(parseProcNet(readFileSync(join(FIX, 'net/tcp'), 'utf8'), 'tcp', 'ipv4').map(lv)).toEqual([
      'tcp 0.0.0.0:22 inode=1001 pid=- -',
      'tcp 0.0.0.0:1761 inode=1002 pid=- -',
      'tcp 127.0.0.1:1768 inode=1003 pid=- -',
      'tcp 0.0.0.0:1762 inode=1004 pid=- -',
      'tcp 0.0.0.0:1766 inode=1005 pid=- -',
    ]);
    expect(parseProcNet(readFileSync(join(FIX, 'net/tcp6'), 'utf8'), 'tcp', 'ipv6').map(lv)).toEqual([
      'tcp [::]:1767 inode=1006 pid=- -',
      'tcp [::1]:8080 inode=1007 pid=- -',
      'tcp [2001:db8::1]:443 inode=1011 pid=- -',
    ]);
    expect(parseProcNet(readFileSync(join(FIX, 'net/udp'), 'utf8'), 'udp', 'ipv4').map(lv)).toEqual(['udp 0.0.0.0:1761 inode=1008 pid=- -', 'udp 0.0.0.0:68 inode=0 pid=- -']);
  });
  it('skips garbage lines', () => {
    expect(parseProcNet('header\n  0: zz:zz 00:00 0A a b c d e f\n\n  1: 00000000:0016\n', 'tcp', 'ipv4')).toEqual([]);
  });
});

describe('readLiveHost on fixtures', () => {
  const root = fakeProc();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const outputs: Record<string, { stdout: string; code: number }> = {
    'iptables-save': { stdout: readFileSync(join(FIX, 'iptables-save.txt'), 'utf8'), code: 0 },
    'ip6tables-save': { stdout: '', code: 0 },
    nft: { stdout: readFileSync(join(FIX, 'nft.json'), 'utf8'), code: 0 },
  };
  const calls: string[] = [];
  const host = readLiveHost({ procRoot: root, run: (cmd, args) => (calls.push([cmd, ...args].join(' ')), outputs[cmd] ?? { stdout: '', code: -1 }) });
  it('runs the three commands and keeps the non-empty outputs', () => {
    expect(calls).toEqual(['iptables-save', 'ip6tables-save', 'nft -j list ruleset']);
    expect(host.rulesetTexts.map((r) => [r.format, r.command, r.family, r.text.length > 0])).toEqual([
      ['iptables-save', 'iptables-save', 'ipv4', true],
      ['nftables-json', 'nft -j list ruleset', undefined, true],
    ]);
    expect(host.rulesetTexts[0]!.text).toContain('--dports 1761:1768');
    expect(host.unreadable).toEqual([]);
  });
  it('lists listeners with their owning processes', () => {
    expect(host.listeners.filter((l) => l.pid !== undefined).map(lv)).toEqual([
      'tcp 0.0.0.0:22 inode=1001 pid=100 sshd',
      'tcp [2001:db8::1]:443 inode=1011 pid=400 nginx',
      'tcp 0.0.0.0:1761 inode=1002 pid=200 CFTMAIN',
      'tcp 0.0.0.0:1762 inode=1004 pid=202 java',
      'tcp 0.0.0.0:1766 inode=1005 pid=300 node',
      'tcp 127.0.0.1:1768 inode=1003 pid=201 copui',
      'udp [::]:123 inode=1009 pid=500 chronyd',
      'udp 0.0.0.0:1761 inode=1008 pid=300 node',
    ]);
    const byInode = new Map(host.listeners.map((l) => [l.inode, l]));
    expect(byInode.get(1004)!.cmdline).toBe('/opt/Axway/Transfer_CFT/jre/bin/java -jar copilot.jar');
    expect(host.listeners.map((l) => `${l.protocol}/${l.port}/${l.family}:${l.process ?? '-'}`)).toEqual([
      'tcp/22/ipv4:sshd',
      'tcp/443/ipv6:nginx',
      'tcp/1761/ipv4:CFTMAIN',
      'tcp/1762/ipv4:java',
      'tcp/1766/ipv4:node',
      'tcp/1767/ipv6:-',
      'tcp/1768/ipv4:copui',
      'tcp/8080/ipv6:-',
      'udp/68/ipv4:-',
      'udp/123/ipv6:chronyd',
      'udp/1761/ipv4:node',
    ]);
  });
  it('reports what it cannot read instead of throwing', () => {
    const h = readLiveHost({ procRoot: join(root, 'missing'), run: () => ({ stdout: '', code: 1 }) });
    expect(h.listeners).toEqual([]);
    expect(h.rulesetTexts).toEqual([]);
    expect(h.unreadable).toEqual([
      'iptables-save: exit code 1',
      'ip6tables-save: exit code 1',
      'nft -j list ruleset: exit code 1',
      `${join(root, 'missing', 'net', 'tcp')}: ENOENT`,
      `${join(root, 'missing', 'net', 'tcp6')}: ENOENT`,
      `${join(root, 'missing', 'net', 'udp')}: ENOENT`,
      `${join(root, 'missing', 'net', 'udp6')}: ENOENT`,
    ]);
    const h2 = readLiveHost({ procRoot: root, run: () => { throw new Error('boom'); } });
    expect(h2.unreadable.slice(0, 3)).toEqual(['iptables-save: not available', 'ip6tables-save: not available', 'nft -j list ruleset: not available']);
  });
  it('judgeLive: open with nothing reachable listening, and CFT ports served by something else', () => {
    const j = judgeLive(
      [
        { protocol: 6, ports: numSetOf([[22, 22], [1761, 1768]]) },
        { protocol: 'udp', ports: numSetOf([[1761, 1768]]) },
        { protocol: 6, ports: numSetOf([[8080, 8080]]), family: 'ipv6' },
        { protocol: 1, ports: numSetOf([[0, 255]]) },
      ],
      host.listeners,
    );
    expect(j.unneeded.map((u) => `${u.protocol}${u.family ? '/' + u.family : ''} ${formatPorts(u.ports)}`)).toEqual(['tcp 1763-1765, 1768', 'udp 1762-1768', 'tcp/ipv6 8080']);
    expect(j.served.map((u) => `${u.protocol} ${formatPorts(u.ports)}`)).toEqual(['tcp 22, 1761-1762, 1766-1767', 'udp 1761']);
    expect(j.investigate.map((i) => i.reason)).toEqual([
      'TCP 1766 (Transfer CFT block) on 0.0.0.0 is served by process "node" (pid 300), not Transfer CFT',
      'TCP 1767 (Transfer CFT block) on :: is served by an unknown process (owner not readable), not Transfer CFT',
      'UDP 1761 (Transfer CFT block) on 0.0.0.0 is served by process "node" (pid 300), not Transfer CFT',
    ]);
  });
  it('a wildcard IPv6 socket serves IPv4 too; an IPv4 socket does not serve IPv6', () => {
    const l = host.listeners;
    expect(judgeLive([{ protocol: 6, ports: numSetOf([[1767, 1767]]), family: 'ipv4' }], l).served.map((s) => formatPorts(s.ports))).toEqual(['1767']);
    expect(judgeLive([{ protocol: 6, ports: numSetOf([[1761, 1761]]), family: 'ipv6' }], l).unneeded.map((s) => formatPorts(s.ports))).toEqual(['1761']);
  });
  it('isCftProcess', () => {
    expect(isCftProcess({ process: 'CFTMAIN' })).toBe(true);
    expect(isCftProcess({ process: 'copsmng' })).toBe(true);
    expect(isCftProcess({ process: 'java', cmdline: '/home/cft/Axway/Transfer_CFT/jre/bin/java' })).toBe(true);
    expect(isCftProcess({ process: 'node', cmdline: 'node server.js' })).toBe(false);
    expect(isCftProcess({})).toBe(false);
  });
});

describe('real run in a private network namespace', () => {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
  const hasNsenter = spawnSync('nsenter', ['--version']).status === 0;
  const why = !isRoot ? 'not root' : !hasUnshare ? 'unshare -n is not available' : !hasNsenter ? 'nsenter is not available' : undefined;
  if (why && process.env.CI === 'true') {
    it('requires root and network namespaces in CI', () => {
      expect.fail(`live namespace test cannot run: ${why}`);
    });
    return;
  }
  it.skipIf(why !== undefined)(`listener on 1768 and iptables rules inside the namespace${why ? ` (SKIPPED: ${why})` : ''}`, async () => {
    let child: ChildProcess | undefined;
    try {
      const script = "require('net').createServer().listen(1768, '0.0.0.0', () => process.stdout.write('ready\\n')); setInterval(() => {}, 1000);";
      child = spawn('unshare', ['-n', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error('listener did not start')), 10_000);
        child!.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) {
            clearTimeout(t);
            res();
          }
        });
        child!.on('exit', (code) => rej(new Error(`listener exited with ${code}`)));
      });
      const pid = child.pid!;
      const inNs = (cmd: string, args: string[]) => {
        const r = spawnSync('nsenter', ['-t', String(pid), '-n', cmd, ...args], { encoding: 'utf8' });
        return { stdout: r.stdout ?? '', code: r.status ?? -1 };
      };
      const add = inNs('iptables', ['-A', 'INPUT', '-p', 'tcp', '-m', 'multiport', '--dports', '1761,1768', '-j', 'ACCEPT']);
      const host = readLiveHost({ netDir: `/proc/${pid}/net`, run: inNs });
      expect(host.listeners.map((l) => `${l.protocol} ${l.address}:${l.port} ${l.pid} ${l.process}`)).toEqual([`tcp 0.0.0.0:1768 ${pid} node`]);
      if (add.code === 0) {
        const ipt = host.rulesetTexts.find((r) => r.command === 'iptables-save');
        expect(ipt?.text).toContain('--dports 1761,1768');
      } else {
        console.warn('fwlint live test: iptables not usable inside the namespace; checked listeners only');
      }
      const j = judgeLive([{ protocol: 6, ports: numSetOf([[1761, 1761], [1768, 1768]]) }], host.listeners);
      expect(j.unneeded.map((u) => formatPorts(u.ports))).toEqual(['1761']);
      expect(j.served.map((u) => formatPorts(u.ports))).toEqual(['1768']);
      expect(j.investigate.map((i) => i.reason)).toEqual([`TCP 1768 (Transfer CFT block) on 0.0.0.0 is served by process "node" (pid ${pid}), not Transfer CFT`]);
    } finally {
      if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    }
  });
  if (why) console.warn(`fwlint live namespace test SKIPPED: ${why}`);
});
