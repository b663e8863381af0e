import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractFirewall } from '../../../src/parsers/typescript/index.js';
import { allRules, extract, fixture, parseTs, summary } from './helpers.js';

const SOURCES = ['cdk-app.ts', 'pulumi-program.ts', 'cdk-variants.ts', 'pulumi-gcp-azure.ts'].map(fixture);

function tryParse(text: string): ReturnType<typeof parseTs> | undefined {
  try {
    return parseTs(text);
  } catch {
    return undefined;
  }
}

describe('never throws, spans stay inside the text', () => {
  it('on random edits of the fixtures', () => {
    // replace whole words / literals with other expressions, so most edits still parse
    const words = SOURCES.map((src) => [...src.matchAll(/[A-Za-z_$][\w$]*|[0-9]+|'[^'\n]*'/g)].map((m) => [m.index, m[0].length] as const));
    const tokens = ['ec2.Peer.anyIpv4()', 'undefined', 'null', '-1', '"x"', '(a as const)', 'this.x', 'new X()', '[...a]', '{ ...b }', '0', '`${c}`', 'f()', "'0.0.0.0/0'", '65536', 'props.p', 'a ? 1 : 2'];
    let parsed = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SOURCES.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...tokens)), { minLength: 1, maxLength: 4 }),
        (which, edits) => {
          const list = words[which]!;
          const chosen = [...new Map(edits.map(([w, t]) => [list[w % list.length]!, t])).entries()].sort((x, y) => y[0][0] - x[0][0]);
          let text = SOURCES[which]!;
          for (const [[at, len], ins] of chosen) text = text.slice(0, at) + ins + text.slice(at + len);
          const program = tryParse(text);
          if (!program) return;
          parsed++;
          const { document, extracted } = extractFirewall(program, text);
          // the internal safety net must never be what kept it from throwing
          expect(document.diagnostics.filter((d) => d.code === 'typescript/internal')).toEqual([]);
          for (const r of allRules(document)) {
            expect(r.span.start.offset).toBeLessThanOrEqual(r.span.end.offset);
            expect(r.span.end.offset).toBeLessThanOrEqual(text.length);
            expect(r.reportSpan!.start.offset).toBeGreaterThanOrEqual(0);
            expect(r.text.includes('\n')).toBe(false);
          }
          for (const e of extracted) for (const s of e.suggestions) expect(s.range[1]).toBeLessThanOrEqual(text.length);
        },
      ),
      { numRuns: 300, seed: 8 },
    );
    expect(parsed).toBeGreaterThan(60);
  });

  it('on deep nesting and long chains of constants', () => {
    const chain = Array.from({ length: 3000 }, (_, i) => `const c${i} = c${i + 1};`).join('\n');
    const text = `import * as ec2 from 'aws-cdk-lib/aws-ec2';\n${chain}\nconst c3000 = 1761;\nconst sg = new ec2.SecurityGroup(app, 'Deep', {});\nsg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(c0));\n`;
    const { document } = extract(text);
    // too deep to follow: opaque, not a guess and not a crash
    expect(summary(document)[0]).toBe('Deep ingress: opaque:unresolved proto=6 srcaddr=0.0.0.0/0 => accept');
    const nested = `import * as ec2 from 'aws-cdk-lib/aws-ec2';\nconst sg = new ec2.SecurityGroup(app, 'N', {});\nsg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(${'('.repeat(400)}1761${')'.repeat(400)}));\n`;
    expect(summary(extract(nested).document)[0]).toBe('N ingress: dstport=1761 proto=6 srcaddr=0.0.0.0/0 => accept');
  });

  it('on an empty program and on a program with no firewall code', () => {
    expect(extract('').document).toEqual({ format: 'typescript', rulesets: [], diagnostics: [], comments: [] });
    const { document } = extract('// hello\nexport const x = 1;\n');
    expect(document.rulesets).toEqual([]);
    expect(document.comments).toEqual([{ value: ' hello', type: 'Line', span: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 9, offset: 8 } } }]);
  });
});

describe('performance', () => {
  function cdkFile(lines: number): string {
    const out = ["import * as ec2 from 'aws-cdk-lib/aws-ec2';", 'const BASE = 1000;', 'export function build(app: any, props: any) {', "  const sg = new ec2.SecurityGroup(app, 'Big', {});"];
    for (let i = 0; out.length < lines - 1; i++) {
      switch (i % 4) {
        case 0:
          out.push(`  sg.addIngressRule(ec2.Peer.ipv4('10.${i % 256}.0.0/16'), ec2.Port.tcp(BASE + ${i % 60000}));`);
          break;
        case 1:
          out.push(`  sg.connections.allowFrom(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(${i % 1000}, ${(i % 1000) + 10}));`);
          break;
        case 2:
          out.push(`  const p${i} = { port: ${i % 65535} };`);
          break;
        default:
          out.push(`  sg.addIngressRule(ec2.Peer.ipv4(props.cidr${i}), ec2.Port.udp(p${i - 1}.port));`);
      }
    }
    out.push('}');
    return out.join('\n') + '\n';
  }

  function pulumiFile(entries: number): string {
    const out = ["import * as aws from '@pulumi/aws';", "export const sg = new aws.ec2.SecurityGroup('big', {", '  ingress: ['];
    for (let i = 0; i < entries; i++) {
      out.push('    {', "      protocol: 'tcp',", `      fromPort: ${i % 65535},`, `      toPort: ${i % 65535},`, `      cidrBlocks: ['10.${i % 256}.0.0/16', '0.0.0.0/0'],`, '    },');
    }
    out.push('  ],', '});');
    return out.join('\n') + '\n';
  }

  function time(text: string): { parseMs: number; extractMs: number; rules: number } {
    const t0 = performance.now();
    const program = parseTs(text);
    const t1 = performance.now();
    let rules = 0;
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const s = performance.now();
      rules = extractFirewall(program, text).extracted.length;
      best = Math.min(best, performance.now() - s);
    }
    return { parseMs: t1 - t0, extractMs: best, rules };
  }

  it('extracts a 2,000-line CDK file and a 2,000-line Pulumi file quickly', () => {
    const cdk = cdkFile(2000);
    const pulumi = pulumiFile(333);
    expect(cdk.split('\n').length).toBe(2001);
    const a = time(cdk);
    const b = time(pulumi);
    const fixtures = SOURCES.map((s) => time(s));
    console.log(
      `[typescript extractor] cdk 2000 lines: parse ${a.parseMs.toFixed(1)} ms, extract ${a.extractMs.toFixed(1)} ms, ${a.rules} rules; ` +
        `pulumi ${pulumi.split('\n').length - 1} lines: parse ${b.parseMs.toFixed(1)} ms, extract ${b.extractMs.toFixed(1)} ms, ${b.rules} rules; ` +
        `fixtures extract ${fixtures.map((f) => f.extractMs.toFixed(2)).join(' / ')} ms`,
    );
    // every `sg.` line adds a rule, plus the default egress
    expect(a.rules).toBe(cdk.split('\n').filter((l) => l.startsWith('  sg.')).length + 1);
    expect(b.rules).toBe(333);
  });
});
