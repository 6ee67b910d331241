import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, type EntityManager, type FindOptionsWhere, type Repository } from 'typeorm';
import { AppError, pageOf, type Page } from '@wgfleet/core';
import { AccountEntity, type AccountKind } from './account.entity.js';
import { AccountAccessHooks } from './account-access-hooks.js';
import { AuthCache } from './auth-cache.js';

export interface CreateAccountInput {
  name: string;
  kind: AccountKind;
  parentId?: number | null;
}

@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>,
    private readonly authCache: AuthCache,
    private readonly accessHooks: AccountAccessHooks,
  ) {}

  async create(input: CreateAccountInput): Promise<AccountEntity> {
    const parentId = input.parentId ?? null;
    if (parentId !== null) {
      if (input.kind !== 'customer') {
        throw new AppError('validation_failed', 'only a customer account can have a parent', [
          { field: 'parent_id', message: 'only customer accounts have a parent reseller' },
        ]);
      }
      const parent = await this.accounts.findOneBy({ id: parentId });
      if (!parent || parent.kind !== 'reseller') {
        throw new AppError('validation_failed', `parent_id ${parentId} is not a reseller account`, [
          { field: 'parent_id', message: 'must be the id of a reseller account' },
        ]);
      }
    }
    return this.accounts.save(this.accounts.create({ name: input.name, kind: input.kind, parentId, suspendedAt: null }));
  }

  /** The account, or 404. */
  async get(id: number): Promise<AccountEntity> {
    const account = await this.accounts.findOneBy({ id });
    if (!account) throw new AppError('not_found', `account ${id} does not exist`);
    return account;
  }

  async list(page: Page, filter: { parentId?: number; kind?: AccountKind } = {}) {
    const where: FindOptionsWhere<AccountEntity> = { id: MoreThan(page.afterId) };
    if (filter.parentId !== undefined) where.parentId = filter.parentId;
    if (filter.kind !== undefined) where.kind = filter.kind;
    const rows = await this.accounts.find({ where, order: { id: 'ASC' }, take: page.limit + 1 });
    return pageOf(rows, page);
  }

  /**
   * Suspends or unsuspends, in one transaction with the access hooks (a reseller's customers are
   * affected too: their keys are refused and their peers disabled while the reseller is suspended).
   * `inTransaction` lets the caller record the change (audit) atomically with it.
   */
  async setSuspended(
    id: number,
    suspended: boolean,
    inTransaction: (manager: EntityManager, account: AccountEntity) => Promise<void> = async () => {},
  ): Promise<AccountEntity> {
    const account = await this.get(id);
    if (account.kind === 'admin' && suspended) {
      throw new AppError('validation_failed', 'an admin account cannot be suspended', [{ field: 'id', message: 'is an admin account' }]);
    }
    const saved = await this.accounts.manager.transaction(async (manager) => {
      const locked = await manager.findOne(AccountEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw new AppError('not_found', `account ${id} does not exist`);
      locked.suspendedAt = suspended ? (locked.suspendedAt ?? new Date()) : null;
      const result = await manager.save(locked);
      const customers = await manager.find(AccountEntity, { where: { parentId: id }, select: { id: true } });
      await this.accessHooks.run(manager, [id, ...customers.map((c) => c.id)]);
      await inTransaction(manager, result);
      return result;
    });
    // Cached keys of this account must see the change now, not after the cache's TTL.
    this.authCache.forgetAccount(id);
    return saved;
  }

  /** The admin account, created on first use (bootstrap). */
  async ensureAdmin(): Promise<AccountEntity> {
    const existing = await this.accounts.findOne({ where: { kind: 'admin' }, order: { id: 'ASC' } });
    return existing ?? this.accounts.save(this.accounts.create({ name: 'admin', kind: 'admin', parentId: null, suspendedAt: null }));
  }

  /**
   * Deletes the account in one transaction: its keys, assignments, users and port forwards go
   * by foreign-key cascade. `before` runs first in that transaction (lock and bump the servers
   * the deletion changes, audit it). Its keys stop working on this replica once it commits.
   */
  async deleteWith(id: number, before: (manager: EntityManager) => Promise<void>): Promise<void> {
    await this.accounts.manager.transaction(async (manager) => {
      await before(manager);
      const result = await manager.delete(AccountEntity, { id });
      if (!result.affected) throw new AppError('not_found', `account ${id} does not exist`);
    });
    this.authCache.forgetAccount(id);
  }
}
