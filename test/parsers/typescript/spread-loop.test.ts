import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

describe('spread of a loop element', () => {
  it('[...ports] with ports an element of Object.entries(map).forEach: one array per iteration, paired with its tag', () => {
    const { document } = extract(`import * as gcp from '@pulumi/gcp';
const apps = { cft: ['1761-1768'], sftp: ['1763'] } as const;
Object.entries(apps).forEach(([tag, ports]) => {
  new gcp.compute.Firewall(\`allow-\${tag}\`, {
    network: 'default',
    allows: [{ protocol: 'tcp', ports: [...ports] }],
    sourceRanges: ['0.0.0.0/0'],
    targetTags: [tag],
  });
});
`);
    expect(document.diagnostics).toEqual([]);
    expect(summary(document).filter((l) => l.includes('INGRESS'))).toEqual([
      'network default, target tag cft INGRESS: dstport=1761-1768 proto=6 srcaddr=0.0.0.0/0 => accept',
      'network default, target tag sftp INGRESS: dstport=1763 proto=6 srcaddr=0.0.0.0/0 => accept',
    ]);
  });
});
