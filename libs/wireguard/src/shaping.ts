import { createHash } from 'node:crypto';
import { WireguardInputError } from './errors.js';
import { checkInteger, checkText } from './field-checks.js';
import { formatIp, tryParseIp, type IpVersion } from './ip-address.js';
import { isValidInterfaceName } from './validators.js';

// Per-user bandwidth limits on a node, as `tc -batch -` text (tc reads the commands from stdin: no
// shell ever parses them). Download (node → client) is shaped by destination address on the
// WireGuard interface's egress; upload (client → node) is redirected from the interface's ingress
// to an ifb device and shaped there by source address. Only HTB, u32 and mirred: the `police`
// action is not available on every node kernel.

export interface LimitedPeer {
  /** The peer's tunnel addresses: `10.8.0.2`, `10.8.0.2/32`, `fd42:66:1::2/128` (host addresses only). */
  addresses: string[];
  /** node → client, in kbit/s; null = unlimited. */
  downloadKbit: number | null;
  /** client → node, in kbit/s; null = unlimited. */
  uploadKbit: number | null;
}

export interface ShapingSet {
  interfaceName: string;
  peers: LimitedPeer[];
}

export interface IfbDevice {
  name: string;
  /** `ip -batch -` text that creates the device; it fails if the device exists, so run it only when `ip link show dev NAME` fails. */
  createBatch: string;
  /** `ip -batch -` text that brings the device up; idempotent, run it on every apply (traffic redirected to a down ifb is dropped). */
  upBatch: string;
}

/** Rates from 1 kbit/s to 10 Gbit/s (the API's 0.1–10000 Mbit/s fits). */
export const SHAPING_RATE_KBIT = Object.freeze({ min: 1, max: 10_000_000 });

/** Class minor 1 is the unlimited default class; peer i (0-based) gets minor i + 2, up to 0xffff. */
export const MAX_LIMITED_PEERS = 0xffff - 1;

/** What unmatched traffic is allowed (10 Gbit/s): above anything a userspace tunnel carries, so it is never shaped. */
const UNLIMITED_KBIT = SHAPING_RATE_KBIT.max;
/** 10 ms of traffic at the limit, never less than ~10 full-size packets: enough for TCP to reach the rate. */
const BURST_MS = 10;
const MIN_BURST_BYTES = 16_000;
/** Explicit, so HTB never derives one from the rate (and never logs "quantum is big/small"). */
const QUANTUM_BYTES = 1514;
const INGRESS_HANDLE = 'ffff:';
const PRIO_V4 = 1;
const PRIO_V6 = 2;

const IFB_PREFIX = 'ifb-';
const IFB_HASHED_PREFIX = 'ifb=';
const LINUX_IFNAMSIZ = 15;

/**
 * True for a name of the shaping ifb devices' form (`ifb-…`, `ifb=…`): a WireGuard interface named
 * like that would be some other interface's ifb (or its own), so servers may not take such names.
 */
export function isShapingDeviceName(name: string): boolean {
  return name.startsWith(IFB_PREFIX) || name.startsWith(IFB_HASHED_PREFIX);
}

function checkShapedInterface(interfaceName: unknown): string {
  if (!isValidInterfaceName(interfaceName)) {
    throw new WireguardInputError('interfaceName', 'interfaceName must be 1-15 letters, digits or _=.- and must not start with "-"');
  }
  const name = interfaceName as string;
  if (isShapingDeviceName(name)) {
    throw new WireguardInputError('interfaceName', `interfaceName must not start with "${IFB_PREFIX}" or "${IFB_HASHED_PREFIX}": those names are the shaping ifb devices`);
  }
  return name;
}

/**
 * The ifb device for an interface: `ifb-<iface>` when that fits Linux's 15 characters (iface ≤ 11),
 * else `ifb=` + the first 11 hex digits of SHA-256(iface). The two prefixes keep the forms apart (a
 * hashed name never equals a readable one), and WireGuard interfaces may not use either prefix.
 */
