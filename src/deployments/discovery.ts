/**
 * Discovery of Transfer CFT deployments in the repository being linted:
 * docker-compose, Kubernetes manifests (also `podman play kube`), Helm values,
 * systemd units, initialize.properties, cft-tcp.conf and UCONF settings.
 *
 * `discoverInText` is pure (one file's text → findings); `discoverDeployments`
 * walks a directory tree, bounded (skips node_modules and .git, at most
 * `maxFiles` entries, files of at most `maxBytes`, does not enter directories
 * that have their own fwlint.config.*), and merges findings per target.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { AddrSet, closedRanges, LineIndex, numSetOf, parseCidr, type NumSet } from '../model/index.js';
import { CFT_ROLES, type ServicePorts } from '../catalog/index.js';
import { get, items, num, parseYamlTree, splitYamlDocuments, str, type PObject, type PValue } from '../parsers/values.js';
import { parseHcl } from '../parsers/hcl/index.js';
import type { Deployment, Evidence } from './types.js';
import { CONFIG_FILE_NAMES } from './config.js';

type RoleId = (typeof CFT_ROLES)[number]['id'];

const ROLE_DEFAULT = new Map<RoleId, number>(CFT_ROLES.map((r) => [r.id, r.port]));
const ROLE_BY_DEFAULT_PORT = new Map<number, RoleId>(CFT_ROLES.map((r) => [r.port, r.id]));
const ROLE_IDS = new Set<string>(CFT_ROLES.map((r) => r.id));
/** Helm/podman service port names that identify Transfer CFT ("sftp" alone is too generic). */
const CFT_PORT_NAMES = new Set(['pesit', 'pesitssl', 'copilot', 'copilotcg', 'restapi']);
/** Names nothing but Transfer CFT uses; "copilot" or "restapi" alone could be another product. */
const CFT_ONLY_NAMES = new Set(['pesit', 'pesitssl', 'copilotcg']);

/** Port names that identify Transfer CFT: one CFT-only name, or two CFT names. */
function cftPortNames(ports: PValue[]): boolean {
  const names = new Set<string>();
  for (const p of ports) {
    const n = str(get(p, 'name'));
    if (n && CFT_PORT_NAMES.has(n)) names.add(n);
  }
  return names.size >= 2 || [...names].some((n) => CFT_ONLY_NAMES.has(n));
}

const ENV_ROLE: Record<string, RoleId> = {
  CFT_PESIT_PORT: 'pesit',
  CFT_PESITSSL_PORT: 'pesitssl',
  CFT_SFTP_PORT: 'sftp',
  CFT_COMS_PORT: 'coms',
  CFT_COPILOT_PORT: 'copilot',
  CFT_COPILOT_CG_PORT: 'copilotcg',
  CFT_RESTAPI_PORT: 'restapi',
};

/**
 * Variables only a Transfer CFT instance itself has. Port variables alone are not enough:
 * clients of CFT (test runners, Flow Manager jobs) carry CFT_RESTAPI_PORT to reach it.
 */
const INSTANCE_ENV = new Set(['CFT_INSTANCE_ID', 'CFT_INSTANCE_GROUP', 'CFT_CFTDIRRUNTIME', 'CFT_KEY', 'CFT_CATALOG_SIZE', 'CFT_COM_SIZE']);

function isCftInstanceEnv(env: Map<string, unknown>): boolean {
  for (const k of env.keys()) if (INSTANCE_ENV.has(k)) return true;
  return false;
}

const PROPERTIES_ROLE: Record<string, RoleId> = {
  pesit_port: 'pesit',
  pesit_ssl_port: 'pesitssl',
  pesitssl_port: 'pesitssl',
  sftp_port: 'sftp',
  coms_port: 'coms',
  copilot_port: 'copilot',
  copilot_cg_port: 'copilotcg',
  copilot_ssl_port: 'copilotcg',
  restapi_port: 'restapi',
};

const UCONF_ROLE: [string, RoleId][] = [
  ['copilot.general.ssl_serverport', 'copilotcg'],
  ['copilot.general.serverport', 'copilot'],
  ['copilot.restapi.serverport', 'restapi'],
  ['samples.pesitany_sap.value', 'pesit'],
  ['samples.pesitssl_sap.value', 'pesitssl'],
  ['samples.sftp_sap.value', 'sftp'],
  // the installer's COMS_Port (initialize.properties table: "UCONF: samples.coms_port.value")
  ['samples.coms_port.value', 'coms'],
];

const CORE_ROLES: RoleId[] = ['pesit', 'pesitssl', 'sftp', 'coms'];
const COPILOT_ROLES: RoleId[] = ['copilot', 'copilotcg', 'restapi'];

/** One piece of evidence that Transfer CFT runs somewhere, from one file. */
export interface Finding {
  service: 'transfer-cft';
  /** Names found in the file itself (compose service, Kubernetes name and namespace, Helm chart). */
  names: string[];
  /** TCP ports and their roles. */
  ports: NumSet;
  roles: Record<number, string>;
  /** False when the ports are only the catalogue defaults (the file proves CFT runs, not on which ports). */
  explicit: boolean;
  /**
   * Explicit for the roles it names only (a script of `uconfset` calls moving PeSIT to 6330): the other roles keep
   * the ports the rest of the evidence gives them.
   */
  partial?: boolean;
  /**
   * Roles the evidence switches off (`uconfset id=copilot.restapi.enable, value=no`): no port of the deployment keeps
   * them, whatever other evidence of the same targets gives.
   */
  off?: RoleId[];
  sources?: AddrSet;
  evidence: Evidence[];
}

export function isCftImage(image: string | undefined): boolean {
  if (!image) return false;
  const l = image.toLowerCase();
  if (l.includes('transfercft-docker') || l.includes('axway/cft') || l.includes('axway/transfer-cft') || l.includes('axway/transfercft')) return true;
  // a private registry's copy under another path keeps the name: harbor.corp/mft/transfer-cft:3.10 (not "…/cft": too common)
  const at = l.indexOf('@');
  const ref = at >= 0 ? l.slice(0, at) : l;
  const name = ref.slice(ref.lastIndexOf('/') + 1).split(':')[0];
  return name === 'transfer-cft' || name === 'transfercft' || name === 'axway-transfer-cft';
}

// ---------------------------------------------------------------- helpers

class Lines {
  private readonly li: LineIndex;
  constructor(
    readonly file: string,
    readonly text: string,
    private readonly lineOffset = 0,
  ) {
    this.li = new LineIndex(text);
  }
  evidence(line: number): Evidence {
    const starts = this.li.lineStarts;
    const s = starts[line - 1] ?? 0;
    const e = line < starts.length ? starts[line]! - 1 : this.text.length;
    return { file: this.file, line: line + this.lineOffset, text: this.text.slice(s, e).trim(), kind: 'discovered' };
  }
  at(v: PValue | undefined): Evidence | undefined {
    return v ? this.evidence(v.span.start.line) : undefined;
  }
}

function portsOf(roles: Map<number, RoleId | undefined>): { ports: NumSet; roles: Record<number, string> } {
  const r: Record<number, string> = {};
  for (const [p, id] of roles) if (id) r[p] = id;
  return { ports: numSetOf([...roles.keys()].map((p) => [p, p] as const)), roles: r };
}

function defaultRoles(ids: RoleId[]): Map<number, RoleId> {
  const m = new Map<number, RoleId>();
  for (const id of ids) m.set(ROLE_DEFAULT.get(id)!, id);
  return m;
}

function validPort(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 65535;
}

function pushEv(list: Evidence[], e: Evidence | undefined): void {
  if (e && !list.some((x) => x.line === e.line && x.file === e.file)) list.push(e);
}

function sourcesOf(v: PValue | undefined): AddrSet | undefined {
  let out: AddrSet | undefined;
  for (const it of items(v)) {
    const s = str(it);
    const a = s ? parseCidr(s) : undefined;
    if (a) out = out ? out.union(a) : a;
  }
  return out;
}

/** Environment of a compose service or a Kubernetes container: name → [value, node]. */
function envOf(v: PValue | undefined): Map<string, { value: string | undefined; node: PValue }> {
  const m = new Map<string, { value: string | undefined; node: PValue }>();
  if (!v) return m;
  if (v.kind === 'object') {
    for (const e of v.entries) {
      const val = e.value.kind === 'scalar' && e.value.value !== null ? String(e.value.value) : undefined;
      m.set(e.key, { value: val, node: e.value.kind === 'scalar' && e.value.value === null ? { kind: 'scalar', value: null, span: e.keySpan } : e.value });
    }
  } else if (v.kind === 'array') {
    for (const it of v.items) {
      const s = str(it);
      if (s !== undefined) {
        const eq = s.indexOf('=');
        m.set(eq < 0 ? s : s.slice(0, eq), { value: eq < 0 ? undefined : s.slice(eq + 1), node: it });
      } else if (it.kind === 'object') {
        const name = str(get(it, 'name'));
        const value = get(it, 'value');
        if (name) m.set(name, { value: value?.kind === 'scalar' && value.value !== null ? String(value.value) : undefined, node: it });
      }
    }
  }
  return m;
}

/** Container port → role, from defaults overridden by CFT_*_PORT variables; env evidence collected. */
function rolesFromEnv(env: ReturnType<typeof envOf>, ev: Evidence[], lines: Lines): { byPort: Map<number, RoleId>; fromEnv: boolean } {
  const byRole = new Map<RoleId, number>(ROLE_DEFAULT);
  let fromEnv = false;
  for (const [k, { value, node }] of env) {
    const role = ENV_ROLE[k];
    if (!role) continue;
    fromEnv = true;
    pushEv(ev, lines.at(node));
    const v = value !== undefined && value.includes('$') ? interpolateDefaults(value) : value;
    const n = v !== undefined && /^[0-9]{1,5}$/.test(v.trim()) ? Number(v.trim()) : undefined;
    if (validPort(n)) byRole.set(role, n);
  }
  const byPort = new Map<number, RoleId>();
  for (const [role, p] of byRole) byPort.set(p, role);
  return { byPort, fromEnv };
}

/**
 * A container port in the Transfer CFT block that no role listens on (1764, or 1765 when COMS moved): publishing it
 * (`"1761-1768:1761-1768"`) opens the host port to nothing, so it is no port the deployment needs.
 */
function noRole(containerPort: number, role: RoleId | undefined): boolean {
  return role === undefined && containerPort >= 1761 && containerPort <= 1768;
}

// ---------------------------------------------------------------- docker-compose

/** A host address that only the host itself reaches: a port published there needs no firewall opening. */
function isLoopbackHost(ip: string): boolean {
  const l = ip.trim().toLowerCase();
  return l === 'localhost' || l === '::1' || l.startsWith('127.');
}

/**
 * Compose interpolation in a port text: `${VAR:-1761}` and `${VAR-1761}` give their default; any other variable
 * stays unknown (`$`). Linear (no nested quantifiers).
 */
/**
 * The variables of the compose project's `.env` file (compose reads it from the project directory to interpolate the
 * file), for the compose file being read: set by `discoverInText`'s caller through its `vars` argument.
 */
let composeVars: ReadonlyMap<string, string> | undefined;

/**
 * Whether the folder of the file being read holds a `Chart.yaml` (set by the walk; undefined when not known): only a
 * chart's folder names the chart. A values file kept in `environments/prod/` names no target "prod" (a GCP network or
 * an NSG of that name would otherwise match the deployment).
 */
let inChartDir: boolean | undefined;

/**
 * The variables of the files a compose service names in `env_file` (as written there → KEY=VALUE), read by the walk:
 * the service's environment, under what `environment` sets itself (compose spec, "env_file").
 */
let composeEnvFiles: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;

/** The `env_file` entries of a compose file's services: a path, a list of paths, or of `{path, required}`. */
export function composeEnvFileRefs(text: string): string[] {
  const out: string[] = [];
  for (const d of splitYamlDocuments(text)) {
    const services = get(parseYamlTree(d.text).value, 'services');
    if (services?.kind !== 'object') continue;
    for (const e of services.entries) {
      const ef = get(e.value, 'env_file');
      for (const it of ef?.kind === 'array' ? ef.items : ef ? [ef] : []) {
        const path = str(it) ?? str(get(it, 'path'));
        if (path && !out.includes(path)) out.push(path);
      }
    }
  }
  return out;
}

