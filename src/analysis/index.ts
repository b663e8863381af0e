/** The exposure engine and packet tracer: the only place that knows evaluation semantics. */
export type {
  Verdict,
  Packet,
  TraceStep,
  TraceResult,
  Certainty,
  Reason,
  ExposureEntry,
  Exposure,
  Shadowed,
} from './types.js';
export { tracePacket, normalizePacket } from './trace.js';
export { computeExposure, exposedPorts, classifyPoint, type PacketClass } from './exposure.js';
export { classifyPacket } from './classify.js';
export { findShadowedRules } from './shadow.js';
