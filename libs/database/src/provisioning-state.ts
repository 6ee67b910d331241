import type { EntityManager } from 'typeorm';

/** Rows the reconciler provisions on a node: each has `server_id`, `state` and `state_error`. */
export type ProvisionedTable = 'wg_user' | 'port_forward';

export type ProvisioningOutcome = { state: 'active' } | { state: 'error'; reason: string; onlyPending: boolean };

/**
 * Records what a push achieved for the rows it carried (by id, so rows created after its snapshot
 * keep their state): `active`, or `error` with a safe reason. `onlyPending` leaves rows already in
 * error alone; a failed push never undoes an earlier success (active rows stay active).
 */
export async function markProvisioned(
  manager: EntityManager,
  table: ProvisionedTable,
  serverId: number,
  ids: number[],
  outcome: ProvisioningOutcome,
): Promise<void> {
  if (ids.length === 0) return;
  // `table` is one of two constants (the type above), never input.
  if (table !== 'wg_user' && table !== 'port_forward') throw new Error(`markProvisioned: unknown table ${String(table)}`);
  if (outcome.state === 'active') {
    await manager.query(
      `UPDATE ${table} SET state = 'active', state_error = NULL
        WHERE server_id = $1 AND id = ANY($2::bigint[]) AND (state <> 'active' OR state_error IS NOT NULL)`,
      [serverId, ids],
    );
    return;
  }
  await manager.query(
    `UPDATE ${table} SET state = 'error', state_error = $3
      WHERE server_id = $1 AND id = ANY($2::bigint[]) AND (state = 'pending' OR ($4 = false AND state = 'error'))`,
    [serverId, ids, outcome.reason, outcome.onlyPending],
  );
}
