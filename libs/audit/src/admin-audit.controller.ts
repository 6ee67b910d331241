import { Controller, Get, Query } from '@nestjs/common';
import { AdminOnly, IdFilter, PageQueryDto, toPage } from '@wgfleet/core';
import type { AuditEntryEntity } from './audit-entry.entity.js';
import { AuditService } from './audit.service.js';

export class ListAuditQueryDto extends PageQueryDto {
  @IdFilter('account_id')
  account_id?: number;
}

export function toAuditEntryDto(entry: AuditEntryEntity) {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    account_id: entry.accountId,
    api_key_id: entry.apiKeyId,
    source_ip: entry.sourceIp,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    details: entry.details,
  };
}

@AdminOnly()
@Controller('api/admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  /** Who did what, newest first; `?account_id=` narrows to one acting account. */
  @Get()
  async list(@Query() query: ListAuditQueryDto) {
    const { items, nextCursor } = await this.audit.list(toPage(query), { accountId: query.account_id });
    return { entries: items.map(toAuditEntryDto), next_cursor: nextCursor };
  }
}