/** `KEY=VALUE` lines of a compose `.env` file (comments, blank lines, quotes; `export ` tolerated). */
export function parseDotEnv(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    const key = l.slice(0, eq).replace(/^export\s+/, '').trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    let v = l.slice(eq + 1).trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    m.set(key, v);
  }
  return m;
}

/**
 * Compose interpolation: `${VAR}` and `$VAR` from the project's `.env`, `${VAR:-default}` (unset or empty) and
 * `${VAR-default}` (unset) else their default; what stays unknown becomes `$`.
 */
function interpolateDefaults(text: string): string {
  return text
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([0-9.:\[\]a-fA-F-]*))?\}/g, (all, name: string, colon: string | undefined, def: string | undefined) => {
      const v = composeVars?.get(name);
      if (v !== undefined && (v !== '' || colon !== ':')) return v;
      return def ?? all;
    })
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, name: string) => composeVars?.get(name) ?? all)
    .replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, '$');
}

/**
 * The ports of a Transfer CFT container started by `docker run` or a Podman Quadlet unit: the host ports of what it
 * publishes (`-p`, `PublishPort=`; loopback-only ones need no firewall), or with host networking or nothing
 * published its roles' own ports; each `-p` and the host-network option added to `evidence`.
 */
function containerPorts(
  env: ReturnType<typeof envOf>,
  publish: readonly { spec: string; line: number }[],
  networkHost: number | undefined,
  evidence: Evidence[],
  lines: Lines,
): { ports: NumSet; roles: Record<number, string>; explicit: boolean } {
  const { byPort, fromEnv } = rolesFromEnv(env, evidence, lines);
  const published = new Map<number, RoleId | undefined>();
  let publishes = false;
  for (const p of publish) {
    const pairs = composePortPairs(p.spec);
    if (!pairs) continue;
    publishes = true;
    pushEv(evidence, lines.evidence(p.line));
    if (pairs === 'loopback') continue;
    if (pairs === 'unknown') publishUnknown(published, byPort);
    else for (const [h, c] of pairs) if (!noRole(c, byPort.get(c))) published.set(h >= 0 ? h : c, byPort.get(c));
  }
  if (networkHost !== undefined) pushEv(evidence, lines.evidence(networkHost));
  const chosen = publishes && networkHost === undefined ? published : (byPort as Map<number, RoleId | undefined>);
  return { ...portsOf(chosen), explicit: publishes || fromEnv };
}

/**
 * "[ip:]host[-range]:container[-range][/proto]" → pairs [host, container] (tcp only), undefined for other protocols,
 * "loopback" when published on 127.0.0.0/8 or ::1 only. A host port that is a variable without a default is taken
 * to be the container port (`"${PESIT_PORT}:1761"`, also Ansible's `"{{ cft_pesit_port }}:1761"`); "unknown" when the
 * container port is such a variable too (`"{{ cft_pesit_port }}:{{ cft_pesit_port }}"`): some port is published.
 */
function composePortPairs(spec: string): [number, number][] | 'loopback' | 'unknown' | undefined {
  let s = interpolateDefaults(spec.trim()).replace(/\{\{[^{}]*\}\}/g, '$');
  let proto = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    proto = s.slice(slash + 1).toLowerCase();
    s = s.slice(0, slash);
  }
  if (proto !== 'tcp') return undefined;
  // strip an IPv6 host ip in brackets, or an IPv4 host ip
  let hostIp: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close >= 0) {
      hostIp = s.slice(1, close);
      s = s.slice(close + 2);
    }
  }
  const parts = s.split(':');
  if (parts.length === 3) hostIp = parts.shift();
  if (hostIp !== undefined && isLoopbackHost(hostIp)) return 'loopback';
  const range = (t: string): [number, number] | undefined => {
    const d = t.indexOf('-');
    const a = Number(d < 0 ? t : t.slice(0, d));
    const b = Number(d < 0 ? t : t.slice(d + 1));
    return t !== '' && validPort(a) && validPort(b) && b >= a ? [a, b] : undefined;
  };
  if (parts.length === 1) {
    // container port only: published on a random host port; the container port is what CFT listens on
    const c = range(parts[0]!);
    if (!c) return s.includes('$') ? 'unknown' : undefined;
    const out: [number, number][] = [];
    for (let p = c[0]; p <= c[1]; p++) out.push([-1, p]);
    return out;
  }
  const c = range(parts[1]!);
  const h = parts[0]!.includes('$') ? c : range(parts[0]!);
  if (!h || !c) return s.includes('$') ? 'unknown' : undefined;
  const out: [number, number][] = [];
  const n = Math.min(h[1] - h[0], c[1] - c[0]);
  for (let k = 0; k <= n; k++) out.push([h[0] + k, c[0] + k]);
  return out;
}

/**
 * A published port fwlint cannot read (`"{{ cft_pesit_port }}:{{ cft_pesit_port }}"`, a compose variable with no
 * value): it may be any of the container's role ports, so none of them is claimed unneeded for it.
 */
function publishUnknown(published: Map<number, RoleId | undefined>, byPort: ReadonlyMap<number, RoleId>): void {
  for (const [c, r] of byPort) published.set(c, r);
}

/** A replica count written as 0 (`replicas: 0`, `replicaCount: 0`, `scale: 0`): nothing of it runs. */
function zeroCount(v: PValue | undefined): boolean {
  return v?.kind === 'scalar' && (v.value === 0 || v.value === '0');
}

/**
 * Compose profiles that say the service is switched off (`profiles: [disabled]`). A service with profiles starts only
 * when one of them is active (compose spec, "profiles"); `prod` or `dr` may well be active where the file is used,
 * so only names that say "never" make the service no deployment.
 */
const OFF_PROFILES = /^(disabled?|decommissioned|deprecated|retired|inactive|unused|off|never|archived?)$/i;

function fromCompose(doc: PValue, lines: Lines): Finding[] {
  const services = get(doc, 'services');
  if (services?.kind !== 'object') return [];
  const out: Finding[] = [];
  for (const entry of services.entries) {
    const svc = entry.value;
    // `extends: {service: base}` (same file, compose spec "extends"): the image and environment it does not set
    // itself come from the base service, through a chain of at most 8
    let base: PValue | undefined = svc;
    const chain: PValue[] = [svc];
    for (let k = 0; k < 8 && base; k++) {
      const ext = get(base, 'extends');
      const name = str(ext) ?? (get(ext, 'file') === undefined ? str(get(ext, 'service')) : undefined);
      base = name !== undefined ? get(services, name) : undefined;
      if (base && !chain.includes(base)) chain.push(base);
      else break;
    }
    const imageNode = chain.map((c) => get(c, 'image')).find((n) => n !== undefined);
    const rawImage = str(imageNode);
    // `image: ${CFT_IMAGE}` with the image in the `.env` beside the file
    const cftImage = isCftImage(rawImage) || (rawImage?.includes('$') === true && isCftImage(interpolateDefaults(rawImage)));
    const env = envOf(chain.map((c) => get(c, 'environment')).find((n) => n !== undefined));
    // `env_file: cft.env` (the instance and port variables kept beside the compose file): under `environment`
    const envFile = chain.map((c) => get(c, 'env_file')).find((n) => n !== undefined);
    for (const it of envFile?.kind === 'array' ? envFile.items : envFile ? [envFile] : []) {
      const vars = composeEnvFiles?.get(str(it) ?? str(get(it, 'path')) ?? '');
      for (const [k, v] of vars ?? []) if (!env.has(k)) env.set(k, { value: v, node: it });
    }
    const hasCftEnv = isCftInstanceEnv(env);
    if (!cftImage && !hasCftEnv) continue;
    // scaled to nothing (`scale: 0`, `deploy: {replicas: 0}`) or only under profiles that say it is off: not running
    if (zeroCount(get(svc, 'scale')) || zeroCount(get(get(svc, 'deploy'), 'replicas'))) continue;
    const profiles = items(get(svc, 'profiles')).map((p) => str(p));
    if (profiles.length > 0 && profiles.every((p) => p !== undefined && OFF_PROFILES.test(p))) continue;
    const evidence: Evidence[] = [];
    pushEv(evidence, lines.at(cftImage ? imageNode : undefined) ?? lines.evidence(entry.keySpan.start.line));
    const { byPort, fromEnv } = rolesFromEnv(env, evidence, lines);
    const published = new Map<number, RoleId | undefined>();
    /** Some ports are published, if only on the loopback address (then the host's firewall needs none of them). */
    let publishes = false;
    const portsNode = get(svc, 'ports');
    for (const p of items(portsNode)) {
      let pairs: [number, number][] | 'loopback' | 'unknown' | undefined;
      if (p.kind === 'object') {
        const target = num(get(p, 'target'));
        const pub = get(p, 'published');
        const proto = (str(get(p, 'protocol')) ?? 'tcp').toLowerCase();
        if (proto !== 'tcp' || !validPort(target)) continue;
        const hostIp = str(get(p, 'host_ip'));
        const pubText = pub?.kind === 'scalar' && pub.value !== null ? String(pub.value) : undefined;
        pairs = hostIp !== undefined && isLoopbackHost(hostIp) ? 'loopback' : pubText ? composePortPairs(`${pubText}:${target}`) : [[-1, target]];
      } else if (p.kind === 'scalar' && p.value !== null) {
        pairs = composePortPairs(String(p.value));
      }
      if (!pairs) continue;
      publishes = true;
      pushEv(evidence, lines.at(p));
      if (pairs === 'loopback') continue;
      if (pairs === 'unknown') publishUnknown(published, byPort);
      else for (const [h, c] of pairs) if (!noRole(c, byPort.get(c))) published.set(h >= 0 ? h : c, byPort.get(c));
    }
    const networkHost = str(get(svc, 'network_mode')) === 'host';
    const chosen = publishes && !networkHost ? published : (byPort as Map<number, RoleId | undefined>);
    if (networkHost) pushEv(evidence, lines.at(get(svc, 'network_mode')));
    const names = [entry.key];
    for (const k of ['container_name', 'hostname']) {
      const s = str(get(svc, k));
      if (s && !names.includes(s)) names.push(s);
    }
    out.push({ service: 'transfer-cft', names, ...portsOf(chosen), explicit: publishes || fromEnv, evidence });
  }
  return out;
}

// ---------------------------------------------------------------- Kubernetes

function podSpecOf(doc: PValue, kind: string): PValue | undefined {
  const spec = get(doc, 'spec');
  switch (kind) {
    case 'Pod':
      return spec;
    case 'CronJob':
      return get(get(get(get(spec, 'jobTemplate'), 'spec'), 'template'), 'spec');
    default:
      return get(get(spec, 'template'), 'spec');
  }
}

function k8sNames(doc: PValue): string[] {
  const md = get(doc, 'metadata');
  const names: string[] = [];
  const n = str(get(md, 'name'));
  const ns = str(get(md, 'namespace'));
  if (n) names.push(n);
  // `default` is where every manifest without a namespace goes: it names no place (and would match, say, the GCP
  // network `default`, a target of every firewall rule on it)
  if (ns && ns !== 'default' && !names.includes(ns)) names.push(ns);
  return names;
}

function labelsOf(v: PValue | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (v?.kind === 'object') for (const e of v.entries) if (e.value.kind === 'scalar' && e.value.value !== null) m.set(e.key, String(e.value.value));
  return m;
}

interface CftWorkload {
  labels: Map<string, string>;
  /** container port → role, and port name → container port. */
  roleByPort: Map<number, RoleId>;
  portByName: Map<string, number>;
  /** Its finding, and the ports it binds on the node itself (`hostPort`: reachable without a Service). */
  finding: Finding;
  hostPorts: Set<number>;
  /**
   * Container port → who the LoadBalancer/NodePort Services selecting it let in (undefined: anyone; a NodePort,
   * a LoadBalancer without `loadBalancerSourceRanges`). Ports no such Service exposes are not in the map.
   */
  exposedBy: Map<number, AddrSet | undefined>;
  /** The `loadBalancerSourceRanges` line of a Service that restricts it. */
  sourceEvidence?: Evidence;
  /** Scaled to zero (`replicas: 0`): no pod runs, neither it nor a Service selecting it is a deployment. */
  stopped?: boolean;
}

