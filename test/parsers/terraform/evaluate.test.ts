import { describe, expect, test } from 'vitest';
import { evaluateTerraform, resourcesFromPlanJson, resourcesFromTfJson } from '../../../src/parsers/terraform/index.js';
import { terraformFormat, terraformPlanFormat } from '../../../src/parsers/terraform/format.js';
import { get, items, parseJsonTree, toPlain, type PObject, type PValue } from '../../../src/parsers/values.js';
import type { Span } from '../../../src/model/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const at = (s: Span): string => `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`;
const all = (o: PObject, key: string): PValue[] => o.entries.filter((e) => e.key === key).map((e) => e.value);

describe('evaluateTerraform', () => {
  test('variables (defaults and overrides), locals, templates', () => {
    const text = [
      'variable "cidr" { default = "10.0.0.0/8" }',
      'variable "env" {}',
      'locals {',
      '  prefix = "fw"',
      '  name   = "${local.prefix}-${var.env}"',
      '  ports  = [for p in [22, 1761] : p + 0]',
      '}',
      'resource "aws_security_group" "a" {',
      '  name        = local.name',
      '  description = "${local.prefix}-x"',
      '  cidr        = var.cidr',
      '  ports       = local.ports',
      '  ref         = aws_vpc.main.id',
      '  cond        = var.env == "prod" ? "a" : "b"',
      '  fn          = concat(["a"], tolist(["b"]))',
      '}',
      '',
    ].join('\n');
    const r = evaluateTerraform(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.resources.map((x) => x.address)).toEqual(['aws_security_group.a']);
    const b = r.resources[0]!.body;
    expect(toPlain(b)).toEqual({
      name: '"${local.prefix}-${var.env}"',
      description: 'fw-x',
      cidr: '10.0.0.0/8',
      ports: [22, 1761],
      ref: 'aws_vpc.main.id',
      cond: 'var.env == "prod" ? "a" : "b"',
      fn: ['a', 'b'],
    });
    // A variable default keeps the place where it is written.
    expect(at(get(b, 'cidr')!.span)).toBe('1:29-1:41');
    // An unknown local is the local's own expression (text and place).
    expect(get(b, 'name')).toMatchObject({ kind: 'expr' });
    const withVars = evaluateTerraform(text, { variables: { env: 'prod' } }).resources[0]!.body;
    expect(toPlain(get(withVars, 'name'))).toBe('fw-prod');
    expect(toPlain(get(withVars, 'cond'))).toBe('a');
  });

  test('more instances than are expanded (10000) are unknown, not cut short', () => {
    const r = evaluateTerraform('resource "aws_security_group_rule" "r" {\n  count     = 10001\n  from_port = 20000 + count.index\n}\n');
    expect(r.resources.map((x) => [x.address, toPlain(get(x.body, 'from_port')), toPlain(get(x.body, 'count'))])).toEqual([
      ['aws_security_group_rule.r[*]', '20000 + count.index', '10001 (more than 10000 instances are not expanded)'],
    ]);
    const many = `[${Array.from({ length: 10001 }, (_, i) => `"${i}"`).join(', ')}]`;
    const f = evaluateTerraform(`resource "aws_security_group_rule" "r" {\n  for_each  = toset(${many})\n  from_port = each.value\n}\n`);
    expect(f.resources.map((x) => [x.address, toPlain(get(x.body, 'from_port')), get(x.body, 'for_each')?.kind])).toEqual([['aws_security_group_rule.r[*]', 'each.value', 'expr']]);
    const d = evaluateTerraform(`resource "aws_security_group" "s" {\n  dynamic "ingress" {\n    for_each = ${many}\n    content {\n      from_port = ingress.value\n    }\n  }\n  v = [for p in ${many} : p]\n}\n`);
    const b = d.resources[0]!.body;
    expect(all(b, 'ingress').map((i) => [toPlain(get(i, 'from_port')), get(i, 'for_each')?.kind])).toEqual([['ingress.value', 'expr']]);
    expect(get(b, 'v')!.kind).toBe('expr');
  });

  test('count gives indexed addresses and count.index', () => {
    const r = evaluateTerraform('resource "aws_security_group" "w" {\n  count = 2\n  name = "w-${count.index}"\n}\n');
    expect(r.resources.map((x) => [x.address, toPlain(get(x.body, 'name'))])).toEqual([
      ['aws_security_group.w[0]', 'w-0'],
      ['aws_security_group.w[1]', 'w-1'],
    ]);
    expect(r.resources.every((x) => get(x.body, 'count') === undefined)).toBe(true);
    expect(at(r.resources[0]!.span)).toBe('1:1-4:2');
  });

  test('count = 0 gives no resource; unknown count keeps a count marker', () => {
    expect(evaluateTerraform('resource "aws_security_group" "w" {\n  count = 0\n}\n').resources).toEqual([]);
    const r = evaluateTerraform('resource "aws_security_group" "w" {\n  count = var.n\n  name = "w-${count.index}"\n}\n');
    expect(r.resources.map((x) => x.address)).toEqual(['aws_security_group.w[*]']);
    expect(get(r.resources[0]!.body, 'count')).toMatchObject({ kind: 'expr', text: 'var.n' });
    expect(get(r.resources[0]!.body, 'name')).toMatchObject({ kind: 'expr' });
  });

  test('for_each over a map and a set', () => {
    const r = evaluateTerraform(
      [
        'resource "aws_security_group_rule" "r" {',
        '  for_each = { ssh = 22, cft = 1761 }',
        '  from_port = each.value',
        '  description = each.key',
        '}',
        'resource "aws_security_group_rule" "s" {',
        '  for_each = toset(["a", "b"])',
        '  description = each.value',
        '}',
        '',
      ].join('\n'),
    );
    expect(r.resources.map((x) => [x.address, toPlain(get(x.body, 'from_port')), toPlain(get(x.body, 'description'))])).toEqual([
      ['aws_security_group_rule.r["ssh"]', 22, 'ssh'],
      ['aws_security_group_rule.r["cft"]', 1761, 'cft'],
      ['aws_security_group_rule.s["a"]', undefined, 'a'],
      ['aws_security_group_rule.s["b"]', undefined, 'b'],
    ]);
  });

  test('the key of a list is its index (for expressions, dynamic blocks); of a set, the element', () => {
    const r = evaluateTerraform(
      [
        'variable "cidrs" { default = ["10.0.0.0/8", "192.168.0.0/16"] }',
        'variable "ports" {',
        '  type    = set(number)',
        '  default = [22, 443]',
        '}',
        'locals {',
        '  rules = [for i, c in var.cidrs : { prio = 100 + i, cidr = c }]',
        '}',
        'resource "azurerm_network_security_group" "x" {',
        '  dynamic "security_rule" {',
        '    for_each = local.rules',
        '    content {',
        '      priority = security_rule.value.prio',
        '      name     = "r${security_rule.key}"',
        '    }',
        '  }',
        '  dynamic "a" {',
        '    for_each = var.ports',
        '    content { k = a.key }',
        '  }',
        '  dynamic "b" {',
        '    for_each = toset(["x"])',
        '    content { k = b.key }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const b = r.resources[0]!.body;
    expect((all(b, 'security_rule') as PObject[]).map((x) => [toPlain(get(x, 'priority')), toPlain(get(x, 'name'))])).toEqual([
      [100, 'r0'],
      [101, 'r1'],
    ]);
    expect((all(b, 'a') as PObject[]).map((x) => toPlain(get(x, 'k')))).toEqual([22, 443]);
    expect((all(b, 'b') as PObject[]).map((x) => toPlain(get(x, 'k')))).toEqual(['x']);
  });

  test('optional(T, default) attributes of a declared type fill in absent values; optional(T) absent is null', () => {
    const r = evaluateTerraform(
      [
        'variable "rules" {',
        '  type = map(object({',
        '    port  = number',
        '    cidrs = optional(list(string), ["10.0.0.0/8"])',
        '    desc  = optional(string)',
        '    extra = optional(object({ v6 = optional(list(string), []) }), {})',
        '  }))',
        '  default = {',
        '    ssh = { port = 22 }',
        '    web = { port = 443, cidrs = ["0.0.0.0/0"], extra = {} }',
        '  }',
        '}',
        'resource "aws_security_group" "x" {',
        '  v = var.rules',
        '}',
        '',
      ].join('\n'),
      { variables: { other: 1 } },
    );
    expect(toPlain(get(r.resources[0]!.body, 'v'))).toEqual({
      ssh: { port: 22, cidrs: ['10.0.0.0/8'], desc: null, extra: { v6: [] } },
      web: { port: 443, cidrs: ['0.0.0.0/0'], desc: null, extra: { v6: [] } },
    });
  });

  test('try and can: an attribute, key or index a known value lacks is an error they catch; an unknown value is not', () => {
    const r = evaluateTerraform(
      [
        'variable "unknown" {}',
        'locals {',
        '  rules = { ssh = { port = 22 }, web = { port = 443, cidrs = ["0.0.0.0/0"] } }',
        '}',
        'resource "aws_security_group" "x" {',
        '  for_each = local.rules',
        '  a = try(each.value.cidrs, ["10.0.0.0/8"])',
        '  b = can(each.value.cidrs[0])',
        '  c = try(local.rules.db.port, local.rules["ssh"].port)',
        '  d = try(var.unknown.cidrs, ["10.0.0.0/8"])',
        '  e = try(local.rules.web.cidrs[3], "none")',
        '}',
        '',
      ].join('\n'),
    );
    expect(r.resources.map((x) => ['a', 'b', 'c', 'd', 'e'].map((k) => toPlain(get(x.body, k))))).toEqual([
      [['10.0.0.0/8'], false, 22, 'try(var.unknown.cidrs, ["10.0.0.0/8"])', 'none'],
      [['0.0.0.0/0'], true, 22, 'try(var.unknown.cidrs, ["10.0.0.0/8"])', 'none'],
    ]);
  });

  test('dynamic blocks: literal for_each expands, iterator names, unknown for_each keeps a marker', () => {
    const r = evaluateTerraform(
      [
        'variable "ports" { default = [1761, 1762] }',
        'resource "aws_security_group" "x" {',
        '  dynamic "ingress" {',
        '    for_each = var.ports',
        '    iterator = p',
        '    content {',
        '      from_port = p.value',
        '      idx       = p.key',
        '    }',
        '  }',
        '  dynamic "egress" {',
        '    for_each = var.unknown',
        '    content {',
        '      from_port = egress.value.port',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const b = r.resources[0]!.body;
    const ing = all(b, 'ingress') as PObject[];
    expect(ing.map((x) => [toPlain(get(x, 'from_port')), toPlain(get(x, 'idx')), x.block?.type, at(x.span)])).toEqual([
      // over a list, <iterator>.key is the element's index (Terraform, dynamic blocks)
      [1761, 0, 'ingress', '6:5-9:6'],
      [1762, 1, 'ingress', '6:5-9:6'],
    ]);
    const eg = all(b, 'egress') as PObject[];
    expect(eg.length).toBe(1);
    expect(get(eg[0], 'for_each')).toMatchObject({ kind: 'expr', text: 'var.unknown' });
    expect(get(eg[0], 'from_port')).toMatchObject({ kind: 'expr', text: 'egress.value.port' });
    expect(all(b, 'dynamic')).toEqual([]);
  });

  test('comments and syntax errors come through', () => {
    const r = evaluateTerraform('# hi\nresource "aws_security_group" "x" {\n  a = = 1\n}\n');
    expect(r.comments.map((c) => c.value)).toEqual([' hi']);
    expect(r.diagnostics.map((d) => [d.code, at(d.span)])).toEqual([['hcl/syntax', '3:7-3:8']]);
    expect(r.resources.map((x) => x.address)).toEqual(['aws_security_group.x']);
  });

  test('local cycles stay unknown instead of looping', () => {
    const r = evaluateTerraform('locals {\n  a = local.b\n  b = local.a\n}\nresource "aws_security_group" "x" {\n  n = local.a\n}\n');
    expect(get(r.resources[0]!.body, 'n')).toMatchObject({ kind: 'expr' });
  });
});

describe('resourcesFromPlanJson', () => {
  const plan = JSON.stringify({
    format_version: '1.2',
    planned_values: {
      root_module: {
        resources: [
          { address: 'aws_security_group.web', mode: 'managed', type: 'aws_security_group', name: 'web', values: { name: 'web', ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] } },
          { address: 'data.aws_vpc.x', mode: 'data', type: 'aws_vpc', name: 'x', values: {} },
          { address: 'aws_security_group_rule.r', mode: 'managed', type: 'aws_security_group_rule', name: 'r', values: { type: 'ingress' } },
        ],
        child_modules: [{ address: 'module.m', resources: [{ address: 'module.m.aws_security_group.s', mode: 'managed', type: 'aws_security_group', name: 's', values: {} }] }],
      },
    },
    configuration: {
      root_module: {
        resources: [{ address: 'aws_security_group_rule.r', expressions: { security_group_id: { references: ['aws_security_group.web.id', 'aws_security_group.web'] } } }],
      },
    },
  });

  test('root and child modules, managed resources only, configuration references fill unknown attributes', () => {
    const tree = parseJsonTree(plan).value!;
    const rs = resourcesFromPlanJson(tree);
    expect(rs.map((r) => [r.address, r.type, r.name, r.module])).toEqual([
      ['aws_security_group.web', 'aws_security_group', 'web', undefined],
      ['aws_security_group_rule.r', 'aws_security_group_rule', 'r', undefined],
      ['module.m.aws_security_group.s', 'aws_security_group', 's', 'module.m'],
    ]);
    expect(items(get(rs[0]!.body, 'ingress')).length).toBe(1);
    expect(get(rs[1]!.body, 'security_group_id')).toMatchObject({ kind: 'expr', text: 'aws_security_group.web.id' });
  });

  test('format detection', () => {
    expect(terraformPlanFormat.detect('plan.json', plan)).toBeGreaterThan(0);
    expect(terraformPlanFormat.detect('x.json', '{"a": 1}')).toBe(0);
    expect(terraformFormat.detect('main.tf', '')).toBeGreaterThan(0);
    expect(terraformFormat.detect('main.tf.json', '{}')).toBe(0);
    const doc = terraformPlanFormat.parse(plan, {});
    expect(doc.format).toBe('terraform-plan');
    expect(doc.rulesets.map((r) => r.name)).toEqual(['aws_security_group.web (web)', 'module.m.aws_security_group.s']);
  });
});

describe('terraform show -json of a state with a deposed object', () => {
  // fixtures/terraform/aws.show.json: Terraform 1.11.4's `terraform show -json` of aws.tfstate (hashicorp/aws 5.100.0),
  // whose aws_security_group.cft is tainted (1761-1768 open to the world) and has a deposed object (22 open)
  test('the deposed object is a group of its own: under the current object\'s address it replaced it (1761-1768 went unreported)', () => {
    const show = readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'terraform', 'aws.show.json'), 'utf8');
    const doc = terraformPlanFormat.parse(show, {});
    expect(doc.rulesets.slice(0, 2).map((r) => [r.name, r.targets[0]])).toEqual([
      ['sg-0cf7000000000000a (cft)', 'aws_security_group.cft'],
      ['sg-0cf6000000000000b (cft)', 'aws_security_group.cft (deposed object 5f2c1e9a)'],
    ]);
    const ingress = (i: number) => doc.rulesets[i]!.tables[0]!.chains.find((c) => c.name === 'ingress')!.rules.map((r) => r.text);
    expect([ingress(0), ingress(1)]).toEqual([['ingress tcp 1761-1768 from 0.0.0.0/0'], ['ingress tcp 22 from 0.0.0.0/0']]);
  });
});

describe('module calls', () => {
  test('are reported, not silently skipped', () => {
    const r = evaluateTerraform('module "sg" {\n  source = "terraform-aws-modules/security-group/aws"\n  ingress_cidr_blocks = ["0.0.0.0/0"]\n}\n');
    expect(r.resources).toEqual([]);
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.message, at(d.span)])).toEqual([
      ['warning', 'terraform/module-not-evaluated', 'module "sg" (terraform-aws-modules/security-group/aws) is not evaluated: firewall resources it creates are not checked here', '1:1-1:7'],
    ]);
  });
});

