import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, ParseIdPipe, toPage, PageQueryDto, type Principal } from '@wgfleet/core';
import { CreateApiKeyDto, toApiKeyDto } from './accounts.dto.js';
import { ApiKeysService } from './api-keys.service.js';

/** Self-service keys: every account manages its own (at most 5 active). */
@Controller('api/wg/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto) {
    const { items, nextCursor } = await this.apiKeys.list(principal.accountId, toPage(query));
    return { api_keys: items.map(toApiKeyDto), next_cursor: nextCursor };
  }

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto) {
    const { record, key } = await this.apiKeys.create(principal.accountId, { name: body.name, expiresAt: body.expires_at });
    return { ...toApiKeyDto(record), key };
  }

  @Delete(':id')
  @HttpCode(200)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.apiKeys.revoke(principal.accountId, id);
    return { id, deleted: true };
  }
}
