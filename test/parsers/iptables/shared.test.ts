/**
 * Big dumps share immutable parts of the model between rules (actions, port
 * sets): shared objects must be frozen or never written, and the rules must
 * read exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { parseIptables } from '../../../src/parsers/iptables/index.js';
import { at, chainOf, rulesOf } from './helpers.js';

const DUMP = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':WEB - [0:0]',
  '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT',
  '-A INPUT ! -s 10.0.0.0/8 -p tcp -m tcp --dport 443 -j ACCEPT',
  '-A INPUT -p udp -m multiport --dports 53,1761:1768 -j DROP',
  '-A INPUT -p udp -m multiport --dports 53,1761:1768 -j DROP',
  '-A INPUT -s 192.0.2.1 -j WEB',
  '-A INPUT -s 192.0.2.2 -j WEB',
  '-A INPUT -j REJECT',
  '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
  '-A WEB -j RETURN',
  'COMMIT',
  '',
].join('\n');

describe('iptables: shared parts of the model', () => {
  const doc = parseIptables(DUMP, { mode: 'save' });
  const input = chainOf(doc, 'filter', 'INPUT');
  const r = input.rules;

  it('reads the rules as written', () => {
    expect(doc.diagnostics).toEqual([]);
    expect(rulesOf(doc, 'filter', 'INPUT')).toEqual([
      'dstport=443 proto=6 => accept',
      '!srcaddr=10.0.0.0/8 dstport=443 proto=6 => accept',
      'dstport=53, 1761-1768 proto=17 => drop',
      'dstport=53, 1761-1768 proto=17 => drop',
      'srcaddr=192.0.2.1/32 => jump WEB',
      'srcaddr=192.0.2.2/32 => jump WEB',
      ' => reject',
      'proto=6 => reject',
    ]);
    expect(r[6]!.action).toEqual({ kind: 'reject' });
    expect(r[7]!.action).toEqual({ kind: 'reject', with: 'tcp-reset' });
  });

  it('shares one frozen action per target without arguments and per jump target', () => {
    expect(r[0]!.action).toBe(r[1]!.action);
    expect(Object.isFrozen(r[0]!.action)).toBe(true);
    expect(r[2]!.action).toBe(r[3]!.action);
    expect(r[4]!.action).toBe(r[5]!.action);
    expect(r[4]!.action).toEqual({ kind: 'jump', target: 'WEB' });
    expect(Object.isFrozen(r[4]!.action)).toBe(true);
  });

  it('shares one set per port number, keeps each match its own span and negation', () => {
    const p0 = r[0]!.matches.find((m) => m.kind === 'port');
    const p1 = r[1]!.matches.find((m) => m.kind === 'port');
    if (p0?.kind !== 'port' || p1?.kind !== 'port') throw new Error('port matches expected');
    expect(p0.ports).toBe(p1.ports);
    expect(p0).not.toBe(p1);
    expect(at(p0.span)).toBe('4:24-4:35');
    expect(at(p1.span)).toBe('5:40-5:51');
    const a1 = r[1]!.matches.find((m) => m.kind === 'address');
    expect(a1?.negated).toBe(true);
    // the span is read through the match (kept as a number next to the rule's span, see placed.ts);
    // as JSON the match is the plain object
    expect(Object.keys(a1!)).toEqual(['kind', 'dir', 'addrs', 'negated']);
    expect(Object.keys(JSON.parse(JSON.stringify(a1)) as object)).toEqual(['kind', 'dir', 'addrs', 'span', 'negated']);
    expect(at(a1!.span)).toBe('5:10-5:25');
    expect(p0.negated).toBeUndefined();
  });

  it('gives each rule an exact-size match list of its own', () => {
    expect(r[2]!.matches).not.toBe(r[3]!.matches);
    expect(r[2]!.matches.length).toBe(2);
    // a fast-path rule (PackedRule) builds its matches when read: a new list of equal matches over the same sets
    const first = r[2]!.matches;
    const second = r[2]!.matches;
    expect(second).not.toBe(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    const p = r[1]!.matches[2]!;
    const q = r[1]!.matches[2]!;
    if (p.kind !== 'port' || q.kind !== 'port') throw new Error('port matches expected');
    expect(p).not.toBe(q);
    expect(p.ports).toBe(q.ports);
    // it reads span, text, reportSpan and matches when asked; as JSON it is the plain rule
    expect(Object.keys(r[0]!)).toEqual(['id', 'action']);
    expect(at(r[0]!.span)).toBe('4:1-4:45');
    expect(r[0]!.span).not.toBe(r[0]!.span); // built when read
    expect(Object.keys(JSON.parse(JSON.stringify(r[0]!)) as object)).toEqual(['id', 'matches', 'action', 'span', 'text', 'reportSpan']);
  });

  it('parsing the same text twice gives the same rules', () => {
    const again = parseIptables(DUMP, { mode: 'save' });
    expect(rulesOf(again, 'filter', 'INPUT')).toEqual(rulesOf(doc, 'filter', 'INPUT'));
    expect(chainOf(again, 'filter', 'INPUT').rules.map((x) => at(x.span))).toEqual(input.rules.map((x) => at(x.span)));
  });
});
