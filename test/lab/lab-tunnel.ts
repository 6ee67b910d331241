import { allocateAddress, renderClientConfig } from '@wgfleet/wireguard';
import type { LabNode } from './lab.js';

/** The lowest free host address of `subnet` (after the server's own), without its prefix. */
export function firstFreeHost(subnet: string, taken: string[] = []): string {
  const result = allocateAddress(subnet, taken);
  if (!result.ok) throw new Error(result.message);
  return result.address.split('/')[0]!;
}

export interface LabTunnelClient {
  privateKey: string;
  v4: string;
  v6: string;
  presharedKey?: string | null;
}

/**
 * A lab client's wg-quick file: its /32 and /128, the node's interface (reached on the client link)
 * as its one peer, routing the server's subnets through the tunnel.
 */
export function labClientConfig(node: LabNode, server: { publicKey: string; listenPort: number; subnets: string[] }, client: LabTunnelClient): string {
  return renderClientConfig({
    privateKey: client.privateKey,
    addresses: [`${client.v4}/32`, `${client.v6}/128`],
    dns: [],
    mtu: null,
    peer: {
      publicKey: server.publicKey,
      presharedKey: client.presharedKey ?? null,
      endpoint: `${node.clientLinkIp}:${server.listenPort}`,
      allowedIps: server.subnets,
      persistentKeepalive: 25,
    },
  });
}
