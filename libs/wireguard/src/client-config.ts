import { WireguardInputError } from './errors.js';
import {
  checkCidr,
  checkDnsEntry,
  checkEndpoint,
  checkInteger,
  checkInterfaceAddress,
  checkKey,
  checkList,
} from './field-checks.js';

export interface ClientPeer {
  publicKey: string;
  presharedKey: string | null;
  endpoint: string;
  allowedIps: string[];
  persistentKeepalive: number | null;
}

/** A wg-quick client config with exactly one peer (the server). */
export interface ClientConfig {
  /** null renders the placeholder, for configs whose key only the user holds. */
  privateKey: string | null;
  addresses: string[];
  dns: string[];
  mtu: number | null;
  peer: ClientPeer;
}

export const PRIVATE_KEY_PLACEHOLDER = '<insert your private key>';

export const MTU_RANGE = { min: 576, max: 65535 } as const;

export function renderClientConfig(config: ClientConfig): string {
  const { privateKey, addresses, dns, mtu, peer } = normalizeClientConfig(config);
  const lines = ['[Interface]', `PrivateKey = ${privateKey ?? PRIVATE_KEY_PLACEHOLDER}`, `Address = ${addresses.join(', ')}`];
  if (dns.length > 0) lines.push(`DNS = ${dns.join(', ')}`);
  if (mtu !== null) lines.push(`MTU = ${mtu}`);
  lines.push('', '[Peer]', `PublicKey = ${peer.publicKey}`);
  if (peer.presharedKey !== null) lines.push(`PresharedKey = ${peer.presharedKey}`);
  lines.push(`Endpoint = ${peer.endpoint}`, `AllowedIPs = ${peer.allowedIps.join(', ')}`);
  if (peer.persistentKeepalive !== null) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`);
  return `${lines.join('\n')}\n`;
}

/** Validates every field and returns the config with canonical values (keepalive 0 becomes null). */
export function normalizeClientConfig(config: ClientConfig): ClientConfig {
  if (typeof config !== 'object' || config === null) throw new WireguardInputError('config', 'config must be an object');
  const peer: unknown = config.peer;
  if (typeof peer !== 'object' || peer === null) throw new WireguardInputError('peer', 'peer must be an object');
  const { publicKey, presharedKey, endpoint, allowedIps, persistentKeepalive } = peer as ClientPeer;
  return {
    privateKey: config.privateKey === null ? null : checkKey('privateKey', config.privateKey),
    addresses: checkList('addresses', config.addresses, checkInterfaceAddress, { minLength: 1 }),
    dns: checkList('dns', config.dns, checkDnsEntry, { minLength: 0 }),
    mtu: config.mtu === null ? null : checkInteger('mtu', config.mtu, MTU_RANGE.min, MTU_RANGE.max),
    peer: {
      publicKey: checkKey('peer.publicKey', publicKey),
      presharedKey: presharedKey === null ? null : checkKey('peer.presharedKey', presharedKey),
      endpoint: checkEndpoint('peer.endpoint', endpoint),
      allowedIps: checkList('peer.allowedIps', allowedIps, (field, value) => checkCidr(field, value), { minLength: 1 }),
      persistentKeepalive: normalizeKeepalive(persistentKeepalive),
    },
  };
}

function normalizeKeepalive(value: number | null): number | null {
  if (value === null) return null;
  const seconds = checkInteger('peer.persistentKeepalive', value, 0, 65535);
  return seconds === 0 ? null : seconds;
}
