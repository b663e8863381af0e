/**
 * fwlint: a thin layer over ESLint's API (lint) and over the engine (trace,
 * exposure, diff). Exit codes: 0 no errors, 1 errors (parse errors included),
 * 2 usage or configuration error.
 */
import { PACKAGE } from '../package-info.js';
import { findSubcommand, LINT_OPTIONS, SUBCOMMANDS, type Subcommand } from './lint-options.js';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  /**
   * Resolves once standard output can take more: true, or false when its reader has gone. A report written in
   * pieces waits for it between pieces (see writeAll in lint.ts).
   */
  drained?: () => Promise<boolean>;
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
  drained: () => drained(process.stdout),
};

/**
 * A pipe is non-blocking for Node: what its reader has not taken yet is queued in the process. Without waiting
 * for 'drain', a 37 MB JSON report piped to a slower reader queued most of itself (up to 60 MB more peak RSS).
 */
function drained(out: NodeJS.WriteStream): Promise<boolean> {
  if (out.destroyed) return Promise.resolve(false);
  if (!out.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve(!out.destroyed);
    };
    // an EPIPE (the reader went away) destroys the stream: 'close', never 'drain'
    out.on('drain', done);
    out.on('close', done);
  });
}

export class UsageError extends Error {}

export const HELP = `fwlint ${PACKAGE.version} — lint firewall rules by what they really expose

Usage:
  fwlint [options] [file|dir|glob|-]...     lint (default: the current directory)
  fwlint trace FILE|- --proto tcp --dport N [--sport N] [--src IP] [--dst IP] [--family ipv4|ipv6] [--iif NAME] [--oif NAME]
                [--hook input|forward] [--state new|established] [--icmp-type N [--icmp-code N]] [--ruleset NAME]
                [--input-format ID] [-f text|json]
  fwlint trace FILE --probes PACKETS.json   trace many packets, print a JSON array
  fwlint exposure PATH...|- [-f text|json] [--hook input|forward]   (-: standard input, --stdin-filename NAME)
  fwlint diff BASE [HEAD] [-f text|json|sarif|github] [-o FILE] [--input-format ID]
                                            what a change newly exposes and closes (git refs; HEAD defaults to
                                            the working tree; BASE...HEAD: from their merge base); exit 1 when a
                                            recommended rule flags a new exposure
  The options trace, exposure and diff take may also come before them (fwlint -f json exposure F).

Lint options:
  -f, --format NAME          stylish (default) | json | sarif | github | junit, or an ESLint formatter: html,
                             json-with-metadata, an eslint-formatter-NAME package (-f gitlab), a file (-f ./f.mjs)
  -o, --output-file FILE     write the report to FILE
  -c, --config FILE          fwlint.config.yaml to use (default: found upward from each file)
  --max-warnings N           exit 1 when there are more than N warnings (-1: no limit, the default)
  --quiet                    report errors only
  --color, --no-color        force stylish colours on or off (default: the terminal, NO_COLOR, FORCE_COLOR)
  --stdin                    read standard input (as the path -)
  --stdin-filename NAME      name for standard input (decides the format)
  --input-format ID          iptables-save | iptables-script | nftables | nftables-json | aws | cloudformation-yaml | terraform | terraform-plan | terraform-state | gcp | gcp-yaml | azure | bicep
  --script-start unknown|empty
                             what the tables hold when an iptables script starts: unknown earlier rules (the
                             default: unflushed chains are read as possibly open) or empty (a fresh host, container
                             or network namespace); also for trace, exposure and diff
  --cache [--cache-location P]   only re-lint changed files (for pre-commit)
  --concurrency N|auto|off   lint files in parallel worker threads (ESLint's own)
  --suppress-all, --suppress-rule RULE, --suppressions-location FILE, --prune-suppressions,
  --pass-on-unpruned-suppressions
                             baselines through ESLint's bulk suppressions (eslint-suppressions.json)
                             inline: # fwlint-ignore RULE ports=… sources=… until=YYYY-MM-DD -- reason (docs/ci.md)
  --rule 'RULE: [SEVERITY, {OPTIONS}]'
                             set a rule's severity and options, as ESLint's --rule (repeatable):
                             --rule 'firewall/no-world-open-sensitive-ports: [error, {tcp: [22, 3389]}]'
  --no-inline-config         ignore eslint and eslint-disable comments (fwlint-ignore ones still apply)
  --report-unused-disable-directives, --report-unused-disable-directives-severity off|warn|error
                             unused eslint-disable comments as errors (default: warnings)
  --ignore-unknown           leave named files that no format recognises alone, as in a folder (pre-commit)
  --live                     lint this host's running rules and listening sockets (Linux)
  --no-summary               no closing summary table (stylish)
  -h, --help, -v, --version
`;

/** ESLint options fwlint does not take: they need ESLint itself, with the plugin in an eslint.config.js. */
const ESLINT_ONLY = new Set(['--fix', '--fix-dry-run', '--fix-type', '--ext', '--plugin', '--parser', '--parser-options', '--env', '--global', '--rulesdir', '--ignore-pattern', '--no-eslintrc', '--no-config-lookup', '--inspect-config', '--print-config', '--flag']);

/**
 * A usage error's message. Node's for an unknown option went on "To specify a positional argument starting with a '-',
 * place it at the end of the command after '--'": `fwlint --fix` was told to lint a file named --fix.
 */
function usageMessage(e: Error, sub?: Subcommand): string {
  const unknown = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']*)'/.exec(e.message)?.[1] : undefined;
  if (unknown === undefined) return e.message;
  const name = unknown.split('=')[0]!;
  if (sub !== undefined) return `fwlint ${sub} does not take ${name}${name !== '--help' && name !== '--version' && name.startsWith('--') && Object.hasOwn(LINT_OPTIONS, name.slice(2)) ? ' (an option of linting)' : ''}`;
  return ESLINT_ONLY.has(name) ? `unknown option '${unknown}': fwlint does not take ESLint's ${name}; run eslint with eslint-plugin-firewall in an eslint.config.js for it` : `unknown option '${unknown}'`;
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let sub: Subcommand | undefined;
  try {
    // git-style: options may come before the subcommand (`fwlint --script-start empty exposure F`); they are the
    // subcommand's, which refuses those it does not take (`fwlint --no-summary exposure F`: exit 2, not a file
    // named exposure linted)
    const found = argv.length > 0 && argv[0]!.startsWith('-') ? findSubcommand(argv) : SUBCOMMANDS.includes(argv[0] as Subcommand) ? { name: argv[0] as Subcommand, at: 0 } : undefined;
    sub = found?.name;
    const args = found ? [...argv.slice(0, found.at), ...argv.slice(found.at + 1)] : argv;
    if (sub === 'trace') return await (await import('./trace.js')).traceCommand(args, io);
    if (sub === 'exposure') return await (await import('./exposure.js')).exposureCommand(args, io);
    if (sub === 'diff') return await (await import('./diff.js')).diffCommand(args, io);
    return await (await import('./lint.js')).lintCommand(argv, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`fwlint: ${usageMessage(e as Error, sub)}\nRun fwlint --help for usage.\n`);
      return 2;
    }
    io.stderr(`fwlint: ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}

