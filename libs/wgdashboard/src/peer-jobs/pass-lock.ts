import type { DataSource } from 'typeorm';
import { dedicatedClient } from '@wgfleet/database';

/**
 * The advisory lock that lets one replica at a time run the peer jobs: two-key space "wj"
 * (wgfleet jobs), apart from the reconciler's per-server locks ("wg", RECONCILE_LOCK_NAMESPACE).
 */
export const PEER_JOBS_LOCK = [0x776a, 1] as const;

/**
 * Runs `work` while this process holds the peer-jobs lock, or returns 'busy' when another session
 * holds it. The lock is taken on a connection of its own, opened for the pass: the work's writes use
 * the pool (even a pool of one), and a crash ends the session and frees the lock.
 */
export async function whileHoldingPassLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T | 'busy'> {
  const client = dedicatedClient(dataSource, 'peer-jobs');
  // A dropped session frees the lock; the pass in progress finishes its writes, each one safe alone.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const [row] = (await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [...PEER_JOBS_LOCK])).rows as Array<{ ok: boolean }>;
    if (row?.ok !== true) return 'busy';
    return await work();
  } finally {
    // Ending the session releases the lock.
    await client.end().catch(() => undefined);
  }
}
