import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type EntityManager, type FindOptionsWhere, type Repository } from 'typeorm';
import { pageOf, type Page, type Principal } from '@wgfleet/core';
import { AuditEntryEntity } from './audit-entry.entity.js';

export interface AuditEvent {
  /** What happened, `<thing>.<verb>`: `user.create`, `port_forward.delete`, `node.create`, … */
  action: string;
  targetType: string;
  targetId: number;
  /** Names and ids only: never a key, secret or private key. */
  details?: Record<string, unknown>;
}

/**
 * Who acted: a portal principal, or a caller with no account (a WGDashboard key holder: its key id
 * goes into the event's details).
 */
export type AuditActor = Pick<Principal, 'apiKeyId' | 'sourceIp'> & { accountId: number | null };

@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  /**
   * Records the event. Pass the write's transaction manager so the entry commits (or rolls back)
   * with the change it describes.
   */
  async record(principal: AuditActor, event: AuditEvent, manager?: EntityManager): Promise<void> {
    const repository = manager ? manager.getRepository(AuditEntryEntity) : this.entries;
    await repository.insert({
      accountId: principal.accountId,
      apiKeyId: principal.apiKeyId,
      sourceIp: principal.sourceIp || null,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      details: (event.details ?? {}) as object,
    });
  }

  /** Newest first; the cursor is the last id seen. */
  async list(page: Page, filter: { accountId?: number } = {}): Promise<{ items: AuditEntryEntity[]; nextCursor: string | null }> {
    const where: FindOptionsWhere<AuditEntryEntity> = {};
    if (page.afterId > 0) where.id = LessThan(page.afterId);
    if (filter.accountId !== undefined) where.accountId = filter.accountId;
    const rows = await this.entries.find({ where, order: { id: 'DESC' }, take: page.limit + 1 });
    return pageOf(rows, page);
  }
}
