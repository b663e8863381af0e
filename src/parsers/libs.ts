/**
 * Heavy libraries loaded on first use only. A run that lints iptables files
 * never pays for yaml (~50–85 ms), ajv (~40 ms) or momoa; ESLint's `parse()` is
 * synchronous, so loading goes through `require` (require(esm) is synchronous on
 * every Node version in our engines range: ^20.19, ^22.13, >=24).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let yamlMod: typeof import('yaml') | undefined;
let momoaMod: typeof import('@humanwhocodes/momoa') | undefined;
let ajvMod: typeof import('ajv') | undefined;

export function yamlLib(): typeof import('yaml') {
  return (yamlMod ??= require('yaml') as typeof import('yaml'));
}

export function momoaLib(): typeof import('@humanwhocodes/momoa') {
  return (momoaMod ??= require('@humanwhocodes/momoa') as typeof import('@humanwhocodes/momoa'));
}

export function ajvLib(): typeof import('ajv') {
  return (ajvMod ??= require('ajv') as typeof import('ajv'));
}
