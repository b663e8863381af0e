// Runs inside the server network namespace (`ip netns exec SRV node listener.mjs 22,80,... 10.200.0.1,::1,...`).
// TCP: accept and hold briefly (one dual-stack socket on `::` per port).
// UDP: echo every datagram back, from one socket per (address, port), so the echo leaves from
// the address the probe was sent to (a connected UDP client ignores datagrams from any other).
// Prints "ready" once every socket is bound; exits when stdin closes (the test process went away).
// With a fourth argument `log`, it also prints `udp SRC SPORT` for every datagram it receives, before echoing it:
// a ruleset that drops the echo in OUTPUT still let the datagram in (test/corpus/kernel-lab.ts).
import net from 'node:net';
import dgram from 'node:dgram';

const ports = (process.argv[2] ?? '').split(',').filter(Boolean).map(Number);
const addrs = (process.argv[3] ?? '').split(',').filter(Boolean);
const log = process.argv[4] === 'log';
let pending = ports.length * (1 + addrs.length);
const bound = () => {
  pending -= 1;
  if (pending === 0) process.stdout.write('ready\n');
};
const fail = (what, err) => {
  process.stdout.write(`error ${what} ${err && err.code ? err.code : String(err)}\n`);
  process.exit(2);
};
for (const port of ports) {
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    setTimeout(() => sock.destroy(), 50).unref();
  });
  server.on('error', (e) => fail(`tcp ${port}`, e));
  server.listen({ port, host: '::', ipv6Only: false, backlog: 512 }, bound);
  for (const address of addrs) {
    const udp = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    udp.on('error', (e) => fail(`udp ${address} ${port}`, e));
    udp.on('message', (msg, rinfo) => {
      if (log) process.stdout.write(`udp ${rinfo.address} ${rinfo.port}\n`);
      udp.send(msg, rinfo.port, rinfo.address, () => {});
    });
    udp.bind({ port, address }, bound);
  }
}
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
