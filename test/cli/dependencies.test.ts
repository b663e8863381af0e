import { describe, expect, it } from 'vitest';
import { quotedAfter } from '../../src/cli/dependencies.js';

describe('quotedAfter (what a --cache key reads besides a file)', () => {
  it('finds Terraform module sources and nft includes, not words that only contain them', () => {
    const tf = ['module "a" {', '  source  =   "./modules/a"', '}', 'module "b" { source = "../b/" }', 'resource "x" "y" { data_source = "./no" }', '# source = "./commented"', 'source="./tight"', ''].join('\n');
    expect(quotedAfter(tf, 'source')).toEqual(['./modules/a', '../b/', './commented', './tight']);
    const nft = ['include "/etc/nftables.d/*.nft"', 'include"x"', '  include\t"rel.nft"', 'include "open', '"', 'define include_me = 1', ''].join('\n');
    expect(quotedAfter(nft, 'include')).toEqual(['/etc/nftables.d/*.nft', 'rel.nft']);
  });
});

describe('localReferences and the --cache key: the files the CDK, Bicep, ARM and CloudFormation readers follow', () => {
  it('names relative imports, local Bicep modules, linked templates and local nested stacks, not URLs or registries', async () => {
    const { localReferences } = await import('../../src/cli/dependencies.js');
    const ts = ["import { CFT_PORTS } from './constants';", "import * as ec2 from 'aws-cdk-lib/aws-ec2';", "const x = require('../shared/ports');", "const from = 'not a spec';", ''].join('\n');
    expect(localReferences('/p/stack.ts', ts)).toEqual([
      { kind: 'module', spec: './constants' },
      { kind: 'module', spec: '../shared/ports' },
    ]);
    const bicep = ["module sg './modules/sg.bicep' = {", "module reg 'br:contoso.azurecr.io/sg:v1' = {", "module spec 'ts:sub/rg/spec:v1' = {", ''].join('\n');
    expect(localReferences('/p/main.bicep', bicep)).toEqual([{ kind: 'file', spec: './modules/sg.bicep' }]);
    const arm = '{ "templateLink": { "relativePath": "nested/sg.json" } , "x": { "templateLink": { "uri": "https://example.com/t.json" } } }';
    expect(localReferences('/p/azuredeploy.json', arm)).toEqual([{ kind: 'file', spec: 'nested/sg.json' }]);
    const cfn = ['Resources:', '  Child:', '    Type: AWS::CloudFormation::Stack', '    Properties:', '      TemplateURL: ./child.yaml', '  Remote:', '    Properties:', "      TemplateURL: 'https://s3.amazonaws.com/b/t.yaml'", '  Sub:', '    Properties:', '      TemplateURL: !Sub "https://${Bucket}/t.yaml"', ''].join('\n');
    expect(localReferences('/p/parent.yaml', cfn)).toEqual([{ kind: 'file', spec: './child.yaml' }]);
  });

  it('a change to an imported constants file changes the key of the CDK file that imports it', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { createHash } = await import('node:crypto');
    const { hashDependencies } = await import('../../src/cli/dependencies.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'fwl-deps-'));
    const stack = path.join(dir, 'stack.ts');
    const text = "import { PORTS } from './constants';\nexport const p = PORTS;\n";
    writeFileSync(stack, text);
    const key = () => {
      const h = createHash('sha256');
      hashDependencies(h, [{ path: stack, text }]);
      return h.digest('hex');
    };
    writeFileSync(path.join(dir, 'constants.ts'), 'export const PORTS = [22];\n');
    const before = key();
    expect(key()).toBe(before);
    writeFileSync(path.join(dir, 'constants.ts'), 'export const PORTS = [22, 1761];\n');
    expect(key()).not.toBe(before);
  });
});
