import { checkInteger, checkInterfaceAddress, checkKey, checkLine, MTU_RANGE, parseCidr, WireguardInputError } from '@wgfleet/wireguard';
import type { Checked } from './configuration-fields.js';

/** The hooks and routing table a configuration stores but never runs (our decision 5). */
export interface StoredHooks {
  PreUp: string;
  PreDown: string;
  PostUp: string;
  PostDown: string;
  Table: string;
}

export const NO_HOOKS: StoredHooks = { PreUp: '', PreDown: '', PostUp: '', PostDown: '', Table: '' };

export interface ServerFileSource {
  privateKey: string;
  /** With their prefix, IPv4 first: `10.0.20.1/24`. */
  addresses: string[];
  listenPort: number;
  mtu: number | null;
  hooks: StoredHooks;
  /**
   * The [Peer] sections as the node gets them (`renderServerPeers` output from its first `[Peer]`
   * on, `wg showconf` form), or '' without peers.
   */
  peerSections: string;
}

/**
 * The configuration's wg-quick file as WGDashboard shows it (`/etc/wireguard/<Name>.conf`). Upstream's
 * file has two layouts, both reproduced: as `addWireguardConfiguration` writes it (no peers yet), and
 * as `wg-quick save` rewrites it once peers were added (addresses one per line, hooks, then `wg
 * showconf`: ListenPort, PrivateKey and the peers).
 */
export function renderServerFile(given: ServerFileSource): string {
  const source = checkedSource(given);
  const { hooks } = source;
  if (source.peerSections === '') {
    return [
      '[Interface]',
      `PrivateKey = ${source.privateKey}`,
      `Address = ${source.addresses.join(', ')}`,
      ...(source.mtu === null ? [] : [`MTU = ${source.mtu}`]),
      `ListenPort = ${source.listenPort}`,
      `PreUp = ${hooks.PreUp}`,
      `PreDown = ${hooks.PreDown}`,
      `PostUp = ${hooks.PostUp}`,
      `PostDown = ${hooks.PostDown}`,
      ...(hooks.Table === '' ? [] : [`Table = ${hooks.Table}`]),
      'SaveConfig = true',
      '',
      '',
    ].join('\n');
  }
  return [
    '[Interface]',
    ...source.addresses.map((address) => `Address = ${address}`),
    ...(source.mtu === null ? [] : [`MTU = ${source.mtu}`]),
    ...(hooks.Table === '' ? [] : [`Table = ${hooks.Table}`]),
    'SaveConfig = true',
    `PreUp = ${hooks.PreUp}`,
    `PostUp = ${hooks.PostUp}`,
    `PreDown = ${hooks.PreDown}`,
    `PostDown = ${hooks.PostDown}`,
    `ListenPort = ${source.listenPort}`,
    `PrivateKey = ${source.privateKey}`,
    '',
    source.peerSections.endsWith('\n') ? source.peerSections : `${source.peerSections}\n`,
  ].join('\n');
}

/**
 * Every value checked before it is written, whoever calls: keys and addresses canonical, numbers in
 * range, hooks and peer lines one line each (a line break in a stored hook would add a directive
 * to a file wg-quick runs as root; `#` stays allowed in a hook, as wg-quick reads it as a comment).
 */
function checkedSource(source: ServerFileSource): ServerFileSource {
  const hooks = Object.fromEntries(HOOK_NAMES.map((name) => [name, checkLine(name, source.hooks[name])])) as unknown as StoredHooks;
  if (typeof source.peerSections !== 'string') throw new WireguardInputError('peerSections', 'peerSections must be text');
  source.peerSections.split('\n').forEach((line, index) => {
    const field = `peerSections line ${index + 1}`;
    if (!PEER_SECTION_LINE.test(checkLine(field, line))) throw new WireguardInputError(field, `${field} must be [Peer], a wg(8) peer setting or empty`);
  });
  return {
    privateKey: checkKey('PrivateKey', source.privateKey),
    addresses: source.addresses.map((address, index) => checkInterfaceAddress(`Address[${index}]`, address)),
    listenPort: checkInteger('ListenPort', source.listenPort, 1, 65535),
    mtu: source.mtu === null ? null : checkInteger('MTU', source.mtu, MTU_RANGE.min, MTU_RANGE.max),
    hooks,
    peerSections: source.peerSections,
  };
}

