import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OFFLINE, type UserObservation } from './peers.dto.js';
import { PeerTelemetry } from './peer-telemetry.js';
import { PlanUsage } from './plans/plan-usage.js';
import type { UserEntity } from './user.entity.js';

/**
 * What every user object shows beside its row — the latest poll and the current period's usage —
 * for any number of users of one server, in one query of each (never one per user).
 */
@Injectable()
export class UserObservations {
  constructor(
    private readonly telemetry: PeerTelemetry,
    private readonly usage: PlanUsage,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async of(serverId: number, users: UserEntity[], now = new Date()): Promise<Map<number, UserObservation>> {
    if (users.length === 0) return new Map();
    const live = await this.telemetry.statusOf(serverId, users.map((user) => user.id));
    const usage = await this.usage.usageOf(this.dataSource.manager, users, now);
    return new Map(
      users.map((user) => {
        const used = usage.get(user.id);
        if (!used) throw new Error(`PlanUsage.usageOf gave no usage for user ${user.id}`);
        return [user.id, { live: live.get(user.id) ?? OFFLINE, usage: used }];
      }),
    );
  }

  async ofOne(user: UserEntity): Promise<UserObservation> {
    return (await this.of(user.serverId, [user])).get(user.id)!;
  }
}
