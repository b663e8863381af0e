#!/usr/bin/env node
// npm run bench: whole-process timings of fwlint on generated 1k/10k/100k-rule rulesets, side by side
// with the native tools (iptables-restore --test, nft -c -f) run in a network namespace of our own.
// Writes the measured section of bench/results.md (between the bench markers; the notes around it are
// kept) and bench/out/latest.md. Options: --sizes 1000,10000 --runs 5 --no-native --no-write
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsDescribe, iptablesHost, iptablesSave, nftJson, nftText } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const args = process.argv.slice(2);
const loadAtStart = loadavg();
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt('--sizes', '1000,10000,100000').split(',').map(Number);
const runs = Number(opt('--runs', '5'));
const native = !args.includes('--no-native');
const haveTime = existsSync('/usr/bin/time');
// run as users run it (`fwlint`, `npx fwlint`): the executable, which lints a big file in a second, tuned process
const fwlint = join(root, 'bin', 'fwlint.js');

function measure(cmd, argv, { timeoutMs = 600_000 } = {}) {
  const full = haveTime ? ['/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpu = NaN;
  let rss = NaN;
  if (haveTime) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const [, u, s, m] = last.split(' ').map(Number);
    cpu = u + s;
    // GNU time's %M is in KiB; MB here is 10^6 bytes, as the file sizes are (the RSS/file-size ratio compares bytes
    // with bytes: KiB/1024 against bytes/1e6 understated it by 4.9% until the twelfth session)
    rss = (m * 1024) / 1e6;
  }
  return { wall, cpu, rss, status: r.status, timedOut: r.error?.code === 'ETIMEDOUT', stderr: r.stderr };
}

function median(list) {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function summary(samples) {
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)), rss: Math.max(...samples.map((s) => s.rss)), status: samples[0].status, timedOut: samples.some((s) => s.timedOut), stderr: samples[0].stderr };
}

function bench(cmd, argv, n = runs, o) {
  const samples = [];
  for (let i = 0; i < n; i++) samples.push(measure(cmd, argv, o));
  return summary(samples);
}

/**
 * fwlint and a native tool on the same file, run alternately (fwlint, native, fwlint, native, …): this VM's speed
 * drifts over minutes, and a ratio is only meaningful between runs made under the same conditions.
 */
function benchPair(argv, nativeCmd, nativeArgv, n, nNative) {
  const a = [];
  const b = [];
  for (let i = 0; i < Math.max(n, nNative); i++) {
    if (i < n) a.push(measure(fwlint, argv));
    if (i < nNative) b.push(measure(nativeCmd, nativeArgv));
  }
  return [summary(a), summary(b)];
}

const canNs = native && process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const rows = [];
const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
function row(kind, size, file, result, nativeResult) {
  const mb = statSync(file).size / 1e6;
  rows.push({ kind, size, mb, ...result, nativeWall: nativeResult?.wall, nativeTimedOut: nativeResult?.timedOut });
  console.log(`${kind.padEnd(14)} ${String(size).padStart(7)} rules ${mb.toFixed(2).padStart(6)} MB  fwlint ${fmt(result.wall)} s  cpu ${fmt(result.cpu)} s  rss ${fmt(result.rss, 0)} MB${nativeResult ? `  native ${fmt(nativeResult.wall)} s` : ''}`);
}

// cold start: a 20-line file against `node -e 0`
const small = join(out, 'small.rules');
writeFileSync(small, iptablesSave(14, 7));
const [cold, nodeZero] = benchPair(['-f', 'json', small], process.execPath, ['-e', '0'], runs, runs);
console.log(`cold start: node -e 0 ${fmt(nodeZero.wall)} s, fwlint on 20 lines ${fmt(cold.wall)} s (${fmt(cold.wall / nodeZero.wall, 2)}×)`);

for (const size of sizes) {
  const label = size >= 1000 ? `${size / 1000}k` : String(size);
  const ipt = join(out, `iptables-${label}.rules`);
  writeFileSync(ipt, iptablesSave(size));
  const nIpt = size >= 100000 ? Math.min(runs, 3) : runs;
  const withRestore = canNs && has('iptables-restore');
  const [r1, n1] = withRestore
    ? benchPair(['-f', 'json', ipt], 'unshare', ['-n', 'iptables-restore', '--test', ipt], nIpt, runs)
    : [bench(fwlint, ['-f', 'json', ipt], nIpt), undefined];
  row('iptables-save', size, ipt, r1, n1);

  const host = join(out, `iptables-host-${label}.rules`);
  writeFileSync(host, iptablesHost(size));
  const [h1, hn] = withRestore
    ? benchPair(['-f', 'json', host], 'unshare', ['-n', 'iptables-restore', '--test', host], nIpt, runs)
    : [bench(fwlint, ['-f', 'json', host], nIpt), undefined];
  row('iptables host', size, host, h1, hn);

  const nft = join(out, `nftables-${label}.nft`);
  writeFileSync(nft, nftText(size));
  const r2 = bench(fwlint, ['-f', 'json', nft], size >= 100000 ? Math.min(runs, 3) : runs);
  const n2 = canNs && has('nft') ? bench('unshare', ['-n', 'nft', '-c', '-f', nft], 1, { timeoutMs: 900_000 }) : undefined;
  row('nft text', size, nft, r2, n2);

  const nj = join(out, `nftables-${label}.json`);
  writeFileSync(nj, nftJson(size));
  row('nft -j JSON', size, nj, bench(fwlint, ['-f', 'json', '--input-format', 'nftables-json', nj], size >= 100000 ? Math.min(runs, 3) : runs));

  const aws = join(out, `aws-sg-${label}.json`);
  writeFileSync(aws, awsDescribe(size));
  row('aws describe-sg', size, aws, bench(fwlint, ['-f', 'json', aws], size >= 100000 ? Math.min(runs, 3) : runs));
}

