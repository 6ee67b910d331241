import { WireguardInputError } from './errors.js';
import { checkInteger, checkKey } from './field-checks.js';
import { checkDnsText, checkEndpointHost, checkNetworkText } from './typed-lists.js';

/** What WGDashboard's downloadable peer file is made of (notes §2.27), its texts as WGDashboard keeps them. */
export interface WgdashboardPeerFile {
  /** '' when no private key is kept: upstream writes `PrivateKey = ` then. */
  privateKey: string;
  /** The peer's `allowed_ip`: `10.0.0.2/32` or `10.0.0.2/32, fd42::2/128`. */
  allowedIp: string;
  mtu: number;
  /** As typed; '' leaves the DNS line out. */
  dns: string;
  serverPublicKey: string;
  /** The client's AllowedIPs, as typed. */
  endpointAllowedIp: string;
  /** The host of `Endpoint = host:port` (upstream writes an IPv6 host unbracketed, and so does this). */
  remoteEndpoint: string;
  listenPort: number;
  keepalive: number;
  /** '' leaves the PresharedKey line out. */
  presharedKey: string;
}

/**
 * The file upstream renders for a peer, byte for byte: every line ends with `\n`; DNS and
 * PresharedKey only when set. Every value is checked first (keys, numbers, typed lists), whoever
 * calls: a value with a line break, a `#` or anything else that is not what its line holds throws
 * a WireguardInputError naming the field, so no caller can add a line to a client's file.
 */
export function renderWgdashboardPeerFile(peer: WgdashboardPeerFile): string {
  if (typeof peer !== 'object' || peer === null) throw new WireguardInputError('peer', 'peer must be an object');
  const privateKey = peer.privateKey === '' ? '' : checkKey('private_key', peer.privateKey);
  const dns = checkDnsText('DNS', peer.dns);
  const presharedKey = peer.presharedKey === '' ? '' : checkKey('preshared_key', peer.presharedKey);
  const lines = [
    '[Interface]',
    `PrivateKey = ${privateKey}`,
    `Address = ${checkNetworkText('allowed_ip', peer.allowedIp)}`,
    `MTU = ${checkInteger('mtu', peer.mtu, 0, 65535)}`,
    ...(dns === '' ? [] : [`DNS = ${dns}`]),
    '',
    '[Peer]',
    `PublicKey = ${checkKey('server PublicKey', peer.serverPublicKey)}`,
    `AllowedIPs = ${checkNetworkText('endpoint_allowed_ip', peer.endpointAllowedIp)}`,
    `Endpoint = ${checkEndpointHost('remote_endpoint', peer.remoteEndpoint)}:${checkInteger('ListenPort', peer.listenPort, 1, 65535)}`,
    `PersistentKeepalive = ${checkInteger('keepalive', peer.keepalive, 0, 65535)}`,
    ...(presharedKey === '' ? [] : [`PresharedKey = ${presharedKey}`]),
  ];
  return lines.map((line) => `${line}\n`).join('');
}
