import { Logger } from '@nestjs/common';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { dedicatedClient } from './pg-connection.js';

/** First key of the two-key advisory lock space: "wg" — keeps our locks apart from anyone else's. */
export const RECONCILE_LOCK_NAMESPACE = 0x7767;

/**
 * One push per server at a time across replicas: Postgres session advisory locks, held on a
 * connection of their own so no transaction stays open during the push (a pooled connection
 * could also hand the lock to an unrelated query's session). If that connection drops, Postgres
 * frees its locks; the next acquire reconnects.
 */
export class ServerLocks {
  private readonly logger = new Logger(ServerLocks.name);
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  // One statement at a time on the session (pg deprecates queueing on a busy client).
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  /** True when this process now holds the server's lock; false when another session does. */
  async tryAcquire(serverId: number): Promise<boolean> {
    return this.serially(async () => {
      const client = await this.connected();
      const [row] = (await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [RECONCILE_LOCK_NAMESPACE, lockKey(serverId)])).rows;
      return row?.ok === true;
    });
  }

  async release(serverId: number): Promise<void> {
    await this.serially(async () => {
      const client = this.client;
      if (!client) return; // the session ended, and its locks with it
      try {
        await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [RECONCILE_LOCK_NAMESPACE, lockKey(serverId)]);
      } catch (error) {
        this.logger.warn({ msg: 'advisory unlock failed; dropping the lock session', serverId, err: error });
        await this.drop(client);
      }
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.connecting) await this.connecting.catch(() => undefined);
    if (this.client) await this.drop(this.client);
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

/** Server ids are bigint; the two-key form takes int4. A collision only serialises two servers. */
function lockKey(serverId: number): number {
  return serverId % 2_147_483_647;
}
