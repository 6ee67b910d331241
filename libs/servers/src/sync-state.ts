import type { ServerEntity } from './server.entity.js';

export type SyncStateName = 'in_sync' | 'pending' | 'error';

/** The contract's `sync` object: how far the node is behind what Postgres wants. */
export interface SyncState {
  state: SyncStateName;
  desired_generation: number;
  applied_generation: number;
  last_error: string | null;
  last_applied_at: string | null;
}

/** Behind and failing is `error`; behind and not failing is `pending`; caught up is `in_sync`. */
export function syncStateOf(
  server: Pick<ServerEntity, 'desiredGeneration' | 'appliedGeneration' | 'lastError' | 'lastAppliedAt'>,
): SyncState {
  const behind = server.appliedGeneration < server.desiredGeneration;
  return {
    state: !behind ? 'in_sync' : server.lastError ? 'error' : 'pending',
    desired_generation: server.desiredGeneration,
    applied_generation: server.appliedGeneration,
    last_error: server.lastError,
    last_applied_at: server.lastAppliedAt ? server.lastAppliedAt.toISOString() : null,
  };
}
