/**
 * iptables' mark tests and changes as the model's (src/model/marks.ts): `-m mark`/`-m connmark` `[!] --mark
 * value[/mask]`, and the MARK and CONNMARK targets' options, with the values libxt_MARK and libxt_CONNMARK give the
 * kernel (iptables-extensions(8); xt_MARK: mark = (mark & ~mask) ^ value; xt_connmark: --save-mark ctmark =
 * (ctmark & ~ctmask) ^ (nfmark & nfmask), --restore-mark nfmark = (nfmark & ~nfmask) ^ (ctmark & ctmask)). Numbers
 * are read as libxtables reads them (base 0). Undefined where the text is not in a form read here: the test stays
 * undecided, and an unread change forgets both marks.
 */
import type { MarkOp, MarkTest } from '../../model/index.js';
import { oneOption } from './plain.js';
import { strtouiBase0 } from './rule.js';

const ALL = 0xffffffff;

function u32(t: string | undefined): number | undefined {
  if (t === undefined || t === '') return undefined;
  const n = strtouiBase0(t, ALL);
  return n < 0 ? undefined : n;
}

/** `value[/mask]` (mask 0xffffffff when left out). */
function valueMask(arg: string | undefined): [number, number] | undefined {
  if (arg === undefined) return undefined;
  const slash = arg.indexOf('/');
  const value = u32(slash < 0 ? arg : arg.slice(0, slash));
  const mask = slash < 0 ? ALL : u32(arg.slice(slash + 1));
  return value === undefined || mask === undefined ? undefined : [value, mask];
}

/** `-m mark …` / `-m connmark …` as written (its text), before the match's own `negated`. */
export function markTestOf(module: string, text: string): MarkTest | undefined {
  if (module !== 'mark' && module !== 'connmark') return undefined;
  const o = oneOption(text, module);
  if (!o || o[1] !== '--mark') return undefined;
  const vm = valueMask(o[2]);
  return vm && { ct: module === 'connmark', value: vm[0], mask: vm[1], invert: o[0] };
}

/** The change a MARK, CONNMARK or HMARK target makes, from its options (each with its first argument). */
export function markOpOf(target: string, options: readonly { opt: string; arg: string | undefined }[]): MarkOp | undefined {
  // HMARK sets the packet mark to a hash of the packet's addresses and ports (modulo --hmark-mod, plus --hmark-offset):
  // not followed, the mark is not known after it
  if (target === 'HMARK') return { forget: true };
  if (target !== 'MARK' && target !== 'CONNMARK') return undefined;
  const ct = target === 'CONNMARK';
  const forget: MarkOp = { forget: true };
  const get = (name: string): string | undefined => options.find((o) => o.opt === name)?.arg;
  const has = (name: string): boolean => options.some((o) => o.opt === name);
  const known = new Set(['--set-xmark', '--set-mark', '--and-mark', '--or-mark', '--xor-mark', ...(ct ? ['--save-mark', '--restore-mark', '--mask', '--nfmask', '--ctmask'] : [])]);
  if (options.length === 0 || options.some((o) => !known.has(o.opt))) return forget;
  if (ct && (has('--save-mark') || has('--restore-mark'))) {
    const both = get('--mask');
    const nf = u32(get('--nfmask') ?? both ?? '0xffffffff');
    const ctm = u32(get('--ctmask') ?? both ?? '0xffffffff');
    if (nf === undefined || ctm === undefined || (has('--save-mark') && has('--restore-mark'))) return forget;
    return has('--save-mark') ? { ct: true, and: ~ctm >>> 0, copy: nf, xor: 0 } : { ct: false, and: ~nf >>> 0, copy: ctm, xor: 0 };
  }
  const set = get('--set-xmark') ?? get('--set-mark');
  if (set !== undefined) {
    const vm = valueMask(set);
    if (!vm) return forget;
    const [value, m] = vm;
    // --set-mark zeroes the bits of mask and value, then sets value's (libxt_MARK: info->mask = mark | mask)
    const mask = has('--set-xmark') ? m : (m | value) >>> 0;
    return { ct, and: ~mask >>> 0, xor: value, copy: 0 };
  }
  for (const [name, op] of [
    ['--and-mark', (v: number) => ({ ct, and: v, xor: 0, copy: 0 })],
    ['--or-mark', (v: number) => ({ ct, and: ~v >>> 0, xor: v, copy: 0 })],
    ['--xor-mark', (v: number) => ({ ct, and: ALL, xor: v, copy: 0 })],
  ] as const) {
    if (!has(name)) continue;
    const v = u32(get(name));
    return v === undefined ? forget : op(v);
  }
  return forget;
}
