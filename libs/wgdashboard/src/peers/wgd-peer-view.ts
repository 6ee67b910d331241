import { pyFloat } from '../python-json.js';
import { isRunning, peerUsage, type PeerBytes } from '../wgd-traffic.js';

/** What the poller knows of a peer: its counters, endpoint, and whether any poll has seen it. */
export interface PeerObservation extends PeerBytes {
  endpoint: string | null;
  seen: boolean;
}

/** Everything a WGDashboard peer object (notes §1.8.2) is made of, already in upstream's spelling. */
export interface WgdPeerSource {
  publicKey: string;
  name: string;
  /** `""` when wgfleet keeps no private key (the client brought its own). */
  privateKey: string;
  presharedKey: string;
  allowedIp: string;
  dns: string;
  endpointAllowedIp: string;
  mtu: number;
  keepalive: number;
  remoteEndpoint: string;
  restricted: boolean;
  /**
   * Off the node by its plan (disabled, expired, over a `block` data limit): stopped like a
   * restricted peer, but listed with the others, since only its plan (the portal's routes) brings it back.
   */
  blocked: boolean;
  observation: PeerObservation;
  shareLinks: unknown[];
  jobs: unknown[];
}

/**
 * Upstream's peer object (`Peer.toJson`): its fields, the whole configuration object embedded,
 * traffic in GiB floats, `status` running when a handshake is under two minutes old.
 */
export function toWgdPeer(peer: WgdPeerSource, configuration: Record<string, unknown>, now: Date): Record<string, unknown> {
  const usage = peerUsage(peer.observation);
  return {
    DNS: peer.dns,
    ShareLink: peer.shareLinks,
    allowed_ip: peer.allowedIp,
    configuration,
    cumu_data: pyFloat(usage.cumu_data),
    cumu_receive: pyFloat(usage.cumu_receive),
    cumu_sent: pyFloat(usage.cumu_sent),
    endpoint: peer.observation.seen ? (peer.observation.endpoint ?? '(none)') : 'N/A',
    endpoint_allowed_ip: peer.endpointAllowedIp,
    id: peer.publicKey,
    jobs: peer.jobs,
    keepalive: peer.keepalive,
    latest_handshake: handshakeText(peer.observation, now),
    mtu: peer.mtu,
    name: peer.name,
    preshared_key: peer.presharedKey,
    private_key: peer.privateKey,
    remote_endpoint: peer.remoteEndpoint,
    // A restricted peer is off the node: upstream marks it stopped when it restricts it. So is a blocked one.
    status: !peer.restricted && !peer.blocked && isRunning(peer.observation, now) ? 'running' : 'stopped',
    total_data: pyFloat(usage.total_data),
    total_receive: pyFloat(usage.total_receive),
    total_sent: pyFloat(usage.total_sent),
  };
}

/** `N/A` before any poll saw the peer, `No Handshake` without one, else Python's `str(timedelta)` to the second. */
export function handshakeText(observation: Pick<PeerObservation, 'seen' | 'latestHandshakeAt'>, now: Date): string {
  if (!observation.seen) return 'N/A';
  const at = observation.latestHandshakeAt;
  if (at === null || at.getTime() <= 0) return 'No Handshake';
  return pythonTimedelta(Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000)));
}

/** `0:01:23`, `1 day, 2:03:04`, `3 days, 0:00:05`. */
export function pythonTimedelta(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86400);
  const rest = totalSeconds % 86400;
  const clock = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days === 0 ? clock : `${days} day${days === 1 ? '' : 's'}, ${clock}`;
}
