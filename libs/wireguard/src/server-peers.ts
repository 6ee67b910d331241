import { WireguardInputError } from './errors.js';
import { checkCidr, checkInteger, checkKey } from './field-checks.js';

export interface ServerPeer {
  publicKey: string;
  presharedKey: string | null;
  allowedIps: string[];
}

/** What `wg syncconf IF /dev/stdin` needs: wg(8) syntax, so no Address/DNS/MTU (those are wg-quick's). */
export interface ServerPeerSet {
  privateKey: string;
  listenPort: number;
  peers: ServerPeer[];
}

/** Peers in the given order; every value validated and written in canonical form. */
export function renderServerPeers(set: ServerPeerSet): string {
  if (typeof set !== 'object' || set === null) throw new WireguardInputError('set', 'set must be an object');
  const lines = [
    '[Interface]',
    `PrivateKey = ${checkKey('privateKey', set.privateKey)}`,
    `ListenPort = ${checkInteger('listenPort', set.listenPort, 1, 65535)}`,
  ];
  if (!Array.isArray(set.peers)) throw new WireguardInputError('peers', 'peers must be an array');
  const keyOwners = new Map<string, number>();
  const allowedIpOwners = new Map<string, number>();
  for (let index = 0; index < set.peers.length; index++) {
    const peer = set.peers[index];
    const field = `peers[${index}]`;
    if (typeof peer !== 'object' || peer === null) throw new WireguardInputError(field, `${field} must be an object`);
    const publicKey = checkKey(`${field}.publicKey`, peer.publicKey);
    claim(keyOwners, publicKey, index, `${field}.publicKey`, 'the public key');
    lines.push('', '[Peer]', `PublicKey = ${publicKey}`);
    if (peer.presharedKey !== null) lines.push(`PresharedKey = ${checkKey(`${field}.presharedKey`, peer.presharedKey)}`);
    const allowedIps = renderAllowedIps(peer.allowedIps, index, allowedIpOwners);
    if (allowedIps !== '') lines.push(`AllowedIPs = ${allowedIps}`);
  }
  return `${lines.join('\n')}\n`;
}

function renderAllowedIps(allowedIps: unknown, peerIndex: number, owners: Map<string, number>): string {
  const field = `peers[${peerIndex}].allowedIps`;
  if (!Array.isArray(allowedIps)) throw new WireguardInputError(field, `${field} must be an array`);
  const canonical = allowedIps.map((value: unknown, index) => {
    const cidr = checkCidr(`${field}[${index}]`, value);
    // WireGuard silently moves a duplicate AllowedIP to the later peer: one peer would take over another's traffic.
    claim(owners, cidr, peerIndex, `${field}[${index}]`, `allowed IP ${cidr}`);
    return cidr;
  });
  return canonical.join(', ');
}

function claim(owners: Map<string, number>, value: string, index: number, field: string, what: string): void {
  const owner = owners.get(value);
  if (owner === index) throw new WireguardInputError(field, `peers[${index}] lists ${what} twice`);
  if (owner !== undefined) throw new WireguardInputError(field, `peers[${owner}] and peers[${index}] both have ${what}; each must be unique`);
  owners.set(value, index);
}
