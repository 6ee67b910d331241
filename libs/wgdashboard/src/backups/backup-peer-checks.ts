import { checkDnsEntry, isValidCidr, isValidKey } from '@wgfleet/wireguard';
import { passes, peerFileFieldsProblem } from '../peers/peer-file-fields.js';
import type { BackupPeer } from './backup-snapshot.js';

/**
 * Why a backup's peers cannot be restored, or null: a restore writes them back as new peers, so they
 * pass what addPeers checks (keys, what their file holds). A backup made before these checks may
 * hold a value such as a DNS with a line break: it is refused, naming the peer, not written back.
 * The server's own key and a taken address are refused by the peers module as for any new peer.
 */
export function backupPeersProblem(peers: readonly BackupPeer[]): string | null {
  for (const peer of peers.filter((each) => !each.tenant)) {
    const problem = peerProblem(peer);
    if (problem !== null) return `peer ${isValidKey(peer.publicKey) ? peer.publicKey : JSON.stringify(peer.name)}: ${problem}`;
  }
  return null;
}

function peerProblem(peer: BackupPeer): string | null {
  if (!isValidKey(peer.publicKey)) return 'its public key is not a WireGuard key';
  if (peer.privateKey !== null && !isValidKey(peer.privateKey)) return 'its private key is not a WireGuard key';
  if (peer.presharedKey !== null && !isValidKey(peer.presharedKey)) return 'its preshared key is not a WireGuard key';
  if (!Number.isInteger(peer.persistentKeepalive) || peer.persistentKeepalive < 0 || peer.persistentKeepalive > 65535) return 'Persistent Keepalive format is not correct';
  if ((peer.dns ?? []).some((entry) => !passes(checkDnsEntry, entry))) return 'DNS format is incorrect';
  if (peer.allowedIps.some((network) => !isValidCidr(network))) return 'Endpoint Allowed IPs format is incorrect';
  return peerFileFieldsProblem(peer.wgd);
}
