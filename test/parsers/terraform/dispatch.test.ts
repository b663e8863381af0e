import { describe, expect, test } from 'vitest';
import { parseTerraform } from '../../../src/parsers/terraform/format.js';

describe('terraform format dispatch', () => {
  const tf = [
    'resource "aws_security_group" "a" {',
    '  ingress {',
    '    from_port   = 1761',
    '    to_port     = 1768',
    '    protocol    = "tcp"',
    '    cidr_blocks = ["0.0.0.0/0"]',
    '  }',
    '}',
    'resource "google_compute_firewall" "g" {',
    '  name    = "cft"',
    '  network = "default"',
    '  allow {',
    '    protocol = "tcp"',
    '    ports    = ["1761-1768"]',
    '  }',
    '  source_ranges = ["0.0.0.0/0"]',
    '}',
    'resource "azurerm_network_security_group" "z" {',
    '  name                = "cft"',
    '  location            = "westeurope"',
    '  resource_group_name = "rg"',
    '  security_rule {',
    '    name                       = "cft"',
    '    priority                   = 100',
    '    direction                  = "Inbound"',
    '    access                     = "Allow"',
    '    protocol                   = "Tcp"',
    '    source_port_range          = "*"',
    '    destination_port_range     = "1761-1768"',
    '    source_address_prefix      = "*"',
    '    destination_address_prefix = "*"',
    '  }',
    '}',
    '',
  ].join('\n');
  test('AWS, GCP and Azure resources of one file each reach their mapper; rule ids unique in the document', () => {
    const doc = parseTerraform(tf);
    const kinds = doc.rulesets.map((r) => r.tables.map((t) => t.family).join());
    expect(doc.rulesets.length).toBeGreaterThanOrEqual(3);
    expect(kinds.every((k) => k.split(',').every((f) => f === 'cloud'))).toBe(true);
    expect(doc.rulesets[0]!.name).toBe('aws_security_group.a');
    expect(doc.rulesets.some((r) => r.targets.some((t) => t.includes('google_compute_firewall.g') || t === 'cft'))).toBe(true);
    expect(doc.rulesets.some((r) => r.targets.some((t) => t.includes('azurerm_network_security_group.z')))).toBe(true);
    const ids = doc.rulesets.flatMap((r) => r.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((x) => x.id))));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(3);
  });
});

describe('variable files Terraform loads from the module directory', () => {
  const tf = [
    'variable "ssh_cidrs" {',
    '  default = ["10.0.0.0/8"]',
    '}',
    'variable "port" {',
    '  default = 22',
    '}',
    'resource "aws_security_group" "a" {',
    '  ingress {',
    '    from_port   = var.port',
    '    to_port     = var.port',
    '    protocol    = "tcp"',
    '    cidr_blocks = var.ssh_cidrs',
    '  }',
    '}',
    '',
  ].join('\n');
  const dir: Record<string, string> = {
    '/m/terraform.tfvars': 'ssh_cidrs = ["192.0.2.0/24"]\nport = 2222\n',
    '/m/terraform.tfvars.json': '{"ssh_cidrs": ["198.51.100.0/24"]}',
    '/m/b.auto.tfvars': 'ssh_cidrs = ["0.0.0.0/0"]\n',
    '/m/a.auto.tfvars.json': '{"ssh_cidrs": ["203.0.113.0/24"]}',
    '/m/prod.tfvars': 'ssh_cidrs = ["100.64.0.0/10"]\n',
  };
  const readInclude = (path: string): { path: string; text: string } | { error: string } | { files: { path: string; text: string }[] } => {
    if (path.includes('*')) {
      const suffix = path.slice(1);
      return { files: Object.keys(dir).filter((p) => p.endsWith(suffix)).map((p) => ({ path: p, text: dir[p]! })) };
    }
    const full = `/m/${path}`;
    return dir[full] !== undefined ? { path: full, text: dir[full] } : { error: `cannot read ${full}: ENOENT` };
  };
  const ingress = (variables?: Record<string, unknown>) =>
    parseTerraform(tf, { filePath: '/m/main.tf', readInclude, ...(variables ? { variables } : {}) }).rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text);

  test('terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) by name override the defaults; other .tfvars are not loaded', () => {
    // b.auto.tfvars comes after a.auto.tfvars.json: 0.0.0.0/0; port from terraform.tfvars
    expect(ingress()).toEqual(['ingress tcp 2222 from 0.0.0.0/0']);
    // without a reader (stdin) the defaults are used
    expect(parseTerraform(tf, {}).rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text)).toEqual(['ingress tcp 22 from 10.0.0.0/8']);
  });
  test('variables given with the options (-var) win over the files', () => {
    expect(ingress({ ssh_cidrs: ['10.1.0.0/16'] })).toEqual(['ingress tcp 2222 from 10.1.0.0/16']);
  });
});

