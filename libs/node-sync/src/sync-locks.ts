import { createHash } from 'node:crypto';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AdvisoryLockSession, type AdvisoryLock } from '@wgfleet/database';

/** First key of the two-key advisory lock space for one server's push: "wg" — apart from anyone else's locks. */
export const RECONCILE_LOCK_NAMESPACE = 0x7767;
/** First key for one interface of one node ("wi"); the second is a hash of `<node id>/<interface>`. */
export const INTERFACE_LOCK_NAMESPACE = 0x7769;

/**
 * What the reconciler locks across replicas: a server (one push of it at a time) or an interface of
 * a node (whatever changes or removes that interface: a push, the removal of a deleted server's).
 */
export type SyncLock = { kind: 'server'; serverId: number } | { kind: 'interface'; nodeId: number; interfaceName: string };

/**
 * The reconciler's locks are Postgres session advisory locks (AdvisoryLockSession): held on a
 * connection of their own so no transaction stays open while a node is contacted. If that
 * connection drops, Postgres frees its locks; the next acquire reconnects.
 *
 * One session serves the whole process, and the locks this process holds are also kept there: a
 * second acquire in this process is refused like one from another replica (the push and the
 * interface remover of one replica exclude each other too).
 */
@Injectable()
export class SyncLocks implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncLocks.name);
  private readonly session: AdvisoryLockSession;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.session = new AdvisoryLockSession(dataSource, 'reconcile-locks', {
      lost: (error) => this.logger.warn({ msg: 'lock session lost; its locks are released', err: error }),
      unlockFailed: (lockId, error) => this.logger.warn({ msg: 'advisory unlock failed; dropping the lock session', lock: lockId, err: error }),
    });
  }

  /** True when this process now holds the lock; false when this process or another session does. */
  async tryAcquire(lock: SyncLock): Promise<boolean> {
    return await this.session.tryAcquire(advisoryLock(lock));
  }

  /** Every lock, or none: on a refusal the ones already taken are let go. */
  async tryAcquireAll(locks: SyncLock[]): Promise<boolean> {
    const taken: SyncLock[] = [];
    try {
      for (const lock of locks) {
        if (!(await this.tryAcquire(lock))) {
          await this.releaseAll(taken);
          return false;
        }
        taken.push(lock);
      }
      return true;
    } catch (error) {
      await this.releaseAll(taken);
      throw error;
    }
  }

  async release(lock: SyncLock): Promise<void> {
    await this.session.release(advisoryLock(lock));
  }

  async releaseAll(locks: SyncLock[]): Promise<void> {
    for (const lock of [...locks].reverse()) await this.release(lock);
  }

  /** After every module's onModuleDestroy: the pushes and removals that held locks have finished. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/**
 * The two keys (int4, int4) of a lock: its namespace, then a server's id (bigint, folded) or the
 * first 32 bits of SHA-256 of `<node id>/<interface>`. A collision only serialises two of them.
 */
export function syncLockKeys(lock: SyncLock): [number, number] {
  if (lock.kind === 'server') return [RECONCILE_LOCK_NAMESPACE, lock.serverId % 2_147_483_647];
  return [INTERFACE_LOCK_NAMESPACE, createHash('sha256').update(`${lock.nodeId}/${lock.interfaceName}`).digest().readInt32BE(0)];
}

function advisoryLock(lock: SyncLock): AdvisoryLock {
  const id = lock.kind === 'server' ? `server:${lock.serverId}` : `interface:${lock.nodeId}/${lock.interfaceName}`;
  return { id, keys: syncLockKeys(lock) };
}
