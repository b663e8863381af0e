import { describe, expect, it } from 'vitest';
import type { ModuleReader } from '../../../src/parsers/typescript/index.js';
import { allRules, extract, opaques, parseTs, summary } from './helpers.js';

/** The project's files, by path; a specifier is resolved against the importing file's folder, `.ts` added. */
function reader(files: Record<string, string>): ModuleReader {
  return (spec, from) => {
    const path = `${from.replace(/[^/]*$/, '')}${spec.replace(/^\.\//, '')}`.replace(/\/[^/]+\/\.\.\//g, '/');
    const hit = [path, `${path}.ts`].find((p) => files[p] !== undefined);
    return hit ? { path: hit, text: files[hit]!, program: parseTs(files[hit]!) } : undefined;
  };
}

const STACK = `import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CFT_PORTS, ADMIN_CIDR, Ports, PARTNERS } from './constants';
import { world } from './peers';
declare const stack: any;
declare const vpc: ec2.IVpc;
const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
for (const p of CFT_PORTS) sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(p));
sg.addIngressRule(ec2.Peer.ipv4(ADMIN_CIDR), ec2.Port.tcp(Ports.SSH));
for (const n of PARTNERS) sg.addIngressRule(ec2.Peer.ipv4(n.cidr), ec2.Port.tcp(n.port));
sg.addIngressRule(world(), ec2.Port.tcp(1766));
`;

const FILES = {
  '/p/lib/constants.ts': `import { BASE } from './base';
export const CFT_PORTS = [BASE, BASE + 7];
export const ADMIN_CIDR = '203.0.113.0/24';
export enum Ports { SSH = 22, PG = 5432 }
export const PARTNERS = [{ cidr: '198.51.100.0/24', port: 1763 }] as const;
`,
  '/p/lib/base.ts': 'export const BASE = 1761;\n',
  '/p/lib/peers.ts': `import { Peer } from 'aws-cdk-lib/aws-ec2';
export function world() { return Peer.anyIpv4(); }
`,
};

describe('constants imported from the project’s other files', () => {
  it('are read from the file that exports them (and what it imports), placed at the import', () => {
    const { document } = extract(STACK, { filePath: '/p/lib/stack.ts', readModule: reader(FILES) });
    expect(summary(document)).toEqual([
      // (one loop, one rule: any-of its iterations)
      'Sg ingress: dstport=1761, 1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'Sg ingress: dstport=22 proto=6 srcaddr=203.0.113.0/24 => accept',
      'Sg ingress: dstport=1763 proto=6 srcaddr=198.51.100.0/24 => accept',
      'Sg ingress: dstport=1766 opaque:unresolved proto=6 => accept',
    ]);
    // a function of another file is not read: unknown, named, with where it comes from
    expect(allRules(document).flatMap(opaques)).toEqual([{ module: 'unresolved', text: 'world()', reason: "imported from './peers': local function" }]);
    // a file that cannot be read, or a name it does not declare, stays unknown
    const { document: other } = extract(STACK, { filePath: '/p/lib/stack.ts', readModule: reader({ '/p/lib/constants.ts': 'export const OTHER = 1;\n' }) });
    expect(opaques(allRules(other)[0]!)).toEqual([{ module: 'unresolved', text: 'p', reason: "imported from './constants' (other files are not read)" }]);
  });

  it('an imported list changed in place in this file is unknown, as a local one is; one pushed to has the items pushed', () => {
    const spliced = extract(`${STACK}CFT_PORTS.splice(0, 1);\n`, { filePath: '/p/lib/stack.ts', readModule: reader(FILES) }).document;
    expect(allRules(spliced).flatMap((r) => opaques(r).map((o) => o.reason))).toContainEqual(expect.stringContaining("'CFT_PORTS' is changed after its declaration"));
    expect(summary(spliced).some((r) => r.includes('1761'))).toBe(false);
    const pushed = extract(`${STACK}CFT_PORTS.push(1764);\n`, { filePath: '/p/lib/stack.ts', readModule: reader(FILES) }).document;
    expect(summary(pushed)[0]).toBe('Sg ingress: dstport=1761, 1764, 1768 proto=6 srcaddr=0.0.0.0/0 => accept');
  });
});
