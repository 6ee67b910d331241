import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AppError, type Principal } from '@wgfleet/core';
import { FleetAccess, type AssignmentContext } from '@wgfleet/servers';
import { UserEntity } from './user.entity.js';

/** WireGuard users (peers): the desired state of who may connect to which server. */
@Injectable()
export class PeersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly access: FleetAccess,
  ) {}

  /** The user and where it lives; 404 when missing, 403 when it is not the caller's to act on. */
  async resolveUser(principal: Principal, userId: number): Promise<{ user: UserEntity; context: AssignmentContext }> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new AppError('not_found', `user ${userId} does not exist`);
    const context = await this.access.resolveAssignmentOf(principal, user.assignmentId, `user ${userId}`);
    return { user, context };
  }

  /** Users held by one assignment (for quota checks; call inside the write's transaction). */
  async countUsers(manager: EntityManager, assignmentId: number): Promise<number> {
    return manager.getRepository(UserEntity).countBy({ assignmentId });
  }
}
