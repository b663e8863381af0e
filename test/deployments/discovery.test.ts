import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverDeployments, discoverInText, hostFromPath, isCftImage, judge, settingsFromText, withDeployments, type Deployment, type Finding } from '../../src/deployments/index.js';
import { mergeFindings } from '../../src/deployments/discovery.js';
import { AddrSet, formatPorts, numRange } from '../../src/model/index.js';

const ROOT = resolve(__dirname, '../../fixtures/deployments/discovery');

const view = (d: Deployment) => ({
  targets: d.targets,
  ports: d.ports.map((p) => `${p.protocol} ${formatPorts(p.ports)}`).join('; '),
  roles: d.ports[0]?.roles,
  sources: d.sources?.toString(),
  evidence: d.evidence.map((e) => `${e.file}:${e.line} ${e.text}`),
});
const fview = (f: Finding) => ({ names: f.names, ports: formatPorts(f.ports), roles: f.roles, explicit: f.explicit, sources: f.sources?.toString(), evidence: f.evidence.map((e) => `${e.line} ${e.text}`) });

describe('discoverDeployments on the fixture repository', () => {
  const r = discoverDeployments(ROOT);
  it('reads the candidate files and is not truncated', () => {
    expect(r.truncated).toBe(false);
    expect(r.filesRead).toBe(12);
    expect(r.deployments.every((d) => d.service === 'transfer-cft' && d.evidence.every((e) => e.kind === 'discovered'))).toBe(true);
  });
  it('finds each deployment with exact evidence lines', () => {
    expect(r.deployments.map(view)).toEqual([
      {
        targets: ['cft', 'mft-cft'],
        ports: 'tcp 443, 1761-1763, 1766-1767',
        roles: { 443: 'restapi', 1761: 'pesit', 1762: 'pesitssl', 1763: 'sftp', 1766: 'copilot', 1767: 'copilotcg' },
        sources: undefined,
        evidence: [
          'compose/docker-compose.yml:4 image: docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2206',
          'compose/docker-compose.yml:9 CFT_RESTAPI_PORT: 8443',
          'compose/docker-compose.yml:11 - "1761-1762:1761-1762"',
          'compose/docker-compose.yml:12 - "1763:1763"',
          'compose/docker-compose.yml:13 - "1766:1766"',
          'compose/docker-compose.yml:14 - "1767:1767"',
          'compose/docker-compose.yml:15 - "443:8443"',
        ],
      },
      {
        targets: ['transfer-cft', 'mft-helm.example.com'],
        ports: 'tcp 1761-1762, 1768',
        roles: { 1761: 'pesit', 1762: 'pesitssl', 1768: 'restapi' },
        sources: '198.51.100.0/24',
        evidence: [
          'helm/transfer-cft/values.yaml:2 repository: docker.repository.axway.com/transfercft-docker-prod/3.10/cft',
          'helm/transfer-cft/values.yaml:11 - name: restapi',
          'helm/transfer-cft/values.yaml:13 - name: pesit',
          'helm/transfer-cft/values.yaml:15 - name: pesitssl',
          'helm/transfer-cft/values.yaml:9 - 198.51.100.0/24',
        ],
      },
      {
        targets: ['mft01'],
        ports: 'tcp 1761-1763, 1765-1768',
        roles: { 1761: 'pesit', 1762: 'pesitssl', 1763: 'sftp', 1765: 'coms', 1766: 'copilot', 1767: 'copilotcg', 1768: 'restapi' },
        sources: undefined,
        evidence: [
          'hosts/mft01/etc/systemd/system/cft.service:2 Description=Axway Transfer CFT',
          'hosts/mft01/etc/systemd/system/cftcopilot.service:2 Description=Axway Transfer CFT Copilot',
        ],
      },
      {
        targets: ['mft03'],
        ports: 'tcp 1763, 1765-1767, 1861-1862',
        roles: { 1763: 'sftp', 1765: 'coms', 1766: 'copilot', 1767: 'copilotcg', 1861: 'pesit', 1862: 'pesitssl' },
        sources: undefined,
        evidence: [
          'hosts/mft03/opt/initialize.properties:3 PESIT_Port = 1861',
          'hosts/mft03/opt/initialize.properties:4 PESIT_SSL_Port = 1862',
          'hosts/mft03/opt/initialize.properties:5 Copilot_Port = 1766',
          'hosts/mft03/opt/initialize.properties:6 RESTAPI_Enable = No',
          'hosts/mft03/opt/initialize.properties:7 RESTAPI_Port = 1768',
        ],
      },
      {
        targets: ['mft04'],
        ports: 'tcp 1761-1762, 1766, 9443',
        roles: { 1761: 'pesit', 1762: 'pesitssl', 1766: 'copilot', 9443: 'restapi' },
        sources: undefined,
        evidence: [
          'hosts/mft04/runtime/conf/cft-tcp.conf:10 SAP = 1761,',
          "hosts/mft04/runtime/conf/cft-tcp.conf:17 SAP = '1762',",
          'hosts/mft04/scripts/uconf.sh:3 CFTUTIL uconfset id=copilot.general.serverport,value=1766',
          "hosts/mft04/scripts/uconf.sh:4 CFTUTIL uconfset id=copilot.restapi.serverport, value='9443'",
        ],
      },
      {
        targets: ['transfer-cft', 'mft'],
        ports: 'tcp 1761, 1768',
        roles: { 1761: 'pesit', 1768: 'restapi' },
        sources: '192.0.2.0/24', // its LoadBalancer Service lets in only these
        evidence: [
          'k8s/cft.yaml:23 image: docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2509',
          'k8s/cft.yaml:25 - name: CFT_PESIT_PORT',
          'k8s/cft.yaml:27 - name: CFT_RESTAPI_PORT',
          'k8s/cft.yaml:30 - name: pesit',
          'k8s/cft.yaml:32 - name: restapi',
          'k8s/cft.yaml:45 - 192.0.2.0/24',
        ],
      },
      {
        targets: ['transfer-cft-lb', 'mft'],
        ports: 'tcp 443, 1761',
        roles: { 443: 'restapi', 1761: 'pesit' },
        sources: '192.0.2.0/24',
        evidence: ['k8s/cft.yaml:36 kind: Service', 'k8s/cft.yaml:47 - name: pesit', 'k8s/cft.yaml:50 - name: restapi', 'k8s/cft.yaml:45 - 192.0.2.0/24'],
      },
    ]);
  });
  it('applies the configuration mapping for a file first', () => {
    const r2 = discoverDeployments(ROOT, { targetsForFile: (rel) => (rel.startsWith('compose/') ? ['dockerhost1'] : []) });
    expect(r2.deployments[0]!.targets).toEqual(['dockerhost1', 'cft', 'mft-cft']);
    expect(r2.deployments[1]!.targets).toEqual(['transfer-cft', 'mft-helm.example.com']);
  });
});

