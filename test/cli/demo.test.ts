import { describe, expect, it } from 'vitest';
import { fwlint } from './helpers.js';

describe('the bundled demo (npm start)', () => {
  it('mft01 has a correct deployment, mft02 opens extra ports, web01 has none', () => {
    const r = fwlint(['-f', 'json', 'fixtures/demo']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string; line: number; message: string }[] }[];
    const byFile = Object.fromEntries(results.map((x) => [x.filePath.replace(/^.*fixtures\/demo\//, ''), x.messages.map((m) => `${m.line} ${m.ruleId} ${m.message}`)]));
    expect(byFile).toEqual({
      'hosts/mft01.rules': [],
      'hosts/mft02.rules': [
        '10 firewall/no-unneeded-cft-ports Open: TCP 1763 (cft-2, Transfer CFT SFTP), 1764 (cft-3) reachable from 10.0.0.0/8 but not used by the Transfer CFT deployment on mft02 per fwlint.config.yaml:15 (1764 has no Transfer CFT role; the deployment switched off sftp (1763)).',
        '11 firewall/no-unneeded-cft-ports Open: UDP 1761 (cft-0), 1762 (cft-1), 1763 (cft-2), 1764 (cft-3), 1765 (cft-4), 1766 (cft-5), 1767 (cft-6), 1768 (cft-7) reachable from 10.0.0.0/8 but not used by the Transfer CFT deployment on mft02 per fwlint.config.yaml:15 (Transfer CFT never uses UDP).',
      ],
      'hosts/web01.rules': ['10 firewall/no-unneeded-cft-ports Open: TCP 1768 (cft-7, Transfer CFT REST API and web UI) reachable from 0.0.0.0/0 without a Transfer CFT deployment on web01 (Transfer CFT is deployed on mft01 per fwlint.config.yaml:12; mft02 per fwlint.config.yaml:15).'],
    });
  });
});
