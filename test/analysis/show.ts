import { formatPorts, protocolName, PROTO_UNIVERSE, closedRanges } from '../../src/model/index.js';
import type { Exposure, ExposureEntry } from '../../src/analysis/index.js';

function protos(e: ExposureEntry): string {
  if (e.protocols.equals(PROTO_UNIVERSE)) return 'any';
  const out: string[] = [];
  for (const [lo, hi] of closedRanges(e.protocols)) {
    if (hi - lo > 3) out.push(`${lo}-${hi}`);
    else for (let p = lo; p <= hi; p++) out.push(protocolName(p));
  }
  return out.join(',');
}

/** One line per entry, for exact comparisons: "ipv4 tcp 22 from 0.0.0.0/0 if any open @12 INPUT". */
export function show(e: ExposureEntry): string {
  const src = [e.sources.isEmpty ? '' : e.sources.toString(), e.principals.join(',')].filter(Boolean).join(' + ');
  const parts = [e.family, protos(e), formatPorts(e.dports), 'from', src || 'none', 'if', e.interfaces, e.certainty];
  parts.push(e.rule ? `@${e.rule.span.start.line}` : 'policy');
  parts.push(e.chain.name);
  if (e.via) parts.push(`via @${e.via.rule.span.start.line} ${e.via.to}`);
  for (const r of e.reasons) parts.push(`[${r.message}]`);
  return parts.join(' ');
}

export function showAll(x: Exposure | ExposureEntry[]): string[] {
  const entries = Array.isArray(x) ? x : x.entries;
  return entries.map(show).sort();
}
