import { createHash } from 'node:crypto';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { dedicatedClient } from './pg-connection.js';

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
 * Postgres session advisory locks, held on a connection of their own so no transaction stays open
 * while a node is contacted (a pooled connection could also hand the lock to an unrelated query's
 * session). If that connection drops, Postgres frees its locks; the next acquire reconnects.
 *
 * One session serves the whole process, and a session may take its own advisory lock again, so the
 * locks this process holds are also kept here: a second acquire in this process is refused like one
 * from another replica (the push and the interface remover of one replica exclude each other too).
 */
@Injectable()
export class SyncLocks implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncLocks.name);
  private readonly held = new Set<string>();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  // One statement at a time on the session (pg deprecates queueing on a busy client).
  private queue: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when this process now holds the lock; false when this process or another session does. */
  async tryAcquire(lock: SyncLock): Promise<boolean> {
    const id = lockId(lock);
    if (this.held.has(id)) return false;
    // Marked before the round trip, so a second caller of this process is refused meanwhile.
    this.held.add(id);
    try {
      const ok = await this.serially(async () => {
        const client = await this.connected();
        const [row] = (await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', syncLockKeys(lock))).rows;
        return row?.ok === true;
      });
      if (!ok) this.held.delete(id);
      return ok;
    } catch (error) {
      this.held.delete(id);
      throw error;
    }
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
    const id = lockId(lock);
    if (!this.held.has(id)) return;
    await this.serially(async () => {
      const client = this.client;
      if (client) {
        try {
          await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', syncLockKeys(lock));
        } catch (error) {
          this.logger.warn({ msg: 'advisory unlock failed; dropping the lock session', lock: id, err: error });
          await this.drop(client);
        }
      }
      // Without a client the session ended, and its locks with it.
      this.held.delete(id);
    });
  }

  async releaseAll(locks: SyncLock[]): Promise<void> {
    for (const lock of [...locks].reverse()) await this.release(lock);
  }

  /** After every module's onModuleDestroy: the pushes and removals that held locks have finished. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.connecting) await this.connecting.catch(() => undefined);
    if (this.client) await this.drop(this.client);
    this.held.clear();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private connected(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = dedicatedClient(this.dataSource, 'reconcile-locks');
      client.on('error', (error) => {
        this.logger.warn({ msg: 'lock session lost; its locks are released', err: error });
        void this.drop(client);
      });
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async drop(client: Client): Promise<void> {
    if (this.client === client) this.client = null;
    await client.end().catch(() => undefined);
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

function lockId(lock: SyncLock): string {
  return lock.kind === 'server' ? `server:${lock.serverId}` : `interface:${lock.nodeId}/${lock.interfaceName}`;
}
