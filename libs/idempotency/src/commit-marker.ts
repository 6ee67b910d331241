import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { AppError } from '@wgfleet/core';

/** The claimed request whose handler runs in this async context. */
export interface ClaimedRequest {
  accountId: number;
  key: string;
  /** This claim's own token (IdempotencyStore): the mark only counts for the claim it names. */
  token: string;
  /** False once the handler has finished: work it started (a push woken by its commit) marks nothing. */
  open: boolean;
}

/**
 * Marks a claim `committed` inside the first transaction of its request that commits a write, so the
 * mark and the created resource commit together. If the process dies after that commit and before
 * the response is stored, the next request with the key finds a committed claim with no response:
 * it must not run again (that would create a second resource), and is told so instead.
 *
 * It works for every idempotent route without their libs knowing: the request's handler runs in an
 * AsyncLocalStorage context, and a TypeORM subscriber adds one UPDATE before each commit in it. A
 * transaction that wrote nothing (no transaction id assigned) does not mark the claim. A write whose
 * claim is no longer its own (another replica took it over) fails instead of committing.
 */
@Injectable()
export class CommitMarker implements OnModuleInit, EntitySubscriberInterface {
  private readonly requests = new AsyncLocalStorage<ClaimedRequest>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    if (!this.dataSource.subscribers.includes(this)) this.dataSource.subscribers.push(this);
  }

  /** Runs `work` (the request's handler) as the claimed request of (account, key). */
  within<T>(request: ClaimedRequest, work: () => T): T {
    return this.requests.run(request, work);
  }

  async beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const request = this.requests.getStore();
    if (!request?.open) return;
    const [outcome]: Array<{ wrote: boolean; marked: boolean }> = await event.queryRunner.query(
      `WITH mark AS (
         UPDATE idempotency_record SET state = 'committed'
          WHERE account_id = $1 AND key = $2 AND claim_token = $3 AND state IN ('in_flight', 'committed')
            AND pg_current_xact_id_if_assigned() IS NOT NULL
         RETURNING 1)
       SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS wrote, EXISTS (SELECT 1 FROM mark) AS marked`,
      [request.accountId, request.key, request.token],
    );
    // Thrown here, the transaction rolls back: the request that owns the claim now makes the write.
    if (outcome?.wrote && !outcome.marked) {
      throw new AppError('idempotency_key_in_flight', 'another request with this Idempotency-Key took it over; retry after it has finished');
    }
  }
}
