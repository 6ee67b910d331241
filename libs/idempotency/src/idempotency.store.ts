import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SecretBox } from '@wgfleet/core';

/** How long a key stays bound to its first request (the contract: 24 h). */
export const IDEMPOTENCY_TTL_HOURS = 24;
const PURGE_INTERVAL_MS = 60_000;

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in_flight' }
  | { kind: 'reused' };

/**
 * `idempotency_record` rows: one per (account, key). A row is `in_flight` while its first request
 * runs, then `done` with the response sealed (replays can hold private keys). Rows older than
 * 24 h no longer bind their key.
 */
@Injectable()
export class IdempotencyStore {
  private readonly logger = new Logger(IdempotencyStore.name);
  private lastPurge = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  /**
   * Takes the key for this request, or says what the existing row means. The insert and the
   * takeover of an expired row are one statement, so two concurrent requests never both win.
   */
  async claim(accountId: number, key: string, fingerprint: Buffer): Promise<Claim> {
    void this.purgeExpired();
    // A row can vanish between the insert and the read (its request failed): try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed: unknown[] = await this.dataSource.query(
        `INSERT INTO idempotency_record (account_id, key, request_hash, state)
         VALUES ($1, $2, $3, 'in_flight')
         ON CONFLICT (account_id, key) DO UPDATE
            SET request_hash = EXCLUDED.request_hash, state = 'in_flight', response_status = NULL,
                response_body_enc = NULL, created_at = now()
          WHERE idempotency_record.created_at < now() - make_interval(hours => $4)
         RETURNING 1`,
        [accountId, key, fingerprint, IDEMPOTENCY_TTL_HOURS],
      );
      if (claimed.length > 0) return { kind: 'claimed' };
      const [row]: Array<{ request_hash: Buffer; state: string; response_status: number | null; response_body_enc: Buffer | null }> =
        await this.dataSource.query(
          `SELECT request_hash, state, response_status, response_body_enc FROM idempotency_record
            WHERE account_id = $1 AND key = $2 AND created_at >= now() - make_interval(hours => $3)`,
          [accountId, key, IDEMPOTENCY_TTL_HOURS],
        );
      if (!row) continue;
      if (!row.request_hash.equals(fingerprint)) return { kind: 'reused' };
      if (row.state !== 'done' || row.response_status === null || row.response_body_enc === null) return { kind: 'in_flight' };
      return { kind: 'replay', response: { status: row.response_status, ...this.unseal(row.response_body_enc, accountId, key) } };
    }
    // Only under a pathological churn of the same key: report it as busy rather than loop.
    return { kind: 'in_flight' };
  }

  async complete(accountId: number, key: string, response: StoredResponse): Promise<void> {
    const sealed = this.box.seal(`${response.contentType}\n${response.body}`, sealContext(accountId, key));
    await this.dataSource.query(
      `UPDATE idempotency_record SET state = 'done', response_status = $3, response_body_enc = $4
        WHERE account_id = $1 AND key = $2 AND state = 'in_flight'`,
      [accountId, key, response.status, sealed],
    );
  }

  /** The request failed: free the key so the client may retry with it. */
  async release(accountId: number, key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_record WHERE account_id = $1 AND key = $2 AND state = 'in_flight'`, [
      accountId,
      key,
    ]);
  }

  private unseal(sealed: Buffer, accountId: number, key: string): { contentType: string; body: string } {
    const text = this.box.open(sealed, sealContext(accountId, key));
    const newline = text.indexOf('\n');
    return { contentType: text.slice(0, newline), body: text.slice(newline + 1) };
  }

  /**
   * Deletes expired records: a cheap DELETE (the created_at index) at most once a minute per
   * process. Never fails the request that triggered it.
   */
  async purgeExpired(now = Date.now()): Promise<void> {
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    await this.dataSource
      .query(`DELETE FROM idempotency_record WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_TTL_HOURS])
      .catch((error: unknown) => this.logger.warn({ msg: 'could not purge idempotency records', err: error }));
  }
}

function sealContext(accountId: number, key: string): string {
  return `idempotency:${accountId}:${key}`;
}