describe('functions', () => {
  const cases: [string, unknown][] = [
    ['join(",", ["a", "b"], ["c"])', 'a,b,c'],
    ['split(",", "10.0.0.0/8,192.168.0.0/16")', ['10.0.0.0/8', '192.168.0.0/16']],
    ['format("%s/%d", "10.0.0.1", 32)', '10.0.0.1/32'],
    ['upper("tcp")', 'TCP'],
    ['keys({ b = 1, a = 2 })', ['a', 'b']],
    ['values({ b = 1, a = 2 })', [2, 1]],
    ['lookup({ a = 1 }, "b", 3)', 3],
    ['element(["x", "y"], 3)', 'y'],
    // a negative or fractional index: Terraform fails; unknown here (it crashed the file's AWS mapping)
    ['element(["x", "y"], -1)', 'element(["x", "y"], -1)'],
    ['element(["x", "y"], 1.5)', 'element(["x", "y"], 1.5)'],
    // Terraform's documented examples (functions/formatlist)
    ['formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])', ['Hello, Valentina!', 'Hello, Ander!', 'Hello, Olivia!', 'Hello, Sam!']],
    ['formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])', ['Salutations, Valentina!', 'Salutations, Ander!']],
    ['formatlist("%s/32", ["192.0.2.1", "192.0.2.2"])', ['192.0.2.1/32', '192.0.2.2/32']],
    ['formatlist("%s/%s", ["a", "b"], ["1"])', 'formatlist("%s/%s", ["a", "b"], ["1"])'], // lists of different lengths: Terraform fails
    ['length([1, 2, 3])', 3],
    ['compact(["a", "", null])', ['a']],
    ['distinct([1, 1, 2])', [1, 2]],
    ['flatten([[1], [2, [3]]])', [1, 2, 3]],
    ['merge({ a = 1 }, { a = 2, b = 3 })', { a: 2, b: 3 }],
    ['tonumber("22")', 22],
    ['coalesce("", "x")', 'x'],
    // Terraform's documented examples (functions/cidrsubnet, functions/cidrhost)
    ['cidrsubnet("172.16.0.0/12", 4, 2)', '172.18.0.0/16'],
    ['cidrsubnet("10.1.2.0/24", 4, 15)', '10.1.2.240/28'],
    ['cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', 'fd00:fd12:3456:7800:a200::/72'],
    ['cidrhost("10.12.112.0/20", 268)', '10.12.113.12'],
    ['cidrhost("10.12.112.0/20", -1)', '10.12.127.255'],
    ['cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)', 'fd00:fd12:3456:7890::22'],
    // out of range: Terraform fails; unknown here
    ['cidrsubnet("10.0.0.0/24", 2, 4)', 'cidrsubnet("10.0.0.0/24", 2, 4)'],
    ['setproduct(["a", "b"], [1, 2])', [['a', 1], ['a', 2], ['b', 1], ['b', 2]]],
    ['concat(["0.0.0.0/0"], var.x)', ['0.0.0.0/0', 'var.x']],
    // Terraform's documented examples (functions/range, cidrsubnets, zipmap, slice, contains, set*)
    ['range(3)', [0, 1, 2]],
    ['range(1, 4)', [1, 2, 3]],
    ['range(4, 1)', [4, 3, 2]],
    ['range(1, 8, 2)', [1, 3, 5, 7]],
    ['range(10, 5, -2)', [10, 8, 6]],
    ['range(1761, 1769)', [1761, 1762, 1763, 1764, 1765, 1766, 1767, 1768]],
    ['range(0)', []],
    ['range(2000)', 'range(2000)'], // more than 1024 elements: Terraform fails
    ['range(1, 4, -1)', 'range(1, 4, -1)'], // a step away from the limit: Terraform fails
    ['cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)', ['10.1.0.0/20', '10.1.16.0/20', '10.1.32.0/24', '10.1.48.0/20']],
    ['cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)', ['fd00:fd12:3456:7800::/72', 'fd00:fd12:3456:7800:100::/72', 'fd00:fd12:3456:7800:200::/72', 'fd00:fd12:3456:7800:300::/88']],
    ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
    ['slice(["a", "b", "c", "d"], 1, 3)', ['b', 'c']],
    ['contains(["a", "b", "c"], "a")', true],
    ['contains(["a", "b", "c"], "d")', false],
    ['setunion(["a", "b"], ["b", "c"], ["d"])', ['a', 'b', 'c', 'd']],
    ['setintersection(["a", "b"], ["b", "c"], ["b", "d"])', ['b']],
    ['setsubtract(["a", "b", "c"], ["a", "c"])', ['b']],
    ['max(12, 54, 3)', 54],
    ['min(12, 54, 3)', 3],
    ['one(["hello"])', 'hello'],
    ['one([])', null],
    ['reverse([1, 2, 3])', [3, 2, 1]],
    ['coalescelist([], ["0.0.0.0/0"])', ['0.0.0.0/0']],
    ['replace("1761-1768", "-", ":")', '1761:1768'],
    ['trimspace("  22 ")', '22'],
    ['index(["a", "b", "c"], "b")', 1],
    ['index(["a", "b", "c"], "d")', 'index(["a", "b", "c"], "d")'], // not found: Terraform fails
    ['title("hello world")', 'Hello World'],
    ['title("tcp")', 'Tcp'],
    ['startswith("hello world", "hello")', true],
    ['endswith("hello world", "hello")', false],
    ['abs(-12.4)', 12.4],
    ['floor(4.9)', 4],
    ['ceil(5.1)', 6],
    ['sum([10, 13, 6, 4.5])', 33.5],
    ['[for i in range(2) : cidrsubnet("10.20.0.0/16", 8, i)]', ['10.20.0.0/24', '10.20.1.0/24']],
  ];
  for (const [src, want] of cases) {
    test(src, () => {
      const r = evaluateTerraform(`resource "aws_security_group" "x" {\n  v = ${src}\n}\n`);
      expect(r.diagnostics).toEqual([]);
      expect(toPlain(get(r.resources[0]!.body, 'v'))).toEqual(want);
    });
  }
});

