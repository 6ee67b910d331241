import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UserEntity } from '../user.entity.js';

/** Traffic in the user's current period (the data limit's, or since creation without a limit). */
export interface Usage {
  periodStart: Date;
  rxBytes: number;
  txBytes: number;
  totalBytes: number;
}

/** The user fields a period depends on. */
export type UsageSubject = Pick<UserEntity, 'id' | 'serverId' | 'createdAt' | 'dataLimitPeriod' | 'dataLimitResetDay'>;

/**
 * Usage per period, counted from the cumulative counters the poller records (they survive
 * interface restarts). SEAM (issue 11): the enforcement work implements the periods; this first
 * version counts everything since the user was created.
 */
@Injectable()
export class PlanUsage {
  /** Usage of each user, read in `manager`'s transaction (the caller's, so a write sees its own state). */
  async usageOf(manager: EntityManager, users: UsageSubject[], now: Date): Promise<Map<number, Usage>> {
    void now;
    if (users.length === 0) return new Map();
    const rows: Array<{ user_id: string; rx_total: string; tx_total: string }> = await manager.query(
      'SELECT user_id, rx_total, tx_total FROM peer_status WHERE user_id = ANY($1::bigint[])',
      [users.map((user) => user.id)],
    );
    const totals = new Map(rows.map((row) => [Number(row.user_id), { rx: Number(row.rx_total), tx: Number(row.tx_total) }]));
    return new Map(
      users.map((user) => {
        const { rx, tx } = totals.get(user.id) ?? { rx: 0, tx: 0 };
        return [user.id, { periodStart: user.createdAt, rxBytes: rx, txBytes: tx, totalBytes: rx + tx }];
      }),
    );
  }
}
