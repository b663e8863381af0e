/**
 * Whether an iptables match of header fields the sender chooses holds for the model's plain packets (OpaqueMatch.plain):
 * `-m ttl`, `-m hl`, `-m length`, `-m dscp`, `-m tos`, and the IPv6 extension-header matches `-m rt`, `-m frag`,
 * `-m hbh`, `-m dst`, which look for a header a plain packet does not carry (xt_rt, xt_frag, xt_hbh: no header, no
 * match, whatever the options and their `!`), `-m ipv6header` (which of them the packet carries) and `-m tcpmss` (the
 * MSS option of a SYN), and `-m rpfilter` (a sender the route back reaches by the interface it came in). Undefined when the text is not one option of the module in a form read here: the match then
 * stays undecided, as before.
 */
import { PLAIN_PACKET } from '../../model/index.js';
import { strtouiBase0 } from './rule.js';

/** The modules plainValue reads. */
export const PLAIN_MODULES: ReadonlySet<string> = new Set(['ttl', 'hl', 'length', 'dscp', 'tos', 'rt', 'frag', 'hbh', 'dst', 'pkttype', 'tcpmss', 'ipv6header', 'rpfilter']);

/** libxt_rpfilter's options (none takes a value). */
const RPFILTER_OPTIONS: ReadonlySet<string> = new Set(['--loose', '--validmark', '--accept-local', '--invert']);

/**
 * ip6t_ipv6header's bits for libip6t_ipv6header's names and numbers: hop-by-hop, destination options, routing,
 * fragment, authentication, ESP, no next header, and "prot" (a layer-4 header follows: set for every plain packet).
 */
const IPV6HEADER_BITS: Readonly<Record<string, number>> = {
  hop: 1, 'hop-by-hop': 1, hopopt: 1, '0': 1,
  dst: 2, 'ipv6-opts': 2, '60': 2,
  route: 4, 'ipv6-route': 4, '43': 4,
  frag: 8, 'ipv6-frag': 8, '44': 8,
  auth: 16, ah: 16, '51': 16,
  esp: 32, '50': 32,
  none: 64, 'ipv6-nonxt': 64, '59': 64,
  prot: 128, protocol: 128, '255': 128,
};
const IPV6HEADER_PROTO = 128;

/**
 * `-m ipv6header [!] --header LIST [--soft]` for a plain packet, whose only header bit is "prot" (ip6t_ipv6header.c:
 * `--soft` holds when every listed bit is set — or, with `!`, clear — in the packet's; without it, when the packet's
 * bits equal the list, or with `!` differ from it).
 */
function ipv6headerPlain(text: string): boolean | undefined {
  const t = text.trim().split(/\s+/);
  if (!((t[0] === '-m' || t[0] === '--match') && t[1] === 'ipv6header')) return undefined;
  let neg = false;
  let soft = false;
  let list: number | undefined;
  for (let i = 2; i < t.length; i++) {
    if (t[i] === '--soft') soft = true;
    else if (t[i] === '!' && t[i + 1] === '--header') neg = true;
    else if (t[i] === '--header' && t[i + 1] !== undefined) {
      list = 0;
      for (const h of t[++i]!.split(',')) {
        const bit = IPV6HEADER_BITS[h.toLowerCase()] ?? IPV6HEADER_BITS[String(Number(h))];
        if (bit === undefined) return undefined;
        list |= bit;
      }
    } else return undefined;
  }
  if (list === undefined) return undefined;
  const have = IPV6HEADER_PROTO;
  if (soft) return neg ? (have & list) === 0 : (have & list) === list;
  return neg ? have !== list : have === list;
}

/**
 * libxt_pkttype's names of the link-layer packet types: the plain packet, sent to this host's (or, routed, its
 * router's) link address, is PACKET_HOST — `unicast` (`host`); a broadcast or multicast frame is let in by the input
 * path too, so a test of those is the sender's choice, as a TTL is.
 */
const PKTTYPE_NAMES: ReadonlySet<string> = new Set(['unicast', 'host', 'broadcast', 'multicast', 'otherhost']);

/** iptables' DSCP class names (libxt_dscp: class_to_dscp) that are DSCP 0. */
const DSCP_ZERO_CLASSES: ReadonlySet<string> = new Set(['be', 'cs0']);
const DSCP_CLASSES: ReadonlySet<string> = new Set([
  'be', 'cs0', 'cs1', 'cs2', 'cs3', 'cs4', 'cs5', 'cs6', 'cs7', 'af11', 'af12', 'af13', 'af21', 'af22', 'af23', 'af31', 'af32', 'af33', 'af41',
  'af42', 'af43', 'ef',
]);
/** libxt_tos's symbolic values (its mask for them is 0x3f). */
const TOS_NAMES: Readonly<Record<string, number>> = {
  'minimize-delay': 0x10,
  'maximize-throughput': 0x08,
  'maximize-reliability': 0x04,
  'minimize-cost': 0x02,
  'normal-service': 0x00,
};

/** A number as libxtables reads it (base 0: decimal, 0x hex, 0 octal), or undefined. */
function num(t: string | undefined, max: number): number | undefined {
  if (t === undefined || t === '') return undefined;
  const n = strtouiBase0(t, max);
  return n < 0 ? undefined : n;
}