describe("another resource's configured attributes", () => {
  const text = [
    'resource "aws_vpc" "main" {',
    '  cidr_block = "10.1.0.0/16"',
    '}',
    'resource "aws_subnet" "s" {',
    '  count      = 2',
    '  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)',
    '}',
    'resource "aws_subnet" "k" {',
    '  for_each   = { a = "10.9.0.0/24" }',
    '  cidr_block = each.value',
    '}',
    'data "aws_vpc" "d" {',
    '  id = "vpc-1"',
    '}',
    'resource "aws_vpc" "ipam" {',
    '  cidr_block        = null',
    '  ipv4_ipam_pool_id = "ipam-pool-1"',
    '}',
    'resource "aws_security_group" "x" {',
    '  one   = aws_vpc.main.cidr_block',
    '  idx   = aws_subnet.s[1].cidr_block',
    '  key   = aws_subnet.k["a"].cidr_block',
    '  splat = aws_subnet.s[*].cidr_block',
    '  id    = aws_vpc.main.id',
    '  data  = data.aws_vpc.d.id',
    '  bad   = aws_subnet.s[5].cidr_block',
    '  null  = aws_vpc.ipam.cidr_block',
    '  ids   = aws_subnet.s[*].id',
    '  keyed = aws_subnet.k[*].id',
    '  oneid = one(aws_vpc.main[*].id)',
    '  n     = length(aws_subnet.s)',
    '}',
    '',
  ].join('\n');
  const b = evaluateTerraform(text).resources.find((r) => r.address === 'aws_security_group.x')!.body;
  test('a value written in the resource is its value after apply (aws_vpc.main.cidr_block), placed where it is read', () => {
    expect(toPlain(b)).toEqual({
      one: '10.1.0.0/16',
      idx: '10.1.1.0/24',
      key: '10.9.0.0/24',
      splat: ['10.1.0.0/24', '10.1.1.0/24'],
      // computed, a data source, no such instance: references as before
      id: 'aws_vpc.main.id',
      data: 'data.aws_vpc.d.id',
      bad: 'aws_subnet.s[5].cidr_block',
      // set to null: the provider's to choose (IPAM)
      null: 'aws_vpc.ipam.cidr_block',
      // a computed attribute of every instance: a reference to each
      ids: ['aws_subnet.s[0].id', 'aws_subnet.s[1].id'],
      keyed: ['aws_subnet.k["a"].id'],
      oneid: 'aws_vpc.main.id',
      // the number of instances of a resource with count/for_each
      n: 2,
    });
    expect(at(get(b, 'one')!.span)).toBe('20:11-20:34');
    expect(items(get(b, 'splat')).map((i) => at(i.span))).toEqual(['23:11-23:37', '23:11-23:37']);
  });
});

