import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { SecretBox } from '@wgfleet/core';
import { ClaimLocks } from './claim-locks.js';
import type { ClaimedRequest } from './commit-marker.js';

/** How long a key stays bound to its first request (the contract: 24 h). */
export const IDEMPOTENCY_TTL_HOURS = 24;
const PURGE_INTERVAL_MS = 60_000;

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

export type Claim =
  | { kind: 'claimed'; request: ClaimedRequest }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in_flight' }
  | { kind: 'reused' }
  /** The first request's write committed, but it ended (its replica died) before its response was stored. */
  | { kind: 'outcome_unknown' };

/**
 * `idempotency_record` rows: one per (account, key). A row is `in_flight` while its first request
 * runs, `committed` once that request's write has committed (CommitMarker), then `done` with the
 * response sealed (replays can hold private keys). Rows older than 24 h no longer bind their key.
 *
 * A running request also holds the claim's lock (ClaimLocks), which Postgres frees when its process
 * or session dies. So a row not `done` whose lock is free was abandoned: `in_flight`, nothing of it
 * committed, and the same request runs again; `committed`, it must not run twice, and says so.
 *
 * Each claim writes a token of its own (`claim_token`), and every later write for it — the commit
 * mark, the response, the release — names that token. A request whose claim was taken over (its
 * lock session dropped while it still ran) can then neither commit its write nor touch the new
 * claim: the lock decides who may take a claim over, the token who owns it.
 */
@Injectable()
export class IdempotencyStore {
  private readonly logger = new Logger(IdempotencyStore.name);
  private lastPurge = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly locks: ClaimLocks,
  ) {}

  /**
   * Takes the key for this request, or says what the existing row means. The lock comes first, so
   * a row is only ever taken over by the one request holding it; the insert and the takeover (of an
   * expired row, or an abandoned one of the same request) are one statement. On 'claimed' the lock
   * stays held until `complete` or `release`.
   */
  async claim(accountId: number, key: string, fingerprint: Buffer): Promise<Claim> {
    void this.purgeExpired();
    const locked = await this.locks.tryAcquire(accountId, key);
    let claim: Claim | undefined;
    try {
      claim = await this.claimWith(locked, accountId, key, fingerprint);
      return claim;
    } finally {
      if (locked && claim?.kind !== 'claimed') await this.locks.release(accountId, key);
    }
  }

  private async claimWith(locked: boolean, accountId: number, key: string, fingerprint: Buffer): Promise<Claim> {
    // A row can vanish between the insert and the read (its request failed): try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (locked) {
        const token = randomUUID();
        const claimed: unknown[] = await this.dataSource.query(
          `INSERT INTO idempotency_record (account_id, key, request_hash, state, claim_token)
           VALUES ($1, $2, $3, 'in_flight', $5)
           ON CONFLICT (account_id, key) DO UPDATE
              SET request_hash = EXCLUDED.request_hash, state = 'in_flight', response_status = NULL,
                  response_body_enc = NULL, created_at = now(), claim_token = EXCLUDED.claim_token
            WHERE idempotency_record.created_at < now() - make_interval(hours => $4)
               OR (idempotency_record.state = 'in_flight' AND idempotency_record.request_hash = EXCLUDED.request_hash)
           RETURNING 1`,
          [accountId, key, fingerprint, IDEMPOTENCY_TTL_HOURS, token],
        );
        if (claimed.length > 0) return { kind: 'claimed', request: { accountId, key, token, open: true } };
      }
      const [row]: Array<{ request_hash: Buffer; state: string; response_status: number | null; response_body_enc: Buffer | null }> =
        await this.dataSource.query(
          `SELECT request_hash, state, response_status, response_body_enc FROM idempotency_record
            WHERE account_id = $1 AND key = $2 AND created_at >= now() - make_interval(hours => $3)`,
          [accountId, key, IDEMPOTENCY_TTL_HOURS],
        );
      // Unlocked and no row: the lock's holder is about to insert it (or holds a colliding lock).
      if (!row) {
        if (!locked) return { kind: 'in_flight' };
        continue;
      }
      if (!row.request_hash.equals(fingerprint)) return { kind: 'reused' };
      if (row.state === 'done' && row.response_status !== null && row.response_body_enc !== null) {
        return { kind: 'replay', response: { status: row.response_status, ...this.unseal(row.response_body_enc, accountId, key) } };
      }
      if (!locked) return { kind: 'in_flight' };
      if (row.state === 'committed') return { kind: 'outcome_unknown' };
    }
    // Only under a pathological churn of the same key: report it as busy rather than loop.
    return { kind: 'in_flight' };
  }

  /** Stores the response (the claim is `done`) and lets go of the claim's lock. */
  async complete(request: ClaimedRequest, response: StoredResponse): Promise<void> {
    const sealed = this.box.seal(`${response.contentType}\n${response.body}`, sealContext(request.accountId, request.key));
    try {
      await this.dataSource.query(
        `UPDATE idempotency_record SET state = 'done', response_status = $4, response_body_enc = $5
          WHERE account_id = $1 AND key = $2 AND claim_token = $3 AND state IN ('in_flight', 'committed')`,
        [request.accountId, request.key, request.token, response.status, sealed],
      );
    } finally {
      await this.locks.release(request.accountId, request.key);
    }
  }

  /**
   * The request failed: free the key so the client may retry with it — unless its write committed
   * (it failed after that), then the key stays bound and answers 'outcome_unknown'.
   */
  async release(request: ClaimedRequest): Promise<void> {
    try {
      await this.dataSource.query(`DELETE FROM idempotency_record WHERE account_id = $1 AND key = $2 AND claim_token = $3 AND state = 'in_flight'`, [
        request.accountId,
        request.key,
        request.token,
      ]);
    } finally {
      await this.locks.release(request.accountId, request.key);
    }
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