/** A Service whose workload is not in its file: what it needs to restrict one in another file of the walk. */
interface PendingService {
  selector: Map<string, string>;
  type: string;
  /** Its targetPorts: a number, or a container port name (`port` when none). */
  targets: (number | string)[];
  sources?: AddrSet;
  sourceEvidence?: Evidence;
}

/**
 * Kubernetes findings and what links them across files (a Service in service.yaml selecting the StatefulSet of
 * statefulset.yaml): kept beside the findings, not in them.
 */
const k8sLinks = new WeakMap<Finding, { namespace: string | undefined; workload?: CftWorkload; service?: PendingService }>();

/**
 * The CFT workloads scaled to zero that the walk met (namespace, pod labels): a Service in another file that selects
 * only such workloads forwards to no pod (`linkServicesAcrossFiles`). Set by `scanFindings` for its walk.
 */
let stoppedSink: { namespace: string | undefined; labels: Map<string, string> }[] | undefined;

/**
 * The ConfigMaps of the file being read (namespace/name → data), for the `envFrom: [{configMapRef: {name}}]` of its
 * workloads: the instance and port variables are often kept there.
 */
let k8sConfigMaps: Map<string, Map<string, string>> | undefined;

function fromK8sWorkload(doc: PValue, kind: string, lines: Lines, workloads: CftWorkload[]): Finding[] {
  const pod = podSpecOf(doc, kind);
  const ns = str(get(get(doc, 'metadata'), 'namespace')) ?? '';
  // `hostNetwork: true`: the containers listen in the node's network namespace, every container port is a port of
  // the node (reachable as a hostPort is, whatever a LoadBalancer in front of it lets in)
  const hostNetwork = get(pod, 'hostNetwork');
  const onNode = hostNetwork?.kind === 'scalar' && hostNetwork.value === true;
  const out: Finding[] = [];
  for (const c of items(get(pod, 'containers'))) {
    const imageNode = get(c, 'image');
    const env = envOf(get(c, 'env'));
    // envFrom a ConfigMap of the same file and namespace: under env (Kubernetes: env wins over envFrom)
    for (const from of items(get(c, 'envFrom'))) {
      const data = k8sConfigMaps?.get(`${ns}/${str(get(get(from, 'configMapRef'), 'name')) ?? ''}`);
      const prefix = str(get(from, 'prefix')) ?? '';
      for (const [k, v] of data ?? []) if (!env.has(prefix + k)) env.set(prefix + k, { value: v, node: from });
    }
    const hasCftEnv = isCftInstanceEnv(env);
    if (!isCftImage(str(imageNode)) && !hasCftEnv) continue;
    const evidence: Evidence[] = [];
    pushEv(evidence, lines.at(isCftImage(str(imageNode)) ? imageNode : c));
    const { byPort, fromEnv } = rolesFromEnv(env, evidence, lines);
    const declared = new Map<number, RoleId | undefined>();
    const portByName = new Map<string, number>();
    const hostPorts = new Set<number>();
    for (const p of items(get(c, 'ports'))) {
      const proto = (str(get(p, 'protocol')) ?? 'TCP').toUpperCase();
      const cp = num(get(p, 'containerPort'));
      const hp = num(get(p, 'hostPort'));
      const name = str(get(p, 'name'));
      if (proto !== 'TCP' || !validPort(cp)) continue;
      pushEv(evidence, lines.at(p));
      const role = name && ROLE_IDS.has(name) ? (name as RoleId) : byPort.get(cp);
      if (name) portByName.set(name, cp);
      if (noRole(cp, role)) continue;
      declared.set(cp, role);
      if (validPort(hp)) hostPorts.add(hp);
      if (onNode) {
        hostPorts.add(cp);
        pushEv(evidence, lines.at(hostNetwork));
      }
      if (validPort(hp) && hp !== cp) declared.set(hp, role);
    }
    const roleByPort = new Map<number, RoleId>(byPort);
    for (const [p, r] of declared) if (r) roleByPort.set(p, r);
    const chosen = declared.size > 0 ? declared : (byPort as Map<number, RoleId | undefined>);
    const finding: Finding = { service: 'transfer-cft', names: k8sNames(doc), ...portsOf(chosen), explicit: declared.size > 0 || fromEnv, evidence };
    const w: CftWorkload = { labels: labelsOf(get(get(get(get(doc, 'spec'), 'template'), 'metadata'), 'labels') ?? get(get(doc, 'metadata'), 'labels')), roleByPort, portByName, finding, hostPorts, exposedBy: new Map() };
    workloads.push(w);
    // `spec.replicas: 0` (Deployment, StatefulSet, ReplicaSet, ReplicationController): decommissioned or parked, no
    // pod listens anywhere
    if (kind !== 'Pod' && kind !== 'DaemonSet' && kind !== 'Job' && kind !== 'CronJob' && zeroCount(get(get(doc, 'spec'), 'replicas'))) {
      w.stopped = true;
      stoppedSink?.push({ namespace: str(get(get(doc, 'metadata'), 'namespace')), labels: w.labels });
      continue;
    }
    k8sLinks.set(finding, { namespace: str(get(get(doc, 'metadata'), 'namespace')), workload: w });
    out.push(finding);
  }
  return out;
}

function fromK8sService(doc: PValue, lines: Lines, workloads: CftWorkload[]): Finding | undefined {
  const spec = get(doc, 'spec');
  const selector = labelsOf(get(spec, 'selector'));
  const ports = items(get(spec, 'ports'));
  const named = cftPortNames(ports);
  const workload =
    selector.size > 0 ? workloads.find((w) => [...selector].every(([k, v]) => w.labels.get(k) === v)) : undefined;
  if ((!named && !workload) || workload?.stopped) return undefined;
  const evidence: Evidence[] = [];
  pushEv(evidence, lines.at(get(doc, 'kind')));
  const chosen = new Map<number, RoleId | undefined>();
  /** The workload's container ports the Service forwards to; as written, for a workload in another file. */
  const targeted: number[] = [];
  const targetRefs: (number | string)[] = [];
  for (const p of ports) {
    const proto = (str(get(p, 'protocol')) ?? 'TCP').toUpperCase();
    const port = num(get(p, 'port'));
    if (proto !== 'TCP' || !validPort(port)) continue;
    const name = str(get(p, 'name'));
    const tp = get(p, 'targetPort');
    targetRefs.push(num(tp) ?? str(tp) ?? port);
    let role: RoleId | undefined = name && ROLE_IDS.has(name) ? (name as RoleId) : undefined;
    if (workload) {
      const tpNum = num(tp) ?? (str(tp) !== undefined ? workload.portByName.get(str(tp)!) : undefined) ?? port;
      targeted.push(tpNum);
      role ??= workload.roleByPort.get(tpNum);
    }
    if (!role && !workload) role = ROLE_BY_DEFAULT_PORT.get(port);
    pushEv(evidence, lines.at(p));
    chosen.set(port, role);
    const np = num(get(p, 'nodePort'));
    if (validPort(np)) chosen.set(np, role);
  }
  if (chosen.size === 0) return undefined;
  const srcNode = get(spec, 'loadBalancerSourceRanges');
  if (srcNode) pushEv(evidence, lines.at(srcNode));
  const f: Finding = { service: 'transfer-cft', names: k8sNames(doc), ...portsOf(chosen), explicit: true, evidence };
  const sources = sourcesOf(srcNode);
  if (sources) f.sources = sources;
  // the workload's ports this Service takes outside the cluster are reachable from whom it lets in
  const type = str(get(spec, 'type')) ?? 'ClusterIP';
  if (workload && (type === 'LoadBalancer' || type === 'NodePort')) {
    for (const cp of targeted) {
      const was = workload.exposedBy.get(cp);
      const now = type === 'LoadBalancer' ? sources : undefined;
      workload.exposedBy.set(cp, workload.exposedBy.has(cp) ? (was && now ? was.union(now) : undefined) : now);
    }
    if (sources) workload.sourceEvidence = lines.at(srcNode);
  }
  if (!workload && selector.size > 0) {
    const pending: PendingService = { selector, type, targets: targetRefs };
    if (sources) pending.sources = sources;
    const se = lines.at(srcNode);
    if (se) pending.sourceEvidence = se;
    k8sLinks.set(f, { namespace: str(get(get(doc, 'metadata'), 'namespace')), service: pending });
  }
  return f;
}

/**
 * The Services of the walk whose workload is in another file (same namespace, labels matching the selector) restrict
 * it as a Service in its file does (see `restrictByServices`): the restricted ports become a finding of their own,
 * beside the workload's.
 */
function linkServicesAcrossFiles(findings: { rel: string; finding: Finding }[], stopped: NonNullable<typeof stoppedSink> = []): void {
  // a Service (found by its CFT port names) whose selector matches workloads scaled to zero and no running one of its
  // namespace forwards to no pod: no deployment
  if (stopped.length > 0) {
    const running: { namespace: string | undefined; labels: Map<string, string> }[] = [];
    for (const { finding } of findings) {
      const l = k8sLinks.get(finding);
      if (l?.workload) running.push({ namespace: l.namespace, labels: l.workload.labels });
    }
    const selects = (sel: Map<string, string>, ns: string | undefined, w: { namespace: string | undefined; labels: Map<string, string> }): boolean =>
      w.namespace === ns && [...sel].every(([k, v]) => w.labels.get(k) === v);
    for (let at = findings.length - 1; at >= 0; at--) {
      const l = k8sLinks.get(findings[at]!.finding);
      const sel = l?.service?.selector;
      if (!sel || sel.size === 0) continue;
      if (stopped.some((w) => selects(sel, l.namespace, w)) && !running.some((w) => selects(sel, l.namespace, w))) findings.splice(at, 1);
    }
  }
  const workloads: { at: number; w: CftWorkload; namespace: string | undefined }[] = [];
  const services: { s: PendingService; namespace: string | undefined }[] = [];
  findings.forEach(({ finding }, at) => {
    const l = k8sLinks.get(finding);
    if (l?.workload) workloads.push({ at, w: l.workload, namespace: l.namespace });
    if (l?.service && (l.service.type === 'LoadBalancer' || l.service.type === 'NodePort')) services.push({ s: l.service, namespace: l.namespace });
  });
  if (workloads.length === 0 || services.length === 0) return;
  const touched = new Set<number>();
  for (const { s, namespace } of services) {
    for (const { at, w, namespace: ns } of workloads) {
      if (ns !== namespace || ![...s.selector].every(([k, v]) => w.labels.get(k) === v)) continue;
      touched.add(at);
      const now = s.type === 'LoadBalancer' ? s.sources : undefined;
      for (const ref of s.targets) {
        const cp = typeof ref === 'number' ? ref : w.portByName.get(ref);
        if (cp === undefined) continue;
        const was = w.exposedBy.get(cp);
        w.exposedBy.set(cp, w.exposedBy.has(cp) ? (was && now ? was.union(now) : undefined) : now);
      }
      if (now && s.sourceEvidence) w.sourceEvidence = s.sourceEvidence;
    }
  }
  // from the last, so that the positions of the others stay
  for (const at of [...touched].sort((a, b) => b - a)) {
    const { rel, finding } = findings[at]!;
    const w = k8sLinks.get(finding)!.workload!;
    const r = restrictByServices(w);
    if (!r) continue;
    if (finding.ports.isEmpty) findings.splice(at, 1, { rel, finding: r });
    else findings.splice(at + 1, 0, { rel, finding: r });
  }
}

/**
 * A workload's container ports that LoadBalancer Services with `loadBalancerSourceRanges` take outside the cluster
 * (and no NodePort, unrestricted LoadBalancer or `hostPort` exposes otherwise) are reachable from those sources only:
 * they become a finding of their own with those sources, so that a cloud rule opening them wider is too wide.
 */