describe("the module's other .tf files", () => {
  test("a variable declared with its default in variables.tf is known in main.tf, below tfvars; without a reader it stays unknown", () => {
    const main = 'resource "aws_security_group" "a" {\n  ingress {\n    from_port   = 1768\n    to_port     = 1768\n    protocol    = "tcp"\n    cidr_blocks = [var.cidr]\n  }\n}\n';
    const files: Record<string, string> = {
      '/m/main.tf': main,
      '/m/variables.tf': 'variable "cidr" {\n  type    = string\n  default = "10.0.0.0/8"\n}\nvariable "computed" {\n  default = cidrsubnet("10.0.0.0/8", 8, 1)\n}\n',
    };
    // (a wildcard: the files whose names it matches, * being any run of characters)
    const glob = (pattern: string) => new RegExp(`^/m/${pattern.split('*').map((x) => x.replace(/[.]/g, '\\.')).join('[^/]*')}$`);
    const readInclude = (path: string) =>
      path.includes('*') ? { files: Object.keys(files).filter((p) => glob(path).test(p)).map((p) => ({ path: p, text: files[p]! })) } : files[`/m/${path}`] !== undefined ? { path: `/m/${path}`, text: files[`/m/${path}`]! } : { error: 'ENOENT' };
    const rules = (d: ReturnType<typeof parseTerraform>) => d.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text);
    expect(rules(parseTerraform(main, { filePath: '/m/main.tf', readInclude }))).toEqual(['ingress tcp 1768 from 10.0.0.0/8']);
    files['/m/terraform.tfvars'] = 'cidr = "0.0.0.0/0"\n';
    expect(rules(parseTerraform(main, { filePath: '/m/main.tf', readInclude }))).toEqual(['ingress tcp 1768 from 0.0.0.0/0']);
    const alone = parseTerraform(main, {});
    expect(alone.rulesets[0]!.tables[0]!.chains[0]!.rules[0]!.matches.some((m) => m.kind === 'opaque')).toBe(true);
  });
});

describe("the module's locals files", () => {
  test('a local defined in locals.tf is known in main.tf, evaluated with the variables and tfvars; one not known there stays unknown', () => {
    const main = [
      'resource "aws_security_group" "a" {',
      '  dynamic "ingress" {',
      '    for_each = toset(local.cft_ports)',
      '    content {',
      '      from_port   = ingress.value',
      '      to_port     = ingress.value',
      '      protocol    = "tcp"',
      '      cidr_blocks = [local.partners, local.vpc]',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const files: Record<string, string> = {
      '/m/main.tf': main,
      '/m/variables.tf': 'variable "partner_net" {\n  default = "192.0.2.0/24"\n}\n',
      '/m/locals.tf': 'locals {\n  cft_ports = [for p in range(1761, 1763) : tostring(p)]\n  partners  = var.partner_net\n  vpc       = aws_vpc.main.cidr_block\n}\n',
      '/m/terraform.tfvars': 'partner_net = "198.51.100.0/24"\n',
    };
    const glob = (pattern: string) => new RegExp(`^/m/${pattern.split('*').map((x) => x.replace(/[.]/g, '\\.')).join('[^/]*')}$`);
    const readInclude = (path: string) =>
      path.includes('*') ? { files: Object.keys(files).filter((p) => glob(path).test(p)).map((p) => ({ path: p, text: files[p]! })) } : files[`/m/${path}`] !== undefined ? { path: `/m/${path}`, text: files[`/m/${path}`]! } : { error: 'ENOENT' };
    const d = parseTerraform(main, { filePath: '/m/main.tf', readInclude });
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => [r.text, r.span.start.line])).toEqual([
      ['ingress tcp 1761 from 198.51.100.0/24', 4],
      ['ingress tcp 1762 from 198.51.100.0/24', 4],
      ['ingress tcp 1761 from local.vpc', 4],
      ['ingress tcp 1762 from local.vpc', 4],
    ]);
    expect(d.diagnostics.map((x) => [x.message, x.span.start.line, x.span.start.column])).toEqual([
      ['Cannot evaluate local.vpc: the address is not known statically; it is treated as unknown', 8, 38],
    ]);
  });
});

