import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, MoreThan, type EntityManager, type FindOptionsWhere, type Repository } from 'typeorm';
import { AccountsService, type AccountEntity } from '@wgfleet/accounts';
import { AuditService } from '@wgfleet/audit';
import { AppError, pageOf, type Page, type Principal } from '@wgfleet/core';
import { isForeignKeyViolation, isUniqueViolation } from '@wgfleet/database';
import { AssignmentEntity } from './assignment.entity.js';
import type { CreateAssignmentDto } from './assignments.dto.js';
import { FleetAccess } from './fleet-access.service.js';
import { FleetChanges } from './fleet-changes.js';
import { ServerEntity } from './server.entity.js';

/** The admin lends servers to accounts (a reseller's delegations are made by the reseller). */
@Injectable()
export class AssignmentsService {
  constructor(
    @InjectRepository(AssignmentEntity) private readonly assignments: Repository<AssignmentEntity>,
    @InjectRepository(ServerEntity) private readonly servers: Repository<ServerEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly access: FleetAccess,
    private readonly changes: FleetChanges,
  ) {}

  async create(principal: Principal, input: CreateAssignmentDto): Promise<AssignmentEntity> {
    // The ids come in the body, so a missing one is a bad field (422), not a missing resource (404).
    if (!(await this.servers.existsBy({ id: input.server_id }))) throw missingServer(input.server_id);
    const account = await this.accountOrNull(input.account_id);
    if (!account) throw missingAccount(input.account_id);
    if (account.kind === 'admin') {
      throw new AppError('validation_failed', `account ${account.id} is the admin account; assign servers to reseller or customer accounts`, [
        { field: 'account_id', message: 'is an admin account, which cannot be assigned a server' },
      ]);
    }
    try {
      return await this.dataSource.transaction(async (manager) => {
        const assignment = await this.insert(manager, {
          serverId: input.server_id,
          accountId: account.id,
          parentAssignmentId: null,
          maxUsers: input.max_users ?? null,
          maxPortForwards: input.max_port_forwards ?? null,
        });
        await this.audit.record(
          principal,
          {
            action: 'assignment.create',
            targetType: 'assignment',
            targetId: assignment.id,
            details: {
              server_id: assignment.serverId,
              account_id: assignment.accountId,
              max_users: assignment.maxUsers,
              max_port_forwards: assignment.maxPortForwards,
            },
          },
          manager,
        );
        return assignment;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'assignment_server_account_key')) {
        throw new AppError('conflict', `account ${account.id} already has server ${input.server_id}; change or delete that assignment instead`, [
          { field: 'account_id', message: 'already has this server' },
        ]);
      }
      // The server (or account) was deleted between the check and the insert.
      if (isForeignKeyViolation(error)) throw missingServer(input.server_id);
      throw error;
    }
  }

  async list(page: Page, filter: { serverId?: number; accountId?: number } = {}): Promise<{ items: AssignmentEntity[]; nextCursor: string | null }> {
    const where: FindOptionsWhere<AssignmentEntity> = { id: MoreThan(page.afterId) };
    if (filter.serverId !== undefined) where.serverId = filter.serverId;
    if (filter.accountId !== undefined) where.accountId = filter.accountId;
    const rows = await this.assignments.find({ where, order: { id: 'ASC' }, take: page.limit + 1 });
    return pageOf(rows, page);
  }

  /**
   * Deletes the assignment; its users, port forwards and delegations go with it (foreign keys),
   * so the server's generation moves in the same transaction.
   */
  async delete(principal: Principal, id: number): Promise<void> {
    const assignment = await this.assignments.findOneBy({ id });
    if (!assignment) throw new AppError('not_found', `assignment ${id} does not exist`);
    await this.dataSource.transaction(async (manager) => {
      await this.access.bumpGeneration(manager, assignment.serverId);
      const result = await manager.delete(AssignmentEntity, { id });
      if (!result.affected) throw new AppError('not_found', `assignment ${id} does not exist`);
      await this.audit.record(
        principal,
        {
          action: 'assignment.delete',
          targetType: 'assignment',
          targetId: id,
          details: { server_id: assignment.serverId, account_id: assignment.accountId },
        },
        manager,
      );
    });
  }

  /**
   * Lends the server of a reseller's assignment to one of its customers (a delegation), inside
   * the caller's transaction; the caller checks ownership and the parent's remaining quota
   * under the server's row lock. One per (server, customer): `assignment_server_account_key`.
   */
  createDelegation(
    manager: EntityManager,
    input: { serverId: number; accountId: number; parentAssignmentId: number; maxUsers: number; maxPortForwards: number },
  ): Promise<AssignmentEntity> {
    return this.insert(manager, input);
  }

  /** Every new assignment changes what its account lists: this process's caches hear of it. */
  private insert(
    manager: EntityManager,
    fields: Pick<AssignmentEntity, 'serverId' | 'accountId' | 'parentAssignmentId' | 'maxUsers' | 'maxPortForwards'>,
  ): Promise<AssignmentEntity> {
    this.changes.mark(manager);
    return manager.save(manager.create(AssignmentEntity, fields));
  }

  private async accountOrNull(id: number): Promise<AccountEntity | null> {
    try {
      return await this.accounts.get(id);
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return null;
      throw error;
    }
  }
}

function missingServer(id: number): AppError {
  return new AppError('validation_failed', `server ${id} does not exist`, [{ field: 'server_id', message: 'is not the id of a server' }]);
}

function missingAccount(id: number): AppError {
  return new AppError('validation_failed', `account ${id} does not exist`, [{ field: 'account_id', message: 'is not the id of an account' }]);
}