function restrictByServices(w: CftWorkload): Finding | undefined {
  const f = w.finding;
  let restricted: NumSet = numSetOf([]);
  let sources: AddrSet | undefined;
  for (const [cp, s] of w.exposedBy) {
    if (!s || w.hostPorts.has(cp) || !f.ports.has(cp)) continue;
    restricted = restricted.union(numSetOf([[cp, cp]]));
    sources = sources ? sources.union(s) : s;
  }
  if (!sources || restricted.isEmpty) return undefined;
  const roles: Record<number, string> = {};
  const kept: Record<number, string> = {};
  for (const [k, r] of Object.entries(f.roles)) (restricted.has(Number(k)) ? roles : kept)[Number(k)] = r;
  f.ports = f.ports.subtract(restricted);
  f.roles = kept;
  const evidence = [...f.evidence];
  pushEv(evidence, w.sourceEvidence);
  return { service: 'transfer-cft', names: f.names, ports: restricted, roles, explicit: f.explicit, sources, evidence };
}

// ---------------------------------------------------------------- Helm values

function fromHelmValues(doc: PValue, lines: Lines, file: string): Finding | undefined {
  const service = get(doc, 'service');
  const ports = items(get(service, 'ports'));
  const imageNode = get(get(doc, 'image'), 'repository');
  const cftImage = isCftImage(str(imageNode));
  const named = cftPortNames(ports);
  // `replicaCount: 0` (the transfer-cft chart's own key): the chart installs no pod
  if ((!named && !cftImage) || zeroCount(get(doc, 'replicaCount'))) return undefined;
  const evidence: Evidence[] = [];
  if (cftImage) pushEv(evidence, lines.at(imageNode));
  const chosen = helmServicePorts(ports, evidence, lines);
  // the `helm create` scaffold's single `service.port` (its template writes `port: {{ .Values.service.port }}`)
  const single = get(service, 'port');
  if (chosen.size === 0 && cftImage && validPort(num(single))) {
    pushEv(evidence, lines.at(single));
    chosen.set(num(single)!, ROLE_BY_DEFAULT_PORT.get(num(single)!));
  }
  const explicit = chosen.size > 0;
  const final = explicit ? chosen : (defaultRoles(CFT_ROLES.map((r) => r.id)) as Map<number, RoleId | undefined>);
  const names: string[] = [];
  const chart = basename(dirname(file));
  if (chart && chart !== '.' && chart !== '/' && inChartDir !== false) names.push(chart);
  const fqdn = str(get(get(doc, 'cft'), 'fqdn'));
  if (fqdn && !names.includes(fqdn)) names.push(fqdn);
  const srcNode = get(service, 'loadBalancerSourceRanges');
  if (srcNode) pushEv(evidence, lines.at(srcNode));
  const f: Finding = { service: 'transfer-cft', names, ...portsOf(final), explicit, evidence };
  const sources = sourcesOf(srcNode);
  if (sources) f.sources = sources;
  return f;
}

/**
 * The TCP ports of a chart's `service.ports` (the transfer-cft chart's list: name, port, and the `nodePort` its
 * values.yaml offers, which every node then opens), with their roles: by name, else by default number.
 */
function helmServicePorts(ports: PValue[], evidence: Evidence[], lines: Lines | undefined): Map<number, RoleId | undefined> {
  const chosen = new Map<number, RoleId | undefined>();
  for (const p of ports) {
    const port = num(get(p, 'port'));
    if (!validPort(port)) continue;
    const proto = (str(get(p, 'protocol')) ?? 'TCP').toUpperCase();
    if (proto !== 'TCP') continue;
    const name = str(get(p, 'name'));
    if (lines) pushEv(evidence, lines.at(p));
    const role = name && ROLE_IDS.has(name) ? (name as RoleId) : ROLE_BY_DEFAULT_PORT.get(port);
    chosen.set(port, role);
    const nodePort = num(get(p, 'nodePort'));
    if (validPort(nodePort)) chosen.set(nodePort, role);
  }
  return chosen;
}

// ---------------------------------------------------------------- Helm releases of the transfer-cft chart

/**
 * The service ports of Axway's `transfer-cft` chart by default (helm/transfer-cft/values.yaml of Axway/docker-cft:
 * restapi 1768, pesit 1761, pesitssl 1762, sftp 1763, copilot 1766, copilotcg 1767; no COMS).
 */
const CHART_ROLES: RoleId[] = ['pesit', 'pesitssl', 'sftp', 'copilot', 'copilotcg', 'restapi'];

/** `transfer-cft`, `axway/transfer-cft`, `oci://registry/charts/transfer-cft`: Axway's chart. */
function isCftChart(chart: string | undefined): boolean {
  if (!chart) return false;
  const l = chart.toLowerCase().replace(/\/+$/, '');
  return l.slice(l.lastIndexOf('/') + 1) === 'transfer-cft';
}

/**
 * A release of the `transfer-cft` chart installed from a chart repository (the chart's values.yaml is not in the
 * repository): a helmfile `releases:` entry (not `installed: false`, helmfile's way to uninstall), an Argo CD
 * `Application` or a Flux `HelmRelease`. Ports: the chart's defaults (not explicit: a values file found beside it
 * wins); names: the release and its namespace.
 */
function chartRelease(names: (string | undefined)[], chartNode: PValue | undefined, lines: Lines): Finding {
  const out: string[] = [];
  for (const n of names) if (n && n !== 'default' && !/[{$]/.test(n) && !out.includes(n)) out.push(n);
  return { service: 'transfer-cft', names: out, ...portsOf(defaultRoles(CHART_ROLES)), explicit: false, evidence: lines.at(chartNode) ? [lines.at(chartNode)!] : [] };
}

function fromHelmfile(doc: PValue, lines: Lines): Finding[] {
  const out: Finding[] = [];
  for (const r of items(get(doc, 'releases'))) {
    const chart = get(r, 'chart');
    if (!isCftChart(str(chart))) continue;
    const installed = get(r, 'installed');
    if (installed?.kind === 'scalar' && (installed.value === false || installed.value === 'false')) continue;
    out.push(chartRelease([str(get(r, 'name')), str(get(r, 'namespace'))], chart, lines));
  }
  return out;
}

function fromChartApp(doc: PValue, kind: string, lines: Lines): Finding[] {
  const spec = get(doc, 'spec');
  const md = get(doc, 'metadata');
  if (kind === 'Application') {
    const out: Finding[] = [];
    for (const src of [get(spec, 'source'), ...items(get(spec, 'sources'))]) {
      const chart = get(src, 'chart');
      if (!isCftChart(str(chart))) continue;
      // Argo CD's inline values: `helm.valuesObject`, or `helm.values` as a YAML text
      const helm = get(src, 'helm');
      const inline = get(helm, 'valuesObject') ?? get(helm, 'values');
      const f = withInlineValues(chartRelease([str(get(md, 'name')), str(get(get(spec, 'destination'), 'namespace'))], chart, lines), inline, lines);
      if (f) out.push(f);
    }
    return out;
  }
  // Flux HelmRelease: spec.chart.spec.chart, inline values in spec.values
  const chart = get(get(get(spec, 'chart'), 'spec'), 'chart');
  if (!isCftChart(str(chart))) return [];
  const f = withInlineValues(chartRelease([str(get(spec, 'releaseName')) ?? str(get(md, 'name')), str(get(spec, 'targetNamespace')) ?? str(get(md, 'namespace'))], chart, lines), get(spec, 'values'), lines);
  return f ? [f] : [];
}

/**
 * A release's inline values (an object, or a YAML text) override the chart's: `replicaCount: 0` installs no pod,
 * `service.ports` are the ports (explicit), `service.loadBalancerSourceRanges` the sources. Without them, the release
 * keeps the chart's defaults.
 */
function withInlineValues(release: Finding, inline: PValue | undefined, lines: Lines): Finding | undefined {
  if (!inline) return release;
  let values: PValue | undefined = inline;
  if (inline.kind === 'scalar') {
    const text = str(inline);
    values = text ? parseYamlTree(text).value : undefined;
  }
  if (values?.kind !== 'object') return release;
  if (zeroCount(get(values, 'replicaCount'))) return undefined;
  const service = get(values, 'service');
  const evidence = [...release.evidence];
  pushEv(evidence, lines.at(inline));
  // line numbers inside a YAML text are its own: the evidence is the values key
  const chosen = helmServicePorts(items(get(service, 'ports')), evidence, inline.kind === 'scalar' ? undefined : lines);
  const sources = sourcesOf(get(service, 'loadBalancerSourceRanges'));
  if (chosen.size === 0 && !sources) return release;
  const f: Finding = { ...release, ...(chosen.size > 0 ? { ...portsOf(chosen), explicit: true } : {}), evidence };
  if (sources) f.sources = sources;
  return f;
}

// ---------------------------------------------------------------- Ansible

/** The names of an Ansible finding that are a play's `hosts:` (an inventory group there names its hosts). */
const ansibleHosts = new WeakMap<Finding, string[]>();

/** Modules that run a container (`community.docker.docker_container`, `containers.podman.podman_container`). */
const ANSIBLE_CONTAINER_MODULES = new Set(['docker_container', 'community.docker.docker_container', 'podman_container', 'containers.podman.podman_container']);
/** Keys of a play or block that hold tasks. */
const ANSIBLE_TASK_LISTS = ['tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always'];

/**
 * An Ansible task list or playbook: container tasks of the CFT image (or with its instance variables) give their
 * `published_ports` (podman: `ports`/`publish`) as compose's do, and are named by the container's `name` and by the
 * play's `hosts:` when it is one plain name (a host or group: `mft01`, `cft`; not a pattern or `all`).
 */
function fromAnsible(doc: PValue, lines: Lines): Finding[] {
  const out: Finding[] = [];
  const visit = (tasks: PValue | undefined, hosts: string | undefined, depth: number): void => {
    if (depth > 8) return;
    for (const t of items(tasks)) {
      if (t.kind !== 'object') continue;
      const h = str(get(t, 'hosts'));
      const playHosts = h !== undefined ? (/^[A-Za-z0-9_.-]+$/.test(h) && h !== 'all' ? h : undefined) : hosts;
      for (const k of ANSIBLE_TASK_LISTS) visit(get(t, k), playHosts, depth + 1);
      for (const e of t.entries) {
        if (!ANSIBLE_CONTAINER_MODULES.has(e.key) || e.value.kind !== 'object') continue;
        const m = e.value;
        const imageNode = get(m, 'image');
        const env = envOf(get(m, 'env'));
        if (!isCftImage(str(imageNode)) && !isCftInstanceEnv(env)) continue;
        // `state: absent` removes the container, `stopped` stops it, podman's `created` never starts it (module docs,
        // "state"; the default is `started`): no CFT listens
        const state = str(get(m, 'state'))?.toLowerCase();
        if (state === 'absent' || state === 'stopped' || state === 'created') continue;
        const evidence: Evidence[] = [];
        pushEv(evidence, lines.at(isCftImage(str(imageNode)) ? imageNode : undefined) ?? lines.evidence(e.keySpan.start.line));
        const { byPort, fromEnv } = rolesFromEnv(env, evidence, lines);
        const published = new Map<number, RoleId | undefined>();
        let publishes = false;
        for (const key of ['published_ports', 'ports', 'publish']) {
          for (const p of items(get(m, key))) {
            const spec = p.kind === 'scalar' && p.value !== null ? String(p.value) : undefined;
            const pairs = spec !== undefined ? composePortPairs(spec) : undefined;
            if (!pairs) continue;
            publishes = true;
            pushEv(evidence, lines.at(p));
            if (pairs === 'loopback') continue;
            if (pairs === 'unknown') publishUnknown(published, byPort);
            else for (const [hp, c] of pairs) if (!noRole(c, byPort.get(c))) published.set(hp >= 0 ? hp : c, byPort.get(c));
          }
        }
        const networkHost = str(get(m, 'network_mode')) === 'host';
        if (networkHost) pushEv(evidence, lines.at(get(m, 'network_mode')));
        const chosen = publishes && !networkHost ? published : (byPort as Map<number, RoleId | undefined>);
        const names: string[] = [];
        // a templated name (`cft-{{ inventory_hostname }}`) names no place
        for (const n of [str(get(m, 'name')), playHosts]) if (n && !n.includes('{{') && !names.includes(n)) names.push(n);
        const f: Finding = { service: 'transfer-cft', names, ...portsOf(chosen), explicit: publishes || fromEnv, evidence };
        if (playHosts) ansibleHosts.set(f, [playHosts]);
        out.push(f);
      }
    }
  };
  visit(doc, undefined, 0);
  return out;
}

/**
 * The plays of a playbook that apply roles: role name → the play's `hosts:` (one plain name, as in `fromAnsible`).
 * Never throws.
 */
export function ansiblePlayRoles(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  try {
    for (const d of splitYamlDocuments(text)) {
      const doc = parseYamlTree(d.text).value;
      for (const play of items(doc)) {
        const h = str(get(play, 'hosts'));
        if (h === undefined || !/^[A-Za-z0-9_.-]+$/.test(h) || h === 'all') continue;
        for (const r of items(get(play, 'roles'))) {
          const name = str(r) ?? str(get(r, 'role')) ?? str(get(r, 'name'));
          if (!name) continue;
          const role = name.slice(name.lastIndexOf('/') + 1);
          const l = out.get(role) ?? [];
          if (!l.includes(h)) l.push(h);
          out.set(role, l);
        }
      }
    }
  } catch {
    // not a playbook
  }
  return out;
}

/**
 * An Ansible inventory's groups: group → its hosts and child groups. INI (`[cft]` then one host a line,
 * `[cft:children]`) or YAML (`all: {children: {cft: {hosts: {mft01: …}}}}`). Never throws.
 */
export function ansibleInventoryGroups(text: string, yaml: boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (g: string, m: string): void => {
    const l = out.get(g) ?? [];
    if (!l.includes(m)) l.push(m);
    out.set(g, l);
  };
  try {
    if (yaml) {
      const walk = (name: string, g: PValue | undefined, depth: number): void => {
        if (g?.kind !== 'object' || depth > 16) return;
        const hosts = get(g, 'hosts');
        if (hosts?.kind === 'object') for (const e of hosts.entries) add(name, e.key);
        const children = get(g, 'children');
        if (children?.kind === 'object')
          for (const e of children.entries) {
            add(name, e.key);
            walk(e.key, e.value, depth + 1);
          }
      };
      const doc = parseYamlTree(text).value;
      if (doc?.kind === 'object') for (const e of doc.entries) walk(e.key, e.value, 0);
      return out;
    }
    let group: string | undefined;
    for (const raw of lineTexts(text)) {
      const l = raw.trim();
      if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
      const h = /^\[([^\]:]+)(?::([a-z]+))?\]$/.exec(l);
      if (h) {
        group = h[2] === undefined || h[2] === 'children' ? h[1] : undefined;
        continue;
      }
      const name = l.split(/\s+/)[0]!;
      if (group && name && !name.includes('=')) add(group, name);
    }
  } catch {
    // not an inventory
  }
  return out;
}