describe('parseTfvars', () => {
  test('literal values become variables; expressions are left out with a warning', async () => {
    const { parseTfvars } = await import('../../../src/parsers/terraform/index.js');
    const r = parseTfvars('cidrs = ["10.0.0.0/8"]\nport = 1761\nenv = "prod"\nbad = var.x\n');
    expect(r.variables).toEqual({ cidrs: ['10.0.0.0/8'], port: 1761, env: 'prod' });
    expect(r.diagnostics.map((d) => [d.code, at(d.span)])).toEqual([['terraform/tfvars-expression', '4:7-4:12']]);
  });
});

describe('resourcesFromPlanJson: values known only after apply (resource_changes[].change.after_unknown)', () => {
  const plan = JSON.stringify({
    format_version: '1.2',
    planned_values: {
      root_module: {
        resources: [
          { address: 'aws_security_group.cft', mode: 'managed', type: 'aws_security_group', name: 'cft', values: { name: 'cft', egress: [] } },
          { address: 'aws_vpc_security_group_ingress_rule.rest', mode: 'managed', type: 'aws_vpc_security_group_ingress_rule', name: 'rest', values: { ip_protocol: 'tcp', from_port: 1768, to_port: 1768 } },
          {
            address: 'aws_security_group.web',
            mode: 'managed',
            type: 'aws_security_group',
            name: 'web',
            values: { name: 'web', ingress: [{ protocol: 'tcp', from_port: 443, to_port: 443, cidr_blocks: ['10.0.0.0/8'] }, { protocol: 'tcp', from_port: 1761, to_port: 1761 }] },
          },
        ],
      },
    },
    resource_changes: [
      { address: 'aws_security_group.cft', change: { after_unknown: { id: true, ingress: true, egress: true } } },
      { address: 'aws_vpc_security_group_ingress_rule.rest', change: { after_unknown: { cidr_ipv4: true, security_group_id: true } } },
      { address: 'aws_security_group.web', change: { after_unknown: { ingress: [{ cidr_blocks: [false] }, { cidr_blocks: [true] }] } } },
    ],
  });
  const rs = resourcesFromPlanJson(parseJsonTree(plan).value!);
  test('an unknown attribute absent from planned_values is an expression, not an absence (which opened nothing)', () => {
    expect(toPlain(get(rs[0]!.body, 'ingress'))).toBe('ingress (known after apply)');
    // known in the plan: kept
    expect(toPlain(get(rs[0]!.body, 'egress'))).toEqual([]);
    expect(toPlain(get(rs[1]!.body, 'cidr_ipv4'))).toBe('cidr_ipv4 (known after apply)');
    expect(get(rs[1]!.body, 'from_port')).toMatchObject({ kind: 'scalar', value: 1768 });
  });
  test('inside nested blocks, element by element', () => {
    const ingress = items(get(rs[2]!.body, 'ingress'));
    expect(toPlain(get(ingress[0], 'cidr_blocks'))).toEqual(['10.0.0.0/8']);
    expect(toPlain(get(ingress[1], 'cidr_blocks'))).toEqual(['ingress[1].cidr_blocks[0] (known after apply)']);
  });
});

