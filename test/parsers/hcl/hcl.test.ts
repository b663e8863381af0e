import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { hclExprOf, parseHcl, parseHclExpression } from '../../../src/parsers/hcl/index.js';
import type { PObject, PValue } from '../../../src/parsers/values.js';
import type { Span } from '../../../src/model/index.js';

const at = (s: Span): string => `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`;

function entry(o: PValue | undefined, key: string, n = 0): PValue {
  if (o?.kind !== 'object') throw new Error(`not an object: ${key}`);
  const hits = o.entries.filter((e) => e.key === key);
  if (!hits[n]) throw new Error(`no entry ${key}[${n}]`);
  return hits[n]!.value;
}

describe('parseHcl: structure and positions', () => {
  const text = [
    '# leading comment',
    'resource "aws_security_group" "web" {',
    '  name = "web"',
    '  count = 2',
    '  ingress {',
    '    from_port   = 1761',
    '    cidr_blocks = ["0.0.0.0/0", var.extra]',
    '    enabled     = true',
    '    nothing     = null',
    '    ratio       = -1.5e2',
    '  }',
    '  ingress {',
    '    from_port = 22 // second',
    '  }',
    '}',
    '/* block',
    '   comment */',
    'locals { a = { x = 1, "y": [2] } }',
    '',
  ].join('\n');
  const r = parseHcl(text);

  test('no diagnostics for valid input', () => {
    expect(r.diagnostics).toEqual([]);
  });

  test('blocks are entries keyed by type with labels and exact spans', () => {
    const res = entry(r.body, 'resource') as PObject;
    expect(res.block).toEqual({ type: 'resource', labels: ['aws_security_group', 'web'] });
    expect(at(res.span)).toBe('2:1-15:2');
    expect(at(r.body.entries[0]!.keySpan)).toBe('2:1-2:9');
    const ing0 = entry(res, 'ingress', 0) as PObject;
    const ing1 = entry(res, 'ingress', 1) as PObject;
    expect(ing0.block).toEqual({ type: 'ingress', labels: [] });
    expect(at(ing0.span)).toBe('5:3-11:4');
    expect(at(ing1.span)).toBe('12:3-14:4');
  });

  test('literals become scalars with the span of the literal', () => {
    const ing0 = entry(entry(r.body, 'resource'), 'ingress');
    expect(entry(ing0, 'from_port')).toEqual({ kind: 'scalar', value: 1761, span: expect.anything() });
    expect(at(entry(ing0, 'from_port').span)).toBe('6:19-6:23');
    expect(entry(ing0, 'enabled')).toMatchObject({ kind: 'scalar', value: true });
    expect(entry(ing0, 'nothing')).toMatchObject({ kind: 'scalar', value: null });
    expect(entry(ing0, 'ratio')).toMatchObject({ kind: 'scalar', value: -150 });
    expect(entry(entry(r.body, 'resource'), 'name')).toMatchObject({ kind: 'scalar', value: 'web' });
  });

  test('tuples become arrays; references become expressions with their exact text', () => {
    const cidrs = entry(entry(entry(r.body, 'resource'), 'ingress'), 'cidr_blocks');
    expect(cidrs.kind).toBe('array');
    if (cidrs.kind !== 'array') return;
    expect(at(cidrs.span)).toBe('7:19-7:43');
    expect(cidrs.items[0]).toMatchObject({ kind: 'scalar', value: '0.0.0.0/0' });
    expect(cidrs.items[1]).toMatchObject({ kind: 'expr', text: 'var.extra' });
    expect(at(cidrs.items[1]!.span)).toBe('7:33-7:42');
    const ast = hclExprOf(cidrs.items[1] as never)!.ast;
    expect(ast).toMatchObject({ type: 'getattr', name: 'extra', object: { type: 'variable', name: 'var' } });
  });

  test('objects with static keys become objects (one-line block)', () => {
    const a = entry(entry(r.body, 'locals'), 'a');
    expect(a.kind).toBe('object');
    if (a.kind !== 'object') return;
    expect(a.entries.map((e) => e.key)).toEqual(['x', 'y']);
    expect(entry(a, 'y')).toMatchObject({ kind: 'array' });
  });

  test('comments of the three kinds are returned with spans', () => {
    expect(r.comments.map((c) => [c.type, c.value, at(c.span)])).toEqual([
      ['Line', ' leading comment', '1:1-1:18'],
      ['Line', ' second', '13:20-13:29'],
      ['Block', ' block\n   comment ', '16:1-17:14'],
    ]);
  });
});