/** An Ansible inventory file: INI `hosts`, `inventory`, `*.ini` in an inventory folder, or a YAML one under it. */
function isInventory(rel: string): 'ini' | 'yaml' | undefined {
  const l = rel.toLowerCase();
  const base = l.slice(l.lastIndexOf('/') + 1);
  const inInventory = /(^|\/)inventor(y|ies)\//.test(l);
  if (base === 'hosts' || base === 'inventory' || (inInventory && base.endsWith('.ini')) || base === 'hosts.ini') return 'ini';
  if (inInventory && /\.ya?ml$/.test(base) && !l.includes('/host_vars/') && !l.includes('/group_vars/')) return 'yaml';
  return undefined;
}

/**
 * A kustomization (`kustomization.yaml`): the namespace it sets and the folders and files of its `resources:`
 * (also `bases:`), relative to the scan root, `/`-separated. Undefined when it sets no namespace. Never throws.
 */
export function kustomizeNamespace(rel: string, text: string): { namespace: string; resources: string[] } | undefined {
  try {
    const doc = parseYamlTree(text).value;
    const namespace = str(get(doc, 'namespace'));
    if (!namespace || namespace === 'default') return undefined;
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    const resources: string[] = [];
    for (const key of ['resources', 'bases']) {
      for (const r of items(get(doc, key))) {
        const s = str(r);
        if (!s || s.includes('://') || s.includes('?ref=')) continue;
        // normalise dir/../x and ./x (a resource outside the root is not in the walk)
        const segs: string[] = dir === '' ? [] : dir.split('/');
        for (const seg of s.split('/')) {
          if (seg === '' || seg === '.') continue;
          if (seg === '..') segs.pop();
          else segs.push(seg);
        }
        resources.push(segs.join('/'));
      }
    }
    return { namespace, resources };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- Nomad

/** Blocks of an HCL body with that type (`group`, `task`, `port`: repeated blocks are repeated entries). */
function blocks(body: PValue | undefined, type: string): PObject[] {
  if (body?.kind !== 'object') return [];
  return body.entries.filter((e) => e.key === type && e.value.kind === 'object').map((e) => e.value as PObject);
}

/**
 * A Nomad job (`job "cft" { group "mft" { network { port "pesit" { static = 1761 } } task … { config { image = … } } } }`):
 * a task of the CFT image (or with its instance variables) uses the `static` host ports of its group's network
 * among its `config.ports` (all of them without that list); dynamic ports are no fixed opening. Names: the job, the
 * group, and a node pinned by a `constraint` on `${attr.unique.hostname}` or `${node.unique.name}`.
 */
function fromNomad(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  const { body } = parseHcl(text);
  const lines = new Lines(file, text);
  const pinned = (b: PValue | undefined): string[] => {
    const names: string[] = [];
    for (const c of blocks(b, 'constraint')) {
      const attr = get(c, 'attribute');
      const at = attr?.kind === 'expr' ? attr.text : str(attr);
      const op = str(get(c, 'operator')) ?? '=';
      const v = str(get(c, 'value'));
      if (at && /\$\{(?:attr\.unique\.hostname|node\.unique\.name)\}/.test(at) && (op === '=' || op === '==') && v) names.push(v);
    }
    return names;
  };
  for (const job of blocks(body, 'job')) {
    const jobName = job.block?.labels[0];
    for (const group of blocks(job, 'group')) {
      // `count = 0`: the group runs no allocation (Nomad job specification, group "count", default 1)
      if (zeroCount(get(group, 'count'))) continue;
      const statics = new Map<string, { host: number; container: number; node: PValue }>();
      for (const net of blocks(group, 'network'))
        for (const port of blocks(net, 'port')) {
          const label = port.block?.labels[0];
          const st = get(port, 'static');
          const host = num(st);
          if (!label || !st || !validPort(host)) continue;
          const to = num(get(port, 'to'));
          statics.set(label, { host, container: validPort(to) && to > 0 ? to : host, node: st });
        }
      for (const task of blocks(group, 'task')) {
        const config = get(task, 'config');
        const imageNode = get(config, 'image');
        const env = envOf(get(task, 'env'));
        if (!isCftImage(str(imageNode)) && !isCftInstanceEnv(env)) continue;
        const evidence: Evidence[] = [];
        pushEv(evidence, lines.at(isCftImage(str(imageNode)) ? imageNode : task));
        const { byPort, fromEnv } = rolesFromEnv(env, evidence, lines);
        const used = items(get(config, 'ports')).map((p) => str(p)).filter((p): p is string => p !== undefined);
        const chosen = new Map<number, RoleId | undefined>();
        for (const [label, p] of statics) {
          if (used.length > 0 && !used.includes(label)) continue;
          pushEv(evidence, lines.at(p.node));
          const role = ROLE_IDS.has(label) ? (label as RoleId) : byPort.get(p.container);
          if (!noRole(p.container, role)) chosen.set(p.host, role);
        }
        const names: string[] = [];
        for (const n of [jobName, group.block?.labels[0], ...pinned(job), ...pinned(group), ...pinned(task)]) if (n && !names.includes(n)) names.push(n);
        out.push({ service: 'transfer-cft', names, ...portsOf(chosen), explicit: chosen.size > 0 || fromEnv, evidence });
      }
    }
  }
  return out;
}

function fromYaml(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  const workloads: CftWorkload[] = [];
  const services: { doc: PValue; lines: Lines }[] = [];
  const docs = splitYamlDocuments(text).map((d) => ({ d, doc: parseYamlTree(d.text).value }));
  k8sConfigMaps = undefined;
  for (const { doc } of docs) {
    if (str(get(doc, 'kind')) !== 'ConfigMap' || !get(doc, 'apiVersion')) continue;
    const md = get(doc, 'metadata');
    const data = new Map<string, string>();
    const dn = get(doc, 'data');
    if (dn?.kind === 'object') for (const e of dn.entries) if (e.value.kind === 'scalar' && e.value.value !== null) data.set(e.key, String(e.value.value));
    (k8sConfigMaps ??= new Map()).set(`${str(get(md, 'namespace')) ?? ''}/${str(get(md, 'name')) ?? ''}`, data);
  }
  for (const { d, doc } of docs) {
    if (doc?.kind === 'array') {
      out.push(...fromAnsible(doc, new Lines(file, d.text, d.lineOffset)));
      continue;
    }
    if (doc?.kind !== 'object') continue;
    const lines = new Lines(file, d.text, d.lineOffset);
    const kind = str(get(doc, 'kind'));
    if (kind && get(doc, 'apiVersion')) {
      if (kind === 'Service') services.push({ doc, lines });
      else if ((kind === 'Application' && /argoproj\.io/.test(str(get(doc, 'apiVersion')) ?? '')) || (kind === 'HelmRelease' && /fluxcd\.io/.test(str(get(doc, 'apiVersion')) ?? '')))
        out.push(...fromChartApp(doc, kind, lines));
      else if (['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'].includes(kind))
        out.push(...fromK8sWorkload(doc, kind, lines, workloads));
      continue;
    }
    if (get(doc, 'services')?.kind === 'object') {
      out.push(...fromCompose(doc, lines));
      continue;
    }
    if (get(doc, 'releases')?.kind === 'array') {
      out.push(...fromHelmfile(doc, lines));
      continue;
    }
    const h = fromHelmValues(doc, lines, file);
    if (h) out.push(h);
    else if (doc.kind === 'object') {
      // an umbrella chart's values: a subchart's values are under its name (`transfer-cft: {image: …, service: …}`)
      for (const e of doc.entries) {
        const sub = e.value.kind === 'object' ? fromHelmValues(e.value, lines, file) : undefined;
        if (!sub) continue;
        if (!sub.names.includes(e.key)) sub.names.push(e.key);
        out.push(sub);
      }
    }
  }
  for (const s of services) {
    const f = fromK8sService(s.doc, s.lines, workloads);
    if (f) out.push(f);
  }
  for (const w of workloads) {
    if (w.stopped) continue;
    const r = restrictByServices(w);
    if (!r) continue;
    // the restricted part follows the workload's; a workload whose every port it took is only that part
    const at = out.indexOf(w.finding);
    if (w.finding.ports.isEmpty) out.splice(at, 1, r);
    else out.splice(at + 1, 0, r);
  }
  return out;
}

// ---------------------------------------------------------------- classic installs

function lineTexts(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, ''));
}

function fromSystemd(file: string, text: string): Finding | undefined {
  const ls = lineTexts(text);
  let descLine = -1;
  let copilot = false;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!.trim();
    if (/^Description\s*=/.test(l) && l.includes('Transfer CFT')) {
      descLine = i;
      if (/copilot/i.test(l)) copilot = true;
    }
    if (/^ExecStart\s*=/.test(l) && /\bcopstart\b/.test(l)) copilot = true;
  }
  if (descLine < 0) return undefined;
  if (basename(file) === 'cftcopilot.service') copilot = true;
  const lines = new Lines(file, text);
  return { service: 'transfer-cft', names: [], ...portsOf(defaultRoles(copilot ? COPILOT_ROLES : CORE_ROLES)), explicit: false, evidence: [lines.evidence(descLine + 1)] };
}

