/**
 * The files Terraform reads besides a configuration file, named once for the parser (which reads them through the
 * injected reader) and for the CLI (whose `--cache` key covers them: ESLint's cache sees only the file's own text).
 */

/**
 * The variable files Terraform loads by itself from the module's directory, later ones winning: `terraform.tfvars`,
 * `terraform.tfvars.json`, then `*.auto.tfvars` / `*.auto.tfvars.json` in lexical order of their names (Terraform
 * docs, "Variable definition precedence").
 */
export const TFVARS_FILES = ['terraform.tfvars', 'terraform.tfvars.json'] as const;
export const AUTO_TFVARS_PATTERNS = ['*.auto.tfvars', '*.auto.tfvars.json'] as const;

/**
 * The module's other files whose variables' defaults a file's `var.x` reads: those named for variables, as modules
 * keep them (`variables.tf`, `vars.tf`, `network-variables.tf`). Not every .tf file: each file of a directory would
 * read all the others (600 files: 360k reads). A variable declared elsewhere stays unknown (possibly open).
 */
export const VARIABLE_FILE_PATTERNS = ['*variable*.tf', '*vars*.tf'] as const;

/**
 * The module's other files whose `locals` a file's `local.x` reads: those named for them (`locals.tf`,
 * `network-locals.tf`), for the reason above. A local defined in another file stays unknown (possibly open).
 */
export const LOCAL_FILE_PATTERNS = ['*locals*.tf'] as const;

/** How deep local modules (`source = "./…"`) are followed. */
export const MAX_MODULE_DEPTH = 4;

/** Whether a module source is local (Terraform reads it from that directory): "./…" or "../…". */
export function isLocalModuleSource(src: string): boolean {
  return src.startsWith('./') || src.startsWith('../');
}

/** The reader pattern for a local module's files: every .tf file of its directory. */
export function moduleFilesPattern(src: string): string {
  let end = src.length;
  while (end > 0 && src.charCodeAt(end - 1) === 47 /* / */) end--;
  return `${src.slice(0, end)}/*.tf`;
}

/**
 * Where `terraform init` installs the modules of a registry or remote source (`source =
 * "terraform-aws-modules/security-group/aws"`): `.terraform/modules/modules.json` beside the root module lists each
 * installed call by key (the module's label; nested calls `parent.child`), source and directory, relative to the
 * root module (Terraform's module installer manifest).
 */
export const INSTALLED_MODULES_MANIFEST = './.terraform/modules/modules.json';

/**
 * The reader pattern for the installed copy of the module call `key` whose source is `src`, from the manifest's
 * text; undefined when it is not installed, or installed from another source (a manifest older than the
 * configuration: `terraform init` was not run since the source changed).
 */
export function installedModuleFiles(manifest: string, key: string, src: string): string | undefined {
  let entries: unknown;
  try {
    entries = (JSON.parse(manifest) as { Modules?: unknown }).Modules;
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries)) return undefined;
  const norm = (s: string): string => s.replace(/^registry\.terraform\.io\//, '');
  for (const m of entries as { Key?: unknown; Source?: unknown; Dir?: unknown }[]) {
    if (!m || m.Key !== key || typeof m.Dir !== 'string' || typeof m.Source !== 'string') continue;
    if (norm(m.Source) !== norm(src) || m.Dir === '' || m.Dir.split('/').includes('..')) return undefined;
    return moduleFilesPattern(`./${m.Dir.replace(/^\.\//, '')}`);
  }
  return undefined;
}
