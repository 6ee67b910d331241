import type { EntityManager } from 'typeorm';
import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AuditService } from '@wgfleet/audit';
import { AdminOnly, AppError, CurrentPrincipal, ParseIdPipe, toPage, type Principal } from '@wgfleet/core';
import { AccountsService } from './accounts.service.js';
import { CreateAccountDto, CreateApiKeyDto, ListAccountsQueryDto, toAccountDto, toApiKeyDto } from './accounts.dto.js';
import { ApiKeysService } from './api-keys.service.js';

@AdminOnly()
@Controller('api/admin/accounts')
export class AdminAccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateAccountDto) {
    const account = await this.accounts.create({ name: body.name, kind: body.kind, parentId: body.parent_id });
    await this.audit.record(principal, { action: 'account.create', targetType: 'account', targetId: account.id, details: { kind: account.kind } });
    return toAccountDto(account);
  }

  @Get()
  async list(@Query() query: ListAccountsQueryDto) {
    const { items, nextCursor } = await this.accounts.list(toPage(query), { kind: query.kind, parentId: query.parent_id });
    return { accounts: items.map(toAccountDto), next_cursor: nextCursor };
  }

  @Get(':id')
  async get(@Param('id', ParseIdPipe) id: number) {
    return toAccountDto(await this.accounts.get(id));
  }

  @Post(':id/suspend')
  @HttpCode(200)
  async suspend(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    return toAccountDto(await this.accounts.setSuspended(id, true, (manager) => this.recordSuspension(principal, id, true, manager)));
  }

  @Post(':id/unsuspend')
  @HttpCode(200)
  async unsuspend(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    return toAccountDto(await this.accounts.setSuspended(id, false, (manager) => this.recordSuspension(principal, id, false, manager)));
  }

  private recordSuspension(principal: Principal, id: number, suspended: boolean, manager: EntityManager): Promise<void> {
    const action = suspended ? 'account.suspend' : 'account.unsuspend';
    return this.audit.record(principal, { action, targetType: 'account', targetId: id }, manager);
  }

  @Post(':id/api-keys')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async createKey(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: CreateApiKeyDto) {
    const account = await this.accounts.get(id);
    if (account.suspendedAt) throw new AppError('account_suspended', `account ${id} is suspended; unsuspend it first`);
    const { record, key } = await this.apiKeys.create(account.id, { name: body.name, expiresAt: body.expires_at });
    await this.audit.record(principal, { action: 'api_key.create', targetType: 'api_key', targetId: record.id, details: { account_id: account.id } });
    return { ...toApiKeyDto(record), account_id: account.id, key };
  }
}
