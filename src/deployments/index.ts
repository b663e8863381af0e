/**
 * What SHOULD be open: the configuration (fwlint.config.yaml/.yml/.json and
 * settings.firewall), deployments discovered in the repository, target names
 * of a linted file, and the one deployment matcher (`judge`).
 * See docs/deciding-needed-ports.md.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep, basename } from 'node:path';
import { AddrSet, IntervalSet, numSetOf, parseCidr, protocolName, type DocComment, type NumSet, type Ruleset, type Span } from '../model/index.js';
import { BUILTIN_SERVICES, type ServiceDefinition, type ServicePorts } from '../catalog/index.js';
import type { PValue } from '../parsers/values.js';
import {
  CONFIG_FILE_NAMES,
  errorPosition,
  parseConfigText,
  parsePortList as parsePortListText,
  portSpecToSet,
  readConfigFile,
  validateConfigValue,
  type ConfigError,
  type FwlintConfig,
  type ServicePortsConfig,
} from './config.js';
import { findingTargets, hostFromPath, mergeFindings, scanFindings, type ScanResult } from './discovery.js';
import type { Deployment } from './types.js';

export type { Deployment, Evidence } from './types.js';
export type { ConfigError, FwlintConfig, ServicePortsConfig, DeploymentConfig, ServiceConfig, TargetMappingConfig, PortSpec } from './config.js';
export { validateSettings, parsePortList, portSpecToSet, CONFIG_FILE_NAMES, parseConfigText } from './config.js';
export { discoverDeployments, discoverInText, scanFindings, hostFromPath, isCftImage, MAX_DISCOVERY_ENTRIES, type DiscoveryOptions, type DiscoveryResult, type Finding, type ScanResult } from './discovery.js';

export interface ResolvedSettings {
  config: FwlintConfig;
  configFile?: string;
  services: ServiceDefinition[];
  deployments: Deployment[];
  errors: ConfigError[];
  /** Globs of `targets` and discovery are relative to this directory (the configuration's, else the checkout's root, else cwd; undefined = process.cwd()). */
  rootDir?: string;
  /** Discovery statistics, when discovery ran. */
  discovery?: { filesRead: number; truncated: boolean };
}

export interface LoadOptions {
  configFile?: string;
  eslintSettings?: unknown;
  cwd?: string;
  discover?: boolean;
}

// ---------------------------------------------------------------- finding the configuration

/** The nearest fwlint.config.yaml / .yml / .json in `dir` or above it. */
export function findConfigFile(dir: string): string | undefined {
  return findUp(dir, CONFIG_FILE_NAMES);
}

/** Folders that mark the root of a checkout: `.git` (a folder, or a file in a worktree or submodule), `.hg`, `.svn`. */
const VCS_MARKERS = ['.git', '.hg', '.svn'] as const;

/** The nearest folder at or above `dir` that is the root of a checkout (holds `.git`, `.hg` or `.svn`). */
export function findProjectRoot(dir: string): string | undefined {
  const start = resolve(dir);
  if (rootCache.has(start)) return rootCache.get(start);
  const marker = findUp(start, VCS_MARKERS);
  const found = marker === undefined ? undefined : dirname(marker);
  rootCache.set(start, found);
  return found;
}

