import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { findSubcommand, LINT_OPTIONS } from '../../src/cli/lint-options.js';

const RULES = `*filter
:INPUT DROP [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`;

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fwlint-sub-'));
  writeFileSync(join(dir, 'fwlint.config.yaml'), 'discovery: false\n');
  const path = join(dir, 'host.rules');
  writeFileSync(path, RULES);
  return path;
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), isTTY: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The options each subcommand takes (its own parseArgs table); every other lint option is refused before it. */
const TAKES: Record<string, string[]> = {
  trace: ['format', 'input-format', 'script-start', 'stdin-filename'],
  exposure: ['format', 'input-format', 'script-start', 'stdin-filename'],
  diff: ['format', 'input-format', 'output-file', 'script-start'],
};
const TAIL: Record<string, (f: string) => string[]> = {
  trace: (f) => [f, '--proto', 'tcp', '--dport', '22'],
  exposure: (f) => [f],
  diff: () => ['HEAD'],
};

describe('global options before a subcommand (git-style)', () => {
  it('finds the subcommand after options and their values, not in a value, not after --, not with -h/-v', () => {
    expect(findSubcommand(['--no-summary', 'exposure', 'f'])).toEqual({ name: 'exposure', at: 1 });
    expect(findSubcommand(['--script-start', 'empty', '-f', 'json', 'trace', 'f'])).toEqual({ name: 'trace', at: 4 });
    expect(findSubcommand(['--format=json', '-fjson', 'diff', 'HEAD'])).toEqual({ name: 'diff', at: 2 });
    expect(findSubcommand(['-c', 'exposure', 'f'])).toBeUndefined();
    expect(findSubcommand(['--rule', 'trace', 'exposure'])).toEqual({ name: 'exposure', at: 2 });
    expect(findSubcommand(['--quiet', 'f', 'exposure'])).toBeUndefined();
    expect(findSubcommand(['--quiet', '--', 'exposure'])).toBeUndefined();
    expect(findSubcommand(['--quiet', '-', 'exposure'])).toBeUndefined();
    expect(findSubcommand(['--help', 'exposure'])).toBeUndefined();
    expect(findSubcommand(['-v', 'trace'])).toBeUndefined();
  });

  it('an option the subcommand takes works before it as after it', async () => {
    const f = file();
    const after = await run(['exposure', f, '-f', 'json', '--script-start', 'empty', '--input-format', 'iptables-save']);
    const before = await run(['-f', 'json', '--script-start', 'empty', '--input-format', 'iptables-save', 'exposure', f]);
    expect(after.code).toBe(0);
    expect(before).toEqual(after);
    expect(JSON.parse(before.stdout)[0].format).toBe('iptables-save');
    const tAfter = await run(['trace', f, '--proto', 'tcp', '--dport', '22', '--format=json']);
    const tBefore = await run(['--format=json', 'trace', f, '--proto', 'tcp', '--dport', '22']);
    expect(tAfter.code).toBe(0);
    expect(tBefore).toEqual(tAfter);
    expect(JSON.parse(tBefore.stdout).verdict).toBe('accept');
    // the subcommand checks them as its own
    expect(await run(['--stdin-filename', 'x.rules', 'exposure', f])).toEqual({ code: 2, stdout: '', stderr: "fwlint: --stdin-filename names standard input, which is read only when '-' is among the paths\nRun fwlint --help for usage.\n" });
    expect(await run(['-f', 'stylish', 'trace', f, '--proto', 'tcp'])).toEqual({ code: 2, stdout: '', stderr: 'fwlint: trace --format is text or json\nRun fwlint --help for usage.\n' });
    expect(await run(['--input-format', 'nope', 'diff', 'HEAD'])).toEqual({ code: 2, stdout: '', stderr: 'fwlint: unknown input format "nope"\nRun fwlint --help for usage.\n' });
  });

  it.each(['trace', 'exposure', 'diff'])('every lint option %s does not take is a usage error before it (exit 2), never a file of that name', async (sub) => {
    const f = file();
    const refused = Object.entries(LINT_OPTIONS).filter(([name]) => !TAKES[sub]!.includes(name) && name !== 'help' && name !== 'version');
    expect(refused.length).toBeGreaterThan(20);
    for (const [name, o] of refused) {
      // (a value in the test's own folder: an -o written by mistake lands there)
      const opt = o.type === 'string' ? [`--${name}`, join(dirname(f), 'x')] : [`--${name}`];
      const r = await run([...opt, sub, ...TAIL[sub]!(f)]);
      expect({ name, ...r }).toEqual({ name, code: 2, stdout: '', stderr: `fwlint: fwlint ${sub} does not take --${name} (an option of linting)\nRun fwlint --help for usage.\n` });
    }
    // a short one too
    expect(await run(['-c', 'x.yaml', sub, ...TAIL[sub]!(f)])).toEqual({ code: 2, stdout: '', stderr: `fwlint: fwlint ${sub} does not take -c\nRun fwlint --help for usage.\n` });
  });

  it('-h / -v before a subcommand still print the help and the version', async () => {
    const h = await run(['--help', 'exposure', 'x']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^fwlint \S+ — lint firewall rules/);
    const v = await run(['-v', 'trace']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
