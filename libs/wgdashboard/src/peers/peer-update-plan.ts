import { ADDRESS_BITS, isValidKey, publicKeyFromPrivate } from '@wgfleet/wireguard';
import type { PeerSettingsChange } from './wgd-peer-actions.service.js';
import { NEEDS_IPV4 } from './add-peers-plan.js';
import { DNS_FORMAT_INCORRECT, ENDPOINT_ALLOWED_IPS_INCORRECT, isDnsText, isNetworkText } from './peer-file-fields.js';
import { poolContains, tryParseNetwork, type AddressPool } from './available-ips.js';

/** The body keys updatePeerSettings needs besides `id` (upstream raises KeyError → 500 without one). */
export const PEER_SETTINGS_KEYS = ['name', 'private_key', 'DNS', 'allowed_ip', 'endpoint_allowed_ip', 'preshared_key', 'mtu', 'keepalive'] as const;

export type PeerUpdatePlan = { ok: true; change: PeerSettingsChange } | { ok: false; message: string };

export interface PeerUpdateContext {
  publicKey: string;
  pools: AddressPool[];
  /** The `allowed_ip` of every other active peer of the configuration. */
  otherAllowedIps: string[];
}

/**
 * updatePeerSettings' checks in upstream's order (notes §2.18), then what wgfleet checks before a
 * value goes anywhere: upstream hands `allowed_ip` to a shell (CVE-2026-15733) and never checks DNS.
 */
export function planPeerUpdate(body: Record<string, unknown>, context: PeerUpdateContext): PeerUpdatePlan {
  const { name, private_key: privateKey, DNS: dns, allowed_ip: allowedIp, endpoint_allowed_ip: endpointAllowedIp, preshared_key: presharedKey, mtu, keepalive } = body;
  if (typeof allowedIp !== 'string' || typeof endpointAllowedIp !== 'string' || typeof dns !== 'string') return fail('Please provide allowed_ip, endpoint_allowed_ip and DNS as text');
  if (typeof name !== 'string' || typeof privateKey !== 'string' || typeof presharedKey !== 'string') return fail('Please provide name, private_key and preshared_key as text');

  const taken = context.otherAllowedIps.flatMap((other) => other.split(',').map((item) => item.trim()));
  if (taken.includes(allowedIp)) return fail('Allowed IP already taken by another peer');
  // Upstream's strict networks, then what the peer's file can hold (the text is stored and written as typed).
  if (!endpointAllowedIp.replaceAll(' ', '').split(',').every((item) => tryParseNetwork(item) !== null) || !isNetworkText(endpointAllowedIp)) {
    return fail(ENDPOINT_ALLOWED_IPS_INCORRECT);
  }
  // Upstream's DNS check never fails (its validator returns a tuple, always truthy) and stores
  // `not a dns`; this one refuses whatever a client file cannot hold, and the old value stays.
  if (!isDnsText(dns)) return fail(DNS_FORMAT_INCORRECT);
  if (!Number.isInteger(mtu) || (mtu as number) < 0 || (mtu as number) > 1460) return fail('MTU format is not correct');
  if (!Number.isInteger(keepalive) || (keepalive as number) < 0 || (keepalive as number) > 65535) return fail('Persistent Keepalive format is not correct');
  if (privateKey.length > 0 && (!isValidKey(privateKey) || publicKeyFromPrivate(privateKey) !== context.publicKey)) {
    return fail('Private key does not match with the public key');
  }
  if (presharedKey.length > 0 && !isValidKey(presharedKey)) return fail('Please provide a valid preshared key (32 bytes, base64) or an empty one');

  const addresses = splitAddresses(allowedIp, context.pools);
  if (!addresses.ok) return addresses;
  return {
    ok: true,
    change: {
      name,
      privateKey: privateKey === '' ? null : privateKey,
      presharedKey: presharedKey === '' ? null : presharedKey,
      ...addresses.split,
      dns,
      endpointAllowedIp,
      mtu: mtu as number,
      keepalive: keepalive as number,
    },
  };
}

/**
 * `allowed_ip` as the peer's own addresses and routed networks: the first /32 (and /128) inside the
 * configuration's subnets are its addresses. Upstream's answer when `wg set` refuses the text.
 */
function splitAddresses(
  allowedIp: string,
  pools: AddressPool[],
): { ok: true; split: Pick<PeerSettingsChange, 'ipv4' | 'ipv6' | 'routedIps'> } | { ok: false; message: string } {
  let ipv4: string | null = null;
  let ipv6: string | null = null;
  const routedIps: string[] = [];
  for (const item of allowedIp.replaceAll(' ', '').split(',')) {
    const network = tryParseNetwork(item);
    if (network === null) return fail('Update peer failed when updating Allowed IPs');
    const host = network.prefix === ADDRESS_BITS[network.version];
    const inside = pools.some((pool) => poolContains(pool, network));
    const address = network.text.slice(0, network.text.indexOf('/'));
    if (host && inside && network.version === 4 && ipv4 === null) ipv4 = address;
    else if (host && inside && network.version === 6 && ipv6 === null) ipv6 = address;
    else routedIps.push(network.text);
  }
  if (ipv4 === null) return fail(NEEDS_IPV4);
  return { ok: true, split: { ipv4, ipv6, routedIps } };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
