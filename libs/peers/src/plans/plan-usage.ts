import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UserEntity } from '../user.entity.js';
import { monthlyPeriodStart, usagePeriodStart } from './usage-period.js';

/** Traffic in the user's current period (the data limit's, or since creation without a limit). */
export interface Usage {
  periodStart: Date;
  rxBytes: number;
  txBytes: number;
  totalBytes: number;
}

/** The user fields a period depends on. */
export type UsageSubject = Pick<UserEntity, 'id' | 'serverId' | 'createdAt' | 'dataLimitPeriod' | 'dataLimitResetDay'>;

interface CounterRow {
  user_id: string;
  rx_total: string;
  tx_total: string;
  period_start: Date | null;
  rx_base: string | null;
  tx_base: string | null;
}

/**
 * Usage per period, counted from peer_status's cumulative totals (they survive interface restarts)
 * minus a baseline: zero for a `total` limit or none (since creation), the totals at the period's
 * start for a `monthly` one (usage_baseline, taken by `refreshBaselines` when a period begins).
 */
@Injectable()
export class PlanUsage {
  /**
   * Usage of each user, in one query, read in `manager`'s transaction (the caller's, so a write sees
   * its own state). Read only: a monthly period with no baseline yet (it began moments ago, or the
   * limit was just set) counts from its start for a user created since, else from now (zero).
   */
  async usageOf(manager: EntityManager, users: UsageSubject[], now: Date): Promise<Map<number, Usage>> {
    if (users.length === 0) return new Map();
    const rows: CounterRow[] = await manager.query(
      `SELECT s.user_id, coalesce(p.rx_total, 0) AS rx_total, coalesce(p.tx_total, 0) AS tx_total, b.period_start, b.rx_base, b.tx_base
         FROM unnest($1::bigint[]) AS s(user_id)
         LEFT JOIN peer_status p ON p.user_id = s.user_id
         LEFT JOIN usage_baseline b ON b.user_id = s.user_id`,
      [users.map((user) => user.id)],
    );
    const counters = new Map(rows.map((row) => [Number(row.user_id), row]));
    return new Map(
      users.map((user) => {
        const row = counters.get(user.id);
        const rxTotal = Number(row?.rx_total ?? 0);
        const txTotal = Number(row?.tx_total ?? 0);
        const periodStart = usagePeriodStart(user, now);
        const base = baseOf(user, periodStart, row, rxTotal, txTotal);
        const rxBytes = since(rxTotal, base.rx);
        const txBytes = since(txTotal, base.tx);
        return [user.id, { periodStart, rxBytes, txBytes, totalBytes: rxBytes + txBytes }];
      }),
    );
  }

  /**
   * Takes the baseline of each monthly user whose current period has none yet (a new period, a new
   * limit, another reset day), in one statement: the cumulative totals now, or zero for a user
   * created within the period (all its traffic is the period's). A baseline already taken for the
   * period is kept, so calling this again (another replica, the next pass) changes nothing.
   * Call inside the enforcer's transaction, with the users locked.
   */
  async refreshBaselines(manager: EntityManager, users: UsageSubject[], now: Date): Promise<void> {
    const monthly = users.filter((user) => user.dataLimitPeriod === 'monthly' && user.dataLimitResetDay !== null);
    if (monthly.length === 0) return;
    await manager.query(
      `INSERT INTO usage_baseline AS b (user_id, period_start, rx_base, tx_base, taken_at)
       SELECT s.user_id, s.period_start,
              CASE WHEN s.created_in_period THEN 0 ELSE coalesce(p.rx_total, 0) END,
              CASE WHEN s.created_in_period THEN 0 ELSE coalesce(p.tx_total, 0) END,
              $4
         FROM unnest($1::bigint[], $2::timestamptz[], $3::boolean[]) AS s(user_id, period_start, created_in_period)
         LEFT JOIN peer_status p ON p.user_id = s.user_id
       ON CONFLICT (user_id) DO UPDATE
         SET period_start = EXCLUDED.period_start, rx_base = EXCLUDED.rx_base, tx_base = EXCLUDED.tx_base, taken_at = EXCLUDED.taken_at
         WHERE b.period_start <> EXCLUDED.period_start`,
      [
        monthly.map((user) => user.id),
        monthly.map((user) => monthlyPeriodStart(user.dataLimitResetDay!, now)),
        monthly.map((user) => user.createdAt >= monthlyPeriodStart(user.dataLimitResetDay!, now)),
        now,
      ],
    );
  }

  /**
   * Users with a monthly limit whose current period at `now` has no baseline yet: a period began
   * since the enforcer last looked (or the limit is new). `limit` bounds one batch.
   */
  async periodsTurned(manager: EntityManager, now: Date, limit: number): Promise<Array<{ id: number; serverId: number }>> {
    const days = Array.from({ length: 28 }, (_, index) => index + 1);
    const rows: Array<{ id: string; server_id: string }> = await manager.query(
      `SELECT u.id, u.server_id
         FROM wg_user u
         JOIN unnest($1::smallint[], $2::timestamptz[]) AS d(reset_day, period_start) ON d.reset_day = u.data_limit_reset_day
         LEFT JOIN usage_baseline b ON b.user_id = u.id
        WHERE u.data_limit_period = 'monthly' AND (b.period_start IS NULL OR b.period_start <> d.period_start)
        ORDER BY u.id
        LIMIT $3`,
      [days, days.map((day) => monthlyPeriodStart(day, now)), limit],
    );
    return rows.map((row) => ({ id: Number(row.id), serverId: Number(row.server_id) }));
  }
}

/** The counters the period's usage is measured from. */
function baseOf(user: UsageSubject, periodStart: Date, row: CounterRow | undefined, rxTotal: number, txTotal: number): { rx: number; tx: number } {
  if (user.dataLimitPeriod !== 'monthly') return { rx: 0, tx: 0 };
  if (row?.period_start && row.period_start.getTime() === periodStart.getTime()) return { rx: Number(row.rx_base), tx: Number(row.tx_base) };
  return user.createdAt >= periodStart ? { rx: 0, tx: 0 } : { rx: rxTotal, tx: txTotal };
}

/**
 * Bytes counted since `base`. Totals only fall when WGDashboard's resetPeerData zeroes them: then
 * everything counted since the reset is the period's.
 */
function since(total: number, base: number): number {
  return total >= base ? total - base : total;
}
