/** The one list of formats fwlint reads; importing this module registers them. */
import { registerFormats } from './registry.js';

registerFormats([]);