/**
 * The Axway Installer's response file for a silent install of Transfer CFT (`Install_Transfer_CFT.properties`,
 * `Component = Transfer_CFT`): its own keys for the listening ports — `SAP1` (PeSIT), `PESITSSL`, `SFTP`,
 * `CommunicationPort` (COMS), `SAPcopilot`, `SSLSAPcopilot` (1767), `rest_port`. A key left empty takes its
 * `<key>.DefaultValue` line, else the catalogue default; the `.Type`/`.Min`/`.Max` lines say nothing of the port.
 */
const INSTALLER_ROLE: Record<string, RoleId> = {
  sap1: 'pesit',
  pesitssl: 'pesitssl',
  sftp: 'sftp',
  sftpsap: 'sftp',
  communicationport: 'coms',
  sapcopilot: 'copilot',
  sslsapcopilot: 'copilotcg',
  rest_port: 'restapi',
};

/** The `key = value` (or `key: value`) lines of a Java properties file, comments left out: key lower-cased, index of the line. */
function* propertyLines(ls: readonly string[]): Generator<{ i: number; key: string; value: string }> {
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!.trim();
    if (l === '' || l.startsWith('#') || l.startsWith('!')) continue;
    const eq = l.search(/[=:]/);
    if (eq <= 0) continue;
    yield { i, key: l.slice(0, eq).trim().toLowerCase(), value: l.slice(eq + 1).trim() };
  }
}

function isInstallerResponse(text: string): boolean {
  return /^[ \t]*Component[ \t]*[=:][ \t]*Transfer_CFT[ \t]*\r?$/m.test(text);
}

function fromInstallerResponse(file: string, text: string): Finding | undefined {
  const ls = lineTexts(text);
  const lines = new Lines(file, text);
  const given = new Map<RoleId, { port?: number; line: number }>();
  const defaults = new Map<RoleId, { port: number; line: number }>();
  let component: Evidence | undefined;
  for (const { i, key, value } of propertyLines(ls)) {
    if (key === 'component' && value === 'Transfer_CFT') component ??= lines.evidence(i + 1);
    const dot = key.indexOf('.');
    const role = INSTALLER_ROLE[dot < 0 ? key : key.slice(0, dot)];
    if (!role) continue;
    const n = /^[0-9]{1,5}$/.test(value) ? Number(value) : undefined;
    if (dot < 0) given.set(role, { port: validPort(n) ? n : undefined, line: i + 1 });
    else if (key.slice(dot + 1) === 'defaultvalue' && validPort(n)) defaults.set(role, { port: n, line: i + 1 });
  }
  if (!component) return undefined;
  const evidence: Evidence[] = [component];
  const byRole = new Map<RoleId, number>(ROLE_DEFAULT);
  for (const [role, d] of defaults) byRole.set(role, d.port);
  for (const [role, g] of given) {
    if (g.port !== undefined) byRole.set(role, g.port);
    pushEv(evidence, lines.evidence(g.port !== undefined ? g.line : (defaults.get(role)?.line ?? g.line)));
  }
  const m = new Map<number, RoleId>();
  for (const [r, p] of byRole) m.set(p, r);
  return { service: 'transfer-cft', names: [], ...portsOf(m), explicit: true, evidence };
}

function fromProperties(file: string, text: string): Finding | undefined {
  const ls = lineTexts(text);
  const byRole = new Map<RoleId, number>(ROLE_DEFAULT);
  const evidence: Evidence[] = [];
  const lines = new Lines(file, text);
  let found = false;
  let restDisabled = false;
  for (const { i, key, value } of propertyLines(ls)) {
    const role = PROPERTIES_ROLE[key];
    if (role) {
      found = true;
      evidence.push(lines.evidence(i + 1));
      const n = /^[0-9]{1,5}$/.test(value) ? Number(value) : undefined;
      if (validPort(n)) byRole.set(role, n);
    } else if (key === 'restapi_enable' && /^(no|false)$/i.test(value)) {
      evidence.push(lines.evidence(i + 1));
      restDisabled = true;
    }
  }
  if (!found) return undefined;
  if (restDisabled) byRole.delete('restapi');
  const m = new Map<number, RoleId>();
  for (const [r, p] of byRole) m.set(p, r);
  return { service: 'transfer-cft', names: [], ...portsOf(m), explicit: true, evidence };
}

/** cft-tcp.conf: CFTPROT objects with their SAP (listening port). */
function fromCftConf(file: string, text: string): Finding | undefined {
  const ls = lineTexts(text);
  const lines = new Lines(file, text);
  const m = new Map<number, RoleId | undefined>();
  const evidence: Evidence[] = [];
  let inProt = false;
  let id = '';
  let sap: { port: number; line: number } | undefined;
  const flush = (): void => {
    if (inProt && sap) {
      const u = id.toUpperCase();
      const role: RoleId | undefined = u.includes('SFTP') ? 'sftp' : u.includes('SSL') ? 'pesitssl' : u.includes('PESIT') ? 'pesit' : ROLE_BY_DEFAULT_PORT.get(sap.port);
      m.set(sap.port, role);
      evidence.push(lines.evidence(sap.line));
    }
    inProt = false;
    id = '';
    sap = undefined;
  };
  for (let i = 0; i < ls.length; i++) {
    const raw = ls[i]!;
    // a cftutil command line in a script: the object follows the command
    const trimmed = raw.trim();
    const l = trimmed.replace(/^(?:\$\{?cftutil\}?|cftutil)\s+/i, '');
    if (l.startsWith('/*') || l.startsWith('#')) continue;
    const obj = /^(CFT[A-Z]+)\b/i.exec(l);
    if (obj || l !== trimmed) {
      // a new object, or another cftutil command (uconfset …), ends the one before
      flush();
      inProt = obj !== null && obj[1]!.toUpperCase() === 'CFTPROT';
    }
    if (!inProt) continue;
    const idm = /\bID\s*=\s*'?([A-Za-z0-9_]+)/i.exec(l);
    if (idm) id = idm[1]!;
    const sm = /\bSAP\s*=\s*\(?\s*'?([0-9]{1,5})/i.exec(l);
    if (sm && validPort(Number(sm[1]))) sap = { port: Number(sm[1]), line: i + 1 };
  }
  flush();
  if (m.size === 0) return undefined;
  return { service: 'transfer-cft', names: [], ...portsOf(m), explicit: true, evidence };
}

/** UCONF keys in scripts and exports: `uconfset id=copilot.restapi.serverport,value=1768`, `copilot.general.serverport = 1766`. */
function fromUconf(file: string, text: string): Finding | undefined {
  const ls = lineTexts(text);
  const lines = new Lines(file, text);
  const m = new Map<number, RoleId>();
  const evidence: Evidence[] = [];
  // `copilot.restapi.enable` (Yes/No; "Configure the REST API server", Transfer CFT 3.3.2 User Guide): the last one wins
  let restapiOff: boolean | undefined;
  let restapiLine = 0;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    const low = l.toLowerCase();
    if (!low.includes('serverport') && !low.includes('_sap.value') && !low.includes('coms_port.value') && !low.includes('copilot.restapi.enable')) continue;
    // a line commented out (`# cftutil uconfset …` kept for the record) sets nothing
    if (isCommentLine(low)) continue;
    const en = /copilot\.restapi\.enable\s*,?\s*value\s*=\s*['"]?(yes|no|true|false|1|0)\b/.exec(low);
    if (en) {
      restapiOff = en[1] === 'no' || en[1] === 'false' || en[1] === '0';
      restapiLine = i + 1;
      continue;
    }
    for (const [key, role] of UCONF_ROLE) {
      const at = low.indexOf(key);
      if (at < 0) continue;
      const after = low.slice(at + key.length, at + key.length + 40);
      const eq = after.indexOf('=');
      if (eq < 0) continue;
      let j = eq + 1;
      while (j < after.length && (after[j] === ' ' || after[j] === "'" || after[j] === '"')) j++;
      const dm = /^[0-9]{1,5}/.exec(after.slice(j));
      if (!dm || !validPort(Number(dm[0]))) continue;
      m.set(Number(dm[0]), role);
      evidence.push(lines.evidence(i + 1));
      break;
    }
  }
  if (restapiOff) pushEv(evidence, lines.evidence(restapiLine));
  const off: RoleId[] | undefined = restapiOff ? ['restapi'] : undefined;
  if (m.size === 0) {
    // only the REST API switched off: Transfer CFT is configured here, on no port these settings state
    if (!off) return undefined;
    return { service: 'transfer-cft', names: [], ...portsOf(defaultRoles(CFT_ROLES.map((r) => r.id).filter((r) => r !== 'restapi'))), explicit: false, off, evidence };
  }
  return { service: 'transfer-cft', names: [], ...portsOf(m), explicit: true, partial: true, ...(off ? { off } : {}), evidence };
}

/**
 * `docker run` (also `podman`, `nerdctl`, `docker container run`) of the Transfer CFT image, or with its instance
 * variables (`-e CFT_INSTANCE_ID=…`), in a script or a systemd unit (`ExecStart=/usr/bin/docker run -p 1761:1761 …`):
 * the ports it publishes (`-p`, `--publish`, as in compose: loopback addresses and UDP need no opening), or with
 * `--network host` the container's ports. Commands continued with `\` are read as one; comment lines are skipped.
 */
/** Words after which the next word is a command. */
const COMMAND_BEFORE = new Set(['sudo', 'exec', 'nohup', 'time', 'then', 'do', 'else', '&&', '||', ';', '|', '-c', '&', '!', 'command', 'env']);

/**
 * A Podman Quadlet unit (`/etc/containers/systemd/cft.container`, podman-systemd.unit(5)): `Image=`, `PublishPort=`
 * (as `-p`), `Environment=` (systemd's `KEY=VALUE …`), `Network=host`; named by `ContainerName=` (else the unit's stem)
 * and `HostName=`. Only the `[Container]` section counts; `#`/`;` lines are comments.
 */
function fromQuadlet(file: string, text: string): Finding | undefined {
  const ls = lineTexts(text);
  const lines = new Lines(file, text);
  let section = '';
  let image: number | undefined;
  let networkHost: number | undefined;
  const env = new Map<string, { value: string | undefined; node: PValue }>();
  const publish: { spec: string; line: number }[] = [];
  const names: string[] = [];
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(l);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    if (section !== 'Container') continue;
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    const key = l.slice(0, eq).trim();
    const value = l.slice(eq + 1).trim();
    const pos = { line: i + 1, column: 1, offset: 0 };
    if (key === 'Image' && isCftImage(value)) image = i + 1;
    else if (key === 'PublishPort') publish.push({ spec: value, line: i + 1 });
    else if (key === 'Network' && value === 'host') networkHost = i + 1;
    else if ((key === 'ContainerName' || key === 'HostName') && value && !names.includes(value)) names.push(value);
    else if (key === 'Environment')
      for (const m of value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
        const a = m[1] ?? m[2] ?? m[3] ?? '';
        const e = a.indexOf('=');
        if (e > 0) env.set(a.slice(0, e), { value: a.slice(e + 1), node: { kind: 'scalar', value: null, span: { start: pos, end: pos } } });
      }
  }
  if (image === undefined && !isCftInstanceEnv(env)) return undefined;
  const evidence: Evidence[] = [lines.evidence(image ?? 1)];
  if (names.length === 0) names.push(basename(file).replace(/\.container$/i, ''));
  return { service: 'transfer-cft', names, ...containerPorts(env, publish, networkHost, evidence, lines), evidence };
}

