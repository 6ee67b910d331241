import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { AuditService } from '@wgfleet/audit';
import type { WgdAuditActor } from '../wgd-api-keys.service.js';
import { isShareIdShape, isShareLinkActive, newShareId } from './share-link.js';
import { WgdShareLinkEntity } from './wgd-share-link.entity.js';

/** What a new link is for: a peer (user) of a server of the node, with the names the request gave. */
export interface ShareLinkTarget {
  nodeId: number;
  serverId: number;
  userId: number;
  configuration: string;
  peer: string;
}

export type ShareLinkCreation = { kind: 'existing'; link: WgdShareLinkEntity } | { kind: 'created'; link: WgdShareLinkEntity } | { kind: 'peer-gone' };

// Postgres: foreign_key_violation (the peer was deleted meanwhile).
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * The `wgd_share_link` table. "Active" is upstream's rule (`isShareLinkActive`) against `now`, the
 * local "YYYY-MM-DD HH:MM:SS" text; Postgres narrows the rows with the same byte-wise comparison
 * (the column is COLLATE "C") and the rule decides. One active link per peer: creating and
 * updating a peer's links take the peer's transaction-scoped advisory lock.
 */
@Injectable()
export class WgdShareLinkStore {
  constructor(
    @InjectRepository(WgdShareLinkEntity) private readonly links: Repository<WgdShareLinkEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The active links of a server's peers, oldest first. */
  activeOnServer(nodeId: number, serverId: number, now: string): Promise<WgdShareLinkEntity[]> {
    return this.active(this.links.manager, 'l.nodeId = :nodeId AND l.serverId = :serverId', { nodeId, serverId }, now);
  }

  /** The link of that ID while active, or null; `nodeId` limits it to one node's links. */
  async activeById(shareId: unknown, now: string, nodeId?: number): Promise<WgdShareLinkEntity | null> {
    return this.activeByIdIn(this.links.manager, shareId, now, nodeId);
  }

  /** The peer's active link if it has one (upstream's "already sharing"), else a new one. */
  async create(actor: WgdAuditActor, target: ShareLinkTarget, expireDate: string | null, now: string): Promise<ShareLinkCreation> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await lockPeer(manager, target.userId);
        const [existing] = await this.active(manager, 'l.userId = :userId', { userId: target.userId }, now);
        if (existing) return { kind: 'existing', link: existing };
        const link = manager.create(WgdShareLinkEntity, { shareId: newShareId(), ...target, expireDate });
        await manager.insert(WgdShareLinkEntity, link);
        await this.audit.record(actor, event('wgdashboard_share_link.create', target.userId, expireDate, actor), manager);
        return { kind: 'created', link };
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === FOREIGN_KEY_VIOLATION) return { kind: 'peer-gone' };
      throw error;
    }
  }

  /** Sets the expiry of one of the node's active links; null when it has no such active link. */
  async updateExpireDate(actor: WgdAuditActor, nodeId: number, shareId: unknown, expireDate: string | null, now: string): Promise<WgdShareLinkEntity | null> {
    const found = await this.activeById(shareId, now, nodeId);
    if (!found) return null;
    return this.dataSource.transaction(async (manager) => {
      await lockPeer(manager, found.userId);
      // Read again under the lock: a create of the same peer may not see two active links.
      const link = await this.activeByIdIn(manager, found.shareId, now, nodeId);
      if (!link) return null;
      await manager.update(WgdShareLinkEntity, { shareId: link.shareId }, { expireDate });
      await this.audit.record(actor, event('wgdashboard_share_link.update', link.userId, expireDate, actor), manager);
      return { ...link, expireDate };
    });
  }

  private async activeByIdIn(manager: EntityManager, shareId: unknown, now: string, nodeId?: number): Promise<WgdShareLinkEntity | null> {
    // Only IDs of our own shape are looked up: anything else (NUL bytes included) is unknown.
    if (!isShareIdShape(shareId)) return null;
    const where = nodeId === undefined ? 'l.shareId = :shareId' : 'l.shareId = :shareId AND l.nodeId = :nodeId';
    const [link] = await this.active(manager, where, { shareId, nodeId }, now);
    return link ?? null;
  }

  private async active(manager: EntityManager, where: string, parameters: Record<string, unknown>, now: string): Promise<WgdShareLinkEntity[]> {
    const rows = await manager
      .getRepository(WgdShareLinkEntity)
      .createQueryBuilder('l')
      .where(where, parameters)
      .andWhere('(l.expireDate IS NULL OR l.expireDate > :now)', { now })
      .orderBy('l.createdAt', 'ASC')
      .addOrderBy('l.shareId', 'ASC')
      .getMany();
    return rows.filter((row) => isShareLinkActive(row.expireDate, now));
  }
}

async function lockPeer(manager: EntityManager, userId: number): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`wgd_share_link:${userId}`]);
}

/** The ShareID itself stays out of the log: it opens the peer's private key. */
function event(action: string, userId: number, expireDate: string | null, actor: WgdAuditActor) {
  return {
    action,
    targetType: 'wg_user',
    targetId: userId,
    details: { expire_date: expireDate, ...(actor.wgdKeyId === undefined ? {} : { by_wgdashboard_key_id: actor.wgdKeyId }) },
  };
}
