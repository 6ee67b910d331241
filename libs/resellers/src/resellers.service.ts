import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsService, ApiKeysService, type AccountEntity, type ApiKeyEntity } from '@wgfleet/accounts';
import { AuditService } from '@wgfleet/audit';
import { AppError, type Page, type Principal } from '@wgfleet/core';
import { isUniqueViolation } from '@wgfleet/database';
import { PeersService } from '@wgfleet/peers';
import { PortForwardsService } from '@wgfleet/port-forwards';
import { AssignmentEntity, AssignmentsService, FleetAccess } from '@wgfleet/servers';

export interface DelegationInput {
  customerId: number;
  maxUsers: number;
  maxPortForwards: number;
}

/**
 * A reseller sells what it was assigned to customer accounts of its own: it creates them, gives
 * them keys, delegates a share of an assignment, and deletes them. Only reseller keys.
 */
@Injectable()
export class ResellersService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly apiKeys: ApiKeysService,
    private readonly access: FleetAccess,
    private readonly assignments: AssignmentsService,
    private readonly peers: PeersService,
    private readonly portForwards: PortForwardsService,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async createCustomer(principal: Principal, name: string): Promise<AccountEntity> {
    requireReseller(principal);
    const customer = await this.accounts.create({ name, kind: 'customer', parentId: principal.accountId });
    await this.audit.record(principal, { action: 'customer.create', targetType: 'account', targetId: customer.id, details: { name } });
    return customer;
  }

  async listCustomers(principal: Principal, page: Page) {
    requireReseller(principal);
    return this.accounts.list(page, { parentId: principal.accountId, kind: 'customer' });
  }

  /** 404 when missing; 403 when it is not one of the caller's customers. */
  async resolveCustomer(principal: Principal, customerId: number): Promise<AccountEntity> {
    requireReseller(principal);
    const customer = await this.accounts.get(customerId);
    if (customer.kind !== 'customer' || customer.parentId !== principal.accountId) {
      throw new AppError('forbidden', `account ${customerId} is not one of your customers`);
    }
    return customer;
  }

  /**
   * Deletes the customer with its keys, assignments, users and port forwards (foreign-key
   * cascades), in one transaction that first bumps every server it had users on, so the
   * nodes drop its peers and rules. Its keys stop working at once.
   */
  async deleteCustomer(principal: Principal, customerId: number): Promise<void> {
    const customer = await this.resolveCustomer(principal, customerId);
    await this.accounts.deleteWith(customer.id, async (manager) => {
      await this.access.bumpGenerationsOfAccounts(manager, [customer.id]);
      await this.audit.record(
        principal,
        { action: 'customer.delete', targetType: 'account', targetId: customer.id, details: { name: customer.name } },
        manager,
      );
    });
  }

  async createCustomerKey(
    principal: Principal,
    customerId: number,
    input: { name: string; expiresAt?: Date },
  ): Promise<{ record: ApiKeyEntity; key: string }> {
    const customer = await this.resolveCustomer(principal, customerId);
    if (customer.suspendedAt) throw new AppError('account_suspended', `customer ${customerId} is suspended; ask the operator to unsuspend it`);
    const created = await this.apiKeys.create(customer.id, { name: input.name, expiresAt: input.expiresAt });
    await this.audit.record(principal, {
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: created.record.id,
      details: { account_id: customer.id, name: input.name },
    });
    return created;
  }

  /**
   * Lends the server of the caller's own assignment to one of its customers, reserving the
   * customer's quotas out of what the reseller has left.
   */
  async delegate(principal: Principal, assignmentId: number, input: DelegationInput): Promise<AssignmentEntity> {
    requireReseller(principal);
    const { assignment } = await this.access.resolveAssignment(principal, assignmentId);
    if (assignment.accountId !== principal.accountId) {
      throw new AppError('forbidden', `server ${assignmentId} is one of your customers'; delegate from your own assignment`);
    }
    const customer = await this.accounts.get(input.customerId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') {
        throw new AppError('validation_failed', `customer_id ${input.customerId} does not exist`, [
          { field: 'customer_id', message: 'must be the id of one of your customers' },
        ]);
      }
      throw error;
    });
    if (customer.kind !== 'customer' || customer.parentId !== principal.accountId) {
      throw new AppError('forbidden', `account ${input.customerId} is not one of your customers`);
    }

    const delegation = await this.dataSource
      .transaction(async (manager) => {
        // The server's row lock: the same lock every user and forward write on this server takes
        // (FleetAccess.bumpGeneration), so the quota below cannot change under us. A delegation
        // changes nothing a node holds, so it does not bump the generation.
        await manager.query('SELECT id FROM server WHERE id = $1 FOR UPDATE', [assignment.serverId]);
        const parent = await manager.findOneBy(AssignmentEntity, { id: assignment.id });
        if (!parent) throw new AppError('not_found', `server ${assignmentId} does not exist`);
        const existing = await manager.findOneBy(AssignmentEntity, { serverId: parent.serverId, accountId: customer.id });
        if (existing) {
          throw new AppError('conflict', `customer ${customer.id} already has this server (assignment ${existing.id}); delete it first`);
        }
        const delegated = await this.access.delegatedQuota(manager, parent.id);
        if (parent.maxUsers !== null) {
          const left = parent.maxUsers - (await this.peers.countUsers(manager, parent.id)) - delegated.users;
          if (input.maxUsers > left) {
            throw new AppError(
              'quota_exceeded',
              `you can delegate at most ${Math.max(left, 0)} more users on this server (max_users ${parent.maxUsers}, your own users and other delegations hold the rest)`,
              [{ field: 'max_users', message: `must be at most ${Math.max(left, 0)}` }],
            );
          }
        }
        if (parent.maxPortForwards !== null) {
          const left = parent.maxPortForwards - (await this.portForwards.countForwards(manager, parent.id)) - delegated.portForwards;
          if (input.maxPortForwards > left) {
            throw new AppError(
              'quota_exceeded',
              `you can delegate at most ${Math.max(left, 0)} more port forwards on this server (max_port_forwards ${parent.maxPortForwards}, your own forwards and other delegations hold the rest)`,
              [{ field: 'max_port_forwards', message: `must be at most ${Math.max(left, 0)}` }],
            );
          }
        }
        const created = await this.assignments.createDelegation(manager, {
          serverId: parent.serverId,
          accountId: customer.id,
          parentAssignmentId: parent.id,
          maxUsers: input.maxUsers,
          maxPortForwards: input.maxPortForwards,
        });
        await this.audit.record(
          principal,
          {
            action: 'delegation.create',
            targetType: 'assignment',
            targetId: created.id,
            details: { parent_assignment_id: parent.id, customer_id: customer.id, max_users: input.maxUsers, max_port_forwards: input.maxPortForwards },
          },
          manager,
        );
        return created;
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'assignment_server_account_key')) {
          throw new AppError('conflict', `customer ${customer.id} already has this server; delete that assignment first`);
        }
        throw error;
      });
    return this.dataSource.getRepository(AssignmentEntity).findOneByOrFail({ id: delegation.id });
  }
}

function requireReseller(principal: Principal): void {
  if (principal.kind !== 'reseller') {
    throw new AppError(
      'forbidden',
      principal.kind === 'admin'
        ? 'customers and delegations are managed with a reseller key; the admin uses /api/admin/accounts and /api/admin/assignments'
        : 'only a reseller key can manage customers and delegations',
    );
  }
}