/** The first of `names` that exists in `dir` or the nearest folder above it that holds one of them (its path). */
function findUp(dir: string, names: readonly string[]): string | undefined {
  let d = resolve(dir);
  for (let k = 0; k < 100; k++) {
    for (const n of names) {
      const p = join(d, n);
      if (existsSync(p)) return p;
    }
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

/** findProjectRoot per folder (a run asks for every linted file; the checkout does not move during it). */
const rootCache = new Map<string, string | undefined>();

// ---------------------------------------------------------------- resolution

function lineText(text: string | undefined, line: number): string {
  if (!text) return '';
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  const nl = text.indexOf('\n', start);
  return text.slice(start, nl < 0 ? text.length : nl).trim();
}

interface Source {
  file: string;
  text?: string;
  tree?: PValue;
  value: FwlintConfig;
  kind: 'config';
}

function posIn(src: Source, pointer: string): { line: number; column: number } {
  return src.tree ? errorPosition(src.tree, pointer) : { line: 1, column: 1 };
}

/** `ports:` entries → ServicePorts (invalid entries are skipped: the schema reports them). */
function servicePorts(list: unknown): ServicePorts[] {
  const out: ServicePorts[] = [];
  if (!Array.isArray(list)) return out;
  list.forEach((raw) => {
    const sp = raw as ServicePortsConfig;
    if (!sp || typeof sp !== 'object' || (sp.protocol !== 'tcp' && sp.protocol !== 'udp')) return;
    const ports = portSpecToSet(sp.ports);
    if (!ports) return; // reported by the schema
    const r: ServicePorts = { protocol: sp.protocol, ports };
    if (sp.roles && typeof sp.roles === 'object') {
      const roles: Record<number, string> = {};
      for (const [k, v] of Object.entries(sp.roles)) if (typeof v === 'string') roles[Number(k)] = v;
      r.roles = roles;
    }
    out.push(r);
  });
  return out;
}

function mergeConfigs(a: FwlintConfig, b: FwlintConfig): FwlintConfig {
  const out: FwlintConfig = { ...a };
  if (b.discovery !== undefined) out.discovery = b.discovery;
  if (b.targets) out.targets = [...(a.targets ?? []), ...b.targets];
  if (b.deployments) out.deployments = [...(a.deployments ?? []), ...b.deployments];
  if (b.services) out.services = [...(a.services ?? []), ...b.services];
  if (b.expectedPorts) out.expectedPorts = { ...(a.expectedPorts ?? {}), ...b.expectedPorts };
  return out;
}

function asConfig(v: unknown): FwlintConfig {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as FwlintConfig) : {};
}

function resolveServices(sources: Source[]): ServiceDefinition[] {
  const byId = new Map<string, ServiceDefinition>();
  for (const s of BUILTIN_SERVICES) byId.set(s.id, s);
  for (const src of sources) {
    (Array.isArray(src.value.services) ? src.value.services : []).forEach((s) => {
      if (!s || typeof s.id !== 'string') return;
      const ports = servicePorts(s.ports);
      if (ports.length === 0) return;
      byId.set(s.id, { id: s.id, name: typeof s.name === 'string' ? s.name : s.id, ports });
    });
  }
  return [...byId.values()];
}

function applyDisabled(ports: ServicePorts[], disabled: string[]): { ports: ServicePorts[]; unknown: string[]; off: Record<number, string> } {
  const want = new Set(disabled.map((d) => d.toLowerCase()));
  const used = new Set<string>();
  const off: Record<number, string> = {};
  const out = ports.map((sp) => {
    if (!sp.roles) return sp;
    let set = sp.ports;
    const roles: Record<number, string> = {};
    for (const [k, role] of Object.entries(sp.roles)) {
      const p = Number(k);
      if (want.has(role.toLowerCase()) || want.has(String(p))) {
        used.add(want.has(role.toLowerCase()) ? role.toLowerCase() : String(p));
        set = set.subtract(IntervalSet.range(p, p + 1));
        off[p] = role;
      } else roles[p] = role;
    }
    return { protocol: sp.protocol, ports: set, roles };
  });
  return { ports: out, unknown: disabled.filter((d) => !used.has(d.toLowerCase())), off };
}

/**
 * Why a `disabled` name switched nothing off: not a role of the service, or a role none of the deployment's own
 * ports has (ports given explicitly keep a role only on its catalogue port: CFT moved to 2761… has no `sftp` port).
 */
function notARole(name: string, svc: ServiceDefinition): string {
  const byRole = new Map<string, number[]>();
  for (const sp of svc.ports) for (const [k, r] of Object.entries(sp.roles ?? {})) byRole.set(r.toLowerCase(), [...(byRole.get(r.toLowerCase()) ?? []), Number(k)]);
  const at = byRole.get(name.toLowerCase());
  if (at) return `"${name}" is a role of ${svc.name} (port ${at.join(', ')}) that none of the deployment's ports has (ports given explicitly keep a role only on its catalogue port): leave its port out of the ports instead`;
  return `"${name}" is not a role of ${svc.name}${byRole.size ? ` (roles: ${[...byRole.keys()].join(', ')})` : ''}`;
}

/** Explicit ports keep the catalogue's role names where they coincide with catalogue ports (so `disabled: [sftp]` still applies). */
function withCatalogueRoles(ports: ServicePorts[], svc: ServiceDefinition): ServicePorts[] {
  if (!svc.ports.some((p) => p.roles)) return ports;
  return ports.map((sp) => {
    if (sp.roles) return sp;
    const cat = svc.ports.find((c) => c.protocol === sp.protocol && c.roles);
    if (!cat?.roles) return sp;
    const roles: Record<number, string> = {};
    for (const [k, r] of Object.entries(cat.roles)) if (sp.ports.has(Number(k))) roles[Number(k)] = r;
    return { ...sp, roles };
  });
}

function resolveDeployments(sources: Source[], services: ServiceDefinition[], errors: ConfigError[]): Deployment[] {
  const out: Deployment[] = [];
  const byId = new Map(services.map((s) => [s.id.toLowerCase(), s]));
  for (const src of sources) {
    (Array.isArray(src.value.deployments) ? src.value.deployments : []).forEach((d, i) => {
      if (!d || typeof d.service !== 'string' || !Array.isArray(d.targets)) return;
      const base = `/deployments/${i}`;
      const svc = byId.get(d.service.toLowerCase());
      if (!svc) {
        const pos = posIn(src, `${base}/service`);
        errors.push({ file: src.file, ...pos, schemaPath: '#/properties/deployments/items/properties/service/x-known-service', message: `deployments[${i}].service: unknown service "${d.service}" (known: ${services.map((s) => s.id).join(', ')})` });
        return;
      }
      let ports = d.ports ? withCatalogueRoles(servicePorts(d.ports), svc) : svc.ports.map((p) => ({ ...p }));
      let off: Record<number, string> | undefined;
      if (Array.isArray(d.disabled) && d.disabled.length > 0) {
        const r = applyDisabled(ports, d.disabled.filter((x): x is string => typeof x === 'string'));
        ports = r.ports;
        off = r.off;
        for (const u of r.unknown) {
          const idx = d.disabled.indexOf(u);
          const pos = posIn(src, `${base}/disabled/${idx}`);
          errors.push({ file: src.file, ...pos, schemaPath: '#/properties/deployments/items/properties/disabled/x-known-role', message: `deployments[${i}].disabled[${idx}]: ${notARole(u, svc)}` });
        }
      }
      const pos = posIn(src, `${base}/service`);
      const dep: Deployment = {
        service: svc.id,
        targets: d.targets.filter((t): t is string => typeof t === 'string'),
        ports,
        evidence: [{ file: src.file, line: pos.line, text: lineText(src.text, pos.line) || `service: ${svc.id}`, kind: 'config' }],
      };
      if (off && Object.keys(off).length > 0) dep.disabled = off;
      if (!d.ports) dep.cataloguePorts = true;
      if (Array.isArray(d.sources)) {
        let a: AddrSet | undefined;
        for (const s of d.sources) {
          const c = typeof s === 'string' ? parseCidr(s) : undefined;
          if (c) a = a ? a.union(c) : c;
        }
        if (a) dep.sources = a;
      }
      out.push(dep);
    });
  }
  return out;
}

// ---------------------------------------------------------------- target mapping

type Matcher = { test: (rel: string) => boolean; names: string[] };
const matcherCache = new WeakMap<object, Matcher[]>();

function mappingMatchers(config: FwlintConfig): Matcher[] {
  let m = matcherCache.get(config);
  if (!m) {
    m = [];
    for (const t of Array.isArray(config.targets) ? config.targets : []) {
      if (!t || !Array.isArray(t.files) || !Array.isArray(t.names)) continue;
      const globs = t.files.filter((f): f is string => typeof f === 'string' && f.length > 0);
      if (globs.length === 0) continue;
      // picomatch loaded only for a configuration with a targets mapping (six modules every start-up otherwise)
      const isMatch = (createRequire(import.meta.url)('picomatch') as typeof import('picomatch'))(globs, { dot: true });
      m.push({ test: (rel) => isMatch(rel), names: t.names.filter((n): n is string => typeof n === 'string') });
    }
    matcherCache.set(config, m);
  }
  return m;
}

/** Path relative to the root, `/`-separated; a relative `file` is relative to the working directory. */
function relPath(rootDir: string, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(file);
  return relative(rootDir, abs).split(sep).join('/');
}

function mappedRel(rel: string, settings: ResolvedSettings): string[] {
  const out: string[] = [];
  for (const m of mappingMatchers(settings.config)) if (m.test(rel)) for (const n of m.names) if (!out.includes(n)) out.push(n);
  return out;
}

/** Target names the configuration's `targets` mapping gives a file (absolute, or relative to the working directory). */
export function mappedTargets(filePath: string, settings: ResolvedSettings): string[] {
  return mappedRel(relPath(settings.rootDir ?? process.cwd(), filePath), settings);
}

// ---------------------------------------------------------------- discovery cache

const scanCache = new Map<string, ScanResult>();

/** Forgets cached configurations and discovery results (tests, long-running editors after changes). */
export function clearSettingsCache(): void {
  scanCache.clear();
  rootCache.clear();
  settingsCache.clear();
}

function scan(root: string): ScanResult {
  let r = scanCache.get(root);
  if (!r) scanCache.set(root, (r = scanFindings(root)));
  return r;
}

// ---------------------------------------------------------------- loadSettings

const settingsCache = new Map<string, ResolvedSettings>();

/**
 * Resolved settings for a linted file: the nearest fwlint.config.* above it (or
 * `opts.configFile`), merged with `settings.firewall`, plus discovered deployments.
 * Cached by configuration file and mtime. Never throws.
 */
export function loadSettings(forFile: string | undefined, opts: LoadOptions = {}): ResolvedSettings {
  const cwd = opts.cwd ?? process.cwd();
  const from = forFile ? dirname(resolve(cwd, forFile)) : resolve(cwd);
  let configFile: string | undefined;
  if (opts.configFile) configFile = resolve(cwd, opts.configFile);
  else configFile = findConfigFile(from);
  // the project: the configuration's folder, else the checkout the file is in (a run from a subfolder, or with a
  // path outside the working directory, sees the same repository), else the working directory
  const rootDir = configFile ? dirname(configFile) : (findProjectRoot(from) ?? resolve(cwd));
  let mtime = 0;
  if (configFile) {
    try {
      mtime = statSync(configFile).mtimeMs;
    } catch {
      mtime = -1;
    }
  }
  let settingsKey = '';
  if (opts.eslintSettings !== undefined) {
    try {
      settingsKey = JSON.stringify(opts.eslintSettings) ?? '';
    } catch {
      settingsKey = String(Math.random());
    }
  }
  const key = `${configFile ?? `root:${rootDir}`}\u0000${mtime}\u0000${opts.discover ?? ''}\u0000${settingsKey}`;
  const cached = settingsCache.get(key);
  if (cached) return cached;
  const r = resolveSettings(configFile, opts, rootDir);
  // two configuration files in one folder: the first of CONFIG_FILE_NAMES is read, the other was ignored silently
  if (configFile && !opts.configFile) {
    for (const n of CONFIG_FILE_NAMES) {
      const other = join(dirname(configFile), n);
      if (n !== basename(configFile) && existsSync(other)) {
        r.errors.push({ file: other, line: 1, column: 1, schemaPath: '', message: `configuration: ${basename(configFile)} in the same folder is the one read, this file would be ignored; keep one` });
      }
    }
  }
  settingsCache.set(key, r);
  return r;
}

function resolveSettings(configFile: string | undefined, opts: LoadOptions, rootDir: string): ResolvedSettings {
  const errors: ConfigError[] = [];
  const sources: Source[] = [];
  if (configFile) {
    const parsed = readConfigFile(configFile);
    errors.push(...parsed.errors);
    const src: Source = { file: configFile, text: parsed.text, value: asConfig(parsed.value), kind: 'config' };
    if (parsed.tree) src.tree = parsed.tree;
    sources.push(src);
  }
  if (opts.eslintSettings !== undefined) {
    errors.push(...validateConfigValue(opts.eslintSettings, 'settings.firewall'));
    sources.push({ file: 'settings.firewall', value: asConfig(opts.eslintSettings), kind: 'config' });
  }
  let config: FwlintConfig = {};
  for (const s of sources) config = mergeConfigs(config, s.value);
  const services = resolveServices(sources);
  const deployments = resolveDeployments(sources, services, errors);
  // in the order of the file, as an editor lists them: the checks beyond the schema (unknown service, role) came last
  const fileOrder = new Map(sources.map((s, i) => [s.file, i]));
  errors.sort((a, b) => (fileOrder.get(a.file) ?? -1) - (fileOrder.get(b.file) ?? -1) || a.line - b.line || a.column - b.column);
  const settings: ResolvedSettings = { config, services, deployments, errors, rootDir };
  if (configFile) settings.configFile = configFile;
  const discover = opts.discover ?? config.discovery ?? true;
  if (discover) {
    const s = scan(rootDir);
    const found = s.findings.map(({ rel, finding }) => ({ finding, targets: findingTargets(rel, finding, mappedRel(rel, settings)) }));
    const declared = deployments.slice();
    const discovered = mergeFindings(found);
    for (const d of discovered) {
      d.evidence = d.evidence.map((e) => ({ ...e, file: join(rootDir, e.file) }));
      inheritDeclaredSources(d, declared);
    }
    settings.deployments = [...yieldToDiscovered(declared, discovered), ...discovered];
    settings.discovery = { filesRead: s.filesRead, truncated: s.truncated };
  }
  return settings;
}

/**
 * A discovered deployment that restricts no sources, on a target where the configuration declares the same service
 * with `sources`, is that declared deployment found in the repository (the compose file or install of the CFT the
 * configuration speaks of): it takes the declared sources. Else it would allow anyone and silently cancel the
 * declaration (no "too wide" finding on that target ever). Declarations without `sources` leave it unrestricted.
 */
function inheritDeclaredSources(d: Deployment, declared: readonly Deployment[]): void {
  if (d.sources) return;
  const names = new Set(d.targets.map((t) => t.toLowerCase()));
  let union: AddrSet | undefined;
  for (const c of declared) {
    if (c.service.toLowerCase() !== d.service.toLowerCase() || !c.targets.some((t) => names.has(t.toLowerCase()))) continue;
    if (!c.sources) return;
    union = union ? union.union(c.sources) : c.sources;
  }
  if (union) d.sources = union;
}

/**
 * A declaration without `ports` says where the service runs, not on which ports (it gets the catalogue's): on a
 * target where discovery found the deployment, the ports found there decide, as explicit ports win over catalogue
 * defaults within discovery. Else a declaration made to restrict the sources (`sources: [10.0.0.0/8]`) would make
 * every catalogue port needed again — COMS and Copilot that the compose file does not publish, a port published on
 * 127.0.0.1 only. The declaration stays, without ports, on those targets (its evidence is named; its sources went to
 * the discovered deployment), and with the catalogue's on its other targets. `ports:` in the declaration keeps them.
 */
function yieldToDiscovered(declared: Deployment[], discovered: readonly Deployment[]): Deployment[] {
  if (discovered.length === 0) return declared;
  const out: Deployment[] = [];
  for (const c of declared) {
    const svc = c.service.toLowerCase();
    const covered = c.cataloguePorts
      ? c.targets.filter((t) => discovered.some((d) => d.service.toLowerCase() === svc && d.targets.some((x) => x.toLowerCase() === t.toLowerCase())))
      : [];
    if (covered.length === 0) {
      out.push(c);
      continue;
    }
    const rest = c.targets.filter((t) => !covered.includes(t));
    if (rest.length > 0) out.push({ ...c, targets: rest });
    out.push({ ...c, targets: covered, ports: c.ports.map((p) => ({ ...p, ports: numSetOf([]), roles: {} })) });
  }
  return out;
}

/** The settings for a configuration given as text (tests, editors with unsaved buffers). No discovery. */
export function settingsFromText(text: string, file: string): ResolvedSettings {
  const parsed = parseConfigText(text, file);
  const errors = [...parsed.errors];
  const src: Source = { file, text, value: asConfig(parsed.value), kind: 'config' };
  if (parsed.tree) src.tree = parsed.tree;
  const services = resolveServices([src]);
  const deployments = resolveDeployments([src], services, errors);
  return { config: src.value, configFile: file, services, deployments, errors, rootDir: dirname(resolve(file)) };
}

// ---------------------------------------------------------------- targets of a file

const TARGET_DIRECTIVE = 'fwlint-target';
const DEPLOYMENT_DIRECTIVE = 'fwlint-deployment';

/** The text after `directive:` in a comment (markers #, //, /* *\/ stripped; the part after ` -- ` is a description). */
function directiveText(c: DocComment, directive: string): string | undefined {
  let v = c.value.trim();
  while (v.startsWith('#') || v.startsWith('//') || v.startsWith('/*') || v.startsWith('*')) v = v.replace(/^(#|\/\/|\/\*|\*)/, '').trim();
  if (v.endsWith('*/')) v = v.slice(0, -2).trim();
  if (v.slice(0, directive.length).toLowerCase() !== directive) return undefined;
  let rest = v.slice(directive.length);
  if (!rest.startsWith(':') && !rest.startsWith(' ')) return undefined;
  rest = rest.replace(/^:/, '');
  const dd = rest.indexOf(' -- ');
  if (dd >= 0) rest = rest.slice(0, dd);
  return rest.trim();
}

/** Names from `fwlint-target: a, b` comments. */
export function targetsFromComments(comments: readonly DocComment[]): string[] {
  const out: string[] = [];
  for (const c of comments) {
    const rest = directiveText(c, TARGET_DIRECTIVE);
    if (rest === undefined) continue;
    for (const n of rest.split(/[\s,]+/)) if (n && !out.includes(n)) out.push(n);
  }
  return out;
}

export interface InFileDeployments {
  deployments: Deployment[];
  /** Malformed declarations, at their comment (`span`); a declaration with a wrong service, option, port list or source is not used. */
  errors: { line: number; column: number; span: Span; message: string }[];
}

/**
 * Deployments declared in the linted file itself:
 * `# fwlint-deployment: transfer-cft disabled=sftp sources=10.0.0.0/8 ports=tcp:1761-1763,1768 targets=mft01`.
 * Without `targets=` the deployment is on `targets` (the file's own targets).
 */
export function deploymentsFromComments(
  comments: readonly DocComment[],
  filePath: string | undefined,
  targets: string[] | ((comment: DocComment) => string[]),
  settings: ResolvedSettings,
): InFileDeployments {
  const out: InFileDeployments = { deployments: [], errors: [] };
  for (const c of comments) {
    const rest = directiveText(c, DEPLOYMENT_DIRECTIVE);
    if (rest === undefined) continue;
    const at = { line: c.span.start.line, column: c.span.start.column, span: c.span };
    const [serviceName, ...opts] = rest.split(/\s+/).filter(Boolean);
    const svc = serviceName ? settings.services.find((x) => sameName(x.id, serviceName)) : undefined;
    if (!svc) {
      const known = settings.services.map((x) => x.id).join(', ');
      out.errors.push({ ...at, message: `${serviceName ? `fwlint-deployment: unknown service "${serviceName}"` : 'fwlint-deployment: missing service id'} (known: ${known}); the declaration is not used` });
      continue;
    }
    let ports: ServicePorts[] | undefined;
    let sources: AddrSet | undefined;
    let disabled: string[] = [];
    let depTargets = typeof targets === 'function' ? targets(c) : targets;
    let ok = true;
    for (const o of opts) {
      const eq = o.indexOf('=');
      const key = eq < 0 ? o : o.slice(0, eq).toLowerCase();
      const val = eq < 0 ? '' : o.slice(eq + 1);
      if (key === 'targets' && val) depTargets = val.split(',').filter(Boolean);
      else if (key === 'disabled' && val) disabled = disabled.concat(val.split(',').filter(Boolean));
      else if (key === 'sources' && val) {
        for (const cidr of val.split(',')) {
          const a = parseCidr(cidr);
          if (!a) {
            out.errors.push({ ...at, message: `fwlint-deployment: "${cidr}" is not an IP address or CIDR` });
            ok = false;
          } else sources = sources ? sources.union(a) : a;
        }
      } else if (key === 'ports' && val) {
        const colon = val.indexOf(':');
        const proto = colon < 0 ? 'tcp' : val.slice(0, colon).toLowerCase();
        const set = parsePortListText(colon < 0 ? val : val.slice(colon + 1));
        if ((proto !== 'tcp' && proto !== 'udp') || !set) {
          out.errors.push({ ...at, message: `fwlint-deployment: "${val}" is not a port list such as tcp:1761-1763,1768` });
          ok = false;
        } else (ports ??= []).push({ protocol: proto, ports: set });
      } else {
        out.errors.push({ ...at, message: `fwlint-deployment: unknown option "${o}" (targets=, ports=, sources=, disabled=)` });
        ok = false;
      }
    }
    if (!ok) {
      const last = out.errors[out.errors.length - 1]!;
      last.message += '; the declaration is not used';
      continue;
    }
    let resolved = ports ? withCatalogueRoles(ports, svc) : svc.ports.map((p) => ({ ...p }));
    let off: Record<number, string> | undefined;
    if (disabled.length > 0) {
      const r = applyDisabled(resolved, disabled);
      resolved = r.ports;
      off = r.off;
      for (const u of r.unknown) out.errors.push({ ...at, message: `fwlint-deployment: ${notARole(u, svc)}; nothing is switched off for it` });
    }
    const d: Deployment = { service: svc.id, targets: [...depTargets], ports: resolved, evidence: [{ file: filePath ?? '<input>', line: at.line, text: `fwlint-deployment: ${rest}`, kind: 'in-file' }] };
    if (sources) d.sources = sources;
    if (off && Object.keys(off).length > 0) d.disabled = off;
    out.deployments.push(d);
  }
  return out;
}

/** `settings` plus in-file deployments, for judging one file. */
export function withDeployments(settings: ResolvedSettings, extra: Deployment[]): ResolvedSettings {
  return extra.length === 0 ? settings : { ...settings, deployments: [...settings.deployments, ...extra] };
}

/**
 * Target names of a linted file: the configuration's `targets` globs, the host
 * of a `hosts/<name>.<ext>` or `hosts/<name>/…` path, `fwlint-target:` comments,
 * and the parser's `ruleset.targets`.
 */
export function targetsFor(filePath: string | undefined, ruleset: Ruleset, settings: ResolvedSettings, comments: DocComment[], rulesets?: readonly Ruleset[]): string[] {
  const out: string[] = [];
  const add = (n: string): void => {
    if (n && !out.includes(n)) out.push(n);
  };
  if (filePath) {
    const rel = relPath(settings.rootDir ?? process.cwd(), filePath);
    for (const n of mappedRel(rel, settings)) add(n);
    const host = hostFromPath(rel);
    if (host) add(host);
    const segs = rel.split('/');
    if (segs.length >= 2 && ['hosts', 'host_vars', 'nodes', 'servers', 'machines'].includes(segs[segs.length - 2]!.toLowerCase())) {
      // the name before the first dot (mft01.rules.v4 → mft01), and the name without the extension, which keeps a
      // fully qualified name whole (mft01.example.com.rules → mft01.example.com, as hosts/mft01.example.com/…)
      const b = basename(rel);
      const dot = b.indexOf('.');
      add(dot > 0 ? b.slice(0, dot) : b);
      const ext = b.lastIndexOf('.');
      if (ext > dot) add(b.slice(0, ext));
    }
  }
  for (const n of targetsFromComments(rulesets && rulesets.length > 1 ? commentsOf(ruleset, rulesets, comments) : comments)) add(n);
  for (const n of ruleset.targets) add(n);
  return out;
}

/** First and last line of what a ruleset was built from (its tables' spans); undefined without tables. */
function linesOf(rs: Ruleset): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of rs.tables) {
    lo = Math.min(lo, t.span.start.line);
    hi = Math.max(hi, t.span.end.line);
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * The targets a comment of the file speaks for: those of the rulesets it belongs to (see `commentsOf`), for a
 * `fwlint-deployment:` without `targets=`.
 */
export function commentTargets(comment: DocComment, filePath: string | undefined, rulesets: readonly Ruleset[], settings: ResolvedSettings, comments: DocComment[]): string[] {
  const out: string[] = [];
  for (const rs of rulesets) {
    if (rulesets.length > 1 && !commentsOf(rs, rulesets, comments).includes(comment)) continue;
    for (const t of targetsFor(filePath, rs, settings, comments, rulesets)) if (!out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * The comments that speak for `ruleset` in a file of several rulesets (security groups of a Terraform file, …): a
 * comment within the lines of some rulesets is theirs; one between the end of a ruleset and the start of the next
 * belongs to that next one (it is written above it), as does one above the first after some content; one in the
 * file's head (comments from line 1 on) or after the last, and any comment when a ruleset has no known lines, is
 * for every ruleset of the file. Only directive
 * comments are placed (a file has few), once per file.
 */
function commentsOf(ruleset: Ruleset, rulesets: readonly Ruleset[], comments: DocComment[]): DocComment[] {
  let byFile = placedCache.get(rulesets);
  if (!byFile) placedCache.set(rulesets, (byFile = new WeakMap()));
  let placed = byFile.get(comments);
  if (!placed) byFile.set(comments, (placed = placeComments(rulesets, comments)));
  return placed.all ? placed.all : [...placed.everywhere, ...(placed.own.get(ruleset) ?? [])];
}

interface Placed {
  /** Set when the comments cannot be placed (a ruleset without lines): every comment is for every ruleset. */
  all?: DocComment[];
  everywhere: DocComment[];
  own: Map<Ruleset, DocComment[]>;
}

const placedCache = new WeakMap<readonly Ruleset[], WeakMap<DocComment[], Placed>>();

function placeComments(rulesets: readonly Ruleset[], comments: DocComment[]): Placed {
  const directives = comments.filter((c) => directiveText(c, TARGET_DIRECTIVE) !== undefined || directiveText(c, DEPLOYMENT_DIRECTIVE) !== undefined);
  const ranges = rulesets.map(linesOf);
  if (ranges.some((r) => r === undefined)) return { all: directives, everywhere: [], own: new Map() };
  const first = Math.min(...ranges.map((r) => r![0]));
  const last = Math.max(...ranges.map((r) => r![1]));
  // the file's head: the comments from line 1 on, one below the other (a comment before the first ruleset but after
  // some content, such as `Resources:` of a CloudFormation template, is written above that ruleset)
  let headEnd = 0;
  for (const c of [...comments].sort((x, y) => x.span.start.line - y.span.start.line)) {
    if (c.span.start.line > headEnd + 1) break;
    headEnd = Math.max(headEnd, c.span.end.line);
  }
  const placed: Placed = { everywhere: [], own: new Map() };
  const give = (rs: Ruleset, c: DocComment): void => {
    const l = placed.own.get(rs);
    if (l) l.push(c);
    else placed.own.set(rs, [c]);
  };
  for (const c of directives) {
    const line = c.span.start.line;
    if ((line < first && line <= headEnd) || line > last) {
      placed.everywhere.push(c);
      continue;
    }
    let inside = false;
    for (let i = 0; i < rulesets.length; i++) {
      const r = ranges[i]!;
      if (line >= r[0] && line <= r[1]) {
        give(rulesets[i]!, c);
        inside = true;
      }
    }
    if (inside) continue;
    // between rulesets, or above the first after some content: for the next one(s) below it
    let next = Infinity;
    for (const r of ranges) if (r![0] > line) next = Math.min(next, r![0]);
    for (let i = 0; i < rulesets.length; i++) if (ranges[i]![0] === next) give(rulesets[i]!, c);
  }
  return placed;
}

// ---------------------------------------------------------------- judging

export interface Judgement {
  /** Ports of the query that a matching deployment uses on this target. */
  needed: NumSet;
  /** Ports of the query that no matching deployment uses. */
  unneeded: NumSet;
  /** Needed ports reachable from more sources than the deployments declare. */
  tooWide?: { ports: NumSet; allowed: AddrSet; actual: AddrSet };
  /** Matching deployments. */
  deployments: Deployment[];
  /** Deployments of the service on other targets. */
  elsewhere: Deployment[];
}

function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

function portsFor(d: Deployment, proto: string): NumSet {
  let s: NumSet = IntervalSet.empty();
  for (const sp of d.ports) if (sp.protocol === proto) s = s.union(sp.ports);
  return s;
}

/** What a judgement needs of the deployments alone: the same for every call with this service, targets and protocol. */
interface Matching {
  /** settings.deployments.length when computed (the list only grows while settings are built). */
  count: number;
  matching: Deployment[];
  elsewhere: Deployment[];
  /** Ports of the protocol that the matching deployments use, all together and per deployment. */
  used: NumSet;
  perDep: { d: Deployment; ports: NumSet }[];
}

const matchingCache = new WeakMap<readonly Deployment[], Map<string, Matching>>();

/** The deployments of `service` on `targets` and the ports they use, computed once per deployment list and query. */
/** The last answer: the rules ask again for every finding with the same (cached) targets list, and the key string cost more than the answer. */
let lastMatching: { service: string; targets: readonly string[]; protocol: number; deployments: readonly Deployment[]; m: Matching } | undefined;

function matchingFor(service: string, targets: readonly string[], protocol: number, deployments: readonly Deployment[]): Matching {
  const last = lastMatching;
  if (last && last.targets === targets && last.protocol === protocol && last.service === service && last.deployments === deployments && last.m.count === deployments.length) return last.m;
  const m = matchingForKey(service, targets, protocol, deployments);
  lastMatching = { service, targets, protocol, deployments, m };
  return m;
}

function matchingForKey(service: string, targets: readonly string[], protocol: number, deployments: readonly Deployment[]): Matching {
  let byKey = matchingCache.get(deployments);
  if (!byKey) matchingCache.set(deployments, (byKey = new Map()));
  const key = `${protocol}\0${service}\0${targets.join('\0')}`;
  const hit = byKey.get(key);
  if (hit && hit.count === deployments.length) return hit;
  const proto = protocolName(protocol);
  const matching: Deployment[] = [];
  const elsewhere: Deployment[] = [];
  const wanted = new Set(targets.map((t) => t.toLowerCase()));
  const svc = service.toLowerCase();
  for (const d of deployments) {
    if (service !== '*' && d.service.toLowerCase() !== svc) continue;
    if (d.targets.some((t) => wanted.has(t.toLowerCase()))) matching.push(d);
    else elsewhere.push(d);
  }
  let used: NumSet = IntervalSet.empty();
  const perDep = matching.map((d) => ({ d, ports: portsFor(d, proto) }));
  for (const p of perDep) used = used.union(p.ports);
  const m: Matching = { count: deployments.length, matching, elsewhere, used, perDep };
  byKey.set(key, m);
  return m;
}

/**
 * Ports of `protocol` that the deployments of `service` ("*": any) on `targets` use: `judge` finds every
 * other port of a query unneeded, and no port of a query outside them needed.
 */
export function usedPorts(service: string, targets: readonly string[], protocol: number, settings: ResolvedSettings): NumSet {
  return matchingFor(service, targets, protocol, settings.deployments).used;
}

/**
 * Judges exposed ports of one protocol on a target against the deployments of a service.
 * `service` "*" matches every service. `sources` are who can reach the ports (for `tooWide`).
 */
export function judge(service: string, targets: string[], protocol: number, ports: NumSet, sources: AddrSet, settings: ResolvedSettings): Judgement {
  const m = matchingFor(service, targets, protocol, settings.deployments);
  const needed = ports.intersect(m.used);
  const unneeded = ports.subtract(m.used);
  const j: Judgement = { needed, unneeded, deployments: m.matching.slice(), elsewhere: m.elsewhere.slice() };
  if (!needed.isEmpty && !sources.isEmpty) {
    // elementary port intervals over the deployments' port boundaries
    const cuts = new Set<number>();
    for (const [lo, hi] of needed.ranges()) cuts.add(lo).add(hi);
    const perDep = m.perDep.map(({ d, ports: p }) => ({ d, ports: p.intersect(needed) }));
    for (const { ports: p } of perDep) for (const [lo, hi] of p.ranges()) cuts.add(lo).add(hi);
    const points = [...cuts].sort((a, b) => a - b);
    let widePorts: NumSet = IntervalSet.empty();
    let allowedAll: AddrSet = AddrSet.EMPTY;
    for (let k = 0; k + 1 < points.length; k++) {
      const lo = points[k]!;
      const hi = points[k + 1]!;
      if (!needed.has(lo)) continue;
      let allowed: AddrSet | undefined = AddrSet.EMPTY;
      for (const { d, ports: p } of perDep) {
        if (!p.has(lo)) continue;
        if (!d.sources) {
          allowed = undefined; // a deployment using the port allows anyone
          break;
        }
        allowed = allowed.union(d.sources);
      }
      if (!allowed) continue;
      if (!sources.subtract(allowed).isEmpty) {
        widePorts = widePorts.union(IntervalSet.range(lo, hi));
        allowedAll = allowedAll.union(allowed);
      }
    }
    if (!widePorts.isEmpty) j.tooWide = { ports: widePorts, allowed: allowedAll, actual: sources };
  }
  return j;
}

// ---------------------------------------------------------------- naming the evidence

const refCache = new WeakMap<Deployment, string>();

/**
 * Where a deployment is written, for messages: `fwlint.config.yaml:7`, `hosts/mft01/docker-compose.yml:3` —
 * its first evidence, the path relative to the project root (the same on a laptop and in CI).
 */
export function evidenceRef(d: Deployment, settings: ResolvedSettings): string {
  let r = refCache.get(d);
  if (r !== undefined) return r;
  const e = d.evidence[0];
  if (!e) r = 'no evidence';
  else if (!isAbsolute(e.file)) r = e.file === 'settings.firewall' ? e.file : `${e.file}:${e.line}`;
  else {
    const rel = relative(settings.rootDir ?? process.cwd(), e.file).split(sep).join('/');
    r = `${rel === '' || rel.startsWith('../') ? e.file : rel}:${e.line}`;
  }
  refCache.set(d, r);
  return r;
}

/** "mft01 per fwlint.config.yaml:4; cft, mft02 per hosts/mft02/docker-compose.yml:3" (at most `max`, then "and N more"). */
export function describeDeployments(list: readonly Deployment[], settings: ResolvedSettings, max = 3): string {
  const parts = [
    ...new Set(list.map((d) => (d.targets.length > 0 ? `${d.targets.join(', ')} per ${evidenceRef(d, settings)}` : `a host with no name per ${evidenceRef(d, settings)}, to be named with targets: in fwlint.config.yaml`))),
  ].sort();
  return parts.length <= max ? parts.join('; ') : `${parts.slice(0, max).join('; ')} and ${parts.length - max} more`;
}

/** Expected ports of the targets (configuration `expectedPorts`), for the undeclared registered ports rule. */
export function expectedPortsFor(targets: string[], settings: ResolvedSettings): ServicePorts[] {
  const out: ServicePorts[] = [];
  const map = settings.config.expectedPorts ?? {};
  for (const [name, list] of Object.entries(map)) {
    if (!targets.some((t) => sameName(t, name))) continue;
    for (const sp of Array.isArray(list) ? list : []) {
      const ports = sp && (sp.protocol === 'tcp' || sp.protocol === 'udp') ? portSpecToSet(sp.ports) : undefined;
      if (ports) out.push({ protocol: sp.protocol, ports });
    }
  }
  return out;
}

/** A deployment declared in a rule's options (kind "rule-options"), for rules that accept `deployments` options. */
export function deploymentFromOptions(opt: { service: string; targets: string[]; ports?: ServicePortsConfig[]; sources?: string[] }, settings: ResolvedSettings, where: { file: string; line: number }): Deployment | undefined {
  const svc = settings.services.find((s) => sameName(s.id, opt.service));
  if (!svc) return undefined;
  const ports: ServicePorts[] = [];
  if (opt.ports) {
    for (const sp of opt.ports) {
      const set = portSpecToSet(sp.ports);
      if (set) ports.push({ protocol: sp.protocol, ports: set });
    }
  } else ports.push(...svc.ports);
  const d: Deployment = { service: svc.id, targets: [...opt.targets], ports, evidence: [{ file: where.file, line: where.line, text: `rule options: ${svc.id}`, kind: 'rule-options' }] };
  if (opt.sources) {
    let a: AddrSet | undefined;
    for (const s of opt.sources) {
      const c = parseCidr(s);
      if (c) a = a ? a.union(c) : c;
    }
    if (a) d.sources = a;
  }
  return d;
}

