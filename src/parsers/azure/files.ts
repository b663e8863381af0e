/**
 * The file Azure deploys a template with besides the template, named once for the parser (which reads it through the
 * injected reader) and for the CLI (whose `--cache` key covers it), without loading the parser.
 */

/** The parameter file deployed with a template, by the Azure convention: `X.parameters.json` beside `X.json` or `X.bicep`. */
export function armParameterFileName(filePath: string): string | undefined {
  const base = filePath.replace(/^.*[\\/]/, '');
  const m = /^(.+)\.(?:jsonc?|bicep)$/i.exec(base);
  return m && !/\.parameters$/i.test(m[1]!) ? `${m[1]}.parameters.json` : undefined;
}

/** The Bicep parameters file of a Bicep file, by the same convention: `X.bicepparam` beside `X.bicep`. */
export function bicepParamFileName(filePath: string): string | undefined {
  const m = /^(.+)\.bicep$/i.exec(filePath.replace(/^.*[\\/]/, ''));
  return m ? `${m[1]}.bicepparam` : undefined;
}
