import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '@wgfleet/audit';
import { AppError, type Principal } from '@wgfleet/core';
import { FleetAccess } from '@wgfleet/servers';
import { PeersService } from './peers.service.js';
import { PlanEnforcer } from './plans/plan-enforcer.js';
import { bandwidthColumnsOf, planColumnsOf, type SetBandwidthDto, type UpdateUserDto } from './user-plans.dto.js';
import { UserEntity } from './user.entity.js';

/**
 * Writes to a user's plan (PATCH /users/{id}, the bandwidth routes). Each is one transaction that
 * locks the server (the generation bump the push follows), writes the columns, re-decides the
 * user's access there, so the answer already shows it, and records the audit entry.
 */
@Injectable()
export class UserPlans {
  constructor(
    private readonly peers: PeersService,
    private readonly access: FleetAccess,
    private readonly enforcer: PlanEnforcer,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async update(principal: Principal, userId: number, input: UpdateUserDto): Promise<UserEntity> {
    const sent = { enabled: input.enabled, expires_at: input.expires_at, data_limit: input.data_limit };
    return this.write(principal, userId, planColumnsOf(input), 'user.update', sent);
  }

  /** Null lifts a direction's limit; a direction left out keeps its own. */
  async setBandwidth(principal: Principal, userId: number, input: SetBandwidthDto): Promise<UserEntity> {
    const sent = { download_mbps: input.download_mbps, upload_mbps: input.upload_mbps };
    return this.write(principal, userId, bandwidthColumnsOf(input), 'user.bandwidth', sent);
  }

  private async write(principal: Principal, userId: number, columns: Partial<UserEntity>, action: string, sent: object): Promise<UserEntity> {
    const { user } = await this.peers.resolveUser(principal, userId);
    return this.dataSource.transaction(async (manager) => {
      await this.access.bumpGeneration(manager, user.serverId);
      // The push that carries the change decides the provisioning state again.
      const { affected } = await manager.update(UserEntity, { id: userId }, { ...columns, state: 'pending', stateError: null });
      if (!affected) throw new AppError('not_found', `user ${userId} does not exist`);
      await this.enforcer.reevaluate(manager, [userId]);
      const updated = await manager.findOneByOrFail(UserEntity, { id: userId });
      // JSON drops the fields left out: the entry lists what was sent.
      const details = { client_name: user.clientName, assignment_id: user.assignmentId, ...JSON.parse(JSON.stringify(sent)) };
      await this.audit.record(principal, { action, targetType: 'wg_user', targetId: userId, details }, manager);
      return updated;
    });
  }
}
