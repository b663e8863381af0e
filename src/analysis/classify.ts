import { ctBit, type CtBase, type Point } from './cube.js';
import { classifyPoint, exposureSpace, type PacketClass } from './exposure.js';
import { normalizePacket } from './trace.js';
import type { Exposure, Packet } from './types.js';
import { familiesLeftToHost } from '../model/index.js';

/**
 * Where a concrete packet lies in an exposure: 'open', 'possibly-open' or
 * 'closed'. The exposure only holds NEW connections not from `lo`, so other
 * packets are 'closed' here (use tracePacket for them).
 */
export function classifyPacket(exposure: Exposure, packet: Packet): PacketClass {
  const { state, error } = normalizePacket({ hook: exposure.hook, ...packet });
  if (error) return 'closed';
  const sp = exposureSpace(exposure, state.family);
  // (a family the file says nothing of: tracePacket's "the ruleset does not filter ipv6")
  if (!sp) return familiesLeftToHost(exposure.ruleset).includes(state.family) ? 'possibly-open' : 'closed';
  const p: Point = {
    family: state.family,
    proto: state.proto,
    iif: sp.ifs.bit(state.iif),
    // input: the packet's own oif is '' but a DNAT'd copy leaves by a routed interface — any
    oif: exposure.hook === 'input' ? sp.universe.oif : sp.ifs.bit(state.oif ?? 'eth1'),
    ct: ctBit(state.state as CtBase, false),
    sport: state.sport,
  };
  if (state.icmp !== undefined) p.icmp = state.icmp;
  if (state.dport !== undefined) p.dport = state.dport;
  if (state.dst !== undefined) p.dst = state.dst;
  if (state.srcPrincipal !== undefined) p.sprin = sp.prins.bit(state.srcPrincipal);
  else if (state.src !== undefined) p.src = state.src;
  return classifyPoint(exposure, p);
}