describe('resourcesFromPlanJson: configuration references and computed attributes', () => {
  const plan = JSON.stringify({
    format_version: '1.2',
    planned_values: {
      root_module: {
        resources: [
          { address: 'aws_security_group_rule.ssh', mode: 'managed', type: 'aws_security_group_rule', name: 'ssh', values: { type: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['10.0.0.0/8'], self: false } },
          { address: 'aws_security_group_rule.app', mode: 'managed', type: 'aws_security_group_rule', name: 'app', values: { type: 'ingress', protocol: 'tcp', from_port: 8080, to_port: 8080, self: false } },
          { address: 'aws_security_group_rule.bare', mode: 'managed', type: 'aws_security_group_rule', name: 'bare', values: { type: 'ingress', protocol: 'tcp', from_port: 5432, to_port: 5432, self: false } },
          { address: 'aws_vpc_security_group_ingress_rule.out', mode: 'managed', type: 'aws_vpc_security_group_ingress_rule', name: 'out', values: { cidr_ipv4: '0.0.0.0/0', from_port: 1761, to_port: 1761, ip_protocol: 'tcp' } },
        ],
        child_modules: [
          {
            address: 'module.net[0]',
            resources: [
              { address: 'module.net[0].aws_security_group.this', mode: 'managed', type: 'aws_security_group', name: 'this', values: { name: 'net-sg', ingress: [] } },
              { address: 'module.net[0].aws_vpc_security_group_ingress_rule.rdp', mode: 'managed', type: 'aws_vpc_security_group_ingress_rule', name: 'rdp', values: { cidr_ipv4: '0.0.0.0/0', from_port: 3389, to_port: 3389, ip_protocol: 'tcp' } },
            ],
          },
        ],
      },
    },
    resource_changes: [
      // what a plan says of every aws_security_group_rule that leaves source_security_group_id out (optional, computed)
      { address: 'aws_security_group_rule.ssh', change: { after_unknown: { id: true, security_group_id: true, source_security_group_id: true } } },
      { address: 'aws_security_group_rule.app', change: { after_unknown: { id: true, security_group_id: true, source_security_group_id: true } } },
      { address: 'aws_security_group_rule.bare', change: { after_unknown: { id: true, security_group_id: true, source_security_group_id: true, cidr_blocks: true } } },
      { address: 'module.net[0].aws_vpc_security_group_ingress_rule.rdp', change: { after_unknown: { id: true, security_group_id: true } } },
    ],
    configuration: {
      root_module: {
        resources: [
          { address: 'aws_security_group_rule.ssh', expressions: { cidr_blocks: { constant_value: ['10.0.0.0/8'] }, security_group_id: { references: ['aws_security_group.x.id', 'aws_security_group.x'] } } },
          { address: 'aws_security_group_rule.app', expressions: { source_security_group_id: { references: ['aws_security_group.lb.id', 'aws_security_group.lb'] }, security_group_id: { references: ['aws_security_group.x.id', 'aws_security_group.x'] } } },
          { address: 'aws_vpc_security_group_ingress_rule.out', expressions: { security_group_id: { references: ['module.net.sg_id', 'module.net'] } } },
        ],
        module_calls: {
          net: {
            source: './modules/net',
            module: {
              resources: [{ address: 'aws_vpc_security_group_ingress_rule.rdp', expressions: { security_group_id: { references: ['aws_security_group.this.id', 'aws_security_group.this'] }, description: { references: ['var.what'] } } }],
              outputs: { sg_id: { expression: { references: ['aws_security_group.this.id', 'aws_security_group.this'] } } },
            },
          },
        },
      },
    },
  });
  const rs = resourcesFromPlanJson(parseJsonTree(plan).value!);
  const by = (a: string): PObject => rs.find((r) => r.address === a)!.body;
  test('a source security group the rule does not set is no source (a CIDR rule, or one the configuration leaves it out of)', () => {
    expect(get(by('aws_security_group_rule.ssh'), 'source_security_group_id')).toBeUndefined();
    expect(toPlain(get(by('aws_security_group_rule.app'), 'source_security_group_id'))).toBe('aws_security_group.lb.id');
    // no configuration and nothing beside it: it may be set
    expect(toPlain(get(by('aws_security_group_rule.bare'), 'source_security_group_id'))).toBe('source_security_group_id (known after apply)');
    expect(toPlain(get(by('aws_security_group_rule.bare'), 'cidr_blocks'))).toBe('cidr_blocks (known after apply)');
  });
  test("a module's configuration references name its resources from the root (module_calls)", () => {
    expect(toPlain(get(by('module.net[0].aws_vpc_security_group_ingress_rule.rdp'), 'security_group_id'))).toBe('module.net[0].aws_security_group.this.id');
    expect(toPlain(get(by('module.net[0].aws_vpc_security_group_ingress_rule.rdp'), 'description'))).toBe('var.what');
    // a module's output read in the root names the resource the output gives
    expect(toPlain(get(by('aws_vpc_security_group_ingress_rule.out'), 'security_group_id'))).toBe('module.net.aws_security_group.this.id');
  });
});