const cpu = cpus()[0]?.model ?? 'unknown';
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
// (bench/results.md itself does not count: the harness writes it)
const dirty = (spawnSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results.md'], { cwd: root, encoding: 'utf8' }).stdout ?? '').trim() !== '';
const lines = [
  `Run: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, commit ${commit}${dirty ? ' (with uncommitted changes)' : ''}, load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}.`,
  `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}. `,
  `Runs: median of ${runs} whole-process runs (3 for 100k files; 1 for \`nft -c -f\`), fwlint alternately with \`iptables-restore --test\` and, for the cold start, with \`node -e 0\`. fwlint runs all recommended rules with \`-f json\`, started as its executable \`bin/fwlint.js\` as \`fwlint\` and \`npx fwlint\` start it (a file of 2 MB or more is linted in a second process with \`--max-semi-space-size=8\`).`,
  `Native tools run inside \`unshare -n\` (a namespace of our own)${canNs ? '' : ' — not available in this run, columns empty'}.`,
  '',
  `Cold start: \`node -e 0\` ${fmt(nodeZero.wall)} s; fwlint on a 20-line file ${fmt(cold.wall)} s = **${fmt(cold.wall / nodeZero.wall, 2)}×** (target ≤ 5×).`,
  '',
  '| input | rules | MB | fwlint wall s | user+sys s | peak RSS MB | rules/s | native wall s | fwlint / native | RSS / file size |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.kind} | ${r.size} | ${r.mb.toFixed(2)} | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${fmt(r.rss, 0)} | ${Math.round(r.size / r.wall)} | ${r.nativeWall !== undefined ? (r.nativeTimedOut ? 'timed out' : fmt(r.nativeWall)) : '–'} | ${r.nativeWall ? fmt(r.wall / r.nativeWall, 2) + '×' : '–'} | ${fmt(r.rss / r.mb, 1)}× |`),
  '',
];
const byKind = (k) => rows.filter((r) => r.kind === k);
const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? 'met' : '**missed**');
const targets = [];
const ipt = byKind('iptables-save').find((r) => r.size === 100000);
if (ipt) targets.push(['100k iptables-save lint ≤ 1.5× `iptables-restore --test`', ipt.nativeWall ? `${fmt(ipt.wall)} s vs ${fmt(ipt.nativeWall)} s = ${fmt(ipt.wall / ipt.nativeWall, 2)}×` : 'native tool not run', ipt.nativeWall ? ipt.wall <= 1.5 * ipt.nativeWall : undefined]);
const nft = byKind('nft text').find((r) => r.size === 100000);
if (nft) targets.push(['100k nft text lint ≤ 1/20 of `nft -c -f`', nft.nativeWall && !nft.nativeTimedOut ? `${fmt(nft.wall)} s vs ${fmt(nft.nativeWall)} s = 1/${fmt(nft.nativeWall / nft.wall, 1)}` : 'native tool not run', nft.nativeWall && !nft.nativeTimedOut ? nft.wall * 20 <= nft.nativeWall : undefined]);
targets.push(['cold start ≤ 5× `node -e 0`', `${fmt(cold.wall)} s vs ${fmt(nodeZero.wall)} s = ${fmt(cold.wall / nodeZero.wall, 2)}×`, cold.wall <= 5 * nodeZero.wall]);
const big = rows.filter((r) => r.size === 100000);
if (big.length > 0) targets.push(['peak RSS ≤ 40× file size (100k)', big.map((r) => `${r.kind} ${fmt(r.rss / r.mb, 1)}×`).join(', '), big.every((r) => r.rss <= 40 * r.mb)]);
const growth = [];
for (const k of ['iptables-save', 'iptables host', 'nft text', 'nft -j JSON', 'aws describe-sg']) {
  const a = byKind(k).find((r) => r.size === 10000);
  const b = byKind(k).find((r) => r.size === 100000);
  if (a && b) growth.push([k, b.wall / a.wall]);
}
if (growth.length > 0) targets.push(['10k → 100k ≤ 12× time', growth.map(([k, g]) => `${k} ${fmt(g, 1)}×`).join(', '), growth.every(([, g]) => g <= 12)]);
lines.push('| target | measured (this run) | verdict |', '|---|---|---|', ...targets.map(([t, m, ok]) => `| ${t} | ${m} | ${verdict(ok)} |`), '');

const section = lines.join('\n');
writeFileSync(join(out, 'latest.md'), section);
console.log(`\n${section}`);
// bench/results.md: the generated section between the markers is replaced; the notes around it are kept
const resultsFile = join(root, 'bench', 'results.md');
const BEGIN = '<!-- bench:begin (written by npm run bench) -->';
const END = '<!-- bench:end -->';
if (args.includes('--no-write')) console.log('(not written to bench/results.md: --no-write)');
else {
  const old = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  const i = old.indexOf(BEGIN);
  const j = old.indexOf(END);
  const block = `${BEGIN}\n${section}\n${END}`;
  const next = i >= 0 && j > i ? old.slice(0, i) + block + old.slice(j + END.length) : `# Benchmark results (issue 10)\n\n${block}\n\n${old}`;
  writeFileSync(resultsFile, next);
  console.log('(written to bench/results.md between the bench markers, and bench/out/latest.md)');
}
