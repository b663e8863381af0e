import { describe, expect, it } from 'vitest';
import { extract, summary } from './helpers.js';

const ingress = (text: string): string[] => summary(extract(text).document).filter((l) => l.includes('ingress'));

describe('a prefix list the file builds, named by its id', () => {
  it('is read as its entries (CDK PrefixList, CfnPrefixList, Pulumi ManagedPrefixList): 0.0.0.0/0 is the whole internet', () => {
    // (it was an opaque name: pl, cfnPl — never "reachable from the whole internet")
    expect(
      ingress(`import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
declare const stack: Stack;
declare const sg: ec2.SecurityGroup;
const pl = new ec2.PrefixList(stack, 'PL', { entries: [{ cidr: '0.0.0.0/0' }, { cidr: '198.51.100.0/24' }] });
const cfnPl = new ec2.CfnPrefixList(stack, 'CPL', { addressFamily: 'IPv4', maxEntries: 2, prefixListName: 'x', entries: [{ cidr: '192.0.2.0/24' }] });
sg.addIngressRule(ec2.Peer.prefixList(pl.prefixListId), ec2.Port.tcp(22));
sg.addIngressRule(ec2.Peer.prefixList(cfnPl.attrPrefixListId), ec2.Port.tcp(3389));
`),
    ).toEqual(['sg ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept', 'sg ingress: dstport=3389 proto=6 srcaddr=192.0.2.0/24 => accept']);
    expect(
      ingress(`import * as aws from '@pulumi/aws';
const pl = new aws.ec2.ManagedPrefixList('pl', { addressFamily: 'IPv4', maxEntries: 2, entries: [{ cidr: '0.0.0.0/0' }] });
new aws.ec2.SecurityGroup('sg', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, prefixListIds: [pl.id] }] });
`),
    ).toEqual(['sg ingress: dstport=22 proto=6 srcaddr=0.0.0.0/0 => accept']);
  });

  it('stays a name where the file may add or change entries, or an entry is not known', () => {
    expect(
      ingress(`import * as aws from '@pulumi/aws';
const pl = new aws.ec2.ManagedPrefixList('pl', { addressFamily: 'IPv4', maxEntries: 2, entries: [{ cidr: '10.0.0.0/8' }] });
new aws.ec2.ManagedPrefixListEntry('more', { prefixListId: pl.id, cidr: '0.0.0.0/0' });
new aws.ec2.SecurityGroup('sg', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, prefixListIds: [pl.id] }] });
`),
    ).toEqual(['sg ingress: dstport=22 proto=6 srcprincipal=pl => accept']);
    expect(
      ingress(`import * as aws from '@pulumi/aws';
declare const cidr: string;
const other = new aws.ec2.ManagedPrefixList('other', { addressFamily: 'IPv4', maxEntries: 2, entries: [{ cidr: '10.0.0.0/8' }, { cidr }] });
new aws.ec2.SecurityGroup('sg', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, prefixListIds: [other.id] }] });
`),
    ).toEqual(['sg ingress: dstport=22 proto=6 srcprincipal=other => accept']);
  });
});
