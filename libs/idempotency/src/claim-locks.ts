import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

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
 * here: a second request of this process with the same key is refused like another replica's.
 */
@Injectable()
export class ClaimLocks implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ClaimLocks.name);
  private readonly held = new Set<string>();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  // One statement at a time on the session (pg deprecates queueing on a busy client).
  private queue: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when this process now holds the claim's lock; false when a live request (here or elsewhere) does. */
  async tryAcquire(accountId: number, key: string): Promise<boolean> {
    const id = `${accountId}\n${key}`;
    if (this.held.has(id)) return false;
    // Marked before the round trip, so a second request of this process is refused meanwhile.
    this.held.add(id);
    try {
      const ok = await this.serially(async () => {
        const client = await this.connected();
        const [row] = (await client.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', claimLockKeys(accountId, key))).rows;
        return row?.ok === true;
      });
      if (!ok) this.held.delete(id);
      return ok;
    } catch (error) {
      this.held.delete(id);
      throw error;
    }
  }

  async release(accountId: number, key: string): Promise<void> {
    const id = `${accountId}\n${key}`;
    if (!this.held.has(id)) return;
    await this.serially(async () => {
      const client = this.client;
      if (client) {
        try {
          await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', claimLockKeys(accountId, key));
        } catch (error) {
          this.logger.warn({ msg: 'advisory unlock failed; dropping the claim lock session', err: error });
          await this.drop(client);
        }
      }
      // Without a client the session ended, and its locks with it.
      this.held.delete(id);
    });
  }

  /** After every module's onModuleDestroy (the HTTP server has stopped taking requests). */
  async beforeApplicationShutdown(): Promise<void> {
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
      const client = sessionClient(this.dataSource);
      client.on('error', (error) => {
        // The claims of requests still running here look abandoned to other replicas from now on.
        this.logger.warn({ msg: 'claim lock session lost; its locks are released', err: error });
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

/** A pg client outside TypeORM's pool, to the app's database (node-sync's dedicatedClient does the same for its locks). */
function sessionClient(dataSource: DataSource): Client {
  const options = dataSource.options as { url?: string; host?: string; port?: number; username?: string; password?: string; database?: string };
  return new Client({
    connectionString: options.url,
    host: options.host,
    port: options.port,
    user: options.username,
    password: options.password,
    database: options.database,
    application_name: 'wgfleet-idempotency-locks',
    connectionTimeoutMillis: 5_000,
  });
}