export function ifbDeviceName(interfaceName: string): string {
  const iface = checkShapedInterface(interfaceName);
  const readable = `${IFB_PREFIX}${iface}`;
  if (readable.length <= LINUX_IFNAMSIZ) return readable;
  const digest = createHash('sha256').update(iface, 'utf8').digest('hex');
  return `${IFB_HASHED_PREFIX}${digest.slice(0, LINUX_IFNAMSIZ - IFB_HASHED_PREFIX.length)}`;
}

export function ifbDevice(interfaceName: string): IfbDevice {
  const name = ifbDeviceName(interfaceName);
  return { name, createBatch: `link add name ${name} type ifb\n`, upBatch: `link set dev ${name} up\n` };
}

interface CheckedPeer {
  minor: number;
  v4: string[];
  v6: string[];
  downloadKbit: number | null;
  uploadKbit: number | null;
}

function checkRate(field: string, value: unknown): number | null {
  if (value === null) return null;
  return checkInteger(field, value, SHAPING_RATE_KBIT.min, SHAPING_RATE_KBIT.max);
}

/** A host address, canonical, with its full prefix: `10.8.0.2/32`, `fd42:66:1::2/128`. */
function checkHostAddress(field: string, value: unknown): { version: IpVersion; text: string } {
  const text = checkText(field, value);
  const slash = text.indexOf('/');
  const ip = tryParseIp(slash < 0 ? text : text.slice(0, slash));
  const fullPrefix = ip?.version === 6 ? '128' : '32';
  if (ip === null || (slash >= 0 && text.slice(slash + 1) !== fullPrefix)) {
    throw new WireguardInputError(field, `${field} must be one address (/32 or /128), such as 10.8.0.2/32 or fd42:66:1::2/128`);
  }
  return { version: ip.version, text: `${formatIp(ip)}/${fullPrefix}` };
}

function checkPeers(peers: unknown): CheckedPeer[] {
  if (!Array.isArray(peers)) throw new WireguardInputError('peers', 'peers must be an array');
  if (peers.length > MAX_LIMITED_PEERS) {
    throw new WireguardInputError('peers', `at most ${MAX_LIMITED_PEERS} limited peers per interface (one HTB class each)`);
  }
  const owners = new Map<string, number>();
  return peers.map((peer: LimitedPeer, index): CheckedPeer => {
    const field = `peers[${index}]`;
    if (typeof peer !== 'object' || peer === null) throw new WireguardInputError(field, `${field} must be an object`);
    if (!Array.isArray(peer.addresses) || peer.addresses.length === 0) {
      throw new WireguardInputError(`${field}.addresses`, `${field}.addresses must list at least one address`);
    }
    const checked: CheckedPeer = { minor: index + 2, v4: [], v6: [], downloadKbit: null, uploadKbit: null };
    peer.addresses.forEach((address, i) => {
      const { version, text } = checkHostAddress(`${field}.addresses[${i}]`, address);
      // A second filter for the same address would never match: the first one always wins.
      const owner = owners.get(text);
      if (owner !== undefined) {
        throw new WireguardInputError(`${field}.addresses[${i}]`, `peers[${owner}] and peers[${index}] both list ${text}; an address can be limited once`);
      }
      owners.set(text, index);
      (version === 4 ? checked.v4 : checked.v6).push(text);
    });
    checked.downloadKbit = checkRate(`${field}.downloadKbit`, peer.downloadKbit);
    checked.uploadKbit = checkRate(`${field}.uploadKbit`, peer.uploadKbit);
    return checked;
  });
}

/**
 * Removes one qdisc without ever failing: `replace` makes it exist (a fresh one, dropping the old
 * one's classes and filters), then `del` removes it. tc -batch stops at the first failing command,
 * and `-force` would go on but still exit 1 whenever a delete found nothing, hiding real failures;
 * this way every line must succeed and a non-zero exit always means something is wrong.
 */
