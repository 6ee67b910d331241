import { dataUsage, isRunning, type PeerBytes } from './wgd-traffic.js';

/** What a configuration object (notes §1.8.1) is made of: one server on the key's node. */
export interface ConfigurationSource {
  interfaceName: string;
  privateKey: string;
  publicKey: string;
  /** The server's own addresses with their prefix, IPv4 first: `10.8.0.1/24`. */
  addresses: string[];
  listenPort: number;
  interfaceUp: boolean;
  peers: readonly PeerBytes[];
}

/**
 * WGDashboard's configuration object for a server (`WireguardConfiguration.toJson`, notes §1.8.1):
 * `ListenPort` a string, addresses joined with ", ", hooks empty (the control plane renders NAT and
 * forwarding itself), `SaveConfig` true, `Protocol` "wg".
 */
export function toWgdConfiguration(source: ConfigurationSource, now: Date): Record<string, unknown> {
  return {
    Status: source.interfaceUp,
    Name: source.interfaceName,
    PrivateKey: source.privateKey,
    PublicKey: source.publicKey,
    Address: source.addresses.join(', '),
    ListenPort: String(source.listenPort),
    PreUp: '',
    PreDown: '',
    PostUp: '',
    PostDown: '',
    SaveConfig: true,
    DataUsage: dataUsage(source.peers),
    ConnectedPeers: source.peers.filter((peer) => isRunning(peer, now)).length,
    TotalPeers: source.peers.length,
    Protocol: 'wg',
    Table: '',
  };
}
