import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not, type EntityManager } from 'typeorm';
import { FleetAccess } from '@wgfleet/servers';
import { UserEntity } from '../user.entity.js';
import { evaluateAccess, type Access } from './access-policy.js';
import { dataLimitOf } from './data-limit.js';
import { PlanClock } from './plan-clock.js';
import { PlanUsage } from './plan-usage.js';
import { nextAnyPeriodStart } from './usage-period.js';

/** Users re-decided in one transaction: bounds its locks when many expire or roll over at once. */
const BATCH = 500;

/**
 * Keeps each user's materialized access (`access_state`, `access_reason`) equal to what
 * evaluateAccess says, and bumps the server's generation when the state changes, so the push takes
 * a blocked peer off its node, puts it back, or shapes a throttled one. Three triggers, one path
 * (`reevaluate`): the API's writes, each recorded poll (data limits), and a sweep every second
 * (expiries, new monthly periods).
 *
 * Replicas: every decision is taken again under row locks (the servers in id order, then the users)
 * and only rows whose decision changed are written, so two replicas racing on the same user leave
 * one change and one bump; the second finds nothing to do.
 */
@Injectable()
export class PlanEnforcer {
  /** When the sweep next looks for monthly periods that began (0: at its first pass; then each period boundary). */
  private nextRolloverScanAt = 0;