function fromDockerRun(file: string, text: string): Finding[] {
  const ls = lineTexts(text);
  const lines = new Lines(file, text);
  const out: Finding[] = [];
  // plain assignments of the script (`PESIT_PORT=6330`, `export CFT_IMAGE="…"`), in effect from their line on: the
  // `${PESIT_PORT}` of a later `docker run` is read through them (with the compose `.env` ones, if any)
  const shellVars = new Map<string, string>(composeVars ?? []);
  const outer = composeVars;
  for (let i = 0; i < ls.length; i++) {
    if (isCommentLine(ls[i]!)) continue;
    const asg = /^\s*(?:export\s+|readonly\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`]*)"|'([^']*)'|([^\s"'$`;&|<>()]*))\s*(?:;\s*)?$/.exec(ls[i]!);
    // a systemd unit's `Environment=A=1 "B=2"`: ExecStart= expands ${A} (systemd.exec(5), systemd.service(5))
    const unitEnv = /^\s*Environment\s*=\s*(.*)$/.exec(ls[i]!);
    if (unitEnv) {
      for (const m of unitEnv[1]!.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
        const a = m[1] ?? m[2] ?? m[3] ?? '';
        const e = a.indexOf('=');
        if (e > 0) shellVars.set(a.slice(0, e), a.slice(e + 1));
      }
      continue;
    }
    if (asg) {
      shellVars.set(asg[1]!, asg[2] ?? asg[3] ?? asg[4] ?? '');
      continue;
    }
    composeVars = shellVars;
    // the logical line: tokens with their line (1-based), through `\` continuations
    const tokens: { t: string; line: number }[] = [];
    let j = i;
    for (;;) {
      let l = ls[j]!;
      const cont = /\\\s*$/.test(l);
      if (cont) l = l.replace(/\\\s*$/, '');
      for (const t of l.split(/\s+/)) if (t !== '') tokens.push({ t: t.replace(/^["']|["';]$/g, '').replace(/["']$/, ''), line: j + 1 });
      if (!cont || j + 1 >= ls.length) break;
      j++;
    }
    const start = i;
    i = j;
    let at = -1;
    for (let k = 0; k + 1 < tokens.length; k++) {
      // in command position: first word, after sudo/exec/…, an operator or `-c`, or in `$(…)` (`CID=$(docker run …)`);
      // not a word of `echo "docker run …"`
      const prev = k > 0 ? tokens[k - 1]!.t : undefined;
      if (prev !== undefined && !COMMAND_BEFORE.has(prev)) continue;
      const exe = basename(tokens[k]!.t.replace(/^ExecStart(?:Pre)?=[-@+!:]*/i, '').replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=)?(?:\$\(|`)/, '')).toLowerCase();
      if (exe !== 'docker' && exe !== 'podman' && exe !== 'nerdctl') continue;
      const sub = tokens[k + 1]!.t === 'container' ? k + 2 : k + 1;
      if (tokens[sub]?.t === 'run') {
        at = sub + 1;
        break;
      }
    }
    if (at < 0) continue;
    const env = new Map<string, { value: string | undefined; node: PValue }>();
    const publish: { spec: string; line: number }[] = [];
    const names: string[] = [];
    let image: { t: string; line: number } | undefined;
    let networkHost: number | undefined;
    for (let k = at; k < tokens.length; k++) {
      const { t, line } = tokens[k]!;
      const opt = /^(-p|--publish|-e|--env|--name|--hostname|-h|--network|--net)(?:=(.*))?$/.exec(t) ?? (/^-p(.+)$/.exec(t) ? ['', '-p', t.slice(2)] : null);
      if (opt) {
        const value = opt[2] ?? tokens[++k]?.t;
        if (value === undefined) break;
        const o = opt[1];
        if (o === '-p' || o === '--publish') publish.push({ spec: value, line });
        else if (o === '-e' || o === '--env') {
          const eq = value.indexOf('=');
          const key = eq < 0 ? value : value.slice(0, eq);
          // a node that only carries the line, for the evidence rolesFromEnv collects
          const pos = { line, column: 1, offset: 0 };
          env.set(key, { value: eq < 0 ? undefined : value.slice(eq + 1), node: { kind: 'scalar', value: null, span: { start: pos, end: pos } } });
        } else if (o === '--name' || o === '--hostname' || o === '-h') {
          if (!names.includes(value)) names.push(value);
        } else if (value === 'host') networkHost = line;
        continue;
      }
      // options after the image are the container command's; the values of the options not read here
      // (`--restart always`, `-v /a:/b`) are words too, so an image not known to be CFT's does not end the options
      if (!t.startsWith('-') && isCftImage(t.includes('$') ? interpolateDefaults(t) : t)) {
        image = { t, line };
        break;
      }
    }
    if (!image && !isCftInstanceEnv(env)) continue;
    // the command's first line (`docker run -d --name cft \`), then the image's: a message naming the evidence shows the
    // command, not a continuation line such as `"$IMAGE"`
    const evidence: Evidence[] = [lines.evidence(start + 1)];
    if (image) pushEv(evidence, lines.evidence(image.line));
    out.push({ service: 'transfer-cft', names, ...containerPorts(env, publish, networkHost, evidence, lines), evidence });
  }
  composeVars = outer;
  return out;
}

/** A comment line of a script or configuration file: `#`, `;`, `//`, `/*`, batch `REM` and `::`. */
function isCommentLine(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith('#') || t.startsWith(';') || t.startsWith('//') || t.startsWith('/*') || t.startsWith('::') || /^rem(?:\s|$)/i.test(t);
}

/** Scripts that may start a container (`docker run …`). */
const SCRIPT_EXT = /\.(sh|bash|ksh|zsh|ps1|bat|cmd)$/i;

const UCONF_EXT = /\.(sh|bash|ksh|conf|cfg|txt|ps1|bat|cmd|properties|env)$/i;

/** Findings in one file (path relative to the scan root, `/`-separated, used in evidence). Pure; never throws. */
export function discoverInText(file: string, text: string, vars?: ReadonlyMap<string, string>, chartDir?: boolean, envFiles?: ReadonlyMap<string, ReadonlyMap<string, string>>): Finding[] {
  composeVars = vars;
  inChartDir = chartDir;
  composeEnvFiles = envFiles;
  try {
    const base = basename(file);
    const lower = base.toLowerCase();
    const out: Finding[] = [];
    if (lower.endsWith('.yaml') || lower.endsWith('.yml')) {
      const l = text.toLowerCase();
      // every YAML finding reads a key `apiVersion` (Kubernetes), `services` (Compose), `service` or `image` (Helm), `releases` (helmfile):
      // a file with none of them (a GCP export, a CI workflow) is never parsed, and never loads the YAML library
      const keys = text.includes('apiVersion') || text.includes('service') || text.includes('image') || text.includes('releases');
      if (keys && (l.includes('cft') || l.includes('pesit') || l.includes('copilot') || l.includes('restapi'))) out.push(...fromYaml(file, text));
      return out;
    }
    // `docker run` of the CFT image in a unit's ExecStart= or in a script
    const dockerRun = (): void => {
      if (/\b(?:docker|podman|nerdctl)\b/.test(text)) out.push(...fromDockerRun(file, text));
    };
    if (lower.endsWith('.container')) {
      const f = /cft/i.test(text) ? fromQuadlet(file, text) : undefined;
      return f ? [f] : [];
    }
    if (lower.endsWith('.service')) {
      const f = fromSystemd(file, text);
      if (f) out.push(f);
      dockerRun();
      return out;
    }
    if (SCRIPT_EXT.test(lower)) dockerRun();
    if (lower.endsWith('.nomad') || ((lower.endsWith('.hcl') || lower.endsWith('.nomad.hcl')) && /^\s*job\s+"/m.test(text))) {
      if (/cft|CFT_/i.test(text)) out.push(...fromNomad(file, text));
      return out;
    }
    if (lower.endsWith('.tf')) {
      // a `docker run` in an instance's start-up script (`user_data`, `metadata_startup_script`, `custom_data`
      // heredocs) runs on that instance: named by the resource address, as the AWS parser names the instances a
      // security group is attached to (`aws_instance.mft01`)
      dockerRun();
      // a `helm_release` of the transfer-cft chart (Terraform Helm provider), as a helmfile release
      if (/transfer-cft/i.test(text) && /"helm_release"/.test(text)) {
        const lines = new Lines(file, text);
        for (const r of blocks(parseHcl(text).body, 'resource')) {
          if (r.block?.labels[0] !== 'helm_release' || !isCftChart(str(get(r, 'chart')))) continue;
          // named by its resource address below, as an instance starting CFT
          out.push(chartRelease([str(get(r, 'name')), str(get(r, 'namespace'))], get(r, 'chart'), lines));
        }
      }
      const ls = lineTexts(text);
      for (const f of out) {
        for (let i = (f.evidence[0]?.line ?? 0) - 1; i >= 0; i--) {
          const m = /^resource\s+"([A-Za-z0-9_-]+)"\s+"([A-Za-z0-9_-]+)"/.exec(ls[i]!);
          if (!m) continue;
          f.names.push(`${m[1]}.${m[2]}`);
          // a GCE instance is what a firewall rule's target tags select: its network tags name it too
          if (m[1] === 'google_compute_instance')
            for (let j = i + 1; j < ls.length && !ls[j]!.startsWith('}'); j++) {
              const t = /^\s*tags\s*=\s*\[([^\]]*)\]/.exec(ls[j]!);
              if (t) for (const tag of t[1]!.matchAll(/"([a-z0-9-]+)"/g)) if (!f.names.includes(tag[1]!)) f.names.push(tag[1]!);
            }
          break;
        }
      }
      return out;
    }
    let properties = false;
    if (lower === 'initialize.properties' || (lower.endsWith('.properties') && /pesit_port/i.test(text))) {
      const f = fromProperties(file, text);
      if (f) out.push(f);
      properties = f !== undefined;
    } else if (lower.endsWith('.properties') && isInstallerResponse(text)) {
      const f = fromInstallerResponse(file, text);
      if (f) out.push(f);
      properties = f !== undefined;
    }
    // CFTPROT objects in a configuration file, or in a script feeding cftutil (`cftutil cftprot id=pesitssl, sap=1762`)
    if (lower === 'cft-tcp.conf' || (UCONF_EXT.test(lower) && /cftprot/i.test(text))) {
      const f = fromCftConf(file, text);
      if (f) out.push(f);
    }
    if (!properties && UCONF_EXT.test(lower)) {
      const f = fromUconf(file, text);
      if (f) out.push(f);
    }
    return out;
  } catch {
    return [];
  } finally {
    composeVars = undefined;
    inChartDir = undefined;
    composeEnvFiles = undefined;
    k8sConfigMaps = undefined;
  }
}

function isCandidate(name: string): boolean {
  const l = name.toLowerCase();
  return l.endsWith('.yaml') || l.endsWith('.yml') || l.endsWith('.service') || l.endsWith('.container') || l.endsWith('.tf') || l.endsWith('.nomad') || l.endsWith('.hcl') || l.endsWith('.properties') || l.endsWith('.conf') || UCONF_EXT.test(l) || SCRIPT_EXT.test(l);
}

// ---------------------------------------------------------------- walking and merging

/** Directory names that say "the next segment is a host": hosts/mft01/…, host_vars/mft01/…. */
const HOST_DIRS = new Set(['hosts', 'host_vars', 'nodes', 'servers', 'machines']);

/** Host name from a path like `hosts/mft01/etc/systemd/system/cft.service` (only directories count). */
export function hostFromPath(relPath: string): string | undefined {
  const segs = relPath.split(/[\\/]/);
  for (let i = segs.length - 3; i >= 0; i--) if (HOST_DIRS.has(segs[i]!.toLowerCase()) && segs[i + 1]) return segs[i + 1];
  return undefined;
}

export interface DiscoveryOptions {
  /** At most this many directory entries are looked at (default 20000). */
  maxFiles?: number;
  /** Files larger than this are skipped (default 1 MB). */
  maxBytes?: number;
  /** Extra target names for a file (the configuration's `targets` mapping); path relative to the root, `/`-separated. */
  targetsForFile?: (relPath: string) => string[];
}

export interface DiscoveryResult {
  root: string;
  deployments: Deployment[];
  /** Files read. */
  filesRead: number;
  /** True when the bounds stopped the walk. */
  truncated: boolean;
}

/**
 * Folders never read: version control, and dependency and tool caches that hold thousands of files of no deployment
 * (a Python virtualenv or Terraform's provider cache would use up the entry budget before `hosts/` is reached).
 */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', '__pycache__', '.tox', '.terraform', '.terragrunt-cache', 'bower_components', '.gradle', '.mypy_cache', '.pytest_cache']);

/** The default bound of a walk, in directory entries. */
export const MAX_DISCOVERY_ENTRIES = 20000;

/**
 * Merges findings into deployments: one per target set and declared sources (findings without sources together);
 * explicit ports win over catalogue defaults. A port keeps the sources of the findings that use it: a Service's
 * `loadBalancerSourceRanges` are not lost because a workload of the same name has ports without any.
 */
export function mergeFindings(found: { finding: Finding; targets: string[] }[]): Deployment[] {
  const groups = new Map<string, { targets: string[]; explicit: Finding[]; defaults: Finding[] }>();
  for (const { finding, targets } of found) {
    const key = `${finding.service}\u0000${[...targets].sort().join('\u0000')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { targets, explicit: [], defaults: [] }));
    (finding.explicit ? g.explicit : g.defaults).push(finding);
  }
  const out: Deployment[] = [];
  for (const g of groups.values()) {
    // roles some evidence of these targets switches off
    const off = new Set<string>();
    for (const f of [...g.explicit, ...g.defaults]) for (const r of f.off ?? []) off.add(r);
    let use = g.explicit.length > 0 ? g.explicit : g.defaults;
    // only partial settings (UCONF) beside catalogue defaults (a systemd unit): they move the roles they name, the
    // other roles stay on their defaults (`uconfset id=samples.pesitany_sap.value, value=6330` leaves PeSIT over TLS
    // on 1762)
    if (g.defaults.length > 0 && g.explicit.length > 0 && g.explicit.every((f) => f.partial)) {
      const moved = new Set<string>();
      for (const f of g.explicit) for (const r of Object.values(f.roles)) moved.add(r);
      let ports = numSetOf([]);
      const roles: Record<number, string> = {};
      for (const f of g.explicit) {
        ports = ports.union(f.ports);
        Object.assign(roles, f.roles);
      }
      for (const f of g.defaults)
        for (const [lo, hi] of closedRanges(f.ports))
          for (let p = lo; p <= hi; p++) {
            const r = f.roles[p];
            if (r !== undefined && moved.has(r)) continue;
            ports = ports.union(numSetOf([[p, p]]));
            if (r !== undefined) roles[p] ??= r;
          }
      const evidence: Evidence[] = [];
      for (const f of g.explicit) for (const e of f.evidence) pushEv(evidence, e);
      use = [{ service: 'transfer-cft', names: [], ports, roles, explicit: true, evidence }];
    }
    // the findings by their sources ('' = not restricted), in the order they come
    const bySources = new Map<string, Finding[]>();
    for (const f of use) {
      const k = f.sources ? f.sources.toString() : '';
      const l = bySources.get(k);
      if (l) l.push(f);
      else bySources.set(k, [f]);
    }
    let first = true;
    for (const list of bySources.values()) {
      let ports = list[0]!.ports;
      const roles: Record<number, string> = {};
      for (const f of list) {
        ports = ports.union(f.ports);
        Object.assign(roles, f.roles);
      }
      const disabled: Record<number, string> = {};
      for (const [k, r] of Object.entries(roles))
        if (off.has(r)) {
          ports = ports.subtract(numSetOf([[Number(k), Number(k)]]));
          delete roles[Number(k)];
          disabled[Number(k)] = r;
        }
      const sp: ServicePorts = { protocol: 'tcp', ports, roles };
      // the catalogue-default findings an explicit one overrides still prove the deployment: evidence of the first
      const evidence: Evidence[] = [];
      for (const f of list) for (const e of f.evidence) pushEv(evidence, e);
      if (first && use !== g.defaults) for (const f of g.defaults) for (const e of f.evidence) pushEv(evidence, e);
      // the evidence that switched a role off, wherever it is
      if (Object.keys(disabled).length > 0) for (const f of [...g.explicit, ...g.defaults]) if (f.off) for (const e of f.evidence) pushEv(evidence, e);
      first = false;
      const d: Deployment = { service: 'transfer-cft', targets: g.targets, ports: [sp], evidence };
      if (Object.keys(disabled).length > 0) d.disabled = disabled;
      if (list[0]!.sources) d.sources = list[0]!.sources;
      out.push(d);
    }
  }
  return out;
}

export interface ScanResult {
  /** Findings with the file they come from (relative to the root, `/`-separated). */
  findings: { rel: string; finding: Finding }[];
  filesRead: number;
  truncated: boolean;
}

/**
 * `join(dir, name)` for a name readdir gave (no separator, not "." or "..") in a folder of the walk (normalized:
 * the root is resolved, the rest built here): a concatenation, as join normalizes the whole path again, and the walk
 * of a repository passes over thousands of names (join was ~10 ms of a run's start-up in a checkout of this project).
 */
function childPath(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/** Walks `root` (bounded) and returns the raw findings per file. Never throws. */
export function scanFindings(root: string, opts: Pick<DiscoveryOptions, 'maxFiles' | 'maxBytes'> = {}): ScanResult {
  const maxFiles = opts.maxFiles ?? MAX_DISCOVERY_ENTRIES;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const findings: { rel: string; finding: Finding }[] = [];
  let entries = 0;
  let filesRead = 0;
  let truncated = false;
  /** Ansible: role → the hosts of the plays that apply it. */
  const playRoles = new Map<string, string[]>();
  /** Ansible inventories: group → hosts and child groups. */
  const groups = new Map<string, string[]>();
  /** Kustomizations that set a namespace. */
  const kustomizations: { namespace: string; resources: string[]; dir: string }[] = [];
  const stopped: NonNullable<typeof stoppedSink> = [];
  /** Directory → its compose `.env` variables (undefined: none). */
  const dotEnvs = new Map<string, Map<string, string> | undefined>();
  stoppedSink = stopped;
  const stack = [root];
  while (stack.length > 0 && !truncated) {
    const dir = stack.pop()!;
    let names: Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    // a directory with its own fwlint.config.* is a separate project: its deployments are its own
    if (dir !== root && names.some((d) => d.isFile() && (CONFIG_FILE_NAMES as readonly string[]).includes(d.name))) continue;
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // a Helm values file names its chart's folder only in a chart (Chart.yaml beside it)
    let chartDir: boolean | undefined;
    const subdirs: string[] = [];
    for (const d of names) {
      if (++entries > maxFiles) {
        truncated = true;
        break;
      }
      if (d.isDirectory()) {
        if (!SKIP_DIRS.has(d.name)) subdirs.push(childPath(dir, d.name));
        continue;
      }
      if (!d.isFile() || (!isCandidate(d.name) && d.name !== 'hosts' && d.name !== 'inventory' && !d.name.endsWith('.ini'))) continue;
      const full = childPath(dir, d.name);
      let text: string;
      try {
        if (statSync(full).size > maxBytes) continue;
        text = readFileSync(full, 'utf8');
      } catch {
        continue;
      }
      if (text.includes('\u0000')) continue;
      filesRead++;
      const rel = relative(root, full).split(sep).join('/');
      // a compose file's `${VAR}` come from the `.env` beside it (compose's project directory)
      let vars: Map<string, string> | undefined;
      if (/\.ya?ml$/i.test(d.name) && text.includes('${')) {
        if (!dotEnvs.has(dir)) {
          let env: Map<string, string> | undefined;
          try {
            const envFile = childPath(dir, '.env');
            if (statSync(envFile).size <= maxBytes) env = parseDotEnv(readFileSync(envFile, 'utf8'));
          } catch {
            env = undefined;
          }
          dotEnvs.set(dir, env);
        }
        vars = dotEnvs.get(dir);
      }
      if (/\.ya?ml$/i.test(d.name)) chartDir ??= names.some((e) => e.name === 'Chart.yaml' && e.isFile());
      // a compose service's env_file, relative to the compose file's folder (inside the walked tree only)
      let envFiles: Map<string, Map<string, string>> | undefined;
      if (/\.ya?ml$/i.test(d.name) && text.includes('env_file'))
        for (const ref of composeEnvFileRefs(text)) {
          const full = resolve(dir, ref);
          const top = resolve(root);
          if (!full.startsWith(top.endsWith(sep) ? top : top + sep)) continue;
          try {
            if (statSync(full).size <= maxBytes) (envFiles ??= new Map()).set(ref, parseDotEnv(readFileSync(full, 'utf8')));
          } catch {
            // a missing env_file: compose fails unless `required: false`; nothing to read either way
          }
        }
      for (const finding of discoverInText(rel, text, vars, chartDir, envFiles)) findings.push({ rel, finding });
      if (d.name === 'kustomization.yaml' || d.name === 'kustomization.yml') {
        const k = kustomizeNamespace(rel, text);
        if (k) kustomizations.push({ ...k, dir: rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '' });
      }
      const inventory = isInventory(rel);
      if (inventory) for (const [g, members] of ansibleInventoryGroups(text, inventory === 'yaml')) groups.set(g, [...new Set([...(groups.get(g) ?? []), ...members])]);
      // a playbook applying roles: `- hosts: x` (or `hosts:` under `- name:`) with `roles:` beside it, in list items
      if (/\.ya?ml$/i.test(d.name) && text.includes('roles:') && /^(?:- |  )hosts:/m.test(text) && /^ {2}roles:/m.test(text)) for (const [role, hosts] of ansiblePlayRoles(text)) playRoles.set(role, [...new Set([...(playRoles.get(role) ?? []), ...hosts])]);
    }
    // depth first, directories in name order
    for (let k = subdirs.length - 1; k >= 0; k--) stack.push(subdirs[k]!);
  }
  stoppedSink = undefined;
  linkServicesAcrossFiles(findings, stopped);
  // a finding in an Ansible role (`roles/<role>/tasks/main.yml`) runs on the hosts of the plays that apply the role
  if (playRoles.size > 0)
    for (const { rel, finding } of findings) {
      const segs = rel.split('/');
      const at = segs.lastIndexOf('roles', segs.length - 3);
      const hosts = at >= 0 ? playRoles.get(segs[at + 1]!) : undefined;
      for (const h of hosts ?? []) {
        if (!finding.names.includes(h)) finding.names.push(h);
        ansibleHosts.set(finding, [...(ansibleHosts.get(finding) ?? []), h]);
      }
    }
  // a kustomization's namespace is where the manifests of its resources (files or folders, through the overlays
  // of overlays) are deployed: overlays/prod with `namespace: mft-prod` over ../../base names base's workloads
  if (kustomizations.length > 0) {
    const covers = (res: string, rel: string): boolean => rel === res || rel.startsWith(`${res}/`) || res === '';
    for (const { rel, finding } of findings) {
      if (!k8sLinks.has(finding)) continue;
      const seen = new Set<string>([rel]);
      let paths = [rel];
      for (let depth = 0; depth < 8 && paths.length > 0; depth++) {
        const next: string[] = [];
        for (const k of kustomizations) {
          if (!k.resources.some((r) => paths.some((p) => covers(r, p)))) continue;
          if (!finding.names.includes(k.namespace)) finding.names.push(k.namespace);
          const dir = k.dir;
          if (!seen.has(dir)) {
            seen.add(dir);
            next.push(dir);
          }
        }
        paths = next;
      }
    }
  }
  // an inventory group that is a play's `hosts: cft` is its hosts too, through child groups (only there: a compose
  // service or a container named like a group is not on that group's hosts)
  if (groups.size > 0)
    for (const { finding } of findings) {
      const todo = [...(ansibleHosts.get(finding) ?? [])];
      for (let k = 0; k < todo.length && k < 1000; k++)
        for (const m of groups.get(todo[k]!) ?? [])
          if (!finding.names.includes(m)) {
            finding.names.push(m);
            todo.push(m);
          }
    }
  return { findings, filesRead, truncated };
}

/** Targets of a finding: the mapping's names for its file, the host in its path, the names in the file. */
export function findingTargets(rel: string, finding: Finding, mapped: string[]): string[] {
  const targets: string[] = [];
  const host = hostFromPath(rel);
  for (const t of [...mapped, ...(host ? [host] : []), ...finding.names]) if (!targets.includes(t)) targets.push(t);
  return targets;
}

/** Walks `root` (bounded) and returns the deployments found, merged per target set. Never throws. */
export function discoverDeployments(root: string, opts: DiscoveryOptions = {}): DiscoveryResult {
  const s = scanFindings(root, opts);
  const found = s.findings.map(({ rel, finding }) => ({ finding, targets: findingTargets(rel, finding, opts.targetsForFile?.(rel) ?? []) }));
  return { root, deployments: mergeFindings(found), filesRead: s.filesRead, truncated: s.truncated };
}
