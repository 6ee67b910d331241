import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * How long a claim outlives its pass, as a multiple of the poll interval. The owner renews at every
 * pass, so its claims never lapse while it runs (a late timer is covered by the extra half); another
 * replica takes a server over half an interval after its owner missed a pass.
 */
export const POLL_CLAIM_INTERVALS = 1.5;

/**
 * `server_poll_claim`: which replica polls which server. One statement per pass claims every server
 * the pass would dump: a row that is free, expired, or already this replica's is (re)claimed; one
 * another replica still holds is left alone. Row locks make two replicas' claims of one server
 * exclusive (the loser re-checks the winner's row and skips it), and the ids go in ascending order
 * so two passes over the same servers lock them in the same order and cannot deadlock.
 */
@Injectable()
export class PollClaims {
  /** This process's name in the table; a restarted process is a new claimant (its old claims lapse). */
  readonly replica = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The subset of `serverIds` this replica polls in this interval. */
  async claim(serverIds: number[], intervalMs: number): Promise<Set<number>> {
    if (serverIds.length === 0) return new Set();
    const ids = [...new Set(serverIds)].sort((a, b) => a - b);
    const rows: Array<{ server_id: string }> = await this.dataSource.query(
      `INSERT INTO server_poll_claim AS claim (server_id, claimed_by, claimed_until)
       SELECT id, $2, now() + $3 * interval '1 millisecond' FROM unnest($1::bigint[]) AS id ORDER BY id
       ON CONFLICT (server_id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, claimed_until = EXCLUDED.claimed_until
        WHERE claim.claimed_by = EXCLUDED.claimed_by OR claim.claimed_until <= now()
       RETURNING server_id`,
      [ids, this.replica, Math.ceil(intervalMs * POLL_CLAIM_INTERVALS)],
    );
    return new Set(rows.map((row) => Number(row.server_id)));
  }

  /** On a clean stop: hands this replica's servers to the others at their next pass. */
  async releaseAll(): Promise<void> {
    await this.dataSource.query('DELETE FROM server_poll_claim WHERE claimed_by = $1', [this.replica]);
  }
}