/** What `renderServerPeers` writes from its first [Peer] on (wg showconf adds Endpoint and PersistentKeepalive). */
const PEER_SECTION_LINE = /^(|\[Peer\]|(PublicKey|PresharedKey|AllowedIPs|Endpoint|PersistentKeepalive) = [^#]*)$/;

const HOOK_NAMES = ['PreUp', 'PreDown', 'PostUp', 'PostDown', 'Table'] as const satisfies ReadonlyArray<keyof StoredHooks>;

/** A wg-quick file read into its sections: keys lower-cased, values of repeated keys in order. */
export interface WgQuickSections {
  iface: Map<string, string[]>;
  peers: Array<Map<string, string[]>>;
}

const INTERFACE_KEYS = new Set(['privatekey', 'address', 'listenport', 'mtu', 'table', 'saveconfig', 'preup', 'postup', 'predown', 'postdown']);
// Endpoint is what the node learned from the client (wg showconf prints it): accepted, not compared.
const PEER_KEYS = new Set(['publickey', 'presharedkey', 'allowedips', 'endpoint']);

/**
 * Reads a wg-quick file the way wg-quick does (`#` starts a comment anywhere, keys are
 * case-insensitive, `[Interface]` once, any number of `[Peer]`). Only what a wgfleet server can hold
 * is accepted; the message names the line and key, never quotes a value (it may be a key).
 */
export function readWgQuickFile(text: string): Checked<WgQuickSections> {
  let iface: Map<string, string[]> | null = null;
  const peers: Array<Map<string, string[]>> = [];
  let current: { name: 'Interface' | 'Peer'; values: Map<string, string[]> } | null = null;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const number = index + 1;
    const line = lines[index]!.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('[')) {
      const name = line.toLowerCase();
      if (name === '[interface]') {
        if (iface !== null) return failed(`line ${number}: a second [Interface] section; a configuration has one`);
        current = { name: 'Interface', values: (iface = new Map()) };
      } else if (name === '[peer]') {
        const values = new Map<string, string[]>();
        peers.push(values);
        current = { name: 'Peer', values };
      } else {
        return failed(`line ${number}: unknown section; use [Interface] and [Peer]`);
      }
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0) return failed(`line ${number}: expected "Key = value" or a [Section] header`);
    if (current === null) return failed(`line ${number}: a setting before any section; start with [Interface]`);
    const key = line.slice(0, equals).trim();
    const known = current.name === 'Interface' ? INTERFACE_KEYS : PEER_KEYS;
    if (!known.has(key.toLowerCase())) return failed(`line ${number}: ${key} is not supported in [${current.name}] here`);
    const values = current.values.get(key.toLowerCase()) ?? [];
    values.push(line.slice(equals + 1).trim());
    current.values.set(key.toLowerCase(), values);
  }
  if (iface === null) return failed('the file has no [Interface] section');
  return { ok: true, value: { iface, peers } };
}

function failed<T>(message: string): Checked<T> {
  return { ok: false, message: `Invalid configuration file: ${message}` };
}

/** What the [Interface] section asks for, as text still to be checked field by field. */
export interface InterfaceSettings {
  privateKey: string | undefined;
  /** Repeated `Address` lines joined with ", " (upstream's Address). */
  address: string | undefined;
  listenPort: string | undefined;
  mtu: string | undefined;
  hooks: StoredHooks;
}

/** Single-valued keys must appear once; hooks repeat and join with "; " (upstream 4.2.3+). */
export function interfaceSettings(iface: Map<string, string[]>): Checked<InterfaceSettings> {
  for (const key of ['privatekey', 'listenport', 'mtu', 'table']) {
    if ((iface.get(key)?.length ?? 0) > 1) return failed(`${key} is set twice in [Interface]`);
  }
  const joined = (key: string) => (iface.get(key) ?? []).join('; ');
  const address = iface.get('address');
  return {
    ok: true,
    value: {
      privateKey: iface.get('privatekey')?.[0],
      address: address === undefined ? undefined : address.join(', '),
      listenPort: iface.get('listenport')?.[0],
      mtu: iface.get('mtu')?.[0],
      hooks: { PreUp: joined('preup'), PreDown: joined('predown'), PostUp: joined('postup'), PostDown: joined('postdown'), Table: iface.get('table')?.[0] ?? '' },
    },
  };
}

/** A peer as compared: its key, preshared key, and AllowedIPs as canonical networks, sorted. */
export interface PeerIdentity {
  publicKey: string;
  presharedKey: string | null;
  allowedIps: string[];
}

export function peerIdentities(peers: Array<Map<string, string[]>>): Checked<PeerIdentity[]> {
  const result: PeerIdentity[] = [];
  for (const [index, peer] of peers.entries()) {
    const publicKeys = peer.get('publickey') ?? [];
    if (publicKeys.length !== 1) return failed(`[Peer] number ${index + 1} needs exactly one PublicKey`);
    if ((peer.get('presharedkey')?.length ?? 0) > 1) return failed(`[Peer] number ${index + 1} has PresharedKey twice`);
    const allowedIps: string[] = [];
    for (const item of (peer.get('allowedips') ?? []).flatMap((value) => value.split(','))) {
      const text = item.trim();
      if (text === '') continue;
      try {
        allowedIps.push(parseCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`, 'AllowedIPs').text);
      } catch {
        return failed(`[Peer] number ${index + 1} has an AllowedIPs entry that is not a network`);
      }
    }
    result.push({ publicKey: publicKeys[0]!, presharedKey: peer.get('presharedkey')?.[0] ?? null, allowedIps: allowedIps.sort() });
  }
  return { ok: true, value: result };
}

/**
 * Peers are managed by addPeers/deletePeers/updatePeerSettings, so a raw file must list exactly the
 * configuration's current peers. The message names the first difference.
 */
export function peerSetDifference(current: readonly PeerIdentity[], given: readonly PeerIdentity[]): string | null {
  const byKey = new Map(current.map((peer) => [peer.publicKey, peer]));
  const seen = new Set<string>();
  const advice = "the [Peer] sections must be the configuration's current peers (add, change and delete peers with addPeers, updatePeerSettings and deletePeers)";
  for (const peer of given) {
    const mine = byKey.get(peer.publicKey);
    if (seen.has(peer.publicKey)) return `Peer ${peer.publicKey} is listed twice: ${advice}`;
    seen.add(peer.publicKey);
    if (!mine) return `Peer ${peer.publicKey} is not a peer of this configuration: ${advice}`;
    if (mine.presharedKey !== peer.presharedKey) return `Peer ${peer.publicKey} has another PresharedKey: ${advice}`;
    if (mine.allowedIps.join(',') !== peer.allowedIps.join(',')) return `Peer ${peer.publicKey} has other AllowedIPs: ${advice}`;
  }
  const missing = current.find((peer) => !seen.has(peer.publicKey));
  return missing ? `Peer ${missing.publicKey} is missing: ${advice}` : null;
}