describe('parseHcl: templates and heredocs', () => {
  test('escapes are decoded; $${ and %%{ are literal', () => {
    const r = parseHcl('a = "x\\ty\\n\\"q\\" \\u00e9 $${lit} %%{lit}"\n');
    expect(r.diagnostics).toEqual([]);
    expect(entry(r.body, 'a')).toMatchObject({ kind: 'scalar', value: 'x\ty\n"q" é ${lit} %{lit}' });
  });

  test('an interpolated template is an expression with its parts', () => {
    const r = parseHcl('name = "web-${var.env}-${count.index + 1}"\n');
    const v = entry(r.body, 'name');
    expect(v).toMatchObject({ kind: 'expr', text: '"web-${var.env}-${count.index + 1}"' });
    expect(at(v.span)).toBe('1:8-1:43');
    const ast = hclExprOf(v as never)!.ast;
    expect(ast.type).toBe('template');
    if (ast.type !== 'template') return;
    expect(ast.parts.length).toBe(4);
    expect(ast.parts[0]).toBe('web-');
    expect(ast.parts[3]).toMatchObject({ type: 'binary', op: '+' });
  });

  test('a template directive keeps the template as an expression', () => {
    const r = parseHcl('a = "%{ if var.x }y%{ endif }"\n');
    expect(entry(r.body, 'a')).toMatchObject({ kind: 'expr' });
    expect(r.diagnostics).toEqual([]);
  });

  test('heredoc and indented heredoc', () => {
    const r = parseHcl(['a = <<EOT', '  hello', 'EOT', 'b = <<-EOT', '    one', '      two', '    EOT', 'c = 1', ''].join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(entry(r.body, 'a')).toMatchObject({ kind: 'scalar', value: '  hello\n' });
    expect(entry(r.body, 'b')).toMatchObject({ kind: 'scalar', value: 'one\n  two\n' });
    expect(at(entry(r.body, 'b').span)).toBe('4:5-7:8');
    expect(entry(r.body, 'c')).toMatchObject({ kind: 'scalar', value: 1 });
  });

  test('heredoc with interpolation is an expression', () => {
    const r = parseHcl(['policy = <<EOF', '{"cidr": "${var.cidr}"}', 'EOF', ''].join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(entry(r.body, 'policy')).toMatchObject({ kind: 'expr' });
  });
});

describe('parseHcl: expressions', () => {
  const cases: [string, string][] = [
    ['a ? b : c', 'conditional'],
    ['[for k, v in var.m : v.cidr if v.on]', 'for'],
    ['{for k, v in var.m : k => v...}', 'for'],
    ['concat(var.a, ["x"], var.b...)', 'call'],
    ['var.list[*].id', 'splat'],
    ['aws_security_group.x.*.id', 'splat'],
    ['!var.enabled', 'unary'],
    ['(var.a + 1) * 2 >= 3 && true || false', 'binary'],
    ['provider::aws::arn_parse("x")', 'call'],
    ['var.m["k"][0].x', 'getattr'],
  ];
  for (const [src, type] of cases) {
    test(`${src} → ${type}`, () => {
      const r = parseHclExpression(src);
      expect(r.diagnostics).toEqual([]);
      expect(r.value?.kind).toBe('expr');
      expect((r.value as { text: string }).text).toBe(src);
      expect(hclExprOf(r.value as never)!.ast.type).toBe(type);
    });
  }

  test('multi-line lists and objects, newlines inside brackets', () => {
    const r = parseHcl(['x = [', '  1,', '  2, # c', ']', 'y = {', '  a = 1', '  b = 2', '}', ''].join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(entry(r.body, 'x')).toMatchObject({ kind: 'array', items: [{ value: 1 }, { value: 2 }] });
    expect((entry(r.body, 'y') as PObject).entries.map((e) => e.key)).toEqual(['a', 'b']);
  });

  test('operator precedence: * before +, && before ||', () => {
    const ast = hclExprOf(parseHclExpression('1 + 2 * 3').value as never)!.ast;
    expect(ast).toMatchObject({ type: 'binary', op: '+', right: { type: 'binary', op: '*' } });
    const b = hclExprOf(parseHclExpression('a || b && c').value as never)!.ast;
    expect(b).toMatchObject({ type: 'binary', op: '||', right: { type: 'binary', op: '&&' } });
  });
});

describe('parseHcl: syntax errors', () => {
  test('a bad attribute is reported with line/column and parsing resumes', () => {
    const r = parseHcl(['a = 1', 'b = = 2', 'c = 3', ''].join('\n'));
    expect(r.diagnostics.map((d) => [d.code, at(d.span)])).toEqual([['hcl/syntax', '2:5-2:6']]);
    expect(r.diagnostics[0]!.message).toContain('expected an expression');
    expect(r.body.entries.map((e) => e.key)).toEqual(['a', 'c']);
  });

  test('an unterminated string', () => {
    const r = parseHcl('a = "abc\nb = 2\n');
    expect(r.diagnostics.map((d) => [d.message, at(d.span)])).toEqual([['unterminated string', '1:5-1:6']]);
    expect(r.body.entries.map((e) => e.key)).toEqual(['b']);
  });

  test('an unclosed block', () => {
    const r = parseHcl('resource "a" "b" {\n  x = 1\n');
    expect(r.diagnostics.map((d) => [d.message, at(d.span)])).toEqual([['block "resource" opened at line 1 is not closed', '1:1-1:2']]);
  });

  test('an error inside a block left unclosed by it is reported once, not again from the block\'s second line', () => {
    const r = parseHcl('resource "a" "b" {\n  ingress {\n    cidr_blocks = ["0.0.0.0/0"\n  }\n}\n');
    expect(r.diagnostics.map((d) => [d.message, at(d.span)])).toEqual([
      ['expected "," or "]" in the list, found "}"', '4:3-4:4'],
      ['block "resource" opened at line 1 is not closed', '1:1-1:2'],
    ]);
  });

  test('an unclosed heredoc takes the rest of the file: its lines are not read again as attributes', () => {
    const r = parseHcl('resource "a" "b" {\n  description = <<EOT\nhello\n');
    expect(r.diagnostics.map((d) => [d.message, at(d.span)])).toEqual([
      ['heredoc "EOT" is not closed', '2:17-2:18'],
      ['block "resource" opened at line 1 is not closed', '1:1-1:2'],
    ]);
  });

  test('a stray closing brace', () => {
    const r = parseHcl('}\na = 1\n');
    expect(r.diagnostics.map((d) => [d.message, at(d.span)])).toEqual([['unexpected "}"', '1:1-1:2']]);
    expect(r.body.entries.map((e) => e.key)).toEqual(['a']);
  });

  test('two attributes on one line', () => {
    const r = parseHcl('a = 1 b = 2\n');
    expect(r.diagnostics.map((d) => [d.message, at(d.span)])).toEqual([['expected a newline after the item, found "b"', '1:7-1:8']]);
  });

  test('deep nesting is a diagnostic, not a stack overflow', () => {
    const deep = 'a = ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    const r = parseHcl(deep);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['expression nested too deeply']);
    const blocks = 'a {\n'.repeat(3000) + '}\n'.repeat(3000);
    expect(parseHcl(blocks).diagnostics.some((d) => d.message === 'blocks nested too deeply')).toBe(true);
  });
});

describe('parseHcl never throws', () => {
  const sample = [
    'resource "aws_security_group" "x" {',
    '  ingress {',
    '    cidr_blocks = ["0.0.0.0/0", "${var.a}"]',
    '    x = <<-EOT',
    '      y ${z}',
    '    EOT',
    '    f = [for a in b : a if c]',
    '  }',
    '}',
    '',
  ].join('\n');
  test('random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseHcl(s);
        for (const d of r.diagnostics) expect(d.span.start.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });
  test('mutated valid input', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(sample.length), fc.nat(4), fc.string({ maxLength: 4 })), { maxLength: 6 }), (edits) => {
        let s = sample;
        for (const [pos, del, ins] of edits) s = s.slice(0, pos) + ins + s.slice(pos + del);
        const r = parseHcl(s);
        for (const d of r.diagnostics) {
          expect(d.span.start.offset).toBeLessThanOrEqual(s.length);
          expect(d.span.start.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
