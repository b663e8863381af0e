/**
 * The names of the plugin's rules, without its namespace. A module of its own so that a rule can know its siblings
 * (no-unused-suppressions names a misspelt one) without importing the plugin that imports it; plugin.ts types its
 * rule table by this list, so the two cannot drift apart.
 */
export const RULE_NAMES = [
  'no-unneeded-cft-ports',
  'no-world-open-sensitive-ports',
  'no-undeclared-registered-ports',
  'no-shadowed-rules',
  'no-permissive-default-policy',
  'ip-family-parity',
  'no-unevaluated-input',
  'no-unused-suppressions',
] as const;

export type RuleName = (typeof RULE_NAMES)[number];
