import { NO_HOOKS, type StoredHooks } from './configurations/raw-file.js';
import { dataUsage, isRunning, type PeerBytes } from './wgd-traffic.js';

/** What a configuration object (notes §1.8.1) is made of: one server on the key's node. */
export interface ConfigurationSource {
  interfaceName: string;
  privateKey: string;
  publicKey: string;
  /**
   * Upstream computes the public key only when it reads the configuration's file, which
   * addWireguardConfiguration writes without reading: `PublicKey` is `""` until the configuration is
   * first brought up. Never set for servers made through the portal.
   */
  publicKeyHidden?: boolean;
  /** The server's own addresses with their prefix: `10.8.0.1/24`. */
  addresses: string[];
  listenPort: number;
  /** See `configurationStatus`. */
  status: boolean;
  /** Stored, never run; empty for servers made through the portal. */
  hooks?: StoredHooks;
  peers: readonly PeerBytes[];
}

/**
 * Upstream's `Status` is "the interface exists on this machine". Ours follows the switch (toggle,
 * update) at once, since the push that makes the node match takes about a second and happens after
 * the answer: on, and the node has not refused or missed the last push.
 */
export function configurationStatus(server: { enabled: boolean; lastError: string | null }): boolean {
  return server.enabled && server.lastError === null;
}

/**
 * WGDashboard's configuration object for a server (`WireguardConfiguration.toJson`, notes §1.8.1):
 * `ListenPort` a string, addresses joined with ", ", `PublicKey` `""` while hidden, hooks as stored (never run: the control plane
 * renders NAT and forwarding itself), `SaveConfig` true, `Protocol` "wg".
 */
export function toWgdConfiguration(source: ConfigurationSource, now: Date): Record<string, unknown> {
  const hooks = source.hooks ?? NO_HOOKS;
  return {
    Status: source.status,
    Name: source.interfaceName,
    PrivateKey: source.privateKey,
    PublicKey: source.publicKeyHidden ? '' : source.publicKey,
    Address: source.addresses.join(', '),
    ListenPort: String(source.listenPort),
    PreUp: hooks.PreUp,
    PreDown: hooks.PreDown,
    PostUp: hooks.PostUp,
    PostDown: hooks.PostDown,
    SaveConfig: true,
    DataUsage: dataUsage(source.peers),
    ConnectedPeers: source.peers.filter((peer) => isRunning(peer, now)).length,
    TotalPeers: source.peers.length,
    Protocol: 'wg',
    Table: hooks.Table,
  };
}
