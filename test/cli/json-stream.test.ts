import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { batched, jsonPieces } from '../../src/cli/json-stream.js';

const message = fc.record(
  {
    ruleId: fc.option(fc.string(), { nil: null }),
    severity: fc.constantFrom(1, 2),
    message: fc.string({ unit: 'grapheme' }),
    line: fc.nat(),
    column: fc.nat(),
    endLine: fc.option(fc.nat(), { nil: undefined }),
    fix: fc.option(fc.record({ range: fc.tuple(fc.nat(), fc.nat()), text: fc.string() }), { nil: undefined }),
  },
  { requiredKeys: ['ruleId', 'severity', 'message', 'line', 'column'] },
);
const result = fc.record(
  {
    filePath: fc.string({ unit: 'grapheme' }),
    messages: fc.array(message, { maxLength: 6 }),
    suppressedMessages: fc.array(fc.record({ ruleId: fc.string(), suppressions: fc.array(fc.record({ kind: fc.string(), justification: fc.string() })) }), { maxLength: 2 }),
    errorCount: fc.nat(),
    source: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
    usedDeprecatedRules: fc.array(fc.record({ ruleId: fc.string(), replacedBy: fc.array(fc.string()) }), { maxLength: 2 }),
  },
  { requiredKeys: ['filePath', 'messages', 'errorCount'] },
);

describe('JSON report in pieces', () => {
  test('long strings (the file text ESLint puts in `source`) are escaped in pieces, surrogate pairs kept whole', () => {
    const long = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('\n', '"', '\\', '😀', '\ud800', '\udc00', '\u0001')), { maxLength: 600 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(long, fc.nat({ max: 16383 }), (text, pad) => {
        // padded so that the pieces' boundaries fall anywhere, also inside a surrogate pair
        const results = [{ filePath: 'f', messages: [], source: 'x'.repeat(pad) + text + '😀'.repeat(20000) }];
        expect([...jsonPieces(results)].join('')).toBe(JSON.stringify(results));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  test('the pieces joined are JSON.stringify(results), byte for byte', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 4 }), fc.integer({ min: 1, max: 64 }), (results, size) => {
        const want = JSON.stringify(results);
        expect([...jsonPieces(results)].join('')).toBe(want);
        expect([...batched(jsonPieces(results), size)].join('')).toBe(want);
      }),
      { numRuns: 500, seed: 21 },
    );
  });

  test('messages are left as they were: same texts, same keys in the same order (the writer reads texts through copies)', () => {
    const head = 'Open: TCP 1761 (cft-0, Transfer CFT PeSIT), 1762 (cft-1, Transfer CFT PeSIT over TLS) reachable from ';
    const messages: Record<string, unknown>[] = Array.from({ length: 150 }, (_, i) => ({ ruleId: 'firewall/x', severity: 1, message: head + `10.0.${i}.0/24 on host.`, line: i + 1 }));
    messages[3] = { ruleId: null, message: 42, line: 1 };
    messages[70] = { ruleId: 'firewall/y', severity: 2, line: 2 };
    messages[71] = { message: '', line: 3 };
    messages[72] = { message: '😀 é', line: 4 };
    const results = [{ filePath: '/f', messages, suppressedMessages: [{ ruleId: 'firewall/x', message: head + 'x.', suppressions: [] }] }];
    const before = JSON.stringify(results);
    const keys = messages.map((m) => Object.keys(m).join());
    expect([...jsonPieces(results)].join('')).toBe(before);
    expect(JSON.stringify(results)).toBe(before);
    expect(messages.map((m) => Object.keys(m).join())).toEqual(keys);
  });

  test('writes are gathered: a report of many messages is a few writes, none far over the batch size', () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({ ruleId: 'firewall/x', severity: 1, message: `m${i}`, line: i + 1, column: 1 }));
    const chunks = [...batched(jsonPieces([{ filePath: '/f', messages }]), 4096)];
    expect(chunks.join('')).toBe(JSON.stringify([{ filePath: '/f', messages }]));
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.length).toBeLessThan(100);
    // a short chunk only before a big piece (a slice of messages), which is written alone
    chunks.slice(0, -1).forEach((c, i) => expect(c.length >= 4096 || chunks[i + 1]!.length >= 1024).toBe(true));
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(2 * 4096);
  });

  test('a piece of a quarter of the batch size or more is written alone, after what was gathered before it', () => {
    const big = 'x'.repeat(1024);
    expect([...batched(['a', 'b', big, 'c', 'd'], 4096)]).toEqual(['ab', big, 'cd']);
    expect([...batched([big, big], 4096)]).toEqual([big, big]);
    expect([...batched(['a'.repeat(1023), 'b'.repeat(1023), 'c'.repeat(1023), 'd'.repeat(1023), 'e'], 4096)]).toEqual(['a'.repeat(1023) + 'b'.repeat(1023) + 'c'.repeat(1023) + 'd'.repeat(1023) + 'e']);
  });

  test('an empty run is []', () => {
    expect([...jsonPieces([])].join('')).toBe('[]');
  });
});

describe('fwlint -f json', () => {
  test('-o writes exactly the report stdout prints (there with a final newline, as ESLint prints it), and it round-trips through JSON.parse', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fwlint, ROOT } = await import('./helpers.js');
    const d = mkdtempSync(join(tmpdir(), 'fwlint-json-'));
    const input = join(ROOT, 'fixtures/demo');
    const toStdout = fwlint(['-f', 'json', input]);
    const toFile = fwlint(['-f', 'json', '-o', join(d, 'out.json'), input]);
    expect(toFile.code).toBe(toStdout.code);
    expect(toFile.stdout).toBe('');
    const written = readFileSync(join(d, 'out.json'), 'utf8');
    expect(`${written}\n`).toBe(toStdout.stdout);
    const results = JSON.parse(written) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
    expect(results.length).toBeGreaterThan(0);
    expect(JSON.stringify(results)).toBe(written);
  });
});