describe('Terraform JSON configuration files (*.tf.json)', () => {
  const text = JSON.stringify(
    {
      variable: { partner: { default: '0.0.0.0/0' }, unknown: {} },
      resource: {
        aws_security_group: {
          cft: {
            name: 'cft',
            ingress: [
              { from_port: 1768, to_port: 1768, protocol: 'tcp', cidr_blocks: ['${var.partner}'] },
              { from_port: 1761, to_port: 1761, protocol: 'tcp', cidr_blocks: ['${var.unknown}'] },
            ],
          },
        },
      },
    },
    null,
    1,
  );
  test('detected by name (they were left alone: no format recognised them)', () => {
    expect(terraformPlanFormat.detect('main.tf.json', text)).toBe(90);
    expect(terraformPlanFormat.detect('main.json', text)).toBe(0);
  });
  test('resources with literal values, a lone ${var.x} from its default, other interpolations as expressions', () => {
    const rs = resourcesFromTfJson(parseJsonTree(text).value!);
    expect(rs.map((r) => [r.address, r.type, r.name])).toEqual([['aws_security_group.cft', 'aws_security_group', 'cft']]);
    const ingress = all(rs[0]!.body, 'ingress')[0]!;
    expect(items(ingress).map((b) => toPlain(get(b, 'cidr_blocks')))).toEqual([['0.0.0.0/0'], ['var.unknown']]);
    expect(items(get(items(ingress)[1], 'cidr_blocks'))[0]!.kind).toBe('expr');
    expect(toPlain(get(resourcesFromTfJson(parseJsonTree(text).value!, { partner: '10.0.0.0/8' })[0]!.body, 'ingress'))).toMatchObject([{ cidr_blocks: ['10.0.0.0/8'] }, {}]);
  });
  test('every string is a template, evaluated with the variables and locals of the file (HCL semantics)', () => {
    const json = [
      '{',
      '  "variable": { "ports": { "default": ["1761", "1768"] }, "lit": { "default": "${x}" } },',
      '  "locals": { "world": "0.0.0.0/0", "cidrs": ["${local.world}", "10.0.0.0/8"] },',
      '  "resource": { "aws_security_group": { "x": {',
      '    "name": "x-${var.ports[0]}",',
      '    "ingress": [',
      '      { "from_port": "${var.ports[0]}", "to_port": "${var.ports[1]}", "protocol": "tcp", "cidr_blocks": "${local.cidrs}" },',
      '      { "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["${var.lit}", "${aws_vpc.x.cidr_block}"] }',
      '    ]',
      '  } } }',
      '}',
    ].join('\n');
    const [r] = resourcesFromTfJson(parseJsonTree(json).value!);
    expect(toPlain(r!.body)).toEqual({
      name: 'x-1761',
      ingress: [
        { from_port: '1761', to_port: '1768', protocol: 'tcp', cidr_blocks: ['0.0.0.0/0', '10.0.0.0/8'] },
        // a default is a literal (no template); a resource attribute stays an expression
        { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['${x}', 'aws_vpc.x.cidr_block'] },
      ],
    });
    const first = items(get(r!.body, 'ingress'))[0]!;
    expect(at(get(first, 'from_port')!.span)).toBe('7:22-7:39');
    expect(items(get(first, 'cidr_blocks')).map((i) => at(i.span))).toEqual(['7:105-7:121', '7:105-7:121']);
  });
  test('dynamic blocks (JSON syntax) are one block per element of a for_each known; an unknown one is marked, its iterator unknown', () => {
    const json = JSON.stringify({
      variable: { rules: { default: { cft: { port: 1768, cidr: '0.0.0.0/0' } } }, later: {} },
      resource: {
        aws_security_group: {
          d: {
            name: 'd',
            dynamic: {
              ingress: [
                { for_each: '${var.rules}', iterator: 'r', content: { description: '${r.key}', from_port: '${r.value.port}', to_port: '${r.value["port"]}', protocol: 'tcp', cidr_blocks: ['${r.value.cidr}'] } },
                { for_each: '${var.later}', content: { from_port: '${ingress.value}', to_port: '${ingress.value}', protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] } },
              ],
            },
          },
        },
      },
    });
    const [r] = resourcesFromTfJson(parseJsonTree(json).value!);
    // (blocks as HCL gives them: one "ingress" entry each)
    expect(all(r!.body, 'ingress').map((b) => toPlain(b))).toEqual([
      { description: 'cft', from_port: 1768, to_port: 1768, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] },
      { from_port: 'ingress.value', to_port: 'ingress.value', protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'], for_each: 'var.later' },
    ]);
    expect(r!.body.entries.some((e) => e.key === 'dynamic')).toBe(false);
    expect(get(all(r!.body, 'ingress')[1]!, 'for_each')!.kind).toBe('expr');
  });
});

