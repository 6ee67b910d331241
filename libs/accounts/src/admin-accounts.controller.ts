import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AdminOnly, AppError, ParseIdPipe, toPage } from '@wgfleet/core';
import { AccountsService } from './accounts.service.js';
import { CreateAccountDto, CreateApiKeyDto, ListAccountsQueryDto, toAccountDto, toApiKeyDto } from './accounts.dto.js';
import { ApiKeysService } from './api-keys.service.js';

@AdminOnly()
@Controller('api/admin/accounts')
export class AdminAccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateAccountDto) {
    return toAccountDto(await this.accounts.create({ name: body.name, kind: body.kind, parentId: body.parent_id }));
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
  async suspend(@Param('id', ParseIdPipe) id: number) {
    return toAccountDto(await this.accounts.setSuspended(id, true));
  }

  @Post(':id/unsuspend')
  @HttpCode(200)
  async unsuspend(@Param('id', ParseIdPipe) id: number) {
    return toAccountDto(await this.accounts.setSuspended(id, false));
  }

  @Post(':id/api-keys')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async createKey(@Param('id', ParseIdPipe) id: number, @Body() body: CreateApiKeyDto) {
    const account = await this.accounts.get(id);
    if (account.suspendedAt) throw new AppError('account_suspended', `account ${id} is suspended; unsuspend it first`);
    const { record, key } = await this.apiKeys.create(account.id, { name: body.name, expiresAt: body.expires_at });
    return { ...toApiKeyDto(record), account_id: account.id, key };
  }
}
