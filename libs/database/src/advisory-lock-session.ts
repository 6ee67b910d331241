import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { dedicatedClient } from './dedicated-client.js';

/** A lock as this process names it (`id`) and as Postgres does: the two int4 keys of a two-key advisory lock. */
export interface AdvisoryLock {
  id: string;
  keys: readonly [number, number];
}

/** What the owner of a session does when it drops; Postgres has freed its locks by then. */
export interface AdvisoryLockSessionEvents {
  /** The session failed; the locks it held are released. */
  lost(error: unknown): void;
  /** An unlock failed; the session is dropped (and its locks with it). */
  unlockFailed(lockId: string, error: unknown): void;
}

/**
 * Postgres session advisory locks, held on a connection of their own so no transaction stays open
 * while they are held (a pooled connection could also hand the lock to an unrelated query's
 * session). If that connection drops, Postgres frees its locks; the next acquire reconnects.
 *
 * One session serves the whole process, and a session may take its own advisory lock again, so the
 * locks this process holds are also kept here: a second acquire in this process is refused like one
 * from another session.
 */
export class AdvisoryLockSession {
  private readonly held = new Set<string>();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  // One statement at a time on the session (pg deprecates queueing on a busy client).
  private queue: Promise<unknown> = Promise.resolve();

  /** `purpose` names the session in pg_stat_activity (application_name `wgfleet-<purpose>`). */
  constructor(
    private readonly dataSource: DataSource,
    private readonly purpose: string,
    private readonly events: AdvisoryLockSessionEvents,
  ) {}

  /** True when this process now holds the lock; false when this process or another session does. */
  async tryAcquire(lock: AdvisoryLock): Promise<boolean> {
    if (this.held.has(lock.id)) return false;
    // Marked before the round trip, so a second caller of this process is refused meanwhile.
    this.held.add(lock.id);
    try {
      const ok = await this.serially(async () => {
        const client = await this.connected();
        const [row] = (await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [...lock.keys])).rows;
        return row?.ok === true;
      });
      if (!ok) this.held.delete(lock.id);
      return ok;
    } catch (error) {
      this.held.delete(lock.id);
      throw error;
    }
  }

  async release(lock: AdvisoryLock): Promise<void> {
    if (!this.held.has(lock.id)) return;
    await this.serially(async () => {
      const client = this.client;
      if (client) {
        try {
          await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [...lock.keys]);
        } catch (error) {
          this.events.unlockFailed(lock.id, error);
          await this.drop(client);
        }
      }
      // Without a client the session ended, and its locks with it.
      this.held.delete(lock.id);
    });
  }

  /** Waits for the statements queued, then ends the session: every lock it held is released. */
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
      const client = dedicatedClient(this.dataSource, this.purpose);
      client.on('error', (error) => {
        this.events.lost(error);
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
