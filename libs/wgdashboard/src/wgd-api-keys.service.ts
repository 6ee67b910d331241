import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, MoreThan, type DataSource, type Repository } from 'typeorm';
import { AuditService, type AuditActor } from '@wgfleet/audit';
import { TtlCache } from '@wgfleet/core';
import { WgdApiKeyEntity } from './wgd-api-key.entity.js';

/** The portal admin (an account), or a WGDashboard key holder (no account: its key id is recorded). */
export type WgdAuditActor = AuditActor & { wgdKeyId?: number };

/** What a valid key grants: the node whose servers are its configurations. */
export interface WgdKeyGrant {
  keyId: number;
  nodeId: number;
}

// Like AUTH_CACHE_TTL_MS for portal keys: bounds how long another replica accepts a deleted key.
const CACHE_TTL_MS = 4_000;
const HINT_LENGTH = 4;
// A header value longer than any key we issue is refused before it is hashed.
const MAX_KEY_LENGTH = 128;

/**
 * WGDashboard API keys. Upstream issues `secrets.token_urlsafe(32)` (43 URL-safe characters) and
 * keeps it in clear; these have the same shape, and only their SHA-256 is stored.
 */
@Injectable()
export class WgdApiKeys {
  // Grants only: an unknown key is looked up each time, so a key is usable the moment it exists.
  // Each keeps its key's expiry, so the cache never stretches a key's life.
  private readonly cache = new TtlCache<{ grant: WgdKeyGrant; expiresAt: number | null }>(CACHE_TTL_MS, 10_000);

  constructor(
    @InjectRepository(WgdApiKeyEntity) private readonly keys: Repository<WgdApiKeyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** A new key for the node, shown once, recorded in the audit log with it; `expiresAt` null never expires. */
  async issue(actor: WgdAuditActor, nodeId: number, expiresAt: Date | null = null): Promise<{ key: string; record: WgdApiKeyEntity }> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(WgdApiKeyEntity);
      const key = randomBytes(32).toString('base64url');
      const record = await repository.save(repository.create({ nodeId, keyHash: hashKey(key), hint: key.slice(-HINT_LENGTH), expiresAt }));
      await this.audit.record(
        actor,
        { action: 'wgdashboard_key.create', targetType: 'node', targetId: nodeId, details: { key_id: record.id, hint: record.hint, ...actorDetails(actor) } },
        manager,
      );
      return { key, record };
    });
  }

  /** The node's keys that are not expired, newest first (upstream's order). */
  active(nodeId: number, now = new Date()): Promise<WgdApiKeyEntity[]> {
    return this.keys.find({
      where: [
        { nodeId, expiresAt: IsNull() },
        { nodeId, expiresAt: MoreThan(now) },
      ],
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /**
   * Ends one of the node's active keys now (upstream's delete sets its expiry to now), and forgets
   * its grant in this process at once. False when the node has no such active key.
   */
  async expire(actor: WgdAuditActor, nodeId: number, key: string): Promise<boolean> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
    const hash = hashKey(key);
    const expired = await this.dataSource.transaction(async (manager) => {
      // An UPDATE … RETURNING answers [rows, affected count] through TypeORM's postgres driver.
      const [rows]: [Array<{ id: string }>, number] = await manager.query(
        `UPDATE wgd_api_key SET expires_at = now()
          WHERE node_id = $1 AND key_hash = $2 AND (expires_at IS NULL OR expires_at > now()) RETURNING id`,
        [nodeId, hash],
      );
      const row = rows[0];
      if (!row) return false;
      await this.audit.record(
        actor,
        { action: 'wgdashboard_key.delete', targetType: 'node', targetId: nodeId, details: { key_id: Number(row.id), ...actorDetails(actor) } },
        manager,
      );
      return true;
    });
    if (expired) this.cache.delete(hash.toString('base64'));
    return expired;
  }

  /** The grant of a valid, unexpired key; null otherwise. */
  async authenticate(key: string, now = Date.now()): Promise<WgdKeyGrant | null> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) return null;
    const hash = hashKey(key);
    const cacheKey = hash.toString('base64');
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached.expiresAt === null || cached.expiresAt > now ? cached.grant : null;
    const record = await this.keys
      .createQueryBuilder('k')
      .where('k.keyHash = :hash', { hash })
      .andWhere('(k.expiresAt IS NULL OR k.expiresAt > :now)', { now: new Date(now) })
      .getOne();
    if (!record) return null;
    const grant = { keyId: record.id, nodeId: record.nodeId };
    this.cache.set(cacheKey, { grant, expiresAt: record.expiresAt ? record.expiresAt.getTime() : null });
    return grant;
  }
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** A WGDashboard caller has no account: the key it used is what the audit entry can name. */
function actorDetails(actor: WgdAuditActor): Record<string, number> {
  return actor.wgdKeyId === undefined ? {} : { by_wgdashboard_key_id: actor.wgdKeyId };
}