function removeQdisc(dev: string, where: 'root' | 'ingress'): string[] {
  return where === 'root'
    ? [`qdisc replace dev ${dev} root pfifo`, `qdisc del dev ${dev} root`]
    : [`qdisc replace dev ${dev} ingress`, `qdisc del dev ${dev} ingress`];
}

const hex = (n: number) => n.toString(16);

const burstFor = (kbit: number) => Math.max(Math.ceil((kbit * BURST_MS) / 8), MIN_BURST_BYTES);

/** rate = ceil: the class never borrows (it has no parent class to borrow from anyway). */
function htbClass(dev: string, minor: number, kbit: number): string {
  const burst = burstFor(kbit);
  return `class add dev ${dev} parent 1: classid 1:${hex(minor)} htb rate ${kbit}kbit ceil ${kbit}kbit burst ${burst} cburst ${burst} quantum ${QUANTUM_BYTES}`;
}

/** HTB on `dev` with a class per peer limited in this direction; `match` is `dst` or `src`. */
function htbTree(dev: string, peers: CheckedPeer[], rateOf: (p: CheckedPeer) => number | null, match: 'dst' | 'src'): string[] {
  const limited = peers.filter((p) => rateOf(p) !== null);
  const lines = [`qdisc add dev ${dev} root handle 1: htb default 1`, htbClass(dev, 1, UNLIMITED_KBIT)];
  for (const p of limited) {
    lines.push(htbClass(dev, p.minor, rateOf(p)!));
  }
  for (const p of limited) {
    for (const a of p.v4) lines.push(`filter add dev ${dev} parent 1: protocol ip prio ${PRIO_V4} u32 match ip ${match} ${a} flowid 1:${hex(p.minor)}`);
  }
  for (const p of limited) {
    for (const a of p.v6) lines.push(`filter add dev ${dev} parent 1: protocol ipv6 prio ${PRIO_V6} u32 match ip6 ${match} ${a} flowid 1:${hex(p.minor)}`);
  }
  return lines;
}

/**
 * The whole shaping state of one interface as `tc -batch -` input, rebuilt from nothing on every
 * apply: the interface's ingress, the ifb's root and the interface's root are removed first (see
 * removeQdisc), then download HTB is added when some peer has a download limit, and ingress →
 * mirred → ifb HTB when some peer has an upload limit. No limited peer: only the removal, and the
 * ifb stays, idle (nothing is redirected to it). The ifb must exist (ifbDevice) before this runs.
 * Peer i gets class 1:(i+2) on both devices; class 1:1 takes all other traffic, unshaped.
 */
export function renderShapingBatch(set: ShapingSet): string {
  if (typeof set !== 'object' || set === null) throw new WireguardInputError('set', 'set must be an object');
  const iface = checkShapedInterface(set.interfaceName);
  const ifb = ifbDeviceName(iface);
  const peers = checkPeers(set.peers);
  const lines = [...removeQdisc(iface, 'ingress'), ...removeQdisc(ifb, 'root'), ...removeQdisc(iface, 'root')];
  // Appended line by line: spreading 65534 classes into push() would overflow the call stack.
  const append = (more: string[]) => {
    for (const line of more) lines.push(line);
  };
  if (peers.some((p) => p.downloadKbit !== null)) append(htbTree(iface, peers, (p) => p.downloadKbit, 'dst'));
  if (peers.some((p) => p.uploadKbit !== null)) {
    lines.push(`qdisc add dev ${iface} handle ${INGRESS_HANDLE} ingress`);
    for (const [protocol, prio] of [['ip', PRIO_V4], ['ipv6', PRIO_V6]] as const) {
      lines.push(`filter add dev ${iface} parent ${INGRESS_HANDLE} protocol ${protocol} prio ${prio} u32 match u32 0 0 action mirred egress redirect dev ${ifb}`);
    }
    append(htbTree(ifb, peers, (p) => p.uploadKbit, 'src'));
  }
  return `${lines.join('\n')}\n`;
}
