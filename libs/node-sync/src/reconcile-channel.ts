import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Client, Notification } from 'pg';
import type { DataSource } from 'typeorm';
import { dedicatedClient } from '@wgfleet/database';

export const RECONCILE_CHANNEL = 'wgfleet_reconcile';
const MAX_RECONNECT_DELAY_MS = 30_000;

/**
 * Wakes the reconcilers of other replicas: after a commit, `NOTIFY wgfleet_reconcile,
 * '<sender>:<id>,<id>…'`; every replica LISTENs on a dedicated connection. The admin's reconcile
 * request goes as `'<sender>:now:<id>'`: the receivers push at once, even a server in backoff. The sender tag lets a
 * replica skip its own notifications (it already woke itself in process). A lost notification
 * (listener reconnecting) is repaired by the periodic pass, which picks up every server behind.
 */
export class ReconcileChannel {
  private readonly logger = new Logger(ReconcileChannel.name);
  private readonly sender = randomUUID().slice(0, 8);
  private listener: Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private closed = false;
  private readonly outgoing = new Set<number>();
  private readonly outgoingNow = new Set<number>();
  private flushing: Promise<void> | null = null;
  private readonly abandoned = new WeakSet<Client>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly onWake: (serverIds: number[], now: boolean) => void,
  ) {}

  async listen(): Promise<void> {
    if (this.closed) return;
    const client = dedicatedClient(this.dataSource, 'reconcile-listen');
    client.on('notification', (message: Notification) => this.receive(message));
    client.on('error', (error) => {
      this.logger.warn({ msg: 'reconcile listener lost; reconnecting', err: error });
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${RECONCILE_CHANNEL}`);
    } catch (error) {
      this.logger.warn({ msg: 'reconcile listener could not connect; retrying', err: error });
      this.reconnect(client);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.reconnectAttempts = 0;
  }

  /** Queues the ids; one NOTIFY carries everything queued since the previous one. */
  notify(serverIds: number[], options: { now?: boolean } = {}): void {
    if (this.closed) return;
    for (const id of serverIds) (options.now ? this.outgoingNow : this.outgoing).add(id);
    this.flushing ??= this.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.flushing;
    const listener = this.listener;
    this.listener = null;
    if (listener) {
      this.abandoned.add(listener);
      await listener.end().catch(() => undefined);
    }
  }

  private async flush(): Promise<void> {
    try {
      await new Promise((resolve) => setImmediate(resolve));
      while ((this.outgoing.size > 0 || this.outgoingNow.size > 0) && !this.closed) {
        for (const [queue, marker] of [[this.outgoingNow, 'now:'], [this.outgoing, '']] as const) {
          if (queue.size === 0) continue;
          const ids = [...queue];
          queue.clear();
          // Payloads stay far below Postgres's 8000-byte limit: a transaction touches a few servers.
          await this.dataSource.query('SELECT pg_notify($1, $2)', [RECONCILE_CHANNEL, `${this.sender}:${marker}${ids.join(',')}`]);
        }
      }
    } catch (error) {
      this.logger.warn({ msg: 'reconcile notify failed; other replicas catch up on their periodic pass', err: error });
      this.outgoing.clear();
      this.outgoingNow.clear();
    } finally {
      this.flushing = null;
    }
  }

  private receive(message: Notification): void {
    if (message.channel !== RECONCILE_CHANNEL || !message.payload) return;
    const separator = message.payload.indexOf(':');
    const sender = separator >= 0 ? message.payload.slice(0, separator) : null;
    if (sender === this.sender) return;
    let rest = message.payload.slice(separator + 1);
    const now = rest.startsWith('now:');
    if (now) rest = rest.slice('now:'.length);
    const ids = rest
      .split(',')
      .map((text) => Number(text))
      .filter((id) => Number.isSafeInteger(id) && id > 0);
    if (ids.length > 0) this.onWake(ids, now);
  }

  private reconnect(client: Client): void {
    // 'error' and 'end' both arrive for one failure: handle each client once.
    if (this.abandoned.has(client)) return;
    this.abandoned.add(client);
    if (this.listener === client) this.listener = null;
    void client.end().catch(() => undefined);
    if (this.closed || this.reconnectTimer) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 500 * 2 ** Math.min(this.reconnectAttempts++, 10));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen();
    }, delay);
    this.reconnectTimer.unref();
  }
}
