// Runs inside a network namespace (`ip netns exec CLI node probe-client.mjs`).
// Protocol: each stdin line is a JSON array of probes
//   { id, proto: 'tcp'|'udp'|'icmp', src, sport, dst, dport, timeoutMs }
// and each answer is one stdout line, a JSON array of { id, outcome, detail } in the same order,
// outcome 'accept' (TCP SYN answered by SYN-ACK / UDP echo / ICMP echo reply), 'reject' (RST or ICMP
// error answering the SYN, datagram or echo request), 'drop' (nothing before the timeout).
// ICMP probes are one echo request sent by `ping` (iputils) with the probe's sport as its identifier, so that
// no two probes share a conntrack tuple.
// All probes of one line run concurrently. Exits when stdin closes.
import net from 'node:net';
import dgram from 'node:dgram';
import readline from 'node:readline';
import { execFile } from 'node:child_process';

// (ENOPROTOOPT: an ICMP protocol-unreachable, which icmp_err_convert reports as fatal)
const REJECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'EPERM', 'EHOSTDOWN', 'ENOPROTOOPT']);

function probeTcp(p) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome, detail) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ id: p.id, outcome, detail });
    };
    const sock = net.connect({ host: p.dst, port: p.dport, localAddress: p.src, localPort: p.sport });
    const timer = setTimeout(() => finish('drop', 'timeout'), p.timeoutMs);
    sock.on('connect', () => finish('accept', 'connected'));
    sock.on('error', (e) => {
      // In SYN_SENT a RST gives ECONNREFUSED; ECONNRESET means the handshake completed (the SYN was
      // accepted) and a later packet of the connection (our ACK, now ESTABLISHED) was reset by a rule.
      if (e.code === 'ECONNRESET') return finish('accept', 'ECONNRESET after the handshake');
      finish(REJECT_CODES.has(e.code) ? 'reject' : 'error', e.code ?? String(e));
    });
  });
}

function probeUdp(p) {
  return new Promise((resolve) => {
    let done = false;
    const v6 = p.dst.includes(':');
    const sock = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4' });
    const finish = (outcome, detail) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { sock.close(); } catch { /* already closed */ }
      resolve({ id: p.id, outcome, detail });
    };
    const timer = setTimeout(() => finish('drop', 'timeout'), p.timeoutMs);
    const payload = Buffer.from(`fwl-probe-${p.id}`);
    sock.on('error', (e) => finish(REJECT_CODES.has(e.code) ? 'reject' : 'error', e.code ?? String(e)));
    sock.on('message', (msg) => {
      if (msg.equals(payload)) finish('accept', 'echo');
    });
    sock.bind({ address: p.src, port: p.sport }, () => {
      sock.connect(p.dport, p.dst, (err) => {
        if (err) return finish('error', err.code ?? String(err));
        sock.send(payload, (e) => {
          if (e) finish(REJECT_CODES.has(e.code) ? 'reject' : 'error', e.code ?? String(e));
        });
      });
    });
  });
}

function probeIcmp(p) {
  return new Promise((resolve) => {
    const secs = (p.timeoutMs / 1000).toFixed(3);
    // -n: no name lookups; -c1: one request; -W: how long silence means a drop; -e: the identifier; -I: the source
    const args = ['-n', '-c1', `-W${secs}`, '-e', String(p.sport), '-I', p.src, p.dst];
    execFile('ping', args, { timeout: p.timeoutMs + 5000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const out = `${stdout}\n${stderr}`;
      if (/ bytes from /.test(out)) return resolve({ id: p.id, outcome: 'accept', detail: 'echo reply' });
      const why = /(?:Destination|Packet) [^\n]*(?:nreachable|rohibited|filtered)[^\n]*/.exec(out);
      if (why) return resolve({ id: p.id, outcome: 'reject', detail: why[0].trim() });
      // ping exits 1 when no reply came; anything else (2: usage, a missing binary) is the harness's error
      if (err && err.code === 1) return resolve({ id: p.id, outcome: 'drop', detail: 'timeout' });
      resolve({ id: p.id, outcome: 'error', detail: (err ? String(err.code ?? err) : 'no answer') + ' ' + out.trim().slice(0, 200) });
    });
  });
}

let inflight = 0;
let closed = false;
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  if (!line.trim()) return;
  let probes;
  try {
    probes = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e) }) + '\n');
    return;
  }
  inflight += 1;
  const results = await Promise.all(
    probes.map((p) => (p.proto === 'tcp' ? probeTcp(p) : p.proto === 'icmp' ? probeIcmp(p) : probeUdp(p)).catch((e) => ({ id: p.id, outcome: 'error', detail: String(e) }))),
  );
  process.stdout.write(JSON.stringify(results) + '\n');
  inflight -= 1;
  if (closed && inflight === 0) process.exit(0);
});
rl.on('close', () => {
  closed = true;
  if (inflight === 0) process.exit(0);
});
