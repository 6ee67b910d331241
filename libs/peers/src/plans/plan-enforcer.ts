import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FleetAccess } from '@wgfleet/servers';
import { UserEntity } from '../user.entity.js';
import { evaluateAccess } from './access-policy.js';
import { dataLimitOf } from './data-limit.js';
import { PlanUsage } from './plan-usage.js';

/**
 * Keeps each user's materialized access (`access_state`, `access_reason`) equal to what
 * evaluateAccess says, and bumps the server's generation when it changes so the push takes a
 * blocked peer off its node or shapes a throttled one. SEAM (issue 11): the enforcement work adds
 * the timers (expiry, new periods) and the check after each poll; writes call `reevaluate`.
 */
@Injectable()
export class PlanEnforcer {
  constructor(
    private readonly usage: PlanUsage,
    private readonly access: FleetAccess,
  ) {}

  /**
   * Re-decides the users' access inside the caller's transaction (after it wrote their plans) and
   * returns the ids whose access changed. Bumps each affected server's generation.
   */
  async reevaluate(manager: EntityManager, userIds: number[], now = new Date()): Promise<number[]> {
    if (userIds.length === 0) return [];
    const users = await manager.getRepository(UserEntity).createQueryBuilder('u').where('u.id = ANY(:ids)', { ids: userIds }).orderBy('u.id').getMany();
    const usage = await this.usage.usageOf(manager, users, now);
    const changed: UserEntity[] = [];
    for (const user of users) {
      const access = evaluateAccess(
        { enabled: user.enabled, expiresAt: user.expiresAt, dataLimit: dataLimitOf(user), usedBytes: usage.get(user.id)?.totalBytes ?? 0 },
        now,
      );
      if (access.state === user.accessState && access.reason === user.accessReason) continue;
      await manager.update(UserEntity, { id: user.id }, { accessState: access.state, accessReason: access.reason });
      changed.push(user);
    }
    for (const serverId of [...new Set(changed.map((user) => user.serverId))].sort((a, b) => a - b)) {
      await this.access.bumpGeneration(manager, serverId);
    }
    return changed.map((user) => user.id);
  }
}
