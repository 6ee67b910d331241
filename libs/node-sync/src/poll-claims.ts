import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ReconcilerOptions } from './reconciler-options.js';
import { rendezvousOwner } from './rendezvous.js';

/**
 * How long a claim and a heartbeat outlive their pass, as a multiple of the poll interval. The owner
 * renews both at every pass, so they never lapse while it runs (a late timer is covered by the extra
 * half); its servers go to the other replicas within an interval after it missed a pass.
 */
export const POLL_CLAIM_INTERVALS = 1.5;

/** Heartbeats of replicas gone this long are deleted (they stopped counting as live long before). */
const FORGET_POLLERS_AFTER = '1 hour';

/**
 * Which replica polls which server. Each pass:
 * 1. writes this replica's heartbeat (`status_poller`) and reads the live replicas of its group;
 * 2. keeps the servers that rendezvous-hash to this replica among them (an even share, and a
 *    replica joining or leaving moves only its own share);
 * 3. claims those in `server_poll_claim` — a row that is free, expired or already this replica's is
 *    (re)claimed, one another replica still holds is left alone — and lets go of the claims it holds
 *    on servers that are no longer its own, so their new owner takes them at its next pass.
 *
 * The claims keep "one replica polls a server per interval" true while replicas disagree about who
 * is live (one just came or went): a server changes hands only once its claim was let go or ran out.
 * One statement claims every server, with row locks in ascending id order, so two passes over the
 * same servers cannot deadlock.
 */
@Injectable()
export class PollClaims {
  /** This process's name in the tables; a restarted process is a new replica (its old rows lapse). */
  readonly replica = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly group: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    options: ReconcilerOptions,
  ) {
    this.group = options.pollGroup ?? (options.scope ? `alone:${this.replica}` : 'fleet');
  }

  /** The subset of `serverIds` this replica polls in this interval. */
  async claim(serverIds: number[], intervalMs: number): Promise<Set<number>> {
    const leaseMs = Math.ceil(intervalMs * POLL_CLAIM_INTERVALS);
    const live = await this.heartbeat(leaseMs);
    const ids = [...new Set(serverIds)].filter((id) => rendezvousOwner(id, live) === this.replica).sort((a, b) => a - b);
    await this.dataSource.query('DELETE FROM server_poll_claim WHERE claimed_by = $1 AND server_id <> ALL($2::bigint[])', [this.replica, ids]);
    if (ids.length === 0) return new Set();
    const rows: Array<{ server_id: string }> = await this.dataSource.query(
      `INSERT INTO server_poll_claim AS claim (server_id, claimed_by, claimed_until)
       SELECT id, $2, now() + $3 * interval '1 millisecond' FROM unnest($1::bigint[]) AS id ORDER BY id
       ON CONFLICT (server_id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, claimed_until = EXCLUDED.claimed_until
        WHERE claim.claimed_by = EXCLUDED.claimed_by OR claim.claimed_until <= now()
       RETURNING server_id`,
      [ids, this.replica, leaseMs],
    );
    return new Set(rows.map((row) => Number(row.server_id)));
  }

  /** On a clean stop: hands this replica's servers to the others at their next pass. */
  async releaseAll(): Promise<void> {
    await this.dataSource.query('DELETE FROM status_poller WHERE replica = $1', [this.replica]);
    await this.dataSource.query('DELETE FROM server_poll_claim WHERE claimed_by = $1', [this.replica]);
  }

  /** Renews this replica's heartbeat; the live replicas of its group, itself included. */
  private async heartbeat(leaseMs: number): Promise<string[]> {
    const rows: Array<{ replica: string }> = await this.dataSource.query(
      `WITH beat AS (
         INSERT INTO status_poller (replica, poll_group, alive_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (replica) DO UPDATE SET poll_group = EXCLUDED.poll_group, alive_until = EXCLUDED.alive_until
         RETURNING replica),
       forgotten AS (DELETE FROM status_poller WHERE alive_until < now() - $4::interval)
       SELECT replica FROM status_poller WHERE poll_group = $2 AND alive_until > now() AND replica <> $1
       UNION ALL SELECT replica FROM beat`,
      [this.replica, this.group, leaseMs, FORGET_POLLERS_AFTER],
    );
    return rows.map((row) => row.replica);
  }
}