describe('sets and sort', () => {
  const body = (attrs: string[]): Record<string, unknown> => {
    const r = evaluateTerraform(['locals {', '  cidrs = ["198.51.100.0/24", "0.0.0.0/0"]', '  ports = [8080, 22]', '}', 'resource "aws_security_group" "a" {', ...attrs.map((a) => `  ${a}`), '}', ''].join('\n'));
    expect(r.diagnostics).toEqual([]);
    return toPlain(r.resources[0]!.body) as Record<string, unknown>;
  };

  test('sort orders strings lexicographically, numbers as strings (Terraform docs, "sort Function")', () => {
    // sort(local.cidrs)[0] is 0.0.0.0/0: read unsorted, the world-open CIDR was the other one
    expect(body(['a = sort(local.cidrs)', 'b = sort(local.cidrs)[0]', 'c = sort(local.ports)', 'd = sort(["b", "a", "B", "é", "z"])', 'e = sort([var.x, "a"])'])).toEqual({
      a: ['0.0.0.0/0', '198.51.100.0/24'],
      b: '0.0.0.0/0',
      c: ['22', '8080'],
      d: ['B', 'a', 'b', 'z', 'é'],
      e: 'sort([var.x, "a"])',
    });
  });

  test('toset holds each element once, strings in lexical order; a set has no index, and a list made of a set of numbers no known order', () => {
    expect(
      body([
        'a = length(toset(["a", "a", "b"]))',
        'b = toset(["22", 22, "c"])',
        'c = tolist(toset(local.cidrs))[1]',
        'd = element(tolist(toset(local.cidrs)), 0)',
        'e = slice(tolist(toset(local.cidrs)), 0, 1)',
        'f = index(tolist(toset(local.cidrs)), "0.0.0.0/0")',
        'g = sort(toset(local.cidrs))[0]',
        'h = toset(local.cidrs)[0]',
        'i = [for c in tolist(toset(local.cidrs)) : c]',
        'j = [for c in toset(local.cidrs) : c][0]',
        'k = concat(tolist(toset(local.cidrs)), ["192.0.2.0/24"])[0]',
        'l = flatten([["192.0.2.0/24"], tolist(toset(local.cidrs))])[1]',
        'm = compact(tolist(toset(local.cidrs)))[0]',
        'n = concat(local.cidrs, ["192.0.2.0/24"])[1]',
        'o = setproduct(toset(local.ports), [22])[0]',
        'p = setproduct(local.cidrs, [22])[1]',
        'q = tolist(toset(local.ports))[0]',
        'r = [for p in toset(local.ports) : p][1]',
        's = concat(tolist(toset(local.ports)), [1])[0]',
        't = reverse(toset(local.cidrs))',
      ]),
    ).toEqual({
      a: 2,
      b: ['22', 'c'],
      // (read in written order, these were 0.0.0.0/0 and 198.51.100.0/24 the other way round)
      c: '198.51.100.0/24',
      d: '0.0.0.0/0',
      e: ['0.0.0.0/0'],
      f: 0,
      g: '0.0.0.0/0',
      h: 'toset(local.cidrs)[0]',
      i: ['0.0.0.0/0', '198.51.100.0/24'],
      j: '0.0.0.0/0',
      k: '0.0.0.0/0',
      l: '0.0.0.0/0',
      m: '0.0.0.0/0',
      n: '0.0.0.0/0',
      o: 'setproduct(toset(local.ports), [22])[0]',
      p: ['0.0.0.0/0', 22],
      q: 'tolist(toset(local.ports))[0]',
      r: '[for p in toset(local.ports) : p][1]',
      s: 'concat(tolist(toset(local.ports)), [1])[0]',
      t: 'reverse(toset(local.cidrs))',
    });
  });
});