describe('variable files beside a Terraform JSON configuration', () => {
  test('terraform.tfvars beside main.tf.json overrides a default', async () => {
    const { parseTerraformPlan } = await import('../../../src/parsers/terraform/format.js');
    const json = JSON.stringify({
      variable: { cidr: { default: '10.0.0.0/8' } },
      resource: { aws_security_group: { a: { ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['${var.cidr}'] }] } } },
    });
    const readInclude = (path: string) => (path === 'terraform.tfvars' ? { path: '/m/terraform.tfvars', text: 'cidr = "0.0.0.0/0"\n' } : path.includes('*') ? { files: [] } : { error: 'ENOENT' });
    const d = parseTerraformPlan(json, { filePath: '/m/main.tf.json', readInclude });
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text)).toEqual(['ingress tcp 22 from 0.0.0.0/0']);
  });
});

describe('a Terraform JSON configuration: dynamic blocks and module calls', () => {
  test('a dynamic block opens its ports; a module call is said not evaluated', async () => {
    const { parseTerraformPlan } = await import('../../../src/parsers/terraform/format.js');
    const json = JSON.stringify(
      {
        variable: { ports: { default: [1761, 1762] } },
        resource: { aws_security_group: { a: { dynamic: { ingress: { for_each: '${var.ports}', content: { from_port: '${ingress.value}', to_port: '${ingress.value}', protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] } } } } } },
        module: { sg: { source: 'terraform-aws-modules/security-group/aws' } },
      },
      null,
      1,
    );
    const d = parseTerraformPlan(json, { filePath: '/m/main.tf.json' });
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text)).toEqual(['ingress tcp 1761 from 0.0.0.0/0', 'ingress tcp 1762 from 0.0.0.0/0']);
    expect(d.diagnostics.map((x) => `${x.span.start.line} ${x.message}`)).toEqual([
      '30 module "sg" (terraform-aws-modules/security-group/aws) is not evaluated (a module called from a JSON configuration): firewall resources it creates are not checked here',
    ]);
  });
});

describe('a module with a local source is evaluated with the arguments its block gives', () => {
  const files: Record<string, string> = {
    '/r/modules/sg/variables.tf': 'variable "cidr" {\n  default = "10.0.0.0/8"\n}\nvariable "port" {}\nvariable "admin" {\n  default = "192.0.2.0/24"\n}\n',
    '/r/modules/sg/main.tf': [
      'resource "aws_security_group" "this" {',
      '  name = "m"',
      '  ingress {',
      '    from_port   = var.port',
      '    to_port     = var.port',
      '    protocol    = "tcp"',
      '    cidr_blocks = [var.cidr]',
      '  }',
      '}',
      'resource "aws_security_group_rule" "admin" {',
      '  type              = "ingress"',
      '  from_port         = 3389',
      '  to_port           = 3389',
      '  protocol          = "tcp"',
      '  cidr_blocks       = [var.admin]',
      '  security_group_id = aws_security_group.this.id',
      '}',
      '',
    ].join('\n'),
  };
  const readInclude = filesReader(files);
  const caller = [
    'variable "unknown" {}',
    'module "sg" {',
    '  source = "./modules/sg"',
    '  cidr   = "0.0.0.0/0"',
    '  port   = 22',
    '}',
    'module "other" {',
    '  source = "./modules/sg"',
    '  cidr   = var.unknown',
    '  port   = 443',
    '}',
    'module "remote" {',
    '  source = "terraform-aws-modules/security-group/aws"',
    '}',
    '',
  ].join('\n');

  test('its resources are module.<name>.…, placed at the module block; unset variables keep their defaults; an unknown argument is named where it is written', () => {
    const d = parseTerraform(caller, { filePath: '/r/main.tf', readInclude });
    expect(d.rulesets.map((r) => [r.name, r.tables[0]!.chains[0]!.rules.map((x) => [x.text, x.span.start.line])])).toEqual([
      ['module.sg.aws_security_group.this (m)', [['ingress tcp 22 from 0.0.0.0/0', 2], ['ingress tcp 3389 from 192.0.2.0/24', 2]]],
      ['module.other.aws_security_group.this (m)', [['ingress tcp 3389 from 192.0.2.0/24', 7], ['ingress tcp 443 from var.unknown', 7]]],
    ]);
    expect(d.diagnostics.map((x) => [x.code, x.message, x.span.start.line])).toEqual([
      ['terraform/module-not-evaluated', 'module "remote" (terraform-aws-modules/security-group/aws) is not evaluated (no copy installed by terraform init): firewall resources it creates are not checked here', 12],
      ['aws/unresolved', 'Cannot evaluate var.unknown: the address is not known statically; it is treated as unknown', 9],
    ]);
  });
});