/** The module's one option: [negated, option, argument], or undefined when the text holds anything else. */
export function oneOption(text: string, name: string): [boolean, string, string | undefined] | undefined {
  const t = text.trim().split(/\s+/);
  let i = 0;
  if ((t[i] === '-m' || t[i] === '--match') && t[i + 1] === name) i += 2;
  else return undefined;
  const neg = t[i] === '!';
  if (neg) i++;
  const opt = t[i];
  if (opt === undefined || !opt.startsWith('--')) return undefined;
  const arg = t[i + 1];
  if (i + 2 < t.length) return undefined;
  return [neg, opt, arg];
}

/**
 * Whether `-m <name> …` (its text as written) holds for every plain packet (PLAIN_PACKET), before the match's own
 * `negated`. `forwarded`: the plain packet as the forward path sees it, one hop counted (OpaqueMatch.plainForwarded):
 * defined for `-m ttl` and `-m hl` only.
 */
export function plainValue(name: string, text: string, forwarded = false): boolean | undefined {
  if (forwarded && name !== 'ttl' && name !== 'hl') return undefined;
  if (name === 'rt' || name === 'frag' || name === 'hbh' || name === 'dst') {
    // the header is looked up first; without it the match fails (and a `!` on an option negates the option only)
    const t = text.trim().split(/\s+/);
    return (t[0] === '-m' || t[0] === '--match') && t[1] === name ? false : undefined;
  }
  if (name === 'ipv6header') return ipv6headerPlain(text);
  if (name === 'rpfilter') {
    // xt_rpfilter: the route back to the source leaves by the interface the packet came in; a plain packet's sender
    // is reached by that route (firewalld's `-t raw -A PREROUTING -m rpfilter --invert -j DROP` drops only spoofed
    // sources), whatever --loose, --validmark or --accept-local add
    const t = text.trim().split(/\s+/);
    if (!((t[0] === '-m' || t[0] === '--match') && t[1] === 'rpfilter')) return undefined;
    const opts = t.slice(2);
    if (!opts.every((o) => RPFILTER_OPTIONS.has(o))) return undefined;
    return !opts.includes('--invert');
  }
  const o = oneOption(text, name);
  if (!o) return undefined;
  const [neg, opt, arg] = o;
  let holds: boolean | undefined;
  switch (name) {
    case 'pkttype':
      if (opt === '--pkt-type' && arg !== undefined && PKTTYPE_NAMES.has(arg.toLowerCase())) holds = arg.toLowerCase() === 'unicast' || arg.toLowerCase() === 'host';
      break;
    case 'ttl':
    case 'hl': {
      const v = (name === 'ttl' ? PLAIN_PACKET.ttl : PLAIN_PACKET.hopLimit) - (forwarded ? 1 : 0);
      const n = num(arg, 255);
      if (n === undefined) return undefined;
      if (opt === `--${name}-eq`) holds = v === n;
      else if (opt === `--${name}-lt` && !neg) holds = v < n;
      else if (opt === `--${name}-gt` && !neg) holds = v > n;
      break;
    }
    case 'length': {
      if (opt !== '--length' || arg === undefined) return undefined;
      const [a, b, extra] = arg.split(':');
      if (extra !== undefined) return undefined;
      const lo = a === '' || a === undefined ? 0 : num(a, 65535);
      const hi = b === undefined ? lo : b === '' ? 65535 : num(b, 65535);
      if (lo === undefined || hi === undefined) return undefined;
      const { minLength: a0, maxLength: b0 } = PLAIN_PACKET;
      // all the plain lengths, or none of them; else it depends on the packet
      if (lo <= a0 && b0 <= hi) holds = true;
      else if (hi < a0 || b0 < lo) holds = false;
      break;
    }
    case 'dscp': {
      if (opt === '--dscp') {
        const n = num(arg, 63);
        if (n !== undefined) holds = n === PLAIN_PACKET.dscp;
      } else if (opt === '--dscp-class' && arg !== undefined && DSCP_CLASSES.has(arg.toLowerCase())) holds = DSCP_ZERO_CLASSES.has(arg.toLowerCase());
      break;
    }
    case 'tcpmss': {
      // xt_tcpmss: the SYN's MSS option within --mss min[:max] (a packet without the option: only `!` holds)
      if (opt !== '--mss' || arg === undefined) return undefined;
      const [a, b, extra] = arg.split(':');
      if (extra !== undefined) return undefined;
      const lo = num(a, 65535);
      const hi = b === undefined ? lo : num(b, 65535);
      if (lo === undefined || hi === undefined) return undefined;
      holds = lo <= PLAIN_PACKET.mss && PLAIN_PACKET.mss <= hi;
      break;
    }
    case 'tos': {
      if (opt !== '--tos' || arg === undefined) return undefined;
      const [v, m, extra] = arg.split('/');
      if (extra !== undefined) return undefined;
      const named = v !== undefined ? TOS_NAMES[v.toLowerCase()] : undefined;
      const value = named ?? num(v, 255);
      const mask = m === undefined ? (named !== undefined ? 0x3f : 0xff) : num(m, 255);
      if (value === undefined || mask === undefined) return undefined;
      holds = (PLAIN_PACKET.tos & mask) === (value & mask);
      break;
    }
  }
  return holds === undefined ? undefined : holds !== neg;
}
