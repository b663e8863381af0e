import type { AddrSet } from '../model/index.js';
import type { ServicePorts } from '../catalog/index.js';

/** Where a deployment was learnt from. `line` is 1-based; `text` is that line, trimmed. */
export interface Evidence {
  file: string;
  line: number;
  text: string;
  kind: 'config' | 'discovered' | 'in-file' | 'rule-options';
}

/** A service running on some targets: its ports there are needed (from `sources`, when given). */
export interface Deployment {
  /** Service id ("transfer-cft"). */
  service: string;
  /** Host names, sg ids/names, tags, NSG names, Kubernetes names/namespaces. */
  targets: string[];
  ports: ServicePorts[];
  /** Who should reach it; undefined = not restricted by the declaration. */
  sources?: AddrSet;
  /**
   * A declaration without `ports`: its ports are the catalogue's. Where discovery finds the service on one of its
   * targets, the ports found there decide (see `yieldToDiscovered`).
   */
  cataloguePorts?: boolean;
  /** Ports its `disabled` roles switched off, with the role (`{1763: 'sftp'}`): messages say why they are unneeded. */
  disabled?: Record<number, string>;
  evidence: Evidence[];
}

