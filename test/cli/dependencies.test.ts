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
