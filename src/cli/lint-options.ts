/**
 * The lint command's options (parseArgs' table), in a module of their own: `main` reads it to find a subcommand
 * written after options (`fwlint --script-start empty exposure FILE`) without loading ESLint.
 */
export const LINT_OPTIONS = {
  format: { type: 'string', short: 'f', default: 'stylish' },
  'output-file': { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c' },
  'max-warnings': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  // ESLint's spellings: --stdin is '-', --color / --no-color force the stylish colours on or off
  stdin: { type: 'boolean', default: false },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  'stdin-filename': { type: 'string' },
  'input-format': { type: 'string' },
  'script-start': { type: 'string' },
  cache: { type: 'boolean', default: false },
  'cache-location': { type: 'string' },
  concurrency: { type: 'string' },
  'suppress-all': { type: 'boolean', default: false },
  'suppress-rule': { type: 'string', multiple: true },
  'suppressions-location': { type: 'string' },
  'prune-suppressions': { type: 'boolean', default: false },
  'pass-on-unpruned-suppressions': { type: 'boolean', default: false },
  live: { type: 'boolean', default: false },
  summary: { type: 'boolean', default: true },
  'no-summary': { type: 'boolean', default: false },
  'ignore-unknown': { type: 'boolean', default: false },
  rule: { type: 'string', multiple: true },
  'no-inline-config': { type: 'boolean', default: false },
  'report-unused-disable-directives': { type: 'boolean', default: false },
  'report-unused-disable-directives-severity': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

/** The subcommands: the first word that is not an option (nor an option's value) names one, as in git. */
export const SUBCOMMANDS = ['trace', 'exposure', 'diff'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/**
 * Where the subcommand is in `argv`: its first operand, after any options (`fwlint --script-start empty exposure F`,
 * `fwlint -f json trace F …`), read with the lint options' table so that an option's value is not taken for the
 * subcommand (`fwlint -c exposure F` lints F with the config file `exposure`). Undefined when the first operand is no
 * subcommand (a path to lint), after `--` (`fwlint -- exposure` lints a file of that name), or when `-h`/`-v` asks
 * for the help or the version.
 */
export function findSubcommand(argv: readonly string[]): { name: Subcommand; at: number } | undefined {
  const table: Record<string, { type: string; short?: string }> = LINT_OPTIONS;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a === '-' || !a.startsWith('-')) return (SUBCOMMANDS as readonly string[]).includes(a) ? { name: a as Subcommand, at: i } : undefined;
    let opt: { type: string; short?: string } | undefined;
    let inline: boolean;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      opt = table[eq < 0 ? a.slice(2) : a.slice(2, eq)];
      inline = eq >= 0;
    } else {
      opt = Object.values(table).find((o) => o.short === a[1]);
      inline = a.length > 2;
    }
    if (opt === table.help || opt === table.version) return undefined;
    if (opt?.type === 'string' && !inline) i++;
  }
  return undefined;
}
