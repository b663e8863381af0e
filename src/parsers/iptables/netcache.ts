/**
 * IPv4 networks seen in a document → their address sets, so that rules naming the
 * same network share one set. Keyed by v4CidrKey (network * 64 + prefix length): a
 * number above 2^31, which a Map would box on every lookup (that cost more than
 * parsing the address); an open-addressing table over a Float64Array does not.
 */
import type { AddrSet } from '../../model/index.js';

const SIZE = 8192; // a power of two
const MASK = SIZE - 1;
/** At most half full: probes stay short; further networks are not cached. */
const LIMIT = SIZE / 2;

export class V4NetCache {
  private keys: Float64Array | undefined;
  private readonly sets: (AddrSet | undefined)[] = [];
  private count = 0;

  get(key: number): AddrSet | undefined {
    const keys = this.keys;
    if (keys === undefined) return undefined;
    for (let h = slot(key); ; h = (h + 1) & MASK) {
      const k = keys[h]!;
      if (k === key) return this.sets[h];
      if (k === -1) return undefined;
    }
  }

  set(key: number, value: AddrSet): void {
    if (this.count >= LIMIT) return;
    // allocated on first use: most documents are small
    const keys = (this.keys ??= new Float64Array(SIZE).fill(-1));
    let h = slot(key);
    while (keys[h] !== -1) {
      if (keys[h] === key) return;
      h = (h + 1) & MASK;
    }
    keys[h] = key;
    this.sets[h] = value;
    this.count++;
  }
}

function slot(key: number): number {
  // the network's 32 bits (ToInt32 wraps) mixed with the prefix length
  const net = (key / 64) | 0;
  return Math.imul(net ^ (key % 64), 0x9e3779b1) >>> 19;
}
