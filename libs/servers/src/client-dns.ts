import { serverAddress } from '@wgfleet/wireguard';
import type { ServerEntity } from './server.entity.js';

export type ClientDnsServer = Pick<ServerEntity, 'dnsMode' | 'ipv4Subnet' | 'ipv6Subnet' | 'dns'>;

/**
 * The DNS a server imposes on every client: when it resolves over TLS, its own resolver on the
 * tunnel (the server's IPv4, and its IPv6 where it has a v6 subnet), whatever a user was created
 * with, since anything else would send the client's queries around the encrypted resolver. Null
 * when the server's DNS is plain: each client keeps its own, else the server's `dns`.
 */
export function forcedClientDns(server: ClientDnsServer): string[] | null {
  if (server.dnsMode !== 'tls') return null;
  return [serverAddress(server.ipv4Subnet), ...(server.ipv6Subnet === null ? [] : [serverAddress(server.ipv6Subnet)])];
}

/**
 * The one rule for a client config's `DNS =` line (downloads, QR codes, the WGDashboard API's peer
 * files) and for what the API says clients use: the server's own resolver when it resolves over
 * TLS, else the user's own DNS, else the server's.
 */
export function clientDnsOf(server: ClientDnsServer, ownDns: string[] | null = null): string[] {
  return forcedClientDns(server) ?? ownDns ?? server.dns;
}
