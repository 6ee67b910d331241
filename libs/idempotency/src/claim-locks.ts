import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AdvisoryLockSession, type AdvisoryLock } from '@wgfleet/database';

/** First key of the two-key advisory lock space for Idempotency-Key claims: "wk" — apart from the reconciler's. */
export const IDEMPOTENCY_LOCK_NAMESPACE = 0x776b;

/** The two keys (int4, int4) of a claim's lock: the namespace, then 32 bits of SHA-256 of (account, key). */
export function claimLockKeys(accountId: number, key: string): [number, number] {
  return [IDEMPOTENCY_LOCK_NAMESPACE, createHash('sha256').update(`${accountId}\n${key}`).digest().readInt32BE(0)];
}

/**
 * What says an `in_flight` claim still has a live request behind it: a Postgres session advisory
 * lock on (account, key), held for the life of the request on one session per process. When the
 * process dies, or its session does, Postgres frees the lock, and the next request with the key
 * finds the claim abandoned. (A session per request would hold a pooled connection each, and a
 * burst of idempotent requests would starve the pool their own handlers need.)
 *
 * A session may take its own advisory lock twice, so the claims this process holds are also kept
 * (by AdvisoryLockSession): a second request of this process with the same key is refused like
 * another replica's.
 */
@Injectable()
export class ClaimLocks implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ClaimLocks.name);
  private readonly session: AdvisoryLockSession;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.session = new AdvisoryLockSession(dataSource, 'idempotency-locks', {
      lost: (error) => {
        // The claims of requests still running here look abandoned to other replicas from now on.
        this.logger.warn({ msg: 'claim lock session lost; its locks are released', err: error });
      },
      unlockFailed: (_lockId, error) => this.logger.warn({ msg: 'advisory unlock failed; dropping the claim lock session', err: error }),
    });
  }

  /** True when this process now holds the claim's lock; false when a live request (here or elsewhere) does. */
  async tryAcquire(accountId: number, key: string): Promise<boolean> {
    return await this.session.tryAcquire(claimLock(accountId, key));
  }

  async release(accountId: number, key: string): Promise<void> {
    await this.session.release(claimLock(accountId, key));
  }

  /** After every module's onModuleDestroy (the HTTP server has stopped taking requests). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.session.close();
  }
}

function claimLock(accountId: number, key: string): AdvisoryLock {
  return { id: `${accountId}\n${key}`, keys: claimLockKeys(accountId, key) };
}
