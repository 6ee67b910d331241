import { checkDnsText, checkEndpointHost, checkNetworkText, WireguardInputError } from '@wgfleet/wireguard';

/**
 * The one check of what a WGDashboard peer keeps as typed and its file writes as it is (DNS,
 * endpoint_allowed_ip, the remote endpoint): the renderer's own checks (`renderWgdashboardPeerFile`),
 * asked before anything is stored, on every path that stores one (addPeers single and bulk,
 * updatePeerSettings, the Peers settings that give the defaults, backup restore). Messages are
 * upstream's where upstream has one for the field.
 */
export const DNS_FORMAT_INCORRECT = 'DNS format is incorrect';
export const ENDPOINT_ALLOWED_IPS_INCORRECT = 'Endpoint Allowed IPs format is incorrect';

/** Whether `check` takes the value (a renderer check that throws WireguardInputError). */
export function passes(check: (field: string, value: unknown) => string, value: unknown): boolean {
  try {
    check('value', value);
    return true;
  } catch (error) {
    if (error instanceof WireguardInputError) return false;
    throw error;
  }
}

export const isDnsText = (value: unknown): boolean => passes(checkDnsText, value);
export const isNetworkText = (value: unknown): boolean => passes(checkNetworkText, value);
export const isEndpointHost = (value: unknown): boolean => passes(checkEndpointHost, value);

/** What a peer's file will hold besides its keys and addresses, as stored in `wgd_peer`. */
export interface PeerFileFields {
  dns: string;
  endpointAllowedIp: string;
  mtu: number;
  remoteEndpoint: string;
}

/** Upstream's message for the first field a client file could not hold, or null. */
export function peerFileFieldsProblem(fields: PeerFileFields): string | null {
  if (!isDnsText(fields.dns)) return DNS_FORMAT_INCORRECT;
  if (!isNetworkText(fields.endpointAllowedIp)) return ENDPOINT_ALLOWED_IPS_INCORRECT;
  if (!Number.isInteger(fields.mtu) || fields.mtu < 0 || fields.mtu > 65535) return 'MTU format is not correct';
  if (!isEndpointHost(fields.remoteEndpoint)) return `${fields.remoteEndpoint} is not a valid remote endpoint: send an IP address or a host name`;
  return null;
}