describe('a registry module installed by terraform init', () => {
  // .terraform/modules/modules.json lists each installed call by key, source and directory (relative to the root module)
  const files: Record<string, string> = {
    '/i/.terraform/modules/modules.json': JSON.stringify({
      Modules: [
        { Key: '', Source: '', Dir: '.' },
        { Key: 'web', Source: 'registry.terraform.io/acme/sg/aws', Version: '1.0.0', Dir: '.terraform/modules/web' },
        { Key: 'old', Source: 'registry.terraform.io/acme/other/aws', Version: '1.0.0', Dir: '.terraform/modules/old' },
      ],
    }),
    '/i/.terraform/modules/web/main.tf': [
      'variable "ports" { default = [] }',
      'resource "aws_security_group" "this" {',
      '  name = "web"',
      '  dynamic "ingress" {',
      '    for_each = var.ports',
      '    content {',
      '      from_port   = ingress.value',
      '      to_port     = ingress.value',
      '      protocol    = "tcp"',
      '      cidr_blocks = ["0.0.0.0/0"]',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  };
  const readInclude = filesReader(files);
  test('is evaluated from its installed copy; one installed from another source is not', () => {
    const tf = [
      'module "web" {',
      '  source  = "acme/sg/aws"',
      '  version = "~> 1.0"',
      '  ports   = [1761, 22]',
      '}',
      'module "old" {',
      '  source = "acme/sg/aws"',
      '}',
      '',
    ].join('\n');
    const d = parseTerraform(tf, { filePath: '/i/main.tf', readInclude });
    expect(d.rulesets.map((r) => [r.name, r.tables[0]!.chains[0]!.rules.map((x) => [x.text, x.span.start.line])])).toEqual([
      ['module.web.aws_security_group.this (web)', [['ingress tcp 1761 from 0.0.0.0/0', 1], ['ingress tcp 22 from 0.0.0.0/0', 1]]],
    ]);
    expect(d.diagnostics.map((x) => [x.code, x.message, x.span.start.line])).toEqual([
      ['terraform/module-not-evaluated', 'module "old" (acme/sg/aws) is not evaluated (no copy installed by terraform init): firewall resources it creates are not checked here', 6],
    ]);
  });
});

describe("a local module's output through try()", () => {
  // terraform-aws-modules style: output "id" { value = try(aws_security_group.this[0].id, "") }, count = var.create ? 1 : 0
  const sg = (create: boolean): string =>
    [
      'variable "create" {',
      `  default = ${create}`,
      '}',
      'resource "aws_security_group" "this" {',
      '  count = var.create ? 1 : 0',
      '  name  = "cft"',
      '}',
      'output "id" {',
      '  value = try(aws_security_group.this[0].id, "")',
      '}',
      '',
    ].join('\n');
  const tf = [
    'module "sg" {',
    '  source = "./modules/sg"',
    '}',
    'resource "aws_security_group_rule" "cft" {',
    '  type              = "ingress"',
    '  from_port         = 1761',
    '  to_port           = 1768',
    '  protocol          = "tcp"',
    '  cidr_blocks       = ["0.0.0.0/0"]',
    '  security_group_id = module.sg.id',
    '}',
    '',
  ].join('\n');
  test('try(resource[0].id, "") is the resource\'s id while the instance exists: a rule on module.sg.id joins that group', () => {
    const readInclude = (path: string) => ({ files: path === './modules/sg/*.tf' ? [{ path: '/t/modules/sg/main.tf', text: sg(true) }] : [] });
    const d = parseTerraform(tf, { filePath: '/t/main.tf', readInclude });
    expect(d.rulesets.map((r) => [r.name, r.tables[0]!.chains[0]!.rules.map((x) => [x.text, x.span.start.line])])).toEqual([
      ['module.sg.aws_security_group.this[0] (cft)', [['ingress tcp 1761-1768 from 0.0.0.0/0', 4]]],
    ]);
  });
  test('with count = 0 the index fails and try() gives its fallback: the group does not exist', () => {
    const readInclude = (path: string) => ({ files: path === './modules/sg/*.tf' ? [{ path: '/t/modules/sg/main.tf', text: sg(false) }] : [] });
    const d = parseTerraform(tf, { filePath: '/t/main.tf', readInclude });
    expect(d.rulesets.map((r) => r.name)).toEqual(['']);
  });
});

describe("a local module's outputs", () => {
  const files: Record<string, string> = {
    '/o/modules/sg/main.tf': [
      'variable "name" {}',
      'resource "aws_security_group" "this" {',
      '  name = var.name',
      '}',
      'output "id" {',
      '  value = aws_security_group.this.id',
      '}',
      'output "cidr" {',
      '  value = "10.0.0.0/8"',
      '}',
      '',
    ].join('\n'),
  };
  const readInclude = (path: string) => ({ files: path === './modules/sg/*.tf' ? [{ path: '/o/modules/sg/main.tf', text: files['/o/modules/sg/main.tf']! }] : [] });
  test("module.sg.id names the module's group: a rule on it joins that group, an instance using it is its target", () => {
    const tf = [
      'module "sg" {',
      '  source = "./modules/sg"',
      '  name   = "cft"',
      '}',
      'resource "aws_security_group_rule" "cft" {',
      '  type              = "ingress"',
      '  from_port         = 1761',
      '  to_port           = 1768',
      '  protocol          = "tcp"',
      '  cidr_blocks       = ["0.0.0.0/0", module.sg.cidr]',
      '  security_group_id = module.sg.id',
      '}',
      'resource "aws_instance" "mft01" {',
      '  vpc_security_group_ids = [module.sg.id]',
      '}',
      '',
    ].join('\n');
    const d = parseTerraform(tf, { filePath: '/o/main.tf', readInclude });
    expect(d.diagnostics).toEqual([]);
    expect(d.rulesets.map((r) => [r.name, r.targets.filter((t) => t !== ''), r.tables[0]!.chains[0]!.rules.map((x) => [x.text, x.span.start.line])])).toEqual([
      ['module.sg.aws_security_group.this (cft)', ['module.sg.aws_security_group.this', 'cft', 'aws_instance.mft01'], [['ingress tcp 1761-1768 from 0.0.0.0/0', 5], ['ingress tcp 1761-1768 from 10.0.0.0/8', 5]]],
    ]);
  });
});

describe('a local module called with count or for_each', () => {
  // Terraform makes one module instance per index or key, module.<name>[0] / module.<name>["key"], as for resources
  // (Terraform docs, "The for_each Meta-Argument": "module blocks ... accept for_each"); such a module was not
  // evaluated at all ("count/for_each on a module"), so a database port it opens to the world went unreported.
  const files: Record<string, string> = {
    '/f/modules/sg/main.tf': [
      'variable "name" {}',
      'variable "port" {}',
      'resource "aws_security_group" "this" {',
      '  name = var.name',
      '  ingress {',
      '    from_port   = var.port',
      '    to_port     = var.port',
      '    protocol    = "tcp"',
      '    cidr_blocks = ["0.0.0.0/0"]',
      '  }',
      '}',
      'output "id" {',
      '  value = aws_security_group.this.id',
      '}',
      '',
    ].join('\n'),
  };
  const readInclude = (path: string) => ({ files: path === './modules/sg/*.tf' ? [{ path: '/f/modules/sg/main.tf', text: files['/f/modules/sg/main.tf']! }] : [] });
  test('one instance per key or index; module.<name>["key"].id names that instance\'s group; an unknown for_each is said', () => {
    const tf = [
      'variable "unknown" {}',
      'module "sgs" {',
      '  source   = "./modules/sg"',
      '  for_each = { web = 443, db = 5432 }',
      '  name     = each.key',
      '  port     = each.value',
      '}',
      'module "counted" {',
      '  source = "./modules/sg"',
      '  count  = 2',
      '  name   = "c${count.index}"',
      '  port   = 1761 + count.index',
      '}',
      'module "later" {',
      '  source   = "./modules/sg"',
      '  for_each = var.unknown',
      '  name     = each.key',
      '  port     = 22',
      '}',
      'resource "aws_security_group_rule" "from_web" {',
      '  type                     = "ingress"',
      '  from_port                = 6379',
      '  to_port                  = 6379',
      '  protocol                 = "tcp"',
      '  source_security_group_id = module.sgs["web"].id',
      '  security_group_id        = module.sgs["db"].id',
      '}',
      '',
    ].join('\n');
    const d = parseTerraform(tf, { filePath: '/f/main.tf', readInclude });
    expect(d.rulesets.map((r) => [r.name, r.tables[0]!.chains[0]!.rules.map((x) => [x.text, x.span.start.line])])).toEqual([
      ['module.sgs["web"].aws_security_group.this (web)', [['ingress tcp 443 from 0.0.0.0/0', 2]]],
      ['module.sgs["db"].aws_security_group.this (db)', [['ingress tcp 5432 from 0.0.0.0/0', 2], ['ingress tcp 6379 from module.sgs["web"].aws_security_group.this', 20]]],
      ['module.counted[0].aws_security_group.this (c0)', [['ingress tcp 1761 from 0.0.0.0/0', 8]]],
      ['module.counted[1].aws_security_group.this (c1)', [['ingress tcp 1762 from 0.0.0.0/0', 8]]],
    ]);
    expect(d.diagnostics.map((x) => [x.code, x.message, x.span.start.line])).toEqual([
      ['terraform/module-not-evaluated', 'module "later" (./modules/sg) is not evaluated (its for_each is not known statically): firewall resources it creates are not checked here', 14],
    ]);
  });
});

describe('for_each over another resource', () => {
  test("each.value is one of that resource's instances: a rule with security_group_id = each.value.id belongs to its groups", () => {
    const tf = [
      'variable "names" {}',
      'resource "aws_security_group" "per" {',
      '  for_each = var.names',
      '  name     = each.key',
      '}',
      'resource "aws_security_group_rule" "r" {',
      '  for_each          = aws_security_group.per',
      '  type              = "ingress"',
      '  from_port         = 5432',
      '  to_port           = 5432',
      '  protocol          = "tcp"',
      '  cidr_blocks       = ["0.0.0.0/0"]',
      '  security_group_id = each.value.id',
      '}',
      '',
    ].join('\n');
    const d = parseTerraform(tf, {});
    expect(d.rulesets.map((r) => r.name)).toEqual(['aws_security_group.per[*]']);
    expect(d.rulesets[0]!.tables[0]!.chains[0]!.rules.map((r) => r.text)).toEqual(['ingress tcp 5432 from 0.0.0.0/0']);
  });
});

/** readInclude over in-memory files: a path relative to the including file, or a `dir/*.tf` glob of one folder. */
function filesReader(files: Record<string, string>) {
  return (path: string, from: string | undefined) => {
    const dir = from!.slice(0, from!.lastIndexOf('/'));
    const full = `${dir}/${path.replace(/^\.\//, '')}`;
    if (full.endsWith('/*.tf')) {
      const d = full.slice(0, -'*.tf'.length);
      return { files: Object.keys(files).filter((p) => p.startsWith(d) && p.endsWith('.tf') && !p.slice(d.length).includes('/')).map((p) => ({ path: p, text: files[p]! })) };
    }
    return files[full] !== undefined ? { path: full, text: files[full] } : { error: `cannot read ${full}: ENOENT` };
  };
}
