import { pyFloat, type PyFloat } from './python-json.js';

const GIB = 1024 ** 3;

/** Upstream's `running`: a handshake less than two minutes ago (its peer `status`). */
export const RUNNING_WITHIN_MS = 2 * 60 * 1000;

/** One peer's counters in bytes: the node's now, and the total across interface restarts. */
export interface PeerBytes {
  rxRaw: number;
  txRaw: number;
  rxTotal: number;
  txTotal: number;
  latestHandshakeAt: Date | null;
}

/**
 * A peer's traffic the way WGDashboard keeps it, in GiB floats: `total_*` is what the interface
 * counts now, `cumu_*` what earlier runs of the interface counted (upstream folds the totals into
 * `cumu_*` when the counters restart; the poller keeps the same split in bytes).
 */
export interface WgdPeerUsage {
  total_receive: number;
  total_sent: number;
  total_data: number;
  cumu_receive: number;
  cumu_sent: number;
  cumu_data: number;
}

export function peerUsage(peer: PeerBytes): WgdPeerUsage {
  const total_receive = peer.rxRaw / GIB;
  const total_sent = peer.txRaw / GIB;
  const cumu_receive = (peer.rxTotal - peer.rxRaw) / GIB;
  const cumu_sent = (peer.txTotal - peer.txRaw) / GIB;
  // The same additions, in the same order, as upstream's: float sums are order-sensitive.
  return { total_receive, total_sent, total_data: total_receive + total_sent, cumu_receive, cumu_sent, cumu_data: cumu_sent + cumu_receive };
}

export function isRunning(peer: PeerBytes, now: Date): boolean {
  return peer.latestHandshakeAt !== null && peer.latestHandshakeAt.getTime() > 0 && now.getTime() - peer.latestHandshakeAt.getTime() < RUNNING_WITHIN_MS;
}

/**
 * A configuration's `DataUsage`: Python's `sum()` over its peers, which is the int 0 when there are
 * none and a float otherwise (`0.0` included).
 */
export function dataUsage(peers: readonly PeerBytes[]): { Total: number | PyFloat; Sent: number | PyFloat; Receive: number | PyFloat } {
  if (peers.length === 0) return { Total: 0, Sent: 0, Receive: 0 };
  let total = 0;
  let sent = 0;
  let receive = 0;
  for (const usage of peers.map(peerUsage)) {
    total += usage.cumu_data + usage.total_data;
    sent += usage.cumu_sent + usage.total_sent;
    receive += usage.cumu_receive + usage.total_receive;
  }
  return { Total: pyFloat(total), Sent: pyFloat(sent), Receive: pyFloat(receive) };
}