describe('bounds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fwl-disc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const compose = 'services:\n  cft:\n    image: axway/cft:3.10\n';
  it('skips node_modules, .git, directories with their own configuration, files over maxBytes, and stops at maxFiles', () => {
    for (const d of ['node_modules/pkg', '.git/x', 'a', 'big']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'node_modules/pkg/compose.yml'), compose);
    writeFileSync(join(dir, '.git/x/compose.yml'), compose);
    writeFileSync(join(dir, 'a/compose.yml'), compose);
    writeFileSync(join(dir, 'big/compose.yml'), compose + '#'.repeat(2000) + '\n');
    const all = discoverDeployments(dir);
    expect(all.deployments.map((d) => d.evidence.map((e) => e.file)).flat()).toEqual(['a/compose.yml', 'big/compose.yml']);
    const small = discoverDeployments(dir, { maxBytes: 1000 });
    expect(small.deployments.map((d) => d.evidence.map((e) => e.file)).flat()).toEqual(['a/compose.yml']);
    mkdirSync(join(dir, 'nested/sub'), { recursive: true });
    writeFileSync(join(dir, 'nested/fwlint.config.yml'), 'discovery: true\n');
    writeFileSync(join(dir, 'nested/sub/compose.yml'), compose);
    expect(discoverDeployments(dir).deployments.map((d) => d.evidence.map((e) => e.file)).flat()).toEqual(['a/compose.yml', 'big/compose.yml']);
    expect(discoverDeployments(join(dir, 'nested')).deployments.map((d) => d.evidence.map((e) => e.file)).flat()).toEqual(['sub/compose.yml']);
    const few = discoverDeployments(dir, { maxFiles: 2 });
    expect(few.truncated).toBe(true);
    expect(few.deployments).toEqual([]);
  });
  it('a LoadBalancer Service in its own file restricts the workload of another file (same namespace, selector)', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-k8s-'));
    try {
      mkdirSync(join(root, 'k8s'));
      writeFileSync(
        join(root, 'k8s/statefulset.yaml'),
        'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: transfer-cft, namespace: mft}\nspec:\n  template:\n    metadata: {labels: {app: cft, tier: mft}}\n    spec:\n      containers:\n        - name: cft\n          image: axway/transfer-cft:3.10\n          ports:\n            - {name: pesit, containerPort: 1761}\n            - {name: restapi, containerPort: 1768}\n',
      );
      writeFileSync(
        join(root, 'k8s/service.yaml'),
        'apiVersion: v1\nkind: Service\nmetadata: {name: transfer-cft-lb, namespace: mft}\nspec:\n  type: LoadBalancer\n  selector: {app: cft}\n  loadBalancerSourceRanges: [192.0.2.0/24]\n  ports:\n    - {name: pesit, port: 1761, targetPort: pesit}\n',
      );
      // the same selector in another namespace is another workload
      writeFileSync(
        join(root, 'k8s/other-ns.yaml'),
        'apiVersion: v1\nkind: Service\nmetadata: {name: cft-test, namespace: test}\nspec:\n  type: LoadBalancer\n  selector: {app: cft}\n  loadBalancerSourceRanges: [198.51.100.0/24]\n  ports:\n    - {name: pesit, port: 1761, targetPort: pesit}\n',
      );
      const r = discoverDeployments(root);
      expect(r.deployments.map((d) => `${d.targets.join(',')} ${formatPorts(d.ports[0]!.ports)} ${d.sources?.toString() ?? '*'}`)).toEqual([
        'cft-test,test 1761 198.51.100.0/24',
        'transfer-cft-lb,mft 1761 192.0.2.0/24',
        'transfer-cft,mft 1768 *',
        'transfer-cft,mft 1761 192.0.2.0/24',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('a Service in its own file selecting only a workload scaled to zero forwards to no pod: no deployment', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-k8s0-'));
    try {
      mkdirSync(join(root, 'k8s'));
      writeFileSync(
        join(root, 'k8s/statefulset.yaml'),
        'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: cft-legacy, namespace: mft-old}\nspec:\n  replicas: 0\n  template:\n    metadata: {labels: {app: cft-legacy}}\n    spec:\n      containers:\n        - name: cft\n          image: axway/transfer-cft:3.9\n          ports: [{name: pesit, containerPort: 1761}]\n',
      );
      writeFileSync(
        join(root, 'k8s/service.yaml'),
        'apiVersion: v1\nkind: Service\nmetadata: {name: cft-legacy-lb, namespace: mft-old}\nspec:\n  type: LoadBalancer\n  selector: {app: cft-legacy}\n  ports:\n    - {name: pesit, port: 1761}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: cft-lb, namespace: mft}\nspec:\n  type: LoadBalancer\n  selector: {app: cft-legacy}\n  ports:\n    - {name: pesit, port: 1761}\n',
      );
      // the same selector in another namespace is another workload (not scaled to zero, not in the walk): kept
      expect(discoverDeployments(root).deployments.map((d) => `${d.targets.join(',')} ${formatPorts(d.ports[0]!.ports)}`)).toEqual(['cft-lb,mft 1761']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('Helm values name their folder only when it is a chart (Chart.yaml beside them): environments/prod/ names no "prod"', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-helmdir-'));
    try {
      mkdirSync(join(root, 'charts/transfer-cft'), { recursive: true });
      mkdirSync(join(root, 'environments/prod'), { recursive: true });
      writeFileSync(join(root, 'charts/transfer-cft/Chart.yaml'), 'apiVersion: v2\nname: transfer-cft\nversion: 0.4.0\n');
      writeFileSync(join(root, 'charts/transfer-cft/values.yaml'), 'service:\n  type: LoadBalancer\n  ports:\n    - name: pesit\n      port: 1761\n');
      writeFileSync(
        join(root, 'environments/prod/values-prod.yaml'),
        'image:\n  repository: docker.repository.axway.com/transfercft-docker-prod/3.10/cft\ncft:\n  fqdn: mft.bank.example\nservice:\n  ports:\n    - name: restapi\n      port: 1768\n',
      );
      expect(discoverDeployments(root).deployments.map((d) => `${d.targets.join(',')} ${formatPorts(d.ports[0]!.ports)}`)).toEqual(['transfer-cft 1761', 'mft.bank.example 1768']);
      // a GCP firewall of the network "prod" is not where that deployment runs
      const settings = withDeployments(settingsFromText('discovery: false\n', 'fwlint.config.yaml'), discoverDeployments(root).deployments);
      expect(judge('transfer-cft', ['tag:web', 'prod'], 6, numRange(1768, 1768), AddrSet.all('ipv4'), settings).deployments).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('compose: a service\'s env_file gives its environment (under environment:), read by the walk', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-envfile-'));
    try {
      mkdirSync(join(root, 'hosts/mft12/env'), { recursive: true });
      writeFileSync(
        join(root, 'hosts/mft12/docker-compose.yml'),
        'services:\n  cft:\n    image: harbor.bank.example/mft/cft-runtime:2024.06\n    env_file:\n      - path: ./env/cft.env\n    environment:\n      CFT_RESTAPI_PORT: "8443"\n    network_mode: host\n',
      );
      writeFileSync(join(root, 'hosts/mft12/env/cft.env'), '# instance\nCFT_INSTANCE_ID=mft12\nCFT_PESIT_PORT=6330\nCFT_RESTAPI_PORT=9443\n');
      // an env_file outside the walked tree is not read
      writeFileSync(join(root, 'hosts/mft12/other.yml'), 'services:\n  cft:\n    image: harbor.bank.example/mft/cft-runtime:2024.06\n    env_file: ../../../../etc/cft.env\n');
      expect(discoverDeployments(root).deployments.map((d) => `${d.targets.join(',')} ${formatPorts(d.ports[0]!.ports)} ${d.evidence.map((e) => `${e.file}:${e.line}`).join(' ')}`)).toEqual([
        'mft12,cft 1762-1763, 1765-1767, 6330, 8443 hosts/mft12/docker-compose.yml:2 hosts/mft12/docker-compose.yml:7 hosts/mft12/docker-compose.yml:5 hosts/mft12/docker-compose.yml:8',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('compose: ${VAR} in ports and environment come from the .env beside the file (compose interpolation)', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-dotenv-'));
    try {
      mkdirSync(join(root, 'hosts/mft-a'), { recursive: true });
      writeFileSync(
        join(root, 'hosts/mft-a/docker-compose.yml'),
        'services:\n  cft:\n    image: axway/cft:${CFT_VERSION}\n    environment:\n      CFT_PESIT_PORT: ${CFT_PESIT_PORT}\n      CFT_COPILOT_PORT: ${CFT_COPILOT_PORT:-2766}\n    ports:\n      - "${CFT_PESIT_PORT}:${CFT_PESIT_PORT}"\n      - "${CFT_RESTAPI_PORT:-1768}:1768"\n      - "${CFT_COPILOT_PORT:-2766}:${CFT_COPILOT_PORT:-2766}"\n',
      );
      writeFileSync(join(root, 'hosts/mft-a/.env'), '# PeSIT moved\nCFT_VERSION=3.10\nCFT_PESIT_PORT=6330\nCFT_RESTAPI_PORT=""\n');
      // the image itself from .env, no instance variable: found through the .env
      mkdirSync(join(root, 'hosts/mft-b'), { recursive: true });
      writeFileSync(join(root, 'hosts/mft-b/docker-compose.yml'), 'services:\n  cft:\n    image: ${CFT_IMAGE}\n    ports: ["1762:1762"]\n');
      writeFileSync(join(root, 'hosts/mft-b/.env'), 'CFT_IMAGE=docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2406\n');
      expect(discoverDeployments(root).deployments.map(view)).toEqual([
        {
          targets: ['mft-a', 'cft'],
          ports: 'tcp 1768, 2766, 6330',
          roles: { 1768: 'restapi', 2766: 'copilot', 6330: 'pesit' },
          sources: undefined,
          evidence: [
            'hosts/mft-a/docker-compose.yml:3 image: axway/cft:${CFT_VERSION}',
            'hosts/mft-a/docker-compose.yml:5 CFT_PESIT_PORT: ${CFT_PESIT_PORT}',
            'hosts/mft-a/docker-compose.yml:6 CFT_COPILOT_PORT: ${CFT_COPILOT_PORT:-2766}',
            'hosts/mft-a/docker-compose.yml:8 - "${CFT_PESIT_PORT}:${CFT_PESIT_PORT}"',
            'hosts/mft-a/docker-compose.yml:9 - "${CFT_RESTAPI_PORT:-1768}:1768"',
            'hosts/mft-a/docker-compose.yml:10 - "${CFT_COPILOT_PORT:-2766}:${CFT_COPILOT_PORT:-2766}"',
          ],
        },
        { targets: ['mft-b', 'cft'], ports: 'tcp 1762', roles: { 1762: 'pesitssl' }, sources: undefined, evidence: ['hosts/mft-b/docker-compose.yml:3 image: ${CFT_IMAGE}', 'hosts/mft-b/docker-compose.yml:4 ports: ["1762:1762"]'] },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('skips virtualenvs and Terraform caches: their files would use up the entry budget before hosts/ is reached', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-skip-'));
    try {
      for (const d of ['.venv/lib', 'venv/lib', '.terraform/providers', 'hosts/mft01']) mkdirSync(join(root, d), { recursive: true });
      for (const d of ['.venv/lib', 'venv/lib', '.terraform/providers']) for (let k = 0; k < 10; k++) writeFileSync(join(root, d, `f${k}.yml`), compose);
      writeFileSync(join(root, 'hosts/mft01/compose.yml'), compose);
      const r = discoverDeployments(root, { maxFiles: 12 });
      expect({ truncated: r.truncated, files: r.deployments.map((d) => d.evidence.map((e) => e.file)).flat() }).toEqual({ truncated: false, files: ['hosts/mft01/compose.yml'] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('discoverInText', () => {
  it('compose: long syntax, list environment, UDP ignored, ip-bound ports', () => {
    const text = [
      'services:',
      '  mft:',
      '    image: axway/cft:3.10.2206',
      '    environment:',
      '      - CFT_PESIT_PORT=1800',
      '    ports:',
      '      - target: 1800',
      '        published: "11761"',
      '      - "127.0.0.1:1768:1768"',
      '      - "1762:1762/udp"',
      '      - target: 1766',
      '        protocol: udp',
    ].join('\n');
    expect(discoverInText('x/docker-compose.yaml', text).map(fview)).toEqual([
      {
        names: ['mft'],
        // 127.0.0.1:1768 is published on the loopback address only: no client outside the host reaches it
        ports: '11761',
        roles: { 11761: 'pesit' },
        explicit: true,
        sources: undefined,
        evidence: ['3 image: axway/cft:3.10.2206', '5 - CFT_PESIT_PORT=1800', '7 - target: 1800', '9 - "127.0.0.1:1768:1768"'],
      },
    ]);
  });
  it('compose: loopback-only publishing needs no opening; ${VAR:-default} host ports; a variable host port is the container port', () => {
    const text = [
      'services:',
      '  cft:',
      '    image: registry.corp.example/mirror/axway/transfer-cft:3.10',
      '    ports:',
      '      - "${PESIT_PORT:-11761}:1761"',
      '      - "${SSL_PORT}:1762"',
      '      - "[::1]:1767:1767"',
      '      - target: 1766',
      '        published: "1766"',
      '        host_ip: 127.0.0.1',
      '  local:',
      '    image: axway/transfer-cft:3.10',
      '    ports: ["127.0.0.1:1761-1768:1761-1768"]',
    ].join('\n');
    expect(discoverInText('docker-compose.yml', text).map(fview)).toEqual([
      {
        names: ['cft'],
        ports: '1762, 11761',
        roles: { 1762: 'pesitssl', 11761: 'pesit' },
        explicit: true,
        sources: undefined,
        evidence: ['3 image: registry.corp.example/mirror/axway/transfer-cft:3.10', '5 - "${PESIT_PORT:-11761}:1761"', '6 - "${SSL_PORT}:1762"', '7 - "[::1]:1767:1767"', '8 - target: 1766'],
      },
      // Transfer CFT runs there, reachable from the host only: every opening of the block is unneeded
      { names: ['local'], ports: 'none', roles: {}, explicit: true, sources: undefined, evidence: ['12 image: axway/transfer-cft:3.10', '13 ports: ["127.0.0.1:1761-1768:1761-1768"]'] },
    ]);
  });
  it('compose: nothing published or network_mode host → the container ports; defaults are not explicit', () => {
    const a = discoverInText('c.yml', 'services:\n  cft:\n    image: axway/cft\n');
    expect(a.map(fview)).toEqual([{ names: ['cft'], ports: '1761-1763, 1765-1768', roles: { 1761: 'pesit', 1762: 'pesitssl', 1763: 'sftp', 1765: 'coms', 1766: 'copilot', 1767: 'copilotcg', 1768: 'restapi' }, explicit: false, sources: undefined, evidence: ['3 image: axway/cft'] }]);
    const b = discoverInText('c.yml', 'services:\n  cft:\n    image: axway/cft\n    network_mode: host\n    ports: ["9999:1761"]\n    environment:\n      CFT_COMS_PORT: "2765"\n');
    expect(b.map((f) => [formatPorts(f.ports), f.explicit, f.evidence.map((e) => e.line)])).toEqual([['1761-1763, 1766-1768, 2765', true, [3, 7, 5, 4]]]);
  });
  it('compose: a client of CFT (port variables only) is not Transfer CFT; a locally built image with instance variables is', () => {
    const text = [
      'services:',
      '  test-runner:',
      '    build: .',
      '    environment:',
      '      CFT_FQDN: cft',
      '      CFT_RESTAPI_PORT: 1768',
      '  cft:',
      '    image: cft:$DOCKER_TAG',
      '    environment:',
      '      CFT_INSTANCE_ID: docker0_cft',
      '      CFT_RESTAPI_PORT: 1768',
    ].join('\n');
    expect(discoverInText('test/docker-compose-01.test.yml', text).map((f) => [f.names, formatPorts(f.ports), f.explicit, f.evidence.map((e) => e.line)])).toEqual([
      [['cft'], '1761-1763, 1765-1768', true, [7, 11]],
    ]);
  });
  it('YAML: found through the key each kind needs (Helm image only, Helm service ports only, Kubernetes); other YAML naming CFT is not parsed', () => {
    expect(discoverInText('values.yaml', 'image:\n  repository: axway/cft\n').map((f) => formatPorts(f.ports))).toEqual(['1761-1763, 1765-1768']);
    expect(discoverInText('values.yaml', 'service:\n  ports:\n    - name: pesit\n      port: 1761\n').map((f) => [formatPorts(f.ports), f.roles])).toEqual([['1761', { 1761: 'pesit' }]]);
    const pod = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: mft', 'spec:', '  containers:', '    - name: cft', '      image: axway/cft', '      ports:', '        - containerPort: 1761', '          hostPort: 1761'].join('\n');
    expect(discoverInText('pod.yaml', pod).map((f) => f.names)).toEqual([['mft']]);
    // a GCP firewall export, a CI workflow: no apiVersion, service(s) or image key
    expect(discoverInText('fw.yaml', 'allowed:\n- IPProtocol: tcp\n  ports: [\'1761-1768\']\nname: allow-transfer-cft\ntargetTags: [cft]\n')).toEqual([]);
  });
  it('compose: a game server on 1761/1762 is not Transfer CFT', () => {
    expect(discoverInText('docker-compose.yml', 'services:\n  att:\n    image: nyx/att-server\n    ports: ["1761:1761", "1762:1762"]\n')).toEqual([]);
  });
  it('kubernetes: podman play kube Pod with hostPort, Service selected by labels without CFT port names', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: cft-pod',
      '  labels:',
      '    app: cft',
      'spec:',
      '  containers:',
      '    - name: cft',
      '      image: docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2206',
      '      ports:',
      '        - containerPort: 1761',
      '          hostPort: 21761',
      '        - containerPort: 1768',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: cft-svc',
      '  namespace: mft',
      'spec:',
      '  type: NodePort',
      '  selector:',
      '    app: cft',
      '  ports:',
      '    - port: 8443',
      '      targetPort: 1768',
      '      nodePort: 30443',
    ].join('\n');
    expect(discoverInText('pod.yaml', text).map(fview)).toEqual([
      { names: ['cft-pod'], ports: '1761, 1768, 21761', roles: { 1761: 'pesit', 1768: 'restapi', 21761: 'pesit' }, explicit: true, sources: undefined, evidence: ['10 image: docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2206', '12 - containerPort: 1761', '14 - containerPort: 1768'] },
      { names: ['cft-svc', 'mft'], ports: '8443, 30443', roles: { 8443: 'restapi', 30443: 'restapi' }, explicit: true, sources: undefined, evidence: ['17 kind: Service', '26 - port: 8443'] },
    ]);
  });
  it('kubernetes: hostNetwork puts every container port on the node, a LoadBalancer in front restricts none', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: cft, namespace: mft}',
      'spec:',
      '  template:',
      '    metadata: {labels: {app: cft}}',
      '    spec:',
      '      hostNetwork: true',
      '      containers:',
      '        - name: cft',
      '          image: axway/cft:3.10',
      '          ports:',
      '            - {name: pesit, containerPort: 1761}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: cft-lb, namespace: mft}',
      'spec:',
      '  type: LoadBalancer',
      '  selector: {app: cft}',
      '  loadBalancerSourceRanges: [198.51.100.0/24]',
      '  ports:',
      '    - {name: pesit, port: 1761, targetPort: pesit}',
    ].join('\n');
    const deployments = mergeFindings(discoverInText('cft.yaml', text).map((finding) => ({ finding, targets: finding.names })));
    expect(deployments.map((d) => [d.targets, d.ports.map((p) => formatPorts(p.ports)).join(), d.sources?.toString()])).toEqual([
      [['cft', 'mft'], '1761', undefined],
      [['cft-lb', 'mft'], '1761', '198.51.100.0/24'],
    ]);
    expect(deployments[0]!.evidence.map((e) => e.line)).toEqual([11, 13, 8]);
    const s = withDeployments(settingsFromText('discovery: false\n', 'fwlint.config.yaml'), deployments);
    const j = judge('transfer-cft', ['mft'], 6, numRange(1761, 1761), AddrSet.ALL, s);
    expect({ needed: formatPorts(j.needed), tooWide: j.tooWide }).toEqual({ needed: '1761', tooWide: undefined });
  });
  it('kubernetes: a LoadBalancer with loadBalancerSourceRanges restricts the workload ports it exposes, not a hostPort', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: StatefulSet',
      'metadata: {name: cft, namespace: mft}',
      'spec:',
      '  selector: {matchLabels: {app: cft}}',
      '  template:',
      '    metadata: {labels: {app: cft}}',
      '    spec:',
      '      containers:',
      '        - name: cft',
      '          image: axway/transfer-cft:3.10',
      '          ports:',
      '            - {name: pesit, containerPort: 1761}',
      '            - {name: copilot, containerPort: 1766, hostPort: 1766}',
      '            - {name: restapi, containerPort: 1768}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: cft, namespace: mft}',
      'spec:',
      '  type: LoadBalancer',
      '  selector: {app: cft}',
      '  loadBalancerSourceRanges: [192.0.2.0/24]',
      '  ports:',
      '    - {name: pesit, port: 1761, targetPort: pesit}',
      '    - {name: ui, port: 1766, targetPort: 1766}',
    ].join('\n');
    const deployments = mergeFindings(discoverInText('cft.yaml', text).map((finding) => ({ finding, targets: finding.names })));
    expect(deployments.map(view)).toEqual([
      {
        targets: ['cft', 'mft'],
        ports: 'tcp 1766, 1768',
        roles: { 1766: 'copilot', 1768: 'restapi' },
        sources: undefined,
        evidence: ['cft.yaml:11 image: axway/transfer-cft:3.10', 'cft.yaml:13 - {name: pesit, containerPort: 1761}', 'cft.yaml:14 - {name: copilot, containerPort: 1766, hostPort: 1766}', 'cft.yaml:15 - {name: restapi, containerPort: 1768}'],
      },
      {
        targets: ['cft', 'mft'],
        ports: 'tcp 1761, 1766',
        roles: { 1761: 'pesit', 1766: 'copilot' },
        sources: '192.0.2.0/24',
        evidence: [
          'cft.yaml:11 image: axway/transfer-cft:3.10',
          'cft.yaml:13 - {name: pesit, containerPort: 1761}',
          'cft.yaml:14 - {name: copilot, containerPort: 1766, hostPort: 1766}',
          'cft.yaml:15 - {name: restapi, containerPort: 1768}',
          'cft.yaml:23 loadBalancerSourceRanges: [192.0.2.0/24]',
          'cft.yaml:18 kind: Service',
          'cft.yaml:25 - {name: pesit, port: 1761, targetPort: pesit}',
          'cft.yaml:26 - {name: ui, port: 1766, targetPort: 1766}',
        ],
      },
    ]);
    // a cloud rule on the namespace opening the block to everyone: 1761 is wider than the Service lets in; 1766 is
    // bound on the node (hostPort), 1768 has no external Service: not declared narrower
    const s = withDeployments(settingsFromText('discovery: false\n', 'fwlint.config.yaml'), deployments);
    const j = judge('transfer-cft', ['mft'], 6, numRange(1761, 1768), AddrSet.ALL, s);
    expect({ needed: formatPorts(j.needed), unneeded: formatPorts(j.unneeded), tooWide: j.tooWide && formatPorts(j.tooWide.ports), allowed: j.tooWide?.allowed.toString() }).toEqual({
      needed: '1761, 1766, 1768',
      unneeded: '1762-1765, 1767',
      tooWide: '1761',
      allowed: '192.0.2.0/24',
    });
  });
  it('helm: the values of an umbrella chart, with the Transfer CFT subchart under its name', () => {
    const text = [
      'global:',
      '  env: prod',
      'transfer-cft:',
      '  image:',
      '    repository: docker.repository.axway.com/transfercft-docker-prod/3.10/cft',
      '  service:',
      '    type: LoadBalancer',
      '    loadBalancerSourceRanges: [203.0.113.0/24]',
      '    ports:',
      '      - name: pesit',
      '        port: 1761',
      'postgresql:',
      '  image:',
      '    repository: bitnami/postgresql',
      '',
    ].join('\n');
    expect(discoverInText('deploy/mft-platform/values.yaml', text).map(fview)).toEqual([
      {
        names: ['mft-platform', 'transfer-cft'],
        ports: '1761',
        roles: { 1761: 'pesit' },
        explicit: true,
        sources: '203.0.113.0/24',
        evidence: ['5 repository: docker.repository.axway.com/transfercft-docker-prod/3.10/cft', '10 - name: pesit', '8 loadBalancerSourceRanges: [203.0.113.0/24]'],
      },
    ]);
  });
  it('kubernetes: the namespace "default" is not a target (it would match the GCP network "default")', () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cft\n  namespace: default\nspec:\n  template:\n    spec:\n      containers:\n        - name: cft\n          image: axway/transfer-cft:3.10\n';
    expect(discoverInText('cft.yaml', text).map((f) => f.names)).toEqual([['cft']]);
  });
  it('kubernetes: a Service of another app in the same file is not Transfer CFT', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - name: http\n      port: 1761\n';
    expect(discoverInText('svc.yaml', text)).toEqual([]);
  });
  it('helm values: a single generic port name (restapi) is not enough, a CFT-only name (pesit) is', () => {
    expect(discoverInText('charts/api/values.yaml', 'service:\n  ports:\n    - name: restapi\n      port: 8080\n')).toEqual([]);
    expect(discoverInText('charts/x/values.yaml', 'service:\n  ports:\n    - name: pesit\n      port: 5000\n').map((f) => formatPorts(f.ports))).toEqual(['5000']);
    expect(discoverInText('charts/y/values.yaml', 'service:\n  ports:\n    - name: copilot\n      port: 1766\n    - name: restapi\n      port: 1768\n').map((f) => formatPorts(f.ports))).toEqual(['1766, 1768']);
  });
  it('helm values without service.ports but with the CFT image → catalogue defaults', () => {
    const f = discoverInText('charts/mft/values.yaml', 'image:\n  repository: axway/cft\n');
    expect(f.map((x) => [x.names, formatPorts(x.ports), x.explicit, x.evidence.map((e) => e.line)])).toEqual([[['mft'], '1761-1763, 1765-1768', false, [2]]]);
  });
  it('helm values of the `helm create` scaffold: the single service.port is what the chart exposes', () => {
    const text = 'image:\n  repository: axway/cft\n  tag: 3.10.2206\nservice:\n  type: LoadBalancer\n  port: 1761\n  loadBalancerSourceRanges:\n    - 192.0.2.0/24\n';
    expect(discoverInText('charts/transfer-cft/values.yaml', text).map(fview)).toEqual([
      { names: ['transfer-cft'], ports: '1761', roles: { 1761: 'pesit' }, explicit: true, sources: '192.0.2.0/24', evidence: ['2 repository: axway/cft', '6 port: 1761', '8 - 192.0.2.0/24'] },
    ]);
  });
  it('systemd: only units that say Transfer CFT', () => {
    expect(discoverInText('etc/cft.service', '[Unit]\nDescription=Some daemon\n')).toEqual([]);
    const f = discoverInText('etc/transfer.service', '[Unit]\nDescription=Axway Transfer CFT\n[Service]\nExecStart=/bin/sh -c ". ./profile && copstart"\n');
    expect(f.map((x) => formatPorts(x.ports))).toEqual(['1766-1768']);
  });
  it('never throws on garbage', () => {
    for (const [name, text] of [
      ['a.yaml', 'services: [\n  cft: {image: axway/cft'],
      ['b.yml', '- - - :\n\t!!x cft'],
      ['initialize.properties', 'PESIT_Port = 99999\n'],
      ['cft-tcp.conf', 'CFTPROT ID=X, SAP=\n'],
      ['x.sh', 'copilot.restapi.serverport'],
    ] as const) {
      expect(() => discoverInText(name, text)).not.toThrow();
    }
    expect(discoverInText('initialize.properties', 'PESIT_Port = 99999\n').map((f) => formatPorts(f.ports))).toEqual(['1761-1763, 1765-1768']);
  });
});

describe('helpers', () => {
  it('hostFromPath takes the directory after hosts/, host_vars/, nodes/, servers/, machines/', () => {
    expect(hostFromPath('hosts/mft01/etc/systemd/system/cft.service')).toBe('mft01');
    expect(hostFromPath('infra/host_vars/mft02/cft.conf')).toBe('mft02');
    expect(hostFromPath('hosts/mft01.rules')).toBeUndefined();
    expect(hostFromPath('etc/cft.service')).toBeUndefined();
  });
  it('cftutil commands in a script: CFTPROT SAPs and UCONF ports, each with its role', () => {
    const text = [
      '#!/bin/sh',
      'cftutil cftprot id=PESITANY, type=PESIT, sap=1861, net=NET0',
      'cftutil cftprot id=PESITSSL, type=PESIT, sap=1862, ssl=SSL0',
      'cftutil uconfset id=copilot.restapi.serverport,value=1868',
      '',
    ].join('\n');
    expect(discoverInText('scripts/configure.sh', text).map(fview)).toEqual([
      { names: [], ports: '1861-1862', roles: { 1861: 'pesit', 1862: 'pesitssl' }, explicit: true, sources: undefined, evidence: ['2 cftutil cftprot id=PESITANY, type=PESIT, sap=1861, net=NET0', '3 cftutil cftprot id=PESITSSL, type=PESIT, sap=1862, ssl=SSL0'] },
      { names: [], ports: '1868', roles: { 1868: 'restapi' }, explicit: true, sources: undefined, evidence: ['4 cftutil uconfset id=copilot.restapi.serverport,value=1868'] },
    ]);
  });
  it('UCONF samples.coms_port.value (the installer\'s COMS_Port) moves COMS', () => {
    expect(discoverInText('uconf.sh', 'CFTUTIL uconfset id=samples.coms_port.value, value=2765\n').map(fview)).toEqual([
      { names: [], ports: '2765', roles: { 2765: 'coms' }, explicit: true, sources: undefined, evidence: ['1 CFTUTIL uconfset id=samples.coms_port.value, value=2765'] },
    ]);
  });
  it('a UCONF command commented out in a script sets no port', () => {
    const text = ['#!/bin/sh', '# no CFT here any more; was:', '# cftutil uconfset id=copilot.restapi.serverport,value=1768', 'REM cftutil uconfset id=copilot.general.serverport,value=1766', 'echo done', ''].join('\n');
    expect(discoverInText('scripts/old.sh', text)).toEqual([]);
  });
  it('docker/podman run of the CFT image in a script: the published ports, with their lines', () => {
    const text = [
      '#!/bin/sh',
      '# docker run -p 1763:1763 axway/cft:3.10',
      'podman run -d --restart always \\',
      '    --name=mft-cft \\',
      '    -e CFT_PESIT_PORT=2761 \\',
      '    -p 2761:2761 \\',
      '    -p "2768:1768" --publish 127.0.0.1:1766:1766 \\',
      '    -p 1761:1761/udp \\',
      '    docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2206 \\',
      '    -p 9999:9999',
      'docker run --rm alpine echo cft -p 1762:1762',
      'docker run --network host -e CFT_INSTANCE_ID=x registry.corp/mft/runtime:1',
      '',
    ].join('\n');
    expect(discoverInText('bin/start-cft.sh', text).map(fview)).toEqual([
      {
        names: ['mft-cft'],
        ports: '2761, 2768',
        roles: { 2761: 'pesit', 2768: 'restapi' },
        explicit: true,
        sources: undefined,
        evidence: [
          '3 podman run -d --restart always \\',
          '9 docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2206 \\',
          '5 -e CFT_PESIT_PORT=2761 \\',
          '6 -p 2761:2761 \\',
          '7 -p "2768:1768" --publish 127.0.0.1:1766:1766 \\',
        ],
      },
      // host network: the container's own ports (the catalogue's, no port variable)
      { names: [], ports: '1761-1763, 1765-1768', roles: { 1761: 'pesit', 1762: 'pesitssl', 1763: 'sftp', 1765: 'coms', 1766: 'copilot', 1767: 'copilotcg', 1768: 'restapi' }, explicit: false, sources: undefined, evidence: ['12 docker run --network host -e CFT_INSTANCE_ID=x registry.corp/mft/runtime:1'] },
    ]);
  });
  it('docker run reads ${VAR} through the script\'s assignments and a unit\'s Environment= (evidence: the command line first, not "$CFT_IMAGE")', () => {
    const script =
      '#!/bin/bash\nCFT_IMAGE=docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2406\nexport PESIT_PORT="6330"\n' +
      'docker run -d --name cft \\\n  -p ${PESIT_PORT}:${PESIT_PORT} -p 1768:1768 \\\n  "$CFT_IMAGE"\n';
    expect(discoverInText('start.sh', script).map((f) => [f.names, formatPorts(f.ports), f.roles, f.evidence.map((e) => e.line)])).toEqual([[['cft'], '1768, 6330', { 1768: 'restapi' }, [4, 6, 5]]]);
    const unit =
      '[Service]\nEnvironment=PESIT_PORT=6330 "IMG=docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10"\nExecStart=/usr/bin/podman run --rm --name cft -p ${PESIT_PORT}:${PESIT_PORT} ${IMG}\n';
    expect(discoverInText('cft-container.service', unit).map((f) => [f.names, formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([[['cft'], '6330', [3]]]);
  });
  it('docker run in command position only: not a word of echo; in $(…), bash -c and after then', () => {
    const text = 'echo "docker run -p 1761:1761 axway/cft"\nCID=$(docker run -d -p 1762:1762 axway/cft)\nbash -c "docker run -p 1768:1768 axway/cft"\nif true; then docker run -p 1766:1766 axway/cft; fi\n';
    expect(discoverInText('start.sh', text).map((f) => [formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([
      ['1762', [2]],
      ['1768', [3]],
      ['1766', [4]],
    ]);
  });
  it('systemd: ExecStart=docker run of the CFT image gives its published ports', () => {
    const text = '[Unit]\nDescription=MFT container\n[Service]\nExecStart=/usr/bin/docker run --rm --name cft -p 1761:1761 -p 2768:1768 axway/cft:3.10\n';
    expect(discoverInText('hosts/mft02/etc/systemd/system/mft.service', text).map(fview)).toEqual([
      { names: ['cft'], ports: '1761, 2768', roles: { 1761: 'pesit', 2768: 'restapi' }, explicit: true, sources: undefined, evidence: ['4 ExecStart=/usr/bin/docker run --rm --name cft -p 1761:1761 -p 2768:1768 axway/cft:3.10'] },
    ]);
    expect(discoverInText('etc/web.service', '[Service]\nExecStart=/usr/bin/docker run -p 1761:1761 nginx\n')).toEqual([]);
  });
  it('ansible: a container task of the CFT image gives its published ports, named by the play hosts', () => {
    const text = [
      '- hosts: mft01',
      '  tasks:',
      '    - name: Run Transfer CFT',
      '      community.docker.docker_container:',
      '        name: cft',
      '        image: axway/cft:3.10',
      '        published_ports:',
      '          - "1761:1761"',
      '          - "127.0.0.1:1768:1768"',
      '          - "2762:1762"',
      '- hosts: "web:&prod"',
      '  tasks:',
      '    - block:',
      '        - containers.podman.podman_container:',
      '            name: cft-test',
      '            image: registry.corp/nginx:1',
      '            network_mode: host',
      '',
    ].join('\n');
    expect(discoverInText('site.yml', text).map(fview)).toEqual([
      { names: ['cft', 'mft01'], ports: '1761, 2762', roles: { 1761: 'pesit', 2762: 'pesitssl' }, explicit: true, sources: undefined, evidence: ['6 image: axway/cft:3.10', '8 - "1761:1761"', '9 - "127.0.0.1:1768:1768"', '10 - "2762:1762"'] },
    ]);
  });
  it('ansible: a role\'s container runs on the hosts of the plays applying it, inventory groups resolved', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-ansible-'));
    try {
      mkdirSync(join(root, 'roles/transfer_cft/tasks'), { recursive: true });
      mkdirSync(join(root, 'inventories/prod'), { recursive: true });
      writeFileSync(join(root, 'inventories/prod/hosts.ini'), '[mft]\nmft01 ansible_host=10.1.0.11\n[cft:children]\nmft\n[cft:vars]\nx=1\n[web]\nweb01\n');
      writeFileSync(join(root, 'inventories/prod/dr.yml'), 'all:\n  children:\n    cft:\n      hosts:\n        mft09:\n');
      writeFileSync(join(root, 'cft.yml'), '- hosts: cft\n  roles:\n    - transfer_cft\n    - { role: common }\n');
      writeFileSync(join(root, 'roles/transfer_cft/tasks/main.yml'), '- docker_container:\n    name: cft-{{ inventory_hostname }}\n    image: "{{ cft_image }}"\n    env:\n      CFT_INSTANCE_ID: "{{ inventory_hostname }}"\n    published_ports: ["1761:1761"]\n');
      expect(discoverDeployments(root).deployments.map(view)).toEqual([
        {
          // a templated container name names no place
          targets: ['cft', 'mft09', 'mft', 'mft01'],
          ports: 'tcp 1761',
          roles: { 1761: 'pesit' },
          sources: undefined,
          evidence: ['roles/transfer_cft/tasks/main.yml:1 - docker_container:', 'roles/transfer_cft/tasks/main.yml:6 published_ports: ["1761:1761"]'],
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('ansible: an inventory group names its hosts for a play only, not for a compose service of the same name', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-ansible-'));
    try {
      writeFileSync(join(root, 'hosts'), '[cft]\nmft01\nmft02\n');
      writeFileSync(join(root, 'docker-compose.yml'), 'services:\n  cft:\n    image: axway/cft:3.10\n    ports: ["1761:1761"]\n');
      expect(discoverDeployments(root).deployments.map((d) => d.targets)).toEqual([['cft']]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('kustomize: an overlay\'s namespace names the workloads of the base it includes', () => {
    const root = mkdtempSync(join(tmpdir(), 'fwl-kustomize-'));
    try {
      mkdirSync(join(root, 'k8s/base'), { recursive: true });
      mkdirSync(join(root, 'k8s/overlays/prod'), { recursive: true });
      mkdirSync(join(root, 'k8s/overlays/dr'), { recursive: true });
      writeFileSync(join(root, 'k8s/base/statefulset.yaml'), 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cft\nspec:\n  template:\n    spec:\n      containers:\n        - name: cft\n          image: axway/cft:3.10\n          ports:\n            - {name: pesit, containerPort: 1761}\n');
      writeFileSync(join(root, 'k8s/base/kustomization.yaml'), 'resources: [statefulset.yaml]\n');
      writeFileSync(join(root, 'k8s/overlays/prod/kustomization.yaml'), 'kind: Kustomization\nnamespace: mft-prod\nresources:\n  - ../../base\n');
      // an overlay of the prod overlay, and one of another base
      writeFileSync(join(root, 'k8s/overlays/dr/kustomization.yaml'), 'namespace: mft-dr\nresources: [../prod]\n');
      writeFileSync(join(root, 'kustomization.yaml'), 'namespace: web\nresources: [web/]\n');
      expect(discoverDeployments(root).deployments.map(view)).toEqual([
        { targets: ['cft', 'mft-prod', 'mft-dr'], ports: 'tcp 1761', roles: { 1761: 'pesit' }, sources: undefined, evidence: ['k8s/base/statefulset.yaml:10 image: axway/cft:3.10', 'k8s/base/statefulset.yaml:12 - {name: pesit, containerPort: 1761}'] },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('terraform: docker run of the CFT image in an instance\'s user_data is on that instance (its resource address)', () => {
    const text = [
      'resource "aws_security_group" "cft" {',
      '  name = "sg-cft"',
      '}',
      'resource "aws_instance" "mft01" {',
      '  vpc_security_group_ids = [aws_security_group.cft.id]',
      '  user_data = <<-EOT',
      '    #!/bin/bash',
      '    # docker run -p 1763:1763 axway/cft:3.9',
      '    docker run -d --name cft -p 1761:1761 -p 1768:1768 axway/cft:3.10',
      '  EOT',
      '}',
      '',
    ].join('\n');
    expect(discoverInText('infra/main.tf', text).map(fview)).toEqual([
      { names: ['cft', 'aws_instance.mft01'], ports: '1761, 1768', roles: { 1761: 'pesit', 1768: 'restapi' }, explicit: true, sources: undefined, evidence: ['9 docker run -d --name cft -p 1761:1761 -p 1768:1768 axway/cft:3.10'] },
    ]);
  });
  it('nomad: the static ports of the CFT task\'s group that the task uses, named by job, group and pinned node', () => {
    const text = [
      'job "cft" {',
      '  constraint {',
      '    attribute = "${attr.unique.hostname}"',
      '    value     = "mft01"',
      '  }',
      '  group "mft" {',
      '    network {',
      '      port "pesit" { static = 1761 }',
      '      port "api" {',
      '        static = 2768',
      '        to     = 1768',
      '      }',
      '      port "ui" {}',
      '      port "metrics" { static = 9100 }',
      '    }',
      '    task "cft" {',
      '      driver = "docker"',
      '      config {',
      '        image = "axway/cft:3.10"',
      '        ports = ["pesit", "api", "ui"]',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(discoverInText('jobs/cft.nomad.hcl', text).map(fview)).toEqual([
      { names: ['cft', 'mft', 'mft01'], ports: '1761, 2768', roles: { 1761: 'pesit', 2768: 'restapi' }, explicit: true, sources: undefined, evidence: ['19 image = "axway/cft:3.10"', '8 port "pesit" { static = 1761 }', '10 static = 2768'] },
    ]);
    expect(discoverInText('jobs/web.nomad', text.replace('axway/cft:3.10', 'nginx:1'))).toEqual([]);
  });
  it('compose: a service extending one of the CFT image in the same file is CFT too (not one in another file)', () => {
    const text = 'services:\n  base:\n    image: axway/cft:3.10\n    expose: ["1761"]\n  cft:\n    extends: base\n    ports: ["1761:1761"]\n  cft2:\n    extends:\n      service: cft\n    ports: ["1762:1762"]\n  loop:\n    extends: loop\n  web:\n    extends: {file: other.yml, service: cft}\n    ports: ["80:80"]\n';
    expect(discoverInText('docker-compose.yml', text).map((f) => [f.names, formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([
      [['base'], '1761-1763, 1765-1768', [3]],
      [['cft'], '1761', [3, 7]],
      [['cft2'], '1762', [3, 11]],
    ]);
  });
  it('a published container port of the CFT block that no role listens on is not needed (1764, a moved role\'s default)', () => {
    const text = 'services:\n  cft:\n    image: axway/cft:3.10\n    environment:\n      CFT_COMS_PORT: "2765"\n    ports:\n      - "1761-1768:1761-1768"\n';
    expect(discoverInText('docker-compose.yml', text).map((f) => [formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([['1761-1763, 1766-1768', [3, 5, 7]]]);
    expect(discoverInText('run.sh', 'docker run -p 1764:1764 -p 1761:1761 axway/cft\n').map((f) => formatPorts(f.ports))).toEqual(['1761']);
  });
  it('a deployment scaled to zero or switched off by its compose profile is no deployment (the rest of the file is)', () => {
    const compose =
      'services:\n  cft-dr:\n    image: axway/cft:3.10\n    profiles: [disabled]\n    ports: ["1761:1761"]\n' +
      '  cft-prod:\n    image: axway/cft:3.10\n    profiles: [prod]\n    ports: ["1762:1762"]\n' +
      '  cft-zero:\n    image: axway/cft:3.10\n    deploy:\n      replicas: 0\n    ports: ["1763:1763"]\n' +
      '  cft-scale:\n    image: axway/cft:3.10\n    scale: 0\n    ports: ["1766:1766"]\n' +
      '  cft:\n    image: axway/cft:3.10\n    deploy: {replicas: 2}\n    ports: ["1768:1768"]\n';
    expect(discoverInText('docker-compose.yml', compose).map((f) => [f.names, formatPorts(f.ports)])).toEqual([
      [['cft-prod'], '1762'],
      [['cft'], '1768'],
    ]);
    const k8s =
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: cft-legacy, namespace: mft-old}\nspec:\n  replicas: 0\n  template:\n    metadata: {labels: {app: cft-legacy}}\n    spec:\n      containers:\n        - name: cft\n          image: axway/cft:3.9\n          ports: [{name: pesit, containerPort: 1761}]\n' +
      '---\napiVersion: v1\nkind: Service\nmetadata: {name: cft-legacy, namespace: mft-old}\nspec:\n  type: LoadBalancer\n  selector: {app: cft-legacy}\n  ports: [{name: pesit, port: 1761}, {name: pesitssl, port: 1762}]\n' +
      '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cft, namespace: mft}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: cft\n          image: axway/cft:3.10\n          ports: [{name: pesit, containerPort: 1761}]\n';
    expect(discoverInText('k8s/cft.yaml', k8s).map((f) => [f.names, formatPorts(f.ports)])).toEqual([[['cft', 'mft'], '1761']]);
    expect(discoverInText('charts/transfer-cft/values.yaml', 'replicaCount: 0\nimage:\n  repository: axway/cft\n')).toEqual([]);
    expect(discoverInText('charts/transfer-cft/values.yaml', 'replicaCount: 1\nimage:\n  repository: axway/cft\n').map((f) => f.names)).toEqual([['transfer-cft']]);
  });
  it('ansible: a container task with state absent, stopped (or podman created) runs no CFT', () => {
    const text =
      '- hosts: mft-a\n  tasks:\n' +
      '    - community.docker.docker_container:\n        name: cft-old\n        image: axway/cft:3.9\n        state: absent\n        published_ports: ["1761:1761"]\n' +
      '    - community.docker.docker_container:\n        name: cft-dr\n        image: axway/cft:3.10\n        state: stopped\n        published_ports: ["1762:1762"]\n' +
      '    - containers.podman.podman_container:\n        name: cft-new\n        image: axway/cft:3.10\n        state: created\n        ports: ["1763:1763"]\n' +
      '    - community.docker.docker_container:\n        name: cft\n        image: axway/cft:3.10\n        state: started\n        published_ports: ["6330:1761"]\n';
    expect(discoverInText('site.yml', text).map((f) => [f.names, formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([[['cft', 'mft-a'], '6330', [20, 22]]]);
  });
  it('a release of the transfer-cft chart from a chart repository (helmfile, Argo CD, Flux): the chart\'s default service ports', () => {
    const helmfile =
      'releases:\n  - name: mft-old\n    namespace: mft\n    chart: axway/transfer-cft\n    installed: false\n' +
      '  - name: mft-prod\n    namespace: mft\n    chart: axway/transfer-cft\n    values: [values/mft-prod.yaml]\n  - name: web\n    chart: bitnami/nginx\n';
    expect(discoverInText('helmfile.yaml', helmfile).map(fview)).toEqual([
      { names: ['mft-prod', 'mft'], ports: '1761-1763, 1766-1768', roles: { 1761: 'pesit', 1762: 'pesitssl', 1763: 'sftp', 1766: 'copilot', 1767: 'copilotcg', 1768: 'restapi' }, explicit: false, sources: undefined, evidence: ['8 chart: axway/transfer-cft'] },
    ]);
    const apps =
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: mft-cft, namespace: argocd}\nspec:\n  source:\n    repoURL: https://charts.example/axway\n    chart: transfer-cft\n  destination:\n    namespace: mft-prod\n' +
      '---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cft, namespace: mft-dr}\nspec:\n  chart:\n    spec:\n      chart: transfer-cft\n' +
      '---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  source: {chart: nginx}\n';
    expect(discoverInText('apps.yaml', apps).map((f) => [f.names, formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([
      [['mft-cft', 'mft-prod'], '1761-1763, 1766-1768', [7]],
      [['cft', 'mft-dr'], '1761-1763, 1766-1768', [17]],
    ]);
  });
  it('terraform: a helm_release of the transfer-cft chart, named by release, namespace and resource address', () => {
    const text = 'resource "helm_release" "mft" {\n  name       = "mft"\n  repository = "https://charts.example/axway"\n  chart      = "transfer-cft"\n  namespace  = "mft-tf"\n}\nresource "helm_release" "web" {\n  name  = "web"\n  chart = "nginx"\n}\n';
    expect(discoverInText('main.tf', text).map((f) => [f.names, formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([[['mft', 'mft-tf', 'helm_release.mft'], '1761-1763, 1766-1768', [4]]]);
  });
  it('podman quadlet: a .container unit of the CFT image gives its PublishPort= ports (loopback needs none)', () => {
    const text =
      '[Unit]\nDescription=Transfer CFT\n\n[Container]\nImage=docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2406\n' +
      'Environment=CFT_INSTANCE_ID=mftq01 "CFT_FQDN=mft-q01.example" CFT_PESIT_PORT=6330\n# PublishPort=1761:1761\nPublishPort=6330:6330\nPublishPort=127.0.0.1:1768:1768\nPublishPort=1762:1762\n\n[Install]\nWantedBy=default.target\n';
    expect(discoverInText('hosts/mft-q01/etc/containers/systemd/cft.container', text).map(fview)).toEqual([
      {
        names: ['cft'],
        ports: '1762, 6330',
        roles: { 1762: 'pesitssl', 6330: 'pesit' },
        explicit: true,
        sources: undefined,
        evidence: [
          '5 Image=docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2406',
          '6 Environment=CFT_INSTANCE_ID=mftq01 "CFT_FQDN=mft-q01.example" CFT_PESIT_PORT=6330',
          '8 PublishPort=6330:6330',
          '9 PublishPort=127.0.0.1:1768:1768',
          '10 PublishPort=1762:1762',
        ],
      },
    ]);
    expect(discoverInText('web.container', '[Container]\nImage=nginx\nPublishPort=1761:80\n')).toEqual([]);
  });
  it('nomad: a group with count = 0 runs nothing', () => {
    const text = 'job "mft" {\n  group "cft-old" {\n    count = 0\n    network {\n      port "pesit" { static = 1761 }\n    }\n    task "cft" {\n      driver = "docker"\n      config {\n        image = "docker.repository.axway.com/transfercft-docker-prod/3.9/cft:3.9"\n        ports = ["pesit"]\n      }\n    }\n  }\n  group "cft" {\n    count = 1\n    network {\n      port "pesit" { static = 6330 }\n    }\n    task "cft" {\n      driver = "docker"\n      config {\n        image = "docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10"\n        ports = ["pesit"]\n      }\n    }\n  }\n}\n';
    expect(discoverInText('mft.nomad', text).map((f) => [f.names, formatPorts(f.ports)])).toEqual([[['mft', 'cft'], '6330']]);
  });
  it('initialize.properties: Copilot_SSL_Port (the installer\'s key for copilot.general.ssl_serverport) moves 1767', () => {
    const text = 'PESIT_Port = 6330\nCopilot_SSL_Port = 2767\n';
    expect(discoverInText('initialize.properties', text).map((f) => [formatPorts(f.ports), f.roles, f.evidence.map((e) => e.line)])).toEqual([
      ['1762-1763, 1765-1766, 1768, 2767, 6330', { 1762: 'pesitssl', 1763: 'sftp', 1765: 'coms', 1766: 'copilot', 1768: 'restapi', 2767: 'copilotcg', 6330: 'pesit' }, [1, 2]],
    ]);
  });
  it('the Axway Installer response file (Install_Transfer_CFT.properties, Component = Transfer_CFT) gives its ports', () => {
    // the silent install's keys: SAP1 (PeSIT), PESITSSL, CommunicationPort (COMS), SAPcopilot, SSLSAPcopilot, rest_port;
    // an empty key takes its DefaultValue line; .Type/.Min lines are no port
    const text = 'Component = Transfer_CFT\nComponent.Version = 3.10.2406\n\nSAP1 = 6330\nSAP1.Type = IPPortOwner\nSAP1.Min = 1024\nSAP1.DefaultValue = 1761\n\nPESITSSL = 6331\nCommunicationPort = 1765\nSAPcopilot = 1766\nSSLSAPcopilot = \nSSLSAPcopilot.DefaultValue = 2767\nrest_port = 8443\n';
    expect(discoverInText('hosts/mft02/opt/axway/Install_Transfer_CFT.properties', text).map(fview)).toEqual([
      {
        names: [],
        ports: '1763, 1765-1766, 2767, 6330-6331, 8443',
        roles: { 1763: 'sftp', 1765: 'coms', 1766: 'copilot', 2767: 'copilotcg', 6330: 'pesit', 6331: 'pesitssl', 8443: 'restapi' },
        explicit: true,
        sources: undefined,
        evidence: ['1 Component = Transfer_CFT', '4 SAP1 = 6330', '9 PESITSSL = 6331', '10 CommunicationPort = 1765', '11 SAPcopilot = 1766', '13 SSLSAPcopilot.DefaultValue = 2767', '14 rest_port = 8443'],
      },
    ]);
    // another product's response file with the same keys is not Transfer CFT
    expect(discoverInText('Install_Other.properties', 'Component = Sentinel\nSAP1 = 1761\n')).toEqual([]);
  });
  it('uconfset copilot.restapi.enable=no switches the REST API off: its port leaves the deployment, whatever gives it', () => {
    const copilot = discoverInText('hosts/mft-e/etc/systemd/system/cftcopilot.service', '[Unit]\nDescription=Axway Transfer CFT Copilot\n[Service]\nExecStart=/bin/sh -c \'. ./profile && copstart\'\n');
    const uconf = discoverInText('hosts/mft-e/post.sh', 'CFTUTIL uconfset id=samples.pesitany_sap.value, value=6330\n# CFTUTIL uconfset id=copilot.restapi.enable, value=yes\nCFTUTIL uconfset id=copilot.restapi.enable, value=No\n');
    const ds = mergeFindings([...uconf, ...copilot].map((finding) => ({ finding, targets: ['mft-e'] })));
    expect(ds.map((d) => [formatPorts(d.ports[0]!.ports), d.disabled, d.evidence.map((e) => `${e.file}:${e.line}`)])).toEqual([
      ['1766-1767, 6330', { 1768: 'restapi' }, ['hosts/mft-e/post.sh:1', 'hosts/mft-e/post.sh:3', 'hosts/mft-e/etc/systemd/system/cftcopilot.service:2']],
    ]);
    // set back to yes later in the script: on again
    expect(discoverInText('post.sh', 'CFTUTIL uconfset id=copilot.restapi.enable, value=no\nCFTUTIL uconfset id=copilot.restapi.enable, value=yes\n')).toEqual([]);
    // alone, the switch proves Transfer CFT is configured here, on the catalogue ports but the REST API's
    expect(discoverInText('post.sh', 'CFTUTIL uconfset id=copilot.restapi.enable, value=no\n').map((f) => [formatPorts(f.ports), f.explicit, f.off])).toEqual([['1761-1763, 1765-1767', false, ['restapi']]]);
  });
  it('Helm values: a service port\'s nodePort is opened on every node too', () => {
    const text = 'image:\n  repository: docker.repository.axway.com/transfercft-docker-prod/3.10/cft\nservice:\n  type: NodePort\n  ports:\n    - name: pesit\n      port: 1761\n      nodePort: 31761\n    - name: restapi\n      port: 1768\n';
    expect(discoverInText('charts/transfer-cft/values.yaml', text).map((f) => [formatPorts(f.ports), f.roles])).toEqual([['1761, 1768, 31761', { 1761: 'pesit', 1768: 'restapi', 31761: 'pesit' }]]);
  });
  it('a release of the transfer-cft chart with inline values (Argo CD helm.values / valuesObject, Flux spec.values) takes their ports', () => {
    const argo = (helm: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: transfer-cft-prod\n  namespace: argocd\nspec:\n  source:\n    repoURL: https://helm.repository.axway.com\n    chart: transfer-cft\n    targetRevision: 0.4.0\n    helm:\n${helm}  destination:\n    namespace: mft-prod\n`;
    const view2 = (f: Finding) => [f.names, formatPorts(f.ports), f.explicit, f.sources?.toString(), f.evidence.map((e) => e.line)];
    // the values as a YAML text: its ports, the evidence at the values key
    expect(discoverInText('argocd/app.yaml', argo('      values: |\n        service:\n          loadBalancerSourceRanges: [198.51.100.0/24]\n          ports:\n            - name: pesit\n              port: 6330\n')).map(view2)).toEqual([
      [['transfer-cft-prod', 'mft-prod'], '6330', true, '198.51.100.0/24', [9, 12]],
    ]);
    // valuesObject: the port lines themselves
    expect(discoverInText('argocd/app.yaml', argo('      valuesObject:\n        service:\n          ports:\n            - name: restapi\n              port: 8443\n')).map(view2)).toEqual([[['transfer-cft-prod', 'mft-prod'], '8443', true, undefined, [9, 13, 15]]]);
    // scaled to zero: no deployment
    expect(discoverInText('argocd/app.yaml', argo('      valuesObject:\n        replicaCount: 0\n'))).toEqual([]);
    // values about something else: the chart's defaults
    expect(discoverInText('argocd/app.yaml', argo('      valuesObject:\n        cft:\n          fqdn: mft.example\n')).map(view2)).toEqual([[['transfer-cft-prod', 'mft-prod'], '1761-1763, 1766-1768', false, undefined, [9]]]);
    const flux = 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cft\n  namespace: mft\nspec:\n  chart:\n    spec:\n      chart: transfer-cft\n  values:\n    service:\n      ports:\n        - name: pesit\n          port: 1761\n';
    expect(discoverInText('flux/cft.yaml', flux).map(view2)).toEqual([[['cft', 'mft'], '1761', true, undefined, [9, 11, 13]]]);
  });
  it('a published port fwlint cannot read (Ansible "{{ var }}:{{ var }}", a compose variable with no value) claims no role port unneeded', () => {
    const task = (ports: string) =>
      `- name: Transfer CFT\n  community.docker.docker_container:\n    name: cft\n    image: "docker.repository.axway.com/transfercft-docker-prod/3.10/cft:{{ cft_version }}"\n    env:\n      CFT_INSTANCE_ID: "{{ inventory_hostname }}"\n    published_ports:\n${ports}`;
    const ports = (file: string, text: string) => discoverInText(file, text).map((f) => formatPorts(f.ports));
    // the PeSIT port is templated: it was dropped, leaving "the deployment uses only TCP 1768"
    expect(ports('roles/cft/tasks/main.yml', task('      - "{{ cft_pesit_port }}:{{ cft_pesit_port }}"\n      - "1768:1768"\n'))).toEqual(['1761-1763, 1765-1768']);
    // a templated host port of a known container port is that port, as for compose
    expect(ports('roles/cft/tasks/main.yml', task('      - "{{ cft_pesit_port }}:1761"\n      - "1768:1768"\n'))).toEqual(['1761, 1768']);
    expect(ports('docker-compose.yml', 'services:\n  cft:\n    image: axway/transfer-cft:3.10\n    ports:\n      - "${PESIT_PORT}:${PESIT_PORT}"\n      - "1768:1768"\n')).toEqual(['1761-1763, 1765-1768']);
    expect(ports('run.sh', 'docker run -d -p "$P:$P" -p 1768:1768 axway/transfer-cft:3.10\n')).toEqual(['1761-1763, 1765-1768']);
  });
  it('Kubernetes: envFrom a ConfigMap of the same file and namespace gives the container its variables (under env)', () => {
    const cm = (ns: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cft-env, namespace: ${ns}}\ndata:\n  CFT_INSTANCE_ID: k8s_cft\n  CFT_PESIT_PORT: "6330"\n  CFT_RESTAPI_PORT: "9443"\n---\n`;
    const sts =
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: cft, namespace: mft}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n        - name: cft\n          image: harbor.bank.example/mft/runtime:1\n          env: [{name: CFT_RESTAPI_PORT, value: "8443"}]\n          envFrom:\n            - configMapRef: {name: cft-env}\n';
    expect(discoverInText('k8s/cft.yaml', cm('mft') + sts).map((f) => [formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([['1762-1763, 1765-1767, 6330, 8443', [17, 19, 21]]]);
    // a ConfigMap of another namespace is not the one the pod reads: no instance variable, no deployment
    expect(discoverInText('k8s/cft.yaml', cm('other') + sts)).toEqual([]);
  });
  it('uconfset calls beside a systemd unit move the roles they set, the unit\'s other roles keep their defaults', () => {
    const unit = discoverInText('hosts/mft-d/etc/systemd/system/cft.service', '[Unit]\nDescription=Axway Transfer CFT\n[Service]\nExecStart=/bin/sh -c \'. ./profile && cft start\'\n');
    const uconf = discoverInText('hosts/mft-d/uconf.sh', 'CFTUTIL uconfset id=samples.pesitany_sap.value, value=6330\nCFTUTIL uconfset id=copilot.restapi.serverport, value=8443\n');
    const ds = mergeFindings([...uconf, ...unit].map((finding) => ({ finding, targets: ['mft-d'] })));
    expect(ds.map(view)).toEqual([
      {
        targets: ['mft-d'],
        ports: 'tcp 1762-1763, 1765, 6330, 8443',
        roles: { 1762: 'pesitssl', 1763: 'sftp', 1765: 'coms', 6330: 'pesit', 8443: 'restapi' },
        sources: undefined,
        evidence: [
          'hosts/mft-d/uconf.sh:1 CFTUTIL uconfset id=samples.pesitany_sap.value, value=6330',
          'hosts/mft-d/uconf.sh:2 CFTUTIL uconfset id=copilot.restapi.serverport, value=8443',
          'hosts/mft-d/etc/systemd/system/cft.service:2 Description=Axway Transfer CFT',
        ],
      },
    ]);
  });
  it('terraform: a GCE instance starting CFT is also named by its network tags (what firewall target tags select)', () => {
    const text = 'resource "google_compute_instance" "mft01" {\n  name = "mft01"\n  tags = ["mft", "ssh"]\n  metadata_startup_script = <<-EOT\n    docker run -d -p 1761:1761 axway/cft:3.10\n  EOT\n}\nresource "google_compute_instance" "web" {\n  tags = ["web"]\n}\n';
    expect(discoverInText('main.tf', text).map((f) => [f.names, formatPorts(f.ports), f.evidence.map((e) => e.line)])).toEqual([[['google_compute_instance.mft01', 'mft', 'ssh'], '1761', [5]]]);
  });
  it('isCftImage', () => {
    expect(isCftImage('docker.repository.axway.com/transfercft-docker-prod/3.10/cft:3.10.2206')).toBe(true);
    expect(isCftImage('axway/cft:3.10.2206')).toBe(true);
    // a private registry's copy under its own path keeps the image name
    expect(isCftImage('harbor.corp.example:8443/mft/transfer-cft:3.10.2206')).toBe(true);
    expect(isCftImage('registry.corp/transfercft@sha256:0123')).toBe(true);
    expect(isCftImage('registry.corp/tools/cft:1.0')).toBe(false);
    expect(isCftImage('registry.corp/transfer-cft-client/cli:1.0')).toBe(false);
    expect(isCftImage('nginx')).toBe(false);
    expect(isCftImage(undefined)).toBe(false);
  });
});
