/**
 * Prefix arithmetic the IaC languages offer as functions (Terraform `cidrsubnet`/`cidrhost`, ARM and
 * Bicep `cidrSubnet`/`cidrHost`), IPv4 and IPv6: one implementation, each language maps its arguments.
 * Undefined where the language fails (not a prefix, a number out of range).
 */
import { formatAddress, parseAddress, type Family } from '../model/index.js';

interface Prefix {
  family: Family;
  bits: number;
  len: number;
  /** The network address (host bits cleared). */
  base: bigint;
}

export function parsePrefix(text: string): Prefix | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/([0-9]{1,3})$/.exec(text.trim());
  const addr = m ? parseAddress(m[1]!) : undefined;
  if (!m || !addr) return undefined;
  const bits = addr.family === 'ipv4' ? 32 : 128;
  const len = Number(m[2]);
  if (len > bits) return undefined;
  const host = BigInt(bits - len);
  return { family: addr.family, bits, len, base: (BigInt(addr.value) >> host) << host };
}

function text(p: Prefix, v: bigint): string {
  return formatAddress(p.family, p.family === 'ipv4' ? Number(v) : v);
}

/** The `index`-th subnet of prefix length `newLen` within `prefix` ("10.0.0.0/16", 24, 3 → "10.0.3.0/24"). */
export function subnetOf(prefix: string, newLen: number, index: bigint): string | undefined {
  const p = parsePrefix(prefix);
  if (!p || !Number.isInteger(newLen) || newLen < p.len || newLen > p.bits || index < 0n || index >= 1n << BigInt(newLen - p.len)) return undefined;
  return `${text(p, p.base | (index << BigInt(p.bits - newLen)))}/${newLen}`;
}

/** The address at `offset` within `prefix` (negative: from the end), undefined outside it. */
export function hostOf(prefix: string, offset: bigint): string | undefined {
  const p = parsePrefix(prefix);
  if (!p) return undefined;
  const size = 1n << BigInt(p.bits - p.len);
  const h = offset < 0n ? offset + size : offset;
  if (h < 0n || h >= size) return undefined;
  return text(p, p.base | h);
}
