import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest random weight) hashing: the replica that scores highest for a server polls
 * it. Every replica computes the same owner from the same list of live replicas, and a replica
 * joining or leaving moves only its own share of the servers.
 */
export function rendezvousOwner(serverId: number, replicas: readonly string[]): string | null {
  let owner: string | null = null;
  let best = -1n;
  for (const replica of replicas) {
    const score = createHash('sha256').update(`${replica}/${serverId}`).digest().readBigUInt64BE(0);
    // Ties (never in practice) go to the smaller name, so the owner does not depend on list order.
    if (score > best || (score === best && owner !== null && replica < owner)) {
      best = score;
      owner = replica;
    }
  }
  return owner;
}
