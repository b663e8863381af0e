import { numSingle, numSetOf, type NumSet } from './ports.js';

/** IANA protocol numbers for the names firewall syntaxes use (iptables -p, nft l4proto, clouds). */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ipip: 4,
  ipencap: 4,
  tcp: 6,
  egp: 8,
  igp: 9,
  pup: 12,
  udp: 17,
  hmp: 20,
  'xns-idp': 22,
  rdp: 27,
  'iso-tp4': 29,
  dccp: 33,
  xtp: 36,
  ddp: 37,
  'idpr-cmtp': 38,
  ipv6: 41,
  'ipv6-route': 43,
  'ipv6-frag': 44,
  idrp: 45,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  skip: 57,
  'ipv6-icmp': 58,
  icmpv6: 58,
  'icmp6': 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  rspf: 73,
  vmtp: 81,
  eigrp: 88,
  ospf: 89,
  ospfigp: 89,
  'ax.25': 93,
  ipip4: 94,
  etherip: 97,
  encap: 98,
  pim: 103,
  ipcomp: 108,
  vrrp: 112,
  l2tp: 115,
  isis: 124,
  sctp: 132,
  fc: 133,
  'mobility-header': 135,
  mh: 135,
  udplite: 136,
  'mpls-in-ip': 137,
  manet: 138,
  hip: 139,
  shim6: 140,
  wesp: 141,
  rohc: 142,
  ethernet: 143,
};

export const PROTO = { icmp: 1, tcp: 6, udp: 17, dccp: 33, icmpv6: 58, sctp: 132, udplite: 136 } as const;

/** Protocols whose header carries 16-bit source/destination ports. */
export const PORT_PROTOCOLS: NumSet = numSetOf([
  [6, 6],
  [17, 17],
  [33, 33],
  [132, 132],
  [136, 136],
]);

/** Name or decimal number → protocol number, or undefined when unknown. */
export function protocolNumber(text: string): number | undefined {
  const t = text.toLowerCase();
  if (/^[0-9]{1,3}$/.test(t)) {
    const n = Number(t);
    return n <= 255 ? n : undefined;
  }
  return PROTOCOL_NUMBERS[t];
}

const NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 58: 'icmpv6', 132: 'sctp', 136: 'udplite', 47: 'gre', 50: 'esp', 51: 'ah' };

export function protocolName(n: number): string {
  return NAMES[n] ?? String(n);
}

export function protoSet(n: number): NumSet {
  return numSingle(n);
}