describe('a variable of type set(string)', () => {
  test('is its elements once each, in lexical order: element(var.x, count.index) reads them in that order', () => {
    const r = evaluateTerraform(
      [
        'variable "cidrs" {',
        '  type    = set(string)',
        '  default = ["198.51.100.0/24", "0.0.0.0/0", "198.51.100.0/24"]',
        '}',
        'resource "aws_security_group_rule" "r" {',
        '  count       = length(var.cidrs)',
        '  cidr_blocks = [element(tolist(var.cidrs), count.index)]',
        '}',
        '',
      ].join('\n'),
    );
    expect(r.resources.map((x) => [x.address, toPlain(get(x.body, 'cidr_blocks'))])).toEqual([
      ['aws_security_group_rule.r[0]', ['0.0.0.0/0']],
      ['aws_security_group_rule.r[1]', ['198.51.100.0/24']],
    ]);
  });
});

describe('for expressions over a map or an object', () => {
  test('iterate in lexical order of the keys (Terraform docs, for Expressions, Element Ordering), not as written', () => {
    const r = evaluateTerraform(
      [
        'locals {',
        '  m = { b = "0.0.0.0/0", a = "10.0.0.0/8", B = "192.0.2.0/24" }',
        '}',
        'resource "aws_security_group" "a" {',
        '  first = [for k, v in local.m : v][0]',
        '  all   = [for k, v in local.m : "${k}=${v}"]',
        '  keyed = { for k, v in local.m : v => k }',
        '}',
        '',
      ].join('\n'),
    );
    expect(r.diagnostics).toEqual([]);
    expect(toPlain(r.resources[0]!.body)).toEqual({
      // (read in written order, the first was 0.0.0.0/0)
      first: '192.0.2.0/24',
      all: ['B=192.0.2.0/24', 'a=10.0.0.0/8', 'b=0.0.0.0/0'],
      keyed: { '192.0.2.0/24': 'B', '10.0.0.0/8': 'a', '0.0.0.0/0': 'b' },
    });
  });
});

describe('equality of a string and a number', () => {
  test('"22" == 22 is not true (Terraform: same type and same value); undecided where the type may differ from the text', () => {
    const text = [
      'variable "s" { default = "10" }',
      'variable "n" { default = 10 }',
      'resource "aws_security_group_rule" "r" {',
      '  for_each    = { "22" = "ssh", "443" = "https" }',
      '  from_port   = each.key',
      '  cidr_blocks = [each.key == 22 ? "10.0.0.0/8" : "0.0.0.0/0"]',
      '  a           = var.s != var.n ? "0.0.0.0/0" : "10.0.0.0/8"',
      '  b           = var.s == "10"',
      '  c           = var.n == 10.0',
      '  d           = var.n == "11"',
      '  e           = var.n != "11"',
      '  f           = null == var.s',
      '  g           = true == "true"',
      '}',
      '',
    ].join('\n');
    const r = evaluateTerraform(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.resources.map((x) => [x.address, toPlain(x.body)])).toEqual([
      [
        'aws_security_group_rule.r["22"]',
        {
          from_port: '22',
          // each.key is the string "22": Terraform takes the else branch, the world
          cidr_blocks: ['each.key == 22 ? "10.0.0.0/8" : "0.0.0.0/0"'],
          a: 'var.s != var.n ? "0.0.0.0/0" : "10.0.0.0/8"',
          b: true,
          c: true,
          d: false,
          e: true,
          f: false,
          g: 'true == "true"',
        },
      ],
      [
        'aws_security_group_rule.r["443"]',
        {
          from_port: '443',
          cidr_blocks: ['0.0.0.0/0'],
          a: 'var.s != var.n ? "0.0.0.0/0" : "10.0.0.0/8"',
          b: true,
          c: true,
          d: false,
          e: true,
          f: false,
          g: 'true == "true"',
        },
      ],
    ]);
  });
});