  constructor(
    private readonly usage: PlanUsage,
    private readonly access: FleetAccess,
    private readonly clock: PlanClock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Re-decides the users' access inside the caller's transaction (after it wrote their plans) and
   * returns the ids whose access (state or reason) changed. Bumps the generation of each server
   * where a user's state changed; a reason alone (disabled → expired) changes nothing on the node.
   */
  async reevaluate(manager: EntityManager, userIds: number[], now = this.clock.now()): Promise<number[]> {
    return this.redecide(manager, userIds, now, 'wait');
  }

  /**
   * reevaluate's work. Locks are FOR NO KEY UPDATE, what an UPDATE of the row takes: they serialise
   * with every write of a user or a server's generation, not with inserts that merely reference the
   * row (peer_status, port forwards). The enforcer's own passes skip users another transaction holds
   * (`skip`): that writer re-decides them itself, or the next pass does; waiting could deadlock with
   * a writer that locked the user before its server.
   */
  private async redecide(manager: EntityManager, userIds: number[], now: Date, busyUsers: 'wait' | 'skip'): Promise<number[]> {
    if (userIds.length === 0) return [];
    const ids = [...new Set(userIds)].sort((a, b) => a - b);
    // Every writer locks the server first (bumpGeneration), then its users: the same order here.
    const servers: Array<{ server_id: string }> = await manager.query('SELECT DISTINCT server_id FROM wg_user WHERE id = ANY($1::bigint[]) ORDER BY server_id', [ids]);
    await this.access.lockServers(manager, servers.map((row) => Number(row.server_id)));
    const query = manager.getRepository(UserEntity).createQueryBuilder('u').where('u.id = ANY(:ids)', { ids }).orderBy('u.id').setLock('for_no_key_update');
    const users = await (busyUsers === 'skip' ? query.setOnLocked('skip_locked') : query).getMany();
    await this.usage.refreshBaselines(manager, users, now);
    const decisions = await this.decide(manager, users, now);
    const changed: UserEntity[] = [];
    const moved = new Set<number>();
    for (const user of users) {
      const access = decisions.get(user.id)!;
      if (!differs(user, access)) continue;
      const onNode = access.state !== user.accessState;
      // Like a restriction: the push that carries the change decides the provisioning state again.
      const provisioning = onNode ? { state: 'pending' as const, stateError: null } : {};
      await manager.update(UserEntity, { id: user.id }, { accessState: access.state, accessReason: access.reason, ...provisioning });
      changed.push(user);
      if (onNode) moved.add(user.serverId);
    }
    for (const serverId of [...moved].sort((a, b) => a - b)) await this.access.bumpGeneration(manager, serverId);
    return changed.map((user) => user.id);
  }

  /**
   * After a poll of `serverId` was recorded: the users with a data limit whose decision the new
   * counters change are re-decided (blocked or throttled within one poll interval of crossing it).
   * Reads only, and takes no lock, when nothing changed (the common case).
   */
  async afterPoll(serverId: number): Promise<number[]> {
    const now = this.clock.now();
    const limited = await this.dataSource.getRepository(UserEntity).findBy({ serverId, dataLimitBytes: Not(IsNull()) });
    const decisions = await this.decide(this.dataSource.manager, limited, now);
    const due = limited.filter((user) => differs(user, decisions.get(user.id)!)).map((user) => user.id);
    return this.reevaluateInBatches(due, now);
  }

  /**
   * The timer's pass: users whose end date has come and who are not blocked for it yet (the
   * wg_user_expiry index holds exactly those), and, at the first pass and at each period boundary
   * after, users whose monthly period began (new baseline: usage starts again, access comes back).
   * `inScope` leaves other servers' users alone (tests share one database). Returns the changed ids.
   */
  async sweep(inScope: (serverId: number) => boolean = () => true): Promise<number[]> {
    const now = this.clock.now();
    const manager = this.dataSource.manager;
    const expired: Array<{ id: string; server_id: string }> = await manager.query(
      `SELECT id, server_id FROM wg_user
        WHERE expires_at IS NOT NULL AND enabled AND access_reason IS DISTINCT FROM 'expired' AND expires_at <= $1
        ORDER BY id LIMIT $2`,
      [now, BATCH],
    );
    const changed = await this.reevaluateInBatches(
      expired.filter((row) => inScope(Number(row.server_id))).map((row) => Number(row.id)),
      now,
    );
    if (now.getTime() >= this.nextRolloverScanAt) {
      const rollover = await this.rollOver(now, inScope);
      changed.push(...rollover.changed);
      // Only once every turned period is handled: a user held by another transaction is tried again a second later.
      if (rollover.settled) this.nextRolloverScanAt = nextAnyPeriodStart(now).getTime();
    }
    return changed;
  }

  /**
   * Every monthly user in scope whose period began, batch by batch, each tried once. `settled`:
   * none is left turned (none was skipped because another transaction held it).
   */
  private async rollOver(now: Date, inScope: (serverId: number) => boolean): Promise<{ changed: number[]; settled: boolean }> {
    const changed: number[] = [];
    const seen = new Set<number>();
    for (;;) {
      // Users seen before come back while still turned (skipped, or another scope's): ask for that many more.
      const turned = await this.usage.periodsTurned(this.dataSource.manager, now, BATCH + seen.size);
      const mine = turned.filter((user) => inScope(user.serverId) && !seen.has(user.id));
      if (mine.length === 0) return { changed, settled: !turned.some((user) => inScope(user.serverId)) };
      for (const user of turned) seen.add(user.id);
      changed.push(...(await this.reevaluateInBatches(mine.map((user) => user.id), now)));
    }
  }

  private async reevaluateInBatches(userIds: number[], now: Date): Promise<number[]> {
    const changed: number[] = [];
    for (let start = 0; start < userIds.length; start += BATCH) {
      const batch = userIds.slice(start, start + BATCH);
      changed.push(...(await this.dataSource.transaction((manager) => this.redecide(manager, batch, now, 'skip'))));
    }
    return changed;
  }

  /** What evaluateAccess says for each user now, with its usage in the current period. */
  private async decide(manager: EntityManager, users: UserEntity[], now: Date): Promise<Map<number, Access>> {
    const usage = await this.usage.usageOf(manager, users, now);
    return new Map(
      users.map((user) => [
        user.id,
        evaluateAccess({ enabled: user.enabled, expiresAt: user.expiresAt, dataLimit: dataLimitOf(user), usedBytes: usage.get(user.id)?.totalBytes ?? 0 }, now),
      ]),
    );
  }
}

function differs(user: UserEntity, access: Access): boolean {
  return access.state !== user.accessState || access.reason !== user.accessReason;
}
