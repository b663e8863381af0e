export * from './intervals.js';
export * from './ports.js';
export * from './protocols.js';
export * from './addresses.js';
export * from './source.js';
export * from './ruleset.js';
export * from './canonical.js';
export * from './tcp-flags.js';
